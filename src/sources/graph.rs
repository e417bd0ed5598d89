//! Microsoft Graph property names → the provisioning service's source
//! attribute names, and `IsSoftDeleted`, which Entra computes rather than
//! stores.
//!
//! Graph (`GET /users`, Graph PowerShell, `az ad user list`) and the Entra
//! provisioning service name some attributes differently: mappings read
//! `[objectId]` and `[mobile]` where Graph says `id` and `mobilePhone`. The
//! table below is the one place these names live; docs/mapping.md's table is
//! generated from it (`tests/sources.rs` checks it is current).

use crate::eval::record::{next_value_into, FlatValueSeed, Route as RouteTo, Router, Skip};
use crate::eval::{FlatRecord, FlatValue, KeyFilter};
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
#[inline]
fn is_truncated_by_convert_to_json(s: &str) -> bool {
    // Every value of every record is asked: most are told by their first
    // byte, before any text is compared.
    if !matches!(s.as_bytes().first(), Some(b'M' | b'S')) {
        return false;
    }
    s.starts_with("Microsoft.Graph.PowerShell.Models.")
        || s.starts_with("System.Collections.Generic.")
        || s == "System.Collections.Hashtable"
}

/// What one key of a Graph object is.
#[derive(Clone, Copy)]
enum Kind {
    /// `@odata.*`: dropped.
    Metadata,
    /// Kept under its own name.
    Plain,
    /// Translated by its [`Rule`], or merged (`AdditionalProperties`, `None`):
    /// after the plain attributes, so that a value the export gave under the
    /// provisioning name is never overwritten.
    Translated(Option<Rule>),
}

/// For each ASCII-lower-cased first byte, bit `len % 64` is set when a
/// translated name ([`GRAPH_NAMES`], `AdditionalProperties`) of that byte
/// length starts with it: most keys are plain, and this tells them with one
/// load instead of a comparison with every row.
const TRANSLATED_HEADS: [u64; 256] = {
    let mut heads = [0u64; 256];
    let mut i = 0;
    while i <= GRAPH_NAMES.len() {
        let name = if i < GRAPH_NAMES.len() {
            GRAPH_NAMES[i].graph
        } else {
            ADDITIONAL_PROPERTIES
        };
        heads[name.as_bytes()[0].to_ascii_lowercase() as usize] |= 1 << (name.len() % 64);
        i += 1;
    }
    heads
};

fn kind(key: &str) -> Kind {
    let head = key.as_bytes().first().map_or(0, u8::to_ascii_lowercase);
    if TRANSLATED_HEADS[head as usize] & (1 << (key.len() % 64)) == 0 {
        return if head == b'@' && key.starts_with("@odata.") {
            Kind::Metadata
        } else {
            Kind::Plain
        };
    }
    if key.starts_with("@odata.") {
        Kind::Metadata
    } else if key.eq_ignore_ascii_case(ADDITIONAL_PROPERTIES) {
        Kind::Translated(None)
    } else {
        rule_for(key).map_or(Kind::Plain, |r| Kind::Translated(Some(r)))
    }
}

/// Writes `src` (a Graph object, any casing) into `dst` with the
/// provisioning service's names. An attribute that the source already
/// carries under the provisioning name wins over a translated one. `Err`
/// names a value that cannot be read: one that ConvertTo-Json cut off.
pub fn normalise(src: &FlatRecord, dst: &mut FlatRecord) -> Result<(), String> {
    dst.clear();
    let mut t = Translator::default();
    for (key, value) in src.entries() {
        match kind(key) {
            Kind::Metadata => {}
            Kind::Plain => {
                t.check(key, value);
                insert(dst, key, value);
            }
            Kind::Translated(rule) => {
                let start = t.text.len();
                t.text.push_str(key);
                let key = start..t.text.len();
                let held = match value {
                    FlatValue::Str(s) => {
                        let at = t.text.len();
                        t.text.push_str(s);
                        Held::Str(at..t.text.len())
                    }
                    FlatValue::Json(j) => Held::Json(j.clone()),
                };
                t.set_aside(key, rule, held);
            }
        }
    }
    t.finish(dst)
}

/// Reads one Graph object (its JSON text) into `record` in one pass, with
/// the provisioning service's names: plain attributes are decoded straight
/// into the record (only those `keep` wants, when given), translated ones
/// are set aside and applied at the end, as [`normalise`] does. The outer
/// `Err` is JSON that is not an object; the inner one a value that cannot be
/// read ([`normalise`]'s error).
pub(crate) fn read_object(
    text: &str,
    record: &mut FlatRecord,
    keep: Option<&KeyFilter>,
    t: &mut Translator,
) -> serde_json::Result<Result<(), String>> {
    record.read_routed_str(text, t.route(keep))?;
    Ok(t.finish(record))
}

/// [`read_object`] on the object that opens at byte `at` of `text`, with
/// the scanner only: also returns where the object ends. `None`: text the
/// scanner leaves to [`read_object`], which says why it breaks.
pub(crate) fn read_object_at(
    text: &str,
    at: usize,
    record: &mut FlatRecord,
    keep: Option<&KeyFilter>,
    t: &mut Translator,
) -> Option<(usize, Result<(), String>)> {
    let end = record.fill_scanned(text, at, &mut t.route(keep))?;
    Some((end, t.finish(record)))
}

/// The translated attributes of the object being read, and the first value
/// found cut by ConvertTo-Json; reused from object to object.
#[derive(Default)]
pub(crate) struct Translator {
    /// Keys, and the string values after them.
    text: String,
    pending: Vec<Pending>,
    error: Option<String>,
}

struct Pending {
    key: std::ops::Range<usize>,
    /// `None`: `AdditionalProperties`.
    rule: Option<Rule>,
    value: Held,
}

/// A value set aside.
enum Held {
    /// A string, at this range of `text`.
    Str(std::ops::Range<usize>),
    Json(Json),
    /// What the rule puts was picked while reading ([`Pick`]): nothing (a
    /// collection of nulls), or why the value cannot be read.
    Nothing,
    Error(String),
}

impl Translator {
    /// Starts reading an object: the router that decodes it into a record
    /// and sets its translated attributes aside here.
    fn route<'t>(&'t mut self, keep: Option<&'t KeyFilter>) -> Route<'t> {
        self.clear();
        Route {
            t: self,
            keep,
            check_skipped: false,
        }
    }

    fn clear(&mut self) {
        self.text.clear();
        self.pending.clear();
        self.error = None;
    }

    /// Notes the first value cut by ConvertTo-Json.
    #[inline]
    fn check(&mut self, key: &str, value: FlatValue<'_>) {
        if is_cut(value) && self.error.is_none() {
            self.error = Some(cut_message(key));
        }
    }

    /// Sets aside the key at `text[key]` with its value. A key given twice
    /// keeps its last value, as a decoded object does.
    fn set_aside(&mut self, key: std::ops::Range<usize>, rule: Option<Rule>, value: Held) {
        let p = Pending { key, rule, value };
        let text = &self.text;
        let name = &text[p.key.clone()];
        match self
            .pending
            .iter_mut()
            .find(|q| text[q.key.clone()] == *name)
        {
            Some(q) => *q = p,
            None => self.pending.push(p),
        }
    }

    /// Applies what was set aside to `dst`, which holds the plain attributes.
    fn finish(&mut self, dst: &mut FlatRecord) -> Result<(), String> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        for p in &self.pending {
            let key = &self.text[p.key.clone()];
            let value = match &p.value {
                Held::Json(j) => FlatValue::Json(j),
                Held::Str(at) => FlatValue::Str(&self.text[at.clone()]),
                Held::Nothing => continue,
                Held::Error(e) => return Err(e.clone()),
            };
            match p.rule {
                None => merge_additional(key, value, dst)?,
                Some(rule) => {
                    check_not_truncated(key, value)?;
                    apply(rule, key, value, dst)?;
                }
            }
        }
        Ok(())
    }
}

/// Graph PowerShell's `AdditionalProperties`: its members join the record,
/// except those it has already.
fn merge_additional(key: &str, value: FlatValue<'_>, dst: &mut FlatRecord) -> Result<(), String> {
    if let FlatValue::Json(Json::Object(extra)) = value {
        for (k, v) in extra.iter().filter(|(k, _)| !k.starts_with("@odata.")) {
            if !dst.contains_exact(k) {
                check_not_truncated(k, FlatValue::Json(v))?;
                insert(dst, k, FlatValue::Json(v));
            }
        }
        Ok(())
    } else {
        check_not_truncated(key, value)
    }
}

fn check_not_truncated(key: &str, value: FlatValue<'_>) -> Result<(), String> {
    if is_cut(value) {
        return Err(cut_message(key));
    }
    Ok(())
}

/// Whether ConvertTo-Json cut `value` (or something in it).
#[inline]
fn is_cut(value: FlatValue<'_>) -> bool {
    match value {
        FlatValue::Str(s) => is_truncated_by_convert_to_json(s),
        FlatValue::Json(j) => contains_truncated(j, 0),
    }
}

fn no_id_message(key: &str) -> String {
    format!("{key} is an object without an id")
}

fn cut_message(key: &str) -> String {
    format!(
        "{key} holds a .NET type name instead of its value: ConvertTo-Json cut the \
         export at its default depth; export again with ConvertTo-Json -Depth 10"
    )
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
        FlatValue::Json(Json::String(s)) => dst.insert_str(key, s),
        FlatValue::Json(j) => dst.insert(key, j.clone()),
    }
}

/// How [`read_object`] routes each attribute as it is decoded.
struct Route<'t> {
    t: &'t mut Translator,
    keep: Option<&'t KeyFilter>,
    /// Whether the value being skipped is checked for ConvertTo-Json's cut
    /// (every value is, but `@odata.*` ones, as [`normalise`] checks them).
    check_skipped: bool,
}

impl Route<'_> {
    fn wants(&self, name: &str) -> bool {
        self.keep.is_none_or(|k| k.wants(name))
    }
}

impl Router for Route<'_> {
    const SEES_STORED: bool = true;

    fn route(&mut self, key: &str) -> RouteTo {
        match kind(key) {
            Kind::Metadata => {
                self.check_skipped = false;
                RouteTo::Skip
            }
            Kind::Plain if self.wants(key) => RouteTo::Store,
            // Renamed values that nothing reads are not kept; the other
            // rules can fail (an expanded manager without an id), so they
            // are read whether the mapping reads the result or not.
            Kind::Plain => {
                self.check_skipped = true;
                RouteTo::Skip
            }
            Kind::Translated(Some(Rule::Rename(name) | Rule::First(name))) if !self.wants(name) => {
                self.check_skipped = true;
                RouteTo::Skip
            }
            Kind::Translated(_) => RouteTo::Take,
        }
    }

    fn stored(&mut self, key: &str, value: FlatValue<'_>) {
        self.t.check(key, value);
    }

    fn restart(&mut self) {
        self.t.clear();
        self.check_skipped = false;
    }

    /// A skipped scalar or plain string is checked here, from its text;
    /// arrays, objects and escaped strings go through [`Router::skip`].
    fn skipped(&mut self, key: &str, value: &str, plain: Option<&str>) -> bool {
        if !self.check_skipped {
            return true;
        }
        if let Some(s) = plain {
            self.t.check(key, FlatValue::Str(s));
            return true;
        }
        !matches!(value.as_bytes().first(), Some(b'[' | b'{' | b'"'))
    }

    fn skip<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        if !self.check_skipped {
            return map.next_value::<Skip>().map(drop);
        }
        let mut cut = false;
        map.next_value_seed(CheckCut {
            depth: 0,
            cut: &mut cut,
        })?;
        if cut && self.t.error.is_none() {
            self.t.error = Some(cut_message(key));
        }
        Ok(())
    }

    fn take<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let Kind::Translated(rule) = kind(key) else {
            return map.next_value::<Skip>().map(drop);
        };
        let t = &mut *self.t;
        let start = t.text.len();
        t.text.push_str(key);
        let key_at = start..t.text.len();
        let (rule, held) = match rule {
            // The first of a collection and an expanded object's id are
            // picked as they are read, without building the whole value.
            Some(Rule::First(name) | Rule::IdOf(name)) => {
                let mut cut = false;
                let picked = map.next_value_seed(Pick {
                    first: matches!(rule, Some(Rule::First(_))),
                    text: &mut t.text,
                    cut: &mut cut,
                })?;
                let held = match picked {
                    _ if cut => Held::Error(cut_message(key)),
                    None => Held::Error(no_id_message(key)),
                    Some(held) => held,
                };
                (Some(Rule::Rename(name)), held)
            }
            _ => {
                let at = t.text.len();
                let held = match next_value_into(map, &mut t.text)? {
                    Some(json) => Held::Json(json),
                    None => Held::Str(at..t.text.len()),
                };
                (rule, held)
            }
        };
        t.set_aside(key_at, rule, held);
        Ok(())
    }
}

/// Reads the value of a [`Rule::First`] (`first`) or [`Rule::IdOf`]
/// property, keeping only what the rule puts, as [`apply`] picks it: the
/// first non-null element of an array, the `id` (or `Id`) of an object,
/// any other value as it is. Strings are appended to `text`; `cut` is set
/// when a string anywhere [`contains_truncated`] looks is a .NET type name.
struct Pick<'t> {
    first: bool,
    text: &'t mut String,
    cut: &'t mut bool,
}

/// `None`: an object without an id.
type Picked = Option<Held>;

impl Pick<'_> {
    fn string(self, s: &str) -> Picked {
        *self.cut |= is_truncated_by_convert_to_json(s);
        let at = self.text.len();
        self.text.push_str(s);
        Some(Held::Str(at..self.text.len()))
    }

    /// A value of the array or object, read whole: a string into `text`.
    fn element<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        map: &mut A,
    ) -> Result<Held, A::Error> {
        let at = self.text.len();
        Ok(match next_value_into(map, self.text)? {
            Some(json) => {
                *self.cut |= contains_truncated(&json, 1);
                Held::Json(json)
            }
            None => {
                *self.cut |= is_truncated_by_convert_to_json(&self.text[at..]);
                Held::Str(at..self.text.len())
            }
        })
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Pick<'_> {
    type Value = Picked;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Picked, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Pick<'_> {
    type Value = Picked;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Picked, E> {
        Ok(Some(Held::Json(Json::Bool(v))))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Picked, E> {
        Ok(Some(Held::Json(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Picked, E> {
        Ok(Some(Held::Json(v.into())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Picked, E> {
        Ok(Some(Held::Json(v.into())))
    }
    fn visit_str<E>(self, s: &str) -> Result<Picked, E> {
        Ok(self.string(s))
    }
    fn visit_unit<E>(self) -> Result<Picked, E> {
        Ok(Some(Held::Json(Json::Null)))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Picked, A::Error> {
        use serde::Deserialize;
        if !self.first {
            let json = Json::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
            *self.cut |= contains_truncated(&json, 0);
            return Ok(Some(Held::Json(json)));
        }
        let mut picked = Held::Nothing;
        loop {
            if !matches!(picked, Held::Nothing) {
                let rest = CheckCut {
                    depth: 1,
                    cut: &mut *self.cut,
                };
                if seq.next_element_seed(rest)?.is_none() {
                    return Ok(Some(picked));
                }
                continue;
            }
            let at = self.text.len();
            match seq.next_element_seed(FlatValueSeed(&mut *self.text))? {
                None => return Ok(Some(picked)),
                Some(Some(Json::Null)) => {}
                Some(Some(json)) => {
                    *self.cut |= contains_truncated(&json, 1);
                    picked = Held::Json(json);
                }
                Some(None) => {
                    *self.cut |= is_truncated_by_convert_to_json(&self.text[at..]);
                    picked = Held::Str(at..self.text.len());
                }
            }
        }
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<Picked, A::Error> {
        use serde::Deserialize;
        if self.first {
            let json = Json::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
            *self.cut |= contains_truncated(&json, 0);
            return Ok(Some(Held::Json(json)));
        }
        // `id` wins over `Id`; a repeated key keeps its last value.
        let (mut lower, mut upper) = (None, None);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "id" => lower = Some(self.element(&mut map)?),
                "Id" => upper = Some(self.element(&mut map)?),
                _ => map.next_value_seed(CheckCut {
                    depth: 1,
                    cut: &mut *self.cut,
                })?,
            }
        }
        Ok(match lower.or(upper) {
            Some(Held::Json(Json::Null)) | None => None,
            Some(id) => Some(id),
        })
    }
}

/// Skips a value, noting whether a string in it is a .NET type name where
/// [`contains_truncated`] would look (the same depth bound).
struct CheckCut<'c> {
    depth: usize,
    cut: &'c mut bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for CheckCut<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for CheckCut<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        *self.cut |= is_truncated_by_convert_to_json(s);
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.depth > 4 {
            while seq.next_element::<Skip>()?.is_some() {}
            return Ok(());
        }
        while seq
            .next_element_seed(CheckCut {
                depth: self.depth + 1,
                cut: &mut *self.cut,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.depth > 4 {
            while map.next_entry::<Skip, Skip>()?.is_some() {}
            return Ok(());
        }
        while map.next_key::<Skip>()?.is_some() {
            map.next_value_seed(CheckCut {
                depth: self.depth + 1,
                cut: &mut *self.cut,
            })?;
        }
        Ok(())
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
            None => return Err(no_id_message(key)),
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

    /// [`read_object`], the one-pass reader, with `keep`'s filter.
    fn read_in_one_pass(json: &str, keep: Option<&KeyFilter>) -> Result<FlatRecord, String> {
        let mut r = FlatRecord::new();
        let mut t = Translator::default();
        read_object(json, &mut r, keep, &mut t).unwrap().map(|()| r)
    }

    #[test]
    fn one_pass_reads_as_normalise_translates() {
        let objects = [
            r##"{"@odata.type": "#microsoft.graph.user", "id": "u1", "mobilePhone": "+1 1",
                "businessPhones": ["+1 2", "+1 3"], "faxNumber": "+1 4", "officeLocation": "B1",
                "onPremisesExtensionAttributes": {"extensionAttribute1": "x1", "extensionAttribute2": null},
                "onPremisesSyncEnabled": true, "manager": {"@odata.type": "#microsoft.graph.user", "id": "m1"},
                "extension_abc_costCenter": "CC", "accountEnabled": false}"##,
            r#"{"Id": "u1", "MobilePhone": "+1", "DisplayName": "Zoë",
                "OnPremisesExtensionAttributes": {"ExtensionAttribute3": "x3"},
                "Manager": {"Id": "m1", "AdditionalProperties": {}},
                "AdditionalProperties": {"@odata.context": "https://x", "extension_abc_level": 7, "mail": "lost"},
                "mail": "kept"}"#,
            // The provisioning name wins wherever it comes; a repeated key
            // keeps its last value.
            r#"{"id": "g", "objectId": "kept", "members": [{"id": "a"}, "b"]}"#,
            r#"{"objectId": "kept", "id": "g"}"#,
            r#"{"id": "first", "id": "last", "mobilePhone": "1", "mobilePhone": "2"}"#,
            r#"{"businessPhones": [null, {"x": 1}], "manager": "m", "members": "g"}"#,
            r#"{"Id": "u1", "Manager": {"Id": "m", "AdditionalProperties": "System.Collections.Generic.Dictionary`2[System.String,System.Object]"}}"#,
            r#"{"displayName": "Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser"}"#,
            r#"{"unread": ["a", ["System.Collections.Hashtable"]]}"#,
            r#"{"onPremisesExtensionAttributes": 7}"#,
            r#"{"manager": {"displayName": "no id"}}"#,
            r#"{"members": [{"displayName": "no id"}]}"#,
            r##"{"@odata.id": "System.Collections.Hashtable", "mail": "m"}"##,
            // An expanded object's id is picked as it is read: `id` before
            // `Id`, a null one is none, the last of a repeated key counts.
            r#"{"manager": {"Id": "upper", "id": "lower", "x": [1]}}"#,
            r#"{"manager": {"id": null, "Id": "upper"}}"#,
            r#"{"manager": {"Id": "upper"}, "mobilePhone": null}"#,
            r#"{"manager": {"id": "a", "id": "b"}}"#,
            r#"{"manager": {}, "manager": {"id": "m"}}"#,
            r#"{"manager": {"id": 7}, "businessPhones": [null, null]}"#,
            r#"{"manager": [{"id": "m"}], "businessPhones": [null, "b", "System.Collections.Hashtable"]}"#,
            r#"{"manager": {"id": "m", "extra": {"deep": ["Microsoft.Graph.PowerShell.Models.X"]}}}"#,
            r#"{"businessPhones": {"not": "a list"}, "id": 1}"#,
        ];
        let keep = KeyFilter::new(["objectId", "MAIL", "manager", "mobile", "telephoneNumber"]);
        for json in objects {
            let mut src = FlatRecord::new();
            src.read_json(json.as_bytes()).unwrap();
            let mut want = FlatRecord::new();
            let want = normalise(&src, &mut want).map(|()| want.to_map());
            let got = read_in_one_pass(json, None).map(|r| r.to_map());
            assert_eq!(got, want, "{json}");
            // Filtered: every wanted name is found as in the whole record,
            // and a value cut by ConvertTo-Json is an error, read or not.
            let filtered = read_in_one_pass(json, Some(&keep));
            assert_eq!(filtered.is_ok(), want.is_ok(), "{json}");
            if let (Ok(filtered), Ok(whole)) = (filtered, read_in_one_pass(json, None)) {
                for name in [
                    "objectId",
                    "mail",
                    "MAIL",
                    "manager",
                    "mobile",
                    "telephoneNumber",
                ] {
                    assert_eq!(
                        filtered.attribute(name),
                        whole.attribute(name),
                        "{name} in {json}"
                    );
                }
                assert!(filtered.attribute("displayName").is_none(), "{json}");
            }
        }
        assert!(read_in_one_pass(r#"{"id": "u1"}"#, None).is_ok());
        let mut r = FlatRecord::new();
        let not_an_object = read_object("[1]", &mut r, None, &mut Translator::default());
        assert!(not_an_object.is_err());
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
