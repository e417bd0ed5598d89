use super::{read_input, CliError, CliResult};
use attrmap::api::json;
use attrmap::api::report::{OutcomeReport, NOT_FLOWED, OBJECT_SKIPPED};
use attrmap::eval::Outcome;
use attrmap::Code;
use attrmap::{CompileError, Diagnostic, Expression};
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

/// With `--format json`, every outcome is one JSON object on stdout, the
/// result the JSON API gives ([`attrmap::api::json`], the playground's
/// `evaluate`), an input or usage error too (`"status": "inputError"`, exit
/// 2), so a script never has to parse stderr.
pub fn run(a: EvalArgs) -> CliResult {
    let format = a.format;
    match evaluate(a) {
        Ok(code) => Ok(code),
        Err(InputFailure { code, error }) if format == Format::Json => {
            outln!("{}", json::input_error_result(code, &error.0));
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
    match a.format {
        Format::Json => Ok(print_json(expr, &input, options, a.trace)?),
        Format::Text => Ok(print_text(&expr, &input, &options, a.trace)?),
    }
}

/// The result as the JSON API shapes it; the trace, when asked for, goes to
/// stderr, so stdout stays one JSON object.
fn print_json(
    expr: Expression,
    input: &serde_json::Value,
    run: attrmap::api::RunOptions,
    trace: bool,
) -> CliResult {
    let program = json::Program { expr };
    let options = json::Options {
        run,
        ..json::Options::default()
    };
    let report = if trace {
        let (report, trace) = program.trace_reports(input, &options);
        eprintln!("{}", serde_json::to_string(&trace)?);
        report
    } else {
        program.evaluate_report(input, &options)
    };
    outln!("{}", serde_json::to_string(&report)?);
    Ok(exit_status(&report.outcome))
}

/// 1 for a runtime error, 0 for every other outcome.
fn exit_status(outcome: &OutcomeReport) -> ExitCode {
    match outcome {
        OutcomeReport::Error { .. } => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// The value as JSON on stdout; the runtime warnings, the trace and an
/// error as rendered reports on stderr.
fn print_text(
    expr: &Expression,
    input: &serde_json::Value,
    options: &attrmap::api::RunOptions,
    trace: bool,
) -> CliResult {
    let mut ctx = options.context();
    let result = if trace {
        let (result, trace) = expr.trace(input, &mut ctx);
        eprint!("{}", trace.render());
        result
    } else {
        expr.evaluate_on(options.engine, input, &mut ctx)
    };
    for w in &ctx.warnings {
        eprintln!(
            "{:?}",
            w.to_diagnostic()
                .with_severity_warning()
                .report("expression", expr.source())
        );
    }
    match result {
        Ok(Outcome::Value(v)) => outln!("{}", v.to_json()),
        Ok(Outcome::Ignore) => eprintln!("{NOT_FLOWED}"),
        Ok(Outcome::IgnoreObject) => eprintln!("{OBJECT_SKIPPED}"),
        Err(e) => {
            eprintln!(
                "{:?}",
                e.to_diagnostic().report("expression", expr.source())
            );
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
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
        Format::Json => outln!("{}", json::compile_error_result(source, e)),
        Format::Text => {
            for d in &e.diagnostics {
                eprintln!("{:?}", d.report("expression", source));
            }
        }
    }
    Ok(ExitCode::from(1))
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
