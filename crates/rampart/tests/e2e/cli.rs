//! The server and the small commands, driven as a user would.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::util::{path, rampart, run, run_ok, text};

#[test]
fn serve_ingest_shutdown_then_query() {
    let data = tempfile::tempdir().expect("tempdir");
    let dir = path(data.path());
    let token = run_ok(&["--data-dir", dir, "token", "create", "--ingest", "--name", "e2e"]).trim().to_string();
    assert!(token.starts_with("rpt_"), "{token}");
    let mut server = rampart().args(["--data-dir", dir, "serve", "--listen", "127.0.0.1:0"]).stdout(Stdio::piped()).spawn().expect("serve");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a banner").expect("line");
    let drain = std::thread::spawn(move || lines.count());
    let addr = first.trim().strip_prefix("Rampart is listening on http://").expect("listening line").to_string();

    let body = "{\"DeviceName\":\"e2e\",\"ActionType\":\"LogonSuccess\",\"LogonType\":\"Interactive\"}\n".repeat(250);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (status, answer) = rt.block_on(async {
        let r = reqwest::Client::new()
            .post(format!("http://{addr}/api/ingest/DeviceLogonEvents"))
            .bearer_auth(&token)
            .body(body)
            .send()
            .await
            .expect("post");
        (r.status(), r.text().await.expect("text"))
    });
    assert_eq!(status.as_u16(), 200, "{answer}");
    assert!(answer.contains("\"accepted\":250"), "{answer}");

    let reader = run_ok(&["--data-dir", dir, "token", "create", "--read", "--name", "e2e-read"]).trim().to_string();
    let kql = rampart()
        .args(["hunt", "--server", &format!("http://{addr}"), "--format", "csv", "DeviceLogonEvents | summarize n = count() by DeviceName"])
        .env("RAMPART_TOKEN", &reader)
        .output()
        .expect("hunt");
    assert_eq!(text(&kql.stdout), "DeviceName,n\ne2e,250\n", "{}", text(&kql.stderr));

    // A second process cannot open the data directory while the server holds it.
    let busy = run(&["--data-dir", dir, "hunt", "--sql", "SELECT 1"]);
    assert!(!busy.status.success());
    assert!(text(&busy.stderr).contains("in use by a running Rampart server"), "{}", text(&busy.stderr));

    let term = std::process::Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill");
    assert!(term.success());
    assert!(server.wait().expect("wait").success(), "graceful shutdown exits 0");
    drain.join().expect("drain");
    let count = run_ok(&["--data-dir", dir, "hunt", "--sql", "--format", "csv", r#"SELECT count(*) AS n FROM "DeviceLogonEvents""#]);
    assert_eq!(count.lines().nth(1), Some("250"), "{count}");
    let bad = run(&["--data-dir", dir, "hunt", "DeviceLogonEvents\n| where AccountNam == 'x'"]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("2:9: unknown column or variable `AccountNam`"), "{}", text(&bad.stderr));
    let parquet = walk(&data.path().join("lake/tables/DeviceLogonEvents"));
    assert!(parquet.iter().any(|p| p.ends_with(".parquet")), "shutdown flushed to Parquet: {parquet:?}");
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p.display().to_string()) }
    }
    out
}

#[test]
fn config_documents_defaults_and_rejects_typos() {
    let defaults = run_ok(&["config", "--default"]);
    assert!(defaults.contains("data_dir = \"./rampart-data\"") && defaults.contains("[lake]"));
    let bad = rampart().args(["config"]).env("RAMPART_LAKE_FLUSHROWS", "5").output().expect("run");
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("unknown configuration variable RAMPART_LAKE_FLUSHROWS"), "{}", text(&bad.stderr));
    let shown = rampart().args(["config"]).env("RAMPART_LAKE_FLUSH_ROWS", "5").output().expect("run");
    assert!(text(&shown.stdout).contains("flush_rows = 5"), "{}", text(&shown.stdout));
}

#[test]
fn schema_and_help_teach() {
    let help = run_ok(&["--help"]);
    for cmd in ["demo", "serve", "ingest", "hunt", "schema", "token", "config", "bench"] {
        assert!(help.contains(cmd), "--help lists {cmd}");
    }
    let table = run_ok(&["schema", "DeviceProcessEvents"]);
    assert!(table.contains("ProcessCommandLine") && table.contains("string"), "{table}");
    let typo = run(&["schema", "deviceprocessevents"]);
    assert!(text(&typo.stderr).contains("did you mean DeviceProcessEvents?"), "{}", text(&typo.stderr));
}
