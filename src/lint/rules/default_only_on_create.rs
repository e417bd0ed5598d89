//! A default value on a mapping that also applies on updates, where Entra
//! does not use it.

use super::{finding, Check, ObjectContext, Rule};
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::mapping::{AttributeMapping, FlowType, Source};

pub const SPEC: Spec = spec(
    "attrmap::lint::default-only-on-create",
    Severity::Warning,
    "A default value is set on a mapping that also applies on updates.",
    "Entra applies a mapping's default value only when it creates the object (customize-application-attributes.md, \"Default value if null\"). On updates a null source is sent as it is, so the default does not protect the target attribute. Reported once per object mapping, naming every such target.",
    Mapping {
        shown: "preferredLanguage ← [preferredLanguage], default en-US, apply always",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "preferredLanguage", "attribute": "preferredLanguage", "default": "en-US"}]}]}"#,
    },
    Mapping {
        shown: "preferredLanguage ← Coalesce([preferredLanguage], \"en-US\"), apply always",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "preferredLanguage", "expression": "Coalesce([preferredLanguage], \"en-US\")"}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::DefaultOnlyOnCreate,
    check: Check::Object(check),
};

/// One finding per object mapping, at its first such default, naming every
/// target concerned: gallery templates set several defaults at once, and
/// one fix (Coalesce, or apply on create only) applies to all of them.
fn check(c: &ObjectContext<'_>, diags: &mut Vec<Diagnostic>) {
    let concerned: Vec<&AttributeMapping> = c
        .object
        .attributes
        .iter()
        .filter(|a| {
            a.default_value.is_some()
                && a.flow == FlowType::Always
                && !matches!(a.source, Source::Constant { .. })
        })
        .collect();
    let Some(first) = concerned.first() else {
        return;
    };
    let targets: Vec<&str> = concerned.iter().map(|a| a.target.as_str()).collect();
    let message = match targets.as_slice() {
        [one] => {
            format!("the default of {one} applies only when the object is created, not on updates")
        }
        [rest @ .., last] => format!(
            "the defaults of {} and {last} apply only when the object is created, not on updates",
            rest.join(", ")
        ),
        [] => return,
    };
    diags.push(finding(
        Code::DefaultOnlyOnCreate,
        first.default_span.unwrap_or(first.span),
        message,
        "to cover updates too, put the default in the expression: Coalesce([attribute], \"default\"); to say it is meant for creation only, apply the mapping on create",
    ));
}
