//! Acknowledged rows survive `kill -9` exactly once (the benchmark runs more rounds).

use crate::util::{run, text};

#[test]
fn acknowledged_rows_survive_kill_9_exactly_once() {
    let out = run(&["bench", "crash", "--rounds", "4", "--seed", "7"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("missing after restart: 0; ReportIds stored more than once: 0"), "{stdout}");
    assert!(stdout.contains("PASS"), "{stdout}");
}
