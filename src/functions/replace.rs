//! Replace and its five modes, .NET regular expressions on a linear-time
//! engine, and .NET substitutions (`${name}`, `$1`, `$$`, `$&`, …).

use super::{ensure_fits, output_too_large, Args};
use crate::codes::Code;
use crate::eval::{Interrupt, RuntimeLimits};
use crate::value::Value;
use regex::{Captures, Regex, RegexBuilder};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Bounds on compiled patterns, so a hostile pattern cannot exhaust memory.
/// The engine itself runs in linear time, so no pattern can run away.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;
const CACHE_CAPACITY: usize = 256;

thread_local! {
    /// Compiled patterns. Constant patterns are compiled once per thread and
    /// reused for every record.
    static CACHE: RefCell<HashMap<String, Rc<Regex>>> = RefCell::new(HashMap::new());
}

/// A .NET construct the linear-time engine cannot run, if the pattern uses one.
pub fn dotnet_only_feature(pattern: &str) -> Option<&'static str> {
    let b = pattern.as_bytes();
    let mut i = 0;
    let mut in_class = false;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                if !in_class {
                    match b.get(i + 1) {
                        Some(b'1'..=b'9') => return Some("backreferences (\\1)"),
                        Some(b'k') if matches!(b.get(i + 2), Some(b'<' | b'\'' | b'{')) => {
                            return Some("named backreferences (\\k<name>)")
                        }
                        Some(b'G') => return Some("the \\G anchor"),
                        _ => {}
                    }
                }
                i += 2;
                continue;
            }
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'(' if !in_class && b.get(i + 1) == Some(&b'?') => {
                let rest = &pattern[i + 2..];
                if rest.starts_with('=') {
                    return Some("lookahead (?=…)");
                }
                if rest.starts_with('!') {
                    return Some("negative lookahead (?!…)");
                }
                if rest.starts_with("<=") {
                    return Some("lookbehind (?<=…)");
                }
                if rest.starts_with("<!") {
                    return Some("negative lookbehind (?<!…)");
                }
                if rest.starts_with('>') {
                    return Some("atomic groups (?>…)");
                }
                if rest.starts_with('(') {
                    return Some("conditionals (?(…)…)");
                }
                if rest.starts_with('#') {
                    return Some("inline comments (?#…)");
                }
                if let Some(name) = rest.strip_prefix('<').or_else(|| rest.strip_prefix('\'')) {
                    let end = name.find(['>', '\'']).unwrap_or(name.len());
                    if name[..end].contains('-') {
                        return Some("balancing groups (?<a-b>…)");
                    }
                }
            }
            b'+' | b'*' | b'?' | b'}' if !in_class && b.get(i + 1) == Some(&b'+') => {
                return Some("possessive quantifiers");
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Rewrites .NET-only spellings the engine accepts in another form:
/// `(?'name'…)` named groups become `(?<name>…)`.
fn translate(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains("(?'") {
        return Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(i) = rest.find("(?'") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 3..];
        match after.find('\'') {
            Some(j) => {
                out.push_str("(?<");
                out.push_str(&after[..j]);
                out.push('>');
                rest = &after[j + 1..];
            }
            None => {
                out.push_str("(?'");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Compiles a pattern (cached), or explains why it cannot be used.
pub fn compile(pattern: &str) -> Result<Rc<Regex>, (Code, String)> {
    if let Some(r) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(r);
    }
    if let Some(feature) = dotnet_only_feature(pattern) {
        return Err((
            Code::EvalUnsupportedRegexFeature,
            format!("the pattern uses {feature}, a .NET feature attrmap's linear-time regex engine does not support"),
        ));
    }
    let translated = translate(pattern);
    let re = RegexBuilder::new(&translated)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            (
                Code::EvalInvalidRegex,
                format!("the pattern does not compile: {}", one_line(&e.to_string())),
            )
        })?;
    let re = Rc::new(re);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_CAPACITY {
            c.clear();
        }
        c.insert(pattern.to_string(), re.clone());
    });
    Ok(re)
}

fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Expands a .NET substitution string for one match. Returns false, leaving
/// `out` partly written, once `out` has grown past `limit` bytes: `$_`
/// copies the whole input, so one template of many `$_` could otherwise
/// allocate gigabytes before the caller sees the size. `out` never exceeds
/// `limit` by more than one piece (a piece is at most the input).
pub fn expand(
    replacement: &str,
    re: &Regex,
    caps: &Captures<'_>,
    input: &str,
    out: &mut String,
    limit: usize,
) -> bool {
    let b = replacement.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if out.len() > limit {
            return false;
        }
        if b[i] != b'$' || i + 1 >= b.len() {
            let ch = replacement[i..].chars().next().unwrap_or('$');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let whole = caps.get(0).map_or(0..0, |m| m.range());
        match b[i + 1] {
            b'$' => {
                out.push('$');
                i += 2;
            }
            b'&' => {
                out.push_str(&input[whole]);
                i += 2;
            }
            b'`' => {
                out.push_str(&input[..whole.start]);
                i += 2;
            }
            b'\'' => {
                out.push_str(&input[whole.end..]);
                i += 2;
            }
            b'_' => {
                out.push_str(input);
                i += 2;
            }
            b'+' => {
                if let Some(m) = (1..caps.len()).rev().find_map(|g| caps.get(g)) {
                    out.push_str(m.as_str());
                }
                i += 2;
            }
            b'{' => match replacement[i + 2..].find('}') {
                Some(end) => {
                    let name = &replacement[i + 2..i + 2 + end];
                    let group = name
                        .parse::<usize>()
                        .ok()
                        .and_then(|n| caps.get(n))
                        .or_else(|| caps.name(name));
                    match group {
                        Some(m) => out.push_str(m.as_str()),
                        // An unknown group is kept literally, as .NET does.
                        None if name.parse::<usize>().is_err()
                            && !re.capture_names().any(|n| n == Some(name)) =>
                        {
                            out.push_str(&replacement[i..i + 3 + end])
                        }
                        None => {}
                    }
                    i += 3 + end;
                }
                None => {
                    out.push('$');
                    i += 1;
                }
            },
            b'0'..=b'9' => {
                // .NET takes the longest run of digits that names a group.
                let digits_end = b[i + 1..]
                    .iter()
                    .position(|c| !c.is_ascii_digit())
                    .map_or(b.len(), |p| i + 1 + p);
                let mut taken = None;
                for end in (i + 2..=digits_end).rev() {
                    if let Ok(n) = replacement[i + 1..end].parse::<usize>() {
                        if n < caps.len() {
                            taken = Some((n, end));
                            break;
                        }
                    }
                }
                match taken {
                    Some((n, end)) => {
                        if let Some(m) = caps.get(n) {
                            out.push_str(m.as_str());
                        }
                        i = end;
                    }
                    None => {
                        out.push('$');
                        i += 1;
                    }
                }
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    out.len() <= limit
}

/// The length of `text` with every (non-overlapping) `find` replaced by
/// `with_len` bytes, computed without building it; `None` on overflow.
fn replaced_len(text: &str, find: &str, with_len: usize) -> Option<usize> {
    let hits = text.matches(find).count();
    (text.len() - hits * find.len()).checked_add(hits.checked_mul(with_len)?)
}

fn regex_or_error(args: &Args<'_, '_>, pattern: &str) -> Result<Rc<Regex>, Interrupt> {
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
    let texts: Vec<String> = (0..7).map(|i| args.get(i).to_text().into_owned()).collect();
    let text = |i: usize| texts[i].clone();

    // Mode 5: fall back to a group extracted from another attribute when the source is empty.
    if pattern && group && repl_attr {
        let src = args.take(0);
        if !src.is_null_or_empty() {
            return Ok(src);
        }
        let re = regex_or_error(args, &text(2))?;
        let other = args.get(5).to_text();
        let name = text(3);
        return Ok(
            match re
                .captures(&other)
                .and_then(|c| c.name(&name).map(|m| m.as_str().to_string()))
            {
                Some(v) => Value::string(v),
                None => Value::Null,
            },
        );
    }
    if old && template {
        if args.get(0).is_null() {
            return Ok(Value::Null);
        }
        let (find, tpl, src) = (text(1), text(6), args.get(0).to_text().into_owned());
        if find.is_empty() {
            return Ok(Value::string(tpl));
        }
        ensure_fits(args, limits, replaced_len(&tpl, &find, src.len()))?;
        return Ok(Value::string(tpl.replace(&find, &src)));
    }
    if old && replacement {
        let src = args.take(0);
        let find = text(1);
        if src.is_null() || find.is_empty() {
            return Ok(src);
        }
        let t = src.to_text();
        if !t.contains(find.as_str()) {
            return Ok(src);
        }
        let repl = text(4);
        ensure_fits(args, limits, replaced_len(&t, &find, repl.len()))?;
        return Ok(Value::string(t.replace(&find, &repl)));
    }
    if pattern && replacement {
        let src = args.take(0);
        if src.is_null() {
            return Ok(Value::Null);
        }
        let re = regex_or_error(args, &text(2))?;
        let input = src.to_text().into_owned();
        let repl = text(4);
        let mut out = String::with_capacity(input.len());
        let mut last = 0;
        if group {
            // Mode 4: replace only the named group's span of each match.
            let name = text(3);
            for caps in re.captures_iter(&input) {
                if let Some(m) = caps.name(&name) {
                    ensure_fits(
                        args,
                        limits,
                        Some(out.len() + m.start() - last + repl.len()),
                    )?;
                    out.push_str(&input[last..m.start()]);
                    out.push_str(&repl);
                    last = m.end();
                }
            }
        } else {
            for caps in re.captures_iter(&input) {
                let whole = caps.get(0).map_or(0..0, |m| m.range());
                out.push_str(&input[last..whole.start]);
                if !expand(&repl, &re, &caps, &input, &mut out, limits.max_output_bytes) {
                    return Err(output_too_large(args, limits));
                }
                last = whole.end;
            }
        }
        out.push_str(&input[last..]);
        return Ok(Value::string(out));
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
        let mut out = String::new();
        let mut last = 0;
        for caps in re.captures_iter(input) {
            let m = caps.get(0).unwrap();
            out.push_str(&input[last..m.start()]);
            assert!(expand(repl, &re, &caps, input, &mut out, usize::MAX));
            last = m.end();
        }
        out.push_str(&input[last..]);
        out
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
        assert_eq!(sub(r"(?'word'\w+)", "<${word}>", "hi"), "<hi>");
    }

    #[test]
    fn dotnet_only_features_are_named() {
        assert!(dotnet_only_feature(r"(?=x)").unwrap().contains("lookahead"));
        assert!(dotnet_only_feature(r"(?<!x)a")
            .unwrap()
            .contains("lookbehind"));
        assert!(dotnet_only_feature(r"(a)\1")
            .unwrap()
            .contains("backreferences"));
        assert!(dotnet_only_feature(r"(?<n>a)\k<n>")
            .unwrap()
            .contains("named backreferences"));
        assert!(dotnet_only_feature(r"a++").unwrap().contains("possessive"));
        assert_eq!(dotnet_only_feature(r"(?<streetNumber>^\d*)"), None);
        assert_eq!(dotnet_only_feature(r"[(?=]\\1"), None);
        assert!(matches!(
            compile("(?=x)"),
            Err((Code::EvalUnsupportedRegexFeature, _))
        ));
        assert!(matches!(
            compile("(unclosed"),
            Err((Code::EvalInvalidRegex, _))
        ));
    }

    #[test]
    fn huge_patterns_are_refused() {
        let pattern = format!("({})", "a{1000}".repeat(1000));
        assert!(matches!(
            compile(&pattern),
            Err((Code::EvalInvalidRegex, _))
        ));
    }
}
