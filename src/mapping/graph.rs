//! Loader for Microsoft Graph synchronization schema JSON.
//!
//! Tolerant by design: real exports carry unknown properties, `name: null`,
//! placeholder mappings with an empty `sourceObjectName`, the
//! `defaultSourceObjectMappings` blob and lower-case enum values. Anything
//! odd becomes a warning with its span; only a file with nothing usable is
//! refused.

use super::json::{Json, JsonKind};
use super::model::*;
use super::tree;
use super::{scope_clause, Collector};
use crate::codes::Code;
use crate::syntax::Limits;

/// The shapes of Graph JSON that carry mappings: what Graph's API returns and
/// the fragments its docs and admins' runbooks pass around.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A synchronizationSchema, or a `{"schema": …}` wrapper of one.
    Schema,
    /// A jobs list (`GET …/synchronization/jobs`): `value[]` or an array of
    /// jobs, each with its `schema`.
    Jobs,
    /// One synchronizationRule: `{"objectMappings": […]}`.
    Rule,
    /// One objectMapping: `{"attributeMappings": […], "sourceObjectName": …}`.
    ObjectMapping,
    /// A bare `attributeMappings` array (or `{"attributeMappings": […]}`
    /// without object names): the object type is read from its targets.
    AttributeMappings,
}

/// Which Graph shape `root` is, if any.
pub fn shape(root: &Json) -> Option<Shape> {
    let schema = root.get("schema").unwrap_or(root);
    if schema.get("synchronizationRules").is_some() || schema.get("directories").is_some() {
        return Some(Shape::Schema);
    }
    if jobs(root).is_some() {
        return Some(Shape::Jobs);
    }
    if root.get("objectMappings").is_some() {
        return Some(Shape::Rule);
    }
    if root.get("attributeMappings").is_some() {
        let named = ["sourceObjectName", "targetObjectName"].iter().any(|k| {
            root.get(k)
                .and_then(Json::as_str)
                .is_some_and(|n| !n.is_empty())
        });
        return Some(if named {
            Shape::ObjectMapping
        } else {
            Shape::AttributeMappings
        });
    }
    let items = root.as_array()?;
    (!items.is_empty() && items.iter().all(|i| i.get("targetAttributeName").is_some()))
        .then_some(Shape::AttributeMappings)
}

/// The jobs of a jobs list: every item carries a `schema` object.
fn jobs(root: &Json) -> Option<&[Json]> {
    let items = root
        .get("value")
        .and_then(Json::as_array)
        .or_else(|| root.as_array())?;
    (!items.is_empty()
        && items.iter().all(|j| {
            j.get("schema")
                .is_some_and(|s| s.get("synchronizationRules").is_some())
        }))
    .then_some(items)
}

/// `src` parsed as JSON already; `root` is its top value, of any [`Shape`].
pub fn load(root: &Json, diags: &mut Collector) -> MappingSet {
    let mut set = MappingSet {
        format: Format::Graph,
        app: None,
        description: None,
        schema_ref: None,
        lint_section: None,
        objects: Vec::new(),
        directories: Vec::new(),
    };
    match shape(root) {
        Some(Shape::Jobs) => {
            for job in jobs(root).unwrap_or(&[]) {
                if let Some(schema) = job.get("schema") {
                    load_schema(schema, &mut set, diags);
                }
            }
        }
        Some(Shape::Rule) => load_rule(root, &mut set, diags),
        Some(Shape::ObjectMapping) => {
            if let Some(o) = object_mapping(root, diags) {
                set.objects.push(o);
            }
        }
        Some(Shape::AttributeMappings) => {
            let attrs = root
                .get("attributeMappings")
                .and_then(Json::as_array)
                .or_else(|| root.as_array())
                .unwrap_or(&[]);
            set.objects
                .push(bare_attribute_mappings(root, attrs, diags));
        }
        Some(Shape::Schema) | None => {
            load_schema(root.get("schema").unwrap_or(root), &mut set, diags)
        }
    }
    set
}

fn load_schema(schema: &Json, set: &mut MappingSet, diags: &mut Collector) {
    for rule in schema
        .get("synchronizationRules")
        .and_then(Json::as_array)
        .unwrap_or(&[])
    {
        load_rule(rule, set, diags);
    }
    for dir in schema
        .get("directories")
        .and_then(Json::as_array)
        .unwrap_or(&[])
    {
        set.directories.push(directory(dir));
    }
}

fn load_rule(rule: &Json, set: &mut MappingSet, diags: &mut Collector) {
    if set.app.is_none() {
        set.app = rule.get("name").and_then(Json::as_str).map(str::to_string);
    }
    read_native_metadata(rule, set);
    for om in rule
        .get("objectMappings")
        .and_then(Json::as_array)
        .unwrap_or(&[])
    {
        if let Some(mut o) = object_mapping(om, diags) {
            let directory = |key| {
                rule.get(key)
                    .and_then(Json::as_str)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
            };
            o.source_directory = directory("sourceDirectoryName");
            o.target_directory = directory("targetDirectoryName");
            set.objects.push(o);
        }
    }
}

/// An attributeMappings array on its own says nothing of its object type: a
/// `members` target makes it a Group, anything else a User. The guess is
/// reported, so a wrong one is never silent.
fn bare_attribute_mappings(root: &Json, attrs: &[Json], diags: &mut Collector) -> ObjectMapping {
    let is_group = attrs.iter().any(|a| {
        a.get("targetAttributeName")
            .and_then(Json::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("members"))
    });
    let object = if is_group {
        ObjectType::Group
    } else {
        ObjectType::User
    };
    diags.push(
        Code::MappingBareAttributeMappings,
        root.span,
        format!(
            "a bare attributeMappings list names no object type; read as {} mappings{}",
            object.as_str(),
            if is_group { " (it maps `members`)" } else { "" }
        ),
    );
    ObjectMapping {
        name: None,
        source_object: if is_group { "Group" } else { "User" }.to_string(),
        target_object: object.as_str().to_string(),
        object,
        enabled: true,
        scope: None,
        attributes: attrs
            .iter()
            .filter_map(|a| attribute_mapping(a, diags))
            .collect(),
        span: root.span,
        source_directory: None,
        target_directory: None,
    }
}

/// The native-only fields that `convert::to_graph` keeps in the rule's
/// `metadata` key/value list, so native → Graph → native loses nothing.
fn read_native_metadata(rule: &Json, set: &mut MappingSet) {
    for pair in rule.get("metadata").and_then(Json::as_array).unwrap_or(&[]) {
        let (Some(key), Some(value)) = (
            pair.get("key").and_then(Json::as_str),
            pair.get("value").and_then(Json::as_str),
        ) else {
            continue;
        };
        let slot = match key {
            super::convert::METADATA_DESCRIPTION => &mut set.description,
            super::convert::METADATA_SCHEMA => &mut set.schema_ref,
            super::convert::METADATA_LINT => &mut set.lint_section,
            _ => continue,
        };
        slot.get_or_insert_with(|| value.to_string());
    }
}

fn directory(dir: &Json) -> Directory {
    let text = |j: &Json, k: &str| {
        j.get(k)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Directory {
        name: text(dir, "name"),
        objects: dir
            .get("objects")
            .and_then(Json::as_array)
            .unwrap_or(&[])
            .iter()
            .map(|o| DirectoryObject {
                name: text(o, "name"),
                attributes: o
                    .get("attributes")
                    .and_then(Json::as_array)
                    .unwrap_or(&[])
                    .iter()
                    .map(|a| DirectoryAttribute {
                        name: text(a, "name"),
                        type_name: text(a, "type"),
                        multivalued: a.get("multivalued").and_then(Json::as_bool) == Some(true),
                        case_exact: a.get("caseExact").and_then(Json::as_bool) == Some(true),
                        required: a.get("required").and_then(Json::as_bool) == Some(true),
                        referenced_objects: a
                            .get("referencedObjects")
                            .and_then(Json::as_array)
                            .unwrap_or(&[])
                            .iter()
                            .filter_map(|r| {
                                r.get("referencedObjectName")
                                    .and_then(Json::as_str)
                                    .map(str::to_string)
                            })
                            .collect(),
                        span: a.span,
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn object_mapping(om: &Json, diags: &mut Collector) -> Option<ObjectMapping> {
    let source_object = om
        .get("sourceObjectName")
        .and_then(Json::as_str)
        .unwrap_or("");
    let target_object = om
        .get("targetObjectName")
        .and_then(Json::as_str)
        .unwrap_or("");
    let name = om.get("name").and_then(Json::as_str).map(str::to_string);
    let attrs = om
        .get("attributeMappings")
        .and_then(Json::as_array)
        .unwrap_or(&[]);
    if source_object.is_empty() {
        // Exports contain placeholder mappings for object types the app does not use.
        if !attrs.is_empty() {
            diags.push(
                Code::MappingPlaceholderObject,
                om.span,
                "object mapping with an empty sourceObjectName is skipped",
            );
        }
        return None;
    }
    let Some(object) = ObjectType::from_target_name(target_object)
        .or_else(|| ObjectType::from_target_name(source_object))
    else {
        diags.skipped(
            Code::MappingUnknownObject,
            om.span,
            format!(
                "object mapping {source_object:?} → {target_object:?} is neither User nor Group; skipped"
            ),
        );
        return None;
    };
    let enabled = om.get("enabled").and_then(Json::as_bool).unwrap_or(true);
    let scope = om.get("scope").and_then(|s| scope(s, diags));
    let attributes = attrs
        .iter()
        .filter_map(|a| attribute_mapping(a, diags))
        .collect();
    Some(ObjectMapping {
        name,
        source_object: source_object.to_string(),
        target_object: target_object.to_string(),
        object,
        enabled,
        scope,
        attributes,
        span: om.span,
        source_directory: None,
        target_directory: None,
    })
}

fn scope(s: &Json, diags: &mut Collector) -> Option<Scope> {
    if s.is_null() {
        return None;
    }
    let mut filters = Vec::new();
    for list in ["groups", "inputFilterGroups", "categoryFilterGroups"] {
        let groups = s.get(list).and_then(Json::as_array).unwrap_or(&[]);
        let mut parsed = Vec::new();
        for g in groups {
            let clauses = g
                .get("clauses")
                .and_then(Json::as_array)
                .unwrap_or(&[])
                .iter()
                .filter_map(|c| {
                    let attribute = c.get("sourceOperandName").and_then(Json::as_str);
                    let op = c.get("operatorName").and_then(Json::as_str);
                    let values: Vec<String> = c
                        .get("targetOperand")
                        .and_then(|t| t.get("values"))
                        .and_then(Json::as_array)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(Json::scalar_text)
                        .collect();
                    scope_clause(attribute, op, values, c.span, diags)
                })
                .collect::<Vec<_>>();
            if !clauses.is_empty() {
                parsed.push(ScopeGroup {
                    clauses,
                    span: g.span,
                });
            }
        }
        if !parsed.is_empty() {
            filters.push(parsed);
        }
    }
    (!filters.is_empty()).then_some(Scope {
        filters,
        span: s.span,
    })
}

fn attribute_mapping(a: &Json, diags: &mut Collector) -> Option<AttributeMapping> {
    let target_m = a.member("targetAttributeName");
    let target = target_m
        .and_then(|m| m.value.as_str())
        .unwrap_or("")
        .to_string();
    if target.is_empty() {
        diags.skipped(
            Code::MappingNoTarget,
            a.span,
            "attribute mapping without a targetAttributeName is skipped",
        );
        return None;
    }
    let target_span = target_m.map_or(a.span, |m| m.value.span);
    let source = match a.get("source") {
        None => Source::None,
        Some(s) if s.is_null() => Source::None,
        Some(s) => source(s, diags),
    };
    let default_json = a.get("defaultValue").filter(|d| !d.is_null());
    let default_value = default_json
        .and_then(Json::scalar_text)
        .filter(|d| !d.is_empty());
    let flow = match a.get("flowType").and_then(Json::as_str) {
        None => FlowType::Always,
        Some(f) => FlowType::parse(f).unwrap_or_else(|| {
            diags.push(
                Code::MappingUnknownFlowType,
                a.get("flowType").map_or(a.span, |j| j.span),
                format!(
                    "unknown flowType {f:?}; treated as Always (expected Always, ObjectAddOnly, MultiValueAddOnly, ValueAddOnly or AttributeAddOnly)"
                ),
            );
            FlowType::Always
        }),
    };
    let matching_priority = match a.get("matchingPriority").map(|j| &j.kind) {
        Some(JsonKind::Number(n)) => n.parse::<u32>().unwrap_or(0),
        Some(JsonKind::Str(n)) => n.trim().parse::<u32>().unwrap_or(0),
        _ => 0,
    };
    Some(AttributeMapping {
        target,
        target_span,
        source,
        default_value,
        default_span: default_json.map(|d| d.span),
        flow,
        flow_behavior: a
            .get("flowBehavior")
            .and_then(Json::as_str)
            .map(str::to_string),
        matching_priority,
        span: a.span,
    })
}

/// The source of one mapping. The `expression` text wins over the tree;
/// when both are present and mean different things, a warning says so.
fn source(s: &Json, diags: &mut Collector) -> Source {
    let ty = s
        .get("type")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    let name_m = s.member("name");
    let name = name_m.and_then(|m| m.value.as_str());
    let expr_m = s
        .member("expression")
        .filter(|m| m.value.as_str().is_some_and(|t| !t.trim().is_empty()));
    let has_params = s
        .get("parameters")
        .and_then(Json::as_array)
        .is_some_and(|p| !p.is_empty());
    let rebuilt = tree::rebuild(s, 0);
    if let Some(m) = expr_m {
        let text = m.value.as_str().unwrap_or_default().to_string();
        if ty == "function" || has_params {
            if let Ok(r) = &rebuilt {
                if !same_expression(&text, r) {
                    diags.push(
                        Code::MappingTreeDisagrees,
                        s.span,
                        format!(
                            "the `expression` and the `parameters` tree differ; using the expression (the tree reads {r})"
                        ),
                    );
                }
            }
        }
        // A plain `[mail]` expression stays an attribute copy, so convert writes it back as one.
        if ty == "attribute" {
            if let Some(n) = name.filter(|n| text.trim() == format!("[{n}]")) {
                return Source::Attribute {
                    name: n.to_string(),
                    span: Some(m.value.span),
                };
            }
        }
        if ty == "constant" {
            let literal = crate::syntax::parse(&text, &Limits::default())
                .ok()
                .and_then(|e| e.as_str_literal().map(str::to_string));
            if let Some(v) = literal.filter(|v| Some(v.as_str()) == name) {
                return Source::Constant {
                    value: v,
                    span: Some(m.value.span),
                };
            }
        }
        return Source::Expression {
            text,
            span: Some(m.value.span),
            tree_span: None,
        };
    }
    match ty.as_str() {
        "attribute" => match name.filter(|n| !n.is_empty()) {
            Some(n) => Source::Attribute {
                name: n.to_string(),
                span: name_m.map(|m| m.value.span),
            },
            None => {
                diags.push(
                    Code::MappingEmptySource,
                    s.span,
                    "Attribute source without a name; nothing flows",
                );
                Source::None
            }
        },
        "constant" => Source::Constant {
            value: name.unwrap_or("").to_string(),
            span: name_m.map(|m| m.value.span),
        },
        _ => match rebuilt {
            Ok(text) => Source::Expression {
                text,
                span: None,
                tree_span: Some(s.span),
            },
            Err(e) => {
                diags.push(Code::MappingBadSource, e.span, e.message);
                Source::None
            }
        },
    }
}

/// Whether two expression texts mean the same thing: equal after parsing and
/// rendering canonically, with function names compared case-insensitively.
fn same_expression(a: &str, b: &str) -> bool {
    let limits = Limits::default();
    match (
        crate::syntax::parse(a, &limits),
        crate::syntax::parse(b, &limits),
    ) {
        (Ok(x), Ok(y)) => {
            tree::render_comparable(&x).eq_ignore_ascii_case(&tree::render_comparable(&y))
        }
        _ => a.trim() == b.trim(),
    }
}
