//! Our signatures against the OpenSSL CLI, and the SADK layout field for field.

use crate::common;

use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{SignedData, SignerIdentifier};
use common::*;
use der::asn1::{Null, OctetString};
use der::{Decode, Encode};
use huifu_cfca::ContentMode;
use huifu_cfca::signer::Signer;
use spki::AlgorithmIdentifierOwned;

/// The OIDs the SADK layout names (the crate keeps its own list private).
mod oid {
    use der::asn1::ObjectIdentifier as Oid;
    pub const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
    pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
}

fn assert_sadk_layout(der: &[u8], signer: &Signer, content: &[u8]) {
    let null = Some(der::Any::from(Null));
    let with_null = |o| AlgorithmIdentifierOwned {
        oid: o,
        parameters: null.clone(),
    };

    let ci = ContentInfo::from_der(der).expect("DER ContentInfo");
    assert_eq!(ci.content_type, oid::SIGNED_DATA);
    let sd: SignedData = ci.content.decode_as().expect("SignedData");
    assert_eq!(sd.version, CmsVersion::V1);
    assert_eq!(sd.digest_algorithms.as_slice(), &[with_null(oid::SHA256)]);
    assert_eq!(sd.encap_content_info.econtent_type, oid::DATA);
    let econtent: OctetString = sd
        .encap_content_info
        .econtent
        .as_ref()
        .expect("attached")
        .decode_as()
        .unwrap();
    assert_eq!(econtent.as_bytes(), content);
    let certs = sd.certificates.as_ref().expect("certificates");
    assert_eq!(certs.0.len(), 1, "signer certificate only");
    match certs.0.get(0) {
        Some(CertificateChoices::Certificate(c)) => assert_eq!(c, signer.certificate()),
        _ => panic!("expected the signer certificate"),
    }
    assert!(sd.crls.is_none());
    assert_eq!(sd.signer_infos.0.len(), 1);
    let si = sd.signer_infos.0.get(0).unwrap();
    assert_eq!(si.version, CmsVersion::V1);
    match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            assert_eq!(&ias.issuer, signer.certificate().tbs_certificate().issuer());
            assert_eq!(
                &ias.serial_number,
                signer.certificate().tbs_certificate().serial_number()
            );
        }
        SignerIdentifier::SubjectKeyIdentifier(_) => panic!("SADK uses IssuerAndSerialNumber"),
    }
    assert_eq!(si.digest_alg, with_null(oid::SHA256));
    assert!(si.signed_attrs.is_none(), "no signed attributes");
    assert_eq!(si.signature_algorithm, with_null(oid::RSA_ENCRYPTION));
    assert_eq!(si.signature.as_bytes().len() * 8, signer.key_bits());
    assert!(si.unsigned_attrs.is_none());
    // And nothing else: re-encoding gives the same bytes (DER is canonical).
    assert_eq!(ci.to_der().unwrap(), der);
}

fn openssl_verify(der: &[u8], extra: &[&str], tag: &str) -> (bool, Vec<u8>, String) {
    let dir = temp_dir(tag);
    let p7 = dir.join("msg.p7");
    let out = dir.join("content.out");
    std::fs::write(&p7, der).unwrap();
    let mut args = vec![
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        p7.to_str().unwrap(),
        "-out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let result = openssl(&args);
    let content = std::fs::read(&out).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    (
        result.status.success(),
        content,
        String::from_utf8_lossy(&result.stderr).into_owned(),
    )
}

#[test]
fn testdata_raw_with_as0381_has_the_sadk_layout_and_openssl_accepts_it() {
    if common::real::skip(
        "the SADK layout of a signature by the real AS0381.pfx, accepted by OpenSSL",
    ) {
        return;
    }
    let pfx = read(&shared_cfca("AS0381.pfx"));
    let signer = Signer::from_pfx(&pfx, "888888").expect("AS0381.pfx decodes");
    let der = signer
        .sign(b"TestData", ContentMode::Raw)
        .unwrap()
        .into_der();
    assert_sadk_layout(&der, &signer, b"TestData");
    let (ok, content, err) = openssl_verify(&der, &["-noverify"], "as0381");
    assert!(ok, "openssl cms -verify -noverify refused: {err}");
    assert_eq!(content, b"TestData");
}

#[test]
fn our_signatures_verify_with_openssl_against_the_vector_chain() {
    // OpenSSL's cms -verify takes the intermediate from the trust file (it has no -untrusted).
    let bundle = vector("chain/ca-bundle.pem");
    for name in ["merchant", "merchant1024", "merchant3072", "merchant4096"] {
        let signer = chain_signer(name);
        for (content, mode) in [
            (&b"TestData"[..], ContentMode::Raw),
            (br#"{"cmd_id":"301","x":"\u6c47"}"#, ContentMode::Huifu),
        ] {
            let der = signer.sign(content, mode).unwrap().into_der();
            assert_sadk_layout(&der, &signer, &mode.wrap(content));
            let (ok, got, err) = openssl_verify(
                &der,
                &[
                    "-CAfile",
                    bundle.to_str().unwrap(),
                    "-purpose",
                    "any",
                    "-attime",
                    "1735689600",
                ],
                name,
            );
            assert!(ok, "{name}: openssl refused: {err}");
            assert_eq!(got, mode.wrap(content), "{name}");
        }
    }
}

#[test]
fn a_tampered_signature_is_refused_by_openssl() {
    let signer = chain_signer("merchant");
    let mut der = signer
        .sign(b"TestData", ContentMode::Raw)
        .unwrap()
        .into_der();
    let last = der.len() - 1;
    der[last] ^= 1;
    let (ok, _, _) = openssl_verify(&der, &["-noverify"], "tampered");
    assert!(!ok, "a flipped signature bit must not verify");
}
