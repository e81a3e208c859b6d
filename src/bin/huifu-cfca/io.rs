//! Shared CLI plumbing: passwords, input and output.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use huifu_cfca::Error;
use huifu_cfca::engine::Engine;
use zeroize::Zeroizing;

/// A CLI failure: a usage problem (exit 2) or a failed operation (exit 1).
#[derive(Debug)]
pub enum CliError {
    /// The command line cannot be acted on (missing password source, no trust anchors, …).
    Usage(String),
    /// The operation failed.
    Failed(Error),
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Failed(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Failed(Error::Io(e))
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Usage(m) => f.write_str(m),
            CliError::Failed(e) => e.fmt(f),
        }
    }
}

/// `println!` that returns a failed write (a closed pipe: `huifu-cfca … | head`) as the
/// function's error instead of panicking; `main` ends quietly on a broken pipe.
macro_rules! outln {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(
            &mut std::io::stdout().lock(),
            format_args!("{}\n", format_args!($($arg)*)),
        )?
    };
}
pub(crate) use outln;

/// Whether `e` is a write to a closed pipe (the reader, such as `head`, has gone): not an error.
pub fn is_broken_pipe(e: &CliError) -> bool {
    matches!(e, CliError::Failed(Error::Io(io)) if io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// The CLI's result type.
pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// The environment variable that chooses the RSA engine of the signers and verifiers this tool
/// builds: `auto` (the default), `portable`, `ifma` or `rsa` (the `rsa` crate). The library reads
/// no environment; the tool passes the choice through [`Engine`].
pub const ENGINE_ENV: &str = "HUIFU_CFCA_ENGINE";

/// The engine [`ENGINE_ENV`] names ([`Engine::Auto`] when it is unset or empty); any other value
/// is a usage error.
pub fn engine() -> Result<Engine> {
    let value = match std::env::var(ENGINE_ENV) {
        Ok(value) => value,
        Err(std::env::VarError::NotPresent) => return Ok(Engine::Auto),
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(usage(format!("{ENGINE_ENV} is not UTF-8")));
        }
    };
    if value.is_empty() {
        return Ok(Engine::Auto);
    }
    Engine::from_name(&value).ok_or_else(|| {
        usage(format!(
            "{ENGINE_ENV}={value:?}: expected auto, portable, ifma or rsa"
        ))
    })
}

/// Where a password comes from. Never from argv.
#[derive(Args, Debug, Clone)]
pub struct PasswordArgs {
    /// Read the password from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,
    /// Read the password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

impl PasswordArgs {
    /// The password, from the variable, the file, or (on a terminal) a prompt.
    pub fn read(&self) -> Result<Zeroizing<String>> {
        if let Some(var) = &self.password_env {
            return std::env::var(var).map(Zeroizing::new).map_err(|_| {
                usage(format!(
                    "environment variable {var} is not set (or not UTF-8)"
                ))
            });
        }
        if let Some(path) = &self.password_file {
            let text =
                Zeroizing::new(std::fs::read_to_string(path).map_err(|e| io_error(path, e))?);
            let line = text.lines().next().unwrap_or_default();
            return Ok(Zeroizing::new(line.to_string()));
        }
        prompt()
    }
}

fn prompt() -> Result<Zeroizing<String>> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(usage(
            "no password given: use --password-env VAR or --password-file FILE".to_string(),
        ));
    }
    rpassword::prompt_password("PFX password: ")
        .map(Zeroizing::new)
        .map_err(CliError::from)
}

/// A CLI-level failure that is not a library error.
pub fn usage(message: String) -> CliError {
    CliError::Usage(message)
}

/// An I/O error naming the file.
pub fn io_error(path: &Path, e: std::io::Error) -> CliError {
    CliError::Failed(Error::Io(std::io::Error::new(
        e.kind(),
        format!("{}: {e}", path.display()),
    )))
}

/// Reads a whole file.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| io_error(path, e))
}

/// Reads `--in FILE`, or standard input.
pub fn read_input(path: Option<&Path>) -> Result<Vec<u8>> {
    match path {
        Some(p) => read_file(p),
        None => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            Ok(buf)
        }
    }
}

/// Writes to `--out FILE`, or standard output.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(p) => std::fs::write(p, bytes).map_err(|e| io_error(p, e)),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}
