//! One expression over a set of loaded users, with what an admin must not
//! miss in the results: SelectUniqueValue kept unique across the set (as
//! `attrmap map` keeps it across a batch), values that several users share,
//! which users fell through to a Switch's default, and attributes the
//! expression reads that no loaded user has (a typo gives every user the
//! default, silently). The playground calls these through wasm; they hold
//! no state of their own.

use crate::catalogue::{FnId, Purity};
use crate::diagnostic::did_you_mean;
use crate::eval::{uniqueness_key, Context, Outcome, Record};
use crate::lint::rules::{arg, call_of, uses};
use crate::syntax::{Expr, ExprKind, Span};
use crate::value::Value;
use crate::Expression;
use std::collections::HashMap;

/// An attribute the expression reads that none of the loaded users has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsentAttribute {
    /// As the expression spells it.
    pub name: String,
    /// Every place the expression reads it.
    pub spans: Vec<Span>,
    /// The closest attribute the users do have, when one is close enough.
    pub suggestion: Option<String>,
}

/// Whether two attribute names are the same to a record lookup, which
/// ignores case (see [`crate::eval::Record`]).
fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || (!a.is_ascii() && a.to_lowercase() == b.to_lowercase())
}

/// The attributes `ast` reads that are not among `present` (compared
/// without regard to case), each with a did-you-mean among `present`.
/// Nothing when `present` is empty: with no users there is nothing to
/// compare with.
pub fn absent_attributes(ast: &Expr, present: &[&str]) -> Vec<AbsentAttribute> {
    let mut out: Vec<AbsentAttribute> = Vec::new();
    if present.is_empty() {
        return out;
    }
    for (name, span) in crate::lint::attributes_read(ast) {
        if present.iter().any(|p| same_name(p, name)) {
            continue;
        }
        match out.iter_mut().find(|a| same_name(&a.name, name)) {
            Some(a) => a.spans.push(span),
            None => out.push(AbsentAttribute {
                name: name.to_string(),
                spans: vec![span],
                suggestion: did_you_mean(name, present.iter().copied()).map(String::from),
            }),
        }
    }
    out
}

/// Whether the expression calls SelectUniqueValue, so that each user's value
/// must be remembered as taken for the users after it.
pub fn claims_unique_values(expr: &Expression) -> bool {
    uses(expr.ast(), FnId::SelectUniqueValue)
}

/// For each value (None for a user without one), how many users share it,
/// compared as Entra compares unique values ([`uniqueness_key`]: without
/// regard to case). 0 for a user without a value, 1 for a value no one else
/// has.
pub fn shared_counts<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Vec<usize> {
    let keys: Vec<Option<std::borrow::Cow<'a, str>>> =
        values.into_iter().map(|v| v.map(uniqueness_key)).collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for k in keys.iter().flatten() {
        *counts.entry(k.as_ref()).or_default() += 1;
    }
    keys.iter()
        .map(|k| k.as_ref().map_or(0, |k| counts[k.as_ref()]))
        .collect()
}

/// Tells whether a user falls through to the default of the expression's
/// outermost Switch (the whole expression, or the Switch inside an
/// IgnoreFlowIfNullOrEmpty or Redact around it): the users an admin's
/// mapping table forgot.
///
/// It runs a second Switch with the same source and keys, made from the
/// expression's own text, whose values say which branch was taken; so the
/// key comparison is exactly the evaluator's.
pub struct DefaultProbe {
    probe: Expression,
    /// Where the probed Switch is, for the page to point at.
    pub span: Span,
}

/// The value the probe gives when the default branch was taken.
const DEFAULT_MARK: &str = "default";

impl DefaultProbe {
    /// None when the expression has no Switch at its top, or its source or
    /// keys draw random values or claim unique ones (evaluating them a second
    /// time would give other values).
    pub fn new(expr: &Expression) -> Option<DefaultProbe> {
        let switch = outermost_switch(expr.ast())?;
        let text = expr.source();
        let slice = |e: &Expr| text.get(e.span.start..e.span.end).map(str::to_string);
        let mut parts = vec![slice(arg(switch.1, 0)?)?, format!("\"{DEFAULT_MARK}\"")];
        let mut i = 2;
        while i + 1 < switch.1.args.len() {
            let key = arg(switch.1, i)?;
            if has_side_effects(key) {
                return None;
            }
            parts.push(slice(key)?);
            parts.push("\"key\"".into());
            i += 2;
        }
        if has_side_effects(arg(switch.1, 0)?) {
            return None;
        }
        let probe = crate::compile(&format!("Switch({})", parts.join(", "))).ok()?;
        Some(DefaultProbe {
            probe,
            span: switch.0,
        })
    }

    /// Whether `record` takes the default branch. `ctx` should give `Now()`
    /// the instant the real evaluation saw.
    pub fn took_default<R: Record + ?Sized>(&self, record: &R, ctx: &mut Context<'_>) -> bool {
        ctx.reset();
        matches!(
            self.probe.evaluate(record, ctx),
            Ok(Outcome::Value(Value::Str(s))) if s == DEFAULT_MARK
        )
    }
}

/// The Switch whose result is the expression's: the root, or reached from
/// it through calls that pass their one argument's value on
/// (IgnoreFlowIfNullOrEmpty, Redact). Returns its span and call.
fn outermost_switch(e: &Expr) -> Option<(Span, &crate::syntax::Call)> {
    let (id, call) = call_of(e)?;
    match id {
        FnId::Switch => Some((e.span, call)),
        FnId::IgnoreFlowIfNullOrEmpty | FnId::Redact => outermost_switch(arg(call, 0)?),
        _ => None,
    }
}

fn has_side_effects(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |n, _| {
        if let ExprKind::Call(c) = &n.kind {
            found |=
                c.id.is_some_and(|id| matches!(id.spec().purity, Purity::Random | Purity::Oracle));
        }
    });
    found
}

/// The expression as the portal's one-line Expression box takes it: line
/// breaks and the indentation around them, outside string literals, become
/// one space; string literals (`\"` and `\\` escapes included) are kept
/// exactly. Parsing the result gives the same tree.
pub fn one_line(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut in_string = false;
    let mut chars = source.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' if matches!(chars.peek(), Some('"' | '\\')) => {
                    out.extend(chars.next());
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '\r' | '\n' => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                while out.ends_with([' ', '\t']) {
                    out.pop();
                }
                // No space after an opening bracket or before a closing one
                // or a comma: the spacing people type on one line.
                let next = chars.peek().copied();
                if !out.ends_with(['(', '[']) && !matches!(next, Some(')' | ',' | ']')) {
                    out.push(' ');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_typo_is_absent_with_a_suggestion_and_case_does_not_matter() {
        let expr =
            crate::compile("Join(\" \", [departmnet], [DisplayName], [departmnet])").unwrap();
        let absent = absent_attributes(expr.ast(), &["department", "displayName"]);
        assert_eq!(absent.len(), 1, "{absent:?}");
        assert_eq!(absent[0].name, "departmnet");
        assert_eq!(absent[0].spans.len(), 2);
        assert_eq!(absent[0].suggestion.as_deref(), Some("department"));
        assert!(absent_attributes(expr.ast(), &[]).is_empty());
        let far = absent_attributes(expr.ast(), &["mail", "displayName"]);
        assert_eq!(far[0].suggestion, None);
    }

    #[test]
    fn shared_values_are_counted_without_regard_to_case() {
        let counts = shared_counts([Some("a@x"), None, Some("A@X"), Some("b@x")]);
        assert_eq!(counts, vec![2, 0, 2, 1]);
    }

    #[test]
    fn the_probe_finds_users_that_fall_through_to_the_default() {
        let expr = crate::compile(
            "Switch([department], \"reader\", \"Legal\", \"editor\", \"IT\", \"admin\")",
        )
        .unwrap();
        let probe = DefaultProbe::new(&expr).unwrap();
        let mut ctx = Context::new();
        let took = |u: serde_json::Value, ctx: &mut Context<'_>| probe.took_default(&u, ctx);
        // Keys compare exactly as the evaluator compares them (whatever it
        // does with case and spaces), since the probe is a Switch too.
        for user in [
            json!({"department": "Legal"}),
            json!({"department": "legal"}),
            json!({"department": " IT"}),
            json!({"department": "HR"}),
            json!({"department": null}),
            json!({}),
        ] {
            let got = expr.evaluate(&user, &mut ctx).unwrap();
            let is_default = got == Outcome::Value(Value::str("reader"));
            assert_eq!(took(user.clone(), &mut ctx), is_default, "{user}");
        }
        assert!(took(json!({"department": "HR"}), &mut ctx));
        assert!(!took(json!({"department": "IT"}), &mut ctx));
        // A key equal to the default's value is still a key.
        let same = crate::compile("Switch([d], \"x\", \"k\", \"x\")").unwrap();
        let p = DefaultProbe::new(&same).unwrap();
        assert!(!p.took_default(&json!({"d": "k"}), &mut ctx));
        assert!(p.took_default(&json!({"d": "j"}), &mut ctx));
        // Through IgnoreFlowIfNullOrEmpty; not inside a Join.
        let wrapped =
            crate::compile("IgnoreFlowIfNullOrEmpty(Switch([d], , \"k\", \"v\"))").unwrap();
        assert!(DefaultProbe::new(&wrapped).is_some());
        assert!(DefaultProbe::new(
            &crate::compile("Join(\",\", Switch([d], \"a\", \"k\", \"v\"))").unwrap()
        )
        .is_none());
        assert!(
            DefaultProbe::new(&crate::compile("Switch(Guid(), \"a\", \"k\", \"v\")").unwrap())
                .is_none()
        );
    }

    #[test]
    fn one_line_keeps_strings_and_the_tree() {
        let src = "Switch([department],\n    \"reader\",\r\n    \"Le\\\"gal\\n\", \"a\nb\"\n)\n";
        let line = one_line(src);
        assert_eq!(
            line,
            "Switch([department], \"reader\", \"Le\\\"gal\\n\", \"a\nb\")"
        );
        // The same program: the bytecode listing names no positions.
        let listing = |s: &str| crate::compile(s).unwrap().disassemble();
        assert_eq!(listing(src), listing(&line));
        assert_eq!(
            one_line("IIF(\n  [a] = \"x\",\n  \"y\",\n  \"z\")"),
            "IIF([a] = \"x\", \"y\", \"z\")"
        );
    }

    #[test]
    fn select_unique_value_is_recognised() {
        assert!(claims_unique_values(
            &crate::compile("SelectUniqueValue([mail], [userPrincipalName])").unwrap()
        ));
        assert!(!claims_unique_values(&crate::compile("[mail]").unwrap()));
    }
}
