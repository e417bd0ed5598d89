use super::ast::*;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/expression.pest"]
struct ExpressionParser;

/// Bounds on what the front end accepts. Embedders may raise or lower them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum expression length in characters. Entra rejects expressions over 10 000.
    pub max_expression_chars: usize,
    /// Maximum nesting of calls and comparisons. The parser, checker and both
    /// evaluators recurse, so this bound is what keeps hostile input from
    /// overflowing the stack.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_expression_chars: 10_000,
            max_depth: 64,
        }
    }
}

/// Parses an expression into an AST, or returns the first syntax error.
pub fn parse(source: &str, limits: &Limits) -> Result<Expr, Diagnostic> {
    // A source of no more bytes than the limit has no more characters
    // either, so only a longer one is counted (a pass over the text).
    let chars = if source.len() > limits.max_expression_chars {
        source.chars().count()
    } else {
        0
    };
    if chars > limits.max_expression_chars {
        return Err(Diagnostic::new(
            Code::ParseTooLong,
            Span::new(0, source.len().min(source.char_indices().nth(limits.max_expression_chars).map_or(source.len(), |(i, _)| i))),
            format!(
                "expression is {chars} characters long; the limit is {}",
                limits.max_expression_chars
            ),
        )
        .with_help("Entra rejects expressions over 10 000 characters: split the logic across several mappings, or shorten repeated sub-expressions"));
    }
    if source.trim().is_empty() {
        return Err(Diagnostic::new(Code::ParseEmpty, Span::new(0, source.len()), "the expression is empty")
            .with_help("write an attribute such as [mail], a string constant such as \"x\", or a function call such as Join(\",\", [a], [b])"));
    }
    let scan = scan_structure(source);
    if let Some(diag) = scan.structural_error(limits) {
        return Err(diag);
    }
    match ExpressionParser::parse(Rule::program, source) {
        Ok(mut pairs) => {
            let program = pairs
                .next()
                .expect("grammar: program always yields one pair");
            let expr = program
                .into_inner()
                .find(|p| p.as_rule() == Rule::expression)
                .expect("grammar: program contains an expression");
            build_expression(expr)
        }
        Err(e) => Err(convert_pest_error(source, e)),
    }
}

/// Resolves the two escapes Entra defines (`\"` and `\\`); any other backslash
/// is kept, so both `"\+"` and `"\\+"` mean the regex `\+`.
pub fn unescape_string(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('"') | Some('\\') => out.push(chars.next().unwrap_or('\\')),
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

fn build_expression(pair: Pair<'_, Rule>) -> Result<Expr, Diagnostic> {
    debug_assert_eq!(pair.as_rule(), Rule::expression);
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let first = inner.next().expect("grammar: expression has an operand");
    let lhs = build_operand(first)?;
    match inner.next() {
        None => Ok(lhs),
        Some(op_pair) => {
            let op_span = span_of(&op_pair);
            let op = CompareOp::from_symbol(op_pair.as_str()).expect("grammar: comparison_op");
            let rhs = build_operand(
                inner
                    .next()
                    .expect("grammar: comparison has a right operand"),
            )?;
            Ok(Expr::new(
                ExprKind::Compare {
                    op,
                    op_span,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            ))
        }
    }
}

fn build_operand(pair: Pair<'_, Rule>) -> Result<Expr, Diagnostic> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::attribute => {
            let name = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
            Ok(Expr::new(ExprKind::Attribute(name.to_string()), span))
        }
        Rule::string => {
            let raw = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
            Ok(Expr::new(ExprKind::Str(unescape_string(raw)), span))
        }
        Rule::number => {
            let inner = pair
                .into_inner()
                .next()
                .expect("grammar: number has a form");
            let text = inner.as_str();
            // VB hex literals denote a bit pattern: &HFFFFFFFFFFFFFFFF is -1.
            let value = match inner.as_rule() {
                Rule::hex_number => u64::from_str_radix(&text[2..], 16).ok().map(|u| u as i64),
                _ => text.parse::<i64>().ok(),
            };
            value.map(|v| Expr::new(ExprKind::Number(v), span)).ok_or_else(|| {
                Diagnostic::new(Code::ParseNumberOutOfRange, span, format!("number {text} does not fit in a 64-bit integer"))
                    .with_help("numbers are 64-bit signed integers (-9223372036854775808 to 9223372036854775807); quote it to pass it as a string")
            })
        }
        Rule::keyword => Ok(Expr::new(
            ExprKind::Keyword(pair.as_str().to_string()),
            span,
        )),
        Rule::call => {
            let mut inner = pair.into_inner();
            let ident = inner.next().expect("grammar: call has a name");
            let name_span = span_of(&ident);
            let name = ident.as_str().to_string();
            let open = inner.next().expect("grammar: call has (");
            let mut args = Vec::new();
            for p in inner {
                match p.as_rule() {
                    Rule::arguments => {
                        let mut prev_end = open.as_span().end();
                        for arg in p.into_inner() {
                            let arg_span = span_of(&arg);
                            let expr = match arg.into_inner().next() {
                                Some(e) => Some(build_expression(e)?),
                                None => None,
                            };
                            let span = if expr.is_none() {
                                // Empty argument: point at where it would be.
                                Span::new(
                                    arg_span.start.max(prev_end),
                                    arg_span.start.max(prev_end),
                                )
                            } else {
                                arg_span
                            };
                            prev_end = arg_span.end;
                            args.push(Arg { expr, span });
                        }
                    }
                    Rule::close_paren => {}
                    _ => {}
                }
            }
            // `Now()` has no arguments, not one empty argument.
            if args.len() == 1 && args[0].expr.is_none() {
                args.clear();
            }
            Ok(Expr::new(
                ExprKind::Call(Call {
                    name,
                    name_span,
                    args,
                    id: None,
                }),
                span,
            ))
        }
        Rule::expression => build_expression(pair),
        other => unreachable!("grammar: unexpected operand rule {other:?}"),
    }
}

/// Structure found by a linear, non-recursive scan of the source. It lets us
/// refuse over-deep input before pest recurses, and name the precise problem
/// (unclosed call, unterminated string) instead of pest's generic one.
struct Scan {
    max_depth: usize,
    deepest_at: usize,
    unclosed_parens: Vec<usize>,
    unexpected_close: Option<usize>,
    unterminated_string: Option<usize>,
    unclosed_attribute: Option<usize>,
    source_len: usize,
    call_name_start: Vec<usize>,
}

fn scan_structure(src: &str) -> Scan {
    let bytes = src.as_bytes();
    let mut scan = Scan {
        max_depth: 0,
        deepest_at: 0,
        unclosed_parens: Vec::new(),
        unexpected_close: None,
        unterminated_string: None,
        unclosed_attribute: None,
        source_len: src.len(),
        call_name_start: Vec::new(),
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    if i >= bytes.len() {
                        scan.unterminated_string = Some(start);
                        return scan;
                    }
                    match bytes[i] {
                        b'\\'
                            if i + 1 < bytes.len()
                                && (bytes[i + 1] == b'"' || bytes[i + 1] == b'\\') =>
                        {
                            i += 2
                        }
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            b'[' => {
                let start = i;
                while i < bytes.len() && bytes[i] != b']' && bytes[i] != b'\n' {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] != b']' {
                    scan.unclosed_attribute = Some(start);
                    return scan;
                }
            }
            b'(' => {
                // Remember where the call's name starts, for the label.
                let mut j = i;
                while j > 0 && bytes[j - 1].is_ascii_whitespace() {
                    j -= 1;
                }
                let name_end = j;
                while j > 0 && (bytes[j - 1].is_ascii_alphanumeric() || bytes[j - 1] == b'_') {
                    j -= 1;
                }
                scan.call_name_start.push(if j < name_end { j } else { i });
                scan.unclosed_parens.push(i);
                if scan.unclosed_parens.len() > scan.max_depth {
                    scan.max_depth = scan.unclosed_parens.len();
                    scan.deepest_at = i;
                }
            }
            b')' => {
                if scan.unclosed_parens.pop().is_none() {
                    scan.unexpected_close.get_or_insert(i);
                } else {
                    scan.call_name_start.pop();
                }
            }
            _ => {}
        }
        i += 1;
    }
    scan
}

impl Scan {
    fn structural_error(&self, limits: &Limits) -> Option<Diagnostic> {
        if self.max_depth > limits.max_depth {
            return Some(
                Diagnostic::new(
                    Code::ParseTooDeep,
                    Span::new(self.deepest_at, self.deepest_at + 1),
                    format!("calls are nested {} deep; the limit is {}", self.max_depth, limits.max_depth),
                )
                .with_help("flatten the expression: Join and Coalesce take any number of arguments, and Switch replaces chains of IIF"),
            );
        }
        if let Some(start) = self.unterminated_string {
            return Some(
                Diagnostic::new(
                    Code::ParseUnterminatedString,
                    Span::new(start, self.source_len),
                    "string constant is never closed",
                )
                .with_label("this string has no closing quote")
                .with_help("add a closing \"; write \\\" for a quotation mark inside the string"),
            );
        }
        if let Some(start) = self.unclosed_attribute {
            let end = self.source_len.min(start + 1);
            return Some(
                Diagnostic::new(
                    Code::ParseUnclosedAttribute,
                    Span::new(start, end),
                    "attribute reference is never closed",
                )
                .with_label("this [ has no matching ]")
                .with_help("close the attribute name with ], as in [department]"),
            );
        }
        if let Some(at) = self.unexpected_close {
            return Some(
                Diagnostic::new(
                    Code::ParseUnexpectedClose,
                    Span::new(at, at + 1),
                    "this ) does not close any call",
                )
                .with_label("unmatched )")
                .with_help("remove the extra ), or add the function call it was meant to close"),
            );
        }
        if let (Some(&open), Some(&name_start)) =
            (self.unclosed_parens.last(), self.call_name_start.last())
        {
            return Some(
                Diagnostic::new(
                    Code::ParseUnclosedCall,
                    Span::new(name_start, open + 1),
                    "function call is never closed",
                )
                .with_label("this call has no closing )")
                .with_help(format!(
                    "add {} at the end of the call's arguments",
                    ")".repeat(self.unclosed_parens.len())
                )),
            );
        }
        None
    }
}

fn convert_pest_error(source: &str, e: pest::error::Error<Rule>) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let end = source[pos..]
        .chars()
        .next()
        .map_or(pos, |c| pos + c.len_utf8());
    let found = source[pos..].chars().next();
    let expected: Vec<&str> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|r| describe_rule(*r)).collect()
        }
        ErrorVariant::CustomError { .. } => vec![],
    };
    let mut expected_dedup: Vec<&str> = Vec::new();
    for x in expected {
        if !expected_dedup.contains(&x) {
            expected_dedup.push(x);
        }
    }
    let found_text = match found {
        None => "the end of the expression".to_string(),
        Some(c) => format!("`{c}`"),
    };
    let message = if expected_dedup.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!(
            "expected {}, found {found_text}",
            expected_dedup.join(" or ")
        )
    };
    let help = match found {
        Some('\'') => "string constants use double quotes: \"text\"".to_string(),
        Some(c) if c.is_ascii_digit() || c == '.' => {
            "numbers are whole numbers such as 42, -14 or &HF7".to_string()
        }
        Some('&') => "Entra has no & operator: use Join(\"\", a, b) or Append(a, b) to concatenate"
            .to_string(),
        Some('+') => "Entra has no + operator: use Join(\"\", a, b) to concatenate".to_string(),
        _ if source[..pos]
            .trim_end()
            .ends_with(|c: char| c.is_ascii_alphanumeric() || c == ']' || c == '"' || c == ')') =>
        {
            "separate arguments with commas, and compare with =, <>, <, <=, > or >=".to_string()
        }
        _ => "an expression is an [attribute], a \"string\", a number, or a Function(arguments)"
            .to_string(),
    };
    Diagnostic::new(Code::ParseSyntax, Span::new(pos, end), message).with_help(help)
}

fn describe_rule(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::expression | Rule::argument | Rule::call | Rule::keyword | Rule::identifier => {
            "an expression"
        }
        Rule::attribute => "an attribute",
        Rule::string => "a string",
        Rule::number | Rule::decimal | Rule::hex_number => "a number",
        Rule::comparison_op => "a comparison",
        Rule::close_paren => "`)`",
        Rule::open_paren => "`(`",
        Rule::arguments => "arguments",
        Rule::EOI => "the end of the expression",
        _ => return None,
    })
}
