//! Receiving Huifu's `bg_ret_url` notifications with axum: verify with [`Client::notification_from`]
//! (pinned to Huifu's 100001, the merchant checked, the source address checked when configured),
//! apply the order-state rule, acknowledge with `RECV_ORD_ID_<order_id>`.
//!
//! ```text
//! cargo run --example axum_notify --features client -- <PKI folder> [listen address] [allowed sources]
//! ```
//!
//! The PKI folder is what `huifu-cfca pki generate --out DIR` writes (the merchant's
//! `merchant-cfca.pfx` and the CA's `ca-bundle.pem`); in production, point it at your own PFX and
//! CFCA's certificates. The merchant id comes from `HUIFU_MERCHANT_ID` and the PFX password from
//! `HUIFU_PFX_PASSWORD`; both default to the sandbox's (`6666000000026086`, `123456`).
//!
//! Against the sandbox:
//!
//! ```text
//! huifu-cfca pki generate --out /tmp/pki
//! huifu-cfca sandbox --pki /tmp/pki &
//! cargo run --example axum_notify --features client -- /tmp/pki 127.0.0.1:8080
//! # then send any order with "bg_ret_url":"http://127.0.0.1:8080/notify" to the sandbox
//! ```
//!
//! Huifu's production system posts notifications from 139.224.111.237 (developer guide line 97).
//! The signature is what proves a result; a source check is an extra filter: pass a
//! comma-separated list of addresses (e.g. `139.224.111.237`) as the third argument to refuse
//! every other peer. Behind a reverse proxy the peer is the proxy: check its forwarded address
//! there instead.
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Router, body::Bytes};
use huifu_cfca::chain::TrustStore;
use huifu_cfca::client::{Client, Endpoint, OrderStates, StateChange};
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::Verifier;

/// The sandbox's merchant id and PFX password (`huifu-cfca pki generate`'s defaults).
pub const SANDBOX_MERCHANT_ID: &str = "6666000000026086";
/// The default password of the PFX files `huifu-cfca pki generate` writes.
pub const SANDBOX_PFX_PASSWORD: &str = "123456";

/// What the handler needs: the client (verifier, merchant id, source check) and the orders.
pub struct App {
    pub client: Client,
    pub orders: OrderStates,
}

/// The notification endpoint, `/notify`.
pub fn router(app: Arc<App>) -> Router {
    Router::new().route("/notify", post(notify)).with_state(app)
}

/// A client built from a `pki generate` folder: the merchant's PFX and the CA bundle.
pub fn client_from_dir(
    dir: &std::path::Path,
    merchant_id: &str,
    password: &str,
    sources: Option<Vec<IpAddr>>,
) -> Result<Client, Box<dyn std::error::Error>> {
    let signer = Signer::from_pfx(&std::fs::read(dir.join("merchant-cfca.pfx"))?, password)?;
    let mut trust = TrustStore::new();
    trust.add_pem(&std::fs::read(dir.join("ca-bundle.pem"))?)?;
    let mut builder = Client::builder(Endpoint::Test, merchant_id, signer, Verifier::huifu(trust)?);
    if let Some(sources) = sources {
        builder = builder.notification_sources(sources);
    }
    Ok(builder.build()?)
}

async fn notify(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> (StatusCode, String) {
    // Verified, pinned to Huifu, for this merchant (a result naming another merchant is
    // refused), from an allowed peer when sources are configured.
    let note = match app.client.notification_from(peer.ip(), &body) {
        Ok(note) => note,
        // Not acknowledged: a forged or broken message is never treated as a result.
        Err(e) => return (StatusCode::BAD_REQUEST, format!("rejected: {e}")),
    };
    match app.orders.apply_notification(&note) {
        StateChange::Applied(state) => println!("{:?} -> {state:?}", note.order_key),
        StateChange::Duplicate => println!("{:?}: duplicate", note.order_key),
        StateChange::IgnoredAfterSuccess => println!("{:?}: late result ignored", note.order_key),
        StateChange::Untracked => println!("order {}: no full key, not tracked", note.order_id),
    }
    // Acknowledge every verified result, duplicates included, or Huifu sends it again.
    (StatusCode::OK, note.ack_body())
}

#[allow(dead_code)] // a test includes this file for `router` and `client_from_dir`
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or("usage: axum_notify <PKI folder> [listen address] [allowed sources]")?;
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let sources = match args.next() {
        Some(list) => Some(
            list.split(',')
                .map(|a| a.trim().parse::<IpAddr>())
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    let merchant_id =
        std::env::var("HUIFU_MERCHANT_ID").unwrap_or_else(|_| SANDBOX_MERCHANT_ID.into());
    let password =
        std::env::var("HUIFU_PFX_PASSWORD").unwrap_or_else(|_| SANDBOX_PFX_PASSWORD.into());
    let client = client_from_dir(dir.as_ref(), &merchant_id, &password, sources)?;
    let app = Arc::new(App {
        client,
        orders: OrderStates::new(),
    });
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("merchant {merchant_id}: listening on http://{addr}/notify");
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
