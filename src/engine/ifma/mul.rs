//! Multiplication: Gueron's almost Montgomery multiplication with IFMA (`amm`, up to two
//! independent products interleaved), the vector carry normalization, and the Montgomery
//! context of one modulus ([`Ctx`]).

use core::arch::x86_64::{
    __m512i, _mm_cvtsi128_si64, _mm_extract_epi64, _mm256_alignr_epi64, _mm256_madd52hi_epu64,
    _mm256_madd52lo_epu64, _mm256_setzero_si256, _mm512_add_epi64, _mm512_alignr_epi64,
    _mm512_and_si512, _mm512_castsi256_si512, _mm512_castsi512_si128, _mm512_castsi512_si256,
    _mm512_cmpeq_epu64_mask, _mm512_cmpgt_epu64_mask, _mm512_madd52hi_epu64, _mm512_madd52lo_epu64,
    _mm512_mask_add_epi64, _mm512_mask_set1_epi64, _mm512_set1_epi64, _mm512_setzero_si512,
    _mm512_srli_epi64, _mm512_zextsi256_si512,
};

use crypto_bigint::{BoxedUint, NonZero, Resize};
use zeroize::Zeroize;

use super::num::{MASK, Num, load, store};

/// Keeps `x` in a general-purpose register: stops LLVM's SLP vectorizer from packing the two
/// halves' scalar chains into vector registers (which costs more moves than it saves: up to 40 %
/// of the kernel's time when it happens).
#[inline(always)]
fn scalar(x: &mut u64) {
    // SAFETY: an empty assembly block that only names `x`'s register; it reads and writes no
    // memory, keeps the stack and flags, and leaves `x` unchanged.
    unsafe {
        core::arch::asm!(
            "/* {0} */",
            inout(reg) * x,
            options(nomem, nostack, preserves_flags)
        )
    }
}

/// `r + lo52(a·b)` lane-wise; only the low four lanes when `HALF` (the upper lanes are then
/// unspecified and never read).
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
#[inline]
fn madd_lo<const HALF: bool>(r: __m512i, a: __m512i, b: __m512i) -> __m512i {
    if HALF {
        _mm512_castsi256_si512(_mm256_madd52lo_epu64(
            _mm512_castsi512_si256(r),
            _mm512_castsi512_si256(a),
            _mm512_castsi512_si256(b),
        ))
    } else {
        _mm512_madd52lo_epu64(r, a, b)
    }
}

/// `r + hi52(a·b)` lane-wise, as [`madd_lo`].
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
#[inline]
fn madd_hi<const HALF: bool>(r: __m512i, a: __m512i, b: __m512i) -> __m512i {
    if HALF {
        _mm512_castsi256_si512(_mm256_madd52hi_epu64(
            _mm512_castsi512_si256(r),
            _mm512_castsi512_si256(a),
            _mm512_castsi512_si256(b),
        ))
    } else {
        _mm512_madd52hi_epu64(r, a, b)
    }
}

/// Montgomery context of one odd modulus of at most `52·N − 2` bits.
pub(super) struct Ctx<const V: usize> {
    pub(super) m: Num<V>,
    /// `−m⁻¹ mod 2⁵²`.
    k0: u64,
    /// Digits per number (`R = 2^(52·n)`).
    pub(super) n: usize,
    /// `R² mod m`.
    pub(super) rr: Num<V>,
    /// `R³ mod m` (reduces the high half of a double-size input).
    pub(super) rrr: Num<V>,
    /// `R mod m` (Montgomery one).
    pub(super) one: Num<V>,
    /// Plain 1.
    unit: Num<V>,
}

impl<const V: usize> Zeroize for Ctx<V> {
    fn zeroize(&mut self) {
        self.m.zeroize();
        self.k0.zeroize();
        self.rr.zeroize();
        self.rrr.zeroize();
        self.one.zeroize();
    }
}

impl<const V: usize> Ctx<V> {
    /// For an odd modulus given as 64-bit words with `bits` significant bits.
    #[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
    pub(super) fn new(m_words: &[u64], bits: usize) -> Option<Self> {
        let n = (bits + 2).div_ceil(52);
        if n > 8 * V || m_words.first()? & 1 == 0 {
            return None;
        }
        let m = Num::<V>::from_words(m_words);
        // −m⁻¹ mod 2⁶⁴ by Newton's iteration (fixed count: constant time).
        let m0 = m_words[0];
        let mut inv = m0;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(inv)));
        }
        let k0 = inv.wrapping_neg() & MASK;
        // R² mod m with crypto-bigint's constant-time remainder.
        let r_bits = (52 * n) as u32;
        inv.zeroize();
        let modulus = BoxedUint::from_words(m_words.iter().copied());
        let modulus = NonZero::new(modulus.resize(2 * r_bits + 64));
        let modulus: Option<NonZero<BoxedUint>> = modulus.into();
        let modulus = modulus?;
        let r2 = BoxedUint::one_with_precision(2 * r_bits + 64).shl(2 * r_bits);
        let mut rr_big = &r2 % &modulus;
        // The copy of the (possibly secret) modulus goes with the remainder.
        let mut modulus = modulus.get();
        modulus.zeroize();
        let rr = Num::<V>::from_words(rr_big.as_words());
        rr_big.zeroize();
        let mut unit = Num::<V>::ZERO;
        unit.0[0][0] = 1;
        let mut ctx = Ctx {
            m,
            k0,
            n,
            rr,
            rrr: Num::ZERO,
            one: Num::ZERO,
            unit,
        };
        let [mut rrr] = ctx.mul1(&ctx.rr, &ctx.rr);
        rrr.reduce_once(&ctx.m);
        let [mut one] = ctx.mul1(&ctx.rr, &ctx.unit);
        one.reduce_once(&ctx.m);
        ctx.rrr = rrr;
        ctx.one = one;
        Some(ctx)
    }

    /// One almost-Montgomery product.
    #[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
    pub(super) fn mul1(&self, a: &Num<V>, b: &Num<V>) -> [Num<V>; 1] {
        let mut out = [Num::ZERO; 1];
        amm::<V, 1>([a], [b], [&self.m], [self.k0], self.n, &mut out);
        out
    }

    /// Out of Montgomery form, fully reduced.
    #[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
    pub(super) fn retrieve(&self, a: &Num<V>) -> Num<V> {
        let [mut out] = self.mul1(a, &self.unit);
        out.reduce_once(&self.m);
        out
    }
}

/// Two almost-Montgomery products at once, for two contexts.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
pub(super) fn mul2<const V: usize>(
    c: [&Ctx<V>; 2],
    a: [&Num<V>; 2],
    b: [&Num<V>; 2],
) -> [Num<V>; 2] {
    let mut out = [Num::ZERO; 2];
    mul2_into(c, a, b, &mut out);
    out
}

/// [`mul2`] into `out` (no copy of the result).
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
pub(super) fn mul2_into<const V: usize>(
    c: [&Ctx<V>; 2],
    a: [&Num<V>; 2],
    b: [&Num<V>; 2],
    out: &mut [Num<V>; 2],
) {
    debug_assert_eq!(c[0].n, c[1].n);
    amm::<V, 2>(a, b, [&c[0].m, &c[1].m], [c[0].k0, c[1].k0], c[0].n, out)
}

/// `K` independent almost-Montgomery multiplications `a·b·R⁻¹ mod m`, interleaved.
///
/// Inputs must be normalized (digits < 2⁵²) with zero digits from `n` on, and
/// `a, b < 2^(52n)`; outputs are normalized and `< a·b/R + m`.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn amm<const V: usize, const K: usize>(
    a: [&Num<V>; K],
    b: [&Num<V>; K],
    m: [&Num<V>; K],
    k0: [u64; K],
    n: usize,
    out: &mut [Num<V>; K],
) {
    // When the digits end in the low half of the last vector, that vector runs at 256 bits.
    if n <= 8 * V - 4 {
        amm_inner::<V, K, true>(a, b, m, k0, n, out)
    } else {
        amm_inner::<V, K, false>(a, b, m, k0, n, out)
    }
}

#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
#[inline]
fn amm_inner<const V: usize, const K: usize, const HALF: bool>(
    a: [&Num<V>; K],
    b: [&Num<V>; K],
    m: [&Num<V>; K],
    k0: [u64; K],
    n: usize,
    out: &mut [Num<V>; K],
) {
    let zero = _mm512_setzero_si512();
    let mut av = [[zero; V]; K];
    let mut mv = [[zero; V]; K];
    let mut r = [[zero; V]; K];
    let mut a0 = [0u64; K];
    let mut m0 = [0u64; K];
    let mut a1 = [0u64; K];
    let mut m1 = [0u64; K];
    for h in 0..K {
        for v in 0..V {
            av[h][v] = load(&a[h].0[v]);
            mv[h][v] = load(&m[h].0[v]);
        }
        a0[h] = a[h].0[0][0];
        m0[h] = m[h].0[0][0];
        a1[h] = a[h].0[0][1];
        m1[h] = m[h].0[0][1];
    }
    // The true value of lane 0 (the vector's lane 0 misses the carries folded in here).
    let mut acc = [0u64; K];
    for i in 0..n {
        for h in 0..K {
            // Lane 1 now becomes lane 0 after this step; its final value is computed in scalar
            // registers below so the next quotient does not wait for the vector updates.
            let l1 = _mm_extract_epi64::<1>(_mm512_castsi512_si128(r[h][0])) as u64;
            let bi = b[h].0[i / 8][i % 8];
            let t = acc[h] + (a0[h].wrapping_mul(bi) & MASK);
            let mut y = t.wrapping_mul(k0[h]) & MASK;
            scalar(&mut y);
            let q = u128::from(m0[h]) * u128::from(y);
            // Lane 0 of a·bᵢ + m·y is ≡ 0 mod 2⁵²: only its carry moves on.
            let carry = (t + (q as u64 & MASK)) >> 52;
            let bv = _mm512_set1_epi64(bi as i64);
            let yv = _mm512_set1_epi64(y as i64);
            // hi(a·bᵢ) does not depend on the accumulator: compute it aside, add it after the shift.
            let mut hi_ab = [zero; V];
            for v in 0..V {
                hi_ab[v] = if HALF && v == V - 1 {
                    madd_hi::<true>(zero, av[h][v], bv)
                } else {
                    madd_hi::<false>(zero, av[h][v], bv)
                };
            }
            for v in 0..V {
                if HALF && v == V - 1 {
                    r[h][v] = madd_lo::<true>(r[h][v], av[h][v], bv);
                    r[h][v] = madd_lo::<true>(r[h][v], mv[h][v], yv);
                } else {
                    r[h][v] = madd_lo::<false>(r[h][v], av[h][v], bv);
                    r[h][v] = madd_lo::<false>(r[h][v], mv[h][v], yv);
                }
            }
            // hi(a₀bᵢ) for the scalar side, from the vector unit (cheaper than a 128-bit product).
            let mut hi_p = _mm_cvtsi128_si64(_mm512_castsi512_si128(hi_ab[0])) as u64;
            scalar(&mut hi_p);
            // Shift down one digit (lane 0 is done).
            for v in 0..V {
                if HALF && v == V - 1 {
                    r[h][v] = _mm512_castsi256_si512(_mm256_alignr_epi64::<1>(
                        _mm256_setzero_si256(),
                        _mm512_castsi512_si256(r[h][v]),
                    ));
                } else {
                    let next = if v + 1 < V { r[h][v + 1] } else { zero };
                    r[h][v] = _mm512_alignr_epi64::<1>(next, r[h][v]);
                }
            }
            // High halves of digit j's products belong to digit j + 1, i.e. lane j after the shift.
            for v in 0..V {
                let hi_my = if HALF && v == V - 1 {
                    madd_hi::<true>(hi_ab[v], mv[h][v], yv)
                } else {
                    madd_hi::<false>(hi_ab[v], mv[h][v], yv)
                };
                r[h][v] = _mm512_add_epi64(r[h][v], hi_my);
            }
            // New lane 0 = old lane 1 + lo(a₁bᵢ) + lo(m₁y) + hi(a₀bᵢ) + hi(m₀y) + carry.
            acc[h] = l1
                + (a1[h].wrapping_mul(bi) & MASK)
                + (m1[h].wrapping_mul(y) & MASK)
                + hi_p
                + (q >> 52) as u64
                + carry;
        }
    }
    for h in 0..K {
        if HALF {
            // Only the low four lanes are defined; the upper digits are zero.
            r[h][V - 1] = _mm512_zextsi256_si512(_mm512_castsi512_si256(r[h][V - 1]));
        }
        r[h][0] = _mm512_mask_set1_epi64(r[h][0], 1, acc[h] as i64);
        normalize_vec(&mut r[h]);
        for v in 0..V {
            store(&mut out[h].0[v], r[h][v]);
        }
    }
}

/// Carries every lane's excess into the next: digits below 2⁵² (the value must fit in `8·V`
/// digits). Constant time: two vector passes and mask arithmetic, no branches.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
#[inline]
fn normalize_vec<const V: usize>(r: &mut [__m512i; V]) {
    let mask = _mm512_set1_epi64(MASK as i64);
    let zero = _mm512_setzero_si512();
    // Pass 1: each lane keeps its low 52 bits and takes the carry of the lane below.
    let mut carry = [zero; V];
    for v in 0..V {
        carry[v] = _mm512_srli_epi64::<52>(r[v]);
        r[v] = _mm512_and_si512(r[v], mask);
    }
    for v in 0..V {
        let below = if v > 0 { carry[v - 1] } else { zero };
        r[v] = _mm512_add_epi64(r[v], _mm512_alignr_epi64::<7>(carry[v], below));
    }
    // Pass 2: lanes are now below 2⁵² + 2¹²; a lane above the mask generates a carry of one,
    // a lane equal to it propagates one. With G and P those lane masks, the carries into the
    // lanes are the carries of the binary sum G + (G | P), i.e. (G + (G | P)) ^ P.
    // Up to 8 vectors the lane masks fit a u64; beyond (public moduli over 3.3 kbit), a u128.
    let one = _mm512_set1_epi64(1);
    macro_rules! ripple {
        ($t:ty) => {{
            let mut g: $t = 0;
            let mut p: $t = 0;
            for v in 0..V {
                g |= <$t>::from(_mm512_cmpgt_epu64_mask(r[v], mask)) << (8 * v);
                p |= <$t>::from(_mm512_cmpeq_epu64_mask(r[v], mask)) << (8 * v);
            }
            let c = g.wrapping_add(g | p) ^ p;
            for v in 0..V {
                let k = (c >> (8 * v)) as u8;
                r[v] = _mm512_and_si512(_mm512_mask_add_epi64(r[v], k, r[v], one), mask);
            }
        }};
    }
    if V <= 8 { ripple!(u64) } else { ripple!(u128) }
}

#[cfg(test)]
mod tests {
    use super::super::cpu::available;
    use super::*;

    /// `normalize_vec` against the scalar `Num::normalize` on ripple-prone and random lanes.
    #[test]
    fn vector_normalization_matches_scalar() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: the vector normalization is not exercised");
            return;
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut cases: Vec<Num<3>> = Vec::new();
        // A carry out of lane 0 rippling through every lane equal to the mask.
        let mut ripple = Num::<3>::ZERO;
        for j in 0..23 {
            *ripple.digit_mut(j) = MASK;
        }
        *ripple.digit_mut(0) = MASK + 1;
        cases.push(ripple);
        // Lanes at the mask with no carry in; lanes just above it; large lanes.
        let mut edge = Num::<3>::ZERO;
        for j in 0..22 {
            *edge.digit_mut(j) = match j % 4 {
                0 => MASK,
                1 => MASK + 1,
                2 => (1 << 58) + MASK,
                _ => 0,
            };
        }
        cases.push(edge);
        for _ in 0..2000 {
            let mut x = Num::<3>::ZERO;
            // Up to 2⁵⁸ per lane over 21 lanes: the value fits in 24 digits.
            for j in 0..21 {
                let r = next();
                *x.digit_mut(j) = match r % 4 {
                    0 => MASK,
                    1 => r >> 6,
                    _ => r & MASK,
                };
            }
            cases.push(x);
        }
        for case in cases {
            let mut want = case;
            want.normalize();
            let mut got = Num::<3>::ZERO;
            // SAFETY: `available()` was checked above; rows are 64-byte arrays.
            unsafe {
                let mut v = [_mm512_setzero_si512(); 3];
                for (i, row) in v.iter_mut().enumerate() {
                    *row = load(&case.0[i]);
                }
                normalize_vec(&mut v);
                for (i, row) in v.iter().enumerate() {
                    store(&mut got.0[i], *row);
                }
            }
            assert_eq!(got.0, want.0);
        }
    }
}
