//! Builds SCIM 2.0 resources from source records with a compiled object mapping.

use super::json::decoded_to_file_offset;
use super::model::*;
use super::resource::{set, slot, Node, Resource};
use super::scim::{self, AttrDef, AttrType, ScimPath};
use crate::catalogue::Purity;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::eval::{
    uniqueness_key, with_uniqueness_key, Context, KeyFilter, Outcome, Record, UniquenessOracle,
};
use crate::syntax::{ExprKind, Span};
use crate::value::Value;
use crate::Expression;
use serde_json::Value as Json;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::io::Write;
use std::sync::{Arc, OnceLock};

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
    place: Placement,
    target: String,
    expr: Option<Expression>,
    default: Option<String>,
    flow: FlowType,
    /// Span of the expression string literal in the file, to map runtime error offsets.
    literal: Option<Span>,
    /// Where the mapping is in the file, when there is no literal.
    mapping_span: Span,
    unique: bool,
    /// The target directory declares the attribute required (attributeDefinition
    /// `required`): a create without a value for it is an error. The
    /// directory object's name, for the message.
    required_by: Option<String>,
    /// Whether this mapping is one of the writers of the attribute the SCIM
    /// schema requires ([`CompiledObject::required`]), marked when the
    /// object is compiled so the per-record loop need not search the list.
    writes_required: bool,
}

/// One object mapping compiled for evaluation.
pub struct CompiledObject {
    pub object: ObjectType,
    scope: Option<Scope>,
    attrs: Vec<CompiledAttr>,
    /// (priority, target path) sorted by priority.
    pub matching: Vec<(u32, String)>,
    pub limits: BuildLimits,
    /// Index in `attrs` of the mapping with the first matching precedence:
    /// a record it gives no value is not a resource (Entra can neither find
    /// the object in the target nor create it).
    match_attr: Option<usize>,
    /// The attribute the resource's SCIM schema requires (`userName` for a
    /// User, `displayName` for a Group, RFC 7643 §4.1 and §4.2), and the
    /// mappings that write it. None for a target that is not SCIM, which
    /// RFC 7643 does not govern.
    required: Option<(&'static str, Vec<usize>)>,
    /// Where the object mapping is in the file, for errors about a
    /// required attribute that no mapping writes.
    object_span: Span,
    /// [`CompiledObject::decode_filter`], built on first use.
    decode_filter: OnceLock<Arc<KeyFilter>>,
}

/// One failing target attribute of a record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttributeError {
    pub code: Code,
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

/// What became of one record, with the resource still borrowing from the
/// mapping and the record: [`CompiledObject::map_ref`].
#[derive(Debug)]
pub enum MappedRef<'a> {
    Resource(ResourceRef<'a>),
    /// Out of scope (`"scope"`) or dropped by IgnoreObjectFlow (`"ignored"`).
    Skipped(&'static str),
    Failed(Vec<AttributeError>),
}

impl From<MappedRef<'_>> for Mapped {
    /// The resource copied into a `serde_json::Value`.
    fn from(m: MappedRef<'_>) -> Mapped {
        match m {
            MappedRef::Resource(r) => Mapped::Resource(r.to_json()),
            MappedRef::Skipped(why) => Mapped::Skipped(why),
            MappedRef::Failed(errors) => Mapped::Failed(errors),
        }
    }
}

/// A SCIM resource that borrows its names from the mapping and its strings
/// from the record: written out as JSON without building a `serde_json::Value`.
#[derive(Debug)]
pub struct ResourceRef<'a>(Resource<'a>);

impl ResourceRef<'_> {
    /// Writes the resource as one JSON object, `schemas` first and then the
    /// attributes in key order: the same JSON as [`ResourceRef::to_json`].
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> std::io::Result<()> {
        self.0.write(out)
    }

    pub fn to_json(&self) -> Json {
        self.0.to_json()
    }
}

/// Compiles one object type of a mapping set. `file` is the mapping file's
/// text, so expression diagnostics come back with file offsets.
pub fn compile_object(
    set: &MappingSet,
    object: ObjectType,
    file: &str,
) -> Result<CompiledObject, Vec<Diagnostic>> {
    let Some(om) = set.object(object) else {
        return Err(vec![Diagnostic::new(
            Code::MappingNoObject,
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
    compile_mapping(om, set.target_definition(om), file)
}

/// Every error that would stop `attrmap map` on any object mapping of the
/// set, enabled or not: bad target paths and expressions that do not compile
/// (unknown functions, wrong arity, …). `convert` refuses such a set rather
/// than write it out in another format.
pub fn check_set(set: &MappingSet, file: &str) -> Vec<Diagnostic> {
    set.objects
        .iter()
        .filter_map(|om| compile_mapping(om, set.target_definition(om), file).err())
        .flatten()
        .collect()
}

/// Compiles one object mapping. `target` is the target directory's
/// definition of the object (from the Graph schema's `directories[]`), whose
/// declared types and attribute names the values follow.
pub fn compile_mapping(
    om: &ObjectMapping,
    target: Option<&DirectoryObject>,
    file: &str,
) -> Result<CompiledObject, Vec<Diagnostic>> {
    let object = om.object;
    let mut errors = Vec::new();
    let mut attrs = Vec::new();
    for a in &om.attributes {
        if let Some(attr) = compile_attribute(a, object, target, file, &mut errors) {
            attrs.push(attr);
        }
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
    let match_attr = om
        .attributes
        .iter()
        .enumerate()
        .filter(|(_, a)| a.matching_priority > 0)
        .min_by_key(|(_, a)| a.matching_priority)
        .map(|(i, _)| i);
    let required_name = match object {
        ObjectType::User => "userName",
        ObjectType::Group => "displayName",
    };
    let required: Vec<usize> = attrs
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            a.place.extension.is_none()
                && a.place.sub.is_none()
                && a.place.filter.is_none()
                && a.place.name.eq_ignore_ascii_case(required_name)
        })
        .map(|(i, _)| i)
        .collect();
    let required = target
        .is_none_or(DirectoryObject::is_scim)
        .then_some((required_name, required));
    for &i in required.iter().flat_map(|(_, writers)| writers) {
        attrs[i].writes_required = true;
    }
    Ok(CompiledObject {
        object,
        scope: om.scope.clone(),
        attrs,
        matching,
        limits: BuildLimits::default(),
        match_attr,
        required,
        object_span: om.span,
        decode_filter: OnceLock::new(),
    })
}

/// Compiles one attribute mapping of an object, or adds its errors (target
/// path, expression) to `errors` with spans in the mapping file.
fn compile_attribute(
    a: &AttributeMapping,
    object: ObjectType,
    target: Option<&DirectoryObject>,
    file: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<CompiledAttr> {
    let path = match ScimPath::parse(&a.target) {
        Ok(p) => p,
        Err(m) => {
            errors.push(Diagnostic::new(Code::MappingTargetPath, a.target_span, m));
            return None;
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
                return None;
            }
        },
    };
    Some(CompiledAttr {
        place: Placement::resolve(&path, object, target, &a.target),
        target: a.target.clone(),
        unique: expr.as_ref().is_some_and(calls_select_unique_value),
        expr,
        default: a.default_value.clone(),
        flow: a.flow,
        literal,
        mapping_span: a.source.span().unwrap_or(a.span),
        required_by: target
            .and_then(|t| t.attribute(&a.target))
            .filter(|d| d.required)
            .and(target)
            .map(|t| t.name.clone()),
        writes_required: false,
    })
}

/// Whether an expression calls SelectUniqueValue anywhere, so that its value
/// must be claimed against the batch's other records.
fn calls_select_unique_value(e: &Expression) -> bool {
    let mut unique = false;
    e.ast().walk(&mut |n, _| {
        if let ExprKind::Call(c) = &n.kind {
            if c.name.eq_ignore_ascii_case("SelectUniqueValue") {
                unique = true;
            }
        }
    });
    unique
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
///
/// The values it remembers are bounded by [`BatchOracle::max_bytes`]: a
/// batch of 1 200 records that each claimed a 1 MB value held 1.15 GB. A
/// record whose claims would pass the bound is an error line
/// ([`Code::MapUniqueValuesLimit`]), never a value handed out unrecorded,
/// which a later record could be given again.
pub struct BatchOracle<'o> {
    pub existing: &'o dyn UniquenessOracle,
    batch: RefCell<HashSet<String>>,
    /// Bytes counted for the values remembered so far.
    held: std::cell::Cell<usize>,
    max_bytes: usize,
}

/// Default for [`BatchOracle::max_bytes`]: 256 MiB, room for about three
/// million userPrincipalNames of 40 characters.
pub const DEFAULT_MAX_CLAIMED_BYTES: usize = 256 << 20;

/// Counted for each remembered value besides its text: the `String` and
/// its share of the hash set.
const CLAIM_OVERHEAD: usize = 48;

impl<'o> BatchOracle<'o> {
    pub fn new(existing: &'o dyn UniquenessOracle) -> Self {
        BatchOracle {
            existing,
            batch: RefCell::new(HashSet::new()),
            held: std::cell::Cell::new(0),
            max_bytes: DEFAULT_MAX_CLAIMED_BYTES,
        }
    }
    /// Bounds the memory of the values remembered (text plus 48 bytes each).
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }
    /// Remembers the values one record was given, all or none: `Err` when
    /// they would pass [`BatchOracle::max_bytes`].
    pub fn claim_all<S: AsRef<str>>(&self, values: &[S]) -> Result<(), ClaimLimit> {
        let mut batch = self.batch.borrow_mut();
        let keys: Vec<String> = values
            .iter()
            .map(|v| uniqueness_key(v.as_ref()).into_owned())
            .filter(|k| !batch.contains(k))
            .collect();
        let cost: usize = keys.iter().map(|k| k.len() + CLAIM_OVERHEAD).sum();
        let held = self.held.get();
        if held.saturating_add(cost) > self.max_bytes {
            return Err(ClaimLimit {
                held,
                max_bytes: self.max_bytes,
            });
        }
        self.held.set(held + cost);
        batch.extend(keys);
        Ok(())
    }
}

/// SelectUniqueValue's batch memory is full (see [`BatchOracle`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimLimit {
    pub held: usize,
    pub max_bytes: usize,
}

impl UniquenessOracle for BatchOracle<'_> {
    fn is_taken(&self, candidate: &str) -> bool {
        self.existing.is_taken(candidate)
            || with_uniqueness_key(candidate, |k| self.batch.borrow().contains(k))
    }
}

impl CompiledObject {
    /// Whether the record passes the scoping filter; an error when a clause
    /// cannot be decided (its pattern ran past a limit).
    pub fn in_scope<R: Record + ?Sized>(&self, record: &R) -> Result<bool, super::ScopeError> {
        match &self.scope {
            Some(s) => s.admits(record),
            None => Ok(true),
        }
    }

    /// Every source attribute the mappings and the scoping filter read, once
    /// each (compared case-insensitively, as lookups are), in mapping order.
    /// The attributes a source record needs for this mapping: those
    /// [`CompiledObject::source_attributes`] lists, and those the readers
    /// derive `IsSoftDeleted` from. Decoding keeps only these
    /// ([`FlatRecord::keep_only`](crate::eval::FlatRecord::keep_only)).
    pub fn decode_filter(&self) -> Arc<KeyFilter> {
        let filter = self.decode_filter.get_or_init(|| {
            let names = self.source_attributes();
            let derived = crate::sources::graph::SOFT_DELETION_INPUTS;
            let own = [crate::sources::graph::IS_SOFT_DELETED];
            Arc::new(KeyFilter::new(names.into_iter().chain(derived).chain(own)))
        });
        Arc::clone(filter)
    }

    pub fn source_attributes(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        let from_exprs = self
            .attrs
            .iter()
            .filter_map(|a| a.expr.as_ref())
            .flat_map(|e| e.program().attributes());
        let from_scope = self
            .scope
            .iter()
            .flat_map(|s| s.filters.iter().flatten())
            .flat_map(|g| g.clauses.iter().map(|c| c.attribute.as_str()));
        for name in from_exprs.chain(from_scope) {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                names.push(name);
            }
        }
        names
    }

    /// Whether some mapping calls a function of this purity, such as
    /// [`Purity::Oracle`] (SelectUniqueValue), whose results depend on the
    /// records mapped before.
    pub fn calls(&self, purity: Purity) -> bool {
        self.attrs.iter().filter_map(|a| a.expr.as_ref()).any(|e| {
            let mut found = false;
            e.ast().walk(&mut |node, _| {
                if let ExprKind::Call(call) = &node.kind {
                    found |= call.id.is_some_and(|id| id.spec().purity == purity);
                }
            });
            found
        })
    }

    /// The target paths this mapping writes in `mode` (update leaves out
    /// create-only mappings), as written in the file.
    pub fn targets(&self, mode: Mode) -> impl Iterator<Item = &str> {
        self.attrs
            .iter()
            .filter(move |a| mode == Mode::Create || a.flow != FlowType::ObjectAddOnly)
            .map(|a| a.target.as_str())
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

    /// Turns a resource that Entra could not provision into errors: one
    /// whose matching attribute came out null or empty (Entra can neither
    /// look it up in the target nor create it), and, on create, one that
    /// lacks the attribute its SCIM schema requires (the target rejects it).
    /// Whether the target is a SCIM app: false when the Graph schema's target
    /// directory lists plain attribute names (Salesforce, an Entra ID tenant),
    /// which Entra reaches through its own connector, not SCIM requests.
    pub fn targets_scim(&self) -> bool {
        self.required.is_some()
    }

    fn check_identity(
        &self,
        matched: bool,
        has_required: bool,
        mode: Mode,
        errors: &mut Vec<AttributeError>,
    ) {
        let kind = self.object.as_str();
        if let (false, Some(i)) = (matched, self.match_attr) {
            let a = &self.attrs[i];
            errors.push(AttributeError {
                code: Code::MapNoMatchingValue,
                message: format!(
                    "the matching attribute {} is null or empty for this {kind}: Entra can \
                     neither match it with an object in the target nor create it, and \
                     reports it as an error",
                    a.target
                ),
                attribute: a.target.clone(),
                span: a.mapping_span,
            });
            return;
        }
        let Some((name, writers)) = &self.required else {
            return;
        };
        if mode == Mode::Create && !has_required {
            let (message, span) = match writers.first() {
                Some(&i) => (
                    format!(
                        "{name} is null or empty for this {kind}, and the SCIM {kind} schema \
                         requires it (RFC 7643): the target rejects the create"
                    ),
                    self.attrs[i].mapping_span,
                ),
                None => (
                    format!(
                        "no mapping writes {name}, which the SCIM {kind} schema requires \
                         (RFC 7643): the target rejects the create; map an attribute to {name}"
                    ),
                    self.object_span,
                ),
            };
            errors.push(AttributeError {
                code: Code::MapMissingRequired,
                message,
                attribute: name.to_string(),
                span,
            });
        }
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
        self.map_ref(record, mode, ctx, file, oracle).into()
    }

    /// [`CompiledObject::map`] without copying the resource into a
    /// `serde_json::Value`: what `attrmap map` runs per record.
    pub fn map_ref<'a, R: Record + ?Sized>(
        &'a self,
        record: &'a R,
        mode: Mode,
        ctx: &mut Context<'_>,
        file: &str,
        oracle: Option<&BatchOracle<'_>>,
    ) -> MappedRef<'a> {
        match self.in_scope(record) {
            Ok(true) => {}
            Ok(false) => return MappedRef::Skipped("scope"),
            Err(e) => {
                return MappedRef::Failed(vec![AttributeError {
                    code: Code::EvalRegexLimit,
                    message: e.message,
                    attribute: "scope".into(),
                    span: e.span,
                }])
            }
        }
        self.build_ref(record, mode, ctx, file, oracle)
    }

    /// [`CompiledObject::map`] as if the record were in scope: what the
    /// target holds for an object that has left the scope, so that it can
    /// be found there (Entra disables such objects).
    pub fn map_ignoring_scope<R: Record + ?Sized>(
        &self,
        record: &R,
        mode: Mode,
        ctx: &mut Context<'_>,
        file: &str,
    ) -> Mapped {
        self.build_ref(record, mode, ctx, file, None).into()
    }

    fn build_ref<'a, R: Record + ?Sized>(
        &'a self,
        record: &'a R,
        mode: Mode,
        ctx: &mut Context<'_>,
        file: &str,
        oracle: Option<&BatchOracle<'_>>,
    ) -> MappedRef<'a> {
        let core = match self.object {
            ObjectType::User => scim::CORE_USER,
            ObjectType::Group => scim::CORE_GROUP,
        };
        let mut res = Resource {
            schemas: smallvec::smallvec![core],
            fields: Vec::with_capacity(self.attrs.len()),
        };
        let mut errors = Vec::new();
        let mut claims: Vec<String> = Vec::new();
        // The first attribute that claims, to name in a ClaimLimit error.
        let mut claimant: Option<&CompiledAttr> = None;
        // Whether the matching mapping and a required attribute's mapping
        // gave a value (or were not applied, in update mode).
        let (mut matched, mut has_required) = (self.match_attr.is_none(), false);
        for (index, a) in self.attrs.iter().enumerate() {
            if mode == Mode::Update && a.flow == FlowType::ObjectAddOnly {
                matched |= self.match_attr == Some(index);
                has_required |= a.writes_required;
                continue;
            }
            ctx.reset();
            let outcome = match &a.expr {
                None => Ok(Outcome::Value(Value::Null)),
                Some(e) => e.evaluate(record, ctx),
            };
            let value = match outcome {
                Ok(Outcome::Value(v)) => v,
                Ok(Outcome::Ignore) => {
                    // The matching attribute's own error says more.
                    if self.match_attr != Some(index) {
                        missing_required(a, mode, &mut errors);
                    }
                    continue;
                }
                Ok(Outcome::IgnoreObject) => return MappedRef::Skipped("ignored"),
                Err(e) => {
                    errors.push(a.evaluation_error(e, file));
                    continue;
                }
            };
            let value = if value.is_null_or_empty() {
                match (&a.default, mode) {
                    (Some(d), Mode::Create) => Value::str(d),
                    _ => {
                        // The matching attribute's own error says more.
                        if self.match_attr != Some(index) {
                            missing_required(a, mode, &mut errors);
                        }
                        continue;
                    }
                }
            } else {
                value
            };
            if a.unique {
                claims.push(value.to_text().into_owned());
                claimant.get_or_insert(a);
            }
            match place(&mut res, a, value, &self.limits) {
                Ok(()) => {
                    matched |= self.match_attr == Some(index);
                    has_required |= a.writes_required;
                }
                Err(message) => errors.push(AttributeError {
                    code: Code::MapConvert,
                    message,
                    attribute: a.target.clone(),
                    span: a.mapping_span,
                }),
            }
        }
        if errors.is_empty() {
            self.check_identity(matched, has_required, mode, &mut errors);
        }
        if !errors.is_empty() {
            return MappedRef::Failed(errors);
        }
        if let (Some(o), Some(a)) = (oracle, claimant) {
            if let Err(e) = claim_unique_values(o, a, &claims) {
                return MappedRef::Failed(vec![e]);
            }
        }
        MappedRef::Resource(ResourceRef(res))
    }
}

/// Claims a record's SelectUniqueValue results in the batch, so that no later
/// record is handed the same value; `claimant` is the attribute the error
/// names when the batch's memory of claimed values is full.
fn claim_unique_values(
    oracle: &BatchOracle<'_>,
    claimant: &CompiledAttr,
    claims: &[String],
) -> Result<(), AttributeError> {
    oracle.claim_all(claims).map_err(|full| AttributeError {
        code: Code::MapUniqueValuesLimit,
        message: format!(
            "SelectUniqueValue: this batch already remembers {} bytes of values handed out, and this record's would pass the limit of {} bytes; without remembering them a later record could be given the same value",
            full.held, full.max_bytes
        ),
        attribute: claimant.target.clone(),
        span: claimant.mapping_span,
    })
}

impl CompiledAttr {
    /// An error evaluating this attribute's expression, with its span moved
    /// from the expression to the mapping file.
    fn evaluation_error(&self, e: crate::eval::RuntimeError, file: &str) -> AttributeError {
        AttributeError {
            code: e.code,
            message: e.message,
            attribute: self.target.clone(),
            span: file_span(
                file,
                self.literal,
                Some(self.mapping_span),
                self.mapping_span,
                e.span,
            ),
        }
    }
}

/// A create that gives no value to an attribute the target directory
/// declares required: the target would reject it, so it is an error here.
fn missing_required(a: &CompiledAttr, mode: Mode, errors: &mut Vec<AttributeError>) {
    let Some(object) = &a.required_by else {
        return;
    };
    if mode == Mode::Create {
        errors.push(AttributeError {
            code: Code::MapMissingRequired,
            message: format!(
                "{} is null or empty, and the target directory declares {object}.{} required: the target rejects the create",
                a.target, a.target
            ),
            attribute: a.target.clone(),
            span: a.mapping_span,
        });
    }
}

/// Where one mapping writes in the resource, resolved against the SCIM schema
/// once at compile time: canonical names, types and the filter's converted value.
#[derive(Debug)]
struct Placement {
    /// Extension schema URN, as written in the target.
    extension: Option<String>,
    /// The attribute's canonical name (the schema's spelling when it is known).
    name: String,
    /// The attribute's schema type; None for custom attributes the target
    /// directory does not declare.
    ty: Option<AttrType>,
    multi: bool,
    /// A multi-valued attribute of a target that is not SCIM: a plain array
    /// of values, not SCIM's `[{"value": …}]`.
    plain_list: bool,
    complex: bool,
    /// Sub-attribute after the dot, resolved.
    sub: Option<(String, AttrType)>,
    /// The sub-attribute a multi-valued element gets: the one after the dot, or `value`.
    element: (String, AttrType),
    /// `[type eq "work"]`: the filter's sub-attribute and its value converted
    /// to that sub-attribute's type (or why it cannot be).
    filter: Option<(String, Result<Node<'static>, String>)>,
}

impl Placement {
    fn resolve(
        p: &ScimPath,
        object: ObjectType,
        target: Option<&DirectoryObject>,
        written: &str,
    ) -> Placement {
        // A SCIM directory names attributes by their whole path; a plain
        // directory by the name alone.
        let declared = target.and_then(|t| t.attribute(written));
        let scim = target.is_none_or(DirectoryObject::is_scim);
        let defs: &'static [AttrDef] = match &p.extension {
            _ if !scim => &[],
            Some(urn) if urn.eq_ignore_ascii_case(scim::ENTERPRISE_USER) => scim::ENTERPRISE_ATTRS,
            Some(_) => &[],
            None => match object {
                ObjectType::User => scim::USER_ATTRS,
                ObjectType::Group => scim::GROUP_ATTRS,
            },
        };
        let def = scim::lookup(defs, &p.attribute);
        let name = def.map_or(p.attribute.as_str(), |d| d.name).to_string();
        let sub_type = |sub: &str| -> (String, AttrType) {
            def.and_then(|d| d.subs.iter().find(|(n, _)| n.eq_ignore_ascii_case(sub)))
                .map_or((sub.to_string(), AttrType::String), |(n, t)| {
                    (n.to_string(), *t)
                })
        };
        let filter = p.filter.as_ref().map(|(fattr, fval)| {
            let (fname, ftype) = sub_type(fattr);
            let target = format!("{name}.{fname}");
            let converted = convert(Value::Str(Cow::Owned(fval.clone())), ftype, &target);
            (fname, converted)
        });
        // RFC 7643 decides for its own attributes; the directory's
        // declaration for the rest (custom SCIM attributes, and every
        // attribute of a target that is not SCIM).
        let declared_type = declared.and_then(DirectoryAttribute::declared_type);
        let declared_multi = declared.is_some_and(|d| d.multivalued);
        let element_type = declared_type.unwrap_or(AttrType::String);
        let (ty, multi, plain_list) = match def {
            Some(d) => (Some(d.ty), d.multi_valued || p.filter.is_some(), false),
            None if declared_multi && p.filter.is_none() && p.sub_attribute.is_none() => {
                (declared_type, true, !scim)
            }
            None => (
                declared_type.filter(|_| !declared_multi),
                p.filter.is_some(),
                false,
            ),
        };
        let element = match p.sub_attribute.as_deref() {
            Some(sub) => sub_type(sub),
            None if def.is_none() && declared_multi => ("value".to_string(), element_type),
            None => sub_type("value"),
        };
        Placement {
            extension: p.extension.clone(),
            ty,
            multi,
            plain_list,
            complex: def.is_some_and(|d| d.ty == AttrType::Complex),
            sub: p.sub_attribute.as_deref().map(sub_type),
            element,
            filter,
            name,
        }
    }
}

/// Writes one value at its path, converting to the schema's type. A later
/// mapping to the same place replaces an earlier one; a value of another
/// shape already there (an object where a list goes) is replaced too.
fn place<'a>(
    res: &mut Resource<'a>,
    a: &'a CompiledAttr,
    value: Value<'a>,
    limits: &BuildLimits,
) -> Result<(), String> {
    let p = &a.place;
    let container = match &p.extension {
        Some(urn) => {
            // schemas[0] is the core schema; extensions follow in first-use order.
            if !res.schemas[1..].contains(&urn.as_str()) {
                res.schemas.push(urn);
            }
            slot(&mut res.fields, urn, new_object)
                .object_mut()
                .ok_or("internal: extension slot")?
        }
        None => &mut res.fields,
    };
    let name = p.name.as_str();
    if p.multi {
        return place_multi(container, a, value, limits);
    }
    match (&p.sub, p.complex) {
        (Some((sname, stype)), _) => {
            let v = convert(single(value, &a.target)?, *stype, &a.target)?;
            let fields = slot(container, name, new_object)
                .object_mut()
                .ok_or("internal: object slot")?;
            set(fields, sname, v);
        }
        // manager ← an id becomes {"value": id}.
        (None, true) => {
            let el = match single(value, &a.target)? {
                v @ Value::Complex(_) => Node::Json(v.to_json()),
                v => Node::Obj(vec![(
                    Cow::Borrowed("value"),
                    convert(v, AttrType::String, &a.target)?,
                )]),
            };
            set(container, name, el);
        }
        (None, false) => {
            let v = match (p.ty, value) {
                (Some(t), v) => convert(single(v, &a.target)?, t, &a.target)?,
                // Unknown (custom) attributes keep the value's own JSON type; lists stay arrays.
                (None, Value::List(l)) => {
                    if l.len() > limits.max_multi_valued {
                        return Err(too_many(name, limits));
                    }
                    Node::Json(Value::List(l).to_json())
                }
                (None, Value::Str(s)) => Node::Str(s),
                (None, Value::Bool(b)) => Node::Bool(b),
                (None, Value::Int(n)) => Node::Int(n),
                (None, v) => Node::Json(v.to_json()),
            };
            set(container, name, v);
        }
    }
    Ok(())
}

/// An object that sub-attributes are placed in: allocated at the size its
/// first field would grow it to, without going through the growth path.
fn new_object<'a>() -> Node<'a> {
    Node::Obj(Vec::with_capacity(4))
}

/// [`place`] for a multi-valued attribute: a filtered path (`emails[type eq
/// "work"].value`) sets its element's field, any other path adds elements.
fn place_multi<'a>(
    container: &mut Vec<(Cow<'a, str>, Node<'a>)>,
    a: &'a CompiledAttr,
    value: Value<'a>,
    limits: &BuildLimits,
) -> Result<(), String> {
    let p = &a.place;
    let name = p.name.as_str();
    let arr = slot(container, name, || Node::Arr(Vec::new()))
        .array_mut()
        .ok_or("internal: array slot")?;
    let (sname, stype) = (&p.element.0, p.element.1);
    match &p.filter {
        Some((fname, fvalue)) => {
            let fvalue = fvalue.as_ref().map_err(String::clone)?;
            let idx = match arr.iter().position(|e| e.has_field(fname, fvalue)) {
                Some(i) => i,
                None => {
                    if arr.len() >= limits.max_multi_valued {
                        return Err(too_many(name, limits));
                    }
                    arr.push(Node::Obj(vec![(
                        Cow::Borrowed(fname.as_str()),
                        fvalue.clone(),
                    )]));
                    arr.len() - 1
                }
            };
            let v = convert(single(value, &a.target)?, stype, &a.target)?;
            if let Some(fields) = arr.get_mut(idx).and_then(Node::object_mut) {
                set(fields, sname, v);
            }
        }
        None => {
            let items = match value {
                Value::List(l) => l.into_iter().filter(|v| !v.is_null_or_empty()).collect(),
                v => vec![v],
            };
            if arr.len() + items.len() > limits.max_multi_valued {
                return Err(too_many(name, limits));
            }
            for item in items {
                arr.push(match item {
                    Value::Complex(_) => Node::Json(item.to_json()),
                    v if p.plain_list => convert(v, stype, &a.target)?,
                    v => Node::Obj(vec![(
                        Cow::Borrowed(sname.as_str()),
                        convert(v, stype, &a.target)?,
                    )]),
                });
            }
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
fn single<'a>(v: Value<'a>, target: &str) -> Result<Value<'a>, String> {
    match v {
        Value::List(l) if l.len() == 1 => Ok(l.into_iter().next().unwrap_or(Value::Null)),
        Value::List(l) => Err(format!(
            "{target} is single-valued but the source gave {} values; pick one (for example with Item() or SingleAppRoleAssignment())",
            l.len()
        )),
        v => Ok(v),
    }
}

/// Converts to the target type: booleans from "True"/"False" (any case),
/// integers from numeric text, strings from anything scalar.
fn convert<'a>(v: Value<'a>, ty: AttrType, target: &str) -> Result<Node<'a>, String> {
    match ty {
        AttrType::Boolean => match v {
            Value::Bool(b) => Ok(Node::Bool(b)),
            v => {
                let t = v.to_text();
                if t.eq_ignore_ascii_case("true") {
                    Ok(Node::Bool(true))
                } else if t.eq_ignore_ascii_case("false") {
                    Ok(Node::Bool(false))
                } else {
                    Err(format!(
                        "{target} is a boolean; {t:?} is neither True nor False"
                    ))
                }
            }
        },
        AttrType::Integer => v
            .as_int()
            .map(Node::Int)
            .ok_or_else(|| format!("{target} is an integer; {:?} is not one", v.to_text())),
        AttrType::Complex => Ok(Node::Json(v.to_json())),
        // xsd:dateTime in UTC, as RFC 7643 §2.3.5 defines dateTime; a string
        // that is not a date is refused here rather than sent for the target
        // to reject.
        AttrType::DateTime => {
            let date = match &v {
                Value::DateTime(d) => Some(*d),
                Value::Str(s) => crate::functions::dates::parse_datetime(s),
                _ => None,
            };
            date.map(|d| {
                Node::Str(Cow::Owned(
                    d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                ))
            })
            .ok_or_else(|| {
                format!(
                    "{target} is a DateTime; {:?} is not a date (give an ISO 8601 date such as 2026-03-01T00:00:00Z, or convert it with CDate or FormatDateTime)",
                    v.to_text()
                )
            })
        }
        AttrType::String | AttrType::Reference => match v {
            Value::Complex(_) | Value::List(_) => Err(format!(
                "{target} is a string; the source gave a {}",
                v.type_name()
            )),
            v => Ok(Node::Str(v.into_text())),
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
    fn match_filter_names_the_first_matching_attribute() {
        let l = super::super::load(M).unwrap();
        let c = compile_object(&l.set, ObjectType::User, M).unwrap();
        let Mapped::Resource(r) = c.map(
            &json!({"userPrincipalName": "a\"b@x"}),
            Mode::Create,
            &mut Context::new(),
            M,
            None,
        ) else {
            panic!()
        };
        assert_eq!(
            c.match_filter(&r).as_deref(),
            Some(r#"userName eq "a\"b@x""#)
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

    /// D11: the values a batch remembers are bounded. Each 1 MB value is
    /// remembered until the bound; the record past it is an error naming
    /// the limit, and nothing it would have claimed is handed out.
    #[test]
    fn batch_oracle_memory_is_bounded_with_an_error() {
        let m = r#"{"objects": [{"object": "User", "mappings": [
          {"target": "userName", "expression": "SelectUniqueValue([id], Join(\"-\", [id], \"2\"))"}]}]}"#;
        let l = super::super::load(m).unwrap();
        let c = compile_object(&l.set, ObjectType::User, m).unwrap();
        let none = crate::eval::NoneTaken;
        let oracle = BatchOracle::new(&none).with_max_bytes(3 << 20);
        let mut outcomes = Vec::new();
        for i in 0..5 {
            let u = json!({ "id": format!("{i}{}", "x".repeat(1 << 20)) });
            let mut ctx = Context::new().with_oracle(&oracle);
            outcomes.push(c.map(&u, Mode::Create, &mut ctx, m, Some(&oracle)));
        }
        assert!(outcomes[..2]
            .iter()
            .all(|o| matches!(o, Mapped::Resource(_))));
        for o in &outcomes[3..] {
            let Mapped::Failed(e) = o else {
                panic!("{o:?}")
            };
            assert_eq!(e[0].code, Code::MapUniqueValuesLimit);
            assert_eq!(e[0].attribute, "userName");
            assert!(e[0].message.contains("3145728 bytes"), "{}", e[0].message);
        }
        // A value already remembered costs nothing again.
        assert!(oracle
            .claim_all(&["0".to_string() + &"x".repeat(1 << 20)])
            .is_ok());
        assert!(oracle.claim_all(&["y"; 1]).is_ok());
    }

    /// The streamed JSON and the serde_json::Value of a resource are built
    /// from one tree; this pins that they stay the same JSON for every kind
    /// of target path, including the odd ones (a later mapping replacing an
    /// earlier one of another shape, a custom attribute named `schemas`).
    #[test]
    fn written_json_equals_the_value_for_every_path_shape() {
        let m = r#"{"objects": [{"object": "User", "mappings": [
          {"target": "userName", "attribute": "upn"},
          {"target": "emails[type eq \"work\"].value", "attribute": "mail"},
          {"target": "emails", "attribute": "more"},
          {"target": "emails[type eq \"work\"].primary", "constant": "true"},
          {"target": "phoneNumbers[type eq \"mobile\"].value", "attribute": "mobile"},
          {"target": "roles", "expression": "AppRoleAssignmentsComplex([assignments])"},
          {"target": "name.givenName", "attribute": "given"},
          {"target": "name", "attribute": "fullName"},
          {"target": "name.familyName", "attribute": "family"},
          {"target": "custom", "attribute": "tags"},
          {"target": "custom.sub", "attribute": "given"},
          {"target": "blob", "attribute": "blob"},
          {"target": "blob.extra", "attribute": "given"},
          {"target": "count", "attribute": "n"},
          {"target": "flag", "attribute": "b"},
          {"target": "schemas", "attribute": "schemasOverride"},
          {"target": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "attribute": "manager"},
          {"target": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "attribute": "n"},
          {"target": "urn:example:ext:1.0:User:quoted", "attribute": "quote"}
        ]}]}"#;
        let l = super::super::load(m).unwrap();
        assert!(!l.has_errors(), "{:?}", l.diagnostics);
        let c = compile_object(&l.set, ObjectType::User, m).unwrap();
        let users = [
            json!({"upn": "a@x", "mail": "a@x", "more": ["b@y", "", "c@z"], "mobile": "+1 \"2\"",
                   "assignments": [{"id": "1", "value": "Admin", "displayName": "Admin"}],
                   "given": "Zoë", "fullName": "Zoë Smith", "family": "Smith",
                   "tags": ["t1", "t2"], "blob": {"k": "v"}, "n": 42, "b": true,
                   "manager": "m-1", "quote": "q\u{1}"}),
            json!({"upn": "b@x", "schemasOverride": "custom", "more": "only"}),
            json!({"upn": "c@x"}),
        ];
        for u in users {
            let want = match c.map(&u, Mode::Create, &mut Context::new(), m, None) {
                Mapped::Resource(r) => r,
                other => panic!("{other:?}"),
            };
            let MappedRef::Resource(r) = c.map_ref(&u, Mode::Create, &mut Context::new(), m, None)
            else {
                panic!()
            };
            let mut bytes = Vec::new();
            r.write_json(&mut bytes).unwrap();
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.starts_with("{\"schemas\":"), "{text}");
            let got: Json = serde_json::from_str(&text).unwrap();
            assert_eq!(got, want, "{text}");
        }
    }

    fn outcome(m: &str, object: ObjectType, user: Json, mode: Mode) -> Mapped {
        let l = super::super::load(m).unwrap();
        let c = compile_object(&l.set, object, m).unwrap();
        c.map(&user, mode, &mut Context::new(), m, None)
    }

    fn codes(m: Mapped) -> Vec<Code> {
        match m {
            Mapped::Failed(errors) => errors.iter().map(|e| e.code).collect(),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn a_user_without_a_matching_value_is_not_a_resource() {
        let m = r#"{"objects": [{"object": "User", "mappings": [
          {"target": "userName", "attribute": "mail", "match": 1},
          {"target": "externalId", "attribute": "objectId", "match": 2},
          {"target": "displayName", "attribute": "displayName"}]}]}"#;
        for user in [
            json!({"objectId": "1"}),
            json!({"mail": "", "objectId": "1"}),
        ] {
            for mode in [Mode::Create, Mode::Update] {
                let got = outcome(m, ObjectType::User, user.clone(), mode);
                assert_eq!(codes(got), [Code::MapNoMatchingValue]);
            }
        }
        let ok = outcome(m, ObjectType::User, json!({"mail": "a@x"}), Mode::Create);
        assert!(matches!(ok, Mapped::Resource(_)), "{ok:?}");
    }

    #[test]
    fn a_resource_without_its_required_attribute_is_an_error_on_create() {
        let user = r#"{"objects": [{"object": "User", "mappings": [
          {"target": "externalId", "attribute": "objectId", "match": 1},
          {"target": "userName", "attribute": "userPrincipalName"}]}]}"#;
        let got = outcome(
            user,
            ObjectType::User,
            json!({"objectId": "1"}),
            Mode::Create,
        );
        assert_eq!(codes(got), [Code::MapMissingRequired]);
        // An update sends only what changed: userName need not be in it.
        let got = outcome(
            user,
            ObjectType::User,
            json!({"objectId": "1"}),
            Mode::Update,
        );
        assert!(matches!(got, Mapped::Resource(_)), "{got:?}");
        let group = r#"{"objects": [{"object": "Group", "mappings": [
          {"target": "externalId", "attribute": "objectId", "match": 1}]}]}"#;
        let Mapped::Failed(errors) = outcome(
            group,
            ObjectType::Group,
            json!({"objectId": "g"}),
            Mode::Create,
        ) else {
            panic!()
        };
        assert_eq!(errors[0].code, Code::MapMissingRequired);
        assert!(
            errors[0].message.contains("no mapping writes displayName"),
            "{errors:?}"
        );
    }
}
