//! DateFromNum and NumFromDate (AD FILETIME), CDate and FormatDateTime
//! against .NET.

use super::client::case_count;
use super::compare::{rng, run_family, Case};
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
    let cases = filetimes(case_count(2000))
        .into_iter()
        .map(|n| Case {
            dotnet: vec![n.clone()],
            record: json!({ "n": n }),
        })
        .collect();
    run_family("DateFromNum", "DateFromNum([n])", cases, &|_, _, _| None);
}

#[test]
fn filetime_round_trip() {
    let cases = filetimes(case_count(2000))
        .into_iter()
        .map(|n| Case {
            dotnet: vec![n.clone()],
            record: json!({ "n": n }),
        })
        .collect();
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
    let cases = iso_strings(case_count(2000))
        .into_iter()
        .map(|s| Case {
            dotnet: vec![s.clone()],
            record: json!({ "s": s }),
        })
        .collect();
    run_family("NumFromDate", "NumFromDate([s])", cases, &|_, _, _| None);
}

#[test]
fn cdate() {
    let cases = iso_strings(case_count(2000))
        .into_iter()
        .map(|s| Case {
            dotnet: vec![s.clone()],
            record: json!({ "s": s }),
        })
        .collect();
    run_family("CDate", "CDate([s])", cases, &|_, _, _| None);
}
