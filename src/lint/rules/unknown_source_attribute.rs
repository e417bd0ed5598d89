//! An expression reads a source attribute the schema's directory does not
//! list.

use super::{attributes_read, AttributeContext, Check, Rule};
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{did_you_mean, Diagnostic, Severity};
use crate::syntax::Expr;

pub const SPEC: Spec = spec(
    "attrmap::lint::unknown-source-attribute",
    Severity::Warning,
    "A source attribute is not in the source directory's attribute list.",
    "When the schema lists the source directory's attributes, a name that is not among them is almost always a typo and always reads as null.",
    Mapping {
        shown: "[departmnet]",
        file: r#"{"directories": [{"name": "Azure Active Directory", "objects": [{"name": "User", "attributes": [{"name": "mail", "type": "String"}, {"name": "department", "type": "String"}]}]}], "synchronizationRules": [{"name": "USER_OUTBOUND_USER", "objectMappings": [{"name": "Users", "enabled": true, "sourceObjectName": "User", "targetObjectName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "attributeMappings": [{"targetAttributeName": "userName", "matchingPriority": 1, "source": {"type": "Attribute", "name": "mail"}}, {"targetAttributeName": "title", "source": {"type": "Function", "expression": "ToUpper([departmnet])"}}]}]}]}"#,
    },
    Mapping {
        shown: "[department]",
        file: r#"{"directories": [{"name": "Azure Active Directory", "objects": [{"name": "User", "attributes": [{"name": "mail", "type": "String"}, {"name": "department", "type": "String"}]}]}], "synchronizationRules": [{"name": "USER_OUTBOUND_USER", "objectMappings": [{"name": "Users", "enabled": true, "sourceObjectName": "User", "targetObjectName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "attributeMappings": [{"targetAttributeName": "userName", "matchingPriority": 1, "source": {"type": "Attribute", "name": "mail"}}, {"targetAttributeName": "title", "source": {"type": "Function", "expression": "ToUpper([department])"}}]}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::UnknownSourceAttribute,
    check: Check::AttributeExpression(check),
};

fn check(c: &AttributeContext<'_>, ast: &Expr, diags: &mut Vec<Diagnostic>) {
    let known = &c.object.source_attributes;
    if known.is_empty() {
        return;
    }
    for (name, span) in attributes_read(ast) {
        if known.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            continue;
        }
        let d = Diagnostic::new(
            Code::UnknownSourceAttribute,
            c.to_file(span),
            format!("[{name}] is not an attribute of the source directory in this schema"),
        );
        diags.push(match did_you_mean(name, known.iter().copied()) {
            Some(s) => d.with_help(format!("did you mean [{s}]?")),
            None => d.with_help(
                "check the spelling, or add the attribute to the source directory's attribute list",
            ),
        });
    }
}
