use super::CliResult;
use attrmap::catalogue::{CATALOGUE, KEYWORDS};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct FunctionsArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    /// The Markdown table of docs/functions.md
    Markdown,
}

pub fn run(a: FunctionsArgs) -> CliResult {
    match a.format {
        Format::Markdown => out!("{}", attrmap::catalogue::markdown_table()),
        Format::Json => {
            let list: Vec<serde_json::Value> = CATALOGUE
                .iter()
                .map(|f| {
                    let mut v = serde_json::to_value(f).unwrap_or_default();
                    v["signature"] = f.signature().into();
                    v
                })
                .collect();
            outln!("{}", serde_json::to_string_pretty(&list)?);
        }
        Format::Text => {
            let width = CATALOGUE
                .iter()
                .map(|f| f.signature().len())
                .max()
                .unwrap_or(0);
            for f in CATALOGUE {
                let mark = match f.provenance.note() {
                    "" => String::new(),
                    note => format!("  ({note})"),
                };
                outln!("{:width$}  {}{mark}", f.signature(), f.summary);
            }
            outln!();
            for k in KEYWORDS {
                outln!("{:width$}  {}", k.name, k.summary);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
