//! The APP+ client against a Huifu-like server on 127.0.0.1 (real HTTP, no mocks of reqwest).
#![cfg(feature = "client")]

use crate::client_support;

use std::time::Duration;

use client_support::*;
use huifu_cfca::Error;
use huifu_cfca::client::{Client, Endpoint, OrderDate, QueryRequest, UploadFile, UploadRequest};
use serde_json::{Map, json};

fn client(server: &TestServer, mode: &str) -> Client {
    Client::builder(
        Endpoint::Custom(server.url(mode)),
        MER_CUST_ID,
        signer("merchant"),
        huifu_verifier(),
    )
    .timeout(Duration::from_secs(10))
    .build()
    .unwrap()
}

#[tokio::test]
async fn a_good_call_is_signed_checked_and_verified() {
    let server = start().await;
    let client = client(&server, "api");
    let answer = client
        .call(
            "202",
            &json!({
                "user_cust_id": "6666000000002959",
                "order_id": "201673233703",
                "order_date": "20181026",
                "trans_amt": "0.39",
                "mer_priv": "引号 逗号 冒号 括号",
                // A JSON-text field travels escaped (guide lines 12–13 exempt it).
                "dev_info_json": "{\"imei\":\"1,2\"}",
            }),
        )
        .await
        .unwrap();
    assert_eq!(answer.resp_code, "202000");
    assert_eq!(answer.resp_desc, "成功");
    assert!(answer.is_success());
    assert_eq!(answer.http_status, 200);
    assert_eq!(answer.get("mer_cust_id"), Some(MER_CUST_ID));
    assert_eq!(answer.get("mer_priv"), Some("引号 逗号 冒号 括号"));
    assert!(!answer.check_value.is_empty());
    // The kept check_value verifies again on its own.
    assert!(
        huifu_verifier()
            .verify(answer.check_value.as_bytes())
            .is_ok()
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_typed_query_reads_amounts_and_dates() {
    let server = start().await;
    let client = client(&server, "api");
    let date: OrderDate = "20160801".parse().unwrap();
    let reply = client
        .query(&QueryRequest::new("600001", date, "01"))
        .await
        .unwrap();
    assert!(reply.answer.is_success());
    assert_eq!(reply.data.order_id, "600001");
    assert_eq!(reply.data.order_date, Some(date));
    assert_eq!(
        reply.data.trans_stat,
        Some(huifu_cfca::client::TransStat::Success)
    );
    assert_eq!(
        reply.data.trans_amt.map(|a| a.to_string()).as_deref(),
        Some("12.30")
    );
}

#[tokio::test]
async fn a_map_of_params_works_and_contradictions_are_refused_before_sending() {
    let server = start().await;
    let client = client(&server, "api");
    let mut params = Map::new();
    params.insert("cmd_id".into(), "301".into());
    params.insert("mer_cust_id".into(), MER_CUST_ID.into());
    params.insert("order_id".into(), "1".into());
    assert!(client.call("301", &params).await.unwrap().is_success());

    params.insert("mer_cust_id".into(), "6666000000000001".into());
    let err = client.call("301", &params).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::ParamConflict {
                field: "mer_cust_id",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.was_sent());
    let err = client
        .call("301", &json!({"version": "9"}))
        .await
        .unwrap_err();
    assert!(matches!(
        &err,
        Error::ParamConflict {
            field: "version",
            ..
        }
    ));
    assert_eq!(server.requests(), 1, "refused calls never reach the server");
}

#[tokio::test]
async fn an_unsigned_error_answer_is_reported_as_such() {
    let server = start().await;
    let err = client(&server, "unsigned")
        .call("301", &json!({"order_id": "1"}))
        .await
        .unwrap_err();
    match &err {
        Error::UnsignedAnswer { status, excerpt } => {
            assert_eq!(*status, 200);
            assert!(excerpt.contains("000099"), "{excerpt}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.was_sent());
    assert_eq!(err.http_status(), Some(200));
}

#[tokio::test]
async fn an_http_error_keeps_the_status_and_a_bounded_excerpt() {
    let server = start().await;
    let err = client(&server, "html500")
        .call("301", &json!({"order_id": "1"}))
        .await
        .unwrap_err();
    match &err {
        Error::HttpStatus { status, excerpt } => {
            assert_eq!(*status, 500);
            assert!(excerpt.starts_with("<html><body>Internal error"));
            assert!(excerpt.len() <= 512, "{}", excerpt.len());
        }
        other => panic!("{other:?}"),
    }
    assert!(err.was_sent());
}

#[tokio::test]
async fn a_tampered_answer_fails_verification() {
    let server = start().await;
    let err = client(&server, "tampered")
        .call("301", &json!({"order_id": "1"}))
        .await
        .unwrap_err();
    match &err {
        Error::AnswerSignature { status, source, .. } => {
            assert_eq!(*status, 200);
            assert!(
                matches!(**source, Error::SignatureMismatch | Error::DigestMismatch),
                "{source:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(err.was_sent());
}

#[tokio::test]
async fn an_answer_signed_by_another_merchant_is_an_identity_error() {
    // The other merchant's CN is 051@1000011@N100001@1: it contains "100001" twice as a
    // substring, and chains to the same CA. Only the exact id comparison refuses it.
    let server = start().await;
    let err = client(&server, "other")
        .call("301", &json!({"order_id": "1"}))
        .await
        .unwrap_err();
    match &err {
        Error::AnswerIdentity {
            expected, found, ..
        } => {
            assert_eq!(expected, "100001");
            assert_eq!(found, "1000011");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.was_sent());
}

#[tokio::test]
async fn a_signed_answer_for_another_order_is_refused() {
    let server = start().await;
    let err = client(&server, "replay")
        .call("301", &json!({"order_id": "mine"}))
        .await
        .unwrap_err();
    match &err {
        Error::AnswerMismatch {
            field,
            expected,
            found,
            ..
        } => {
            assert_eq!(*field, "order_id");
            assert_eq!(expected, "mine");
            assert_eq!(found.as_deref(), Some("\"someone-elses-order\""));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.was_sent());
}

#[tokio::test]
async fn a_slow_server_times_out_after_sending() {
    let server = start().await;
    let client = Client::builder(
        Endpoint::Custom(server.url("slow")),
        MER_CUST_ID,
        signer("merchant"),
        huifu_verifier(),
    )
    .timeout(Duration::from_millis(500))
    .build()
    .unwrap();
    // The server answers only after 3 s: a Timeout (rather than the answer) shows the client's
    // 500 ms limit ended the call; no clock is read here.
    let err = client
        .call("301", &json!({"order_id": "1"}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { sent: true }), "{err:?}");
    assert!(err.was_sent());
}

#[tokio::test]
async fn a_refused_connection_was_not_sent() {
    // Bind then drop: nothing listens on the port afterwards.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url =
        huifu_cfca::client::Url::parse(&format!("http://{addr}/api/merchantRequest")).unwrap();
    let client = Client::builder(
        Endpoint::Custom(url),
        MER_CUST_ID,
        signer("merchant"),
        huifu_verifier(),
    )
    .connect_timeout(Duration::from_secs(2))
    .build()
    .unwrap();
    let err = client.call("301", &json!({})).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport { sent: false, .. } | Error::Timeout { sent: false }
        ),
        "{err:?}"
    );
    assert!(!err.was_sent());
}

fn test_file_bytes() -> Vec<u8> {
    // 300 KiB of every byte value: larger than any single read, binary-unsafe bytes included.
    (0..300 * 1024u32)
        .map(|i| (i * 7 + i / 251) as u8)
        .collect()
}

#[tokio::test]
async fn an_upload_streamed_from_a_file_arrives_intact() {
    use sha2::Digest;
    let server = start().await;
    let client = client(&server, "api");
    let bytes = test_file_bytes();
    let dir = std::env::temp_dir().join(format!("huifu-cfca-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("licence scan.png");
    std::fs::write(&path, &bytes).unwrap();

    let file = UploadFile::from_path(&path).await.unwrap();
    assert_eq!(file.len(), bytes.len() as u64);
    let request = UploadRequest::new("abcd0001", "01", "05");
    let answer = client.upload(&request, file).await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(answer.resp_code, "122000");
    assert_eq!(answer.get("file_name"), Some("licence scan.png"));
    assert_eq!(answer.get("file_type"), Some("image/png"));
    assert_eq!(
        answer.get("file_len"),
        Some(bytes.len().to_string().as_str())
    );
    assert_eq!(
        answer.get("file_sha256"),
        Some(hex(&sha2::Sha256::digest(&bytes)).as_str())
    );
    assert_eq!(answer.get("attach_no"), Some("abcd0001"));
}

#[tokio::test]
async fn an_upload_from_bytes_arrives_intact() {
    let server = start().await;
    let client = client(&server, "api");
    let answer = client
        .upload(
            &json!({"attach_no": "n2", "trans_type": "01", "attach_type": "19"}),
            UploadFile::from_bytes("face.jpg", b"\x00\xff\r\n--boundary\r\n".to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(answer.get("file_len"), Some("16"));
    assert_eq!(answer.get("file_type"), Some("image/jpeg"));
}

#[tokio::test]
async fn a_page_form_posted_by_a_browser_is_accepted() {
    // What the browser would send when the form submits itself: the same four fields.
    let server = start().await;
    let client = client(&server, "api");
    let form = client
        .page_form(
            "206",
            &json!({"order_id": "7", "ret_url": "https://m.example/r?a=1&b=<2>"}),
        )
        .unwrap();
    assert_eq!(form.action.as_str(), server.url("api").as_str());
    let html = form.to_html();
    assert!(html.contains("name=\"check_value\""));
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.fields.iter())
        .finish();
    let (status, answer) = raw_post(server.addr, "/api/merchantRequest", &body).await;
    assert!(status.starts_with("HTTP/1.1 200"), "{status} {answer}");
    let json: Map<String, serde_json::Value> = serde_json::from_str(&answer).unwrap();
    let message = huifu_verifier()
        .verify(json["check_value"].as_str().unwrap().as_bytes())
        .unwrap();
    assert!(message.text().unwrap().contains("\"resp_code\":\"206000\""));
    // The GET URL carries the same fields.
    let url = form.to_get_url();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs, form.fields);
}

/// A bare HTTP/1.1 form POST over a TCP socket (what a browser or Huifu's notifier sends).
pub async fn raw_post(addr: std::net::SocketAddr, path: &str, body: &str) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded; charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

#[tokio::test]
async fn the_mobile_endpoints_quick_pay_form_and_app_pay_body() {
    use huifu_cfca::client::mobile::{AppPayBody, PayType, SdkRequest, quick_pay_form};
    use huifu_cfca::client::{Amount, AppPayRequest};
    let server = start().await;
    let client = client(&server, "api");
    let sdk =
        SdkRequest::from_form(b"pay_type=10&dev_info_json=%7B%22os%22%3A%22ios%22%7D").unwrap();

    // Quick pay: the page form carries the SDK's device information, signed.
    let mut params = Map::new();
    params.insert("order_id".into(), "QP1".into());
    let form = quick_pay_form(&client, "206", params, &sdk).unwrap();
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.fields.iter())
        .finish();
    let (status, answer) = raw_post(server.addr, "/api/merchantRequest", &body).await;
    assert!(status.contains("200"), "{status} {answer}");
    let cv: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let text = huifu_verifier()
        .verify(cv["check_value"].as_str().unwrap().as_bytes())
        .unwrap()
        .text()
        .unwrap();
    assert!(
        text.contains(r#""dev_info_json":"{\"os\":\"ios\"}""#),
        "{text}"
    );

    // APP pay: cmd 218, then the URL-encoded JSON body for the SDK.
    let mut request = AppPayRequest::new(
        "AP1",
        "20240102".parse().unwrap(),
        "88.80".parse::<Amount>().unwrap(),
        sdk.pay_type().unwrap(),
        "goods",
        "https://merchant.example/notify",
    )
    .extension("ext");
    request.dev_info_json = sdk.dev_info_json.clone();
    assert_eq!(sdk.pay_type().unwrap(), PayType::WeChatApp);
    let reply = client.app_pay(&request).await.unwrap();
    assert_eq!(reply.answer.resp_code, "218000");
    assert_eq!(reply.answer.get("trans_amt"), Some("88.80"));
    let body = AppPayBody::from_answer(&reply.data);
    let wire = body.to_body();
    assert!(
        wire.starts_with("%7B%22resp_code%22%3A%22218000%22"),
        "{wire}"
    );
    let back = AppPayBody::from_body(&wire).unwrap();
    assert_eq!(back.order_id, "AP1");
    assert_eq!(back.order_date, "20240102");
    assert_eq!(back.extension, "ext");
}

#[tokio::test]
async fn typed_withdrawal_and_refund() {
    use huifu_cfca::client::{RefundRequest, WithdrawRequest};
    let server = start().await;
    let client = client(&server, "api");
    let withdrawal = WithdrawRequest::new(
        "6666000000002959",
        "W1",
        "20181026".parse().unwrap(),
        "0.39".parse().unwrap(),
        "65334",
        "02030000",
        "https://merchant.example/notify",
    )
    .mer_priv("p");
    let reply = client.withdraw(&withdrawal).await.unwrap();
    assert!(reply.answer.is_success());
    assert_eq!(reply.data.trans_amt.unwrap().fen(), 39);
    assert_eq!(reply.data.mer_priv, "p");

    let refund = RefundRequest::new(
        "R1",
        "20181027".parse().unwrap(),
        "1200.00".parse().unwrap(),
        "SEQ0W0",
        "https://merchant.example/notify",
    )
    .quick_pay();
    let reply = client.refund(&refund).await.unwrap();
    assert_eq!(reply.answer.resp_code, "205000");
    assert_eq!(reply.data.trans_amt.unwrap().to_string(), "1200.00");
    assert_eq!(reply.data.extra["orginal_platform_seq_id"], "SEQ0W0");
    assert_eq!(reply.data.extra["quickpay_page_flag"], "1");
}

#[test]
fn a_signed_request_agrees_with_its_wire_fields() {
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
    let request = client
        .sign_request("301", &json!({"order_id": "S1", "note": "a+b c&d=é"}))
        .unwrap();
    assert_eq!(request.cmd_id(), "301");
    assert_eq!(request.order_id(), Some("S1"));
    let body = request.form_body();
    assert!(!body.contains(' ') && !body.contains('é'));
    let fields: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(fields, request.fields());
    let signed = merchant_verifier()
        .verify(request.check_value().as_bytes())
        .unwrap();
    assert_eq!(signed.text().as_deref(), Some(request.json()));
    assert!(format!("{request:?}").contains("check_value_len"));
    let debug = format!("{client:?}");
    assert!(
        debug.contains("redacted") && debug.contains(MER_CUST_ID),
        "{debug}"
    );
}
