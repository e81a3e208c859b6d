//! The index of where indefinite-length elements end, so that reading BER costs time linear in
//! the input whatever the nesting (see the parent module).

/// Where each indefinite-length element of one input ends, found in one linear walk
/// ([`Ends::scan`]): `(start, end)` offsets into that input, sorted by start.
#[derive(Debug, Default)]
pub(crate) struct Ends {
    base: usize,
    len: usize,
    pub(super) ends: Vec<(usize, usize)>,
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
    pub(super) fn end_of(&self, data: &[u8]) -> Option<usize> {
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
