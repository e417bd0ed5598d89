//! Static checks that run before compilation: name resolution against the
//! catalogue, arity, Switch pairing, literal types, keyword use, and
//! SelectUniqueValue placement.

use crate::catalogue::{self, FnId, ParamKind, CATALOGUE, KEYWORDS};
use crate::codes::Code;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::syntax::{Expr, ExprKind, Span};
use crate::value::parse_int_text;

/// An expression the checker accepted: every function name resolved in the
/// catalogue, every bare name a keyword, no error. Both engines (the tree
/// walker and the compiler for the VM) accept only this type, so names are
/// resolved here and nowhere else.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    expr: Expr,
}

impl Checked {
    /// The resolved tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }
}

/// Checks an expression: the checked tree and its warnings, or every finding
/// when one of them is an error.
pub fn check(mut expr: Expr) -> Result<(Checked, Vec<Diagnostic>), Vec<Diagnostic>> {
    let diags = annotate(&mut expr);
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok((Checked { expr }, diags))
    }
}

/// Resolves function names in place and returns every finding, errors and
/// warnings alike, in source order. The tree stays unchecked: the linter and
/// editors read it even when it has errors, but no engine runs it.
pub fn annotate(expr: &mut Expr) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    check_node(expr, true, &mut diags);
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    diags
}

fn check_node(e: &mut Expr, top_level: bool, diags: &mut Vec<Diagnostic>) {
    match &mut e.kind {
        ExprKind::Keyword(k) => check_keyword(k, e.span, diags),
        ExprKind::Compare { lhs, rhs, .. } => {
            check_node(lhs, false, diags);
            check_node(rhs, false, diags);
        }
        ExprKind::Call(call) => {
            let spec = catalogue::lookup(&call.name);
            match spec {
                None => {
                    let mut d = Diagnostic::new(
                        Code::CheckUnknownFunction,
                        call.name_span,
                        format!("unknown function `{}`", call.name),
                    )
                    .with_label("not a function Entra knows");
                    d = match did_you_mean(&call.name, CATALOGUE.iter().map(|f| f.name)) {
                        Some(s) => d.with_help(format!("did you mean `{s}`?")),
                        None => d.with_help("run `attrmap functions` to list every function"),
                    };
                    diags.push(d);
                }
                Some(spec) => {
                    call.id = Some(spec.id);
                    if spec.name != call.name {
                        diags.push(
                            Diagnostic::new(
                                Code::CheckFunctionCase,
                                call.name_span,
                                format!("`{}` is spelled `{}` in Entra", call.name, spec.name),
                            )
                            .with_help(format!(
                                "Entra documents expressions as case-sensitive: write `{}`",
                                spec.name
                            )),
                        );
                    }
                    if spec.id == FnId::SelectUniqueValue && !top_level {
                        diags.push(
                            Diagnostic::new(
                                Code::CheckSelectUniqueNested,
                                call.name_span,
                                "SelectUniqueValue must be the outermost function of the expression",
                            )
                            .with_help("move SelectUniqueValue to the top level and nest the other functions inside each of its rules"),
                        );
                    }
                    check_arity(spec, call, e.span, diags);
                    check_literals(spec, call, diags);
                    crate::functions::static_check(spec.id, call, diags);
                }
            }
            // Arguments of SelectUniqueValue are still "top level" for the
            // purpose of its own check only when they are SelectUniqueValue, which is wrong too.
            for a in call.args.iter_mut() {
                if let Some(x) = a.expr.as_mut() {
                    check_node(x, false, diags);
                }
            }
        }
        ExprKind::Attribute(_) | ExprKind::Str(_) | ExprKind::Number(_) => {}
    }
}

fn check_keyword(k: &str, span: Span, diags: &mut Vec<Diagnostic>) {
    match catalogue::lookup_keyword(k) {
        Some(spec) if spec.name == k => {}
        Some(spec) => diags.push(
            Diagnostic::new(
                Code::CheckKeywordCase,
                span,
                format!("`{k}` is spelled `{}` in Entra", spec.name),
            )
            .with_help(format!("write `{}`", spec.name)),
        ),
        None => {
            let mut d = Diagnostic::new(
                Code::CheckUnknownKeyword,
                span,
                format!("unknown name `{k}`"),
            )
            .with_label("not a keyword or function");
            let fn_match = catalogue::lookup(k);
            d = if let Some(f) = fn_match {
                d.with_help(format!(
                    "`{}` is a function: call it as {}",
                    f.name,
                    f.signature()
                ))
            } else if let Some(s) = did_you_mean(k, KEYWORDS.iter().map(|k| k.name)) {
                d.with_help(format!("did you mean `{s}`?"))
            } else if k.eq_ignore_ascii_case("true") || k.eq_ignore_ascii_case("false") {
                d.with_help(format!(
                    "Entra has no boolean literals: write the string \"{}\"",
                    capitalize(k)
                ))
            } else {
                d.with_help(
                    "attributes go in brackets, as in [department], and strings in double quotes",
                )
            };
            diags.push(d);
        }
    }
}

fn capitalize(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut c = lower.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

fn check_arity(
    spec: &catalogue::FunctionSpec,
    call: &crate::syntax::Call,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let n = call.args.len();
    let min = spec.min_args();
    let max = spec.max_args();
    if spec.id == FnId::Switch && n >= 3 && n % 2 == 1 {
        let last = &call.args[n - 1];
        let key_text = last
            .expr
            .as_ref()
            .map_or_else(|| "(empty)".to_string(), |k| k.to_string());
        diags.push(
            Diagnostic::new(
                Code::CheckSwitchPairs,
                last.span,
                format!("Switch takes key/value pairs: key {key_text} has no value"),
            )
            .with_label("this key has no value")
            .with_help(format!(
                "Switch takes key/value pairs: add a value for key {key_text}"
            )),
        );
        return;
    }
    let too_few = n < min;
    let too_many = max.is_some_and(|m| n > m);
    if too_few || too_many {
        let expected = match max {
            Some(m) if m == min => format!("{min}"),
            Some(m) => format!("{min} to {m}"),
            None => format!("at least {min}"),
        };
        let at = if too_many {
            let first_extra = &call.args[max.unwrap_or(n)];
            first_extra.span.join(call.args[n - 1].span)
        } else {
            span
        };
        diags.push(
            Diagnostic::new(
                Code::CheckArity,
                at,
                format!(
                    "{} takes {expected} argument{}, but {n} {} given",
                    spec.name,
                    if expected == "1" { "" } else { "s" },
                    if n == 1 { "was" } else { "were" }
                ),
            )
            .with_label(if too_many {
                "extra arguments"
            } else {
                "too few arguments"
            })
            .with_help(format!("the signature is {}", spec.signature())),
        );
    }
    // A required parameter left empty is almost always a misplaced comma.
    for (i, a) in call.args.iter().enumerate() {
        if a.expr.is_some() {
            continue;
        }
        if let Some(p) = spec.param_for(i) {
            if !p.may_be_left_empty() {
                diags.push(
                    Diagnostic::new(
                        Code::CheckEmptyRequiredArgument,
                        a.span,
                        format!("{}: the required argument {} is empty", spec.name, p.name),
                    )
                    .with_help(format!("the signature is {}", spec.signature())),
                );
            }
        }
    }
}

fn check_literals(
    spec: &catalogue::FunctionSpec,
    call: &crate::syntax::Call,
    diags: &mut Vec<Diagnostic>,
) {
    for (i, a) in call.args.iter().enumerate() {
        let (Some(x), Some(p)) = (a.expr.as_ref(), spec.param_for(i)) else {
            continue;
        };
        match (&p.kind, &x.kind) {
            (ParamKind::Number, ExprKind::Str(s)) if parse_int_text(s).is_none() => diags.push(
                Diagnostic::new(
                    Code::CheckLiteralType,
                    x.span,
                    format!(
                        "{}: {} must be a whole number, but \"{s}\" is not one",
                        spec.name, p.name
                    ),
                )
                .with_help("write a number such as 3 (or \"3\"), or an expression that yields one"),
            ),
            // A keyword in another case already has its own warning and evaluates canonically.
            (ParamKind::Enum(allowed), ExprKind::Keyword(s))
                if allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) => {}
            (ParamKind::Enum(allowed), ExprKind::Str(s))
            | (ParamKind::Enum(allowed), ExprKind::Keyword(s))
                if !allowed.contains(&s.as_str()) =>
            {
                let mut d = Diagnostic::new(
                    Code::CheckLiteralType,
                    x.span,
                    format!(
                        "{}: {} must be one of {}, not \"{s}\"",
                        spec.name,
                        p.name,
                        allowed.join(", ")
                    ),
                );
                d = match allowed.iter().find(|a| a.eq_ignore_ascii_case(s)) {
                    Some(fix) => {
                        d.with_help(format!("write {fix} (the values are case-sensitive)"))
                    }
                    None => d.with_help(format!("use one of: {}", allowed.join(", "))),
                };
                diags.push(d);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree that bypassed the checker cannot be built outside this module;
    /// if one were, both engines would fail on it with the same error rather
    /// than one of them reading it as null.
    #[test]
    fn engines_fail_alike_on_an_unresolved_tree() {
        for src in ["Jion(\",\", [a])", "Join(\",\", [a], True)"] {
            let expr = crate::syntax::parse(src, &crate::Limits::default()).unwrap();
            let unchecked = Checked { expr };
            let user = serde_json::json!({"a": "x"});
            let vm = crate::compile::compile(&unchecked)
                .run(&user, &mut crate::Context::new())
                .unwrap_err();
            let tree = crate::eval::tree::evaluate(&unchecked, &user, &mut crate::Context::new())
                .unwrap_err();
            assert_eq!(vm, tree, "{src}");
        }
    }
}
