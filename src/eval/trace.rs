//! Evaluation traces: each call's inputs and output, so an admin can see why
//! an expression produced what it did. Values that went through Redact print
//! as `[Redact]`.

use crate::syntax::Span;
use crate::value::Value;
use std::fmt::Write as _;

/// How a value that went through Redact is printed.
pub const REDACTED: &str = "[Redact]";

/// One evaluated node of a trace. Front ends show it as
/// [`TraceReport`](crate::api::report::TraceReport) shapes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceNode {
    pub depth: usize,
    /// Source text of the node (`Join(...)`, `[mail]`).
    pub label: String,
    pub span: Span,
    pub inputs: Vec<String>,
    pub output: String,
    pub tainted: bool,
    /// Literals are recorded (they are inputs) but not printed as lines.
    pub shown: bool,
}

/// Each call's inputs and output, in evaluation order.
#[derive(Debug, Default, Clone)]
pub struct Trace {
    pub nodes: Vec<TraceNode>,
    /// Set when the evaluation made more than [`MAX_TRACE_NODES`] nodes: the
    /// trace holds the first ones only.
    pub truncated: bool,
}

/// Most nodes one trace records. With [`MAX_TRACE_TEXT`] this bounds a
/// trace's memory and printed size (tens of megabytes at worst) whatever
/// the expression and record: a trace that copied every 1 MB value at every
/// node reached 3.8 GB.
pub const MAX_TRACE_NODES: usize = 10_000;

/// Most bytes of one label, input or output a trace keeps; longer text is
/// cut at a character boundary and says how long it was.
pub const MAX_TRACE_TEXT: usize = 1_000;

pub(crate) fn render_value(v: &Value<'_>) -> String {
    match v {
        // Cut before quoting, so a megabyte value is not copied to be cut.
        Value::Str(s) if s.len() > MAX_TRACE_TEXT => {
            let mut out = format!("{:?}", prefix(s, MAX_TRACE_TEXT));
            let _ = write!(out, "… ({} bytes in all)", s.len());
            out
        }
        Value::Str(s) => format!("{:?}", s.as_ref()),
        other => cap_text(other.to_json().to_string()),
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character.
fn prefix(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `s`, or its first [`MAX_TRACE_TEXT`] bytes and its length.
pub(crate) fn cap_text(s: String) -> String {
    if s.len() <= MAX_TRACE_TEXT {
        return s;
    }
    format!("{}… ({} bytes in all)", prefix(&s, MAX_TRACE_TEXT), s.len())
}

/// A label taken from the source without copying more than the cap.
pub(crate) fn cap_label(s: &str) -> String {
    if s.len() <= MAX_TRACE_TEXT {
        return s.to_string();
    }
    format!("{}… ({} bytes in all)", prefix(s, MAX_TRACE_TEXT), s.len())
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
        if self.truncated {
            let _ = writeln!(
                out,
                "… the trace stops after its first {MAX_TRACE_NODES} nodes; the result is complete"
            );
        }
        out
    }
}
