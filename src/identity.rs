//! Signer identities: the customer id in a CFCA leaf's CN (`051@<id>@<org>@<n>`), and pins.
//!
//! TEMPORARY STUB written on the `client` branch so the client compiles and its tests run before the
//! verification work (branch `verify`) lands; the `verify` branch's version replaces this file.

use x509_cert::Certificate;

/// Huifu's own customer id.
pub const HUIFU_ID: &str = "100001";

/// Who a verifier accepts as the signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerPin {
    /// Exactly this customer id in the CN's id field.
    Id(String),
    /// Any signer (chain checks still apply).
    Any,
}

/// The id field of the CN (`051@<id>@…`), cut at an optional `|`.
pub fn signer_id(certificate: &Certificate) -> Option<String> {
    let cn_oid = der::asn1::ObjectIdentifier::new_unwrap("2.5.4.3");
    let cn = certificate
        .tbs_certificate()
        .subject()
        .iter()
        .find(|atv| atv.oid == cn_oid)?;
    let text = String::from_utf8_lossy(cn.value.value()).into_owned();
    let id = text.split('@').nth(1)?;
    Some(id.split('|').next().unwrap_or(id).to_string())
}
