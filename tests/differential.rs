//! Differential test: the bytecode VM and the reference AST evaluator must
//! agree on every well-formed expression and every user. Expressions are
//! generated from the catalogue, so new functions are covered automatically.

use attrmap::catalogue::{Provenance, CATALOGUE};
use attrmap::eval::{Context, TakenSet};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

const ATTRS: &[&str] = &[
    "a",
    "b",
    "department",
    "list",
    "n",
    "empty",
    "missing",
    "when",
];

fn leaf() -> BoxedStrategy<String> {
    prop_oneof![
        4 => prop::sample::select(ATTRS).prop_map(|a| format!("[{a}]")),
        3 => prop::sample::select(&["\"\"", "\"x\"", "\"Legal\"", "\"1\"", "\"True\"", "\"a,b\"", "\" A b \"", "\"2021-08-18+08:00\"", "\"d\"", "\"[a-z]+\"", "\"Zoë\""][..])
            .prop_map(str::to_string),
        2 => (-3i64..12).prop_map(|n| n.to_string()),
        1 => prop::sample::select(&["IgnoreAttributeFlow", "vbTextCompare", "vbBinaryCompare"][..]).prop_map(str::to_string),
    ]
    .boxed()
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 40, 6, |inner| {
        let functions: Vec<&'static attrmap::catalogue::FunctionSpec> =
            CATALOGUE.iter().filter(|f| f.provenance == Provenance::AppProvisioning).collect();
        prop_oneof![
            4 => (prop::sample::select(functions), prop::collection::vec(prop::option::weighted(0.9, inner.clone()), 0..7))
                .prop_map(|(f, args)| {
                    let min = f.min_args();
                    let max = f.max_args().unwrap_or(min + 4);
                    let mut n = args.len().clamp(min, max);
                    if f.name == "Switch" && n % 2 == 1 {
                        n += 1;
                    }
                    let rendered: Vec<String> = (0..n)
                        .map(|i| args.get(i).cloned().flatten().unwrap_or_else(|| if i < min { "[a]".into() } else { String::new() }))
                        .collect();
                    format!("{}({})", f.name, rendered.join(", "))
                }),
            1 => (inner.clone(), prop::sample::select(&["=", "<>", "<", "<=", ">", ">="][..]), inner)
                .prop_map(|(l, op, r)| format!("IIF({l} {op} {r}, \"yes\", \"no\")")),
        ]
    })
}

fn attr_value() -> impl Strategy<Value = Option<Json>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(Json::Null)),
        1 => Just(Some(json!(""))),
        4 => prop::sample::select(&["Legal", "x", "1", "True", "a,b", "Zoë Müller", "2021-08-31+08:00", "  spaced  "][..]).prop_map(|s| Some(json!(s))),
        1 => (-5i64..1000).prop_map(|n| Some(json!(n))),
        1 => prop::collection::vec(prop::sample::select(&["a", "b", "SMTP:x@y", ""][..]), 0..4).prop_map(|v| Some(json!(v))),
    ]
}

fn user() -> impl Strategy<Value = Json> {
    prop::collection::vec(attr_value(), ATTRS.len()).prop_map(|vals| {
        let mut m = serde_json::Map::new();
        for (k, v) in ATTRS.iter().zip(vals) {
            if let Some(v) = v {
                m.insert((*k).to_string(), v);
            }
        }
        Json::Object(m)
    })
}

fn outcome_text(r: &Result<attrmap::Outcome<'_>, attrmap::RuntimeError>) -> String {
    match r {
        Ok(attrmap::Outcome::Value(v)) => format!("value {}", v.to_json()),
        Ok(other) => format!("{other:?}"),
        Err(e) => format!("error {} at {:?}: {}", e.code, e.span, e.message),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn vm_and_ast_agree(src in expr(), users in prop::collection::vec(user(), 1..4)) {
        let Ok(compiled) = attrmap::compile(&src) else { return Ok(()); };
        let taken = TakenSet::from_iter(["x", "Legal"]);
        let now = chrono::DateTime::parse_from_rfc3339("2021-08-25T17:41:18Z").unwrap().with_timezone(&chrono::Utc);
        for u in &users {
            let mut c1 = Context::new().with_seed(7).with_oracle(&taken).with_now(now);
            let mut c2 = Context::new().with_seed(7).with_oracle(&taken).with_now(now);
            let vm = compiled.evaluate(u, &mut c1);
            let ast = compiled.evaluate_ast(u, &mut c2);
            prop_assert_eq!(outcome_text(&vm), outcome_text(&ast), "expression {} on {}", src, u);
            prop_assert_eq!(c1.redacted, c2.redacted);
        }
    }
}

/// Parseable expressions the checker may refuse: a function name misspelt or
/// in another case, a bare word that is no keyword, a keyword in another
/// case, spliced into a generated expression.
fn unchecked_expr() -> impl Strategy<Value = String> {
    let mutation = prop::sample::select(
        &[
            "Jion",
            "toLower",
            "Frobnicate",
            "True",
            "ignoreattributeflow",
            "Department",
        ][..],
    );
    (expr(), mutation, any::<bool>()).prop_map(|(src, word, as_call)| {
        if as_call {
            format!("{word}({src})")
        } else {
            format!("Join(\",\", {src}, {word})")
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// Both engines take only what `check` returns, so an unchecked tree
    /// reaches neither: `check` refuses it with an error, `compile` (the way
    /// to both engines) refuses it with the same findings, and what passes
    /// runs the same on both.
    #[test]
    fn engines_refuse_unchecked_trees_alike(src in unchecked_expr(), u in user()) {
        let limits = attrmap::Limits::default();
        let Ok(ast) = attrmap::syntax::parse(&src, &limits) else { return Ok(()); };
        match attrmap::check::check(ast) {
            Err(diagnostics) => {
                prop_assert!(diagnostics.iter().any(attrmap::Diagnostic::is_error));
                let refused = attrmap::compile(&src).err().map(|e| e.diagnostics);
                prop_assert_eq!(refused, Some(diagnostics), "{}", src);
            }
            Ok(_) => {
                let compiled = attrmap::compile(&src).unwrap();
                // One fixed clock for both engines: with the wall clock, Now()
                // reads a different instant in each and the test flakes.
                let now = chrono::DateTime::parse_from_rfc3339("2021-08-25T17:41:18Z").unwrap().with_timezone(&chrono::Utc);
                let vm = compiled.evaluate(&u, &mut Context::new().with_seed(7).with_now(now));
                let ast = compiled.evaluate_ast(&u, &mut Context::new().with_seed(7).with_now(now));
                prop_assert_eq!(outcome_text(&vm), outcome_text(&ast), "expression {} on {}", src, u);
            }
        }
    }
}

#[test]
fn generator_produces_compilable_expressions() {
    // Guards against a generator that silently produces nothing useful.
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = expr();
    let total = 500;
    let compiled = (0..total)
        .filter(|_| attrmap::compile(&strategy.new_tree(&mut runner).unwrap().current()).is_ok())
        .count();
    assert!(
        compiled * 2 > total,
        "only {compiled}/{total} generated expressions compile"
    );
}
