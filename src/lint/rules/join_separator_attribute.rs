//! Join whose separator is an attribute: the admin meant to join that
//! attribute too.

use super::{arg, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Expression, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::{Call, ExprKind};

pub const SPEC: Spec = spec(
    "attrmap::lint::join-separator-attribute",
    Severity::Warning,
    "Join's separator is an attribute.",
    "Join(separator, source1, source2, …) puts its first argument between the others (functions-for-customizing-application-data.md, Join). An attribute there is almost always a value that was meant to be joined: an admin's published runbook wrote Join([givenName], [surname], [extensionAttribute1]) for three values and got the surname and the extension attribute glued together around the given name. Put the separator first as a string constant.",
    Expression("Join([givenName], [surname], [extensionAttribute1])"),
    Expression("Join(\" \", [givenName], [surname], [extensionAttribute1])"),
);

pub const RULE: Rule = Rule {
    code: Code::JoinSeparatorAttribute,
    check: Check::Call(check),
};

fn check(id: FnId, c: &Call, diags: &mut Vec<Diagnostic>) {
    if id != FnId::Join {
        return;
    }
    let Some(separator) = arg(c, 0) else { return };
    let ExprKind::Attribute(name) = &separator.kind else {
        return;
    };
    diags.push(
        Diagnostic::new(
            Code::JoinSeparatorAttribute,
            separator.span,
            format!("[{name}] is Join's separator: it goes between the other values, it is not joined itself"),
        )
        .with_help(format!(
            "put the separator first as a constant: Join(\" \", [{name}], …)"
        )),
    );
}
