//! PKCS#7 / CMS SignedData: building CFCA's exact layout, and parsing what others send (DER or BER).

pub mod build;
pub mod parse;
