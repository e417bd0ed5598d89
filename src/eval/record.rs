//! The source-object abstraction. An embedder implements [`Record`] for its
//! own record type and never converts to JSON.

use crate::value::Value;
use std::collections::{BTreeMap, HashMap};

/// A source object whose attributes expressions read.
///
/// Lookups are case-insensitive, and an exact-case match wins over others.
/// An absent attribute is `None`, which expressions see as null.
pub trait Record {
    fn attribute(&self, name: &str) -> Option<Value<'_>>;
}

impl<R: Record + ?Sized> Record for &R {
    fn attribute(&self, name: &str) -> Option<Value<'_>> {
        (**self).attribute(name)
    }
}

/// Finds `name` among `keys`: the exact spelling first, then any ASCII or
/// Unicode case variant.
pub fn find_key<'k, I>(keys: I, name: &str) -> Option<&'k str>
where
    I: Iterator<Item = &'k str>,
{
    let mut folded: Option<&'k str> = None;
    for k in keys {
        if k == name {
            return Some(k);
        }
        let same_folded = (k.len() == name.len() && k.eq_ignore_ascii_case(name))
            || (!k.is_ascii() && k.to_lowercase() == name.to_lowercase());
        if folded.is_none() && same_folded {
            folded = Some(k);
        }
    }
    folded
}

impl Record for serde_json::Map<String, serde_json::Value> {
    fn attribute(&self, name: &str) -> Option<Value<'_>> {
        // A scan that compares lengths first (stored next to the key
        // pointer, in the B-tree node) follows a key's heap pointer only
        // when the lengths agree. A B-tree search dereferences every key it
        // passes, one cache miss each on a cold record.
        let exact = self
            .iter()
            .find(|(k, _)| k.len() == name.len() && k.as_str() == name);
        let v = match exact {
            Some((_, v)) => v,
            None => self.get(find_key(self.keys().map(String::as_str), name)?)?,
        };
        Some(Value::from_json(v))
    }
}

impl Record for serde_json::Value {
    fn attribute(&self, name: &str) -> Option<Value<'_>> {
        self.as_object()?.attribute(name)
    }
}

/// A decoded source object laid out for fast attribute lookup: every key and
/// string value lives in one contiguous buffer, with a small hash index over
/// the keys. A lookup touches a few adjacent cache lines instead of chasing
/// one heap pointer per key compared, which is what a `serde_json::Map`
/// (a B-tree of separately allocated strings) costs. Decode straight into it
/// with serde (`serde_json::from_str::<FlatRecord>(line)`) or convert a
/// parsed object with [`FlatRecord::from_map`].
///
/// Lookups behave like the other records: the exact spelling first, then a
/// case-insensitive match (the smallest such key in byte order, as for a
/// JSON object). A key given twice keeps its last value, as serde_json does.
#[derive(Debug, Clone, Default)]
pub struct FlatRecord {
    text: String,
    entries: Vec<FlatEntry>,
    /// Open addressing over `entries`: entry index + 1, 0 for empty.
    index: Vec<u32>,
}

#[derive(Debug, Clone)]
struct FlatEntry {
    hash: u32,
    key: (u32, u32),
    value: FlatValue,
}

#[derive(Debug, Clone)]
enum FlatValue {
    /// A string value, in `text`.
    Str(u32, u32),
    /// Anything else, kept as JSON (numbers keep their exact text).
    Json(serde_json::Value),
}

impl FlatRecord {
    pub fn new() -> Self {
        FlatRecord::default()
    }

    /// Copies a parsed JSON object.
    pub fn from_map(map: &serde_json::Map<String, serde_json::Value>) -> Self {
        let mut r = FlatRecord::new();
        for (k, v) in map {
            r.insert(k, v.clone());
        }
        r
    }

    /// The number of attributes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn span(&self, (start, len): (u32, u32)) -> &str {
        self.text
            .get(start as usize..(start + len) as usize)
            .unwrap_or("")
    }

    fn push_text(&mut self, s: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        (start, s.len() as u32)
    }

    /// Sets an attribute; a key already present (same spelling) is replaced.
    pub fn insert(&mut self, key: &str, value: serde_json::Value) {
        let value = match value {
            serde_json::Value::String(s) => {
                let (a, b) = self.push_text(&s);
                FlatValue::Str(a, b)
            }
            other => FlatValue::Json(other),
        };
        if let Some(i) = self.exact(key) {
            self.entries[i].value = value;
            return;
        }
        let entry = FlatEntry {
            hash: crate::compile::str_hash(key),
            key: self.push_text(key),
            value,
        };
        self.entries.push(entry);
        if self.entries.len() * 2 > self.index.len() {
            self.rebuild_index();
        } else {
            let n = self.entries.len();
            self.place(n - 1);
        }
    }

    fn rebuild_index(&mut self) {
        let cap = (self.entries.len() * 2).next_power_of_two().max(8);
        self.index.clear();
        self.index.resize(cap, 0);
        for i in 0..self.entries.len() {
            self.place(i);
        }
    }

    fn place(&mut self, i: usize) {
        let mask = self.index.len() - 1;
        let mut at = self.entries[i].hash as usize & mask;
        while self.index[at] != 0 {
            at = (at + 1) & mask;
        }
        self.index[at] = i as u32 + 1;
    }

    #[inline]
    fn exact(&self, name: &str) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        let hash = crate::compile::str_hash(name);
        let mask = self.index.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let slot = self.index[at];
            if slot == 0 {
                return None;
            }
            let e = &self.entries[slot as usize - 1];
            if e.hash == hash && self.span(e.key) == name {
                return Some(slot as usize - 1);
            }
            at = (at + 1) & mask;
        }
    }

    /// The case-insensitive match, as [`find_key`] finds it in a JSON
    /// object: objects iterate in key order, so the smallest matching key.
    fn folded(&self, name: &str) -> Option<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| find_key(std::iter::once(self.span(e.key)), name).is_some())
            .min_by_key(|(_, e)| self.span(e.key))
            .map(|(i, _)| i)
    }
}

impl Record for FlatRecord {
    #[inline]
    fn attribute(&self, name: &str) -> Option<Value<'_>> {
        let i = match self.exact(name) {
            Some(i) => i,
            None => self.folded(name)?,
        };
        Some(match &self.entries[i].value {
            FlatValue::Str(a, b) => Value::str(self.span((*a, *b))),
            FlatValue::Json(v) => Value::from_json(v),
        })
    }
}

impl<'de> serde::Deserialize<'de> for FlatRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = FlatRecord;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object of attributes")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FlatRecord, A::Error> {
                let mut r = FlatRecord::new();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    let value: serde_json::Value = map.next_value()?;
                    r.insert(&key, value);
                }
                Ok(r)
            }
        }
        d.deserialize_map(Visit)
    }
}

macro_rules! string_map_record {
    ($map:ident) => {
        impl<S: AsRef<str> + Ord + std::hash::Hash + Eq> Record for $map<S, String> {
            fn attribute(&self, name: &str) -> Option<Value<'_>> {
                let key = find_key(self.keys().map(AsRef::as_ref), name)?;
                self.iter()
                    .find(|(k, _)| k.as_ref() == key)
                    .map(|(_, v)| Value::str(v))
            }
        }
    };
}
string_map_record!(HashMap);
string_map_record!(BTreeMap);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exact_case_wins_over_folded() {
        let v = json!({"Department": "A", "department": "B"});
        assert_eq!(v.attribute("department"), Some(Value::str("B")));
        assert_eq!(v.attribute("Department"), Some(Value::str("A")));
        assert_eq!(
            v.attribute("DEPARTMENT").map(|x| x.to_text().into_owned()),
            Some("A".into())
        );
    }

    #[test]
    fn missing_is_none_and_null_is_null() {
        let v = json!({"a": null});
        assert_eq!(v.attribute("a"), Some(Value::Null));
        assert_eq!(v.attribute("b"), None);
    }

    #[test]
    fn flat_records_look_up_like_json_objects() {
        let json = json!({
            "Department": "A", "department": "B", "DEPT": "x", "dePT": "y",
            "n": 132539615990000000i64, "f": 1.5, "nul": null, "list": ["p", "q"],
            "Größe": "L"
        });
        let flat: FlatRecord = serde_json::from_value(json.clone()).unwrap();
        let flat2 = FlatRecord::from_map(json.as_object().unwrap());
        for name in [
            "department",
            "Department",
            "DEPARTMENT",
            "dept",
            "Dept",
            "n",
            "f",
            "nul",
            "list",
            "missing",
            "größe",
            "GRÖSSE",
            "",
        ] {
            assert_eq!(flat.attribute(name), json.attribute(name), "{name}");
            assert_eq!(flat2.attribute(name), json.attribute(name), "{name}");
        }
    }

    #[test]
    fn flat_record_keeps_the_last_of_duplicate_keys_and_grows() {
        let flat: FlatRecord = serde_json::from_str(r#"{"a": "1", "a": "2"}"#).unwrap();
        assert_eq!(flat.attribute("a"), Some(Value::str("2")));
        assert_eq!(flat.len(), 1);
        let mut big = FlatRecord::new();
        for i in 0..500 {
            big.insert(&format!("k{i}"), json!(format!("v{i}")));
        }
        for i in 0..500 {
            assert_eq!(
                big.attribute(&format!("k{i}")),
                Some(Value::str(&format!("v{i}")))
            );
        }
        assert!(serde_json::from_str::<FlatRecord>("[1]").is_err());
    }

    #[test]
    fn string_maps_are_records() {
        let mut m = HashMap::new();
        m.insert("givenName".to_string(), "Zoë".to_string());
        assert_eq!(m.attribute("GIVENNAME"), Some(Value::str("Zoë")));
    }
}
