//! The portable constant-time kernels: Montgomery arithmetic on `[u64; N]` in safe Rust, for
//! every CPU without the IFMA kernel.
//!
//! # Why not crypto-bigint's `FixedMontyForm`
//!
//! The first version of this kernel was crypto-bigint's `FixedMontyForm::pow_amm_bounded_exp`
//! (4-bit window). It is constant-time and correct, but its loops are generic over the limb count
//! and are not unrolled, it has no dedicated squaring, and every limb sits behind a `Limb`
//! wrapper. Measured on the development machine (AMD EPYC Zen 4 at ~3.4 GHz, RSA-2048, one core,
//! `examples/engine_speed.rs`):
//!
//! | | crypto-bigint | this kernel |
//! |---|---|---|
//! | 1024-bit Montgomery squaring | ~480 ns | ~250 ns |
//! | 1024-bit Montgomery multiplication | ~480 ns | ~330 ns |
//! | RSA-2048 signatures (blinded, fault-checked) | ~750/s | ~1,450/s |
//! | RSA-2048 verifications (e = 65537) | ~17,000/s | ~52,000/s |
//!
//! (OpenSSL 3.0 on the same machine: ~4,100 signatures/s with its AVX-512 IFMA code, ~1,700/s
//! with IFMA masked off.)
//!
//! What is different here:
//! - **Product scanning, fully unrolled** (`unrolled.rs`): each output column sums its products in
//!   a three-word accumulator, so every 64×64→128-bit multiplication costs one `mul` and three
//!   additions, with no loads and stores of a running row. Column and term indices are constants
//!   of a const-generic column function, so the kernels for `N ≤ 32` are straight-line code.
//! - **A dedicated squaring**: cross products once, doubled (392 products instead of 512 for a
//!   1024-bit Montgomery squaring, reduction included).
//! - **Almost Montgomery multiplication**: values stay below `R = 2^(64N)`, not below `m`; the one
//!   correction per multiplication is a masked subtraction, and only results are fully reduced.
//! - **5-bit fixed windows** (4% faster than 4-bit; 6-bit is no better), and **the two CRT
//!   halves interleaved** column by column (5%).
//!
//! The squaring runs at about two cycles per 64×64→128-bit product, which is the issue rate of
//! the scalar `mul` on this CPU: the kernel is bound by the multiplier, not by the additions.
//! Tried and dropped: one level of Karatsuba for the squaring (fewer products, but the separate
//! reduction pass made it ~8% slower), and 61-bit limbs with carry-free `u128` column sums (fewer
//! additions, more products: no faster). Going further would need vector units (AVX-512 IFMA is
//! the other kernel) or `mulx`/`adx`, which portable Rust cannot use without target features.
//!
//! An AVX2 middle tier was built and measured, and not merged (commit `aabcfa1`, branch
//! `avx2-attempt`): the IFMA kernel's scheme on 28-bit digits with `vpmuludq` (37 digit steps per
//! 1024-bit product, the accumulator a window of ten 256-bit rows moved every four steps, operands
//! pre-shifted by 0–3 lanes so no row is shifted per step). It made 1,516 raw private-key
//! operations per second against this kernel's 1,492, and signed at the same rate. Removing its
//! serial quotient chain (wrong results, timing only) only raised that to 1,649/s: the limit is
//! the vector multiplier. On this Zen 4 `vpmuludq ymm` issues about once per cycle (1.2 G in
//! 0.39 s, against 0.8 G scalar 64×64→128-bit `mul`s in 0.34 s): four 28×28-bit products
//! (3,136 bit-products) per instruction against 4,096 per scalar `mul`, i.e. the same
//! multiplier throughput, about 9.6·10¹² bit-products per second each. Vectorizing buys nothing
//! there, and the vector kernel also has no dedicated squaring, so it cannot win. Without IFMA,
//! SIMD does not beat this kernel on this CPU; it may on cores with two vector multiply ports.
//!
//! The floating-point multiplier was tried next (commit `5252e5d`, branch `fma`): 51-bit digits,
//! each product split exactly by double-precision FMA (`h = fma(a, b, 2¹⁰³)`,
//! `l = fma(a, b, (2¹⁰³ + 3·2⁵¹) − h)`; the bit patterns of `h` and `l` are the halves plus a
//! constant), the high half computed again from `a` shifted one lane up so it lands on its digit,
//! in the same moving window as the AVX2 kernel. It is correct (the engine's unit tests pass on
//! it), and a throughput test made about 2·10⁹ four-lane products per second (2·10¹³
//! bit-products, against 1.7·10¹³ for scalar `mul` in the same test).
//! But each product costs six vector instructions (three FMAs, a subtraction, two additions), a
//! 1024-bit prime needs 21 digits in seven rows, the sixteen `ymm` registers spill, and the
//! scalar quotient chain adds its own work: about 240 instructions per digit step. It made 1,030
//! to 1,100 raw private-key operations per second (939 with a three-digit scalar chain meant to
//! hide the vector latency), against this kernel's 1,341 in the same runs. Building this kernel with
//! `-C target-feature=+bmi2,+adx` (`mulx`) made it no faster (1,119–1,347 against 1,369–1,425
//! signatures per second, alternating runs).
//!
//! Constant time: no branch or memory address depends on secret data. The exponent is read in
//! windows at public positions, the table lookup reads every entry and keeps one by a mask, the
//! corrections are masked subtractions; loop bounds depend only on sizes and on the public bit
//! length of the primes. Every mask passes through an optimisation barrier (`super::ct`): with
//! plain `0 − bit` masks (and even a `black_box` on the index) the release build turned the
//! lookup into one branch per entry and an indexed load, and the final reductions into branches
//! on the borrow; memcheck with the key marked undefined reported 13,125 (2048-bit), 19,717
//! (3072) and 26,317 (4096) secret-dependent branches or addresses per private-key operation.
//! `tests/ctgrind.rs` runs that check (on the release build in CI) and now finds none.
//!
//! Layers, bottom up: `limb` (word primitives: the column accumulator, masked add/subtract),
//! `rolled` and `unrolled` (the Montgomery kernels, on `limb`), `arith` (the `Modulus` type that
//! picks a kernel), `crt` (the exponentiation and the CRT recombination). No module imports one
//! above it.
//!
//! Unoptimised (debug) builds run the loop kernels (`rolled.rs`) instead of the unrolled
//! ones, which unoptimised are far slower; the unit tests check both against each other.

mod arith;
mod crt;
mod limb;
mod rolled;
#[cfg(test)]
mod tests;
mod unrolled;

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, Uint};

pub(crate) use crt::PortableCrt;

use arith::Modulus;

/// Arithmetic modulo the public modulus `n` (`F` words).
pub(crate) struct PortableModN<const F: usize> {
    /// crypto-bigint's form, for the blinding set-up (conversion and inversion).
    params: FixedMontyParams<F>,
    n: Modulus<F>,
}

impl<const F: usize> PortableModN<F> {
    pub(crate) fn new(n: &[u64; F]) -> Option<Self> {
        let odd = Option::from(Odd::new(Uint::<F>::from_words(*n)))?;
        let params = FixedMontyParams::new_vartime(odd);
        let n = Modulus::new(
            *n,
            params.mod_neg_inv().0,
            params.one().to_words(),
            params.r2().to_words(),
        );
        Some(PortableModN { params, n })
    }

    /// Into crypto-bigint's Montgomery form (any `F`-word integer; reduced mod n).
    pub(crate) fn to_mont(&self, x: &[u64; F]) -> FixedMontyForm<F> {
        FixedMontyForm::new(&Uint::from_words(*x), &self.params)
    }

    /// Out of crypto-bigint's Montgomery form, fully reduced.
    pub(crate) fn retrieve(&self, x: &FixedMontyForm<F>) -> [u64; F] {
        x.retrieve().to_words()
    }

    /// `a·b mod n`, fully reduced, for `a, b < 2^(64F)`.
    pub(crate) fn mul(&self, a: &[u64; F], b: &[u64; F]) -> [u64; F] {
        // mul(a·b·R⁻¹, R²) < 2n since R² mod n < n.
        self.n.reduce(&self.n.mul(&self.n.mul(a, b), &self.n.r2))
    }

    /// `a² mod n`, fully reduced.
    pub(crate) fn sqr(&self, a: &[u64; F]) -> [u64; F] {
        self.n.reduce(&self.n.mul(&self.n.sqr(a), &self.n.r2))
    }

    /// `x^e mod n` for the public exponent (variable time in `e` only), fully reduced.
    pub(crate) fn pow_public(&self, x: &[u64; F], e: u64) -> [u64; F] {
        let xm = self.n.to_mont(x);
        let mut acc = xm;
        if e == 0 {
            return self.n.retrieve(&self.n.one);
        }
        for i in (0..63 - e.leading_zeros()).rev() {
            acc = self.n.sqr(&acc);
            if (e >> i) & 1 == 1 {
                acc = self.n.mul(&acc, &xm);
            }
        }
        self.n.retrieve(&acc)
    }
}
