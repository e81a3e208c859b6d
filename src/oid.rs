//! Object identifiers used across the crate: one list, one place.

use der::asn1::ObjectIdentifier as Oid;

// PKCS#7 / CMS content types (RFC 5652).
/// `id-data`.
pub(crate) const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
/// `id-signedData`.
pub(crate) const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
/// `id-encryptedData`.
pub(crate) const ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");

// CMS attributes (RFC 5652 section 11).
/// `id-contentType` attribute.
pub(crate) const ATTR_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
/// `id-messageDigest` attribute.
pub(crate) const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
/// PKCS#9 `friendlyName`.
pub(crate) const ATTR_FRIENDLY_NAME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.20");
/// PKCS#9 `localKeyId`.
pub(crate) const ATTR_LOCAL_KEY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.21");

// Digests.
/// SHA-1.
pub(crate) const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
/// SHA-256.
pub(crate) const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
/// SHA-384.
pub(crate) const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
/// SHA-512.
pub(crate) const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

// RSA.
/// `rsaEncryption`.
pub(crate) const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// `sha1WithRSAEncryption`.
pub(crate) const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
/// `sha256WithRSAEncryption`.
pub(crate) const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// `sha384WithRSAEncryption`.
pub(crate) const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
/// `sha512WithRSAEncryption`.
pub(crate) const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
/// `id-RSASSA-PSS`.
pub(crate) const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
/// `id-ecPublicKey` (recognised only to be refused with a clear error).
pub(crate) const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");

// PKCS#12 (RFC 7292).
/// `keyBag`.
pub(crate) const KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.1");
/// `pkcs8ShroudedKeyBag`.
pub(crate) const PKCS8_SHROUDED_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.2");
/// `certBag`.
pub(crate) const CERT_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.3");
/// `crlBag`.
pub(crate) const CRL_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.4");
/// `secretBag`.
pub(crate) const SECRET_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.5");
/// `safeContentsBag`.
pub(crate) const SAFE_CONTENTS_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.6");
/// `x509Certificate` cert type.
pub(crate) const X509_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.22.1");
/// `pbeWithSHAAnd128BitRC4` (recognised only to be refused).
pub(crate) const PBE_SHA1_RC4_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.1");
/// `pbeWithSHAAnd3-KeyTripleDES-CBC`.
pub(crate) const PBE_SHA1_3DES: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.3");
/// `pbeWithSHAAnd2-KeyTripleDES-CBC`.
pub(crate) const PBE_SHA1_2DES: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.4");
/// `pbeWithSHAAnd128BitRC2-CBC`.
pub(crate) const PBE_SHA1_RC2_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.5");
/// `pbeWithSHAAnd40BitRC2-CBC`.
pub(crate) const PBE_SHA1_RC2_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.6");
/// PKCS#5 `id-PBES2`.
pub(crate) const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");
/// PKCS#5 `id-PBKDF2`.
pub(crate) const PBKDF2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.12");
/// `id-scrypt` (RFC 7914; recognised only to be refused as a PBES2 KDF).
pub(crate) const SCRYPT: Oid = Oid::new_unwrap("1.3.6.1.4.1.11591.4.11");

// PBKDF2 pseudo-random functions (RFC 8018 appendix B.1).
/// `hmacWithSHA1`.
pub(crate) const HMAC_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.113549.2.7");
/// `hmacWithSHA224`.
pub(crate) const HMAC_WITH_SHA224: Oid = Oid::new_unwrap("1.2.840.113549.2.8");
/// `hmacWithSHA256`.
pub(crate) const HMAC_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.2.9");
/// `hmacWithSHA384`.
pub(crate) const HMAC_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.113549.2.10");
/// `hmacWithSHA512`.
pub(crate) const HMAC_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.113549.2.11");

// Block ciphers for PBES2 (RFC 8018 appendix B.2, NIST).
/// `des-EDE3-CBC`.
pub(crate) const DES_EDE3_CBC: Oid = Oid::new_unwrap("1.2.840.113549.3.7");
/// `aes128-CBC`.
pub(crate) const AES_128_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.2");
/// `aes192-CBC`.
pub(crate) const AES_192_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.22");
/// `aes256-CBC`.
pub(crate) const AES_256_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.42");
/// `aes128-GCM`.
pub(crate) const AES_128_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.6");
/// `aes256-GCM`.
pub(crate) const AES_256_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.46");
/// SHA-224.
pub(crate) const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");

// X.509 extensions and attributes (RFC 5280).
/// `id-at-commonName`.
pub(crate) const AT_COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
/// `id-ce-subjectKeyIdentifier`.
pub(crate) const CE_SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
/// `id-ce-keyUsage`.
pub(crate) const CE_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
/// `id-ce-subjectAltName`.
pub(crate) const CE_SUBJECT_ALT_NAME: Oid = Oid::new_unwrap("2.5.29.17");
/// `id-ce-basicConstraints`.
pub(crate) const CE_BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
/// `id-ce-cRLDistributionPoints`.
pub(crate) const CE_CRL_DISTRIBUTION_POINTS: Oid = Oid::new_unwrap("2.5.29.31");
/// `id-ce-certificatePolicies`.
pub(crate) const CE_CERTIFICATE_POLICIES: Oid = Oid::new_unwrap("2.5.29.32");
/// `id-ce-authorityKeyIdentifier`.
pub(crate) const CE_AUTHORITY_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.35");
/// `id-ce-extKeyUsage`.
pub(crate) const CE_EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
/// `id-pe-authorityInfoAccess`.
pub(crate) const PE_AUTHORITY_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
/// `id-at-countryName`.
pub(crate) const AT_COUNTRY_NAME: Oid = Oid::new_unwrap("2.5.4.6");
/// `id-at-localityName`.
pub(crate) const AT_LOCALITY_NAME: Oid = Oid::new_unwrap("2.5.4.7");
/// `id-at-stateOrProvinceName`.
pub(crate) const AT_STATE_OR_PROVINCE_NAME: Oid = Oid::new_unwrap("2.5.4.8");
/// `id-at-organizationName`.
pub(crate) const AT_ORGANIZATION_NAME: Oid = Oid::new_unwrap("2.5.4.10");
/// `id-at-organizationalUnitName`.
pub(crate) const AT_ORGANIZATIONAL_UNIT_NAME: Oid = Oid::new_unwrap("2.5.4.11");
/// `id-at-serialNumber`.
pub(crate) const AT_SERIAL_NUMBER: Oid = Oid::new_unwrap("2.5.4.5");
/// PKCS#9 `emailAddress`.
pub(crate) const AT_EMAIL_ADDRESS: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
/// `id-kp-clientAuth` (the test PKI's merchant certificates).
#[cfg(feature = "sandbox")]
pub(crate) const KP_CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");
/// `anyExtendedKeyUsage` (RFC 5280 §4.2.1.12).
pub(crate) const ANY_EXTENDED_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37.0");
/// `id-kp-emailProtection`.
pub(crate) const KP_EMAIL_PROTECTION: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.4");

/// A short human name for an OID this crate knows, or the dotted form.
pub(crate) fn name(oid: &Oid) -> String {
    let known: &[(Oid, &str)] = &[
        (SHA1, "sha1"),
        (SHA256, "sha256"),
        (SHA384, "sha384"),
        (SHA512, "sha512"),
        (RSA_ENCRYPTION, "rsaEncryption"),
        (SHA1_WITH_RSA, "sha1WithRSAEncryption"),
        (SHA256_WITH_RSA, "sha256WithRSAEncryption"),
        (SHA384_WITH_RSA, "sha384WithRSAEncryption"),
        (SHA512_WITH_RSA, "sha512WithRSAEncryption"),
        (RSASSA_PSS, "RSASSA-PSS"),
        (EC_PUBLIC_KEY, "id-ecPublicKey"),
        (PBE_SHA1_RC4_128, "pbeWithSHAAnd128BitRC4"),
        (PBE_SHA1_3DES, "pbeWithSHAAnd3-KeyTripleDES-CBC"),
        (PBE_SHA1_2DES, "pbeWithSHAAnd2-KeyTripleDES-CBC"),
        (PBE_SHA1_RC2_128, "pbeWithSHAAnd128BitRC2-CBC"),
        (PBE_SHA1_RC2_40, "pbeWithSHAAnd40BitRC2-CBC"),
        (PBES2, "PBES2"),
        (PBKDF2, "PBKDF2"),
        (SCRYPT, "scrypt"),
        (HMAC_WITH_SHA1, "HMAC-SHA1"),
        (HMAC_WITH_SHA224, "HMAC-SHA224"),
        (HMAC_WITH_SHA256, "HMAC-SHA256"),
        (HMAC_WITH_SHA384, "HMAC-SHA384"),
        (HMAC_WITH_SHA512, "HMAC-SHA512"),
        (DES_EDE3_CBC, "DES-EDE3-CBC"),
        (AES_128_CBC, "AES-128-CBC"),
        (AES_192_CBC, "AES-192-CBC"),
        (AES_256_CBC, "AES-256-CBC"),
        (AES_128_GCM, "AES-128-GCM"),
        (AES_256_GCM, "AES-256-GCM"),
        (SHA224, "sha224"),
        (KEY_BAG, "keyBag"),
        (PKCS8_SHROUDED_KEY_BAG, "pkcs8ShroudedKeyBag"),
        (CERT_BAG, "certBag"),
        (CRL_BAG, "crlBag"),
        (SECRET_BAG, "secretBag"),
        (SAFE_CONTENTS_BAG, "safeContentsBag"),
        (DATA, "data"),
        (SIGNED_DATA, "signedData"),
        (ENCRYPTED_DATA, "encryptedData"),
    ];
    known
        .iter()
        .find(|(o, _)| o == oid)
        .map(|(_, n)| (*n).to_string())
        .unwrap_or_else(|| oid.to_string())
}
