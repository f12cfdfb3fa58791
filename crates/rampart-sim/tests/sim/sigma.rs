//! Verifies the Sigma claims in ground truth: each claimed SigmaHQ rule, loaded from the
//! corpus, must fire on at least one event of its stage once the row is translated back to
//! Sigma field names with the mapping the Rampart Sigma engine uses. Also counts how often
//! the claimed rules fire on benign rows. Skips (with a reason) when the corpus is absent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rampart_sim::{OsFamily, ReportId, SimEvent};
use rsigma_eval::event::JsonEvent;
use rsigma_eval::{CompiledRule, compile_rule, evaluate_rule};
use rsigma_parser::{SigmaRule, parse_sigma_yaml};
use serde_json::{Map, Value, json};

use super::{cfg, report_id, run};

fn corpus() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [here.join("../../../shared/corpora/sigma"), PathBuf::from("/work/shared/corpora/sigma")].into_iter().find(|p| p.join("rules").is_dir())
}

struct Loaded {
    rule: CompiledRule,
    title: String,
    category: String,
    product: String,
}

fn load_rules(root: &Path, ids: &BTreeSet<String>) -> BTreeMap<String, Loaded> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("rules")))
        .collect();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
            continue;
        }
        if p.extension().and_then(|e| e.to_str()) != Some("yml") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else { continue };
        let Some(id) = text.lines().find_map(|l| l.strip_prefix("id: ")).map(|s| s.trim().to_string()) else { continue };
        if !ids.contains(&id) {
            continue;
        }
        let coll = parse_sigma_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let rule: &SigmaRule = coll.rules.first().unwrap_or_else(|| panic!("{}: no rule", p.display()));
        let compiled = compile_rule(rule).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        out.insert(
            id,
            Loaded {
                rule: compiled,
                title: rule.title.clone(),
                category: rule.logsource.category.clone().unwrap_or_default(),
                product: rule.logsource.product.clone().unwrap_or_default(),
            },
        );
    }
    out
}

fn s<'a>(row: &'a Map<String, Value>, k: &str) -> &'a str {
    row.get(k).and_then(|v| v.as_str()).unwrap_or("")
}

/// A Defender row as the Sigma fields of its log source category (test-only mapping).
fn translate(e: &SimEvent) -> Option<(&'static str, Value)> {
    let r = &e.row;
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        if !(v.is_null() || v.as_str() == Some("")) {
            m.insert(k.to_string(), v);
        }
    };
    let user = |d: &str, n: &str| if d.is_empty() { n.to_string() } else { format!("{d}\\{n}") };
    let category = match e.table {
        "DeviceProcessEvents" => {
            put("Image", json!(s(r, "FolderPath")));
            put("CommandLine", json!(s(r, "ProcessCommandLine")));
            put("OriginalFileName", json!(s(r, "ProcessVersionInfoOriginalFileName")));
            put("ParentImage", json!(s(r, "InitiatingProcessFolderPath")));
            put("ParentCommandLine", json!(s(r, "InitiatingProcessCommandLine")));
            put("User", json!(user(s(r, "AccountDomain"), s(r, "AccountName"))));
            put("IntegrityLevel", json!(s(r, "ProcessIntegrityLevel")));
            put("Hashes", json!(format!("SHA1={},MD5={},SHA256={}", s(r, "SHA1"), s(r, "MD5"), s(r, "SHA256"))));
            put("Company", json!(s(r, "ProcessVersionInfoCompanyName")));
            put("Product", json!(s(r, "ProcessVersionInfoProductName")));
            put("Description", json!(s(r, "ProcessVersionInfoFileDescription")));
            put("ProcessId", r.get("ProcessId").cloned().unwrap_or(Value::Null));
            put("ParentProcessId", r.get("InitiatingProcessId").cloned().unwrap_or(Value::Null));
            "process_creation"
        }
        "DeviceNetworkEvents" => {
            let action = s(r, "ActionType");
            if action == "DnsConnectionInspected" {
                return None;
            }
            put("Image", json!(s(r, "InitiatingProcessFolderPath")));
            put("DestinationIp", json!(s(r, "RemoteIP")));
            put("DestinationPort", r.get("RemotePort").cloned().unwrap_or(Value::Null));
            put("DestinationHostname", json!(s(r, "RemoteUrl")));
            put("SourceIp", json!(s(r, "LocalIP")));
            put("SourcePort", r.get("LocalPort").cloned().unwrap_or(Value::Null));
            put("Protocol", json!(s(r, "Protocol").to_lowercase()));
            put("User", json!(user(s(r, "InitiatingProcessAccountDomain"), s(r, "InitiatingProcessAccountName"))));
            let initiated = matches!(action, "ConnectionSuccess" | "ConnectionAttempt" | "ConnectionFailed" | "ConnectionRequest");
            put("Initiated", json!(if initiated { "true" } else { "false" }));
            "network_connection"
        }
        "DeviceFileEvents" => {
            put("TargetFilename", json!(s(r, "FolderPath")));
            put("Image", json!(s(r, "InitiatingProcessFolderPath")));
            put("User", json!(user(s(r, "InitiatingProcessAccountDomain"), s(r, "InitiatingProcessAccountName"))));
            "file_event"
        }
        "DeviceRegistryEvents" => {
            put("TargetObject", json!(format!("{}\\{}", s(r, "RegistryKey"), s(r, "RegistryValueName"))));
            put("Details", json!(s(r, "RegistryValueData")));
            put("Image", json!(s(r, "InitiatingProcessFolderPath")));
            put("EventType", json!(if s(r, "ActionType") == "RegistryValueSet" { "SetValue" } else { "CreateKey" }));
            "registry"
        }
        "DeviceImageLoadEvents" => {
            put("ImageLoaded", json!(s(r, "FolderPath")));
            put("Image", json!(s(r, "InitiatingProcessFolderPath")));
            "image_load"
        }
        "DeviceEvents" if s(r, "ActionType") == "PowerShellCommand" => {
            let cmd = r.get("AdditionalFields").and_then(|v| v.get("Command")).and_then(|v| v.as_str()).unwrap_or("");
            put("ScriptBlockText", json!(cmd));
            "ps_script"
        }
        _ => return None,
    };
    Some((category, Value::Object(m)))
}

fn applies(rule: &Loaded, category: &str, os: Option<OsFamily>) -> bool {
    let cat_ok = if category == "registry" { rule.category.starts_with("registry_") } else { rule.category == category };
    let prod_ok = match rule.product.as_str() {
        "windows" => os == Some(OsFamily::Windows),
        "linux" => os == Some(OsFamily::Linux),
        "macos" => os == Some(OsFamily::MacOs),
        _ => true,
    };
    cat_ok && prod_ok
}

#[test]
fn claimed_sigma_rules_fire_on_their_stages() {
    let Some(root) = corpus() else {
        println!("skipped: SigmaHQ corpus not found (shared/corpora/sigma)");
        return;
    };
    let mut c = cfg(21);
    let rate: f64 = std::env::var("RAMPART_SIM_RATE").ok().and_then(|v| v.parse().ok()).unwrap_or(3.0);
    c.benign_rate = rate;
    let (sim, events) = run(c, 36);
    let os_of: BTreeMap<&str, OsFamily> = sim.org().devices.iter().map(|d| (d.device_name.as_str(), d.os)).collect();
    let truth = sim.ground_truth();
    let claimed: BTreeSet<String> = truth.scenarios.iter().flat_map(|s| s.stages.iter()).flat_map(|st| st.expected_sigma.iter().cloned()).collect();
    let rules = load_rules(&root, &claimed);
    let missing: Vec<&String> = claimed.iter().filter(|id| !rules.contains_key(*id)).collect();
    assert!(missing.is_empty(), "claimed rules not in the corpus: {missing:?}");

    let mut by_ref: BTreeMap<(&str, ReportId), usize> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        by_ref.insert((e.table, report_id(&e.row).unwrap()), i);
    }
    let translated: Vec<Option<(&'static str, Value)>> = events.iter().map(translate).collect();
    let os = |e: &SimEvent| e.row.get("DeviceName").and_then(|v| v.as_str()).and_then(|n| os_of.get(n).copied());
    let fires = |id: &str, i: usize| -> bool {
        let (Some(rule), Some((cat, v))) = (rules.get(id), &translated[i]) else { return false };
        applies(rule, cat, os(&events[i])) && evaluate_rule(&rule.rule, &JsonEvent::borrow(v)).is_some()
    };

    let mut attack_rows = BTreeSet::new();
    let mut failures = Vec::new();
    let mut verified = 0;
    for sc in &truth.scenarios {
        for st in &sc.stages {
            let idx: Vec<usize> = st.events.iter().filter_map(|ev| by_ref.get(&(ev.table.as_str(), ev.report_id.clone())).copied()).collect();
            attack_rows.extend(idx.iter().copied());
            for id in &st.expected_sigma {
                let hits = idx.iter().filter(|&&i| fires(id, i)).count();
                println!("{:<28} {:<70} {id} {:<50} hits {hits}", sc.kind_slug(), st.name, rules[id].title);
                if hits == 0 {
                    failures.push(format!("{} / {}: {id} ({})", sc.id, st.name, rules[id].title));
                } else {
                    verified += 1;
                }
            }
        }
    }
    // False positives: claimed rules on benign rows.
    let mut fp: BTreeMap<&str, usize> = BTreeMap::new();
    let mut benign_rows = 0usize;
    for i in 0..events.len() {
        if attack_rows.contains(&i) || translated[i].is_none() {
            continue;
        }
        benign_rows += 1;
        for id in rules.keys() {
            if fires(id, i) {
                *fp.entry(id.as_str()).or_default() += 1;
            }
        }
    }
    println!("benign rows with a Sigma log source: {benign_rows} (36 h at benign_rate {rate}); claimed rules firing on them:");
    for (id, n) in &fp {
        println!("  {n:>6}  {id}  {}", rules[*id].title);
    }
    println!("verified {verified} stage/rule claims over {} rules", rules.len());
    assert!(failures.is_empty(), "claimed Sigma rules that did not fire:\n{}", failures.join("\n"));
}

trait Slug {
    fn kind_slug(&self) -> String;
}

impl Slug for rampart_sim::Scenario {
    fn kind_slug(&self) -> String {
        serde_json::to_value(self.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}
