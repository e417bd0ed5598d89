//! The client side of the .NET oracle (`tests/oracle/Oracle.cs`): compiles the
//! C# sources with Mono's `mcs` once per test binary, sends cases in one batch
//! and reads .NET's answers. The protocol is described in Oracle.cs.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// What .NET answered for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Ok(String),
    Null,
    /// `ExceptionType: message`.
    Err(String),
}

impl Answer {
    /// The exception's short type name, for an error.
    pub fn error_type(&self) -> Option<&str> {
        match self {
            Answer::Err(e) => Some(e.split(':').next().unwrap_or(e)),
            _ => None,
        }
    }
}

/// A compiled oracle, ready to answer.
pub struct Oracle {
    exe: PathBuf,
}

/// The oracle, or why it cannot run here. Under CI (`CI` set) a missing Mono
/// is a failure, not a skip: `.ci/run` installs it.
pub fn oracle() -> Option<&'static Oracle> {
    static ORACLE: OnceLock<Result<Oracle, String>> = OnceLock::new();
    match ORACLE.get_or_init(build) {
        Ok(o) => Some(o),
        Err(why) => {
            if std::env::var_os("CI").is_some() {
                panic!("oracle: cannot run under CI: {why}");
            }
            eprintln!("oracle: skipped: {why}");
            None
        }
    }
}

/// How many generated cases each family runs: `ATTRMAP_ORACLE_CASES`, or
/// `default` (the CI figure).
// Used by the family modules (`tests/oracle/*.rs`) as they are added; until
// one is, the test binary has no caller.
#[allow(dead_code)]
pub fn case_count(default: usize) -> usize {
    std::env::var("ATTRMAP_ORACLE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn build() -> Result<Oracle, String> {
    let src_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&src_dir)
        .map_err(|e| format!("{}: {e}", src_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cs"))
        .collect();
    sources.sort();
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle");
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    // One file per test binary: binaries that run at once never share it.
    let bin = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "oracle".into());
    let exe = out_dir.join(format!("{bin}.exe"));
    let mcs = Command::new("mcs")
        .arg("-nologo")
        .arg("-optimize+")
        .arg(format!("-out:{}", exe.display()))
        .args(&sources)
        .output()
        .map_err(|e| {
            format!("mcs not found ({e}); install Mono: apt-get install -y mono-mcs mono-runtime")
        })?;
    if !mcs.status.success() {
        return Err(format!(
            "mcs failed:\n{}{}",
            String::from_utf8_lossy(&mcs.stdout),
            String::from_utf8_lossy(&mcs.stderr)
        ));
    }
    let oracle = Oracle { exe };
    let probe = oracle.ask(&[vec!["echo".into(), "ok".into()]]);
    if probe != [Answer::Ok("ok".into())] {
        return Err(format!("the oracle's probe answered {probe:?}"));
    }
    Ok(oracle)
}

impl Oracle {
    /// Answers each case (family name first, then its arguments), in order.
    pub fn ask(&self, cases: &[Vec<String>]) -> Vec<Answer> {
        let mut child = Command::new("mono")
            .arg(&self.exe)
            // Cultures and time zones must not depend on the machine.
            .env("LANG", "C.UTF-8")
            .env("TZ", "UTC")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("mono runs");
        let mut input = Vec::new();
        for case in cases {
            for (i, field) in case.iter().enumerate() {
                if i > 0 {
                    input.push(b'\t');
                }
                input.extend_from_slice(encode(field.as_bytes()).as_bytes());
            }
            input.push(b'\n');
        }
        let mut stdin = child.stdin.take().unwrap();
        let feeder = std::thread::spawn(move || stdin.write_all(&input));
        let answers: Vec<Answer> = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map(|line| parse_answer(&line.expect("oracle output is text")))
            .collect();
        feeder.join().unwrap().expect("oracle reads its input");
        assert!(
            child.wait().unwrap().success(),
            "the oracle exited with an error"
        );
        assert_eq!(answers.len(), cases.len(), "one answer per case");
        answers
    }
}

fn parse_answer(line: &str) -> Answer {
    let (tag, field) = line.split_once('\t').unwrap_or((line, ""));
    let text = || String::from_utf8(decode(field)).expect("UTF-8 answer");
    match tag {
        "ok" => Answer::Ok(text()),
        "null" => Answer::Null,
        "err" => Answer::Err(text()),
        other => panic!("oracle protocol: unknown answer tag {other:?}"),
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut n, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base64 digit") as u32;
        n = n << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((n >> bits) as u8);
        }
    }
    out
}
