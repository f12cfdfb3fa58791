//! Windows event logs (EVTX) mapped onto Defender tables. See `docs/mappings/evtx.md`.
//!
//! A record is read into a [`WinEvent`] (from the evtx crate's JSON, or from a flattened
//! JSON event), then [`map_event`] turns it into exactly one [`MappedEvent`]: one row of
//! a Defender table, plus the whole original event as flat Sigma-named fields (`raw`,
//! which the ingest layer stores in `$Raw`). Events without a mapping still land, in
//! `DeviceEvents`, so nothing a log held is lost.
//!
//! One file per channel family: [`sysmon`](self) (Sysmon/Operational), `security`
//! (endpoint events of the Security log), `identity` (domain-controller authentication
//! and directory changes), `other` (System, PowerShell, Defender, Task Scheduler, WMI
//! and the unmapped rule).

mod error;
mod event;
mod identity;
mod other;
mod reader;
mod row;
mod security;
mod sysmon;
mod value;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

pub use error::EvtxError;
pub use event::WinEvent;
pub use reader::read_file;
pub use value::device_id;

/// One event as one row of a Defender table.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedEvent {
    /// A Defender table name from the schema.
    pub table: &'static str,
    /// Only Defender column names of `table`, with values in the types the Arrow
    /// validator expects (RFC 3339 `Z` strings for datetimes, JSON integers for
    /// long/int, booleans, strings, and an object for `AdditionalFields`). No `ReportId`.
    pub row: Map<String, Value>,
    /// The original event, flat, with Sigma's field names (see [`WinEvent::raw`]).
    pub raw: Map<String, Value>,
}

/// Maps an event onto its Defender table. Never fails: an event without a mapping
/// lands in `DeviceEvents` with the ActionType `WinEvent:<channel>:<event id>`.
pub fn map_event(e: &WinEvent) -> MappedEvent {
    MappedEvent {
        raw: e.raw(),
        ..map_row(e)
    }
}

/// [`map_event`] for an event the caller no longer needs: its fields move into `raw`.
pub fn map_event_owned(e: WinEvent) -> MappedEvent {
    let m = map_row(&e);
    MappedEvent {
        raw: e.into_raw(),
        ..m
    }
}

/// The row alone (`raw` empty).
fn map_row(e: &WinEvent) -> MappedEvent {
    sysmon::map(e)
        .or_else(|| security::map(e))
        .or_else(|| identity::map(e))
        .or_else(|| other::map(e))
        .unwrap_or_else(|| other::unmapped(e))
}

/// Whether an event came from `channel` (compared without case: shippers lowercase it).
pub(crate) fn is_channel(e: &WinEvent, channel: &str) -> bool {
    e.channel.eq_ignore_ascii_case(channel)
}
