//! Unit tests of the parent module.

use super::*;

fn cert(name: &str) -> ParsedCertificate {
    let path = format!("{}/vectors/chain/{name}.cer", env!("CARGO_MANIFEST_DIR"));
    ParsedCertificate::from_der(&std::fs::read(path).unwrap()).unwrap()
}

const T2030: u64 = 1_893_456_000;

fn run(leaf: &str, anchors: &[&str], inters: &[&str]) -> Result<Vec<ParsedCertificate>> {
    let anchors: Vec<_> = anchors.iter().map(|n| cert(n)).collect();
    let inters: Vec<_> = inters.iter().map(|n| cert(n)).collect();
    let refs: Vec<&ParsedCertificate> = inters.iter().collect();
    verify_path(
        &cert(leaf),
        &PathOptions {
            time: Some(T2030),
            allow_sha1: false,
            anchors: &anchors,
            intermediates: &refs,
            limits: &PathLimits::default(),
            keys: crate::rsa_key::KeySource::Decode(crate::engine::Engine::Auto),
        },
    )
}

fn chain_error(r: Result<Vec<ParsedCertificate>>) -> ChainError {
    match r {
        Err(Error::Chain(e)) => e,
        other => panic!("expected Error::Chain, got {other:?}"),
    }
}

#[test]
fn good_paths() {
    assert_eq!(run("huifu", &["root"], &["oca"]).unwrap().len(), 3);
    assert_eq!(run("huifu", &["oca"], &[]).unwrap().len(), 2);
    assert_eq!(run("huifu", &["root", "oca"], &["oca"]).unwrap().len(), 2);
    assert_eq!(run("huifu", &["huifu"], &[]).unwrap().len(), 1);
    assert!(run("merchant4096", &["root"], &["huifu", "oca"]).is_ok());
}

#[test]
fn failures_are_specific() {
    assert!(matches!(run("huifu", &[], &[]), Err(Error::NoTrustAnchors)));
    assert!(matches!(
        chain_error(run("huifu", &["root"], &[])),
        ChainError::UnknownIssuer { .. }
    ));
    assert!(matches!(
        chain_error(run("foreign", &["root"], &["foreignroot", "oca"])),
        ChainError::UnknownIssuer { .. }
    ));
    assert!(matches!(
        chain_error(run("undernotca", &["root"], &["oca", "notca"])),
        ChainError::IssuerNotCa { .. }
    ));
    assert!(matches!(
        chain_error(run("wrongku", &["root"], &["oca"])),
        ChainError::KeyUsage { .. }
    ));
    // pathLen 0 on the OCA: a CA under it cannot issue
    assert!(matches!(
        chain_error(run("undernotca", &["oca"], &["notca"])),
        ChainError::IssuerNotCa { .. }
    ));
    assert!(matches!(
        chain_error(run("expired", &["root"], &["oca"])),
        ChainError::Expired { .. }
    ));
    match chain_error(run("future", &["root"], &["oca"])) {
        ChainError::NotYetValid {
            not_before, time, ..
        } => {
            assert_eq!(time, "2030-01-01T00:00:00Z");
            assert!(not_before > time, "{not_before}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn path_length_constraint() {
    // notca is not a CA, so the closest we have: an intermediate (oca, pathLen 0) with one
    // intermediate below it is refused before the not-a-CA check can matter.
    let anchors = vec![cert("root")];
    let oca = cert("oca");
    let notca = cert("notca");
    let leaf = cert("undernotca");
    let refs = vec![&oca, &notca];
    let opts = PathOptions {
        time: Some(T2030),
        allow_sha1: false,
        anchors: &anchors,
        intermediates: &refs,
        limits: &PathLimits::default(),
        keys: crate::rsa_key::KeySource::Decode(crate::engine::Engine::Auto),
    };
    let mut path = vec![&leaf, &notca];
    let mut budget = super::super::MAX_SIGNATURE_CHECKS;
    match build(&mut path, &opts, &mut budget) {
        Err(Error::Chain(ChainError::PathLenExceeded {
            below: 1,
            path_len: 0,
            ..
        })) => {}
        other => panic!("{other:?}"),
    }
}

/// The most specific failure wins by rank, whichever order the candidates came in; equal
/// ranks keep the first; the budget ends the search whatever was found before.
#[test]
fn the_most_specific_failure_wins() {
    let unknown: Error = ChainError::UnknownIssuer {
        subject: "a".into(),
        issuer: "b".into(),
    }
    .into();
    let key_usage = || -> Error {
        ChainError::KeyUsage {
            subject: "ku".into(),
            needed: "keyCertSign",
        }
        .into()
    };
    let expired = || -> Error {
        ChainError::Expired {
            subject: "x".into(),
            not_before: String::new(),
            not_after: String::new(),
            time: String::new(),
        }
        .into()
    };
    let kinds = |e: &Error| match e {
        Error::Chain(ChainError::KeyUsage { .. }) => "ku",
        Error::Chain(ChainError::Expired { .. }) => "expired",
        Error::Chain(ChainError::UnknownIssuer { .. }) => "unknown",
        _ => "other",
    };
    let a = most_specific(most_specific(unknown, key_usage()), expired());
    assert_eq!(kinds(&a), "expired");
    let b = most_specific(most_specific(expired(), key_usage()), key_usage());
    assert_eq!(kinds(&b), "expired");
    let c = most_specific(key_usage(), key_usage());
    assert!(matches!(c, Error::Chain(ChainError::KeyUsage { ref subject, .. }) if subject == "ku"));
    // An issuer key outside the configured sizes ranks above usage faults.
    let small = Error::LimitExceeded {
        limit: "RSA modulus bits",
        value: 512,
        bound: crate::Bound::Min(1024),
    };
    assert!(matches!(
        most_specific(key_usage(), small),
        Error::LimitExceeded { .. }
    ));
    assert!(ChainError::BudgetExhausted { max: 1 }.is_fatal());
    let ranks = [
        ChainError::UnknownIssuer {
            subject: String::new(),
            issuer: String::new(),
        }
        .rank(),
        ChainError::PathTooLong { max: 0 }.rank(),
        ChainError::KeyUsage {
            subject: String::new(),
            needed: "",
        }
        .rank(),
        ChainError::BadSignature {
            issuer: String::new(),
            subject: String::new(),
        }
        .rank(),
        ChainError::NotYetValid {
            subject: String::new(),
            not_before: String::new(),
            not_after: String::new(),
            time: String::new(),
        }
        .rank(),
    ];
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
}
