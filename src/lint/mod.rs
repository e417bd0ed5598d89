//! `attrmap lint`: static findings for expressions and whole mapping files,
//! with positions in the file (through JSON string escapes), for CI.

pub mod output;
pub mod rules;

use crate::catalogue::FnId;
use crate::compile::fold;
use crate::diagnostic::{did_you_mean, Diagnostic, Severity};
use crate::mapping::{self, scim, FlowType, Source};
use crate::syntax::{Expr, ExprKind, Span};
use std::collections::{BTreeSet, HashMap};

/// Which rules are off, and which warnings count as errors.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Codes (full, or their last segment) that are not reported.
    pub allow: BTreeSet<String>,
    /// Codes reported as errors whatever their default severity.
    pub deny: BTreeSet<String>,
    /// `--deny warnings`.
    pub deny_warnings: bool,
}

impl Config {
    fn matches(set: &BTreeSet<String>, code: &str) -> bool {
        set.contains(code)
            || code
                .rsplit("::")
                .next()
                .is_some_and(|short| set.contains(short))
    }
    pub fn is_allowed(&self, code: &str) -> bool {
        Self::matches(&self.allow, code)
    }
    /// Reads the `lint` section of a config object: `{"allow": [..], "deny": [..]}`.
    pub fn merge_json(&mut self, lint: &serde_json::Value) -> Result<(), String> {
        let Some(obj) = lint.as_object() else {
            return Err("\"lint\" must be an object with \"allow\" and/or \"deny\" lists".into());
        };
        for (key, target) in [("allow", &mut self.allow), ("deny", &mut self.deny)] {
            if let Some(list) = obj.get(key) {
                let items = list
                    .as_array()
                    .ok_or_else(|| format!("\"lint.{key}\" must be a list of rule codes"))?;
                for item in items {
                    let code = item
                        .as_str()
                        .ok_or_else(|| format!("\"lint.{key}\" must contain strings"))?;
                    if rules::find(code).is_none() && !code.starts_with("attrmap::") {
                        return Err(format!("\"{code}\" in lint.{key} is not a rule code (see `attrmap lint --explain`)"));
                    }
                    target.insert(code.to_string());
                }
            }
        }
        for k in obj.keys() {
            if k != "allow" && k != "deny" {
                return Err(format!(
                    "unknown key \"lint.{k}\": use \"allow\" or \"deny\""
                ));
            }
        }
        Ok(())
    }
    /// Applies allow/deny to findings.
    pub fn apply(&self, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diags
            .into_iter()
            .filter(|d| !self.is_allowed(d.code))
            .map(|mut d| {
                if Self::matches(&self.deny, d.code)
                    || (self.deny_warnings && d.severity == Severity::Warning)
                {
                    d.severity = Severity::Error;
                }
                d
            })
            .collect()
    }
}

fn warn(code: &'static str, span: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::warning(code, span, message).with_help(help.to_string())
}

/// Lints one expression: the parser's and checker's diagnostics plus the
/// expression rules. Spans are offsets into `source`.
pub fn lint_expression(source: &str) -> Vec<Diagnostic> {
    let (ast, mut diags) = crate::analyze(source, &crate::Limits::default());
    if let Some(ast) = ast {
        expression_rules(&ast, &mut diags);
    }
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    diags
}

fn call_of(e: &Expr) -> Option<(FnId, &crate::syntax::Call)> {
    match &e.kind {
        ExprKind::Call(c) => c.id.map(|id| (id, c)),
        _ => None,
    }
}

fn arg(c: &crate::syntax::Call, i: usize) -> Option<&Expr> {
    c.args.get(i).and_then(|a| a.expr.as_ref())
}

/// Attributes read by an expression.
pub fn attributes_read(e: &Expr) -> Vec<(&str, Span)> {
    let mut out = Vec::new();
    e.walk(&mut |n, _| {
        if let ExprKind::Attribute(a) = &n.kind {
            out.push((a.as_str(), n.span));
        }
    });
    out
}

fn expression_rules(ast: &Expr, diags: &mut Vec<Diagnostic>) {
    ast.walk(&mut |e, _| {
        let Some((id, c)) = call_of(e) else { return };
        match id {
            FnId::Switch => {
                let mut seen: HashMap<String, Span> = HashMap::new();
                let mut k = 2;
                while k + 1 < c.args.len() {
                    let key = match arg(c, k) {
                        None => Some(String::new()),
                        Some(x) => fold(x).map(|v| v.to_text().into_owned()),
                    };
                    if let Some(key) = key {
                        if let Some(first) = seen.get(&key) {
                            diags.push(warn(
                                "attrmap::lint::switch-duplicate-key",
                                c.args[k].span,
                                format!("Switch key \"{key}\" already has a value in an earlier pair (argument {}), so this pair is unreachable", c.args.iter().position(|x| x.span == *first).map_or(0, |i| i + 1)),
                                "remove the duplicate pair, or fix the key that was meant",
                            ));
                        } else {
                            seen.insert(key, c.args[k].span);
                        }
                    }
                    k += 2;
                }
                if let Some(src) = arg(c, 0) {
                    if let Some((pid, _)) = call_of(src) {
                        if matches!(pid, FnId::IsNull | FnId::IsNullOrEmpty | FnId::IsPresent | FnId::IsNothing) {
                            diags.push(warn(
                                "attrmap::lint::switch-source-predicate",
                                src.span,
                                format!("{} is used as Switch's source", pid.spec().name),
                                "switch on the attribute itself and use the key \"\" for the empty case, as Microsoft recommends",
                            ));
                        }
                    }
                    if fold(src).is_some() {
                        diags.push(warn("attrmap::lint::constant-condition", src.span, "Switch's source is a constant, so the result never depends on the user".into(), "did you mean an attribute in brackets, such as [department]?"));
                    }
                }
            }
            FnId::IIF => {
                if let Some(cond) = arg(c, 0) {
                    match fold(cond) {
                        Some(v) => {
                            let taken = v.truthy();
                            diags.push(warn(
                                "attrmap::lint::constant-condition",
                                cond.span,
                                format!("this condition is always {}", if taken { "true" } else { "false" }),
                                "compare an [attribute], not a quoted name",
                            ));
                            let dead = if taken { 2 } else { 1 };
                            if let Some(a) = c.args.get(dead).filter(|a| a.expr.is_some()) {
                                diags.push(warn("attrmap::lint::dead-argument", a.span, "this IIF branch is never used".into(), "remove the IIF and keep the branch that is used"));
                            }
                        }
                        None => {
                            for (name, span) in attributes_read(cond) {
                                diags.push(warn(
                                    "attrmap::lint::iif-nullable-condition",
                                    span,
                                    format!("the IIF condition reads [{name}]; Entra fails the condition check when it is null or empty"),
                                    &format!("if [{name}] can be missing, use Switch: Switch([{name}], [{name}], \"\", \"Other\")"),
                                ));
                            }
                        }
                    }
                }
            }
            FnId::Coalesce => {
                for i in 0..c.args.len().saturating_sub(1) {
                    if let Some(v) = arg(c, i).and_then(fold) {
                        if crate::eval::coalesce_accepts(&v) {
                            let rest = c.args[i + 1].span.join(c.args[c.args.len() - 1].span);
                            diags.push(warn("attrmap::lint::dead-argument", rest, "these Coalesce arguments are never used: an earlier argument is a constant".into(), "put the constant default last"));
                            break;
                        }
                    }
                }
            }
            FnId::Item | FnId::Mid | FnId::InStr | FnId::Word => {
                let index = match id {
                    FnId::Item | FnId::Mid | FnId::Word => 1,
                    _ => 2,
                };
                if let Some(x) = arg(c, index) {
                    if let Some(n) = fold(x).and_then(|v| v.as_int()) {
                        if n <= 0 {
                            diags.push(
                                Diagnostic::error("attrmap::lint::index-not-positive", x.span, format!("{} counts from 1; {n} never selects anything", id.spec().name))
                                    .with_help("use 1 for the first position"),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    });
}

/// Lints a mapping file's text. Spans are byte offsets into `file`.
pub fn lint_mapping(file: &str) -> Vec<Diagnostic> {
    let loaded = match mapping::load(file) {
        Ok(l) => l,
        Err(d) => return vec![d],
    };
    let mut diags = loaded.diagnostics;
    let set = &loaded.set;
    let source_attrs: Vec<&str> = set
        .directories
        .iter()
        .flat_map(|d| d.objects.iter())
        .flat_map(|o| o.attributes.iter().map(|a| a.name.as_str()))
        .collect();
    for om in &set.objects {
        let mut targets: HashMap<String, Span> = HashMap::new();
        let mut priorities: HashMap<u32, Span> = HashMap::new();
        let always_count = om
            .attributes
            .iter()
            .filter(|a| a.flow == FlowType::Always)
            .count();
        for a in &om.attributes {
            // Same target twice.
            let key = a.target.to_ascii_lowercase();
            if let Some(first) = targets.get(&key) {
                diags.push(
                    Diagnostic::error(
                        "attrmap::lint::duplicate-target",
                        a.target_span,
                        format!(
                            "{} is already mapped on line {}",
                            a.target,
                            output::line_col(file, first.start).0
                        ),
                    )
                    .with_help("keep one mapping per target attribute"),
                );
            } else {
                targets.insert(key, a.target_span);
            }
            if a.matching_priority > 0 {
                if let Some(first) = priorities.get(&a.matching_priority) {
                    diags.push(
                        Diagnostic::error(
                            "attrmap::lint::duplicate-matching-priority",
                            a.span,
                            format!(
                                "matching precedence {} is already used on line {}",
                                a.matching_priority,
                                output::line_col(file, first.start).0
                            ),
                        )
                        .with_help("give each matching attribute its own precedence (1, 2, …)"),
                    );
                } else {
                    priorities.insert(a.matching_priority, a.span);
                }
            }
            if a.default_value.is_some()
                && a.flow == FlowType::Always
                && !matches!(a.source, Source::Constant { .. })
            {
                diags.push(warn(
                    "attrmap::lint::default-only-on-create",
                    a.default_span.unwrap_or(a.span),
                    format!("the default of {} applies only when the object is created, not on updates", a.target),
                    "to cover updates too, put the default in the expression: Coalesce([attribute], \"default\")",
                ));
            }
            target_rules(om.object, a, &mut diags);
            // Expression-level findings, mapped into the file.
            let Some(text) = a.source.expression_text() else {
                continue;
            };
            let literal = match &a.source {
                Source::Expression { span, .. } => *span,
                _ => None,
            };
            let to_file = |s: Span| match literal {
                Some(l) => Span::new(
                    mapping::json::decoded_to_file_offset(file, l, s.start),
                    mapping::json::decoded_to_file_offset(file, l, s.end),
                ),
                None => a.source.span().unwrap_or(a.span),
            };
            for mut d in lint_expression(&text) {
                d.span = to_file(d.span);
                diags.push(d);
            }
            let Ok(ast) = crate::syntax::parse(&text, &crate::Limits::default()).map(|mut e| {
                crate::check::check(&mut e);
                e
            }) else {
                continue;
            };
            if !source_attrs.is_empty() {
                for (name, span) in attributes_read(&ast) {
                    if !source_attrs.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                        let mut d = Diagnostic::warning("attrmap::lint::unknown-source-attribute", to_file(span), format!("[{name}] is not an attribute of the source directory in this schema"));
                        d = match did_you_mean(name, source_attrs.iter().copied()) {
                            Some(s) => d.with_help(format!("did you mean [{s}]?")),
                            None => d.with_help("check the spelling, or add the attribute to the source directory's attribute list"),
                        };
                        diags.push(d);
                    }
                }
            }
            let top = call_of(&ast).map(|(id, _)| id);
            let uses = |f: FnId| {
                let mut found = false;
                ast.walk(&mut |n, _| found |= call_of(n).is_some_and(|(id, _)| id == f));
                found
            };
            if uses(FnId::SingleAppRoleAssignment) {
                if let Ok(p) = scim::ScimPath::parse(&a.target) {
                    if p.attribute.eq_ignore_ascii_case("roles") && p.filter.is_none() {
                        diags.push(warn(
                            "attrmap::lint::single-role-multi-valued-target",
                            a.source.span().unwrap_or(a.span),
                            format!(
                                "SingleAppRoleAssignment feeds the multi-valued {}",
                                a.target
                            ),
                            "use AppRoleAssignmentsComplex([appRoleAssignments]) for a roles list",
                        ));
                    }
                }
            }
            if top == Some(FnId::Switch) && a.flow == FlowType::Always && always_count > 1 {
                diags.push(warn(
                    "attrmap::lint::switch-null-on-update",
                    a.source.span().unwrap_or(a.span),
                    format!("{} uses Switch; Entra may send it as null when another attribute of the object changes", a.target),
                    "Microsoft's resolution is nested IIF: IIF([x]=\"a\", \"A\", IIF([x]=\"b\", \"B\", \"default\"))",
                ));
            }
            if uses(FnId::SelectUniqueValue) {
                if a.matching_priority > 0 {
                    diags.push(Diagnostic::error("attrmap::lint::select-unique-matching", a.span, format!("{} uses SelectUniqueValue and has matching precedence {}", a.target, a.matching_priority)).with_help("match on another attribute (for example externalId), or generate this value elsewhere"));
                }
                if a.flow != FlowType::ObjectAddOnly {
                    diags.push(warn("attrmap::lint::select-unique-not-create-only", a.span, format!("{} uses SelectUniqueValue but applies on updates too", a.target), "set the mapping to apply only during object creation (ObjectAddOnly / \"apply\": \"create\")"));
                }
            }
        }
        if om.enabled && !om.attributes.is_empty() && priorities.is_empty() {
            diags.push(warn(
                "attrmap::lint::no-matching-attribute",
                om.span,
                format!(
                    "the {} mapping has no matching attribute",
                    om.object.as_str()
                ),
                "give one attribute (usually userName or externalId) a matching precedence of 1",
            ));
        }
    }
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    diags
}

fn target_rules(
    object: mapping::ObjectType,
    a: &mapping::AttributeMapping,
    diags: &mut Vec<Diagnostic>,
) {
    let Ok(path) = scim::ScimPath::parse(&a.target) else {
        return;
    };
    let defs: &'static [scim::AttrDef] = match (&path.extension, object) {
        (Some(ext), _) if ext.eq_ignore_ascii_case(scim::ENTERPRISE_USER) => scim::ENTERPRISE_ATTRS,
        (Some(_), _) => return,
        (None, mapping::ObjectType::User) => scim::USER_ATTRS,
        (None, mapping::ObjectType::Group) => scim::GROUP_ATTRS,
    };
    // An explicit core URN prefix marks an app-specific attribute on purpose.
    let explicit_urn = a.target.to_ascii_lowercase().starts_with("urn:");
    let Some(def) = scim::lookup(defs, &path.attribute) else {
        if path.extension.is_some() || !explicit_urn {
            let mut d = Diagnostic::warning(
                "attrmap::lint::unknown-target-attribute",
                a.target_span,
                format!(
                    "{} is not an attribute of the {} schema",
                    path.attribute,
                    if path.extension.is_some() {
                        "enterprise User"
                    } else {
                        object.as_str()
                    }
                ),
            );
            d = match did_you_mean(&path.attribute, defs.iter().map(|d| d.name)) {
                Some(s) => d.with_help(format!("did you mean {s}?")),
                None => d.with_help("for an app-specific attribute, write the schema URN prefix, e.g. urn:ietf:params:scim:schemas:core:2.0:User:roleId"),
            };
            diags.push(d);
        }
        return;
    };
    let ty = match &path.sub_attribute {
        Some(sub) => def
            .subs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(sub))
            .map(|(_, t)| *t),
        None => Some(def.ty),
    };
    if let (Some(ty), Source::Constant { value, span }) = (ty, &a.source) {
        let ok = match ty {
            scim::AttrType::Boolean => ["true", "false"]
                .iter()
                .any(|b| value.trim().eq_ignore_ascii_case(b)),
            scim::AttrType::Integer => value.trim().parse::<i64>().is_ok(),
            _ => true,
        };
        if !ok {
            diags.push(
                Diagnostic::error(
                    "attrmap::lint::target-type",
                    span.unwrap_or(a.span),
                    format!(
                        "{} is a SCIM {:?}, but the constant is \"{value}\"",
                        a.target, ty
                    )
                    .to_lowercase()
                    .replacen(&a.target.to_lowercase(), &a.target, 1),
                )
                .with_help(if ty == scim::AttrType::Boolean {
                    "use \"True\" or \"False\""
                } else {
                    "use a whole number"
                }),
            );
        }
    }
}

/// Lints a file by its name and text: `.expr` files hold one expression,
/// anything else is a mapping file.
pub fn lint_file(name: &str, text: &str, config: &Config) -> Vec<Diagnostic> {
    let diags = if name.ends_with(".expr") {
        let expr = text
            .strip_suffix('\n')
            .map(|t| t.strip_suffix('\r').unwrap_or(t))
            .unwrap_or(text);
        lint_expression(expr)
    } else {
        lint_mapping(text)
    };
    config.apply(diags)
}
