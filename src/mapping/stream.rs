//! Maps a JSON Lines stream of source objects to a JSON Lines stream of
//! results, one line per record: `{"index":N,"resource":{…}}`,
//! `{"index":N,"skipped":"scope"}` or `{"index":N,"error":{…}}`. This is
//! `attrmap map` without the command line, for embedders and benchmarks.
//!
//! A bad record (malformed JSON, not an object, too long, failing mappings)
//! becomes an error line and the stream goes on; only I/O errors stop it.

use super::builder::{BatchOracle, CompiledObject, Mapped, MappedRef, Mode};
use crate::codes::Code;
use crate::eval::{Context, FlatRecord, Record};
use crate::sources::{self, Detected, Item};
use serde_json::{json, Value as Json};
use std::io::{self, BufRead, Read, Write};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};

/// How many records went where. Every non-blank input line is counted once:
/// `input == out + skipped + errors`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub input: u64,
    pub out: u64,
    pub skipped: u64,
    pub errors: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.input += other.input;
        self.out += other.out;
        self.skipped += other.skipped;
        self.errors += other.errors;
    }

    fn count(&mut self, outcome: Outcome) {
        self.input += 1;
        match outcome {
            Outcome::Out => self.out += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Error => self.errors += 1,
        }
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} in, {} out, {} skipped, {} errors",
            self.input, self.out, self.skipped, self.errors
        )
    }
}

/// What [`Batch::run_source`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRun {
    pub counts: Counts,
    /// How many records (the first ones) were looked at for `never_present`.
    pub sampled: usize,
    /// Source attributes the mapping reads that none of the sampled records
    /// had (or had only as null): their mappings gave nothing.
    pub never_present: Vec<String>,
}

/// Records looked at for [`SourceRun::never_present`].
pub const PRESENCE_SAMPLE: usize = 1000;

/// Default for [`Batch::max_record_bytes`]: 1 MiB per line.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 1 << 20;

/// One mapping applied to a stream of records.
pub struct Batch<'m> {
    pub compiled: &'m CompiledObject,
    /// The mapping file's text, for error spans.
    pub file: &'m str,
    pub mode: Mode,
    /// Remembers SelectUniqueValue's choices across the stream.
    pub oracle: Option<&'m BatchOracle<'m>>,
    /// Longer lines become `attrmap::map::record-too-large` errors, and are
    /// skipped without being held in memory.
    pub max_record_bytes: usize,
    /// The largest JSON document [`Batch::run_source`] reads whole (a
    /// pretty-printed Graph page or array).
    pub max_document_bytes: usize,
}

impl<'m> Batch<'m> {
    /// A batch in create mode, without cross-record uniqueness, with the
    /// default record size limit.
    pub fn new(compiled: &'m CompiledObject, file: &'m str) -> Self {
        Batch {
            compiled,
            file,
            mode: Mode::Create,
            oracle: None,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            max_document_bytes: sources::DEFAULT_MAX_DOCUMENT_BYTES,
        }
    }

    /// Reads JSON Lines records from `input` until its end and writes one
    /// line each to `out`. `after_each` sees the counts and the bytes read so
    /// far after every record and may stop the stream early (on Ctrl-C, say).
    pub fn run<R: BufRead, W: Write + ?Sized>(
        &self,
        input: R,
        out: &mut W,
        ctx: &mut Context<'_>,
        after_each: impl FnMut(&Counts, u64) -> ControlFlow<()>,
    ) -> io::Result<Counts> {
        self.run_source(input, &Detected::jsonl(), out, ctx, after_each)
            .map(|run| run.counts)
    }

    /// [`Batch::run`] for input in any form [`sources::detect`] knows:
    /// Graph pages, JSON arrays, PowerShell and az exports, CSV. Records
    /// are numbered across pages and documents.
    pub fn run_source<R: BufRead, W: Write + ?Sized>(
        &self,
        input: R,
        source: &Detected,
        out: &mut W,
        ctx: &mut Context<'_>,
        mut after_each: impl FnMut(&Counts, u64) -> ControlFlow<()>,
    ) -> io::Result<SourceRun> {
        let mut counts = Counts::default();
        let mapper = self.mapper();
        // Which attributes the mapping reads turn up in the first records:
        // one that never does (an export without accountEnabled, say) makes
        // its mappings give nothing for everyone, which deserves a word.
        let names = self.compiled.source_attributes();
        let mut present = vec![false; names.len()];
        let mut sampled = 0usize;
        let limits = sources::Limits {
            max_record_bytes: self.max_record_bytes,
            max_document_bytes: self.max_document_bytes,
        };
        let keep = Some(self.compiled.decode_filter());
        sources::read_keeping(input, source, limits, keep, |item, read_bytes| {
            let index = counts.input;
            let outcome = match item {
                Item::Record(record) => {
                    if sampled < PRESENCE_SAMPLE {
                        sampled += 1;
                        for (seen, name) in present.iter_mut().zip(&names) {
                            *seen = *seen || record.attribute(name).is_some_and(|v| !v.is_null());
                        }
                    }
                    mapper.record(index, record, ctx, self.oracle, out)?
                }
                Item::Error { code, message } => {
                    write_error(out, index, code, &message)?;
                    Outcome::Error
                }
            };
            counts.count(outcome);
            Ok(after_each(&counts, read_bytes))
        })?;
        let never_present = names
            .iter()
            .zip(&present)
            .filter(|(_, seen)| !**seen)
            .map(|(n, _)| n.to_string())
            .collect();
        Ok(SourceRun {
            counts,
            sampled,
            never_present: if sampled > 0 {
                never_present
            } else {
                Vec::new()
            },
        })
    }

    /// [`Batch::run`] on several threads: one reads and splits the input
    /// into chunks of lines, `threads.workers` map chunks, and the calling
    /// thread writes their results in input order. The output is the same,
    /// byte for byte, as `run`'s, given a mapping whose results do not depend
    /// on which records came before (no SelectUniqueValue, no seeded Guid or
    /// RandomString): for those, use `run`.
    ///
    /// Each worker gets its own context from `make_context`; with one
    /// worker, this is `run` on the calling thread. `after_each` is called
    /// after each chunk is written, not after each record.
    ///
    /// A batch with an `oracle` is refused (`InvalidInput`) before anything
    /// is read: SelectUniqueValue's choices depend on record order.
    pub fn run_parallel<'c, R, W>(
        &self,
        input: R,
        out: &mut W,
        threads: Threads,
        make_context: impl Fn() -> Context<'c> + Sync,
        after_each: impl FnMut(&Counts, u64) -> ControlFlow<()>,
    ) -> io::Result<Counts>
    where
        R: Read + Send,
        W: Write + ?Sized,
    {
        if self.oracle.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a batch that remembers SelectUniqueValue's choices needs its records in order: \
                 use Batch::run",
            ));
        }
        if threads.workers <= 1 {
            let input = io::BufReader::with_capacity(READ_SIZE, input);
            return self.run(input, out, &mut make_context(), after_each);
        }
        let mapper = self.mapper();
        let max_record_bytes = self.max_record_bytes;
        // Chunks circulate: pool → reader → a worker → writer → pool. A
        // fixed number of them bounds memory however far the reader could
        // run ahead, and their buffers are reused rather than reallocated.
        let chunks = threads.workers * 2 + 2;
        let stop = AtomicBool::new(false);
        let make_context = &make_context;
        let (job_tx, job_rx) = mpsc::sync_channel::<Chunk>(chunks);
        let job_rx = Mutex::new(job_rx);
        std::thread::scope(|scope| {
            let (pool_tx, pool_rx) = chunk_pool(chunks);
            let (done_tx, done_rx) = mpsc::channel::<io::Result<Chunk>>();
            for _ in 0..threads.workers {
                let worker = Worker {
                    mapper,
                    max_record_bytes,
                    jobs: &job_rx,
                    done: done_tx.clone(),
                };
                let spawned = std::thread::Builder::new()
                    .spawn_scoped(scope, move || worker.run(make_context()));
                if let Err(e) = spawned {
                    // Workers already started find the job channel closed.
                    drop(job_tx);
                    return Err(cannot_start(e, threads.workers));
                }
            }
            let reader = Reader {
                splitter: Splitter::new(input, max_record_bytes, threads.chunk_records.max(1)),
                pool: pool_rx,
                jobs: job_tx,
                done: done_tx,
                stop: &stop,
            };
            // On failure the reader, and the job channel's sender in it, is
            // dropped: the workers find no job and end.
            std::thread::Builder::new()
                .spawn_scoped(scope, move || reader.run())
                .map_err(|e| cannot_start(e, threads.workers))?;
            let written = write_in_order(out, &done_rx, &pool_tx, chunks, after_each);
            // Whatever ended the writing, let the other threads run out: the
            // reader stops at its next chunk, and workers find nobody to
            // take their results.
            stop.store(true, Ordering::Relaxed);
            drop(pool_tx);
            drop(done_rx);
            written
        })
    }

    /// The parts of the batch that threads can share (the oracle cannot be).
    fn mapper(&self) -> LineMapper<'m> {
        LineMapper {
            compiled: self.compiled,
            file: self.file,
            mode: self.mode,
        }
    }
}

#[derive(Clone, Copy)]
struct LineMapper<'m> {
    compiled: &'m CompiledObject,
    file: &'m str,
    mode: Mode,
}

impl LineMapper<'_> {
    /// Maps one line (without its newline) and writes its result line.
    fn line<W: Write + ?Sized>(
        &self,
        index: u64,
        text: &[u8],
        record: &mut FlatRecord,
        ctx: &mut Context<'_>,
        oracle: Option<&BatchOracle<'_>>,
        out: &mut W,
    ) -> io::Result<Outcome> {
        // Decoded straight into a FlatRecord (one buffer, hashed keys),
        // reused from line to line: a third of the time a B-tree map of owned
        // strings takes to build, drop and search.
        if let Err((code, message)) = sources::decode_object(text, record) {
            write_error(out, index, code, &message)?;
            return Ok(Outcome::Error);
        }
        self.record(index, record, ctx, oracle, out)
    }

    /// Maps one decoded record and writes its result line.
    fn record<W: Write + ?Sized>(
        &self,
        index: u64,
        record: &FlatRecord,
        ctx: &mut Context<'_>,
        oracle: Option<&BatchOracle<'_>>,
        out: &mut W,
    ) -> io::Result<Outcome> {
        match self
            .compiled
            .map_ref(record, self.mode, ctx, self.file, oracle)
        {
            MappedRef::Resource(resource) => {
                out.write_all(b"{\"index\":")?;
                out.write_all(itoa::Buffer::new().format(index).as_bytes())?;
                out.write_all(b",\"resource\":")?;
                resource.write_json(out)?;
                out.write_all(b"}\n")?;
                Ok(Outcome::Out)
            }
            MappedRef::Skipped(why) => {
                write_line(out, &result_line(index, &Mapped::Skipped(why)))?;
                Ok(Outcome::Skipped)
            }
            MappedRef::Failed(errors) => {
                write_line(out, &result_line(index, &Mapped::Failed(errors)))?;
                Ok(Outcome::Error)
            }
        }
    }
}

/// The result line of one record: `{"index", "resource"}`, `{"index",
/// "skipped"}` or `{"index", "error"}` whose top-level fields describe the
/// first failing attribute and `errors` lists them all. `attrmap map` writes
/// resources itself, without this copy; `--emit requests` writes the other
/// two kinds with it.
pub fn result_line(index: u64, mapped: &Mapped) -> Json {
    match mapped {
        Mapped::Resource(r) => json!({"index": index, "resource": r}),
        Mapped::Skipped(why) => json!({"index": index, "skipped": why}),
        Mapped::Failed(errors) => {
            let all: Vec<Json> = errors
                .iter()
                .map(|e| {
                    json!({"code": e.code, "message": e.message, "attribute": e.attribute,
                           "span": {"start": e.span.start, "end": e.span.end}})
                })
                .collect();
            let Some(first) = errors.first() else {
                return json!({"index": index, "error": {"errors": all}});
            };
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

/// How [`Batch::run_parallel`] divides the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threads {
    /// Threads that map records. One more reads the input, and the calling
    /// thread writes the output.
    pub workers: usize,
    /// Records handed to a worker at a time, at least: a chunk also takes
    /// the rest of the complete lines of the block it last read (64 KiB),
    /// and ends early when the input pauses. Larger chunks mean fewer
    /// hand-overs, smaller ones less memory and an earlier first line.
    pub chunk_records: usize,
}

impl Threads {
    pub fn new(workers: usize) -> Self {
        Threads {
            workers,
            chunk_records: 512,
        }
    }
}

/// `count` empty chunks, ready for the reader to fill: the pool they
/// return to once written.
fn chunk_pool(count: usize) -> (mpsc::SyncSender<Chunk>, mpsc::Receiver<Chunk>) {
    let (pool_tx, pool_rx) = mpsc::sync_channel::<Chunk>(count);
    for _ in 0..count {
        let _ = pool_tx.send(Chunk::default());
    }
    (pool_tx, pool_rx)
}

/// [`Batch::run_parallel`]'s reading thread: takes an empty chunk from the
/// pool, fills it with the next records and hands it to the workers, until
/// the input ends, fails (the error goes to the writer) or the writer stops.
struct Reader<'s, R> {
    splitter: Splitter<R>,
    pool: mpsc::Receiver<Chunk>,
    jobs: mpsc::SyncSender<Chunk>,
    done: mpsc::Sender<io::Result<Chunk>>,
    stop: &'s AtomicBool,
}

impl<R: Read> Reader<'_, R> {
    fn run(mut self) {
        let (mut seq, mut next_index) = (0u64, 0u64);
        while let Ok(mut chunk) = self.pool.recv() {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            match self.splitter.next_chunk(&mut chunk) {
                Ok(true) => {
                    chunk.seq = seq;
                    chunk.first_index = next_index;
                    seq += 1;
                    next_index += chunk.lines.len() as u64;
                    if self.jobs.send(chunk).is_err() {
                        break;
                    }
                }
                Ok(false) => break,
                Err(e) => {
                    let _ = self.done.send(Err(e));
                    break;
                }
            }
        }
    }
}

/// One of [`Batch::run_parallel`]'s mapping threads: maps the chunks it
/// takes from the shared job queue and sends them on to the writer.
struct Worker<'s, 'm> {
    mapper: LineMapper<'m>,
    max_record_bytes: usize,
    jobs: &'s Mutex<mpsc::Receiver<Chunk>>,
    done: mpsc::Sender<io::Result<Chunk>>,
}

impl Worker<'_, '_> {
    /// Runs until the job queue closes or the writer is gone.
    fn run(self, mut ctx: Context<'_>) {
        let mut record = FlatRecord::new();
        // As `run` decodes: only what the mapping reads is stored.
        record.keep_only(Some(self.mapper.compiled.decode_filter()));
        loop {
            let job = match self.jobs.lock() {
                Ok(rx) => rx.recv(),
                Err(_) => break,
            };
            let Ok(mut chunk) = job else { break };
            let result = chunk
                .map(&self.mapper, &mut record, &mut ctx, self.max_record_bytes)
                .map(|()| chunk);
            if self.done.send(result).is_err() {
                break;
            }
        }
    }
}

/// [`Batch::run_parallel`]'s writing, on the calling thread: mapped chunks
/// arrive in any order and are written in input order (by `seq`), then go
/// back to the pool. Ends when every other thread is done, at the first
/// error, or when `after_each` (called after each chunk written) says stop;
/// `capacity` is how many chunks there are.
fn write_in_order<W: Write + ?Sized>(
    out: &mut W,
    done: &mpsc::Receiver<io::Result<Chunk>>,
    pool: &mpsc::SyncSender<Chunk>,
    capacity: usize,
    mut after_each: impl FnMut(&Counts, u64) -> ControlFlow<()>,
) -> io::Result<Counts> {
    let mut counts = Counts::default();
    let mut read_bytes = 0u64;
    let mut next_seq = 0u64;
    let mut waiting: Vec<Chunk> = Vec::with_capacity(capacity);
    while let Ok(message) = done.recv() {
        waiting.push(message?);
        while let Some(at) = waiting.iter().position(|c| c.seq == next_seq) {
            let mut chunk = waiting.swap_remove(at);
            out.write_all(&chunk.out)?;
            counts.add(&chunk.counts);
            read_bytes += chunk.read_bytes;
            next_seq += 1;
            chunk.release();
            let _ = pool.send(chunk);
            if after_each(&counts, read_bytes).is_break() {
                return Ok(counts);
            }
        }
    }
    Ok(counts)
}

/// A chunk also ends once it holds this much text, so that chunks of large
/// records stay a few MiB.
const CHUNK_BYTES: usize = 1 << 20;

/// Bytes asked of the input per read.
const READ_SIZE: usize = 64 * 1024;

/// Cuts the input into chunks of records. It reads in blocks rather than
/// line by line, and hands a chunk over as soon as the input pauses (a
/// short read), so records that trickle in through a pipe are not held back
/// until a chunk fills.
struct Splitter<R> {
    input: R,
    /// The start of a line that the previous chunk ended in the middle of.
    carry: Vec<u8>,
    /// In the middle of a line already counted as too large: its bytes up
    /// to the newline are dropped.
    skipping: bool,
    at_end: bool,
    /// Whether the first block has been read (and a byte order mark at its
    /// start dropped).
    started: bool,
    max_record_bytes: usize,
    chunk_records: usize,
}

impl<R: Read> Splitter<R> {
    fn new(input: R, max_record_bytes: usize, chunk_records: usize) -> Self {
        Splitter {
            input,
            carry: Vec::new(),
            skipping: false,
            at_end: false,
            started: false,
            max_record_bytes,
            chunk_records,
        }
    }

    /// Fills `chunk` with the next records; false when the input is done.
    ///
    /// Every complete line of a block read becomes a record, so a chunk can
    /// pass `chunk_records` by up to one block's lines: cutting inside a
    /// block would copy the rest of it to the next chunk, and with small
    /// chunks that copying costs more than the mapping.
    fn next_chunk(&mut self, chunk: &mut Chunk) -> io::Result<bool> {
        chunk.reset();
        if self.at_end {
            return Ok(false);
        }
        // `text` keeps its length from chunk to chunk: bytes past `filled`
        // are stale, and are overwritten by reads without being zeroed first.
        let mut filled = self.carry.len();
        if chunk.text.len() < filled {
            chunk.text.resize(filled, 0);
        }
        chunk.text[..filled].copy_from_slice(&self.carry);
        self.carry.clear();
        // `text[line_start..filled]` is the line in progress; `scanned` is
        // how far it is known to hold no newline.
        let (mut line_start, mut scanned) = (0, 0);
        let mut paused = false;
        loop {
            while let Some(at) = memchr::memchr(b'\n', &chunk.text[scanned..filled]) {
                let newline = scanned + at;
                if self.skipping {
                    chunk.text.copy_within(newline + 1..filled, line_start);
                    filled -= newline + 1 - line_start;
                    self.skipping = false;
                } else {
                    chunk.push_line(line_start, newline, self.max_record_bytes);
                    line_start = newline + 1;
                }
                scanned = line_start;
            }
            scanned = filled;
            if self.skipping {
                (filled, scanned) = (line_start, line_start);
            } else if filled - line_start > self.max_record_bytes {
                chunk.lines.push(Line::TooLarge);
                (filled, scanned) = (line_start, line_start);
                self.skipping = true;
            }
            if chunk.lines.len() >= self.chunk_records
                || line_start >= CHUNK_BYTES
                || (paused && !chunk.lines.is_empty())
            {
                break;
            }
            if chunk.text.len() < filled + READ_SIZE {
                chunk.text.resize(filled + READ_SIZE, 0);
            }
            let block = &mut chunk.text[filled..filled + READ_SIZE];
            let n = loop {
                match self.input.read(block) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            filled += n;
            chunk.read_bytes += n as u64;
            if !self.started {
                // D16: a UTF-8 byte order mark is not part of the first
                // record. A pipe may hand it over a byte at a time (the
                // map_parallel fuzzer found a first read of one byte), so
                // the decision waits for three bytes or the end.
                let head = &chunk.text[..filled];
                if head.starts_with(sources::BOM) {
                    chunk.text.copy_within(sources::BOM.len()..filled, 0);
                    filled -= sources::BOM.len();
                    scanned = 0;
                    self.started = true;
                } else if n == 0 || !sources::BOM.starts_with(head) {
                    self.started = true;
                }
            }
            if n == 0 {
                self.at_end = true;
                if !self.skipping && line_start < filled {
                    chunk.push_line(line_start, filled, self.max_record_bytes);
                }
                line_start = filled;
                break;
            }
            paused = n < READ_SIZE;
        }
        self.carry
            .extend_from_slice(&chunk.text[line_start..filled]);
        Ok(!chunk.lines.is_empty() || chunk.read_bytes > 0)
    }
}

enum Line {
    /// A record's text: a range of the chunk's `text`, newline removed.
    Text(usize, usize),
    /// A record longer than `max_record_bytes`, not kept.
    TooLarge,
}

/// Consecutive records and, once mapped, their result lines.
#[derive(Default)]
struct Chunk {
    seq: u64,
    /// The index of the first record in `lines`.
    first_index: u64,
    text: Vec<u8>,
    lines: Vec<Line>,
    /// Input bytes this chunk consumed, blank lines included.
    read_bytes: u64,
    out: Vec<u8>,
    counts: Counts,
}

impl Chunk {
    /// Clears all but `text`, which [`Splitter::next_chunk`] overwrites.
    fn reset(&mut self) {
        self.lines.clear();
        self.out.clear();
        self.read_bytes = 0;
        self.counts = Counts::default();
    }

    /// Adds the record `text[start..end]` (its newline excluded), judged as
    /// [`Batch::run`] judges a line: too large first, then blank (skipped
    /// without a number), with trailing carriage returns trimmed.
    fn push_line(&mut self, start: usize, end: usize, max_record_bytes: usize) {
        if end - start > max_record_bytes {
            self.lines.push(Line::TooLarge);
            return;
        }
        let end = start + trim_line(&self.text[start..end]).len();
        if !self.text[start..end].iter().all(u8::is_ascii_whitespace) {
            self.lines.push(Line::Text(start, end));
        }
    }

    fn map(
        &mut self,
        mapper: &LineMapper<'_>,
        record: &mut FlatRecord,
        ctx: &mut Context<'_>,
        max_record_bytes: usize,
    ) -> io::Result<()> {
        for (k, line) in self.lines.iter().enumerate() {
            let index = self.first_index + k as u64;
            let outcome = match *line {
                Line::TooLarge => write_too_large(&mut self.out, index, max_record_bytes)?,
                Line::Text(start, end) => mapper.line(
                    index,
                    &self.text[start..end],
                    record,
                    ctx,
                    None,
                    &mut self.out,
                )?,
            };
            self.counts.count(outcome);
        }
        Ok(())
    }

    /// Gives back memory that one unusually large record made a buffer hold.
    fn release(&mut self) {
        self.out.clear();
        for buffer in [&mut self.text, &mut self.out] {
            if buffer.capacity() > 4 * CHUNK_BYTES {
                buffer.truncate(CHUNK_BYTES);
                buffer.shrink_to(CHUNK_BYTES);
            }
        }
    }
}

enum Outcome {
    Out,
    Skipped,
    Error,
}

fn write_too_large<W: Write + ?Sized>(
    out: &mut W,
    index: u64,
    max_record_bytes: usize,
) -> io::Result<Outcome> {
    write_error(
        out,
        index,
        Code::MapRecordTooLarge,
        &format!(
            "record is longer than {max_record_bytes} bytes (raise the limit with --max-record-bytes)"
        ),
    )?;
    Ok(Outcome::Error)
}

fn write_error<W: Write + ?Sized>(
    out: &mut W,
    index: u64,
    code: Code,
    message: &str,
) -> io::Result<()> {
    write_line(out, &error_line(index, code, message))
}

/// The error line of a record that is not a usable object (no attribute, no span).
pub(crate) fn error_line(index: u64, code: Code, message: &str) -> Json {
    json!({"index": index, "error": {
        "code": code, "message": message, "attribute": null, "span": null}})
}

/// Why a line that failed to decode as a record is unusable: the code and message of its error line.
pub(crate) fn unreadable(text: &[u8], e: &dyn std::fmt::Display) -> (Code, String) {
    match serde_json::from_slice::<Json>(text) {
        Ok(other) if !other.is_object() => (
            Code::MapNotAnObject,
            format!(
                "each record must be a JSON object with the source attributes, found {}",
                json_type(&other)
            ),
        ),
        _ => (Code::MapMalformedJson, format!("malformed JSON: {e}")),
    }
}

/// Writes `{"index":…,<kind>:…}` with `index` first, so lines read naturally
/// (serde_json's maps are sorted).
pub(crate) fn write_line<W: Write + ?Sized>(out: &mut W, line: &Json) -> io::Result<()> {
    let Json::Object(m) = line else {
        return Ok(());
    };
    out.write_all(b"{\"index\":")?;
    serde_json::to_writer(&mut *out, m.get("index").unwrap_or(&Json::Null))?;
    for (k, v) in m.iter().filter(|(k, _)| k.as_str() != "index") {
        out.write_all(b",")?;
        serde_json::to_writer(&mut *out, k)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, v)?;
    }
    out.write_all(b"}\n")
}

/// "a string", "an array", …: for messages about a JSON value's kind.
pub(crate) fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn trim_line(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

/// The error for a thread the system would not start (a process or memory
/// limit): the run ends with it rather than a panic.
fn cannot_start(e: io::Error, workers: usize) -> io::Error {
    io::Error::new(
        e.kind(),
        format!("cannot start the threads to map records on ({workers} workers asked): {e}"),
    )
}
