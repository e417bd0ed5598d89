//! Mappings, sources, lint and the `attrmap` binary: what the commands read, write and exit with.
//!
//! One test binary for several files (each file is a module here), so
//! `cargo test` links a handful of binaries rather than one per file. A new
//! test file joins a group here (or gets its own `[[test]]` in Cargo.toml):
//! `layout::every_test_file_is_built` fails until it does.

#[path = "cli_contract.rs"]
mod cli_contract;
#[path = "cli_eval.rs"]
mod cli_eval;
#[path = "cli_faults.rs"]
mod cli_faults;
/// Helpers that drive the binary (shared by the map_* files).
mod common;
#[path = "examples.rs"]
mod examples;
#[path = "graph_import.rs"]
mod graph_import;
#[path = "lint.rs"]
mod lint;
#[path = "map_cli.rs"]
mod map_cli;
#[path = "map_faults.rs"]
mod map_faults;
#[path = "map_parallel.rs"]
mod map_parallel;
#[path = "map_requests.rs"]
mod map_requests;
#[path = "scim_server.rs"]
mod scim_server;
#[path = "sources.rs"]
mod sources;
