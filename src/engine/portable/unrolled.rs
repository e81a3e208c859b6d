//! Fully unrolled product-scanning ("FIPS", Koç et al.) Montgomery multiplication and squaring
//! for `N ≤ 32` words.
//!
//! Column `i` of the result sums every `a[j]·b[i−j]` and `u[j]·m[i−j]` in one three-word
//! accumulator; the first `N` columns each fix one Montgomery digit `u[i]`, the last `N` are the
//! result. The column index `I` and every term index are constants (a const-generic column
//! function, called for `I = 0..2N` from a literal list), so each kernel compiles to straight-line
//! code with no loop and no index arithmetic. Squaring sums each cross product once and doubles
//! the column. No branch or address depends on the operands.

use super::limb::{Acc, sub_if_carry};

/// Calls `$body` with `$i` bound to each literal below 64 that passes `$guard`.
macro_rules! for_each_below_64 {
    ($i:ident, $guard:expr, $body:expr) => {
        for_each_below_64!(@ $i, $guard, $body; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19
            20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48
            49 50 51 52 53 54 55 56 57 58 59 60 61 62 63)
    };
    (@ $i:ident, $guard:expr, $body:expr; $($lit:literal)*) => {
        $( { const $i: usize = $lit; if $guard { $body } } )*
    };
}

// The columns must be inlined for speed (the accumulator lives in registers across them), but
// in unoptimised builds forced inlining would give the kernel one stack frame holding every
// temporary of every column (megabytes at N = 32): there they stay calls.

/// One column of `a·b·R⁻¹`.
#[cfg_attr(not(debug_assertions), inline(always))]
#[allow(clippy::too_many_arguments)]
fn mul_col<const I: usize, const N: usize>(
    a: &[u64; N],
    b: &[u64; N],
    m: &[u64; N],
    minv: u64,
    u: &mut [u64; N],
    r: &mut [u64; N],
    acc: &mut Acc,
) {
    // Terms j in [lo, hi) pair a[j]·b[I−j] and u[j]·m[I−j]; for I < N, a[I]·b[0] joins too.
    let lo = (I + 1).saturating_sub(N);
    let hi = if I < N { I } else { N };
    for_each_below_64!(J, (lo..hi).contains(&J), {
        acc.mac(a[J % N], b[I.wrapping_sub(J) % N]);
        acc.mac(u[J % N], m[I.wrapping_sub(J) % N]);
    });
    if I < N {
        acc.mac(a[I % N], b[0]);
        let ui = acc.low().wrapping_mul(minv);
        u[I % N] = ui;
        acc.mac(ui, m[0]);
        acc.shift();
    } else {
        r[I.wrapping_sub(N) % N] = acc.shift();
    }
}

/// One column of `a²·R⁻¹`.
#[cfg_attr(not(debug_assertions), inline(always))]
fn sqr_col<const I: usize, const N: usize>(
    a: &[u64; N],
    m: &[u64; N],
    minv: u64,
    u: &mut [u64; N],
    r: &mut [u64; N],
    acc: &mut Acc,
) {
    let lo = (I + 1).saturating_sub(N);
    // Cross products a[j]·a[I−j] for j < I−j, once, then doubled.
    let mut cross = Acc::ZERO;
    for_each_below_64!(J, (lo..I.div_ceil(2)).contains(&J), {
        cross.mac(a[J % N], a[I.wrapping_sub(J) % N]);
    });
    cross.double();
    if I.is_multiple_of(2) {
        cross.mac(a[(I / 2) % N], a[(I / 2) % N]);
    }
    acc.add(cross);
    let hi = if I < N { I } else { N };
    for_each_below_64!(J, (lo..hi).contains(&J), {
        acc.mac(u[J % N], m[I.wrapping_sub(J) % N]);
    });
    if I < N {
        let ui = acc.low().wrapping_mul(minv);
        u[I % N] = ui;
        acc.mac(ui, m[0]);
        acc.shift();
    } else {
        r[I.wrapping_sub(N) % N] = acc.shift();
    }
}

/// `a·b·R⁻¹`, almost reduced (`< R` for `a, b < R`). `N ≤ 32`.
#[inline(always)]
pub(super) fn mul<const N: usize>(a: &[u64; N], b: &[u64; N], m: &[u64; N], minv: u64) -> [u64; N] {
    debug_assert!(N <= 32);
    let mut u = [0u64; N];
    let mut r = [0u64; N];
    let mut acc = Acc::ZERO;
    for_each_below_64!(
        I,
        I < 2 * N,
        mul_col::<I, N>(a, b, m, minv, &mut u, &mut r, &mut acc)
    );
    // The sum is below R + m: one masked subtraction when it reached R.
    sub_if_carry(&mut r, m, acc.low());
    r
}

/// `a²·R⁻¹`, almost reduced. `N ≤ 32`.
#[inline(always)]
pub(super) fn sqr<const N: usize>(a: &[u64; N], m: &[u64; N], minv: u64) -> [u64; N] {
    debug_assert!(N <= 32);
    let mut u = [0u64; N];
    let mut r = [0u64; N];
    let mut acc = Acc::ZERO;
    for_each_below_64!(
        I,
        I < 2 * N,
        sqr_col::<I, N>(a, m, minv, &mut u, &mut r, &mut acc)
    );
    sub_if_carry(&mut r, m, acc.low());
    r
}

/// Two independent squarings (the two CRT halves), their columns interleaved so that each
/// fills the other's latency gaps.
#[inline(always)]
pub(super) fn sqr_x2<const N: usize>(
    a: [&[u64; N]; 2],
    m: [&[u64; N]; 2],
    minv: [u64; 2],
) -> [[u64; N]; 2] {
    debug_assert!(N <= 32);
    let mut u = [[0u64; N]; 2];
    let mut r = [[0u64; N]; 2];
    let mut acc = [Acc::ZERO; 2];
    let [u0, u1] = &mut u;
    let [r0, r1] = &mut r;
    let [acc0, acc1] = &mut acc;
    for_each_below_64!(I, I < 2 * N, {
        sqr_col::<I, N>(a[0], m[0], minv[0], u0, r0, acc0);
        sqr_col::<I, N>(a[1], m[1], minv[1], u1, r1, acc1);
    });
    sub_if_carry(r0, m[0], acc0.low());
    sub_if_carry(r1, m[1], acc1.low());
    r
}

/// Two independent multiplications, interleaved like [`sqr_x2`].
#[inline(always)]
pub(super) fn mul_x2<const N: usize>(
    a: [&[u64; N]; 2],
    b: [&[u64; N]; 2],
    m: [&[u64; N]; 2],
    minv: [u64; 2],
) -> [[u64; N]; 2] {
    debug_assert!(N <= 32);
    let mut u = [[0u64; N]; 2];
    let mut r = [[0u64; N]; 2];
    let mut acc = [Acc::ZERO; 2];
    let [u0, u1] = &mut u;
    let [r0, r1] = &mut r;
    let [acc0, acc1] = &mut acc;
    for_each_below_64!(I, I < 2 * N, {
        mul_col::<I, N>(a[0], b[0], m[0], minv[0], u0, r0, acc0);
        mul_col::<I, N>(a[1], b[1], m[1], minv[1], u1, r1, acc1);
    });
    sub_if_carry(r0, m[0], acc0.low());
    sub_if_carry(r1, m[1], acc1.low());
    r
}
