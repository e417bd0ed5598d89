//! `attrmap map --emit requests` end to end: the binary, the seed mappings,
//! a target state file.

use crate::common;

use serde_json::{json, Value};

fn lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("attrmap-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn creates_with_entras_shape_then_patches_only_changes() {
    let users = std::fs::read("examples/users.jsonl").unwrap();
    let mapping = "examples/native/contractbook.json";
    let (out, err, code) = common::map_stdin(&[mapping, "--emit", "requests"], &users);
    assert_eq!(code, 0, "{err}");
    let created = lines(&out);
    let posts: Vec<&Value> = created.iter().filter(|l| l["method"] == "POST").collect();
    // Pablo (record 2) is disabled in Entra ID: Entra does not provision him
    // (how-provisioning-works.md, "Known limitations").
    assert_eq!(posts.len(), 5, "{created:?}");
    assert!(
        created.contains(&json!({"index": 2, "skipped": "disabled"})),
        "{created:?}"
    );
    assert!(err.contains("6 in, 5 out, 1 skipped, 0 errors"), "{err}");
    let john = &posts[0]["body"];
    assert_eq!(john["meta"], json!({"resourceType": "User"}));
    assert_eq!(
        john["emails"],
        json!([{"primary": true, "type": "work", "value": "john.smith@contoso.com"}])
    );
    assert_eq!(john["externalId"], "2a1d6f3e-8c4b-4f7a-9d2e-1b3c5a7e9f01");

    // The target holds John, with another surname and an old externalId.
    let state = temp_file(
        "state.jsonl",
        r#"{"id": "t-john", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "john.smith@contoso.com", "externalId": "old", "active": true, "displayName": "John Smith", "name": {"givenName": "John", "familyName": "Smyth"}, "emails": [{"type": "work", "value": "john.smith@contoso.com", "primary": true}]}"#,
    );
    for (dialect, op) in [("default", "Replace"), ("aadOptscim062020", "replace")] {
        let (out, err, code) = common::map_stdin(
            &[
                mapping,
                "--emit",
                "requests",
                "--target-state",
                state.to_str().unwrap(),
                "--patch-dialect",
                dialect,
            ],
            &users,
        );
        assert_eq!(code, 0, "{err}");
        let got = lines(&out);
        let john: Vec<&Value> = got.iter().filter(|l| l["index"] == 0).collect();
        assert_eq!(john.len(), 2, "{john:?}");
        assert_eq!(john[1]["method"], "PATCH");
        assert_eq!(john[1]["path"], "/Users/t-john");
        // Only the surname changed; externalId is create-only.
        assert_eq!(
            john[1]["body"]["Operations"],
            json!([{"op": op, "path": "name.familyName", "value": "Smith"}])
        );
        // The others are created, but for disabled Pablo.
        assert_eq!(got.iter().filter(|l| l["method"] == "POST").count(), 4);
    }
    let _ = std::fs::remove_file(state);
}

#[test]
fn group_members_resolve_through_the_target_state() {
    let groups = std::fs::read("examples/groups.jsonl").unwrap();
    let state = temp_file(
        "users-state.jsonl",
        r#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": [{"id": "t-john", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "john.smith@contoso.com"}]}"#,
    );
    let (out, err, code) = common::map_stdin(
        &[
            "examples/native/contracts-clm.json",
            "--object",
            "group",
            "--emit",
            "requests",
            "--target-state",
            state.to_str().unwrap(),
            "--references",
            "examples/users.jsonl",
        ],
        &groups,
    );
    assert_eq!(code, 0, "{err}");
    // Each input says which form it was read as.
    assert!(err.contains("references: JSON Lines"), "{err}");
    assert!(err.contains("source: JSON Lines"), "{err}");
    let got = lines(&out);
    let legal: Vec<&Value> = got.iter().filter(|l| l["index"] == 0).collect();
    assert_eq!(legal[1]["method"], "POST");
    assert!(legal[1]["body"].get("members").is_none());
    assert_eq!(legal[1]["body"]["meta"], json!({"resourceType": "Group"}));
    // John is in the target; Pablo is not: his addition waits, marked.
    assert_eq!(legal[2]["path"], "/Groups/{{created:0}}");
    assert_eq!(
        legal[2]["body"]["Operations"][0]["value"],
        json!([{"$ref": null, "value": "t-john"}])
    );
    assert_eq!(
        legal[3]["pending"],
        json!([
            "{{created:0}}",
            "{{missing:4c3f8b5a-0e6d-4b9c-9f4a-3d5e7c9a1b23}}"
        ])
    );
    let _ = std::fs::remove_file(state);
}

#[test]
fn request_options_without_requests_are_refused() {
    let (_, err, code) = common::map_stdin(
        &[
            "examples/native/contractbook.json",
            "--target-state",
            "x.jsonl",
        ],
        b"{}\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("--emit requests"), "{err}");
    let (_, err, code) = common::map_stdin(
        &[
            "examples/native/contractbook.json",
            "--emit",
            "requests",
            "--mode",
            "update",
        ],
        b"{}\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("--target-state"), "{err}");
}
