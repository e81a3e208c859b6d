//! Building answers: signed (`{"check_value": …}`, by the sandbox's Huifu identity, Huifu
//! mode) and unsigned (errors before the merchant is authenticated).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::App;
use super::codes::{ERR_INTERNAL, ERR_MALFORMED, code};
use super::params::ECHO_FIELDS;
use crate::error::escape_untrusted;
use crate::{ContentMode, Error, Result};

/// An unsigned error answer.
pub(crate) fn unsigned_error(
    app: &App,
    status: StatusCode,
    cmd_id: Option<&str>,
    suffix: &str,
    desc: &str,
) -> Response {
    let resp_code = code(cmd_id, suffix);
    if app.log {
        // `desc` may quote the request (a mer_cust_id, a parser's message): escaped, so a value
        // cannot write a log line of its own.
        eprintln!(
            "sandbox request refused (unsigned): {resp_code} {}",
            escape_untrusted(desc)
        );
    }
    let body = serde_json::json!({ "resp_code": resp_code, "resp_desc": desc });
    (status, axum::Json(body)).into_response()
}

/// A signed answer's check_value.
pub(crate) fn sign(app: &App, content: &Map<String, Value>) -> Result<String> {
    let json = serde_json::to_vec(content).map_err(|e| Error::Signing(e.to_string()))?;
    app.huifu
        .sign(&json, ContentMode::Huifu)
        .map(|m| m.check_value())
}

/// A signed `{"check_value": …}` answer.
pub(crate) fn signed_answer(app: &App, cmd_id: &str, content: &Map<String, Value>) -> Response {
    match sign(app, content) {
        Ok(cv) => axum::Json(serde_json::json!({ "check_value": cv })).into_response(),
        Err(e) => unsigned_error(
            app,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(cmd_id),
            ERR_INTERNAL,
            &format!("sandbox failed to sign its answer: {e}"),
        ),
    }
}

/// The JSON of an answer: cmd_id, mer_cust_id, the echoed request fields, resp_code, resp_desc.
pub(crate) fn answer_base(
    request: &Map<String, Value>,
    cmd_id: &str,
    mer_cust_id: &str,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("cmd_id".into(), Value::from(cmd_id));
    out.insert("mer_cust_id".into(), Value::from(mer_cust_id));
    for field in ECHO_FIELDS {
        if let Some(v) = request.get(*field) {
            out.insert((*field).into(), v.clone());
        }
    }
    out
}

/// A signed error answer (after authentication).
pub(crate) fn signed_error(
    app: &App,
    request: &Map<String, Value>,
    cmd_id: &str,
    mer_cust_id: &str,
    suffix: &str,
    desc: &str,
) -> Response {
    if app.log {
        eprintln!(
            "sandbox request refused (signed): {} {}",
            code(Some(cmd_id), suffix),
            escape_untrusted(desc)
        );
    }
    let mut out = answer_base(request, cmd_id, mer_cust_id);
    out.insert("resp_code".into(), Value::from(code(Some(cmd_id), suffix)));
    out.insert("resp_desc".into(), Value::from(desc));
    signed_answer(app, cmd_id, &out)
}

/// The signed error answer for a date field that is not a valid `YYYYMMDD` date.
pub(crate) fn bad_date(
    app: &App,
    request: &Map<String, Value>,
    cmd_id: &str,
    mer_cust_id: &str,
    name: &str,
) -> Response {
    signed_error(
        app,
        request,
        cmd_id,
        mer_cust_id,
        ERR_MALFORMED,
        &format!("{name} is not a valid YYYYMMDD date"),
    )
}
