//! Source readers: the forms in which admins have their users, read into
//! records with the provisioning service's attribute names.
//!
//! - JSON Lines of objects (one per line), streamed in flat memory;
//! - JSON documents: an array of objects, Graph response pages
//!   (`{"@odata.context": …, "value": [ … ]}`), several pages one after the
//!   other, or one page per line; Graph PowerShell's `ConvertTo-Json`
//!   (PascalCase, `AdditionalProperties`) and `az ad user list` output;
//! - CSV with a header row: the Entra portal's "Download users" file or any
//!   CSV whose headers are attribute names.
//!
//! [`detect`] tells the form from the first bytes; [`read`] turns the input
//! into records, one callback each, and a record that cannot be read into an
//! error item, after which reading goes on. Graph's property names are
//! translated ([`graph::GRAPH_NAMES`]) and `IsSoftDeleted` is derived where
//! the input lacks it ([`graph::derive_is_soft_deleted`]). No file I/O here:
//! the CLI, the library's batch API and the wasm build all call it.

pub mod csv;
pub mod graph;

use crate::codes::Code;
use crate::eval::FlatRecord;
use serde_json::value::RawValue;
use std::io::{self, BufRead, Read};
use std::ops::ControlFlow;

/// What `--source` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// Tell from the first bytes ([`detect`]).
    Auto,
    /// One JSON object per line, attribute names as they are.
    Jsonl,
    /// JSON documents (an array of objects, or objects one after the
    /// other), attribute names as they are.
    Json,
    /// Graph JSON in any container (pages, arrays, lines), Graph's property
    /// names translated.
    Graph,
    /// CSV with a header row.
    Csv,
}

impl SourceFormat {
    pub const NAMES: &'static [&'static str] = &["auto", "jsonl", "json", "graph", "csv"];

    pub fn parse(name: &str) -> Option<SourceFormat> {
        Some(match name.to_ascii_lowercase().as_str() {
            "auto" => SourceFormat::Auto,
            "jsonl" => SourceFormat::Jsonl,
            "json" => SourceFormat::Json,
            "graph" => SourceFormat::Graph,
            "csv" => SourceFormat::Csv,
            _ => return None,
        })
    }
}

/// How the input is cut into records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// One JSON value per line: streamed, each line bounded.
    Lines,
    /// JSON values that span lines: read whole, within
    /// [`Limits::max_document_bytes`].
    Document,
    /// CSV rows under a header row: streamed.
    Csv,
}

/// The form [`detect`] found (or `--source` forced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub container: Container,
    /// Graph's property names are translated, and Graph response pages are
    /// opened.
    pub graph: bool,
    /// For people: "Graph JSON (response pages)", "JSON Lines", …
    pub description: String,
}

impl Detected {
    /// JSON Lines with the provisioning service's names: what `attrmap map`
    /// always read.
    pub fn jsonl() -> Detected {
        Detected {
            container: Container::Lines,
            graph: false,
            description: "JSON Lines".into(),
        }
    }
}

/// The UTF-8 byte order mark some Windows tools write first.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bounds on what one input may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// One record (a JSONL line, an object of a page, a CSV row).
    pub max_record_bytes: usize,
    /// One JSON document read whole (a pretty-printed page or array, or a
    /// line holding a whole page).
    pub max_document_bytes: usize,
}

/// Default for [`Limits::max_document_bytes`]: 256 MiB, a few hundred
/// thousand users in one `az ad user list` array.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 256 << 20;

/// Tells the form of an input from its first bytes (a `BufRead`'s first
/// buffer is enough), or applies a forced `format`.
pub fn detect(head: &[u8], format: SourceFormat) -> Detected {
    let head = head.strip_prefix(BOM).unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let body = &head[start..];
    let first_line = &body[..memchr::memchr(b'\n', body).unwrap_or(body.len())];
    let json_start = matches!(body.first(), Some(b'{' | b'['));
    // A first line that is a JSON value on its own makes a JSON Lines
    // file; a first line that is the start of a longer value (`{` or `[`
    // of a pretty-printed document) makes a document.
    let line_complete = serde_json::from_slice::<serde::de::IgnoredAny>(first_line).is_ok();
    let container = match format {
        SourceFormat::Jsonl => Container::Lines,
        SourceFormat::Json => Container::Document,
        SourceFormat::Csv => Container::Csv,
        SourceFormat::Auto | SourceFormat::Graph => {
            if json_start && !line_complete && is_incomplete_json(first_line) {
                Container::Document
            } else if format == SourceFormat::Auto && !json_start && looks_like_csv(first_line) {
                Container::Csv
            } else {
                Container::Lines
            }
        }
    };
    if container == Container::Csv {
        let header = csv::split_header(first_line);
        let portal = csv::is_portal_header(&header);
        return Detected {
            container,
            graph: true,
            description: if portal {
                "CSV (the Entra portal's \"Download users\" file)".into()
            } else {
                "CSV with attribute names as headers".into()
            },
        };
    }
    let keys = head_keys(body);
    let has = |k: &str| keys.contains(&k);
    let page = has("value") && keys.iter().any(|k| k.starts_with("@odata."));
    let powershell = has("AdditionalProperties") || has("Id");
    let graph = match format {
        SourceFormat::Graph => true,
        SourceFormat::Jsonl | SourceFormat::Json => false,
        _ => {
            page || powershell
                || keys
                    .iter()
                    .any(|k| graph::is_graph_key(k) && !matches!(*k, "manager" | "members"))
                    && !keys.iter().any(|k| k.eq_ignore_ascii_case("objectId"))
        }
    };
    let shape = match (container, body.first()) {
        (Container::Lines, _) if page => "JSON Lines of Graph response pages",
        (Container::Lines, _) => "JSON Lines",
        (_, Some(b'[')) => "a JSON array",
        (_, _) if page => "Graph response pages",
        _ => "JSON objects",
    };
    let names = if !graph {
        ""
    } else if powershell {
        ", Graph PowerShell names (ConvertTo-Json) translated"
    } else {
        ", Graph names translated"
    };
    Detected {
        container,
        graph,
        description: format!("{shape}{names}"),
    }
}

/// Whether `line` is the start of a JSON value that goes on past it (more
/// brackets opened than closed, outside strings), rather than a broken one.
fn is_incomplete_json(line: &[u8]) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0i64, false, false);
    for &b in line {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            _ => {}
        }
    }
    depth > 0 && !in_string && matches!(line.trim_ascii_end().last(), Some(b'{' | b'[' | b','))
}

fn looks_like_csv(first_line: &[u8]) -> bool {
    first_line.contains(&b',') && std::str::from_utf8(first_line).is_ok()
}

/// Object keys in the first bytes of a JSON text (which may stop in the
/// middle of a value): enough to tell Graph's names from others.
fn head_keys(text: &[u8]) -> Vec<&str> {
    let mut keys = Vec::new();
    let mut i = 0;
    while i < text.len() && keys.len() < 256 {
        if text[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < text.len() && text[j] != b'"' {
            j += if text[j] == b'\\' { 2 } else { 1 };
        }
        let Some(string) = text.get(start..j) else {
            break;
        };
        let mut k = j + 1;
        while k < text.len() && text[k].is_ascii_whitespace() {
            k += 1;
        }
        if text.get(k) == Some(&b':') {
            if let Ok(s) = std::str::from_utf8(string) {
                keys.push(s);
            }
        }
        i = j + 1;
    }
    keys
}

/// One thing read from the input.
pub enum Item<'a> {
    Record(&'a FlatRecord),
    /// A record that could not be read, reported in its place.
    Error {
        code: Code,
        message: String,
    },
}

/// Decodes one JSON object with the provisioning service's names into
/// `record` and derives `IsSoftDeleted`: a JSON Lines line, as `attrmap map`
/// always read it. Only a failing line is parsed again, to say why.
pub fn decode_object(text: &[u8], record: &mut FlatRecord) -> Result<(), (Code, String)> {
    if let Err(e) = record.read_json(text) {
        return Err(why_not_an_object(text, &e));
    }
    graph::derive_is_soft_deleted(record);
    Ok(())
}

fn why_not_an_object(text: &[u8], e: &serde_json::Error) -> (Code, String) {
    crate::mapping::stream::unreadable(text, e)
}

/// Reads records from `input` in the `detected` form and hands each, or the
/// error that stands for it, to `each` with the bytes read so far. `each`
/// may stop the reading. Only I/O errors (and a CSV without a usable
/// header) end it early.
pub fn read<R: BufRead>(
    input: R,
    detected: &Detected,
    limits: Limits,
    each: impl FnMut(Item<'_>, u64) -> io::Result<ControlFlow<()>>,
) -> io::Result<()> {
    read_keeping(input, detected, limits, None, each)
}

/// [`read`], storing only the attributes `keep` wants (see
/// [`FlatRecord::keep_only`]; for Graph's names, the names they are
/// translated to). CSV records are kept whole.
pub fn read_keeping<R: BufRead>(
    mut input: R,
    detected: &Detected,
    limits: Limits,
    keep: Option<std::sync::Arc<crate::eval::KeyFilter>>,
    mut each: impl FnMut(Item<'_>, u64) -> io::Result<ControlFlow<()>>,
) -> io::Result<()> {
    let mut read_bytes = 0u64;
    if input.fill_buf()?.starts_with(BOM) {
        input.consume(BOM.len());
        read_bytes += BOM.len() as u64;
    }
    let mut decoder = Decoder::new(detected.graph, limits);
    decoder.keep_only(keep);
    match detected.container {
        Container::Lines => {
            let max_line = if detected.graph {
                limits.max_document_bytes
            } else {
                limits.max_record_bytes
            };
            let mut line = Vec::with_capacity(4096);
            loop {
                line.clear();
                let n = (&mut input)
                    .take((max_line as u64).saturating_add(1))
                    .read_until(b'\n', &mut line)?;
                if n == 0 {
                    return Ok(());
                }
                read_bytes += n as u64;
                let complete = line.last() == Some(&b'\n');
                if !complete && line.len() > max_line {
                    read_bytes += skip_line(&mut input)?;
                    let item = too_large(max_line, detected.graph);
                    if each(item, read_bytes)?.is_break() {
                        return Ok(());
                    }
                    continue;
                }
                let text = trim_line(&line);
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let flow = if detected.graph {
                    decoder.document(text, &mut |item| each(item, read_bytes))?
                } else {
                    let item = match decode_object(text, &mut decoder.record) {
                        Ok(()) => Item::Record(&decoder.record),
                        Err((code, message)) => Item::Error { code, message },
                    };
                    each(item, read_bytes)?
                };
                if flow.is_break() {
                    return Ok(());
                }
            }
        }
        Container::Document => {
            let mut text = Vec::new();
            let n = (&mut input)
                .take((limits.max_document_bytes as u64).saturating_add(1))
                .read_to_end(&mut text)?;
            read_bytes += n as u64;
            if text.len() > limits.max_document_bytes {
                let item = Item::Error {
                    code: Code::MapDocumentTooLarge,
                    message: format!(
                        "the JSON document is longer than {} bytes, so nothing in it was mapped: \
                         raise --max-document-bytes, or give one object per line (JSON Lines, \
                         which streams)",
                        limits.max_document_bytes
                    ),
                };
                let _stopped_or_not = each(item, read_bytes)?;
                return Ok(());
            }
            let _stopped_or_not = decoder.documents(&text, &mut |item| each(item, read_bytes))?;
            Ok(())
        }
        Container::Csv => csv::read(input, read_bytes, &mut decoder, &mut each),
    }
}

/// One input read whole: what [`read_all`] gives.
#[derive(Debug, Clone)]
pub struct ReadAll {
    pub detected: Detected,
    /// The records, in input order, each with the provisioning service's names.
    pub records: Vec<serde_json::Map<String, serde_json::Value>>,
    /// The items that could not be read, each with its position among all
    /// items (records and errors counted together, as `attrmap map` numbers
    /// its output lines).
    pub errors: Vec<ReadError>,
}

/// A record [`read_all`] could not read.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    pub index: usize,
    pub code: Code,
    pub message: String,
}

/// Detects the form of `text` (or applies `format`) and reads every record
/// into memory: [`detect`] and [`read`] for embedders that hold the whole
/// input already, such as the browser playground. The same readers as
/// `attrmap map`, so a file reads the same everywhere.
///
/// Text that opens with a JSON array is one JSON document even when it fits
/// on one line (`ConvertTo-Json -Compress`, `JSON.stringify` of several
/// users), where [`detect`] would see JSON Lines: `attrmap map` counts
/// input lines, but a held text has no lines to count.
pub fn read_all(text: &[u8], format: SourceFormat, limits: Limits) -> ReadAll {
    let mut detected = detect(text, format);
    let body = text.strip_prefix(BOM).unwrap_or(text).trim_ascii_start();
    if format == SourceFormat::Auto
        && detected.container == Container::Lines
        && body.first() == Some(&b'[')
    {
        // The same names decision, for a document.
        detected.container = Container::Document;
        detected.description = detected
            .description
            .replacen("JSON Lines", "a JSON array", 1);
    }
    let mut records = Vec::new();
    let mut errors = Vec::new();
    let mut index = 0usize;
    // Reading from memory cannot fail with an I/O error.
    let _in_memory = read(text, &detected, limits, |item, _| {
        match item {
            Item::Record(r) => records.push(r.to_map()),
            Item::Error { code, message } => errors.push(ReadError {
                index,
                code,
                message,
            }),
        }
        index += 1;
        Ok(ControlFlow::Continue(()))
    });
    ReadAll {
        detected,
        records,
        errors,
    }
}

fn too_large(limit: usize, document: bool) -> Item<'static> {
    let (what, option) = if document {
        ("line", "--max-document-bytes")
    } else {
        ("record", "--max-record-bytes")
    };
    Item::Error {
        code: Code::MapRecordTooLarge,
        message: format!("{what} is longer than {limit} bytes (raise the limit with {option})"),
    }
}

/// Decodes records, translating Graph's names when asked; reused across
/// records so its buffers stop growing.
pub(crate) struct Decoder {
    graph: bool,
    limits: Limits,
    /// What records keep: for Graph objects by translated name; plain
    /// records carry it themselves too.
    keep: Option<std::sync::Arc<crate::eval::KeyFilter>>,
    translator: graph::Translator,
    /// A CSV row as it came, before translation.
    scratch: FlatRecord,
    pub(crate) record: FlatRecord,
    /// The records of a page or array, decoded while it is checked; reused.
    found: Found,
}

/// The records of one page or array as the scanner meets them: decoded
/// into `pool` in the same pass that checks the text, and handed on only
/// once the whole text has proved to be a page or array (a key after
/// `value` can still make a page one record, and broken JSON maps none of
/// its records).
#[derive(Default)]
struct Found {
    entries: Vec<Entry>,
    /// Decoded records, reused from page to page; `decoded` of them hold
    /// this text's.
    pool: Vec<FlatRecord>,
    decoded: usize,
}

/// A [`Decoder`]'s parts that decode the records of one text as the
/// scanner meets them.
struct Scan<'d> {
    found: &'d mut Found,
    /// `None`: plain records, each carrying the filter itself.
    graph: Option<(
        &'d mut graph::Translator,
        Option<&'d crate::eval::KeyFilter>,
    )>,
    keep: &'d Option<std::sync::Arc<crate::eval::KeyFilter>>,
    max_record_bytes: usize,
}

impl crate::json_scan::Elements for Scan<'_> {
    fn restart(&mut self) {
        self.found.entries.clear();
        self.found.decoded = 0;
    }

    fn element(&mut self, text: &str, at: usize) -> Option<usize> {
        let found = &mut *self.found;
        if text.as_bytes().get(at) == Some(&b'{') && found.decoded < MAX_DECODED {
            if found.pool.len() == found.decoded {
                let mut record = FlatRecord::new();
                if self.graph.is_none() {
                    record.keep_only(self.keep.clone());
                }
                found.pool.push(record);
            }
            let record = &mut found.pool[found.decoded];
            let decoded = match &mut self.graph {
                Some((translator, keep)) => {
                    graph::read_object_at(text, at, record, *keep, translator)
                }
                None => record.read_json_at(text, at).map(|end| (end, Ok(()))),
            };
            if let Some((end, translated)) = decoded {
                if end - at <= self.max_record_bytes {
                    found
                        .entries
                        .push(Entry::Decoded(found.decoded, translated));
                    found.decoded += 1;
                    return Some(end);
                }
            }
        }
        let end = crate::json_scan::value_end(text.as_bytes(), at)?;
        found.entries.push(Entry::Span(at..end));
        Some(end)
    }
}

enum Entry {
    /// `pool[i]`, with its translation's outcome (always `Ok` for plain
    /// records).
    Decoded(usize, Result<(), String>),
    /// A record the scanner left (not an object, an escaped key, too
    /// large, past [`MAX_DECODED`]): read alone afterwards, which says
    /// why it breaks.
    Span(std::ops::Range<usize>),
}

/// Records of one page decoded before any is handed on; past this, the
/// rest are read one by one afterwards. Graph pages hold at most 999.
const MAX_DECODED: usize = 1000;

type Sink<'s> = dyn FnMut(Item<'_>) -> io::Result<ControlFlow<()>> + 's;

impl Decoder {
    pub(crate) fn new(graph: bool, limits: Limits) -> Decoder {
        Decoder {
            graph,
            limits,
            keep: None,
            translator: graph::Translator::default(),
            scratch: FlatRecord::new(),
            record: FlatRecord::new(),
            found: Found::default(),
        }
    }

    fn keep_only(&mut self, keep: Option<std::sync::Arc<crate::eval::KeyFilter>>) {
        if !self.graph {
            self.record.keep_only(keep.clone());
        }
        for record in &mut self.found.pool {
            record.keep_only(keep.clone().filter(|_| !self.graph));
        }
        self.keep = keep;
    }

    /// Every JSON value in `text`, one after the other. After a syntax
    /// error, reading starts again on the next line.
    fn documents(&mut self, text: &[u8], each: &mut Sink<'_>) -> io::Result<ControlFlow<()>> {
        let mut rest = text;
        while !rest.is_empty() {
            let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<&RawValue>();
            let failed = loop {
                match stream.next() {
                    None => return Ok(ControlFlow::Continue(())),
                    Some(Ok(value)) => {
                        if self.value(value.get(), each)?.is_break() {
                            return Ok(ControlFlow::Break(()));
                        }
                    }
                    Some(Err(e)) => break e,
                }
            };
            let at = stream.byte_offset();
            let item = Item::Error {
                code: Code::MapMalformedJson,
                message: format!(
                    "malformed JSON: {failed}; reading goes on at the next line, and the \
                     records of the value that broke are not mapped"
                ),
            };
            if each(item)?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
            let next_line = memchr::memchr(b'\n', &rest[at.min(rest.len())..])
                .map_or(rest.len(), |i| at + i + 1);
            rest = &rest[next_line.max(1).min(rest.len())..];
        }
        Ok(ControlFlow::Continue(()))
    }

    /// One line of a JSON Lines file in Graph mode: a page, an array or one
    /// object.
    fn document(&mut self, text: &[u8], each: &mut Sink<'_>) -> io::Result<ControlFlow<()>> {
        let text = text.trim_ascii();
        if let (Some(b'{'), Ok(text)) = (text.first(), std::str::from_utf8(text)) {
            // Reading it as a page checks the whole line, so it is not
            // checked on its own first (that was one more pass over every
            // page); text that is not UTF-8 takes that check, which says
            // where it breaks.
            return self.value(text, each);
        }
        match serde_json::from_slice::<&RawValue>(text) {
            Ok(v) => self.value(v.get(), each),
            Err(e) => each(Item::Error {
                code: Code::MapMalformedJson,
                message: format!("malformed JSON: {e}"),
            }),
        }
    }

    /// A top-level JSON value: an array's elements and a Graph page's
    /// `value` are records; any other object is one.
    fn value(&mut self, text: &str, each: &mut Sink<'_>) -> io::Result<ControlFlow<()>> {
        let opens = text.as_bytes().first();
        if opens == Some(&b'[') || (opens == Some(&b'{') && self.graph) {
            // Checked, cut into records and each record decoded in one pass
            // of the scanner, where serde_json's `RawValue` and then a
            // decode cost two. What it leaves (broken or unusual text) is
            // read below, which says where JSON breaks.
            let mut scan = Scan {
                found: &mut self.found,
                graph: self
                    .graph
                    .then_some((&mut self.translator, self.keep.as_deref())),
                keep: &self.keep,
                max_record_bytes: self.limits.max_record_bytes,
            };
            match crate::json_scan::records_into(text, self.graph, &mut scan) {
                Some(crate::json_scan::Records::One) => return self.object(text, each),
                Some(crate::json_scan::Records::Elements) => return self.found_records(text, each),
                None => {}
            }
        }
        let elements = match text.as_bytes().first() {
            Some(b'[') => Some(serde_json::from_str::<Vec<&RawValue>>(text)),
            // A page is read once: its `value` split into records as it is
            // checked.
            Some(b'{') if self.graph => match serde_json::from_str::<Page<'_>>(text) {
                Ok(Page {
                    elements: Some(items),
                    other_keys: false,
                }) => Some(Ok(items)),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            },
            _ => None,
        };
        match elements {
            None => self.object(text, each),
            Some(Err(e)) => each(Item::Error {
                code: Code::MapMalformedJson,
                message: format!("malformed JSON: {e}"),
            }),
            Some(Ok(items)) => {
                for item in items {
                    if self.object(item.get(), each)?.is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                }
                Ok(ControlFlow::Continue(()))
            }
        }
    }

    /// The records [`Scan`] found in `text`, in order.
    fn found_records(&mut self, text: &str, each: &mut Sink<'_>) -> io::Result<ControlFlow<()>> {
        let mut entries = std::mem::take(&mut self.found.entries);
        let mut flow = Ok(ControlFlow::Continue(()));
        for entry in entries.drain(..) {
            flow = match entry {
                Entry::Decoded(i, translated) => hand_on(&mut self.found.pool[i], translated, each),
                // Spans start and end next to ASCII brackets, quotes,
                // digits or letters, so they always cut `text` at
                // character bounds.
                Entry::Span(span) => match text.get(span) {
                    Some(item) => self.object(item, each),
                    None => continue,
                },
            };
            if !matches!(flow, Ok(ControlFlow::Continue(()))) {
                break;
            }
        }
        self.found.entries = entries;
        flow
    }

    /// One record's JSON text.
    fn object(&mut self, text: &str, each: &mut Sink<'_>) -> io::Result<ControlFlow<()>> {
        if text.len() > self.limits.max_record_bytes {
            return each(too_large(self.limits.max_record_bytes, false));
        }
        if !self.graph {
            return match decode_object(text.as_bytes(), &mut self.record) {
                Ok(()) => each(Item::Record(&self.record)),
                Err((code, message)) => each(Item::Error { code, message }),
            };
        }
        let keep = self.keep.as_deref();
        match graph::read_object(text, &mut self.record, keep, &mut self.translator) {
            Err(e) => {
                let (code, message) = why_not_an_object(text.as_bytes(), &e);
                each(Item::Error { code, message })
            }
            Ok(translated) => hand_on(&mut self.record, translated, each),
        }
    }

    /// `scratch` (as read) into `record` with the provisioning service's
    /// names, then handed on.
    pub(crate) fn translated(&mut self, each: &mut Sink<'_>) -> io::Result<ControlFlow<()>> {
        let translated = graph::normalise(&self.scratch, &mut self.record);
        hand_on(&mut self.record, translated, each)
    }

    pub(crate) fn scratch(&mut self) -> &mut FlatRecord {
        &mut self.scratch
    }
}

/// The translated `record` handed on, or why it could not be translated.
fn hand_on(
    record: &mut FlatRecord,
    translated: Result<(), String>,
    each: &mut Sink<'_>,
) -> io::Result<ControlFlow<()>> {
    if let Err(message) = translated {
        return each(Item::Error {
            code: Code::MapTruncatedExport,
            message,
        });
    }
    graph::derive_is_soft_deleted(record);
    each(Item::Record(record))
}

/// A Graph response page: `value` and `@odata.*` keys only. An object with
/// other keys is a record that happens to have a `value` attribute.
struct Page<'a> {
    /// `value`'s elements, when it is an array.
    elements: Option<Vec<&'a RawValue>>,
    other_keys: bool,
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Page<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Page<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Page<'a>, A::Error> {
                let mut page = Page {
                    elements: None,
                    other_keys: false,
                };
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "value" {
                        page.elements = map.next_value::<Elements<'a>>()?.0;
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        page.other_keys |= !key.starts_with("@odata.");
                    }
                }
                Ok(page)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A page's `value`: its elements' text when it is an array, `None` when it
/// is anything else (then the page is a record).
struct Elements<'a>(Option<Vec<&'a RawValue>>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Elements<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Elements(None))
    }
}

impl<'de: 'a, 'a> serde::de::Visitor<'de> for Elements<'a> {
    type Value = Elements<'a>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<&'a RawValue>()? {
            items.push(item);
        }
        Ok(Elements(Some(items)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(self)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
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
        match memchr::memchr(b'\n', buf) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value as Json;

    #[test]
    fn detects_each_form() {
        let d = |s: &str| detect(s.as_bytes(), SourceFormat::Auto);
        let jsonl = d("{\"objectId\": \"1\", \"mail\": \"a@b\"}\n{\"objectId\": \"2\"}\n");
        assert_eq!((jsonl.container, jsonl.graph), (Container::Lines, false));
        let page = d("{\n  \"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#users\",\n  \"value\": [\n    {\"id\": \"1\"}\n  ]\n}\n");
        assert_eq!((page.container, page.graph), (Container::Document, true));
        assert_eq!(
            page.description,
            "Graph response pages, Graph names translated"
        );
        let lines_of_pages = d("{\"@odata.context\": \"x\", \"value\": [{\"id\": \"1\"}]}\n");
        assert_eq!(
            (lines_of_pages.container, lines_of_pages.graph),
            (Container::Lines, true)
        );
        let az = d("[\n  {\n    \"businessPhones\": [],\n    \"displayName\": \"A\",\n    \"id\": \"1\"\n  }\n]\n");
        assert_eq!((az.container, az.graph), (Container::Document, true));
        let ps = d(
            "[\n    {\n        \"Id\":  \"1\",\n        \"AdditionalProperties\":  {}\n    }\n]",
        );
        assert!(ps.description.contains("PowerShell"), "{ps:?}");
        let csv = d("\u{feff}userPrincipalName,displayName,objectId\r\na@b,A,1\r\n");
        assert_eq!((csv.container, csv.graph), (Container::Csv, true));
        // A broken first line of a JSONL file stays JSONL: one error line.
        let broken = d("{\"mail\": \"cut\n{\"mail\": \"a@b\"}\n");
        assert_eq!(broken.container, Container::Lines);
    }

    fn collect(input: &str, format: SourceFormat) -> Vec<Result<Json, Code>> {
        let limits = Limits {
            max_record_bytes: 1 << 20,
            max_document_bytes: 1 << 24,
        };
        collect_within(input, format, limits)
    }

    fn collect_within(
        input: &str,
        format: SourceFormat,
        limits: Limits,
    ) -> Vec<Result<Json, Code>> {
        let detected = detect(input.as_bytes(), format);
        let mut out = Vec::new();
        read(input.as_bytes(), &detected, limits, |item, _| {
            out.push(match item {
                Item::Record(r) => Ok(Json::Object(r.to_map())),
                Item::Error { code, .. } => Err(code),
            });
            Ok(ControlFlow::Continue(()))
        })
        .unwrap();
        out
    }

    #[test]
    fn a_page_line_cut_inside_its_array_is_one_error() {
        // The scanner meets the end of the text where an element should
        // start: an error line for the page, never a panic.
        for cut in [r#"{"value": ["#, r#"{"value": [{"id": "2"}, "#, "[ "] {
            let input = format!("{{\"value\": [{{\"id\": \"1\"}}]}}\n{cut}\n");
            let got = collect(&input, SourceFormat::Graph);
            assert_eq!(got.len(), 2, "{cut}: {got:?}");
            assert_eq!(got[1], Err(Code::MapMalformedJson), "{cut}");
        }
    }

    #[test]
    fn page_records_decoded_in_the_scan_come_out_as_records_read_alone() {
        // Objects the scanner decodes while it checks the page, among
        // elements it leaves to be read alone afterwards: an escaped key, a
        // number, a record over the size limit, and those past the number
        // decoded before any is handed on.
        let mut elements: Vec<String> = (0..MAX_DECODED + 5)
            .map(|i| {
                format!(
                    r#"{{"id": "{i}", "mobilePhone": "+{i}", "accountEnabled": {}}}"#,
                    i % 2 == 0
                )
            })
            .collect();
        elements[1] = r#"{"i\u0064": "escaped", "displayName": "x"}"#.into();
        elements[2] = "7".into();
        elements[3] = format!(r#"{{"id": "big", "displayName": "{}"}}"#, "x".repeat(200));
        elements[4] = r#"{"id": "cut", "manager": "Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject"}"#.into();
        let limits = Limits {
            max_record_bytes: 150,
            max_document_bytes: 1 << 24,
        };
        let page = format!(
            r#"{{"@odata.context": "c", "value": [{}]}}"#,
            elements.join(", ")
        );
        let alone = elements.join("\n");
        let read = |text: &str| collect_within(text, SourceFormat::Graph, limits);
        let (in_page, one_by_one) = (read(&page), read(&alone));
        assert_eq!(in_page.len(), MAX_DECODED + 5);
        assert_eq!(in_page, one_by_one);
        assert_eq!(in_page[0].as_ref().unwrap()["objectId"], "0");
        assert_eq!(in_page[1].as_ref().unwrap()["objectId"], "escaped");
        assert_eq!(in_page[2], Err(Code::MapNotAnObject));
        assert_eq!(in_page[3], Err(Code::MapRecordTooLarge));
        assert_eq!(in_page[4], Err(Code::MapTruncatedExport));
        assert_eq!(
            in_page[MAX_DECODED + 4].as_ref().unwrap()["mobile"],
            format!("+{}", MAX_DECODED + 4)
        );
        // A key after `value` makes the page one record: none of the
        // decoded ones is handed on.
        let not_a_page = format!(r#"{{"value": [{}], "mail": "m"}}"#, elements[0]);
        let one = read(&not_a_page);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].as_ref().unwrap()["mail"], "m");
    }

    #[test]
    fn read_all_reads_a_one_line_array_as_its_elements() {
        let limits = Limits {
            max_record_bytes: 1 << 20,
            max_document_bytes: 1 << 24,
        };
        let all = read_all(
            b"[{\"mail\": \"a@b\"}, {\"mail\": \"c@d\"}, 7]",
            SourceFormat::Auto,
            limits,
        );
        assert_eq!(all.records.len(), 2, "{all:?}");
        assert_eq!(all.records[1]["mail"], "c@d");
        assert_eq!(all.errors[0].code, Code::MapNotAnObject);
        assert_eq!(all.errors[0].index, 2);
        assert_eq!(all.detected.description, "a JSON array");
        let graph = read_all(
            b"[{\"id\": \"1\", \"mobilePhone\": \"+1\"}]",
            SourceFormat::Auto,
            limits,
        );
        assert_eq!(graph.records[0]["objectId"], "1", "{graph:?}");
        assert_eq!(
            graph.detected.description,
            "a JSON array, Graph names translated"
        );
    }

    #[test]
    fn read_all_numbers_errors_among_records() {
        let limits = Limits {
            max_record_bytes: 1 << 20,
            max_document_bytes: 1 << 24,
        };
        let all = read_all(
            b"{\"mail\": \"a@b\"}\nnot json\n{\"mail\": \"c@d\"}\n",
            SourceFormat::Auto,
            limits,
        );
        assert_eq!(all.detected.description, "JSON Lines");
        assert_eq!(all.records.len(), 2);
        assert_eq!(all.errors.len(), 1);
        assert_eq!(all.errors[0].index, 1);
        assert_eq!(all.records[1]["mail"], "c@d");
        let csv = read_all(
            b"userPrincipalName,department\r\na@b,Legal\r\nc@d,\r\n",
            SourceFormat::Auto,
            limits,
        );
        assert_eq!(csv.detected.container, Container::Csv);
        assert_eq!(csv.records.len(), 2);
        assert_eq!(csv.records[0]["department"], "Legal");
        assert!(
            csv.records[1].get("department").is_none(),
            "an empty cell is absent"
        );
    }

    #[test]
    fn a_bom_does_not_cost_the_first_record() {
        let got = collect(
            "\u{feff}{\"mail\": \"a@b\"}\n{\"mail\": \"c@d\"}\n",
            SourceFormat::Auto,
        );
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(Result::is_ok), "{got:?}");
    }

    #[test]
    fn concatenated_pages_and_a_broken_one() {
        let input = "{\"@odata.context\": \"x\", \"value\": [{\"id\": \"1\"}, {\"id\": \"2\"}],\n \"@odata.nextLink\": \"y\"}\n{\"value\": [{\"id\": \"3\"}, 7]}\n";
        let got = collect(input, SourceFormat::Auto);
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(got[2].as_ref().unwrap()["objectId"], "3");
        assert_eq!(got[3], Err(Code::MapNotAnObject));
        let broken = "{\n \"value\": [{\"id\": \"1\"}\n}\n{\"value\": [{\"id\": \"2\"}]}\n";
        let got = collect(broken, SourceFormat::Graph);
        assert_eq!(got.first(), Some(&Err(Code::MapMalformedJson)), "{got:?}");
        assert!(
            got.iter()
                .any(|r| r.as_ref().is_ok_and(|o| o["objectId"] == "2")),
            "{got:?}"
        );
    }
}
