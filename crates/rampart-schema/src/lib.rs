//! The Defender advanced-hunting schema as Rampart's single source of truth.
//!
//! `data/hunting-schema.json` is a copy of `shared/reference/hunting-schema.json`. It is
//! embedded at compile time and turned into a [`Catalog`] of [`Table`]s, each with an
//! Arrow schema whose column names, order and types match Defender's. Nothing here
//! retypes a table by hand: add a column to the JSON and every layer sees it.
//!
//! Types map as follows: `string`/`guid` → `Utf8`, `datetime` → `Timestamp(µs, UTC)`,
//! `long` → `Int64`, `int` → `Int32`, `bool` → `Boolean`, `real` → `Float64`, and
//! `dynamic` → `Utf8` holding compact JSON text (see [`ColumnType::Dynamic`]).
//!
//! Every stored table also carries two *system columns* after Defender's own:
//! [`INGESTION_TIME`] (when the row reached Rampart, for `ingestion_time()`) and
//! [`RAW`] (JSON object of the fields a source sent that are not columns of the table,
//! so nothing a source sent is lost). Their names start with `$`, which KQL
//! identifiers cannot, so they never clash with Defender columns.
//!
//! This crate also holds [`ErrorCode`], the fault classes every library error maps to.

mod catalog;
mod error;

pub use catalog::{Catalog, Column, ColumnType, Table, UTC, Workload, catalog, timestamp_type};
pub use error::{Error, ErrorCode};

/// System column: when the row was accepted by Rampart (UTC, microseconds).
pub const INGESTION_TIME: &str = "$IngestionTime";
/// System column: JSON object of source fields that have no column in the table.
pub const RAW: &str = "$Raw";

#[cfg(test)]
mod tests;
