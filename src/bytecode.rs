//! The bytecode: the instruction set, [`Program`], the constant-key hash
//! table Switch compiles to, and the disassembler. The compiler
//! (`compile.rs`) writes programs; the VM (`vm.rs`) runs them.

use crate::catalogue::FnId;
use crate::syntax::{CompareOp, Span};
use crate::value::Value;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};

/// One instruction of the VM.
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
    /// `AttrStrict; Const; Compare; JumpIfFalse` in one: an IIF condition
    /// that compares an attribute with a constant (`IIF([Active] = "1", …)`),
    /// described by `tests[test]`. Jumps to `target` when the comparison is
    /// false; the value never goes through the stack.
    AttrTest {
        test: u32,
        target: u32,
    },
    Pop,
    /// SelectUniqueValue ran out of candidates.
    Escrow(u32),
    /// Drop the attribute from the flow.
    IgnoreFlow,
    /// Skip the whole object.
    IgnoreObject,
    /// Fail with `failures[i]`: a call or keyword that did not resolve.
    /// Only a tree that bypassed the checker can hold one; the tree walker
    /// fails on it with the same error.
    Fail(u32),
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
/// The hasher of the compiler's and the key table's maps (FxHash).
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

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether the table has no keys.
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

/// An [`Op::AttrTest`]: `[attribute] op constant`.
#[derive(Debug, Clone, Copy)]
pub struct AttrTest {
    pub slot: u32,
    /// The constant's pool index.
    pub constant: u32,
    pub op: CompareOp,
    /// The constant read as an integer ([`crate::eval::numeric`]), read
    /// once here rather than on every comparison.
    pub numeric: Option<i64>,
}

/// What a call instruction knows about its call site.
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
    pub(crate) tests: Vec<AttrTest>,
    pub(crate) max_stack: usize,
    pub(crate) failures: Vec<crate::RuntimeError>,
}

impl Program {
    /// Attribute names the program reads, in slot order.
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.attrs.iter().map(|a| a.as_ref())
    }
    /// Number of instructions.
    pub fn len(&self) -> usize {
        self.ops.len()
    }
    /// Whether the program has no instructions.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
    /// The deepest the value stack gets.
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
                Op::AttrTest { test, target } => {
                    let t = &self.tests[test as usize];
                    // Reads as the four instructions it replaces.
                    format!(
                        "attr!     [{}] {} {} → jump.f @{target}",
                        self.attrs[t.slot as usize],
                        t.op.symbol(),
                        crate::eval::trace::render_value(&self.consts[t.constant as usize])
                    )
                }
                Op::Pop => "pop".to_string(),
                Op::Escrow(n) => format!("escrow    ; all {n} candidates taken"),
                Op::IgnoreFlow => "ignore.attribute".to_string(),
                Op::IgnoreObject => "ignore.object".to_string(),
                Op::Fail(i) => format!("fail {}", self.failures[i as usize].code),
            };
            let _ = writeln!(out, "{pc:4}  {text}");
        }
        out
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
}
