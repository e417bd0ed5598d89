//! A constant that does not fit the target attribute's type.

use super::{target_definition, AttributeContext, Check, Rule};
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::mapping::{scim::AttrType, Source};

pub const SPEC: Spec = spec(
    "attrmap::lint::target-type",
    Severity::Error,
    "A constant does not fit the target attribute's type.",
    "SCIM booleans take True/False (or true/false), and integers take whole numbers. A constant such as \"yes\" for active is rejected by the target app. The type is RFC 7643's, or the one the Graph schema's target directory declares (directories[]) for other attributes.",
    Mapping {
        shown: "active ← constant \"yes\"",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "active", "constant": "yes"}]}]}"#,
    },
    Mapping {
        shown: "active ← constant \"True\"",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "active", "constant": "True"}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::TargetType,
    check: Check::Attribute(check),
};

fn check(c: &AttributeContext<'_>, diags: &mut Vec<Diagnostic>) {
    let a = c.attribute;
    let Source::Constant { value, span } = &a.source else {
        return;
    };
    let Some(ty) = declared_type(c) else { return };
    let fits = match ty {
        AttrType::Boolean => ["true", "false"]
            .iter()
            .any(|b| value.trim().eq_ignore_ascii_case(b)),
        AttrType::Integer => value.trim().parse::<i64>().is_ok(),
        AttrType::DateTime => crate::functions::dates::parse_datetime(value).is_some(),
        _ => true,
    };
    if fits {
        return;
    }
    // The type's Debug name, lower-cased, reads as prose ("a boolean");
    // the target keeps its own spelling.
    let message = format!(
        "{} is a {:?}, but the constant is \"{value}\"",
        a.target, ty
    )
    .to_lowercase()
    .replacen(&a.target.to_lowercase(), &a.target, 1);
    diags.push(
        Diagnostic::new(Code::TargetType, span.unwrap_or(a.span), message).with_help(match ty {
            AttrType::Boolean => "use \"True\" or \"False\"",
            AttrType::DateTime => "use an ISO 8601 date, such as 2026-03-01T00:00:00Z",
            _ => "use a whole number",
        }),
    );
}

/// The target's type: RFC 7643's for a SCIM attribute it defines, else the
/// target directory's declaration.
fn declared_type(c: &AttributeContext<'_>) -> Option<AttrType> {
    let a = c.attribute;
    let declared = c.object.target.and_then(|t| {
        let d = t.attribute(&a.target)?;
        (!d.multivalued).then(|| d.declared_type()).flatten()
    });
    if c.object.target.is_some_and(|t| !t.is_scim()) {
        return declared;
    }
    match target_definition(c.object.object.object, a) {
        Some((path, Ok(def))) => match &path.sub_attribute {
            Some(sub) => def
                .subs
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(sub))
                .map(|(_, t)| *t),
            None => Some(def.ty),
        },
        _ => declared,
    }
}
