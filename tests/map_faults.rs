//! Fault tests for `attrmap map`: every record is accounted for
//! (in == out + skipped + errors) whatever the input looks like.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

const MAPPING: &str = "examples/native/dilitrust-clm.json";
const GOOD: &str = r#"{"mail": "a@contoso.com", "objectId": "1", "department": "Legal", "IsSoftDeleted": "False"}"#;

use crate::common;

/// Runs `attrmap map` on raw bytes; returns (stdout lines, stderr, exit code).
fn map_bytes(input: &[u8]) -> (Vec<serde_json::Value>, String, i32) {
    let (stdout, stderr, code) = common::map_stdin(&[MAPPING], input);
    let stdout = String::from_utf8(stdout).expect("output is UTF-8");
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect();
    (lines, stderr, code)
}

fn assert_accounted(lines: &[serde_json::Value], stderr: &str, input: usize) {
    let count = |k: &str| lines.iter().filter(|l| l.get(k).is_some()).count();
    let (out, skipped, errors) = (count("resource"), count("skipped"), count("error"));
    assert_eq!(lines.len(), input, "one output line per record: {stderr}");
    assert_eq!(out + skipped + errors, input);
    assert!(
        stderr.contains(&format!(
            "{input} in, {out} out, {skipped} skipped, {errors} errors"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["index"], i as u64);
    }
}

#[test]
fn truncated_final_line() {
    let input = format!("{GOOD}\n{GOOD}\n{{\"mail\": \"cut@contoso.com\", \"objectId");
    let (lines, stderr, code) = map_bytes(input.as_bytes());
    assert_eq!(code, 3);
    assert_accounted(&lines, &stderr, 3);
    assert_eq!(lines[2]["error"]["code"], "attrmap::map::malformed-json");
}

#[test]
fn invalid_utf8_is_an_error_record() {
    let mut input = Vec::new();
    input.extend_from_slice(GOOD.as_bytes());
    input.extend_from_slice(b"\n{\"mail\": \"\xff\xfe@contoso.com\"}\n");
    input.extend_from_slice(GOOD.as_bytes());
    let (lines, stderr, code) = map_bytes(&input);
    assert_eq!(code, 3);
    assert_accounted(&lines, &stderr, 3);
    assert!(lines[1].get("error").is_some());
    assert!(lines[2].get("resource").is_some());
}

#[test]
fn empty_input() {
    let (lines, stderr, code) = map_bytes(b"");
    assert_eq!(code, 0);
    assert_accounted(&lines, &stderr, 0);
}

#[test]
fn a_100_mb_line_is_refused_and_the_batch_goes_on() {
    let mut input = Vec::with_capacity(101 << 20);
    input.extend_from_slice(GOOD.as_bytes());
    input.extend_from_slice(b"\n{\"mail\": \"");
    input.resize(input.len() + (100 << 20), b'x');
    input.extend_from_slice(b"\"}\n");
    input.extend_from_slice(GOOD.as_bytes());
    input.push(b'\n');
    let (lines, stderr, code) = map_bytes(&input);
    assert_eq!(code, 3);
    assert_accounted(&lines, &stderr, 3);
    assert_eq!(lines[1]["error"]["code"], "attrmap::map::record-too-large");
    assert!(lines[2].get("resource").is_some());
}

#[test]
fn closed_pipe_exits_quietly() {
    let input: String = std::iter::repeat_n(format!("{GOOD}\n"), 50_000).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_attrmap"))
        .args(["map", MAPPING, "--input", "-"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    // Read one line, then close the pipe, like `| head -1`.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    writer.join().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        status.success() || status.code().is_none(),
        "exit {status:?}: {stderr}"
    );
}
