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
        let v = match self.get(name) {
            Some(v) => v,
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
    fn string_maps_are_records() {
        let mut m = HashMap::new();
        m.insert("givenName".to_string(), "Zoë".to_string());
        assert_eq!(m.attribute("GIVENNAME"), Some(Value::str("Zoë")));
    }
}
