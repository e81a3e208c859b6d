//! The generated test PKI, checked with the OpenSSL command-line tool (an independent implementation).
#![cfg(feature = "sandbox")]

use std::path::{Path, PathBuf};
use std::process::Command;

use der::Encode;
use huifu_cfca::pki::{self, PkiOptions};
use huifu_cfca::{ContentMode, check_value};

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "huifu-cfca-pki-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect(crate::common::OPENSSL_MISSING);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn fast_pki() -> pki::TestPki {
    pki::generate(&PkiOptions::new("6666000000026086", "pw-123456").key_bits(1024)).unwrap()
}

#[test]
fn openssl_accepts_the_chain_and_sees_cfca_names() {
    let pki = fast_pki();
    let dir = temp_dir("chain");
    let written = pki.write_to(&dir).unwrap();
    for name in [
        "root.cer",
        "oca31.cer",
        "huifu.cer",
        "merchant.cer",
        "ca-bundle.pem",
    ] {
        assert!(written.contains(&dir.join(name)), "{name} not written");
    }
    for name in ["root", "oca31", "huifu", "merchant"] {
        let (ok, text) = openssl(
            &dir,
            &[
                "x509",
                "-inform",
                "DER",
                "-in",
                &format!("{name}.cer"),
                "-out",
                &format!("{name}.pem"),
            ],
        );
        assert!(ok, "{text}");
    }
    let (ok, text) = openssl(
        &dir,
        &[
            "verify",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "oca31.pem",
            "huifu.pem",
            "merchant.pem",
        ],
    );
    assert!(ok, "{text}");
    assert!(
        text.contains("huifu.pem: OK") && text.contains("merchant.pem: OK"),
        "{text}"
    );
    // Purpose checks as a relying party would do them.
    let (ok, text) = openssl(
        &dir,
        &[
            "verify",
            "-purpose",
            "smimesign",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "oca31.pem",
            "merchant.pem",
        ],
    );
    assert!(ok, "{text}");
    // A leaf does not verify without the intermediate, nor the intermediate as a trust anchor alone
    // for a foreign root.
    let (ok, _) = openssl(&dir, &["verify", "-CAfile", "root.pem", "merchant.pem"]);
    assert!(!ok);

    let (ok, text) = openssl(
        &dir,
        &[
            "x509",
            "-in",
            "merchant.pem",
            "-noout",
            "-text",
            "-nameopt",
            "RFC2253,show_type",
        ],
    );
    assert!(ok, "{text}");
    assert!(
        text.contains("CN=T61STRING:051@6666000000026086@N111130@1"),
        "{text}"
    );
    assert!(
        text.contains("OU=PRINTABLESTRING:Organizational-1"),
        "{text}"
    );
    assert!(text.contains("OU=PRINTABLESTRING:Local RA"), "{text}");
    assert!(text.contains("O=PRINTABLESTRING:CFCA TEST CA"), "{text}");
    assert!(
        text.contains("Digital Signature, Non Repudiation"),
        "{text}"
    );
    assert!(
        text.contains("TLS Web Client Authentication, E-mail Protection"),
        "{text}"
    );
    assert!(text.contains("CA:FALSE"), "{text}");
    assert!(text.contains("X509v3 Authority Key Identifier"), "{text}");
    assert!(text.contains("X509v3 Subject Key Identifier"), "{text}");
    assert!(text.contains("X509v3 Key Usage: critical"), "{text}");

    let (ok, text) = openssl(
        &dir,
        &[
            "x509",
            "-in",
            "huifu.pem",
            "-noout",
            "-subject",
            "-nameopt",
            "show_type",
        ],
    );
    assert!(ok, "{text}");
    assert!(
        text.contains("T61STRING:051@100001@N3501040009317@1"),
        "{text}"
    );

    let (ok, text) = openssl(&dir, &["x509", "-in", "oca31.pem", "-noout", "-text"]);
    assert!(ok, "{text}");
    assert!(text.contains("CA:TRUE, pathlen:0"), "{text}");
    assert!(text.contains("Certificate Sign, CRL Sign"), "{text}");
    assert!(text.contains("SANDBOX TEST OCA31"), "{text}");
    let (ok, text) = openssl(&dir, &["x509", "-in", "root.pem", "-noout", "-text"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("CA:TRUE") && !text.contains("pathlen"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn openssl_verifies_a_signature_made_with_the_generated_merchant_key() {
    let pki = fast_pki();
    let dir = temp_dir("sig");
    pki.write_to(&dir).unwrap();
    let signer = pki.merchant().signer().unwrap();
    let der = check_value::decode(
        signer
            .sign(b"{\"cmd_id\":\"301\"}", ContentMode::Raw)
            .map(|m| m.check_value())
            .unwrap()
            .as_bytes(),
    )
    .unwrap()
    .0;
    std::fs::write(dir.join("msg.p7"), der).unwrap();
    let (ok, text) = openssl(
        &dir,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "msg.p7",
            "-CAfile",
            "ca-bundle.pem",
            "-purpose",
            "any",
        ],
    );
    assert!(ok, "{text}");
    assert!(text.contains("{\"cmd_id\":\"301\"}"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn extra_leaves_and_key_material() {
    let pki = fast_pki();
    let other = pki.issue_leaf("6666000000099999", "N222", 1024).unwrap();
    let subject = other.certificate().tbs_certificate().subject().to_string();
    assert!(subject.contains("051@6666000000099999@N222@1"), "{subject}");
    assert_eq!(
        other.certificate().tbs_certificate().issuer(),
        pki.oca31().certificate().tbs_certificate().subject()
    );
    assert!(other.certificate().to_der().is_ok());
    let debug = format!("{pki:?}");
    assert!(
        debug.contains("redacted") && !debug.contains("pw-123456"),
        "{debug}"
    );
    assert!(!debug.contains("primes"), "{debug}");
    assert_eq!(pki.ca_certificates().len(), 2);
}

#[test]
fn default_keys_are_2048_bits() {
    use rsa::traits::PublicKeyParts;
    let pki = pki::generate(&PkiOptions::new("6666000000026086", "pw")).unwrap();
    for ck in [pki.root(), pki.oca31(), pki.huifu(), pki.merchant()] {
        assert_eq!(ck.key().size() * 8, 2048);
    }
}

#[test]
fn openssl_reads_both_pfx_forms_and_so_does_the_crate() {
    let pki = fast_pki();
    let dir = temp_dir("pfx");
    let written = pki.write_to(&dir).unwrap();
    for name in ["merchant-cfca.pfx", "merchant-openssl3.pfx", "huifu.pfx"] {
        assert!(written.contains(&dir.join(name)), "{name} not written");
    }
    let pass = "pass:pw-123456";
    // CFCA form: RC2-40 certificates need -legacy in OpenSSL 3.
    for name in ["merchant-cfca.pfx", "huifu.pfx"] {
        let (ok, text) = openssl(
            &dir,
            &[
                "pkcs12",
                "-legacy",
                "-info",
                "-in",
                name,
                "-passin",
                pass,
                "-nodes",
                "-out",
                "/dev/null",
            ],
        );
        assert!(ok, "{name}: {text}");
        assert!(text.contains("MAC: sha1"), "{text}");
        assert!(text.contains("pbeWithSHA1And40BitRC2-CBC"), "{text}");
        assert!(text.contains("pbeWithSHA1And3-KeyTripleDES-CBC"), "{text}");
    }
    let (ok, text) = openssl(
        &dir,
        &[
            "pkcs12",
            "-info",
            "-in",
            "merchant-openssl3.pfx",
            "-passin",
            pass,
            "-nodes",
            "-out",
            "/dev/null",
        ],
    );
    assert!(ok, "{text}");
    assert!(text.contains("MAC: sha256"), "{text}");
    assert!(
        text.contains("PBES2") && text.contains("AES-256-CBC"),
        "{text}"
    );
    // The keys OpenSSL extracts verify against the chain it extracts.
    let (ok, text) = openssl(
        &dir,
        &[
            "pkcs12",
            "-in",
            "merchant-openssl3.pfx",
            "-passin",
            pass,
            "-clcerts",
            "-nokeys",
            "-out",
            "leaf.pem",
        ],
    );
    assert!(ok, "{text}");
    let (ok, text) = openssl(&dir, &["verify", "-CAfile", "ca-bundle.pem", "leaf.pem"]);
    assert!(ok, "{text}");
    // A wrong password is refused.
    let (ok, _) = openssl(
        &dir,
        &[
            "pkcs12",
            "-info",
            "-in",
            "merchant-openssl3.pfx",
            "-passin",
            "pass:wrong",
            "-nodes",
            "-out",
            "/dev/null",
        ],
    );
    assert!(!ok);
    // The crate's own loader gives back a working signer.
    for name in ["merchant-cfca.pfx", "merchant-openssl3.pfx"] {
        let id =
            huifu_cfca::pfx::load(&std::fs::read(dir.join(name)).unwrap(), "pw-123456").unwrap();
        assert_eq!(id.certificate(), pki.merchant().certificate());
        assert_eq!(id.chain().len(), 2);
        let signer =
            huifu_cfca::signer::Signer::new(id.private_key().clone(), id.certificate().clone())
                .unwrap();
        assert!(
            signer
                .sign(b"x", ContentMode::Huifu)
                .map(|m| m.check_value())
                .is_ok()
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_crate_verifies_the_generated_merchant_pinned_to_its_id() {
    use huifu_cfca::chain::TrustStore;
    use huifu_cfca::identity::SignerPin;
    use huifu_cfca::verify::Verifier;
    let pki = fast_pki();
    let mut trust = TrustStore::new();
    trust
        .add_der(&pki.root().certificate_der().unwrap())
        .unwrap();
    let verifier = |id: &str| {
        Verifier::builder()
            .trust(trust.clone())
            .extra_certs(vec![pki.oca31().certificate().clone()])
            .pin(SignerPin::Id(id.into()))
            .build()
            .unwrap()
    };
    let cv = pki
        .merchant()
        .signer()
        .unwrap()
        .sign(b"{}", ContentMode::Huifu)
        .map(|m| m.check_value())
        .unwrap();
    let msg = verifier("6666000000026086").verify(cv.as_bytes()).unwrap();
    assert_eq!(msg.text().as_deref(), Some("{}"));
    assert_eq!(msg.chain.len(), 3);
    assert!(verifier("100001").verify(cv.as_bytes()).is_err());
    let cv = pki
        .huifu()
        .signer()
        .unwrap()
        .sign(b"{}", ContentMode::Huifu)
        .map(|m| m.check_value())
        .unwrap();
    assert!(verifier("100001").verify(cv.as_bytes()).is_ok());
}

/// Issue 18 item 4: every loader takes PEM or DER, whichever the file holds, and a file it
/// cannot read or decode is `Error::File`, naming it.
#[test]
fn loaders_take_pem_or_der_and_name_the_file_they_could_not_read() {
    use huifu_cfca::Error;
    use huifu_cfca::chain::TrustStore;
    use huifu_cfca::signer::Signer;
    use huifu_cfca::verify::Verifier;
    use huifu_cfca::x509::certificates_from_files;

    let pki = fast_pki();
    let dir = temp_dir("loaders");
    pki.write_to(&dir).unwrap();
    // DER (.cer, as pki generate writes them) and PEM (the bundle), alike.
    assert_eq!(
        TrustStore::from_files([dir.join("root.cer")])
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        TrustStore::from_files([dir.join("ca-bundle.pem")])
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        certificates_from_files([dir.join("oca31.cer")])
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        certificates_from_files([dir.join("ca-bundle.pem")])
            .unwrap()
            .len(),
        2
    );
    // A signer from a PKCS#8 PEM key and a DER certificate; the same key in DER.
    let signer = Signer::from_files(dir.join("merchant.key"), dir.join("merchant.cer")).unwrap();
    let der_key = dir.join("merchant.key.der");
    let (ok, out) = openssl(
        &dir,
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "merchant.key",
            "-outform",
            "DER",
            "-out",
            "merchant.key.der",
        ],
    );
    assert!(ok, "{out}");
    let again = Signer::from_files(&der_key, dir.join("merchant.cer")).unwrap();
    assert_eq!(
        signer.sign(b"x", ContentMode::Raw).unwrap(),
        again.sign(b"x", ContentMode::Raw).unwrap()
    );
    // What the signer signs, a verifier built from the files verifies (extra certs from a file).
    let verifier = Verifier::builder()
        .trust(TrustStore::from_files([dir.join("root.cer")]).unwrap())
        .extra_certs(certificates_from_files([dir.join("oca31.cer")]).unwrap())
        .pin(huifu_cfca::identity::SignerPin::Id(
            pki.options().merchant_id.clone(),
        ))
        .build()
        .unwrap();
    let message = signer.sign(b"{}", ContentMode::Huifu).unwrap();
    verifier.verify(message.check_value().as_bytes()).unwrap();

    // Failures name the file.
    std::fs::write(dir.join("garbage.cer"), b"not a certificate").unwrap();
    let missing = dir.join("missing.cer");
    let names = |e: Error, file: &str| match e {
        Error::File { path, .. } => assert!(path.ends_with(file), "{path}"),
        other => panic!("{file}: {other:?}"),
    };
    names(
        TrustStore::from_files([&missing]).unwrap_err(),
        "missing.cer",
    );
    names(
        TrustStore::from_files([dir.join("garbage.cer")]).unwrap_err(),
        "garbage.cer",
    );
    names(
        certificates_from_files([dir.join("garbage.cer")]).unwrap_err(),
        "garbage.cer",
    );
    names(
        Signer::from_files(dir.join("garbage.cer"), dir.join("merchant.cer")).unwrap_err(),
        "garbage.cer",
    );
    names(
        Signer::from_files(dir.join("merchant.key"), &missing).unwrap_err(),
        "missing.cer",
    );
    // The certificate of another key.
    names(
        Signer::from_files(dir.join("merchant.key"), dir.join("root.cer")).unwrap_err(),
        "root.cer",
    );
    let shown = TrustStore::from_files([&missing]).unwrap_err().to_string();
    assert!(shown.contains("missing.cer"), "{shown}");
    std::fs::remove_dir_all(&dir).ok();
}
