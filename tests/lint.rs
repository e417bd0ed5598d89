//! `attrmap lint`: each rule fires on a bad example and stays quiet on a good
//! one; positions land on the right character of the file, through JSON
//! string escapes; output formats and exit codes; the golden corpus.

use attrmap::codes::{Code, Example};
use attrmap::lint::{self, output, Config};
use attrmap::Context;
use std::process::Command;

fn codes(diags: &[attrmap::Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

fn expr_codes(src: &str) -> Vec<&'static str> {
    codes(&lint::lint_expression(src))
}

fn native(mappings: &str) -> String {
    format!(r#"{{"app": "test", "objects": [{{"object": "User", "mappings": [{mappings}]}}]}}"#)
}

const MATCH: &str = r#"{"target": "userName", "attribute": "userPrincipalName", "match": 1}"#;

fn mapping_codes(mappings: &str) -> Vec<&'static str> {
    codes(&lint::lint_mapping(&native(mappings)))
}

#[test]
fn expression_rules_fire_and_stay_quiet() {
    for (code, bad, good) in [
        (
            "attrmap::lint::switch-duplicate-key",
            r#"Switch([d], "r", "Legal", "e", "Legal", "a")"#,
            r#"Switch([d], "r", "Legal", "e", "IT", "a")"#,
        ),
        (
            "attrmap::lint::iif-nullable-condition",
            r#"IIF([country]="", "Other", [country])"#,
            r#"Switch([country], [country], "", "Other")"#,
        ),
        (
            "attrmap::lint::switch-source-predicate",
            r#"Switch(IsPresent([s]), "0", "True", "1")"#,
            r#"Switch([s], "1", "", "0")"#,
        ),
        (
            "attrmap::lint::index-not-positive",
            r#"Mid([givenName], 0, 1)"#,
            r#"Mid([givenName], 1, 1)"#,
        ),
        (
            "attrmap::lint::index-not-positive",
            r#"Item([proxyAddresses], -1)"#,
            r#"Item([proxyAddresses], 1)"#,
        ),
        (
            "attrmap::lint::index-not-positive",
            r#"InStr([a], "x", 0)"#,
            r#"InStr([a], "x", 1)"#,
        ),
        (
            "attrmap::lint::index-not-positive",
            r#"Word([a], 0, " ")"#,
            r#"Word([a], 1, " ")"#,
        ),
        (
            "attrmap::lint::constant-condition",
            r#"IIF("department"="Legal", "a", "b")"#,
            r#"Switch([department], "b", "Legal", "a")"#,
        ),
        (
            "attrmap::lint::dead-argument",
            r#"Coalesce("x", [mail])"#,
            r#"Coalesce([mail], "x")"#,
        ),
        (
            "attrmap::check::unknown-function",
            r#"Jion(",", [a])"#,
            r#"Join(",", [a])"#,
        ),
        (
            "attrmap::check::function-case",
            r#"toLower([a])"#,
            r#"ToLower([a])"#,
        ),
        ("attrmap::check::arity", r#"Left([a])"#, r#"Left([a], 1)"#),
        (
            "attrmap::check::switch-pairs",
            r#"Switch([a], "d", "k1")"#,
            r#"Switch([a], "d", "k1", "v1")"#,
        ),
        (
            "attrmap::check::literal-type",
            r#"DateAdd("days", 1, Now())"#,
            r#"DateAdd("d", 1, Now())"#,
        ),
        (
            "attrmap::check::select-unique-nested",
            r#"ToLower(SelectUniqueValue([a], [b]))"#,
            r#"SelectUniqueValue(ToLower([a]), [b])"#,
        ),
        (
            "attrmap::check::unsupported-regex-feature",
            r#"Replace([u], , "(?(@)@.*|$)", , "", , )"#,
            r#"Replace([u], , "(?<=@).*", , "", , )"#,
        ),
        (
            "attrmap::check::invalid-regex",
            r#"Replace([u], , "([a-z", , "", , )"#,
            r#"Replace([u], , "[a-z]", , "", , )"#,
        ),
        (
            "attrmap::check::invalid-date-format",
            r#"FormatDateTime([d], , "yyyy'", "yyyy")"#,
            r#"FormatDateTime([d], , "yyyy", "yyyy")"#,
        ),
        (
            "attrmap::parse::unclosed-call",
            r#"Join(",", [a]"#,
            r#"Join(",", [a])"#,
        ),
        (
            "attrmap::parse::syntax",
            r#"Join(',', [a])"#,
            r#"Join(",", [a])"#,
        ),
    ] {
        assert!(
            expr_codes(bad).contains(&code),
            "{code} did not fire on {bad}: {:?}",
            expr_codes(bad)
        );
        assert!(!expr_codes(good).contains(&code), "{code} fired on {good}");
    }
    let long = format!("Join(\",\", \"{}\")", "x".repeat(10_001));
    assert_eq!(expr_codes(&long), ["attrmap::parse::too-long"]);
}

#[test]
fn mapping_rules_fire_and_stay_quiet() {
    let cases: Vec<(&str, String, String)> = vec![
        (
            "attrmap::lint::duplicate-target",
            format!(r#"{MATCH}, {{"target": "displayName", "attribute": "displayName"}}, {{"target": "displayName", "attribute": "givenName"}}"#),
            format!(r#"{MATCH}, {{"target": "displayName", "attribute": "displayName"}}"#),
        ),
        ("attrmap::lint::no-matching-attribute", r#"{"target": "userName", "attribute": "userPrincipalName"}"#.into(), MATCH.into()),
        (
            "attrmap::lint::duplicate-matching-priority",
            format!(r#"{MATCH}, {{"target": "externalId", "attribute": "objectId", "match": 1}}"#),
            format!(r#"{MATCH}, {{"target": "externalId", "attribute": "objectId", "match": 2}}"#),
        ),
        (
            "attrmap::lint::default-only-on-create",
            format!(r#"{MATCH}, {{"target": "preferredLanguage", "attribute": "preferredLanguage", "default": "en-US"}}"#),
            format!(r#"{MATCH}, {{"target": "preferredLanguage", "expression": "Coalesce([preferredLanguage], \"en-US\")"}}"#),
        ),
        (
            "attrmap::lint::unknown-target-attribute",
            format!(r#"{MATCH}, {{"target": "displayNme", "attribute": "displayName"}}"#),
            format!(r#"{MATCH}, {{"target": "urn:ietf:params:scim:schemas:core:2.0:User:roleId", "constant": "r1"}}"#),
        ),
        (
            "attrmap::lint::target-type",
            format!(r#"{MATCH}, {{"target": "active", "constant": "yes"}}"#),
            format!(r#"{MATCH}, {{"target": "active", "constant": "True"}}"#),
        ),
        (
            "attrmap::lint::single-role-multi-valued-target",
            format!(r#"{MATCH}, {{"target": "roles", "expression": "SingleAppRoleAssignment([appRoleAssignments])"}}"#),
            format!(r#"{MATCH}, {{"target": "roles", "expression": "AppRoleAssignmentsComplex([appRoleAssignments])"}}"#),
        ),
        (
            "attrmap::lint::switch-null-on-update",
            format!(r#"{MATCH}, {{"target": "title", "expression": "Switch([jobTitle], \"x\", \"a\", \"A\")"}}"#),
            format!(r#"{MATCH}, {{"target": "title", "expression": "IIF([jobTitle]=\"a\", \"A\", \"x\")"}}"#),
        ),
        (
            "attrmap::lint::select-unique-matching",
            r#"{"target": "userName", "expression": "SelectUniqueValue([a], [b])", "match": 1, "apply": "create"}"#.into(),
            format!(r#"{MATCH}, {{"target": "externalId", "expression": "SelectUniqueValue([a], [b])", "apply": "create"}}"#),
        ),
        (
            "attrmap::lint::select-unique-not-create-only",
            format!(r#"{MATCH}, {{"target": "externalId", "expression": "SelectUniqueValue([a], [b])"}}"#),
            format!(r#"{MATCH}, {{"target": "externalId", "expression": "SelectUniqueValue([a], [b])", "apply": "create"}}"#),
        ),
    ];
    for (code, bad, good) in cases {
        assert!(
            mapping_codes(&bad).contains(&code),
            "{code} did not fire: {:?}",
            mapping_codes(&bad)
        );
        assert!(
            !mapping_codes(&good).contains(&code),
            "{code} fired on the good example: {:?}",
            mapping_codes(&good)
        );
    }
}

#[test]
fn unknown_source_attributes_need_a_directory_list() {
    let graph = r#"{
  "directories": [{"name": "Azure Active Directory", "objects": [{"name": "User", "attributes": [
    {"name": "department", "type": "String"}, {"name": "mail", "type": "String"}]}]}],
  "synchronizationRules": [{"objectMappings": [{"sourceObjectName": "User", "targetObjectName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "attributeMappings": [
    {"targetAttributeName": "userName", "matchingPriority": 1, "source": {"type": "Attribute", "name": "mail"}},
    {"targetAttributeName": "title", "source": {"type": "Function", "expression": "ToLower([departmnet])"}}
  ]}]}]
}"#;
    let diags = lint::lint_mapping(graph);
    let d = diags
        .iter()
        .find(|d| d.code == "attrmap::lint::unknown-source-attribute")
        .expect("fires");
    assert_eq!(d.help.as_deref(), Some("did you mean [department]?"));
    assert_eq!(&graph[d.span.start..d.span.end], "[departmnet]");
}

#[test]
fn positions_go_through_json_escapes() {
    // The expression string contains \" and \u00e9 before the unknown function.
    let file = native(
        r#"{"target": "userName", "attribute": "mail", "match": 1},
      {"target": "displayName", "expression": "Join(\"\\\"\u00e9\", Jion([a]))"}"#,
    );
    let diags = lint::lint_mapping(&file);
    let d = diags
        .iter()
        .find(|d| d.code == "attrmap::check::unknown-function")
        .expect("unknown function found");
    assert_eq!(&file[d.span.start..d.span.end], "Jion");
    let loc = output::locate("f.json", &file, d);
    let line_text = file.lines().nth(loc.line - 1).unwrap();
    let col_byte = line_text.char_indices().nth(loc.column - 1).unwrap().0;
    assert!(
        line_text[col_byte..].starts_with("Jion"),
        "column {} of {line_text:?}",
        loc.column
    );
}

#[test]
fn config_allows_and_denies() {
    let mut c = Config::default();
    c.merge_json(&serde_json::json!({"allow": ["iif-nullable-condition"], "deny": ["attrmap::check::function-case"]})).unwrap();
    let d = lint::lint_file("x.expr", "IIF(toLower([a])=\"x\", \"1\", \"2\")\n", &c);
    assert!(!codes(&d).contains(&"attrmap::lint::iif-nullable-condition"));
    assert!(d
        .iter()
        .any(|x| x.code == "attrmap::check::function-case" && x.is_error()));
    assert!(c
        .merge_json(&serde_json::json!({"allow": ["no-such-rule"]}))
        .is_err());
    assert!(c.merge_json(&serde_json::json!({"alow": []})).is_err());
}

/// What an example reports: lint findings, then the runtime error and
/// warnings of both engines (expressions that compile only).
fn example_codes(example: &Example) -> Option<Vec<Code>> {
    let evaluate = |expression: &str, user: &serde_json::Value, out: &mut Vec<Code>| {
        let Ok(compiled) = attrmap::compile(expression) else {
            return;
        };
        let now = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
            .unwrap()
            .into();
        let mut vm = Context::new().with_now(now).with_seed(7);
        let vm_error = compiled.evaluate(user, &mut vm).err().map(|e| e.code);
        let mut tree = Context::new().with_now(now).with_seed(7);
        let tree_error = compiled.evaluate_ast(user, &mut tree).err().map(|e| e.code);
        assert_eq!(vm_error, tree_error, "the engines disagree on {expression}");
        out.extend(vm_error);
        out.extend(vm.warnings.iter().map(|w| w.code));
    };
    let mut out = Vec::new();
    match *example {
        Example::Expression(e) => {
            out.extend(lint::lint_expression(e).iter().map(|d| d.code));
            evaluate(e, &serde_json::json!({}), &mut out);
        }
        Example::Eval { expression, user } => {
            out.extend(lint::lint_expression(expression).iter().map(|d| d.code));
            evaluate(expression, &serde_json::from_str(user).unwrap(), &mut out);
        }
        Example::Mapping { file, .. } => {
            out.extend(lint::lint_mapping(file).iter().map(|d| d.code))
        }
        Example::Described(_) => return None,
    }
    Some(out)
}

#[test]
fn every_code_has_a_bad_example_that_reports_it_and_a_good_one_that_does_not() {
    let mut described = Vec::new();
    for &code in Code::ALL {
        let spec = code.spec();
        assert!(
            !spec.summary.is_empty() && !spec.explanation.is_empty(),
            "{code}"
        );
        match example_codes(&spec.bad) {
            Some(found) => assert!(
                found.contains(&code),
                "{code}: the bad example reports {found:?}"
            ),
            None => described.push(code.as_str()),
        }
        if let Some(found) = example_codes(&spec.good) {
            assert!(
                !found.contains(&code),
                "{code}: the good example reports it too"
            );
        }
    }
    // Codes whose situation cannot be written as a short input. A new code
    // belongs here only if no expression, user or mapping file can show it.
    assert_eq!(
        described,
        [
            "attrmap::parse::too-long",
            "attrmap::parse::too-deep",
            "attrmap::mapping::too-large",
            "attrmap::mapping::placeholder-object",
            "attrmap::mapping::no-object",
            "attrmap::mapping::empty-source",
            "attrmap::mapping::unknown-flow-type",
            "attrmap::mapping::tree-disagrees",
            "attrmap::mapping::target-path",
            "attrmap::mapping::scope-attribute",
            "attrmap::mapping::scope-operator",
            "attrmap::mapping::scope-value",
            "attrmap::mapping::scope-regex",
            "attrmap::convert::scope-lists",
            "attrmap::convert::lint-section",
            "attrmap::eval::not-implemented",
            "attrmap::eval::output-too-large",
            "attrmap::eval::step-budget",
            "attrmap::eval::unknown-keyword",
            "attrmap::eval::escrowed",
            "attrmap::eval::replace-mode",
            "attrmap::eval::several-app-roles",
            "attrmap::map::convert",
            "attrmap::map::no-matching-value",
            "attrmap::map::missing-required",
            "attrmap::map::document-too-large",
            "attrmap::map::truncated-export",
            "attrmap::map::csv",
            "attrmap::map::unique-values-limit",
            "attrmap::map::malformed-json",
            "attrmap::map::not-an-object",
            "attrmap::map::record-too-large",
            // Request shapes: they need a target state and a request run.
            "attrmap::requests::manager-as-text",
            "attrmap::requests::remove-with-value",
            "attrmap::input::invalid-json",
            "attrmap::input::unreadable",
            // Both need a set of users, which no example input is.
            "attrmap::users::attribute-absent",
            "attrmap::users::shared-value",
            "attrmap::wasm::invalid-argument",
            "attrmap::wasm::invalid-option",
        ]
    );
}

/// Every code string in `src` is in the registry (no code can be reported
/// that the registry lacks), and every registry code is reported somewhere.
#[test]
fn registry_and_sources_agree() {
    let mut sources = String::new();
    let mut stack = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("codes.rs") {
                sources.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    for literal in sources
        .split('"')
        .filter(|s| s.starts_with("attrmap::") && s.matches("::").count() == 2)
    {
        // Rule files hold their own row: the string must still be registered.
        assert!(
            Code::find(literal).is_some_and(|c| c.as_str() == literal),
            "{literal} is not in the registry"
        );
    }
    for code in Code::ALL {
        let variant = format!("Code::{code:?}");
        let uses = sources.matches(&format!("{variant},")).count()
            + sources.matches(&format!("{variant})")).count()
            + sources.matches(&format!("{variant}\n")).count()
            + sources.matches(&format!("{variant} ")).count();
        assert!(
            uses > 0,
            "{code} is registered but never reported ({variant} is not used in src)"
        );
    }
}

#[test]
fn docs_list_every_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lint-rules.md");
    let expected = format!("# Lint rules\n\nGenerated from the code registry, `src/codes.rs` (`attrmap lint --explain CODE` prints one).\n\n{}", attrmap::codes::markdown());
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != expected {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, expected).unwrap();
        } else {
            panic!("docs/lint-rules.md is stale; run `UPDATE_DOCS=1 cargo test --test cli lint`");
        }
    }
}

fn run_cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_attrmap"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Golden corpus: each tests/lint/*.json or *.expr has its expected JSON
/// output next to it in tests/lint/expected/. UPDATE_GOLDEN=1 rewrites them.
#[test]
fn golden_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint");
    let mut checked = 0;
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    for p in names {
        let rel = format!("tests/lint/{}", p.file_name().unwrap().to_string_lossy());
        let (code, stdout, stderr) = run_cli(&["lint", "--format", "json", &rel]);
        assert!(code == 0 || code == 1, "{rel}: exit {code}: {stderr}");
        let golden = dir
            .join("expected")
            .join(format!("{}.json", p.file_name().unwrap().to_string_lossy()));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &stdout).unwrap();
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|_| panic!("missing golden {}; run UPDATE_GOLDEN=1", golden.display()));
        assert_eq!(stdout, want, "{rel}: output differs from its golden file");
        let parsed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert!(
            !parsed.as_array().unwrap().is_empty(),
            "{rel} is meant to be a bad file"
        );
        checked += 1;
    }
    assert!(checked >= 4);
}

#[test]
fn cli_formats_and_exit_codes() {
    let (code, stdout, _) = run_cli(&[
        "lint",
        "--format",
        "github",
        "tests/lint/bad-expression.expr",
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("::error file=tests/lint/bad-expression.expr,line=1,col=84,"),
        "{stdout}"
    );
    assert!(
        stdout.contains("::warning file=tests/lint/bad-expression.expr,line=1,col=51,"),
        "{stdout}"
    );
    let (code, stdout, _) = run_cli(&[
        "lint",
        "--format",
        "sarif",
        "tests/lint/bad-expression.expr",
    ]);
    assert_eq!(code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
            .is_number()
    );
    // Without --format, human reports on stderr even when piped (a CI log),
    // and nothing on stdout.
    let (code, stdout, stderr) = run_cli(&["lint", "tests/lint/bad-expression.expr"]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("attrmap::lint::switch-duplicate-key")
            && stderr.contains("bad-expression.expr:1:84"),
        "{stderr}"
    );
    let (code, _, stderr) = run_cli(&["lint", "does-not-exist.json"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, stdout, _) = run_cli(&["lint", "--explain", "switch-duplicate-key"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("Bad:") && stdout.contains("Good:"));
    // The playground's explanation (wasm `explain`) is the same text.
    let spec = attrmap::codes::Code::find("switch-duplicate-key")
        .unwrap()
        .spec();
    assert_eq!(stdout.trim_end(), spec.explain_text());
    // Warnings alone pass, unless denied.
    let tmp = std::env::temp_dir().join(format!("attrmap-lint-{}.expr", std::process::id()));
    std::fs::write(&tmp, "toLower([a])").unwrap();
    let (code, _, _) = run_cli(&["lint", "--format", "json", tmp.to_str().unwrap()]);
    assert_eq!(code, 0);
    let (code, _, _) = run_cli(&[
        "lint",
        "--format",
        "json",
        "--deny",
        "warnings",
        tmp.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    std::fs::remove_file(&tmp).ok();
}

#[test]
fn linting_ten_thousand_expressions_is_fast() {
    let exprs = [
        r#"Switch([department], "r", "Legal", "e", "IT", "a", "Finance", "v")"#,
        r#"ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [givenName], [surname]))), "contoso.com"))"#,
        r#"Replace([mobile], , "[()\\s-]+", , "", , )"#,
        r#"IIF(DateDiff("d", Now(), CDate([StatusHireDate])) >= 0, "True", "False")"#,
    ];
    let start = std::time::Instant::now();
    let mut n = 0;
    for i in 0..10_000 {
        n += lint::lint_expression(exprs[i % exprs.len()]).len();
    }
    let elapsed = start.elapsed();
    assert!(n > 0);
    // Release builds take well under a second; this bound allows for debug builds on a busy machine.
    assert!(
        elapsed.as_secs_f64() < 20.0,
        "linting 10 000 expressions took {elapsed:?}"
    );
    eprintln!("linted 10 000 expressions in {elapsed:?}");
}

#[test]
fn seed_examples_lint_without_errors() {
    let (code, stdout, stderr) = run_cli(&["lint", "--format", "json", "examples/"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let findings: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert!(
        findings.iter().all(|f| f["severity"] != "error"),
        "{stdout}"
    );
    assert!(stderr.contains("10 file(s)"), "{stderr}");
}

fn codes_of(file: &str) -> Vec<&'static str> {
    attrmap::lint::lint_mapping(file)
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

/// switch-null-on-update covers what Microsoft's caution under Switch covers:
/// a Switch on a stored attribute beside other mappings. Microsoft's default
/// `active` mapping switches on the computed IsSoftDeleted and is not reported.
#[test]
fn switch_null_on_update_is_narrowed_to_the_documented_case() {
    let default_active = r#"{"objects": [{"object": "User", "mappings": [
        {"target": "userName", "attribute": "userPrincipalName", "match": 1},
        {"target": "displayName", "attribute": "displayName"},
        {"target": "active", "expression": "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")"}]}]}"#;
    assert!(!codes_of(default_active).contains(&"attrmap::lint::switch-null-on-update"));
    let company = default_active.replace(
        r#"Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")"#,
        r#"Switch([companyName], \"External\", \"Company A\", \"A\")"#,
    );
    assert!(codes_of(&company).contains(&"attrmap::lint::switch-null-on-update"));
}

/// default-only-on-create is reported once per object mapping, naming every
/// target whose default only applies on create.
#[test]
fn default_only_on_create_is_reported_once_per_object() {
    let file = r#"{"objects": [{"object": "User", "mappings": [
        {"target": "userName", "attribute": "userPrincipalName", "match": 1},
        {"target": "preferredLanguage", "attribute": "preferredLanguage", "default": "en-US"},
        {"target": "locale", "attribute": "locale", "default": "en-US"},
        {"target": "timezone", "attribute": "timezone", "default": "UTC"}]},
      {"object": "Group", "mappings": [
        {"target": "displayName", "attribute": "displayName", "match": 1},
        {"target": "externalId", "attribute": "mailNickname", "default": "none"}]}]}"#;
    let found: Vec<_> = attrmap::lint::lint_mapping(file)
        .into_iter()
        .filter(|d| d.code.as_str() == "attrmap::lint::default-only-on-create")
        .collect();
    assert_eq!(found.len(), 2, "one per object mapping: {found:?}");
    assert_eq!(
        found[0].message,
        "the defaults of preferredLanguage, locale and timezone apply only when the object is created, not on updates"
    );
    assert!(found[1].message.starts_with("the default of externalId "));
}

/// The rules for real-world mistakes stay silent on Microsoft's default SCIM
/// mapping (no finding at all) and on the five seed apps' mappings.
#[test]
fn real_world_rules_are_silent_on_the_defaults_and_the_seed_apps() {
    const NEW_RULES: &[&str] = &[
        "attrmap::lint::join-separator-attribute",
        "attrmap::lint::active-from-soft-deleted",
        "attrmap::lint::scope-unsupported-attribute",
        "attrmap::lint::proxy-addresses-into-emails",
        "attrmap::lint::single-role-constant-type",
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let default_scim =
        std::fs::read_to_string(root.join("tests/data/lint-clean/ms-default-scim.json")).unwrap();
    assert_eq!(codes_of(&default_scim), Vec::<&str>::new());
    let mut seeds = 0;
    for dir in ["examples/native", "examples/graph"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let found: Vec<_> = codes_of(&text)
                .into_iter()
                .filter(|c| NEW_RULES.contains(c))
                .collect();
            assert!(found.is_empty(), "{}: {found:?}", entry.path().display());
            seeds += 1;
        }
    }
    assert_eq!(seeds, 10, "five apps, two formats");
}

/// Scoping on an attribute the source directory declares DateTime or
/// multi-valued is reported too (known-issues.md).
#[test]
fn scoping_on_dates_and_multi_valued_source_attributes_is_reported() {
    let schema = serde_json::json!({
        "directories": [{"name": "Azure Active Directory", "objects": [{"name": "User", "attributes": [
            {"name": "userPrincipalName", "type": "String"},
            {"name": "department", "type": "String"},
            {"name": "employeeHireDate", "type": "DateTime"},
            {"name": "extension_abc_Skills", "type": "String", "multivalued": true}]}]}],
        "synchronizationRules": [{"sourceDirectoryName": "Azure Active Directory", "targetDirectoryName": "customappsso",
            "objectMappings": [{"sourceObjectName": "User", "targetObjectName": "User",
                "scope": {"groups": [{"clauses": [
                    {"sourceOperandName": "employeeHireDate", "operatorName": "IS NOT NULL", "targetOperand": null},
                    {"sourceOperandName": "extension_abc_Skills", "operatorName": "EQUALS", "targetOperand": {"values": ["Rust"]}},
                    {"sourceOperandName": "department", "operatorName": "EQUALS", "targetOperand": {"values": ["Legal"]}}]}]},
                "attributeMappings": [{"targetAttributeName": "userName", "matchingPriority": 1,
                    "source": {"type": "Attribute", "name": "userPrincipalName"}}]}]}]
    })
    .to_string();
    let found: Vec<String> = attrmap::lint::lint_mapping(&schema)
        .into_iter()
        .filter(|d| d.code.as_str() == "attrmap::lint::scope-unsupported-attribute")
        .map(|d| d.message)
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("employeeHireDate") && found[0].contains("DateTime"));
    assert!(found[1].contains("extension_abc_Skills") && found[1].contains("multi-valued"));
}
