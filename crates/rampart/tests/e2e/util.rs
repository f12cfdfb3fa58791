use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test, with no RAMPART_* settings from the caller's environment
/// (`rampart` refuses unknown ones, such as the test suite's RAMPART_TEST_POSTGRES_URL).
pub fn rampart() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rampart"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("RAMPART_") {
            c.env_remove(&name);
        }
    }
    c.env("RAMPART_LOG", "warn").env_remove("RUST_BACKTRACE");
    c
}

/// Runs `rampart ARGS…` and returns stdout, failing the test with stderr on error.
pub fn run_ok(args: &[&str]) -> String {
    let out = rampart().args(args).output().expect("rampart runs");
    assert!(out.status.success(), "rampart {args:?} failed: {}\n{}", text(&out.stderr), text(&out.stdout));
    text(&out.stdout)
}

pub fn run(args: &[&str]) -> Output {
    rampart().args(args).output().expect("rampart runs")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `../shared/corpora/<sub>` if present; otherwise prints why the test skips.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora").join(sub);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

pub fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}
