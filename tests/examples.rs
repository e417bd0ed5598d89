//! Golden tests: every seed app's mapping, in both formats, maps the fixture
//! users and groups to the expected SCIM resources; native → Graph → native
//! is lossless; the committed Graph files are what `convert` writes.

use attrmap::mapping::{convert, load};
use std::path::Path;
use std::process::Command;

const APPS: &[(&str, bool)] = &[
    ("contracts-clm", true),
    ("clarizen-one", true),
    ("contractbook", true),
    ("dilitrust-clm", true),
    ("clebex", false),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn map(mapping: &Path, input: &str, object: &str) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_attrmap"))
        .arg("map")
        .arg(mapping)
        .args([
            "--input",
            input,
            "--object",
            object,
            "--now",
            "2024-05-01T09:30:00Z",
        ])
        .current_dir(root().join("examples"))
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

/// Result lines with the spans of error lines removed: they are offsets in
/// the mapping file, which differ between the native and the Graph file.
fn without_spans(jsonl: &str) -> Vec<serde_json::Value> {
    jsonl
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            if let Some(e) = v.get_mut("error").and_then(|e| e.as_object_mut()) {
                e.remove("span");
                for inner in e
                    .get_mut("errors")
                    .and_then(|a| a.as_array_mut())
                    .into_iter()
                    .flatten()
                {
                    inner.as_object_mut().map(|o| o.remove("span"));
                }
            }
            v
        })
        .collect()
}

#[test]
fn every_app_maps_fixtures_to_the_golden_resources_in_both_formats() {
    for (app, groups) in APPS {
        let mut objects = vec![("User", "users.jsonl")];
        if *groups {
            objects.push(("Group", "groups.jsonl"));
        }
        for (object, input) in objects {
            let expected = std::fs::read_to_string(
                root().join(format!("examples/expected/{app}.{object}.jsonl")),
            )
            .unwrap();
            for format in ["native", "graph"] {
                let path = root().join(format!("examples/{format}/{app}.json"));
                let (got, code) = map(&path, input, object);
                // A record Entra could not provision is an error line, and
                // any error line makes the run exit 3.
                let errors = expected.contains("\"error\":");
                assert_eq!(code, if errors { 3 } else { 0 }, "{app} {format} {object}");
                assert_eq!(
                    without_spans(&got),
                    without_spans(&expected),
                    "{app} {format} {object}"
                );
            }
        }
    }
}

#[test]
fn native_to_graph_to_native_is_lossless_and_graph_files_are_current() {
    for (app, _) in APPS {
        let native =
            std::fs::read_to_string(root().join(format!("examples/native/{app}.json"))).unwrap();
        let first = load(&native).unwrap();
        assert!(
            first.diagnostics.is_empty(),
            "{app}: {:?}",
            first.diagnostics
        );
        let graph = convert::to_graph(&first.set).unwrap();
        let committed: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root().join(format!("examples/graph/{app}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(
            graph, committed,
            "{app}: regenerate examples/graph with attrmap convert"
        );
        let second = load(&serde_json::to_string_pretty(&graph).unwrap()).unwrap();
        assert!(
            second.diagnostics.is_empty(),
            "{app}: {:?}",
            second.diagnostics
        );
        let (text, warnings) = convert::to_native(&second.set);
        assert!(warnings.is_empty());
        let third = load(&text).unwrap();
        assert_eq!(
            convert::semantic_view(&first.set),
            convert::semantic_view(&third.set),
            "{app}"
        );
    }
}

/// Four departments' role ids reach resources; the two users without `mail`
/// (DiliTrust's userName) are errors, not resources the target would reject.
#[test]
fn dilitrust_yields_role_ids_and_refuses_users_without_mail() {
    let out = map(
        &root().join("examples/native/dilitrust-clm.json"),
        "users.jsonl",
        "User",
    )
    .0;
    let mut roles: Vec<String> = out
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            Some(v["resource"]["roleId"].as_str()?.to_string())
        })
        .collect();
    roles.sort();
    roles.dedup();
    assert_eq!(roles.len(), 4, "{roles:?}");
    let refused: Vec<u64> = out
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            (v["error"]["code"] == "attrmap::map::missing-required").then(|| v["index"].as_u64())?
        })
        .collect();
    assert_eq!(refused, [2, 5], "{out}");
}

/// The published schema and the loader agree on the property names (the
/// loader warns on anything else, and no example draws a warning).
#[test]
fn json_schema_lists_the_properties_the_loader_reads() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/attrmap-mapping.schema.json")).unwrap(),
    )
    .unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&schema),
        ["$schema", "app", "description", "lint", "objects"]
    );
    assert_eq!(
        keys(&schema["$defs"]["mapping"]),
        [
            "apply",
            "attribute",
            "constant",
            "default",
            "expression",
            "match",
            "target"
        ]
    );
    assert_eq!(
        keys(&schema["$defs"]["object"]),
        ["enabled", "mappings", "name", "object", "scope", "source"]
    );
    let ops: Vec<&str> = schema["$defs"]["clause"]["properties"]["operator"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let known: Vec<&str> = attrmap::mapping::ScopeOperator::ALL
        .iter()
        .map(|o| o.wire_name())
        .collect();
    assert_eq!(ops, known);
    // An unknown property draws a warning.
    let l = load(
        r#"{"objects": [{"object": "User", "mappings": [{"target": "a", "atribute": "b"}]}]}"#,
    )
    .unwrap();
    assert!(l
        .diagnostics
        .iter()
        .any(|d| d.code == "attrmap::mapping::unknown-property"));
}
