//! Maps a JSON Lines stream of source objects to a JSON Lines stream of
//! results, one line per record: `{"index":N,"resource":{…}}`,
//! `{"index":N,"skipped":"scope"}` or `{"index":N,"error":{…}}`. This is
//! `attrmap map` without the command line, for embedders and benchmarks.
//!
//! A bad record (malformed JSON, not an object, too long, failing mappings)
//! becomes an error line and the stream goes on; only I/O errors stop it.

use super::builder::{BatchOracle, CompiledObject, MappedRef, Mode};
use crate::eval::{Context, FlatRecord};
use serde_json::{json, Value as Json};
use std::io::{self, BufRead, Read, Write};
use std::ops::ControlFlow;

/// How many records went where. Every non-blank input line is counted once:
/// `input == out + skipped + errors`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub input: u64,
    pub out: u64,
    pub skipped: u64,
    pub errors: u64,
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
        }
    }

    /// Reads records from `input` until its end and writes one line each to
    /// `out`. `after_each` sees the counts and the bytes read so far after
    /// every record and may stop the stream early (on Ctrl-C, say).
    pub fn run<R: BufRead, W: Write + ?Sized>(
        &self,
        mut input: R,
        out: &mut W,
        ctx: &mut Context<'_>,
        mut after_each: impl FnMut(&Counts, u64) -> ControlFlow<()>,
    ) -> io::Result<Counts> {
        let mut counts = Counts::default();
        let mut line = Vec::with_capacity(4096);
        let mut read_bytes = 0u64;
        let mut record = FlatRecord::new();
        loop {
            line.clear();
            let n = (&mut input)
                .take(self.max_record_bytes as u64 + 1)
                .read_until(b'\n', &mut line)?;
            if n == 0 {
                break;
            }
            read_bytes += n as u64;
            let complete = line.last() == Some(&b'\n');
            let too_long = !complete && line.len() > self.max_record_bytes;
            if too_long {
                read_bytes += skip_line(&mut input)?;
            }
            let text = trim_line(&line);
            if !too_long && text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let index = counts.input;
            counts.input += 1;
            let outcome = if too_long {
                write_error(
                    out,
                    index,
                    "attrmap::map::record-too-large",
                    &format!(
                        "record is longer than {} bytes (raise the limit with --max-record-bytes)",
                        self.max_record_bytes
                    ),
                )?;
                Outcome::Error
            } else {
                self.line(index, text, &mut record, ctx, out)?
            };
            match outcome {
                Outcome::Out => counts.out += 1,
                Outcome::Skipped => counts.skipped += 1,
                Outcome::Error => counts.errors += 1,
            }
            if after_each(&counts, read_bytes).is_break() {
                break;
            }
        }
        Ok(counts)
    }

    /// Maps one line (without its newline) and writes its result line.
    fn line<W: Write + ?Sized>(
        &self,
        index: u64,
        text: &[u8],
        record: &mut FlatRecord,
        ctx: &mut Context<'_>,
        out: &mut W,
    ) -> io::Result<Outcome> {
        // Decoded straight into a FlatRecord (one buffer, hashed keys),
        // reused from line to line: a third of the time a B-tree map of owned
        // strings takes to build, drop and search. Only a failing line is
        // parsed again, to say why.
        match record.read_json(text) {
            Ok(()) => {}
            Err(e) => {
                let (code, message) = match serde_json::from_slice::<Json>(text) {
                    Ok(other) if !other.is_object() => (
                        "attrmap::map::not-an-object",
                        format!(
                            "each line must be a JSON object with the source attributes, found {}",
                            json_type(&other)
                        ),
                    ),
                    _ => (
                        "attrmap::map::malformed-json",
                        format!("malformed JSON: {e}"),
                    ),
                };
                write_error(out, index, code, &message)?;
                return Ok(Outcome::Error);
            }
        }
        match self
            .compiled
            .map_ref(&*record, self.mode, ctx, self.file, self.oracle)
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
                write_line(out, &json!({"index": index, "skipped": why}))?;
                Ok(Outcome::Skipped)
            }
            MappedRef::Failed(errors) => {
                let all: Vec<Json> = errors
                    .iter()
                    .map(|e| {
                        json!({"code": e.code, "message": e.message, "attribute": e.attribute,
                               "span": {"start": e.span.start, "end": e.span.end}})
                    })
                    .collect();
                let first = &errors[0];
                let line = json!({"index": index, "error": {
                    "code": first.code,
                    "message": first.message,
                    "attribute": first.attribute,
                    "span": {"start": first.span.start, "end": first.span.end},
                    "errors": all,
                }});
                write_line(out, &line)?;
                Ok(Outcome::Error)
            }
        }
    }
}

enum Outcome {
    Out,
    Skipped,
    Error,
}

fn write_error<W: Write + ?Sized>(
    out: &mut W,
    index: u64,
    code: &str,
    message: &str,
) -> io::Result<()> {
    let line = json!({"index": index, "error": {
        "code": code, "message": message, "attribute": null, "span": null}});
    write_line(out, &line)
}

/// Writes `{"index":…,<kind>:…}` with `index` first, so lines read naturally
/// (serde_json's maps are sorted).
fn write_line<W: Write + ?Sized>(out: &mut W, line: &Json) -> io::Result<()> {
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

/// Consumes the rest of an over-long line; returns the bytes skipped.
fn skip_line<R: BufRead>(reader: &mut R) -> io::Result<u64> {
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
