//! Differential tests against .NET itself (Mono's class library): attrmap
//! must give the answer .NET gives, family by family. Each family lives in
//! its own module under tests/oracle/, beside the C# that answers it.
//! `ATTRMAP_ORACLE_CASES=N cargo test --test oracle -- --nocapture` runs N
//! generated cases per family.

#[path = "oracle/client.rs"]
mod client;
#[path = "oracle/compare.rs"]
mod compare;
#[path = "oracle/dates.rs"]
mod dates;
#[path = "oracle/text.rs"]
mod text;

use client::{oracle, Answer};

#[test]
fn protocol_round_trips_any_text() {
    let Some(o) = oracle() else { return };
    let odd = "tab\there\nnewline ü 😀 \u{0} end";
    let answers = o.ask(&[
        vec!["echo".into(), odd.into(), "".into()],
        vec!["no-such-family".into()],
    ]);
    assert_eq!(answers[0], Answer::Ok(format!("{odd}|")));
    assert_eq!(answers[1].error_type(), Some("ArgumentException"));
    eprintln!("oracle: ran the protocol probe on Mono");
}

#[path = "oracle/replace.rs"]
mod replace;

#[path = "oracle/cloud_sync.rs"]
mod cloud_sync;
