//! X.509 names: reading a DER Name's attributes, showing it as text (RFC 4514 order) and
//! comparing two names (RFC 5280 §7.1).
//!
//! Strings are read leniently: CFCA puts UTF-8 in T61String, which `x509-cert`'s typed
//! TeletexString rejects, so this module reads the raw value bytes itself.

use der::asn1::ObjectIdentifier;

use crate::asn1::{Reader, tag};
use crate::error::hex;
use crate::oid;
use crate::{Error, Result};

/// The subject's single common name as text, from a DER Name.
///
/// `Ok(None)` if there is no CN; an error if there are several (the identity would be ambiguous)
/// or the Name is malformed.
pub(crate) fn common_name(name_der: &[u8]) -> Result<Option<String>> {
    let mut found = None;
    for (attr, value_tag, value) in attributes(name_der)? {
        if attr == oid::AT_COMMON_NAME {
            if found.is_some() {
                return Err(Error::malformed(
                    "certificate subject",
                    "several common names",
                ));
            }
            found = Some(decode_string(value_tag, value).ok_or_else(|| {
                Error::malformed("certificate subject", "undecodable common name")
            })?);
        }
    }
    Ok(found)
}

/// A Name as text in RFC 4514 order (most specific first), strings read leniently.
///
/// Never fails: what cannot be read is shown as `#hex`.
pub(crate) fn name_to_string(name_der: &[u8]) -> String {
    let Ok(attrs) = attributes(name_der) else {
        return format!("#{}", hex(name_der));
    };
    let mut parts: Vec<String> = attrs
        .into_iter()
        .map(|(attr, value_tag, value)| {
            let key = short_name(&attr);
            match decode_string(value_tag, value) {
                Some(text) => format!("{key}={}", escape(&text)),
                None => format!("{key}=#{}", hex(value)),
            }
        })
        .collect();
    parts.reverse();
    parts.join(",")
}

/// Whether two DER Names are the same name, per RFC 5280 section 7.1 in the spirit of its
/// matching rules: identical bytes match; otherwise every attribute must have the same type and,
/// for directory strings, the same text after trimming, collapsing inner white space and case
/// folding, whatever string type each side used (CFCA issues merchant certificates whose issuer
/// says `PrintableString:CFCA ACS TEST OCA31` under an OCA31 whose subject says
/// `UTF8String:CFCA ACS TEST OCA31`; OpenSSL chains them, and so must we). Other values compare
/// by tag and bytes. Attributes are compared in order (multi-valued RDNs are flattened).
pub(crate) fn names_match(a_der: &[u8], b_der: &[u8]) -> bool {
    if a_der == b_der {
        return true;
    }
    let (Ok(a), Ok(b)) = (attributes(a_der), attributes(b_der)) else {
        return false;
    };
    a.len() == b.len()
        && a.iter().zip(b.iter()).all(|((oa, ta, va), (ob, tb, vb))| {
            oa == ob
                && match (decode_string(*ta, va), decode_string(*tb, vb)) {
                    (Some(x), Some(y)) => normalise(&x) == normalise(&y),
                    _ => ta == tb && va == vb,
                }
        })
}

/// Trimmed, inner white space collapsed to one space, lower-cased.
fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

type RawAttribute<'a> = (ObjectIdentifier, u8, &'a [u8]);

/// Every AttributeTypeAndValue of a DER Name, in encoding order.
fn attributes(name_der: &[u8]) -> Result<Vec<RawAttribute<'_>>> {
    const WHAT: &str = "Name";
    let mut outer = Reader::new(name_der);
    let name = outer.expect(tag::SEQUENCE, WHAT)?;
    outer.finish(WHAT)?;
    let mut out = Vec::new();
    let mut rdns = name.children();
    while !rdns.is_empty() {
        let rdn = rdns.expect(tag::SET, WHAT)?;
        let mut atvs = rdn.children();
        while !atvs.is_empty() {
            let mut atv = atvs.expect(tag::SEQUENCE, WHAT)?.children();
            let oid_tlv = atv.expect(tag::OID, WHAT)?;
            let attr = ObjectIdentifier::from_bytes(oid_tlv.value)
                .map_err(|e| Error::malformed(WHAT, e.to_string()))?;
            let value = atv.next()?;
            atv.finish(WHAT)?;
            out.push((attr, value.tag, value.value));
        }
    }
    Ok(out)
}

/// Decodes a directory string's value bytes.
fn decode_string(value_tag: u8, bytes: &[u8]) -> Option<String> {
    match value_tag {
        tag::UTF8_STRING => String::from_utf8(bytes.to_vec()).ok(),
        tag::PRINTABLE_STRING | tag::IA5_STRING => bytes
            .is_ascii()
            .then(|| String::from_utf8_lossy(bytes).into_owned()),
        // T61String: CFCA puts UTF-8 in it; otherwise read it as Latin-1.
        tag::T61_STRING => Some(match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
        }),
        tag::BMP_STRING => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| match c {
                    [hi, lo] => u16::from_be_bytes([*hi, *lo]),
                    _ => 0,
                })
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

fn short_name(attr: &ObjectIdentifier) -> String {
    let known: &[(ObjectIdentifier, &str)] = &[
        (oid::AT_COMMON_NAME, "CN"),
        (oid::AT_COUNTRY_NAME, "C"),
        (oid::AT_ORGANIZATION_NAME, "O"),
        (oid::AT_ORGANIZATIONAL_UNIT_NAME, "OU"),
        (oid::AT_LOCALITY_NAME, "L"),
        (oid::AT_STATE_OR_PROVINCE_NAME, "ST"),
        (oid::AT_SERIAL_NUMBER, "serialNumber"),
        (oid::AT_EMAIL_ADDRESS, "emailAddress"),
    ];
    known
        .iter()
        .find(|(o, _)| o == attr)
        .map(|(_, n)| (*n).to_string())
        .unwrap_or_else(|| attr.to_string())
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// SEQUENCE { SET { SEQUENCE { OID cn, <tag> value } } }
    pub(crate) fn name_with_cn(value_tag: u8, value: &[u8]) -> Vec<u8> {
        let mut atv = vec![0x06, 0x03, 0x55, 0x04, 0x03, value_tag, value.len() as u8];
        atv.extend_from_slice(value);
        let mut seq = vec![0x30, atv.len() as u8];
        seq.extend(atv);
        let mut set = vec![0x31, seq.len() as u8];
        set.extend(seq);
        let mut name = vec![0x30, set.len() as u8];
        name.extend(set);
        name
    }

    #[test]
    fn reads_t61_utf8_and_latin1() {
        let utf8_in_t61 = name_with_cn(tag::T61_STRING, "051@100001|汇付数据@Z@1".as_bytes());
        assert_eq!(
            common_name(&utf8_in_t61).unwrap().unwrap(),
            "051@100001|汇付数据@Z@1"
        );
        let latin1 = name_with_cn(tag::T61_STRING, &[b'A', 0xe9]);
        assert_eq!(common_name(&latin1).unwrap().unwrap(), "Aé");
        let printable = name_with_cn(tag::PRINTABLE_STRING, b"Root");
        assert_eq!(name_to_string(&printable), "CN=Root");
        let bmp = name_with_cn(tag::BMP_STRING, &[0x6c, 0x47]);
        assert_eq!(common_name(&bmp).unwrap().unwrap(), "汇");
        assert!(common_name(&[0x30, 0x00]).unwrap().is_none());
        assert!(common_name(&[0x31, 0x00]).is_err());
    }

    #[test]
    fn names_match_across_string_types_case_and_spaces() {
        let printable = name_with_cn(0x13, b"CFCA ACS TEST OCA31");
        let utf8 = name_with_cn(0x0c, b"CFCA  acs TEST OCA31 ");
        let other = name_with_cn(0x0c, b"CFCA ACS TEST OCA32");
        assert!(names_match(&printable, &printable));
        assert!(names_match(&printable, &utf8));
        assert!(!names_match(&printable, &other));
        assert!(!names_match(&printable, b"garbage"));
    }
}
