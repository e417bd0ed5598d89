//! Expressions as Graph attributeMappingSource trees, and back.
//!
//! Graph stores each mapping's source twice: the `expression` text and a
//! `parameters` tree (`type` Attribute/Constant/Function, `name`,
//! `parameters[{key, value}]`). This module renders an AST as text, builds
//! the tree from an expression (keys from the catalogue's `graph_key`), and
//! rebuilds expression text from a tree.

use super::json::{Json, JsonKind};
use super::model::quote;
use crate::syntax::{Expr, ExprKind};
use serde_json::{json, Value as JsonValue};

/// Canonical text of an expression: `Name(arg, arg)`, strings re-quoted,
/// one space after commas. Two expressions that differ only in spacing
/// render the same.
pub fn render(e: &Expr) -> String {
    let mut out = String::new();
    render_into(e, &mut out, Render::Exact);
    out
}

/// Like `render`, without trailing empty arguments (`ToLower([a], )` is
/// `ToLower([a])`): what a Graph tree, which omits empty parameters, can say.
pub fn render_normalized(e: &Expr) -> String {
    let mut out = String::new();
    render_into(e, &mut out, Render::Normalized);
    out
}

/// Like `render_normalized`, with numbers written as the string constants a
/// Graph tree holds them as (`Mid([a], 1, 8)` and the tree's `Constant "1"`
/// mean the same), for comparing an `expression` with its tree.
pub fn render_comparable(e: &Expr) -> String {
    let mut out = String::new();
    render_into(e, &mut out, Render::Comparable);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Render {
    Exact,
    Normalized,
    Comparable,
}

fn render_into(e: &Expr, out: &mut String, mode: Render) {
    match &e.kind {
        ExprKind::Attribute(a) => {
            out.push('[');
            out.push_str(a);
            out.push(']');
        }
        ExprKind::Number(n) if mode == Render::Comparable => out.push_str(&quote(&n.to_string())),
        ExprKind::Str(s) => out.push_str(&quote(s)),
        ExprKind::Number(n) => out.push_str(&n.to_string()),
        ExprKind::Keyword(k) => out.push_str(k),
        ExprKind::Call(c) => {
            out.push_str(&c.name);
            out.push('(');
            let mut n = c.args.len();
            while mode != Render::Exact && n > 0 && c.args[n - 1].expr.is_none() {
                n -= 1;
            }
            for (i, a) in c.args[..n].iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if let Some(x) = &a.expr {
                    render_into(x, out, mode);
                }
            }
            out.push(')');
        }
        ExprKind::Compare { op, lhs, rhs, .. } => {
            render_into(lhs, out, mode);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            render_into(rhs, out, mode);
        }
    }
}

/// The attributeMappingSource tree of an expression, shaped like Graph's
/// `parseExpression` answer. Comparisons (which have no Graph node type) are
/// written as a Function named by the operator with `left`/`right` parameters.
pub fn to_graph_tree(e: &Expr, source_text: &str) -> JsonValue {
    let text = source_text
        .get(e.span.start..e.span.end)
        .map(str::to_string)
        .unwrap_or_else(|| render(e));
    match &e.kind {
        ExprKind::Attribute(a) => {
            json!({"expression": text, "name": a, "parameters": [], "type": "Attribute"})
        }
        ExprKind::Str(s) => {
            json!({"expression": text, "name": s, "parameters": [], "type": "Constant"})
        }
        ExprKind::Number(n) => {
            json!({"expression": text, "name": n.to_string(), "parameters": [], "type": "Constant"})
        }
        ExprKind::Keyword(k) => {
            json!({"expression": text, "name": k, "parameters": [], "type": "Constant"})
        }
        ExprKind::Call(c) => {
            let spec = crate::catalogue::lookup(&c.name);
            let params: Vec<JsonValue> = c
                .args
                .iter()
                .enumerate()
                .map(|(i, a)| -> Option<JsonValue> {
                    let key = spec
                        .and_then(|s| s.param_for(i))
                        .map(|p| p.graph_key.to_string())
                        .unwrap_or_else(|| format!("arg{}", i + 1));
                    // An argument left empty is omitted; its neighbours' keys say where they sit.
                    a.expr
                        .as_ref()
                        .map(|x| json!({"key": key, "value": to_graph_tree(x, source_text)}))
                })
                .collect::<Vec<Option<JsonValue>>>()
                .into_iter()
                .flatten()
                .collect();
            let name = spec.map(|s| s.name).unwrap_or(&c.name);
            json!({"expression": text, "name": name, "parameters": params, "type": "Function"})
        }
        ExprKind::Compare { op, lhs, rhs, .. } => json!({
            "expression": text,
            "name": op.symbol(),
            "parameters": [
                {"key": "left", "value": to_graph_tree(lhs, source_text)},
                {"key": "right", "value": to_graph_tree(rhs, source_text)}
            ],
            "type": "Function"
        }),
    }
}

/// Why a tree could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeError {
    pub span: crate::syntax::Span,
    pub message: String,
}

/// Rebuilds expression text from a Graph source tree. `type` is read
/// case-insensitively; a node whose own `expression` is set is not trusted
/// over its children (the caller compares the top-level expression).
pub fn rebuild(node: &Json, depth: usize) -> Result<String, TreeError> {
    let err = |m: String| TreeError {
        span: node.span,
        message: m,
    };
    if depth > 64 {
        return Err(err("source tree nested deeper than 64 levels".into()));
    }
    if !matches!(node.kind, JsonKind::Object(_)) {
        return Err(err(format!(
            "a source must be an object with `type` and `name`, found {}",
            node.type_name()
        )));
    }
    let ty = node.get("type").and_then(Json::as_str).unwrap_or("");
    let name = node.get("name").and_then(Json::as_str);
    match ty.to_ascii_lowercase().as_str() {
        "attribute" => match name {
            Some(n) if !n.is_empty() => Ok(format!("[{n}]")),
            _ => Err(err("an Attribute source needs a non-empty `name`".into())),
        },
        "constant" => Ok(quote(name.unwrap_or(""))),
        "function" => {
            let Some(fname) = name.filter(|n| !n.is_empty()) else {
                return Err(err("a Function source needs a `name`".into()));
            };
            let params = node
                .get("parameters")
                .and_then(Json::as_array)
                .unwrap_or(&[]);
            let spec = crate::catalogue::lookup(fname);
            let mut args: Vec<String> = Vec::with_capacity(params.len());
            for p in params {
                let v = p.get("value").ok_or_else(|| TreeError {
                    span: p.span,
                    message: "a parameter needs a `value` source".into(),
                })?;
                // Omitted optional parameters: the key names the slot, so
                // empty arguments are put back in front of it.
                if let (Some(spec), Some(key)) = (spec, p.get("key").and_then(Json::as_str)) {
                    let fixed = spec.params.iter().take_while(|x| !x.repeating).count();
                    // Graph's key, or the parameter's name (what attrmap
                    // wrote for Switch pairs before it used `switchValue`).
                    let names = |x: &crate::catalogue::Param| {
                        x.graph_key.eq_ignore_ascii_case(key) || x.name.eq_ignore_ascii_case(key)
                    };
                    let mut idx = args.len();
                    while idx < fixed
                        && spec.param_for(idx).is_some_and(|x| x.optional && !names(x))
                        && spec.params[idx..].iter().any(names)
                    {
                        args.push(String::new());
                        idx += 1;
                    }
                }
                args.push(rebuild(v, depth + 1)?);
            }
            if crate::syntax::CompareOp::from_symbol(fname).is_some() && args.len() == 2 {
                return Ok(format!("{} {} {}", args[0], fname, args[1]));
            }
            Ok(format!("{fname}({})", args.join(", ")))
        }
        "" => Err(err(
            "the source has no `type` (Attribute, Constant or Function)".into(),
        )),
        other => Err(err(format!(
            "unknown source type {other:?}; expected Attribute, Constant or Function"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, Limits};

    #[test]
    fn tree_round_trips_to_the_same_expression() {
        for src in [
            r#"Switch([department], "r", "Legal", "e", "IT", "a")"#,
            r#"Join(", ", [givenName], [surname])"#,
            r#"IIF([country] = "US", "x", Replace([mail], , "@.*", , "", , ))"#,
            r#"ToLower([mail], )"#,
        ] {
            let e = parse(src, &Limits::default()).unwrap();
            let tree = to_graph_tree(&e, src);
            let text = serde_json::to_string(&tree).unwrap();
            let j = super::super::json::parse(&text).unwrap();
            let rebuilt = rebuild(&j, 0).unwrap();
            let back = parse(&rebuilt, &Limits::default()).unwrap();
            assert_eq!(render_normalized(&back), render_normalized(&e), "{src}");
        }
    }

    /// Graph's parseExpression leaves omitted arguments out and keys the rest
    /// by parameter name; rebuilding puts the empty slots back.
    #[test]
    fn omitted_arguments_are_left_out_and_restored() {
        let src = r#"Replace([preferredLanguage], "-", , , "_", ,  )"#;
        let e = parse(src, &Limits::default()).unwrap();
        let t = to_graph_tree(&e, src);
        let keys: Vec<&str> = t["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["source", "Find", "Replacement"]);
        let j = super::super::json::parse(&t.to_string()).unwrap();
        assert_eq!(
            rebuild(&j, 0).unwrap(),
            r#"Replace([preferredLanguage], "-", , , "_")"#
        );
    }

    #[test]
    fn switch_keys_come_from_the_catalogue() {
        let src = r#"Switch([department], "d", "Legal", "e")"#;
        let t = to_graph_tree(&parse(src, &Limits::default()).unwrap(), src);
        let keys: Vec<&str> = t["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys[0], "source");
        assert_eq!(keys[1], "defaultValue");
        assert_eq!(keys.len(), 4);
    }
}
