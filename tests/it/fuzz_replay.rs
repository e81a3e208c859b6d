//! Replays every fuzz corpus and regression file through the fuzz targets' own bodies
//! (`fuzz/harness.rs`), on stable: every input the fuzzer ever kept, and every crash ever found,
//! stays handled.

#[path = "../../fuzz/harness.rs"]
mod harness;

use std::path::Path;

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn replay(kind: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind);
    let mut count = 0;
    for (name, target) in harness::TARGETS {
        for path in files(&root.join(name)) {
            let data = match std::fs::read(&path) {
                Ok(data) => data,
                // A fuzzer running beside the tests replaces corpus files as it reduces them.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => panic!("{}: {e}", path.display()),
            };
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name}: {} fails", path.display());
            count += 1;
        }
    }
    count
}

#[test]
fn corpora() {
    let n = replay("corpus");
    assert!(n >= 5, "the seed corpora are missing ({n} files)");
}

#[test]
fn regressions() {
    replay("regressions");
}

#[test]
fn every_target_has_a_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (name, _) in harness::TARGETS {
        assert!(
            !files(&root.join(name)).is_empty(),
            "fuzz/corpus/{name} is empty"
        );
    }
}

#[test]
fn split_der_splits() {
    let two = [0x30, 0x01, 0x00, 0x04, 0x81, 0x01, 0x41, 0x05];
    assert_eq!(
        harness::split_der(&two),
        vec![&two[..3], &two[3..7], &two[7..]]
            .into_iter()
            .filter(|p| p.len() >= 2 || p.is_empty())
            .collect::<Vec<_>>()
    );
}
