//! Every construct admins really write must parse; errors must point at the
//! exact character with a stable code.

use attrmap::syntax::{parse, ExprKind, Limits};

fn ok(src: &str) -> attrmap::syntax::Expr {
    parse(src, &Limits::default())
        .unwrap_or_else(|d| panic!("{src:?} failed to parse: {} ({})", d.message, d.code))
}

fn err(src: &str) -> attrmap::Diagnostic {
    match parse(src, &Limits::default()) {
        Ok(e) => panic!("{src:?} parsed but should not: {e:?}"),
        Err(d) => d,
    }
}

#[test]
fn accepts_real_world_constructs() {
    for src in [
        "Now()",
        "Guid()",
        "Join(\",\", [a], [b])",
        "SelectUniqueValue ( Join(\"@\", [a], \"x.com\"), Join(\"@\", [b], \"x.com\") )",
        "[extension_9f1a2b3c4d5e6f708192a3b4c5d6e7f8_costCenter]",
        "[PreferredFirstName]",
        "\"\\+(?<isd>\\d*)\"",
        "\"\\\\+(?<isd>\\\\d*)\"",
        "DateFromNum(129699324000000000)",
        "IIF(DateDiff(\"d\", Now(), CDate([StatusHireDate])) >= -14, \"a\", \"b\")",
        "BitAnd(&HF, &HF7)",
        "IIF([x]=\"1\", [department], IgnoreAttributeFlow)",
        "IIF([x]=\"1\", [department], IgnoreObjectFlow)",
        "InStr(\"repEated\",\"e\",3,vbBinaryCompare)",
        "InStr([a],\"e\",1,vbTextCompare)",
        "Switch([Active], , \"1\", \"True\", \"0\", \"False\")",
        "Replace([mail], \"@contoso.com\", , ,\"\", ,)",
        "ToLower([x], )",
        "IIF(DateDiff(\"d\", Now(), CDate([StatusHireDate])) >= 0, \"True\", \"False\")",
        "CBool([attribute1] = [attribute2])",
        "IIF([a]<>\"x\",\"1\",\"2\")",
        "IIF([a]<\"x\",\"1\",\"2\")",
        "IIF([a]<=\"x\",\"1\",\"2\")",
        "IIF([a]>\"x\",\"1\",\"2\")",
        "Switch([Active], , \n  \"1\", IIF(DateDiff(\"d\", Now(), CDate([StatusHireDate])) > 5, \"False\", \"True\"), \n\t\"0\", \"False\")",
    ] {
        ok(src);
    }
}

#[test]
fn string_escapes_follow_entra() {
    let unescape = |src: &str| match ok(src).kind {
        ExprKind::Str(s) => s,
        other => panic!("not a string: {other:?}"),
    };
    assert_eq!(unescape(r#""a\"b""#), "a\"b");
    assert_eq!(unescape(r#""a\\b""#), "a\\b");
    // Any other backslash stays: both spellings mean the regex \+.
    assert_eq!(unescape(r#""\+(?<isd>\d*)""#), r"\+(?<isd>\d*)");
    assert_eq!(unescape(r#""\\+(?<isd>\\d*)""#), r"\+(?<isd>\d*)");
}

#[test]
fn numbers_are_exact() {
    assert_eq!(
        ok("129699324000000000").kind,
        ExprKind::Number(129_699_324_000_000_000)
    );
    assert_eq!(ok("-14").kind, ExprKind::Number(-14));
    assert_eq!(ok("&HF7").kind, ExprKind::Number(0xF7));
    assert_eq!(ok("&hf").kind, ExprKind::Number(15));
    assert_eq!(
        err("99999999999999999999").code,
        "attrmap::parse::number-out-of-range"
    );
}

#[test]
fn empty_arguments_are_kept_with_positions() {
    let e = ok("Replace([mail], \"@contoso.com\", , ,\"\", ,)");
    let ExprKind::Call(c) = e.kind else { panic!() };
    assert_eq!(c.args.len(), 7);
    let written: Vec<bool> = c.args.iter().map(|a| a.expr.is_some()).collect();
    assert_eq!(written, [true, true, false, false, true, false, false]);
    let e = ok("ToLower([x], )");
    let ExprKind::Call(c) = e.kind else { panic!() };
    assert_eq!(c.args.len(), 2);
    assert!(c.args[1].expr.is_none());
    let ExprKind::Call(c) = ok("Now()").kind else {
        panic!()
    };
    assert!(c.args.is_empty());
}

#[test]
fn spans_cover_exact_source() {
    let src = "Join(\",\", [givenName], Mid([sn], 1, 2))";
    let e = ok(src);
    let mut seen = Vec::new();
    e.walk(&mut |n, _| seen.push(&src[n.span.start..n.span.end]));
    assert_eq!(
        seen,
        vec![
            src,
            "\",\"",
            "[givenName]",
            "Mid([sn], 1, 2)",
            "[sn]",
            "1",
            "2"
        ]
    );
}

#[test]
fn unclosed_call_points_at_the_call() {
    let d = err("Join(\",\", [a]");
    assert_eq!(d.code, "attrmap::parse::unclosed-call");
    assert_eq!((d.span.start, d.span.end), (0, 5));
    assert!(d.help.unwrap().contains(')'));
    let d = err("Join(\",\", Mid([a], 1, 2)");
    assert_eq!(d.code, "attrmap::parse::unclosed-call");
    assert_eq!(d.span.start, 0);
}

#[test]
fn other_syntax_errors_have_codes_and_help() {
    assert_eq!(
        err("Join(\",\", \"abc)").code,
        "attrmap::parse::unterminated-string"
    );
    assert_eq!(
        err("Join(\",\", [abc)").code,
        "attrmap::parse::unclosed-attribute"
    );
    assert_eq!(
        err("Join(\",\", [a]))").code,
        "attrmap::parse::unexpected-close"
    );
    assert_eq!(err("   ").code, "attrmap::parse::empty");
    let d = err("Join('x', [a])");
    assert_eq!(d.code, "attrmap::parse::syntax");
    assert_eq!(d.span.start, 5);
    assert!(d.help.unwrap().contains("double quotes"));
    let d = err("Join(\",\" [a])");
    assert_eq!(d.span.start, 9);
    assert!(d.help.unwrap().contains("commas"));
}

#[test]
fn hostile_inputs_give_errors_not_crashes() {
    // 10 MB expression.
    let big = format!("Join(\",\", \"{}\")", "x".repeat(10 * 1024 * 1024));
    assert_eq!(err(&big).code, "attrmap::parse::too-long");
    // 100 000 nested calls, even with the length limit lifted.
    let deep = format!("{}[a]{}", "ToLower(".repeat(100_000), ")".repeat(100_000));
    let lifted = Limits {
        max_expression_chars: usize::MAX,
        ..Limits::default()
    };
    let d = parse(&deep, &lifted).unwrap_err();
    assert_eq!(d.code, "attrmap::parse::too-deep");
    // 100 000 bare parentheses.
    let parens = format!("{}{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(parse(&parens, &lifted).is_err());
    // At the limit it still works.
    let at_limit = format!("{}[a]{}", "ToLower(".repeat(64), ")".repeat(64));
    assert!(parse(&at_limit, &Limits::default()).is_ok());
}

#[test]
fn limits_are_configurable() {
    let strict = Limits {
        max_expression_chars: 10,
        max_depth: 1,
    };
    assert_eq!(
        parse("Join(\",\", [a], [b])", &strict).unwrap_err().code,
        "attrmap::parse::too-long"
    );
    assert_eq!(
        parse(
            "ToLower(ToLower([a]))",
            &Limits {
                max_depth: 1,
                ..Limits::default()
            }
        )
        .unwrap_err()
        .code,
        "attrmap::parse::too-deep"
    );
}
