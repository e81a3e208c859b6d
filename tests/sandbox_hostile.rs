//! Issue 17 against the sandbox on 127.0.0.1: its answers carry every field the client binds
//! them by (item 1), duplicate keys in signed requests are refused (item 2), and a callback is
//! acknowledged only by `RECV_ORD_ID_<order_id>` as a whole (item 8).
#![cfg(feature = "sandbox")]

mod sandbox_common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use huifu_cfca::ContentMode;
use huifu_cfca::client::{Client, Endpoint, QueryRequest, Url};
use huifu_cfca::sandbox::{CallbackPolicy, DeliveryOutcome, OrderKey, RunningSandbox};
use sandbox_common::*;
use serde_json::json;

fn client_for(sb: &RunningSandbox) -> Client {
    Client::builder(
        Endpoint::Custom(Url::parse(&sb.merchant_request_url()).unwrap()),
        MERCHANT,
        merchant_signer(),
        huifu_verifier(),
    )
    .timeout(Duration::from_secs(30))
    .build()
    .unwrap()
}

fn key(order_id: &str) -> OrderKey {
    OrderKey {
        mer_cust_id: MERCHANT.into(),
        order_id: order_id.into(),
        order_date: "20260101".parse().unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_answers_carry_every_binding_field() {
    let sb = start(config()).await;
    let client = client_for(&sb);
    let date = "20260101".parse().unwrap();
    // An order, its query, a duplicate, a query for an unknown order and one for another day:
    // all verified answers the client accepts as bound to their requests.
    let a = client
        .call(
            "218",
            &json!({"order_id": "E1", "order_date": "20260101", "trans_amt": "5.00", "pay_type": "10"}),
        )
        .await
        .unwrap();
    for (field, value) in [
        ("cmd_id", "218"),
        ("mer_cust_id", MERCHANT),
        ("order_id", "E1"),
        ("order_date", "20260101"),
    ] {
        assert_eq!(a.get(field), Some(value), "{field}");
    }
    let dup = client
        .call(
            "218",
            &json!({"order_id": "E1", "order_date": "20260101", "trans_amt": "5.00", "pay_type": "10"}),
        )
        .await
        .unwrap();
    assert!(dup.resp_code.ends_with("107"), "{dup:?}");
    let q = client
        .query(&QueryRequest::new("E1", date, "01"))
        .await
        .unwrap();
    assert!(q.answer.is_success());
    let other_day = client
        .query(&QueryRequest::new("E1", "20260102".parse().unwrap(), "01"))
        .await
        .unwrap();
    assert_eq!(other_day.answer.resp_code, "301108");
    assert_eq!(other_day.answer.get("order_date"), Some("20260102"));
    // A call without an order binds by cmd_id and mer_cust_id.
    let a = client
        .call("218", &json!({"trans_amt": "1.00"}))
        .await
        .unwrap();
    assert_eq!(a.get("cmd_id"), Some("218"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_request_with_a_duplicate_key_is_refused() {
    let sb = start(config()).await;
    let text = format!(
        r#"{{"version":"10","cmd_id":"218","mer_cust_id":"{MERCHANT}","order_id":"E2","order_date":"20260101","trans_amt":"1.00","trans_amt":"500.00"}}"#
    );
    let cv = merchant_signer()
        .sign_check_value(text.as_bytes(), ContentMode::Huifu)
        .unwrap();
    let fields = vec![
        ("version".to_string(), "10".to_string()),
        ("cmd_id".into(), "218".into()),
        ("mer_cust_id".into(), MERCHANT.into()),
        ("check_value".into(), cv),
    ];
    let answer = post_form(&http(), &sb.merchant_request_url(), &fields).await;
    let verified = answer.verified();
    assert_eq!(verified["resp_code"], "218101", "{verified:?}");
    assert!(sb.order(&key("E2")).is_none());
}

/// The merchant endpoint's state: the body per order id, and the number of posts received.
type AckState = (Arc<HashMap<String, String>>, Arc<Mutex<u32>>);

/// A merchant endpoint that answers every result with the body chosen for its order id.
async fn merchant(acks: HashMap<String, String>) -> (String, Arc<Mutex<u32>>) {
    let hits = Arc::new(Mutex::new(0));
    let state = (Arc::new(acks), hits.clone());
    let router = Router::new()
        .route(
            "/notify",
            post(
                |State((acks, hits)): State<AckState>,
                 axum::Form(form): axum::Form<HashMap<String, String>>| async move {
                    *hits.lock().unwrap() += 1;
                    let json = verify_check_value(&form["check_value"]);
                    let order_id = json["order_id"].as_str().unwrap_or_default().to_string();
                    acks.get(&order_id).cloned().unwrap_or_default()
                },
            ),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}/notify"), hits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_acknowledgement_must_name_the_order_whole() {
    let acks: HashMap<String, String> = [
        ("CBsub", "RECV_ORD_ID_CBsub999"),
        ("CBdash", "RECV_ORD_ID_CBdash-2"),
        ("CBok", "RECV_ORD_ID_CBok"),
        ("CBhtml", "<html><body>RECV_ORD_ID_CBhtml</body></html>\n"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (url, hits) = merchant(acks).await;
    let policy = CallbackPolicy {
        timeout: Duration::from_secs(3),
        retries: 1,
        retry_delay: Duration::from_millis(10),
        ..CallbackPolicy::default()
    };
    let sb = start(config().callback(policy)).await;
    for order_id in ["CBsub", "CBdash", "CBok", "CBhtml"] {
        let answer = call(
            &sb,
            &request(
                "203",
                json!({"order_id": order_id, "order_date": "20260101", "trans_amt": "1.00", "bg_ret_url": url}),
            ),
        )
        .await
        .verified();
        assert_eq!(answer["resp_code"], "203000");
    }
    assert!(sb.deliveries().wait_idle(Duration::from_secs(20)).await);
    let log = sb.deliveries();
    for order_id in ["CBsub", "CBdash"] {
        let outcomes: Vec<_> = log
            .for_order(&key(order_id))
            .into_iter()
            .map(|r| r.outcome)
            .collect();
        assert_eq!(
            outcomes,
            vec![
                DeliveryOutcome::MissingAck,
                DeliveryOutcome::MissingAck,
                DeliveryOutcome::GaveUp
            ],
            "{order_id}"
        );
    }
    for order_id in ["CBok", "CBhtml"] {
        assert!(log.delivered(&key(order_id)), "{order_id}");
        assert_eq!(log.attempts(&key(order_id)), 1, "{order_id}");
    }
    assert_eq!(*hits.lock().unwrap(), 6);
}
