//! One table of named hostile inputs across every entry point: check_value text, PKCS#7 DER/BER,
//! PFX, certificates and trust stores, builders, and the CLI. Each row names the error variant it
//! must produce (CLI rows: exit status 1 or 2, never a panic's 101).

use crate::common;

use std::io::Write as _;
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use der::{Decode as _, Encode as _};
use huifu_cfca::chain::{ParsedCertificate, TrustStore, VerifyTime};
use huifu_cfca::identity::SignerPin;
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::{self, Verifier};
use huifu_cfca::{ChainError, Error, check_value, pfx, pkcs7};
use rsa::pkcs8::DecodePrivateKey as _;
use x509_cert::Certificate;

use common::{read, vector};

const T2030: u64 = 1_893_456_000;

/// Which entry point a row feeds.
enum Entry {
    /// `check_value::decode`.
    Decode(Vec<u8>),
    /// `Verifier::verify`, signature only: no chain, any signer, any time.
    Verify(Vec<u8>),
    /// `Verifier::verify` as for Huifu's answers: root + OCA trusted, pin 100001, at 2030-01-01.
    VerifyChain(Vec<u8>),
    /// `pkcs7::parse::parse`.
    Parse(Vec<u8>),
    /// `verify::inspect`.
    Inspect(Vec<u8>),
    /// `pfx::load` with a password.
    Pfx(Vec<u8>, &'static str),
    /// `ParsedCertificate::from_der`.
    Cert(Vec<u8>),
    /// `TrustStore::add_bytes`.
    Trust(Vec<u8>),
    /// A builder or constructor call.
    Build(fn() -> Result<(), Error>),
    /// The CLI: arguments, standard input, environment.
    Cli(Vec<String>, Vec<u8>, Vec<(&'static str, &'static str)>),
}

/// What a row must produce.
enum Expect {
    /// An error of this variant.
    Err(fn(&Error) -> bool),
    /// A CLI exit status among these.
    Exit(&'static [i32]),
}

struct Row {
    name: &'static str,
    entry: Entry,
    expect: Expect,
}

fn p7(name: &str) -> Vec<u8> {
    read(&vector(&format!("p7/{name}")))
}

fn p12(name: &str) -> Vec<u8> {
    read(&vector(&format!("pfx/{name}")))
}

fn cer(name: &str) -> Vec<u8> {
    read(&vector(&format!("chain/{name}")))
}

fn path(rel: &str) -> String {
    vector(rel).display().to_string()
}

fn nested(levels: usize) -> Vec<u8> {
    let mut v = Vec::new();
    for _ in 0..levels {
        v.extend_from_slice(&[0x30, 0x80]);
    }
    v.extend(std::iter::repeat_n(0u8, levels * 2));
    v
}

/// `bytes` with the first occurrence of `from` replaced by `to` (same length).
fn patch(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern present");
    bytes[at..at + to.len()].copy_from_slice(to);
    bytes
}

fn truncated(mut bytes: Vec<u8>, by: usize) -> Vec<u8> {
    bytes.truncate(bytes.len() - by);
    bytes
}

fn trailing(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.push(0);
    bytes
}

/// cfca.p12 with its MAC iteration count replaced.
fn mac_iterations(iterations: u64) -> Vec<u8> {
    let outer: Vec<der::Any> = Vec::from_der(&p12("cfca.p12")).expect("PFX");
    let mut mac: Vec<der::Any> = outer[2].decode_as().expect("MacData");
    mac[2] = der::Any::from_der(&iterations.to_der().expect("INTEGER")).expect("INTEGER");
    let mac = der::Any::from_der(&mac.to_der().expect("MacData")).expect("MacData");
    vec![outer[0].clone(), outer[1].clone(), mac]
        .to_der()
        .expect("PFX")
}

/// A certificate whose signature BIT STRING claims one unused bit.
fn cert_unused_bits() -> Vec<u8> {
    let mut der = cer("merchant.cer");
    let at = der.len() - 257;
    assert_eq!(der[at - 4..at], [0x03, 0x82, 0x01, 0x01]);
    der[at] = 0x01;
    der
}

fn pem(label: &str, body: &str) -> Vec<u8> {
    format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n").into_bytes()
}

/// A local address nothing listens on: the request rows fail before any network use.
const LOCAL: &str = "http://127.0.0.1:9/api/merchantRequest";

/// `request` arguments with a PFX, an endpoint and parameters.
fn request<'a>(pfx: &'a str, endpoint: &'a str, params: &'a str) -> Vec<&'a str> {
    vec![
        "request",
        "--endpoint",
        endpoint,
        "--pfx",
        pfx,
        "--password-env",
        "PFX_PASS",
        "--trust",
        pfx,
        "--mer-cust-id",
        "6666000000026086",
        "--cmd-id",
        "301",
        "--params",
        params,
    ]
}

fn cli(args: &[&str]) -> Entry {
    Entry::Cli(
        args.iter().map(|s| s.to_string()).collect(),
        Vec::new(),
        Vec::new(),
    )
}

fn cli_in(args: &[&str], stdin: &[u8], env: &[(&'static str, &'static str)]) -> Entry {
    Entry::Cli(
        args.iter().map(|s| s.to_string()).collect(),
        stdin.to_vec(),
        env.to_vec(),
    )
}

macro_rules! err {
    ($p:pat) => {
        Expect::Err(|e| matches!(e, $p))
    };
}

fn row(name: &'static str, entry: Entry, expect: Expect) -> Row {
    Row {
        name,
        entry,
        expect,
    }
}

fn table() -> Vec<Row> {
    use Entry::*;
    let cv = p7("huifu-noattr.check_value");
    let noattr = p7("huifu-noattr.p7b");
    let garbage_file = path("p7/content.json");
    let cfca = path("pfx/cfca.p12");
    let pass = [("PFX_PASS", "888888")];
    let wrong = [("PFX_PASS", "wrong")];
    vec![
        // ---- check_value text ---------------------------------------------------------------
        row("cv: empty", Decode(vec![]), err!(Error::Malformed { .. })),
        row(
            "cv: whitespace only",
            Decode(b" \r\n\t ".to_vec()),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cv: not base64",
            Decode(b"not base64 !!".to_vec()),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cv: base64 of text, twice not PKCS#7",
            Decode(STANDARD.encode(STANDARD.encode("hello")).into_bytes()),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cv: truncated by 10 characters",
            Decode(truncated(cv.clone(), 10)),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cv: embedded NUL",
            Decode([&cv[..100], b"\0", &cv[100..]].concat()),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cv: URL-safe alphabet",
            Decode(URL_SAFE.encode([0xfb_u8; 30]).into_bytes()),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cv: PEM with a CERTIFICATE label",
            Decode(pem("CERTIFICATE", "MAMCAQE=")),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cv: PEM without END",
            Decode(b"-----BEGIN PKCS7-----\nMAMCAQE=\n".to_vec()),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cv: PEM with a bad base64 body",
            Decode(pem("PKCS7", "M@MCAQE=")),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cv: PEM body is not a SignedData",
            Verify(pem("PKCS7", "MAMCAQE=")),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cv: base64 of an INTEGER-only SEQUENCE",
            Verify(b"MAMCAQE=".to_vec()),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cv: 33 MiB of text",
            Verify(vec![b'A'; 33 << 20]),
            err!(Error::LimitExceeded { .. }),
        ),
        row(
            "cv: not UTF-8 PEM",
            Decode(
                [
                    b"-----BEGIN PKCS7-----\n\xff\xfe".as_slice(),
                    b"\n-----END PKCS7-----",
                ]
                .concat(),
            ),
            err!(Error::Malformed { .. }),
        ),
        // ---- PKCS#7 DER/BER --------------------------------------------------------------------
        row(
            "p7: truncated",
            Verify(p7("truncated.p7b")),
            err!(Error::Malformed { .. }),
        ),
        row(
            "p7: trailing byte",
            Verify(p7("trailing.p7b")),
            err!(Error::TrailingData { count: 1, .. }),
        ),
        row(
            "p7: lone SEQUENCE tag",
            Parse(vec![0x30]),
            err!(Error::Malformed { .. }),
        ),
        row(
            "p7: indefinite length without end-of-contents",
            Parse(vec![0x30, 0x80, 0x02, 0x01, 0x01]),
            err!(Error::Malformed { .. }),
        ),
        row(
            "p7: 4 GiB length",
            Parse(vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00]),
            err!(Error::Malformed { .. }),
        ),
        row(
            "p7: 5-byte length field",
            Parse(vec![0x30, 0x85, 0, 0, 0, 0, 1, 0]),
            err!(Error::Malformed { .. }),
        ),
        row(
            "p7: high tag number",
            Parse(vec![0x3f, 0x81, 0x01, 0x00]),
            err!(Error::Malformed { .. }),
        ),
        row(
            "p7: primitive with indefinite length",
            Parse(vec![0x30, 0x80, 0x04, 0x80, 0x00, 0x00, 0x00, 0x00]),
            err!(Error::Malformed { .. }),
        ),
        row(
            "p7: 100 nested SEQUENCEs",
            Verify(nested(100)),
            err!(Error::LimitExceeded { .. }),
        ),
        row(
            "p7: ContentInfo of type data",
            Parse(vec![
                0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0,
                0x02, 0x04, 0x00,
            ]),
            err!(Error::UnsupportedAlgorithm { .. }),
        ),
        row(
            "p7: SignedData version 7",
            Verify(patch(
                noattr.clone(),
                &[0x02, 0x01, 0x01, 0x31],
                &[0x02, 0x01, 0x07, 0x31],
            )),
            err!(Error::Malformed { .. }),
        ),
        row(
            "p7: detached",
            Verify(p7("huifu-detached.p7b")),
            err!(Error::DetachedSignature),
        ),
        row(
            "p7: two signers",
            Verify(p7("two-signers.p7b")),
            err!(Error::SignerCount(2)),
        ),
        row(
            "p7: no certificates",
            Verify(p7("huifu-nocerts.p7b")),
            err!(Error::SignerCertificateNotFound),
        ),
        row(
            "p7: tampered signature",
            Verify(p7("tampered-signature.p7b")),
            err!(Error::SignatureMismatch),
        ),
        row(
            "p7: tampered content",
            Verify(p7("tampered-content.p7b")),
            err!(Error::SignatureMismatch),
        ),
        row(
            "p7: tampered messageDigest",
            Verify(p7("tampered-attr.p7b")),
            err!(Error::DigestMismatch),
        ),
        row(
            "p7: SHA-1",
            Verify(p7("huifu-sha1.p7b")),
            err!(Error::WeakDigest(_)),
        ),
        row(
            "p7: RSA-PSS",
            Verify(p7("huifu-pss.p7b")),
            err!(Error::UnsupportedAlgorithm { .. }),
        ),
        row(
            "p7: ECDSA signer",
            Verify(p7("ec.p7b")),
            err!(Error::UnsupportedAlgorithm { .. }),
        ),
        row(
            "p7: 512-bit RSA",
            Verify(p7("small512.p7b")),
            err!(Error::LimitExceeded { .. }),
        ),
        row(
            "p7: expired signer",
            VerifyChain(p7("expired.p7b")),
            err!(Error::Chain(ChainError::Expired { .. })),
        ),
        row(
            "p7: signer not yet valid",
            VerifyChain(p7("future.p7b")),
            err!(Error::Chain(ChainError::NotYetValid { .. })),
        ),
        row(
            "p7: foreign root",
            VerifyChain(p7("foreign.p7b")),
            err!(Error::Chain(ChainError::UnknownIssuer { .. })),
        ),
        row(
            "p7: issuer not a CA",
            VerifyChain(p7("undernotca.p7b")),
            err!(Error::Chain(ChainError::IssuerNotCa { .. })),
        ),
        row(
            "p7: wrong key usage",
            VerifyChain(p7("wrongku.p7b")),
            err!(Error::Chain(ChainError::KeyUsage { .. })),
        ),
        row(
            "p7: unknown critical extension",
            VerifyChain(p7("critical.p7b")),
            err!(Error::Chain(ChainError::UnknownCriticalExtension { .. })),
        ),
        row(
            "p7: id containing 100001",
            VerifyChain(p7("other.p7b")),
            err!(Error::IdentityMismatch { .. }),
        ),
        row(
            "inspect: garbage",
            Inspect(b"\x30\x03\x02\x01".to_vec()),
            err!(Error::Malformed { .. }),
        ),
        // ---- PFX -------------------------------------------------------------------------------
        row(
            "pfx: empty",
            Pfx(vec![], "secret"),
            err!(Error::Malformed { .. }),
        ),
        row(
            "pfx: text",
            Pfx(b"hello world".to_vec(), "secret"),
            err!(Error::Malformed { .. }),
        ),
        row(
            "pfx: a PKCS#7 message",
            Pfx(noattr.clone(), "secret"),
            err!(Error::Malformed { .. }),
        ),
        row(
            "pfx: wrong password (MAC)",
            Pfx(p12("cfca.p12"), "wrong"),
            err!(Error::WrongPassword(_)),
        ),
        row(
            "pfx: wrong password (no MAC)",
            Pfx(p12("rc2-40-nomac.p12"), "wrong"),
            err!(Error::WrongPassword(_)),
        ),
        row(
            "pfx: truncated",
            Pfx(truncated(p12("cfca.p12"), 1), "888888"),
            err!(Error::Malformed { .. }),
        ),
        row(
            "pfx: trailing byte",
            Pfx(trailing(p12("cfca.p12")), "888888"),
            err!(Error::TrailingData { .. }),
        ),
        row(
            "pfx: version 2",
            Pfx(
                patch(p12("cfca.p12"), &[0x02, 0x01, 0x03], &[0x02, 0x01, 0x02]),
                "888888",
            ),
            err!(Error::Malformed { .. }),
        ),
        row(
            "pfx: no certificate",
            Pfx(p12("key-only.p12"), "secret"),
            err!(Error::NoCertificate),
        ),
        row(
            "pfx: no key",
            Pfx(p12("cert-only.p12"), "secret"),
            err!(Error::NoPrivateKey),
        ),
        row(
            "pfx: key and certificate differ",
            Pfx(p12("mismatch.p12"), "secret"),
            err!(Error::NoMatchingCertificate),
        ),
        row(
            "pfx: EC key",
            Pfx(p12("ec.p12"), "secret"),
            err!(Error::UnsupportedKey(_)),
        ),
        row(
            "pfx: 10^9 MAC iterations",
            Pfx(mac_iterations(1_000_000_000), "888888"),
            err!(Error::LimitExceeded { .. }),
        ),
        row(
            "pfx: 100 nested SEQUENCEs",
            Pfx(nested(100), ""),
            err!(Error::LimitExceeded { .. }),
        ),
        row(
            "pfx: 2 MiB",
            Pfx(vec![0x30; 2 << 20], ""),
            err!(Error::LimitExceeded { .. }),
        ),
        // ---- certificates and trust stores --------------------------------------------------
        row("cert: empty", Cert(vec![]), err!(Error::Malformed { .. })),
        row(
            "cert: truncated",
            Cert(truncated(cer("merchant.cer"), 1)),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cert: trailing byte",
            Cert(trailing(cer("merchant.cer"))),
            err!(Error::TrailingData { .. }),
        ),
        row(
            "cert: PEM given as DER",
            Cert(cer("merchant.pem")),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cert: signature with unused bits",
            Cert(cert_unused_bits()),
            err!(Error::Malformed { .. }),
        ),
        row(
            "cert: a PKCS#7 message",
            Cert(noattr.clone()),
            err!(Error::Malformed { .. }),
        ),
        row(
            "trust: no CERTIFICATE block",
            Trust(b"hello".to_vec()),
            err!(Error::Malformed { .. }),
        ),
        row(
            "trust: unterminated block",
            Trust(b"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n".to_vec()),
            err!(Error::Malformed { .. }),
        ),
        row(
            "trust: bad base64 in a block",
            Trust(pem("CERTIFICATE", "M@MCAQE=")),
            err!(Error::Malformed { .. }),
        ),
        row(
            "trust: a block that is not a certificate",
            Trust(pem("CERTIFICATE", "MAMCAQE=")),
            err!(Error::Malformed { .. }),
        ),
        row(
            "trust: DER that is not a certificate",
            Trust(vec![0x30, 0x03, 0x02, 0x01, 0x01]),
            err!(Error::Malformed { .. }),
        ),
        // ---- builders and constructors ----------------------------------------------------------
        row(
            "build: verifier without trust",
            Build(|| Verifier::builder().build().map(|_| ())),
            err!(Error::NoTrustAnchors),
        ),
        row(
            "build: verifier with an empty store",
            Build(|| {
                Verifier::builder()
                    .trust(TrustStore::new())
                    .build()
                    .map(|_| ())
            }),
            err!(Error::NoTrustAnchors),
        ),
        row(
            "build: signer key with another certificate",
            Build(|| {
                let pem = String::from_utf8(cer("merchant.key")).expect("PEM");
                let key = rsa::PrivateKey::from_pkcs8_pem(&pem).expect("key");
                let cert = Certificate::from_der(&cer("huifu.cer")).expect("cert");
                Signer::new(key, cert).map(|_| ())
            }),
            err!(Error::NoMatchingCertificate),
        ),
        row(
            "build: signer from a PFX with a wrong password",
            Build(|| Signer::from_pfx(&p12("cfca.p12"), "nope").map(|_| ())),
            err!(Error::WrongPassword(_)),
        ),
        // ---- CLI ---------------------------------------------------------------------------------
        row("cli: no arguments", cli(&[]), Expect::Exit(&[2])),
        row(
            "cli: unknown subcommand",
            cli(&["frobnicate"]),
            Expect::Exit(&[2]),
        ),
        row(
            "cli: sign without --pfx",
            cli(&["sign"]),
            Expect::Exit(&[2]),
        ),
        row(
            "cli: sign with a missing PFX file",
            cli_in(
                &[
                    "sign",
                    "--pfx",
                    "/nonexistent/x.pfx",
                    "--password-env",
                    "PFX_PASS",
                ],
                b"x",
                &pass,
            ),
            Expect::Exit(&[1]),
        ),
        row(
            "cli: sign with a JSON file as PFX",
            cli_in(
                &["sign", "--pfx", &garbage_file, "--password-env", "PFX_PASS"],
                b"x",
                &pass,
            ),
            Expect::Exit(&[1]),
        ),
        row(
            "cli: sign with a wrong password",
            cli_in(
                &["sign", "--pfx", &cfca, "--password-env", "PFX_PASS"],
                b"x",
                &wrong,
            ),
            Expect::Exit(&[1]),
        ),
        row(
            "cli: sign with an unset password variable",
            cli_in(
                &[
                    "sign",
                    "--pfx",
                    &cfca,
                    "--password-env",
                    "HOSTILE_UNSET_VAR",
                ],
                b"x",
                &[],
            ),
            Expect::Exit(&[1, 2]),
        ),
        row(
            "cli: sign --content bogus",
            cli(&["sign", "--pfx", &cfca, "--content", "bogus"]),
            Expect::Exit(&[2]),
        ),
        row(
            "cli: pfx with a JSON file",
            cli_in(
                &["pfx", "--pfx", &garbage_file, "--password-env", "PFX_PASS"],
                b"",
                &pass,
            ),
            Expect::Exit(&[1]),
        ),
        row(
            "cli: verify garbage from stdin",
            cli_in(&["verify", "--no-chain"], b"garbage!", &[]),
            Expect::Exit(&[1]),
        ),
        row(
            "cli: verify without trust or --no-chain",
            cli_in(&["verify"], &cv, &[]),
            Expect::Exit(&[2]),
        ),
        row(
            "cli: verify with a missing trust file",
            cli_in(&["verify", "--trust", "/nonexistent/ca.cer"], &cv, &[]),
            Expect::Exit(&[1]),
        ),
        row(
            "cli: verify with a JSON file as trust",
            cli_in(&["verify", "--trust", &garbage_file], &cv, &[]),
            Expect::Exit(&[1]),
        ),
        row(
            "cli: verify --at not a date",
            cli_in(&["verify", "--no-chain", "--at", "yesterday"], &cv, &[]),
            Expect::Exit(&[1, 2]),
        ),
        row(
            "cli: verify --no-chain with --trust",
            cli_in(&["verify", "--no-chain", "--trust", &cfca], &cv, &[]),
            Expect::Exit(&[2]),
        ),
        row(
            "cli: verify --in a missing file",
            cli(&["verify", "--no-chain", "--in", "/nonexistent/m"]),
            Expect::Exit(&[1]),
        ),
        row(
            "cli: verify deep nesting",
            cli_in(&["verify", "--no-chain"], &nested(1000), &[]),
            Expect::Exit(&[1]),
        ),
        row(
            "cli: request without arguments",
            cli(&["request"]),
            Expect::Exit(&[2]),
        ),
        row(
            "cli: request with a bad endpoint URL",
            cli_in(&request(&cfca, "::not a url::", "{}"), b"", &pass),
            Expect::Exit(&[2]),
        ),
        row(
            "cli: request with --params not JSON",
            cli_in(&request(&cfca, LOCAL, "{nope"), b"", &pass),
            Expect::Exit(&[2]),
        ),
        row(
            "cli: request with a JSON array as --params",
            cli_in(&request(&cfca, LOCAL, "[1]"), b"", &pass),
            Expect::Exit(&[2]),
        ),
        row(
            "cli: request with a JSON file as PFX",
            cli_in(&request(&garbage_file, LOCAL, "{}"), b"", &pass),
            Expect::Exit(&[1]),
        ),
        row(
            "cli: inspect garbage",
            cli_in(&["inspect"], b"\x30\x03\x02\x01", &[]),
            Expect::Exit(&[1]),
        ),
        row(
            "cli: inspect empty input",
            cli_in(&["inspect"], b"", &[]),
            Expect::Exit(&[1]),
        ),
    ]
}

fn run(entry: &Entry) -> Result<Result<(), Error>, i32> {
    let no_chain = || {
        Verifier::builder()
            .no_chain()
            .pin(SignerPin::Any)
            .time(VerifyTime::AnyTime)
            .build()
            .expect("verifier")
    };
    let huifu = || {
        let mut trust = TrustStore::new();
        trust.add_der(&cer("root.cer")).expect("root");
        trust.add_der(&cer("oca.cer")).expect("oca");
        Verifier::builder()
            .trust(trust)
            .time(VerifyTime::at_unix(T2030))
            .build()
            .expect("verifier")
    };
    Ok(match entry {
        Entry::Decode(d) => check_value::decode(d).map(|_| ()),
        Entry::Verify(d) => no_chain().verify(d).map(|_| ()),
        Entry::VerifyChain(d) => huifu().verify(d).map(|_| ()),
        Entry::Parse(d) => pkcs7::parse::parse(d).map(|_| ()),
        Entry::Inspect(d) => verify::inspect(d).map(|_| ()),
        Entry::Pfx(d, password) => pfx::load(d, password).map(|_| ()),
        Entry::Cert(d) => ParsedCertificate::from_der(d).map(|_| ()),
        Entry::Trust(d) => TrustStore::new().add_bytes(d).map(|_| ()),
        Entry::Build(f) => f(),
        Entry::Cli(args, stdin, env) => {
            let mut child = Command::new(env!("CARGO_BIN_EXE_huifu-cfca"))
                .args(args)
                .envs(env.iter().copied())
                .env_remove("HOSTILE_UNSET_VAR")
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the CLI starts");
            if let Some(mut input) = child.stdin.take() {
                // The CLI may exit before reading everything (a usage error): ignore EPIPE.
                let _ = input.write_all(stdin);
            }
            let out = child.wait_with_output().expect("the CLI runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            return Err(out.status.code().unwrap_or(-1));
        }
    })
}

#[test]
fn every_hostile_input_fails_with_its_variant() {
    let rows = table();
    assert!(rows.len() >= 50, "{} rows", rows.len());
    let mut names = std::collections::HashSet::new();
    let mut failures = Vec::new();
    for r in &rows {
        assert!(names.insert(r.name), "duplicate row name {}", r.name);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&r.entry)));
        let ok = match (&outcome, &r.expect) {
            (Ok(Ok(Err(e))), Expect::Err(check)) => check(e),
            (Ok(Err(code)), Expect::Exit(codes)) => *code != 101 && codes.contains(code),
            _ => false,
        };
        if !ok {
            let got = match &outcome {
                Ok(Ok(Ok(()))) => "Ok".to_string(),
                Ok(Ok(Err(e))) => format!("{e:?}"),
                Ok(Err(code)) => format!("exit {code}"),
                Err(_) => "panic".to_string(),
            };
            failures.push(format!("{}: got {got}", r.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} row(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_entry_point_is_covered() {
    let rows = table();
    let has = |f: fn(&Entry) -> bool| rows.iter().filter(|r| f(&r.entry)).count();
    assert!(has(|e| matches!(e, Entry::Decode(_) | Entry::Verify(_))) >= 10);
    assert!(has(|e| matches!(e, Entry::Parse(_) | Entry::VerifyChain(_))) >= 10);
    assert!(has(|e| matches!(e, Entry::Pfx(..))) >= 10);
    assert!(has(|e| matches!(e, Entry::Cert(_) | Entry::Trust(_))) >= 8);
    assert!(has(|e| matches!(e, Entry::Cli(..))) >= 10);
}
