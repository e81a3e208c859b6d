//! The certificates decoded lately, by their exact bytes: a cache its owner passes in (a
//! [`Verifier`](crate::verify::Verifier) keeps one; nothing is process-wide).
//!
//! A Huifu message carries the same signer certificate every time (and a message with the chain,
//! the same intermediate), and decoding one with `x509-cert` costs more than the message's RSA
//! check. [`ParsedCertificate`] is a function of the bytes it was decoded from and shares its
//! fields between clones, so the last [`MAX_ENTRIES`] certificates of at most [`MAX_BYTES`] are
//! kept and handed back for the same bytes (the cache is emptied when full). Only certificates
//! that decoded are kept; anything else is decoded, and refused, every time. What a certificate
//! is trusted for is never cached here: validity, chain and identity are checked by their callers
//! on every verification.

use std::fmt;

use super::ParsedCertificate;
use crate::Result;
use crate::recent::Recent;

/// The most certificates kept.
const MAX_ENTRIES: usize = 32;
/// The largest certificate kept, in bytes (CFCA's are about 1 KiB).
const MAX_BYTES: usize = 16 * 1024;

/// Certificates decoded lately, by their exact DER.
pub(crate) struct CertCache {
    recent: Recent<ParsedCertificate>,
}

impl Default for CertCache {
    fn default() -> Self {
        CertCache {
            recent: Recent::new(MAX_ENTRIES, MAX_BYTES),
        }
    }
}

impl fmt::Debug for CertCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertCache")
            .field("entries", &self.recent.len())
            .finish()
    }
}

impl CertCache {
    /// [`ParsedCertificate::from_der`], answered from the cache for bytes decoded lately.
    pub(crate) fn decode(&self, der: &[u8]) -> Result<ParsedCertificate> {
        if let Some(parsed) = self.recent.get(der) {
            return Ok(parsed);
        }
        let parsed = ParsedCertificate::from_der(der)?;
        Ok(self.recent.put(der, parsed))
    }
}

/// Decodes `der` through `cache` when there is one.
pub(crate) fn decode(cache: Option<&CertCache>, der: &[u8]) -> Result<ParsedCertificate> {
    match cache {
        Some(cache) => cache.decode(der),
        None => ParsedCertificate::from_der(der),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    const OCA: &[u8] = include_bytes!("../../vectors/chain/oca.cer");

    #[test]
    fn the_same_bytes_give_the_same_certificate() {
        let cache = CertCache::default();
        let a = cache.decode(OCA).unwrap();
        let b = cache.decode(OCA).unwrap();
        assert!(std::sync::Arc::ptr_eq(&a.inner, &b.inner));
        assert_eq!(b.der(), OCA);
        assert!(cache.recent.get(OCA).is_some());
        // Another cache (another verifier) shares nothing.
        let other = CertCache::default();
        assert!(other.recent.get(OCA).is_none());
        assert!(!std::sync::Arc::ptr_eq(
            &a.inner,
            &other.decode(OCA).unwrap().inner
        ));
    }

    #[test]
    fn certificates_that_do_not_decode_are_not_kept() {
        let cache = CertCache::default();
        let mut bad = OCA.to_vec();
        bad.push(0);
        for _ in 0..2 {
            assert!(matches!(
                cache.decode(&bad),
                Err(Error::TrailingData { .. })
            ));
        }
        assert!(cache.recent.get(&bad).is_none());
    }

    #[test]
    fn large_certificates_are_not_kept() {
        let cache = CertCache::default();
        let big = vec![0x30; MAX_BYTES + 1];
        cache
            .recent
            .put(&big, ParsedCertificate::from_der(OCA).unwrap());
        assert!(cache.recent.get(&big).is_none());
    }
}
