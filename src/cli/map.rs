//! `attrmap map`: a mapping file and a JSONL stream of source objects in,
//! one SCIM result line per record out.

use super::output::{install_stop_handler, report_stop, stop_signal, OutputFile};
use super::{load_mapping, parse_now, read_existing, CliError, CliResult};
use attrmap::catalogue::Purity;
use attrmap::eval::{Context, TakenSet};
use attrmap::mapping::builder::{compile_object, BatchOracle, Mode};
use attrmap::mapping::stream::{Batch, Counts, Threads, DEFAULT_MAX_RECORD_BYTES};
use attrmap::mapping::ObjectType;
use attrmap::sources::{self, Detected, SourceFormat};
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::ops::ControlFlow;
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
    /// Fix the clock for Now(), as RFC 3339 (2024-05-01T09:30:00Z)
    #[arg(long)]
    pub(super) now: Option<String>,
    /// File with one already-taken value per line, for SelectUniqueValue
    #[arg(long)]
    pub(super) existing: Option<String>,
    /// Write the JSONL here (atomically: a temporary file renamed at the end) instead of standard output
    #[arg(long, short)]
    pub(super) output: Option<String>,
    /// Seed for Guid() and RandomString(), for reproducible output
    #[arg(long)]
    pub(super) seed: Option<u64>,
    /// Longest input line accepted, in bytes (1 to 1 GiB); longer records become error lines
    #[arg(long, default_value_t = DEFAULT_MAX_RECORD_BYTES,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_RECORD_BYTES_LIMIT))]
    max_record_bytes: usize,
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
    let Some((src, loaded)) = load_mapping(&a.mapping, false)? else {
        return Ok(ExitCode::from(1));
    };
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
    if a.emit == Emit::Requests {
        return super::map_requests::run(&a, &loaded.set, &compiled, &src);
    }
    super::map_requests::refuse_request_options(&a)?;
    if let Some((_, m)) = compiled.matching.first() {
        eprintln!("matching attribute: {m}");
    }
    let now = a.now.as_deref().map(parse_now).transpose()?;
    let existing = match &a.existing {
        Some(p) => read_existing(p)?,
        None => TakenSet::default(),
    };
    let oracle = BatchOracle::new(&existing);

    let (reader, input_len): (Box<dyn Read + Send>, Option<u64>) = if a.input == "-" {
        (Box::new(std::io::stdin()), None)
    } else {
        let f = std::fs::File::open(&a.input)
            .map_err(|e| CliError(format!("cannot read {}: {e}", a.input)))?;
        let len = f.metadata().ok().map(|m| m.len());
        (Box::new(f), len)
    };
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let head = reader
        .fill_buf()
        .map_err(|e| CliError(format!("cannot read {}: {e}", a.input)))?;
    let source = sources::detect(head, a.source.into());
    eprintln!("source: {}", source.description);
    // Only plain JSON Lines is cut into chunks for worker threads.
    let lines = source == Detected::jsonl();

    let output = a.output.as_deref().map(OutputFile::create).transpose()?;
    let sink: Box<dyn Write + '_> = match &output {
        None => Box::new(std::io::stdout().lock()),
        Some(o) => Box::new(o.file()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, sink);
    install_stop_handler(
        done_so_far,
        output.as_ref().map(|o| o.target().to_path_buf()),
    );

    let progress = progress_bar(input_len);
    let mode = match a.mode {
        ModeArg::Create => Mode::Create,
        ModeArg::Update => Mode::Update,
    };
    let workers = match a.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let order_dependent =
        compiled.calls(Purity::Oracle) || (a.seed.is_some() && compiled.calls(Purity::Random));
    if workers > 1 && order_dependent {
        eprintln!(
            "note: mapping on one thread: SelectUniqueValue, and Guid or RandomString under \
             --seed, give results that depend on the order of records"
        );
    } else if workers > 1 && !lines {
        eprintln!("note: mapping on one thread: --jobs splits JSON Lines only");
    }
    let parallel = workers > 1 && !order_dependent && lines;
    let batch = Batch {
        compiled: &compiled,
        file: &src,
        mode,
        oracle: (!parallel).then_some(&oracle),
        max_record_bytes: a.max_record_bytes,
        max_document_bytes: a.max_document_bytes,
    };
    let mut shown_after = PROGRESS_AFTER;
    let mut drawn_at = 0u64;
    let after_each = |c: &Counts, read_bytes: u64| {
        for (slot, v) in DONE.iter().zip([c.input, c.out, c.skipped, c.errors]) {
            slot.store(v, Ordering::Relaxed);
        }
        if let Some(p) = &progress {
            if c.input >= shown_after {
                p.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                shown_after = u64::MAX;
            }
            if c.input - drawn_at >= 1024 {
                drawn_at = c.input;
                p.set_position(read_bytes);
                p.set_message(format!("{} records", c.input));
            }
        }
        if stop_signal().is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let mut never_present = None;
    let result = if parallel {
        // Each worker's own clock setting; no oracle (nothing calls it) and
        // no seed (nothing draws from it, or the run would be sequential).
        let make_context = || match now {
            Some(n) => Context::new().with_now(n),
            None => Context::new(),
        };
        batch.run_parallel(
            reader,
            &mut out,
            Threads::new(workers),
            make_context,
            after_each,
        )
    } else {
        let mut ctx = Context::new().with_oracle(&oracle);
        if let Some(n) = now {
            ctx = ctx.with_now(n);
        }
        if let Some(s) = a.seed {
            ctx = ctx.with_seed(s);
        }
        batch
            .run_source(reader, &source, &mut out, &mut ctx, after_each)
            .map(|run| {
                // For exports only: plain JSON Lines may also run on
                // several threads, whose report must read the same.
                if !lines && !run.never_present.is_empty() {
                    never_present = Some((run.never_present, run.sampled));
                }
                run.counts
            })
    };
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
            // Dropping `output` (on return) removes its temporary file.
            return Err(CliError(format!("map failed: {e}{}", not_written(&output))));
        }
    };
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => {
            return Err(CliError(format!(
                "cannot write the output: {e}{}",
                not_written(&output)
            )))
        }
        Ok(()) => {}
    }
    drop(out);
    if let Some(signal) = stop_signal() {
        let target = output.as_ref().map(|o| o.target().to_path_buf());
        drop(output);
        return Ok(report_stop(signal, &counts.to_string(), target.as_deref()));
    }
    if let Some(o) = output {
        o.commit()
            .map_err(|e| CliError(format!("{e} ({counts})")))?;
    }
    if let Some((names, sampled)) = never_present {
        eprintln!(
            "warning: the mapping reads {}, but none of the first {sampled} records has {}, \
             so its expressions saw null for {} in every record. Add {} to the export{}",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" },
            if names.len() == 1 { "it" } else { "them" },
            if names.len() == 1 { "it" } else { "them" },
            if names
                .iter()
                .any(|n| n.eq_ignore_ascii_case("IsSoftDeleted"))
            {
                " (IsSoftDeleted is derived from accountEnabled or deletedDateTime)"
            } else {
                ""
            }
        );
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

/// For an error message: the records done and the untouched --output file.
fn not_written(output: &Option<OutputFile>) -> String {
    match output {
        Some(o) => format!(
            " ({} left as it was; {})",
            o.target().display(),
            done_so_far()
        ),
        None => String::new(),
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
