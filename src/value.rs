//! Runtime values. They model what Entra has: null, string, boolean, exact
//! 64-bit integer, DateTime, multi-valued lists and complex objects (app role
//! assignments). Strings borrow from the source record or the program's
//! constant pool wherever no new text has to be made.

use chrono::{DateTime, Datelike, Timelike, Utc};
use std::borrow::Cow;
use std::fmt::Write as _;

/// A value during evaluation. Strings borrow from the record or the
/// constant pool when they can.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value<'a> {
    #[default]
    Null,
    Str(Cow<'a, str>),
    Bool(bool),
    Int(i64),
    DateTime(DateTime<Utc>),
    /// A multi-valued attribute or function result.
    List(Vec<Value<'a>>),
    /// A complex value such as an app role assignment or a SCIM role.
    Complex(Vec<(Cow<'a, str>, Value<'a>)>),
}

/// Drops a value an evaluator is done with (a popped operand, a call's
/// arguments, a Switch key that did not match). Nearly all are null,
/// numbers, booleans or strings borrowed from the record or the constant
/// pool, which own nothing: for those this is an inline check of the
/// variant, where dropping them calls `Value`'s drop function (the
/// evaluators' loops are too large for the compiler to inline it).
#[inline(always)]
pub(crate) fn discard(v: Value<'_>) {
    match v {
        // These own no heap memory: there is nothing for a drop to do.
        Value::Null
        | Value::Bool(_)
        | Value::Int(_)
        | Value::DateTime(_)
        | Value::Str(Cow::Borrowed(_)) => std::mem::forget(v),
        _ => drop_owned(v),
    }
}

#[inline(never)]
fn drop_owned(v: Value<'_>) {
    drop(v);
}

impl<'a> Value<'a> {
    /// A borrowed string.
    pub fn str(s: &'a str) -> Self {
        Value::Str(Cow::Borrowed(s))
    }
    /// An owned string.
    pub fn string(s: String) -> Self {
        Value::Str(Cow::Owned(s))
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Null, the empty string, and an empty list count as "no value" for
    /// IsNullOrEmpty, IgnoreFlowIfNullOrEmpty, Join and Switch's `""` key.
    pub fn is_null_or_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Str(s) => s.is_empty(),
            Value::List(l) => l.is_empty(),
            _ => false,
        }
    }

    /// The type's name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Str(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "number",
            Value::DateTime(_) => "DateTime",
            Value::List(_) => "multi-valued",
            Value::Complex(_) => "complex",
        }
    }

    /// The string Entra would see for this value. Null is the empty string,
    /// booleans are `True`/`False` (VB spelling), DateTime is `M/d/yyyy h:mm:ss tt`,
    /// and a multi-valued value is its first element (as Entra's single-valued
    /// functions read it).
    pub fn to_text(&self) -> Cow<'_, str> {
        match self {
            Value::Null => Cow::Borrowed(""),
            Value::Str(s) => Cow::Borrowed(s.as_ref()),
            Value::Bool(true) => Cow::Borrowed("True"),
            Value::Bool(false) => Cow::Borrowed("False"),
            Value::Int(n) => Cow::Owned(n.to_string()),
            Value::DateTime(d) => Cow::Owned(render_datetime(d)),
            Value::List(items) => items.first().map_or(Cow::Borrowed(""), |v| v.to_text()),
            Value::Complex(fields) => {
                field(fields, "value").map_or(Cow::Borrowed(""), |v| v.to_text())
            }
        }
    }

    /// Makes the value independent of the record and program it borrows from.
    /// [`Value::to_text`] that keeps a borrowed string borrowed from the
    /// record or the expression rather than from this value.
    pub fn into_text(self) -> Cow<'a, str> {
        match self {
            Value::Str(s) => s,
            Value::List(items) => items
                .into_iter()
                .next()
                .map_or(Cow::Borrowed(""), Value::into_text),
            Value::Complex(fields) => {
                let exact = fields.iter().position(|(k, _)| k == "value");
                let folded = || {
                    fields
                        .iter()
                        .position(|(k, _)| k.eq_ignore_ascii_case("value"))
                };
                match exact.or_else(folded) {
                    Some(i) => fields
                        .into_iter()
                        .nth(i)
                        .map_or(Cow::Borrowed(""), |(_, v)| v.into_text()),
                    None => Cow::Borrowed(""),
                }
            }
            Value::Null => Cow::Borrowed(""),
            Value::Bool(true) => Cow::Borrowed("True"),
            Value::Bool(false) => Cow::Borrowed("False"),
            other @ (Value::Int(_) | Value::DateTime(_)) => {
                Cow::Owned(other.to_text().into_owned())
            }
        }
    }

    /// The value with nothing borrowed.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Bool(b) => Value::Bool(b),
            Value::Int(n) => Value::Int(n),
            Value::DateTime(d) => Value::DateTime(d),
            Value::List(l) => Value::List(l.into_iter().map(Value::into_owned).collect()),
            Value::Complex(f) => Value::Complex(
                f.into_iter()
                    .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                    .collect(),
            ),
        }
    }

    /// Truthiness for IIF conditions, CBool and Not: booleans, the strings
    /// "True"/"False" in any case, and numbers (non-zero is true).
    pub fn truthy(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Int(n) => *n != 0,
            Value::Str(s) => {
                let t = s.trim();
                if t.eq_ignore_ascii_case("true") {
                    true
                } else if let Ok(n) = t.parse::<i64>() {
                    n != 0
                } else {
                    false
                }
            }
            Value::List(l) => l.first().is_some_and(Value::truthy),
            Value::Null | Value::DateTime(_) | Value::Complex(_) => false,
        }
    }

    /// Reads the value as an integer: numbers, and strings of digits
    /// (`Mid([x], "1", "2")` is common in real mappings).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            Value::Str(s) => parse_int_text(s),
            Value::Bool(b) => Some(if *b { -1 } else { 0 }),
            Value::List(l) if l.len() == 1 => l[0].as_int(),
            _ => None,
        }
    }

    /// Converts to JSON. Integers stay exact (serde_json keeps i64).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Str(s) => serde_json::Value::String(s.to_string()),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(n) => serde_json::Value::from(*n),
            Value::DateTime(d) => serde_json::Value::String(render_datetime(d)),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::to_json).collect()),
            Value::Complex(f) => serde_json::Value::Object(
                f.iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Converts a JSON value from a source record, borrowing its strings.
    pub fn from_json(v: &'a serde_json::Value) -> Value<'a> {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                // Fractions and u64 beyond i64 keep their exact text.
                None => Value::Str(Cow::Owned(n.to_string())),
            },
            serde_json::Value::String(s) => Value::Str(Cow::Borrowed(s)),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Complex(
                o.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// Reads an integer written as text: decimal, or hexadecimal after `&H`
/// (VBScript's form); `None` when it is neither.
pub fn parse_int_text(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some(hex) = t.strip_prefix("&H").or_else(|| t.strip_prefix("&h")) {
        return u64::from_str_radix(hex, 16).ok().map(|u| u as i64);
    }
    t.parse::<i64>().ok()
}

/// Looks up a field of a complex value, case-insensitively.
pub fn field<'v, 'a>(fields: &'v [(Cow<'a, str>, Value<'a>)], name: &str) -> Option<&'v Value<'a>> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .or_else(|| fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .map(|(_, v)| v)
}

/// Entra's rendering of a DateTime: `M/d/yyyy h:mm:ss tt`, in UTC, en-US.
pub fn render_datetime(d: &DateTime<Utc>) -> String {
    let mut s = String::with_capacity(22);
    let hour12 = match d.hour() % 12 {
        0 => 12,
        h => h,
    };
    let ampm = if d.hour() < 12 { "AM" } else { "PM" };
    let _ = write!(
        s,
        // yyyy pads to four digits (.NET renders year 203 as 0203).
        "{}/{}/{:04} {}:{:02}:{:02} {}",
        d.month(),
        d.day(),
        d.year(),
        hour12,
        d.minute(),
        d.second(),
        ampm
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn renders_datetime_like_entra() {
        let d = Utc.with_ymd_and_hms(2021, 8, 25, 17, 41, 18).unwrap();
        assert_eq!(render_datetime(&d), "8/25/2021 5:41:18 PM");
        let midnight = Utc.with_ymd_and_hms(2012, 1, 1, 0, 5, 0).unwrap();
        assert_eq!(render_datetime(&midnight), "1/1/2012 12:05:00 AM");
        let noon = Utc.with_ymd_and_hms(2012, 1, 1, 12, 0, 0).unwrap();
        assert_eq!(render_datetime(&noon), "1/1/2012 12:00:00 PM");
    }

    #[test]
    fn into_text_agrees_with_to_text_and_keeps_borrows() {
        let d = Utc.with_ymd_and_hms(2021, 8, 25, 17, 41, 18).unwrap();
        let complex = |k: &'static str| {
            Value::Complex(vec![
                (Cow::Borrowed("id"), Value::str("1")),
                (Cow::Borrowed(k), Value::str("v")),
            ])
        };
        let values = [
            Value::Null,
            Value::str("text"),
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(-42),
            Value::DateTime(d),
            Value::List(vec![]),
            Value::List(vec![Value::Int(7), Value::str("x")]),
            complex("value"),
            complex("Value"),
            complex("other"),
        ];
        for v in values {
            let want = v.to_text().into_owned();
            assert_eq!(v.into_text(), want);
        }
        let source = String::from("borrowed");
        assert!(matches!(
            Value::List(vec![Value::str(&source)]).into_text(),
            Cow::Borrowed("borrowed")
        ));
    }

    #[test]
    fn truthiness_follows_vb() {
        assert!(Value::str("TRUE").truthy());
        assert!(Value::str("True").truthy());
        assert!(!Value::str("False").truthy());
        assert!(!Value::str("yes").truthy());
        assert!(Value::Int(-1).truthy());
        assert!(!Value::Null.truthy());
    }

    #[test]
    fn large_integers_stay_exact_in_json() {
        let v = Value::Int(132539615990000000);
        assert_eq!(v.to_json().to_string(), "132539615990000000");
    }
}
