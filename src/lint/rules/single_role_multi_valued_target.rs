//! SingleAppRoleAssignment feeding the multi-valued roles attribute.

use super::{finding, uses, AttributeContext, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::mapping::scim::ScimPath;
use crate::syntax::Expr;

pub const SPEC: Spec = spec(
    "attrmap::lint::single-role-multi-valued-target",
    Severity::Warning,
    "SingleAppRoleAssignment feeds a multi-valued roles target.",
    "SingleAppRoleAssignment returns one role and is not supported when users have several. For a roles list use AppRoleAssignmentsComplex.",
    Mapping {
        shown: "roles ← SingleAppRoleAssignment([appRoleAssignments])",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "roles", "expression": "SingleAppRoleAssignment([appRoleAssignments])"}]}]}"#,
    },
    Mapping {
        shown: "roles ← AppRoleAssignmentsComplex([appRoleAssignments])",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "roles", "expression": "AppRoleAssignmentsComplex([appRoleAssignments])"}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::SingleRoleMultiValuedTarget,
    check: Check::AttributeExpression(check),
};

fn check(c: &AttributeContext<'_>, ast: &Expr, diags: &mut Vec<Diagnostic>) {
    if !uses(ast, FnId::SingleAppRoleAssignment) {
        return;
    }
    let a = c.attribute;
    let Ok(p) = ScimPath::parse(&a.target) else {
        return;
    };
    if p.attribute.eq_ignore_ascii_case("roles") && p.filter.is_none() {
        diags.push(finding(
            Code::SingleRoleMultiValuedTarget,
            c.source_span(),
            format!(
                "SingleAppRoleAssignment feeds the multi-valued {}",
                a.target
            ),
            "use AppRoleAssignmentsComplex([appRoleAssignments]) for a roles list",
        ));
    }
}
