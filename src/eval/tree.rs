//! The reference evaluator: walks the AST directly. It is the oracle the VM is
//! differentially tested against, the baseline of the benchmarks, and the
//! engine behind `--trace`.

use super::trace::{
    cap_label, cap_text, render_value, Trace, TraceNode, MAX_TRACE_NODES, REDACTED,
};
use super::{
    budget_exceeded, coalesce_accepts, compare, escrowed, finish, iif_null_condition,
    switch_key_matches, unique_candidate, Context, EvalResult, Interrupt, Record,
};
use crate::catalogue::{self, FnId, KeywordId};
use crate::check::Checked;
use crate::functions::{self, Args};
use crate::syntax::{Call, Expr, ExprKind};
use crate::value::{discard, Value};
use smallvec::SmallVec;

/// Evaluates a checked expression against one record.
pub fn evaluate<'a, R: Record + ?Sized>(
    expr: &'a Checked,
    record: &'a R,
    ctx: &mut Context<'_>,
) -> EvalResult<'a> {
    evaluate_node(expr.expr(), record, ctx)
}

/// Evaluates one node of a checked tree: constant folding runs pure
/// sub-expressions through here, so it has no semantics of its own.
pub(crate) fn evaluate_node<'a, R: Record + ?Sized>(
    expr: &'a Expr,
    record: &'a R,
    ctx: &mut Context<'_>,
) -> EvalResult<'a> {
    let mut ev = TreeEval {
        record,
        ctx,
        steps: 0,
        trace: None,
        source: "",
        open: Vec::new(),
    };
    finish(ev.eval(expr, false))
}

/// Evaluates and records every node's inputs and output.
pub fn evaluate_traced<'a, R: Record + ?Sized>(
    expr: &'a Checked,
    source: &str,
    record: &'a R,
    ctx: &mut Context<'_>,
) -> (EvalResult<'a>, Trace) {
    let mut trace = Trace::default();
    let result = {
        let mut ev = TreeEval {
            record,
            ctx,
            steps: 0,
            trace: Some(&mut trace),
            source,
            open: Vec::new(),
        };
        finish(ev.eval(expr.expr(), false))
    };
    (result, trace)
}

struct TreeEval<'r, 'c, 'e, 't, 's, R: ?Sized> {
    record: &'r R,
    ctx: &'c mut Context<'e>,
    steps: u64,
    trace: Option<&'t mut Trace>,
    source: &'s str,
    /// Trace nodes still being evaluated, innermost last.
    open: Vec<usize>,
}

type V<'a> = Result<Value<'a>, Interrupt>;

impl<'a, R: Record + ?Sized> TreeEval<'a, '_, '_, '_, '_, R> {
    /// `strict` is set inside an IIF condition, where Entra fails on null or
    /// empty attributes.
    fn eval(&mut self, e: &'a Expr, strict: bool) -> V<'a> {
        self.steps += 1;
        if self.steps > self.ctx.limits.max_steps {
            return Err(budget_exceeded(e.span, self.ctx.limits.max_steps).into());
        }
        let traced = match self.trace.as_deref_mut() {
            Some(t) if t.nodes.len() >= MAX_TRACE_NODES => {
                t.truncated = true;
                false
            }
            Some(_) => true,
            None => false,
        };
        let mark = self.begin(e, traced);
        let result = self.eval_inner(e, strict);
        if traced {
            self.end(mark, &result, e);
        }
        result
    }

    fn eval_inner(&mut self, e: &'a Expr, strict: bool) -> V<'a> {
        match &e.kind {
            ExprKind::Attribute(name) => {
                let v = self.record.attribute(name).unwrap_or_default();
                if strict && v.is_null_or_empty() {
                    return Err(iif_null_condition(e.span, name, &v).into());
                }
                Ok(v)
            }
            ExprKind::Str(s) => Ok(Value::str(s)),
            ExprKind::Number(n) => Ok(Value::Int(*n)),
            ExprKind::Keyword(k) => match catalogue::lookup_keyword(k) {
                Some(&catalogue::KeywordSpec {
                    text: Some(text), ..
                }) => Ok(Value::str(text)),
                Some(spec) if spec.id == KeywordId::IgnoreAttributeFlow => Err(Interrupt::Ignore),
                Some(spec) if spec.id == KeywordId::IgnoreObjectFlow => {
                    Err(Interrupt::IgnoreObject)
                }
                _ => Err(super::unknown_keyword(k, e.span).into()),
            },
            ExprKind::Compare { op, lhs, rhs, .. } => {
                let l = self.eval(lhs, strict)?;
                let r = self.eval(rhs, strict)?;
                let result = compare(*op, &l, &r);
                discard(l);
                discard(r);
                Ok(Value::Bool(result))
            }
            ExprKind::Call(call) => self.call(call, e, strict),
        }
    }

    fn arg(&mut self, call: &'a Call, i: usize, strict: bool) -> V<'a> {
        match call.args.get(i).and_then(|a| a.expr.as_ref()) {
            Some(x) => self.eval(x, strict),
            None => Ok(Value::Null),
        }
    }

    fn call(&mut self, call: &'a Call, e: &'a Expr, strict: bool) -> V<'a> {
        let Some(id) = call.id else {
            return Err(super::unresolved_function(call).into());
        };
        let n = call.args.len();
        match id {
            FnId::IIF => {
                let cond = self.arg(call, 0, true)?;
                let truthy = cond.truthy();
                discard(cond);
                if truthy {
                    self.arg(call, 1, strict)
                } else {
                    self.arg(call, 2, strict)
                }
            }
            FnId::Switch => {
                // Switch is the reference's workaround for a null attribute
                // in an IIF condition, so the condition's null check stops at it.
                let strict = false;
                let source = self.arg(call, 0, strict)?;
                let mut i = 2;
                while i + 1 < n {
                    let key = self.arg(call, i, strict)?;
                    let matches = switch_key_matches(&source, &key);
                    discard(key);
                    if matches {
                        discard(source);
                        return self.arg(call, i + 1, strict);
                    }
                    i += 2;
                }
                discard(source);
                self.arg(call, 1, strict)
            }
            FnId::Coalesce => {
                let mut last = Value::Null;
                for i in 0..n {
                    let v = self.arg(call, i, strict)?;
                    if coalesce_accepts(&v) {
                        discard(last);
                        return Ok(v);
                    }
                    discard(std::mem::replace(&mut last, v));
                }
                Ok(if n == 0 { Value::Null } else { last })
            }
            FnId::SelectUniqueValue => {
                for i in 0..n {
                    let v = self.arg(call, i, strict)?;
                    if unique_candidate(self.ctx, &v) {
                        return Ok(v);
                    }
                    discard(v);
                }
                Err(escrowed(e.span, n).into())
            }
            _ => {
                let strict = strict && !id.tests_null();
                let mut values: SmallVec<[Value<'a>; 8]> = SmallVec::with_capacity(n);
                let mut present = 0u64;
                for i in 0..n {
                    if call.args[i].expr.is_some() && i < 64 {
                        present |= 1 << i;
                    }
                    values.push(self.arg(call, i, strict)?);
                }
                if id == FnId::Redact {
                    self.ctx.redacted = true;
                    self.taint_current();
                }
                let result = functions::call(
                    id,
                    Args {
                        values: &mut values,
                        present,
                        span: e.span,
                    },
                    self.ctx,
                );
                while let Some(v) = values.pop() {
                    discard(v);
                }
                result
            }
        }
    }

    // ---- tracing -------------------------------------------------------

    fn begin(&mut self, e: &Expr, traced: bool) -> usize {
        let Some(trace) = self.trace.as_deref_mut() else {
            return 0;
        };
        if !traced {
            return 0;
        }
        let label = self
            .source
            .get(e.span.start..e.span.end)
            .map_or_else(|| cap_text(e.to_string()), cap_label);
        let shown = matches!(
            e.kind,
            ExprKind::Call(_) | ExprKind::Compare { .. } | ExprKind::Attribute(_)
        );
        trace.nodes.push(TraceNode {
            depth: self.open.len(),
            label,
            span: e.span,
            inputs: Vec::new(),
            output: String::new(),
            tainted: false,
            shown,
        });
        let idx = trace.nodes.len() - 1;
        self.open.push(idx);
        idx
    }

    fn taint_current(&mut self) {
        if let (Some(trace), Some(&top)) = (self.trace.as_deref_mut(), self.open.last()) {
            trace.nodes[top].tainted = true;
        }
    }

    fn end(&mut self, mark: usize, result: &V<'_>, e: &Expr) {
        let Some(trace) = self.trace.as_deref_mut() else {
            return;
        };
        self.open.pop();
        // The direct children of this node are the traced nodes one level deeper.
        let depth = trace.nodes[mark].depth;
        let children: Vec<usize> = (mark + 1..trace.nodes.len())
            .filter(|&i| trace.nodes[i].depth == depth + 1)
            .collect();
        let tainted = trace.nodes[mark].tainted || children.iter().any(|&c| trace.nodes[c].tainted);
        // An attribute's only "input" is its own name.
        let is_attribute = matches!(e.kind, ExprKind::Attribute(_));
        let inputs: Vec<String> = children
            .iter()
            .map(|&c| {
                if trace.nodes[c].tainted {
                    REDACTED.to_string()
                } else {
                    trace.nodes[c].output.clone()
                }
            })
            .filter(|_| !is_attribute)
            .collect();
        let output = match result {
            _ if tainted => REDACTED.to_string(),
            Ok(v) => render_value(v),
            Err(Interrupt::Ignore) => "(not flowed: IgnoreAttributeFlow)".to_string(),
            Err(Interrupt::IgnoreObject) => "(object skipped: IgnoreObjectFlow)".to_string(),
            Err(Interrupt::Error(err)) => cap_text(format!("error: {}", err.message)),
        };
        let is_redact = matches!(&e.kind, ExprKind::Call(c) if c.id == Some(FnId::Redact));
        if is_redact {
            // Nothing under Redact may show: not its input, not the attributes it read.
            for n in &mut trace.nodes[mark + 1..] {
                n.tainted = true;
                n.output = REDACTED.to_string();
                n.inputs.iter_mut().for_each(|i| *i = REDACTED.to_string());
            }
        }
        let inputs = if is_redact {
            inputs.iter().map(|_| REDACTED.to_string()).collect()
        } else {
            inputs
        };
        let node = &mut trace.nodes[mark];
        node.inputs = inputs;
        node.output = output;
        node.tainted = tainted;
    }
}
