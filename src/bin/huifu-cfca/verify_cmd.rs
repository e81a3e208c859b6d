//! `huifu-cfca verify` and `huifu-cfca inspect`.

use std::path::PathBuf;

use huifu_cfca::chain::{TrustStore, VerifyTime};
use huifu_cfca::identity::{HUIFU_ID, SignerPin};
use huifu_cfca::pkcs7::parse::Encoding;
use huifu_cfca::verify::{Inspection, Verifier, inspect};

use crate::io::{Result, read_input, usage, write_output};
use crate::sign::Content;

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// A trusted CA certificate (DER or PEM; repeat for several). Required unless --no-chain.
    #[arg(long, value_name = "FILE")]
    trust: Vec<PathBuf>,
    /// The signer id the certificate's CN must carry (default: Huifu's 100001).
    #[arg(long, value_name = "ID", conflicts_with = "any_signer")]
    signer_id: Option<String>,
    /// Accept any signer (no identity pinning).
    #[arg(long)]
    any_signer: bool,
    /// Check certificate validity at this RFC 3339 time (or YYYY-MM-DD) instead of now.
    #[arg(long, value_name = "RFC3339", conflicts_with = "any_time")]
    at: Option<String>,
    /// Do not check certificate validity dates at all.
    #[arg(long)]
    any_time: bool,
    /// Check the signature only, not the certificate chain.
    #[arg(long, conflicts_with = "trust")]
    no_chain: bool,
    /// Accept SHA-1 digests.
    #[arg(long)]
    allow_sha1: bool,
    /// How to print the content: `huifu` unwraps base64 text, `raw` prints the eContent bytes.
    #[arg(long, value_enum, default_value = "huifu")]
    content: Content,
    /// Read the message from this file instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
}

pub fn run_verify(args: VerifyArgs) -> Result<()> {
    let mut builder = Verifier::builder()
        .engine(crate::io::engine()?)
        .allow_sha1(args.allow_sha1)
        .pin(match (args.any_signer, args.signer_id) {
            (true, _) => SignerPin::Any,
            (false, Some(id)) => SignerPin::Id(id),
            (false, None) => SignerPin::Id(HUIFU_ID.to_string()),
        })
        .time(match (args.any_time, &args.at) {
            (true, _) => VerifyTime::AnyTime,
            (false, Some(at)) => at.parse()?,
            (false, None) => VerifyTime::Now,
        });
    if args.no_chain {
        builder = builder.no_chain();
    } else if args.trust.is_empty() {
        return Err(usage(
            "no trust anchors: pass --trust FILE (e.g. the CFCA OCA31 and CA certificates) or --no-chain"
                .to_string(),
        ));
    } else {
        builder = builder.trust(TrustStore::from_files(&args.trust)?);
    }
    let verifier = builder.build()?;
    let input = read_input(args.input.as_deref())?;
    let message = verifier.verify(&input)?;
    write_output(None, &message.content(args.content.into()))
}

#[derive(clap::Args)]
pub struct InspectArgs {
    /// Read the message from this file instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run_inspect(args: InspectArgs) -> Result<()> {
    let input = read_input(args.input.as_deref())?;
    let report = inspect(&input)?;
    let text = if args.json {
        format!("{}\n", to_json(&report))
    } else {
        to_text(&report)
    };
    write_output(None, text.as_bytes())
}

fn encoding(e: Encoding) -> &'static str {
    match e {
        Encoding::Der => "DER",
        Encoding::Ber => "BER",
    }
}

fn to_text(r: &Inspection) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k:<20} {v}\n"));
    line("input form:", format!("{:?}", r.input_form));
    line("encoding:", encoding(r.encoding).to_string());
    line("content type:", r.econtent_type.clone());
    match r.content_length {
        Some(n) => line(
            "content length:",
            format!(
                "{n} bytes{}",
                if r.huifu_wrapped {
                    " (base64 of UTF-8 text)"
                } else {
                    ""
                }
            ),
        ),
        None => line("content:", "none (detached)".to_string()),
    }
    if let Some(p) = &r.content_preview {
        line("content preview:", p.clone());
    }
    line("digest algorithms:", r.digest_algorithms.join(", "));
    line("certificates:", r.certificate_count.to_string());
    for (i, s) in r.signers.iter().enumerate() {
        line(&format!("signer {i}:"), s.signer_id.clone());
        line("  digest:", s.digest_algorithm.clone());
        line(
            "  signature:",
            format!("{} ({} bytes)", s.signature_algorithm, s.signature_length),
        );
        line(
            "  signed attributes:",
            if s.signed_attributes { "yes" } else { "no" }.to_string(),
        );
        if let Some(c) = &s.certificate {
            line("  subject:", c.subject.clone());
            line("  issuer:", c.issuer.clone());
            line("  serial:", c.serial.clone());
            line("  valid:", format!("{} .. {}", c.not_before, c.not_after));
        } else {
            line("  certificate:", "not in the message".to_string());
        }
    }
    out
}

fn to_json(r: &Inspection) -> serde_json::Value {
    let signers: Vec<serde_json::Value> = r
        .signers
        .iter()
        .map(|s| {
            serde_json::json!({
                "signer_id": s.signer_id,
                "digest_algorithm": s.digest_algorithm,
                "signature_algorithm": s.signature_algorithm,
                "signature_length": s.signature_length,
                "signed_attributes": s.signed_attributes,
                "certificate": s.certificate.as_ref().map(|c| serde_json::json!({
                    "subject": c.subject,
                    "issuer": c.issuer,
                    "serial": c.serial,
                    "not_before": c.not_before,
                    "not_after": c.not_after,
                    "common_name": c.common_name,
                    "cn_id": c.cn_id,
                })),
            })
        })
        .collect();
    serde_json::json!({
        "input_form": format!("{:?}", r.input_form),
        "encoding": encoding(r.encoding),
        "content_type": r.econtent_type,
        "content_length": r.content_length,
        "content_preview": r.content_preview,
        "huifu_wrapped": r.huifu_wrapped,
        "digest_algorithms": r.digest_algorithms,
        "certificate_count": r.certificate_count,
        "certificate_subjects": r.certificate_subjects,
        "signers": signers,
    })
}
