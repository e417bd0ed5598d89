//! Mapping files: the model, the two loaders (Graph synchronization schema
//! and the native format, detected automatically), scoping filters, SCIM
//! paths and the SCIM resource builder. No file I/O here: callers pass text,
//! so the wasm build can use all of it.

use crate::codes::Code;
pub mod builder;
pub mod convert;
pub mod graph;
pub mod json;
pub mod model;
pub mod native;
pub mod requests;
pub(crate) mod resource;
pub mod scim;
pub mod stream;
pub mod tree;

pub use model::*;

use crate::diagnostic::Diagnostic;
use crate::eval::Record;
use crate::syntax::Span;
use crate::value::Value;

/// Largest mapping file accepted (bytes); real exports are well below 1 MiB.
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// A loaded file and everything noticed while reading it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub set: MappingSet,
    /// Warnings (tolerated oddities) and errors (mappings that cannot be used), in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Collects loader findings.
#[derive(Debug, Default)]
pub struct Collector(pub Vec<Diagnostic>);

impl Collector {
    /// A finding at its code's registry severity.
    pub fn push(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.0.push(Diagnostic::new(code, span, message));
    }
    /// A finding that a Graph schema may carry harmlessly (other products'
    /// object mappings, half-written attribute mappings): it is skipped with a
    /// warning, where the native format, written by hand for attrmap, makes
    /// the same code an error. The registry's explanation says so.
    pub fn skipped(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.0
            .push(Diagnostic::new(code, span, message).with_severity(crate::Severity::Warning));
    }
}

/// Which format `root` is: Graph JSON in any of the shapes that carry
/// mappings (a schema, a jobs list, a rule, an objectMapping, an
/// attributeMappings array; see [`graph::Shape`]), or a native file with
/// `objects`.
pub fn detect(root: &json::Json) -> Option<Format> {
    if graph::shape(root).is_some() {
        Some(Format::Graph)
    } else if root.get("objects").is_some() {
        Some(Format::Native)
    } else {
        None
    }
}

/// Loads a mapping file of either format. `Err` only when the text is not
/// JSON or is neither format; everything else is reported in `diagnostics`.
pub fn load(src: &str) -> Result<Loaded, Diagnostic> {
    if src.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::new(
            Code::MappingTooLarge,
            Span::new(0, 0),
            format!(
                "mapping file is {} bytes; the limit is {MAX_FILE_BYTES}",
                src.len()
            ),
        ));
    }
    let root = json::parse(src).map_err(|e| {
        if e.duplicate_member {
            return Diagnostic::new(
                Code::MappingDuplicateMember,
                Span::new(e.offset, e.offset),
                e.message,
            );
        }
        let d = Diagnostic::new(
            Code::MappingJson,
            Span::new(e.offset, e.offset),
            format!("not valid JSON: {}", e.message),
        );
        if trailing_comma_before(src, e.offset) {
            d.with_help("remove the trailing comma before this closing bracket: JSON allows none")
        } else {
            d
        }
    })?;
    let mut diags = Collector::default();
    let mut set = match detect(&root) {
        Some(Format::Graph) => graph::load(&root, &mut diags),
        Some(Format::Native) => native::load(&root, &mut diags),
        None => {
            return Err(Diagnostic::new(
                Code::MappingFormat,
                root.span,
                "neither Graph JSON (a synchronization schema, a jobs list, a synchronizationRule, an objectMapping or an attributeMappings array) nor a native mapping file (objects)",
            )
            .with_help("see docs/mapping.md for both formats"))
        }
    };
    if set.format == Format::Native {
        // Kept as written, so that a conversion carries it over unchanged.
        set.lint_section = root
            .get("lint")
            .and_then(|j| src.get(j.span.start..j.span.end))
            .map(str::to_string);
    }
    if set.objects.is_empty() {
        diags.push(
            Code::MappingEmpty,
            root.span,
            "the file defines no usable User or Group object mapping",
        );
    }
    Ok(Loaded {
        set,
        diagnostics: diags.0,
    })
}

/// Whether the JSON reader stopped on a closing bracket or brace that follows
/// a comma, as hand-edited files often have.
fn trailing_comma_before(src: &str, offset: usize) -> bool {
    let bytes = src.as_bytes();
    let Some(at) = (offset..bytes.len()).find(|&i| !bytes[i].is_ascii_whitespace()) else {
        return false;
    };
    matches!(bytes[at], b']' | b'}')
        && (0..at)
            .rev()
            .find(|&i| !bytes[i].is_ascii_whitespace())
            .is_some_and(|i| bytes[i] == b',')
}

/// Builds a scope clause, reporting a missing attribute, an unknown operator
/// or a bad regular expression at the clause.
pub(crate) fn scope_clause(
    attribute: Option<&str>,
    operator: Option<&str>,
    values: Vec<String>,
    span: Span,
    diags: &mut Collector,
) -> Option<ScopeClause> {
    let Some(attribute) = attribute.filter(|a| !a.is_empty()) else {
        diags.push(
            Code::MappingScopeAttribute,
            span,
            "scope clause without a source attribute",
        );
        return None;
    };
    let Some(op) = operator.and_then(ScopeOperator::parse) else {
        diags.push(
            Code::MappingScopeOperator,
            span,
            format!(
                "unknown scope operator {:?}; expected one of {}",
                operator.unwrap_or(""),
                ScopeOperator::ALL.map(|o| o.wire_name()).join(", ")
            ),
        );
        return None;
    };
    if !op.is_unary() && values.is_empty() {
        diags.push(
            Code::MappingScopeValue,
            span,
            format!("scope operator {} needs a value", op.wire_name()),
        );
        return None;
    }
    let regex = if matches!(op, ScopeOperator::RegexMatch | ScopeOperator::NotRegexMatch) {
        match ScopePattern::new(&values[0]) {
            Ok(p) => Some(p),
            Err(why) => {
                diags.push(
                    Code::MappingScopeRegex,
                    span,
                    format!("regular expression {:?}: {why}", values[0]),
                );
                return None;
            }
        }
    } else {
        None
    };
    Some(ScopeClause {
        attribute: attribute.to_string(),
        operator: op,
        values,
        regex,
        span,
    })
}

/// A scoping clause's pattern, read as .NET's Regex reads it (Entra's
/// provisioning service is a .NET program), with the limits Replace has: the
/// same dialect, size bound, backtracking budget and work bound.
#[derive(Debug, Clone)]
pub struct ScopePattern(String);

impl ScopePattern {
    /// Checks the pattern now, so that a bad one is a load-time error at the
    /// clause rather than a record-time surprise.
    pub fn new(pattern: &str) -> Result<ScopePattern, String> {
        crate::functions::replace::compile(pattern).map_err(|(_, why)| why)?;
        Ok(ScopePattern(pattern.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the pattern matches anywhere in `text` (.NET's Regex.IsMatch).
    /// The compiled form is cached per thread: it is not `Sync`, and the
    /// mapping is shared by `--jobs` workers.
    pub fn is_match(&self, text: &str) -> Result<bool, String> {
        let re = crate::functions::replace::compile(&self.0).map_err(|(_, why)| why)?;
        let units = crate::functions::regex_dotnet::to_units(text);
        re.first_match(&units).map(|m| m.is_some()).map_err(|e| e.0)
    }
}

/// A scoping clause that could not be decided for a record: its pattern ran
/// past a limit. The record is an error, never silently in or out of scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeError {
    pub message: String,
    pub span: Span,
}

impl Scope {
    /// Whether the record is in scope: every filter list passes (one of its groups has all clauses true).
    pub fn admits<R: Record + ?Sized>(&self, record: &R) -> Result<bool, ScopeError> {
        for groups in &self.filters {
            let mut any = false;
            for g in groups {
                let mut all = true;
                for c in &g.clauses {
                    if !c.admits(record)? {
                        all = false;
                        break;
                    }
                }
                if all {
                    any = true;
                    break;
                }
            }
            if !any {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

impl ScopeClause {
    /// One clause. A multi-valued attribute passes when any element does
    /// (negated operators: when no element matches the positive form).
    pub fn admits<R: Record + ?Sized>(&self, record: &R) -> Result<bool, ScopeError> {
        let v = record.attribute(&self.attribute).unwrap_or(Value::Null);
        let items: Vec<Value<'_>> = match v {
            Value::List(l) => l,
            other => vec![other],
        };
        use ScopeOperator as O;
        let any = |op: ScopeOperator| -> Result<bool, ScopeError> {
            for v in &items {
                if self.one(op, v)? {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        Ok(match self.operator {
            O::IsNull => items.iter().all(Value::is_null_or_empty),
            O::IsNotNull => items.iter().any(|v| !v.is_null_or_empty()),
            O::NotEquals => !any(O::Equals)?,
            O::NotRegexMatch => !any(O::RegexMatch)?,
            O::NotBitAnd => !any(O::BitAnd)?,
            op => any(op)?,
        })
    }

    fn one(&self, op: ScopeOperator, v: &Value<'_>) -> Result<bool, ScopeError> {
        use ScopeOperator as O;
        if v.is_null() {
            return Ok(false);
        }
        let text = v.to_text();
        let first = self.values.first().map(String::as_str).unwrap_or("");
        let int = |s: &str| s.trim().parse::<i64>().ok();
        Ok(match op {
            // Entra documents EQUALS as an exact, case-sensitive match.
            O::Equals => text == first,
            O::RegexMatch => match &self.regex {
                Some(p) => p.is_match(&text).map_err(|why| ScopeError {
                    message: format!(
                        "scoping clause [{}] {} {:?}: {why}",
                        self.attribute,
                        self.operator.wire_name(),
                        p.as_str()
                    ),
                    span: self.span,
                })?,
                None => false,
            },
            O::IsTrue => match v {
                Value::Bool(b) => *b,
                _ => text.eq_ignore_ascii_case("true"),
            },
            O::IsFalse => match v {
                Value::Bool(b) => !*b,
                _ => text.eq_ignore_ascii_case("false"),
            },
            O::GreaterThan => matches!((int(&text), int(first)), (Some(a), Some(b)) if a > b),
            O::GreaterThanOrEquals => {
                matches!((int(&text), int(first)), (Some(a), Some(b)) if a >= b)
            }
            O::Includes => self.values.iter().any(|x| *x == text),
            O::EndsWith => text.ends_with(first),
            O::BitAnd => matches!((int(&text), int(first)), (Some(a), Some(b)) if a & b != 0),
            O::NotEquals | O::NotRegexMatch | O::NotBitAnd | O::IsNull | O::IsNotNull => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRAPH: &str = r#"{
  "id": "x", "unknownThing": 1,
  "synchronizationRules": [{
    "name": "USER_TO_SCIM", "defaultSourceObjectMappings": {"blob": true},
    "objectMappings": [
      {"name": null, "sourceObjectName": "", "targetObjectName": "", "attributeMappings": []},
      {"name": "Provision Users", "enabled": true, "sourceObjectName": "User",
       "targetObjectName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
       "scope": {"groups": [{"clauses": [
          {"operatorName": "EQUALS", "sourceOperandName": "department", "targetOperand": {"values": ["Legal"]}},
          {"operatorName": "is true", "sourceOperandName": "accountEnabled", "targetOperand": null}]},
          {"clauses": [{"operatorName": "REGEX MATCH", "sourceOperandName": "mail", "targetOperand": {"values": ["@fabrikam\\.com$"]}}]}]},
       "attributeMappings": [
        {"source": {"type": "attribute", "name": "mail", "expression": "[mail]", "parameters": []},
         "targetAttributeName": "userName", "matchingPriority": 1, "flowType": "Always", "defaultValue": null},
        {"source": {"type": "Function", "name": "ToLower", "parameters": [
            {"key": "source", "value": {"type": "Attribute", "name": "surname"}}]},
         "targetAttributeName": "name.familyName", "flowType": "objectaddonly"},
        {"source": {"type": "Function", "name": "ToUpper", "expression": "ToLower([givenName])", "parameters": [
            {"key": "source", "value": {"type": "Attribute", "name": "givenName"}}]},
         "targetAttributeName": "name.givenName"},
        {"source": null, "defaultValue": "Reader", "targetAttributeName": "title"}
       ]}
    ]}]
}"#;

    #[test]
    fn graph_export_is_read_tolerantly() {
        let l = load(GRAPH).unwrap();
        assert_eq!(l.set.format, Format::Graph);
        assert_eq!(l.set.objects.len(), 1);
        let o = &l.set.objects[0];
        assert_eq!(o.object, ObjectType::User);
        let a = &o.attributes;
        assert_eq!(
            a[0].source,
            Source::Attribute {
                name: "mail".into(),
                span: a[0].source.span()
            }
        );
        assert_eq!(a[0].matching_priority, 1);
        assert_eq!(a[1].flow, FlowType::ObjectAddOnly);
        assert_eq!(a[1].source.expression_text().unwrap(), "ToLower([surname])");
        assert_eq!(
            a[2].source.expression_text().unwrap(),
            "ToLower([givenName])"
        );
        assert!(l
            .diagnostics
            .iter()
            .any(|d| d.code == Code::MappingTreeDisagrees));
        assert_eq!(a[3].source, Source::None);
        assert_eq!(a[3].default_value.as_deref(), Some("Reader"));
        // Spans point into the file.
        let sp = a[2].source.span().unwrap();
        assert_eq!(&GRAPH[sp.start..sp.end], "\"ToLower([givenName])\"");
        assert_eq!(
            &GRAPH[a[0].target_span.start..a[0].target_span.end],
            "\"userName\""
        );
        assert!(!l.has_errors(), "{:?}", l.diagnostics);
    }

    #[test]
    fn scope_groups_or_clauses_and() {
        let l = load(GRAPH).unwrap();
        let s = l.set.objects[0].scope.as_ref().unwrap();
        let yes = serde_json::json!({"department": "Legal", "accountEnabled": true});
        let no = serde_json::json!({"department": "Legal", "accountEnabled": false});
        let other = serde_json::json!({"department": "IT", "mail": "a@fabrikam.com"});
        let case = serde_json::json!({"department": "legal", "accountEnabled": true});
        assert!(s.admits(&yes).unwrap());
        assert!(!s.admits(&no).unwrap());
        assert!(s.admits(&other).unwrap());
        assert!(!s.admits(&case).unwrap(), "EQUALS is case-sensitive");
    }

    #[test]
    fn operators_parse_with_spaces_or_underscores() {
        for o in ScopeOperator::ALL {
            assert_eq!(ScopeOperator::parse(o.wire_name()), Some(o));
        }
        assert_eq!(
            ScopeOperator::parse("not_equals"),
            Some(ScopeOperator::NotEquals)
        );
        assert_eq!(ScopeOperator::parse("LIKE"), None);
    }

    #[test]
    fn native_file_loads_and_reports_mistakes() {
        let src = r#"{"app": "X", "objects": [{"object": "User", "scope": [[{"attribute": "department", "operator": "NOT EQUALS", "value": "IT"}]],
          "mappings": [
            {"target": "userName", "attribute": "mail", "match": 1},
            {"target": "active", "expression": "Not([IsSoftDeleted])", "apply": "create"},
            {"target": "title", "constant": "x", "attribute": "y"},
            {"target": "roles", "constant": "x", "typo": 1}
          ]}]}"#;
        let l = load(src).unwrap();
        let o = &l.set.objects[0];
        assert_eq!(o.attributes.len(), 3);
        assert_eq!(o.attributes[1].flow, FlowType::ObjectAddOnly);
        assert!(l.has_errors());
        let codes: Vec<_> = l.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&Code::MappingSeveralSources));
        assert!(codes.contains(&Code::MappingUnknownProperty));
        assert!(o
            .scope
            .as_ref()
            .unwrap()
            .admits(&serde_json::json!({"department": "Legal"}))
            .unwrap());
    }

    /// One native file with a REGEX MATCH clause on `pattern`.
    fn regex_scope(pattern: &str) -> Result<Scope, Vec<Code>> {
        let src = serde_json::json!({"app": "X", "objects": [{"object": "User",
            "scope": [[{"attribute": "v", "operator": "REGEX MATCH", "value": pattern}]],
            "mappings": [{"target": "userName", "attribute": "mail", "match": 1}]}]})
        .to_string();
        let l = load(&src).unwrap();
        if l.has_errors() {
            return Err(l.diagnostics.iter().map(|d| d.code).collect());
        }
        Ok(l.set.objects[0].scope.clone().unwrap())
    }

    fn admits(s: &Scope, v: &str) -> bool {
        s.admits(&serde_json::json!({ "v": v })).unwrap()
    }

    #[test]
    fn scope_regex_reads_dotnet_syntax() {
        // The Workday and SuccessFactors tutorials' example filter.
        let s = regex_scope("(1[0-9][0-9][0-9][0-9][0-9][0-9])").unwrap();
        assert!(admits(&s, "1234567") && !admits(&s, "2000000"));
        // Class subtraction: consonants only.
        let s = regex_scope("^[a-z-[aeiou]]+$").unwrap();
        assert!(admits(&s, "xyz") && !admits(&s, "xaz"));
        // A backslash before punctuation is that character; \< is no word boundary.
        let s = regex_scope(r"^\<admin\>$").unwrap();
        assert!(admits(&s, "<admin>") && !admits(&s, "admin"));
        // Braces that form no quantifier are literal; $ matches before a final newline.
        let s = regex_scope("^a{x}$").unwrap();
        assert!(admits(&s, "a{x}") && admits(&s, "a{x}\n"));
        // Named groups written with quotes, and a backreference to them.
        let s = regex_scope("^(?'d'[0-9])\\k'd'$").unwrap();
        assert!(admits(&s, "77") && !admits(&s, "78"));
        // Lookbehind, which the regex crate lacks.
        let s = regex_scope("(?<=@)contoso\\.com$").unwrap();
        assert!(admits(&s, "a@contoso.com") && !admits(&s, "a.contoso.com"));
        // NOT REGEX MATCH over a multi-valued attribute: no element matches.
        let src = serde_json::json!({"app": "X", "objects": [{"object": "User",
            "scope": [[{"attribute": "v", "operator": "NOT REGEX MATCH", "value": "^x"}]],
            "mappings": [{"target": "userName", "attribute": "mail", "match": 1}]}]})
        .to_string();
        let l = load(&src).unwrap();
        let s = l.set.objects[0].scope.as_ref().unwrap();
        assert!(s.admits(&serde_json::json!({"v": ["a", "b"]})).unwrap());
        assert!(!s.admits(&serde_json::json!({"v": ["a", "xb"]})).unwrap());
    }

    #[test]
    fn scope_regex_refuses_what_dotnet_refuses_and_stops_at_the_limits() {
        assert_eq!(
            regex_scope("(Sales").unwrap_err(),
            vec![Code::MappingScopeRegex]
        );
        // .NET accepts a conditional; attrmap names it rather than run it.
        assert_eq!(
            regex_scope("(?(1)a|b)").unwrap_err(),
            vec![Code::MappingScopeRegex]
        );
        // A catastrophic pattern on a long value is an error, not a hang and
        // not a silent "out of scope".
        let s = regex_scope("^((a)+\\2?)+b").unwrap();
        let e = s
            .admits(&serde_json::json!({"v": "a".repeat(40)}))
            .unwrap_err();
        assert!(e.message.contains("backtracking"), "{}", e.message);
        assert!(admits(&s, "aaab"));
    }

    #[test]
    fn not_json_or_unknown_shape_is_refused_with_a_position() {
        assert_eq!(load("{\"a\": }").unwrap_err().span.start, 6);
        assert_eq!(load("{}").unwrap_err().code, Code::MappingFormat);
    }
}
