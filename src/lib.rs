//! attrmap: an offline implementation of the Microsoft Entra ID
//! attribute-mapping expression language.
//!
//! ```
//! use attrmap::{compile, eval::{Context, Outcome}, value::Value};
//! let expr = compile(r#"Switch([department], "reader", "Legal", "editor")"#).unwrap();
//! let user = serde_json::json!({"department": "Legal"});
//! let out = expr.evaluate(&user, &mut Context::new()).unwrap();
//! assert_eq!(out, Outcome::Value(Value::str("editor")));
//! ```

pub mod api;
pub mod batch;
pub mod bytecode;
pub mod catalogue;
pub mod check;
pub mod codes;
pub mod compile;
pub mod conformance;
pub mod diagnostic;
pub mod eval;
pub mod fold;
pub mod functions;
mod json_scan;
pub mod lint;
pub mod mapping;
pub mod sources;
pub mod syntax;
pub mod value;
mod vm;
#[cfg(feature = "wasm")]
pub mod wasm;

pub use codes::Code;
pub use compile::Program;
pub use diagnostic::{Diagnostic, Severity};
pub use eval::{Context, Outcome, Record, RuntimeError};
pub use syntax::Limits;

use syntax::Expr;

/// A parsed, checked and compiled expression.
#[derive(Debug, Clone)]
pub struct Expression {
    source: String,
    checked: check::Checked,
    program: Program,
    warnings: Vec<Diagnostic>,
}

/// Compilation failed: at least one diagnostic is an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// Every finding, errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl CompileError {
    /// The first error, which is what a single-line report shows.
    pub fn first_error(&self) -> &Diagnostic {
        self.diagnostics
            .iter()
            .find(|d| d.is_error())
            .unwrap_or(&self.diagnostics[0])
    }
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.first_error();
        write!(
            f,
            "{} at {}..{}: {}",
            d.code, d.span.start, d.span.end, d.message
        )
    }
}
impl std::error::Error for CompileError {}

/// Parses, checks and compiles with the default limits.
pub fn compile(source: &str) -> Result<Expression, CompileError> {
    compile_with(source, &Limits::default())
}

/// Parses and checks without compiling: every diagnostic, for linters and editors.
pub fn analyze(source: &str, limits: &Limits) -> (Option<Expr>, Vec<Diagnostic>) {
    match syntax::parse(source, limits) {
        Err(d) => (None, vec![d]),
        Ok(mut ast) => {
            let diags = check::annotate(&mut ast);
            (Some(ast), diags)
        }
    }
}

/// Parses, checks and compiles with the given limits (expression length, nesting).
pub fn compile_with(source: &str, limits: &Limits) -> Result<Expression, CompileError> {
    let ast = syntax::parse(source, limits).map_err(|d| CompileError {
        diagnostics: vec![d],
    })?;
    let (checked, warnings) =
        check::check(ast).map_err(|diagnostics| CompileError { diagnostics })?;
    let program = compile::compile(&checked);
    Ok(Expression {
        source: source.to_string(),
        checked,
        program,
        warnings,
    })
}

impl Expression {
    /// Evaluates on the bytecode VM.
    pub fn evaluate<'a, R: Record + ?Sized>(
        &'a self,
        record: &'a R,
        ctx: &mut Context<'_>,
    ) -> eval::EvalResult<'a> {
        self.program.run(record, ctx)
    }
    /// Evaluates on the engine the caller chose.
    pub fn evaluate_on<'a, R: Record + ?Sized>(
        &'a self,
        engine: api::Engine,
        record: &'a R,
        ctx: &mut Context<'_>,
    ) -> eval::EvalResult<'a> {
        match engine {
            api::Engine::Vm => self.evaluate(record, ctx),
            api::Engine::Ast => self.evaluate_ast(record, ctx),
        }
    }
    /// Evaluates with the reference AST walker.
    pub fn evaluate_ast<'a, R: Record + ?Sized>(
        &'a self,
        record: &'a R,
        ctx: &mut Context<'_>,
    ) -> eval::EvalResult<'a> {
        eval::tree::evaluate(&self.checked, record, ctx)
    }
    /// Evaluates and records each call's inputs and output.
    pub fn trace<'a, R: Record + ?Sized>(
        &'a self,
        record: &'a R,
        ctx: &mut Context<'_>,
    ) -> (eval::EvalResult<'a>, eval::trace::Trace) {
        eval::tree::evaluate_traced(&self.checked, &self.source, record, ctx)
    }
    /// The expression text this was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// The checked syntax tree.
    pub fn ast(&self) -> &Expr {
        self.checked.expr()
    }
    /// The checked tree both engines run.
    pub fn checked(&self) -> &check::Checked {
        &self.checked
    }
    /// The bytecode the VM runs.
    pub fn program(&self) -> &Program {
        &self.program
    }
    /// Warnings found while checking (for example a non-canonical function spelling).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
    /// The bytecode listing (`attrmap disasm`).
    pub fn disassemble(&self) -> String {
        self.program.disassemble()
    }
}
