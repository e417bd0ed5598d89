//! Constant folding: a pure sub-expression that reads nothing at run time
//! is evaluated once, when the expression is compiled or linted.

use crate::catalogue::Purity;
use crate::eval::{Context, FlatRecord, Outcome};
use crate::syntax::{Expr, ExprKind};
use crate::value::Value;
use std::borrow::Cow;

/// Whether `e` reads nothing at run time (no attribute, keyword or impure
/// call), so [`fold`] may succeed. It allocates nothing, unlike `fold`, so
/// the compiler asks it first at every node.
pub(crate) fn is_constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Str(_) | ExprKind::Number(_) => true,
        ExprKind::Attribute(_) | ExprKind::Keyword(_) => false,
        ExprKind::Compare { lhs, rhs, .. } => is_constant(lhs) && is_constant(rhs),
        ExprKind::Call(call) => {
            call.id.is_some_and(|id| id.spec().purity == Purity::Pure)
                && call
                    .args
                    .iter()
                    .all(|a| a.expr.as_ref().is_none_or(is_constant))
        }
    }
}

/// Folds a constant sub-expression, if it is one and it evaluates without
/// error or flow decision. It runs the tree walker on an empty record, so
/// folding has no semantics of its own (IIF, Switch and Coalesce are the
/// walker's).
pub fn fold(e: &Expr) -> Option<Value<'static>> {
    match &e.kind {
        // A literal is its own value (what the walker returns for it),
        // without a walk: Switch keys and values are mostly literals.
        ExprKind::Str(s) => return Some(Value::Str(Cow::Owned(s.clone()))),
        ExprKind::Number(n) => return Some(Value::Int(*n)),
        _ if !is_constant(e) => return None,
        _ => {}
    }
    let nothing = FlatRecord::new();
    match crate::eval::tree::evaluate_node(e, &nothing, &mut Context::new()) {
        Ok(Outcome::Value(v)) => Some(v.into_owned()),
        Ok(Outcome::Ignore | Outcome::IgnoreObject) | Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_fold_to_what_the_walker_returns() {
        for src in [
            r#""abc""#,
            r#""""#,
            r#""a\"b\\""#,
            "42",
            "0",
            "9223372036854775807",
        ] {
            let e = crate::syntax::parse(src, &crate::Limits::default()).unwrap();
            let nothing = FlatRecord::new();
            let walked = crate::eval::tree::evaluate_node(&e, &nothing, &mut Context::new());
            let Ok(Outcome::Value(walked)) = walked else {
                panic!("{src}: {walked:?}");
            };
            assert!(
                matches!(e.kind, ExprKind::Str(_) | ExprKind::Number(_)),
                "{src}"
            );
            assert_eq!(fold(&e), Some(walked.into_owned()), "{src}");
        }
    }
}
