//! Placeholder (filled in by the IFMA step).
#![allow(unsafe_code)]

pub(crate) fn available() -> bool {
    false
}

pub(crate) struct ModN;
impl ModN {
    pub(crate) fn new(_n: &[u64], _bits: usize) -> Option<Self> {
        None
    }
    pub(crate) fn mul<const F: usize>(&self, _a: &[u64; F], _b: &[u64; F]) -> [u64; F] {
        [0; F]
    }
    pub(crate) fn sqr2<const F: usize>(&self, a: &[u64; F], b: &[u64; F]) -> ([u64; F], [u64; F]) {
        (*a, *b)
    }
    pub(crate) fn pow_public<const F: usize>(&self, x: &[u64; F], _e: u64) -> [u64; F] {
        *x
    }
}
pub(crate) struct Crt;
impl Crt {
    pub(crate) fn new(
        _p: &[u64],
        _q: &[u64],
        _dp: &[u64],
        _dq: &[u64],
        _qinv: &[u64],
        _pb: u32,
        _qb: u32,
    ) -> Option<Self> {
        None
    }
    pub(crate) fn private(&self, _c: &[u64], _out: &mut [u64]) {}
}
