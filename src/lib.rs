//! # huifu-cfca
//!
//! A pure-Rust implementation of the signing stack behind Huifu's APP+ merchant API: CFCA SADK-exact
//! PKCS#7 signing, PKCS#12 (PFX) decoding, verification of Huifu's answers with chain validation and
//! identity pinning, and (feature `client`) an async client for the API.
//!
//! The stages, one module each:
//!
//! - signing: [`pfx`] → [`signer`] → [`pkcs7`] → [`check_value`]
//! - verification: [`check_value`] → [`pkcs7`] → [`verify`] → [`chain`] → [`identity`]
//!
//! ## Layers
//!
//! Each module imports only from the modules listed before it (a unit test checks every
//! `crate::` path under `src/` against this list), bottom first:
//!
//! 1. `error`: the one [`Error`] (with [`ChainError`] and [`Bound`]), re-exported at the root;
//! 2. `oid`: the object identifiers, one list (crate-private);
//! 3. `recent`: the bounded cache type behind a verifier's key and certificate caches;
//! 4. `asn1`: the one BER/DER reader and DER re-encoder (PKCS#7, certificates, names, keys, PFX);
//! 5. [`content`]: the content modes (Huifu's base64 wrapping);
//! 6. [`check_value`]: the wire forms of a signature;
//! 7. [`engine`]: the RSA private-key engine and its public-key path;
//! 8. [`x509`]: [`ParsedCertificate`](x509::ParsedCertificate), names and their comparison,
//!    the certificate cache;
//! 9. [`rsa_key`]: the one key-size policy, key decoding and its cache, digests, certificate
//!    signature checks;
//! 10. [`pkcs7`]: building CFCA's SignedData and parsing others' (its own
//!     [`ParseLimits`](pkcs7::parse::ParseLimits));
//! 11. [`chain`]: path validation (its own [`PathLimits`](chain::PathLimits) and
//!     [`ChainError`]);
//! 12. [`identity`]: the CFCA common name and the signer pin;
//! 13. [`pfx`]: PKCS#12 decoding and encoding;
//! 14. [`verify`]: the verifier, composing parser, path, identity and their limits
//!     ([`VerifyLimits`](verify::VerifyLimits));
//! 15. [`signer`]: the SADK-exact signer;
//! 16. `pki` (feature `sandbox`): the test PKI generator;
//! 17. `client` (feature `client`): the APP+ client;
//! 18. `sandbox` (feature `sandbox`): the local stand-in for Huifu's API.
//!
//! With the feature `sandbox`: `pki` generates a CFCA-like test PKI (root, OCA31-like
//! intermediate, Huifu's and a merchant's identities, PFX files) and `sandbox` is a local
//! stand-in for Huifu's API (real HTTP, real signatures, orders, queries, scripted outcomes,
//! `bg_ret_url` deliveries with Huifu's retry policy).
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod asn1;
pub mod chain;
pub mod check_value;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
pub mod content;
pub mod engine;
mod error;
pub mod identity;
mod oid;
pub mod pfx;
pub mod pkcs7;
#[cfg(feature = "sandbox")]
pub mod pki;
mod recent;
pub mod rsa_key;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod signer;
pub mod verify;
pub mod x509;

pub use content::ContentMode;

#[cfg(test)]
mod layers;
pub use error::{Bound, ChainError, Error, Result};

/// The README's Rust snippets, compiled as doctests (they use the client: all features).
#[cfg(all(doctest, feature = "client"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
