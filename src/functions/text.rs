//! Text functions beyond the basics: PCase, NormalizeDiacritics, culture-aware
//! ToLower/ToUpper, InStr, Word, Split, ConvertToBase64, ConvertToUTF8Hex.

use super::{diacritics, ensure_fits, Args};
use crate::catalogue::FnId;
use crate::codes::Code;
use crate::eval::{Interrupt, RuntimeLimits};
use crate::value::Value;
use std::borrow::Cow;
use std::sync::OnceLock;
use unicode_general_category::{get_general_category, GeneralCategory as G};

/// Maps every string value of a (possibly multi-valued) argument. `f` gets
/// the string as it is, borrowed or owned, so it can return it unchanged
/// (no copy) or change an owned one in place.
pub(super) fn map_str<'a, F>(v: Value<'a>, f: &F) -> Value<'a>
where
    F: Fn(Cow<'a, str>) -> Cow<'a, str>,
{
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

/// PCase. With wordSeparators, exactly those characters separate words, and
/// each word's first character is upper-cased and the rest lower-cased.
/// Without them, .NET's `TextInfo.ToTitleCase` on the lower-cased text (the
/// reference's example lowers words in capitals, which ToTitleCase alone
/// keeps): an apostrophe does not end a word (`O'neil`), and a word starts
/// at its first letter (`1St`), as the .NET oracle shows.
pub fn pcase(s: &str, separators: Option<&str>) -> String {
    let Some(seps) = separators else {
        return title_case(&change_case_str(s, false, CaseRules::Invariant));
    };
    let mut out = String::with_capacity(s.len());
    let mut at_word_start = true;
    for c in s.chars() {
        if seps.contains(c) {
            out.push(c);
            at_word_start = true;
        } else if at_word_start {
            out.push(upper_simple(c, CaseRules::Invariant));
            at_word_start = false;
        } else {
            out.push(lower_simple(c, CaseRules::Invariant));
        }
    }
    out
}

/// [`pcase`] on a borrowed or owned string: unchanged text comes back as
/// it went in, and ASCII text takes [`AsciiTitleCase`], in place when owned.
fn pcase_cow<'a>(s: Cow<'a, str>, separators: Option<&str>) -> Cow<'a, str> {
    if s.is_ascii() && separators.is_none_or(str::is_ascii) {
        let seps = separators.map(str::as_bytes);
        let mut probe = AsciiTitleCase::new(seps);
        if s.bytes().all(|b| probe.next(b) == b) {
            return s;
        }
        let mut bytes = s.into_owned().into_bytes();
        let mut title = AsciiTitleCase::new(seps);
        for b in &mut bytes {
            *b = title.next(*b);
        }
        return Cow::Owned(utf8(bytes));
    }
    let t = pcase(&s, separators);
    if t == s.as_ref() {
        s
    } else {
        Cow::Owned(t)
    }
}

/// [`pcase`] restricted to ASCII text (and ASCII separators), a byte at a
/// time. Without separators this is ToTitleCase's rule on ASCII: a word
/// starts at a letter; letters, digits and apostrophes continue it; every
/// other ASCII character (white space, punctuation, symbols, controls) ends
/// it. `tests::pcase_ascii_agrees_with_the_general_rules` holds it to
/// [`pcase`].
struct AsciiTitleCase<'s> {
    separators: Option<&'s [u8]>,
    in_word: bool,
}

impl<'s> AsciiTitleCase<'s> {
    fn new(separators: Option<&'s [u8]>) -> Self {
        AsciiTitleCase {
            separators,
            in_word: false,
        }
    }

    /// The next byte's cased form.
    fn next(&mut self, b: u8) -> u8 {
        match self.separators {
            Some(seps) if seps.contains(&b) => {
                self.in_word = false;
                b
            }
            Some(_) if !self.in_word => {
                self.in_word = true;
                b.to_ascii_uppercase()
            }
            Some(_) => b.to_ascii_lowercase(),
            None if !self.in_word => {
                self.in_word = b.is_ascii_alphabetic();
                b.to_ascii_uppercase()
            }
            None if b.is_ascii_alphanumeric() || b == b'\'' => b.to_ascii_lowercase(),
            None => {
                self.in_word = false;
                b
            }
        }
    }
}

fn is_letter(c: char) -> bool {
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
    )
}

/// .NET's TextInfo.ToTitleCase (invariant culture): each word's first letter
/// is title-cased; the rest of the word is lower-cased unless it has no
/// lower-case letter (an acronym); an apostrophe restarts that choice.
/// Letters, marks and numbers continue a word; the categories the reference
/// lists (white space, punctuation, symbols) end it.
fn title_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let flush = |out: &mut String, segment: &[char], has_lower: bool| {
        for &c in segment {
            out.push(if has_lower {
                lower_simple(c, CaseRules::Invariant)
            } else {
                c
            });
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let first = chars[i];
        i += 1;
        if !is_letter(first) {
            out.push(first);
            continue;
        }
        out.push(title_simple(first));
        let mut has_lower = get_general_category(first) == G::LowercaseLetter;
        let mut segment_start = i;
        while i < chars.len() {
            let c = chars[i];
            if is_letter(c) {
                has_lower |= get_general_category(c) == G::LowercaseLetter;
                i += 1;
            } else if c == '\'' {
                i += 1;
                flush(&mut out, &chars[segment_start..i], has_lower);
                segment_start = i;
                has_lower = true;
            } else if !is_default_separator(c) {
                i += 1;
            } else {
                break;
            }
        }
        flush(&mut out, &chars[segment_start..i], has_lower);
    }
    out
}

/// The title-case form ToTitleCase gives a word's first letter: the
/// title-case digraphs for the DŽ, LJ, NJ and DZ families, else upper case.
fn title_simple(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        _ => upper_simple(c, CaseRules::Invariant),
    }
}

// ---- case mapping with cultures --------------------------------------------

/// Which casing table a culture argument selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseRules {
    /// No culture: .NET's invariant table, which maps only letters whose
    /// mapping goes both ways (so `ı`, `µ`, `ς`, `ǅ` keep their form in
    /// upper case, and `İ`, `Ω` (ohm), `K` (kelvin) in lower case).
    Invariant,
    /// `tr` and `az`: `i`↔`İ` and `ı`↔`I`.
    Turkish,
    /// Any other culture: Unicode's simple case mapping.
    Other,
}

/// Characters the invariant culture does not upper-case, though Unicode
/// gives them an upper-case form. Found by the .NET oracle (every BMP
/// character, invariant against en-US); tests/oracle/text.rs checks it.
const INVARIANT_UPPER_KEEPS: &[char] = &[
    '\u{B5}', '\u{131}', '\u{17F}', '\u{1C5}', '\u{1C8}', '\u{1CB}', '\u{1F2}', '\u{345}',
    '\u{3C2}', '\u{3D0}', '\u{3D1}', '\u{3D5}', '\u{3D6}', '\u{3F0}', '\u{3F1}', '\u{3F5}',
    '\u{1E9B}', '\u{1FBE}',
];
/// Characters the invariant culture does not lower-case (same evidence).
const INVARIANT_LOWER_KEEPS: &[char] = &[
    '\u{130}', '\u{1C5}', '\u{1C8}', '\u{1CB}', '\u{1F2}', '\u{3D2}', '\u{3D3}', '\u{3D4}',
    '\u{3F4}', '\u{1E9E}', '\u{2126}', '\u{212A}', '\u{212B}',
];

/// Simple (one-to-one) upper case, as .NET does: `ß` stays `ß`.
fn upper_simple(c: char, rules: CaseRules) -> char {
    match (c, rules) {
        ('i', CaseRules::Turkish) => 'İ',
        (_, CaseRules::Invariant) if INVARIANT_UPPER_KEEPS.contains(&c) => c,
        _ => {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => u,
                _ => greek_iota_subscript_upper(c).unwrap_or(c),
            }
        }
    }
}

/// The simple upper case of the Greek letters with a iota subscript, whose
/// full upper case (what `char::to_uppercase` gives) is two letters: `ᾳ` is
/// `ᾼ`, as in .NET. No other character has a simple mapping that differs
/// from a multi-character full one.
fn greek_iota_subscript_upper(c: char) -> Option<char> {
    let u = c as u32;
    let up = match u {
        0x1F80..=0x1FAF if u & 0xF < 8 => u + 8,
        0x1FB3 | 0x1FC3 | 0x1FF3 => u + 9,
        _ => return None,
    };
    char::from_u32(up)
}

/// Simple (one-to-one) lower case: `İ` is `i` (except in the invariant
/// culture, which keeps it), not Unicode's two-character full mapping.
fn lower_simple(c: char, rules: CaseRules) -> char {
    match (c, rules) {
        ('I', CaseRules::Turkish) => 'ı',
        ('İ', CaseRules::Turkish | CaseRules::Other) => 'i',
        (_, CaseRules::Invariant) if INVARIANT_LOWER_KEEPS.contains(&c) => c,
        _ => {
            let mut low = c.to_lowercase();
            match (low.next(), low.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        }
    }
}

/// The casing rules a culture argument selects (absent or empty: invariant).
fn parse_culture(args: &Args<'_, '_>) -> Result<CaseRules, Interrupt> {
    if !args.is_present(1) {
        return Ok(CaseRules::Invariant);
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
    Ok(match lang.as_str() {
        "" => CaseRules::Invariant,
        "tr" | "az" => CaseRules::Turkish,
        _ => CaseRules::Other,
    })
}

/// Maps every character; borrows when nothing changes.
fn change_case_str(s: &str, upper: bool, rules: CaseRules) -> Cow<'_, str> {
    let map = |c| {
        if upper {
            upper_simple(c, rules)
        } else {
            lower_simple(c, rules)
        }
    };
    match s.char_indices().find(|&(_, c)| map(c) != c) {
        None => Cow::Borrowed(s),
        Some((at, _)) => {
            let mut out = String::with_capacity(s.len());
            out.push_str(&s[..at]);
            out.extend(s[at..].chars().map(map));
            Cow::Owned(out)
        }
    }
}

fn change_case<'a>(v: Value<'a>, upper: bool, rules: CaseRules) -> Value<'a> {
    map_str(v, &|s| change_case_cow(s, upper, rules))
}

/// [`change_case_str`] on a borrowed or owned string: unchanged text comes
/// back as it went in, and ASCII text is cased in place when it is owned.
fn change_case_cow(s: Cow<'_, str>, upper: bool, rules: CaseRules) -> Cow<'_, str> {
    // ASCII letters case alike in every culture but the Turkish ones
    // (i and I), and neither invariant exception list holds an ASCII letter.
    if rules != CaseRules::Turkish && s.is_ascii() {
        if let Cow::Owned(mut owned) = s {
            // Cased in place: no copy to save by checking first.
            if upper {
                owned.make_ascii_uppercase();
            } else {
                owned.make_ascii_lowercase();
            }
            return Cow::Owned(owned);
        }
        let changes = if upper {
            s.bytes().any(|b| b.is_ascii_lowercase())
        } else {
            s.bytes().any(|b| b.is_ascii_uppercase())
        };
        if !changes {
            return s;
        }
        let mut owned = s.into_owned();
        if upper {
            owned.make_ascii_uppercase();
        } else {
            owned.make_ascii_lowercase();
        }
        return Cow::Owned(owned);
    }
    match s {
        Cow::Borrowed(b) => change_case_str(b, upper, rules),
        Cow::Owned(o) => {
            let changed = match change_case_str(&o, upper, rules) {
                Cow::Borrowed(_) => None,
                Cow::Owned(n) => Some(n),
            };
            Cow::Owned(changed.unwrap_or(o))
        }
    }
}

// ---- NormalizeDiacritics ---------------------------------------------------

/// The first character below which [`DiacriticsIndex::latin`] indexes
/// directly: Latin-1 and Latin Extended-A and -B, where most entries start.
const LATIN_END: usize = 0x250;

/// The NormalizeDiacritics table grouped by the character each entry
/// starts with: a direct index for Latin letters, a sorted list for the rest
/// (Latin Extended Additional), each group longest entry first.
struct DiacriticsIndex {
    /// Group number + 1 for each character below [`LATIN_END`], 0 for none.
    latin: Vec<u16>,
    /// Other first characters, sorted, with their group number.
    other: Vec<(char, u16)>,
    /// Each group's range in `entries`.
    groups: Vec<(u16, u16)>,
    entries: Vec<(&'static str, &'static str)>,
}

impl DiacriticsIndex {
    fn build() -> DiacriticsIndex {
        let mut entries: Vec<(char, &'static str, &'static str)> = diacritics::TABLE
            .iter()
            .filter_map(|&(from, to)| Some((from.chars().next()?, from, to)))
            .collect();
        // By first character, then longest first: a letter with combining
        // marks matches before the letter alone.
        entries.sort_by_key(|&(c, from, _)| (c, std::cmp::Reverse(from.len())));
        let mut index = DiacriticsIndex {
            latin: vec![0; LATIN_END],
            other: Vec::new(),
            groups: Vec::new(),
            entries: entries.iter().map(|&(_, from, to)| (from, to)).collect(),
        };
        let mut start = 0;
        while start < entries.len() {
            let c = entries[start].0;
            let end = start + entries[start..].iter().take_while(|e| e.0 == c).count();
            let group = index.groups.len() as u16;
            index.groups.push((start as u16, end as u16));
            match index.latin.get_mut(c as usize) {
                Some(slot) => *slot = group + 1,
                None => index.other.push((c, group)),
            }
            start = end;
        }
        index
    }

    /// The entries that start with `c`, longest first.
    fn group(&self, c: char) -> &[(&'static str, &'static str)] {
        let group = match self.latin.get(c as usize) {
            Some(0) => return &[],
            Some(&g) => g - 1,
            None => match self.other.binary_search_by_key(&c, |&(k, _)| k) {
                Ok(i) => self.other[i].1,
                Err(_) => return &[],
            },
        };
        let (start, end) = self.groups[group as usize];
        &self.entries[start as usize..end as usize]
    }

    /// The entry that starts at byte `at` of `s` (valid UTF-8 from there):
    /// its length in `s` and its replacement.
    fn entry_at(&self, s: &[u8], at: usize) -> Option<(usize, &'static str)> {
        let (c, width) = char_at(s, at);
        let group = self.group(c);
        // Every longer entry continues with a combining mark of U+0300 to
        // U+036F, whose UTF-8 starts with 0xCC or 0xCD; without one next,
        // only the single-character entry (the group's last) can match.
        if !matches!(s.get(at + width), Some(0xCC | 0xCD)) {
            let &(from, to) = group.last()?;
            return (from.len() == width).then_some((width, to));
        }
        let rest = s.get(at..)?;
        group
            .iter()
            .find(|(from, _)| rest.starts_with(from.as_bytes()))
            .map(|&(from, to)| (from.len(), to))
    }

    /// The next entry in `s` at or after byte `from` (a character
    /// boundary): where it starts and ends, and its replacement.
    fn next_entry(&self, s: &[u8], from: usize) -> Option<(usize, usize, &'static str)> {
        let mut at = from;
        while at < s.len() {
            // Every entry starts with a non-ASCII character or an ASCII
            // letter followed by a combining mark, so ASCII runs are
            // skipped a byte at a time without decoding anything.
            let i = at + s.get(at..)?.iter().position(|b| !b.is_ascii())?;
            if i > at && matches!(s[i], 0xCC | 0xCD) && s[i - 1].is_ascii_alphabetic() {
                if let Some((len, to)) = self.entry_at(s, i - 1) {
                    return Some((i - 1, i - 1 + len, to));
                }
            }
            if let Some((len, to)) = self.entry_at(s, i) {
                return Some((i, i + len, to));
            }
            at = i + char_at(s, i).1;
        }
        None
    }
}

/// The character starting at byte `at` of UTF-8 text, and its width.
fn char_at(s: &[u8], at: usize) -> (char, usize) {
    let lead = s.get(at).copied().unwrap_or(0);
    let (width, bits) = match lead {
        0..=0x7F => return (lead as char, 1),
        0xC0..=0xDF => (2, u32::from(lead & 0x1F)),
        0xE0..=0xEF => (3, u32::from(lead & 0x0F)),
        _ => (4, u32::from(lead & 0x07)),
    };
    let c = (1..width).fold(bits, |c, k| {
        (c << 6) | u32::from(s.get(at + k).copied().unwrap_or(0x80) & 0x3F)
    });
    (
        char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER),
        width,
    )
}

fn diacritics_index() -> &'static DiacriticsIndex {
    static INDEX: OnceLock<DiacriticsIndex> = OnceLock::new();
    INDEX.get_or_init(DiacriticsIndex::build)
}

/// Replaces each table entry found in `s`, left to right, longest first.
/// Unchanged text stays borrowed; unchanged runs are copied in one go.
pub fn normalize_diacritics(s: &str) -> Cow<'_, str> {
    let index = diacritics_index();
    let Some(mut found) = index.next_entry(s.as_bytes(), 0) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    let mut read = 0;
    loop {
        // Entries start and end at character boundaries (next_entry
        // starts them at an ASCII byte or a lead byte, and matches whole
        // entries), so these slices cannot split a character.
        let (start, end, to) = found;
        out.push_str(&s[read..start]);
        out.push_str(to);
        read = end;
        match index.next_entry(s.as_bytes(), read) {
            Some(next) => found = next,
            None => break,
        }
    }
    out.push_str(&s[read..]);
    Cow::Owned(out)
}

/// [`normalize_diacritics`] on an owned string: returned as it is when
/// nothing changes, otherwise rewritten in its own buffer (no replacement
/// is longer than what it replaces, so it never grows).
pub fn normalize_diacritics_owned(mut s: String) -> String {
    let index = diacritics_index();
    let mut at = 0;
    while let Some((start, end, to)) = index.next_entry(s.as_bytes(), at) {
        s.replace_range(start..end, to);
        at = start + to.len();
    }
    s
}

/// Bytes spliced from valid UTF-8 at character boundaries are valid UTF-8;
/// were they not, the text would be repaired rather than the call panic.
pub(super) fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
            map_str(args.take(0), &|s| pcase_cow(s, seps.as_deref()))
        }
        FnId::NormalizeDiacritics => map_str(args.take(0), &|s| match s {
            Cow::Borrowed(b) => normalize_diacritics(b),
            Cow::Owned(o) => Cow::Owned(normalize_diacritics_owned(o)),
        }),
        FnId::ToLower | FnId::ToUpper => {
            let rules = parse_culture(args)?;
            change_case(args.take(0), id == FnId::ToUpper, rules)
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
        FnId::InStr => instr_call(args)?,
        FnId::Word => word(args)?,
        FnId::Split => split_call(args, limits)?,
        other => return Err(super::not_implemented(other, args.span)),
    })
}

/// InStr(value, find, start, compareType): the 1-based position of `find`.
fn instr_call<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, Interrupt> {
    let id = FnId::InStr;
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
    Ok(Value::Int(instr(
        &args.get(0).to_text(),
        &args.get(1).to_text(),
        start,
        text_compare,
    )))
}

/// Word(value, n, delimiters): the n-th word, borrowed from the input when it can be.
fn word<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, Interrupt> {
    let id = FnId::Word;
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
        let w = words.nth(super::count(n - 1))?;
        let start = w.as_ptr() as usize - s.as_ptr() as usize;
        Some((start, start + w.len()))
    };
    Ok(match src {
        Value::Str(Cow::Borrowed(s)) => {
            pick(s).map_or(Value::str(""), |(a, b)| Value::str(&s[a..b]))
        }
        other => {
            let t = other.to_text();
            pick(&t).map_or(Value::str(""), |(a, b)| Value::string(t[a..b].to_string()))
        }
    })
}

/// Split(value, delimiter): the parts as a list, counted against the list limit first.
fn split_call<'a>(args: &mut Args<'_, 'a>, limits: &RuntimeLimits) -> Result<Value<'a>, Interrupt> {
    let delim = args.get(1).to_text().into_owned();
    // Counted before the list is built: a megabyte of commas
    // would otherwise make half a million values first.
    if !delim.is_empty() {
        let parts = args.get(0).to_text().matches(delim.as_str()).count() + 1;
        if parts > limits.max_list_len {
            return Err(super::output_too_large(args, limits));
        }
    }
    Ok(match args.take(0) {
        Value::Null => Value::Null,
        Value::Str(Cow::Borrowed(s)) => Value::List(split(s, &delim).map(Value::str).collect()),
        other => {
            let t = other.to_text().into_owned();
            Value::List(
                split(&t, &delim)
                    .map(|p| Value::string(p.to_string()))
                    .collect(),
            )
        }
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

    /// The table applied the plain way: at each character, the longest
    /// entry that starts there (what NormalizeDiacritics means), for
    /// checking the indexed scanner against.
    fn naive_normalize(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            let hit = diacritics::TABLE
                .iter()
                .filter(|(from, _)| rest.starts_with(from))
                .max_by_key(|(from, _)| from.len());
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
        out
    }

    fn both_ways(s: &str) -> String {
        let borrowed = normalize_diacritics(s).into_owned();
        let owned = normalize_diacritics_owned(s.to_string());
        assert_eq!(borrowed, owned, "borrowed and in-place disagree on {s:?}");
        borrowed
    }

    #[test]
    fn every_table_entry_normalizes_alone_and_in_text() {
        for (from, to) in diacritics::TABLE {
            assert_eq!(both_ways(from), *to, "{from:?}");
            let text = format!("x{from}y {from}{from}.");
            assert_eq!(both_ways(&text), naive_normalize(&text), "{text:?}");
        }
    }

    #[test]
    fn the_scanner_relies_on_the_tables_shape() {
        // entry_at looks for a combining mark (U+0300..U+036F, UTF-8 lead
        // 0xCC or 0xCD) before trying an entry longer than one character,
        // and the in-place rewrite never grows the string when replacements
        // are no longer than what they replace.
        for (from, to) in diacritics::TABLE {
            for mark in from.chars().skip(1) {
                assert!(('\u{300}'..='\u{36F}').contains(&mark), "{from:?}");
            }
            assert!(to.len() <= from.len(), "{from:?} → {to:?}");
        }
    }

    #[test]
    fn unchanged_owned_text_keeps_its_buffer() {
        let s = String::from("Zoe Muller \u{4e1c}\u{4eac}");
        let at = s.as_ptr();
        let out = normalize_diacritics_owned(s);
        assert_eq!(out.as_ptr(), at);
        let changed = String::from("Zoë Müller");
        let at = changed.as_ptr();
        let out = normalize_diacritics_owned(changed);
        assert_eq!(out, "Zoe Muller");
        assert_eq!(out.as_ptr(), at, "rewritten in place");
    }

    proptest::proptest! {
        #[test]
        fn normalize_diacritics_is_the_longest_match_rule(
            s in "[aAeEoOuUyYlLrRbx \u{c5}\u{c6}\u{e5}\u{100}\u{101}\u{1e72}\u{1e0e}\u{300}\u{301}\u{302}\u{304}\u{308}\u{323}\u{331}\u{4e1c}.-]{0,12}"
        ) {
            proptest::prop_assert_eq!(both_ways(&s), naive_normalize(&s));
        }

        #[test]
        fn pcase_ascii_agrees_with_the_general_rules(
            s in "[a-zA-Z0-9 '._\\-(),!~^|\t]{0,16}",
            seps in proptest::option::of("[ '._-]{0,3}"),
        ) {
            let fast = pcase_cow(Cow::Borrowed(&s), seps.as_deref()).into_owned();
            let owned = pcase_cow(Cow::Owned(s.clone()), seps.as_deref()).into_owned();
            proptest::prop_assert_eq!(&fast, &pcase(&s, seps.as_deref()));
            proptest::prop_assert_eq!(&owned, &fast);
        }

        #[test]
        fn ascii_case_fast_path_agrees_with_the_general_rules(
            s in "[a-zA-Z0-9 iI._-]{0,16}",
            upper: bool,
        ) {
            for rules in [CaseRules::Invariant, CaseRules::Turkish, CaseRules::Other] {
                let general = change_case_str(&s, upper, rules).into_owned();
                let borrowed = change_case_cow(Cow::Borrowed(&s), upper, rules);
                let owned = change_case_cow(Cow::Owned(s.clone()), upper, rules);
                proptest::prop_assert_eq!(borrowed.as_ref(), general.as_str());
                proptest::prop_assert_eq!(owned.as_ref(), general.as_str());
            }
        }
    }

    #[test]
    fn no_table_entry_is_plain_ascii() {
        // normalize_diacritics skips ASCII text on the strength of this.
        assert!(diacritics::TABLE.iter().all(|(from, _)| !from.is_ascii()));
    }

    #[test]
    fn turkish_and_invariant_case() {
        assert_eq!(change_case_str("iı", true, CaseRules::Turkish), "İI");
        assert_eq!(change_case_str("Iİ", false, CaseRules::Turkish), "ıi");
        assert_eq!(change_case_str("ßıǅ", true, CaseRules::Invariant), "ßıǅ");
        assert_eq!(change_case_str("ßıǅ", true, CaseRules::Other), "ßIǄ");
        assert_eq!(change_case_str("İǅ", false, CaseRules::Invariant), "İǅ");
        assert_eq!(change_case_str("İǅ", false, CaseRules::Other), "iǆ");
    }

    #[test]
    fn pcase_is_dotnet_title_case() {
        assert_eq!(pcase("O'NEIL 1ST", None), "O'neil 1St");
        assert_eq!(pcase("ǆemal x1y", None), "ǅemal X1y");
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
