//! EMSA-PKCS1-v1_5 encoding (RFC 8017 §9.2) with the SHA-256 DigestInfo prefix.

/// DER of `DigestInfo { AlgorithmIdentifier { sha256, NULL }, OCTET STRING (32 bytes) }` up to
/// the digest itself.
pub(crate) const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Length of `DigestInfo` for SHA-256.
const T_LEN: usize = SHA256_DIGEST_INFO_PREFIX.len() + 32;

/// The smallest modulus length (bytes) EMSA-PKCS1-v1_5 with SHA-256 fits in: `T_LEN + 11`.
pub(crate) const MIN_K: usize = T_LEN + 11;

/// `EM = 0x00 || 0x01 || PS (0xff…, ≥ 8 bytes) || 0x00 || DigestInfo` of length `k`, written into
/// `out` (`out.len() == k`). `None` when `k` is too small ("intended encoded message length too
/// short").
pub(crate) fn encode_sha256_into(digest: &[u8; 32], out: &mut [u8]) -> Option<()> {
    let k = out.len();
    if k < MIN_K {
        return None;
    }
    let ps_end = k - T_LEN - 1;
    out[0] = 0x00;
    out[1] = 0x01;
    out[2..ps_end].fill(0xff);
    out[ps_end] = 0x00;
    out[ps_end + 1..ps_end + 1 + SHA256_DIGEST_INFO_PREFIX.len()]
        .copy_from_slice(&SHA256_DIGEST_INFO_PREFIX);
    out[k - 32..].copy_from_slice(digest);
    Some(())
}

/// [`encode_sha256_into`] into a fresh vector.
pub(crate) fn encode_sha256(digest: &[u8; 32], k: usize) -> Option<Vec<u8>> {
    let mut out = vec![0u8; k];
    encode_sha256_into(digest, &mut out)?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    #[test]
    fn prefix_is_the_der_of_sha256_digest_info() {
        // The prefix rsa uses for Sha256 (its `Pkcs1v15Sign::new::<Sha256>()`).
        let scheme = rsa::Pkcs1v15Sign::new::<sha2::Sha256>();
        assert_eq!(scheme.prefix.as_ref(), &SHA256_DIGEST_INFO_PREFIX[..]);
    }

    #[test]
    fn layout() {
        let d: [u8; 32] = sha2::Sha256::digest(b"abc").into();
        let em = encode_sha256(&d, 128).unwrap();
        assert_eq!(&em[..2], &[0, 1]);
        assert!(em[2..128 - 52].iter().all(|&b| b == 0xff));
        assert_eq!(em[128 - 52], 0);
        assert_eq!(&em[128 - 32..], &d);
        assert!(encode_sha256(&d, MIN_K - 1).is_none());
        assert!(encode_sha256(&d, MIN_K).is_some());
    }
}
