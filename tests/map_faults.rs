//! Fault tests for `attrmap map`: every record is accounted for
//! (in == out + skipped + errors) whatever the input looks like.

use std::io::{Read, Write};
use std::process::Command;

const MAPPING: &str = "examples/native/dilitrust-clm.json";
const GOOD: &str = r#"{"mail": "a@contoso.com", "objectId": "1", "department": "Legal", "IsSoftDeleted": "False"}"#;

use crate::common;

/// Runs `attrmap map` on raw bytes; returns (stdout lines, stderr, exit code).
fn map_bytes(input: &[u8]) -> (Vec<serde_json::Value>, String, i32) {
    let (stdout, stderr, code) = common::map_stdin(&[MAPPING], input);
    let stdout = String::from_utf8(stdout).expect("output is UTF-8");
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect();
    (lines, stderr, code)
}

fn assert_accounted(lines: &[serde_json::Value], stderr: &str, input: usize) {
    let count = |k: &str| lines.iter().filter(|l| l.get(k).is_some()).count();
    let (out, skipped, errors) = (count("resource"), count("skipped"), count("error"));
    assert_eq!(lines.len(), input, "one output line per record: {stderr}");
    assert_eq!(out + skipped + errors, input);
    assert!(
        stderr.contains(&format!(
            "{input} in, {out} out, {skipped} skipped, {errors} errors"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["index"], i as u64);
    }
}

#[test]
fn truncated_final_line() {
    let input = format!("{GOOD}\n{GOOD}\n{{\"mail\": \"cut@contoso.com\", \"objectId");
    let (lines, stderr, code) = map_bytes(input.as_bytes());
    assert_eq!(code, 3);
    assert_accounted(&lines, &stderr, 3);
    assert_eq!(lines[2]["error"]["code"], "attrmap::map::malformed-json");
}

#[test]
fn invalid_utf8_is_an_error_record() {
    let mut input = Vec::new();
    input.extend_from_slice(GOOD.as_bytes());
    input.extend_from_slice(b"\n{\"mail\": \"\xff\xfe@contoso.com\"}\n");
    input.extend_from_slice(GOOD.as_bytes());
    let (lines, stderr, code) = map_bytes(&input);
    assert_eq!(code, 3);
    assert_accounted(&lines, &stderr, 3);
    assert!(lines[1].get("error").is_some());
    assert!(lines[2].get("resource").is_some());
}

#[test]
fn empty_input() {
    let (lines, stderr, code) = map_bytes(b"");
    assert_eq!(code, 0);
    assert_accounted(&lines, &stderr, 0);
}

#[test]
fn a_100_mb_line_is_refused_and_the_batch_goes_on() {
    let mut input = Vec::with_capacity(101 << 20);
    input.extend_from_slice(GOOD.as_bytes());
    input.extend_from_slice(b"\n{\"mail\": \"");
    input.resize(input.len() + (100 << 20), b'x');
    input.extend_from_slice(b"\"}\n");
    input.extend_from_slice(GOOD.as_bytes());
    input.push(b'\n');
    let (lines, stderr, code) = map_bytes(&input);
    assert_eq!(code, 3);
    assert_accounted(&lines, &stderr, 3);
    assert_eq!(lines[1]["error"]["code"], "attrmap::map::record-too-large");
    assert!(lines[2].get("resource").is_some());
}

#[test]
fn closed_pipe_exits_quietly() {
    let input: String = std::iter::repeat_n(format!("{GOOD}\n"), 50_000).collect();
    let mut child = crate::common::piped_attrmap()
        .args(["map", MAPPING, "--input", "-"])
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    // Read one line, then close the pipe, like `| head -1`.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    writer.join().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        status.success() || status.code().is_none(),
        "exit {status:?}: {stderr}"
    );
}

/// A fresh, empty directory for one test's `--output` files.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("attrmap-faults-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Starts `attrmap map --input - --output DIR/out.jsonl` and writes three
/// records, leaving standard input open (the run waits for more).
fn start_map_to_file(
    out_file: &std::path::Path,
) -> (std::process::Child, std::process::ChildStdin) {
    let mut child = crate::common::piped_attrmap()
        .args(["map", MAPPING, "--input", "-", "--output"])
        .arg(out_file)
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    (child, stdin)
}

/// Issue 20 D7: the temporary file had a predictable name
/// (`.NAME.PID.tmp`) and was opened without O_EXCL, so a symlink planted
/// under that name redirected the output into another file. The run waits
/// on its input before it opens the output, which gives the test time to
/// plant the link under the old name.
#[test]
fn a_planted_symlink_cannot_redirect_the_output() {
    let dir = scratch_dir("symlink");
    let victim = dir.join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    let out_file = dir.join("out.jsonl");
    let (child, mut stdin) = start_map_to_file(&out_file);
    let planted = dir.join(format!(".out.jsonl.{}.tmp", child.id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    for _ in 0..3 {
        writeln!(stdin, "{GOOD}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert!(planted.is_symlink(), "the planted link was used or moved");
    let written = std::fs::read_to_string(&out_file).unwrap();
    assert!(!out_file.is_symlink());
    assert_eq!(written.lines().count(), 3, "{written}");
    assert_eq!(
        names_in(&dir),
        [
            planted.file_name().unwrap().to_string_lossy().as_ref(),
            "out.jsonl",
            "victim"
        ]
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Waits until process `pid`'s main thread is blocked reading its standard
/// input: everything written to it so far has been read, and mapped, since
/// the run maps what it read before it reads again. Counting on a fixed
/// sleep instead failed on a loaded machine, where the run had not yet
/// mapped the records when the signal came.
fn wait_until_blocked_reading_stdin(pid: u32) {
    // `read` and its first argument, fd 0, as /proc/PID/syscall shows them.
    #[cfg(target_arch = "x86_64")]
    const READ_STDIN: &str = "0 0x0 ";
    #[cfg(target_arch = "aarch64")]
    const READ_STDIN: &str = "63 0x0 ";
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    compile_error!("the number of the read system call on this architecture is needed here");
    let started = std::time::Instant::now();
    loop {
        let syscall = std::fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
        if syscall.starts_with(READ_STDIN) {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "attrmap is not waiting for input after 120 s: {syscall}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Issue 20 D7: SIGTERM and SIGHUP (a service stopped, a terminal closed)
/// killed the run without a word and left its half-written temporary file.
/// They now stop it as SIGINT does: the summary, the output file named as
/// not written, no file left, and the shell's status 128 + N.
#[test]
fn sigterm_and_sighup_print_the_summary_and_leave_no_file() {
    for (signal, status, label) in [
        ("TERM", 143, "terminated (SIGTERM)"),
        ("HUP", 129, "hung up (SIGHUP)"),
    ] {
        let dir = scratch_dir(&format!("sig{signal}"));
        let out_file = dir.join("out.jsonl");
        std::fs::write(&out_file, "the previous run's output\n").unwrap();
        let (child, mut stdin) = start_map_to_file(&out_file);
        for _ in 0..3 {
            writeln!(stdin, "{GOOD}").unwrap();
        }
        stdin.flush().unwrap();
        wait_until_blocked_reading_stdin(child.id());
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let out = child.wait_with_output().unwrap();
        drop(stdin);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(status), "SIG{signal}: {stderr}");
        assert!(
            stderr.contains(&format!("{label}: 3 in, 3 out, 0 skipped, 0 errors")),
            "{stderr}"
        );
        assert!(stderr.contains("out.jsonl not written"), "{stderr}");
        assert_eq!(names_in(&dir), ["out.jsonl"], "SIG{signal} left a file");
        assert_eq!(
            std::fs::read_to_string(&out_file).unwrap(),
            "the previous run's output\n",
            "SIG{signal} clobbered the existing output"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// Issue 20 D7: a write error on the final flush (a full disk; here the
/// file-size limit, `ulimit -f`, with SIGXFSZ ignored so the write fails
/// with EFBIG) returned before the temporary file was removed. Now: exit 2,
/// the error names the file left as it was, and nothing is left behind.
#[test]
fn a_write_error_at_the_end_leaves_the_old_output_and_no_temporary_file() {
    let dir = scratch_dir("efbig");
    let out_file = dir.join("out.jsonl");
    std::fs::write(&out_file, "the previous run's output\n").unwrap();
    let input = dir.join("in.jsonl");
    // About 6 KB of output: all of it in the 64 KiB buffer until the end.
    std::fs::write(&input, format!("{GOOD}\n").repeat(20)).unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"trap '' XFSZ; ulimit -f 2; exec "$0" map "$1" --input "$2" --output "$3""#)
        .arg(env!("CARGO_BIN_EXE_attrmap"))
        .args([MAPPING.as_ref(), input.as_os_str(), out_file.as_os_str()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("(os error 27)"), "EFBIG is named: {stderr}");
    assert!(stderr.contains("out.jsonl left as it was"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(names_in(&dir), ["in.jsonl", "out.jsonl"]);
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap(),
        "the previous run's output\n"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A thread the system will not start ends the run with an error, exit 2,
/// instead of `failed to spawn thread` and a panic (exit 101). Here every
/// thread asks for a 1 TiB stack (RUST_MIN_STACK), which no system maps.
#[test]
fn a_worker_thread_that_cannot_start_is_an_error_not_a_panic() {
    let mut child = crate::common::piped_attrmap()
        .args(["map", MAPPING, "--input", "-", "--jobs", "4"])
        .env("RUST_MIN_STACK", (1u64 << 40).to_string())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{GOOD}").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot start the threads"), "{stderr}");
}
