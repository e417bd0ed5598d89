//! `attrmap lint`: static findings for expressions and whole mapping files,
//! with positions in the file (through JSON string escapes), for CI.

pub mod output;
pub mod rules;

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::mapping::{self, FlowType, ObjectMapping};
use rules::{AttributeContext, Check, FileContext, ObjectContext};
use std::collections::BTreeSet;

pub use rules::attributes_read;

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
                    if Code::find(code).is_none() && !code.starts_with("attrmap::") {
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
            .filter(|d| !self.is_allowed(d.code.as_str()))
            .map(|mut d| {
                if Self::matches(&self.deny, d.code.as_str())
                    || (self.deny_warnings && d.severity == Severity::Warning)
                {
                    d.severity = Severity::Error;
                }
                d
            })
            .collect()
    }
}

/// Lints one expression: the parser's and checker's diagnostics plus the
/// expression rules. Spans are offsets into `source`.
pub fn lint_expression(source: &str) -> Vec<Diagnostic> {
    let (ast, mut diags) = crate::analyze(source, &crate::Limits::default());
    if let Some(ast) = ast {
        diags.extend(expression_rules(&ast));
    }
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    diags
}

/// The expression rules alone, on a checked tree (an [`crate::Expression`]'s
/// `ast()`): what [`lint_expression`] adds to the parser's and checker's
/// findings. An editor that has compiled the expression already runs these.
pub fn expression_rules(ast: &crate::syntax::Expr) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    ast.walk(&mut |e, _| {
        let Some((id, call)) = rules::call_of(e) else {
            return;
        };
        for rule in rules::RULES {
            if let Check::Call(check) = rule.check {
                check(id, call, &mut diags);
            }
        }
    });
    diags
}

/// Lints a mapping file's text. Spans are byte offsets into `file`.
pub fn lint_mapping(file: &str) -> Vec<Diagnostic> {
    let loaded = match mapping::load(file) {
        Ok(l) => l,
        Err(d) => return vec![d],
    };
    let mut diags = loaded.diagnostics;
    let set = &loaded.set;
    let file_context = FileContext {
        text: file,
        lines: crate::api::LineIndex::new(file),
    };
    for om in &set.objects {
        let target = set.target_definition(om);
        let object = ObjectContext {
            file: &file_context,
            object: om,
            source_attributes: source_attributes(set, om),
            source: set.source_definition(om),
            target,
        };
        for rule in rules::RULES {
            if let Check::Object(check) = rule.check {
                check(&object, &mut diags);
            }
        }
        let always_count = om
            .attributes
            .iter()
            .filter(|a| a.flow == FlowType::Always)
            .count();
        for a in &om.attributes {
            let attribute = AttributeContext {
                object: &object,
                attribute: a,
                always_count,
            };
            lint_attribute(&attribute, &mut diags);
        }
    }
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    diags
}

/// The source directory's attribute names for `om`: the directory the rule
/// names as its source when the schema lists it, otherwise every directory
/// but the target one (a schema whose rules name no directories), leaving
/// out SCIM objects, which are app targets, never Entra's source.
fn source_attributes<'a>(set: &'a mapping::MappingSet, om: &ObjectMapping) -> Vec<&'a str> {
    if let Some(source) = set.source_definition(om) {
        return source.attributes.iter().map(|a| a.name.as_str()).collect();
    }
    set.directories
        .iter()
        .filter(|d| {
            om.target_directory
                .as_deref()
                .is_none_or(|t| !d.name.eq_ignore_ascii_case(t))
        })
        .flat_map(|d| d.objects.iter())
        .filter(|o| !o.is_scim())
        .flat_map(|o| o.attributes.iter().map(|a| a.name.as_str()))
        .collect()
}

/// The attribute rules, and the expression's own findings mapped into the file.
fn lint_attribute(attribute: &AttributeContext<'_>, diags: &mut Vec<Diagnostic>) {
    for rule in rules::RULES {
        if let Check::Attribute(check) = rule.check {
            check(attribute, diags);
        }
    }
    let Some(text) = attribute.attribute.source.expression_text() else {
        return;
    };
    for mut d in lint_expression(&text) {
        d.span = attribute.to_file(d.span);
        diags.push(d);
    }
    let Ok(mut ast) = crate::syntax::parse(&text, &crate::Limits::default()) else {
        return;
    };
    crate::check::annotate(&mut ast);
    for rule in rules::RULES {
        if let Check::AttributeExpression(check) = rule.check {
            check(attribute, &ast, diags);
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
