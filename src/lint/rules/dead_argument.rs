//! Arguments that are never evaluated: an IIF branch behind a constant
//! condition, Coalesce arguments after a constant.

use super::{arg, finding, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Expression, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fold::fold;
use crate::syntax::Call;

pub const SPEC: Spec = spec(
    "attrmap::lint::dead-argument",
    Severity::Warning,
    "An argument can never be used.",
    "An IIF branch behind a constant condition, or a Coalesce argument after one that is never null, is never evaluated.",
    Expression("Coalesce(\"x\", [mail])"),
    Expression("Coalesce([mail], \"x\")"),
);

pub const RULE: Rule = Rule {
    code: Code::DeadArgument,
    check: Check::Call(check),
};

fn check(id: FnId, c: &Call, diags: &mut Vec<Diagnostic>) {
    match id {
        FnId::IIF => {
            let Some(taken) = arg(c, 0).and_then(fold).map(|v| v.truthy()) else {
                return;
            };
            let dead = if taken { 2 } else { 1 };
            if let Some(a) = c.args.get(dead).filter(|a| a.expr.is_some()) {
                diags.push(finding(
                    Code::DeadArgument,
                    a.span,
                    "this IIF branch is never used",
                    "remove the IIF and keep the branch that is used",
                ));
            }
        }
        FnId::Coalesce => {
            for i in 0..c.args.len().saturating_sub(1) {
                if let Some(v) = arg(c, i).and_then(fold) {
                    if crate::eval::coalesce_accepts(&v) {
                        let rest = c.args[i + 1].span.join(c.args[c.args.len() - 1].span);
                        diags.push(finding(
                            Code::DeadArgument,
                            rest,
                            "these Coalesce arguments are never used: an earlier argument is a constant",
                            "put the constant default last",
                        ));
                        break;
                    }
                }
            }
        }
        _ => {}
    }
}
