//! Signatures and verifications per second on one core, comparable with `openssl speed rsa2048`.
//!
//! `cargo run --release --example engine_speed [seconds] [key.pem]`; the engine follows
//! `HUIFU_CFCA_ENGINE` (`auto`, `portable`, `ifma`, `rsa`; default `auto`), passed to the library
//! as an [`Engine`].

use std::time::{Duration, Instant};

use huifu_cfca::engine::Engine;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256};

/// This thread's CPU time in seconds (Linux `schedstat`), like `openssl speed`'s default
/// user-time divisor; wall time elsewhere.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Operations per CPU second (per wall second where CPU time is unavailable).
fn rate(secs: f64, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let cpu0 = cpu_seconds();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs_f64(secs) {
        for _ in 0..8 {
            f();
        }
        n += 8;
    }
    let wall = start.elapsed().as_secs_f64();
    let used = match (cpu0, cpu_seconds()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => wall,
    };
    n as f64 / used
}

fn main() {
    let mut args = std::env::args().skip(1);
    let secs: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let path = args
        .next()
        .unwrap_or_else(|| format!("{}/vectors/engine/k00-2048.key", env!("CARGO_MANIFEST_DIR")));
    let key = PrivateKey::from_pkcs8_pem(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let public = key.to_public_key();
    let digest: [u8; 32] = Sha256::digest(b"engine speed").into();
    let sig = key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).unwrap();
    let choice = match std::env::var("HUIFU_CFCA_ENGINE") {
        Ok(name) if !name.is_empty() => Engine::from_name(&name)
            .unwrap_or_else(|| panic!("HUIFU_CFCA_ENGINE={name:?}: auto, portable, ifma or rsa")),
        _ => Engine::Auto,
    };
    assert!(
        choice.is_available(),
        "this CPU does not run the {choice} engine"
    );
    match choice {
        Engine::RsaCrate => {
            let signing_key = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone());
            let s = rate(secs, || {
                std::hint::black_box(signing_key.sign_prehash_rsa(&digest));
            });
            let v = rate(secs, || {
                assert!(
                    public
                        .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &sig)
                        .is_ok()
                );
            });
            println!("rsa crate: {s:.0} sign/s {v:.0} verify/s");
        }
        _ => {
            let engine = choice.private_engine(&key).expect("engine serves the key");
            let verifier = choice
                .public_engine(&public)
                .expect("engine serves the key");
            assert_eq!(engine.sign_pkcs1v15_sha256(&digest).unwrap(), sig);
            let s = rate(secs, || {
                std::hint::black_box(engine.sign_pkcs1v15_sha256(&digest).unwrap());
            });
            let v = rate(secs, || {
                assert!(verifier.verify_pkcs1v15_sha256(&digest, &sig));
            });
            println!(
                "engine {:?} ({} bits): {s:.0} sign/s {v:.0} verify/s",
                engine.kernel(),
                engine.bits()
            );
        }
    }
}

trait SignPrehash {
    fn sign_prehash_rsa(&self, digest: &[u8; 32]) -> Vec<u8>;
}
impl SignPrehash for rsa::pkcs1v15::SigningKey<Sha256> {
    fn sign_prehash_rsa(&self, digest: &[u8; 32]) -> Vec<u8> {
        use rsa::signature::SignatureEncoding;
        use rsa::signature::hazmat::PrehashSigner;
        self.sign_prehash(digest).unwrap().to_vec()
    }
}
