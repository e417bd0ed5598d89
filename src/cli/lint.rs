use super::{CliError, CliResult};
use attrmap::lint::{self, output, Config};
use attrmap::Code;
use attrmap::Severity;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct LintArgs {
    /// Files or directories (directories are searched for *.json and *.expr)
    #[arg(required_unless_present_any = ["explain", "rules"])]
    paths: Vec<PathBuf>,
    /// Output format (default: human, on a terminal and in a CI log alike)
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// `--deny warnings` turns warnings into errors
    #[arg(long, value_parser = ["warnings"])]
    deny: Option<String>,
    /// Config file (default: the nearest attrmap.json next to or above each linted file)
    #[arg(long)]
    config: Option<PathBuf>,
    /// Explain a rule: its severity, what it catches, a bad and a good example
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
    /// List every rule code with its summary
    #[arg(long)]
    rules: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

pub fn run(a: LintArgs) -> CliResult {
    if let Some(code) = &a.explain {
        let r = Code::find(code)
            .ok_or_else(|| {
                CliError(format!(
                    "no rule {code:?}; `attrmap lint --rules` lists them"
                ))
            })?
            .spec();
        outln!("{}", r.explain_text());
        return Ok(ExitCode::SUCCESS);
    }
    if a.rules {
        for r in Code::ALL.iter().map(|c| c.spec()) {
            outln!("{:55} {:8} {}", r.code, r.severity.as_str(), r.summary);
        }
        return Ok(ExitCode::SUCCESS);
    }
    // Human everywhere, as ruff, eslint and clippy do: a CI log is read by
    // people; machines ask for json, sarif or github by name.
    let format = a.format.unwrap_or(Format::Human);
    let mut files = Vec::new();
    for p in &a.paths {
        collect(p, &mut files)?;
    }
    let explicit_config = match &a.config {
        Some(p) => Some(read_config(p)?),
        None => None,
    };
    let mut located = Vec::new();
    let mut reports = Vec::new();
    for file in &files {
        let text = std::fs::read(file)
            .map_err(|e| CliError(format!("cannot read {}: {e}", file.display())))?;
        let text = String::from_utf8(text)
            .map_err(|_| CliError(format!("{} is not valid UTF-8", file.display())))?;
        let mut config = match &explicit_config {
            Some(c) => c.clone(),
            None => discover_config(file)?,
        };
        config.deny_warnings = a.deny.is_some();
        // A native mapping file may carry its own "lint" section.
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            if let Some(section) = v.get("lint") {
                config
                    .merge_json(section)
                    .map_err(|e| CliError(format!("{}: {e}", file.display())))?;
            }
        }
        let name = file.display().to_string();
        let diags = lint::lint_file(&name, &text, &config);
        for d in &diags {
            located.push(output::locate(&name, &text, d));
        }
        reports.push((name, text, diags));
    }
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&located)?),
        Format::Sarif => outln!(
            "{}",
            serde_json::to_string_pretty(&output::sarif(&located))?
        ),
        Format::Github => {
            for f in &located {
                outln!("{}", output::github(f));
            }
        }
        Format::Human => {
            for (name, text, diags) in &reports {
                for d in diags {
                    eprintln!("{:?}", d.report(name, text));
                }
            }
        }
    }
    let errors = located
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = located
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    eprintln!(
        "attrmap lint: {} file(s), {errors} error(s), {warnings} warning(s)",
        files.len()
    );
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let meta =
        std::fs::metadata(p).map_err(|e| CliError(format!("cannot read {}: {e}", p.display())))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(|e| CliError(format!("cannot list {}: {e}", p.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            let name = e
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if e.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    collect(&e, out)?;
                }
            } else if (name.ends_with(".json")
                && name != "attrmap.json"
                && name != "package.json"
                && name != "package-lock.json")
                || name.ends_with(".expr")
            {
                out.push(e);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
    Ok(())
}

fn read_config(p: &Path) -> Result<Config, CliError> {
    let text = std::fs::read_to_string(p)
        .map_err(|e| CliError(format!("cannot read {}: {e}", p.display())))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| CliError(format!("{}: {e}", p.display())))?;
    let mut c = Config::default();
    if let Some(section) = v.get("lint") {
        c.merge_json(section)
            .map_err(|e| CliError(format!("{}: {e}", p.display())))?;
    }
    Ok(c)
}

fn discover_config(file: &Path) -> Result<Config, CliError> {
    let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let mut dir = abs.parent();
    while let Some(d) = dir {
        let candidate = d.join("attrmap.json");
        if candidate.is_file() {
            return read_config(&candidate);
        }
        dir = d.parent();
    }
    Ok(Config::default())
}
