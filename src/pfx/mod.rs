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
mod bags;
mod cipher;
pub mod encode;
mod kdf;
mod mac;
mod walk;

use std::fmt;

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use rsa::pkcs8::DecodePrivateKey;
use rsa::pkcs8::DecodePublicKey;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use crate::rsa_key::RsaKeySize;
use crate::{Error, Result, oid};

pub use encode::{PfxForm, encode};
pub use walk::decode;

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
    /// The RSA modulus sizes [`PfxLimits::load`] accepts (default 1024..=8192 bits); checked
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

/// Reads a PFX within the default [`PfxLimits`] ([`PfxLimits::load`] for others) and returns its
/// RSA key, the certificate matching the key and the other certificates.
///
/// Errors: [`Error::WrongPassword`], [`Error::NoPrivateKey`], [`Error::NoCertificate`],
/// [`Error::NoMatchingCertificate`], [`Error::UnsupportedKey`] (a non-RSA key),
/// [`Error::UnsupportedAlgorithm`], [`Error::Malformed`], [`Error::TrailingData`],
/// [`Error::LimitExceeded`].
pub fn load(der: &[u8], password: &str) -> Result<PfxIdentity> {
    PfxLimits::default().load(der, password)
}

impl PfxLimits {
    /// [`load`] within these limits.
    ///
    /// ```no_run
    /// # fn main() -> huifu_cfca::Result<()> {
    /// use huifu_cfca::pfx::PfxLimits;
    /// let limits = PfxLimits { max_iterations: 100_000, ..PfxLimits::default() };
    /// let identity = limits.load(&std::fs::read("merchant.pfx")?, "password")?;
    /// # Ok(()) }
    /// ```
    pub fn load(&self, der: &[u8], password: &str) -> Result<PfxIdentity> {
        load_within(der, password, self)
    }
}

fn load_within(der: &[u8], password: &str, limits: &PfxLimits) -> Result<PfxIdentity> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_default() {
        let l = PfxLimits::default();
        assert_eq!(l.max_input_bytes, 1 << 20);
        assert_eq!(l.max_iterations, 10_000_000);
    }
}
