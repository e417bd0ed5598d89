//! SelectUniqueValue on a mapping that also applies on updates.

use super::{finding, uses, AttributeContext, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::mapping::FlowType;
use crate::syntax::Expr;

pub const SPEC: Spec = spec(
    "attrmap::lint::select-unique-not-create-only",
    Severity::Warning,
    "SelectUniqueValue is applied on updates too.",
    "SelectUniqueValue is meant for object creation only: set the mapping to apply only during object creation (ObjectAddOnly).",
    Mapping {
        shown: "userPrincipalName ← SelectUniqueValue(…), apply always",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "externalId", "attribute": "objectId", "match": 1}, {"target": "userName", "expression": "SelectUniqueValue([mail], [userPrincipalName])"}]}]}"#,
    },
    Mapping {
        shown: "userPrincipalName ← SelectUniqueValue(…), apply on create",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "externalId", "attribute": "objectId", "match": 1}, {"target": "userName", "expression": "SelectUniqueValue([mail], [userPrincipalName])", "apply": "create"}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::SelectUniqueNotCreateOnly,
    check: Check::AttributeExpression(check),
};

fn check(c: &AttributeContext<'_>, ast: &Expr, diags: &mut Vec<Diagnostic>) {
    let a = c.attribute;
    if a.flow != FlowType::ObjectAddOnly && uses(ast, FnId::SelectUniqueValue) {
        diags.push(finding(
            Code::SelectUniqueNotCreateOnly,
            a.span,
            format!("{} uses SelectUniqueValue but applies on updates too", a.target),
            "set the mapping to apply only during object creation (ObjectAddOnly / \"apply\": \"create\")",
        ));
    }
}
