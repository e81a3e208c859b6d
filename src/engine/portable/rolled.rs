//! Loop kernels: product-scanning Montgomery multiplication for moduli too large to unroll
//! (the 3072 and 4096-bit public moduli), and the reduction of a double-width value.
//! Loop bounds depend only on `N`; nothing depends on the operands.

use super::limb::{Acc, sub_if_carry};

/// `a·b·R⁻¹`, almost reduced (`< R` for `a, b < R`).
pub(super) fn mul<const N: usize>(a: &[u64; N], b: &[u64; N], m: &[u64; N], minv: u64) -> [u64; N] {
    let mut u = [0u64; N];
    let mut r = [0u64; N];
    let mut acc = Acc::ZERO;
    for i in 0..N {
        for j in 0..i {
            acc.mac(a[j], b[i - j]);
            acc.mac(u[j], m[i - j]);
        }
        acc.mac(a[i], b[0]);
        let ui = acc.low().wrapping_mul(minv);
        u[i] = ui;
        acc.mac(ui, m[0]);
        acc.shift();
    }
    for i in N..2 * N {
        for j in i + 1 - N..N {
            acc.mac(a[j], b[i - j]);
            acc.mac(u[j], m[i - j]);
        }
        r[i - N] = acc.shift();
    }
    sub_if_carry(&mut r, m, acc.low());
    r
}

/// `(lo + hi·R)·R⁻¹`, almost reduced (`< R`), for `hi < m`: the sum is below `2m` and below
/// `R + m`.
pub(super) fn redc<const N: usize>(
    lo: &[u64; N],
    hi: &[u64; N],
    m: &[u64; N],
    minv: u64,
) -> [u64; N] {
    let mut u = [0u64; N];
    let mut r = [0u64; N];
    let mut acc = Acc::ZERO;
    for i in 0..N {
        acc.add_word(lo[i]);
        for j in 0..i {
            acc.mac(u[j], m[i - j]);
        }
        let ui = acc.low().wrapping_mul(minv);
        u[i] = ui;
        acc.mac(ui, m[0]);
        acc.shift();
    }
    for i in N..2 * N {
        acc.add_word(hi[i - N]);
        for j in i + 1 - N..N {
            acc.mac(u[j], m[i - j]);
        }
        r[i - N] = acc.shift();
    }
    sub_if_carry(&mut r, m, acc.low());
    r
}
