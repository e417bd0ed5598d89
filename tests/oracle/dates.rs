//! DateFromNum and NumFromDate (AD FILETIME), CDate and FormatDateTime
//! against .NET.

use super::client::{case_count, Answer};
use super::compare::{rng, run_family, single_argument_cases, Case};
use rand::Rng;
use serde_json::json;

/// The largest FILETIME .NET converts (DateTime.MaxValue).
const MAX_FILETIME: i64 = 2_650_467_743_999_999_999;

fn filetimes(n: usize) -> Vec<String> {
    let mut r = rng();
    let mut out: Vec<String> = [
        "0",
        "1",
        "-1",
        "129699324000000000",
        "132539615991234567",
        "2650467743999999999",
        "2650467744000000000",
        "9223372036854775807",
        "-9223372036854775808",
        "116444736000000000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    while out.len() < n {
        let v: i64 = match r.gen_range(0..10) {
            0 => r.gen(),
            1 => r.gen_range(-1_000_000..0),
            2 => MAX_FILETIME + r.gen_range(-1000..1000),
            _ => r.gen_range(0..=MAX_FILETIME),
        };
        out.push(v.to_string());
    }
    out
}

#[test]
fn date_from_num() {
    let cases = single_argument_cases("n", filetimes(case_count(2000)));
    run_family("DateFromNum", "DateFromNum([n])", cases, &|_, _, _| None);
}

#[test]
fn filetime_round_trip() {
    let cases = single_argument_cases("n", filetimes(case_count(2000)));
    run_family(
        "FileTimeRoundTrip",
        "NumFromDate(DateFromNum([n]))",
        cases,
        &|_, _, _| None,
    );
}

/// ISO 8601 date-times of every shape attrmap's CDate reads, over the whole
/// year range, with fractions to 100 ns and offsets.
fn iso_strings(n: usize) -> Vec<String> {
    let mut r = rng();
    let mut out: Vec<String> = [
        "2020-03-16-07:00",
        "2021-06-30+08:00",
        "2009-06-15T01:45:30-07:00",
        "8/25/2021 5:41:18 PM",
        "2021-08-24",
        "0001-01-01",
        "1600-12-31T23:59:59Z",
        "1601-01-01T00:00:00Z",
        "9999-12-31T23:59:59.9999999Z",
        "9999-12-31T23:00:00-01:00",
        "0001-01-01T00:30:00+01:00",
        "2021-02-29",
        "2021-08-24T24:00:00",
        " 2021-08-24 ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    while out.len() < n {
        let year = match r.gen_range(0..4) {
            0 => r.gen_range(1..=9999),
            _ => r.gen_range(1590..=2100),
        };
        let (month, day) = (r.gen_range(1..=12), r.gen_range(1..=28));
        let mut s = format!("{year:04}-{month:02}-{day:02}");
        if r.gen_bool(0.7) {
            let sep = ['T', ' '][r.gen_range(0..2)];
            s += &format!("{sep}{:02}:{:02}", r.gen_range(0..24), r.gen_range(0..60));
            if r.gen_bool(0.8) {
                s += &format!(":{:02}", r.gen_range(0..60));
                let digits = r.gen_range(0..=7);
                if digits > 0 {
                    let frac: String = (0..digits)
                        .map(|_| char::from(b'0' + r.gen_range(0..10)))
                        .collect();
                    s += &format!(".{frac}");
                }
            }
        }
        match r.gen_range(0..5) {
            0 => s.push('Z'),
            1 => {
                s += &format!(
                    "{}{:02}:{:02}",
                    ['+', '-'][r.gen_range(0..2)],
                    r.gen_range(0..15),
                    [0, 30, 45][r.gen_range(0..3)]
                )
            }
            2 => s += &format!("{}{:02}", ['+', '-'][r.gen_range(0..2)], r.gen_range(0..15)),
            _ => {}
        }
        out.push(s);
    }
    out
}

#[test]
fn num_from_date() {
    let cases = single_argument_cases("s", iso_strings(case_count(2000)));
    run_family("NumFromDate", "NumFromDate([s])", cases, &|_, _, _| None);
}

#[test]
fn cdate() {
    let cases = single_argument_cases("s", iso_strings(case_count(2000)));
    run_family("CDate", "CDate([s])", cases, &|_, _, _| None);
}

/// Input formats: the reference's and the HR guides', standard formats, and
/// random mixes of specifiers and literals.
const INPUT_FORMATS: &[&str] = &[
    "yyyyMMddHHmmss.fZ",
    "yyyy-MM-ddzzz",
    "yyyy-MM-dd",
    "M/d/yyyy hh:mm:ss tt",
    "M/d/yyyy h:mm:ss tt",
    "yyyy-MM-dd'T'HH:mm:ss.fffffffK",
    "yyyy-MM-ddTHH:mm:ssK",
    "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz",
    "dd MMM yyyy",
    "dddd, MMMM d, yyyy",
    "yyMMdd",
    "yyyyMMdd",
    "HH:mm",
    "yyyy-MM-dd HH:mm:ss zzz",
    "dd/MM/yyyy HH:mm",
    "yyyy-MM",
    "MM/dd",
    "o",
    "s",
    "u",
    "d",
    "G",
    "r",
    "yyyy-MM-dd\\THH:mm:ss\\Z",
    "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
];

const OUTPUT_FORMATS: &[&str] = &[
    "yyyy-MM-dd",
    "yyyyMMddHHmmss.0Z",
    "yyyy-MM-ddTHH:mm:ss.fffffffK",
    "M/d/yyyy h:mm:ss tt",
    "dddd, MMMM d, yyyy",
    "yyyy-MM-dd HH:mm:ss zzz",
    "K",
    "KK",
    "%K",
    "z",
    "zz",
    "zzz",
    "%d",
    "%yy",
    "yyyyy",
    "yyy",
    "y",
    "%y",
    "MMMMM",
    "ddddd",
    "hhh:mmm:sss ttt",
    "t",
    "%t",
    "HH:mm:ss.FFFF",
    "ss.FFFFFFF",
    "ss.FFF",
    "ss,FFF",
    "fffffff",
    "ffffffff",
    "'lit''eral' \\q \"x\"",
    "'unterminated",
    "\\",
    "%",
    "%%",
    "g",
    "gg yyyy",
    "d",
    "D",
    "f",
    "F",
    "g",
    "G",
    "M",
    "m",
    "O",
    "o",
    "R",
    "r",
    "s",
    "t",
    "T",
    "u",
    "U",
    "Y",
    "y",
    "q",
    "yyyy/MM/dd",
    "HH:mm",
    "MMM",
];

const STYLES: &[&str] = &[
    "",
    "",
    "",
    "None",
    "AllowWhiteSpaces",
    "AdjustToUniversal",
    "AssumeUniversal",
    "AssumeLocal",
    "RoundtripKind",
    "AllowLeadingWhite, AllowTrailingWhite",
    "RoundtripKind, AllowLeadingWhite, AllowTrailingWhite",
    "AdjustToUniversal, AssumeUniversal",
    "AssumeLocal, AssumeUniversal",
    "RoundtripKind, AdjustToUniversal",
    "NoCurrentDateDefault",
    "AllowInnerWhite",
    "0",
    "3",
    "32",
    "128",
    "135",
    "16,64",
    " 16 ",
    "1024",
    "-1",
    "adjusttouniversal",
    "DateTimeStyles.RoundtripKind",
    "RoundtripKind|AllowLeadingWhite",
    "Sideways",
];

fn pick<'a>(r: &mut impl Rng, from: &[&'a str]) -> &'a str {
    from[r.gen_range(0..from.len())]
}

/// FormatDateTime cases: sources rendered by .NET from random instants and
/// offsets with an input format (sometimes disturbed: white space, a
/// character changed), random styles and output formats.
fn format_datetime_cases(n: usize) -> Vec<Case> {
    let Some(o) = super::client::oracle() else {
        return Vec::new();
    };
    let mut r = rng();
    let mut plans = Vec::new();
    let mut renders = Vec::new();
    for _ in 0..n {
        // Years 1..9999 at 100-ns precision, mostly recent.
        let ticks: i64 = if r.gen_bool(0.2) {
            r.gen_range(864_000_000_000..3_155_378_975_999_999_999 - 864_000_000_000)
        } else {
            r.gen_range(621_355_968_000_000_000..653_000_000_000_000_000)
        };
        let offset: i32 = [0, 0, 60, -420, -480, 330, 345, 840, -840][r.gen_range(0..9)];
        let input_format = pick(&mut r, INPUT_FORMATS);
        renders.push(vec![
            "RenderOffset".to_string(),
            ticks.to_string(),
            offset.to_string(),
            input_format.to_string(),
        ]);
        plans.push((
            input_format,
            pick(&mut r, STYLES),
            pick(&mut r, OUTPUT_FORMATS),
        ));
    }
    let sources = o.ask(&renders);
    plans
        .into_iter()
        .zip(sources)
        .map(|((input_format, styles, output_format), source)| {
            let mut s = match source {
                super::client::Answer::Ok(s) => s,
                other => panic!("RenderOffset: {other:?}"),
            };
            match r.gen_range(0..10) {
                0 => s = format!(" {s}"),
                1 => s = format!("{s}  "),
                2 => s = s.replacen(' ', "  ", 1),
                3 if !s.is_empty() => {
                    let at = r.gen_range(0..s.chars().count());
                    s = s
                        .chars()
                        .enumerate()
                        .map(|(i, c)| if i == at { '7' } else { c })
                        .collect();
                }
                _ => {}
            }
            Case {
                dotnet: vec![
                    s.clone(),
                    styles.to_string(),
                    input_format.to_string(),
                    output_format.to_string(),
                ],
                record: json!({ "s": s, "st": styles, "i": input_format, "o": output_format }),
            }
        })
        .collect()
}

#[test]
fn format_datetime() {
    let cases = format_datetime_cases(case_count(3000));
    run_family(
        "FormatDateTime",
        "FormatDateTime([s], [st], [i], [o])",
        cases,
        &|case, ours, theirs| {
            // A two-digit year from 30 to 49: .NET reads it with the
            // calendar's TwoDigitYearMax, on Windows the system setting (2049
            // by default, which attrmap uses); Mono has no such setting and
            // uses 2029. docs/semantics.md lists this.
            let input_format = &case.dotnet[2];
            let two_digit = input_format.contains("yy") && !input_format.contains("yyy");
            (two_digit && matches!((ours, theirs), (Answer::Ok(a), Answer::Ok(b)) if a != b))
                .then_some("two-digit year 30-49 (TwoDigitYearMax 2049 on Windows, 2029 on Mono)")
        },
    );
}
