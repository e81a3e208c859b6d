//! `huifu-cfca pki generate` and `huifu-cfca sandbox`.

use std::net::SocketAddr;
use std::path::PathBuf;

use huifu_cfca::pki::{PkiOptions, generate};
use huifu_cfca::sandbox::{Rules, Sandbox, SandboxConfig};

use crate::io::{Result, outln, usage};

/// The password the PFX files get when no variable is named.
const DEFAULT_PASSWORD: &str = "123456";

#[derive(clap::Subcommand)]
pub enum PkiCommand {
    /// Generate a CFCA-like test PKI: root, OCA31, Huifu (100001) and a merchant, as .cer and PFX.
    Generate(GenerateArgs),
}

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// The folder to write into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The merchant's customer id (the id field of its CN).
    #[arg(long, value_name = "ID", default_value = "6666000000026086")]
    merchant_id: String,
    /// Take the PFX password from this environment variable (default: 123456, printed).
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
}

fn password(var: Option<&str>) -> Result<(String, bool)> {
    match var {
        Some(var) => std::env::var(var).map(|p| (p, false)).map_err(|_| {
            usage(format!(
                "environment variable {var} is not set (or not UTF-8)"
            ))
        }),
        None => Ok((DEFAULT_PASSWORD.to_string(), true)),
    }
}

pub fn run_pki(command: PkiCommand) -> Result<()> {
    let PkiCommand::Generate(args) = command;
    let (password, default) = password(args.password_env.as_deref())?;
    let pki = generate(&PkiOptions::new(args.merchant_id.clone(), password.clone()))?;
    for path in pki.write_to(&args.out)? {
        outln!("wrote {}", path.display());
    }
    if default {
        outln!("PFX password: {password} (the default; use --password-env VAR to choose one)");
    }
    Ok(())
}

/// `huifu-cfca sandbox --help`: the defaults and the scripted outcomes (src/sandbox/rules.rs).
pub const SANDBOX_HELP: &str = "\
Defaults: without --pki, a test PKI is generated into a temporary folder: merchant
6666000000026086, PFX password 123456 (merchant-cfca.pfx, ca-bundle.pem, root.cer,
oca31.cer). Requests go to http://<listen>/api/merchantRequest (uploads:
/api/fileMerchantRequest); GET /sandbox/orders and /sandbox/deliveries show the state.

Scripted outcomes (built in), by the last digits of trans_amt:
  .44  resp_code <cmd>003, trans_stat 02000003, callback sent
  .55  resp_code <cmd>000, trans_stat 02000002, callback skipped
  .66  resp_code <cmd>003, trans_stat 02000003, callback skipped
  any other amount succeeds: <cmd>000, 02000002, callback sent.
218 (APP pay) answers 218002 (accepted) and sends the final result by notification.

--rules FILE adds JSON rules, tried before the built-in ones; resp_code and resp_desc may
use {cmd}, cmd_id and order_id are patterns where * matches any run of characters:
  { \"rules\": [
    { \"cmd_id\": \"218\", \"order_id\": \"TIMEOUT*\", \"resp_code\": \"218098\",
      \"resp_desc\": \"system timeout\", \"trans_stat\": \"02000003\", \"callback\": \"skip\" },
    { \"trans_amt_suffix\": \".77\", \"callback\": \"skip\" }
  ] }";

#[derive(clap::Args)]
pub struct SandboxArgs {
    /// The address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// A PKI folder written by `pki generate` (default: generate one into a temporary folder).
    #[arg(long, value_name = "DIR")]
    pki: Option<PathBuf>,
    /// The PFX password of that folder, from this environment variable (default: 123456).
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
    /// Deliver callbacks (bg_ret_url) to any host; by default only to loopback destinations
    /// (localhost, 127.0.0.0/8, ::1).
    #[arg(long)]
    allow_remote_callbacks: bool,
    /// Scripted outcomes from this JSON file, tried before the built-in ones (see below).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
}

pub fn run_sandbox(args: SandboxArgs) -> Result<()> {
    // Read before anything is generated: a broken rule file fails at once.
    let rules = args.rules.as_deref().map(Rules::from_file).transpose()?;
    let (password, _) = password(args.password_env.as_deref())?;
    let dir = match args.pki {
        Some(dir) => dir,
        None => {
            let dir =
                std::env::temp_dir().join(format!("huifu-cfca-sandbox-{}", std::process::id()));
            let pki = generate(&PkiOptions::new("6666000000026086", password.clone()))?;
            pki.write_to(&dir)?;
            outln!(
                "generated a test PKI in {} (merchant 6666000000026086, PFX password {password})",
                dir.display()
            );
            outln!(
                "  merchant PFX: {}",
                dir.join("merchant-cfca.pfx").display()
            );
            outln!(
                "  CA files:     {} {}",
                dir.join("root.cer").display(),
                dir.join("oca31.cer").display()
            );
            dir
        }
    };
    let mut config = SandboxConfig::from_dir(&dir, &password)?
        .listen(args.listen)
        .allow_remote_callbacks(args.allow_remote_callbacks);
    if let Some(rules) = rules {
        config = config.rules(rules.then(Rules::builtin()));
    }
    config.log = true;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let running = Sandbox::start(config).await?;
        // A server: once it listens, a closed standard output (its reader has gone) does not
        // stop it; only Ctrl-C does.
        {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "sandbox listening on {}",
                running.merchant_request_url()
            );
            let _ = writeln!(out, "press Ctrl-C to stop");
            let _ = out.flush();
        }
        let _ = tokio::signal::ctrl_c().await;
        running.shutdown().await
    })?;
    Ok(())
}
