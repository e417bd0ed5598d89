//! Static checks: stable codes, exact spans, useful help.

use attrmap::{compile, Severity};

fn first_error(src: &str) -> attrmap::Diagnostic {
    compile(src).map(|_| ()).unwrap_err().first_error().clone()
}

#[test]
fn unknown_function_suggests_the_closest_name() {
    let d = first_error("Jion(\",\", [a], [b])");
    assert_eq!(d.code, "attrmap::check::unknown-function");
    assert_eq!((d.span.start, d.span.end), (0, 4));
    assert_eq!(d.help.as_deref(), Some("did you mean `Join`?"));
    let d = first_error("Frobnicate([a])");
    assert_eq!(
        d.help.as_deref(),
        Some("run `attrmap functions` to list every function")
    );
}

#[test]
fn arity_names_the_signature() {
    let d = first_error("Left([a])");
    assert_eq!(d.code, "attrmap::check::arity");
    assert!(
        d.message
            .contains("Left takes 2 arguments, but 1 was given"),
        "{}",
        d.message
    );
    assert!(d.help.unwrap().contains("Left(string, numChars)"));
    let d = first_error("Append([a], \"x\", \"y\")");
    assert_eq!(d.code, "attrmap::check::arity");
    assert_eq!(d.span.start, "Append([a], \"x\", ".len());
    assert!(first_error("SelectUniqueValue([a])")
        .message
        .contains("at least 2"));
}

#[test]
fn switch_needs_pairs() {
    let d = first_error("Switch([a], \"d\", \"k1\")");
    assert_eq!(d.code, "attrmap::check::switch-pairs");
    assert_eq!(
        d.help.as_deref(),
        Some("Switch takes key/value pairs: add a value for key \"k1\"")
    );
    assert_eq!(d.span.start, "Switch([a], \"d\", ".len());
}

#[test]
fn literal_types_are_checked() {
    let d = first_error("Left([a], \"three\")");
    assert_eq!(d.code, "attrmap::check::literal-type");
    assert_eq!(d.span.start, 10);
    // Numeric strings are fine: Entra accepts Mid([x], "1", "2").
    assert!(compile("Mid([a], \"1\", \"2\")").is_ok());
    let d = first_error("DateAdd(\"days\", 1, Now())");
    assert_eq!(d.code, "attrmap::check::literal-type");
    assert!(d.message.contains("yyyy, m, d, ww, h, n, s"));
    let d = first_error("DateAdd(\"D\", 1, Now())");
    assert!(d.help.unwrap().contains("write d"));
}

#[test]
fn select_unique_value_must_be_top_level() {
    let d = first_error("ToLower(SelectUniqueValue([a], [b]))");
    assert_eq!(d.code, "attrmap::check::select-unique-nested");
    assert!(compile("SelectUniqueValue(ToLower([a]), [b])").is_ok());
}

#[test]
fn case_variants_resolve_with_a_warning() {
    let e = compile("iif([a]=\"1\", \"x\", \"y\")").unwrap();
    let w = &e.warnings()[0];
    assert_eq!(w.code, "attrmap::check::function-case");
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("`iif` is spelled `IIF`"));
    let e = compile("InStr([a], \"x\", 1, vbtextcompare)").unwrap();
    assert_eq!(e.warnings()[0].code, "attrmap::check::keyword-case");
}

#[test]
fn unknown_keywords_are_errors_with_hints() {
    let d = first_error("IIF([a]=\"1\", \"x\", IgnoreAtributeFlow)");
    assert_eq!(d.code, "attrmap::check::unknown-keyword");
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `IgnoreAttributeFlow`?")
    );
    let d = first_error("IIF([a]=\"1\", True, \"y\")");
    assert!(d.help.unwrap().contains("\"True\""));
    let d = first_error("Join(\",\", Now)");
    assert!(d.help.unwrap().contains("is a function"));
}

#[test]
fn all_errors_are_reported_not_just_the_first() {
    let e = compile("Join(Jion([a]), Lefft([b], 1))").unwrap_err();
    let codes: Vec<&str> = e.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "attrmap::check::unknown-function",
            "attrmap::check::unknown-function"
        ]
    );
}
