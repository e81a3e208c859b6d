//! The HTTP side: the routes, reading the fields from the query string and the body (form or
//! multipart) as a Java servlet's `getParameter` does, and the sandbox's own state endpoints.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::App;
use super::answer::unsigned_error;
use super::auth::handle;
use super::codes::*;
use super::state::Upload;

/// The router: `merchantRequest` (POST, and GET for page links), `fileMerchantRequest`, and the
/// sandbox's own `/sandbox/orders` and `/sandbox/deliveries`.
pub(crate) fn router(app: Arc<App>, max_body_bytes: usize, max_upload_bytes: usize) -> Router {
    Router::new()
        .route(
            "/api/merchantRequest",
            post(merchant_request)
                .get(merchant_request_query)
                .layer(DefaultBodyLimit::max(max_body_bytes)),
        )
        .route(
            "/api/fileMerchantRequest",
            post(file_merchant_request).layer(DefaultBodyLimit::max(max_upload_bytes)),
        )
        .route("/sandbox/orders", axum::routing::get(list_orders))
        .route("/sandbox/deliveries", axum::routing::get(list_deliveries))
        .with_state(app)
}

pub(crate) fn unix_secs(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

pub(crate) async fn list_orders(State(app): State<Arc<App>>) -> Response {
    let orders: Vec<Value> = app
        .store
        .all()
        .into_iter()
        .map(|o| {
            serde_json::json!({
                "mer_cust_id": o.key.mer_cust_id,
                "order_id": o.key.order_id,
                "order_date": o.key.order_date,
                "cmd_id": o.cmd_id,
                "trans_amt": o.trans_amt,
                "platform_seq_id": o.platform_seq_id,
                "resp_code": o.resp_code,
                "resp_desc": o.resp_desc,
                "trans_stat": o.trans_stat,
                "created": unix_secs(o.created),
            })
        })
        .collect();
    axum::Json(Value::Array(orders)).into_response()
}

pub(crate) async fn list_deliveries(State(app): State<Arc<App>>) -> Response {
    let records: Vec<Value> = app
        .deliveries
        .records()
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "mer_cust_id": r.key.mer_cust_id,
                "order_id": r.key.order_id,
                "order_date": r.key.order_date,
                "url": r.url,
                "attempt": r.attempt,
                "outcome": r.outcome.to_string(),
                "at": unix_secs(r.at),
            })
        })
        .collect();
    axum::Json(Value::Array(records)).into_response()
}

/// What came with the four fields.
pub(crate) enum Endpoint {
    Form,
    File(Option<Upload>),
}

pub(crate) async fn merchant_request(State(app): State<Arc<App>>, request: Request) -> Response {
    let query = query_fields(&request);
    let body = match tokio::time::timeout(app.body_timeout, Bytes::from_request(request, &())).await
    {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => return body_rejection(&app, e.status(), &e.body_text()),
        Err(_) => return body_timeout(&app),
    };
    match merge_fields(query, parse_fields(&body)) {
        Ok(fields) => handle_off_runtime(app, fields, Endpoint::Form).await,
        Err(name) => query_body_conflict(&app, &name),
    }
}

/// The fields of the request's query string. Huifu reads parameters the way a Java servlet's
/// `getParameter` does, from the query string and the form body alike: the guide's C# upload demo
/// sends every signed field and `check_value` in the URL (lines ~835–850), Huifu's own Java server
/// demo sends them in the body, and a public Go SDK sends the four fields of ordinary calls in the
/// query. The sandbox accepts all of these.
pub(crate) fn query_fields(request: &Request) -> HashMap<String, String> {
    parse_fields(request.uri().query().unwrap_or_default().as_bytes())
}

/// The query's and the body's fields together; a field given in both with different values is
/// refused (our rule: which one Huifu would take is not documented), its name returned.
pub(crate) fn merge_fields(
    query: HashMap<String, String>,
    mut body: HashMap<String, String>,
) -> std::result::Result<HashMap<String, String>, String> {
    for (name, value) in query {
        match body.get(&name) {
            Some(other) if *other != value => return Err(name),
            Some(_) => {}
            None => {
                body.insert(name, value);
            }
        }
    }
    Ok(body)
}

pub(crate) fn query_body_conflict(app: &App, name: &str) -> Response {
    unsigned_error(
        app,
        StatusCode::OK,
        None,
        ERR_FIELD_MISMATCH,
        &format!(
            "the query string and the body disagree on {}",
            crate::error::escape_untrusted(name)
        ),
    )
}

/// The answer to a body not received within [`SandboxConfig::body_timeout`]: unsigned, HTTP 408,
/// and the connection is closed after it (the rest of the body is never read).
pub(crate) fn body_timeout(app: &App) -> Response {
    let mut response = unsigned_error(
        app,
        StatusCode::REQUEST_TIMEOUT,
        None,
        ERR_MALFORMED,
        &format!(
            "request body not received within {} ms",
            app.body_timeout.as_millis()
        ),
    );
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

/// The same four fields in a query string (a page-browser call sent as a GET link).
pub(crate) async fn merchant_request_query(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    if query.len() > app.max_query_bytes {
        return unsigned_error(
            &app,
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            ERR_TOO_LARGE,
            "query string too large",
        );
    }
    handle_off_runtime(app, parse_fields(query.as_bytes()), Endpoint::Form).await
}

/// URL-encoded fields; the first of repeated names wins.
pub(crate) fn parse_fields(body: &[u8]) -> HashMap<String, String> {
    let mut fields = HashMap::new();
    for (name, value) in form_urlencoded::parse(body) {
        fields
            .entry(name.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    fields
}

pub(crate) fn body_rejection(app: &App, status: StatusCode, text: &str) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        unsigned_error(
            app,
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            ERR_TOO_LARGE,
            "request body too large",
        )
    } else {
        unsigned_error(
            app,
            StatusCode::OK,
            None,
            ERR_MALFORMED,
            &format!("malformed request body: {text}"),
        )
    }
}

pub(crate) async fn file_merchant_request(
    State(app): State<Arc<App>>,
    request: Request,
) -> Response {
    // The guide's C# demo: the signed fields and check_value in the query, only attach_file in
    // the multipart body (lines ~835–870); Huifu's Java demo: everything in the body.
    let query = query_fields(&request);
    let read = tokio::time::timeout(app.body_timeout, read_multipart(&app, request)).await;
    match read {
        Ok(Ok((fields, upload))) => match merge_fields(query, fields) {
            Ok(fields) => handle_off_runtime(app, fields, Endpoint::File(upload)).await,
            Err(name) => query_body_conflict(&app, &name),
        },
        Ok(Err(response)) => response,
        Err(_) => body_timeout(&app),
    }
}

/// The multipart body's text fields (the first of repeated names wins) and its first
/// `attach_file` part; an error is the answer to send.
pub(crate) async fn read_multipart(
    app: &App,
    request: Request,
) -> std::result::Result<(HashMap<String, String>, Option<Upload>), Response> {
    let mut multipart = match Multipart::from_request(request, &()).await {
        Ok(m) => m,
        Err(e) => return Err(body_rejection(app, e.status(), &e.body_text())),
    };
    let mut fields = HashMap::new();
    let mut upload = None;
    loop {
        let part = match multipart.next_field().await {
            Ok(Some(part)) => part,
            Ok(None) => break,
            Err(e) => return Err(body_rejection(app, e.status(), &e.body_text())),
        };
        let name = part.name().unwrap_or_default().to_string();
        let file_name = part.file_name().map(str::to_string);
        let bytes = match part.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(body_rejection(app, e.status(), &e.body_text())),
        };
        if name == "attach_file" {
            if upload.is_none() {
                upload = Some(Upload {
                    mer_cust_id: String::new(),
                    attach_no: None,
                    file_name,
                    size: bytes.len(),
                    sha256: hex(&Sha256::digest(&bytes)),
                });
            }
        } else if !name.is_empty() {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            fields.entry(name).or_insert(text);
        }
    }
    Ok((fields, upload))
}

pub(crate) use crate::error::hex;

/// Runs [`handle`] (RSA verification and signing: CPU work) on the blocking pool, so the
/// runtime's workers stay free for I/O, callback deliveries and their timeouts.
pub(crate) async fn handle_off_runtime(
    app: Arc<App>,
    fields: HashMap<String, String>,
    endpoint: Endpoint,
) -> Response {
    let worker = app.clone();
    match tokio::task::spawn_blocking(move || handle(&worker, &fields, endpoint)).await {
        Ok(response) => response,
        Err(e) => unsigned_error(
            &app,
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            ERR_INTERNAL,
            &format!("sandbox worker failed: {e}"),
        ),
    }
}
