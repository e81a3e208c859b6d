//! Run-time CPU detection: the bottom of the kernel's modules.

/// Whether the CPU has AVX-512F, AVX-512VL and AVX-512 IFMA.
pub(crate) fn available() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512vl")
        && std::is_x86_feature_detected!("avx512ifma")
}
