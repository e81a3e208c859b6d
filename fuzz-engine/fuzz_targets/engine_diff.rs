//! Differential fuzzing of the RSA engine against the `rsa` crate.
//!
//! Input: `[key index][mode][payload…]`. Mode even: sign SHA-256(payload) with every kernel and
//! require the bytes `rsa` produces. Mode odd: take payload as a signature (of any length) of
//! SHA-256 of the key index byte, and require the engine's verdict to equal `rsa`'s.

#![no_main]

use std::sync::OnceLock;

use huifu_cfca::engine::{Kernel, RsaEngine, RsaPublicEngine, ifma_available};
use libfuzzer_sys::fuzz_target;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256};

struct Fixture {
    key: PrivateKey,
    engines: Vec<RsaEngine>,
    verifiers: Vec<RsaPublicEngine>,
}

fn fixtures() -> &'static [Fixture] {
    static F: OnceLock<Vec<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/engine");
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .expect("vectors/engine")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "key"))
            .collect();
        names.sort();
        let mut kernels = vec![Kernel::Portable];
        if ifma_available() {
            kernels.push(Kernel::Ifma);
        }
        names
            .iter()
            .map(|p| {
                let key =
                    PrivateKey::from_pkcs8_pem(&std::fs::read_to_string(p).expect("key"))
                        .expect("key");
                let public = key.to_public_key();
                Fixture {
                    engines: kernels
                        .iter()
                        .map(|&k| RsaEngine::with_kernel(&key, k).expect("engine"))
                        .collect(),
                    verifiers: kernels
                        .iter()
                        .map(|&k| RsaPublicEngine::with_kernel(&public, k).expect("engine"))
                        .collect(),
                    key,
                }
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let [index, mode, payload @ ..] = data else {
        return;
    };
    let all = fixtures();
    let f = &all[*index as usize % all.len()];
    if mode % 2 == 0 {
        let digest: [u8; 32] = Sha256::digest(payload).into();
        let want = f
            .key
            .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
            .expect("rsa signs");
        for e in &f.engines {
            assert_eq!(e.sign_pkcs1v15_sha256(&digest).expect("engine signs"), want);
        }
    } else {
        let digest: [u8; 32] = Sha256::digest([*index]).into();
        let want = f
            .key
            .as_public_key()
            .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, payload)
            .is_ok();
        for v in &f.verifiers {
            assert_eq!(v.verify_pkcs1v15_sha256(&digest, payload), want);
        }
        for e in &f.engines {
            assert_eq!(e.verify_pkcs1v15_sha256(&digest, payload), want);
        }
    }
});
