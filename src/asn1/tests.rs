//! Unit tests of the parent module.

use super::*;

#[test]
fn definite_and_indefinite() {
    // SEQUENCE (indefinite) { INTEGER 1, OCTET STRING (constructed, indefinite) { "ab", "c" } }
    let ber = [
        0x30, 0x80, 0x02, 0x01, 0x01, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00,
        0x00, 0x00, 0x00,
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
    let original: &[u8] = include_bytes!("../../vectors/p7/huifu-ber.p7b");
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
        0x30, 0x80, 0x30, 0x80, 0x05, 0x00, 0x00, 0x00, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x00,
        0x00, 0x00, 0x00,
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
