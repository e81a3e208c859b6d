//! A bounded load test: 2,000 calls over 32 concurrent connections, every answer verified, every
//! notification delivered exactly once, no order lost or duplicated. Prints calls/s and p50/p99.
#![cfg(feature = "sandbox")]

use crate::sandbox_common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use huifu_cfca::pki::{self, PkiOptions};
use huifu_cfca::sandbox::{CallbackPolicy, DeliveryOutcome, SandboxConfig};
use sandbox_common::*;
use serde_json::json;

const CALLS: usize = 2_000;
const CONNECTIONS: usize = 32;

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn two_thousand_calls_over_32_connections() {
    let bits: usize = std::env::var("SANDBOX_LOAD_KEY_BITS")
        .ok()
        .and_then(|v| v.parse().ok())
        // RSA in debug builds is slow (and this box may be shared): 1024-bit keys unless release.
        .unwrap_or(if cfg!(debug_assertions) { 1024 } else { 2048 });
    let pki = pki::generate(&PkiOptions::new(MERCHANT, "pw").key_bits(bits)).unwrap();
    // Huifu's policy, but a timeout generous enough for a loaded debug build: this test is about
    // exactly-once delivery to a merchant that acknowledges, not about slow merchants.
    let policy = CallbackPolicy {
        timeout: Duration::from_secs(30),
        ..CallbackPolicy::default()
    };
    let sb = start(SandboxConfig::from_pki(&pki).unwrap().callback(policy)).await;
    let url = sb.merchant_request_url();
    let signer = pki.merchant().signer().unwrap();
    let verifier = {
        let mut trust = huifu_cfca::chain::TrustStore::new();
        trust
            .add_der(&pki.root().certificate_der().unwrap())
            .unwrap();
        huifu_cfca::verify::Verifier::builder()
            .trust(trust)
            .extra_certs(vec![pki.oca31().certificate().clone()])
            .build()
            .unwrap()
    };
    let ack = ack_server().await;

    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..CONNECTIONS {
        let url = url.clone();
        let signer = signer.clone();
        let verifier = verifier.clone();
        let notify = ack.url();
        workers.push(tokio::spawn(async move {
            // One client per worker, one connection each.
            let client = {
                let _ = rustls::crypto::ring::default_provider().install_default();
                reqwest::Client::builder()
                    .no_proxy()
                    .pool_max_idle_per_host(1)
                    .build()
                    .unwrap()
            };
            let mut latencies = Vec::new();
            let mut i = w;
            while i < CALLS {
                let order_id = format!("L{i:06}");
                let req = json!({"version":"10","cmd_id":"203","mer_cust_id":MERCHANT,
                    "order_id": order_id, "order_date":"20260101","trans_amt":"10.00",
                    "bg_ret_url": notify});
                let t = Instant::now();
                let a = post_form(&client, &url, &form(&signer, &req)).await;
                assert_eq!(a.status, 200, "{}", a.body);
                let cv = a.json()["check_value"].as_str().unwrap().to_string();
                let msg = verifier.verify(cv.as_bytes()).unwrap();
                let v: serde_json::Value = serde_json::from_str(&msg.text().unwrap()).unwrap();
                latencies.push(t.elapsed());
                assert_eq!(v["resp_code"], "203000");
                assert_eq!(v["order_id"], order_id.as_str());
                i += CONNECTIONS;
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.unwrap());
    }
    let elapsed = started.elapsed();
    assert!(sb.deliveries().wait_idle(Duration::from_secs(60)).await);
    let total = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "sandbox load ({bits}-bit keys, {} build): {CALLS} calls over {CONNECTIONS} connections in {:.2?} \
         = {:.0} calls/s; latency p50 {:.2?}, p99 {:.2?}, max {:.2?}; all {CALLS} notifications \
         delivered after {:.2?}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        elapsed,
        CALLS as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies[latencies.len() - 1],
        total,
    );

    assert_eq!(latencies.len(), CALLS);
    // No order lost or duplicated.
    let orders = sb.orders();
    assert_eq!(orders.len(), CALLS);
    let ids: HashSet<_> = orders.iter().map(|o| o.key.order_id.clone()).collect();
    assert_eq!(ids.len(), CALLS);
    let seqs: HashSet<_> = orders.iter().map(|o| o.platform_seq_id.clone()).collect();
    assert_eq!(seqs.len(), CALLS);
    // Every notification delivered exactly once, on the first attempt, and verified.
    let log = sb.deliveries().records();
    assert_eq!(log.len(), CALLS);
    assert!(
        log.iter()
            .all(|r| r.attempt == 1 && r.outcome == DeliveryOutcome::Acknowledged)
    );
    let received = ack.received.lock().unwrap().clone();
    assert_eq!(received.len(), CALLS);
    let mut seen = HashSet::new();
    for cv in &received {
        let msg = verifier.verify(cv.as_bytes()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&msg.text().unwrap()).unwrap();
        assert!(
            seen.insert(v["order_id"].as_str().unwrap().to_string()),
            "duplicate notification"
        );
    }
    assert_eq!(seen, ids);
}

/// An endpoint that records every check_value and acknowledges by the order_id it carries. It
/// checks the signature and the 100001 pin only; the chain is checked at the end of the test
/// against this test's PKI.
struct AckServer {
    addr: std::net::SocketAddr,
    received: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl AckServer {
    fn url(&self) -> String {
        format!("http://{}/notify", self.addr)
    }
}

async fn ack_server() -> AckServer {
    use axum::extract::{Form, State};
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    async fn notify(
        State(r): State<Arc<Mutex<Vec<String>>>>,
        Form(form): Form<HashMap<String, String>>,
    ) -> String {
        let cv = form.get("check_value").cloned().unwrap_or_default();
        // Find the order id without verifying: decode the eContent's JSON leniently.
        let msg = huifu_cfca::verify::Verifier::builder()
            .no_chain()
            .pin(huifu_cfca::identity::SignerPin::huifu())
            .build()
            .unwrap()
            .verify(cv.as_bytes())
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&msg.text().unwrap()).unwrap();
        r.lock().unwrap().push(cv);
        format!("RECV_ORD_ID_{}", v["order_id"].as_str().unwrap_or_default())
    }
    let app = axum::Router::new()
        .route("/notify", axum::routing::post(notify))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    AckServer { addr, received }
}
