//! `active` computed from IsSoftDeleted without inverting it.

use super::{attributes_read, finding, AttributeContext, Check, Rule};
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::eval::{Context, Outcome};
use crate::mapping::scim::ScimPath;
use crate::syntax::Expr;
use crate::value::Value;

pub const SPEC: Spec = spec(
    "attrmap::lint::active-from-soft-deleted",
    Severity::Error,
    "active is true for soft-deleted users.",
    "IsSoftDeleted is true when a user must be disabled in the target (soft-deleted, accountEnabled false, or out of scope; how-provisioning-works.md), and SCIM's active is its opposite. Mapped straight across, as the example table in Microsoft's SCIM tutorial prints it (IsSoftDeleted → active, use-scim-to-provision-users-and-groups.md), or through a Switch that keeps True as True, every user Entra disables is sent as active. attrmap evaluates the mapping for a soft-deleted user and reports it when the result is true. Microsoft's default mapping inverts it: Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\").",
    Mapping {
        shown: "active ← [IsSoftDeleted]",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "userPrincipalName", "match": 1}, {"target": "active", "attribute": "IsSoftDeleted"}]}]}"#,
    },
    Mapping {
        shown: "active ← Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "userPrincipalName", "match": 1}, {"target": "active", "expression": "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")"}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::ActiveFromSoftDeleted,
    check: Check::AttributeExpression(check),
};

fn check(c: &AttributeContext<'_>, ast: &Expr, diags: &mut Vec<Diagnostic>) {
    let a = c.attribute;
    let targets_active = ScimPath::parse(&a.target).is_ok_and(|p| {
        p.extension.is_none()
            && p.sub_attribute.is_none()
            && p.filter.is_none()
            && (p.attribute.eq_ignore_ascii_case("active")
                || p.attribute.eq_ignore_ascii_case("IsActive"))
    });
    let reads_soft_deleted = attributes_read(ast)
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("IsSoftDeleted"));
    if !targets_active || !reads_soft_deleted {
        return;
    }
    // What the mapping sends for a user Entra is disabling. Anything the
    // expression cannot decide from IsSoftDeleted alone (an error, another
    // attribute's value) is not reported.
    let Some(text) = a.source.expression_text() else {
        return;
    };
    let Ok(compiled) = crate::compile(&text) else {
        return;
    };
    let soft_deleted = serde_json::json!({"IsSoftDeleted": true});
    let sends_active = match compiled.evaluate(&soft_deleted, &mut Context::new()) {
        Ok(Outcome::Value(Value::Bool(b))) => b,
        Ok(Outcome::Value(v)) => v.to_text().trim().eq_ignore_ascii_case("true"),
        _ => false,
    };
    if sends_active {
        diags.push(finding(
            Code::ActiveFromSoftDeleted,
            c.source_span(),
            format!("{} is true for a soft-deleted user: IsSoftDeleted is not inverted", a.target),
            "invert it, as Microsoft's default does: Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\") or Not([IsSoftDeleted])",
        ));
    }
}
