//! The function catalogue: the single source of truth for every function's
//! name, parameters (with their properties: optional, may be left empty,
//! counted from 1, …), result type, purity, Graph parameter keys, provenance,
//! implementation and runnable examples. The checker, compiler, evaluators,
//! linter, docs, `attrmap functions` and the playground's autocomplete all
//! read this table.
//!
//! Adding a function: a variant in `fn_ids!`, a `spec!` row here (naming the
//! implementing module's entry point and giving at least one example), its
//! code in that module, then `UPDATE_DOCS=1 cargo test --test expressions docs`.

use serde::Serialize;

/// What a parameter accepts. Used for literal type checks and docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamKind {
    /// Any value, read as a string.
    String,
    /// A whole number (a numeric string literal is accepted, as Entra does).
    Number,
    /// A DateTime, usually from CDate or Now.
    DateTime,
    /// A (usually multi-valued) attribute.
    Attribute,
    /// Any expression; the value is inspected as it is (IsNull, CBool, IIF's branches).
    Expression,
    /// A boolean-like condition.
    Condition,
    /// One of a fixed set of constant strings or keywords.
    Enum(&'static [&'static str]),
}

impl ParamKind {
    pub fn describe(&self) -> String {
        match self {
            ParamKind::String => "string".into(),
            ParamKind::Number => "number".into(),
            ParamKind::DateTime => "DateTime".into(),
            ParamKind::Attribute => "attribute".into(),
            ParamKind::Expression => "expression".into(),
            ParamKind::Condition => "condition".into(),
            ParamKind::Enum(v) => v.join("|"),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Param {
    pub name: &'static str,
    /// The key this parameter has in a Graph attributeMappingSource tree.
    pub graph_key: &'static str,
    pub kind: ParamKind,
    pub optional: bool,
    /// Repeats any number of times (Join's sources). For Switch, the key/value
    /// pair repeats together.
    pub repeating: bool,
    /// A position or index counted from 1, so a constant 0 or below never
    /// selects anything (lint `index-not-positive`). Not serialized: the JSON
    /// catalogue's shape predates it.
    #[serde(skip)]
    pub one_based: bool,
    /// May be left empty (`Switch([a], , "k", "v")`) though it is not
    /// optional: it keeps its place in the argument list.
    #[serde(skip)]
    pub may_be_empty: bool,
    /// For a repeating parameter, how many times it must appear at least.
    #[serde(skip)]
    pub min_repeats: usize,
}

impl Param {
    /// The same parameter, counted from 1.
    const fn one_based(self) -> Param {
        Param {
            one_based: true,
            ..self
        }
    }
    /// The same parameter, allowed to be left empty.
    const fn may_be_empty(self) -> Param {
        Param {
            may_be_empty: true,
            ..self
        }
    }
    /// The same repeating parameter, required `n` times at least.
    const fn at_least(self, n: usize) -> Param {
        Param {
            min_repeats: n,
            ..self
        }
    }
    /// Whether a call may leave this argument empty.
    pub fn may_be_left_empty(&self) -> bool {
        self.optional || self.may_be_empty
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ResultType {
    String,
    Number,
    Boolean,
    DateTime,
    MultiValued,
    Complex,
    /// Whatever the chosen argument is (IIF, Switch, Coalesce).
    Any,
}

/// Whether a call's result depends only on its arguments. Only pure calls
/// are folded at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Purity {
    Pure,
    /// Reads the injectable clock.
    Clock,
    /// Draws from the injectable random source.
    Random,
    /// Reads a setting of the tenant from the context (DefaultDomain's
    /// domain), so it is never folded into the compiled expression.
    Tenant,
    /// Consults the uniqueness oracle.
    Oracle,
    /// Changes the flow (IgnoreFlowIfNullOrEmpty) or marks the value (Redact).
    Effect,
}

/// How the evaluators treat arguments: eagerly, or as branches of which only
/// the taken one runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Evaluation {
    Eager,
    Lazy,
}

/// Which of Microsoft's references describes the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Provenance {
    /// In Microsoft's app provisioning documentation: the function reference
    /// (functions-for-customizing-application-data.md), or for
    /// AssertiveAppRoleAssignmentsComplex the attribute-mapping tutorial
    /// (customize-application-attributes.md, "Provisioning a role to a SCIM
    /// app"). Serialized as `documented`, its name before the Cloud Sync
    /// reference was told apart.
    #[serde(rename = "documented")]
    AppProvisioning,
    /// Only in the Entra Cloud Sync expression reference
    /// (reference-expressions.md); that the provisioning service runs it the
    /// same way is our reading, recorded in the deviations table.
    CloudSync,
    /// Listed by the provisioning service but in neither reference (or, for
    /// DefaultDomain, only called in the inbound provisioning API FAQ's
    /// example); its meaning here is our reading, recorded in the deviations
    /// table.
    Undocumented,
}

impl Provenance {
    /// The note shown after the summary in `attrmap functions` and the docs;
    /// empty for the app provisioning reference.
    pub fn note(self) -> &'static str {
        match self {
            Provenance::AppProvisioning => "",
            Provenance::CloudSync => "Cloud Sync reference",
            Provenance::Undocumented => "undocumented",
        }
    }
}

macro_rules! fn_ids {
    ($($id:ident),* $(,)?) => {
        /// Identifies a function. The discriminant indexes [`CATALOGUE`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum FnId { $($id),* }
        impl FnId {
            pub const ALL: &'static [FnId] = &[$(FnId::$id),*];
        }
    };
}

fn_ids!(
    Append,
    AppRoleAssignmentsComplex,
    AssertiveAppRoleAssignmentsComplex,
    BitAnd,
    CBool,
    CDate,
    Coalesce,
    ConvertFromBase64,
    ConvertToBase64,
    ConvertToUTF8Hex,
    Count,
    CRef,
    CStr,
    DateAdd,
    DateDiff,
    DateFromNum,
    DefaultDomain,
    DNComponent,
    Error,
    FormatDateTime,
    Guid,
    IgnoreFlowIfNullOrEmpty,
    IIF,
    InStr,
    IsNothing,
    IsNull,
    IsNullOrEmpty,
    IsPresent,
    IsString,
    Item,
    Join,
    Left,
    Len,
    Mid,
    NormalizeDiacritics,
    Not,
    Now,
    NumFromDate,
    PCase,
    Prepend,
    RandomString,
    Redact,
    RemoveDuplicates,
    Replace,
    SelectUniqueValue,
    SingleAppRoleAssignment,
    Split,
    StringFromSID,
    StripSpaces,
    Switch,
    ToLower,
    ToUpper,
    Trim,
    Word,
);

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionSpec {
    #[serde(skip)]
    pub id: FnId,
    pub name: &'static str,
    pub params: &'static [Param],
    pub result: ResultType,
    pub purity: Purity,
    pub evaluation: Evaluation,
    pub provenance: Provenance,
    pub summary: &'static str,
    /// The eager implementation, called with the evaluated arguments;
    /// `None` for control flow, which the engines evaluate lazily.
    #[serde(skip)]
    pub implementation: Option<crate::functions::Implementation>,
    /// Runnable examples: `cargo test` runs each on both engines, and
    /// docs/functions.md shows them.
    #[serde(skip)]
    pub examples: &'static [Example],
}

/// One runnable example of a function.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    pub expression: &'static str,
    /// The source user, as a JSON object.
    pub user: &'static str,
    /// What the expression yields, as [`outcome_text`] writes it.
    pub result: &'static str,
}

const fn ex(expression: &'static str, user: &'static str, result: &'static str) -> Example {
    Example {
        expression,
        user,
        result,
    }
}

/// The clock and random seed the examples run with, so Now, Guid and
/// RandomString have fixed results.
pub const EXAMPLE_NOW: &str = "2024-01-01T00:00:00Z";
pub const EXAMPLE_SEED: u64 = 7;
/// The tenant default domain the examples run with, for DefaultDomain.
pub const EXAMPLE_DEFAULT_DOMAIN: &str = "contoso.onmicrosoft.com";

/// An outcome as the examples write it: the value as JSON, or the flow
/// decision in words.
pub fn outcome_text(outcome: &crate::Outcome<'_>) -> String {
    match outcome {
        crate::Outcome::Value(v) => spaced_json(&v.to_json()),
        crate::Outcome::Ignore => "(attribute not flowed)".into(),
        crate::Outcome::IgnoreObject => "(object skipped)".into(),
    }
}

impl FunctionSpec {
    /// Fewest arguments a call may have: every required parameter, the
    /// places before a repeating group (Switch's defaultValue is optional
    /// but written, maybe empty), and the group as often as it must appear.
    /// An optional parameter before required ones may be omitted entirely
    /// (FormatDateTime's three-argument form).
    pub fn min_args(&self) -> usize {
        match self.params.iter().position(|p| p.repeating) {
            Some(first) => {
                let group = &self.params[first..];
                first + group.len() * group[0].min_repeats
            }
            None => self.params.iter().filter(|p| !p.optional).count(),
        }
    }
    /// Most arguments a call may have; `None` when a parameter repeats.
    pub fn max_args(&self) -> Option<usize> {
        if self.params.iter().any(|p| p.repeating) {
            None
        } else {
            Some(self.params.len())
        }
    }
    /// The parameter that argument `index` binds to.
    pub fn param_for(&self, index: usize) -> Option<&'static Param> {
        let params = self.params;
        if index < params.len() {
            return Some(&params[index]);
        }
        let first_rep = params.iter().position(|p| p.repeating)?;
        let group = &params[first_rep..];
        let group_len = group.iter().take_while(|p| p.repeating).count();
        Some(&group[(index - first_rep) % group_len])
    }
    /// `Name(param, [optional], repeating…)`.
    pub fn signature(&self) -> String {
        let parts: Vec<String> = self
            .params
            .iter()
            .map(|p| {
                let mut s = p.name.to_string();
                if p.repeating {
                    s.push('…');
                }
                if p.optional {
                    s = format!("[{s}]");
                }
                s
            })
            .collect();
        format!("{}({})", self.name, parts.join(", "))
    }
    pub fn is_lazy(&self) -> bool {
        self.evaluation == Evaluation::Lazy
    }
}

const fn p(name: &'static str, graph_key: &'static str, kind: ParamKind) -> Param {
    Param {
        name,
        graph_key,
        kind,
        optional: false,
        repeating: false,
        one_based: false,
        may_be_empty: false,
        min_repeats: 0,
    }
}
const fn opt(name: &'static str, graph_key: &'static str, kind: ParamKind) -> Param {
    Param {
        name,
        graph_key,
        kind,
        optional: true,
        repeating: false,
        one_based: false,
        may_be_empty: false,
        min_repeats: 0,
    }
}
const fn rep(name: &'static str, graph_key: &'static str, kind: ParamKind) -> Param {
    Param {
        name,
        graph_key,
        kind,
        optional: false,
        repeating: true,
        one_based: false,
        may_be_empty: false,
        min_repeats: 1,
    }
}

pub const DATE_INTERVALS: &[&str] = &["yyyy", "m", "d", "ww", "h", "n", "s"];
pub const COMPARE_TYPES: &[&str] = &["vbBinaryCompare", "vbTextCompare"];

use crate::functions::directory::ENCODINGS;
use Evaluation::{Eager, Lazy};
use ParamKind as K;
use Provenance::{AppProvisioning, CloudSync, Undocumented};
use Purity::*;
use ResultType as R;

macro_rules! spec {
    (@implementation) => { None };
    (@implementation $module:ident) => { Some(crate::functions::$module as crate::functions::Implementation) };
    ($id:ident, $params:expr, $result:expr, $purity:expr, $eval:ident $(($module:ident))?, $prov:expr, $summary:expr, $examples:expr) => {
        FunctionSpec {
            id: FnId::$id,
            name: stringify!($id),
            params: $params,
            result: $result,
            purity: $purity,
            evaluation: $eval,
            implementation: spec!(@implementation $($module)?),
            provenance: $prov,
            summary: $summary,
            examples: $examples,
        }
    };
}

/// Every function, in [`FnId`] order.
pub static CATALOGUE: &[FunctionSpec] = &[
    spec!(Append, &[p("source", "source", K::String), p("suffix", "suffix", K::String)], R::String, Pure, Eager(string_functions), AppProvisioning,
        "Appends suffix to the end of source.",
        &[ex(r#"Append([mail], "@contoso.com")"#, r#"{"mail": "john.doe"}"#, r#""john.doe@contoso.com""#)]),
    spec!(AppRoleAssignmentsComplex, &[p("appRoleAssignments", "source", K::Attribute)], R::MultiValued, Pure, Eager(misc_functions), AppProvisioning,
        "Turns all of a user's app role assignments into a SCIM roles list.",
        &[ex(r#"AppRoleAssignmentsComplex([appRoleAssignments])"#, r#"{"appRoleAssignments": [{"value": "Admin", "displayName": "Admin"}, {"value": "Reader", "displayName": "Reader"}]}"#, r#"[{"display": "Admin", "primary": false, "type": "WindowsAzureActiveDirectoryRole", "value": "Admin"}, {"display": "Reader", "primary": false, "type": "WindowsAzureActiveDirectoryRole", "value": "Reader"}]"#)]),
    spec!(AssertiveAppRoleAssignmentsComplex, &[p("appRoleAssignments", "source", K::Attribute)], R::MultiValued, Pure, Eager(misc_functions), AppProvisioning,
        "Like AppRoleAssignmentsComplex; the service uses it to also remove roles no longer assigned.",
        &[ex(r#"AssertiveAppRoleAssignmentsComplex([appRoleAssignments])"#, r#"{"appRoleAssignments": [{"value": "Admin"}]}"#, r#"[{"display": "Admin", "primary": false, "type": "WindowsAzureActiveDirectoryRole", "value": "Admin"}]"#)]),
    spec!(BitAnd, &[p("value1", "value1", K::Number), p("value2", "value2", K::Number)], R::Number, Pure, Eager(misc_functions), AppProvisioning,
        "Bitwise AND of two numbers.",
        &[ex(r#"BitAnd([userAccountControl], 2)"#, r#"{"userAccountControl": "514"}"#, r#"2"#)]),
    spec!(CBool, &[p("expression", "source", K::Condition)], R::Boolean, Pure, Eager(string_functions), AppProvisioning,
        "True when the expression evaluates to true or a non-zero number.",
        &[ex(r#"CBool([accountEnabled])"#, r#"{"accountEnabled": "True"}"#, r#"true"#)]),
    spec!(CDate, &[p("expression", "source", K::String)], R::DateTime, Pure, Eager(date_functions), AppProvisioning,
        "Parses a date/time string (ISO 8601, with or without offset) into a UTC DateTime.",
        &[ex(r#"CDate([hireDate])"#, r#"{"hireDate": "2021-06-30T08:00:00+08:00"}"#, r#""6/30/2021 12:00:00 AM""#)]),
    spec!(Coalesce, &[rep("source", "source", K::Expression).may_be_empty()], R::Any, Pure, Lazy, AppProvisioning,
        "Returns the first argument that is not null; the last one serves as the default.",
        &[ex(r#"Coalesce([mail], [userPrincipalName])"#, r#"{"userPrincipalName": "jd@contoso.com"}"#, r#""jd@contoso.com""#)]),
    spec!(ConvertFromBase64, &[p("source", "source", K::String), opt("encoding", "encoding", K::Enum(ENCODINGS))], R::String, Pure, Eager(directory_functions), CloudSync,
        "Decodes base64 to text in the encoding: Unicode (UTF-16LE, the default), ASCII or UTF8.",
        &[ex(r#"ConvertFromBase64("SABlAGwAbABvACAAdwBvAHIAbABkACEA")"#, r#"{}"#, r#""Hello world!""#),
          ex(r#"ConvertFromBase64("SGVsbG8gd29ybGQh", UTF8)"#, r#"{}"#, r#""Hello world!""#)]),
    spec!(ConvertToBase64, &[p("source", "source", K::String)], R::String, Pure, Eager(text_functions), AppProvisioning,
        "Base64 of the string's UTF-16LE bytes.",
        &[ex(r#"ConvertToBase64("Hello world!")"#, r#"{}"#, r#""SABlAGwAbABvACAAdwBvAHIAbABkACEA""#)]),
    spec!(ConvertToUTF8Hex, &[p("source", "source", K::String)], R::String, Pure, Eager(text_functions), AppProvisioning,
        "Upper-case hex of the string's UTF-8 bytes.",
        &[ex(r#"ConvertToUTF8Hex("Hello world!")"#, r#"{}"#, r#""48656C6C6F20776F726C6421""#)]),
    spec!(Count, &[p("attribute", "source", K::Attribute)], R::Number, Pure, Eager(misc_functions), AppProvisioning,
        "Number of elements in a multi-valued attribute.",
        &[ex(r#"Count([proxyAddresses])"#, r#"{"proxyAddresses": ["SMTP:a@contoso.com", "smtp:b@contoso.com"]}"#, r#"2"#)]),
    spec!(CRef, &[p("value", "source", K::String)], R::String, Pure, Eager(string_functions), CloudSync,
        "Reads a string as a reference (a DN); the text passes through. Only used in the Cloud Sync reference's DNComponent example.",
        &[ex(r#"CRef([manager])"#, r#"{"manager": "CN=Ann Lee,OU=Sales,DC=contoso,DC=com"}"#, r#""CN=Ann Lee,OU=Sales,DC=contoso,DC=com""#)]),
    spec!(CStr, &[p("value", "source", K::Expression)], R::String, Pure, Eager(string_functions), AppProvisioning,
        "Converts a number, boolean or reference to a string.",
        &[ex(r#"CStr([employeeNumber])"#, r#"{"employeeNumber": 12345}"#, r#""12345""#)]),
    spec!(DateAdd, &[p("interval", "interval", K::Enum(DATE_INTERVALS)), p("value", "value", K::Number), p("dateTime", "dateTime", K::DateTime)], R::DateTime, Pure, Eager(date_functions), AppProvisioning,
        "Adds value intervals (yyyy m d ww h n s) to a DateTime.",
        &[ex(r#"DateAdd("d", 7, CDate([hireDate]))"#, r#"{"hireDate": "2012-03-16T07:00:00Z"}"#, r#""3/23/2012 7:00:00 AM""#)]),
    spec!(DateDiff, &[p("interval", "interval", K::Enum(DATE_INTERVALS)), p("date1", "date1", K::DateTime), p("date2", "date2", K::DateTime)], R::Number, Pure, Eager(date_functions), AppProvisioning,
        "Number of interval boundaries between date1 and date2 (positive when date2 is later).",
        &[ex(r#"DateDiff("d", CDate([start]), CDate([end]))"#, r#"{"start": "2024-01-01T00:00:00Z", "end": "2024-03-01T00:00:00Z"}"#, r#"60"#)]),
    spec!(DateFromNum, &[p("value", "source", K::Number)], R::DateTime, Pure, Eager(date_functions), AppProvisioning,
        "Converts an AD FILETIME (100-ns ticks since 1601-01-01 UTC) to a DateTime.",
        &[ex(r#"DateFromNum([lastLogonTimestamp])"#, r#"{"lastLogonTimestamp": "129699324000000000"}"#, r#""1/1/2012 11:00:00 PM""#)]),
    spec!(DefaultDomain, &[], R::String, Tenant, Eager(misc_functions), Undocumented,
        "The tenant's default verified domain, given to the run (`--default-domain`); without one the call fails.",
        &[ex(r#"Join("@", [employeeId], DefaultDomain())"#, r#"{"employeeId": "21023"}"#, r#""21023@contoso.onmicrosoft.com""#)]),
    spec!(DNComponent, &[p("dn", "source", K::String), p("componentNumber", "componentNumber", K::Number).one_based()], R::String, Pure, Eager(directory_functions), CloudSync,
        "The value of the componentNumber-th (1-based, from the left) component of a DN, escapes decoded; null past the end.",
        &[ex(r#"DNComponent(CRef([dn]), 1)"#, r#"{"dn": "cn=Joe,ou=Sales,dc=contoso,dc=com"}"#, r#""Joe""#),
          ex(r#"DNComponent([dn], 2)"#, r#"{"dn": "CN=Doe\\, John,OU=Sales,DC=contoso,DC=com"}"#, r#""Sales""#)]),
    spec!(Error, &[p("errorMessage", "source", K::String)], R::Any, Effect, Eager(misc_functions), CloudSync,
        "Fails the object with the given message (attrmap::eval::custom-error).",
        &[ex(r#"IIF(IsPresent([accountName]), [accountName], Error("AccountName is required"))"#, r#"{"accountName": "jdoe"}"#, r#""jdoe""#)]),
    spec!(FormatDateTime, &[p("source", "source", K::String), opt("dateTimeStyles", "dateTimeStyles", K::String), p("inputFormat", "inputFormat", K::String), p("outputFormat", "outputFormat", K::String)], R::String, Pure, Eager(date_functions), AppProvisioning,
        "Parses source with a .NET custom format and renders it with another.",
        &[ex(r#"FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")"#, r#"{"extensionAttribute1": "20150123105347.1Z"}"#, r#""2015-01-23""#)]),
    spec!(Guid, &[], R::String, Random, Eager(misc_functions), AppProvisioning,
        "A new random GUID.",
        &[ex(r#"Guid()"#, r#"{}"#, r#""befba86a-e9e0-4207-865f-7e24e8349d4e""#)]),
    spec!(IgnoreFlowIfNullOrEmpty, &[p("expression", "source", K::Expression)], R::Any, Effect, Eager(misc_functions), AppProvisioning,
        "Drops the attribute from the flow when the expression is null or empty.",
        &[ex(r#"IgnoreFlowIfNullOrEmpty([department])"#, r#"{}"#, r#"(attribute not flowed)"#)]),
    spec!(IIF, &[p("condition", "condition", K::Condition), p("valueIfTrue", "valueIfTrue", K::Expression), p("valueIfFalse", "valueIfFalse", K::Expression)], R::Any, Pure, Lazy, AppProvisioning,
        "valueIfTrue when the condition holds, otherwise valueIfFalse.",
        &[ex(r#"IIF([country]="USA", [country], [department])"#, r#"{"country": "USA", "department": "Sales"}"#, r#""USA""#)]),
    spec!(InStr, &[p("value1", "value1", K::String), p("value2", "value2", K::String), opt("start", "start", K::Number).one_based(), opt("compareType", "compareType", K::Enum(COMPARE_TYPES))], R::Number, Pure, Eager(text_functions), AppProvisioning,
        "1-based position of value2 in value1, or 0.",
        &[ex(r#"InStr([mail], "@")"#, r#"{"mail": "jd@contoso.com"}"#, r#"3"#)]),
    spec!(IsNothing, &[p("expression", "source", K::Expression)], R::Boolean, Pure, Eager(string_functions), Undocumented,
        "Same as IsNull.",
        &[ex(r#"IsNothing([department])"#, r#"{}"#, r#"true"#)]),
    spec!(IsNull, &[p("expression", "source", K::Expression)], R::Boolean, Pure, Eager(string_functions), AppProvisioning,
        "True when the expression is null (an absent attribute).",
        &[ex(r#"IsNull([department])"#, r#"{}"#, r#"true"#)]),
    spec!(IsNullOrEmpty, &[p("expression", "source", K::Expression)], R::Boolean, Pure, Eager(string_functions), AppProvisioning,
        "True when the expression is null or the empty string.",
        &[ex(r#"IsNullOrEmpty([department])"#, r#"{"department": ""}"#, r#"true"#)]),
    spec!(IsPresent, &[p("expression", "source", K::Expression)], R::Boolean, Pure, Eager(string_functions), AppProvisioning,
        "True when the expression is neither null nor empty.",
        &[ex(r#"IsPresent([department])"#, r#"{"department": "Sales"}"#, r#"true"#)]),
    spec!(IsString, &[p("expression", "source", K::Expression)], R::Boolean, Pure, Eager(string_functions), AppProvisioning,
        "True when the expression evaluates to a string.",
        &[ex(r#"IsString([department])"#, r#"{"department": "Sales"}"#, r#"true"#)]),
    spec!(Item, &[p("attribute", "source", K::Attribute), p("index", "index", K::Number).one_based()], R::String, Pure, Eager(misc_functions), AppProvisioning,
        "The index-th (1-based) element of a multi-valued attribute.",
        &[ex(r#"Item([proxyAddresses], 1)"#, r#"{"proxyAddresses": ["SMTP:a@contoso.com", "smtp:b@contoso.com"]}"#, r#""SMTP:a@contoso.com""#)]),
    spec!(Join, &[p("separator", "separator", K::String).may_be_empty(), rep("source", "source", K::String).may_be_empty()], R::String, Pure, Eager(string_functions), AppProvisioning,
        "Joins non-empty values (flattening multi-valued ones) with the separator.",
        &[ex(r#"Join(",", [givenName], [surname])"#, r#"{"givenName": "John", "surname": "Doe"}"#, r#""John,Doe""#)]),
    spec!(Left, &[p("string", "source", K::String), p("numChars", "numChars", K::Number)], R::String, Pure, Eager(string_functions), AppProvisioning,
        "The first numChars characters.",
        &[ex(r#"Left([displayName], 4)"#, r#"{"displayName": "John Doe"}"#, r#""John""#)]),
    spec!(Len, &[p("value", "source", K::String)], R::Number, Pure, Eager(string_functions), Undocumented,
        "Number of UTF-16 code units in the string, as .NET's String.Length counts; null is 0.",
        &[ex(r#"Len([userPrincipalName])"#, r#"{"userPrincipalName": "jdoe@contoso.com"}"#, r#"16"#)]),
    spec!(Mid, &[p("source", "source", K::String), p("start", "start", K::Number).one_based(), p("length", "length", K::Number)], R::String, Pure, Eager(string_functions), AppProvisioning,
        "length characters starting at the 1-based start.",
        &[ex(r#"Mid([displayName], 6, 3)"#, r#"{"displayName": "John Doe"}"#, r#""Doe""#)]),
    spec!(NormalizeDiacritics, &[p("source", "source", K::String)], R::String, Pure, Eager(text_functions), AppProvisioning,
        "Replaces letters with diacritics by their plain equivalents (reference table).",
        &[ex(r#"NormalizeDiacritics([givenName])"#, r#"{"givenName": "Zoë"}"#, r#""Zoe""#)]),
    spec!(Not, &[p("source", "source", K::Condition)], R::Boolean, Pure, Eager(string_functions), AppProvisioning,
        "Flips a boolean (\"True\"/\"False\").",
        &[ex(r#"Not([accountEnabled])"#, r#"{"accountEnabled": "True"}"#, r#"false"#)]),
    spec!(Now, &[], R::DateTime, Clock, Eager(date_functions), AppProvisioning,
        "The current UTC DateTime.",
        &[ex(r#"Now()"#, r#"{}"#, r#""1/1/2024 12:00:00 AM""#)]),
    spec!(NumFromDate, &[p("value", "source", K::String)], R::Number, Pure, Eager(date_functions), AppProvisioning,
        "Converts a date/time to an AD FILETIME number.",
        &[ex(r#"NumFromDate("2012-01-01T23:00:00Z")"#, r#"{}"#, r#"129699324000000000"#)]),
    spec!(PCase, &[p("source", "source", K::String), opt("wordSeparators", "wordSeparators", K::String)], R::String, Pure, Eager(text_functions), AppProvisioning,
        "Proper case: the first letter of each word upper-case, the rest lower-case.",
        &[ex(r#"PCase([displayName])"#, r#"{"displayName": "JOHN doe"}"#, r#""John Doe""#)]),
    spec!(Prepend, &[p("source", "source", K::String), p("prefix", "prefix", K::String)], R::String, Pure, Eager(string_functions), Undocumented,
        "Puts prefix in front of source.",
        &[ex(r#"Prepend([samAccountName], "contoso\\")"#, r#"{"samAccountName": "jdoe"}"#, r#""contoso\\jdoe""#)]),
    spec!(RandomString, &[p("length", "Length", K::Number), p("minimumNumbers", "MinimumNumbers", K::Number), p("minimumSpecialCharacters", "MinimumSpecialCharacters", K::Number), p("minimumCapital", "MinimumCapital", K::Number), p("minimumLowerCase", "MinimumLowerCase", K::Number), opt("charactersToAvoid", "CharactersToAvoid", K::String)], R::String, Random, Eager(misc_functions), AppProvisioning,
        "A random string meeting the given minimums (at most 256 characters).",
        &[ex(r#"RandomString(6, 3, 0, 0, 3)"#, r#"{}"#, r#""y0h13o""#)]),
    spec!(Redact, &[p("value", "source", K::Expression)], R::Any, Effect, Eager(misc_functions), AppProvisioning,
        "Passes the value through but shows [Redact] in traces and logs.",
        &[ex(r#"Redact([employeeId])"#, r#"{"employeeId": "12345"}"#, r#""12345""#)]),
    spec!(RemoveDuplicates, &[p("attribute", "source", K::Attribute)], R::MultiValued, Pure, Eager(misc_functions), AppProvisioning,
        "The multi-valued attribute with duplicate values removed.",
        &[ex(r#"RemoveDuplicates([proxyAddresses])"#, r#"{"proxyAddresses": ["a@contoso.com", "b@contoso.com", "a@contoso.com"]}"#, r#"["a@contoso.com", "b@contoso.com"]"#)]),
    spec!(Replace, &[p("source", "source", K::String), opt("oldValue", "Find", K::String), opt("regexPattern", "RegularExpression", K::String), opt("regexGroupName", "RegularExpressionGroupName", K::String), opt("replacementValue", "Replacement", K::String), opt("replacementAttributeName", "ReplacementPropertyName", K::Expression), opt("template", "Template", K::String)], R::String, Pure, Eager(replace_function), AppProvisioning,
        "Replaces text or regex matches; five modes chosen by which arguments are given.",
        &[ex(r#"Replace([mail], "@contoso.com", , , "@fabrikam.com", , )"#, r#"{"mail": "jd@contoso.com"}"#, r#""jd@fabrikam.com""#)]),
    spec!(SelectUniqueValue, &[rep("uniqueValueRule", "source", K::Expression).at_least(2)], R::String, Oracle, Lazy, AppProvisioning,
        "The first candidate that is not yet taken in the target.",
        &[ex(r#"SelectUniqueValue(Join("@", [givenName], "contoso.com"), Join("@", Join(".", [givenName], [surname]), "contoso.com"))"#, r#"{"givenName": "John", "surname": "Doe"}"#, r#""John@contoso.com""#)]),
    spec!(SingleAppRoleAssignment, &[p("appRoleAssignments", "source", K::Attribute)], R::String, Pure, Eager(misc_functions), AppProvisioning,
        "The value of the user's single app role assignment.",
        &[ex(r#"SingleAppRoleAssignment([appRoleAssignments])"#, r#"{"appRoleAssignments": [{"value": "Admin"}]}"#, r#""Admin""#)]),
    spec!(Split, &[p("source", "source", K::String), p("delimiter", "delimiter", K::String)], R::MultiValued, Pure, Eager(text_functions), AppProvisioning,
        "Splits a string into a multi-valued array.",
        &[ex(r#"Split([extensionAttribute5], ",")"#, r#"{"extensionAttribute5": "Sales,Marketing"}"#, r#"["Sales", "Marketing"]"#)]),
    spec!(StringFromSID, &[p("objectSID", "source", K::String)], R::String, Pure, Eager(directory_functions), CloudSync,
        "The S-1-… text of a binary security identifier (its bytes in base64, as JSON carries AD's objectSid).",
        &[ex(r#"StringFromSID([objectSid])"#, r#"{"objectSid": "AQUAAAAAAAUVAAAA3PTcO4M9K0aCi6YoAAIAAA=="}"#, r#""S-1-5-21-1004336348-1177238915-682003330-512""#)]),
    spec!(StripSpaces, &[p("source", "source", K::String)], R::String, Pure, Eager(string_functions), AppProvisioning,
        "Removes every space character.",
        &[ex(r#"StripSpaces([telephoneNumber])"#, r#"{"telephoneNumber": "+1 425 555 0100"}"#, r#""+14255550100""#)]),
    spec!(Switch, &[p("source", "source", K::String), opt("defaultValue", "defaultValue", K::Expression), rep("key", "switchValue", K::String), rep("value", "switchValue", K::Expression).may_be_empty()], R::Any, Pure, Lazy, AppProvisioning,
        "The value paired with the first key equal to source (case-sensitive), else defaultValue.",
        &[ex(r#"Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney", "QLD", "Australia/Brisbane")"#, r#"{"state": "QLD"}"#, r#""Australia/Brisbane""#)]),
    spec!(ToLower, &[p("source", "source", K::String), opt("culture", "culture", K::String)], R::String, Pure, Eager(text_functions), AppProvisioning,
        "Lower-cases, with the given culture's rules (invariant by default).",
        &[ex(r#"ToLower([userPrincipalName])"#, r#"{"userPrincipalName": "JDoe@Contoso.com"}"#, r#""jdoe@contoso.com""#)]),
    spec!(ToUpper, &[p("source", "source", K::String), opt("culture", "culture", K::String)], R::String, Pure, Eager(text_functions), AppProvisioning,
        "Upper-cases, with the given culture's rules (invariant by default).",
        &[ex(r#"ToUpper([givenName])"#, r#"{"givenName": "John"}"#, r#""JOHN""#)]),
    spec!(Trim, &[p("value", "source", K::String)], R::String, Pure, Eager(string_functions), CloudSync,
        "Removes leading and trailing white space (.NET's String.Trim), from each value of a multi-valued attribute.",
        &[ex(r#"Trim(" Test ")"#, r#"{}"#, r#""Test""#),
          ex(r#"Trim([proxyAddresses])"#, r#"{"proxyAddresses": [" SMTP:a@contoso.com", "smtp:b@contoso.com\t"]}"#, r#"["SMTP:a@contoso.com", "smtp:b@contoso.com"]"#)]),
    spec!(Word, &[p("string", "source", K::String), p("wordNumber", "wordNumber", K::Number).one_based(), p("delimiters", "delimiters", K::String)], R::String, Pure, Eager(text_functions), AppProvisioning,
        "The wordNumber-th (1-based) word, splitting on any of the delimiter characters.",
        &[ex(r#"Word([displayName], 2, " ")"#, r#"{"displayName": "John Michael Doe"}"#, r#""Michael""#)]),
];

impl FnId {
    pub fn spec(self) -> &'static FunctionSpec {
        &CATALOGUE[self as usize]
    }

    /// The functions that test for null or empty. Inside an IIF condition
    /// they take the null themselves, so the condition's null check does not
    /// reach their argument: Microsoft's HR expression guides and the Cloud
    /// Sync reference document `IIF(IsPresent([x]), [x], …)` and
    /// `IIF(IsNullOrEmpty([x]), …)` with the null case's output
    /// (docs/semantics.md, "IIF on null or empty attributes").
    pub fn tests_null(self) -> bool {
        matches!(
            self,
            FnId::IsPresent | FnId::IsNullOrEmpty | FnId::IsNull | FnId::IsNothing
        )
    }
}

/// Looks a function up by name. Entra documents names as case-sensitive; we
/// resolve any case and let the checker warn when the spelling differs.
pub fn lookup(name: &str) -> Option<&'static FunctionSpec> {
    // The exact spelling by binary search over the names sorted once (every
    // call of every compile looks its name up); another case by a scan.
    static BY_NAME: std::sync::OnceLock<Vec<(&'static str, FnId)>> = std::sync::OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| {
        let mut v: Vec<_> = CATALOGUE.iter().map(|f| (f.name, f.id)).collect();
        v.sort_unstable_by_key(|&(n, _)| n);
        v
    });
    match by_name.binary_search_by(|&(n, _)| n.cmp(name)) {
        Ok(i) => Some(by_name[i].1.spec()),
        Err(_) => CATALOGUE.iter().find(|f| f.name.eq_ignore_ascii_case(name)),
    }
}

/// Bare identifiers the language knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KeywordId {
    IgnoreAttributeFlow,
    IgnoreObjectFlow,
    VbBinaryCompare,
    VbTextCompare,
    Unicode,
    Ascii,
    Utf8,
}

pub struct KeywordSpec {
    pub id: KeywordId,
    pub name: &'static str,
    pub summary: &'static str,
    /// The string a constant keyword evaluates to; `None` for the flow
    /// keywords, which the engines act on.
    pub text: Option<&'static str>,
}

pub static KEYWORDS: &[KeywordSpec] = &[
    KeywordSpec {
        id: KeywordId::IgnoreAttributeFlow,
        name: "IgnoreAttributeFlow",
        summary: "Drops this attribute from the flow when evaluated.",
        text: None,
    },
    KeywordSpec {
        id: KeywordId::IgnoreObjectFlow,
        name: "IgnoreObjectFlow",
        summary: "Skips the whole object when evaluated.",
        text: None,
    },
    KeywordSpec {
        id: KeywordId::VbBinaryCompare,
        name: "vbBinaryCompare",
        summary: "InStr compare type: case-sensitive (the default).",
        text: Some("vbBinaryCompare"),
    },
    KeywordSpec {
        id: KeywordId::VbTextCompare,
        name: "vbTextCompare",
        summary: "InStr compare type: case-insensitive.",
        text: Some("vbTextCompare"),
    },
    // ConvertFromBase64's encodings: the Cloud Sync reference writes them
    // bare, `ConvertFromBase64("SGVsbG8gd29ybGQh", UTF8)`.
    KeywordSpec {
        id: KeywordId::Unicode,
        name: "Unicode",
        summary: "ConvertFromBase64 encoding: UTF-16LE (the default).",
        text: Some("Unicode"),
    },
    KeywordSpec {
        id: KeywordId::Ascii,
        name: "ASCII",
        summary: "ConvertFromBase64 encoding: ASCII (bytes above 0x7F become ?).",
        text: Some("ASCII"),
    },
    KeywordSpec {
        id: KeywordId::Utf8,
        name: "UTF8",
        summary: "ConvertFromBase64 encoding: UTF-8.",
        text: Some("UTF8"),
    },
];

pub fn lookup_keyword(name: &str) -> Option<&'static KeywordSpec> {
    KEYWORDS
        .iter()
        .find(|k| k.name == name)
        .or_else(|| KEYWORDS.iter().find(|k| k.name.eq_ignore_ascii_case(name)))
}

/// The function reference as Markdown, generated from this table; it is
/// what docs/functions.md and the README's function table contain.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Function | Returns | Purity | Summary | Graph parameter keys |\n|---|---|---|---|---|\n",
    );
    for f in CATALOGUE {
        let mut keys: Vec<&str> = f.params.iter().map(|p| p.graph_key).collect();
        // Switch's key and value share Graph's one repeating `switchValue`.
        keys.dedup();
        let mark = match f.provenance.note() {
            "" => String::new(),
            note => format!(" *({note})*"),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {}{mark} | {} |\n",
            f.signature(),
            format!("{:?}", f.result).to_lowercase(),
            format!("{:?}", f.purity).to_lowercase(),
            f.summary,
            if keys.is_empty() {
                "—".to_string()
            } else {
                keys.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ));
    }
    out.push_str("\n| Keyword | Meaning |\n|---|---|\n");
    for k in KEYWORDS {
        out.push_str(&format!("| `{}` | {} |\n", k.name, k.summary));
    }
    out
}

/// JSON with a space after each `,` and `:`, as people write it in docs.
fn spaced_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(spaced_json).collect();
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        serde_json::Value::from(k.as_str()),
                        spaced_json(v)
                    )
                })
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        scalar => scalar.to_string(),
    }
}

/// Every function's examples as Markdown, for docs/functions.md.
pub fn markdown_examples() -> String {
    let mut out = format!(
        "Each example runs in `cargo test` on both engines, with the clock at {EXAMPLE_NOW}, random seed {EXAMPLE_SEED} and default domain {EXAMPLE_DEFAULT_DOMAIN}.\n\n| Expression | User | Result |\n|---|---|---|\n"
    );
    let cell = |s: &str| s.replace('|', "\\|");
    for f in CATALOGUE {
        for e in f.examples {
            out.push_str(&format!(
                "| `{}` | `{}` | `{}` |\n",
                cell(e.expression),
                cell(e.user),
                cell(e.result)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_in_id_order() {
        for (i, spec) in CATALOGUE.iter().enumerate() {
            assert_eq!(spec.id as usize, i, "{} is out of order", spec.name);
        }
        assert_eq!(CATALOGUE.len(), FnId::ALL.len());
    }

    #[test]
    fn eager_functions_have_an_implementation_and_control_flow_has_none() {
        for spec in CATALOGUE {
            assert_eq!(
                spec.implementation.is_some(),
                spec.evaluation == Evaluation::Eager,
                "{}",
                spec.name
            );
        }
    }

    #[test]
    fn lookup_is_case_insensitive_but_prefers_exact() {
        assert_eq!(lookup("iif").unwrap().name, "IIF");
        assert_eq!(lookup("Join").unwrap().name, "Join");
        assert!(lookup("Jion").is_none());
    }

    #[test]
    fn switch_params_repeat_as_pairs() {
        let s = FnId::Switch.spec();
        assert_eq!(s.param_for(2).unwrap().name, "key");
        assert_eq!(s.param_for(3).unwrap().name, "value");
        assert_eq!(s.param_for(4).unwrap().name, "key");
        assert_eq!(s.param_for(7).unwrap().name, "value");
    }
}
