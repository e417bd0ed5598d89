//! A function that Entra's app provisioning reference does not document:
//! one only the Cloud Sync reference describes (Trim, DNComponent, …), or one
//! no Microsoft reference describes (Len, …). The catalogue's provenance
//! decides, so a function added there is covered without a list here.

use super::{Check, Rule};
use crate::catalogue::{FnId, Provenance};
use crate::codes::{spec, Code, Example::Expression, Spec};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Call;

pub const SPEC: Spec = spec(
    "attrmap::lint::undocumented-function",
    Severity::Warning,
    "The function is not in app provisioning's function reference.",
    "Microsoft's reference for app provisioning expressions (functions-for-customizing-application-data) does not list this function. Some are documented only for Entra Cloud Sync (Trim, ConvertFromBase64, DNComponent, StringFromSID, Error, CRef); others appear in no reference at all but are seen working in tenants (Len, reported in MicrosoftDocs/azure-docs#112073). attrmap evaluates them as it reads them, but Entra's app provisioning makes no promise: a later service change can reject the mapping or change its result without notice. Prefer a documented function, or keep the mapping and re-test it with provisioning on demand after changes.",
    Expression("IIF(Len([userPrincipalName]) > 20, [givenName], [surname])"),
    Expression("Switch(Mid([userPrincipalName], 21, 1), [givenName], \"\", [surname])"),
);

pub const RULE: Rule = Rule {
    code: Code::UndocumentedFunction,
    check: Check::Call(check),
};

fn check(id: FnId, c: &Call, diags: &mut Vec<Diagnostic>) {
    let spec = id.spec();
    let (where_documented, help) = match spec.provenance {
        Provenance::AppProvisioning => return,
        // Microsoft calls it in an example but describes it nowhere, and
        // only the run can supply the tenant's domain.
        Provenance::Undocumented if id == FnId::DefaultDomain => (
            "is in no Microsoft function reference (only the inbound provisioning API FAQ's UPN example calls it)",
            "attrmap evaluates it only with the tenant's default domain given (`--default-domain DOMAIN`); test the mapping with provisioning on demand",
        ),
        Provenance::CloudSync => (
            "is documented only in the Entra Cloud Sync reference, not for app provisioning",
            "use a function from the app provisioning reference if one does the job (`attrmap functions` marks the others); otherwise test the mapping with provisioning on demand",
        ),
        Provenance::Undocumented => (
            "is not documented in any Microsoft reference",
            "use a documented function if one does the job (`attrmap functions` marks the others); otherwise test the mapping with provisioning on demand",
        ),
    };
    diags.push(
        Diagnostic::new(
            Code::UndocumentedFunction,
            c.name_span,
            format!("{} {where_documented}", spec.name),
        )
        .with_help(help),
    );
}
