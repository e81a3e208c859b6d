//! Arithmetic modulo a public modulus (the blinding values, the public-key operation): [`ModN`].

use zeroize::Zeroize;

use super::cpu::available;
use super::mul::{Ctx, mul2};
use super::num::Num;

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
