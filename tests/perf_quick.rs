//! Quick performance guard for CI: compares instruction counts, which do
//! not depend on the machine's load, not times. Each measurement runs this
//! test binary again under callgrind (`valgrind --tool=callgrind`),
//! counting only [`attrmap_perf_quick_loop`], and the checks are ratios
//! between engines in the same build, so they hold in debug and release
//! builds alike. Without valgrind the checks are skipped with a note, except
//! under `CI`, where a missing valgrind fails (.ci/run installs it).
//!
//! The full figures, on the bench profile with the competing engines, come
//! from `python3 benches/callgrind.py` (docs/performance.md).

#[path = "../benches/support/mod.rs"]
mod support;

use attrmap::eval::Context;
use std::hint::black_box;
use std::process::Command;

/// Evaluations counted per measurement (after a few warm-up ones).
const EVALUATIONS: usize = 200;

/// Compiles counted per measurement: each is worth a few hundred
/// evaluations, and valgrind runs the debug build slowly.
const COMPILES: usize = 20;

/// Users in workload 7's input: one run of a `w7:` case reads them all.
const RECORDS: usize = 200;

/// How many times `case` is run in the counted loop.
fn repetitions(case: &str) -> usize {
    if case.ends_with(":compile") {
        COMPILES
    } else if case.starts_with("w7:") {
        1
    } else {
        EVALUATIONS
    }
}

/// What the count is divided by: evaluations, compiles or records.
fn units(case: &str) -> usize {
    if case.starts_with("w7:") {
        RECORDS
    } else {
        repetitions(case)
    }
}

/// Workload 7's mapping (DiliTrust, as benches/cases.rs runs it), compiled.
fn w7_mapping(file: &str) -> attrmap::mapping::builder::CompiledObject {
    let loaded = attrmap::mapping::load(file).unwrap();
    attrmap::mapping::builder::compile_object(&loaded.set, attrmap::mapping::ObjectType::User, file)
        .unwrap()
}

/// What the child process measures, named by the `ATTRMAP_PERF_CASE`
/// environment variable: `workload:engine`.
const CASE_VAR: &str = "ATTRMAP_PERF_CASE";

/// The only code callgrind counts.
#[no_mangle]
#[inline(never)]
pub fn attrmap_perf_quick_loop(run: &mut dyn FnMut(usize) -> usize, n: usize) -> usize {
    (0..n).fold(0, |acc, i| acc.wrapping_add(black_box(run(i))))
}

/// Run in the child process under callgrind; does nothing otherwise.
#[test]
#[ignore = "run by the other tests under callgrind"]
fn measured_child() {
    let Ok(case) = std::env::var(CASE_VAR) else {
        return;
    };
    let users = support::users(EVALUATIONS, support::SEED);
    let names: Vec<(String, String)> = users
        .iter()
        .map(|u| {
            let text = |k: &str| u[k].as_str().unwrap_or_default().to_string();
            (text("givenName"), text("surname"))
        })
        .collect();
    let w1 = attrmap::compile(&support::w1_role_derivation()).unwrap();
    let w2 = attrmap::compile(support::W2_UPN).unwrap();
    let w10 = attrmap::compile(support::W10_HR_STATUS).unwrap();
    let mut ctx = Context::new();
    let jsonl = support::jsonl(RECORDS, support::SEED);
    let pages = support::graph_pages(RECORDS, support::SEED);
    let mappings: Vec<serde_json::Value> = support::w5_dilitrust_mapping()
        .iter()
        .map(|(target, expr)| serde_json::json!({"target": target, "expression": expr}))
        .collect();
    let file =
        serde_json::json!({"objects": [{"object": "User", "mappings": mappings}]}).to_string();
    let compiled = w7_mapping(&file);
    let batch = attrmap::mapping::stream::Batch::new(&compiled, &file);
    let graph = attrmap::sources::detect(pages.as_bytes(), attrmap::sources::SourceFormat::Graph);
    let mut out = Vec::with_capacity(jsonl.len());
    let go_on = |_: &_, _| std::ops::ControlFlow::Continue(());
    let mut run: Box<dyn FnMut(usize) -> usize> = match case.as_str() {
        "w1:vm" => Box::new(|i| usize::from(w1.evaluate(&users[i], &mut ctx).is_ok())),
        "w1:ast" => Box::new(|i| usize::from(w1.evaluate_ast(&users[i], &mut ctx).is_ok())),
        "w2:vm" => Box::new(|i| usize::from(w2.evaluate(&users[i], &mut ctx).is_ok())),
        "w2:ast" => Box::new(|i| usize::from(w2.evaluate_ast(&users[i], &mut ctx).is_ok())),
        "w10:vm" => Box::new(|i| usize::from(w10.evaluate(&users[i], &mut ctx).is_ok())),
        "w10:ast" => Box::new(|i| usize::from(w10.evaluate_ast(&users[i], &mut ctx).is_ok())),
        "w2:hand" => Box::new(|i| support::w2_by_hand(&names[i].0, &names[i].1).len()),
        "w3:compile" => Box::new(|_| usize::from(attrmap::compile(support::W3_HR_DATE).is_ok())),
        "w7:parse" => Box::new(|_| {
            let objects = jsonl.lines().map(serde_json::from_str::<serde_json::Value>);
            objects
                .filter(|v| v.as_ref().is_ok_and(|v| v.is_object()))
                .count()
        }),
        "w7:jsonl" => Box::new(|_| {
            out.clear();
            let counts = batch.run(jsonl.as_bytes(), &mut out, &mut ctx, go_on);
            counts.unwrap().out as usize
        }),
        "w7:graph" => Box::new(|_| {
            out.clear();
            let run = batch.run_source(pages.as_bytes(), &graph, &mut out, &mut ctx, go_on);
            run.unwrap().counts.out as usize
        }),
        other => panic!("unknown case {other}"),
    };
    // Warm-up outside the counted function (lazily built tables, caches).
    for i in 0..10.min(EVALUATIONS / units(&case)) {
        black_box(run(i));
    }
    attrmap_perf_quick_loop(&mut run, repetitions(&case));
}

/// Instructions per evaluation of `case` ("w1:vm", …), or `None` when
/// valgrind is not installed and this is not CI.
fn instructions(case: &str) -> Option<f64> {
    let found = Command::new("valgrind").arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "valgrind is needed for tests/perf_quick.rs in CI (apt-get install valgrind)"
        );
        eprintln!("perf_quick: valgrind not installed; instruction-count checks skipped");
        return None;
    }
    let out_file = std::env::temp_dir().join(format!(
        "attrmap-perf-quick-{}-{}.callgrind",
        std::process::id(),
        case.replace(':', "-")
    ));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--toggle-collect=attrmap_perf_quick_loop")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(std::env::current_exe().expect("test binary"))
        .args(["--exact", "measured_child", "--ignored", "--test-threads=1"])
        .env(CASE_VAR, case)
        .output()
        .expect("valgrind runs");
    assert!(
        status.status.success(),
        "callgrind on {case} failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let profile = std::fs::read_to_string(&out_file).expect("callgrind output");
    let _ = std::fs::remove_file(&out_file);
    let total: f64 = profile
        .lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no instruction total for {case}"));
    let per_eval = total / units(case) as f64;
    eprintln!("{case}: {per_eval:.0} instructions per evaluation or record");
    Some(per_eval)
}

#[test]
fn the_vm_runs_the_role_switch_in_far_fewer_instructions_than_the_ast_evaluator() {
    let (Some(vm), Some(ast)) = (instructions("w1:vm"), instructions("w1:ast")) else {
        return;
    };
    // About 4.5× in the bench profile (docs/performance.md); 2× leaves room
    // for debug builds while catching a VM that lost its Switch table.
    assert!(ast / vm >= 2.0, "VM {vm:.0}, AST {ast:.0} instructions");
}

#[test]
fn the_upn_pipeline_stays_near_hand_written_rust() {
    let (Some(vm), Some(ast), Some(hand)) = (
        instructions("w2:vm"),
        instructions("w2:ast"),
        instructions("w2:hand"),
    ) else {
        return;
    };
    assert!(vm <= ast, "VM {vm:.0}, AST {ast:.0} instructions");
    // Issue 17's target is half of cel's instructions (cel: 13.8× the
    // hand-written Rust in the bench profile, so 6.9×). The VM takes about
    // 6× in the bench profile and 7× in the debug one; 8× leaves room for
    // the profile while failing on a lost fast path (an extra allocation
    // or copy of the text per call is about 1×).
    assert!(
        vm / hand <= 8.0,
        "VM {vm:.0} instructions, hand-written {hand:.0}: {:.1}×",
        vm / hand
    );
}

#[test]
fn nested_iif_on_attributes_runs_as_fused_tests() {
    let (Some(vm), Some(ast)) = (instructions("w10:vm"), instructions("w10:ast")) else {
        return;
    };
    // Each condition `[attribute] = "constant"` is one VM instruction
    // (AttrTest): the AST evaluator takes about 1.8× the VM's instructions
    // in the bench profile and 1.3× in the debug one. Without the fusion
    // the two were within 15% of each other.
    assert!(ast / vm >= 1.2, "VM {vm:.0}, AST {ast:.0} instructions");
}

#[test]
fn compiling_a_typical_expression_stays_cheap() {
    let Some(compile) = instructions("w3:compile") else {
        return;
    };
    // About 30 000 instructions in the bench profile (workload 6 of
    // docs/performance.md); the bound allows for a debug build while still
    // catching an accidental blow-up (the parser's stack guard running
    // wild, a quadratic check).
    assert!(
        compile <= 3_000_000.0,
        "{compile:.0} instructions per compile"
    );
}

/// Bounds for workload 7 (see the test below), in the test profile, where
/// serde_json is unoptimised too: parse-only ÷ `attrmap map` measured 1.01
/// there as CI builds it (1.18 without debug info; 1.64 in the bench
/// profile), Graph pages ÷ JSONL 1.23 (1.28; 1.36).
const PARSE_OVER_JSONL: f64 = 0.9;
const GRAPH_OVER_JSONL: f64 = 1.4;

#[test]
fn map_decodes_jsonl_and_graph_pages_without_extra_passes() {
    let (Some(parse), Some(jsonl), Some(graph)) = (
        instructions("w7:parse"),
        instructions("w7:jsonl"),
        instructions("w7:graph"),
    ) else {
        return;
    };
    eprintln!(
        "serde_json parse-only ÷ attrmap map {:.2}×, Graph pages ÷ JSONL {:.2}×",
        parse / jsonl,
        graph / jsonl
    );
    // Issue 17 wants `attrmap map` at 1.5× fewer instructions than parsing
    // to serde_json::Value and issue 14 Graph pages within 1/0.7 of JSON
    // Lines, in the bench profile (docs/performance.md, workload 7). These
    // bounds leave room for other work, and catch one more pass over each
    // JSONL line or decoding through serde_json::Value (parse-only ratio),
    // and a Graph reader that goes back to reading each page several times
    // and building every attribute (it was 2.5× JSONL).
    assert!(
        parse / jsonl >= PARSE_OVER_JSONL,
        "parse-only {parse:.0}, attrmap map {jsonl:.0} instructions per record"
    );
    assert!(
        graph / jsonl <= GRAPH_OVER_JSONL,
        "Graph pages {graph:.0}, JSONL {jsonl:.0} instructions per record"
    );
}
