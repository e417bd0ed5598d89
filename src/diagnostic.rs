//! Diagnostics: one type for parse errors, static-check findings, lint findings
//! and runtime errors, rendered through miette.

pub use crate::codes::Code;
use crate::syntax::Span;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
/// How serious a finding is; a lint config can escalate warnings.
pub enum Severity {
    Advice,
    Warning,
    Error,
}

impl Severity {
    /// The lower-case name used in JSON and the docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Advice => "advice",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A finding about an expression, with a stable code such as
/// `attrmap::check::unknown-function` and a byte span into the expression.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// Short text shown under the span.
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding at its code's registry severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            span,
            label: None,
            help: None,
        }
    }
    /// Overrides the registry severity. Only for the few codes whose
    /// registry explanation documents two severities (a Graph loader skips
    /// what a native file must not contain).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
    /// Adds what to write instead.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    /// Sets the short text shown under the span.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    /// Whether this finding is an error (compilation or loading fails).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Attaches the source text so miette can draw the caret.
    pub fn report(&self, source_name: &str, source: &str) -> miette::Report {
        self.report_in(source_name, source.to_string())
    }

    /// Like [`report`](Self::report), with a source many reports share
    /// (a [`SharedSource`]) instead of a copy of the text for each.
    pub fn report_in(
        &self,
        source_name: &str,
        source: impl miette::SourceCode + 'static,
    ) -> miette::Report {
        miette::Report::new(self.clone())
            .with_source_code(miette::NamedSource::new(source_name, source))
    }
}

/// One file's text for many miette reports: cloning shares it, and each
/// snippet is cut from the few lines around its span, found through a line
/// index built once. Given the whole text, miette counts lines from the
/// start of the file for every report, so a file with thousands of findings
/// took minutes to print.
#[derive(Debug, Clone)]
pub struct SharedSource {
    text: std::sync::Arc<str>,
    lines: std::sync::Arc<crate::api::LineIndex>,
}

impl SharedSource {
    /// Indexes `text` (one pass).
    pub fn new(text: &str) -> Self {
        SharedSource {
            lines: std::sync::Arc::new(crate::api::LineIndex::snippet_lines(text)),
            text: std::sync::Arc::from(text),
        }
    }
}

impl miette::SourceCode for SharedSource {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text: &'a str = &self.text;
        let start = span.offset();
        let end = start.saturating_add(span.len());
        if end > text.len() {
            // Out of bounds: let miette give its own answer on the whole text.
            return text.read_span(span, context_lines_before, context_lines_after);
        }
        // A window of whole lines: one more before and after than miette
        // reads, so it finds the same context lines as in the whole file.
        // Lines are cut where miette cuts them (`\r\n`, `\n`, lone `\r`).
        let first = self
            .lines
            .line_of(start)
            .saturating_sub(context_lines_before.saturating_add(1));
        let last = self
            .lines
            .line_of(end)
            .saturating_add(context_lines_after)
            .saturating_add(2);
        let window_start = self.lines.line_start(first).unwrap_or(0);
        let window_end = self.lines.line_start(last).unwrap_or(text.len());
        let window = &text.as_bytes()[window_start..window_end];
        let shifted = miette::SourceSpan::new((start - window_start).into(), span.len());
        let inner = <[u8] as miette::SourceCode>::read_span(
            window,
            &shifted,
            context_lines_before,
            context_lines_after,
        )?;
        // Back to whole-file coordinates: offsets from the window's start,
        // line numbers from the lines the window leaves out.
        Ok(Box::new(miette::MietteSpanContents::new(
            inner.data(),
            miette::SourceSpan::new(
                (inner.span().offset() + window_start).into(),
                inner.span().len(),
            ),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Advice => miette::Severity::Advice,
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let label = miette::LabeledSpan::new_with_span(
            Some(self.label.clone().unwrap_or_else(|| "here".into())),
            self.span,
        );
        Some(Box::new(std::iter::once(label)))
    }
}

/// Levenshtein distance, for did-you-mean suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate to `name` (case-insensitive), if it is close enough
/// to be a plausible typo.
pub fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let lower = name.to_lowercase();
    let threshold = (name.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= threshold)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::{SourceCode, SourceSpan};

    /// A SharedSource's window must give miette exactly what the whole text
    /// gives it (snippet bytes, their place, line, column), or the drawn
    /// report would change: every span of texts cut by `\n`, `\r\n` and lone
    /// `\r`, with multi-byte characters, at the context sizes miette uses.
    #[test]
    fn shared_source_snippets_equal_whole_text_snippets() {
        let body = "{\"a\": [\n  \"é😀\",\n\n  \"x\"\n]}\n";
        for text in [
            body.to_string(),
            body.replace('\n', "\r\n"),
            body.replace('\n', "\r"),
            format!("{body}{body}{body}"),
        ] {
            let shared = SharedSource::new(&text);
            let whole: &str = &text;
            for start in 0..=text.len() {
                for end in start..=text.len() + 1 {
                    for context in 0..3 {
                        let span = SourceSpan::new(start.into(), end - start);
                        let expected = whole.read_span(&span, context, context);
                        let got = shared.read_span(&span, context, context);
                        match (expected, got) {
                            (Ok(e), Ok(g)) => {
                                let what = format!("{text:?} {start}..{end} context {context}");
                                assert_eq!(e.data(), g.data(), "{what}");
                                assert_eq!(e.span(), g.span(), "{what}");
                                assert_eq!(e.line(), g.line(), "{what}");
                                assert_eq!(e.column(), g.column(), "{what}");
                                assert_eq!(e.line_count(), g.line_count(), "{what}");
                            }
                            (Err(_), Err(_)) => {}
                            (e, g) => panic!(
                                "{text:?} {start}..{end}: whole {:?}, shared {:?}",
                                e.is_ok(),
                                g.is_ok()
                            ),
                        }
                    }
                }
            }
        }
    }

    /// The point of the window: a finding deep in a long file reads its own
    /// lines, not everything before it.
    #[test]
    fn a_snippet_reads_only_the_lines_around_its_span() {
        let text = "  {\"target\": \"displayName\"},\n".repeat(10_000);
        let shared = SharedSource::new(&text);
        let at = text.len() - 20;
        let contents = shared
            .read_span(&SourceSpan::new(at.into(), 5), 1, 1)
            .unwrap();
        assert!(contents.data().len() < 200, "{}", contents.data().len());
        assert_eq!(contents.line(), 9_998, "0-based line of the context line");
    }
}
