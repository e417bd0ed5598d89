//! String, predicate and conversion functions.

use super::text::map_str;
use super::{ensure_fits, not_implemented, Args};
use crate::catalogue::FnId;
use crate::eval::{Context, Interrupt, RuntimeLimits};
use crate::value::Value;
use std::borrow::Cow;

pub(super) fn call<'a>(
    id: FnId,
    args: &mut Args<'_, 'a>,
    ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    let limits = &ctx.limits;
    Ok(match id {
        FnId::Append | FnId::Prepend => {
            let (source, other) = (args.take(0), args.take(1));
            let (text, other) = (source.into_text(), other.to_text());
            ensure_fits(args, limits, text.len().checked_add(other.len()))?;
            if other.is_empty() {
                // Nothing to add: the source as it is ("" for null).
                Value::Str(text)
            } else {
                // The source's own buffer grows when it is owned.
                let mut out = text.into_owned();
                if id == FnId::Append {
                    out.push_str(&other);
                } else {
                    out.insert_str(0, &other);
                }
                Value::string(out)
            }
        }
        FnId::Join => join(args, limits)?,
        FnId::IsNull | FnId::IsNothing => Value::Bool(args.get(0).is_null()),
        FnId::IsNullOrEmpty => Value::Bool(args.get(0).is_null_or_empty()),
        FnId::IsPresent => Value::Bool(!args.get(0).is_null_or_empty()),
        FnId::IsString => Value::Bool(matches!(args.get(0), Value::Str(_))),
        FnId::Not => Value::Bool(!args.get(0).truthy()),
        FnId::CBool => Value::Bool(args.get(0).truthy()),
        FnId::CStr => match args.take(0) {
            Value::Str(s) => Value::Str(s),
            Value::Null => Value::Null,
            other => Value::string(other.to_text().into_owned()),
        },
        FnId::StripSpaces => map_str(args.take(0), &|s| {
            if !s.as_bytes().contains(&b' ') {
                return s;
            }
            match s {
                Cow::Borrowed(b) => Cow::Owned(b.replace(' ', "")),
                // A space is one byte that never occurs inside a UTF-8
                // sequence: dropping those bytes leaves valid text.
                Cow::Owned(o) => {
                    let mut bytes = o.into_bytes();
                    bytes.retain(|&b| b != b' ');
                    Cow::Owned(super::text::utf8(bytes))
                }
            }
        }),
        // .NET's String.Trim: Char.IsWhiteSpace is Unicode's White_Space
        // property, the set Rust's str::trim removes.
        FnId::Trim => map_str(args.take(0), &|s| match s {
            Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
            Cow::Owned(mut o) => {
                o.truncate(o.trim_end().len());
                let start = o.len() - o.trim_start().len();
                o.drain(..start);
                Cow::Owned(o)
            }
        }),
        // .NET's String.Length: UTF-16 code units, so a character outside
        // the BMP counts 2. Null has no characters.
        FnId::Len => Value::Int(args.get(0).to_text().encode_utf16().count() as i64),
        // A reference attribute is its DN's text here: nothing to convert.
        FnId::CRef => args.take(0),
        FnId::Left => {
            let n = args.int(1, id)?;
            let src = args.take(0);
            if src.is_null() || n == 0 {
                Value::str("")
            } else if n < 0 {
                src
            } else {
                substring(src, 0, super::count(n))
            }
        }
        FnId::Mid => {
            let start = args.int(1, id)?;
            let len = args.int(2, id)?;
            let src = args.take(0);
            if src.is_null() || len <= 0 || start < 1 {
                Value::str("")
            } else {
                substring(src, super::count(start - 1), super::count(len))
            }
        }
        other => return Err(not_implemented(other, args.span)),
    })
}

/// Characters `[start, start+len)`, clamped to the string.
fn substring(src: Value<'_>, start: usize, len: usize) -> Value<'_> {
    let slice = |s: &str| -> (usize, usize) {
        let mut idx = s
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()));
        let b = idx.nth(start).unwrap_or(s.len());
        let e = if b == s.len() {
            s.len()
        } else {
            s[b..]
                .char_indices()
                .map(|(i, _)| b + i)
                .chain(std::iter::once(s.len()))
                .nth(len)
                .unwrap_or(s.len())
        };
        (b, e)
    };
    match src {
        Value::Str(Cow::Borrowed(s)) => {
            let (b, e) = slice(s);
            Value::Str(Cow::Borrowed(&s[b..e]))
        }
        // Cut in its own buffer.
        Value::Str(Cow::Owned(mut s)) => {
            let (b, e) = slice(&s);
            s.truncate(e);
            s.drain(..b);
            Value::string(s)
        }
        other => {
            let t = other.to_text();
            let (b, e) = slice(&t);
            Value::string(t[b..e].to_string())
        }
    }
}

/// Spare bytes a new Join output is allocated with: a Join's result is
/// often the start of a longer one (a name, then `@` and a domain, as in a
/// UPN or a mail address), which then grows in place instead of moving.
const JOIN_ROOM: usize = 32;

/// Joins the non-empty values. The output is measured before anything is
/// copied: a long separator between thousands of values is refused before
/// a gigabyte is built, and the output is allocated once, at its size.
/// When the first value is an owned string (a nested call's result), the
/// output grows in its buffer; a single value is the result as it is.
fn join<'a>(args: &mut Args<'_, 'a>, limits: &RuntimeLimits) -> Result<Value<'a>, Interrupt> {
    let separator = args.take(0);
    let sep = separator.to_text();
    // No multi-valued argument (the common case): each argument is one
    // piece, read without the flattening iterator.
    let flat = !args.values[1..].iter().any(|v| matches!(v, Value::List(_)));
    let (mut count, mut bytes) = (0usize, Some(0usize));
    let mut measure = |v: &Value<'_>| {
        count += 1;
        bytes = bytes.and_then(|b| b.checked_add(text_len(v)));
    };
    if flat {
        args.values[1..]
            .iter()
            .filter(|v| !v.is_null_or_empty())
            .for_each(&mut measure);
    } else {
        pieces(&args.values[1..]).for_each(measure);
    }
    let seps = sep.len().checked_mul(count.saturating_sub(1));
    let bytes = bytes.zip(seps).and_then(|(b, s)| b.checked_add(s));
    ensure_fits(args, limits, bytes)?;
    let bytes = bytes.unwrap_or(0);
    let Some(first) = args.values[1..].iter().position(|v| !v.is_null_or_empty()) else {
        return Ok(Value::str(""));
    };
    let first = first + 1;
    let (mut out, rest) = match &mut args.values[first] {
        Value::Str(s) => {
            let s = std::mem::take(s);
            if count == 1 {
                return Ok(Value::Str(s));
            }
            let mut out = match s {
                Cow::Owned(o) => o,
                Cow::Borrowed(b) => {
                    let mut out = String::with_capacity(bytes.saturating_add(JOIN_ROOM));
                    out.push_str(b);
                    out
                }
            };
            out.reserve(bytes.saturating_sub(out.len()));
            (out, first + 1)
        }
        _ => (
            String::with_capacity(bytes.saturating_add(JOIN_ROOM)),
            first,
        ),
    };
    // A separator goes before every piece but a first one not yet written.
    let rest_values = &args.values[rest..];
    let lead = rest > first;
    if flat {
        write_pieces(
            &mut out,
            &sep,
            lead,
            rest_values.iter().filter(|v| !v.is_null_or_empty()),
        );
    } else {
        write_pieces(&mut out, &sep, lead, pieces(rest_values));
    }
    Ok(Value::string(out))
}

/// Appends each piece's text to `out`, separated by `sep` (and preceded by
/// it when `lead`).
fn write_pieces<'v, 'a: 'v>(
    out: &mut String,
    sep: &str,
    lead: bool,
    pieces: impl Iterator<Item = &'v Value<'a>>,
) {
    for (i, piece) in pieces.enumerate() {
        if i > 0 || lead {
            out.push_str(sep);
        }
        match piece {
            Value::Str(s) => out.push_str(s),
            other => out.push_str(&other.to_text()),
        }
    }
}

/// The length of a value's text, without making the text of a string.
fn text_len(v: &Value<'_>) -> usize {
    match v {
        Value::Str(s) => s.len(),
        other => other.to_text().len(),
    }
}

/// Join's values: each argument, or each element of a multi-valued one,
/// leaving out null and empty ones.
fn pieces<'v, 'a>(values: &'v [Value<'a>]) -> impl Iterator<Item = &'v Value<'a>> {
    values
        .iter()
        .flat_map(|v| match v {
            Value::List(items) => items.as_slice(),
            other => std::slice::from_ref(other),
        })
        .filter(|v| !v.is_null_or_empty())
}
