//! `attrmap map`: a mapping file and a JSONL stream of source objects in,
//! one SCIM result line per record out.

use super::output::{install_stop_handler, report_stop, stop_signal, OutputFile};
use super::{plan_mapping, CliError, CliResult};
use attrmap::api::{MapPlan, RunOptions};
use attrmap::catalogue::Purity;
use attrmap::mapping::builder::{BatchOracle, CompiledObject, Mode};
use attrmap::mapping::stream::{Batch, Counts, Threads, DEFAULT_MAX_RECORD_BYTES};
use attrmap::mapping::ObjectType;
use attrmap::sources::{self, Detected, SourceFormat};
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

/// Progress shared with the stop-signal handler, so a stopped run can
/// still say what it did.
static DONE: [AtomicU64; 4] = [
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
];

/// What the records done so far add up to, for a stop summary.
fn done_so_far() -> String {
    let [input, out, skipped, errors] = DONE.each_ref().map(|a| a.load(Ordering::SeqCst));
    Counts {
        input,
        out,
        skipped,
        errors,
    }
    .to_string()
}

#[derive(clap::Args)]
pub struct MapArgs {
    /// Mapping file: a Graph synchronization schema JSON or a native attrmap mapping
    pub(super) mapping: String,
    /// Source objects (`-` for standard input): JSON Lines, a JSON array, Graph
    /// response pages, Graph PowerShell or az output, or CSV; the form is detected
    #[arg(long, short)]
    pub(super) input: String,
    /// The input's form, instead of detecting it: jsonl, json (array or
    /// objects), graph (Graph names translated, pages opened), csv
    #[arg(long, value_enum, ignore_case = true, default_value_t = SourceArg::Auto)]
    pub(super) source: SourceArg,
    /// Largest JSON document read whole (a pretty-printed page or array), in bytes
    #[arg(long, default_value_t = sources::DEFAULT_MAX_DOCUMENT_BYTES)]
    pub(super) max_document_bytes: usize,
    /// Which object mapping to apply
    #[arg(long, value_enum, ignore_case = true, default_value_t = Object::User)]
    pub(super) object: Object,
    /// create: every mapping and default; update: skips create-only mappings and defaults
    #[arg(long, value_enum, ignore_case = true, default_value_t = ModeArg::Create)]
    pub(super) mode: ModeArg,
    #[command(flatten)]
    pub(super) run: super::RunFlags,
    /// Write the JSONL here (atomically: a temporary file renamed at the end) instead of standard output
    #[arg(long, short)]
    pub(super) output: Option<String>,
    /// Longest input line accepted, in bytes (1 to 1 GiB); longer records become error lines
    #[arg(long, default_value_t = DEFAULT_MAX_RECORD_BYTES,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_RECORD_BYTES_LIMIT))]
    pub(super) max_record_bytes: usize,
    /// Most values one multi-valued target attribute may get
    #[arg(long, default_value_t = 10_000)]
    max_values: usize,
    /// Threads that map records (0: one per core). Output order and content
    /// do not change. Mappings with SelectUniqueValue, or Guid/RandomString
    /// under --seed, run on one thread: their results depend on record order. At most 256
    #[arg(long, short, default_value_t = 1,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=MAX_JOBS))]
    pub(super) jobs: usize,
    /// resources: the SCIM resource per record; requests: the HTTP requests Entra would send
    #[arg(long, value_enum, ignore_case = true, default_value_t = Emit::Resources)]
    pub(super) emit: Emit,
    /// With --emit requests: JSONL of the target's current resources (what GET /Users or
    /// /Groups returns); objects found there get a PATCH of what changed instead of a POST
    #[arg(long)]
    pub(super) target_state: Option<String>,
    /// With --emit requests: JSONL of the source objects that manager and members refer to
    /// (the users, for a group run), to find their target ids
    #[arg(long)]
    pub(super) references: Option<String>,
    /// With --emit requests: the PATCH dialect (aadOptscim062020: the SCIM-compliant one
    /// that flag in the tenant URL turns on)
    #[arg(long, value_enum, default_value_t = super::map_requests::DialectArg::Default)]
    pub(super) patch_dialect: super::map_requests::DialectArg,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Emit {
    Resources,
    Requests,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Object {
    User,
    Group,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum SourceArg {
    Auto,
    Jsonl,
    Json,
    Graph,
    Csv,
}

impl From<SourceArg> for SourceFormat {
    fn from(s: SourceArg) -> SourceFormat {
        match s {
            SourceArg::Auto => SourceFormat::Auto,
            SourceArg::Jsonl => SourceFormat::Jsonl,
            SourceArg::Json => SourceFormat::Json,
            SourceArg::Graph => SourceFormat::Graph,
            SourceArg::Csv => SourceFormat::Csv,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum ModeArg {
    Create,
    Update,
}

/// The largest `--max-record-bytes`: one record is held in memory whole, so
/// a larger bound would be no bound (and u64::MAX used to wrap to nothing).
const MAX_RECORD_BYTES_LIMIT: u64 = 1 << 30;

/// The most `--jobs`: more threads than this only cost memory on any machine
/// attrmap runs on, and asking the system for 100 000 used to panic.
const MAX_JOBS: u64 = 256;

/// Exit status of a run that completed with error lines for some records.
pub(super) const SOME_RECORDS_FAILED: u8 = 3;

/// Records before a progress bar is worth showing.
const PROGRESS_AFTER: u64 = 5_000;

pub fn run(a: MapArgs) -> CliResult {
    let object = match a.object {
        Object::User => ObjectType::User,
        Object::Group => ObjectType::Group,
    };
    let Some((src, mut plan)) = plan_mapping(&a.mapping, object)? else {
        return Ok(ExitCode::from(1));
    };
    plan.compiled.limits.max_multi_valued = a.max_values;
    if a.emit == Emit::Requests {
        if !plan.compiled.targets_scim() {
            return Err(CliError(
                "--emit requests prints SCIM requests, but this mapping's target directory is not a SCIM app (its attributes are plain names, as Salesforce's); Entra reaches it through its own connector. Use --emit resources to see the typed values".into(),
            ));
        }
        return super::map_requests::run(&a, &plan, &src);
    }
    super::map_requests::refuse_request_options(&a)?;
    if let Some((_, m)) = plan.compiled.matching.first() {
        eprintln!("matching attribute: {m}");
    }
    let mut options = a.run.options()?;
    options.mode = match a.mode {
        ModeArg::Create => Mode::Create,
        ModeArg::Update => Mode::Update,
    };
    let input = Input::open(&a.input, a.source.into())?;
    let mut output = AtomicOutput::create(a.output.as_deref())?;
    install_stop_handler(done_so_far, output.target().map(Path::to_path_buf));
    let mut progress = Progress::new(input.len);
    let result = map_records(&a, &plan, &src, &options, input, &mut output, &mut progress);
    progress.finish();
    finish(result, output)
}

/// The attributes the mapping reads that no sampled record had, and how
/// many records were sampled (exports only).
type NeverPresent = Option<(Vec<String>, usize)>;

/// Maps every record of `input` into `output`, on one thread or several.
fn map_records(
    a: &MapArgs,
    plan: &MapPlan,
    src: &str,
    options: &RunOptions,
    input: Input,
    output: &mut AtomicOutput,
    progress: &mut Progress,
) -> std::io::Result<(Counts, NeverPresent)> {
    let oracle = BatchOracle::new(&options.existing);
    let workers = workers(a, &plan.compiled, input.is_jsonl());
    let batch = Batch {
        compiled: &plan.compiled,
        file: src,
        mode: options.mode,
        oracle: (workers == 1).then_some(&oracle),
        max_record_bytes: a.max_record_bytes,
        max_document_bytes: a.max_document_bytes,
    };
    let after_each = |c: &Counts, read_bytes: u64| progress.record(c, read_bytes);
    if workers > 1 {
        // Each worker's own context: no oracle (nothing calls it) and no
        // seed that matters (nothing draws from it, or the run would be
        // sequential).
        let make_context = || options.context_with(None);
        let threads = Threads::new(workers);
        batch
            .run_parallel(input.reader, output, threads, make_context, after_each)
            .map(|counts| (counts, None))
    } else {
        let mut ctx = options.context_with(Some(&oracle));
        let jsonl = input.is_jsonl();
        batch
            .run_source(input.reader, &input.source, output, &mut ctx, after_each)
            .map(|run| {
                // For exports only: plain JSON Lines may also run on
                // several threads, whose report must read the same.
                let never_present = (!jsonl && !run.never_present.is_empty())
                    .then_some((run.never_present, run.sampled));
                (run.counts, never_present)
            })
    }
}

/// Ends a run: the output committed (or removed when the run failed or was
/// interrupted), the warnings and counts on stderr, the exit status.
fn finish(result: std::io::Result<(Counts, NeverPresent)>, mut output: AtomicOutput) -> CliResult {
    let (counts, never_present) = match result.and_then(|r| output.flush().map(|()| r)) {
        Ok(c) => c,
        // The reader went away (`| head`): stop quietly, as Unix tools do.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => {
            let kept = output
                .target()
                .map(|t| format!(" ({} left as it was; {})", t.display(), done_so_far()));
            output.discard();
            return Err(CliError(format!(
                "map failed: {e}{}",
                kept.unwrap_or_default()
            )));
        }
    };
    if let Some(signal) = stop_signal() {
        let target = output.target().map(Path::to_path_buf);
        output.discard();
        return Ok(report_stop(signal, &counts.to_string(), target.as_deref()));
    }
    output
        .commit()
        .map_err(|e| CliError(format!("{e} ({counts})")))?;
    if let Some((names, sampled)) = never_present {
        eprintln!("{}", never_present_warning(&names, sampled));
    }
    eprintln!("{counts}");
    Ok(if counts.errors > 0 {
        // Not 2: that is a usage or I/O failure, after which the output
        // cannot be trusted; here every record has its line.
        ExitCode::from(SOME_RECORDS_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// How many threads map the records: what `--jobs` asks, unless the results
/// depend on record order or the input is not plain JSON Lines (each said
/// in a note).
fn workers(a: &MapArgs, compiled: &CompiledObject, jsonl: bool) -> usize {
    let asked = match a.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    if asked <= 1 {
        return 1;
    }
    let order_dependent =
        compiled.calls(Purity::Oracle) || (a.run.seed.is_some() && compiled.calls(Purity::Random));
    if order_dependent {
        eprintln!(
            "note: mapping on one thread: SelectUniqueValue, and Guid or RandomString under \
             --seed, give results that depend on the order of records"
        );
        1
    } else if !jsonl {
        eprintln!("note: mapping on one thread: --jobs splits JSON Lines only");
        1
    } else {
        asked
    }
}

/// The warning for source attributes the mapping reads but no sampled
/// record has (an export that left them out).
fn never_present_warning(names: &[String], sampled: usize) -> String {
    let pronoun = if names.len() == 1 { "it" } else { "them" };
    let derived = if names
        .iter()
        .any(|n| n.eq_ignore_ascii_case("IsSoftDeleted"))
    {
        " (IsSoftDeleted is derived from accountEnabled or deletedDateTime)"
    } else {
        ""
    };
    format!(
        "warning: the mapping reads {}, but none of the first {sampled} records has {pronoun}, \
         so its expressions saw null for {pronoun} in every record. Add {pronoun} to the export{derived}",
        names.join(", ")
    )
}

/// The source objects: the open file or standard input, its length when
/// known (for the progress bar), and the form detected from its start.
pub(super) struct Input {
    pub(super) reader: BufReader<Box<dyn Read + Send>>,
    len: Option<u64>,
    pub(super) source: Detected,
}

impl Input {
    pub(super) fn open(path: &str, format: SourceFormat) -> Result<Input, CliError> {
        Input::open_as(path, format, "source")
    }

    /// [`Input::open`] naming the form found on stderr under `label`, so
    /// that a second input (`--references`) is told apart from the first.
    pub(super) fn open_as(
        path: &str,
        format: SourceFormat,
        label: &str,
    ) -> Result<Input, CliError> {
        let (raw, len): (Box<dyn Read + Send>, Option<u64>) = if path == "-" {
            (Box::new(std::io::stdin()), None)
        } else {
            let f = std::fs::File::open(path)
                .map_err(|e| CliError(format!("cannot read {path}: {e}")))?;
            let len = f.metadata().ok().map(|m| m.len());
            (Box::new(f), len)
        };
        let mut reader = BufReader::with_capacity(1 << 16, raw);
        let head = reader
            .fill_buf()
            .map_err(|e| CliError(format!("cannot read {path}: {e}")))?;
        let source = sources::detect(head, format);
        eprintln!("{label}: {}", source.description);
        Ok(Input {
            reader,
            len,
            source,
        })
    }

    /// Only plain JSON Lines is cut into chunks for worker threads.
    fn is_jsonl(&self) -> bool {
        self.source == Detected::jsonl()
    }
}

/// Standard output, or `--output` written through [`OutputFile`]: a new
/// temporary file next to the target, renamed over it only once the run
/// completed.
struct AtomicOutput {
    out: BufWriter<Sink>,
}

enum Sink {
    Stdout(std::io::StdoutLock<'static>),
    File(OutputFile),
}

impl AtomicOutput {
    fn create(path: Option<&str>) -> Result<AtomicOutput, CliError> {
        let sink = match path {
            None => Sink::Stdout(std::io::stdout().lock()),
            Some(path) => Sink::File(OutputFile::create(path)?),
        };
        Ok(AtomicOutput {
            out: BufWriter::with_capacity(1 << 16, sink),
        })
    }

    /// The `--output` file, if there is one.
    fn target(&self) -> Option<&Path> {
        match self.out.get_ref() {
            Sink::File(f) => Some(f.target()),
            Sink::Stdout(_) => None,
        }
    }

    /// Drops the output: the temporary file is removed, so a partial output
    /// is not left looking complete.
    fn discard(self) {}

    /// Flushes, then renames the temporary file over the target.
    fn commit(self) -> Result<(), CliError> {
        let target = self.target().map(Path::to_path_buf);
        match self.out.into_inner() {
            Ok(Sink::File(f)) => f.commit(),
            Ok(Sink::Stdout(_)) => Ok(()),
            // Dropping the error drops the file, which removes it.
            Err(e) => Err(CliError(format!(
                "cannot write {}: {}",
                target.map_or("the output".into(), |t| t.display().to_string()),
                e.error()
            ))),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Stdout(s) => s.write(buf),
            Sink::File(f) => f.file().write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(s) => s.flush(),
            Sink::File(f) => f.file().flush(),
        }
    }
}

impl Write for AtomicOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.out.write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Keeps the stop-signal handler's counters current, draws the progress bar
/// on a terminal once a run is long enough to need one, and stops the loop
/// on a stop signal (SIGINT, SIGTERM, SIGHUP).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    shown_after: u64,
    drawn_at: u64,
}

impl Progress {
    fn new(input_len: Option<u64>) -> Progress {
        Progress {
            bar: progress_bar(input_len),
            shown_after: PROGRESS_AFTER,
            drawn_at: 0,
        }
    }

    fn record(&mut self, c: &Counts, read_bytes: u64) -> ControlFlow<()> {
        for (slot, v) in DONE.iter().zip([c.input, c.out, c.skipped, c.errors]) {
            slot.store(v, Ordering::Relaxed);
        }
        if let Some(p) = &self.bar {
            if c.input >= self.shown_after {
                p.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                self.shown_after = u64::MAX;
            }
            if c.input - self.drawn_at >= 1024 {
                self.drawn_at = c.input;
                p.set_position(read_bytes);
                p.set_message(format!("{} records", c.input));
            }
        }
        if stop_signal().is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn finish(&self) {
        if let Some(p) = &self.bar {
            p.finish_and_clear();
        }
    }
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
