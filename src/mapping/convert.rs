//! Writing mapping sets: as a Graph synchronization schema fragment (what
//! `PUT …/synchronization/jobs/{id}/schema` accepts) and as the native format.

use super::model::*;
use super::tree;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::Limits;
use serde_json::{json, Value as Json};

/// Keys of the synchronization rule's `metadata` list (Graph's
/// stringKeyStringValuePair) that hold what only the native format has.
pub const METADATA_DESCRIPTION: &str = "attrmap.description";
pub const METADATA_SCHEMA: &str = "attrmap.$schema";
pub const METADATA_LINT: &str = "attrmap.lint";

fn default_object_name(o: ObjectType) -> &'static str {
    match o {
        ObjectType::User => "Provision Microsoft Entra ID Users",
        ObjectType::Group => "Provision Microsoft Entra ID Groups",
    }
}

/// The set as a Graph schema fragment. Every expression must parse (its
/// parameter tree is derived from it); failures are returned with the span
/// of the mapping in the original file.
pub fn to_graph(set: &MappingSet) -> Result<Json, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let objects: Vec<Json> = set
        .objects
        .iter()
        .map(|o| {
            let attrs: Vec<Json> = o
                .attributes
                .iter()
                .map(|a| {
                    let source = match graph_source(&a.source) {
                        Ok(s) => s,
                        Err(d) => {
                            let mut d = d;
                            d.span = a.source.span().unwrap_or(a.span);
                            errors.push(d);
                            Json::Null
                        }
                    };
                    json!({
                        "defaultValue": a.default_value.clone().unwrap_or_default(),
                        "exportMissingReferences": false,
                        "flowBehavior": a.flow_behavior.clone().unwrap_or_else(|| "FlowWhenChanged".into()),
                        "flowType": a.flow.as_str(),
                        "matchingPriority": a.matching_priority,
                        "source": source,
                        "targetAttributeName": a.target,
                    })
                })
                .collect();
            let mut scope = serde_json::Map::new();
            if let Some(s) = &o.scope {
                for (list, groups) in ["groups", "inputFilterGroups", "categoryFilterGroups"]
                    .iter()
                    .zip(&s.filters)
                {
                    let gs: Vec<Json> = groups
                        .iter()
                        .map(|g| {
                            let cs: Vec<Json> = g
                                .clauses
                                .iter()
                                .map(|c| {
                                    json!({
                                        "operatorName": c.operator.wire_name(),
                                        "sourceOperandName": c.attribute,
                                        "targetOperand": {"values": c.values},
                                    })
                                })
                                .collect();
                            json!({"clauses": cs})
                        })
                        .collect();
                    scope.insert(list.to_string(), Json::Array(gs));
                }
            }
            json!({
                "attributeMappings": attrs,
                "enabled": o.enabled,
                "flowTypes": "Add, Update, Delete",
                "name": o.name.clone().unwrap_or_else(|| default_object_name(o.object).into()),
                "scope": if scope.is_empty() { Json::Null } else { Json::Object(scope) },
                "sourceObjectName": o.source_object,
                "targetObjectName": o.target_object,
            })
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rule = json!({
        "name": set.app.clone().unwrap_or_default(),
        "objectMappings": objects,
    });
    let metadata: Vec<Json> = [
        (METADATA_DESCRIPTION, &set.description),
        (METADATA_SCHEMA, &set.schema_ref),
        (METADATA_LINT, &set.lint_section),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some(json!({"key": key, "value": value.as_ref()?})))
    .collect();
    if !metadata.is_empty() {
        rule["metadata"] = Json::Array(metadata);
    }
    Ok(json!({ "synchronizationRules": [rule] }))
}

fn graph_source(s: &Source) -> Result<Json, Diagnostic> {
    Ok(match s {
        Source::None => Json::Null,
        Source::Attribute { name, .. } => {
            json!({"expression": format!("[{name}]"), "name": name, "parameters": [], "type": "Attribute"})
        }
        Source::Constant { value, .. } => {
            json!({"expression": quote(value), "name": value, "parameters": [], "type": "Constant"})
        }
        Source::Expression { text, .. } => {
            let e = crate::syntax::parse(text, &Limits::default())?;
            let mut t = tree::to_graph_tree(&e, text);
            // The top-level expression is kept exactly as written.
            t["expression"] = Json::String(text.clone());
            t
        }
    })
}

/// The set in the native format, one mapping per line. Scope filters beyond
/// the first list (Graph `inputFilterGroups`, `categoryFilterGroups`) have no
/// native form; they are reported as warnings and left out.
pub fn to_native(set: &MappingSet) -> (String, Vec<Diagnostic>) {
    let mut warnings = Vec::new();
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut out = String::new();
    out.push_str("{\n");
    // Only a `$schema` the user wrote: attrmap has no published schema URL.
    if let Some(schema) = &set.schema_ref {
        out.push_str(&format!("  \"$schema\": {},\n", q(schema)));
    }
    if let Some(app) = &set.app {
        out.push_str(&format!("  \"app\": {},\n", q(app)));
    }
    if let Some(description) = &set.description {
        out.push_str(&format!("  \"description\": {},\n", q(description)));
    }
    if let Some(lint) = &set.lint_section {
        // From a Graph file's metadata it may have been edited by hand.
        if serde_json::from_str::<Json>(lint).is_ok_and(|j| j.is_object()) {
            out.push_str(&format!("  \"lint\": {lint},\n"));
        } else {
            warnings.push(Diagnostic::new(
                Code::ConvertLintSection,
                crate::syntax::Span::new(0, 0),
                format!("the {METADATA_LINT} metadata is not a JSON object; left out"),
            ));
        }
    }
    out.push_str("  \"objects\": [");
    for (i, o) in set.objects.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str("    {\n");
        out.push_str(&format!("      \"object\": {}", q(o.object.as_str())));
        if o.source_object != o.object.as_str() {
            out.push_str(&format!(",\n      \"source\": {}", q(&o.source_object)));
        }
        if let Some(n) = o
            .name
            .as_deref()
            .filter(|n| *n != default_object_name(o.object))
        {
            out.push_str(&format!(",\n      \"name\": {}", q(n)));
        }
        if !o.enabled {
            out.push_str(",\n      \"enabled\": false");
        }
        if let Some(s) = &o.scope {
            if let Some(scope) = native_scope(s, &mut warnings) {
                out.push_str(&format!(",\n      \"scope\": {scope}"));
            }
        }
        out.push_str(",\n      \"mappings\": [");
        for (j, a) in o.attributes.iter().enumerate() {
            out.push_str(if j == 0 { "\n" } else { ",\n" });
            out.push_str(&native_mapping_line(a));
        }
        out.push_str("\n      ]\n    }");
    }
    out.push_str("\n  ]\n}\n");
    (out, warnings)
}

/// The native `scope` of a Graph scope: its first filter list (the only
/// one with a native form; the others are warned about and left out).
fn native_scope(s: &Scope, warnings: &mut Vec<Diagnostic>) -> Option<String> {
    if s.filters.len() > 1 {
        warnings.push(Diagnostic::new(
            Code::ConvertScopeLists,
            s.span,
            "only the first scope filter list has a native form; the others are left out",
        ));
    }
    if let Some(groups) = s.filters.first() {
        let gs: Vec<Json> = groups
            .iter()
            .map(|g| {
                Json::Array(
                    g.clauses
                        .iter()
                        .map(|c| {
                            let mut m = serde_json::Map::new();
                            m.insert("attribute".into(), json!(c.attribute));
                            m.insert("operator".into(), json!(c.operator.wire_name()));
                            if !c.values.is_empty() {
                                m.insert("values".into(), json!(c.values));
                            }
                            Json::Object(m)
                        })
                        .collect(),
                )
            })
            .collect();
        return Some(serde_json::to_string(&gs).unwrap_or_default());
    }
    None
}

/// One mapping as one line of the native format.
fn native_mapping_line(a: &AttributeMapping) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut line = format!("        {{\"target\": {}", q(&a.target));
    match &a.source {
        Source::None => {}
        Source::Attribute { name, .. } => line.push_str(&format!(", \"attribute\": {}", q(name))),
        Source::Constant { value, .. } => line.push_str(&format!(", \"constant\": {}", q(value))),
        Source::Expression { text, .. } => line.push_str(&format!(", \"expression\": {}", q(text))),
    }
    if let Some(d) = &a.default_value {
        line.push_str(&format!(", \"default\": {}", q(d)));
    }
    match a.flow {
        FlowType::Always => {}
        FlowType::ObjectAddOnly => line.push_str(", \"apply\": \"create\""),
        f => line.push_str(&format!(", \"apply\": {}", q(f.as_str()))),
    }
    if a.matching_priority > 0 {
        line.push_str(&format!(", \"match\": {}", a.matching_priority));
    }
    line.push('}');
    line
}

/// What a mapping set means, without positions: used to prove round trips lossless.
pub fn semantic_view(set: &MappingSet) -> Json {
    let lint = set
        .lint_section
        .as_deref()
        .and_then(|l| serde_json::from_str::<Json>(l).ok());
    json!({
        "app": set.app,
        "description": set.description,
        "$schema": set.schema_ref,
        "lint": lint,
        "objects": objects_view(set),
    })
}

fn objects_view(set: &MappingSet) -> Json {
    json!(set
        .objects
        .iter()
        .map(|o| json!({
            "object": o.object.as_str(),
            "source": o.source_object,
            "enabled": o.enabled,
            "scope": o.scope.as_ref().map(|s| s.filters.iter().map(|gs| gs.iter().map(|g| g.clauses.iter().map(|c| json!([c.attribute, c.operator.wire_name(), c.values])).collect::<Vec<_>>()).collect::<Vec<_>>()).collect::<Vec<_>>()),
            "mappings": o.attributes.iter().map(|a| json!({
                "target": a.target,
                "source": format!("{:?}", match &a.source {
                    Source::None => ("none", String::new()),
                    Source::Attribute { name, .. } => ("attribute", name.clone()),
                    Source::Constant { value, .. } => ("constant", value.clone()),
                    Source::Expression { text, .. } => ("expression", text.clone()),
                }),
                "default": a.default_value,
                "flow": a.flow.as_str(),
                "match": a.matching_priority,
            })).collect::<Vec<_>>(),
        }))
        .collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::super::load;
    use super::*;

    #[test]
    fn native_graph_native_is_lossless() {
        let src = r#"{"$schema": "../my/schema.json", "app": "Demo",
          "description": "Owned by IAM; \"reviewed\" quarterly",
          "lint": {"allow": ["switch-null-on-update"]}, "objects": [
          {"object": "User", "scope": [[{"attribute": "department", "operator": "EQUALS", "values": ["Legal"]}], [{"attribute": "accountEnabled", "operator": "IS TRUE"}]],
           "mappings": [
            {"target": "userName", "attribute": "mail", "match": 1},
            {"target": "active", "expression": "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")"},
            {"target": "title", "constant": "Say \"hi\"", "default": "x", "apply": "create"},
            {"target": "emails[type eq \"work\"].value", "expression": "Join(\"@\", [a],  \"b\")", "apply": "MultiValueAddOnly"},
            {"target": "nickName", "default": "n"}]},
          {"object": "Group", "enabled": false, "mappings": [{"target": "displayName", "attribute": "displayName", "match": 1}]}]}"#;
        let first = load(src).unwrap();
        assert!(!first.has_errors(), "{:?}", first.diagnostics);
        let graph = serde_json::to_string_pretty(&to_graph(&first.set).unwrap()).unwrap();
        let second = load(&graph).unwrap();
        assert_eq!(second.set.format, Format::Graph);
        assert!(second.diagnostics.is_empty(), "{:?}", second.diagnostics);
        let (native, w) = to_native(&second.set);
        assert!(w.is_empty());
        let third = load(&native).unwrap();
        assert!(third.diagnostics.is_empty(), "{:?}", third.diagnostics);
        assert_eq!(semantic_view(&first.set), semantic_view(&third.set));
        assert_eq!(semantic_view(&first.set), semantic_view(&second.set));
        assert_eq!(third.set.schema_ref.as_deref(), Some("../my/schema.json"));
        assert_eq!(
            third.set.description.as_deref(),
            Some("Owned by IAM; \"reviewed\" quarterly")
        );
        assert!(third.set.lint_section.is_some());
        // Stable: writing again gives the same text.
        assert_eq!(to_native(&third.set).0, native);
    }

    #[test]
    fn bad_expression_is_reported_at_its_mapping() {
        let src = r#"{"objects": [{"object": "User", "mappings": [{"target": "a", "expression": "Join(\"x\""}]}]}"#;
        let l = load(src).unwrap();
        let e = to_graph(&l.set).unwrap_err();
        assert_eq!(&src[e[0].span.start..e[0].span.start + 5], "\"Join");
    }
}
