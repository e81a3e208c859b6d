//! The sandbox over real HTTP on 127.0.0.1: answers, orders, queries, refusals, pages, uploads.
#![cfg(feature = "sandbox")]

use crate::sandbox_common;

use huifu_cfca::sandbox::{OrderKey, SandboxConfig};
use huifu_cfca::{ContentMode, check_value};
use sandbox_common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_gets_a_signed_answer_that_echoes_the_request() {
    let sb = start(config()).await;
    let a = call(
        &sb,
        &request(
            "203",
            json!({"order_id":"T1","order_date":"20260101","trans_amt":"12.00",
                   "mer_priv":"k 汇付","extension":"x"}),
        ),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let v = a.verified();
    assert_eq!(v["resp_code"], "203000");
    assert_eq!(v["trans_stat"], "02000002");
    assert_eq!(v["cmd_id"], "203");
    assert_eq!(v["mer_cust_id"], MERCHANT);
    assert_eq!(v["mer_priv"], "k 汇付");
    assert_eq!(v["extension"], "x");
    assert_eq!(v["trans_amt"], "12.00");
    assert!(v["platform_seq_id"].as_str().unwrap().starts_with("SBX"));
    // Huifu mode: the eContent is base64 of the JSON.
    let cv = a.json()["check_value"].as_str().unwrap().to_string();
    let msg = huifu_verifier().verify(cv.as_bytes()).unwrap();
    assert_eq!(
        msg.econtent,
        ContentMode::Huifu.wrap(msg.text().unwrap().as_bytes())
    );
    assert!(check_value::decode(cv.as_bytes()).is_ok());
    let orders = sb.orders();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].key.order_id, "T1");
    sb.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_duplicate_order_is_refused() {
    let sb = start(config()).await;
    let req = request(
        "203",
        json!({"order_id":"D1","order_date":"20260101","trans_amt":"1.00"}),
    );
    assert_eq!(call(&sb, &req).await.verified()["resp_code"], "203000");
    let again = call(&sb, &req).await;
    let v = again.verified();
    assert_eq!(v["resp_code"], "203107", "{v:?}");
    assert!(v.get("trans_stat").is_none());
    // Same order_id, another date: another order.
    let other_day = request(
        "203",
        json!({"order_id":"D1","order_date":"20260102","trans_amt":"1.00"}),
    );
    assert_eq!(
        call(&sb, &other_day).await.verified()["resp_code"],
        "203000"
    );
    assert_eq!(sb.orders().len(), 2);
    // Guide line 20: the key is unique within one interface, so the same key under another
    // cmd_id is another order (a refund may reuse its payment's order_id).
    let other_cmd = request(
        "212",
        json!({"order_id":"D1","order_date":"20260101","trans_amt":"1.00"}),
    );
    assert_eq!(
        call(&sb, &other_cmd).await.verified()["resp_code"],
        "212000"
    );
    assert_eq!(sb.orders().len(), 3);
    assert_eq!(
        call(&sb, &other_cmd).await.verified()["resp_code"],
        "212107"
    );
    let key = huifu_cfca::client::OrderKey {
        mer_cust_id: MERCHANT.into(),
        order_id: "D1".into(),
        order_date: "20260101".parse().unwrap(),
    };
    assert_eq!(sb.order_of("212", &key).unwrap().cmd_id, "212");
    // Sandbox::order (and a 301 query) find the earliest: the 203.
    assert_eq!(sb.order(&key).unwrap().cmd_id, "203");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_date_that_is_no_date_is_refused() {
    let sb = start(config()).await;
    let bad = request(
        "203",
        json!({"order_id":"B1","order_date":"20260230","trans_amt":"1.00"}),
    );
    let v = call(&sb, &bad).await.verified();
    assert_eq!(v["resp_code"], "203101", "{v:?}");
    assert!(v["resp_desc"].as_str().unwrap().contains("order_date"));
    let query = request("301", json!({"order_id":"B1","order_date":"2026-01-01"}));
    assert_eq!(call(&sb, &query).await.verified()["resp_code"], "301101");
    let refund = request(
        "205",
        json!({"order_id":"R1","order_date":"202601","trans_amt":"1.00",
               "orginal_platform_seq_id":"SBX0000000000000001",
               "bg_ret_url":"http://127.0.0.1:9/n"}),
    );
    let v = call(&sb, &refund).await.verified();
    assert_eq!(v["resp_code"], "205101", "{v:?}");
    assert!(v["resp_desc"].as_str().unwrap().contains("order_date"));
    assert!(sb.orders().is_empty());
    sb.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_301_query_reflects_the_state() {
    let sb = start(config()).await;
    let ok = request(
        "203",
        json!({"order_id":"Q1","order_date":"20260101","trans_amt":"5.00"}),
    );
    let fail = request(
        "203",
        json!({"order_id":"Q2","order_date":"20260101","trans_amt":"5.44"}),
    );
    assert_eq!(call(&sb, &ok).await.verified()["resp_code"], "203000");
    let f = call(&sb, &fail).await.verified();
    assert_eq!(
        (f["resp_code"].as_str(), f["trans_stat"].as_str()),
        (Some("203003"), Some("02000003"))
    );

    let q = |id: &str| {
        request(
            "301",
            json!({"order_id": id, "order_date":"20260101", "mer_priv":"p", "trans_type":"01"}),
        )
    };
    let a = call(&sb, &q("Q1")).await.verified();
    assert_eq!(a["resp_code"], "301000");
    assert_eq!(a["trans_stat"], "02000002");
    // The trans_type asked is echoed (guide line 73).
    assert_eq!(a["trans_type"], "01");
    assert_eq!(a["trans_amt"], "5.00");
    assert_eq!(a["mer_priv"], "p");
    let a = call(&sb, &q("Q2")).await.verified();
    assert_eq!(a["resp_code"], "301000");
    assert_eq!(a["trans_stat"], "02000003");
    let a = call(&sb, &q("NOPE")).await.verified();
    assert_eq!(a["resp_code"], "301108");
    // Queries create no orders.
    assert_eq!(sb.orders().len(), 2);
    let key = OrderKey {
        mer_cust_id: MERCHANT.into(),
        order_id: "Q2".into(),
        order_date: "20260101".parse().unwrap(),
    };
    assert_eq!(sb.order(&key).unwrap().trans_stat, "02000003");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_signature_gets_an_unsigned_error() {
    let sb = start(config()).await;
    let client = http();
    let req = request(
        "203",
        json!({"order_id":"B1","order_date":"20260101","trans_amt":"1.00"}),
    );
    // Signed by a key from another PKI (same names, other CA).
    let foreign =
        huifu_cfca::pki::generate(&huifu_cfca::pki::PkiOptions::new(MERCHANT, "x").key_bits(1024))
            .unwrap();
    let a = post_form(
        &client,
        &sb.merchant_request_url(),
        &form(&foreign.merchant().signer().unwrap(), &req),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.unsigned_code(), "203105", "{}", a.body);
    // A tampered signature.
    let mut f = form(&merchant_signer(), &req);
    let der = check_value::decode(f[3].1.as_bytes()).unwrap().0;
    let mut bad = der.clone();
    let n = bad.len();
    bad[n - 5] ^= 0x01;
    f[3].1 = check_value::encode(&bad);
    let a = post_form(&client, &sb.merchant_request_url(), &f).await;
    assert_eq!(a.unsigned_code(), "203105", "{}", a.body);
    // Garbage.
    f[3].1 = "!!!not base64!!!".into();
    let a = post_form(&client, &sb.merchant_request_url(), &f).await;
    assert_eq!(a.unsigned_code(), "203101", "{}", a.body);
    // Nothing was recorded.
    assert!(sb.orders().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wrong_merchant_gets_an_unsigned_error() {
    let pki = pki();
    let other = pki.issue_leaf("6666000000099999", "N222", 1024).unwrap();
    let sb = start(config().merchant("6666000000099999", "6666000000099999")).await;
    let client = http();
    // The other merchant signs a request in the first merchant's name: chain fine, identity wrong.
    let req = request(
        "203",
        json!({"order_id":"W1","order_date":"20260101","trans_amt":"1.00"}),
    );
    let a = post_form(
        &client,
        &sb.merchant_request_url(),
        &form(&other.signer().unwrap(), &req),
    )
    .await;
    assert_eq!(a.unsigned_code(), "203105", "{}", a.body);
    assert!(a.body.contains("identity"), "{}", a.body);
    // In its own name it is accepted.
    let own = json!({"version":"10","cmd_id":"203","mer_cust_id":"6666000000099999",
                     "order_id":"W1","order_date":"20260101","trans_amt":"1.00"});
    let a = post_form(
        &client,
        &sb.merchant_request_url(),
        &form(&other.signer().unwrap(), &own),
    )
    .await;
    assert_eq!(a.verified()["resp_code"], "203000");
    // An unregistered mer_cust_id.
    let stranger = json!({"version":"10","cmd_id":"203","mer_cust_id":"6666000000000000"});
    let a = post_form(
        &client,
        &sb.merchant_request_url(),
        &form(&merchant_signer(), &stranger),
    )
    .await;
    assert_eq!(a.unsigned_code(), "203104");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn form_fields_must_match_the_signed_json() {
    let sb = start(config()).await;
    let client = http();
    let req = request(
        "203",
        json!({"order_id":"F1","order_date":"20260101","trans_amt":"1.00"}),
    );
    let mut f = form(&merchant_signer(), &req);
    f[1].1 = "202".into(); // cmd_id
    let a = post_form(&client, &sb.merchant_request_url(), &f).await;
    let v = a.verified();
    assert_eq!(v["resp_code"], "202106", "{v:?}");
    assert!(v["resp_desc"].as_str().unwrap().contains("cmd_id"));
    // The form's mer_cust_id is another registered merchant: verification is pinned to that
    // merchant's id, so the signature check fails first.
    let sb2 = start(config().merchant("6666000000011111", "6666000000011111")).await;
    let mut f = form(&merchant_signer(), &req);
    f[2].1 = "6666000000011111".into();
    let a = post_form(&client, &sb2.merchant_request_url(), &f).await;
    assert_eq!(a.unsigned_code(), "203105");
    // version in the JSON differs from the form's.
    let v11 = request(
        "203",
        json!({"version":"11","order_id":"F2","order_date":"20260101"}),
    );
    let mut f = form(&merchant_signer(), &v11);
    f[0].1 = "10".into();
    let a = post_form(&client, &sb.merchant_request_url(), &f).await;
    assert_eq!(a.verified()["resp_code"], "203106");
    // A wrong version on the form.
    let mut f = form(&merchant_signer(), &req);
    f[0].1 = "11".into();
    assert_eq!(
        post_form(&client, &sb.merchant_request_url(), &f)
            .await
            .unsigned_code(),
        "203103"
    );
    // A missing field.
    let f = form(&merchant_signer(), &req);
    let a = post_form(&client, &sb.merchant_request_url(), &f[..3]).await;
    assert_eq!(a.unsigned_code(), "203102");
    // An empty body and a non-form body.
    let a = client.post(sb.merchant_request_url()).send().await.unwrap();
    assert_eq!(a.status(), 200);
    assert!(a.text().await.unwrap().contains("000102"));
    let a = client
        .post(sb.merchant_request_url())
        .body(vec![0xffu8, 0x00, 0x80, b'=', b'&'])
        .send()
        .await
        .unwrap();
    assert_eq!(a.status(), 200);
    assert!(sb.orders().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bodies_are_bounded() {
    let mut cfg = config();
    cfg.max_body_bytes = 4096;
    cfg.max_upload_bytes = 8192;
    let sb = start(cfg).await;
    let client = http();
    let big = request(
        "203",
        json!({"order_id":"L1","order_date":"20260101","mer_priv":"x".repeat(5000)}),
    );
    let a = post_form(
        &client,
        &sb.merchant_request_url(),
        &form(&merchant_signer(), &big),
    )
    .await;
    assert_eq!(a.status, 413);
    assert_eq!(a.unsigned_code(), "000110");
    let req = request(
        "122",
        json!({"attach_no":"A1","trans_type":"1","attach_type":"01"}),
    );
    let f = form(&merchant_signer(), &req);
    let mut mp = reqwest::multipart::Form::new();
    for (k, v) in f {
        mp = mp.text(k, v);
    }
    mp = mp.part(
        "attach_file",
        reqwest::multipart::Part::bytes(vec![7u8; 20_000]).file_name("a.bin"),
    );
    let r = client
        .post(sb.file_merchant_request_url())
        .multipart(mp)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.text().await.unwrap().contains("110"));
    assert!(sb.uploads().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uploads_go_to_file_merchant_request() {
    let sb = start(config()).await;
    let client = http();
    let req = request(
        "122",
        json!({"attach_no":"A1","trans_type":"1","attach_type":"01"}),
    );
    let f = form(&merchant_signer(), &req);
    let mut mp = reqwest::multipart::Form::new();
    for (k, v) in f.clone() {
        mp = mp.text(k, v);
    }
    mp = mp.part(
        "attach_file",
        reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("id.jpg"),
    );
    let r = client
        .post(sb.file_merchant_request_url())
        .multipart(mp)
        .send()
        .await
        .unwrap();
    let a = Answer {
        status: r.status().as_u16(),
        body: r.text().await.unwrap(),
    };
    let v = a.verified();
    assert_eq!(v["resp_code"], "122000", "{v:?}");
    assert_eq!(v["attach_no"], "A1");
    assert_eq!(v["file_size"], "5");
    let up = sb.uploads();
    assert_eq!(up.len(), 1);
    assert_eq!(up[0].file_name.as_deref(), Some("id.jpg"));
    assert_eq!(
        up[0].sha256,
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    );
    assert_eq!(up[0].attach_no.as_deref(), Some("A1"));
    // Without the file part.
    let mut mp = reqwest::multipart::Form::new();
    for (k, v) in f.clone() {
        mp = mp.text(k, v);
    }
    let r = client
        .post(sb.file_merchant_request_url())
        .multipart(mp)
        .send()
        .await
        .unwrap();
    let a = Answer {
        status: r.status().as_u16(),
        body: r.text().await.unwrap(),
    };
    assert_eq!(a.verified()["resp_code"], "122102");
    // 122 on the form endpoint.
    let a = post_form(&client, &sb.merchant_request_url(), &f).await;
    assert_eq!(a.verified()["resp_code"], "122109");
    // Not multipart at all.
    let a = post_form(&client, &sb.file_merchant_request_url(), &f).await;
    assert_eq!(a.unsigned_code(), "000101");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn page_calls_answer_with_a_page_that_returns_to_ret_url() {
    let sb = start(config()).await;
    for cmd in ["204", "206", "208", "209", "102"] {
        let req = request(
            cmd,
            json!({"order_id": format!("P{cmd}"), "order_date":"20260101","trans_amt":"9.00",
                   "ret_url":"https://merchant.example/ret?x=1&y=2"}),
        );
        let a = call(&sb, &req).await;
        assert_eq!(a.status, 200);
        assert!(
            a.body.contains(
                "<form method=\"post\" action=\"https://merchant.example/ret?x=1&amp;y=2\">"
            ),
            "{}",
            a.body
        );
        let start = a.body.find("name=\"check_value\" value=\"").unwrap() + 26;
        let end = start + a.body[start..].find('"').unwrap();
        let v = verify_check_value(&a.body[start..end]);
        assert_eq!(v["resp_code"], format!("{cmd}000"));
        assert_eq!(v["trans_stat"], "02000002");
    }
    assert_eq!(sb.orders().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rule_files_script_outcomes() {
    let rules = huifu_cfca::sandbox::Rules::from_json(
        r#"{"rules":[{"cmd_id":"203","order_id":"NO-*","resp_code":"{cmd}077","resp_desc":"refused",
            "trans_stat":"02000003","callback":"skip"}]}"#,
    )
    .unwrap();
    let sb = start(config().rules(rules)).await;
    let v = call(
        &sb,
        &request(
            "203",
            json!({"order_id":"NO-1","order_date":"20260101","trans_amt":"1.00"}),
        ),
    )
    .await
    .verified();
    assert_eq!(
        (v["resp_code"].as_str(), v["trans_stat"].as_str()),
        (Some("203077"), Some("02000003"))
    );
    let v = call(
        &sb,
        &request(
            "203",
            json!({"order_id":"YES-1","order_date":"20260101","trans_amt":"1.44"}),
        ),
    )
    .await
    .verified();
    assert_eq!(v["resp_code"], "203000", "the built-ins were replaced");
}

#[test]
fn the_config_debug_prints_no_key() {
    let cfg = SandboxConfig::from_pki(pki()).unwrap();
    let text = format!("{cfg:?}");
    assert!(
        text.contains("redacted") && !text.contains("primes"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn garbage_never_crashes_the_server() {
    let sb = start(config()).await;
    let client = http();
    let signer = merchant_signer();
    let good = form(
        &signer,
        &request(
            "203",
            json!({"order_id":"G1","order_date":"20260101","trans_amt":"1.00"}),
        ),
    );
    let cv = good[3].1.clone();
    let mut bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"&&&===".to_vec(),
        b"version=10&cmd_id=203&mer_cust_id=6666000000026086&check_value=".to_vec(),
        format!("version=10&cmd_id=203&mer_cust_id={MERCHANT}&check_value=MA==").into_bytes(),
        format!(
            "version=10&cmd_id=203&mer_cust_id={MERCHANT}&check_value={}",
            &cv[..cv.len() / 2]
        )
        .into_bytes(),
        format!("version=10&cmd_id=%FF%FE&mer_cust_id={MERCHANT}&check_value={cv}").into_bytes(),
        format!("version=10&cmd_id=203&mer_cust_id=%00&check_value={cv}").into_bytes(),
        vec![0u8; 1000],
    ];
    // Valid signatures over content that is not a JSON object, or a JSON with odd types.
    for content in [
        "not json",
        "[1,2]",
        "{\"version\":10,\"cmd_id\":203}",
        "\"str\"",
    ] {
        let cv = signer
            .sign(content.as_bytes(), ContentMode::Huifu)
            .map(|m| m.check_value())
            .unwrap();
        bodies.push(
            format!("version=10&cmd_id=203&mer_cust_id={MERCHANT}&check_value={cv}").into_bytes(),
        );
    }
    for body in bodies {
        let r = client
            .post(sb.merchant_request_url())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert_eq!(status, 200, "{body:?} -> {text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let code = match v.get("check_value") {
            Some(_) => Answer {
                status,
                body: text.clone(),
            }
            .verified()["resp_code"]
                .as_str()
                .unwrap()
                .to_string(),
            None => v["resp_code"].as_str().unwrap().to_string(),
        };
        assert_eq!(code.len(), 6, "{text}");
        assert!(!code.ends_with("000"), "{body:?} -> {text}");
    }
    // Garbage multipart.
    let r = client
        .post(sb.file_merchant_request_url())
        .header("content-type", "multipart/form-data; boundary=X")
        .body("--X\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("000101"));
    // The server still works.
    assert_eq!(
        post_form(&client, &sb.merchant_request_url(), &good)
            .await
            .verified()["resp_code"],
        "203000"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_marks_the_order_refunded() {
    let sb = start(config()).await;
    let pay = |id: &str, amt: &str| {
        request(
            "203",
            json!({"order_id": id, "order_date":"20260101","trans_amt": amt}),
        )
    };
    // The refund fields of Huifu's own demo (Refund.java): the payment by its platform_seq_id.
    let refund = |id: &str, seq: &str, amt: &str| {
        request(
            "205",
            json!({"order_id": id, "order_date":"20260102","orginal_platform_seq_id": seq,
                   "trans_amt": amt, "bg_ret_url": "http://127.0.0.1:9/n"}),
        )
    };
    let query = |id: &str| request("301", json!({"order_id": id, "order_date":"20260101"}));
    let r1 = call(&sb, &pay("R1", "10.00")).await.verified()["platform_seq_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r2 = call(&sb, &pay("R2", "10.44")).await.verified()["platform_seq_id"] // failed
        .as_str()
        .unwrap()
        .to_string();
    let (r1, r2) = (r1.as_str(), r2.as_str());
    // More than paid.
    assert_eq!(
        call(&sb, &refund("F1", r1, "10.01")).await.verified()["resp_code"],
        "205112"
    );
    // An unknown order, a failed order, a missing reference.
    assert_eq!(
        call(&sb, &refund("F2", "NOPE", "1.00")).await.verified()["resp_code"],
        "205108"
    );
    assert_eq!(
        call(&sb, &refund("F3", r2, "1.00")).await.verified()["resp_code"],
        "205112"
    );
    let bare = request(
        "205",
        json!({"order_id":"F4","order_date":"20260102","trans_amt":"1.00",
               "bg_ret_url": "http://127.0.0.1:9/n"}),
    );
    assert_eq!(call(&sb, &bare).await.verified()["resp_code"], "205102");
    assert_eq!(
        call(&sb, &query("R1")).await.verified()["trans_stat"],
        "02000002"
    );
    // The refund.
    let v = call(&sb, &refund("F5", r1, "10.00")).await.verified();
    assert_eq!(
        (v["resp_code"].as_str(), v["trans_stat"].as_str()),
        (Some("205000"), Some("02000002"))
    );
    assert_eq!(
        call(&sb, &query("R1")).await.verified()["trans_stat"],
        "02000009"
    );
    // Not twice.
    assert_eq!(
        call(&sb, &refund("F6", r1, "1.00")).await.verified()["resp_code"],
        "205112"
    );
    // Refused refunds left no order behind.
    let ids: Vec<String> = sb.orders().into_iter().map(|o| o.key.order_id).collect();
    assert_eq!(ids, ["F5", "R1", "R2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sandbox_from_a_written_pki_serves_a_merchant_loaded_from_its_pfx() {
    let dir = std::env::temp_dir().join(format!("huifu-cfca-sbx-dir-{}", std::process::id()));
    pki().write_to(&dir).unwrap();
    let sb = start(SandboxConfig::from_dir(&dir, "pfx-password").unwrap()).await;
    for pfx in ["merchant-cfca.pfx", "merchant-openssl3.pfx"] {
        let id =
            huifu_cfca::pfx::load(&std::fs::read(dir.join(pfx)).unwrap(), "pfx-password").unwrap();
        let signer =
            huifu_cfca::signer::Signer::new(id.private_key().clone(), id.certificate().clone())
                .unwrap();
        let req = request(
            "203",
            json!({"order_id": pfx, "order_date":"20260101","trans_amt":"1.00"}),
        );
        let a = post_form(&http(), &sb.merchant_request_url(), &form(&signer, &req)).await;
        assert_eq!(a.verified()["resp_code"], "203000");
    }
    assert!(matches!(
        SandboxConfig::from_dir(&dir, "wrong"),
        Err(huifu_cfca::Error::WrongPassword(_))
    ));
    std::fs::remove_dir_all(&dir).ok();
}

/// Guide line 20 (orders unique within one interface) and Huifu's own refund demo: a refund may
/// reuse its payment's order_id; 301 finds the payment by default and the refund with
/// trans_type 04; quickpay_page_flag 1 needs a quick-pay payment; div_detail must be the
/// demo's JSON array.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_reuses_its_payments_order_id_and_is_queried_with_trans_type_04() {
    let sb = start(config()).await;
    let seq_of = |v: &serde_json::Map<String, serde_json::Value>| {
        v["platform_seq_id"].as_str().unwrap().to_string()
    };
    let pay = call(
        &sb,
        &request(
            "203",
            json!({"order_id":"P1","order_date":"20260101","trans_amt":"5.00"}),
        ),
    )
    .await
    .verified();
    let seq = seq_of(&pay);
    let refund = |extra: serde_json::Value| {
        let mut fields = json!({"order_id":"P1","order_date":"20260101","trans_amt":"2.00",
            "orginal_platform_seq_id": seq, "bg_ret_url":"http://127.0.0.1:9/n"});
        for (k, v) in extra.as_object().unwrap() {
            fields[k] = v.clone();
        }
        request("205", fields)
    };
    // Not a quick pay (203), so the flag is refused; a malformed flag and div_detail too.
    let v = call(&sb, &refund(json!({"quickpay_page_flag":"1"})))
        .await
        .verified();
    assert_eq!(v["resp_code"], "205112", "{v:?}");
    assert!(v["resp_desc"].as_str().unwrap().contains("quick pay"));
    let v = call(&sb, &refund(json!({"quickpay_page_flag":"yes"})))
        .await
        .verified();
    assert_eq!(v["resp_code"], "205101", "{v:?}");
    let v = call(
        &sb,
        &refund(json!({"div_detail":"[{\"divCustId\":\"1\"}]"})),
    )
    .await
    .verified();
    assert_eq!(v["resp_code"], "205101", "{v:?}");
    // The refund, under the payment's own order_id, with the demo's div_detail.
    let div = r#"[{"divCustId":"6666000000026086","divAcctId":"37806","divAmt":"2.00"}]"#;
    let v = call(
        &sb,
        &refund(json!({"div_detail": div, "quickpay_page_flag":"0"})),
    )
    .await
    .verified();
    assert_eq!(v["resp_code"], "205000", "{v:?}");
    let refund_seq = seq_of(&v);
    // A refund of a refund names no payment.
    let again = call(
        &sb,
        &request(
            "205",
            json!({"order_id":"P2","order_date":"20260101","trans_amt":"1.00",
                   "orginal_platform_seq_id": refund_seq, "bg_ret_url":"http://127.0.0.1:9/n"}),
        ),
    )
    .await
    .verified();
    assert_eq!(again["resp_code"], "205108", "{again:?}");
    // Two orders with one key, one per interface.
    assert_eq!(sb.orders().len(), 2);
    let query = |trans_type: &str| {
        request(
            "301",
            json!({"order_id":"P1","order_date":"20260101","trans_type": trans_type}),
        )
    };
    let paid = call(&sb, &query("01")).await.verified();
    assert_eq!(
        (
            paid["platform_seq_id"].as_str(),
            paid["trans_stat"].as_str()
        ),
        (Some(seq.as_str()), Some("02000009"))
    );
    let refunded = call(&sb, &query("04")).await.verified();
    assert_eq!(
        (
            refunded["platform_seq_id"].as_str(),
            refunded["trans_stat"].as_str(),
            refunded["trans_type"].as_str()
        ),
        (Some(refund_seq.as_str()), Some("02000002"), Some("04"))
    );
    // The refund's notification names its interface in the delivery log.
    let key = OrderKey {
        mer_cust_id: MERCHANT.into(),
        order_id: "P1".into(),
        order_date: "20260101".parse().unwrap(),
    };
    assert!(
        sb.deliveries()
            .wait_idle(std::time::Duration::from_secs(30))
            .await
    );
    let records = sb.deliveries().for_order(&key);
    assert!(!records.is_empty());
    assert!(records.iter().all(|r| r.cmd_id == "205"), "{records:?}");
    sb.shutdown().await.unwrap();
}
