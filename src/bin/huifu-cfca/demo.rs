//! `huifu-cfca demo`: the README's main job — a merchant and a local Huifu on loopback.

use std::io::Write;
use std::path::PathBuf;

use huifu_cfca::sandbox::demo::{self, DemoOptions};

use crate::io::{Result, usage};

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the generated test PKI (default: a fresh temporary folder).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// The merchant's customer id.
    #[arg(long, value_name = "ID", default_value = "6666000000026086")]
    merchant_id: String,
}

pub fn run(args: Args) -> Result<()> {
    let options = DemoOptions {
        dir: args.dir,
        merchant_id: args.merchant_id,
        ..DemoOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // A closed standard output (`| head`) stops the printing, not the demo; main ends quietly.
    let mut closed: Option<std::io::Error> = None;
    let say = |line: &str| {
        if closed.is_none()
            && let Err(e) = writeln!(std::io::stdout().lock(), "{line}")
        {
            closed = Some(e);
        }
    };
    let report = runtime.block_on(demo::run(&options, say))?;
    if let Some(e) = closed {
        return Err(e.into());
    }
    if report.query_trans_stat != Some(huifu_cfca::client::TransStat::Success)
        || report.notifications != 1
    {
        return Err(usage(format!(
            "the demo did not end as expected: {report:?}"
        )));
    }
    Ok(())
}
