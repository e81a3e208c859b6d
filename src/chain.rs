//! Certificate path validation: signer → intermediates → trust anchor.
//!
//! Our own path builder, modelled on rustls-webpki's `verify_cert.rs`: candidates are found by name
//! (and key identifiers where both sides carry them), every signature is checked over the exact
//! TBSCertificate bytes, and a failed path reports the most specific reason found
//! ([`ChainError::rank`]).
//!
//! - signer: within its validity period; keyUsage (if present) has digitalSignature or
//!   nonRepudiation; no unknown critical extension;
//! - issuers: basicConstraints cA (anchors without basicConstraints are accepted as v1 roots),
//!   pathLenConstraint, keyUsage keyCertSign (if present), no unknown critical extension;
//!   intermediates within their validity period (anchors are trusted as given);
//! - chaining: issuer == subject (RFC 5280 §7.1 name matching), AKI == SKI where both exist;
//! - signatures: sha256/384/512WithRSAEncryption; sha1WithRSAEncryption only with the same SHA-1
//!   opt-in as messages (`VerifierBuilder::allow_sha1`);
//! - at most 6 intermediates, no certificate twice on a path, at most 64 signature checks (the
//!   defaults of [`PathLimits`]);
//! - a signer certificate that is itself an anchor is trusted directly.
//!
//! Every failure is a [`ChainError`] carried by [`Error::Chain`](crate::Error::Chain).

mod cache;
mod path;
mod store;
mod time;

use crate::rsa_key::{KeySource, RsaKeySize};

pub use crate::error::ChainError;
pub use crate::x509::ParsedCertificate;
pub(crate) use cache::PathCache;
pub(crate) use path::{PathOptions, verify_path};
pub use store::TrustStore;
pub use time::VerifyTime;

/// The most intermediates a path may hold, by default.
pub const MAX_INTERMEDIATES: usize = 6;
/// The most signature checks one path search may do, by default.
pub const MAX_SIGNATURE_CHECKS: usize = 64;

/// Bounds on a path search: what one signer certificate may make the verifier do.
///
/// ```
/// use huifu_cfca::chain::PathLimits;
/// let limits = PathLimits { max_intermediates: 2, ..PathLimits::default() };
/// assert_eq!(limits.max_signature_checks, 64);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathLimits {
    /// The most intermediates a certificate path may hold (default 6); a longer one is
    /// [`ChainError::PathTooLong`].
    pub max_intermediates: usize,
    /// The most certificate signature checks one path search may do (default 64); more is
    /// [`ChainError::BudgetExhausted`].
    pub max_signature_checks: usize,
    /// The RSA key sizes accepted for the signer's key and every certificate signature on the
    /// path (default 1024..=8192 bits).
    pub rsa_key_size: RsaKeySize,
}

impl Default for PathLimits {
    fn default() -> Self {
        PathLimits {
            max_intermediates: MAX_INTERMEDIATES,
            max_signature_checks: MAX_SIGNATURE_CHECKS,
            rsa_key_size: RsaKeySize::default(),
        }
    }
}

/// How [`verify_chain`] checks a path: when, whether sha1WithRSA certificate signatures are
/// accepted, within which limits, with which RSA implementation.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ChainOptions {
    /// When validity periods are checked (default: now).
    pub time: VerifyTime,
    /// Accept sha1WithRSA certificate signatures (default: refused).
    pub allow_sha1: bool,
    /// Path length, signature checks, RSA key sizes.
    pub limits: PathLimits,
    /// The RSA implementation of the signature checks (default: [`Engine::Auto`](crate::engine::Engine::Auto)).
    pub engine: crate::engine::Engine,
}

impl ChainOptions {
    /// Checks validity periods at `time`.
    pub fn time(mut self, time: VerifyTime) -> Self {
        self.time = time;
        self
    }

    /// Accepts sha1WithRSA certificate signatures.
    pub fn allow_sha1(mut self, allow: bool) -> Self {
        self.allow_sha1 = allow;
        self
    }

    /// Checks within `limits`.
    pub fn limits(mut self, limits: PathLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Checks signatures with `engine`.
    pub fn engine(mut self, engine: crate::engine::Engine) -> Self {
        self.engine = engine;
        self
    }
}

/// Validates the path from `signer` to an anchor of `trust`, with `intermediates` as candidate
/// issuers, as `options` say (the same rules as [`Verifier`](crate::verify::Verifier) applies to
/// a message's signer). Returns the path, signer first and anchor last.
///
/// ```no_run
/// # fn main() -> huifu_cfca::Result<()> {
/// use huifu_cfca::chain::{ChainOptions, TrustStore, verify_chain};
/// use huifu_cfca::x509::ParsedCertificate;
/// let trust = TrustStore::from_files(["CFCA_ACS_TEST_CA.cer"])?;
/// let oca = ParsedCertificate::from_der(&std::fs::read("CFCA_ACS_TEST_OCA31.cer")?)?;
/// let leaf = ParsedCertificate::from_der(&std::fs::read("huifu.cer")?)?;
/// let options = ChainOptions::default().time("2017-12-20".parse()?);
/// let path = verify_chain(&leaf, &[oca], &trust, &options)?;
/// # Ok(()) }
/// ```
///
/// Errors: [`Error::NoTrustAnchors`](crate::Error::NoTrustAnchors) for an empty store,
/// [`Error::Chain`](crate::Error::Chain) with the most specific [`ChainError`] found, and
/// [`Error::LimitExceeded`](crate::Error::LimitExceeded) for an issuer key outside
/// [`PathLimits::rsa_key_size`].
pub fn verify_chain(
    signer: &ParsedCertificate,
    intermediates: &[ParsedCertificate],
    trust: &TrustStore,
    options: &ChainOptions,
) -> crate::Result<Vec<ParsedCertificate>> {
    options.engine.ensure_available()?;
    let intermediates: Vec<&ParsedCertificate> = intermediates.iter().collect();
    verify_path(
        signer,
        &PathOptions {
            time: options.time.resolve(),
            allow_sha1: options.allow_sha1,
            anchors: trust.anchors(),
            intermediates: &intermediates,
            limits: &options.limits,
            keys: KeySource::Decode(options.engine),
        },
    )
}
