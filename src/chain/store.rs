//! Trust anchors: the certificates a path must end at (roots, or an intermediate such as OCA31).

use std::path::Path;

use super::ParsedCertificate;
use crate::{Error, Result};

/// A set of trust anchors.
///
/// Anchors are trusted as given: their own signature, validity and issuer are not checked (as in
/// RFC 5280 section 6 and rustls-webpki); their basicConstraints, pathLen and keyUsage are.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<ParsedCertificate>,
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        TrustStore::default()
    }

    /// Adds one DER certificate.
    pub fn add_der(&mut self, der: &[u8]) -> Result<()> {
        let cert = ParsedCertificate::from_der(der)?;
        self.push(cert);
        Ok(())
    }

    /// Adds every `CERTIFICATE` block of a PEM text; returns how many were added.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize> {
        let ders = crate::asn1::pem::blocks("PEM certificate", pem, "CERTIFICATE")?;
        let n = ders.len();
        for der in ders {
            self.add_der(&der)?;
        }
        Ok(n)
    }

    /// Adds a DER or PEM certificate file's contents (detected); returns how many were added.
    pub fn add_bytes(&mut self, bytes: &[u8]) -> Result<usize> {
        let ders = crate::asn1::pem::certificates(bytes)?;
        for der in &ders {
            self.add_der(der)?;
        }
        Ok(ders.len())
    }

    /// A store from certificate files (`.cer`, `.crt`, `.pem`; DER or PEM, several per PEM).
    pub fn from_files<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Result<Self> {
        let mut store = TrustStore::new();
        for path in paths {
            let path = path.as_ref();
            let bytes = Error::read_file(path)?;
            let added = store
                .add_bytes(&bytes)
                .map_err(|e| Error::in_file(path, e))?;
            if added == 0 {
                return Err(Error::in_file(
                    path,
                    Error::malformed("certificate file", "no certificate in it"),
                ));
            }
        }
        Ok(store)
    }

    /// The anchors.
    pub fn anchors(&self) -> &[ParsedCertificate] {
        &self.anchors
    }

    /// How many anchors the store holds.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// True if the store holds no anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    fn push(&mut self, cert: ParsedCertificate) {
        if !self.anchors.iter().any(|a| a.der() == cert.der()) {
            self.anchors.push(cert);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUNDLE: &[u8] = include_bytes!("../../vectors/chain/ca-bundle.pem");
    const ROOT_DER: &[u8] = include_bytes!("../../vectors/chain/root.cer");

    #[test]
    fn pem_bundle_and_der() {
        let mut s = TrustStore::new();
        assert_eq!(s.add_pem(BUNDLE).unwrap(), 2);
        assert_eq!(s.len(), 2);
        s.add_der(ROOT_DER).unwrap(); // duplicate: not added twice
        assert_eq!(s.len(), 2);
        assert_eq!(s.add_bytes(ROOT_DER).unwrap(), 1);
        assert!(TrustStore::new().add_pem(b"nothing here").is_err());
        assert!(
            TrustStore::new()
                .add_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n")
                .is_err()
        );
    }
}
