//! The .NET regular-expression dialect, read the way .NET's `Regex` reads it,
//! and run on Rust engines with .NET's results.
//!
//! A pattern is parsed here into a small tree with .NET's rules (escapes,
//! literal braces, class subtraction, options, group numbering), then written
//! out twice in an unambiguous syntax:
//! - a *fast* form for the `regex` crate (finite automata, linear time), when
//!   the pattern has nothing only a backtracker can do;
//! - an *exact* form for `fancy-regex` (backtracking, with a step budget) that
//!   spells out what the fast form approximates: `$` before a final newline and
//!   `\b` with .NET's word characters, as lookarounds.
//!
//! The fast form is used for a value whenever it gives the same answer there
//! (no final newline, no character whose word-ness differs between .NET and
//! Rust), so plain patterns keep the automaton's speed.
//!
//! .NET strings are UTF-16. A character outside the Basic Multilingual Plane
//! is two code units there: `.` matches half of it, an empty match can fall
//! between the halves. To give the same answers, a value holding such
//! characters is matched in a *code-unit view* ([`to_units`]) where each
//! surrogate is one private-use character of plane 15, and results are turned
//! back with [`from_units`] (a lone surrogate, which .NET would write as
//! U+FFFD on the wire, becomes U+FFFD). Patterns are always read in that view.

use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, HirKind};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::OnceLock;

/// Bound on compiled programs (both engines), so a pattern cannot exhaust memory.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Backtracking steps one search may take before it is stopped with an error.
pub const BACKTRACK_LIMIT: usize = 1_000_000;
/// Bound on a search's work, estimated as the pattern's unrolled size times
/// the value's length. The automaton is linear in the value but proportional
/// to the pattern too: `(.*x){400}y` on a 1 MB value (weight ≈ 1 200 × 10⁶)
/// took 65 s. 5 × 10⁷ keeps the worst case to a few seconds and lets any
/// ordinary pattern (weight under 100) run on values up to 500 KB.
pub const WORK_LIMIT: u64 = 50_000_000;
/// Nesting bound on groups, so a parse cannot overflow the stack.
const MAX_DEPTH: usize = 200;

/// Where the code-unit view puts surrogates: U+D800..=U+DFFF map to
/// U+F0000..=U+F07FF, a private-use range no real character occupies in the
/// view (every real non-BMP character is itself split into surrogates).
const UNIT_BASE: u32 = 0xF0000;
const UNIT_LAST: u32 = UNIT_BASE + 0x7FF;

/// Why a pattern cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// .NET rejects it too (the message says where and why).
    Invalid(String),
    /// .NET accepts it, attrmap cannot run it: names the .NET feature.
    Unsupported(String),
}

/// Why a search stopped without an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunError(pub String);

// ---------------------------------------------------------------- code units

/// True when `text` holds a character outside the BMP (a 4-byte UTF-8 sequence).
pub fn has_non_bmp(text: &str) -> bool {
    text.bytes().any(|b| b >= 0xF0)
}

/// The code-unit view of `text`: every non-BMP character becomes its two
/// surrogates, each as one private-use character.
pub fn to_units(text: &str) -> Cow<'_, str> {
    if !has_non_bmp(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        let mut buf = [0u16; 2];
        let units = c.encode_utf16(&mut buf);
        if units.len() == 1 {
            out.push(c);
        } else {
            for &u in units.iter() {
                out.push(unit_char(u));
            }
        }
    }
    Cow::Owned(out)
}

fn unit_char(surrogate: u16) -> char {
    char::from_u32(UNIT_BASE + (surrogate as u32 - 0xD800)).unwrap_or('\u{FFFD}')
}

fn unit_of(c: char) -> Option<u16> {
    let v = c as u32;
    (UNIT_BASE..=UNIT_LAST)
        .contains(&v)
        .then(|| (v - UNIT_BASE + 0xD800) as u16)
}

/// Back from the code-unit view: surrogate pairs become their character, a
/// lone surrogate becomes U+FFFD (what .NET's UTF-8 encoder writes for it).
pub fn from_units(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| unit_of(c).is_some()) {
        return Cow::Borrowed(text);
    }
    let units: Vec<u16> = text
        .chars()
        .flat_map(|c| {
            let mut buf = [0u16; 2];
            match unit_of(c) {
                Some(u) => vec![u],
                None => c.encode_utf16(&mut buf).to_vec(),
            }
        })
        .collect();
    Cow::Owned(
        char::decode_utf16(units)
            .map(|r| r.unwrap_or('\u{FFFD}'))
            .collect(),
    )
}

// ------------------------------------------------------------- char classes

fn class_of(pattern: &str) -> ClassUnicode {
    match regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map(|h| h.into_kind())
    {
        Ok(HirKind::Class(Class::Unicode(c))) => c,
        _ => ClassUnicode::empty(),
    }
}

fn ranges(pairs: &[(char, char)]) -> ClassUnicode {
    ClassUnicode::new(pairs.iter().map(|&(a, b)| ClassUnicodeRange::new(a, b)))
}

fn union(mut a: ClassUnicode, b: &ClassUnicode) -> ClassUnicode {
    a.union(b);
    a
}

fn minus(mut a: ClassUnicode, b: &ClassUnicode) -> ClassUnicode {
    a.difference(b);
    a
}

fn negated(mut a: ClassUnicode) -> ClassUnicode {
    a.negate();
    a
}

fn contains(class: &ClassUnicode, c: char) -> bool {
    let r = class.ranges();
    r.binary_search_by(|range| {
        if range.end() < c {
            std::cmp::Ordering::Less
        } else if range.start() > c {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    })
    .is_ok()
}

fn surrogate_units() -> ClassUnicode {
    ranges(&[(
        char::from_u32(UNIT_BASE).unwrap_or('\0'),
        char::from_u32(UNIT_LAST).unwrap_or('\0'),
    )])
}

/// A general category as .NET sees it in the code-unit view: surrogates are
/// `Cs` (and so `C`), never `Co`.
fn category(name: &str) -> Option<ClassUnicode> {
    const NAMES: &[&str] = &[
        "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc",
        "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp",
        "C", "Cc", "Cf", "Cs", "Co", "Cn",
    ];
    if !NAMES.contains(&name) {
        return None;
    }
    let units = surrogate_units();
    let base = minus(class_of(&format!(r"\p{{{name}}}")), &units);
    Some(if name == "Cs" || name == "C" {
        union(base, &units)
    } else {
        base
    })
}

struct Tables {
    /// .NET's `\w`: letters, non-spacing marks, decimal digits, connectors.
    word: ClassUnicode,
    /// The characters `\b` treats as word characters: `\w` plus ZWNJ and ZWJ.
    boundary_word: ClassUnicode,
    /// `\d`: decimal digits.
    digit: ClassUnicode,
    /// `\s`: `char.IsWhiteSpace`.
    space: ClassUnicode,
    /// Where Rust's `\b` and .NET's disagree on a character's word-ness.
    word_divergence: ClassUnicode,
    /// Every character whose lowercase (one character) differs from it.
    lower_pairs: Vec<(char, char)>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let cat = |n: &str| category(n).unwrap_or_else(ClassUnicode::empty);
        let word = union(union(union(cat("L"), &cat("Mn")), &cat("Nd")), &cat("Pc"));
        let boundary_word = union(word.clone(), &ranges(&[('\u{200C}', '\u{200D}')]));
        let space = union(
            cat("Z"),
            &ranges(&[('\t', '\r'), ('\u{85}', '\u{85}'), ('\u{A0}', '\u{A0}')]),
        );
        let rust_word = class_of(r"\w");
        let mut word_divergence = union(
            minus(rust_word.clone(), &boundary_word),
            &minus(boundary_word.clone(), &rust_word),
        );
        word_divergence.union(&surrogate_units());
        let lower_pairs = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter_map(|c| {
                let mut l = c.to_lowercase();
                match (l.next(), l.next()) {
                    (Some(lc), None) if lc != c => Some((c, lc)),
                    _ => None,
                }
            })
            .collect();
        Tables {
            word,
            boundary_word,
            digit: cat("Nd"),
            space,
            word_divergence,
            lower_pairs,
        }
    })
}

fn lower(c: char) -> char {
    let t = tables();
    match t.lower_pairs.binary_search_by(|p| p.0.cmp(&c)) {
        Ok(i) => t.lower_pairs[i].1,
        Err(_) => c,
    }
}

/// `set` plus the lowercase of each of its characters (.NET's AddLowercase).
fn with_lowercase(set: &ClassUnicode) -> ClassUnicode {
    let extra: Vec<(char, char)> = tables()
        .lower_pairs
        .iter()
        .filter(|(c, _)| contains(set, *c))
        .map(|&(_, l)| (l, l))
        .collect();
    union(set.clone(), &ranges(&extra))
}

/// The characters whose lowercase is in `set`: what a case-insensitive .NET
/// test against `set` (which lowercases the input first) accepts.
fn lowercase_preimage(set: &ClassUnicode) -> ClassUnicode {
    let pairs = &tables().lower_pairs;
    let (mut add, mut remove) = (Vec::new(), Vec::new());
    for &(c, l) in pairs {
        match (contains(set, l), contains(set, c)) {
            (true, false) => add.push((c, c)),
            (false, true) => remove.push((c, c)),
            _ => {}
        }
    }
    minus(union(set.clone(), &ranges(&add)), &ranges(&remove))
}

// -------------------------------------------------------------------- tree

#[derive(Clone, Copy, Default)]
struct Opts {
    ignore_case: bool,
    multiline: bool,
    singleline: bool,
    explicit_capture: bool,
    extended: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// `^` without Multiline, `\A`.
    Beginning,
    /// `^` with Multiline.
    LineStart,
    /// `$` with Multiline.
    LineEnd,
    /// `$` without Multiline, `\Z`: the end, or before a final newline.
    EndOrFinalNewline,
    /// `\z`.
    End,
    /// `\G`.
    SearchStart,
    Boundary,
    NonBoundary,
}

enum Cap {
    None,
    Unnamed,
    Number(u32),
    Name(String),
}

enum BackrefTo {
    Number(u32),
    Name(String),
    /// `\NN` with two or more digits: a group if one has that number, else
    /// an octal escape.
    NumberOrOctal(u32, char),
}

enum Node {
    Empty,
    Char(char),
    Set(ClassUnicode),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Group(Box<Node>, Cap),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    },
    Look {
        behind: bool,
        negate: bool,
        node: Box<Node>,
    },
    Atomic(Box<Node>),
    Assert(Anchor),
    Backref(BackrefTo, bool),
}

// ------------------------------------------------------------------ parser

struct Parser {
    p: Vec<char>,
    i: usize,
    depth: usize,
}

fn invalid(at: usize, msg: impl std::fmt::Display) -> PatternError {
    PatternError::Invalid(format!("at position {at}: {msg}"))
}

fn unsupported(feature: &str) -> PatternError {
    PatternError::Unsupported(feature.to_string())
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.p.get(self.i).copied()
    }
    fn peek_at(&self, k: usize) -> Option<char> {
        self.p.get(self.i + k).copied()
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Skips what .NET's ScanBlank skips between atoms: `(?#…)` comments
    /// always, and under IgnorePatternWhitespace blanks and `#` comments.
    fn skip_extended(&mut self, o: Opts) {
        loop {
            if self.peek() == Some('(')
                && self.peek_at(1) == Some('?')
                && self.peek_at(2) == Some('#')
            {
                match self.p[self.i..].iter().position(|&c| c == ')') {
                    Some(k) => {
                        self.i += k + 1;
                        continue;
                    }
                    None => return,
                }
            }
            if !o.extended {
                return;
            }
            match self.peek() {
                Some(c) if is_pattern_space(c) => self.i += 1,
                Some('#') => {
                    while let Some(c) = self.peek() {
                        self.i += 1;
                        if c == '\n' {
                            break;
                        }
                    }
                }
                _ => return,
            }
        }
    }

    /// Alternatives up to `)` or the end. Options set by `(?i)` last to the
    /// end of the enclosing group, across `|`.
    fn alternation(&mut self, mut o: Opts) -> Result<Node, PatternError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(invalid(self.i, "groups are nested too deeply"));
        }
        let mut branches = Vec::new();
        let mut seq: Vec<Node> = Vec::new();
        loop {
            self.skip_extended(o);
            let start = self.i;
            let Some(c) = self.peek() else { break };
            let atom = match c {
                ')' => break,
                '|' => {
                    self.i += 1;
                    branches.push(concat(std::mem::take(&mut seq)));
                    continue;
                }
                '(' => match self.group(&mut o)? {
                    Some(n) => n,
                    None => continue,
                },
                '[' => {
                    self.i += 1;
                    let tested = self.class(o)?;
                    Node::Set(if o.ignore_case {
                        lowercase_preimage(&tested)
                    } else {
                        tested
                    })
                }
                '\\' => {
                    self.i += 1;
                    self.escape(o)?
                }
                '^' => {
                    self.i += 1;
                    Node::Assert(if o.multiline {
                        Anchor::LineStart
                    } else {
                        Anchor::Beginning
                    })
                }
                '$' => {
                    self.i += 1;
                    Node::Assert(if o.multiline {
                        Anchor::LineEnd
                    } else {
                        Anchor::EndOrFinalNewline
                    })
                }
                '.' => {
                    self.i += 1;
                    Node::Set(if o.singleline {
                        negated(ClassUnicode::empty())
                    } else {
                        negated(ranges(&[('\n', '\n')]))
                    })
                }
                '*' | '+' | '?' => {
                    return Err(invalid(
                        start,
                        format!("the quantifier {c} follows nothing"),
                    ))
                }
                '{' if self.quantifier_ahead() => {
                    return Err(invalid(start, "the quantifier {…} follows nothing"))
                }
                _ => {
                    self.i += 1;
                    literal(c, o)
                }
            };
            self.skip_extended(o);
            let atom = self.quantified(atom, o)?;
            seq.push(atom);
        }
        branches.push(concat(seq));
        self.depth -= 1;
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(branches)
        })
    }

    /// Whether `{` at the cursor opens a valid quantifier (`{n}`, `{n,}`,
    /// `{n,m}`); otherwise .NET reads it as a literal brace.
    fn quantifier_ahead(&self) -> bool {
        let mut k = self.i + 1;
        let digits = |k: &mut usize| {
            let s = *k;
            while self.p.get(*k).is_some_and(|c| c.is_ascii_digit()) {
                *k += 1;
            }
            *k > s
        };
        if !digits(&mut k) {
            return false;
        }
        if self.p.get(k) == Some(&'}') {
            return true;
        }
        if self.p.get(k) != Some(&',') {
            return false;
        }
        k += 1;
        digits(&mut k);
        self.p.get(k) == Some(&'}')
    }

    fn number(&mut self) -> Result<u32, PatternError> {
        let start = self.i;
        let mut n: u64 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            n = n * 10 + d as u64;
            if n > i32::MAX as u64 {
                return Err(invalid(start, "the number is larger than Int32.MaxValue"));
            }
            self.i += 1;
        }
        Ok(n as u32)
    }

    fn quantified(&mut self, atom: Node, o: Opts) -> Result<Node, PatternError> {
        let start = self.i;
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') if self.quantifier_ahead() => {
                self.i += 1;
                let min = self.number()?;
                let max = if self.eat(',') {
                    if self.peek() == Some('}') {
                        None
                    } else {
                        Some(self.number()?)
                    }
                } else {
                    Some(min)
                };
                if max.is_some_and(|m| m < min) {
                    return Err(invalid(start, "in {x,y}, x is greater than y"));
                }
                // quantifier_ahead checked the closing brace; it is consumed below.
                (min, max)
            }
            _ => return Ok(atom),
        };
        self.i += 1;
        let greedy = !self.eat('?');
        self.skip_extended(o);
        if matches!(self.peek(), Some('*' | '+' | '?'))
            || (self.peek() == Some('{') && self.quantifier_ahead())
        {
            return Err(invalid(self.i, "nested quantifier"));
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
            greedy,
        })
    }

    fn name(&mut self) -> String {
        let w = &tables().word;
        let s = self.i;
        while self.peek().is_some_and(|c| contains(w, c)) {
            self.i += 1;
        }
        self.p[s..self.i].iter().collect()
    }

    /// A group at `(`; `None` for a construct that matches nothing and is
    /// not an atom (`(?i)`, `(?#…)`).
    fn group(&mut self, o: &mut Opts) -> Result<Option<Node>, PatternError> {
        let open = self.i;
        self.i += 1;
        if !self.eat('?') {
            let inner = self.group_body(*o, open)?;
            let cap = if o.explicit_capture {
                Cap::None
            } else {
                Cap::Unnamed
            };
            return Ok(Some(Node::Group(Box::new(inner), cap)));
        }
        match self.peek() {
            Some(':') => {
                self.i += 1;
                let n = self.group_body(*o, open)?;
                Ok(Some(Node::Group(Box::new(n), Cap::None)))
            }
            Some('=') | Some('!') => {
                let negate = self.peek() == Some('!');
                self.i += 1;
                let n = self.group_body(*o, open)?;
                Ok(Some(Node::Look {
                    behind: false,
                    negate,
                    node: Box::new(n),
                }))
            }
            Some('>') => {
                self.i += 1;
                let n = self.group_body(*o, open)?;
                Ok(Some(Node::Atomic(Box::new(n))))
            }
            Some('#') => {
                while let Some(c) = self.peek() {
                    self.i += 1;
                    if c == ')' {
                        return Ok(None);
                    }
                }
                Err(invalid(open, "the comment (?#… is not closed"))
            }
            Some('(') => Err(unsupported("conditional groups (?(…)yes|no)")),
            Some('<') if matches!(self.peek_at(1), Some('=') | Some('!')) => {
                let negate = self.peek_at(1) == Some('!');
                self.i += 2;
                let n = self.group_body(*o, open)?;
                Ok(Some(Node::Look {
                    behind: true,
                    negate,
                    node: Box::new(n),
                }))
            }
            Some(q @ ('<' | '\'')) => {
                let cap = self.group_name(q)?;
                let n = self.group_body(*o, open)?;
                Ok(Some(Node::Group(Box::new(n), cap)))
            }
            _ => self.inline_options(o, open),
        }
    }

    /// The rest of a group after its opening construct: the alternation and
    /// the closing `)`, whose absence is reported at the group's `(`.
    fn group_body(&mut self, opts: Opts, open: usize) -> Result<Node, PatternError> {
        let inner = self.alternation(opts)?;
        if !self.eat(')') {
            return Err(invalid(open, "the group is not closed with )"));
        }
        Ok(inner)
    }

    /// The name or number of `(?<name>…)` / `(?'name'…)`, at the quote `q`,
    /// up to and including its closing quote.
    fn group_name(&mut self, q: char) -> Result<Cap, PatternError> {
        let close = if q == '<' { '>' } else { '\'' };
        self.i += 1;
        let cap = match self.peek() {
            Some('-') => return Err(unsupported("balancing groups (?<name1-name2>…)")),
            Some(c) if c.is_ascii_digit() => {
                let at = self.i;
                let n = self.number()?;
                if n == 0 {
                    return Err(invalid(
                        at,
                        "group number 0 is the whole match and cannot be a group name",
                    ));
                }
                Cap::Number(n)
            }
            Some(c) if contains(&tables().word, c) => Cap::Name(self.name()),
            _ => {
                return Err(invalid(
                    self.i,
                    "invalid group name: it must start with a letter, digit or underscore",
                ))
            }
        };
        if self.peek() == Some('-') {
            return Err(unsupported("balancing groups (?<name1-name2>…)"));
        }
        if !self.eat(close) {
            return Err(invalid(
                self.i,
                format!("the group name must end with {close}"),
            ));
        }
        Ok(cap)
    }

    /// Options after `(?`: `(?imnsx-imnsx)` changes `o` for the rest of the
    /// enclosing group (and is no atom); `(?imnsx-imnsx:…)` scopes them to
    /// a non-capturing group.
    fn inline_options(&mut self, o: &mut Opts, open: usize) -> Result<Option<Node>, PatternError> {
        let mut scoped = *o;
        let mut on = true;
        loop {
            let at = self.i;
            match self.peek() {
                Some('-') => on = false,
                Some('i') => scoped.ignore_case = on,
                Some('m') => scoped.multiline = on,
                Some('n') => scoped.explicit_capture = on,
                Some('s') => scoped.singleline = on,
                Some('x') => scoped.extended = on,
                Some(')') => {
                    self.i += 1;
                    *o = scoped;
                    return Ok(None);
                }
                Some(':') => {
                    self.i += 1;
                    let n = self.group_body(scoped, open)?;
                    return Ok(Some(Node::Group(Box::new(n), Cap::None)));
                }
                _ => return Err(invalid(at, "unrecognized grouping construct (?…")),
            }
            self.i += 1;
        }
    }

    /// After a backslash, outside a class.
    fn escape(&mut self, o: Opts) -> Result<Node, PatternError> {
        let at = self.i - 1;
        let Some(c) = self.peek() else {
            return Err(invalid(at, "the pattern ends with an unescaped \\"));
        };
        // Under IgnoreCase .NET lowercases the character before any test.
        let set = |s: &ClassUnicode| {
            Ok(Node::Set(if o.ignore_case {
                lowercase_preimage(s)
            } else {
                s.clone()
            }))
        };
        match c {
            'A' | 'z' | 'Z' | 'G' | 'b' | 'B' => {
                self.i += 1;
                Ok(Node::Assert(match c {
                    'A' => Anchor::Beginning,
                    'z' => Anchor::End,
                    'Z' => Anchor::EndOrFinalNewline,
                    'G' => Anchor::SearchStart,
                    'b' => Anchor::Boundary,
                    _ => Anchor::NonBoundary,
                }))
            }
            'w' | 'W' | 's' | 'S' | 'd' | 'D' => {
                self.i += 1;
                set(&shorthand_class(c).unwrap_or_else(ClassUnicode::empty))
            }
            'p' | 'P' => {
                self.i += 1;
                let cls = self.property(o)?;
                set(&if c == 'P' { negated(cls) } else { cls })
            }
            'k' => {
                self.i += 1;
                match self.peek() {
                    Some('<' | '\'') => {}
                    _ => return Err(invalid(at, "\\k must be followed by <name> or 'name'")),
                }
                match self.angled_ref()? {
                    Some(r) => Ok(Node::Backref(r, o.ignore_case)),
                    None => Err(invalid(at, "malformed \\k<…> named backreference")),
                }
            }
            '<' | '\'' if self.peek_at(1).is_some() => {
                let save = self.i;
                match self.angled_ref()? {
                    Some(r) => Ok(Node::Backref(r, o.ignore_case)),
                    None => {
                        self.i = save + 1;
                        Ok(literal(c, o))
                    }
                }
            }
            '1'..='9' => Ok(Node::Backref(self.numbered_backref(at)?, o.ignore_case)),
            _ => {
                let ch = self.char_escape(false)?;
                Ok(literal(ch, o))
            }
        }
    }

    /// `\N` at its first digit (the backslash at `at`). Above 9 it is a
    /// backreference if the group exists and otherwise an octal escape, which
    /// only the emitter can tell once all groups are numbered.
    fn numbered_backref(&mut self, at: usize) -> Result<BackrefTo, PatternError> {
        let n = self.number()?;
        if n <= 9 {
            return Ok(BackrefTo::Number(n));
        }
        // Re-read as octal: up to three octal digits.
        let digits: String = self.p[at + 1..self.i].iter().collect();
        let oct: String = digits
            .chars()
            .take_while(|d| ('0'..='7').contains(d))
            .take(3)
            .collect();
        let v = u32::from_str_radix(&oct, 8).unwrap_or(0) & 0xFF;
        // The digits after the octal ones are literals; keep
        // the simple case exact and refuse the rest.
        if oct.len() != digits.len() {
            return Err(unsupported(
                "a backreference to a missing group followed by digits (read as octal by .NET)",
            ));
        }
        Ok(BackrefTo::NumberOrOctal(
            n,
            char::from_u32(v).unwrap_or('\0'),
        ))
    }

    /// `<name>` / `'name'` after `\k` or `\`: a backreference, `None` if the
    /// text is not one (for `\<`, then a literal).
    fn angled_ref(&mut self) -> Result<Option<BackrefTo>, PatternError> {
        let at = self.i;
        let close = if self.peek() == Some('\'') { '\'' } else { '>' };
        self.i += 1;
        let r = match self.peek() {
            Some(c) if c.is_ascii_digit() => BackrefTo::Number(self.number()?),
            Some(c) if contains(&tables().word, c) => BackrefTo::Name(self.name()),
            _ => {
                self.i = at;
                return Ok(None);
            }
        };
        if !self.eat(close) {
            self.i = at;
            return Ok(None);
        }
        Ok(Some(r))
    }

    /// `{name}` after `\\p`/`\\P`. Under IgnoreCase, .NET widens Lu, Ll and Lt
    /// to all three (and then lowercases the character before testing).
    fn property(&mut self, o: Opts) -> Result<ClassUnicode, PatternError> {
        let at = self.i;
        if !self.eat('{') {
            return Err(invalid(at, "\\p and \\P need a property in braces: \\p{L}"));
        }
        let s = self.i;
        while self.peek().is_some_and(|c| c != '}') {
            self.i += 1;
        }
        let name: String = self.p[s..self.i].iter().collect();
        if !self.eat('}') {
            return Err(invalid(at, "the \\p{…} property is not closed"));
        }
        if name.starts_with("Is") {
            return Err(unsupported(&format!("the Unicode block \\p{{{name}}}")));
        }
        if o.ignore_case && matches!(name.as_str(), "Lu" | "Ll" | "Lt") {
            let cased = ["Lu", "Ll", "Lt"].iter().filter_map(|n| category(n));
            return Ok(cased.fold(ClassUnicode::empty(), |acc, c| union(acc, &c)));
        }
        category(&name).ok_or_else(|| invalid(at, format!("unknown Unicode category {name:?}")))
    }

    /// A single-character escape (after the backslash, at the escape letter).
    fn char_escape(&mut self, in_class: bool) -> Result<char, PatternError> {
        let at = self.i - 1;
        let Some(c) = self.peek() else {
            return Err(invalid(at, "the pattern ends with an unescaped \\"));
        };
        self.i += 1;
        let hex = |this: &mut Self, n: usize| -> Result<char, PatternError> {
            let mut v = 0u32;
            for _ in 0..n {
                let d = this
                    .peek()
                    .and_then(|c| c.to_digit(16))
                    .ok_or_else(|| invalid(at, format!("\\{c} needs {n} hexadecimal digits")))?;
                v = v * 16 + d;
                this.i += 1;
            }
            Ok(match v {
                0xD800..=0xDFFF => unit_char(v as u16),
                _ => char::from_u32(v).unwrap_or('\u{FFFD}'),
            })
        };
        Ok(match c {
            'a' => '\u{7}',
            'b' if in_class => '\u{8}',
            'e' => '\u{1B}',
            'f' => '\u{C}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{B}',
            'x' => hex(self, 2)?,
            'u' => hex(self, 4)?,
            'c' => {
                let Some(l) = self.peek() else {
                    return Err(invalid(at, "\\c needs a control letter"));
                };
                self.i += 1;
                let up = l.to_ascii_uppercase();
                if !('@'..='_').contains(&up) {
                    return Err(invalid(at, "unrecognized control character after \\c"));
                }
                char::from_u32(up as u32 - '@' as u32).unwrap_or('\0')
            }
            '0'..='7' => {
                // Octal: up to three digits, taken modulo 256.
                let mut v = c.to_digit(8).unwrap_or(0);
                let mut k = 1;
                while k < 3 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.i += 1;
                            k += 1;
                        }
                        None => break,
                    }
                }
                char::from_u32(v & 0xFF).unwrap_or('\0')
            }
            c if contains(&tables().word, c) => {
                return Err(invalid(at, format!("unrecognized escape sequence \\{c}")))
            }
            c => c,
        })
    }

    /// A class, after its `[`, up to and including its `]`: the set its test
    /// accepts. Under IgnoreCase .NET lowercases the character before the
    /// test, so the caller turns this into the set of characters whose
    /// lowercase it accepts.
    fn class(&mut self, o: Opts) -> Result<ClassUnicode, PatternError> {
        let open = self.i - 1;
        let unclosed = || invalid(open, "the character class is not closed with ]");
        let negate = self.eat('^');
        let mut plain = ClassUnicode::empty();
        let mut cats = ClassUnicode::empty();
        let mut subtract: Option<ClassUnicode> = None;
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(unclosed());
            };
            if c == ']' && !first {
                self.i += 1;
                break;
            }
            if c == '-' && !first && self.peek_at(1) == Some('[') {
                self.i += 2;
                subtract = Some(self.class(o)?);
                if self.peek() != Some(']') {
                    return Err(invalid(
                        self.i,
                        "a subtraction must be the last element of a character class",
                    ));
                }
                self.i += 1;
                break;
            }
            first = false;
            if c == '[' && self.peek_at(1) == Some(':') {
                let save = self.i;
                self.i += 2;
                self.name();
                let posix = self.peek() == Some(':') && self.peek_at(1) == Some(']');
                self.i = save;
                if posix {
                    return Err(unsupported("POSIX-style [:name:] inside a class"));
                }
            }
            self.i += 1;
            let lo = if c == '\\' {
                let Some(e) = self.peek() else {
                    return Err(unclosed());
                };
                let escaped_class = match e {
                    'p' | 'P' => {
                        self.i += 1;
                        let p = self.property(o)?;
                        self.i -= 1;
                        Some(if e == 'P' { negated(p) } else { p })
                    }
                    _ => shorthand_class(e),
                };
                if let Some(cls) = escaped_class {
                    // A '-' after a class escape is a literal (next round).
                    self.i += 1;
                    cats.union(&cls);
                    continue;
                }
                self.char_escape(true)?
            } else {
                c
            };
            // As .NET: '-' followed by anything but ']' makes a range, even
            // '[' (so [a-[b]] is the reversed range a-[).
            if self.peek() == Some('-') && self.peek_at(1).is_some_and(|n| n != ']') {
                self.i += 1;
                let hi = self.class_range_end(open)?;
                if hi < lo {
                    return Err(invalid(
                        self.i,
                        format!("[{lo}-{hi}] range in reverse order"),
                    ));
                }
                plain.union(&ranges(&[(lo, hi)]));
            } else {
                plain.union(&ranges(&[(lo, lo)]));
            }
        }
        // .NET tests the (lowercased, under IgnoreCase) character against the
        // ranges plus their lowercase, and the categories as they are; then
        // negation; then the subtracted class's own test.
        let mut tested = if o.ignore_case {
            with_lowercase(&plain)
        } else {
            plain
        };
        tested.union(&cats);
        if negate {
            tested.negate();
        }
        if let Some(sub) = subtract {
            tested.difference(&sub);
        }
        Ok(tested)
    }

    /// The upper end of a range in a class, after its `-` (the class opened
    /// at `open`).
    fn class_range_end(&mut self, open: usize) -> Result<char, PatternError> {
        let hc = self
            .peek()
            .ok_or_else(|| invalid(open, "the character class is not closed with ]"))?;
        self.i += 1;
        if hc != '\\' {
            return Ok(hc);
        }
        if matches!(
            self.peek(),
            Some('w' | 'W' | 's' | 'S' | 'd' | 'D' | 'p' | 'P')
        ) {
            return Err(invalid(self.i, "a class like \\d cannot end a range"));
        }
        self.char_escape(true)
    }
}

/// The set of a `\w \W \s \S \d \D` escape letter, the same inside and
/// outside a class; `None` for any other letter.
fn shorthand_class(letter: char) -> Option<ClassUnicode> {
    let t = tables();
    Some(match letter {
        'w' => t.word.clone(),
        'W' => negated(t.word.clone()),
        's' => t.space.clone(),
        'S' => negated(t.space.clone()),
        'd' => t.digit.clone(),
        'D' => negated(t.digit.clone()),
        _ => return None,
    })
}

fn is_pattern_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{B}' | '\u{C}')
}

fn literal(c: char, o: Opts) -> Node {
    if o.ignore_case {
        let l = lower(c);
        let set = lowercase_preimage(&ranges(&[(l, l)]));
        if set.ranges().len() == 1 && set.ranges()[0].start() == set.ranges()[0].end() {
            return Node::Char(c);
        }
        Node::Set(set)
    } else {
        Node::Char(c)
    }
}

fn concat(mut seq: Vec<Node>) -> Node {
    match seq.len() {
        0 => Node::Empty,
        1 => seq.pop().unwrap_or(Node::Empty),
        _ => Node::Concat(seq),
    }
}

// ------------------------------------------------------------- the pattern

/// A .NET pattern, compiled.
pub struct DotnetRegex {
    fast: Option<regex::Regex>,
    exact_pattern: String,
    exact: OnceCell<Result<fancy_regex::Regex, String>>,
    /// The fast form reads `$`/`\Z` as the very end: wrong before a final newline.
    fast_misses_final_newline: bool,
    /// The fast form uses Rust's `\b`: wrong on some non-ASCII characters.
    fast_uses_rust_boundary: bool,
    weight: u64,
    /// Each .NET group number (ascending, 0 first) and the engine groups that carry it.
    numbers: Vec<(u32, Vec<usize>)>,
    /// Named groups and their numbers.
    names: Vec<(String, u32)>,
}

/// One match: spans of the engine's groups (index 0 is the whole match).
pub struct Captures {
    spans: Vec<Option<Range<usize>>>,
}

impl Captures {
    pub fn whole(&self) -> Range<usize> {
        self.spans.first().cloned().flatten().unwrap_or(0..0)
    }
}

struct Numbering {
    /// In order of appearance: the .NET number of each capturing group.
    groups: Vec<u32>,
    names: Vec<(String, u32)>,
}

fn number_groups(root: &Node) -> Numbering {
    // .NET: unnamed groups are numbered first, in order; groups with a number
    // for a name take it; then named groups, in order of first appearance,
    // take the lowest numbers still free.
    enum Slot {
        Fixed(u32),
        Named(String),
    }
    fn walk(n: &Node, auto: &mut u32, slots: &mut Vec<Slot>) {
        match n {
            Node::Group(inner, cap) => {
                match cap {
                    Cap::None => {}
                    Cap::Unnamed => {
                        slots.push(Slot::Fixed(*auto));
                        *auto += 1;
                    }
                    Cap::Number(k) => slots.push(Slot::Fixed(*k)),
                    Cap::Name(s) => slots.push(Slot::Named(s.clone())),
                }
                walk(inner, auto, slots);
            }
            Node::Concat(v) | Node::Alt(v) => v.iter().for_each(|c| walk(c, auto, slots)),
            Node::Repeat { node, .. } | Node::Look { node, .. } | Node::Atomic(node) => {
                walk(node, auto, slots)
            }
            _ => {}
        }
    }
    let mut auto = 1;
    let mut slots = Vec::new();
    walk(root, &mut auto, &mut slots);
    let mut taken: Vec<u32> = slots
        .iter()
        .filter_map(|s| match s {
            Slot::Fixed(k) => Some(*k),
            Slot::Named(_) => None,
        })
        .collect();
    let mut names: Vec<(String, u32)> = Vec::new();
    let mut next = 1;
    for s in &slots {
        if let Slot::Named(name) = s {
            if names.iter().any(|(n, _)| n == name) {
                continue;
            }
            while taken.contains(&next) {
                next += 1;
            }
            names.push((name.clone(), next));
            taken.push(next);
            next += 1;
        }
    }
    let groups = slots
        .iter()
        .map(|s| match s {
            Slot::Fixed(k) => *k,
            Slot::Named(name) => names.iter().find(|(n, _)| n == name).map_or(0, |(_, k)| *k),
        })
        .collect();
    Numbering { groups, names }
}

struct Emitter<'a> {
    numbering: &'a Numbering,
    exact: bool,
    needs_backtracking: Option<&'static str>,
    uses_final_newline: bool,
    uses_boundary: bool,
    /// A feature attrmap refuses, reported after the whole pattern is read so
    /// that an error .NET would give (an undefined group) comes first.
    refused: Option<&'static str>,
    group_index: usize,
}

/// The refusal both kinds of repetition give for a capture that can repeat empty.
const EMPTY_ITERATION_CAPTURES: &str = "a repeated group that captures and can match nothing, such as (a|)+ (.NET's captures from its final empty iteration)";

fn push_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else {
        let _ = write!(out, "\\x{{{:X}}}", c as u32);
    }
}

fn push_set(out: &mut String, set: &ClassUnicode) {
    if set.ranges().is_empty() {
        // A class nothing matches, in a form both engines accept.
        out.push_str(r"[a&&b]");
        return;
    }
    out.push('[');
    for r in set.ranges() {
        push_char(out, r.start());
        if r.end() != r.start() {
            out.push('-');
            push_char(out, r.end());
        }
    }
    out.push(']');
}

fn boundary_class() -> String {
    let mut s = String::new();
    push_set(&mut s, &tables().boundary_word);
    s
}

impl Emitter<'_> {
    fn emit(&mut self, n: &Node, out: &mut String) -> Result<(), PatternError> {
        match n {
            Node::Empty => {}
            Node::Char(c) => push_char(out, *c),
            Node::Set(s) => push_set(out, s),
            Node::Concat(v) => {
                for c in v {
                    self.emit(c, out)?;
                }
            }
            Node::Alt(v) => {
                out.push_str("(?:");
                for (k, c) in v.iter().enumerate() {
                    if k > 0 {
                        out.push('|');
                    }
                    self.emit(c, out)?;
                }
                out.push(')');
            }
            Node::Group(inner, cap) => {
                if matches!(cap, Cap::None) {
                    out.push_str("(?:");
                } else {
                    self.group_index += 1;
                    out.push('(');
                }
                self.emit(inner, out)?;
                out.push(')');
            }
            Node::Repeat {
                node, min, greedy, ..
            } if zero_width(node) => self.emit_repeated_assertion(node, *min, *greedy, out)?,
            Node::Repeat {
                node,
                min,
                max,
                greedy,
            } => self.emit_repeat(node, *min, *max, *greedy, out)?,
            Node::Look {
                behind,
                negate,
                node,
            } => {
                self.needs_backtracking.get_or_insert(if *behind {
                    "lookbehind"
                } else {
                    "lookahead"
                });
                out.push_str(match (behind, negate) {
                    (false, false) => "(?=",
                    (false, true) => "(?!",
                    (true, false) => "(?<=",
                    (true, true) => "(?<!",
                });
                self.emit(node, out)?;
                out.push(')');
            }
            Node::Atomic(node) => {
                self.needs_backtracking.get_or_insert("atomic groups");
                out.push_str("(?>");
                self.emit(node, out)?;
                out.push(')');
            }
            Node::Backref(to, ignore_case) => self.emit_backref(to, *ignore_case, out)?,
            Node::Assert(a) => self.emit_anchor(*a, out),
        }
        Ok(())
    }

    /// A quantified assertion: once it has matched, repeating it changes
    /// nothing, so it is the assertion (min ≥ 1) or the assertion or
    /// nothing. fancy-regex refuses to repeat it.
    fn emit_repeated_assertion(
        &mut self,
        node: &Node,
        min: u32,
        greedy: bool,
        out: &mut String,
    ) -> Result<(), PatternError> {
        if captures(node) {
            // .NET's captures from an empty iteration differ from a
            // single pass; found by the oracle, refused like (a|)+.
            self.refused.get_or_insert(EMPTY_ITERATION_CAPTURES);
        }
        out.push_str("(?:");
        match (min, greedy) {
            (0, true) => {
                self.emit(node, out)?;
                out.push('|');
            }
            (0, false) => {
                out.push('|');
                self.emit(node, out)?;
            }
            _ => self.emit(node, out)?,
        }
        out.push(')');
        Ok(())
    }

    fn emit_repeat(
        &mut self,
        node: &Node,
        min: u32,
        max: Option<u32>,
        greedy: bool,
        out: &mut String,
    ) -> Result<(), PatternError> {
        if max.is_none_or(|m| m > 1) && nullable(node) && captures(node) {
            // .NET ends such a loop with one more, empty, iteration
            // that resets the group to ""; an automaton keeps the
            // previous iteration's text. Refuse rather than differ.
            self.refused.get_or_insert(EMPTY_ITERATION_CAPTURES);
        }
        out.push_str("(?:");
        self.emit(node, out)?;
        out.push(')');
        match (min, max) {
            (0, None) => out.push('*'),
            (1, None) => out.push('+'),
            (0, Some(1)) => out.push('?'),
            (m, None) => {
                let _ = write!(out, "{{{m},}}");
            }
            (m, Some(x)) => {
                let _ = write!(out, "{{{m},{x}}}");
            }
        }
        if !greedy {
            out.push('?');
        }
        Ok(())
    }

    /// The automaton's group numbers (1-based) that a .NET backreference
    /// target names: more than one when .NET reuses a number or name.
    fn backref_targets(&self, to: &BackrefTo) -> (Option<u32>, Vec<usize>) {
        let number = match to {
            BackrefTo::Number(k) => Some(*k),
            BackrefTo::NumberOrOctal(k, _) => Some(*k),
            BackrefTo::Name(name) => self
                .numbering
                .names
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, k)| *k),
        };
        let indices = number
            .map(|k| {
                self.numbering
                    .groups
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| **g == k)
                    .map(|(i, _)| i + 1)
                    .collect()
            })
            .unwrap_or_default();
        (number, indices)
    }

    fn emit_backref(
        &mut self,
        to: &BackrefTo,
        ignore_case: bool,
        out: &mut String,
    ) -> Result<(), PatternError> {
        self.needs_backtracking.get_or_insert("backreferences");
        let (number, indices) = self.backref_targets(to);
        match (indices.as_slice(), to) {
            ([], BackrefTo::NumberOrOctal(_, c)) => push_char(out, *c),
            ([], BackrefTo::Name(name)) => {
                return Err(invalid(
                    0,
                    format!("reference to undefined group name {name}"),
                ))
            }
            ([], _) => {
                return Err(invalid(
                    0,
                    format!(
                        "reference to undefined group number {}",
                        number.unwrap_or(0)
                    ),
                ))
            }
            ([_, _, ..], _) => {
                self.refused
                    .get_or_insert("a backreference to a group defined more than once");
            }
            ([one], _) => {
                if ignore_case {
                    self.refused
                        .get_or_insert("case-insensitive backreferences");
                }
                let _ = write!(out, "\\{one}");
            }
        }
        Ok(())
    }

    fn emit_anchor(&mut self, a: Anchor, out: &mut String) {
        match a {
            Anchor::Beginning => out.push_str(r"\A"),
            Anchor::End => out.push_str(r"\z"),
            Anchor::LineStart => out.push_str("(?m:^)"),
            Anchor::LineEnd => out.push_str("(?m:$)"),
            Anchor::EndOrFinalNewline => {
                self.uses_final_newline = true;
                out.push_str(if self.exact { r"(?=\n?\z)" } else { r"\z" });
            }
            Anchor::SearchStart => {
                self.needs_backtracking.get_or_insert("the \\G anchor");
                out.push_str(r"\G");
            }
            Anchor::Boundary | Anchor::NonBoundary => {
                self.uses_boundary = true;
                if self.exact {
                    let w = boundary_class();
                    if a == Anchor::Boundary {
                        let _ = write!(out, "(?:(?<={w})(?!{w})|(?<!{w})(?={w}))");
                    } else {
                        let _ = write!(out, "(?:(?<={w})(?={w})|(?<!{w})(?!{w}))");
                    }
                } else {
                    out.push_str(if a == Anchor::Boundary { r"\b" } else { r"\B" });
                }
            }
        }
    }
}

/// Whether a node can match the empty string.
fn nullable(n: &Node) -> bool {
    match n {
        Node::Empty | Node::Assert(_) | Node::Look { .. } | Node::Backref(..) => true,
        Node::Char(_) | Node::Set(_) => false,
        Node::Group(inner, _) | Node::Atomic(inner) => nullable(inner),
        Node::Concat(v) => v.iter().all(nullable),
        Node::Alt(v) => v.iter().any(nullable),
        Node::Repeat { node, min, .. } => *min == 0 || nullable(node),
    }
}

/// Whether a node holds a capturing group.
fn captures(n: &Node) -> bool {
    match n {
        Node::Group(_, cap) if !matches!(cap, Cap::None) => true,
        Node::Group(inner, _) | Node::Atomic(inner) => captures(inner),
        Node::Look { node, .. } | Node::Repeat { node, .. } => captures(node),
        Node::Concat(v) | Node::Alt(v) => v.iter().any(captures),
        _ => false,
    }
}

/// Whether a node only ever matches the empty string at its position.
fn zero_width(n: &Node) -> bool {
    match n {
        Node::Empty | Node::Assert(_) | Node::Look { .. } => true,
        Node::Group(inner, _) | Node::Atomic(inner) => zero_width(inner),
        Node::Concat(v) | Node::Alt(v) => v.iter().all(zero_width),
        Node::Repeat { node, .. } => zero_width(node),
        _ => false,
    }
}

/// The pattern's size once its counted repetitions are unrolled: the
/// automaton's work per character of the value grows with it.
fn weight(n: &Node) -> u64 {
    match n {
        Node::Empty | Node::Assert(_) | Node::Backref(..) => 1,
        Node::Char(_) | Node::Set(_) => 1,
        Node::Concat(v) | Node::Alt(v) => v.iter().map(weight).fold(1, u64::saturating_add),
        Node::Group(n, _) | Node::Atomic(n) | Node::Look { node: n, .. } => weight(n),
        Node::Repeat { node, min, max, .. } => {
            let copies = (*max).unwrap_or(*min).max(*min).max(1) as u64 + u64::from(max.is_none());
            weight(node).saturating_mul(copies)
        }
    }
}

/// An engine refusing the translated pattern: in practice its size limit
/// (`(a{1000}){1000}`), which .NET does not have. Reported as an invalid
/// pattern that names the limit, since no rewrite of the same pattern helps.
fn build_error(e: impl std::fmt::Display) -> PatternError {
    let text = e.to_string();
    let one_line: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    PatternError::Invalid(format!(
        "attrmap cannot compile it within its limits: {}",
        one_line.join(" ")
    ))
}

impl DotnetRegex {
    /// Parses and compiles a .NET pattern (RegexOptions.None).
    pub fn new(pattern: &str) -> Result<Self, PatternError> {
        let units: Vec<char> = to_units(pattern).chars().collect();
        let mut parser = Parser {
            p: units,
            i: 0,
            depth: 0,
        };
        let root = parser.alternation(Opts::default())?;
        if parser.i < parser.p.len() {
            return Err(invalid(parser.i, "too many )"));
        }
        let numbering = number_groups(&root);
        let mut exact = Emitter {
            numbering: &numbering,
            exact: true,
            needs_backtracking: None,
            uses_final_newline: false,
            uses_boundary: false,
            refused: None,
            group_index: 0,
        };
        let mut exact_pattern = String::new();
        exact.emit(&root, &mut exact_pattern)?;
        if let Some(feature) = exact.refused {
            return Err(unsupported(feature));
        }
        let fast = if exact.needs_backtracking.is_none() {
            let mut e = Emitter {
                numbering: &numbering,
                exact: false,
                needs_backtracking: None,
                uses_final_newline: false,
                uses_boundary: false,
                refused: None,
                group_index: 0,
            };
            let mut p = String::new();
            e.emit(&root, &mut p)?;
            Some(
                regex::RegexBuilder::new(&p)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .dfa_size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(build_error)?,
            )
        } else {
            None
        };
        let mut numbers: Vec<(u32, Vec<usize>)> = vec![(0, vec![0])];
        for (i, &k) in numbering.groups.iter().enumerate() {
            match numbers.iter_mut().find(|(n, _)| *n == k) {
                Some((_, v)) => v.push(i + 1),
                None => numbers.push((k, vec![i + 1])),
            }
        }
        numbers.sort_by_key(|(n, _)| *n);
        let re = DotnetRegex {
            fast,
            exact_pattern,
            exact: OnceCell::new(),
            fast_misses_final_newline: exact.uses_final_newline,
            fast_uses_rust_boundary: exact.uses_boundary,
            weight: weight(&root),
            numbers,
            names: numbering.names,
        };
        if re.fast.is_none() {
            // Patterns that always need the backtracker are checked now, so a
            // constant pattern's problem is a compile-time error.
            re.exact().map_err(|e| {
                PatternError::Unsupported(format!(
                    "a construct attrmap's backtracking engine cannot run ({e})"
                ))
            })?;
        }
        Ok(re)
    }

    fn exact(&self) -> Result<&fancy_regex::Regex, String> {
        self.exact
            .get_or_init(|| {
                fancy_regex::RegexBuilder::new(&self.exact_pattern)
                    .backtrack_limit(BACKTRACK_LIMIT)
                    // So that \G can be switched off after an empty match.
                    .allow_input_assertion_overrides(true)
                    .delegate_size_limit(REGEX_SIZE_LIMIT)
                    .delegate_dfa_size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Refuses a search whose estimated work is past [`WORK_LIMIT`].
    pub fn check_work(&self, text: &str) -> Result<(), RunError> {
        let work = self.weight.saturating_mul(text.len() as u64);
        if work > WORK_LIMIT {
            return Err(RunError(format!(
                "the pattern (size {}) on a value of {} bytes is too much work ({} units, the limit is {WORK_LIMIT}); shorten the value or simplify the pattern",
                self.weight,
                text.len(),
                work
            )));
        }
        Ok(())
    }

    fn fast_is_exact_on(&self, text: &str) -> bool {
        if self.fast_misses_final_newline && text.ends_with('\n') {
            return false;
        }
        if self.fast_uses_rust_boundary && !text.is_ascii() {
            let d = &tables().word_divergence;
            if text.chars().any(|c| contains(d, c)) {
                return false;
            }
        }
        true
    }

    /// The first match starting at or after `start` (a char boundary of the
    /// code-unit view `text`), with text before `start` seen by anchors and
    /// lookbehinds. `\G` matches at `start` unless `after_empty`: .NET's `\G`
    /// is where the previous match ended, and after an empty match the search
    /// starts one code unit past it, so `\G` cannot match.
    fn captures_at(
        &self,
        text: &str,
        start: usize,
        after_empty: bool,
    ) -> Result<Option<Captures>, RunError> {
        if let Some(fast) = self.fast.as_ref().filter(|_| self.fast_is_exact_on(text)) {
            return Ok(fast.captures_at(text, start).map(|c| Captures {
                spans: c.iter().map(|m| m.map(|m| m.range())).collect(),
            }));
        }
        let exact = self.exact().map_err(RunError)?;
        let input = fancy_regex::RegexInput::new(text)
            .from_pos(start)
            .continue_from_previous_match_end(!after_empty);
        match exact.captures_input(input) {
            Ok(Some(c)) => Ok(Some(Captures {
                spans: c.iter().map(|m| m.map(|m| m.range())).collect(),
            })),
            Ok(None) => Ok(None),
            Err(fancy_regex::Error::RuntimeError(fancy_regex::RuntimeError::BacktrackLimitExceeded)) => Err(RunError(format!(
                "the pattern needed more than {BACKTRACK_LIMIT} backtracking steps on this value; simplify it (nested or adjacent quantifiers on the same characters backtrack exponentially)"
            ))),
            Err(e) => Err(RunError(format!("the pattern could not run: {e}"))),
        }
    }

    /// Calls `f` on each match, iterating as .NET's Regex.Replace does: after
    /// a match the next search starts where it ended, and after an empty
    /// match one code unit further (so an empty match may directly follow a
    /// non-empty one).
    pub fn for_each_match(
        &self,
        text: &str,
        mut f: impl FnMut(&Captures) -> bool,
    ) -> Result<(), RunError> {
        self.check_work(text)?;
        let (mut pos, mut after_empty) = (0, false);
        while pos <= text.len() {
            let Some(c) = self.captures_at(text, pos, after_empty)? else {
                break;
            };
            let whole = c.whole();
            if !f(&c) {
                break;
            }
            after_empty = whole.is_empty();
            if whole.is_empty() {
                match text[whole.end..].chars().next() {
                    Some(ch) => pos = whole.end + ch.len_utf8(),
                    None => break,
                }
            } else {
                pos = whole.end;
            }
        }
        Ok(())
    }

    /// The first match, if any.
    pub fn first_match(&self, text: &str) -> Result<Option<Captures>, RunError> {
        self.check_work(text)?;
        self.captures_at(text, 0, false)
    }

    /// Whether group number `n` exists (.NET's IsCaptureSlot).
    pub fn has_group(&self, n: u32) -> bool {
        self.numbers.iter().any(|(k, _)| *k == n)
    }

    /// The number of a group by name, as .NET's `Match.Groups[string]`: a
    /// group's name, or the decimal number of a group that has no other name
    /// (a named group's number does not find it: `(?<m>a)` is not "1").
    pub fn group_number(&self, name: &str) -> Option<u32> {
        if let Some((_, k)) = self.names.iter().find(|(n, _)| n == name) {
            return Some(*k);
        }
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
            let k: u32 = name.parse().ok()?;
            let named = self.names.iter().any(|(_, n)| *n == k);
            return (self.has_group(k) && !named).then_some(k);
        }
        None
    }

    /// Whether `name` names a group (not a number).
    pub fn has_name(&self, name: &str) -> bool {
        self.names.iter().any(|(n, _)| n == name)
    }

    /// The highest group number (`$+` is that group).
    pub fn last_group(&self) -> u32 {
        self.numbers.last().map_or(0, |(k, _)| *k)
    }

    /// The span of .NET group `n` in a match, if it took part. A number
    /// carried by several groups takes the last one that matched.
    pub fn group(&self, caps: &Captures, n: u32) -> Option<Range<usize>> {
        let (_, idx) = self.numbers.iter().find(|(k, _)| *k == n)?;
        idx.iter()
            .rev()
            .find_map(|&i| caps.spans.get(i).cloned().flatten())
    }
}

/// A .NET word character (`\w`), which is also what may appear in a group name.
pub fn is_word_char(c: char) -> bool {
    contains(&tables().word, c)
}
