//! A Switch key that repeats an earlier one: its value is unreachable.

use super::{arg, finding, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Expression, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fold::fold;
use crate::syntax::{Call, Span};
use std::collections::HashMap;

pub const SPEC: Spec = spec(
    "attrmap::lint::switch-duplicate-key",
    Severity::Warning,
    "A Switch key appears twice; the later value is unreachable.",
    "Switch returns the value of the first key that matches, so a repeated key never selects its second value. This is usually a copy-paste mistake in a role or department table.",
    Expression("Switch([department], \"r\", \"Legal\", \"editor\", \"Legal\", \"admin\")"),
    Expression("Switch([department], \"r\", \"Legal\", \"editor\", \"IT\", \"admin\")"),
);

pub const RULE: Rule = Rule {
    code: Code::SwitchDuplicateKey,
    check: Check::Call(check),
};

fn check(id: FnId, c: &Call, diags: &mut Vec<Diagnostic>) {
    if id != FnId::Switch {
        return;
    }
    let mut seen: HashMap<String, Span> = HashMap::new();
    let mut k = 2;
    while k + 1 < c.args.len() {
        // An empty key matches a null source, like "".
        let key = match arg(c, k) {
            None => Some(String::new()),
            Some(x) => fold(x).map(|v| v.to_text().into_owned()),
        };
        if let Some(key) = key {
            if let Some(first) = seen.get(&key) {
                let first_position = c
                    .args
                    .iter()
                    .position(|x| x.span == *first)
                    .map_or(0, |i| i + 1);
                diags.push(finding(
                    Code::SwitchDuplicateKey,
                    c.args[k].span,
                    format!("Switch key \"{key}\" already has a value in an earlier pair (argument {first_position}), so this pair is unreachable"),
                    "remove the duplicate pair, or fix the key that was meant",
                ));
            } else {
                seen.insert(key, c.args[k].span);
            }
        }
        k += 2;
    }
}
