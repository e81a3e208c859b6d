//! Base blinding that stays cheap: a pair `(A, Ai) = (r^e, r^-1) mod n` kept between signatures
//! and refreshed by squaring (`(r²)^e = A²`, `(r²)^-1 = Ai²`), as OpenSSL's `BN_BLINDING_update`
//! does, instead of a fresh random factor and an inversion per signature. A fresh random pair is
//! drawn on first use and every [`REGENERATE_AFTER`] uses.
//!
//! Fresh pairs are made [`BATCH`] at a time with Montgomery's batch-inversion trick: the product
//! of the random factors is inverted once (crypto-bigint's constant-time inversion, ~140 µs for
//! RSA-2048, which per pair would cost ~4 µs on every signature) and each factor's inverse is
//! recovered with two multiplications. The pairs are independent draws, used one after the other.
//!
//! Every signature is blinded: `c = m·A`, `s' = c^d`, `s = s'·Ai = m^d`.

use std::sync::Mutex;

use crypto_bigint::modular::FixedMontyForm;
use zeroize::{Zeroize, Zeroizing};

use super::portable::PortableModN;
use crate::{Error, Result};

/// Draws of [`BATCH`] factors before giving up on finding an invertible product (each draw fails
/// with probability about `BATCH·2/√n`: never, in practice).
const DRAWS: usize = 16;

/// The operating system's generator, as [`Blinding::next`] uses it.
fn os_random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| Error::RandomSource(e.to_string()))
}

/// Uses of one random blinding pair (each use squares it) before a fresh one is drawn.
pub(crate) const REGENERATE_AFTER: u32 = 32;

/// Random pairs made together, sharing one inversion.
pub(crate) const BATCH: usize = 8;

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

/// The blinding pair of one key, shared by all threads signing with it, and the fresh pairs
/// waiting their turn.
pub(crate) struct Blinding<const F: usize> {
    state: Mutex<Slots<F>>,
}

struct Slots<const F: usize> {
    current: Option<State<F>>,
    ready: Vec<State<F>>,
}

impl<const F: usize> Zeroize for Slots<F> {
    fn zeroize(&mut self) {
        if let Some(s) = self.current.as_mut() {
            s.zeroize();
        }
        for s in self.ready.iter_mut() {
            s.zeroize();
        }
        self.current = None;
        self.ready.clear();
    }
}

/// A blinding pair handed out for one signature.
pub(crate) struct Pair<const F: usize> {
    pub(crate) a: Zeroizing<[u64; F]>,
    pub(crate) ai: Zeroizing<[u64; F]>,
}

impl<const F: usize> Blinding<F> {
    pub(crate) fn new() -> Self {
        Blinding {
            state: Mutex::new(Slots {
                current: None,
                ready: Vec::new(),
            }),
        }
    }

    /// The pair for the next signature; the stored pair moves on by squaring.
    ///
    /// When a fresh pair is due and cannot be made (the random source fails), the error says so
    /// and the current pair is kept as it is: nothing is zeroized before its replacement exists,
    /// so a later call can still regenerate, and no signature ever runs on a zero pair.
    pub(crate) fn next(
        &self,
        modn: &PortableModN<F>,
        ops: &impl ModNOps<F>,
        e: u64,
    ) -> Result<Pair<F>> {
        self.next_with(modn, ops, e, &mut os_random)
    }

    /// [`Blinding::next`] with the random source given (the tests make it fail).
    pub(crate) fn next_with(
        &self,
        modn: &PortableModN<F>,
        ops: &impl ModNOps<F>,
        e: u64,
        fill: &mut dyn FnMut(&mut [u8]) -> Result<()>,
    ) -> Result<Pair<F>> {
        // A poisoned lock only means another thread panicked between statements that each leave
        // a consistent pair, so the state is still usable.
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let slots = &mut *guard;
        let fresh = match slots.current.as_ref() {
            Some(s) => s.uses >= REGENERATE_AFTER,
            None => true,
        };
        if fresh {
            if slots.ready.is_empty() {
                // On failure `current` is left untouched: the error goes back to the caller.
                slots.ready = fresh_pairs(modn, ops, e, fill)?;
            }
            if let Some(next) = slots.ready.pop()
                && let Some(mut old) = slots.current.replace(next)
            {
                old.zeroize();
            }
        }
        let state = slots
            .current
            .as_mut()
            .ok_or_else(|| Error::Signing("no blinding pair".into()))?;
        let pair = Pair {
            a: Zeroizing::new(state.a),
            ai: Zeroizing::new(state.ai),
        };
        let (mut a2, mut ai2) = ops.sqr2(&state.a, &state.ai);
        state.a = a2;
        state.ai = ai2;
        a2.zeroize();
        ai2.zeroize();
        state.uses += 1;
        Ok(pair)
    }
}

impl<const F: usize> Drop for Blinding<F> {
    fn drop(&mut self) {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        guard.zeroize();
    }
}

/// [`BATCH`] random invertible `r` and their `(r^e, r^-1) mod n`, with one inversion: with
/// `P_k = r_0···r_k`, `inv = P_(B-1)^-1`, then from the last factor down `r_k^-1 = inv·P_(k-1)`
/// and `inv ← inv·r_k`. The inversion is crypto-bigint's constant-time one; the products are the
/// engine's constant-time multiplications.
fn fresh_pairs<const F: usize>(
    modn: &PortableModN<F>,
    ops: &impl ModNOps<F>,
    e: u64,
    fill: &mut dyn FnMut(&mut [u8]) -> Result<()>,
) -> Result<Vec<State<F>>> {
    for _ in 0..DRAWS {
        let mut r: Vec<Zeroizing<[u64; F]>> = Vec::with_capacity(BATCH);
        for _ in 0..BATCH {
            r.push(random_residue(modn, fill)?);
        }
        // prefix[k] = r_0···r_k
        let mut prefix: Vec<Zeroizing<[u64; F]>> = Vec::with_capacity(BATCH);
        prefix.push(r[0].clone());
        for k in 1..BATCH {
            let next = Zeroizing::new(ops.mul(&prefix[k - 1], &r[k]));
            prefix.push(next);
        }
        // Zero (and any product sharing a factor with n) has no inverse: draw again.
        let all: Zeroizing<FixedMontyForm<F>> = Zeroizing::new(modn.to_mont(&prefix[BATCH - 1]));
        let inv: Option<FixedMontyForm<F>> = all.invert().into();
        let Some(mut inv_m) = inv else { continue };
        let mut inv = Zeroizing::new(modn.retrieve(&inv_m));
        inv_m.zeroize();
        let mut out = Vec::with_capacity(BATCH);
        for k in (0..BATCH).rev() {
            let ai = if k > 0 {
                let ai = ops.mul(&inv, &prefix[k - 1]);
                let mut next = ops.mul(&inv, &r[k]);
                *inv = next;
                next.zeroize();
                ai
            } else {
                *inv
            };
            let a = ops.pow_public(&r[k], e);
            out.push(State { a, ai, uses: 0 });
        }
        return Ok(out);
    }
    Err(Error::Signing(format!(
        "no invertible blinding factor in {DRAWS} draws of {BATCH}"
    )))
}

/// [`fresh_pairs`] as `(A, Ai)` tuples, for the unit tests.
#[cfg(test)]
pub(crate) fn fresh_pairs_for_tests<const F: usize>(
    modn: &PortableModN<F>,
    ops: &impl ModNOps<F>,
    e: u64,
) -> Option<Vec<([u64; F], [u64; F])>> {
    Some(
        fresh_pairs(modn, ops, e, &mut os_random)
            .ok()?
            .into_iter()
            .map(|s| (s.a, s.ai))
            .collect(),
    )
}

/// A random residue mod `n` from the operating system's generator.
fn random_residue<const F: usize>(
    modn: &PortableModN<F>,
    fill: &mut dyn FnMut(&mut [u8]) -> Result<()>,
) -> Result<Zeroizing<[u64; F]>> {
    let mut bytes = Zeroizing::new(vec![0u8; F * 8]);
    fill(&mut bytes)?;
    let mut words = Zeroizing::new([0u64; F]);
    for (w, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *w = u64::from_le_bytes(b);
        b.zeroize();
    }
    // r mod n, into Montgomery form and out again: a uniform-enough residue.
    let r_m: Zeroizing<FixedMontyForm<F>> = Zeroizing::new(modn.to_mont(&words));
    Ok(Zeroizing::new(modn.retrieve(&r_m)))
}
