//! Decryption (and, for the encoder, encryption) of PKCS#12 bags and safes.
//!
//! - The PKCS#12 PBE algorithms (RFC 7292 appendix C): key and IV from the PKCS#12 KDF with SHA-1
//!   ([`super::kdf`]), then 3-key/2-key triple DES or RC2 (40 or 128 effective bits) in CBC mode.
//! - PBES2 (RFC 8018) through the `pkcs5` crate: PBKDF2 with HMAC-SHA1/-SHA224/-SHA256/-SHA384/
//!   -SHA512 and AES-128/192/256-CBC, AES-GCM or DES-EDE3-CBC. scrypt is refused (its cost cannot be
//!   bounded by an iteration count). The PBES2 password is the UTF-8 bytes of the password, as in
//!   OpenSSL; the PKCS#12 PBE password is the BMPString.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyIvInit};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::PfxLimits;
use super::asn1::Pkcs12PbeParams;
use super::kdf::{self, Purpose};
use crate::{Error, Result, oid};

/// The password in both forms a PFX uses.
pub(crate) struct Password<'a> {
    /// UTF-8, for PBES2.
    pub utf8: &'a [u8],
    /// The NUL-terminated BMPString, for the PKCS#12 KDF.
    pub bmp: &'a [u8],
}

/// What decrypting a bag or safe failed on, before it is mapped to an [`Error`] by the caller.
const PADDING_FAILED: Error = Error::WrongPassword("decryption padding failed");

/// A PKCS#12 PBE algorithm: the cipher and its key length.
#[derive(Clone, Copy)]
enum Pkcs12Cipher {
    TripleDes3Key,
    TripleDes2Key,
    Rc2 { key_len: usize },
}

fn pkcs12_cipher(algorithm: &der::asn1::ObjectIdentifier) -> Option<Pkcs12Cipher> {
    if *algorithm == oid::PBE_SHA1_3DES {
        Some(Pkcs12Cipher::TripleDes3Key)
    } else if *algorithm == oid::PBE_SHA1_2DES {
        Some(Pkcs12Cipher::TripleDes2Key)
    } else if *algorithm == oid::PBE_SHA1_RC2_128 {
        Some(Pkcs12Cipher::Rc2 { key_len: 16 })
    } else if *algorithm == oid::PBE_SHA1_RC2_40 {
        Some(Pkcs12Cipher::Rc2 { key_len: 5 })
    } else {
        None
    }
}

/// A human name for a bag/safe encryption algorithm: `pbeWithSHAAnd3-KeyTripleDES-CBC`,
/// `PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)`, or the dotted OID.
pub(crate) fn name(algorithm: &AlgorithmIdentifierOwned) -> String {
    if algorithm.oid == oid::PBES2
        && let Some(raw) = pbes2_raw(algorithm)
    {
        let kdf = if raw.kdf.oid == oid::PBKDF2 {
            let prf = pbkdf2_prf(&raw.kdf).unwrap_or(oid::HMAC_WITH_SHA1);
            format!("PBKDF2-{}", oid::name(&prf))
        } else {
            oid::name(&raw.kdf.oid)
        };
        return format!("PBES2 ({kdf}, {})", oid::name(&raw.encryption.oid));
    }
    oid::name(&algorithm.oid)
}

/// `PBES2-params` with both parts left open: used for naming and error reporting only.
#[derive(Sequence)]
struct Pbes2Raw {
    kdf: AlgorithmIdentifierOwned,
    encryption: AlgorithmIdentifierOwned,
}

/// `PBKDF2-params` up to the PRF, for naming only.
#[derive(Sequence)]
struct Pbkdf2Raw {
    salt: der::asn1::Any,
    iterations: u64,
    #[asn1(optional = "true")]
    key_length: Option<u64>,
    #[asn1(optional = "true")]
    prf: Option<AlgorithmIdentifierOwned>,
}

fn pbes2_raw(algorithm: &AlgorithmIdentifierOwned) -> Option<Pbes2Raw> {
    let params = algorithm.parameters.as_ref()?.to_der().ok()?;
    Pbes2Raw::from_der(&params).ok()
}

fn pbkdf2_prf(kdf: &AlgorithmIdentifierOwned) -> Option<der::asn1::ObjectIdentifier> {
    let params = kdf.parameters.as_ref()?.to_der().ok()?;
    let raw = Pbkdf2Raw::from_der(&params).ok()?;
    Some(raw.prf.map_or(oid::HMAC_WITH_SHA1, |p| p.oid))
}

/// Decrypts `ciphertext` encrypted under `algorithm` with `password`. A padding failure is
/// `WrongPassword("decryption padding failed")`; the caller decides what it means when a MAC has
/// already vouched for the password.
pub(crate) fn decrypt(
    algorithm: &AlgorithmIdentifierOwned,
    password: &Password<'_>,
    ciphertext: &[u8],
    limits: &PfxLimits,
    context: &'static str,
) -> Result<Zeroizing<Vec<u8>>> {
    if let Some(cipher) = pkcs12_cipher(&algorithm.oid) {
        let params = pbe_params(algorithm)?;
        check_iterations(params.iterations, limits)?;
        return pkcs12_decrypt(cipher, &params, password.bmp, ciphertext);
    }
    if algorithm.oid == oid::PBES2 {
        return pbes2_decrypt(algorithm, password.utf8, ciphertext, limits);
    }
    Err(Error::unsupported(context, algorithm.oid))
}

/// Refuses an iteration count above the configured bound, before any work is done.
pub(crate) fn check_iterations(iterations: u64, limits: &PfxLimits) -> Result<()> {
    if iterations > limits.max_iterations {
        return Err(Error::LimitExceeded {
            limit: "PKCS#12 iteration count",
            value: iterations,
            bound: crate::Bound::Max(limits.max_iterations),
        });
    }
    Ok(())
}

fn pbe_params(algorithm: &AlgorithmIdentifierOwned) -> Result<Pkcs12PbeParams> {
    let params = algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| Error::malformed("PFX", "PKCS#12 PBE algorithm without parameters"))?;
    let der = params
        .to_der()
        .map_err(|e| Error::malformed("PFX", format_args!("PKCS#12 PBE parameters: {e}")))?;
    Pkcs12PbeParams::from_der(&der)
        .map_err(|e| Error::malformed("PFX", format_args!("PKCS#12 PBE parameters: {e}")))
}

fn pkcs12_decrypt(
    cipher: Pkcs12Cipher,
    params: &Pkcs12PbeParams,
    password_bmp: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let salt = params.salt.as_bytes();
    let key_len = match cipher {
        Pkcs12Cipher::TripleDes3Key => 24,
        Pkcs12Cipher::TripleDes2Key => 16,
        Pkcs12Cipher::Rc2 { key_len } => key_len,
    };
    let key =
        kdf::derive::<sha1::Sha1>(password_bmp, salt, Purpose::Key, params.iterations, key_len);
    let iv = kdf::derive::<sha1::Sha1>(password_bmp, salt, Purpose::Iv, params.iterations, 8);
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let len = match cipher {
        Pkcs12Cipher::TripleDes3Key => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .map_err(|_| Error::malformed("PFX", "3DES key/IV length"))?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| PADDING_FAILED)?
            .len(),
        Pkcs12Cipher::TripleDes2Key => cbc::Decryptor::<des::TdesEde2>::new_from_slices(&key, &iv)
            .map_err(|_| Error::malformed("PFX", "2-key 3DES key/IV length"))?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| PADDING_FAILED)?
            .len(),
        Pkcs12Cipher::Rc2 { key_len } => {
            let rc2 = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
            cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(rc2, &iv)
                .map_err(|_| Error::malformed("PFX", "RC2 IV length"))?
                .decrypt_padded::<Pkcs7>(&mut buf)
                .map_err(|_| PADDING_FAILED)?
                .len()
        }
    };
    buf.truncate(len);
    Ok(buf)
}

fn pbes2_decrypt(
    algorithm: &AlgorithmIdentifierOwned,
    password_utf8: &[u8],
    ciphertext: &[u8],
    limits: &PfxLimits,
) -> Result<Zeroizing<Vec<u8>>> {
    let der = algorithm
        .to_der()
        .map_err(|e| Error::malformed("PFX", format_args!("PBES2 parameters: {e}")))?;
    let scheme = match pkcs5::EncryptionScheme::from_der(&der) {
        Ok(pkcs5::EncryptionScheme::Pbes2(params)) => params,
        Ok(_) => return Err(Error::unsupported("PKCS#12 bag encryption", algorithm.oid)),
        Err(e) => return Err(pbes2_parse_error(algorithm, e)),
    };
    let params = match &scheme.kdf {
        pkcs5::pbes2::Kdf::Pbkdf2(p) => {
            check_iterations(u64::from(p.iteration_count), limits)?;
            p
        }
        other => return Err(Error::unsupported("PBES2 key derivation", other.oid())),
    };
    // PBKDF2 runs here rather than inside `pkcs5` (whose derived key is a plain stack array), so
    // that the key lives in a buffer that is wiped on drop.
    let key = pbkdf2_key(password_utf8, params, scheme.encryption.key_size())?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let bad_key = |_| Error::malformed("PFX", "PBES2 key/IV length");
    use pkcs5::pbes2::EncryptionScheme as Es;
    let len = match scheme.encryption {
        Es::Aes128Cbc { iv } => cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, &iv)
            .map_err(bad_key)?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| PADDING_FAILED)?
            .len(),
        Es::Aes192Cbc { iv } => cbc::Decryptor::<aes::Aes192>::new_from_slices(&key, &iv)
            .map_err(bad_key)?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| PADDING_FAILED)?
            .len(),
        Es::Aes256Cbc { iv } => cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, &iv)
            .map_err(bad_key)?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| PADDING_FAILED)?
            .len(),
        Es::DesEde3Cbc { iv } => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .map_err(bad_key)?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| PADDING_FAILED)?
            .len(),
        Es::Aes128Gcm { nonce } => gcm_decrypt::<aes_gcm::Aes128Gcm>(&key, &nonce, &mut buf)?,
        Es::Aes256Gcm { nonce } => gcm_decrypt::<aes_gcm::Aes256Gcm>(&key, &nonce, &mut buf)?,
        other => {
            return Err(Error::unsupported("PBES2 encryption scheme", other.oid()));
        }
    };
    buf.truncate(len);
    Ok(buf)
}

/// The PBKDF2 key for a PBES2 cipher, in a buffer wiped on drop.
fn pbkdf2_key(
    password: &[u8],
    params: &pkcs5::pbes2::Pbkdf2Params,
    key_size: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    use pkcs5::pbes2::Pbkdf2Prf;
    if let Some(len) = params.key_length
        && usize::from(len) != key_size
    {
        return Err(Error::malformed(
            "PFX",
            format_args!("PBKDF2 key length {len} does not fit the cipher ({key_size})"),
        ));
    }
    let mut key = Zeroizing::new(vec![0u8; key_size]);
    let salt = params.salt.as_bytes();
    let rounds = params.iteration_count;
    match params.prf {
        Pbkdf2Prf::HmacWithSha1 => {
            pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, rounds, &mut key)
        }
        Pbkdf2Prf::HmacWithSha224 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha224>(password, salt, rounds, &mut key)
        }
        Pbkdf2Prf::HmacWithSha256 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, rounds, &mut key)
        }
        Pbkdf2Prf::HmacWithSha384 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha384>(password, salt, rounds, &mut key)
        }
        Pbkdf2Prf::HmacWithSha512 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, rounds, &mut key)
        }
        other => {
            let oid: der::asn1::ObjectIdentifier = other.oid();
            return Err(Error::unsupported("PBKDF2 pseudo-random function", oid));
        }
    }
    Ok(key)
}

/// AES-GCM decryption in place (the 16-byte tag ends the ciphertext); returns the plaintext
/// length. A tag mismatch is a padding-style failure (a wrong password, unless a MAC matched).
fn gcm_decrypt<A>(key: &[u8], nonce: &[u8], buf: &mut [u8]) -> Result<usize>
where
    A: aes_gcm::KeyInit + aes_gcm::aead::AeadInOut,
{
    let msg_len = buf.len().checked_sub(16).ok_or(PADDING_FAILED)?;
    let gcm = A::new_from_slice(key).map_err(|_| Error::malformed("PFX", "AES-GCM key length"))?;
    let nonce = aes_gcm::aead::Nonce::<A>::try_from(nonce)
        .map_err(|_| Error::malformed("PFX", "AES-GCM nonce length"))?;
    let (msg, tag) = buf.split_at_mut(msg_len);
    let tag = aes_gcm::aead::Tag::<A>::try_from(&*tag).map_err(|_| PADDING_FAILED)?;
    gcm.decrypt_inout_detached(&nonce, &[], msg.into(), &tag)
        .map_err(|_| PADDING_FAILED)?;
    Ok(msg_len)
}

/// Names the part of PBES2 parameters `pkcs5` could not take: an unknown cipher or PRF is
/// `UnsupportedAlgorithm`, anything else is malformed.
fn pbes2_parse_error(algorithm: &AlgorithmIdentifierOwned, e: der::Error) -> Error {
    const CIPHERS: [der::asn1::ObjectIdentifier; 6] = [
        oid::AES_128_CBC,
        oid::AES_192_CBC,
        oid::AES_256_CBC,
        oid::AES_128_GCM,
        oid::AES_256_GCM,
        oid::DES_EDE3_CBC,
    ];
    const PRFS: [der::asn1::ObjectIdentifier; 5] = [
        oid::HMAC_WITH_SHA1,
        oid::HMAC_WITH_SHA224,
        oid::HMAC_WITH_SHA256,
        oid::HMAC_WITH_SHA384,
        oid::HMAC_WITH_SHA512,
    ];
    if let Some(raw) = pbes2_raw(algorithm) {
        if !CIPHERS.contains(&raw.encryption.oid) {
            return Error::unsupported("PBES2 encryption scheme", raw.encryption.oid);
        }
        if raw.kdf.oid != oid::PBKDF2 {
            return Error::unsupported("PBES2 key derivation", raw.kdf.oid);
        }
        if let Some(prf) = pbkdf2_prf(&raw.kdf)
            && !PRFS.contains(&prf)
        {
            return Error::unsupported("PBKDF2 pseudo-random function", prf);
        }
    }
    Error::malformed("PFX", format_args!("PBES2 parameters: {e}"))
}

// ---- encryption (for the encoder) --------------------------------------------------------------

/// Encrypts with a PKCS#12 PBE algorithm (`pbeWithSHAAnd3-KeyTripleDES-CBC` or
/// `pbeWithSHAAnd40BitRC2-CBC`), returning the ciphertext.
pub(crate) fn pkcs12_encrypt(
    algorithm: &der::asn1::ObjectIdentifier,
    params: &Pkcs12PbeParams,
    password_bmp: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let cipher = pkcs12_cipher(algorithm)
        .ok_or_else(|| Error::unsupported("PKCS#12 bag encryption", algorithm))?;
    let salt = params.salt.as_bytes();
    let key_len = match cipher {
        Pkcs12Cipher::TripleDes3Key => 24,
        Pkcs12Cipher::TripleDes2Key => 16,
        Pkcs12Cipher::Rc2 { key_len } => key_len,
    };
    let key =
        kdf::derive::<sha1::Sha1>(password_bmp, salt, Purpose::Key, params.iterations, key_len);
    let iv = kdf::derive::<sha1::Sha1>(password_bmp, salt, Purpose::Iv, params.iterations, 8);
    let bad = |_| Error::malformed("PFX", "PKCS#12 PBE key/IV length");
    Ok(match cipher {
        Pkcs12Cipher::TripleDes3Key => cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .map_err(bad)?
            .encrypt_padded_vec::<Pkcs7>(plaintext),
        Pkcs12Cipher::TripleDes2Key => cbc::Encryptor::<des::TdesEde2>::new_from_slices(&key, &iv)
            .map_err(bad)?
            .encrypt_padded_vec::<Pkcs7>(plaintext),
        Pkcs12Cipher::Rc2 { key_len } => {
            let rc2 = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
            cbc::Encryptor::<rc2::Rc2>::inner_iv_slice_init(rc2, &iv)
                .map_err(bad)?
                .encrypt_padded_vec::<Pkcs7>(plaintext)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pkcs5::pbes2::{EncryptionScheme as Es, Kdf, Parameters, Pbkdf2Params};

    /// Our PBKDF2 + cipher path against `pkcs5`'s own encryption, for every scheme.
    #[test]
    fn pbes2_round_trips_with_pkcs5() {
        let plain = b"a PKCS#8 key would be here, longer than one block".to_vec();
        let schemes = [
            Es::Aes128Cbc { iv: [1; 16] },
            Es::Aes192Cbc { iv: [2; 16] },
            Es::Aes256Cbc { iv: [3; 16] },
            Es::DesEde3Cbc { iv: [4; 8] },
            Es::Aes128Gcm { nonce: [5; 12] },
            Es::Aes256Gcm { nonce: [6; 12] },
        ];
        for encryption in schemes {
            let Ok(kdf) = Pbkdf2Params::hmac_sha256(1000, &[9; 8]) else {
                panic!("PBKDF2 parameters")
            };
            let params = Parameters {
                kdf: Kdf::Pbkdf2(kdf),
                encryption,
            };
            let Ok(ciphertext) = params.encrypt("pässword", &plain) else {
                panic!("pkcs5 encrypts")
            };
            let Ok(der) = pkcs5::EncryptionScheme::Pbes2(params).to_der() else {
                panic!("DER")
            };
            let Ok(algorithm) = AlgorithmIdentifierOwned::from_der(&der) else {
                panic!("AlgorithmIdentifier")
            };
            let limits = PfxLimits::default();
            let right = decrypt(
                &algorithm,
                &Password {
                    utf8: "pässword".as_bytes(),
                    bmp: &[],
                },
                &ciphertext,
                &limits,
                "test",
            );
            assert!(
                matches!(&right, Ok(p) if p.as_slice() == plain.as_slice()),
                "{}",
                algorithm.oid
            );
            let wrong = decrypt(
                &algorithm,
                &Password {
                    utf8: b"wrong",
                    bmp: &[],
                },
                &ciphertext,
                &limits,
                "test",
            );
            // CBC padding passes by chance about once in 256; these fixed inputs do not.
            assert!(matches!(wrong, Err(Error::WrongPassword(_))));
        }
    }
}
