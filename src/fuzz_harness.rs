//! Entry points shared by the fuzz targets (`fuzz/`) and the corpus replay
//! test (`tests/fuzz_corpus.rs`), so a crash found by the fuzzer is replayed
//! by `cargo test` on stable forever after. Not part of the public API.

use crate::eval::{Context, TakenSet};

/// Parses arbitrary text as an expression. Must never panic.
pub fn parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::syntax::parse(&text, &crate::Limits::default());
}

/// First line: an expression. The rest: a JSON user (or `{}` when it is not
/// one). Compiles, then runs the VM and the AST evaluator and panics if they
/// disagree: that is a bug in one of them.
pub fn differential(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (expr, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(compiled) = crate::compile(expr) else {
        return;
    };
    let user: serde_json::Value =
        serde_json::from_str(rest).unwrap_or_else(|_| serde_json::json!({}));
    let taken = TakenSet(["taken".to_string()].into_iter().collect());
    let now = chrono::DateTime::from_timestamp(1_629_913_278, 0).unwrap_or_default();
    let mut c1 = Context::new()
        .with_seed(1)
        .with_oracle(&taken)
        .with_now(now);
    let mut c2 = Context::new()
        .with_seed(1)
        .with_oracle(&taken)
        .with_now(now);
    let vm = compiled.evaluate(&user, &mut c1);
    let ast = compiled.evaluate_ast(&user, &mut c2);
    let describe = |r: &crate::eval::EvalResult<'_>| match r {
        Ok(crate::Outcome::Value(v)) => format!("value {}", v.to_json()),
        Ok(o) => format!("{o:?}"),
        Err(e) => format!("error {} {:?}", e.code, e.span),
    };
    assert_eq!(
        describe(&vm),
        describe(&ast),
        "VM and AST evaluator disagree on {expr:?} with {user}"
    );
    // The disassembler must cope with anything the compiler emits.
    let _ = compiled.disassemble();
}

/// First line: a .NET date/time format. Rest: a value to parse with it. The
/// format must tokenize or be refused, and whatever it parses must render.
pub fn format_datetime(data: &[u8]) {
    use crate::functions::datefmt;
    let text = String::from_utf8_lossy(data);
    let (format, value) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(tokens) = datefmt::tokenize(format) else { return };
    let rendered = datefmt::render(&datefmt::sample_instant(), &tokens);
    let _ = datefmt::parse(&rendered, &tokens);
    if let Some(instant) = datefmt::parse(value, &tokens) {
        let _ = datefmt::render(&instant, &tokens);
    }
}
