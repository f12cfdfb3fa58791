//! rampart-lake: durable storage of telemetry and the tables DataFusion queries.
//!
//! ```text
//!  append(table, batch) ──► WAL writer thread ──fsync──► ack
//!                                   │ (in LSN order)
//!                                   ▼
//!                         hot batches per table ──flush──► Parquet per table/day
//!                                   │                        (object_store + manifest)
//!                                   └──────────┬─────────────┘
//!                                    LakeTable (TableProvider): hot ∪ cold, each row once
//! ```
//!
//! **Invariants.** A batch is acknowledged only after its WAL record is fsync'd. A
//! WAL segment is deleted only after every record in it is in a Parquet file that a
//! durable manifest names. Queries see a table's hot rows and files from one atomic
//! snapshot, so each row appears exactly once. Start-up replays the WAL records that
//! no manifest covers and deletes files no manifest names.
//!
//! **Boundary:** knows Arrow, Parquet, object stores and the hunting schema; knows
//! nothing of HTTP, JSON or query languages.

mod config;
mod error;
mod maintenance;
mod manifest;
mod parquet;
mod provider;
mod storage;
mod table;
pub mod wal;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use datafusion::arrow::array::RecordBatch;
use datafusion::common::TableReference;
use datafusion::prelude::{SessionConfig, SessionContext};
use rampart_schema::{Table, catalog};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub use config::LakeConfig;
pub use error::{Error, Result};
pub use manifest::FileEntry;
pub use table::TableSizes;
use maintenance::PendingDeletes;
use table::TableState;
use wal::{Committed, Wal, lock};

/// Counters of the lake as a whole.
#[derive(Debug, Default)]
pub struct LakeStats {
    pub flush_errors: AtomicU64,
    pub replayed_records: AtomicU64,
    pub replayed_rows: AtomicU64,
}

/// One table's figures for metrics.
#[derive(Debug, Clone)]
pub struct TableReport {
    pub name: &'static str,
    pub rows_ingested: u64,
    pub flushes: u64,
    pub compactions: u64,
    pub sizes: TableSizes,
}

/// The lake of one data directory. Cheap to clone.
#[derive(Clone)]
pub struct Lake {
    inner: Arc<LakeInner>,
}

pub(crate) struct LakeInner {
    cfg: LakeConfig,
    storage: storage::Storage,
    wal: Wal,
    tables: Arc<BTreeMap<&'static str, Arc<TableState>>>,
    hot_bytes: Arc<AtomicUsize>,
    /// Highest LSN handed to the lake by the WAL writer (stored after the insert).
    last_lsn: Arc<AtomicU64>,
    wake_flusher: Arc<Notify>,
    pending_deletes: PendingDeletes,
    stats: LakeStats,
    closed: AtomicBool,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    lock: File,
}

impl Lake {
    /// Opens (or creates) the lake under `data_dir`: takes the directory lock, loads
    /// manifests, removes orphan files, replays the WAL and starts background work.
    /// Must be called inside a Tokio runtime.
    pub async fn open(data_dir: &Path, cfg: LakeConfig) -> Result<Lake> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::io("creating the data directory", data_dir, e))?;
        let lock_path = data_dir.join("LOCK");
        let lock_file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io("opening the lock file", &lock_path, e))?;
        if lock_file.try_lock().is_err() {
            return Err(Error::Locked(data_dir.to_path_buf()));
        }
        let storage = storage::Storage::local(data_dir.join("lake"))?;
        let mut tables = BTreeMap::new();
        let mut flushed = BTreeMap::new();
        for table in catalog().tables() {
            let m = manifest::Manifest::load(&storage, &table.name).await?;
            flushed.insert(table.name.as_str(), m.flushed_lsn);
            tables.insert(table.name.as_str(), Arc::new(TableState::new(table, m)));
        }
        let max_flushed = flushed.values().copied().max().unwrap_or(0);
        let tables = Arc::new(tables);
        let hot_bytes = Arc::new(AtomicUsize::new(0));
        let stats = LakeStats::default();

        let wal_dir = data_dir.join("wal");
        let replayed = wal::replay(&wal_dir, |rec| {
            let Some(state) = tables.get(rec.table.as_str()) else {
                tracing::warn!(table = %rec.table, lsn = rec.lsn, "WAL record for a table this version does not know; skipped");
                return Ok(());
            };
            if rec.lsn <= flushed.get(rec.table.as_str()).copied().unwrap_or(0) {
                return Ok(());
            }
            let batch = parquet::conform(&rec.batch, state.table.storage_schema())?;
            stats.replayed_records.fetch_add(1, Ordering::Relaxed);
            stats.replayed_rows.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
            hot_bytes.fetch_add(state.insert(rec.lsn, batch), Ordering::Relaxed);
            Ok(())
        })?;
        let last = replayed.last_lsn.unwrap_or(0).max(max_flushed);
        if replayed.truncated_bytes > 0 {
            tracing::warn!(bytes = replayed.truncated_bytes, "discarded an unacknowledged torn write at the end of the WAL");
        }
        let last_lsn = Arc::new(AtomicU64::new(last));
        let wake_flusher = Arc::new(Notify::new());
        let on_commit = {
            let (tables, hot_bytes, last_lsn, wake) = (tables.clone(), hot_bytes.clone(), last_lsn.clone(), wake_flusher.clone());
            let flush_bytes = cfg.flush_bytes;
            Box::new(move |c: Committed| {
                if let Some(state) = tables.get(c.table.name.as_str()) {
                    let added = state.insert(c.lsn, c.batch);
                    if hot_bytes.fetch_add(added, Ordering::Relaxed) + added > flush_bytes {
                        wake.notify_one();
                    }
                }
                last_lsn.store(c.lsn, Ordering::Release);
            })
        };
        let wal = Wal::start(&wal_dir, replayed.segments, last + 1, cfg.wal_segment_bytes, cfg.wal_queue, on_commit)?;
        let inner = Arc::new(LakeInner {
            cfg,
            storage,
            wal,
            tables,
            hot_bytes,
            last_lsn,
            wake_flusher,
            pending_deletes: PendingDeletes::default(),
            stats,
            closed: AtomicBool::new(false),
            tasks: Mutex::new(Vec::new()),
            lock: lock_file,
        });
        for state in inner.tables.values() {
            maintenance::remove_orphans(&inner, state).await?;
        }
        let task = tokio::spawn(background(Arc::downgrade(&inner)));
        lock(&inner.tasks).push(task);
        Ok(Lake { inner })
    }

    /// Makes a batch durable and queryable; returns its LSN once it is fsync'd.
    /// Blocks the calling thread: call from a blocking context (or use [`Lake::append`]).
    /// Waits while hot memory is over the configured cap (back-pressure).
    pub fn append_blocking(&self, table: &'static Table, batch: RecordBatch) -> Result<u64> {
        let inner = &self.inner;
        if inner.closed.load(Ordering::Acquire) {
            return Err(Error::Closed);
        }
        if batch.num_rows() == 0 {
            return Ok(inner.last_lsn.load(Ordering::Acquire));
        }
        while inner.hot_bytes.load(Ordering::Relaxed) > inner.cfg.max_hot_bytes {
            inner.wake_flusher.notify_one();
            std::thread::sleep(Duration::from_millis(5));
            if inner.closed.load(Ordering::Acquire) {
                return Err(Error::Closed);
            }
        }
        let ingest_micros = chrono::Utc::now().timestamp_micros();
        let frame = wal::record::encode(&table.name, ingest_micros, &batch).map_err(Error::Internal)?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        inner.wal.submit(wal::Request { frame, table, ingest_micros, batch, reply: tx })?;
        rx.blocking_recv().map_err(|_| Error::Closed)?
    }

    /// [`Lake::append_blocking`] on Tokio's blocking pool.
    pub async fn append(&self, table: &'static Table, batch: RecordBatch) -> Result<u64> {
        let lake = self.clone();
        tokio::task::spawn_blocking(move || lake.append_blocking(table, batch))
            .await
            .map_err(|e| Error::Internal(format!("append task failed: {e}")))?
    }

    /// Registers every table (and the lake's object store) in a DataFusion context.
    pub fn register(&self, ctx: &SessionContext) -> Result<()> {
        let url = self.inner.storage.url.as_ref();
        let url = url::Url::parse(url).map_err(|e| Error::Internal(e.to_string()))?;
        ctx.register_object_store(&url, self.inner.storage.store.clone());
        for state in self.inner.tables.values() {
            let provider = provider::LakeTable::new(state.clone(), self.inner.storage.clone());
            // `bare` keeps the exact, case-sensitive name (a &str would be parsed and lowercased).
            ctx.register_table(TableReference::bare(state.table.name.as_str()), Arc::new(provider))?;
        }
        Ok(())
    }

    /// A DataFusion context over the lake, with Defender's case-sensitive names.
    pub fn session(&self) -> Result<SessionContext> {
        let ctx = SessionContext::new_with_config(session_config());
        self.register(&ctx)?;
        Ok(ctx)
    }

    /// Flushes every table's hot rows now (used at shutdown, by tests and tools).
    pub async fn flush_all(&self) -> Result<usize> {
        let mut rows = 0;
        for state in self.inner.tables.values() {
            rows += maintenance::flush_table(&self.inner, state).await?;
        }
        self.inner.truncate_wal()?;
        Ok(rows)
    }

    /// Runs compaction and retention on every table now. Returns (files merged, files expired).
    pub async fn maintain(&self, now_micros: i64) -> Result<(usize, usize)> {
        let (mut merged, mut expired) = (0, 0);
        for state in self.inner.tables.values() {
            merged += maintenance::compact_table(&self.inner, state).await?;
            expired += maintenance::expire_table(&self.inner, state, now_micros).await?;
        }
        self.inner.pending_deletes.run(&self.inner, self.inner.cfg.file_grace).await?;
        Ok((merged, expired))
    }

    /// Stops background work, commits what is queued, and flushes hot rows.
    pub async fn close(&self) -> Result<()> {
        if self.inner.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        self.inner.wal.close();
        for task in lock(&self.inner.tasks).drain(..) {
            task.abort();
        }
        self.flush_all().await?;
        // Another process may open the directory now, even while clones of this handle live on.
        self.inner.lock.unlock().map_err(|e| Error::io("releasing the data directory lock", Path::new("LOCK"), e))
    }

    pub fn tables(&self) -> Vec<TableReport> {
        self.inner
            .tables
            .values()
            .map(|s| TableReport {
                name: s.table.name.as_str(),
                rows_ingested: s.stats.rows_ingested.load(Ordering::Relaxed),
                flushes: s.stats.flushes.load(Ordering::Relaxed),
                compactions: s.stats.compactions.load(Ordering::Relaxed),
                sizes: s.sizes(),
            })
            .collect()
    }

    pub fn wal_stats(&self) -> &wal::WalStats {
        &self.inner.wal.stats
    }

    pub fn stats(&self) -> &LakeStats {
        &self.inner.stats
    }

    /// Bytes of acknowledged rows held in memory, across tables.
    pub fn hot_bytes(&self) -> usize {
        self.inner.hot_bytes.load(Ordering::Relaxed)
    }

    /// Files of one table as its manifest names them (for tests and tools).
    pub fn files(&self, table: &str) -> Result<Vec<FileEntry>> {
        let state = self.inner.tables.get(table).ok_or_else(|| Error::UnknownTable(table.into()))?;
        Ok(state.snapshot().files.to_vec())
    }
}

/// The DataFusion settings every lake session uses.
pub fn session_config() -> SessionConfig {
    let mut cfg = SessionConfig::new().with_information_schema(true);
    cfg.options_mut().sql_parser.enable_ident_normalization = false;
    cfg.options_mut().execution.parquet.pushdown_filters = true;
    cfg.options_mut().execution.parquet.reorder_filters = true;
    cfg
}

impl LakeInner {
    fn release_hot(&self, bytes: usize) {
        let _ = self.hot_bytes.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |h| Some(h.saturating_sub(bytes)));
    }

    fn delete_later(&self, paths: impl Iterator<Item = String>) {
        self.pending_deletes.push(paths);
    }

    /// Tables whose hot rows should be written now, largest first.
    fn flush_candidates(&self) -> Vec<Arc<TableState>> {
        let over_cap = self.hot_bytes.load(Ordering::Relaxed) > self.cfg.max_hot_bytes / 2;
        let mut sized: Vec<(TableSizes, &Arc<TableState>)> =
            self.tables.values().map(|s| (s.sizes(), s)).filter(|(z, _)| z.hot_rows > 0).collect();
        sized.sort_by_key(|s| std::cmp::Reverse(s.0.hot_bytes));
        let mut out = Vec::new();
        for (i, (z, s)) in sized.into_iter().enumerate() {
            let due = z.hot_rows >= self.cfg.flush_rows
                || z.hot_bytes >= self.cfg.flush_bytes
                || z.hot_age_secs >= self.cfg.flush_interval.as_secs_f64()
                || (over_cap && i == 0);
            if due {
                out.push(s.clone());
            }
        }
        out
    }

    /// Deletes WAL segments whose records are all in Parquet.
    fn truncate_wal(&self) -> Result<()> {
        // Read the WAL position before scanning tables: a record committed after this
        // read has a higher LSN, and one committed before is already in a table.
        let mut durable = self.last_lsn.load(Ordering::Acquire);
        for state in self.tables.values() {
            if let Some(first) = state.first_hot_lsn() {
                durable = durable.min(first - 1);
            }
        }
        self.wal.truncate(durable)
    }
}

async fn background(lake: std::sync::Weak<LakeInner>) {
    let mut last_maintenance = std::time::Instant::now();
    loop {
        let Some(inner) = lake.upgrade() else { return };
        if inner.closed.load(Ordering::Acquire) {
            return;
        }
        let wake = inner.wake_flusher.clone();
        let due = last_maintenance.elapsed() >= inner.cfg.maintenance_interval;
        maintenance::tick(&inner, due).await;
        if due {
            last_maintenance = std::time::Instant::now();
        }
        drop(inner);
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// The directory layout under a data dir, for tools and docs.
pub fn wal_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("wal")
}
