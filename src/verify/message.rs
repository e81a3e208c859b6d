//! What a verification hands back: the verified message and who signed it.

use x509_cert::Certificate;

use super::DigestAlgorithm;
use crate::check_value::InputForm;
use crate::content::{self, ContentMode};
use crate::identity;
use crate::pkcs7::parse::Encoding;
use crate::x509::ParsedCertificate;

/// Who signed, in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfoSummary {
    /// The signer certificate's subject (RFC 4514 order).
    pub subject: String,
    /// The signer certificate's issuer (RFC 4514 order).
    pub issuer: String,
    /// The serial number, lower-case hex.
    pub serial: String,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// The subject's common name, if it has one.
    pub common_name: Option<String>,
    /// The CFCA customer id from the CN (`100001` for Huifu), if the CN has the CFCA shape.
    pub cn_id: Option<String>,
}

impl SignerInfoSummary {
    pub(crate) fn of(cert: &ParsedCertificate) -> Self {
        let common_name = cert.common_name();
        let cn_id = common_name
            .as_deref()
            .and_then(identity::CfcaCn::parse)
            .map(|cn| cn.id);
        SignerInfoSummary {
            subject: cert.subject_string(),
            issuer: cert.issuer_string(),
            serial: cert.serial_hex(),
            not_before: cert.not_before_rfc3339(),
            not_after: cert.not_after_rfc3339(),
            // Shown by the CLI and in logs: escaped (the subject and issuer already are).
            common_name: common_name.as_deref().map(crate::error::escape_untrusted),
            cn_id,
        }
    }
}

/// A message whose signature, chain and signer identity were verified.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedMessage {
    /// The signed eContent, as signed.
    pub econtent: Vec<u8>,
    /// DER or BER.
    pub encoding: Encoding,
    /// The form the input arrived in.
    pub input_form: InputForm,
    /// Who signed.
    pub signer: SignerInfoSummary,
    /// The signer's certificate.
    pub signer_certificate: Certificate,
    /// The validated path, signer first and trust anchor last (empty when the chain was not
    /// checked).
    pub chain: Vec<Certificate>,
    /// True if the signature covered signed attributes.
    pub signed_attributes: bool,
    /// The digest algorithm of the (first) signer.
    pub digest_algorithm: DigestAlgorithm,
}

impl VerifiedMessage {
    /// The Huifu-unwrapped text: the eContent decoded from base64 as UTF-8, if it is that.
    pub fn text(&self) -> Option<String> {
        content::unwrap_huifu(&self.econtent)
    }

    /// The content in a mode: `Raw` is the eContent; `Huifu` is the unwrapped bytes when the
    /// eContent is base64 of UTF-8 text, else the eContent as it is.
    pub fn content(&self, mode: ContentMode) -> Vec<u8> {
        match mode {
            ContentMode::Raw => self.econtent.clone(),
            ContentMode::Huifu => self
                .text()
                .map(String::into_bytes)
                .unwrap_or_else(|| self.econtent.clone()),
        }
    }
}
