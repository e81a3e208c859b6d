//! Base blinding that stays cheap: a pair `(A, Ai) = (r^e, r^-1) mod n` kept between signatures
//! and refreshed by squaring (`(r²)^e = A²`, `(r²)^-1 = Ai²`), as OpenSSL's `BN_BLINDING_update`
//! does, instead of a fresh random factor and an inversion per signature. A fresh random pair is
//! drawn on first use and every [`REGENERATE_AFTER`] uses.
//!
//! Every signature is blinded: `c = m·A`, `s' = c^d`, `s = s'·Ai = m^d`.

use std::sync::Mutex;

use crypto_bigint::modular::FixedMontyForm;
use zeroize::{Zeroize, Zeroizing};

use super::portable::PortableModN;

/// Uses of one random blinding pair (each use squares it) before a fresh one is drawn.
pub(crate) const REGENERATE_AFTER: u32 = 32;

/// Multiplication and the public power modulo `n`, on plain reduced words.
pub(crate) trait ModNOps<const F: usize> {
    /// `a·b mod n`.
    fn mul(&self, a: &[u64; F], b: &[u64; F]) -> [u64; F];
    /// `a² mod n` for two values at once.
    fn sqr2(&self, a: &[u64; F], b: &[u64; F]) -> ([u64; F], [u64; F]) {
        (self.mul(a, a), self.mul(b, b))
    }
    /// `x^e mod n` (variable time in the public `e` only).
    fn pow_public(&self, x: &[u64; F], e: u64) -> [u64; F];
}

struct State<const F: usize> {
    a: [u64; F],
    ai: [u64; F],
    uses: u32,
}

impl<const F: usize> Zeroize for State<F> {
    fn zeroize(&mut self) {
        self.a.zeroize();
        self.ai.zeroize();
        self.uses = 0;
    }
}

/// The blinding pair of one key, shared by all threads signing with it.
pub(crate) struct Blinding<const F: usize> {
    state: Mutex<Option<State<F>>>,
}

/// A blinding pair handed out for one signature.
pub(crate) struct Pair<const F: usize> {
    pub(crate) a: Zeroizing<[u64; F]>,
    pub(crate) ai: Zeroizing<[u64; F]>,
}

impl<const F: usize> Blinding<F> {
    pub(crate) fn new() -> Self {
        Blinding {
            state: Mutex::new(None),
        }
    }

    /// The pair for the next signature; the stored pair moves on by squaring.
    pub(crate) fn next(
        &self,
        modn: &PortableModN<F>,
        ops: &impl ModNOps<F>,
        e: u64,
    ) -> Option<Pair<F>> {
        // A poisoned lock only means another thread panicked between statements that each leave
        // a consistent pair, so the state is still usable.
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = match guard.as_ref() {
            Some(s) => s.uses >= REGENERATE_AFTER,
            None => true,
        };
        if fresh {
            if let Some(old) = guard.as_mut() {
                old.zeroize();
            }
            *guard = Some(fresh_pair(modn, ops, e)?);
        }
        let state = guard.as_mut()?;
        let pair = Pair {
            a: Zeroizing::new(state.a),
            ai: Zeroizing::new(state.ai),
        };
        let (a2, ai2) = ops.sqr2(&state.a, &state.ai);
        state.a = a2;
        state.ai = ai2;
        state.uses += 1;
        Some(pair)
    }
}

impl<const F: usize> Drop for Blinding<F> {
    fn drop(&mut self) {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = guard.as_mut() {
            s.zeroize();
        }
    }
}

/// A random invertible `r` and `(r^e, r^-1) mod n`. The inversion is crypto-bigint's
/// constant-time one.
fn fresh_pair<const F: usize>(
    modn: &PortableModN<F>,
    ops: &impl ModNOps<F>,
    e: u64,
) -> Option<State<F>> {
    for _ in 0..16 {
        let mut bytes = Zeroizing::new(vec![0u8; F * 8]);
        getrandom::fill(&mut bytes).ok()?;
        let mut words = Zeroizing::new([0u64; F]);
        for (w, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *w = u64::from_le_bytes(b);
        }
        // r mod n, in Montgomery form, then out again: a uniform-enough nonzero residue.
        let r_m: Zeroizing<FixedMontyForm<F>> = Zeroizing::new(modn.to_mont(&words));
        let r = Zeroizing::new(modn.retrieve(&r_m));
        // Zero (and any r sharing a factor with n) has no inverse: draw again.
        let inv: Option<FixedMontyForm<F>> = r_m.invert().into();
        let Some(mut inv) = inv else { continue };
        let ai = modn.retrieve(&inv);
        inv.zeroize();
        let a = ops.pow_public(&r, e);
        return Some(State { a, ai, uses: 0 });
    }
    None
}
