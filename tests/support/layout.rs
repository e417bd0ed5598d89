//! The test layout: Cargo.toml turns off automatic test discovery
//! (`autotests = false`) and lists a few group binaries, each including
//! its files with `#[path]`. A file in `tests/` that no binary includes
//! would never run, and nothing would say so: this test says so.

use std::collections::BTreeSet;
use std::path::Path;

/// The files a test root includes with `#[path = "…"]`, relative to `tests/`.
fn included(root: &str) -> Vec<String> {
    root.lines()
        .filter_map(|l| l.trim().strip_prefix("#[path = \""))
        .filter_map(|l| l.split_once('"').map(|(p, _)| p.to_string()))
        .collect()
}

#[test]
fn every_test_file_is_built() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let roots: Vec<String> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("path = \"tests/"))
        .filter_map(|l| l.split_once('"').map(|(p, _)| p.to_string()))
        .collect();
    assert!(roots.len() >= 2, "no [[test]] roots found in Cargo.toml");
    let mut built: BTreeSet<String> = roots.iter().cloned().collect();
    for root in &roots {
        let text = std::fs::read_to_string(dir.join("tests").join(root)).unwrap();
        built.extend(included(&text));
    }
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(dir.join("tests")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".rs") && !built.contains(&name) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "{missing:?} would never run: add `#[path = \"NAME.rs\"] mod NAME;` to the group \
         it belongs to (tests/expressions.rs, tests/cli.rs) or a [[test]] for it in Cargo.toml"
    );
}
