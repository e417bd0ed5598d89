//! The expression language: parser, checker, both engines, the function catalogue and its docs, conformance vectors, the fuzz corpus.
//!
//! One test binary for several files (each file is a module here), so
//! `cargo test` links a handful of binaries rather than one per file. A new
//! test file joins a group here (or gets its own `[[test]]` in Cargo.toml):
//! `layout::every_test_file_is_built` fails until it does.

#[path = "check.rs"]
mod check;
#[path = "conformance.rs"]
mod conformance;
#[path = "differential.rs"]
mod differential;
#[path = "docs.rs"]
mod docs;
#[path = "functions.rs"]
mod functions;
#[path = "fuzz_corpus.rs"]
mod fuzz_corpus;
#[path = "grammar.rs"]
mod grammar;
#[path = "support/layout.rs"]
mod layout;
#[path = "ms_expressions.rs"]
mod ms_expressions;
