//! PEM (RFC 7468) around DER: `der`'s decoder (`pem-rfc7468`), the crate's one PEM reader.

use crate::{Error, Result};

/// Decodes one PEM document (text before the `BEGIN` line is ignored, nothing may follow the
/// `END` line but a line ending): its label and the DER. The base64 lines may have any width,
/// the first line's; `what` names the structure in errors.
pub(crate) fn decode(what: &'static str, text: &[u8]) -> Result<(String, Vec<u8>)> {
    let invalid = |e: der::pem::Error| Error::malformed(what, e);
    let mut decoder = der::pem::Decoder::new_detect_wrap(text).map_err(invalid)?;
    let mut der = Vec::with_capacity(decoder.remaining_len());
    decoder.decode_to_end(&mut der).map_err(invalid)?;
    Ok((decoder.type_label().to_string(), der))
}

/// The DER certificates of a certificate file's contents, PEM or DER (detected): every
/// `CERTIFICATE` block of a PEM text, or the bytes themselves when they start as a DER SEQUENCE.
pub(crate) fn certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
    if bytes.trim_ascii_start().starts_with(b"-----BEGIN") || !bytes.starts_with(&[0x30]) {
        blocks("PEM certificate", bytes, "CERTIFICATE")
    } else {
        Ok(vec![bytes.to_vec()])
    }
}

/// The DER of every PEM block labelled `label` in `text`, in order; text around the blocks (for
/// example OpenSSL's `subject=` lines) is ignored. At least one block is required.
pub(crate) fn blocks(what: &'static str, text: &[u8], label: &str) -> Result<Vec<Vec<u8>>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find(rest, begin.as_bytes()) {
        let block = rest.get(start..).unwrap_or_default();
        let Some(stop) = find(block, end.as_bytes()) else {
            return Err(Error::malformed(what, format!("no END {label} line")));
        };
        let (one, after) = block.split_at(stop + end.len());
        let (_, der) = decode(what, one)?;
        out.push(der);
        rest = after;
    }
    if out.is_empty() {
        return Err(Error::malformed(what, format!("no {label} block")));
    }
    Ok(out)
}

/// The first position of `needle` in `haystack` (linear: the needle is a boundary line of a
/// few dozen bytes).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUNDLE: &[u8] = include_bytes!("../../vectors/chain/ca-bundle.pem");

    #[test]
    fn bundle_blocks_with_text_around() {
        assert_eq!(blocks("PEM", BUNDLE, "CERTIFICATE").unwrap().len(), 2);
        let mut noisy = b"subject=CN = root\n".to_vec();
        noisy.extend_from_slice(BUNDLE);
        noisy.extend_from_slice(b"trailing words\n");
        assert_eq!(blocks("PEM", &noisy, "CERTIFICATE").unwrap().len(), 2);
    }

    #[test]
    fn one_document_any_width_and_crlf() {
        let pem = b"-----BEGIN CMS-----\r\nMAMC\r\nAQE=\r\n-----END CMS-----";
        let (label, der) = decode("PEM", pem).unwrap();
        assert_eq!(
            (label.as_str(), der.as_slice()),
            ("CMS", &[0x30, 3, 2, 1, 1][..])
        );
    }

    #[test]
    fn broken_blocks_are_malformed() {
        for bad in [
            &b"nothing here"[..],
            b"-----BEGIN CERTIFICATE-----\nAAAA\n",
            b"-----BEGIN CERTIFICATE-----\nA!AA\n-----END CERTIFICATE-----\n",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END OTHER-----\n-----END CERTIFICATE-----\n",
        ] {
            assert!(
                matches!(
                    blocks("PEM", bad, "CERTIFICATE"),
                    Err(Error::Malformed { .. })
                ),
                "{bad:?}"
            );
        }
    }
}
