//! PKCS#12 encoding: round trips through our decoder, and OpenSSL (the CLI) and `p12` accept the
//! files.

use std::process::Command;

use der::{Decode, Encode};
use huifu_cfca::Error;
use huifu_cfca::pfx::{self, PfxForm, PfxLimits};
use x509_cert::Certificate;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors");

fn chain_file(name: &str) -> Vec<u8> {
    let path = format!("{DIR}/chain/{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn cert(name: &str) -> Certificate {
    Certificate::from_der(&chain_file(name)).expect(name)
}

/// The merchant identity, read from the OpenSSL-made CFCA-form vector.
fn merchant() -> pfx::PfxIdentity {
    let path = format!("{DIR}/pfx/cfca.p12");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    pfx::load(&bytes, "888888").expect("cfca.p12")
}

const FORMS: [PfxForm; 2] = [PfxForm::Cfca, PfxForm::OpenSsl3];

#[test]
fn round_trip() {
    let id = merchant();
    let chain = [cert("oca.cer"), cert("root.cer")];
    for form in FORMS {
        for password in ["secret", "", "密码"] {
            let der = pfx::encode(
                id.private_key(),
                id.certificate(),
                &chain,
                password,
                form,
                Some("AS0381 merchant"),
            )
            .expect("encode");
            let back = pfx::load(&der, password).expect("decode our own file");
            assert_eq!(back.private_key(), id.private_key(), "{form:?}");
            assert_eq!(
                back.certificate().to_der().expect("der"),
                chain_file("merchant.cer")
            );
            let back_chain: Vec<Vec<u8>> = back
                .chain()
                .iter()
                .map(|c| c.to_der().expect("der"))
                .collect();
            assert_eq!(
                back_chain,
                vec![chain_file("oca.cer"), chain_file("root.cer")]
            );
            let info = back.info();
            let mac = info.mac.as_ref().expect("mac");
            match form {
                PfxForm::Cfca => {
                    assert_eq!(info.key_encryption, ["pbeWithSHAAnd3-KeyTripleDES-CBC"]);
                    assert_eq!(info.cert_encryption, ["pbeWithSHAAnd40BitRC2-CBC"]);
                    assert_eq!(
                        (mac.algorithm.as_str(), mac.iterations),
                        ("HMAC-SHA1", 2000)
                    );
                }
                PfxForm::OpenSsl3 => {
                    let pbes2 = "PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)";
                    assert_eq!(info.key_encryption, [pbes2]);
                    assert_eq!(info.cert_encryption, [pbes2]);
                    assert_eq!(
                        (mac.algorithm.as_str(), mac.iterations),
                        ("HMAC-SHA256", 2048)
                    );
                }
            }
            let contents = pfx::decode(&der, password, &PfxLimits::default()).expect("decode");
            let key = &contents.keys[0];
            let leaf = &contents.certificates[0];
            assert_eq!(key.friendly_name.as_deref(), Some("AS0381 merchant"));
            assert_eq!(leaf.friendly_name.as_deref(), Some("AS0381 merchant"));
            assert!(key.local_key_id.as_ref().is_some_and(|k| k.len() == 20));
            assert_eq!(key.local_key_id, leaf.local_key_id);
            assert!(matches!(
                pfx::load(&der, "wrong"),
                Err(Error::WrongPassword("MAC mismatch"))
            ));
        }
    }
}

#[test]
fn no_friendly_name_and_no_chain() {
    let id = merchant();
    for form in FORMS {
        let der =
            pfx::encode(id.private_key(), id.certificate(), &[], "pw", form, None).expect("encode");
        let contents = pfx::decode(&der, "pw", &PfxLimits::default()).expect("decode");
        assert_eq!(contents.certificates.len(), 1);
        assert_eq!(contents.keys[0].friendly_name, None);
        assert!(contents.keys[0].local_key_id.is_some());
    }
}

#[test]
fn refuses_a_certificate_of_another_key() {
    let id = merchant();
    let other = cert("other.cer");
    assert!(matches!(
        pfx::encode(id.private_key(), &other, &[], "pw", PfxForm::Cfca, None),
        Err(Error::NoMatchingCertificate)
    ));
}

/// `openssl pkcs12 -info` reads both forms (the CFCA form needs `-legacy` for RC2) and finds the
/// same key.
#[test]
fn openssl_accepts_both_forms() {
    let id = merchant();
    let chain = [cert("oca.cer")];
    let dir = std::env::temp_dir().join(format!("huifu-cfca-pfx-encode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (form, legacy) in [(PfxForm::Cfca, true), (PfxForm::OpenSsl3, false)] {
        for password in ["secret", "密码"] {
            let der = pfx::encode(
                id.private_key(),
                id.certificate(),
                &chain,
                password,
                form,
                Some("merchant"),
            )
            .expect("encode");
            let path = dir.join(format!("{form:?}.p12"));
            std::fs::write(&path, &der).expect("write");
            let mut info = Command::new("openssl");
            info.args(["pkcs12", "-info", "-noout", "-passin"])
                .arg(format!("pass:{password}"))
                .arg("-in")
                .arg(&path);
            if legacy {
                info.arg("-legacy");
            }
            let out = info.output().expect(crate::common::OPENSSL_MISSING);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{form:?}/{password}: {stderr}");
            assert!(!stderr.contains("error"), "{form:?}: {stderr}");
            match form {
                PfxForm::Cfca => {
                    assert!(stderr.contains("MAC: sha1, Iteration 2000"), "{stderr}");
                    assert!(stderr.contains("pbeWithSHA1And40BitRC2-CBC"), "{stderr}");
                    assert!(
                        stderr.contains("pbeWithSHA1And3-KeyTripleDES-CBC"),
                        "{stderr}"
                    );
                }
                PfxForm::OpenSsl3 => {
                    assert!(stderr.contains("MAC: sha256, Iteration 2048"), "{stderr}");
                    assert!(stderr.contains("PBES2, PBKDF2, AES-256-CBC"), "{stderr}");
                }
            }
            // The key OpenSSL decrypts is ours.
            let mut export = Command::new("openssl");
            export
                .args(["pkcs12", "-nocerts", "-nodes", "-passin"])
                .arg(format!("pass:{password}"))
                .arg("-in")
                .arg(&path);
            if legacy {
                export.arg("-legacy");
            }
            let out = export.output().expect(crate::common::OPENSSL_MISSING);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let pem = String::from_utf8_lossy(&out.stdout);
            let start = pem.find("-----BEGIN PRIVATE KEY-----").expect("PEM key");
            use rsa::pkcs8::DecodePrivateKey;
            let key = rsa::PrivateKey::from_pkcs8_pem(&pem[start..]).expect("key");
            assert_eq!(&key, id.private_key());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `p12` 0.6.3 reads the CFCA form (SHA-1 MAC) to the same key and certificates.
#[test]
fn p12_reads_the_cfca_form() {
    let id = merchant();
    let der = pfx::encode(
        id.private_key(),
        id.certificate(),
        &[cert("oca.cer")],
        "888888",
        PfxForm::Cfca,
        None,
    )
    .expect("encode");
    let theirs = p12::PFX::parse(&der).expect("p12 parse");
    assert!(theirs.verify_mac("888888"));
    let keys = theirs.key_bags("888888").expect("keys");
    let certs = theirs.cert_x509_bags("888888").expect("certs");
    let ours = pfx::decode(&der, "888888", &PfxLimits::default()).expect("decode");
    assert_eq!(keys, vec![ours.keys[0].pkcs8_der().to_vec()]);
    assert_eq!(
        certs,
        vec![chain_file("merchant.cer"), chain_file("oca.cer")]
    );
}
