//! The bags of a PFX: keys (plain or shrouded) and certificates with their attributes, the
//! bounds on their number and nesting, and what a failed decryption means (a wrong password, or
//! a malformed file when the MAC vouched for the password).

use der::asn1::OctetString;
use der::{Decode, Encode, Tagged};
use x509_cert::Certificate;
use x509_cert::attr::Attributes;
use zeroize::Zeroizing;

use super::asn1::{BagValue, CertBag, SafeBag};
use super::cipher::{self, Password};
use super::{PfxCertificate, PfxContents, PfxKey, PfxLimits};
use crate::{Error, Result, oid};

/// Walks the safes and bags of one PFX, collecting keys and certificates.
pub(super) struct Walker<'a> {
    pub(super) password: Password<'a>,
    pub(super) limits: &'a PfxLimits,
    pub(super) mac_verified: bool,
    pub(super) bags: usize,
    pub(super) contents: PfxContents,
}

impl Walker<'_> {
    pub(super) fn decrypt(
        &self,
        algorithm: &spki::AlgorithmIdentifierOwned,
        ciphertext: &OctetString,
        context: &'static str,
    ) -> Result<Zeroizing<Vec<u8>>> {
        match cipher::decrypt(
            algorithm,
            &self.password,
            ciphertext.as_bytes(),
            self.limits,
            context,
        ) {
            Err(Error::WrongPassword(_)) if self.mac_verified => Err(Error::malformed(
                "PFX",
                "decryption padding failed although the MAC matched",
            )),
            other => other,
        }
    }

    /// What decrypted bytes that do not decode mean: a wrong password when no MAC vouched for
    /// it (the padding check passes by chance about once in 256), a malformed file otherwise.
    pub(super) fn garbage(&self, e: Error) -> Error {
        if self.mac_verified {
            e
        } else {
            Error::WrongPassword("decryption padding failed")
        }
    }

    pub(super) fn safe(&mut self, bags: &[SafeBag], encryption: &str) -> Result<()> {
        let mut holds_certificates = false;
        self.bags_at(bags, encryption, 0, &mut holds_certificates)?;
        if holds_certificates {
            self.contents
                .info
                .cert_encryption
                .push(encryption.to_string());
        }
        Ok(())
    }

    fn bags_at(
        &mut self,
        bags: &[SafeBag],
        encryption: &str,
        depth: usize,
        holds_certificates: &mut bool,
    ) -> Result<()> {
        if depth > self.limits.max_bag_depth {
            return Err(Error::LimitExceeded {
                limit: "PKCS#12 safeContentsBag nesting",
                value: u64::try_from(depth).unwrap_or(u64::MAX),
                bound: crate::Bound::Max(
                    u64::try_from(self.limits.max_bag_depth).unwrap_or(u64::MAX),
                ),
            });
        }
        for bag in bags {
            self.bags = self.bags.saturating_add(1);
            if self.bags > self.limits.max_bags {
                return Err(Error::LimitExceeded {
                    limit: "PKCS#12 bag count",
                    value: u64::try_from(self.bags).unwrap_or(u64::MAX),
                    bound: crate::Bound::Max(
                        u64::try_from(self.limits.max_bags).unwrap_or(u64::MAX),
                    ),
                });
            }
            let (friendly_name, local_key_id) = attributes(bag.attributes.as_ref());
            match &bag.value {
                BagValue::Key(info) => {
                    let der = Zeroizing::new(
                        info.to_der()
                            .map_err(|e| Error::malformed("PFX", format_args!("keyBag: {e}")))?,
                    );
                    self.key(der, encryption.to_string(), friendly_name, local_key_id)?;
                }
                BagValue::ShroudedKey(epki) => {
                    let name = cipher::name(&epki.encryption_algorithm);
                    let der = self.decrypt(
                        &epki.encryption_algorithm,
                        &epki.encrypted_data,
                        "PKCS#12 key encryption",
                    )?;
                    self.key(der, name, friendly_name, local_key_id)?;
                }
                BagValue::Cert(CertBag::X509(cert)) => {
                    let certificate = Certificate::from_der(cert.as_bytes()).map_err(|e| {
                        Error::malformed("PFX", format_args!("certificate in certBag: {e}"))
                    })?;
                    *holds_certificates = true;
                    self.contents.certificates.push(PfxCertificate {
                        certificate,
                        local_key_id,
                        friendly_name,
                    });
                }
                BagValue::Cert(CertBag::Other) | BagValue::Other => {}
                BagValue::SafeContents(inner) => {
                    self.bags_at(inner, encryption, depth + 1, holds_certificates)?;
                }
            }
        }
        Ok(())
    }

    fn key(
        &mut self,
        pkcs8: Zeroizing<Vec<u8>>,
        encryption: String,
        friendly_name: Option<String>,
        local_key_id: Option<Vec<u8>>,
    ) -> Result<()> {
        let algorithm = match pkcs8::PrivateKeyInfoRef::from_der(&pkcs8) {
            Ok(info) => info.algorithm.oid,
            Err(e) if encryption == "none" => {
                return Err(Error::malformed(
                    "PFX",
                    format_args!("PKCS#8 private key: {e}"),
                ));
            }
            Err(e) => {
                return Err(self.garbage(Error::malformed(
                    "PFX",
                    format_args!("PKCS#8 private key: {e}"),
                )));
            }
        };
        self.contents.info.key_encryption.push(encryption.clone());
        self.contents.keys.push(PfxKey {
            pkcs8,
            algorithm,
            local_key_id,
            friendly_name,
            encryption,
        });
        Ok(())
    }
}

/// `friendlyName` and `localKeyId` from bag attributes (others are ignored).
fn attributes(attributes: Option<&Attributes>) -> (Option<String>, Option<Vec<u8>>) {
    let mut friendly_name = None;
    let mut local_key_id = None;
    for attribute in attributes.into_iter().flat_map(|a| a.iter()) {
        let Some(value) = attribute.values.iter().next() else {
            continue;
        };
        if attribute.oid == oid::ATTR_FRIENDLY_NAME && value.tag() == der::Tag::BmpString {
            let units: Vec<u16> = value
                .value()
                .chunks_exact(2)
                .map(|c| {
                    u16::from_be_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            friendly_name = Some(String::from_utf16_lossy(&units));
        } else if attribute.oid == oid::ATTR_LOCAL_KEY_ID && value.tag() == der::Tag::OctetString {
            local_key_id = Some(value.value().to_vec());
        }
    }
    (friendly_name, local_key_id)
}
