//! Workloads 1–7 of docs/performance.md, each engine side by side in one
//! criterion group: attrmap's VM, attrmap's AST evaluator (the reference),
//! the `cel` crate and `evalexpr`, wherever each can express the logic.
//!
//! Before timing, every engine's answer for every generated user is checked
//! against the AST evaluator, so the groups compare equivalent work. A
//! workload whose attrmap functions are not implemented yet is reported as
//! not measured instead of timing an error path.
//!
//! Run: `cargo bench --bench engines` (about 5 minutes on 2 cores);
//! `scripts/bench-table.py` turns target/criterion into the tables.

#[path = "support/mod.rs"]
mod support;

use attrmap::eval::{Context, EvalResult, FlatRecord, Outcome};
use attrmap::mapping::builder::{compile_object, CompiledObject, MappedRef, Mode};
use attrmap::mapping::stream::{Batch, Threads};
use attrmap::mapping::ObjectType;
use attrmap::{Expression, Record};
use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use std::hint::black_box;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

/// Users per workload; evaluations cycle through them.
const USERS: usize = 1000;

fn now() -> DateTime<Utc> {
    support::NOW_RFC3339.parse().expect("fixed now")
}

fn ctx() -> Context<'static> {
    Context::new().with_now(now())
}

fn text(r: EvalResult<'_>) -> String {
    match r {
        Ok(Outcome::Value(v)) => v.to_text().into_owned(),
        Ok(other) => format!("{other:?}"),
        Err(e) => format!("error {}: {}", e.code, e.message),
    }
}

/// Every engine under test for one workload.
struct Workload {
    name: &'static str,
    users: Vec<serde_json::Value>,
    /// The same users decoded into attrmap's lookup-optimised record.
    flat: Vec<FlatRecord>,
    /// `None` while attrmap cannot evaluate the workload (functions missing).
    expr: Option<Expression>,
    /// What every engine must answer: attrmap's AST evaluator where it runs,
    /// otherwise the plain-Rust statement of the logic.
    expected: Vec<String>,
}

impl Workload {
    /// Compiles `source` and settles the expected answers. `reference` states
    /// the workload's logic in plain Rust; the competitors are checked
    /// against it when attrmap cannot run the workload yet.
    fn new(
        name: &'static str,
        source: &str,
        reference: fn(&serde_json::Value) -> String,
    ) -> Workload {
        let users = support::users(USERS, support::SEED);
        let flat: Vec<FlatRecord> = users
            .iter()
            .map(|u| serde_json::from_value(u.clone()).expect("object"))
            .collect();
        let mut expected: Vec<String> = users.iter().map(reference).collect();
        let expr = match attrmap::compile(source) {
            Ok(e) => Some(e),
            Err(e) => {
                eprintln!("{name}: attrmap not measured: does not compile: {e}");
                None
            }
        };
        let expr = expr.and_then(|expr| {
            let ast: Vec<String> = users
                .iter()
                .map(|u| text(expr.evaluate_ast(u, &mut ctx())))
                .collect();
            if let Some(err) = ast.iter().find(|t| t.starts_with("error ")) {
                eprintln!("{name}: attrmap not measured: the AST evaluator fails: {err}");
                return None;
            }
            if let Some(i) = (0..users.len()).find(|&i| ast[i] != expected[i]) {
                eprintln!(
                    "{name}: note: attrmap answers {:?} where the plain-Rust reference says {:?} for {}; \
                     the AST evaluator is the reference from here on",
                    ast[i], expected[i], users[i]
                );
            }
            for (u, want) in users.iter().zip(&ast) {
                let got = text(expr.evaluate(u, &mut ctx()));
                assert_eq!(&got, want, "{name}: VM and AST evaluator disagree on {u}");
            }
            for (f, want) in flat.iter().zip(&ast) {
                let got = text(expr.evaluate(f, &mut ctx()));
                assert_eq!(&got, want, "{name}: FlatRecord");
            }
            expected = ast;
            Some(expr)
        });
        Workload {
            name,
            users,
            flat,
            expr,
            expected,
        }
    }

    fn check(&self, engine: &str, answers: impl Iterator<Item = String>) {
        for (i, (got, want)) in answers.zip(&self.expected).enumerate() {
            assert_eq!(
                &got, want,
                "{}: {engine} disagrees with the expected answer on user {i}: {}",
                self.name, self.users[i]
            );
        }
    }

    fn bench_attrmap(&self, g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
        let Some(expr) = &self.expr else {
            return;
        };
        let mut c = ctx();
        let mut i = 0;
        g.bench_function("attrmap_vm", |b| {
            b.iter(|| {
                i = (i + 1) % USERS;
                black_box(expr.evaluate(black_box(&self.users[i]), &mut c).is_ok())
            })
        });
        g.bench_function("attrmap_vm_flat", |b| {
            b.iter(|| {
                i = (i + 1) % USERS;
                black_box(expr.evaluate(black_box(&self.flat[i]), &mut c).is_ok())
            })
        });
        g.bench_function("attrmap_ast", |b| {
            b.iter(|| {
                i = (i + 1) % USERS;
                black_box(expr.evaluate_ast(black_box(&self.users[i]), &mut c).is_ok())
            })
        });
    }
}

fn group<'c>(
    c: &'c mut Criterion,
    name: &str,
) -> BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    // One evaluation per iteration: criterion's time is ns per evaluation.
    g.throughput(Throughput::Elements(1));
    g
}

// ---------------------------------------------------------------------------
// Competitors.

/// The string attributes as CEL/evalexpr variables; an absent or null
/// attribute is "" there, which is what attrmap's Switch and Join read.
fn attr(u: &serde_json::Value, name: &str) -> String {
    u.get(name)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

mod celx {
    use super::*;
    use cel::{Context, Env, Program, Value};

    pub struct Cel {
        pub program: Program,
        pub contexts: Vec<Context<'static, 'static>>,
    }

    /// One CEL context per user, built before timing (the user is "already
    /// decoded" for CEL too). `attrs` become string variables; `now` a timestamp.
    pub fn build(source: &str, users: &[serde_json::Value], attrs: &[&str]) -> Cel {
        build_with_bools(source, users, attrs, &[])
    }

    /// As [`build`], with `bools` bound as boolean variables.
    pub fn build_with_bools(
        source: &str,
        users: &[serde_json::Value],
        attrs: &[&str],
        bools: &[&str],
    ) -> Cel {
        let mut env = Env::stdlib();
        env.add_extension(cel::extensions::strings)
            .expect("strings extension");
        let env = Arc::new(env);
        let program = env.compile(source).expect("CEL program");
        let contexts = users
            .iter()
            .map(|u| {
                let mut c = Context::with_env(Arc::clone(&env));
                for a in attrs {
                    c.add_variable_from_value(*a, Value::String(Arc::new(attr(u, a))));
                }
                for a in bools {
                    let b = u.get(*a).and_then(|v| v.as_bool()).unwrap_or(false);
                    c.add_variable_from_value(*a, Value::Bool(b));
                }
                c.add_variable_from_value("now", Value::Timestamp(now().fixed_offset()));
                c.add_function("normalizeDiacritics", |s: Arc<String>| {
                    Arc::new(support::fold_diacritics(&s))
                })
                .expect("host function");
                c
            })
            .collect();
        Cel { program, contexts }
    }

    impl Cel {
        pub fn answers(&self) -> impl Iterator<Item = String> + '_ {
            self.contexts.iter().map(|c| match self.program.execute(c) {
                Ok(Value::String(s)) => s.to_string(),
                other => format!("{other:?}"),
            })
        }
        /// Results as JSON, for programs that build objects.
        pub fn json_answers(&self) -> impl Iterator<Item = serde_json::Value> + '_ {
            self.contexts.iter().map(|c| {
                self.program
                    .execute(c)
                    .ok()
                    .and_then(|v| v.json().ok())
                    .unwrap_or_default()
            })
        }
        pub fn bench(&self, g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
            let mut i = 0;
            g.bench_function("cel", |b| {
                b.iter(|| {
                    i = (i + 1) % self.contexts.len();
                    black_box(self.program.execute(black_box(&self.contexts[i])).is_ok())
                })
            });
        }
    }
}

mod evx {
    use super::*;
    use evalexpr::{
        build_operator_tree, ContextWithMutableFunctions, ContextWithMutableVariables,
        DefaultNumericTypes, EvalexprError, Function, HashMapContext, Node, Value,
    };

    pub struct Ev {
        pub tree: Node<DefaultNumericTypes>,
        pub contexts: Vec<HashMapContext<DefaultNumericTypes>>,
    }

    fn string_arg(v: &Value) -> Result<String, EvalexprError> {
        v.as_string()
    }

    pub fn build(source: &str, users: &[serde_json::Value], attrs: &[&str]) -> Ev {
        let tree = build_operator_tree::<DefaultNumericTypes>(source).expect("evalexpr tree");
        let now = now();
        let contexts = users
            .iter()
            .map(|u| {
                let mut c = HashMapContext::<DefaultNumericTypes>::new();
                for a in attrs {
                    c.set_value((*a).to_string(), Value::String(attr(u, a)))
                        .expect("variable");
                }
                c.set_function(
                    "normalize_diacritics".into(),
                    Function::new(|v| Ok(Value::String(support::fold_diacritics(&string_arg(v)?)))),
                )
                .expect("host function");
                c.set_function(
                    "strip_spaces".into(),
                    Function::new(|v| Ok(Value::String(string_arg(v)?.replace(' ', "")))),
                )
                .expect("host function");
                // evalexpr has no dates: whole days from now to an RFC 3339 date.
                c.set_function(
                    "days_until".into(),
                    Function::new(move |v| {
                        let s = string_arg(v)?;
                        let d: DateTime<Utc> = s
                            .parse()
                            .map_err(|e| EvalexprError::CustomMessage(format!("{e}")))?;
                        Ok(Value::Int((d - now).num_days()))
                    }),
                )
                .expect("host function");
                c
            })
            .collect();
        Ev { tree, contexts }
    }

    impl Ev {
        pub fn answers(&self) -> impl Iterator<Item = String> + '_ {
            self.contexts
                .iter()
                .map(|c| match self.tree.eval_with_context(c) {
                    Ok(Value::String(s)) => s,
                    other => format!("{other:?}"),
                })
        }
        pub fn bench(&self, g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
            let mut i = 0;
            g.bench_function("evalexpr", |b| {
                b.iter(|| {
                    i = (i + 1) % self.contexts.len();
                    black_box(
                        self.tree
                            .eval_with_context(black_box(&self.contexts[i]))
                            .is_ok(),
                    )
                })
            });
        }
    }
}

// ---------------------------------------------------------------------------
// Workloads.

fn cel_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Switch as CEL and evalexpr write it: a chain of conditionals.
fn role_chain(conditional: fn(&str, &str, &str) -> String) -> String {
    let mut out = cel_string(&support::role_uuid(None));
    for (i, d) in support::DEPARTMENTS.iter().enumerate().rev() {
        out = conditional(
            &format!("department == {}", cel_string(d)),
            &cel_string(&support::role_uuid(Some(i))),
            &out,
        );
    }
    out
}

fn w1(c: &mut Criterion) {
    let w = Workload::new(
        "w1_role_derivation",
        &support::w1_role_derivation(),
        support::w1_reference,
    );
    let attrs = ["department"];
    let cel = celx::build(
        &role_chain(|c, a, b| format!("{c} ? {a} : ({b})")),
        &w.users,
        &attrs,
    );
    w.check("cel", cel.answers());
    let ev = evx::build(
        &role_chain(|c, a, b| format!("if({c}, {a}, {b})")),
        &w.users,
        &attrs,
    );
    w.check("evalexpr", ev.answers());
    let mut g = group(c, w.name);
    w.bench_attrmap(&mut g);
    cel.bench(&mut g);
    ev.bench(&mut g);
    g.finish();
}

fn w2(c: &mut Criterion) {
    let w = Workload::new("w2_upn_generation", support::W2_UPN, support::w2_reference);
    let attrs = ["givenName", "surname"];
    let cel = celx::build(
        r#"normalizeDiacritics((givenName + "." + surname).replace(" ", "")).lowerAscii() + "@contoso.com""#,
        &w.users,
        &attrs,
    );
    w.check("cel", cel.answers());
    let ev = evx::build(
        r#"str::to_lowercase(normalize_diacritics(strip_spaces(givenName + "." + surname)) + "@" + "contoso.com")"#,
        &w.users,
        &attrs,
    );
    w.check("evalexpr", ev.answers());
    let mut g = group(c, w.name);
    w.bench_attrmap(&mut g);
    cel.bench(&mut g);
    ev.bench(&mut g);
    g.finish();
}

fn w3(c: &mut Criterion) {
    let w = Workload::new(
        "w3_hr_date_logic",
        support::W3_HR_DATE,
        support::w3_reference,
    );
    let attrs = ["Active", "StatusHireDate"];
    let cel = celx::build(
        r#"Active == "1" ? (timestamp(StatusHireDate) - now >= duration("0s") ? "True" : "False") : (Active == "0" ? "False" : "")"#,
        &w.users,
        &attrs,
    );
    w.check("cel", cel.answers());
    let ev = evx::build(
        r#"if(Active == "1", if(days_until(StatusHireDate) >= 0, "True", "False"), if(Active == "0", "False", ""))"#,
        &w.users,
        &attrs,
    );
    w.check("evalexpr", ev.answers());
    let mut g = group(c, w.name);
    w.bench_attrmap(&mut g);
    cel.bench(&mut g);
    ev.bench(&mut g);
    g.finish();
}

fn w4(c: &mut Criterion) {
    let w = Workload::new("w4_regex_cleanup", support::W4_REGEX, support::w4_reference);
    // CEL has `matches` but no regex replacement (not even in its strings
    // extension): not expressible without a host function, so not measured.
    let ev = evx::build(
        r#"str::regex_replace(mobile, "[()\\s-]+", "")"#,
        &w.users,
        &["mobile"],
    );
    w.check("evalexpr", ev.answers());
    let mut g = group(c, w.name);
    w.bench_attrmap(&mut g);
    ev.bench(&mut g);
    g.finish();
}

/// Workload 5's mappings as a native mapping file, for the mapping builder
/// and `attrmap map`'s library entry point.
fn w5_mapping_file() -> String {
    let mappings: Vec<serde_json::Value> = support::w5_dilitrust_mapping()
        .iter()
        .map(|(target, expr)| serde_json::json!({"target": target, "expression": expr}))
        .collect();
    serde_json::json!({"objects": [{"object": "User", "mappings": mappings}]}).to_string()
}

fn w5_compiled(file: &str) -> CompiledObject {
    let loaded = attrmap::mapping::load(file).expect("workload 5 mapping loads");
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    compile_object(&loaded.set, ObjectType::User, file).expect("workload 5 mapping compiles")
}

/// Workloads 5 and 7 through the expression API: compile each mapping,
/// evaluate, write the SCIM object by hand. This is what lets the AST
/// evaluator and cel run the same whole mapping; the mapping builder
/// (`attrmap_mapping`) is the real thing.
struct Mapper {
    exprs: Vec<Expression>,
}

impl Mapper {
    fn new() -> Mapper {
        let exprs = support::w5_dilitrust_mapping()
            .iter()
            .map(|(_, src)| attrmap::compile(src).expect("DiliTrust mapping compiles"))
            .collect();
        Mapper { exprs }
    }

    /// Appends the user's SCIM line to `out`; an object skipped by
    /// IgnoreObjectFlow or failing writes nothing (a batch goes on).
    fn map<R: Record + ?Sized>(&self, r: &R, ctx: &mut Context<'_>, ast: bool, out: &mut String) {
        let mut values: [Option<attrmap::value::Value<'_>>; 6] = Default::default();
        for (slot, e) in values.iter_mut().zip(&self.exprs) {
            let outcome = if ast {
                e.evaluate_ast(r, ctx)
            } else {
                e.evaluate(r, ctx)
            };
            match outcome {
                Ok(Outcome::Value(v)) if !v.is_null() => *slot = Some(v),
                Ok(Outcome::Value(_)) | Ok(Outcome::Ignore) => {}
                Ok(Outcome::IgnoreObject) | Err(_) => return,
            }
        }
        let texts: [Option<std::borrow::Cow<'_, str>>; 6] =
            std::array::from_fn(|k| values[k].as_ref().map(|v| v.to_text()));
        support::write_scim_user(out, std::array::from_fn(|k| texts[k].as_deref()));
        out.push('\n');
    }
}

fn w5(c: &mut Criterion) {
    let mapper = Mapper::new();
    let users = support::users(USERS, support::SEED);
    let flat: Vec<FlatRecord> = users
        .iter()
        .map(|u| serde_json::from_value(u.clone()).expect("object"))
        .collect();
    let mut c0 = ctx();
    let lines = |ast: bool, c0: &mut Context<'_>| -> Vec<String> {
        users
            .iter()
            .map(|u| {
                let mut out = String::new();
                mapper.map(u, c0, ast, &mut out);
                out
            })
            .collect()
    };
    let expected = lines(true, &mut c0);
    assert_eq!(expected, lines(false, &mut c0), "w5: VM and AST disagree");
    for (f, want) in flat.iter().zip(&expected) {
        let mut out = String::new();
        mapper.map(f, &mut c0, false, &mut out);
        assert_eq!(&out, want, "w5: FlatRecord");
    }
    let role = role_chain(|c, a, b| format!("{c} ? {a} : ({b})"));
    let cel = celx::build_with_bools(
        &format!(
            r#"{{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "externalId": objectId, "userName": mail, "active": !IsSoftDeleted, "name": {{"givenName": givenName, "familyName": surname}}, "roleId": {role}}}"#
        ),
        &users,
        &["objectId", "mail", "givenName", "surname", "department"],
        &["IsSoftDeleted"],
    );
    // CEL builds the object; serialising it is part of the work, as for attrmap.
    for (got, want) in cel.json_answers().zip(&expected) {
        let want: serde_json::Value = serde_json::from_str(want).expect("SCIM JSON");
        assert_eq!(got, want, "w5: cel disagrees");
    }
    let file = w5_mapping_file();
    let compiled = w5_compiled(&file);
    let build = |u: &FlatRecord, c0: &mut Context<'_>, out: &mut Vec<u8>| {
        if let MappedRef::Resource(r) = compiled.map_ref(u, Mode::Create, c0, &file, None) {
            r.write_json(out).expect("writing to memory");
        }
    };
    for (f, want) in flat.iter().zip(&expected) {
        let mut out = Vec::new();
        build(f, &mut c0, &mut out);
        let got: serde_json::Value = serde_json::from_slice(&out).expect("SCIM JSON");
        let want: serde_json::Value = serde_json::from_str(want).expect("SCIM JSON");
        assert_eq!(got, want, "w5: mapping builder");
    }
    let mut g = group(c, "w5_whole_mapping");
    let mut out = String::with_capacity(1024);
    let mut bytes = Vec::with_capacity(1024);
    let mut i = 0;
    for (label, ast) in [("attrmap_vm", false), ("attrmap_ast", true)] {
        g.bench_function(label, |b| {
            b.iter(|| {
                i = (i + 1) % USERS;
                out.clear();
                mapper.map(black_box(&users[i]), &mut c0, ast, &mut out);
                black_box(out.len())
            })
        });
    }
    g.bench_function("attrmap_vm_flat", |b| {
        b.iter(|| {
            i = (i + 1) % USERS;
            out.clear();
            mapper.map(black_box(&flat[i]), &mut c0, false, &mut out);
            black_box(out.len())
        })
    });
    g.bench_function("attrmap_mapping", |b| {
        b.iter(|| {
            i = (i + 1) % USERS;
            bytes.clear();
            build(black_box(&flat[i]), &mut c0, &mut bytes);
            black_box(bytes.len())
        })
    });
    g.bench_function("cel", |b| {
        b.iter(|| {
            i = (i + 1) % USERS;
            let v = cel.program.execute(&cel.contexts[i]).expect("cel");
            black_box(serde_json::to_string(&v.json().expect("json")).map(|s| s.len()))
        })
    });
    g.finish();
}

/// Users in the end-to-end JSONL file (about 7.5 MB): enough chunks for
/// the 2-thread row to show what `--jobs 2` does on a real file.
const JSONL_USERS: usize = 10_000;

fn w7(c: &mut Criterion) {
    let file = support::jsonl(JSONL_USERS, support::SEED);
    let mapper = Mapper::new();
    let mut c0 = ctx();
    let mut out = String::with_capacity(file.len());
    let mut g = c.benchmark_group("w7_end_to_end");
    g.throughput(Throughput::Bytes(file.len() as u64));
    g.sample_size(15);
    g.bench_function("serde_json_parse_only", |b| {
        b.iter(|| {
            let mut n = 0;
            for line in black_box(&file).lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
                n += v.as_object().map_or(0, |o| o.len());
            }
            black_box(n)
        })
    });
    // What `attrmap map` runs, minus opening files: the library's stream
    // entry point, JSONL in, one result line per record out.
    let mapping_file = w5_mapping_file();
    let compiled = w5_compiled(&mapping_file);
    let batch = Batch::new(&compiled, &mapping_file);
    let mut bytes = Vec::with_capacity(file.len());
    let counts = batch
        .run(file.as_bytes(), &mut bytes, &mut c0, |_, _| {
            ControlFlow::Continue(())
        })
        .expect("in memory");
    assert_eq!(
        (counts.input, counts.out),
        (JSONL_USERS as u64, JSONL_USERS as u64)
    );
    g.bench_function("attrmap_map", |b| {
        b.iter(|| {
            bytes.clear();
            let counts = batch
                .run(black_box(file.as_bytes()), &mut bytes, &mut c0, |_, _| {
                    ControlFlow::Continue(())
                })
                .expect("in memory");
            black_box((counts.out, bytes.len()))
        })
    });
    // `attrmap map --jobs 2`: two workers, plus a reader thread, with the
    // calling thread writing in input order.
    g.bench_function("attrmap_map_2_threads", |b| {
        b.iter(|| {
            bytes.clear();
            let counts = batch
                .run_parallel(
                    black_box(file.as_bytes()),
                    &mut bytes,
                    Threads::new(2),
                    ctx,
                    |_, _| ControlFlow::Continue(()),
                )
                .expect("in memory");
            black_box((counts.out, bytes.len()))
        })
    });
    g.bench_function("attrmap_vm_flat", |b| {
        b.iter(|| {
            out.clear();
            for line in black_box(&file).lines() {
                let r: FlatRecord = serde_json::from_str(line).expect("JSON");
                mapper.map(&r, &mut c0, false, &mut out);
            }
            black_box(out.len())
        })
    });
    g.bench_function("attrmap_vm_json", |b| {
        b.iter(|| {
            out.clear();
            for line in black_box(&file).lines() {
                let r: serde_json::Value = serde_json::from_str(line).expect("JSON");
                mapper.map(&r, &mut c0, false, &mut out);
            }
            black_box(out.len())
        })
    });
    g.bench_function("attrmap_ast_json", |b| {
        b.iter(|| {
            out.clear();
            for line in black_box(&file).lines() {
                let r: serde_json::Value = serde_json::from_str(line).expect("JSON");
                mapper.map(&r, &mut c0, true, &mut out);
            }
            black_box(out.len())
        })
    });
    g.finish();
}

fn w6(c: &mut Criterion) {
    let big = support::w6_2kb_expression();
    let w1_src = support::w1_role_derivation();
    let mut g = c.benchmark_group("w6_compile");
    for (label, src) in [
        ("attrmap_2kb", big.as_str()),
        ("attrmap_w1_switch", w1_src.as_str()),
        ("attrmap_w2_upn", support::W2_UPN),
        ("attrmap_w3_hr_date", support::W3_HR_DATE),
    ] {
        if let Err(e) = attrmap::compile(src) {
            eprintln!("w6_compile/{label}: not measured: {e}");
            continue;
        }
        g.bench_function(label, |b| {
            b.iter(|| black_box(attrmap::compile(black_box(src)).is_ok()))
        });
    }
    // Where the 2 KB compile goes: parsing (pest) alone, and code
    // generation alone from a checked AST.
    let limits = attrmap::Limits::default();
    g.bench_function("attrmap_2kb_parse_only", |b| {
        b.iter(|| black_box(attrmap::syntax::parse(black_box(&big), &limits).is_ok()))
    });
    let ast = attrmap::syntax::parse(&big, &limits).expect("parses");
    let (checked, _) = attrmap::check::check(ast).expect("checks");
    g.bench_function("attrmap_2kb_codegen_only", |b| {
        b.iter(|| black_box(attrmap::compile::compile(black_box(&checked)).len()))
    });
    // The competitors compile workload 1's logic, for scale.
    let cel_src = role_chain(|c, a, b| format!("{c} ? {a} : ({b})"));
    let env = cel::Env::stdlib();
    g.bench_function("cel_w1_switch", |b| {
        b.iter(|| black_box(env.compile(black_box(&cel_src)).is_ok()))
    });
    let ev_src = role_chain(|c, a, b| format!("if({c}, {a}, {b})"));
    g.bench_function("evalexpr_w1_switch", |b| {
        b.iter(|| {
            black_box(
                evalexpr::build_operator_tree::<evalexpr::DefaultNumericTypes>(black_box(&ev_src))
                    .is_ok(),
            )
        })
    });
    g.finish();
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
    targets = w1, w2, w3, w4, w5, w6, w7
}
criterion_main!(benches);
