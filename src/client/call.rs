//! Signing a request and reading its answer.

use serde::Serialize;
use serde_json::{Map, Value};

use super::json::{JsonProblem, parse_object};
use super::{REQUEST_MODE, VERSION, escape, excerpt};
use crate::signer::Signer;
use crate::verify::Verifier;
use crate::{Error, Result};

/// A signed request: the JSON that was signed and the four wire fields.
///
/// Made only by [`SignedRequest::new`] (or [`Client::sign_request`](super::Client::sign_request)),
/// so the wire fields always agree with the signed JSON.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    cmd_id: String,
    mer_cust_id: String,
    json: String,
    check_value: String,
    order_id: Option<String>,
    order_date: Option<String>,
}

impl std::fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRequest")
            .field("cmd_id", &self.cmd_id)
            .field("mer_cust_id", &self.mer_cust_id)
            .field("json", &self.json)
            .field("check_value_len", &self.check_value.len())
            .field("order_id", &self.order_id)
            .field("order_date", &self.order_date)
            .finish()
    }
}

impl SignedRequest {
    /// Builds the JSON object for `cmd_id` from `params`, refusing contradicting `version`,
    /// `cmd_id` or `mer_cust_id` keys and an `order_id` or `order_date` that is not a string,
    /// and signs it.
    pub fn new<P: Serialize + ?Sized>(
        signer: &Signer,
        mer_cust_id: &str,
        cmd_id: &str,
        params: &P,
    ) -> Result<Self> {
        Self::with_mode(signer, mer_cust_id, cmd_id, params, REQUEST_MODE)
    }

    /// [`SignedRequest::new`], signing the JSON in `mode` (base64 of it, or the JSON itself).
    pub fn with_mode<P: Serialize + ?Sized>(
        signer: &Signer,
        mer_cust_id: &str,
        cmd_id: &str,
        params: &P,
        mode: crate::ContentMode,
    ) -> Result<Self> {
        let RequestJson {
            json,
            order_id,
            order_date,
        } = request_parts(mer_cust_id, cmd_id, params)?;
        let check_value = signer
            .sign(json.as_bytes(), mode)
            .map(|m| m.check_value())?;
        Ok(SignedRequest {
            cmd_id: cmd_id.to_string(),
            mer_cust_id: mer_cust_id.to_string(),
            json,
            check_value,
            order_id,
            order_date,
        })
    }

    /// The command.
    pub fn cmd_id(&self) -> &str {
        &self.cmd_id
    }

    /// The merchant's customer id.
    pub fn mer_cust_id(&self) -> &str {
        &self.mer_cust_id
    }

    /// The exact JSON text that was signed.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The signature over the JSON (Huifu mode), base64 twice.
    pub fn check_value(&self) -> &str {
        &self.check_value
    }

    /// The request's `order_id`, if it has one (for a 301 query: the queried order's); the
    /// answer must carry the same string.
    pub fn order_id(&self) -> Option<&str> {
        self.order_id.as_deref()
    }

    /// The request's `order_date`, if it has one (for a 301 query: the queried order's); the
    /// answer must carry the same string.
    pub fn order_date(&self) -> Option<&str> {
        self.order_date.as_deref()
    }

    /// The fields an answer must repeat as the same JSON strings: `cmd_id`, `mer_cust_id`, and
    /// `order_id` and `order_date` when the request carries them.
    pub fn bindings(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![
            ("cmd_id", self.cmd_id.as_str()),
            ("mer_cust_id", self.mer_cust_id.as_str()),
        ];
        if let Some(id) = &self.order_id {
            out.push(("order_id", id.as_str()));
        }
        if let Some(date) = &self.order_date {
            out.push(("order_date", date.as_str()));
        }
        out
    }

    /// The four fields, in the order the demos send them.
    pub fn fields(&self) -> Vec<(String, String)> {
        vec![
            ("version".into(), VERSION.into()),
            ("cmd_id".into(), self.cmd_id.clone()),
            ("mer_cust_id".into(), self.mer_cust_id.clone()),
            ("check_value".into(), self.check_value.clone()),
        ]
    }

    /// The `application/x-www-form-urlencoded` body (every value URL-encoded).
    pub fn form_body(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.fields() {
            out.append_pair(&k, &v);
        }
        out.finish()
    }
}

/// The JSON text to sign: `version`, `cmd_id`, `mer_cust_id` first (as Huifu's demos write it),
/// then the other parameters; `null`s are dropped. (The unit tests' view of [`request_parts`].)
#[cfg(test)]
pub(crate) fn request_json<P: Serialize + ?Sized>(
    mer_cust_id: &str,
    cmd_id: &str,
    params: &P,
) -> Result<String> {
    request_parts(mer_cust_id, cmd_id, params).map(|parts| parts.json)
}

/// The JSON text to sign and the order it names.
struct RequestJson {
    json: String,
    /// The order the request names (for a 301 query: the queried order), which the answer must
    /// repeat as the same string; `None` for an absent, null or empty value.
    order_id: Option<String>,
    order_date: Option<String>,
}

/// [`request_json`], with the order the request names read from the same parameters: a value
/// that is not a string is refused before signing (the answer could never repeat it).
fn request_parts<P: Serialize + ?Sized>(
    mer_cust_id: &str,
    cmd_id: &str,
    params: &P,
) -> Result<RequestJson> {
    if cmd_id.is_empty() || !cmd_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::InvalidParams(format!(
            "cmd_id {:?} is not a command number",
            cmd_id.chars().take(32).collect::<String>()
        )));
    }
    let value = serde_json::to_value(params)
        .map_err(|e| Error::InvalidParams(format!("serialisation failed: {e}")))?;
    let mut map = match value {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => {
            return Err(Error::InvalidParams(format!(
                "the parameters must be a JSON object, not {}",
                kind(&other)
            )));
        }
    };
    for (field, expected) in [
        ("version", VERSION),
        ("cmd_id", cmd_id),
        ("mer_cust_id", mer_cust_id),
    ] {
        match map.remove(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(given)) if given == expected => {}
            Some(Value::String(given)) => {
                return Err(Error::ParamConflict {
                    field,
                    given,
                    expected: expected.to_string(),
                });
            }
            Some(other) => {
                return Err(Error::ParamConflict {
                    field,
                    given: other.to_string(),
                    expected: expected.to_string(),
                });
            }
        }
    }
    // Guide lines 12–13: no JSON-conflicting characters in values (JSON-text fields exempt).
    for (field, value) in &map {
        if let Value::String(text) = value
            && let Some(character) = super::values::forbidden_character(field, text)
        {
            return Err(Error::ForbiddenCharacter {
                field: escape(field),
                character,
            });
        }
    }
    let binding = |name: &str| match map.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        None | Some(Value::Null) | Some(Value::String(_)) => Ok(None),
        Some(other) => Err(Error::InvalidParams(format!(
            "{name} must be a string, not {}",
            kind(other)
        ))),
    };
    let (order_id, order_date) = (binding("order_id")?, binding("order_date")?);
    let mut ordered = Vec::with_capacity(map.len() + 3);
    ordered.push(("version".to_string(), Value::String(VERSION.into())));
    ordered.push(("cmd_id".to_string(), Value::String(cmd_id.into())));
    ordered.push(("mer_cust_id".to_string(), Value::String(mer_cust_id.into())));
    ordered.extend(map.into_iter().filter(|(_, v)| !v.is_null()));
    let mut out = String::from("{");
    for (i, (k, v)) in ordered.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let key = serde_json::to_string(k).map_err(|e| Error::InvalidParams(e.to_string()))?;
        let value = serde_json::to_string(v).map_err(|e| Error::InvalidParams(e.to_string()))?;
        out.push_str(&key);
        out.push(':');
        out.push_str(&value);
    }
    out.push('}');
    Ok(RequestJson {
        json: out,
        order_id,
        order_date,
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A verified synchronous answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The signed JSON object.
    pub json: Map<String, Value>,
    /// `resp_code` (empty when absent).
    pub resp_code: String,
    /// `resp_desc` (empty when absent).
    pub resp_desc: String,
    /// The answer's check_value as received: keep it as proof of what Huifu said.
    pub check_value: String,
    /// The HTTP status the answer came with.
    pub http_status: u16,
    cmd_id: String,
    /// The verified JSON as it was signed.
    text: String,
}

impl Answer {
    /// Reads an HTTP answer: status, `{"check_value": ...}` body, verification, JSON.
    pub(crate) fn from_http(
        verifier: &Verifier,
        request: &SignedRequest,
        status: u16,
        body: &[u8],
    ) -> Result<Answer> {
        if !(200..300).contains(&status) {
            return Err(Error::HttpStatus {
                status,
                excerpt: excerpt(body),
            });
        }
        let check_value = match parse_object(body) {
            Ok(map) => match map.get("check_value") {
                Some(Value::String(cv)) if !cv.trim().is_empty() => cv.clone(),
                _ => return Err(unsigned(status, body)),
            },
            Err(JsonProblem::DuplicateKey(key)) => {
                return Err(duplicate_key(status, &key, false));
            }
            Err(_) => return Err(unsigned(status, body)),
        };
        let (json, text) = verify_json(verifier, &check_value).map_err(|e| match e {
            Error::IdentityMismatch { expected, found } => Error::AnswerIdentity {
                status,
                excerpt: excerpt(body),
                expected,
                found: escape(&found),
            },
            Error::AnswerNotJson { excerpt, .. } => Error::AnswerNotJson { status, excerpt },
            Error::AnswerDuplicateKey { key, signed, .. } => Error::AnswerDuplicateKey {
                status,
                key,
                signed,
            },
            other => Error::AnswerSignature {
                status,
                excerpt: excerpt(body),
                source: Box::new(other),
            },
        })?;
        // Huifu signs every merchant's answers with the same key: a validly signed answer to
        // another merchant's request, another order or another query must not pass for this
        // one's. Every binding field the request carries must come back as the same string.
        for (field, expected) in request.bindings() {
            match json.get(field) {
                Some(Value::String(found)) if found == expected => {}
                found => {
                    let found =
                        found.map(|v| escape(&v.to_string().chars().take(128).collect::<String>()));
                    return Err(Error::AnswerMismatch {
                        status,
                        field,
                        expected: escape(expected),
                        found,
                        json: Box::new(json),
                    });
                }
            }
        }
        Ok(Answer::new(
            json,
            text,
            check_value,
            status,
            &request.cmd_id,
        ))
    }

    pub(crate) fn new(
        json: Map<String, Value>,
        text: String,
        check_value: String,
        http_status: u16,
        cmd_id: &str,
    ) -> Answer {
        let field = |k: &str| match json.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let resp_code = field("resp_code");
        let resp_desc = field("resp_desc");
        Answer {
            json,
            resp_code,
            resp_desc,
            check_value,
            http_status,
            cmd_id: cmd_id.to_string(),
            text,
        }
    }

    /// The verified JSON text, exactly as Huifu signed it (print or store it without naming
    /// `serde_json`; [`Answer::json`] is the same, parsed).
    pub fn json_text(&self) -> &str {
        &self.text
    }

    /// The command this answers.
    pub fn cmd_id(&self) -> &str {
        &self.cmd_id
    }

    /// Whether `resp_code` is the command's success code (`cmd_id` + `000`, e.g. `301000`).
    /// Other codes may still mean "accepted" (`218002`): read [`Answer::resp_code`].
    pub fn is_success(&self) -> bool {
        self.resp_code.len() == self.cmd_id.len() + 3
            && self.resp_code.starts_with(&self.cmd_id)
            && self.resp_code.ends_with("000")
    }

    /// A string field of the answer (`None` when absent or not a string).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(Value::as_str)
    }

    /// The answer's JSON as a typed value. When a field does not read, the error
    /// ([`Error::AnswerFields`]) still carries the verified JSON and check_value.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(Value::Object(self.json.clone())).map_err(|e| Error::AnswerFields {
            cmd_id: self.cmd_id.clone(),
            resp_code: escape(&self.resp_code),
            reason: escape(&e.to_string()),
            json: Box::new(self.json.clone()),
            check_value: self.check_value.clone(),
        })
    }

    /// What the answer's code says about the request: see [`AnswerOutcome`].
    pub fn outcome(&self) -> AnswerOutcome {
        AnswerOutcome::of(&self.cmd_id, &self.resp_code)
    }
}

/// What an answer's `resp_code` says, for a caller to match on. Only a code the guide calls a
/// failure is [`AnswerOutcome::Failed`]: an unknown or pending code never counts as a failure,
/// so order-state tracking never gives up on an order that may still succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AnswerOutcome {
    /// `<cmd_id>000`: done (the guide's success codes, e.g. `301000`).
    Succeeded,
    /// `<cmd_id>002`: accepted, the final result comes by the `bg_ret_url` notification
    /// (guide line ~1103: `218002` 请求已受理; the same suffix is "accepted / processing" for 202,
    /// 104 and 201 in Huifu's own demo and public integrations: not from the guide).
    Accepted,
    /// A code the guide calls a failure (line ~1103: `218003` 交易失败).
    Failed,
    /// Any other code, including `<cmd_id>098` (system timeout, guide line ~1103: the result is
    /// unknown, query it with 301) and codes of another command.
    Unknown,
}

/// Codes the guide names as failures (line ~1103).
const FAILURE_CODES: &[&str] = &["218003"];

impl AnswerOutcome {
    /// The outcome of `resp_code` in an answer to `cmd_id`.
    pub fn of(cmd_id: &str, resp_code: &str) -> AnswerOutcome {
        let own = resp_code.len() == cmd_id.len() + 3
            && resp_code.starts_with(cmd_id)
            && resp_code.bytes().all(|b| b.is_ascii_digit());
        if !own {
            return AnswerOutcome::Unknown;
        }
        if FAILURE_CODES.contains(&resp_code) {
            return AnswerOutcome::Failed;
        }
        match resp_code.get(cmd_id.len()..) {
            Some("000") => AnswerOutcome::Succeeded,
            Some("002") => AnswerOutcome::Accepted,
            _ => AnswerOutcome::Unknown,
        }
    }
}

fn unsigned(status: u16, body: &[u8]) -> Error {
    Error::UnsignedAnswer {
        status,
        excerpt: excerpt(body),
    }
}

/// The error for a key found twice in an answer's JSON.
fn duplicate_key(status: u16, key: &str, signed: bool) -> Error {
    Error::AnswerDuplicateKey {
        status,
        key: escape(&key.chars().take(64).collect::<String>()),
        signed,
    }
}

/// Verifies a check_value with `verifier` and reads its content as a JSON object (duplicate keys
/// refused: [`Error::AnswerDuplicateKey`], `AnswerNotJson` otherwise; both with status 0).
/// Verifies a check_value and reads its content as a JSON object: the object and its text.
pub(crate) fn verify_json(
    verifier: &Verifier,
    check_value: &str,
) -> Result<(Map<String, Value>, String)> {
    let message = verifier.verify(check_value.trim().as_bytes())?;
    // Tolerant reading (protocol.md section 2): base64 of UTF-8 is unwrapped, anything else (the
    // raw JSON some producers sign) is read as it is.
    let content = message.content(crate::ContentMode::Huifu);
    match parse_object(&content) {
        // parse_object reads UTF-8 only, so the text is the content itself.
        Ok(map) => Ok((map, String::from_utf8_lossy(&content).into_owned())),
        Err(JsonProblem::DuplicateKey(key)) => Err(duplicate_key(0, &key, true)),
        Err(_) => Err(Error::AnswerNotJson {
            status: 0,
            excerpt: excerpt(&content),
        }),
    }
}

#[cfg(test)]
mod tests;
