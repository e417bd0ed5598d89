//! Serializable results for front ends that speak JSON (the WebAssembly
//! bindings, `attrmap eval --format json`, any embedder): one shape per kind
//! of result, written here once.
//! Spans are [`SpanPosition`]s into the text the result is about.
//!
//! Shapes (camelCase keys):
//! - evaluation: `{ status: "value", type, value, text }`,
//!   `{ status: "notFlowed" | "objectSkipped", message }` or
//!   `{ status: "error", error }`, each with `redacted` and `warnings`, and
//!   `inputs` when the caller asked for them;
//! - error: `{ code, message, help, span }`;
//! - diagnostic: `{ code, severity, message, label, help, span }`;
//! - mapped record: `{ status: "resource", resource, matchFilter }`,
//!   `{ status: "skipped", reason }` or `{ status: "error", errors }`;
//! - trace: `{ nodes: [{ depth, label, span, inputs, output }], truncated, text }`.

use super::position::{Positions, SpanPosition};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::eval::trace::Trace;
use crate::eval::{Context, EvalResult, Outcome, RuntimeError};
use crate::mapping::builder::{CompiledObject, Mapped};
use crate::value::Value;
use serde::Serialize;
use serde_json::Value as Json;

/// The type name a front end shows for a value.
pub fn value_type(v: &Value<'_>) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Str(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Int(_) => "number",
        Value::DateTime(_) => "dateTime",
        Value::List(_) => "multiValued",
        Value::Complex(_) => "complex",
    }
}

/// A runtime error or warning.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorReport {
    pub code: Code,
    pub message: String,
    pub help: Option<String>,
    pub span: SpanPosition,
}

impl ErrorReport {
    /// The report of `e`, its span resolved in the expression's text.
    pub fn new(e: &RuntimeError, positions: &Positions<'_>) -> Self {
        ErrorReport {
            code: e.code,
            message: e.message.clone(),
            help: e.help.clone(),
            span: positions.span(e.span),
        }
    }
}

/// A compile, load or lint finding.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticReport {
    pub code: Code,
    pub severity: &'static str,
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
    pub span: SpanPosition,
}

impl DiagnosticReport {
    /// The report of `d`, its span resolved in the text it is about.
    pub fn new(d: &Diagnostic, positions: &Positions<'_>) -> Self {
        DiagnosticReport {
            code: d.code,
            severity: d.severity.as_str(),
            message: d.message.clone(),
            label: d.label.clone(),
            help: d.help.clone(),
            span: positions.span(d.span),
        }
    }

    /// Every diagnostic of `source`, in order.
    pub fn all(diagnostics: &[Diagnostic], source: &str) -> Vec<DiagnosticReport> {
        let positions = Positions::new(source);
        diagnostics
            .iter()
            .map(|d| DiagnosticReport::new(d, &positions))
            .collect()
    }
}

/// What an evaluation gave, without the context's side notes.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum OutcomeReport {
    Value {
        #[serde(rename = "type")]
        kind: &'static str,
        value: Json,
        /// Entra's exact string view of the value.
        text: String,
    },
    NotFlowed {
        message: &'static str,
    },
    ObjectSkipped {
        message: &'static str,
    },
    Error {
        error: ErrorReport,
    },
}

/// What the text front ends print for an outcome that has no value.
pub const NOT_FLOWED: &str = "not flowed: the attribute is dropped from the flow";
/// See [`NOT_FLOWED`].
pub const OBJECT_SKIPPED: &str = "object skipped: IgnoreObjectFlow was evaluated";

/// One evaluation: the outcome, whether Redact touched it, the runtime
/// warnings, and (when asked for) the attributes the expression read.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    #[serde(flatten)]
    pub outcome: OutcomeReport,
    pub redacted: bool,
    pub warnings: Vec<ErrorReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Json>,
}

impl EvalReport {
    /// The report of `result`, read with the context the evaluation ran in;
    /// spans are into `source`, the expression's text.
    pub fn new(source: &str, result: EvalResult<'_>, ctx: &Context<'_>) -> Self {
        Self::at(&Positions::new(source), result, ctx)
    }

    /// [`EvalReport::new`] with the expression's positions worked out once,
    /// for a batch of users.
    pub fn at(positions: &Positions<'_>, result: EvalResult<'_>, ctx: &Context<'_>) -> Self {
        let outcome = match result {
            Ok(Outcome::Value(v)) => OutcomeReport::Value {
                kind: value_type(&v),
                value: v.to_json(),
                text: v.to_text().into_owned(),
            },
            Ok(Outcome::Ignore) => OutcomeReport::NotFlowed {
                message: NOT_FLOWED,
            },
            Ok(Outcome::IgnoreObject) => OutcomeReport::ObjectSkipped {
                message: OBJECT_SKIPPED,
            },
            Err(e) => OutcomeReport::Error {
                error: ErrorReport::new(&e, positions),
            },
        };
        EvalReport {
            outcome,
            redacted: ctx.redacted,
            warnings: ctx
                .warnings
                .iter()
                .map(|w| ErrorReport::new(w, positions))
                .collect(),
            inputs: None,
        }
    }
}

/// One node of a trace, as shown.
#[derive(Debug, Clone, Serialize)]
pub struct TraceNodeReport {
    pub depth: usize,
    pub label: String,
    pub span: SpanPosition,
    pub inputs: Vec<String>,
    pub output: String,
}

/// A trace: its shown nodes, whether it was cut, and its text rendering.
#[derive(Debug, Clone, Serialize)]
pub struct TraceReport {
    pub nodes: Vec<TraceNodeReport>,
    pub truncated: bool,
    pub text: String,
}

impl TraceReport {
    /// The report of `trace`, spans into the expression's text `source`.
    pub fn new(trace: &Trace, source: &str) -> Self {
        let positions = Positions::new(source);
        TraceReport {
            nodes: trace
                .nodes
                .iter()
                .filter(|n| n.shown)
                .map(|n| TraceNodeReport {
                    depth: n.depth,
                    label: n.label.clone(),
                    span: positions.span(n.span),
                    inputs: n.inputs.clone(),
                    output: n.output.clone(),
                })
                .collect(),
            truncated: trace.truncated,
            text: trace.render(),
        }
    }
}

/// A failing target attribute of a mapped record.
#[derive(Debug, Clone, Serialize)]
pub struct AttributeErrorReport {
    pub code: Code,
    pub message: String,
    pub attribute: String,
    pub span: SpanPosition,
}

/// What became of one record under a mapping; spans are into the mapping file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum MappedReport {
    #[serde(rename_all = "camelCase")]
    Resource {
        resource: Json,
        /// The SCIM filter Entra would query the target with.
        match_filter: Option<String>,
    },
    Skipped {
        reason: &'static str,
    },
    Error {
        errors: Vec<AttributeErrorReport>,
    },
}

impl MappedReport {
    /// The report of `mapped` under `compiled`; spans into the mapping file.
    pub fn new(mapped: Mapped, compiled: &CompiledObject, positions: &Positions<'_>) -> Self {
        match mapped {
            Mapped::Resource(resource) => MappedReport::Resource {
                match_filter: compiled.match_filter(&resource),
                resource,
            },
            Mapped::Skipped(reason) => MappedReport::Skipped { reason },
            Mapped::Failed(errors) => MappedReport::Error {
                errors: errors
                    .into_iter()
                    .map(|e| AttributeErrorReport {
                        code: e.code,
                        span: positions.span(e.span),
                        message: e.message,
                        attribute: e.attribute,
                    })
                    .collect(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(expr: &str, user: Json) -> Json {
        let e = crate::compile(expr).unwrap();
        let mut ctx = Context::new();
        let result = e.evaluate(&user, &mut ctx);
        serde_json::to_value(EvalReport::new(e.source(), result, &ctx)).unwrap()
    }

    #[test]
    fn each_outcome_has_its_status() {
        let v = report("Join(\",\", [a], \"b\")", json!({"a": "x"}));
        assert_eq!(
            v,
            json!({"status": "value", "type": "string", "value": "x,b", "text": "x,b",
                   "redacted": false, "warnings": []})
        );
        assert_eq!(
            report("IgnoreFlowIfNullOrEmpty([a])", json!({}))["status"],
            "notFlowed"
        );
        assert_eq!(
            report("IgnoreObjectFlow", json!({}))["status"],
            "objectSkipped"
        );
        let e = report("Join(\"é\", CDate(\"x\"))", json!({}));
        assert_eq!(e["status"], "error", "{e}");
        assert_eq!(e["error"]["code"], "attrmap::eval::invalid-date", "{e}");
        let span = &e["error"]["span"];
        assert_eq!(
            (&span["byteStart"], &span["start"]),
            (&json!(11), &json!(10)),
            "{e}"
        );
    }
}
