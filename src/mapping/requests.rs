//! The HTTP requests Entra's SCIM client sends for mapped objects
//! (`attrmap map --emit requests`): the query that looks for the object,
//! then `POST` for a new one (plus the `PATCH`es that set its references),
//! or a `PATCH` holding only what changed for one the target already has.
//!
//! Shapes follow Microsoft's "Develop and plan provisioning for a SCIM
//! endpoint" request examples and the SCIM compatibility page's two PATCH
//! dialects (docs/mapping.md, "Requests"). The target's current resources
//! come from [`TargetState`]; references (manager, members) are rewritten
//! from source object ids to target ids through [`References`], or to a
//! placeholder that says what is missing.

use super::builder::{BatchOracle, CompiledObject, Mapped, Mode};
use super::scim::{ScimPath, CORE_GROUP, CORE_USER, ENTERPRISE_USER};
use super::stream::{self, Counts};
use super::ObjectType;
use crate::codes::Code;
use crate::eval::Context;
use serde_json::{json, Map, Value as Json};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

/// The schema URN of a PATCH body.
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The source attribute that identifies a source object (Graph's `id`).
pub const SOURCE_ID: &str = "objectId";

/// Which PATCH shapes to write. The compatibility page documents both: the
/// default one and the SCIM-compliant one that the `aadOptscim062020`
/// tenant URL flag turns on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Capitalised `op` values, `active` as the text `"False"`, members
    /// removed with a `value` list, one operation per changed attribute.
    #[default]
    Default,
    /// `aadOptscim062020`: lower-case `op` values, `active` as a JSON
    /// boolean, members removed with a `members[value eq "…"]` path, and
    /// several replaced attributes in one path-less `replace`.
    Scim062020,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// One HTTP request. `path` is relative to the SCIM base URL and not
/// percent-encoded (as Microsoft's examples print it).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub body: Option<Json>,
    /// What a SCIM server may refuse in this request although Entra sends
    /// it so (`attrmap::requests::*`, explained in the code registry).
    pub warnings: Vec<Code>,
}

/// `{{created:N}}`: the id the server gives the object that record `N` of
/// this run creates, known only once its `POST` has been answered.
pub fn created_placeholder(index: u64) -> String {
    format!("{{{{created:{index}}}}}")
}

/// `{{missing:ID}}`: the target id of source object `ID`, which neither the
/// target state nor this run provides. A request holding one cannot be sent
/// as it is; Entra would provision the referenced object first.
pub fn missing_placeholder(source_id: &str) -> String {
    format!("{{{{missing:{source_id}}}}}")
}

/// Every placeholder in `text`, in order.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let p = &rest[start..start + len + 2];
        if (p.starts_with("{{created:") || p.starts_with("{{missing:"))
            && !out.iter().any(|o| o == p)
        {
            out.push(p.to_string());
        }
        rest = &rest[start + len + 2..];
    }
    out
}

/// Normalised matching value → index of the first resource with it.
type ValueIndex = HashMap<String, usize>;

/// The resources the target holds now: JSONL of what `GET /Users` and
/// `GET /Groups` return (single resources, or list responses whose
/// `Resources` are read).
#[derive(Debug, Clone, Default)]
pub struct TargetState {
    resources: Vec<Json>,
    by_id: HashMap<String, usize>,
    /// (object type, matching path) → normalised value → first resource
    /// with it, built on first use: finding N records among M resources
    /// costs N + M lookups, not N × M comparisons.
    by_value: RefCell<HashMap<(&'static str, String), ValueIndex>>,
}

impl TargetState {
    /// Reads JSONL. Each non-blank line is a resource with a string `id`,
    /// or a list response; anything else is an error naming the line.
    pub fn from_jsonl(text: &str) -> Result<TargetState, String> {
        let mut resources = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Json =
                serde_json::from_str(line).map_err(|e| format!("line {}: not JSON: {e}", n + 1))?;
            let items = match v.get("Resources") {
                Some(Json::Array(list)) => list.clone(),
                Some(_) => return Err(format!("line {}: `Resources` is not a list", n + 1)),
                None => vec![v],
            };
            for r in items {
                if !r.get("id").is_some_and(Json::is_string) {
                    return Err(format!(
                        "line {}: a target resource needs its string `id` (the JSON that GET /Users or /Groups returns)",
                        n + 1
                    ));
                }
                resources.push(r);
            }
        }
        let mut by_id = HashMap::new();
        for (i, r) in resources.iter().enumerate() {
            if let Some(id) = r.get("id").and_then(Json::as_str) {
                by_id.entry(id.to_string()).or_insert(i);
            }
        }
        Ok(TargetState {
            resources,
            by_id,
            by_value: RefCell::default(),
        })
    }

    /// The resource whose `id` is `id`.
    pub fn by_id(&self, id: &str) -> Option<&Json> {
        self.by_id.get(id).map(|&i| &self.resources[i])
    }

    pub fn len(&self) -> usize {
        self.resources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// The target resource that `resource` matches, as Entra looks for it:
    /// the matching attributes in precedence order, the first one `resource`
    /// has a value for decides. Compared exactly for `id` and `externalId`
    /// (case-exact in RFC 7643), ignoring case otherwise.
    pub fn find(&self, compiled: &CompiledObject, resource: &Json) -> Option<&Json> {
        for (_, target) in &compiled.matching {
            let Some(key) = path_key(target) else {
                continue;
            };
            let Some(want) = leaf(resource, &key) else {
                continue;
            };
            let exact = is_case_exact(&key);
            let mut cache = self.by_value.borrow_mut();
            let index = cache
                .entry((compiled.object.as_str(), key.clone()))
                .or_insert_with(|| {
                    let mut index = HashMap::new();
                    for (i, r) in self.resources.iter().enumerate() {
                        if of_type(r, compiled.object) {
                            if let Some(have) = leaf(r, &key) {
                                index.entry(normalised(&have, exact)).or_insert(i);
                            }
                        }
                    }
                    index
                });
            return index
                .get(&normalised(&want, exact))
                .map(|&i| &self.resources[i]);
        }
        None
    }
}

/// RFC 7643 makes `id` and `externalId` case-exact; the matching
/// attributes Entra uses otherwise (userName, emails, displayName) are not.
fn is_case_exact(key: &str) -> bool {
    key == "externalId" || key == "id"
}

/// A matching value as the index keys it: the text, lower-cased unless the
/// attribute is case-exact.
fn normalised(v: &Json, exact: bool) -> String {
    let text = match v.as_str() {
        Some(s) => s.to_string(),
        None => v.to_string(),
    };
    if exact {
        text
    } else {
        text.to_lowercase()
    }
}

fn of_type(r: &Json, object: ObjectType) -> bool {
    let (urn, name) = match object {
        ObjectType::User => (CORE_USER, "User"),
        ObjectType::Group => (CORE_GROUP, "Group"),
    };
    let listed = r
        .get("schemas")
        .and_then(Json::as_array)
        .map(|s| s.iter().any(|u| u.as_str() == Some(urn)));
    let typed = r
        .pointer("/meta/resourceType")
        .and_then(Json::as_str)
        .map(|t| t == name);
    // A resource that says nothing of its type could be either.
    listed.or(typed).unwrap_or(true)
}

/// Where a source object is in the target: its id, or the placeholder of
/// the `POST` that creates it in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetRef {
    Id(String),
    Created(u64),
}

impl TargetRef {
    fn text(&self) -> String {
        match self {
            TargetRef::Id(id) => id.clone(),
            TargetRef::Created(i) => created_placeholder(*i),
        }
    }
}

/// Source object id → where that object is in the target.
#[derive(Debug, Clone, Default)]
pub struct References {
    ids: HashMap<String, TargetRef>,
    /// Every target id some source object has been given.
    targets: HashSet<String>,
}

impl References {
    pub fn insert(&mut self, source_id: &str, to: TargetRef) {
        if let TargetRef::Id(id) = &to {
            self.targets.insert(id.clone());
        }
        self.ids.insert(source_id.to_string(), to);
    }

    pub fn get(&self, source_id: &str) -> Option<&TargetRef> {
        self.ids.get(source_id)
    }

    /// The target id (or placeholder) that replaces source id `source_id`.
    pub fn resolve(&self, source_id: &str) -> String {
        self.get(source_id)
            .map_or_else(|| missing_placeholder(source_id), TargetRef::text)
    }

    /// Whether `target_id` belongs to some known source object.
    fn knows_target(&self, target_id: &str) -> bool {
        self.targets.contains(target_id)
    }
}

/// The source id of a record: its `objectId`.
pub fn source_id(record: &Json) -> Option<&str> {
    record.get(SOURCE_ID).and_then(Json::as_str)
}

/// What one record turned into.
#[derive(Debug, Clone, PartialEq)]
pub enum Planned {
    /// The requests, in the order Entra sends them.
    Requests {
        requests: Vec<Request>,
        /// Target attributes the mapping writes whose source is now empty:
        /// Entra leaves their values in the target (clearing values is not
        /// available for provisioning to apps), and so do these requests.
        kept: Vec<String>,
    },
    /// The target already holds what the mapping gives: only the query is sent.
    Unchanged {
        query: Request,
        id: String,
        kept: Vec<String>,
    },
    /// The mapping's own result: skipped or failed, as `--emit resources` says.
    Mapped(Mapped),
}

/// Plans the requests for a batch of records of one object type.
pub struct Planner<'a> {
    pub compiled: &'a CompiledObject,
    pub target: &'a TargetState,
    pub dialect: Dialect,
    pub references: References,
}

impl<'a> Planner<'a> {
    pub fn new(compiled: &'a CompiledObject, target: &'a TargetState, dialect: Dialect) -> Self {
        Planner {
            compiled,
            target,
            dialect,
            references: References::default(),
        }
    }

    /// Makes the objects in `records` (source objects, mapped with
    /// `compiled` in create mode) known as reference targets: by their
    /// target id when `target` has them, otherwise by the `POST` that this
    /// run sends for them when `created` is true. Returns, per record, the
    /// create-mode mapping and the target resource it matched.
    pub fn learn(
        &mut self,
        compiled: &CompiledObject,
        records: &[(Mapped, Option<String>)],
        created: bool,
    ) -> Vec<Option<String>> {
        let mut matched = Vec::with_capacity(records.len());
        for (i, (mapped, id)) in records.iter().enumerate() {
            let found = match mapped {
                Mapped::Resource(r) => self
                    .target
                    .find(compiled, r)
                    .and_then(|t| t.get("id")?.as_str().map(str::to_string)),
                _ => None,
            };
            if let Some(src) = id {
                match (&found, mapped) {
                    (Some(t), _) => self.references.insert(src, TargetRef::Id(t.clone())),
                    (None, Mapped::Resource(_)) if created => {
                        self.references.insert(src, TargetRef::Created(i as u64))
                    }
                    _ => {}
                }
            }
            matched.push(found);
        }
        matched
    }

    /// The requests for record `index`: `create` is its create-mode mapping,
    /// `update` maps it again in update mode (called only when the target has
    /// the object), `target_id` the matched target resource's id.
    pub fn plan(
        &self,
        index: u64,
        create: &Mapped,
        target_id: Option<&str>,
        update: impl FnOnce() -> Mapped,
    ) -> Planned {
        let Mapped::Resource(resource) = create else {
            return Planned::Mapped(create.clone());
        };
        let query = self.query(resource);
        match target_id {
            None => Planned::Requests {
                requests: std::iter::once(query)
                    .chain(self.create(index, resource))
                    .collect(),
                kept: Vec::new(),
            },
            Some(id) => {
                let updated = update();
                let Mapped::Resource(updated) = updated else {
                    return Planned::Mapped(updated);
                };
                let current = self.target.by_id(id);
                let empty = Json::Object(Map::new());
                let (patches, kept) = self.diff(&updated, current.unwrap_or(&empty));
                if patches.is_empty() {
                    return Planned::Unchanged {
                        query,
                        id: id.to_string(),
                        kept,
                    };
                }
                Planned::Requests {
                    requests: std::iter::once(query)
                        .chain(patches.into_iter().map(|ops| self.patch(id, ops)))
                        .collect(),
                    kept,
                }
            }
        }
    }

    /// An object out of scope that the target still holds: Entra
    /// deprovisions it (skip-out-of-scope-deletions.md: the default unless
    /// SkipOutOfScopeDeletions is set). A user is disabled when it is still
    /// active (how-provisioning-works.md: "for SCIM applications, a disable
    /// is a request to set the active property to false"); a group, which
    /// SCIM gives no `active`, is deleted (the SCIM tutorial's "Delete Group"
    /// request and group deprovisioning sequence). `unscoped` is the record
    /// mapped as if it were in scope, to find it. `None`: nothing to send.
    pub fn disable_out_of_scope(&self, unscoped: &Mapped) -> Option<Planned> {
        let Mapped::Resource(resource) = unscoped else {
            return None;
        };
        let current = self.target.find(self.compiled, resource)?;
        let id = current.get("id")?.as_str()?;
        if self.compiled.object == ObjectType::Group {
            return Some(Planned::Requests {
                requests: vec![
                    self.query(resource),
                    Request {
                        method: Method::Delete,
                        path: format!("{}/{id}", self.collection()),
                        body: None,
                        warnings: Vec::new(),
                    },
                ],
                kept: Vec::new(),
            });
        }
        if current
            .get("active")
            .is_some_and(|a| same_value(&Json::Bool(false), a))
        {
            return None;
        }
        let value = match self.dialect {
            Dialect::Default => Json::String("False".into()),
            Dialect::Scim062020 => Json::Bool(false),
        };
        let op = json!({"op": self.op("Replace"), "path": "active", "value": value});
        Some(Planned::Requests {
            requests: vec![self.query(resource), self.patch(id, vec![op])],
            kept: Vec::new(),
        })
    }

    fn collection(&self) -> &'static str {
        match self.compiled.object {
            ObjectType::User => "/Users",
            ObjectType::Group => "/Groups",
        }
    }

    /// `GET /Users?filter=…` with the first matching attribute the resource
    /// has, as Entra looks for the object before creating it.
    fn query(&self, resource: &Json) -> Request {
        let filter = self.compiled.matching.iter().find_map(|(_, target)| {
            let value = leaf(resource, &path_key(target)?)?;
            let text = match value.as_str() {
                Some(s) => s.to_string(),
                None => value.to_string(),
            };
            Some(format!("{target} eq {}", Json::String(text)))
        });
        let mut path = self.collection().to_string();
        let mut sep = '?';
        if self.compiled.object == ObjectType::Group {
            // Groups are read without their members (tutorial, "Get Group by displayName").
            path.push_str("?excludedAttributes=members");
            sep = '&';
        }
        if let Some(f) = filter {
            path.push(sep);
            path.push_str("filter=");
            path.push_str(&f);
        }
        Request {
            method: Method::Get,
            path,
            body: None,
            warnings: Vec::new(),
        }
    }

    fn op(&self, name: &str) -> String {
        match self.dialect {
            Dialect::Default => name.to_string(),
            Dialect::Scim062020 => name.to_ascii_lowercase(),
        }
    }

    fn patch(&self, id: &str, ops: Vec<Json>) -> Request {
        let manager = manager_path();
        let sets_manager = ops.iter().any(|op| {
            op.get("path").and_then(Json::as_str) == Some(&manager)
                || op.get("value").is_some_and(|v| v.get(&manager).is_some())
        });
        let removes_with_value = ops.iter().any(|op| {
            op.get("op").and_then(Json::as_str) == Some("Remove") && op.get("value").is_some()
        });
        Request {
            method: Method::Patch,
            path: format!("{}/{id}", self.collection()),
            body: Some(json!({"schemas": [PATCH_OP], "Operations": ops})),
            warnings: [
                (sets_manager, Code::RequestsManagerAsText),
                (removes_with_value, Code::RequestsRemoveWithValue),
            ]
            .into_iter()
            .filter_map(|(applies, w)| applies.then_some(w))
            .collect(),
        }
    }

    /// `POST` with Entra's create shape, then a `PATCH` for the manager or
    /// the members, which are never part of the `POST`.
    fn create(&self, index: u64, resource: &Json) -> Vec<Request> {
        let mut body = resource.as_object().cloned().unwrap_or_default();
        let mut manager = None;
        let mut members = Vec::new();
        if let Some(Json::Object(ext)) = body.get_mut(ENTERPRISE_USER) {
            manager = ext.remove("manager").and_then(|m| reference_id(&m));
            if ext.is_empty() {
                body.remove(ENTERPRISE_USER);
            }
        }
        if let Some(Json::Array(list)) = body.remove("members") {
            members = list.iter().filter_map(reference_id).collect();
        }
        // Custom extension URNs stay out of `schemas` (Entra lists only the
        // core schema and the enterprise extension), their attributes stay.
        let schemas: Vec<Json> = [CORE_USER, CORE_GROUP, ENTERPRISE_USER]
            .iter()
            .filter(|u| **u != ENTERPRISE_USER || body.contains_key(ENTERPRISE_USER))
            .filter(|u| {
                resource
                    .get("schemas")
                    .and_then(Json::as_array)
                    .is_some_and(|s| s.iter().any(|x| x.as_str() == Some(u)))
            })
            .map(|u| Json::String(u.to_string()))
            .collect();
        body.insert("schemas".into(), Json::Array(schemas));
        let kind = match self.compiled.object {
            ObjectType::User => "User",
            ObjectType::Group => "Group",
        };
        body.insert("meta".into(), json!({"resourceType": kind}));
        if self.compiled.object == ObjectType::User {
            if let Some(Json::Array(emails)) = body.get_mut("emails") {
                for e in emails.iter_mut() {
                    if let Json::Object(e) = e {
                        if e.get("type").and_then(Json::as_str) == Some("work") {
                            e.entry("primary").or_insert(Json::Bool(true));
                        }
                    }
                }
            }
            // The tutorial's create request carries `roles` even when no
            // mapping fills it.
            body.entry("roles").or_insert(Json::Array(Vec::new()));
        }
        let created = created_placeholder(index);
        let mut out = vec![Request {
            method: Method::Post,
            path: self.collection().to_string(),
            body: Some(Json::Object(body)),
            warnings: Vec::new(),
        }];
        if let Some(m) = manager {
            out.push(self.patch(
                &created,
                vec![json!({"op": self.op("Add"), "path": manager_path(),
                            "value": self.references.resolve(&m)})],
            ));
        }
        let members: Vec<String> = members.iter().map(|m| self.references.resolve(m)).collect();
        for ops in self.member_additions(&members) {
            out.push(self.patch(&created, ops));
        }
        out
    }

    /// `Add members` PATCHes: one for the members the target has or this
    /// run creates, another for those it lacks (`{{missing:…}}`), so that a
    /// missing one does not hold back the others.
    fn member_additions(&self, ids: &[String]) -> Vec<Vec<Json>> {
        let (missing, known): (Vec<&String>, Vec<&String>) =
            ids.iter().partition(|m| m.starts_with("{{missing:"));
        [known, missing]
            .into_iter()
            .filter(|part| !part.is_empty())
            .map(|part| {
                let value: Vec<Json> = part.iter().map(|m| member(m)).collect();
                vec![json!({"op": self.op("Add"), "path": "members", "value": value})]
            })
            .collect()
    }

    /// The PATCHes (lists of operations) that bring `current` to `wanted`:
    /// the attributes, then the manager, added members and removed members
    /// each in their own, as a reference the target lacks or an operation a
    /// server refuses must not hold back the rest. Also the mapped paths left
    /// alone because their source is now empty.
    fn diff(&self, wanted: &Json, current: &Json) -> (Vec<Vec<Json>>, Vec<String>) {
        let (wanted, wanted_members) = self.resolve_references(wanted);
        let want = leaves(&wanted);
        let have = leaves(current);
        let mut patches = Vec::new();
        let (ops, manager_ops) = self.attribute_ops(&want, &have);
        if !ops.is_empty() {
            patches.push(ops);
        }
        if !manager_ops.is_empty() {
            patches.push(manager_ops);
        }
        if let Some(wanted_members) = wanted_members {
            patches.extend(self.member_patches(&wanted_members, current));
        }
        let kept = self
            .compiled
            .targets(Mode::Update)
            .filter_map(path_key)
            .filter(|k| {
                !want.iter().any(|(p, _)| p.eq_ignore_ascii_case(k))
                    && have.iter().any(|(p, _)| p.eq_ignore_ascii_case(k))
            })
            .collect();
        (patches, kept)
    }

    /// `wanted` with its manager resolved to a target id, and its members
    /// (taken out, resolved) apart.
    fn resolve_references(&self, wanted: &Json) -> (Json, Option<Vec<String>>) {
        let mut wanted = wanted.clone();
        let mut wanted_members = None;
        if let Some(obj) = wanted.as_object_mut() {
            if let Some(Json::Array(list)) = obj.remove("members") {
                wanted_members = Some(
                    list.iter()
                        .filter_map(reference_id)
                        .map(|m| self.references.resolve(&m))
                        .collect::<Vec<_>>(),
                );
            }
            if let Some(m) = obj
                .get_mut(ENTERPRISE_USER)
                .and_then(|e| e.get_mut("manager"))
            {
                if let Some(id) = reference_id(m) {
                    *m = Json::String(self.references.resolve(&id));
                }
            }
        }
        (wanted, wanted_members)
    }

    /// The operations on attributes whose value changed, and apart from
    /// them those on the manager.
    fn attribute_ops(
        &self,
        want: &[(String, Json)],
        have: &[(String, Json)],
    ) -> (Vec<Json>, Vec<Json>) {
        let manager = manager_path();
        let mut ops = Vec::new();
        let mut manager_ops = Vec::new();
        let mut replaced = Vec::new();
        for (path, value) in want {
            let old = have.iter().find(|(p, _)| p.eq_ignore_ascii_case(path));
            if old.is_some_and(|(_, o)| same_value(value, o)) {
                continue;
            }
            let value = if path == "active" && self.dialect == Dialect::Default {
                // The compatibility page: without the flag, `active` goes as text.
                match value.as_bool() {
                    Some(true) => Json::String("True".into()),
                    Some(false) => Json::String("False".into()),
                    None => value.clone(),
                }
            } else {
                value.clone()
            };
            let name = if old.is_some() { "Replace" } else { "Add" };
            if *path == manager {
                manager_ops.push(json!({"op": self.op(name), "path": path, "value": value}));
            } else if name == "Replace"
                && self.dialect == Dialect::Scim062020
                && !path.contains('[')
            {
                replaced.push((path.clone(), value));
            } else {
                ops.push(json!({"op": self.op(name), "path": path, "value": value}));
            }
        }
        match replaced.len() {
            0 => {}
            1 => {
                let (path, value) = replaced.remove(0);
                ops.push(json!({"op": "replace", "path": path, "value": value}));
            }
            _ => {
                // The flag's form: several attributes in one path-less replace.
                let value: Map<String, Json> = replaced.into_iter().collect();
                ops.push(json!({"op": "replace", "value": value}));
            }
        }
        (ops, manager_ops)
    }

    /// The PATCHes adding the members the target lacks and removing those
    /// it has but should not.
    fn member_patches(&self, wanted_members: &[String], current: &Json) -> Vec<Vec<Json>> {
        let mut patches = Vec::new();
        let current_members: Vec<String> = current
            .get("members")
            .and_then(Json::as_array)
            .map(|l| l.iter().filter_map(reference_id).collect())
            .unwrap_or_default();
        let added: Vec<String> = wanted_members
            .iter()
            .filter(|m| !current_members.contains(m))
            .cloned()
            .collect();
        patches.extend(self.member_additions(&added));
        // Only members traced to a known source object are removed: the
        // others were not provisioned from these records.
        let removed: Vec<&String> = current_members
            .iter()
            .filter(|m| !wanted_members.contains(m) && self.references.knows_target(m))
            .collect();
        if !removed.is_empty() {
            patches.push(match self.dialect {
                    Dialect::Default => vec![json!({"op": "Remove", "path": "members",
                        "value": removed.iter().map(|m| json!({"value": m})).collect::<Vec<_>>()})],
                    Dialect::Scim062020 => removed
                        .iter()
                        .map(|m| {
                            json!({"op": "remove",
                                   "path": format!("members[value eq {}]", Json::String((*m).clone()))})
                        })
                        .collect(),
                });
        }
        patches
    }
}

fn manager_path() -> String {
    format!("{ENTERPRISE_USER}:manager")
}

/// A member as the tutorial's requests write it.
fn member(id: &str) -> Json {
    json!({"$ref": null, "value": id})
}

/// The id in a reference: `{"value": id}` or a bare id.
fn reference_id(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Object(o) => o.get("value")?.as_str().map(str::to_string),
        _ => None,
    }
}

/// A target path written the way [`leaves`] names values: the core URN
/// prefix dropped, extensions as `URN:attribute`, filters as `[sub eq "v"]`.
fn path_key(target: &str) -> Option<String> {
    let p = ScimPath::parse(target).ok()?;
    let mut key = match &p.extension {
        Some(urn) => format!("{urn}:{}", p.attribute),
        None => p.attribute.clone(),
    };
    if let Some((sub, value)) = &p.filter {
        key = format!("{key}[{sub} eq {}]", Json::String(value.clone()));
        key.push('.');
        key.push_str(p.sub_attribute.as_deref().unwrap_or("value"));
    } else if let Some(sub) = &p.sub_attribute {
        key.push('.');
        key.push_str(sub);
    }
    Some(key)
}

/// The value at `key` (a [`path_key`]) in a resource.
fn leaf(resource: &Json, key: &str) -> Option<Json> {
    leaves(resource)
        .into_iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A resource as (Entra PATCH path, value) pairs: `name.givenName`,
/// `emails[type eq "work"].value`, `URN:department`, the manager as its id;
/// multi-valued attributes without `type` (roles, members) whole.
fn leaves(resource: &Json) -> Vec<(String, Json)> {
    let mut out = Vec::new();
    let Some(obj) = resource.as_object() else {
        return out;
    };
    for (k, v) in obj {
        if matches!(k.as_str(), "schemas" | "id" | "meta" | "members") {
            continue;
        }
        if k.contains(':') {
            // An extension: its attributes are addressed with the URN.
            if let Json::Object(ext) = v {
                for (a, x) in ext {
                    let path = format!("{k}:{a}");
                    if a == "manager" {
                        if let Some(id) = reference_id(x) {
                            out.push((path, Json::String(id)));
                        }
                    } else if let Json::Object(subs) = x {
                        for (s, y) in subs {
                            out.push((format!("{path}.{s}"), y.clone()));
                        }
                    } else {
                        out.push((path, x.clone()));
                    }
                }
            }
            continue;
        }
        match v {
            Json::Object(subs) => {
                for (s, y) in subs {
                    out.push((format!("{k}.{s}"), y.clone()));
                }
            }
            Json::Array(items)
                if !items.is_empty()
                    && items
                        .iter()
                        .all(|e| e.get("type").is_some_and(Json::is_string)) =>
            {
                for e in items {
                    let Some(Json::String(t)) = e.get("type") else {
                        continue;
                    };
                    let filter = format!("{k}[type eq {}]", Json::String(t.clone()));
                    for (s, y) in e.as_object().into_iter().flatten() {
                        if s != "type" {
                            out.push((format!("{filter}.{s}"), y.clone()));
                        }
                    }
                }
            }
            _ => out.push((k.clone(), v.clone())),
        }
    }
    out
}

/// Whether the target's value already is the wanted one. Booleans equal
/// their `True`/`False` text; a wanted list is there when each element's
/// fields are in some element of the target's list of the same length
/// (servers add `display`, `type` and the like).
fn same_value(want: &Json, have: &Json) -> bool {
    match (want, have) {
        (Json::Bool(b), Json::String(s)) | (Json::String(s), Json::Bool(b)) => {
            s.eq_ignore_ascii_case(if *b { "true" } else { "false" })
        }
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| subset(x, y)))
        }
        (Json::Object(_), Json::Object(_)) => subset(want, have),
        _ => want == have,
    }
}

fn subset(want: &Json, have: &Json) -> bool {
    match (want, have) {
        (Json::Object(w), Json::Object(h)) => w
            .iter()
            .all(|(k, v)| h.get(k).is_some_and(|x| same_value(v, x))),
        _ => same_value(want, have),
    }
}

/// `attrmap map --emit requests` without the command line: a whole batch
/// of source records in, request lines out. The records are held in memory:
/// a reference may point at a record further down.
pub struct RequestBatch<'a> {
    pub compiled: &'a CompiledObject,
    /// The mapping file's text, for error spans.
    pub file: &'a str,
    pub target: &'a TargetState,
    pub dialect: Dialect,
    /// Other source objects references may point at (the users, for a
    /// group run), with the object mapping that finds them in the target.
    pub referenced: Option<(&'a CompiledObject, &'a [Json])>,
    /// Remembers SelectUniqueValue's choices across the batch.
    pub oracle: Option<&'a BatchOracle<'a>>,
}

impl RequestBatch<'_> {
    /// Maps every record of `input` (JSONL), then writes each one's lines to
    /// `out` in input order.
    pub fn run<W: Write + ?Sized>(
        &self,
        input: &str,
        out: &mut W,
        ctx: &mut Context<'_>,
    ) -> io::Result<Counts> {
        let mut records: Vec<Result<Json, Json>> = Vec::new();
        for line in input.lines().filter(|l| !l.trim().is_empty()) {
            let index = records.len() as u64;
            records.push(match serde_json::from_str::<Json>(line) {
                Ok(v) if v.is_object() => Ok(v),
                Ok(_) => {
                    let (code, message) = stream::unreadable(line.as_bytes(), &"");
                    Err(stream::error_line(index, code, &message))
                }
                Err(e) => {
                    let (code, message) = stream::unreadable(line.as_bytes(), &e);
                    Err(stream::error_line(index, code, &message))
                }
            });
        }
        self.run_records(records, out, ctx)
    }

    /// [`RequestBatch::run`] on any form [`crate::sources::detect`] finds:
    /// Graph pages, PowerShell or az output, the portal's CSV, JSON arrays
    /// or JSON Lines, read by the same readers as `attrmap map` (Graph names
    /// translated, `IsSoftDeleted` derived). A record the reader cannot use
    /// is an error line in its place.
    pub fn run_source<R: std::io::BufRead, W: Write + ?Sized>(
        &self,
        input: R,
        source: &crate::sources::Detected,
        limits: crate::sources::Limits,
        out: &mut W,
        ctx: &mut Context<'_>,
    ) -> io::Result<Counts> {
        let records = read_records(input, source, limits)?;
        self.run_records(records, out, ctx)
    }

    /// Maps `records` (each an object, or the error line that stands for an
    /// unreadable one), then writes each one's lines to `out` in order.
    pub fn run_records<W: Write + ?Sized>(
        &self,
        records: Vec<Result<Json, Json>>,
        out: &mut W,
        ctx: &mut Context<'_>,
    ) -> io::Result<Counts> {
        let mut planner = Planner::new(self.compiled, self.target, self.dialect);
        if let Some((compiled, records)) = self.referenced {
            let mapped: Vec<(Mapped, Option<String>)> = records
                .iter()
                .map(|r| {
                    let m = compiled.map(r, Mode::Create, ctx, self.file, None);
                    (m, source_id(r).map(str::to_string))
                })
                .collect();
            planner.learn(compiled, &mapped, false);
        }
        let mapped: Vec<(Mapped, Option<String>)> = records
            .iter()
            .map(|r| match r {
                Ok(rec) => (
                    self.compiled
                        .map(rec, Mode::Create, ctx, self.file, self.oracle),
                    source_id(rec).map(str::to_string),
                ),
                Err(_) => (Mapped::Skipped("unreadable"), None),
            })
            .collect();
        // Entra does not provision a user that is disabled in Entra ID
        // (how-provisioning-works.md, "Known limitations"): one the target
        // does not have yet is not created, and references to it wait.
        let mapped: Vec<(Mapped, Option<String>)> = mapped
            .into_iter()
            .zip(&records)
            .map(|((m, id), record)| {
                let new_and_disabled = self.compiled.object == ObjectType::User
                    && record.as_ref().is_ok_and(is_disabled)
                    && matches!(&m, Mapped::Resource(r) if self.target.find(self.compiled, r).is_none());
                if new_and_disabled {
                    (Mapped::Skipped(DISABLED), id)
                } else {
                    (m, id)
                }
            })
            .collect();
        let matched = planner.learn(self.compiled, &mapped, true);
        let mut counts = Counts::default();
        for (i, (record, (create, _))) in records.iter().zip(&mapped).enumerate() {
            let index = i as u64;
            counts.input += 1;
            let rec = match record {
                Ok(rec) => rec,
                Err(line) => {
                    counts.errors += 1;
                    stream::write_line(out, line)?;
                    continue;
                }
            };
            let out_of_scope = match create {
                Mapped::Skipped("scope") => planner.disable_out_of_scope(
                    &self
                        .compiled
                        .map_ignoring_scope(rec, Mode::Create, ctx, self.file),
                ),
                _ => None,
            };
            let planned = match out_of_scope {
                Some(p) => p,
                None => planner.plan(index, create, matched[i].as_deref(), || {
                    self.compiled
                        .map(rec, Mode::Update, ctx, self.file, self.oracle)
                }),
            };
            match &planned {
                Planned::Mapped(Mapped::Skipped(_)) => counts.skipped += 1,
                Planned::Mapped(Mapped::Failed(_)) => counts.errors += 1,
                _ => counts.out += 1,
            }
            for line in to_lines(index, &planned) {
                write_ordered(out, &line)?;
            }
        }
        Ok(counts)
    }
}

/// The skip reason of a user that is disabled in the source and that the
/// target does not have: Entra does not create it.
pub const DISABLED: &str = "disabled";

/// Whether a source user is disabled or soft-deleted in Entra ID: its
/// `IsSoftDeleted` (given, or derived by the source readers from
/// `accountEnabled` and `deletedDateTime`) is true.
fn is_disabled(record: &Json) -> bool {
    use crate::eval::Record as _;
    match record.attribute(crate::sources::graph::IS_SOFT_DELETED) {
        Some(crate::value::Value::Bool(b)) => b,
        Some(v) => v.to_text().eq_ignore_ascii_case("true"),
        None => false,
    }
}

/// Every record of `input` in the `source` form, as JSON objects with the
/// provisioning service's names, or the error line of one that cannot be read.
pub fn read_records<R: std::io::BufRead>(
    input: R,
    source: &crate::sources::Detected,
    limits: crate::sources::Limits,
) -> io::Result<Vec<Result<Json, Json>>> {
    let mut records: Vec<Result<Json, Json>> = Vec::new();
    crate::sources::read(input, source, limits, |item, _| {
        let index = records.len() as u64;
        records.push(match item {
            crate::sources::Item::Record(r) => Ok(Json::Object(r.to_map())),
            crate::sources::Item::Error { code, message } => {
                Err(stream::error_line(index, code, &message))
            }
        });
        Ok(std::ops::ControlFlow::Continue(()))
    })?;
    Ok(records)
}

/// Writes a result line with `index`, `method` and `path` first, then the
/// other fields in key order.
fn write_ordered<W: Write + ?Sized>(out: &mut W, line: &Json) -> io::Result<()> {
    const FIRST: [&str; 3] = ["index", "method", "path"];
    let Json::Object(m) = line else {
        return Ok(());
    };
    let fields = FIRST
        .iter()
        .filter_map(|k| m.get_key_value(*k))
        .chain(m.iter().filter(|(k, _)| !FIRST.contains(&k.as_str())));
    out.write_all(b"{")?;
    for (i, (k, v)) in fields.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, k)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, v)?;
    }
    out.write_all(b"}\n")
}

/// Writes one planned record as result lines: one line per request,
/// `{"index","method","path","body"?,"kept"?,"pending"?,"warnings"?}`
/// (`"unchanged": id` when only the query is sent), or the skipped or
/// error line `--emit resources` writes.
pub fn to_lines(index: u64, planned: &Planned) -> Vec<Json> {
    match planned {
        Planned::Requests { requests, kept } => {
            let last = requests.len().saturating_sub(1);
            requests
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut line = request_line(index, r);
                    if i == last && !kept.is_empty() {
                        line.insert("kept".into(), json!(kept));
                    }
                    Json::Object(line)
                })
                .collect()
        }
        Planned::Unchanged { query, id, kept } => {
            let mut line = request_line(index, query);
            line.insert("unchanged".into(), Json::String(id.clone()));
            if !kept.is_empty() {
                line.insert("kept".into(), json!(kept));
            }
            vec![Json::Object(line)]
        }
        Planned::Mapped(m) => vec![super::stream::result_line(index, m)],
    }
}

fn request_line(index: u64, r: &Request) -> Map<String, Json> {
    let mut line = Map::new();
    line.insert("index".into(), json!(index));
    line.insert("method".into(), json!(r.method.as_str()));
    line.insert("path".into(), json!(r.path));
    let mut text = r.path.clone();
    if let Some(b) = &r.body {
        line.insert("body".into(), b.clone());
        text.push_str(&b.to_string());
    }
    let pending = placeholders(&text);
    if !pending.is_empty() {
        line.insert("pending".into(), json!(pending));
    }
    if !r.warnings.is_empty() {
        let w: Vec<Json> = r
            .warnings
            .iter()
            .map(|code| json!({"code": code, "message": code.spec().summary}))
            .collect();
        line.insert("warnings".into(), Json::Array(w));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::builder::compile_object;
    use crate::mapping::load;

    #[test]
    fn paths_are_entra_paths() {
        assert_eq!(
            path_key(r#"emails[type eq "work"].value"#).unwrap(),
            r#"emails[type eq "work"].value"#
        );
        assert_eq!(
            path_key("urn:ietf:params:scim:schemas:core:2.0:User:roleId").unwrap(),
            "roleId"
        );
        let r = json!({"name": {"givenName": "A"}, "emails": [{"type": "work", "value": "a@b"}],
            ENTERPRISE_USER: {"manager": {"value": "m1"}, "department": "D"}});
        let l = leaves(&r);
        assert!(l.contains(&("name.givenName".into(), json!("A"))));
        assert!(l.contains(&(r#"emails[type eq "work"].value"#.into(), json!("a@b"))));
        assert!(l.contains(&(format!("{ENTERPRISE_USER}:manager"), json!("m1"))));
        assert!(l.contains(&(format!("{ENTERPRISE_USER}:department"), json!("D"))));
    }

    #[test]
    fn placeholders_are_found_once_each() {
        assert_eq!(
            placeholders(r#"/Users/{{created:3}} {"value":"{{missing:a}}","x":"{{created:3}}"}"#),
            vec!["{{created:3}}", "{{missing:a}}"]
        );
        assert!(placeholders("{{other}}").is_empty());
    }

    fn compiled(object: ObjectType) -> (CompiledObject, String) {
        let src = r#"{"objects": [{"object": "User", "mappings": [
            {"target": "userName", "attribute": "userPrincipalName", "match": 1},
            {"target": "active", "expression": "Not([IsSoftDeleted])"},
            {"target": "emails[type eq \"work\"].value", "attribute": "mail"},
            {"target": "name.givenName", "attribute": "givenName"},
            {"target": "externalId", "attribute": "objectId", "apply": "create"},
            {"target": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "attribute": "manager"},
            {"target": "urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge", "attribute": "badge"}
          ]}, {"object": "Group", "mappings": [
            {"target": "displayName", "attribute": "displayName", "match": 1},
            {"target": "members", "attribute": "members"}]}]}"#;
        let set = load(src).unwrap().set;
        (compile_object(&set, object, src).unwrap(), src.to_string())
    }

    fn map(c: &CompiledObject, src: &str, rec: &Json, mode: Mode) -> Mapped {
        c.map(rec, mode, &mut crate::eval::Context::new(), src, None)
    }

    #[test]
    fn create_has_entras_shape_and_patches_the_manager_afterwards() {
        let (c, src) = compiled(ObjectType::User);
        let state = TargetState::default();
        let mut planner = Planner::new(&c, &state, Dialect::Default);
        let boss =
            json!({"objectId": "s-boss", "userPrincipalName": "boss@x", "IsSoftDeleted": false});
        let me = json!({"objectId": "s-me", "userPrincipalName": "me@x", "mail": "me@x",
            "IsSoftDeleted": false, "manager": "s-boss", "badge": "7"});
        let recs: Vec<(Mapped, Option<String>)> = [&me, &boss]
            .iter()
            .map(|r| {
                (
                    map(&c, &src, r, Mode::Create),
                    source_id(r).map(String::from),
                )
            })
            .collect();
        let matched = planner.learn(&c, &recs, true);
        assert_eq!(matched, vec![None, None]);
        let Planned::Requests { requests, .. } =
            planner.plan(0, &recs[0].0, None, || unreachable!())
        else {
            panic!()
        };
        assert_eq!(requests[0].method, Method::Get);
        assert_eq!(requests[0].path, r#"/Users?filter=userName eq "me@x""#);
        let post = requests[1].body.as_ref().unwrap();
        assert_eq!(requests[1].path, "/Users");
        assert_eq!(post["schemas"], json!([CORE_USER]));
        assert_eq!(post["meta"], json!({"resourceType": "User"}));
        assert_eq!(
            post["emails"],
            json!([{"primary": true, "type": "work", "value": "me@x"}])
        );
        assert_eq!(post["roles"], json!([]));
        assert_eq!(
            post["urn:ietf:params:scim:schemas:extension:acme:2.0:User"],
            json!({"badge": "7"})
        );
        assert!(post.get(ENTERPRISE_USER).is_none());
        assert_eq!(requests[2].path, "/Users/{{created:0}}");
        assert_eq!(
            requests[2].body.as_ref().unwrap()["Operations"],
            json!([{"op": "Add", "path": manager_path(), "value": "{{created:1}}"}])
        );
        assert_eq!(requests[2].warnings, vec![Code::RequestsManagerAsText]);
        assert!(requests[1].warnings.is_empty());
    }

    #[test]
    fn update_sends_only_changes_in_both_dialects() {
        let (c, src) = compiled(ObjectType::User);
        let state = TargetState::from_jsonl(
            r#"{"id": "t1", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "Me@x", "active": true, "externalId": "old", "name": {"givenName": "Old", "familyName": "F"}, "emails": [{"type": "work", "value": "me@x", "primary": true}]}"#,
        )
        .unwrap();
        let me = json!({"objectId": "s-me", "userPrincipalName": "me@x", "mail": "me@x",
            "givenName": "New", "IsSoftDeleted": true});
        let create = map(&c, &src, &me, Mode::Create);
        for (dialect, want) in [
            (
                Dialect::Default,
                json!([{"op": "Replace", "path": "active", "value": "False"},
                       {"op": "Replace", "path": "name.givenName", "value": "New"},
                       {"op": "Replace", "path": "userName", "value": "me@x"}]),
            ),
            (
                Dialect::Scim062020,
                json!([{"op": "replace", "value": {"active": false, "name.givenName": "New", "userName": "me@x"}}]),
            ),
        ] {
            let mut planner = Planner::new(&c, &state, dialect);
            let matched = planner.learn(&c, &[(create.clone(), Some("s-me".into()))], true);
            assert_eq!(matched[0].as_deref(), Some("t1"));
            let Planned::Requests { requests, kept } =
                planner.plan(0, &create, Some("t1"), || map(&c, &src, &me, Mode::Update))
            else {
                panic!()
            };
            assert_eq!(requests[1].path, "/Users/t1");
            // Matched ignoring case, but a change of case is a change to send;
            // externalId is create-only: never part of an update.
            assert_eq!(requests[1].body.as_ref().unwrap()["Operations"], want);
            assert!(kept.is_empty());
        }
    }

    #[test]
    fn group_members_are_added_after_create_and_removed_per_dialect() {
        let (c, src) = compiled(ObjectType::Group);
        let state = TargetState::from_jsonl(concat!(
            r#"{"id": "u1", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a"}"#,
            "\n",
            r#"{"id": "u2", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "b"}"#,
            "\n",
            r#"{"id": "g1", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G", "members": [{"value": "u1"}, {"value": "u2"}, {"value": "hand-made"}]}"#
        ))
        .unwrap();
        let group = json!({"objectId": "sg", "displayName": "G", "members": ["s1", "s3"]});
        let new_group = json!({"objectId": "sn", "displayName": "N", "members": ["s1", "s9"]});
        for (dialect, removal) in [
            (
                Dialect::Default,
                json!({"op": "Remove", "path": "members", "value": [{"value": "u2"}]}),
            ),
            (
                Dialect::Scim062020,
                json!({"op": "remove", "path": "members[value eq \"u2\"]"}),
            ),
        ] {
            let mut planner = Planner::new(&c, &state, dialect);
            for (s, t) in [("s1", "u1"), ("s2", "u2"), ("s3", "u3")] {
                planner.references.insert(s, TargetRef::Id(t.into()));
            }
            let create = map(&c, &src, &group, Mode::Create);
            let Planned::Requests { requests, .. } = planner.plan(0, &create, Some("g1"), || {
                map(&c, &src, &group, Mode::Update)
            }) else {
                panic!()
            };
            assert_eq!(
                requests[0].path,
                r#"/Groups?excludedAttributes=members&filter=displayName eq "G""#
            );
            // u3 joins, u2 leaves, each in its own PATCH; "hand-made"
            // belongs to no known source object and stays.
            assert_eq!(requests.len(), 3);
            let ops = |r: &Request| r.body.as_ref().unwrap()["Operations"].clone();
            assert_eq!(
                ops(&requests[1]),
                json!([{"op": planner.op("Add"), "path": "members", "value": [{"$ref": null, "value": "u3"}]}])
            );
            assert_eq!(ops(&requests[2]), json!([removal]));
            assert_eq!(
                requests[2]
                    .warnings
                    .contains(&Code::RequestsRemoveWithValue),
                dialect == Dialect::Default
            );

            let create = map(&c, &src, &new_group, Mode::Create);
            let Planned::Requests { requests, .. } =
                planner.plan(5, &create, None, || unreachable!())
            else {
                panic!()
            };
            assert!(requests[1].body.as_ref().unwrap().get("members").is_none());
            // s1 is in the target; s9 nowhere: its addition waits apart.
            assert_eq!(requests[2].path, "/Groups/{{created:5}}");
            assert_eq!(
                ops(&requests[2])[0]["value"],
                json!([{"$ref": null, "value": "u1"}])
            );
            let line = request_line(5, &requests[3]);
            assert_eq!(line["pending"], json!(["{{created:5}}", "{{missing:s9}}"]));
        }
    }

    #[test]
    fn a_user_out_of_scope_is_disabled_when_the_target_has_it_active() {
        let src = r#"{"objects": [{"object": "User",
            "scope": [[{"attribute": "department", "operator": "NOT EQUALS", "values": ["Interns"]}]],
            "mappings": [{"target": "userName", "attribute": "userPrincipalName", "match": 1},
                         {"target": "displayName", "attribute": "displayName"}]}]}"#;
        let set = load(src).unwrap().set;
        let c = compile_object(&set, ObjectType::User, src).unwrap();
        let state = TargetState::from_jsonl(concat!(
            r#"{"id": "t1", "userName": "in@x", "active": true}"#,
            "\n",
            r#"{"id": "t2", "userName": "gone@x", "active": "False"}"#
        ))
        .unwrap();
        let intern = json!({"userPrincipalName": "in@x", "department": "Interns"});
        let create = map(&c, src, &intern, Mode::Create);
        assert_eq!(create, Mapped::Skipped("scope"));
        let unscoped =
            c.map_ignoring_scope(&intern, Mode::Create, &mut crate::eval::Context::new(), src);
        for (dialect, want) in [
            (
                Dialect::Default,
                json!({"op": "Replace", "path": "active", "value": "False"}),
            ),
            (
                Dialect::Scim062020,
                json!({"op": "replace", "path": "active", "value": false}),
            ),
        ] {
            let planner = Planner::new(&c, &state, dialect);
            let Some(Planned::Requests { requests, .. }) = planner.disable_out_of_scope(&unscoped)
            else {
                panic!("the intern is active in the target")
            };
            assert_eq!(requests[1].path, "/Users/t1");
            assert_eq!(
                requests[1].body.as_ref().unwrap()["Operations"],
                json!([want])
            );
        }
        // Already disabled, or not in the target: nothing to send.
        let planner = Planner::new(&c, &state, Dialect::Default);
        for upn in ["gone@x", "new@x"] {
            let rec = json!({"userPrincipalName": upn, "department": "Interns"});
            let unscoped =
                c.map_ignoring_scope(&rec, Mode::Create, &mut crate::eval::Context::new(), src);
            assert_eq!(planner.disable_out_of_scope(&unscoped), None);
        }
    }

    #[test]
    fn a_group_out_of_scope_is_deleted_when_the_target_has_it() {
        let src = r#"{"objects": [{"object": "Group",
            "scope": [[{"attribute": "displayName", "operator": "NOT EQUALS", "values": ["Retired"]}]],
            "mappings": [{"target": "displayName", "attribute": "displayName", "match": 1},
                         {"target": "externalId", "attribute": "objectId"}]}]}"#;
        let set = load(src).unwrap().set;
        let c = compile_object(&set, ObjectType::Group, src).unwrap();
        let state = TargetState::from_jsonl(
            r#"{"id": "g1", "displayName": "Retired", "externalId": "s-g1"}"#,
        )
        .unwrap();
        let retired = json!({"displayName": "Retired", "objectId": "s-g1"});
        assert_eq!(
            map(&c, src, &retired, Mode::Create),
            Mapped::Skipped("scope")
        );
        let unscoped = c.map_ignoring_scope(
            &retired,
            Mode::Create,
            &mut crate::eval::Context::new(),
            src,
        );
        let planner = Planner::new(&c, &state, Dialect::Default);
        let Some(Planned::Requests { requests, .. }) = planner.disable_out_of_scope(&unscoped)
        else {
            panic!("the group is in the target")
        };
        assert_eq!(requests[0].method, Method::Get);
        assert!(requests[0]
            .path
            .starts_with("/Groups?excludedAttributes=members&filter="));
        assert_eq!(requests[1].method, Method::Delete);
        assert_eq!(requests[1].path, "/Groups/g1");
        assert_eq!(requests[1].body, None);
        // Not in the target: nothing to delete.
        let other = json!({"displayName": "Other", "objectId": "s-g2"});
        let unscoped =
            c.map_ignoring_scope(&other, Mode::Create, &mut crate::eval::Context::new(), src);
        assert_eq!(planner.disable_out_of_scope(&unscoped), None);
    }

    #[test]
    fn unchanged_objects_send_only_the_query_and_emptied_sources_are_reported() {
        let (c, src) = compiled(ObjectType::User);
        let state = TargetState::from_jsonl(
            r#"{"Resources": [{"id": "t1", "userName": "me@x", "active": "True", "name": {"givenName": "G"}}]}"#,
        )
        .unwrap();
        let planner = Planner::new(&c, &state, Dialect::Default);
        let me = json!({"userPrincipalName": "me@x", "IsSoftDeleted": false, "givenName": "G"});
        let create = map(&c, &src, &me, Mode::Create);
        assert!(matches!(
            planner.plan(0, &create, Some("t1"), || map(&c, &src, &me, Mode::Update)),
            Planned::Unchanged { .. }
        ));
        let gone = json!({"userPrincipalName": "me@x", "IsSoftDeleted": false});
        let create = map(&c, &src, &gone, Mode::Create);
        let Planned::Unchanged { kept, .. } = planner.plan(0, &create, Some("t1"), || {
            map(&c, &src, &gone, Mode::Update)
        }) else {
            panic!("an emptied source changes nothing in the target")
        };
        assert_eq!(kept, vec!["name.givenName"]);
        assert!(TargetState::from_jsonl(r#"{"userName": "x"}"#)
            .unwrap_err()
            .contains("line 1"));
    }
}
