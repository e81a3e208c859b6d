//! PKCS#12 (PFX) decoding on RustCrypto crates, and (in [`encode()`]) encoding.
//!
//! [`load`] reads a PFX and returns the RSA private key with the certificate whose public key matches
//! it (by key, not by order) and the remaining certificates as the chain. [`decode`] returns
//! everything found without matching.
//!
//! Supported: the PKCS#12 PBE algorithms `pbeWithSHAAnd3-KeyTripleDES-CBC`,
//! `pbeWithSHAAnd2-KeyTripleDES-CBC`, `pbeWithSHAAnd128BitRC2-CBC`, `pbeWithSHAAnd40BitRC2-CBC`;
//! PBES2 with PBKDF2 (HMAC-SHA1/224/256/384/512) and AES-128/192/256-CBC, AES-GCM or DES-EDE3-CBC;
//! MACs HMAC-SHA1/224/256/384/512 or none; plain `keyBag`s and cert bags in plain `data` safes; BER
//! outer layers (indefinite lengths, chunked OCTET STRINGs); empty and non-ASCII passwords.

mod asn1;
mod cipher;
pub mod encode;
mod kdf;
mod mac;

use std::fmt;

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode, Tagged};
use rsa::pkcs8::DecodePrivateKey;
use rsa::pkcs8::DecodePublicKey;
use x509_cert::Certificate;
use x509_cert::attr::Attributes;
use zeroize::Zeroizing;

use crate::rsa_key::RsaKeySize;
use crate::{Error, Result, oid};
use asn1::{AuthenticatedSafe, BagValue, CertBag, ContentInfo, Pfx, SafeBag, SafeContents};
use cipher::Password;

pub use encode::{PfxForm, encode};

/// Bounds on what a PFX may demand, checked before the work is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PfxLimits {
    /// The largest accepted input, in bytes (default 1 MiB).
    pub max_input_bytes: usize,
    /// The largest accepted iteration count of any KDF in the file (default 10 000 000); more is
    /// [`Error::LimitExceeded`], refused before computing.
    pub max_iterations: u64,
    /// The most bags accepted in the whole file, nested ones included (default 256).
    pub max_bags: usize,
    /// How deep `safeContentsBag`s may nest (default 4).
    pub max_bag_depth: usize,
    /// The deepest ASN.1 nesting accepted in the file and in every decrypted safe (default 48).
    pub max_depth: usize,
    /// The RSA modulus sizes [`load_with_limits`] accepts (default 1024..=8192 bits); checked
    /// before the key is built.
    pub rsa_key_size: RsaKeySize,
}

impl Default for PfxLimits {
    fn default() -> Self {
        PfxLimits {
            max_input_bytes: 1024 * 1024,
            max_iterations: 10_000_000,
            max_bags: 256,
            max_bag_depth: 4,
            max_depth: 48,
            rsa_key_size: RsaKeySize::default(),
        }
    }
}

/// How a PFX was protected.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PfxInfo {
    /// One entry per private key found: its encryption (`pbeWithSHAAnd3-KeyTripleDES-CBC`,
    /// `PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)`, …), or `none` for a plain `keyBag` in a plain safe.
    pub key_encryption: Vec<String>,
    /// One entry per safe holding certificates: its encryption, or `none` for a plain `data` safe.
    pub cert_encryption: Vec<String>,
    /// The MAC, if the file has one.
    pub mac: Option<MacInfo>,
}

/// The integrity MAC of a PFX.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacInfo {
    /// `HMAC-SHA1`, `HMAC-SHA256`, `HMAC-SHA384`, `HMAC-SHA512`, …
    pub algorithm: String,
    /// The MAC key derivation's iteration count.
    pub iterations: u64,
}

/// The signing identity in a PFX: an RSA key, its certificate and the other certificates.
pub struct PfxIdentity {
    key: rsa::PrivateKey,
    certificate: Certificate,
    chain: Vec<Certificate>,
    info: PfxInfo,
}

impl PfxIdentity {
    /// The private key.
    pub fn private_key(&self) -> &rsa::PrivateKey {
        &self.key
    }

    /// The certificate whose public key matches the private key.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The other certificates of the file, in file order.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// How the file was protected.
    pub fn info(&self) -> &PfxInfo {
        &self.info
    }
}

impl fmt::Debug for PfxIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PfxIdentity")
            .field("key", &"<RSA private key>")
            .field(
                "subject",
                &self.certificate.tbs_certificate().subject().to_string(),
            )
            .field("chain", &self.chain.len())
            .field("info", &self.info)
            .finish()
    }
}

/// A private key found in a PFX, as its PKCS#8 `PrivateKeyInfo` (kept zeroized on drop).
pub struct PfxKey {
    pkcs8: Zeroizing<Vec<u8>>,
    /// The key's algorithm (`rsaEncryption`, `id-ecPublicKey`, …).
    pub algorithm: ObjectIdentifier,
    /// The bag's `localKeyId` attribute.
    pub local_key_id: Option<Vec<u8>>,
    /// The bag's `friendlyName` attribute.
    pub friendly_name: Option<String>,
    /// How the key was encrypted (see [`PfxInfo::key_encryption`]).
    pub encryption: String,
}

impl PfxKey {
    /// The DER of the PKCS#8 `PrivateKeyInfo`.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The key as an RSA key; any other type is [`Error::UnsupportedKey`].
    pub fn to_rsa(&self) -> Result<rsa::PrivateKey> {
        if self.algorithm != oid::RSA_ENCRYPTION {
            return Err(Error::UnsupportedKey(key_type_name(&self.algorithm)));
        }
        rsa::PrivateKey::from_pkcs8_der(&self.pkcs8)
            .map_err(|e| Error::malformed("PFX", format_args!("RSA private key: {e}")))
    }
}

impl fmt::Debug for PfxKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PfxKey")
            .field("algorithm", &oid::name(&self.algorithm))
            .field("local_key_id", &self.local_key_id)
            .field("friendly_name", &self.friendly_name)
            .field("encryption", &self.encryption)
            .finish_non_exhaustive()
    }
}

/// A certificate found in a PFX with its bag attributes.
#[derive(Clone, Debug)]
pub struct PfxCertificate {
    /// The certificate.
    pub certificate: Certificate,
    /// The bag's `localKeyId` attribute.
    pub local_key_id: Option<Vec<u8>>,
    /// The bag's `friendlyName` attribute.
    pub friendly_name: Option<String>,
}

/// Everything [`decode`] found in a PFX, in file order.
#[derive(Debug)]
pub struct PfxContents {
    /// The private keys.
    pub keys: Vec<PfxKey>,
    /// The X.509 certificates.
    pub certificates: Vec<PfxCertificate>,
    /// How the file was protected.
    pub info: PfxInfo,
}

/// Reads a PFX with the default [`PfxLimits`]: see [`load_with_limits`].
pub fn load(der: &[u8], password: &str) -> Result<PfxIdentity> {
    load_with_limits(der, password, &PfxLimits::default())
}

/// Reads a PFX and returns its RSA key, the certificate matching the key and the other
/// certificates.
///
/// Errors: [`Error::WrongPassword`], [`Error::NoPrivateKey`], [`Error::NoCertificate`],
/// [`Error::NoMatchingCertificate`], [`Error::UnsupportedKey`] (a non-RSA key),
/// [`Error::UnsupportedAlgorithm`], [`Error::Malformed`], [`Error::TrailingData`],
/// [`Error::LimitExceeded`].
pub fn load_with_limits(der: &[u8], password: &str, limits: &PfxLimits) -> Result<PfxIdentity> {
    let contents = decode(der, password, limits)?;
    let first = contents.keys.first().ok_or(Error::NoPrivateKey)?;
    if first.algorithm == oid::RSA_ENCRYPTION
        && let Some(bits) = rsa_modulus_bits(first.pkcs8_der())
    {
        limits.rsa_key_size.check(bits)?;
    }
    let key = first.to_rsa()?;
    if contents.certificates.is_empty() {
        return Err(Error::NoCertificate);
    }
    let public = key.to_public_key();
    let position = contents
        .certificates
        .iter()
        .position(|c| certificate_key(&c.certificate).is_some_and(|k| k == public))
        .ok_or(Error::NoMatchingCertificate)?;
    let mut certificate = None;
    let mut chain = Vec::with_capacity(contents.certificates.len().saturating_sub(1));
    for (i, c) in contents.certificates.into_iter().enumerate() {
        if i == position {
            certificate = Some(c.certificate);
        } else {
            chain.push(c.certificate);
        }
    }
    let certificate = certificate.ok_or(Error::NoMatchingCertificate)?;
    Ok(PfxIdentity {
        key,
        certificate,
        chain,
        info: contents.info,
    })
}

/// The modulus size of a PKCS#8 RSA private key, read without building the key.
fn rsa_modulus_bits(pkcs8: &[u8]) -> Option<u64> {
    use crate::asn1::{Reader, tag};
    let info = pkcs8::PrivateKeyInfoRef::from_der(pkcs8).ok()?;
    let mut outer = Reader::new(info.private_key.as_bytes());
    let mut seq = outer
        .expect(tag::SEQUENCE, "RSA private key")
        .ok()?
        .children();
    seq.expect(tag::INTEGER, "RSA private key").ok()?;
    let n = seq.expect(tag::INTEGER, "RSA private key").ok()?;
    Some(crate::rsa_key::modulus_bits(n.value)).filter(|bits| *bits > 0)
}

/// The RSA public key of a certificate, if it has one.
pub(crate) fn certificate_key(certificate: &Certificate) -> Option<rsa::PublicKey> {
    let spki = certificate
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .ok()?;
    rsa::PublicKey::from_public_key_der(&spki).ok()
}

/// A readable name for a key algorithm.
fn key_type_name(algorithm: &ObjectIdentifier) -> String {
    if *algorithm == oid::EC_PUBLIC_KEY {
        "EC (id-ecPublicKey); only RSA keys are supported".to_string()
    } else {
        format!("{}; only RSA keys are supported", oid::name(algorithm))
    }
}

/// Decodes a PFX and returns every key and certificate in it, without matching them.
pub fn decode(der: &[u8], password: &str, limits: &PfxLimits) -> Result<PfxContents> {
    if der.len() > limits.max_input_bytes {
        return Err(Error::LimitExceeded {
            limit: "PFX input bytes",
            value: u64::try_from(der.len()).unwrap_or(u64::MAX),
            bound: crate::Bound::Max(u64::try_from(limits.max_input_bytes).unwrap_or(u64::MAX)),
        });
    }
    let pfx: Pfx = decode_ber(der, limits)?;
    if pfx.version != 3 {
        return Err(Error::malformed(
            "PFX",
            format_args!("version {} (expected 3)", pfx.version),
        ));
    }
    let auth_safe = match &pfx.auth_safe {
        ContentInfo::Data(data) => data.as_bytes(),
        ContentInfo::EncryptedData(_) => {
            return Err(Error::unsupported(
                "PFX authSafe content type (public-key integrity mode)",
                oid::ENCRYPTED_DATA,
            ));
        }
        ContentInfo::Other(other) => {
            return Err(Error::unsupported(
                "PFX authSafe content type (public-key integrity mode)",
                other,
            ));
        }
    };

    let mut bmp = kdf::bmp_password(password);
    let mac = match &pfx.mac_data {
        Some(mac_data) => match mac::verify(mac_data, &bmp, auth_safe, limits) {
            Ok(info) => Some(info),
            // Some writers key an empty password as no bytes at all rather than the two-byte NUL
            // (OpenSSL accepts both when reading): try that before giving up.
            Err(Error::WrongPassword(_)) if password.is_empty() => {
                let info = mac::verify(mac_data, &[], auth_safe, limits)?;
                bmp = Zeroizing::new(Vec::new());
                Some(info)
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let mut walker = Walker {
        password: Password {
            utf8: password.as_bytes(),
            bmp: &bmp,
        },
        limits,
        mac_verified: mac.is_some(),
        bags: 0,
        contents: PfxContents {
            keys: Vec::new(),
            certificates: Vec::new(),
            info: PfxInfo {
                mac,
                ..PfxInfo::default()
            },
        },
    };

    let safes: AuthenticatedSafe = decode_ber(auth_safe, limits)?;
    for safe in &safes {
        match safe {
            ContentInfo::Data(data) => {
                let bags: SafeContents = decode_ber(data.as_bytes(), limits)?;
                walker.safe(&bags, "none")?;
            }
            ContentInfo::EncryptedData(encrypted) => {
                let info = &encrypted.encrypted_content_info;
                let name = cipher::name(&info.content_encryption_algorithm);
                let Some(ciphertext) = &info.encrypted_content else {
                    continue;
                };
                let plain = walker.decrypt(
                    &info.content_encryption_algorithm,
                    ciphertext,
                    "PKCS#12 safe encryption",
                )?;
                let bags: SafeContents = match decode_ber(&plain, limits) {
                    Ok(bags) => bags,
                    Err(e) => return Err(walker.garbage(e)),
                };
                walker.safe(&bags, &name)?;
            }
            ContentInfo::Other(other) => {
                return Err(Error::unsupported("PKCS#12 safe content type", other));
            }
        }
    }
    Ok(walker.contents)
}

/// Decodes `T` from BER and refuses trailing bytes: the crate's one BER reader
/// ([`crate::asn1`]) reads the element within `limits.max_depth` and re-encodes it as DER
/// (definite lengths, chunked strings joined; a DER input is taken as it is), then `der` decodes
/// that DER.
fn decode_ber<T: der::DecodeOwned<Error = der::Error>>(
    bytes: &[u8],
    limits: &PfxLimits,
) -> Result<T> {
    const WHAT: &str = "PFX";
    let reframe = |e: Error| match e {
        Error::Malformed { detail, .. } => Error::malformed(WHAT, detail),
        other => other,
    };
    let ends = crate::asn1::Ends::scan(bytes, limits.max_depth);
    let mut top = crate::asn1::Reader::indexed(bytes, limits.max_depth, &ends);
    let tlv = top.next().map_err(reframe)?;
    if !top.is_empty() {
        return Err(Error::TrailingData {
            what: WHAT,
            count: top.remaining().len(),
        });
    }
    let der = if tlv.is_der_shaped() {
        std::borrow::Cow::Borrowed(tlv.raw)
    } else {
        std::borrow::Cow::Owned(tlv.to_der().map_err(reframe)?)
    };
    T::from_der(&der).map_err(|e| Error::malformed(WHAT, e))
}

/// Walks the safes and bags of one PFX, collecting keys and certificates.
struct Walker<'a> {
    password: Password<'a>,
    limits: &'a PfxLimits,
    mac_verified: bool,
    bags: usize,
    contents: PfxContents,
}

impl Walker<'_> {
    fn decrypt(
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
    fn garbage(&self, e: Error) -> Error {
        if self.mac_verified {
            e
        } else {
            Error::WrongPassword("decryption padding failed")
        }
    }

    fn safe(&mut self, bags: &[SafeBag], encryption: &str) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Java writes the `[0] IMPLICIT` encryptedContent in chunks, and BER may nest chunks or give a
    /// constructed string a definite length: all are read through the crate's one BER reader and
    /// joined, and written back primitive.
    #[test]
    fn chunked_encrypted_content_is_joined() {
        let oid_data = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
        ];
        let sha1 = [0x30, 0x07, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a];
        let content = [
            0xa0, 0x80, 0x04, 0x02, 0xab, 0xcd, 0x24, 0x05, 0x04, 0x03, 0xef, 0x01, 0x02, 0x00,
            0x00,
        ];
        let mut ber = vec![0x30, 0x80];
        ber.extend(oid_data);
        ber.extend(sha1);
        ber.extend(content);
        ber.extend([0, 0]);
        let info: asn1::EncryptedContentInfo = decode_ber(&ber, &PfxLimits::default()).unwrap();
        let joined = info
            .encrypted_content
            .as_ref()
            .map(|c| c.as_bytes().to_vec());
        assert_eq!(joined.as_deref(), Some(&[0xab, 0xcd, 0xef, 0x01, 0x02][..]));
        let der = info.to_der().unwrap();
        assert!(
            der.ends_with(&[0x80, 0x05, 0xab, 0xcd, 0xef, 0x01, 0x02]),
            "{der:02x?}"
        );
        // Trailing bytes and a nest deeper than the bound are refused.
        let mut long = ber.clone();
        long.push(0);
        assert!(matches!(
            decode_ber::<asn1::EncryptedContentInfo>(&long, &PfxLimits::default()),
            Err(Error::TrailingData { count: 1, .. })
        ));
        let shallow = PfxLimits {
            max_depth: 1,
            ..PfxLimits::default()
        };
        assert!(matches!(
            decode_ber::<asn1::EncryptedContentInfo>(&ber, &shallow),
            Err(Error::LimitExceeded { .. })
        ));
    }

    #[test]
    fn limits_default() {
        let l = PfxLimits::default();
        assert_eq!(l.max_input_bytes, 1 << 20);
        assert_eq!(l.max_iterations, 10_000_000);
    }

    /// A MAC keyed with an empty byte string (not the two-byte NUL) is accepted for the empty
    /// password, as OpenSSL does when reading.
    #[test]
    fn empty_password_as_no_bytes() {
        let bytes = include_bytes!("../../vectors/pfx/unencrypted-nomac.p12");
        let Ok(mut pfx) = Pfx::from_der(bytes) else {
            panic!("vector")
        };
        let ContentInfo::Data(auth_safe) = &pfx.auth_safe else {
            panic!("data")
        };
        let salt = [9u8; 8];
        let mac = mac::MacDigest::Sha1.compute(&[], &salt, 2048, auth_safe.as_bytes());
        let octets = |b: Vec<u8>| OctetString::new(b).unwrap_or_else(|_| unreachable!());
        pfx.mac_data = Some(asn1::MacData {
            mac: asn1::DigestInfo {
                algorithm: spki::AlgorithmIdentifierOwned {
                    oid: oid::SHA1,
                    parameters: None,
                },
                digest: octets(mac),
            },
            mac_salt: octets(salt.to_vec()),
            iterations: Some(2048),
        });
        let Ok(der) = pfx.to_der() else {
            panic!("encode")
        };
        let Ok(contents) = decode(&der, "", &PfxLimits::default()) else {
            panic!("empty password as no bytes")
        };
        assert_eq!(contents.keys.len(), 1);
        assert!(matches!(
            decode(&der, "x", &PfxLimits::default()),
            Err(Error::WrongPassword("MAC mismatch"))
        ));
    }

    #[test]
    fn garbage_never_panics() {
        for input in [
            &b""[..],
            &[0x30],
            &[0x30, 0x80],
            &[0x30, 0x80, 0, 0],
            &[0x30, 0x03, 2, 1, 3],
        ] {
            assert!(decode(input, "", &PfxLimits::default()).is_err());
        }
    }
}
