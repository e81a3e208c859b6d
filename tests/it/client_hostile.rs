//! Issue 17: the client and the notification handler against hostile servers and notifiers on
//! 127.0.0.1 (axum, real HTTP), signing with the genuine Huifu-role test key as a replaying
//! attacker could. Every loop is a fixed table; every call has a timeout.
#![cfg(feature = "client")]

use crate::client_support;
use crate::common::real;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use client_support::*;
use huifu_cfca::chain::{TrustStore, VerifyTime};
use huifu_cfca::client::{
    Client, Endpoint, MAX_ANSWER_BYTES, Notification, OrderDate, OrderOutcome, OrderStates,
    QueryRequest, Url,
};
use huifu_cfca::identity::SignerPin;
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::Verifier;
use huifu_cfca::{ContentMode, Error};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// 2017-12-20T00:00:00Z: the day after the real cmd 209 answer.
const T2017_12_20: u64 = 1_513_728_000;

fn real(name: &str) -> Vec<u8> {
    real::read(name)
}

// ---- the hostile server ----------------------------------------------------------------------

struct Hostile {
    huifu: Signer,
    merchant: Verifier,
}

/// The request's signed JSON (the server does not need to trust it, only to read it).
fn request_json(state: &Hostile, body: &[u8]) -> Map<String, Value> {
    let fields: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let cv = fields
        .iter()
        .find(|(k, _)| k == "check_value")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let text = state
        .merchant
        .verify(cv.as_bytes())
        .unwrap()
        .text()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Signs `text` exactly as given (duplicates and all) and wraps it as an answer body.
fn signed_text(huifu: &Signer, text: &str) -> String {
    let cv = huifu
        .sign(text.as_bytes(), ContentMode::Huifu)
        .map(|m| m.check_value())
        .unwrap();
    json!({ "check_value": cv }).to_string()
}

/// The honest answer: the request echoed (without `version`) with its success code.
fn echo(request: &Map<String, Value>) -> Map<String, Value> {
    let mut answer = request.clone();
    answer.remove("version");
    let cmd = request["cmd_id"].as_str().unwrap().to_string();
    answer.insert("resp_code".into(), format!("{cmd}000").into());
    answer.insert("resp_desc".into(), "成功".into());
    answer
}

/// A valid answer padded with JSON whitespace to exactly `len` bytes.
fn padded(state: &Hostile, request: &Map<String, Value>, len: usize) -> String {
    let mut body = huifu_answer(&state.huifu, &Value::Object(echo(request)));
    assert!(body.len() <= len);
    body.push_str(&" ".repeat(len - body.len()));
    body
}

async fn hostile(
    State(state): State<Arc<Hostile>>,
    Path(mode): Path<String>,
    body: Bytes,
) -> Response {
    let request = request_json(&state, &body);
    let m = MER_CUST_ID;
    let sign = |v: Value| huifu_answer(&state.huifu, &v).into_response();
    if let Some(rest) = mode.strip_prefix("unbind-") {
        // unbind-<field>-<missing|empty|number|other>
        let (field, kind) = rest.rsplit_once('-').unwrap();
        let mut answer = echo(&request);
        match kind {
            "missing" => {
                answer.remove(field);
            }
            "empty" => {
                answer.insert(field.into(), "".into());
            }
            "number" => {
                answer.insert(field.into(), json!(20260102));
            }
            "other" => {
                answer.insert(field.into(), "20260103".into());
            }
            _ => unreachable!(),
        }
        return sign(Value::Object(answer));
    }
    match mode.as_str() {
        "echo" => sign(Value::Object(echo(&request))),
        // The sandbox-signed answer to an order-less 218 of 1.00 yuan.
        "orderless218" => sign(json!({
            "cmd_id": "218", "mer_cust_id": m, "trans_amt": "1.00",
            "resp_code": "218000", "resp_desc": "成功",
        })),
        // The answer to a query for B1 of 20260101, replayed to a query for B1 of another day.
        "query0101" => sign(json!({
            "cmd_id": "301", "mer_cust_id": m, "order_id": "B1", "order_date": "20260101",
            "trans_type": "01", "trans_stat": "02000002", "trans_amt": "20.00",
            "resp_code": "301000", "resp_desc": "成功",
        })),
        "real209" => {
            let cv = String::from_utf8(real("response_cmd209.check_value")).unwrap();
            json!({ "check_value": cv.trim() }).to_string().into_response()
        }
        "dup-signed" => signed_text(
            &state.huifu,
            &format!(
                r#"{{"cmd_id":"218","mer_cust_id":"{m}","order_id":"D1","order_date":"20260101","resp_code":"218003","resp_desc":"失败","resp_code":"218000"}}"#
            ),
        )
        .into_response(),
        "dup-nested" => signed_text(
            &state.huifu,
            &format!(
                r#"{{"cmd_id":"218","mer_cust_id":"{m}","order_id":"D1","order_date":"20260101","resp_code":"218000","extension":{{"x":[{{"k":"1","k":"2"}}]}}}}"#
            ),
        )
        .into_response(),
        "dup-body" => {
            let text = Value::Object(echo(&request)).to_string();
            let cv = state
                .huifu
                .sign(text.as_bytes(), ContentMode::Huifu).map(|m| m.check_value())
                .unwrap();
            format!(r#"{{"check_value":"{cv}","check_value":"forged"}}"#).into_response()
        }
        "esc500" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "busy\r\n2026-01-01T00:00:00Z INFO order 1 paid OK\u{1b}[2K\u{202e}",
        )
            .into_response(),
        "esc-unsigned" => "{\"resp_code\":\"000099\",\n\"resp_desc\":\"\u{1b}]0;owned\u{7}\"}"
            .into_response(),
        "esc-order" => {
            let mut answer = echo(&request);
            answer.insert("order_id".into(), "x\u{202e}\r\nINFO paid OK".into());
            sign(Value::Object(answer))
        }
        "big-len" => padded(&state, &request, MAX_ANSWER_BYTES + 1).into_response(),
        "big-garbage" => {
            let mut body = huifu_answer(&state.huifu, &Value::Object(echo(&request)));
            body.push_str(&" ".repeat(MAX_ANSWER_BYTES));
            body.push_str("garbage");
            body.into_response()
        }
        "big-chunked" => {
            // No Content-Length: chunks of 64 KiB, one more than the cap holds.
            let first = huifu_answer(&state.huifu, &Value::Object(echo(&request)));
            let chunks: Vec<Bytes> = (0..=MAX_ANSWER_BYTES / 65_536)
                .map(|i| {
                    if i == 0 {
                        Bytes::from(format!("{first}{}", " ".repeat(65_536 - first.len())))
                    } else {
                        Bytes::from(" ".repeat(65_536))
                    }
                })
                .collect();
            Response::new(Body::new(Chunked(chunks.into_iter())))
        }
        "exact-cap" => padded(&state, &request, MAX_ANSWER_BYTES).into_response(),
        other => (StatusCode::NOT_FOUND, format!("no mode {other}")).into_response(),
    }
}

/// A body of `chunks` sent one frame at a time, without a length (chunked encoding).
struct Chunked(std::vec::IntoIter<Bytes>);

impl hyper::body::Body for Chunked {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        std::task::Poll::Ready(self.0.next().map(|b| Ok(hyper::body::Frame::data(b))))
    }
}

async fn start_hostile() -> std::net::SocketAddr {
    let state = Arc::new(Hostile {
        huifu: signer("huifu"),
        merchant: merchant_verifier(),
    });
    let router = Router::new()
        .route("/{mode}/merchantRequest", post(hostile))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

fn client_with(
    addr: std::net::SocketAddr,
    mode: &str,
    mer_cust_id: &str,
    verifier: Verifier,
) -> Client {
    Client::builder(
        Endpoint::Custom(Url::parse(&format!("http://{addr}/{mode}/merchantRequest")).unwrap()),
        mer_cust_id,
        signer("merchant"),
        verifier,
    )
    .connect_timeout(Duration::from_secs(5))
    .timeout(Duration::from_secs(20))
    .build()
    .unwrap()
}

fn client(addr: std::net::SocketAddr, mode: &str) -> Client {
    client_with(addr, mode, MER_CUST_ID, huifu_verifier())
}

fn order_218() -> Value {
    json!({
        "order_id": "A500", "order_date": "20260102", "trans_amt": "500.00",
        "pay_type": "10", "goods_desc": "tea", "bg_ret_url": "http://127.0.0.1:9/notify",
    })
}

fn no_control(text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "unescaped: {text:?}"
    );
}

// ---- item 1: an answer is bound to its request ------------------------------------------------

#[tokio::test]
async fn an_answer_without_the_order_is_not_the_answer_to_an_order() {
    // A sandbox-signed 218 answer for an order-less request (1.00 yuan) offered as the answer to
    // a 218 for order A500 of 500.00.
    let addr = start_hostile().await;
    let err = client(addr, "orderless218")
        .call("218", &order_218())
        .await
        .unwrap_err();
    match &err {
        Error::AnswerMismatch {
            status,
            field,
            expected,
            found,
            json,
        } => {
            assert_eq!(
                (*status, *field, expected.as_str()),
                (200, "order_id", "A500")
            );
            assert_eq!(found, &None);
            // The verified JSON is handed over for diagnosis.
            assert_eq!(json["trans_amt"], "1.00");
            assert_eq!(json["resp_code"], "218000");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.was_sent());
    assert_eq!(err.http_status(), Some(200));
    assert!(err.to_string().contains("order_id is absent"), "{err}");
}

#[tokio::test]
async fn a_query_answer_for_another_day_is_refused() {
    let addr = start_hostile().await;
    let date: OrderDate = "20260102".parse().unwrap();
    let err = client(addr, "query0101")
        .query(&QueryRequest::new("B1", date, "01"))
        .await
        .unwrap_err();
    match &err {
        Error::AnswerMismatch {
            field,
            expected,
            found,
            json,
            ..
        } => {
            assert_eq!((*field, expected.as_str()), ("order_date", "20260102"));
            assert_eq!(found.as_deref(), Some("\"20260101\""));
            assert_eq!(json["trans_stat"], "02000002");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn every_binding_field_must_come_back_as_the_same_string() {
    let addr = start_hostile().await;
    // The honest echo passes.
    let answer = client(addr, "echo")
        .call("218", &order_218())
        .await
        .unwrap();
    assert_eq!(answer.resp_code, "218000");
    for field in ["cmd_id", "mer_cust_id", "order_id", "order_date"] {
        for (kind, found) in [
            ("missing", None),
            ("empty", Some("\"\"")),
            ("number", Some("20260102")),
            ("other", Some("\"20260103\"")),
        ] {
            let err = client(addr, &format!("unbind-{field}-{kind}"))
                .call("218", &order_218())
                .await
                .unwrap_err();
            match &err {
                Error::AnswerMismatch {
                    field: f,
                    found: got,
                    ..
                } => {
                    assert_eq!(*f, field, "{field} {kind}");
                    assert_eq!(got.as_deref(), found, "{field} {kind}");
                }
                other => panic!("{field} {kind}: {other:?}"),
            }
        }
    }
    // A request without an order binds only cmd_id and mer_cust_id: the echo without order
    // fields passes.
    let answer = client(addr, "unbind-order_id-missing")
        .call("218", &json!({"trans_amt": "1.00"}))
        .await
        .unwrap();
    assert!(answer.is_success());
}

#[tokio::test]
async fn an_order_id_that_is_no_string_is_refused_before_sending() {
    let addr = start_hostile().await;
    for params in [
        json!({"order_id": 1}),
        json!({"order_date": 20260102}),
        json!({"order_id": ["x"]}),
    ] {
        let err = client(addr, "echo").call("218", &params).await.unwrap_err();
        assert!(matches!(err, Error::InvalidParams(_)), "{params}: {err:?}");
        assert!(!err.was_sent());
    }
}

#[tokio::test]
async fn the_real_cmd209_answer_passes_the_binding() {
    if real::skip("the client's order binding on Huifu's real cmd 209 answer") {
        return;
    }
    // Huifu's real answer of 2017-12-19 to a 209 (merchant 6666000000035476, order 1513665779
    // of 20171219) carries every binding field.
    let addr = start_hostile().await;
    let trust = TrustStore::from_files([
        real::file("CFCA_ACS_TEST_OCA31.cer"),
        real::file("CFCA_ACS_TEST_CA.cer"),
    ])
    .unwrap();
    let verifier = Verifier::builder()
        .trust(trust)
        .time(VerifyTime::at_unix(T2017_12_20))
        .pin(SignerPin::huifu())
        .build()
        .unwrap();
    let client = client_with(addr, "real209", "6666000000035476", verifier);
    let answer = client
        .call(
            "209",
            &json!({"order_id": "1513665779", "order_date": "20171219", "trans_amt": "0.01"}),
        )
        .await
        .unwrap();
    assert_eq!(answer.resp_code, "209000");
    assert!(answer.is_success());
    // The same answer to another order of the merchant, or another day, is refused.
    for (order_id, order_date, field) in [
        ("1513665780", "20171219", "order_id"),
        ("1513665779", "20171220", "order_date"),
    ] {
        let err = client
            .call(
                "209",
                &json!({"order_id": order_id, "order_date": order_date}),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::AnswerMismatch { field: f, .. } if *f == field),
            "{err:?}"
        );
    }
}

// ---- item 2: duplicate keys in answers --------------------------------------------------------

#[tokio::test]
async fn duplicate_keys_in_an_answer_are_refused() {
    let addr = start_hostile().await;
    for (mode, key, signed) in [
        ("dup-signed", "resp_code", true),
        ("dup-nested", "k", true),
        ("dup-body", "check_value", false),
    ] {
        let err = client(addr, mode)
            .call("218", &json!({"order_id": "D1", "order_date": "20260101"}))
            .await
            .unwrap_err();
        match &err {
            Error::AnswerDuplicateKey {
                status,
                key: k,
                signed: s,
            } => {
                assert_eq!((*status, k.as_str(), *s), (200, key, signed), "{mode}");
            }
            other => panic!("{mode}: {other:?}"),
        }
        assert!(err.was_sent());
    }
}

// ---- item 4: network text is escaped ----------------------------------------------------------

#[tokio::test]
async fn network_text_in_errors_is_escaped() {
    let addr = start_hostile().await;
    let err = client(addr, "esc500")
        .call("218", &order_218())
        .await
        .unwrap_err();
    let excerpt = err.body_excerpt().unwrap().to_string();
    assert!(
        excerpt.starts_with("busy\\r\\n2026-01-01T00:00:00Z INFO order 1 paid OK\\u{1b}[2K"),
        "{excerpt}"
    );
    no_control(&excerpt);
    no_control(&err.to_string());

    let err = client(addr, "esc-unsigned")
        .call("218", &order_218())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnsignedAnswer { .. }), "{err:?}");
    assert!(
        err.body_excerpt()
            .unwrap()
            .contains("\\u{1b}]0;owned\\u{7}")
    );
    no_control(&err.to_string());

    let err = client(addr, "esc-order")
        .call("218", &order_218())
        .await
        .unwrap_err();
    match &err {
        Error::AnswerMismatch { found, .. } => {
            assert_eq!(found.as_deref(), Some("\"x\\u{202e}\\r\\nINFO paid OK\""));
        }
        other => panic!("{other:?}"),
    }
    no_control(&err.to_string());
}

// ---- item 10: an answer over the cap is refused -----------------------------------------------

#[tokio::test]
async fn an_answer_over_the_cap_is_refused_as_too_large() {
    let addr = start_hostile().await;
    for mode in ["big-len", "big-garbage", "big-chunked"] {
        let err = client(addr, mode)
            .call("218", &order_218())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::AnswerTooLarge {
                    status: 200,
                    limit: MAX_ANSWER_BYTES
                }
            ),
            "{mode}: {err:?}"
        );
        assert!(err.was_sent());
    }
    // Exactly at the cap: read whole and verified.
    let answer = client(addr, "exact-cap")
        .call("218", &order_218())
        .await
        .unwrap();
    assert_eq!(answer.resp_code, "218000");
}

// ---- items 2 and 3: notifications -------------------------------------------------------------

async fn notified(State(states): State<Arc<OrderStates>>, body: Bytes) -> (StatusCode, String) {
    match Notification::parse(&huifu_verifier(), &body) {
        Ok(note) => {
            states.apply_notification(&note);
            (StatusCode::OK, note.ack_body())
        }
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn start_merchant() -> (std::net::SocketAddr, Arc<OrderStates>) {
    let states = Arc::new(OrderStates::new());
    let router = Router::new()
        .route("/notify", post(notified))
        .with_state(states.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (addr, states)
}

/// POSTs `body` over a raw connection; returns the status code and the body (bounded by time).
async fn post_raw(addr: std::net::SocketAddr, content_type: &str, body: &str) -> (u16, String) {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "POST /notify HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        String::from_utf8(response).unwrap()
    };
    let text = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

fn huifu_cv(text: &str) -> String {
    signer("huifu")
        .sign(text.as_bytes(), ContentMode::Huifu)
        .map(|m| m.check_value())
        .unwrap()
}

fn result_text(order_id: &str, cmd_id: &str, resp_code: &str, trans_stat: &str) -> String {
    json!({
        "cmd_id": cmd_id, "mer_cust_id": MER_CUST_ID, "order_id": order_id,
        "order_date": "20260102", "trans_amt": "12.00", "resp_code": resp_code,
        "resp_desc": "结果", "trans_stat": trans_stat,
    })
    .to_string()
}

fn form(cv: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("check_value", cv)
        .finish()
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn notifications_with_two_check_values_or_duplicate_keys_are_refused() {
    let (addr, states) = start_merchant().await;
    let failure = huifu_cv(&result_text("N1", "218", "218003", "02000003"));
    let success = huifu_cv(&result_text("N1", "218", "218000", "02000002"));
    let two_fields = format!("{}&{}", form(&failure), form(&success));
    let two_json = format!(r#"{{"check_value":"{failure}","check_value":"{success}"}}"#);
    let dup_signed = huifu_cv(&format!(
        r#"{{"cmd_id":"218","mer_cust_id":"{MER_CUST_ID}","order_id":"N1","order_date":"20260102","resp_code":"218003","trans_stat":"02000003","resp_code":"218000"}}"#
    ));
    let dup_nested = huifu_cv(&format!(
        r#"{{"cmd_id":"218","mer_cust_id":"{MER_CUST_ID}","order_id":"N1","order_date":"20260102","resp_code":"218000","extension":{{"a":{{"b":1,"b":2}}}}}}"#
    ));
    for (what, content_type, body, says) in [
        ("two form fields", FORM, two_fields, "two check_value"),
        (
            "two JSON keys",
            "application/json",
            two_json,
            "check_value\" twice",
        ),
        (
            "signed duplicate",
            FORM,
            form(&dup_signed),
            "resp_code\" twice",
        ),
        ("nested duplicate", FORM, form(&dup_nested), "\"b\" twice"),
    ] {
        let (status, text) = post_raw(addr, content_type, &body).await;
        assert_eq!(status, 400, "{what}: {text}");
        assert!(text.contains(says), "{what}: {text}");
        assert!(!text.contains("RECV_ORD_ID_"), "{what}: {text}");
    }
    assert_eq!(states.get(&key("N1")), None);
    // The same result sent once is taken.
    let (status, text) = post_raw(addr, FORM, &form(&success)).await;
    assert_eq!((status, text.as_str()), (200, "RECV_ORD_ID_N1"));
}

fn key(order_id: &str) -> huifu_cfca::client::OrderKey {
    huifu_cfca::client::OrderKey {
        mer_cust_id: MER_CUST_ID.into(),
        order_id: order_id.into(),
        order_date: "20260102".parse().unwrap(),
    }
}

#[tokio::test]
async fn a_query_answer_or_a_foreign_code_is_no_notification() {
    let (addr, states) = start_merchant().await;
    for (what, text, says) in [
        // A Huifu-signed 301 answer (the order was refunded) posted to bg_ret_url.
        (
            "301 answer",
            result_text("R1", "301", "301000", "02000009"),
            "301",
        ),
        (
            "000000",
            result_text("R1", "218", "000000", ""),
            "resp_code",
        ),
        ("cmd 000", result_text("R1", "000", "000000", ""), "cmd_id"),
        (
            "another interface's code",
            result_text("R1", "218", "202000", "02000002"),
            "resp_code",
        ),
        (
            "no resp_code",
            result_text("R1", "218", "", "02000002"),
            "resp_code",
        ),
        (
            "no cmd_id",
            json!({"mer_cust_id": MER_CUST_ID, "order_id": "R1", "order_date": "20260102",
                   "resp_code": "218000", "trans_stat": "02000002"})
            .to_string(),
            "cmd_id",
        ),
    ] {
        let (status, body) = post_raw(addr, FORM, &form(&huifu_cv(&text))).await;
        assert_eq!(status, 400, "{what}: {body}");
        assert!(body.contains(says), "{what}: {body}");
    }
    assert_eq!(states.get(&key("R1")), None);
    // Its own code is read as before.
    let (status, _) = post_raw(
        addr,
        FORM,
        &form(&huifu_cv(&result_text("R1", "218", "218000", ""))),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        states.get(&key("R1")),
        Some(huifu_cfca::client::OrderState::Succeeded)
    );
}

#[test]
fn the_real_cmd204_result_is_a_notification() {
    if real::skip("Huifu's real cmd 204 result parsed as a notification") {
        return;
    }
    // Huifu's real 204 result of 2017-02-03 (its chain is retired: signature only).
    let verifier = Verifier::builder().no_chain().build().unwrap();
    let cv = String::from_utf8(real("result_cmd204_oldchain.check_value")).unwrap();
    let note = Notification::parse(&verifier, form(cv.trim()).as_bytes()).unwrap();
    assert_eq!(note.cmd_id(), "204");
    assert_eq!(note.outcome(), OrderOutcome::Success);
    assert_eq!(note.ack_body(), "RECV_ORD_ID_2039658871acf72f95");
    assert_eq!(
        note.order_key.as_ref().unwrap().order_date.to_string(),
        "20170203"
    );
}
