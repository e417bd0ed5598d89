//! Two attributes of one object mapping with the same matching precedence.

use super::{Check, ObjectContext, Rule};
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Span;
use std::collections::HashMap;

pub const SPEC: Spec = spec(
    "attrmap::lint::duplicate-matching-priority",
    Severity::Error,
    "Two attributes share a matching precedence.",
    "Matching precedences order the lookups Entra makes; each must be unique.",
    Mapping {
        shown: "userName and externalId both with matchingPriority 1",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "externalId", "attribute": "objectId", "match": 1}]}]}"#,
    },
    Mapping {
        shown: "userName 1, externalId 2",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "externalId", "attribute": "objectId", "match": 2}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::DuplicateMatchingPriority,
    check: Check::Object(check),
};

fn check(o: &ObjectContext<'_>, diags: &mut Vec<Diagnostic>) {
    let mut priorities: HashMap<u32, Span> = HashMap::new();
    for a in o
        .object
        .attributes
        .iter()
        .filter(|a| a.matching_priority > 0)
    {
        if let Some(first) = priorities.get(&a.matching_priority) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateMatchingPriority,
                    a.span,
                    format!(
                        "matching precedence {} is already used on line {}",
                        a.matching_priority,
                        o.file.lines.line_col(o.file.text, first.start).0
                    ),
                )
                .with_help("give each matching attribute its own precedence (1, 2, …)"),
            );
        } else {
            priorities.insert(a.matching_priority, a.span);
        }
    }
}
