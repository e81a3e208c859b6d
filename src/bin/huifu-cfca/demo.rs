//! `huifu-cfca demo`: the README's main job.

use std::path::PathBuf;
use std::time::Instant;

use huifu_cfca::chain::TrustStore;
use huifu_cfca::identity::SignerPin;
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::Verifier;
use huifu_cfca::{ContentMode, check_value};

use crate::io::{Result, read_file};

#[derive(clap::Args)]
pub struct Args {
    /// The repository's `vectors/` folder (default: the one this binary was built from).
    #[arg(long, value_name = "DIR")]
    vectors: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let dir = args
        .vectors
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors")));
    let started = Instant::now();
    let step = |what: &str, t: Instant| println!("[{:>8.2?}] {what}", t.elapsed());

    let t = Instant::now();
    let pfx = dir.join("pfx/cfca.p12");
    let signer = Signer::from_pfx(&read_file(&pfx)?, "888888")?;
    step(
        &format!(
            "loaded {} (CFCA form): {}",
            pfx.display(),
            signer.certificate().tbs_certificate().subject()
        ),
        t,
    );

    let json = r#"{"version":"10","cmd_id":"301","mer_cust_id":"6666000000035476","order_id":"20261125000001","order_date":"20261125","trans_type":"02"}"#;
    let t = Instant::now();
    let cv = signer.sign_check_value(json.as_bytes(), ContentMode::Huifu)?;
    step(
        &format!(
            "signed {} bytes of JSON (huifu mode): check_value of {} chars",
            json.len(),
            cv.len()
        ),
        t,
    );
    println!("           check_value = {}…", cv.get(..64).unwrap_or(&cv));

    let t = Instant::now();
    let trust = TrustStore::from_files([dir.join("chain/root.cer"), dir.join("chain/oca.cer")])?;
    let verifier = Verifier::builder()
        .trust(trust)
        .pin(SignerPin::Id("AS0381".into()))
        .build()?;
    let message = verifier.verify(cv.as_bytes())?;
    step(
        &format!(
            "verified: chain to {}, signer id {}",
            message.signer.issuer,
            message.signer.cn_id.as_deref().unwrap_or("?")
        ),
        t,
    );
    let (der, form) = check_value::decode(cv.as_bytes())?;
    println!(
        "           {form:?} → {} bytes of DER, content: {}",
        der.len(),
        message.text().unwrap_or_default()
    );
    println!("done in {:.2?}", started.elapsed());
    Ok(())
}
