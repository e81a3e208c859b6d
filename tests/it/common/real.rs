//! The real CFCA/Huifu material (public test files; the README says where they come from): where
//! it is, and what a test that needs it does when it is absent.
//!
//! - `HUIFU_CFCA_REAL_VECTORS` names a folder: the material is required there; a missing folder
//!   or file fails the tests that read it (CI sets it).
//! - Otherwise `../shared/vectors/cfca` beside the crate is used when it is there.
//! - Otherwise each test that needs it checks nothing, says so in one line
//!   `SKIPPED (no real CFCA vectors): <test>: <what it did not check>`, and passes;
//!   `zz_real_vectors_summary` prints the count.
//!
//! libtest keeps what a passing test prints with `println!`/`eprintln!` to itself; a line written
//! to `std::io::stderr()` directly is not captured, so the `SKIPPED` lines show in a plain
//! `cargo test`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Names the folder of the real material and makes it required.
pub const VAR: &str = "HUIFU_CFCA_REAL_VECTORS";

/// The files of the real material that the tests read: a folder without one is incomplete.
pub const FILES: &[&str] = &[
    "AS0381.pfx",
    "CFCA_ACS_OCA31.cer",
    "CFCA_ACS_TEST_CA.cer",
    "CFCA_ACS_TEST_OCA31.cer",
    "key.pfx",
    "response_cmd209.check_value",
    "response_cmd209.json",
    "result_cmd204_oldchain.check_value",
    "result_cmd204_oldchain.json",
];

/// What each skipped test did not check (`<test>: <what>`).
static SKIPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The folder beside the crate where a checkout keeps the material.
fn beside() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/cfca")
}

/// The folder named by `HUIFU_CFCA_REAL_VECTORS` (then required: `None` never), else
/// `../shared/vectors/cfca` if it is there.
fn find() -> Option<PathBuf> {
    match std::env::var_os(VAR).filter(|v| !v.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => Some(beside()).filter(|d| d.is_dir()),
    }
}

/// The folder of the real material; fails the test when it is required but missing (a test calls
/// [`skip`] first, so an absent, optional folder never reaches here).
pub fn dir() -> PathBuf {
    let dir = find().unwrap_or_else(|| {
        panic!(
            "the real CFCA vectors are not at {} and {VAR} is not set (call common::real::skip \
             first)",
            beside().display()
        )
    });
    assert!(
        dir.is_dir(),
        "{VAR}={}: not a folder; the real CFCA vectors are required there",
        dir.display()
    );
    dir
}

/// A file of the real material (see [`dir`]).
pub fn file(name: &str) -> PathBuf {
    dir().join(name)
}

/// Reads a file of the real material; a missing file fails the test.
pub fn read(name: &str) -> Vec<u8> {
    let path = file(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "the real CFCA vectors are incomplete: {}: {e}",
            path.display()
        )
    })
}

/// `true` when the real material is absent and not required: the test then returns without
/// checking anything. Prints one line naming the test and `what` it did not check.
pub fn skip(what: &str) -> bool {
    if find().is_some() {
        return false;
    }
    let test = std::thread::current().name().unwrap_or("?").to_string();
    let line = format!("{test}: {what}");
    // Straight to the terminal: libtest would keep an `eprintln!` of a passing test to itself.
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIPPED (no real CFCA vectors): {line}"
    );
    SKIPPED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(line);
    true
}

/// Prints the count of skips. Called by `zz_real_vectors_summary`, the test libtest starts last
/// (it starts tests in name order); each test decides to skip in its first statement, so by then
/// the others have in practice recorded theirs. The `SKIPPED` lines are the exact list.
pub fn summary() {
    if find().is_some() {
        return;
    }
    let skipped = SKIPPED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .len();
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIPPED {skipped} tests of this binary that need the real CFCA vectors (not at {}; set \
         {VAR} to their folder to run and require them, see the README)",
        beside().display()
    );
}
