//! Every configurable bound: `VerifyLimits` (Verifier, chain) and `PfxLimits` (PKCS#12). Each test
//! shows the default accepting a real input and a tighter bound refusing it with
//! `Error::LimitExceeded` naming that bound.

use crate::common;

use der::{Decode as _, Encode as _};
use huifu_cfca::chain::{self, ParsedCertificate, PathLimits, TrustStore, VerifyTime};
use huifu_cfca::identity::SignerPin;
use huifu_cfca::pfx::{self, PfxLimits};
use huifu_cfca::pkcs7::parse::ParseLimits;
use huifu_cfca::rsa_key::RsaKeySize;
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::{Verifier, VerifyLimits};
use huifu_cfca::{Bound, ChainError, Error};

use common::{read, vector};

const T2030: u64 = 1_893_456_000;

fn p7(name: &str) -> Vec<u8> {
    read(&vector(&format!("p7/{name}")))
}

fn p12(name: &str) -> Vec<u8> {
    read(&vector(&format!("pfx/{name}")))
}

/// The root only: messages that carry the OCA (huifu-chain.p7b) chain through it.
fn root_only() -> TrustStore {
    let mut t = TrustStore::new();
    t.add_der(&read(&vector("chain/root.cer"))).expect("root");
    t
}

/// The root and the OCA, as the vectors README says.
fn trust() -> TrustStore {
    let mut t = root_only();
    t.add_der(&read(&vector("chain/oca.cer"))).expect("oca");
    t
}

fn verifier(limits: VerifyLimits) -> Verifier {
    verifier_with(trust(), limits)
}

fn verifier_with(trust: TrustStore, limits: VerifyLimits) -> Verifier {
    Verifier::builder()
        .trust(trust)
        .pin(SignerPin::Any)
        .time(VerifyTime::at_unix(T2030))
        .limits(limits)
        .build()
        .expect("verifier")
}

/// Asserts `LimitExceeded` naming a minimum that contains `name`.
fn assert_below_min<T: std::fmt::Debug>(r: Result<T, Error>, name: &str) {
    match r {
        Err(Error::LimitExceeded {
            limit,
            bound: Bound::Min(min),
            value,
        }) => {
            assert!(limit.contains(name), "{limit}, expected {name}");
            assert!(value < min, "{value} < {min}");
        }
        other => panic!("expected LimitExceeded({name}) below a minimum, got {other:?}"),
    }
}

/// Asserts `LimitExceeded` naming a bound that contains `name`.
#[track_caller]
fn assert_limit<T: std::fmt::Debug>(r: Result<T, Error>, name: &str) {
    match r {
        Err(Error::LimitExceeded {
            limit,
            value,
            bound,
        }) => {
            assert!(
                limit.contains(name),
                "{limit} ({value}, {bound}), expected {name}"
            );
        }
        other => panic!("expected LimitExceeded({name}), got {other:?}"),
    }
}

#[test]
fn defaults_match_the_documented_constants() {
    let l = VerifyLimits::default();
    assert_eq!(l.max_input_bytes, 4 << 20);
    assert_eq!(l.parse.max_message_bytes, 1 << 20);
    assert_eq!(l.parse.max_certificates, 32);
    assert_eq!(l.parse.max_signer_infos, 16);
    assert_eq!(l.parse.max_depth, 24);
    let keys = l.path.rsa_key_size;
    assert_eq!((keys.min_bits, keys.max_bits), (1024, 8192));
    assert_eq!(l.path.max_intermediates, 6);
    assert_eq!(l.path.max_signature_checks, 64);
    let p = PfxLimits::default();
    assert_eq!(p.max_input_bytes, 1 << 20);
    assert_eq!(p.max_iterations, 10_000_000);
    assert_eq!(p.max_depth, 48);
    assert_eq!(p.rsa_key_size, RsaKeySize::default());
    assert_eq!(
        (p.rsa_key_size.min_bits, p.rsa_key_size.max_bits),
        (1024, 8192)
    );
    let v = Verifier::builder().no_chain().build().expect("verifier");
    assert_eq!(v.limits(), &l);
}

#[test]
fn verifier_input_size() {
    let cv = p7("huifu-noattr.check_value");
    assert!(verifier(VerifyLimits::default()).verify(&cv).is_ok());
    let small = VerifyLimits {
        max_input_bytes: cv.len() - 1,
        ..VerifyLimits::default()
    };
    assert_limit(verifier(small.clone()).verify(&cv), "input bytes");
    assert_limit(verifier(small).verify_detached(&cv, b"x"), "input bytes");
    // 33 MiB of text is refused before any decoding: the error names the input limit, not the
    // base64 or DER that decoding these bytes would have complained about.
    let huge = vec![b'A'; 33 << 20];
    assert_limit(
        verifier(VerifyLimits::default()).verify(&huge),
        "input bytes",
    );
}

#[test]
fn verifier_message_size() {
    let der = p7("huifu-noattr.p7b");
    let limits = VerifyLimits {
        parse: ParseLimits {
            max_message_bytes: der.len() - 1,
            ..ParseLimits::default()
        },
        ..VerifyLimits::default()
    };
    assert_limit(verifier(limits.clone()).verify(&der), "PKCS#7 size");
    // The bound applies to the decoded structure, whatever form it came in.
    assert_limit(
        verifier(limits).verify(&p7("huifu-noattr.check_value")),
        "PKCS#7 size",
    );
}

#[test]
fn verifier_certificates_per_message() {
    let der = p7("huifu-chain.p7b");
    assert!(verifier(VerifyLimits::default()).verify(&der).is_ok());
    let limits = VerifyLimits {
        parse: ParseLimits {
            max_certificates: 1,
            ..ParseLimits::default()
        },
        ..VerifyLimits::default()
    };
    assert_limit(
        verifier(limits.clone()).verify(&der),
        "certificates in a message",
    );
    // One certificate is within the bound.
    assert!(verifier(limits).verify(&p7("huifu-noattr.p7b")).is_ok());
}

#[test]
fn verifier_signer_infos_per_message() {
    let der = p7("two-signers.p7b");
    let base = Verifier::builder()
        .trust(trust())
        .pin(SignerPin::Any)
        .time(VerifyTime::at_unix(T2030))
        .require_single_signer(false);
    assert!(base.clone().build().expect("verifier").verify(&der).is_ok());
    let v = base
        .limits(VerifyLimits {
            parse: ParseLimits {
                max_signer_infos: 1,
                ..ParseLimits::default()
            },
            ..VerifyLimits::default()
        })
        .build()
        .expect("verifier");
    assert_limit(v.verify(&der), "signer infos");
}

#[test]
fn verifier_nesting_depth() {
    let ber = p7("huifu-ber.p7b");
    assert!(verifier(VerifyLimits::default()).verify(&ber).is_ok());
    let shallow = VerifyLimits {
        parse: ParseLimits {
            max_depth: 3,
            ..ParseLimits::default()
        },
        ..VerifyLimits::default()
    };
    assert_limit(
        verifier(shallow.clone()).verify(&ber),
        "ASN.1 nesting depth",
    );
    assert_limit(
        verifier(shallow).verify(&p7("huifu-noattr.p7b")),
        "ASN.1 nesting depth",
    );
    // 100 nested indefinite-length SEQUENCEs: refused by the default bound.
    let mut deep = Vec::new();
    for _ in 0..100 {
        deep.extend_from_slice(&[0x30, 0x80]);
    }
    deep.extend_from_slice(&[0; 200]);
    assert_limit(
        verifier(VerifyLimits::default()).verify(&deep),
        "ASN.1 nesting depth",
    );
}

#[test]
fn verifier_rsa_modulus_size() {
    let m1024 = p7("merchant1024.p7b");
    let m4096 = p7("merchant4096.p7b");
    assert!(verifier(VerifyLimits::default()).verify(&m1024).is_ok());
    assert!(verifier(VerifyLimits::default()).verify(&m4096).is_ok());
    assert_below_min(
        verifier(VerifyLimits::default()).verify(&p7("small512.p7b")),
        "RSA modulus bits",
    );
    let min2048 = VerifyLimits {
        path: PathLimits {
            rsa_key_size: RsaKeySize {
                min_bits: 2048,
                ..RsaKeySize::default()
            },
            ..PathLimits::default()
        },
        ..VerifyLimits::default()
    };
    assert_below_min(verifier(min2048).verify(&m1024), "RSA modulus bits");
    let max2048 = VerifyLimits {
        path: PathLimits {
            rsa_key_size: RsaKeySize {
                max_bits: 2048,
                ..RsaKeySize::default()
            },
            ..PathLimits::default()
        },
        ..VerifyLimits::default()
    };
    assert_limit(verifier(max2048.clone()).verify(&m4096), "RSA modulus bits");
    // The bound also covers the certificates on the path (the vectors CAs are RSA-2048+).
    let max1024 = VerifyLimits {
        path: PathLimits {
            rsa_key_size: RsaKeySize {
                max_bits: 1024,
                ..RsaKeySize::default()
            },
            ..PathLimits::default()
        },
        ..VerifyLimits::default()
    };
    assert_limit(verifier(max1024).verify(&m1024), "RSA modulus bits");
}

#[test]
fn chain_path_length_and_signature_checks() {
    let der = p7("huifu-chain.p7b");
    let no_intermediates = VerifyLimits {
        path: PathLimits {
            max_intermediates: 0,
            ..PathLimits::default()
        },
        ..VerifyLimits::default()
    };
    assert!(
        verifier_with(root_only(), VerifyLimits::default())
            .verify(&der)
            .is_ok()
    );
    assert!(matches!(
        verifier_with(root_only(), no_intermediates.clone()).verify(&der),
        Err(Error::Chain(ChainError::PathTooLong { max: 0 }))
    ));
    // With the OCA trusted, no intermediate is needed.
    assert!(verifier(no_intermediates).verify(&der).is_ok());
    let no_checks = VerifyLimits {
        path: PathLimits {
            max_signature_checks: 1,
            ..PathLimits::default()
        },
        ..VerifyLimits::default()
    };
    assert!(matches!(
        verifier_with(root_only(), no_checks).verify(&der),
        Err(Error::Chain(ChainError::BudgetExhausted { max: 1 }))
    ));
    // The same bounds through the public path validator.
    let leaf = ParsedCertificate::from_der(&read(&vector("chain/huifu.cer"))).expect("leaf");
    let oca = ParsedCertificate::from_der(&read(&vector("chain/oca.cer"))).expect("oca");
    let time = VerifyTime::at_unix(T2030);
    let path = chain::verify_chain(
        &leaf,
        std::slice::from_ref(&oca),
        &root_only(),
        &chain::ChainOptions::default().time(time).allow_sha1(false),
    )
    .expect("path");
    assert_eq!(path.len(), 3);
    assert!(matches!(
        chain::verify_chain(
            &leaf,
            &[oca],
            &root_only(),
            &chain::ChainOptions::default()
                .time(time)
                .allow_sha1(false)
                .limits(
                    (PathLimits {
                        max_intermediates: 0,
                        ..PathLimits::default()
                    })
                    .clone()
                )
        ),
        Err(Error::Chain(ChainError::PathTooLong { max: 0 }))
    ));
}

#[test]
fn pfx_input_size() {
    let der = p12("cfca.p12");
    assert!(pfx::load(&der, "888888").is_ok());
    let limits = PfxLimits {
        max_input_bytes: der.len() - 1,
        ..PfxLimits::default()
    };
    assert_limit(pfx::decode(&der, "888888", &limits), "PFX input bytes");
    assert_limit(limits.load(&der, "888888").map(|_| ()), "PFX input bytes");
    assert_limit(
        limits
            .load(&der, "888888")
            .and_then(|id| Signer::from_identity(&id))
            .map(|_| ()),
        "PFX input bytes",
    );
}

/// cfca.p12 with its MAC iteration count replaced by `iterations`.
fn with_mac_iterations(der: &[u8], iterations: u64) -> Vec<u8> {
    let outer: Vec<der::Any> = Vec::from_der(der).expect("PFX is a SEQUENCE");
    let [version, auth_safe, mac_data] = outer.as_slice() else {
        panic!("PFX with a MAC")
    };
    let mut mac: Vec<der::Any> = mac_data.decode_as().expect("MacData");
    let count = iterations.to_der().expect("INTEGER");
    mac[2] = der::Any::from_der(&count).expect("INTEGER");
    let mac_der = mac.to_der().expect("MacData");
    let rebuilt = vec![
        version.clone(),
        auth_safe.clone(),
        der::Any::from_der(&mac_der).expect("MacData"),
    ];
    rebuilt.to_der().expect("PFX")
}

#[test]
fn pfx_iteration_count_is_refused_before_computing() {
    let der = p12("cfca.p12");
    // Sanity: rewriting with the original count (2000) keeps the file valid.
    assert!(pfx::load(&with_mac_iterations(&der, 2000), "888888").is_ok());
    // No clock: a billion PBKDF iterations would take many minutes, so a refusal after computing
    // would hang this test (and the bounded CI test step would fail); the error names the limit.
    let greedy = with_mac_iterations(&der, 1_000_000_000);
    assert_limit(pfx::load(&greedy, "888888").map(|_| ()), "iteration count");
    assert_limit(
        Signer::from_pfx(&greedy, "888888").map(|_| ()),
        "iteration count",
    );
    // Bag encryption counts are bounded too (nomac.p12 has no MAC; its bags use 2048).
    let limits = PfxLimits {
        max_iterations: 1000,
        ..PfxLimits::default()
    };
    assert_limit(
        pfx::decode(&p12("nomac.p12"), "secret", &limits),
        "iteration count",
    );
}

#[test]
fn pfx_bag_count() {
    let der = p12("chain.p12");
    assert!(pfx::decode(&der, "secret", &PfxLimits::default()).is_ok());
    let limits = PfxLimits {
        max_bags: 2,
        ..PfxLimits::default()
    };
    assert_limit(pfx::decode(&der, "secret", &limits), "bag count");
}

#[test]
fn pfx_nesting_depth() {
    let der = p12("ber-cfca.p12");
    assert!(pfx::load(&der, "888888").is_ok());
    let limits = PfxLimits {
        max_depth: 2,
        ..PfxLimits::default()
    };
    assert_limit(pfx::decode(&der, "888888", &limits), "ASN.1 nesting depth");
    // 100 nested indefinite-length SEQUENCEs: refused by the default bound.
    let mut deep = Vec::new();
    for _ in 0..100 {
        deep.extend_from_slice(&[0x30, 0x80]);
    }
    deep.extend_from_slice(&[0; 200]);
    assert_limit(
        pfx::decode(&deep, "", &PfxLimits::default()),
        "ASN.1 nesting depth",
    );
}

#[test]
fn pfx_rsa_modulus_size() {
    let big = p12("rsa4096.p12");
    assert!(pfx::load(&big, "secret").is_ok());
    let max2048 = PfxLimits {
        rsa_key_size: RsaKeySize {
            max_bits: 2048,
            ..RsaKeySize::default()
        },
        ..PfxLimits::default()
    };
    assert_limit(max2048.load(&big, "secret").map(|_| ()), "RSA modulus bits");
    let min3000 = PfxLimits {
        rsa_key_size: RsaKeySize {
            min_bits: 3000,
            ..RsaKeySize::default()
        },
        ..PfxLimits::default()
    };
    assert_below_min(
        min3000.load(&p12("cfca.p12"), "888888").map(|_| ()),
        "RSA modulus bits",
    );
    // decode() hands keys out without building them: no key-size bound there.
    assert!(pfx::decode(&big, "secret", &max2048).is_ok());
}
