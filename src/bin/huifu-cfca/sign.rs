//! `huifu-cfca sign`.

use std::path::PathBuf;

use clap::ValueEnum;
use huifu_cfca::ContentMode;
use huifu_cfca::signer::Signer;

use crate::io::{PasswordArgs, Result, read_file, read_input, write_output};

#[derive(clap::Args)]
pub struct Args {
    /// The signer's PFX (PKCS#12) file.
    #[arg(long, value_name = "FILE")]
    pfx: PathBuf,
    #[command(flatten)]
    password: PasswordArgs,
    /// What the eContent holds: `huifu` (base64 of the content) or `raw` (the bytes as given).
    #[arg(long, value_enum, default_value = "huifu")]
    content: Content,
    /// Output format.
    #[arg(long, value_enum, default_value = "check-value")]
    format: Format,
    /// Read the content from this file instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Content {
    Huifu,
    Raw,
}

impl From<Content> for ContentMode {
    fn from(c: Content) -> Self {
        match c {
            Content::Huifu => ContentMode::Huifu,
            Content::Raw => ContentMode::Raw,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    CheckValue,
    Der,
    Pem,
}

/// Loads a signer from a PFX file and the password arguments, on the engine `HUIFU_CFCA_ENGINE`
/// names.
pub fn load_signer(pfx: &std::path::Path, password: &PasswordArgs) -> Result<Signer> {
    let engine = crate::io::engine()?;
    let bytes = read_file(pfx)?;
    let password = password.read()?;
    Ok(Signer::from_pfx(&bytes, &password)?.with_engine(engine)?)
}

pub fn run(args: Args) -> Result<()> {
    let signer = load_signer(&args.pfx, &args.password)?;
    let content = read_input(args.input.as_deref())?;
    let message = signer.sign(&content, args.content.into())?;
    let out = match args.format {
        Format::CheckValue => format!("{}\n", message.check_value()).into_bytes(),
        Format::Der => message.into_der(),
        Format::Pem => der::pem::encode_string("PKCS7", der::pem::LineEnding::LF, message.der())
            .map_err(std::io::Error::other)?
            .into_bytes(),
    };
    write_output(args.out.as_deref(), &out)
}
