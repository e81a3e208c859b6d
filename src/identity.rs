//! Who signed: the CFCA CN `051@<id>@<org>@<n>` and identity pinning (protocol.md section 4).
//!
//! The CN comes as T61String (whose bytes may be UTF-8, which `x509-cert`'s typed TeletexString
//! rejects), UTF8String or PrintableString, and is read by `crate::x509::common_name`. The id is
//! the CN's second field up to an optional `|` (older Huifu certificates carry `100001|汇付数据`),
//! and a pin compares it exactly: never as a substring.

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

/// The subject's CFCA CN, if the subject has one common name of that shape.
pub fn cfca_cn(name_der: &[u8]) -> Result<Option<CfcaCn>> {
    Ok(crate::x509::common_name(name_der)?
        .as_deref()
        .and_then(CfcaCn::parse))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn reads_a_cfca_cn_in_t61() {
        // T61String (tag 0x14).
        let name =
            crate::x509::name::tests::name_with_cn(0x14, "051@100001|汇付数据@Z@1".as_bytes());
        assert_eq!(cfca_cn(&name).unwrap().unwrap().id, "100001");
    }
}
