//! The certificates decoded lately, by their exact bytes.
//!
//! A Huifu message carries the same signer certificate every time (and a message with the chain,
//! the same intermediate), and decoding one with `x509-cert` costs more than the message's RSA
//! check. [`ParsedCertificate`] is a function of the bytes it was decoded from and shares its
//! fields between clones, so the last [`MAX_ENTRIES`] certificates of at most [`MAX_BYTES`] are
//! kept and handed back for the same bytes (the cache is emptied when full). Only certificates
//! that decoded are kept; anything else is decoded, and refused, every time. What a certificate
//! is trusted for is never cached here: validity, chain and identity are checked by their callers
//! on every verification.

use super::ParsedCertificate;
use crate::recent::Recent;

/// The most certificates kept.
const MAX_ENTRIES: usize = 32;
/// The largest certificate kept, in bytes (CFCA's are about 1 KiB).
const MAX_BYTES: usize = 16 * 1024;

static RECENT: Recent<ParsedCertificate> = Recent::new(MAX_ENTRIES, MAX_BYTES);

/// The certificate decoded lately from exactly `der`, if any.
pub(super) fn get(der: &[u8]) -> Option<ParsedCertificate> {
    RECENT.get(der)
}

/// Keeps `parsed`, decoded from `der`.
pub(super) fn put(der: &[u8], parsed: &ParsedCertificate) {
    RECENT.put(der, parsed.clone());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    const OCA: &[u8] = include_bytes!("../../../vectors/chain/oca.cer");

    #[test]
    fn the_same_bytes_give_the_same_certificate() {
        let a = ParsedCertificate::from_der(OCA).unwrap();
        let b = ParsedCertificate::from_der(OCA).unwrap();
        assert!(std::sync::Arc::ptr_eq(&a.inner, &b.inner));
        assert_eq!(b.der(), OCA);
        assert!(get(OCA).is_some());
    }

    #[test]
    fn certificates_that_do_not_decode_are_not_kept() {
        let mut bad = OCA.to_vec();
        bad.push(0);
        for _ in 0..2 {
            assert!(matches!(
                ParsedCertificate::from_der(&bad),
                Err(Error::TrailingData { .. })
            ));
        }
        assert!(get(&bad).is_none());
    }

    #[test]
    fn large_certificates_are_not_kept() {
        let big = vec![0x30; MAX_BYTES + 1];
        put(&big, &ParsedCertificate::from_der(OCA).unwrap());
        assert!(get(&big).is_none());
    }
}
