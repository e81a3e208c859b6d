//! Bounds on what a message may demand of the verifier: the input size here, the parser's and the
//! path search's bounds composed from their own layers.

use crate::Result;
use crate::chain::PathLimits;
use crate::error::at_most;
use crate::pkcs7::parse::ParseLimits;

/// Configurable bounds for [`Verifier`](super::Verifier) (set with
/// [`VerifierBuilder::limits`](super::VerifierBuilder::limits)): the input size, the parser's
/// [`ParseLimits`] and the path search's [`PathLimits`] (which also bound the RSA key sizes, of the
/// signer and of every certificate signature on the path).
///
/// Exceeding a bound is [`Error::LimitExceeded`](crate::Error::LimitExceeded) naming it (for the
/// path search, [`ChainError::PathTooLong`](crate::ChainError::PathTooLong) or
/// [`ChainError::BudgetExhausted`](crate::ChainError::BudgetExhausted)). The defaults fit real Huifu
/// messages (a few KiB, about 12 levels deep, one certificate, one signer, RSA-2048) with a
/// documented margin, and keep what a hostile message can cost small: raise them here if you
/// verify larger messages of your own.
///
/// ```
/// use huifu_cfca::pkcs7::parse::ParseLimits;
/// use huifu_cfca::verify::{Verifier, VerifyLimits};
/// let limits = VerifyLimits {
///     parse: ParseLimits { max_certificates: 4, ..ParseLimits::default() },
///     ..VerifyLimits::default()
/// };
/// let verifier = Verifier::builder().no_chain().limits(limits).build();
/// assert!(verifier.is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyLimits {
    /// The largest input accepted as given (check_value text, base64, PEM or DER), in bytes
    /// (default 4 MiB: a 1 MiB message as a check_value is base64 twice, about 1.8 MiB, plus
    /// line breaks).
    pub max_input_bytes: usize,
    /// The PKCS#7 parser's bounds: message size, certificates, signers, nesting depth.
    pub parse: ParseLimits,
    /// The path search's bounds: intermediates, signature checks, RSA key sizes.
    pub path: PathLimits,
}

impl Default for VerifyLimits {
    fn default() -> Self {
        VerifyLimits {
            max_input_bytes: 4 * 1024 * 1024,
            parse: ParseLimits::default(),
            path: PathLimits::default(),
        }
    }
}

impl VerifyLimits {
    /// Refuses an input larger than [`max_input_bytes`](Self::max_input_bytes).
    pub(crate) fn check_input(&self, len: usize) -> Result<()> {
        at_most("input bytes", len, self.max_input_bytes)
    }
}
