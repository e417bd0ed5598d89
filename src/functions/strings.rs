//! String, predicate and conversion functions.

use super::{not_implemented, Args};
use crate::catalogue::FnId;
use crate::eval::{Context, Interrupt};
use crate::value::Value;
use std::borrow::Cow;

pub(super) fn call<'a>(
    id: FnId,
    args: &mut Args<'_, 'a>,
    _ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    Ok(match id {
        FnId::Append => {
            let suffix = args.get(1).to_text().into_owned();
            concat(args.take(0), &suffix)
        }
        FnId::Prepend => {
            let prefix = args.get(1).to_text().into_owned();
            let src = args.get(0).to_text();
            Value::string(format!("{prefix}{src}"))
        }
        FnId::Join => join(args),
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
                substring(src, 0, n as usize)
            }
        }
        FnId::Mid => {
            let start = args.int(1, id)?;
            let len = args.int(2, id)?;
            let src = args.take(0);
            if src.is_null() || len <= 0 || start < 1 {
                Value::str("")
            } else {
                substring(src, (start - 1) as usize, len as usize)
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

fn join<'a>(args: &mut Args<'_, 'a>) -> Value<'a> {
    let sep = args.get(0).to_text().into_owned();
    let mut out = String::new();
    let mut first = true;
    let mut push = |v: &Value<'_>| {
        if v.is_null_or_empty() {
            return;
        }
        if !first {
            out.push_str(&sep);
        }
        first = false;
        out.push_str(&v.to_text());
    };
    for v in args.values.iter().skip(1) {
        match v {
            Value::List(items) => items.iter().for_each(&mut push),
            other => push(other),
        }
    }
    Value::string(out)
}
