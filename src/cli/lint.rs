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
    let mut skipped = Vec::new();
    for p in &a.paths {
        collect(p, &mut files, &mut skipped)?;
    }
    for note in &skipped {
        eprintln!("note: {note}");
    }
    let explicit_config = match &a.config {
        Some(p) => Some(read_config(p)?),
        None => None,
    };
    let mut located = Vec::new();
    let mut reports = Vec::new();
    for file in &files {
        let text = super::read_text_file(file)?;
        let config = config_for(file, &text, explicit_config.as_ref(), a.deny.is_some())?;
        let name = file.display().to_string();
        let diags = lint::lint_file(&name, &text, &config);
        let lines = output::LineIndex::new(&text);
        for d in &diags {
            located.push(output::locate_in(&name, &text, &lines, d));
        }
        reports.push((name, text, lines, diags));
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
        Format::Human => print_human(&reports),
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
        "attrmap lint: {} file(s), {errors} error(s), {warnings} warning(s){}",
        files.len(),
        match skipped.len() {
            0 => String::new(),
            n => format!(", {n} skipped (see the notes above)"),
        }
    );
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The configuration one file is linted with: the `--config` file or the one
/// discovered beside it, then the file's own "lint" section (a native
/// mapping file may carry one).
fn config_for(
    file: &Path,
    text: &str,
    explicit: Option<&Config>,
    deny_warnings: bool,
) -> Result<Config, CliError> {
    let mut config = match explicit {
        Some(c) => c.clone(),
        None => discover_config(file)?,
    };
    config.deny_warnings = deny_warnings;
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        if let Some(section) = v.get("lint") {
            config
                .merge_json(section)
                .map_err(|e| CliError(format!("{}: {e}", file.display())))?;
        }
    }
    Ok(config)
}

/// Human reports on stderr, file by file.
fn print_human(reports: &[(String, String, output::LineIndex, Vec<attrmap::Diagnostic>)]) {
    for (name, text, lines, diags) in reports {
        // One shared, indexed copy of the text for all the file's
        // reports: each snippet then costs its few lines, not the file.
        let source = attrmap::diagnostic::SharedSource::new(text);
        for d in diags {
            if refused_whole(d) {
                // Not a mapping at all: whatever it holds (a
                // secrets file, an environment) is not shown.
                let f = output::locate_in(name, text, lines, d);
                eprintln!(
                    "{}:{}:{}: {} [{}]",
                    f.file, f.line, f.column, f.message, f.code
                );
            } else {
                eprintln!("{:?}", d.report_in(name, source.clone()));
            }
        }
    }
}

/// A file that failed to load as a mapping at all (not JSON, or JSON of
/// another shape): it may be anything, so its text is never printed.
fn refused_whole(d: &attrmap::Diagnostic) -> bool {
    matches!(d.code, Code::MappingJson | Code::MappingFormat)
}

/// Names of files a directory walk lints.
fn lintable(name: &str) -> bool {
    (name.ends_with(".json")
        && name != "attrmap.json"
        && name != "package.json"
        && name != "package-lock.json")
        || name.ends_with(".expr")
}

/// What a directory entry that is not a regular file is, for the note.
fn kind(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if t.is_symlink() {
        "a symbolic link (links inside a directory are not followed; name its target to lint it)"
    } else {
        "not a regular file"
    }
}

/// Collects the files to lint. A path named on the command line is used
/// whatever its name, following a symlink (the user chose it), but it must
/// be a regular file or a directory. A directory is walked as ripgrep walks
/// (the `ignore` crate): symbolic links are not followed, so no loop and no
/// link to `/proc` or `/dev` is entered; hidden entries, `target`,
/// `node_modules` and whatever `.gitignore`, `.ignore` or git's exclude
/// files list are skipped; of the rest, regular files named `*.json` or
/// `*.expr` are linted. A lintable name that is a link, a FIFO or a device
/// is skipped with a note naming it; its content is never read.
fn collect(p: &Path, out: &mut Vec<PathBuf>, skipped: &mut Vec<String>) -> Result<(), CliError> {
    let meta =
        std::fs::metadata(p).map_err(|e| CliError(format!("cannot read {}: {e}", p.display())))?;
    if meta.is_file() {
        out.push(p.to_path_buf());
        return Ok(());
    }
    if !meta.is_dir() {
        return Err(CliError(format!(
            "{} is {}: lint reads regular files and directories",
            p.display(),
            kind(meta.file_type())
        )));
    }
    let walk = ignore::WalkBuilder::new(p)
        .follow_links(false)
        // .gitignore counts outside a git checkout too (an exported tree).
        .require_git(false)
        .filter_entry(|e| {
            let dir = e.file_type().is_some_and(|t| t.is_dir());
            !(dir
                && e.depth() > 0
                && matches!(e.file_name().to_str(), Some("target" | "node_modules")))
        })
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                skipped.push(format!("skipped: {e}"));
                continue;
            }
        };
        let Some(t) = entry.file_type() else { continue };
        // stat, not open: a link's target is never read.
        let links_to_dir =
            t.is_symlink() && std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
        if links_to_dir {
            skipped.push(format!("skipped {}: {}", entry.path().display(), kind(t)));
            continue;
        }
        if t.is_dir() || !lintable(&entry.file_name().to_string_lossy()) {
            continue;
        }
        if t.is_file() {
            out.push(entry.into_path());
        } else {
            skipped.push(format!("skipped {}: {}", entry.path().display(), kind(t)));
        }
    }
    Ok(())
}

fn read_config(p: &Path) -> Result<Config, CliError> {
    let text = super::read_text_file(p)?;
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
