//! NDJSON rows → validated Arrow batches of one table.
//!
//! Each row is read straight from the input (no DOM for scalar fields), every
//! field is converted to its column's type by the rules in [`cell::convert`], and the
//! row is appended only if all of it is valid, so one bad row is rejected with a
//! [`RowError`] naming its line, column and reason while the rest of the batch is kept.
//! Fields that are not columns of the table are kept as a JSON object in the `$Raw`
//! system column. A missing `Timestamp` becomes the ingestion time and a missing
//! `ReportId` is assigned from [`ReportIds`] (both documented in `docs/ingest.md`).

mod builders;
mod cell;
mod route;
pub mod time;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};

use arrow_array::RecordBatch;
use rampart_schema::{ColumnType, Table};
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::Error;
use builders::BatchBuilder;
pub use cell::{Cell, Scalar, convert};
pub use route::{RoutedDecoder, TableRoute};

/// Why one row was rejected. `line` is 1-based within the request or file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RowError {
    pub line: u64,
    /// The column (or field) at fault; `None` when the row as a whole is malformed.
    pub column: Option<String>,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}: column {c}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// Hands out `ReportId`s for rows that arrive without one: unique on this node,
/// across restarts too, because the counter starts at the current time in
/// microseconds and ingest stays far below one row per microsecond on average.
#[derive(Debug)]
pub struct ReportIds(AtomicI64);

impl ReportIds {
    pub fn starting_at(first: i64) -> Self {
        ReportIds(AtomicI64::new(first))
    }
    pub fn from_clock() -> Self {
        Self::starting_at(chrono::Utc::now().timestamp_micros())
    }
    fn next(&self) -> i64 {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

/// Limits on one NDJSON request or file chunk.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest accepted line in bytes.
    pub max_row_bytes: usize,
    /// Most rows (non-blank lines) in one batch.
    pub max_rows: usize,
}

/// The result of decoding one batch: the valid rows and why the others were rejected.
#[derive(Debug)]
pub struct Decoded {
    pub batch: RecordBatch,
    pub rejected: Vec<RowError>,
}

/// Builds one table's batch row by row.
pub struct TableDecoder<'ids> {
    table: &'static Table,
    builder: BatchBuilder,
    ids: &'ids ReportIds,
    ingestion_micros: i64,
    report_id: Option<(usize, ColumnType)>,
    timestamp: Option<usize>,
}

impl<'ids> TableDecoder<'ids> {
    pub fn new(table: &'static Table, ingestion_micros: i64, ids: &'ids ReportIds) -> Self {
        TableDecoder {
            table,
            builder: BatchBuilder::new(table),
            ids,
            ingestion_micros,
            report_id: table.column("ReportId").map(|(i, c)| (i, c.kind)),
            timestamp: table.timestamp_index(),
        }
    }

    pub fn table(&self) -> &'static Table {
        self.table
    }

    /// Rows appended since the last [`TableDecoder::finish`].
    pub fn len(&self) -> usize {
        self.builder.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Validates one JSON object given as text and appends it.
    pub fn push_json(&mut self, line: u64, text: &[u8]) -> Result<(), RowError> {
        let mut de = serde_json::Deserializer::from_slice(text);
        let fields = RowSeed { table: self.table }
            .deserialize(&mut de)
            .and_then(|f| de.end().map(|()| f))
            .map_err(|e| RowError { line, column: None, reason: json_reason(&e) })?;
        let mut raw = Map::new();
        let cells = self.convert_fields(line, fields.cells, fields.extra, &mut raw)?;
        self.append(cells, &raw);
        Ok(())
    }

    /// Validates one row given as a JSON map; `raw` is merged into `$Raw` (for example
    /// the original fields of a Windows event).
    pub fn push_map(&mut self, line: u64, row: &Map<String, Value>, raw: Option<&Map<String, Value>>) -> Result<(), RowError> {
        let mut columns = Vec::with_capacity(row.len());
        let mut extra = Vec::new();
        for (k, v) in row {
            match self.table.column(k) {
                Some((i, _)) => columns.push((i, Scalar::from_value(v))),
                None => extra.push((k.clone(), v.clone())),
            }
        }
        let mut merged = raw.cloned().unwrap_or_default();
        let cells = self.convert_fields(line, columns, extra, &mut merged)?;
        self.append(cells, &merged);
        Ok(())
    }

    fn convert_fields<'a>(
        &self,
        line: u64,
        fields: Vec<(usize, Scalar<'a>)>,
        extra: Vec<(String, Value)>,
        raw: &mut Map<String, Value>,
    ) -> Result<Vec<Cell<'a>>, RowError> {
        let mut cells: Vec<Cell<'a>> = Vec::with_capacity(self.table.columns.len());
        cells.resize_with(self.table.columns.len(), || Cell::Null);
        for (i, v) in fields {
            let column = &self.table.columns[i];
            cells[i] = convert(column.kind, v).map_err(|reason| RowError {
                line,
                column: Some(column.name.clone()),
                reason,
            })?;
        }
        if let Some(i) = self.timestamp
            && cells[i] == Cell::Null
        {
            cells[i] = Cell::Micros(self.ingestion_micros);
        }
        if let Some((i, kind)) = self.report_id
            && cells[i] == Cell::Null
        {
            let id = self.ids.next();
            cells[i] = if kind == ColumnType::Long { Cell::I64(id) } else { Cell::Str(Cow::Owned(id.to_string())) };
        }
        raw.extend(extra);
        Ok(cells)
    }

    fn append(&mut self, cells: Vec<Cell>, raw: &Map<String, Value>) {
        let raw_text = (!raw.is_empty()).then(|| Value::Object(raw.clone()).to_string());
        self.builder.append_row(&cells, self.ingestion_micros, raw_text.as_deref());
    }

    /// Returns the rows appended so far as a batch of the table's storage schema.
    pub fn finish(&mut self) -> Result<RecordBatch, Error> {
        self.builder.finish().map_err(|e| Error::Internal(format!("building {} batch: {e}", self.table.name)))
    }
}

/// Decodes an NDJSON body for one table. Blank lines are skipped; a line longer than
/// `limits.max_row_bytes` or more than `limits.max_rows` rows fail the whole body
/// with [`Error::Limit`], since the sender must split its batch.
pub fn decode_ndjson(
    table: &'static Table,
    body: &[u8],
    limits: Limits,
    ingestion_micros: i64,
    ids: &ReportIds,
) -> Result<Decoded, Error> {
    let mut decoder = TableDecoder::new(table, ingestion_micros, ids);
    let mut rejected = Vec::new();
    let mut rows = 0usize;
    for (line, text) in lines(body) {
        if text.len() > limits.max_row_bytes {
            return Err(Error::Limit(format!(
                "line {line} is {} bytes, over the row limit of {} bytes",
                text.len(),
                limits.max_row_bytes
            )));
        }
        rows += 1;
        if rows > limits.max_rows {
            return Err(Error::Limit(format!(
                "more than {} rows in one batch (at line {line}); send smaller batches",
                limits.max_rows
            )));
        }
        if let Err(e) = decoder.push_json(line, text) {
            rejected.push(e);
        }
    }
    Ok(Decoded { batch: decoder.finish()?, rejected })
}

/// Non-blank lines of an NDJSON body with their 1-based line numbers.
pub fn lines(body: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    body.split(|&b| b == b'\n').enumerate().filter_map(|(i, l)| {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        let blank = l.iter().all(u8::is_ascii_whitespace);
        (!blank).then_some((i as u64 + 1, l))
    })
}

fn json_reason(e: &serde_json::Error) -> String {
    // serde_json reports "… at line 1 column N"; within one NDJSON line only the column matters.
    let msg = e.to_string();
    match msg.rsplit_once(" at line ") {
        Some((head, pos)) => match pos.split_once(" column ") {
            Some((_, col)) => format!("invalid JSON at character {col}: {head}"),
            None => format!("invalid JSON: {msg}"),
        },
        None => format!("invalid JSON: {msg}"),
    }
}

/// The fields of one row, split into known columns and extra fields.
struct RowFields<'de> {
    cells: Vec<(usize, Scalar<'de>)>,
    extra: Vec<(String, Value)>,
}

struct RowSeed<'t> {
    table: &'t Table,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = RowFields<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = RowFields<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object (one row)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = RowFields { cells: Vec::with_capacity(self.table.columns.len()), extra: Vec::new() };
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match self.table.column(&key) {
                Some((i, _)) => fields.cells.push((i, map.next_value::<Scalar<'de>>()?)),
                None => fields.extra.push((key.into_owned(), map.next_value::<Value>()?)),
            }
        }
        Ok(fields)
    }
}

/// Reads a map key, borrowing it from the input when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}
