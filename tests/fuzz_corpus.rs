//! Replays the fuzz seeds and every input the fuzzer ever crashed on
//! (`fuzz/regressions/<target>/`) through the same harness, on stable Rust.

use std::path::Path;

#[path = "support/fuzz_harness.rs"]
mod fuzz_harness;

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
    assert!(replay("parse", fuzz_harness::parse) > 50);
}

#[test]
fn differential_corpus() {
    assert!(replay("differential", fuzz_harness::differential) > 50);
}

#[test]
fn format_datetime_corpus() {
    assert!(replay("format_datetime", fuzz_harness::format_datetime) >= 8);
}

#[test]
fn mapping_loaders_corpus() {
    assert!(replay("mapping_loaders", fuzz_harness::mapping_loaders) >= 3);
}

#[test]
fn scim_path_corpus() {
    assert!(replay("scim_path", fuzz_harness::scim_path) >= 8);
}

#[test]
fn map_bytes_corpus() {
    assert!(replay("map_bytes", fuzz_harness::map_bytes) >= 2);
}

#[test]
fn map_parallel_corpus() {
    assert!(replay("map_parallel", fuzz_harness::map_parallel) >= 2);
}

#[test]
fn extreme_calls_corpus() {
    assert!(replay("extreme_calls", fuzz_harness::extreme_calls) >= 100);
}

/// The generator must name calls the checker accepts, or the target fuzzes
/// only the refusal path: every catalogue function appears among the seeds'
/// expressions, and most of them compile.
#[test]
fn extreme_call_seeds_cover_the_catalogue_and_compile() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/extreme_calls");
    let mut compiled = 0;
    let mut total = 0;
    let mut seen = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let expr = fuzz_harness::extreme_expression(&std::fs::read(entry.path()).unwrap());
        if std::env::var_os("SHOW_EXTREME").is_some() {
            eprintln!("{expr}");
        }
        seen.insert(expr[..expr.find('(').unwrap()].to_string());
        total += 1;
        compiled += usize::from(attrmap::compile(&expr).is_ok());
    }
    assert_eq!(seen.len(), attrmap::catalogue::CATALOGUE.len());
    assert!(compiled * 10 >= total * 7, "{compiled} of {total} compile");
}
