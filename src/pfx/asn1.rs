//! The ASN.1 of PKCS#12 (RFC 7292) and the parts of PKCS#7 it uses: one definition, one place.
//!
//! Files written by Java, Windows or `openssl -nomac` may use indefinite lengths and constructed
//! (chunked) OCTET STRINGs. The crate's one BER reader ([`crate::asn1`]) re-encodes every input
//! as DER (definite lengths, chunked universal strings joined, at any nesting) before these types
//! decode it with `der` under DER rules; the one chunked form that re-encoding cannot join without
//! the schema, the `[0] IMPLICIT` encryptedContent, is joined by [`EncryptedContentInfo`]'s
//! decoder. Encoding is always DER.

use der::asn1::{Any, ContextSpecific, ObjectIdentifier, OctetString};
use der::{
    Decode, DecodeValue, Encode, EncodeValue, ErrorKind, FixedTag, Header, Length, Reader,
    Sequence, Tag, TagMode, TagNumber, Writer,
};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attributes;

use crate::oid;

/// `[0]`, the tag of every explicit or implicit field in these structures.
const TAG0: TagNumber = TagNumber(0);

/// ```text
/// PFX ::= SEQUENCE {
///     version     INTEGER {v3(3)}(v3,...),
///     authSafe    ContentInfo,
///     macData     MacData OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct Pfx {
    /// Always 3.
    pub version: u8,
    /// A `data` ContentInfo holding the DER of an [`AuthenticatedSafe`].
    pub auth_safe: ContentInfo,
    /// The password integrity MAC.
    #[asn1(optional = "true")]
    pub mac_data: Option<MacData>,
}

/// `AuthenticatedSafe ::= SEQUENCE OF ContentInfo`.
pub type AuthenticatedSafe = Vec<ContentInfo>;

/// `SafeContents ::= SEQUENCE OF SafeBag`.
pub type SafeContents = Vec<SafeBag>;

/// ```text
/// MacData ::= SEQUENCE {
///     mac         DigestInfo,
///     macSalt     OCTET STRING,
///     iterations  INTEGER DEFAULT 1 }
/// ```
/// `iterations` is read as OPTIONAL (absent = 1) so that an explicitly encoded 1 is accepted too.
#[derive(Clone, Debug, Sequence)]
pub struct MacData {
    /// The digest algorithm and the MAC value.
    pub mac: DigestInfo,
    /// The salt of the MAC key derivation.
    pub mac_salt: OctetString,
    /// The iteration count of the MAC key derivation (absent = 1).
    #[asn1(optional = "true")]
    pub iterations: Option<u64>,
}

/// `DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }`.
#[derive(Clone, Debug, Sequence)]
pub struct DigestInfo {
    /// The digest (for the MAC: the HMAC hash).
    pub algorithm: AlgorithmIdentifierOwned,
    /// The digest (MAC) value.
    pub digest: OctetString,
}

/// `pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }`.
#[derive(Clone, Debug, Sequence)]
pub struct Pkcs12PbeParams {
    /// The salt.
    pub salt: OctetString,
    /// The iteration count.
    pub iterations: u64,
}

/// `ContentInfo` restricted to what an AuthenticatedSafe holds:
///
/// ```text
/// ContentInfo ::= SEQUENCE {
///     contentType  ContentType,
///     content      [0] EXPLICIT ANY DEFINED BY contentType OPTIONAL }
/// ```
#[derive(Clone, Debug)]
pub enum ContentInfo {
    /// `id-data`: an OCTET STRING.
    Data(OctetString),
    /// `id-encryptedData`: password-encrypted content.
    EncryptedData(EncryptedData),
    /// Any other content type (e.g. `envelopedData`), skipped while decoding, never encoded.
    Other(ObjectIdentifier),
}

impl FixedTag for ContentInfo {
    const TAG: Tag = Tag::Sequence;
}

impl<'a> DecodeValue<'a> for ContentInfo {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> der::Result<Self> {
        let content_type = ObjectIdentifier::decode(reader)?;
        if content_type == oid::DATA {
            Ok(ContentInfo::Data(explicit0(reader)?))
        } else if content_type == oid::ENCRYPTED_DATA {
            Ok(ContentInfo::EncryptedData(explicit0(reader)?))
        } else {
            reader.drain(reader.remaining_len())?;
            Ok(ContentInfo::Other(content_type))
        }
    }
}

impl EncodeValue for ContentInfo {
    fn value_len(&self) -> der::Result<Length> {
        match self {
            ContentInfo::Data(data) => oid::DATA.encoded_len()? + explicit(data).encoded_len()?,
            ContentInfo::EncryptedData(ed) => {
                oid::ENCRYPTED_DATA.encoded_len()? + explicit(ed).encoded_len()?
            }
            ContentInfo::Other(_) => Err(Tag::Sequence.value_error().into()),
        }
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        match self {
            ContentInfo::Data(data) => {
                oid::DATA.encode(writer)?;
                explicit(data).encode(writer)
            }
            ContentInfo::EncryptedData(ed) => {
                oid::ENCRYPTED_DATA.encode(writer)?;
                explicit(ed).encode(writer)
            }
            ContentInfo::Other(_) => Err(Tag::Sequence.value_error().into()),
        }
    }
}

/// ```text
/// EncryptedData ::= SEQUENCE {
///     version               Version,
///     encryptedContentInfo  EncryptedContentInfo }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct EncryptedData {
    /// 0 in PKCS#12 files.
    pub version: u8,
    /// The encrypted SafeContents.
    pub encrypted_content_info: EncryptedContentInfo,
}

/// ```text
/// EncryptedContentInfo ::= SEQUENCE {
///     contentType                 ContentType,
///     contentEncryptionAlgorithm  ContentEncryptionAlgorithmIdentifier,
///     encryptedContent            [0] IMPLICIT EncryptedContent OPTIONAL }
/// ```
/// `encryptedContent` is read primitive or constructed (BER chunks of OCTET STRING, as Java
/// writes it), and written primitive.
#[derive(Clone, Debug)]
pub struct EncryptedContentInfo {
    /// `id-data`.
    pub content_type: ObjectIdentifier,
    /// The PBE algorithm and its parameters.
    pub content_encryption_algorithm: AlgorithmIdentifierOwned,
    /// The ciphertext.
    pub encrypted_content: Option<OctetString>,
}

impl FixedTag for EncryptedContentInfo {
    const TAG: Tag = Tag::Sequence;
}

impl<'a> DecodeValue<'a> for EncryptedContentInfo {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> der::Result<Self> {
        let content_type = ObjectIdentifier::decode(reader)?;
        let content_encryption_algorithm = AlgorithmIdentifierOwned::decode(reader)?;
        if reader.is_finished() {
            return Ok(EncryptedContentInfo {
                content_type,
                content_encryption_algorithm,
                encrypted_content: None,
            });
        }
        let header = Header::decode(reader)?;
        let content = match header.tag() {
            Tag::ContextSpecific {
                constructed: false,
                number: TAG0,
            } => reader.read_vec(header.length())?,
            Tag::ContextSpecific {
                constructed: true,
                number: TAG0,
            } => reader.read_nested(header.length(), |r| {
                let mut joined = Vec::new();
                while !r.is_finished() {
                    joined.extend_from_slice(OctetString::decode(r)?.as_bytes());
                }
                Ok::<_, der::Error>(joined)
            })?,
            actual => {
                return Err(reader.error(ErrorKind::TagUnexpected {
                    expected: Some(Tag::ContextSpecific {
                        constructed: false,
                        number: TAG0,
                    }),
                    actual,
                }));
            }
        };
        Ok(EncryptedContentInfo {
            content_type,
            content_encryption_algorithm,
            encrypted_content: Some(OctetString::new(content)?),
        })
    }
}

impl EncodeValue for EncryptedContentInfo {
    fn value_len(&self) -> der::Result<Length> {
        self.content_type.encoded_len()?
            + self.content_encryption_algorithm.encoded_len()?
            + implicit_content(self).encoded_len()?
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.content_type.encode(writer)?;
        self.content_encryption_algorithm.encode(writer)?;
        implicit_content(self).encode(writer)
    }
}

/// `encryptedContent` wrapped for encoding as `[0] IMPLICIT`.
fn implicit_content(info: &EncryptedContentInfo) -> Option<ContextSpecific<OctetString>> {
    info.encrypted_content
        .as_ref()
        .map(|content| ContextSpecific {
            tag_number: TAG0,
            tag_mode: TagMode::Implicit,
            value: content.clone(),
        })
}

/// ```text
/// EncryptedPrivateKeyInfo ::= SEQUENCE {
///     encryptionAlgorithm  AlgorithmIdentifier,
///     encryptedData        OCTET STRING }
/// ```
/// (Our own type rather than `pkcs8`'s, so that the OCTET STRING may be BER-chunked.)
#[derive(Clone, Debug, Sequence)]
pub struct EncryptedPrivateKeyInfo {
    /// The PBE algorithm and its parameters.
    pub encryption_algorithm: AlgorithmIdentifierOwned,
    /// The encrypted PKCS#8 `PrivateKeyInfo`.
    pub encrypted_data: OctetString,
}

/// ```text
/// CertBag ::= SEQUENCE {
///     certId     BAG-TYPE.&id ({CertTypes}),
///     certValue  [0] EXPLICIT BAG-TYPE.&Type ({CertTypes}{@certId}) }
/// ```
#[derive(Clone, Debug)]
pub enum CertBag {
    /// `x509Certificate`: the DER of a certificate in an OCTET STRING.
    X509(OctetString),
    /// Any other certificate type (`sdsiCertificate`, …), skipped.
    Other,
}

impl FixedTag for CertBag {
    const TAG: Tag = Tag::Sequence;
}

impl<'a> DecodeValue<'a> for CertBag {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> der::Result<Self> {
        let cert_id = ObjectIdentifier::decode(reader)?;
        if cert_id == oid::X509_CERTIFICATE {
            Ok(CertBag::X509(explicit0(reader)?))
        } else {
            reader.drain(reader.remaining_len())?;
            Ok(CertBag::Other)
        }
    }
}

impl EncodeValue for CertBag {
    fn value_len(&self) -> der::Result<Length> {
        match self {
            CertBag::X509(cert) => {
                oid::X509_CERTIFICATE.encoded_len()? + explicit(cert).encoded_len()?
            }
            CertBag::Other => Err(Tag::Sequence.value_error().into()),
        }
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        match self {
            CertBag::X509(cert) => {
                oid::X509_CERTIFICATE.encode(writer)?;
                explicit(cert).encode(writer)
            }
            CertBag::Other => Err(Tag::Sequence.value_error().into()),
        }
    }
}

/// The value of a [`SafeBag`], by `bagId`.
#[derive(Clone, Debug)]
pub enum BagValue {
    /// `keyBag`: a plain PKCS#8 `PrivateKeyInfo` (kept as its encoding).
    Key(Any),
    /// `pkcs8ShroudedKeyBag`.
    ShroudedKey(EncryptedPrivateKeyInfo),
    /// `certBag`.
    Cert(CertBag),
    /// `safeContentsBag`: nested SafeContents.
    SafeContents(SafeContents),
    /// `crlBag`, `secretBag` or unknown: skipped.
    Other,
}

/// ```text
/// SafeBag ::= SEQUENCE {
///     bagId          BAG-TYPE.&id ({PKCS12BagSet}),
///     bagValue       [0] EXPLICIT BAG-TYPE.&Type({PKCS12BagSet}{@bagId}),
///     bagAttributes  SET OF PKCS12Attribute OPTIONAL }
/// ```
#[derive(Clone, Debug)]
pub struct SafeBag {
    /// The bag's value.
    pub value: BagValue,
    /// `friendlyName`, `localKeyId`, … (empty when absent).
    pub attributes: Option<Attributes>,
}

impl FixedTag for SafeBag {
    const TAG: Tag = Tag::Sequence;
}

impl<'a> DecodeValue<'a> for SafeBag {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> der::Result<Self> {
        let bag_id = ObjectIdentifier::decode(reader)?;
        let value = if bag_id == oid::KEY_BAG {
            BagValue::Key(explicit0(reader)?)
        } else if bag_id == oid::PKCS8_SHROUDED_KEY_BAG {
            BagValue::ShroudedKey(explicit0(reader)?)
        } else if bag_id == oid::CERT_BAG {
            BagValue::Cert(explicit0(reader)?)
        } else if bag_id == oid::SAFE_CONTENTS_BAG {
            BagValue::SafeContents(explicit0(reader)?)
        } else {
            let _skipped: Any = explicit0(reader)?;
            BagValue::Other
        };
        let attributes = Option::<Attributes>::decode(reader)?;
        Ok(SafeBag { value, attributes })
    }
}

impl EncodeValue for SafeBag {
    fn value_len(&self) -> der::Result<Length> {
        let (bag_id, value_len) = match &self.value {
            BagValue::Key(v) => (oid::KEY_BAG, explicit(v).encoded_len()?),
            BagValue::ShroudedKey(v) => (oid::PKCS8_SHROUDED_KEY_BAG, explicit(v).encoded_len()?),
            BagValue::Cert(v) => (oid::CERT_BAG, explicit(v).encoded_len()?),
            BagValue::SafeContents(v) => (oid::SAFE_CONTENTS_BAG, explicit(v).encoded_len()?),
            BagValue::Other => return Err(Tag::Sequence.value_error().into()),
        };
        bag_id.encoded_len()? + value_len + self.attributes.encoded_len()?
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        match &self.value {
            BagValue::Key(v) => {
                oid::KEY_BAG.encode(writer)?;
                explicit(v).encode(writer)?;
            }
            BagValue::ShroudedKey(v) => {
                oid::PKCS8_SHROUDED_KEY_BAG.encode(writer)?;
                explicit(v).encode(writer)?;
            }
            BagValue::Cert(v) => {
                oid::CERT_BAG.encode(writer)?;
                explicit(v).encode(writer)?;
            }
            BagValue::SafeContents(v) => {
                oid::SAFE_CONTENTS_BAG.encode(writer)?;
                explicit(v).encode(writer)?;
            }
            BagValue::Other => return Err(Tag::Sequence.value_error().into()),
        }
        self.attributes.encode(writer)
    }
}

/// Reads a mandatory `[0] EXPLICIT` field.
fn explicit0<'a, R, T>(reader: &mut R) -> der::Result<T>
where
    R: Reader<'a>,
    T: Decode<'a, Error = der::Error>,
{
    match ContextSpecific::<T>::decode_explicit(reader, TAG0)? {
        Some(field) => Ok(field.value),
        None => Err(reader.error(ErrorKind::TagUnexpected {
            expected: Some(Tag::ContextSpecific {
                constructed: true,
                number: TAG0,
            }),
            actual: Tag::peek(reader)?,
        })),
    }
}

/// Wraps (a copy of) a field for encoding as `[0] EXPLICIT`.
fn explicit<T: Clone>(value: &T) -> ContextSpecific<T> {
    ContextSpecific {
        tag_number: TAG0,
        tag_mode: TagMode::Explicit,
        value: value.clone(),
    }
}
