//! Replays the fuzz seeds and every input the fuzzer ever crashed on
//! (`fuzz/regressions/<target>/`) through the same harness, on stable Rust.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let mut count = 0;
    for dir in ["fuzz/seeds", "fuzz/regressions"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(target);
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            let data = std::fs::read(&p).unwrap();
            run(&data);
            count += 1;
        }
    }
    count
}

#[test]
fn parse_corpus() {
    assert!(replay("parse", attrmap::fuzz_harness::parse) > 50);
}

#[test]
fn differential_corpus() {
    assert!(replay("differential", attrmap::fuzz_harness::differential) > 50);
}

#[test]
fn format_datetime_corpus() {
    assert!(replay("format_datetime", attrmap::fuzz_harness::format_datetime) >= 8);
}

#[test]
fn mapping_loaders_corpus() {
    assert!(replay("mapping_loaders", attrmap::fuzz_harness::mapping_loaders) >= 3);
}

#[test]
fn scim_path_corpus() {
    assert!(replay("scim_path", attrmap::fuzz_harness::scim_path) >= 8);
}

#[test]
fn map_bytes_corpus() {
    assert!(replay("map_bytes", attrmap::fuzz_harness::map_bytes) >= 2);
}

#[test]
fn map_parallel_corpus() {
    assert!(replay("map_parallel", attrmap::fuzz_harness::map_parallel) >= 2);
}
