//! The rule table: every code `attrmap lint` can report, with its default
//! severity, an explanation and a bad/good example. It feeds
//! `attrmap lint --explain`, SARIF rule metadata and docs/lint-rules.md.

use crate::diagnostic::Severity;

pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub explanation: &'static str,
    pub bad: &'static str,
    pub good: &'static str,
}

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

macro_rules! rule {
    ($code:expr, $sev:expr, $summary:expr, $explanation:expr, $bad:expr, $good:expr) => {
        Rule {
            code: $code,
            severity: $sev,
            summary: $summary,
            explanation: $explanation,
            bad: $bad,
            good: $good,
        }
    };
}

pub static RULES: &[Rule] = &[
    // ---- syntax -----------------------------------------------------------
    rule!("attrmap::parse::syntax", E, "The expression does not parse.",
        "Entra expressions are function calls, [attributes], \"strings\", whole numbers and a single comparison. Anything else (single quotes, + or & operators, a missing comma) is rejected by Entra when the mapping is saved.",
        "Join(\",\" [givenName], [surname])", "Join(\",\", [givenName], [surname])"),
    rule!("attrmap::parse::unclosed-call", E, "A function call is missing its closing parenthesis.",
        "Every ( needs a matching ). The diagnostic points at the call that is never closed, which is usually where the ) was forgotten.",
        "Join(\",\", [givenName], ToLower([surname])", "Join(\",\", [givenName], ToLower([surname]))"),
    rule!("attrmap::parse::unexpected-close", E, "A ) closes nothing.",
        "There are more closing than opening parentheses.",
        "ToLower([mail]))", "ToLower([mail])"),
    rule!("attrmap::parse::unterminated-string", E, "A string constant is never closed.",
        "String constants are enclosed in double quotes; a quotation mark inside a string is written \\\".",
        "Join(\", [a], [b])", "Join(\",\", [a], [b])"),
    rule!("attrmap::parse::unclosed-attribute", E, "An attribute reference has no closing bracket.",
        "Attributes are written in square brackets: [department].",
        "ToLower([mail)", "ToLower([mail])"),
    rule!("attrmap::parse::too-long", E, "The expression is longer than Entra's 10 000 characters.",
        "Entra refuses expressions over 10 000 characters. Split the logic across several mappings or shorten repeated parts.",
        "Switch([department], … 600 pairs …)", "a shorter Switch, or a lookup done upstream"),
    rule!("attrmap::parse::too-deep", E, "Calls are nested too deeply.",
        "attrmap bounds nesting (64 by default) so that hostile input cannot exhaust the stack. Real mappings rarely nest more than ten calls; flatten with Join, Coalesce or Switch.",
        "IIF(…, IIF(…, IIF(… 70 levels …)))", "Switch([x], \"default\", \"a\", \"1\", \"b\", \"2\")"),
    rule!("attrmap::parse::empty", E, "The expression is empty.", "A mapping of type Expression needs an expression.", "", "[mail]"),
    rule!("attrmap::parse::number-out-of-range", E, "A number does not fit in 64 bits.", "Numbers are 64-bit signed integers; quote a longer value to pass it as a string.", "99999999999999999999", "\"99999999999999999999\""),
    // ---- static checks ------------------------------------------------------
    rule!("attrmap::check::unknown-function", E, "The function does not exist.",
        "Entra knows a fixed set of functions (`attrmap functions` lists them). The diagnostic suggests the closest name.",
        "Jion(\",\", [a], [b])", "Join(\",\", [a], [b])"),
    rule!("attrmap::check::function-case", W, "A function name is not spelled in its canonical case.",
        "Entra documents expressions as case-sensitive. attrmap resolves the name but warns, because the portal may reject it.",
        "toLower([mail])", "ToLower([mail])"),
    rule!("attrmap::check::keyword-case", W, "A keyword is not spelled in its canonical case.",
        "Keywords such as IgnoreAttributeFlow and vbTextCompare are case-sensitive in Entra.",
        "InStr([a], \"x\", 1, vbtextcompare)", "InStr([a], \"x\", 1, vbTextCompare)"),
    rule!("attrmap::check::unknown-keyword", E, "A bare name is neither a keyword nor a function call.",
        "Only IgnoreAttributeFlow, IgnoreObjectFlow, vbBinaryCompare and vbTextCompare may appear bare. Attributes need brackets and strings need quotes; Entra has no True/False literals.",
        "IIF([a]=\"1\", True, \"x\")", "IIF([a]=\"1\", \"True\", \"x\")"),
    rule!("attrmap::check::arity", E, "A function gets the wrong number of arguments.",
        "Each function has a fixed signature (see the function reference). Optional arguments may be left empty with consecutive commas.",
        "Left([displayName])", "Left([displayName], 3)"),
    rule!("attrmap::check::switch-pairs", E, "Switch has a key without a value.",
        "Switch(source, defaultValue, key1, value1, key2, value2, …) always takes an even number of arguments.",
        "Switch([a], \"d\", \"k1\")", "Switch([a], \"d\", \"k1\", \"v1\")"),
    rule!("attrmap::check::literal-type", E, "A constant argument has the wrong type.",
        "Numeric parameters need whole numbers, and enumerations (DateAdd intervals yyyy m d ww h n s, InStr compare types) need one of their values, spelled exactly.",
        "DateAdd(\"days\", 7, CDate([hireDate]))", "DateAdd(\"d\", 7, CDate([hireDate]))"),
    rule!("attrmap::check::empty-required-argument", E, "A required argument is left empty.",
        "Only optional parameters may be left empty; a required one left empty is usually a misplaced comma.",
        "Mid([a], , 3)", "Mid([a], 1, 3)"),
    rule!("attrmap::check::select-unique-nested", E, "SelectUniqueValue is not the outermost function.",
        "Entra requires SelectUniqueValue at the top level of the expression; nest the other functions inside each of its rules.",
        "ToLower(SelectUniqueValue([a], [b]))", "SelectUniqueValue(ToLower([a]), ToLower([b]))"),
    rule!("attrmap::check::invalid-regex", E, "A constant regular expression does not compile.",
        "Replace's regexPattern must be a valid regular expression. In an expression string, \\\\ is one backslash.",
        "Replace([mobile], , \"[()\\\\s-+\", , \"\", , )", "Replace([mobile], , \"[()\\\\s-]+\", , \"\", , )"),
    rule!("attrmap::check::unsupported-regex-feature", E, "A regular expression uses a .NET feature attrmap does not run.",
        "attrmap reads patterns as .NET does and gives .NET's matches: plain patterns run on a linear-time engine, lookaround, backreferences, atomic groups and \\G on a backtracking engine with a step budget. Conditionals, balancing groups, case-insensitive backreferences, Unicode blocks (\\p{IsGreek}) and repeated capturing groups that can match nothing are refused rather than silently changed.",
        "Replace([upn], , \"(?(@)@.*|$)\", , \"\", , )", "Replace([upn], , \"@.*\", , \"\", , )"),
    rule!("attrmap::check::invalid-date-format", E, "A FormatDateTime format or dateTimeStyles value is invalid, or cannot read its own output.",
        "Formats use .NET custom date and time format specifiers. An inputFormat that cannot parse a date it renders itself (for example adjacent variable-width fields) will fail on real data.",
        "FormatDateTime([d], , \"yyyy-MM-dd'\", \"yyyy\")", "FormatDateTime([d], , \"yyyy-MM-dd\", \"yyyy\")"),
    rule!("attrmap::check::replace-mode", E, "Replace's written arguments select none of its modes.",
        "Replace picks its mode from the arguments that are written: oldValue with replacementValue or template; regexPattern with replacementValue (and optionally regexGroupName); or regexPattern, regexGroupName and replacementAttributeName.",
        "Replace([mail], \"@contoso.com\", , , , , )", "Replace([mail], \"@contoso.com\", , , \"\", , )"),
    // ---- expression rules ----------------------------------------------------
    rule!("attrmap::lint::switch-duplicate-key", W, "A Switch key appears twice; the later value is unreachable.",
        "Switch returns the value of the first key that matches, so a repeated key never selects its second value. This is usually a copy-paste mistake in a role or department table.",
        "Switch([department], \"r\", \"Legal\", \"editor\", \"Legal\", \"admin\")", "Switch([department], \"r\", \"Legal\", \"editor\", \"IT\", \"admin\")"),
    rule!("attrmap::lint::iif-nullable-condition", W, "An IIF condition reads an attribute that may be null or empty.",
        "Entra documents that the IIF condition check fails when an attribute it uses is null or empty, even for IIF([country]=\"\", …) or IIF(IsPresent([country]), …). Handle missing values with Switch, which matches a null source against the key \"\".",
        "IIF([country]=\"\", \"Other\", [country])", "Switch([country], [country], \"\", \"Other\")"),
    rule!("attrmap::lint::switch-source-predicate", W, "IsNull, IsNullOrEmpty or IsPresent is used as a Switch source.",
        "Microsoft's reference warns against these as Switch's source: use the attribute itself and a key of \"\" for the empty case.",
        "Switch(IsPresent([statusFlag]), \"0\", \"True\", \"1\")", "Switch([statusFlag], \"1\", \"\", \"0\")"),
    rule!("attrmap::lint::index-not-positive", E, "A position or index argument is 0 or negative.",
        "Item, Mid, InStr and Word count from 1. Index 0 or a negative position never selects anything.",
        "Mid([givenName], 0, 1)", "Mid([givenName], 1, 1)"),
    rule!("attrmap::lint::constant-condition", W, "A condition or Switch source is constant.",
        "After folding constants the condition is always true or always false, so the expression does not depend on the user. This is usually a quoted attribute name (\"department\" instead of [department]).",
        "IIF(\"department\"=\"Legal\", \"a\", \"b\")", "IIF([department]=\"Legal\", \"a\", \"b\")"),
    rule!("attrmap::lint::dead-argument", W, "An argument can never be used.",
        "An IIF branch behind a constant condition, or a Coalesce argument after one that is never null, is never evaluated.",
        "Coalesce(\"x\", [mail])", "Coalesce([mail], \"x\")"),
    // ---- mapping rules ---------------------------------------------------------
    rule!("attrmap::lint::duplicate-target", E, "The same target attribute is mapped twice.",
        "Two mappings that write the same SCIM attribute race each other; Entra rejects the second.",
        "two mappings with target userName", "one mapping per target attribute"),
    rule!("attrmap::lint::no-matching-attribute", W, "An object mapping has no matching attribute.",
        "Entra needs at least one attribute with a matching precedence to find existing objects in the target app; without one every sync creates duplicates.",
        "userName mapped with matchingPriority 0", "userName mapped with matchingPriority 1"),
    rule!("attrmap::lint::duplicate-matching-priority", E, "Two attributes share a matching precedence.",
        "Matching precedences order the lookups Entra makes; each must be unique.",
        "userName and externalId both with matchingPriority 1", "userName 1, externalId 2"),
    rule!("attrmap::lint::default-only-on-create", W, "A default value is set on a mapping that also applies on updates.",
        "Entra applies a mapping's default value only when it creates the object. On updates a null source is sent as it is, so the default does not protect the target attribute.",
        "preferredLanguage ← [preferredLanguage], default en-US, apply always", "preferredLanguage ← Coalesce([preferredLanguage], \"en-US\"), apply always"),
    rule!("attrmap::lint::unknown-target-attribute", W, "The target is not an attribute of the core or enterprise SCIM schema.",
        "attrmap knows RFC 7643's core User, Group and enterprise User schemas. A bare name that is not in them is usually a typo; an app-specific attribute is written with the core URN prefix (urn:ietf:params:scim:schemas:core:2.0:User:roleId) or its own extension URN.",
        "userNme", "userName"),
    rule!("attrmap::lint::target-type", E, "A constant does not fit the target attribute's type.",
        "SCIM booleans take True/False (or true/false), and integers take whole numbers. A constant such as \"yes\" for active is rejected by the target app.",
        "active ← constant \"yes\"", "active ← constant \"True\""),
    rule!("attrmap::lint::unknown-source-attribute", W, "A source attribute is not in the source directory's attribute list.",
        "When the schema lists the source directory's attributes, a name that is not among them is almost always a typo and always reads as null.",
        "[departmnet]", "[department]"),
    rule!("attrmap::lint::single-role-multi-valued-target", W, "SingleAppRoleAssignment feeds a multi-valued roles target.",
        "SingleAppRoleAssignment returns one role and is not supported when users have several. For a roles list use AppRoleAssignmentsComplex.",
        "roles ← SingleAppRoleAssignment([appRoleAssignments])", "roles ← AppRoleAssignmentsComplex([appRoleAssignments])"),
    rule!("attrmap::lint::switch-null-on-update", W, "A Switch mapping may be sent as null on updates.",
        "Microsoft documents that when another attribute of the user changes but the Switch's source does not, the Switch is evaluated as null and the target attribute is cleared. Microsoft's resolution is nested IIF.",
        "companyName ← Switch([companyName], \"External\", \"Company A\", \"A\")", "companyName ← IIF([companyName]=\"Company A\", \"A\", \"External\")"),
    rule!("attrmap::lint::select-unique-matching", E, "SelectUniqueValue is used on a matching attribute.",
        "Entra does not allow SelectUniqueValue on attributes that have a matching precedence.",
        "userName ← SelectUniqueValue(…), matchingPriority 1", "userName ← SelectUniqueValue(…), matched on externalId instead"),
    rule!("attrmap::lint::select-unique-not-create-only", W, "SelectUniqueValue is applied on updates too.",
        "SelectUniqueValue is meant for object creation only: set the mapping to apply only during object creation (ObjectAddOnly).",
        "userPrincipalName ← SelectUniqueValue(…), apply always", "userPrincipalName ← SelectUniqueValue(…), apply on create"),
];

/// Looks a rule up by its full code or its last segment (`switch-duplicate-key`).
pub fn find(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code).or_else(|| {
        RULES
            .iter()
            .find(|r| r.code.rsplit("::").next() == Some(code))
    })
}

/// The rule table as Markdown, for docs/lint-rules.md.
pub fn markdown() -> String {
    let mut out = String::new();
    for r in RULES {
        out.push_str(&format!(
            "### `{}`\n\n*{}* — {}\n\n{}\n\n- Bad: `{}`\n- Good: `{}`\n\n",
            r.code,
            r.severity.as_str(),
            r.summary,
            r.explanation,
            r.bad,
            r.good
        ));
    }
    out
}
