//! Building SignedData in exactly the layout CFCA's SADK produces (protocol.md section 3).
//!
//! ```text
//! ContentInfo { signedData, [0] SignedData {
//!   version 1, digestAlgorithms { sha256 NULL }, encapContentInfo { data, [0] OCTET STRING },
//!   certificates [0] { signer certificate }, signerInfos { SignerInfo {
//!     version 1, IssuerAndSerialNumber, sha256 NULL, (no signedAttrs), rsaEncryption NULL, signature } } } }
//! ```
//!
//! `cms`'s `SignedDataBuilder` always adds signed attributes and names `sha256WithRSAEncryption`,
//! so the structures are assembled directly from the `cms`/`der` types. A [`Signer`] encodes them
//! once, into a [`SignedDataTemplate`], and fills in only the eContent and signature per message.
//!
//! [`Signer`]: crate::signer::Signer

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Encode, Tag};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use crate::{Error, Result, oid};

mod template;

pub use template::SignedDataTemplate;

/// An algorithm identifier with explicit NULL parameters, as the SADK writes them.
fn with_null(algorithm: der::asn1::ObjectIdentifier) -> Result<AlgorithmIdentifierOwned> {
    Ok(AlgorithmIdentifierOwned {
        oid: algorithm,
        parameters: Some(Any::new(Tag::Null, Vec::new()).map_err(encoding_error)?),
    })
}

fn encoding_error(e: der::Error) -> Error {
    Error::Signing(format!("DER encoding failed: {e}"))
}

/// Assembles the DER ContentInfo for `econtent`, signed by `certificate`'s key with `signature`
/// (RSA PKCS#1 v1.5 over SHA-256 of `econtent`, no signed attributes).
pub fn signed_data_der(
    econtent: &[u8],
    certificate: &Certificate,
    signature: &[u8],
) -> Result<Vec<u8>> {
    let sha256 = with_null(oid::SHA256)?;
    let tbs = certificate.tbs_certificate();
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: None,
        signature_algorithm: with_null(oid::RSA_ENCRYPTION)?,
        signature: OctetString::new(signature).map_err(encoding_error)?,
        unsigned_attrs: None,
    };
    let econtent = OctetString::new(econtent).map_err(encoding_error)?;
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256]).map_err(encoding_error)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oid::DATA,
            econtent: Some(Any::encode_from(&econtent).map_err(encoding_error)?),
        },
        certificates: Some(CertificateSet(
            SetOfVec::try_from(vec![CertificateChoices::Certificate(certificate.clone())])
                .map_err(encoding_error)?,
        )),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(encoding_error)?),
    };
    let content_info = ContentInfo {
        content_type: oid::SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(encoding_error)?,
    };
    content_info.to_der().map_err(encoding_error)
}
