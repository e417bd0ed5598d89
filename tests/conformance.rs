//! Runs the conformance vectors on both engines, with a ratchet: vectors for
//! functions not implemented yet are listed in `tests/conformance/pending.txt`.
//! An unlisted failure fails the test, and so does a listed vector that now
//! passes, so the list can only shrink.

use std::collections::BTreeSet;

fn listed(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn conformance_vectors_with_ratchet() {
    let vectors = attrmap::conformance::load(include_str!("conformance/vectors.json"))
        .expect("vectors.json parses");
    assert!(vectors.len() >= 90, "the vector file looks truncated");
    let pending = listed(include_str!("conformance/pending.txt"));
    let errata = listed(include_str!("conformance/errata.txt"));
    let mut unexpected_failures = Vec::new();
    let mut now_passing = Vec::new();
    for v in &vectors {
        let result = attrmap::conformance::run(v);
        match (
            result,
            pending.contains(&v.name) || errata.contains(&v.name),
        ) {
            (Err(why), false) => unexpected_failures.push(format!("{}: {why}", v.name)),
            (Ok(()), true) => now_passing.push(v.name.clone()),
            _ => {}
        }
    }
    let names: BTreeSet<&str> = vectors.iter().map(|v| v.name.as_str()).collect();
    let stale: Vec<&String> = pending
        .iter()
        .chain(errata.iter())
        .filter(|p| !names.contains(p.as_str()))
        .collect();
    assert!(
        stale.is_empty(),
        "pending.txt or errata.txt names vectors that do not exist: {stale:?}"
    );
    assert!(
        unexpected_failures.is_empty(),
        "vectors failed:\n{}",
        unexpected_failures.join("\n")
    );
    assert!(
        now_passing.is_empty(),
        "these vectors pass now: remove them from tests/conformance/pending.txt or errata.txt:\n{}",
        now_passing.join("\n")
    );
}
