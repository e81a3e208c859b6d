//! Support for the client tests: a Huifu-like server on 127.0.0.1 (axum, real HTTP). It checks
//! requests as Huifu would (form encoding, the three fields against the signed JSON, the merchant's
//! signature, chain and identity) and answers signed with Huifu's identity. Path prefixes choose
//! misbehaviours.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use der::DecodePem;
use huifu_cfca::chain::TrustStore;
use huifu_cfca::identity::SignerPin;
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::Verifier;
use huifu_cfca::{ContentMode, check_value};
use rsa::pkcs8::DecodePrivateKey;
use serde_json::{Map, Value, json};
use sha2::Digest;
use x509_cert::Certificate;

/// The merchant's customer id used on the wire in these tests.
pub const MER_CUST_ID: &str = "6666000000002619";
/// The id in the merchant certificate's CN (`051@AS0381@N111130@1`).
pub const MERCHANT_CERT_ID: &str = "AS0381";

pub fn chain_file(name: &str) -> Vec<u8> {
    let path = format!("{}/vectors/chain/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn tls_file(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/tls/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A signer from `vectors/chain/<name>.key` and `.pem`.
pub fn signer(name: &str) -> Signer {
    let pem = String::from_utf8(chain_file(&format!("{name}.key"))).unwrap();
    let key = rsa::PrivateKey::from_pkcs8_pem(&pem).unwrap();
    let cert = Certificate::from_pem(chain_file(&format!("{name}.pem"))).unwrap();
    Signer::new(key, cert).unwrap()
}

/// The test PKI's root and OCA31-like intermediate.
pub fn trust() -> TrustStore {
    let mut trust = TrustStore::new();
    trust.add_pem(&chain_file("root.pem")).unwrap();
    trust.add_pem(&chain_file("oca.pem")).unwrap();
    trust
}

/// What the merchant trusts: Huifu's answers, chain plus pinned 100001.
pub fn huifu_verifier() -> Verifier {
    Verifier::huifu(trust()).unwrap()
}

/// What the server trusts: the merchant's requests, pinned to the merchant's certificate id.
pub fn merchant_verifier() -> Verifier {
    Verifier::builder()
        .trust(trust())
        .pin(SignerPin::Id(MERCHANT_CERT_ID.into()))
        .build()
        .unwrap()
}

/// Signs `json` as Huifu would and wraps it as an answer body.
pub fn huifu_answer(signer: &Signer, json: &Value) -> String {
    let cv = signer
        .sign(json.to_string().as_bytes(), ContentMode::Huifu)
        .map(|m| m.check_value())
        .unwrap();
    json!({ "check_value": cv }).to_string()
}

pub struct ServerState {
    pub requests: AtomicUsize,
    huifu: Signer,
    other: Signer,
    merchant: Verifier,
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub state: Arc<ServerState>,
}

impl TestServer {
    /// `http://127.0.0.1:port/<mode>/merchantRequest`.
    pub fn url(&self, mode: &str) -> huifu_cfca::client::Url {
        huifu_cfca::client::Url::parse(&format!("http://{}/{mode}/merchantRequest", self.addr))
            .unwrap()
    }

    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }
}

pub fn router() -> (Router, Arc<ServerState>) {
    let state = Arc::new(ServerState {
        requests: AtomicUsize::new(0),
        huifu: signer("huifu"),
        other: signer("other"),
        merchant: merchant_verifier(),
    });
    let router = Router::new()
        .route("/{mode}/merchantRequest", post(merchant_request))
        .route("/{mode}/fileMerchantRequest", post(file_request))
        .with_state(state.clone());
    (router, state)
}

/// Starts the server on an ephemeral port of 127.0.0.1.
pub async fn start() -> TestServer {
    let (router, state) = router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    TestServer { addr, state }
}

fn reject(why: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        format!("test server refused: {}", why.into()),
    )
        .into_response()
}

/// Checks the four fields as Huifu does and returns the verified JSON.
fn check_fields(
    state: &ServerState,
    fields: &[(String, String)],
) -> Result<Map<String, Value>, String> {
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    if sorted != ["check_value", "cmd_id", "mer_cust_id", "version"] {
        return Err(format!("fields are {names:?}"));
    }
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let message = state
        .merchant
        .verify(get("check_value").as_bytes())
        .map_err(|e| format!("merchant signature: {e}"))?;
    let text = message
        .text()
        .ok_or("content is not Huifu-mode base64 of text")?;
    let json: Map<String, Value> =
        serde_json::from_str(&text).map_err(|e| format!("signed content is not JSON: {e}"))?;
    for key in ["version", "cmd_id", "mer_cust_id"] {
        if json.get(key).and_then(Value::as_str) != Some(get(key)) {
            return Err(format!(
                "{key} differs between the form and the signed JSON"
            ));
        }
    }
    if get("version") != "10" {
        return Err("version is not 10".into());
    }
    Ok(json)
}

/// The answer for a checked request: its JSON echoed with Huifu's codes.
fn answer_json(request: &Map<String, Value>) -> Value {
    let cmd_id = request.get("cmd_id").and_then(Value::as_str).unwrap_or("");
    let mut answer = request.clone();
    answer.remove("version");
    answer.insert("resp_code".into(), format!("{cmd_id}000").into());
    answer.insert("resp_desc".into(), "成功".into());
    if cmd_id == "301" {
        answer.insert("trans_stat".into(), "02000002".into());
        answer.insert("trans_amt".into(), "12.30".into());
    }
    Value::Object(answer)
}

async fn merchant_request(
    State(state): State<Arc<ServerState>>,
    Path(mode): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.eq_ignore_ascii_case("application/x-www-form-urlencoded; charset=UTF-8") {
        return reject(format!("content type {content_type:?}"));
    }
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    // Form encoding: the body must be exactly what a URL-encoder makes of these fields.
    let reencoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields.iter())
        .finish();
    if reencoded.as_bytes() != &body[..] {
        return reject("the body is not canonically URL-encoded");
    }
    let request = match check_fields(&state, &fields) {
        Ok(json) => json,
        Err(why) => return reject(why),
    };
    let answer = answer_json(&request);
    match mode.as_str() {
        "api" => huifu_answer(&state.huifu, &answer).into_response(),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            huifu_answer(&state.huifu, &answer).into_response()
        }
        "unsigned" => json!({"resp_code": "000099", "resp_desc": "系统异常"})
            .to_string()
            .into_response(),
        "html500" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "<html><body>{}</body></html>",
                "Internal error ".repeat(100)
            ),
        )
            .into_response(),
        "other" => huifu_answer(&state.other, &answer).into_response(),
        "replay" => {
            // Validly signed by Huifu, but the answer to another order.
            let mut answer = answer;
            answer["order_id"] = "someone-elses-order".into();
            huifu_answer(&state.huifu, &answer).into_response()
        }
        "tampered" => tampered(&state.huifu, &answer).into_response(),
        _ => reject("unknown mode"),
    }
}

/// A valid answer whose signed content is then changed (same length, valid base64).
fn tampered(huifu: &Signer, answer: &Value) -> String {
    let mut answer = answer.clone();
    answer["trans_amt"] = "1.00".into();
    let honest = answer.to_string();
    let forged = honest.replace("\"1.00\"", "\"9.00\"");
    let der = huifu
        .sign(honest.as_bytes(), ContentMode::Huifu)
        .unwrap()
        .into_der();
    let honest_b64 = ContentMode::Huifu.wrap(honest.as_bytes());
    let forged_b64 = ContentMode::Huifu.wrap(forged.as_bytes());
    assert_eq!(honest_b64.len(), forged_b64.len());
    let at = der
        .windows(honest_b64.len())
        .position(|w| w == honest_b64.as_slice())
        .unwrap();
    let mut der = der;
    der[at..at + forged_b64.len()].copy_from_slice(&forged_b64);
    json!({ "check_value": check_value::encode(&der) }).to_string()
}

async fn file_request(
    State(state): State<Arc<ServerState>>,
    Path(_mode): Path<String>,
    mut multipart: Multipart,
) -> Response {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let mut fields = Vec::new();
    let mut file: Option<(String, String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return reject(format!("multipart: {e}")),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "attach_file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let mime = field.content_type().unwrap_or("").to_string();
            match field.bytes().await {
                Ok(bytes) => file = Some((file_name, mime, bytes.to_vec())),
                Err(e) => return reject(format!("file part: {e}")),
            }
        } else {
            match field.text().await {
                Ok(text) => fields.push((name, text)),
                Err(e) => return reject(format!("text part: {e}")),
            }
        }
    }
    let request = match check_fields(&state, &fields) {
        Ok(json) => json,
        Err(why) => return reject(why),
    };
    let Some((file_name, mime, bytes)) = file else {
        return reject("no attach_file part");
    };
    for key in ["attach_no", "trans_type", "attach_type"] {
        if request
            .get(key)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return reject(format!("{key} missing from the signed JSON"));
        }
    }
    let mut answer = answer_json(&request);
    answer["file_name"] = file_name.into();
    answer["file_type"] = mime.into();
    answer["file_len"] = bytes.len().to_string().into();
    answer["file_sha256"] = hex(&sha2::Sha256::digest(&bytes)).into();
    huifu_answer(&state.huifu, &answer).into_response()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
