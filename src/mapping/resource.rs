//! A SCIM resource under construction. Keys are borrowed from the compiled
//! mapping and string values from the source record, so building one costs a
//! few small vectors instead of a map of owned strings; the result is either
//! written straight out as JSON (`attrmap map`) or turned into
//! `serde_json::Value` (the library's `Mapped::Resource`). Both read the same
//! tree, so they cannot disagree.

use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::io::{self, Write};

/// One JSON value of a resource being built.
#[derive(Debug, Clone)]
pub(crate) enum Node<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    Int(i64),
    /// Complex source values and other rare shapes, already in JSON.
    Json(Json),
    /// Fields sorted by key, as `serde_json::Map` orders them.
    Obj(Vec<(Cow<'a, str>, Node<'a>)>),
    Arr(Vec<Node<'a>>),
}

impl<'a> Node<'a> {
    pub(crate) fn to_json(&self) -> Json {
        match self {
            Node::Str(s) => Json::String(s.to_string()),
            Node::Bool(b) => Json::Bool(*b),
            Node::Int(n) => Json::from(*n),
            Node::Json(j) => j.clone(),
            Node::Obj(fields) => Json::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
            Node::Arr(items) => Json::Array(items.iter().map(Node::to_json).collect()),
        }
    }

    pub(crate) fn write<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        match self {
            Node::Str(s) => write_str(out, s),
            Node::Bool(true) => out.write_all(b"true"),
            Node::Bool(false) => out.write_all(b"false"),
            Node::Int(n) => out.write_all(itoa::Buffer::new().format(*n).as_bytes()),
            Node::Json(j) => serde_json::to_writer(out, j).map_err(io::Error::from),
            Node::Obj(fields) => {
                out.write_all(b"{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    write_str(out, k)?;
                    out.write_all(b":")?;
                    v.write(out)?;
                }
                out.write_all(b"}")
            }
            Node::Arr(items) => {
                out.write_all(b"[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    v.write(out)?;
                }
                out.write_all(b"]")
            }
        }
    }

    /// Equality as the JSON the two nodes stand for.
    pub(crate) fn same(&self, other: &Node<'_>) -> bool {
        match (self, other) {
            (Node::Str(a), Node::Str(b)) => a == b,
            (Node::Bool(a), Node::Bool(b)) => a == b,
            (Node::Int(a), Node::Int(b)) => a == b,
            _ => self.to_json() == other.to_json(),
        }
    }

    /// Whether this multi-valued element has `key` equal to `want`.
    pub(crate) fn has_field(&self, key: &str, want: &Node<'_>) -> bool {
        match self {
            Node::Obj(fields) => fields
                .iter()
                .find(|(k, _)| k == key)
                .is_some_and(|(_, v)| v.same(want)),
            Node::Json(Json::Object(m)) => m.get(key).is_some_and(|v| *v == want.to_json()),
            _ => false,
        }
    }

    /// This node as an object to write fields into. A JSON object already
    /// here (a complex source value) keeps its fields; anything else is
    /// replaced, as a later mapping replaces an earlier one.
    pub(crate) fn object_mut(&mut self) -> Option<&mut Vec<(Cow<'a, str>, Node<'a>)>> {
        if let Node::Json(Json::Object(m)) = self {
            let mut fields: Vec<(Cow<'a, str>, Node<'a>)> = std::mem::take(m)
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k), Node::Json(v)))
                .collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            *self = Node::Obj(fields);
        }
        if !matches!(self, Node::Obj(_)) {
            *self = Node::Obj(Vec::new());
        }
        match self {
            Node::Obj(fields) => Some(fields),
            _ => None,
        }
    }

    /// This node as a list to append to; see [`Node::object_mut`].
    pub(crate) fn array_mut(&mut self) -> Option<&mut Vec<Node<'a>>> {
        if let Node::Json(Json::Array(items)) = self {
            let items = std::mem::take(items).into_iter().map(Node::Json).collect();
            *self = Node::Arr(items);
        }
        if !matches!(self, Node::Arr(_)) {
            *self = Node::Arr(Vec::new());
        }
        match self {
            Node::Arr(items) => Some(items),
            _ => None,
        }
    }
}

/// Where `key` is in sorted `fields`, or where it would go.
#[inline]
fn find(fields: &[(Cow<'_, str>, Node<'_>)], key: &str) -> Result<usize, usize> {
    fields.binary_search_by(|(k, _)| k.as_ref().cmp(key))
}

/// The entry for `key` in sorted `fields`, inserted with `make` if absent.
#[inline]
pub(crate) fn slot<'f, 'a>(
    fields: &'f mut Vec<(Cow<'a, str>, Node<'a>)>,
    key: &'a str,
    make: impl FnOnce() -> Node<'a>,
) -> &'f mut Node<'a> {
    let i = match find(fields, key) {
        Ok(i) => i,
        Err(i) => {
            fields.insert(i, (Cow::Borrowed(key), make()));
            i
        }
    };
    &mut fields[i].1
}

/// Sets `key` in sorted `fields` to `value`, replacing what was there:
/// [`slot`] without a placeholder to build and drop.
#[inline]
pub(crate) fn set<'a>(fields: &mut Vec<(Cow<'a, str>, Node<'a>)>, key: &'a str, value: Node<'a>) {
    match find(fields, key) {
        Ok(i) => fields[i].1 = value,
        Err(i) => fields.insert(i, (Cow::Borrowed(key), value)),
    }
}

/// A JSON string with serde_json's escaping. Most strings need none (it
/// escapes only quotes, backslashes and control characters): those are
/// found eight bytes at a time and written whole, where serde_json looks
/// each byte up in its escape table.
fn write_str<W: Write + ?Sized>(out: &mut W, s: &str) -> io::Result<()> {
    if crate::json_scan::string_stop(s.as_bytes(), 0) == s.len() {
        out.write_all(b"\"")?;
        out.write_all(s.as_bytes())?;
        return out.write_all(b"\"");
    }
    serde_json::to_writer(out, s).map_err(io::Error::from)
}

/// A finished resource: the schema URNs and the attributes.
#[derive(Debug)]
pub(crate) struct Resource<'a> {
    /// The core schema, then extensions in first-use order (rarely more than two).
    pub schemas: smallvec::SmallVec<[&'a str; 4]>,
    pub fields: Vec<(Cow<'a, str>, Node<'a>)>,
}

impl Resource<'_> {
    /// The attributes override `schemas` if a mapping targets that name,
    /// as inserting into a JSON object would.
    pub(crate) fn to_json(&self) -> Json {
        let mut out = Map::new();
        out.insert(
            "schemas".into(),
            Json::Array(
                self.schemas
                    .iter()
                    .map(|s| Json::String(s.to_string()))
                    .collect(),
            ),
        );
        for (k, v) in &self.fields {
            out.insert(k.to_string(), v.to_json());
        }
        Json::Object(out)
    }

    /// Writes the resource with `schemas` first and the rest in key order, so
    /// lines read naturally; otherwise the same JSON as [`Resource::to_json`].
    pub(crate) fn write<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        out.write_all(b"{\"schemas\":")?;
        match self.fields.iter().find(|(k, _)| k == "schemas") {
            Some((_, v)) => v.write(out)?,
            None => {
                out.write_all(b"[")?;
                for (i, s) in self.schemas.iter().enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    write_str(out, s)?;
                }
                out.write_all(b"]")?;
            }
        }
        for (k, v) in self.fields.iter().filter(|(k, _)| k != "schemas") {
            out.write_all(b",")?;
            write_str(out, k)?;
            out.write_all(b":")?;
            v.write(out)?;
        }
        out.write_all(b"}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for s in [
            "",
            "plain",
            "exactly8",
            "Zoë Müller, 16 chars",
            "quote \" in the second word",
            "back\\slash",
            "tab\tand\nnewline",
            "\u{1}\u{1f}\u{7f}",
            "ends with a quote\"",
            "€𝄞 and a control \u{0}",
        ] {
            let mut out = Vec::new();
            super::write_str(&mut out, s).unwrap();
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }
}
