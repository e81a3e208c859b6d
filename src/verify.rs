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
//! ```no_run
//! use huifu_cfca::chain::TrustStore;
//! use huifu_cfca::verify::Verifier;
//!
//! # fn main() -> huifu_cfca::Result<()> {
//! # let check_value = "";
//! let trust = TrustStore::from_files(["CFCA_ACS_OCA31.cer"])?;
//! let verifier = Verifier::huifu(trust); // signer id 100001, chain required, checked now
//! let answer = verifier.verify(check_value.as_bytes())?;
//! println!("{}", answer.text().unwrap_or_default());
//! # Ok(())
//! # }
//! ```

pub(crate) mod crypto;
mod inspect;
pub(crate) mod limits;

use std::sync::Arc;

use der::Encode as _;
use x509_cert::Certificate;

use crate::chain::{
    ParsedCertificate, PathCache, PathOptions, TrustStore, VerifyTime, verify_path,
};
use crate::check_value::{self, InputForm};
use crate::content::{self, ContentMode};
use crate::engine::Engine;
use crate::identity::{self, SignerPin};
use crate::oid;
use crate::pkcs7::parse::{self, Encoding, ParsedSignedData, ParsedSignerInfo, SignerIdentifier};
use crate::{Error, Result};

pub use crypto::DigestAlgorithm;
pub use inspect::{Inspection, SignerInspection, inspect};
pub use limits::VerifyLimits;

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
    /// The RSA implementation of every signature check.
    engine: Engine,
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
                engine: self.engine,
            }),
        })
    }
}

/// Who signed, in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfoSummary {
    /// The signer certificate's subject (RFC 4514 order).
    pub subject: String,
    /// The signer certificate's issuer (RFC 4514 order).
    pub issuer: String,
    /// The serial number, lower-case hex.
    pub serial: String,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// The subject's common name, if it has one.
    pub common_name: Option<String>,
    /// The CFCA customer id from the CN (`100001` for Huifu), if the CN has the CFCA shape.
    pub cn_id: Option<String>,
}

impl SignerInfoSummary {
    pub(crate) fn of(cert: &ParsedCertificate) -> Self {
        let common_name = cert.common_name();
        let cn_id = common_name
            .as_deref()
            .and_then(identity::CfcaCn::parse)
            .map(|cn| cn.id);
        SignerInfoSummary {
            subject: cert.subject_string(),
            issuer: cert.issuer_string(),
            serial: cert.serial_hex(),
            not_before: cert.not_before_rfc3339(),
            not_after: cert.not_after_rfc3339(),
            // Shown by the CLI and in logs: escaped (the subject and issuer already are).
            common_name: common_name.as_deref().map(crate::error::escape_untrusted),
            cn_id,
        }
    }
}

/// A message whose signature, chain and signer identity were verified.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedMessage {
    /// The signed eContent, as signed.
    pub econtent: Vec<u8>,
    /// DER or BER.
    pub encoding: Encoding,
    /// The form the input arrived in.
    pub input_form: InputForm,
    /// Who signed.
    pub signer: SignerInfoSummary,
    /// The signer's certificate.
    pub signer_certificate: Certificate,
    /// The validated path, signer first and trust anchor last (empty when the chain was not
    /// checked).
    pub chain: Vec<Certificate>,
    /// True if the signature covered signed attributes.
    pub signed_attributes: bool,
    /// The digest algorithm of the (first) signer.
    pub digest_algorithm: DigestAlgorithm,
}

impl VerifiedMessage {
    /// The Huifu-unwrapped text: the eContent decoded from base64 as UTF-8, if it is that.
    pub fn text(&self) -> Option<String> {
        content::unwrap_huifu(&self.econtent)
    }

    /// The content in a mode: `Raw` is the eContent; `Huifu` is the unwrapped bytes when the
    /// eContent is base64 of UTF-8 text, else the eContent as it is.
    pub fn content(&self, mode: ContentMode) -> Vec<u8> {
        match mode {
            ContentMode::Raw => self.econtent.clone(),
            ContentMode::Huifu => self
                .text()
                .map(String::into_bytes)
                .unwrap_or_else(|| self.econtent.clone()),
        }
    }
}

impl Verifier {
    /// The verifier for Huifu's answers and notifications: signer id `100001`, chain to `trust`
    /// required, checked now, SHA-1 refused, validated paths cached
    /// ([`VerifierBuilder::chain_cache`]).
    pub fn huifu(trust: TrustStore) -> Self {
        Verifier {
            config: Arc::new(Config {
                trust: Some(trust),
                pin: SignerPin::huifu(),
                time: VerifyTime::Now,
                allow_sha1: false,
                extra_certs: Vec::new(),
                require_single_signer: true,
                limits: VerifyLimits::default(),
                path_cache: Some(PathCache::default()),
                engine: Engine::Auto,
            }),
        }
    }

    /// A builder for other configurations.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// Verifies an attached signature in any input form (check_value, base64, PEM, DER/BER).
    /// A detached signature is [`Error::DetachedSignature`].
    pub fn verify(&self, input: &[u8]) -> Result<VerifiedMessage> {
        let (der, form) = self.decode(input)?;
        let parsed = parse::parse_with_limits(&der, &self.config.limits)?;
        let econtent = parsed.econtent.clone().ok_or(Error::DetachedSignature)?;
        self.verify_parsed(&parsed, econtent, form)
    }

    /// Verifies a detached signature over `content`. A message that carries content is accepted
    /// only if that content equals `content`.
    pub fn verify_detached(&self, input: &[u8], content: &[u8]) -> Result<VerifiedMessage> {
        let (der, form) = self.decode(input)?;
        let parsed = parse::parse_with_limits(&der, &self.config.limits)?;
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
        if count == 0 || (cfg.require_single_signer && count != 1) {
            return Err(Error::SignerCount(count));
        }
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
        let cert = self.find_signer(parsed, &si.sid)?;
        let key = crypto::rsa_public_key(cert, &cfg.limits, cfg.engine)?;
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
                    limits: &cfg.limits,
                    engine: cfg.engine,
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

/// The certificate a SignerInfo names: the first of `certs` whose issuer matches by RFC 5280
/// name comparison (§7.1) and whose serial is equal, or whose subject key identifier is equal.
/// The one rule for choosing the signer: [`Verifier`] and [`inspect`] both use it, so they name
/// the same certificate whatever look-alike certificates a message carries.
pub(crate) fn signer_certificate<'p>(
    mut certs: impl Iterator<Item = &'p ParsedCertificate>,
    sid: &SignerIdentifier,
) -> Option<&'p ParsedCertificate> {
    certs.find(|c| match sid {
        SignerIdentifier::IssuerAndSerialNumber { issuer, serial } => {
            c.serial() == serial.as_slice() && identity::names_match(c.issuer_der(), issuer)
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => c.subject_key_id() == Some(ski.as_slice()),
    })
}

/// The digest algorithm, after checking it against the signature algorithm and the SHA-1 policy.
fn check_algorithms(
    parsed: &ParsedSignedData,
    si: &ParsedSignerInfo,
    allow_sha1: bool,
) -> Result<DigestAlgorithm> {
    let implied = crypto::signature_digest(&si.signature_algorithm.oid, "signature algorithm")?;
    let digest = DigestAlgorithm::from_oid(&si.digest_algorithm.oid).ok_or_else(|| {
        Error::unsupported("digest algorithm", oid::name(&si.digest_algorithm.oid))
    })?;
    crypto::check_null_parameters(
        si.digest_algorithm.parameters.as_deref(),
        "digest algorithm",
    )?;
    crypto::check_null_parameters(
        si.signature_algorithm.parameters.as_deref(),
        "signature algorithm",
    )?;
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
    if let Some(implied) = implied
        && implied != digest
    {
        return Err(Error::AlgorithmMismatch(format!(
            "digest algorithm {} but signature algorithm {}",
            digest.name(),
            oid::name(&si.signature_algorithm.oid)
        )));
    }
    digest.check_allowed(allow_sha1)?;
    Ok(digest)
}

/// contentType must be `data` (and the eContentType); messageDigest must be the content's digest.
fn check_signed_attributes(
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
    let md = single(&oid::ATTR_MESSAGE_DIGEST, "messageDigest")?;
    match md.split_first() {
        Some((&0x04, _)) => {}
        _ => {
            return Err(Error::InvalidSignedAttributes(
                "the messageDigest attribute is not an OCTET STRING".to_string(),
            ));
        }
    }
    let mut r = parse::ber::Reader::new(&md);
    let value = r.next()?;
    r.finish("messageDigest")?;
    if value.value != content_digest {
        return Err(Error::DigestMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn verifier_is_send_sync() {
        assert_send_sync::<Verifier>();
    }

    const ATTR: &[u8] = include_bytes!("../vectors/p7/huifu-attr.p7b");

    #[test]
    fn unsorted_signed_attributes_still_verify() {
        let p = parse::parse(ATTR).unwrap();
        let der = p.signer_infos[0].signed_attributes.clone().unwrap().der;
        let at = ATTR
            .windows(der.len() - 1)
            .position(|w| w == &der[1..])
            .unwrap()
            - 1;
        let set = parse::ber::Reader::new(&der).next().unwrap();
        let offset = der.len() - set.value.len();
        let mut elements = Vec::new();
        let mut r = set.children();
        while !r.is_empty() {
            elements.push(r.next().unwrap().raw.to_vec());
        }
        assert!(elements.len() >= 3);
        elements.reverse();
        let reordered: Vec<u8> = elements.concat();
        let mut msg = ATTR.to_vec();
        msg[at + offset..at + offset + reordered.len()].copy_from_slice(&reordered);
        let reparsed = parse::parse(&msg).unwrap();
        assert!(
            reparsed.signer_infos[0]
                .signed_attributes
                .as_ref()
                .unwrap()
                .der_sorted
                .is_some()
        );
        let v = Verifier::builder().no_chain().build().unwrap();
        assert!(v.verify(&msg).is_ok());
    }

    #[test]
    fn the_path_cache_serves_the_same_signer_and_still_needs_its_intermediates() {
        let file = |n: &str| std::fs::read(format!("vectors/{n}")).unwrap();
        let mut root = TrustStore::new();
        root.add_der(&file("chain/root.cer")).unwrap();
        let chained = file("p7/huifu-chain.p7b"); // carries the OCA
        let bare = file("p7/huifu-noattr.p7b"); // signer certificate only
        for cached in [true, false] {
            let v = Verifier::builder()
                .trust(root.clone())
                .time(VerifyTime::at_unix(1_893_456_000))
                .chain_cache(cached)
                .build()
                .unwrap();
            let first = v.verify(&chained).unwrap();
            let again = v.clone().verify(&chained).unwrap();
            assert_eq!(first.chain.len(), 3);
            assert_eq!(first.chain, again.chain);
            let entries = v.config.path_cache.as_ref().map(PathCache::len);
            assert_eq!(entries, cached.then_some(1));
            // The same signer without the intermediate: still unknown issuer.
            assert!(matches!(v.verify(&bare), Err(Error::UntrustedChain { .. })));
            // Expired at a later time, cache or not.
            let later = Verifier::builder()
                .trust(root.clone())
                .time(VerifyTime::at_unix(2_524_608_000))
                .chain_cache(cached)
                .build()
                .unwrap();
            assert!(later.verify(&chained).is_err());
        }
    }

    #[test]
    fn every_engine_verifies_alike() {
        let file = |n: &str| std::fs::read(format!("vectors/{n}")).unwrap();
        let mut root = TrustStore::new();
        root.add_der(&file("chain/root.cer")).unwrap();
        let chained = file("p7/huifu-chain.p7b");
        let mut tampered = chained.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1; // the last byte of the signature
        for engine in [
            Engine::Auto,
            Engine::Portable,
            Engine::Ifma,
            Engine::RsaCrate,
        ] {
            let built = Verifier::builder()
                .trust(root.clone())
                .time(VerifyTime::at_unix(1_893_456_000))
                .chain_cache(false)
                .engine(engine)
                .build();
            let v = match built {
                Ok(v) => v,
                Err(Error::EngineUnavailable(e)) => {
                    assert!(e == "ifma" && !crate::engine::ifma_available());
                    continue;
                }
                Err(e) => panic!("{engine}: {e}"),
            };
            assert_eq!(v.verify(&chained).unwrap().chain.len(), 3, "{engine}");
            assert!(
                matches!(v.verify(&tampered), Err(Error::SignatureMismatch)),
                "{engine}"
            );
        }
    }

    #[test]
    fn builder_needs_trust_or_no_chain() {
        assert!(matches!(
            Verifier::builder().build(),
            Err(Error::NoTrustAnchors)
        ));
        assert!(matches!(
            Verifier::builder().trust(TrustStore::new()).build(),
            Err(Error::NoTrustAnchors)
        ));
        assert!(Verifier::builder().no_chain().build().is_ok());
    }
}
