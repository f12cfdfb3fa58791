//! Rows under construction and the emitter that stamps them with time and report id.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::ids::ReportIds;
use crate::time::{Micros, fmt_ts};
use crate::truth::{EventRef, ReportId};

/// One row of one table, keyed by exact column names.
#[derive(Debug, Default)]
pub(crate) struct Row(pub(crate) Map<String, Value>);

impl Row {
    pub(crate) fn new() -> Row {
        Row(Map::new())
    }

    /// A string column; empty strings are left out, as Defender leaves the column empty.
    pub(crate) fn s(&mut self, key: &str, v: impl AsRef<str>) -> &mut Row {
        let v = v.as_ref();
        if !v.is_empty() {
            self.0.insert(key.to_string(), Value::String(v.to_string()));
        }
        self
    }

    /// A long or int column.
    pub(crate) fn n(&mut self, key: &str, v: i64) -> &mut Row {
        self.0.insert(key.to_string(), Value::from(v));
        self
    }

    pub(crate) fn b(&mut self, key: &str, v: bool) -> &mut Row {
        self.0.insert(key.to_string(), Value::Bool(v));
        self
    }

    pub(crate) fn t(&mut self, key: &str, us: Micros) -> &mut Row {
        self.0.insert(key.to_string(), Value::String(fmt_ts(us)));
        self
    }

    /// A dynamic column, or a string column that carries JSON (AdditionalFields and the like).
    pub(crate) fn j(&mut self, key: &str, v: Value) -> &mut Row {
        self.0.insert(key.to_string(), v);
        self
    }
}

/// A row waiting for its time to come, ordered by (timestamp, sequence).
#[derive(Debug)]
pub(crate) struct Pending {
    pub ts: Micros,
    pub seq: u64,
    pub table: &'static str,
    pub report_id: ReportId,
    pub row: Map<String, Value>,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.ts == other.ts && self.seq == other.seq
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.ts, self.seq).cmp(&(other.ts, other.seq))
    }
}

/// Whether a table's ReportId is a long (Device* tables) rather than a string.
fn long_report_id(table: &str) -> bool {
    table.starts_with("Device")
}

/// Stamps rows with `Timestamp` and a unique `ReportId` and collects them.
#[derive(Debug)]
pub(crate) struct Emitter {
    ids: ReportIds,
    seq: u64,
    pub(crate) out: Vec<Pending>,
}

impl Emitter {
    pub(crate) fn new(seed: u64) -> Emitter {
        Emitter { ids: ReportIds::new(seed), seq: 0, out: Vec::new() }
    }

    /// Adds a row of `table` at `ts`; returns where ground truth can find it.
    pub(crate) fn emit(&mut self, table: &'static str, ts: Micros, mut row: Row) -> EventRef {
        let n = self.ids.next_raw();
        let report_id = if long_report_id(table) {
            ReportId::Long(n as i64)
        } else {
            ReportId::Text(ReportIds::text(n, self.ids.salt()))
        };
        row.t("Timestamp", ts);
        let id_value = match &report_id {
            ReportId::Long(v) => Value::from(*v),
            ReportId::Text(s) => Value::String(s.clone()),
        };
        row.0.insert("ReportId".to_string(), id_value);
        self.seq += 1;
        self.out.push(Pending { ts, seq: self.seq, table, report_id: report_id.clone(), row: row.0 });
        EventRef { table: table.to_string(), report_id, timestamp: fmt_ts(ts) }
    }

    /// Number of rows collected so far (a mark for [`Emitter::refs_since`]).
    pub(crate) fn mark(&self) -> usize {
        self.out.len()
    }

    /// Earliest and latest timestamp of the rows collected since `mark`.
    pub(crate) fn span_since(&self, mark: usize) -> Option<(Micros, Micros)> {
        let rows = self.out.get(mark..)?;
        let min = rows.iter().map(|p| p.ts).min()?;
        let max = rows.iter().map(|p| p.ts).max()?;
        Some((min, max))
    }

    /// The rows collected since `mark`, as ground-truth references in time order.
    pub(crate) fn refs_since(&self, mark: usize) -> Vec<(Micros, EventRef)> {
        let mut v: Vec<(Micros, u64, EventRef)> = self
            .out
            .get(mark..)
            .unwrap_or(&[])
            .iter()
            .map(|p| {
                (p.ts, p.seq, EventRef { table: p.table.to_string(), report_id: p.report_id.clone(), timestamp: fmt_ts(p.ts) })
            })
            .collect();
        v.sort_by_key(|(ts, seq, _)| (*ts, *seq));
        v.into_iter().map(|(ts, _, r)| (ts, r)).collect()
    }
}
