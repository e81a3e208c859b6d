//! Differential tests of the RSA engine against the `rsa` crate: signatures must be byte-identical
//! and verification must agree on valid, invalid and malformed signatures.
//!
//! Iteration counts depend on the build: debug builds (`cargo test`) run a few hundred
//! signatures so the suite stays well under a minute; release builds (`cargo test --release`) run
//! thousands.

use huifu_cfca::engine::{Kernel, RsaEngine, RsaPublicEngine, ifma_available};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256};

use crate::common;
use common::splitmix::Rng;

/// The SHA-256 digest of a random message of up to 300 bytes.
fn random_digest(rng: &mut Rng) -> [u8; 32] {
    let len = (rng.next() % 300) as usize;
    Sha256::digest(rng.bytes(len)).into()
}

fn keys() -> Vec<(String, PrivateKey)> {
    let dir = format!("{}/vectors/engine", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".key"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let pem = std::fs::read_to_string(format!("{dir}/{n}")).unwrap();
            (n, PrivateKey::from_pkcs8_pem(&pem).unwrap())
        })
        .collect()
}

fn kernels() -> Vec<Kernel> {
    if ifma_available() {
        vec![Kernel::Portable, Kernel::Ifma]
    } else {
        vec![Kernel::Portable]
    }
}

/// Signatures per (key, kernel): debug builds keep it small.
fn per_key(bits: usize) -> usize {
    let base: usize = if cfg!(debug_assertions) { 4 } else { 100 };
    // Larger keys are slower under `rsa`; sign fewer of them.
    if bits > 2048 { base.div_ceil(2) } else { base }
}

#[test]
fn signatures_are_byte_identical_to_rsa() {
    let mut rng = Rng(0x5eed_0001);
    let mut count = 0usize;
    for (name, key) in keys() {
        let bits = key.n().as_ref().bit_width_vartime() as usize;
        for kernel in kernels() {
            let engine = RsaEngine::with_kernel(&key, kernel)
                .unwrap_or_else(|| panic!("{name}: engine refused the key"));
            for _ in 0..per_key(bits) {
                let digest = random_digest(&mut rng);
                let ours = engine.sign_pkcs1v15_sha256(&digest).unwrap();
                let theirs = key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).unwrap();
                assert_eq!(ours, theirs, "{name} {kernel:?} digest {digest:02x?}");
                count += 1;
            }
        }
    }
    eprintln!("{count} signatures compared");
}

/// More signatures on the 2048-bit keys (the production size).
#[test]
fn many_2048_bit_signatures_are_byte_identical_to_rsa() {
    let mut rng = Rng(0x5eed_0002);
    let n = if cfg!(debug_assertions) { 40 } else { 2000 };
    let keys: Vec<_> = keys()
        .into_iter()
        .filter(|(_, k)| k.size() == 256)
        .collect();
    let mut count = 0usize;
    for kernel in kernels() {
        let engines: Vec<_> = keys
            .iter()
            .map(|(_, k)| RsaEngine::with_kernel(k, kernel).unwrap())
            .collect();
        for i in 0..n {
            let j = (rng.next() as usize) % keys.len();
            let digest = random_digest(&mut rng);
            let ours = engines[j].sign_pkcs1v15_sha256(&digest).unwrap();
            let theirs = keys[j]
                .1
                .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
                .unwrap();
            assert_eq!(ours, theirs, "{} {kernel:?} #{i}", keys[j].0);
            count += 1;
        }
    }
    eprintln!("{count} signatures compared");
}

#[test]
fn the_kernel_is_the_one_asked_for() {
    let (_, key) = keys().into_iter().next().unwrap();
    let portable = RsaEngine::with_kernel(&key, Kernel::Portable).unwrap();
    assert_eq!(portable.kernel(), Kernel::Portable);
    let best = RsaEngine::with_kernel(&key, Kernel::Ifma).unwrap();
    let expect = if ifma_available() {
        Kernel::Ifma
    } else {
        Kernel::Portable
    };
    assert_eq!(best.kernel(), expect);
}

fn rsa_verifies(key: &rsa::PublicKey, digest: &[u8; 32], sig: &[u8]) -> bool {
    key.verify(Pkcs1v15Sign::new::<Sha256>(), digest, sig)
        .is_ok()
}

/// Signatures that must be rejected (or, for the untouched one, accepted), built from a valid one.
fn variants(rng: &mut Rng, n: &[u8], sig: &[u8]) -> Vec<Vec<u8>> {
    let k = sig.len();
    let mut out = vec![sig.to_vec()];
    // one bit flipped at a random place, and in the first and last byte
    for pos in [0, k - 1, (rng.next() as usize) % k] {
        let mut s = sig.to_vec();
        s[pos] ^= 1 << (rng.next() % 8);
        out.push(s);
    }
    // wrong lengths
    out.push(Vec::new());
    out.push(sig[1..].to_vec());
    out.push(sig[..k - 1].to_vec());
    let mut longer = vec![0u8];
    longer.extend_from_slice(sig);
    out.push(longer);
    // out of range: n, n + 1, all ones; the trivial values 0 and 1
    out.push(n.to_vec());
    let mut n1 = n.to_vec();
    for b in n1.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            break;
        }
    }
    out.push(n1);
    out.push(vec![0xff; k]);
    out.push(vec![0; k]);
    let mut one = vec![0; k];
    one[k - 1] = 1;
    out.push(one);
    // random bytes of the right length, and n − 1
    out.push(rng.bytes(k));
    let mut nm1 = n.to_vec();
    nm1[k - 1] ^= 1; // n is odd: n − 1 clears the low bit
    out.push(nm1);
    out
}

#[test]
fn verification_agrees_with_rsa() {
    let mut rng = Rng(0x5eed_0003);
    let rounds = if cfg!(debug_assertions) { 2 } else { 20 };
    let mut count = 0usize;
    for (name, key) in keys() {
        let public = key.to_public_key();
        let n = public.n_bytes();
        for kernel in kernels() {
            let verifier = RsaPublicEngine::with_kernel(&public, kernel).unwrap();
            let signer = RsaEngine::with_kernel(&key, kernel).unwrap();
            for _ in 0..rounds {
                let digest = random_digest(&mut rng);
                let sig = key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).unwrap();
                let other = random_digest(&mut rng);
                for (i, v) in variants(&mut rng, &n, &sig).iter().enumerate() {
                    for d in [&digest, &other] {
                        let theirs = rsa_verifies(&public, d, v);
                        assert_eq!(
                            verifier.verify_pkcs1v15_sha256(d, v),
                            theirs,
                            "{name} {kernel:?} variant {i}"
                        );
                        assert_eq!(
                            signer.verify_pkcs1v15_sha256(d, v),
                            theirs,
                            "{name} {kernel:?} variant {i} (private engine)"
                        );
                        if i == 0 && d == &digest {
                            assert!(theirs, "{name}: the valid signature");
                        }
                        count += 1;
                    }
                }
            }
        }
    }
    eprintln!("{count} verifications compared");
}
