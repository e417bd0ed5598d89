//! Workload 1 (role derivation) allocates nothing per evaluation: proven
//! with a counting global allocator, not asserted in a comment.

#[path = "../benches/support/mod.rs"]
mod support;

use attrmap::eval::{Context, Outcome};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

// Per thread, so tests running in parallel do not count each other.
thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // try_with: the thread-local may already be gone while a thread exits.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        }
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (and reallocations) made by `f` on this thread.
fn allocations_during(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|on| on.set(true));
    f();
    COUNTING.with(|on| on.set(false));
    ALLOCATIONS.with(|n| n.get())
}

#[test]
fn allocation_counter_sees_allocations() {
    // The proof below is only worth something if the counter works.
    let n = allocations_during(|| {
        let v: Vec<u64> = std::hint::black_box(Vec::with_capacity(4));
        drop(v);
    });
    assert_eq!(n, 1);
}

#[test]
fn workload_1_allocates_nothing_per_evaluation() {
    let users = support::users(1000, support::SEED);
    let expr = attrmap::compile(&support::w1_role_derivation()).unwrap();
    let mut ctx = Context::new();
    let default_role = support::role_uuid(None);
    let mut defaults = 0;
    let n = allocations_during(|| {
        for u in &users {
            match expr.evaluate(u, &mut ctx) {
                Ok(Outcome::Value(v)) => {
                    if v.to_text() == default_role.as_str() {
                        defaults += 1;
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    });
    assert_eq!(n, 0, "the VM allocated {n} times for {} users", users.len());
    // Sanity: the workload exercises both the table hits and the default.
    assert!(defaults > 50 && defaults < 300, "{defaults} defaults");
}

#[test]
fn workload_1_on_flat_records_allocates_nothing_per_evaluation() {
    let users: Vec<attrmap::eval::FlatRecord> = support::users(1000, support::SEED)
        .into_iter()
        .map(|u| serde_json::from_value(u).unwrap())
        .collect();
    let expr = attrmap::compile(&support::w1_role_derivation()).unwrap();
    let mut ctx = Context::new();
    let mut flowed = 0;
    let n = allocations_during(|| {
        for u in &users {
            if let Ok(Outcome::Value(v)) = expr.evaluate(u, &mut ctx) {
                flowed += usize::from(!v.is_null());
            }
        }
    });
    assert_eq!(n, 0, "the VM allocated {n} times for {} users", users.len());
    assert_eq!(flowed, users.len());
}

/// `attrmap map`'s loop (mapping::stream) on the DiliTrust example: a few
/// small allocations per record for the resource under construction, none
/// for decoding (one FlatRecord is reused) or for strings copied out of the
/// record. The bound catches a regression to one allocation per attribute
/// or per key.
#[test]
fn map_stream_allocates_a_few_small_vectors_per_record() {
    use attrmap::mapping::builder::compile_object;
    use attrmap::mapping::stream::Batch;
    const RECORDS: usize = 1000;
    let file = include_str!("../examples/native/dilitrust-clm.json");
    let loaded = attrmap::mapping::load(file).unwrap();
    let compiled = compile_object(&loaded.set, attrmap::mapping::ObjectType::User, file).unwrap();
    let batch = Batch::new(&compiled, file);
    let input = support::jsonl(RECORDS, support::SEED);
    let mut out = Vec::with_capacity(input.len() * 2);
    let mut ctx = Context::new();
    // Warm up: the reused record's buffers reach their size on the first lines.
    let warm: String = input.lines().take(5).map(|l| format!("{l}\n")).collect();
    batch
        .run(warm.as_bytes(), &mut out, &mut ctx, |_, _| {
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
    out.clear();
    let mut counts = None;
    let n = allocations_during(|| {
        counts = Some(
            batch
                .run(input.as_bytes(), &mut out, &mut ctx, |_, _| {
                    std::ops::ControlFlow::Continue(())
                })
                .unwrap(),
        );
    });
    let counts = counts.unwrap();
    assert_eq!(counts.out, RECORDS as u64, "{counts}");
    let per_record = n as f64 / RECORDS as f64;
    eprintln!("{per_record:.2} allocations per record");
    assert!(per_record <= 3.0, "{per_record:.2} allocations per record");
}

/// Workload 2 (UPN generation: Join, StripSpaces, NormalizeDiacritics,
/// Join, ToLower) allocates once per evaluation: the inner Join's output,
/// made with room for what the outer Join appends; the string functions
/// between them change that buffer in place (issue 17's target was two).
#[test]
fn workload_2_allocates_once_per_evaluation() {
    let users = support::users(1000, support::SEED);
    // The warm-up builds NormalizeDiacritics' index, once per process.
    let per_eval = allocations_per_evaluation(support::W2_UPN, &users, support::w2_reference);
    eprintln!("workload 2: {per_eval:.2} allocations per evaluation");
    assert!(per_eval <= 1.0, "{per_eval:.2} allocations per evaluation");
}

/// Evaluates `source` once per user after one warm-up evaluation, checks
/// every answer against `reference`, and returns the heap allocations per
/// evaluation. The answers vector is sized first, so every allocation
/// counted is the expression's.
fn allocations_per_evaluation(
    source: &str,
    users: &[serde_json::Value],
    reference: fn(&serde_json::Value) -> String,
) -> f64 {
    let expr = attrmap::compile(source).unwrap();
    let mut ctx = Context::new();
    let mut answers = Vec::with_capacity(users.len());
    expr.evaluate(&users[0], &mut ctx).unwrap();
    let n = allocations_during(|| {
        for u in users {
            if let Ok(Outcome::Value(v)) = expr.evaluate(u, &mut ctx) {
                answers.push(v.into_owned());
            }
        }
    });
    assert_eq!(answers.len(), users.len());
    for (u, got) in users.iter().zip(&answers) {
        assert_eq!(got.to_text(), reference(u), "{u}");
    }
    n as f64 / users.len() as f64
}

/// Workload 9 (FormatDateTime on Workday's hire date) allocates only its
/// result: both formats are tokenized once per thread, not per record, and
/// the date is read and written without intermediate strings.
#[test]
fn workload_9_allocates_only_its_result() {
    let mut users = support::users(1000, support::SEED);
    support::workday_hire_dates(&mut users);
    // The warm-up tokenizes the two formats, once per thread.
    let per_eval =
        allocations_per_evaluation(support::W9_WORKDAY_DATE, &users, support::w9_reference);
    eprintln!("workload 9: {per_eval:.2} allocations per evaluation");
    assert!(per_eval <= 1.0, "{per_eval:.2} allocations per evaluation");
}
