//! Runs a local Huifu sandbox until the process is stopped.
//!
//! ```text
//! cargo run --release --example sandbox --features sandbox -- [DIR] [ADDR] [MERCHANT_ID]
//! ```
//!
//! DIR (default `sandbox-pki`) holds the test PKI: it is generated and written there on first run
//! (password `123456`), then reused, so the merchant's `merchant-cfca.pfx` / `merchant-openssl3.pfx`
//! keep working against later runs. ADDR defaults to `127.0.0.1:8300`. Point a client at
//! `http://ADDR/api/merchantRequest`; inspect `http://ADDR/sandbox/orders` and `/sandbox/deliveries`.

use std::net::SocketAddr;
use std::path::PathBuf;

use huifu_cfca::pki::{self, PkiOptions};
use huifu_cfca::sandbox::{Sandbox, SandboxConfig};

const PASSWORD: &str = "123456";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "sandbox-pki".into()));
    let addr: SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:8300".into())
        .parse()?;
    let merchant_id = args.next().unwrap_or_else(|| "6666000000026086".into());
    if !dir.join("huifu.pfx").exists() {
        eprintln!(
            "generating a test PKI for merchant {merchant_id} in {}",
            dir.display()
        );
        let pki = pki::generate(&PkiOptions::new(merchant_id, PASSWORD))?;
        for path in pki.write_to(&dir)? {
            eprintln!("  wrote {}", path.display());
        }
    }
    let mut config = SandboxConfig::from_dir(&dir, PASSWORD)?.listen(addr);
    config.log = true;
    eprintln!("merchants: {:?}", config.merchants);
    let sandbox = Sandbox::start(config).await?;
    eprintln!(
        "sandbox listening on {}/api/merchantRequest",
        sandbox.base_url()
    );
    let _running = sandbox;
    std::future::pending::<()>().await;
    Ok(())
}
