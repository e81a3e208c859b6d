//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod splitmix;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use der::DecodePem;
use huifu_cfca::signer::Signer;
use rsa::pkcs8::DecodePrivateKey;
use x509_cert::Certificate;

/// The real CFCA/Huifu material; panics (fails the test) when it is missing.
pub fn shared_cfca(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/cfca");
    assert!(
        dir.is_dir(),
        "the real CFCA vectors must be at {} (../shared beside the checkout)",
        dir.display()
    );
    dir.join(name)
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

/// Runs the OpenSSL CLI; panics if it cannot be started.
pub fn openssl(args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .output()
        .expect("the openssl command-line tool must be installed for the interop tests")
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
