//! The local Huifu sandbox (feature `sandbox`).
