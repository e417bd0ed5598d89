//! Compiler: checked AST → compact bytecode [`Program`].
//!
//! Attribute names are resolved to slots, constants live in a pool, pure
//! constant sub-expressions are folded (by `fold.rs`), conditionals become
//! jumps so only the taken branch runs, and a Switch whose keys are all
//! constants becomes one hash lookup. The instruction set is in
//! `bytecode.rs`.

pub use crate::bytecode::Program;
use crate::bytecode::{AttrTest, CallSite, FxBuild, KeyTable, Op, SwitchTable};
use crate::catalogue::{FnId, KeywordId};
use crate::check::Checked;
use crate::eval::switch_key_matches;
pub use crate::fold::fold;
use crate::fold::is_constant;
use crate::syntax::{Call, Expr, ExprKind, Span};
use crate::value::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// Compiles a checked expression. Call [`crate::check::check`] first: an
/// unresolved function name compiles to a runtime error.
pub fn compile(checked: &Checked) -> Program {
    // Most nodes become one instruction, and at most one constant each:
    // sized once, the vectors and the pool index do not grow step by step.
    let nodes = node_count(checked.expr());
    let mut c = Compiler {
        p: Program {
            ops: Vec::with_capacity(nodes),
            spans: Vec::with_capacity(nodes),
            consts: Vec::new(),
            attrs: Vec::new(),
            tables: Vec::new(),
            sites: Vec::new(),
            tests: Vec::new(),
            max_stack: 0,
            failures: Vec::new(),
        },
        depth: 0,
        str_consts: HashMap::with_capacity_and_hasher(nodes / 2, FxBuild::default()),
        int_consts: HashMap::default(),
    };
    c.expr(checked.expr(), false);
    thread_jumps(&mut c.p.ops);
    c.p
}

/// The number of nodes in the tree.
fn node_count(e: &Expr) -> usize {
    1 + match &e.kind {
        ExprKind::Compare { lhs, rhs, .. } => node_count(lhs) + node_count(rhs),
        ExprKind::Call(call) => call
            .args
            .iter()
            .filter_map(|a| a.expr.as_ref())
            .map(node_count)
            .sum(),
        _ => 0,
    }
}

/// Points every jump that lands on an unconditional `Jump` at that jump's
/// target (nested IIF/Switch branches end in chains of them), so a taken
/// branch costs one dispatch instead of several. Only `Jump` is ever
/// skipped, and it touches nothing but the program counter.
fn thread_jumps(ops: &mut [Op]) {
    let final_target = |ops: &[Op], mut t: u32| {
        // Bounded: a chain can be no longer than the program.
        for _ in 0..ops.len() {
            match ops.get(t as usize) {
                Some(Op::Jump(next)) if *next != t => t = *next,
                _ => break,
            }
        }
        t
    };
    for i in 0..ops.len() {
        let threaded = match ops[i] {
            Op::Jump(t) => Op::Jump(final_target(ops, t)),
            Op::JumpIfFalse(t) => Op::JumpIfFalse(final_target(ops, t)),
            Op::JumpIfTrue(t) => Op::JumpIfTrue(final_target(ops, t)),
            Op::JumpIfAccepted(t) => Op::JumpIfAccepted(final_target(ops, t)),
            Op::JumpIfUnique(t) => Op::JumpIfUnique(final_target(ops, t)),
            Op::AttrTest { test, target } => Op::AttrTest {
                test,
                target: final_target(ops, target),
            },
            other => other,
        };
        ops[i] = threaded;
    }
}

/// A constant Switch branch: a string literal stays borrowed until it is
/// pooled, so one already in the pool costs no allocation.
enum Branch<'e> {
    Literal(&'e str),
    Folded(Value<'static>),
}

struct Compiler {
    p: Program,
    depth: usize,
    /// Pool indices of string and integer constants, so equal constants
    /// share one entry. Looked up by borrowed text: no allocation on a hit.
    str_consts: HashMap<Box<str>, u32, FxBuild>,
    int_consts: HashMap<i64, u32, FxBuild>,
}

impl Compiler {
    /// Fails at run time with `error`, taking the place of one value.
    fn fail(&mut self, error: crate::RuntimeError, span: Span) {
        let i = self.p.failures.len() as u32;
        self.p.failures.push(error);
        self.emit(Op::Fail(i), span);
        self.push(1);
    }

    fn emit(&mut self, op: Op, span: Span) -> usize {
        match op {
            Op::Const(_) | Op::Attr(_) | Op::AttrStrict(_) => self.push(1),
            Op::Call { argc, .. } => {
                self.pop(argc as usize);
                self.push(1)
            }
            Op::Compare(_) => self.pop(1),
            Op::JumpIfFalse(_) | Op::JumpIfTrue(_) | Op::Pop | Op::SwitchTable(_) => self.pop(1),
            Op::SwitchConst(_) => {}
            Op::AttrSwitchConst { .. } => self.push(1),
            Op::KeyEquals => {}
            Op::JumpIfAccepted(_) | Op::JumpIfUnique(_) => {}
            _ => {}
        }
        self.p.ops.push(op);
        self.p.spans.push(span);
        self.p.ops.len() - 1
    }
    fn push(&mut self, n: usize) {
        self.depth += n;
        self.p.max_stack = self.p.max_stack.max(self.depth);
    }
    fn pop(&mut self, n: usize) {
        self.depth = self.depth.saturating_sub(n);
    }
    fn here(&self) -> u32 {
        self.p.ops.len() as u32
    }
    fn patch(&mut self, at: usize, target: u32) {
        self.p.ops[at] = match self.p.ops[at] {
            Op::Jump(_) => Op::Jump(target),
            Op::JumpIfFalse(_) => Op::JumpIfFalse(target),
            Op::JumpIfTrue(_) => Op::JumpIfTrue(target),
            Op::JumpIfAccepted(_) => Op::JumpIfAccepted(target),
            Op::JumpIfUnique(_) => Op::JumpIfUnique(target),
            Op::AttrTest { test, .. } => Op::AttrTest { test, target },
            other => other,
        };
    }

    fn constant(&mut self, v: Value<'static>, span: Span) {
        let idx = self.const_index(v);
        self.emit(Op::Const(idx), span);
    }

    /// The pool index of a constant, shared with equal constants.
    fn const_index(&mut self, v: Value<'static>) -> u32 {
        let next = self.p.consts.len() as u32;
        let known = match &v {
            Value::Str(s) => match self.str_consts.get(s.as_ref()) {
                Some(&i) => Some(i),
                None => {
                    self.str_consts.insert(s.as_ref().into(), next);
                    None
                }
            },
            Value::Int(n) => {
                Some(*self.int_consts.entry(*n).or_insert(next)).filter(|&i| i != next)
            }
            _ => None,
        };
        known.unwrap_or_else(|| {
            self.p.consts.push(v);
            next
        })
    }

    /// A string literal: borrowed lookup first, so a repeated literal costs
    /// no allocation.
    fn str_constant(&mut self, s: &str, span: Span) {
        let idx = self.str_index(s);
        self.emit(Op::Const(idx), span);
    }

    /// [`Compiler::const_index`] of a string, copied only when it is new.
    fn str_index(&mut self, s: &str) -> u32 {
        match self.str_consts.get(s) {
            Some(&i) => i,
            None => self.const_index(Value::Str(Cow::Owned(s.to_string()))),
        }
    }

    /// Rewrites `Attr(slot); SwitchConst(table)` at the end of the code into
    /// one instruction. Only call it when the Switch source is a bare
    /// attribute: then the two ops are one straight-line unit that no jump
    /// targets (a source ending in a branch could be jumped over to the
    /// SwitchConst).
    fn fuse_attr_switch(&mut self) {
        let n = self.p.ops.len();
        if n < 2 {
            return;
        }
        if let (Op::Attr(slot), Op::SwitchConst(table)) = (self.p.ops[n - 2], self.p.ops[n - 1]) {
            self.p.ops.truncate(n - 2);
            let span = self.p.spans[n - 1];
            self.p.spans.truncate(n - 2);
            self.p.ops.push(Op::AttrSwitchConst { slot, table });
            self.p.spans.push(span);
        }
    }

    /// An IIF condition and its jump to the else branch, to be patched;
    /// returns the jump's index. `[attribute] op constant`, the common
    /// condition, becomes one [`Op::AttrTest`].
    fn condition(&mut self, call: &Call, span: Span) -> usize {
        let start = self.p.ops.len();
        self.arg(call, 0, true);
        // Exactly these three ops: the condition is straight-line code
        // that no jump enters, so it can become one instruction.
        if let [Op::AttrStrict(slot), Op::Const(constant), Op::Compare(op)] = self.p.ops[start..] {
            let numeric = crate::eval::numeric(&self.p.consts[constant as usize]);
            let test = self.p.tests.len() as u32;
            self.p.tests.push(AttrTest {
                slot,
                constant,
                op,
                numeric,
            });
            // The attribute's span: the null condition is the only error.
            let attr_span = self.p.spans[start];
            self.p.ops.truncate(start);
            self.p.spans.truncate(start);
            self.pop(1);
            return self.emit(Op::AttrTest { test, target: 0 }, attr_span);
        }
        self.emit(Op::JumpIfFalse(0), span)
    }

    fn slot(&mut self, name: &str) -> u32 {
        match self.p.attrs.iter().position(|a| a.as_ref() == name) {
            Some(i) => i as u32,
            None => {
                self.p.attrs.push(name.into());
                (self.p.attrs.len() - 1) as u32
            }
        }
    }

    /// Emits code that leaves the expression's value on the stack.
    fn expr(&mut self, e: &Expr, strict: bool) {
        if let ExprKind::Str(s) = &e.kind {
            return self.str_constant(s, e.span);
        }
        if !strict && is_constant(e) {
            if let Some(v) = fold(e) {
                self.constant(v, e.span);
                return;
            }
        }
        match &e.kind {
            ExprKind::Attribute(name) => {
                let s = self.slot(name);
                self.emit(
                    if strict {
                        Op::AttrStrict(s)
                    } else {
                        Op::Attr(s)
                    },
                    e.span,
                );
            }
            ExprKind::Str(s) => self.constant(Value::Str(Cow::Owned(s.clone())), e.span),
            ExprKind::Number(n) => self.constant(Value::Int(*n), e.span),
            ExprKind::Keyword(k) => match crate::catalogue::lookup_keyword(k) {
                Some(&crate::catalogue::KeywordSpec {
                    text: Some(text), ..
                }) => self.constant(Value::str(text), e.span),
                Some(spec) if spec.id == KeywordId::IgnoreAttributeFlow => {
                    self.emit(Op::IgnoreFlow, e.span);
                    self.push(1);
                }
                Some(spec) if spec.id == KeywordId::IgnoreObjectFlow => {
                    self.emit(Op::IgnoreObject, e.span);
                    self.push(1);
                }
                _ => self.fail(crate::eval::unknown_keyword(k, e.span), e.span),
            },
            ExprKind::Compare { op, lhs, rhs, .. } => {
                self.expr(lhs, strict);
                self.expr(rhs, strict);
                self.emit(Op::Compare(*op), e.span);
            }
            ExprKind::Call(call) => self.call(call, e.span, strict),
        }
    }

    fn arg(&mut self, call: &Call, i: usize, strict: bool) {
        match call.args.get(i).and_then(|a| a.expr.as_ref()) {
            Some(x) => self.expr(x, strict),
            None => self.constant(
                Value::Null,
                call.args.get(i).map_or(Span::default(), |a| a.span),
            ),
        }
    }

    fn call(&mut self, call: &Call, span: Span, strict: bool) {
        let Some(id) = call.id else {
            return self.fail(crate::eval::unresolved_function(call), span);
        };
        let n = call.args.len();
        match id {
            FnId::IIF => {
                if let Some(cond) = call
                    .args
                    .first()
                    .and_then(|a| a.expr.as_ref())
                    .and_then(fold)
                {
                    return self.arg(call, if cond.truthy() { 1 } else { 2 }, strict);
                }
                let jf = self.condition(call, span);
                self.arg(call, 1, strict);
                let j = self.emit(Op::Jump(0), span);
                self.pop(1);
                let else_at = self.here();
                self.patch(jf, else_at);
                self.arg(call, 2, strict);
                let end = self.here();
                self.patch(j, end);
            }
            // Switch is the reference's workaround for a null attribute in an
            // IIF condition: the condition's null check stops at it.
            FnId::Switch => self.switch(call, span, false),
            FnId::Coalesce => {
                if n == 0 {
                    self.constant(Value::Null, span);
                    return;
                }
                let mut exits = Vec::new();
                for i in 0..n {
                    self.arg(call, i, strict);
                    if i + 1 < n {
                        exits.push(self.emit(Op::JumpIfAccepted(0), span));
                        self.pop(1);
                    }
                }
                let end = self.here();
                for x in exits {
                    self.patch(x, end);
                }
            }
            FnId::SelectUniqueValue => {
                let mut exits = Vec::new();
                for i in 0..n {
                    self.arg(call, i, strict);
                    exits.push(self.emit(Op::JumpIfUnique(0), span));
                    self.pop(1);
                }
                self.emit(Op::Escrow(n as u32), span);
                self.push(1);
                let end = self.here();
                for x in exits {
                    self.patch(x, end);
                }
            }
            _ => {
                let strict = strict && !id.tests_null();
                let mut present = 0u64;
                for i in 0..n {
                    if call.args[i].expr.is_some() && i < 64 {
                        present |= 1 << i;
                    }
                    self.arg(call, i, strict);
                }
                let site = self.p.sites.len() as u32;
                self.p.sites.push(CallSite { present });
                self.emit(
                    Op::Call {
                        f: id,
                        argc: n as u16,
                        site,
                    },
                    span,
                );
            }
        }
    }

    /// Switch(source, default, key, value, …). Constant keys become a table
    /// lookup (of pool entries when every branch is constant too, else of
    /// branch addresses); other keys are compared one by one.
    fn switch(&mut self, call: &Call, span: Span, strict: bool) {
        let n = call.args.len();
        let pairs: Vec<(usize, usize)> = (2..n.saturating_sub(1))
            .step_by(2)
            .map(|k| (k, k + 1))
            .collect();
        let const_keys: Option<Vec<Cow<str>>> = pairs
            .iter()
            .map(
                |&(k, _)| match call.args[k].expr.as_ref().map(|x| (x, &x.kind)) {
                    None => Some(Cow::Borrowed("")),
                    Some((_, ExprKind::Str(s))) => Some(Cow::Borrowed(s.as_str())),
                    Some((x, _)) => fold(x).map(Value::into_text),
                },
            )
            .collect();
        // A constant source picks its branch now.
        if let (Some(src), Some(keys)) = (
            call.args
                .first()
                .and_then(|a| a.expr.as_ref())
                .and_then(fold),
            const_keys.as_ref(),
        ) {
            let chosen = keys
                .iter()
                .position(|k| switch_key_matches(&src, &Value::str(k)));
            return self.arg(call, chosen.map_or(1, |i| pairs[i].1), strict);
        }
        self.arg(call, 0, strict);
        let exits = match const_keys {
            Some(keys) => {
                if !strict && self.switch_to_constants(call, &keys, &pairs, span) {
                    return;
                }
                self.switch_jump_table(call, &keys, &pairs, span, strict)
            }
            None => self.switch_compare_each(call, &pairs, span, strict),
        };
        let end = self.here();
        for x in exits {
            self.patch(x, end);
        }
    }

    /// Every branch constant: one `SwitchConst` whose table maps keys to
    /// pool entries (fused with an attribute source into `AttrSwitchConst`).
    /// `false`, emitting nothing, when a branch is not constant.
    fn switch_to_constants(
        &mut self,
        call: &Call,
        keys: &[Cow<str>],
        pairs: &[(usize, usize)],
        span: Span,
    ) -> bool {
        let arg_value = |i: usize| match call.args.get(i).and_then(|a| a.expr.as_ref()) {
            None => Some(Branch::Folded(Value::Null)),
            Some(Expr {
                kind: ExprKind::Str(s),
                ..
            }) => Some(Branch::Literal(s.as_str())),
            Some(x) => fold(x).map(Branch::Folded),
        };
        let Some(values) = std::iter::once(1)
            .chain(pairs.iter().map(|&(_, v)| v))
            .map(arg_value)
            .collect::<Option<Vec<Branch>>>()
        else {
            return false;
        };
        let mut idx = values.into_iter().map(|v| match v {
            Branch::Literal(s) => self.str_index(s),
            Branch::Folded(v) => self.const_index(v),
        });
        let default = idx.next().unwrap_or(0);
        let targets: Vec<u32> = idx.collect();
        let table_index = self.p.tables.len() as u32;
        self.p.tables.push(SwitchTable {
            keys: KeyTable::new(keys.iter().map(AsRef::as_ref).zip(targets.iter().copied())),
            default,
        });
        self.emit(Op::SwitchConst(table_index), span);
        let source_is_attribute = matches!(
            call.args
                .first()
                .and_then(|a| a.expr.as_ref())
                .map(|x| &x.kind),
            Some(ExprKind::Attribute(_))
        );
        if source_is_attribute {
            self.fuse_attr_switch();
        }
        true
    }

    /// Constant keys, computed branches: `SwitchTable` jumps to the branch
    /// of the key, or to the default. Returns the branches' exit jumps.
    fn switch_jump_table(
        &mut self,
        call: &Call,
        keys: &[Cow<str>],
        pairs: &[(usize, usize)],
        span: Span,
        strict: bool,
    ) -> Vec<usize> {
        let mut exits = Vec::new();
        let table_index = self.p.tables.len() as u32;
        self.p.tables.push(SwitchTable {
            keys: KeyTable::new([]),
            default: 0,
        });
        self.emit(Op::SwitchTable(table_index), span);
        let base_depth = self.depth;
        // Default branch first, then each value.
        let default_at = self.here();
        self.arg(call, 1, strict);
        exits.push(self.emit(Op::Jump(0), span));
        let mut targets: Vec<u32> = Vec::with_capacity(keys.len());
        for &(_, v) in pairs {
            self.depth = base_depth;
            targets.push(self.here());
            self.arg(call, v, strict);
            exits.push(self.emit(Op::Jump(0), span));
        }
        // Later duplicates are unreachable: KeyTable keeps the first key.
        self.p.tables[table_index as usize] = SwitchTable {
            keys: KeyTable::new(keys.iter().map(AsRef::as_ref).zip(targets)),
            default: default_at,
        };
        exits
    }

    /// Computed keys: each is compared with the source in turn (the source
    /// stays on the stack until a branch is taken). Returns the exit jumps.
    fn switch_compare_each(
        &mut self,
        call: &Call,
        pairs: &[(usize, usize)],
        span: Span,
        strict: bool,
    ) -> Vec<usize> {
        let mut exits = Vec::new();
        let mut hits = Vec::new();
        for &(k, _) in pairs {
            self.arg(call, k, strict);
            self.emit(Op::KeyEquals, span);
            hits.push(self.emit(Op::JumpIfTrue(0), span));
        }
        self.emit(Op::Pop, span);
        self.arg(call, 1, strict);
        exits.push(self.emit(Op::Jump(0), span));
        for (&(_, v), hit) in pairs.iter().zip(hits) {
            self.depth -= 1;
            self.push(1); // the source is still on the stack here
            let at = self.here();
            self.patch(hit, at);
            self.emit(Op::Pop, span);
            self.arg(call, v, strict);
            exits.push(self.emit(Op::Jump(0), span));
        }
        exits
    }
}

#[cfg(test)]
mod tests {
    use crate::bytecode::Op;
    use crate::value::Value;

    #[test]
    fn jumps_to_jumps_are_threaded() {
        let e =
            crate::compile(r#"Switch([a], "d", "1", IIF([b] = "x", "T", "F"), "2", "z")"#).unwrap();
        let ops = &e.program().ops;
        for op in ops {
            if let Op::Jump(t) | Op::JumpIfFalse(t) | Op::AttrTest { target: t, .. } = *op {
                assert!(!matches!(ops.get(t as usize), Some(Op::Jump(_))), "{op:?}");
            }
        }
        let user = serde_json::json!({"a": "1", "b": "x"});
        let out = e.evaluate(&user, &mut crate::Context::new()).unwrap();
        assert_eq!(out, crate::Outcome::Value(Value::str("T")));
    }

    #[test]
    fn constant_switch_on_an_attribute_is_one_instruction() {
        let e = crate::compile(r#"Switch([department], "d", "Legal", "x", "Sales", "y")"#).unwrap();
        assert_eq!(e.program().len(), 1);
        assert!(matches!(e.program().ops[0], Op::AttrSwitchConst { .. }));
        // A computed source is not fused: its branches may jump to the Switch.
        let e = crate::compile(r#"Switch(IIF([a]="1", "Legal", [b]), "d", "Legal", "x")"#).unwrap();
        assert!(e
            .program()
            .ops
            .iter()
            .any(|op| matches!(op, Op::SwitchConst(_))));
        let user = serde_json::json!({"a": "2", "b": "Legal"});
        let out = e.evaluate(&user, &mut crate::Context::new()).unwrap();
        assert_eq!(out, crate::Outcome::Value(Value::str("x")));
    }
}
