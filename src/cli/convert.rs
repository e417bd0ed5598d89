//! `attrmap convert`: native ↔ Graph synchronization schema.

use super::{load_mapping, write_stdout, CliResult};
use attrmap::mapping::{convert, Format};
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
    // Validated as `attrmap map` would: a mapping that cannot run is not
    // written out in another format.
    let Some((src, loaded)) = load_mapping(&a.file, true)? else {
        return Ok(ExitCode::from(1));
    };
    let to = a.to.unwrap_or(match loaded.set.format {
        Format::Graph => To::Native,
        Format::Native => To::Graph,
    });
    let text = match to {
        To::Graph => match convert::to_graph(&loaded.set) {
            Ok(j) => serde_json::to_string_pretty(&j)? + "\n",
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
            text
        }
    };
    write_stdout(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
