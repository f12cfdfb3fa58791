//! [`WinEvent`]: one Windows event in normalised form, read from the JSON the evtx
//! crate renders or from a flattened ("Mordor") JSON event.

use serde_json::{Map, Value};

use super::error::EvtxError;
use super::value::{normalize_time, scalar_text};

/// A Windows event in normalised form, independent of how it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct WinEvent {
    pub channel: String,
    pub provider: String,
    pub event_id: u32,
    pub record_id: Option<u64>,
    pub computer: String,
    /// RFC 3339 UTC with microseconds, e.g. `2025-12-25T14:30:27.369114Z`.
    pub time: String,
    pub user_sid: Option<String>,
    /// EventData/UserData fields, flattened by their own (leaf) names.
    pub data: Map<String, Value>,
    /// The other envelope fields (`Level`, `Task`, `Keywords`, `Execution_ProcessID`,
    /// `Provider_Guid`, …), flattened with `_`-joined paths, so none is lost.
    pub system: Map<String, Value>,
}

/// Names `raw` gives the envelope; a data field with one of these names is kept
/// as `EventData_<name>` / `UserData_<name>` so it never hides the envelope value.
pub(crate) const CORE_NAMES: [&str; 7] = [
    "EventID",
    "Channel",
    "Provider_Name",
    "Computer",
    "EventRecordID",
    "TimeCreated",
    "UserID",
];

impl WinEvent {
    /// From the JSON the evtx crate produces (same layout as SigmaHQ regression .json
    /// files: `{"Event":{"System":{…},"EventData":{…}}}`).
    pub fn from_evtx_json(v: &Value) -> Result<WinEvent, EvtxError> {
        let event = v
            .get("Event")
            .unwrap_or(v)
            .as_object()
            .ok_or(EvtxError::NotAnObject)?;
        Self::from_evtx_parts(
            event,
            event.get("EventData").cloned(),
            event.get("UserData").cloned(),
        )
    }

    /// [`WinEvent::from_evtx_json`] for a value the caller no longer needs: the event's
    /// fields move instead of being copied.
    pub fn from_evtx_value(v: Value) -> Result<WinEvent, EvtxError> {
        let v = match v {
            Value::Object(mut o) if o.contains_key("Event") => {
                o.remove("Event").unwrap_or_default()
            }
            other => other,
        };
        let Value::Object(mut event) = v else {
            return Err(EvtxError::NotAnObject);
        };
        let (event_data, user_data) = (event.remove("EventData"), event.remove("UserData"));
        Self::from_evtx_parts(&event, event_data, user_data)
    }

    /// The envelope from `event`; the data from its `EventData`/`UserData` sections.
    fn from_evtx_parts(
        event: &Map<String, Value>,
        event_data: Option<Value>,
        user_data: Option<Value>,
    ) -> Result<WinEvent, EvtxError> {
        let system = event
            .get("System")
            .and_then(Value::as_object)
            .ok_or(EvtxError::MissingField { field: "System" })?;

        let event_id = system
            .get("EventID")
            .ok_or(EvtxError::MissingField { field: "EventID" })?;
        let (event_id, qualifiers) = match event_id {
            Value::Object(o) => (
                o.get("#text").unwrap_or(&Value::Null),
                attributes(event_id).get("Qualifiers"),
            ),
            other => (other, None),
        };
        let event_id = parse_event_id(event_id)?;
        let channel = text(system.get("Channel")).unwrap_or_default();
        let time_text = attributes(system.get("TimeCreated").unwrap_or(&Value::Null))
            .get("SystemTime")
            .and_then(scalar_text)
            .ok_or(EvtxError::MissingField {
                field: "TimeCreated",
            })?;
        let time = normalize_time(&time_text).ok_or_else(|| EvtxError::BadField {
            field: "TimeCreated",
            reason: format!("'{time_text}' is not a time"),
        })?;
        let provider_attrs = attributes(system.get("Provider").unwrap_or(&Value::Null));
        let provider = provider_attrs
            .get("Name")
            .and_then(scalar_text)
            .unwrap_or_default();
        // Logs converted from ETW traces name a provider but no channel.
        if channel.is_empty() && provider.is_empty() {
            return Err(EvtxError::MissingField { field: "Channel" });
        }
        let computer = text(system.get("Computer")).unwrap_or_default();
        let record_id = system.get("EventRecordID").and_then(as_u64);
        let user_sid = attributes(system.get("Security").unwrap_or(&Value::Null))
            .get("UserID")
            .and_then(scalar_text)
            .filter(|s| !s.is_empty());

        let mut extra = Map::new();
        if let Some(q) = qualifiers {
            extra.insert("EventID_Qualifiers".into(), q.clone());
        }
        for (k, v) in provider_attrs.iter().filter(|(k, _)| k.as_str() != "Name") {
            extra.insert(format!("Provider_{k}"), v.clone());
        }
        for (k, v) in system {
            if matches!(
                k.as_str(),
                "EventID" | "Channel" | "TimeCreated" | "Provider" | "Computer" | "EventRecordID"
            ) {
                continue;
            }
            if k == "Security" {
                // UserID is `user_sid`; anything else the element carries is kept.
                let rest: Map<String, Value> = attributes(v)
                    .iter()
                    .filter(|(a, _)| a.as_str() != "UserID")
                    .map(|(a, b)| (a.clone(), b.clone()))
                    .collect();
                flatten_path(&mut extra, k, &Value::Object(rest));
                continue;
            }
            flatten_path(&mut extra, k, v);
        }

        let mut data = Map::new();
        for (section, name) in [(event_data, "EventData"), (user_data, "UserData")] {
            if let Some(v) = section {
                flatten_data(&mut data, v, name);
            }
        }
        // Anything else under Event (RenderingInfo, ProcessingErrorData, …) is kept too.
        for (k, v) in event {
            if !matches!(
                k.as_str(),
                "System" | "EventData" | "UserData" | "#attributes"
            ) {
                flatten_path(&mut extra, k, v);
            }
        }
        Ok(WinEvent {
            channel,
            provider,
            event_id,
            record_id,
            computer,
            time,
            user_sid,
            data,
            system: extra,
        })
    }

    /// From a flattened event ("Mordor" layout used by OTRF Security-Datasets: `EventID`,
    /// `Channel`, `Hostname`, `SourceName`, `@timestamp`/`TimeCreated` … at top level).
    pub fn from_flat_json(v: &Map<String, Value>) -> Result<WinEvent, EvtxError> {
        // The first key of each list that holds a value is the one used; `Provider_Name`,
        // `Computer`, `EventRecordID` and `TimeCreated` make [`WinEvent::raw`] readable too.
        let first =
            |keys: &[&'static str]| keys.iter().find_map(|k| text(v.get(*k)).map(|t| (*k, t)));
        let event_id = parse_event_id(
            v.get("EventID")
                .ok_or(EvtxError::MissingField { field: "EventID" })?,
        )?;
        let channel = text(v.get("Channel")).ok_or(EvtxError::MissingField { field: "Channel" })?;
        // `@timestamp` is UTC as the shipper saw it; NXLog's `EventTime` is local time,
        // so it is the last resort.
        let (time_key, time_text) =
            first(&["@timestamp", "TimeCreated", "EventTime"]).ok_or(EvtxError::MissingField {
                field: "TimeCreated",
            })?;
        let time = normalize_time(&time_text).ok_or_else(|| EvtxError::BadField {
            field: "TimeCreated",
            reason: format!("'{time_text}' is not a time"),
        })?;
        let provider = first(&["SourceName", "ProviderName", "Provider_Name"]);
        let computer = first(&["Hostname", "Computer"]);
        let record = ["RecordNumber", "EventRecordID"]
            .iter()
            .find_map(|k| v.get(*k).and_then(as_u64).map(|n| (*k, n)));
        let user = text(v.get("UserID")).filter(|s| s.starts_with("S-"));

        let used = [
            Some("EventID"),
            Some("Channel"),
            Some(time_key),
            provider.as_ref().map(|p| p.0),
            computer.as_ref().map(|c| c.0),
            record.map(|r| r.0),
            user.as_ref().map(|_| "UserID"),
        ];
        let mut data = Map::new();
        let mut system = Map::new();
        for (k, val) in v {
            if used.contains(&Some(k.as_str())) {
                continue;
            }
            if FLAT_ENVELOPE.contains(&k.as_str()) {
                system.insert(k.clone(), val.clone());
            } else {
                data.insert(k.clone(), val.clone());
            }
        }
        Ok(WinEvent {
            channel,
            provider: provider.map(|p| p.1).unwrap_or_default(),
            event_id,
            record_id: record.map(|r| r.1),
            computer: computer.map(|c| c.1).unwrap_or_default(),
            time,
            user_sid: user,
            data,
            system,
        })
    }

    /// The whole event as flat key/values with Sigma's field names: the envelope
    /// (`EventID`, `Channel`, `Provider_Name`, `Computer`, `EventRecordID`, `TimeCreated`,
    /// `UserID`), every data field by its own name, then the other envelope fields
    /// (a name a data field already uses gets a `System_` prefix).
    pub fn raw(&self) -> Map<String, Value> {
        self.clone().into_raw()
    }

    /// [`WinEvent::raw`], moving the fields instead of copying them.
    pub fn into_raw(self) -> Map<String, Value> {
        let mut raw = Map::with_capacity(self.data.len() + self.system.len() + 7);
        raw.insert("EventID".into(), self.event_id.into());
        raw.insert("Channel".into(), self.channel.into());
        raw.insert("Provider_Name".into(), self.provider.into());
        raw.insert("Computer".into(), self.computer.into());
        if let Some(id) = self.record_id {
            raw.insert("EventRecordID".into(), id.into());
        }
        raw.insert("TimeCreated".into(), self.time.into());
        if let Some(sid) = self.user_sid {
            raw.insert("UserID".into(), sid.into());
        }
        raw.extend(self.data);
        for (k, v) in self.system {
            let key = if raw.contains_key(&k) {
                format!("System_{k}")
            } else {
                k
            };
            raw.insert(key, v);
        }
        raw
    }
}

/// Top-level keys of flattened events that describe the envelope or the shipper
/// (NXLog, Logstash, Winlogbeat), not the event's own data.
const FLAT_ENVELOPE: [&str; 26] = [
    "@timestamp",
    "@version",
    "EventTime",
    "EventReceivedTime",
    "TimeCreated",
    "host",
    "port",
    "tags",
    "SourceModuleName",
    "SourceModuleType",
    "Severity",
    "SeverityValue",
    "ExecutionProcessID",
    "ThreadID",
    "ProviderGuid",
    "Keywords",
    "Level",
    "Task",
    "Opcode",
    "OpcodeValue",
    "Message",
    "Category",
    "AccountType",
    "ActivityID",
    "RelatedActivityID",
    "RecordNumber",
];

fn parse_event_id(v: &Value) -> Result<u32, EvtxError> {
    as_u64(v)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| EvtxError::BadField {
            field: "EventID",
            reason: format!("{v} is not an event id"),
        })
}

fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A scalar as non-empty text.
fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(scalar_text).filter(|s| !s.is_empty())
}

/// The `#attributes` object of an element rendered by the evtx crate.
fn attributes(v: &Value) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    v.get("#attributes")
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

/// Envelope elements: `Execution.#attributes.ProcessID` becomes `Execution_ProcessID`,
/// an element's text its own name. Nulls (`"Correlation": null`) carry nothing.
fn flatten_path(out: &mut Map<String, Value>, path: &str, v: &Value) {
    match v {
        Value::Null => {}
        Value::Object(o) => {
            for (k, child) in o {
                match k.as_str() {
                    "#attributes" => flatten_path(out, path, child),
                    "#text" => {
                        out.insert(path.to_string(), child.clone());
                    }
                    _ => flatten_path(out, &format!("{path}_{k}"), child),
                }
            }
        }
        other => {
            out.insert(path.to_string(), other.clone());
        }
    }
}

/// EventData/UserData: every leaf by its own name. A leaf whose name is taken (by an
/// envelope name or an earlier leaf) is prefixed with its parent's name, then the
/// section's, so no value is dropped.
fn flatten_data(out: &mut Map<String, Value>, v: Value, section: &str) {
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                flatten_leaf(out, &k, child, section);
            }
        }
        Value::Null => {}
        // A section with bare text: keep it under the section's name.
        other => insert_unique(out, section, section, other),
    }
}

fn flatten_leaf(out: &mut Map<String, Value>, name: &str, v: Value, parent: &str) {
    match v {
        Value::Object(mut o) => {
            // An element with text and attributes: the text is its value, the
            // attributes (other than namespaces) leaves of their own.
            if let Some(t) = o.remove("#text") {
                insert_unique(out, name, parent, t);
            }
            for (k, child) in o {
                match (k.as_str(), child) {
                    ("#attributes", Value::Object(attrs)) => {
                        for (a, av) in attrs.into_iter().filter(|(a, _)| !a.starts_with("xmlns")) {
                            flatten_leaf(out, &a, av, name);
                        }
                    }
                    ("#attributes", _) => {}
                    (_, child) => flatten_leaf(out, &k, child, name),
                }
            }
        }
        other => insert_unique(out, name, parent, other),
    }
}

fn insert_unique(out: &mut Map<String, Value>, name: &str, parent: &str, v: Value) {
    if !out.contains_key(name) && !CORE_NAMES.contains(&name) {
        out.insert(name.to_string(), v);
        return;
    }
    let mut key = format!("{parent}_{name}");
    let mut n = 2;
    while out.contains_key(&key) {
        key = format!("{parent}_{name}_{n}");
        n += 1;
    }
    out.insert(key, v);
}
