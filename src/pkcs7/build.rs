//! Placeholder: owned by the signing work.
