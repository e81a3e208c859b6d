//! `huifu-cfca speed`: signatures and verifications per second, in the spirit of `openssl speed`.
//!
//! Everything is made in memory at start: two fresh RSA keys, a CA certificate (CA, pathLen 0,
//! keyCertSign) and a leaf with Huifu's identity (`CN=051@100001@…`, digitalSignature +
//! nonRepudiation) issued by it. Then, one thread, each operation repeated for `--seconds`:
//!
//! - `rsa`: RSA PKCS#1 v1.5 SHA-256 over a 36-byte message (as `openssl speed rsa2048` signs a
//!   36-byte buffer): the signer's blinded private-key operation, and the public-key check;
//! - `check_value`: the whole path over a ~400-byte APP+ JSON: `Signer::sign_check_value`
//!   (SHA-256, RSA, SignedData, base64 twice) and `Verifier::verify` (decode, parse, signature,
//!   chain to the CA, identity pin `100001`), with the verifier's chain cache (the default) and
//!   without it.

use std::hint::black_box;
use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime};

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use huifu_cfca::chain::{TrustStore, VerifyTime};
use huifu_cfca::identity::SignerPin;
use huifu_cfca::signer::Signer;
use huifu_cfca::verify::Verifier;
use huifu_cfca::{ContentMode, Error};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::Verifier as _;
use rsa::{PrivateKey, PublicKey};
use sha2::Sha256;
use spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::Certificate;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::io::Result;

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

/// Huifu's CFCA common name (the identity the verifier pins).
const LEAF_CN: &str = "051@100001@N3501040009317@1";

const OID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

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
    rsa_sign: f64,
    rsa_verify: f64,
    check_value_sign: f64,
    check_value_verify: f64,
    check_value_verify_uncached: f64,
}

pub fn run(args: Args) -> Result<()> {
    let seconds = Duration::from_secs(args.seconds);
    let bits = args.key_bits;
    progress(format_args!(
        "generating two {bits}-bit RSA keys and a CA/leaf chain"
    ));
    let setup = Setup::new(bits)?;
    let rates = measure(&setup, seconds)?;
    if args.json {
        println!("{}", json(bits, args.seconds, &rates));
    } else {
        print_table(bits, args.seconds, &rates);
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
        let (ca_key, leaf_key) = std::thread::scope(|scope| {
            let ca = scope.spawn(|| new_key(bits));
            let leaf = new_key(bits);
            let ca = ca
                .join()
                .unwrap_or_else(|_| Err(failure("RSA key generation", "thread panicked")));
            (ca, leaf)
        });
        let (ca_key, leaf_key) = (ca_key?, leaf_key?);
        let not_before = SystemTime::now()
            .checked_sub(Duration::from_secs(3600))
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let not_after = not_before
            .checked_add(Duration::from_secs(2 * 86_400))
            .ok_or_else(|| failure("validity", "overflow"))?;
        let validity = Validity::new(
            Time::try_from(not_before).map_err(|e| failure("validity", e))?,
            Time::try_from(not_after).map_err(|e| failure("validity", e))?,
        );
        let ca_name = name("CN=huifu-cfca speed CA,O=huifu-cfca speed,C=CN")?;
        let leaf_name = name(&format!(
            "CN={LEAF_CN},OU=Organizational-1,OU=Local RA,O=huifu-cfca speed,C=CN"
        ))?;
        let ca_cert = issue(
            true,
            &ca_name,
            &ca_key.to_public_key(),
            &ca_name,
            &ca_key,
            validity,
        )?;
        let leaf_cert = issue(
            false,
            &leaf_name,
            &leaf_key.to_public_key(),
            &ca_name,
            &ca_key,
            validity,
        )?;
        let verifying_key = VerifyingKey::<Sha256>::new(leaf_key.to_public_key());
        let public_engine = (huifu_cfca::engine::Preference::from_env()
            != huifu_cfca::engine::Preference::Rsa)
            .then(|| huifu_cfca::engine::RsaPublicEngine::new(&leaf_key.to_public_key()))
            .flatten();
        let signer = Signer::new(leaf_key, leaf_cert)?;
        let mut trust = TrustStore::new();
        trust.add_der(&ca_cert.to_der().map_err(|e| failure("CA certificate", e))?)?;
        let builder = Verifier::builder()
            .trust(trust)
            .pin(SignerPin::huifu())
            .time(VerifyTime::Now);
        Ok(Setup {
            signer,
            verifying_key,
            public_engine,
            cached: builder.clone().chain_cache(true).build()?,
            uncached: builder.chain_cache(false).build()?,
        })
    }
}

fn measure(setup: &Setup, seconds: Duration) -> Result<Rates> {
    let bits = setup.signer.key_bits();
    let json = APP_PLUS_JSON.as_bytes();

    // Check every operation once before timing it.
    let raw = setup.signer.sign_raw(RSA_MESSAGE)?;
    let signature = Signature::try_from(raw.as_slice()).map_err(|e| failure("RSA signature", e))?;
    setup
        .verifying_key
        .verify(RSA_MESSAGE, &signature)
        .map_err(|_| Error::SignatureMismatch)?;
    let check_value = setup.signer.sign_check_value(json, ContentMode::Huifu)?;
    for verifier in [&setup.cached, &setup.uncached] {
        let verified = verifier.verify(check_value.as_bytes())?;
        if verified.content(ContentMode::Huifu) != json || verified.chain.len() != 2 {
            return Err(failure("self-check", "the verified content or chain differs").into());
        }
    }

    let rsa_sign = rate(
        &format!("{bits}-bit RSA PKCS#1 v1.5 SHA-256 signs"),
        seconds,
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
        raw_verify,
    )?;
    let check_value_sign = rate(
        &format!("check_value signs of {} bytes of JSON", json.len()),
        seconds,
        || {
            setup
                .signer
                .sign_check_value(black_box(json), ContentMode::Huifu)
                .map(drop)
        },
    )?;
    let check_value_verify = rate(
        "check_value verifications (chain cached, pin 100001)",
        seconds,
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
        || {
            setup
                .uncached
                .verify(black_box(check_value.as_bytes()))
                .map(drop)
        },
    )?;
    Ok(Rates {
        rsa_sign,
        rsa_verify,
        check_value_sign,
        check_value_verify,
        check_value_verify_uncached,
    })
}

/// Runs `op` for `seconds` (at least once); operations per second.
fn rate(
    what: &str,
    seconds: Duration,
    mut op: impl FnMut() -> huifu_cfca::Result<()>,
) -> Result<f64> {
    progress(format_args!("doing {what} for {}s", seconds.as_secs()));
    let start = Instant::now();
    let mut count: u64 = 0;
    loop {
        op()?;
        count += 1;
        let elapsed = start.elapsed();
        if elapsed >= seconds {
            return Ok(count as f64 / elapsed.as_secs_f64());
        }
    }
}

fn progress(message: std::fmt::Arguments<'_>) {
    eprintln!("speed: {message}");
}

fn print_table(bits: usize, seconds: u64, r: &Rates) {
    println!(
        "huifu-cfca speed: RSA-{bits}, {seconds} s per test, one thread ({})",
        std::env::consts::ARCH
    );
    println!("{:<44}{:>12}{:>12}", "", "sign/s", "verify/s");
    println!(
        "{:<44}{:>12.1}{:>12.1}",
        format!("rsa {bits} bits (PKCS#1 v1.5 SHA-256)"),
        r.rsa_sign,
        r.rsa_verify
    );
    println!(
        "{:<44}{:>12.1}{:>12.1}",
        format!("check_value ({} B JSON, chain cached)", APP_PLUS_JSON.len()),
        r.check_value_sign,
        r.check_value_verify
    );
    println!(
        "{:<44}{:>12}{:>12.1}",
        "check_value (chain validated every time)", "", r.check_value_verify_uncached
    );
}

fn json(bits: usize, seconds: u64, r: &Rates) -> String {
    format!(
        concat!(
            "{{\"key_bits\":{},\"seconds\":{},\"json_bytes\":{},",
            "\"rsa_sign_per_s\":{:.1},\"rsa_verify_per_s\":{:.1},",
            "\"check_value_sign_per_s\":{:.1},\"check_value_verify_per_s\":{:.1},",
            "\"check_value_verify_uncached_per_s\":{:.1}}}"
        ),
        bits,
        seconds,
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

fn new_key(bits: usize) -> huifu_cfca::Result<PrivateKey> {
    PrivateKey::new(&mut getrandom::SysRng, bits).map_err(|e| failure("RSA key generation", e))
}

fn name(text: &str) -> huifu_cfca::Result<Name> {
    Name::from_str(text).map_err(|e| failure("name", e))
}

/// The extensions of the two kinds of certificate.
struct Profile {
    ca: bool,
    subject: Name,
    issuer: Name,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let (basic, usage) = if self.ca {
            (
                BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
                KeyUsages::KeyCertSign | KeyUsages::CRLSign,
            )
        } else {
            (
                BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
            )
        };
        Ok(vec![
            Extension {
                extn_id: OID_BASIC_CONSTRAINTS,
                critical: true,
                extn_value: OctetString::new(basic.to_der()?)?,
            },
            Extension {
                extn_id: OID_KEY_USAGE,
                critical: true,
                extn_value: OctetString::new(KeyUsage(usage).to_der()?)?,
            },
        ])
    }
}

fn issue(
    ca: bool,
    subject: &Name,
    subject_key: &PublicKey,
    issuer: &Name,
    issuer_key: &PrivateKey,
    validity: Validity,
) -> huifu_cfca::Result<Certificate> {
    let spki =
        SubjectPublicKeyInfoOwned::from_key(subject_key).map_err(|e| failure("public key", e))?;
    let mut serial = [0u8; 16];
    getrandom::fill(&mut serial).map_err(|e| failure("serial number", e))?;
    serial[0] = (serial[0] & 0x7f) | 0x40;
    let serial = SerialNumber::new(&serial).map_err(|e| failure("serial number", e))?;
    let profile = Profile {
        ca,
        subject: subject.clone(),
        issuer: issuer.clone(),
    };
    let builder = CertificateBuilder::new(profile, serial, validity, spki)
        .map_err(|e| failure("certificate", e))?;
    let signer = SigningKey::<Sha256>::new(issuer_key.clone());
    let cert = builder
        .build::<_, Signature>(&signer)
        .map_err(|e| failure("certificate signing", e))?;
    // Round-trip through DER, as a received certificate would be.
    let der = cert.to_der().map_err(|e| failure("certificate", e))?;
    Certificate::from_der(&der).map_err(|e| failure("certificate", e))
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
        let rates = measure(&setup, Duration::from_millis(10)).unwrap();
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
        ] {
            assert!(text.contains(key), "{text}");
        }
    }
}
