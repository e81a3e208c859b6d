//! Helpers shared by the sandbox tests: a merchant that signs requests with `Signer` and posts them
//! with reqwest, verifies answers, and runs a scriptable `bg_ret_url` endpoint.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::routing::post;
use huifu_cfca::ContentMode;
use huifu_cfca::chain::TrustStore;
use huifu_cfca::identity::SignerPin;
use huifu_cfca::pki::{self, PkiOptions, TestPki};
use huifu_cfca::sandbox::{CallbackPolicy, RunningSandbox, Sandbox, SandboxConfig};
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::Verifier;
use serde_json::{Map, Value};

pub const MERCHANT: &str = "6666000000026086";

/// One PKI per test binary (1024-bit keys: fast in debug builds).
pub fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        pki::generate(&PkiOptions::new(MERCHANT, "pfx-password").key_bits(1024)).unwrap()
    })
}

pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A fast callback policy: a short timeout (with margin for a loaded machine), a small delay.
pub fn fast_policy() -> CallbackPolicy {
    CallbackPolicy {
        timeout: Duration::from_millis(1500),
        retry_delay: Duration::from_millis(20),
        ..CallbackPolicy::default()
    }
}

pub async fn start(config: SandboxConfig) -> RunningSandbox {
    Sandbox::start(config).await.unwrap()
}

pub fn config() -> SandboxConfig {
    SandboxConfig::from_pki(pki())
        .unwrap()
        .callback(fast_policy())
}

pub fn merchant_signer() -> Signer {
    pki().merchant().signer().unwrap()
}

/// What a merchant verifies Huifu's answers and notifications with: the sandbox root, the OCA31,
/// pinned to 100001.
pub fn huifu_verifier() -> Verifier {
    let mut trust = TrustStore::new();
    trust
        .add_der(&pki().root().certificate_der().unwrap())
        .unwrap();
    Verifier::builder()
        .trust(trust)
        .extra_certs(vec![pki().oca31().certificate().clone()])
        .pin(SignerPin::huifu())
        .build()
        .unwrap()
}

/// The four form fields for a signed JSON request.
pub fn form(signer: &Signer, json: &Value) -> Vec<(String, String)> {
    let text = serde_json::to_string(json).unwrap();
    let cv = signer
        .sign(text.as_bytes(), ContentMode::Huifu)
        .map(|m| m.check_value())
        .unwrap();
    let get = |k: &str| {
        json.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    vec![
        ("version".into(), get("version")),
        ("cmd_id".into(), get("cmd_id")),
        ("mer_cust_id".into(), get("mer_cust_id")),
        ("check_value".into(), cv),
    ]
}

pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The verified content of a signed answer.
    pub fn verified(&self) -> Map<String, Value> {
        let cv = self.json()["check_value"]
            .as_str()
            .unwrap_or_else(|| panic!("not a signed answer: {}", self.body))
            .to_string();
        verify_check_value(&cv)
    }

    /// The unsigned error answer's resp_code.
    pub fn unsigned_code(&self) -> String {
        let v = self.json();
        assert!(v.get("check_value").is_none(), "signed: {}", self.body);
        v["resp_code"].as_str().unwrap().to_string()
    }
}

pub fn verify_check_value(cv: &str) -> Map<String, Value> {
    let msg = huifu_verifier().verify(cv.as_bytes()).unwrap();
    match serde_json::from_str(&msg.text().unwrap()).unwrap() {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

pub async fn post_form(client: &reqwest::Client, url: &str, form: &[(String, String)]) -> Answer {
    let r = client.post(url).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    Answer {
        status,
        body: r.text().await.unwrap(),
    }
}

pub async fn call(sandbox: &RunningSandbox, json: &Value) -> Answer {
    post_form(
        &http(),
        &sandbox.merchant_request_url(),
        &form(&merchant_signer(), json),
    )
    .await
}

/// A request JSON with the common fields.
pub fn request(cmd_id: &str, extra: Value) -> Value {
    let mut m = Map::new();
    m.insert("version".into(), "10".into());
    m.insert("cmd_id".into(), cmd_id.into());
    m.insert("mer_cust_id".into(), MERCHANT.into());
    if let Value::Object(extra) = extra {
        m.extend(extra);
    }
    Value::Object(m)
}

// ---- the merchant's bg_ret_url endpoint -----------------------------------------------------

/// How the endpoint answers attempt n (1-based) for an order.
#[derive(Clone, Copy, Debug)]
pub enum Behaviour {
    /// Fails (HTTP 500) the first n attempts, then acknowledges.
    FailThenAck(u32),
    /// Always HTTP 500.
    NeverAck,
    /// HTTP 200 without RECV_ORD_ID_.
    OkWithoutAck,
    /// Sleeps this long on the first attempt (then acknowledges on every attempt).
    SleepFirst(Duration),
    /// Acknowledges at once.
    Ack,
    /// Answers 302 to a URL that would acknowledge.
    Redirect,
}

#[derive(Default)]
pub struct Received {
    /// Notifications per order_id (each one verified).
    pub by_order: HashMap<String, Vec<Map<String, Value>>>,
    pub attempts: HashMap<String, u32>,
}

#[derive(Clone)]
struct MerchantState {
    behaviour: Arc<Mutex<HashMap<String, Behaviour>>>,
    default: Behaviour,
    received: Arc<Mutex<Received>>,
    verifier: Verifier,
}

pub struct MerchantServer {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Received>>,
    behaviour: Arc<Mutex<HashMap<String, Behaviour>>>,
}

impl MerchantServer {
    pub fn url(&self) -> String {
        format!("http://{}/notify", self.addr)
    }

    /// Sets the behaviour for one order_id.
    pub fn set(&self, order_id: &str, b: Behaviour) {
        self.behaviour
            .lock()
            .unwrap()
            .insert(order_id.to_string(), b);
    }

    pub fn attempts(&self, order_id: &str) -> u32 {
        self.received
            .lock()
            .unwrap()
            .attempts
            .get(order_id)
            .copied()
            .unwrap_or(0)
    }

    pub fn notifications(&self, order_id: &str) -> Vec<Map<String, Value>> {
        self.received
            .lock()
            .unwrap()
            .by_order
            .get(order_id)
            .cloned()
            .unwrap_or_default()
    }
}

async fn notify(
    State(s): State<MerchantState>,
    Form(form): Form<HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (status, body) = notify_inner(s, form).await;
    if body == "REDIRECT" {
        return (status, [("location", "/notify")], "moved").into_response();
    }
    (status, body).into_response()
}

async fn notify_inner(s: MerchantState, form: HashMap<String, String>) -> (StatusCode, String) {
    let Some(cv) = form.get("check_value") else {
        return (StatusCode::BAD_REQUEST, "no check_value".into());
    };
    let msg = match s.verifier.verify(cv.as_bytes()) {
        Ok(m) => m,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("bad signature: {e}")),
    };
    let json: Map<String, Value> = match msg.text().and_then(|t| serde_json::from_str(&t).ok()) {
        Some(j) => j,
        None => return (StatusCode::BAD_REQUEST, "bad content".into()),
    };
    let order_id = json["order_id"].as_str().unwrap_or_default().to_string();
    let attempt = {
        let mut r = s.received.lock().unwrap();
        let n = r.attempts.entry(order_id.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let behaviour = s
        .behaviour
        .lock()
        .unwrap()
        .get(&order_id)
        .copied()
        .unwrap_or(s.default);
    let ack = |s: &MerchantState, json: Map<String, Value>| {
        s.received
            .lock()
            .unwrap()
            .by_order
            .entry(order_id.clone())
            .or_default()
            .push(json);
        (StatusCode::OK, format!("RECV_ORD_ID_{order_id}"))
    };
    match behaviour {
        Behaviour::Ack => ack(&s, json),
        Behaviour::FailThenAck(n) if attempt > n => ack(&s, json),
        Behaviour::FailThenAck(_) | Behaviour::NeverAck => {
            (StatusCode::INTERNAL_SERVER_ERROR, "busy".into())
        }
        Behaviour::OkWithoutAck => (StatusCode::OK, "OK".into()),
        Behaviour::Redirect => (StatusCode::FOUND, "REDIRECT".into()),
        Behaviour::SleepFirst(d) => {
            if attempt == 1 {
                tokio::time::sleep(d).await;
            }
            ack(&s, json)
        }
    }
}

pub async fn merchant_server(default: Behaviour) -> MerchantServer {
    let state = MerchantState {
        behaviour: Arc::default(),
        default,
        received: Arc::default(),
        verifier: huifu_verifier(),
    };
    let out = MerchantServer {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        received: state.received.clone(),
        behaviour: state.behaviour.clone(),
    };
    let app = Router::new()
        .route("/notify", post(notify))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    MerchantServer { addr, ..out }
}
