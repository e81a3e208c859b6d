//! Who signed: the CFCA CN `051@<id>@<org>@<n>` and identity pinning (protocol.md section 4).
//!
//! The CN comes as T61String (whose bytes may be UTF-8, which `x509-cert`'s typed TeletexString
//! rejects), UTF8String or PrintableString; this module reads the raw value bytes itself. The id is
//! the CN's second field up to an optional `|` (older Huifu certificates carry `100001|汇付数据`),
//! and a pin compares it exactly: never as a substring.

use der::asn1::ObjectIdentifier;

use crate::asn1::{Reader, tag};
use crate::oid;
use crate::{Error, Result};

/// Huifu's own customer id: the signer of every answer and notification.
pub const HUIFU_ID: &str = "100001";

/// Which signer a verifier accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerPin {
    /// The signer's CN id must equal this exactly.
    Id(String),
    /// Any signer the chain accepts (an explicit opt-out of identity pinning).
    Any,
}

impl SignerPin {
    /// The pin for Huifu's answers: [`HUIFU_ID`].
    pub fn huifu() -> Self {
        SignerPin::Id(HUIFU_ID.to_string())
    }

    /// Checks a signer's CN against the pin.
    pub fn check(&self, cn: Option<&CfcaCn>) -> Result<()> {
        match self {
            SignerPin::Any => Ok(()),
            SignerPin::Id(expected) => match cn {
                Some(cn) if cn.id == *expected => Ok(()),
                Some(cn) => Err(Error::IdentityMismatch {
                    expected: expected.clone(),
                    found: crate::error::escape_untrusted(&cn.id),
                }),
                None => Err(Error::IdentityMismatch {
                    expected: expected.clone(),
                    found: "(no CFCA common name)".to_string(),
                }),
            },
        }
    }
}

/// A CFCA common name `051@<id>@<org>@<n>`, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CfcaCn {
    /// The whole CN text.
    pub cn: String,
    /// The leading type field (`051` for the certificates seen).
    pub kind: String,
    /// The customer id (the part before an optional `|`).
    pub id: String,
    /// What followed `|` in the id field (e.g. `汇付数据`), if anything.
    pub id_label: Option<String>,
    /// The organisation code field.
    pub org: String,
    /// The trailing sequence field.
    pub n: String,
}

impl CfcaCn {
    /// Splits a CN of the form `051@<id>@<org>@<n>`; `None` if it has another shape.
    ///
    /// The shape is checked whole: exactly four `@`-separated fields, the type field three ASCII
    /// digits, and every field non-empty (the id before an optional `|` label too). No field may
    /// carry white space at its ends or a control character: ` 051@…`, `100001@100001@…` (a type
    /// that is no type) and `051@100001@@1` are not CFCA CNs, so they never match a pin.
    pub fn parse(cn: &str) -> Option<Self> {
        let mut parts = cn.split('@');
        let kind = parts.next()?;
        let id_field = parts.next()?;
        let org = parts.next()?;
        let n = parts.next()?;
        if parts.next().is_some() {
            return None;
        }
        if kind.len() != 3 || !kind.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let clean = |f: &str| !f.is_empty() && f.trim() == f && !f.chars().any(char::is_control);
        if !clean(org) || !clean(n) {
            return None;
        }
        let (id, id_label) = match id_field.split_once('|') {
            Some((id, label)) => (id, Some(label.to_string())),
            None => (id_field, None),
        };
        if !clean(id) {
            return None;
        }
        Some(CfcaCn {
            cn: cn.to_string(),
            kind: kind.to_string(),
            id: id.to_string(),
            id_label,
            org: org.to_string(),
            n: n.to_string(),
        })
    }
}

/// The subject's single common name as text, from a DER Name.
///
/// `Ok(None)` if there is no CN; an error if there are several (the identity would be ambiguous)
/// or the Name is malformed.
pub fn common_name(name_der: &[u8]) -> Result<Option<String>> {
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

/// The subject's CFCA CN, if the subject has one common name of that shape.
pub fn cfca_cn(name_der: &[u8]) -> Result<Option<CfcaCn>> {
    Ok(common_name(name_der)?.as_deref().and_then(CfcaCn::parse))
}

/// A Name as text in RFC 4514 order (most specific first), strings read leniently.
///
/// Never fails: what cannot be read is shown as `#hex`.
pub fn name_to_string(name_der: &[u8]) -> String {
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
pub fn names_match(a_der: &[u8], b_der: &[u8]) -> bool {
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SEQUENCE { SET { SEQUENCE { OID cn, <tag> value } } }
    fn name_with_cn(value_tag: u8, value: &[u8]) -> Vec<u8> {
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
    fn parses_cfca_cns() {
        let cn = CfcaCn::parse("051@100001@N3501040009317@1").unwrap();
        assert_eq!((cn.kind.as_str(), cn.id.as_str()), ("051", "100001"));
        assert_eq!(cn.org, "N3501040009317");
        let old = CfcaCn::parse("051@100001|汇付数据@Zxxx@1").unwrap();
        assert_eq!(old.id, "100001");
        assert_eq!(old.id_label.as_deref(), Some("汇付数据"));
        assert!(CfcaCn::parse("VECTORS ACS TEST CA").is_none());
        assert!(CfcaCn::parse("051@@x@1").is_none());
        assert!(CfcaCn::parse("051@1@x@1@extra").is_none());
        // The shape is checked whole (verifier hardening, item 10): a three-digit type, every
        // field present, non-empty and without white space at its ends or control characters.
        for bad in [
            "100001@100001@100001@100001",
            " 051@100001@N3501040009317@1",
            "051@100001@N3501040009317@1 ",
            "051@ 100001@N3501040009317@1",
            "51@100001@N3501040009317@1",
            "0511@100001@N3501040009317@1",
            "05a@100001@N3501040009317@1",
            "051@100001@@1",
            "051@100001@N3501040009317@",
            "051@100001@N1\n@1",
            "051@|汇付数据@Zxxx@1",
            "051@100001",
        ] {
            assert!(CfcaCn::parse(bad).is_none(), "{bad:?}");
        }
        assert_eq!(
            CfcaCn::parse("999@100001@Z@1").map(|c| c.id),
            Some("100001".into())
        );
    }

    #[test]
    fn pin_is_exact() {
        let pin = SignerPin::huifu();
        let good = CfcaCn::parse("051@100001@N3501040009317@1").unwrap();
        let other = CfcaCn::parse("051@1000011@N100001@1").unwrap();
        let prefix = CfcaCn::parse("051@10000@N100001@1").unwrap();
        assert!(pin.check(Some(&good)).is_ok());
        for cn in [&other, &prefix] {
            match pin.check(Some(cn)) {
                Err(Error::IdentityMismatch { expected, found }) => {
                    assert_eq!(expected, "100001");
                    assert_eq!(found, cn.id);
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(pin.check(None).is_err());
        assert!(SignerPin::Any.check(None).is_ok());
    }

    #[test]
    fn reads_t61_utf8_and_latin1() {
        let utf8_in_t61 = name_with_cn(tag::T61_STRING, "051@100001|汇付数据@Z@1".as_bytes());
        assert_eq!(cfca_cn(&utf8_in_t61).unwrap().unwrap().id, "100001");
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
