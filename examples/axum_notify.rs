//! Receiving Huifu's `bg_ret_url` notifications with axum: verify (pinned to Huifu's 100001),
//! apply the order-state rule, acknowledge with `RECV_ORD_ID_<order_id>`.
//!
//! `cargo run --example axum_notify --features client -- <CA bundle PEM> [addr] [allowed sources]`
//!
//! Huifu's production system posts notifications from 139.224.111.237 (developer guide line 97,
//! "我司本系统生产环境出口IP为:139.224.111.237"). The signature is what proves a result; a source
//! check is an extra filter, shown here as an option: pass a comma-separated list of addresses
//! (e.g. `139.224.111.237`) as the third argument to refuse every other peer. Behind a reverse
//! proxy the peer is the proxy: check its forwarded address there instead.
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Router, body::Bytes};
use huifu_cfca::chain::TrustStore;
use huifu_cfca::client::{Notification, OrderStates, StateChange};
use huifu_cfca::verify::Verifier;

/// This merchant's customer id: Huifu signs every merchant's results with the same key.
const MER_CUST_ID: &str = "6666000000002619";

struct App {
    verifier: Verifier,
    orders: OrderStates,
    /// When set, only these peers may post results.
    sources: Option<Vec<IpAddr>>,
}

async fn notify(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> (StatusCode, String) {
    if let Some(sources) = &app.sources
        && !sources.contains(&peer.ip())
    {
        return (StatusCode::FORBIDDEN, "not a Huifu source address".into());
    }
    let note = match Notification::parse(&app.verifier, &body) {
        // A result that names a merchant must name this one; the acknowledgement needs only the
        // order_id (guide lines 91-95).
        Ok(note) if note.get("mer_cust_id").is_none_or(|m| m == MER_CUST_ID) => note,
        Ok(_) => return (StatusCode::BAD_REQUEST, "another merchant's result".into()),
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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let bundle = args
        .next()
        .ok_or("usage: axum_notify <CA bundle PEM> [addr] [allowed sources]")?;
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let sources = match args.next() {
        Some(list) => Some(
            list.split(',')
                .map(|a| a.trim().parse::<IpAddr>())
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    let mut trust = TrustStore::new();
    trust.add_pem(&std::fs::read(bundle)?)?;
    let app = Arc::new(App {
        verifier: Verifier::huifu(trust),
        orders: OrderStates::new(),
        sources,
    });
    let router = Router::new().route("/notify", post(notify)).with_state(app);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr}/notify");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
