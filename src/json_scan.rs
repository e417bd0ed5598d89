//! A JSON checker that finds where values end without building them.
//!
//! serde_json's way of passing over a value it does not keep
//! (`ignore_value`, behind `RawValue` and `IgnoredAny`) dispatches on every
//! byte through its reader; reading a Graph page's `value` into element
//! texts that way cost about 6 500 instructions per user, a quarter of what
//! mapping the user costs. This scanner accepts exactly what `ignore_value`
//! accepts, or less, and nothing that serde_json refuses to decode: any
//! text it is unsure of (a value nested deeper than [`MAX_DEPTH`], an
//! escaped key or surrogate, a number with an exponent) it hands back as
//! `None`, and the
//! caller reads it with serde_json, which says precisely where and why it
//! breaks. So it never decides an error message, only a fast path.

use std::ops::Range;

/// Deeper values are left to serde_json (its `ignore_value` has no limit;
/// records are bounded by their decoders, which report nesting themselves).
const MAX_DEPTH: u32 = 64;

/// JSON whitespace (not `\x0C`, which `trim_ascii` would also take).
#[inline]
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\t' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

const ONES: u64 = u64::MAX / 255;
const HIGHS: u64 = ONES << 7;

/// The first byte at or after `i` that ends a run of plain string bytes: a
/// quote, a backslash or a control character (which JSON forbids in
/// strings), eight bytes at a time (Mycroft's test for a zero byte: a
/// borrow can only mark bytes above a true match, so the lowest mark is
/// exact). `b.len()` when there is none.
#[inline]
pub(crate) fn string_stop(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let ctrl = x.wrapping_sub(ONES * 0x20) & !x;
        let q = x ^ (ONES * u64::from(b'"'));
        let quote = q.wrapping_sub(ONES) & !q;
        let s = x ^ (ONES * u64::from(b'\\'));
        let slash = s.wrapping_sub(ONES) & !s;
        let hits = (ctrl | quote | slash) & HIGHS;
        if hits != 0 {
            return i + hits.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

/// The end of the string whose contents start at `i` (after its opening
/// quote), and whether it holds an escape; `None` if it is not a valid
/// JSON string, or holds an escaped surrogate (`\ud83d`).
#[inline(always)]
pub(crate) fn string_end(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let i = string_stop(b, i);
    if b.get(i) == Some(&b'"') {
        return Some((i + 1, false));
    }
    string_end_escaped(b, i)
}

/// [`string_end`] from the first byte that is not plain text, which
/// strings seldom hold: kept out of line, so that the common case inlines
/// small.
#[inline(never)]
fn string_end_escaped(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        match *b.get(i)? {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let hex = std::str::from_utf8(b.get(i + 2..i + 6)?).ok()?;
                        // A surrogate must pair up when the string is
                        // decoded, which serde_json checks and the caller
                        // may need: left to it.
                        let unit = u16::from_str_radix(hex, 16).ok()?;
                        if !hex.bytes().all(|h| h.is_ascii_hexdigit())
                            || (0xD800..0xE000).contains(&unit)
                        {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            }
            _ => return None,
        }
        i = string_stop(b, i);
    }
}

/// At an object member (after `{` or `,` and whitespace): the range of its
/// key, when the key holds no escape, and where its value starts
/// (whitespace skipped). `None`: no key there, no colon after it, or an
/// escaped key, whose decoded text is serde_json's to tell.
#[inline(always)]
pub(crate) fn plain_member(b: &[u8], i: usize) -> Option<(Range<usize>, usize)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let (key_end, escaped) = string_end(b, i + 1)?;
    if escaped {
        return None;
    }
    let colon = skip_ws(b, key_end);
    if b.get(colon) != Some(&b':') {
        return None;
    }
    Some((i + 1..key_end - 1, skip_ws(b, colon + 1)))
}

/// The end of the number starting at `i`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`.
/// What follows is checked by the caller (a digit after a leading `0` is
/// then refused, as serde_json refuses it). Numbers with an exponent or
/// longer than [`MAX_NUMBER`] may be out of a float's range, which decoding
/// them reports: left to serde_json.
fn number_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    let digits = |b: &[u8], mut i: usize| {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > start).then_some(i)
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match *b.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits(b, i)?,
        _ => return None,
    };
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        return None;
    }
    (i - start <= MAX_NUMBER).then_some(i)
}

/// Longer numbers are left to serde_json: 300 digits stay below `f64::MAX`.
const MAX_NUMBER: usize = 300;

/// After an object's `{` or `,` (and whitespace): the key, the colon and
/// the whitespace after it; returns where the member's value starts.
#[inline]
fn member_value(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let (end, _) = string_end(b, i + 1)?;
    let i = skip_ws(b, end);
    (b.get(i) == Some(&b':')).then(|| skip_ws(b, i + 1))
}

/// The end of the JSON value that starts at `i` (no whitespace before it),
/// or `None` if it is not valid JSON, or deeper than [`MAX_DEPTH`].
pub(crate) fn value_end(b: &[u8], mut i: usize) -> Option<usize> {
    // Bit d of `objects` is set when the container at depth d is an object.
    let mut objects = 0u64;
    let mut depth = 0u32;
    loop {
        // One value, or the opening of a container.
        match *b.get(i)? {
            b'"' => i = string_end(b, i + 1)?.0,
            open @ (b'{' | b'[') => {
                let j = skip_ws(b, i + 1);
                let close = if open == b'{' { b'}' } else { b']' };
                if b.get(j) == Some(&close) {
                    i = j + 1;
                } else {
                    if depth == MAX_DEPTH {
                        return None;
                    }
                    objects = (objects & !(1 << depth)) | (u64::from(open == b'{') << depth);
                    depth += 1;
                    i = if open == b'{' { member_value(b, j)? } else { j };
                    continue;
                }
            }
            b't' => i = literal(b, i, b"true")?,
            b'f' => i = literal(b, i, b"false")?,
            b'n' => i = literal(b, i, b"null")?,
            b'-' | b'0'..=b'9' => i = number_end(b, i)?,
            _ => return None,
        }
        // After a value: a comma and the next one, or closing brackets.
        loop {
            if depth == 0 {
                return Some(i);
            }
            let in_object = objects & (1 << (depth - 1)) != 0;
            i = skip_ws(b, i);
            match *b.get(i)? {
                b',' => {
                    let j = skip_ws(b, i + 1);
                    i = if in_object { member_value(b, j)? } else { j };
                    break;
                }
                b'}' if in_object => {}
                b']' if !in_object => {}
                _ => return None,
            }
            depth -= 1;
            i += 1;
        }
    }
}

#[inline]
fn literal(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    let end = i + word.len();
    (b.get(i..end)? == word).then_some(end)
}

/// Where [`records_into`] puts the records it finds.
pub(crate) trait Elements {
    /// Forgets the elements found so far: a page's later `value` replaces
    /// an earlier one, as serde_json's map keeps the last.
    fn restart(&mut self);
    /// Takes the array element that starts at `at` (no whitespace before
    /// it) and returns where it ends, checked as [`value_end`] checks it;
    /// `None`: it is not valid JSON, or JSON this scanner leaves to
    /// serde_json.
    fn element(&mut self, text: &str, at: usize) -> Option<usize>;
}

/// The byte ranges of the elements, each without the whitespace around
/// it, as a `RawValue` cuts them.
impl Elements for Vec<Range<usize>> {
    fn restart(&mut self) {
        self.clear();
    }
    fn element(&mut self, text: &str, at: usize) -> Option<usize> {
        let end = value_end(text.as_bytes(), at)?;
        self.push(at..end);
        Some(end)
    }
}

/// The elements of the array whose `[` is at `i`, handed to `found`;
/// returns where the array ends.
fn array_elements(text: &str, i: usize, found: &mut impl Elements) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return Some(i + 1);
    }
    loop {
        let end = found.element(text, i)?;
        i = skip_ws(b, end);
        match *b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b']' => return Some(i + 1),
            _ => return None,
        }
    }
}

/// What a top-level JSON text holds, as [`records`] reads it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Records {
    /// An array, or a Graph response page (an object of `value`, an array,
    /// and `@odata.*` keys only): its elements are the records.
    Elements,
    /// Any other object: one record.
    One,
}

/// Checks `text` (one JSON value, with nothing but whitespace after it) and
/// finds its records: an array's elements, a Graph page's `value`
/// elements when `pages`, into `spans`. `None`: invalid JSON, or JSON this
/// scanner leaves to serde_json; the caller then reads it that way.
#[cfg(test)]
pub(crate) fn records(text: &str, pages: bool, spans: &mut Vec<Range<usize>>) -> Option<Records> {
    spans.clear();
    let found = records_into(text, pages, spans);
    if found != Some(Records::Elements) {
        spans.clear();
    }
    found
}

/// [`records`] handing each record to `found` as it is met, so that a
/// caller can decode it in the same pass. On `Some(Records::One)` and
/// `None`, what `found` was given means nothing.
pub(crate) fn records_into(text: &str, pages: bool, found: &mut impl Elements) -> Option<Records> {
    let b = text.as_bytes();
    found.restart();
    let (end, elements) = match b.first()? {
        b'[' => (array_elements(text, 0, found)?, true),
        b'{' if pages => page(text, found)?,
        _ => return None,
    };
    if skip_ws(b, end) != b.len() {
        return None;
    }
    Some(if elements {
        Records::Elements
    } else {
        Records::One
    })
}

/// Reads the object at the start of `b` as a possible Graph page: returns
/// its end, and whether it is a page (`value` an array, every other key
/// `@odata.*`). As with serde_json's map, the last `value` counts.
fn page(text: &str, found: &mut impl Elements) -> Option<(usize, bool)> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 1);
    if b.get(i) == Some(&b'}') {
        return Some((i + 1, false));
    }
    let (mut elements, mut other_keys) = (false, false);
    loop {
        // An escaped key's decoded text could be `value`: serde_json decides.
        let (key, value_start) = plain_member(b, i)?;
        let key = &b[key];
        i = value_start;
        if key == b"value" {
            found.restart();
            elements = b.get(i) == Some(&b'[');
            i = if elements {
                array_elements(text, i, found)?
            } else {
                value_end(b, i)?
            };
        } else {
            other_keys |= !key.starts_with(b"@odata.");
            i = value_end(b, i)?;
        }
        i = skip_ws(b, i);
        match *b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b'}' => return Some((i + 1, elements && !other_keys)),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;

    /// What serde_json makes of `text` as `Decoder::value` reads it: the
    /// element texts of an array or page, or one record; `Err` when it is
    /// not JSON.
    fn by_serde(text: &str) -> Result<Option<Vec<String>>, ()> {
        if text.starts_with('[') {
            let v = serde_json::from_str::<Vec<&RawValue>>(text).map_err(drop)?;
            return Ok(Some(v.iter().map(|r| r.get().to_string()).collect()));
        }
        let v = serde_json::from_str::<serde_json::Value>(text).map_err(drop)?;
        let serde_json::Value::Object(m) = v else {
            return Ok(None);
        };
        let page = m.get("value").is_some_and(|v| v.is_array())
            && m.keys().all(|k| k == "value" || k.starts_with("@odata."));
        if !page {
            return Ok(None);
        }
        // Element texts, as RawValue cuts them from the last `value`.
        let raw: std::collections::HashMap<String, &RawValue> =
            serde_json::from_str(text).map_err(drop)?;
        let value = serde_json::from_str::<Vec<&RawValue>>(raw["value"].get()).map_err(drop)?;
        Ok(Some(value.iter().map(|r| r.get().to_string()).collect()))
    }

    fn by_scan(text: &str) -> Option<Option<Vec<String>>> {
        let mut spans = Vec::new();
        Some(match records(text, true, &mut spans)? {
            Records::Elements => Some(spans.iter().map(|s| text[s.clone()].to_string()).collect()),
            Records::One => None,
        })
    }

    #[test]
    fn agrees_with_serde_json_on_pages_arrays_and_broken_text() {
        let valid = [
            r#"{"@odata.context": "x", "value": [{"id": "1"}, {"id": "2", "n": [1, -2.5, 0, -0.25, true, null, {}]}]}"#,
            r#"{"value": [ {"a": "b\"c\\d\u00e9\n"} , 7 , "s" , [] ] , "@odata.nextLink": "y"}"#,
            r#"{"value": []}"#,
            r#"{"value": [], "x": 1}"#,
            r#"{"value": 5}"#,
            r#"{"value": [1], "value": [2, 3]}"#,
            r#"{"value": [1], "value": {}}"#,
            r#"{"mail": "a@b", "value": [1]}"#,
            r#"{}"#,
            "[]",
            "[ ]",
            "[1,2] \n",
            "[{\"a\": [[[]]]}]\n",
            r#"[1, {"é": "ü€𝄞"}]"#,
        ];
        for text in valid {
            assert_eq!(by_scan(text), Some(by_serde(text).unwrap()), "{text}");
        }
        let broken = [
            r#"{"value": [1,]}"#,
            r#"{"value": [01]}"#,
            r#"{"value": [1.]}"#,
            r#"{"value": [1e]}"#,
            r#"{"value": [-]}"#,
            r#"{"value": [tru]}"#,
            r#"{"value": [truex]}"#,
            r#"{"value": ["a\x"]}"#,
            r#"{"value": ["a\u12g4"]}"#,
            "{\"value\": [\"a\u{1}\"]}",
            r#"{"value": [{"a" 1}]}"#,
            r#"{"value": [{"a": 1,}]}"#,
            r#"{"value": [{1: 1}]}"#,
            r#"{"value": [1] "x": 2}"#,
            r#"{"value": [1]} x"#,
            r#"{"value": [1]"#,
            r#"{"value": [{"a": [1}]}"#,
            r#"[1 2]"#,
            r#"["unterminated]"#,
            "[",
            "{",
        ];
        for text in broken {
            assert!(by_serde(text).is_err(), "{text}");
            assert_eq!(by_scan(text), None, "{text}");
        }
    }

    #[test]
    fn leaves_deep_values_and_escaped_keys_to_serde_json() {
        let deep = format!("[{}{}]", "[".repeat(100), "]".repeat(100));
        assert!(serde_json::from_str::<Vec<&RawValue>>(&deep).is_ok());
        assert_eq!(records(&deep, true, &mut Vec::new()), None);
        for valid in [
            r#"{"val\u0075e": [1]}"#,
            r#"[1e5, 2E-3]"#,
            r#"["\ud83d\ude00"]"#,
        ] {
            assert!(by_serde(valid).is_ok(), "{valid}");
            assert_eq!(records(valid, true, &mut Vec::new()), None, "{valid}");
        }
        // Out of a float's range: an error when decoded, left to serde_json.
        let long = format!("[{}]", "9".repeat(400));
        assert_eq!(records(&long, true, &mut Vec::new()), None);
        // Not a page reader: any object is one record then.
        assert_eq!(records(r#"{"value": [1]}"#, false, &mut Vec::new()), None);
    }

    proptest::proptest! {
        /// On any text built from JSON's pieces, the scanner either refuses
        /// or finds what serde_json finds.
        #[test]
        fn never_accepts_what_serde_json_refuses(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "{", "}", "[", "]", ",", ":", " ", "\"value\"", "\"@odata.x\"", "\"k\"",
                "\"a\\\"b\"", "\"\\u00e9\"", "1", "-0.5e3", "01", "true", "nul", "\"", "\\",
                "\n", "é",
            ]), 0..24),
        ) {
            let text = format!("{{\"value\": [{}]}}", pieces.concat());
            for text in [text.as_str(), &text[10..text.len() - 1]] {
                if let Some(got) = by_scan(text) {
                    proptest::prop_assert_eq!(Ok(got), by_serde(text), "{}", text);
                }
            }
        }
    }
}
