//! An IIF condition that reads attributes: Entra fails the condition check
//! when one of them is null or empty.

use super::{arg, finding, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Expression, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fold::fold;
use crate::syntax::{Call, Expr, ExprKind, Span};

pub const SPEC: Spec = spec(
    "attrmap::lint::iif-nullable-condition",
    Severity::Warning,
    "An IIF condition reads an attribute that may be null or empty.",
    "Entra documents that the IIF condition check fails when an attribute it uses is null or empty, even for IIF([country]=\"\", …). Handle missing values with Switch, which matches a null source against the key \"\", or test them with IsPresent or IsNullOrEmpty, which take the null themselves.",
    Expression("IIF([country]=\"\", \"Other\", [country])"),
    Expression("Switch([country], [country], \"\", \"Other\")"),
);

pub const RULE: Rule = Rule {
    code: Code::IifNullableCondition,
    check: Check::Call(check),
};

fn check(id: FnId, c: &Call, diags: &mut Vec<Diagnostic>) {
    if id != FnId::IIF {
        return;
    }
    // A constant condition is constant-condition's finding.
    let Some(cond) = arg(c, 0).filter(|x| fold(x).is_none()) else {
        return;
    };
    let mut read = Vec::new();
    checked_attributes(cond, &mut read);
    for (name, span) in read {
        diags.push(finding(
            Code::IifNullableCondition,
            span,
            format!("the IIF condition reads [{name}]; Entra fails the condition check when it is null or empty"),
            format!("if [{name}] can be missing, use Switch: Switch([{name}], [{name}], \"\", \"Other\")"),
        ));
    }
}

/// The attributes the condition's null check reaches, as the engines apply
/// it: not inside a Switch (the documented workaround) nor inside a null
/// test (IsPresent, IsNullOrEmpty, …), which take the null themselves.
fn checked_attributes<'e>(e: &'e Expr, out: &mut Vec<(&'e str, Span)>) {
    match &e.kind {
        ExprKind::Attribute(a) => out.push((a.as_str(), e.span)),
        ExprKind::Compare { lhs, rhs, .. } => {
            checked_attributes(lhs, out);
            checked_attributes(rhs, out);
        }
        ExprKind::Call(c) => {
            if c.id.is_some_and(|id| id == FnId::Switch || id.tests_null()) {
                return;
            }
            for a in c.args.iter().filter_map(|a| a.expr.as_ref()) {
                checked_attributes(a, out);
            }
        }
        ExprKind::Str(_) | ExprKind::Number(_) | ExprKind::Keyword(_) => {}
    }
}
