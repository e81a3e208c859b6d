//! Unit tests of the parent module.

use super::*;

const NOATTR: &[u8] = include_bytes!("../../../vectors/p7/huifu-noattr.p7b");
const ATTR: &[u8] = include_bytes!("../../../vectors/p7/huifu-attr.p7b");
const BER: &[u8] = include_bytes!("../../../vectors/p7/huifu-ber.p7b");
const BER_BIG: &[u8] = include_bytes!("../../../vectors/p7/huifu-ber-big.p7b");
const DETACHED: &[u8] = include_bytes!("../../../vectors/p7/huifu-detached.p7b");
const CONTENT: &[u8] = include_bytes!("../../../vectors/p7/content.b64");
const CONTENT_BIG: &[u8] = include_bytes!("../../../vectors/p7/content-big.b64");

#[test]
fn der_without_attributes() {
    let p = parse(NOATTR).unwrap();
    assert_eq!(p.encoding, Encoding::Der);
    assert_eq!(p.econtent.as_deref(), Some(CONTENT));
    assert_eq!(p.econtent_type, oid::DATA);
    assert_eq!(p.certificates.len(), 1);
    assert_eq!(p.signer_infos.len(), 1);
    let si = &p.signer_infos[0];
    assert!(si.signed_attributes.is_none());
    assert!(matches!(
        si.sid,
        SignerIdentifier::IssuerAndSerialNumber { .. }
    ));
    assert_eq!(si.digest_algorithm.oid, oid::SHA256);
    assert_eq!(si.signature.len(), 256);
}

#[test]
fn der_with_attributes_keeps_the_set() {
    let p = parse(ATTR).unwrap();
    let attrs = p.signer_infos[0].signed_attributes.as_ref().unwrap();
    assert_eq!(attrs.der[0], 0x31);
    assert_eq!(attrs.find(&oid::ATTR_MESSAGE_DIGEST).count(), 1);
    assert_eq!(attrs.find(&oid::ATTR_CONTENT_TYPE).count(), 1);
    // the SET's bytes are the [0] field's bytes with the tag replaced
    let pos = ATTR
        .windows(attrs.der.len() - 1)
        .position(|w| w == &attrs.der[1..])
        .unwrap();
    assert_eq!(ATTR[pos - 1], 0xa0);
}

#[test]
fn openssl_sends_attributes_sorted() {
    let p = parse(ATTR).unwrap();
    assert!(
        p.signer_infos[0]
            .signed_attributes
            .as_ref()
            .unwrap()
            .der_sorted
            .is_none()
    );
}

#[test]
fn ber_stream_is_reassembled() {
    let p = parse(BER).unwrap();
    assert_eq!(p.encoding, Encoding::Ber);
    assert_eq!(p.econtent.as_deref(), Some(CONTENT));
    let big = parse(BER_BIG).unwrap();
    assert_eq!(big.encoding, Encoding::Ber);
    assert_eq!(big.econtent.as_deref(), Some(CONTENT_BIG));
}

#[test]
fn detached_has_no_content() {
    assert!(parse(DETACHED).unwrap().econtent.is_none());
}

#[test]
fn trailing_and_truncated() {
    let mut long = NOATTR.to_vec();
    long.extend_from_slice(b"\0\0");
    assert!(matches!(
        parse(&long),
        Err(Error::TrailingData { count: 2, .. })
    ));
    for n in [0, 1, 2, 10, NOATTR.len() / 2, NOATTR.len() - 1] {
        assert!(matches!(parse(&NOATTR[..n]), Err(Error::Malformed { .. })));
    }
}

#[test]
fn other_content_types_are_refused() {
    // ContentInfo { data, [0] { OCTET STRING "" } }
    let ci = [
        0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x02,
        0x04, 0x00,
    ];
    assert!(matches!(
        parse(&ci),
        Err(Error::UnsupportedAlgorithm { .. })
    ));
}
