//! Certificate path validation: signer → intermediates → trust anchor.
//!
//! Our own path builder, modelled on rustls-webpki's `verify_cert.rs`: candidates are found by name
//! (and key identifiers where both sides carry them), every signature is checked over the exact
//! TBSCertificate bytes, and a failed path reports the most specific reason found. See
//! [`path`] for the rules.

mod cert;
mod path;
mod store;
mod time;

pub use cert::ParsedCertificate;
pub(crate) use path::{PathOptions, verify_path};
pub use store::TrustStore;
pub use time::VerifyTime;
