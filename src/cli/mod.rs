//! Command-line interface. Each subcommand lives in its own module.

/// `println!` for command output, without its panic on a closed pipe or a
/// full disk: a reader that went away ends nothing, any other write error
/// returns a [`CliError`] (exit 2) from the calling function.
macro_rules! outln {
    () => {
        $crate::cli::write_stdout(b"\n")?
    };
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format!("{}\n", format_args!($($arg)*)).as_bytes())?
    };
}

/// `print!` with [`outln!`]'s error handling.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format!($($arg)*).as_bytes())?
    };
}

mod conformance;
mod convert;
mod eval;
mod functions;
mod lint;
mod map;
mod map_requests;
mod output;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "attrmap",
    version,
    about = "Evaluate, map and lint Microsoft Entra ID attribute-mapping expressions, offline"
)]
struct Cli {
    /// Largest file read whole (a mapping, an .expr file, --existing, eval --input,
    /// --target-state), in bytes; a longer one is refused before it fills memory
    #[arg(long, global = true, default_value_t = DEFAULT_MAX_FILE_BYTES,
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..))]
    max_file_bytes: u64,
    #[command(subcommand)]
    command: Command,
}

/// The default `--max-file-bytes`: far above any mapping or list of taken
/// values, far below what `/dev/zero` would fill.
const DEFAULT_MAX_FILE_BYTES: u64 = 256 << 20;

/// `--max-file-bytes`, set once from the command line before any read.
static MAX_FILE_BYTES: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(DEFAULT_MAX_FILE_BYTES);

#[derive(Subcommand)]
enum Command {
    /// Evaluate an expression against one JSON source object
    Eval(eval::EvalArgs),
    /// Print the bytecode an expression compiles to
    Disasm(eval::DisasmArgs),
    /// Run conformance vector files; prints failures and `N passed, N failed`
    Conformance(conformance::ConformanceArgs),
    /// List the function catalogue
    Functions(functions::FunctionsArgs),
    /// Map source objects (JSONL) to SCIM 2.0 resources with a mapping file
    Map(map::MapArgs),
    /// Lint mapping files (Graph schema or native) and .expr files, for CI
    Lint(lint::LintArgs),
    /// Convert a mapping between the native format and a Graph synchronization schema
    Convert(convert::ConvertArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    MAX_FILE_BYTES.store(cli.max_file_bytes, std::sync::atomic::Ordering::Relaxed);
    let result = match cli.command {
        Command::Eval(a) => eval::run(a),
        Command::Disasm(a) => eval::disasm(a),
        Command::Conformance(a) => conformance::run(a),
        Command::Functions(a) => functions::run(a),
        Command::Map(a) => map::run(a),
        Command::Lint(a) => lint::run(a),
        Command::Convert(a) => convert::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Errors that are about the invocation or I/O, not the expression (exit 2).
pub type CliResult = Result<ExitCode, CliError>;

#[derive(Debug)]
pub struct CliError(pub String);

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// Reads a file, or standard input for `-`, naming the file on failure.
/// At most `--max-file-bytes` are read: see [`read_file`].
pub fn read_input(path: &str) -> Result<Vec<u8>, CliError> {
    if path == "-" {
        read_bounded(std::io::stdin().lock(), "standard input")
    } else {
        read_file(std::path::Path::new(path))
    }
}

/// Reads a whole file of at most `--max-file-bytes`. A regular file's size
/// is checked before anything is read; anything else (a pipe, a device such
/// as `/dev/zero`, a file in /proc whose size reads 0) is read up to one
/// byte past the limit, so no input can fill memory.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    let name = path.display().to_string();
    let file =
        std::fs::File::open(path).map_err(|e| CliError(format!("cannot read {name}: {e}")))?;
    if let Ok(meta) = file.metadata() {
        if meta.is_dir() {
            return Err(CliError(format!("{name} is a directory, not a file")));
        }
        if meta.is_file() && meta.len() > max_file_bytes() {
            return Err(too_large(&name));
        }
    }
    read_bounded(file, &name)
}

/// [`read_file`] for text: valid UTF-8 or an error naming the file.
pub fn read_text_file(path: &std::path::Path) -> Result<String, CliError> {
    String::from_utf8(read_file(path)?)
        .map_err(|_| CliError(format!("{} is not valid UTF-8", path.display())))
}

fn max_file_bytes() -> u64 {
    MAX_FILE_BYTES.load(std::sync::atomic::Ordering::Relaxed)
}

fn read_bounded(reader: impl std::io::Read, name: &str) -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    let limit = max_file_bytes();
    let mut buf = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| CliError(format!("cannot read {name}: {e}")))?;
    if buf.len() as u64 > limit {
        return Err(too_large(name));
    }
    Ok(buf)
}

fn too_large(name: &str) -> CliError {
    CliError(format!(
        "{name} is larger than {} bytes, the most read from one file; \
         --max-file-bytes raises the limit",
        max_file_bytes()
    ))
}

/// Reads a text file, or standard input for `-`, naming it on failure.
pub fn read_text(path: &str) -> Result<String, CliError> {
    String::from_utf8(read_input(path)?).map_err(|_| CliError(format!("{path} is not valid UTF-8")))
}

/// Prints findings about `src` (the file at `path`) to stderr.
fn print_diagnostics(path: &str, src: &str, diagnostics: Vec<attrmap::Diagnostic>) {
    for d in diagnostics {
        eprintln!("{:?}", d.report(path, src));
    }
}

/// Reads a mapping file and loads it, printing every finding to stderr.
/// `Ok(None)`: the file is not a usable mapping (findings printed, exit 1).
/// With `check`, also refuses a set that `attrmap map` could not compile
/// (unknown function, bad target path) in any of its object mappings.
pub fn load_mapping(
    path: &str,
    check: bool,
) -> Result<Option<(String, attrmap::mapping::Loaded)>, CliError> {
    let src = read_text(path)?;
    match attrmap::api::load_mapping(&src, check) {
        Ok(loaded) => {
            print_diagnostics(path, &src, loaded.diagnostics.clone());
            Ok(Some((src, loaded)))
        }
        Err(findings) => {
            print_diagnostics(path, &src, findings);
            Ok(None)
        }
    }
}

/// Reads a mapping file and compiles its `object` mapping, printing every
/// finding to stderr; `Ok(None)` as for [`load_mapping`].
pub fn plan_mapping(
    path: &str,
    object: attrmap::mapping::ObjectType,
) -> Result<Option<(String, attrmap::api::MapPlan)>, CliError> {
    let src = read_text(path)?;
    match attrmap::api::MapPlan::new(&src, object) {
        Ok(plan) => {
            print_diagnostics(path, &src, plan.warnings().to_vec());
            Ok(Some((src, plan)))
        }
        Err(findings) => {
            print_diagnostics(path, &src, findings);
            Ok(None)
        }
    }
}

/// The flags the evaluating commands (`eval`, `map`) share, declared once so
/// their help text and their meaning cannot drift apart.
#[derive(clap::Args)]
pub struct RunFlags {
    /// Fix the clock for Now(), as RFC 3339 (2024-05-01T09:30:00Z)
    #[arg(long)]
    pub now: Option<String>,
    /// The tenant's default verified domain that DefaultDomain() returns
    /// (contoso.onmicrosoft.com); without it DefaultDomain() fails
    #[arg(long, value_name = "DOMAIN")]
    pub default_domain: Option<String>,
    /// File with one already-taken value per line, for SelectUniqueValue
    #[arg(long)]
    pub existing: Option<String>,
    /// Seed for Guid() and RandomString(), for reproducible output
    #[arg(long)]
    pub seed: Option<u64>,
}

impl RunFlags {
    /// The run options these flags ask for: `--now` and `--default-domain`
    /// checked, `--existing` read.
    pub fn options(&self) -> Result<attrmap::api::RunOptions, CliError> {
        Ok(attrmap::api::RunOptions {
            now: self
                .now
                .as_deref()
                .map(|n| attrmap::api::parse_now(n, "--now"))
                .transpose()
                .map_err(CliError)?,
            seed: self.seed,
            default_domain: self
                .default_domain
                .as_deref()
                .map(|d| attrmap::api::parse_default_domain(d, "--default-domain"))
                .transpose()
                .map_err(CliError)?,
            existing: match &self.existing {
                Some(path) => attrmap::api::taken_from_lines(&read_text(path)?),
                None => attrmap::eval::TakenSet::default(),
            },
            ..Default::default()
        })
    }
}

/// Writes a command's whole output to stdout. A reader that went away
/// (`| head`) is not an error, as for other Unix tools; any other write
/// failure (a full disk, `/dev/full`) is, so a truncated output never exits 0.
pub fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}
