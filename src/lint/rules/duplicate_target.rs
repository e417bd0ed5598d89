//! The same target attribute mapped twice in one object mapping.

use super::{Check, ObjectContext, Rule};
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Span;
use std::collections::HashMap;

pub const SPEC: Spec = spec(
    "attrmap::lint::duplicate-target",
    Severity::Error,
    "The same target attribute is mapped twice.",
    "Two mappings that write the same SCIM attribute race each other; Entra rejects the second.",
    Mapping {
        shown: "two mappings with target userName",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "userName", "attribute": "userPrincipalName"}]}]}"#,
    },
    Mapping {
        shown: "one mapping per target attribute",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "externalId", "attribute": "userPrincipalName"}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::DuplicateTarget,
    check: Check::Object(check),
};

fn check(o: &ObjectContext<'_>, diags: &mut Vec<Diagnostic>) {
    let mut targets: HashMap<String, Span> = HashMap::new();
    for a in &o.object.attributes {
        let key = a.target.to_ascii_lowercase();
        if let Some(first) = targets.get(&key) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateTarget,
                    a.target_span,
                    format!(
                        "{} is already mapped on line {}",
                        a.target,
                        o.file.lines.line_col(o.file.text, first.start).0
                    ),
                )
                .with_help("keep one mapping per target attribute"),
            );
        } else {
            targets.insert(key, a.target_span);
        }
    }
}
