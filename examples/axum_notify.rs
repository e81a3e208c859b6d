//! Receiving Huifu's `bg_ret_url` notifications with axum: verify (pinned to Huifu's 100001),
//! apply the order-state rule, acknowledge with `RECV_ORD_ID_<order_id>`.
//!
//! `cargo run --example axum_notify --features client -- <CA bundle PEM> [addr]`
use std::sync::Arc;

use axum::extract::State;
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
}

async fn notify(State(app): State<Arc<App>>, body: Bytes) -> (StatusCode, String) {
    let note = match Notification::parse(&app.verifier, &body) {
        Ok(note) if note.order_key.mer_cust_id == MER_CUST_ID => note,
        Ok(_) => return (StatusCode::BAD_REQUEST, "another merchant's result".into()),
        // Not acknowledged: a forged or broken message is never treated as a result.
        Err(e) => return (StatusCode::BAD_REQUEST, format!("rejected: {e}")),
    };
    match app.orders.apply_notification(&note) {
        StateChange::Applied(state) => println!("{:?} -> {state:?}", note.order_key),
        StateChange::Duplicate => println!("{:?}: duplicate", note.order_key),
        StateChange::IgnoredAfterSuccess => println!("{:?}: late result ignored", note.order_key),
    }
    // Acknowledge every verified result, duplicates included, or Huifu sends it again.
    (StatusCode::OK, note.ack_body())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let bundle = args
        .next()
        .ok_or("usage: axum_notify <CA bundle PEM> [addr]")?;
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let mut trust = TrustStore::new();
    trust.add_pem(&std::fs::read(bundle)?)?;
    let app = Arc::new(App {
        verifier: Verifier::huifu(trust),
        orders: OrderStates::new(),
    });
    let router = Router::new().route("/notify", post(notify)).with_state(app);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr}/notify");
    axum::serve(listener, router).await?;
    Ok(())
}
