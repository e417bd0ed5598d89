//! Integration test against a real SCIM server: every request `attrmap map
//! --emit requests` writes for the five seed apps goes to scim2-server
//! (PyPI), which tests/scim/roundtrip.py starts on a free port of 127.0.0.1
//! and stops; each resource is read back and compared with the mapping's
//! values. The virtualenv comes from .ci/run (`target/scim-venv`, or
//! `ATTRMAP_SCIM_VENV`). Without it the test says so and passes, except
//! under `CI`, where .ci/run was supposed to provide it.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn entra_requests_round_trip_through_scim2_server() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let venv = std::env::var_os("ATTRMAP_SCIM_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/scim-venv"));
    let python = venv.join("bin/python");
    if !python.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but there is no SCIM server virtualenv at {}: .ci/run creates it",
            venv.display()
        );
        eprintln!(
            "skipped: no SCIM server virtualenv at {} (bash .ci/run creates it)",
            venv.display()
        );
        return;
    }
    let run = Command::new(&python)
        .arg(root.join("tests/scim/roundtrip.py"))
        .arg(env!("CARGO_BIN_EXE_attrmap"))
        .arg(&root)
        .output()
        .expect("run tests/scim/roundtrip.py");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        run.status.success(),
        "the SCIM round trip failed ({}):\n{stdout}\n{stderr}",
        run.status
    );
    // The driver's last line is its summary; it must have done real work.
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.contains("resources read back and compared, 0 failures"),
        "unexpected summary: {summary}"
    );
}
