//! The crate's own APP+ client against the sandbox: the two halves must agree end to end.
#![cfg(feature = "sandbox")]

use crate::sandbox_common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use huifu_cfca::Error;
use huifu_cfca::chain::TrustStore;
use huifu_cfca::client::{
    Client, Endpoint, OrderOutcome, QueryRequest, TransStat, UploadFile, Url,
};
use huifu_cfca::identity::SignerPin;
use huifu_cfca::sandbox::RunningSandbox;
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::Verifier;
use sandbox_common::*;
use serde_json::json;

fn client_for(sb: &RunningSandbox, signer: Signer) -> Client {
    let mut trust = TrustStore::new();
    trust
        .add_der(&pki().root().certificate_der().unwrap())
        .unwrap();
    let verifier = Verifier::builder()
        .trust(trust)
        .extra_certs(vec![pki().oca31().certificate().clone()])
        .pin(SignerPin::huifu())
        .build()
        .unwrap();
    Client::builder(
        Endpoint::Custom(Url::parse(&sb.merchant_request_url()).unwrap()),
        MERCHANT,
        signer,
        verifier,
    )
    .only_extra_roots()
    .add_root_certificate_der(pki().root().certificate_der().unwrap())
    .timeout(Duration::from_secs(30))
    .build()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn calls_queries_duplicates_and_uploads() {
    let sb = start(config()).await;
    let client = client_for(&sb, merchant_signer());
    let order = json!({"order_id":"K1","order_date":"20260101","trans_amt":"8.00"});
    let a = client.call("203", &order).await.unwrap();
    assert!(a.is_success(), "{a:?}");
    assert_eq!(a.get("trans_stat"), Some("02000002"));
    // The verified JSON text, as signed: the same object as `json`.
    let reparsed: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(a.json_text()).unwrap();
    assert_eq!(reparsed, a.json);
    assert!(a.json_text().contains(r#""resp_code":"203000""#));
    // A duplicate is a verified answer with an error code.
    let a = client.call("203", &order).await.unwrap();
    assert_eq!(a.resp_code, "203107");
    assert!(!a.is_success());
    // A failing order, then the typed query.
    client
        .call(
            "203",
            &json!({"order_id":"K2","order_date":"20260101","trans_amt":"8.44"}),
        )
        .await
        .unwrap();
    let q = client
        .query(&QueryRequest::new("K2", "20260101".parse().unwrap(), "01"))
        .await
        .unwrap();
    assert!(q.answer.is_success());
    assert_eq!(q.data.trans_stat, Some(TransStat::Failure));
    let q = client
        .query(&QueryRequest::new("K1", "20260101".parse().unwrap(), "01"))
        .await
        .unwrap();
    assert_eq!(q.data.trans_stat, Some(TransStat::Success));
    assert_eq!(
        q.data.trans_amt.map(|a| a.to_string()).as_deref(),
        Some("8.00")
    );
    // Upload.
    let a = client
        .upload(
            &json!({"attach_no":"U1","trans_type":"1","attach_type":"01"}),
            UploadFile::from_bytes("doc.pdf", b"%PDF-1.4".to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(a.resp_code, "122000");
    assert_eq!(sb.uploads().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_foreign_signer_gets_an_unsigned_answer_the_client_refuses() {
    let sb = start(config()).await;
    let other = pki().issue_leaf("6666000000077777", "N1", 1024).unwrap();
    let client = client_for(&sb, other.signer().unwrap());
    let err = client
        .call(
            "203",
            &json!({"order_id":"X1","order_date":"20260101","trans_amt":"1.00"}),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnsignedAnswer { status: 200, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("203105"), "{err}");
}

#[derive(Clone, Default)]
struct Notified {
    bodies: Arc<Mutex<Vec<Vec<u8>>>>,
}

async fn notify(
    State(n): State<(Notified, Client)>,
    body: Bytes,
) -> (axum::http::StatusCode, String) {
    let (notified, client) = n;
    match client.notification(&body) {
        Ok(note) => {
            notified.bodies.lock().unwrap().push(body.to_vec());
            (axum::http::StatusCode::OK, note.ack_body())
        }
        Err(e) => (axum::http::StatusCode::BAD_REQUEST, e.to_string()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn notifications_and_page_redirects_verify_with_the_client() {
    let sb = start(config()).await;
    let client = client_for(&sb, merchant_signer());
    let notified = Notified::default();
    let app = axum::Router::new()
        .route("/notify", axum::routing::post(notify))
        .with_state((notified.clone(), client.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let bg = format!("http://{addr}/notify");
    for (id, amt) in [("N1", "2.00"), ("N2", "2.44")] {
        client
            .call("203", &json!({"order_id": id, "order_date":"20260101","trans_amt": amt, "bg_ret_url": bg}))
            .await
            .unwrap();
    }
    // A page flow, driven as a browser would: post the client's page form, follow the page.
    let form = client
        .page_form(
            "209",
            &json!({"order_id":"N3","order_date":"20260101","trans_amt":"3.00",
                    "ret_url":"https://merchant.example/ret","bg_ret_url": bg}),
        )
        .unwrap();
    let page = http()
        .post(form.action.clone())
        .form(&form.fields)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("name=\"check_value\" value=\"").unwrap() + 26;
    let end = start + page[start..].find('"').unwrap();
    let redirect = format!("check_value={}", &page[start..end]);
    // The same flow as a GET link.
    let link = client
        .page_form(
            "206",
            &json!({"order_id":"N4","order_date":"20260101","trans_amt":"3.00",
                    "ret_url":"https://merchant.example/ret"}),
        )
        .unwrap()
        .to_get_url();
    let page4 = http().get(link).send().await.unwrap().text().await.unwrap();
    assert!(
        page4.contains("action=\"https://merchant.example/ret\""),
        "{page4}"
    );
    assert!(
        sb.orders()
            .iter()
            .any(|o| o.key.order_id == "N4" && o.cmd_id == "206")
    );
    let note = client.notification(redirect.as_bytes()).unwrap();
    assert_eq!(note.order_id, "N3");
    assert_eq!(note.outcome(), OrderOutcome::Success);

    assert!(sb.deliveries().wait_idle(Duration::from_secs(10)).await);
    let bodies = notified.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 3, "one notification per order");
    let outcomes: HashMap<String, OrderOutcome> = bodies
        .iter()
        .map(|b| {
            let n = client.notification(b).unwrap();
            (n.order_id.clone(), n.outcome())
        })
        .collect();
    assert_eq!(outcomes["N1"], OrderOutcome::Success);
    assert_eq!(outcomes["N2"], OrderOutcome::Failure);
    assert_eq!(outcomes["N3"], OrderOutcome::Success);
    assert!(
        sb.deliveries()
            .records()
            .iter()
            .all(|r| r.attempt == 1 && r.outcome.is_acknowledged())
    );
}

/// Issue 13 items 4, 5 and 8 through our client: a 218 payment, its refund under the same
/// order_id (guide line 20) by the payment's platform_seq_id (Huifu's own demo), the refund's
/// status by 301 trans_type 04; and the Huifu-initiated 154 and 155 results (guide change log,
/// lines ~1147–1176), verified and acknowledged by `Client::notification`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_and_huifu_initiated_results_through_the_client() {
    use huifu_cfca::client::{AppPayRequest, DivPart, PayType, RefundRequest};
    use huifu_cfca::sandbox::{InitiatedKind, InitiatedResult, OrderKey};
    let sb = start(config()).await;
    let client = client_for(&sb, merchant_signer());
    let notified = Notified::default();
    let app = axum::Router::new()
        .route("/notify", axum::routing::post(notify))
        .with_state((notified.clone(), client.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let bg = format!("http://{addr}/notify");
    let date = "20260103".parse().unwrap();
    let pay = client
        .app_pay(&AppPayRequest::new(
            "RF1",
            date,
            "9.00".parse().unwrap(),
            PayType::WeChatApp,
            "tea",
            bg.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(pay.answer.resp_code, "218002");
    let seq = pay.data.platform_seq_id.clone();
    assert!(!seq.is_empty());
    let refund = client
        .refund(
            &RefundRequest::new(
                "RF1",
                date,
                "9.00".parse().unwrap(),
                seq.clone(),
                bg.clone(),
            )
            .div_detail([DivPart::new(MERCHANT, "37806", "9.00".parse().unwrap())]),
        )
        .await
        .unwrap();
    assert_eq!(refund.answer.resp_code, "205000", "{:?}", refund.answer);
    let paid = client
        .query(&QueryRequest::new("RF1", date, "10"))
        .await
        .unwrap();
    assert_eq!(paid.data.trans_stat, Some(TransStat::Refunded));
    let refunded = client
        .query(&QueryRequest::refund("RF1", date))
        .await
        .unwrap();
    assert_eq!(refunded.data.trans_stat, Some(TransStat::Success));
    assert_ne!(refunded.answer.get("platform_seq_id"), Some(seq.as_str()));

    // Huifu-initiated results, sent on request.
    let key = |id: &str| OrderKey {
        mer_cust_id: MERCHANT.into(),
        order_id: id.into(),
        order_date: date,
    };
    let nfc = InitiatedResult::new(
        InitiatedKind::NfcTap {
            nfc_tag_id: "TAG42".into(),
        },
        key("NFC1"),
        "3.50".parse().unwrap(),
        bg.clone(),
    );
    let pos = InitiatedResult::new(
        InitiatedKind::MobilePos,
        key("POS1"),
        "4.00".parse().unwrap(),
        bg.clone(),
    );
    sb.send_initiated(&nfc).unwrap();
    sb.send_initiated(&pos).unwrap();
    // A destination the sandbox does not deliver to is refused, and logged.
    let far = InitiatedResult::new(
        InitiatedKind::MobilePos,
        key("POS2"),
        "4.00".parse().unwrap(),
        "http://203.0.113.9/notify",
    );
    assert!(sb.send_initiated(&far).is_err());
    assert!(sb.deliveries().wait_idle(Duration::from_secs(20)).await);
    let notes: Vec<_> = notified
        .bodies
        .lock()
        .unwrap()
        .iter()
        .map(|b| client.notification(b).unwrap())
        .collect();
    let of = |id: &str| notes.iter().find(|n| n.order_id == id).unwrap();
    assert_eq!(of("NFC1").cmd_id(), "154");
    assert!(of("NFC1").text.contains(r#""nfc_tag_id":"TAG42""#));
    assert_eq!(of("NFC1").get("nfc_tag_id"), Some("TAG42"));
    assert_eq!(of("NFC1").outcome(), OrderOutcome::Success);
    assert_eq!(of("POS1").cmd_id(), "155");
    assert_eq!(of("POS1").get("trans_amt"), Some("4.00"));
    for id in ["NFC1", "POS1"] {
        assert!(sb.deliveries().delivered(&key(id)), "{id}");
    }
    assert!(!sb.deliveries().delivered(&key("POS2")));
    // The payment's final result and the refund's came too, acknowledged.
    assert!(notes.iter().any(|n| n.cmd_id() == "218"));
    assert!(notes.iter().any(|n| n.cmd_id() == "205"));
    sb.shutdown().await.unwrap();
}
