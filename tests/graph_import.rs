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
