use super::{read_input, CliError, CliResult};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ConformanceArgs {
    /// Vector files (JSON arrays; see tests/conformance/README.md)
    #[arg(required = true)]
    files: Vec<String>,
}

pub fn run(a: ConformanceArgs) -> CliResult {
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &a.files {
        let bytes = read_input(file)?;
        let text =
            String::from_utf8(bytes).map_err(|_| CliError(format!("{file} is not valid UTF-8")))?;
        let vectors =
            attrmap::conformance::load(&text).map_err(|e| CliError(format!("{file}: {e}")))?;
        for v in &vectors {
            match attrmap::conformance::run(v) {
                Ok(()) => passed += 1,
                Err(why) => {
                    failed += 1;
                    println!("FAIL {} ({}): {why}", v.name, v.expr);
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
