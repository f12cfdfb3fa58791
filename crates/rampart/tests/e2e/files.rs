//! `rampart ingest` over the shared corpora and `rampart demo --generate` output.

use crate::util::{corpus, path, run_ok};

/// "N files: R records read = S stored + X rejected" → (R, S, X).
fn counts(summary: &str) -> (u64, u64, u64) {
    let line = summary.lines().find(|l| l.contains("records read")).expect("summary line");
    let nums: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("number"))
        .collect();
    (nums[1], nums[2], nums[3])
}

#[test]
fn every_evtx_record_of_the_corpora_is_stored() {
    let Some(evtx) = corpus("evtx") else { return };
    let Some(sigma) = corpus("sigma/regression_data") else { return };
    for (dir, expected) in [(evtx, Some(8255)), (sigma, None)] {
        let data = tempfile::tempdir().expect("tempdir");
        let out = run_ok(&["--data-dir", path(data.path()), "ingest", path(&dir)]);
        let (read, stored, rejected) = counts(&out);
        assert_eq!((stored, rejected), (read, 0), "{out}");
        if let Some(n) = expected {
            assert_eq!(read, n, "the EVTX-ATTACK-SAMPLES corpus holds {n} records");
        }
        let sql = run_ok(&["--data-dir", path(data.path()), "hunt", "--sql", "--format", "csv", "--timespan", "36500d",
            r#"SELECT (SELECT count(*) FROM "DeviceEvents") + (SELECT count(*) FROM "DeviceProcessEvents") + (SELECT count(*) FROM "DeviceNetworkEvents") + (SELECT count(*) FROM "DeviceFileEvents") + (SELECT count(*) FROM "DeviceRegistryEvents") + (SELECT count(*) FROM "DeviceImageLoadEvents") + (SELECT count(*) FROM "DeviceLogonEvents") + (SELECT count(*) FROM "IdentityLogonEvents") + (SELECT count(*) FROM "IdentityDirectoryEvents") AS n"#]);
        assert_eq!(sql.lines().nth(1), Some(stored.to_string().as_str()), "the lake holds what ingest reported: {sql}");
    }
}

#[test]
fn demo_generate_is_deterministic_and_loads_cleanly() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let args = |out: &str| vec!["demo", "--generate", "--events", "20000", "--rate", "5", "--seed", "3", "--end", "2025-06-02T12:00:00Z", "--out", out]
        .into_iter().map(String::from).collect::<Vec<_>>();
    for dir in [&a, &b] {
        let argv = args(path(dir.path()));
        run_ok(&argv.iter().map(String::as_str).collect::<Vec<_>>());
    }
    let mut names: Vec<String> = std::fs::read_dir(a.path()).expect("dir").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.contains(&"DeviceProcessEvents.ndjson".to_string()) && names.contains(&"_ground-truth.json".to_string()), "{names:?}");
    for name in &names {
        let (x, y) = (std::fs::read(a.path().join(name)).expect("a"), std::fs::read(b.path().join(name)).expect("b"));
        assert!(x == y, "{name} differs between two runs with the same seed");
    }
    let data = tempfile::tempdir().expect("tempdir");
    let out = run_ok(&["--data-dir", path(data.path()), "ingest", path(a.path())]);
    let (read, stored, rejected) = counts(&out);
    assert_eq!((stored, rejected), (read, 0), "{out}");
    assert!(read >= 20_000, "{out}");
}
