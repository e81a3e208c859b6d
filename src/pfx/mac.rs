//! The PFX integrity MAC (RFC 7292 section 5 and appendix B): HMAC keyed by the PKCS#12 KDF (ID 3)
//! with the MAC's own digest, over the content octets of the `authSafe` OCTET STRING.

use hmac::EagerHash;
use hmac::{Hmac, KeyInit, Mac};
use sha1::digest::{Digest, common::BlockSizeUser};

use super::MacInfo;
use super::PfxLimits;
use super::asn1::MacData;
use super::cipher::check_iterations;
use super::kdf::{self, Purpose};
use crate::{Error, Result, oid};

/// The HMAC hashes a PFX MAC may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacDigest {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl MacDigest {
    pub(crate) fn from_oid(algorithm: &der::asn1::ObjectIdentifier) -> Result<Self> {
        Ok(match *algorithm {
            a if a == oid::SHA1 => MacDigest::Sha1,
            a if a == oid::SHA224 => MacDigest::Sha224,
            a if a == oid::SHA256 => MacDigest::Sha256,
            a if a == oid::SHA384 => MacDigest::Sha384,
            a if a == oid::SHA512 => MacDigest::Sha512,
            other => return Err(Error::unsupported("PKCS#12 MAC digest", other)),
        })
    }

    /// `HMAC-SHA1`, `HMAC-SHA256`, …
    pub(crate) fn name(self) -> &'static str {
        match self {
            MacDigest::Sha1 => "HMAC-SHA1",
            MacDigest::Sha224 => "HMAC-SHA224",
            MacDigest::Sha256 => "HMAC-SHA256",
            MacDigest::Sha384 => "HMAC-SHA384",
            MacDigest::Sha512 => "HMAC-SHA512",
        }
    }

    /// The MAC over `data` (for the encoder).
    pub(crate) fn compute(
        self,
        password_bmp: &[u8],
        salt: &[u8],
        iterations: u64,
        data: &[u8],
    ) -> Vec<u8> {
        match self {
            MacDigest::Sha1 => hmac_with::<sha1::Sha1>(password_bmp, salt, iterations, data),
            MacDigest::Sha224 => hmac_with::<sha2::Sha224>(password_bmp, salt, iterations, data),
            MacDigest::Sha256 => hmac_with::<sha2::Sha256>(password_bmp, salt, iterations, data),
            MacDigest::Sha384 => hmac_with::<sha2::Sha384>(password_bmp, salt, iterations, data),
            MacDigest::Sha512 => hmac_with::<sha2::Sha512>(password_bmp, salt, iterations, data),
        }
    }
}

fn hmac_with<D>(password_bmp: &[u8], salt: &[u8], iterations: u64, data: &[u8]) -> Vec<u8>
where
    D: Digest + BlockSizeUser + EagerHash,
{
    let key = kdf::derive::<D>(
        password_bmp,
        salt,
        Purpose::Mac,
        iterations,
        <D as Digest>::output_size(),
    );
    // HMAC takes keys of any length: `new_from_slice` cannot fail here.
    match <Hmac<D> as KeyInit>::new_from_slice(&key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Checks the MAC over `auth_safe` with the BMPString password; the comparison is constant-time.
/// Returns what the MAC was on success, `WrongPassword("MAC mismatch")` on a mismatch.
pub(crate) fn verify(
    mac_data: &MacData,
    password_bmp: &[u8],
    auth_safe: &[u8],
    limits: &PfxLimits,
) -> Result<MacInfo> {
    let digest = MacDigest::from_oid(&mac_data.mac.algorithm.oid)?;
    let iterations = mac_data.iterations.unwrap_or(1);
    check_iterations(iterations, limits)?;
    let expected = mac_data.mac.digest.as_bytes();
    let salt = mac_data.mac_salt.as_bytes();
    let ok = match digest {
        MacDigest::Sha1 => check::<sha1::Sha1>(password_bmp, salt, iterations, auth_safe, expected),
        MacDigest::Sha224 => {
            check::<sha2::Sha224>(password_bmp, salt, iterations, auth_safe, expected)
        }
        MacDigest::Sha256 => {
            check::<sha2::Sha256>(password_bmp, salt, iterations, auth_safe, expected)
        }
        MacDigest::Sha384 => {
            check::<sha2::Sha384>(password_bmp, salt, iterations, auth_safe, expected)
        }
        MacDigest::Sha512 => {
            check::<sha2::Sha512>(password_bmp, salt, iterations, auth_safe, expected)
        }
    };
    if !ok {
        return Err(Error::WrongPassword("MAC mismatch"));
    }
    Ok(MacInfo {
        algorithm: digest.name().to_string(),
        iterations,
    })
}

fn check<D>(password_bmp: &[u8], salt: &[u8], iterations: u64, data: &[u8], expected: &[u8]) -> bool
where
    D: Digest + BlockSizeUser + EagerHash,
{
    let key = kdf::derive::<D>(
        password_bmp,
        salt,
        Purpose::Mac,
        iterations,
        <D as Digest>::output_size(),
    );
    match <Hmac<D> as KeyInit>::new_from_slice(&key) {
        Ok(mut mac) => {
            mac.update(data);
            // `verify_slice` compares in constant time (and fails on a length mismatch).
            mac.verify_slice(expected).is_ok()
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pfx::asn1::DigestInfo;
    use der::asn1::OctetString;
    use spki::AlgorithmIdentifierOwned;

    fn mac_data(digest: der::asn1::ObjectIdentifier, value: Vec<u8>, iterations: u64) -> MacData {
        MacData {
            mac: DigestInfo {
                algorithm: AlgorithmIdentifierOwned {
                    oid: digest,
                    parameters: None,
                },
                digest: OctetString::new(value).unwrap_or_else(|_| unreachable!()),
            },
            mac_salt: OctetString::new(vec![1, 2, 3, 4, 5, 6, 7, 8])
                .unwrap_or_else(|_| unreachable!()),
            iterations: Some(iterations),
        }
    }

    #[test]
    fn round_trip_and_mismatch() {
        let pw = kdf::bmp_password("secret");
        let data = b"authenticated safe";
        for (d, o) in [
            (MacDigest::Sha1, oid::SHA1),
            (MacDigest::Sha256, oid::SHA256),
            (MacDigest::Sha384, oid::SHA384),
            (MacDigest::Sha512, oid::SHA512),
        ] {
            let value = d.compute(&pw, &[1, 2, 3, 4, 5, 6, 7, 8], 3, data);
            let md = mac_data(o, value.clone(), 3);
            let info = verify(&md, &pw, data, &PfxLimits::default());
            assert_eq!(info.ok().map(|i| i.algorithm), Some(d.name().to_string()));
            let other = kdf::bmp_password("Secret");
            assert!(matches!(
                verify(&md, &other, data, &PfxLimits::default()),
                Err(Error::WrongPassword("MAC mismatch"))
            ));
            // A truncated MAC value is a mismatch, not a panic.
            let short = mac_data(o, value.get(..4).unwrap_or_default().to_vec(), 3);
            assert!(verify(&short, &pw, data, &PfxLimits::default()).is_err());
        }
    }

    // HMAC-SHA1 MAC of "authenticated safe" under password "secret", salt 0102030405060708,
    // 2048 iterations, as OpenSSL computes it:
    //   key=$(openssl kdf -keylen 20 -kdfopt digest:SHA1 -kdfopt hexpass:0073006500630072006500740000 \
    //         -kdfopt hexsalt:0102030405060708 -kdfopt iter:2048 -kdfopt id:3 PKCS12KDF | tr -d :)
    //   printf 'authenticated safe' | openssl mac -digest SHA1 -macopt hexkey:$key HMAC
    #[test]
    fn openssl_known_answer() {
        let pw = kdf::bmp_password("secret");
        let mac =
            MacDigest::Sha1.compute(&pw, &[1, 2, 3, 4, 5, 6, 7, 8], 2048, b"authenticated safe");
        let hex = crate::error::hex(&mac).to_uppercase();
        assert_eq!(hex, "4F8C7A84A423294296F07D02A4A8113458F9CE8C");
    }

    #[test]
    fn iteration_limit_refused_before_work() {
        let md = mac_data(oid::SHA1, vec![0; 20], u64::MAX);
        let limits = PfxLimits::default();
        assert!(matches!(
            verify(&md, &[0, 0], b"", &limits),
            Err(Error::LimitExceeded { .. })
        ));
    }
}
