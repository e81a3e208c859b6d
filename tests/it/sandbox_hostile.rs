//! Issue 17 against the sandbox on 127.0.0.1: its answers carry every field the client binds
//! them by (item 1), duplicate keys in signed requests are refused (item 2), it closes slow and
//! idle connections and caps them (item 5, raw TCP clients), calls back loopback destinations
//! only (item 6), refuses requests without the fields their interface needs (item 7), a callback
//! is acknowledged only by `RECV_ORD_ID_<order_id>` as a whole (item 8), and its orders are
//! bounded by bytes, its serial numbers not spent on refusals and its log lines escaped (item 9).
//!
//! Every wait is bounded: a server-side timeout of 1-2 s is checked with a 10 s upper bound.
#![cfg(feature = "sandbox")]

use crate::sandbox_common;

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

/// A signed 203 order of 1.00 on 2026-01-01 whose result goes to `url`; its verified answer.
async fn order_with_callback(
    sb: &RunningSandbox,
    order_id: &str,
    url: &str,
) -> serde_json::Map<String, serde_json::Value> {
    call(
        sb,
        &request(
            "203",
            json!({"order_id": order_id, "order_date": "20260101", "trans_amt": "1.00", "bg_ret_url": url}),
        ),
    )
    .await
    .verified()
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
            &json!({"order_id": "E1", "order_date": "20260101", "trans_amt": "5.00", "pay_type": "10",
                    "goods_desc": "tea", "bg_ret_url": "http://127.0.0.1:9/n"}),
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
            &json!({"order_id": "E1", "order_date": "20260101", "trans_amt": "5.00", "pay_type": "10",
                    "goods_desc": "tea", "bg_ret_url": "http://127.0.0.1:9/n"}),
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
    // A call without an order is refused (item 7), and its answer binds by cmd_id and
    // mer_cust_id.
    let a = client
        .call("218", &json!({"trans_amt": "1.00"}))
        .await
        .unwrap();
    assert_eq!(a.get("cmd_id"), Some("218"));
    assert_eq!(a.resp_code, "218102");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_request_with_a_duplicate_key_is_refused() {
    let sb = start(config()).await;
    let text = format!(
        r#"{{"version":"10","cmd_id":"218","mer_cust_id":"{MERCHANT}","order_id":"E2","order_date":"20260101","trans_amt":"1.00","trans_amt":"500.00"}}"#
    );
    let cv = merchant_signer()
        .sign(text.as_bytes(), ContentMode::Huifu)
        .map(|m| m.check_value())
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
        let answer = order_with_callback(&sb, order_id, &url).await;
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

// ---- item 5: timeouts and a connection cap, raw TCP clients ----------------------------------

use huifu_cfca::sandbox::SandboxConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The upper bound for a server-side timeout of 1-2 s to show.
const BOUND: Duration = Duration::from_secs(10);

fn timeouts(header: u64, idle: u64, body: u64) -> SandboxConfig {
    let mut c = config();
    c.header_timeout = Duration::from_secs(header);
    c.idle_timeout = Duration::from_secs(idle);
    c.body_timeout = Duration::from_secs(body);
    c
}

/// Reads until the server closes the connection (EOF or reset); `None` if it is still open after
/// `BOUND`. At most 1 MiB is kept.
async fn read_until_closed(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + BOUND;
    let mut buf = [0u8; 4096];
    for _ in 0..10_000 {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(seen),
            Ok(Ok(n)) => {
                if seen.len() < 1 << 20 {
                    seen.extend_from_slice(&buf[..n]);
                }
            }
        }
    }
    None
}

/// Reads one HTTP answer whose body is `Content-Length` long (bounded by `BOUND`).
async fn read_answer(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + BOUND;
    let mut buf = [0u8; 4096];
    for _ in 0..10_000 {
        let text = String::from_utf8_lossy(&seen).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap();
            if seen.len() >= end + 4 + length {
                return text;
            }
        }
        let n = tokio::time::timeout_at(deadline, stream.read(&mut buf))
            .await
            .expect("an answer within the bound")
            .unwrap();
        assert!(n > 0, "closed before the answer: {text}");
        seen.extend_from_slice(&buf[..n]);
    }
    panic!("no complete answer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_half_sent_heads_are_closed_by_the_header_timeout() {
    let sb = start(timeouts(1, 60, 60)).await;
    let mut silent = TcpStream::connect(sb.addr).await.unwrap();
    let mut half = TcpStream::connect(sb.addr).await.unwrap();
    half.write_all(b"POST /api/merchantRequest HTTP/1.1\r\nHost: sandbox\r\nContent-Le")
        .await
        .unwrap();
    // A head sent one byte at a time is a head that takes too long too.
    let mut drip = TcpStream::connect(sb.addr).await.unwrap();
    let dripping = tokio::spawn(async move {
        for &b in b"GET /sandbox/orders HTTP/1.1\r\nHost: sandbox\r\nX-Slow: ".iter() {
            if drip.write_all(&[b]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        read_until_closed(&mut drip).await.is_some()
    });
    for stream in [&mut silent, &mut half] {
        let seen = read_until_closed(stream)
            .await
            .expect("closed within the bound");
        assert!(seen.is_empty(), "{}", String::from_utf8_lossy(&seen));
    }
    assert!(dripping.await.unwrap(), "the dripping head was closed");
    // The server still serves.
    let a = call(
        &sb,
        &request(
            "203",
            json!({"order_id": "H1", "order_date": "20260101", "trans_amt": "1.00"}),
        ),
    )
    .await;
    assert_eq!(a.verified()["resp_code"], "203000");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_by_the_idle_timeout() {
    // The header timeout (60 s) is past the bound: only the idle timeout can close it.
    let sb = start(timeouts(60, 1, 60)).await;
    let mut stream = TcpStream::connect(sb.addr).await.unwrap();
    stream
        .write_all(b"GET /sandbox/orders HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        .await
        .unwrap();
    let answer = read_answer(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let rest = read_until_closed(&mut stream)
        .await
        .expect("the idle connection is closed within the bound");
    assert!(rest.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_body_gets_408_and_the_connection_is_closed() {
    let sb = start(timeouts(60, 60, 1)).await;
    for path in ["/api/merchantRequest", "/api/fileMerchantRequest"] {
        let mut stream = TcpStream::connect(sb.addr).await.unwrap();
        let content_type = if path.contains("file") {
            "multipart/form-data; boundary=XYZ"
        } else {
            "application/x-www-form-urlencoded"
        };
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: sandbox\r\nContent-Type: {content_type}\r\nContent-Length: 100\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(b"--XYZ\r\nversion=10&").await.unwrap();
        let seen = read_until_closed(&mut stream)
            .await
            .expect("closed within the bound");
        let text = String::from_utf8_lossy(&seen);
        assert!(text.starts_with("HTTP/1.1 408"), "{path}: {text}");
        assert!(text.contains("000101"), "{path}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_cap_holds_further_clients_until_a_connection_ends() {
    let mut c = timeouts(2, 60, 60);
    c.max_connections = 1;
    let sb = start(c).await;
    // A takes the only slot and says nothing; B is queued behind it.
    let mut a = TcpStream::connect(sb.addr).await.unwrap();
    let mut b = TcpStream::connect(sb.addr).await.unwrap();
    b.write_all(b"GET /sandbox/orders HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut byte = [0u8; 1];
    tokio::select! {
        biased;
        closed = tokio::time::timeout(BOUND, a.read(&mut byte)) => {
            assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "A closed by the header timeout");
        }
        _ = b.readable() => panic!("B was served while A held the only slot"),
    }
    let answer = read_until_closed(&mut b)
        .await
        .expect("B served and closed");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_idle_and_silent_connections() {
    let sb = start(timeouts(60, 60, 60)).await;
    let mut silent = TcpStream::connect(sb.addr).await.unwrap();
    let mut kept = TcpStream::connect(sb.addr).await.unwrap();
    kept.write_all(b"GET /sandbox/orders HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        .await
        .unwrap();
    assert!(read_answer(&mut kept).await.starts_with("HTTP/1.1 200"));
    tokio::time::timeout(BOUND, sb.shutdown())
        .await
        .expect("shutdown within the bound")
        .unwrap();
    for stream in [&mut silent, &mut kept] {
        assert!(read_until_closed(stream).await.is_some());
    }
}

// ---- item 6: callbacks go to loopback destinations only ---------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_go_to_loopback_destinations_only() {
    let merchant = merchant_server(Behaviour::Ack).await;
    let port = merchant.addr.port();
    let sb = start(config()).await;
    let cases = [
        ("L1", merchant.url(), None),
        (
            "R1",
            "http://169.254.169.254/latest/meta-data".to_string(),
            Some("loopback"),
        ),
        (
            "R2",
            "http://10.0.0.1:8080/notify".to_string(),
            Some("loopback"),
        ),
        (
            "R3",
            "http://[fd00::1]/notify".to_string(),
            Some("loopback"),
        ),
        (
            "R4",
            "http://example.invalid/notify".to_string(),
            Some("loopback"),
        ),
        (
            "R5",
            format!("http://user:pw@127.0.0.1:{port}/notify"),
            Some("user information"),
        ),
    ];
    for (order_id, url, _) in &cases {
        let answer = order_with_callback(&sb, order_id, url).await;
        // Answered as any order is; stored; only the callback is not made.
        assert_eq!(answer["resp_code"], "203000", "{order_id}");
        assert!(sb.order(&key(order_id)).is_some(), "{order_id}");
    }
    assert!(sb.deliveries().wait_idle(BOUND).await);
    let log = sb.deliveries();
    assert!(log.delivered(&key("L1")));
    for (order_id, url, why) in &cases[1..] {
        let records = log.for_order(&key(order_id));
        assert_eq!(records.len(), 1, "{order_id}: {records:?}");
        let DeliveryOutcome::Refused(reason) = &records[0].outcome else {
            panic!("{order_id}: {records:?}");
        };
        assert!(reason.contains(why.unwrap()), "{order_id}: {reason}");
        assert_eq!(records[0].attempt, 0);
        assert_eq!(log.attempts(&key(order_id)), 0);
        assert!(!records[0].url.contains("pw@"), "{}", records[0].url);
        let _ = url;
    }
    // Only the loopback order reached the merchant (R5 names the merchant's own address).
    assert_eq!(merchant.attempts("L1"), 1);
    assert_eq!(merchant.attempts("R5"), 0);
    // The delivery log over HTTP says the same.
    let list: serde_json::Value = http()
        .get(format!("{}/sandbox/deliveries", sb.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refused = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"].as_str().unwrap().starts_with("refused"))
        .count();
    assert_eq!(refused, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowing_remote_callbacks_still_refuses_user_information() {
    let merchant = merchant_server(Behaviour::Ack).await;
    let port = merchant.addr.port();
    let sb = start(config().allow_remote_callbacks(true)).await;
    for (order_id, url) in [
        ("A1", merchant.url()),
        ("A2", format!("http://user@127.0.0.1:{port}/notify")),
    ] {
        let answer = order_with_callback(&sb, order_id, &url).await;
        assert_eq!(answer["resp_code"], "203000");
    }
    assert!(sb.deliveries().wait_idle(BOUND).await);
    assert!(sb.deliveries().delivered(&key("A1")));
    assert!(matches!(
        &sb.deliveries().for_order(&key("A2"))[..],
        [r] if matches!(r.outcome, DeliveryOutcome::Refused(_))
    ));
    assert_eq!(merchant.attempts("A2"), 0);
}

// ---- item 7: required fields per interface ----------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_a_field_its_interface_needs_is_refused() {
    let merchant = merchant_server(Behaviour::Ack).await;
    let url = merchant.url();
    let sb = start(config()).await;
    let cases = [
        (
            "218",
            json!({"order_date": "20260101", "trans_amt": "1.00", "bg_ret_url": url}),
            "order_id",
        ),
        (
            "218",
            json!({"order_id": "", "order_date": "20260101", "trans_amt": "1.00", "bg_ret_url": url}),
            "order_id",
        ),
        (
            "218",
            json!({"order_id": 7, "order_date": "20260101", "trans_amt": "1.00", "bg_ret_url": url}),
            "order_id",
        ),
        (
            "218",
            json!({"order_id": "M1", "order_date": "20260101", "bg_ret_url": url}),
            "trans_amt",
        ),
        (
            "203",
            json!({"order_id": "M2", "trans_amt": "1.00", "bg_ret_url": url}),
            "order_date",
        ),
        // The guide's PHP 202 demo (lines 253-261).
        (
            "202",
            json!({"user_cust_id": "6666000000054387", "order_id": "M3", "order_date": "20260101",
                   "bg_ret_url": url}),
            "trans_amt",
        ),
        (
            "202",
            json!({"order_id": "M3", "order_date": "20260101", "trans_amt": "1.00", "bg_ret_url": url}),
            "user_cust_id",
        ),
        (
            "202",
            json!({"user_cust_id": "6666000000054387", "order_id": "M3", "order_date": "20260101",
                   "trans_amt": "1.00", "cash_bind_card_id": "76247", "bg_ret_url": url}),
            "cash_type",
        ),
        // Huifu's own demo (Refund.java): the payment by orginal_platform_seq_id.
        (
            "205",
            json!({"order_id": "M4", "order_date": "20260101", "trans_amt": "1.00",
                   "bg_ret_url": url, "org_order_id": "X"}),
            "orginal_platform_seq_id",
        ),
        // 218: goods_desc (Huifu's demo), bg_ret_url.
        (
            "218",
            json!({"order_id": "M6", "order_date": "20260101", "trans_amt": "1.00",
                   "pay_type": "10", "bg_ret_url": url}),
            "goods_desc",
        ),
        (
            "218",
            json!({"order_id": "M6", "order_date": "20260101", "trans_amt": "1.00",
                   "pay_type": "10", "goods_desc": "tea"}),
            "bg_ret_url",
        ),
        (
            "301",
            json!({"order_id": "M5", "trans_type": "01"}),
            "order_date",
        ),
    ];
    for (cmd_id, extra, missing) in cases {
        let answer = call(&sb, &request(cmd_id, extra.clone())).await.verified();
        assert_eq!(answer["resp_code"], format!("{cmd_id}102"), "{extra}");
        assert_eq!(answer["cmd_id"], cmd_id);
        let desc = answer["resp_desc"].as_str().unwrap();
        assert!(desc.contains(missing), "{extra}: {desc}");
    }
    // An upload without attach_type, on its own endpoint.
    let json = request("122", json!({"attach_no": "U1", "trans_type": "01"}));
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in sandbox_common::form(&merchant_signer(), &json) {
        form = form.text(name, value);
    }
    let form = form.part(
        "attach_file",
        reqwest::multipart::Part::bytes(b"file".to_vec()).file_name("a.png"),
    );
    let body = http()
        .post(sb.file_merchant_request_url())
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let cv = serde_json::from_str::<serde_json::Value>(&body).unwrap()["check_value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(verify_check_value(&cv)["resp_code"], "122102");
    // Nothing stored, nothing sent.
    assert!(sb.orders().is_empty(), "{:?}", sb.orders());
    assert!(sb.uploads().is_empty());
    assert!(sb.deliveries().wait_idle(BOUND).await);
    assert!(sb.deliveries().records().is_empty());
    assert_eq!(merchant.attempts(""), 0);
    assert_eq!(merchant.attempts("M1"), 0);
    // With its fields, the same order is accepted.
    let ok = call(
        &sb,
        &request(
            "218",
            json!({"order_id": "M1", "order_date": "20260101", "trans_amt": "1.00", "pay_type": "10",
                   "goods_desc": "tea", "bg_ret_url": url}),
        ),
    )
    .await
    .verified();
    // Accepted (guide line 1103: 218002); the result follows by notification.
    assert_eq!(ok["resp_code"], "218002");
}

// ---- item 9: bytes, serial numbers, log lines --------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_store_is_bounded_by_bytes() {
    let mut c = config();
    c.max_order_bytes = 8 * 1024;
    let sb = start(c).await;
    let big = "x".repeat(5000);
    let order = |id: &str, mer_priv: &str| {
        request(
            "203",
            json!({"order_id": id, "order_date": "20260101", "trans_amt": "1.00", "mer_priv": mer_priv}),
        )
    };
    assert_eq!(
        call(&sb, &order("B1", &big)).await.verified()["resp_code"],
        "203000"
    );
    // A second one would pass 8 KiB: refused as full, not stored.
    assert_eq!(
        call(&sb, &order("B2", &big)).await.verified()["resp_code"],
        "203111"
    );
    assert!(sb.order(&key("B2")).is_none());
    // A small one still fits.
    assert_eq!(
        call(&sb, &order("B3", "small")).await.verified()["resp_code"],
        "203000"
    );
    assert_eq!(sb.orders().len(), 2);
    let held: usize = sb.orders().iter().map(|o| o.size_bytes()).sum();
    assert!(held <= 8 * 1024 && held > 5000, "{held}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_use_up_no_platform_seq_id() {
    let mut c = config();
    c.max_order_bytes = 4 * 1024;
    let sb = start(c).await;
    let order = |id: &str, mer_priv: &str| {
        request(
            "203",
            json!({"order_id": id, "order_date": "20260101", "trans_amt": "1.00", "mer_priv": mer_priv}),
        )
    };
    let seq = |v: &serde_json::Map<String, serde_json::Value>| {
        v["platform_seq_id"].as_str().unwrap()[3..]
            .parse::<u64>()
            .unwrap()
    };
    let first = call(&sb, &order("S1", "")).await.verified();
    // A duplicate, an order past the byte bound, an order without its amount: all refused.
    assert_eq!(
        call(&sb, &order("S1", "")).await.verified()["resp_code"],
        "203107"
    );
    assert_eq!(
        call(&sb, &order("S2", &"y".repeat(5000))).await.verified()["resp_code"],
        "203111"
    );
    let no_amount = request("203", json!({"order_id": "S3", "order_date": "20260101"}));
    assert_eq!(
        call(&sb, &no_amount).await.verified()["resp_code"],
        "203102"
    );
    let next = call(&sb, &order("S4", "")).await.verified();
    assert_eq!(seq(&next), seq(&first) + 1, "{first:?} {next:?}");
    assert_eq!(
        sb.order(&key("S4")).unwrap().platform_seq_id,
        next["platform_seq_id"]
    );
}

/// The sandbox binary logs a refused request whose unauthenticated `mer_cust_id` carries a line
/// break and an escape sequence: the log line shows them escaped and nothing forges a line.
#[cfg(feature = "cli")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_lines_escape_request_values() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};

    let dir = std::env::temp_dir().join(format!("huifu-sandbox-log-{}", std::process::id()));
    pki().write_to(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_huifu-cfca"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--pki"])
        .arg(&dir)
        .args(["--password-env", "HUIFU_SANDBOX_LOG_TEST_PW"])
        .env("HUIFU_SANDBOX_LOG_TEST_PW", "pfx-password")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let url = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        for _ in 0..20 {
            let line = lines.next()?.ok()?;
            if let Some(url) = line.strip_prefix("sandbox listening on ") {
                return Some(url.trim().to_string());
            }
        }
        None
    });
    let url = tokio::time::timeout(Duration::from_secs(60), url)
        .await
        .expect("the sandbox starts")
        .unwrap();
    let Some(url) = url else {
        let _ = child.kill();
        panic!("no listening line");
    };
    let forged = "6666\nsandbox callback 6666/ORDER/20260101 attempt 1 -> x: acknowledged\u{1b}[0m";
    let fields = vec![
        ("version".to_string(), "10".to_string()),
        ("cmd_id".into(), "203".into()),
        ("mer_cust_id".into(), forged.into()),
        ("check_value".into(), "AAAA".into()),
    ];
    let answer = post_form(&http(), &url, &fields).await;
    assert_eq!(answer.unsigned_code(), "203104");
    // The line is written before the answer is sent; stop the sandbox and read its log.
    child.kill().unwrap();
    let _ = child.wait();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        log.contains("unknown merchant 6666\\nsandbox callback"),
        "{log}"
    );
    assert!(log.contains("\\u{1b}[0m"), "{log}");
    assert!(!log.contains('\u{1b}'), "{log}");
    assert!(
        !log.lines().any(|l| l.starts_with("sandbox callback")),
        "{log}"
    );
}
