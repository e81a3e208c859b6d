//! The private-key operation by CRT on the portable kernels.

use crypto_bigint::modular::FixedMontyParams;
use crypto_bigint::{Odd, Uint};
use zeroize::Zeroize;

use super::arith::Modulus;
use crate::engine::ct;

/// Exponent bits per window: 2^5 table entries, one multiplication per 5 squarings.
const WINDOW: usize = 5;
const TABLE: usize = 1 << WINDOW;

/// CRT private-key data for primes of at most `64 * H` bits and a modulus of `64 * F` bits
/// (`F == 2 * H`). Every field is zeroized on drop; `Debug` is not implemented.
pub(crate) struct PortableCrt<const H: usize, const F: usize> {
    p: Modulus<H>,
    q: Modulus<H>,
    dp: [u64; H],
    dq: [u64; H],
    p_bits: u32,
    q_bits: u32,
    /// `R³ mod p`, `R³ mod q`: bring `c·R⁻¹` (the reduction of a double-width input) to `c·R`.
    r3_p: [u64; H],
    r3_q: [u64; H],
    /// `qinv·R² mod p`: one multiplication by it turns `x` into `x·qinv·R`.
    qinv_r2: [u64; H],
}

/// The Montgomery constants of a secret prime, computed in constant time by crypto-bigint.
fn prime_modulus<const H: usize>(p: &[u64; H]) -> Option<(Modulus<H>, [u64; H])> {
    let odd = Option::from(Odd::new(Uint::<H>::from_words(*p)))?;
    let mut params = FixedMontyParams::new(odd);
    let m = Modulus::new(
        *p,
        params.mod_neg_inv().0,
        params.one().to_words(),
        params.r2().to_words(),
    );
    params.zeroize();
    // mul(R², R²) = R⁴·R⁻¹ = R³ (mod p); almost reduced is enough for a multiplier.
    let r3 = m.mul(&m.r2, &m.r2);
    Some((m, r3))
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
        let (pm, r3_p) = prime_modulus(p)?;
        let (qm, r3_q) = prime_modulus(q)?;
        // mul(qinv, R³) = qinv·R² (mod p).
        let qinv_r2 = pm.mul(qinv, &r3_p);
        Some(PortableCrt {
            p: pm,
            q: qm,
            dp: *dp,
            dq: *dq,
            p_bits,
            q_bits,
            r3_p,
            r3_q,
            qinv_r2,
        })
    }

    /// Every secret array, for the memcheck constant-time check (feature `bench-internals`).
    #[cfg(feature = "bench-internals")]
    pub(crate) fn for_each_secret(&self, f: &mut dyn FnMut(&[u64])) {
        for m in [&self.p, &self.q] {
            m.for_each_secret(f);
        }
        for a in [&self.dp, &self.dq, &self.r3_p, &self.r3_q, &self.qinv_r2] {
            f(a);
        }
    }

    /// `c^d mod n` for `c < n`, by CRT. `c` and the result are little-endian words of `F` limbs.
    pub(crate) fn private(&self, c: &[u64; F]) -> [u64; F] {
        let mut lo = [0u64; H];
        let mut hi = [0u64; H];
        lo.copy_from_slice(&c[..H]);
        hi.copy_from_slice(&c[H..]);
        // c·R mod p: the high half is below p because c < n = p·q and q < R.
        let mut xp = self.p.mul(&self.p.redc(&lo, &hi), &self.r3_p);
        let mut xq = self.q.mul(&self.q.redc(&lo, &hi), &self.r3_q);
        let [mut m1, mut m2m] = pow(
            [&self.p, &self.q],
            [&xp, &xq],
            [&self.dp, &self.dq],
            self.p_bits.max(self.q_bits),
        );
        let mut m1r = self.p.retrieve(&m1);
        let mut m2 = self.q.retrieve(&m2m);
        // m2 mod p (q may exceed p): reduce the single-width value through Montgomery form.
        let mut m2p = self.p.retrieve(&self.p.to_mont(&m2));
        // h = qinv·(m1 − m2) mod p
        let mut diff = self.p.sub_mod(&m1r, &m2p);
        let mut h = self.p.retrieve(&self.p.mul(&diff, &self.qinv_r2));
        let out = recombine(&m2, &h, &self.q.m);
        for t in [
            &mut lo, &mut hi, &mut xp, &mut xq, &mut m1, &mut m2m, &mut m1r, &mut m2, &mut m2p,
            &mut diff, &mut h,
        ] {
            t.zeroize();
        }
        out
    }
}

/// Bits `[pos, pos + WINDOW)` of a little-endian word string (zero beyond its end). `pos` is
/// public; the exponent words are read at fixed positions only.
fn window<const H: usize>(e: &[u64; H], pos: usize) -> usize {
    let (w, off) = (pos / 64, pos % 64);
    let lo = e.get(w).copied().unwrap_or(0) >> off;
    let hi = if off > 64 - WINDOW {
        e.get(w + 1).copied().unwrap_or(0) << (64 - off)
    } else {
        0
    };
    ((lo | hi) & ((1 << WINDOW) - 1)) as usize
}

/// `x[k]^e[k]` modulo both primes at once, in Montgomery form (almost reduced), for `x[k]` in
/// Montgomery form, over `bits` exponent bits (a public bound for both): fixed windows, the same
/// squarings and multiplications for every exponent. The interleaved kernels keep two independent
/// dependency chains in flight (~5% faster than one prime after the other).
fn pow<const H: usize>(
    m: [&Modulus<H>; 2],
    x: [&[u64; H]; 2],
    e: [&[u64; H]; 2],
    bits: u32,
) -> [[u64; H]; 2] {
    let mut table = [[[0u64; H]; 2]; TABLE];
    table[0] = [m[0].one, m[1].one];
    table[1] = [*x[0], *x[1]];
    for j in 2..TABLE {
        table[j] = if j % 2 == 0 {
            let t = &table[j / 2];
            Modulus::sqr_x2(m, [&t[0], &t[1]])
        } else {
            let t = &table[j - 1];
            Modulus::mul_x2(m, [&t[0], &t[1]], x)
        };
    }
    let windows = (bits as usize).div_ceil(WINDOW).max(1);
    let top = (windows - 1) * WINDOW;
    let mut acc = lookup(&table, [window(e[0], top), window(e[1], top)]);
    for w in (0..windows - 1).rev() {
        for _ in 0..WINDOW {
            acc = Modulus::sqr_x2(m, [&acc[0], &acc[1]]);
        }
        let pos = w * WINDOW;
        let mut t = lookup(&table, [window(e[0], pos), window(e[1], pos)]);
        acc = Modulus::mul_x2(m, [&acc[0], &acc[1]], [&t[0], &t[1]]);
        t.zeroize();
    }
    table.zeroize();
    acc
}

/// `[table[idx[0]][0], table[idx[1]][1]]` by a scan of every entry: each entry is read whole and
/// kept or dropped by a mask the optimiser cannot see through ([`ct::eq_masks`]), so no branch or
/// address depends on `idx`.
fn lookup<const H: usize>(table: &[[[u64; H]; 2]; TABLE], idx: [usize; 2]) -> [[u64; H]; 2] {
    let masks = [
        ct::eq_masks::<TABLE>(idx[0] as u64),
        ct::eq_masks::<TABLE>(idx[1] as u64),
    ];
    let mut out = [[0u64; H]; 2];
    for (j, entry) in table.iter().enumerate() {
        for ((out, entry), masks) in out.iter_mut().zip(entry).zip(&masks) {
            let mask = masks[j];
            for (o, &w) in out.iter_mut().zip(entry) {
                *o |= w & mask;
            }
        }
    }
    out
}

/// `m2 + h·q` as `F` words (< n when `m2 < q`, `h < p`).
fn recombine<const H: usize, const F: usize>(
    m2: &[u64; H],
    h: &[u64; H],
    q: &[u64; H],
) -> [u64; F] {
    let mut out = [0u64; F];
    out[..H].copy_from_slice(m2);
    for (i, &hi) in h.iter().enumerate() {
        let mut carry = 0u64;
        for (j, &qj) in q.iter().enumerate() {
            // Cannot overflow (at most (2^64 − 1)² + 2·(2^64 − 1) = 2^128 − 1); wrapping
            // operations keep debug builds' overflow checks, branches on secret values, out.
            let t = u128::from(hi)
                .wrapping_mul(u128::from(qj))
                .wrapping_add(u128::from(out[i + j]))
                .wrapping_add(u128::from(carry));
            out[i + j] = t as u64;
            carry = (t >> 64) as u64;
        }
        // out[i + H] has not been written by this or any later row yet beyond earlier carries.
        let mut k = i + H;
        let mut c = carry;
        while k < F {
            let (s, o) = out[k].overflowing_add(c);
            out[k] = s;
            c = u64::from(o);
            k += 1;
        }
    }
    out
}

impl<const H: usize, const F: usize> Drop for PortableCrt<H, F> {
    fn drop(&mut self) {
        self.p.zeroize();
        self.q.zeroize();
        self.dp.zeroize();
        self.dq.zeroize();
        self.r3_p.zeroize();
        self.r3_q.zeroize();
        self.qinv_r2.zeroize();
    }
}
