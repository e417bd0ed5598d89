//! `attrmap map`: a mapping file and a JSONL stream of source objects in,
//! one SCIM result line per record out.

use super::{parse_now, read_existing, read_input, CliError, CliResult};
use attrmap::eval::{Context, FlatRecord, TakenSet};
use attrmap::mapping::builder::{compile_object, BatchOracle, CompiledObject, Mapped, Mode};
use attrmap::mapping::{self, ObjectType};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Progress shared with the SIGINT handler, so an interrupted run can still
/// say what it did.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static DONE: [AtomicU64; 4] = [
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
];

fn summary(input: u64, out: u64, skipped: u64, errors: u64) -> String {
    format!("{input} in, {out} out, {skipped} skipped, {errors} errors")
}

/// On Ctrl-C: ask the loop to stop after the current record; if it is stuck
/// waiting for input, report from the shared counters and exit. Either way
/// the summary is printed, the exit status is 130, and a partial --output
/// file is removed rather than left looking complete.
fn install_interrupt_handler(temp: Option<std::path::PathBuf>) {
    let _ = ctrlc::set_handler(move || {
        INTERRUPTED.store(true, Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_millis(500));
        let c: Vec<u64> = DONE.iter().map(|a| a.load(Ordering::SeqCst)).collect();
        if let Some(t) = &temp {
            let _ = std::fs::remove_file(t);
        }
        eprintln!("interrupted: {}", summary(c[0], c[1], c[2], c[3]));
        std::process::exit(130);
    });
}

#[derive(clap::Args)]
pub struct MapArgs {
    /// Mapping file: a Graph synchronization schema JSON or a native attrmap mapping
    mapping: String,
    /// JSONL file of source objects, one JSON object per line (`-` for standard input)
    #[arg(long, short)]
    input: String,
    /// Which object mapping to apply
    #[arg(long, value_enum, ignore_case = true, default_value_t = Object::User)]
    object: Object,
    /// create: every mapping and default; update: skips create-only mappings and defaults
    #[arg(long, value_enum, ignore_case = true, default_value_t = ModeArg::Create)]
    mode: ModeArg,
    /// Fix the clock for Now(), as RFC 3339 (2024-05-01T09:30:00Z)
    #[arg(long)]
    now: Option<String>,
    /// File with one already-taken value per line, for SelectUniqueValue
    #[arg(long)]
    existing: Option<String>,
    /// Write the JSONL here (atomically: a temporary file renamed at the end) instead of standard output
    #[arg(long, short)]
    output: Option<String>,
    /// Seed for Guid() and RandomString(), for reproducible output
    #[arg(long)]
    seed: Option<u64>,
    /// Longest input line accepted, in bytes; longer records become error lines
    #[arg(long, default_value_t = 1 << 20)]
    max_record_bytes: usize,
    /// Most values one multi-valued target attribute may get
    #[arg(long, default_value_t = 10_000)]
    max_values: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Object {
    User,
    Group,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ModeArg {
    Create,
    Update,
}

/// Records before a progress bar is worth showing.
const PROGRESS_AFTER: u64 = 5_000;

#[derive(Default)]
struct Counts {
    input: u64,
    out: u64,
    skipped: u64,
    errors: u64,
}

pub fn run(a: MapArgs) -> CliResult {
    let bytes = read_input(&a.mapping)?;
    let src = String::from_utf8(bytes)
        .map_err(|_| CliError(format!("{} is not valid UTF-8", a.mapping)))?;
    let loaded = match mapping::load(&src) {
        Ok(l) => l,
        Err(d) => {
            eprintln!("{:?}", d.report(&a.mapping, &src));
            return Ok(ExitCode::from(1));
        }
    };
    for d in &loaded.diagnostics {
        eprintln!("{:?}", d.clone().report(&a.mapping, &src));
    }
    if loaded.has_errors() {
        return Ok(ExitCode::from(1));
    }
    let object = match a.object {
        Object::User => ObjectType::User,
        Object::Group => ObjectType::Group,
    };
    let mut compiled = match compile_object(&loaded.set, object, &src) {
        Ok(c) => c,
        Err(diags) => {
            for d in diags {
                eprintln!("{:?}", d.report(&a.mapping, &src));
            }
            return Ok(ExitCode::from(1));
        }
    };
    compiled.limits.max_multi_valued = a.max_values;
    if let Some((_, m)) = compiled.matching.first() {
        eprintln!("matching attribute: {m}");
    }
    let now = a.now.as_deref().map(parse_now).transpose()?;
    let existing = match &a.existing {
        Some(p) => read_existing(p)?,
        None => TakenSet::default(),
    };
    let oracle = BatchOracle::new(&existing);

    let (reader, input_len): (Box<dyn Read>, Option<u64>) = if a.input == "-" {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let f = std::fs::File::open(&a.input)
            .map_err(|e| CliError(format!("cannot read {}: {e}", a.input)))?;
        let len = f.metadata().ok().map(|m| m.len());
        (Box::new(f), len)
    };
    let reader = BufReader::with_capacity(1 << 16, reader);

    let (sink, temp): (
        Box<dyn Write>,
        Option<(std::path::PathBuf, std::path::PathBuf)>,
    ) = match &a.output {
        None => (Box::new(std::io::stdout().lock()), None),
        Some(path) => {
            let target = std::path::PathBuf::from(path);
            let dir = target
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "out".into());
            let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
            let f = std::fs::File::create(&tmp)
                .map_err(|e| CliError(format!("cannot create {}: {e}", tmp.display())))?;
            (Box::new(f), Some((tmp, target)))
        }
    };
    let mut out = BufWriter::with_capacity(1 << 16, sink);
    install_interrupt_handler(temp.as_ref().map(|(tmp, _)| tmp.clone()));

    let progress = progress_bar(input_len);
    let mode = match a.mode {
        ModeArg::Create => Mode::Create,
        ModeArg::Update => Mode::Update,
    };
    let run = Run {
        compiled: &compiled,
        src: &src,
        mode,
        now,
        seed: a.seed,
        oracle: &oracle,
        max_record_bytes: a.max_record_bytes,
    };
    let result = run.stream(reader, &mut out, progress.as_ref());
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    let counts = match result {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            // The reader went away (`| head`): stop quietly, as Unix tools do.
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => {
            if let Some((tmp, _)) = &temp {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(CliError(format!("map failed: {e}")));
        }
    };
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        r => r?,
    }
    drop(out);
    if INTERRUPTED.load(Ordering::SeqCst) {
        if let Some((tmp, _)) = &temp {
            let _ = std::fs::remove_file(tmp);
        }
        eprintln!(
            "interrupted: {}",
            summary(counts.input, counts.out, counts.skipped, counts.errors)
        );
        return Ok(ExitCode::from(130));
    }
    if let Some((tmp, target)) = temp {
        std::fs::rename(&tmp, &target).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            CliError(format!("cannot write {}: {e}", target.display()))
        })?;
    }
    eprintln!(
        "{}",
        summary(counts.input, counts.out, counts.skipped, counts.errors)
    );
    Ok(if counts.errors > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn progress_bar(input_len: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match input_len {
        Some(len) => indicatif::ProgressBar::with_draw_target(
            Some(len),
            indicatif::ProgressDrawTarget::hidden(),
        ),
        None => indicatif::ProgressBar::hidden(),
    };
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta})")
    {
        bar.set_style(style);
    }
    Some(bar)
}

struct Run<'r> {
    compiled: &'r CompiledObject,
    src: &'r str,
    mode: Mode,
    now: Option<chrono::DateTime<chrono::Utc>>,
    seed: Option<u64>,
    oracle: &'r BatchOracle<'r>,
    max_record_bytes: usize,
}

impl Run<'_> {
    fn stream<R: BufRead, W: Write>(
        &self,
        mut reader: R,
        out: &mut W,
        progress: Option<&indicatif::ProgressBar>,
    ) -> std::io::Result<Counts> {
        let mut c = Counts::default();
        let mut line = Vec::with_capacity(4096);
        let mut read_bytes = 0u64;
        let mut ctx = Context::new().with_oracle(self.oracle);
        if let Some(n) = self.now {
            ctx = ctx.with_now(n);
        }
        if let Some(s) = self.seed {
            ctx = ctx.with_seed(s);
        }
        loop {
            line.clear();
            let n = (&mut reader)
                .take(self.max_record_bytes as u64 + 1)
                .read_until(b'\n', &mut line)?;
            if n == 0 {
                break;
            }
            read_bytes += n as u64;
            let complete = line.last() == Some(&b'\n');
            let too_long = !complete && line.len() > self.max_record_bytes;
            if too_long {
                // Skip the rest of the oversized line without holding it in memory.
                read_bytes += skip_line(&mut reader)?;
            }
            let text = trim_line(&line);
            if !too_long && text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let index = c.input;
            c.input += 1;
            let record = if too_long {
                error_line(
                    index,
                    "attrmap::map::record-too-large",
                    format!(
                        "record is longer than {} bytes (raise the limit with --max-record-bytes)",
                        self.max_record_bytes
                    ),
                )
            } else {
                self.one(index, text, &mut ctx)
            };
            if record.get("resource").is_some() {
                c.out += 1;
            } else if record.get("skipped").is_some() {
                c.skipped += 1;
            } else {
                c.errors += 1;
            }
            write_line(&mut *out, &record)?;
            for (slot, v) in DONE.iter().zip([c.input, c.out, c.skipped, c.errors]) {
                slot.store(v, Ordering::Relaxed);
            }
            if INTERRUPTED.load(Ordering::Relaxed) {
                break;
            }
            if let Some(p) = progress {
                if c.input == PROGRESS_AFTER {
                    p.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                }
                if c.input % 1024 == 0 {
                    p.set_position(read_bytes);
                    p.set_message(format!("{} records", c.input));
                }
            }
        }
        Ok(c)
    }

    fn one(&self, index: u64, text: &[u8], ctx: &mut Context<'_>) -> Value {
        // Decoded straight into a FlatRecord (one buffer, hashed keys): a
        // third of the time a B-tree map of owned strings takes to build,
        // drop and search. Only a failing line is parsed again, to say why.
        let record = match serde_json::from_slice::<FlatRecord>(text) {
            Ok(r) => r,
            Err(e) => {
                return match serde_json::from_slice::<Value>(text) {
                    Ok(other) if !other.is_object() => error_line(
                        index,
                        "attrmap::map::not-an-object",
                        format!(
                            "each line must be a JSON object with the source attributes, found {}",
                            json_type(&other)
                        ),
                    ),
                    _ => error_line(
                        index,
                        "attrmap::map::malformed-json",
                        format!("malformed JSON: {e}"),
                    ),
                }
            }
        };
        match self
            .compiled
            .map(&record, self.mode, ctx, self.src, Some(self.oracle))
        {
            Mapped::Resource(r) => json!({"index": index, "resource": r}),
            Mapped::Skipped(why) => json!({"index": index, "skipped": why}),
            Mapped::Failed(errors) => {
                let first = &errors[0];
                let all: Vec<Value> = errors
                    .iter()
                    .map(|e| {
                        json!({"code": e.code, "message": e.message, "attribute": e.attribute,
                               "span": {"start": e.span.start, "end": e.span.end}})
                    })
                    .collect();
                json!({"index": index, "error": {
                    "code": first.code,
                    "message": first.message,
                    "attribute": first.attribute,
                    "span": {"start": first.span.start, "end": first.span.end},
                    "errors": all,
                }})
            }
        }
    }
}

/// Writes `{"index":…,<kind>:…}` with `index` first and, in a resource,
/// `schemas` first, so lines read naturally (serde_json's maps are sorted).
fn write_line<W: Write>(out: &mut W, record: &Value) -> std::io::Result<()> {
    let Value::Object(m) = record else {
        return Ok(());
    };
    out.write_all(b"{\"index\":")?;
    serde_json::to_writer(&mut *out, m.get("index").unwrap_or(&Value::Null))?;
    for (k, v) in m.iter().filter(|(k, _)| k.as_str() != "index") {
        out.write_all(b",")?;
        serde_json::to_writer(&mut *out, k)?;
        out.write_all(b":")?;
        match (k.as_str(), v) {
            ("resource", Value::Object(r)) => {
                out.write_all(b"{")?;
                let schemas = r.get_key_value("schemas");
                let rest = r.iter().filter(|(k, _)| k.as_str() != "schemas");
                for (i, (k, v)) in schemas.into_iter().chain(rest).enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    serde_json::to_writer(&mut *out, k)?;
                    out.write_all(b":")?;
                    serde_json::to_writer(&mut *out, v)?;
                }
                out.write_all(b"}")?;
            }
            _ => serde_json::to_writer(&mut *out, v)?,
        }
    }
    out.write_all(b"}\n")
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn error_line(index: u64, code: &str, message: String) -> Value {
    json!({"index": index, "error": {"code": code, "message": message, "attribute": null, "span": null}})
}

fn trim_line(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

fn skip_line<R: BufRead>(reader: &mut R) -> std::io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(skipped);
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(skipped + i as u64 + 1);
            }
            None => {
                let n = buf.len();
                reader.consume(n);
                skipped += n as u64;
            }
        }
    }
}
