//! Compiler: checked AST → compact bytecode [`Program`].
//!
//! Attribute names are resolved to slots, constants live in a pool, pure
//! constant sub-expressions are folded, conditionals become jumps so only the
//! taken branch runs, and a Switch whose keys are all constants becomes one
//! hash lookup.

use crate::catalogue::{FnId, KeywordId, Purity};
use crate::eval::{coalesce_accepts, compare, switch_key_matches, Context, Interrupt};
use crate::functions::{self, Args};
use crate::syntax::{Call, CompareOp, Expr, ExprKind, Span};
use crate::value::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Push constant i.
    Const(u32),
    /// Push attribute slot i (null when absent).
    Attr(u32),
    /// Push attribute slot i, failing when null or empty (inside an IIF condition).
    AttrStrict(u32),
    /// Pop `argc` arguments, call `f`, push the result. `site` indexes the
    /// call-site table (which arguments were written).
    Call {
        f: FnId,
        argc: u16,
        site: u32,
    },
    /// Pop rhs and lhs, push the comparison.
    Compare(CompareOp),
    Jump(u32),
    /// Pop a condition; jump when it is false.
    JumpIfFalse(u32),
    /// Pop a boolean; jump when it is true.
    JumpIfTrue(u32),
    /// Coalesce: when the top is accepted, jump keeping it; otherwise pop it.
    JumpIfAccepted(u32),
    /// SelectUniqueValue: when the top is a free candidate, jump keeping it;
    /// otherwise pop it.
    JumpIfUnique(u32),
    /// Pop a key and compare it with the Switch source below it; push the result.
    KeyEquals,
    /// Pop the Switch source and jump to the target its text selects.
    SwitchTable(u32),
    /// Pop the Switch source and push the constant its text selects: a
    /// Switch whose keys and values are all constants (role derivation).
    SwitchConst(u32),
    /// `Attr(slot)` fused with `SwitchConst(table)`: the source value never
    /// goes through the stack.
    AttrSwitchConst {
        slot: u32,
        table: u32,
    },
    Pop,
    /// SelectUniqueValue ran out of candidates.
    Escrow(u32),
    /// Drop the attribute from the flow.
    IgnoreFlow,
    /// Skip the whole object.
    IgnoreObject,
}

/// FxHash: keys are short, trusted constants from the program, so a fast
/// non-cryptographic hash is the right trade.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);
impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = fx_bytes(self.0, bytes);
    }
}
pub type FxBuild = BuildHasherDefault<FxHasher>;

const FX_K: u64 = 0x517c_c1b7_2722_0a95;

#[inline]
fn fx_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        h = (h.rotate_left(5) ^ w).wrapping_mul(FX_K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        h = (h.rotate_left(5) ^ tail_word(rest)).wrapping_mul(FX_K);
    }
    h
}

/// A 32-bit hash of a short string with the top bit set, so 0 can mark an
/// empty slot. Length seeds it, so "a" and "a\0" differ.
#[inline]
pub(crate) fn str_hash(key: &str) -> u32 {
    let h = fx_bytes(key.len() as u64, key.as_bytes());
    ((h >> 32) as u32) | 0x8000_0000
}

/// Packs up to 7 bytes into a word with plain loads: copying them into a
/// buffer first would stall on store-to-load forwarding in the hot path.
#[inline]
fn tail_word(rest: &[u8]) -> u64 {
    let n = rest.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let hi = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]);
        u64::from(lo) | (u64::from(hi) << 32)
    } else if n > 0 {
        u64::from(rest[0]) | (u64::from(rest[n / 2]) << 8) | (u64::from(rest[n - 1]) << 16)
    } else {
        0
    }
}

/// A Switch's constant keys: an open-addressing table whose keys live in one
/// contiguous arena, so a lookup touches two cache lines of the program and
/// never follows a pointer per key. Each slot keeps the key's hash, so a
/// probe that misses compares no bytes.
#[derive(Debug, Clone)]
pub struct KeyTable {
    arena: Box<str>,
    slots: Box<[KeySlot]>,
    mask: usize,
    len: usize,
}

#[derive(Debug, Clone, Copy)]
struct KeySlot {
    /// 0 marks an empty slot; real hashes have their top bit set.
    hash: u32,
    start: u32,
    len: u32,
    value: u32,
}

impl KeyTable {
    #[inline]
    fn hash(key: &str) -> u32 {
        str_hash(key)
    }

    /// Builds the table; when a key repeats, the first value wins (as in Switch).
    pub fn new<'k>(entries: impl IntoIterator<Item = (&'k str, u32)>) -> KeyTable {
        let entries: Vec<(&str, u32)> = entries.into_iter().collect();
        let cap = (entries.len() * 2).next_power_of_two().max(4);
        let mut t = KeyTable {
            arena: Box::from(""),
            slots: vec![
                KeySlot {
                    hash: 0,
                    start: 0,
                    len: 0,
                    value: 0,
                };
                cap
            ]
            .into_boxed_slice(),
            mask: cap - 1,
            len: 0,
        };
        let mut arena = String::new();
        for (key, value) in entries {
            if t.get_in(&arena, key).is_some() {
                continue;
            }
            let hash = Self::hash(key);
            let mut i = hash as usize & t.mask;
            while t.slots[i].hash != 0 {
                i = (i + 1) & t.mask;
            }
            t.slots[i] = KeySlot {
                hash,
                start: arena.len() as u32,
                len: key.len() as u32,
                value,
            };
            arena.push_str(key);
            t.len += 1;
        }
        t.arena = arena.into_boxed_str();
        t
    }

    #[inline]
    fn get_in(&self, arena: &str, key: &str) -> Option<u32> {
        let hash = Self::hash(key);
        let mut i = hash as usize & self.mask;
        loop {
            let s = &self.slots[i];
            if s.hash == 0 {
                return None;
            }
            if s.hash == hash
                && s.len as usize == key.len()
                && arena
                    .as_bytes()
                    .get(s.start as usize..(s.start + s.len) as usize)
                    == Some(key.as_bytes())
            {
                return Some(s.value);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The value stored for `key`.
    #[inline]
    pub fn get(&self, key: &str) -> Option<u32> {
        self.get_in(&self.arena, key)
    }

    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entries in insertion order.
    pub fn entries(&self) -> Vec<(&str, u32)> {
        let mut v: Vec<(u32, &str, u32)> = self
            .slots
            .iter()
            .filter(|s| s.hash != 0)
            .map(|s| {
                let key = self
                    .arena
                    .get(s.start as usize..(s.start + s.len) as usize)
                    .unwrap_or("");
                (s.start, key, s.value)
            })
            .collect();
        v.sort_by_key(|e| e.0);
        v.into_iter().map(|(_, k, v)| (k, v)).collect()
    }
}

/// A Switch with constant keys. For [`Op::SwitchTable`] the values are jump
/// targets; for [`Op::SwitchConst`] (every branch constant too) they are
/// constant-pool indices and no jump happens at all.
#[derive(Debug, Clone)]
pub struct SwitchTable {
    pub keys: KeyTable,
    pub default: u32,
}

#[derive(Debug, Clone, Copy)]
pub struct CallSite {
    pub present: u64,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub struct Program {
    pub(crate) ops: Vec<Op>,
    /// The source span of each op, for runtime errors.
    pub(crate) spans: Vec<Span>,
    pub(crate) consts: Vec<Value<'static>>,
    pub(crate) attrs: Vec<Box<str>>,
    pub(crate) tables: Vec<SwitchTable>,
    pub(crate) sites: Vec<CallSite>,
    pub(crate) max_stack: usize,
}

impl Program {
    /// Attribute names the program reads, in slot order.
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.attrs.iter().map(|a| a.as_ref())
    }
    pub fn len(&self) -> usize {
        self.ops.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
    pub fn max_stack(&self) -> usize {
        self.max_stack
    }

    /// Human-readable listing, one instruction per line.
    pub fn disassemble(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "; {} instructions, {} constants, {} attribute slots, max stack {}",
            self.ops.len(),
            self.consts.len(),
            self.attrs.len(),
            self.max_stack
        );
        for (i, a) in self.attrs.iter().enumerate() {
            let _ = writeln!(out, "; slot {i}: [{a}]");
        }
        for (pc, op) in self.ops.iter().enumerate() {
            let text = match *op {
                Op::Const(i) => format!(
                    "const     {}",
                    crate::eval::trace::render_value(&self.consts[i as usize])
                ),
                Op::Attr(i) => format!("attr      [{}]", self.attrs[i as usize]),
                Op::AttrStrict(i) => format!(
                    "attr!     [{}]   ; fails when null or empty (IIF condition)",
                    self.attrs[i as usize]
                ),
                Op::Call { f, argc, .. } => format!("call      {} /{argc}", f.spec().name),
                Op::Compare(c) => format!("compare   {}", c.symbol()),
                Op::Jump(t) => format!("jump      @{t}"),
                Op::JumpIfFalse(t) => format!("jump.f    @{t}"),
                Op::JumpIfTrue(t) => format!("jump.t    @{t}"),
                Op::JumpIfAccepted(t) => format!("coalesce  @{t}"),
                Op::JumpIfUnique(t) => format!("unique    @{t}"),
                Op::KeyEquals => "key.eq".to_string(),
                Op::SwitchTable(t) => {
                    let table = &self.tables[t as usize];
                    let list: Vec<String> = table
                        .keys
                        .entries()
                        .iter()
                        .map(|(k, v)| format!("{k:?}→@{v}"))
                        .collect();
                    format!(
                        "switch    {{{}}} default @{}",
                        list.join(", "),
                        table.default
                    )
                }
                Op::SwitchConst(t) | Op::AttrSwitchConst { table: t, .. } => {
                    let table = &self.tables[t as usize];
                    let show = |i: u32| crate::eval::trace::render_value(&self.consts[i as usize]);
                    let list: Vec<String> = table
                        .keys
                        .entries()
                        .iter()
                        .map(|(k, v)| format!("{k:?}→{}", show(*v)))
                        .collect();
                    // The fused form reads as the two instructions it replaces.
                    let source = match *op {
                        Op::AttrSwitchConst { slot, .. } => {
                            format!("attr      [{}] → ", self.attrs[slot as usize])
                        }
                        _ => String::new(),
                    };
                    format!(
                        "{source}switch.c  {{{}}} default {}",
                        list.join(", "),
                        show(table.default)
                    )
                }
                Op::Pop => "pop".to_string(),
                Op::Escrow(n) => format!("escrow    ; all {n} candidates taken"),
                Op::IgnoreFlow => "ignore.attribute".to_string(),
                Op::IgnoreObject => "ignore.object".to_string(),
            };
            let _ = writeln!(out, "{pc:4}  {text}");
        }
        out
    }
}

/// Compiles a checked expression. Call [`crate::check::check`] first: an
/// unresolved function name compiles to a runtime error.
pub fn compile(expr: &Expr) -> Program {
    let mut c = Compiler {
        p: Program {
            ops: Vec::new(),
            spans: Vec::new(),
            consts: Vec::new(),
            attrs: Vec::new(),
            tables: Vec::new(),
            sites: Vec::new(),
            max_stack: 0,
        },
        depth: 0,
        str_consts: HashMap::default(),
        int_consts: HashMap::default(),
    };
    c.expr(expr, false);
    thread_jumps(&mut c.p.ops);
    c.p
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
            other => other,
        };
        ops[i] = threaded;
    }
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
        let idx = match self.str_consts.get(s) {
            Some(&i) => i,
            None => self.const_index(Value::Str(Cow::Owned(s.to_string()))),
        };
        self.emit(Op::Const(idx), span);
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
            ExprKind::Keyword(k) => match crate::catalogue::lookup_keyword(k).map(|k| k.id) {
                Some(KeywordId::IgnoreAttributeFlow) => {
                    self.emit(Op::IgnoreFlow, e.span);
                    self.push(1);
                }
                Some(KeywordId::IgnoreObjectFlow) => {
                    self.emit(Op::IgnoreObject, e.span);
                    self.push(1);
                }
                Some(KeywordId::VbBinaryCompare) => {
                    self.constant(Value::str("vbBinaryCompare"), e.span)
                }
                Some(KeywordId::VbTextCompare) => {
                    self.constant(Value::str("vbTextCompare"), e.span)
                }
                None => {
                    // The checker rejects unknown keywords; keep the program well formed anyway.
                    self.constant(Value::Null, e.span);
                }
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
        let Some(id) = call
            .id
            .or_else(|| crate::catalogue::lookup(&call.name).map(|s| s.id))
        else {
            // Unresolved: evaluate to null. The checker reports it as an error.
            self.constant(Value::Null, span);
            return;
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
                self.arg(call, 0, true);
                let jf = self.emit(Op::JumpIfFalse(0), span);
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

    fn switch(&mut self, call: &Call, span: Span, strict: bool) {
        let n = call.args.len();
        let pairs: Vec<(usize, usize)> = (2..n.saturating_sub(1))
            .step_by(2)
            .map(|k| (k, k + 1))
            .collect();
        let const_keys: Option<Vec<String>> = pairs
            .iter()
            .map(|&(k, _)| match call.args[k].expr.as_ref() {
                None => Some(String::new()),
                Some(x) => fold(x).map(|v| v.to_text().into_owned()),
            })
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
        let mut exits = Vec::new();
        match const_keys {
            Some(keys) => {
                let arg_value = |i: usize| match call.args.get(i).and_then(|a| a.expr.as_ref()) {
                    None => Some(Value::Null),
                    Some(x) => fold(x),
                };
                let const_values: Option<Vec<Value<'static>>> = if strict {
                    None
                } else {
                    std::iter::once(1)
                        .chain(pairs.iter().map(|&(_, v)| v))
                        .map(arg_value)
                        .collect()
                };
                if let Some(values) = const_values {
                    // Every branch is a constant: the table maps keys to pool entries.
                    let mut idx = values.into_iter().map(|v| self.const_index(v));
                    let default = idx.next().unwrap_or(0);
                    let targets: Vec<u32> = idx.collect();
                    let table_index = self.p.tables.len() as u32;
                    self.p.tables.push(SwitchTable {
                        keys: KeyTable::new(
                            keys.iter().map(String::as_str).zip(targets.iter().copied()),
                        ),
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
                    return;
                }
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
                for &(_, v) in &pairs {
                    self.depth = base_depth;
                    targets.push(self.here());
                    self.arg(call, v, strict);
                    exits.push(self.emit(Op::Jump(0), span));
                }
                // Later duplicates are unreachable: KeyTable keeps the first key.
                self.p.tables[table_index as usize] = SwitchTable {
                    keys: KeyTable::new(keys.iter().map(String::as_str).zip(targets)),
                    default: default_at,
                };
            }
            None => {
                let mut hits = Vec::new();
                for &(k, _) in &pairs {
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
            }
        }
        let end = self.here();
        for x in exits {
            self.patch(x, end);
        }
    }
}

/// Whether `e` reads nothing at run time (no attribute, keyword or impure
/// call), so [`fold`] may succeed. It allocates nothing, unlike `fold`, so
/// the compiler asks it first at every node.
fn is_constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Str(_) | ExprKind::Number(_) => true,
        ExprKind::Attribute(_) | ExprKind::Keyword(_) => false,
        ExprKind::Compare { lhs, rhs, .. } => is_constant(lhs) && is_constant(rhs),
        ExprKind::Call(call) => {
            call.id.is_some_and(|id| id.spec().purity == Purity::Pure)
                && call
                    .args
                    .iter()
                    .all(|a| a.expr.as_ref().is_none_or(is_constant))
        }
    }
}

/// Folds a constant sub-expression, if it is one and it evaluates without error.
pub fn fold(e: &Expr) -> Option<Value<'static>> {
    match &e.kind {
        ExprKind::Str(s) => Some(Value::Str(Cow::Owned(s.clone()))),
        ExprKind::Number(n) => Some(Value::Int(*n)),
        ExprKind::Attribute(_) | ExprKind::Keyword(_) => None,
        ExprKind::Compare { op, lhs, rhs, .. } => {
            let (l, r) = (fold(lhs)?, fold(rhs)?);
            Some(Value::Bool(compare(*op, &l, &r)))
        }
        ExprKind::Call(call) => {
            let spec = call.id?.spec();
            if spec.purity != Purity::Pure {
                return None;
            }
            let args: Option<Vec<Value<'static>>> = call
                .args
                .iter()
                .map(|a| a.expr.as_ref().map_or(Some(Value::Null), fold))
                .collect();
            let mut args = args?;
            match spec.id {
                FnId::IIF => {
                    let i = if args.first()?.truthy() { 1 } else { 2 };
                    Some(std::mem::take(args.get_mut(i)?))
                }
                FnId::Switch => {
                    let src = args.first()?.clone();
                    let mut i = 2;
                    while i + 1 < args.len() {
                        if switch_key_matches(&src, &args[i]) {
                            return Some(std::mem::take(&mut args[i + 1]));
                        }
                        i += 2;
                    }
                    Some(std::mem::take(args.get_mut(1)?))
                }
                FnId::Coalesce => {
                    let last = args.last().cloned().unwrap_or(Value::Null);
                    Some(args.into_iter().find(coalesce_accepts).unwrap_or(last))
                }
                FnId::SelectUniqueValue => None,
                id => {
                    let mut present = 0u64;
                    for (i, a) in call.args.iter().enumerate().take(64) {
                        if a.expr.is_some() {
                            present |= 1 << i;
                        }
                    }
                    let mut ctx = Context::new();
                    match functions::call(
                        id,
                        Args {
                            values: &mut args,
                            present,
                            span: e.span,
                        },
                        &mut ctx,
                    ) {
                        Ok(v) => Some(v.into_owned()),
                        Err(Interrupt::Error(_))
                        | Err(Interrupt::Ignore)
                        | Err(Interrupt::IgnoreObject) => None,
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_table_finds_every_key_and_misses_others() {
        let keys: Vec<String> = (0..200).map(|i| format!("key-{i}")).collect();
        let t = KeyTable::new(keys.iter().map(String::as_str).zip(0..));
        assert_eq!(t.len(), 200);
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(i as u32), "{k}");
        }
        for miss in ["", "key-", "key-200", "Key-1", "key-1 "] {
            assert_eq!(t.get(miss), None, "{miss:?}");
        }
    }

    #[test]
    fn key_table_first_duplicate_wins_and_empty_key_works() {
        let t = KeyTable::new([("a", 1), ("", 2), ("a", 3), ("abcdefghijk", 4)]);
        assert_eq!(t.get("a"), Some(1));
        assert_eq!(t.get(""), Some(2));
        assert_eq!(t.get("abcdefghijk"), Some(4));
        assert_eq!(t.get("abcdefghijK"), None);
        assert_eq!(t.entries(), vec![("a", 1), ("", 2), ("abcdefghijk", 4)]);
    }

    #[test]
    fn jumps_to_jumps_are_threaded() {
        let e =
            crate::compile(r#"Switch([a], "d", "1", IIF([b] = "x", "T", "F"), "2", "z")"#).unwrap();
        let ops = &e.program().ops;
        for op in ops {
            if let Op::Jump(t) | Op::JumpIfFalse(t) = *op {
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
