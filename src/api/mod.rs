//! The high-level API the front ends share: the CLI (`src/cli`) and the
//! WebAssembly bindings (`src/wasm`) are thin clients of this module, so a
//! run option, a context, an outcome's JSON shape, a position or a mapping
//! load is written once.
//!
//! - [`RunOptions`]: now, seed, existing values, engine, object and mode, and
//!   the [`Context`](crate::Context) they build;
//! - [`report`]: serializable outcomes, diagnostics and mapped records;
//! - [`position`]: byte offset → line, column and UTF-16 offset;
//! - [`MapPlan`]: a mapping file loaded and one object mapping compiled;
//! - [`json`]: the JSON API the WebAssembly bindings hand to JavaScript.

pub mod json;
mod mapping;
mod options;
pub mod position;
pub mod report;

pub use mapping::{load_mapping, MapPlan};
pub use options::{parse_default_domain, parse_now, taken_from_lines, Engine, RunOptions};
pub use position::{line_col, LineIndex, Positions};
