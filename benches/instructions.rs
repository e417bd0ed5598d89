//! Runs one benchmark case (`cases.rs`) for a fixed number of calls inside
//! [`attrmap_measured_loop`], which `benches/callgrind.py` tells callgrind
//! to count (`--toggle-collect`): deterministic instruction counts, free of
//! the machine's load. Heap allocations in the loop are counted here.
//!
//! Usage: `instructions --list` prints `GROUP ENGINE CALLS` lines;
//! `instructions GROUP ENGINE CALLS` runs as many warm-up calls (at most
//! `cases::USERS`), then `CALLS` counted ones, and prints a JSON line.
//! `instructions --time GROUP [ROUNDS]` times every engine of a group in
//! interleaved rounds (one round of each engine after the other, so a
//! change in the machine's load hits all of them alike) and prints the
//! median time per unit and its ratio to attrmap's VM: wall-time ratios
//! measured in one run, for a loaded machine where criterion's groups,
//! run one engine after the other, drift.

#[path = "cases.rs"]
mod cases;
#[path = "support/mod.rs"]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts allocations and reallocations (a few instructions each, the same
/// for every engine).
struct Counting;
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The only code callgrind counts. Not inlined and not mangled, so
/// `--toggle-collect=attrmap_measured_loop` finds it.
#[no_mangle]
#[inline(never)]
pub fn attrmap_measured_loop(run: &mut dyn FnMut() -> u64, calls: u64) -> u64 {
    let mut acc = 0u64;
    for _ in 0..calls {
        acc = acc.wrapping_add(black_box(run()));
    }
    acc
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--list") {
        for name in cases::GROUPS {
            let group = cases::build(name).expect("listed group");
            for case in group.cases.iter().filter(|c| c.callgrind) {
                println!("{} {} {}", group.name, case.engine, group.callgrind_calls);
            }
        }
        return;
    }
    if args.first().map(String::as_str) == Some("--time") {
        let group = args.get(1).expect("--time GROUP [ROUNDS]");
        let rounds = args
            .get(2)
            .map_or(31, |r| r.parse().expect("ROUNDS is a number"));
        time(group, rounds);
        return;
    }
    let [group_name, engine, calls] = &args[..] else {
        eprintln!("usage: instructions --list | instructions GROUP ENGINE CALLS");
        std::process::exit(2);
    };
    let calls: u64 = calls.parse().expect("CALLS is a number");
    let group = cases::build(group_name).unwrap_or_else(|| panic!("no group {group_name}"));
    let units = group.units_per_call;
    let bytes = group.bytes_per_call;
    let mut case = group
        .cases
        .into_iter()
        .find(|c| c.engine == engine)
        .unwrap_or_else(|| panic!("no engine {engine} in {group_name}"));
    // Warm-up outside the counted function: callgrind counts every call
    // of it.
    for _ in 0..calls.min(cases::USERS as u64) {
        black_box((case.run)());
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    black_box(attrmap_measured_loop(&mut case.run, calls));
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
    println!(
        "{}",
        serde_json::json!({
            "group": group_name, "engine": engine, "calls": calls,
            "units": calls * units, "allocations": allocations,
            "input_bytes": bytes.map(|b| b * calls),
        })
    );
}

/// Interleaved wall-time rounds of every engine of `group_name`.
fn time(group_name: &str, rounds: usize) {
    use std::time::{Duration, Instant};
    let group = cases::build(group_name).unwrap_or_else(|| panic!("no group {group_name}"));
    let units = group.units_per_call as f64;
    let mut cases: Vec<cases::Case> = group.cases.into_iter().filter(|c| c.callgrind).collect();
    // Calls per round: about 20 ms of the slowest engine's work.
    let mut calls = Vec::new();
    for case in &mut cases {
        let t = Instant::now();
        let mut n = 0u64;
        while t.elapsed() < Duration::from_millis(20) {
            black_box((case.run)());
            n += 1;
        }
        calls.push(n.max(1));
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    for _ in 0..rounds {
        for (k, case) in cases.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..calls[k] {
                black_box((case.run)());
            }
            samples[k].push(t.elapsed().as_nanos() as f64 / (calls[k] as f64 * units));
        }
    }
    let medians: Vec<f64> = samples
        .iter_mut()
        .map(|s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect();
    let vm = cases
        .iter()
        .position(|c| c.engine == "attrmap_vm" || c.engine == "attrmap_map")
        .map(|k| medians[k]);
    for (case, ns) in cases.iter().zip(&medians) {
        let ratio = vm.map_or(f64::NAN, |vm| ns / vm);
        println!(
            "{}",
            serde_json::json!({"group": group_name, "engine": case.engine, "ns_per_unit": ns, "ratio_to_attrmap": ratio, "rounds": rounds})
        );
    }
}
