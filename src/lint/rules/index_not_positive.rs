//! A constant position or index of 0 or less, where counting starts at 1.

use super::{arg, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Expression, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fold::fold;
use crate::syntax::Call;

pub const SPEC: Spec = spec(
    "attrmap::lint::index-not-positive",
    Severity::Error,
    "A position or index argument is 0 or negative.",
    "Item, Mid, InStr and Word count from 1. Index 0 or a negative position never selects anything.",
    Expression("Mid([givenName], 0, 1)"),
    Expression("Mid([givenName], 1, 1)"),
);

pub const RULE: Rule = Rule {
    code: Code::IndexNotPositive,
    check: Check::Call(check),
};

fn check(id: FnId, c: &Call, diags: &mut Vec<Diagnostic>) {
    let Some(index) = id.spec().params.iter().position(|p| p.one_based) else {
        return;
    };
    let Some(x) = arg(c, index) else { return };
    if let Some(n) = fold(x).and_then(|v| v.as_int()) {
        if n <= 0 {
            diags.push(
                Diagnostic::new(
                    Code::IndexNotPositive,
                    x.span,
                    format!(
                        "{} counts from 1; {n} never selects anything",
                        id.spec().name
                    ),
                )
                .with_help("use 1 for the first position"),
            );
        }
    }
}
