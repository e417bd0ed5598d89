//! A constant roles sub-attribute beside SingleAppRoleAssignment's value.

use super::{finding, uses, Check, ObjectContext, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::mapping::scim::ScimPath;
use crate::mapping::Source;

pub const SPEC: Spec = spec(
    "attrmap::lint::single-role-constant-type",
    Severity::Warning,
    "A roles element gets a constant sub-attribute beside SingleAppRoleAssignment's value.",
    "SingleAppRoleAssignment gives nothing for a user without an app role (functions-for-customizing-application-data.md), so roles[…].value does not flow for that user; a constant mapped to the same element's type (or display, or primary) still flows, and the target receives a role element with a type and no value. Derive the sub-attribute from the role too, so that it is empty when the role is (Switch(SingleAppRoleAssignment([appRoleAssignments]), \"WindowsAzureActiveDirectoryRole\", \"\", \"\")), or let AppRoleAssignmentsComplex build whole role elements.",
    Mapping {
        shown: "roles[primary eq \"True\"].value ← SingleAppRoleAssignment([appRoleAssignments]); roles[primary eq \"True\"].type ← constant \"WindowsAzureActiveDirectoryRole\"",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "userPrincipalName", "match": 1}, {"target": "roles[primary eq \"True\"].value", "expression": "SingleAppRoleAssignment([appRoleAssignments])"}, {"target": "roles[primary eq \"True\"].type", "constant": "WindowsAzureActiveDirectoryRole"}]}]}"#,
    },
    Mapping {
        shown: "roles ← AppRoleAssignmentsComplex([appRoleAssignments])",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "userPrincipalName", "match": 1}, {"target": "roles", "expression": "AppRoleAssignmentsComplex([appRoleAssignments])"}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::SingleRoleConstantType,
    check: Check::Object(check),
};

fn check(c: &ObjectContext<'_>, diags: &mut Vec<Diagnostic>) {
    let roles = |target: &str| {
        ScimPath::parse(target)
            .ok()
            .filter(|p| p.extension.is_none() && p.attribute.eq_ignore_ascii_case("roles"))
    };
    // The elements (by filter) whose value SingleAppRoleAssignment gives.
    let single_role_elements: Vec<Option<(String, String)>> = c
        .object
        .attributes
        .iter()
        .filter_map(|a| {
            let p = roles(&a.target)?;
            let is_value = p
                .sub_attribute
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case("value"));
            let text = a.source.expression_text()?;
            let ast = crate::syntax::parse(&text, &crate::Limits::default()).ok()?;
            let mut ast = ast;
            crate::check::annotate(&mut ast);
            (is_value && uses(&ast, FnId::SingleAppRoleAssignment)).then_some(p.filter)
        })
        .collect();
    if single_role_elements.is_empty() {
        return;
    }
    for a in &c.object.attributes {
        let (Some(p), Source::Constant { span, .. }) = (roles(&a.target), &a.source) else {
            continue;
        };
        let Some(sub) = p.sub_attribute.as_deref() else {
            continue;
        };
        if sub.eq_ignore_ascii_case("value") || !single_role_elements.contains(&p.filter) {
            continue;
        }
        diags.push(finding(
            Code::SingleRoleConstantType,
            span.unwrap_or(a.span),
            format!("{} is a constant, but the element's value comes from SingleAppRoleAssignment: a user without an app role gets a role with a {sub} and no value", a.target),
            "derive it from the role, so it is empty when the role is: Switch(SingleAppRoleAssignment([appRoleAssignments]), \"WindowsAzureActiveDirectoryRole\", \"\", \"\"); or map roles with AppRoleAssignmentsComplex([appRoleAssignments])",
        ));
    }
}
