//! Corpus tests: the SigmaHQ rule set loads, and SigmaHQ's regression data (each
//! case an EVTX sample and the id of the rule it must trigger) fires. Both print a
//! summary and assert a floor that was measured, not chosen. They skip with a
//! printed reason when `../shared/corpora` is absent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rampart_detect::{Detector, check, scan};

fn sigma_corpus() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = [here.join("../../../shared/corpora/sigma"), PathBuf::from("/work/shared/corpora/sigma")]
        .into_iter()
        .find(|p| p.join("rules").is_dir());
    if found.is_none() {
        println!("skipped: ../shared/corpora/sigma is absent");
    }
    found
}

/// The `rules*` folders of the SigmaHQ layout.
fn rule_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("rules")))
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn sigmahq_rules_load() {
    let Some(root) = sigma_corpus() else { return };
    let report = check(&rule_dirs(&root)).expect("rules");
    println!(
        "SigmaHQ: {} files, {} rules loaded, {} failed, {} skipped (deprecated/unsupported); load rate {:.2}%",
        report.files,
        report.loaded,
        report.failed.len(),
        report.skipped.len(),
        report.load_rate() * 100.0
    );
    for (reason, n) in report.top_reasons().iter().take(10) {
        println!("  {n:4}  {reason}");
    }
    for p in &report.failed {
        println!("  failed: {}: {}", p.path.display(), p.reason.lines().next().unwrap_or_default());
    }
    // Measured: see docs/mappings/sigma.md.
    assert!(report.load_rate() >= 0.99, "load rate fell to {:.4}", report.load_rate());
}

struct Case {
    rule_id: String,
    evtx: PathBuf,
    expected: Option<u64>,
}

/// Each `info.yml` names the rule (`rule_metadata: - id:`) and its sample
/// (`regression_tests_info: - path:`, relative to the corpus root, with an optional
/// `match_count`). Read line by line: the layout is flat and fixed.
fn cases(root: &Path) -> Vec<Case> {
    let mut infos = Vec::new();
    let mut stack = vec![root.join("regression_data")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("regression_data").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "info.yml") {
                infos.push(p);
            }
        }
    }
    infos.sort();
    let mut out = Vec::new();
    for info in infos {
        let text = std::fs::read_to_string(&info).expect("info.yml");
        let field = |name: &str| {
            let mut section = "";
            let mut found = None;
            for line in text.lines() {
                if !line.starts_with(' ') {
                    section = line.trim_end_matches(':');
                    continue;
                }
                let t = line.trim().trim_start_matches("- ");
                if let Some(v) = t.strip_prefix(&format!("{name}:"))
                    && found.is_none() {
                        found = Some((section.to_string(), v.trim().to_string()));
                    }
            }
            found
        };
        let Some((_, rule_id)) = field("id").filter(|(s, _)| s == "rule_metadata") else { continue };
        let Some((_, path)) = field("path") else { continue };
        let expected = field("match_count").and_then(|(_, n)| n.parse().ok());
        out.push(Case { rule_id, evtx: root.join(path), expected });
    }
    out
}

#[test]
fn sigmahq_regression_data_fires() {
    let Some(root) = sigma_corpus() else { return };
    if !root.join("regression_data").is_dir() {
        println!("skipped: no regression_data in the corpus");
        return;
    }
    let (detector, _) = Detector::load(&rule_dirs(&root)).expect("rules");
    let by_id: HashMap<&str, usize> =
        detector.rules().iter().enumerate().filter_map(|(i, r)| Some((r.id.as_deref()?, i))).collect();
    let cases = cases(&root);
    let (mut fired, mut supported, mut exact) = (0, 0, 0);
    let mut misses = Vec::new();
    for case in &cases {
        let Some(&rule) = by_id.get(case.rule_id.as_str()) else {
            misses.push(format!("rule {} not loaded", case.rule_id));
            continue;
        };
        supported += 1;
        let report = scan::scan(&detector, std::slice::from_ref(&case.evtx), 1, &|_, _| {});
        let n = report.hits.iter().filter(|h| h.rule == rule).count() as u64;
        if n > 0 {
            fired += 1;
            match case.expected {
                Some(e) if e != n => misses.push(format!("count: {} fired {n} times, expected {e}", case.rule_id)),
                _ => exact += 1,
            }
        } else {
            let r = &detector.rules()[rule];
            misses.push(format!("{} ({:?}/{:?}) on {}", r.title, r.source.service, r.source.category, case.evtx.display()));
        }
    }
    println!(
        "regression data: {fired}/{} cases fire ({supported} with a loaded rule); {exact} with the expected match count",
        cases.len()
    );
    for m in &misses {
        println!("  miss: {m}");
    }
    // Measured: see docs/mappings/sigma.md.
    assert!(cases.len() >= 150, "only {} cases found", cases.len());
    assert!(fired * 100 >= cases.len() * 99, "{fired}/{} fired", cases.len());
    assert!(exact * 100 >= cases.len() * 97, "{exact}/{} with the expected count", cases.len());
}
