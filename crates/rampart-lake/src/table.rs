//! One table's live state: the rows still in memory ("hot", acknowledged and in the
//! WAL) and the Parquet files its manifest names ("cold").
//!
//! Both sit behind one mutex so that a query's [`Snapshot`] and a flush's switch
//! from hot rows to a new file are atomic with respect to each other: every row is
//! seen exactly once, either in memory or in a file, never in both or neither.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use datafusion::arrow::array::RecordBatch;
use rampart_schema::Table;

use crate::manifest::{FileEntry, Manifest};
use crate::wal::lock;

struct HotBatch {
    lsn: u64,
    batch: RecordBatch,
    bytes: usize,
}

#[derive(Default)]
struct Inner {
    hot: Vec<HotBatch>,
    hot_rows: usize,
    hot_bytes: usize,
    /// When the oldest hot batch arrived.
    oldest: Option<Instant>,
    files: Arc<Vec<FileEntry>>,
}

/// What a query reads: hot batches and cold files as of one instant.
#[derive(Clone)]
pub struct Snapshot {
    pub hot: Vec<RecordBatch>,
    pub files: Arc<Vec<FileEntry>>,
}

/// Hot rows chosen for a flush.
pub struct FlushSet {
    pub batches: Vec<RecordBatch>,
    pub max_lsn: u64,
}

/// Counters exported as metrics.
#[derive(Debug, Default)]
pub struct TableStats {
    pub rows_ingested: AtomicU64,
    pub flushes: AtomicU64,
    pub compactions: AtomicU64,
}

pub struct TableState {
    pub table: &'static Table,
    inner: Mutex<Inner>,
    /// Serialises manifest writers (flush, compaction, retention) of this table.
    pub manifest: tokio::sync::Mutex<Manifest>,
    pub stats: TableStats,
}

/// Sizes of a table for metrics and the flush policy.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableSizes {
    pub hot_rows: usize,
    pub hot_bytes: usize,
    pub hot_age_secs: f64,
    pub files: usize,
    pub file_rows: u64,
    pub file_bytes: u64,
}

impl TableState {
    pub fn new(table: &'static Table, manifest: Manifest) -> Self {
        let inner = Inner { files: Arc::new(manifest.files.clone()), ..Inner::default() };
        TableState {
            table,
            inner: Mutex::new(inner),
            manifest: tokio::sync::Mutex::new(manifest),
            stats: TableStats::default(),
        }
    }

    /// Adds a durable batch (called in LSN order by the WAL writer and by replay).
    pub fn insert(&self, lsn: u64, batch: RecordBatch) -> usize {
        let bytes = batch.get_array_memory_size();
        let rows = batch.num_rows();
        let mut inner = lock(&self.inner);
        inner.hot_rows += rows;
        inner.hot_bytes += bytes;
        inner.oldest.get_or_insert_with(Instant::now);
        inner.hot.push(HotBatch { lsn, batch, bytes });
        self.stats.rows_ingested.fetch_add(rows as u64, Ordering::Relaxed);
        bytes
    }

    pub fn snapshot(&self) -> Snapshot {
        let inner = lock(&self.inner);
        Snapshot { hot: inner.hot.iter().map(|h| h.batch.clone()).collect(), files: inner.files.clone() }
    }

    /// The hot batches a flush should write, up to the latest one.
    pub fn flush_set(&self) -> Option<FlushSet> {
        let inner = lock(&self.inner);
        let max_lsn = inner.hot.last()?.lsn;
        Some(FlushSet { batches: inner.hot.iter().map(|h| h.batch.clone()).collect(), max_lsn })
    }

    /// Swaps in a new file list and drops the hot batches it now covers, in one step.
    /// Returns the bytes of memory freed.
    pub fn commit_files(&self, files: Vec<FileEntry>, flushed_lsn: Option<u64>) -> usize {
        let mut inner = lock(&self.inner);
        inner.files = Arc::new(files);
        let Some(upto) = flushed_lsn else { return 0 };
        let before = inner.hot_bytes;
        let keep: Vec<HotBatch> = std::mem::take(&mut inner.hot).into_iter().filter(|h| h.lsn > upto).collect();
        inner.hot_rows = keep.iter().map(|h| h.batch.num_rows()).sum();
        inner.hot_bytes = keep.iter().map(|h| h.bytes).sum();
        inner.oldest = if keep.is_empty() { None } else { inner.oldest };
        inner.hot = keep;
        before - inner.hot_bytes
    }

    /// The lowest LSN still only in memory, if any.
    pub fn first_hot_lsn(&self) -> Option<u64> {
        lock(&self.inner).hot.first().map(|h| h.lsn)
    }

    pub fn sizes(&self) -> TableSizes {
        let inner = lock(&self.inner);
        TableSizes {
            hot_rows: inner.hot_rows,
            hot_bytes: inner.hot_bytes,
            hot_age_secs: inner.oldest.map_or(0.0, |t| t.elapsed().as_secs_f64()),
            files: inner.files.len(),
            file_rows: inner.files.iter().map(|f| f.rows).sum(),
            file_bytes: inner.files.iter().map(|f| f.bytes).sum(),
        }
    }
}
