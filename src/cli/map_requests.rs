//! `attrmap map --emit requests`: the command-line side of
//! `attrmap::mapping::requests` (reading the files, writing the lines).

use super::map::{MapArgs, ModeArg};
use super::output::install_stop_handler;
use super::{parse_now, read_existing, read_input, CliError, CliResult};
use attrmap::eval::{Context, TakenSet};
use attrmap::mapping::builder::{compile_object, BatchOracle, CompiledObject};
use attrmap::mapping::requests::{Dialect, RequestBatch, TargetState};
use attrmap::mapping::{MappingSet, ObjectType};
use std::io::Write;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DialectArg {
    Default,
    #[value(name = "aadOptscim062020")]
    AadOptscim062020,
}

fn text_of(path: &str) -> Result<String, CliError> {
    String::from_utf8(read_input(path)?).map_err(|_| CliError(format!("{path} is not valid UTF-8")))
}

/// The request-only options make no sense with resources: say so rather
/// than ignore them.
pub fn refuse_request_options(a: &MapArgs) -> Result<(), CliError> {
    for (given, name) in [
        (a.target_state.is_some(), "--target-state"),
        (a.references.is_some(), "--references"),
        (a.patch_dialect != DialectArg::Default, "--patch-dialect"),
    ] {
        if given {
            return Err(CliError(format!(
                "{name} applies to --emit requests only; add --emit requests"
            )));
        }
    }
    Ok(())
}

pub fn run(a: &MapArgs, set: &MappingSet, compiled: &CompiledObject, src: &str) -> CliResult {
    if a.mode == ModeArg::Update {
        return Err(CliError(
            "--mode does not apply to --emit requests: an object found in --target-state is \
             updated, any other is created"
                .into(),
        ));
    }
    if a.jobs != 1 {
        eprintln!("note: --emit requests maps on one thread (references cross records)");
    }
    let target = match &a.target_state {
        Some(p) => TargetState::from_jsonl(&text_of(p)?)
            .map_err(|e| CliError(format!("--target-state {p}: {e}")))?,
        None => TargetState::default(),
    };
    // References are to users: a group run finds its members with the
    // mapping's User object.
    let user_mapping = match &a.references {
        Some(_) => Some(compile_object(set, ObjectType::User, src).map_err(|_| {
            CliError(
                "--references needs the mapping's User object mapping, which does not compile"
                    .into(),
            )
        })?),
        None => None,
    };
    let referenced: Vec<serde_json::Value> = match &a.references {
        Some(p) => text_of(p)?
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| {
                serde_json::from_str(l)
                    .map_err(|e| CliError(format!("--references {p}: line {}: {e}", n + 1)))
            })
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    let existing = match &a.existing {
        Some(p) => read_existing(p)?,
        None => TakenSet::default(),
    };
    let oracle = BatchOracle::new(&existing);
    let mut ctx = Context::new().with_oracle(&oracle);
    if let Some(n) = a.now.as_deref().map(parse_now).transpose()? {
        ctx = ctx.with_now(n);
    }
    if let Some(s) = a.seed {
        ctx = ctx.with_seed(s);
    }
    let batch = RequestBatch {
        compiled,
        file: src,
        target: &target,
        dialect: match a.patch_dialect {
            DialectArg::Default => Dialect::Default,
            DialectArg::AadOptscim062020 => Dialect::Scim062020,
        },
        referenced: user_mapping.as_ref().map(|u| (u, referenced.as_slice())),
        oracle: Some(&oracle),
    };
    let input = text_of(&a.input)?;
    let mut lines = Vec::new();
    let counts = batch.run(&input, &mut lines, &mut ctx)?;
    match &a.output {
        None => match std::io::stdout().lock().write_all(&lines) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
            r => r?,
        },
        Some(path) => {
            // Written next to the target and renamed, as for resources.
            let output = super::output::OutputFile::create(path)?;
            install_stop_handler(
                || "stopped before the requests were written".into(),
                Some(output.target().to_path_buf()),
            );
            let mut file = output.file();
            file.write_all(&lines)
                .map_err(|e| CliError(format!("cannot write {path}: {e}")))?;
            output.commit()?;
        }
    }
    eprintln!("{counts}");
    Ok(if counts.errors > 0 {
        ExitCode::from(super::map::SOME_RECORDS_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}
