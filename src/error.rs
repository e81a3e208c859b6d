//! The crate's one error type: every variant names what went wrong.

mod chain;
mod escape;

use std::fmt;

pub use chain::ChainError;
#[cfg(feature = "client")]
pub(crate) use escape::escape_untrusted_bounded;
pub(crate) use escape::{escape_untrusted, hex};

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which side of a [`Error::LimitExceeded`] bound was crossed, with the bound's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The value is below this minimum.
    Min(u64),
    /// The value is above this maximum.
    Max(u64),
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Min(min) => write!(f, "the minimum is {min}"),
            Bound::Max(max) => write!(f, "the maximum is {max}"),
        }
    }
}

/// Everything that can fail in this crate.
///
/// Variants are grouped by stage: input decoding, PKCS#12, signing, verification, chain
/// building (one variant, [`Error::Chain`], carrying a [`ChainError`]), certificate decoding,
/// identity pinning, and the APP+ client. Variants only the client can produce exist with the
/// feature `client`, those only the test PKI or the sandbox can produce with `sandbox`.
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
    #[error("limit exceeded: {limit} is {value}, {bound}")]
    LimitExceeded {
        /// The name of the bound.
        limit: &'static str,
        /// The value found.
        value: u64,
        /// The bound: a minimum the value is below, or a maximum it is above.
        bound: Bound,
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
    /// The RSA engine asked for (by its name: `ifma`) does not run on this CPU; the signer or
    /// verifier is not built (choose the engine `Auto` to take the fastest kernel the CPU has).
    #[error("the {0} RSA engine does not run on this CPU")]
    EngineUnavailable(&'static str),

    // ---- signing -------------------------------------------------------------------------
    /// The RSA signing operation failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// A request parameter holds a character the guide forbids in values (guide lines 12–13:
    /// "所有参数值不应该包含与 JSON 格式冲突的特殊字符,如括号,逗号,双引号,冒号等"): refused before
    /// anything is signed or sent.
    #[cfg(feature = "client")]
    #[error(
        "parameter {field} holds {character:?}, which the guide forbids in parameter values (brackets, commas, double quotes, colons)"
    )]
    ForbiddenCharacter {
        /// The parameter's name.
        field: String,
        /// The first forbidden character found.
        character: char,
    },
    /// The operating system's random number generator failed (signing needs fresh blinding
    /// factors from it).
    #[error("the operating system's random number generator failed: {0}")]
    RandomSource(String),

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
    /// No certificate path from the signer to a trust anchor holds: the most specific reason
    /// found ([`ChainError::rank`]).
    #[error("untrusted chain: {0}")]
    Chain(#[from] ChainError),

    // ---- certificates (decoding, before any path is built) -------------------------------
    /// A certificate carries the same extension twice (RFC 5280 §4.2: "A certificate MUST NOT
    /// include more than one instance of a particular extension").
    #[error("certificate {subject} has more than one {oid} extension")]
    DuplicateExtension {
        /// The certificate's subject (escaped).
        subject: String,
        /// The repeated extension's OID.
        oid: String,
    },
    /// A certificate is not DER (indefinite or non-minimal lengths, constructed strings): its
    /// signature is over the DER encoding, and a certificate is refused rather than re-encoded.
    #[error("certificate is not DER-encoded")]
    CertificateNotDer,

    // ---- identity ------------------------------------------------------------------------
    /// The signer is not who the caller pinned.
    #[error("identity mismatch: expected signer id {expected}, found {found}")]
    IdentityMismatch {
        /// The pinned id.
        expected: String,
        /// What the signer's CN carries.
        found: String,
    },

    // ---- client --------------------------------------------------------------------------
    /// A value is not in the form the API requires (an amount, a date, an order key, …).
    #[cfg(feature = "client")]
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidValue {
        /// What kind of value (e.g. "amount", "date").
        what: &'static str,
        /// The value given (bounded).
        value: String,
        /// Why it is refused.
        reason: String,
    },
    /// The call's parameters cannot become the signed JSON object (not an object, or not
    /// serialisable). Nothing was sent.
    #[cfg(feature = "client")]
    #[error("invalid request parameters: {0}")]
    InvalidParams(String),
    /// A parameter contradicts what the client sends on the wire (`version`, `cmd_id` or
    /// `mer_cust_id`); the request was refused before signing. Nothing was sent.
    #[cfg(feature = "client")]
    #[error("parameter {field} is {given:?} but the request carries {expected:?}")]
    ParamConflict {
        /// The contradicting key.
        field: &'static str,
        /// The value found in the parameters.
        given: String,
        /// The value the client sends.
        expected: String,
    },
    /// The client could not be configured (TLS roots, HTTP client, endpoint).
    #[cfg(feature = "client")]
    #[error("client configuration: {0}")]
    ClientConfig(String),
    /// The server answered with an HTTP error status.
    #[cfg(feature = "client")]
    #[error("HTTP status {status}: {excerpt}")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
        /// The start of the body (at most 512 bytes, lossy UTF-8).
        excerpt: String,
    },
    /// The server answered without a `check_value`: an error page or a plain JSON. Never a valid
    /// answer.
    #[cfg(feature = "client")]
    #[error("unsigned answer (HTTP {status}): {excerpt}")]
    UnsignedAnswer {
        /// The HTTP status code.
        status: u16,
        /// The start of the body (at most 512 bytes, lossy UTF-8).
        excerpt: String,
    },
    /// The answer's `check_value` did not verify (bad signature, untrusted chain, malformed, …);
    /// `source` is the verifier's error.
    #[cfg(feature = "client")]
    #[error("the answer does not verify (HTTP {status}): {source}")]
    AnswerSignature {
        /// The HTTP status code.
        status: u16,
        /// The start of the body (at most 512 bytes, lossy UTF-8).
        excerpt: String,
        /// What the verifier reported.
        #[source]
        source: Box<Error>,
    },
    /// The answer is validly signed, but not by the pinned identity (the verifier's
    /// [`Error::IdentityMismatch`]): for example another merchant's certificate.
    #[cfg(feature = "client")]
    #[error("the answer is signed by {found:?}, not by {expected:?} (HTTP {status})")]
    AnswerIdentity {
        /// The HTTP status code.
        status: u16,
        /// The start of the body (at most 512 bytes, lossy UTF-8).
        excerpt: String,
        /// The pinned id.
        expected: String,
        /// The id the signer's certificate carries.
        found: String,
    },
    /// The answer verified, but it is not bound to the request: a field the request carries
    /// (`cmd_id`, `mer_cust_id`, `order_id`, `order_date`; for a 301 query these name the queried
    /// order) is missing from the answer, or is not the same string (empty, a number, another
    /// value). A validly signed answer replayed from another merchant, order or query.
    #[cfg(feature = "client")]
    #[error(
        "the answer's {field} is {}, the request's is {expected:?} (HTTP {status})",
        found.as_deref().unwrap_or("absent")
    )]
    AnswerMismatch {
        /// The HTTP status code.
        status: u16,
        /// The field that differs (`mer_cust_id`, `cmd_id`, `order_id` or `order_date`).
        field: &'static str,
        /// The request's value.
        expected: String,
        /// The answer's value as JSON text (a string in quotes, a number as it is; escaped, at
        /// most 128 characters); `None` when the answer lacks the field.
        found: Option<String>,
        /// The whole verified answer, for diagnosis.
        json: Box<serde_json::Map<String, serde_json::Value>>,
    },
    /// The answer verified and is bound to the request, but a field does not read as its typed
    /// answer says (a `null`, a date that is no date). The verified answer is not lost: its JSON
    /// and its check_value (the proof of what Huifu said) come with the error.
    #[cfg(feature = "client")]
    #[error(
        "the verified {cmd_id} answer does not read as typed: {reason} (resp_code {resp_code:?})"
    )]
    AnswerFields {
        /// The command answered.
        cmd_id: String,
        /// The answer's resp_code.
        resp_code: String,
        /// What did not read.
        reason: String,
        /// The verified answer's JSON.
        json: Box<serde_json::Map<String, serde_json::Value>>,
        /// The verified answer's check_value as received.
        check_value: String,
    },
    /// The answer is longer than the client's `MAX_ANSWER_BYTES` (1 MiB): it is refused, never
    /// verified from a cut prefix.
    #[cfg(feature = "client")]
    #[error("the answer is larger than {limit} bytes (HTTP {status})")]
    AnswerTooLarge {
        /// The HTTP status code.
        status: u16,
        /// The bound in bytes.
        limit: usize,
    },
    /// A JSON object in the answer holds the same key twice (in the body around the
    /// `check_value`, or at any depth of the signed content): two readers of the same text could
    /// take different values, so the answer is refused.
    #[cfg(feature = "client")]
    #[error("the answer holds the key \"{key}\" twice (HTTP {status})")]
    AnswerDuplicateKey {
        /// The HTTP status code.
        status: u16,
        /// The repeated key (escaped, at most 64 characters).
        key: String,
        /// Whether the duplicate is inside the signed content (`false`: in the body around it).
        signed: bool,
    },
    /// The answer verified, but its signed content is not a JSON object.
    #[cfg(feature = "client")]
    #[error("the signed answer is not a JSON object (HTTP {status}): {excerpt}")]
    AnswerNotJson {
        /// The HTTP status code.
        status: u16,
        /// The start of the signed content (at most 512 bytes).
        excerpt: String,
    },
    /// The request timed out (connect or total timeout). `sent` tells whether the request may
    /// have reached the server.
    #[cfg(feature = "client")]
    #[error("timed out {}", if *sent { "waiting for the answer (the request may have reached the server)" } else { "connecting (nothing was sent)" })]
    Timeout {
        /// Whether the request may have reached the server.
        sent: bool,
    },
    /// The HTTP exchange failed (connection refused, TLS, reset, …). `sent` tells whether the
    /// request may have reached the server.
    #[cfg(feature = "client")]
    #[error("transport error ({}): {source}", if *sent { "the request may have reached the server" } else { "nothing was sent" })]
    Transport {
        /// Whether the request may have reached the server.
        sent: bool,
        /// reqwest's error.
        #[source]
        source: reqwest::Error,
    },
    /// A notification or redirect is not in the expected form (no `check_value`, bad encoding).
    #[cfg(feature = "client")]
    #[error("invalid notification: {0}")]
    InvalidNotification(String),
    /// A notification came from a peer address the client was not told to accept
    /// (`ClientBuilder::notification_sources`).
    #[cfg(feature = "client")]
    #[error(
        "notification refused: peer {peer} is not a configured notification source \
         (Huifu's production system posts from 139.224.111.237, guide line 97)"
    )]
    NotificationSource {
        /// The peer's address.
        peer: std::net::IpAddr,
    },

    // ---- sandbox / pki ---------------------------------------------------------------------
    /// Generating the test PKI failed; `what` names the step.
    #[cfg(feature = "sandbox")]
    #[error("test PKI: {what}: {detail}")]
    Pki {
        /// The step that failed (e.g. "RSA key generation", "certificate signing").
        what: &'static str,
        /// Why it failed.
        detail: String,
    },
    /// The sandbox server could not be configured or started.
    #[cfg(feature = "sandbox")]
    #[error("sandbox: {0}")]
    Sandbox(String),

    // ---- I/O -----------------------------------------------------------------------------
    /// Reading or writing a file failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// A file the caller named could not be read or decoded: `path` names it, `source` says why
    /// (an [`Error::Io`], an [`Error::Malformed`], …).
    #[error("{path}: {source}")]
    File {
        /// The file, as the caller named it.
        path: String,
        /// What went wrong.
        source: Box<Error>,
    },
}

/// `Error::LimitExceeded` unless `value <= max`.
pub(crate) fn at_most(limit: &'static str, value: usize, max: usize) -> Result<()> {
    if value > max {
        Err(Error::LimitExceeded {
            limit,
            value: u64::try_from(value).unwrap_or(u64::MAX),
            bound: Bound::Max(u64::try_from(max).unwrap_or(u64::MAX)),
        })
    } else {
        Ok(())
    }
}

impl Error {
    /// `e`, naming the file it came from.
    pub(crate) fn in_file(path: &std::path::Path, e: Error) -> Error {
        Error::File {
            path: path.display().to_string(),
            source: Box::new(e),
        }
    }

    /// Reads a file, naming it when that fails.
    pub(crate) fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
        std::fs::read(path).map_err(|e| Error::in_file(path, e.into()))
    }
    /// Whether the request may have reached the server: `true` once an HTTP answer came back (any
    /// status, signed or not) and for timeouts or transport failures after connecting; `false`
    /// for errors raised before sending (bad parameters, signing, configuration, connect failures).
    ///
    /// A call that failed with `was_sent() == true` may have taken effect: query the order (cmd
    /// 301) before sending it again. The client never retries on its own.
    #[cfg(feature = "client")]
    pub fn was_sent(&self) -> bool {
        match self {
            Error::HttpStatus { .. }
            | Error::UnsignedAnswer { .. }
            | Error::AnswerSignature { .. }
            | Error::AnswerIdentity { .. }
            | Error::AnswerTooLarge { .. }
            | Error::AnswerDuplicateKey { .. }
            | Error::AnswerNotJson { .. }
            | Error::AnswerMismatch { .. }
            | Error::AnswerFields { .. } => true,
            Error::Timeout { sent } => *sent,
            Error::Transport { sent, .. } => *sent,
            _ => false,
        }
    }

    /// The HTTP status of the answer an error came with, if any.
    #[cfg(feature = "client")]
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::HttpStatus { status, .. }
            | Error::UnsignedAnswer { status, .. }
            | Error::AnswerSignature { status, .. }
            | Error::AnswerIdentity { status, .. }
            | Error::AnswerTooLarge { status, .. }
            | Error::AnswerDuplicateKey { status, .. }
            | Error::AnswerNotJson { status, .. }
            | Error::AnswerMismatch { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The start of the answer's body (at most 512 bytes) an error came with, if any.
    #[cfg(feature = "client")]
    pub fn body_excerpt(&self) -> Option<&str> {
        match self {
            Error::HttpStatus { excerpt, .. }
            | Error::UnsignedAnswer { excerpt, .. }
            | Error::AnswerSignature { excerpt, .. }
            | Error::AnswerIdentity { excerpt, .. }
            | Error::AnswerNotJson { excerpt, .. } => Some(excerpt),
            _ => None,
        }
    }

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
