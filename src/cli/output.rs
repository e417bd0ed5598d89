//! `--output FILE`, written so that the file is either complete or left as
//! it was, and the signals that stop a run (SIGINT, SIGTERM, SIGHUP).
//!
//! The output goes to a new file with a random name in the target's
//! directory, created with `O_EXCL` (the `tempfile` crate): a name planted
//! in advance, or a symlink, cannot redirect the write. It is flushed to
//! disk and renamed over the target only when the run completed. Every other
//! ending removes it: an error (dropping [`OutputFile`] deletes the file), a
//! panic (the same, while unwinding), and a stop signal (the handler deletes
//! it before the process exits, since `exit` runs no destructors).

use super::CliError;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The temporary file of the `--output` being written, for the signal
/// handler to remove. The lock also orders a rename against a signal: the
/// handler cannot delete the file between the check and the rename.
static PENDING: Mutex<Option<PathBuf>> = Mutex::new(None);

/// The signal that asked the run to stop, 0 for none.
static STOP_SIGNAL: AtomicI32 = AtomicI32::new(0);

/// Set by whichever of the handler and the main thread reports the stop
/// first, so the summary is printed once.
static STOP_REPORTED: AtomicBool = AtomicBool::new(false);

/// How long the handler lets the main loop finish its current record and
/// report by itself before it reports and exits for it (the loop may be
/// blocked reading a pipe that stays silent).
const GRACE: Duration = Duration::from_millis(500);

const SIGHUP: i32 = 1;
const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

fn pending() -> MutexGuard<'static, Option<PathBuf>> {
    // A panic while the lock was held leaves nothing half-done in it.
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// An output file being written; see the module documentation.
pub struct OutputFile {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
    registered: Registered,
}

/// The temporary file's entry in [`PENDING`], cleared when it is dropped
/// (before the file itself is removed, or after it was renamed).
struct Registered;

impl Registered {
    fn new(path: &Path) -> Registered {
        *pending() = Some(path.to_path_buf());
        Registered
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        *pending() = None;
    }
}

impl OutputFile {
    /// Creates the temporary file next to `path`.
    pub fn create(path: &str) -> Result<OutputFile, CliError> {
        let target = PathBuf::from(path);
        let name = target
            .file_name()
            .ok_or_else(|| CliError(format!("--output {path:?} names a directory, not a file")))?;
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut builder = tempfile::Builder::new();
        let prefix = format!(".{}.", name.to_string_lossy());
        builder.prefix(&prefix).suffix(".tmp");
        // tempfile's default is 0600; the finished file gets the usual mode
        // a new file gets (0666 less the umask), as before.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder.tempfile_in(dir).map_err(|e| {
            CliError(format!(
                "cannot create a temporary file in {} for --output: {e}",
                dir.display()
            ))
        })?;
        let registered = Registered::new(temp.path());
        Ok(OutputFile {
            temp,
            target,
            registered,
        })
    }

    /// The open temporary file, to write to.
    pub fn file(&self) -> &std::fs::File {
        self.temp.as_file()
    }

    /// The file the output is for.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes the file to disk and renames it over the target. Refused once
    /// a stop signal came: the run did not complete.
    pub fn commit(self) -> Result<(), CliError> {
        let OutputFile {
            temp,
            target,
            registered,
        } = self;
        let fail = |e: std::io::Error| CliError(format!("cannot write {}: {e}", target.display()));
        // Some file systems report a full disk only here.
        temp.as_file().sync_all().map_err(fail)?;
        // Held across the rename, so the handler sees the file either
        // before (and removes it) or after (and finds nothing to remove).
        let pending = pending();
        if stop_signal().is_some() {
            return Err(CliError(format!(
                "{} not written: the run was stopped",
                target.display()
            )));
        }
        // On failure the PersistError holds the file, and dropping it
        // removes it.
        let renamed = temp.persist(&target).map_err(|e| fail(e.error));
        drop(pending);
        drop(registered);
        renamed.map(drop)
    }
}

/// The signal that asked the run to stop, if one did.
pub fn stop_signal() -> Option<i32> {
    match STOP_SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// How the stop summary starts for a signal; SIGINT keeps the older
/// `interrupted:` that scripts may match.
fn stop_label(signal: i32) -> &'static str {
    match signal {
        SIGTERM => "terminated (SIGTERM)",
        SIGHUP => "hung up (SIGHUP)",
        SIGINT => "interrupted",
        _ => "stopped by a signal",
    }
}

/// The exit status of a run a signal stopped: 128 + the signal's number,
/// as a shell reports it.
fn stop_status(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(130)
}

/// Reports a stopped run once: `summary` (what was done), and that the
/// output file, if any, was not written. Called by the main thread when its
/// loop noticed the signal; the output file must have been dropped (removed)
/// first.
pub fn report_stop(signal: i32, summary: &str, target: Option<&Path>) -> ExitCode {
    if !STOP_REPORTED.swap(true, Ordering::SeqCst) {
        print_stop(signal, summary, target);
    }
    ExitCode::from(stop_status(signal))
}

fn print_stop(signal: i32, summary: &str, target: Option<&Path>) {
    eprintln!("{}: {summary}", stop_label(signal));
    if let Some(t) = target {
        eprintln!("{} not written", t.display());
    }
}

/// Installs the handler for SIGINT, SIGTERM and SIGHUP: it records the
/// signal (the main loop checks [`stop_signal`] after each record), waits
/// [`GRACE`] for the loop to end by itself, and otherwise removes the
/// temporary output file, prints `summary()` and exits with 128 + N.
pub fn install_stop_handler(summary: fn() -> String, target: Option<PathBuf>) {
    let on_signal = move |signal: i32| {
        STOP_SIGNAL.store(signal, Ordering::SeqCst);
        std::thread::sleep(GRACE);
        let mut pending = pending();
        if STOP_REPORTED.swap(true, Ordering::SeqCst) {
            // The main thread reports, and exits with the same status.
            return;
        }
        let removed = pending.take().map(|p| std::fs::remove_file(p).is_ok());
        print_stop(
            signal,
            &summary(),
            target.as_deref().filter(|_| removed.is_some()),
        );
        std::process::exit(i32::from(stop_status(signal)));
    };
    #[cfg(unix)]
    {
        use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};
        // If the handler cannot be installed the signals keep their default
        // action, which ends the process; only the summary is lost.
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            let spawned = std::thread::Builder::new()
                .name("attrmap-signals".into())
                .spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        on_signal(signal);
                    }
                });
            if spawned.is_err() {
                eprintln!("warning: cannot watch for SIGINT, SIGTERM and SIGHUP: a stop signal ends the run without a summary and may leave the temporary --output file");
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrlc::set_handler(move || on_signal(SIGINT));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_status_is_128_plus_the_signal() {
        assert_eq!(stop_status(SIGINT), 130);
        assert_eq!(stop_status(SIGTERM), 143);
        assert_eq!(stop_status(SIGHUP), 129);
    }
}
