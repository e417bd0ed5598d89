//! The lint rules, one file each: its row of the code registry (`SPEC`,
//! listed in `src/codes.rs`) and its check. [`RULES`] is the order the linter
//! runs them in; findings are then sorted by position, so the order only
//! matters between findings at the same place.

pub mod active_from_soft_deleted;
pub mod constant_condition;
pub mod dead_argument;
pub mod default_only_on_create;
pub mod duplicate_matching_priority;
pub mod duplicate_target;
pub mod iif_nullable_condition;
pub mod index_not_positive;
pub mod join_separator_attribute;
pub mod no_matching_attribute;
pub mod proxy_addresses_into_emails;
pub mod scope_unsupported_attribute;
pub mod select_unique_matching;
pub mod select_unique_not_create_only;
pub mod single_role_constant_type;
pub mod single_role_multi_valued_target;
pub mod switch_duplicate_key;
pub mod switch_null_on_update;
pub mod switch_source_predicate;
pub mod target_type;
pub mod undocumented_function;
pub mod unknown_source_attribute;
pub mod unknown_target_attribute;

use crate::catalogue::FnId;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::mapping::{self, scim, AttributeMapping, DirectoryObject, ObjectMapping};
use crate::syntax::{Call, Expr, ExprKind, Span};

/// What a rule looks at.
pub enum Check {
    /// Every resolved function call of an expression.
    Call(fn(FnId, &Call, &mut Vec<Diagnostic>)),
    /// Each object mapping of a mapping file.
    Object(fn(&ObjectContext<'_>, &mut Vec<Diagnostic>)),
    /// Each attribute mapping, before its expression's own findings.
    Attribute(fn(&AttributeContext<'_>, &mut Vec<Diagnostic>)),
    /// Each attribute mapping whose expression parses, after the expression's
    /// own findings.
    AttributeExpression(fn(&AttributeContext<'_>, &Expr, &mut Vec<Diagnostic>)),
}

/// A lint rule: the code it reports and its check.
pub struct Rule {
    pub code: Code,
    pub check: Check,
}

/// Every lint rule, in the order they run.
pub static RULES: &[Rule] = &[
    // Expression rules, per call.
    switch_duplicate_key::RULE,
    switch_source_predicate::RULE,
    constant_condition::RULE,
    dead_argument::RULE,
    iif_nullable_condition::RULE,
    index_not_positive::RULE,
    undocumented_function::RULE,
    join_separator_attribute::RULE,
    // Mapping rules.
    duplicate_target::RULE,
    duplicate_matching_priority::RULE,
    no_matching_attribute::RULE,
    default_only_on_create::RULE,
    unknown_target_attribute::RULE,
    target_type::RULE,
    unknown_source_attribute::RULE,
    single_role_multi_valued_target::RULE,
    switch_null_on_update::RULE,
    select_unique_matching::RULE,
    select_unique_not_create_only::RULE,
    active_from_soft_deleted::RULE,
    scope_unsupported_attribute::RULE,
    proxy_addresses_into_emails::RULE,
    single_role_constant_type::RULE,
];

/// What mapping rules see of the whole file.
pub struct FileContext<'a> {
    /// The file's text, for line numbers in messages.
    pub text: &'a str,
    /// Where the text's lines start, so that a rule naming many lines
    /// does not count them from the start of the file each time.
    pub lines: crate::api::LineIndex,
}

/// What object rules see.
pub struct ObjectContext<'a> {
    pub file: &'a FileContext<'a>,
    pub object: &'a ObjectMapping,
    /// The source directory's attribute names, when the schema lists them.
    pub source_attributes: Vec<&'a str>,
    /// The source directory's definition of the object, when the rule names
    /// it: declared types and multi-valuedness.
    pub source: Option<&'a DirectoryObject>,
    /// The target directory's definition of the object, when the schema
    /// has one: its attribute list replaces RFC 7643 for a target that is
    /// not SCIM, and its declared types apply to custom attributes.
    pub target: Option<&'a DirectoryObject>,
}

/// What attribute rules see.
pub struct AttributeContext<'a> {
    pub object: &'a ObjectContext<'a>,
    pub attribute: &'a AttributeMapping,
    /// How many of the object's mappings apply always (on updates too).
    pub always_count: usize,
}

impl AttributeContext<'_> {
    /// Maps a span in the attribute's expression to the file: through the
    /// JSON string's escapes when the literal's place is known, else onto the
    /// whole source.
    pub fn to_file(&self, s: Span) -> Span {
        let a = self.attribute;
        match &a.source {
            mapping::Source::Expression { span: Some(l), .. } => Span::new(
                mapping::json::decoded_to_file_offset(self.object.file.text, *l, s.start),
                mapping::json::decoded_to_file_offset(self.object.file.text, *l, s.end),
            ),
            _ => a.source.span().unwrap_or(a.span),
        }
    }
    /// Where a finding about the attribute's source goes.
    pub fn source_span(&self) -> Span {
        self.attribute.source.span().unwrap_or(self.attribute.span)
    }
}

/// The resolved call at `e`, if it is one.
pub fn call_of(e: &Expr) -> Option<(FnId, &Call)> {
    match &e.kind {
        ExprKind::Call(c) => c.id.map(|id| (id, c)),
        _ => None,
    }
}

/// Argument `i` of a call, unless it is missing or left empty.
pub fn arg(c: &Call, i: usize) -> Option<&Expr> {
    c.args.get(i).and_then(|a| a.expr.as_ref())
}

/// Whether `ast` calls `f` anywhere.
pub fn uses(ast: &Expr, f: FnId) -> bool {
    let mut found = false;
    ast.walk(&mut |n, _| found |= call_of(n).is_some_and(|(id, _)| id == f));
    found
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

/// A finding of `code` at its registry severity, with help.
pub fn finding(
    code: Code,
    span: Span,
    message: impl Into<String>,
    help: impl Into<String>,
) -> Diagnostic {
    Diagnostic::new(code, span, message).with_help(help)
}

/// The SCIM schema a target belongs to and its definition there: `Err(defs)`
/// when the attribute is not in the schema it names, `None` when the target
/// does not parse or names an extension attrmap does not know.
pub(crate) type TargetLookup = (
    scim::ScimPath,
    Result<&'static scim::AttrDef, &'static [scim::AttrDef]>,
);

pub(crate) fn target_definition(
    object: mapping::ObjectType,
    a: &AttributeMapping,
) -> Option<TargetLookup> {
    let path = scim::ScimPath::parse(&a.target).ok()?;
    let defs: &'static [scim::AttrDef] = match (&path.extension, object) {
        (Some(ext), _) if ext.eq_ignore_ascii_case(scim::ENTERPRISE_USER) => scim::ENTERPRISE_ATTRS,
        (Some(_), _) => return None,
        (None, mapping::ObjectType::User) => scim::USER_ATTRS,
        (None, mapping::ObjectType::Group) => scim::GROUP_ATTRS,
    };
    let def = scim::lookup(defs, &path.attribute).ok_or(defs);
    Some((path, def))
}
