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

use crate::{Error, Result};

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
    /// Where the indefinite-length elements of the input end, if it was scanned.
    ends: Option<&'a Ends>,
}

/// Where each indefinite-length element of one input ends, found in one linear walk
/// ([`Ends::scan`]): `(start, end)` offsets into that input, sorted by start.
#[derive(Debug, Default)]
pub(crate) struct Ends {
    base: usize,
    len: usize,
    ends: Vec<(usize, usize)>,
}

impl Ends {
    /// Walks `data` once (iteratively: an explicit stack bounded by `max_depth`) and records the
    /// end of every indefinite-length element it can. A malformed part is left out of the index
    /// (the reader reports it when it gets there) and the walk goes on after the nearest
    /// definite-length element around it, so the index never changes what is accepted, only what
    /// it costs.
    pub fn scan(data: &[u8], max_depth: usize) -> Ends {
        let mut ends = Vec::new();
        // Open constructed elements: (start, definite end or None, `ends.len()` when it was
        // opened, the limit its content must stay below).
        let mut stack: Vec<(usize, Option<usize>, usize, usize)> = Vec::new();
        let mut pos = 0usize;
        loop {
            // Close what ends here: a definite element at its end, an indefinite one at its
            // end-of-contents octets.
            match stack.last().copied() {
                Some((_, Some(end), _, _)) if pos == end => {
                    stack.pop();
                    continue;
                }
                Some((start, None, _, _)) if data.get(pos..pos + 2) == Some(&[0, 0]) => {
                    stack.pop();
                    pos += 2;
                    ends.push((start, pos));
                    continue;
                }
                None if pos >= data.len() => break,
                _ => {}
            }
            let limit = stack.last().map_or(data.len(), |t| t.3);
            let parsed = if pos < limit {
                header(data, pos, limit)
            } else {
                None
            };
            // Children of an element at depth `stack.len()` sit one deeper.
            let can_descend = stack.len() < max_depth;
            match parsed {
                Some((tag, len, hdr)) if tag & 0x20 != 0 && can_descend => {
                    let end = len.map(|l| pos + hdr + l);
                    stack.push((pos, end, ends.len(), end.unwrap_or(limit)));
                    pos += hdr;
                }
                Some((_, Some(len), hdr)) => pos += hdr + len,
                _ => {
                    // Malformed here (or too deep to read): unwind to the nearest definite-length
                    // element, forget what was indexed inside it and go on after it. Without one,
                    // the index stops here.
                    let resume = loop {
                        match stack.pop() {
                            Some((_, Some(end), mark, _)) => {
                                ends.truncate(mark);
                                break Some(end);
                            }
                            Some(_) => continue,
                            None => break None,
                        }
                    };
                    match resume {
                        Some(end) => pos = end,
                        None => break,
                    }
                }
            }
        }
        // Pushed when each element closes (inner ones first): sort by start for the look-ups.
        ends.sort_unstable();
        Ends {
            base: data.as_ptr() as usize,
            len: data.len(),
            ends,
        }
    }

    /// The end (exclusive, relative to `data`) of the indefinite-length element that starts at
    /// the beginning of `data`, if `data` lies in the scanned input and the scan found it.
    fn end_of(&self, data: &[u8]) -> Option<usize> {
        let at = (data.as_ptr() as usize).checked_sub(self.base)?;
        if at >= self.len {
            return None;
        }
        let i = self.ends.binary_search_by_key(&at, |e| e.0).ok()?;
        self.ends.get(i)?.1.checked_sub(at)
    }
}

/// The identifier, the length (`None` for indefinite) and the header size of the element at
/// `pos`, which must lie below `limit`; `None` where the header is malformed or runs past `limit`
/// (or its content does).
fn header(data: &[u8], pos: usize, limit: usize) -> Option<(u8, Option<usize>, usize)> {
    let tag = *data.get(pos)?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *data.get(pos + 1)?;
    if first == 0x80 {
        return (tag & 0x20 != 0).then_some((tag, None, 2));
    }
    let (len, hdr) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n > 4 {
            return None;
        }
        let bytes = data.get(pos + 2..pos + 2 + n)?;
        (
            bytes.iter().fold(0usize, |a, b| (a << 8) | *b as usize),
            2 + n,
        )
    };
    let end = pos.checked_add(hdr)?.checked_add(len)?;
    (end <= limit).then_some((tag, Some(len), hdr))
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

    /// Everything a reader can see of an input: each element's DER re-encoding, DER shape, and
    /// (for constructed strings) its octets, or the first error.
    fn observe(mut r: Reader<'_>) -> std::result::Result<Vec<(Vec<u8>, bool)>, String> {
        let mut out = Vec::new();
        while !r.is_empty() {
            let t = r.next().map_err(|e| e.to_string())?;
            out.push((t.to_der().map_err(|e| e.to_string())?, t.is_der_shaped()));
            let mut c = t.children();
            if t.constructed() {
                while !c.is_empty() {
                    let child = c.next().map_err(|e| e.to_string())?;
                    out.push((
                        child.to_der().map_err(|e| e.to_string())?,
                        child.is_der_shaped(),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The index of ends changes what reading costs, never what it returns: on a real BER
    /// message and on every one-byte corruption of it, indexed and plain readers agree.
    #[test]
    fn indexed_and_plain_readers_agree() {
        let original: &[u8] = include_bytes!("../vectors/p7/huifu-ber.p7b");
        let mut inputs = vec![original.to_vec()];
        for i in 0..original.len() {
            for v in [0x00u8, 0x80, 0xff, original[i] ^ 0x01] {
                let mut m = original.to_vec();
                m[i] = v;
                inputs.push(m);
            }
        }
        for depth in [4usize, 12, 48] {
            for input in &inputs {
                let ends = Ends::scan(input, depth);
                let plain = observe(Reader::with_max_depth(input, depth));
                let indexed = observe(Reader::indexed(input, depth, &ends));
                assert_eq!(
                    plain.is_ok(),
                    indexed.is_ok(),
                    "depth {depth}: {plain:?} / {indexed:?}"
                );
                if let (Ok(a), Ok(b)) = (&plain, &indexed) {
                    assert_eq!(a, b, "depth {depth}");
                }
            }
        }
    }

    /// The scan finds every indefinite element's end in a nest, skips a broken definite element
    /// without losing the rest, and stops at a broken indefinite one.
    #[test]
    fn the_scan_indexes_what_it_can() {
        // SEQ(indef) { SEQ(indef) { NULL } , OCTET STRING(indef) { "ab" } }
        let v = [
            0x30, 0x80, 0x30, 0x80, 0x05, 0x00, 0x00, 0x00, 0x24, 0x80, 0x04, 0x02, b'a', b'b',
            0x00, 0x00, 0x00, 0x00,
        ];
        let ends = Ends::scan(&v, 8);
        assert_eq!(ends.ends, vec![(0, 18), (2, 8), (8, 16)]);
        // A definite SEQ holding a broken element, then an indefinite one: the second is indexed.
        let v = [0x30, 0x02, 0x04, 0x05, 0x30, 0x80, 0x00, 0x00];
        assert_eq!(Ends::scan(&v, 8).ends, vec![(4, 8)]);
        // Too deep to read: not indexed (the reader reports the depth when it gets there).
        let v = [0x30, 0x80, 0x30, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(Ends::scan(&v, 1).ends, vec![]);
        assert_eq!(Ends::scan(&v, 2).ends, vec![(0, 10), (2, 8)]);
    }

    /// Nested and flat chunked strings of the same content re-encode to the same DER.
    #[test]
    fn nested_and_flat_strings_give_the_same_der() {
        let mut flat = vec![0x24, 0x80];
        let mut nested = Vec::new();
        for _ in 0..20 {
            nested.extend([0x24, 0x80]);
        }
        for _ in 0..100 {
            flat.extend([0x04, 0x01, b'x']);
            nested.extend([0x04, 0x01, b'x']);
        }
        flat.extend([0, 0]);
        nested.extend(std::iter::repeat_n(0u8, 40));
        let (fe, ne) = (Ends::scan(&flat, 24), Ends::scan(&nested, 24));
        let f = Reader::indexed(&flat, 24, &fe).next().unwrap();
        let n = Reader::indexed(&nested, 24, &ne).next().unwrap();
        assert_eq!(f.to_der().unwrap(), n.to_der().unwrap());
        assert_eq!(f.octets("x").unwrap(), n.octets("x").unwrap());
        assert_eq!(ne.ends.len(), 20);
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
            Err(Error::LimitExceeded {
                bound: crate::Bound::Max(48),
                ..
            })
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
            Err(Error::LimitExceeded {
                bound: crate::Bound::Max(10),
                ..
            })
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
        assert!(matches!(
            err,
            Some(Error::LimitExceeded {
                bound: crate::Bound::Max(10),
                ..
            })
        ));
        assert!(matches!(
            Reader::with_max_depth(&v, 10).next().unwrap().to_der(),
            Err(Error::LimitExceeded { .. })
        ));
    }
}
