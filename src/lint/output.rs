//! Output formats: JSON, SARIF 2.1.0 and GitHub workflow commands, with
//! 1-based line and column numbers (columns count characters).

use crate::diagnostic::{Diagnostic, Severity};
use serde_json::json;

pub use crate::api::{line_col, LineIndex};

/// One finding, resolved to a file position. This is the documented JSON shape.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Located {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
}

/// Resolves one finding of `text`; for many findings of one text, index it
/// once and call [`locate_in`].
pub fn locate(file: &str, text: &str, d: &Diagnostic) -> Located {
    locate_in(file, text, &LineIndex::new(text), d)
}

/// Resolves a finding of `text` through `lines`, its [`LineIndex`].
pub fn locate_in(file: &str, text: &str, lines: &LineIndex, d: &Diagnostic) -> Located {
    let (line, column) = lines.line_col(text, d.span.start);
    let (end_line, end_column) = lines.line_col(text, d.span.end.max(d.span.start));
    Located {
        file: file.to_string(),
        line,
        column,
        end_line,
        end_column,
        code: d.code.to_string(),
        severity: d.severity,
        message: d.message.clone(),
        help: d.help.clone(),
    }
}

pub fn sarif(findings: &[Located]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = crate::codes::Code::ALL
        .iter()
        .map(|code| {
            let r = code.spec();
            json!({
                "id": r.code,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.explanation},
                "help": {"text": format!("{}\nBad: {}\nGood: {}", r.explanation, r.bad.shown(), r.good.shown())},
                "defaultConfiguration": {"level": level(r.severity)},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                text.push_str(&format!(" (help: {h})"));
            }
            json!({
                "ruleId": f.code,
                "level": level(f.severity),
                "message": {"text": text},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": f.file},
                    "region": {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column}
                }}]
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "attrmap", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results
        }]
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "note",
    }
}

/// GitHub Actions workflow commands, one per finding.
pub fn github(f: &Located) -> String {
    let kind = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "notice",
    };
    let esc_prop = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
            .replace(':', "%3A")
            .replace(',', "%2C")
    };
    let esc_msg = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let mut msg = f.message.clone();
    if let Some(h) = &f.help {
        msg.push_str(&format!("\nhelp: {h}"));
    }
    format!(
        "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        esc_prop(&f.file),
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        esc_prop(&f.code),
        esc_msg(&msg)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let t = "ab\néé\"x";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 7), (2, 3));
        assert_eq!(line_col(t, 100), (2, 5));
    }
}
