//! Date functions: CDate, DateAdd, DateDiff, DateFromNum, NumFromDate, Now and
//! FormatDateTime. Instants are UTC; AD FILETIME numbers are exact i64.

use super::{datefmt, Args};
use crate::catalogue::FnId;
use crate::codes::Code;
use crate::eval::{Context, Interrupt};
use crate::value::Value;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone, Utc};
use std::borrow::Cow;

/// 100-ns ticks between 1601-01-01 and 1970-01-01.
const FILETIME_UNIX_EPOCH: i64 = 116_444_736_000_000_000;

pub(super) fn call<'a>(
    id: FnId,
    args: &mut Args<'_, 'a>,
    ctx: &mut Context<'_>,
) -> Result<Value<'a>, Interrupt> {
    Ok(match id {
        FnId::Now => Value::DateTime(ctx.now()),
        FnId::CDate => match args.get(0) {
            Value::Null => Value::Null,
            v => Value::DateTime(to_datetime(v, args)?),
        },
        FnId::DateAdd => {
            let interval = interval(args, 0)?;
            let n = args.int(1, id)?;
            let base = match args.get(2) {
                Value::Null => return Ok(Value::Null),
                v => to_datetime(v, args)?,
            };
            Value::DateTime(add(interval, n, base).ok_or_else(|| {
                args.error(
                    Code::EvalDateOutOfRange,
                    "DateAdd: the result is outside the supported date range (years 1 to 9999)",
                )
            })?)
        }
        FnId::DateDiff => {
            let interval = interval(args, 0)?;
            let (a, b) = match (args.get(1), args.get(2)) {
                (Value::Null, _) | (_, Value::Null) => return Ok(Value::Null),
                (a, b) => (to_datetime(a, args)?, to_datetime(b, args)?),
            };
            Value::Int(diff(interval, a, b))
        }
        FnId::DateFromNum => match args.get(0) {
            Value::Null => Value::Null,
            _ => {
                let ticks = args.int(0, id)?;
                Value::DateTime(from_filetime(ticks).ok_or_else(|| {
                    args.error(
                        Code::EvalDateOutOfRange,
                        format!("DateFromNum: {ticks} is outside the AD date range .NET accepts (0 to {MAX_FILETIME}, 1601-01-01 to 9999-12-31); AD's 'never expires' ({}) is not a date", i64::MAX),
                    )
                })?)
            }
        },
        FnId::NumFromDate => match args.get(0) {
            Value::Null => Value::Null,
            v => {
                let d = to_datetime(v, args)?;
                Value::Int(to_filetime(&d).ok_or_else(|| {
                    args.error(
                        Code::EvalDateOutOfRange,
                        format!(
                            "NumFromDate: {} is before 1601-01-01, where AD dates (FILETIME) begin",
                            crate::value::render_datetime(&d)
                        ),
                    )
                })?)
            }
        },
        FnId::FormatDateTime => format_datetime(args, ctx)?,
        other => return Err(super::not_implemented(other, args.span)),
    })
}

/// The DateAdd/DateDiff intervals of VB: yyyy m d ww h n s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Year,
    Month,
    Day,
    Week,
    Hour,
    Minute,
    Second,
}

pub fn parse_interval(s: &str) -> Option<Interval> {
    Some(match s {
        "yyyy" => Interval::Year,
        "m" => Interval::Month,
        "d" => Interval::Day,
        "ww" => Interval::Week,
        "h" => Interval::Hour,
        "n" => Interval::Minute,
        "s" => Interval::Second,
        _ => return None,
    })
}

fn interval(args: &Args<'_, '_>, i: usize) -> Result<Interval, Interrupt> {
    let text = args.get(i).to_text();
    parse_interval(text.trim()).ok_or_else(|| {
        args.error(
            Code::EvalInvalidInterval,
            format!("\"{text}\" is not a date interval; use one of yyyy, m, d, ww, h, n, s"),
        )
    })
}

/// Adds `n` intervals. Months and years clamp the day to the month's end
/// (Jan 31 + 1 month = Feb 28/29), as VB does.
pub fn add(interval: Interval, n: i64, d: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let months = |m: i64| -> Option<DateTime<Utc>> {
        let m32 = u32::try_from(m.unsigned_abs()).ok()?;
        if m >= 0 {
            d.checked_add_months(Months::new(m32))
        } else {
            d.checked_sub_months(Months::new(m32))
        }
    };
    let r = match interval {
        Interval::Year => months(n.checked_mul(12)?)?,
        Interval::Month => months(n)?,
        Interval::Day => d.checked_add_signed(Duration::try_days(n)?)?,
        Interval::Week => d.checked_add_signed(Duration::try_weeks(n)?)?,
        Interval::Hour => d.checked_add_signed(Duration::try_hours(n)?)?,
        Interval::Minute => d.checked_add_signed(Duration::try_minutes(n)?)?,
        Interval::Second => d.checked_add_signed(Duration::try_seconds(n)?)?,
    };
    (1..=9999).contains(&r.year()).then_some(r)
}

/// VB DateDiff: years and months count calendar boundaries crossed, weeks
/// count Sunday-start week boundaries, and d/h/n/s count whole elapsed units
/// (truncated toward zero). Positive when `b` is later than `a`.
pub fn diff(interval: Interval, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    let elapsed = b.signed_duration_since(a);
    match interval {
        Interval::Year => i64::from(b.year() - a.year()),
        Interval::Month => {
            i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month())
        }
        Interval::Day => elapsed.num_days(),
        Interval::Hour => elapsed.num_hours(),
        Interval::Minute => elapsed.num_minutes(),
        Interval::Second => elapsed.num_seconds(),
        Interval::Week => {
            let week_start = |d: DateTime<Utc>| {
                let day = d.date_naive();
                day - Duration::days(i64::from(day.weekday().num_days_from_sunday()))
            };
            (week_start(b) - week_start(a)).num_days() / 7
        }
    }
}

/// The largest FILETIME .NET converts: 9999-12-31 23:59:59.9999999 UTC
/// (DateTime.MaxValue). `DateTime.FromFileTimeUtc` rejects anything above it
/// and anything negative, so AD's "never expires" (i64::MAX) is an error.
pub const MAX_FILETIME: i64 = 2_650_467_743_999_999_999;

/// `DateTime.ToFileTimeUtc`: `None` before 1601, which .NET rejects.
pub fn to_filetime(d: &DateTime<Utc>) -> Option<i64> {
    let secs = d.timestamp();
    let sub = i64::from(d.timestamp_subsec_nanos()) / 100;
    let ticks = secs
        .checked_mul(10_000_000)?
        .checked_add(sub + FILETIME_UNIX_EPOCH)?;
    (ticks >= 0).then_some(ticks)
}

/// `DateTime.FromFileTimeUtc`: `None` outside 0..=MAX_FILETIME, as in .NET.
pub fn from_filetime(ticks: i64) -> Option<DateTime<Utc>> {
    if !(0..=MAX_FILETIME).contains(&ticks) {
        return None;
    }
    let since_unix = ticks.checked_sub(FILETIME_UNIX_EPOCH)?;
    let secs = since_unix.div_euclid(10_000_000);
    let nanos = (since_unix.rem_euclid(10_000_000) * 100) as u32;
    DateTime::from_timestamp(secs, nanos)
}

fn to_datetime(v: &Value<'_>, args: &Args<'_, '_>) -> Result<DateTime<Utc>, Interrupt> {
    match v {
        Value::DateTime(d) => Ok(*d),
        other => {
            let text = other.to_text();
            parse_datetime(&text).ok_or_else(|| {
                args.error(
                    Code::EvalInvalidDate,
                    format!("\"{text}\" is not a date/time CDate understands (ISO 8601 such as 2021-06-30T08:00:00+08:00 or 2020-03-16-07:00, or M/d/yyyy h:mm:ss tt)"),
                )
            })
        }
    }
}

/// Parses the date/time strings Entra's CDate accepts: ISO 8601 dates and
/// date-times, optionally with `Z` or an offset (also directly after a
/// date-only value, as Workday sends `2020-03-16-07:00`), and the
/// `M/d/yyyy h:mm:ss tt` form Entra itself renders. Converts to UTC; values
/// without an offset are taken as UTC.
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(d) = parse_us(s) {
        return Some(d);
    }
    let (body, offset) = split_offset(s)?;
    let naive = parse_iso_body(body)?;
    match offset {
        None => Some(Utc.from_utc_datetime(&naive)),
        Some(secs) => adjust_to_universal(naive, secs),
    }
}

/// The UTC instant of a local time with an offset, as .NET's
/// DateTimeStyles.AdjustToUniversal computes it: a result before 0001-01-01
/// gets a day added (`0001-01-01T00:30:00+01:00` is 0001-01-01 23:30 UTC, a
/// quirk the oracle shows), one after 9999-12-31 is an error.
pub fn adjust_to_universal(local: NaiveDateTime, offset_secs: i32) -> Option<DateTime<Utc>> {
    let mut utc = local.checked_sub_signed(Duration::seconds(i64::from(offset_secs)))?;
    if utc.year() < 1 {
        utc = utc.checked_add_signed(Duration::days(1))?;
    }
    (1..=9999)
        .contains(&utc.year())
        .then(|| Utc.from_utc_datetime(&utc))
}

/// Splits a trailing `Z`, `±HH:mm`, `±HHmm` or `±HH` from an ISO string.
fn split_offset(s: &str) -> Option<(&str, Option<i32>)> {
    if let Some(body) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return Some((body, Some(0)));
    }
    // The offset sign must come after the date (yyyy-MM-dd is 10 bytes).
    let bytes = s.as_bytes();
    let sign_at = (10..bytes.len())
        .rev()
        .find(|&i| bytes[i] == b'+' || bytes[i] == b'-');
    let Some(i) = sign_at else {
        return Some((s, None));
    };
    let tail = &s[i + 1..];
    // Digits and one colon only: slicing below is then on char boundaries.
    if !tail.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let (h, m) = match tail.len() {
        5 if tail.as_bytes()[2] == b':' => (
            tail[..2].parse::<i32>().ok()?,
            tail[3..].parse::<i32>().ok()?,
        ),
        4 => (
            tail[..2].parse::<i32>().ok()?,
            tail[2..].parse::<i32>().ok()?,
        ),
        2 => (tail.parse::<i32>().ok()?, 0),
        _ => return None,
    };
    // .NET allows offsets up to 14:00 either way (so +14:30 is an error).
    if m > 59 || h * 60 + m > 14 * 60 {
        return None;
    }
    let sign = if bytes[i] == b'-' { -1 } else { 1 };
    Some((&s[..i], Some(sign * (h * 3600 + m * 60))))
}

fn parse_iso_body(body: &str) -> Option<NaiveDateTime> {
    let body = body.trim();
    let (date, time) = match body.find(['T', 't', ' ']) {
        Some(i) => (&body[..i], Some(body[i + 1..].trim())),
        None => (body, None),
    };
    let date = match fixed_date(date) {
        Some(d) => d,
        None => NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?,
    };
    let time = match time {
        None | Some("") => chrono::NaiveTime::MIN,
        Some(t) => match fixed_time(t) {
            Some(t) => t,
            None => chrono::NaiveTime::parse_from_str(t, "%H:%M:%S%.f")
                .or_else(|_| chrono::NaiveTime::parse_from_str(t, "%H:%M"))
                .ok()?,
        },
    };
    Some(date.and_time(time))
}

/// The number written by the ASCII digits `b`.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `yyyy-MM-dd` with exactly these widths, the form nearly every date
/// comes in, read without chrono's format interpreter (most of CDate's
/// cost). `None` sends anything else (other widths, a sign, white space, a
/// day the month does not have) to chrono's `%Y-%m-%d`, which reads these
/// widths to the same date.
fn fixed_date(s: &str) -> Option<NaiveDate> {
    match s.as_bytes() {
        [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => NaiveDate::from_ymd_opt(
            i32::try_from(digits(y)?).ok()?,
            digits(&[*m1, *m2])?,
            digits(&[*d1, *d2])?,
        ),
        _ => None,
    }
}

/// `HH:mm:ss` with exactly these widths, as [`fixed_date`] is for dates;
/// chrono's `%H:%M:%S%.f` reads it to the same time. A leap second (`:60`),
/// a fraction and other forms are left to chrono.
fn fixed_time(s: &str) -> Option<chrono::NaiveTime> {
    match s.as_bytes() {
        [h1, h2, b':', m1, m2, b':', s1, s2] => chrono::NaiveTime::from_hms_opt(
            digits(&[*h1, *h2])?,
            digits(&[*m1, *m2])?,
            digits(&[*s1, *s2])?,
        ),
        _ => None,
    }
}

/// `M/d/yyyy[ h:mm[:ss][ AM|PM]]`, the form Entra renders DateTimes in.
fn parse_us(s: &str) -> Option<DateTime<Utc>> {
    if !s.contains('/') {
        return None;
    }
    for fmt in [
        "M/d/yyyy h:mm:ss tt",
        "M/d/yyyy h:mm tt",
        "M/d/yyyy H:mm:ss",
        "M/d/yyyy H:mm",
        "M/d/yyyy",
    ] {
        if let Some(d) = datefmt::cached_tokens(fmt, false)
            .ok()
            .and_then(|t| datefmt::parse(s, &t))
        {
            return Some(d);
        }
    }
    None
}

/// The DateTimeStyles names and values, as .NET defines them.
const DATE_TIME_STYLES: &[(&str, u32)] = &[
    ("None", 0),
    ("AllowLeadingWhite", 1),
    ("AllowTrailingWhite", 2),
    ("AllowInnerWhite", 4),
    ("AllowWhiteSpaces", 7),
    ("NoCurrentDateDefault", 8),
    ("AdjustToUniversal", 16),
    ("AssumeLocal", 32),
    ("AssumeUniversal", 64),
    ("RoundtripKind", 128),
];

/// Reads a dateTimeStyles argument as .NET's `Enum.Parse` does (a number, or
/// case-sensitive names separated by commas; empty means the reference's
/// default), then checks it as `DateTime.ParseExact` does.
pub fn parse_styles(text: &str) -> Result<u32, String> {
    use datefmt::styles::*;
    if text.is_empty() {
        return Ok(DEFAULT);
    }
    let names = || {
        DATE_TIME_STYLES
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let t = text.trim();
    let value: i64 = if let Ok(n) = t.parse::<i32>() {
        i64::from(n)
    } else {
        let mut v = 0;
        for part in t.split(',') {
            let name = part.trim();
            match DATE_TIME_STYLES.iter().find(|(n, _)| *n == name) {
                Some((_, bits)) => v |= i64::from(*bits),
                None => {
                    return Err(format!(
                        "\"{name}\" is not a DateTimeStyles value (.NET's Enum.Parse reads names case-sensitively, without a DateTimeStyles. prefix); use a number or names from {} separated by commas, such as \"AdjustToUniversal, AssumeUniversal\"",
                        names()
                    ))
                }
            }
        }
        v
    };
    if !(0..=255).contains(&value) {
        return Err(format!(
            "{value} is not a combination of DateTimeStyles values (0 to 255)"
        ));
    }
    let v = value as u32;
    if v & ASSUME_LOCAL != 0 && v & ASSUME_UNIVERSAL != 0 {
        return Err("AssumeLocal and AssumeUniversal cannot be used together".into());
    }
    if v & ROUNDTRIP_KIND != 0 && v & (ASSUME_LOCAL | ASSUME_UNIVERSAL | ADJUST_TO_UNIVERSAL) != 0 {
        return Err(
            "RoundtripKind cannot be used with AssumeLocal, AssumeUniversal or AdjustToUniversal"
                .into(),
        );
    }
    Ok(v)
}

/// FormatDateTime(source, [dateTimeStyles], inputFormat, outputFormat): .NET's
/// `DateTime.ParseExact(source, inputFormat, invariant, styles)
/// .ToString(outputFormat, invariant)` on a machine in UTC. The
/// three-argument form found in real mappings leaves dateTimeStyles out.
fn format_datetime<'a>(args: &mut Args<'_, 'a>, ctx: &Context<'_>) -> Result<Value<'a>, Interrupt> {
    let (styles, input_fmt, output_fmt) = if args.len() == 3 {
        (
            Cow::Borrowed(""),
            args.get(1).to_text(),
            args.get(2).to_text(),
        )
    } else {
        (
            args.get(1).to_text(),
            args.get(2).to_text(),
            args.get(3).to_text(),
        )
    };
    let style = parse_styles(&styles)
        .map_err(|e| args.error(Code::EvalInvalidDateFormat, format!("FormatDateTime: {e}")))?;
    let input_tokens = datefmt::cached_tokens(&input_fmt, true).map_err(|e| {
        args.error(
            Code::EvalInvalidDateFormat,
            format!("FormatDateTime: inputFormat \"{input_fmt}\": {e}"),
        )
    })?;
    let output_tokens = datefmt::cached_tokens(&output_fmt, false).map_err(|e| {
        args.error(
            Code::EvalInvalidDateFormat,
            format!("FormatDateTime: outputFormat \"{output_fmt}\": {e}"),
        )
    })?;
    let (instant, kind) = match args.get(0) {
        Value::Null => return Ok(Value::Null),
        Value::DateTime(d) => (*d, datefmt::Kind::Utc),
        v => {
            let text = v.to_text();
            datefmt::parse_exact(&text, &input_tokens, style, || ctx.now()).ok_or_else(|| {
                args.error(
                    Code::EvalInvalidDate,
                    format!(
                        "FormatDateTime: \"{text}\" does not match the inputFormat \"{input_fmt}\""
                    ),
                )
            })?
        }
    };
    Ok(Value::string(datefmt::render(
        &instant,
        kind,
        &output_tokens,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The fixed-width readers give what chrono's formats give, and
        /// decline only what chrono reads differently or refuses.
        #[test]
        fn fixed_widths_read_as_chrono_does(
            date in "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9+ -]{1,5}-[0-9 ]{1,3}-[0-9 ]{1,3}|[0-9:-]{10}",
            time in "[0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9: ]{8}|[0-6][0-9]:[0-6][0-9]:[0-6][0-9]",
        ) {
            let chrono_date = NaiveDate::parse_from_str(&date, "%Y-%m-%d").ok();
            if let Some(d) = fixed_date(&date) {
                proptest::prop_assert_eq!(Some(d), chrono_date);
            } else if date.len() == 10 && date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() }) {
                proptest::prop_assert_eq!(chrono_date, None);
            }
            let chrono_time = chrono::NaiveTime::parse_from_str(&time, "%H:%M:%S%.f").ok();
            if let Some(t) = fixed_time(&time) {
                proptest::prop_assert_eq!(Some(t), chrono_time);
            } else if time.len() == 8 && time.bytes().enumerate().all(|(i, b)| if i == 2 || i == 5 { b == b':' } else { b.is_ascii_digit() }) {
                // Declined only for a leap second (chrono reads :60) or a
                // field out of range (chrono refuses it too).
                proptest::prop_assert!(time.ends_with(":60") || chrono_time.is_none(), "{time}: {chrono_time:?}");
            }
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        parse_datetime(s).unwrap_or_else(|| panic!("{s} did not parse"))
    }

    #[test]
    fn cdate_forms() {
        assert_eq!(
            utc("2020-03-16-07:00").to_rfc3339(),
            "2020-03-16T07:00:00+00:00"
        );
        assert_eq!(
            utc("2021-06-30+08:00").to_rfc3339(),
            "2021-06-29T16:00:00+00:00"
        );
        assert_eq!(
            utc("2009-06-15T01:45:30-07:00").to_rfc3339(),
            "2009-06-15T08:45:30+00:00"
        );
        assert_eq!(utc("2021-08-24").to_rfc3339(), "2021-08-24T00:00:00+00:00");
        assert_eq!(
            utc("2021-08-24T10:00:00Z").to_rfc3339(),
            "2021-08-24T10:00:00+00:00"
        );
        assert_eq!(
            utc("2020-12-31 23:59:59-08:00").to_rfc3339(),
            "2021-01-01T07:59:59+00:00"
        );
        assert_eq!(
            utc("8/25/2021 5:41:18 PM").to_rfc3339(),
            "2021-08-25T17:41:18+00:00"
        );
        assert_eq!(
            utc("2021-08-24T10:00:00.1234567+0130").to_rfc3339(),
            "2021-08-24T08:30:00.123456700+00:00"
        );
        for bad in [
            "",
            "tomorrow",
            "2021-02-30",
            "2021-08-24+25:00",
            "2021-08-24T25:00",
            // Found by the differential fuzz target: a multi-byte character
            // after the offset sign used to be sliced through.
            "i2021\u{d4}-\u{0}@\u{0}\u{10}0!-2\u{fffd}",
            "2021-08-24-2\u{e9}",
            "2021-08-24+\u{e9}00",
        ] {
            assert!(parse_datetime(bad).is_none(), "{bad} parsed");
        }
    }

    #[test]
    fn dateadd_reference_table() {
        let hire = utc("2012-03-16-07:00");
        let r = |i, n| crate::value::render_datetime(&add(i, n, hire).unwrap());
        assert_eq!(r(Interval::Day, 7), "3/23/2012 7:00:00 AM");
        assert_eq!(r(Interval::Day, -10), "3/6/2012 7:00:00 AM");
        assert_eq!(r(Interval::Week, 2), "3/30/2012 7:00:00 AM");
        assert_eq!(r(Interval::Month, 10), "1/16/2013 7:00:00 AM");
        assert_eq!(r(Interval::Year, 2), "3/16/2014 7:00:00 AM");
        // Month ends clamp.
        assert_eq!(
            add(Interval::Month, 1, utc("2021-01-31"))
                .unwrap()
                .to_rfc3339(),
            "2021-02-28T00:00:00+00:00"
        );
        assert_eq!(
            add(Interval::Year, 1, utc("2020-02-29"))
                .unwrap()
                .to_rfc3339(),
            "2021-02-28T00:00:00+00:00"
        );
        assert!(add(Interval::Year, 100_000, hire).is_none());
        assert!(add(Interval::Second, i64::MAX, hire).is_none());
    }

    #[test]
    fn datediff_reference_table() {
        let now = utc("8/25/2021 5:41:18 PM");
        let hire = utc("2012-03-16-07:00");
        assert_eq!(
            diff(
                Interval::Day,
                utc("2021-08-18+08:00"),
                utc("2021-08-31+08:00")
            ),
            13
        );
        assert_eq!(diff(Interval::Day, now, hire), -3449);
        assert_eq!(diff(Interval::Week, now, hire), -493);
        assert_eq!(diff(Interval::Month, now, hire), -113);
        assert_eq!(diff(Interval::Year, now, hire), -9);
        assert_eq!(
            diff(
                Interval::Day,
                utc("2021-08-31+08:00"),
                utc("2021-08-31+08:00")
            ),
            0
        );
        assert_eq!(
            diff(Interval::Hour, utc("2021-08-24"), utc("2021-08-25")),
            24
        );
        assert_eq!(
            diff(Interval::Minute, utc("2021-08-24"), utc("2021-08-25")),
            1440
        );
        assert_eq!(
            diff(Interval::Second, utc("2021-08-24"), utc("2021-08-25")),
            86400
        );
        // Boundaries, not elapsed time, for months and years.
        assert_eq!(
            diff(
                Interval::Month,
                utc("2021-01-31T23:59:59Z"),
                utc("2021-02-01")
            ),
            1
        );
        assert_eq!(
            diff(
                Interval::Year,
                utc("2021-12-31T23:59:59Z"),
                utc("2022-01-01")
            ),
            1
        );
        // Saturday → Sunday crosses a week boundary; Sunday → Saturday does not.
        assert_eq!(
            diff(Interval::Week, utc("2021-08-21"), utc("2021-08-22")),
            1
        );
        assert_eq!(
            diff(Interval::Week, utc("2021-08-22"), utc("2021-08-28")),
            0
        );
    }

    #[test]
    fn filetime_round_trip_is_exact() {
        let d = from_filetime(129_699_324_000_000_000).unwrap();
        assert_eq!(crate::value::render_datetime(&d), "1/1/2012 11:00:00 PM");
        assert_eq!(to_filetime(&d), Some(129_699_324_000_000_000));
        assert_eq!(
            to_filetime(&utc("2020-12-31 23:59:59-08:00")),
            Some(132_539_615_990_000_000)
        );
        assert_eq!(to_filetime(&from_filetime(0).unwrap()), Some(0));
        assert!(from_filetime(i64::MIN).is_none());
        assert!(from_filetime(-1).is_none());
        // AD's "never expires": FromFileTimeUtc throws in .NET.
        assert!(from_filetime(i64::MAX).is_none());
        assert!(from_filetime(MAX_FILETIME + 1).is_none());
        assert_eq!(
            to_filetime(&from_filetime(MAX_FILETIME).unwrap()),
            Some(MAX_FILETIME)
        );
        assert_eq!(to_filetime(&utc("1600-12-31T23:59:59Z")), None);
        let odd = 132_539_615_991_234_567;
        assert_eq!(to_filetime(&from_filetime(odd).unwrap()), Some(odd));
    }

    #[test]
    fn styles_read_as_enum_parse_does() {
        assert_eq!(parse_styles(""), Ok(datefmt::styles::DEFAULT));
        assert_eq!(parse_styles("AdjustToUniversal, AssumeUniversal"), Ok(80));
        assert_eq!(parse_styles("32"), Ok(32));
        assert_eq!(parse_styles(" 16 "), Ok(16));
        assert_eq!(parse_styles("None"), Ok(0));
        for bad in [
            "DateTimeStyles.RoundtripKind",
            "adjusttouniversal",
            "RoundtripKind|AllowLeadingWhite",
            "Sideways",
            "16,64",
            "1024",
            "-1",
            "AssumeLocal, AssumeUniversal",
            "RoundtripKind, AdjustToUniversal",
            " ",
        ] {
            assert!(parse_styles(bad).is_err(), "{bad}");
        }
    }
}
