//! The write-ahead log: every accepted batch is appended here and fsync'd before the
//! sender gets its acknowledgement.
//!
//! One writer thread owns the active segment and commits in groups: it takes every
//! request waiting in its queue, writes them with one `write`, calls `fdatasync` once,
//! hands the committed records to the lake in LSN order, then answers all senders.
//! Segments are files `NNNNNNNNNNNNNNNNNNNN.wal` named by their first LSN; a segment is
//! deleted once every record in it has reached a Parquet file that a manifest names.

pub mod record;
mod segments;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use datafusion::arrow::array::RecordBatch;
use tokio::sync::oneshot;

use crate::{Error, Result};
pub use record::Record;
use segments::Segment;
pub use segments::replay;

/// A batch waiting to be made durable.
pub struct Request {
    pub frame: Vec<u8>,
    pub table: &'static rampart_schema::Table,
    pub ingest_micros: i64,
    pub batch: RecordBatch,
    pub reply: oneshot::Sender<Result<u64>>,
}

/// A record that is durable, as handed to the lake (in LSN order).
pub struct Committed {
    pub lsn: u64,
    pub table: &'static rampart_schema::Table,
    pub batch: RecordBatch,
}

/// Counters exported as metrics.
#[derive(Debug, Default)]
pub struct WalStats {
    pub bytes: AtomicU64,
    pub segments: AtomicU64,
    pub commits: AtomicU64,
    pub records: AtomicU64,
    pub fsync_micros_total: AtomicU64,
}

pub struct Wal {
    dir: PathBuf,
    tx: Mutex<Option<SyncSender<Request>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    segments: Arc<Mutex<Vec<Segment>>>,
    pub stats: Arc<WalStats>,
}

/// Requests the writer takes into one group commit at most (bytes).
const GROUP_BYTES: usize = 16 << 20;

impl Wal {
    /// Starts the writer after [`replay`]; `next_lsn` continues the sequence.
    pub fn start(
        dir: &Path,
        existing: Vec<Segment>,
        next_lsn: u64,
        segment_bytes: u64,
        queue: usize,
        on_commit: Box<dyn Fn(Committed) + Send>,
    ) -> Result<Wal> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating the WAL directory", dir, e))?;
        let stats = Arc::new(WalStats::default());
        let mut existing = existing;
        // An empty last segment would share its name with the new active one.
        if existing.last().is_some_and(|s| s.first_lsn >= next_lsn) {
            existing.pop();
        }
        let segments = Arc::new(Mutex::new(existing));
        let active = segments::open_new(dir, next_lsn)?;
        {
            let mut list = lock(&segments);
            list.push(Segment { first_lsn: next_lsn, path: active.1.clone(), bytes: 0 });
            stats.segments.store(list.len() as u64, Ordering::Relaxed);
            stats.bytes.store(list.iter().map(|s| s.bytes).sum(), Ordering::Relaxed);
        }
        let (tx, rx) = sync_channel(queue);
        let writer = Writer {
            dir: dir.to_path_buf(),
            file: active.0,
            file_bytes: 0,
            next_lsn,
            segment_bytes,
            segments: segments.clone(),
            stats: stats.clone(),
            on_commit,
        };
        let thread = std::thread::Builder::new()
            .name("rampart-wal".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| Error::io("starting the WAL thread", dir, e))?;
        Ok(Wal {
            dir: dir.to_path_buf(),
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            segments,
            stats,
        })
    }

    /// Queues a request; blocks while the queue is full (back-pressure).
    pub fn submit(&self, request: Request) -> Result<()> {
        let tx = lock(&self.tx).clone().ok_or(Error::Closed)?;
        tx.send(request).map_err(|_| Error::Closed)
    }

    /// Deletes every closed segment whose records all have LSN ≤ `durable_lsn`.
    pub fn truncate(&self, durable_lsn: u64) -> Result<()> {
        let mut list = lock(&self.segments);
        // Segment i ends where segment i+1 begins; the last one is active.
        let mut drop = 0;
        while drop + 1 < list.len() && list[drop + 1].first_lsn <= durable_lsn + 1 {
            drop += 1;
        }
        for segment in list.drain(..drop) {
            std::fs::remove_file(&segment.path).map_err(|e| Error::io("deleting a WAL segment", &segment.path, e))?;
            self.stats.bytes.fetch_sub(segment.bytes.min(self.stats.bytes.load(Ordering::Relaxed)), Ordering::Relaxed);
        }
        self.stats.segments.store(list.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Stops accepting requests, lets the writer commit what is queued, and waits for it.
    pub fn close(&self) {
        lock(&self.tx).take();
        if let Some(handle) = lock(&self.thread).take()
            && handle.join().is_err()
        {
            tracing::error!(dir = %self.dir.display(), "the WAL writer thread panicked");
        }
    }
}

impl Drop for Wal {
    fn drop(&mut self) {
        self.close();
    }
}

struct Writer {
    dir: PathBuf,
    file: File,
    file_bytes: u64,
    next_lsn: u64,
    segment_bytes: u64,
    segments: Arc<Mutex<Vec<Segment>>>,
    stats: Arc<WalStats>,
    on_commit: Box<dyn Fn(Committed) + Send>,
}

impl Writer {
    fn run(mut self, rx: Receiver<Request>) {
        let mut failed: Option<String> = None;
        while let Ok(first) = rx.recv() {
            let mut group = vec![first];
            let mut bytes = group[0].frame.len();
            while bytes < GROUP_BYTES {
                match rx.try_recv() {
                    Ok(r) => {
                        bytes += r.frame.len();
                        group.push(r);
                    }
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            }
            if let Some(reason) = &failed {
                // After a failed write the file's tail is unknown: refuse rather than guess.
                for r in group {
                    let _ = r.reply.send(Err(Error::WalFailed(reason.clone())));
                }
                continue;
            }
            if let Err(e) = self.commit(group) {
                tracing::error!(error = %e, "write-ahead log failed; ingest is refused until restart");
                failed = Some(e);
            }
        }
    }

    fn commit(&mut self, mut group: Vec<Request>) -> std::result::Result<(), String> {
        let first_lsn = self.next_lsn;
        let mut buf = Vec::with_capacity(group.iter().map(|r| r.frame.len()).sum());
        for (i, r) in group.iter_mut().enumerate() {
            record::set_lsn(&mut r.frame, first_lsn + i as u64);
            buf.extend_from_slice(&r.frame);
        }
        let started = Instant::now();
        let written = self.file.write_all(&buf).and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            let reason = format!("writing {} in {}: {e}", buf.len(), self.dir.display());
            for r in group {
                let _ = r.reply.send(Err(Error::WalFailed(reason.clone())));
            }
            return Err(reason);
        }
        let n = group.len() as u64;
        self.next_lsn += n;
        self.file_bytes += buf.len() as u64;
        self.stats.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
        self.stats.commits.fetch_add(1, Ordering::Relaxed);
        self.stats.records.fetch_add(n, Ordering::Relaxed);
        self.stats.fsync_micros_total.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        if let Some(last) = lock(&self.segments).last_mut() {
            last.bytes = self.file_bytes;
        }
        let mut replies = Vec::with_capacity(group.len());
        for (i, r) in group.into_iter().enumerate() {
            let lsn = first_lsn + i as u64;
            (self.on_commit)(Committed { lsn, table: r.table, batch: r.batch });
            replies.push((r.reply, lsn));
        }
        for (reply, lsn) in replies {
            let _ = reply.send(Ok(lsn));
        }
        if self.file_bytes >= self.segment_bytes {
            self.rotate()?;
        }
        Ok(())
    }

    fn rotate(&mut self) -> std::result::Result<(), String> {
        let (file, path) = segments::open_new(&self.dir, self.next_lsn).map_err(|e| e.to_string())?;
        self.file = file;
        self.file_bytes = 0;
        let mut list = lock(&self.segments);
        list.push(Segment { first_lsn: self.next_lsn, path, bytes: 0 });
        self.stats.segments.store(list.len() as u64, Ordering::Relaxed);
        Ok(())
    }
}

/// Locks a mutex, recovering from poisoning: every critical section here leaves
/// its data consistent, so a panic elsewhere does not make it unusable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
