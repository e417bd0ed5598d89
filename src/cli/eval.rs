use super::{read_input, CliError, CliResult};
use attrmap::api::report::{NOT_FLOWED, OBJECT_SKIPPED};
use attrmap::eval::Outcome;
use attrmap::Code;
use attrmap::{CompileError, Diagnostic, Expression, RuntimeError};
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct EvalArgs {
    /// The expression, as typed in the Entra mapping editor
    expr: String,
    /// JSON object with the source user's attributes (`-` for standard input)
    #[arg(long, short)]
    input: Option<String>,
    #[command(flatten)]
    run: super::RunFlags,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print each call's inputs and output (values under Redact print as [Redact])
    #[arg(long)]
    trace: bool,
    /// Evaluate with the reference AST walker instead of the bytecode VM
    #[arg(long, value_enum, default_value_t = Engine::Vm)]
    engine: Engine,
    /// Print the Graph attributeMappingSource tree (as parseExpression returns it) instead of evaluating
    #[arg(long)]
    graph_tree: bool,
}

#[derive(clap::Args)]
pub struct DisasmArgs {
    /// The expression to compile
    expr: String,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Engine {
    Vm,
    Ast,
}

/// With `--format json`, every outcome is one JSON object on stdout, an
/// input or usage error too (`"phase": "input"`, exit 2), so a script never
/// has to parse stderr.
pub fn run(a: EvalArgs) -> CliResult {
    let format = a.format;
    match evaluate(a) {
        Ok(code) => Ok(code),
        Err(InputFailure { code, error }) if format == Format::Json => {
            outln!(
                "{}",
                json!({"error": {"code": code, "message": error.0, "phase": "input"}})
            );
            Ok(ExitCode::from(2))
        }
        Err(InputFailure { error, .. }) => Err(error),
    }
}

/// A usage or input error of `eval`, with the code its JSON form carries.
struct InputFailure {
    code: Code,
    error: CliError,
}

impl From<CliError> for InputFailure {
    fn from(error: CliError) -> Self {
        InputFailure {
            code: Code::InputUnreadable,
            error,
        }
    }
}

impl<E: std::error::Error> From<E> for InputFailure {
    fn from(e: E) -> Self {
        CliError::from(e).into()
    }
}

fn evaluate(a: EvalArgs) -> Result<ExitCode, InputFailure> {
    let input: serde_json::Value = match &a.input {
        None => json!({}),
        Some(path) => {
            let bytes = read_input(path)?;
            let v: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| input_error(path, &e.to_string()))?;
            if !v.is_object() {
                return Err(input_error(
                    path,
                    "the input must be a JSON object of attribute names to values",
                ));
            }
            v
        }
    };
    let expr = match attrmap::compile(&a.expr) {
        Ok(e) => e,
        Err(e) => return Ok(report_compile_error(&a.expr, &e, a.format)?),
    };
    if a.graph_tree {
        let tree = attrmap::mapping::tree::to_graph_tree(expr.ast(), &a.expr);
        outln!("{}", serde_json::to_string_pretty(&tree)?);
        return Ok(ExitCode::SUCCESS);
    }
    if a.format == Format::Text {
        for w in expr.warnings() {
            eprintln!("{:?}", w.report("expression", &a.expr));
        }
    }
    let mut options = a.run.options()?;
    options.engine = match a.engine {
        Engine::Vm => attrmap::api::Engine::Vm,
        Engine::Ast => attrmap::api::Engine::Ast,
    };
    let mut ctx = options.context();
    let result = if a.trace {
        let (result, trace) = expr.trace(&input, &mut ctx);
        match a.format {
            Format::Text => eprint!("{}", trace.render()),
            Format::Json => {
                // The trace goes to stderr so stdout stays one JSON object.
                eprintln!("{}", serde_json::to_string(&trace)?);
            }
        }
        result
    } else {
        expr.evaluate_on(options.engine, &input, &mut ctx)
    };
    if a.format == Format::Text {
        for w in &ctx.warnings {
            eprintln!(
                "{:?}",
                w.to_diagnostic()
                    .with_severity_warning()
                    .report("expression", &a.expr)
            );
        }
    }
    Ok(print_outcome(&expr, result, a.format)?)
}

trait WarnExt {
    fn with_severity_warning(self) -> Self;
}
impl WarnExt for Diagnostic {
    fn with_severity_warning(mut self) -> Self {
        self.severity = attrmap::Severity::Warning;
        self
    }
}

fn input_error(path: &str, msg: &str) -> InputFailure {
    InputFailure {
        code: Code::InputInvalidJson,
        error: CliError(format!("{path}: invalid input: {msg}")),
    }
}

fn report_compile_error(source: &str, e: &CompileError, format: Format) -> CliResult {
    match format {
        Format::Json => {
            let d = e.first_error();
            outln!(
                "{}",
                json!({"error": {"code": d.code, "message": d.message, "help": d.help, "phase": "compile", "span": [d.span.start, d.span.end]}})
            );
        }
        Format::Text => {
            for d in &e.diagnostics {
                eprintln!("{:?}", d.report("expression", source));
            }
        }
    }
    Ok(ExitCode::from(1))
}

fn print_outcome(
    expr: &Expression,
    result: Result<Outcome<'_>, RuntimeError>,
    format: Format,
) -> CliResult {
    match (result, format) {
        (Ok(Outcome::Value(v)), Format::Json) => {
            outln!("{}", json!({"value": v.to_json()}));
            Ok(ExitCode::SUCCESS)
        }
        (Ok(Outcome::Value(v)), Format::Text) => {
            outln!("{}", v.to_json());
            Ok(ExitCode::SUCCESS)
        }
        (Ok(Outcome::Ignore), Format::Json) => {
            outln!("{}", json!({"flow": "ignore"}));
            Ok(ExitCode::SUCCESS)
        }
        (Ok(Outcome::Ignore), Format::Text) => {
            eprintln!("{NOT_FLOWED}");
            Ok(ExitCode::SUCCESS)
        }
        (Ok(Outcome::IgnoreObject), Format::Json) => {
            outln!("{}", json!({"flow": "ignore-object"}));
            Ok(ExitCode::SUCCESS)
        }
        (Ok(Outcome::IgnoreObject), Format::Text) => {
            eprintln!("{OBJECT_SKIPPED}");
            Ok(ExitCode::SUCCESS)
        }
        (Err(e), Format::Json) => {
            outln!(
                "{}",
                json!({"error": {"code": e.code, "message": e.message, "help": e.help, "phase": "runtime", "span": [e.span.start, e.span.end]}})
            );
            Ok(ExitCode::from(1))
        }
        (Err(e), Format::Text) => {
            eprintln!(
                "{:?}",
                e.to_diagnostic().report("expression", expr.source())
            );
            Ok(ExitCode::from(1))
        }
    }
}

pub fn disasm(a: DisasmArgs) -> CliResult {
    match attrmap::compile(&a.expr) {
        Ok(e) => {
            out!("{}", e.disassemble());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => report_compile_error(&a.expr, &e, Format::Text),
    }
}
