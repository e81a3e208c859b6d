//! Every single-byte change and every truncation of a valid message is rejected, without panics.
//!
//! Plain loops over a small message without signed attributes (huifu-raw.p7b: content
//! "TestData"): each byte XOR 0x01 and XOR 0xFF, in the DER and in its check_value text.

use std::path::PathBuf;

use huifu_cfca::chain::{TrustStore, VerifyTime};
use huifu_cfca::check_value;
use huifu_cfca::identity::SignerPin;
use huifu_cfca::verify::Verifier;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors");
const T2030: u64 = 1_893_456_000;

fn read(name: &str) -> Vec<u8> {
    let path = PathBuf::from(VECTORS).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn verifier() -> Verifier {
    // The message holds only the signer; the OCA comes from the store.
    let trust = TrustStore::from_files([
        PathBuf::from(VECTORS).join("chain/root.cer"),
        PathBuf::from(VECTORS).join("chain/oca.pem"),
    ])
    .unwrap();
    Verifier::builder()
        .trust(trust)
        .time(VerifyTime::at_unix(T2030))
        .pin(SignerPin::Any)
        .build()
        .unwrap()
}

/// Runs every mutation; returns descriptions of the ones that were accepted.
fn accepted_mutations(v: &Verifier, good: &[u8], label: &str) -> Vec<String> {
    let mut accepted = Vec::new();
    for i in 0..good.len() {
        for mask in [0x01u8, 0xff] {
            let mut m = good.to_vec();
            m[i] ^= mask;
            if let Ok(msg) = v.verify(&m) {
                accepted.push(format!(
                    "{label}: byte {i} ^ {mask:#04x} accepted with content {:?}",
                    String::from_utf8_lossy(&msg.econtent)
                ));
            }
        }
    }
    for n in 0..good.len() {
        if let Ok(msg) = v.verify(&good[..n]) {
            accepted.push(format!(
                "{label}: truncation to {n} bytes accepted with content {:?}",
                String::from_utf8_lossy(&msg.econtent)
            ));
        }
    }
    accepted
}

#[test]
fn every_byte_of_the_der_matters() {
    let v = verifier();
    let der = read("p7/huifu-raw.p7b");
    assert_eq!(v.verify(&der).unwrap().econtent, b"TestData");
    let accepted = accepted_mutations(&v, &der, "DER");
    assert!(accepted.is_empty(), "{}", accepted.join("\n"));
}

#[test]
fn every_byte_of_the_check_value_matters() {
    let v = verifier();
    let cv = check_value::encode(&read("p7/huifu-raw.p7b")).into_bytes();
    assert_eq!(v.verify(&cv).unwrap().econtent, b"TestData");
    let accepted = accepted_mutations(&v, &cv, "check_value");
    assert!(accepted.is_empty(), "{}", accepted.join("\n"));
}

#[test]
fn ber_mutations_never_change_the_content() {
    // BER with signed attributes: no mutation may be accepted with other content.
    let v = verifier();
    let ber = read("p7/huifu-ber.p7b");
    let content = read("p7/content.b64");
    assert_eq!(v.verify(&ber).unwrap().econtent, content);
    for i in 0..ber.len() {
        for mask in [0x01u8, 0xff] {
            let mut m = ber.clone();
            m[i] ^= mask;
            if let Ok(msg) = v.verify(&m) {
                assert_eq!(msg.econtent, content, "byte {i} ^ {mask:#04x}");
            }
        }
    }
    for n in 0..ber.len() {
        assert!(v.verify(&ber[..n]).is_err(), "truncation to {n}");
    }
}
