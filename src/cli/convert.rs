//! `attrmap convert`: native ↔ Graph synchronization schema.

use super::{read_input, CliError, CliResult};
use attrmap::mapping::{self, convert, Format};
use std::io::Write as _;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ConvertArgs {
    /// Mapping file in either format (`-` for standard input)
    file: String,
    /// Output format; by default the other one
    #[arg(long, value_enum)]
    to: Option<To>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum To {
    Graph,
    Native,
}

pub fn run(a: ConvertArgs) -> CliResult {
    let src = String::from_utf8(read_input(&a.file)?)
        .map_err(|_| CliError(format!("{} is not valid UTF-8", a.file)))?;
    let loaded = match mapping::load(&src) {
        Ok(l) => l,
        Err(d) => {
            eprintln!("{:?}", d.report(&a.file, &src));
            return Ok(ExitCode::from(1));
        }
    };
    for d in &loaded.diagnostics {
        eprintln!("{:?}", d.clone().report(&a.file, &src));
    }
    if loaded.has_errors() {
        return Ok(ExitCode::from(1));
    }
    let to = a.to.unwrap_or(match loaded.set.format {
        Format::Graph => To::Native,
        Format::Native => To::Graph,
    });
    match to {
        To::Graph => match convert::to_graph(&loaded.set) {
            Ok(j) => {
                let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&j)?);
            }
            Err(diags) => {
                for d in diags {
                    eprintln!("{:?}", d.report(&a.file, &src));
                }
                return Ok(ExitCode::from(1));
            }
        },
        To::Native => {
            let (text, warnings) = convert::to_native(&loaded.set);
            for d in warnings {
                eprintln!("{:?}", d.report(&a.file, &src));
            }
            let _ = write!(std::io::stdout(), "{text}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
