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
pub mod oid;
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
pub use error::{Bound, ChainError, Error, Result};
