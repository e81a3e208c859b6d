//! The portable constant-time kernels, on crypto-bigint's fixed-size Montgomery types.
//!
//! Every operation on secret values here is constant-time in crypto-bigint's sense: the
//! exponentiation is a fixed 4-bit-window "almost Montgomery" ladder (`pow_amm_bounded_exp`) whose
//! table lookup is a masked scan, the only timing-visible exponent property being its bit bound
//! (the public prime size); reductions, subtractions and the CRT recombination are branch-free.

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, Uint};
use zeroize::Zeroize;

/// CRT private-key data for primes of at most `64 * H` bits and a modulus of `64 * F` bits
/// (`F == 2 * H`).
pub(crate) struct PortableCrt<const H: usize, const F: usize> {
    p: FixedMontyParams<H>,
    q: FixedMontyParams<H>,
    p_int: Uint<H>,
    q_int: Uint<H>,
    dp: Uint<H>,
    dq: Uint<H>,
    p_bits: u32,
    q_bits: u32,
    /// `qinv = q^-1 mod p` in Montgomery form mod p.
    qinv: FixedMontyForm<H>,
    /// `R mod p` (and `mod q`) in Montgomery form: multiplies the high half of an input into place.
    r_p: FixedMontyForm<H>,
    r_q: FixedMontyForm<H>,
}

impl<const H: usize, const F: usize> PortableCrt<H, F> {
    /// From the prime factors and CRT exponents as little-endian 64-bit words (already checked to
    /// fit in `H` words, `p` and `q` odd).
    pub(crate) fn new(
        p: &[u64; H],
        q: &[u64; H],
        dp: &[u64; H],
        dq: &[u64; H],
        qinv: &[u64; H],
        p_bits: u32,
        q_bits: u32,
    ) -> Option<Self> {
        let p_int = Uint::<H>::from_words(*p);
        let q_int = Uint::<H>::from_words(*q);
        let pp = FixedMontyParams::new(Option::from(Odd::new(p_int))?);
        let qp = FixedMontyParams::new(Option::from(Odd::new(q_int))?);
        let qinv = FixedMontyForm::new(&Uint::from_words(*qinv), &pp);
        let r_p = FixedMontyForm::new(pp.one(), &pp);
        let r_q = FixedMontyForm::new(qp.one(), &qp);
        Some(PortableCrt {
            p: pp,
            q: qp,
            p_int,
            q_int,
            dp: Uint::from_words(*dp),
            dq: Uint::from_words(*dq),
            p_bits,
            q_bits,
            qinv,
            r_p,
            r_q,
        })
    }

    /// `c^d mod n` for `c < n`, by CRT. `c` and the result are little-endian words of `F` limbs.
    pub(crate) fn private(&self, c: &[u64; F]) -> [u64; F] {
        let mut lo = [0u64; H];
        let mut hi = [0u64; H];
        lo.copy_from_slice(&c[..H]);
        hi.copy_from_slice(&c[H..]);
        let lo = Uint::<H>::from_words(lo);
        let hi = Uint::<H>::from_words(hi);
        // c mod p in Montgomery form: lo·R + hi·R·R (mod p); FixedMontyForm::new reduces any
        // H-limb integer.
        let cp = FixedMontyForm::new(&lo, &self.p) + FixedMontyForm::new(&hi, &self.p) * self.r_p;
        let cq = FixedMontyForm::new(&lo, &self.q) + FixedMontyForm::new(&hi, &self.q) * self.r_q;
        let m1 = cp.pow_amm_bounded_exp(&self.dp, self.p_bits);
        let m2 = cq.pow_amm_bounded_exp(&self.dq, self.q_bits).retrieve();
        // h = qinv · (m1 − m2) mod p
        let h = ((m1 - FixedMontyForm::new(&m2, &self.p)) * self.qinv).retrieve();
        recombine(&m2, &h, &self.q_int)
    }

    /// The prime `p` (for tests and the IFMA set-up).
    #[allow(dead_code)]
    pub(crate) fn p(&self) -> &Uint<H> {
        &self.p_int
    }
}

/// `m2 + h·q` as `F` words (< n when `m2 < q`, `h < p`).
pub(crate) fn recombine<const H: usize, const F: usize>(
    m2: &Uint<H>,
    h: &Uint<H>,
    q: &Uint<H>,
) -> [u64; F] {
    let (lo, hi) = h.widening_mul(q);
    let (lo, carry) = lo.carrying_add(m2, crypto_bigint::Limb::ZERO);
    let (hi, _) = hi.carrying_add(&Uint::ZERO, carry);
    let mut out = [0u64; F];
    out[..H].copy_from_slice(lo.as_words());
    out[H..].copy_from_slice(hi.as_words());
    out
}

impl<const H: usize, const F: usize> Drop for PortableCrt<H, F> {
    fn drop(&mut self) {
        self.p.zeroize();
        self.q.zeroize();
        self.p_int.zeroize();
        self.q_int.zeroize();
        self.dp.zeroize();
        self.dq.zeroize();
        self.qinv.zeroize();
        self.r_p.zeroize();
        self.r_q.zeroize();
    }
}

/// Arithmetic modulo the public modulus `n` (`F` words).
pub(crate) struct PortableModN<const F: usize> {
    pub(crate) params: FixedMontyParams<F>,
}

impl<const F: usize> PortableModN<F> {
    pub(crate) fn new(n: &[u64; F]) -> Option<Self> {
        let n = Option::from(Odd::new(Uint::<F>::from_words(*n)))?;
        Some(PortableModN {
            params: FixedMontyParams::new_vartime(n),
        })
    }

    /// Into Montgomery form (any `F`-word integer; reduced mod n).
    pub(crate) fn to_mont(&self, x: &[u64; F]) -> FixedMontyForm<F> {
        FixedMontyForm::new(&Uint::from_words(*x), &self.params)
    }

    /// Out of Montgomery form, fully reduced.
    pub(crate) fn retrieve(&self, x: &FixedMontyForm<F>) -> [u64; F] {
        x.retrieve().to_words()
    }

    /// `x^e mod n` for the public exponent (variable time in `e` only).
    pub(crate) fn pow_public(&self, x: &[u64; F], e: u64) -> [u64; F] {
        let x = self.to_mont(x);
        x.pow_vartime(&Uint::<1>::from_u64(e)).retrieve().to_words()
    }
}
