//! Runtime limits: each one gives a clear error for the record, never a crash.

use attrmap::eval::{Context, RuntimeLimits};
use serde_json::json;

fn limited(limits: RuntimeLimits) -> Context<'static> {
    Context::new().with_limits(limits)
}

#[test]
fn step_budget_stops_evaluation_in_both_engines() {
    let src = format!("Join(\",\", {})", vec!["[a]"; 200].join(", "));
    let e = attrmap::compile(&src).unwrap();
    let user = json!({"a": "x"});
    let limits = RuntimeLimits {
        max_steps: 50,
        ..RuntimeLimits::default()
    };
    let vm = e.evaluate(&user, &mut limited(limits)).unwrap_err();
    let ast = e.evaluate_ast(&user, &mut limited(limits)).unwrap_err();
    assert_eq!(vm.code, "attrmap::eval::step-budget");
    assert_eq!(ast.code, "attrmap::eval::step-budget");
    // With the default budget the same expression runs.
    assert!(e.evaluate(&user, &mut Context::new()).is_ok());
}

#[test]
fn output_size_is_bounded() {
    let e = attrmap::compile("Join(\",\", [list], [list], [list])").unwrap();
    let big: Vec<String> = (0..2_000).map(|i| format!("value-{i:05}")).collect();
    let user = json!({ "list": big });
    let limits = RuntimeLimits {
        max_output_bytes: 10_000,
        ..RuntimeLimits::default()
    };
    let err = e.evaluate(&user, &mut limited(limits)).unwrap_err();
    assert_eq!(err.code, "attrmap::eval::output-too-large");
    assert_eq!(err.span.start, 0);
    let err = e.evaluate_ast(&user, &mut limited(limits)).unwrap_err();
    assert_eq!(err.code, "attrmap::eval::output-too-large");
}

#[test]
fn a_failing_record_does_not_poison_the_context() {
    let e = attrmap::compile("Join(\",\", [list])").unwrap();
    let limits = RuntimeLimits {
        max_output_bytes: 8,
        ..RuntimeLimits::default()
    };
    let mut ctx = limited(limits);
    let big = json!({"list": ["aaaa", "bbbb", "cccc"]});
    let small = json!({"list": ["a", "b"]});
    assert!(e.evaluate(&big, &mut ctx).is_err());
    ctx.reset();
    assert_eq!(
        e.evaluate(&small, &mut ctx).unwrap(),
        attrmap::Outcome::Value(attrmap::value::Value::str("a,b").into_owned())
    );
}

/// Issue 8's output limits, one by one: each is a clear error, in both engines.
#[test]
fn random_string_and_replace_templates_cannot_grow_without_bound() {
    let user = json!({"x": "a".repeat(60_000), "y": "y".repeat(600_000)});
    for (src, code) in [
        (
            r#"RandomString(100000000, 1, 1, 1, 1, "")"#,
            "attrmap::eval::random-string-constraints",
        ),
        // A literal replacement 100 times longer than what it replaces.
        (
            &format!(r#"Replace([x], "a", , , "{}", , )"#, "b".repeat(100)) as &str,
            "attrmap::eval::output-too-large",
        ),
        // A regex replacement template that repeats its group.
        (
            &format!(r#"Replace([x], , "(a)", , "{}", , )"#, "${1}".repeat(20)),
            "attrmap::eval::output-too-large",
        ),
        // Two copies of a 600 KB attribute.
        (r#"Join(",", [y], [y])"#, "attrmap::eval::output-too-large"),
    ] {
        let e = attrmap::compile(src).unwrap();
        // Codes only: a failure must not print megabytes of output.
        let vm = e
            .evaluate(&user, &mut Context::new())
            .err()
            .map(|e| e.code.as_str());
        let ast = e
            .evaluate_ast(&user, &mut Context::new())
            .err()
            .map(|e| e.code.as_str());
        assert_eq!(
            (vm, ast),
            (Some(code), Some(code)),
            "{}",
            &src[..src.len().min(80)]
        );
    }
}

/// A pattern whose compiled program would be huge is refused before any
/// record is seen, with the place and the reason.
#[test]
fn regex_compiled_size_is_limited_statically() {
    let err = attrmap::compile(r#"Replace([x], , "(a{1000}){1000}", , "", , )"#).unwrap_err();
    let d = &err.diagnostics[0];
    assert_eq!(d.code, "attrmap::check::invalid-regex");
    assert!(d.message.contains("size limit"), "{}", d.message);
    assert_eq!(d.span.start, 15);
}

/// Input limits in the batch loop: a record nested deeper than the JSON
/// decoder allows, and one over the size limit, are error lines; the
/// records around them still map.
#[test]
fn deep_and_oversized_records_are_error_lines_and_the_batch_goes_on() {
    use attrmap::mapping::builder::compile_object;
    use attrmap::mapping::stream::Batch;
    let file = r#"{"objects": [{"object": "User", "mappings": [
        {"target": "userName", "attribute": "mail"}]}]}"#;
    let loaded = attrmap::mapping::load(file).unwrap();
    let compiled = compile_object(&loaded.set, attrmap::mapping::ObjectType::User, file).unwrap();
    let batch = Batch {
        max_record_bytes: 64 * 1024,
        ..Batch::new(&compiled, file)
    };
    let deep = format!(
        "{{\"mail\": \"d@x\", \"n\": {}1{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let long = format!("{{\"mail\": \"{}\"}}", "l".repeat(100_000));
    let input = format!("{{\"mail\": \"a@x\"}}\n{deep}\n{long}\n{{\"mail\": \"b@x\"}}\n");
    let mut out = Vec::new();
    let counts = batch
        .run(input.as_bytes(), &mut out, &mut Context::new(), |_, _| {
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(
        (counts.input, counts.out, counts.errors),
        (4, 2, 2),
        "{counts}"
    );
    let lines: Vec<serde_json::Value> = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines[1]["error"]["code"], "attrmap::map::malformed-json");
    assert!(
        lines[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("recursion limit"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2]["error"]["code"], "attrmap::map::record-too-large");
    assert_eq!(lines[3]["resource"]["userName"], "b@x");
}

/// D9: the automaton's work is the pattern's unrolled size times the value's
/// length. `(.*x){400}y` on a 1 MB value took 65 s; now it is refused at
/// once with an error naming both sizes, and a catastrophic backtracking
/// pattern stops at the step budget.
#[test]
fn regex_work_and_backtracking_are_bounded() {
    let expr = attrmap::compile("Replace([v], , [p], , \"\", , )").unwrap();
    let run = |p: &str, v: String| {
        let mut ctx = attrmap::Context::new();
        let t = std::time::Instant::now();
        let record = serde_json::json!({"v": v, "p": p});
        let r = expr.evaluate(&record, &mut ctx).map(|o| format!("{o:?}"));
        (r, t.elapsed())
    };
    let (r, took) = run("(.*x){400}y", "x".repeat(1 << 20));
    let e = r.unwrap_err();
    assert_eq!(e.code, "attrmap::eval::regex-limit");
    assert!(e.message.contains("1048576 bytes"), "{}", e.message);
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    // Exponential backtracking (a backreference forces the backtracker).
    let (r, took) = run("^((a)+\\2?)+b", "a".repeat(40));
    let e = r.unwrap_err();
    assert_eq!(e.code, "attrmap::eval::regex-limit");
    assert!(e.message.contains("backtracking"), "{}", e.message);
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
}

/// Issue 20, D2: a run of 65 536 or more `y` in an output format used to
/// panic in the formatter ("Formatting argument out of range"). .NET pads the
/// year to the run's width, and so does attrmap.
#[test]
fn formatdatetime_pads_the_year_to_any_width() {
    let e = attrmap::compile(r#"FormatDateTime("2021-08-25", , "yyyy-MM-dd", [f])"#).unwrap();
    for width in [65_536usize, 200_000] {
        let user = json!({ "f": "y".repeat(width) });
        let out = e.evaluate(&user, &mut Context::new()).unwrap();
        let attrmap::Outcome::Value(v) = out else {
            panic!("{out:?}")
        };
        let text = v.to_text();
        assert_eq!(text.len(), width);
        assert!(text.ends_with("2021") && text[..width - 4].bytes().all(|b| b == b'0'));
        let ast = e.evaluate_ast(&user, &mut Context::new()).unwrap();
        assert_eq!(ast, attrmap::Outcome::Value(v.clone()));
    }
}

/// Issue 20, D5: the format tokenizer measured the run of every character
/// and then moved on by one, so a run of n literal characters cost n²
/// (100 000 `:` took 6.7 s; 1 000 000 never finished). It is linear now.
#[test]
fn formatdatetime_format_tokenizer_is_linear() {
    let e = attrmap::compile(r#"FormatDateTime("2021-08-25", , "yyyy-MM-dd", [f])"#).unwrap();
    for n in [100_000usize, 1_000_000] {
        let user = json!({ "f": ":".repeat(n) });
        let started = std::time::Instant::now();
        let out = e.evaluate(&user, &mut Context::new()).unwrap();
        let took = started.elapsed();
        assert_eq!(
            out,
            attrmap::Outcome::Value(attrmap::value::Value::string(":".repeat(n)))
        );
        // Linear work is a few milliseconds even unoptimised; quadratic work
        // on 100 000 characters took seconds.
        assert!(
            took < std::time::Duration::from_secs(2),
            "{n} ':' took {took:?}"
        );
    }
}
