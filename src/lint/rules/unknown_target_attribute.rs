//! A target that is not an attribute of the SCIM schema it names.

use super::{target_definition, AttributeContext, Check, Rule};
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{did_you_mean, Diagnostic, Severity};

pub const SPEC: Spec = spec(
    "attrmap::lint::unknown-target-attribute",
    Severity::Warning,
    "The target is not an attribute of the target's schema.",
    "attrmap knows RFC 7643's core User, Group and enterprise User schemas. A bare name that is not in them is usually a typo; an app-specific attribute is written with the core URN prefix (urn:ietf:params:scim:schemas:core:2.0:User:roleId) or its own extension URN. When a Graph schema lists the target directory's attributes (directories[]), that list decides instead: for a target that is not SCIM (Salesforce, an Entra ID tenant in cross-tenant sync) it is the only list, and for a SCIM target an attribute it declares is known.",
    Mapping {
        shown: "userNme",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userNme", "attribute": "mail", "match": 1}]}]}"#,
    },
    Mapping {
        shown: "userName",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::UnknownTargetAttribute,
    check: Check::Attribute(check),
};

fn check(c: &AttributeContext<'_>, diags: &mut Vec<Diagnostic>) {
    let a = c.attribute;
    if let Some(target) = c.object.target {
        if target.attribute(&a.target).is_some() {
            return;
        }
        if !target.is_scim() {
            let d = Diagnostic::new(
                Code::UnknownTargetAttribute,
                a.target_span,
                format!(
                    "{} is not an attribute of {} in the target directory's attribute list",
                    a.target, target.name
                ),
            );
            let names = target.attributes.iter().map(|d| d.name.as_str());
            diags.push(match did_you_mean(&a.target, names) {
                Some(s) => d.with_help(format!("did you mean {s}?")),
                None => d.with_help(
                    "check the spelling, or add the attribute to the target directory's attribute list (directories[].objects[].attributes[])",
                ),
            });
            return;
        }
    }
    let Some((path, Err(defs))) = target_definition(c.object.object.object, a) else {
        return;
    };
    // An explicit core URN prefix marks an app-specific attribute on purpose.
    let explicit_urn = a.target.to_ascii_lowercase().starts_with("urn:");
    if path.extension.is_none() && explicit_urn {
        return;
    }
    let schema = if path.extension.is_some() {
        "enterprise User"
    } else {
        c.object.object.object.as_str()
    };
    let d = Diagnostic::new(
        Code::UnknownTargetAttribute,
        a.target_span,
        format!(
            "{} is not an attribute of the {schema} schema",
            path.attribute
        ),
    );
    diags.push(match did_you_mean(&path.attribute, defs.iter().map(|d| d.name)) {
        Some(s) => d.with_help(format!("did you mean {s}?")),
        None => d.with_help("for an app-specific attribute, write the schema URN prefix, e.g. urn:ietf:params:scim:schemas:core:2.0:User:roleId"),
    });
}
