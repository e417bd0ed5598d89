//! A top-level Switch on a mapping that applies on updates, which Entra may
//! send as null.

use super::{call_of, finding, AttributeContext, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::mapping::FlowType;
use crate::syntax::Expr;

pub const SPEC: Spec = spec(
    "attrmap::lint::switch-null-on-update",
    Severity::Warning,
    "A Switch mapping may be sent as null on updates.",
    "Microsoft documents that when another attribute of the user changes but the Switch's source does not, the Switch is evaluated as null and the target attribute is cleared. Microsoft's resolution is nested IIF.",
    Mapping {
        shown: "companyName ← Switch([companyName], \"External\", \"Company A\", \"A\")",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization", "expression": "Switch([companyName], \"External\", \"Company A\", \"A\")"}]}]}"#,
    },
    Mapping {
        shown: "companyName ← IIF([companyName]=\"Company A\", \"A\", \"External\")",
        file: r#"{"objects": [{"object": "User", "mappings": [{"target": "userName", "attribute": "mail", "match": 1}, {"target": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization", "expression": "IIF([companyName]=\"Company A\", \"A\", \"External\")"}]}]}"#,
    },
);

pub const RULE: Rule = Rule {
    code: Code::SwitchNullOnUpdate,
    check: Check::AttributeExpression(check),
};

fn check(c: &AttributeContext<'_>, ast: &Expr, diags: &mut Vec<Diagnostic>) {
    let top_is_switch = call_of(ast).is_some_and(|(id, _)| id == FnId::Switch);
    // Alone in its object mapping, the Switch's source changing is the only
    // update, so the documented case cannot arise.
    if top_is_switch && c.attribute.flow == FlowType::Always && c.always_count > 1 {
        diags.push(finding(
            Code::SwitchNullOnUpdate,
            c.source_span(),
            format!("{} uses Switch; Entra may send it as null when another attribute of the object changes", c.attribute.target),
            "Microsoft's resolution is nested IIF: IIF([x]=\"a\", \"A\", IIF([x]=\"b\", \"B\", \"default\"))",
        ));
    }
}
