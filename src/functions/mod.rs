//! Implementations of the eager functions. Both evaluators call [`call`] with
//! the already-evaluated arguments; the lazy functions (IIF, Switch, Coalesce,
//! SelectUniqueValue) are control flow and live in the evaluators.

use crate::codes::Code;
pub mod datefmt;
pub(crate) mod dates;
mod diacritics;
pub mod directory;
mod misc;
pub mod regex_dotnet;
pub mod replace;
mod strings;
pub mod text;

use crate::catalogue::FnId;
use crate::eval::{Context, Interrupt, RuntimeError, RuntimeLimits};
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
            .unwrap_or_default()
    }
    pub fn error(&self, code: Code, message: impl Into<String>) -> Interrupt {
        RuntimeError::new(code, self.span, message).into()
    }
    /// Argument i as an integer, or a runtime error naming the parameter.
    pub fn int(&self, i: usize, id: FnId) -> Result<i64, Interrupt> {
        let v = self.get(i);
        v.as_int().ok_or_else(|| {
            let pname = id.spec().param_for(i).map_or("argument", |p| p.name);
            self.error(
                Code::EvalNotANumber,
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

/// An eager function's implementation, as the catalogue entry holds it:
/// the function's id, its evaluated arguments and the context in, a value
/// out.
pub type Implementation =
    for<'a> fn(FnId, &mut Args<'_, 'a>, &mut Context<'_>) -> Result<Value<'a>, Interrupt>;

// The implementing modules' entry points, in the catalogue's signature.
pub(crate) fn date_functions<'a>(
    id: FnId,
    args: &mut Args<'_, 'a>,
    ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    dates::call(id, args, ctx)
}
pub(crate) fn text_functions<'a>(
    id: FnId,
    args: &mut Args<'_, 'a>,
    ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    text::call(id, args, &ctx.limits)
}
pub(crate) fn replace_function<'a>(
    _id: FnId,
    args: &mut Args<'_, 'a>,
    ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    replace::replace(args, &ctx.limits)
}
pub(crate) fn misc_functions<'a>(
    id: FnId,
    args: &mut Args<'_, 'a>,
    ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    misc::call(id, args, ctx)
}
pub(crate) fn directory_functions<'a>(
    id: FnId,
    args: &mut Args<'_, 'a>,
    ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    directory::call(id, args, ctx)
}
pub(crate) fn string_functions<'a>(
    id: FnId,
    args: &mut Args<'_, 'a>,
    ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    strings::call(id, args, ctx)
}

/// Calls an eager function through its catalogue entry's implementation.
pub fn call<'a>(
    id: FnId,
    mut args: Args<'_, 'a>,
    ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    let Some(implementation) = id.spec().implementation else {
        // Control flow (IIF, Switch, Coalesce, SelectUniqueValue): the engines
        // evaluate these themselves, choosing which arguments to evaluate.
        return Err(Interrupt::from(RuntimeError::new(
            Code::EvalNotImplemented,
            args.span,
            format!(
                "{} is control flow: the engine evaluates it, not functions::call",
                id.spec().name
            ),
        )));
    };
    let out = implementation(id, &mut args, ctx)?;
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
        return Err(output_too_large(args, &ctx.limits));
    }
    Ok(())
}

/// The error for a result over [`RuntimeLimits`]' output bounds.
pub(crate) fn output_too_large(args: &Args<'_, '_>, limits: &RuntimeLimits) -> Interrupt {
    args.error(
        Code::EvalOutputTooLarge,
        format!(
            "result exceeds the output limit ({} bytes, {} list elements)",
            limits.max_output_bytes, limits.max_list_len
        ),
    )
}

/// Refuses a string result of `bytes` before it is built, so a function
/// whose output multiplies its inputs (a separator between many values, a
/// replacement at every match) never allocates past the limit. `None`
/// means the size overflowed `usize` while being computed.
pub(crate) fn ensure_fits(
    args: &Args<'_, '_>,
    limits: &RuntimeLimits,
    bytes: Option<usize>,
) -> Result<(), Interrupt> {
    match bytes {
        Some(n) if n <= limits.max_output_bytes => Ok(()),
        _ => Err(output_too_large(args, limits)),
    }
}

/// A non-negative count or position from a number argument. Saturates
/// instead of `as usize`, which on wasm32 keeps the low 32 bits: Left(s,
/// 4294967296) would take 0 characters and Item(l, 4294967297) the first
/// element, silently, in the playground.
pub(crate) fn count(n: i64) -> usize {
    usize::try_from(n.max(0)).unwrap_or(usize::MAX)
}

pub(crate) fn not_implemented(id: FnId, span: Span) -> Interrupt {
    Interrupt::from(RuntimeError::new(
        Code::EvalNotImplemented,
        span,
        format!("{} is not implemented yet", id.spec().name),
    ))
}

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
                    let (code, help) = if code == Code::EvalUnsupportedRegexFeature {
                        (Code::CheckUnsupportedRegexFeature, "rewrite the pattern without it, or split the work across several Replace calls")
                    } else {
                        (Code::CheckInvalidRegex, "check the pattern's brackets and escapes; in an expression string, \\ is one backslash")
                    };
                    diags.push(
                        Diagnostic::new(code, span, format!("Replace: {msg}")).with_help(help),
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
                    Diagnostic::new(Code::CheckReplaceMode, call.name_span, "Replace: the written arguments select none of its five modes")
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
                if let Err(e) = dates::parse_styles(styles) {
                    diags.push(Diagnostic::new(
                        Code::CheckInvalidDateFormat,
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
                    let tokens = if n == 0 {
                        datefmt::tokenize_input(fmt)
                    } else {
                        datefmt::tokenize(fmt)
                    };
                    match tokens {
                        Err(e) => diags.push(
                            Diagnostic::new(Code::CheckInvalidDateFormat, span, format!("FormatDateTime: {which} \"{fmt}\": {e}"))
                                .with_help("use .NET custom date and time format specifiers such as yyyy-MM-dd'T'HH:mm:ss"),
                        ),
                        Ok(tokens) if n == 0 => {
                            // A format must be able to read what it writes.
                            let sample = datefmt::render(&datefmt::sample_instant(), datefmt::Kind::Utc, &tokens);
                            if datefmt::parse(&sample, &tokens).is_none() {
                                // Only a warning: the format may never meet
                                // the ambiguous dates (the registry says so).
                                diags.push(
                                    Diagnostic::new(Code::CheckInvalidDateFormat, span, format!("FormatDateTime: inputFormat \"{fmt}\" cannot parse its own example \"{sample}\""))
                                        .with_severity(crate::Severity::Warning)
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
