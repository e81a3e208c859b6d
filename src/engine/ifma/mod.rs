//! The AVX-512 IFMA kernel: the only module of the crate with `unsafe` code.
//!
//! # Why `unsafe`
//!
//! The kernel uses `core::arch::x86_64` AVX-512 IFMA intrinsics (`vpmadd52luq`/`vpmadd52huq`),
//! which needs (1) `#[target_feature]` functions, callable only where the CPU is known to have the
//! features, (2) unaligned vector loads and stores through raw pointers, and (3) one empty
//! `asm!` block ([`scalar`]) that pins a value to a general-purpose register: without it LLVM's
//! SLP vectorizer may pack the two CRT halves' scalar quotient chains into vector registers,
//! which made the kernel up to 40 % slower in our measurements.
//!
//! # Invariants
//!
//! - Every function that executes an AVX-512 instruction carries
//!   `#[target_feature(enable = ...)]`, so the compiler itself refuses a call from code that does
//!   not have the features, unless that call is in an `unsafe` block. There are exactly such calls:
//!   in [`Crt::new`], [`Crt::private`], [`ModN::new`] and the [`ModN`] methods, each after (or
//!   holding a value that proves) [`available`] (run-time CPUID detection via
//!   `is_x86_feature_detected!`): a `Crt`/`ModN` can only be built by its `new`, which returns
//!   `None` unless the features are present.
//! - Loads and stores go through [`load`] and [`store`] on `[u64; 8]` rows of a [`Num`]: always
//!   64 bytes, in bounds, of plain integers (any bit pattern is valid).

//! # Arithmetic
//!
//! Numbers are `8·V` little-endian 52-bit digits in `V` 512-bit vectors. Multiplication is
//! Gueron's "almost Montgomery multiplication" with `R = 2^(52·N)` (`N` the digit count of the
//! modulus, `52·N ≥ bits + 2`, so `4m ≤ R`): for `a, b < 2^(bits+2)` it returns a value
//! `≡ a·b·R⁻¹ (mod m)` below `2m`, never needing a final subtraction inside an exponentiation.
//! The modulus digit `m₀` and the product digit `a₀·bᵢ` are tracked in scalar registers to find
//! each step's Montgomery quotient; the vector lanes accumulate without carries (at most
//! `4N·2⁵²` per lane) and are normalized once per multiplication, in vector registers (a carry
//! pass, then the remaining single carries rippled with lane-mask arithmetic). The two CRT halves
//! run in the same loop (`K = 2`) so their independent dependency chains overlap; the
//! exponentiation alternates two result buffers so no product is copied.
//!
//! Exponentiation is a fixed 5-bit window over all `⌈bits/5⌉` windows of the (secret) exponent:
//! five squarings and one multiplication per window, the multiplier taken from a 32-entry table by
//! a scan of every entry: each row is loaded whole and ANDed with a lane mask (from a vector
//! compare of the entry number with the window) hidden from the optimiser. No masked load is
//! used, so which cache lines are touched cannot depend on the mask.
//!
//! # Constant time, and how it is checked
//!
//! No branch or memory address depends on secret data: the windows are read at public positions,
//! every table row is read, and the conditional subtractions ([`Num::reduce_once`]) select with a
//! mask that passes through an optimisation barrier (`super::ct`); without it LLVM compiled the
//! selection to a branch (`test; js`). Valgrind cannot run AVX-512 code, so unlike the portable
//! kernel (`tests/ctgrind.rs`, memcheck with the key marked undefined) this kernel is checked by
//! reading its disassembly (no conditional jump in `lookup_into`, `reduce_once` or the
//! exponentiation loop besides the public loop counters; done when this was written, with
//! `objdump -d --no-show-raw-insn` on the release library) and by the dudect-style timing bench
//! (`benches/engine_timing.rs`).

#![allow(unsafe_code)]
// Lane-indexed loops over several parallel vector arrays read best with explicit indices.
#![allow(clippy::needless_range_loop)]

use core::arch::x86_64::{
    __m512i, _mm_cvtsi128_si64, _mm_extract_epi64, _mm256_alignr_epi64, _mm256_madd52hi_epu64,
    _mm256_madd52lo_epu64, _mm256_setzero_si256, _mm512_add_epi64, _mm512_alignr_epi64,
    _mm512_and_si512, _mm512_castsi256_si512, _mm512_castsi512_si128, _mm512_castsi512_si256,
    _mm512_cmpeq_epi64_mask, _mm512_cmpeq_epu64_mask, _mm512_cmpgt_epu64_mask, _mm512_loadu_epi64,
    _mm512_madd52hi_epu64, _mm512_madd52lo_epu64, _mm512_mask_add_epi64, _mm512_mask_mov_epi64,
    _mm512_mask_set1_epi64, _mm512_or_si512, _mm512_set1_epi64, _mm512_setzero_si512,
    _mm512_srli_epi64, _mm512_storeu_epi64, _mm512_zextsi256_si512,
};

use crypto_bigint::{BoxedUint, NonZero, Resize};
use zeroize::Zeroize;

use super::ct;

const MASK: u64 = (1 << 52) - 1;
const WINDOW: usize = 5;
const TABLE: usize = 1 << WINDOW;

/// Whether the CPU has AVX-512F, AVX-512VL and AVX-512 IFMA.
pub(crate) fn available() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512vl")
        && std::is_x86_feature_detected!("avx512ifma")
}

/// `8·V` 52-bit digits, little-endian, 64-byte aligned.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Num<const V: usize>([[u64; 8]; V]);

impl<const V: usize> Num<V> {
    const ZERO: Self = Num([[0; 8]; V]);

    fn digit(&self, i: usize) -> u64 {
        self.0[i / 8][i % 8]
    }

    fn digit_mut(&mut self, i: usize) -> &mut u64 {
        &mut self.0[i / 8][i % 8]
    }

    /// From little-endian 64-bit words (bits beyond `52·8·V` must be zero; they are dropped).
    fn from_words(words: &[u64]) -> Self {
        let mut out = Self::ZERO;
        for j in 0..8 * V {
            let bit = 52 * j;
            let (w, off) = (bit / 64, bit % 64);
            if w >= words.len() {
                break;
            }
            let mut d = words[w] >> off;
            if off > 12 && w + 1 < words.len() {
                d |= words[w + 1] << (64 - off);
            }
            *out.digit_mut(j) = d & MASK;
        }
        out
    }

    /// Into little-endian 64-bit words (digits normalized; the value must fit in `out`).
    fn write_words(&self, out: &mut [u64]) {
        out.fill(0);
        for j in 0..8 * V {
            let bit = 52 * j;
            let (w, off) = (bit / 64, bit % 64);
            let d = self.digit(j);
            if w < out.len() {
                out[w] |= d << off;
            }
            if off > 12 && w + 1 < out.len() {
                out[w + 1] |= d >> (64 - off);
            }
        }
    }

    /// Propagates carries so every digit is below 2⁵² (the value must fit in `8·V` digits).
    fn normalize(&mut self) {
        let mut carry = 0u64;
        for row in self.0.iter_mut() {
            for d in row.iter_mut() {
                let t = *d + carry;
                *d = t & MASK;
                carry = t >> 52;
            }
        }
    }

    /// `self − m` when `self ≥ m`, else `self`, in constant time (both normalized).
    fn reduce_once(&mut self, m: &Self) {
        let mut diff = Self::ZERO;
        let mut borrow = 0u64;
        for j in 0..8 * V {
            let t = self.digit(j).wrapping_sub(m.digit(j)).wrapping_sub(borrow);
            *diff.digit_mut(j) = t & MASK;
            borrow = t >> 63;
        }
        // borrow == 0 ⇔ self ≥ m ⇔ take the difference; the mask is opaque to the optimiser,
        // which otherwise compiled this selection to a branch (`test; js`).
        let take = ct::mask(borrow ^ 1);
        for j in 0..8 * V {
            let d = self.digit_mut(j);
            *d = (diff.digit(j) & take) | (*d & !take);
        }
    }

    /// `a + 2m − b` for `b < 2m`, normalized (constant time).
    fn add_2m_sub(a: &Self, m: &Self, b: &Self) -> Self {
        let mut out = Self::ZERO;
        let mut carry = 0i64;
        for j in 0..8 * V {
            let t = a.digit(j) as i64 + 2 * m.digit(j) as i64 - b.digit(j) as i64 + carry;
            *out.digit_mut(j) = (t as u64) & MASK;
            carry = t >> 52;
        }
        out
    }

    /// `a + b`, normalized.
    fn add(a: &Self, b: &Self) -> Self {
        let mut out = Self::ZERO;
        for j in 0..8 * V {
            *out.digit_mut(j) = a.digit(j) + b.digit(j);
        }
        out.normalize();
        out
    }
}

impl<const V: usize> Zeroize for Num<V> {
    fn zeroize(&mut self) {
        for row in self.0.iter_mut() {
            row.zeroize();
        }
    }
}

/// One 512-bit row of a [`Num`]: a full load of all 64 bytes.
#[target_feature(enable = "avx512f")]
#[inline]
fn load(row: &[u64; 8]) -> __m512i {
    // SAFETY: `row` is 64 readable bytes; `vmovdqu64` has no alignment requirement. AVX-512F is
    // enabled on this function, so the compiler requires every caller to have it too.
    unsafe { _mm512_loadu_epi64(row.as_ptr().cast()) }
}

#[target_feature(enable = "avx512f")]
#[inline]
fn store(row: &mut [u64; 8], v: __m512i) {
    // SAFETY: `row` is 64 writable bytes of plain integers; as in `load`.
    unsafe { _mm512_storeu_epi64(row.as_mut_ptr().cast(), v) }
}

/// Hides a vector from the optimiser (an empty assembly block that names its register), so a
/// mask made of all-ones and zero lanes is not turned back into a masked load.
#[target_feature(enable = "avx512f")]
#[inline]
fn opaque(mut v: __m512i) -> __m512i {
    // SAFETY: an empty assembly block: no memory, stack or flags are touched, `v` is unchanged.
    unsafe {
        core::arch::asm!(
            "/* {0} */",
            inout(zmm_reg) v,
            options(pure, nomem, nostack, preserves_flags)
        )
    };
    v
}

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
struct Ctx<const V: usize> {
    m: Num<V>,
    /// `−m⁻¹ mod 2⁵²`.
    k0: u64,
    /// Digits per number (`R = 2^(52·n)`).
    n: usize,
    /// `R² mod m`.
    rr: Num<V>,
    /// `R³ mod m` (reduces the high half of a double-size input).
    rrr: Num<V>,
    /// `R mod m` (Montgomery one).
    one: Num<V>,
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
    fn new(m_words: &[u64], bits: usize) -> Option<Self> {
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
    fn mul1(&self, a: &Num<V>, b: &Num<V>) -> [Num<V>; 1] {
        let mut out = [Num::ZERO; 1];
        amm::<V, 1>([a], [b], [&self.m], [self.k0], self.n, &mut out);
        out
    }

    /// Out of Montgomery form, fully reduced.
    #[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
    fn retrieve(&self, a: &Num<V>) -> Num<V> {
        let [mut out] = self.mul1(a, &self.unit);
        out.reduce_once(&self.m);
        out
    }
}

/// Two almost-Montgomery products at once, for two contexts.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn mul2<const V: usize>(c: [&Ctx<V>; 2], a: [&Num<V>; 2], b: [&Num<V>; 2]) -> [Num<V>; 2] {
    let mut out = [Num::ZERO; 2];
    mul2_into(c, a, b, &mut out);
    out
}

/// [`mul2`] into `out` (no copy of the result).
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn mul2_into<const V: usize>(
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

/// Constant-time table lookup: entry `idx[h]` of column `h`, scanning all entries (both columns
/// in one pass). Every entry is loaded whole (a full 64-byte load per row, never a masked load,
/// whose effect on the cache for masked-off lanes is the hardware's business) and kept or dropped
/// in registers by an AND with a lane mask that the optimiser cannot see through ([`opaque`]).
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn lookup<const V: usize>(table: &[[Num<V>; 2]; TABLE], idx: [u64; 2]) -> [Num<V>; 2] {
    let mut out = [Num::<V>::ZERO; 2];
    lookup_into(table, idx, &mut out);
    out
}

/// [`lookup`] into `out`.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn lookup_into<const V: usize>(table: &[[Num<V>; 2]; TABLE], idx: [u64; 2], out: &mut [Num<V>; 2]) {
    let want = [
        _mm512_set1_epi64(idx[0] as i64),
        _mm512_set1_epi64(idx[1] as i64),
    ];
    let one = _mm512_set1_epi64(1);
    let ones = _mm512_set1_epi64(-1);
    let zero = _mm512_setzero_si512();
    let mut j = zero;
    let mut acc = [[zero; V]; 2];
    for entry in table.iter() {
        for h in 0..2 {
            let k = _mm512_cmpeq_epi64_mask(j, want[h]);
            // All-ones lanes for the wanted entry, zero lanes otherwise, in a register.
            let keep = opaque(_mm512_mask_mov_epi64(zero, k, ones));
            for v in 0..V {
                let row = load(&entry[h].0[v]);
                acc[h][v] = _mm512_or_si512(acc[h][v], _mm512_and_si512(row, keep));
            }
        }
        j = _mm512_add_epi64(j, one);
    }
    for h in 0..2 {
        for v in 0..V {
            store(&mut out[h].0[v], acc[h][v]);
        }
    }
}

/// Bits `[pos, pos + 5)` of a little-endian word string (zero beyond its end). `pos` is public.
fn window(e: &[u64], pos: usize) -> u64 {
    let (w, off) = (pos / 64, pos % 64);
    let lo = e.get(w).copied().unwrap_or(0) >> off;
    let hi = if off > 64 - WINDOW {
        e.get(w + 1).copied().unwrap_or(0) << (64 - off)
    } else {
        0
    };
    (lo | hi) & ((1 << WINDOW) - 1)
}

/// `x[h]^e[h]` for both halves, in Montgomery form, over `bits` exponent bits (public bound).
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn pow2<const V: usize>(
    c: [&Ctx<V>; 2],
    x: [&Num<V>; 2],
    e: [&[u64]; 2],
    bits: usize,
) -> [Num<V>; 2] {
    let mut table = [[Num::<V>::ZERO; 2]; TABLE];
    table[0] = [c[0].one, c[1].one];
    table[1] = [*x[0], *x[1]];
    for j in 2..TABLE {
        let prev = table[j - 1];
        table[j] = mul2(c, [&prev[0], &prev[1]], x);
    }
    let windows = bits.div_ceil(WINDOW).max(1);
    let top = (windows - 1) * WINDOW;
    // Two buffers used in turn, so no product is copied.
    let mut acc = lookup(&table, [window(e[0], top), window(e[1], top)]);
    let mut other = [Num::<V>::ZERO; 2];
    let (mut x, mut y) = (&mut acc, &mut other);
    // The multiplier of each window, zeroized once at the end.
    let mut t = [Num::<V>::ZERO; 2];
    for w in (0..windows - 1).rev() {
        for _ in 0..WINDOW {
            mul2_into(c, [&x[0], &x[1]], [&x[0], &x[1]], y);
            core::mem::swap(&mut x, &mut y);
        }
        let pos = w * WINDOW;
        lookup_into(&table, [window(e[0], pos), window(e[1], pos)], &mut t);
        mul2_into(c, [&x[0], &x[1]], [&t[0], &t[1]], y);
        core::mem::swap(&mut x, &mut y);
    }
    t[0].zeroize();
    t[1].zeroize();
    let result = *x;
    y[0].zeroize();
    y[1].zeroize();
    x[0].zeroize();
    x[1].zeroize();
    for row in table.iter_mut() {
        row[0].zeroize();
        row[1].zeroize();
    }
    result
}

/// CRT data for primes of one size (`V` vectors per half).
struct CrtV<const V: usize> {
    p: Ctx<V>,
    q: Ctx<V>,
    /// `dp`, `dq` as 64-bit words.
    dp: Vec<u64>,
    dq: Vec<u64>,
    /// `q⁻¹ mod p`, plain digits.
    qinv: Num<V>,
    /// `q` as 64-bit words, for the recombination.
    q_words: Vec<u64>,
    bits: usize,
}

impl<const V: usize> Drop for CrtV<V> {
    fn drop(&mut self) {
        self.p.zeroize();
        self.q.zeroize();
        self.dp.zeroize();
        self.dq.zeroize();
        self.qinv.zeroize();
        self.q_words.zeroize();
    }
}

impl<const V: usize> CrtV<V> {
    #[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
    fn new(
        p: &[u64],
        q: &[u64],
        dp: &[u64],
        dq: &[u64],
        qinv: &[u64],
        bits: usize,
    ) -> Option<Self> {
        let pc = Ctx::<V>::new(p, bits)?;
        let qc = Ctx::<V>::new(q, bits)?;
        Some(CrtV {
            p: pc,
            q: qc,
            dp: dp.to_vec(),
            dq: dq.to_vec(),
            qinv: Num::from_words(qinv),
            q_words: q.to_vec(),
            bits,
        })
    }

    /// `c^d mod n` for `c < n` (64-bit words, `c.len() == out.len()`, twice the half size).
    #[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
    fn private(&self, c: &[u64], out: &mut [u64]) {
        let n = self.p.n;
        let mut cn = Num2::<V>::from_words(c);
        // Split c at digit n: c = lo + hi·R.
        let (mut lo, mut hi) = cn.split(n);
        cn.zeroize();
        let c2 = [&self.p, &self.q];
        // c·R ≡ lo·R²·R⁻¹ + hi·R³·R⁻¹ (mod p, q)
        let mut a = mul2(c2, [&lo, &lo], [&self.p.rr, &self.q.rr]);
        let mut b = mul2(c2, [&hi, &hi], [&self.p.rrr, &self.q.rrr]);
        // x < 4m; two conditional subtractions bring it below 2m, where AMM is closed.
        let mut x = [Num::add(&a[0], &b[0]), Num::add(&a[1], &b[1])];
        for (xh, ch) in x.iter_mut().zip(c2) {
            xh.reduce_once(&ch.m);
            xh.reduce_once(&ch.m);
        }
        let mut m = pow2(c2, [&x[0], &x[1]], [&self.dp, &self.dq], self.bits);
        // m2 = (x^dq mod q), fully reduced; m1 stays in Montgomery form mod p.
        let mut m2 = self.q.retrieve(&m[1]);
        let [mut m2p] = self.p.mul1(&m2, &self.p.rr);
        let mut diff = Num::add_2m_sub(&m[0], &self.p.m, &m2p);
        let [mut h] = self.p.mul1(&diff, &self.qinv);
        h.reduce_once(&self.p.m);
        // s = m2 + h·q
        let half = out.len() / 2;
        let mut hw = vec![0u64; half];
        let mut m2w = vec![0u64; half];
        h.write_words(&mut hw);
        m2.write_words(&mut m2w);
        mul_add(&hw, &self.q_words, &m2w, out);
        for t in [&mut lo, &mut hi, &mut m2, &mut m2p, &mut diff, &mut h] {
            t.zeroize();
        }
        for t in a
            .iter_mut()
            .chain(b.iter_mut())
            .chain(x.iter_mut())
            .chain(m.iter_mut())
        {
            t.zeroize();
        }
        hw.zeroize();
        m2w.zeroize();
    }
}

/// `out = h·q + m` (schoolbook, constant time; `out.len() ≥ h.len() + q.len()`).
fn mul_add(h: &[u64], q: &[u64], m: &[u64], out: &mut [u64]) {
    out.fill(0);
    out[..m.len()].copy_from_slice(m);
    for (i, &hi) in h.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &qj) in q.iter().enumerate() {
            let t = u128::from(hi) * u128::from(qj) + u128::from(out[i + j]) + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        let mut k = i + q.len();
        while k < out.len() {
            let t = u128::from(out[k]) + carry;
            out[k] = t as u64;
            carry = t >> 64;
            k += 1;
        }
    }
}

/// A double-size number (`16·V` digits) for splitting CRT inputs.
struct Num2<const V: usize> {
    lo: Num<V>,
    hi: Num<V>,
}

impl<const V: usize> Num2<V> {
    fn from_words(words: &[u64]) -> Self {
        // Digits 0..8V from the whole, digits 8V.. from the words above bit 52·8V.
        let lo = Num::<V>::from_words(words);
        let shift = 52 * 8 * V;
        let mut rest = vec![0u64; words.len()];
        let (ws, bs) = (shift / 64, shift % 64);
        for i in 0..words.len() {
            let src = i + ws;
            if src < words.len() {
                let mut w = words[src] >> bs;
                if bs > 0 && src + 1 < words.len() {
                    w |= words[src + 1] << (64 - bs);
                }
                rest[i] = w;
            }
        }
        let hi = Num::<V>::from_words(&rest);
        rest.zeroize();
        Num2 { lo, hi }
    }

    fn digit(&self, i: usize) -> u64 {
        if i < 8 * V {
            self.lo.digit(i)
        } else {
            self.hi.digit(i - 8 * V)
        }
    }

    /// `(self mod 2^(52n), self >> 52n)`; the high part must fit in `n` digits.
    fn split(&self, n: usize) -> (Num<V>, Num<V>) {
        let mut lo = Num::ZERO;
        let mut hi = Num::ZERO;
        for j in 0..n {
            *lo.digit_mut(j) = self.digit(j);
            *hi.digit_mut(j) = self.digit(j + n);
        }
        (lo, hi)
    }
}

impl<const V: usize> Zeroize for Num2<V> {
    fn zeroize(&mut self) {
        self.lo.zeroize();
        self.hi.zeroize();
    }
}

macro_rules! by_size {
    ($name:ident { $($v:literal => $var:ident),* }) => {
        enum $name { $($var(Box<CrtV<$v>>)),* }
    };
}

by_size!(CrtSized { 2 => V2, 3 => V3, 4 => V4, 5 => V5 });

/// The IFMA CRT kernel for one private key.
pub(crate) struct Crt(CrtSized);

impl Crt {
    /// For primes `p`, `q` (64-bit words) of at most `bits(p), bits(q)` bits; `None` when the CPU
    /// lacks IFMA or the primes are larger than 2046 bits.
    pub(crate) fn new(
        p: &[u64],
        q: &[u64],
        dp: &[u64],
        dq: &[u64],
        qinv: &[u64],
        p_bits: u32,
        q_bits: u32,
    ) -> Option<Self> {
        if !available() {
            return None;
        }
        let bits = p_bits.max(q_bits) as usize;
        let n = (bits + 2).div_ceil(52);
        // SAFETY (every `CrtV::new`): `available()` was checked above.
        let inner = match n.div_ceil(8) {
            0..=2 => CrtSized::V2(Box::new(unsafe { CrtV::new(p, q, dp, dq, qinv, bits) }?)),
            3 => CrtSized::V3(Box::new(unsafe { CrtV::new(p, q, dp, dq, qinv, bits) }?)),
            4 => CrtSized::V4(Box::new(unsafe { CrtV::new(p, q, dp, dq, qinv, bits) }?)),
            5 => CrtSized::V5(Box::new(unsafe { CrtV::new(p, q, dp, dq, qinv, bits) }?)),
            _ => return None,
        };
        Some(Crt(inner))
    }

    /// `c^d mod n` for `c < n`; `c` and `out` are 64-bit words of the modulus size, which must
    /// be at most twice the prime size rounded to 52-bit digits.
    pub(crate) fn private(&self, c: &[u64], out: &mut [u64]) {
        // SAFETY: a `Crt` exists only after `available()` (`Crt::new`).
        unsafe {
            match &self.0 {
                CrtSized::V2(k) => k.private(c, out),
                CrtSized::V3(k) => k.private(c, out),
                CrtSized::V4(k) => k.private(c, out),
                CrtSized::V5(k) => k.private(c, out),
            }
        }
    }
}

/// Arithmetic modulo a public modulus.
struct ModNV<const V: usize> {
    ctx: Ctx<V>,
}

impl<const V: usize> ModNV<V> {
    /// `a·b mod n`. The operands are blinding values and blinded messages: the digit copies are
    /// zeroized.
    #[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
    fn mul(&self, a: &[u64], b: &[u64], out: &mut [u64]) {
        let c = &self.ctx;
        let (mut a, mut b) = (Num::<V>::from_words(a), Num::<V>::from_words(b));
        let [mut t] = c.mul1(&a, &b);
        let [mut r] = c.mul1(&t, &c.rr);
        r.reduce_once(&c.m);
        r.write_words(out);
        for x in [&mut a, &mut b, &mut t, &mut r] {
            x.zeroize();
        }
    }

    /// `(a² mod n, b² mod n)` (the blinding pair's refresh; the digit copies are zeroized).
    #[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
    fn sqr2(&self, a: &[u64], b: &[u64], oa: &mut [u64], ob: &mut [u64]) {
        let c = &self.ctx;
        let (mut a, mut b) = (Num::<V>::from_words(a), Num::<V>::from_words(b));
        let mut t = mul2([c, c], [&a, &b], [&a, &b]);
        let mut r = mul2([c, c], [&t[0], &t[1]], [&c.rr, &c.rr]);
        r[0].reduce_once(&c.m);
        r[1].reduce_once(&c.m);
        r[0].write_words(oa);
        r[1].write_words(ob);
        for x in [&mut a, &mut b].into_iter().chain(&mut t).chain(&mut r) {
            x.zeroize();
        }
    }

    /// `x^e mod n`, variable time in the public `e` only; total (`x^0 = 1`).
    #[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
    fn pow_public(&self, x: &[u64], e: u64, out: &mut [u64]) {
        let c = &self.ctx;
        if e == 0 {
            c.retrieve(&c.one).write_words(out);
            return;
        }
        let x = Num::<V>::from_words(x);
        let [xm] = c.mul1(&x, &c.rr);
        let mut acc = xm;
        let top = 63 - e.leading_zeros();
        for i in (0..top).rev() {
            [acc] = c.mul1(&acc, &acc);
            if (e >> i) & 1 == 1 {
                [acc] = c.mul1(&acc, &xm);
            }
        }
        c.retrieve(&acc).write_words(out);
    }
}

macro_rules! modn_sized {
    ($($v:literal => $var:ident),*) => {
        enum ModNSized { $($var(Box<ModNV<$v>>)),* }

        impl ModNSized {
            fn new(n: &[u64], bits: usize) -> Option<Self> {
                let digits = (bits + 2).div_ceil(52);
                match digits.div_ceil(8) {
                    // SAFETY: called only from `ModN::new`, after `available()`.
                    $($v => Some(ModNSized::$var(Box::new(ModNV {
                        ctx: unsafe { Ctx::new(n, bits) }?,
                    }))),)*
                    _ => None,
                }
            }
        }

        macro_rules! modn_dispatch {
            ($s:expr, $k:ident => $body:expr) => {
                match $s { $(ModNSized::$var($k) => $body,)* }
            };
        }
    };
}

modn_sized!(2 => V2, 3 => V3, 4 => V4, 5 => V5, 6 => V6, 7 => V7, 8 => V8, 9 => V9, 10 => V10);

/// IFMA arithmetic modulo a public modulus (up to 4096 bits).
pub(crate) struct ModN(ModNSized);

impl ModN {
    /// For the odd modulus `n` (64-bit words) of `bits` bits; `None` without IFMA.
    pub(crate) fn new(n: &[u64], bits: usize) -> Option<Self> {
        if !available() {
            return None;
        }
        Some(ModN(ModNSized::new(n, bits)?))
    }

    /// `a·b mod n` for `a, b < n`.
    pub(crate) fn mul<const F: usize>(&self, a: &[u64; F], b: &[u64; F]) -> [u64; F] {
        let mut out = [0u64; F];
        // SAFETY: a `ModN` exists only after `available()` (`ModN::new`).
        modn_dispatch!(&self.0, k => unsafe { k.mul(a, b, &mut out) });
        out
    }

    /// `(a² mod n, b² mod n)`, interleaved.
    pub(crate) fn sqr2<const F: usize>(&self, a: &[u64; F], b: &[u64; F]) -> ([u64; F], [u64; F]) {
        let mut oa = [0u64; F];
        let mut ob = [0u64; F];
        // SAFETY: as in `mul`.
        modn_dispatch!(&self.0, k => unsafe { k.sqr2(a, b, &mut oa, &mut ob) });
        (oa, ob)
    }

    /// `x^e mod n` for `x < n` (variable time in the public `e`).
    pub(crate) fn pow_public<const F: usize>(&self, x: &[u64; F], e: u64) -> [u64; F] {
        let mut out = [0u64; F];
        // SAFETY: as in `mul`.
        modn_dispatch!(&self.0, k => unsafe { k.pow_public(x, e, &mut out) });
        out
    }
}

#[cfg(test)]
mod tests {
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
