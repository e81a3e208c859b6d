//! Parsing a PKCS#7 / CMS SignedData (RFC 5652) in DER or BER, keeping the exact bytes signatures
//! are computed over.
//!
//! The ASN.1 this module reads (only what verification needs; everything else is skipped):
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType OID (signedData), content [0] EXPLICIT SignedData }
//! SignedData ::= SEQUENCE {
//!   version INTEGER, digestAlgorithms SET OF AlgorithmIdentifier,
//!   encapContentInfo SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING OPTIONAL },
//!   certificates [0] IMPLICIT SET OF CertificateChoices OPTIONAL,
//!   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//!   signerInfos SET OF SignerInfo }
//! SignerInfo ::= SEQUENCE {
//!   version INTEGER, sid SignerIdentifier, digestAlgorithm AlgorithmIdentifier,
//!   signedAttrs [0] IMPLICIT SET OF Attribute OPTIONAL,
//!   signatureAlgorithm AlgorithmIdentifier, signature OCTET STRING,
//!   unsignedAttrs [1] IMPLICIT SET OF Attribute OPTIONAL }
//! SignerIdentifier ::= CHOICE { IssuerAndSerialNumber, subjectKeyIdentifier [0] IMPLICIT OCTET STRING }
//! ```
//!
//! BER is read with the crate's TLV reader (the private `asn1` module): `der` 0.8 keeps chunk headers in an `Any`
//! eContent and cannot hand back exact nested bytes (protocol.md section 3). Certificates are
//! decoded by `x509-cert` from their DER.

use der::asn1::ObjectIdentifier;

use crate::asn1::{self, Ends, Reader, Tlv, tag};
use crate::error::at_most;
use crate::oid;
use crate::x509::{CertCache, ParsedCertificate};
use crate::{Error, Result};

/// The largest PKCS#7 structure accepted by default ([`ParseLimits::max_message_bytes`]): 1 MiB.
/// A real Huifu answer or notification is a few KiB (one certificate, a JSON of at most a few
/// hundred fields); 1 MiB leaves a margin of two orders of magnitude.
pub const MAX_INPUT: usize = 1024 * 1024;
/// The deepest ASN.1 nesting accepted in a message by default ([`ParseLimits::max_depth`]): 24.
/// A real SignedData with its certificate is about 12 levels deep; 24 doubles that.
pub const MAX_DEPTH: usize = 24;
/// The most certificates a message may carry by default ([`ParseLimits::max_certificates`]).
pub const MAX_CERTIFICATES: usize = 32;
/// The most signer infos a message may carry by default ([`ParseLimits::max_signer_infos`]).
pub const MAX_SIGNER_INFOS: usize = 16;

/// Bounds on what a message may make the parser do; exceeding one is [`Error::LimitExceeded`]
/// naming it.
///
/// ```
/// use huifu_cfca::pkcs7::parse::ParseLimits;
/// let limits = ParseLimits { max_certificates: 4, ..ParseLimits::default() };
/// assert_eq!(limits.max_depth, 24);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseLimits {
    /// The largest PKCS#7 structure accepted, in bytes (default 1 MiB; real answers are a few
    /// KiB).
    pub max_message_bytes: usize,
    /// The most certificates a message may carry (default 32).
    pub max_certificates: usize,
    /// The most SignerInfos a message may carry (default 16).
    pub max_signer_infos: usize,
    /// The deepest ASN.1 nesting accepted in a message (default 24; a SignedData with
    /// certificates needs about 12).
    pub max_depth: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_message_bytes: MAX_INPUT,
            max_certificates: MAX_CERTIFICATES,
            max_signer_infos: MAX_SIGNER_INFOS,
            max_depth: MAX_DEPTH,
        }
    }
}

const WHAT: &str = "PKCS#7";

/// How the structure was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Definite, minimal lengths and primitive strings throughout.
    Der,
    /// BER: indefinite lengths, non-minimal lengths or constructed (chunked) strings somewhere.
    Ber,
}

/// An AlgorithmIdentifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgorithmId {
    /// The algorithm.
    pub oid: ObjectIdentifier,
    /// The DER parameters, if present (`05 00` for an explicit NULL).
    pub parameters: Option<Vec<u8>>,
}

/// How a SignerInfo names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerIdentifier {
    /// The issuer's DER Name and the serial number's content bytes.
    IssuerAndSerialNumber {
        /// DER issuer Name.
        issuer: Vec<u8>,
        /// Serial number content bytes (two's complement).
        serial: Vec<u8>,
    },
    /// The subjectKeyIdentifier.
    SubjectKeyIdentifier(Vec<u8>),
}

/// One signed attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute type.
    pub oid: ObjectIdentifier,
    /// The DER encoding of each value.
    pub values: Vec<Vec<u8>>,
}

/// The signed attributes of a SignerInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAttributes {
    /// The DER `SET OF Attribute` the signature covers (the `[0] IMPLICIT` tag replaced by SET).
    pub der: Vec<u8>,
    /// The same SET OF with its elements in DER order, if the message had them in another order
    /// (the signature is checked over [`der`](Self::der), then over this).
    pub der_sorted: Option<Vec<u8>>,
    /// The attributes, in encoding order.
    pub attributes: Vec<Attribute>,
}

impl SignedAttributes {
    /// The values of the attributes of type `oid` (all occurrences).
    pub fn find(&self, oid: &ObjectIdentifier) -> impl Iterator<Item = &Attribute> {
        self.attributes.iter().filter(move |a| a.oid == *oid)
    }
}

/// One SignerInfo.
#[derive(Debug, Clone)]
pub struct ParsedSignerInfo {
    /// The SignerInfo version (1 with IssuerAndSerialNumber, 3 with a subjectKeyIdentifier).
    pub version: u32,
    /// The signer's certificate reference.
    pub sid: SignerIdentifier,
    /// The digest algorithm.
    pub digest_algorithm: AlgorithmId,
    /// The signed attributes, if any.
    pub signed_attributes: Option<SignedAttributes>,
    /// The signature algorithm.
    pub signature_algorithm: AlgorithmId,
    /// The signature value.
    pub signature: Vec<u8>,
}

/// A parsed SignedData.
#[derive(Debug, Clone)]
pub struct ParsedSignedData {
    /// DER or BER.
    pub encoding: Encoding,
    /// The SignedData version.
    pub version: u32,
    /// The digestAlgorithms set.
    pub digest_algorithms: Vec<AlgorithmId>,
    /// The eContentType (`data` for everything Huifu sends).
    pub econtent_type: ObjectIdentifier,
    /// The eContent (chunks reassembled); `None` for a detached signature.
    pub econtent: Option<Vec<u8>>,
    /// The certificates the message carries.
    pub certificates: Vec<ParsedCertificate>,
    /// The signer infos.
    pub signer_infos: Vec<ParsedSignerInfo>,
}

/// Parses a ContentInfo holding a SignedData, DER or BER, with the default [`ParseLimits`].
///
/// Bytes after the ContentInfo are [`Error::TrailingData`]; a content type other than signedData
/// is [`Error::UnsupportedAlgorithm`].
pub fn parse(bytes: &[u8]) -> Result<ParsedSignedData> {
    parse_with_limits(bytes, &ParseLimits::default())
}

/// Parses a ContentInfo holding a SignedData within `limits` (message size, certificates,
/// signer infos, nesting depth); exceeding one is [`Error::LimitExceeded`].
pub fn parse_with_limits(bytes: &[u8], limits: &ParseLimits) -> Result<ParsedSignedData> {
    parse_with(bytes, limits, None)
}

/// [`parse_with_limits`], decoding the message's certificates through `certs` (a verifier's
/// cache) when there is one.
pub(crate) fn parse_with(
    bytes: &[u8],
    limits: &ParseLimits,
    certs: Option<&CertCache>,
) -> Result<ParsedSignedData> {
    at_most("PKCS#7 size", bytes.len(), limits.max_message_bytes)?;
    // One walk finds where every indefinite-length element ends: reading, checking the DER shape
    // and re-encoding then cost time linear in the size, whatever the nesting.
    let ends = Ends::scan(bytes, limits.max_depth);
    let mut top = Reader::indexed(bytes, limits.max_depth, &ends);
    let content_info = top.expect(tag::SEQUENCE, WHAT)?;
    if !top.is_empty() {
        return Err(Error::TrailingData {
            what: WHAT,
            count: top.remaining().len(),
        });
    }
    let encoding = if content_info.is_der_shaped() {
        Encoding::Der
    } else {
        Encoding::Ber
    };
    let mut ci = content_info.children();
    let content_type = read_oid(&mut ci, "ContentInfo")?;
    if content_type != oid::SIGNED_DATA {
        return Err(Error::unsupported(
            "PKCS#7 content type",
            oid::name(&content_type),
        ));
    }
    let explicit = ci.expect(tag::context_constructed(0), "ContentInfo")?;
    ci.finish("ContentInfo")?;
    let mut inner = explicit.children();
    let signed_data = inner.expect(tag::SEQUENCE, "SignedData")?;
    inner.finish("ContentInfo")?;
    parse_signed_data(&signed_data, encoding, limits, certs)
}

fn parse_signed_data(
    sd: &Tlv<'_>,
    encoding: Encoding,
    limits: &ParseLimits,
    cache: Option<&CertCache>,
) -> Result<ParsedSignedData> {
    const SD: &str = "SignedData";
    let mut r = sd.children();
    let version = read_small_int(&mut r, SD)?;
    // RFC 5652 §5.1: CMSVersion 1, 3, 4 or 5.
    if !matches!(version, 1 | 3 | 4 | 5) {
        return Err(Error::malformed(SD, format!("unknown version {version}")));
    }
    let mut digest_algorithms = Vec::new();
    let mut algs = r.expect(tag::SET, SD)?.children();
    while !algs.is_empty() {
        digest_algorithms.push(read_algorithm(&mut algs, SD)?);
    }

    let mut eci = r.expect(tag::SEQUENCE, "encapContentInfo")?.children();
    let econtent_type = read_oid(&mut eci, "encapContentInfo")?;
    let econtent = match eci.optional(tag::context_constructed(0))? {
        None => None,
        Some(explicit) => {
            let mut e = explicit.children();
            let os = e.next()?;
            if os.tag != tag::OCTET_STRING && os.tag != tag::OCTET_STRING | 0x20 {
                return Err(Error::malformed(
                    "eContent",
                    format!("expected an OCTET STRING, found tag 0x{:02x}", os.tag),
                ));
            }
            e.finish("eContent")?;
            Some(os.octets("eContent")?)
        }
    };
    eci.finish("encapContentInfo")?;

    let mut certificates = Vec::new();
    if let Some(set) = r.optional(tag::context_constructed(0))? {
        let mut certs = set.children();
        while !certs.is_empty() {
            let c = certs.next()?;
            // Other CertificateChoices (attribute certificates, `other`) are not used: skip them.
            if c.tag != tag::SEQUENCE {
                continue;
            }
            at_most(
                "certificates in a message",
                certificates.len() + 1,
                limits.max_certificates,
            )?;
            certificates.push(crate::x509::decode_cached(cache, c.raw)?);
        }
    }
    // CRLs are not used.
    r.optional(tag::context_constructed(1))?;

    let mut signer_infos = Vec::new();
    let mut sis = r.expect(tag::SET, "signerInfos")?.children();
    while !sis.is_empty() {
        at_most(
            "signer infos in a message",
            signer_infos.len() + 1,
            limits.max_signer_infos,
        )?;
        let si = sis.expect(tag::SEQUENCE, "SignerInfo")?;
        signer_infos.push(parse_signer_info(&si)?);
    }
    r.finish(SD)?;
    Ok(ParsedSignedData {
        encoding,
        version,
        digest_algorithms,
        econtent_type,
        econtent,
        certificates,
        signer_infos,
    })
}

fn parse_signer_info(si: &Tlv<'_>) -> Result<ParsedSignerInfo> {
    const SI: &str = "SignerInfo";
    let mut r = si.children();
    let version = read_small_int(&mut r, SI)?;
    let sid = match r.peek_tag() {
        Some(tag::SEQUENCE) => {
            let mut ias = r.next()?.children();
            let issuer = ias
                .expect(tag::SEQUENCE, "IssuerAndSerialNumber")?
                .to_der()?;
            let serial = ias.expect(tag::INTEGER, "IssuerAndSerialNumber")?;
            ias.finish("IssuerAndSerialNumber")?;
            SignerIdentifier::IssuerAndSerialNumber {
                issuer,
                serial: serial.value.to_vec(),
            }
        }
        Some(t) if t == tag::context_primitive(0) || t == tag::context_constructed(0) => {
            SignerIdentifier::SubjectKeyIdentifier(r.next()?.octets("subjectKeyIdentifier")?)
        }
        _ => return Err(Error::malformed(SI, "missing or unknown signer identifier")),
    };
    let expected_version = match sid {
        SignerIdentifier::IssuerAndSerialNumber { .. } => 1,
        SignerIdentifier::SubjectKeyIdentifier(_) => 3,
    };
    // RFC 5652 §5.3: version 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier.
    if version != expected_version {
        return Err(Error::malformed(
            SI,
            format!("version {version} does not match the signer identifier"),
        ));
    }
    let digest_algorithm = read_algorithm(&mut r, SI)?;
    let signed_attributes = match r.optional(tag::context_constructed(0))? {
        Some(attrs) => Some(parse_signed_attributes(&attrs)?),
        None => None,
    };
    let signature_algorithm = read_algorithm(&mut r, SI)?;
    let sig = r.next()?;
    if sig.tag != tag::OCTET_STRING && sig.tag != tag::OCTET_STRING | 0x20 {
        return Err(Error::malformed(SI, "signature is not an OCTET STRING"));
    }
    let signature = sig.octets("signature")?;
    // Unsigned attributes are not used.
    r.optional(tag::context_constructed(1))?;
    r.finish(SI)?;
    Ok(ParsedSignerInfo {
        version,
        sid,
        digest_algorithm,
        signed_attributes,
        signature_algorithm,
        signature,
    })
}

fn parse_signed_attributes(tlv: &Tlv<'_>) -> Result<SignedAttributes> {
    const SA: &str = "signed attributes";
    // RFC 5652 5.4: the signature covers the DER SET OF, with the SET tag in place of [0].
    let mut der = if tlv.is_der_shaped() {
        tlv.raw.to_vec()
    } else {
        tlv.to_der()?
    };
    if let Some(first) = der.first_mut() {
        *first = tag::SET;
    }
    // Converted once: the attributes and their values are read from that DER, where every
    // element's raw bytes are already its DER encoding.
    let mut attributes = Vec::new();
    let mut encodings = Vec::new();
    let mut outer = tlv.reader_at_same_depth(&der);
    let set_der = outer.expect(tag::SET, SA)?;
    let mut r = set_der.children();
    while !r.is_empty() {
        let attr = r.expect(tag::SEQUENCE, SA)?;
        encodings.push(attr.raw.to_vec());
        let mut a = attr.children();
        let attr_oid = read_oid(&mut a, SA)?;
        let mut values = Vec::new();
        let mut set = a.expect(tag::SET, SA)?.children();
        while !set.is_empty() {
            values.push(set.next()?.raw.to_vec());
        }
        a.finish(SA)?;
        attributes.push(Attribute {
            oid: attr_oid,
            values,
        });
    }
    if attributes.is_empty() {
        return Err(Error::InvalidSignedAttributes(
            "the signed attributes are present but empty".to_string(),
        ));
    }
    // DER orders a SET OF by the elements' encodings. A producer that sent the attributes in
    // another order may have signed either order: keep the sorted form as a second candidate.
    encodings.sort();
    let mut sorted = Vec::with_capacity(der.len());
    asn1::write_header(&mut sorted, tag::SET, encodings.iter().map(Vec::len).sum());
    for e in &encodings {
        sorted.extend_from_slice(e);
    }
    let der_sorted = (sorted != der).then_some(sorted);
    Ok(SignedAttributes {
        der,
        der_sorted,
        attributes,
    })
}

fn read_oid(r: &mut Reader<'_>, what: &'static str) -> Result<ObjectIdentifier> {
    let t = r.expect(tag::OID, what)?;
    ObjectIdentifier::from_bytes(t.value).map_err(|e| Error::malformed(what, e.to_string()))
}

fn read_algorithm(r: &mut Reader<'_>, what: &'static str) -> Result<AlgorithmId> {
    let mut a = r.expect(tag::SEQUENCE, what)?.children();
    let oid = read_oid(&mut a, what)?;
    let parameters = if a.is_empty() {
        None
    } else {
        Some(a.next()?.to_der()?)
    };
    a.finish(what)?;
    Ok(AlgorithmId { oid, parameters })
}

fn read_small_int(r: &mut Reader<'_>, what: &'static str) -> Result<u32> {
    let t = r.expect(tag::INTEGER, what)?;
    match t.value {
        [] => Err(Error::malformed(what, "empty INTEGER")),
        v if v.len() > 4 || v.first().is_some_and(|b| *b & 0x80 != 0) => {
            Err(Error::malformed(what, "version out of range"))
        }
        v => Ok(v.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b))),
    }
}

#[cfg(test)]
mod tests;
