//! `attrmap map --emit requests`: the command-line side of
//! `attrmap::mapping::requests` (reading the files, writing the lines).

use super::map::{Input, MapArgs, ModeArg};
use super::output::{install_stop_handler, OutputFile};
use super::{read_text, CliError, CliResult};
use attrmap::api::MapPlan;
use attrmap::mapping::builder::{compile_object, BatchOracle};
use attrmap::mapping::requests::{read_records, Dialect, RequestBatch, TargetState};
use attrmap::mapping::ObjectType;
use attrmap::sources;
use std::io::Write;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DialectArg {
    Default,
    #[value(name = "aadOptscim062020")]
    AadOptscim062020,
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

pub fn run(a: &MapArgs, plan: &MapPlan, src: &str) -> CliResult {
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
        Some(p) => TargetState::from_jsonl(&read_text(p)?)
            .map_err(|e| CliError(format!("--target-state {p}: {e}")))?,
        None => TargetState::default(),
    };
    // References are to users: a group run finds its members with the
    // mapping's User object.
    let user_mapping = match &a.references {
        Some(_) => Some(
            compile_object(&plan.loaded.set, ObjectType::User, src).map_err(|_| {
                CliError(
                    "--references needs the mapping's User object mapping, which does not compile"
                        .into(),
                )
            })?,
        ),
        None => None,
    };
    let limits = sources::Limits {
        max_record_bytes: a.max_record_bytes,
        max_document_bytes: a.max_document_bytes,
    };
    // The referenced users come in any form the input may take; one that
    // cannot be read would leave its references unresolved, so it stops the run.
    let referenced = match &a.references {
        Some(p) => read_references(a, p, limits)?,
        None => Vec::new(),
    };
    let options = a.run.options()?;
    let oracle = BatchOracle::new(&options.existing);
    let mut ctx = options.context_with(Some(&oracle));
    let batch = RequestBatch {
        compiled: &plan.compiled,
        file: src,
        target: &target,
        dialect: match a.patch_dialect {
            DialectArg::Default => Dialect::Default,
            DialectArg::AadOptscim062020 => Dialect::Scim062020,
        },
        referenced: user_mapping.as_ref().map(|u| (u, referenced.as_slice())),
        oracle: Some(&oracle),
    };
    let input = Input::open(&a.input, a.source.into())?;
    let mut lines = Vec::new();
    let counts = batch.run_source(input.reader, &input.source, limits, &mut lines, &mut ctx)?;
    match &a.output {
        None => match std::io::stdout().lock().write_all(&lines) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
            r => r?,
        },
        Some(path) => {
            // Written next to the target and renamed, as for resources.
            let output = OutputFile::create(path)?;
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

/// The `--references` users, in any form the input may take; the first
/// unreadable record stops the run.
fn read_references(
    a: &MapArgs,
    p: &str,
    limits: sources::Limits,
) -> Result<Vec<serde_json::Value>, CliError> {
    let references = Input::open_as(p, a.source.into(), "references")?;
    read_records(references.reader, &references.source, limits)
        .map_err(|e| CliError(format!("cannot read {p}: {e}")))?
        .into_iter()
        .enumerate()
        .map(|(n, r)| {
            r.map_err(|line| {
                CliError(format!(
                    "--references {p}: record {}: {}",
                    n + 1,
                    line["error"]["message"].as_str().unwrap_or("unreadable")
                ))
            })
        })
        .collect()
}
