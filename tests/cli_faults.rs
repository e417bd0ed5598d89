//! Hostile files and trees for the commands that read whole files (issue 20
//! D6, D10): `lint` on a directory with symlink loops, links to `/dev` and
//! `/proc`, FIFOs and ignored files; every reader given `/dev/zero`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `attrmap ARGS` with an environment variable holding `SECRET`, and
/// kills it after `limit`: a hang fails the test instead of stalling it.
fn run_bounded(args: &[&str], dir: &Path, limit: Duration) -> Output {
    let mut attrmap = Command::new(env!("CARGO_BIN_EXE_attrmap"));
    attrmap.args(args).current_dir(dir);
    wait_bounded(attrmap, args, limit)
}

/// Runs `attrmap ARGS` in `dir` as [`run_bounded`] does, and returns with
/// its output the CPU time (user + system) it took, as the shell's `times`
/// reports it. Wall time grows when other processes share the cores; CPU
/// time hardly does, so two runs of one test compare on a loaded machine.
/// `ulimit -t` stops a run past `limit` CPU seconds.
fn run_cpu_timed(args: &[&str], dir: &Path, limit: Duration) -> (Output, Duration) {
    let script = format!(
        r#"ulimit -t {}; "$0" "$@" >cpu-timed.out 2>cpu-timed.err; status=$?; times; exit $status"#,
        limit.as_secs()
    );
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_attrmap"))
        .args(args)
        .current_dir(dir);
    let shell = wait_bounded(shell, args, limit * 2);
    // `times` prints the shell's own times, then its children's:
    // `0m1.230000s 0m0.010000s` (user, system).
    let times = String::from_utf8_lossy(&shell.stdout);
    let children = times
        .lines()
        .nth(1)
        .unwrap_or_else(|| panic!("no times for attrmap {args:?}: {times:?}"));
    let cpu = children
        .split_whitespace()
        .map(|t| {
            let (minutes, seconds) = t
                .trim_end_matches('s')
                .split_once('m')
                .unwrap_or_else(|| panic!("not a time: {t:?}"));
            Duration::from_secs_f64(
                minutes.parse::<f64>().unwrap() * 60.0 + seconds.parse::<f64>().unwrap(),
            )
        })
        .sum();
    let output = Output {
        status: shell.status,
        stdout: std::fs::read(dir.join("cpu-timed.out")).unwrap(),
        stderr: std::fs::read(dir.join("cpu-timed.err")).unwrap(),
    };
    (output, cpu)
}

/// Waits for `command` (attrmap, or a shell running it) with `SECRET` in
/// its environment, and kills it after `limit`.
fn wait_bounded(mut command: Command, args: &[&str], limit: Duration) -> Output {
    let mut child = command
        .env("ATTRMAP_TEST_SECRET", SECRET)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drained while it runs: a full pipe would stall it and look like a hang.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "attrmap {args:?} still running after {limit:?}; stderr so far: {}",
                String::from_utf8_lossy(&stderr.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

const SECRET: &str = "hunter2-do-not-print";

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("attrmap-cli-faults-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const GOOD_EXPR: &str = "Join(\" \", [givenName], [surname])\n";

/// Issue 20 D6: `lint DIR` followed symlinks with no loop check (two
/// self-loops hung it; one loop linted each file 41 times), read
/// `/dev/zero` until memory ran out, blocked on a FIFO, and printed the
/// content of a linked `/proc/self/environ`. Now the walk follows no link
/// inside a directory, lints regular files only, names what it skipped,
/// honours .gitignore, and prints no rejected file's content in any format.
#[test]
fn lint_walks_a_hostile_tree_safely() {
    let dir = scratch("tree");
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::write(tree.join("good.expr"), GOOD_EXPR).unwrap();
    std::fs::write(tree.join("sub/also-good.expr"), GOOD_EXPR).unwrap();
    std::os::unix::fs::symlink(".", tree.join("self")).unwrap();
    std::os::unix::fs::symlink("..", tree.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", tree.join("zero.json")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", tree.join("environ.expr")).unwrap();
    let fifo = tree.join("fifo.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // Not a mapping at all, and listed in .gitignore: never read.
    std::fs::write(
        tree.join("ignored.json"),
        format!("{{\"password\": \"{SECRET}\"}}"),
    )
    .unwrap();
    std::fs::write(tree.join(".gitignore"), "ignored.json\n").unwrap();
    // Not a mapping either, and not ignored: refused, its text not shown.
    std::fs::write(
        tree.join("secrets.json"),
        format!("{{\"token\": \"{SECRET}\"}}\nPATH={SECRET}"),
    )
    .unwrap();
    for format in ["human", "json", "sarif", "github"] {
        let out = run_bounded(
            &["lint", "--format", format, "tree"],
            &dir,
            Duration::from_secs(60),
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let all = format!("{stdout}{stderr}");
        assert!(!all.contains(SECRET), "{format}: content printed:\n{all}");
        assert!(!all.contains("panicked"), "{format}: {all}");
        // secrets.json is refused (exit 1); good.expr twice, secrets.json.
        assert_eq!(out.status.code(), Some(1), "{format}: {all}");
        assert!(
            stderr.contains("attrmap lint: 3 file(s), 1 error(s), 0 warning(s), 5 skipped"),
            "{format}: {stderr}"
        );
        for skipped in [
            "zero.json: a symbolic link",
            "environ.expr: a symbolic link",
            "fifo.json: a FIFO",
        ] {
            assert!(
                stderr.contains(skipped),
                "{format}: no note for {skipped}: {stderr}"
            );
        }
        assert!(!all.contains("ignored.json"), "{format}: {all}");
        assert!(all.contains("secrets.json"), "{format}: {all}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A path named on the command line must be a regular file or a
/// directory: a FIFO or a device is refused at once, without opening it.
#[test]
fn lint_refuses_a_named_fifo_or_device() {
    let dir = scratch("named");
    assert!(Command::new("mkfifo")
        .arg(dir.join("f.json"))
        .status()
        .unwrap()
        .success());
    for (path, kind) in [("f.json", "is a FIFO"), ("/dev/zero", "is a device")] {
        let out = run_bounded(&["lint", path], &dir, Duration::from_secs(30));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{path}: {stderr}");
        assert!(stderr.contains(kind), "{path}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Issue 20 D10: every reader of a whole file (`map MAPPING`, `lint`,
/// `--existing`, `eval --input`, `convert`) read it all before any size
/// check, so `/dev/zero` exhausted memory. Now at most --max-file-bytes are
/// read (a regular file is measured before it is opened for reading), and
/// the error names the flag.
#[test]
fn whole_file_readers_stop_at_max_file_bytes() {
    let dir = scratch("readers");
    let root = env!("CARGO_MANIFEST_DIR");
    let mapping = format!("{root}/examples/native/dilitrust-clm.json");
    let big = dir.join("big.expr");
    std::fs::write(&big, GOOD_EXPR.repeat(100)).unwrap();
    let big = big.to_str().unwrap().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["map", "/dev/zero", "--input", "-"],
        vec!["map", &mapping, "--input", "-", "--existing", "/dev/zero"],
        vec!["eval", "[givenName]", "--input", "/dev/zero"],
        vec!["convert", "/dev/zero"],
        vec!["lint", &big],
        vec!["eval", "[givenName]", "--input", &big],
    ];
    for args in cases {
        let mut with_limit = args.clone();
        with_limit.extend(["--max-file-bytes", "1000"]);
        let out = run_bounded(&with_limit, &dir, Duration::from_secs(30));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("larger than 1000 bytes") && stderr.contains("--max-file-bytes"),
            "{args:?}: {stderr}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A mapping file whose User object maps `displayName` `n` times, one
/// mapping a line: `n - 1` duplicate-target findings, spread over the file.
fn many_duplicate_targets(n: usize) -> String {
    let mapping = r#"  {"target": "displayName", "attribute": "mail"}"#;
    format!(
        "{{\"objects\": [{{\"object\": \"User\", \"mappings\": [\n{}\n]}}]}}\n",
        vec![mapping; n].join(",\n")
    )
}

/// Issue 20 D10, second half: each finding's line was counted from the start
/// of the file, and each human report handed miette a copy of the whole file
/// to scan from the start. Measured on a debug build before the fix: 10 000
/// findings took 56 s as JSON; 5 000 took 460 s as human output (12 s and
/// about 115 s at half those sizes: four times the cost for twice the
/// findings). Now a line index is built once per file and each snippet is
/// cut from its own lines. Each size is compared with a quarter of it in the
/// same run, in CPU time, so a loaded machine slows both alike: linear work
/// takes about 4 times as long, the quadratic cost took 16 times.
#[test]
fn lint_is_linear_in_the_number_of_findings() {
    let dir = scratch("many-findings");
    for (name, n) in [
        ("ten-thousand.json", 10_000),
        ("twenty-five-hundred.json", 2_500),
        ("five-thousand.json", 5_000),
        ("twelve-fifty.json", 1_250),
    ] {
        std::fs::write(dir.join(name), many_duplicate_targets(n + 1)).unwrap();
    }
    let lint = |file: &str, format: &str, limit: u64| {
        run_cpu_timed(
            &["lint", file, "--format", format],
            &dir,
            Duration::from_secs(limit),
        )
    };
    let duplicates_in_json = |out: &Output| -> Vec<serde_json::Value> {
        let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        findings
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "attrmap::lint::duplicate-target")
            .cloned()
            .collect()
    };
    let duplicates_in_human = |out: &Output| {
        String::from_utf8_lossy(&out.stderr)
            .matches("attrmap::lint::duplicate-target")
            .count()
    };

    let (out, json_cpu) = lint("ten-thousand.json", "json", 120);
    let duplicates = duplicates_in_json(&out);
    assert_eq!(duplicates.len(), 10_000);
    // The last duplicate is on the file's last mapping line, at the target value.
    let last = duplicates.last().unwrap();
    assert_eq!(
        (last["line"].as_u64(), last["column"].as_u64()),
        (Some(10_002), Some(14))
    );
    let (quarter, json_quarter_cpu) = lint("twenty-five-hundred.json", "json", 120);
    assert_eq!(duplicates_in_json(&quarter).len(), 2_500);
    assert_linear(json_quarter_cpu, json_cpu, "10 000 findings as JSON");

    let (out, human_cpu) = lint("five-thousand.json", "human", 300);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(duplicates_in_human(&out), 5_000);
    // Line numbers in the last snippet are the file's, not the window's.
    assert!(
        stderr.contains("[five-thousand.json:5002:14]"),
        "the last finding's header names its line"
    );
    assert!(
        stderr.contains(" 5002 │ "),
        "the last snippet numbers its lines from the file's start"
    );
    let (quarter, human_quarter_cpu) = lint("twelve-fifty.json", "human", 300);
    assert_eq!(duplicates_in_human(&quarter), 1_250);
    assert_linear(
        human_quarter_cpu,
        human_cpu,
        "5 000 findings as human output",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Fails when four times the findings (`quarter` → `whole`, CPU times of
/// one run) cost more than 8 times as much: between linear (4) and
/// quadratic (16). The quarter's time counts as at least 50 ms, the
/// shell's clock ticking in hundredths.
fn assert_linear(quarter: Duration, whole: Duration, what: &str) {
    assert!(
        whole < quarter.max(Duration::from_millis(50)) * 8,
        "{what} took {whole:?} of CPU, a quarter of them {quarter:?}: more than linear"
    );
}
