//! The Cloud Sync functions whose meaning .NET defines, against .NET: Trim
//! (String.Trim), ConvertFromBase64 (Convert.FromBase64String then the
//! encoding's GetString) and StringFromSID (SecurityIdentifier.ToString).

use super::client::{case_count, Answer};
use super::compare::{pick_string, rng, run_family, single_argument_cases, Case};
use rand::Rng;
use serde_json::json;

/// Standard base64 with padding, as .NET's Convert.ToBase64String writes
/// it: the protocol's own encoder.
fn base64(bytes: impl AsRef<[u8]>) -> String {
    super::client::encode(bytes.as_ref())
}

/// Every character .NET or Unicode counts as white space, the ones that
/// look like it but are not (zero-width space, BOM, Mongolian vowel
/// separator), and ordinary text around them.
const SPACES: &str = "\t\n\u{b}\u{c}\r \u{85}\u{a0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{200b}\u{feff}\u{180e}\u{1c}\u{1d}\u{1e}\u{1f}\u{0}";

fn trim_texts(n: usize) -> Vec<String> {
    let mut r = rng();
    let spaces: Vec<char> = SPACES.chars().collect();
    let words: Vec<char> = "ab Zé日😀-_.,".chars().collect();
    let mut out: Vec<String> = [" Test ", "", "   ", "\u{3000}x\u{3000}", "x"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    while out.len() < n {
        let lead = r.gen_range(0..4);
        let mid = r.gen_range(0..6);
        let tail = r.gen_range(0..4);
        let mut s = pick_string(&mut r, &spaces, lead);
        s.push_str(&pick_string(&mut r, &words, mid));
        if r.gen_bool(0.3) {
            s.push_str(&pick_string(&mut r, &spaces, 1));
            s.push_str(&pick_string(&mut r, &words, 2));
        }
        s.push_str(&pick_string(&mut r, &spaces, tail));
        out.push(s);
    }
    out
}

#[test]
fn trim() {
    let cases = single_argument_cases("s", trim_texts(case_count(2000)));
    run_family("Trim", "Trim([s])", cases, &|_, _, _| None);
}

/// Base64 texts: well-formed encodings of text in each encoding and of
/// random bytes (invalid UTF-8, odd lengths, bytes past ASCII), with white
/// space inside, and malformed ones (bad padding, a stray character, a
/// group cut short) that .NET refuses.
fn base64_texts(n: usize) -> Vec<String> {
    let mut r = rng();
    let alphabet: Vec<char> = "Hello wörld! 日本語 😀 ĳ\u{0}\u{7f}".chars().collect();
    let mut out: Vec<String> = [
        "SABlAGwAbABvACAAdwBvAHIAbABkACEA",
        "SGVsbG8gd29ybGQh",
        "",
        "====",
        "SGVsbG8",
        "SGVsbG8=",
        "SGVsbA==",
        "SGVsbA=",
        "SGV sbG8g\td29y\r\nbGQh",
        "SGVs*G8=",
        "SGVsbG8gd29ybGQh=",
        "A===",
        "AB==",
        "ABC=",
        "AB=C",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    while out.len() < n {
        let bytes: Vec<u8> = match r.gen_range(0..4) {
            0 => {
                let len = r.gen_range(0..12);
                let s = pick_string(&mut r, &alphabet, len);
                s.encode_utf16().flat_map(u16::to_le_bytes).collect()
            }
            1 => {
                let len = r.gen_range(0..12);
                pick_string(&mut r, &alphabet, len).into_bytes()
            }
            _ => (0..r.gen_range(0..16)).map(|_| r.gen()).collect(),
        };
        let mut text = base64(&bytes);
        match r.gen_range(0..10) {
            // White space where .NET skips it.
            0 if !text.is_empty() => {
                let at = r.gen_range(0..=text.len());
                text.insert(at, [' ', '\t', '\r', '\n'][r.gen_range(0..4)]);
            }
            // A character outside the alphabet.
            1 if !text.is_empty() => {
                let at = r.gen_range(0..text.len());
                text.replace_range(at..at + 1, ["*", "-", "_", "é", "="][r.gen_range(0..5)]);
            }
            // Padding removed or a character dropped.
            2 => text = text.trim_end_matches('=').to_string(),
            3 if !text.is_empty() => {
                text.pop();
            }
            _ => {}
        }
        out.push(text);
    }
    out
}

/// The same text but for how many U+FFFD stand for an ill-formed UTF-8
/// sequence: .NET Core 3.0 and later (and attrmap) replace each maximal
/// subpart, as the Unicode Standard recommends; Mono keeps the older rule,
/// which may give one U+FFFD for a lead byte and its continuation bytes.
fn ill_formed_utf8_replacement(
    case: &Case,
    ours: &Answer,
    theirs: &Answer,
) -> Option<&'static str> {
    let collapse = |s: &str| {
        let mut out = String::new();
        for c in s.chars() {
            if !(c == '\u{FFFD}' && out.ends_with('\u{FFFD}')) {
                out.push(c);
            }
        }
        out
    };
    match (ours, theirs) {
        (Answer::Ok(a), Answer::Ok(b))
            if case.dotnet[1] == "UTF8" && a != b && collapse(a) == collapse(b) =>
        {
            Some("ill-formed UTF-8: U+FFFD per maximal subpart (.NET Core 3.0+) or per Mono's older rule")
        }
        _ => None,
    }
}

#[test]
fn convert_from_base64_in_each_encoding() {
    let texts = base64_texts(case_count(2000));
    for (expression, encoding) in [
        ("ConvertFromBase64([s])", "Unicode"),
        ("ConvertFromBase64([s], Unicode)", "Unicode"),
        ("ConvertFromBase64([s], UTF8)", "UTF8"),
        ("ConvertFromBase64([s], ASCII)", "ASCII"),
    ] {
        let cases = texts
            .iter()
            .map(|s| Case {
                dotnet: vec![s.clone(), encoding.to_string()],
                record: json!({ "s": s }),
            })
            .collect();
        run_family(
            "ConvertFromBase64",
            expression,
            cases,
            &ill_formed_utf8_replacement,
        );
    }
}

/// SID bytes: revision, sub-authority count, a 48-bit big-endian identifier
/// authority (small ones, and ones past 2^32 that .NET prints in hex), then
/// the little-endian sub-authorities; and broken ones (another revision,
/// more than 15 sub-authorities, cut short, extra bytes after the end).
fn sid_texts(n: usize) -> Vec<String> {
    let mut r = rng();
    let mut out = vec![
        // S-1-5-18 (Local System) and a domain user.
        "AQEAAAAAAAUSAAAA".to_string(),
        base64([
            1u8, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0x8a, 0x4b, 0x21, 0x4f, 0x11, 0x22, 0x33, 0x44,
            0x55, 0x66, 0x77, 0x08, 0xe9, 0x03, 0, 0,
        ]),
        "S-1-5-18".to_string(),
        String::new(),
    ];
    while out.len() < n {
        let count: u8 = if r.gen_bool(0.05) {
            r.gen_range(16..=255)
        } else {
            r.gen_range(0..=15)
        };
        let revision: u8 = if r.gen_bool(0.05) { r.gen() } else { 1 };
        let authority: u64 = match r.gen_range(0..4) {
            0 => r.gen_range(0..=18),
            1 => r.gen_range(0..=u32::MAX as u64),
            2 => r.gen_range(u32::MAX as u64..(1u64 << 48)),
            _ => 5,
        };
        let mut bytes = vec![revision, count];
        bytes.extend_from_slice(&authority.to_be_bytes()[2..]);
        for _ in 0..count.min(15) {
            let sub: u32 = if r.gen_bool(0.3) {
                r.gen_range(0..1000)
            } else {
                r.gen()
            };
            bytes.extend_from_slice(&sub.to_le_bytes());
        }
        match r.gen_range(0..10) {
            0 => {
                let cut = r.gen_range(0..bytes.len());
                bytes.truncate(cut);
            }
            1 => bytes.extend((0..r.gen_range(1..6)).map(|_| r.gen::<u8>())),
            _ => {}
        }
        out.push(base64(&bytes));
    }
    out
}

#[test]
fn string_from_sid() {
    let cases = single_argument_cases("s", sid_texts(case_count(2000)));
    run_family("StringFromSID", "StringFromSID([s])", cases, &|_, _, _| {
        None
    });
}
