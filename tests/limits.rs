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
