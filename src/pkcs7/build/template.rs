//! The SADK SignedData of one signer, prepared once: only the eContent and the signature change
//! from one message to the next.
//!
//! Encoding the signer certificate and the SignerInfo through the `cms` types costs more than
//! everything else a signature does besides RSA (the certificate's names alone are dozens of small
//! SETs to sort and measure). Those bytes never change for a signer, so [`SignedDataTemplate::new`]
//! takes them from [`signed_data_der`] itself, the one definition of the layout: it encodes a
//! message with an empty eContent and a zero signature of the key's length and keeps the
//! SignedData's fields around the eContent as they came out. [`SignedDataTemplate::encode`] then
//! writes only the six headers whose lengths depend on the eContent (ContentInfo, its `[0]`,
//! SignedData, EncapsulatedContentInfo, its `[0]`, the eContent OCTET STRING) with `der`'s
//! [`Header`], and copies the rest. The tests check it against [`signed_data_der`] byte for byte.

use der::asn1::AnyRef;
use der::{Decode, Encode, Header, Length, Tag, TagNumber};
use x509_cert::Certificate;

use super::{encoding_error, signed_data_der};
use crate::{Error, Result};

/// The constant parts of a signer's SignedData (see the module documentation).
#[derive(Clone, Debug)]
pub struct SignedDataTemplate {
    /// The DER OBJECT IDENTIFIER `signedData` (ContentInfo's contentType).
    content_type: Vec<u8>,
    /// The SignedData's `version` and `digestAlgorithms`, DER.
    head: Vec<u8>,
    /// The DER OBJECT IDENTIFIER `data` (the eContentType).
    econtent_type: Vec<u8>,
    /// `certificates` and `signerInfos`, DER, up to and including the signature's OCTET STRING
    /// header: the signature bytes come last.
    tail: Vec<u8>,
    /// The signature length the template was made for (the key's modulus length in bytes).
    signature_len: usize,
}

/// The `[0]` of ContentInfo's content and of eContent: constructed, context-specific 0.
const CONTEXT_0: Tag = Tag::ContextSpecific {
    constructed: true,
    number: TagNumber(0),
};

impl SignedDataTemplate {
    /// The template for `certificate`'s key, whose signatures are `signature_len` bytes long.
    pub fn new(certificate: &Certificate, signature_len: usize) -> Result<Self> {
        let reference = signed_data_der(&[], certificate, &vec![0; signature_len])?;
        let content_info = AnyRef::from_der(&reference).map_err(encoding_error)?;
        let [content_type, content] = fields(content_info)?;
        let signed_data = AnyRef::from_der(content.value()).map_err(encoding_error)?;
        let [
            version,
            digest_algorithms,
            encap,
            certificates,
            signer_infos,
        ] = fields(signed_data)?;
        let [econtent_type, _empty_econtent] = fields(encap)?;
        let mut head = version.to_der().map_err(encoding_error)?;
        digest_algorithms
            .encode_to_vec(&mut head)
            .map_err(encoding_error)?;
        let mut tail = certificates.to_der().map_err(encoding_error)?;
        signer_infos
            .encode_to_vec(&mut tail)
            .map_err(encoding_error)?;
        // The signature is the SignerInfo's last field (no unsignedAttrs), and so the last bytes.
        let keep = tail
            .len()
            .checked_sub(signature_len)
            .ok_or_else(|| template_error("the SignerInfo is shorter than its signature"))?;
        tail.truncate(keep);
        let template = SignedDataTemplate {
            content_type: content_type.to_der().map_err(encoding_error)?,
            head,
            econtent_type: econtent_type.to_der().map_err(encoding_error)?,
            tail,
            signature_len,
        };
        // The template must give back the message it was cut from.
        if template.encode(&[], &vec![0; signature_len])? != reference {
            return Err(template_error(
                "the template does not rebuild its reference",
            ));
        }
        Ok(template)
    }

    /// The signature length this template was made for.
    pub fn signature_len(&self) -> usize {
        self.signature_len
    }

    /// The DER ContentInfo for `econtent` signed with `signature`: the bytes
    /// [`signed_data_der`] gives for the template's certificate. A signature of another length
    /// than the template's is [`Error::Signing`].
    pub fn encode(&self, econtent: &[u8], signature: &[u8]) -> Result<Vec<u8>> {
        if signature.len() != self.signature_len {
            return Err(template_error(
                "the signature length differs from the key's",
            ));
        }
        let octets = header(Tag::OctetString, econtent.len())?;
        let explicit = header(CONTEXT_0, tlv_len(&octets, econtent.len())?)?;
        let encap_len = self
            .econtent_type
            .len()
            .checked_add(tlv_len(&explicit, tlv_len(&octets, econtent.len())?)?)
            .ok_or_else(too_long)?;
        let encap = header(Tag::Sequence, encap_len)?;
        let signed_data_len = [
            self.head.len(),
            tlv_len(&encap, encap_len)?,
            self.tail.len(),
            signature.len(),
        ]
        .into_iter()
        .try_fold(0usize, usize::checked_add)
        .ok_or_else(too_long)?;
        let signed_data = header(Tag::Sequence, signed_data_len)?;
        let content = header(CONTEXT_0, tlv_len(&signed_data, signed_data_len)?)?;
        let content_info_len = self
            .content_type
            .len()
            .checked_add(tlv_len(&content, tlv_len(&signed_data, signed_data_len)?)?)
            .ok_or_else(too_long)?;
        let content_info = header(Tag::Sequence, content_info_len)?;

        let mut out = Vec::with_capacity(tlv_len(&content_info, content_info_len)?);
        for part in [
            &content_info[..],
            &self.content_type,
            &content,
            &signed_data,
            &self.head,
            &encap,
            &self.econtent_type,
            &explicit,
            &octets,
            econtent,
            &self.tail,
            signature,
        ] {
            out.extend_from_slice(part);
        }
        Ok(out)
    }
}

/// The TLVs inside a constructed value, exactly `N` of them.
fn fields<const N: usize>(value: AnyRef<'_>) -> Result<[AnyRef<'_>; N]> {
    let mut reader = der::SliceReader::new(value.value()).map_err(encoding_error)?;
    let mut out = [AnyRef::NULL; N];
    for slot in &mut out {
        *slot = AnyRef::decode(&mut reader).map_err(encoding_error)?;
    }
    if !der::Reader::is_finished(&reader) {
        return Err(template_error(
            "unexpected fields in the reference encoding",
        ));
    }
    Ok(out)
}

/// The DER header of a `tag` value of `len` bytes.
fn header(tag: Tag, len: usize) -> Result<Vec<u8>> {
    let length = Length::try_from(len).map_err(encoding_error)?;
    Header::new(tag, length).to_der().map_err(encoding_error)
}

/// The length of a whole TLV: its header and `len` value bytes.
fn tlv_len(header: &[u8], len: usize) -> Result<usize> {
    header.len().checked_add(len).ok_or_else(too_long)
}

fn too_long() -> Error {
    template_error("the message is too long to encode")
}

fn template_error(detail: &str) -> Error {
    Error::Signing(format!("SignedData template: {detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::DecodePem;

    fn certificate(name: &str) -> Certificate {
        let path = format!("vectors/chain/{name}.pem");
        Certificate::from_pem(std::fs::read(&path).unwrap()).unwrap()
    }

    /// Every size where a DER length changes form (short, 1, 2 and 3 length bytes), for each key
    /// size: the template and the `cms` builder agree byte for byte.
    #[test]
    fn the_template_and_the_cms_builder_agree() {
        for (name, k) in [
            ("merchant1024", 128),
            ("merchant", 256),
            ("merchant3072", 384),
            ("merchant4096", 512),
        ] {
            let cert = certificate(name);
            let template = SignedDataTemplate::new(&cert, k).unwrap();
            assert_eq!(template.signature_len(), k);
            let signature: Vec<u8> = (0..k).map(|i| (i * 7 + 1) as u8).collect();
            for n in [
                0,
                1,
                2,
                100,
                101,
                102,
                103,
                104,
                127,
                128,
                129,
                200,
                255,
                256,
                257,
                1000,
                65000,
                65535,
                65536,
                70000,
                1 << 20,
            ] {
                let econtent: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
                assert_eq!(
                    template.encode(&econtent, &signature).unwrap(),
                    signed_data_der(&econtent, &cert, &signature).unwrap(),
                    "{name}, {n} bytes"
                );
            }
        }
    }

    #[test]
    fn a_signature_of_another_length_is_refused() {
        let template = SignedDataTemplate::new(&certificate("merchant"), 256).unwrap();
        for len in [0, 255, 257] {
            assert!(matches!(
                template.encode(b"x", &vec![1; len]),
                Err(Error::Signing(_))
            ));
        }
    }
}
