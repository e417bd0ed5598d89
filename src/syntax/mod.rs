//! Front end: pest grammar → AST with spans.

mod ast;
mod parser;

pub use ast::*;
pub use parser::{parse, unescape_string, Limits};
