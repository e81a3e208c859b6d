//! Bounds on what a message may demand of the verifier.

use crate::{Error, Result};

/// Configurable bounds for [`Verifier`](super::Verifier) (set with
/// [`VerifierBuilder::limits`](super::VerifierBuilder::limits)) and for
/// [`chain::verify_chain_with_limits`](crate::chain::verify_chain_with_limits).
///
/// Exceeding a bound is [`Error::LimitExceeded`] naming it. The defaults fit real Huifu messages
/// (a few KiB, about 12 levels deep, one certificate, one signer, RSA-2048) with a documented
/// margin, and keep what a hostile message can cost small: raise them here if you verify larger
/// messages of your own.
///
/// ```
/// use huifu_cfca::verify::{Verifier, VerifyLimits};
/// let limits = VerifyLimits { max_certificates: 4, ..VerifyLimits::default() };
/// let verifier = Verifier::builder().no_chain().limits(limits).build();
/// assert!(verifier.is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyLimits {
    /// The largest input accepted as given (check_value text, base64, PEM or DER), in bytes
    /// (default 4 MiB: a 1 MiB message as a check_value is base64 twice, about 1.8 MiB, plus
    /// line breaks).
    pub max_input_bytes: usize,
    /// The largest PKCS#7 structure accepted after the text forms are decoded, in bytes
    /// (default 1 MiB; real answers are a few KiB).
    pub max_message_bytes: usize,
    /// The most certificates a message may carry (default 32).
    pub max_certificates: usize,
    /// The most SignerInfos a message may carry (default 16).
    pub max_signer_infos: usize,
    /// The deepest ASN.1 nesting accepted in a message (default 24; a SignedData with
    /// certificates needs about 12).
    pub max_depth: usize,
    /// The smallest RSA modulus accepted, in bits, for the signer and every certificate signature
    /// on the path (default 1024).
    pub min_rsa_bits: u64,
    /// The largest RSA modulus accepted, in bits (default 8192).
    pub max_rsa_bits: u64,
    /// The most intermediates a certificate path may hold (default 6).
    pub max_intermediates: usize,
    /// The most certificate signature checks one path search may do (default 64).
    pub max_signature_checks: usize,
}

impl Default for VerifyLimits {
    fn default() -> Self {
        VerifyLimits {
            max_input_bytes: 4 * 1024 * 1024,
            max_message_bytes: crate::pkcs7::parse::MAX_INPUT,
            max_certificates: crate::pkcs7::parse::MAX_CERTIFICATES,
            max_signer_infos: crate::pkcs7::parse::MAX_SIGNER_INFOS,
            max_depth: crate::pkcs7::parse::MAX_DEPTH,
            min_rsa_bits: super::crypto::MIN_RSA_BITS,
            max_rsa_bits: super::crypto::MAX_RSA_BITS,
            max_intermediates: crate::chain::MAX_INTERMEDIATES,
            max_signature_checks: crate::chain::MAX_SIGNATURE_CHECKS,
        }
    }
}

impl VerifyLimits {
    /// Refuses an input larger than [`max_input_bytes`](Self::max_input_bytes).
    pub(crate) fn check_input(&self, len: usize) -> Result<()> {
        at_most("input bytes", len, self.max_input_bytes)
    }

    /// Refuses an RSA modulus outside `min_rsa_bits..=max_rsa_bits`.
    pub(crate) fn check_rsa_bits(&self, bits: u64) -> Result<()> {
        if bits < self.min_rsa_bits {
            return Err(Error::LimitExceeded {
                limit: "RSA modulus bits (minimum)",
                value: bits,
                max: self.min_rsa_bits,
            });
        }
        if bits > self.max_rsa_bits {
            return Err(Error::LimitExceeded {
                limit: "RSA modulus bits",
                value: bits,
                max: self.max_rsa_bits,
            });
        }
        Ok(())
    }
}

/// `Error::LimitExceeded` unless `value <= max`.
pub(crate) fn at_most(limit: &'static str, value: usize, max: usize) -> Result<()> {
    if value > max {
        Err(Error::LimitExceeded {
            limit,
            value: u64::try_from(value).unwrap_or(u64::MAX),
            max: u64::try_from(max).unwrap_or(u64::MAX),
        })
    } else {
        Ok(())
    }
}
