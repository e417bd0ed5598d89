//! A Graph schema export with the oddities real ones have, mapped end to end.

use attrmap::eval::Context;
use attrmap::mapping::builder::{compile_object, Mapped, Mode};
use attrmap::mapping::{load, Format, ObjectType, Source};
use serde_json::json;

const EXPORT: &str = include_str!("data/graph-export.json");

#[test]
fn export_loads_with_directories_and_maps() {
    let l = load(EXPORT).unwrap();
    assert_eq!(l.set.format, Format::Graph);
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    assert_eq!(l.set.objects.len(), 2, "the placeholder mapping is skipped");
    let attrs = &l.set.directories[0].objects[0].attributes;
    assert_eq!(attrs[1].referenced_objects, ["User"]);
    let user = l.set.object(ObjectType::User).unwrap();
    // No expression: rebuilt from the tree, span of the tree kept.
    match &user.attributes[2].source {
        Source::Expression {
            text,
            span: None,
            tree_span: Some(_),
        } => {
            assert_eq!(text, r#"Switch([department], , "Legal", "editor")"#)
        }
        other => panic!("{other:?}"),
    }
    let c = compile_object(&l.set, ObjectType::User, EXPORT).unwrap();
    let u = json!({"userPrincipalName": "a@x", "IsSoftDeleted": false, "department": "Legal", "manager": "m-1"});
    let Mapped::Resource(r) = c.map(&u, Mode::Create, &mut Context::new(), EXPORT, None) else {
        panic!()
    };
    assert_eq!(
        r,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "userName": "a@x", "active": true, "roleId": "editor", "userType": "Employee",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "m-1"}}
        })
    );
    let out_of_scope = json!({"userPrincipalName": "b@x", "department": "Finance"});
    assert_eq!(
        c.map(
            &out_of_scope,
            Mode::Create,
            &mut Context::new(),
            EXPORT,
            None
        ),
        Mapped::Skipped("scope")
    );
    let g = compile_object(&l.set, ObjectType::Group, EXPORT).unwrap();
    let Mapped::Resource(r) = g.map(
        &json!({"displayName": "G", "members": ["u1", "u2"]}),
        Mode::Create,
        &mut Context::new(),
        EXPORT,
        None,
    ) else {
        panic!()
    };
    assert_eq!(r["members"], json!([{"value": "u1"}, {"value": "u2"}]));
}

/// The fragments Graph's docs and admins pass around: an objectMapping, a
/// synchronizationRule, an attributeMappings array and a jobs list. Each
/// holds the same mappings, written with Graph's own keys: Switch pairs as
/// repeated `switchValue` parameters, numbers as Constant strings.
#[test]
fn graph_fragments_load_as_the_same_mappings() {
    let files = [
        (
            "object-mapping",
            include_str!("data/graph-fragments/object-mapping.json"),
        ),
        ("rule", include_str!("data/graph-fragments/rule.json")),
        (
            "attribute-mappings",
            include_str!("data/graph-fragments/attribute-mappings.json"),
        ),
        ("jobs", include_str!("data/graph-fragments/jobs.json")),
    ];
    let user = json!({"userPrincipalName": "abcdefghij@contoso.com", "department": "Legal"});
    for (name, src) in files {
        let l = load(src).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(l.set.format, Format::Graph, "{name}");
        let codes: Vec<&str> = l.diagnostics.iter().map(|d| d.code.as_str()).collect();
        // Only the bare array gets a word: it names no object type.
        let expected: &[&str] = if name == "attribute-mappings" {
            &["attrmap::mapping::bare-attribute-mappings"]
        } else {
            &[]
        };
        assert_eq!(codes, expected, "{name}: no false findings");
        let c = compile_object(&l.set, ObjectType::User, src).unwrap();
        let Mapped::Resource(r) = c.map(&user, Mode::Create, &mut Context::new(), src, None) else {
            panic!("{name}")
        };
        assert_eq!(
            r["roleId"], "editor",
            "{name}: tree-only Switch with switchValue keys"
        );
        assert_eq!(
            r["displayName"], "editor",
            "{name}: switchValue pairs without a defaultValue"
        );
        assert_eq!(
            r["externalId"], "abcdefgh",
            "{name}: Mid with Constant \"1\" and \"8\""
        );
    }
}

#[test]
fn a_trailing_comma_gets_a_hint() {
    let src = "{\"objects\": [{\"object\": \"User\", \"mappings\": [\n  {\"target\": \"userName\", \"attribute\": \"mail\", \"match\": 1},\n]}]}";
    let e = load(src).expect_err("not JSON");
    assert_eq!(e.code.as_str(), "attrmap::mapping::json");
    assert!(
        e.help.as_deref().unwrap_or("").contains("trailing comma"),
        "{e:?}"
    );
    let missing_value = "{\"objects\": [1, ]}";
    assert!(load(missing_value)
        .err()
        .unwrap()
        .help
        .unwrap_or_default()
        .contains("trailing comma"));
    let other = "{\"objects\": [1 2]}";
    assert!(
        load(other).err().unwrap().help.is_none(),
        "no hint without a trailing comma"
    );
}

/// `convert` and `eval --graph-tree` write Switch pairs as Graph does, and
/// read back what older attrmap versions wrote (`key`/`value`).
#[test]
fn switch_trees_use_graph_keys_and_read_legacy_ones() {
    use attrmap::mapping::tree::{rebuild, to_graph_tree};
    let src = r#"Switch([department], , "Legal", "editor")"#;
    let e = attrmap::syntax::parse(src, &attrmap::syntax::Limits::default()).unwrap();
    let tree = to_graph_tree(&e, src);
    let keys: Vec<&str> = tree["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["source", "switchValue", "switchValue"]);
    let legacy =
        tree.to_string()
            .replacen("switchValue", "key", 1)
            .replacen("switchValue", "value", 1);
    for text in [tree.to_string(), legacy] {
        let j = attrmap::mapping::json::parse(&text).unwrap();
        assert_eq!(
            rebuild(&j, 0).unwrap(),
            r#"Switch([department], , "Legal", "editor")"#
        );
    }
}

const SALESFORCE: &str = include_str!("data/graph-directories/salesforce.json");

/// A target that is not SCIM is checked against its own attribute list
/// (Graph's documented salesforce.com directory), and its values are typed
/// by the declared types: Booleans are JSON booleans, a Reference is the id.
#[test]
fn a_non_scim_target_lints_against_its_directory_and_maps_typed_values() {
    let findings = attrmap::lint::lint_mapping(SALESFORCE);
    let unknown: Vec<_> = findings
        .iter()
        .filter(|d| d.code.as_str().ends_with("unknown-target-attribute"))
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
    let l = load(SALESFORCE).unwrap();
    let c = compile_object(&l.set, ObjectType::User, SALESFORCE).unwrap();
    let user = json!({"userPrincipalName": "zoe.muller@contoso.com", "IsSoftDeleted": false,
        "mail": "zoe@contoso.com", "givenName": "Zoë", "surname": "Müller", "mailNickname": "zoe",
        "jobTitle": "Counsel", "department": "Legal", "city": "Lyon", "extensionAttribute10": "LY-2",
        "manager": "m-1"});
    let Mapped::Resource(r) = c.map(&user, Mode::Create, &mut Context::new(), SALESFORCE, None)
    else {
        panic!()
    };
    assert_eq!(r["IsActive"], json!(true));
    assert_eq!(r["UserPermissionsMarketingUser"], json!(false));
    assert_eq!(r["UserPermissionsCallCenterAutoLogin"], json!(false));
    assert_eq!(r["ManagerId"], json!("m-1"));
    // Names keep the target's spelling: Title is not SCIM's title.
    assert_eq!(r["Title"], json!("Counsel"));
    assert_eq!(r["Alias"], json!("zoe.mull"));
    assert_eq!(r["officeCode"], json!("LY-2"));
    assert!(r.get("title").is_none() && r.get("userName").is_none());

    // A typo is caught against the directory's list, with its spelling.
    let typo = SALESFORCE.replacen(
        "\"targetAttributeName\": \"Email\"",
        "\"targetAttributeName\": \"Emial\"",
        1,
    );
    let found: Vec<_> = attrmap::lint::lint_mapping(&typo)
        .into_iter()
        .filter(|d| d.code.as_str().ends_with("unknown-target-attribute"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("Emial"), "{found:?}");
    assert_eq!(found[0].help.as_deref(), Some("did you mean Email?"));

    // A Boolean constant that is not a Boolean is an error, as for SCIM.
    let bad = SALESFORCE
        .replacen(r#""name": "False""#, r#""name": "no""#, 1)
        .replacen(
            r#""expression": "\"False\"""#,
            r#""expression": "\"no\"""#,
            1,
        );
    assert!(attrmap::lint::lint_mapping(&bad)
        .iter()
        .any(|d| d.code.as_str().ends_with("target-type")));
}

/// Custom SCIM attributes get the type the target directory declares:
/// Boolean, Integer and DateTime (xsd:dateTime in UTC, RFC 7643 §2.3.5).
#[test]
fn custom_scim_attributes_get_their_declared_type() {
    let ext = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
    let schema = json!({
        "directories": [{"name": "customappsso", "objects": [{"name": "User", "attributes": [
            {"name": "userName", "type": "String"},
            {"name": format!("{ext}:orderCard"), "type": "Boolean"},
            {"name": format!("{ext}:seats"), "type": "Integer"},
            {"name": format!("{ext}:hireDate"), "type": "DateTime"},
            {"name": format!("{ext}:tags"), "type": "String", "multivalued": true}]}]}],
        "synchronizationRules": [{"name": "USER_OUTBOUND_USER", "sourceDirectoryName": "Azure Active Directory",
            "targetDirectoryName": "customappsso", "objectMappings": [{
            "sourceObjectName": "User", "targetObjectName": "User", "attributeMappings": [
                {"targetAttributeName": "userName", "matchingPriority": 1, "source": {"type": "Attribute", "name": "userPrincipalName"}},
                {"targetAttributeName": format!("{ext}:orderCard"), "source": {"type": "Constant", "name": "True"}},
                {"targetAttributeName": format!("{ext}:seats"), "source": {"type": "Attribute", "name": "seats"}},
                {"targetAttributeName": format!("{ext}:hireDate"), "source": {"type": "Attribute", "name": "employeeHireDate"}},
                {"targetAttributeName": format!("{ext}:tags"), "source": {"type": "Attribute", "name": "tags"}}]}]}]
    })
    .to_string();
    let l = load(&schema).unwrap();
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    let c = compile_object(&l.set, ObjectType::User, &schema).unwrap();
    let map =
        |user: serde_json::Value| c.map(&user, Mode::Create, &mut Context::new(), &schema, None);
    let Mapped::Resource(r) = map(json!({"userPrincipalName": "a@x", "seats": "3",
        "employeeHireDate": "2024-03-01T08:00:00+02:00", "tags": ["a", "b"]}))
    else {
        panic!()
    };
    assert_eq!(
        r[ext],
        json!({"orderCard": true, "seats": 3, "hireDate": "2024-03-01T06:00:00Z",
               "tags": [{"value": "a"}, {"value": "b"}]})
    );
    let Mapped::Failed(errors) =
        map(json!({"userPrincipalName": "a@x", "employeeHireDate": "soon"}))
    else {
        panic!("a DateTime target refuses text that is not a date")
    };
    assert!(errors[0].message.contains("is a DateTime"), "{errors:?}");
}

/// An attribute the target directory declares required (Salesforce's Email)
/// that gets no value on create is an error, as the target would reject the
/// create; an update sends only what changed and is not checked.
#[test]
fn a_required_target_attribute_without_a_value_fails_the_create() {
    let l = load(SALESFORCE).unwrap();
    let c = compile_object(&l.set, ObjectType::User, SALESFORCE).unwrap();
    let user = json!({"userPrincipalName": "a@contoso.com", "IsSoftDeleted": false,
        "givenName": "A", "surname": "B", "mailNickname": "a"});
    let Mapped::Failed(errors) = c.map(&user, Mode::Create, &mut Context::new(), SALESFORCE, None)
    else {
        panic!("no mail: Salesforce's required Email has no value")
    };
    let codes: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.attribute.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(codes, [("Email", "attrmap::map::missing-required")]);
    assert!(
        errors[0].message.contains("declares User.Email required"),
        "{errors:?}"
    );
    assert!(matches!(
        c.map(&user, Mode::Update, &mut Context::new(), SALESFORCE, None),
        Mapped::Resource(_)
    ));
}

/// `--emit requests` prints SCIM requests, which a non-SCIM target never
/// receives: refused with a usage error rather than printed as if it did.
#[test]
fn requests_are_refused_for_a_non_scim_target() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_attrmap"))
        .args([
            "map",
            "tests/data/graph-directories/salesforce.json",
            "--input",
            "tests/data/exports/graph-users.json",
            "--emit",
            "requests",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a SCIM app"));
}
