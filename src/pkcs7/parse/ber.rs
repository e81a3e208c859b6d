//! A small BER/DER TLV reader: indefinite lengths, constructed strings, exact raw slices.
//!
//! `der` 0.8's BER mode keeps chunk headers in `Any` and cannot hand back the exact bytes of a
//! nested field, which signature checks need (the TBSCertificate, the signed attributes). This
//! reader walks the encoding without copying and keeps, for every element, the raw bytes it was
//! read from. Typed decoding (certificates, OIDs, extensions) is left to `der` / `x509-cert` on the
//! DER slices this reader hands out.

use crate::{Error, Result};

/// Deepest nesting accepted by default (a SignedData with certificates needs about 12); see
/// [`VerifyLimits::max_depth`](crate::verify::VerifyLimits::max_depth).
pub(crate) const DEFAULT_MAX_DEPTH: usize = 48;

fn depth_exceeded(depth: usize, max: usize) -> Error {
    Error::LimitExceeded {
        limit: "ASN.1 nesting depth",
        value: depth as u64,
        max: max as u64,
    }
}

/// Universal tags this crate names.
pub(crate) mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const UTF8_STRING: u8 = 0x0c;
    pub const PRINTABLE_STRING: u8 = 0x13;
    pub const T61_STRING: u8 = 0x14;
    pub const IA5_STRING: u8 = 0x16;
    pub const BMP_STRING: u8 = 0x1e;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    /// `[n]` context-specific, constructed.
    pub const fn context_constructed(n: u8) -> u8 {
        0xa0 | n
    }
    /// `[n]` context-specific, primitive.
    pub const fn context_primitive(n: u8) -> u8 {
        0x80 | n
    }
}

/// One element: its identifier octet, its content, and the exact bytes it was read from.
#[derive(Debug, Clone)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (class, constructed bit, tag number < 31).
    pub tag: u8,
    /// The content octets (without the end-of-contents octets of an indefinite length).
    pub value: &'a [u8],
    /// The whole encoding: identifier, length, content (and end-of-contents).
    pub raw: &'a [u8],
    /// True if the length was definite and minimally encoded (as DER requires).
    pub minimal_length: bool,
    /// How deep this element sits (0 for a top-level element).
    depth: usize,
    /// The deepest nesting accepted below it.
    max_depth: usize,
}

impl<'a> Tlv<'a> {
    /// True if the constructed bit is set.
    pub fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// A reader over the content's elements (constructed types).
    pub fn children(&self) -> Reader<'a> {
        Reader {
            data: self.value,
            pos: 0,
            depth: self.depth + 1,
            max_depth: self.max_depth,
        }
    }

    /// The content of an OCTET STRING, reassembling a constructed (chunked) one.
    ///
    /// `expected` is the outer tag (0x04 for a plain OCTET STRING; the implicit tag otherwise).
    pub fn octets(&self, what: &'static str) -> Result<Vec<u8>> {
        if !self.constructed() {
            return Ok(self.value.to_vec());
        }
        let mut out = Vec::with_capacity(self.value.len());
        collect_chunks(self, tag::OCTET_STRING, what, &mut out)?;
        Ok(out)
    }

    /// True if this element and everything inside it is DER-shaped as far as lengths and string
    /// forms go (definite minimal lengths, primitive strings).
    pub fn is_der_shaped(&self) -> bool {
        if !self.minimal_length || self.depth > self.max_depth {
            return false;
        }
        if !self.constructed() {
            return true;
        }
        if is_string_tag(self.tag & !0x20) {
            return false;
        }
        let mut r = self.children();
        while !r.is_empty() {
            match r.next() {
                Ok(child) if child.is_der_shaped() => {}
                _ => return false,
            }
        }
        true
    }

    /// The DER shape of this element: definite minimal lengths, constructed strings flattened.
    /// (SET OF ordering and other value-level DER rules are left as they are.)
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.raw.len());
        self.write_der(&mut out)?;
        Ok(out)
    }

    fn write_der(&self, out: &mut Vec<u8>) -> Result<()> {
        if self.depth > self.max_depth {
            return Err(depth_exceeded(self.depth, self.max_depth));
        }
        if !self.constructed() {
            write_header(out, self.tag, self.value.len());
            out.extend_from_slice(self.value);
            return Ok(());
        }
        let primitive_tag = self.tag & !0x20;
        if is_string_tag(primitive_tag) {
            let mut content = Vec::new();
            collect_chunks(self, primitive_tag, "constructed string", &mut content)?;
            write_header(out, primitive_tag, content.len());
            out.extend_from_slice(&content);
            return Ok(());
        }
        let mut content = Vec::with_capacity(self.value.len());
        let mut r = self.children();
        while !r.is_empty() {
            r.next()?.write_der(&mut content)?;
        }
        write_header(out, self.tag, content.len());
        out.extend_from_slice(&content);
        Ok(())
    }
}

fn is_string_tag(t: u8) -> bool {
    matches!(
        t,
        tag::BIT_STRING
            | tag::OCTET_STRING
            | tag::UTF8_STRING
            | tag::PRINTABLE_STRING
            | tag::T61_STRING
            | tag::IA5_STRING
            | tag::BMP_STRING
    )
}

fn collect_chunks(
    tlv: &Tlv<'_>,
    chunk_tag: u8,
    what: &'static str,
    out: &mut Vec<u8>,
) -> Result<()> {
    if tlv.depth > tlv.max_depth {
        return Err(depth_exceeded(tlv.depth, tlv.max_depth));
    }
    let mut r = tlv.children();
    while !r.is_empty() {
        let chunk = r.next()?;
        if chunk.tag == chunk_tag {
            out.extend_from_slice(chunk.value);
        } else if chunk.tag == chunk_tag | 0x20 {
            collect_chunks(&chunk, chunk_tag, what, out)?;
        } else {
            return Err(Error::malformed(
                what,
                format!(
                    "unexpected tag 0x{:02x} inside a constructed string",
                    chunk.tag
                ),
            ));
        }
    }
    Ok(())
}

/// Writes a DER identifier and definite minimal length.
pub(crate) fn write_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

/// Reads consecutive elements from a byte slice.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader over top-level bytes, with the default nesting bound.
    pub fn new(data: &'a [u8]) -> Self {
        Reader::with_max_depth(data, DEFAULT_MAX_DEPTH)
    }

    /// A reader over top-level bytes accepting at most `max_depth` levels of nesting (deeper is
    /// [`Error::LimitExceeded`]).
    pub fn with_max_depth(data: &'a [u8], max_depth: usize) -> Self {
        Reader {
            data,
            pos: 0,
            depth: 0,
            max_depth,
        }
    }

    /// True if every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    /// The identifier octet of the next element, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Reads the next element.
    pub fn next(&mut self) -> Result<Tlv<'a>> {
        let (tlv, used) = read_tlv(self.remaining(), self.depth, self.max_depth)?;
        self.pos += used;
        Ok(tlv)
    }

    /// Reads the next element, which must carry `tag`.
    pub fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>> {
        match self.peek_tag() {
            Some(t) if t == tag => self.next(),
            Some(t) => Err(Error::malformed(
                what,
                format!("expected tag 0x{tag:02x}, found 0x{t:02x}"),
            )),
            None => Err(Error::malformed(what, format!("missing (tag 0x{tag:02x})"))),
        }
    }

    /// Reads the next element if it carries `tag`.
    pub fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>> {
        if self.peek_tag() == Some(tag) {
            self.next().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails unless every byte has been read.
    pub fn finish(&self, what: &'static str) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::malformed(
                what,
                format!("{} unexpected byte(s) at the end", self.remaining().len()),
            ))
        }
    }
}

/// Reads one element from the start of `data`; returns it and the number of bytes it used.
fn read_tlv(data: &[u8], depth: usize, max_depth: usize) -> Result<(Tlv<'_>, usize)> {
    const WHAT: &str = "ASN.1";
    if depth > max_depth {
        return Err(depth_exceeded(depth, max_depth));
    }
    let tag = *data
        .first()
        .ok_or_else(|| Error::malformed(WHAT, "unexpected end of data (tag)"))?;
    if tag & 0x1f == 0x1f {
        return Err(Error::malformed(
            WHAT,
            "high tag numbers are not used in PKCS#7",
        ));
    }
    let first_len = *data
        .get(1)
        .ok_or_else(|| Error::malformed(WHAT, "unexpected end of data (length)"))?;
    let constructed = tag & 0x20 != 0;
    if first_len == 0x80 {
        if !constructed {
            return Err(Error::malformed(
                WHAT,
                "indefinite length on a primitive element",
            ));
        }
        // Content runs until the matching end-of-contents octets.
        let mut pos = 2usize;
        loop {
            let rest = data
                .get(pos..)
                .ok_or_else(|| Error::malformed(WHAT, "unexpected end of data"))?;
            match rest {
                [0, 0, ..] => {
                    let value = data.get(2..pos).unwrap_or_default();
                    let end = pos + 2;
                    let raw = data.get(..end).unwrap_or_default();
                    return Ok((
                        Tlv {
                            tag,
                            value,
                            raw,
                            minimal_length: false,
                            depth,
                            max_depth,
                        },
                        end,
                    ));
                }
                [] | [_] => {
                    return Err(Error::malformed(
                        WHAT,
                        "unexpected end of data (no end-of-contents)",
                    ));
                }
                _ => {
                    let (_, used) = read_tlv(rest, depth + 1, max_depth)?;
                    pos += used;
                }
            }
        }
    }
    let (len, header_len, minimal) = if first_len < 0x80 {
        (first_len as usize, 2usize, true)
    } else {
        let n = (first_len & 0x7f) as usize;
        if n > 4 {
            return Err(Error::malformed(WHAT, "length field longer than 4 bytes"));
        }
        let bytes = data
            .get(2..2 + n)
            .ok_or_else(|| Error::malformed(WHAT, "unexpected end of data (length)"))?;
        let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
        let minimal = len >= 0x80 && bytes.first().is_some_and(|b| *b != 0);
        (len, 2 + n, minimal)
    };
    let end = header_len
        .checked_add(len)
        .ok_or_else(|| Error::malformed(WHAT, "length overflows"))?;
    let value = data.get(header_len..end).ok_or_else(|| {
        Error::malformed(
            WHAT,
            format!(
                "element of {len} byte(s) is truncated ({} available)",
                data.len().saturating_sub(header_len)
            ),
        )
    })?;
    let raw = data.get(..end).unwrap_or_default();
    Ok((
        Tlv {
            tag,
            value,
            raw,
            minimal_length: minimal,
            depth,
            max_depth,
        },
        end,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definite_and_indefinite() {
        // SEQUENCE (indefinite) { INTEGER 1, OCTET STRING (constructed, indefinite) { "ab", "c" } }
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x01, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c',
            0x00, 0x00, 0x00, 0x00,
        ];
        let mut r = Reader::new(&ber);
        let seq = r.next().unwrap();
        assert!(r.is_empty());
        assert!(!seq.is_der_shaped());
        let mut c = seq.children();
        assert_eq!(c.expect(tag::INTEGER, "x").unwrap().value, &[1]);
        let os = c.next().unwrap();
        assert_eq!(os.octets("x").unwrap(), b"abc");
        assert!(c.is_empty());
        assert_eq!(
            seq.to_der().unwrap(),
            [0x30, 0x08, 0x02, 0x01, 0x01, 0x04, 0x03, b'a', b'b', b'c']
        );
    }

    #[test]
    fn truncation_and_junk_are_errors() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x01];
        for n in 0..der.len() {
            assert!(Reader::new(&der[..n]).next().is_err(), "prefix {n}");
        }
        assert!(Reader::new(&[0x04, 0x80, 0x00, 0x00]).next().is_err());
        assert!(Reader::new(&[0x30, 0x80, 0x02, 0x01]).next().is_err());
        assert!(Reader::new(&[0x30, 0x85, 1, 1, 1, 1, 1]).next().is_err());
        // non-minimal length is read, but is not DER
        let t = Reader::new(&[0x04, 0x81, 0x01, 0x41]).next().unwrap();
        assert!(!t.is_der_shaped());
        assert_eq!(t.to_der().unwrap(), [0x04, 0x01, 0x41]);
    }

    #[test]
    fn long_lengths_round_trip() {
        let mut out = Vec::new();
        write_header(&mut out, 0x04, 300);
        assert_eq!(out, [0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut v = Vec::new();
        for _ in 0..200 {
            v.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..200 {
            v.extend_from_slice(&[0, 0]);
        }
        assert!(matches!(
            Reader::new(&v).next(),
            Err(Error::LimitExceeded { max: 48, .. })
        ));
        // 20 levels pass with the default bound, not with a bound of 10.
        let mut v = Vec::new();
        for _ in 0..20 {
            v.extend_from_slice(&[0x30, 0x80]);
        }
        v.extend_from_slice(&[0; 40]);
        assert!(Reader::new(&v).next().is_ok());
        assert!(matches!(
            Reader::with_max_depth(&v, 10).next(),
            Err(Error::LimitExceeded { max: 10, .. })
        ));
        // Definite lengths: the bound applies as the structure is walked.
        let mut v: Vec<u8> = vec![0x04, 0x00];
        for _ in 0..20 {
            let mut outer = vec![0x30, v.len() as u8];
            outer.extend_from_slice(&v);
            v = outer;
        }
        let mut t = Reader::with_max_depth(&v, 10).next().unwrap();
        let mut err = None;
        for _ in 0..20 {
            match t.children().next() {
                Ok(c) => t = c,
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
        }
        assert!(matches!(err, Some(Error::LimitExceeded { max: 10, .. })));
        assert!(matches!(
            Reader::with_max_depth(&v, 10).next().unwrap().to_der(),
            Err(Error::LimitExceeded { .. })
        ));
    }
}
