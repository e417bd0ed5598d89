//! Every expression collected from Microsoft's published provisioning docs
//! (tests/data/ms-expressions.json) compiles with attrmap; an expression
//! that needs a function attrmap lacks names it in `missing`, and then must
//! fail with unknown-function for exactly that function.

use attrmap::eval::{Context, Outcome};
use attrmap::value::Value;

fn corpus() -> Vec<serde_json::Value> {
    let text = include_str!("data/ms-expressions.json");
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["expressions"].as_array().unwrap().clone()
}

#[test]
fn every_published_expression_compiles() {
    let all = corpus();
    let (mut compiled, mut missing) = (0, 0);
    for e in &all {
        let text = e["expression"].as_str().unwrap();
        let source = e["source"].as_str().unwrap();
        assert!(!source.is_empty() && e["section"].as_str().is_some());
        match e.get("missing").and_then(|m| m.as_str()) {
            None => {
                if let Err(d) = attrmap::compile(text) {
                    panic!("{source}: {text}\n  does not compile: {d:?}");
                }
                compiled += 1;
            }
            Some(functions) => {
                let err = attrmap::compile(text).err().unwrap_or_else(|| {
                    panic!("{text} compiles now: remove its \"missing\": \"{functions}\"")
                });
                let mut named: Vec<String> = err
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == attrmap::Severity::Error)
                    .map(|d| {
                        assert_eq!(
                            d.code.as_str(),
                            "attrmap::check::unknown-function",
                            "{text}: {}",
                            d.message
                        );
                        d.message.split('`').nth(1).unwrap_or("").to_string()
                    })
                    .collect();
                named.sort();
                named.dedup();
                let mut expected: Vec<String> =
                    functions.split(',').map(|f| f.trim().to_string()).collect();
                expected.sort();
                assert_eq!(named, expected, "{text}");
                missing += 1;
            }
        }
    }
    eprintln!(
        "ms-expressions: {} expressions, {compiled} compile, {missing} need a missing function",
        all.len()
    );
    assert!(all.len() >= 200);
}

#[test]
fn workday_sam_account_name_default_gives_the_documented_shape() {
    let e = corpus()
        .into_iter()
        .find(|e| {
            e["source"]
                .as_str()
                .unwrap()
                .ends_with("workday-inbound-tutorial.md")
        })
        .unwrap();
    let expr = attrmap::compile(e["expression"].as_str().unwrap()).unwrap();
    // The first rule: first initial and last name, diacritics removed, the
    // characters AD forbids in sAMAccountName removed, 20 characters at most,
    // trailing dots removed.
    let user = serde_json::json!({"FirstName": "Zoë", "LastName": "O'Brien-Smith.[x]|Jones."});
    let mut ctx = Context::new();
    assert_eq!(
        expr.evaluate(&user, &mut ctx).unwrap(),
        Outcome::Value(Value::str("ZO'Brien-Smith.xJone"))
    );
    let user = serde_json::json!({"FirstName": "Ana", "LastName": "Lee..."});
    assert_eq!(
        expr.evaluate(&user, &mut ctx).unwrap(),
        Outcome::Value(Value::str("ALee"))
    );
}

fn find(section_end: &str, needle: &str) -> attrmap::Expression {
    let e = corpus()
        .into_iter()
        .find(|e| {
            e["source"].as_str().unwrap().ends_with(section_end)
                && e["expression"].as_str().unwrap().contains(needle)
        })
        .unwrap_or_else(|| panic!("no {needle} in {section_end}"));
    attrmap::compile(e["expression"].as_str().unwrap()).unwrap()
}

fn value(expr: &attrmap::Expression, user: serde_json::Value) -> Outcome<'static> {
    let now = chrono::DateTime::parse_from_rfc3339("2025-07-30T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    match expr.evaluate(&user, &mut Context::new().with_now(now)) {
        Ok(o) => o.into_owned(),
        Err(e) => panic!("{e:?}"),
    }
}

/// The published outputs of guide expressions whose null or empty input
/// the documents spell out: what an admin would check first.
#[test]
fn guide_examples_give_the_published_outputs() {
    let sf = "successfactors-expression-mapping-functions-guide.md";
    // Scenario 2 of "Writeback conditional logic": an empty extensionAttribute9.
    let e = find(sf, "noemail@contoso.com");
    assert_eq!(
        value(
            &e,
            serde_json::json!({"extensionAttribute9": "", "mail": "user@company.com"})
        ),
        Outcome::Value(Value::str("noemail@contoso.com"))
    );
    // Padding a person id to eight characters.
    let e = find(sf, "00000000");
    assert_eq!(
        value(&e, serde_json::json!({"personIdExternal": "12345"})),
        Outcome::Value(Value::str("00012345"))
    );
    // Three-argument FormatDateTime (no dateTimeStyles), as the guide writes
    // it. The guide prints 441481535990000000 for 2099-12-31T23:59:59-04:00,
    // but that FILETIME is 3000-12-31T23:59:59Z; the date's own is this one.
    let e = find(sf, "\"12/31/9999 12:00:00 AM\"");
    assert_eq!(
        value(&e, serde_json::json!({"endDate": "12/31/9999 12:00:00 AM"})),
        Outcome::Value(Value::Int(157469327990000000))
    );
    assert_eq!(
        value(&e, serde_json::json!({"endDate": "8/15/2025 12:00:00 AM"})),
        Outcome::Value(Value::Int(133997903990000000))
    );
    let wd = "workday-expression-mapping-functions-guide.md";
    // A Teams number without a space after the country code.
    let e = find(wd, "\"GER\"");
    assert_eq!(
        value(&e, serde_json::json!({"telephoneNumber": "+493012345678"})),
        Outcome::Value(Value::str("GER"))
    );
    let e = find(wd, "HereditarySuffix");
    assert_eq!(
        value(
            &e,
            serde_json::json!({"HereditarySuffix": "NLD_Van_der3", "PreferredLastName": "Hof"})
        ),
        Outcome::Value(Value::str("Van der Hof"))
    );
}
