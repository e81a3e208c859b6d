//! Trust anchors and chain building.
//!
//! TEMPORARY STUB written on the `client` branch so the client compiles and its tests run before the
//! verification work (branch `verify`) lands; the `verify` branch's version replaces this file.

use der::{Decode, DecodePem, Encode};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier as _;
use sha2::Sha256;
use x509_cert::Certificate;

use crate::{Error, Result};

/// The certificates a verifier trusts.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one DER certificate.
    pub fn add_der(&mut self, der: &[u8]) -> Result<()> {
        let cert = Certificate::from_der(der).map_err(|e| Error::malformed("certificate", e))?;
        self.anchors.push(cert);
        Ok(())
    }

    /// Adds every certificate of a PEM bundle.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<()> {
        let text = std::str::from_utf8(pem).map_err(|_| Error::malformed("PEM", "not UTF-8"))?;
        let mut found = 0;
        for block in text.split_inclusive("-----END CERTIFICATE-----") {
            if let Some(start) = block.find("-----BEGIN CERTIFICATE-----") {
                let cert = Certificate::from_pem(&block[start..])
                    .map_err(|e| Error::malformed("certificate", e))?;
                self.anchors.push(cert);
                found += 1;
            }
        }
        if found == 0 {
            return Err(Error::malformed("PEM", "no certificate"));
        }
        Ok(())
    }

    /// Whether no anchors are configured.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Checks that `leaf` was issued (and signed) by one of the anchors.
    pub(crate) fn check(&self, leaf: &Certificate) -> Result<()> {
        let issuer = leaf.tbs_certificate().issuer();
        for anchor in &self.anchors {
            if anchor.tbs_certificate().subject() != issuer {
                continue;
            }
            let key = crate::signer::certificate_public_key(anchor)?;
            let tbs = leaf
                .tbs_certificate()
                .to_der()
                .map_err(|e| Error::malformed("certificate", e))?;
            let sig = Signature::try_from(leaf.signature().raw_bytes())
                .map_err(|e| Error::malformed("certificate", e))?;
            if VerifyingKey::<Sha256>::new(key).verify(&tbs, &sig).is_ok() {
                return Ok(());
            }
        }
        Err(Error::UntrustedChain {
            reason: "no trusted issuer signed the signer certificate".into(),
        })
    }
}
