//! Placeholder: owned by the PKCS#12 work.
