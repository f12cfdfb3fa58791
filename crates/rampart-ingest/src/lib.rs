//! rampart-ingest: turns what sources send into validated Arrow batches of the
//! hunting schema.
//!
//! - [`json`]: NDJSON rows → one table's `RecordBatch`, with per-row errors
//!   (line, column, reason) so a bad row never takes the good rows of its batch with it.
//! - [`evtx`]: Windows event logs (Security, Sysmon, …) mapped onto Defender tables.
//!
//! **Boundary:** no I/O besides reading the files it is given; knows nothing of the
//! lake, HTTP or the write-ahead log.

mod error;
pub mod evtx;
pub mod json;

pub use error::Error;
