//! Rows of several tables in one NDJSON stream, as files and exports carry them.
//!
//! A line names its table with a `"$table"` field, or arrives in the Defender
//! streaming-API shape (`{"category": "AdvancedHunting-<Table>", "properties": {…}}`);
//! otherwise the default table (`rampart ingest --table`) applies. Without a default,
//! a Windows event as JSON — the evtx rendering (`{"Event":{"System":…}}`) or the
//! flattened form of OTRF/Mordor datasets (`EventID` and `Channel` at top level) — is
//! mapped onto its Defender table as an EVTX record would be.

use std::collections::BTreeMap;

use arrow_array::RecordBatch;
use memchr::memmem;
use rampart_schema::{Table, catalog};
use serde_json::{Map, Value};

use super::{ReportIds, RowError, TableDecoder};
use crate::Error;

/// The field that names a row's table in mixed NDJSON.
pub const TABLE_FIELD: &str = "$table";
const STREAMING_PREFIX: &str = "AdvancedHunting-";

/// Where a line's table comes from, for messages and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableRoute {
    Default,
    Field,
    Streaming,
    WindowsEvent,
}

/// Where one parsed line goes.
enum Routed {
    /// A table, and the row to use instead of the line when it was wrapped.
    Table(&'static Table, TableRoute, Option<Map<String, Value>>),
    /// A Windows event mapped onto its table, with its original fields.
    Mapped(&'static Table, Map<String, Value>, Map<String, Value>),
}

/// Decodes NDJSON whose lines may belong to different tables.
pub struct RoutedDecoder<'ids> {
    default: Option<&'static Table>,
    decoders: BTreeMap<&'static str, TableDecoder<'ids>>,
    ids: &'ids ReportIds,
    ingestion_micros: i64,
}

impl<'ids> RoutedDecoder<'ids> {
    pub fn new(default: Option<&'static Table>, ingestion_micros: i64, ids: &'ids ReportIds) -> Self {
        RoutedDecoder { default, decoders: BTreeMap::new(), ids, ingestion_micros }
    }

    /// Rows buffered across all tables.
    pub fn len(&self) -> usize {
        self.decoders.values().map(TableDecoder::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Validates one line and appends it to its table's batch.
    pub fn push_json(&mut self, line: u64, text: &[u8]) -> Result<TableRoute, RowError> {
        // Fast path: a plain row for the default table is decoded without a DOM.
        let routed = memmem::find(text, TABLE_FIELD.as_bytes()).is_some()
            || memmem::find(text, STREAMING_PREFIX.as_bytes()).is_some();
        if !routed && let Some(table) = self.default {
            self.decoder(table).push_json(line, text)?;
            return Ok(TableRoute::Default);
        }
        let value: Value = serde_json::from_slice(text)
            .map_err(|e| RowError { line, column: None, reason: format!("invalid JSON: {e}") })?;
        self.push_value(line, value)
    }

    /// Validates one row already parsed (e.g. an element of a JSON array file).
    pub fn push_value(&mut self, line: u64, value: Value) -> Result<TableRoute, RowError> {
        let Value::Object(mut row) = value else {
            return Err(RowError { line, column: None, reason: "expected a JSON object (one row)".into() });
        };
        match self.route(line, &mut row)? {
            Routed::Table(table, route, properties) => {
                self.decoder(table).push_map(line, &properties.unwrap_or(row), None)?;
                Ok(route)
            }
            Routed::Mapped(table, mapped, raw) => {
                self.decoder(table).push_map(line, &mapped, Some(&raw))?;
                Ok(TableRoute::WindowsEvent)
            }
        }
    }

    /// Appends a row already mapped to a table (e.g. from a Windows event), with the
    /// source's original fields for `$Raw`.
    pub fn push_mapped(
        &mut self,
        line: u64,
        table: &'static Table,
        row: &Map<String, Value>,
        raw: Option<&Map<String, Value>>,
    ) -> Result<(), RowError> {
        self.decoder(table).push_map(line, row, raw)
    }

    fn route(&self, line: u64, row: &mut Map<String, Value>) -> Result<Routed, RowError> {
        let err = |column: &str, reason: String| RowError { line, column: Some(column.into()), reason };
        if let Some(name) = row.remove(TABLE_FIELD) {
            let name = name.as_str().ok_or_else(|| err(TABLE_FIELD, "expected a table name string".into()))?;
            let table = lookup(name).map_err(|reason| err(TABLE_FIELD, reason))?;
            return Ok(Routed::Table(table, TableRoute::Field, None));
        }
        if let Some(category) = row.get("category").and_then(Value::as_str)
            && let Some(name) = category.strip_prefix(STREAMING_PREFIX)
        {
            let table = lookup(name).map_err(|reason| err("category", reason))?;
            return match row.remove("properties") {
                Some(Value::Object(props)) => Ok(Routed::Table(table, TableRoute::Streaming, Some(props))),
                _ => Err(err("properties", "expected the row's columns in a \"properties\" object".into())),
            };
        }
        if let Some(table) = self.default {
            return Ok(Routed::Table(table, TableRoute::Default, None));
        }
        if let Some(event) = windows_event(row) {
            let event = event.map_err(|e| RowError { line, column: None, reason: e.to_string() })?;
            let mapped = crate::evtx::map_event_owned(event);
            let table = lookup(mapped.table).map_err(|reason| RowError { line, column: None, reason })?;
            return Ok(Routed::Mapped(table, mapped.row, mapped.raw));
        }
        Err(RowError { line, column: None, reason: format!("no table for this row: pass --table or add a \"{TABLE_FIELD}\" field") })
    }

    fn decoder(&mut self, table: &'static Table) -> &mut TableDecoder<'ids> {
        let (ids, at) = (self.ids, self.ingestion_micros);
        self.decoders.entry(table.name.as_str()).or_insert_with(|| TableDecoder::new(table, at, ids))
    }

    /// Returns one batch per table that received rows, in table-name order.
    pub fn finish(&mut self) -> Result<Vec<(&'static Table, RecordBatch)>, Error> {
        let mut out = Vec::new();
        for decoder in self.decoders.values_mut() {
            if !decoder.is_empty() {
                out.push((decoder.table(), decoder.finish()?));
            }
        }
        Ok(out)
    }
}

/// Reads a row as a Windows event if it has one of the two JSON shapes of one.
fn windows_event(row: &Map<String, Value>) -> Option<Result<crate::evtx::WinEvent, crate::evtx::EvtxError>> {
    use crate::evtx::WinEvent;
    if row.get("Event").and_then(|e| e.get("System")).is_some() {
        return Some(WinEvent::from_evtx_json(&Value::Object(row.clone())));
    }
    let flat = row.contains_key("EventID") && (row.contains_key("Channel") || row.contains_key("SourceName"));
    flat.then(|| WinEvent::from_flat_json(row))
}

fn lookup(name: &str) -> Result<&'static Table, String> {
    catalog().table(name).ok_or_else(|| format!("unknown table '{name}'"))
}
