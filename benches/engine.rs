//! RSA-2048 signing and verification: the engine's kernels against the `rsa` crate, and the full
//! check_value path against the raw signature.
//!
//! `cargo bench --bench engine`. OpenSSL's figure for the same machine: `openssl speed rsa2048`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use der::DecodePem;
use huifu_cfca::ContentMode;
use huifu_cfca::engine::{Kernel, RsaEngine, RsaPublicEngine, ifma_available};
use huifu_cfca::signer::Signer;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::Signer as _;
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

fn vector(rel: &str) -> String {
    format!("{}/vectors/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn merchant() -> (PrivateKey, Certificate) {
    let key = PrivateKey::from_pkcs8_pem(
        &std::fs::read_to_string(vector("chain/merchant.key")).expect("merchant.key"),
    )
    .expect("key");
    let cert = Certificate::from_pem(std::fs::read(vector("chain/merchant.pem")).expect("pem"))
        .expect("cert");
    (key, cert)
}

fn kernels() -> Vec<(&'static str, Kernel)> {
    let mut k = vec![("portable", Kernel::Portable)];
    if ifma_available() {
        k.push(("ifma", Kernel::Ifma));
    }
    k
}

fn sign(c: &mut Criterion) {
    let (key, _) = merchant();
    let digest: [u8; 32] = Sha256::digest(b"bench").into();
    let mut g = c.benchmark_group("rsa2048_sign");
    for (name, kernel) in kernels() {
        let engine = RsaEngine::with_kernel(&key, kernel).expect("engine");
        g.bench_function(name, |b| {
            b.iter(|| {
                engine
                    .sign_pkcs1v15_sha256(black_box(&digest))
                    .expect("sign")
            })
        });
    }
    let signing_key = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone());
    g.bench_function("rsa_crate", |b| {
        b.iter(|| signing_key.try_sign(black_box(b"bench")).expect("sign"))
    });
    g.finish();
}

fn verify(c: &mut Criterion) {
    let (key, _) = merchant();
    let public = key.to_public_key();
    let digest: [u8; 32] = Sha256::digest(b"bench").into();
    let sig = key
        .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
        .expect("sign");
    let mut g = c.benchmark_group("rsa2048_verify");
    for (name, kernel) in kernels() {
        let v = RsaPublicEngine::with_kernel(&public, kernel).expect("engine");
        g.bench_function(name, |b| {
            b.iter(|| assert!(v.verify_pkcs1v15_sha256(black_box(&digest), black_box(&sig))))
        });
    }
    g.bench_function("rsa_crate", |b| {
        b.iter(|| {
            public
                .verify(
                    Pkcs1v15Sign::new::<Sha256>(),
                    black_box(&digest),
                    black_box(&sig),
                )
                .expect("verify")
        })
    });
    g.finish();
}

/// The Signer as the API uses it: raw RSA vs the whole check_value (SignedData + base64 ×2).
fn check_value(c: &mut Criterion) {
    let (key, cert) = merchant();
    let signer = Signer::new(key, cert).expect("signer");
    let body = br#"{"req_seq_id":"20261125000001","req_date":"20261125","huifu_id":"6666000000000000","trans_amt":"1.00"}"#;
    let mut g = c.benchmark_group("signer");
    g.bench_function("sign_raw", |b| {
        b.iter(|| signer.sign_raw(black_box(body)).expect("sign"))
    });
    g.bench_function("sign_check_value", |b| {
        b.iter(|| {
            signer
                .sign(black_box(body), ContentMode::Huifu)
                .map(|m| m.check_value())
                .expect("sign")
        })
    });
    g.finish();
}

criterion_group!(benches, sign, verify, check_value);
criterion_main!(benches);
