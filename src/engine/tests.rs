//! Unit tests of the engine's internals; the differential tests against `rsa` are in
//! `tests/it/engine_diff.rs`.

use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256};

use super::blinding::{BATCH, Blinding, ModNOps, REGENERATE_AFTER, fresh_pairs_for_tests};
use super::*;

fn key(name: &str) -> PrivateKey {
    let path = format!("vectors/engine/{name}");
    PrivateKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn kernels() -> Vec<Kernel> {
    if ifma_available() {
        vec![Kernel::Portable, Kernel::Ifma]
    } else {
        vec![Kernel::Portable]
    }
}

/// The blinding pair is squared on every use and drawn afresh every `REGENERATE_AFTER` uses;
/// signatures stay exact across both.
#[test]
fn blinding_refresh_and_regeneration_keep_signatures_exact() {
    let key = key("k00-2048.key");
    for kernel in kernels() {
        let engine = RsaEngine::with_kernel(&key, kernel).unwrap();
        for i in 0..2 * REGENERATE_AFTER as usize + 3 {
            let digest: [u8; 32] = Sha256::digest(i.to_le_bytes()).into();
            let want = key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).unwrap();
            assert_eq!(
                engine.sign_pkcs1v15_sha256(&digest).unwrap(),
                want,
                "{kernel:?} #{i}"
            );
        }
    }
}

/// Every pair of a batch is a blinding pair (`A·Ai^e ≡ 1`, i.e. `A = r^e`, `Ai = r^-1`) and the
/// pairs differ; signatures stay exact past the end of a batch.
#[test]
fn batched_blinding_pairs_are_valid_and_distinct() {
    let key = key("k00-2048.key");
    for kernel in kernels() {
        let public = Public::<32>::new(&key, kernel).unwrap();
        let pairs = fresh_pairs_for_tests(&public.modn, &public, public.e).unwrap();
        assert_eq!(pairs.len(), BATCH);
        let mut one = [0u64; 32];
        one[0] = 1;
        for (k, (a, ai)) in pairs.iter().enumerate() {
            let check = public.mul(a, &public.pow_public(ai, public.e));
            assert_eq!(check, one, "{kernel:?} pair {k}");
            for (b, _) in &pairs[..k] {
                assert_ne!(a, b, "{kernel:?} pair {k} repeats");
            }
        }
        let engine = RsaEngine::with_kernel(&key, kernel).unwrap();
        let uses = BATCH * REGENERATE_AFTER as usize + 2;
        let step = if kernel == Kernel::Ifma { 1 } else { 8 };
        for i in 0..uses {
            let digest: [u8; 32] = Sha256::digest(i.to_le_bytes()).into();
            let signature = engine.sign_pkcs1v15_sha256(&digest).unwrap();
            if i % step == 0 || i + 1 == uses {
                let want = key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).unwrap();
                assert_eq!(signature, want, "{kernel:?} #{i}");
            }
        }
    }
}

/// A random source that fails when a fresh pair is due: the error names the cause, and the
/// blinding state is not left zeroed (the old code zeroized the pair first, so the next signatures
/// ran on A = Ai = 0 and failed as "fault check failed").
#[test]
fn a_failed_regeneration_names_the_cause_and_keeps_a_valid_state() {
    let key = key("k00-2048.key");
    let mut one = [0u64; 32];
    one[0] = 1;
    for kernel in kernels() {
        let public = Public::<32>::new(&key, kernel).unwrap();
        let blinding = Blinding::<32>::new();
        let mut fail =
            |_: &mut [u8]| -> Result<()> { Err(Error::RandomSource("test: no entropy".into())) };
        let mut ok = |b: &mut [u8]| -> Result<()> {
            getrandom::fill(b).map_err(|e| Error::RandomSource(e.to_string()))
        };
        let valid =
            |a: &[u64; 32], ai: &[u64; 32]| public.mul(a, &public.pow_public(ai, public.e)) == one;
        // No pair yet.
        match blinding.next_with(&public.modn, &public, public.e, &mut fail) {
            Err(Error::RandomSource(m)) => assert!(m.contains("no entropy"), "{m}"),
            Err(e) => panic!("{kernel:?}: wrong error {e}"),
            Ok(_) => panic!("{kernel:?}: a pair without randomness"),
        }
        // Use every pair of a batch up to its regeneration point.
        for _ in 0..BATCH * REGENERATE_AFTER as usize {
            let p = blinding
                .next_with(&public.modn, &public, public.e, &mut ok)
                .unwrap();
            assert!(valid(&p.a, &p.ai));
        }
        // Regeneration due; the source fails twice.
        for _ in 0..2 {
            match blinding.next_with(&public.modn, &public, public.e, &mut fail) {
                Err(Error::RandomSource(_)) => {}
                Err(e) => panic!("{kernel:?}: wrong error {e}"),
                Ok(_) => panic!("{kernel:?}: a pair past its uses without regeneration"),
            }
        }
        // The source is back: a valid, non-zero pair, and signing through an engine works.
        let p = blinding
            .next_with(&public.modn, &public, public.e, &mut ok)
            .unwrap();
        assert!(
            valid(&p.a, &p.ai),
            "{kernel:?}: invalid pair after a failed regeneration"
        );
        assert_ne!(*p.a, [0u64; 32]);
    }
}

/// Modular multiplication and the public power agree between the kernels on edge values
/// (0, 1, n − 1, 2^k, all-ones words below n).
#[test]
fn mod_n_kernels_agree_on_edge_values() {
    if !ifma_available() {
        return;
    }
    for name in [
        "k00-2048.key",
        "k26-3072.key",
        "k30-4096.key",
        "k38-2040.key",
    ] {
        let key = key(name);
        check_edges::<32>(&key, name);
        check_edges::<48>(&key, name);
        check_edges::<64>(&key, name);
    }
}

fn check_edges<const F: usize>(key: &PrivateKey, name: &str) {
    let (Some(ifma), Some(portable)) = (
        Public::<F>::new(key, Kernel::Ifma),
        Public::<F>::new(key, Kernel::Portable),
    ) else {
        return; // the key is not of this size
    };
    assert_eq!(ifma.kernel(), Kernel::Ifma);
    let n = ifma.n;
    let mut nm1 = n;
    nm1[0] -= 1;
    let mut half = [0u64; F];
    half[ifma.bits / 128] = 1 << ((ifma.bits / 2) % 64);
    let mut ones = [u64::MAX; F];
    // all-ones words, below n: clear the top word
    let top = (ifma.bits - 1) / 64;
    ones[top] = 0;
    for w in ones.iter_mut().skip(top + 1) {
        *w = 0;
    }
    let mut one = [0u64; F];
    one[0] = 1;
    let values = [[0u64; F], one, nm1, half, ones];
    for a in &values {
        for b in &values {
            assert_eq!(
                ModNOps::mul(&ifma, a, b),
                ModNOps::mul(&portable, a, b),
                "{name} mul"
            );
        }
        assert_eq!(
            ifma.pow_public(a, 65537),
            portable.pow_public(a, 65537),
            "{name} pow"
        );
        // Total for every exponent: x^0 = 1 and x^1 = x in both kernels.
        for k in [&ifma, &portable] {
            assert_eq!(ModNOps::pow_public(k, a, 0), one, "{name} pow 0");
            assert_eq!(ModNOps::pow_public(k, a, 1), *a, "{name} pow 1");
        }
        let (x, y) = ifma.sqr2(a, &nm1);
        assert_eq!(x, ModNOps::mul(&portable, a, a), "{name} sqr2");
        assert_eq!(y, one, "{name} (n-1)^2 = 1");
    }
}

/// Keys the engine does not serve are refused, so the Signer keeps `rsa` for them.
#[test]
fn out_of_range_keys_are_refused() {
    let key = key("k00-2048.key");
    let public = key.to_public_key();
    assert!(RsaPublicEngine::with_kernel(&public, Kernel::Portable).is_some());
    // a 5000-bit modulus is beyond the kernels
    let big = rsa::PublicKey::new(
        rsa::BoxedUint::one_with_precision(5056).shl(4999)
            | rsa::BoxedUint::one_with_precision(5056),
        rsa::BoxedUint::from(65537u32),
    );
    if let Ok(big) = big {
        assert!(RsaPublicEngine::with_kernel(&big, Kernel::Portable).is_none());
    }
}

/// Engines are shared across threads (the Signer is `Send + Sync`); concurrent signatures stay
/// exact while they contend for the blinding pair.
#[test]
fn concurrent_signing_is_exact() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<RsaEngine>();
    send_sync::<RsaPublicEngine>();
    let key = key("k01-2048.key");
    for kernel in kernels() {
        let engine = RsaEngine::with_kernel(&key, kernel).unwrap();
        std::thread::scope(|s| {
            for t in 0..4u8 {
                let (engine, key) = (&engine, &key);
                s.spawn(move || {
                    for i in 0..6u8 {
                        let digest: [u8; 32] = Sha256::digest([t, i]).into();
                        let want = key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).unwrap();
                        assert_eq!(engine.sign_pkcs1v15_sha256(&digest).unwrap(), want);
                    }
                });
            }
        });
    }
}
