//! The `attrmap map` contract: one line per record in order, counts that add
//! up, exit codes, limits, atomic output.

use std::io::Write;
use std::process::{Command, Stdio};

const MAPPING: &str = r#"{"objects": [{"object": "User",
  "scope": [[{"attribute": "department", "operator": "NOT EQUALS", "values": ["Excluded"]}]],
  "mappings": [
    {"target": "userName", "expression": "SelectUniqueValue(Join(\"@\", [givenName], \"x.com\"), Join(\"@\", Join(\".\", [givenName], [surname]), \"x.com\"))", "match": 1},
    {"target": "active", "attribute": "enabled"},
    {"target": "displayName", "expression": "CDate([hired])"},
    {"target": "emails", "attribute": "mails"}
  ]}]}"#;

fn run(args: &[&str], input: &str) -> (String, String, i32) {
    // Tests run in parallel: each call gets its own directory.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("attrmap-map-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mapping = dir.join("m.json");
    std::fs::write(&mapping, MAPPING).unwrap();
    let mut child = crate::common::piped_attrmap()
        .arg("map")
        .arg(&mapping)
        .args(["--input", "-"])
        .args(args)
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn mixed_input_accounts_for_every_record() {
    let input = [
        r#"{"givenName": "John", "surname": "Smith", "enabled": true, "hired": "2020-01-02"}"#,
        r#"{"givenName": "John", "surname": "Smith", "enabled": "False", "hired": "2021-03-04"}"#,
        "{not json",
        r#"{"givenName": "Out", "department": "Excluded"}"#,
        "",
        r#"{"givenName": "Bad", "enabled": "maybe", "hired": "not a date"}"#,
        "42",
        r#"{"givenName": "Ann", "mails": ["a@x", "b@x"], "hired": "2022-01-01"}"#,
    ]
    .join("\n");
    let (out, err, code) = run(&["--now", "2024-05-01T00:00:00Z"], &input);
    assert_eq!(code, 3, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Blank lines are not records; everything else gets exactly one line, in order.
    assert_eq!(lines.len(), 7);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["index"], i as u64);
    }
    let count = |k: &str| lines.iter().filter(|l| l.get(k).is_some()).count();
    let (res, skipped, errors) = (count("resource"), count("skipped"), count("error"));
    assert_eq!((res, skipped, errors), (3, 1, 3));
    assert_eq!(res + skipped + errors, lines.len());
    assert!(err.contains("7 in, 3 out, 1 skipped, 3 errors"), "{err}");
    // Two John Smiths get different user names.
    assert_eq!(lines[0]["resource"]["userName"], "John@x.com");
    assert_eq!(lines[1]["resource"]["userName"], "John.Smith@x.com");
    assert_eq!(lines[1]["resource"]["active"], false);
    assert_eq!(lines[2]["error"]["code"], "attrmap::map::malformed-json");
    assert_eq!(lines[3]["skipped"], "scope");
    // Both failing attributes of record 4 are listed.
    let failed: Vec<&str> = lines[4]["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attribute"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["active", "displayName"]);
    assert_eq!(lines[4]["error"]["attribute"], "active");
    assert_eq!(lines[5]["error"]["code"], "attrmap::map::not-an-object");
    assert_eq!(
        lines[6]["resource"]["emails"],
        serde_json::json!([{"value": "a@x"}, {"value": "b@x"}])
    );
}

#[test]
fn limits_give_per_record_errors() {
    let big = format!(r#"{{"givenName": "{}"}}"#, "x".repeat(5000));
    let input = format!(
        "{big}\n{}\n",
        r#"{"givenName": "A", "mails": ["1", "2", "3"], "hired": "2020-01-01"}"#
    );
    let (out, _, code) = run(&["--max-record-bytes", "1000", "--max-values", "2"], &input);
    assert_eq!(code, 3, "some records failed");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["error"]["code"], "attrmap::map::record-too-large");
    assert_eq!(lines[1]["error"]["attribute"], "emails");
}

#[test]
fn invalid_mapping_exits_1() {
    let dir = std::env::temp_dir().join(format!("attrmap-map-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let m = dir.join("bad.json");
    std::fs::write(&m, r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "expression": "Jion([a])"}]}]}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_attrmap"))
        .arg("map")
        .arg(&m)
        .args(["--input", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Jion"));
}

#[test]
fn output_file_is_written_whole() {
    let dir = std::env::temp_dir().join(format!("attrmap-map-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("out.jsonl");
    let (out, _, code) = run(
        &["--output", target.to_str().unwrap()],
        r#"{"givenName": "A", "hired": "2020-01-01"}"#,
    );
    assert_eq!(code, 0);
    assert!(out.is_empty());
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(
        written.starts_with(r#"{"index":0,"resource":{"schemas":"#),
        "{written}"
    );
    let leftovers = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(leftovers, 1, "no temporary file left behind");
}

#[test]
fn existing_values_and_update_mode() {
    let dir = std::env::temp_dir().join(format!("attrmap-map-existing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let existing = dir.join("taken.txt");
    std::fs::write(&existing, "John@x.com\n").unwrap();
    let (out, _, code) = run(
        &["--existing", existing.to_str().unwrap()],
        r#"{"givenName": "John", "surname": "Smith", "hired": "2020-01-01"}"#,
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["resource"]["userName"], "John.Smith@x.com");
    // D17: --existing is compared without regard to case, as the batch's own
    // claims are: a taken value spelt in other capitals is still taken.
    std::fs::write(&existing, "JOHN@X.COM\njohn.smith@X.com\n").unwrap();
    let (out, _, code) = run(
        &["--existing", existing.to_str().unwrap()],
        r#"{"givenName": "John", "surname": "Smith", "hired": "2020-01-01"}"#,
    );
    assert_eq!(code, 3, "both candidates are taken: {out}");
    assert!(out.contains("attrmap::eval::escrowed"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn update_mode_skips_create_only_mappings_and_defaults() {
    let native =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/native/contractbook.json");
    let user = r#"{"objectId": "o-1", "userPrincipalName": "u@x", "IsSoftDeleted": "False"}"#;
    let go = |mode: &str| -> serde_json::Value {
        let mut child = Command::new(env!("CARGO_BIN_EXE_attrmap"))
            .arg("map")
            .arg(&native)
            .args(["--input", "-", "--mode", mode])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(user.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert_eq!(go("create")["resource"]["externalId"], "o-1");
    assert!(go("update")["resource"].get("externalId").is_none());
    assert_eq!(go("update")["resource"]["userName"], "u@x");
}

/// Ctrl-C prints the summary of what was done (even while waiting for input)
/// and exits 130 without leaving a partial --output file.
#[test]
fn sigint_prints_the_summary() {
    sigint_case("one", &[]);
}

/// With workers, records that arrive through a pipe are mapped as they
/// come, not once a chunk fills, so the summary counts all three.
#[test]
fn sigint_prints_the_summary_with_jobs() {
    sigint_case("jobs", &["--jobs", "2"]);
}

fn sigint_case(name: &str, extra: &[&str]) {
    use std::io::Write;
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("attrmap-sigint-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("out.jsonl");
    let mut child = crate::common::piped_attrmap()
        .args([
            "map",
            "examples/native/dilitrust-clm.json",
            "--input",
            "-",
            "--output",
            out_file.to_str().unwrap(),
        ])
        .args(extra)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for _ in 0..3 {
        writeln!(
            stdin,
            r#"{{"mail": "a@b.c", "objectId": "1", "department": "Legal"}}"#
        )
        .unwrap();
    }
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted: 3 in, "), "{stderr}");
    assert!(!out_file.exists(), "a partial output file was left behind");
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    std::fs::remove_dir_all(&dir).ok();
}
