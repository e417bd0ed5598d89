//! Replace and its five modes: .NET regular expressions (read by
//! `regex_dotnet`), .NET's Regex.Replace iteration and substitutions
//! (`${name}`, `$1`, `$$`, `$&`, …).

use super::regex_dotnet::{self, Captures, DotnetRegex, PatternError};
use super::{ensure_fits, output_too_large, Args};
use crate::bytecode::FxBuild;
use crate::codes::Code;
use crate::eval::{Interrupt, RuntimeLimits};
use crate::value::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub use super::regex_dotnet::REGEX_SIZE_LIMIT;

const CACHE_CAPACITY: usize = 256;

thread_local! {
    /// Compiled patterns. Constant patterns are compiled once per thread and
    /// reused for every record. FxHash, as FormatDateTime's format cache: the
    /// lookup runs on every call, and SipHash of the pattern cost more than
    /// the rest of the lookup; the cache is bounded, so a flood of crafted
    /// patterns only clears it.
    static CACHE: RefCell<HashMap<Box<str>, Rc<DotnetRegex>, FxBuild>> = RefCell::default();
}

/// Compiles a .NET pattern (cached), or explains why it cannot be used.
pub fn compile(pattern: &str) -> Result<Rc<DotnetRegex>, (Code, String)> {
    if let Some(r) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(r);
    }
    let re = DotnetRegex::new(pattern).map_err(|e| match e {
        PatternError::Invalid(m) => (
            Code::EvalInvalidRegex,
            format!("the pattern is not a valid .NET regular expression: {m}"),
        ),
        PatternError::Unsupported(feature) => (
            Code::EvalUnsupportedRegexFeature,
            format!("the pattern uses {feature}, which .NET accepts but attrmap cannot run"),
        ),
    })?;
    let re = Rc::new(re);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_CAPACITY {
            c.clear();
        }
        c.insert(pattern.into(), re.clone());
    });
    Ok(re)
}

/// One piece of a parsed .NET replacement string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Group(u32),
    Before,
    After,
    LastGroup,
    Input,
}

/// Parses a replacement string the way .NET's RegexParser.ScanReplacement
/// does for RegexOptions.None: `$` followed by all its digits (not the
/// longest prefix naming a group), `${number}` or `${name}` naming an
/// existing group, `$$`, `$&`, `` $` ``, `$'`, `$+`, `$_`; anything else
/// (including a reference to a missing group) is literal text.
fn parse_replacement(repl: &str, re: &DotnetRegex) -> Result<Vec<Piece>, String> {
    let chars: Vec<char> = repl.chars().collect();
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    let digits = |i: &mut usize| -> Result<Option<u32>, String> {
        let start = *i;
        let mut n: u64 = 0;
        while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
            n = n * 10 + d as u64;
            if n > i32::MAX as u64 {
                return Err("a group number in the replacement is larger than Int32.MaxValue, which .NET rejects".into());
            }
            *i += 1;
        }
        Ok((*i > start).then_some(n as u32))
    };
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '$' || i >= chars.len() {
            text.push(c);
            continue;
        }
        let back = i;
        let mut piece = None;
        match chars[i] {
            '{' if i + 1 < chars.len() => {
                let mut j = i + 1;
                if chars[j].is_ascii_digit() {
                    if let Some(n) = digits(&mut j)? {
                        if chars.get(j) == Some(&'}') && re.has_group(n) {
                            piece = Some((Piece::Group(n), j + 1));
                        }
                    }
                } else {
                    let start = j;
                    while chars.get(j).is_some_and(|&c| regex_dotnet::is_word_char(c)) {
                        j += 1;
                    }
                    let name: String = chars[start..j].iter().collect();
                    if j > start && chars.get(j) == Some(&'}') && re.has_name(&name) {
                        if let Some(n) = re.group_number(&name) {
                            piece = Some((Piece::Group(n), j + 1));
                        }
                    }
                }
            }
            '0'..='9' => {
                let mut j = i;
                if let Some(n) = digits(&mut j)? {
                    if re.has_group(n) {
                        piece = Some((Piece::Group(n), j));
                    }
                }
            }
            '$' => piece = Some((Piece::Text("$".into()), i + 1)),
            '&' => piece = Some((Piece::Group(0), i + 1)),
            '`' => piece = Some((Piece::Before, i + 1)),
            '\'' => piece = Some((Piece::After, i + 1)),
            '+' => piece = Some((Piece::LastGroup, i + 1)),
            '_' => piece = Some((Piece::Input, i + 1)),
            _ => {}
        }
        match piece {
            Some((Piece::Text(t), next)) => {
                text.push_str(&t);
                i = next;
            }
            Some((p, next)) => {
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(p);
                i = next;
            }
            None => {
                text.push('$');
                i = back;
            }
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

fn expand(pieces: &[Piece], re: &DotnetRegex, caps: &Captures, input: &str, out: &mut String) {
    let whole = caps.whole();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Group(n) => {
                if let Some(r) = re.group(caps, *n) {
                    out.push_str(&input[r]);
                }
            }
            Piece::Before => out.push_str(&input[..whole.start]),
            Piece::After => out.push_str(&input[whole.end..]),
            Piece::LastGroup => {
                if let Some(r) = re.group(caps, re.last_group()) {
                    out.push_str(&input[r]);
                }
            }
            Piece::Input => out.push_str(input),
        }
    }
}

/// .NET's Regex.Replace(input, pattern, replacement), on text in any form:
/// the value is matched in its UTF-16 code-unit view and turned back.
pub fn regex_replace(
    re: &DotnetRegex,
    input: &str,
    replacement: &str,
    max_output: usize,
) -> Result<String, (Code, String)> {
    replace_each_match(
        re,
        input,
        replacement,
        max_output,
        |replacement| {
            parse_replacement(replacement, re).map_err(|m| (Code::EvalInvalidSubstitution, m))
        },
        |pieces, _, units, caps, out| expand(pieces, re, caps, units, out),
    )
}

/// Replace's group-name mode: in each match, the group's text (when the
/// group took part and lies inside the match) is replaced by the replacement,
/// taken literally; the rest of the match is kept.
pub fn regex_replace_group(
    re: &DotnetRegex,
    input: &str,
    group: &str,
    replacement: &str,
    max_output: usize,
) -> Result<String, (Code, String)> {
    let number = re.group_number(group);
    replace_each_match(
        re,
        input,
        replacement,
        max_output,
        |_| Ok(()),
        |_, replacement, units, caps, out| {
            let whole = caps.whole();
            match number.and_then(|n| re.group(caps, n)) {
                Some(g) if g.start >= whole.start && g.end <= whole.end => {
                    out.push_str(&units[whole.start..g.start]);
                    out.push_str(replacement);
                    out.push_str(&units[g.end..whole.end]);
                }
                _ => out.push_str(&units[whole]),
            }
        },
    )
}

/// The loop both replacing modes share: the input and the replacement are
/// taken into the UTF-16 code-unit view the matcher works on (once, by
/// `prepare` for the replacement), the text between matches is copied, and
/// `splice` writes each match's replacement. The output size is checked at
/// every match, because `$_` and long replacements can multiply the input.
fn replace_each_match<T>(
    re: &DotnetRegex,
    input: &str,
    replacement: &str,
    max_output: usize,
    prepare: impl FnOnce(&str) -> Result<T, (Code, String)>,
    mut splice: impl FnMut(&T, &str, &str, &Captures, &mut String),
) -> Result<String, (Code, String)> {
    let units = regex_dotnet::to_units(input);
    let mapped = matches!(units, std::borrow::Cow::Owned(_));
    let replacement = if mapped {
        regex_dotnet::to_units(replacement)
    } else {
        std::borrow::Cow::Borrowed(replacement)
    };
    let prepared = prepare(&replacement)?;
    let mut out = String::with_capacity(units.len());
    let mut last = 0;
    re.for_each_match(&units, |caps| {
        let whole = caps.whole();
        out.push_str(&units[last..whole.start]);
        splice(&prepared, &replacement, &units, caps, &mut out);
        last = whole.end;
        out.len() <= max_output
    })
    .map_err(|e| (Code::EvalRegexLimit, e.0))?;
    if out.len() > max_output {
        return Err((Code::EvalOutputTooLarge, String::new()));
    }
    out.push_str(&units[last..]);
    Ok(if mapped {
        regex_dotnet::from_units(&out).into_owned()
    } else {
        out
    })
}

/// The text of a group in the first match (Replace's extraction mode), or
/// `None` when nothing matches or the group did not take part.
pub fn regex_extract(
    re: &DotnetRegex,
    input: &str,
    group: &str,
) -> Result<Option<String>, (Code, String)> {
    let units = regex_dotnet::to_units(input);
    let caps = re
        .first_match(&units)
        .map_err(|e| (Code::EvalRegexLimit, e.0))?;
    Ok(caps
        .and_then(|c| re.group_number(group).and_then(|n| re.group(&c, n)))
        .map(|r| regex_dotnet::from_units(&units[r]).into_owned()))
}

/// The length of `text` with every (non-overlapping) `find` replaced by
/// `with_len` bytes, computed without building it; `None` on overflow.
fn replaced_len(text: &str, find: &str, with_len: usize) -> Option<usize> {
    let hits = text.matches(find).count();
    (text.len() - hits * find.len()).checked_add(hits.checked_mul(with_len)?)
}

fn regex_or_error(args: &Args<'_, '_>, pattern: &str) -> Result<Rc<DotnetRegex>, Interrupt> {
    compile(pattern).map_err(|(code, msg)| args.error(code, format!("Replace: {msg}")))
}

/// Replace(source, oldValue, regexPattern, regexGroupName, replacementValue,
/// replacementAttributeName, template). The written arguments pick the mode.
pub(super) fn replace<'a>(
    args: &mut Args<'_, 'a>,
    limits: &RuntimeLimits,
) -> Result<Value<'a>, Interrupt> {
    let (old, pattern, group, replacement, repl_attr, template) = (
        args.is_present(1),
        args.is_present(2),
        args.is_present(3),
        args.is_present(4),
        args.is_present(5),
        args.is_present(6),
    );
    // The source is moved out first (a mode that returns it unchanged
    // returns it as it came); the other arguments are read in place, and a
    // string argument's text is borrowed, not copied.
    let src = args.take(0);
    let text = |i: usize| args.get(i).to_text();

    // Mode 5: fall back to a group extracted from another attribute when the source is empty.
    if pattern && group && repl_attr {
        if !src.is_null_or_empty() {
            return Ok(src);
        }
        let re = regex_or_error(args, &text(2))?;
        return match regex_extract(&re, &text(5), &text(3)) {
            Ok(Some(v)) => Ok(Value::string(v)),
            Ok(None) => Ok(Value::Null),
            Err((code, msg)) => Err(args.error(code, format!("Replace: {msg}"))),
        };
    }
    if old && template {
        if src.is_null() {
            return Ok(Value::Null);
        }
        let (find, tpl, src) = (text(1), text(6), src.to_text());
        if find.is_empty() {
            return Ok(Value::string(tpl.into_owned()));
        }
        ensure_fits(args, limits, replaced_len(&tpl, &find, src.len()))?;
        return Ok(Value::string(tpl.replace(find.as_ref(), &src)));
    }
    if old && replacement {
        let find = text(1);
        if src.is_null() || find.is_empty() {
            return Ok(src);
        }
        let t = src.to_text();
        if !t.contains(find.as_ref()) {
            return Ok(src);
        }
        let repl = text(4);
        ensure_fits(args, limits, replaced_len(&t, &find, repl.len()))?;
        return Ok(Value::string(t.replace(find.as_ref(), &repl)));
    }
    if pattern && replacement {
        if src.is_null() {
            return Ok(Value::Null);
        }
        let re = regex_or_error(args, &text(2))?;
        let input = src.to_text();
        let max = limits.max_output_bytes;
        let result = if group {
            regex_replace_group(&re, &input, &text(3), &text(4), max)
        } else {
            regex_replace(&re, &input, &text(4), max)
        };
        return result.map(Value::string).map_err(|(code, msg)| {
            if code == Code::EvalOutputTooLarge {
                output_too_large(args, limits)
            } else {
                args.error(code, format!("Replace: {msg}"))
            }
        });
    }
    Err(args.error(
        Code::EvalReplaceMode,
        "Replace: these arguments select no mode; give oldValue with replacementValue or template, or regexPattern with replacementValue (and optionally regexGroupName), or regexPattern, regexGroupName and replacementAttributeName",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(pattern: &str, repl: &str, input: &str) -> String {
        let re = compile(pattern).unwrap();
        regex_replace(&re, input, repl, usize::MAX).unwrap()
    }

    #[test]
    fn dotnet_substitutions() {
        assert_eq!(
            sub(
                r"\+(?<isdCode>\d* )(?<phoneNumber>\d{10})",
                "${phoneNumber}",
                "+91 9998887777"
            ),
            "9998887777"
        );
        assert_eq!(
            sub(r"(\w+)@(\w+)", "$2 at $1", "jo@contoso"),
            "contoso at jo"
        );
        assert_eq!(sub(r"(\w+)", "$$1 [$&]", "ab"), "$1 [ab]");
        assert_eq!(sub(r"(a)", "${nope}", "a"), "${nope}");
        assert_eq!(sub(r"(a)", "$1x", "a"), "ax");
        // All the digits are the group number: $10 with one group is literal.
        assert_eq!(sub(r"(a)", "$10", "a"), "$10");
        assert_eq!(sub(r"(?'word'\w+)", "<${word}>", "hi"), "<hi>");
        // An empty match right after a non-empty one.
        assert_eq!(sub(".*", "X", "abc"), "XX");
        assert_eq!(sub("a*", "-", "baaab"), "-b--b-");
    }

    #[test]
    fn unsupported_features_are_named() {
        assert!(
            matches!(compile("(?(1)a|b)"), Err((Code::EvalUnsupportedRegexFeature, m)) if m.contains("conditional"))
        );
        assert!(
            matches!(compile("(?<a-b>x)"), Err((Code::EvalUnsupportedRegexFeature, m)) if m.contains("balancing"))
        );
        assert!(matches!(
            compile("(unclosed"),
            Err((Code::EvalInvalidRegex, _))
        ));
        assert!(matches!(compile("a**"), Err((Code::EvalInvalidRegex, _))));
    }

    #[test]
    fn huge_patterns_are_refused() {
        let pattern = format!("({})", "a{1000}".repeat(1000));
        assert!(compile(&pattern).is_err());
    }
}
