//! The `attrmap eval` contract other tools rely on.

use serde_json::{json, Value};
use std::io::Write;

fn attrmap(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut child = crate::common::piped_attrmap()
        .args(args)
        .spawn()
        .expect("attrmap runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_out(args: &[&str], stdin: Option<&[u8]>) -> (i32, Value) {
    let (code, stdout, stderr) = attrmap(args, stdin);
    let v: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {stdout:?} / {stderr}"));
    (code, v)
}

#[test]
fn value_as_json() {
    let user = br#"{"department": "Legal"}"#;
    let (code, v) = json_out(
        &[
            "eval",
            r#"Switch([department], "r", "Legal", "e")"#,
            "--input",
            "-",
            "--format",
            "json",
        ],
        Some(user),
    );
    assert_eq!(code, 0);
    // The JSON API's result, as the playground's `evaluate` gives it.
    assert_eq!(
        v,
        json!({"status": "value", "type": "string", "value": "e", "text": "e",
               "redacted": false, "warnings": [], "inputs": {"department": "Legal"}})
    );
}

#[test]
fn text_mode_prints_json_values() {
    let (code, stdout, _) = attrmap(&["eval", r#"Join(",", "a", "b")"#], None);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), "\"a,b\"");
    let (_, stdout, _) = attrmap(&["eval", r#"IsNull([x])"#], None);
    assert_eq!(stdout.trim(), "true");
}

#[test]
fn flow_outcomes() {
    let (code, v) = json_out(
        &[
            "eval",
            r#"IIF([x]="1", [d], IgnoreAttributeFlow)"#,
            "--input",
            "-",
            "--format",
            "json",
        ],
        Some(br#"{"x":"0"}"#),
    );
    assert_eq!((code, &v["status"]), (0, &json!("notFlowed")), "{v}");
    assert_eq!(v["inputs"], json!({"x": "0"}), "{v}");
    let (code, v) = json_out(
        &[
            "eval",
            r#"IIF([x]="1", [d], IgnoreObjectFlow)"#,
            "--input",
            "-",
            "--format",
            "json",
        ],
        Some(br#"{"x":"0"}"#),
    );
    assert_eq!((code, &v["status"]), (0, &json!("objectSkipped")), "{v}");
}

#[test]
fn compile_errors_carry_code_status_and_span() {
    let (code, v) = json_out(&["eval", r#"Join(",", [a]"#, "--format", "json"], None);
    assert_eq!(code, 1);
    assert_eq!(v["status"], "compileError", "{v}");
    assert_eq!(v["ok"], false, "{v}");
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "attrmap::parse::unclosed-call");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        (&d["span"]["byteStart"], &d["span"]["byteEnd"]),
        (&json!(0), &json!(5)),
        "{v}"
    );
    let (code, v) = json_out(&["eval", r#"Jion(",", [a])"#, "--format", "json"], None);
    assert_eq!(code, 1);
    assert_eq!(
        v["diagnostics"][0]["code"],
        "attrmap::check::unknown-function"
    );
}

#[test]
fn text_mode_renders_a_report_on_stderr() {
    let (code, stdout, stderr) = attrmap(&["eval", r#"Jion(",", [a])"#], None);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("attrmap::check::unknown-function"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `Join`?"), "{stderr}");
}

#[test]
fn runtime_errors_have_error_status() {
    let existing =
        std::env::temp_dir().join(format!("attrmap-existing-{}.txt", std::process::id()));
    std::fs::write(&existing, "a@x\nb@x\n").unwrap();
    let (code, v) = json_out(
        &[
            "eval",
            r#"SelectUniqueValue(Join("@", [a], "x"), Join("@", [b], "x"))"#,
            "--input",
            "-",
            "--existing",
            existing.to_str().unwrap(),
            "--format",
            "json",
        ],
        Some(br#"{"a":"a","b":"b"}"#),
    );
    std::fs::remove_file(&existing).ok();
    assert_eq!(code, 1);
    assert_eq!(v["status"], "error", "{v}");
    assert_eq!(v["error"]["code"], "attrmap::eval::escrowed");
    assert_eq!(v["error"]["span"]["byteStart"], 0);
}

#[test]
fn invalid_utf8_input_is_an_error_not_a_crash() {
    let (code, _, stderr) = attrmap(
        &["eval", "[a]", "--input", "-"],
        Some(b"{\"a\": \"\xff\xfe\"}"),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid input"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn deeply_nested_input_json_is_an_error_not_a_crash() {
    let deep = format!("{{\"a\": {}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let (code, _, stderr) = attrmap(&["eval", "[a]", "--input", "-"], Some(deep.as_bytes()));
    assert_eq!(code, 2);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn non_object_input_is_rejected() {
    let (code, _, stderr) = attrmap(&["eval", "[a]", "--input", "-"], Some(b"[1,2]"));
    assert_eq!(code, 2);
    assert!(stderr.contains("must be a JSON object"), "{stderr}");
}

#[test]
fn hostile_expressions_do_not_crash_the_cli() {
    // One command-line argument is limited to 128 KiB, so nest 20 000 deep.
    let deep = format!("{}[a]{}", "Not(".repeat(20_000), ")".repeat(20_000));
    let (code, _, stderr) = attrmap(&["eval", &deep], None);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("too-long") || stderr.contains("too-deep"),
        "{stderr}"
    );
}

#[test]
fn disasm_lists_instructions() {
    let (code, stdout, _) = attrmap(
        &[
            "disasm",
            r#"Switch([department], "r", "Legal", "e", "IT", "a")"#,
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("attr      [department]"), "{stdout}");
    assert!(stdout.contains("switch"), "{stdout}");
}

#[test]
fn functions_lists_the_catalogue() {
    let (code, stdout, _) = attrmap(&["functions"], None);
    assert_eq!(code, 0);
    for f in attrmap::catalogue::CATALOGUE {
        assert!(stdout.contains(&f.signature()), "{} missing", f.name);
    }
}

#[test]
fn now_is_injectable() {
    let (code, v) = json_out(
        &[
            "eval",
            "CStr([x])",
            "--now",
            "2021-08-25T17:41:18Z",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(
        (&v["type"], &v["value"]),
        (&json!("null"), &json!(null)),
        "{v}"
    );
    let (code, _, stderr) = attrmap(&["eval", "[x]", "--now", "yesterday"], None);
    assert_eq!(code, 2);
    assert!(stderr.contains("RFC 3339"));
}

/// DefaultDomain() returns the domain given with --default-domain; without
/// one it fails with a code that names the flag, never an empty domain.
#[test]
fn default_domain_comes_from_the_flag_or_fails() {
    let expr = r#"Join("@", [mailNickname], DefaultDomain())"#;
    let user = br#"{"mailNickname": "jdoe"}"#;
    let (code, v) = json_out(
        &[
            "eval",
            expr,
            "--input",
            "-",
            "--default-domain",
            "contoso.onmicrosoft.com",
            "--format",
            "json",
        ],
        Some(user),
    );
    assert_eq!(code, 0);
    assert_eq!(v["value"], json!("jdoe@contoso.onmicrosoft.com"), "{v}");

    let (code, v) = json_out(
        &["eval", expr, "--input", "-", "--format", "json"],
        Some(user),
    );
    assert_eq!(code, 1);
    assert_eq!(v["error"]["code"], "attrmap::eval::no-default-domain");
    assert_eq!(v["status"], "error");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--default-domain"),
        "{v}"
    );

    let (code, _, stderr) = attrmap(
        &[
            "eval",
            "DefaultDomain()",
            "--default-domain",
            "@contoso.com",
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("--default-domain") && stderr.contains("without @"));
}

/// `eval --format json` prints the JSON API's result (what the playground's
/// `evaluate` gets, before large integers become strings for JavaScript):
/// one shape, written once, for every outcome.
#[test]
fn json_output_is_the_api_result() {
    use attrmap::api::json as api;
    let user = json!({"a": "x", "n": 132539615990000000u64});
    let options = api::Options::from_json(json!({"now": "2021-08-25T17:41:18Z"})).unwrap();
    for expr in [
        r#"Join(",", [a], "b")"#,
        "[n]",
        "Now()",
        "IgnoreFlowIfNullOrEmpty([missing])",
        "IIF([a]=\"x\", IgnoreObjectFlow, [a])",
        r#"CDate("not a date")"#,
        r#"Join(",", [a]"#,
        "Jion([a])",
    ] {
        let (code, cli) = json_out(
            &[
                "eval",
                expr,
                "--input",
                "-",
                "--now",
                "2021-08-25T17:41:18Z",
                "--format",
                "json",
            ],
            Some(user.to_string().as_bytes()),
        );
        let (compiled, program) = api::compile_json(expr);
        let want = match program {
            Some(p) => p.evaluate(&user, &options),
            None => api::compile_failure(compiled),
        };
        assert_eq!(cli, want, "{expr}");
        let failed = matches!(want["status"].as_str(), Some("error" | "compileError"));
        assert_eq!(code, i32::from(failed), "{expr}: {cli}");
    }
}

/// With `--trace`, stdout is still the one result; the trace, in the JSON
/// API's shape, is on stderr.
#[test]
fn json_trace_goes_to_stderr_in_the_api_shape() {
    let (code, stdout, stderr) = attrmap(
        &[
            "eval",
            r#"ToLower(Join(".", [a], "B"))"#,
            "--input",
            "-",
            "--trace",
            "--format",
            "json",
        ],
        Some(br#"{"a": "X"}"#),
    );
    assert_eq!(code, 0, "{stderr}");
    let result: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(result["value"], json!("x.b"), "{result}");
    assert_eq!(result["inputs"], json!({"a": "X"}), "{result}");
    let trace: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(trace["truncated"], json!(false), "{trace}");
    let top = trace["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["depth"] == json!(0))
        .unwrap_or_else(|| panic!("no top node: {trace}"));
    assert_eq!(top["output"], json!("\"x.b\""), "{trace}");
    assert_eq!(top["span"]["byteStart"], json!(0), "{trace}");
    assert!(
        trace["text"].as_str().unwrap().contains("ToLower"),
        "{trace}"
    );
}
