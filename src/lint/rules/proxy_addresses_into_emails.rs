//! proxyAddresses flowing into emails with their "SMTP:" prefixes.

use super::{attributes_read, finding, AttributeContext, Check, Rule};
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::eval::{Context, Outcome};
use crate::mapping::scim::ScimPath;
use crate::syntax::Expr;

pub const SPEC: Spec = spec(
    "attrmap::lint::proxy-addresses-into-emails",
    Severity::Warning,
    "proxyAddresses flow into emails with their SMTP: prefix.",
    "Entra ID stores proxyAddresses with their address type in front (\"SMTP:zoe@contoso.com\" for the primary address, \"smtp:…\" for the others, and other types such as \"x500:…\"). Microsoft's SCIM tutorial's example table maps proxyAddresses to emails[type eq \"other\"].value as it is (use-scim-to-provision-users-and-groups.md), and the target then stores \"SMTP:zoe@contoso.com\" as an email address. attrmap evaluates the mapping on prefixed addresses and reports it when a prefix reaches the output. Strip it, for example Replace([proxyAddresses], , \"(?i)^smtp:\", , \"\", , ), and keep only SMTP addresses.",
    Mapping {
        shown: "emails[type eq \"other\"].value ← [proxyAddresses]",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "userPrincipalName", "match": 1}, {"target": "emails[type eq \"other\"].value", "attribute": "proxyAddresses"}]}]}"#,
    },
    Mapping {
        shown: "emails[type eq \"other\"].value ← Replace([proxyAddresses], , \"(?i)^smtp:\", , \"\", , )",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "userPrincipalName", "match": 1}, {"target": "emails[type eq \"other\"].value", "expression": "Replace([proxyAddresses], , \"(?i)^smtp:\", , \"\", , )"}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::ProxyAddressesIntoEmails,
    check: Check::AttributeExpression(check),
};

fn check(c: &AttributeContext<'_>, ast: &Expr, diags: &mut Vec<Diagnostic>) {
    let a = c.attribute;
    let into_emails = ScimPath::parse(&a.target)
        .is_ok_and(|p| p.extension.is_none() && p.attribute.eq_ignore_ascii_case("emails"));
    let reads_proxy_addresses = attributes_read(ast)
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("proxyAddresses"));
    if !into_emails || !reads_proxy_addresses {
        return;
    }
    let Some(text) = a.source.expression_text() else {
        return;
    };
    let Ok(compiled) = crate::compile(&text) else {
        return;
    };
    // A primary and a secondary address, as Entra ID stores them.
    let user = serde_json::json!({"proxyAddresses": ["SMTP:zoe@contoso.com", "smtp:zoe.muller@contoso.com"]});
    let Ok(Outcome::Value(v)) = compiled.evaluate(&user, &mut Context::new()) else {
        return;
    };
    let sent = v.to_json().to_string().to_ascii_lowercase();
    if sent.contains("smtp:") {
        diags.push(finding(
            Code::ProxyAddressesIntoEmails,
            c.source_span(),
            format!("{} gets proxyAddresses with their SMTP: prefix (\"SMTP:zoe@contoso.com\" is not an email address)", a.target),
            "strip the prefix: Replace([proxyAddresses], , \"(?i)^smtp:\", , \"\", , )",
        ));
    }
}
