use super::{read_input, CliError, CliResult};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ConformanceArgs {
    /// Vector files (JSON arrays; see tests/conformance/README.md)
    #[arg(required = true)]
    files: Vec<String>,
    /// File listing vectors whose documented output is a known erratum of the
    /// reference (one name per line, `#` comments): they are reported as
    /// skipped while they fail, and as failures if they start to pass
    #[arg(long)]
    errata: Option<String>,
}

pub fn run(a: ConformanceArgs) -> CliResult {
    let errata: std::collections::BTreeSet<String> = match &a.errata {
        None => Default::default(),
        Some(path) => String::from_utf8_lossy(&read_input(path)?)
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
    };
    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    for file in &a.files {
        let bytes = read_input(file)?;
        let text =
            String::from_utf8(bytes).map_err(|_| CliError(format!("{file} is not valid UTF-8")))?;
        let vectors =
            attrmap::conformance::load(&text).map_err(|e| CliError(format!("{file}: {e}")))?;
        for v in &vectors {
            match attrmap::conformance::run(v) {
                Ok(()) if errata.contains(&v.name) => {
                    failed += 1;
                    outln!("FAIL {}: listed as an erratum but passes now; remove it from the errata file", v.name);
                }
                Ok(()) => passed += 1,
                Err(why) if errata.contains(&v.name) => {
                    skipped += 1;
                    outln!("SKIP {} (known erratum of the reference): {why}", v.name);
                }
                Err(why) => {
                    failed += 1;
                    outln!("FAIL {} ({}): {why}", v.name, v.expr);
                }
            }
        }
    }
    if skipped > 0 {
        outln!("{passed} passed, {failed} failed, {skipped} skipped");
    } else {
        outln!("{passed} passed, {failed} failed");
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
