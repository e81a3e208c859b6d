//! The end-to-end demo behind `huifu-cfca demo`: a merchant and a local Huifu on loopback.
//!
//! Generate a test PKI into a folder → start the sandbox on 127.0.0.1 (any port) → start the
//! merchant's notification endpoint (axum, built with this library) → 218 APP pay → verified
//! answer → the asynchronous result arrives, is verified and acknowledged → a 301 query shows
//! success. Every step is reported through a callback; nothing leaves the machine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use tokio::sync::mpsc;

use crate::chain::TrustStore;
use crate::client::{
    Amount, AppPayRequest, Client, Endpoint, OrderDate, OrderKey, OrderState, OrderStates, PayType,
    QueryRequest, Url,
};
use crate::identity::SignerPin;
use crate::pki::{PkiOptions, generate};
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::signer::Signer;
use crate::verify::Verifier;
use crate::{Error, Result};

/// What the demo did, for callers (and the end-to-end test) to check.
#[derive(Debug, Clone)]
pub struct DemoReport {
    /// Where the PKI was written.
    pub pki_dir: PathBuf,
    /// The sandbox's address.
    pub sandbox: SocketAddr,
    /// The order that was paid.
    pub order: OrderKey,
    /// The 218 answer's `resp_code`.
    pub pay_resp_code: String,
    /// How many notifications the merchant endpoint received (and acknowledged).
    pub notifications: usize,
    /// The order's state at the merchant after the notification.
    pub merchant_state: Option<OrderState>,
    /// `trans_stat` from the 301 query.
    pub query_trans_stat: Option<crate::client::TransStat>,
    /// Total time.
    pub elapsed: Duration,
}

/// The demo's knobs.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Where to write the PKI (a fresh temporary folder when `None`).
    pub dir: Option<PathBuf>,
    /// The merchant's `mer_cust_id`.
    pub merchant_id: String,
    /// RSA key size for the generated PKI.
    pub key_bits: usize,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            dir: None,
            merchant_id: "6666000000026086".to_string(),
            key_bits: 2048,
        }
    }
}

const PASSWORD: &str = "demo-password";

fn demo_error(what: impl std::fmt::Display) -> Error {
    Error::Io(std::io::Error::other(format!("demo: {what}")))
}

/// Runs the demo, reporting each step through `say`.
pub async fn run(options: &DemoOptions, mut say: impl FnMut(&str)) -> Result<DemoReport> {
    let started = Instant::now();
    let mut step = |t: Instant, text: String| say(&format!("[{:>9.2?}] {text}", t.elapsed()));

    // 1. A CFCA-like test PKI, written as merchants hold it.
    let t = Instant::now();
    let dir = match &options.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("huifu-cfca-demo-{}", std::process::id())),
    };
    let pki = generate(
        &PkiOptions::new(options.merchant_id.clone(), PASSWORD).key_bits(options.key_bits),
    )?;
    pki.write_to(&dir)?;
    step(
        t,
        format!(
            "generated a test PKI in {} (root, OCA31, Huifu 100001, merchant {})",
            dir.display(),
            options.merchant_id
        ),
    );

    // 2. The merchant loads its PFX (CFCA's encoding) and trusts the CA for Huifu's answers.
    let t = Instant::now();
    let signer = Signer::from_pfx(&std::fs::read(dir.join("merchant-cfca.pfx"))?, PASSWORD)?;
    let trust = TrustStore::from_files([dir.join("root.cer"), dir.join("oca31.cer")])?;
    let verifier = Verifier::builder()
        .trust(trust)
        .pin(SignerPin::huifu())
        .build()?;
    step(
        t,
        format!(
            "merchant loaded merchant-cfca.pfx: {}",
            signer.certificate().tbs_certificate().subject()
        ),
    );

    // 3. A local Huifu.
    let t = Instant::now();
    let sandbox = Sandbox::start(SandboxConfig::from_pki(&pki)?).await?;
    step(t, format!("sandbox listening on http://{}", sandbox.addr));

    // 4. The merchant's notification endpoint, built with this library.
    let t = Instant::now();
    let client = Client::builder(
        Endpoint::Custom(Url::parse(&sandbox.merchant_request_url()).map_err(demo_error)?),
        options.merchant_id.clone(),
        signer,
        verifier,
    )
    .timeout(Duration::from_secs(30))
    .build()?;
    let states = Arc::new(OrderStates::new());
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let app = axum::Router::new()
        .route("/notify", axum::routing::post(notify))
        .with_state(NotifyEndpoint {
            client: client.clone(),
            states: states.clone(),
            tx,
        });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let merchant_addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    step(
        t,
        format!("merchant notification endpoint on http://{merchant_addr}/notify"),
    );

    // 5. 218 APP pay.
    let t = Instant::now();
    let date = OrderDate::today_china();
    let order_id = format!("DEMO{}", std::process::id());
    let request = AppPayRequest::new(
        order_id.clone(),
        date,
        "12.00".parse::<Amount>()?,
        PayType::WeChatApp,
        "demo goods",
        format!("http://{merchant_addr}/notify"),
    )
    .mer_priv("demo");
    let signed = client.sign_request("218", &request)?;
    step(
        t,
        format!(
            "signed 218 request (huifu mode, {} bytes of JSON): {}",
            signed.json().len(),
            signed.json()
        ),
    );
    let t = Instant::now();
    let pay = client.app_pay(&request).await?;
    step(
        t,
        format!(
            "sent 218 → verified answer signed by 100001: resp_code {} ({}), {:?}; pay_info {:?} \
             for the mobile SDK; the final result comes by notification",
            pay.answer.resp_code,
            pay.answer.resp_desc,
            pay.answer.outcome(),
            pay.data.pay_info
        ),
    );

    // 6. The asynchronous result.
    let t = Instant::now();
    let note = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .map_err(|_| demo_error("no notification within 20 s"))?
        .ok_or_else(|| demo_error("the notification endpoint stopped"))?;
    step(
        t,
        format!("notification received, verified, acknowledged: {note}"),
    );
    let order = OrderKey {
        mer_cust_id: options.merchant_id.clone(),
        order_id: order_id.clone(),
        order_date: date,
    };
    let merchant_state = states.get(&order);

    // 7. 301 query.
    let t = Instant::now();
    let query = client
        .query(&QueryRequest::new(order_id, date, "01"))
        .await?;
    step(
        t,
        format!(
            "301 query → verified answer: resp_code {}, trans_stat {:?}",
            query.answer.resp_code, query.data.trans_stat
        ),
    );

    let delivered = sandbox
        .deliveries()
        .wait_idle(Duration::from_secs(20))
        .await;
    let notifications = sandbox
        .deliveries()
        .records()
        .iter()
        .filter(|r| r.key.order_id == order.order_id && r.outcome.is_acknowledged())
        .count();
    if !delivered {
        say("warning: the sandbox still had deliveries in flight");
    }
    let report = DemoReport {
        pki_dir: dir,
        sandbox: sandbox.addr,
        order,
        pay_resp_code: pay.answer.resp_code.clone(),
        notifications,
        merchant_state,
        query_trans_stat: query.data.trans_stat.clone(),
        elapsed: started.elapsed(),
    };
    sandbox.shutdown().await?;
    server.abort();
    say(&format!("done in {:.2?}", report.elapsed));
    Ok(report)
}

#[derive(Clone)]
struct NotifyEndpoint {
    client: Client,
    states: Arc<OrderStates>,
    tx: mpsc::UnboundedSender<String>,
}

async fn notify(State(ep): State<NotifyEndpoint>, body: Bytes) -> (StatusCode, String) {
    match ep.client.notification(&body) {
        Ok(note) => {
            let change = ep.states.apply_notification(&note);
            let _ = ep.tx.send(format!(
                "order {} resp_code {} → {:?}, answered {}",
                note.order_id,
                note.resp_code,
                change,
                note.ack_body()
            ));
            (StatusCode::OK, note.ack_body())
        }
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()),
    }
}
