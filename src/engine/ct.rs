//! Constant-time masks that survive the optimiser.
//!
//! A mask computed as `0 − bit` is, to LLVM, a value known to be either `0` or all ones, and it
//! may compile `x & mask` or `(a & mask) | (b & !mask)` back into a branch or an indexed load:
//! the release build did exactly that for the portable table lookup and the final reductions
//! (memcheck with the key marked undefined reported thousands of secret-dependent branches per
//! CRT half). Every mask here passes through [`core::hint::black_box`], an optimisation barrier
//! (an empty inline-assembly block on the platforms we build for): after it LLVM knows nothing
//! about the value, so it must keep the arithmetic. `tests/ctgrind.rs` checks the compiled code
//! under valgrind memcheck, so a barrier that stops working fails CI.

use core::hint::black_box;

/// All ones when the low bit of `bit` is 1, zero when it is 0, opaque to the optimiser.
#[inline(always)]
pub(crate) fn mask(bit: u64) -> u64 {
    black_box(0u64.wrapping_sub(bit & 1))
}

/// For `N` table entries, all ones at entry `idx` and zero elsewhere, without a branch; behind one
/// barrier for the whole array (a table scan needs one per lookup, not one per entry).
#[inline(always)]
pub(crate) fn eq_masks<const N: usize>(idx: u64) -> [u64; N] {
    let mut out = [0u64; N];
    for (j, m) in out.iter_mut().enumerate() {
        let d = (j as u64) ^ idx;
        // The top bit of d | −d is set exactly when d != 0.
        *m = (((d | d.wrapping_neg()) >> 63) ^ 1).wrapping_neg();
    }
    // The barrier receives the array's address and may have written any value into it.
    black_box(out)
}

/// `a` where `mask` is all ones, `b` where it is zero, word by word.
#[inline(always)]
pub(crate) fn select<const N: usize>(mask: u64, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
    let mut out = [0u64; N];
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = y ^ ((x ^ y) & mask);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask(0), 0);
        assert_eq!(mask(1), u64::MAX);
        assert_eq!(select(u64::MAX, &[1, 2], &[3, 4]), [1, 2]);
        assert_eq!(select(0, &[1, 2], &[3, 4]), [3, 4]);
        assert_eq!(eq_masks::<4>(2), [0, 0, u64::MAX, 0]);
        assert_eq!(eq_masks::<4>(7), [0; 4]);
    }
}
