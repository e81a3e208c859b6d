//! Verification against real Huifu answers and the OpenSSL-made matrix in vectors/p7/.

use std::path::PathBuf;

use crate::common::real;

use huifu_cfca::chain::{TrustStore, VerifyTime};
use huifu_cfca::check_value::{self, InputForm};
use huifu_cfca::identity::SignerPin;
use huifu_cfca::pkcs7::parse::Encoding;
use huifu_cfca::verify::{DigestAlgorithm, Verifier, inspect};
use huifu_cfca::{ChainError, ContentMode, Error};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors");
/// 2017-12-20T00:00:00Z: the day after the real cmd 209 answer.
const T2017_12_20: u64 = 1_513_728_000;
/// 2030-01-01T00:00:00Z: inside the vector chain's validity.
const T2030: u64 = 1_893_456_000;

fn real(name: &str) -> Vec<u8> {
    real::read(name)
}

fn vector(name: &str) -> Vec<u8> {
    let path = PathBuf::from(VECTORS).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn p7(name: &str) -> Vec<u8> {
    vector(&format!("p7/{name}"))
}

fn vector_trust() -> TrustStore {
    TrustStore::from_files([
        PathBuf::from(VECTORS).join("chain/root.pem"),
        PathBuf::from(VECTORS).join("chain/oca.cer"),
    ])
    .unwrap()
}

/// Huifu pin, chain to the vector root (the OCA comes from the store or the message), 2030.
fn matrix() -> Verifier {
    Verifier::builder()
        .trust(vector_trust())
        .time(VerifyTime::at_unix(T2030))
        .build()
        .unwrap()
}

/// Chain to the vector root only (intermediates must come from the message).
fn root_only() -> Verifier {
    let mut trust = TrustStore::new();
    trust.add_der(&vector("chain/root.cer")).unwrap();
    Verifier::builder()
        .trust(trust)
        .time(VerifyTime::at_unix(T2030))
        .build()
        .unwrap()
}

// ---- the real answers -----------------------------------------------------------------------

#[test]
fn real_folder_is_present() {
    if real::skip("that the real CFCA folder holds every file the tests read") {
        return;
    }
    for name in real::FILES {
        assert!(
            real::file(name).is_file(),
            "the real CFCA vectors are incomplete: no {name} in {}",
            real::dir().display()
        );
    }
}

#[test]
fn real_cfca_certificates_load() {
    if real::skip("loading the real CFCA test and production certificates") {
        return;
    }
    let store = TrustStore::from_files([
        real::file("CFCA_ACS_TEST_CA.cer"),
        real::file("CFCA_ACS_TEST_OCA31.cer"),
        real::file("CFCA_ACS_OCA31.cer"),
    ])
    .unwrap();
    assert_eq!(store.len(), 3);
    let mut pem = TrustStore::new();
    let mut both = real("CFCA_ACS_TEST_CA.cer");
    both.extend_from_slice(&real("CFCA_ACS_TEST_OCA31.cer"));
    assert_eq!(pem.add_pem(&both).unwrap(), 2);
}

fn real_trust() -> TrustStore {
    TrustStore::from_files([
        real::file("CFCA_ACS_TEST_OCA31.cer"),
        real::file("CFCA_ACS_TEST_CA.cer"),
    ])
    .unwrap()
}

/// The `verify` module's example, as written (issue 18 item 3): the test chain, a fixed time
/// parsed from `2017-12-20`, Huifu's id pinned by default.
#[test]
fn the_verify_module_example_works_as_written() {
    if real::skip("the verify module's example (Huifu's real cmd 209 answer)") {
        return;
    }
    let trust = TrustStore::from_files([
        real::file("CFCA_ACS_TEST_OCA31.cer"),
        real::file("CFCA_ACS_TEST_CA.cer"),
    ])
    .unwrap();
    let verifier = Verifier::builder()
        .trust(trust)
        .time("2017-12-20".parse().unwrap())
        .build()
        .unwrap();
    let answer = verifier
        .verify(&std::fs::read(real::file("response_cmd209.check_value")).unwrap())
        .unwrap();
    assert_eq!(answer.signer.cn_id.as_deref(), Some("100001"));
    assert!(answer.text().unwrap().contains("\"cmd_id\":\"209\""));
}

#[test]
fn real_cmd209_answer_verifies() {
    if real::skip("verifying Huifu's real cmd 209 answer against the CFCA test chain") {
        return;
    }
    let v = Verifier::builder()
        .trust(real_trust())
        .time(VerifyTime::at_unix(T2017_12_20))
        .build()
        .unwrap();
    let msg = v.verify(&real("response_cmd209.check_value")).unwrap();
    let json = String::from_utf8(real("response_cmd209.json")).unwrap();
    assert_eq!(msg.text().as_deref(), Some(json.as_str()));
    assert_eq!(msg.content(ContentMode::Huifu), json.as_bytes());
    assert_eq!(msg.input_form, InputForm::CheckValue);
    assert_eq!(msg.encoding, Encoding::Der);
    assert!(!msg.signed_attributes);
    assert_eq!(msg.digest_algorithm, DigestAlgorithm::Sha256);
    assert_eq!(msg.signer.cn_id.as_deref(), Some("100001"));
    assert_eq!(
        msg.signer.common_name.as_deref(),
        Some("051@100001@N3501040009317@1")
    );
    assert_eq!(msg.signer.not_before, "2017-09-13T04:17:05Z");
    assert!(msg.signer.issuer.contains("CN=CFCA ACS TEST OCA31"));
    assert_eq!(msg.chain.len(), 2, "signer -> OCA31 (an anchor)");

    // OCA31 alone is enough as an anchor; the root alone is not (the OCA31 is not in the message).
    let oca_only = TrustStore::from_files([real::file("CFCA_ACS_TEST_OCA31.cer")]).unwrap();
    let v = Verifier::builder()
        .trust(oca_only)
        .time(VerifyTime::at_unix(T2017_12_20))
        .build()
        .unwrap();
    assert!(v.verify(&real("response_cmd209.check_value")).is_ok());
    let root_only = TrustStore::from_files([real::file("CFCA_ACS_TEST_CA.cer")]).unwrap();
    let v = Verifier::builder()
        .trust(root_only)
        .time(VerifyTime::at_unix(T2017_12_20))
        .build()
        .unwrap();
    match v.verify(&real("response_cmd209.check_value")) {
        Err(Error::Chain(ChainError::UnknownIssuer { .. })) => {}
        other => panic!("{other:?}"),
    }
    // ... unless the OCA31 is given as an extra certificate.
    let oca31 = x509_from_pem(&real("CFCA_ACS_TEST_OCA31.cer"));
    let root_only = TrustStore::from_files([real::file("CFCA_ACS_TEST_CA.cer")]).unwrap();
    let v = Verifier::builder()
        .trust(root_only)
        .extra_certs(vec![oca31])
        .time(VerifyTime::at_unix(T2017_12_20))
        .build()
        .unwrap();
    assert_eq!(
        v.verify(&real("response_cmd209.check_value"))
            .unwrap()
            .chain
            .len(),
        3
    );
}

fn x509_from_pem(pem: &[u8]) -> x509_cert::Certificate {
    use der::DecodePem as _;
    x509_cert::Certificate::from_pem(pem).unwrap()
}

#[test]
fn real_cmd209_answer_is_refused_when_expired_or_by_the_production_chain() {
    if real::skip("refusing Huifu's real cmd 209 answer when expired or by the production chain") {
        return;
    }
    // Now: the signer (2017-09-13 .. 2019-09-13) has expired.
    let v = Verifier::huifu(real_trust()).unwrap();
    assert!(matches!(
        v.verify(&real("response_cmd209.check_value")),
        Err(Error::Chain(ChainError::Expired { .. }))
    ));
    // The production OCA31 did not issue the test signer.
    let prod = TrustStore::from_files([real::file("CFCA_ACS_OCA31.cer")]).unwrap();
    let v = Verifier::builder()
        .trust(prod)
        .time(VerifyTime::at_unix(T2017_12_20))
        .build()
        .unwrap();
    assert!(matches!(
        v.verify(&real("response_cmd209.check_value")),
        Err(Error::Chain(ChainError::UnknownIssuer { .. }))
    ));
    // Pinned to someone else.
    let v = Verifier::builder()
        .trust(real_trust())
        .time(VerifyTime::at_unix(T2017_12_20))
        .pin(SignerPin::Id("10000".into()))
        .build()
        .unwrap();
    match v.verify(&real("response_cmd209.check_value")) {
        Err(Error::IdentityMismatch { expected, found }) => {
            assert_eq!((expected.as_str(), found.as_str()), ("10000", "100001"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn real_cmd204_old_chain_verifies_signature_only() {
    if real::skip("Huifu's real cmd 204 result on its retired chain (signature only)") {
        return;
    }
    let v = Verifier::builder().no_chain().build().unwrap();
    let msg = v
        .verify(&real("result_cmd204_oldchain.check_value"))
        .unwrap();
    let json = String::from_utf8(real("result_cmd204_oldchain.json")).unwrap();
    assert_eq!(msg.text().as_deref(), Some(json.as_str()));
    assert_eq!(msg.signer.cn_id.as_deref(), Some("100001"));
    assert_eq!(
        msg.signer.common_name.as_deref(),
        Some("051@100001|汇付数据@Zxxx@1")
    );
    assert!(msg.chain.is_empty());
    // Chain validation refuses it: this retired 2015 certificate's extendedKeyUsage is
    // clientAuth only, which does not allow signing messages (RFC 5280 §4.2.1.12; `openssl cms
    // -verify` refuses it as "unsuitable certificate purpose"), and its chain (CFCA TEST OCA1)
    // is not available either. Today's Huifu certificate has clientAuth + emailProtection.
    let v = Verifier::builder()
        .trust(real_trust())
        .time(VerifyTime::at_unix(1_486_080_000))
        .allow_sha1(true)
        .build()
        .unwrap();
    assert!(matches!(
        v.verify(&real("result_cmd204_oldchain.check_value")),
        Err(Error::Chain(ChainError::ExtendedKeyUsage { .. }))
    ));
}

#[test]
fn real_answers_inspect() {
    if real::skip("inspecting Huifu's real answers") {
        return;
    }
    let i = inspect(&real("response_cmd209.check_value")).unwrap();
    assert_eq!(i.certificate_count, 1);
    assert!(i.huifu_wrapped);
    assert_eq!(i.signers[0].signature_algorithm, "rsaEncryption");
    let i = inspect(&real("result_cmd204_oldchain.check_value")).unwrap();
    assert_eq!(
        i.signers[0].certificate.as_ref().unwrap().cn_id.as_deref(),
        Some("100001")
    );
}

// ---- the OpenSSL matrix: accepted ----------------------------------------------------------

#[test]
fn accepted_forms() {
    let content = p7("content.b64");
    let json = p7("content.json");
    let v = matrix();
    for (name, attrs, encoding) in [
        ("huifu-noattr.p7b", false, Encoding::Der),
        ("huifu-attr.p7b", true, Encoding::Der),
        ("huifu-sha512.p7b", true, Encoding::Der),
        ("huifu-chain.p7b", true, Encoding::Der),
        ("huifu-ber.p7b", true, Encoding::Ber),
        ("huifu-smime.p7b", true, Encoding::Der),
        ("huifu-smime.pem", true, Encoding::Der),
        ("huifu-noattr.check_value", false, Encoding::Der),
    ] {
        let msg = v
            .verify(&p7(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(msg.econtent, content, "{name}");
        assert_eq!(msg.content(ContentMode::Huifu), json, "{name}");
        assert_eq!(msg.content(ContentMode::Raw), content, "{name}");
        assert_eq!(msg.signed_attributes, attrs, "{name}");
        assert_eq!(msg.encoding, encoding, "{name}");
        assert_eq!(msg.signer.cn_id.as_deref(), Some("100001"), "{name}");
    }
    let msg = v.verify(&p7("huifu-sha512.p7b")).unwrap();
    assert_eq!(msg.digest_algorithm, DigestAlgorithm::Sha512);
    let msg = v.verify(&p7("huifu-ber-big.p7b")).unwrap();
    assert_eq!(msg.econtent, p7("content-big.b64"));
    assert_eq!(msg.encoding, Encoding::Ber);
}

#[test]
fn every_input_form_is_accepted() {
    let der = p7("huifu-noattr.p7b");
    let v = matrix();
    let once = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&der)
    };
    for (input, form) in [
        (der.clone(), InputForm::Binary),
        (once.into_bytes(), InputForm::Base64),
        (
            check_value::encode(&der).into_bytes(),
            InputForm::CheckValue,
        ),
    ] {
        assert_eq!(v.verify(&input).unwrap().input_form, form);
    }
    assert_eq!(
        v.verify(&p7("huifu-smime.pem")).unwrap().input_form,
        InputForm::Pem
    );
}

#[test]
fn chain_from_the_message() {
    // Only the root is trusted: the OCA must come from the message.
    assert!(
        root_only()
            .verify(&p7("huifu-chain.p7b"))
            .unwrap()
            .chain
            .len()
            == 3
    );
    match root_only().verify(&p7("huifu-attr.p7b")) {
        Err(Error::Chain(ChainError::UnknownIssuer { .. })) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn raw_content_and_merchants() {
    let any = Verifier::builder()
        .trust(vector_trust())
        .time(VerifyTime::at_unix(T2030))
        .pin(SignerPin::Any)
        .build()
        .unwrap();
    let msg = any.verify(&p7("huifu-raw.p7b")).unwrap();
    assert_eq!(msg.econtent, b"TestData");
    assert_eq!(msg.text(), None);
    assert_eq!(msg.content(ContentMode::Huifu), b"TestData");
    let merchant = Verifier::builder()
        .trust(vector_trust())
        .time(VerifyTime::at_unix(T2030))
        .pin(SignerPin::Id("AS0381".into()))
        .build()
        .unwrap();
    for name in [
        "merchant-noattr.p7b",
        "merchant1024.p7b",
        "merchant3072.p7b",
        "merchant4096.p7b",
    ] {
        assert!(merchant.verify(&p7(name)).is_ok(), "{name}");
    }
}

#[test]
fn detached() {
    let v = matrix();
    assert!(matches!(
        v.verify(&p7("huifu-detached.p7b")),
        Err(Error::DetachedSignature)
    ));
    let msg = v
        .verify_detached(&p7("huifu-detached.p7b"), &p7("content.b64"))
        .unwrap();
    assert_eq!(msg.econtent, p7("content.b64"));
    assert!(matches!(
        v.verify_detached(&p7("huifu-detached.p7b"), &p7("content-wrong.b64")),
        Err(Error::DigestMismatch)
    ));
    // an attached message with its own content is fine; with other content it is not
    assert!(
        v.verify_detached(&p7("huifu-attr.p7b"), &p7("content.b64"))
            .is_ok()
    );
    assert!(
        v.verify_detached(&p7("huifu-attr.p7b"), &p7("content-wrong.b64"))
            .is_err()
    );
}

#[test]
fn sha1_needs_the_opt_in() {
    let v = matrix();
    for name in ["huifu-sha1.p7b", "huifu-sha1-noattr.p7b"] {
        assert!(
            matches!(v.verify(&p7(name)), Err(Error::WeakDigest(_))),
            "{name}"
        );
    }
    let sha1 = Verifier::builder()
        .trust(vector_trust())
        .time(VerifyTime::at_unix(T2030))
        .allow_sha1(true)
        .build()
        .unwrap();
    for name in ["huifu-sha1.p7b", "huifu-sha1-noattr.p7b"] {
        let msg = sha1.verify(&p7(name)).unwrap();
        assert_eq!(msg.digest_algorithm, DigestAlgorithm::Sha1);
    }
}

// ---- the OpenSSL matrix: rejected ----------------------------------------------------------

#[test]
fn tampering_is_detected() {
    let v = matrix();
    assert!(matches!(
        v.verify(&p7("tampered-content.p7b")),
        Err(Error::SignatureMismatch)
    ));
    assert!(matches!(
        v.verify(&p7("tampered-signature.p7b")),
        Err(Error::SignatureMismatch)
    ));
    assert!(matches!(
        v.verify(&p7("tampered-attr.p7b")),
        Err(Error::DigestMismatch)
    ));
    assert!(matches!(
        v.verify(&p7("tampered-signingtime.p7b")),
        Err(Error::SignatureMismatch)
    ));
    assert!(matches!(
        v.verify(&p7("trailing.p7b")),
        Err(Error::TrailingData { count: 1, .. })
    ));
    assert!(matches!(
        v.verify(&p7("truncated.p7b")),
        Err(Error::Malformed { .. })
    ));
    // content tampered in a message with signed attributes: the messageDigest no longer matches
    let mut attr = p7("huifu-attr.p7b");
    let content = p7("content.b64");
    let at = attr
        .windows(content.len())
        .position(|w| w == content.as_slice())
        .unwrap();
    attr[at + 3] ^= 0x01;
    assert!(matches!(v.verify(&attr), Err(Error::DigestMismatch)));
}

#[test]
fn wrong_signers_are_refused() {
    let v = matrix();
    match v.verify(&p7("other.p7b")) {
        Err(Error::IdentityMismatch { expected, found }) => {
            assert_eq!(expected, "100001");
            assert_eq!(found, "1000011");
        }
        other => panic!("other: {other:?}"),
    }
    assert!(matches!(
        v.verify(&p7("expired.p7b")),
        Err(Error::Chain(ChainError::Expired { .. }))
    ));
    assert!(matches!(
        v.verify(&p7("future.p7b")),
        Err(Error::Chain(ChainError::NotYetValid { .. }))
    ));
    let chain_error = |name: &str| match v.verify(&p7(name)) {
        Err(Error::Chain(e)) => e,
        other => panic!("{name}: {other:?}"),
    };
    assert!(matches!(
        chain_error("wrongku.p7b"),
        ChainError::KeyUsage {
            needed: "digitalSignature or nonRepudiation",
            ..
        }
    ));
    assert!(matches!(
        chain_error("undernotca.p7b"),
        ChainError::IssuerNotCa { .. }
    ));
    assert!(matches!(
        chain_error("foreign.p7b"),
        ChainError::UnknownIssuer { .. }
    ));
    assert!(matches!(
        v.verify(&p7("huifu-nocerts.p7b")),
        Err(Error::SignerCertificateNotFound)
    ));
    assert!(matches!(
        v.verify(&p7("huifu-pss.p7b")),
        Err(Error::UnsupportedAlgorithm { .. })
    ));
}

#[test]
fn opt_outs_are_explicit() {
    // Expired signer accepted only with AnyTime (or a time inside its validity).
    let any_time = Verifier::builder()
        .trust(vector_trust())
        .time(VerifyTime::AnyTime)
        .build()
        .unwrap();
    assert!(any_time.verify(&p7("expired.p7b")).is_ok());
    let then = Verifier::builder()
        .trust(vector_trust())
        .time(VerifyTime::at_unix(1_590_000_000))
        .build()
        .unwrap();
    assert!(then.verify(&p7("expired.p7b")).is_ok());
    // The other merchant passes with the pin disabled.
    let any_signer = Verifier::builder()
        .trust(vector_trust())
        .time(VerifyTime::at_unix(T2030))
        .pin(SignerPin::Any)
        .build()
        .unwrap();
    assert!(any_signer.verify(&p7("other.p7b")).is_ok());
    // No certificate in the message: the caller supplies the signer's.
    let huifu = x509_from_pem(&vector("chain/huifu.pem"));
    let with_signer = Verifier::builder()
        .trust(vector_trust())
        .time(VerifyTime::at_unix(T2030))
        .extra_certs(vec![huifu])
        .build()
        .unwrap();
    assert!(with_signer.verify(&p7("huifu-nocerts.p7b")).is_ok());
    // No chain: the foreign-rooted signer passes (signature and pin only).
    let no_chain = Verifier::builder().no_chain().build().unwrap();
    assert!(no_chain.verify(&p7("foreign.p7b")).is_ok());
    assert!(matches!(
        no_chain.verify(&p7("tampered-signature.p7b")),
        Err(Error::SignatureMismatch)
    ));
}

#[test]
fn verifier_is_shared_across_threads() {
    let v = matrix();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let v = v.clone();
            let input = p7("huifu-noattr.p7b");
            std::thread::spawn(move || v.verify(&input).is_ok())
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap());
    }
}

// ---- more rules: signer identifiers, signer counts, algorithms, extra chain rules -----------

#[test]
fn subject_key_identifier_signer() {
    let msg = matrix().verify(&p7("huifu-keyid.p7b")).unwrap();
    assert_eq!(msg.signer.cn_id.as_deref(), Some("100001"));
}

#[test]
fn signer_count() {
    assert!(matches!(
        matrix().verify(&p7("two-signers.p7b")),
        Err(Error::SignerCount(2))
    ));
    // Every signer must verify; the merchant fails the Huifu pin.
    let two = |pin| {
        Verifier::builder()
            .trust(vector_trust())
            .time(VerifyTime::at_unix(T2030))
            .require_single_signer(false)
            .pin(pin)
            .build()
            .unwrap()
    };
    assert!(matches!(
        two(SignerPin::huifu()).verify(&p7("two-signers.p7b")),
        Err(Error::IdentityMismatch { .. })
    ));
    let msg = two(SignerPin::Any).verify(&p7("two-signers.p7b")).unwrap();
    assert_eq!(msg.econtent, p7("content.b64"));
}

/// huifu-noattr.p7b with the SignerInfo's signatureAlgorithm OID's last byte replaced.
fn with_signature_oid_last_byte(last: u8) -> Vec<u8> {
    let mut der = p7("huifu-noattr.p7b");
    let rsa = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
    ];
    let at = der
        .windows(rsa.len())
        .rposition(|w| w == rsa)
        .expect("rsaEncryption in the SignerInfo");
    der[at + rsa.len() - 1] = last;
    der
}

#[test]
fn signature_algorithm_must_agree_with_the_digest() {
    let v = matrix();
    // sha256WithRSAEncryption with a sha256 digest: the same signature, accepted
    assert!(v.verify(&with_signature_oid_last_byte(0x0b)).is_ok());
    // sha512WithRSAEncryption with a sha256 digest
    assert!(matches!(
        v.verify(&with_signature_oid_last_byte(0x0d)),
        Err(Error::AlgorithmMismatch(_))
    ));
    // RSASSA-PSS: unsupported, never a signature mismatch
    assert!(matches!(
        v.verify(&with_signature_oid_last_byte(0x0a)),
        Err(Error::UnsupportedAlgorithm { .. })
    ));
    assert!(matches!(
        v.verify(&p7("ec.p7b")),
        Err(Error::UnsupportedAlgorithm { .. })
    ));
}

#[test]
fn extra_chain_rules() {
    let v = matrix();
    let chain_error = |name: &str| match v.verify(&p7(name)) {
        Err(Error::Chain(e)) => e,
        other => panic!("{name}: {other:?}"),
    };
    match chain_error("critical.p7b") {
        ChainError::UnknownCriticalExtension { oid, .. } => assert_eq!(oid, "1.2.3.4.5"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        chain_error("undersubca.p7b"),
        ChainError::PathLenExceeded { .. }
    ));
    assert!(matches!(
        v.verify(&p7("small512.p7b")),
        Err(Error::LimitExceeded { .. })
    ));
}

#[test]
fn inspect_the_matrix() {
    let i = inspect(&p7("two-signers.p7b")).unwrap();
    assert_eq!(i.signers.len(), 2);
    assert_eq!(i.certificate_count, 2);
    let i = inspect(&p7("huifu-detached.p7b")).unwrap();
    assert_eq!(i.content_length, None);
    let i = inspect(&p7("huifu-keyid.p7b")).unwrap();
    assert!(i.signers[0].signer_id.starts_with("subjectKeyIdentifier"));
    assert!(i.signers[0].certificate.is_some());
}

#[test]
fn t61_cn_with_utf8_bytes() {
    let msg = matrix().verify(&p7("t61utf8.p7b")).unwrap();
    assert_eq!(msg.signer.cn_id.as_deref(), Some("100001"));
    assert_eq!(
        msg.signer.common_name.as_deref(),
        Some("051@100001|汇付数据@T61UTF8@1")
    );
    assert!(
        msg.signer
            .subject
            .starts_with("CN=051@100001|汇付数据@T61UTF8@1,")
    );
}

#[test]
fn merchants_fail_the_huifu_pin() {
    for name in [
        "merchant-noattr.p7b",
        "merchant1024.p7b",
        "merchant4096.p7b",
    ] {
        match matrix().verify(&p7(name)) {
            Err(Error::IdentityMismatch { found, .. }) => assert_eq!(found, "AS0381"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn huifu_verifier_without_anchors() {
    // Refused when the verifier is built, not at the first verification.
    assert!(matches!(
        Verifier::huifu(TrustStore::new()),
        Err(Error::NoTrustAnchors)
    ));
}
