//! A top-level Switch on a mapping that applies on updates, which Entra may
//! send as null.

use super::{arg, call_of, finding, AttributeContext, Check, Rule};
use crate::catalogue::FnId;
use crate::codes::{spec, Code, Example::Mapping, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::mapping::FlowType;
use crate::syntax::{Expr, ExprKind};

pub const SPEC: Spec = spec(
    "attrmap::lint::switch-null-on-update",
    Severity::Warning,
    "A Switch mapping may be sent as null on updates.",
    "Microsoft's expression reference (functions-for-customizing-application-data.md, the caution under Switch) documents that when a mapping's Switch reads a source attribute that did not change while another mapped attribute did (a Switch on companyName, and an update of displayName), the Switch is evaluated as null and the target attribute is cleared; Microsoft's resolution is nested IIF. The statement is about attributes stored on the user. It does not cover IsSoftDeleted, which the provisioning service computes for every evaluation (how-provisioning-works.md) and which Microsoft's own default active mapping switches on in every SCIM app, so a Switch on IsSoftDeleted is not reported. A Switch alone in its object mapping is not reported either: no other attribute can change.",
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
    let Some((FnId::Switch, switch)) = call_of(ast) else {
        return;
    };
    // IsSoftDeleted is computed by the service each time, not a stored
    // attribute that can stay unchanged: outside the documented case.
    let on_computed_state = arg(switch, 0).is_some_and(|source| {
        matches!(&source.kind, ExprKind::Attribute(a) if a.eq_ignore_ascii_case("IsSoftDeleted"))
    });
    // Alone in its object mapping, the Switch's source changing is the only
    // update, so the documented case cannot arise.
    if !on_computed_state && c.attribute.flow == FlowType::Always && c.always_count > 1 {
        diags.push(finding(
            Code::SwitchNullOnUpdate,
            c.source_span(),
            format!("{} uses Switch; Entra may send it as null when another attribute of the object changes", c.attribute.target),
            "Microsoft's resolution is nested IIF: IIF([x]=\"a\", \"A\", IIF([x]=\"b\", \"B\", \"default\"))",
        ));
    }
}
