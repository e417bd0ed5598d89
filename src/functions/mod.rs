//! Implementations of the eager functions. Both evaluators call [`call`] with
//! the already-evaluated arguments; the lazy functions (IIF, Switch, Coalesce,
//! SelectUniqueValue) are control flow and live in the evaluators.

mod strings;

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
    let out = strings::call(id, &mut args, ctx)?;
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

/// Function-specific static checks on constant arguments (regex patterns,
/// date formats, intervals), run by the checker.
pub fn static_check(
    _id: FnId,
    _call: &crate::syntax::Call,
    _diags: &mut Vec<crate::diagnostic::Diagnostic>,
) {
}
