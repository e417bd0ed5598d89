//! Runs one oracle family: each case goes to .NET (through the oracle) and to
//! attrmap (one compiled expression over a record), and the answers must
//! agree. Prints one line per family saying what ran.

use super::client::{self, Answer};
use attrmap::eval::{Context, Outcome};
use serde_json::Value as Json;
use std::time::Instant;

/// One generated case: the arguments .NET's family receives, and the record
/// attrmap's expression reads them from.
pub struct Case {
    pub dotnet: Vec<String>,
    pub record: Json,
}

/// Cases of a one-argument family: .NET gets each input, and attrmap's
/// expression reads it from the record's attribute `key`.
pub fn single_argument_cases(key: &str, inputs: Vec<String>) -> Vec<Case> {
    inputs
        .into_iter()
        .map(|input| Case {
            record: serde_json::json!({ key: input }),
            dotnet: vec![input],
        })
        .collect()
}

/// What attrmap gave, in the oracle's terms: a runtime error counts as
/// agreeing with any .NET exception (both refuse the input).
fn attrmap_answer(expr: &attrmap::Expression, record: &Json) -> Answer {
    // The real clock, as .NET's: ParseExact fills a missing date from today.
    match expr.evaluate(record, &mut Context::new().with_now(chrono::Utc::now())) {
        Ok(Outcome::Value(v)) if v.is_null() => Answer::Null,
        Ok(Outcome::Value(v)) => Answer::Ok(v.to_text().into_owned()),
        Ok(other) => Answer::Err(format!("flow: {other:?}")),
        Err(e) => Answer::Err(format!("{}: {}", e.code, e.message)),
    }
}

/// Why a case is left out of the comparison (a documented Mono or .NET
/// difference), or `None` to compare it.
pub type Exclude<'f> = &'f dyn Fn(&Case, &Answer, &Answer) -> Option<&'static str>;

/// Compares every case; panics listing the disagreements, if any.
pub fn run_family(family: &str, expression: &str, cases: Vec<Case>, exclude: Exclude<'_>) {
    let Some(oracle) = client::oracle() else {
        return;
    };
    let expr = attrmap::compile(expression).unwrap_or_else(|e| panic!("{expression}: {e}"));
    let started = Instant::now();
    let asks: Vec<Vec<String>> = cases
        .iter()
        .map(|c| {
            let mut a = vec![family.to_string()];
            a.extend(c.dotnet.iter().cloned());
            a
        })
        .collect();
    let dotnet = oracle.ask(&asks);
    let dotnet_time = started.elapsed();
    let mut agreed = 0;
    let mut refused_by_both = 0;
    let mut excluded: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut disagreements = Vec::new();
    for (case, theirs) in cases.iter().zip(&dotnet) {
        let ours = attrmap_answer(&expr, &case.record);
        if let Some(why) = exclude(case, &ours, theirs) {
            *excluded.entry(why).or_default() += 1;
            continue;
        }
        match (&ours, theirs) {
            (Answer::Err(_), Answer::Err(_)) => refused_by_both += 1,
            (a, b) if a == b => agreed += 1,
            _ => disagreements.push(describe(family, case, &ours, theirs)),
        }
    }
    eprintln!(
        "oracle: {family}: {} cases against Mono in {:.1} s ({agreed} equal values, {refused_by_both} refused by both, {} excluded {excluded:?}), {} disagreements",
        cases.len(),
        dotnet_time.as_secs_f64(),
        excluded.values().sum::<usize>(),
        disagreements.len()
    );
    // ATTRMAP_ORACLE_DUMP=FILE writes every disagreement, one JSON line
    // each, for studying a family's failures as a whole.
    if let Some(path) = std::env::var_os("ATTRMAP_ORACLE_DUMP") {
        let lines: String = cases
            .iter()
            .zip(&dotnet)
            .map(|(case, theirs)| (case, attrmap_answer(&expr, &case.record), theirs))
            .filter(|(case, ours, theirs)| {
                exclude(case, ours, theirs).is_none()
                    && !matches!((ours, theirs), (Answer::Err(_), Answer::Err(_)))
                    && ours != *theirs
            })
            .map(|(case, ours, theirs)| {
                format!(
                    "{}\n",
                    serde_json::json!({"args": case.dotnet, "dotnet": format!("{theirs:?}"), "attrmap": format!("{ours:?}")})
                )
            })
            .collect();
        std::fs::write(path, lines).expect("the dump file is writable");
    }
    if !disagreements.is_empty() {
        let shown: Vec<&String> = disagreements.iter().take(60).collect();
        panic!(
            "{family}: attrmap and .NET disagree on {} of {} cases; the first ones:\n{}",
            disagreements.len(),
            cases.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// One disagreement, readably: for two long values of equal length, only
/// the characters that differ.
fn describe(family: &str, case: &Case, ours: &Answer, theirs: &Answer) -> String {
    if let (Answer::Ok(a), Answer::Ok(b)) = (ours, theirs) {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        if a.len() == b.len() && a.len() > 40 {
            let input: Vec<char> = case.dotnet[0].chars().collect();
            let diffs: Vec<String> = (0..a.len())
                .filter(|&i| a[i] != b[i])
                .map(|i| {
                    format!(
                        "U+{:04X}: .NET U+{:04X}, attrmap U+{:04X}",
                        input.get(i).map_or(0, |&c| c as u32),
                        b[i] as u32,
                        a[i] as u32
                    )
                })
                .collect();
            return format!(
                "  {family}({:?}, …): {}",
                &case.dotnet[1..],
                diffs.join("; ")
            );
        }
    }
    format!(
        "  .NET {family}({:?})\n    .NET:    {theirs:?}\n    attrmap: {ours:?}",
        case.dotnet
    )
}

/// The generator's seed: `ATTRMAP_ORACLE_SEED`, or a fixed one so CI runs
/// are reproducible.
pub fn rng() -> rand::rngs::StdRng {
    use rand::SeedableRng;
    let seed = std::env::var("ATTRMAP_ORACLE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x0A77_12AA_u64);
    rand::rngs::StdRng::seed_from_u64(seed)
}

/// A random string of `len` characters drawn from `alphabet`.
pub fn pick_string(rng: &mut impl rand::Rng, alphabet: &[char], len: usize) -> String {
    (0..len)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
        .collect()
}
