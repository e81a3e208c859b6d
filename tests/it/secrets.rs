//! Secrets stay secret: `{:?}` of every type that holds a private key or a password prints none
//! of it, and the key types wipe themselves on drop.

use crate::common;

use huifu_cfca::chain::{TrustStore, VerifyTime};
use huifu_cfca::identity::SignerPin;
use huifu_cfca::pfx::{self, PfxLimits};
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::{Verifier, VerifyLimits};
use rsa::traits::PrivateKeyParts as _;
use zeroize::ZeroizeOnDrop;

use common::{read, vector};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Text fragments that would betray `key`: its private exponent and primes in lower- and
/// upper-case hex, as the big integer type prints them, and as decimal byte lists.
fn key_fragments(key: &rsa::PrivateKey) -> Vec<String> {
    let mut secrets: Vec<Vec<u8>> = vec![key.d().to_be_bytes().to_vec()];
    let mut printed = vec![format!("{}", key.d()), format!("{:x}", key.d())];
    for p in key.primes() {
        secrets.push(p.to_be_bytes().to_vec());
        printed.push(format!("{}", p.as_ref()));
        printed.push(format!("{:x}", p.as_ref()));
    }
    let mut out = Vec::new();
    for s in secrets {
        let s: Vec<u8> = s.into_iter().skip_while(|b| *b == 0).collect();
        // 8 bytes from the middle are as good as the whole number for a substring test.
        let mid = &s[s.len() / 2..s.len() / 2 + 8];
        out.push(hex(mid));
        out.push(hex(mid).to_uppercase());
        out.push(
            mid.iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    for p in printed {
        let p = p.trim_start_matches("0x").to_lowercase();
        if p.len() > 32 {
            out.push(p[p.len() / 2..p.len() / 2 + 16].to_string());
        }
    }
    out
}

#[track_caller]
fn assert_clean(what: &str, debug: &str, fragments: &[String]) {
    let lower = debug.to_lowercase();
    for f in fragments {
        assert!(
            !lower.contains(&f.to_lowercase()),
            "{what} Debug leaks {f:?}: {debug}"
        );
    }
}

#[test]
fn signer_debug_prints_no_key() {
    let signer = common::chain_signer("merchant");
    let pem = String::from_utf8(read(&vector("chain/merchant.key"))).expect("PEM");
    let key = <rsa::PrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&pem).expect("key");
    let fragments = key_fragments(&key);
    // The fragments do find a printed key.
    let printed = format!(
        "{} {:?}",
        hex(&key.d().to_be_bytes()),
        key.d().to_be_bytes()
    );
    assert!(
        fragments
            .iter()
            .filter(|f| printed.contains(f.as_str()))
            .count()
            >= 2,
        "the fragments must match a printed key"
    );
    let debug = format!("{signer:?} {signer:#?}");
    assert_clean("Signer", &debug, &fragments);
    assert!(debug.contains("051@AS0381"), "{debug}");
}

#[test]
fn pfx_types_debug_print_no_key_and_no_password() {
    for (file, password) in [
        ("chain.p12", "secret"),
        ("nonascii-legacy.p12", "密码"),
        ("cfca.p12", "888888"),
    ] {
        let bytes = read(&vector(&format!("pfx/{file}")));
        let identity = pfx::load(&bytes, password).expect("load");
        let mut fragments = key_fragments(identity.private_key());
        fragments.push(password.to_string());
        let contents = pfx::decode(&bytes, password, &PfxLimits::default()).expect("decode");
        let pkcs8 = contents.keys[0].pkcs8_der();
        let mid = &pkcs8[pkcs8.len() / 2..pkcs8.len() / 2 + 8];
        fragments.push(hex(mid));
        fragments.push(
            mid.iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        );
        assert_clean(
            "PfxIdentity",
            &format!("{identity:?} {identity:#?}"),
            &fragments,
        );
        assert_clean(
            "PfxContents",
            &format!("{contents:?} {contents:#?}"),
            &fragments,
        );
        assert_clean("PfxKey", &format!("{:?}", contents.keys[0]), &fragments);
        let signer = Signer::from_identity(&identity).expect("signer");
        assert_clean("Signer (from a PFX)", &format!("{signer:#?}"), &fragments);
        let signer = Signer::from_pfx(&bytes, password).expect("signer");
        assert_clean("Signer (from_pfx)", &format!("{signer:?}"), &fragments);
        assert_clean(
            "PfxLimits",
            &format!("{:?}", PfxLimits::default()),
            &fragments,
        );
    }
}

#[test]
fn verifier_debug_holds_no_secret() {
    let mut trust = TrustStore::new();
    trust
        .add_der(&read(&vector("chain/root.cer")))
        .expect("root");
    let builder = Verifier::builder()
        .trust(trust)
        .pin(SignerPin::Any)
        .time(VerifyTime::AnyTime)
        .limits(VerifyLimits::default());
    let verifier = builder.clone().build().expect("verifier");
    let pem = String::from_utf8(read(&vector("chain/merchant.key"))).expect("PEM");
    let key = <rsa::PrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&pem).expect("key");
    let fragments = key_fragments(&key);
    assert_clean("VerifierBuilder", &format!("{builder:?}"), &fragments);
    assert_clean("Verifier", &format!("{verifier:#?}"), &fragments);
}

#[test]
fn key_types_wipe_on_drop() {
    fn zeroize_on_drop<T: ZeroizeOnDrop>() {}
    // The key inside Signer and PfxIdentity; PfxKey keeps its PKCS#8 in a Zeroizing buffer.
    zeroize_on_drop::<rsa::PrivateKey>();
    zeroize_on_drop::<zeroize::Zeroizing<Vec<u8>>>();
}

#[cfg(feature = "client")]
#[test]
fn client_debug_prints_no_key() {
    use huifu_cfca::client::{Client, Endpoint};
    let bytes = read(&vector("pfx/chain.p12"));
    let identity = pfx::load(&bytes, "secret").expect("load");
    let mut fragments = key_fragments(identity.private_key());
    fragments.push("secret".to_string());
    let signer = Signer::from_identity(&identity).expect("signer");
    let verifier = Verifier::builder().no_chain().build().expect("verifier");
    let builder = Client::builder(Endpoint::Test, "6666000000026086", signer, verifier);
    assert_clean("ClientBuilder", &format!("{builder:#?}"), &fragments);
    let client = builder.build().expect("client");
    assert_clean("Client", &format!("{client:#?}"), &fragments);
}
