//! The bodies of the fuzz targets, shared by `fuzz/fuzz_targets/*.rs` (cargo-fuzz, nightly) and
//! `tests/it/fuzz_replay.rs` (stable), so that every corpus and regression file is replayed through
//! exactly the code the fuzzer ran.
//!
//! Every function takes arbitrary bytes, must never panic on its own, and asserts only properties
//! that hold for every input (a failed assertion is a finding). Fixtures are compiled in from
//! `vectors/` (paths relative to this file), so the harness works from both crates.
#![allow(dead_code)]

use std::sync::OnceLock;

use der::{Decode as _, DecodePem as _, Encode as _};
use huifu_cfca::chain::{self, ParsedCertificate, TrustStore, VerifyTime};
use huifu_cfca::check_value::{self, InputForm};
use huifu_cfca::identity::{self, SignerPin};
use huifu_cfca::pfx::{self, PfxLimits};
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::{self, Verifier};
use huifu_cfca::{ContentMode, Error};
use rsa::pkcs8::DecodePrivateKey as _;
use x509_cert::Certificate;

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target, by name (the directory names under `fuzz/corpus/` and `fuzz/regressions/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("check_value", check_value),
    ("pfx", pfx),
    ("chain", chain),
    ("sign_verify", sign_verify),
    ("pfx_differential", pfx_differential),
];

/// The password the `pfx` targets decode with (most files in `vectors/pfx/` use it).
pub const PFX_PASSWORD: &str = "secret";

/// 2030-01-01T00:00:00Z: inside the validity of every certificate of the vectors chain.
const FIXED_TIME: u64 = 1_893_456_000;

const ROOT: &[u8] = include_bytes!("../vectors/chain/root.cer");
const OCA: &[u8] = include_bytes!("../vectors/chain/oca.cer");
const MERCHANT_KEY: &str = include_str!("../vectors/chain/merchant.key");
const MERCHANT_PEM: &[u8] = include_bytes!("../vectors/chain/merchant.pem");

struct Fixtures {
    trust: TrustStore,
    oca: ParsedCertificate,
    /// Signature and identity only (OCA as an extra certificate), any signer, SHA-1 allowed.
    no_chain: Verifier,
    /// The vectors chain (root anchor, OCA as an extra certificate), any signer, SHA-1 allowed.
    with_chain: Verifier,
    /// The merchant (`051@AS0381@…`) signer.
    signer: Signer,
    /// The merchant's pin, chain required.
    merchant_verifier: Verifier,
}

fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let mut trust = TrustStore::new();
        trust.add_der(ROOT).expect("vectors/chain/root.cer");
        let oca_cert = Certificate::from_der(OCA).expect("vectors/chain/oca.cer");
        let oca = ParsedCertificate::from_der(OCA).expect("vectors/chain/oca.cer");
        let time = VerifyTime::at_unix(FIXED_TIME);
        // Both verifiers search the same extra certificate (the OCA) for the signer, so that
        // they differ only in chain validation.
        let no_chain = Verifier::builder()
            .no_chain()
            .extra_certs(vec![oca_cert.clone()])
            .pin(SignerPin::Any)
            .allow_sha1(true)
            .time(time)
            .build()
            .expect("no-chain verifier");
        let with_chain = Verifier::builder()
            .trust(trust.clone())
            .extra_certs(vec![oca_cert.clone()])
            .pin(SignerPin::Any)
            .allow_sha1(true)
            .time(time)
            .build()
            .expect("chain verifier");
        let merchant_verifier = Verifier::builder()
            .trust(trust.clone())
            .extra_certs(vec![oca_cert])
            .pin(SignerPin::Id("AS0381".to_string()))
            .time(time)
            .build()
            .expect("merchant verifier");
        let key = rsa::PrivateKey::from_pkcs8_pem(MERCHANT_KEY).expect("merchant.key");
        let cert = Certificate::from_pem(MERCHANT_PEM).expect("merchant.pem");
        let signer = Signer::new(key, cert).expect("merchant signer");
        Fixtures {
            trust,
            oca,
            no_chain,
            with_chain,
            signer,
            merchant_verifier,
        }
    })
}

/// check_value / PKCS#7 input: decode, parse, inspect, verify without and with the chain.
pub fn check_value(data: &[u8]) {
    let f = fixtures();
    if let Ok((der, form)) = check_value::decode(data) {
        if matches!(form, InputForm::CheckValue | InputForm::Base64) {
            // These text forms decode only to something starting with a SEQUENCE tag.
            assert_eq!(der.first(), Some(&0x30));
        }
        if form != InputForm::Binary && der.first() == Some(&0x30) {
            // … which re-encodes as a check_value.
            let again = check_value::decode(check_value::encode(&der).as_bytes())
                .expect("a check_value we encoded decodes");
            assert_eq!(again, (der.clone(), InputForm::CheckValue));
        }
        let _ = huifu_cfca::pkcs7::parse::parse(&der);
    }
    let inspected = verify::inspect(data);
    let plain = f.no_chain.verify(data);
    let chained = f.with_chain.verify(data);
    if let Ok(m) = &plain {
        assert!(inspected.is_ok(), "verifies but does not inspect");
        assert!(!m.signer.subject.is_empty() || m.signer.common_name.is_none());
        let _ = m.text();
        let _ = m.content(ContentMode::Huifu);
        // A verified attached message also verifies as detached over its own content.
        let detached = f.no_chain.verify_detached(data, &m.econtent);
        assert!(
            detached.is_ok(),
            "attached ok, detached over the same content: {detached:?}"
        );
    }
    if let Ok(m) = &chained {
        // Chain validation only removes messages: what passes with it passes without it.
        let Ok(p) = &plain else {
            panic!("verifies with the chain but not without: {plain:?}");
        };
        assert_eq!(m.econtent, p.econtent);
        assert!(!m.chain.is_empty(), "a validated chain ends at an anchor");
    }
    let _ = f.merchant_verifier.verify(data);
    let _ = f.no_chain.verify_detached(data, b"TestData");
}

/// PFX decoding with a fixed password; a decoded identity must make a working signer.
pub fn pfx(data: &[u8]) {
    let limits = fuzz_pfx_limits();
    let Ok(contents) = pfx::decode(data, PFX_PASSWORD, &limits) else {
        return;
    };
    let _ = format!("{contents:?}");
    for key in &contents.keys {
        let _ = key.to_rsa();
    }
    for cert in &contents.certificates {
        let _ = cert.certificate.to_der();
    }
    if let Ok(id) = limits.load(data, PFX_PASSWORD) {
        assert!(!contents.keys.is_empty() && !contents.certificates.is_empty());
        assert_eq!(id.chain().len() + 1, contents.certificates.len());
        if let Ok(signer) = Signer::from_identity(&id) {
            // A loaded identity signs, and what it signs verifies (signature and identity only).
            let der = signer
                .sign(b"TestData", ContentMode::Raw)
                .expect("a loaded signer signs")
                .into_der();
            let v = Verifier::builder()
                .no_chain()
                .pin(SignerPin::Any)
                .time(VerifyTime::AnyTime)
                .build()
                .expect("verifier");
            let m = v.verify(&der).expect("our own signature verifies");
            assert_eq!(m.econtent, b"TestData");
        }
    }
}

/// Limits for fuzzing: the defaults, but a small iteration bound so that no input takes long.
pub fn fuzz_pfx_limits() -> PfxLimits {
    PfxLimits {
        max_iterations: 4096,
        ..PfxLimits::default()
    }
}

/// Splits bytes into consecutive top-level DER elements (definite lengths up to 3 length bytes);
/// a truncated last element is returned as it is.
pub fn split_der(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 {
        let first = usize::from(data[1]);
        let (header, len) = if first < 0x80 {
            (2, first)
        } else {
            let n = first & 0x7f;
            if n == 0 || n > 3 || data.len() < 2 + n {
                out.push(data);
                return out;
            }
            let len = data[2..2 + n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (2 + n, len)
        };
        let end = (header + len).min(data.len());
        out.push(&data[..end]);
        data = &data[end..];
    }
    out
}

/// Certificates: the first DER element is the signer, the others intermediates, validated against
/// the vectors root; the bytes also go through the TrustStore and identity readers.
pub fn chain(data: &[u8]) {
    let f = fixtures();
    let mut store = TrustStore::new();
    let _ = store.add_bytes(data);
    let _ = TrustStore::new().add_pem(data);
    let parts = split_der(data);
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    let Ok(signer) = ParsedCertificate::from_der(first) else {
        return;
    };
    let _ = signer.subject_string();
    let _ = signer.issuer_string();
    let _ = signer.serial_hex();
    let _ = signer.not_before_rfc3339();
    let _ = signer.not_after_rfc3339();
    let _ = identity::cfca_cn(signer.subject_der());
    let mut intermediates: Vec<ParsedCertificate> = rest
        .iter()
        .filter_map(|c| ParsedCertificate::from_der(c).ok())
        .collect();
    let at = chain::verify_chain(
        &signer,
        &intermediates,
        &f.trust,
        &chain::ChainOptions::default()
            .time(VerifyTime::at_unix(FIXED_TIME))
            .allow_sha1(false),
    );
    let any = chain::verify_chain(
        &signer,
        &intermediates,
        &f.trust,
        &chain::ChainOptions::default()
            .time(VerifyTime::AnyTime)
            .allow_sha1(true),
    );
    if let Ok(path) = &at {
        // Ignoring validity periods and allowing SHA-1 only accepts more.
        assert!(any.is_ok(), "valid at a time, invalid at any time: {any:?}");
        assert_eq!(path.first().map(|c| c.der()), Some(signer.der()));
        assert!(
            path.last()
                .is_some_and(|a| f.trust.anchors().iter().any(|t| t.der() == a.der()))
        );
    }
    intermediates.push(f.oca.clone());
    let _ = chain::verify_chain(
        &signer,
        &intermediates,
        &f.trust,
        &chain::ChainOptions::default()
            .time(VerifyTime::at_unix(FIXED_TIME))
            .allow_sha1(true),
    );
}

/// Sign arbitrary content with the fixed signer; it must verify and round-trip. The first byte's
/// low bit picks the content mode (one RSA signature per execution: signing dominates the cost).
pub fn sign_verify(data: &[u8]) {
    let f = fixtures();
    let mode = match data.first() {
        Some(b) if b & 1 == 1 => ContentMode::Huifu,
        _ => ContentMode::Raw,
    };
    let der = f
        .signer
        .sign(data, mode)
        .expect("signing never fails")
        .into_der();
    let econtent = mode.wrap(data);
    for v in [&f.no_chain, &f.with_chain, &f.merchant_verifier] {
        let m = v.verify(&der).expect("our signature verifies");
        assert_eq!(m.econtent, econtent);
        assert_eq!(m.encoding, huifu_cfca::pkcs7::parse::Encoding::Der);
        assert_eq!(m.input_form, InputForm::Binary);
        assert!(!m.signed_attributes);
        match mode {
            ContentMode::Raw => assert_eq!(m.content(ContentMode::Raw), data),
            _ => {
                if std::str::from_utf8(data).is_ok() {
                    assert_eq!(m.content(ContentMode::Huifu), data);
                }
            }
        }
    }
    // The wire form carries the same message.
    let cv = check_value::encode(&der);
    let m = f
        .merchant_verifier
        .verify(cv.as_bytes())
        .expect("check_value verifies");
    assert_eq!(m.input_form, InputForm::CheckValue);
    assert_eq!(m.econtent, econtent);
    // The signature over other content must not verify.
    let mut other = econtent.clone();
    other.push(b'x');
    assert!(matches!(
        f.no_chain.verify_detached(&der, &other),
        Err(Error::Malformed { .. })
    ));
    let detached = f.no_chain.verify_detached(&der, &econtent);
    assert!(detached.is_ok(), "{detached:?}");
}

/// Our PKCS#12 decoding against `p12` 0.6.3 on the legacy forms it handles: when both succeed,
/// every key and certificate `p12` returns must be among ours, byte for byte.
///
/// `p12` is only asked when our decoder succeeded (so every iteration count in the file is within
/// our bound) and the MAC is HMAC-SHA1 or absent (`p12` debug-asserts SHA-1 in `verify_mac`).
/// Panics inside `p12` are its own bugs: they are caught and ignored.
pub fn pfx_differential(data: &[u8]) {
    let limits = fuzz_pfx_limits();
    let Ok(ours) = pfx::decode(data, PFX_PASSWORD, &limits) else {
        return;
    };
    let sha1_mac = match &ours.info.mac {
        None => true,
        Some(mac) => mac.algorithm == "HMAC-SHA1",
    };
    if !sha1_mac {
        return;
    }
    let Some((keys, certs, mac_ok)) = quietly(|| {
        let parsed = p12::PFX::parse(data).ok()?;
        let mac_ok = parsed.verify_mac(PFX_PASSWORD);
        let keys = parsed.key_bags(PFX_PASSWORD).ok()?;
        let certs = parsed.cert_x509_bags(PFX_PASSWORD).ok()?;
        Some((keys, certs, mac_ok))
    })
    .flatten() else {
        return;
    };
    if ours.info.mac.is_some() {
        assert!(mac_ok, "our MAC check passed, p12's failed");
    }
    for key in &keys {
        assert!(
            ours.keys.iter().any(|k| k.pkcs8_der() == key.as_slice()),
            "p12 found a key we did not"
        );
    }
    let our_certs: Vec<Vec<u8>> = ours
        .certificates
        .iter()
        .filter_map(|c| c.certificate.to_der().ok())
        .collect();
    for cert in &certs {
        assert!(
            our_certs.iter().any(|c| c == cert),
            "p12 found a certificate we did not"
        );
    }
}

/// Runs `f` with panics caught and the panic hook silenced (the fuzzer's hook aborts).
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    std::panic::set_hook(hook);
    result
}
