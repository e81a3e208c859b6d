//! Placeholder: owned by the verification work (issue 3).
