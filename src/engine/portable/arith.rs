//! Montgomery arithmetic on little-endian `[u64; N]` with `R = 2^(64N)`.
//!
//! Multiplication and squaring are "almost Montgomery": any inputs below `R` give an output below
//! `R` congruent to `a·b·R⁻¹`, not necessarily below the modulus. The one conditional subtraction
//! (when the sum overflows `R`) is a masked subtraction, never a branch. Only [`Modulus::reduce`]
//! brings a value into `[0, m)`.

use zeroize::Zeroize;

use crate::engine::ct;

use super::limb::{add_masked, sub};
use super::{rolled, unrolled};

/// The largest size with fully unrolled kernels (`N ≤ 32`: the CRT halves of 2048 to 4096-bit
/// keys and the 2048-bit public modulus); larger moduli use the loop kernels. Unoptimised builds
/// use the loop kernels throughout: unrolled code without optimisation is several times slower
/// than loops (the unit tests still check the unrolled kernels against them).
const UNROLL_MAX: usize = 32;
const UNROLL: bool = !cfg!(debug_assertions);

/// An odd modulus with its Montgomery constants. Zeroized on drop (the CRT primes are secret).
pub(crate) struct Modulus<const N: usize> {
    pub(super) m: [u64; N],
    /// `−m⁻¹ mod 2^64`.
    pub(super) minv: u64,
    /// `R mod m`: one in Montgomery form.
    pub(super) one: [u64; N],
    /// `R² mod m`: multiplies a plain value into Montgomery form.
    pub(super) r2: [u64; N],
}

impl<const N: usize> Modulus<N> {
    /// From the modulus and its constants as crypto-bigint computes them (constant-time for
    /// secret primes, vartime for public moduli, at the caller's choice).
    pub(super) fn new(m: [u64; N], minv: u64, one: [u64; N], r2: [u64; N]) -> Self {
        Modulus { m, minv, one, r2 }
    }

    /// Every array of a secret modulus, for the memcheck constant-time check.
    #[cfg(feature = "bench-internals")]
    pub(crate) fn for_each_secret(&self, f: &mut dyn FnMut(&[u64])) {
        f(&self.m);
        f(core::slice::from_ref(&self.minv));
        f(&self.one);
        f(&self.r2);
    }

    /// `a·b·R⁻¹` (almost reduced: `< R`, for inputs `< R`).
    #[inline]
    pub(crate) fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        if UNROLL && N <= UNROLL_MAX {
            unrolled::mul(a, b, &self.m, self.minv)
        } else {
            rolled::mul(a, b, &self.m, self.minv)
        }
    }

    /// `a²·R⁻¹` (almost reduced).
    #[inline]
    pub(crate) fn sqr(&self, a: &[u64; N]) -> [u64; N] {
        if UNROLL && N <= UNROLL_MAX {
            unrolled::sqr(a, &self.m, self.minv)
        } else {
            rolled::mul(a, a, &self.m, self.minv)
        }
    }

    /// [`Modulus::sqr`] in two moduli at once (interleaved when unrolled).
    #[inline]
    pub(crate) fn sqr_x2(ms: [&Self; 2], a: [&[u64; N]; 2]) -> [[u64; N]; 2] {
        if UNROLL && N <= UNROLL_MAX {
            unrolled::sqr_x2(a, [&ms[0].m, &ms[1].m], [ms[0].minv, ms[1].minv])
        } else {
            [ms[0].sqr(a[0]), ms[1].sqr(a[1])]
        }
    }

    /// [`Modulus::mul`] in two moduli at once (interleaved when unrolled).
    #[inline]
    pub(crate) fn mul_x2(ms: [&Self; 2], a: [&[u64; N]; 2], b: [&[u64; N]; 2]) -> [[u64; N]; 2] {
        if UNROLL && N <= UNROLL_MAX {
            unrolled::mul_x2(a, b, [&ms[0].m, &ms[1].m], [ms[0].minv, ms[1].minv])
        } else {
            [ms[0].mul(a[0], b[0]), ms[1].mul(a[1], b[1])]
        }
    }

    /// `(lo + hi·R)·R⁻¹` (almost reduced), for `hi < m`.
    pub(crate) fn redc(&self, lo: &[u64; N], hi: &[u64; N]) -> [u64; N] {
        rolled::redc(lo, hi, &self.m, self.minv)
    }

    /// Into Montgomery form: `x·R mod m` (almost reduced), for any `x < R`.
    pub(crate) fn to_mont(&self, x: &[u64; N]) -> [u64; N] {
        self.mul(x, &self.r2)
    }

    /// Out of Montgomery form, fully reduced: `x·R⁻¹ mod m` in `[0, m)`, for any `x < R`.
    pub(crate) fn retrieve(&self, x: &[u64; N]) -> [u64; N] {
        // (x + u·m)/R < (R + R·m)/R = m + 1: at most one subtraction.
        self.reduce(&self.redc(x, &[0; N]))
    }

    /// `x mod m` for `x < 2m` (one masked subtraction: both results are computed and one is
    /// selected by an opaque mask, never by a branch or a chosen address).
    pub(crate) fn reduce(&self, x: &[u64; N]) -> [u64; N] {
        let (mut d, borrow) = sub(x, &self.m);
        let out = ct::select(ct::mask(borrow), x, &d);
        d.zeroize();
        out
    }

    /// `a − b mod m` for `a, b < m` (the modulus is added back under an opaque mask).
    pub(crate) fn sub_mod(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let (mut d, borrow) = sub(a, b);
        add_masked(&mut d, &self.m, ct::mask(borrow));
        d
    }
}

impl<const N: usize> Zeroize for Modulus<N> {
    fn zeroize(&mut self) {
        self.m.zeroize();
        self.minv.zeroize();
        self.one.zeroize();
        self.r2.zeroize();
    }
}
