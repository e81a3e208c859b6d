//! The crate's one error type: every variant names what went wrong.

use std::fmt;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which validity bound of a certificate was violated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidityProblem {
    /// The certificate's `notAfter` is before the verification time.
    Expired,
    /// The certificate's `notBefore` is after the verification time.
    NotYetValid,
}

impl fmt::Display for ValidityProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValidityProblem::Expired => "expired",
            ValidityProblem::NotYetValid => "not yet valid",
        })
    }
}

/// Everything that can fail in this crate.
///
/// Variants are grouped by stage: input decoding, PKCS#12, signing, verification, chain
/// building, identity pinning, and (with the `client` feature) the APP+ client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- input ---------------------------------------------------------------------------
    /// The input is not well-formed; `what` names the structure, `detail` says where or why.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// The structure being decoded (e.g. "PFX", "check_value", "certificate").
        what: &'static str,
        /// Where or why decoding failed.
        detail: String,
    },
    /// Bytes follow a complete structure.
    #[error("malformed {what}: {count} trailing byte(s) after the structure")]
    TrailingData {
        /// The structure that was followed by extra bytes.
        what: &'static str,
        /// How many bytes followed it.
        count: usize,
    },
    /// A configured bound was exceeded (input size, iteration count, key size, …).
    #[error("limit exceeded: {limit} is {value}, the bound is {max}")]
    LimitExceeded {
        /// The name of the bound.
        limit: &'static str,
        /// The value found.
        value: u64,
        /// The configured maximum (or minimum, for lower bounds).
        max: u64,
    },
    /// An algorithm this crate does not implement (or refuses), by OID.
    #[error("unsupported algorithm {oid} ({context})")]
    UnsupportedAlgorithm {
        /// Where the algorithm appeared (e.g. "PKCS#12 bag encryption").
        context: &'static str,
        /// The algorithm's OID in dotted form.
        oid: String,
    },

    // ---- PKCS#12 -------------------------------------------------------------------------
    /// The password is wrong: the MAC did not match, or (without a MAC) decryption padding failed.
    #[error("wrong password: {0}")]
    WrongPassword(&'static str),
    /// The PFX holds no private key.
    #[error("the PFX holds no private key")]
    NoPrivateKey,
    /// The PFX holds no certificate at all.
    #[error("the PFX holds no certificate")]
    NoCertificate,
    /// The PFX holds certificates, but none of them matches the private key.
    #[error("no certificate in the PFX matches its private key")]
    NoMatchingCertificate,
    /// The key is not an RSA key (or not one this crate can sign with).
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),

    // ---- signing -------------------------------------------------------------------------
    /// The RSA signing operation failed.
    #[error("signing failed: {0}")]
    Signing(String),

    // ---- verification --------------------------------------------------------------------
    /// The message carries no content (a detached signature) where attached content is required.
    #[error("detached signature: the message carries no content")]
    DetachedSignature,
    /// The message has a number of signers other than the one required.
    #[error("expected exactly one signer, found {0}")]
    SignerCount(usize),
    /// The signer's certificate is not among the message's (or the caller's) certificates.
    #[error("the signer's certificate is not in the message")]
    SignerCertificateNotFound,
    /// The RSA signature does not verify over the content (or the signed attributes).
    #[error("signature mismatch: the signature does not verify")]
    SignatureMismatch,
    /// The signed `messageDigest` attribute does not equal the content's digest.
    #[error("signature mismatch: the messageDigest attribute does not match the content")]
    DigestMismatch,
    /// The signed attributes are missing a required attribute or carry a wrong one.
    #[error("invalid signed attributes: {0}")]
    InvalidSignedAttributes(String),
    /// SHA-1 was used and the caller did not opt in.
    #[error("weak digest: {0} is refused unless explicitly allowed")]
    WeakDigest(&'static str),
    /// The digest algorithm and the signature algorithm disagree.
    #[error("algorithm mismatch: {0}")]
    AlgorithmMismatch(String),

    // ---- chain ---------------------------------------------------------------------------
    /// No trust anchors were configured and chain validation was not explicitly disabled.
    #[error(
        "no trust anchors: pass trusted CA certificates or disable chain validation explicitly"
    )]
    NoTrustAnchors,
    /// A certificate on the path is outside its validity period.
    #[error("certificate {problem}: {subject} (valid {not_before} .. {not_after})")]
    CertificateValidity {
        /// Expired or not yet valid.
        problem: ValidityProblem,
        /// The certificate's subject.
        subject: String,
        /// Start of validity, RFC 3339.
        not_before: String,
        /// End of validity, RFC 3339.
        not_after: String,
    },
    /// No path from the signer to a trust anchor could be built; `reason` says why.
    #[error("untrusted chain: {reason}")]
    UntrustedChain {
        /// The most specific reason found while building paths.
        reason: String,
    },

    // ---- identity ------------------------------------------------------------------------
    /// The signer is not who the caller pinned.
    #[error("identity mismatch: expected signer id {expected}, found {found}")]
    IdentityMismatch {
        /// The pinned id.
        expected: String,
        /// What the signer's CN carries.
        found: String,
    },

    // ---- sandbox / pki ---------------------------------------------------------------------
    /// Generating the test PKI failed; `what` names the step.
    #[error("test PKI: {what}: {detail}")]
    Pki {
        /// The step that failed (e.g. "RSA key generation", "certificate signing").
        what: &'static str,
        /// Why it failed.
        detail: String,
    },
    /// The sandbox server could not be configured or started.
    #[error("sandbox: {0}")]
    Sandbox(String),

    // ---- I/O -----------------------------------------------------------------------------
    /// Reading or writing a file failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// Shorthand for [`Error::Malformed`].
    pub(crate) fn malformed(what: &'static str, detail: impl fmt::Display) -> Self {
        Error::Malformed {
            what,
            detail: detail.to_string(),
        }
    }

    /// Shorthand for [`Error::UnsupportedAlgorithm`].
    #[allow(dead_code)]
    pub(crate) fn unsupported(context: &'static str, oid: impl fmt::Display) -> Self {
        Error::UnsupportedAlgorithm {
            context,
            oid: oid.to_string(),
        }
    }
}
