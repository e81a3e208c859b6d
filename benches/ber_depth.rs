//! The cost of reading a BER message is linear in its size whatever its nesting (verifier
//! hardening): the same ~4 MiB message with its content as flat chunks and as chunks nested 8, 24
//! and 40 levels deep (indefinite-length constructed OCTET STRINGs, the worst case for a reader
//! that walks each level's subtree again).
//!
//! `cargo bench --bench ber_depth`. Before the one-pass reader the 40-level input cost ~40× the
//! flat one; now they are within a small factor of each other.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use huifu_cfca::pkcs7::parse::{ParseLimits, parse_with_limits};

/// `vectors/p7/huifu-ber.p7b` with its eContent ([0] at offset 48, 143 bytes, all of it
/// indefinite-length) replaced by `levels` nested constructed OCTET STRINGs around `chunks`
/// one-byte chunks.
fn message(levels: usize, chunks: usize) -> Vec<u8> {
    let original = include_bytes!("../vectors/p7/huifu-ber.p7b");
    let mut out = original[..48].to_vec();
    out.extend([0xa0, 0x80]);
    for _ in 0..levels.max(1) {
        out.extend([0x24, 0x80]);
    }
    for _ in 0..chunks {
        out.extend([0x04, 0x01, b'x']);
    }
    for _ in 0..levels.max(1) {
        out.extend([0, 0]);
    }
    out.extend([0, 0]);
    out.extend_from_slice(&original[191..]);
    out
}

fn bench(c: &mut Criterion) {
    let limits = ParseLimits {
        max_message_bytes: 8 << 20,
        max_depth: 64,
        ..ParseLimits::default()
    };
    let chunks = (4 << 20) / 3;
    let mut group = c.benchmark_group("ber_depth");
    group.sample_size(10);
    for levels in [1, 8, 24, 40] {
        let msg = message(levels, chunks);
        // The message parses (its content is just not what was signed).
        assert!(parse_with_limits(&msg, &limits).is_ok(), "levels {levels}");
        group.bench_function(format!("parse 4MiB nested {levels}"), |b| {
            b.iter(|| {
                parse_with_limits(black_box(&msg), &limits).map(|p| p.econtent.map(|e| e.len()))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
