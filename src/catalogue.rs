//! The function catalogue: the single source of truth for every function's
//! name, parameters, result type, purity and Graph parameter keys. The checker,
//! compiler, evaluators, linter, docs, `attrmap functions` and the playground's
//! autocomplete all read this table.

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
}

impl Param {
    /// The same parameter, counted from 1.
    const fn one_based(self) -> Param {
        Param {
            one_based: true,
            ..self
        }
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

/// Where the function is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Provenance {
    /// In Microsoft's expression reference.
    Documented,
    /// Listed by the provisioning service but not in the reference; its
    /// meaning here is our reading, recorded in the deviations table.
    Undocumented,
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
    ConvertToBase64,
    ConvertToUTF8Hex,
    Count,
    CStr,
    DateAdd,
    DateDiff,
    DateFromNum,
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
    StripSpaces,
    Switch,
    ToLower,
    ToUpper,
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
}

impl FunctionSpec {
    /// Fewest arguments a call may have.
    pub fn min_args(&self) -> usize {
        match self.id {
            // Two candidates at least: one rule would not need the function.
            FnId::SelectUniqueValue => 2,
            // source, defaultValue (may be empty), and one key/value pair.
            FnId::Switch => 4,
            _ => self.params.iter().filter(|p| !p.optional).count(),
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
    }
}

pub const DATE_INTERVALS: &[&str] = &["yyyy", "m", "d", "ww", "h", "n", "s"];
pub const COMPARE_TYPES: &[&str] = &["vbBinaryCompare", "vbTextCompare"];

use Evaluation::{Eager, Lazy};
use ParamKind as K;
use Provenance::{Documented, Undocumented};
use Purity::*;
use ResultType as R;

macro_rules! spec {
    ($id:ident, $params:expr, $result:expr, $purity:expr, $eval:expr, $prov:expr, $summary:expr) => {
        FunctionSpec {
            id: FnId::$id,
            name: stringify!($id),
            params: $params,
            result: $result,
            purity: $purity,
            evaluation: $eval,
            provenance: $prov,
            summary: $summary,
        }
    };
}

/// Every function, in [`FnId`] order.
pub static CATALOGUE: &[FunctionSpec] = &[
    spec!(Append, &[p("source", "source", K::String), p("suffix", "suffix", K::String)], R::String, Pure, Eager, Documented,
        "Appends suffix to the end of source."),
    spec!(AppRoleAssignmentsComplex, &[p("appRoleAssignments", "source", K::Attribute)], R::MultiValued, Pure, Eager, Documented,
        "Turns all of a user's app role assignments into a SCIM roles list."),
    spec!(AssertiveAppRoleAssignmentsComplex, &[p("appRoleAssignments", "source", K::Attribute)], R::MultiValued, Pure, Eager, Undocumented,
        "Like AppRoleAssignmentsComplex; the service uses it to also remove roles no longer assigned."),
    spec!(BitAnd, &[p("value1", "value1", K::Number), p("value2", "value2", K::Number)], R::Number, Pure, Eager, Documented,
        "Bitwise AND of two numbers."),
    spec!(CBool, &[p("expression", "source", K::Condition)], R::Boolean, Pure, Eager, Documented,
        "True when the expression evaluates to true or a non-zero number."),
    spec!(CDate, &[p("expression", "source", K::String)], R::DateTime, Pure, Eager, Documented,
        "Parses a date/time string (ISO 8601, with or without offset) into a UTC DateTime."),
    spec!(Coalesce, &[rep("source", "source", K::Expression)], R::Any, Pure, Lazy, Documented,
        "Returns the first argument that is not null; the last one serves as the default."),
    spec!(ConvertToBase64, &[p("source", "source", K::String)], R::String, Pure, Eager, Documented,
        "Base64 of the string's UTF-16LE bytes."),
    spec!(ConvertToUTF8Hex, &[p("source", "source", K::String)], R::String, Pure, Eager, Documented,
        "Upper-case hex of the string's UTF-8 bytes."),
    spec!(Count, &[p("attribute", "source", K::Attribute)], R::Number, Pure, Eager, Documented,
        "Number of elements in a multi-valued attribute."),
    spec!(CStr, &[p("value", "source", K::Expression)], R::String, Pure, Eager, Documented,
        "Converts a number, boolean or reference to a string."),
    spec!(DateAdd, &[p("interval", "interval", K::Enum(DATE_INTERVALS)), p("value", "value", K::Number), p("dateTime", "dateTime", K::DateTime)], R::DateTime, Pure, Eager, Documented,
        "Adds value intervals (yyyy m d ww h n s) to a DateTime."),
    spec!(DateDiff, &[p("interval", "interval", K::Enum(DATE_INTERVALS)), p("date1", "date1", K::DateTime), p("date2", "date2", K::DateTime)], R::Number, Pure, Eager, Documented,
        "Number of interval boundaries between date1 and date2 (positive when date2 is later)."),
    spec!(DateFromNum, &[p("value", "source", K::Number)], R::DateTime, Pure, Eager, Documented,
        "Converts an AD FILETIME (100-ns ticks since 1601-01-01 UTC) to a DateTime."),
    spec!(FormatDateTime, &[p("source", "source", K::String), opt("dateTimeStyles", "dateTimeStyles", K::String), p("inputFormat", "inputFormat", K::String), p("outputFormat", "outputFormat", K::String)], R::String, Pure, Eager, Documented,
        "Parses source with a .NET custom format and renders it with another."),
    spec!(Guid, &[], R::String, Random, Eager, Documented,
        "A new random GUID."),
    spec!(IgnoreFlowIfNullOrEmpty, &[p("expression", "source", K::Expression)], R::Any, Effect, Eager, Documented,
        "Drops the attribute from the flow when the expression is null or empty."),
    spec!(IIF, &[p("condition", "condition", K::Condition), p("valueIfTrue", "valueIfTrue", K::Expression), p("valueIfFalse", "valueIfFalse", K::Expression)], R::Any, Pure, Lazy, Documented,
        "valueIfTrue when the condition holds, otherwise valueIfFalse."),
    spec!(InStr, &[p("value1", "value1", K::String), p("value2", "value2", K::String), opt("start", "start", K::Number).one_based(), opt("compareType", "compareType", K::Enum(COMPARE_TYPES))], R::Number, Pure, Eager, Documented,
        "1-based position of value2 in value1, or 0."),
    spec!(IsNothing, &[p("expression", "source", K::Expression)], R::Boolean, Pure, Eager, Undocumented,
        "Same as IsNull."),
    spec!(IsNull, &[p("expression", "source", K::Expression)], R::Boolean, Pure, Eager, Documented,
        "True when the expression is null (an absent attribute)."),
    spec!(IsNullOrEmpty, &[p("expression", "source", K::Expression)], R::Boolean, Pure, Eager, Documented,
        "True when the expression is null or the empty string."),
    spec!(IsPresent, &[p("expression", "source", K::Expression)], R::Boolean, Pure, Eager, Documented,
        "True when the expression is neither null nor empty."),
    spec!(IsString, &[p("expression", "source", K::Expression)], R::Boolean, Pure, Eager, Documented,
        "True when the expression evaluates to a string."),
    spec!(Item, &[p("attribute", "source", K::Attribute), p("index", "index", K::Number).one_based()], R::String, Pure, Eager, Documented,
        "The index-th (1-based) element of a multi-valued attribute."),
    spec!(Join, &[p("separator", "separator", K::String), rep("source", "source", K::String)], R::String, Pure, Eager, Documented,
        "Joins non-empty values (flattening multi-valued ones) with the separator."),
    spec!(Left, &[p("string", "source", K::String), p("numChars", "numChars", K::Number)], R::String, Pure, Eager, Documented,
        "The first numChars characters."),
    spec!(Mid, &[p("source", "source", K::String), p("start", "start", K::Number).one_based(), p("length", "length", K::Number)], R::String, Pure, Eager, Documented,
        "length characters starting at the 1-based start."),
    spec!(NormalizeDiacritics, &[p("source", "source", K::String)], R::String, Pure, Eager, Documented,
        "Replaces letters with diacritics by their plain equivalents (reference table)."),
    spec!(Not, &[p("source", "source", K::Condition)], R::Boolean, Pure, Eager, Documented,
        "Flips a boolean (\"True\"/\"False\")."),
    spec!(Now, &[], R::DateTime, Clock, Eager, Documented,
        "The current UTC DateTime."),
    spec!(NumFromDate, &[p("value", "source", K::String)], R::Number, Pure, Eager, Documented,
        "Converts a date/time to an AD FILETIME number."),
    spec!(PCase, &[p("source", "source", K::String), opt("wordSeparators", "wordSeparators", K::String)], R::String, Pure, Eager, Documented,
        "Proper case: the first letter of each word upper-case, the rest lower-case."),
    spec!(Prepend, &[p("source", "source", K::String), p("prefix", "prefix", K::String)], R::String, Pure, Eager, Undocumented,
        "Puts prefix in front of source."),
    spec!(RandomString, &[p("length", "Length", K::Number), p("minimumNumbers", "MinimumNumbers", K::Number), p("minimumSpecialCharacters", "MinimumSpecialCharacters", K::Number), p("minimumCapital", "MinimumCapital", K::Number), p("minimumLowerCase", "MinimumLowerCase", K::Number), opt("charactersToAvoid", "CharactersToAvoid", K::String)], R::String, Random, Eager, Documented,
        "A random string meeting the given minimums (at most 256 characters)."),
    spec!(Redact, &[p("value", "source", K::Expression)], R::Any, Effect, Eager, Documented,
        "Passes the value through but shows [Redact] in traces and logs."),
    spec!(RemoveDuplicates, &[p("attribute", "source", K::Attribute)], R::MultiValued, Pure, Eager, Documented,
        "The multi-valued attribute with duplicate values removed."),
    spec!(Replace, &[p("source", "source", K::String), opt("oldValue", "Find", K::String), opt("regexPattern", "RegularExpression", K::String), opt("regexGroupName", "RegularExpressionGroupName", K::String), opt("replacementValue", "Replacement", K::String), opt("replacementAttributeName", "ReplacementPropertyName", K::Expression), opt("template", "Template", K::String)], R::String, Pure, Eager, Documented,
        "Replaces text or regex matches; five modes chosen by which arguments are given."),
    spec!(SelectUniqueValue, &[rep("uniqueValueRule", "source", K::Expression)], R::String, Oracle, Lazy, Documented,
        "The first candidate that is not yet taken in the target."),
    spec!(SingleAppRoleAssignment, &[p("appRoleAssignments", "source", K::Attribute)], R::String, Pure, Eager, Documented,
        "The value of the user's single app role assignment."),
    spec!(Split, &[p("source", "source", K::String), p("delimiter", "delimiter", K::String)], R::MultiValued, Pure, Eager, Documented,
        "Splits a string into a multi-valued array."),
    spec!(StripSpaces, &[p("source", "source", K::String)], R::String, Pure, Eager, Documented,
        "Removes every space character."),
    spec!(Switch, &[p("source", "source", K::String), opt("defaultValue", "defaultValue", K::Expression), rep("key", "key", K::String), rep("value", "value", K::Expression)], R::Any, Pure, Lazy, Documented,
        "The value paired with the first key equal to source (case-sensitive), else defaultValue."),
    spec!(ToLower, &[p("source", "source", K::String), opt("culture", "culture", K::String)], R::String, Pure, Eager, Documented,
        "Lower-cases, with the given culture's rules (invariant by default)."),
    spec!(ToUpper, &[p("source", "source", K::String), opt("culture", "culture", K::String)], R::String, Pure, Eager, Documented,
        "Upper-cases, with the given culture's rules (invariant by default)."),
    spec!(Word, &[p("string", "source", K::String), p("wordNumber", "wordNumber", K::Number).one_based(), p("delimiters", "delimiters", K::String)], R::String, Pure, Eager, Documented,
        "The wordNumber-th (1-based) word, splitting on any of the delimiter characters."),
];

impl FnId {
    pub fn spec(self) -> &'static FunctionSpec {
        &CATALOGUE[self as usize]
    }
}

/// Looks a function up by name. Entra documents names as case-sensitive; we
/// resolve any case and let the checker warn when the spelling differs.
pub fn lookup(name: &str) -> Option<&'static FunctionSpec> {
    CATALOGUE
        .iter()
        .find(|f| f.name == name)
        .or_else(|| CATALOGUE.iter().find(|f| f.name.eq_ignore_ascii_case(name)))
}

/// Bare identifiers the language knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KeywordId {
    IgnoreAttributeFlow,
    IgnoreObjectFlow,
    VbBinaryCompare,
    VbTextCompare,
}

pub struct KeywordSpec {
    pub id: KeywordId,
    pub name: &'static str,
    pub summary: &'static str,
}

pub static KEYWORDS: &[KeywordSpec] = &[
    KeywordSpec {
        id: KeywordId::IgnoreAttributeFlow,
        name: "IgnoreAttributeFlow",
        summary: "Drops this attribute from the flow when evaluated.",
    },
    KeywordSpec {
        id: KeywordId::IgnoreObjectFlow,
        name: "IgnoreObjectFlow",
        summary: "Skips the whole object when evaluated.",
    },
    KeywordSpec {
        id: KeywordId::VbBinaryCompare,
        name: "vbBinaryCompare",
        summary: "InStr compare type: case-sensitive (the default).",
    },
    KeywordSpec {
        id: KeywordId::VbTextCompare,
        name: "vbTextCompare",
        summary: "InStr compare type: case-insensitive.",
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
        let keys: Vec<&str> = f.params.iter().map(|p| p.graph_key).collect();
        let mark = if f.provenance == Provenance::Undocumented {
            " *(undocumented)*"
        } else {
            ""
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
