//! Every expression collected from Microsoft's published provisioning docs
//! (tests/data/ms-expressions.json) compiles with attrmap; an expression
//! that needs a function attrmap lacks names it in `missing`, and then must
//! fail with unknown-function for exactly that function. An entry that copies
//! an obvious doc typo says so in `typo` and names its `corrected` text.

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
        // An entry copied with an obvious doc typo says why ("typo") and
        // names its corrected text, which must be an entry of the same page.
        if let Some(why) = e.get("typo") {
            assert!(why.as_str().is_some_and(|w| !w.is_empty()), "{text}");
            let corrected = e["corrected"].as_str().unwrap();
            assert_ne!(corrected, text);
            assert!(
                all.iter().any(|c| c["source"] == e["source"]
                    && c["expression"] == corrected
                    && c.get("typo").is_none()),
                "{source}: the corrected form of a typo entry is not in the corpus"
            );
        }
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

/// Outputs the newer pages state in prose next to their expressions.
#[test]
fn app_provisioning_page_examples_give_the_published_outputs() {
    // workday-retrieve-pronoun-information.md: "Aaron Hall" with HE/HIM.
    let e = find(
        "workday-retrieve-pronoun-information.md",
        "PreferredPronoun",
    );
    assert_eq!(
        value(
            &e,
            serde_json::json!({"PreferredNameData": "Aaron Hall", "PreferredPronoun": "HE/HIM"})
        ),
        Outcome::Value(Value::str("Aaron Hall (HE/HIM)"))
    );
    assert_eq!(
        value(
            &e,
            serde_json::json!({"PreferredNameData": "Aaron Hall", "PreferredPronoun": ""})
        ),
        Outcome::Value(Value::str("Aaron Hall"))
    );
    // provision-user-with-expression-builder.md, scenario 3: the first two
    // characters of the object id put before the listed user's UPN.
    let e = find(
        "provision-user-with-expression-builder.md",
        "Append(Mid([objectId], 1, 2), [userPrincipalName])",
    );
    let upn = "Aman.Gupta@xpl57.onmicrosoft.com";
    assert_eq!(
        value(
            &e,
            serde_json::json!({"userPrincipalName": upn, "objectId": "39d0c1a2-0000-4000-8000-000000000000"})
        ),
        Outcome::Value(Value::str("39Aman.Gupta@xpl57.onmicrosoft.com"))
    );
    let other = "someone@xpl57.onmicrosoft.com";
    assert_eq!(
        value(
            &e,
            serde_json::json!({"userPrincipalName": other, "objectId": "39d0c1a2"})
        ),
        Outcome::Value(Value::str(other))
    );
    // inbound-provisioning-api-custom-attributes.md: a SCIM extension
    // attribute named by its full URN. The page's prose says the result is
    // "Tour Lead (TL-1001)", but its expression joins "(" with no space
    // before it; attrmap gives what the expression says.
    let e = find("inbound-provisioning-api-custom-attributes.md", "JobCode");
    assert_eq!(
        value(
            &e,
            serde_json::json!({
                "title": "Tour Lead",
                "urn:ietf:params:scim:schemas:extension:contoso:1.0:User:JobCode": "TL-1001"
            })
        ),
        Outcome::Value(Value::str("Tour Lead(TL-1001)"))
    );
    // The LDAP connector page's POSIX example: user bsimon gets uid bsimon
    // and home directory /home/bsimon (its sample LDIF entry).
    let ldap = "app-provisioning-ldap.md";
    let user = serde_json::json!({"userPrincipalName": "BSimon@contoso.com"});
    let e = find(ldap, "Join(\"/\"");
    assert_eq!(
        value(&e, user.clone()),
        Outcome::Value(Value::str("/home/bsimon"))
    );
    let e = find(
        ldap,
        "Join(\"\", \"CN=\", Word([userPrincipalName], 1, \"@\"), \",DC",
    );
    assert_eq!(
        value(&e, user),
        Outcome::Value(Value::str("CN=BSimon,DC=Contoso,DC=lab"))
    );
    // configure-workday-termination-lookahead.md: an active worker whose last
    // day of work is today (UTC+9, as the page's Japan example) is disabled.
    // The page's code block writes [Active\]; read literally that names an
    // attribute Workday does not have, and the account would stay enabled.
    let page = "configure-workday-termination-lookahead.md";
    let worker = serde_json::json!({"Active": "1", "StatusTerminationLastDayOfWork": "2025-07-30"});
    let entries: Vec<_> = corpus()
        .into_iter()
        .filter(|e| e["source"].as_str().unwrap().ends_with(page))
        .filter(|e| {
            e["section"]
                .as_str()
                .unwrap()
                .starts_with("Workday-to-Microsoft Entra ID")
        })
        .collect();
    assert_eq!(entries.len(), 2);
    for e in entries {
        let expr = attrmap::compile(e["expression"].as_str().unwrap()).unwrap();
        let expected = if e.get("typo").is_some() {
            "True"
        } else {
            "False"
        };
        assert_eq!(
            value(&expr, worker.clone()),
            Outcome::Value(Value::str(expected)),
            "{}",
            e["section"]
        );
    }
    // docusign-provisioning-tutorial.md: the "DS Admin" role maps to the
    // permission profile 8032066. The page says no profile is provisioned
    // for a user without a role, but the Switch's default is " ": a single
    // space is what the expression gives, so that is what attrmap sends.
    let e = find("docusign-provisioning-tutorial.md", "DS Admin");
    let admin = serde_json::json!({"appRoleAssignments": [{"id": "1", "value": "DS Admin", "displayName": "DS Admin"}]});
    assert_eq!(value(&e, admin), Outcome::Value(Value::str("8032066")));
    let other = serde_json::json!({"appRoleAssignments": [{"id": "2", "value": "Reader", "displayName": "Reader"}]});
    assert_eq!(value(&e, other), Outcome::Value(Value::str(" ")));
    // The SAP ECC page: an account that is not soft-deleted never expires.
    let e = find("app-provisioning-sap.md", "IsSoftDeleted");
    assert_eq!(
        value(&e, serde_json::json!({"IsSoftDeleted": false})),
        Outcome::Value(Value::str("9999-12-31"))
    );
    assert_eq!(
        value(&e, serde_json::json!({"IsSoftDeleted": true})),
        Outcome::Value(Value::str("1990-01-01"))
    );
}

/// The inbound provisioning API FAQ's unique-UPN rule (repeated in
/// inbound-provisioning-api-issues.md): the userName's local part, three
/// random digits, `@` and the tenant's default domain. Without a domain the
/// rule fails rather than send a UPN ending in `@`.
#[test]
fn faq_unique_upn_rule_ends_in_the_default_domain() {
    let e = find("inbound-provisioning-api-faqs.md", "DefaultDomain()");
    let user = serde_json::json!({"userName": "jdoe@hr.contoso.com"});
    let mut ctx = Context::new()
        .with_seed(3)
        .with_default_domain("contoso.onmicrosoft.com");
    let upn = match e.evaluate(&user, &mut ctx).unwrap() {
        Outcome::Value(v) => v.to_text().into_owned(),
        other => panic!("{other:?}"),
    };
    let (local, domain) = upn.split_once('@').unwrap();
    assert_eq!(domain, "contoso.onmicrosoft.com");
    let digits = local.strip_prefix("jdoe").unwrap();
    assert!(
        digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()),
        "{upn}"
    );
    // Both engines agree, domain included.
    let mut ctx = Context::new()
        .with_seed(3)
        .with_default_domain("contoso.onmicrosoft.com");
    assert_eq!(
        e.evaluate_ast(&user, &mut ctx).unwrap().into_owned(),
        Outcome::Value(Value::string(upn))
    );

    for engine_fails in [
        e.evaluate(&user, &mut Context::new()).unwrap_err(),
        e.evaluate_ast(&user, &mut Context::new()).unwrap_err(),
    ] {
        assert_eq!(
            engine_fails.code.as_str(),
            "attrmap::eval::no-default-domain"
        );
    }
}
