//! Authentication, as Huifu checks a request: the four form fields, `version` `10`, a registered
//! `mer_cust_id`, a check_value that verifies (signature, chain, the merchant's pinned id), the
//! form agreeing with the signed JSON; then the guide's parameter rules; then the dispatch on the
//! cmd_id to the interface's module.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::App;
use super::answer::{answer_base, signed_answer};
use super::answer::{signed_error, unsigned_error};
use super::codes::*;
use super::order::order_answer;
use super::params::text_of;
use super::params::{check_values, missing_required};
use super::query::query_answer;
use super::routes::Endpoint;
use super::upload::upload_answer;
use crate::{ContentMode, Error};

/// Checks the four fields and the signature, then dispatches on the cmd_id.
pub(crate) fn handle(app: &App, fields: &HashMap<String, String>, endpoint: Endpoint) -> Response {
    let form_cmd = fields.get("cmd_id").map(String::as_str);
    for name in ["version", "cmd_id", "mer_cust_id", "check_value"] {
        if fields.get(name).is_none_or(|v| v.trim().is_empty()) {
            return unsigned_error(
                app,
                StatusCode::OK,
                form_cmd,
                ERR_MISSING,
                &format!("missing form field {name}"),
            );
        }
    }
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let (version, cmd_id, mer_cust_id) = (get("version"), get("cmd_id"), get("mer_cust_id"));
    // The guide's C# upload demo appends check_value to the URL without encoding it (line ~849:
    // `url_with_param += "&check_value=" + check_value`), so a '+' of its base64 arrives as a
    // space. Base64 has no spaces: each one is a '+' (our reading; a servlet would do the same
    // for the CFCA SDK to verify it).
    let check_value_text = get("check_value").replace(' ', "+");
    let check_value = check_value_text.as_str();
    if version != VERSION {
        return unsigned_error(
            app,
            StatusCode::OK,
            Some(cmd_id),
            ERR_VERSION,
            &format!("unsupported version {version:?}: must be {VERSION}"),
        );
    }
    let Some(verifier) = app.verifiers.get(mer_cust_id) else {
        return unsigned_error(
            app,
            StatusCode::OK,
            Some(cmd_id),
            ERR_UNKNOWN_MERCHANT,
            &format!("unknown merchant {mer_cust_id}"),
        );
    };
    let verified = match verifier.verify(check_value.as_bytes()) {
        Ok(v) => v,
        Err(e @ Error::Malformed { .. }) | Err(e @ Error::TrailingData { .. }) => {
            return unsigned_error(
                app,
                StatusCode::OK,
                Some(cmd_id),
                ERR_MALFORMED,
                &format!("malformed check_value: {e}"),
            );
        }
        Err(e) => {
            return unsigned_error(
                app,
                StatusCode::OK,
                Some(cmd_id),
                ERR_SIGNATURE,
                &format!("signature verification failed: {e}"),
            );
        }
    };
    let content = verified.content(ContentMode::Huifu);
    // The one reading of signed JSON the client uses too: a key given twice is refused.
    let request = match crate::client::json::parse_object(&content) {
        Ok(map) => map,
        Err(crate::client::json::JsonProblem::DuplicateKey(_)) => {
            return signed_error(
                app,
                &Map::new(),
                cmd_id,
                mer_cust_id,
                ERR_MALFORMED,
                "the signed content holds a key twice",
            );
        }
        Err(_) => {
            return signed_error(
                app,
                &Map::new(),
                cmd_id,
                mer_cust_id,
                ERR_MALFORMED,
                "the signed content is not a JSON object",
            );
        }
    };
    for (name, form_value) in [
        ("version", version),
        ("cmd_id", cmd_id),
        ("mer_cust_id", mer_cust_id),
    ] {
        let signed = request.get(name).and_then(text_of);
        if signed.as_deref() != Some(form_value) {
            return signed_error(
                app,
                &request,
                cmd_id,
                mer_cust_id,
                ERR_FIELD_MISMATCH,
                &format!(
                    "form field {name}={form_value:?} differs from the signed JSON ({})",
                    signed.as_deref().unwrap_or("absent")
                ),
            );
        }
    }
    dispatch(app, &request, cmd_id, mer_cust_id, endpoint)
}

pub(crate) fn dispatch(
    app: &App,
    request: &Map<String, Value>,
    cmd_id: &str,
    mer_cust_id: &str,
    endpoint: Endpoint,
) -> Response {
    let wrong_endpoint = match (cmd_id, &endpoint) {
        (UPLOAD_CMD_ID, Endpoint::Form) => Some("cmd 122 uploads go to fileMerchantRequest"),
        (UPLOAD_CMD_ID, Endpoint::File(_)) | (_, Endpoint::Form) => None,
        (_, Endpoint::File(_)) => Some("fileMerchantRequest serves cmd 122 only"),
    };
    if let Some(desc) = wrong_endpoint {
        return signed_error(app, request, cmd_id, mer_cust_id, ERR_UNSUPPORTED_CMD, desc);
    }
    if REMOVED_CMD_IDS.contains(&cmd_id) {
        return signed_error(
            app,
            request,
            cmd_id,
            mer_cust_id,
            ERR_UNSUPPORTED_CMD,
            &format!("interface {cmd_id} was removed (guide change log)"),
        );
    }
    if let Err(problem) = check_values(request) {
        return signed_error(app, request, cmd_id, mer_cust_id, ERR_MALFORMED, &problem);
    }
    if let Some(name) = missing_required(cmd_id, request) {
        return signed_error(
            app,
            request,
            cmd_id,
            mer_cust_id,
            ERR_MISSING,
            &format!("cmd {cmd_id} needs the parameter {name}"),
        );
    }
    match (cmd_id, endpoint) {
        (_, Endpoint::File(upload)) => upload_answer(app, request, cmd_id, mer_cust_id, upload),
        ("301", Endpoint::Form) => query_answer(app, request, cmd_id, mer_cust_id),
        (_, Endpoint::Form) if QUERY_CMD_IDS.contains(&cmd_id) => {
            let mut out = answer_base(request, cmd_id, mer_cust_id);
            out.insert("resp_code".into(), Value::from(code(Some(cmd_id), "000")));
            out.insert("resp_desc".into(), Value::from("成功"));
            signed_answer(app, cmd_id, &out)
        }
        (_, Endpoint::Form) => order_answer(app, request, cmd_id, mer_cust_id),
    }
}
