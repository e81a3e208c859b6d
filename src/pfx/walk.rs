//! The PFX structure walk: size bound, version, the integrity MAC, the authenticated safe and
//! its (possibly encrypted) safes, each read through the crate's one BER reader; the bags in
//! them are [`super::bags`]' business.

use zeroize::Zeroizing;

use super::asn1::{AuthenticatedSafe, ContentInfo, Pfx, SafeContents};
use super::bags::Walker;
use super::cipher::{self, Password};
use super::{PfxContents, PfxInfo, PfxLimits, kdf, mac};
use crate::{Error, Result, oid};

/// Decodes a PFX and returns every key and certificate in it, without matching them.
pub fn decode(der: &[u8], password: &str, limits: &PfxLimits) -> Result<PfxContents> {
    if der.len() > limits.max_input_bytes {
        return Err(Error::LimitExceeded {
            limit: "PFX input bytes",
            value: u64::try_from(der.len()).unwrap_or(u64::MAX),
            bound: crate::Bound::Max(u64::try_from(limits.max_input_bytes).unwrap_or(u64::MAX)),
        });
    }
    let pfx: Pfx = decode_ber(der, limits)?;
    if pfx.version != 3 {
        return Err(Error::malformed(
            "PFX",
            format_args!("version {} (expected 3)", pfx.version),
        ));
    }
    let auth_safe = match &pfx.auth_safe {
        ContentInfo::Data(data) => data.as_bytes(),
        ContentInfo::EncryptedData(_) => {
            return Err(Error::unsupported(
                "PFX authSafe content type (public-key integrity mode)",
                oid::ENCRYPTED_DATA,
            ));
        }
        ContentInfo::Other(other) => {
            return Err(Error::unsupported(
                "PFX authSafe content type (public-key integrity mode)",
                other,
            ));
        }
    };

    let mut bmp = kdf::bmp_password(password);
    let mac = match &pfx.mac_data {
        Some(mac_data) => match mac::verify(mac_data, &bmp, auth_safe, limits) {
            Ok(info) => Some(info),
            // Some writers key an empty password as no bytes at all rather than the two-byte NUL
            // (OpenSSL accepts both when reading): try that before giving up.
            Err(Error::WrongPassword(_)) if password.is_empty() => {
                let info = mac::verify(mac_data, &[], auth_safe, limits)?;
                bmp = Zeroizing::new(Vec::new());
                Some(info)
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let mut walker = Walker {
        password: Password {
            utf8: password.as_bytes(),
            bmp: &bmp,
        },
        limits,
        mac_verified: mac.is_some(),
        bags: 0,
        contents: PfxContents {
            keys: Vec::new(),
            certificates: Vec::new(),
            info: PfxInfo {
                mac,
                ..PfxInfo::default()
            },
        },
    };

    let safes: AuthenticatedSafe = decode_ber(auth_safe, limits)?;
    for safe in &safes {
        match safe {
            ContentInfo::Data(data) => {
                let bags: SafeContents = decode_ber(data.as_bytes(), limits)?;
                walker.safe(&bags, "none")?;
            }
            ContentInfo::EncryptedData(encrypted) => {
                let info = &encrypted.encrypted_content_info;
                let name = cipher::name(&info.content_encryption_algorithm);
                let Some(ciphertext) = &info.encrypted_content else {
                    continue;
                };
                let plain = walker.decrypt(
                    &info.content_encryption_algorithm,
                    ciphertext,
                    "PKCS#12 safe encryption",
                )?;
                let bags: SafeContents = match decode_ber(&plain, limits) {
                    Ok(bags) => bags,
                    Err(e) => return Err(walker.garbage(e)),
                };
                walker.safe(&bags, &name)?;
            }
            ContentInfo::Other(other) => {
                return Err(Error::unsupported("PKCS#12 safe content type", other));
            }
        }
    }
    Ok(walker.contents)
}

/// Decodes `T` from BER and refuses trailing bytes: the crate's one BER reader
/// ([`crate::asn1`]) reads the element within `limits.max_depth` and re-encodes it as DER
/// (definite lengths, chunked strings joined; a DER input is taken as it is), then `der` decodes
/// that DER.
fn decode_ber<T: der::DecodeOwned<Error = der::Error>>(
    bytes: &[u8],
    limits: &PfxLimits,
) -> Result<T> {
    const WHAT: &str = "PFX";
    let reframe = |e: Error| match e {
        Error::Malformed { detail, .. } => Error::malformed(WHAT, detail),
        other => other,
    };
    let ends = crate::asn1::Ends::scan(bytes, limits.max_depth);
    let mut top = crate::asn1::Reader::indexed(bytes, limits.max_depth, &ends);
    let tlv = top.next().map_err(reframe)?;
    if !top.is_empty() {
        return Err(Error::TrailingData {
            what: WHAT,
            count: top.remaining().len(),
        });
    }
    let der = if tlv.is_der_shaped() {
        std::borrow::Cow::Borrowed(tlv.raw)
    } else {
        std::borrow::Cow::Owned(tlv.to_der().map_err(reframe)?)
    };
    T::from_der(&der).map_err(|e| Error::malformed(WHAT, e))
}

#[cfg(test)]
mod tests {
    use der::asn1::OctetString;
    use der::{Decode, Encode};

    use super::super::asn1;
    use super::*;

    /// Java writes the `[0] IMPLICIT` encryptedContent in chunks, and BER may nest chunks or give a
    /// constructed string a definite length: all are read through the crate's one BER reader and
    /// joined, and written back primitive.
    #[test]
    fn chunked_encrypted_content_is_joined() {
        let oid_data = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
        ];
        let sha1 = [0x30, 0x07, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a];
        let content = [
            0xa0, 0x80, 0x04, 0x02, 0xab, 0xcd, 0x24, 0x05, 0x04, 0x03, 0xef, 0x01, 0x02, 0x00,
            0x00,
        ];
        let mut ber = vec![0x30, 0x80];
        ber.extend(oid_data);
        ber.extend(sha1);
        ber.extend(content);
        ber.extend([0, 0]);
        let info: asn1::EncryptedContentInfo = decode_ber(&ber, &PfxLimits::default()).unwrap();
        let joined = info
            .encrypted_content
            .as_ref()
            .map(|c| c.as_bytes().to_vec());
        assert_eq!(joined.as_deref(), Some(&[0xab, 0xcd, 0xef, 0x01, 0x02][..]));
        let der = info.to_der().unwrap();
        assert!(
            der.ends_with(&[0x80, 0x05, 0xab, 0xcd, 0xef, 0x01, 0x02]),
            "{der:02x?}"
        );
        // Trailing bytes and a nest deeper than the bound are refused.
        let mut long = ber.clone();
        long.push(0);
        assert!(matches!(
            decode_ber::<asn1::EncryptedContentInfo>(&long, &PfxLimits::default()),
            Err(Error::TrailingData { count: 1, .. })
        ));
        let shallow = PfxLimits {
            max_depth: 1,
            ..PfxLimits::default()
        };
        assert!(matches!(
            decode_ber::<asn1::EncryptedContentInfo>(&ber, &shallow),
            Err(Error::LimitExceeded { .. })
        ));
    }

    /// A MAC keyed with an empty byte string (not the two-byte NUL) is accepted for the empty
    /// password, as OpenSSL does when reading.
    #[test]
    fn empty_password_as_no_bytes() {
        let bytes = include_bytes!("../../vectors/pfx/unencrypted-nomac.p12");
        let Ok(mut pfx) = Pfx::from_der(bytes) else {
            panic!("vector")
        };
        let ContentInfo::Data(auth_safe) = &pfx.auth_safe else {
            panic!("data")
        };
        let salt = [9u8; 8];
        let mac = mac::MacDigest::Sha1.compute(&[], &salt, 2048, auth_safe.as_bytes());
        let octets = |b: Vec<u8>| OctetString::new(b).unwrap_or_else(|_| unreachable!());
        pfx.mac_data = Some(asn1::MacData {
            mac: asn1::DigestInfo {
                algorithm: spki::AlgorithmIdentifierOwned {
                    oid: oid::SHA1,
                    parameters: None,
                },
                digest: octets(mac),
            },
            mac_salt: octets(salt.to_vec()),
            iterations: Some(2048),
        });
        let Ok(der) = pfx.to_der() else {
            panic!("encode")
        };
        let Ok(contents) = decode(&der, "", &PfxLimits::default()) else {
            panic!("empty password as no bytes")
        };
        assert_eq!(contents.keys.len(), 1);
        assert!(matches!(
            decode(&der, "x", &PfxLimits::default()),
            Err(Error::WrongPassword("MAC mismatch"))
        ));
    }

    #[test]
    fn garbage_never_panics() {
        for input in [
            &b""[..],
            &[0x30],
            &[0x30, 0x80],
            &[0x30, 0x80, 0, 0],
            &[0x30, 0x03, 2, 1, 3],
        ] {
            assert!(decode(input, "", &PfxLimits::default()).is_err());
        }
    }
}
