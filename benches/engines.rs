//! The workloads of docs/performance.md, each engine side by side in one
//! criterion group: attrmap's VM (on three record types), attrmap's AST
//! evaluator (the reference), the `cel` crate, `evalexpr` and hand-written
//! Rust, wherever each can express the logic. The cases themselves, and the
//! check that every engine gives the expected answers, are in `cases.rs`,
//! which `instructions.rs` runs under callgrind as well.
//!
//! Run: `cargo bench --bench engines`, then `python3 benches/report.py`.

#[path = "cases.rs"]
mod cases;
#[path = "support/mod.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

fn all(c: &mut Criterion) {
    // `cargo bench --bench engines -- w2` builds only the groups asked for.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    for name in cases::GROUPS {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let Some(group) = cases::build(name) else {
            continue;
        };
        let mut g = c.benchmark_group(group.name);
        match group.bytes_per_call {
            Some(bytes) => {
                g.throughput(Throughput::Bytes(bytes));
                g.sample_size(15);
            }
            None => {
                g.throughput(Throughput::Elements(group.units_per_call));
            }
        }
        for mut case in group.cases {
            g.bench_function(case.engine, |b| b.iter(|| black_box((case.run)())));
        }
        g.finish();
    }
}

fn config() -> Criterion {
    // Short but stable: the whole suite has to finish within 10 minutes on 2 cores.
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = all
}
criterion_main!(benches);
