//! .NET custom date and time format strings, for FormatDateTime: one
//! tokenizer, used both to parse (ParseExact) and to render (ToString).
//!
//! Supported: yyyy yyy yy y, MMMM MMM MM M, dddd ddd dd d, HH H hh h, mm m,
//! ss s, f…fffffff, F…FFFFFFF, tt t, zzz zz z, K, 'quoted' and "quoted"
//! literals, `\` escapes, `%` single-specifier prefix, and the standard
//! one-letter formats d D f F g G M O/o R/r s t T u Y. Everything else is a
//! literal character (so the `Z` of `yyyyMMddHHmmss.fZ` is literal, as in .NET).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Timelike, Utc};

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
        "Y" | "y" => "yyyy MMMM",
        _ => return None,
    })
}

/// Splits a format string into tokens, or says what is wrong with it.
pub fn tokenize(format: &str) -> Result<Vec<Token>, String> {
    if format.is_empty() {
        return Err("the format is empty".into());
    }
    let expanded;
    let format = if format.chars().count() == 1 {
        match standard(format) {
            Some(s) => s,
            None => return Err(format!("\"{format}\" is not a standard date and time format; custom formats need at least two characters, or a % prefix (\"%{format}\")")),
        }
    } else {
        expanded = format.to_string();
        &expanded
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
            i += if c == 'K' { 1 } else { run };
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
        'y' | 'M' | 'd' | 'H' | 'h' | 'm' | 's' | 'f' | 'F' | 't' | 'z' | 'K'
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
        _ => Token::Kind,
    })
}

fn two_digit_year(y: i32) -> i32 {
    // .NET's Gregorian TwoDigitYearMax is 2049.
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
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let bytes = self.s.as_bytes();
        let mut n = 0;
        while n < max && self.pos + n < bytes.len() && bytes[self.pos + n].is_ascii_digit() {
            n += 1;
        }
        if n < min {
            return None;
        }
        let v = self.s[self.pos..self.pos + n].parse().ok()?;
        self.pos += n;
        Some(v)
    }
    fn literal(&mut self, lit: &str) -> bool {
        if self.s[self.pos..].starts_with(lit) {
            self.pos += lit.len();
            return true;
        }
        // A space in the format matches any run of white space.
        if lit.trim().is_empty() && self.s[self.pos..].starts_with(char::is_whitespace) {
            let rest = self.s[self.pos..].trim_start();
            self.pos = self.s.len() - rest.len();
            return true;
        }
        false
    }
    fn word(&mut self, words: &[&str], abbreviated: bool) -> Option<usize> {
        let rest = &self.s[self.pos..];
        for (i, w) in words.iter().enumerate() {
            let cand = if abbreviated { &w[..3] } else { w };
            if rest.len() >= cand.len()
                && rest.is_char_boundary(cand.len())
                && rest[..cand.len()].eq_ignore_ascii_case(cand)
            {
                self.pos += cand.len();
                return Some(i);
            }
        }
        None
    }
    fn offset(&mut self, width: usize) -> Option<i32> {
        let rest = &self.s[self.pos..];
        if width == 0 && (rest.starts_with('Z') || rest.starts_with('z')) {
            self.pos += 1;
            return Some(0);
        }
        let sign = match rest.chars().next()? {
            '+' => 1,
            '-' => -1,
            _ => return None,
        };
        self.pos += 1;
        let h = self.digits(1, 2)?;
        let mut m = 0;
        if width >= 3 || width == 0 {
            if self.s[self.pos..].starts_with(':') {
                self.pos += 1;
                m = self.digits(2, 2)?;
            } else if width == 0 {
                m = self.digits(2, 2).unwrap_or(0);
            } else {
                return None;
            }
        }
        if h > 14 || m > 59 {
            return None;
        }
        Some(sign * (h as i32 * 3600 + m as i32 * 60))
    }
}

/// Parses `input` with a custom format, the way ParseExact does with
/// AllowLeadingWhite | AllowTrailingWhite. Values without an offset are taken
/// as UTC; values with one are converted to UTC.
pub fn parse(input: &str, tokens: &[Token]) -> Option<DateTime<Utc>> {
    let mut c = Cursor {
        s: input.trim(),
        pos: 0,
    };
    let (mut year, mut month, mut day) = (1i64, 1i64, 1i64);
    let (mut hour, mut minute, mut second, mut nanos) = (0i64, 0i64, 0i64, 0i64);
    let mut pm: Option<bool> = None;
    let mut offset: Option<i32> = None;
    let mut hour12 = false;
    for (i, t) in tokens.iter().enumerate() {
        // A numeric field followed directly by another numeric field must use
        // its full width (yyyyMMdd has no separators).
        let next_numeric = matches!(
            tokens.get(i + 1),
            Some(
                Token::Year(_)
                    | Token::Month(1..=2)
                    | Token::Day(1..=2)
                    | Token::Hour24(_)
                    | Token::Hour12(_)
                    | Token::Minute(_)
                    | Token::Second(_)
                    | Token::Fraction { .. }
            )
        );
        let width = |n: usize, full: usize| {
            if n >= 2 || next_numeric {
                (n.max(2).min(full), n.max(2).min(full))
            } else {
                (1, full)
            }
        };
        match t {
            Token::Year(n) => {
                if *n <= 2 {
                    let (lo, hi) = width(*n, 2);
                    let y = c.digits(lo, hi)?;
                    year = i64::from(two_digit_year(y as i32));
                } else {
                    year = c.digits(*n, if next_numeric { *n } else { 5.max(*n) })?;
                }
            }
            Token::Month(n) if *n >= 3 => month = c.word(&MONTHS, *n == 3)? as i64 + 1,
            Token::Month(n) => {
                let (lo, hi) = width(*n, 2);
                month = c.digits(lo, hi)?;
            }
            Token::Day(n) if *n >= 3 => {
                c.word(&DAYS, *n == 3)?;
            }
            Token::Day(n) => {
                let (lo, hi) = width(*n, 2);
                day = c.digits(lo, hi)?;
            }
            Token::Hour24(n) => {
                let (lo, hi) = width(*n, 2);
                hour = c.digits(lo, hi)?;
            }
            Token::Hour12(n) => {
                let (lo, hi) = width(*n, 2);
                hour = c.digits(lo, hi)?;
                hour12 = true;
            }
            Token::Minute(n) => {
                let (lo, hi) = width(*n, 2);
                minute = c.digits(lo, hi)?;
            }
            Token::Second(n) => {
                let (lo, hi) = width(*n, 2);
                second = c.digits(lo, hi)?;
            }
            Token::Fraction { digits, optional } => {
                let start = c.pos;
                let got = if *optional {
                    c.digits(0, *digits)
                } else {
                    c.digits(*digits, *digits)
                };
                let got = got?;
                let len = c.pos - start;
                if len > 0 {
                    nanos = got * 10i64.pow(9 - len as u32);
                }
            }
            Token::AmPm(n) => {
                let rest = c.s[c.pos..].to_ascii_uppercase();
                let (am, p) = if *n == 1 { ("A", "P") } else { ("AM", "PM") };
                if rest.starts_with(am) {
                    pm = Some(false);
                    c.pos += am.len();
                } else if rest.starts_with(p) {
                    pm = Some(true);
                    c.pos += p.len();
                } else {
                    return None;
                }
            }
            Token::Offset(n) => offset = Some(c.offset(*n)?),
            Token::Kind => {
                if c.pos < c.s.len() {
                    offset = Some(c.offset(0)?);
                }
            }
            Token::Literal(l) => {
                if !c.literal(l) {
                    return None;
                }
            }
        }
    }
    if c.pos != c.s.len() {
        return None;
    }
    if hour12 || pm.is_some() {
        if !(1..=12).contains(&hour) && hour12 {
            return None;
        }
        match pm {
            Some(true) if hour < 12 => hour += 12,
            Some(false) if hour == 12 => hour = 0,
            _ => {}
        }
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)?;
    let naive = date.and_hms_nano_opt(hour as u32, minute as u32, second as u32, nanos as u32)?;
    match offset {
        None => Some(Utc.from_utc_datetime(&naive)),
        Some(secs) => {
            let tz = FixedOffset::east_opt(secs)?;
            Some(tz.from_local_datetime(&naive).single()?.with_timezone(&Utc))
        }
    }
}

/// Renders a UTC instant with a custom format (invariant culture).
pub fn render(d: &DateTime<Utc>, tokens: &[Token]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for t in tokens {
        let _ = match t {
            Token::Year(1) => write!(s, "{}", d.year() % 100),
            Token::Year(2) => write!(s, "{:02}", d.year() % 100),
            Token::Year(n) => {
                // Padded by hand: a width above u16::MAX makes `{:0width$}` panic,
                // and .NET pads to any width (`yyyyy…` of 65 536 gives 65 536 digits).
                let year = d.year().to_string();
                s.extend(std::iter::repeat_n('0', n.saturating_sub(year.len())));
                s.push_str(&year);
                Ok(())
            }
            Token::Month(1) => write!(s, "{}", d.month()),
            Token::Month(2) => write!(s, "{:02}", d.month()),
            Token::Month(3) => write!(s, "{}", &MONTHS[d.month0() as usize][..3]),
            Token::Month(_) => write!(s, "{}", MONTHS[d.month0() as usize]),
            Token::Day(1) => write!(s, "{}", d.day()),
            Token::Day(2) => write!(s, "{:02}", d.day()),
            Token::Day(3) => write!(
                s,
                "{}",
                &DAYS[d.weekday().num_days_from_sunday() as usize][..3]
            ),
            Token::Day(_) => write!(s, "{}", DAYS[d.weekday().num_days_from_sunday() as usize]),
            Token::Hour24(1) => write!(s, "{}", d.hour()),
            Token::Hour24(_) => write!(s, "{:02}", d.hour()),
            Token::Hour12(n) => {
                let h = match d.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                if *n == 1 {
                    write!(s, "{h}")
                } else {
                    write!(s, "{h:02}")
                }
            }
            Token::Minute(1) => write!(s, "{}", d.minute()),
            Token::Minute(_) => write!(s, "{:02}", d.minute()),
            Token::Second(1) => write!(s, "{}", d.second()),
            Token::Second(_) => write!(s, "{:02}", d.second()),
            Token::Fraction { digits, optional } => {
                let frac = format!("{:09}", d.nanosecond().min(999_999_999));
                let mut f = frac[..*digits].to_string();
                if *optional {
                    while f.ends_with('0') {
                        f.pop();
                    }
                    // An all-zero F field also drops the separator before it.
                    if f.is_empty() && s.ends_with('.') {
                        s.pop();
                    }
                }
                write!(s, "{f}")
            }
            Token::AmPm(1) => write!(s, "{}", if d.hour() < 12 { "A" } else { "P" }),
            Token::AmPm(_) => write!(s, "{}", if d.hour() < 12 { "AM" } else { "PM" }),
            // Values are UTC, so every offset renders as zero.
            Token::Offset(1) => write!(s, "+0"),
            Token::Offset(2) => write!(s, "+00"),
            Token::Offset(_) => write!(s, "+00:00"),
            Token::Kind => write!(s, "Z"),
            Token::Literal(l) => write!(s, "{l}"),
        };
    }
    s
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
        let r = |f: &str| render(&d, &tokenize(f).unwrap());
        assert_eq!(r("yyyy-MM-dd"), "2021-08-25");
        assert_eq!(r("M/d/yyyy h:mm:ss tt"), "8/25/2021 5:41:18 PM");
        assert_eq!(r("dddd, MMMM d"), "Wednesday, August 25");
        assert_eq!(r("HH:mm:ss.fff"), "17:41:18.123");
        assert_eq!(r("ss.FFFFFFF"), "18.123");
        assert_eq!(r("yyyyMMdd'T'HHmmss\\Z"), "20210825T174118Z");
        assert_eq!(r("o"), "2021-08-25T17:41:18.1230000Z");
        assert_eq!(r("yyyy-MM-ddzzz"), "2021-08-25+00:00");
        assert_eq!(r("%d"), "25");
    }

    #[test]
    fn reports_invalid_formats() {
        assert!(tokenize("").is_err());
        assert!(tokenize("q").is_err());
        assert!(tokenize("yyyy-'MM").is_err());
        assert!(tokenize("ffffffff").is_err());
        assert!(tokenize("yyyy\\").is_err());
    }
}
