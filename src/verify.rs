//! Verifying a signed message: signature, chain, identity (protocol.md sections 3 and 4).
//!
//! ```text
//! input --check_value::decode--> PKCS#7 --pkcs7::parse--> SignedData
//!   -> signer certificate (IssuerAndSerialNumber or subjectKeyIdentifier)
//!   -> signature (over the content's digest, or over the DER signed attributes after checking
//!      messageDigest and contentType)
//!   -> chain to a trust anchor (unless explicitly disabled)
//!   -> identity pin on the signer's CN id
//! ```
//!
//! Huifu's real test answer (`response_cmd209.check_value` in the public CFCA test material)
//! against CFCA's test chain: its certificates have expired since, so it is checked at a fixed
//! time (`tests/it/verify.rs` runs these lines as written).
//!
//! ```no_run
//! use huifu_cfca::chain::TrustStore;
//! use huifu_cfca::verify::Verifier;
//!
//! # fn main() -> huifu_cfca::Result<()> {
//! // PEM or DER files.
//! let trust = TrustStore::from_files(["CFCA_ACS_TEST_OCA31.cer", "CFCA_ACS_TEST_CA.cer"])?;
//! let verifier = Verifier::builder()
//!     .trust(trust) // the signer's id is pinned to Huifu's 100001 unless told otherwise
//!     .time("2017-12-20".parse()?)
//!     .build()?;
//! let answer = verifier.verify(&std::fs::read("response_cmd209.check_value")?)?;
//! println!("{}", answer.text().unwrap_or_default());
//! # Ok(())
//! # }
//! ```
//!
//! In production, [`Verifier::huifu`] is the verifier: the signer pinned to `100001`, the chain
//! to CFCA's production certificates (`CFCA_ACS_OCA31.cer` and its root, from CFCA) required,
//! checked now.

mod checks;
mod inspect;
mod limits;
mod message;

use std::sync::Arc;

use der::Encode as _;
use x509_cert::Certificate;

use crate::chain::{PathCache, PathOptions, TrustStore, VerifyTime, verify_path};
use crate::check_value::{self, InputForm};
use crate::engine::Engine;
use crate::identity::{self, SignerPin};
use crate::oid;
use crate::pkcs7::parse::{self, ParsedSignedData, ParsedSignerInfo, SignerIdentifier};
use crate::rsa_key::{self as crypto, KeyCache, KeySource};
use crate::x509::{CertCache, ParsedCertificate};
use crate::{Error, Result};

pub use crate::rsa_key::DigestAlgorithm;
pub use inspect::{Inspection, SignerInspection, inspect};
pub use limits::VerifyLimits;
pub use message::{SignerInfoSummary, VerifiedMessage};

pub(crate) use checks::signer_certificate;
use checks::{check_algorithms, check_signed_attributes};

/// Verifies signed messages. Cheap to clone (the configuration is shared), `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Verifier {
    config: Arc<Config>,
}

#[derive(Debug)]
struct Config {
    /// `None`: chain validation explicitly disabled.
    trust: Option<TrustStore>,
    pin: SignerPin,
    time: VerifyTime,
    allow_sha1: bool,
    extra_certs: Vec<ParsedCertificate>,
    require_single_signer: bool,
    limits: VerifyLimits,
    /// Validated paths by signer certificate (`None`: every verification builds its path anew).
    path_cache: Option<PathCache>,
    /// The certificates this verifier decoded lately (shared by its clones, by no one else).
    certs: CertCache,
    /// The RSA keys this verifier decoded lately, for its engine (shared by its clones, by no
    /// one else).
    keys: KeyCache,
}

/// Builds a [`Verifier`]; see [`Verifier::builder`].
#[derive(Debug, Clone)]
pub struct VerifierBuilder {
    trust: Option<TrustStore>,
    no_chain: bool,
    pin: SignerPin,
    time: VerifyTime,
    allow_sha1: bool,
    extra_certs: Vec<Certificate>,
    require_single_signer: bool,
    limits: VerifyLimits,
    chain_cache: bool,
    engine: Engine,
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        VerifierBuilder {
            trust: None,
            no_chain: false,
            pin: SignerPin::huifu(),
            time: VerifyTime::Now,
            allow_sha1: false,
            extra_certs: Vec::new(),
            require_single_signer: true,
            limits: VerifyLimits::default(),
            chain_cache: true,
            engine: Engine::Auto,
        }
    }
}

impl VerifierBuilder {
    /// The trust anchors the signer must chain to.
    pub fn trust(mut self, trust: TrustStore) -> Self {
        self.trust = Some(trust);
        self
    }

    /// Disables chain validation (signature and identity only). An explicit opt-out: it wins over
    /// [`trust`](Self::trust).
    pub fn no_chain(mut self) -> Self {
        self.no_chain = true;
        self
    }

    /// Which signer to accept (default: [`SignerPin::huifu`], the id `100001`).
    pub fn pin(mut self, pin: SignerPin) -> Self {
        self.pin = pin;
        self
    }

    /// When certificates are checked (default: [`VerifyTime::Now`]).
    pub fn time(mut self, time: VerifyTime) -> Self {
        self.time = time;
        self
    }

    /// Accept SHA-1 digests and sha1WithRSA certificate signatures (default: refused).
    pub fn allow_sha1(mut self, allow: bool) -> Self {
        self.allow_sha1 = allow;
        self
    }

    /// Certificates to search for the signer and intermediates, besides the message's own.
    pub fn extra_certs(mut self, certs: Vec<Certificate>) -> Self {
        self.extra_certs = certs;
        self
    }

    /// Require exactly one SignerInfo (default: true). When false, every SignerInfo must verify.
    pub fn require_single_signer(mut self, single: bool) -> Self {
        self.require_single_signer = single;
        self
    }

    /// Bounds on input size, certificates and signers per message, ASN.1 nesting depth, RSA key
    /// sizes and path building (default: [`VerifyLimits::default`]).
    pub fn limits(mut self, limits: VerifyLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Cache validated certificate paths by signer certificate (default: true).
    ///
    /// A verifier that sees the same signer again (Huifu signs every answer with one certificate)
    /// then skips the certificate signature checks. A cached path is used only when it is the
    /// answer a fresh path search would give: the signer's and intermediates' validity periods are
    /// checked again at each verification's time, and every intermediate on the cached path must be
    /// among the message's (or [`extra_certs`](Self::extra_certs)') certificates. Failures are not
    /// cached; at most 64 paths are kept. Clones of a verifier share its cache.
    pub fn chain_cache(mut self, enabled: bool) -> Self {
        self.chain_cache = enabled;
        self
    }

    /// The RSA implementation that checks the message's and the certificates' signatures
    /// (default: [`Engine::Auto`], the fastest kernel the CPU has). Results are the same whatever
    /// the engine; [`build`](Self::build) fails with [`Error::EngineUnavailable`] when this CPU
    /// does not run it ([`Engine::Ifma`] without AVX-512 IFMA).
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    /// The verifier. Without trust anchors and without [`no_chain`](Self::no_chain):
    /// [`Error::NoTrustAnchors`]; with an engine this CPU does not run:
    /// [`Error::EngineUnavailable`].
    pub fn build(self) -> Result<Verifier> {
        self.engine.ensure_available()?;
        let trust = if self.no_chain {
            None
        } else {
            match self.trust {
                Some(t) if !t.is_empty() => Some(t),
                _ => return Err(Error::NoTrustAnchors),
            }
        };
        let extra_certs = self
            .extra_certs
            .iter()
            .map(|c| {
                let der = c
                    .to_der()
                    .map_err(|e| Error::malformed("certificate", e.to_string()))?;
                ParsedCertificate::from_der(&der)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Verifier {
            config: Arc::new(Config {
                trust,
                pin: self.pin,
                time: self.time,
                allow_sha1: self.allow_sha1,
                extra_certs,
                require_single_signer: self.require_single_signer,
                limits: self.limits,
                path_cache: self.chain_cache.then(PathCache::default),
                certs: CertCache::default(),
                // The RSA implementation of every signature check: the cache decodes for it.
                keys: KeyCache::new(self.engine),
            }),
        })
    }
}

impl Verifier {
    /// The verifier for Huifu's answers and notifications: signer id `100001`, chain to `trust`
    /// required, checked now, SHA-1 refused, validated paths cached
    /// ([`VerifierBuilder::chain_cache`]). An empty `trust` is refused here, when the verifier
    /// is built: [`Error::NoTrustAnchors`].
    pub fn huifu(trust: TrustStore) -> Result<Self> {
        if trust.is_empty() {
            return Err(Error::NoTrustAnchors);
        }
        Ok(Verifier {
            config: Arc::new(Config {
                trust: Some(trust),
                pin: SignerPin::huifu(),
                time: VerifyTime::Now,
                allow_sha1: false,
                extra_certs: Vec::new(),
                require_single_signer: true,
                limits: VerifyLimits::default(),
                path_cache: Some(PathCache::default()),
                certs: CertCache::default(),
                keys: KeyCache::new(Engine::Auto),
            }),
        })
    }

    /// A builder for other configurations.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// Verifies an attached signature in any input form (check_value, base64, PEM, DER/BER).
    /// A detached signature is [`Error::DetachedSignature`].
    pub fn verify(&self, input: &[u8]) -> Result<VerifiedMessage> {
        let (der, form) = self.decode(input)?;
        let parsed = self.parse(&der)?;
        let econtent = parsed.econtent.clone().ok_or(Error::DetachedSignature)?;
        self.verify_parsed(&parsed, econtent, form)
    }

    /// Verifies a detached signature over `content`. A message that carries content is accepted
    /// only if that content equals `content`.
    pub fn verify_detached(&self, input: &[u8], content: &[u8]) -> Result<VerifiedMessage> {
        let (der, form) = self.decode(input)?;
        let parsed = self.parse(&der)?;
        if let Some(attached) = &parsed.econtent
            && attached != content
        {
            return Err(Error::malformed(
                "PKCS#7",
                "the message is not detached and carries other content",
            ));
        }
        self.verify_parsed(&parsed, content.to_vec(), form)
    }

    /// The limits this verifier applies.
    pub fn limits(&self) -> &VerifyLimits {
        &self.config.limits
    }

    /// The PKCS#7 parser within this verifier's limits, with its certificate cache.
    fn parse(&self, der: &[u8]) -> Result<ParsedSignedData> {
        parse::parse_with(der, &self.config.limits.parse, Some(&self.config.certs))
    }

    /// The input size check, then [`check_value::decode`].
    fn decode(&self, input: &[u8]) -> Result<(Vec<u8>, InputForm)> {
        self.config.limits.check_input(input.len())?;
        check_value::decode(input)
    }

    fn verify_parsed(
        &self,
        parsed: &ParsedSignedData,
        econtent: Vec<u8>,
        input_form: InputForm,
    ) -> Result<VerifiedMessage> {
        let cfg = &self.config;
        let count = parsed.signer_infos.len();
        // RFC 5652 §5.1: signerInfos may hold any number; Huifu's answers carry exactly one.
        if count == 0 || (cfg.require_single_signer && count != 1) {
            return Err(Error::SignerCount(count));
        }
        // RFC 5652 §5.2: the eContentType names what is signed; only id-data is.
        if parsed.econtent_type != oid::DATA {
            return Err(Error::unsupported(
                "eContentType",
                oid::name(&parsed.econtent_type),
            ));
        }
        let mut first = None;
        for si in &parsed.signer_infos {
            let checked = self.verify_signer(parsed, si, &econtent)?;
            if first.is_none() {
                first = Some(checked);
            }
        }
        let Some((cert, chain, digest)) = first else {
            return Err(Error::SignerCount(0));
        };
        let signed_attributes = parsed
            .signer_infos
            .first()
            .is_some_and(|si| si.signed_attributes.is_some());
        Ok(VerifiedMessage {
            econtent,
            encoding: parsed.encoding,
            input_form,
            signer: SignerInfoSummary::of(cert),
            signer_certificate: cert.certificate().clone(),
            chain: chain.iter().map(|c| c.certificate().clone()).collect(),
            signed_attributes,
            digest_algorithm: digest,
        })
    }

    /// Signature, chain and identity of one SignerInfo.
    fn verify_signer<'p>(
        &'p self,
        parsed: &'p ParsedSignedData,
        si: &ParsedSignerInfo,
        econtent: &[u8],
    ) -> Result<(
        &'p ParsedCertificate,
        Vec<ParsedCertificate>,
        DigestAlgorithm,
    )> {
        let cfg = &self.config;
        let digest = check_algorithms(parsed, si, cfg.allow_sha1)?;
        // RFC 5652 §5.3: the sid names the signer's certificate.
        let cert = self.find_signer(parsed, &si.sid)?;
        let key = crypto::rsa_public_key(
            cert,
            &cfg.limits.path.rsa_key_size,
            KeySource::Cache(&cfg.keys),
        )?;
        // RFC 5652 §5.4, §5.6: without signed attributes the signature is over the content's
        // digest; with them, over the DER SET OF the attributes (after their own checks).
        match &si.signed_attributes {
            None => crypto::verify_rsa(&key, digest, econtent, &si.signature)?,
            Some(attrs) => {
                check_signed_attributes(attrs, &parsed.econtent_type, &digest.digest(econtent))?;
                let as_sent = crypto::verify_rsa(&key, digest, &attrs.der, &si.signature);
                match (as_sent, &attrs.der_sorted) {
                    (Ok(()), _) => {}
                    (Err(Error::SignatureMismatch), Some(sorted)) => {
                        crypto::verify_rsa(&key, digest, sorted, &si.signature)?
                    }
                    (Err(e), _) => return Err(e),
                }
            }
        }
        // RFC 5280 §6: the signer's certificate chains to a trust anchor (crate::chain).
        let chain = match &cfg.trust {
            None => Vec::new(),
            Some(trust) => {
                let intermediates: Vec<&ParsedCertificate> = parsed
                    .certificates
                    .iter()
                    .chain(cfg.extra_certs.iter())
                    .collect();
                let opts = PathOptions {
                    time: cfg.time.resolve(),
                    allow_sha1: cfg.allow_sha1,
                    anchors: trust.anchors(),
                    intermediates: &intermediates,
                    limits: &cfg.limits.path,
                    keys: KeySource::Cache(&cfg.keys),
                };
                match &cfg.path_cache {
                    Some(cache) => cache.verify_path(cert, &opts)?,
                    None => verify_path(cert, &opts)?,
                }
            }
        };
        let cn = match &cfg.pin {
            SignerPin::Any => None,
            SignerPin::Id(_) => identity::cfca_cn(cert.subject_der())?,
        };
        cfg.pin.check(cn.as_ref())?;
        Ok((cert, chain, digest))
    }

    fn find_signer<'p>(
        &'p self,
        parsed: &'p ParsedSignedData,
        sid: &SignerIdentifier,
    ) -> Result<&'p ParsedCertificate> {
        signer_certificate(
            parsed
                .certificates
                .iter()
                .chain(self.config.extra_certs.iter()),
            sid,
        )
        .ok_or(Error::SignerCertificateNotFound)
    }
}

#[cfg(test)]
mod tests;
