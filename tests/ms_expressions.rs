//! Every expression collected from Microsoft's published provisioning docs
//! (tests/data/ms-expressions.json) compiles with attrmap; an expression
//! that needs a function attrmap lacks names it in `missing`, and then must
//! fail with unknown-function for exactly that function.

use attrmap::eval::{Context, Outcome};
use attrmap::value::Value;

fn corpus() -> Vec<serde_json::Value> {
    let text = include_str!("data/ms-expressions.json");
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["expressions"].as_array().unwrap().clone()
}

#[test]
fn every_published_expression_compiles() {
    let all = corpus();
    let (mut compiled, mut missing) = (0, 0);
    for e in &all {
        let text = e["expression"].as_str().unwrap();
        let source = e["source"].as_str().unwrap();
        assert!(!source.is_empty() && e["section"].as_str().is_some());
        match e.get("missing").and_then(|m| m.as_str()) {
            None => {
                if let Err(d) = attrmap::compile(text) {
                    panic!("{source}: {text}\n  does not compile: {d:?}");
                }
                compiled += 1;
            }
            Some(functions) => {
                let err = attrmap::compile(text).err().unwrap_or_else(|| {
                    panic!("{text} compiles now: remove its \"missing\": \"{functions}\"")
                });
                let mut named: Vec<String> = err
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == attrmap::Severity::Error)
                    .map(|d| {
                        assert_eq!(
                            d.code.as_str(),
                            "attrmap::check::unknown-function",
                            "{text}: {}",
                            d.message
                        );
                        d.message.split('`').nth(1).unwrap_or("").to_string()
                    })
                    .collect();
                named.sort();
                named.dedup();
                let mut expected: Vec<String> =
                    functions.split(',').map(|f| f.trim().to_string()).collect();
                expected.sort();
                assert_eq!(named, expected, "{text}");
                missing += 1;
            }
        }
    }
    eprintln!(
        "ms-expressions: {} expressions, {compiled} compile, {missing} need a missing function",
        all.len()
    );
    assert!(all.len() >= 32);
}

#[test]
fn workday_sam_account_name_default_gives_the_documented_shape() {
    let e = corpus()
        .into_iter()
        .find(|e| {
            e["source"]
                .as_str()
                .unwrap()
                .ends_with("workday-inbound-tutorial.md")
        })
        .unwrap();
    let expr = attrmap::compile(e["expression"].as_str().unwrap()).unwrap();
    // The first rule: first initial and last name, diacritics removed, the
    // characters AD forbids in sAMAccountName removed, 20 characters at most,
    // trailing dots removed.
    let user = serde_json::json!({"FirstName": "Zoë", "LastName": "O'Brien-Smith.[x]|Jones."});
    let mut ctx = Context::new();
    assert_eq!(
        expr.evaluate(&user, &mut ctx).unwrap(),
        Outcome::Value(Value::str("ZO'Brien-Smith.xJone"))
    );
    let user = serde_json::json!({"FirstName": "Ana", "LastName": "Lee..."});
    assert_eq!(
        expr.evaluate(&user, &mut ctx).unwrap(),
        Outcome::Value(Value::str("ALee"))
    );
}
