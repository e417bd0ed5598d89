//! An IIF condition that reads attributes: Entra fails the condition check
//! when one of them is null or empty.

use super::{arg, attributes_read, finding, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Expression, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fold::fold;
use crate::syntax::Call;

pub const SPEC: Spec = spec(
    "attrmap::lint::iif-nullable-condition",
    Severity::Warning,
    "An IIF condition reads an attribute that may be null or empty.",
    "Entra documents that the IIF condition check fails when an attribute it uses is null or empty, even for IIF([country]=\"\", …) or IIF(IsPresent([country]), …). Handle missing values with Switch, which matches a null source against the key \"\".",
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
    for (name, span) in attributes_read(cond) {
        diags.push(finding(
            Code::IifNullableCondition,
            span,
            format!("the IIF condition reads [{name}]; Entra fails the condition check when it is null or empty"),
            format!("if [{name}] can be missing, use Switch: Switch([{name}], [{name}], \"\", \"Other\")"),
        ));
    }
}
