//! The signer: a merchant's RSA key and certificate, producing CFCA-exact SignedData.

use std::fmt;
use std::sync::Arc;

use der::Encode;
/// The RSA private key type [`Signer::new`] takes (re-exported: no direct `rsa` dependency needed).
pub use rsa::PrivateKey;
use rsa::PublicKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::{SignatureEncoding, Signer as _};
use rsa::traits::PublicKeyParts;
use sha2::Sha256;
/// The certificate type of the signer's API (re-exported).
pub use x509_cert::Certificate;

use crate::engine::{Engine, RsaEngine};
use crate::rsa_key::RsaKeySize;
use crate::{ContentMode, Error, Result, check_value, pkcs7};

/// Signs content as CFCA's SADK does: PKCS#7 SignedData, attached content, RSA PKCS#1 v1.5 with
/// SHA-256, the signer certificate included, no signed attributes.
///
/// `Send + Sync` and cheap to clone (the key is shared behind an `Arc` and zeroized when the last
/// clone is dropped).
#[derive(Clone)]
pub struct Signer {
    inner: Arc<Inner>,
}

struct Inner {
    /// The fast constant-time engine ([`crate::engine`]) when it serves the key (two-prime keys
    /// up to 4096 bits) and the choice is not [`Engine::RsaCrate`]; `key` signs otherwise.
    engine: Option<RsaEngine>,
    /// The engine choice `engine` was made with.
    choice: Engine,
    key: SigningKey<Sha256>,
    certificate: Certificate,
    /// The certificate's SignedData, encoded once; each message adds its eContent and signature.
    template: pkcs7::build::SignedDataTemplate,
    chain: Vec<Certificate>,
    key_bits: usize,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field(
                "subject",
                &self
                    .inner
                    .certificate
                    .tbs_certificate()
                    .subject()
                    .to_string(),
            )
            .field("key_bits", &self.inner.key_bits)
            .field("engine", &self.inner.engine.as_ref().map(RsaEngine::kernel))
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Signer {
    /// A signer from an RSA private key and the certificate that carries its public key.
    ///
    /// Fails with [`Error::NoMatchingCertificate`] when the certificate holds another key, and with
    /// [`Error::LimitExceeded`] for moduli outside 1024..=8192 bits ([`RsaKeySize::default`]).
    pub fn new(key: PrivateKey, certificate: Certificate) -> Result<Self> {
        Self::with_chain(key, certificate, Vec::new())
    }

    /// A signer from a key file and a certificate file, each PEM or DER (detected): the key as
    /// PKCS#8 (`-----BEGIN PRIVATE KEY-----`, as `huifu-cfca pki generate` and `openssl pkcs12
    /// -nodes` write it), the certificate as `.cer`/`.pem`. A file that cannot be read or decoded
    /// is [`Error::File`], naming it. Keys are secrets: prefer the PFX ([`Signer::from_pfx`]).
    pub fn from_files(
        key: impl AsRef<std::path::Path>,
        certificate: impl AsRef<std::path::Path>,
    ) -> Result<Self> {
        use rsa::pkcs8::DecodePrivateKey;
        let key_path = key.as_ref();
        let bytes = zeroize::Zeroizing::new(Error::read_file(key_path)?);
        let decoded = if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
            std::str::from_utf8(&bytes)
                .map_err(|_| Error::malformed("private key", "a PEM file that is not UTF-8"))
                .and_then(|pem| {
                    PrivateKey::from_pkcs8_pem(pem).map_err(|e| Error::malformed("private key", e))
                })
        } else {
            PrivateKey::from_pkcs8_der(&bytes).map_err(|e| Error::malformed("private key", e))
        };
        let key = decoded.map_err(|e| Error::in_file(key_path, e))?;
        let cert_path = certificate.as_ref();
        let mut certificates = crate::x509::certificates_from_files([cert_path])?.into_iter();
        let certificate = certificates.next().ok_or_else(|| {
            Error::in_file(
                cert_path,
                Error::malformed("certificate file", "no certificate in it"),
            )
        })?;
        Self::with_chain(key, certificate, certificates.collect()).map_err(|e| match e {
            e @ Error::NoMatchingCertificate => Error::in_file(cert_path, e),
            e => e,
        })
    }

    /// Like [`Signer::new`], keeping the issuing certificates (from the PFX) for reference; the
    /// SADK layout still embeds the signer certificate only.
    pub fn with_chain(
        key: PrivateKey,
        certificate: Certificate,
        chain: Vec<Certificate>,
    ) -> Result<Self> {
        let key_bits = key.size() * 8;
        RsaKeySize::default().check(u64::try_from(key_bits).unwrap_or(u64::MAX))?;
        if certificate_public_key(&certificate)? != key.to_public_key() {
            return Err(Error::NoMatchingCertificate);
        }
        // The certificate travels in every message: refuse one the verifier cannot read (e.g. a
        // signature BIT STRING with unused bits, which x509-cert accepts), rather than produce
        // messages that no verifier of this crate accepts.
        let der = certificate
            .to_der()
            .map_err(|e| Error::malformed("certificate", e))?;
        crate::x509::ParsedCertificate::from_der(&der)?;
        let template = pkcs7::build::SignedDataTemplate::new(&certificate, key.size())?;
        let engine = Engine::Auto.private_engine(&key);
        Ok(Signer {
            inner: Arc::new(Inner {
                engine,
                choice: Engine::Auto,
                key: SigningKey::<Sha256>::new(key),
                certificate,
                template,
                chain,
                key_bits,
            }),
        })
    }

    /// A signer from a PFX (PKCS#12) file's bytes and its password.
    ///
    /// ```no_run
    /// # fn main() -> huifu_cfca::Result<()> {
    /// use huifu_cfca::{ContentMode, signer::Signer};
    /// let signer = Signer::from_pfx(&std::fs::read("AS0381.pfx")?, "888888")?;
    /// let check_value = signer.sign(b"TestData", ContentMode::Raw)?.check_value();
    /// # Ok(()) }
    /// ```
    pub fn from_pfx(der: &[u8], password: &str) -> Result<Self> {
        Self::from_identity(&crate::pfx::load(der, password)?)
    }

    /// A signer from a decoded PFX identity (the key is copied; both copies zeroize on drop):
    /// with limits other than the defaults, `Signer::from_identity(&limits.load(der, password)?)`
    /// ([`PfxLimits::load`](crate::pfx::PfxLimits::load)).
    pub fn from_identity(identity: &crate::pfx::PfxIdentity) -> Result<Self> {
        Self::with_chain(
            identity.private_key().clone(),
            identity.certificate().clone(),
            identity.chain().to_vec(),
        )
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.inner.certificate
    }

    /// The other certificates that came with the key (usually the issuing CAs).
    pub fn chain(&self) -> &[Certificate] {
        &self.inner.chain
    }

    /// The RSA modulus size in bits.
    pub fn key_bits(&self) -> usize {
        self.inner.key_bits
    }

    /// This signer with the RSA implementation `engine` (a signer is made with [`Engine::Auto`],
    /// the fastest kernel the CPU has). Signatures are the same bytes whatever the engine.
    ///
    /// ```no_run
    /// # fn main() -> huifu_cfca::Result<()> {
    /// use huifu_cfca::{engine::Engine, signer::Signer};
    /// let signer = Signer::from_pfx(&std::fs::read("AS0381.pfx")?, "888888")?
    ///     .with_engine(Engine::Portable)?;
    /// # Ok(()) }
    /// ```
    ///
    /// Fails with [`Error::EngineUnavailable`] when this CPU does not run `engine`
    /// ([`Engine::Ifma`] without AVX-512 IFMA).
    pub fn with_engine(self, engine: Engine) -> Result<Self> {
        engine.ensure_available()?;
        if engine == self.inner.choice {
            return Ok(self);
        }
        let rsa_engine = engine.private_engine(self.inner.key.as_ref());
        let inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => Inner {
                engine: rsa_engine,
                choice: engine,
                ..inner
            },
            Err(shared) => Inner {
                engine: rsa_engine,
                choice: engine,
                key: shared.key.clone(),
                certificate: shared.certificate.clone(),
                template: shared.template.clone(),
                chain: shared.chain.clone(),
                key_bits: shared.key_bits,
            },
        };
        Ok(Signer {
            inner: Arc::new(inner),
        })
    }

    /// The engine choice (see [`Signer::with_engine`]).
    pub fn engine(&self) -> Engine {
        self.inner.choice
    }

    /// The engine kernel that signs, or `None` when the `rsa` crate does (keys the engine does not
    /// serve, or [`Engine::RsaCrate`]).
    pub fn kernel(&self) -> Option<crate::engine::Kernel> {
        self.inner.engine.as_ref().map(RsaEngine::kernel)
    }

    /// The raw RSA PKCS#1 v1.5 SHA-256 signature of `message` (blinded; with the engine also
    /// verified before it is returned). Not part of the API: for the benches, `huifu-cfca speed`
    /// (which times the RSA operation as `openssl speed` does) and the tests.
    #[doc(hidden)]
    pub fn sign_raw(&self, message: &[u8]) -> Result<Vec<u8>> {
        if let Some(engine) = &self.inner.engine {
            let digest: [u8; 32] = <Sha256 as sha2::Digest>::digest(message).into();
            return engine.sign_pkcs1v15_sha256(&digest);
        }
        let signature = self
            .inner
            .key
            .try_sign(message)
            .map_err(|e| Error::Signing(e.to_string()))?;
        Ok(signature.to_vec())
    }

    /// DER SignedData whose eContent is exactly `econtent`.
    fn sign_econtent(&self, econtent: &[u8]) -> Result<Vec<u8>> {
        let signature = self.sign_raw(econtent)?;
        let template = &self.inner.template;
        if signature.len() == template.signature_len() {
            template.encode(econtent, &signature)
        } else {
            // PKCS#1 v1.5 signatures are exactly the modulus length; should one not be, the
            // `cms` builder still encodes it correctly.
            pkcs7::build::signed_data_der(econtent, &self.inner.certificate, &signature)
        }
    }

    /// Signs `content` as CFCA's SADK does: a DER PKCS#7 SignedData with the content attached
    /// (in `mode`: [`ContentMode::Huifu`] signs the base64 text of it, [`ContentMode::Raw`] the
    /// bytes themselves), RSA PKCS#1 v1.5 with SHA-256, the signer's certificate, no signed
    /// attributes. The message gives its DER ([`SignedMessage::der`]) and the `check_value`
    /// Huifu's API carries ([`SignedMessage::check_value`]).
    pub fn sign(&self, content: &[u8], mode: ContentMode) -> Result<SignedMessage> {
        self.sign_econtent(&mode.wrap(content))
            .map(|der| SignedMessage { der })
    }
}

/// A signed message: DER PKCS#7 SignedData ([`Signer::sign`]).
#[derive(Clone, PartialEq, Eq)]
pub struct SignedMessage {
    der: Vec<u8>,
}

impl SignedMessage {
    /// The DER SignedData (what `openssl cms -inform DER` reads).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The DER SignedData, owned.
    pub fn into_der(self) -> Vec<u8> {
        self.der
    }

    /// The `check_value` of Huifu's API: base64 of the base64 of the DER.
    pub fn check_value(&self) -> String {
        check_value::encode(&self.der)
    }
}

impl std::fmt::Debug for SignedMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedMessage")
            .field("der_bytes", &self.der.len())
            .finish()
    }
}

/// The RSA public key a certificate carries.
pub(crate) fn certificate_public_key(certificate: &Certificate) -> Result<PublicKey> {
    let spki = certificate.tbs_certificate().subject_public_key_info();
    let der = spki
        .to_der()
        .map_err(|e| Error::malformed("certificate", format!("public key: {e}")))?;
    PublicKey::from_public_key_der(&der).map_err(|_| {
        Error::UnsupportedKey(format!(
            "{} public key",
            crate::oid::name(&spki.algorithm.oid)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, DecodePem};
    use rsa::pkcs8::DecodePrivateKey;

    fn chain_file(name: &str) -> Vec<u8> {
        let path = format!("vectors/chain/{name}");
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    pub(crate) fn merchant(name: &str) -> Signer {
        let pem = String::from_utf8(chain_file(&format!("{name}.key"))).unwrap();
        let key = PrivateKey::from_pkcs8_pem(&pem).unwrap();
        let cert = Certificate::from_pem(chain_file(&format!("{name}.pem"))).unwrap();
        Signer::new(key, cert).unwrap()
    }

    #[test]
    fn signs_deterministically_and_embeds_the_certificate() {
        let signer = merchant("merchant");
        let a = signer
            .sign(b"TestData", ContentMode::Raw)
            .unwrap()
            .into_der();
        let b = signer
            .clone()
            .sign(b"TestData", ContentMode::Raw)
            .unwrap()
            .into_der();
        assert_eq!(a, b, "PKCS#1 v1.5 is deterministic");
        let cert_der = signer.certificate().to_der().unwrap();
        assert!(a.windows(cert_der.len()).any(|w| w == cert_der.as_slice()));
        assert!(a.windows(8).any(|w| w == b"TestData"));
    }

    #[test]
    fn messages_are_the_cms_builders_bytes() {
        for name in ["merchant1024", "merchant", "merchant4096"] {
            let signer = merchant(name);
            for econtent in [&b""[..], b"TestData", &[0x5a; 300], &[0xa5; 70_000]] {
                let expected = pkcs7::build::signed_data_der(
                    econtent,
                    signer.certificate(),
                    &signer.sign_raw(econtent).unwrap(),
                )
                .unwrap();
                assert_eq!(
                    signer
                        .sign(econtent, ContentMode::Raw)
                        .map(|m| m.into_der())
                        .unwrap(),
                    expected,
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn huifu_mode_signs_base64_of_the_content() {
        let signer = merchant("merchant");
        let message = signer.sign(b"{\"a\":1}", ContentMode::Huifu).unwrap();
        let der = message.der();
        assert!(der.windows(12).any(|w| w == b"eyJhIjoxfQ=="));
        assert_eq!(
            format!("{message:?}"),
            format!("SignedMessage {{ der_bytes: {} }}", der.len())
        );
        let cv = signer
            .sign(b"{\"a\":1}", ContentMode::Huifu)
            .map(|m| m.check_value())
            .unwrap();
        assert_eq!(check_value::decode(cv.as_bytes()).unwrap().0, der);
    }

    #[test]
    fn a_key_and_a_foreign_certificate_do_not_make_a_signer() {
        let pem = String::from_utf8(chain_file("merchant.key")).unwrap();
        let key = PrivateKey::from_pkcs8_pem(&pem).unwrap();
        let cert = Certificate::from_der(&chain_file("huifu.cer")).unwrap();
        assert!(matches!(
            Signer::new(key, cert),
            Err(Error::NoMatchingCertificate)
        ));
    }

    #[test]
    fn an_ec_certificate_is_an_unsupported_key() {
        let cert = Certificate::from_der(&chain_file("ec.cer")).unwrap();
        assert!(matches!(
            certificate_public_key(&cert),
            Err(Error::UnsupportedKey(_))
        ));
    }

    #[test]
    fn key_sizes_from_1024_to_4096_sign() {
        for name in ["merchant1024", "merchant", "merchant3072", "merchant4096"] {
            let signer = merchant(name);
            let raw = signer.sign_raw(b"x").unwrap();
            assert_eq!(raw.len() * 8, signer.key_bits(), "{name}");
        }
    }

    #[test]
    fn the_engine_and_rsa_sign_alike() {
        for name in ["merchant1024", "merchant", "merchant3072", "merchant4096"] {
            let signer = merchant(name);
            assert!(signer.inner.engine.is_some(), "{name}");
            for msg in [&b""[..], b"x", b"TestData", &[0xa5; 1000]] {
                let fast = signer.sign_raw(msg).unwrap();
                let slow = signer.inner.key.try_sign(msg).unwrap().to_vec();
                assert_eq!(fast, slow, "{name}");
            }
        }
    }

    #[test]
    fn every_engine_choice_signs_the_same_bytes() {
        use crate::engine::Kernel;
        let signer = merchant("merchant");
        let expected = signer.sign_raw(b"TestData").unwrap();
        let kept = signer.clone();
        for engine in [
            Engine::Portable,
            Engine::RsaCrate,
            Engine::Ifma,
            Engine::Auto,
        ] {
            let signer = match signer.clone().with_engine(engine) {
                Ok(signer) => signer,
                Err(Error::EngineUnavailable(e)) => {
                    assert!(e == Engine::Ifma.name() && !crate::engine::ifma_available());
                    continue;
                }
                Err(e) => panic!("{engine}: {e}"),
            };
            assert_eq!(signer.engine(), engine);
            let kernel = match engine {
                Engine::Portable => Some(Kernel::Portable),
                Engine::RsaCrate => None,
                _ if crate::engine::ifma_available() => Some(Kernel::Ifma),
                _ => Some(Kernel::Portable),
            };
            assert_eq!(signer.kernel(), kernel, "{engine}");
            assert_eq!(signer.sign_raw(b"TestData").unwrap(), expected, "{engine}");
        }
        // A clone that shares the key keeps its own choice.
        assert_eq!(kept.engine(), Engine::Auto);
        assert_eq!(kept.sign_raw(b"TestData").unwrap(), expected);
    }

    #[test]
    fn debug_prints_no_key_material() {
        let signer = merchant("merchant");
        let text = format!("{signer:?}");
        assert!(
            text.contains("redacted") && text.contains("051@AS0381"),
            "{text}"
        );
        assert!(
            !text.contains("SigningKey") && !text.contains("primes"),
            "{text}"
        );
    }
}
