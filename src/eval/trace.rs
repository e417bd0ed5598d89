//! Evaluation traces: each call's inputs and output, so an admin can see why
//! an expression produced what it did. Values that went through Redact print
//! as `[Redact]`.

use crate::syntax::Span;
use crate::value::Value;
use std::fmt::Write as _;

pub const REDACTED: &str = "[Redact]";

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TraceNode {
    pub depth: usize,
    /// Source text of the node (`Join(...)`, `[mail]`).
    pub label: String,
    pub span: Span,
    pub inputs: Vec<String>,
    pub output: String,
    #[serde(skip)]
    pub tainted: bool,
    /// Literals are recorded (they are inputs) but not printed as lines.
    #[serde(skip)]
    pub shown: bool,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Trace {
    pub nodes: Vec<TraceNode>,
}

pub(crate) fn render_value(v: &Value<'_>) -> String {
    match v {
        Value::Str(s) => format!("{:?}", s.as_ref()),
        other => other.to_json().to_string(),
    }
}

impl Trace {
    /// Indented tree, one node per line: `Join(...) ← ["a", "b"] = "a,b"`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for n in self.nodes.iter().filter(|n| n.shown) {
            let indent = "  ".repeat(n.depth);
            let _ = write!(out, "{indent}{}", n.label);
            if !n.inputs.is_empty() {
                let _ = write!(out, "  ← ({})", n.inputs.join(", "));
            }
            let _ = writeln!(out, "  = {}", n.output);
        }
        out
    }
}
