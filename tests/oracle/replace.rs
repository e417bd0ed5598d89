//! The `replace_*` families: attrmap's Replace in its three regex modes
//! against .NET's Regex (tests/oracle/Replace.cs), on patterns drawn from a
//! seeded generator over .NET regex syntax and on every pattern of
//! Microsoft's published expressions (tests/data/ms-expressions.json).

use super::client::{case_count, oracle, Answer};
use attrmap::eval::{Context, Outcome};
use attrmap::value::Value;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Characters the inputs are drawn from: ASCII that patterns name, and the
/// places .NET and Rust could part: case pairs with odd lowercase mappings
/// (Kelvin sign, long s, dotted and dotless i, final sigma, sharp s), marks
/// (non-spacing and spacing), letter numbers, non-ASCII digits, non-BMP
/// characters (two UTF-16 code units in .NET), ZWJ, NBSP, line separators.
const ALPHABET: &[&str] = &[
    "a", "b", "c", "x", "y", "A", "B", "X", "1", "2", "0", " ", " ", "-", "_", ".", "@", "+", "(",
    ")", "<", ">", "$", "{", "}", "\n", "\r", "\t", "é", "É", "ß", "ẞ", "İ", "ı", "i", "I", "ſ",
    "s", "S", "\u{212A}", "k", "K", "Σ", "σ", "ς", "ж", "Ж", "ω", "中", "٣", "١", "\u{0301}",
    "\u{0903}", "\u{2160}", "😀", "𝐀", "\u{200D}", "\u{200C}", "\u{A0}", "\u{2028}", "\u{85}", "ǅ",
    "ǆ", "Ǆ",
];

/// Literal pieces of patterns: ordinary characters, .NET escapes of
/// non-alphanumerics (literal in .NET), braces that are not quantifiers.
const LITERALS: &[&str] = &[
    "a", "b", "c", "x", "A", "1", " ", "é", "É", "ß", "K", "k", "İ", "i", "ı", "s", "Σ", "σ", "ж",
    "😀", "-", "_", "@", r"\.", r"\+", r"\(", r"\)", r"\<", r"\>", r"\'", "\\\"", r"\#", r"\@",
    r"\ ", r"\-", r"\$", r"\^", r"\{", r"\}", r"\\", "{", "}", "a{", "{x}", "a{2", "{,3}", r"\n",
    r"\t", r"\x41", r"\u00e9", r"\0", r"\101", ",", "\n",
];

/// Single-character classes and class escapes.
const CLASSES: &[&str] = &[
    ".",
    r"\w",
    r"\W",
    r"\s",
    r"\S",
    r"\d",
    r"\D",
    r"\p{L}",
    r"\p{Lu}",
    r"\p{Ll}",
    r"\P{L}",
    r"\p{Nd}",
    r"\p{Mn}",
    r"\p{Cs}",
    r"\p{Co}",
    r"\p{Zs}",
    "[abc]",
    "[^abc]",
    "[a-z]",
    "[^a-z]",
    "[A-Z]",
    "[a-z-[aeiou]]",
    r"[\w-]",
    r"[\w.-]",
    r"[\d\s]",
    r"[^\s]",
    r"[()\s-]",
    "[]a]",
    "[a-]",
    r"[\-x]",
    r"[\]]",
    r"[\b]",
    "[é-ü]",
    "[Σσ]",
    r"[\p{L}-[a-z]]",
    "[^a-z-[0-9]]",
    "[😀]",
    "[K]",
    "[k]",
    "[ſ]",
    "[İ]",
    r"[\x41-\x43]",
];

const ANCHORS: &[&str] = &["^", "$", r"\A", r"\z", r"\Z", r"\b", r"\B", r"\G"];

const QUANTIFIERS: &[&str] = &[
    "*", "+", "?", "*?", "+?", "??", "{2}", "{1,}", "{0,2}", "{1,3}?", "{2,}?", "{0}",
];

const REPLACEMENTS: &[&str] = &[
    "X", "", "-", "$1", "$2", "$0", "$10", "$01", "${n}", "${m}", "${1}", "${2}", "${nope}", "$$",
    "$&", "$`", "$'", "$+", "$_", "$", "$x", "[$1]", "<$&>", "${", "$${n}", "é😀",
];

/// Patterns aimed at known differences between backtracking engines and
/// automata: captures in loops whose iterations match empty, alternations
/// with empty branches, anchors around final newlines, case folding.
const TRICKY: &[&str] = &[
    "(a*)+",
    "(a*)*",
    "(a|)+",
    "(a*)*?",
    "(a?)+?",
    "(a*){1,3}?",
    "(){1,3}",
    "(x*){2}",
    "(a|ab)(c|bcd)(d*)",
    "(a+|b*)+",
    "(a*|b)*c?",
    "((a)|b)+",
    "(?:(a)|b)+",
    "(a)|b",
    "$",
    "^",
    "(?m)$",
    "(?m)^",
    r"\Z",
    r"\z",
    r"a$",
    r"
$",
    r".$",
    "(?s).$",
    r"",
    r"\B",
    r"\w+",
    r"\W+",
    "(?i)k",
    "(?i)K",
    "(?i)s",
    "(?i)i",
    "(?i)[a-z]+",
    "(?i)[^a-z]",
    r"(?i)\p{Lu}",
    r"(?i)\p{Ll}",
    "(?i)σ",
    "(?i)ß",
    "(?i)ǅ",
    ".",
    "..",
    "[^a]",
    r"\D",
    r"\S",
    "x*",
    "(?<n>a)(b)",
    "(?<2>a)(b)(c)",
    "(?<n>a)|(?<n>b)",
    "(?n)(a)(?<m>b)",
    "(?x) a b # c",
];

const GROUP_NAMES: &[&str] = &["n", "m", "1", "2", "0", "nope"];

struct Gen {
    rng: StdRng,
    /// Groups opened so far (for backreferences).
    groups: usize,
    named: bool,
}

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.gen_range(0..xs.len())]
    }

    fn pattern(&mut self, depth: u32) -> String {
        let n = self.rng.gen_range(1..=3);
        let mut out = String::new();
        for k in 0..n {
            if k > 0 && self.rng.gen_ratio(1, 8) {
                out.push('|');
            }
            out.push_str(&self.piece(depth));
        }
        out
    }

    fn piece(&mut self, depth: u32) -> String {
        let atom = match self.rng.gen_range(0..20) {
            0..=5 => self.pick(LITERALS).to_string(),
            6..=9 => self.pick(CLASSES).to_string(),
            10..=11 => return self.pick(ANCHORS).to_string(),
            12..=16 if depth < 3 => self.group(depth),
            17 if self.groups > 0 => {
                let g = self.rng.gen_range(1..=self.groups);
                match self.rng.gen_range(0..3) {
                    0 if self.named => r"\k<n>".to_string(),
                    1 => format!(r"\k<{g}>"),
                    _ => format!(r"\{g}"),
                }
            }
            _ => self.pick(LITERALS).to_string(),
        };
        if self.rng.gen_ratio(1, 3) {
            format!("{atom}{}", self.pick(QUANTIFIERS))
        } else {
            atom
        }
    }

    fn group(&mut self, depth: u32) -> String {
        let kind = self.rng.gen_range(0..18);
        let open = match kind {
            0..=4 => {
                self.groups += 1;
                "(".to_string()
            }
            5 => "(?:".into(),
            6 | 7 => {
                self.groups += 1;
                self.named = true;
                let name = if self.rng.gen_bool(0.5) { "n" } else { "m" };
                if self.rng.gen_bool(0.5) {
                    format!("(?<{name}>")
                } else {
                    format!("(?'{name}'")
                }
            }
            8 => {
                self.groups += 1;
                "(?<2>".into()
            }
            9 => "(?i:".into(),
            10 => "(?-i:".into(),
            11 => "(?=".into(),
            12 => "(?!".into(),
            13 => "(?<=".into(),
            14 => "(?<!".into(),
            15 => "(?>".into(),
            16 => {
                return self
                    .pick(&[
                        "(?i)", "(?m)", "(?s)", "(?n)", "(?x)", "(?#note)", "(?im-s)",
                    ])
                    .to_string()
            }
            _ => "(?n:".into(),
        };
        format!("{open}{})", self.pattern(depth + 1))
    }

    fn input(&mut self) -> String {
        let n = self.rng.gen_range(0..=10);
        (0..n).map(|_| self.pick(ALPHABET)).collect()
    }
}

/// What attrmap answered, in the oracle's terms: a value, null, or an
/// error with its code.
#[derive(Debug)]
enum Ours {
    Value(Option<String>),
    Error(&'static str, #[allow(dead_code)] String),
}

fn run(expr: &attrmap::Expression, record: serde_json::Value) -> Ours {
    let mut ctx = Context::new();
    match expr.evaluate(&record, &mut ctx) {
        Ok(Outcome::Value(Value::Null)) => Ours::Value(None),
        Ok(Outcome::Value(v)) => Ours::Value(Some(v.to_text().into_owned())),
        Ok(other) => Ours::Error("outcome", format!("{other:?}")),
        Err(e) => Ours::Error(e.code.as_str(), e.message),
    }
}

/// Patterns of every `Replace` in Microsoft's published expressions.
fn published_patterns() -> Vec<String> {
    let corpus: serde_json::Value =
        serde_json::from_str(include_str!("../data/ms-expressions.json")).unwrap();
    let mut out = Vec::new();
    for e in corpus["expressions"].as_array().unwrap() {
        let text = e["expression"].as_str().unwrap();
        let Ok(parsed) = attrmap::syntax::parse(text, &attrmap::Limits::default()) else {
            continue;
        };
        parsed.walk(&mut |e, _| {
            if let attrmap::syntax::ExprKind::Call(c) = &e.kind {
                if c.name.eq_ignore_ascii_case("Replace") {
                    if let Some(p) = c
                        .args
                        .get(2)
                        .and_then(|a| a.expr.as_ref())
                        .and_then(|e| e.as_str_literal())
                    {
                        out.push(p.to_string());
                    }
                }
            }
        });
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn replace_agrees_with_dotnet() {
    let Some(o) = oracle() else { return };
    let started = std::time::Instant::now();
    let count = case_count(3000);
    let mut gen = Gen {
        rng: StdRng::seed_from_u64(0x5EED_0013),
        groups: 0,
        named: false,
    };
    let mut patterns: Vec<String> = published_patterns();
    let published = patterns.len();
    // Each tricky pattern on several random values.
    for _ in 0..8 {
        patterns.extend(TRICKY.iter().map(|p| p.to_string()));
    }
    while patterns.len() < published + count {
        gen.groups = 0;
        gen.named = false;
        let p = gen.pattern(0);
        patterns.push(p);
    }
    let regex_mode = attrmap::compile("Replace([s], , [p], , [r], , )").unwrap();
    let group_mode = attrmap::compile("Replace([s], , [p], [g], [r], , )").unwrap();
    let extract_mode = attrmap::compile("Replace([e], , [p], [g], , [s], )").unwrap();

    let mut cases: Vec<Vec<String>> = Vec::new();
    for (k, p) in patterns.iter().enumerate() {
        // Published patterns on inputs that look like the values they were
        // written for, as well as random ones.
        let s = if k < published {
            gen.pick(&[
                "+91 9998887777",
                "545 Tremont Street",
                "jsmith@contoso.com",
                "+1 (999) 888-7777",
                "john_doe72",
                "Zoë Müller-Łukasz",
                "",
            ])
            .to_string()
        } else {
            gen.input()
        };
        let g = gen.pick(GROUP_NAMES).to_string();
        cases.push(match k % 3 {
            0 | 1 if k % 5 != 4 => vec![
                "replace_regex".into(),
                s,
                p.clone(),
                gen.pick(REPLACEMENTS).to_string(),
            ],
            0 | 1 => vec![
                "replace_group".into(),
                s,
                p.clone(),
                g,
                gen.pick(REPLACEMENTS).to_string(),
            ],
            _ => vec!["replace_extract".into(), s, p.clone(), g],
        });
    }
    let answers = o.ask(&cases);
    // Characters Mono lowercases differently from Unicode's simple mapping
    // (which current .NET, on ICU, and attrmap follow): titlecase letters,
    // the Kelvin sign, capital sharp s, … Case-insensitive cases on values
    // holding one are Mono's table against .NET's, not attrmap's to settle.
    let alphabet: String = ALPHABET.concat();
    let Answer::Ok(mono_lower) = &o.ask(&[vec!["lower_units".into(), alphabet.clone()]])[0] else {
        panic!("lower_units answered an error")
    };
    let mono_casing_differs: Vec<char> = alphabet
        .chars()
        .zip(mono_lower.chars())
        .filter(|&(c, mono)| {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(u), None) => u != mono,
                _ => false,
            }
        })
        .map(|(c, _)| c)
        .collect();
    let case_insensitive = |p: &str| {
        p.match_indices("(?").any(|(i, _)| {
            p[i + 2..]
                .chars()
                .take_while(|c| "imnsx".contains(*c))
                .any(|c| c == 'i')
        })
    };
    let mut mono_casing = 0;
    let (mut agreed, mut refused, mut timed_out, mut dotnet_failed) = (0, 0, 0, 0);
    let mut disagreements = Vec::new();
    for (case, answer) in cases.iter().zip(&answers) {
        let ours = match case[0].as_str() {
            "replace_regex" => run(
                &regex_mode,
                serde_json::json!({"s": case[1], "p": case[2], "r": case[3]}),
            ),
            "replace_group" => run(
                &group_mode,
                serde_json::json!({"s": case[1], "p": case[2], "g": case[3], "r": case[4]}),
            ),
            _ => run(
                &extract_mode,
                serde_json::json!({"e": "", "s": case[1], "p": case[2], "g": case[3]}),
            ),
        };
        if case_insensitive(&case[2])
            && (case[1].chars().chain(case[2].chars())).any(|c| mono_casing_differs.contains(&c))
        {
            mono_casing += 1;
            continue;
        }
        let agrees = match (&ours, answer) {
            (_, Answer::Err(e)) if e.starts_with("RegexMatchTimeoutException") => {
                timed_out += 1;
                continue;
            }
            // Mono's engine failing inside itself (IndexOutOfRangeException on
            // some quantified nested lookarounds): no answer to compare with.
            // Listed in docs/semantics.md.
            (_, Answer::Err(e)) if !e.starts_with("ArgumentException") => {
                dotnet_failed += 1;
                continue;
            }
            (Ours::Value(Some(a)), Answer::Ok(b)) => a == b,
            (Ours::Value(None), Answer::Null) => true,
            // .NET rejects the pattern (or the replacement): so must we.
            (Ours::Error(code, _), Answer::Err(e)) => {
                e.starts_with("ArgumentException")
                    && (*code == "attrmap::eval::invalid-regex"
                        || *code == "attrmap::eval::invalid-substitution")
            }
            // A construct .NET runs and attrmap refuses by name, or a bound.
            (Ours::Error(code, _), Answer::Ok(_) | Answer::Null)
                if *code == "attrmap::eval::unsupported-regex-feature"
                    || *code == "attrmap::eval::regex-limit" =>
            {
                refused += 1;
                continue;
            }
            _ => false,
        };
        if agrees {
            agreed += 1;
        } else {
            disagreements.push(format!(
                "{case:?}\n    .NET:    {answer:?}\n    attrmap: {ours:?}"
            ));
        }
    }
    eprintln!(
        "oracle: replace: {} cases ({published} published patterns), {agreed} agree, {refused} refused by name, {timed_out} timed out in .NET, {dotnet_failed} failed inside Mono, {mono_casing} skipped for Mono's casing table ({mono_casing_differs:?}), {} disagree, {:.1}s",
        cases.len(),
        disagreements.len(),
        started.elapsed().as_secs_f64()
    );
    for d in disagreements.iter().take(40) {
        eprintln!("  {d}");
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements with .NET",
        disagreements.len()
    );
}
