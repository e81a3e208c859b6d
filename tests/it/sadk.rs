//! Byte-identical to CFCA's SADK: a real answer from Huifu, rebuilt from its own parts by our
//! builder, gives the same bytes.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::Decode;
use der::asn1::OctetString;
use huifu_cfca::pkcs7::build::{SignedDataTemplate, signed_data_der};

use crate::common::real;

#[test]
fn rebuilds_a_real_sadk_message_byte_for_byte() {
    if real::skip("rebuilding Huifu's real cmd 209 answer (made by CFCA's SADK) byte for byte") {
        return;
    }
    let check_value = std::fs::read(real::file("response_cmd209.check_value")).unwrap();
    let (der, _) = huifu_cfca::check_value::decode(&check_value).unwrap();
    let ci = ContentInfo::from_der(&der).unwrap();
    let sd: SignedData = ci.content.decode_as().unwrap();
    let econtent: OctetString = sd
        .encap_content_info
        .econtent
        .as_ref()
        .unwrap()
        .decode_as()
        .unwrap();
    let cert = match sd.certificates.as_ref().unwrap().0.get(0).unwrap() {
        CertificateChoices::Certificate(c) => c.clone(),
        CertificateChoices::Other(_) => panic!("unexpected certificate choice"),
    };
    let si = sd.signer_infos.0.get(0).unwrap();
    let rebuilt = signed_data_der(econtent.as_bytes(), &cert, si.signature.as_bytes()).unwrap();
    assert_eq!(rebuilt, der);
    let template = SignedDataTemplate::new(&cert, si.signature.as_bytes().len()).unwrap();
    let from_template = template
        .encode(econtent.as_bytes(), si.signature.as_bytes())
        .unwrap();
    assert_eq!(from_template, der);
}
