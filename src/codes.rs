//! The registry of diagnostic codes: one row per code that attrmap can
//! report, whether it comes from the parser, the checker, a lint rule, a
//! mapping loader, an evaluator or a front end. [`Code`] is generated from
//! this table, so a code cannot be emitted unless it has a row, and every row
//! carries what `attrmap lint --explain`, SARIF `rules` and docs/lint-rules.md
//! print: the default severity, a summary, an explanation and a bad and a good
//! example. The lint rules keep their rows next to their checks, in
//! `src/lint/rules/`; the table refers to them.

use crate::diagnostic::Severity;
use crate::lint::rules;
use std::fmt;

/// A bad or good example of a code. Runnable examples are exercised by the
/// registry test (`tests/lint.rs`): the bad one must report the code and the
/// good one must not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Example {
    /// An expression, linted and then evaluated on an empty user.
    Expression(&'static str),
    /// An expression evaluated on a user given as JSON: for runtime codes
    /// that only data can trigger.
    Eval {
        expression: &'static str,
        user: &'static str,
    },
    /// A mapping file (native or Graph JSON), linted; `shown` describes it in
    /// one line for the docs.
    Mapping {
        shown: &'static str,
        file: &'static str,
    },
    /// A description only: the situation needs more than a short input (a
    /// 10 000-character expression, a record stream, a JavaScript caller).
    Described(&'static str),
}

impl Example {
    /// The one-line form shown by `--explain`, SARIF and the docs.
    pub fn shown(&self) -> &'static str {
        match *self {
            Example::Expression(e) => e,
            Example::Eval { expression, .. } => expression,
            Example::Mapping { shown, .. } => shown,
            Example::Described(d) => d,
        }
    }
}

/// One row of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The stable string, such as `attrmap::check::unknown-function`.
    pub code: &'static str,
    /// The severity reported unless the emitting site documents an exception
    /// or a lint config escalates it.
    pub severity: Severity,
    pub summary: &'static str,
    pub explanation: &'static str,
    pub bad: Example,
    pub good: Example,
}

/// Builds a row; `const` so rows can live in statics and in rule files.
pub const fn spec(
    code: &'static str,
    severity: Severity,
    summary: &'static str,
    explanation: &'static str,
    bad: Example,
    good: Example,
) -> Spec {
    Spec {
        code,
        severity,
        summary,
        explanation,
        bad,
        good,
    }
}

macro_rules! codes {
    ($($variant:ident => $spec:expr,)*) => {
        /// Every diagnostic code. The discriminant indexes the registry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant),* }

        static SPECS: &[Spec] = &[$($spec),*];

        impl Code {
            /// Every code, in registry (documentation) order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];
        }
    };
}

use Example::{Described, Eval, Expression as Expr, Mapping};
const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;
const A: Severity = Severity::Advice;

codes! {
    // ---- syntax ---------------------------------------------------------------
    ParseSyntax => spec("attrmap::parse::syntax", E, "The expression does not parse.",
        "Entra expressions are function calls, [attributes], \"strings\", whole numbers and a single comparison. Anything else (single quotes, + or & operators, a missing comma) is rejected by Entra when the mapping is saved.",
        Expr("Join(\",\" [givenName], [surname])"), Expr("Join(\",\", [givenName], [surname])")),
    ParseUnclosedCall => spec("attrmap::parse::unclosed-call", E, "A function call is missing its closing parenthesis.",
        "Every ( needs a matching ). The diagnostic points at the call that is never closed, which is usually where the ) was forgotten.",
        Expr("Join(\",\", [givenName], ToLower([surname])"), Expr("Join(\",\", [givenName], ToLower([surname]))")),
    ParseUnexpectedClose => spec("attrmap::parse::unexpected-close", E, "A ) closes nothing.",
        "There are more closing than opening parentheses.",
        Expr("ToLower([mail]))"), Expr("ToLower([mail])")),
    ParseUnterminatedString => spec("attrmap::parse::unterminated-string", E, "A string constant is never closed.",
        "String constants are enclosed in double quotes; a quotation mark inside a string is written \\\".",
        Expr("Join(\", [a], [b])"), Expr("Join(\",\", [a], [b])")),
    ParseUnclosedAttribute => spec("attrmap::parse::unclosed-attribute", E, "An attribute reference has no closing bracket.",
        "Attributes are written in square brackets: [department].",
        Expr("ToLower([mail)"), Expr("ToLower([mail])")),
    ParseTooLong => spec("attrmap::parse::too-long", E, "The expression is longer than Entra's 10 000 characters.",
        "Entra refuses expressions over 10 000 characters. Split the logic across several mappings or shorten repeated parts.",
        Described("Switch([department], … 600 pairs …)"), Described("a shorter Switch, or a lookup done upstream")),
    ParseTooDeep => spec("attrmap::parse::too-deep", E, "Calls are nested too deeply.",
        "attrmap bounds nesting (64 by default) so that hostile input cannot exhaust the stack. Real mappings rarely nest more than ten calls; flatten with Join, Coalesce or Switch.",
        Described("IIF(…, IIF(…, IIF(… 70 levels …)))"), Expr("Switch([x], \"default\", \"a\", \"1\", \"b\", \"2\")")),
    ParseEmpty => spec("attrmap::parse::empty", E, "The expression is empty.", "A mapping of type Expression needs an expression.", Expr(""), Expr("[mail]")),
    ParseNumberOutOfRange => spec("attrmap::parse::number-out-of-range", E, "A number does not fit in 64 bits.", "Numbers are 64-bit signed integers; quote a longer value to pass it as a string.", Expr("99999999999999999999"), Expr("\"99999999999999999999\"")),
    // ---- static checks ----------------------------------------------------------
    CheckUnknownFunction => spec("attrmap::check::unknown-function", E, "The function does not exist.",
        "Entra knows a fixed set of functions (`attrmap functions` lists them). The diagnostic suggests the closest name.",
        Expr("Jion(\",\", [a], [b])"), Expr("Join(\",\", [a], [b])")),
    CheckFunctionCase => spec("attrmap::check::function-case", W, "A function name is not spelled in its canonical case.",
        "Entra documents expressions as case-sensitive. attrmap resolves the name but warns, because the portal may reject it.",
        Expr("toLower([mail])"), Expr("ToLower([mail])")),
    CheckKeywordCase => spec("attrmap::check::keyword-case", W, "A keyword is not spelled in its canonical case.",
        "Keywords such as IgnoreAttributeFlow and vbTextCompare are case-sensitive in Entra.",
        Expr("InStr([a], \"x\", 1, vbtextcompare)"), Expr("InStr([a], \"x\", 1, vbTextCompare)")),
    CheckUnknownKeyword => spec("attrmap::check::unknown-keyword", E, "A bare name is neither a keyword nor a function call.",
        "Only IgnoreAttributeFlow, IgnoreObjectFlow, vbBinaryCompare and vbTextCompare may appear bare. Attributes need brackets and strings need quotes; Entra has no True/False literals.",
        Expr("IIF([a]=\"1\", True, \"x\")"), Expr("IIF([a]=\"1\", \"True\", \"x\")")),
    CheckArity => spec("attrmap::check::arity", E, "A function gets the wrong number of arguments.",
        "Each function has a fixed signature (see the function reference). Optional arguments may be left empty with consecutive commas.",
        Expr("Left([displayName])"), Expr("Left([displayName], 3)")),
    CheckSwitchPairs => spec("attrmap::check::switch-pairs", E, "Switch has a key without a value.",
        "Switch(source, defaultValue, key1, value1, key2, value2, …) always takes an even number of arguments.",
        Expr("Switch([a], \"d\", \"k1\")"), Expr("Switch([a], \"d\", \"k1\", \"v1\")")),
    CheckLiteralType => spec("attrmap::check::literal-type", E, "A constant argument has the wrong type.",
        "Numeric parameters need whole numbers, and enumerations (DateAdd intervals yyyy m d ww h n s, InStr compare types) need one of their values, spelled exactly.",
        Expr("DateAdd(\"days\", 7, CDate([hireDate]))"), Expr("DateAdd(\"d\", 7, CDate([hireDate]))")),
    CheckEmptyRequiredArgument => spec("attrmap::check::empty-required-argument", E, "A required argument is left empty.",
        "Only optional parameters may be left empty; a required one left empty is usually a misplaced comma.",
        Expr("Mid([a], , 3)"), Expr("Mid([a], 1, 3)")),
    CheckSelectUniqueNested => spec("attrmap::check::select-unique-nested", E, "SelectUniqueValue is not the outermost function.",
        "Entra requires SelectUniqueValue at the top level of the expression; nest the other functions inside each of its rules.",
        Expr("ToLower(SelectUniqueValue([a], [b]))"), Expr("SelectUniqueValue(ToLower([a]), ToLower([b]))")),
    CheckInvalidRegex => spec("attrmap::check::invalid-regex", E, "A constant regular expression does not compile.",
        "Replace's regexPattern must be a valid regular expression. In an expression string, \\\\ is one backslash.",
        Expr("Replace([mobile], , \"[()\\\\s-+\", , \"\", , )"), Expr("Replace([mobile], , \"[()\\\\s-]+\", , \"\", , )")),
    CheckUnsupportedRegexFeature => spec("attrmap::check::unsupported-regex-feature", E, "A regular expression uses a .NET feature attrmap does not run.",
        "attrmap reads patterns as .NET does and gives .NET's matches: plain patterns run on a linear-time engine, lookaround, backreferences, atomic groups and \\G on a backtracking engine with a step budget. Conditionals, balancing groups, case-insensitive backreferences, Unicode blocks (\\p{IsGreek}) and repeated capturing groups that can match nothing are refused rather than silently changed.",
        Expr("Replace([upn], , \"(?(@)@.*|$)\", , \"\", , )"), Expr("Replace([upn], , \"@.*\", , \"\", , )")),
    CheckInvalidDateFormat => spec("attrmap::check::invalid-date-format", E, "A FormatDateTime format or dateTimeStyles value is invalid, or cannot read its own output.",
        "Formats use .NET custom date and time format specifiers. An inputFormat that cannot parse a date it renders itself (for example adjacent variable-width fields) will fail on real data; that case is reported as a warning, an invalid format as an error.",
        Expr("FormatDateTime([d], , \"yyyy-MM-dd'\", \"yyyy\")"), Expr("FormatDateTime([d], , \"yyyy-MM-dd\", \"yyyy\")")),
    CheckReplaceMode => spec("attrmap::check::replace-mode", E, "Replace's written arguments select none of its modes.",
        "Replace picks its mode from the arguments that are written: oldValue with replacementValue or template; regexPattern with replacementValue (and optionally regexGroupName); or regexPattern, regexGroupName and replacementAttributeName.",
        Expr("Replace([mail], \"@contoso.com\", , , , , )"), Expr("Replace([mail], \"@contoso.com\", , , \"\", , )")),
    // ---- expression lint rules ---------------------------------------------------
    SwitchDuplicateKey => rules::switch_duplicate_key::SPEC,
    IifNullableCondition => rules::iif_nullable_condition::SPEC,
    SwitchSourcePredicate => rules::switch_source_predicate::SPEC,
    IndexNotPositive => rules::index_not_positive::SPEC,
    ConstantCondition => rules::constant_condition::SPEC,
    DeadArgument => rules::dead_argument::SPEC,
    JoinSeparatorAttribute => rules::join_separator_attribute::SPEC,
    // ---- mapping lint rules -------------------------------------------------------
    DuplicateTarget => rules::duplicate_target::SPEC,
    NoMatchingAttribute => rules::no_matching_attribute::SPEC,
    DuplicateMatchingPriority => rules::duplicate_matching_priority::SPEC,
    DefaultOnlyOnCreate => rules::default_only_on_create::SPEC,
    UnknownTargetAttribute => rules::unknown_target_attribute::SPEC,
    TargetType => rules::target_type::SPEC,
    UnknownSourceAttribute => rules::unknown_source_attribute::SPEC,
    SingleRoleMultiValuedTarget => rules::single_role_multi_valued_target::SPEC,
    SwitchNullOnUpdate => rules::switch_null_on_update::SPEC,
    SelectUniqueMatching => rules::select_unique_matching::SPEC,
    SelectUniqueNotCreateOnly => rules::select_unique_not_create_only::SPEC,
    UndocumentedFunction => rules::undocumented_function::SPEC,
    ActiveFromSoftDeleted => rules::active_from_soft_deleted::SPEC,
    ScopeUnsupportedAttribute => rules::scope_unsupported_attribute::SPEC,
    ProxyAddressesIntoEmails => rules::proxy_addresses_into_emails::SPEC,
    SingleRoleConstantType => rules::single_role_constant_type::SPEC,
    // ---- mapping files -------------------------------------------------------------
    MappingTooLarge => spec("attrmap::mapping::too-large", E, "The mapping file is larger than attrmap reads.",
        "Mapping files are read whole, so their size is bounded (16 MiB). A real synchronization schema is far smaller; a larger file is usually the wrong file.",
        Described("a 20 MiB export of several tenants"), Described("the one schema exported with Graph's synchronization/jobs/{id}/schema")),
    MappingJson => spec("attrmap::mapping::json", E, "The mapping file is not valid JSON.",
        "The position points at the first character the JSON reader could not accept: often a trailing comma or a missing quote.",
        Mapping { shown: "{\"objects\": [}", file: "{\"objects\": [}" }, Mapping { shown: "{\"objects\": []}", file: "{\"objects\": []}" }),
    MappingDuplicateMember => spec("attrmap::mapping::duplicate-member", E, "A member name appears twice in one JSON object of the mapping file.",
        "JSON readers disagree on which of two same-named members counts (most keep the last, attrmap used to keep the first), so a mapping that says two things at once is refused, with both positions; keep the one you mean.",
        Mapping { shown: "{\"objects\": [], \"objects\": []}", file: "{\"objects\": [], \"objects\": []}" }, Mapping { shown: "{\"objects\": []}", file: "{\"objects\": []}" }),
    MappingFormat => spec("attrmap::mapping::format", E, "The file is neither a Graph synchronization schema nor a native mapping.",
        "attrmap reads a Graph synchronization schema (with synchronizationRules, optionally under schema) or a native mapping file (with objects).",
        Mapping { shown: "{\"rules\": []}", file: "{\"rules\": []}" }, Mapping { shown: "{\"objects\": []}", file: "{\"objects\": []}" }),
    MappingEmpty => spec("attrmap::mapping::empty", E, "The file defines no usable User or Group object mapping.",
        "Nothing would be provisioned: every object mapping is missing, skipped or invalid.",
        Mapping { shown: "{\"objects\": []}", file: "{\"objects\": []}" },
        Mapping { shown: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"userPrincipalName\", \"match\": 1}]}]}", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"userPrincipalName\", \"match\": 1}]}]}" }),
    MappingUnknownProperty => spec("attrmap::mapping::unknown-property", W, "A native mapping file has a property attrmap does not know.",
        "Unknown properties are ignored, so a misspelt one (\"defualt\", \"aply\") silently loses its setting.",
        Mapping { shown: "{\"target\": \"userName\", \"attribute\": \"mail\", \"defualt\": \"x\"}", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"mail\", \"match\": 1, \"defualt\": \"x\"}]}]}" },
        Mapping { shown: "{\"target\": \"userName\", \"attribute\": \"mail\", \"default\": \"x\"}", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"mail\", \"match\": 1, \"default\": \"x\"}]}]}" }),
    MappingUnknownObject => spec("attrmap::mapping::unknown-object", E, "An object mapping is neither User nor Group.",
        "attrmap provisions SCIM Users and Groups. In a native file any other object is an error; in a Graph schema, object mappings for other objects are skipped with a warning.",
        Mapping { shown: "{\"object\": \"Device\", …}", file: "{\"objects\": [{\"object\": \"Device\", \"mappings\": []}]}" },
        Mapping { shown: "{\"object\": \"User\", …}", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"mail\", \"match\": 1}]}]}" }),
    MappingPlaceholderObject => spec("attrmap::mapping::placeholder-object", W, "A Graph object mapping has an empty sourceObjectName and is skipped.",
        "Exported schemas sometimes hold placeholder object mappings without a source object; they provision nothing.",
        Described("an objectMapping with \"sourceObjectName\": \"\""), Described("an objectMapping with \"sourceObjectName\": \"User\"")),
    MappingNoObject => spec("attrmap::mapping::no-object", E, "The mapping has no object mapping for the records' object type.",
        "`attrmap map --object Group` needs a Group object mapping (and User needs a User one).",
        Described("attrmap map --object Group with a Users-only mapping"), Described("attrmap map --object User with that mapping")),
    MappingNoTarget => spec("attrmap::mapping::no-target", E, "An attribute mapping has no target attribute.",
        "Each attribute mapping writes one SCIM attribute path, such as userName or emails[type eq \"work\"].value. In a Graph schema a mapping without targetAttributeName is skipped with a warning.",
        Mapping { shown: "{\"attribute\": \"mail\"}", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"upn\", \"match\": 1}, {\"attribute\": \"mail\"}]}]}" },
        Mapping { shown: "{\"target\": \"emails[type eq \\\"work\\\"].value\", \"attribute\": \"mail\"}", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"upn\", \"match\": 1}, {\"target\": \"emails[type eq \\\"work\\\"].value\", \"attribute\": \"mail\"}]}]}" }),
    MappingSeveralSources => spec("attrmap::mapping::several-sources", E, "An attribute mapping has more than one source.",
        "A mapping takes exactly one of attribute, constant or expression; which one wins would be a guess.",
        Mapping { shown: "{\"target\": \"userName\", \"attribute\": \"mail\", \"constant\": \"x\"}", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"mail\", \"constant\": \"x\", \"match\": 1}]}]}" },
        Mapping { shown: "{\"target\": \"userName\", \"attribute\": \"mail\"}", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"mail\", \"match\": 1}]}]}" }),
    MappingBadSource => spec("attrmap::mapping::bad-source", E, "An attribute mapping's source is malformed.",
        "In a native file attribute and expression are strings; in a Graph schema the source tree must be a well-formed Attribute, Constant or Function node.",
        Mapping { shown: "{\"target\": \"userName\", \"attribute\": 7}", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": 7, \"match\": 1}]}]}" },
        Mapping { shown: "{\"target\": \"userName\", \"attribute\": \"mail\"}", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"mail\", \"match\": 1}]}]}" }),
    MappingEmptySource => spec("attrmap::mapping::empty-source", W, "A Graph Attribute source has no name.",
        "An Attribute source node without a name reads nothing, so the target receives no value.",
        Described("\"source\": {\"type\": \"Attribute\", \"name\": \"\"}"), Described("\"source\": {\"type\": \"Attribute\", \"name\": \"mail\"}")),
    MappingBareAttributeMappings => spec("attrmap::mapping::bare-attribute-mappings", A, "A bare attributeMappings list is read as User or Group mappings.",
        "A Graph attributeMappings array copied out of a schema names no object type. attrmap reads it as Group mappings when one of them targets members, and as User mappings otherwise, and says which. Paste the whole objectMapping (with sourceObjectName and targetObjectName) to make it explicit.",
        Mapping { shown: "[{\"targetAttributeName\": \"userName\", …}]", file: "[{\"targetAttributeName\": \"userName\", \"matchingPriority\": 1, \"source\": {\"type\": \"Attribute\", \"name\": \"userPrincipalName\"}}]" },
        Mapping { shown: "{\"sourceObjectName\": \"User\", \"targetObjectName\": \"urn:ietf:params:scim:schemas:core:2.0:User\", \"attributeMappings\": […]}", file: "{\"sourceObjectName\": \"User\", \"targetObjectName\": \"urn:ietf:params:scim:schemas:core:2.0:User\", \"attributeMappings\": [{\"targetAttributeName\": \"userName\", \"matchingPriority\": 1, \"source\": {\"type\": \"Attribute\", \"name\": \"userPrincipalName\"}}]}" }),
    MappingBadApply => spec("attrmap::mapping::bad-apply", E, "A native mapping's \"apply\" is not a flow type.",
        "\"apply\" says when the mapping is applied: \"always\" or \"create\" (only when the object is created), or a Graph flowType such as MultiValueAddOnly.",
        Mapping { shown: "\"apply\": \"sometimes\"", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"mail\", \"match\": 1, \"apply\": \"sometimes\"}]}]}" },
        Mapping { shown: "\"apply\": \"create\"", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"mail\", \"match\": 1, \"apply\": \"create\"}]}]}" }),
    MappingBadMatch => spec("attrmap::mapping::bad-match", E, "A native mapping's \"match\" is not a positive whole number.",
        "\"match\" is the matching precedence: 1 is tried first, then 2, and so on.",
        Mapping { shown: "\"match\": \"first\"", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"mail\", \"match\": \"first\"}]}]}" },
        Mapping { shown: "\"match\": 1", file: "{\"objects\": [{\"object\": \"User\", \"mappings\": [{\"target\": \"userName\", \"attribute\": \"mail\", \"match\": 1}]}]}" }),
    MappingUnknownFlowType => spec("attrmap::mapping::unknown-flow-type", W, "A Graph attribute mapping has an unknown flowType.",
        "The flow types are Always, ObjectAddOnly, MultiValueAddOnly, ValueAddOnly and AttributeAddOnly; an unknown one is read as Always.",
        Described("\"flowType\": \"OnCreate\""), Described("\"flowType\": \"ObjectAddOnly\"")),
    MappingTreeDisagrees => spec("attrmap::mapping::tree-disagrees", W, "A Graph Function source's expression and parameter tree say different things.",
        "Graph stores a Function source twice: as the expression text and as a tree of parameters. attrmap uses the expression and reports the tree's reading, because the portal shows one and the service may run the other.",
        Described("expression ToLower([mail]) with a tree that reads ToUpper([mail])"), Described("expression and tree generated together by the portal")),
    MappingTargetPath => spec("attrmap::mapping::target-path", E, "A target attribute is not a valid SCIM attribute path.",
        "Targets are SCIM paths: an attribute, a sub-attribute (name.givenName), a value filter (emails[type eq \"work\"].value) or an extension URN prefix.",
        Described("emails[type eq work].value"), Described("emails[type eq \"work\"].value")),
    MappingScopeAttribute => spec("attrmap::mapping::scope-attribute", E, "A scoping clause names no source attribute.",
        "Each scoping filter clause tests one source attribute.",
        Described("{\"operator\": \"EQUALS\", \"value\": \"Sales\"}"), Described("{\"attribute\": \"department\", \"operator\": \"EQUALS\", \"value\": \"Sales\"}")),
    MappingScopeOperator => spec("attrmap::mapping::scope-operator", E, "A scoping clause uses an unknown operator.",
        "The scoping operators are Entra's: EQUALS, NOT EQUALS, IS TRUE, IS FALSE, IS NULL, IS NOT NULL, REGEX MATCH, NOT REGEX MATCH, Greater_Than, Less_Than and the others of the reference.",
        Described("\"operator\": \"LIKE\""), Described("\"operator\": \"REGEX MATCH\"")),
    MappingScopeValue => spec("attrmap::mapping::scope-value", E, "A scoping clause's operator needs a value and has none.",
        "Comparison and regular-expression operators compare against a value; only IS TRUE, IS FALSE, IS NULL and IS NOT NULL take none.",
        Described("{\"attribute\": \"department\", \"operator\": \"EQUALS\"}"), Described("{\"attribute\": \"department\", \"operator\": \"EQUALS\", \"value\": \"Sales\"}")),
    MappingScopeRegex => spec("attrmap::mapping::scope-regex", E, "A scoping clause's regular expression does not compile.",
        "REGEX MATCH and NOT REGEX MATCH need a valid pattern; an invalid one would scope nobody in or everybody out.",
        Described("\"operator\": \"REGEX MATCH\", \"value\": \"(Sales\""), Described("\"operator\": \"REGEX MATCH\", \"value\": \"(Sales|Marketing)\"")),
    ConvertScopeLists => spec("attrmap::convert::scope-lists", W, "Only the first scoping filter list has a native form.",
        "Entra ORs several scoping filter lists together; the native format holds one list (clauses ANDed), so `attrmap convert` keeps the first and says so.",
        Described("a Graph object mapping with two scoping filter groups"), Described("one scoping filter group")),
    ConvertLintSection => spec("attrmap::convert::lint-section", W, "A Graph file's attrmap.lint metadata is not a JSON object.",
        "`attrmap convert` keeps a native file's lint section in the Graph rule's metadata (key attrmap.lint) and writes it back when converting to native; an edited value that is not a JSON object is left out, and said so.",
        Described("{\"key\": \"attrmap.lint\", \"value\": \"allow all\"}"), Described("{\"key\": \"attrmap.lint\", \"value\": \"{\\\"allow\\\": [\\\"switch-null-on-update\\\"]}\"}")),
    // ---- evaluation -------------------------------------------------------------------
    EvalNotANumber => spec("attrmap::eval::not-a-number", E, "A numeric argument's value is not a whole number.",
        "Parameters such as Left's numChars take whole numbers. A constant is checked before the run; a value read from an attribute is checked when it arrives.",
        Eval { expression: "Left([givenName], [length])", user: "{\"givenName\": \"Ada\", \"length\": \"two\"}" },
        Eval { expression: "Left([givenName], [length])", user: "{\"givenName\": \"Ada\", \"length\": \"2\"}" }),
    EvalNotImplemented => spec("attrmap::eval::not-implemented", E, "The function is in the catalogue but attrmap does not evaluate it.",
        "The checker knows the function, so it is accepted, but evaluating it would be a guess; attrmap refuses rather than return a wrong value.",
        Described("a catalogued function without an implementation"), Described("any implemented function")),
    EvalOutputTooLarge => spec("attrmap::eval::output-too-large", E, "A result exceeds the output size limit.",
        "Values are bounded (RuntimeLimits) so that hostile input cannot exhaust memory, for example by repeated Join or Append on a large multi-valued attribute.",
        Described("Join over a multi-valued attribute of a million values"), Described("the same Join over a realistic list")),
    EvalStepBudget => spec("attrmap::eval::step-budget", E, "Evaluation took more steps than the budget.",
        "Each evaluation has a step budget so that one record cannot stall a run.",
        Described("a huge expression over a huge multi-valued attribute"), Described("the same expression over a realistic record")),
    EvalUnknownKeyword => spec("attrmap::eval::unknown-keyword", E, "An unchecked expression contains an unknown keyword.",
        "The checker refuses unknown keywords; this runtime error only appears when an unchecked tree is evaluated directly.",
        Described("an unchecked tree holding the bare name True"), Described("the tree after `check`")),
    EvalIifNullCondition => spec("attrmap::eval::iif-null-condition", E, "An IIF condition read a null or empty attribute.",
        "Entra documents that IIF's condition check fails when an attribute it reads is null or empty. attrmap reproduces the failure so that the record is seen to fail as it would in Entra.",
        Eval { expression: "IIF([country]=\"US\", \"a\", \"b\")", user: "{}" },
        Eval { expression: "IIF([country]=\"US\", \"a\", \"b\")", user: "{\"country\": \"FR\"}" }),
    EvalEscrowed => spec("attrmap::eval::escrowed", E, "Every SelectUniqueValue candidate is already taken.",
        "When no candidate value is free, Entra escrows the object: it is not provisioned until the conflict is resolved.",
        Described("SelectUniqueValue([mail], [userPrincipalName]) when both values exist in the target"), Described("a last rule that appends a random number")),
    EvalInvalidRegex => spec("attrmap::eval::invalid-regex", E, "A regular expression read at run time does not compile.",
        "Replace's regexPattern may come from an attribute; a pattern that does not compile fails the record.",
        Eval { expression: "Replace([mobile], , [pattern], , \"\", , )", user: "{\"mobile\": \"(555) 0100\", \"pattern\": \"[()\"}" },
        Eval { expression: "Replace([mobile], , [pattern], , \"\", , )", user: "{\"mobile\": \"(555) 0100\", \"pattern\": \"[()]\"}" }),
    EvalUnsupportedRegexFeature => spec("attrmap::eval::unsupported-regex-feature", E, "A regular expression read at run time uses a .NET feature attrmap does not run.",
        "Conditionals, balancing groups and the other few .NET constructs attrmap does not run are refused by name rather than given another meaning.",
        Eval { expression: "Replace([upn], , [pattern], , \"\", , )", user: "{\"upn\": \"a@b\", \"pattern\": \"(?(@)@.*|$)\"}" },
        Eval { expression: "Replace([upn], , [pattern], , \"\", , )", user: "{\"upn\": \"a@b\", \"pattern\": \"(?<=@).*\"}" }),
    EvalRegexLimit => spec("attrmap::eval::regex-limit", E, "A regular expression search went past a bound.",
        "A backtracking search may take 1 000 000 steps, and pattern size times value length may not pass 5 × 10⁷, so that one record cannot stall a run (nested quantifiers backtrack exponentially).",
        Eval { expression: "Replace([v], , \"^((a)+\\\\2?)+b\", , \"\", , )", user: "{\"v\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}" },
        Eval { expression: "Replace([v], , \"^((a)+\\\\2?)+b\", , \"\", , )", user: "{\"v\": \"aaab\"}" }),
    EvalInvalidSubstitution => spec("attrmap::eval::invalid-substitution", E, "Replace's replacementValue names a group number .NET cannot read.",
        "A group number in $n or ${n} must fit in a 32-bit integer; .NET throws on a longer one, and so does attrmap.",
        Eval { expression: "Replace([v], , \"(a)\", , \"$99999999999\", , )", user: "{\"v\": \"a\"}" },
        Eval { expression: "Replace([v], , \"(a)\", , \"$1\", , )", user: "{\"v\": \"a\"}" }),
    EvalReplaceMode => spec("attrmap::eval::replace-mode", E, "Replace's arguments select none of its modes at run time.",
        "The checker catches a constant mix of arguments; this error is for the same problem in an unchecked tree.",
        Described("an unchecked Replace with only oldValue"), Described("the call after `check`")),
    EvalInvalidCulture => spec("attrmap::eval::invalid-culture", E, "A culture argument is not a culture name.",
        "ToLower and ToUpper take an RFC 4646 culture name such as en-US or tr-TR.",
        Eval { expression: "ToUpper([givenName], [culture])", user: "{\"givenName\": \"ada\", \"culture\": \"not a culture\"}" },
        Eval { expression: "ToUpper([givenName], [culture])", user: "{\"givenName\": \"ada\", \"culture\": \"tr-TR\"}" }),
    EvalInvalidStart => spec("attrmap::eval::invalid-start", E, "InStr's start position is below 1.",
        "InStr counts positions from 1; a start read from an attribute that is 0 or negative fails.",
        Eval { expression: "InStr([mail], \"@\", [start])", user: "{\"mail\": \"a@b\", \"start\": \"0\"}" },
        Eval { expression: "InStr([mail], \"@\", [start])", user: "{\"mail\": \"a@b\", \"start\": \"1\"}" }),
    EvalRandomStringConstraints => spec("attrmap::eval::random-string-constraints", E, "RandomString's length and minimums cannot be met.",
        "The length must be between 1 and 256, the minimums must not be negative and together must fit in the length.",
        Expr("RandomString(4, 2, 2, 2, 2)"), Expr("RandomString(8, 2, 2, 2, 2)")),
    EvalSeveralAppRoles => spec("attrmap::eval::several-app-roles", W, "SingleAppRoleAssignment met a user with several app roles.",
        "SingleAppRoleAssignment sends one role; with several, which one Entra picks is not documented. attrmap uses the first and warns.",
        Described("SingleAppRoleAssignment([appRoleAssignments]) for a user with two roles"), Described("AppRoleAssignmentsComplex([appRoleAssignments])")),
    EvalInvalidDate => spec("attrmap::eval::invalid-date", E, "A value is not a date and time the function understands.",
        "CDate reads ISO 8601 and the US general date format; FormatDateTime reads its inputFormat.",
        Eval { expression: "CDate([hireDate])", user: "{\"hireDate\": \"yesterday\"}" },
        Eval { expression: "CDate([hireDate])", user: "{\"hireDate\": \"2021-06-30T08:00:00Z\"}" }),
    EvalInvalidInterval => spec("attrmap::eval::invalid-interval", E, "A DateAdd interval read at run time is not an interval.",
        "The intervals are yyyy, m, d, ww, h, n and s.",
        Eval { expression: "DateAdd([unit], 1, CDate(\"2021-06-30T08:00:00Z\"))", user: "{\"unit\": \"days\"}" },
        Eval { expression: "DateAdd([unit], 1, CDate(\"2021-06-30T08:00:00Z\"))", user: "{\"unit\": \"d\"}" }),
    EvalInvalidDateFormat => spec("attrmap::eval::invalid-date-format", E, "A date format read at run time is invalid.",
        "FormatDateTime's formats may come from attributes; they use .NET custom date and time format specifiers.",
        Eval { expression: "FormatDateTime([d], , [format], \"yyyy\")", user: "{\"d\": \"2021\", \"format\": \"yyyy'\"}" },
        Eval { expression: "FormatDateTime([d], , [format], \"yyyy\")", user: "{\"d\": \"2021\", \"format\": \"yyyy\"}" }),
    EvalDateOutOfRange => spec("attrmap::eval::date-out-of-range", E, "A date falls outside the years 1 to 9999.",
        ".NET DateTime covers the years 1 to 9999; DateAdd and DateFromNum fail beyond them, as Entra does.",
        Expr("DateAdd(\"yyyy\", 9000, CDate(\"2021-06-30T08:00:00Z\"))"), Expr("DateAdd(\"yyyy\", 1, CDate(\"2021-06-30T08:00:00Z\"))")),
    EvalInvalidBase64 => spec("attrmap::eval::invalid-base64", E, "ConvertFromBase64 or StringFromSID met a value that is not base64.",
        "The value must be base64 as .NET's Convert.FromBase64String reads it: the standard alphabet (A-Z a-z 0-9 + /) in whole groups of four, padded with = at the end; spaces and line breaks are skipped. URL-safe base64 (- and _) is not accepted.",
        Eval { expression: "ConvertFromBase64([blob], \"UTF8\")", user: "{\"blob\": \"SGVsbG8gd29ybGQh!\"}" },
        Eval { expression: "ConvertFromBase64([blob], \"UTF8\")", user: "{\"blob\": \"SGVsbG8gd29ybGQh\"}" }),
    EvalInvalidEncoding => spec("attrmap::eval::invalid-encoding", E, "ConvertFromBase64's encoding read at run time is not one it knows.",
        "The Cloud Sync reference names three encodings: Unicode (UTF-16LE, the default), ASCII and UTF8, spelt exactly so.",
        Eval { expression: "ConvertFromBase64(\"SGk=\", [encoding])", user: "{\"encoding\": \"utf-8\"}" },
        Eval { expression: "ConvertFromBase64(\"SGk=\", [encoding])", user: "{\"encoding\": \"UTF8\"}" }),
    EvalInvalidDn => spec("attrmap::eval::invalid-dn", E, "DNComponent met a value that is not a distinguished name.",
        "A distinguished name is a comma-separated list of type=value components (CN=Joe,OU=Sales,DC=contoso,DC=com); a comma or other special character inside a value is escaped with a backslash (CN=Doe\\, John).",
        Eval { expression: "DNComponent(CRef([dn]), 1)", user: "{\"dn\": \"Joe Doe\"}" },
        Eval { expression: "DNComponent(CRef([dn]), 1)", user: "{\"dn\": \"CN=Joe Doe,OU=Sales,DC=contoso,DC=com\"}" }),
    EvalInvalidSid => spec("attrmap::eval::invalid-sid", E, "StringFromSID met a value that is not a binary security identifier.",
        "StringFromSID reads the SID's bytes (AD's objectSid), given in base64 in JSON input: revision 1, a sub-authority count of at most 15, the identifier authority and the sub-authorities. A value that is already a string such as S-1-5-21-… needs no conversion.",
        Eval { expression: "StringFromSID([objectSid])", user: "{\"objectSid\": \"S-1-5-18\"}" },
        Eval { expression: "StringFromSID([objectSid])", user: "{\"objectSid\": \"AQEAAAAAAAUSAAAA\"}" }),
    EvalCustomError => spec("attrmap::eval::custom-error", E, "The expression called Error: the object fails with its message.",
        "Error(message) stops the object with the mapping author's message, as the Cloud Sync reference documents; put it in the branch of an IIF or Switch that should never be taken for valid data.",
        Eval { expression: "IIF(IsPresent([accountName]), [accountName], Error(\"AccountName is required\"))", user: "{}" },
        Eval { expression: "IIF(IsPresent([accountName]), [accountName], Error(\"AccountName is required\"))", user: "{\"accountName\": \"jdoe\"}" }),
    EvalNoDefaultDomain => spec("attrmap::eval::no-default-domain", E, "DefaultDomain() was called but the run was given no default domain.",
        "DefaultDomain() returns the tenant's default verified domain (such as contoso.onmicrosoft.com), which only Entra knows. attrmap never guesses it or returns an empty value: give it with `--default-domain DOMAIN` on eval and map, `defaultDomain` in the options object of the library's JSON API and the playground, or `Context::with_default_domain` in Rust.",
        Expr("Join(\"@\", \"jdoe\", DefaultDomain())"),
        Described("attrmap eval 'Join(\"@\", \"jdoe\", DefaultDomain())' --default-domain contoso.com")),
    EvalItemOutOfRange => spec("attrmap::eval::item-out-of-range", E, "Item's index is past the end of the list, or below 1.",
        "The Cloud Sync reference says Item throws an error when the index is out of bounds, and the app provisioning reference says index 0 must not be used; the object fails rather than flow nothing in silence. Count the values first, or guard with IIF(Count([attribute]) >= n, …).",
        Eval { expression: "Item([proxyAddresses], 3)", user: "{\"proxyAddresses\": [\"SMTP:a@contoso.com\", \"smtp:a@fabrikam.com\"]}" },
        Eval { expression: "Item([proxyAddresses], 2)", user: "{\"proxyAddresses\": [\"SMTP:a@contoso.com\", \"smtp:a@fabrikam.com\"]}" }),
    // ---- `attrmap map` and inputs ------------------------------------------------------
    MapConvert => spec("attrmap::map::convert", E, "A mapped value cannot be converted to the target attribute's SCIM type.",
        "The record is not sent with a value of the wrong type: a SCIM boolean needs True or False, an integer a whole number.",
        Described("active ← [accountEnabled] for a user whose accountEnabled is \"maybe\""), Described("active ← [accountEnabled] with \"True\"")),
    MapNoMatchingValue => spec("attrmap::map::no-matching-value", E, "The matching attribute is null or empty for this record.",
        "Entra finds the object in the target by the mapping with matching precedence 1. Without a value it can neither match the object nor create it, and the provisioning logs show an error; attrmap writes an error line instead of a resource.",
        Described("userName ← [mail] (match 1) for a user without mail"), Described("the same mapping for a user with mail")),
    MapMissingRequired => spec("attrmap::map::missing-required", E, "A created resource lacks an attribute its schema requires.",
        "RFC 7643 requires userName on a User and displayName on a Group; a SCIM server rejects a POST without it. When a Graph schema's target directory declares an attribute required (attributeDefinition required, as Salesforce's Email), a mapping to it that gives no value is the same error. Checked on create only: an update sends just what changed.",
        Described("a User mapping whose userName ← [userPrincipalName] meets a user without one"), Described("a user with userPrincipalName")),
    MapDocumentTooLarge => spec("attrmap::map::document-too-large", E, "A JSON document is longer than --max-document-bytes.",
        "A pretty-printed Graph page or JSON array is read whole, so it is bounded; JSON Lines (one object per line) streams in flat memory instead.",
        Described("a 300 MiB az ad user list array with the default limit"), Described("the same users as JSON Lines")),
    MapTruncatedExport => spec("attrmap::map::truncated-export", E, "A value in the export is a .NET type name, not the value.",
        "ConvertTo-Json writes objects deeper than its -Depth (2 by default) as their type name, so the manager's id or an extension attribute is lost. The record is reported rather than mapped without it.",
        Described("Get-MgUser -ExpandProperty manager | ConvertTo-Json"), Described("Get-MgUser -ExpandProperty manager | ConvertTo-Json -Depth 10")),
    MapCsv => spec("attrmap::map::csv", E, "A CSV row cannot be read.",
        "Each row needs as many cells as the header has columns, in UTF-8. The row is reported and the run goes on.",
        Described("a row with three cells under a two-column header"), Described("a row with two cells")),
    MapUniqueValuesLimit => spec("attrmap::map::unique-values-limit", E, "SelectUniqueValue's memory of the values a batch handed out is full.",
        "Within one run, every value SelectUniqueValue hands out is remembered so no later record gets it again; that memory is bounded (256 MiB by default). The record that would pass the bound is an error line rather than a value that could be handed out twice. Split the input and pass the values already handed out to the next run with --existing.",
        Described("a run whose records each get a 1 MB unique value, past the 256th"), Described("the same records in smaller runs, chained with --existing")),
    MapMalformedJson => spec("attrmap::map::malformed-json", E, "A line of the records file is not valid JSON.",
        "`attrmap map` reads JSON Lines: one JSON object per line. The line is reported and the run goes on.",
        Described("{\"mail\": \"a@b\""), Described("{\"mail\": \"a@b\"}")),
    MapNotAnObject => spec("attrmap::map::not-an-object", E, "A line of the records file is JSON but not an object.",
        "Each line is one user or group: an object of source attribute names to values.",
        Described("[\"a@b\"]"), Described("{\"mail\": \"a@b\"}")),
    MapRecordTooLarge => spec("attrmap::map::record-too-large", E, "A record is longer than --max-record-bytes.",
        "Records are bounded so that one runaway line cannot exhaust memory; raise the limit if the data is genuinely that large.",
        Described("a 2 MiB line with the default limit"), Described("the same line with --max-record-bytes 4194304")),
    RequestsManagerAsText => spec("attrmap::requests::manager-as-text", W, "Entra sends the manager as a bare id; strict SCIM servers refuse it.",
        "`attrmap map --emit requests` writes the manager PATCH as Entra sends it, with the target id as a plain string (SCIM-SDK issue 686 and SCIMple issue 1242 show such requests). RFC 7643 makes the enterprise manager complex, {\"value\": id}, so servers that validate the extension strictly (scim2-server does) refuse the operation. It goes in a PATCH of its own so the user's other changes are not refused with it.",
        Described("{\"op\": \"Add\", \"path\": \"urn:…:enterprise:2.0:User:manager\", \"value\": \"7f3a…\"}"),
        Described("{\"op\": \"Add\", \"path\": \"urn:…:enterprise:2.0:User:manager\", \"value\": {\"value\": \"7f3a…\"}}")),
    RequestsRemoveWithValue => spec("attrmap::requests::remove-with-value", W, "Entra's default PATCH dialect removes members with a value list; strict SCIM servers refuse it.",
        "Without the aadOptscim062020 flag Entra removes group members with {\"op\": \"Remove\", \"path\": \"members\", \"value\": [{\"value\": id}]} (SCIM compatibility page). RFC 7644 selects what to remove with a filter in the path; strict servers (scim2-server does) refuse the value form. --patch-dialect aadOptscim062020 writes the compliant form.",
        Described("{\"op\": \"Remove\", \"path\": \"members\", \"value\": [{\"value\": \"u2\"}]}"),
        Described("{\"op\": \"remove\", \"path\": \"members[value eq \\\"u2\\\"]\"}")),
    InputInvalidJson => spec("attrmap::input::invalid-json", E, "An input user is not valid JSON or not an object.",
        "`attrmap eval` and the playground take a user as a JSON object of source attribute names to values.",
        Described("--input 'mail=a@b'"), Described("--input '{\"mail\": \"a@b\"}'")),
    InputUnreadable => spec("attrmap::input::unreadable", E, "A file named on the command line cannot be read, or an option's value is malformed.",
        "The message names the file or option and why (no such file, not UTF-8, not an RFC 3339 date-time). `attrmap eval --format json` reports it as its one JSON object, with exit status 2.",
        Described("attrmap eval '[mail]' --input missing.json"), Described("attrmap eval '[mail]' --input user.json")),
    // ---- an expression over loaded users (the playground) ------------------------------
    UsersAttributeAbsent => spec("attrmap::users::attribute-absent", W, "The expression reads an attribute that none of the loaded users has.",
        "An attribute no source object has reads as null, so every user silently gets the null branch or the default. With real users loaded, a name none of them has is almost always a typo (names are compared without regard to case, as Entra looks them up); the finding suggests the closest attribute they do have. An export may also simply leave the attribute out: add it to the export.",
        Described("[departmnet] with users that have department"), Described("[department]")),
    UsersSharedValue => spec("attrmap::users::shared-value", W, "Several loaded users get the same value where each needs its own.",
        "SelectUniqueValue keeps a value unique across the loaded users, as `attrmap map` does across a batch: a user whose candidates are all taken fails, as Entra reports it. A value shared by several users (compared without regard to case, as Entra compares userPrincipalName and mail) means a matching or unique target attribute would collide in the target app.",
        Described("SelectUniqueValue([mailNickname]) where 100 users share 10 nicknames"), Described("SelectUniqueValue(Join(\"@\", [mailNickname], \"contoso.com\"), Join(\"@\", [objectId], \"contoso.com\"))")),
    // ---- the wasm API -----------------------------------------------------------------
    WasmInvalidArgument => spec("attrmap::wasm::invalid-argument", E, "A JavaScript argument has the wrong type.",
        "The wasm functions take strings or plain JSON-compatible values; the message names the argument and what it must be.",
        Described("map(mapping, 42)"), Described("map(mapping, [{mail: \"a@b\"}])")),
    WasmInvalidOption => spec("attrmap::wasm::invalid-option", E, "A wasm options object has an unknown or malformed option.",
        "The options are those documented in the playground's API; a misspelt one is refused rather than ignored.",
        Described("{nwo: \"2024-01-01T00:00:00Z\"}"), Described("{now: \"2024-01-01T00:00:00Z\"}")),
}

impl Spec {
    /// What `attrmap lint --explain` prints for this code, and what the
    /// playground shows when an error code is opened: one text, one place.
    pub fn explain_text(&self) -> String {
        format!(
            "{} ({})\n\n{}\n\n{}\n\nBad:  {}\nGood: {}",
            self.code,
            self.severity.as_str(),
            self.summary,
            self.explanation,
            self.bad.shown(),
            self.good.shown()
        )
    }
}

impl Code {
    /// This code's row.
    pub fn spec(self) -> &'static Spec {
        &SPECS[self as usize]
    }
    /// The stable string, such as `attrmap::check::arity`.
    pub fn as_str(self) -> &'static str {
        self.spec().code
    }
    pub fn severity(self) -> Severity {
        self.spec().severity
    }
    /// The last segment: `switch-duplicate-key` for
    /// `attrmap::lint::switch-duplicate-key`.
    pub fn short_name(self) -> &'static str {
        let s = self.as_str();
        s.rsplit("::").next().unwrap_or(s)
    }
    /// Looks a code up by its full string or, if that is unambiguous, its last
    /// segment.
    pub fn find(name: &str) -> Option<Code> {
        if let Some(c) = Code::ALL.iter().find(|c| c.as_str() == name) {
            return Some(*c);
        }
        // Several areas share a last segment (`invalid-regex`); the registry
        // lists the codes `attrmap lint` reports first, so they win, as
        // `--explain` has always resolved them.
        Code::ALL.iter().find(|c| c.short_name() == name).copied()
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.as_str()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The registry as Markdown, for docs/lint-rules.md.
pub fn markdown() -> String {
    let mut out = String::new();
    for code in Code::ALL {
        let r = code.spec();
        out.push_str(&format!(
            "### `{}`\n\n*{}* — {}\n\n{}\n\n- Bad: `{}`\n- Good: `{}`\n\n",
            r.code,
            r.severity.as_str(),
            r.summary,
            r.explanation,
            r.bad.shown(),
            r.good.shown()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_unique_and_round_trip() {
        for c in Code::ALL {
            assert_eq!(Code::find(c.as_str()), Some(*c), "{c}");
            assert!(c.as_str().starts_with("attrmap::"), "{c}");
            assert_eq!(
                Code::ALL
                    .iter()
                    .filter(|d| d.as_str() == c.as_str())
                    .count(),
                1,
                "{c} appears twice"
            );
        }
    }
}
