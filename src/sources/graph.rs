//! Microsoft Graph property names → the provisioning service's source
//! attribute names, and `IsSoftDeleted`, which Entra computes rather than
//! stores.
//!
//! Graph (`GET /users`, Graph PowerShell, `az ad user list`) and the Entra
//! provisioning service name some attributes differently: mappings read
//! `[objectId]` and `[mobile]` where Graph says `id` and `mobilePhone`. The
//! table below is the one place these names live; docs/mapping.md's table is
//! generated from it (`tests/sources.rs` checks it is current).

use crate::eval::{FlatRecord, FlatValue};
use serde_json::Value as Json;

/// How one Graph property becomes source attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The same value under the provisioning service's name.
    Rename(&'static str),
    /// The first string of a collection (Graph's `businessPhones` is a list;
    /// the provisioning service's `telephoneNumber` is one value).
    First(&'static str),
    /// Each property of a nested object becomes an attribute of its own
    /// (`onPremisesExtensionAttributes.extensionAttribute1` →
    /// `extensionAttribute1`).
    Flatten,
    /// An expanded object (`$expand=manager`) becomes its `id`.
    IdOf(&'static str),
    /// An expanded collection (`$expand=members`) becomes its objects' ids.
    IdsOf(&'static str),
}

/// One row of [`GRAPH_NAMES`].
#[derive(Debug, Clone, Copy)]
pub struct GraphName {
    /// The Graph property (v1.0 and beta spell these alike), matched
    /// case-insensitively so Graph PowerShell's PascalCase matches too.
    pub graph: &'static str,
    pub rule: Rule,
}

const fn row(graph: &'static str, rule: Rule) -> GraphName {
    GraphName { graph, rule }
}

/// Every Graph property whose provisioning-service name differs. Properties
/// not listed (`displayName`, `mail`, `department`, `employeeId`,
/// `extension_<appId>_<name>`, …) have the same name in both and are kept
/// as they are.
pub const GRAPH_NAMES: &[GraphName] = &[
    row("id", Rule::Rename("objectId")),
    row("mobilePhone", Rule::Rename("mobile")),
    row("businessPhones", Rule::First("telephoneNumber")),
    row("faxNumber", Rule::Rename("facsimileTelephoneNumber")),
    row("officeLocation", Rule::Rename("physicalDeliveryOfficeName")),
    row("onPremisesExtensionAttributes", Rule::Flatten),
    row("onPremisesSyncEnabled", Rule::Rename("dirSyncEnabled")),
    row("manager", Rule::IdOf("manager")),
    row("members", Rule::IdsOf("members")),
];

/// Graph PowerShell's bag of properties its model does not declare
/// (directory extensions, `@odata.type`): merged into the record.
const ADDITIONAL_PROPERTIES: &str = "AdditionalProperties";

fn rule_for(key: &str) -> Option<Rule> {
    GRAPH_NAMES
        .iter()
        .find(|r| r.graph.eq_ignore_ascii_case(key))
        .map(|r| r.rule)
}

/// Whether `key` is one of Graph's names that the provisioning service
/// spells differently, or Graph-only metadata: used to tell a Graph export
/// from a file that already has the provisioning service's names.
pub(crate) fn is_graph_key(key: &str) -> bool {
    key.starts_with("@odata.")
        || key.eq_ignore_ascii_case(ADDITIONAL_PROPERTIES)
        || rule_for(key).is_some()
}

/// What ConvertTo-Json writes for an object deeper than its `-Depth`
/// (default 2): the .NET type name instead of the value.
fn is_truncated_by_convert_to_json(s: &str) -> bool {
    s.starts_with("Microsoft.Graph.PowerShell.Models.")
        || s.starts_with("System.Collections.Generic.")
        || s == "System.Collections.Hashtable"
}

/// Writes `src` (a Graph object, any casing) into `dst` with the
/// provisioning service's names. An attribute that the source already
/// carries under the provisioning name wins over a translated one. `Err`
/// names a value that cannot be read: one that ConvertTo-Json cut off.
pub fn normalise(src: &FlatRecord, dst: &mut FlatRecord) -> Result<(), String> {
    dst.clear();
    // Plain attributes first, so that the translated ones (second pass)
    // never overwrite a value the export gave under the provisioning name.
    for (key, value) in src.entries() {
        if key.starts_with("@odata.")
            || key.eq_ignore_ascii_case(ADDITIONAL_PROPERTIES)
            || rule_for(key).is_some()
        {
            continue;
        }
        check_not_truncated(key, value)?;
        insert(dst, key, value);
    }
    for (key, value) in src.entries() {
        if key.eq_ignore_ascii_case(ADDITIONAL_PROPERTIES) {
            if let FlatValue::Json(Json::Object(extra)) = value {
                for (k, v) in extra.iter().filter(|(k, _)| !k.starts_with("@odata.")) {
                    if !dst.contains_exact(k) {
                        check_not_truncated(k, FlatValue::Json(v))?;
                        dst.insert(k, v.clone());
                    }
                }
            } else {
                check_not_truncated(key, value)?;
            }
            continue;
        }
        let Some(rule) = rule_for(key) else { continue };
        check_not_truncated(key, value)?;
        apply(rule, key, value, dst)?;
    }
    Ok(())
}

fn check_not_truncated(key: &str, value: FlatValue<'_>) -> Result<(), String> {
    let truncated = match value {
        FlatValue::Str(s) => is_truncated_by_convert_to_json(s),
        FlatValue::Json(j) => contains_truncated(j, 0),
    };
    if truncated {
        return Err(format!(
            "{key} holds a .NET type name instead of its value: ConvertTo-Json cut the \
             export at its default depth; export again with ConvertTo-Json -Depth 10"
        ));
    }
    Ok(())
}

fn contains_truncated(v: &Json, depth: usize) -> bool {
    match v {
        Json::String(s) => is_truncated_by_convert_to_json(s),
        // Records are bounded in size; the depth bound keeps the walk cheap.
        _ if depth > 4 => false,
        Json::Array(items) => items.iter().any(|i| contains_truncated(i, depth + 1)),
        Json::Object(m) => m.values().any(|i| contains_truncated(i, depth + 1)),
        _ => false,
    }
}

fn insert(dst: &mut FlatRecord, key: &str, value: FlatValue<'_>) {
    match value {
        FlatValue::Str(s) => dst.insert_str(key, s),
        FlatValue::Json(j) => dst.insert(key, j.clone()),
    }
}

/// The `id` of an expanded object, in either casing.
fn id_of(v: &Json) -> Option<&Json> {
    let m = v.as_object()?;
    m.get("id")
        .or_else(|| m.get("Id"))
        .filter(|id| !id.is_null())
}

fn apply(rule: Rule, key: &str, value: FlatValue<'_>, dst: &mut FlatRecord) -> Result<(), String> {
    let put = |dst: &mut FlatRecord, name: &str, v: FlatValue<'_>| {
        if !dst.contains_exact(name) {
            insert(dst, name, v);
        }
    };
    match (rule, value) {
        (Rule::Rename(name), v) => put(dst, name, v),
        (Rule::First(name), FlatValue::Json(Json::Array(items))) => {
            if let Some(first) = items.iter().find(|i| !i.is_null()) {
                put(dst, name, FlatValue::Json(first));
            }
        }
        (Rule::First(name), v) => put(dst, name, v),
        (Rule::Flatten, FlatValue::Json(Json::Object(m))) => {
            for (k, v) in m.iter().filter(|(k, _)| !k.starts_with("@odata.")) {
                // PowerShell writes ExtensionAttribute1; the provisioning
                // service's name starts in lower case.
                let mut name = k.clone();
                if let Some(first) = name.get(..1) {
                    let lower = first.to_ascii_lowercase();
                    name.replace_range(..1, &lower);
                }
                if !v.is_null() {
                    put(dst, &name, FlatValue::Json(v));
                }
            }
        }
        (Rule::Flatten, FlatValue::Json(Json::Null)) => {}
        (Rule::Flatten, _) => {
            return Err(format!(
                "{key} should be an object of extension attributes, as Graph returns it"
            ))
        }
        (Rule::IdOf(name), FlatValue::Json(j @ Json::Object(_))) => match id_of(j) {
            Some(id) => put(dst, name, FlatValue::Json(id)),
            None => return Err(format!("{key} is an object without an id")),
        },
        (Rule::IdOf(name), v) => put(dst, name, v),
        (Rule::IdsOf(name), FlatValue::Json(Json::Array(items))) => {
            let mut ids = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Json::String(_) => ids.push(item.clone()),
                    _ => match id_of(item) {
                        Some(id) => ids.push(id.clone()),
                        None => return Err(format!("an object in {key} has no id")),
                    },
                }
            }
            put(dst, name, FlatValue::Json(&Json::Array(ids)));
        }
        (Rule::IdsOf(name), v) => put(dst, name, v),
    }
    Ok(())
}

/// The attribute Entra computes for every source object.
pub const IS_SOFT_DELETED: &str = "IsSoftDeleted";

/// The attributes [`derive_is_soft_deleted`] reads, so a decoder that
/// skips what the mapping does not read keeps them.
pub const SOFT_DELETION_INPUTS: [&str; 2] = ["deletedDateTime", "accountEnabled"];

/// What can be known offline about `IsSoftDeleted`, added to a record that
/// does not carry it: true when the object is soft-deleted (a non-null
/// `deletedDateTime`, as `GET /directory/deletedItems` returns it) or its
/// `accountEnabled` is false; false when `accountEnabled` is true. With
/// neither, nothing is added: whether the account is enabled is unknown, and
/// a guess would send `active` wrongly. Being out of scope (unassigned, or
/// filtered out by a scoping filter) also makes Entra set it to true; offline
/// the scoping filter skips such a record instead (`"skipped": "scope"`).
pub fn derive_is_soft_deleted(record: &mut FlatRecord) {
    let [deleted_at, account_enabled] = SOFT_DELETION_INPUTS;
    use crate::eval::Record;
    use crate::value::Value;
    if record.attribute(IS_SOFT_DELETED).is_some() {
        return;
    }
    let deleted = match record.attribute(deleted_at) {
        Some(v) => !v.is_null_or_empty(),
        None => false,
    };
    let enabled = match record.attribute(account_enabled) {
        Some(Value::Bool(b)) => Some(b),
        Some(Value::Str(s)) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Some(Value::Str(s)) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    };
    let soft_deleted = match (deleted, enabled) {
        (true, _) | (_, Some(false)) => true,
        (false, Some(true)) => false,
        (false, None) => return,
    };
    record.insert(IS_SOFT_DELETED, Json::Bool(soft_deleted));
}

/// The table as Markdown rows, for docs/mapping.md.
pub fn markdown_table() -> String {
    let mut out = String::from("| Graph property | Source attribute |\n|---|---|\n");
    for r in GRAPH_NAMES {
        let target = match r.rule {
            Rule::Rename(n) => format!("`{n}`"),
            Rule::First(n) => format!("`{n}` (the first value)"),
            Rule::Flatten => {
                "each property by its own name (`extensionAttribute1` … `extensionAttribute15`)"
                    .into()
            }
            Rule::IdOf(n) => format!("`{n}`: the expanded object's `id`"),
            Rule::IdsOf(n) => format!("`{n}`: the expanded objects' `id`s"),
        };
        out.push_str(&format!("| `{}` | {target} |\n", r.graph));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Record;
    use crate::value::Value;

    fn normalised(json: &str) -> Result<FlatRecord, String> {
        let mut src = FlatRecord::new();
        src.read_json(json.as_bytes()).unwrap();
        let mut dst = FlatRecord::new();
        normalise(&src, &mut dst).map(|()| dst)
    }

    fn text(r: &FlatRecord, name: &str) -> Option<String> {
        r.attribute(name).map(|v| v.to_text().into_owned())
    }

    #[test]
    fn graph_names_become_provisioning_names() {
        let r = normalised(
            r##"{"@odata.type": "#microsoft.graph.user", "id": "u1", "mobilePhone": "+1 1",
                "businessPhones": ["+1 2", "+1 3"], "faxNumber": "+1 4", "officeLocation": "B1",
                "onPremisesExtensionAttributes": {"extensionAttribute1": "x1", "extensionAttribute2": null},
                "onPremisesSyncEnabled": true, "manager": {"@odata.type": "#microsoft.graph.user", "id": "m1"},
                "extension_abc_costCenter": "CC"}"##,
        )
        .unwrap();
        for (name, want) in [
            ("objectId", "u1"),
            ("mobile", "+1 1"),
            ("telephoneNumber", "+1 2"),
            ("facsimileTelephoneNumber", "+1 4"),
            ("physicalDeliveryOfficeName", "B1"),
            ("extensionAttribute1", "x1"),
            ("dirSyncEnabled", "True"),
            ("manager", "m1"),
            ("extension_abc_costCenter", "CC"),
        ] {
            assert_eq!(text(&r, name).as_deref(), Some(want), "{name}");
        }
        for gone in [
            "id",
            "mobilePhone",
            "businessPhones",
            "@odata.type",
            "extensionAttribute2",
        ] {
            assert!(r.attribute(gone).is_none(), "{gone}");
        }
    }

    #[test]
    fn powershell_casing_and_additional_properties() {
        let r = normalised(
            r#"{"Id": "u1", "MobilePhone": "+1", "DisplayName": "Zoë",
                "OnPremisesExtensionAttributes": {"ExtensionAttribute3": "x3"},
                "Manager": {"Id": "m1", "AdditionalProperties": {}},
                "AdditionalProperties": {"@odata.context": "https://x", "extension_abc_level": 7}}"#,
        )
        .unwrap();
        assert_eq!(text(&r, "objectId").as_deref(), Some("u1"));
        assert_eq!(text(&r, "mobile").as_deref(), Some("+1"));
        assert_eq!(text(&r, "displayName").as_deref(), Some("Zoë"));
        assert_eq!(text(&r, "extensionAttribute3").as_deref(), Some("x3"));
        assert!(r.contains_exact("extensionAttribute3"));
        assert_eq!(text(&r, "manager").as_deref(), Some("m1"));
        assert_eq!(r.attribute("extension_abc_level"), Some(Value::Int(7)));
    }

    #[test]
    fn the_provisioning_name_wins_and_members_become_ids() {
        let r = normalised(r#"{"id": "g", "objectId": "kept", "members": [{"id": "a"}, "b"]}"#)
            .unwrap();
        assert_eq!(text(&r, "objectId").as_deref(), Some("kept"));
        assert_eq!(
            r.attribute("members"),
            Some(Value::List(vec![Value::str("a"), Value::str("b")]))
        );
    }

    #[test]
    fn a_value_cut_by_convert_to_json_is_an_error() {
        let e = normalised(
            r#"{"Id": "u1", "Manager": {"Id": "m", "AdditionalProperties": "System.Collections.Generic.Dictionary`2[System.String,System.Object]"}}"#,
        )
        .unwrap_err();
        assert!(e.contains("-Depth"), "{e}");
    }

    #[test]
    fn is_soft_deleted_from_what_the_export_says() {
        let derive = |json: &str| {
            let mut r = FlatRecord::new();
            r.read_json(json.as_bytes()).unwrap();
            derive_is_soft_deleted(&mut r);
            r.attribute(IS_SOFT_DELETED)
                .map(|v| v.to_text().into_owned())
        };
        assert_eq!(
            derive(r#"{"accountEnabled": true}"#).as_deref(),
            Some("False")
        );
        assert_eq!(
            derive(r#"{"accountEnabled": false}"#).as_deref(),
            Some("True")
        );
        assert_eq!(
            derive(r#"{"accountEnabled": "False"}"#).as_deref(),
            Some("True")
        );
        assert_eq!(
            derive(r#"{"accountEnabled": true, "deletedDateTime": "2024-01-01T00:00:00Z"}"#)
                .as_deref(),
            Some("True")
        );
        assert_eq!(derive(r#"{"mail": "a@b"}"#), None);
        // An explicit value wins.
        assert_eq!(
            derive(r#"{"accountEnabled": false, "isSoftDeleted": "False"}"#).as_deref(),
            Some("False")
        );
    }
}
