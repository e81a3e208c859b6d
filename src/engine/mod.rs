//! A private-key engine for RSA PKCS#1 v1.5 / SHA-256 signatures (2048, 3072 and 4096-bit keys,
//! any modulus whose primes fit the same kernels), and the matching public-key path.
//!
//! - CRT with constant-time fixed-window exponentiation: no branch or memory address depends on
//!   the key or the input, in the compiled code (masks behind an optimisation barrier, `ct.rs`;
//!   checked under valgrind memcheck by `tests/ctgrind.rs` for the portable kernel). Two kernels: an AVX-512 IFMA one
//!   (52-bit digits, "almost Montgomery" multiplication, both CRT halves interleaved) chosen at
//!   run time with `is_x86_feature_detected!`, and a portable one in safe Rust (`portable/`:
//!   unrolled product-scanning Montgomery multiplication and squaring, 5-bit windows) for every
//!   other CPU.
//! - Cheap blinding (`blinding.rs`): a kept pair refreshed by squaring, fresh pairs made eight at
//!   a time around one inversion; never unblinded.
//! - A fault check: each signature is verified with the public key before it is returned.
//! - Derived key values are zeroized on drop.
//!
//! Which implementation runs is the caller's choice, an [`Engine`] given to
//! [`Signer::with_engine`](crate::signer::Signer::with_engine) and
//! [`VerifierBuilder::engine`](crate::verify::VerifierBuilder::engine); the default,
//! [`Engine::Auto`], takes the fastest kernel the CPU has. The library reads no environment
//! variable (the `huifu-cfca` tool and the benches map `HUIFU_CFCA_ENGINE` onto this option).
//!
//! All `unsafe` of the library lives in `ifma/` (the test harness `tests/ctgrind.rs` has the
//! one other block: valgrind's client request, which only inline assembly can emit).
//!
//! What was measured on the way, and what was tried and dropped: `docs/engine.md`.

mod blinding;
mod choice;
mod ct;
#[cfg(target_arch = "x86_64")]
mod ifma;
mod pkcs1;
mod portable;

use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use zeroize::Zeroizing;

use crate::{Error, Result};
use blinding::{Blinding, ModNOps};
use portable::{PortableCrt, PortableModN};

pub use choice::Engine;

/// Which kernel an engine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// AVX-512 IFMA (x86-64 with `avx512f`, `avx512vl` and `avx512ifma`).
    Ifma,
    /// Portable constant-time Rust.
    Portable,
}

/// Whether this CPU runs the IFMA kernel.
pub fn ifma_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        ifma::available()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// An RSA private key prepared for fast constant-time PKCS#1 v1.5 SHA-256 signing.
pub struct RsaEngine {
    inner: Sized3<Box<KeyEngine<16, 32>>, Box<KeyEngine<24, 48>>, Box<KeyEngine<32, 64>>>,
}

/// An RSA public key prepared for fast PKCS#1 v1.5 SHA-256 verification.
pub struct RsaPublicEngine {
    inner: Sized3<Box<Public<32>>, Box<Public<48>>, Box<Public<64>>>,
}

enum Sized3<A, B, C> {
    S2048(A),
    S3072(B),
    S4096(C),
}

macro_rules! dispatch {
    ($self:expr, $e:ident => $body:expr) => {
        match &$self.inner {
            Sized3::S2048($e) => $body,
            Sized3::S3072($e) => $body,
            Sized3::S4096($e) => $body,
        }
    };
}

impl std::fmt::Debug for RsaEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaEngine")
            .field("bits", &self.bits())
            .field("kernel", &self.kernel())
            .finish_non_exhaustive()
    }
}

impl RsaEngine {
    /// An engine for `key` with the fastest kernel the CPU has ([`Engine::Auto`]); `None` when
    /// the key is outside what the engine serves (multi-prime, no CRT values, primes over 2048
    /// bits or unbalanced, public exponent over 64 bits).
    pub fn new(key: &rsa::PrivateKey) -> Option<Self> {
        Self::with_kernel(key, Kernel::Ifma)
    }

    /// An engine running `kernel` (IFMA silently degrades to portable on CPUs without it).
    pub fn with_kernel(key: &rsa::PrivateKey, kernel: Kernel) -> Option<Self> {
        let bits = key.n().as_ref().bit_width_vartime() as usize;
        let inner = if bits <= 2048 {
            Sized3::S2048(Box::new(KeyEngine::new(key, kernel)?))
        } else if bits <= 3072 {
            Sized3::S3072(Box::new(KeyEngine::new(key, kernel)?))
        } else if bits <= 4096 {
            Sized3::S4096(Box::new(KeyEngine::new(key, kernel)?))
        } else {
            return None;
        };
        Some(RsaEngine { inner })
    }

    /// The kernel in use.
    pub fn kernel(&self) -> Kernel {
        dispatch!(self, e => e.kernel())
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        dispatch!(self, e => e.public.bits)
    }

    /// The RSASSA-PKCS1-v1_5 signature of a SHA-256 `digest`, `k` bytes long; blinded and checked
    /// against the public key before it is returned.
    pub fn sign_pkcs1v15_sha256(&self, digest: &[u8; 32]) -> Result<Vec<u8>> {
        dispatch!(self, e => e.sign(digest))
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature of the SHA-256 `digest`.
    pub fn verify_pkcs1v15_sha256(&self, digest: &[u8; 32], signature: &[u8]) -> bool {
        dispatch!(self, e => e.public.verify(digest, signature))
    }

    /// The raw, UNBLINDED private-key operation `c^d mod n` (big-endian `k` bytes in and out;
    /// `None` unless `c < n`), for constant-time measurements only (`benches/engine_timing.rs`):
    /// feature `bench-internals`, never for production.
    #[cfg(feature = "bench-internals")]
    #[doc(hidden)]
    pub fn private_unblinded_for_timing(&self, c: &[u8]) -> Option<Vec<u8>> {
        dispatch!(self, e => e.private_bytes(c))
    }

    /// The portable kernel's raw, UNBLINDED private-key operation on little-endian words (`c`
    /// must be `F` words and below `n`; not checked, so that no comparison touches `c`), whatever
    /// kernel the engine runs: for the memcheck constant-time check (`tests/ctgrind.rs`) only.
    /// Feature `bench-internals`, never for production.
    #[cfg(feature = "bench-internals")]
    #[doc(hidden)]
    pub fn portable_private_words_for_ctgrind(&self, c: &[u64]) -> Option<Vec<u64>> {
        dispatch!(self, e => e.portable_private_words(c))
    }

    /// Hands every secret array of the portable CRT data (primes, CRT exponents, Montgomery
    /// constants) to `f`, so the memcheck check can mark them undefined. Feature
    /// `bench-internals`, never for production.
    #[cfg(feature = "bench-internals")]
    #[doc(hidden)]
    pub fn portable_secrets_for_ctgrind(&self, f: &mut dyn FnMut(&[u64])) {
        dispatch!(self, e => e.crt.for_each_secret(f))
    }
}

impl std::fmt::Debug for RsaPublicEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaPublicEngine")
            .field("bits", &dispatch!(self, e => e.bits))
            .finish_non_exhaustive()
    }
}

impl RsaPublicEngine {
    /// A verifier for `key` (moduli up to 4096 bits, odd public exponents up to 64 bits); `None`
    /// otherwise. Uses IFMA when the CPU has it ([`Engine::Auto`]).
    pub fn new(key: &impl PublicKeyParts) -> Option<Self> {
        Self::with_kernel(key, Kernel::Ifma)
    }

    /// A verifier running `kernel` (IFMA degrades to portable on CPUs without it).
    pub fn with_kernel(key: &impl PublicKeyParts, kernel: Kernel) -> Option<Self> {
        let bits = key.n().as_ref().bit_width_vartime() as usize;
        let inner = if bits <= 2048 {
            Sized3::S2048(Box::new(Public::new(key, kernel)?))
        } else if bits <= 3072 {
            Sized3::S3072(Box::new(Public::new(key, kernel)?))
        } else if bits <= 4096 {
            Sized3::S4096(Box::new(Public::new(key, kernel)?))
        } else {
            return None;
        };
        Some(RsaPublicEngine { inner })
    }

    /// The kernel in use.
    pub fn kernel(&self) -> Kernel {
        dispatch!(self, e => e.kernel())
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature of the SHA-256 `digest`: exactly
    /// `k` bytes, less than `n`, and `s^e mod n` equal to the encoding of `digest`.
    pub fn verify_pkcs1v15_sha256(&self, digest: &[u8; 32], signature: &[u8]) -> bool {
        dispatch!(self, e => e.verify(digest, signature))
    }
}

/// Little-endian words of a big-endian byte string that fits in `N` words.
fn words_from_be<const N: usize>(bytes: &[u8]) -> Option<[u64; N]> {
    if bytes.len() > N * 8 {
        return None;
    }
    let mut out = [0u64; N];
    for (i, &b) in bytes.iter().rev().enumerate() {
        out[i / 8] |= u64::from(b) << (8 * (i % 8));
    }
    Some(out)
}

/// The `k`-byte big-endian encoding of `words` (whose value is known to fit).
fn be_from_words<const N: usize>(words: &[u64; N], k: usize) -> Vec<u8> {
    let mut out = vec![0u8; k];
    for (i, o) in out.iter_mut().rev().enumerate() {
        if i / 8 < N {
            *o = (words[i / 8] >> (8 * (i % 8))) as u8;
        }
    }
    out
}

/// The words of a `BoxedUint` known (or checked) to fit in `N` words.
fn words_from_boxed<const N: usize>(x: &crypto_bigint::BoxedUint) -> Option<Zeroizing<[u64; N]>> {
    let src = x.as_words();
    let mut out = Zeroizing::new([0u64; N]);
    for (i, &w) in src.iter().enumerate() {
        if i < N {
            out[i] = w;
        } else if w != 0 {
            return None;
        }
    }
    Some(out)
}

/// Constant-time equality of two word arrays.
fn ct_eq_words<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    let mut acc = 0u64;
    for (x, y) in a.iter().zip(b) {
        acc |= x ^ y;
    }
    acc == 0
}

/// Public-key data of one modulus size (`F` words).
struct Public<const F: usize> {
    bits: usize,
    k: usize,
    e: u64,
    n: [u64; F],
    modn: PortableModN<F>,
    #[cfg(target_arch = "x86_64")]
    ifma: Option<ifma::ModN>,
}

impl<const F: usize> Public<F> {
    fn new(key: &impl PublicKeyParts, kernel: Kernel) -> Option<Self> {
        let n_boxed = key.n().as_ref();
        let bits = n_boxed.bit_width_vartime() as usize;
        let k = bits.div_ceil(8);
        if k < pkcs1::MIN_K {
            return None;
        }
        let e_words = words_from_boxed::<1>(key.e())?;
        let e = e_words[0];
        if e < 3 || e % 2 == 0 {
            return None;
        }
        let n = *words_from_boxed::<F>(n_boxed)?;
        let modn = PortableModN::new(&n)?;
        #[cfg(target_arch = "x86_64")]
        let ifma = match kernel {
            Kernel::Ifma if ifma::available() => ifma::ModN::new(&n, bits),
            _ => None,
        };
        #[cfg(not(target_arch = "x86_64"))]
        let _ = kernel;
        Some(Public {
            bits,
            k,
            e,
            n,
            modn,
            #[cfg(target_arch = "x86_64")]
            ifma,
        })
    }

    fn kernel(&self) -> Kernel {
        #[cfg(target_arch = "x86_64")]
        if self.ifma.is_some() {
            return Kernel::Ifma;
        }
        Kernel::Portable
    }

    /// `x^e mod n` for `x < n`.
    fn pow_e(&self, x: &[u64; F]) -> [u64; F] {
        #[cfg(target_arch = "x86_64")]
        if let Some(m) = &self.ifma {
            return m.pow_public(x, self.e);
        }
        self.modn.pow_public(x, self.e)
    }

    fn verify(&self, digest: &[u8; 32], signature: &[u8]) -> bool {
        if signature.len() != self.k {
            return false;
        }
        let Some(s) = words_from_be::<F>(signature) else {
            return false;
        };
        if !lt_words(&s, &self.n) {
            return false;
        }
        let Some(em) = pkcs1::encode_sha256(digest, self.k) else {
            return false;
        };
        let Some(m) = words_from_be::<F>(&em) else {
            return false;
        };
        ct_eq_words(&self.pow_e(&s), &m)
    }
}

/// `a < b` (public values; variable time).
fn lt_words<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

impl<const F: usize> ModNOps<F> for Public<F> {
    fn mul(&self, a: &[u64; F], b: &[u64; F]) -> [u64; F] {
        #[cfg(target_arch = "x86_64")]
        if let Some(m) = &self.ifma {
            return m.mul(a, b);
        }
        self.modn.mul(a, b)
    }

    fn sqr2(&self, a: &[u64; F], b: &[u64; F]) -> ([u64; F], [u64; F]) {
        #[cfg(target_arch = "x86_64")]
        if let Some(m) = &self.ifma {
            return m.sqr2(a, b);
        }
        (self.modn.sqr(a), self.modn.sqr(b))
    }

    fn pow_public(&self, x: &[u64; F], e: u64) -> [u64; F] {
        #[cfg(target_arch = "x86_64")]
        if let Some(m) = &self.ifma {
            return m.pow_public(x, e);
        }
        self.modn.pow_public(x, e)
    }
}

/// A private key of one size: primes of up to `64 * H` bits, modulus of `64 * F` bits.
struct KeyEngine<const H: usize, const F: usize> {
    public: Public<F>,
    crt: PortableCrt<H, F>,
    #[cfg(target_arch = "x86_64")]
    ifma: Option<ifma::Crt>,
    blinding: Blinding<F>,
}

impl<const H: usize, const F: usize> KeyEngine<H, F> {
    fn new(key: &rsa::PrivateKey, kernel: Kernel) -> Option<Self> {
        let public = Public::<F>::new(key, kernel)?;
        let primes = key.primes();
        if primes.len() != 2 {
            return None;
        }
        let (dp, dq, qinv) = (key.dp()?, key.dq()?, key.qinv()?);
        let p_boxed = primes[0].as_ref();
        let q_boxed = primes[1].as_ref();
        let p_bits = p_boxed.bit_width_vartime();
        let q_bits = q_boxed.bit_width_vartime();
        // Both primes must fit the half-size kernels (the input reduction handles any c < 2^(64F)).
        if p_bits as usize > 64 * H || q_bits as usize > 64 * H {
            return None;
        }
        let p = words_from_boxed::<H>(p_boxed)?;
        let q = words_from_boxed::<H>(q_boxed)?;
        let dp = words_from_boxed::<H>(dp)?;
        let dq = words_from_boxed::<H>(dq)?;
        let qinv_int = Zeroizing::new(qinv.retrieve());
        let qinv = words_from_boxed::<H>(&qinv_int)?;
        let crt = PortableCrt::new(&p, &q, &dp, &dq, &qinv, p_bits, q_bits)?;
        #[cfg(target_arch = "x86_64")]
        let ifma = match public.ifma {
            Some(_) => ifma::Crt::new(&p[..], &q[..], &dp[..], &dq[..], &qinv[..], p_bits, q_bits),
            None => None,
        };
        Some(KeyEngine {
            public,
            crt,
            #[cfg(target_arch = "x86_64")]
            ifma,
            blinding: Blinding::new(),
        })
    }

    fn kernel(&self) -> Kernel {
        #[cfg(target_arch = "x86_64")]
        if self.ifma.is_some() {
            return Kernel::Ifma;
        }
        Kernel::Portable
    }

    /// `c^d mod n` by CRT, `c < n`.
    fn private(&self, c: &[u64; F]) -> [u64; F] {
        #[cfg(target_arch = "x86_64")]
        if let Some(crt) = &self.ifma {
            let mut out = [0u64; F];
            crt.private(&c[..], &mut out[..]);
            return out;
        }
        self.crt.private(c)
    }

    #[cfg(feature = "bench-internals")]
    fn private_bytes(&self, c: &[u8]) -> Option<Vec<u8>> {
        if c.len() != self.public.k {
            return None;
        }
        let c = words_from_be::<F>(c)?;
        if !lt_words(&c, &self.public.n) {
            return None;
        }
        Some(be_from_words(&self.private(&c), self.public.k))
    }

    #[cfg(feature = "bench-internals")]
    fn portable_private_words(&self, c: &[u64]) -> Option<Vec<u64>> {
        let c: &[u64; F] = c.try_into().ok()?;
        Some(self.crt.private(c).to_vec())
    }

    fn sign(&self, digest: &[u8; 32]) -> Result<Vec<u8>> {
        let pb = &self.public;
        let em = pkcs1::encode_sha256(digest, pb.k)
            .ok_or_else(|| Error::Signing("modulus too small for SHA-256".into()))?;
        let m = words_from_be::<F>(&em)
            .ok_or_else(|| Error::Signing("encoded message too long".into()))?;
        let pair = self.blinding.next(&pb.modn, pb, pb.e)?;
        let c = Zeroizing::new(pb.mul(&m, &pair.a));
        let s_blinded = Zeroizing::new(self.private(&c));
        let s = pb.mul(&s_blinded, &pair.ai);
        // Fault check: never let a signature out that does not verify.
        if !ct_eq_words(&pb.pow_e(&s), &m) {
            return Err(Error::Signing(
                "RSA fault check failed: signature does not verify".into(),
            ));
        }
        Ok(be_from_words(&s, pb.k))
    }
}

#[cfg(test)]
mod tests;
