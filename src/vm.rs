//! The bytecode interpreter.

use crate::bytecode::{Op, Program};
use crate::eval::{
    budget_exceeded, coalesce_accepts, compare, compare_with, escrowed, finish, iif_null_condition,
    switch_key_matches, unique_candidate, Context, EvalResult, Interrupt, Outcome, Record,
};
use crate::functions::{self, Args};
use crate::value::{discard, Value};
use smallvec::SmallVec;
use std::borrow::Cow;

/// Values of the stack live inline up to this depth: typical expressions
/// never touch the heap for their stack.
const INLINE_STACK: usize = 16;

impl Program {
    /// Evaluates the program against one record.
    pub fn run<'a, R: Record + ?Sized>(
        &'a self,
        record: &'a R,
        ctx: &mut Context<'_>,
    ) -> EvalResult<'a> {
        // Single-instruction programs (a bare attribute, a constant, a Switch
        // from an attribute to constants: most real mappings) skip the
        // interpreter loop and its stack, and build the outcome in place.
        if let [op] = self.ops[..] {
            if ctx.limits.max_steps >= 1 {
                match op {
                    Op::AttrSwitchConst { slot, table } => {
                        return Ok(Outcome::Value(self.attr_switch_const(record, slot, table)))
                    }
                    Op::Attr(i) => {
                        return Ok(Outcome::Value(
                            record
                                .attribute(&self.attrs[i as usize])
                                .unwrap_or_default(),
                        ))
                    }
                    Op::Const(i) => {
                        return Ok(Outcome::Value(borrow_const(&self.consts[i as usize])))
                    }
                    _ => {}
                }
            }
        }
        self.run_loop(record, ctx)
    }

    /// The interpreter with its large frame, out of [`Program::run`] so
    /// that single-instruction programs do not set that frame up.
    #[inline(never)]
    fn run_loop<'a, R: Record + ?Sized>(
        &'a self,
        record: &'a R,
        ctx: &mut Context<'_>,
    ) -> EvalResult<'a> {
        finish(self.exec(record, ctx))
    }

    #[inline]
    fn attr_switch_const<'a, R: Record + ?Sized>(
        &'a self,
        record: &'a R,
        slot: u32,
        table: u32,
    ) -> Value<'a> {
        let table = &self.tables[table as usize];
        let i = match record.attribute(&self.attrs[slot as usize]) {
            Some(Value::Str(s)) => table.keys.get(&s),
            Some(other) => table.keys.get(&other.to_text()),
            None => table.keys.get(""),
        }
        .unwrap_or(table.default);
        borrow_const(&self.consts[i as usize])
    }

    /// The interpreter loop: one `match` over the instruction set, kept in
    /// one function (only the function call is out of line) so that each
    /// instruction costs one dispatch and the stack stays in registers.
    #[inline(always)]
    fn exec<'a, R: Record + ?Sized>(
        &'a self,
        record: &'a R,
        ctx: &mut Context<'_>,
    ) -> Result<Value<'a>, Interrupt> {
        let mut stack: SmallVec<[Value<'a>; INLINE_STACK]> = SmallVec::new();
        let ops = &self.ops[..];
        let mut pc = 0usize;
        let mut steps = 0u64;
        let max_steps = ctx.limits.max_steps;
        while pc < ops.len() {
            steps += 1;
            if steps > max_steps {
                return Err(budget_exceeded(self.spans[pc], max_steps).into());
            }
            match ops[pc] {
                Op::Const(i) => stack.push(borrow_const(&self.consts[i as usize])),
                Op::Attr(i) => stack.push(
                    record
                        .attribute(&self.attrs[i as usize])
                        .unwrap_or_default(),
                ),
                Op::AttrStrict(i) => {
                    let name = &self.attrs[i as usize];
                    let v = record.attribute(name).unwrap_or_default();
                    if v.is_null_or_empty() {
                        return Err(iif_null_condition(self.spans[pc], name, &v).into());
                    }
                    stack.push(v);
                }
                Op::Call { f, argc, site } => self.call(&mut stack, f, argc, site, pc, ctx)?,
                Op::Compare(op) => {
                    let rhs = pop(&mut stack);
                    let lhs = pop(&mut stack);
                    stack.push(Value::Bool(compare(op, &lhs, &rhs)));
                    discard(lhs);
                    discard(rhs);
                }
                Op::Jump(t) => {
                    pc = t as usize;
                    continue;
                }
                Op::JumpIfFalse(t) => {
                    let cond = pop(&mut stack);
                    let truthy = cond.truthy();
                    discard(cond);
                    if !truthy {
                        pc = t as usize;
                        continue;
                    }
                }
                Op::JumpIfTrue(t) => {
                    let cond = pop(&mut stack);
                    let yes = matches!(cond, Value::Bool(true));
                    discard(cond);
                    if yes {
                        pc = t as usize;
                        continue;
                    }
                }
                Op::JumpIfAccepted(t) => {
                    if stack.last().is_some_and(coalesce_accepts) {
                        pc = t as usize;
                        continue;
                    }
                    discard(pop(&mut stack));
                }
                Op::JumpIfUnique(t) => {
                    if stack.last().is_some_and(|v| unique_candidate(ctx, v)) {
                        pc = t as usize;
                        continue;
                    }
                    discard(pop(&mut stack));
                }
                Op::KeyEquals => {
                    let key = pop(&mut stack);
                    let eq = stack
                        .last()
                        .is_some_and(|src| switch_key_matches(src, &key));
                    discard(key);
                    stack.push(Value::Bool(eq));
                }
                Op::SwitchTable(t) => {
                    let table = &self.tables[t as usize];
                    let src = pop(&mut stack);
                    pc = table.keys.get(&src.to_text()).unwrap_or(table.default) as usize;
                    discard(src);
                    continue;
                }
                Op::AttrSwitchConst { slot, table } => {
                    stack.push(self.attr_switch_const(record, slot, table));
                }
                Op::SwitchConst(t) => {
                    let table = &self.tables[t as usize];
                    let src = pop(&mut stack);
                    let i = table.keys.get(&src.to_text()).unwrap_or(table.default);
                    discard(src);
                    stack.push(borrow_const(&self.consts[i as usize]));
                }
                Op::AttrTest { test, target } => {
                    let t = &self.tests[test as usize];
                    let name = &self.attrs[t.slot as usize];
                    let v = record.attribute(name).unwrap_or_default();
                    if v.is_null_or_empty() {
                        return Err(iif_null_condition(self.spans[pc], name, &v).into());
                    }
                    let constant = &self.consts[t.constant as usize];
                    let holds = compare_with(t.op, &v, constant, || t.numeric);
                    discard(v);
                    if !holds {
                        pc = target as usize;
                        continue;
                    }
                }
                Op::Pop => discard(pop(&mut stack)),
                Op::Escrow(n) => return Err(escrowed(self.spans[pc], n as usize).into()),
                Op::IgnoreFlow => return Err(Interrupt::Ignore),
                Op::IgnoreObject => return Err(Interrupt::IgnoreObject),
                Op::Fail(i) => return Err(self.failures[i as usize].clone().into()),
            }
            pc += 1;
        }
        Ok(pop(&mut stack))
    }
}

impl Program {
    /// `Op::Call`: calls `f` on the top `argc` values, which it replaces
    /// with the result.
    #[inline(always)]
    fn call<'a>(
        &'a self,
        stack: &mut SmallVec<[Value<'a>; INLINE_STACK]>,
        f: crate::catalogue::FnId,
        argc: u16,
        site: u32,
        pc: usize,
        ctx: &mut Context<'_>,
    ) -> Result<(), Interrupt> {
        let base = stack.len() - argc as usize;
        if f == crate::catalogue::FnId::Redact {
            ctx.redacted = true;
        }
        let present = self.sites[site as usize].present;
        let v = functions::call(
            f,
            Args {
                values: &mut stack[base..],
                present,
                span: self.spans[pc],
            },
            ctx,
        )?;
        // With one argument (most calls) the result takes its slot: no
        // truncation.
        match stack.get_mut(base) {
            Some(slot) if argc == 1 => discard(std::mem::replace(slot, v)),
            _ => {
                // Popped one by one rather than `truncate`d, so that each
                // argument's drop is the inline check of `discard`.
                while stack.len() > base {
                    discard(pop(stack));
                }
                stack.push(v);
            }
        }
        Ok(())
    }
}

/// The top of the stack, or null. (`unwrap_or(Value::Null)` would build a
/// null and drop it on every pop: a call, as `Value`'s drop is not inlined
/// into the loop.)
#[inline(always)]
fn pop<'a>(stack: &mut SmallVec<[Value<'a>; INLINE_STACK]>) -> Value<'a> {
    stack.pop().unwrap_or_default()
}

/// A constant from the pool, borrowed rather than copied.
fn borrow_const<'p>(v: &'p Value<'static>) -> Value<'p> {
    match v {
        Value::Str(s) => Value::Str(Cow::Borrowed(s.as_ref())),
        Value::Int(n) => Value::Int(*n),
        Value::Bool(b) => Value::Bool(*b),
        Value::Null => Value::Null,
        other => other.clone(),
    }
}
