//! A CFCA-like test PKI, generated in pure Rust (feature `sandbox`).
//!
//! [`generate`] makes the same shape of chain that CFCA issues (protocol.md section 4) and that
//! `vectors/make.sh` makes with OpenSSL:
//!
//! ```text
//! root   C=CN, O=<ca org>, CN=<ca name>                      CA, keyCertSign+cRLSign, SKI
//! oca31  C=CN, O=<ca org>, CN=<ca name minus "CA"> OCA31     CA pathlen 0, keyCertSign+cRLSign, SKI, AKI
//! huifu  C=CN, O=CFCA TEST CA, OU=Local RA, OU=Organizational-1, CN=051@100001@N3501040009317@1
//! merchant                          ...the same..., CN=051@<merchant id>@<org code>@1
//!        leaves: CA:FALSE (critical), digitalSignature+nonRepudiation (critical),
//!                EKU clientAuth+emailProtection, SKI, AKI
//! ```
//!
//! Leaf CNs are encoded as T61String (TeletexString), as CFCA's are; the other attributes follow
//! OpenSSL's `string_mask=nombstr`: PrintableString when the text allows it, T61String otherwise.
//!
//! RSA key generation is slow in debug builds; tests should use [`PkiOptions::key_bits`] = 1024.
//! The four keys are generated in parallel threads.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode, EncodePem, Tag};
use rsa::pkcs1v15::{Signature, SigningKey};
use rsa::pkcs8::EncodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use zeroize::Zeroizing;

use crate::pfx::{self, PfxForm};
use crate::rsa_key::RsaKeySize;
use crate::signer::Signer;
use crate::{Error, Result, oid};

/// Huifu's customer id, carried in the id field of its certificate's CN.
pub const HUIFU_ID: &str = "100001";
/// The organisation code in Huifu's (test) certificate CN.
pub const HUIFU_ORG_CODE: &str = "N3501040009317";
/// The organisation code used for merchants unless configured otherwise.
pub const DEFAULT_MERCHANT_ORG_CODE: &str = "N111130";
/// The RSA key sizes the generator makes: from 1024 bits (fast tests; real CFCA keys are 2048
/// bits) to 4096.
pub const KEY_SIZES: RsaKeySize = RsaKeySize {
    min_bits: crate::rsa_key::MIN_RSA_BITS,
    max_bits: 4096,
};

/// The CN CFCA gives a customer certificate: `051@<id>@<organisation code>@1`.
pub fn leaf_cn(id: &str, org_code: &str) -> String {
    format!("051@{id}@{org_code}@1")
}

/// What [`generate`] makes.
#[derive(Clone)]
pub struct PkiOptions {
    /// The merchant's customer id (`mer_cust_id`), the id field of its CN.
    pub merchant_id: String,
    /// The organisation code in the merchant's CN (default `N111130`).
    pub merchant_org_code: String,
    /// The password of the PFX files [`TestPki::write_to`] writes.
    pub password: Zeroizing<String>,
    /// RSA modulus size of every key (default 2048; 1024 for fast tests).
    pub key_bits: usize,
    /// The root's CN (default `HUIFU-CFCA SANDBOX TEST CA`); the intermediate's CN is this with
    /// a trailing `CA` replaced by `OCA31`.
    pub ca_name: String,
    /// The CAs' organisation (default `Huifu CFCA Sandbox`).
    pub ca_organization: String,
    /// Start of every certificate's validity (default: one day ago).
    pub not_before: SystemTime,
    /// Length of every certificate's validity (default: ten years).
    pub validity: Duration,
}

impl PkiOptions {
    /// Defaults for a merchant id and PFX password.
    pub fn new(merchant_id: impl Into<String>, password: impl Into<String>) -> Self {
        PkiOptions {
            merchant_id: merchant_id.into(),
            merchant_org_code: DEFAULT_MERCHANT_ORG_CODE.to_string(),
            password: Zeroizing::new(password.into()),
            key_bits: 2048,
            ca_name: "HUIFU-CFCA SANDBOX TEST CA".to_string(),
            ca_organization: "Huifu CFCA Sandbox".to_string(),
            not_before: SystemTime::now()
                .checked_sub(Duration::from_secs(86_400))
                .unwrap_or(SystemTime::UNIX_EPOCH),
            validity: Duration::from_secs(10 * 365 * 86_400),
        }
    }

    /// Sets the RSA key size.
    pub fn key_bits(mut self, bits: usize) -> Self {
        self.key_bits = bits;
        self
    }

    fn oca_name(&self) -> String {
        match self.ca_name.strip_suffix("CA") {
            Some(stem) => format!("{stem}OCA31"),
            None => format!("{} OCA31", self.ca_name),
        }
    }
}

impl Default for PkiOptions {
    fn default() -> Self {
        PkiOptions::new("6666000000026086", "123456")
    }
}

impl fmt::Debug for PkiOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PkiOptions")
            .field("merchant_id", &self.merchant_id)
            .field("merchant_org_code", &self.merchant_org_code)
            .field("password", &"<redacted>")
            .field("key_bits", &self.key_bits)
            .field("ca_name", &self.ca_name)
            .field("ca_organization", &self.ca_organization)
            .field("not_before", &self.not_before)
            .field("validity", &self.validity)
            .finish()
    }
}

/// A certificate and its private key.
#[derive(Clone)]
pub struct CertifiedKey {
    certificate: Certificate,
    key: PrivateKey,
}

impl CertifiedKey {
    /// The certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The private key.
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }

    /// The certificate's DER encoding.
    pub fn certificate_der(&self) -> Result<Vec<u8>> {
        self.certificate
            .to_der()
            .map_err(|e| pki_error("certificate encoding", e))
    }

    /// The private key as unencrypted PKCS#8 PEM (test material only).
    pub fn key_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        self.key
            .to_pkcs8_pem(der::pem::LineEnding::LF)
            .map_err(|e| pki_error("PKCS#8 encoding", e))
    }

    /// A [`Signer`] for this key and certificate.
    pub fn signer(&self) -> Result<Signer> {
        Signer::new(self.key.clone(), self.certificate.clone())
    }
}

impl fmt::Debug for CertifiedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertifiedKey")
            .field(
                "subject",
                &self.certificate.tbs_certificate().subject().to_string(),
            )
            .field("key_bits", &(self.key.size() * 8))
            .field("key", &"<redacted>")
            .finish()
    }
}

/// The generated PKI: a root, an OCA31-like intermediate, Huifu's identity and a merchant's.
#[derive(Clone)]
pub struct TestPki {
    root: CertifiedKey,
    oca31: CertifiedKey,
    huifu: CertifiedKey,
    merchant: CertifiedKey,
    options: PkiOptions,
}

impl fmt::Debug for TestPki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestPki")
            .field("root", &self.root)
            .field("oca31", &self.oca31)
            .field("huifu", &self.huifu)
            .field("merchant", &self.merchant)
            .field("options", &self.options)
            .finish()
    }
}

/// Generates a CFCA-like test PKI (four fresh RSA keys, generated in parallel).
pub fn generate(options: &PkiOptions) -> Result<TestPki> {
    check_key_bits(options.key_bits)?;
    if options.merchant_id.is_empty() || options.merchant_id.contains(['@', '|']) {
        return Err(pki_error(
            "options",
            "the merchant id must be non-empty and hold no '@' or '|'",
        ));
    }
    let bits = options.key_bits;
    let keys: Vec<Result<PrivateKey>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4).map(|_| scope.spawn(move || new_key(bits))).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(pki_error("key generation", "thread panicked")))
            })
            .collect()
    });
    let mut keys = keys.into_iter();
    let mut next_key = || {
        keys.next()
            .unwrap_or_else(|| Err(pki_error("key generation", "missing key")))
    };
    let (root_key, oca_key, huifu_key, merchant_key) =
        (next_key()?, next_key()?, next_key()?, next_key()?);

    let validity = validity(options)?;
    let root_name = ca_name(&options.ca_organization, &options.ca_name)?;
    let root = issue(
        Kind::Root,
        &root_name,
        root_key.to_public_key(),
        &root_name,
        &root_key,
        validity,
    )?;
    let root = CertifiedKey {
        certificate: root,
        key: root_key,
    };
    let oca_name = ca_name(&options.ca_organization, &options.oca_name())?;
    let oca31 = issue(
        Kind::Intermediate,
        &oca_name,
        oca_key.to_public_key(),
        &root_name,
        &root.key,
        validity,
    )?;
    let oca31 = CertifiedKey {
        certificate: oca31,
        key: oca_key,
    };
    let huifu = issue_leaf_with(
        &oca31,
        &leaf_cn(HUIFU_ID, HUIFU_ORG_CODE),
        huifu_key,
        validity,
    )?;
    let merchant = issue_leaf_with(
        &oca31,
        &leaf_cn(&options.merchant_id, &options.merchant_org_code),
        merchant_key,
        validity,
    )?;
    Ok(TestPki {
        root,
        oca31,
        huifu,
        merchant,
        options: options.clone(),
    })
}

impl TestPki {
    /// The self-signed root.
    pub fn root(&self) -> &CertifiedKey {
        &self.root
    }

    /// The OCA31-like intermediate (pathlen 0) that issues the leaves.
    pub fn oca31(&self) -> &CertifiedKey {
        &self.oca31
    }

    /// Huifu's identity (`051@100001@N3501040009317@1`), which signs answers and notifications.
    pub fn huifu(&self) -> &CertifiedKey {
        &self.huifu
    }

    /// The merchant's identity (`051@<merchant id>@<org code>@1`).
    pub fn merchant(&self) -> &CertifiedKey {
        &self.merchant
    }

    /// The options the PKI was generated with.
    pub fn options(&self) -> &PkiOptions {
        &self.options
    }

    /// The CA certificates: root first, then the intermediate.
    pub fn ca_certificates(&self) -> Vec<Certificate> {
        vec![
            self.root.certificate.clone(),
            self.oca31.certificate.clone(),
        ]
    }

    /// Issues one more leaf under the intermediate, with CN `051@<id>@<org_code>@1` and a fresh
    /// key of `key_bits` bits (e.g. another merchant for tests).
    pub fn issue_leaf(&self, id: &str, org_code: &str, key_bits: usize) -> Result<CertifiedKey> {
        check_key_bits(key_bits)?;
        let key = new_key(key_bits)?;
        issue_leaf_with(
            &self.oca31,
            &leaf_cn(id, org_code),
            key,
            validity(&self.options)?,
        )
    }

    /// Writes the PKI into `dir` (created if missing) and returns the paths written:
    ///
    /// - certificates, DER: `root.cer`, `oca31.cer`, `huifu.cer`, `merchant.cer`;
    /// - `ca-bundle.pem`: root and intermediate, PEM;
    /// - keys, unencrypted PKCS#8 PEM (test material): `huifu.key`, `merchant.key`;
    /// - keys with their certificate and chain as PKCS#12, protected by the configured password:
    ///   `merchant-cfca.pfx` (CFCA's legacy algorithms), `merchant-openssl3.pfx` (PBES2/AES-256,
    ///   HMAC-SHA256) and `huifu.pfx` (CFCA form), each with the intermediate and root as chain.
    pub fn write_to(&self, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let mut written = Vec::new();
        let mut write = |name: &str, bytes: &[u8]| -> Result<()> {
            let path = dir.join(name);
            std::fs::write(&path, bytes)?;
            written.push(path);
            Ok(())
        };
        write("root.cer", &self.root.certificate_der()?)?;
        write("oca31.cer", &self.oca31.certificate_der()?)?;
        write("huifu.cer", &self.huifu.certificate_der()?)?;
        write("merchant.cer", &self.merchant.certificate_der()?)?;
        let mut bundle = String::new();
        for cert in [&self.root.certificate, &self.oca31.certificate] {
            bundle.push_str(
                &cert
                    .to_pem(der::pem::LineEnding::LF)
                    .map_err(|e| pki_error("PEM encoding", e))?,
            );
        }
        write("ca-bundle.pem", bundle.as_bytes())?;
        write("huifu.key", self.huifu.key_pkcs8_pem()?.as_bytes())?;
        write("merchant.key", self.merchant.key_pkcs8_pem()?.as_bytes())?;
        for (name, bytes) in self.pfx_files()? {
            write(name, &bytes)?;
        }
        Ok(written)
    }

    /// The PFX files [`TestPki::write_to`] writes: the merchant in both forms and Huifu in CFCA's,
    /// each with the intermediate and the root as its chain.
    pub fn pfx_files(&self) -> Result<Vec<(&'static str, Vec<u8>)>> {
        let chain = [
            self.oca31.certificate.clone(),
            self.root.certificate.clone(),
        ];
        let password = self.options.password.as_str();
        let pfx = |identity: &CertifiedKey, form: PfxForm, name: &str| {
            pfx::encode(
                &identity.key,
                &identity.certificate,
                &chain,
                password,
                form,
                Some(name),
            )
        };
        Ok(vec![
            (
                "merchant-cfca.pfx",
                pfx(&self.merchant, PfxForm::Cfca, "merchant")?,
            ),
            (
                "merchant-openssl3.pfx",
                pfx(&self.merchant, PfxForm::OpenSsl3, "merchant")?,
            ),
            ("huifu.pfx", pfx(&self.huifu, PfxForm::Cfca, "huifu")?),
        ])
    }
}

fn check_key_bits(bits: usize) -> Result<()> {
    KEY_SIZES.check(u64::try_from(bits).unwrap_or(u64::MAX))
}

fn pki_error(what: &'static str, detail: impl fmt::Display) -> Error {
    Error::Pki {
        what,
        detail: detail.to_string(),
    }
}

fn new_key(bits: usize) -> Result<PrivateKey> {
    PrivateKey::new(&mut getrandom::SysRng, bits).map_err(|e| pki_error("RSA key generation", e))
}

fn validity(options: &PkiOptions) -> Result<Validity> {
    let not_after = options
        .not_before
        .checked_add(options.validity)
        .ok_or_else(|| pki_error("validity", "end of validity overflows"))?;
    Ok(Validity::new(
        Time::try_from(options.not_before).map_err(|e| pki_error("validity", e))?,
        Time::try_from(not_after).map_err(|e| pki_error("validity", e))?,
    ))
}

/// A random positive 16-byte serial number.
fn random_serial() -> Result<SerialNumber> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| pki_error("serial number", e))?;
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    SerialNumber::new(&bytes).map_err(|e| pki_error("serial number", e))
}

/// A directory string as OpenSSL's `string_mask=nombstr` picks it: PrintableString when every
/// character allows it, T61String otherwise.
fn nombstr(text: &str) -> Result<Any> {
    let printable = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b));
    let tag = if printable {
        Tag::PrintableString
    } else {
        Tag::TeletexString
    };
    Any::new(tag, text.as_bytes()).map_err(|e| pki_error("name", e))
}

fn t61(text: &str) -> Result<Any> {
    Any::new(Tag::TeletexString, text.as_bytes()).map_err(|e| pki_error("name", e))
}

/// A Name from (type, value) pairs, one attribute per RDN, in order.
fn name(attributes: Vec<(ObjectIdentifier, Any)>) -> Result<Name> {
    let rdns = attributes
        .into_iter()
        .map(|(oid, value)| SetOfVec::try_from(vec![AttributeTypeAndValue { oid, value }]))
        .collect::<der::Result<Vec<_>>>()
        .map_err(|e| pki_error("name", e))?;
    let der = rdns.to_der().map_err(|e| pki_error("name", e))?;
    Name::from_der(&der).map_err(|e| pki_error("name", e))
}

fn ca_name(organization: &str, cn: &str) -> Result<Name> {
    name(vec![
        (oid::AT_COUNTRY_NAME, nombstr("CN")?),
        (oid::AT_ORGANIZATION_NAME, nombstr(organization)?),
        (oid::AT_COMMON_NAME, nombstr(cn)?),
    ])
}

/// CFCA's leaf name pattern, CN as T61String.
fn leaf_name(cn: &str) -> Result<Name> {
    name(vec![
        (oid::AT_COUNTRY_NAME, nombstr("CN")?),
        (oid::AT_ORGANIZATION_NAME, nombstr("CFCA TEST CA")?),
        (oid::AT_ORGANIZATIONAL_UNIT_NAME, nombstr("Local RA")?),
        (
            oid::AT_ORGANIZATIONAL_UNIT_NAME,
            nombstr("Organizational-1")?,
        ),
        (oid::AT_COMMON_NAME, t61(cn)?),
    ])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    Intermediate,
    Leaf,
}

/// The builder profile: CFCA-like extensions for each kind of certificate.
struct CfcaProfile {
    kind: Kind,
    subject: Name,
    issuer: Name,
}

fn extension(
    oid: ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> x509_cert::builder::Result<Extension> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

fn key_id(spk: &SubjectPublicKeyInfoRef<'_>) -> x509_cert::builder::Result<OctetString> {
    Ok(OctetString::new(
        Sha1::digest(spk.subject_public_key.raw_bytes()).as_slice(),
    )?)
}

impl BuilderProfile for CfcaProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let (basic, usage) = match self.kind {
            Kind::Root => (
                BasicConstraints {
                    ca: true,
                    path_len_constraint: None,
                },
                KeyUsages::KeyCertSign | KeyUsages::CRLSign,
            ),
            Kind::Intermediate => (
                BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
                KeyUsages::KeyCertSign | KeyUsages::CRLSign,
            ),
            Kind::Leaf => (
                BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
            ),
        };
        let mut extensions = vec![
            extension(oid::CE_BASIC_CONSTRAINTS, true, &basic)?,
            extension(oid::CE_KEY_USAGE, true, &KeyUsage(usage))?,
        ];
        if self.kind == Kind::Leaf {
            extensions.push(extension(
                oid::CE_EXT_KEY_USAGE,
                false,
                &ExtendedKeyUsage(vec![oid::KP_CLIENT_AUTH, oid::KP_EMAIL_PROTECTION]),
            )?);
        }
        extensions.push(extension(
            oid::CE_SUBJECT_KEY_IDENTIFIER,
            false,
            &key_id(&spk)?,
        )?);
        if self.kind != Kind::Root {
            let aki = AuthorityKeyIdentifier {
                key_identifier: Some(key_id(&issuer_spk)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            };
            extensions.push(extension(oid::CE_AUTHORITY_KEY_IDENTIFIER, false, &aki)?);
        }
        Ok(extensions)
    }
}

fn issue(
    kind: Kind,
    subject: &Name,
    subject_key: PublicKey,
    issuer: &Name,
    issuer_key: &PrivateKey,
    validity: Validity,
) -> Result<Certificate> {
    let spki = SubjectPublicKeyInfoOwned::from_key(&subject_key)
        .map_err(|e| pki_error("public key encoding", e))?;
    let profile = CfcaProfile {
        kind,
        subject: subject.clone(),
        issuer: issuer.clone(),
    };
    let builder = CertificateBuilder::new(profile, random_serial()?, validity, spki)
        .map_err(|e| pki_error("certificate", e))?;
    let signer = SigningKey::<Sha256>::new(issuer_key.clone());
    builder
        .build::<_, Signature>(&signer)
        .map_err(|e| pki_error("certificate signing", e))
}

fn issue_leaf_with(
    issuer: &CertifiedKey,
    cn: &str,
    key: PrivateKey,
    validity: Validity,
) -> Result<CertifiedKey> {
    let certificate = issue(
        Kind::Leaf,
        &leaf_name(cn)?,
        key.to_public_key(),
        issuer.certificate.tbs_certificate().subject(),
        &issuer.key,
        validity,
    )?;
    Ok(CertifiedKey { certificate, key })
}

#[cfg(test)]
mod tests;
