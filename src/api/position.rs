//! Positions in a source text: spans are byte offsets inside attrmap;
//! people read lines and columns, and JavaScript indexes UTF-16 code units.

use crate::syntax::Span;
use serde::Serialize;

/// The largest char boundary at or before `at` (clamped to the text).
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut b = at.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    b
}

/// Line and column (1-based, columns in characters) of byte offset `at`.
/// An offset inside a character counts as that character's start.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..floor_boundary(text, at)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// A span as a front end shows it: UTF-16 offsets (what JavaScript string
/// indices and `setSelectionRange` use), the byte offsets, and the 1-based
/// line and column of its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpanPosition {
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    pub line: usize,
    pub column: usize,
}

/// Resolves spans of one source text.
#[derive(Debug, Clone, Copy)]
pub struct Positions<'s> {
    source: &'s str,
}

impl<'s> Positions<'s> {
    /// Positions in `source`.
    pub fn new(source: &'s str) -> Self {
        Positions { source }
    }

    /// The UTF-16 offset of byte offset `byte` (inside a character: its start).
    pub fn utf16(&self, byte: usize) -> usize {
        self.source[..floor_boundary(self.source, byte)]
            .encode_utf16()
            .count()
    }

    /// Where span `s` is, every way a front end counts.
    pub fn span(&self, s: Span) -> SpanPosition {
        let (line, column) = line_col(self.source, s.start);
        SpanPosition {
            start: self.utf16(s.start),
            end: self.utf16(s.end),
            byte_start: s.start,
            byte_end: s.end,
            line,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters() {
        let t = "ab\ncé\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 6), (2, 3), "é is one column");
        assert_eq!(line_col(t, 5), (2, 2), "inside é: its start");
        assert_eq!(line_col(t, 100), (3, 1), "past the end: the end");
    }

    #[test]
    fn spans_are_utf16_offsets() {
        let src = "Join(\"ë😀\", [x]";
        let o = Positions::new(src);
        // "😀" is 4 bytes but 2 UTF-16 units; "ë" is 2 bytes, 1 unit.
        assert_eq!(o.utf16(src.len()), src.encode_utf16().count());
        assert_eq!(o.utf16(6), 6);
        assert_eq!(o.utf16(7), 6, "inside a character rounds down");
        assert_eq!(line_col(src, src.len()), (1, 15));
        let s = o.span(Span { start: 6, end: 12 });
        assert_eq!((s.start, s.end, s.byte_start, s.byte_end), (6, 9, 6, 12));
        assert_eq!((s.line, s.column), (1, 7));
    }
}
