//! SCIM 2.0 target paths (RFC 7644 §3.10) and what the builder knows of the
//! RFC 7643 core User, core Group and enterprise User schemas.

use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/scim_path.pest"]
struct ScimPathParser;

pub const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const CORE_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A parsed target path. The core schema URN prefix is dropped (it means a
/// top-level attribute); any other URN is an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimPath {
    /// Extension schema URN, None for the core schema.
    pub extension: Option<String>,
    pub attribute: String,
    /// `[type eq "work"]`: the sub-attribute and the value as written (strings unquoted).
    pub filter: Option<(String, String)>,
    pub sub_attribute: Option<String>,
}

impl ScimPath {
    pub fn parse(text: &str) -> Result<ScimPath, String> {
        let mut pairs = ScimPathParser::parse(Rule::path, text).map_err(|e| {
            let at = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            format!(
                "{text:?} is not a SCIM attribute path (problem at character {}); examples: userName, name.givenName, emails[type eq \"work\"].value, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                at + 1
            )
        })?;
        let path = pairs.next().ok_or("empty path")?;
        let mut out = ScimPath {
            extension: None,
            attribute: String::new(),
            filter: None,
            sub_attribute: None,
        };
        for p in path.into_inner() {
            match p.as_rule() {
                Rule::urn => {
                    let urn = p.as_str().trim_end_matches(':');
                    let core =
                        urn.eq_ignore_ascii_case(CORE_USER) || urn.eq_ignore_ascii_case(CORE_GROUP);
                    if !core {
                        out.extension = Some(urn.to_string());
                    }
                }
                Rule::attr_path => {
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::attr_name => out.attribute = q.as_str().to_string(),
                            Rule::sub_attr => out.sub_attribute = Some(q.as_str().to_string()),
                            Rule::value_filter => {
                                let mut it = q.into_inner();
                                let attr = it.next().map(|x| x.as_str().to_string());
                                let _op = it.next();
                                let val = it.next().map(|v| match v.as_rule() {
                                    Rule::string => {
                                        unescape(v.into_inner().next().map_or("", |i| i.as_str()))
                                    }
                                    _ => v.as_str().to_string(),
                                });
                                if let (Some(a), Some(v)) = (attr, val) {
                                    out.filter = Some((a, v));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut esc = false;
    for c in s.chars() {
        if esc {
            out.push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else {
            out.push(c);
        }
    }
    out
}

/// RFC 7643 attribute types the builder converts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    String,
    Boolean,
    Integer,
    DateTime,
    Reference,
    Complex,
}

/// What the builder knows of one attribute.
#[derive(Debug, Clone, Copy)]
pub struct AttrDef {
    pub name: &'static str,
    pub ty: AttrType,
    pub multi_valued: bool,
    /// Sub-attributes of a complex attribute, with their types.
    pub subs: &'static [(&'static str, AttrType)],
}

use AttrType as T;
const MULTI_SUBS: &[(&str, AttrType)] = &[
    ("value", T::String),
    ("display", T::String),
    ("type", T::String),
    ("primary", T::Boolean),
];
const NAME_SUBS: &[(&str, AttrType)] = &[
    ("formatted", T::String),
    ("familyName", T::String),
    ("givenName", T::String),
    ("middleName", T::String),
    ("honorificPrefix", T::String),
    ("honorificSuffix", T::String),
];
const ADDRESS_SUBS: &[(&str, AttrType)] = &[
    ("formatted", T::String),
    ("streetAddress", T::String),
    ("locality", T::String),
    ("region", T::String),
    ("postalCode", T::String),
    ("country", T::String),
    ("type", T::String),
    ("primary", T::Boolean),
];
const REF_SUBS: &[(&str, AttrType)] = &[
    ("value", T::String),
    ("$ref", T::Reference),
    ("display", T::String),
    ("displayName", T::String),
    ("type", T::String),
];

const fn s(name: &'static str) -> AttrDef {
    AttrDef {
        name,
        ty: T::String,
        multi_valued: false,
        subs: &[],
    }
}
const fn mv(name: &'static str, subs: &'static [(&'static str, AttrType)]) -> AttrDef {
    AttrDef {
        name,
        ty: T::Complex,
        multi_valued: true,
        subs,
    }
}

pub const USER_ATTRS: &[AttrDef] = &[
    s("userName"),
    AttrDef {
        name: "name",
        ty: T::Complex,
        multi_valued: false,
        subs: NAME_SUBS,
    },
    s("displayName"),
    s("nickName"),
    s("profileUrl"),
    s("title"),
    s("userType"),
    s("preferredLanguage"),
    s("locale"),
    s("timezone"),
    AttrDef {
        name: "active",
        ty: T::Boolean,
        multi_valued: false,
        subs: &[],
    },
    s("password"),
    s("externalId"),
    mv("emails", MULTI_SUBS),
    mv("phoneNumbers", MULTI_SUBS),
    mv("ims", MULTI_SUBS),
    mv("photos", MULTI_SUBS),
    mv("addresses", ADDRESS_SUBS),
    mv("groups", REF_SUBS),
    mv("entitlements", MULTI_SUBS),
    mv("roles", MULTI_SUBS),
    mv("x509Certificates", MULTI_SUBS),
];

pub const ENTERPRISE_ATTRS: &[AttrDef] = &[
    s("employeeNumber"),
    s("costCenter"),
    s("organization"),
    s("division"),
    s("department"),
    AttrDef {
        name: "manager",
        ty: T::Complex,
        multi_valued: false,
        subs: REF_SUBS,
    },
];

pub const GROUP_ATTRS: &[AttrDef] = &[s("displayName"), s("externalId"), mv("members", REF_SUBS)];

/// The definition of `attribute` in `schema` (case-insensitive, as SCIM names are).
pub fn lookup(defs: &'static [AttrDef], attribute: &str) -> Option<&'static AttrDef> {
    defs.iter().find(|d| d.name.eq_ignore_ascii_case(attribute))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_from_the_issue_parse() {
        let p = ScimPath::parse(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!(p.attribute, "emails");
        assert_eq!(p.filter, Some(("type".into(), "work".into())));
        assert_eq!(p.sub_attribute.as_deref(), Some("value"));
        let p = ScimPath::parse(r#"roles[primary eq "True"].value"#).unwrap();
        assert_eq!(p.filter, Some(("primary".into(), "True".into())));
        let p = ScimPath::parse("name.givenName").unwrap();
        assert_eq!(
            (p.attribute.as_str(), p.sub_attribute.as_deref()),
            ("name", Some("givenName"))
        );
        let p =
            ScimPath::parse("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager")
                .unwrap();
        assert_eq!(p.extension.as_deref(), Some(ENTERPRISE_USER));
        assert_eq!(p.attribute, "manager");
        let p = ScimPath::parse("urn:ietf:params:scim:schemas:core:2.0:User:roleId").unwrap();
        assert_eq!((p.extension, p.attribute.as_str()), (None, "roleId"));
        let p = ScimPath::parse("urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge.code")
            .unwrap();
        assert_eq!(
            p.extension.as_deref(),
            Some("urn:ietf:params:scim:schemas:extension:acme:2.0:User")
        );
        assert_eq!(p.sub_attribute.as_deref(), Some("code"));
        let p = ScimPath::parse(r#"addresses[type eq "a:b"].postalCode"#).unwrap();
        assert_eq!(p.filter.unwrap().1, "a:b");
        assert!(ScimPath::parse("emails[type eq ].value").is_err());
        assert!(ScimPath::parse("").is_err());
        assert!(ScimPath::parse("name..x").is_err());
    }
}
