//! ConvertToBase64, ToUpper/ToLower with cultures, and PCase against .NET.

use super::client::{case_count, oracle, Answer};
use super::compare::{pick_string, rng, run_family, single_argument_cases, Case};
use rand::Rng;
use serde_json::json;

/// Letters, digits, punctuation and symbols from many scripts, with the
/// characters the case functions treat specially (Turkish i, final sigma,
/// ß, title-case digraphs, the apostrophe).
fn alphabet() -> Vec<char> {
    let mut chars: Vec<char> = "aBcDeFgHiIjKlLmNoOpQrStUvWxYz0123456789 '-_.,()&/\t"
        .chars()
        .collect();
    chars.extend("ÀÉÎÕÜàéîõüßÆæØøÅåÇçÑñıİiIŁłŒœ".chars());
    chars.extend("ǄǅǆǇǈǉǊǋǌǱǲǳ".chars());
    chars.extend("ΑΒΓΔΣσςΩάέήίόύώΐΰαβγδ".chars());
    chars.extend("АБВГДЕЖЗИЙабвгдежзийЁёЇїЎў".chars());
    chars.extend("ԱԲԳաբգ".chars());
    chars.extend("日本語中文한국어ひらがなカタカナ".chars());
    chars.extend("אבגדשלוםمرحبا".chars());
    chars.extend("देवनागरी".chars());
    chars.extend("–—‘’“”«»!?#%*+<=>|~$€£¢¨¯´©®°¶§".chars());
    chars.extend("ﬁﬀ".chars());
    chars.extend("\u{301}\u{308}\u{200d}\u{a0}".chars());
    chars.extend("😀🎉𝐀𝐚".chars());
    chars
}

fn random_texts(n: usize) -> Vec<String> {
    let mut r = rng();
    let alphabet = alphabet();
    let mut out: Vec<String> = [
        "",
        "Hello world!",
        "O'NEIL",
        "o'neil",
        "1st 2ND 3rd",
        "PABLO GONSALVES (SECOND)",
        "GREGORY JAMES",
        "jean-luc picard",
        "mary-kate o'brien-smith",
        "ÉLODIE ÇAĞLAR",
        "ǆemal ǈubica",
        "ΣΙΣΥΦΟΣ",
        "İstanbul ıi",
        "straße",
        "x1y2 a_b",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    while out.len() < n {
        let len = r.gen_range(0..24);
        out.push(pick_string(&mut r, &alphabet, len));
    }
    out
}

#[test]
fn convert_to_base64() {
    let cases = single_argument_cases("s", random_texts(case_count(2000)));
    run_family(
        "ConvertToBase64",
        "ConvertToBase64([s])",
        cases,
        &|_, _, _| None,
    );
}

/// Culture names Mono knows, with the two whose casing differs (tr, az).
const CULTURES: &[&str] = &[
    "",
    "en-US",
    "en",
    "tr-TR",
    "tr",
    "az",
    "az-Latn-AZ",
    "de-DE",
    "fr-FR",
    "lt-LT",
    "el-GR",
    "ru-RU",
    "ja-JP",
    "nl-NL",
    "pl-PL",
    "es-ES",
    "EN-us",
];

fn case_cases(n: usize) -> Vec<Case> {
    let mut r = rng();
    random_texts(n)
        .into_iter()
        .map(|s| {
            let culture = CULTURES[r.gen_range(0..CULTURES.len())];
            Case {
                dotnet: vec![s.clone(), culture.to_string()],
                record: json!({ "s": s, "c": culture }),
            }
        })
        .collect()
}

#[test]
fn to_upper_with_cultures() {
    run_family(
        "ToUpper",
        "ToUpper([s], [c])",
        case_cases(case_count(2000)),
        &|_, _, _| None,
    );
}

#[test]
fn to_lower_with_cultures() {
    run_family(
        "ToLower",
        "ToLower([s], [c])",
        case_cases(case_count(2000)),
        &|_, _, _| None,
    );
}

#[test]
fn pcase_is_title_case_of_the_lower_cased_text() {
    let cases = single_argument_cases("s", random_texts(case_count(2000)));
    run_family("PCase", "PCase([s])", cases, &|_, _, _| None);
}

/// The reference says PCase calls ToTitleCase; .NET settles the two
/// questions the reference leaves open: an apostrophe does not start a new
/// word (`O'neil`), a digit does not belong to the word after it (`1St`).
#[test]
fn pcase_settles_apostrophes_and_digits() {
    let Some(o) = oracle() else { return };
    let ask = |f: &str, s: &str| o.ask(&[vec![f.into(), s.into()]]).remove(0);
    assert_eq!(ask("ToTitleCase", "o'neil"), Answer::Ok("O'neil".into()));
    assert_eq!(ask("ToTitleCase", "1st"), Answer::Ok("1St".into()));
    assert_eq!(ask("PCase", "O'NEIL"), Answer::Ok("O'neil".into()));
    assert_eq!(ask("PCase", "1ST"), Answer::Ok("1St".into()));
    // ToTitleCase alone keeps a word in capitals; PCase lowers it, as the reference shows.
    assert_eq!(ask("ToTitleCase", "PABLO"), Answer::Ok("PABLO".into()));
}

/// Every BMP character (surrogates aside), in blocks of 256, for the
/// invariant culture, a plain culture and a Turkish one: checks each table
/// character by character. A character Mono's Unicode tables do not know, or
/// whose attrmap mapping they do not know, is left out: those case pairs are
/// newer than Mono (Cherokee small letters, Georgian Mtavruli, Latin
/// Extended-D and others), and .NET, whose tables are current, maps them as
/// attrmap does.
/// Case pairs added in Unicode 5.1 to 6.1: Mono's category table knows
/// these letters but its case table predates the pairs. .NET maps them.
fn newer_case_pair(c: char) -> bool {
    matches!(c as u32,
        0x023F | 0x0240 | 0x0252 | 0x0265 | 0x0266 | 0x0524..=0x0527 | 0x10C7 | 0x10CD
        | 0x2C70 | 0x2C7E | 0x2C7F | 0x2CEB..=0x2CF3 | 0x2D27 | 0x2D2D | 0xA660 | 0xA661
        | 0xA78D | 0xA790..=0xA7AA)
}

/// Mono lower-cases the Greek upsilon-with-hook symbols (U+03D2 to U+03D4) to
/// upsilons under a named culture; Unicode gives them no lower case, and
/// .NET on ICU keeps them.
fn mono_upsilon_symbol(c: char) -> bool {
    matches!(c as u32, 0x03D2..=0x03D4)
}

fn bmp_table_check(family: &str) {
    let Some(o) = oracle() else { return };
    let expr = attrmap::compile(&format!("{family}([s], [c])")).unwrap();
    let started = std::time::Instant::now();
    let (mut compared, mut newer, mut mono_quirk, mut bad) = (0, 0, 0, Vec::new());
    for culture in ["", "en-US", "tr-TR"] {
        let blocks: Vec<String> = (0..256u32)
            .map(|b| {
                (b * 256..b * 256 + 256)
                    .filter_map(char::from_u32)
                    .collect()
            })
            .collect();
        let ours: Vec<String> = blocks
            .iter()
            .map(|s| {
                let record = json!({ "s": s, "c": culture });
                let out = expr
                    .evaluate(&record, &mut attrmap::Context::new())
                    .unwrap();
                match out {
                    attrmap::Outcome::Value(v) => v.to_text().into_owned(),
                    other => panic!("{other:?}"),
                }
            })
            .collect();
        let mut asks = Vec::new();
        for (s, t) in blocks.iter().zip(&ours) {
            asks.push(vec![family.to_string(), s.clone(), culture.to_string()]);
            asks.push(vec!["Assigned".to_string(), s.clone()]);
            asks.push(vec!["Assigned".to_string(), t.clone()]);
        }
        let answers = o.ask(&asks);
        for (i, (s, t)) in blocks.iter().zip(&ours).enumerate() {
            let text = |a: &Answer| match a {
                Answer::Ok(x) => x.chars().collect::<Vec<char>>(),
                other => panic!("{other:?}"),
            };
            let (theirs, known, known_target) = (
                text(&answers[3 * i]),
                text(&answers[3 * i + 1]),
                text(&answers[3 * i + 2]),
            );
            for (j, ((c, a), b)) in s.chars().zip(t.chars()).zip(theirs).enumerate() {
                if known[j] == '0'
                    || known_target[j] == '0'
                    || newer_case_pair(c)
                    || newer_case_pair(a)
                {
                    newer += 1;
                } else if mono_upsilon_symbol(c) {
                    mono_quirk += 1;
                } else if a == b {
                    compared += 1;
                } else {
                    bad.push(format!(
                        "{family}(U+{:04X}, {culture:?}): .NET U+{:04X}, attrmap U+{:04X}",
                        c as u32, b as u32, a as u32
                    ));
                }
            }
        }
    }
    eprintln!(
        "oracle: {family} table: {compared} BMP characters × cultures equal, {newer} newer than Mono's Unicode tables and {mono_quirk} Mono quirks left out, {} disagreements, {:.1} s",
        bad.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn to_upper_on_every_bmp_character() {
    bmp_table_check("ToUpper");
}

#[test]
fn to_lower_on_every_bmp_character() {
    bmp_table_check("ToLower");
}
