//! Background work on a table's files: flushing hot rows, compacting small files,
//! expiring old ones, and deleting files no manifest names any more.
//!
//! Each step writes its new files first and then the manifest (the commit point),
//! holding the table's manifest lock, so a crash leaves either the old or the new
//! state, plus orphan files that the next start deletes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use object_store::path::Path;

use crate::manifest::{FileEntry, Manifest, table_dir};
use crate::parquet::{encode_days, read_file, write_file, writer_properties};
use crate::table::TableState;
use crate::wal::lock;
use crate::{Error, LakeInner, Result};

fn file_path(table: &str, day: &str, kind: &str, seq: u64) -> String {
    format!("tables/{table}/day={day}/{kind}-{seq:020}-{}.parquet", uuid::Uuid::new_v4().simple())
}

/// Writes the table's hot rows to Parquet and drops them from memory.
/// Returns the number of rows flushed.
pub(crate) async fn flush_table(lake: &LakeInner, state: &TableState) -> Result<usize> {
    let mut manifest = state.manifest.lock().await;
    let Some(set) = state.flush_set() else { return Ok(0) };
    let table = state.table;
    let props = writer_properties(lake.cfg.row_group_rows, lake.cfg.zstd_level)?;
    let batches = set.batches;
    let encoded = tokio::task::spawn_blocking(move || encode_days(table, &batches, &props))
        .await
        .map_err(|e| Error::Internal(format!("flush task failed: {e}")))??;
    let mut next = manifest.clone();
    let mut rows = 0;
    for (mut entry, bytes) in encoded {
        entry.path = file_path(&table.name, &entry.day, "f", set.max_lsn);
        lake.storage.put_durable(&Path::from(entry.path.as_str()), bytes).await?;
        rows += entry.rows as usize;
        next.files.push(entry);
    }
    next.flushed_lsn = set.max_lsn;
    *manifest = next.store(&lake.storage, &table.name).await?;
    let freed = state.commit_files(manifest.files.clone(), Some(set.max_lsn));
    lake.release_hot(freed);
    state.stats.flushes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    tracing::debug!(table = %table.name, rows, lsn = set.max_lsn, "flushed");
    Ok(rows)
}

/// Merges one day's small files into one. Returns the number of files merged.
pub(crate) async fn compact_table(lake: &LakeInner, state: &TableState) -> Result<usize> {
    let mut manifest = state.manifest.lock().await;
    let Some(chosen) = pick_compaction(&manifest.files, lake.cfg.compact_min_files, lake.cfg.compact_small_file_bytes, lake.cfg.compact_max_input_bytes)
    else {
        return Ok(0);
    };
    let table = state.table;
    let mut inputs = Vec::with_capacity(chosen.len());
    for f in &chosen {
        let bytes = lake.storage.get(&Path::from(f.path.as_str())).await?.ok_or_else(|| {
            Error::Corrupt(format!("{} names {} but the file is missing", table.name, f.path))
        })?;
        inputs.push(bytes);
    }
    let props = writer_properties(lake.cfg.row_group_rows, lake.cfg.zstd_level)?;
    let schema = table.storage_schema().clone();
    let merged = tokio::task::spawn_blocking(move || -> Result<bytes::Bytes> {
        let mut batches = Vec::new();
        for input in inputs {
            batches.extend(read_file(input, &schema)?);
        }
        write_file(&schema, &batches, &props)
    })
    .await
    .map_err(|e| Error::Internal(format!("compaction task failed: {e}")))??;
    let entry = FileEntry {
        path: file_path(&table.name, &chosen[0].day, "c", manifest.version + 1),
        day: chosen[0].day.clone(),
        rows: chosen.iter().map(|f| f.rows).sum(),
        bytes: merged.len() as u64,
        min_time: chosen.iter().map(|f| f.min_time).min().unwrap_or(0),
        max_time: chosen.iter().map(|f| f.max_time).max().unwrap_or(0),
        ingested_at: chosen.iter().map(|f| f.ingested_at).max().unwrap_or(0),
    };
    lake.storage.put_durable(&Path::from(entry.path.as_str()), merged).await?;
    let mut next = manifest.clone();
    next.files.retain(|f| !chosen.contains(f));
    next.files.push(entry);
    *manifest = next.store(&lake.storage, &table.name).await?;
    state.commit_files(manifest.files.clone(), None);
    lake.delete_later(chosen.iter().map(|f| f.path.clone()));
    state.stats.compactions.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    tracing::debug!(table = %table.name, files = chosen.len(), "compacted");
    Ok(chosen.len())
}

/// The small files of the day with the most of them, oldest first, up to the input cap.
fn pick_compaction(files: &[FileEntry], min_files: usize, small: u64, max_input: u64) -> Option<Vec<FileEntry>> {
    let mut by_day: BTreeMap<&str, Vec<&FileEntry>> = BTreeMap::new();
    for f in files.iter().filter(|f| f.bytes < small) {
        by_day.entry(&f.day).or_default().push(f);
    }
    let (_, mut day) = by_day.into_iter().filter(|(_, v)| v.len() >= min_files.max(2)).max_by_key(|(_, v)| v.len())?;
    day.sort_by_key(|f| (f.min_time, f.path.clone()));
    let mut total = 0;
    let chosen: Vec<FileEntry> = day
        .into_iter()
        .take_while(|f| {
            total += f.bytes;
            total <= max_input
        })
        .cloned()
        .collect();
    (chosen.len() >= 2).then_some(chosen)
}

/// Drops files whose rows are all past retention, both by event time and by the
/// time they were ingested. Returns the number of files expired.
pub(crate) async fn expire_table(lake: &LakeInner, state: &TableState, now_micros: i64) -> Result<usize> {
    let retention = lake.cfg.retention_for(&state.table.name);
    let cutoff = now_micros - i64::try_from(retention.as_micros()).unwrap_or(i64::MAX);
    let mut manifest = state.manifest.lock().await;
    let (expired, kept): (Vec<FileEntry>, Vec<FileEntry>) =
        manifest.files.iter().cloned().partition(|f| f.max_time < cutoff && f.ingested_at < cutoff);
    if expired.is_empty() {
        return Ok(0);
    }
    let next = Manifest { files: kept, ..manifest.clone() };
    *manifest = next.store(&lake.storage, &state.table.name).await?;
    state.commit_files(manifest.files.clone(), None);
    lake.delete_later(expired.iter().map(|f| f.path.clone()));
    tracing::info!(table = %state.table.name, files = expired.len(), "expired files past retention");
    Ok(expired.len())
}

/// Deletes Parquet files under the table's folder that its manifest does not name:
/// leftovers of a flush or compaction cut short by a crash. Run before serving.
pub(crate) async fn remove_orphans(lake: &LakeInner, state: &TableState) -> Result<usize> {
    let manifest = state.manifest.lock().await;
    let named: std::collections::HashSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    let mut removed = 0;
    for meta in lake.storage.list(&table_dir(&state.table.name)).await? {
        let path = meta.location.as_ref();
        if path.ends_with(".parquet") && !named.contains(path) {
            lake.storage.delete(&meta.location).await?;
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(table = %state.table.name, removed, "removed files left by an interrupted write");
    }
    Ok(removed)
}

/// Files replaced or expired, deleted once queries that may read them are done.
#[derive(Default)]
pub(crate) struct PendingDeletes(std::sync::Mutex<Vec<(Instant, String)>>);

impl PendingDeletes {
    pub(crate) fn push(&self, paths: impl Iterator<Item = String>) {
        let now = Instant::now();
        lock(&self.0).extend(paths.map(|p| (now, p)));
    }

    pub(crate) async fn run(&self, lake: &LakeInner, grace: Duration) -> Result<usize> {
        let due: Vec<String> = {
            let mut list = lock(&self.0);
            let (due, keep): (Vec<_>, Vec<_>) = list.drain(..).partition(|(t, _)| t.elapsed() >= grace);
            *list = keep;
            due.into_iter().map(|(_, p)| p).collect()
        };
        for p in &due {
            lake.storage.delete(&Path::from(p.as_str())).await?;
        }
        Ok(due.len())
    }
}

/// Runs flush, compaction and retention for every table that needs it.
pub(crate) async fn tick(lake: &Arc<LakeInner>, maintenance_due: bool) {
    let mut flushed_any = false;
    for state in lake.flush_candidates() {
        match flush_table(lake, &state).await {
            Ok(n) => flushed_any |= n > 0,
            Err(e) => {
                lake.stats.flush_errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::error!(table = %state.table.name, error = %e, "flush failed; rows stay in memory and the WAL");
            }
        }
    }
    if flushed_any && let Err(e) = lake.truncate_wal() {
        tracing::error!(error = %e, "could not delete flushed WAL segments");
    }
    if !maintenance_due {
        return;
    }
    let now = chrono::Utc::now().timestamp_micros();
    for state in lake.tables.values() {
        if let Err(e) = compact_table(lake, state).await {
            tracing::error!(table = %state.table.name, error = %e, "compaction failed");
        }
        if let Err(e) = expire_table(lake, state, now).await {
            tracing::error!(table = %state.table.name, error = %e, "retention failed");
        }
    }
    if let Err(e) = lake.pending_deletes.run(lake, lake.cfg.file_grace).await {
        tracing::error!(error = %e, "deleting replaced files failed");
    }
}
