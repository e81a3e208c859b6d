//! Unit tests of the portable kernels against crypto-bigint and the `rsa` crate.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams, FixedMontyForm, FixedMontyParams};
use crypto_bigint::{BoxedUint, Odd, Resize, Uint};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};

use super::arith::Modulus;
use super::{PortableCrt, PortableModN, rolled, unrolled};

/// SplitMix64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn words<const N: usize>(&mut self) -> [u64; N] {
        std::array::from_fn(|_| self.next())
    }
}

fn modulus<const N: usize>(m: [u64; N]) -> (Modulus<N>, FixedMontyParams<N>) {
    let params = FixedMontyParams::new(Odd::new(Uint::from_words(m)).unwrap());
    let ours = Modulus::new(
        m,
        params.mod_neg_inv().0,
        params.one().to_words(),
        params.r2().to_words(),
    );
    (ours, params)
}

/// `x mod m` by crypto-bigint.
fn canon<const N: usize>(x: &[u64; N], p: &FixedMontyParams<N>) -> [u64; N] {
    FixedMontyForm::new(&Uint::from_words(*x), p)
        .retrieve()
        .to_words()
}

/// `a·b·R⁻¹ mod m` by crypto-bigint.
fn want_mul<const N: usize>(a: &[u64; N], b: &[u64; N], p: &FixedMontyParams<N>) -> [u64; N] {
    let a = FixedMontyForm::from_montgomery(Uint::from_words(canon(a, p)), p);
    let b = FixedMontyForm::from_montgomery(Uint::from_words(canon(b, p)), p);
    (a * b).as_montgomery().to_words()
}

/// Moduli of every shape the kernels meet: full top word, shorter, and the extremes.
fn moduli<const N: usize>(rng: &mut Rng) -> Vec<[u64; N]> {
    let mut out = Vec::new();
    for shift in [0u32, 1, 5, 63] {
        let mut m: [u64; N] = rng.words();
        m[N - 1] = (m[N - 1] | (1 << 63)) >> shift;
        m[0] |= 1;
        out.push(m);
    }
    out.push([u64::MAX; N]); // R − 1
    let mut m = [0u64; N];
    m[0] = 1;
    m[N - 1] |= 1 << 63; // 2^(64N−1) + 1
    out.push(m);
    let mut m = [0u64; N];
    m[0] = 0xffff_ffff_ffff_ffc5; // a small modulus in a wide type
    out.push(m);
    out
}

/// Operands: 0, 1, m − 1, m, m + 1 (when below R), R − 1, 2^(64N−1), R − m, and random values.
fn operands<const N: usize>(m: &[u64; N], rng: &mut Rng) -> Vec<[u64; N]> {
    let mut one = [0u64; N];
    one[0] = 1;
    let mut m_minus_1 = *m;
    m_minus_1[0] -= 1;
    let mut m_plus_1 = *m;
    m_plus_1[0] = m_plus_1[0].wrapping_add(1); // m odd: no carry
    let mut top = [0u64; N];
    top[N - 1] = 1 << 63;
    let mut r_minus_m = [0u64; N];
    let mut borrow = false;
    for i in 0..N {
        let (d, b) = 0u64.borrowing_sub(m[i], borrow);
        r_minus_m[i] = d;
        borrow = b;
    }
    let mut out = vec![
        [0u64; N],
        one,
        m_minus_1,
        *m,
        m_plus_1,
        [u64::MAX; N],
        top,
        r_minus_m,
    ];
    for _ in 0..6 {
        out.push(rng.words());
    }
    out
}

fn check_size<const N: usize>(seed: u64) {
    let mut rng = Rng(seed);
    let all = moduli::<N>(&mut rng);
    for (k, &m) in all.iter().enumerate() {
        let (ours, params) = modulus(m);
        // a second modulus for the interleaved kernels
        let m2 = all[(k + 1) % all.len()];
        let (theirs2, _) = modulus(m2);
        let xs = operands(&m, &mut rng);
        for a in &xs {
            for b in &xs {
                let got = ours.mul(a, b);
                assert_eq!(canon(&got, &params), want_mul(a, b, &params), "mul {m:x?}");
                assert_eq!(got, rolled::mul(a, b, &m, ours.minv), "rolled mul");
                if N <= 32 {
                    assert_eq!(got, unrolled::mul(a, b, &m, ours.minv), "unrolled mul");
                    let other = rolled::mul(b, a, &m2, theirs2.minv);
                    assert_eq!(
                        unrolled::mul_x2([a, b], [b, a], [&m, &m2], [ours.minv, theirs2.minv]),
                        [got, other],
                        "interleaved mul"
                    );
                    assert_eq!(
                        unrolled::sqr_x2([a, b], [&m, &m2], [ours.minv, theirs2.minv]),
                        [
                            rolled::mul(a, a, &m, ours.minv),
                            rolled::mul(b, b, &m2, theirs2.minv)
                        ],
                        "interleaved sqr"
                    );
                    assert_eq!(
                        unrolled::sqr(a, &m, ours.minv),
                        unrolled::mul(a, a, &m, ours.minv),
                        "unrolled sqr"
                    );
                }
            }
            let sq = ours.sqr(a);
            assert_eq!(canon(&sq, &params), want_mul(a, a, &params), "sqr {m:x?}");
            assert_eq!(sq, ours.mul(a, a), "sqr == mul");
            let mut one = [0u64; N];
            one[0] = 1;
            assert_eq!(ours.retrieve(a), want_mul(a, &one, &params), "from_mont");
            assert_eq!(
                ours.retrieve(&ours.to_mont(a)),
                canon(a, &params),
                "round trip"
            );
        }
    }
}

#[test]
fn multiplication_and_squaring_match_crypto_bigint() {
    check_size::<1>(1);
    check_size::<2>(2);
    check_size::<16>(16);
    check_size::<24>(24);
    check_size::<32>(32);
    check_size::<48>(48);
}

/// The double-width reduction used on CRT inputs: `(lo + hi·R)·R⁻¹` for `hi < m`.
#[test]
fn double_width_reduction_matches_crypto_bigint() {
    let mut rng = Rng(7);
    for m in moduli::<16>(&mut rng) {
        let (ours, params) = modulus(m);
        let mut m_minus_1 = m;
        m_minus_1[0] -= 1;
        for (lo, hi) in [
            ([u64::MAX; 16], m_minus_1),
            ([0; 16], m_minus_1),
            ([u64::MAX; 16], [0; 16]),
            (rng.words(), canon(&rng.words(), &params)),
        ] {
            let got = ours.redc(&lo, &hi);
            // lo·R⁻¹ + hi (mod m)
            let lo_part = want_mul(
                &lo,
                &{
                    let mut one = [0u64; 16];
                    one[0] = 1;
                    one
                },
                &params,
            );
            let want = FixedMontyForm::new(&Uint::from_words(lo_part), &params)
                + FixedMontyForm::new(&Uint::from_words(hi), &params);
            assert_eq!(canon(&got, &params), want.retrieve().to_words());
        }
    }
}

fn key(name: &str) -> rsa::PrivateKey {
    let path = format!("vectors/engine/{name}");
    rsa::PrivateKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn words<const N: usize>(x: &BoxedUint) -> [u64; N] {
    let mut out = [0u64; N];
    for (o, w) in out.iter_mut().zip(x.as_words()) {
        *o = *w;
    }
    out
}

fn crt_of<const H: usize, const F: usize>(key: &rsa::PrivateKey) -> PortableCrt<H, F> {
    let primes = key.primes();
    let (p, q) = (primes[0].as_ref(), primes[1].as_ref());
    let qinv = key.qinv().unwrap().retrieve();
    PortableCrt::new(
        &words(p),
        &words(q),
        &words(key.dp().unwrap()),
        &words(key.dq().unwrap()),
        &words(&qinv),
        p.bit_width_vartime(),
        q.bit_width_vartime(),
    )
    .unwrap()
}

/// `c^d mod n` by the CRT kernel equals crypto-bigint's plain exponentiation, and the public
/// operations agree with it too, on every key size.
fn check_key<const H: usize, const F: usize>(name: &str) {
    let key = key(name);
    let n = key.n().as_ref().clone();
    let crt = crt_of::<H, F>(&key);
    let modn = PortableModN::<F>::new(&words(&n)).unwrap();
    let params = BoxedMontyParams::new_vartime(Odd::new(n.clone()).unwrap());
    let mut rng = Rng(H as u64);
    let mut n_minus_1: [u64; F] = words(&n);
    n_minus_1[0] -= 1;
    let mut inputs = vec![[0u64; F], n_minus_1];
    let mut one = [0u64; F];
    one[0] = 1;
    inputs.push(one);
    let bits = n.bit_width_vartime() as usize;
    for _ in 0..3 {
        // random, one bit shorter than n
        let mut x: [u64; F] = rng.words();
        for (i, w) in x.iter_mut().enumerate() {
            let keep = (bits - 1).saturating_sub(64 * i).min(64);
            *w &= if keep == 64 {
                u64::MAX
            } else {
                (1 << keep) - 1
            };
        }
        inputs.push(x);
    }
    for c in &inputs {
        let cb = BoxedUint::from_words(c.iter().copied()).resize(n.bits_precision());
        let plain = BoxedMontyForm::new(cb.clone(), &params);
        let want: [u64; F] = words(&plain.pow(key.d()).retrieve());
        assert_eq!(crt.private(c), want, "{name} private");
        let want_e: [u64; F] = words(&plain.pow(key.e()).retrieve());
        assert_eq!(modn.pow_public(c, 65537), want_e, "{name} pow_public");
        let want_sq: [u64; F] = words(&plain.square().retrieve());
        assert_eq!(modn.sqr(c), want_sq, "{name} sqr");
        let d = BoxedMontyForm::new(
            BoxedUint::from_words(n_minus_1.iter().copied()).resize(n.bits_precision()),
            &params,
        );
        let want_mul: [u64; F] = words(&(&plain * &d).retrieve());
        assert_eq!(modn.mul(c, &n_minus_1), want_mul, "{name} mul");
    }
}

#[test]
fn crt_private_and_public_operations_match_crypto_bigint() {
    check_key::<16, 32>("k00-2048.key");
    check_key::<16, 32>("k38-2040.key");
    check_key::<16, 32>("k34-1024.key");
    check_key::<24, 48>("k26-3072.key");
    check_key::<24, 48>("k40-3000.key");
    check_key::<32, 64>("k30-4096.key");
}

/// The CRT kernel's raw result on an encoded SHA-256 digest is the `rsa` crate's signature.
#[test]
fn crt_private_matches_rsa_signatures() {
    use super::super::{be_from_words, pkcs1, words_from_be};
    use rsa::Pkcs1v15Sign;
    use sha2::{Digest, Sha256};
    for name in ["k01-2048.key", "k38-2040.key", "k02-2048.key"] {
        let key = key(name);
        let crt = crt_of::<16, 32>(&key);
        for i in 0..3u8 {
            let digest: [u8; 32] = Sha256::digest([i]).into();
            let em = pkcs1::encode_sha256(&digest, key.size()).unwrap();
            let got = crt.private(&words_from_be::<32>(&em).unwrap());
            let want = key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).unwrap();
            assert_eq!(be_from_words(&got, key.size()), want, "{name}");
        }
    }
}
