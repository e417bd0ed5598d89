//! String, predicate and conversion functions.

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
            let (first, second) = (args.get(0).to_text(), args.get(1).to_text());
            ensure_fits(args, limits, first.len().checked_add(second.len()))?;
            if id == FnId::Append {
                let suffix = second.into_owned();
                drop(first);
                concat(args.take(0), &suffix)
            } else {
                Value::string(format!("{second}{first}"))
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
        FnId::StripSpaces => map_text(args.take(0), &|s: &str| {
            if s.contains(' ') {
                Some(s.replace(' ', ""))
            } else {
                None
            }
        }),
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

/// Keeps a borrowed string borrowed when the transform changes nothing.
fn map_text<'a>(v: Value<'a>, f: &dyn Fn(&str) -> Option<String>) -> Value<'a> {
    match v {
        Value::Null => Value::Null,
        Value::Str(s) => match f(&s) {
            Some(changed) => Value::string(changed),
            None => Value::Str(s),
        },
        Value::List(items) => Value::List(items.into_iter().map(|i| map_text(i, f)).collect()),
        other => {
            let t = other.to_text().into_owned();
            Value::string(f(&t).unwrap_or(t))
        }
    }
}

fn concat<'a>(src: Value<'a>, suffix: &str) -> Value<'a> {
    if suffix.is_empty() {
        return match src {
            Value::Null => Value::str(""),
            Value::Str(s) => Value::Str(s),
            other => Value::string(other.to_text().into_owned()),
        };
    }
    let mut s = src.to_text().into_owned();
    s.push_str(suffix);
    Value::string(s)
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
        other => {
            let t = other.to_text();
            let (b, e) = slice(&t);
            Value::string(t[b..e].to_string())
        }
    }
}

/// Joins the non-empty values. Each piece is measured before it is copied:
/// a long separator between thousands of values would otherwise build a
/// gigabyte before the output limit saw it.
fn join<'a>(args: &Args<'_, 'a>, limits: &RuntimeLimits) -> Result<Value<'a>, Interrupt> {
    let sep = args.get(0).to_text();
    let mut out = String::new();
    let mut first = true;
    let mut push = |v: &Value<'_>| -> Result<(), Interrupt> {
        if v.is_null_or_empty() {
            return Ok(());
        }
        let text = v.to_text();
        let sep_len = if first { 0 } else { sep.len() };
        ensure_fits(args, limits, Some(out.len() + sep_len + text.len()))?;
        if !first {
            out.push_str(&sep);
        }
        first = false;
        out.push_str(&text);
        Ok(())
    };
    for v in args.values.iter().skip(1) {
        match v {
            Value::List(items) => items.iter().try_for_each(&mut push)?,
            other => push(other)?,
        }
    }
    Ok(Value::string(out))
}
