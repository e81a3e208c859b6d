//! PKCS#12 decoding against the OpenSSL-made matrix in vectors/pfx (see vectors/pfx/README.md), the
//! real CFCA/Huifu files in ../shared/vectors/cfca, and `p12` 0.6.3 as a differential oracle.

use der::{Decode, Encode};
use huifu_cfca::Error;
use huifu_cfca::pfx::{self, PfxLimits};
use rsa::pkcs8::DecodePublicKey;
use x509_cert::Certificate;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors");

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{DIR}/pfx/{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn chain_file(name: &str) -> Vec<u8> {
    let path = format!("{DIR}/chain/{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// A real CFCA/Huifu file: its absence is a failure, never a silent pass (a test that reads one
/// calls `real::skip` first: with the material absent and not required, it says what it skipped).
fn cfca_file(name: &str) -> Vec<u8> {
    crate::common::real::read(name)
}

fn public_key_of(cert: &Certificate) -> rsa::PublicKey {
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .expect("spki");
    rsa::PublicKey::from_public_key_der(&spki).expect("RSA public key")
}

const PBES2_AES256: &str = "PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)";
const TDES: &str = "pbeWithSHAAnd3-KeyTripleDES-CBC";
const RC2_40: &str = "pbeWithSHAAnd40BitRC2-CBC";

struct Case {
    file: &'static str,
    password: &'static str,
    key_encryption: &'static str,
    cert_encryption: &'static str,
    mac: Option<(&'static str, u64)>,
    chain: usize,
}

const fn case(
    file: &'static str,
    password: &'static str,
    key_encryption: &'static str,
    cert_encryption: &'static str,
    mac: Option<(&'static str, u64)>,
) -> Case {
    Case {
        file,
        password,
        key_encryption,
        cert_encryption,
        mac,
        chain: 0,
    }
}

const SHA256_MAC: Option<(&str, u64)> = Some(("HMAC-SHA256", 2048));
const SHA1_MAC: Option<(&str, u64)> = Some(("HMAC-SHA1", 2048));

fn cases() -> Vec<Case> {
    vec![
        case(
            "cfca.p12",
            "888888",
            TDES,
            RC2_40,
            Some(("HMAC-SHA1", 2000)),
        ),
        case("3des.p12", "1111", TDES, TDES, SHA1_MAC),
        case(
            "2des.p12",
            "secret",
            "pbeWithSHAAnd2-KeyTripleDES-CBC",
            "pbeWithSHAAnd2-KeyTripleDES-CBC",
            SHA1_MAC,
        ),
        case(
            "rc2-128.p12",
            "secret",
            "pbeWithSHAAnd128BitRC2-CBC",
            "pbeWithSHAAnd128BitRC2-CBC",
            SHA1_MAC,
        ),
        case("rc2-40-nomac.p12", "secret", TDES, RC2_40, None),
        case(
            "openssl3.p12",
            "secret",
            PBES2_AES256,
            PBES2_AES256,
            SHA256_MAC,
        ),
        case(
            "aes128.p12",
            "secret",
            "PBES2 (PBKDF2-HMAC-SHA256, AES-128-CBC)",
            "PBES2 (PBKDF2-HMAC-SHA256, AES-128-CBC)",
            SHA256_MAC,
        ),
        case(
            "aes192.p12",
            "secret",
            "PBES2 (PBKDF2-HMAC-SHA256, AES-192-CBC)",
            "PBES2 (PBKDF2-HMAC-SHA256, AES-192-CBC)",
            SHA256_MAC,
        ),
        case(
            "pbes2-des3.p12",
            "secret",
            "PBES2 (PBKDF2-HMAC-SHA256, DES-EDE3-CBC)",
            "PBES2 (PBKDF2-HMAC-SHA256, DES-EDE3-CBC)",
            SHA256_MAC,
        ),
        case(
            "pbkdf2-sha1.p12",
            "secret",
            "PBES2 (PBKDF2-HMAC-SHA1, AES-128-CBC)",
            "none",
            SHA256_MAC,
        ),
        case(
            "pbkdf2-sha512.p12",
            "secret",
            "PBES2 (PBKDF2-HMAC-SHA512, AES-128-CBC)",
            "none",
            SHA256_MAC,
        ),
        case(
            "mac-sha384.p12",
            "secret",
            PBES2_AES256,
            PBES2_AES256,
            Some(("HMAC-SHA384", 2048)),
        ),
        case(
            "mac-sha512.p12",
            "secret",
            PBES2_AES256,
            PBES2_AES256,
            Some(("HMAC-SHA512", 2048)),
        ),
        case(
            "mac-sha1-noiter.p12",
            "secret",
            PBES2_AES256,
            PBES2_AES256,
            Some(("HMAC-SHA1", 1)),
        ),
        case("nomac.p12", "secret", PBES2_AES256, PBES2_AES256, None),
        case("nomac-plaincerts.p12", "secret", PBES2_AES256, "none", None),
        case("unencrypted.p12", "secret", "none", "none", SHA256_MAC),
        case("unencrypted-nomac.p12", "secret", "none", "none", None),
        case(
            "empty-password.p12",
            "",
            PBES2_AES256,
            PBES2_AES256,
            SHA256_MAC,
        ),
        case("empty-password-legacy.p12", "", TDES, RC2_40, SHA1_MAC),
        case(
            "nonascii.p12",
            "密码",
            PBES2_AES256,
            PBES2_AES256,
            SHA256_MAC,
        ),
        case("nonascii-legacy.p12", "密码", TDES, RC2_40, SHA1_MAC),
        case("keyex.p12", "secret", TDES, RC2_40, SHA1_MAC),
        Case {
            chain: 2,
            ..case(
                "chain.p12",
                "secret",
                PBES2_AES256,
                PBES2_AES256,
                SHA256_MAC,
            )
        },
        Case {
            chain: 2,
            ..case("chain-legacy.p12", "secret", TDES, RC2_40, SHA1_MAC)
        },
        Case {
            chain: 2,
            ..case(
                "chain-reversed.p12",
                "secret",
                PBES2_AES256,
                PBES2_AES256,
                SHA256_MAC,
            )
        },
        case(
            "ber-cfca.p12",
            "888888",
            TDES,
            RC2_40,
            Some(("HMAC-SHA1", 2000)),
        ),
        case("ber-nomac.p12", "secret", PBES2_AES256, PBES2_AES256, None),
        case("ber-unencrypted.p12", "secret", "none", "none", None),
    ]
}

#[test]
fn every_vector_decodes_to_the_merchant_identity() {
    let merchant_cer = chain_file("merchant.cer");
    let merchant = Certificate::from_der(&merchant_cer).expect("merchant.cer");
    let merchant_key = public_key_of(&merchant);
    let mut failures = Vec::new();
    for c in cases() {
        let result = pfx::load(&vector(c.file), c.password);
        let id = match result {
            Ok(id) => id,
            Err(e) => {
                failures.push(format!("{}: {e}", c.file));
                continue;
            }
        };
        assert_eq!(
            id.certificate().to_der().expect("der"),
            merchant_cer,
            "{}",
            c.file
        );
        assert_eq!(id.private_key().to_public_key(), merchant_key, "{}", c.file);
        assert_eq!(id.chain().len(), c.chain, "{}", c.file);
        let info = id.info();
        assert_eq!(
            info.key_encryption,
            vec![c.key_encryption.to_string()],
            "{}",
            c.file
        );
        assert_eq!(
            info.cert_encryption,
            vec![c.cert_encryption.to_string()],
            "{}",
            c.file
        );
        assert_eq!(
            info.mac
                .as_ref()
                .map(|m| (m.algorithm.as_str(), m.iterations)),
            c.mac,
            "{}",
            c.file
        );
        // Debug never shows key material.
        let debug = format!("{id:?}");
        assert!(debug.contains("<RSA private key>"), "{debug}");
        assert!(!debug.to_lowercase().contains("prime"), "{debug}");
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn chain_certificates_and_attributes() {
    let contents =
        pfx::decode(&vector("chain.p12"), "secret", &PfxLimits::default()).expect("decode");
    assert_eq!(contents.keys.len(), 1);
    assert_eq!(contents.certificates.len(), 3);
    let key = &contents.keys[0];
    assert_eq!(key.friendly_name.as_deref(), Some("AS0381 merchant"));
    let leaf = contents
        .certificates
        .iter()
        .find(|c| c.certificate.to_der().expect("der") == chain_file("merchant.cer"))
        .expect("leaf");
    assert_eq!(leaf.friendly_name.as_deref(), Some("AS0381 merchant"));
    assert!(leaf.local_key_id.is_some());
    assert_eq!(leaf.local_key_id, key.local_key_id);
    let names: Vec<_> = contents
        .certificates
        .iter()
        .filter_map(|c| c.friendly_name.clone())
        .collect();
    assert!(names.contains(&"VECTORS OCA31".to_string()), "{names:?}");
    let id = pfx::load(&vector("chain.p12"), "secret").expect("load");
    let chain: Vec<Vec<u8>> = id
        .chain()
        .iter()
        .map(|c| c.to_der().expect("der"))
        .collect();
    assert!(chain.contains(&chain_file("oca.cer")));
    assert!(chain.contains(&chain_file("root.cer")));
}

#[test]
fn rsa_4096() {
    let id = pfx::load(&vector("rsa4096.p12"), "secret").expect("load");
    assert_eq!(
        id.certificate().to_der().expect("der"),
        chain_file("merchant4096.cer")
    );
    let cert = Certificate::from_der(&chain_file("merchant4096.cer")).expect("cert");
    assert_eq!(id.private_key().to_public_key(), public_key_of(&cert));
}

#[test]
fn real_cfca_files() {
    if crate::common::real::skip("decoding the real AS0381.pfx and key.pfx") {
        return;
    }
    let as0381 = pfx::load(&cfca_file("AS0381.pfx"), "888888").expect("AS0381.pfx");
    let subject = as0381.certificate().tbs_certificate().subject().to_string();
    assert!(subject.contains("051@AS0381@N111130@1"), "{subject}");
    assert_eq!(
        as0381.private_key().to_public_key(),
        public_key_of(as0381.certificate())
    );
    assert_eq!(as0381.info().key_encryption, vec![TDES.to_string()]);
    assert_eq!(as0381.info().cert_encryption, vec![RC2_40.to_string()]);
    let mac = as0381.info().mac.as_ref().expect("mac");
    assert_eq!(
        (mac.algorithm.as_str(), mac.iterations),
        ("HMAC-SHA1", 2000)
    );

    let key = pfx::load(&cfca_file("key.pfx"), "1111").expect("key.pfx");
    let subject = key.certificate().tbs_certificate().subject().to_string();
    assert!(
        subject.contains("051@NP2165@N91310101591672457N@1"),
        "{subject}"
    );
    assert_eq!(
        key.private_key().to_public_key(),
        public_key_of(key.certificate())
    );
    assert_eq!(
        key.info().mac.as_ref().map(|m| m.algorithm.as_str()),
        Some("HMAC-SHA1")
    );

    assert!(matches!(
        pfx::load(&cfca_file("AS0381.pfx"), "888889"),
        Err(Error::WrongPassword("MAC mismatch"))
    ));
}

#[test]
fn wrong_password_with_mac() {
    for file in [
        "cfca.p12",
        "openssl3.p12",
        "unencrypted.p12",
        "mac-sha512.p12",
        "ber-cfca.p12",
    ] {
        let r = pfx::load(&vector(file), "wrong");
        assert!(
            matches!(r, Err(Error::WrongPassword("MAC mismatch"))),
            "{file}: {r:?}"
        );
    }
    assert!(matches!(
        pfx::load(&vector("empty-password.p12"), "x"),
        Err(Error::WrongPassword("MAC mismatch"))
    ));
    assert!(matches!(
        pfx::load(&vector("nonascii.p12"), "密"),
        Err(Error::WrongPassword("MAC mismatch"))
    ));
}

#[test]
fn wrong_password_without_mac() {
    for file in ["nomac.p12", "rc2-40-nomac.p12", "ber-nomac.p12"] {
        for password in ["wrong", "", "secreT", "another one"] {
            let r = pfx::load(&vector(file), password);
            assert!(
                matches!(r, Err(Error::WrongPassword("decryption padding failed"))),
                "{file} / {password}: {r:?}"
            );
        }
    }
}

#[test]
fn unencrypted_without_mac_ignores_the_password() {
    assert!(pfx::load(&vector("unencrypted-nomac.p12"), "anything").is_ok());
}

#[test]
fn truncations_are_errors_never_panics() {
    for file in ["cfca.p12", "ber-nomac.p12"] {
        let bytes = vector(file);
        let password = if file == "cfca.p12" {
            "888888"
        } else {
            "secret"
        };
        for len in 0..bytes.len() {
            assert!(
                pfx::load(&bytes[..len], password).is_err(),
                "{file} truncated to {len}"
            );
        }
    }
}

#[test]
fn corruptions_never_panic() {
    // (Every corrupted file that still parses costs key derivations: sample the bytes.)
    for (file, password, step) in [("cfca.p12", "888888", 29), ("ber-nomac.p12", "secret", 61)] {
        let bytes = vector(file);
        for i in (0..bytes.len()).step_by(step) {
            for mask in [0x01, 0xff] {
                let mut copy = bytes.clone();
                copy[i] ^= mask;
                let _ = pfx::load(&copy, password);
            }
        }
    }
}

#[test]
fn trailing_data() {
    let mut bytes = vector("cfca.p12");
    bytes.extend_from_slice(&[0, 1, 2]);
    assert!(matches!(
        pfx::load(&bytes, "888888"),
        Err(Error::TrailingData {
            what: "PFX",
            count: 3
        })
    ));
}

#[test]
fn ec_key_is_unsupported() {
    match pfx::load(&vector("ec.p12"), "secret") {
        Err(Error::UnsupportedKey(what)) => assert!(what.contains("EC"), "{what}"),
        other => panic!("{other:?}"),
    }
    // decode() still reports what is there.
    let contents = pfx::decode(&vector("ec.p12"), "secret", &PfxLimits::default()).expect("decode");
    assert_eq!(contents.keys.len(), 1);
    assert_eq!(contents.certificates.len(), 1);
}

#[test]
fn key_only_cert_only_mismatch() {
    assert!(matches!(
        pfx::load(&vector("key-only.p12"), "secret"),
        Err(Error::NoCertificate)
    ));
    assert!(matches!(
        pfx::load(&vector("cert-only.p12"), "secret"),
        Err(Error::NoPrivateKey)
    ));
    assert!(matches!(
        pfx::load(&vector("certs-only.p12"), "secret"),
        Err(Error::NoPrivateKey)
    ));
    assert!(matches!(
        pfx::load(&vector("mismatch.p12"), "secret"),
        Err(Error::NoMatchingCertificate)
    ));
    let contents =
        pfx::decode(&vector("certs-only.p12"), "secret", &PfxLimits::default()).expect("decode");
    assert_eq!(contents.certificates.len(), 2);
    assert!(contents.keys.is_empty());
}

#[test]
fn limits() {
    let small_iter = PfxLimits {
        max_iterations: 1999,
        ..PfxLimits::default()
    };
    match small_iter.load(&vector("cfca.p12"), "888888") {
        Err(Error::LimitExceeded {
            value: 2000,
            bound: huifu_cfca::Bound::Max(1999),
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    // Without a MAC the bag iteration counts are checked too.
    let r = small_iter.load(&vector("nomac.p12"), "secret");
    assert!(
        matches!(r, Err(Error::LimitExceeded { value: 2048, .. })),
        "{r:?}"
    );
    let small_input = PfxLimits {
        max_input_bytes: 100,
        ..PfxLimits::default()
    };
    assert!(matches!(
        small_input.load(&vector("cfca.p12"), "888888"),
        Err(Error::LimitExceeded { .. })
    ));
    let few_bags = PfxLimits {
        max_bags: 2,
        ..PfxLimits::default()
    };
    assert!(matches!(
        few_bags.load(&vector("chain.p12"), "secret"),
        Err(Error::LimitExceeded { .. })
    ));
}

/// `p12` 0.6.3 as an independent oracle, on the legacy SHA-1-MAC files it can read.
#[test]
fn differential_against_p12() {
    let mut files: Vec<(Vec<u8>, &str, &str)> = vec![
        (vector("cfca.p12"), "888888", "cfca.p12"),
        (vector("3des.p12"), "1111", "3des.p12"),
    ];
    if !crate::common::real::skip("the p12 differential on the real AS0381.pfx and key.pfx") {
        files.push((cfca_file("AS0381.pfx"), "888888", "AS0381.pfx"));
        files.push((cfca_file("key.pfx"), "1111", "key.pfx"));
    }
    for (bytes, password, name) in files {
        let theirs = p12::PFX::parse(&bytes).expect(name);
        let their_keys = theirs.key_bags(password).expect(name);
        let their_certs = theirs.cert_x509_bags(password).expect(name);
        let ours = pfx::decode(&bytes, password, &PfxLimits::default()).expect(name);
        let our_keys: Vec<Vec<u8>> = ours.keys.iter().map(|k| k.pkcs8_der().to_vec()).collect();
        let our_certs: Vec<Vec<u8>> = ours
            .certificates
            .iter()
            .map(|c| c.certificate.to_der().expect("der"))
            .collect();
        assert_eq!(our_keys, their_keys, "{name}: keys");
        assert_eq!(our_certs, their_certs, "{name}: certificates");
        assert!(!our_keys.is_empty() && !our_certs.is_empty(), "{name}");
    }
}

/// Replaces the first occurrence of `from` by `to` (same length) in `bytes`.
fn patch(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern present");
    bytes[at..at + to.len()].copy_from_slice(to);
    bytes
}

#[test]
fn unsupported_algorithms_are_named() {
    // pbeWithSHAAnd40BitRC2-CBC (…1.12.1.6) patched to pbeWithSHAAnd128BitRC4 (…1.12.1.1) in a
    // file without a MAC.
    let rc2_40 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x06];
    let rc4 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x01];
    let bytes = patch(vector("rc2-40-nomac.p12"), &rc2_40, &rc4);
    match pfx::load(&bytes, "secret") {
        Err(Error::UnsupportedAlgorithm { oid, .. }) => assert_eq!(oid, "1.2.840.113549.1.12.1.1"),
        other => panic!("{other:?}"),
    }
    // AES-256-CBC (2.16.840.1.101.3.4.1.42) patched to an unknown …1.43 under PBES2.
    let aes256 = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a];
    let unknown = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2b];
    let bytes = patch(vector("nomac.p12"), &aes256, &unknown);
    match pfx::load(&bytes, "secret") {
        Err(Error::UnsupportedAlgorithm { oid, .. }) => assert_eq!(oid, "2.16.840.1.101.3.4.1.43"),
        other => panic!("{other:?}"),
    }
    // The MAC digest sha256 patched to sha224 is supported (a mismatch), to an unknown one is not.
    let sha256 = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    let sha_unknown = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x7f];
    let bytes = vector("unencrypted.p12");
    let at = bytes
        .windows(sha256.len())
        .rposition(|w| w == sha256)
        .expect("MAC digest OID");
    let mut patched = bytes.clone();
    patched[at..at + 9].copy_from_slice(&sha_unknown);
    assert!(matches!(
        pfx::load(&patched, "secret"),
        Err(Error::UnsupportedAlgorithm { .. })
    ));
}
