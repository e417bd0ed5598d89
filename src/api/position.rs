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
/// An offset inside a character counts as that character's start. This
/// builds a [`LineIndex`] each call: code that asks about many offsets of one
/// text builds the index once and asks it instead.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(text, at)
}

/// Where each line of a text starts, built in one pass, so that the line of
/// any offset is a binary search: a file with thousands of findings costs
/// one scan, not one scan per finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of each line's first byte; the first is always 0.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Lines as attrmap numbers them: a line ends at `\n`.
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// Lines as miette numbers them when it draws a snippet: a line ends at
    /// `\r\n`, `\n` or a lone `\r`.
    pub(crate) fn snippet_lines(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// The 0-based line holding byte offset `at` (past the end: the last line).
    pub fn line_of(&self, at: usize) -> usize {
        // `starts[0] == 0 <= at`, so the count is at least 1.
        self.starts.partition_point(|&s| s <= at) - 1
    }

    /// The byte offset where 0-based line `line` starts, if the text has it.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    /// Line and column (1-based, columns in characters) of byte offset `at`
    /// in `text`, the text this index was built from. An offset inside a
    /// character counts as that character's start; past the end, the end.
    pub fn line_col(&self, text: &str, at: usize) -> (usize, usize) {
        let at = floor_boundary(text, at);
        let line = self.line_of(at);
        let start = self.starts[line];
        (line + 1, text[start..at].chars().count() + 1)
    }
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

/// Resolves spans of one source text. Built once per text (one pass): each
/// span then costs its own line, so a mapping file with thousands of
/// findings is not scanned from the start for each.
#[derive(Debug, Clone)]
pub struct Positions<'s> {
    source: &'s str,
    lines: LineIndex,
    /// The UTF-16 offset where each line starts.
    line_utf16_starts: Vec<usize>,
}

impl<'s> Positions<'s> {
    /// Positions in `source`.
    pub fn new(source: &'s str) -> Self {
        let lines = LineIndex::new(source);
        let mut line_utf16_starts = Vec::with_capacity(lines.starts.len());
        let mut units = 0;
        for (i, &start) in lines.starts.iter().enumerate() {
            line_utf16_starts.push(units);
            let end = lines.starts.get(i + 1).copied().unwrap_or(source.len());
            units += source[start..end].encode_utf16().count();
        }
        Positions {
            source,
            lines,
            line_utf16_starts,
        }
    }

    /// The UTF-16 offset of byte offset `byte` (inside a character: its start).
    pub fn utf16(&self, byte: usize) -> usize {
        let at = floor_boundary(self.source, byte);
        let line = self.lines.line_of(at);
        let start = self.lines.starts[line];
        self.line_utf16_starts[line] + self.source[start..at].encode_utf16().count()
    }

    /// Where span `s` is, every way a front end counts.
    pub fn span(&self, s: Span) -> SpanPosition {
        let (line, column) = self.lines.line_col(self.source, s.start);
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
        let index = LineIndex::new(t);
        assert_eq!(index.line_of(2), 0, "the newline belongs to its line");
        assert_eq!(index.line_of(3), 1);
        assert_eq!(index.line_start(2), Some(7));
        assert_eq!(index.line_start(3), None);
    }

    #[test]
    fn snippet_lines_also_end_at_carriage_returns() {
        let t = "a\r\nb\rc\nd";
        let index = LineIndex::snippet_lines(t);
        assert_eq!(index.line_start(1), Some(3), "\\r\\n is one break");
        assert_eq!(index.line_start(2), Some(5), "a lone \\r is a break");
        assert_eq!(index.line_start(3), Some(7));
        assert_eq!(LineIndex::new(t).line_start(2), Some(7));
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
        // Across lines, each offset counts the lines before it too.
        let lines = "ë\n😀x\ny";
        let o2 = Positions::new(lines);
        for b in 0..=lines.len() + 1 {
            let expected = lines[..floor_boundary(lines, b)].encode_utf16().count();
            assert_eq!(o2.utf16(b), expected, "byte {b}");
        }
        assert_eq!((s.start, s.end, s.byte_start, s.byte_end), (6, 9, 6, 12));
        assert_eq!((s.line, s.column), (1, 7));
    }
}
