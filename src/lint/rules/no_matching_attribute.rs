//! An enabled object mapping without any matching attribute.

use super::{finding, Check, ObjectContext, Rule};
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};

pub const SPEC: Spec = spec(
    "attrmap::lint::no-matching-attribute",
    Severity::Warning,
    "An object mapping has no matching attribute.",
    "Entra needs at least one attribute with a matching precedence to find existing objects in the target app; without one every sync creates duplicates.",
    Mapping {
        shown: "userName mapped with matchingPriority 0",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail"}]}]}"#,
    },
    Mapping {
        shown: "userName mapped with matchingPriority 1",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::NoMatchingAttribute,
    check: Check::Object(check),
};

fn check(o: &ObjectContext<'_>, diags: &mut Vec<Diagnostic>) {
    let om = o.object;
    if om.enabled
        && !om.attributes.is_empty()
        && om.attributes.iter().all(|a| a.matching_priority == 0)
    {
        diags.push(finding(
            Code::NoMatchingAttribute,
            om.span,
            format!(
                "the {} mapping has no matching attribute",
                om.object.as_str()
            ),
            "give one attribute (usually userName or externalId) a matching precedence of 1",
        ));
    }
}
