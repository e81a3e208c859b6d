//! The crate's one BER/DER reader: indefinite lengths, constructed strings, exact raw slices, and
//! the DER re-encoding of what it read ([`Tlv::to_der`]).
//!
//! `der` 0.8's BER mode keeps chunk headers in `Any` and cannot hand back the exact bytes of a
//! nested field, which signature checks need (the TBSCertificate, the signed attributes). This
//! reader walks the encoding without copying and keeps, for every element, the raw bytes it was
//! read from. Typed decoding (certificates, OIDs, extensions) is left to `der` / `x509-cert` on the
//! DER slices this reader hands out.
//!
//! # Cost linear in the input, whatever the nesting
//!
//! The end of an indefinite-length element is only found by walking everything inside it. Read
//! naively, every level of a nest of indefinite-length elements walks its whole subtree again,
//! so a message nested `d` deep costs `d × size` (a 16 MiB message 40 levels deep took ~7 s).
//! [`Ends::scan`] walks a whole input once, iteratively, and records where every indefinite-length
//! element ends; a [`Reader::indexed`] reader looks ends up there instead of walking again. The
//! DER re-encoding ([`Tlv::to_der`]) is two passes over the tree (the content lengths, bottom up,
//! then the bytes, top down) instead of re-copying each level's content into its parent. With
//! both, every byte is visited a bounded number of times, independent of the depth.

mod ends;
pub(crate) mod pem;

use crate::{Error, Result};

pub(crate) use ends::Ends;

/// Deepest nesting accepted by default (a SignedData with certificates needs about 12; the
/// PKCS#7 parser passes its own, smaller bound).
pub(crate) const DEFAULT_MAX_DEPTH: usize = 48;

fn depth_exceeded(depth: usize, max: usize) -> Error {
    Error::LimitExceeded {
        limit: "ASN.1 nesting depth",
        value: depth as u64,
        bound: crate::Bound::Max(max as u64),
    }
}

/// Universal tags this crate names.
pub(crate) mod tag;

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
    /// Where the indefinite-length elements of the input end, if it was scanned.
    ends: Option<&'a Ends>,
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
            ends: self.ends,
        }
    }

    /// A reader over `data` (this element's DER re-encoding, say) at this element's depth and
    /// with its bound.
    pub fn reader_at_same_depth<'b>(&self, data: &'b [u8]) -> Reader<'b> {
        Reader {
            data,
            pos: 0,
            depth: self.depth,
            max_depth: self.max_depth,
            ends: None,
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
    ///
    /// Two passes, each visiting every element once: the content lengths (bottom up, in
    /// pre-order slots), then the bytes (top down). Nothing is copied more than once, so the cost
    /// is linear in the input whatever the depth.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let mut lengths = Vec::new();
        let total = self.der_lengths(&mut lengths)?;
        let mut out = Vec::with_capacity(total);
        let mut next = 0usize;
        self.write_der(&lengths, &mut next, &mut out)?;
        Ok(out)
    }

    /// Pushes this element's DER content length (in pre-order) and those of its descendants;
    /// returns the length of its whole DER encoding.
    fn der_lengths(&self, lengths: &mut Vec<usize>) -> Result<usize> {
        if self.depth > self.max_depth {
            return Err(depth_exceeded(self.depth, self.max_depth));
        }
        let slot = lengths.len();
        lengths.push(0);
        let content = if !self.constructed() {
            self.value.len()
        } else if is_string_tag(self.tag & !0x20) {
            chunks_len(self, self.tag & !0x20, "constructed string")?
        } else {
            let mut sum = 0usize;
            let mut r = self.children();
            while !r.is_empty() {
                sum = sum.saturating_add(r.next()?.der_lengths(lengths)?);
            }
            sum
        };
        if let Some(l) = lengths.get_mut(slot) {
            *l = content;
        }
        Ok(header_len(content).saturating_add(content))
    }

    fn write_der(&self, lengths: &[usize], next: &mut usize, out: &mut Vec<u8>) -> Result<()> {
        let content = lengths
            .get(*next)
            .copied()
            .ok_or_else(|| Error::malformed("ASN.1", "DER re-encoding out of step"))?;
        *next += 1;
        if !self.constructed() {
            write_header(out, self.tag, content);
            out.extend_from_slice(self.value);
        } else if is_string_tag(self.tag & !0x20) {
            let primitive_tag = self.tag & !0x20;
            write_header(out, primitive_tag, content);
            collect_chunks(self, primitive_tag, "constructed string", out)?;
        } else {
            write_header(out, self.tag, content);
            let mut r = self.children();
            while !r.is_empty() {
                r.next()?.write_der(lengths, next, out)?;
            }
        }
        Ok(())
    }
}

/// The size of a DER identifier and length for `len` content bytes.
fn header_len(len: usize) -> usize {
    if len < 0x80 {
        2
    } else {
        2 + (usize::BITS - len.leading_zeros()).div_ceil(8) as usize
    }
}

/// The total length of the primitive chunks of a constructed string.
fn chunks_len(tlv: &Tlv<'_>, chunk_tag: u8, what: &'static str) -> Result<usize> {
    let mut sum = 0usize;
    for_each_chunk(tlv, chunk_tag, what, &mut |c| {
        sum = sum.saturating_add(c.len())
    })?;
    Ok(sum)
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

/// Appends the primitive chunks of a constructed string to `out`.
fn collect_chunks(
    tlv: &Tlv<'_>,
    chunk_tag: u8,
    what: &'static str,
    out: &mut Vec<u8>,
) -> Result<()> {
    for_each_chunk(tlv, chunk_tag, what, &mut |c| out.extend_from_slice(c))
}

/// Calls `f` with each primitive chunk of a constructed string, in order (nested constructed
/// chunks included); any other element inside is an error.
fn for_each_chunk(
    tlv: &Tlv<'_>,
    chunk_tag: u8,
    what: &'static str,
    f: &mut dyn FnMut(&[u8]),
) -> Result<()> {
    if tlv.depth > tlv.max_depth {
        return Err(depth_exceeded(tlv.depth, tlv.max_depth));
    }
    let mut r = tlv.children();
    while !r.is_empty() {
        let chunk = r.next()?;
        if chunk.tag == chunk_tag {
            f(chunk.value);
        } else if chunk.tag == chunk_tag | 0x20 {
            for_each_chunk(&chunk, chunk_tag, what, f)?;
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
    ends: Option<&'a Ends>,
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
            ends: None,
        }
    }

    /// A reader over top-level bytes that looks up where indefinite-length elements end in
    /// `ends` (made by [`Ends::scan`] over the same `data`) instead of walking them again: reading
    /// a whole BER input this way costs time linear in its size at any depth.
    pub fn indexed(data: &'a [u8], max_depth: usize, ends: &'a Ends) -> Self {
        Reader {
            data,
            pos: 0,
            depth: 0,
            max_depth,
            ends: Some(ends),
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
        let (tlv, used) = read_tlv(self.remaining(), self.depth, self.max_depth, self.ends)?;
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

/// The end (past its end-of-contents octets) of the indefinite-length element at the start of
/// `data`, found by reading every element inside it.
fn end_of_contents(
    data: &[u8],
    depth: usize,
    max_depth: usize,
    ends: Option<&Ends>,
) -> Result<usize> {
    const WHAT: &str = "ASN.1";
    let mut pos = 2usize;
    loop {
        let rest = data
            .get(pos..)
            .ok_or_else(|| Error::malformed(WHAT, "unexpected end of data"))?;
        match rest {
            [0, 0, ..] => return Ok(pos + 2),
            [] | [_] => {
                return Err(Error::malformed(
                    WHAT,
                    "unexpected end of data (no end-of-contents)",
                ));
            }
            _ => {
                let (_, used) = read_tlv(rest, depth + 1, max_depth, ends)?;
                pos += used;
            }
        }
    }
}

/// Reads one element from the start of `data`; returns it and the number of bytes it used.
fn read_tlv<'a>(
    data: &'a [u8],
    depth: usize,
    max_depth: usize,
    ends: Option<&'a Ends>,
) -> Result<(Tlv<'a>, usize)> {
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
        // Content runs until the matching end-of-contents octets: looked up when the input was
        // scanned, walked otherwise.
        let indexed = ends
            .and_then(|e| e.end_of(data))
            .filter(|&end| end >= 4 && data.get(end - 2..end) == Some(&[0, 0]));
        let end = match indexed {
            Some(end) => end,
            None => end_of_contents(data, depth, max_depth, ends)?,
        };
        let value = data.get(2..end - 2).unwrap_or_default();
        let raw = data.get(..end).unwrap_or_default();
        return Ok((
            Tlv {
                tag,
                value,
                raw,
                minimal_length: false,
                depth,
                max_depth,
                ends,
            },
            end,
        ));
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
            ends,
        },
        end,
    ))
}

#[cfg(test)]
mod tests;
