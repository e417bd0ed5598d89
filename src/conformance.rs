//! Conformance vectors: documented facts about Entra's behaviour, each run on
//! both the VM and the AST evaluator. Format: `tests/conformance/README.md`.

use crate::api::{parse_now, Engine, RunOptions};
use crate::eval::Outcome;
use crate::value::Value;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Vector {
    pub name: String,
    pub expr: String,
    #[serde(default)]
    pub input: serde_json::Map<String, serde_json::Value>,
    pub now: Option<String>,
    #[serde(default)]
    pub existing: Vec<String>,
    /// `Some(Value::Null)` when the file says `"expect": null` (the value
    /// must be null); `None` when the field is absent.
    #[serde(default, deserialize_with = "present")]
    pub expect: Option<serde_json::Value>,
    pub expect_flow: Option<String>,
    pub expect_match: Option<String>,
    pub expect_error: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// Keeps a present `null` apart from an absent field: serde reads both as
/// `None` for an `Option`, which made `"expect": null` mean "no expectation".
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// Reads a vector file: a JSON array of vectors, each with exactly one
/// expectation.
pub fn load(text: &str) -> Result<Vec<Vector>, String> {
    let vectors: Vec<Vector> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    for v in &vectors {
        let count = [
            v.expect.is_some(),
            v.expect_flow.is_some(),
            v.expect_match.is_some(),
            v.expect_error.is_some(),
        ]
        .iter()
        .filter(|&&b| b)
        .count();
        if count != 1 {
            return Err(format!(
                "vector {:?} has {count} expectations; give exactly one of expect (null included), expect_flow, expect_match, expect_error",
                v.name
            ));
        }
    }
    Ok(vectors)
}

/// Fixed seed so random functions are reproducible in conformance runs.
const SEED: u64 = 0x5EED;

/// Runs one vector on both engines. `Err` says what went wrong.
pub fn run(v: &Vector) -> Result<(), String> {
    let vm = run_engine(v, Engine::Vm)?;
    let ast = run_engine(v, Engine::Ast)?;
    if vm != ast {
        return Err(format!(
            "VM and AST evaluator disagree: VM gave {vm}, AST gave {ast}"
        ));
    }
    Ok(())
}

fn run_engine(v: &Vector, engine: Engine) -> Result<String, String> {
    let label = match engine {
        Engine::Vm => "VM",
        Engine::Ast => "AST",
    };
    let expr = match crate::compile(&v.expr) {
        Ok(e) => e,
        Err(e) => {
            return if v.expect_error.as_deref() == Some("compile") {
                Ok("compile error".into())
            } else {
                Err(format!("compile error: {e}"))
            };
        }
    };
    if v.expect_error.as_deref() == Some("compile") {
        return Err("expected a compile error, but it compiled".into());
    }
    let options = RunOptions {
        now: v.now.as_deref().map(|t| parse_now(t, "now")).transpose()?,
        seed: Some(SEED),
        existing: v.existing.iter().collect(),
        engine,
        ..RunOptions::default()
    };
    let mut ctx = options.context();
    let result = expr.evaluate_on(engine, &v.input, &mut ctx);
    let got = match &result {
        Ok(Outcome::Value(val)) => val.to_json().to_string(),
        Ok(Outcome::Ignore) => "flow:ignore".into(),
        Ok(Outcome::IgnoreObject) => "flow:ignore-object".into(),
        Err(e) => format!("runtime error {}: {}", e.code, e.message),
    };
    let ok = match (&result, v) {
        (
            Err(_),
            Vector {
                expect_error: Some(k),
                ..
            },
        ) => k == "runtime",
        (
            Ok(Outcome::Value(val)),
            Vector {
                expect: Some(want), ..
            },
        ) => json_eq(&val.to_json(), want),
        (
            Ok(Outcome::Value(Value::Str(s))),
            Vector {
                expect_match: Some(re),
                ..
            },
        ) => regex::Regex::new(re)
            .map_err(|e| format!("bad expect_match: {e}"))?
            .is_match(s),
        (
            Ok(Outcome::Ignore),
            Vector {
                expect_flow: Some(f),
                ..
            },
        ) => f == "ignore",
        (
            Ok(Outcome::IgnoreObject),
            Vector {
                expect_flow: Some(f),
                ..
            },
        ) => f == "ignore-object",
        _ => false,
    };
    if ok {
        Ok(got)
    } else {
        Err(format!(
            "{label}: expected {}, got {got}",
            describe_expectation(v)
        ))
    }
}

fn json_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    a == b
}

fn describe_expectation(v: &Vector) -> String {
    if let Some(e) = &v.expect {
        e.to_string()
    } else if let Some(f) = &v.expect_flow {
        format!("flow {f}")
    } else if let Some(m) = &v.expect_match {
        format!("a string matching /{m}/")
    } else if let Some(e) = &v.expect_error {
        format!("a {e} error")
    } else {
        "(no expectation)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expect_null_is_an_expectation_and_a_missing_one_is_refused() {
        let null_ok = r#"[{"name": "n", "expr": "Coalesce([a], [b])", "expect": null}]"#;
        let v = load(null_ok).unwrap();
        assert_eq!(v[0].expect, Some(serde_json::Value::Null));
        assert_eq!(run(&v[0]), Ok(()));
        let wrong = r#"[{"name": "w", "expr": "Coalesce([a], \"x\")", "expect": null}]"#;
        assert!(run(&load(wrong).unwrap()[0]).is_err(), "\"x\" is not null");
        let none = r#"[{"name": "none", "expr": "[a]"}]"#;
        assert!(load(none).unwrap_err().contains("0 expectations"));
        let two = r#"[{"name": "two", "expr": "[a]", "expect": null, "expect_flow": "ignore"}]"#;
        assert!(load(two).unwrap_err().contains("2 expectations"));
    }
}
