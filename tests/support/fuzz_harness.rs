//! Entry points shared by the fuzz targets (`fuzz/`) and the corpus replay
//! test (`tests/fuzz_corpus.rs`), so a crash found by the fuzzer is replayed
//! by `cargo test` on stable forever after. Each includes this file with
//! `#[path]`: it uses the public API only, and is no part of the library.

// Each includer calls some of the entry points: the rest are unused there.
#![allow(dead_code)]

use attrmap::eval::{Context, TakenSet};

/// Parses arbitrary text as an expression. Must never panic.
pub fn parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = attrmap::syntax::parse(&text, &attrmap::Limits::default());
}

/// First line: an expression. The rest: a JSON user (or `{}` when it is not
/// one). Compiles, then runs the VM and the AST evaluator and panics if they
/// disagree: that is a bug in one of them.
pub fn differential(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (expr, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(compiled) = attrmap::compile(expr) else {
        return;
    };
    let user: serde_json::Value =
        serde_json::from_str(rest).unwrap_or_else(|_| serde_json::json!({}));
    engines_agree(
        expr,
        &compiled,
        &user,
        attrmap::eval::RuntimeLimits::default(),
    );
}

/// Runs the VM and the AST evaluator on one record and panics if their
/// outcomes differ, or if a string or list result is over the limits.
fn engines_agree(
    expr: &str,
    compiled: &attrmap::Expression,
    user: &serde_json::Value,
    limits: attrmap::eval::RuntimeLimits,
) {
    let taken = TakenSet::from_iter(["taken"]);
    let now = chrono::DateTime::from_timestamp(1_629_913_278, 0).unwrap_or_default();
    let context = || {
        Context::new()
            .with_seed(1)
            .with_oracle(&taken)
            .with_now(now)
            .with_limits(limits)
    };
    let vm = compiled.evaluate(user, &mut context());
    let ast = compiled.evaluate_ast(user, &mut context());
    let describe = |r: &attrmap::eval::EvalResult<'_>| match r {
        Ok(attrmap::Outcome::Value(v)) => format!("value {}", v.to_json()),
        Ok(o) => format!("{o:?}"),
        Err(e) => format!("error {} {:?}", e.code, e.span),
    };
    assert_eq!(
        describe(&vm),
        describe(&ast),
        "VM and AST evaluator disagree on {expr:?} with {user}"
    );
    if let Ok(attrmap::Outcome::Value(v)) = &vm {
        let within = match v {
            attrmap::value::Value::Str(s) => s.len() <= limits.max_output_bytes,
            attrmap::value::Value::List(l) => l.len() <= limits.max_list_len,
            _ => true,
        };
        assert!(within, "{expr:?} returned a value over the limits");
    }
    // The disassembler must cope with anything the compiler emits.
    let _ = compiled.disassemble();
}

/// Numbers that byte-level mutation rarely makes: zero, minus one, the
/// edges of 32- and 64-bit integers, one past i64::MAX (a parse error as a
/// literal, text otherwise), and RandomString's length limit.
pub const EXTREME_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "10",
    "256",
    "257",
    "2147483647",
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
];

/// Text arguments: attributes of the record [`extreme_record`] builds, and
/// literals that separators, templates and formats treat specially.
pub const TEXT_ARGUMENTS: &[&str] = &[
    "[big]",
    "[list]",
    "[mail]",
    "[empty]",
    "[missing]",
    "\"\"",
    "\",\"",
    "\"$_$_$_$_\"",
    "[big]",
];

/// A record with a value as large as `big_bytes`, a 1 000-element list of
/// repeated values and ordinary attributes: what [`EXTREME_NUMBERS`] and
/// [`TEXT_ARGUMENTS`] read.
pub fn extreme_record(big_bytes: usize) -> serde_json::Value {
    let list: Vec<String> = (0..1_000).map(|i| format!("v{}", i % 7)).collect();
    serde_json::json!({
        "big": "a,".repeat(big_bytes / 2),
        "list": list,
        "mail": "Jo.Smith@contoso.com",
        "empty": "",
    })
}

/// Picks from the fuzzer's bytes; zero once they run out, so every input,
/// however short, names one expression.
struct Picker<'d> {
    data: &'d [u8],
}

impl Picker<'_> {
    fn pick(&mut self, n: usize) -> usize {
        let Some((&b, rest)) = self.data.split_first() else {
            return 0;
        };
        self.data = rest;
        usize::from(b) % n.max(1)
    }
}

/// A number argument: a literal when the grammar allows one, else quoted.
fn number_argument(text: &str) -> String {
    if text.starts_with('-') {
        format!("\"{text}\"")
    } else {
        text.to_string()
    }
}

/// Writes one call of a catalogue function, its arguments chosen by the
/// bytes: extreme numbers, large attributes, special literals, or (up to
/// `depth`) another call.
fn write_call(p: &mut Picker<'_>, depth: usize, out: &mut String) {
    use attrmap::catalogue::{ParamKind, CATALOGUE};
    use std::fmt::Write as _;
    let spec = &CATALOGUE[p.pick(CATALOGUE.len())];
    let min = spec.min_args();
    let count = match spec.max_args() {
        Some(max) => min + p.pick(max - min + 1),
        // Switch repeats key/value pairs; the others one parameter.
        None if spec.id == attrmap::catalogue::FnId::Switch => min + 2 * p.pick(3),
        None => min + p.pick(4),
    };
    let _ = write!(out, "{}(", spec.name);
    for i in 0..count {
        if i > 0 {
            out.push_str(", ");
        }
        let Some(param) = spec.param_for(i) else {
            break;
        };
        if param.optional && p.pick(3) == 0 {
            continue;
        }
        if depth > 0 && p.pick(5) == 0 {
            write_call(p, depth - 1, out);
            continue;
        }
        match param.kind {
            ParamKind::Number => out.push_str(&number_argument(
                EXTREME_NUMBERS[p.pick(EXTREME_NUMBERS.len())],
            )),
            ParamKind::Enum(options) => {
                let _ = write!(out, "\"{}\"", options[p.pick(options.len())]);
            }
            ParamKind::DateTime => out.push_str(
                [
                    "Now()",
                    "CDate(\"9999-12-31T23:59:59Z\")",
                    "CDate(\"0001-01-01\")",
                ][p.pick(3)],
            ),
            _ => {
                let choice = p.pick(TEXT_ARGUMENTS.len() + 1);
                match TEXT_ARGUMENTS.get(choice) {
                    Some(text) => out.push_str(text),
                    None => {
                        let n = EXTREME_NUMBERS[p.pick(EXTREME_NUMBERS.len())];
                        let _ = write!(out, "\"{n}\"");
                    }
                }
            }
        }
    }
    out.push(')');
}

/// The expression that `extreme_calls` builds from these bytes.
pub fn extreme_expression(data: &[u8]) -> String {
    let mut out = String::new();
    write_call(&mut Picker { data }, 2, &mut out);
    out
}

/// Bytes name a call of a catalogue function with extreme arguments
/// ([`extreme_expression`]); it must compile or be refused, and both
/// engines must agree within the runtime limits, on a record with a 64 KB
/// value (limits scaled down to match, so the fuzzer stays fast).
pub fn extreme_calls(data: &[u8]) {
    let expr = extreme_expression(data);
    let Ok(compiled) = attrmap::compile(&expr) else {
        return;
    };
    let limits = attrmap::eval::RuntimeLimits {
        max_output_bytes: 1 << 16,
        max_list_len: 2_000,
        ..attrmap::eval::RuntimeLimits::default()
    };
    static RECORD: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    let record = RECORD.get_or_init(|| extreme_record(1 << 16));
    engines_agree(&expr, &compiled, record, limits);
}

/// First line: a .NET date/time format. Rest: a value to parse with it. The
/// format must tokenize or be refused, and whatever it parses must render.
pub fn format_datetime(data: &[u8]) {
    use attrmap::functions::datefmt;
    let text = String::from_utf8_lossy(data);
    let (format, value) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(tokens) = datefmt::tokenize(format) else {
        return;
    };
    let rendered = datefmt::render(&datefmt::sample_instant(), datefmt::Kind::Local, &tokens);
    let _ = datefmt::parse(&rendered, &tokens);
    if let Some(instant) = datefmt::parse(value, &tokens) {
        let _ = datefmt::render(&instant, datefmt::Kind::Unspecified, &tokens);
    }
}

/// A mapping file of either format: load it, compile every object type, and
/// lint it (which maps expression offsets through JSON escapes).
pub fn mapping_loaders(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(loaded) = attrmap::mapping::load(&text) {
        for object in [
            attrmap::mapping::ObjectType::User,
            attrmap::mapping::ObjectType::Group,
        ] {
            let _ = attrmap::mapping::builder::compile_object(&loaded.set, object, &text);
        }
    }
    for d in attrmap::lint::lint_mapping(&text) {
        // Every reported span must lie inside the file.
        assert!(
            d.span.start <= d.span.end && d.span.end <= text.len(),
            "{} span {:?} outside a {}-byte file",
            d.code,
            d.span,
            text.len()
        );
        let _ = attrmap::lint::output::locate("f", &text, &d);
    }
}

/// A SCIM attribute path.
pub fn scim_path(data: &[u8]) {
    let _ = attrmap::mapping::scim::ScimPath::parse(&String::from_utf8_lossy(data));
}

/// Arbitrary bytes as a JSONL batch through a fixed mapping (the DiliTrust
/// shape plus a SelectUniqueValue, a filtered multi-valued path and a
/// scoping filter): every line must map, skip or fail, never panic.
pub fn map_bytes(data: &[u8]) {
    use attrmap::eval::FlatRecord;
    use attrmap::mapping::builder::{BatchOracle, Mapped, Mode};
    use attrmap::mapping::stream::Batch;
    use std::ops::ControlFlow;
    let compiled = fuzz_mapping();
    let none = attrmap::eval::NoneTaken;
    let oracle = BatchOracle::new(&none);
    let mut ctx = attrmap::Context::new().with_seed(1).with_oracle(&oracle);
    let batch = Batch {
        oracle: Some(&oracle),
        max_record_bytes: MAX_RECORD,
        ..Batch::new(compiled, MAPPING)
    };
    let mut out = Vec::new();
    let counts = batch
        .run(data, &mut out, &mut ctx, |_, _| ControlFlow::Continue(()))
        .expect("writing to memory cannot fail");
    assert_eq!(
        counts.input,
        counts.out + counts.skipped + counts.errors,
        "{counts}"
    );
    let lines: Vec<serde_json::Value> = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("every output line is JSON"))
        .collect();
    assert_eq!(lines.len() as u64, counts.input);

    // The same records through the serde_json::Value API, in step: the
    // streamed resources must be the same JSON.
    let oracle2 = BatchOracle::new(&none);
    let mut ctx2 = attrmap::Context::new().with_seed(1).with_oracle(&oracle2);
    // As the stream reads: a line longer than the limit (counting any
    // carriage returns) is an error; trailing carriage returns are dropped;
    // blank lines are not records.
    let records = data.split(|&b| b == b'\n').filter_map(|raw| {
        let mut end = raw.len();
        while end > 0 && raw[end - 1] == b'\r' {
            end -= 1;
        }
        let text = &raw[..end];
        let too_long = raw.len() > MAX_RECORD;
        (too_long || !text.iter().all(u8::is_ascii_whitespace)).then_some((text, too_long))
    });
    let records: Vec<(&[u8], bool)> = records.collect();
    assert_eq!(records.len(), lines.len());
    for (i, ((line, too_long), got)) in records.into_iter().zip(&lines).enumerate() {
        assert_eq!(got["index"], i as u64);
        // Decoded as the stream decodes a line, IsSoftDeleted derived from
        // accountEnabled included (the fuzzer found a record where a plain
        // serde decode and the stream differed on exactly that).
        let record = (!too_long)
            .then(|| {
                let mut r = FlatRecord::new();
                attrmap::sources::decode_object(line, &mut r)
                    .ok()
                    .map(|()| r)
            })
            .flatten();
        let Some(record) = record else {
            assert!(got.get("error").is_some(), "line {i}: {got}");
            continue;
        };
        match compiled.map(&record, Mode::Create, &mut ctx2, MAPPING, Some(&oracle2)) {
            Mapped::Resource(r) => assert_eq!(got.get("resource"), Some(&r), "line {i}"),
            Mapped::Skipped(why) => assert_eq!(got["skipped"], why, "line {i}"),
            Mapped::Failed(e) => assert_eq!(got["error"]["code"], e[0].code.as_str(), "line {i}"),
        }
    }
}

/// The mapping that `map_bytes` and `map_parallel` run: a scope, a
/// SelectUniqueValue, a Switch, filtered and complex targets, an extension.
const MAPPING: &str = r#"{"app": "fuzz", "objects": [{"object": "User",
      "scope": [[{"attribute": "department", "operator": "IS NOT NULL"}]],
      "mappings": [
        {"target": "userName", "expression": "SelectUniqueValue(ToLower([mail]), Join(\"@\", [mailNickname], \"x.com\"))", "match": 1, "apply": "create"},
        {"target": "externalId", "attribute": "objectId"},
        {"target": "active", "expression": "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")"},
        {"target": "name.givenName", "attribute": "givenName"},
        {"target": "emails[type eq \"work\"].value", "attribute": "mail"},
        {"target": "roles", "expression": "AppRoleAssignmentsComplex([appRoleAssignments])"},
        {"target": "urn:ietf:params:scim:schemas:core:2.0:User:roleId", "expression": "Switch([department], \"r\", \"Legal\", \"e\")"}
      ]}]}"#;

/// Short enough that the fuzzer reaches the too-long path.
const MAX_RECORD: usize = 512;

/// Compiled once per process: compiling it for every input held the two
/// batch targets to about 180 runs per CPU-second.
fn fuzz_mapping() -> &'static attrmap::mapping::builder::CompiledObject {
    static COMPILED: std::sync::OnceLock<attrmap::mapping::builder::CompiledObject> =
        std::sync::OnceLock::new();
    COMPILED.get_or_init(|| {
        // The mapping is fixed, so failing to load it is a bug in the harness.
        let loaded = attrmap::mapping::load(MAPPING).expect("the harness mapping loads");
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        attrmap::mapping::builder::compile_object(
            &loaded.set,
            attrmap::mapping::ObjectType::User,
            MAPPING,
        )
        .expect("the harness mapping compiles")
    })
}

/// `Batch::run_parallel` over arbitrary bytes gives `Batch::run`'s output.
/// A target of its own: LeakSanitizer reports the thread-local state that
/// std's channels leave in each exiting thread, so it runs without leak
/// detection, which `map_bytes` keeps.
pub fn map_parallel(data: &[u8]) {
    use attrmap::mapping::stream::Batch;
    use std::ops::ControlFlow;
    let compiled = fuzz_mapping();
    // The parallel stream gives the sequential stream's bytes, with the input
    // handed out in reads of drifting sizes so that records, carriage returns
    // and too-long lines straddle reads and chunks. Without the batch oracle,
    // which needs records in order.
    let plain = Batch {
        max_record_bytes: MAX_RECORD,
        ..Batch::new(compiled, MAPPING)
    };
    let mut sequential = Vec::new();
    let seq_counts = plain
        .run(
            data,
            &mut sequential,
            &mut attrmap::Context::new(),
            |_, _| ControlFlow::Continue(()),
        )
        .expect("writing to memory cannot fail");
    let mut parallel = Vec::new();
    let par_counts = plain
        .run_parallel(
            DriftingReads {
                rest: data,
                step: 0,
            },
            &mut parallel,
            attrmap::mapping::stream::Threads {
                workers: 2,
                chunk_records: 3,
            },
            attrmap::Context::new,
            |_, _| ControlFlow::Continue(()),
        )
        .expect("writing to memory cannot fail");
    assert_eq!(par_counts, seq_counts);
    assert!(
        parallel == sequential,
        "parallel output differs:\n{}\n---\n{}",
        String::from_utf8_lossy(&parallel),
        String::from_utf8_lossy(&sequential)
    );
}

/// Reads of 1, 2, … 61 bytes in turn, as a slow pipe gives them.
struct DriftingReads<'a> {
    rest: &'a [u8],
    step: usize,
}

impl std::io::Read for DriftingReads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.step = self.step % 61 + 1;
        let n = self.step.min(buf.len()).min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}
