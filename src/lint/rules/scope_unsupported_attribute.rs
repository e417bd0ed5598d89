//! A scoping filter on an attribute Entra does not support in scoping filters.

use super::{finding, Check, ObjectContext, Rule};
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::mapping::scim::AttrType;

pub const SPEC: Spec = spec(
    "attrmap::lint::scope-unsupported-attribute",
    Severity::Warning,
    "A scoping filter uses an attribute Entra does not support in scoping filters.",
    "Microsoft's known issues for provisioning (known-issues.md, \"Unsupported scoping filters\" and \"Multivalue directory extensions\") list attributes that scoping filters cannot use: appRoleAssignments, userType, manager, date-type attributes (StatusHireDate, startDate, endDate, StatusTerminationDate, accountExpires) and multi-valued directory extensions. attrmap also reports any attribute the schema's source directory declares as DateTime or multi-valued. Such a filter does not scope as written, so users flow (or not) regardless of it. Filter on a supported single-valued attribute instead, or compute the condition in an expression mapping.",
    Mapping {
        shown: "scope: userType EQUALS \"Member\"",
        file: r#"{"objects": [{"object": "User", "scope": [[{"attribute": "userType", "operator": "EQUALS", "value": "Member"}]], "mappings": [{"target": "userName", "attribute": "userPrincipalName", "match": 1}]}]}"#,
    },
    Mapping {
        shown: "scope: department EQUALS \"Sales\"",
        file: r#"{"objects": [{"object": "User", "scope": [[{"attribute": "department", "operator": "EQUALS", "value": "Sales"}]], "mappings": [{"target": "userName", "attribute": "userPrincipalName", "match": 1}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::ScopeUnsupportedAttribute,
    check: Check::Object(check),
};

/// The attributes known-issues.md names, in its spelling.
const UNSUPPORTED: &[&str] = &[
    "appRoleAssignments",
    "userType",
    "manager",
    "StatusHireDate",
    "startDate",
    "endDate",
    "StatusTerminationDate",
    "accountExpires",
];

fn check(c: &ObjectContext<'_>, diags: &mut Vec<Diagnostic>) {
    let Some(scope) = &c.object.scope else {
        return;
    };
    for clause in scope
        .filters
        .iter()
        .flatten()
        .flat_map(|g| g.clauses.iter())
    {
        let name = clause.attribute.as_str();
        let why = if let Some(listed) = UNSUPPORTED.iter().find(|u| u.eq_ignore_ascii_case(name)) {
            if listed.starts_with("Status")
                || listed.ends_with("Date")
                || *listed == "accountExpires"
            {
                "it is a date, and Microsoft lists date attributes as unsupported in scoping filters"
            } else {
                "Microsoft lists it as unsupported in scoping filters"
            }
        } else {
            match c.source.and_then(|s| s.attribute(name)) {
                Some(d) if d.multivalued => {
                    "the source directory declares it multi-valued, and multi-valued attributes are unsupported in scoping filters"
                }
                Some(d) if d.declared_type() == Some(AttrType::DateTime) => {
                    "the source directory declares it a DateTime, and date attributes are unsupported in scoping filters"
                }
                _ => continue,
            }
        };
        diags.push(finding(
            Code::ScopeUnsupportedAttribute,
            clause.span,
            format!("the scoping filter on {name} does not work: {why} (known-issues.md)"),
            "filter on a supported single-valued attribute instead, or compute the condition in an expression mapping",
        ));
    }
}
