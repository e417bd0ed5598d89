//! A default value on a mapping that also applies on updates, where Entra
//! does not use it.

use super::{finding, AttributeContext, Check, Rule};
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::mapping::{FlowType, Source};

pub const SPEC: Spec = spec(
    "attrmap::lint::default-only-on-create",
    Severity::Warning,
    "A default value is set on a mapping that also applies on updates.",
    "Entra applies a mapping's default value only when it creates the object. On updates a null source is sent as it is, so the default does not protect the target attribute.",
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
    check: Check::Attribute(check),
};

fn check(c: &AttributeContext<'_>, diags: &mut Vec<Diagnostic>) {
    let a = c.attribute;
    if a.default_value.is_some()
        && a.flow == FlowType::Always
        && !matches!(a.source, Source::Constant { .. })
    {
        diags.push(finding(
            Code::DefaultOnlyOnCreate,
            a.default_span.unwrap_or(a.span),
            format!("the default of {} applies only when the object is created, not on updates", a.target),
            "to cover updates too, put the default in the expression: Coalesce([attribute], \"default\")",
        ));
    }
}
