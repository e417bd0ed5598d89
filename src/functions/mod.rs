//! Implementations of the eager functions. Both evaluators call [`call`] with
//! the already-evaluated arguments; the lazy functions (IIF, Switch, Coalesce,
//! SelectUniqueValue) are control flow and live in the evaluators.

pub mod datefmt;
mod dates;
mod diacritics;
mod misc;
pub mod regex_dotnet;
pub mod replace;
mod strings;
pub mod text;

use crate::catalogue::FnId;
use crate::eval::{Context, Interrupt, RuntimeError};
use crate::syntax::Span;
use crate::value::Value;

/// The evaluated arguments of one call.
pub struct Args<'s, 'a> {
    pub values: &'s mut [Value<'a>],
    /// Bit i is set when argument i was written (not left empty). Arguments
    /// past the 64th always count as written.
    pub present: u64,
    pub span: Span,
}

impl<'s, 'a> Args<'s, 'a> {
    pub fn len(&self) -> usize {
        self.values.len()
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    pub fn is_present(&self, i: usize) -> bool {
        i < self.values.len() && (i >= 64 || self.present & (1u64 << i) != 0)
    }
    /// Argument i, or null when absent.
    pub fn get(&self, i: usize) -> &Value<'a> {
        const NULL: Value<'static> = Value::Null;
        self.values.get(i).unwrap_or(&NULL)
    }
    /// Moves argument i out, leaving null.
    pub fn take(&mut self, i: usize) -> Value<'a> {
        self.values
            .get_mut(i)
            .map(std::mem::take)
            .unwrap_or(Value::Null)
    }
    pub fn error(&self, code: &'static str, message: impl Into<String>) -> Interrupt {
        Interrupt::Error(RuntimeError::new(code, self.span, message))
    }
    /// Argument i as an integer, or a runtime error naming the parameter.
    pub fn int(&self, i: usize, id: FnId) -> Result<i64, Interrupt> {
        let v = self.get(i);
        v.as_int().ok_or_else(|| {
            let pname = id.spec().param_for(i).map_or("argument", |p| p.name);
            self.error(
                CODE_NOT_A_NUMBER,
                format!(
                    "{}: {pname} must be a whole number, got {} \"{}\"",
                    id.spec().name,
                    v.type_name(),
                    v.to_text()
                ),
            )
        })
    }
}

pub const CODE_NOT_A_NUMBER: &str = "attrmap::eval::not-a-number";
pub const CODE_NOT_IMPLEMENTED: &str = "attrmap::eval::not-implemented";
pub const CODE_OUTPUT_TOO_LARGE: &str = "attrmap::eval::output-too-large";

/// Calls an eager function.
pub fn call<'a>(
    id: FnId,
    mut args: Args<'_, 'a>,
    ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    let out = match id {
        FnId::Now
        | FnId::CDate
        | FnId::DateAdd
        | FnId::DateDiff
        | FnId::DateFromNum
        | FnId::NumFromDate
        | FnId::FormatDateTime => dates::call(id, &mut args, ctx)?,
        FnId::PCase
        | FnId::NormalizeDiacritics
        | FnId::ToLower
        | FnId::ToUpper
        | FnId::ConvertToBase64
        | FnId::ConvertToUTF8Hex
        | FnId::InStr
        | FnId::Word
        | FnId::Split => text::call(id, &mut args)?,
        FnId::Replace => replace::replace(&mut args)?,
        FnId::Count
        | FnId::Item
        | FnId::RemoveDuplicates
        | FnId::BitAnd
        | FnId::IgnoreFlowIfNullOrEmpty
        | FnId::Redact
        | FnId::Guid
        | FnId::RandomString
        | FnId::SingleAppRoleAssignment
        | FnId::AppRoleAssignmentsComplex
        | FnId::AssertiveAppRoleAssignmentsComplex => misc::call(id, &mut args, ctx)?,
        _ => strings::call(id, &mut args, ctx)?,
    };
    check_size(&out, &args, ctx)?;
    Ok(out)
}

fn check_size(v: &Value<'_>, args: &Args<'_, '_>, ctx: &Context<'_>) -> Result<(), Interrupt> {
    let too_big = match v {
        Value::Str(s) => s.len() > ctx.limits.max_output_bytes,
        Value::List(l) => l.len() > ctx.limits.max_list_len,
        _ => false,
    };
    if too_big {
        return Err(args.error(
            CODE_OUTPUT_TOO_LARGE,
            format!(
                "result exceeds the output limit ({} bytes, {} list elements)",
                ctx.limits.max_output_bytes, ctx.limits.max_list_len
            ),
        ));
    }
    Ok(())
}

pub(crate) fn not_implemented(id: FnId, span: Span) -> Interrupt {
    Interrupt::Error(RuntimeError::new(
        CODE_NOT_IMPLEMENTED,
        span,
        format!("{} is not implemented yet", id.spec().name),
    ))
}

pub const CODE_CHECK_REGEX: &str = "attrmap::check::invalid-regex";
pub const CODE_CHECK_DOTNET_REGEX: &str = "attrmap::check::unsupported-regex-feature";
pub const CODE_CHECK_DATE_FORMAT: &str = "attrmap::check::invalid-date-format";
pub const CODE_CHECK_REPLACE_MODE: &str = "attrmap::check::replace-mode";

/// Function-specific static checks on constant arguments (regex patterns,
/// date formats, Replace's mode), run by the checker so mistakes surface
/// before any record is evaluated.
pub fn static_check(
    id: FnId,
    call: &crate::syntax::Call,
    diags: &mut Vec<crate::diagnostic::Diagnostic>,
) {
    use crate::diagnostic::Diagnostic;
    let literal = |i: usize| {
        call.args
            .get(i)
            .and_then(|a| a.expr.as_ref())
            .and_then(|e| e.as_str_literal().map(|s| (s, e.span)))
    };
    let written = |i: usize| call.args.get(i).is_some_and(|a| a.expr.is_some());
    match id {
        FnId::Replace => {
            if let Some((pattern, span)) = literal(2) {
                if let Err((code, msg)) = replace::compile(pattern) {
                    let (code, help) = if code == replace::CODE_DOTNET_REGEX {
                        (CODE_CHECK_DOTNET_REGEX, "rewrite the pattern without it, or split the work across several Replace calls")
                    } else {
                        (CODE_CHECK_REGEX, "check the pattern's brackets and escapes; in an expression string, \\ is one backslash")
                    };
                    diags.push(
                        Diagnostic::error(code, span, format!("Replace: {msg}")).with_help(help),
                    );
                }
            }
            let (old, pattern, group, repl, attr, template) = (
                written(1),
                written(2),
                written(3),
                written(4),
                written(5),
                written(6),
            );
            let selects_mode =
                (pattern && group && attr) || (old && (template || repl)) || (pattern && repl);
            if !selects_mode && call.args.len() > 1 {
                diags.push(
                    Diagnostic::error(CODE_CHECK_REPLACE_MODE, call.name_span, "Replace: the written arguments select none of its five modes")
                        .with_help("write oldValue with replacementValue or template, or regexPattern with replacementValue (and optionally regexGroupName), or regexPattern, regexGroupName and replacementAttributeName; leave the others empty: Replace([mail], \"@contoso.com\", , , \"\", , )"),
                );
            }
        }
        FnId::FormatDateTime => {
            let (styles_at, formats) = if call.args.len() == 3 {
                (None, [1, 2])
            } else {
                (Some(1), [2, 3])
            };
            if let Some((styles, span)) = styles_at.and_then(literal) {
                if let Err(e) = dates::check_styles(styles) {
                    diags.push(Diagnostic::error(
                        CODE_CHECK_DATE_FORMAT,
                        span,
                        format!("FormatDateTime: {e}"),
                    ));
                }
            }
            for (n, i) in formats.into_iter().enumerate() {
                if let Some((fmt, span)) = literal(i) {
                    let which = if n == 0 {
                        "inputFormat"
                    } else {
                        "outputFormat"
                    };
                    match datefmt::tokenize(fmt) {
                        Err(e) => diags.push(
                            Diagnostic::error(CODE_CHECK_DATE_FORMAT, span, format!("FormatDateTime: {which} \"{fmt}\": {e}"))
                                .with_help("use .NET custom date and time format specifiers such as yyyy-MM-dd'T'HH:mm:ss"),
                        ),
                        Ok(tokens) if n == 0 => {
                            // A format must be able to read what it writes.
                            let sample = datefmt::render(&datefmt::sample_instant(), &tokens);
                            if datefmt::parse(&sample, &tokens).is_none() {
                                diags.push(
                                    Diagnostic::warning(CODE_CHECK_DATE_FORMAT, span, format!("FormatDateTime: inputFormat \"{fmt}\" cannot parse its own example \"{sample}\""))
                                        .with_help("adjacent variable-width fields (such as M and d without separators) are ambiguous: use MM and dd"),
                                );
                            }
                        }
                        Ok(_) => {}
                    }
                }
            }
        }
        _ => {}
    }
}
