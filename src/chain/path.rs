//! Path building, modelled on rustls-webpki's `verify_cert.rs`.
//!
//! Rules:
//!
//! - the signer (end entity) must be within its validity period at the verification time; if it
//!   has keyUsage, digitalSignature or nonRepudiation must be set; unknown critical extensions are
//!   rejected; it must not be a CA (basicConstraints cA=TRUE: [`ChainError::CaUsedAsEndEntity`], as
//!   rustls-webpki's `CaUsedAsEndEntity`);
//! - every certificate on the path that has extendedKeyUsage must allow emailProtection or
//!   anyExtendedKeyUsage (RFC 5280 §4.2.1.12; [`ChainError::ExtendedKeyUsage`]), as `openssl cms
//!   -verify` requires of S/MIME signers and their CAs;
//! - an issuer is looked up by subject == issuer (RFC 5280 name matching:
//!   `crate::x509::names_match`), and where the child has an authority
//!   key id and the candidate a subject key id, they must agree; candidates are the trust anchors
//!   first, then the intermediates (message certificates and the caller's extra certificates);
//! - every issuer must be a CA (basicConstraints cA; anchors without basicConstraints are accepted
//!   as v1 roots), allow the number of intermediates below it (pathLenConstraint), have
//!   keyCertSign if it has keyUsage, and carry no unknown critical extension; intermediates must
//!   be within their validity period (anchors are trusted as given);
//! - every signature is checked over the exact TBSCertificate bytes: sha256/384/512WithRSA always,
//!   sha1WithRSA only with the SHA-1 opt-in (the same one as for messages);
//! - at most [`PathLimits::max_intermediates`] intermediates ([`ChainError::PathTooLong`]), no
//!   certificate twice on a path, and at most [`PathLimits::max_signature_checks`] signature
//!   checks per verification ([`ChainError::BudgetExhausted`], which ends the search at once);
//! - a signer certificate that is itself a trust anchor (same DER) is trusted directly.
//!
//! When no path is found, the error is the most specific reason seen, by [`ChainError::rank`]
//! (the first of equal ranks): any concrete problem with a candidate issuer beats "unknown
//! issuer", an expired intermediate beats a candidate without keyCertSign, whatever order the
//! candidates were tried in.

use super::{ParsedCertificate, PathLimits};
use crate::rsa_key::{KeySource, verify_certificate_signature};
use crate::{ChainError, Error, Result};

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
    pub limits: &'a PathLimits,
    /// The verifier's decoded keys, or decoded for this search only (with the engine that checks
    /// the certificate signatures).
    pub keys: KeySource<'a>,
}

/// How specific a failure is: a [`ChainError`] by its rank; an issuer key outside the configured
/// sizes ([`Error::LimitExceeded`]) ranks with the other issuer-key faults.
fn rank(e: &Error) -> u32 {
    match e {
        Error::Chain(c) => c.rank(),
        _ => 250,
    }
}

/// Whether a failure ends the whole search (the signature-check budget).
fn is_fatal(e: &Error) -> bool {
    matches!(e, Error::Chain(c) if c.is_fatal())
}

/// The more specific of two failures; the first on equal rank.
fn most_specific(best: Error, other: Error) -> Error {
    if rank(&other) > rank(&best) {
        other
    } else {
        best
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
    // RFC 5280 §4.1.2.5, §6.1.3 (a)(2): the certificate is within its validity period.
    check_validity(leaf, opts.time)?;
    // RFC 5280 §4.2.1.9: cA=TRUE asserts a CA; a CA certificate does not sign messages.
    if leaf.is_ca() {
        return Err(ChainError::CaUsedAsEndEntity {
            subject: leaf.subject_string(),
        }
        .into());
    }
    // RFC 5280 §4.2.1.12: extendedKeyUsage, if present, allows emailProtection or any purpose.
    if !leaf.allows_message_signing() {
        return Err(ChainError::ExtendedKeyUsage {
            subject: leaf.subject_string(),
        }
        .into());
    }
    // RFC 5280 §4.2: a critical extension that is not recognised rejects the certificate.
    if let Some(ext) = leaf.unknown_critical() {
        return Err(ChainError::UnknownCriticalExtension {
            subject: leaf.subject_string(),
            oid: ext.to_string(),
        }
        .into());
    }
    // RFC 5280 §4.2.1.3: a key that signs content has digitalSignature or nonRepudiation.
    if let Some(ku) = leaf.key_usage()
        && !ku.digital_signature()
        && !ku.non_repudiation()
    {
        return Err(ChainError::KeyUsage {
            subject: leaf.subject_string(),
            needed: "digitalSignature or nonRepudiation",
        }
        .into());
    }
    // RFC 5280 §6.1.1 (d): a trust anchor is trusted as given; a signer that is one needs no path.
    if opts.anchors.iter().any(|a| a.der() == leaf.der()) {
        return Ok(vec![leaf.clone()]);
    }
    let mut path = vec![leaf];
    let mut budget = opts.limits.max_signature_checks;
    let anchor = build(&mut path, opts, &mut budget)?;
    let mut out: Vec<ParsedCertificate> = path.into_iter().cloned().collect();
    out.push(anchor.clone());
    Ok(out)
}

/// Extends `path` (whose last element needs an issuer) to an anchor; returns the anchor, or the
/// most specific failure found.
fn build<'a>(
    path: &mut Vec<&'a ParsedCertificate>,
    opts: &PathOptions<'a>,
    budget: &mut usize,
) -> Result<&'a ParsedCertificate> {
    let Some(&child) = path.last() else {
        return Err(Error::malformed("certificate path", "empty path"));
    };
    let below = path.len().saturating_sub(1);
    let mut best: Error = ChainError::UnknownIssuer {
        subject: child.subject_string(),
        issuer: child.issuer_string(),
    }
    .into();

    for anchor in opts.anchors.iter().filter(|a| issued_by(child, a)) {
        match check_issuer(anchor, child, below, true, opts, budget) {
            Ok(()) => return Ok(anchor),
            Err(e) if is_fatal(&e) => return Err(e),
            Err(e) => best = most_specific(best, e),
        }
    }

    let max = opts.limits.max_intermediates;
    if below >= max {
        return Err(most_specific(best, ChainError::PathTooLong { max }.into()));
    }
    for &candidate in opts.intermediates.iter() {
        // No certificate twice on a path (a loop would never reach an anchor).
        if !issued_by(child, candidate) || path.iter().any(|p| p.der() == candidate.der()) {
            continue;
        }
        if let Err(e) = check_issuer(candidate, child, below, false, opts, budget) {
            if is_fatal(&e) {
                return Err(e);
            }
            best = most_specific(best, e);
            continue;
        }
        path.push(candidate);
        match build(path, opts, budget) {
            Ok(anchor) => return Ok(anchor),
            Err(e) if is_fatal(&e) => return Err(e),
            Err(e) => {
                best = most_specific(best, e);
                path.pop();
            }
        }
    }
    Err(best)
}

/// Name (and key identifier) chaining.
fn issued_by(child: &ParsedCertificate, issuer: &ParsedCertificate) -> bool {
    // RFC 5280 §6.1.3 (a)(4): the child's issuer is the candidate's subject (§7.1 matching).
    if !crate::x509::names_match(child.issuer_der(), issuer.subject_der()) {
        return false;
    }
    // RFC 5280 §4.2.1.1: the authority key identifier names the issuer's subject key identifier.
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
) -> Result<()> {
    let name = issuer.subject_string();
    // RFC 5280 §4.2.1.9, §6.1.4 (k): an issuer is a CA (anchors without basicConstraints are
    // v1 roots, §6.1.1 (d)); (l), (m): its pathLenConstraint bounds the intermediates below it.
    match issuer.basic_constraints() {
        Some(bc) if !bc.ca => {
            return Err(ChainError::IssuerNotCa {
                issuer: name,
                has_basic_constraints: true,
            }
            .into());
        }
        Some(bc) => {
            if let Some(max) = bc.path_len_constraint
                && below > usize::from(max)
            {
                return Err(ChainError::PathLenExceeded {
                    issuer: name,
                    below,
                    path_len: max,
                }
                .into());
            }
        }
        None if is_anchor => {}
        None => {
            return Err(ChainError::IssuerNotCa {
                issuer: name,
                has_basic_constraints: false,
            }
            .into());
        }
    }
    // RFC 5280 §4.2.1.3, §6.1.4 (n): an issuer's keyUsage, if present, has keyCertSign.
    if let Some(ku) = issuer.key_usage()
        && !ku.key_cert_sign()
    {
        return Err(ChainError::KeyUsage {
            subject: name,
            needed: "keyCertSign",
        }
        .into());
    }
    // RFC 5280 §4.2: a critical extension that is not recognised rejects the certificate.
    if let Some(ext) = issuer.unknown_critical() {
        return Err(ChainError::UnknownCriticalExtension {
            subject: name,
            oid: ext.to_string(),
        }
        .into());
    }
    // RFC 5280 §4.2.1.12 (a CA's extendedKeyUsage constrains what it certifies, as OpenSSL's
    // purpose check treats it).
    if !issuer.allows_message_signing() {
        return Err(ChainError::ExtendedKeyUsage { subject: name }.into());
    }
    // RFC 5280 §6.1.3 (a)(2): intermediates are within their validity period.
    if !is_anchor {
        check_validity(issuer, opts.time)?;
    }
    if *budget == 0 {
        return Err(ChainError::BudgetExhausted {
            max: opts.limits.max_signature_checks,
        }
        .into());
    }
    *budget -= 1;
    // RFC 5280 §6.1.3 (a)(1), §4.1.1.2: the issuer's key verifies the signature over the exact
    // TBSCertificate, with the algorithm both signature fields name.
    let subject = || child.subject_string();
    verify_certificate_signature(
        issuer,
        child,
        opts.allow_sha1,
        &opts.limits.rsa_key_size,
        opts.keys,
    )
    .map_err(|e| match e {
        e @ Error::LimitExceeded { .. } => e,
        Error::SignatureMismatch => ChainError::BadSignature {
            issuer: name.clone(),
            subject: subject(),
        }
        .into(),
        Error::WeakDigest(digest) => ChainError::WeakDigest {
            subject: subject(),
            digest,
        }
        .into(),
        Error::AlgorithmMismatch(detail) => ChainError::SignatureAlgorithmMismatch {
            subject: subject(),
            detail,
        }
        .into(),
        Error::Malformed {
            what: "certificate signature algorithm",
            detail,
        } => ChainError::SignatureAlgorithmMismatch {
            subject: subject(),
            detail,
        }
        .into(),
        Error::UnsupportedAlgorithm {
            context: "certificate signature",
            oid,
        } => ChainError::UnsupportedSignatureAlgorithm {
            subject: subject(),
            oid,
        }
        .into(),
        other => ChainError::IssuerKey {
            issuer: name.clone(),
            subject: subject(),
            reason: other.to_string(),
        }
        .into(),
    })
}

/// The validity period check (RFC 5280 §4.1.2.5): `notBefore <= time <= notAfter`.
pub(crate) fn check_validity(cert: &ParsedCertificate, time: Option<u64>) -> Result<()> {
    let Some(now) = time else {
        return Ok(());
    };
    let fields = || {
        (
            cert.subject_string(),
            cert.not_before_rfc3339(),
            cert.not_after_rfc3339(),
            rfc3339(now),
        )
    };
    if now < cert.not_before() {
        let (subject, not_before, not_after, time) = fields();
        return Err(ChainError::NotYetValid {
            subject,
            not_before,
            not_after,
            time,
        }
        .into());
    }
    if now > cert.not_after() {
        let (subject, not_before, not_after, time) = fields();
        return Err(ChainError::Expired {
            subject,
            not_before,
            not_after,
            time,
        }
        .into());
    }
    Ok(())
}

/// Seconds since the Unix epoch as RFC 3339 (the seconds themselves past year 9999).
fn rfc3339(secs: u64) -> String {
    der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map(|t| t.to_string())
        .unwrap_or_else(|_| format!("{secs} seconds after the Unix epoch"))
}

#[cfg(test)]
mod tests;
