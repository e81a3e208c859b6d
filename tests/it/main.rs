//! The integration tests, one binary with one module per area (as ripgrep does): one link of
//! tokio, axum, reqwest and ring instead of one per file. `tests/ctgrind.rs` stays a binary of its
//! own: it re-runs itself under valgrind.

// Helpers shared by the areas.
#[cfg(feature = "client")]
mod client_support;
mod common;
#[cfg(feature = "sandbox")]
mod sandbox_common;

mod cert_rules;
// `cli` and `hostile` run the `huifu-cfca` binary, which exists only with the `cli` feature.
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod client_hostile;
#[cfg(feature = "client")]
mod client_notify;
#[cfg(feature = "client")]
mod client_tls;
#[cfg(feature = "cli")]
mod e2e_demo;
// `examples/axum_notify.rs`, run against the sandbox by `example_axum_notify`.
#[cfg(feature = "sandbox")]
#[path = "../../examples/axum_notify.rs"]
#[allow(dead_code)]
mod axum_notify;
mod engine_diff;
#[cfg(feature = "sandbox")]
mod example_axum_notify;
mod fuzz_replay;
#[cfg(feature = "sandbox")]
mod guide_conformance;
#[cfg(feature = "cli")]
mod hostile;
mod limits;
mod pfx;
mod pfx_encode;
#[cfg(feature = "sandbox")]
mod pki;
mod roundtrip;
mod sadk;
#[cfg(feature = "sandbox")]
mod sandbox;
#[cfg(feature = "sandbox")]
mod sandbox_callbacks;
#[cfg(feature = "sandbox")]
mod sandbox_client;
#[cfg(feature = "sandbox")]
mod sandbox_hostile;
#[cfg(feature = "sandbox")]
mod sandbox_load;
mod secrets;
mod sign_openssl;
mod verify;
mod verify_mutation;

/// Last in name order, so libtest starts it after every other test: the count of the tests that
/// skipped because the real CFCA vectors are absent (see `common::real`).
#[test]
fn zz_real_vectors_summary() {
    common::real::summary();
}
