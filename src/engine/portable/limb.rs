//! The bottom layer of the portable kernels: word-level primitives on little-endian `[u64; N]`
//! (the product-scanning column accumulator, masked subtraction and addition). It imports no
//! other kernel module; `rolled`, `unrolled` and `arith` build on it.

use crate::engine::ct;

#[inline(always)]
fn mul_wide(a: u64, b: u64) -> u128 {
    u128::from(a) * u128::from(b)
}

/// A three-word column accumulator (`l + m·2^64 + h·2^128`) for product scanning.
#[derive(Clone, Copy)]
pub(super) struct Acc {
    l: u64,
    m: u64,
    h: u64,
}

impl Acc {
    pub(super) const ZERO: Acc = Acc { l: 0, m: 0, h: 0 };

    /// Adds `a·b`.
    #[inline(always)]
    pub(super) fn mac(&mut self, a: u64, b: u64) {
        let p = mul_wide(a, b);
        let (l, c) = self.l.overflowing_add(p as u64);
        let (m, c) = self.m.carrying_add((p >> 64) as u64, c);
        self.l = l;
        self.m = m;
        self.h = self.h.wrapping_add(u64::from(c));
    }

    /// Adds one word.
    #[inline(always)]
    pub(super) fn add_word(&mut self, w: u64) {
        let (l, c) = self.l.overflowing_add(w);
        let (m, c) = self.m.overflowing_add(u64::from(c));
        self.l = l;
        self.m = m;
        self.h = self.h.wrapping_add(u64::from(c));
    }

    /// Adds another accumulator.
    #[inline(always)]
    pub(super) fn add(&mut self, o: Acc) {
        let (l, c) = self.l.overflowing_add(o.l);
        let (m, c) = self.m.carrying_add(o.m, c);
        self.l = l;
        self.m = m;
        self.h = self.h.wrapping_add(o.h).wrapping_add(u64::from(c));
    }

    /// Doubles the value (the top bit of `h` is known to be clear).
    #[inline(always)]
    pub(super) fn double(&mut self) {
        self.h = (self.h << 1) | (self.m >> 63);
        self.m = (self.m << 1) | (self.l >> 63);
        self.l <<= 1;
    }

    #[inline(always)]
    pub(super) fn low(&self) -> u64 {
        self.l
    }

    /// Returns the low word and shifts the rest down one word.
    #[inline(always)]
    pub(super) fn shift(&mut self) -> u64 {
        let out = self.l;
        self.l = self.m;
        self.m = self.h;
        self.h = 0;
        out
    }
}

/// `t − m` when `carry` is 1, `t` when it is 0 (masked, branch-free).
#[inline(always)]
pub(super) fn sub_if_carry<const N: usize>(t: &mut [u64; N], m: &[u64; N], carry: u64) {
    let mask = ct::mask(carry);
    let mut borrow = false;
    for (x, &y) in t.iter_mut().zip(m) {
        let (d, b) = x.borrowing_sub(y & mask, borrow);
        *x = d;
        borrow = b;
    }
}

/// `a − b` and the borrow (0 or 1).
#[inline(always)]
pub(super) fn sub<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
    let mut out = [0u64; N];
    let mut borrow = false;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        let (d, br) = x.borrowing_sub(y, borrow);
        *o = d;
        borrow = br;
    }
    (out, u64::from(borrow))
}

/// `a + (b & mask)` modulo `2^(64N)`.
#[inline(always)]
pub(super) fn add_masked<const N: usize>(a: &mut [u64; N], b: &[u64; N], mask: u64) {
    let mut carry = false;
    for (x, &y) in a.iter_mut().zip(b) {
        let (s, c) = x.carrying_add(y & mask, carry);
        *x = s;
        carry = c;
    }
}
