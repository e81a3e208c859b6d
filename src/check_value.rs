//! `check_value`: the wire form of a signature (protocol.md section 2), and the other forms users hold.
//!
//! On the wire a check_value is `base64(base64(der))`. Readers also accept one level of base64, PEM
//! (`PKCS7` or `CMS` labels) and binary DER/BER; [`decode`] detects which.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::{Error, Result};

/// The form an input arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputForm {
    /// `base64(base64(der))`, Huifu's check_value.
    CheckValue,
    /// One level of base64 around the DER/BER.
    Base64,
    /// PEM with a `PKCS7` or `CMS` label.
    Pem,
    /// Binary DER or BER.
    Binary,
}

/// Encodes a DER SignedData as a check_value: base64 twice.
pub fn encode(der: &[u8]) -> String {
    let once = STANDARD.encode(der);
    STANDARD.encode(once.as_bytes())
}

/// Decodes any accepted form to the PKCS#7 bytes (DER or BER), reporting which form it was.
///
/// Whitespace (spaces, tabs, newlines) inside base64 is tolerated; anything else that is not one of
/// the forms is [`Error::Malformed`].
pub fn decode(input: &[u8]) -> Result<(Vec<u8>, InputForm)> {
    let trimmed = input.trim_ascii();
    if trimmed.is_empty() {
        return Err(Error::malformed("check_value", "empty input"));
    }
    // Binary DER/BER always starts with a SEQUENCE tag; base64 and PEM text never start with 0x30
    // ('0' is a valid base64 character, but a DER SEQUENCE's second byte is a length, never text
    // that would make a sensible message: decide by the first byte, then validate by parsing).
    if trimmed[0] == 0x30 && !is_base64_text(trimmed) {
        return Ok((input.to_vec(), InputForm::Binary));
    }
    if trimmed.starts_with(b"-----BEGIN ") {
        return decode_pem(trimmed).map(|der| (der, InputForm::Pem));
    }
    let once = decode_base64(trimmed)?;
    if once.first() == Some(&0x30) {
        return Ok((once, InputForm::Base64));
    }
    let twice = decode_base64(&once)?;
    if twice.first() == Some(&0x30) {
        Ok((twice, InputForm::CheckValue))
    } else {
        Err(Error::malformed(
            "check_value",
            "base64 does not decode to a PKCS#7 structure",
        ))
    }
}

fn is_base64_text(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| {
        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') || b.is_ascii_whitespace()
    })
}

fn decode_base64(text: &[u8]) -> Result<Vec<u8>> {
    let invalid =
        |e: base64::DecodeError| Error::malformed("check_value", format!("invalid base64: {e}"));
    // Most inputs have no whitespace: decode them as they are, without a stripped copy first. The
    // decoder refuses whitespace, so an input with some fails here and is decoded again without
    // it, which gives what stripping it from the start gave.
    match STANDARD.decode(text) {
        Ok(bytes) => Ok(bytes),
        Err(e) if !text.iter().any(u8::is_ascii_whitespace) => Err(invalid(e)),
        Err(_) => {
            let compact: Vec<u8> = text
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            STANDARD.decode(&compact).map_err(invalid)
        }
    }
}

/// A PEM document labelled `PKCS7` or `CMS` (RFC 7468, read by `der`'s decoder).
fn decode_pem(text: &[u8]) -> Result<Vec<u8>> {
    let (label, der) = crate::asn1::pem::decode("PEM", text)?;
    if label != "PKCS7" && label != "CMS" {
        return Err(Error::malformed(
            "PEM",
            format!("label {label:?} is not PKCS7 or CMS"),
        ));
    }
    Ok(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DER: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x01];

    #[test]
    fn every_form_round_trips() {
        let cv = encode(DER);
        assert!(!cv.contains('+') && !cv.contains('/'));
        assert_eq!(
            decode(cv.as_bytes()).unwrap(),
            (DER.to_vec(), InputForm::CheckValue)
        );
        let once = STANDARD.encode(DER);
        assert_eq!(
            decode(once.as_bytes()).unwrap(),
            (DER.to_vec(), InputForm::Base64)
        );
        let pem = format!("-----BEGIN PKCS7-----\n{once}\n-----END PKCS7-----\n");
        assert_eq!(
            decode(pem.as_bytes()).unwrap(),
            (DER.to_vec(), InputForm::Pem)
        );
        let cms = format!("-----BEGIN CMS-----\r\n{once}\r\n-----END CMS-----");
        assert_eq!(decode(cms.as_bytes()).unwrap().1, InputForm::Pem);
        assert_eq!(decode(DER).unwrap(), (DER.to_vec(), InputForm::Binary));
    }

    #[test]
    fn whitespace_inside_base64_is_tolerated() {
        let cv = encode(DER);
        let (a, b) = cv.split_at(3);
        let spaced = format!(" {a}\n {b}\r\n");
        assert_eq!(decode(spaced.as_bytes()).unwrap().0, DER);
    }

    #[test]
    fn invalid_base64_reports_the_same_error_with_or_without_whitespace() {
        let message = |input: &[u8]| match decode(input) {
            Err(Error::Malformed { detail, .. }) => detail,
            other => panic!("{other:?}"),
        };
        assert_eq!(message(b"QUJD!QUJD"), message(b"QUJD !\nQUJD"));
        assert!(message(b"QUJD!QUJD").contains("invalid base64"));
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in [
            &b""[..],
            b"   ",
            b"not base64 !!",
            b"QUJD",
            b"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----",
            b"-----BEGIN PKCS7-----\nMAMCAQE=\n",
        ] {
            assert!(
                matches!(decode(bad), Err(Error::Malformed { .. })),
                "{bad:?}"
            );
        }
    }
}
