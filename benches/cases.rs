//! Every benchmark case, built once here and run by both measuring binaries:
//! `engines.rs` times them with criterion, `instructions.rs` runs them under
//! callgrind (`benches/callgrind.py`) for instruction and allocation counts.
//! A case is one engine running one workload; each call of its `run`
//! evaluates the next user (or, for the end-to-end group, maps the whole
//! file).
//!
//! Before a group is handed out, every engine's answer for every generated
//! user is checked against the expected one, so the engines in a group do
//! equivalent work.
// Each including binary uses part of this (criterion times every case, the
// callgrind binary counts the single-threaded ones).
#![allow(dead_code)]

use super::support;
use attrmap::eval::{Context, EvalResult, FlatRecord, Outcome, TakenSet, UniquenessOracle};
use attrmap::mapping::builder::{compile_object, CompiledObject, MappedRef, Mode};
use attrmap::mapping::stream::{Batch, Threads};
use attrmap::mapping::ObjectType;
use attrmap::{Expression, Record};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::hint::black_box;
use std::ops::ControlFlow;
use std::sync::Arc;

/// Users per workload; evaluations cycle through them.
pub const USERS: usize = 1000;

/// Users in the end-to-end JSONL file (about 7.5 MB): enough chunks for
/// the 2-thread row to show what `--jobs 2` does on a real file.
pub const JSONL_USERS: usize = 10_000;

/// One engine on one workload. `run` does one unit of work (one evaluation,
/// one compile, or one pass over the end-to-end file) and returns something
/// for `black_box`.
pub struct Case {
    pub engine: &'static str,
    pub run: Box<dyn FnMut() -> u64>,
    /// Single-threaded, so callgrind's count is the work's (the 2-thread
    /// row is timed only).
    pub callgrind: bool,
}

pub struct Group {
    pub name: &'static str,
    /// Units of work (evaluations, records) per call of a case's `run`.
    pub units_per_call: u64,
    /// Input bytes per call, for throughput groups.
    pub bytes_per_call: Option<u64>,
    /// Calls callgrind counts (after as many warm-up calls, at most
    /// [`USERS`], so every user's path and every lazily built table is
    /// warm).
    pub callgrind_calls: u64,
    pub cases: Vec<Case>,
}

/// Every group, in report order.
pub const GROUPS: &[&str] = &[
    "w1_role_derivation",
    "w2_upn_generation",
    "w3_hr_date_logic",
    "w4_regex_cleanup",
    "w5_whole_mapping",
    "w6_compile",
    "w7_end_to_end",
    "w8_samaccountname",
    "w9_workday_date",
    "w10_hr_status",
];

pub fn build(name: &str) -> Option<Group> {
    Some(match name {
        "w1_role_derivation" => w1(),
        "w2_upn_generation" => w2(),
        "w3_hr_date_logic" => w3(),
        "w4_regex_cleanup" => w4(),
        "w5_whole_mapping" => w5(),
        "w6_compile" => w6(),
        "w7_end_to_end" => w7(),
        "w8_samaccountname" => w8(),
        "w9_workday_date" => w9(),
        "w10_hr_status" => w10(),
        _ => return None,
    })
}

/// Benchmark data lives as long as the process: cases are `'static`
/// closures, and a measuring binary builds a handful of groups at most.
fn leak<T>(t: T) -> &'static T {
    Box::leak(Box::new(t))
}

pub fn now() -> DateTime<Utc> {
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

fn per_eval(name: &'static str, cases: Vec<Case>) -> Group {
    Group {
        name,
        units_per_call: 1,
        bytes_per_call: None,
        callgrind_calls: 2 * USERS as u64,
        cases,
    }
}

/// A case that cycles through `items`, one per call.
fn cycling<T: 'static>(
    engine: &'static str,
    items: &'static [T],
    mut f: impl FnMut(&'static T) -> u64 + 'static,
) -> Case {
    let mut i = 0;
    Case {
        engine,
        run: Box::new(move || {
            i = (i + 1) % items.len();
            f(black_box(&items[i]))
        }),
        callgrind: true,
    }
}

/// The string attributes of a user as a `HashMap<String, String>`, the
/// record type an embedder with its own string map uses.
fn string_map(u: &serde_json::Value) -> HashMap<String, String> {
    u.as_object()
        .expect("object")
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

/// One expression workload: the users in the record types attrmap reads,
/// the compiled expression and the expected answers.
struct Workload {
    name: &'static str,
    users: &'static [serde_json::Value],
    flat: &'static [FlatRecord],
    expr: &'static Expression,
    expected: Vec<String>,
    oracle: Option<&'static dyn UniquenessOracle>,
}

impl Workload {
    /// Compiles `source`; the AST evaluator's answers are the expected
    /// ones, and `reference` (the logic in plain Rust, where there is one)
    /// must agree with them.
    fn new(
        name: &'static str,
        source: &str,
        users: Vec<serde_json::Value>,
        reference: Option<fn(&serde_json::Value) -> String>,
        oracle: Option<&'static dyn UniquenessOracle>,
    ) -> Workload {
        let users: &'static [serde_json::Value] = Box::leak(users.into_boxed_slice());
        let flat: Vec<FlatRecord> = users
            .iter()
            .map(|u| serde_json::from_value(u.clone()).expect("object"))
            .collect();
        let expr = leak(
            attrmap::compile(source).unwrap_or_else(|e| panic!("{name} does not compile: {e}")),
        );
        let mut w = Workload {
            name,
            users,
            flat: Box::leak(flat.into_boxed_slice()),
            expr,
            expected: Vec::new(),
            oracle,
        };
        let ast: Vec<String> = users
            .iter()
            .map(|u| text(expr.evaluate_ast(u, &mut w.ctx())))
            .collect();
        if let Some(err) = ast.iter().find(|t| t.starts_with("error ")) {
            panic!("{name}: the AST evaluator fails: {err}");
        }
        if let Some(reference) = reference {
            for (u, got) in users.iter().zip(&ast) {
                assert_eq!(
                    got,
                    &reference(u),
                    "{name}: attrmap and the reference on {u}"
                );
            }
        }
        w.expected = ast;
        let vm: Vec<String> = users
            .iter()
            .map(|u| text(expr.evaluate(u, &mut w.ctx())))
            .collect();
        w.check("attrmap VM", vm.into_iter());
        let flat: Vec<String> = w
            .flat
            .iter()
            .map(|u| text(expr.evaluate(u, &mut w.ctx())))
            .collect();
        w.check("attrmap VM on FlatRecord", flat.into_iter());
        w
    }

    fn ctx(&self) -> Context<'static> {
        match self.oracle {
            Some(o) => ctx().with_oracle(o),
            None => ctx(),
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

    /// attrmap's VM on `serde_json::Value` and `FlatRecord` users, and the
    /// AST evaluator.
    fn attrmap_cases(&self) -> Vec<Case> {
        let expr = self.expr;
        let mut c = self.ctx();
        let vm = cycling("attrmap_vm", self.users, move |u| {
            u64::from(expr.evaluate(u, &mut c).is_ok())
        });
        let mut c = self.ctx();
        let flat = cycling("attrmap_vm_flat", self.flat, move |u| {
            u64::from(expr.evaluate(u, &mut c).is_ok())
        });
        let mut c = self.ctx();
        let ast = cycling("attrmap_ast", self.users, move |u| {
            u64::from(expr.evaluate_ast(u, &mut c).is_ok())
        });
        vec![vm, flat, ast]
    }

    /// The VM on `HashMap<String, String>` users (string attributes only).
    fn hashmap_case(&self) -> Case {
        let maps: Vec<HashMap<String, String>> = self.users.iter().map(string_map).collect();
        let answers: Vec<String> = maps
            .iter()
            .map(|m| text(self.expr.evaluate(m, &mut self.ctx())))
            .collect();
        self.check("attrmap VM on HashMap<String, String>", answers.into_iter());
        let expr = self.expr;
        let mut c = self.ctx();
        cycling(
            "attrmap_vm_hashmap",
            Box::leak(maps.into_boxed_slice()),
            move |u| u64::from(expr.evaluate(u, &mut c).is_ok()),
        )
    }
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
        pub program: &'static Program,
        pub contexts: &'static [Context<'static, 'static>],
    }

    /// One CEL context per user, built before timing (the user is "already
    /// decoded" for CEL too). `attrs` become string variables, `bools`
    /// boolean ones; `now` a timestamp.
    pub fn build(source: &str, users: &[serde_json::Value], attrs: &[&str], bools: &[&str]) -> Cel {
        let mut env = Env::stdlib();
        env.add_extension(cel::extensions::strings)
            .expect("strings extension");
        let env = Arc::new(env);
        let program = env.compile(source).expect("CEL program");
        let contexts: Vec<Context<'static, 'static>> = users
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
        Cel {
            program: leak(program),
            contexts: Box::leak(contexts.into_boxed_slice()),
        }
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
        pub fn case(&self) -> Case {
            let program = self.program;
            cycling("cel", self.contexts, move |c| {
                u64::from(program.execute(c).is_ok())
            })
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
        pub tree: &'static Node<DefaultNumericTypes>,
        pub contexts: &'static [HashMapContext<DefaultNumericTypes>],
    }

    fn string_arg(v: &Value) -> Result<String, EvalexprError> {
        v.as_string()
    }

    pub fn build(source: &str, users: &[serde_json::Value], attrs: &[&str]) -> Ev {
        let tree = build_operator_tree::<DefaultNumericTypes>(source).expect("evalexpr tree");
        let now = now();
        let contexts: Vec<HashMapContext<DefaultNumericTypes>> = users
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
        Ev {
            tree: leak(tree),
            contexts: Box::leak(contexts.into_boxed_slice()),
        }
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
        pub fn case(&self) -> Case {
            let tree = self.tree;
            cycling("evalexpr", self.contexts, move |c| {
                u64::from(tree.eval_with_context(c).is_ok())
            })
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

fn users() -> Vec<serde_json::Value> {
    support::users(USERS, support::SEED)
}

fn w1() -> Group {
    let w = Workload::new(
        "w1_role_derivation",
        &support::w1_role_derivation(),
        users(),
        Some(support::w1_reference),
        None,
    );
    let attrs = ["department"];
    let cel = celx::build(
        &role_chain(|c, a, b| format!("{c} ? {a} : ({b})")),
        w.users,
        &attrs,
        &[],
    );
    w.check("cel", cel.answers());
    let ev = evx::build(
        &role_chain(|c, a, b| format!("if({c}, {a}, {b})")),
        w.users,
        &attrs,
    );
    w.check("evalexpr", ev.answers());
    let mut cases = w.attrmap_cases();
    cases.push(w.hashmap_case());
    cases.push(cel.case());
    cases.push(ev.case());
    per_eval(w.name, cases)
}

fn w2() -> Group {
    let w = Workload::new(
        "w2_upn_generation",
        support::W2_UPN,
        users(),
        Some(support::w2_reference),
        None,
    );
    let attrs = ["givenName", "surname"];
    let cel = celx::build(
        r#"normalizeDiacritics((givenName + "." + surname).replace(" ", "")).lowerAscii() + "@contoso.com""#,
        w.users,
        &attrs,
        &[],
    );
    w.check("cel", cel.answers());
    let ev = evx::build(
        r#"str::to_lowercase(normalize_diacritics(strip_spaces(givenName + "." + surname)) + "@" + "contoso.com")"#,
        w.users,
        &attrs,
    );
    w.check("evalexpr", ev.answers());
    // The floor: the same logic written by hand for these attributes, one
    // output buffer, no interpreter.
    let names: Vec<(String, String)> = w
        .users
        .iter()
        .map(|u| (attr(u, "givenName"), attr(u, "surname")))
        .collect();
    w.check(
        "hand-written Rust",
        names.iter().map(|(g, s)| support::w2_by_hand(g, s)),
    );
    let by_hand = cycling(
        "handwritten",
        Box::leak(names.into_boxed_slice()),
        |(g, s)| support::w2_by_hand(g, s).len() as u64,
    );
    // Like for like with cel's context, which holds only the attributes
    // the expression reads: JSON users of just those attributes.
    let read_only: Vec<serde_json::Value> = w
        .users
        .iter()
        .map(|u| {
            let kept = attrs
                .iter()
                .filter_map(|a| Some((a.to_string(), u.get(*a)?.clone())));
            serde_json::Value::Object(kept.collect())
        })
        .collect();
    let read_only: &'static [serde_json::Value] = Box::leak(read_only.into_boxed_slice());
    w.check(
        "attrmap VM on the attributes read",
        read_only
            .iter()
            .map(|u| text(w.expr.evaluate(u, &mut w.ctx()))),
    );
    let expr = w.expr;
    let mut c = w.ctx();
    let read_only_case = cycling("attrmap_vm_read_attrs", read_only, move |u| {
        u64::from(expr.evaluate(u, &mut c).is_ok())
    });
    let mut cases = w.attrmap_cases();
    cases.push(read_only_case);
    cases.push(w.hashmap_case());
    cases.push(cel.case());
    cases.push(ev.case());
    cases.push(by_hand);
    per_eval(w.name, cases)
}

fn w3() -> Group {
    let w = Workload::new(
        "w3_hr_date_logic",
        support::W3_HR_DATE,
        users(),
        Some(support::w3_reference),
        None,
    );
    let attrs = ["Active", "StatusHireDate"];
    let cel = celx::build(
        r#"Active == "1" ? (timestamp(StatusHireDate) - now >= duration("0s") ? "True" : "False") : (Active == "0" ? "False" : "")"#,
        w.users,
        &attrs,
        &[],
    );
    w.check("cel", cel.answers());
    let ev = evx::build(
        r#"if(Active == "1", if(days_until(StatusHireDate) >= 0, "True", "False"), if(Active == "0", "False", ""))"#,
        w.users,
        &attrs,
    );
    w.check("evalexpr", ev.answers());
    let mut cases = w.attrmap_cases();
    cases.push(cel.case());
    cases.push(ev.case());
    per_eval(w.name, cases)
}

fn w4() -> Group {
    let w = Workload::new(
        "w4_regex_cleanup",
        support::W4_REGEX,
        users(),
        Some(support::w4_reference),
        None,
    );
    // CEL has `matches` but no regex replacement (not even in its strings
    // extension): not expressible without a host function, so not measured.
    let ev = evx::build(
        r#"str::regex_replace(mobile, "[()\\s-]+", "")"#,
        w.users,
        &["mobile"],
    );
    w.check("evalexpr", ev.answers());
    let mut cases = w.attrmap_cases();
    cases.push(ev.case());
    per_eval(w.name, cases)
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

fn w5() -> Group {
    let mapper = leak(Mapper::new());
    let users: &'static [serde_json::Value] = Box::leak(users().into_boxed_slice());
    let flat: Vec<FlatRecord> = users
        .iter()
        .map(|u| serde_json::from_value(u.clone()).expect("object"))
        .collect();
    let flat: &'static [FlatRecord] = Box::leak(flat.into_boxed_slice());
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
    let cel = celx::build(
        &format!(
            r#"{{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "externalId": objectId, "userName": mail, "active": !IsSoftDeleted, "name": {{"givenName": givenName, "familyName": surname}}, "roleId": {role}}}"#
        ),
        users,
        &["objectId", "mail", "givenName", "surname", "department"],
        &["IsSoftDeleted"],
    );
    // CEL builds the object; serialising it is part of the work, as for attrmap.
    for (got, want) in cel.json_answers().zip(&expected) {
        let want: serde_json::Value = serde_json::from_str(want).expect("SCIM JSON");
        assert_eq!(got, want, "w5: cel disagrees");
    }
    let file: &'static str = leak(w5_mapping_file());
    let compiled = leak(w5_compiled(file));
    let build = move |u: &FlatRecord, c0: &mut Context<'_>, out: &mut Vec<u8>| {
        if let MappedRef::Resource(r) = compiled.map_ref(u, Mode::Create, c0, file, None) {
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
    let mut cases = Vec::new();
    for (engine, ast) in [("attrmap_vm", false), ("attrmap_ast", true)] {
        let mut c = ctx();
        let mut out = String::with_capacity(1024);
        cases.push(cycling(engine, users, move |u| {
            out.clear();
            mapper.map(u, &mut c, ast, &mut out);
            out.len() as u64
        }));
    }
    let mut c = ctx();
    let mut out = String::with_capacity(1024);
    cases.push(cycling("attrmap_vm_flat", flat, move |u| {
        out.clear();
        mapper.map(u, &mut c, false, &mut out);
        out.len() as u64
    }));
    let mut c = ctx();
    let mut bytes = Vec::with_capacity(1024);
    cases.push(cycling("attrmap_mapping", flat, move |u| {
        bytes.clear();
        build(u, &mut c, &mut bytes);
        bytes.len() as u64
    }));
    let program = cel.program;
    cases.push(cycling("cel", cel.contexts, move |c| {
        let v = program.execute(c).expect("cel");
        serde_json::to_string(&v.json().expect("json")).map_or(0, |s| s.len() as u64)
    }));
    per_eval("w5_whole_mapping", cases)
}

fn w6() -> Group {
    let big: &'static str = leak(support::w6_2kb_expression());
    let w1_src: &'static str = leak(support::w1_role_derivation());
    let mut cases = Vec::new();
    let compile = |engine: &'static str, src: &'static str| Case {
        engine,
        run: Box::new(move || u64::from(attrmap::compile(black_box(src)).is_ok())),
        callgrind: true,
    };
    for (engine, src) in [
        ("attrmap_2kb", big),
        ("attrmap_w1_switch", w1_src),
        ("attrmap_w2_upn", support::W2_UPN),
        ("attrmap_w3_hr_date", support::W3_HR_DATE),
    ] {
        attrmap::compile(src).unwrap_or_else(|e| panic!("{engine}: {e}"));
        cases.push(compile(engine, src));
    }
    // Where the 2 KB compile goes: parsing (pest) alone, and code
    // generation alone from a checked AST.
    let limits = leak(attrmap::Limits::default());
    cases.push(Case {
        engine: "attrmap_2kb_parse_only",
        run: Box::new(move || u64::from(attrmap::syntax::parse(black_box(big), limits).is_ok())),
        callgrind: true,
    });
    let ast = attrmap::syntax::parse(big, limits).expect("parses");
    let (checked, _) = attrmap::check::check(ast).expect("checks");
    let checked = leak(checked);
    cases.push(Case {
        engine: "attrmap_2kb_codegen_only",
        run: Box::new(move || attrmap::compile::compile(black_box(checked)).len() as u64),
        callgrind: true,
    });
    // The competitors compile workload 1's logic, for scale.
    let cel_src: &'static str = leak(role_chain(|c, a, b| format!("{c} ? {a} : ({b})")));
    let env = leak(cel::Env::stdlib());
    cases.push(Case {
        engine: "cel_w1_switch",
        run: Box::new(move || u64::from(env.compile(black_box(cel_src)).is_ok())),
        callgrind: true,
    });
    let ev_src: &'static str = leak(role_chain(|c, a, b| format!("if({c}, {a}, {b})")));
    cases.push(Case {
        engine: "evalexpr_w1_switch",
        run: Box::new(move || {
            u64::from(
                evalexpr::build_operator_tree::<evalexpr::DefaultNumericTypes>(black_box(ev_src))
                    .is_ok(),
            )
        }),
        callgrind: true,
    });
    Group {
        name: "w6_compile",
        units_per_call: 1,
        bytes_per_call: None,
        callgrind_calls: 200,
        cases,
    }
}

fn w7() -> Group {
    let file: &'static str = leak(support::jsonl(JSONL_USERS, support::SEED));
    let graph: &'static str = leak(support::graph_pages(JSONL_USERS, support::SEED));
    let mapper = leak(Mapper::new());
    let pass = |engine: &'static str, run: Box<dyn FnMut() -> u64>| Case {
        engine,
        run,
        callgrind: true,
    };
    let mut cases = Vec::new();
    cases.push(pass(
        "serde_json_parse_only",
        Box::new(move || {
            let mut n = 0;
            for line in black_box(file).lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
                n += v.as_object().map_or(0, |o| o.len()) as u64;
            }
            n
        }),
    ));
    // What `attrmap map` runs, minus opening files: the library's stream
    // entry point, JSONL in, one result line per record out.
    let mapping_file: &'static str = leak(w5_mapping_file());
    let compiled = leak(w5_compiled(mapping_file));
    let batch = leak(Batch::new(compiled, mapping_file));
    let mut c0 = ctx();
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
    let jsonl_out = std::mem::take(&mut bytes);
    cases.push(pass(
        "attrmap_map",
        Box::new(move || {
            bytes.clear();
            let counts = batch
                .run(black_box(file.as_bytes()), &mut bytes, &mut c0, |_, _| {
                    ControlFlow::Continue(())
                })
                .expect("in memory");
            counts.out + bytes.len() as u64
        }),
    ));
    // `attrmap map --jobs 2`: two workers, plus a reader thread, with the
    // calling thread writing in input order.
    let mut bytes = Vec::with_capacity(file.len());
    cases.push(Case {
        engine: "attrmap_map_2_threads",
        run: Box::new(move || {
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
            counts.out + bytes.len() as u64
        }),
        callgrind: false,
    });
    // The same users as Graph `GET /users` response pages, one per line,
    // as `attrmap map --source graph` reads them: Graph's property names
    // are translated and IsSoftDeleted derived from accountEnabled.
    let detected = leak(attrmap::sources::detect(
        graph.as_bytes(),
        attrmap::sources::SourceFormat::Graph,
    ));
    let mut c0 = ctx();
    let mut bytes = Vec::with_capacity(graph.len());
    let run = batch
        .run_source(graph.as_bytes(), detected, &mut bytes, &mut c0, |_, _| {
            ControlFlow::Continue(())
        })
        .expect("in memory");
    assert_eq!(
        (run.counts.input, run.counts.out),
        (JSONL_USERS as u64, JSONL_USERS as u64),
        "{:?}",
        run.never_present
    );
    assert_eq!(
        bytes.len(),
        jsonl_out.len(),
        "Graph pages and JSONL map to resources of the same size"
    );
    cases.push(pass(
        "attrmap_map_graph",
        Box::new(move || {
            bytes.clear();
            let run = batch
                .run_source(
                    black_box(graph.as_bytes()),
                    detected,
                    &mut bytes,
                    &mut c0,
                    |_, _| ControlFlow::Continue(()),
                )
                .expect("in memory");
            run.counts.out + bytes.len() as u64
        }),
    ));
    for (engine, json, ast) in [
        ("attrmap_vm_flat", false, false),
        ("attrmap_vm_json", true, false),
        ("attrmap_ast_json", true, true),
    ] {
        let mut c0 = ctx();
        let mut out = String::with_capacity(file.len());
        cases.push(pass(
            engine,
            Box::new(move || {
                out.clear();
                for line in black_box(file).lines() {
                    if json {
                        let r: serde_json::Value = serde_json::from_str(line).expect("JSON");
                        mapper.map(&r, &mut c0, ast, &mut out);
                    } else {
                        let r: FlatRecord = serde_json::from_str(line).expect("JSON");
                        mapper.map(&r, &mut c0, ast, &mut out);
                    }
                }
                out.len() as u64
            }),
        ));
    }
    // The floor for a mapper: serde derive decodes the six attributes the
    // mapping reads (skipping the rest) and the SCIM line is written by hand.
    let mut out = String::with_capacity(file.len());
    let roles: &'static [String] = Box::leak(
        (0..=support::DEPARTMENTS.len())
            .map(|i| support::role_uuid((i < support::DEPARTMENTS.len()).then_some(i)))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    let mut expected = String::new();
    for line in file.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
        mapper.map(&v, &mut ctx(), false, &mut expected);
    }
    support::map_by_hand(file, roles, &mut out);
    assert_eq!(out, expected, "hand-written mapper");
    cases.push(pass(
        "handwritten",
        Box::new(move || {
            out.clear();
            support::map_by_hand(black_box(file), roles, &mut out);
            out.len() as u64
        }),
    ));
    Group {
        name: "w7_end_to_end",
        units_per_call: JSONL_USERS as u64,
        bytes_per_call: Some(file.len() as u64),
        callgrind_calls: 1,
        cases,
    }
}

/// A published expression from tests/data/ms-expressions.json, with its
/// attribute names replaced by the generator's.
fn ms_expression(section: &str, renames: &[(&str, &str)]) -> String {
    let data: serde_json::Value =
        serde_json::from_str(include_str!("../tests/data/ms-expressions.json")).expect("JSON");
    let found = data["expressions"]
        .as_array()
        .expect("expressions")
        .iter()
        .find(|e| e["section"].as_str() == Some(section))
        .unwrap_or_else(|| panic!("no published expression in section {section:?}"));
    let mut s = found["expression"]
        .as_str()
        .expect("expression")
        .to_string();
    for (from, to) in renames {
        s = s.replace(from, to);
    }
    s
}

fn w8() -> Group {
    // The Workday tutorial's sAMAccountName: Replace, Mid, NormalizeDiacritics,
    // StripSpaces, Join, SelectUniqueValue.
    let source = ms_expression(
        "How can I use SelectUniqueValue to generate unique values for samAccountName attribute?",
        &[("[FirstName]", "[givenName]"), ("[LastName]", "[surname]")],
    );
    // Every fourth user's first choice is taken in the directory, so the
    // second candidate is evaluated too.
    let probe = attrmap::compile(&source).expect("compiles");
    let mut taken = TakenSet::new();
    for u in users().iter().step_by(4) {
        taken.insert(&text(probe.evaluate(u, &mut ctx())));
    }
    let oracle: &'static TakenSet = leak(taken);
    let w = Workload::new("w8_samaccountname", &source, users(), None, Some(oracle));
    per_eval(w.name, w.attrmap_cases())
}

fn w9() -> Group {
    // The lifecycle-workflows guide's Workday hire date conversion, on
    // Workday's date form (`2015-03-04-08:00`).
    let mut us = users();
    support::workday_hire_dates(&mut us);
    let w = Workload::new(
        "w9_workday_date",
        support::W9_WORKDAY_DATE,
        us,
        Some(support::w9_reference),
        None,
    );
    per_eval(w.name, w.attrmap_cases())
}

fn w10() -> Group {
    let w = Workload::new("w10_hr_status", support::W10_HR_STATUS, users(), None, None);
    let cel = celx::build(
        r#"Active == "1" ? (accountEnabled ? "Active" : "Pending") : (IsSoftDeleted ? "Deleted" : "Terminated")"#,
        w.users,
        &["Active"],
        &["accountEnabled", "IsSoftDeleted"],
    );
    w.check("cel", cel.answers());
    let mut cases = w.attrmap_cases();
    cases.push(cel.case());
    per_eval(w.name, cases)
}
