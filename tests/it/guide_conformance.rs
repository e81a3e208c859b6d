//! The sandbox driven as Huifu's own demos drive Huifu, built independently of our client:
//! requests signed with the OpenSSL CLI (`openssl smime -sign -binary -noattr -md sha256
//! -nodetach -outform DER`), sent as plain HTTP/1.1 over a TCP socket in each demo's shape, every
//! answer checked with `openssl cms -verify`. Each assertion cites the guide line
//! (`../shared/seed/huifu-app-plus-developer-guide.txt`) it comes from.

use crate::common;
use crate::sandbox_common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{openssl_ok as run, smime_sign, temp_dir};
use huifu_cfca::sandbox::RunningSandbox;
use sandbox_common::{MERCHANT, config, pki, start};
use serde_json::{Map, Value, json};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The merchant's key and certificate and the sandbox CA bundle, as PEM files for OpenSSL.
struct Files {
    dir: PathBuf,
    key: PathBuf,
    cert: PathBuf,
    cas: PathBuf,
}

fn files() -> Files {
    let dir = temp_dir("guide");
    let key = dir.join("merchant.key");
    std::fs::write(&key, pki().merchant().key_pkcs8_pem().unwrap().as_bytes()).unwrap();
    let der = |name: &str, bytes: Vec<u8>| -> PathBuf {
        let d = dir.join(format!("{name}.der"));
        let p = dir.join(format!("{name}.pem"));
        std::fs::write(&d, bytes).unwrap();
        run(&["x509", "-inform", "DER", "-in", s(&d), "-out", s(&p)]);
        p
    };
    let cert = der("merchant", pki().merchant().certificate_der().unwrap());
    let root = der("root", pki().root().certificate_der().unwrap());
    let oca = der("oca", pki().oca31().certificate_der().unwrap());
    let cas = dir.join("cas.pem");
    let mut bundle = std::fs::read(&root).unwrap();
    bundle.extend(std::fs::read(&oca).unwrap());
    std::fs::write(&cas, bundle).unwrap();
    Files {
        dir,
        key,
        cert,
        cas,
    }
}

/// How the signed content is made from the JSON.
#[derive(Clone, Copy)]
enum Content {
    /// base64 of the JSON, as Huifu's Java wrapper signs.
    Base64,
    /// The JSON itself, as the guide's PHP demo signs (`json_encode($requestParam)`, line 266).
    Raw,
}

/// `check_value` for `json`, made with the OpenSSL CLI only: sign, then base64 of the DER.
fn check_value(f: &Files, json: &str, content: Content) -> String {
    let input = f.dir.join("request.json");
    let text = match content {
        Content::Raw => json.to_string(),
        Content::Base64 => {
            std::fs::write(&input, json).unwrap();
            let b64 = run(&["base64", "-A", "-in", s(&input)]);
            String::from_utf8(b64).unwrap().trim().to_string()
        }
    };
    std::fs::write(&input, text).unwrap();
    let der = f.dir.join("request.p7");
    smime_sign(&input, &f.cert, &f.key, None, &der);
    // check_value = base64(base64(DER)) (protocol.md section 2, Huifu's Java wrapper).
    let once = f.dir.join("request.b64");
    std::fs::write(&once, run(&["base64", "-A", "-in", s(&der)])).unwrap();
    let twice = run(&["base64", "-A", "-in", s(&once)]);
    String::from_utf8(twice).unwrap().trim().to_string()
}

/// Verifies an answer's check_value with `openssl cms -verify` against the sandbox CAs and
/// returns the JSON it carries (base64 of the JSON, Huifu's convention).
fn openssl_verified(f: &Files, check_value: &str) -> Map<String, Value> {
    let b64 = f.dir.join("answer.b64");
    let der = f.dir.join("answer.p7");
    let content = f.dir.join("answer.content");
    std::fs::write(&b64, check_value).unwrap();
    let once = f.dir.join("answer.b64.inner");
    run(&["base64", "-d", "-A", "-in", s(&b64), "-out", s(&once)]);
    run(&["base64", "-d", "-A", "-in", s(&once), "-out", s(&der)]);
    run(&[
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        s(&der),
        "-CAfile",
        s(&f.cas),
        "-out",
        s(&content),
    ]);
    let json = run(&["base64", "-d", "-A", "-in", s(&content)]);
    serde_json::from_slice(&json).unwrap_or_else(|e| {
        panic!(
            "answer content is not JSON ({e}): {}",
            String::from_utf8_lossy(&json)
        )
    })
}

/// One HTTP/1.1 exchange over a plain socket; returns (status, body).
fn http(sandbox: &RunningSandbox, target: &str, content_type: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let addr = sandbox.base_url().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16)
                    .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = &rest[line_end + 2 + size + 2..];
        }
        body = out;
    }
    (status, body)
}

fn url_encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The four fields as a form body, the way the guide's Java demo posts them (lines ~120–135).
fn form_body(json: &Value, cv: &str) -> String {
    format!(
        "version={}&cmd_id={}&mer_cust_id={}&check_value={}",
        json["version"].as_str().unwrap(),
        json["cmd_id"].as_str().unwrap(),
        json["mer_cust_id"].as_str().unwrap(),
        url_encode(cv)
    )
}

/// The answer's check_value from `{"check_value": ...}`.
fn answer_cv(status: u16, body: &[u8]) -> String {
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(body));
    let v: Value = serde_json::from_slice(body).unwrap();
    v["check_value"]
        .as_str()
        .unwrap_or_else(|| panic!("unsigned answer: {}", String::from_utf8_lossy(body)))
        .to_string()
}

fn request(cmd_id: &str, extra: Value) -> Value {
    let mut map = json!({"version": "10", "cmd_id": cmd_id, "mer_cust_id": MERCHANT});
    if let (Some(m), Value::Object(e)) = (map.as_object_mut(), extra) {
        m.extend(e);
    }
    map
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_301_query_signed_by_openssl_in_both_content_forms() {
    let sandbox = start(config()).await;
    let sb = std::sync::Arc::new(sandbox);
    let sb2 = sb.clone();
    blocking(move || {
        let f = files();
        for content in [Content::Base64, Content::Raw] {
            let req = request(
                "301",
                json!({"order_id": "NOPE1", "order_date": "20260101", "trans_type": "01"}),
            );
            let text = serde_json::to_string(&req).unwrap();
            let cv = check_value(&f, &text, content);
            let (status, body) = http(
                &sb2,
                "/api/merchantRequest",
                "application/x-www-form-urlencoded",
                form_body(&req, &cv).as_bytes(),
            );
            let answer = openssl_verified(&f, &answer_cv(status, &body));
            // Guide line 73 (the 301 answer sample): cmd_id, mer_cust_id, order_id, order_date
            // come back with resp_code and resp_desc.
            assert_eq!(answer["cmd_id"], "301");
            assert_eq!(answer["mer_cust_id"], MERCHANT);
            assert_eq!(answer["order_id"], "NOPE1");
            assert!(answer["resp_code"].as_str().unwrap().starts_with("301"));
        }
    })
    .await;
    drop(sb);
}

/// Signs `req` with OpenSSL and posts it as the Java demo does; returns the answer's JSON as
/// `openssl cms -verify` reads it.
fn post_signed(sb: &RunningSandbox, f: &Files, req: &Value) -> Map<String, Value> {
    let cv = check_value(f, &serde_json::to_string(req).unwrap(), Content::Base64);
    let (status, body) = http(
        sb,
        "/api/merchantRequest",
        "application/x-www-form-urlencoded",
        form_body(req, &cv).as_bytes(),
    );
    openssl_verified(f, &answer_cv(status, &body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_pay_is_accepted_then_notified_then_queried() {
    let merchant = sandbox_common::merchant_server(sandbox_common::Behaviour::Ack).await;
    let sb = std::sync::Arc::new(start(config()).await);
    let (sb2, url) = (sb.clone(), merchant.url());
    let answers = blocking(move || {
        let f = files();
        let pay = |order: &str, pay_type: &str, amount: &str| {
            post_signed(
                &sb2,
                &f,
                &request(
                    "218",
                    json!({"order_id": order, "order_date": "20260105", "trans_amt": amount,
                           "pay_type": pay_type, "goods_desc": "tea", "bg_ret_url": url}),
                ),
            )
        };
        let wechat = pay("AP1", "10", "12.00");
        let alipay = pay("AP2", "15", "3.00");
        // Amount rule .44: the transaction fails, synchronously.
        let failed = pay("AP3", "10", "1.44");
        (wechat, alipay, failed)
    })
    .await;
    let (wechat, alipay, failed) = answers;
    // Guide lines 1101-1106: 218002 请求已受理, with pay_url (Alipay) and pay_info (WeChat APP,
    // 16 characters), platform_seq_id, order_id and order_date (the sample at line ~1114).
    assert_eq!(wechat["resp_code"], "218002");
    assert_eq!(wechat["pay_info"].as_str().unwrap().len(), 16);
    assert_eq!(wechat["pay_url"], "");
    assert_eq!(wechat["order_id"], "AP1");
    assert_eq!(wechat["order_date"], "20260105");
    assert!(!wechat["platform_seq_id"].as_str().unwrap().is_empty());
    assert_eq!(alipay["resp_code"], "218002");
    assert!(alipay["pay_url"].as_str().unwrap().starts_with("https://"));
    assert_eq!(alipay["pay_info"], "");
    // 218003 交易失败 (guide line 1103).
    assert_eq!(failed["resp_code"], "218003");
    // The final result comes by the bg_ret_url notification (guide lines 89-95), acknowledged
    // with RECV_ORD_ID_<order_id>.
    assert!(sb.deliveries().wait_idle(Duration::from_secs(20)).await);
    let notes = merchant.notifications("AP1");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["resp_code"], "218000");
    assert_eq!(notes[0]["trans_stat"], "02000002");
    // 301 then reports it, echoing the trans_type asked (guide line 73).
    let sb3 = sb.clone();
    let query = blocking(move || {
        let f = files();
        post_signed(
            &sb3,
            &f,
            &request(
                "301",
                json!({"order_id": "AP1", "order_date": "20260105", "trans_type": "10"}),
            ),
        )
    })
    .await;
    assert_eq!(query["resp_code"], "301000");
    assert_eq!(query["trans_stat"], "02000002");
    assert_eq!(query["trans_type"], "10");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guides_parameter_rules_and_removed_interfaces_are_enforced() {
    let sb = std::sync::Arc::new(start(config()).await);
    let sb2 = sb.clone();
    blocking(move || {
        let f = files();
        let base = json!({"order_id": "R1", "order_date": "20260105", "trans_amt": "1.00",
                          "pay_type": "10", "goods_desc": "tea", "bg_ret_url": "http://127.0.0.1:9/cb"});
        let with = |k: &str, v: &str| {
            let mut extra = base.clone();
            extra[k] = json!(v);
            request("218", extra)
        };
        for (req, why) in [
            // Guide lines 12-13: no brackets, commas, double quotes or colons in values.
            (with("goods_desc", "tea, green"), "holds ','"),
            (with("mer_priv", "{x}"), "holds '{'"),
            // Line 14: yuan with two decimals.
            (with("trans_amt", "7"), "two decimals"),
            (with("trans_amt", "7.0"), "two decimals"),
            // Line 15: YYYYMMDD.
            (with("order_date", "2026-01-05"), "YYYYMMDD"),
            // Lines 1088-1098: lengths.
            (with("ip_addr", &"1".repeat(21)), "at most 20"),
            (with("pay_type", "1"), "exactly 2"),
        ] {
            let answer = post_signed(&sb2, &f, &req);
            assert_eq!(answer["resp_code"], "218101", "{req}: {answer:?}");
            assert!(
                answer["resp_desc"].as_str().unwrap().contains(why),
                "{answer:?}"
            );
        }
        // Removed interfaces (change log, lines ~1160 and ~1187) are refused, never successful.
        for cmd in ["106", "215", "223"] {
            let answer = post_signed(&sb2, &f, &request(cmd, json!({"order_id": "X"})));
            assert_eq!(answer["resp_code"], format!("{cmd}109"));
        }
    })
    .await;
    assert!(sb.orders().is_empty(), "nothing refused is stored");
}

/// The 122 upload in both of Huifu's shapes: the guide's C# demo (every signed field and
/// check_value in the URL, unencoded; only attach_file in the multipart body, lines ~807-877)
/// and Huifu's Java server demo (everything in the multipart body). Both answer 122000.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_in_the_csharp_and_java_shapes() {
    let sb = std::sync::Arc::new(start(config()).await);
    let sb2 = sb.clone();
    blocking(move || {
        let f = files();
        let boundary = "ABCD1234";
        let part = |name: &str, value: &str| {
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
        };
        let file_part = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"attach_file\"; \
             filename=\"test.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n--{boundary}--"
        );
        let ctype = format!("multipart/form-data; boundary={boundary}");
        for (shape, attach_no) in [("csharp", "abcd01"), ("java", "abcd02")] {
            let req = request(
                "122",
                json!({"attach_no": attach_no, "trans_type": "01", "attach_type": "05", "extension": "1"}),
            );
            let cv = check_value(&f, &serde_json::to_string(&req).unwrap(), Content::Base64);
            let keys = ["version", "cmd_id", "mer_cust_id", "attach_no", "trans_type", "attach_type", "extension"];
            let (status, body) = if shape == "csharp" {
                // `url_with_param += key + "=" + info[key]` ... `+ "&check_value=" + check_value`
                let mut target = "/api/fileMerchantRequest?".to_string();
                for k in keys {
                    target.push_str(&format!("{k}={}&", req[k].as_str().unwrap()));
                }
                target.push_str(&format!("check_value={cv}"));
                http(&sb2, &target, &ctype, file_part.as_bytes())
            } else {
                let mut body = String::new();
                for k in ["version", "cmd_id", "mer_cust_id"] {
                    body.push_str(&part(k, req[k].as_str().unwrap()));
                }
                body.push_str(&part("check_value", &cv));
                body.push_str(&file_part);
                http(&sb2, "/api/fileMerchantRequest", &ctype, body.as_bytes())
            };
            let answer = openssl_verified(&f, &answer_cv(status, &body));
            assert_eq!(answer["resp_code"], "122000", "{shape}: {answer:?}");
        }
        // The query and the body disagree on a field: refused.
        let req = request("301", json!({"order_id": "Q", "order_date": "20260105", "trans_type": "01"}));
        let cv = check_value(&f, &serde_json::to_string(&req).unwrap(), Content::Base64);
        let (status, body) = http(
            &sb2,
            "/api/merchantRequest?mer_cust_id=6666000000000000",
            "application/x-www-form-urlencoded",
            form_body(&req, &cv).as_bytes(),
        );
        assert_eq!(status, 200);
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["resp_code"], "000106", "{v}");
    })
    .await;
    assert_eq!(sb.uploads().len(), 2);
}
