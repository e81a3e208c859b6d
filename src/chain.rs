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
//! - at most 6 intermediates, no certificate twice on a path, at most 64 signature checks;
//! - a signer certificate that is itself an anchor is trusted directly.

mod cache;
mod cert;
mod path;
mod store;
mod time;

pub(crate) use cache::PathCache;
pub use cert::ParsedCertificate;
pub(crate) use path::{PathOptions, verify_path};
pub use store::TrustStore;
pub use time::VerifyTime;
