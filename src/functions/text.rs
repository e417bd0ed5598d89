//! Text functions beyond the basics: PCase, NormalizeDiacritics, culture-aware
//! ToLower/ToUpper, InStr, Word, Split, ConvertToBase64, ConvertToUTF8Hex.

use super::{diacritics, ensure_fits, Args};
use crate::catalogue::FnId;
use crate::codes::Code;
use crate::eval::{Interrupt, RuntimeLimits};
use crate::value::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;
use unicode_general_category::{get_general_category, GeneralCategory as G};

/// Maps every string value of a (possibly multi-valued) argument.
fn map_str<'a>(v: Value<'a>, f: &dyn Fn(Cow<'a, str>) -> Cow<'a, str>) -> Value<'a> {
    match v {
        Value::Null => Value::Null,
        Value::Str(s) => Value::Str(f(s)),
        Value::List(items) => Value::List(items.into_iter().map(|i| map_str(i, f)).collect()),
        other => {
            let t = other.to_text().into_owned();
            Value::Str(f(Cow::Owned(t)))
        }
    }
}

// ---- PCase ----------------------------------------------------------------

/// The separators .NET's ToTitleCase uses when PCase has no wordSeparators.
fn is_default_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            get_general_category(c),
            G::Control
                | G::Format
                | G::ConnectorPunctuation
                | G::DashPunctuation
                | G::OpenPunctuation
                | G::ClosePunctuation
                | G::InitialPunctuation
                | G::FinalPunctuation
                | G::OtherPunctuation
                | G::MathSymbol
                | G::CurrencySymbol
                | G::ModifierSymbol
                | G::OtherSymbol
                | G::SpaceSeparator
                | G::LineSeparator
                | G::ParagraphSeparator
        )
}

/// Upper-cases the first character of each word and lower-cases the rest.
pub fn pcase(s: &str, separators: Option<&str>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at_word_start = true;
    for c in s.chars() {
        let sep = match separators {
            Some(seps) => seps.contains(c),
            None => is_default_separator(c),
        };
        if sep {
            out.push(c);
            at_word_start = true;
        } else if at_word_start {
            push_upper_simple(&mut out, c, false);
            at_word_start = false;
        } else {
            push_lower_simple(&mut out, c, false);
        }
    }
    out
}

// ---- case mapping with cultures --------------------------------------------

/// Simple (one-to-one) case mapping, as .NET does: `ß` stays `ß` when
/// upper-cased, and `İ` lower-cases to `i`.
fn push_upper_simple(out: &mut String, c: char, turkish: bool) {
    match c {
        'i' if turkish => out.push('İ'),
        'ı' => out.push('I'),
        _ => {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => out.push(u),
                _ => out.push(c),
            }
        }
    }
}

fn push_lower_simple(out: &mut String, c: char, turkish: bool) {
    match c {
        'I' if turkish => out.push('ı'),
        'İ' => out.push('i'),
        _ => {
            let mut low = c.to_lowercase();
            match (low.next(), low.next()) {
                (Some(l), None) => out.push(l),
                _ => out.push(c),
            }
        }
    }
}

/// Whether a culture name uses the Turkish dotted/dotless i rules.
fn parse_culture(args: &Args<'_, '_>) -> Result<bool, Interrupt> {
    if !args.is_present(1) {
        return Ok(false);
    }
    let culture = args.get(1).to_text();
    let c = culture.trim();
    let valid = c.is_empty()
        || c.split(['-', '_']).all(|part| {
            !part.is_empty() && part.len() <= 8 && part.chars().all(|ch| ch.is_ascii_alphanumeric())
        });
    if !valid {
        return Err(args.error(Code::EvalInvalidCulture, format!("\"{culture}\" is not a culture name; use an RFC 4646 name such as en-US, tr-TR or ja-JP")));
    }
    let lang = c
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    Ok(lang == "tr" || lang == "az")
}

fn change_case<'a>(v: Value<'a>, upper: bool, turkish: bool) -> Value<'a> {
    map_str(v, &|s| {
        let needs = s.chars().any(|c| {
            if upper {
                c.is_lowercase() || c == 'ı'
            } else {
                c.is_uppercase()
            }
        });
        if !needs {
            return s;
        }
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if upper {
                push_upper_simple(&mut out, c, turkish);
            } else {
                push_lower_simple(&mut out, c, turkish);
            }
        }
        Cow::Owned(out)
    })
}

// ---- NormalizeDiacritics ---------------------------------------------------

fn diacritics_index() -> &'static HashMap<char, Vec<(&'static str, &'static str)>> {
    static INDEX: OnceLock<HashMap<char, Vec<(&'static str, &'static str)>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m: HashMap<char, Vec<(&str, &str)>> = HashMap::new();
        for &(from, to) in diacritics::TABLE {
            if let Some(first) = from.chars().next() {
                m.entry(first).or_default().push((from, to));
            }
        }
        // Longest match first.
        for v in m.values_mut() {
            v.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        }
        m
    })
}

pub fn normalize_diacritics(s: &str) -> Cow<'_, str> {
    // Every entry is non-ASCII or an ASCII letter followed by a combining
    // mark, so plain ASCII text never matches.
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let index = diacritics_index();
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let hit = index
            .get(&c)
            .and_then(|cands| cands.iter().find(|(from, _)| rest.starts_with(from)));
        match hit {
            Some((from, to)) => {
                out.push_str(to);
                rest = &rest[from.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if out == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(out)
    }
}

// ---- encodings ---------------------------------------------------------------

pub fn base64_utf16le(s: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn utf8_hex(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        let _ = write!(out, "{b:02X}");
    }
    out
}

// ---- searching and splitting -----------------------------------------------

/// 1-based position of `needle` in `hay` at or after `start`, or 0.
pub fn instr(hay: &str, needle: &str, start: usize, text_compare: bool) -> i64 {
    let (hay, needle): (Cow<'_, str>, Cow<'_, str>) = if text_compare {
        (
            Cow::Owned(hay.to_lowercase()),
            Cow::Owned(needle.to_lowercase()),
        )
    } else {
        (Cow::Borrowed(hay), Cow::Borrowed(needle))
    };
    let len = hay.chars().count();
    if start > len + 1 {
        return 0;
    }
    if needle.is_empty() {
        return start as i64;
    }
    let byte_start = hay
        .char_indices()
        .nth(start - 1)
        .map_or(hay.len(), |(i, _)| i);
    match hay[byte_start..].find(needle.as_ref()) {
        Some(b) => (hay[..byte_start + b].chars().count() + 1) as i64,
        None => 0,
    }
}

pub(super) fn call<'a>(
    id: FnId,
    args: &mut Args<'_, 'a>,
    limits: &RuntimeLimits,
) -> Result<Value<'a>, Interrupt> {
    Ok(match id {
        FnId::PCase => {
            let seps = if args.is_present(1) {
                Some(args.get(1).to_text().into_owned())
            } else {
                None
            };
            map_str(args.take(0), &|s| {
                let t = pcase(&s, seps.as_deref());
                if t == s.as_ref() {
                    s
                } else {
                    Cow::Owned(t)
                }
            })
        }
        FnId::NormalizeDiacritics => map_str(args.take(0), &|s| match s {
            Cow::Borrowed(b) => normalize_diacritics(b),
            Cow::Owned(o) => Cow::Owned(normalize_diacritics(&o).into_owned()),
        }),
        FnId::ToLower | FnId::ToUpper => {
            let turkish = parse_culture(args)?;
            change_case(args.take(0), id == FnId::ToUpper, turkish)
        }
        // Both encodings are longer than their input: measured first.
        FnId::ConvertToBase64 => match args.get(0) {
            Value::Null => Value::Null,
            v => {
                let text = v.to_text();
                let utf16_bytes = text.encode_utf16().count().checked_mul(2);
                let len = utf16_bytes.and_then(|n| n.div_ceil(3).checked_mul(4));
                ensure_fits(args, limits, len)?;
                Value::string(base64_utf16le(&text))
            }
        },
        FnId::ConvertToUTF8Hex => match args.get(0) {
            Value::Null => Value::Null,
            v => {
                let text = v.to_text();
                ensure_fits(args, limits, text.len().checked_mul(2))?;
                Value::string(utf8_hex(&text))
            }
        },
        FnId::InStr => {
            let start = if args.is_present(2) && !args.get(2).is_null() {
                args.int(2, id)?
            } else {
                1
            };
            if start < 1 {
                return Err(args.error(
                    Code::EvalInvalidStart,
                    format!("InStr: start is {start}, but positions start at 1"),
                ));
            }
            let text_compare =
                args.is_present(3) && args.get(3).to_text().eq_ignore_ascii_case("vbTextCompare");
            if args.get(0).is_null() {
                return Ok(Value::Int(0));
            }
            let start = usize::try_from(start).unwrap_or(usize::MAX);
            Value::Int(instr(
                &args.get(0).to_text(),
                &args.get(1).to_text(),
                start,
                text_compare,
            ))
        }
        FnId::Word => {
            let n = args.int(1, id)?;
            let delims = args.get(2).to_text().into_owned();
            let src = args.take(0);
            if n < 1 || src.is_null() {
                return Ok(Value::str(""));
            }
            let pick = |s: &str| -> Option<(usize, usize)> {
                let mut words = s
                    .split(|c: char| delims.contains(c))
                    .filter(|w| !w.is_empty());
                let w = words.nth((n - 1) as usize)?;
                let start = w.as_ptr() as usize - s.as_ptr() as usize;
                Some((start, start + w.len()))
            };
            match src {
                Value::Str(Cow::Borrowed(s)) => {
                    pick(s).map_or(Value::str(""), |(a, b)| Value::str(&s[a..b]))
                }
                other => {
                    let t = other.to_text();
                    pick(&t).map_or(Value::str(""), |(a, b)| Value::string(t[a..b].to_string()))
                }
            }
        }
        FnId::Split => {
            let delim = args.get(1).to_text().into_owned();
            // Counted before the list is built: a megabyte of commas
            // would otherwise make half a million values first.
            if !delim.is_empty() {
                let parts = args.get(0).to_text().matches(delim.as_str()).count() + 1;
                if parts > limits.max_list_len {
                    return Err(super::output_too_large(args, limits));
                }
            }
            match args.take(0) {
                Value::Null => Value::Null,
                Value::Str(Cow::Borrowed(s)) => {
                    Value::List(split(s, &delim).map(Value::str).collect())
                }
                other => {
                    let t = other.to_text().into_owned();
                    Value::List(
                        split(&t, &delim)
                            .map(|p| Value::string(p.to_string()))
                            .collect(),
                    )
                }
            }
        }
        other => return Err(super::not_implemented(other, args.span)),
    })
}

/// Splits on the delimiter string and trims white space around each part, as
/// the reference's example shows ("One, Two" → ["One", "Two"]). An empty
/// delimiter yields the whole (trimmed) string.
fn split<'s>(s: &'s str, delim: &str) -> Box<dyn Iterator<Item = &'s str> + 's> {
    if delim.is_empty() {
        Box::new(std::iter::once(s.trim()))
    } else {
        let d = delim.to_string();
        Box::new(
            s.split(d.as_str())
                .map(str::trim)
                .collect::<Vec<_>>()
                .into_iter(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcase_matches_the_reference() {
        assert_eq!(
            pcase("PABLO GONSALVES (SECOND)", None),
            "Pablo Gonsalves (Second)"
        );
        assert_eq!(pcase("PINTO-DE'SILVA", Some(" '-")), "Pinto-De'Silva");
        assert_eq!(pcase("GREGORY JAMES", None), "Gregory James");
        assert_eq!(pcase("jean-luc o'neil", Some(" ")), "Jean-luc O'neil");
        assert_eq!(pcase("ÉLODIE_ÅSA", None), "Élodie_Åsa");
        assert_eq!(pcase("", None), "");
    }

    #[test]
    fn diacritics_follow_the_table() {
        assert_eq!(normalize_diacritics("Zoë"), "Zoe");
        assert_eq!(
            normalize_diacritics("Ångström Øster Łukasz Straße Æbeltoft"),
            "Angstrom OEster Lukasz Strasse AEbeltoft"
        );
        // Combining sequences from the table, in decomposed form.
        assert_eq!(normalize_diacritics("a\u{331}b\u{304}"), "ab\u{304}");
        assert_eq!(normalize_diacritics("A\u{304}\u{301}"), "A");
        // Outside the table: unchanged.
        assert_eq!(normalize_diacritics("đ Þ 東京"), "đ Þ 東京");
        assert!(matches!(normalize_diacritics("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn no_table_entry_is_plain_ascii() {
        // normalize_diacritics skips ASCII text on the strength of this.
        assert!(diacritics::TABLE.iter().all(|(from, _)| !from.is_ascii()));
    }

    #[test]
    fn turkish_and_invariant_case() {
        let mut s = String::new();
        for c in "iı".chars() {
            push_upper_simple(&mut s, c, true);
        }
        assert_eq!(s, "İI");
        let mut s = String::new();
        for c in "Iİ".chars() {
            push_lower_simple(&mut s, c, true);
        }
        assert_eq!(s, "ıi");
        let mut s = String::new();
        push_upper_simple(&mut s, 'ß', false);
        assert_eq!(s, "ß");
    }

    #[test]
    fn encodings() {
        assert_eq!(
            base64_utf16le("Hello world!"),
            "SABlAGwAbABvACAAdwBvAHIAbABkACEA"
        );
        assert_eq!(base64_utf16le("a"), "YQA=");
        assert_eq!(base64_utf16le(""), "");
        assert_eq!(utf8_hex("Hello world!"), "48656C6C6F20776F726C6421");
        assert_eq!(utf8_hex("é"), "C3A9");
    }

    #[test]
    fn instr_edges() {
        assert_eq!(instr("The quick brown fox", "quick", 1, false), 5);
        assert_eq!(instr("repEated", "e", 3, false), 7);
        assert_eq!(instr("repEated", "e", 3, true), 4);
        assert_eq!(instr("abc", "", 2, false), 2);
        assert_eq!(instr("abc", "c", 9, false), 0);
        assert_eq!(instr("abc", "x", 1, false), 0);
        assert_eq!(instr("ééa", "a", 1, false), 3);
    }
}
