//! A small JSON reader that keeps the byte span of every value and key, so
//! mapping diagnostics can point at the exact place in the file (serde_json
//! forgets positions). Depth and size are bounded; it never panics.

use crate::syntax::Span;

/// Deepest nesting accepted; real schema exports stay well under 20.
pub const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    Null,
    Bool(bool),
    /// The number as written, so nothing is rounded.
    Number(String),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Json,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    pub kind: JsonKind,
    /// From the first byte of the value to just past its last byte (quotes included for strings).
    pub span: Span,
}

/// A syntax error with the byte offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
    /// The JSON is well-formed but names one member twice in an object.
    pub duplicate_member: bool,
}

impl Json {
    /// The member `key`, matched exactly first, then ignoring ASCII case
    /// (exports are not consistent: `objectMappings` vs `ObjectMappings`).
    pub fn get(&self, key: &str) -> Option<&Json> {
        let JsonKind::Object(m) = &self.kind else {
            return None;
        };
        m.iter()
            .find(|m| m.key == key)
            .or_else(|| m.iter().find(|m| m.key.eq_ignore_ascii_case(key)))
            .map(|m| &m.value)
    }
    pub fn member(&self, key: &str) -> Option<&Member> {
        let JsonKind::Object(m) = &self.kind else {
            return None;
        };
        m.iter()
            .find(|m| m.key == key)
            .or_else(|| m.iter().find(|m| m.key.eq_ignore_ascii_case(key)))
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.kind {
            JsonKind::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            JsonKind::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self.kind, JsonKind::Null)
    }
    pub fn members(&self) -> &[Member] {
        match &self.kind {
            JsonKind::Object(m) => m,
            _ => &[],
        }
    }
    /// A scalar as text: strings as they are, numbers and booleans as written.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            JsonKind::Str(s) => Some(s.clone()),
            JsonKind::Number(n) => Some(n.clone()),
            JsonKind::Bool(b) => Some(if *b { "True" } else { "False" }.to_string()),
            _ => None,
        }
    }
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "boolean",
            JsonKind::Number(_) => "number",
            JsonKind::Str(_) => "string",
            JsonKind::Array(_) => "array",
            JsonKind::Object(_) => "object",
        }
    }
}

/// Parses a whole document (a leading UTF-8 BOM is skipped).
pub fn parse(src: &str) -> Result<Json, JsonError> {
    let mut p = Parser {
        s: src.as_bytes(),
        src,
        i: 0,
    };
    if src.starts_with('\u{FEFF}') {
        p.i = 3;
    }
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
}

impl Parser<'_> {
    /// A member name given twice in one object. Parsers disagree on which
    /// value wins (this one used to keep the first, most keep the last), so
    /// the file is refused, naming both places.
    fn duplicate(&self, key: &str, first: Span, again: Span) -> JsonError {
        let (line, column) = crate::lint::output::line_col(self.src, first.start);
        let (line2, column2) = crate::lint::output::line_col(self.src, again.start);
        JsonError {
            offset: again.start,
            duplicate_member: true,
            message: format!(
                "the member {key:?} appears twice in one object, at line {line}, column {column} \
                 and at line {line2}, column {column2}; JSON readers disagree on which one counts, \
                 so keep only one"
            ),
        }
    }

    fn err(&self, m: &str) -> JsonError {
        JsonError {
            offset: self.i,
            message: m.to_string(),
            duplicate_member: false,
        }
    }
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }
    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("JSON nested too deeply"));
        }
        let start = self.i;
        let kind = match self.s.get(self.i) {
            None => return Err(self.err("unexpected end of input, expected a value")),
            Some(b'{') => {
                self.i += 1;
                let mut members: Vec<Member> = Vec::new();
                // Member name → index in `members`, to refuse duplicates.
                let mut seen: std::collections::HashMap<String, usize> = Default::default();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        if self.s.get(self.i) != Some(&b'"') {
                            return Err(self.err("expected a quoted member name"));
                        }
                        let ks = self.i;
                        let key = self.string()?;
                        let key_span = Span::new(ks, self.i);
                        if let Some(&first) = seen.get(&key) {
                            return Err(self.duplicate(&key, members[first].key_span, key_span));
                        }
                        seen.insert(key.clone(), members.len());
                        self.ws();
                        if self.s.get(self.i) != Some(&b':') {
                            return Err(self.err("expected ':' after the member name"));
                        }
                        self.i += 1;
                        self.ws();
                        let value = self.value(depth + 1)?;
                        members.push(Member {
                            key,
                            key_span,
                            value,
                        });
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected ',' or '}' in object")),
                        }
                    }
                }
                JsonKind::Object(members)
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected ',' or ']' in array")),
                        }
                    }
                }
                JsonKind::Array(items)
            }
            Some(b'"') => JsonKind::Str(self.string()?),
            Some(b't') => self.word("true", JsonKind::Bool(true))?,
            Some(b'f') => self.word("false", JsonKind::Bool(false))?,
            Some(b'n') => self.word("null", JsonKind::Null)?,
            Some(b'-' | b'0'..=b'9') => {
                while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.s.get(self.i)
                {
                    self.i += 1;
                }
                let text = &self.src[start..self.i];
                if serde_json::from_str::<serde_json::Number>(text).is_err() {
                    self.i = start;
                    return Err(self.err("malformed number"));
                }
                JsonKind::Number(text.to_string())
            }
            Some(_) => return Err(self.err("unexpected character, expected a JSON value")),
        };
        Ok(Json {
            kind,
            span: Span::new(start, self.i),
        })
    }
    fn word(&mut self, w: &str, k: JsonKind) -> Result<JsonKind, JsonError> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(k)
        } else {
            Err(self.err("unexpected word, expected true, false or null"))
        }
    }
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .src
            .get(self.i..self.i + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.err("\\u must be followed by four hex digits"))?;
        self.i += 4;
        Ok(h)
    }
    /// Reads a string starting at the opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let run = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(&self.src[run..self.i]);
            match self.s.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.s.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi)
                                && self.s[self.i..].starts_with(b"\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("invalid UTF-16 surrogate pair"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            continue;
                        }
                        _ => return Err(self.err("invalid escape in string")),
                    };
                    self.i += 1;
                    out.push(c);
                }
                Some(_) => return Err(self.err("control character in string; escape it")),
            }
        }
    }
}

/// Maps a byte offset inside the decoded text of the string literal at
/// `literal` (quotes included) to the byte offset in `file`, so an error at
/// offset 12 of an expression lands on the right column even after `\"` escapes.
pub fn decoded_to_file_offset(file: &str, literal: Span, decoded: usize) -> usize {
    let Some(raw) = file.get(literal.start..literal.end) else {
        return literal.start;
    };
    let b = raw.as_bytes();
    let mut i = 1; // past the opening quote
    let mut d = 0;
    while i < b.len().saturating_sub(1) && d < decoded {
        if b[i] == b'\\' {
            let (raw_len, dec_len) = match b.get(i + 1) {
                Some(b'u') => {
                    let cp = raw
                        .get(i + 2..i + 6)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .unwrap_or(0xFFFD);
                    if (0xD800..0xDC00).contains(&cp) && raw.get(i + 6..i + 8) == Some("\\u") {
                        (12, 4)
                    } else {
                        (6, char::from_u32(cp).map_or(3, char::len_utf8))
                    }
                }
                _ => (2, 1),
            };
            i += raw_len;
            d += dec_len;
        } else {
            i += 1;
            d += 1;
        }
    }
    literal.start + i.min(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_escapes() {
        let src = r#"{"a": [1, "x\"y"], "b": null}"#;
        let v = parse(src).unwrap();
        let a = v.get("a").unwrap();
        assert_eq!(&src[a.span.start..a.span.end], r#"[1, "x\"y"]"#);
        let s = &a.as_array().unwrap()[1];
        assert_eq!(s.as_str(), Some("x\"y"));
        // decoded offset 2 ('y') is raw offset 3 inside the literal (after the quote, x, \")
        assert_eq!(decoded_to_file_offset(src, s.span, 2), s.span.start + 4);
        assert!(v.get("B").unwrap().is_null());
    }

    #[test]
    fn duplicate_member_names_are_refused_naming_both_places() {
        let e = parse("{\"a\": 1,\n \"b\": {\"a\": 2},\n \"a\": 3}").unwrap_err();
        assert_eq!(e.offset, 26);
        assert!(e.message.contains("line 1, column 2"), "{}", e.message);
        assert!(e.message.contains("line 3, column 2"), "{}", e.message);
        // The same name in different objects is fine.
        assert!(parse(r#"[{"a": 1}, {"a": 2}, {"b": {"a": 3}}]"#).is_ok());
    }

    #[test]
    fn errors_have_offsets_and_depth_is_bounded() {
        assert_eq!(parse(r#"{"a" 1}"#).unwrap_err().offset, 5);
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
        assert!(parse("\"\\ud800\\u0041\"").is_err());
        assert!(parse("\"abc").is_err());
    }
}
