//! .NET custom date and time format strings, for FormatDateTime: one
//! tokenizer, used both to parse (ParseExact) and to render (ToString).
//!
//! Supported: yyyy yyy yy y, MMMM MMM MM M, dddd ddd dd d, HH H hh h, mm m,
//! ss s, f…fffffff, F…FFFFFFF, tt t, zzz zz z, K, 'quoted' and "quoted"
//! literals, `\` escapes, `%` single-specifier prefix, and the standard
//! one-letter formats d D f F g G M O/o R/r s t T u Y. Everything else is a
//! literal character (so the `Z` of `yyyyMMddHHmmss.fZ` is literal, as in .NET).

use crate::bytecode::FxBuild;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Year(usize),
    Month(usize),
    Day(usize),
    Hour24(usize),
    Hour12(usize),
    Minute(usize),
    Second(usize),
    /// `f` (exact digits) or `F` (optional digits), with the count.
    Fraction {
        digits: usize,
        optional: bool,
    },
    AmPm(usize),
    Offset(usize),
    Kind,
    /// `g`, `gg`…: the era, `A.D.` in the invariant culture.
    Era,
    /// An unquoted `Z`: a literal `Z` when rendering, but when parsing .NET
    /// reads it as "this is UTC" and accepts `Z` or `GMT` in any case.
    UtcDesignator,
    Literal(String),
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Expands a one-letter standard format (invariant culture) to its custom pattern.
fn standard(format: &str) -> Option<&'static str> {
    Some(match format {
        "d" => "MM/dd/yyyy",
        "D" => "dddd, dd MMMM yyyy",
        "f" => "dddd, dd MMMM yyyy HH:mm",
        "F" => "dddd, dd MMMM yyyy HH:mm:ss",
        "g" => "MM/dd/yyyy HH:mm",
        "G" => "MM/dd/yyyy HH:mm:ss",
        "M" | "m" => "MMMM dd",
        "O" | "o" => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        "R" | "r" => "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        "s" => "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        "t" => "HH:mm",
        "T" => "HH:mm:ss",
        "u" => "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        "U" => "dddd, dd MMMM yyyy HH:mm:ss",
        "Y" | "y" => "yyyy MMMM",
        _ => return None,
    })
}

/// Splits an output format into tokens, or says what is wrong with it.
pub fn tokenize(format: &str) -> Result<Vec<Token>, String> {
    tokenize_as(format, false)
}

/// Splits an input format into tokens. The one difference from an output
/// format is `%`: ParseExact only skips it (`%yy` reads a two-digit year),
/// where ToString makes `%y` a format of its own.
pub fn tokenize_input(format: &str) -> Result<Vec<Token>, String> {
    tokenize_as(format, true)
}

/// Formats tokenized per thread; past this many of one kind the cache
/// starts over, so formats read from records cannot grow it without bound.
const CACHE_CAPACITY: usize = 256;

type TokenCache = HashMap<Box<str>, Rc<[Token]>, FxBuild>;

thread_local! {
    /// Output formats (index 0) and input formats (index 1), which tokenize
    /// differently. A mapping's formats are constants, so each is tokenized
    /// once per thread instead of once per record.
    static CACHE: RefCell<[TokenCache; 2]> = RefCell::default();
}

/// [`tokenize`] (`parsing` false) or [`tokenize_input`] (true), remembered
/// per thread. A format that does not tokenize is not remembered: its error
/// is rebuilt each time, as it is rare.
pub fn cached_tokens(format: &str, parsing: bool) -> Result<Rc<[Token]>, String> {
    let kind = usize::from(parsing);
    if let Some(t) = CACHE.with(|c| c.borrow()[kind].get(format).cloned()) {
        return Ok(t);
    }
    let tokens: Rc<[Token]> = tokenize_as(format, parsing)?.into();
    CACHE.with(|c| {
        let cache = &mut c.borrow_mut()[kind];
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(format.into(), tokens.clone());
    });
    Ok(tokens)
}

fn tokenize_as(format: &str, parsing: bool) -> Result<Vec<Token>, String> {
    if format.is_empty() {
        return Err("the format is empty".into());
    }
    let format = if format.chars().count() == 1 {
        match standard(format) {
            Some(s) => s,
            None => return Err(format!("\"{format}\" is not a standard date and time format; custom formats need at least two characters, or a % prefix (\"%{format}\")")),
        }
    } else {
        format
    };
    let chars: Vec<char> = format.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    let push_lit = |out: &mut Vec<Token>, c: char| match out.last_mut() {
        Some(Token::Literal(l)) => l.push(c),
        _ => out.push(Token::Literal(c.to_string())),
    };
    while i < chars.len() {
        let c = chars[i];
        if is_specifier(c) {
            // The run is measured once and skipped whole, so a long run costs
            // its length, not its length squared.
            let run = chars[i..].iter().take_while(|&&x| x == c).count();
            out.push(specifier(c, run)?);
            i += if matches!(c, 'K' | 'Z') { 1 } else { run };
            continue;
        }
        match c {
            '\'' | '"' => {
                let close = chars[i + 1..].iter().position(|&x| x == c).ok_or_else(|| {
                    format!(
                        "the quoted literal starting at position {} is never closed",
                        i + 1
                    )
                })?;
                for &l in &chars[i + 1..i + 1 + close] {
                    push_lit(&mut out, l);
                }
                i += close + 2;
            }
            '\\' => {
                let next = *chars
                    .get(i + 1)
                    .ok_or("the format ends with a lone \\ escape")?;
                push_lit(&mut out, next);
                i += 2;
            }
            '%' => {
                // `%x` is the one-letter custom format `x`, whatever follows it.
                match chars.get(i + 1) {
                    Some(&n) if parsing && n != '%' => {
                        i += 1;
                        continue;
                    }
                    Some(&n) if is_specifier(n) => out.push(specifier(n, 1)?),
                    Some(&n) if n != '%' => push_lit(&mut out, n),
                    _ => return Err("% must be followed by a single format specifier".into()),
                }
                i += 2;
            }
            other => {
                push_lit(&mut out, other);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn is_specifier(c: char) -> bool {
    matches!(
        c,
        'y' | 'M' | 'd' | 'H' | 'h' | 'm' | 's' | 'f' | 'F' | 't' | 'z' | 'K' | 'g' | 'Z'
    )
}

/// The token for a run of `run` copies of the specifier letter `c`.
fn specifier(c: char, run: usize) -> Result<Token, String> {
    Ok(match c {
        'y' => Token::Year(run),
        'M' => Token::Month(run),
        'd' => Token::Day(run),
        'H' => Token::Hour24(run.min(2)),
        'h' => Token::Hour12(run.min(2)),
        'm' => Token::Minute(run.min(2)),
        's' => Token::Second(run.min(2)),
        'f' | 'F' => {
            if run > 7 {
                return Err(format!(
                    "a run of {run} '{c}' asks for {run} fraction digits; the most is 7"
                ));
            }
            Token::Fraction {
                digits: run,
                optional: c == 'F',
            }
        }
        't' => Token::AmPm(run.min(2)),
        'z' => Token::Offset(run.min(3)),
        'g' => Token::Era,
        'Z' => Token::UtcDesignator,
        _ => Token::Kind,
    })
}

/// DateTimeStyles bits, as .NET numbers them.
pub mod styles {
    pub const ALLOW_LEADING_WHITE: u32 = 1;
    pub const ALLOW_TRAILING_WHITE: u32 = 2;
    pub const ALLOW_INNER_WHITE: u32 = 4;
    pub const NO_CURRENT_DATE_DEFAULT: u32 = 8;
    pub const ADJUST_TO_UNIVERSAL: u32 = 16;
    pub const ASSUME_LOCAL: u32 = 32;
    pub const ASSUME_UNIVERSAL: u32 = 64;
    pub const ROUNDTRIP_KIND: u32 = 128;
    /// The reference's default: RoundtripKind, AllowLeadingWhite, AllowTrailingWhite.
    pub const DEFAULT: u32 = ROUNDTRIP_KIND | ALLOW_LEADING_WHITE | ALLOW_TRAILING_WHITE;
}

/// A parsed DateTime's Kind, which decides what `K` (and `o`) print:
/// nothing, `Z`, or the machine's offset (`+00:00`: Entra runs in UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unspecified,
    Utc,
    Local,
}

fn two_digit_year(y: i64) -> i64 {
    // The invariant culture's TwoDigitYearMax in current .NET is 2049
    // (.NET Framework and Mono: 2029; see docs/semantics.md).
    if y <= 49 {
        2000 + y
    } else {
        1900 + y
    }
}

struct Cursor<'s> {
    s: &'s str,
    pos: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let bytes = self.s.as_bytes();
        let mut n = 0;
        while n < max && self.pos + n < bytes.len() && bytes[self.pos + n].is_ascii_digit() {
            n += 1;
        }
        if n < min || n == 0 {
            return None;
        }
        // Too many digits for an i64 (a long run of y) is no number, as
        // `str::parse` would say.
        let v = bytes[self.pos..self.pos + n]
            .iter()
            .try_fold(0i64, |v, b| {
                v.checked_mul(10)?.checked_add(i64::from(b - b'0'))
            })?;
        self.pos += n;
        Some(v)
    }
    fn skip_white(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }
    fn eat(&mut self, c: char) -> bool {
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }
    fn eat_ignore_case(&mut self, word: &str) -> bool {
        let rest = self.rest();
        if rest.len() >= word.len()
            && rest.is_char_boundary(word.len())
            && rest[..word.len()].eq_ignore_ascii_case(word)
        {
            self.pos += word.len();
            true
        } else {
            false
        }
    }
    fn word(&mut self, words: &[&str], abbreviated: bool) -> Option<usize> {
        for (i, w) in words.iter().enumerate() {
            if self.eat_ignore_case(if abbreviated { &w[..3] } else { w }) {
                return Some(i);
            }
        }
        None
    }
    /// .NET's ParseTimeZoneOffset: `z` takes 1–2 hour digits, `zz` exactly
    /// 2, `zzz` 1–2 hour digits, an optional `:` and 2 minute digits.
    fn offset(&mut self, width: usize) -> Option<i32> {
        let sign = if self.eat('+') {
            1
        } else if self.eat('-') {
            -1
        } else {
            return None;
        };
        let (h, m) = match width {
            1 => (self.digits(1, 2)?, 0),
            2 => (self.digits(2, 2)?, 0),
            _ => {
                let h = self.digits(1, 2)?;
                self.eat(':');
                (h, self.digits(2, 2)?)
            }
        };
        if m >= 60 || h * 60 + m > 14 * 60 {
            return None;
        }
        Some(sign * (h as i32 * 3600 + m as i32 * 60))
    }
}

/// Parses `input` as .NET's `DateTime.ParseExact` does with the invariant
/// culture and the given DateTimeStyles bits, on a machine whose time zone is
/// UTC (as Entra's is). Returns the instant and its Kind. A format without a
/// date takes today's date from `now` (NoCurrentDateDefault: 0001-01-01), as
/// .NET does; `now` is called only then.
pub fn parse_exact(
    input: &str,
    tokens: &[Token],
    style: u32,
    now: impl FnOnce() -> DateTime<Utc>,
) -> Option<(DateTime<Utc>, Kind)> {
    let fields = read_fields(input, tokens, style)?;
    let clock = fields.local_clock(style, now)?;
    instant_for_styles(clock, fields.offset, style)
}

/// What the format's tokens read from the input; a missing date part is
/// `None` so that [`ParsedFields::local_clock`] can default it as .NET does.
#[derive(Default)]
struct ParsedFields {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: i64,
    /// `Some(true)` for PM, from `t`/`tt`.
    pm: Option<bool>,
    /// Whether the hour came from `h`/`hh` (so must be 1–12).
    hour12: bool,
    /// The offset in seconds, and whether it said UTC (`Z`, `GMT`).
    offset: Option<(i32, bool)>,
    /// Days from Sunday, from `ddd`/`dddd`, checked against the date.
    weekday: Option<usize>,
}

/// Reads every token from `input`, which must be consumed whole. Under
/// AllowLeading/TrailingWhite .NET drops white space at the ends of both the
/// input and the format (the first and last literals); AllowInnerWhite skips
/// it before every token and lets a space in a literal match any run.
fn read_fields(input: &str, tokens: &[Token], style: u32) -> Option<ParsedFields> {
    use styles::*;
    let (leading, trailing) = (
        style & ALLOW_LEADING_WHITE != 0,
        style & ALLOW_TRAILING_WHITE != 0,
    );
    let inner = style & ALLOW_INNER_WHITE != 0;
    let mut s = input;
    if leading {
        s = s.trim_start();
    }
    if trailing {
        s = s.trim_end();
    }
    let mut c = Cursor { s, pos: 0 };
    let mut f = ParsedFields::default();
    let last = tokens.len().wrapping_sub(1);
    for (i, t) in tokens.iter().enumerate() {
        if inner {
            c.skip_white();
        }
        // .NET reads `x` as one or two digits, and `xx` as exactly two.
        let width = |n: usize| if n == 1 { (1, 2) } else { (2, 2) };
        match t {
            Token::Year(n) => {
                let (lo, hi) = if *n == 1 { (1, 2) } else { (*n, *n) };
                let y = c.digits(lo, hi)?;
                f.year = Some(if *n <= 2 && y < 100 {
                    two_digit_year(y)
                } else {
                    y
                });
            }
            Token::Month(n) if *n >= 3 => f.month = Some(c.word(&MONTHS, *n == 3)? as i64 + 1),
            Token::Month(n) => f.month = Some(c.digits(width(*n).0, width(*n).1)?),
            Token::Day(n) if *n >= 3 => f.weekday = Some(c.word(&DAYS, *n == 3)?),
            Token::Day(n) => f.day = Some(c.digits(width(*n).0, width(*n).1)?),
            Token::Hour24(n) => f.hour = c.digits(width(*n).0, width(*n).1)?,
            Token::Hour12(n) => {
                f.hour = c.digits(width(*n).0, width(*n).1)?;
                f.hour12 = true;
            }
            Token::Minute(n) => f.minute = c.digits(width(*n).0, width(*n).1)?,
            Token::Second(n) => f.second = c.digits(width(*n).0, width(*n).1)?,
            Token::Fraction { digits, optional } => {
                let start = c.pos;
                let got = c.digits(0, *digits).unwrap_or(0);
                let len = c.pos - start;
                if len < *digits && !optional {
                    return None;
                }
                if len > 0 {
                    f.nanos = got * 10i64.pow(9 - len as u32);
                }
            }
            Token::AmPm(n) => {
                let (am, p) = if *n == 1 { ("A", "P") } else { ("AM", "PM") };
                if c.eat_ignore_case(am) {
                    f.pm = Some(false);
                } else if c.eat_ignore_case(p) {
                    f.pm = Some(true);
                } else {
                    return None;
                }
            }
            Token::Offset(n) => f.offset = Some((c.offset(*n)?, false)),
            Token::Kind => {
                if c.eat('Z') {
                    f.offset = Some((0, true));
                } else if c.rest().starts_with(['+', '-']) {
                    f.offset = Some((c.offset(3)?, false));
                }
            }
            Token::Era => {
                if !(c.eat_ignore_case("A.D.") || c.eat_ignore_case("AD")) {
                    return None;
                }
            }
            Token::UtcDesignator => {
                if !(c.eat_ignore_case("GMT") || c.eat_ignore_case("Z")) {
                    return None;
                }
                f.offset = Some((0, true));
            }
            Token::Literal(l) => {
                let mut l = l.as_str();
                if leading && i == 0 {
                    l = l.trim_start();
                }
                if trailing && i == last {
                    l = l.trim_end();
                }
                for ch in l.chars() {
                    if ch == ' ' && inner {
                        c.skip_white();
                    } else if !c.eat(ch) {
                        return None;
                    }
                }
            }
        }
    }
    if c.pos != c.s.len() {
        return None;
    }
    Some(f)
}

impl ParsedFields {
    /// The wall-clock date and time the fields name: the 12-hour clock
    /// resolved, a missing date taken as .NET's CheckDefaultDateTime does,
    /// and a day name checked against the date.
    fn local_clock(
        &self,
        style: u32,
        now: impl FnOnce() -> DateTime<Utc>,
    ) -> Option<chrono::NaiveDateTime> {
        let mut hour = self.hour;
        if self.hour12 && hour > 12 {
            return None;
        }
        match self.pm {
            Some(_) if hour > 12 => return None,
            Some(true) if hour < 12 => hour += 12,
            Some(false) if hour == 12 => hour = 0,
            _ => {}
        }
        let (year, month, day) = match (self.year, self.month, self.day) {
            (None, None, None) if style & styles::NO_CURRENT_DATE_DEFAULT != 0 => (1, 1, 1),
            (None, None, None) => {
                let today = now().date_naive();
                (
                    i64::from(today.year()),
                    i64::from(today.month()),
                    i64::from(today.day()),
                )
            }
            (Some(y), None, None) => (y, 1, 1),
            (Some(y), m, d) => (y, m.unwrap_or(1), d.unwrap_or(1)),
            (None, m, d) => (
                i64::from(now().date_naive().year()),
                m.unwrap_or(1),
                d.unwrap_or(1),
            ),
        };
        let date = NaiveDate::from_ymd_opt(
            i32::try_from(year).ok()?,
            u32::try_from(month).ok()?,
            u32::try_from(day).ok()?,
        )?;
        if let Some(w) = self.weekday {
            if date.weekday().num_days_from_sunday() as usize != w {
                return None;
            }
        }
        date.and_hms_nano_opt(
            hour as u32,
            self.minute as u32,
            self.second as u32,
            self.nanos as u32,
        )
    }
}

/// What .NET does with the offset the input gave, or its absence, under
/// each style: the instant and its Kind.
fn instant_for_styles(
    clock: chrono::NaiveDateTime,
    offset: Option<(i32, bool)>,
    style: u32,
) -> Option<(DateTime<Utc>, Kind)> {
    use styles::*;
    let (offset, utc) = match offset {
        Some(o) => o,
        None if style & ASSUME_UNIVERSAL != 0 => {
            if style & ADJUST_TO_UNIVERSAL != 0 {
                return Some((Utc.from_utc_datetime(&clock), Kind::Utc));
            }
            (0, false)
        }
        None if style & ASSUME_LOCAL != 0 => {
            let kind = if style & ADJUST_TO_UNIVERSAL != 0 {
                Kind::Utc
            } else {
                Kind::Local
            };
            return Some((Utc.from_utc_datetime(&clock), kind));
        }
        None => return Some((Utc.from_utc_datetime(&clock), Kind::Unspecified)),
    };
    if style & ROUNDTRIP_KIND != 0 && utc {
        return Some((Utc.from_utc_datetime(&clock), Kind::Utc));
    }
    let instant = super::dates::adjust_to_universal(clock, offset)?;
    let kind = if style & ADJUST_TO_UNIVERSAL != 0 {
        Kind::Utc
    } else {
        Kind::Local
    };
    Some((instant, kind))
}

/// Parses with AllowWhiteSpaces, for CDate's `M/d/yyyy h:mm:ss tt` form and
/// the checker's self-test of a format: the instant only.
pub fn parse(input: &str, tokens: &[Token]) -> Option<DateTime<Utc>> {
    use styles::*;
    let style = ALLOW_LEADING_WHITE | ALLOW_TRAILING_WHITE | ALLOW_INNER_WHITE;
    parse_exact(input, tokens, style, sample_instant).map(|(d, _)| d)
}

/// Renders a UTC instant of the given Kind with a custom format (invariant
/// culture, on a machine in UTC). Numbers are written digit by digit rather
/// than through `std::fmt`, and nothing but the result is allocated.
pub fn render(d: &DateTime<Utc>, kind: Kind, tokens: &[Token]) -> String {
    let (date, time) = (d.date_naive(), d.time());
    let mut s = String::with_capacity(32);
    for t in tokens {
        match t {
            Token::Year(n) => push_year(&mut s, date.year(), *n),
            Token::Month(n @ (1 | 2)) => push_number(&mut s, date.month(), *n),
            Token::Month(3) => s.push_str(&MONTHS[date.month0() as usize][..3]),
            Token::Month(_) => s.push_str(MONTHS[date.month0() as usize]),
            Token::Day(n @ (1 | 2)) => push_number(&mut s, date.day(), *n),
            Token::Day(3) => {
                s.push_str(&DAYS[date.weekday().num_days_from_sunday() as usize][..3]);
            }
            Token::Day(_) => s.push_str(DAYS[date.weekday().num_days_from_sunday() as usize]),
            Token::Hour24(n) => push_number(&mut s, time.hour(), *n),
            Token::Hour12(n) => {
                let h = match time.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                push_number(&mut s, h, *n);
            }
            Token::Minute(n) => push_number(&mut s, time.minute(), *n),
            Token::Second(n) => push_number(&mut s, time.second(), *n),
            Token::Fraction { digits, optional } => {
                // The first `digits` of the nine nanosecond digits.
                let mut width = *digits;
                let mut frac = time.nanosecond().min(999_999_999) / 10u32.pow(9 - width as u32);
                if *optional {
                    while width > 0 && frac.is_multiple_of(10) {
                        frac /= 10;
                        width -= 1;
                    }
                    // An all-zero F field also drops the separator before it.
                    if width == 0 && s.ends_with('.') {
                        s.pop();
                    }
                }
                if width > 0 {
                    push_number(&mut s, frac, width);
                }
            }
            Token::AmPm(1) => s.push(if time.hour() < 12 { 'A' } else { 'P' }),
            Token::AmPm(_) => s.push_str(if time.hour() < 12 { "AM" } else { "PM" }),
            // Values are UTC, so every offset renders as zero.
            Token::Offset(1) => s.push_str("+0"),
            Token::Offset(2) => s.push_str("+00"),
            Token::Offset(_) => s.push_str("+00:00"),
            Token::Kind => s.push_str(match kind {
                Kind::Unspecified => "",
                Kind::Utc => "Z",
                Kind::Local => "+00:00",
            }),
            Token::Era => s.push_str("A.D."),
            Token::UtcDesignator => s.push('Z'),
            Token::Literal(l) => s.push_str(l),
        }
    }
    s
}

/// Appends `n` in decimal, zero-padded to at least `width` digits.
fn push_number(s: &mut String, n: u32, width: usize) {
    let mut buf = [0u8; 10];
    let mut at = buf.len();
    let mut n = n;
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let len = buf.len() - at;
    s.extend(std::iter::repeat_n('0', width.saturating_sub(len)));
    s.extend(buf[at..].iter().map(|&b| char::from(b)));
}

/// A year for a run of `n` y's: `y` and `yy` the last two digits (unpadded
/// and padded), longer runs the whole year padded to `n` digits, padded by
/// hand since .NET pads to any width (`yyyyy…` of 65 536 gives 65 536
/// digits) where `{:0width$}` panics above u16::MAX. A year before 1 keeps
/// its sign as Rust's formatting wrote it: after the padding of a long run,
/// within the width of a short one.
fn push_year(s: &mut String, year: i32, n: usize) {
    let shown = if n <= 2 { year % 100 } else { year };
    let sign = usize::from(shown < 0);
    let digits = shown.unsigned_abs();
    if n <= 2 {
        if sign == 1 {
            s.push('-');
        }
        // `{}` and `{:02}`: the sign counts toward the width.
        let width = if n == 1 { 0 } else { 2 - sign };
        push_number(s, digits, width);
        return;
    }
    let len = digits.checked_ilog10().unwrap_or(0) as usize + 1 + sign;
    s.extend(std::iter::repeat_n('0', n.saturating_sub(len)));
    if sign == 1 {
        s.push('-');
    }
    push_number(s, digits, 0);
}

/// A fixed instant used to check that a format can read back what it writes.
pub fn sample_instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 8, 25, 17, 41, 18)
        .single()
        .unwrap_or_default()
        + Duration::milliseconds(123)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(input: &str, fmt: &str) -> Option<String> {
        parse(input, &tokenize(fmt).unwrap()).map(|d| d.to_rfc3339())
    }

    #[test]
    fn parses_compact_formats() {
        assert_eq!(
            p("20150123105347.1Z", "yyyyMMddHHmmss.fZ").as_deref(),
            Some("2015-01-23T10:53:47.100+00:00")
        );
        assert_eq!(
            p("2020-12-31-08:00", "yyyy-MM-ddzzz").as_deref(),
            Some("2020-12-31T08:00:00+00:00")
        );
        assert_eq!(
            p("12/31/2020 11:59:59 PM", "M/d/yyyy hh:mm:ss tt").as_deref(),
            Some("2020-12-31T23:59:59+00:00")
        );
        assert_eq!(
            p("1/2/2020 12:00:00 AM", "M/d/yyyy h:mm:ss tt").as_deref(),
            Some("2020-01-02T00:00:00+00:00")
        );
        assert_eq!(
            p("  2020-01-02  ", "yyyy-MM-dd").as_deref(),
            Some("2020-01-02T00:00:00+00:00")
        );
        assert_eq!(
            p("02 Mar 2021", "dd MMM yyyy").as_deref(),
            Some("2021-03-02T00:00:00+00:00")
        );
        assert_eq!(
            p("210302", "yyMMdd").as_deref(),
            Some("2021-03-02T00:00:00+00:00")
        );
    }

    #[test]
    fn rejects_what_does_not_match() {
        assert_eq!(p("2020-13-01", "yyyy-MM-dd"), None);
        assert_eq!(p("2020-02-30", "yyyy-MM-dd"), None);
        assert_eq!(p("2020-01-01x", "yyyy-MM-dd"), None);
        assert_eq!(p("2020/01/01", "yyyy-MM-dd"), None);
        assert_eq!(p("13:00 PM", "hh:mm tt"), None);
    }

    #[test]
    fn renders_custom_formats() {
        let d = sample_instant();
        let r = |f: &str| render(&d, Kind::Utc, &tokenize(f).unwrap());
        assert_eq!(r("yyyy-MM-dd"), "2021-08-25");
        assert_eq!(r("M/d/yyyy h:mm:ss tt"), "8/25/2021 5:41:18 PM");
        assert_eq!(r("dddd, MMMM d"), "Wednesday, August 25");
        assert_eq!(r("HH:mm:ss.fff"), "17:41:18.123");
        assert_eq!(r("ss.FFFFFFF"), "18.123");
        assert_eq!(r("yyyyMMdd'T'HHmmss\\Z"), "20210825T174118Z");
        assert_eq!(r("o"), "2021-08-25T17:41:18.1230000Z");
        assert_eq!(r("yyyy-MM-ddzzz"), "2021-08-25+00:00");
        assert_eq!(r("%d"), "25");
        // K follows the Kind: nothing for a value parsed without an offset.
        let tokens = tokenize("yyyy-MM-ddK").unwrap();
        assert_eq!(render(&d, Kind::Unspecified, &tokens), "2021-08-25");
        assert_eq!(render(&d, Kind::Local, &tokens), "2021-08-25+00:00");
        assert_eq!(r("gg yyyy"), "A.D. 2021");
        assert_eq!(r("KK"), "ZZ");
    }

    #[test]
    fn parses_as_parse_exact_does() {
        let now = sample_instant();
        let p = |input: &str, fmt: &str, style: u32| {
            parse_exact(input, &tokenize_input(fmt).unwrap(), style, || now)
                .map(|(d, k)| (d.to_rfc3339(), k))
        };
        use styles::*;
        // The reference's example: an unquoted Z means UTC.
        assert_eq!(
            p("20150123105347.1Z", "yyyyMMddHHmmss.fZ", DEFAULT),
            Some(("2015-01-23T10:53:47.100+00:00".into(), Kind::Utc))
        );
        // An offset gives a local (here UTC) time.
        assert_eq!(
            p("2020-12-31-08:00", "yyyy-MM-ddzzz", DEFAULT),
            Some(("2020-12-31T08:00:00+00:00".into(), Kind::Local))
        );
        // No leading white space without AllowLeadingWhite; one space
        // matches one space without AllowInnerWhite.
        assert_eq!(p(" 2020-01-02", "yyyy-MM-dd", 0), None);
        assert_eq!(p("2020-01-02  10:53", "yyyy-MM-dd HH:mm", DEFAULT), None);
        assert!(p("2020-01-02  10:53", "yyyy-MM-dd HH:mm", ALLOW_INNER_WHITE).is_some());
        // A time without a date is today's, unless NoCurrentDateDefault.
        assert_eq!(
            p("10:53", "HH:mm", DEFAULT),
            Some(("2021-08-25T10:53:00+00:00".into(), Kind::Unspecified))
        );
        assert_eq!(
            p("10:53", "HH:mm", NO_CURRENT_DATE_DEFAULT),
            Some(("0001-01-01T10:53:00+00:00".into(), Kind::Unspecified))
        );
        // The day of the week must be the date's; yyyy is exactly four digits.
        assert_eq!(p("Mon 2015-01-23", "ddd yyyy-MM-dd", DEFAULT), None);
        assert_eq!(p("12345", "yyyy", DEFAULT), None);
        assert_eq!(
            p("15", "%yy", DEFAULT).map(|x| x.0),
            Some("2015-01-01T00:00:00+00:00".into())
        );
    }

    #[test]
    fn reports_invalid_formats() {
        assert!(tokenize("").is_err());
        assert!(tokenize("q").is_err());
        assert!(tokenize("yyyy-'MM").is_err());
        assert!(tokenize("ffffffff").is_err());
        assert!(tokenize("yyyy\\").is_err());
    }

    #[test]
    fn cached_tokens_are_the_tokenizers() {
        for parsing in [false, true] {
            let fresh = |f: &str| tokenize_as(f, parsing);
            for f in [
                "yyyy-MM-ddzzz",
                "yyyyMMddHHmmss.fZ",
                "%yy",
                "%%",
                "o",
                "q",
                "",
                "yyyy-'MM",
                "dddd, MMMM d 'at' h:mm tt",
            ] {
                // Twice: the second answer comes from the cache.
                for _ in 0..2 {
                    assert_eq!(
                        cached_tokens(f, parsing).map(|t| t.to_vec()),
                        fresh(f),
                        "{f:?} parsing={parsing}"
                    );
                }
            }
        }
        // Output and input formats are told apart (`%` differs).
        assert_ne!(cached_tokens("%yy", true), cached_tokens("%yy", false));
    }

    #[test]
    fn token_cache_stays_bounded() {
        for i in 0..CACHE_CAPACITY * 3 {
            cached_tokens(&format!("yyyy'{i}'"), false).unwrap();
        }
        let held = CACHE.with(|c| c.borrow()[0].len());
        assert!(held <= CACHE_CAPACITY, "{held}");
        assert_eq!(
            cached_tokens("yyyy'7'", false).unwrap().to_vec(),
            tokenize("yyyy'7'").unwrap()
        );
    }

    #[test]
    fn white_space_at_the_ends_of_the_format_follows_the_styles() {
        let now = sample_instant();
        let p = |input: &str, fmt: &str, style: u32| {
            parse_exact(input, &tokenize_input(fmt).unwrap(), style, || now)
                .map(|(d, _)| d.to_rfc3339())
        };
        use styles::*;
        let day = Some("2020-01-02T00:00:00+00:00".to_string());
        assert_eq!(p("2020-01-02", " yyyy-MM-dd ", DEFAULT), day);
        assert_eq!(p("2020-01-02", " yyyy-MM-dd", ALLOW_LEADING_WHITE), day);
        assert_eq!(p("2020-01-02", " yyyy-MM-dd", ALLOW_TRAILING_WHITE), None);
        assert_eq!(p("2020-01-02", "yyyy-MM-dd ", ALLOW_TRAILING_WHITE), day);
        assert_eq!(p(" 2020-01-02 ", " yyyy-MM-dd ", 0), day);
        assert_eq!(p("2020-01-02", " yyyy-MM-dd ", 0), None);
        // One literal is both the first and the last token.
        assert_eq!(
            p("x", " x ", DEFAULT | NO_CURRENT_DATE_DEFAULT),
            Some("0001-01-01T00:00:00+00:00".into())
        );
        // The clock is read only for a format without a date.
        let read = std::cell::Cell::new(0);
        let clock = || {
            read.set(read.get() + 1);
            now
        };
        let tokens = tokenize_input("yyyy-MM-dd").unwrap();
        assert!(parse_exact("2020-01-02", &tokens, DEFAULT, clock).is_some());
        assert_eq!(read.get(), 0);
        let tokens = tokenize_input("HH:mm").unwrap();
        assert!(parse_exact("10:53", &tokens, DEFAULT, clock).is_some());
        assert_eq!(read.get(), 1);
    }

    /// What a token renders as, through `std::fmt`: the statement the
    /// digit-by-digit [`render`] is held to.
    fn render_with_fmt(d: &DateTime<Utc>, t: &Token) -> String {
        match t {
            Token::Year(1) => format!("{}", d.year() % 100),
            Token::Year(2) => format!("{:02}", d.year() % 100),
            Token::Year(n) => {
                let year = d.year().to_string();
                "0".repeat(n.saturating_sub(year.len())) + &year
            }
            Token::Month(1) => format!("{}", d.month()),
            Token::Month(2) => format!("{:02}", d.month()),
            Token::Day(1) => format!("{}", d.day()),
            Token::Day(2) => format!("{:02}", d.day()),
            Token::Hour24(1) => format!("{}", d.hour()),
            Token::Hour24(_) => format!("{:02}", d.hour()),
            Token::Hour12(n) => {
                let h = match d.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                if *n == 1 {
                    format!("{h}")
                } else {
                    format!("{h:02}")
                }
            }
            Token::Minute(1) => format!("{}", d.minute()),
            Token::Minute(_) => format!("{:02}", d.minute()),
            Token::Second(1) => format!("{}", d.second()),
            Token::Second(_) => format!("{:02}", d.second()),
            Token::Fraction { digits, optional } => {
                let frac = format!("{:09}", d.nanosecond().min(999_999_999));
                let f = &frac[..*digits];
                if *optional {
                    f.trim_end_matches('0').to_string()
                } else {
                    f.to_string()
                }
            }
            other => render(d, Kind::Utc, std::slice::from_ref(other)),
        }
    }

    proptest::proptest! {
        #[test]
        fn render_agrees_with_std_fmt(
            year in -120i32..10_000,
            day in 0u32..366,
            secs in 0u32..86_400,
            nanos in proptest::prop_oneof![0u32..1_000_000_000, proptest::sample::select(vec![0u32, 100_000_000, 120_000_000, 999_999_999, 1_500_000_000])],
            runs in proptest::collection::vec((proptest::sample::select(vec!['y', 'M', 'd', 'H', 'h', 'm', 's', 'f', 'F']), 1usize..10), 1..6),
        ) {
            let date = NaiveDate::from_yo_opt(year, day.max(1)).or_else(|| NaiveDate::from_yo_opt(year, 1));
            let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos);
            let (Some(date), Some(time)) = (date, time) else {
                return Ok(());
            };
            let d = Utc.from_utc_datetime(&date.and_time(time));
            for (c, run) in runs {
                let run = if matches!(c, 'f' | 'F') { run.min(7) } else { run };
                // Month and day names are table lookups, not numbers.
                let run = if matches!(c, 'M' | 'd') { run.min(2) } else { run };
                let Ok(t) = specifier(c, run) else { continue };
                proptest::prop_assert_eq!(
                    render(&d, Kind::Utc, std::slice::from_ref(&t)),
                    render_with_fmt(&d, &t),
                    "{:?} of {}", t, d
                );
            }
        }

        #[test]
        fn digits_read_as_str_parse_does(s in "[0-9]{0,25}[a-z]?", max in 1usize..30) {
            let mut c = Cursor { s: &s, pos: 0 };
            let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
            let expected = s[..n].parse::<i64>().ok();
            proptest::prop_assert_eq!(c.digits(1, max), expected);
            proptest::prop_assert_eq!(c.pos, if expected.is_some() { n } else { 0 });
        }
    }

    #[test]
    fn an_all_zero_optional_fraction_drops_its_separator() {
        let d = Utc.with_ymd_and_hms(2015, 3, 4, 8, 0, 0).unwrap();
        let r = |d: &DateTime<Utc>, f: &str| render(d, Kind::Utc, &tokenize(f).unwrap());
        assert_eq!(r(&d, "yyyyMMddHHmmss.fZ"), "20150304080000.0Z");
        assert_eq!(r(&d, "HH:mm:ss.FFF"), "08:00:00");
        assert_eq!(r(&d, "HH:mm:ss.FFF'x'"), "08:00:00x");
        let d = d + Duration::milliseconds(120);
        assert_eq!(r(&d, "HH:mm:ss.FFF"), "08:00:00.12");
        assert_eq!(r(&d, "HH:mm:ss.fff"), "08:00:00.120");
    }
}
