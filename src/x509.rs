//! X.509 certificates as the verifier needs them: [`ParsedCertificate`] (the typed `x509-cert`
//! view plus the exact bytes that signatures and name chaining are computed over), names and their
//! comparison (`names_match`, crate-private), and a cache of decoded certificates that its owner passes in
//! (a [`Verifier`](crate::verify::Verifier) keeps one).

mod cache;
pub(crate) mod name;

pub(crate) use cache::{CertCache, decode as decode_cached};
pub(crate) use name::{common_name, name_to_string, names_match};

use std::sync::{Arc, OnceLock};

use der::Decode as _;
use der::asn1::ObjectIdentifier;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};

use crate::asn1::{Reader, Tlv, tag};
use crate::error::{at_most, hex};
use crate::oid;
use crate::{Error, Result};

/// A decoded certificate with the raw bytes verification needs.
///
/// Cheap to clone: the decoded fields are shared. Decoding is a function of the bytes alone, so a
/// verifier hands back the certificates it decoded lately (the same signer and intermediate arrive
/// with every Huifu message) when it is given the same bytes again.
#[derive(Clone, Debug)]
pub struct ParsedCertificate {
    inner: Arc<Fields>,
}

#[derive(Debug)]
struct Fields {
    der: Vec<u8>,
    tbs: Vec<u8>,
    issuer: Vec<u8>,
    subject: Vec<u8>,
    serial: Vec<u8>,
    signature_algorithm: ObjectIdentifier,
    /// The outer signatureAlgorithm's DER and the TBS signature field's DER (must be equal).
    signature_algorithm_der: Vec<u8>,
    tbs_signature_algorithm_der: Vec<u8>,
    signature_algorithm_parameters: Option<Vec<u8>>,
    signature: Vec<u8>,
    cert: Certificate,
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    ext_key_usage: Option<Vec<ObjectIdentifier>>,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    unknown_critical: Option<ObjectIdentifier>,
    not_before: u64,
    not_after: u64,
    /// The names and dates as text, made the first time they are asked for.
    text: OnceLock<Text>,
}

#[derive(Debug)]
struct Text {
    subject: String,
    issuer: String,
    serial_hex: String,
    not_before: String,
    not_after: String,
    common_name: Option<String>,
}

const WHAT: &str = "certificate";

/// The largest certificate decoded, in bytes (64 KiB; CFCA's are about 1.2 KiB, and one with a
/// long list of alternative names a few KiB).
pub const MAX_CERTIFICATE_BYTES: usize = 64 * 1024;
/// The most attributes (over all RDNs) in a certificate's subject or issuer name (64; CFCA
/// names have fewer than ten).
pub const MAX_NAME_ATTRIBUTES: usize = 64;

/// How many attributes a Name (`SEQUENCE OF SET OF AttributeTypeAndValue`) holds, counted
/// without decoding them; stops counting past the bound.
fn name_attributes(name: &Tlv<'_>) -> Result<usize> {
    let mut count = 0usize;
    let mut rdns = name.children();
    while !rdns.is_empty() && count <= MAX_NAME_ATTRIBUTES {
        let mut atvs = rdns.next()?.children();
        while !atvs.is_empty() && count <= MAX_NAME_ATTRIBUTES {
            atvs.next()?;
            count += 1;
        }
    }
    Ok(count)
}

/// Extensions this crate understands (or knowingly ignores) when they are marked critical.
const KNOWN_EXTENSIONS: &[ObjectIdentifier] = &[
    oid::CE_BASIC_CONSTRAINTS,
    oid::CE_KEY_USAGE,
    oid::CE_SUBJECT_KEY_IDENTIFIER,
    oid::CE_AUTHORITY_KEY_IDENTIFIER,
    oid::CE_EXT_KEY_USAGE,
    oid::CE_SUBJECT_ALT_NAME,
    oid::CE_CRL_DISTRIBUTION_POINTS,
    oid::CE_CERTIFICATE_POLICIES,
    oid::PE_AUTHORITY_INFO_ACCESS,
];

/// The certificates of a file's contents: one DER certificate, or every `CERTIFICATE` block of a
/// PEM text (detected).
pub fn certificates_from_bytes(bytes: &[u8]) -> Result<Vec<Certificate>> {
    crate::asn1::pem::certificates(bytes)?
        .iter()
        .map(|der| {
            // The crate's own bounds first (size, names), then the typed value.
            ParsedCertificate::from_der(der)?;
            Certificate::from_der(der).map_err(|e| Error::malformed("certificate", e))
        })
        .collect()
}

/// The certificates of files (`.cer`, `.crt`, `.pem`; DER or PEM, several per PEM): e.g. CFCA's
/// OCA31 for [`VerifierBuilder::extra_certs`](crate::verify::VerifierBuilder::extra_certs). A
/// file that cannot be read or holds no certificate is [`Error::File`], naming it.
pub fn certificates_from_files<P: AsRef<std::path::Path>>(
    paths: impl IntoIterator<Item = P>,
) -> Result<Vec<Certificate>> {
    let mut out = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let found = Error::read_file(path)
            .and_then(|bytes| certificates_from_bytes(&bytes))
            .map_err(|e| match e {
                e @ Error::File { .. } => e,
                e => Error::in_file(path, e),
            })?;
        if found.is_empty() {
            return Err(Error::in_file(
                path,
                Error::malformed("certificate file", "no certificate in it"),
            ));
        }
        out.extend(found);
    }
    Ok(out)
}

impl ParsedCertificate {
    /// Decodes a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Ok(ParsedCertificate {
            inner: Arc::new(Fields::decode(der)?),
        })
    }
}

impl Fields {
    fn decode(der: &[u8]) -> Result<Self> {
        let mut outer = Reader::new(der);
        // Bounded before anything else: `x509-cert` builds a value per name attribute, ~50 bytes
        // of memory per input byte for a name made of tiny RDNs.
        at_most("certificate bytes", der.len(), MAX_CERTIFICATE_BYTES)?;
        let cert_tlv = outer.expect(tag::SEQUENCE, WHAT)?;
        if !outer.is_empty() {
            return Err(Error::TrailingData {
                what: WHAT,
                count: outer.remaining().len(),
            });
        }
        // Certificates are DER (RFC 5280 §4.1: the signature is over the DER TBSCertificate).
        // One in BER is refused, not normalised: re-encoding would check a signature over bytes
        // that are not the ones sent (OpenSSL refuses them too). The message around the
        // certificates may still be BER.
        if !cert_tlv.is_der_shaped() {
            return Err(Error::CertificateNotDer);
        }
        let der: Vec<u8> = der.to_vec();
        let mut top = Reader::new(&der);
        let mut parts = top.expect(tag::SEQUENCE, WHAT)?.children();
        let tbs_tlv = parts.expect(tag::SEQUENCE, WHAT)?;
        let sig_alg = parts.expect(tag::SEQUENCE, WHAT)?;
        let sig_bits = parts.expect(tag::BIT_STRING, WHAT)?;
        let mut t = tbs_tlv.children();
        t.optional(tag::context_constructed(0))?;
        let serial = t.expect(tag::INTEGER, WHAT)?;
        let tbs_sig_alg = t.expect(tag::SEQUENCE, WHAT)?;
        let issuer = t.expect(tag::SEQUENCE, WHAT)?;
        t.expect(tag::SEQUENCE, WHAT)?;
        let subject = t.expect(tag::SEQUENCE, WHAT)?;
        for name in [&issuer, &subject] {
            at_most(
                "attributes in a certificate name",
                name_attributes(name)?,
                MAX_NAME_ATTRIBUTES,
            )?;
        }
        let cert =
            Certificate::from_der(&der).map_err(|e| Error::malformed(WHAT, e.to_string()))?;
        let mut sig_alg_parts = sig_alg.children();
        let sig_oid = sig_alg_parts.expect(tag::OID, WHAT)?;
        let signature_algorithm_parameters = if sig_alg_parts.is_empty() {
            None
        } else {
            Some(sig_alg_parts.next()?.raw.to_vec())
        };
        sig_alg_parts.finish(WHAT)?;
        let signature_algorithm = ObjectIdentifier::from_bytes(sig_oid.value)
            .map_err(|e| Error::malformed(WHAT, e.to_string()))?;
        let signature = match sig_bits.value.split_first() {
            Some((0, rest)) => rest.to_vec(),
            _ => return Err(Error::malformed(WHAT, "signature has unused bits")),
        };

        let tbs_view = cert.tbs_certificate();
        let validity = tbs_view.validity();
        let mut parsed = Fields {
            tbs: tbs_tlv.raw.to_vec(),
            issuer: issuer.raw.to_vec(),
            subject: subject.raw.to_vec(),
            serial: serial.value.to_vec(),
            signature_algorithm,
            signature_algorithm_der: sig_alg.raw.to_vec(),
            tbs_signature_algorithm_der: tbs_sig_alg.raw.to_vec(),
            signature_algorithm_parameters,
            signature,
            basic_constraints: None,
            key_usage: None,
            ext_key_usage: None,
            subject_key_id: None,
            authority_key_id: None,
            unknown_critical: None,
            not_before: validity.not_before.to_unix_duration().as_secs(),
            not_after: validity.not_after.to_unix_duration().as_secs(),
            der,
            cert,
            text: OnceLock::new(),
        };
        let extensions = parsed.cert.tbs_certificate().extensions();
        let extensions = extensions.map(|e| e.as_slice()).unwrap_or(&[]);
        let mut seen = std::collections::HashSet::with_capacity(extensions.len());
        for ext in extensions {
            // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a
            // particular extension." (Otherwise the last one read would silently win.)
            if !seen.insert(ext.extn_id) {
                return Err(Error::DuplicateExtension {
                    subject: name_to_string(&parsed.subject),
                    oid: ext.extn_id.to_string(),
                });
            }
            let value = ext.extn_value.as_bytes();
            let bad = |e: der::Error| Error::malformed("certificate extension", e.to_string());
            match ext.extn_id {
                oid::CE_EXT_KEY_USAGE => {
                    let eku = ExtendedKeyUsage::from_der(value).map_err(bad)?;
                    parsed.ext_key_usage = Some(eku.0);
                }
                oid::CE_BASIC_CONSTRAINTS => {
                    parsed.basic_constraints = Some(BasicConstraints::from_der(value).map_err(bad)?)
                }
                oid::CE_KEY_USAGE => {
                    parsed.key_usage = Some(KeyUsage::from_der(value).map_err(bad)?)
                }
                oid::CE_SUBJECT_KEY_IDENTIFIER => {
                    let ski = SubjectKeyIdentifier::from_der(value).map_err(bad)?;
                    parsed.subject_key_id = Some(ski.0.as_bytes().to_vec());
                }
                oid::CE_AUTHORITY_KEY_IDENTIFIER => {
                    let aki = AuthorityKeyIdentifier::from_der(value).map_err(bad)?;
                    parsed.authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
                }
                other => {
                    if ext.critical
                        && !KNOWN_EXTENSIONS.contains(&other)
                        && parsed.unknown_critical.is_none()
                    {
                        parsed.unknown_critical = Some(other);
                    }
                }
            }
        }
        Ok(parsed)
    }

    /// The names and dates as text.
    fn text(&self) -> &Text {
        self.text.get_or_init(|| {
            let validity = self.cert.tbs_certificate().validity();
            let serial = match self.serial.iter().position(|b| *b != 0) {
                Some(i) => self.serial.get(i..).unwrap_or_default(),
                None => &[0u8][..],
            };
            Text {
                subject: name_to_string(&self.subject),
                issuer: name_to_string(&self.issuer),
                serial_hex: hex(serial),
                not_before: validity.not_before.to_date_time().to_string(),
                not_after: validity.not_after.to_date_time().to_string(),
                common_name: common_name(&self.subject).ok().flatten(),
            }
        })
    }
}

impl ParsedCertificate {
    /// The certificate's DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.inner.der
    }

    /// The exact TBSCertificate bytes the issuer signed.
    pub fn tbs(&self) -> &[u8] {
        &self.inner.tbs
    }

    /// The DER issuer Name.
    pub fn issuer_der(&self) -> &[u8] {
        &self.inner.issuer
    }

    /// The DER subject Name.
    pub fn subject_der(&self) -> &[u8] {
        &self.inner.subject
    }

    /// The serial number's content bytes (two's complement, as encoded).
    pub fn serial(&self) -> &[u8] {
        &self.inner.serial
    }

    /// The serial number in lower-case hex (leading zero octets removed).
    pub fn serial_hex(&self) -> String {
        self.inner.text().serial_hex.clone()
    }

    /// The issuer's signature algorithm over this certificate.
    pub fn signature_algorithm(&self) -> &ObjectIdentifier {
        &self.inner.signature_algorithm
    }

    /// The DER parameters of the signature algorithm, if present.
    pub fn signature_algorithm_parameters(&self) -> Option<&[u8]> {
        self.inner.signature_algorithm_parameters.as_deref()
    }

    /// True if the outer signatureAlgorithm equals the TBSCertificate's signature field
    /// (RFC 5280 4.1.1.2).
    pub fn algorithms_agree(&self) -> bool {
        self.inner.signature_algorithm_der == self.inner.tbs_signature_algorithm_der
    }

    /// The issuer's signature over [`tbs`](Self::tbs).
    pub fn signature(&self) -> &[u8] {
        &self.inner.signature
    }

    /// The typed certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.inner.cert
    }

    /// notBefore, seconds since the Unix epoch.
    pub fn not_before(&self) -> u64 {
        self.inner.not_before
    }

    /// notAfter, seconds since the Unix epoch.
    pub fn not_after(&self) -> u64 {
        self.inner.not_after
    }

    /// notBefore as RFC 3339.
    pub fn not_before_rfc3339(&self) -> String {
        self.inner.text().not_before.clone()
    }

    /// notAfter as RFC 3339.
    pub fn not_after_rfc3339(&self) -> String {
        self.inner.text().not_after.clone()
    }

    /// The subject as text (RFC 4514 order; T61String read leniently).
    pub fn subject_string(&self) -> String {
        self.inner.text().subject.clone()
    }

    /// The issuer as text (RFC 4514 order; T61String read leniently).
    pub fn issuer_string(&self) -> String {
        self.inner.text().issuer.clone()
    }

    /// The subject's common name, if it has exactly one that reads as text.
    pub(crate) fn common_name(&self) -> Option<String> {
        self.inner.text().common_name.clone()
    }

    /// The DER SubjectPublicKeyInfo.
    pub(crate) fn spki(&self) -> &spki::SubjectPublicKeyInfoOwned {
        self.inner.cert.tbs_certificate().subject_public_key_info()
    }

    /// True if the certificate is a CA (basicConstraints cA = TRUE).
    pub fn is_ca(&self) -> bool {
        self.inner
            .basic_constraints
            .as_ref()
            .is_some_and(|bc| bc.ca)
    }

    /// The basicConstraints extension, if present.
    pub(crate) fn basic_constraints(&self) -> Option<&BasicConstraints> {
        self.inner.basic_constraints.as_ref()
    }

    /// The keyUsage extension, if present.
    pub(crate) fn key_usage(&self) -> Option<&KeyUsage> {
        self.inner.key_usage.as_ref()
    }

    /// The subjectKeyIdentifier, if present.
    pub(crate) fn subject_key_id(&self) -> Option<&[u8]> {
        self.inner.subject_key_id.as_deref()
    }

    /// The authorityKeyIdentifier's keyIdentifier, if present.
    pub(crate) fn authority_key_id(&self) -> Option<&[u8]> {
        self.inner.authority_key_id.as_deref()
    }

    /// The extended key usage purposes, if the certificate has that extension.
    pub(crate) fn ext_key_usage(&self) -> Option<&[ObjectIdentifier]> {
        self.inner.ext_key_usage.as_deref()
    }

    /// RFC 5280 §4.2.1.12: without the extension any purpose is allowed; with it, signing
    /// messages needs emailProtection (S/MIME, which PKCS#7 signing is) or anyExtendedKeyUsage.
    /// (The real Huifu certificate carries clientAuth + emailProtection.)
    pub(crate) fn allows_message_signing(&self) -> bool {
        match self.ext_key_usage() {
            None => true,
            Some(purposes) => purposes
                .iter()
                .any(|p| *p == oid::KP_EMAIL_PROTECTION || *p == oid::ANY_EXTENDED_KEY_USAGE),
        }
    }

    /// The first critical extension this crate does not know, if any.
    pub(crate) fn unknown_critical(&self) -> Option<&ObjectIdentifier> {
        self.inner.unknown_critical.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MERCHANT: &[u8] = include_bytes!("../vectors/chain/merchant.cer");

    #[test]
    fn decodes_a_t61_leaf() {
        let c = ParsedCertificate::from_der(MERCHANT).unwrap();
        assert!(!c.is_ca());
        assert!(c.key_usage().unwrap().digital_signature());
        assert!(c.subject_key_id().is_some() && c.authority_key_id().is_some());
        assert!(c.unknown_critical().is_none());
        assert!(c.subject_string().contains("CN=051@AS0381@N111130@1"));
        assert_eq!(c.not_before_rfc3339(), "2024-01-01T00:00:00Z");
        let mut long = MERCHANT.to_vec();
        long.push(0);
        assert!(matches!(
            ParsedCertificate::from_der(&long),
            Err(Error::TrailingData { .. })
        ));
    }
}
