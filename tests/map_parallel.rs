//! `Batch::run_parallel` and `attrmap map --jobs`: the same output as one
//! thread, byte for byte, whatever the input holds and however it is chunked,
//! and a clean stop on errors and early breaks.

use attrmap::eval::{Context, TakenSet};
use attrmap::mapping::builder::{compile_object, BatchOracle, CompiledObject};
use attrmap::mapping::stream::{Batch, Counts, Threads};
use attrmap::mapping::{self, ObjectType};
use std::io::{self, Read, Write};
use std::ops::ControlFlow;

/// Scope, a failing expression (CDate of a non-date), a type conversion and a
/// filtered multi-valued path: every kind of result line.
const MAPPING: &str = r#"{"objects": [{"object": "User",
  "scope": [[{"attribute": "department", "operator": "NOT EQUALS", "values": ["Excluded"]}]],
  "mappings": [
    {"target": "userName", "attribute": "mail", "match": 1},
    {"target": "active", "expression": "Switch([enabled], \"True\", \"false\", \"False\")"},
    {"target": "title", "expression": "CDate([hired])"},
    {"target": "emails[type eq \"work\"].value", "attribute": "mail"},
    {"target": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "attribute": "department"}
  ]}]}"#;

fn compiled() -> CompiledObject {
    let loaded = mapping::load(MAPPING).unwrap();
    compile_object(&loaded.set, ObjectType::User, MAPPING).unwrap()
}

/// Records of every kind, in an order that puts each kind in many chunk
/// positions once repeated: good, out of scope, failing, malformed, not an
/// object, blank, whitespace only, CRLF-terminated, too large, invalid UTF-8.
fn mixed_input(repeats: usize) -> Vec<u8> {
    let mut input = Vec::new();
    for k in 0..repeats {
        let lines: [&[u8]; 14] = [
            format!(r#"{{"mail": "u{k}@x.com", "enabled": "false", "hired": "2020-01-02", "department": "Legal"}}"#).as_bytes().to_vec().leak(),
            br#"{"mail": "out@x.com", "department": "Excluded"}"#,
            br#"{"mail": "bad@x.com", "hired": "not a date"}"#,
            b"{not json",
            b"[1, 2]",
            b"",
            b"   \t",
            b"{\"mail\": \"crlf@x.com\"}\r",
            format!(r#"{{"mail": "{}"}}"#, "l".repeat(300)).as_bytes().to_vec().leak(),
            b"{\"mail\": \"\xff\xfe\"}",
            // Exactly at the limit, one past it, and at it but for a CR.
            format!(r#"{{"m": "{}"}}"#, "x".repeat(247)).as_bytes().to_vec().leak(),
            format!(r#"{{"m": "{}"}}"#, "x".repeat(248)).as_bytes().to_vec().leak(),
            format!("{{\"m\": \"{}\"}}\r", "x".repeat(247)).as_bytes().to_vec().leak(),
            br#"{"mail": "ok@x.com", "emails": [], "enabled": "True"}"#,
        ];
        for l in lines {
            input.extend_from_slice(l);
            input.push(b'\n');
        }
    }
    // A truncated final record, without its newline.
    input.extend_from_slice(br#"{"mail": "cut@x.com", "hir"#);
    input
}

fn batch(compiled: &CompiledObject) -> Batch<'_> {
    Batch {
        max_record_bytes: 256,
        ..Batch::new(compiled, MAPPING)
    }
}

fn sequential(compiled: &CompiledObject, input: &[u8]) -> (Vec<u8>, Counts) {
    let mut out = Vec::new();
    let counts = batch(compiled)
        .run(input, &mut out, &mut Context::new(), |_, _| {
            ControlFlow::Continue(())
        })
        .unwrap();
    (out, counts)
}

fn parallel(compiled: &CompiledObject, input: &[u8], threads: Threads) -> (Vec<u8>, Counts) {
    let mut out = Vec::new();
    let counts = batch(compiled)
        .run_parallel(input, &mut out, threads, Context::new, |_, _| {
            ControlFlow::Continue(())
        })
        .unwrap();
    (out, counts)
}

#[test]
fn parallel_output_equals_sequential_output_byte_for_byte() {
    let compiled = compiled();
    let input = mixed_input(40);
    let (expected, expected_counts) = sequential(&compiled, &input);
    assert_eq!(expected_counts.input, 40 * 12 + 1, "{expected_counts}");
    assert!(expected_counts.out > 0 && expected_counts.skipped > 0 && expected_counts.errors > 0);
    for workers in [2, 3, 4] {
        for chunk_records in [1, 2, 3, 7, 64, 512] {
            let (out, counts) = parallel(
                &compiled,
                &input,
                Threads {
                    workers,
                    chunk_records,
                },
            );
            assert_eq!(
                counts, expected_counts,
                "{workers} workers, chunks of {chunk_records}"
            );
            assert!(
                out == expected,
                "{workers} workers, chunks of {chunk_records}: output differs"
            );
        }
    }
}

/// Hands out the input a few bytes at a time, as a slow pipe does: every
/// read is short, so chunks end early and lines, too-large lines and
/// carriage returns are cut at every position.
struct Trickle<'a> {
    rest: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // 1, 2, …, 97 bytes, then again: sizes that drift across lines.
        self.step = self.step % 97 + 1;
        let n = self.step.min(buf.len()).min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

#[test]
fn records_split_across_short_reads_give_the_same_output() {
    let compiled = compiled();
    let input = mixed_input(15);
    let (expected, expected_counts) = sequential(&compiled, &input);
    for chunk_records in [1, 5, 512] {
        let mut out = Vec::new();
        let counts = batch(&compiled)
            .run_parallel(
                Trickle {
                    rest: &input,
                    step: 0,
                },
                &mut out,
                Threads {
                    workers: 2,
                    chunk_records,
                },
                Context::new,
                |_, _| ControlFlow::Continue(()),
            )
            .unwrap();
        assert_eq!(counts, expected_counts, "chunks of {chunk_records}");
        assert!(out == expected, "chunks of {chunk_records}: output differs");
    }
}

#[test]
fn empty_and_blank_inputs_give_nothing() {
    let compiled = compiled();
    for input in [&b""[..], b"\n", b"\n \n\t\n", b"\r\n"] {
        let (out, counts) = parallel(&compiled, input, Threads::new(2));
        assert!(out.is_empty());
        assert_eq!(counts, Counts::default());
    }
}

#[test]
fn a_break_stops_the_stream_with_counts_that_match_what_was_written() {
    let compiled = compiled();
    let input = mixed_input(200);
    let mut out = Vec::new();
    let mut calls = 0;
    let counts = batch(&compiled)
        .run_parallel(
            &input[..],
            &mut out,
            Threads {
                workers: 2,
                chunk_records: 10,
            },
            Context::new,
            |c, _| {
                calls += 1;
                assert_eq!(c.input, c.out + c.skipped + c.errors);
                if calls == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .unwrap();
    assert_eq!(calls, 3);
    let lines = out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
    assert_eq!(lines as u64, counts.input);
    let (all, all_counts) = sequential(&compiled, &input);
    assert!(
        counts.input >= 30 && counts.input < all_counts.input,
        "three chunks of at least ten, not all: {counts}"
    );
    assert!(
        all.starts_with(&out),
        "what was written is the start of the full output"
    );
}

/// Yields `good` bytes, then fails.
struct FailingReader {
    good: io::Cursor<Vec<u8>>,
}

impl Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.good.read(buf)? {
            0 => Err(io::Error::other("disk on fire")),
            n => Ok(n),
        }
    }
}

#[test]
fn a_read_error_is_returned_and_every_thread_ends() {
    let compiled = compiled();
    let reader = io::BufReader::new(FailingReader {
        good: io::Cursor::new(mixed_input(50)),
    });
    let mut out = Vec::new();
    let err = batch(&compiled)
        .run_parallel(
            reader,
            &mut out,
            Threads {
                workers: 3,
                chunk_records: 4,
            },
            Context::new,
            |_, _| ControlFlow::Continue(()),
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "disk on fire");
}

/// Accepts `room` bytes, then fails the way a closed pipe does.
struct ClosedPipe {
    room: usize,
}

impl Write for ClosedPipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.room < buf.len() {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        self.room -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_write_error_is_returned_and_every_thread_ends() {
    let compiled = compiled();
    let input = mixed_input(300);
    let err = batch(&compiled)
        .run_parallel(
            &input[..],
            &mut ClosedPipe { room: 2000 },
            Threads {
                workers: 2,
                chunk_records: 8,
            },
            Context::new,
            |_, _| ControlFlow::Continue(()),
        )
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
}

#[test]
fn a_batch_with_an_oracle_is_refused_before_reading() {
    let file = r#"{"objects": [{"object": "User", "mappings": [
        {"target": "userName", "apply": "create", "expression": "SelectUniqueValue(Join(\"@\", [givenName], \"x.com\"), Join(\"@\", Join(\".\", [givenName], [surname]), \"x.com\"))"}]}]}"#;
    let loaded = mapping::load(file).unwrap();
    let compiled = compile_object(&loaded.set, ObjectType::User, file).unwrap();
    assert!(compiled.calls(attrmap::catalogue::Purity::Oracle));
    assert!(!compiled.calls(attrmap::catalogue::Purity::Random));
    let taken = TakenSet::default();
    let oracle = BatchOracle::new(&taken);
    let batch = Batch {
        oracle: Some(&oracle),
        ..Batch::new(&compiled, file)
    };
    let mut input = io::Cursor::new(b"{\"givenName\": \"John\"}\n".to_vec());
    let err = batch
        .run_parallel(
            &mut input,
            &mut Vec::new(),
            Threads::new(2),
            Context::new,
            |_, _| ControlFlow::Continue(()),
        )
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("Batch::run"), "{err}");
    assert_eq!(input.position(), 0, "nothing was read");
}

use crate::common;
use common::map_stdin as cli;

#[test]
fn cli_jobs_give_the_same_output_for_every_seed_example() {
    let users = std::fs::read("examples/users.jsonl").unwrap();
    // Enough records for several chunks of the CLI's size.
    let input: Vec<u8> = users.repeat(300);
    for app in [
        "clarizen-one",
        "clebex",
        "contractbook",
        "contracts-clm",
        "dilitrust-clm",
    ] {
        let mapping = format!("examples/native/{app}.json");
        let now = ["--now", "2024-05-01T09:30:00Z"];
        let (one, one_err, one_code) = cli(&[&mapping, now[0], now[1]], &input);
        let (two, two_err, two_code) = cli(&[&mapping, now[0], now[1], "--jobs", "2"], &input);
        assert_eq!(one_code, two_code, "{app}: {two_err}");
        assert!(one == two, "{app}: --jobs 2 output differs");
        assert_eq!(one_err, two_err, "{app}: the same summary");
        assert!(!two_err.contains("panicked"), "{two_err}");
    }
    // `--jobs 0`: one worker per core, whatever this machine has.
    let mapping = "examples/native/dilitrust-clm.json";
    let (one, _, _) = cli(&[mapping, "--now", "2024-05-01T09:30:00Z"], &input);
    let (all, err, code) = cli(
        &[mapping, "--now", "2024-05-01T09:30:00Z", "--jobs", "0"],
        &input,
    );
    // Exit 3: two fixture users have no mail, DiliTrust's userName.
    assert_eq!(code, 3, "{err}");
    assert!(one == all, "--jobs 0 output differs");
}

#[test]
fn cli_jobs_with_select_unique_value_stays_in_order_and_says_so() {
    let dir = std::env::temp_dir().join(format!("attrmap-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mapping = dir.join("unique.json");
    std::fs::write(
        &mapping,
        r#"{"objects": [{"object": "User", "mappings": [
        {"target": "userName", "apply": "create", "expression": "SelectUniqueValue(Join(\"@\", [givenName], \"x.com\"), Join(\"@\", Join(\".\", [givenName], [surname]), \"x.com\"))"}]}]}"#,
    )
    .unwrap();
    let input = "{\"givenName\": \"John\", \"surname\": \"Smith\"}\n".repeat(2);
    let (out, err, code) = cli(
        &[mapping.to_str().unwrap(), "--jobs", "2"],
        input.as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("note: mapping on one thread"), "{err}");
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("\"John@x.com\"") && out.contains("\"John.Smith@x.com\""),
        "{out}"
    );
}
