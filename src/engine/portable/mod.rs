//! The portable constant-time kernels: Montgomery arithmetic on `[u64; N]` in safe Rust, for
//! every CPU without the IFMA kernel.
//!
//! Design (measurements, and what was tried and dropped: `docs/engine.md`):
//! - **Product scanning, fully unrolled** (`unrolled.rs`): each output column sums its products in
//!   a three-word accumulator, so every 64×64→128-bit multiplication costs one `mul` and three
//!   additions. Column and term indices are constants of a const-generic column function, so the
//!   kernels for `N ≤ 32` are straight-line code.
//! - **A dedicated squaring**: cross products once, doubled.
//! - **Almost Montgomery multiplication**: values stay below `R = 2^(64N)`, not below `m`; the one
//!   correction per multiplication is a masked subtraction, and only results are fully reduced.
//! - **5-bit fixed windows**, and **the two CRT halves interleaved** column by column (`crt.rs`).
//!
//! Constant time: no branch or memory address depends on secret data. The exponent is read in
//! windows at public positions, the table lookup reads every entry and keeps one by a mask, the
//! corrections are masked subtractions; loop bounds depend only on sizes and on the public bit
//! length of the primes. Every mask passes through an optimisation barrier (`super::ct`), without
//! which the release build turned lookups and reductions into branches and indexed loads;
//! `tests/ctgrind.rs` checks the compiled code under valgrind memcheck with the key marked
//! undefined.
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
