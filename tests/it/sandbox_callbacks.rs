//! bg_ret_url delivery over real HTTP: Huifu's policy (5 s per attempt, 3 retries, ack string).
#![cfg(feature = "sandbox")]

use crate::sandbox_common;

use std::time::Duration;

use huifu_cfca::sandbox::{CallbackPolicy, DeliveryOutcome, OrderKey};
use sandbox_common::*;
use serde_json::json;

fn key(order_id: &str) -> OrderKey {
    OrderKey {
        mer_cust_id: MERCHANT.into(),
        order_id: order_id.into(),
        order_date: "20260101".parse().unwrap(),
    }
}

fn order(order_id: &str, amt: &str, url: &str) -> serde_json::Value {
    request(
        "203",
        json!({"order_id": order_id, "order_date":"20260101","trans_amt": amt, "bg_ret_url": url}),
    )
}

#[test]
fn the_default_policy_is_5_seconds_and_3_retries() {
    let p = CallbackPolicy::default();
    assert_eq!(p.timeout, Duration::from_secs(5));
    assert_eq!(p.retries, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fails_twice_then_acknowledges_takes_exactly_3_attempts() {
    let m = merchant_server(Behaviour::FailThenAck(2)).await;
    let sb = start(config()).await;
    assert_eq!(
        call(&sb, &order("C1", "1.00", &m.url())).await.verified()["resp_code"],
        "203000"
    );
    assert!(sb.deliveries().wait_idle(Duration::from_secs(10)).await);
    let log = sb.deliveries();
    assert_eq!(log.attempts(&key("C1")), 3);
    assert!(log.delivered(&key("C1")));
    assert!(!log.gave_up(&key("C1")));
    let outcomes: Vec<_> = log
        .for_order(&key("C1"))
        .into_iter()
        .map(|r| (r.attempt, r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (1, DeliveryOutcome::HttpStatus(500)),
            (2, DeliveryOutcome::HttpStatus(500)),
            (3, DeliveryOutcome::Acknowledged),
        ]
    );
    assert_eq!(m.attempts("C1"), 3);
    let got = m.notifications("C1");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["resp_code"], "203000");
    assert_eq!(got[0]["trans_stat"], "02000002");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn never_acknowledging_gets_4_attempts_and_a_give_up() {
    let m = merchant_server(Behaviour::NeverAck).await;
    let sb = start(config()).await;
    call(&sb, &order("C2", "1.00", &m.url())).await.verified();
    assert!(sb.deliveries().wait_idle(Duration::from_secs(10)).await);
    let log = sb.deliveries();
    assert_eq!(log.attempts(&key("C2")), 4);
    assert!(log.gave_up(&key("C2")));
    assert!(!log.delivered(&key("C2")));
    let records = log.for_order(&key("C2"));
    assert_eq!(records.len(), 5);
    assert_eq!(records[4].outcome, DeliveryOutcome::GaveUp);
    assert_eq!(records[4].attempt, 4);
    assert_eq!(m.attempts("C2"), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn http_200_without_the_ack_string_is_a_failure() {
    let m = merchant_server(Behaviour::OkWithoutAck).await;
    let sb = start(config()).await;
    call(&sb, &order("C3", "1.00", &m.url())).await.verified();
    assert!(sb.deliveries().wait_idle(Duration::from_secs(10)).await);
    let log = sb.deliveries();
    assert_eq!(log.attempts(&key("C3")), 4);
    assert!(log.gave_up(&key("C3")));
    assert!(
        log.for_order(&key("C3"))
            .iter()
            .take(4)
            .all(|r| r.outcome == DeliveryOutcome::MissingAck)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_answer_after_the_timeout_is_a_failure() {
    let m = merchant_server(Behaviour::SleepFirst(Duration::from_millis(4000))).await;
    let sb = start(config()).await; // 1.5 s per attempt
    call(&sb, &order("C4", "1.00", &m.url())).await.verified();
    assert!(sb.deliveries().wait_idle(Duration::from_secs(10)).await);
    let log = sb.deliveries();
    let outcomes: Vec<_> = log
        .for_order(&key("C4"))
        .into_iter()
        .map(|r| r.outcome)
        .collect();
    assert_eq!(
        outcomes,
        vec![DeliveryOutcome::Timeout, DeliveryOutcome::Acknowledged]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failures_and_skips_follow_the_rules() {
    let m = merchant_server(Behaviour::Ack).await;
    let sb = start(config()).await;
    // .44: failure, notified.
    let v = call(&sb, &order("C5", "3.44", &m.url())).await.verified();
    assert_eq!(v["trans_stat"], "02000003");
    // .55: success, never notified; .66: failure, never notified.
    call(&sb, &order("C6", "3.55", &m.url())).await.verified();
    call(&sb, &order("C7", "3.66", &m.url())).await.verified();
    // An unreachable endpoint is a transport failure.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    call(&sb, &order("C8", "1.00", &format!("http://{dead}/notify")))
        .await
        .verified();
    // No bg_ret_url: nothing to deliver.
    call(
        &sb,
        &request(
            "203",
            json!({"order_id":"C9","order_date":"20260101","trans_amt":"1.00"}),
        ),
    )
    .await
    .verified();
    assert!(sb.deliveries().wait_idle(Duration::from_secs(10)).await);
    let got = m.notifications("C5");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["trans_stat"], "02000003");
    assert_eq!(got[0]["resp_code"], "203003");
    assert_eq!(m.attempts("C6") + m.attempts("C7"), 0);
    let log = sb.deliveries();
    assert!(log.for_order(&key("C6")).is_empty() && log.for_order(&key("C7")).is_empty());
    assert!(log.for_order(&key("C9")).is_empty());
    assert!(matches!(
        log.for_order(&key("C8"))[0].outcome,
        DeliveryOutcome::Transport(_)
    ));
    assert!(log.gave_up(&key("C8")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redirect_is_not_an_acknowledgement() {
    let m = merchant_server(Behaviour::Redirect).await;
    let sb = start(config()).await;
    call(&sb, &order("C10", "1.00", &m.url())).await.verified();
    assert!(sb.deliveries().wait_idle(Duration::from_secs(10)).await);
    let log = sb.deliveries();
    assert_eq!(log.attempts(&key("C10")), 4);
    assert!(log.gave_up(&key("C10")));
    assert_eq!(
        log.for_order(&key("C10"))[0].outcome,
        DeliveryOutcome::HttpStatus(302)
    );
    // The merchant saw 4 posts, none followed.
    assert_eq!(m.attempts("C10"), 4);
    // The log over HTTP.
    let log: serde_json::Value = http()
        .get(format!("{}/sandbox/deliveries", sb.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 5);
    assert_eq!(log[0]["outcome"], "http status 302");
    assert_eq!(log[4]["outcome"], "gave up");
    assert_eq!(log[4]["order_id"], "C10");
    let orders: serde_json::Value = http()
        .get(format!("{}/sandbox/orders", sb.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orders[0]["order_id"], "C10");
    assert_eq!(orders[0]["trans_stat"], "02000002");
}

/// An https bg_ret_url: a merchant endpoint behind rustls with the client tests' localhost
/// certificate (tests/tls), acknowledging everything.
async fn start_tls_ack() -> std::net::SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use std::sync::Arc;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls");
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(&std::fs::read(format!("{dir}/server.pem")).unwrap())
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_slice(&std::fs::read(format!("{dir}/server.key")).unwrap())
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    async fn ack(body: axum::body::Bytes) -> String {
        let cv = form_urlencoded::parse(&body)
            .find(|(k, _)| k == "check_value")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let v = verify_check_value(&cv);
        format!("RECV_ORD_ID_{}", v["order_id"].as_str().unwrap())
    }
    let router = axum::Router::new().route("/notify", axum::routing::post(ack));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let service = hyper_util::service::TowerToHyperService::new(router.clone());
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                }
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn https_callbacks_use_the_configured_roots() {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let addr = start_tls_ack().await;
    let url = format!("https://localhost:{}/notify", addr.port());
    let ca = CertificateDer::from_pem_slice(
        &std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls/ca.pem")).unwrap(),
    )
    .unwrap();
    let mut cfg = config();
    cfg.callback_roots = vec![ca.to_vec()];
    let sb = start(cfg).await;
    call(&sb, &order("S1", "1.00", &url)).await.verified();
    // Without the root, the merchant's certificate is not trusted: every attempt fails.
    let untrusting = start(config()).await;
    call(&untrusting, &order("S2", "1.00", &url))
        .await
        .verified();
    assert!(sb.deliveries().wait_idle(Duration::from_secs(10)).await);
    assert!(
        untrusting
            .deliveries()
            .wait_idle(Duration::from_secs(10))
            .await
    );
    assert!(sb.deliveries().delivered(&key("S1")));
    assert_eq!(sb.deliveries().attempts(&key("S1")), 1);
    let failed = untrusting.deliveries();
    assert!(failed.gave_up(&key("S2")));
    assert!(matches!(
        failed.for_order(&key("S2"))[0].outcome,
        DeliveryOutcome::Transport(_)
    ));
}
