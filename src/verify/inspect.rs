//! Describing a signed message without verifying it (for the CLI's `inspect`).

use super::SignerInfoSummary;
use crate::Result;
use crate::check_value::{self, InputForm};
use crate::content;
use crate::error::hex;
use crate::oid;
use crate::pkcs7::parse::{self, Encoding, SignerIdentifier};

/// How many characters of the content [`Inspection::content_preview`] shows.
pub const PREVIEW_CHARS: usize = 120;

/// What a message says about itself. Nothing here is verified.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Inspection {
    /// The form the input arrived in.
    pub input_form: InputForm,
    /// DER or BER.
    pub encoding: Encoding,
    /// The eContentType's name.
    pub econtent_type: String,
    /// The eContent length; `None` for a detached signature.
    pub content_length: Option<usize>,
    /// The start of the content: the Huifu-unwrapped text if it is that, else the eContent read
    /// as (lossy) UTF-8.
    pub content_preview: Option<String>,
    /// True if the eContent is base64 of UTF-8 text (Huifu's convention).
    pub huifu_wrapped: bool,
    /// The digestAlgorithms set, by name.
    pub digest_algorithms: Vec<String>,
    /// How many certificates the message carries.
    pub certificate_count: usize,
    /// The carried certificates' subjects.
    pub certificate_subjects: Vec<String>,
    /// One entry per SignerInfo.
    pub signers: Vec<SignerInspection>,
}

/// One SignerInfo, described.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignerInspection {
    /// The digest algorithm's name.
    pub digest_algorithm: String,
    /// The signature algorithm's name.
    pub signature_algorithm: String,
    /// True if there are signed attributes.
    pub signed_attributes: bool,
    /// The signature length in bytes.
    pub signature_length: usize,
    /// The signer's certificate, if the message carries it.
    pub certificate: Option<SignerInfoSummary>,
    /// How the SignerInfo names its certificate, as text.
    pub signer_id: String,
}

/// Decodes and parses `input` (any form) and describes it, without verifying anything.
pub fn inspect(input: &[u8]) -> Result<Inspection> {
    let (der, input_form) = check_value::decode(input)?;
    let parsed = parse::parse(&der)?;
    let text = parsed.econtent.as_deref().and_then(content::unwrap_huifu);
    let content_preview = match (&text, &parsed.econtent) {
        (Some(t), _) => Some(preview(t)),
        (None, Some(bytes)) => Some(preview(&String::from_utf8_lossy(bytes))),
        (None, None) => None,
    };
    let signers = parsed
        .signer_infos
        .iter()
        .map(|si| {
            // The same choice as the verifier's (one function).
            let cert = super::signer_certificate(parsed.certificates.iter(), &si.sid);
            let signer_id = match &si.sid {
                SignerIdentifier::IssuerAndSerialNumber { issuer, serial } => format!(
                    "issuer {} serial {}",
                    crate::x509::name_to_string(issuer),
                    hex(serial)
                ),
                SignerIdentifier::SubjectKeyIdentifier(ski) => {
                    format!("subjectKeyIdentifier {}", hex(ski))
                }
            };
            SignerInspection {
                digest_algorithm: oid::name(&si.digest_algorithm.oid),
                signature_algorithm: oid::name(&si.signature_algorithm.oid),
                signed_attributes: si.signed_attributes.is_some(),
                signature_length: si.signature.len(),
                certificate: cert.map(SignerInfoSummary::of),
                signer_id,
            }
        })
        .collect();
    Ok(Inspection {
        input_form,
        encoding: parsed.encoding,
        econtent_type: oid::name(&parsed.econtent_type),
        content_length: parsed.econtent.as_ref().map(Vec::len),
        content_preview,
        huifu_wrapped: text.is_some(),
        digest_algorithms: parsed
            .digest_algorithms
            .iter()
            .map(|a| oid::name(&a.oid))
            .collect(),
        certificate_count: parsed.certificates.len(),
        certificate_subjects: parsed
            .certificates
            .iter()
            .map(|c| c.subject_string())
            .collect(),
        signers,
    })
}

/// The first [`PREVIEW_CHARS`] characters, escaped: the content is unverified and may carry
/// terminal control sequences.
fn preview(text: &str) -> String {
    let head: String = text.chars().take(PREVIEW_CHARS).collect();
    let mut out = crate::error::escape_untrusted(&head);
    if text.chars().nth(PREVIEW_CHARS).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CV: &[u8] = include_bytes!("../../vectors/p7/huifu-noattr.check_value");
    const BER: &[u8] = include_bytes!("../../vectors/p7/huifu-ber.p7b");

    #[test]
    fn describes_without_verifying() {
        let i = inspect(CV).unwrap();
        assert_eq!(i.input_form, InputForm::CheckValue);
        assert_eq!(i.encoding, Encoding::Der);
        assert!(i.huifu_wrapped);
        assert!(
            i.content_preview
                .as_deref()
                .unwrap()
                .starts_with("{\"cmd_id\":\"301\"")
        );
        assert_eq!(i.certificate_count, 1);
        assert_eq!(i.signers.len(), 1);
        let s = &i.signers[0];
        assert_eq!(s.digest_algorithm, "sha256");
        assert!(!s.signed_attributes);
        assert_eq!(
            s.certificate.as_ref().unwrap().cn_id.as_deref(),
            Some("100001")
        );
        let b = inspect(BER).unwrap();
        assert_eq!(b.encoding, Encoding::Ber);
        assert!(b.signers[0].signed_attributes);
    }
}
