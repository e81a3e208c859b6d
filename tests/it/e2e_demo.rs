//! The README's main job as a test: the same flow as `huifu-cfca demo`, through the public API,
//! and the CLI's `request` and `demo` against a real sandbox on loopback.
#![cfg(feature = "cli")]

use std::process::Command;

use huifu_cfca::client::OrderState;
use huifu_cfca::pki::{PkiOptions, generate};
use huifu_cfca::sandbox::demo::{DemoOptions, run};
use huifu_cfca::sandbox::{Sandbox, SandboxConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_flow_pays_notifies_acknowledges_and_queries() {
    let dir = std::env::temp_dir().join(format!("huifu-cfca-e2e-{}", std::process::id()));
    let mut lines = Vec::new();
    let report = run(
        &DemoOptions {
            dir: Some(dir.clone()),
            key_bits: 1024,
            ..DemoOptions::default()
        },
        |l| lines.push(l.to_string()),
    )
    .await
    .unwrap();
    // Guide lines 1101-1106: 218002 accepted; the result comes by the notification.
    assert_eq!(report.pay_resp_code, "218002");
    assert_eq!(report.notifications, 1, "exactly one acknowledged delivery");
    assert_eq!(report.merchant_state, Some(OrderState::Succeeded));
    assert_eq!(
        report.query_trans_stat,
        Some(huifu_cfca::client::TransStat::Success)
    );
    assert!(dir.join("merchant-cfca.pfx").is_file() && dir.join("root.cer").is_file());
    let text = lines.join("\n");
    for needle in [
        "signed 218 request",
        "verified answer signed by 100001: resp_code 218002",
        "Accepted",
        "RECV_ORD_ID_",
        "301 query",
    ] {
        assert!(text.contains(needle), "{needle} missing in:\n{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_request_command_gets_a_verified_answer_from_the_sandbox() {
    let dir = std::env::temp_dir().join(format!("huifu-cfca-e2e-request-{}", std::process::id()));
    let pki = generate(&PkiOptions::new("6666000000000042", "pw-42").key_bits(1024)).unwrap();
    pki.write_to(&dir).unwrap();
    let sandbox = Sandbox::start(SandboxConfig::from_pki(&pki).unwrap())
        .await
        .unwrap();
    let url = sandbox.merchant_request_url();
    let d = dir.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_huifu-cfca"))
            .args(["request", "--endpoint", &url, "--pfx"])
            .arg(d.join("merchant-openssl3.pfx"))
            .args(["--password-env", "PFX_PASS", "--trust"])
            .arg(d.join("root.cer"))
            .arg("--trust")
            .arg(d.join("oca31.cer"))
            .args(["--mer-cust-id", "6666000000000042", "--cmd-id", "203"])
            .args([
                "--params",
                r#"{"order_id":"CLI1","order_date":"20260101","trans_amt":"1.00"}"#,
            ])
            .env("PFX_PASS", "pw-42")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["resp_code"], "203000");
    assert_eq!(answer["order_id"], "CLI1");
    assert_eq!(sandbox.orders().len(), 1);
    sandbox.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
