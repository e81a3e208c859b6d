//! `huifu-cfca request`: one signed call, the verified answer printed as JSON.

use std::path::PathBuf;
use std::time::Duration;

use huifu_cfca::chain::{TrustStore, VerifyTime};
use huifu_cfca::client::{Client, Endpoint};
use huifu_cfca::identity::{HUIFU_ID, SignerPin};
use huifu_cfca::verify::Verifier;

use crate::io::{PasswordArgs, Result, outln, usage};
use crate::sign::load_signer;

#[derive(clap::Args)]
pub struct Args {
    /// `test`, `production`, or a `merchantRequest` URL (e.g. the sandbox's).
    #[arg(long, value_name = "test|production|URL")]
    endpoint: String,
    /// The merchant's PFX (PKCS#12) file.
    #[arg(long, value_name = "FILE")]
    pfx: PathBuf,
    #[command(flatten)]
    password: PasswordArgs,
    /// A trusted CA certificate for Huifu's answers (DER or PEM; repeat for several).
    #[arg(long, value_name = "FILE", required = true)]
    trust: Vec<PathBuf>,
    /// The merchant's customer id.
    #[arg(long, value_name = "ID")]
    mer_cust_id: String,
    /// The command id (e.g. 301).
    #[arg(long, value_name = "N")]
    cmd_id: String,
    /// The parameters, a JSON object (`version`, `cmd_id` and `mer_cust_id` are filled in).
    #[arg(long, value_name = "JSON", default_value = "{}")]
    params: String,
    /// The signer id Huifu's answers must carry.
    #[arg(long, value_name = "ID", default_value = HUIFU_ID)]
    huifu_id: String,
    /// Check certificate validity at this RFC 3339 time instead of now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Total timeout in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    timeout: u64,
}

pub fn run(args: Args) -> Result<()> {
    let endpoint = match args.endpoint.as_str() {
        "test" => Endpoint::Test,
        "production" => Endpoint::Production,
        url => Endpoint::Custom(
            url.parse()
                .map_err(|e| usage(format!("--endpoint {url}: {e}")))?,
        ),
    };
    let params: serde_json::Value = serde_json::from_str(&args.params)
        .map_err(|e| usage(format!("--params is not JSON: {e}")))?;
    if !params.is_object() {
        return Err(usage("--params must be a JSON object".to_string()));
    }
    let signer = load_signer(&args.pfx, &args.password)?;
    let verifier = Verifier::builder()
        .engine(crate::io::engine()?)
        .trust(TrustStore::from_files(&args.trust)?)
        .pin(SignerPin::Id(args.huifu_id))
        .time(match &args.at {
            Some(at) => at.parse()?,
            None => VerifyTime::Now,
        })
        .build()?;
    let client = Client::builder(endpoint, args.mer_cust_id, signer, verifier)
        .timeout(Duration::from_secs(args.timeout))
        .build()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let answer = runtime.block_on(client.call(&args.cmd_id, &params))?;
    outln!("{:#}", serde_json::Value::Object(answer.json));
    Ok(())
}
