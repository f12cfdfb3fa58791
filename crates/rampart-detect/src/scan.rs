//! Offline triage: EVTX and JSON files matched against a [`Detector`] without a
//! server, files spread over threads. What `rampart scan` prints is a list of
//! [`Hit`]s in time order.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rampart_ingest::evtx::{WinEvent, read_file};
use serde_json::{Map, Value};

use crate::detector::{Detector, Matcher};
use crate::error::Result;

/// One detection in the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index into [`Detector::rules`].
    pub rule: usize,
    pub file: Arc<Path>,
    pub event_record_id: Option<u64>,
    /// RFC 3339 UTC, as the event has it (empty if it has none).
    pub timestamp: String,
    pub computer: String,
    pub user: String,
    /// Sigma field names and the values that matched.
    pub fields: Vec<(String, Value)>,
}

/// What a scan read and found.
#[derive(Debug, Default)]
pub struct ScanReport {
    pub files: usize,
    pub events: u64,
    /// Hits ordered by timestamp, then file and record.
    pub hits: Vec<Hit>,
    /// Files or records that could not be read (the scan goes on without them).
    pub errors: Vec<String>,
    pub error_count: u64,
}

/// Errors kept in full per scan; the rest are only counted.
const MAX_ERRORS: usize = 100;

/// Extensions a scan reads.
const EXTENSIONS: [&str; 4] = ["evtx", "json", "jsonl", "ndjson"];

/// Every scannable file under `paths` (a path may be a file), sorted.
pub fn input_files(paths: &[impl AsRef<Path>]) -> Result<Vec<PathBuf>> {
    crate::files::files_under(paths, &EXTENSIONS)
}

/// Scans `files` on `threads` threads (at least one). `on_file` is called once per
/// file, from the thread that read it, with the number of events read.
pub fn scan(detector: &Detector, files: &[PathBuf], threads: usize, on_file: &(dyn Fn(&Path, u64) + Sync)) -> ScanReport {
    let next = AtomicUsize::new(0);
    let total = Mutex::new(ScanReport { files: files.len(), ..Default::default() });
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                let mut matcher = detector.matcher();
                let mut local = ScanReport::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let events = scan_file(&mut matcher, path, &mut local);
                    on_file(path, events);
                }
                // A poisoned lock means another thread panicked; its panic is re-raised
                // by the scope, so the value here does not matter.
                if let Ok(mut t) = total.lock() {
                    t.events += local.events;
                    t.hits.append(&mut local.hits);
                    t.error_count += local.error_count;
                    let room = MAX_ERRORS.saturating_sub(t.errors.len());
                    t.errors.extend(local.errors.into_iter().take(room));
                }
            });
        }
    });
    let mut report = total.into_inner().unwrap_or_else(|p| p.into_inner());
    report
        .hits
        .sort_by(|a, b| (&a.timestamp, &a.file, a.event_record_id, a.rule).cmp(&(&b.timestamp, &b.file, b.event_record_id, b.rule)));
    report
}

/// Reads one file into `out`; returns the number of events read.
fn scan_file(matcher: &mut Matcher<'_>, path: &Path, out: &mut ScanReport) -> u64 {
    let file: Arc<Path> = Arc::from(path);
    let is_evtx = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("evtx"));
    let mut events = 0;
    let error = |out: &mut ScanReport, e: String| {
        out.error_count += 1;
        if out.errors.len() < MAX_ERRORS {
            out.errors.push(e);
        }
    };
    if is_evtx {
        match read_file(path) {
            Ok(records) => {
                for r in records {
                    match r {
                        Ok(m) => {
                            events += 1;
                            windows_hits(matcher, &m.raw, &file, out);
                        }
                        Err(e) => error(out, e.to_string()),
                    }
                }
            }
            Err(e) => error(out, e.to_string()),
        }
    } else {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                error(out, format!("{}: {e}", path.display()));
                return 0;
            }
        };
        // One object, an array, or objects one after another (NDJSON or pretty).
        for (n, v) in serde_json::Deserializer::from_slice(&bytes).into_iter::<Value>().enumerate() {
            let items = match v {
                Ok(Value::Array(items)) => items,
                Ok(v) => vec![v],
                Err(e) => {
                    error(out, format!("{}: value {}: invalid json: {e}", path.display(), n + 1));
                    break;
                }
            };
            for v in items {
                events += 1;
                if let Err(e) = json_hits(matcher, v, &file, out) {
                    error(out, format!("{}: value {}: {e}", path.display(), n + 1));
                }
            }
        }
    }
    out.events += events;
    events
}

/// A JSON value: a Windows event (evtx rendering or flat) or a table row with `$table`.
fn json_hits(matcher: &mut Matcher<'_>, v: Value, file: &Arc<Path>, out: &mut ScanReport) -> Result<(), String> {
    let Value::Object(mut obj) = v else {
        return Err("expected a json object".into());
    };
    if obj.get("Event").and_then(|e| e.get("System")).is_some() || obj.contains_key("System") {
        let raw = WinEvent::from_evtx_value(Value::Object(obj)).map_err(|e| e.to_string())?.into_raw();
        windows_hits(matcher, &raw, file, out);
        return Ok(());
    }
    if let Some(table) = obj.remove("$table") {
        let table = table.as_str().ok_or("$table is not a string")?.to_string();
        for d in matcher.row(&table, &obj, None) {
            out.hits.push(Hit {
                rule: d.rule,
                file: Arc::clone(file),
                event_record_id: None,
                timestamp: text(&obj, &["Timestamp"]),
                computer: text(&obj, &["DeviceName"]),
                user: text(&obj, &["AccountName", "InitiatingProcessAccountName"]),
                fields: d.fields,
            });
        }
        return Ok(());
    }
    if obj.contains_key("EventID") {
        let raw = WinEvent::from_flat_json(&obj).map_err(|e| e.to_string())?.into_raw();
        windows_hits(matcher, &raw, file, out);
        return Ok(());
    }
    Err("neither a windows event nor a row with $table".into())
}

fn windows_hits(matcher: &mut Matcher<'_>, raw: &Map<String, Value>, file: &Arc<Path>, out: &mut ScanReport) {
    let detections = matcher.windows(raw);
    if detections.is_empty() {
        return;
    }
    let record = raw.get("EventRecordID").and_then(Value::as_u64);
    let timestamp = text(raw, &["TimeCreated"]);
    let computer = text(raw, &["Computer"]);
    let user = user(raw);
    for d in detections {
        out.hits.push(Hit {
            rule: d.rule,
            file: Arc::clone(file),
            event_record_id: record,
            timestamp: timestamp.clone(),
            computer: computer.clone(),
            user: user.clone(),
            fields: d.fields,
        });
    }
}

/// The user an event is about, in the order a responder would want it.
fn user(raw: &Map<String, Value>) -> String {
    let domain_name = |d: &str, n: &str| {
        let (d, n) = (text(raw, &[d]), text(raw, &[n]));
        match (d.is_empty(), n.is_empty()) {
            (_, true) => String::new(),
            (true, false) => n,
            (false, false) => format!("{d}\\{n}"),
        }
    };
    let u = text(raw, &["User"]);
    if !u.is_empty() {
        return u;
    }
    for (d, n) in [("TargetDomainName", "TargetUserName"), ("SubjectDomainName", "SubjectUserName")] {
        let u = domain_name(d, n);
        if !u.is_empty() && u != "-" {
            return u;
        }
    }
    text(raw, &["UserID"])
}

/// The first of `keys` that holds a scalar, as text.
fn text(m: &Map<String, Value>, keys: &[&str]) -> String {
    keys.iter()
        .find_map(|k| match m.get(*k)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .unwrap_or_default()
}
