//! RFC 5280 rules on the certificates of a message (verifier hardening): extended key usage,
//! duplicate extensions, a CA certificate as the signer, certificates that are not DER.
//!
//! Certificates are made here with the OpenSSL CLI (issued by `vectors/chain/oca`), or, where
//! OpenSSL will not make them (it merges a repeated extension), assembled by hand from an OpenSSL
//! certificate and signed with `openssl dgst -sign`. Messages are signed with `openssl smime`.

use crate::common;

use std::path::{Path, PathBuf};

use common::{openssl, openssl_ok as run, read, smime_sign, temp_dir, vector};
use huifu_cfca::chain::{ParsedCertificate, TrustStore, VerifyTime};
use huifu_cfca::verify::Verifier;
use huifu_cfca::{Bound, ChainError, Error};

/// 2030-01-01: inside every vector certificate's validity.
const T2030: u64 = 1_893_456_000;

fn root_only() -> Verifier {
    let mut trust = TrustStore::new();
    trust.add_der(&read(&vector("chain/root.cer"))).unwrap();
    Verifier::builder()
        .trust(trust)
        .time(VerifyTime::at_unix(T2030))
        .build()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A leaf for `051@100001@<tag>@1` issued by the vector OCA with the extensions in `ext`
/// (an OpenSSL extension section); returns (cert.pem, key.pem).
fn leaf(dir: &Path, tag: &str, ext: &str) -> (PathBuf, PathBuf) {
    let key = dir.join(format!("{tag}.key"));
    let csr = dir.join(format!("{tag}.csr"));
    let cert = dir.join(format!("{tag}.pem"));
    let extfile = dir.join(format!("{tag}.ext"));
    std::fs::write(&extfile, format!("[e]\n{ext}\n")).unwrap();
    let subj = format!("/C=CN/O=CFCA TEST CA/CN=051@100001@{tag}@1");
    run(&[
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        s(&key),
        "-subj",
        &subj,
        "-out",
        s(&csr),
    ]);
    let (ca, ca_key) = (vector("chain/oca.pem"), vector("chain/oca.key"));
    run(&[
        "x509",
        "-req",
        "-in",
        s(&csr),
        "-CA",
        s(&ca),
        "-CAkey",
        s(&ca_key),
        "-set_serial",
        "4242",
        "-days",
        "7300",
        "-sha256",
        "-extfile",
        s(&extfile),
        "-extensions",
        "e",
        "-out",
        s(&cert),
    ]);
    (cert, key)
}

/// A DER message over `content` signed by `cert`/`key` the way Huifu signs (no attributes),
/// carrying `extra` certificates (PEM files) too.
fn sign(dir: &Path, cert: &Path, key: &Path, extra: &[&Path]) -> Vec<u8> {
    sign_content(dir, br#"{"resp_code":"209000"}"#, cert, key, extra)
}

/// [`sign`] with the content given.
fn sign_content(dir: &Path, content: &[u8], cert: &Path, key: &Path, extra: &[&Path]) -> Vec<u8> {
    let input = dir.join("content.json");
    std::fs::write(&input, content).unwrap();
    let out = dir.join("msg.p7");
    let bundle = dir.join("extra.pem");
    let mut pem = Vec::new();
    for p in extra {
        pem.extend(read(p));
    }
    std::fs::write(&bundle, pem).unwrap();
    let certfile = (!extra.is_empty()).then_some(bundle.as_path());
    smime_sign(&input, cert, key, certfile, &out);
    read(&out)
}

fn pem_of_der(dir: &Path, name: &str, der: &[u8]) -> PathBuf {
    let der_path = dir.join(format!("{name}.der"));
    let pem_path = dir.join(format!("{name}.pem"));
    std::fs::write(&der_path, der).unwrap();
    run(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        s(&der_path),
        "-out",
        s(&pem_path),
    ]);
    pem_path
}

// ---- a minimal DER toolkit (definite lengths only) ------------------------------------------

/// (tag, content, whole) of the element at the start of `b`.
fn tlv(b: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = b[0];
    let (len, hdr) = if b[1] < 0x80 {
        (b[1] as usize, 2)
    } else {
        let n = (b[1] & 0x7f) as usize;
        (
            b[2..2 + n]
                .iter()
                .fold(0usize, |a, x| (a << 8) | *x as usize),
            2 + n,
        )
    };
    (tag, &b[hdr..hdr + len], &b[..hdr + len])
}

fn children(mut b: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let (_, _, whole) = tlv(b);
        out.push(whole);
        b = &b[whole.len()..];
    }
    out
}

fn enc(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// `cert` (DER) with its extension list replaced by `extensions` (whole Extension DERs), re-signed
/// by `issuer_key` with sha256WithRSA.
fn with_extensions(dir: &Path, cert: &[u8], extensions: &[Vec<u8>], issuer_key: &Path) -> Vec<u8> {
    let (_, body, _) = tlv(cert);
    let parts = children(body);
    let (_, tbs_body, _) = tlv(parts[0]);
    let mut tbs = Vec::new();
    for field in children(tbs_body) {
        if field[0] == 0xa3 {
            let list: Vec<u8> = extensions.concat();
            tbs.extend(enc(0xa3, &enc(0x30, &list)));
        } else {
            tbs.extend_from_slice(field);
        }
    }
    let tbs = enc(0x30, &tbs);
    let tbs_path = dir.join("tbs.der");
    let sig_path = dir.join("tbs.sig");
    std::fs::write(&tbs_path, &tbs).unwrap();
    run(&[
        "dgst",
        "-sha256",
        "-sign",
        s(issuer_key),
        "-out",
        s(&sig_path),
        s(&tbs_path),
    ]);
    let mut bits = vec![0u8];
    bits.extend(read(&sig_path));
    let mut body = tbs;
    body.extend_from_slice(parts[1]);
    body.extend(enc(0x03, &bits));
    enc(0x30, &body)
}

/// The Extension DERs of a certificate.
fn extensions_of(cert: &[u8]) -> Vec<Vec<u8>> {
    let (_, body, _) = tlv(cert);
    let (_, tbs_body, _) = tlv(children(body)[0]);
    let field = children(tbs_body)
        .into_iter()
        .find(|f| f[0] == 0xa3)
        .unwrap();
    let (_, inner, _) = tlv(field);
    let (_, list, _) = tlv(inner);
    children(list).into_iter().map(<[u8]>::to_vec).collect()
}

/// An extension with `oid` (content octets of the OID), critical, holding `value`.
fn ext(oid: &[u8], value: &[u8]) -> Vec<u8> {
    let mut body = enc(0x06, oid);
    body.extend([0x01, 0x01, 0xff]);
    body.extend(enc(0x04, value));
    enc(0x30, &body)
}

/// `cert` with its `oid` extension replaced by two of them holding `values`, re-signed.
fn twice(dir: &Path, cert: &[u8], oid: &[u8], values: [&[u8]; 2], issuer_key: &Path) -> Vec<u8> {
    let mut exts: Vec<Vec<u8>> = extensions_of(cert)
        .into_iter()
        .filter(|e| !e.windows(oid.len()).any(|w| w == oid))
        .collect();
    exts.extend(values.map(|v| ext(oid, v)));
    with_extensions(dir, cert, &exts, issuer_key)
}

const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];

fn pem_to_der(dir: &Path, pem: &Path) -> Vec<u8> {
    let out = dir.join("cert.der");
    run(&["x509", "-in", s(pem), "-outform", "DER", "-out", s(&out)]);
    read(&out)
}

// ---- extended key usage (RFC 5280 §4.2.1.12) -------------------------------------------------

#[test]
fn a_signer_whose_eku_excludes_message_signing_is_refused() {
    let dir = temp_dir("eku");
    let base =
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation";
    for (tag, eku) in [("SERVERAUTH", "serverAuth"), ("CODESIGNING", "codeSigning")] {
        let (cert, key) = leaf(&dir, tag, &format!("{base}\nextendedKeyUsage={eku}"));
        let msg = sign(&dir, &cert, &key, &[&vector("chain/oca.pem")]);
        match root_only().verify(&msg) {
            Err(Error::Chain(ChainError::ExtendedKeyUsage { subject })) => {
                assert!(subject.contains(tag), "{subject}")
            }
            other => panic!("{tag}: expected ExtendedKeyUsage, got {other:?}"),
        }
        // The interop peer agrees: OpenSSL refuses the purpose too.
        let msg_path = dir.join("msg.p7");
        let chain = vector("chain/ca-bundle.pem");
        let out = openssl(&[
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-in",
            s(&msg_path),
            "-CAfile",
            s(&chain),
            "-attime",
            "1893456000",
            "-out",
            "/dev/null",
        ]);
        assert!(!out.status.success(), "{tag}: openssl accepted it");
    }
    // clientAuth + emailProtection (the real Huifu certificate's EKU) and anyExtendedKeyUsage pass.
    for (tag, eku) in [
        ("HUIFULIKE", "clientAuth,emailProtection"),
        ("ANYEKU", "anyExtendedKeyUsage"),
    ] {
        let (cert, key) = leaf(&dir, tag, &format!("{base}\nextendedKeyUsage={eku}"));
        let msg = sign(&dir, &cert, &key, &[&vector("chain/oca.pem")]);
        let verified = root_only().verify(&msg);
        assert!(verified.is_ok(), "{tag}: {verified:?}");
    }
}

// ---- a CA certificate as the signer ----------------------------------------------------------

#[test]
fn a_ca_certificate_that_signs_the_message_is_refused() {
    let dir = temp_dir("ca-signer");
    let (cert, key) = leaf(
        &dir,
        "CASIGNER",
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyCertSign",
    );
    let msg = sign(&dir, &cert, &key, &[&vector("chain/oca.pem")]);
    match root_only().verify(&msg) {
        Err(Error::Chain(ChainError::CaUsedAsEndEntity { subject })) => {
            assert!(subject.contains("CASIGNER"))
        }
        other => panic!("expected CaUsedAsEndEntity, got {other:?}"),
    }
    // The OCA itself signing a message (it is in the trust path, and a CA).
    let msg = sign(
        &dir,
        &vector("chain/oca.pem"),
        &vector("chain/oca.key"),
        &[],
    );
    assert!(matches!(
        root_only().verify(&msg),
        Err(Error::Chain(ChainError::CaUsedAsEndEntity { .. }))
    ));
}

// ---- duplicate extensions (RFC 5280 §4.2) ----------------------------------------------------

#[test]
fn a_leaf_with_two_key_usage_extensions_is_refused() {
    let dir = temp_dir("dup-ku");
    let (cert_pem, key) = leaf(
        &dir,
        "DUPKU",
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature",
    );
    let der = pem_to_der(&dir, &cert_pem);
    // keyUsage=keyCertSign, then keyUsage=digitalSignature: the last would win if read in order.
    let values: [&[u8]; 2] = [&[0x03, 0x02, 0x02, 0x04], &[0x03, 0x02, 0x07, 0x80]];
    let dup = twice(&dir, &der, KEY_USAGE, values, &vector("chain/oca.key"));
    match ParsedCertificate::from_der(&dup) {
        Err(Error::DuplicateExtension { oid, .. }) => assert_eq!(oid, "2.5.29.15"),
        other => panic!("expected DuplicateExtension, got {other:?}"),
    }
    let dup_pem = pem_of_der(&dir, "dupku", &dup);
    let msg = sign(&dir, &dup_pem, &key, &[&vector("chain/oca.pem")]);
    assert!(matches!(
        root_only().verify(&msg),
        Err(Error::DuplicateExtension { .. })
    ));
}

#[test]
fn an_intermediate_with_two_basic_constraints_is_refused() {
    let dir = temp_dir("dup-bc");
    let oca = read(&vector("chain/oca.cer"));
    // cA=FALSE, then cA=TRUE.
    let values: [&[u8]; 2] = [&[0x30, 0x00], &[0x30, 0x03, 0x01, 0x01, 0xff]];
    let dup = twice(
        &dir,
        &oca,
        BASIC_CONSTRAINTS,
        values,
        &vector("chain/root.key"),
    );
    assert!(matches!(
        ParsedCertificate::from_der(&dup),
        Err(Error::DuplicateExtension { .. })
    ));
    // The OCA's own leaf chains to this re-signed OCA (same name and key).
    let dup_pem = pem_of_der(&dir, "dupoca", &dup);
    let msg = sign(
        &dir,
        &vector("chain/huifu.pem"),
        &vector("chain/huifu.key"),
        &[&dup_pem],
    );
    assert!(matches!(
        root_only().verify(&msg),
        Err(Error::DuplicateExtension { .. })
    ));
}

// ---- certificates must be DER -----------------------------------------------------------------

#[test]
fn a_ber_encoded_certificate_is_refused() {
    let der = read(&vector("chain/huifu.cer"));
    assert!(ParsedCertificate::from_der(&der).is_ok());
    // The same certificate with an indefinite outer length.
    let (_, body, _) = tlv(&der);
    let mut ber = vec![0x30, 0x80];
    ber.extend_from_slice(body);
    ber.extend([0, 0]);
    assert!(matches!(
        ParsedCertificate::from_der(&ber),
        Err(Error::CertificateNotDer)
    ));
    // A non-minimal length on the TBSCertificate.
    let parts = children(body);
    let (_, tbs_body, _) = tlv(parts[0]);
    let mut tbs = vec![0x30, 0x84];
    tbs.extend((tbs_body.len() as u32).to_be_bytes());
    tbs.extend_from_slice(tbs_body);
    let mut inner = tbs;
    inner.extend_from_slice(parts[1]);
    inner.extend_from_slice(parts[2]);
    assert!(matches!(
        ParsedCertificate::from_der(&enc(0x30, &inner)),
        Err(Error::CertificateNotDer)
    ));
    // And in a trust store.
    let mut store = TrustStore::new();
    assert!(matches!(store.add_der(&ber), Err(Error::CertificateNotDer)));
}

// ---- output that cannot lie --------------------------------------------------------------------

#[test]
fn control_characters_from_a_message_never_reach_the_output() {
    let dir = temp_dir("escape");
    // A CN and content that try to print a forged "verified OK" line.
    let forged = "\u{1b}[32mverified OK, signer 100001\u{1b}[0m\nerror: none";
    let key = dir.join("esc.key");
    let csr = dir.join("esc.csr");
    let cert = dir.join("esc.pem");
    let ext = dir.join("esc.ext");
    std::fs::write(
        &ext,
        "[e]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n",
    )
    .unwrap();
    let subj = format!("/C=CN/CN=051@100001@N1{forged}@1");
    run(&[
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-utf8",
        "-keyout",
        s(&key),
        "-subj",
        &subj,
        "-out",
        s(&csr),
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        s(&csr),
        "-CA",
        s(&vector("chain/oca.pem")),
        "-CAkey",
        s(&vector("chain/oca.key")),
        "-set_serial",
        "4343",
        "-days",
        "7300",
        "-sha256",
        "-extfile",
        s(&ext),
        "-extensions",
        "e",
        "-out",
        s(&cert),
    ]);
    let content = format!("{{\"resp_desc\":\"{forged}\"}}");
    let msg = sign_content(
        &dir,
        content.as_bytes(),
        &cert,
        &key,
        &[&vector("chain/oca.pem")],
    );
    let clean = |t: &str| !t.chars().any(char::is_control);
    // The pin refuses it (a CN with a control character is no CFCA CN), and says so cleanly.
    let err = root_only().verify(&msg).unwrap_err();
    assert!(matches!(err, Error::IdentityMismatch { .. }), "{err:?}");
    assert!(clean(&err.to_string()), "{err}");
    // Nothing that inspect reports carries a control character either.
    let i = huifu_cfca::verify::inspect(&msg).unwrap();
    let preview = i.content_preview.clone().unwrap();
    assert!(clean(&preview) && preview.contains("\\u{1b}"), "{preview}");
    for subject in &i.certificate_subjects {
        assert!(clean(subject), "{subject}");
    }
    let signer = i.signers[0].certificate.as_ref().unwrap();
    assert!(clean(&signer.subject), "{}", signer.subject);
    assert!(clean(signer.common_name.as_deref().unwrap()));
}

// ---- memory: bounded before decoding ------------------------------------------------------------

/// `cert` with its subject replaced by a Name of `rdns` RDNs (`CN=x` each); unsigned (the
/// bounds apply before any signature is looked at).
fn with_subject_rdns(cert: &[u8], rdns: usize) -> Vec<u8> {
    let (_, body, _) = tlv(cert);
    let parts = children(body);
    let (_, tbs_body, _) = tlv(parts[0]);
    let fields = children(tbs_body);
    // [0] version, serial, signature, issuer, validity, subject, ...
    let subject_index = if fields[0][0] == 0xa0 { 5 } else { 4 };
    let rdn = enc(
        0x31,
        &enc(0x30, &[0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, b'x']),
    );
    let name = enc(0x30, &rdn.repeat(rdns));
    let mut tbs = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if i == subject_index {
            tbs.extend_from_slice(&name);
        } else {
            tbs.extend_from_slice(f);
        }
    }
    let mut body = enc(0x30, &tbs);
    body.extend_from_slice(parts[1]);
    body.extend_from_slice(parts[2]);
    enc(0x30, &body)
}

#[test]
fn huge_names_and_certificates_are_refused_before_decoding() {
    let der = read(&vector("chain/huifu.cer"));
    // 100 RDNs fit in 64 KiB, but not in the name bound.
    match ParsedCertificate::from_der(&with_subject_rdns(&der, 100)) {
        Err(Error::LimitExceeded {
            limit,
            value,
            bound,
        }) => {
            assert_eq!(limit, "attributes in a certificate name");
            assert_eq!((value, bound), (65, Bound::Max(64)));
        }
        other => panic!("expected LimitExceeded, got {other:?}"),
    }
    // 10 RDNs decode (the signature is not what is tested here).
    assert!(ParsedCertificate::from_der(&with_subject_rdns(&der, 10)).is_ok());
    // The 1.55-million-RDN certificate of the review (15.5 MB): refused by its size at once.
    let huge = with_subject_rdns(&der, 1_550_000);
    assert!(huge.len() > 15_000_000);
    match ParsedCertificate::from_der(&huge) {
        Err(Error::LimitExceeded { limit, .. }) => assert_eq!(limit, "certificate bytes"),
        other => panic!("expected LimitExceeded, got {other:?}"),
    }
}

// ---- one rule chooses the signer --------------------------------------------------------------

/// `inspect` and `verify` name the same signer certificate: both use one function (RFC 5280 name
/// comparison). Here the SignerInfo names the issuer with a different case than the
/// certificate's bytes (the signature, without signed attributes, does not cover the SignerInfo's
/// issuer): an exact-bytes `inspect` used to find no certificate while `verify` found one.
#[test]
fn inspect_and_verify_choose_the_same_signer_certificate() {
    let original = read(&vector("p7/huifu-noattr.p7b"));
    let name = b"VECTORS ACS TEST OCA31";
    let first = original
        .windows(name.len())
        .position(|w| w == name)
        .unwrap();
    let second = first
        + 1
        + original[first + 1..]
            .windows(name.len())
            .position(|w| w == name)
            .unwrap();
    let mut msg = original.clone();
    // "VECTORS ACS TEST OCA31" -> "vectors ACS TEST OCA31" in the SignerInfo only.
    msg[second..second + 7].copy_from_slice(b"vectors");
    // (This message carries no OCA: the chain is not what is tested here.)
    let verifier = Verifier::builder().no_chain().build().unwrap();
    let verified = verifier
        .verify(&msg)
        .expect("RFC 5280 comparison finds the signer");
    let inspected = huifu_cfca::verify::inspect(&msg).unwrap();
    let chosen = inspected.signers[0]
        .certificate
        .as_ref()
        .expect("inspect finds the same certificate");
    assert_eq!(chosen.serial, verified.signer.serial);
    assert_eq!(chosen.subject, verified.signer.subject);
}

/// An OpenSSL certificate for `subj` with `key` (made if missing), issued by `ca`/`ca_key` with
/// the extensions in `ext`; returns its DER.
fn issue(
    dir: &Path,
    tag: &str,
    subj: &str,
    key: &Path,
    ca: &Path,
    ca_key: &Path,
    ext: &str,
) -> Vec<u8> {
    if !key.exists() {
        run(&["genrsa", "-out", s(key), "2048"]);
    }
    let csr = dir.join(format!("{tag}.csr"));
    let cert = dir.join(format!("{tag}.pem"));
    let der = dir.join(format!("{tag}.der"));
    let extfile = dir.join(format!("{tag}.ext"));
    std::fs::write(&extfile, format!("[e]\n{ext}\n")).unwrap();
    run(&[
        "req",
        "-new",
        "-key",
        s(key),
        "-subj",
        subj,
        "-out",
        s(&csr),
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        s(&csr),
        "-CA",
        s(ca),
        "-CAkey",
        s(ca_key),
        "-set_serial",
        "77",
        "-days",
        "7300",
        "-sha256",
        "-extfile",
        s(&extfile),
        "-extensions",
        "e",
        "-out",
        s(&cert),
    ]);
    run(&["x509", "-in", s(&cert), "-outform", "DER", "-out", s(&der)]);
    read(&der)
}

/// The path search reports the most specific failure by rank, not the first one met: of two
/// candidate issuers with the same name and key, one lacks keyCertSign (a key usage fault) and
/// the other's extendedKeyUsage does not allow message signing (more specific); in either order
/// the answer is the extended key usage.
#[test]
fn the_most_specific_chain_failure_is_reported_in_any_order() {
    use huifu_cfca::chain::{self, ParsedCertificate};
    let dir = temp_dir("rank");
    let (root, root_key) = (vector("chain/root.pem"), vector("chain/root.key"));
    let ca_key = dir.join("rankca.key");
    let subj = "/C=CN/O=CFCA TEST CA/CN=RANK CA";
    let no_cert_sign = issue(
        &dir,
        "noku",
        subj,
        &ca_key,
        &root,
        &root_key,
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash",
    );
    let server_only = issue(
        &dir,
        "servereku",
        subj,
        &ca_key,
        &root,
        &root_key,
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash",
    );
    let ca_pem = dir.join("servereku.pem");
    let leaf = issue(
        &dir,
        "rankleaf",
        "/C=CN/O=CFCA TEST CA/CN=051@100001@RANK@1",
        &dir.join("rankleaf.key"),
        &ca_pem,
        &ca_key,
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature",
    );
    let parse = |der: &[u8]| ParsedCertificate::from_der(der).unwrap();
    let mut trust = TrustStore::new();
    trust.add_der(&read(&vector("chain/root.cer"))).unwrap();
    let (a, b) = (parse(&no_cert_sign), parse(&server_only));
    for order in [[a.clone(), b.clone()], [b, a]] {
        let r = chain::verify_chain(
            &parse(&leaf),
            &order,
            &trust,
            &chain::ChainOptions::default()
                .time(VerifyTime::at_unix(T2030))
                .allow_sha1(false),
        );
        match r {
            Err(Error::Chain(ChainError::ExtendedKeyUsage { subject })) => {
                assert!(subject.contains("RANK CA"), "{subject}")
            }
            other => panic!("expected ExtendedKeyUsage, got {other:?}"),
        }
    }
    // Each alone gives its own fault.
    let alone = |c: &ParsedCertificate| {
        chain::verify_chain(
            &parse(&leaf),
            std::slice::from_ref(c),
            &trust,
            &chain::ChainOptions::default()
                .time(VerifyTime::at_unix(T2030))
                .allow_sha1(false),
        )
    };
    assert!(matches!(
        alone(&parse(&no_cert_sign)),
        Err(Error::Chain(ChainError::KeyUsage {
            needed: "keyCertSign",
            ..
        }))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}
