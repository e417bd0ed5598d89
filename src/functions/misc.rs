//! Multi-valued, app role, random and flow functions: Count, Item,
//! RemoveDuplicates, BitAnd, IgnoreFlowIfNullOrEmpty, Redact, Guid,
//! RandomString, SingleAppRoleAssignment, AppRoleAssignmentsComplex,
//! DefaultDomain.

use super::Args;
use crate::catalogue::FnId;
use crate::codes::Code;
use crate::eval::{Context, Interrupt, RuntimeError};
use crate::value::{field, Value};
use rand::seq::SliceRandom;
use rand::Rng;
use std::borrow::Cow;

pub const RANDOM_STRING_MAX: i64 = 256;

/// The special characters of the Windows password complexity rules.
pub const SPECIAL_CHARACTERS: &str = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/";

fn elements<'v, 'a>(v: &'v Value<'a>) -> &'v [Value<'a>] {
    match v {
        Value::List(items) => items,
        Value::Null => &[],
        single => std::slice::from_ref(single),
    }
}

pub(super) fn call<'a>(
    id: FnId,
    args: &mut Args<'_, 'a>,
    ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    Ok(match id {
        FnId::Count => Value::Int(
            elements(args.get(0))
                .iter()
                .filter(|v| !v.is_null())
                .count() as i64,
        ),
        FnId::DefaultDomain => match ctx.default_domain() {
            Some(domain) => Value::string(domain.to_owned()),
            // No domain is invented: a UPN built on an empty or made-up
            // domain would flow in silence.
            None => {
                return Err(args.error(
                    Code::EvalNoDefaultDomain,
                    "DefaultDomain() returns the tenant's default verified domain, which this run was not given: pass --default-domain DOMAIN (options.defaultDomain in the library and playground, Context::with_default_domain in Rust)",
                ))
            }
        },
        FnId::Error => {
            let message = args.get(0).to_text();
            return Err(args.error(
                Code::EvalCustomError,
                format!("Error(\"{message}\"): the expression raised this error for the object"),
            ));
        }
        FnId::Item => {
            let index = args.int(1, id)?;
            let v = args.take(0);
            let items = match v {
                Value::List(items) => items,
                Value::Null => return Ok(Value::Null),
                single => vec![single],
            };
            // The Cloud Sync reference: "Throws an error if index is out of
            // bounds"; the app provisioning reference: index 0 is not to be used.
            let len = items.len();
            match (index >= 1).then(|| items.into_iter().nth(super::count(index - 1))) {
                Some(Some(item)) => item,
                _ => {
                    return Err(args.error(
                        Code::EvalItemOutOfRange,
                        format!(
                        "Item: index {index} is outside the list of {len} value{}; the first is 1",
                        if len == 1 { "" } else { "s" }
                    ),
                    ))
                }
            }
        }
        FnId::RemoveDuplicates => {
            let v = args.take(0);
            let items = match v {
                Value::List(items) => items,
                Value::Null => return Ok(Value::Null),
                single => vec![single],
            };
            Value::List(remove_duplicates(items))
        }
        FnId::BitAnd => Value::Int(args.int(0, id)? & args.int(1, id)?),
        FnId::IgnoreFlowIfNullOrEmpty => {
            let v = args.take(0);
            if v.is_null_or_empty() {
                return Err(Interrupt::Ignore);
            }
            v
        }
        // The evaluators mark the context as redacted; the value passes through.
        FnId::Redact => args.take(0),
        FnId::Guid => Value::string(guid(ctx)),
        FnId::RandomString => random_string(args, ctx)?,
        FnId::SingleAppRoleAssignment => single_role(args, ctx),
        FnId::AppRoleAssignmentsComplex | FnId::AssertiveAppRoleAssignmentsComplex => {
            roles_complex(args.get(0))
        }
        other => return Err(super::not_implemented(other, args.span)),
    })
}

/// Keeps the first occurrence of each value, in order. Values are equal as
/// `Value`'s `==` says (type and exact text, as .NET's `Distinct` compares
/// strings ordinally). A hash set makes it linear: comparing each value with
/// every kept one took 111 s for 100 000 values. The set's hasher is std's
/// keyed SipHash, since the values come from the record.
fn remove_duplicates(items: Vec<Value<'_>>) -> Vec<Value<'_>> {
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    let keep: Vec<bool> = items.iter().map(|v| seen.insert(ByValue(v))).collect();
    drop(seen);
    items
        .into_iter()
        .zip(keep)
        .filter_map(|(v, k)| k.then_some(v))
        .collect()
}

/// A value hashed consistently with its `==`.
struct ByValue<'v, 'a>(&'v Value<'a>);

impl PartialEq for ByValue<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for ByValue<'_, '_> {}

impl std::hash::Hash for ByValue<'_, '_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_value(self.0, state);
    }
}

fn hash_value<H: std::hash::Hasher>(v: &Value<'_>, state: &mut H) {
    use std::hash::Hash;
    std::mem::discriminant(v).hash(state);
    match v {
        Value::Null => {}
        Value::Str(s) => s.as_ref().hash(state),
        Value::Bool(b) => b.hash(state),
        Value::Int(n) => n.hash(state),
        Value::DateTime(d) => d.hash(state),
        Value::List(items) => {
            items.len().hash(state);
            items.iter().for_each(|i| hash_value(i, state));
        }
        Value::Complex(fields) => {
            fields.len().hash(state);
            for (k, v) in fields {
                k.as_ref().hash(state);
                hash_value(v, state);
            }
        }
    }
}

/// A random (version 4) GUID, lower-case and hyphenated.
pub fn guid(ctx: &mut Context<'_>) -> String {
    let mut b = [0u8; 16];
    ctx.rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn random_string<'a>(args: &Args<'_, 'a>, ctx: &mut Context<'_>) -> Result<Value<'a>, Interrupt> {
    let id = FnId::RandomString;
    let length = args.int(0, id)?;
    let mins = [
        args.int(1, id)?,
        args.int(2, id)?,
        args.int(3, id)?,
        args.int(4, id)?,
    ];
    let avoid = if args.is_present(5) {
        args.get(5).to_text().into_owned()
    } else {
        String::new()
    };
    let fail = |msg: String| {
        Interrupt::from(RuntimeError::new(
            Code::EvalRandomStringConstraints,
            args.span,
            format!("RandomString: {msg}"),
        ))
    };
    check_random_string_length(length, &mins).map_err(fail)?;
    let classes: [Vec<char>; 4] = [
        ('0'..='9').filter(|c| !avoid.contains(*c)).collect(),
        SPECIAL_CHARACTERS
            .chars()
            .filter(|c| !avoid.contains(*c))
            .collect(),
        ('A'..='Z').filter(|c| !avoid.contains(*c)).collect(),
        ('a'..='z').filter(|c| !avoid.contains(*c)).collect(),
    ];
    const NAMES: [&str; 4] = [
        "numbers",
        "special characters",
        "capital letters",
        "lower-case letters",
    ];
    for (i, class) in classes.iter().enumerate() {
        if mins[i] > 0 && class.is_empty() {
            return Err(fail(format!(
                "CharactersToAvoid excludes every one of the {}",
                NAMES[i]
            )));
        }
    }
    // The rest of the string is drawn from the classes asked for (all
    // letters and digits when no minimum is set), so RandomString(6,3,0,0,3)
    // yields only digits and lower-case letters.
    let mut pool: Vec<char> = classes
        .iter()
        .zip(mins)
        .filter(|(_, m)| *m > 0)
        .flat_map(|(c, _)| c.iter().copied())
        .collect();
    if pool.is_empty() {
        pool = [&classes[0], &classes[2], &classes[3]]
            .into_iter()
            .flatten()
            .copied()
            .collect();
    }
    if pool.is_empty() {
        return Err(fail(
            "CharactersToAvoid leaves no characters to choose from".into(),
        ));
    }
    let rng = ctx.rng();
    let mut out: Vec<char> = Vec::with_capacity(length as usize);
    for (class, min) in classes.iter().zip(mins) {
        for _ in 0..min {
            out.push(class[rng.gen_range(0..class.len())]);
        }
    }
    while (out.len() as i64) < length {
        out.push(pool[rng.gen_range(0..pool.len())]);
    }
    out.shuffle(rng);
    Ok(Value::string(out.into_iter().collect()))
}

/// RandomString's Length and minimums, checked before any character is drawn.
fn check_random_string_length(length: i64, mins: &[i64; 4]) -> Result<(), String> {
    if !(1..=RANDOM_STRING_MAX).contains(&length) {
        return Err(format!(
            "Length is {length}; it must be between 1 and {RANDOM_STRING_MAX}"
        ));
    }
    if let Some(neg) = mins.iter().find(|m| **m < 0) {
        return Err(format!("minimums cannot be negative (got {neg})"));
    }
    // Checked: four minimums near i64::MAX overflow a plain sum, which
    // wrapped to a small number and then asked for an endless string.
    match mins.iter().try_fold(0i64, |sum, m| sum.checked_add(*m)) {
        Some(required) if required <= length => Ok(()),
        Some(required) => Err(format!(
            "the minimums add up to {required}, more than the Length {length}"
        )),
        None => Err(format!(
            "the minimums ({}, {}, {}, {}) add up to more than the Length {length}",
            mins[0], mins[1], mins[2], mins[3]
        )),
    }
}

/// The role value of one app role assignment: a string, or an object's
/// `value` (falling back to `displayName`, then `id`).
fn role_value<'v, 'a>(v: &'v Value<'a>) -> Option<&'v Value<'a>> {
    match v {
        Value::Complex(f) => ["value", "displayName", "id"]
            .iter()
            .find_map(|k| field(f, k).filter(|x| !x.is_null_or_empty())),
        Value::Null => None,
        other => Some(other),
    }
}

fn single_role<'a>(args: &Args<'_, 'a>, ctx: &mut Context<'_>) -> Value<'a> {
    let roles: Vec<&Value<'a>> = elements(args.get(0))
        .iter()
        .filter_map(role_value)
        .collect();
    if roles.len() > 1 {
        ctx.warnings.push(
            RuntimeError::new(
                Code::EvalSeveralAppRoles,
                args.span,
                format!("SingleAppRoleAssignment: the user has {} app role assignments; the first one is used", roles.len()),
            )
            .with_help("Entra does not support several roles here: use AppRoleAssignmentsComplex([appRoleAssignments]) to send them all"),
        );
    }
    roles.first().map_or(Value::Null, |v| (*v).clone())
}

/// The SCIM `roles` list: one complex value per assignment, none primary.
fn roles_complex<'a>(v: &Value<'a>) -> Value<'a> {
    let out: Vec<Value<'a>> = elements(v)
        .iter()
        .filter_map(|a| {
            let value = role_value(a)?.clone();
            let display = match a {
                Value::Complex(f) => field(f, "displayName")
                    .filter(|x| !x.is_null_or_empty())
                    .cloned()
                    .unwrap_or_else(|| value.clone()),
                _ => value.clone(),
            };
            Some(Value::Complex(vec![
                (Cow::Borrowed("primary"), Value::Bool(false)),
                (
                    Cow::Borrowed("type"),
                    Value::str("WindowsAzureActiveDirectoryRole"),
                ),
                (Cow::Borrowed("display"), display),
                (Cow::Borrowed("value"), value),
            ]))
        })
        .collect();
    Value::List(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_v4_and_seeded() {
        let mut a = Context::new().with_seed(3);
        let mut b = Context::new().with_seed(3);
        let g = guid(&mut a);
        assert_eq!(g, guid(&mut b));
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
    }
}
