//! Exponentiation: the constant-time fixed-window exponentiation of both CRT halves (table
//! scan with opaque lane masks), and the private-key operation by CRT ([`Crt`]).

use core::arch::x86_64::{
    __m512i, _mm512_add_epi64, _mm512_and_si512, _mm512_cmpeq_epi64_mask, _mm512_mask_mov_epi64,
    _mm512_or_si512, _mm512_set1_epi64, _mm512_setzero_si512,
};

use zeroize::Zeroize;

use super::cpu::available;
use super::mul::{Ctx, mul2, mul2_into};
use super::num::{Num, Num2, load, store};

const WINDOW: usize = 5;
const TABLE: usize = 1 << WINDOW;

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
