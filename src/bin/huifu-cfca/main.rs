//! The `huifu-cfca` command-line tool: ad-hoc signing and checking in the spirit of `openssl cms`.
//!
//! Exit status: 0 success; 1 the operation failed (one line `error: <reason>` on stderr); 2 usage.
#![forbid(unsafe_code)]

mod demo;
mod io;
mod pfx_cmd;
mod request_cmd;
mod sandbox_cmd;
mod sign;
mod speed;
mod verify_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "huifu-cfca",
    version,
    about = "CFCA/Huifu APP+ signing, verification and sandbox"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the end-to-end demo.
    Demo(demo::Args),
    /// Sign content as CFCA's SADK does (PKCS#7 attached, RSA-SHA256, no signed attributes).
    Sign(sign::Args),
    /// Show what a PFX (PKCS#12) file holds.
    Pfx(pfx_cmd::Args),
    /// Test PKI tools.
    #[command(subcommand)]
    Pki(sandbox_cmd::PkiCommand),
    /// Run a local Huifu (the sandbox) on loopback.
    #[command(after_long_help = sandbox_cmd::SANDBOX_HELP)]
    Sandbox(sandbox_cmd::SandboxArgs),
    /// Make one signed APP+ call and print the verified answer.
    Request(request_cmd::Args),
    /// Verify a signed message (check_value, base64, PEM, DER or BER) and print its content.
    Verify(verify_cmd::VerifyArgs),
    /// Show what a signed message holds, without verifying it.
    Inspect(verify_cmd::InspectArgs),
    /// Measure signatures and verifications per second (like `openssl speed rsa2048`).
    Speed(speed::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Sign(args) => sign::run(args),
        Command::Pfx(args) => pfx_cmd::run(args),
        Command::Request(args) => request_cmd::run(args),
        Command::Pki(command) => sandbox_cmd::run_pki(command),
        Command::Sandbox(args) => sandbox_cmd::run_sandbox(args),
        Command::Verify(args) => verify_cmd::run_verify(args),
        Command::Inspect(args) => verify_cmd::run_inspect(args),
        Command::Speed(args) => speed::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `huifu-cfca … | head`: the reader has what it wanted; as ripgrep does, end quietly.
        Err(e) if io::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(io::CliError::Usage(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(io::CliError::Failed(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
