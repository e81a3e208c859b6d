//! Verification of signed messages.
//!
//! TEMPORARY STUB written on the `client` branch so the client compiles and its tests run before the
//! verification work (branch `verify`) lands; the `verify` branch's version replaces this file. It
//! handles the SADK layout only (no signed attributes, DER).

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::Decode;
use der::asn1::OctetString;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier as _;
use sha2::Sha256;
use x509_cert::Certificate;

use crate::chain::TrustStore;
use crate::identity::{HUIFU_ID, SignerPin, signer_id};
use crate::{ContentMode, Error, Result, check_value};

/// Verifies check_values: signature, chain and pinned identity. `Send + Sync`, cheap to clone.
#[derive(Clone, Debug)]
pub struct Verifier {
    trust: Option<TrustStore>,
    pin: SignerPin,
}

/// Builds a [`Verifier`].
#[derive(Debug, Default)]
pub struct VerifierBuilder {
    trust: Option<TrustStore>,
    no_chain: bool,
    pin: Option<SignerPin>,
}

impl VerifierBuilder {
    /// Trust anchors.
    pub fn trust(mut self, trust: TrustStore) -> Self {
        self.trust = Some(trust);
        self
    }
    /// Disables chain validation.
    pub fn no_chain(mut self) -> Self {
        self.no_chain = true;
        self
    }
    /// The signer pin.
    pub fn pin(mut self, pin: SignerPin) -> Self {
        self.pin = Some(pin);
        self
    }
    /// Builds the verifier.
    pub fn build(self) -> Result<Verifier> {
        let trust = match (self.trust, self.no_chain) {
            (_, true) => None,
            (Some(t), false) if !t.is_empty() => Some(t),
            _ => return Err(Error::NoTrustAnchors),
        };
        Ok(Verifier {
            trust,
            pin: self.pin.unwrap_or(SignerPin::Id(HUIFU_ID.into())),
        })
    }
}

/// Who signed.
#[derive(Debug, Clone)]
pub struct SignerInfoSummary {
    /// The signer's id from its CN.
    pub id: Option<String>,
}

/// A verified message.
#[derive(Debug, Clone)]
pub struct VerifiedMessage {
    /// The signed eContent bytes.
    pub econtent: Vec<u8>,
    /// Who signed.
    pub signer: SignerInfoSummary,
    /// The signer's certificate.
    pub signer_certificate: Certificate,
}

impl VerifiedMessage {
    /// The content as text, unwrapping Huifu's base64 when present.
    pub fn text(&self) -> Option<String> {
        crate::content::unwrap_huifu(&self.econtent)
            .or_else(|| String::from_utf8(self.econtent.clone()).ok())
    }
    /// The content in the given mode.
    pub fn content(&self, mode: ContentMode) -> Vec<u8> {
        match mode {
            ContentMode::Huifu => crate::content::unwrap_huifu(&self.econtent)
                .map(String::into_bytes)
                .unwrap_or_else(|| self.econtent.clone()),
            ContentMode::Raw => self.econtent.clone(),
        }
    }
}

impl Verifier {
    /// Huifu's answers: chain to `trust`, signer pinned to `100001`.
    pub fn huifu(trust: TrustStore) -> Self {
        Verifier {
            trust: Some(trust),
            pin: SignerPin::Id(HUIFU_ID.into()),
        }
    }
    /// A builder.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }
    /// Verifies a check_value (or any accepted form).
    pub fn verify(&self, input: &[u8]) -> Result<VerifiedMessage> {
        let (der, _) = check_value::decode(input)?;
        let ci = ContentInfo::from_der(&der).map_err(|e| Error::malformed("PKCS#7", e))?;
        let sd: SignedData = ci
            .content
            .decode_as()
            .map_err(|e| Error::malformed("SignedData", e))?;
        let econtent: OctetString = sd
            .encap_content_info
            .econtent
            .as_ref()
            .ok_or(Error::DetachedSignature)?
            .decode_as()
            .map_err(|e| Error::malformed("eContent", e))?;
        if sd.signer_infos.0.len() != 1 {
            return Err(Error::SignerCount(sd.signer_infos.0.len()));
        }
        let si = sd.signer_infos.0.get(0).ok_or(Error::SignerCount(0))?;
        let cert = sd
            .certificates
            .as_ref()
            .and_then(|set| {
                set.0.iter().find_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c.clone()),
                    CertificateChoices::Other(_) => None,
                })
            })
            .ok_or(Error::SignerCertificateNotFound)?;
        let key = crate::signer::certificate_public_key(&cert)?;
        let sig =
            Signature::try_from(si.signature.as_bytes()).map_err(|_| Error::SignatureMismatch)?;
        VerifyingKey::<Sha256>::new(key)
            .verify(econtent.as_bytes(), &sig)
            .map_err(|_| Error::SignatureMismatch)?;
        if let Some(trust) = &self.trust {
            trust.check(&cert)?;
        }
        let id = signer_id(&cert);
        if let SignerPin::Id(expected) = &self.pin
            && id.as_deref() != Some(expected.as_str())
        {
            return Err(Error::IdentityMismatch {
                expected: expected.clone(),
                found: id.unwrap_or_default(),
            });
        }
        Ok(VerifiedMessage {
            econtent: econtent.as_bytes().to_vec(),
            signer: SignerInfoSummary { id },
            signer_certificate: cert,
        })
    }
}
