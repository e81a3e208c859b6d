//! `huifu-cfca speed`: signatures and verifications per second, in the spirit of `openssl speed`.
//!
//! Everything is made in memory at start with [`huifu_cfca::pki::generate`]: a CFCA-like test PKI
//! whose Huifu identity (`CN=051@100001@…`) signs, and whose OCA31-like intermediate the
//! verifiers trust. Then, one thread, each operation repeated for `--seconds`:
//!
//! - `rsa`: RSA PKCS#1 v1.5 SHA-256 over a 36-byte message (as `openssl speed rsa2048` signs a
//!   36-byte buffer): the signer's blinded private-key operation, and the public-key check;
//! - `check_value`: the whole path over a ~400-byte APP+ JSON: `Signer::sign(..).check_value()`
//!   (SHA-256, RSA, SignedData, base64 twice) and `Verifier::verify` (decode, parse, signature,
//!   chain to the CA, identity pin `100001`), with the verifier's chain cache (the default) and
//!   without it.
//!
//! Rates are per CPU second of the measuring thread, as `openssl speed` counts them by default
//! (it divides by user CPU time), so a busy machine does not make one side look slower than the
//! other; `--elapsed` divides by wall time instead, as `openssl speed -elapsed` does. Where the
//! thread's CPU time cannot be read (outside Linux), wall time is used and the output says so.

use std::hint::black_box;
use std::time::{Duration, Instant};

use huifu_cfca::chain::{TrustStore, VerifyTime};
use huifu_cfca::identity::SignerPin;
use huifu_cfca::pki::{PkiOptions, generate};
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::Verifier;
use huifu_cfca::{ContentMode, Error};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier as _;
use sha2::Sha256;

use crate::io::{Result, outln};

/// A typical APP+ request body (a `v2/trade/payment/jspay`-like order, 412 bytes).
pub const APP_PLUS_JSON: &str = concat!(
    r#"{"req_date":"20261125","req_seq_id":"rQ2026112521393012345678","#,
    r#""huifu_id":"6666000108854952","goods_desc":"speed test order","#,
    r#""trade_type":"T_JSAPI","trans_amt":"128.00","#,
    r#""notify_url":"https://merchant.example.com/huifu/notify","#,
    r#""wx_data":"{\"sub_appid\":\"wxdfe9a5d141f96685\",\"sub_openid\":\"o8jhotzittQSetZ-N0Yj4Hz91Rqc\"}","#,
    r#""acct_split_bunch":{"acct_infos":[{"div_amt":"128.00","huifu_id":"6666000108854952"}]}}"#
);

/// The 36-byte message of the RSA-only tests.
const RSA_MESSAGE: &[u8; 36] = b"huifu-cfca speed: 36 bytes to sign!!";

#[derive(clap::Args)]
pub struct Args {
    /// Seconds each test runs.
    #[arg(long, default_value_t = 3, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=600))]
    seconds: u64,
    /// RSA modulus size of the generated keys (a multiple of 64 from 1024 to 4096).
    #[arg(long, default_value_t = 2048, value_name = "N", value_parser = parse_key_bits)]
    key_bits: usize,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// Divide by wall time instead of this thread's CPU time (like `openssl speed -elapsed`).
    #[arg(long)]
    elapsed: bool,
}

/// What the operation counts are divided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clock {
    /// CPU time of the measuring thread.
    Cpu,
    /// Wall time.
    Wall,
}

impl Clock {
    fn name(self) -> &'static str {
        match self {
            Clock::Cpu => "cpu",
            Clock::Wall => "wall",
        }
    }
}

/// CPU time of the calling thread in nanoseconds (Linux `schedstat`), if readable.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn parse_key_bits(text: &str) -> std::result::Result<usize, String> {
    let bits: usize = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if !(1024..=4096).contains(&bits) || !bits.is_multiple_of(64) {
        return Err(format!("{bits} is not a multiple of 64 from 1024 to 4096"));
    }
    Ok(bits)
}

/// The rates measured, operations per second.
#[derive(Debug, Clone, Copy)]
struct Rates {
    clock: Clock,
    /// Which code signs: `ifma`, `portable` (the engine's kernels) or `rsa` (the rsa crate).
    signer: &'static str,
    rsa_sign: f64,
    rsa_verify: f64,
    check_value_sign: f64,
    check_value_verify: f64,
    check_value_verify_uncached: f64,
}

pub fn run(args: Args) -> Result<()> {
    let seconds = Duration::from_secs(args.seconds);
    let bits = args.key_bits;
    progress(format_args!("generating a {bits}-bit CFCA-like test PKI"));
    let setup = Setup::new(bits)?;
    let clock = if args.elapsed || thread_cpu_ns().is_none() {
        Clock::Wall
    } else {
        Clock::Cpu
    };
    let rates = measure(&setup, seconds, clock)?;
    if args.json {
        outln!("{}", json(bits, args.seconds, &rates));
    } else {
        print_table(bits, args.seconds, &rates)?;
    }
    Ok(())
}

/// Keys, chain, signer and verifiers, all in memory.
struct Setup {
    signer: Signer,
    verifying_key: VerifyingKey<Sha256>,
    /// The public-key kernel the library's verifier uses (`None` with HUIFU_CFCA_ENGINE=rsa).
    public_engine: Option<huifu_cfca::engine::RsaPublicEngine>,
    cached: Verifier,
    uncached: Verifier,
}

impl Setup {
    fn new(bits: usize) -> Result<Self> {
        // HUIFU_CFCA_ENGINE picks the engine of the signer and the verifiers (default: auto).
        let engine = crate::io::engine()?;
        // The crate's own test PKI: Huifu's identity (CN 051@100001@…) under the OCA31-like
        // intermediate, which the verifiers trust directly (a two-certificate path).
        let pki = generate(&PkiOptions::new("6666000000026086", "speed").key_bits(bits))?;
        let huifu = pki.huifu();
        let public = huifu.key().to_public_key();
        let verifying_key = VerifyingKey::<Sha256>::new(public.clone());
        let public_engine = engine.public_engine(&public);
        let mut trust = TrustStore::new();
        trust.add_der(&pki.oca31().certificate_der()?)?;
        let builder = Verifier::builder()
            .engine(engine)
            .trust(trust)
            .pin(SignerPin::huifu())
            .time(VerifyTime::Now);
        Ok(Setup {
            signer: huifu.signer()?.with_engine(engine)?,
            verifying_key,
            public_engine,
            cached: builder.clone().chain_cache(true).build()?,
            uncached: builder.chain_cache(false).build()?,
        })
    }
}

fn measure(setup: &Setup, seconds: Duration, clock: Clock) -> Result<Rates> {
    let bits = setup.signer.key_bits();
    let json = APP_PLUS_JSON.as_bytes();

    // Check every operation once before timing it.
    let raw = setup.signer.sign_raw(RSA_MESSAGE)?;
    let signature = Signature::try_from(raw.as_slice()).map_err(|e| failure("RSA signature", e))?;
    setup
        .verifying_key
        .verify(RSA_MESSAGE, &signature)
        .map_err(|_| Error::SignatureMismatch)?;
    let check_value = setup
        .signer
        .sign(json, ContentMode::Huifu)
        .map(|m| m.check_value())?;
    for verifier in [&setup.cached, &setup.uncached] {
        let verified = verifier.verify(check_value.as_bytes())?;
        if verified.content(ContentMode::Huifu) != json || verified.chain.len() != 2 {
            return Err(failure("self-check", "the verified content or chain differs").into());
        }
    }

    let rsa_sign = rate(
        &format!("{bits}-bit RSA PKCS#1 v1.5 SHA-256 signs"),
        seconds,
        clock,
        || setup.signer.sign_raw(black_box(RSA_MESSAGE)).map(drop),
    )?;
    // RSA verification as the library does it: SHA-256, then the engine's public-key kernel
    // when it serves the key, else the `rsa` crate.
    let raw_verify = || -> huifu_cfca::Result<()> {
        match &setup.public_engine {
            Some(engine) => {
                let digest: [u8; 32] =
                    <Sha256 as sha2::Digest>::digest(black_box(RSA_MESSAGE)).into();
                if engine.verify_pkcs1v15_sha256(&digest, &raw) {
                    Ok(())
                } else {
                    Err(Error::SignatureMismatch)
                }
            }
            None => setup
                .verifying_key
                .verify(black_box(RSA_MESSAGE), &signature)
                .map_err(|_| Error::SignatureMismatch),
        }
    };
    raw_verify()?;
    let rsa_verify = rate(
        &format!("{bits}-bit RSA PKCS#1 v1.5 SHA-256 verifications"),
        seconds,
        clock,
        raw_verify,
    )?;
    let check_value_sign = rate(
        &format!("check_value signs of {} bytes of JSON", json.len()),
        seconds,
        clock,
        || {
            setup
                .signer
                .sign(black_box(json), ContentMode::Huifu)
                .map(|m| m.check_value())
                .map(drop)
        },
    )?;
    let check_value_verify = rate(
        "check_value verifications (chain cached, pin 100001)",
        seconds,
        clock,
        || {
            setup
                .cached
                .verify(black_box(check_value.as_bytes()))
                .map(drop)
        },
    )?;
    let check_value_verify_uncached = rate(
        "check_value verifications (chain validated every time, pin 100001)",
        seconds,
        clock,
        || {
            setup
                .uncached
                .verify(black_box(check_value.as_bytes()))
                .map(drop)
        },
    )?;
    Ok(Rates {
        clock,
        signer: match setup.signer.kernel() {
            Some(huifu_cfca::engine::Kernel::Ifma) => "ifma",
            Some(huifu_cfca::engine::Kernel::Portable) => "portable",
            None => "rsa",
        },
        rsa_sign,
        rsa_verify,
        check_value_sign,
        check_value_verify,
        check_value_verify_uncached,
    })
}

/// Runs `op` for `seconds` of wall time (at least once); operations per second of `clock`.
fn rate(
    what: &str,
    seconds: Duration,
    clock: Clock,
    mut op: impl FnMut() -> huifu_cfca::Result<()>,
) -> Result<f64> {
    progress(format_args!("doing {what} for {}s", seconds.as_secs()));
    let start = Instant::now();
    let cpu_start = thread_cpu_ns();
    let mut count: u64 = 0;
    loop {
        op()?;
        count += 1;
        let elapsed = start.elapsed();
        if elapsed >= seconds {
            let used = match (clock, cpu_start, thread_cpu_ns()) {
                (Clock::Cpu, Some(a), Some(b)) if b > a => (b - a) as f64 / 1e9,
                _ => elapsed.as_secs_f64(),
            };
            return Ok(count as f64 / used);
        }
    }
}

fn progress(message: std::fmt::Arguments<'_>) {
    eprintln!("speed: {message}");
}

fn print_table(bits: usize, seconds: u64, r: &Rates) -> Result<()> {
    outln!(
        "huifu-cfca speed: RSA-{bits}, {seconds} s per test, one thread ({}, signer {}), per {} second",
        std::env::consts::ARCH,
        r.signer,
        match r.clock {
            Clock::Cpu => "CPU",
            Clock::Wall => "wall-clock",
        }
    );
    outln!("{:<44}{:>12}{:>12}", "", "sign/s", "verify/s");
    outln!(
        "{:<44}{:>12.1}{:>12.1}",
        format!("rsa {bits} bits (PKCS#1 v1.5 SHA-256)"),
        r.rsa_sign,
        r.rsa_verify
    );
    outln!(
        "{:<44}{:>12.1}{:>12.1}",
        format!("check_value ({} B JSON, chain cached)", APP_PLUS_JSON.len()),
        r.check_value_sign,
        r.check_value_verify
    );
    outln!(
        "{:<44}{:>12}{:>12.1}",
        "check_value (chain validated every time)",
        "",
        r.check_value_verify_uncached
    );
    Ok(())
}

fn json(bits: usize, seconds: u64, r: &Rates) -> String {
    format!(
        concat!(
            "{{\"key_bits\":{},\"seconds\":{},\"clock\":\"{}\",\"signer\":\"{}\",",
            "\"json_bytes\":{},",
            "\"rsa_sign_per_s\":{:.1},\"rsa_verify_per_s\":{:.1},",
            "\"check_value_sign_per_s\":{:.1},\"check_value_verify_per_s\":{:.1},",
            "\"check_value_verify_uncached_per_s\":{:.1}}}"
        ),
        bits,
        seconds,
        r.clock.name(),
        r.signer,
        APP_PLUS_JSON.len(),
        r.rsa_sign,
        r.rsa_verify,
        r.check_value_sign,
        r.check_value_verify,
        r.check_value_verify_uncached,
    )
}

fn failure(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Signing(format!("speed test setup: {what}: {detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_is_a_typical_size() {
        assert!(
            (380..=460).contains(&APP_PLUS_JSON.len()),
            "{}",
            APP_PLUS_JSON.len()
        );
        assert_eq!(RSA_MESSAGE.len(), 36);
    }

    #[test]
    fn key_bits_are_checked() {
        assert_eq!(parse_key_bits("2048"), Ok(2048));
        assert_eq!(parse_key_bits("3072"), Ok(3072));
        for bad in ["512", "1000", "8192", "x", ""] {
            assert!(parse_key_bits(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_short_run_measures_everything() {
        let setup = Setup::new(1024).unwrap();
        let rates = measure(&setup, Duration::from_millis(10), Clock::Cpu).unwrap();
        for r in [
            rates.rsa_sign,
            rates.rsa_verify,
            rates.check_value_sign,
            rates.check_value_verify,
            rates.check_value_verify_uncached,
        ] {
            assert!(r > 0.0, "{rates:?}");
        }
        let text = json(1024, 1, &rates);
        for key in [
            "\"rsa_sign_per_s\"",
            "\"rsa_verify_per_s\"",
            "\"check_value_sign_per_s\"",
            "\"check_value_verify_per_s\"",
            "\"key_bits\":1024",
            "\"seconds\":1",
            "\"clock\":\"cpu\"",
            "\"signer\":\"",
        ] {
            assert!(text.contains(key), "{text}");
        }
    }
}
