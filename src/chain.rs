//! Certificate path validation: signer → intermediates → trust anchor.
//!
//! Our own path builder, modelled on rustls-webpki's `verify_cert.rs`: candidates are found by name
//! (and key identifiers where both sides carry them), every signature is checked over the exact
//! TBSCertificate bytes, and a failed path reports the most specific reason found.
//!
//! - signer: within its validity period; keyUsage (if present) has digitalSignature or
//!   nonRepudiation; no unknown critical extension;
//! - issuers: basicConstraints cA (anchors without basicConstraints are accepted as v1 roots),
//!   pathLenConstraint, keyUsage keyCertSign (if present), no unknown critical extension;
//!   intermediates within their validity period (anchors are trusted as given);
//! - chaining: issuer == subject (exact DER), AKI == SKI where both exist;
//! - signatures: sha256/384/512WithRSAEncryption; sha1WithRSAEncryption only with the same SHA-1
//!   opt-in as messages (`VerifierBuilder::allow_sha1`);
//! - at most 6 intermediates, no certificate twice on a path, at most 64 signature checks (the
//!   defaults of [`VerifyLimits`](crate::verify::VerifyLimits));
//! - a signer certificate that is itself an anchor is trusted directly.

mod cache;
mod cert;
mod path;
mod store;
mod time;

pub(crate) use cache::PathCache;
pub use cert::ParsedCertificate;
pub use path::{MAX_INTERMEDIATES, MAX_SIGNATURE_CHECKS};
pub(crate) use path::{PathOptions, verify_path};
pub use store::TrustStore;
pub use time::VerifyTime;

/// Validates the path from `signer` to an anchor of `trust`, with `intermediates` as candidate
/// issuers, checked at `time` (the same rules as [`Verifier`](crate::verify::Verifier) applies to
/// a message's signer). Returns the path, signer first and anchor last.
///
/// Errors: [`Error::NoTrustAnchors`](crate::Error::NoTrustAnchors) for an empty store,
/// [`Error::CertificateValidity`](crate::Error::CertificateValidity),
/// [`Error::UntrustedChain`](crate::Error::UntrustedChain), and the signature errors of the
/// certificates on the path.
pub fn verify_chain(
    signer: &ParsedCertificate,
    intermediates: &[ParsedCertificate],
    trust: &TrustStore,
    time: VerifyTime,
    allow_sha1: bool,
) -> crate::Result<Vec<ParsedCertificate>> {
    verify_chain_with_limits(
        signer,
        intermediates,
        trust,
        time,
        allow_sha1,
        &crate::verify::VerifyLimits::default(),
    )
}

/// [`verify_chain`] within `limits` (path length, signature checks, RSA key sizes).
pub fn verify_chain_with_limits(
    signer: &ParsedCertificate,
    intermediates: &[ParsedCertificate],
    trust: &TrustStore,
    time: VerifyTime,
    allow_sha1: bool,
    limits: &crate::verify::VerifyLimits,
) -> crate::Result<Vec<ParsedCertificate>> {
    let intermediates: Vec<&ParsedCertificate> = intermediates.iter().collect();
    verify_path(
        signer,
        &PathOptions {
            time: time.resolve(),
            allow_sha1,
            anchors: trust.anchors(),
            intermediates: &intermediates,
            limits,
            engine: crate::engine::Engine::Auto,
        },
    )
}
