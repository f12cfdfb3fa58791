//! Tunables of the lake. The binary fills these from `rampart.toml`; the defaults
//! here are the documented defaults.

use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct LakeConfig {
    /// Flush a table's hot rows to Parquet once it holds this many rows…
    pub flush_rows: usize,
    /// …or this many bytes of Arrow memory…
    pub flush_bytes: usize,
    /// …or its oldest hot row is this old.
    pub flush_interval: Duration,
    /// Hot memory across all tables past which appends wait for flushes (back-pressure).
    pub max_hot_bytes: usize,
    /// WAL segment size before a new segment starts.
    pub wal_segment_bytes: u64,
    /// Requests queued for the WAL writer before senders block.
    pub wal_queue: usize,
    /// Rows per Parquet row group (the unit of time pruning inside a file).
    pub row_group_rows: usize,
    /// zstd level of Parquet pages.
    pub zstd_level: i32,
    /// Merge a day's files once it has at least this many small ones.
    pub compact_min_files: usize,
    /// Files at or above this size are left alone by compaction.
    pub compact_small_file_bytes: u64,
    /// Largest total input of one compaction.
    pub compact_max_input_bytes: u64,
    /// How often compaction and retention run.
    pub maintenance_interval: Duration,
    /// Files replaced or expired are deleted this long after, so running queries finish.
    pub file_grace: Duration,
    /// Default retention of every table.
    pub retention: Duration,
    /// Per-table retention overrides.
    pub retention_per_table: BTreeMap<String, Duration>,
}

impl Default for LakeConfig {
    fn default() -> Self {
        LakeConfig {
            flush_rows: 500_000,
            flush_bytes: 128 << 20,
            flush_interval: Duration::from_secs(60),
            max_hot_bytes: 512 << 20,
            wal_segment_bytes: 64 << 20,
            wal_queue: 256,
            row_group_rows: 128 * 1024,
            zstd_level: 1,
            compact_min_files: 8,
            compact_small_file_bytes: 32 << 20,
            compact_max_input_bytes: 256 << 20,
            maintenance_interval: Duration::from_secs(60),
            file_grace: Duration::from_secs(300),
            retention: Duration::from_secs(30 * 86_400),
            retention_per_table: BTreeMap::new(),
        }
    }
}

impl LakeConfig {
    pub fn retention_for(&self, table: &str) -> Duration {
        self.retention_per_table.get(table).copied().unwrap_or(self.retention)
    }
}
