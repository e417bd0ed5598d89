//! Conformance vectors: documented facts about Entra's behaviour, each run on
//! both the VM and the AST evaluator. Format: `tests/conformance/README.md`.

use crate::eval::{Context, Outcome, TakenSet};
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
    pub expect: Option<serde_json::Value>,
    pub expect_flow: Option<String>,
    pub expect_match: Option<String>,
    pub expect_error: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// Reads a vector file: a JSON array of vectors.
pub fn load(text: &str) -> Result<Vec<Vector>, serde_json::Error> {
    serde_json::from_str(text)
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

#[derive(Clone, Copy)]
enum Engine {
    Vm,
    Ast,
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
    let taken = v.existing.iter().collect::<TakenSet>();
    let mut ctx = Context::new().with_seed(SEED).with_oracle(&taken);
    if let Some(now) = &v.now {
        let t = chrono::DateTime::parse_from_rfc3339(now)
            .map_err(|e| format!("bad `now` {now:?}: {e}"))?
            .with_timezone(&chrono::Utc);
        ctx = ctx.with_now(t);
    }
    let record = &v.input;
    let result = match engine {
        Engine::Vm => expr.evaluate(record, &mut ctx),
        Engine::Ast => expr.evaluate_ast(record, &mut ctx),
    };
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
