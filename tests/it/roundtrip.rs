//! Our own signatures round-trip through our verifier, chain and identity checks included.

use crate::common;

use common::*;
use huifu_cfca::chain::{TrustStore, VerifyTime};
use huifu_cfca::identity::SignerPin;
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::Verifier;
use huifu_cfca::{ContentMode, Error};

#[test]
fn as0381_signatures_verify_against_the_real_cfca_test_chain() {
    if common::real::skip("AS0381 signatures against the real CFCA test chain") {
        return;
    }
    let signer = Signer::from_pfx(&read(&shared_cfca("AS0381.pfx")), "888888").unwrap();
    let trust = TrustStore::from_files([
        shared_cfca("CFCA_ACS_TEST_OCA31.cer"),
        shared_cfca("CFCA_ACS_TEST_CA.cer"),
    ])
    .unwrap();
    let json = r#"{"cmd_id":"301","mer_cust_id":"6666000000035476","order_id":"汇付-1"}"#;
    let cv = signer
        .sign(json.as_bytes(), ContentMode::Huifu)
        .map(|m| m.check_value())
        .unwrap();
    let verifier = Verifier::builder()
        .trust(trust.clone())
        .pin(SignerPin::Id("AS0381".into()))
        .time(VerifyTime::at_unix(1_577_836_800)) // 2020-01-01, inside the test certificate's life
        .build()
        .unwrap();
    let message = verifier.verify(cv.as_bytes()).unwrap();
    assert_eq!(message.text().as_deref(), Some(json));
    assert_eq!(message.signer.cn_id.as_deref(), Some("AS0381"));

    // The default Huifu pin refuses a merchant's signature.
    let huifu = Verifier::builder()
        .trust(trust)
        .time(VerifyTime::at_unix(1_577_836_800))
        .build()
        .unwrap();
    assert!(matches!(
        huifu.verify(cv.as_bytes()),
        Err(Error::IdentityMismatch { .. })
    ));
}

#[test]
fn every_key_size_and_mode_round_trips_on_the_vector_chain() {
    let trust = TrustStore::from_files([vector("chain/root.cer")]).unwrap();
    for name in ["merchant1024", "merchant", "merchant3072", "merchant4096"] {
        let signer = chain_signer(name);
        let verifier = Verifier::builder()
            .trust(trust.clone())
            .extra_certs(vec![x509_cert::Certificate::clone(&oca())])
            .pin(SignerPin::Id("AS0381".into()))
            .build()
            .unwrap();
        for mode in [ContentMode::Raw, ContentMode::Huifu] {
            let content = br#"{"resp_code":"301000"}"#;
            let der = signer.sign(content, mode).unwrap().into_der();
            let message = verifier.verify(&der).unwrap();
            assert_eq!(message.content(mode), content, "{name} {mode:?}");
            assert!(!message.signed_attributes);
        }
    }
}

fn oca() -> x509_cert::Certificate {
    use der::Decode;
    x509_cert::Certificate::from_der(&read(&vector("chain/oca.cer"))).unwrap()
}
