//! A dudect-style constant-time check of the engine (Reparaz, Balasch, Verbauwhede: "Dude, is my
//! code constant time?"): time one operation on two classes of secret inputs, interleaved in random
//! order, and compare the classes with Welch's t-test, also after cropping slow outliers at several
//! percentiles. |t| > 4.5 flags a data-dependent timing.
//!
//! `cargo bench --features bench-internals --bench engine_timing [-- samples]`
//!
//! Classes, per kernel:
//! - `private`: the raw unblinded CRT exponentiation `c^d mod n` with a fixed `c` (class 0: the
//!   values 0, 1, n − 1 and a low-weight value, rotating) against uniformly random `c < n`.
//! - `sign`: the whole blinded signature of a fixed digest against random digests.

use std::hint::black_box;
use std::time::Instant;

use huifu_cfca::engine::{Kernel, RsaEngine, ifma_available};
use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;

#[path = "../tests/it/common/splitmix.rs"]
mod splitmix;
use splitmix::Rng;

/// Welch's t statistic of two samples.
fn welch(a: &[f64], b: &[f64]) -> f64 {
    let stats = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var, n)
    };
    let (ma, va, na) = stats(a);
    let (mb, vb, nb) = stats(b);
    (ma - mb) / (va / na + vb / nb).sqrt()
}

/// Runs `op(class, rng)` `samples` times in random class order; returns the largest |t| over
/// the crops, and a one-line report.
fn measure(
    name: &str,
    samples: usize,
    rng: &mut Rng,
    mut prepare: impl FnMut(u8, &mut Rng) -> Vec<u8>,
    mut op: impl FnMut(&[u8]),
) -> f64 {
    // warm-up
    for i in 0..samples / 20 + 1 {
        let input = prepare((i % 2) as u8, rng);
        op(&input);
    }
    let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..samples {
        let class = (rng.next() & 1) as u8;
        let input = prepare(class, rng);
        let t0 = Instant::now();
        op(black_box(&input));
        let dt = t0.elapsed().as_nanos() as f64;
        times[class as usize].push(dt);
    }
    let mut all: Vec<f64> = times.iter().flatten().copied().collect();
    all.sort_by(|a, b| a.total_cmp(b));
    let mut worst = 0f64;
    let mut line = String::new();
    for pct in [100.0, 99.0, 95.0, 90.0, 75.0, 50.0] {
        let idx = ((all.len() as f64 * pct / 100.0) as usize).min(all.len() - 1);
        let cut = all[idx];
        let a: Vec<f64> = times[0].iter().copied().filter(|&t| t <= cut).collect();
        let b: Vec<f64> = times[1].iter().copied().filter(|&t| t <= cut).collect();
        if a.len() < 10 || b.len() < 10 {
            continue;
        }
        let t = welch(&a, &b);
        worst = worst.max(t.abs());
        line.push_str(&format!(" p{pct:.0}:{t:+.2}"));
    }
    let median = all[all.len() / 2] / 1000.0;
    let verdict = if worst > 4.5 { "LEAK?" } else { "ok" };
    println!(
        "{name:<22} n={:<6} median {median:8.1} µs  max|t| {worst:5.2} {verdict}  [{}]",
        all.len(),
        line.trim()
    );
    worst
}

fn main() {
    let samples: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(4000);
    let path = format!("{}/vectors/engine/k00-2048.key", env!("CARGO_MANIFEST_DIR"));
    let key =
        PrivateKey::from_pkcs8_pem(&std::fs::read_to_string(path).expect("key")).expect("key");
    let k = key.size();
    let n = key.n().as_ref().to_be_bytes_trimmed_vartime();
    let mut n_minus_1 = n.to_vec();
    n_minus_1[k - 1] ^= 1;
    let mut one = vec![0u8; k];
    one[k - 1] = 1;
    let mut low = vec![0u8; k];
    low[k / 2] = 0x80;
    let fixed: Vec<Vec<u8>> = vec![vec![0u8; k], one, n_minus_1, low];
    let mut rng = Rng(0xd0d0_ca11);
    let mut kernels = vec![Kernel::Portable];
    if ifma_available() {
        kernels.push(Kernel::Ifma);
    }
    let mut worst = 0f64;
    for kernel in kernels {
        let engine = RsaEngine::with_kernel(&key, kernel).expect("engine");
        let mut turn = 0usize;
        worst = worst.max(measure(
            &format!("{kernel:?} private"),
            samples,
            &mut rng,
            |class, rng| {
                if class == 0 {
                    turn += 1;
                    fixed[turn % fixed.len()].clone()
                } else {
                    // uniform below n: random bytes with the top byte below n's
                    let mut c = rng.bytes(k);
                    c[0] %= n[0];
                    c
                }
            },
            |c| {
                black_box(engine.private_unblinded_for_timing(c).expect("c < n"));
            },
        ));
        let fixed_digest = [0u8; 32];
        worst = worst.max(measure(
            &format!("{kernel:?} sign"),
            samples,
            &mut rng,
            |class, rng| {
                if class == 0 {
                    fixed_digest.to_vec()
                } else {
                    rng.bytes(32)
                }
            },
            |d| {
                let mut digest = [0u8; 32];
                digest.copy_from_slice(d);
                black_box(engine.sign_pkcs1v15_sha256(&digest).expect("sign"));
            },
        ));
    }
    // Control: a variable-time exponentiation must be caught (shows the harness can see a leak).
    {
        use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
        use crypto_bigint::{Odd, U1024};
        let m = Odd::new(U1024::from_be_slice(&n[..128])).unwrap_or(Odd::new(U1024::MAX).unwrap());
        let params = FixedMontyParams::new_vartime(m);
        let base = FixedMontyForm::new(&U1024::from_u64(0x1234_5678_9abc_def1), &params);
        let mut sparse = vec![0u8; 128];
        sparse[0] = 0x80;
        let control = measure(
            "control: vartime pow",
            samples.min(2000),
            &mut rng,
            |class, rng| {
                if class == 0 {
                    sparse.clone()
                } else {
                    rng.bytes(128)
                }
            },
            |e| {
                black_box(base.pow_vartime(&U1024::from_be_slice(e)));
            },
        );
        println!(
            "control |t| = {control:.2} ({})",
            if control > 4.5 {
                "detected, as it must be"
            } else {
                "NOT detected: harness too weak"
            }
        );
    }
    println!(
        "worst |t| = {worst:.2} ({})",
        if worst > 4.5 {
            "timing depends on secret data, or the machine is too noisy: rerun"
        } else {
            "no data-dependent timing detected"
        }
    );
}
