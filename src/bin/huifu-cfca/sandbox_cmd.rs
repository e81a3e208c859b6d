//! `huifu-cfca pki generate` and `huifu-cfca sandbox`.

use std::net::SocketAddr;
use std::path::PathBuf;

use huifu_cfca::pki::{PkiOptions, generate};
use huifu_cfca::sandbox::{Sandbox, SandboxConfig};

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
}

pub fn run_sandbox(args: SandboxArgs) -> Result<()> {
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
    config.log = true;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let running = Sandbox::start(config).await?;
        outln!("sandbox listening on {}", running.merchant_request_url());
        outln!("press Ctrl-C to stop");
        let _ = tokio::signal::ctrl_c().await;
        running.shutdown().await
    })?;
    Ok(())
}
