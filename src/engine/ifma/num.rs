//! Numbers: `8·V` little-endian 52-bit digits in `V` 512-bit rows ([`Num`]), their scalar
//! carries, constant-time conditional subtraction and word conversions, and the full-row vector
//! loads and stores through which every row reaches a register.

use core::arch::x86_64::{__m512i, _mm512_loadu_epi64, _mm512_storeu_epi64};

use zeroize::Zeroize;

use crate::engine::ct;

/// The digit mask: digits are below 2⁵².
pub(super) const MASK: u64 = (1 << 52) - 1;

/// `8·V` 52-bit digits, little-endian, 64-byte aligned.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub(super) struct Num<const V: usize>(pub(super) [[u64; 8]; V]);

impl<const V: usize> Num<V> {
    pub(super) const ZERO: Self = Num([[0; 8]; V]);

    pub(super) fn digit(&self, i: usize) -> u64 {
        self.0[i / 8][i % 8]
    }

    pub(super) fn digit_mut(&mut self, i: usize) -> &mut u64 {
        &mut self.0[i / 8][i % 8]
    }

    /// From little-endian 64-bit words (bits beyond `52·8·V` must be zero; they are dropped).
    pub(super) fn from_words(words: &[u64]) -> Self {
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
    pub(super) fn write_words(&self, out: &mut [u64]) {
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
    pub(super) fn normalize(&mut self) {
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
    pub(super) fn reduce_once(&mut self, m: &Self) {
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
    pub(super) fn add_2m_sub(a: &Self, m: &Self, b: &Self) -> Self {
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
    pub(super) fn add(a: &Self, b: &Self) -> Self {
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
pub(super) fn load(row: &[u64; 8]) -> __m512i {
    // SAFETY: `row` is 64 readable bytes; `vmovdqu64` has no alignment requirement. AVX-512F is
    // enabled on this function, so the compiler requires every caller to have it too.
    unsafe { _mm512_loadu_epi64(row.as_ptr().cast()) }
}

#[target_feature(enable = "avx512f")]
#[inline]
pub(super) fn store(row: &mut [u64; 8], v: __m512i) {
    // SAFETY: `row` is 64 writable bytes of plain integers; as in `load`.
    unsafe { _mm512_storeu_epi64(row.as_mut_ptr().cast(), v) }
}

/// A double-size number (`16·V` digits) for splitting CRT inputs.
pub(super) struct Num2<const V: usize> {
    lo: Num<V>,
    hi: Num<V>,
}

impl<const V: usize> Num2<V> {
    pub(super) fn from_words(words: &[u64]) -> Self {
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

    pub(super) fn digit(&self, i: usize) -> u64 {
        if i < 8 * V {
            self.lo.digit(i)
        } else {
            self.hi.digit(i - 8 * V)
        }
    }

    /// `(self mod 2^(52n), self >> 52n)`; the high part must fit in `n` digits.
    pub(super) fn split(&self, n: usize) -> (Num<V>, Num<V>) {
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
