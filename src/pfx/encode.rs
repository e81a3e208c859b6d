//! PKCS#12 encoding: writes an RSA key, its certificate and a chain as a PFX in one of two forms.
//!
//! The layout is OpenSSL's: an AuthenticatedSafe of (1) an `encryptedData` safe with the
//! certificates (leaf first, with `localKeyId` and the optional `friendlyName`) and (2) a `data` safe
//! with one `pkcs8ShroudedKeyBag` (same attributes), then a password MAC. `localKeyId` is the SHA-1
//! of the leaf certificate's DER, as OpenSSL computes it.

use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode, Tag};
use pkcs5::pbes2;
use rsa::pkcs8::EncodePrivateKey;
use sha1::Digest;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, Attributes};

use super::asn1::{
    BagValue, CertBag, ContentInfo, DigestInfo, EncryptedContentInfo, EncryptedData,
    EncryptedPrivateKeyInfo, MacData, Pfx, Pkcs12PbeParams, SafeBag,
};
use super::cipher;
use super::kdf;
use super::mac::MacDigest;
use crate::{Error, Result, oid};

/// The protection of an encoded PFX.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PfxForm {
    /// As CFCA issues them: `pbeWithSHAAnd3-KeyTripleDES-CBC` shrouded key bag,
    /// `pbeWithSHAAnd40BitRC2-CBC` encrypted certificate safe, HMAC-SHA1 MAC, 2000 iterations
    /// everywhere. Readable by every PKCS#12 implementation (OpenSSL 3 needs `-legacy` for RC2).
    Cfca,
    /// As OpenSSL 3 writes them by default: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for the key and
    /// the certificates, HMAC-SHA256 MAC, 2048 iterations everywhere.
    OpenSsl3,
}

impl PfxForm {
    fn iterations(self) -> u64 {
        match self {
            PfxForm::Cfca => 2000,
            PfxForm::OpenSsl3 => 2048,
        }
    }

    fn mac_digest(self) -> (MacDigest, der::asn1::ObjectIdentifier) {
        match self {
            PfxForm::Cfca => (MacDigest::Sha1, oid::SHA1),
            PfxForm::OpenSsl3 => (MacDigest::Sha256, oid::SHA256),
        }
    }
}

/// Writes `key` with its certificate `cert` and the other certificates `chain` as a DER PFX
/// protected by `password` in `form`. `friendly_name` becomes the `friendlyName` of the key and
/// the leaf certificate.
///
/// `cert` must carry the public key of `key` ([`Error::NoMatchingCertificate`] otherwise). Salts and
/// IVs come from the operating system's generator (`getrandom`).
pub fn encode(
    key: &rsa::PrivateKey,
    cert: &Certificate,
    chain: &[Certificate],
    password: &str,
    form: PfxForm,
    friendly_name: Option<&str>,
) -> Result<Vec<u8>> {
    let cert_der = cert.to_der().map_err(encoding)?;
    if super::certificate_key(cert).as_ref() != Some(key.as_public_key()) {
        return Err(Error::NoMatchingCertificate);
    }
    let bmp = kdf::bmp_password(password);
    let local_key_id = sha1::Sha1::digest(&cert_der).to_vec();
    let leaf_attributes = attributes(friendly_name, &local_key_id)?;
    let iterations = form.iterations();

    // The certificate safe.
    let mut cert_bags = Vec::with_capacity(chain.len().saturating_add(1));
    cert_bags.push(SafeBag {
        value: BagValue::Cert(CertBag::X509(octets(cert_der)?)),
        attributes: Some(leaf_attributes.clone()),
    });
    for c in chain {
        cert_bags.push(SafeBag {
            value: BagValue::Cert(CertBag::X509(octets(c.to_der().map_err(encoding)?)?)),
            attributes: None,
        });
    }
    let cert_safe = cert_bags.to_der().map_err(encoding)?;
    let (cert_algorithm, cert_ciphertext) = match form {
        PfxForm::Cfca => pkcs12_pbe(oid::PBE_SHA1_RC2_40, iterations, &bmp, &cert_safe)?,
        PfxForm::OpenSsl3 => pbes2_aes256(iterations, password, &cert_safe)?,
    };
    let cert_content = ContentInfo::EncryptedData(EncryptedData {
        version: 0,
        encrypted_content_info: EncryptedContentInfo {
            content_type: oid::DATA,
            content_encryption_algorithm: cert_algorithm,
            encrypted_content: Some(octets(cert_ciphertext)?),
        },
    });

    // The key safe.
    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|e| Error::malformed("private key", e))?;
    let (key_algorithm, key_ciphertext) = match form {
        PfxForm::Cfca => pkcs12_pbe(oid::PBE_SHA1_3DES, iterations, &bmp, pkcs8.as_bytes())?,
        PfxForm::OpenSsl3 => pbes2_aes256(iterations, password, pkcs8.as_bytes())?,
    };
    let key_bag = SafeBag {
        value: BagValue::ShroudedKey(EncryptedPrivateKeyInfo {
            encryption_algorithm: key_algorithm,
            encrypted_data: octets(key_ciphertext)?,
        }),
        attributes: Some(leaf_attributes),
    };
    let key_content = ContentInfo::Data(octets(vec![key_bag].to_der().map_err(encoding)?)?);

    // The AuthenticatedSafe and its MAC.
    let auth_safe = vec![cert_content, key_content].to_der().map_err(encoding)?;
    let (digest, digest_oid) = form.mac_digest();
    let mac_salt = random::<8>()?;
    let mac = digest.compute(&bmp, &mac_salt, iterations, &auth_safe);
    let pfx = Pfx {
        version: 3,
        auth_safe: ContentInfo::Data(octets(auth_safe)?),
        mac_data: Some(MacData {
            mac: DigestInfo {
                algorithm: AlgorithmIdentifierOwned {
                    oid: digest_oid,
                    parameters: Some(Any::null()),
                },
                digest: octets(mac)?,
            },
            mac_salt: octets(mac_salt.to_vec())?,
            iterations: Some(iterations),
        }),
    };
    pfx.to_der().map_err(encoding)
}

/// A PKCS#12 PBE (`pbeWithSHAAnd…`) encryption: the AlgorithmIdentifier and the ciphertext.
fn pkcs12_pbe(
    algorithm: der::asn1::ObjectIdentifier,
    iterations: u64,
    password_bmp: &[u8],
    plaintext: &[u8],
) -> Result<(AlgorithmIdentifierOwned, Vec<u8>)> {
    let params = Pkcs12PbeParams {
        salt: octets(random::<8>()?.to_vec())?,
        iterations,
    };
    let ciphertext = cipher::pkcs12_encrypt(&algorithm, &params, password_bmp, plaintext)?;
    let parameters = Any::encode_from(&params).map_err(encoding)?;
    Ok((
        AlgorithmIdentifierOwned {
            oid: algorithm,
            parameters: Some(parameters),
        },
        ciphertext,
    ))
}

/// PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC (through `pkcs5`), over the UTF-8 password.
fn pbes2_aes256(
    iterations: u64,
    password: &str,
    plaintext: &[u8],
) -> Result<(AlgorithmIdentifierOwned, Vec<u8>)> {
    let salt = random::<16>()?;
    let iv = random::<16>()?;
    let iterations = u32::try_from(iterations).map_err(|_| Error::LimitExceeded {
        limit: "PBKDF2 iteration count",
        value: iterations,
        bound: crate::Bound::Max(u64::from(u32::MAX)),
    })?;
    let kdf = pbes2::Pbkdf2Params::hmac_sha256(iterations, &salt)
        .map_err(|e| Error::malformed("PBES2 parameters", e))?;
    let params = pbes2::Parameters {
        kdf: kdf.into(),
        encryption: pbes2::EncryptionScheme::Aes256Cbc { iv },
    };
    let ciphertext = params
        .encrypt(password.as_bytes(), plaintext)
        .map_err(|e| Error::malformed("PBES2 encryption", e))?;
    let scheme = pkcs5::EncryptionScheme::Pbes2(params)
        .to_der()
        .map_err(encoding)?;
    let algorithm = AlgorithmIdentifierOwned::from_der(&scheme).map_err(encoding)?;
    Ok((algorithm, ciphertext))
}

/// Bag attributes: `friendlyName` (BMPString) if given, and `localKeyId`.
fn attributes(friendly_name: Option<&str>, local_key_id: &[u8]) -> Result<Attributes> {
    let mut set = SetOfVec::new();
    if let Some(name) = friendly_name {
        let bmp: Vec<u8> = name.encode_utf16().flat_map(u16::to_be_bytes).collect();
        set.insert(attribute(oid::ATTR_FRIENDLY_NAME, Tag::BmpString, bmp)?)
            .map_err(encoding)?;
    }
    set.insert(attribute(
        oid::ATTR_LOCAL_KEY_ID,
        Tag::OctetString,
        local_key_id.to_vec(),
    )?)
    .map_err(encoding)?;
    Ok(set)
}

fn attribute(oid: der::asn1::ObjectIdentifier, tag: Tag, value: Vec<u8>) -> Result<Attribute> {
    let mut values = SetOfVec::new();
    values
        .insert(Any::new(tag, value).map_err(encoding)?)
        .map_err(encoding)?;
    Ok(Attribute { oid, values })
}

fn octets(bytes: Vec<u8>) -> Result<OctetString> {
    OctetString::new(bytes).map_err(encoding)
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out)
        .map_err(|e| Error::Io(std::io::Error::other(format!("random generator: {e}"))))?;
    Ok(out)
}

fn encoding(e: der::Error) -> Error {
    Error::malformed("PFX", format_args!("encoding: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_sorted_and_typed() {
        let set = attributes(Some("名字"), &[1, 2, 3]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.len(), 2);
        let der = set.to_der().unwrap_or_else(|e| panic!("{e}"));
        // BMPString 名字 = 54 0D 5B 57.
        assert!(
            der.windows(6)
                .any(|w| w == [0x1e, 4, 0x54, 0x0d, 0x5b, 0x57])
        );
    }
}
