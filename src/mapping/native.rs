//! Loader for attrmap's concise native mapping format
//! (schemas/attrmap-mapping.schema.json, reference in docs/mapping.md).

use super::json::Json;
use super::model::*;
use super::{scope_clause, Collector};
use crate::codes::Code;

const OBJECT_KEYS: &[&str] = &["object", "source", "name", "enabled", "scope", "mappings"];
const MAPPING_KEYS: &[&str] = &[
    "target",
    "attribute",
    "constant",
    "expression",
    "default",
    "apply",
    "match",
];

pub fn load(root: &Json, diags: &mut Collector) -> MappingSet {
    let mut set = MappingSet {
        format: Format::Native,
        app: root.get("app").and_then(Json::as_str).map(str::to_string),
        description: text_member(root, "description"),
        schema_ref: text_member(root, "$schema"),
        // Filled in by `mapping::load`, which has the file's text.
        lint_section: None,
        objects: Vec::new(),
        directories: Vec::new(),
    };
    for m in root.members() {
        if !["$schema", "app", "description", "objects", "lint"].contains(&m.key.as_str()) {
            diags.push(
                Code::MappingUnknownProperty,
                m.key_span,
                format!(
                    "unknown property {:?} (expected $schema, app, description, objects, lint); ignored",
                    m.key
                ),
            );
        }
    }
    for o in root.get("objects").and_then(Json::as_array).unwrap_or(&[]) {
        if let Some(om) = object(o, diags) {
            set.objects.push(om);
        }
    }
    set
}

fn text_member(root: &Json, key: &str) -> Option<String> {
    root.get(key).and_then(Json::as_str).map(str::to_string)
}

fn unknown_keys(j: &Json, known: &[&str], what: &str, diags: &mut Collector) {
    for m in j.members() {
        if !known.contains(&m.key.as_str()) {
            diags.push(
                Code::MappingUnknownProperty,
                m.key_span,
                format!(
                    "unknown {what} property {:?} (expected one of {}); ignored",
                    m.key,
                    known.join(", ")
                ),
            );
        }
    }
}

fn object(o: &Json, diags: &mut Collector) -> Option<ObjectMapping> {
    unknown_keys(o, OBJECT_KEYS, "object", diags);
    let target = o.get("object").and_then(Json::as_str).unwrap_or("");
    let Some(object) = ObjectType::from_target_name(target) else {
        diags.push(
            Code::MappingUnknownObject,
            o.get("object").map_or(o.span, |j| j.span),
            format!("\"object\" must be \"User\" or \"Group\", found {target:?}"),
        );
        return None;
    };
    let source_object = o
        .get("source")
        .and_then(Json::as_str)
        .unwrap_or(object.as_str())
        .to_string();
    let scope = o.get("scope").and_then(|s| scope(s, diags));
    let attributes = o
        .get("mappings")
        .and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|m| mapping(m, diags))
        .collect();
    Some(ObjectMapping {
        name: o.get("name").and_then(Json::as_str).map(str::to_string),
        source_object,
        target_object: object.as_str().to_string(),
        object,
        enabled: o.get("enabled").and_then(Json::as_bool).unwrap_or(true),
        scope,
        attributes,
        span: o.span,
        source_directory: None,
        target_directory: None,
    })
}

/// `"scope": [[clause, clause], [clause]]`: groups OR-ed, clauses AND-ed.
fn scope(s: &Json, diags: &mut Collector) -> Option<Scope> {
    let groups: Vec<ScopeGroup> = s
        .as_array()
        .unwrap_or(&[])
        .iter()
        .filter_map(|g| {
            let clauses: Vec<ScopeClause> = g
                .as_array()
                .unwrap_or(&[])
                .iter()
                .filter_map(|c| {
                    let values = match (c.get("values"), c.get("value")) {
                        (Some(v), _) => v
                            .as_array()
                            .unwrap_or(&[])
                            .iter()
                            .filter_map(Json::scalar_text)
                            .collect(),
                        (None, Some(v)) => v.scalar_text().into_iter().collect(),
                        (None, None) => Vec::new(),
                    };
                    scope_clause(
                        c.get("attribute").and_then(Json::as_str),
                        c.get("operator").and_then(Json::as_str),
                        values,
                        c.span,
                        diags,
                    )
                })
                .collect();
            (!clauses.is_empty()).then_some(ScopeGroup {
                clauses,
                span: g.span,
            })
        })
        .collect();
    (!groups.is_empty()).then_some(Scope {
        filters: vec![groups],
        span: s.span,
    })
}

fn mapping(m: &Json, diags: &mut Collector) -> Option<AttributeMapping> {
    unknown_keys(m, MAPPING_KEYS, "mapping", diags);
    let Some(target_m) = m.member("target").filter(|t| t.value.as_str().is_some()) else {
        diags.push(
            Code::MappingNoTarget,
            m.span,
            "a mapping needs \"target\" (a SCIM attribute path such as \"userName\")",
        );
        return None;
    };
    let given: Vec<&str> = ["attribute", "constant", "expression"]
        .into_iter()
        .filter(|k| m.get(k).is_some())
        .collect();
    if given.len() > 1 {
        diags.push(
            Code::MappingSeveralSources,
            m.span,
            format!(
                "a mapping takes one of attribute, constant or expression, found {}",
                given.join(" and ")
            ),
        );
        return None;
    }
    let text_of = |k: &str| {
        m.member(k)
            .and_then(|x| x.value.as_str().map(|s| (s, x.value.span)))
    };
    let source = match given.first() {
        None => Source::None,
        Some(&"attribute") => match text_of("attribute") {
            Some((n, sp)) => Source::Attribute {
                name: n.to_string(),
                span: Some(sp),
            },
            None => return bad_type(m, "attribute", diags),
        },
        Some(&"constant") => match m.member("constant") {
            Some(c) => match c.value.scalar_text() {
                Some(v) => Source::Constant {
                    value: v,
                    span: Some(c.value.span),
                },
                None => return bad_type(m, "constant", diags),
            },
            None => Source::None,
        },
        _ => match text_of("expression") {
            Some((t, sp)) => Source::Expression {
                text: t.to_string(),
                span: Some(sp),
                tree_span: None,
            },
            None => return bad_type(m, "expression", diags),
        },
    };
    let flow = match m.get("apply") {
        None => FlowType::Always,
        Some(a) => match a.as_str().and_then(FlowType::parse) {
            Some(f) => f,
            None => {
                diags.push(
                    Code::MappingBadApply,
                    a.span,
                    "\"apply\" must be \"always\" or \"create\" (or a Graph flowType such as MultiValueAddOnly)",
                );
                FlowType::Always
            }
        },
    };
    let matching_priority = match m.get("match") {
        None => 0,
        Some(x) => match x.scalar_text().and_then(|t| t.parse::<u32>().ok()) {
            Some(p) => p,
            None => {
                diags.push(
                    Code::MappingBadMatch,
                    x.span,
                    "\"match\" must be a positive whole number (1 is tried first)",
                );
                0
            }
        },
    };
    let default = m.get("default");
    Some(AttributeMapping {
        target: target_m.value.as_str().unwrap_or_default().to_string(),
        target_span: target_m.value.span,
        source,
        default_value: default
            .and_then(Json::scalar_text)
            .filter(|d| !d.is_empty()),
        default_span: default.map(|d| d.span),
        flow,
        flow_behavior: None,
        matching_priority,
        span: m.span,
    })
}

fn bad_type(m: &Json, key: &str, diags: &mut Collector) -> Option<AttributeMapping> {
    diags.push(
        Code::MappingBadSource,
        m.get(key).map_or(m.span, |j| j.span),
        format!("\"{key}\" must be a string"),
    );
    None
}
