//! Notifications over real HTTP: Huifu's notifier (this test) posts signed results to a merchant
//! endpoint (axum on 127.0.0.1) built from `Notification` and `OrderStates`.
#![cfg(feature = "client")]

use crate::client_support;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use client_support::*;
use huifu_cfca::client::{
    Notification, OrderKey, OrderOutcome, OrderState, OrderStates, StateChange,
};
use huifu_cfca::verify::Verifier;
use huifu_cfca::{ContentMode, Error};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Mutex;

struct Merchant {
    verifier: Verifier,
    orders: OrderStates,
    log: Mutex<Vec<StateChange>>,
}

async fn bg_ret_url(State(m): State<Arc<Merchant>>, body: Bytes) -> (StatusCode, String) {
    match Notification::parse(&m.verifier, &body) {
        Ok(note) => {
            let change = m.orders.apply_notification(&note);
            m.log.lock().await.push(change);
            (StatusCode::OK, note.ack_body())
        }
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn start_merchant() -> (std::net::SocketAddr, Arc<Merchant>) {
    let merchant = Arc::new(Merchant {
        verifier: huifu_verifier(),
        orders: OrderStates::new(),
        log: Mutex::new(Vec::new()),
    });
    let router = Router::new()
        .route("/notify", post(bg_ret_url))
        .with_state(merchant.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (addr, merchant)
}

fn result_json(order_id: &str, resp_code: &str, trans_stat: &str) -> Value {
    json!({
        "cmd_id": "218",
        "mer_cust_id": MER_CUST_ID,
        "order_id": order_id,
        "order_date": "20240102",
        "trans_amt": "12.00",
        "resp_code": resp_code,
        "resp_desc": "结果",
        "trans_stat": trans_stat,
        "mer_priv": "echo&me=1",
    })
}

/// Huifu's notifier: POST `check_value=...` as a form, return (status line, body).
async fn notify(addr: std::net::SocketAddr, signer_name: &str, json: &Value) -> (String, String) {
    let cv = signer(signer_name)
        .sign(json.to_string().as_bytes(), ContentMode::Huifu)
        .map(|m| m.check_value())
        .unwrap();
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("check_value", &cv)
        .finish();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /notify HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

fn key(order_id: &str) -> OrderKey {
    OrderKey {
        mer_cust_id: MER_CUST_ID.into(),
        order_id: order_id.into(),
        order_date: "20240102".parse().unwrap(),
    }
}

#[tokio::test]
async fn a_notification_is_verified_and_acknowledged() {
    let (addr, merchant) = start_merchant().await;
    let (status, body) = notify(
        addr,
        "huifu",
        &result_json("20180101ABCD", "218000", "02000002"),
    )
    .await;
    assert!(status.contains("200"), "{status} {body}");
    assert!(body.contains("RECV_ORD_ID_20180101ABCD"), "{body}");
    assert_eq!(
        merchant.orders.get(&key("20180101ABCD")),
        Some(OrderState::Succeeded)
    );
}

#[tokio::test]
async fn a_duplicate_and_a_late_failure_leave_the_order_succeeded() {
    let (addr, merchant) = start_merchant().await;
    let success = result_json("O-77", "218000", "02000002");
    let failure = result_json("O-77", "218003", "02000003");
    for json in [&success, &success, &failure] {
        let (status, body) = notify(addr, "huifu", json).await;
        // Every verified result is acknowledged, or Huifu keeps resending it.
        assert!(
            status.contains("200") && body == "RECV_ORD_ID_O-77",
            "{status} {body}"
        );
    }
    assert_eq!(
        *merchant.log.lock().await,
        vec![
            StateChange::Applied(OrderState::Succeeded),
            StateChange::Duplicate,
            StateChange::IgnoredAfterSuccess,
        ]
    );
    assert_eq!(
        merchant.orders.get(&key("O-77")),
        Some(OrderState::Succeeded)
    );
}

#[tokio::test]
async fn a_notification_from_another_merchant_is_rejected_and_not_acknowledged() {
    let (addr, merchant) = start_merchant().await;
    let (status, body) = notify(addr, "other", &result_json("O-9", "218000", "02000002")).await;
    assert!(status.contains("400"), "{status}");
    assert!(!body.contains("RECV_ORD_ID_"), "{body}");
    assert!(body.contains("identity"), "{body}");
    assert_eq!(merchant.orders.get(&key("O-9")), None);
}

#[test]
fn notification_fields_and_outcomes() {
    let verifier = huifu_verifier();
    let cv = signer("huifu")
        .sign(
            result_json("Q1", "218003", "").to_string().as_bytes(),
            ContentMode::Huifu,
        )
        .map(|m| m.check_value())
        .unwrap();
    // A query string (ret_url redirects carry check_value the same way).
    let query = format!(
        "?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("check_value", &cv)
            .finish()
    );
    let note = Notification::parse(&verifier, query.as_bytes()).unwrap();
    assert_eq!(note.outcome(), OrderOutcome::Failure);
    assert_eq!(note.get("mer_priv"), Some("echo&me=1"));
    assert_eq!(note.order_key, Some(key("Q1")));
    assert_eq!(note.ack_body(), "RECV_ORD_ID_Q1");
    // A JSON body.
    let json_body = json!({ "check_value": cv }).to_string();
    assert_eq!(
        Notification::parse(&verifier, json_body.as_bytes()).unwrap(),
        note
    );
    // Accepted, then success.
    let pending = signer("huifu")
        .sign(
            result_json("Q2", "218002", "").to_string().as_bytes(),
            ContentMode::Huifu,
        )
        .map(|m| m.check_value())
        .unwrap();
    let body = format!("check_value={pending}");
    let note = Notification::parse(&verifier, body.as_bytes()).unwrap();
    assert_eq!(note.outcome(), OrderOutcome::Pending);
    // Raw mode (the PHP demo signs the JSON itself): read as it is.
    let raw = signer("huifu")
        .sign(
            result_json("Q3", "218000", "02000002")
                .to_string()
                .as_bytes(),
            ContentMode::Raw,
        )
        .map(|m| m.check_value())
        .unwrap();
    let note = Notification::parse(&verifier, format!("check_value={raw}").as_bytes()).unwrap();
    assert_eq!(note.outcome(), OrderOutcome::Success);
    assert_eq!(note.ack_body(), "RECV_ORD_ID_Q3");
    // Signed content that is not JSON.
    let text = signer("huifu")
        .sign(b"TestData", ContentMode::Raw)
        .map(|m| m.check_value())
        .unwrap();
    assert!(matches!(
        Notification::parse(&verifier, format!("check_value={text}").as_bytes()),
        Err(Error::InvalidNotification(_))
    ));
    // No check_value, no order.
    assert!(matches!(
        Notification::parse(&verifier, b"resp_code=218000"),
        Err(Error::InvalidNotification(_))
    ));
    let no_order = signer("huifu")
        .sign(br#"{"resp_code":"218000"}"#, ContentMode::Huifu)
        .map(|m| m.check_value())
        .unwrap();
    assert!(Notification::parse(&verifier, format!("check_value={no_order}").as_bytes()).is_err());
}

#[test]
fn the_client_refuses_results_for_another_merchant() {
    use huifu_cfca::client::{Client, Endpoint};
    let client = Client::builder(
        Endpoint::Test,
        MER_CUST_ID,
        signer("merchant"),
        huifu_verifier(),
    )
    .only_extra_roots()
    .add_root_certificates_pem(tls_file("ca.pem"))
    .build()
    .unwrap();
    let sign = |json: &Value| {
        let cv = signer("huifu")
            .sign(json.to_string().as_bytes(), ContentMode::Huifu)
            .map(|m| m.check_value())
            .unwrap();
        format!("check_value={cv}")
    };
    let mine = result_json("C1", "218000", "02000002");
    let note = client.notification(sign(&mine).as_bytes()).unwrap();
    assert_eq!(note.outcome(), OrderOutcome::Success);
    let mut theirs = mine.clone();
    theirs["mer_cust_id"] = "6666000000009999".into();
    assert!(matches!(
        client.notification(sign(&theirs).as_bytes()),
        Err(Error::InvalidNotification(_))
    ));
}

/// The acknowledgement needs only the order_id (guide lines 91-95): a result without
/// order_date or mer_cust_id (the Huifu-initiated 154 NFC tap and 155 mobile POS results of the
/// change log, lines ~1147-1176, carry what their tables say) is still verified, parsed and
/// acknowledged; only order-state tracking, which needs the whole key, leaves it alone.
#[tokio::test]
async fn a_result_without_the_whole_order_key_is_still_acknowledged() {
    let (addr, merchant) = start_merchant().await;
    for (cmd_id, drop) in [
        ("218", "order_date"),
        ("154", "mer_cust_id"),
        ("155", "order_date"),
    ] {
        let mut json = result_json(&format!("P-{cmd_id}"), &format!("{cmd_id}000"), "02000002");
        json["cmd_id"] = json!(cmd_id);
        json.as_object_mut().unwrap().remove(drop);
        let (status, body) = notify(addr, "huifu", &json).await;
        assert!(status.contains("200"), "{cmd_id}: {status} {body}");
        assert_eq!(body, format!("RECV_ORD_ID_P-{cmd_id}"));
    }
    assert!(
        merchant
            .log
            .lock()
            .await
            .iter()
            .all(|c| *c == StateChange::Untracked)
    );
    // Without an order_id there is nothing to acknowledge: refused.
    let mut json = result_json("X", "218000", "02000002");
    json.as_object_mut().unwrap().remove("order_id");
    let (status, _) = notify(addr, "huifu", &json).await;
    assert!(status.contains("400"), "{status}");
}
