//! Builds SCIM 2.0 resources from source records with a compiled object mapping.

use super::json::decoded_to_file_offset;
use super::model::*;
use super::scim::{self, AttrDef, AttrType, ScimPath};
use crate::diagnostic::Diagnostic;
use crate::eval::{Context, Outcome, Record, UniquenessOracle};
use crate::syntax::{ExprKind, Span};
use crate::value::Value;
use crate::Expression;
use serde_json::{Map, Value as Json};
use std::cell::RefCell;
use std::collections::HashSet;

/// `create` applies every mapping and default; `update` skips ObjectAddOnly
/// mappings and default values, as Entra does for existing objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Update,
}

/// Limits on what one record may produce.
#[derive(Debug, Clone, Copy)]
pub struct BuildLimits {
    /// Most elements one multi-valued target attribute may get.
    pub max_multi_valued: usize,
}

impl Default for BuildLimits {
    fn default() -> Self {
        BuildLimits {
            max_multi_valued: 10_000,
        }
    }
}

struct CompiledAttr {
    path: ScimPath,
    target: String,
    expr: Option<Expression>,
    default: Option<String>,
    flow: FlowType,
    /// Span of the expression string literal in the file, to map runtime error offsets.
    literal: Option<Span>,
    /// Where the mapping is in the file, when there is no literal.
    mapping_span: Span,
    unique: bool,
}

/// One object mapping compiled for evaluation.
pub struct CompiledObject {
    pub object: ObjectType,
    scope: Option<Scope>,
    attrs: Vec<CompiledAttr>,
    /// (priority, target path) sorted by priority.
    pub matching: Vec<(u32, String)>,
    pub limits: BuildLimits,
}

/// One failing target attribute of a record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttributeError {
    pub code: &'static str,
    pub message: String,
    /// The target attribute path.
    pub attribute: String,
    /// Byte offsets in the mapping file.
    pub span: Span,
}

/// What became of one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Mapped {
    Resource(Json),
    /// Out of scope (`"scope"`) or dropped by IgnoreObjectFlow (`"ignored"`).
    Skipped(&'static str),
    Failed(Vec<AttributeError>),
}

/// Compiles one object type of a mapping set. `file` is the mapping file's
/// text, so expression diagnostics come back with file offsets.
pub fn compile_object(
    set: &MappingSet,
    object: ObjectType,
    file: &str,
) -> Result<CompiledObject, Vec<Diagnostic>> {
    let Some(om) = set.object(object) else {
        return Err(vec![Diagnostic::error(
            "attrmap::mapping::no-object",
            Span::new(0, 0),
            format!(
                "the mapping has no {} object mapping (it has: {})",
                object.as_str(),
                set.objects
                    .iter()
                    .map(|o| o.object.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )]);
    };
    let mut errors = Vec::new();
    let mut attrs = Vec::new();
    for a in &om.attributes {
        let path = match ScimPath::parse(&a.target) {
            Ok(p) => p,
            Err(m) => {
                errors.push(Diagnostic::error(
                    "attrmap::mapping::target-path",
                    a.target_span,
                    m,
                ));
                continue;
            }
        };
        let literal = match &a.source {
            Source::Expression { span, .. } => *span,
            _ => None,
        };
        let expr = match a.source.expression_text() {
            None => None,
            Some(text) => match crate::compile(&text) {
                Ok(e) => Some(e),
                Err(ce) => {
                    for d in ce.diagnostics.into_iter().filter(Diagnostic::is_error) {
                        let mut d = d;
                        d.span = file_span(file, literal, a.source.span(), a.span, d.span);
                        errors.push(d);
                    }
                    continue;
                }
            },
        };
        let mut unique = false;
        if let Some(e) = &expr {
            e.ast().walk(&mut |n, _| {
                if let ExprKind::Call(c) = &n.kind {
                    if c.name.eq_ignore_ascii_case("SelectUniqueValue") {
                        unique = true;
                    }
                }
            });
        }
        attrs.push(CompiledAttr {
            path,
            target: a.target.clone(),
            expr,
            default: a.default_value.clone(),
            flow: a.flow,
            literal,
            mapping_span: a.source.span().unwrap_or(a.span),
            unique,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut matching: Vec<(u32, String)> = om
        .attributes
        .iter()
        .filter(|a| a.matching_priority > 0)
        .map(|a| (a.matching_priority, a.target.clone()))
        .collect();
    matching.sort();
    Ok(CompiledObject {
        object,
        scope: om.scope.clone(),
        attrs,
        matching,
        limits: BuildLimits::default(),
    })
}

/// Maps an offset span inside an expression to the file.
fn file_span(
    file: &str,
    literal: Option<Span>,
    source_span: Option<Span>,
    mapping: Span,
    inner: Span,
) -> Span {
    match literal {
        Some(l) => Span::new(
            decoded_to_file_offset(file, l, inner.start),
            decoded_to_file_offset(file, l, inner.end),
        ),
        None => source_span.unwrap_or(mapping),
    }
}

/// SelectUniqueValue's view for a batch: taken when the embedder's oracle
/// says so or an earlier record of this batch already got the value
/// (compared case-insensitively, as Entra compares UPNs and mail).
pub struct BatchOracle<'o> {
    pub existing: &'o dyn UniquenessOracle,
    batch: RefCell<HashSet<String>>,
}

impl<'o> BatchOracle<'o> {
    pub fn new(existing: &'o dyn UniquenessOracle) -> Self {
        BatchOracle {
            existing,
            batch: RefCell::new(HashSet::new()),
        }
    }
    pub fn claim(&self, value: &str) {
        self.batch.borrow_mut().insert(value.to_lowercase());
    }
}

impl UniquenessOracle for BatchOracle<'_> {
    fn is_taken(&self, candidate: &str) -> bool {
        self.existing.is_taken(candidate) || self.batch.borrow().contains(&candidate.to_lowercase())
    }
}

impl CompiledObject {
    /// Whether the record passes the scoping filter.
    pub fn in_scope<R: Record + ?Sized>(&self, record: &R) -> bool {
        self.scope.as_ref().map_or(true, |s| s.admits(record))
    }

    /// `userName eq "jdoe"` for the highest-priority matching attribute present in `resource`.
    pub fn match_filter(&self, resource: &Json) -> Option<String> {
        self.matching.iter().find_map(|(_, target)| {
            let p = ScimPath::parse(target).ok()?;
            let mut v = match &p.extension {
                Some(u) => resource.get(u)?.get(&p.attribute)?,
                None => resource.get(&p.attribute)?,
            };
            if let Some(s) = &p.sub_attribute {
                v = v.get(s)?;
            }
            let text = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            Some(format!(
                "{target} eq {}",
                serde_json::to_string(&text).unwrap_or_default()
            ))
        })
    }

    /// Maps one record. `oracle` (if any) is told the values
    /// SelectUniqueValue chose, so later records in the batch avoid them.
    pub fn map<R: Record + ?Sized>(
        &self,
        record: &R,
        mode: Mode,
        ctx: &mut Context<'_>,
        file: &str,
        oracle: Option<&BatchOracle<'_>>,
    ) -> Mapped {
        if !self.in_scope(record) {
            return Mapped::Skipped("scope");
        }
        let core = match self.object {
            ObjectType::User => scim::CORE_USER,
            ObjectType::Group => scim::CORE_GROUP,
        };
        let mut res = Map::new();
        let mut extensions: Vec<String> = Vec::new();
        let mut errors = Vec::new();
        let mut claims: Vec<String> = Vec::new();
        for a in &self.attrs {
            if mode == Mode::Update && a.flow == FlowType::ObjectAddOnly {
                continue;
            }
            ctx.reset();
            let outcome = match &a.expr {
                None => Ok(Outcome::Value(Value::Null)),
                Some(e) => e.evaluate(record, ctx).map(Outcome::into_owned),
            };
            let value = match outcome {
                Ok(Outcome::Value(v)) => v,
                Ok(Outcome::Ignore) => continue,
                Ok(Outcome::IgnoreObject) => return Mapped::Skipped("ignored"),
                Err(e) => {
                    errors.push(AttributeError {
                        code: e.code,
                        message: e.message,
                        attribute: a.target.clone(),
                        span: file_span(
                            file,
                            a.literal,
                            Some(a.mapping_span),
                            a.mapping_span,
                            e.span,
                        ),
                    });
                    continue;
                }
            };
            let value = if value.is_null_or_empty() {
                match (&a.default, mode) {
                    (Some(d), Mode::Create) => Value::string(d.clone()),
                    _ => continue,
                }
            } else {
                value
            };
            if a.unique {
                claims.push(value.to_text().into_owned());
            }
            match place(
                &mut res,
                &mut extensions,
                a,
                &value,
                self.object,
                &self.limits,
            ) {
                Ok(()) => {}
                Err(message) => errors.push(AttributeError {
                    code: "attrmap::map::convert",
                    message,
                    attribute: a.target.clone(),
                    span: a.mapping_span,
                }),
            }
        }
        if !errors.is_empty() {
            return Mapped::Failed(errors);
        }
        if let Some(o) = oracle {
            for c in &claims {
                o.claim(c);
            }
        }
        let mut schemas = vec![Json::String(core.to_string())];
        schemas.extend(extensions.into_iter().map(Json::String));
        let mut out = Map::new();
        out.insert("schemas".into(), Json::Array(schemas));
        out.extend(res);
        Mapped::Resource(Json::Object(out))
    }
}

/// Writes one value at its path, converting to the schema's type.
fn place(
    res: &mut Map<String, Json>,
    extensions: &mut Vec<String>,
    a: &CompiledAttr,
    value: &Value<'_>,
    object: ObjectType,
    limits: &BuildLimits,
) -> Result<(), String> {
    let p = &a.path;
    let (defs, container): (&'static [AttrDef], &mut Map<String, Json>) = match &p.extension {
        Some(urn) => {
            if !extensions.iter().any(|e| e == urn) {
                extensions.push(urn.clone());
            }
            let defs: &'static [AttrDef] = if urn.eq_ignore_ascii_case(scim::ENTERPRISE_USER) {
                scim::ENTERPRISE_ATTRS
            } else {
                &[]
            };
            let slot = res
                .entry(urn.clone())
                .or_insert_with(|| Json::Object(Map::new()));
            if !slot.is_object() {
                *slot = Json::Object(Map::new());
            }
            (
                defs,
                slot.as_object_mut().ok_or("internal: extension slot")?,
            )
        }
        None => (
            match object {
                ObjectType::User => scim::USER_ATTRS,
                ObjectType::Group => scim::GROUP_ATTRS,
            },
            res,
        ),
    };
    let def = scim::lookup(defs, &p.attribute);
    let name = def.map_or(p.attribute.as_str(), |d| d.name).to_string();
    let sub_type = |sub: &str| -> (String, AttrType) {
        def.and_then(|d| d.subs.iter().find(|(n, _)| n.eq_ignore_ascii_case(sub)))
            .map_or((sub.to_string(), AttrType::String), |(n, t)| {
                (n.to_string(), *t)
            })
    };
    let multi = def.is_some_and(|d| d.multi_valued) || p.filter.is_some();
    if multi {
        let arr = container
            .entry(name.clone())
            .or_insert_with(|| Json::Array(Vec::new()));
        if !arr.is_array() {
            *arr = Json::Array(Vec::new());
        }
        let arr = arr.as_array_mut().ok_or("internal: array slot")?;
        match &p.filter {
            Some((fattr, fval)) => {
                let (fname, ftype) = sub_type(fattr);
                let fjson = convert(&Value::str(fval), ftype, &format!("{name}.{fname}"))?;
                let idx = match arr.iter().position(|e| e.get(&fname) == Some(&fjson)) {
                    Some(i) => i,
                    None => {
                        if arr.len() >= limits.max_multi_valued {
                            return Err(too_many(&name, limits));
                        }
                        let mut m = Map::new();
                        m.insert(fname.clone(), fjson);
                        arr.push(Json::Object(m));
                        arr.len() - 1
                    }
                };
                let (sname, stype) = sub_type(p.sub_attribute.as_deref().unwrap_or("value"));
                let v = convert(single(value, &a.target)?, stype, &a.target)?;
                if let Some(Json::Object(m)) = arr.get_mut(idx) {
                    m.insert(sname, v);
                }
            }
            None => {
                let items: Vec<&Value<'_>> = match value {
                    Value::List(l) => l.iter().filter(|v| !v.is_null_or_empty()).collect(),
                    v => vec![v],
                };
                if arr.len() + items.len() > limits.max_multi_valued {
                    return Err(too_many(&name, limits));
                }
                let (sname, stype) = sub_type(p.sub_attribute.as_deref().unwrap_or("value"));
                for item in items {
                    let el = match item {
                        Value::Complex(_) => item.to_json(),
                        v => {
                            let mut m = Map::new();
                            m.insert(sname.clone(), convert(v, stype, &a.target)?);
                            Json::Object(m)
                        }
                    };
                    arr.push(el);
                }
            }
        }
        return Ok(());
    }
    let complex = def.is_some_and(|d| d.ty == AttrType::Complex);
    match (&p.sub_attribute, complex) {
        (Some(sub), _) => {
            let (sname, stype) = sub_type(sub);
            let v = convert(single(value, &a.target)?, stype, &a.target)?;
            let slot = container
                .entry(name)
                .or_insert_with(|| Json::Object(Map::new()));
            if !slot.is_object() {
                *slot = Json::Object(Map::new());
            }
            if let Json::Object(m) = slot {
                m.insert(sname, v);
            }
        }
        // manager ← an id becomes {"value": id}.
        (None, true) => {
            let v = single(value, &a.target)?;
            let el = match v {
                Value::Complex(_) => v.to_json(),
                v => {
                    let mut m = Map::new();
                    m.insert("value".into(), convert(v, AttrType::String, &a.target)?);
                    Json::Object(m)
                }
            };
            container.insert(name, el);
        }
        (None, false) => {
            let ty = def.map(|d| d.ty);
            let v = match (ty, value) {
                (Some(t), v) => convert(single(v, &a.target)?, t, &a.target)?,
                // Unknown (custom) attributes keep the value's own JSON type; lists stay arrays.
                (None, Value::List(l)) => {
                    if l.len() > limits.max_multi_valued {
                        return Err(too_many(&name, limits));
                    }
                    value.to_json()
                }
                (None, v) => v.to_json(),
            };
            container.insert(name, v);
        }
    }
    Ok(())
}

fn too_many(name: &str, limits: &BuildLimits) -> String {
    format!(
        "{name} would get more than {} values (the multi-valued limit; raise it with --max-values)",
        limits.max_multi_valued
    )
}

/// A single value for a single-valued target: a one-element list is unwrapped.
fn single<'v, 'a>(v: &'v Value<'a>, target: &str) -> Result<&'v Value<'a>, String> {
    match v {
        Value::List(l) if l.len() == 1 => Ok(&l[0]),
        Value::List(l) => Err(format!(
            "{target} is single-valued but the source gave {} values; pick one (for example with Item() or SingleAppRoleAssignment())",
            l.len()
        )),
        v => Ok(v),
    }
}

/// Converts to the target type: booleans from "True"/"False" (any case),
/// integers from numeric text, strings from anything scalar.
fn convert(v: &Value<'_>, ty: AttrType, target: &str) -> Result<Json, String> {
    match ty {
        AttrType::Boolean => match v {
            Value::Bool(b) => Ok(Json::Bool(*b)),
            v => {
                let t = v.to_text();
                if t.eq_ignore_ascii_case("true") {
                    Ok(Json::Bool(true))
                } else if t.eq_ignore_ascii_case("false") {
                    Ok(Json::Bool(false))
                } else {
                    Err(format!(
                        "{target} is a boolean; {t:?} is neither True nor False"
                    ))
                }
            }
        },
        AttrType::Integer => v
            .as_int()
            .map(Json::from)
            .ok_or_else(|| format!("{target} is an integer; {:?} is not one", v.to_text())),
        AttrType::Complex => Ok(v.to_json()),
        AttrType::String | AttrType::DateTime | AttrType::Reference => match v {
            Value::Complex(_) | Value::List(_) => Err(format!(
                "{target} is a string; the source gave a {}",
                v.type_name()
            )),
            v => Ok(Json::String(v.to_text().into_owned())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn build(native: &str, user: Json, mode: Mode) -> Mapped {
        let l = super::super::load(native).unwrap();
        assert!(!l.has_errors(), "{:?}", l.diagnostics);
        let c = compile_object(&l.set, ObjectType::User, native).unwrap();
        c.map(&user, mode, &mut Context::new(), native, None)
    }

    const M: &str = r#"{"objects": [{"object": "User", "mappings": [
      {"target": "userName", "attribute": "userPrincipalName", "match": 1},
      {"target": "active", "expression": "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")"},
      {"target": "emails[type eq \"work\"].value", "attribute": "mail"},
      {"target": "emails[type eq \"other\"].value", "attribute": "otherMail"},
      {"target": "emails[type eq \"work\"].primary", "constant": "True"},
      {"target": "roles[primary eq \"True\"].value", "attribute": "role"},
      {"target": "name.givenName", "attribute": "givenName"},
      {"target": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "attribute": "manager"},
      {"target": "urn:ietf:params:scim:schemas:core:2.0:User:roleId", "constant": "r-1", "apply": "create"},
      {"target": "title", "attribute": "jobTitle", "default": "Staff"}
    ]}]}"#;

    #[test]
    fn builds_typed_merged_resource() {
        let u = json!({"userPrincipalName": "a@x", "IsSoftDeleted": "False", "mail": "a@x",
            "otherMail": "b@y", "role": "Editor", "givenName": "A", "manager": "m-1", "surname": null});
        let Mapped::Resource(r) = build(M, u, Mode::Create) else {
            panic!()
        };
        assert_eq!(
            r,
            json!({
                "schemas": [scim::CORE_USER, scim::ENTERPRISE_USER],
                "userName": "a@x",
                "active": true,
                "emails": [{"type": "work", "value": "a@x", "primary": true}, {"type": "other", "value": "b@y"}],
                "roles": [{"primary": true, "value": "Editor"}],
                "name": {"givenName": "A"},
                scim::ENTERPRISE_USER: {"manager": {"value": "m-1"}},
                "roleId": "r-1",
                "title": "Staff"
            })
        );
    }

    #[test]
    fn update_skips_create_only_and_defaults_and_nulls_are_absent() {
        let u = json!({"userPrincipalName": "a@x", "IsSoftDeleted": "True"});
        let Mapped::Resource(r) = build(M, u, Mode::Update) else {
            panic!()
        };
        assert_eq!(
            r,
            json!({"schemas": [scim::CORE_USER], "userName": "a@x", "active": false,
                   "emails": [{"type": "work", "primary": true}]})
        );
    }

    #[test]
    fn every_failing_attribute_is_reported() {
        let m = r#"{"objects": [{"object": "User", "mappings": [
          {"target": "active", "attribute": "flag"},
          {"target": "displayName", "expression": "CDate([x])"},
          {"target": "userName", "attribute": "upn"}]}]}"#;
        let Mapped::Failed(e) = build(
            m,
            json!({"flag": "maybe", "x": "nope", "upn": "u"}),
            Mode::Create,
        ) else {
            panic!()
        };
        let attrs: Vec<_> = e.iter().map(|e| e.attribute.as_str()).collect();
        assert_eq!(attrs, ["active", "displayName"]);
        // The span of the runtime error lies inside the expression literal in the file.
        assert!(m[e[1].span.start..e[1].span.end].starts_with("CDate"));
    }

    #[test]
    fn batch_oracle_makes_unique_values_unique_across_records() {
        let m = r#"{"objects": [{"object": "User", "mappings": [
          {"target": "userName", "expression": "SelectUniqueValue(Join(\"@\", [givenName], \"x.com\"), Join(\"@\", Join(\".\", [givenName], [surname]), \"x.com\"))"}]}]}"#;
        let l = super::super::load(m).unwrap();
        let c = compile_object(&l.set, ObjectType::User, m).unwrap();
        let none = crate::eval::NoneTaken;
        let oracle = BatchOracle::new(&none);
        let u = json!({"givenName": "John", "surname": "Smith"});
        let mut names = Vec::new();
        for _ in 0..2 {
            let mut ctx = Context::new().with_oracle(&oracle);
            let Mapped::Resource(r) = c.map(&u, Mode::Create, &mut ctx, m, Some(&oracle)) else {
                panic!()
            };
            names.push(r["userName"].clone());
        }
        assert_eq!(names, [json!("John@x.com"), json!("John.Smith@x.com")]);
    }
}
