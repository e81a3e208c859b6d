//! `huifu-cfca pfx`.

use std::path::PathBuf;

use huifu_cfca::pfx;
use rsa::traits::PublicKeyParts;

use crate::io::{PasswordArgs, Result, outln, read_file};

#[derive(clap::Args)]
pub struct Args {
    /// The PFX (PKCS#12) file.
    #[arg(long, value_name = "FILE")]
    pfx: PathBuf,
    #[command(flatten)]
    password: PasswordArgs,
}

pub fn run(args: Args) -> Result<()> {
    let bytes = read_file(&args.pfx)?;
    let password = args.password.read()?;
    let identity = pfx::load(&bytes, &password)?;
    let tbs = identity.certificate().tbs_certificate();
    let info = identity.info();
    outln!("subject:         {}", tbs.subject());
    outln!("issuer:          {}", tbs.issuer());
    outln!("serial:          {}", hex(tbs.serial_number().as_bytes()));
    outln!(
        "not before:      {}",
        tbs.validity().not_before.to_date_time()
    );
    outln!(
        "not after:       {}",
        tbs.validity().not_after.to_date_time()
    );
    outln!(
        "key:             RSA {} bits",
        identity.private_key().size() * 8
    );
    outln!("key encryption:  {}", list(&info.key_encryption));
    outln!("cert encryption: {}", list(&info.cert_encryption));
    match &info.mac {
        Some(mac) => outln!(
            "mac:             {}, {} iterations",
            mac.algorithm,
            mac.iterations
        ),
        None => outln!("mac:             none"),
    }
    outln!("chain:           {} certificate(s)", identity.chain().len());
    Ok(())
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// Lower-case hex, no separators.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
