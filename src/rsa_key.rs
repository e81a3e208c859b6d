//! RSA keys: the one key-size policy ([`RsaKeySize`], used by the signer, the PFX reader, the test
//! PKI and the verifier), public-key decoding with a cache its owner passes in, digests, and RSA
//! PKCS#1 v1.5 signature checks shared by message and certificate verification.

use std::fmt;
use std::sync::Arc;

use der::asn1::ObjectIdentifier;
use rsa::Pkcs1v15Sign;
use rsa::pkcs1::DecodeRsaPublicKey as _;
use sha2::Digest as _;

use crate::asn1::{Reader, tag};
use crate::engine::{Engine, RsaPublicEngine};
use crate::error::Bound;
use crate::oid;
use crate::recent::Recent;
use crate::x509::ParsedCertificate;
use crate::{Error, Result};

/// The smallest RSA modulus accepted by default, in bits.
pub const MIN_RSA_BITS: u64 = 1024;
/// The largest RSA modulus accepted by default, in bits.
pub const MAX_RSA_BITS: u64 = 8192;

/// The RSA modulus sizes accepted, in bits: the crate's one key-size policy. The signer, the PFX
/// reader, the test PKI generator and the verifier (the signer's key and every certificate
/// signature on the path) check keys with it; outside the bounds is [`Error::LimitExceeded`]
/// naming the bound ([`Bound::Min`] or [`Bound::Max`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RsaKeySize {
    /// The smallest modulus accepted, in bits (default [`MIN_RSA_BITS`], 1024).
    pub min_bits: u64,
    /// The largest modulus accepted, in bits (default [`MAX_RSA_BITS`], 8192).
    pub max_bits: u64,
}

impl Default for RsaKeySize {
    fn default() -> Self {
        RsaKeySize {
            min_bits: MIN_RSA_BITS,
            max_bits: MAX_RSA_BITS,
        }
    }
}

impl RsaKeySize {
    /// Refuses a modulus of `bits` outside `min_bits..=max_bits`.
    pub fn check(&self, bits: u64) -> Result<()> {
        if bits < self.min_bits {
            return Err(Error::LimitExceeded {
                limit: "RSA modulus bits",
                value: bits,
                bound: Bound::Min(self.min_bits),
            });
        }
        if bits > self.max_bits {
            return Err(Error::LimitExceeded {
                limit: "RSA modulus bits",
                value: bits,
                bound: Bound::Max(self.max_bits),
            });
        }
        Ok(())
    }
}

/// The size in bits of a big-endian unsigned integer's content octets (leading zeros ignored).
pub(crate) fn modulus_bits(be: &[u8]) -> u64 {
    let modulus = match be.iter().position(|b| *b != 0) {
        Some(i) => be.get(i..).unwrap_or_default(),
        None => &[],
    };
    match modulus.first() {
        Some(first) => {
            let len = u64::try_from(modulus.len()).unwrap_or(u64::MAX);
            (len - 1)
                .saturating_mul(8)
                .saturating_add(u64::from(8 - first.leading_zeros()))
        }
        None => 0,
    }
}

/// A digest algorithm this crate verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// SHA-1 (only with an explicit opt-in).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm for a digest OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match *oid {
            oid::SHA1 => Some(DigestAlgorithm::Sha1),
            oid::SHA256 => Some(DigestAlgorithm::Sha256),
            oid::SHA384 => Some(DigestAlgorithm::Sha384),
            oid::SHA512 => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    /// A short name (`sha256`).
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "sha1",
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            DigestAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            DigestAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            DigestAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    fn padding(self) -> Pkcs1v15Sign {
        match self {
            DigestAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
            DigestAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
            DigestAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
            DigestAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
        }
    }

    /// Refuses SHA-1 unless allowed.
    pub(crate) fn check_allowed(self, allow_sha1: bool) -> Result<()> {
        if self == DigestAlgorithm::Sha1 && !allow_sha1 {
            Err(Error::WeakDigest("SHA-1"))
        } else {
            Ok(())
        }
    }
}

/// The digest a signature algorithm OID implies: `Ok(None)` for plain `rsaEncryption` (the
/// SignerInfo's digestAlgorithm decides), `Ok(Some(d))` for `sha*WithRSAEncryption`.
pub(crate) fn signature_digest(
    sig_oid: &ObjectIdentifier,
    context: &'static str,
) -> Result<Option<DigestAlgorithm>> {
    match *sig_oid {
        oid::RSA_ENCRYPTION => Ok(None),
        oid::SHA1_WITH_RSA => Ok(Some(DigestAlgorithm::Sha1)),
        oid::SHA256_WITH_RSA => Ok(Some(DigestAlgorithm::Sha256)),
        oid::SHA384_WITH_RSA => Ok(Some(DigestAlgorithm::Sha384)),
        oid::SHA512_WITH_RSA => Ok(Some(DigestAlgorithm::Sha512)),
        _ => Err(Error::unsupported(context, oid::name(sig_oid))),
    }
}

/// RSA PKCS#1 v1.5 algorithm identifiers carry NULL parameters or none (RFC 4055, RFC 5754).
pub(crate) fn check_null_parameters(params: Option<&[u8]>, what: &'static str) -> Result<()> {
    match params {
        None | Some([0x05, 0x00]) => Ok(()),
        Some(_) => Err(Error::malformed(what, "parameters must be NULL or absent")),
    }
}

/// An RSA public key ready to verify with: the `rsa` crate's key, and the engine's when it serves
/// the key.
pub(crate) struct RsaKey {
    key: rsa::PublicKey,
    engine: Option<RsaPublicEngine>,
}

/// Where a check gets its decoded keys: a verifier's cache (which decodes for that verifier's
/// engine), or decoded for this check only, for `Engine`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum KeySource<'a> {
    /// Through the cache, with the cache's engine.
    Cache(&'a KeyCache),
    /// Decoded now for this engine, kept nowhere.
    Decode(Engine),
}

/// The RSA public key of a certificate, with the modulus bounds checked, from `keys`.
pub(crate) fn rsa_public_key(
    cert: &ParsedCertificate,
    size: &RsaKeySize,
    keys: KeySource<'_>,
) -> Result<Arc<RsaKey>> {
    let spki = cert.spki();
    let alg = spki.algorithm.oid;
    if alg != oid::RSA_ENCRYPTION {
        return Err(Error::unsupported("public key", oid::name(&alg)));
    }
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::malformed("RSA public key", "unused bits in the key"))?;
    let mut outer = Reader::new(bits);
    let mut seq = outer.expect(tag::SEQUENCE, "RSA public key")?.children();
    let n = seq.expect(tag::INTEGER, "RSA public key")?;
    size.check(modulus_bits(n.value))?;
    match keys {
        KeySource::Cache(cache) => cache.key(bits),
        KeySource::Decode(engine) => decode_key(bits, engine).map(Arc::new),
    }
}

/// Keys seen lately, by their exact RSAPublicKey DER, each decoded for the cache's one engine: a
/// cache its owner passes in (a [`Verifier`](crate::verify::Verifier) keeps one, for its engine). Decoding a key costs more than a verification
/// with it (the `rsa` crate's Montgomery parameters take a constant-time division, the engine's
/// its own constants), and Huifu signs every answer with the same key and the same issuer, so they
/// are kept: at most [`KEY_CACHE_SIZE`], emptied when full. Only keys that decoded are kept, under
/// their exact bytes, so a cached one is what decoding those bytes again would give.
pub(crate) struct KeyCache {
    recent: Recent<Arc<RsaKey>>,
    engine: Engine,
}

const KEY_CACHE_SIZE: usize = 16;
/// The longest RSAPublicKey DER kept (an 8192-bit key is about 1 KiB).
const KEY_CACHE_MAX_BYTES: usize = 4 * 1024;

impl KeyCache {
    /// An empty cache whose keys are decoded for `engine`.
    pub(crate) fn new(engine: Engine) -> Self {
        KeyCache {
            recent: Recent::new(KEY_CACHE_SIZE, KEY_CACHE_MAX_BYTES),
            engine,
        }
    }
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCache")
            .field("entries", &self.recent.len())
            .field("engine", &self.engine)
            .finish()
    }
}

impl KeyCache {
    /// The key encoded by `der` (PKCS#1 RSAPublicKey) with its engine, from the cache or
    /// decoded now.
    fn key(&self, der: &[u8]) -> Result<Arc<RsaKey>> {
        if let Some(key) = self.recent.get(der) {
            return Ok(key);
        }
        Ok(self
            .recent
            .put(der, Arc::new(decode_key(der, self.engine)?)))
    }
}

/// Decodes a PKCS#1 RSAPublicKey, with its engine for `choice` (none for [`Engine::RsaCrate`]:
/// the `rsa` crate verifies).
fn decode_key(der: &[u8], choice: Engine) -> Result<RsaKey> {
    let key =
        rsa::PublicKey::from_pkcs1_der(der).map_err(|e| Error::malformed("RSA public key", e))?;
    let engine = choice.public_engine(&key);
    Ok(RsaKey { key, engine })
}

/// Checks an RSA PKCS#1 v1.5 signature over `data`.
pub(crate) fn verify_rsa(
    key: &RsaKey,
    digest: DigestAlgorithm,
    data: &[u8],
    signature: &[u8],
) -> Result<()> {
    let hashed = digest.digest(data);
    // SHA-256 (every CFCA message and certificate) goes through the engine's public-key kernel
    // when it serves the key (differentially tested against `rsa` in tests/it/engine_diff.rs; a key
    // decoded for `Engine::RsaCrate` has none).
    if digest == DigestAlgorithm::Sha256
        && let (Ok(d), Some(engine)) = (<&[u8; 32]>::try_from(hashed.as_slice()), &key.engine)
    {
        return if engine.verify_pkcs1v15_sha256(d, signature) {
            Ok(())
        } else {
            Err(Error::SignatureMismatch)
        };
    }
    key.key
        .verify(digest.padding(), &hashed, signature)
        .map_err(|_| Error::SignatureMismatch)
}

/// Checks that `issuer` signed `cert` (over its exact TBSCertificate bytes), with the issuer's key
/// within `size`.
pub(crate) fn verify_certificate_signature(
    issuer: &ParsedCertificate,
    cert: &ParsedCertificate,
    allow_sha1: bool,
    size: &RsaKeySize,
    keys: KeySource<'_>,
) -> Result<()> {
    if !cert.algorithms_agree() {
        return Err(Error::AlgorithmMismatch(format!(
            "certificate signature algorithm {} differs from its TBS signature field",
            oid::name(cert.signature_algorithm()),
        )));
    }
    check_null_parameters(
        cert.signature_algorithm_parameters(),
        "certificate signature algorithm",
    )?;
    let digest = signature_digest(cert.signature_algorithm(), "certificate signature")?
        .ok_or_else(|| {
            Error::unsupported(
                "certificate signature",
                "rsaEncryption without a digest".to_string(),
            )
        })?;
    digest.check_allowed(allow_sha1)?;
    let key = rsa_public_key(issuer, size, keys)?;
    verify_rsa(&key, digest, cert.tbs(), cert.signature())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &[u8] = include_bytes!("../vectors/chain/root.cer");
    const OCA: &[u8] = include_bytes!("../vectors/chain/oca.cer");
    const EC: &[u8] = include_bytes!("../vectors/chain/ec.cer");

    #[test]
    fn certificate_signatures() {
        let root = ParsedCertificate::from_der(ROOT).unwrap();
        let oca = ParsedCertificate::from_der(OCA).unwrap();
        let l = RsaKeySize::default();
        verify_certificate_signature(&root, &oca, false, &l, KeySource::Decode(Engine::Auto))
            .unwrap();
        verify_certificate_signature(&root, &root, false, &l, KeySource::Decode(Engine::Auto))
            .unwrap();
        assert!(matches!(
            verify_certificate_signature(&oca, &oca, false, &l, KeySource::Decode(Engine::Auto)),
            Err(Error::SignatureMismatch)
        ));
    }

    #[test]
    fn keys_are_decoded_once_and_their_limits_checked_every_time() {
        let oca = ParsedCertificate::from_der(OCA).unwrap();
        let l = RsaKeySize::default();
        let cache = KeyCache::new(Engine::Auto);
        let a = rsa_public_key(&oca, &l, KeySource::Cache(&cache)).unwrap();
        let b = rsa_public_key(&oca, &l, KeySource::Cache(&cache)).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "the second look-up is the cached key");
        // Another owner's cache shares nothing; without a cache nothing is kept.
        let other = KeyCache::new(Engine::Auto);
        assert!(!Arc::ptr_eq(
            &a,
            &rsa_public_key(&oca, &l, KeySource::Cache(&other)).unwrap()
        ));
        assert!(!Arc::ptr_eq(
            &a,
            &rsa_public_key(&oca, &l, KeySource::Decode(Engine::Auto)).unwrap()
        ));
        let strict = RsaKeySize {
            min_bits: 3072,
            ..RsaKeySize::default()
        };
        assert!(matches!(
            rsa_public_key(&oca, &strict, KeySource::Cache(&cache)),
            Err(Error::LimitExceeded {
                bound: Bound::Min(3072),
                value: 2048,
                ..
            })
        ));
    }

    #[test]
    fn each_engine_choice_has_its_own_cached_key() {
        let oca = ParsedCertificate::from_der(OCA).unwrap();
        let l = RsaKeySize::default();
        let caches = [Engine::Auto, Engine::RsaCrate, Engine::Portable].map(KeyCache::new);
        let [auto, reference, portable] = caches
            .each_ref()
            .map(|c| rsa_public_key(&oca, &l, KeySource::Cache(c)).unwrap());
        assert!(auto.engine.is_some() && portable.engine.is_some());
        assert!(reference.engine.is_none(), "the rsa crate verifies");
        assert!(!Arc::ptr_eq(&auto, &reference) && !Arc::ptr_eq(&auto, &portable));
        let root = ParsedCertificate::from_der(ROOT).unwrap();
        for engine in [Engine::Auto, Engine::Portable, Engine::RsaCrate] {
            let cache = KeyCache::new(engine);
            verify_certificate_signature(&root, &oca, false, &l, KeySource::Cache(&cache)).unwrap();
        }
    }

    #[test]
    fn a_key_that_does_not_decode_is_refused_every_time() {
        // A SEQUENCE { INTEGER n } without the exponent.
        let der = [0x30, 0x04, 0x02, 0x02, 0x00, 0xc1];
        let cache = KeyCache::new(Engine::Auto);
        for _ in 0..2 {
            assert!(matches!(cache.key(&der), Err(Error::Malformed { .. })));
        }
        assert_eq!(cache.recent.len(), 0);
    }

    #[test]
    fn ec_keys_are_unsupported() {
        let ec = ParsedCertificate::from_der(EC).unwrap();
        assert!(matches!(
            rsa_public_key(&ec, &RsaKeySize::default(), KeySource::Decode(Engine::Auto)),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
    }

    #[test]
    fn key_sizes() {
        assert_eq!(modulus_bits(&[0x00, 0x01, 0xff]), 9);
        assert_eq!(modulus_bits(&[0x80; 256]), 2048);
        assert_eq!(modulus_bits(&[0, 0]), 0);
        let size = RsaKeySize::default();
        assert!(size.check(1024).is_ok() && size.check(8192).is_ok());
        assert!(matches!(
            size.check(1023),
            Err(Error::LimitExceeded {
                bound: Bound::Min(1024),
                ..
            })
        ));
        assert!(matches!(
            size.check(8193),
            Err(Error::LimitExceeded {
                bound: Bound::Max(8192),
                ..
            })
        ));
    }

    #[test]
    fn algorithms() {
        assert_eq!(
            signature_digest(&oid::SHA512_WITH_RSA, "x").unwrap(),
            Some(DigestAlgorithm::Sha512)
        );
        assert!(
            signature_digest(&oid::RSA_ENCRYPTION, "x")
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            signature_digest(&oid::RSASSA_PSS, "x"),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
        assert!(matches!(
            DigestAlgorithm::Sha1.check_allowed(false),
            Err(Error::WeakDigest(_))
        ));
        assert!(DigestAlgorithm::Sha1.check_allowed(true).is_ok());
        assert_eq!(DigestAlgorithm::Sha384.digest(b"").len(), 48);
    }
}
