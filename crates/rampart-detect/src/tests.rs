//! Unit tests: small inline rules against inline events, one case per modifier,
//! routing and mapping rule. No I/O.

use serde_json::{Map, Value, json};

use crate::Detector;
use crate::logsource::{DefenderMapping, WindowsSources};

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A Sysmon process-creation event with `fields` added.
fn sysmon1(fields: Value) -> Map<String, Value> {
    let mut m = obj(json!({"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, "Computer": "ws1"}));
    m.extend(obj(fields));
    m
}

fn rule(detection: &str) -> String {
    format!(
        "title: t\nid: 00000000-0000-0000-0000-000000000001\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n{detection}\nlevel: high\n"
    )
}

/// Whether the rule (a `detection:` body) fires on the event.
fn fires(detection: &str, event: &Map<String, Value>) -> bool {
    let (d, report) = Detector::from_yaml(&rule(detection)).expect("rule set");
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    !d.matcher().windows(event).is_empty()
}

fn check(detection: &str, cases: &[(Value, bool)]) {
    for (fields, expect) in cases {
        assert_eq!(fires(detection, &sysmon1(fields.clone())), *expect, "{detection}\non {fields}");
    }
}

#[test]
fn contains_startswith_endswith_are_case_insensitive() {
    check(
        "    sel:\n        CommandLine|contains: 'whoami'\n    condition: sel",
        &[(json!({"CommandLine": "cmd /c WHOAMI /all"}), true), (json!({"CommandLine": "cmd"}), false), (json!({}), false)],
    );
    check(
        "    sel:\n        Image|startswith: 'C:\\Windows\\'\n    condition: sel",
        &[(json!({"Image": "c:\\windows\\system32\\cmd.exe"}), true), (json!({"Image": "D:\\x.exe"}), false)],
    );
    check(
        "    sel:\n        Image|endswith: '\\cmd.exe'\n    condition: sel",
        &[(json!({"Image": "C:\\Windows\\System32\\CMD.EXE"}), true), (json!({"Image": "C:\\cmd.exe.bak"}), false)],
    );
}

#[test]
fn contains_all_and_lists() {
    check(
        "    sel:\n        CommandLine|contains|all:\n            - 'net'\n            - 'user'\n    condition: sel",
        &[(json!({"CommandLine": "net user admin"}), true), (json!({"CommandLine": "net group"}), false)],
    );
    check(
        "    sel:\n        CommandLine|contains:\n            - 'mimikatz'\n            - 'sekurlsa'\n    condition: sel",
        &[(json!({"CommandLine": "x sekurlsa::logonpasswords"}), true), (json!({"CommandLine": "notepad"}), false)],
    );
}

#[test]
fn regular_expressions() {
    check(
        "    sel:\n        CommandLine|re: '-e(nc|ncodedcommand)? [A-Za-z0-9+/=]{20,}'\n    condition: sel",
        &[(json!({"CommandLine": "powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA"}), true), (json!({"CommandLine": "powershell -enc abc"}), false)],
    );
    check(
        "    sel:\n        CommandLine|re|i: 'INVOKE-MIMIKATZ'\n    condition: sel",
        &[(json!({"CommandLine": "invoke-mimikatz"}), true)],
    );
}

#[test]
fn base64offset_contains() {
    // "Invoke-" at each of the three offsets of base64 encoding.
    check(
        "    sel:\n        CommandLine|base64offset|contains: 'Invoke-'\n    condition: sel",
        &[
            (json!({"CommandLine": "powershell -e SW52b2tlLUV4cHJlc3Npb24="}), true),
            (json!({"CommandLine": "powershell -e eEludm9rZS1FeHByZXNzaW9u"}), true),
            (json!({"CommandLine": "powershell -e eHhJbnZva2UtRXhwcmVzc2lvbg=="}), true),
            (json!({"CommandLine": "powershell -e aGVsbG8gd29ybGQ="}), false),
        ],
    );
}

#[test]
fn base64offset_patterns_match_pysigma() {
    // What pySigma produces for the same value.
    assert_eq!(crate::base64offset::patterns(b"Invoke-"), ["SW52b2tlL", "ludm9rZS", "JbnZva2Ut"]);
}

#[test]
fn windash_matches_every_dash_form() {
    check(
        "    sel:\n        CommandLine|windash|contains: ' -decode '\n    condition: sel",
        &[
            (json!({"CommandLine": "certutil -decode a b"}), true),
            (json!({"CommandLine": "certutil /decode a b"}), true),
            (json!({"CommandLine": "certutil \u{2013}decode a b"}), true),
            (json!({"CommandLine": "certutil decode a b"}), false),
        ],
    );
}

#[test]
fn cidr_and_exists() {
    let (d, _) = Detector::from_yaml(
        "title: c\nlogsource:\n    product: windows\n    category: network_connection\ndetection:\n    sel:\n        DestinationIp|cidr: '10.0.0.0/8'\n    condition: sel\n",
    )
    .expect("rule");
    let net = |ip: &str| obj(json!({"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 3, "DestinationIp": ip}));
    assert_eq!(d.matcher().windows(&net("10.1.2.3")).len(), 1);
    assert!(d.matcher().windows(&net("192.168.1.1")).is_empty());

    check(
        "    sel:\n        ParentImage|exists: true\n    condition: sel",
        &[(json!({"ParentImage": "x"}), true), (json!({}), false)],
    );
    check(
        "    sel:\n        Image|endswith: '.exe'\n    filter:\n        OriginalFileName|exists: false\n    condition: sel and not filter",
        &[(json!({"Image": "a.exe", "OriginalFileName": "a.exe"}), true), (json!({"Image": "a.exe"}), false)],
    );
}

#[test]
fn conditions_one_of_all_of_not() {
    let detection = "    sel_img:\n        Image|endswith: '\\rundll32.exe'\n    sel_cli:\n        CommandLine|contains: 'javascript:'\n    filter_main:\n        CommandLine|contains: 'shell32.dll'\n    condition: all of sel_* and not 1 of filter_*";
    check(
        detection,
        &[
            (json!({"Image": "C:\\rundll32.exe", "CommandLine": "javascript:x"}), true),
            (json!({"Image": "C:\\rundll32.exe", "CommandLine": "javascript:x shell32.dll"}), false),
            (json!({"Image": "C:\\rundll32.exe", "CommandLine": "x"}), false),
        ],
    );
}

#[test]
fn rules_meet_only_events_of_their_source() {
    let detection = "    sel:\n        Image|endswith: '\\cmd.exe'\n    condition: sel";
    // Same fields, but a network connection (Sysmon 3): not a process_creation rule's event.
    let mut ev = sysmon1(json!({"Image": "C:\\cmd.exe"}));
    assert!(fires(detection, &ev));
    ev.insert("EventID".into(), json!(3));
    assert!(!fires(detection, &ev));
    // Security 4688 is process creation too, with its own field names.
    let sec = obj(json!({"Channel": "Security", "EventID": 4688, "NewProcessName": "C:\\Windows\\cmd.exe"}));
    assert!(fires(detection, &sec));
}

#[test]
fn service_rules_match_channels_without_case() {
    let (d, _) = Detector::from_yaml(
        "title: s\nlogsource:\n    product: windows\n    service: security\ndetection:\n    sel:\n        EventID: 1102\n    condition: sel\n",
    )
    .expect("rule");
    assert_eq!(d.matcher().windows(&obj(json!({"Channel": "security", "EventID": "1102"}))).len(), 1);
    assert!(d.matcher().windows(&obj(json!({"Channel": "System", "EventID": 1102}))).is_empty());
}

#[test]
fn defender_rows_are_matched_through_the_mapping() {
    let (d, _) = Detector::from_yaml(&rule(
        "    sel:\n        Image|endswith: '\\powershell.exe'\n        ParentImage|endswith: '\\winword.exe'\n        User|startswith: 'CONTOSO\\'\n        Hashes|contains: 'SHA1=ABC'\n    condition: sel",
    ))
    .expect("rule");
    let row = obj(json!({
        "ActionType": "ProcessCreated",
        "FolderPath": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        "InitiatingProcessFolderPath": "C:\\Program Files\\Microsoft Office\\WINWORD.EXE",
        "AccountDomain": "contoso", "AccountName": "alice", "SHA1": "abc", "MD5": "m", "SHA256": "s"
    }));
    let mut m = d.matcher();
    assert_eq!(m.row("DeviceProcessEvents", &row, None).len(), 1);
    // Another table's rows never meet process_creation rules.
    assert!(m.row("DeviceFileEvents", &row, None).is_empty());
    // A row from a Windows event is matched by its original fields when given.
    let raw = sysmon1(json!({"Image": "C:\\x.exe"}));
    assert!(m.row("DeviceProcessEvents", &row, Some(&raw)).is_empty());
}

#[test]
fn keywords_search_every_string_value() {
    let (d, _) = Detector::from_yaml(
        "title: k\nlogsource:\n    product: windows\n    service: system\ndetection:\n    keywords:\n        - 'mimikatz'\n    condition: keywords\n",
    )
    .expect("rule");
    let ev = obj(json!({"Channel": "System", "EventID": 7045, "ImagePath": "C:\\temp\\MIMIKATZ.exe"}));
    assert_eq!(d.matcher().windows(&ev).len(), 1);
}

#[test]
fn load_report_names_failures_and_skips() {
    let text = "title: bad modifier\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        Image|nosuchmodifier: x\n    condition: sel\n---\ntitle: old\nstatus: deprecated\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        Image: x\n    condition: sel\n---\ntitle: good\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        Image: x\n    condition: sel\n";
    let (d, report) = Detector::from_yaml(text).expect("rules");
    assert_eq!(d.rules().len(), 1);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert!(report.failed[0].reason.contains("nosuchmodifier"), "{}", report.failed[0].reason);
}

#[test]
fn mapping_data_names_real_columns() {
    let catalog = rampart_schema::catalog();
    let mapping = DefenderMapping::builtin().expect("defender.yml");
    for (table, cats) in &mapping.tables {
        let t = catalog.table(table).unwrap_or_else(|| panic!("unknown table {table}"));
        for c in cats {
            for sources in c.fields.values() {
                for col in sources.iter().flat_map(|s| s.columns()) {
                    assert!(t.column(col).is_some(), "{table}: no column {col}");
                }
            }
        }
    }
    WindowsSources::builtin().expect("windows.yml");
}
