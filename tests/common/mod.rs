//! Helpers shared by the integration tests that drive the `attrmap` binary.

use std::io::Write;
use std::process::{Command, Stdio};

/// The `attrmap` binary, run from the repository root with standard input,
/// output and error piped: add arguments, then spawn.
pub fn piped_attrmap() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_attrmap"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs `attrmap map ARGS… --input -` from the repository root with `input`
/// on standard input; returns (stdout, stderr, exit code). The input is
/// written from another thread, so a large input cannot deadlock against a
/// full stdout pipe.
pub fn map_stdin(args: &[&str], input: &[u8]) -> (Vec<u8>, String, i32) {
    let mut child = piped_attrmap()
        .arg("map")
        .args(args)
        .args(["--input", "-"])
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let feeder = std::thread::spawn(move || {
        // The child may stop reading early (a closed pipe is its business).
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    (
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}
