//! Criterion benchmarks of the signing and verification stages, on the committed test vectors
//! (`vectors/chain`: the CFCA-like chain root -> OCA -> huifu/merchant, 2048-bit keys; `vectors/pfx`).
//!
//! ```text
//! cargo bench --bench speed                                  # everything, 3 s per benchmark
//! cargo bench --bench speed -- verify                        # a filter
//! cargo bench --bench speed -- --measurement-time 1 --warm-up-time 0.5   # quicker
//! ```
//!
//! - `pfx_load/*`: `pfx::load` of the CFCA form (3DES key, RC2-40 certificates, HMAC-SHA1, 2000
//!   iterations) and of OpenSSL 3's default form (PBES2 AES-256 + PBKDF2-SHA256, 2048 iterations);
//!   `Signer::from_pfx` adds the key-pair check on top;
//! - `sign/rsa_raw`: RSA PKCS#1 v1.5 SHA-256 of 36 bytes (blinded); `sign/check_value`: the whole
//!   `sign(..).check_value()` of a ~400-byte APP+ JSON;
//! - `parse/*`: `pkcs7::parse::parse` of that SignedData, and `check_value::decode` + parse;
//! - `verify/*`: `Verifier::verify` of that check_value, identity pin `100001`:
//!   `signature_only` (no chain), `chain` (path to the OCA anchor built and its signature checked
//!   on every call: `chain_cache(false)`), `chain_cached` (the verifier's default cache of
//!   validated paths: after the first call only the validity periods and the presence of the
//!   intermediates are re-checked).
//!
//! `HUIFU_CFCA_ENGINE` (`auto`, `portable`, `ifma`, `rsa`; default `auto`) picks the RSA engine of
//! the signer and the verifiers, passed through [`Engine`].

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use der::DecodePem;
use huifu_cfca::chain::{TrustStore, VerifyTime};
use huifu_cfca::engine::Engine;
use huifu_cfca::identity::SignerPin;
use huifu_cfca::pkcs7::parse;
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::Verifier;
use huifu_cfca::{ContentMode, check_value, pfx};
use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use x509_cert::Certificate;

/// 2030-01-01, inside the vectors' validity (2024–2044).
const T2030: u64 = 1_893_456_000;

/// A typical APP+ request body (a `v2/trade/payment/jspay`-like order, 412 bytes).
const JSON: &str = concat!(
    r#"{"req_date":"20261125","req_seq_id":"rQ2026112521393012345678","#,
    r#""huifu_id":"6666000108854952","goods_desc":"speed test order","#,
    r#""trade_type":"T_JSAPI","trans_amt":"128.00","#,
    r#""notify_url":"https://merchant.example.com/huifu/notify","#,
    r#""wx_data":"{\"sub_appid\":\"wxdfe9a5d141f96685\",\"sub_openid\":\"o8jhotzittQSetZ-N0Yj4Hz91Rqc\"}","#,
    r#""acct_split_bunch":{"acct_infos":[{"div_amt":"128.00","huifu_id":"6666000108854952"}]}}"#
);

/// The engine `HUIFU_CFCA_ENGINE` names (default: auto).
fn engine() -> Engine {
    match std::env::var("HUIFU_CFCA_ENGINE") {
        Ok(name) if !name.is_empty() => Engine::from_name(&name)
            .unwrap_or_else(|| panic!("HUIFU_CFCA_ENGINE={name:?}: auto, portable, ifma or rsa")),
        _ => Engine::Auto,
    }
}

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{}/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Huifu's vector identity (CN 051@100001@…, issued by the OCA).
fn huifu_signer() -> Signer {
    let pem = String::from_utf8(vector("chain/huifu.key")).unwrap();
    let key = PrivateKey::from_pkcs8_pem(&pem).unwrap();
    let cert = Certificate::from_pem(vector("chain/huifu.pem")).unwrap();
    Signer::new(key, cert)
        .unwrap()
        .with_engine(engine())
        .unwrap()
}

fn verifier(chain_cache: Option<bool>) -> Verifier {
    let builder = Verifier::builder()
        .engine(engine())
        .pin(SignerPin::huifu())
        .time(VerifyTime::at_unix(T2030));
    match chain_cache {
        None => builder.no_chain(),
        Some(cached) => {
            let mut trust = TrustStore::new();
            trust.add_der(&vector("chain/oca.cer")).unwrap();
            builder.trust(trust).chain_cache(cached)
        }
    }
    .build()
    .unwrap()
}

fn pfx_load(c: &mut Criterion) {
    let mut g = c.benchmark_group("pfx_load");
    for (file, password) in [("cfca.p12", "888888"), ("openssl3.p12", "secret")] {
        let der = vector(&format!("pfx/{file}"));
        pfx::load(&der, password).unwrap();
        g.bench_function(file, |b| {
            b.iter(|| pfx::load(black_box(&der), black_box(password)).unwrap())
        });
    }
    let der = vector("pfx/cfca.p12");
    g.bench_function("cfca.p12 Signer::from_pfx", |b| {
        b.iter(|| Signer::from_pfx(black_box(&der), "888888").unwrap())
    });
    g.finish();
}

fn sign(c: &mut Criterion) {
    let signer = huifu_signer();
    let mut g = c.benchmark_group("sign");
    g.bench_function("rsa_raw", |b| {
        b.iter(|| signer.sign_raw(black_box(b"huifu-cfca speed: 36 bytes to sign!!")))
    });
    g.bench_function("check_value", |b| {
        b.iter(|| {
            signer
                .sign(black_box(JSON.as_bytes()), ContentMode::Huifu)
                .map(|m| m.check_value())
                .unwrap()
        })
    });
    g.finish();
}

fn parse_only(c: &mut Criterion) {
    let signer = huifu_signer();
    let der = signer
        .sign(JSON.as_bytes(), ContentMode::Huifu)
        .unwrap()
        .into_der();
    let cv = check_value::encode(&der);
    let mut g = c.benchmark_group("parse");
    g.bench_function("signed_data", |b| {
        b.iter(|| parse::parse(black_box(&der)).unwrap())
    });
    g.bench_function("check_value_decode_and_parse", |b| {
        b.iter(|| {
            let (der, _) = check_value::decode(black_box(cv.as_bytes())).unwrap();
            parse::parse(&der).unwrap()
        })
    });
    g.finish();
}

fn verify(c: &mut Criterion) {
    let signer = huifu_signer();
    let cv = signer
        .sign(JSON.as_bytes(), ContentMode::Huifu)
        .map(|m| m.check_value())
        .unwrap();
    let mut g = c.benchmark_group("verify");
    for (name, cache) in [
        ("signature_only", None),
        ("chain", Some(false)),
        ("chain_cached", Some(true)),
    ] {
        let v = verifier(cache);
        let checked = v.verify(cv.as_bytes()).unwrap();
        assert_eq!(checked.content(ContentMode::Huifu), JSON.as_bytes());
        assert_eq!(checked.chain.len(), if cache.is_some() { 2 } else { 0 });
        g.bench_function(name, |b| {
            b.iter(|| v.verify(black_box(cv.as_bytes())).unwrap())
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = pfx_load, sign, parse_only, verify
}
criterion_main!(benches);
