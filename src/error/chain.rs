//! Why a certificate path failed: one variant per check of [`crate::chain`], carried by
//! [`Error::Chain`](crate::Error::Chain), ranked so that a failed search reports its most specific
//! reason (as rustls-webpki's `Error::rank`).
//!
//! The type is the chain layer's (re-exported as `chain::ChainError`); it is defined beside the
//! crate's [`Error`](crate::Error), the bottom layer, so that `Error` names it without importing
//! from a layer above.

/// A certificate path check that failed. Subjects and issuers are the certificates' names as text
/// (RFC 4514 order, escaped); times are RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// No trust anchor or candidate intermediate is named as the certificate's issuer (and, where
    /// both carry key identifiers, has its authority key identifier).
    #[error("unknown issuer: no trusted certificate named {issuer} issued {subject}")]
    UnknownIssuer {
        /// The certificate whose issuer was not found.
        subject: String,
        /// The issuer it names.
        issuer: String,
    },
    /// A candidate issuer is not a CA: basicConstraints cA is false, or (for an intermediate) it
    /// has no basicConstraints.
    #[error("issuer {issuer} is not a CA ({})", if *has_basic_constraints { "basicConstraints cA is false" } else { "no basicConstraints" })]
    IssuerNotCa {
        /// The candidate issuer.
        issuer: String,
        /// Whether it carries basicConstraints (with cA false) or none at all.
        has_basic_constraints: bool,
    },
    /// A CA's pathLenConstraint allows fewer intermediates below it than the path has.
    #[error(
        "path length constraint of {issuer} exceeded ({below} intermediate(s) below it, pathLen {path_len})"
    )]
    PathLenExceeded {
        /// The constraining CA.
        issuer: String,
        /// The intermediates below it on the path.
        below: usize,
        /// Its pathLenConstraint.
        path_len: u8,
    },
    /// A certificate's keyUsage does not allow its role: digitalSignature or nonRepudiation for
    /// the signer, keyCertSign for an issuer.
    #[error("key usage of {subject} does not allow {needed}")]
    KeyUsage {
        /// The certificate.
        subject: String,
        /// The usage its role needs.
        needed: &'static str,
    },
    /// A certificate on the path has an extended key usage that does not allow signing messages
    /// (needs emailProtection or anyExtendedKeyUsage).
    #[error(
        "extended key usage of {subject} does not allow signing messages (needs emailProtection or anyExtendedKeyUsage)"
    )]
    ExtendedKeyUsage {
        /// The certificate.
        subject: String,
    },
    /// A certificate carries a critical extension this crate does not understand.
    #[error("certificate {subject} has an unknown critical extension {oid}")]
    UnknownCriticalExtension {
        /// The certificate.
        subject: String,
        /// The extension's OID, dotted.
        oid: String,
    },
    /// The issuer's key did not sign the certificate.
    #[error("bad signature: {issuer} did not sign {subject}")]
    BadSignature {
        /// The candidate issuer.
        issuer: String,
        /// The certificate.
        subject: String,
    },
    /// The certificate is signed with a digest refused by policy (SHA-1 without the opt-in).
    #[error("certificate {subject} is signed with {digest}, refused unless SHA-1 is allowed")]
    WeakDigest {
        /// The certificate.
        subject: String,
        /// The digest (`SHA-1`).
        digest: &'static str,
    },
    /// The certificate's signatureAlgorithm differs from its TBSCertificate's signature field, or
    /// its parameters are not NULL or absent.
    #[error("certificate {subject}: {detail}")]
    SignatureAlgorithmMismatch {
        /// The certificate.
        subject: String,
        /// What differs.
        detail: String,
    },
    /// The certificate is signed with an algorithm this crate does not verify.
    #[error("certificate {subject} is signed with an unsupported algorithm {oid}")]
    UnsupportedSignatureAlgorithm {
        /// The certificate.
        subject: String,
        /// The algorithm, by name or dotted OID.
        oid: String,
    },
    /// The issuer's public key cannot check signatures (not RSA, or malformed).
    #[error("cannot check the signature of {issuer} on {subject}: {reason}")]
    IssuerKey {
        /// The candidate issuer.
        issuer: String,
        /// The certificate.
        subject: String,
        /// Why its key is unusable.
        reason: String,
    },
    /// A certificate's notAfter is before the verification time.
    #[error(
        "certificate expired: {subject} (valid {not_before} .. {not_after}, checked at {time})"
    )]
    Expired {
        /// The certificate.
        subject: String,
        /// Start of validity.
        not_before: String,
        /// End of validity.
        not_after: String,
        /// The verification time.
        time: String,
    },
    /// A certificate's notBefore is after the verification time.
    #[error(
        "certificate not yet valid: {subject} (valid {not_before} .. {not_after}, checked at {time})"
    )]
    NotYetValid {
        /// The certificate.
        subject: String,
        /// Start of validity.
        not_before: String,
        /// End of validity.
        not_after: String,
        /// The verification time.
        time: String,
    },
    /// The signer certificate is a CA (basicConstraints cA=TRUE), not an end entity.
    #[error("the signer certificate {subject} is a CA certificate (basicConstraints cA=TRUE)")]
    CaUsedAsEndEntity {
        /// The signer certificate.
        subject: String,
    },
    /// A path would need more intermediates than
    /// [`PathLimits::max_intermediates`](crate::chain::PathLimits::max_intermediates).
    #[error("the certificate path needs more than {max} intermediate(s)")]
    PathTooLong {
        /// The bound.
        max: usize,
    },
    /// The path search used up its
    /// [`PathLimits::max_signature_checks`](crate::chain::PathLimits::max_signature_checks): it stops at
    /// once, whatever else was found.
    #[error("path search budget exhausted: more than {max} certificate signature checks")]
    BudgetExhausted {
        /// The bound.
        max: usize,
    },
}

impl ChainError {
    /// How specific the failure is: a failed search reports the highest rank it saw (the first of
    /// equal ranks). The order follows rustls-webpki's `Error::rank`: validity, then signatures,
    /// then usage, then constraints, then structure; an unknown issuer says least.
    pub fn rank(&self) -> u32 {
        match self {
            ChainError::BudgetExhausted { .. } => u32::MAX,
            ChainError::Expired { .. } | ChainError::NotYetValid { .. } => 290,
            ChainError::BadSignature { .. } => 260,
            ChainError::SignatureAlgorithmMismatch { .. }
            | ChainError::UnsupportedSignatureAlgorithm { .. }
            | ChainError::WeakDigest { .. }
            | ChainError::IssuerKey { .. } => 250,
            ChainError::ExtendedKeyUsage { .. } => 240,
            ChainError::PathLenExceeded { .. } => 220,
            ChainError::CaUsedAsEndEntity { .. } | ChainError::IssuerNotCa { .. } => 210,
            ChainError::KeyUsage { .. } => 200,
            ChainError::UnknownCriticalExtension { .. } => 190,
            ChainError::PathTooLong { .. } => 100,
            ChainError::UnknownIssuer { .. } => 0,
        }
    }

    /// Whether the search stops at this failure instead of trying other candidates.
    pub(crate) fn is_fatal(&self) -> bool {
        matches!(self, ChainError::BudgetExhausted { .. })
    }
}
