//! The CLI contract of the README's command table: every command, run on
//! good input, on bad input and on a file that does not exist, gives the
//! documented exit status and output shape.
//!
//! Exit statuses: 0 ok; 1 the content is wrong (expression, mapping, lint
//! errors, failed vectors); 2 usage or I/O (missing or unreadable file,
//! input that is not what the command reads); 3 `map` finished but some
//! records failed; 130 interrupted (tested in tests/map_cli.rs).

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const MISSING: &str = "/nonexistent/attrmap-contract/missing.json";
const MAPPING: &str = "examples/native/dilitrust-clm.json";
/// Every fixture user maps cleanly through this one (no error lines).
const CLEAN_MAPPING: &str = "examples/native/contractbook.json";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// stdout as exactly one JSON document.
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}): {:?}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
    fn assert(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        self
    }
}

fn attrmap(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = crate::common::piped_attrmap()
        .args(args)
        .spawn()
        .expect("attrmap runs");
    // The command may not read standard input at all.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A file in this test binary's scratch directory.
fn scratch(name: &str, content: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_contract");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn path_str(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// A native mapping whose expression calls a function that does not exist.
const JION: &str = r#"{"objects": [{"object": "User", "mappings": [
  {"target": "userName", "attribute": "mail", "match": 1},
  {"target": "displayName", "expression": "Jion(\" \", [givenName], [surname])"}]}]}"#;

// ---- eval ----------------------------------------------------------------

#[test]
fn eval_ok() {
    let r = attrmap(
        &[
            "eval",
            "Join(\"-\", [a], \"b\")",
            "--input",
            "-",
            "--format",
            "json",
        ],
        br#"{"a": "x"}"#,
    );
    r.assert(0);
    assert_eq!(r.json()["value"], serde_json::json!("x-b"));
    let r = attrmap(&["eval", "Join(\"-\", [a], \"b\")"], b"");
    r.assert(0);
    assert_eq!(r.stdout.trim(), "\"b\"");
}

#[test]
fn eval_bad_expression_is_1_with_one_json_object() {
    let r = attrmap(&["eval", "Jion(\",\", [a])", "--format", "json"], b"");
    r.assert(1);
    assert_eq!(r.json()["status"], "compileError");
}

#[test]
fn eval_bad_input_is_2_with_one_json_object() {
    for input in [&b"{\"a\": "[..], b"[1, 2]", b"\xff"] {
        let r = attrmap(&["eval", "[a]", "--input", "-", "--format", "json"], input);
        r.assert(2);
        let v = r.json();
        assert_eq!(v["status"], "inputError", "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains('-'), "{v}");
    }
    // Text mode: nothing on stdout, the reason on stderr.
    let r = attrmap(&["eval", "[a]", "--input", "-"], b"[1]");
    r.assert(2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("must be a JSON object"), "{}", r.stderr);
}

#[test]
fn eval_missing_files_are_2_with_one_json_object() {
    for args in [
        &["eval", "[a]", "--input", MISSING, "--format", "json"][..],
        &["eval", "[a]", "--existing", MISSING, "--format", "json"][..],
        &["eval", "[a]", "--now", "yesterday", "--format", "json"][..],
    ] {
        let r = attrmap(args, b"");
        r.assert(2);
        let v = r.json();
        assert_eq!(v["status"], "inputError", "{args:?}: {v}");
        assert!(v["error"]["code"].is_string());
    }
    let r = attrmap(&["eval", "[a]", "--input", MISSING], b"");
    r.assert(2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
}

// ---- disasm --------------------------------------------------------------

#[test]
fn disasm_ok_bad_and_usage() {
    let r = attrmap(&["disasm", "Join(\",\", [a], [b])"], b"");
    r.assert(0);
    assert!(r.stdout.contains("[a]"), "{}", r.stdout);
    let r = attrmap(&["disasm", "Join(\",\", [a]"], b"");
    r.assert(1);
    assert!(r.stdout.is_empty());
    attrmap(&["disasm"], b"").assert(2);
}

// ---- conformance ---------------------------------------------------------

#[test]
fn conformance_ok_failing_bad_and_missing() {
    let good = scratch(
        "vectors-good.json",
        r#"[{"name": "v", "expr": "Append([a], \"!\")", "input": {"a": "x"}, "expect": "x!"}]"#,
    );
    let r = attrmap(&["conformance", path_str(&good)], b"");
    r.assert(0);
    assert_eq!(r.stdout.trim(), "1 passed, 0 failed");

    let failing = scratch(
        "vectors-failing.json",
        r#"[{"name": "v", "expr": "Append([a], \"!\")", "input": {"a": "x"}, "expect": "y"}]"#,
    );
    let r = attrmap(&["conformance", path_str(&failing)], b"");
    r.assert(1);
    assert!(r.stdout.contains("FAIL v"), "{}", r.stdout);
    assert!(r.stdout.trim_end().ends_with("0 passed, 1 failed"));

    let bad = scratch("vectors-bad.json", "{not json");
    let r = attrmap(&["conformance", path_str(&bad)], b"");
    r.assert(2);
    assert!(r.stderr.contains("vectors-bad.json"), "{}", r.stderr);

    let r = attrmap(&["conformance", MISSING], b"");
    r.assert(2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
    let r = attrmap(&["conformance", path_str(&good), "--errata", MISSING], b"");
    r.assert(2);
}

// ---- functions -----------------------------------------------------------

#[test]
fn functions_ok_and_usage() {
    let r = attrmap(&["functions", "--format", "json"], b"");
    r.assert(0);
    assert!(r.json().as_array().is_some_and(|a| !a.is_empty()));
    let r = attrmap(&["functions", "--format", "yaml"], b"");
    r.assert(2);
    assert!(r.stdout.is_empty());
}

// ---- map -----------------------------------------------------------------

#[test]
fn map_ok_is_0_with_one_line_per_record() {
    let r = attrmap(
        &["map", CLEAN_MAPPING, "--input", "examples/users.jsonl"],
        b"",
    );
    r.assert(0);
    let users = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/users.jsonl"),
    )
    .unwrap();
    assert_eq!(r.stdout.lines().count(), users.lines().count());
    for line in r.stdout.lines() {
        serde_json::from_str::<Value>(line).unwrap();
    }
}

#[test]
fn map_failed_records_are_3_not_2() {
    let r = attrmap(&["map", MAPPING, "--input", "-"], b"{\"mail\": \n[1]\n");
    r.assert(3);
    assert_eq!(r.stdout.lines().count(), 2);
    assert!(
        r.stderr.contains("2 in, 0 out, 0 skipped, 2 errors"),
        "{}",
        r.stderr
    );
}

#[test]
fn map_invalid_mapping_is_1() {
    let jion = scratch("jion-map.json", JION);
    let r = attrmap(&["map", path_str(&jion), "--input", "-"], b"{}\n");
    r.assert(1);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("Jion"), "{}", r.stderr);
    let bad = scratch("not-json-map.json", "{\"objects\": [");
    attrmap(&["map", path_str(&bad), "--input", "-"], b"{}\n").assert(1);
}

#[test]
fn map_missing_files_are_2() {
    let r = attrmap(&["map", MISSING, "--input", "-"], b"{}\n");
    r.assert(2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
    let r = attrmap(&["map", MAPPING, "--input", MISSING], b"");
    r.assert(2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
    let r = attrmap(
        &["map", MAPPING, "--input", "-", "--existing", MISSING],
        b"{}\n",
    );
    r.assert(2);
    attrmap(&["map", MAPPING], b"").assert(2);
}

// ---- lint ----------------------------------------------------------------

#[test]
fn lint_ok_on_the_examples_under_the_readme_recipe() {
    let r = attrmap(
        &[
            "lint",
            "examples/",
            "--format",
            "github",
            "--deny",
            "warnings",
        ],
        b"",
    );
    r.assert(0);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let r = attrmap(&["lint", "examples/", "--format", "json"], b"");
    r.assert(0);
    assert_eq!(r.json(), serde_json::json!([]));
}

#[test]
fn lint_errors_are_1_with_one_json_document() {
    let jion = scratch("jion-lint.json", JION);
    let r = attrmap(&["lint", path_str(&jion), "--format", "json"], b"");
    r.assert(1);
    let findings = r.json();
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["severity"] == "error"),
        "{findings}"
    );
    let r = attrmap(&["lint", path_str(&jion), "--format", "sarif"], b"");
    r.assert(1);
    assert_eq!(r.json()["version"], "2.1.0");
}

#[test]
fn lint_missing_file_and_bad_usage_are_2() {
    let r = attrmap(&["lint", MISSING, "--format", "json"], b"");
    r.assert(2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
    attrmap(&["lint", "examples/", "--config", MISSING], b"").assert(2);
    attrmap(&["lint", "examples/", "--deny", "everything"], b"").assert(2);
    attrmap(&["lint", "--explain", "no-such-rule"], b"").assert(2);
}

// ---- convert -------------------------------------------------------------

#[test]
fn convert_ok_is_0_with_one_json_document() {
    let r = attrmap(&["convert", MAPPING, "--to", "graph"], b"");
    r.assert(0);
    assert!(r.json()["synchronizationRules"].is_array());
}

#[test]
fn convert_refuses_a_mapping_map_would_refuse() {
    let jion = scratch("jion-convert.json", JION);
    let r = attrmap(&["convert", path_str(&jion), "--to", "graph"], b"");
    r.assert(1);
    assert!(r.stdout.is_empty(), "wrote {}", r.stdout);
    assert!(r.stderr.contains("Jion"), "{}", r.stderr);
    let bad_target = scratch(
        "bad-target-convert.json",
        r#"{"objects": [{"object": "User", "mappings": [{"target": "emails[type eq", "attribute": "mail"}]}]}"#,
    );
    let r = attrmap(&["convert", path_str(&bad_target)], b"");
    r.assert(1);
    assert!(r.stdout.is_empty(), "wrote {}", r.stdout);
}

#[test]
fn convert_missing_file_is_2() {
    let r = attrmap(&["convert", MISSING], b"");
    r.assert(2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
    attrmap(&["convert", MAPPING, "--to", "yaml"], b"").assert(2);
}

#[test]
fn convert_round_trip_keeps_description_schema_and_lint() {
    let native = scratch(
        "round-trip.json",
        r#"{
  "$schema": "./my-schema.json",
  "app": "Demo",
  "description": "Kept by IAM",
  "lint": {"allow": ["switch-null-on-update"]},
  "objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}]}]
}"#,
    );
    let r = attrmap(&["convert", path_str(&native)], b"");
    r.assert(0);
    let graph = scratch("round-trip.graph.json", &r.stdout);
    let r = attrmap(&["convert", path_str(&graph)], b"");
    r.assert(0);
    let back = r.json();
    assert_eq!(back["$schema"], "./my-schema.json");
    assert_eq!(back["description"], "Kept by IAM");
    assert_eq!(back["app"], "Demo");
    assert_eq!(
        back["lint"],
        serde_json::json!({"allow": ["switch-null-on-update"]})
    );
    // A file without $schema gets none invented, in either direction.
    let plain = scratch(
        "no-schema.json",
        r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}]}]}"#,
    );
    let r = attrmap(&["convert", path_str(&plain)], b"");
    r.assert(0);
    assert!(!r.stdout.contains("schema"), "{}", r.stdout);
    let graph = scratch("no-schema.graph.json", &r.stdout);
    let r = attrmap(&["convert", path_str(&graph)], b"");
    r.assert(0);
    assert!(r.json().get("$schema").is_none(), "{}", r.stdout);
}

#[test]
fn convert_write_error_is_2_not_a_silent_truncation() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not Linux: nothing to test here
    };
    let out = Command::new(env!("CARGO_BIN_EXE_attrmap"))
        .args(["convert", MAPPING])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
}

/// Issue 20 D13: output to a closed pipe (`attrmap lint … | head -1`) or a
/// full disk never panics. A closed pipe ends quietly with the command's own
/// status; a full disk is a write error, exit 2.
#[test]
fn closed_pipe_and_full_disk_do_not_panic() {
    let commands: &[&[&str]] = &[
        &["functions"],
        &["functions", "--format", "json"],
        &["lint", "--rules"],
        &["lint", "examples/", "--format", "sarif"],
        &["eval", "Join(\",\", \"a\", \"b\")"],
        &["eval", "[a]", "--graph-tree"],
        &["disasm", "Join(\",\", [a], [b])"],
    ];
    for args in commands {
        // Closed pipe: the reader is gone before attrmap writes.
        let mut child = Command::new(env!("CARGO_BIN_EXE_attrmap"))
            .args(*args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");

        let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
            continue; // not Linux
        };
        let out = Command::new(env!("CARGO_BIN_EXE_attrmap"))
            .args(*args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write"), "{args:?}: {stderr}");
    }
}

/// Issue 20 D14, D15: out-of-range limits are usage errors that name the
/// range, not a wrapped limit that reads nothing or a thread-spawn panic.
#[test]
fn map_limits_out_of_range_are_usage_errors() {
    for (flag, value, range) in [
        (
            "--max-record-bytes",
            "18446744073709551615",
            "1..=1073741824",
        ),
        ("--max-record-bytes", "0", "1..=1073741824"),
        ("--jobs", "100000", "0..=256"),
    ] {
        let r = attrmap(
            &["map", CLEAN_MAPPING, "--input", "-", flag, value],
            b"{\"mail\": \"a@b\"}\n",
        );
        r.assert(2);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        assert!(r.stderr.contains(range), "{flag} {value}: {}", r.stderr);
    }
    // The largest accepted values work.
    attrmap(
        &[
            "map",
            CLEAN_MAPPING,
            "--input",
            "-",
            "--max-record-bytes",
            "1073741824",
            "--jobs",
            "256",
        ],
        b"",
    )
    .assert(0);
}

/// Issue 20 D18: a member named twice in one object of a mapping file is
/// refused by every command that reads mappings, naming both positions (it
/// used to keep the first silently, where other JSON readers keep the last).
#[test]
fn duplicate_members_in_a_mapping_are_refused_naming_both() {
    let dup = scratch(
        "duplicate-member.json",
        "{\"objects\": [{\"object\": \"User\", \"mappings\": [\n  {\"target\": \"userName\", \"attribute\": \"mail\",\n   \"attribute\": \"userPrincipalName\", \"match\": 1}]}]}",
    );
    for args in [
        &["map", path_str(&dup), "--input", "-"][..],
        &["convert", path_str(&dup)][..],
        &["lint", path_str(&dup), "--format", "json"][..],
    ] {
        let r = attrmap(args, b"{\"mail\": \"a@b\"}\n");
        r.assert(1);
        let text = format!("{}{}", r.stdout, r.stderr);
        assert!(text.contains("duplicate-member"), "{args:?}: {text}");
        assert!(
            text.contains("line 2, column 26") && text.contains("line 3, column 4"),
            "{args:?}: {text}"
        );
    }
}
