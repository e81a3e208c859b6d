//! Path building, modelled on rustls-webpki's `verify_cert.rs`.
//!
//! Rules:
//!
//! - the signer (end entity) must be within its validity period at the verification time; if it
//!   has keyUsage, digitalSignature or nonRepudiation must be set; unknown critical extensions are
//!   rejected; it must not be a CA (basicConstraints cA=TRUE: [`Error::CaUsedAsEndEntity`], as
//!   rustls-webpki's `CaUsedAsEndEntity`);
//! - every certificate on the path that has extendedKeyUsage must allow emailProtection or
//!   anyExtendedKeyUsage (RFC 5280 §4.2.1.12; [`Error::ExtendedKeyUsage`]), as `openssl cms
//!   -verify` requires of S/MIME signers and their CAs;
//! - an issuer is looked up by subject == issuer (RFC 5280 name matching:
//!   [`crate::identity::names_match`]), and where the child has an authority
//!   key id and the candidate a subject key id, they must agree; candidates are the trust anchors
//!   first, then the intermediates (message certificates and the caller's extra certificates);
//! - every issuer must be a CA (basicConstraints cA; anchors without basicConstraints are accepted
//!   as v1 roots), allow the number of intermediates below it (pathLenConstraint), have
//!   keyCertSign if it has keyUsage, and carry no unknown critical extension; intermediates must
//!   be within their validity period (anchors are trusted as given);
//! - every signature is checked over the exact TBSCertificate bytes: sha256/384/512WithRSA always,
//!   sha1WithRSA only with the SHA-1 opt-in (the same one as for messages);
//! - at most [`MAX_INTERMEDIATES`] intermediates, no certificate twice on a path, and at most
//!   [`MAX_SIGNATURE_CHECKS`] signature checks per verification (the defaults of
//!   [`VerifyLimits`], which sets both; exceeding either is [`Error::LimitExceeded`]);
//! - a signer certificate that is itself a trust anchor (same DER) is trusted directly.
//!
//! When no path is found, the error is the most specific reason seen: any concrete problem with a
//! candidate issuer beats "unknown issuer".

use super::ParsedCertificate;
use crate::engine::Engine;
use crate::verify::VerifyLimits;
use crate::verify::crypto::verify_certificate_signature;
use crate::{Error, Result, ValidityProblem};

/// The most intermediates a path may hold, by default.
pub const MAX_INTERMEDIATES: usize = 6;
/// The most signature checks one path search may do, by default.
pub const MAX_SIGNATURE_CHECKS: usize = 64;

/// What the path builder works with.
pub(crate) struct PathOptions<'a> {
    /// Seconds since the Unix epoch; `None` skips validity periods.
    pub time: Option<u64>,
    /// Accept sha1WithRSA certificate signatures.
    pub allow_sha1: bool,
    /// The trust anchors.
    pub anchors: &'a [ParsedCertificate],
    /// Candidate intermediates.
    pub intermediates: &'a [&'a ParsedCertificate],
    /// Path length, signature checks and RSA key sizes.
    pub limits: &'a VerifyLimits,
    /// The RSA implementation that checks certificate signatures.
    pub engine: Engine,
}

/// Why a candidate failed; ranked so that the most specific reason is reported.
#[derive(Debug)]
enum Fault {
    UnknownIssuer(String),
    Specific(Error),
}

impl Fault {
    fn untrusted(reason: String) -> Self {
        Fault::Specific(Error::UntrustedChain { reason })
    }

    fn into_error(self) -> Error {
        match self {
            Fault::UnknownIssuer(reason) => Error::UntrustedChain { reason },
            Fault::Specific(e) => e,
        }
    }

    fn keep_most_specific(self, other: Fault) -> Fault {
        match (&self, &other) {
            (Fault::UnknownIssuer(_), Fault::Specific(_)) => other,
            _ => self,
        }
    }
}

/// Validates the path from `leaf` to a trust anchor; returns the path (leaf first, anchor last).
pub(crate) fn verify_path(
    leaf: &ParsedCertificate,
    opts: &PathOptions<'_>,
) -> Result<Vec<ParsedCertificate>> {
    if opts.anchors.is_empty() {
        return Err(Error::NoTrustAnchors);
    }
    check_validity(leaf, opts.time)?;
    // RFC 5280 §4.2.1.9: cA=TRUE asserts a CA; a CA certificate does not sign messages.
    if leaf.is_ca() {
        return Err(Error::CaUsedAsEndEntity {
            subject: leaf.subject_string(),
        });
    }
    // RFC 5280 §4.2.1.12.
    if !leaf.allows_message_signing() {
        return Err(Error::ExtendedKeyUsage {
            subject: leaf.subject_string(),
        });
    }
    if let Some(ext) = leaf.unknown_critical() {
        return Err(Error::UntrustedChain {
            reason: format!(
                "signer certificate {} has an unknown critical extension {ext}",
                leaf.subject_string()
            ),
        });
    }
    if let Some(ku) = leaf.key_usage()
        && !ku.digital_signature()
        && !ku.non_repudiation()
    {
        return Err(Error::UntrustedChain {
            reason: format!(
                "key usage of the signer certificate {} allows neither digitalSignature nor nonRepudiation",
                leaf.subject_string()
            ),
        });
    }
    if opts.anchors.iter().any(|a| a.der() == leaf.der()) {
        return Ok(vec![leaf.clone()]);
    }
    let mut path = vec![leaf];
    let mut budget = opts.limits.max_signature_checks;
    match build(&mut path, opts, &mut budget) {
        Ok(anchor) => {
            let mut out: Vec<ParsedCertificate> = path.into_iter().cloned().collect();
            out.push(anchor.clone());
            Ok(out)
        }
        Err(fault) => Err(fault.into_error()),
    }
}

/// Extends `path` (whose last element needs an issuer) to an anchor; returns the anchor.
fn build<'a>(
    path: &mut Vec<&'a ParsedCertificate>,
    opts: &PathOptions<'a>,
    budget: &mut usize,
) -> Result<&'a ParsedCertificate, Fault> {
    let Some(&child) = path.last() else {
        return Err(Fault::untrusted("empty path".to_string()));
    };
    let below = path.len().saturating_sub(1);
    let mut best = Fault::UnknownIssuer(format!(
        "unknown issuer: no trusted certificate named {} issued {}",
        child.issuer_string(),
        child.subject_string()
    ));

    for anchor in opts.anchors.iter().filter(|a| issued_by(child, a)) {
        match check_issuer(anchor, child, below, true, opts, budget) {
            Ok(()) => return Ok(anchor),
            Err(f) => best = best.keep_most_specific(f),
        }
    }

    let max = opts.limits.max_intermediates;
    if below >= max {
        return Err(
            best.keep_most_specific(Fault::Specific(Error::LimitExceeded {
                limit: "intermediates in a certificate path",
                value: u64::try_from(below).unwrap_or(u64::MAX).saturating_add(1),
                max: u64::try_from(max).unwrap_or(u64::MAX),
            })),
        );
    }
    for &candidate in opts.intermediates.iter() {
        if !issued_by(child, candidate) || path.iter().any(|p| p.der() == candidate.der()) {
            continue;
        }
        if let Err(f) = check_issuer(candidate, child, below, false, opts, budget) {
            best = best.keep_most_specific(f);
            continue;
        }
        path.push(candidate);
        match build(path, opts, budget) {
            Ok(anchor) => return Ok(anchor),
            Err(f) => {
                best = best.keep_most_specific(f);
                path.pop();
            }
        }
    }
    Err(best)
}

/// Name (and key identifier) chaining.
fn issued_by(child: &ParsedCertificate, issuer: &ParsedCertificate) -> bool {
    if !crate::identity::names_match(child.issuer_der(), issuer.subject_der()) {
        return false;
    }
    match (child.authority_key_id(), issuer.subject_key_id()) {
        (Some(aki), Some(ski)) => aki == ski,
        _ => true,
    }
}

/// The checks on a candidate issuer of `child`, which has `below` intermediates under it.
fn check_issuer(
    issuer: &ParsedCertificate,
    child: &ParsedCertificate,
    below: usize,
    is_anchor: bool,
    opts: &PathOptions<'_>,
    budget: &mut usize,
) -> Result<(), Fault> {
    let name = issuer.subject_string();
    match issuer.basic_constraints() {
        Some(bc) if !bc.ca => {
            return Err(Fault::untrusted(format!(
                "issuer {name} is not a CA (basicConstraints cA is false)"
            )));
        }
        Some(bc) => {
            if let Some(max) = bc.path_len_constraint
                && below > usize::from(max)
            {
                return Err(Fault::untrusted(format!(
                    "path length constraint of {name} exceeded ({below} intermediate(s) below it, pathLen {max})"
                )));
            }
        }
        None if is_anchor => {}
        None => {
            return Err(Fault::untrusted(format!(
                "issuer {name} is not a CA (no basicConstraints)"
            )));
        }
    }
    if let Some(ku) = issuer.key_usage()
        && !ku.key_cert_sign()
    {
        return Err(Fault::untrusted(format!(
            "key usage of issuer {name} does not allow keyCertSign"
        )));
    }
    if let Some(ext) = issuer.unknown_critical() {
        return Err(Fault::untrusted(format!(
            "issuer {name} has an unknown critical extension {ext}"
        )));
    }
    // RFC 5280 §4.2.1.12 (a CA's extendedKeyUsage constrains what it certifies, as OpenSSL's
    // purpose check treats it).
    if !issuer.allows_message_signing() {
        return Err(Fault::Specific(Error::ExtendedKeyUsage {
            subject: name.clone(),
        }));
    }
    if !is_anchor {
        check_validity(issuer, opts.time).map_err(Fault::Specific)?;
    }
    if *budget == 0 {
        let max = u64::try_from(opts.limits.max_signature_checks).unwrap_or(u64::MAX);
        return Err(Fault::Specific(Error::LimitExceeded {
            limit: "certificate signature checks in a path search",
            value: max.saturating_add(1),
            max,
        }));
    }
    *budget -= 1;
    let checked =
        verify_certificate_signature(issuer, child, opts.allow_sha1, opts.limits, opts.engine);
    checked.map_err(|e| match e {
        e @ Error::LimitExceeded { .. } => Fault::Specific(e),
        Error::SignatureMismatch => Fault::untrusted(format!(
            "bad signature: {name} did not sign {}",
            child.subject_string()
        )),
        Error::WeakDigest(d) => Fault::untrusted(format!(
            "certificate {} is signed with {d}, refused unless SHA-1 is allowed",
            child.subject_string()
        )),
        other => Fault::untrusted(format!(
            "cannot check the signature of {name} on {}: {other}",
            child.subject_string()
        )),
    })
}

/// The validity period check.
pub(crate) fn check_validity(cert: &ParsedCertificate, time: Option<u64>) -> Result<()> {
    let Some(now) = time else {
        return Ok(());
    };
    let problem = if now < cert.not_before() {
        ValidityProblem::NotYetValid
    } else if now > cert.not_after() {
        ValidityProblem::Expired
    } else {
        return Ok(());
    };
    Err(Error::CertificateValidity {
        problem,
        subject: cert.subject_string(),
        not_before: cert.not_before_rfc3339(),
        not_after: cert.not_after_rfc3339(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(name: &str) -> ParsedCertificate {
        let path = format!("vectors/chain/{name}.cer");
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
                limits: &VerifyLimits::default(),
                engine: Engine::Auto,
            },
        )
    }

    fn reason(r: Result<Vec<ParsedCertificate>>) -> String {
        match r {
            Err(Error::UntrustedChain { reason }) => reason,
            other => panic!("expected UntrustedChain, got {other:?}"),
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
        assert!(reason(run("huifu", &["root"], &[])).starts_with("unknown issuer"));
        assert!(
            reason(run("foreign", &["root"], &["foreignroot", "oca"]))
                .starts_with("unknown issuer")
        );
        assert!(reason(run("undernotca", &["root"], &["oca", "notca"])).contains("not a CA"));
        assert!(reason(run("wrongku", &["root"], &["oca"])).contains("key usage"));
        // pathLen 0 on the OCA: a CA under it cannot issue
        assert!(reason(run("undernotca", &["oca"], &["notca"])).contains("not a CA"));
        assert!(matches!(
            run("expired", &["root"], &["oca"]),
            Err(Error::CertificateValidity {
                problem: ValidityProblem::Expired,
                ..
            })
        ));
        assert!(matches!(
            run("future", &["root"], &["oca"]),
            Err(Error::CertificateValidity {
                problem: ValidityProblem::NotYetValid,
                ..
            })
        ));
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
            limits: &VerifyLimits::default(),
            engine: Engine::Auto,
        };
        let mut path = vec![&leaf, &notca];
        let mut budget = MAX_SIGNATURE_CHECKS;
        match build(&mut path, &opts, &mut budget) {
            Err(Fault::Specific(Error::UntrustedChain { reason })) => {
                assert!(reason.contains("path length"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
}
