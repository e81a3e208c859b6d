//! The layering rule of the crate docs, checked: every `crate::` path in a module's source names
//! the module itself or one listed before it in `lib.rs`'s "Layers" list.

use std::collections::BTreeSet;
use std::path::Path;

/// Root re-exports and the module that defines them.
const ROOT_ITEMS: &[(&str, &str)] = &[
    ("Error", "error"),
    ("Result", "error"),
    ("Bound", "error"),
    ("ChainError", "error"),
    ("ContentMode", "content"),
];

/// The modules of the numbered "Layers" list in `lib.rs`, bottom first.
fn declared_layers(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|l| l.strip_prefix("//! "))
        .filter_map(|l| {
            let (number, rest) = l.split_once(". ")?;
            number.parse::<u32>().ok()?;
            let name = rest.split('`').nth(1)?;
            Some(name.to_string())
        })
        .collect()
}

/// The source without comments (line comments and doc comments; enough for this crate).
fn code_of(source: &str) -> String {
    source
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first path segment of every `crate::` path in `code` (each name of a `crate::{…}` group).
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != "self" {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let layers = declared_layers(&lib);
    assert!(layers.len() >= 15, "{layers:?}");
    let rank = |m: &str| layers.iter().position(|l| l == m);
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut violations = Vec::new();
    let mut checked = 0;
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        // The crate root declares the modules; the binary is a crate of its own.
        if module == "lib" || module == "bin" || module == "layers" {
            continue;
        }
        let Some(own) = rank(&module) else {
            violations.push(format!("{module} is not in the layer list"));
            continue;
        };
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        for name in crate_paths(&code) {
            let target = ROOT_ITEMS
                .iter()
                .find(|(item, _)| *item == name)
                .map_or(name.as_str(), |(_, m)| m);
            checked += 1;
            match rank(target) {
                Some(r) if r <= own => {}
                Some(_) => violations.push(format!(
                    "{}: uses crate::{name}, a layer above {module}",
                    rel.display()
                )),
                None => violations.push(format!(
                    "{}: crate::{name} is not a listed module or root item",
                    rel.display()
                )),
            }
        }
    }
    assert!(checked > 50, "only {checked} paths seen");
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn the_path_reader_sees_groups_and_skips_comments() {
    let code =
        code_of("use crate::{Error, Result, oid};\n// crate::verify\nlet x = crate::x509::f();");
    let paths: Vec<String> = crate_paths(&code).into_iter().collect();
    assert_eq!(paths, ["Error", "Result", "oid", "x509"]);
    assert_eq!(
        declared_layers("//! 1. `error`: a\n//! 2. [`oid`]: b\n//! text 3. `no`"),
        ["error", "oid"]
    );
}
