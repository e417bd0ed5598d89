//! Abstract syntax tree. Every node carries the byte span it was parsed from,
//! so diagnostics and runtime errors can point at the exact characters.

use std::fmt;

/// Half-open byte range `[start, end)` into the expression source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// The bytes `start..end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    /// Whether the span is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

/// A comparison operator (`=`, `<>`, `<`, `<=`, `>`, `>=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "<>",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
    /// The operator written `s`, if it is one.
    pub fn from_symbol(s: &str) -> Option<Self> {
        Some(match s {
            "=" => CompareOp::Eq,
            "<>" => CompareOp::Ne,
            "<" => CompareOp::Lt,
            "<=" => CompareOp::Le,
            ">" => CompareOp::Gt,
            ">=" => CompareOp::Ge,
            _ => return None,
        })
    }
}

/// An expression node with its span in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// What kind of expression a node is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `[name]`
    Attribute(String),
    /// `"text"`, with escapes already resolved.
    Str(String),
    /// Decimal or `&H` hex integer literal.
    Number(i64),
    /// A bare identifier such as `IgnoreAttributeFlow` or `vbTextCompare`.
    Keyword(String),
    /// `Name(args…)`. `name_span` covers only the identifier.
    Call(Call),
    /// `lhs op rhs`
    Compare {
        op: CompareOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
}

/// A function call: the name as written, the arguments, and the function
/// the checker resolved it to.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The name as written.
    pub name: String,
    pub name_span: Span,
    /// `None` is an argument left empty (`Switch([a], , "k", "v")`).
    pub args: Vec<Arg>,
    /// Filled by the checker once the name resolves in the catalogue.
    pub id: Option<crate::catalogue::FnId>,
}

/// One argument; `expr` is `None` when it was left empty (`Replace([a], , "x")`).
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub expr: Option<Expr>,
    /// Where the argument is, even when empty (a zero-width span at the comma).
    pub span: Span,
}

impl Expr {
    /// A node of `kind` at `span`.
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    /// Visits this node and every descendant, parents first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr, usize)) {
        fn go<'a>(e: &'a Expr, depth: usize, f: &mut dyn FnMut(&'a Expr, usize)) {
            f(e, depth);
            match &e.kind {
                ExprKind::Call(c) => {
                    for a in c.args.iter().filter_map(|a| a.expr.as_ref()) {
                        go(a, depth + 1, f);
                    }
                }
                ExprKind::Compare { lhs, rhs, .. } => {
                    go(lhs, depth + 1, f);
                    go(rhs, depth + 1, f);
                }
                _ => {}
            }
        }
        go(self, 0, f)
    }

    /// The text of a string literal, or `None` for any other node.
    pub fn as_str_literal(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Renders an expression back to source form (canonical spacing).
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Attribute(a) => write!(f, "[{a}]"),
            ExprKind::Str(s) => {
                f.write_str("\"")?;
                for ch in s.chars() {
                    match ch {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")
            }
            ExprKind::Number(n) => write!(f, "{n}"),
            ExprKind::Keyword(k) => f.write_str(k),
            ExprKind::Call(c) => {
                write!(f, "{}(", c.name)?;
                for (i, a) in c.args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if let Some(e) = &a.expr {
                        write!(f, "{e}")?;
                    }
                }
                f.write_str(")")
            }
            ExprKind::Compare { op, lhs, rhs, .. } => write!(f, "{lhs} {} {rhs}", op.symbol()),
        }
    }
}
