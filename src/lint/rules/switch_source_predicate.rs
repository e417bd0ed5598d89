//! IsNull, IsNullOrEmpty, IsPresent or IsNothing as Switch's source.

use super::{arg, call_of, finding, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Expression, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Call;

pub const SPEC: Spec = spec(
    "attrmap::lint::switch-source-predicate",
    Severity::Warning,
    "IsNull, IsNullOrEmpty or IsPresent is used as a Switch source.",
    "Microsoft's reference warns against these as Switch's source: use the attribute itself and a key of \"\" for the empty case.",
    Expression("Switch(IsPresent([statusFlag]), \"0\", \"True\", \"1\")"),
    Expression("Switch([statusFlag], \"1\", \"\", \"0\")"),
);

pub const RULE: Rule = Rule {
    code: Code::SwitchSourcePredicate,
    check: Check::Call(check),
};

fn check(id: FnId, c: &Call, diags: &mut Vec<Diagnostic>) {
    if id != FnId::Switch {
        return;
    }
    let Some(src) = arg(c, 0) else { return };
    if let Some((pid, _)) = call_of(src) {
        if matches!(
            pid,
            FnId::IsNull | FnId::IsNullOrEmpty | FnId::IsPresent | FnId::IsNothing
        ) {
            diags.push(finding(
                Code::SwitchSourcePredicate,
                src.span,
                format!("{} is used as Switch's source", pid.spec().name),
                "switch on the attribute itself and use the key \"\" for the empty case, as Microsoft recommends",
            ));
        }
    }
}
