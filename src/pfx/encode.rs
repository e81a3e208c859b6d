//! PKCS#12 encoding (phase 2).

/// The protection of an encoded PFX.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PfxForm {
    /// As CFCA issues them.
    Cfca,
    /// As OpenSSL 3 writes them by default.
    OpenSsl3,
}

/// Not yet implemented.
pub fn encode() {}
