//! `examples/axum_notify.rs` run against the sandbox, as its documentation says: a PKI folder
//! written by `pki generate`, the sandbox's merchant id, notifications verified by
//! `Client::notification_from` and acknowledged; with a source list, other peers are refused.

use crate::axum_notify;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::sandbox_common::*;
use huifu_cfca::client::{Endpoint, OrderKey, OrderState, OrderStates, Url};
use huifu_cfca::sandbox::SandboxConfig;
use serde_json::json;

async fn serve(app: Arc<axum_notify::App>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            axum_notify::router(app).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_axum_example_acknowledges_the_sandboxs_notifications() {
    let dir = std::env::temp_dir().join(format!("huifu-cfca-axum-ex-{}", std::process::id()));
    pki().write_to(&dir).unwrap();
    assert_eq!(axum_notify::SANDBOX_MERCHANT_ID, MERCHANT);
    let sb = start(
        SandboxConfig::from_dir(&dir, "pfx-password")
            .unwrap()
            .callback(fast_policy()),
    )
    .await;
    // The same folder, pointed at the sandbox, sends the orders.
    let sender = {
        let signer = huifu_cfca::signer::Signer::from_pfx(
            &std::fs::read(dir.join("merchant-cfca.pfx")).unwrap(),
            "pfx-password",
        )
        .unwrap();
        let mut trust = huifu_cfca::chain::TrustStore::new();
        trust
            .add_pem(&std::fs::read(dir.join("ca-bundle.pem")).unwrap())
            .unwrap();
        huifu_cfca::client::Client::builder(
            Endpoint::Custom(Url::parse(&sb.merchant_request_url()).unwrap()),
            MERCHANT,
            signer,
            huifu_cfca::verify::Verifier::huifu(trust).unwrap(),
        )
        .build()
        .unwrap()
    };
    // Any source: acknowledged.
    let open = Arc::new(axum_notify::App {
        client: axum_notify::client_from_dir(&dir, MERCHANT, "pfx-password", None).unwrap(),
        orders: OrderStates::new(),
    });
    let open_addr = serve(open.clone()).await;
    // Only Huifu's production address: the sandbox's loopback posts are refused.
    let strict = Arc::new(axum_notify::App {
        client: axum_notify::client_from_dir(
            &dir,
            MERCHANT,
            "pfx-password",
            Some(vec![huifu_cfca::client::HUIFU_NOTIFICATION_SOURCE]),
        )
        .unwrap(),
        orders: OrderStates::new(),
    });
    let strict_addr = serve(strict.clone()).await;
    for (id, addr) in [("AX1", open_addr), ("AX2", strict_addr)] {
        let answer = sender
            .call(
                "203",
                &json!({"order_id": id, "order_date": "20260104", "trans_amt": "1.00",
                        "bg_ret_url": format!("http://{addr}/notify")}),
            )
            .await
            .unwrap();
        assert!(answer.is_success(), "{answer:?}");
    }
    assert!(sb.deliveries().wait_idle(Duration::from_secs(30)).await);
    let key = |id: &str| OrderKey {
        mer_cust_id: MERCHANT.into(),
        order_id: id.into(),
        order_date: "20260104".parse().unwrap(),
    };
    assert!(sb.deliveries().delivered(&key("AX1")));
    assert_eq!(open.orders.get(&key("AX1")), Some(OrderState::Succeeded));
    assert!(!sb.deliveries().delivered(&key("AX2")));
    assert!(sb.deliveries().gave_up(&key("AX2")));
    assert_eq!(strict.orders.get(&key("AX2")), None);
    std::fs::remove_dir_all(&dir).ok();
    sb.shutdown().await.unwrap();
}
