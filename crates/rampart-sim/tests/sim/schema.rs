//! Checks a row against the hunting schema: column names and JSON kinds.

use rampart_schema::{ColumnType, catalog};
use rampart_sim::SimEvent;

/// String columns that carry JSON text; the simulator sends them as JSON values.
const JSON_STRING_COLUMNS: &[&str] = &[
    "AdditionalFields", "LoggedOnUsers", "IPAddresses", "ConnectedNetworks", "DnsAddresses", "DefaultGateways",
    "AuthenticationDetails", "DetectionMethods", "ConfidenceLevel", "UrlChain", "ConditionalAccessPolicies",
    "AuthenticationProcessingDetails", "NetworkLocationDetails",
];

pub(crate) fn check_row(e: &SimEvent) -> Result<(), String> {
    let table = catalog().table(e.table).ok_or_else(|| format!("unknown table {}", e.table))?;
    for (k, v) in &e.row {
        let (_, col) = table.column(k).ok_or_else(|| format!("{}: unknown column {k}", e.table))?;
        let ok = match col.kind {
            ColumnType::String | ColumnType::Guid => v.is_string() || (JSON_STRING_COLUMNS.contains(&k.as_str()) && (v.is_object() || v.is_array())),
            ColumnType::DateTime => v.as_str().is_some_and(valid_ts),
            ColumnType::Long => v.as_i64().is_some(),
            ColumnType::Int => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
            ColumnType::Bool => v.is_boolean(),
            ColumnType::Real => v.is_number(),
            ColumnType::Dynamic => v.is_object() || v.is_array(),
        };
        if !ok {
            return Err(format!("{}.{k}: {v} does not fit {}", e.table, col.kind.name()));
        }
    }
    if table.timestamp_index().is_some() && !e.row.contains_key("Timestamp") {
        return Err(format!("{}: no Timestamp", e.table));
    }
    if !e.row.contains_key("ReportId") {
        return Err(format!("{}: no ReportId", e.table));
    }
    Ok(())
}

fn valid_ts(s: &str) -> bool {
    let Some(body) = s.strip_suffix('Z') else { return false };
    let frac = body.rsplit_once('.').map(|(_, f)| f.len()).unwrap_or(0);
    frac <= 6 && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}
