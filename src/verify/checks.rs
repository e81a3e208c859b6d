//! The checks on a SignerInfo that do not need the verifier's configuration beyond the SHA-1
//! policy: which certificate it names, its algorithms, its signed attributes (RFC 5652).

use der::Encode as _;

use super::DigestAlgorithm;
use crate::oid;
use crate::pkcs7::parse::{self, ParsedSignedData, ParsedSignerInfo, SignerIdentifier};
use crate::rsa_key as crypto;
use crate::x509::ParsedCertificate;
use crate::{Error, Result};

/// The certificate a SignerInfo names: the first of `certs` whose issuer matches by RFC 5280
/// name comparison (§7.1) and whose serial is equal, or whose subject key identifier is equal.
/// The one rule for choosing the signer: [`Verifier`](super::Verifier) and
/// [`inspect()`](super::inspect()) both use it, so they name
/// the same certificate whatever look-alike certificates a message carries.
pub(crate) fn signer_certificate<'p>(
    mut certs: impl Iterator<Item = &'p ParsedCertificate>,
    sid: &SignerIdentifier,
) -> Option<&'p ParsedCertificate> {
    certs.find(|c| match sid {
        SignerIdentifier::IssuerAndSerialNumber { issuer, serial } => {
            c.serial() == serial.as_slice() && crate::x509::names_match(c.issuer_der(), issuer)
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => c.subject_key_id() == Some(ski.as_slice()),
    })
}

/// The digest algorithm, after checking it against the signature algorithm and the SHA-1 policy.
pub(super) fn check_algorithms(
    parsed: &ParsedSignedData,
    si: &ParsedSignerInfo,
    allow_sha1: bool,
) -> Result<DigestAlgorithm> {
    let implied = crypto::signature_digest(&si.signature_algorithm.oid, "signature algorithm")?;
    let digest = DigestAlgorithm::from_oid(&si.digest_algorithm.oid).ok_or_else(|| {
        Error::unsupported("digest algorithm", oid::name(&si.digest_algorithm.oid))
    })?;
    // RFC 5754 §2, RFC 4055 §5: the parameters of these algorithms are NULL or absent.
    crypto::check_null_parameters(
        si.digest_algorithm.parameters.as_deref(),
        "digest algorithm",
    )?;
    crypto::check_null_parameters(
        si.signature_algorithm.parameters.as_deref(),
        "signature algorithm",
    )?;
    // RFC 5652 §5.1: digestAlgorithms lists every signer's digest algorithm.
    if !parsed
        .digest_algorithms
        .iter()
        .any(|a| a.oid == si.digest_algorithm.oid)
    {
        return Err(Error::AlgorithmMismatch(format!(
            "the signer's digest algorithm {} is not in the SignedData digestAlgorithms",
            digest.name()
        )));
    }
    // RFC 5652 §5.3 with RFC 5754 §3.2: the signature algorithm's digest is the SignerInfo's.
    if let Some(implied) = implied
        && implied != digest
    {
        return Err(Error::AlgorithmMismatch(format!(
            "digest algorithm {} but signature algorithm {}",
            digest.name(),
            oid::name(&si.signature_algorithm.oid)
        )));
    }
    // RFC 5754 §2 permits SHA-1; this verifier refuses it unless the caller opts in.
    digest.check_allowed(allow_sha1)?;
    Ok(digest)
}

/// contentType must be `data` (and the eContentType); messageDigest must be the content's digest.
pub(super) fn check_signed_attributes(
    attrs: &parse::SignedAttributes,
    econtent_type: &der::asn1::ObjectIdentifier,
    content_digest: &[u8],
) -> Result<()> {
    let single = |attr_oid: &der::asn1::ObjectIdentifier, name: &str| -> Result<Vec<u8>> {
        let mut found = attrs.find(attr_oid);
        let attr = found
            .next()
            .ok_or_else(|| Error::InvalidSignedAttributes(format!("no {name} attribute")))?;
        if found.next().is_some() {
            return Err(Error::InvalidSignedAttributes(format!(
                "several {name} attributes"
            )));
        }
        match attr.values.as_slice() {
            [value] => Ok(value.clone()),
            _ => Err(Error::InvalidSignedAttributes(format!(
                "the {name} attribute must have exactly one value"
            ))),
        }
    };
    // RFC 5652 §5.3, §11.1: a contentType attribute, single-valued, equal to the eContentType.
    let ct = single(&oid::ATTR_CONTENT_TYPE, "contentType")?;
    let data_der = oid::DATA
        .to_der()
        .map_err(|e| Error::malformed("OID", e.to_string()))?;
    if ct != data_der {
        return Err(Error::InvalidSignedAttributes(
            "the contentType attribute is not id-data".to_string(),
        ));
    }
    if *econtent_type != oid::DATA {
        return Err(Error::InvalidSignedAttributes(
            "the contentType attribute differs from the eContentType".to_string(),
        ));
    }
    // RFC 5652 §5.4, §11.2: a messageDigest attribute, an OCTET STRING equal to the content's
    // digest.
    let md = single(&oid::ATTR_MESSAGE_DIGEST, "messageDigest")?;
    match md.split_first() {
        Some((&0x04, _)) => {}
        _ => {
            return Err(Error::InvalidSignedAttributes(
                "the messageDigest attribute is not an OCTET STRING".to_string(),
            ));
        }
    }
    let mut r = crate::asn1::Reader::new(&md);
    let value = r.next()?;
    r.finish("messageDigest")?;
    if value.value != content_digest {
        return Err(Error::DigestMismatch);
    }
    Ok(())
}
