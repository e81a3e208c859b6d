//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod real;
pub mod splitmix;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use der::DecodePem;
use huifu_cfca::signer::Signer;
use rsa::pkcs8::DecodePrivateKey;
use x509_cert::Certificate;

/// A file of the real CFCA/Huifu material (see [`real`]; a test calls `real::skip` first).
pub fn shared_cfca(name: &str) -> PathBuf {
    real::file(name)
}

/// A file under this repository's `vectors/`.
pub fn vector(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join(rel)
}

/// Reads a file, failing the test with its path.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A signer from an OpenSSL-made PEM key and certificate in `vectors/chain/`.
pub fn chain_signer(name: &str) -> Signer {
    let key = String::from_utf8(read(&vector(&format!("chain/{name}.key")))).unwrap();
    let key = rsa::PrivateKey::from_pkcs8_pem(&key).unwrap();
    let cert = Certificate::from_pem(read(&vector(&format!("chain/{name}.pem")))).unwrap();
    Signer::new(key, cert).unwrap()
}

/// Why a test fails when it cannot start `openssl`, and how to fix it.
pub const OPENSSL_MISSING: &str = "cannot run `openssl`: the tests use the OpenSSL command-line \
     tool as the interop peer, so it must be on PATH. Install it: `apt-get install openssl` \
     (Debian, Ubuntu), `dnf install openssl` (Fedora), `apk add openssl` (Alpine), `brew install \
     openssl` (macOS), or the Win64 OpenSSL installer (Windows)";

/// Runs the OpenSSL CLI; fails the test, saying how to install it, if it cannot be started.
pub fn openssl(args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .output()
        .expect(OPENSSL_MISSING)
}

/// Runs the OpenSSL CLI and returns its standard output; fails the test with its error output.
pub fn openssl_ok(args: &[&str]) -> Vec<u8> {
    let out = openssl(args);
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Signs `input` with the OpenSSL CLI the way CFCA's SADK signs: attached content, SHA-256, no
/// signed attributes, DER (`openssl smime -sign -binary -noattr -md sha256 -nodetach -outform
/// DER`), adding the PEM certificates of `certfile` if given; writes the message to `out`.
pub fn smime_sign(input: &Path, cert: &Path, key: &Path, certfile: Option<&Path>, out: &Path) {
    let path = |p: &Path| p.to_str().expect("UTF-8 path").to_string();
    let (input, cert, key, out) = (path(input), path(cert), path(key), path(out));
    let mut args = vec![
        "smime",
        "-sign",
        "-binary",
        "-noattr",
        "-md",
        "sha256",
        "-nodetach",
        "-outform",
        "DER",
        "-in",
        &input,
        "-signer",
        &cert,
        "-inkey",
        &key,
        "-out",
        &out,
    ];
    let extra = certfile.map(path);
    if let Some(extra) = &extra {
        args.extend(["-certfile", extra.as_str()]);
    }
    openssl_ok(&args);
}

/// A fresh temporary directory for one test.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "huifu-cfca-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
