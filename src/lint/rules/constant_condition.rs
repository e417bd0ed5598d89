//! A constant IIF condition or Switch source: the result never depends on
//! the user.

use super::{arg, finding, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Expression, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fold::fold;
use crate::syntax::Call;

pub const SPEC: Spec = spec(
    "attrmap::lint::constant-condition",
    Severity::Warning,
    "A condition or Switch source is constant.",
    "After folding constants the condition is always true or always false, so the expression does not depend on the user. This is usually a quoted attribute name (\"department\" instead of [department]).",
    Expression("IIF(\"department\"=\"Legal\", \"a\", \"b\")"),
    Expression("IIF([department]=\"Legal\", \"a\", \"b\")"),
);

pub const RULE: Rule = Rule {
    code: Code::ConstantCondition,
    check: Check::Call(check),
};

fn check(id: FnId, c: &Call, diags: &mut Vec<Diagnostic>) {
    match id {
        FnId::Switch => {
            if let Some(src) = arg(c, 0).filter(|s| fold(s).is_some()) {
                diags.push(finding(
                    Code::ConstantCondition,
                    src.span,
                    "Switch's source is a constant, so the result never depends on the user",
                    "did you mean an attribute in brackets, such as [department]?",
                ));
            }
        }
        FnId::IIF => {
            let Some(cond) = arg(c, 0) else { return };
            if let Some(v) = fold(cond) {
                diags.push(finding(
                    Code::ConstantCondition,
                    cond.span,
                    format!(
                        "this condition is always {}",
                        if v.truthy() { "true" } else { "false" }
                    ),
                    "compare an [attribute], not a quoted name",
                ));
            }
        }
        _ => {}
    }
}
