//! [`RowBuilder`]: fills one Defender row from a [`WinEvent`], converting each value to
//! its column's type and remembering which event fields it used, so the rest can go
//! to `AdditionalFields`.

use std::collections::HashSet;

use rampart_schema::{ColumnType, Table, catalog};
use serde_json::{Map, Value};

use super::MappedEvent;
use super::event::WinEvent;
use super::value::{
    device_id, file_name, ip_type, is_blank, normalize_time, parse_bool, parse_hashes, parse_i64,
    scalar_text, split_account, well_known_sid,
};

/// Which account columns a `DOMAIN\name` value fills.
#[derive(Clone, Copy)]
pub(crate) enum Who {
    /// `AccountDomain`, `AccountName`, `AccountSid`.
    Account,
    /// `InitiatingProcessAccountDomain`, `…Name`, `…Sid`.
    Initiating,
}

impl Who {
    fn columns(self) -> [&'static str; 3] {
        match self {
            Who::Account => ["AccountDomain", "AccountName", "AccountSid"],
            Who::Initiating => [
                "InitiatingProcessAccountDomain",
                "InitiatingProcessAccountName",
                "InitiatingProcessAccountSid",
            ],
        }
    }
}

pub(crate) struct RowBuilder<'e> {
    event: &'e WinEvent,
    name: &'static str,
    table: Option<&'static Table>,
    row: Map<String, Value>,
    used: HashSet<&'e str>,
    extra: Map<String, Value>,
}

impl<'e> RowBuilder<'e> {
    /// A row of `table` with `Timestamp`, `DeviceId`, `DeviceName` and `ActionType`.
    pub(crate) fn new(event: &'e WinEvent, table: &'static str, action: &str) -> Self {
        let mut b = RowBuilder {
            event,
            name: table,
            table: catalog().table(table),
            row: Map::new(),
            used: HashSet::new(),
            extra: Map::new(),
        };
        debug_assert!(b.table.is_some(), "unknown table {table}");
        b.set("Timestamp", Value::String(event.time.clone()));
        // Identity tables have no DeviceId, and their DeviceName is the client's.
        if !event.computer.is_empty() && b.has("DeviceId") {
            b.set("DeviceId", Value::String(device_id(&event.computer)));
            b.set("DeviceName", Value::String(event.computer.to_lowercase()));
        }
        b.set("ActionType", Value::String(action.to_string()));
        b
    }

    /// Whether the table has a column.
    pub(crate) fn has(&self, column: &str) -> bool {
        self.table.is_some_and(|t| t.column(column).is_some())
    }

    /// The event being mapped.
    pub(crate) fn event(&self) -> &'e WinEvent {
        self.event
    }

    /// A data field's text, `None` when absent or blank (`-`, empty).
    pub(crate) fn get(&self, field: &str) -> Option<String> {
        self.event
            .data
            .get(field)
            .and_then(scalar_text)
            .filter(|s| !is_blank(s))
    }

    /// A data field as an integer (decimal or `0x` hex).
    pub(crate) fn get_i64(&self, field: &str) -> Option<i64> {
        self.event.data.get(field).and_then(parse_i64)
    }

    /// Marks fields as carried by columns, so they stay out of `AdditionalFields`.
    pub(crate) fn mark(&mut self, fields: &[&str]) {
        for f in fields {
            if let Some((k, _)) = self.event.data.get_key_value(*f) {
                self.used.insert(k.as_str());
            }
        }
    }

    /// Sets a column, converted to the column's type; a value that does not convert
    /// (or a column the table lacks) is left out. Returns whether it was set.
    pub(crate) fn set(&mut self, column: &str, value: Value) -> bool {
        let Some((_, col)) = self.table.and_then(|t| t.column(column)) else {
            debug_assert!(false, "table {} has no column {column}", self.name);
            return false;
        };
        debug_assert!(column != "ReportId", "the server assigns ReportId");
        match convert(col.kind, &value) {
            Some(v) => {
                self.row.insert(column.to_string(), v);
                true
            }
            None => false,
        }
    }

    /// Copies a data field into a column; the field counts as used when it converts.
    pub(crate) fn take(&mut self, column: &str, field: &str) -> bool {
        let Some(v) = self.event.data.get(field) else {
            return false;
        };
        if matches!(v, Value::String(s) if is_blank(s)) {
            self.mark(&[field]);
            return false;
        }
        let ok = self.set(column, v.clone());
        if ok {
            self.mark(&[field]);
        }
        ok
    }

    /// A path field into `<prefix>FileName` (its last component) and `<prefix>FolderPath`
    /// (the whole path, as Defender stores it).
    pub(crate) fn take_path(&mut self, prefix: &str, field: &str) {
        if let Some(path) = self.get(field) {
            self.set(
                &format!("{prefix}FileName"),
                Value::String(file_name(&path).to_string()),
            );
            self.set(&format!("{prefix}FolderPath"), Value::String(path));
        }
        self.mark(&[field]);
    }

    /// Sysmon's `Hashes` into `<prefix>SHA1`/`SHA256`/`MD5`.
    pub(crate) fn take_hashes(&mut self, prefix: &str, field: &str) {
        if let Some(hashes) = self.get(field) {
            for (alg, hex) in parse_hashes(&hashes) {
                let column = match alg.to_ascii_uppercase().as_str() {
                    "SHA1" => "SHA1",
                    "SHA256" => "SHA256",
                    "MD5" => "MD5",
                    _ => continue,
                };
                self.set(&format!("{prefix}{column}"), Value::String(hex));
            }
        }
        self.mark(&[field]);
    }

    /// A `DOMAIN\name` field into account columns (with the SID of built-in accounts).
    pub(crate) fn take_user(&mut self, who: Who, field: &str) {
        if let Some(user) = self.get(field) {
            let (domain, name) = split_account(&user);
            let [dc, nc, sc] = who.columns();
            if let Some(sid) = well_known_sid(domain.as_deref(), &name) {
                self.set(sc, Value::String(sid.to_string()));
            }
            if let Some(d) = domain {
                self.set(dc, Value::String(d));
            }
            self.set(nc, Value::String(name));
        }
        self.mark(&[field]);
    }

    /// Separate SID, name and domain fields (the Security log's `Target*`/`Subject*`)
    /// into account columns; names and domains lowercase, as Defender shows them.
    pub(crate) fn take_account(&mut self, who: Who, sid: &str, name: &str, domain: &str) {
        let [dc, nc, sc] = who.columns();
        if let Some(s) = self.get(sid).filter(|s| s != "S-1-0-0") {
            self.set(sc, Value::String(s));
        }
        if let Some(n) = self.get(name) {
            self.set(nc, Value::String(n.to_lowercase()));
        }
        if let Some(d) = self.get(domain) {
            self.set(dc, Value::String(d.to_lowercase()));
        }
        self.mark(&[sid, name, domain]);
    }

    /// An IP field into an IP column and its class into the matching `…IPType` column.
    pub(crate) fn take_ip(&mut self, column: &str, type_column: Option<&str>, field: &str) {
        if let Some(ip) = self.get(field) {
            let ip = super::value::unmap_ip(&ip).to_string();
            if let (Some(tc), Some(class)) = (type_column, ip_type(&ip)) {
                self.set(tc, Value::String(class.to_string()));
            }
            self.set(column, Value::String(ip));
        }
        self.mark(&[field]);
    }

    /// A Sysmon time (`UtcTime`, `CreationUtcTime`) into a datetime column.
    pub(crate) fn take_time(&mut self, column: &str, field: &str) {
        if let Some(t) = self.get(field).and_then(|t| normalize_time(&t)) {
            self.set(column, Value::String(t));
            self.mark(&[field]);
        }
    }

    /// A value for `AdditionalFields` under a name of its own (Defender's, where known).
    pub(crate) fn extra(&mut self, key: &str, value: Value) {
        self.extra.insert(key.to_string(), value);
    }

    /// The row; unused, non-blank data fields join `AdditionalFields` (where the table
    /// has it). `raw` is left empty for [`super::map_event`] to fill, by copy or by move.
    pub(crate) fn finish(self) -> MappedEvent {
        let RowBuilder {
            event,
            name,
            table,
            mut row,
            used,
            mut extra,
            ..
        } = self;
        if table.is_some_and(|t| t.column("AdditionalFields").is_some()) {
            for (k, v) in &event.data {
                let blank = match v {
                    Value::Null => true,
                    Value::String(s) => is_blank(s),
                    _ => false,
                };
                if !blank && !used.contains(k.as_str()) && !extra.contains_key(k) {
                    extra.insert(k.clone(), v.clone());
                }
            }
            if !extra.is_empty() {
                row.insert("AdditionalFields".into(), Value::Object(extra));
            }
        }
        MappedEvent {
            table: name,
            row,
            raw: Map::new(),
        }
    }
}

/// A value in the JSON form the Arrow validator expects for a column type.
fn convert(kind: ColumnType, v: &Value) -> Option<Value> {
    match kind {
        ColumnType::String | ColumnType::Guid => match v {
            Value::String(s) if is_blank(s) => None,
            Value::String(_) => Some(v.clone()),
            Value::Number(_) | Value::Bool(_) => scalar_text(v).map(Value::String),
            Value::Array(_) | Value::Object(_) => Some(Value::String(v.to_string())),
            Value::Null => None,
        },
        ColumnType::Long => parse_i64(v).map(Value::from),
        ColumnType::Int => parse_i64(v)
            .and_then(|n| i32::try_from(n).ok())
            .map(Value::from),
        ColumnType::Bool => parse_bool(v).map(Value::Bool),
        ColumnType::DateTime => v.as_str().and_then(normalize_time).map(Value::String),
        ColumnType::Real => match v {
            Value::Number(n) => n.as_f64().map(Value::from),
            Value::String(s) => s.trim().parse::<f64>().ok().map(Value::from),
            _ => None,
        },
        ColumnType::Dynamic => (!v.is_null()).then(|| v.clone()),
    }
}
