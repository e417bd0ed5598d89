//! SelectUniqueValue on an attribute used for matching.

use super::{uses, AttributeContext, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Expr;

pub const SPEC: Spec = spec(
    "attrmap::lint::select-unique-matching",
    Severity::Error,
    "SelectUniqueValue is used on a matching attribute.",
    "Entra does not allow SelectUniqueValue on attributes that have a matching precedence.",
    Mapping {
        shown: "userName ← SelectUniqueValue(…), matchingPriority 1",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "expression": "SelectUniqueValue([mail], [userPrincipalName])", "match": 1, "apply": "create"}]}]}"#,
    },
    Mapping {
        shown: "userName ← SelectUniqueValue(…), matched on externalId instead",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "expression": "SelectUniqueValue([mail], [userPrincipalName])", "apply": "create"}, {"target": "externalId", "attribute": "objectId", "match": 1}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::SelectUniqueMatching,
    check: Check::AttributeExpression(check),
};

fn check(c: &AttributeContext<'_>, ast: &Expr, diags: &mut Vec<Diagnostic>) {
    let a = c.attribute;
    if a.matching_priority > 0 && uses(ast, FnId::SelectUniqueValue) {
        diags.push(
            Diagnostic::new(
                Code::SelectUniqueMatching,
                a.span,
                format!("{} uses SelectUniqueValue and has matching precedence {}", a.target, a.matching_priority),
            )
            .with_help("match on another attribute (for example externalId), or generate this value elsewhere"),
        );
    }
}
