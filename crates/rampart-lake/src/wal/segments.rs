//! Listing, creating and replaying WAL segment files.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use super::record::{self, Frame, Record};
use crate::{Error, Result};

#[derive(Debug, Clone)]
pub struct Segment {
    pub first_lsn: u64,
    pub path: PathBuf,
    pub bytes: u64,
}

fn segment_path(dir: &Path, first_lsn: u64) -> PathBuf {
    dir.join(format!("{first_lsn:020}.wal"))
}

/// Creates a new empty segment and makes its directory entry durable.
pub fn open_new(dir: &Path, first_lsn: u64) -> Result<(File, PathBuf)> {
    let path = segment_path(dir, first_lsn);
    let file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io("creating a WAL segment", &path, e))?;
    sync_dir(dir)?;
    Ok((file, path))
}

pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io("syncing a directory", dir, e))
}

fn list(dir: &Path) -> Result<Vec<Segment>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::io("listing the WAL directory", dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("listing the WAL directory", dir, e))?;
        let name = entry.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".wal")) else { continue };
        let Ok(first_lsn) = stem.parse::<u64>() else { continue };
        let bytes = entry.metadata().map(|m| m.len()).unwrap_or(0);
        out.push(Segment { first_lsn, path: entry.path(), bytes });
    }
    out.sort_by_key(|s| s.first_lsn);
    Ok(out)
}

/// What replay found.
pub struct Replayed {
    pub segments: Vec<Segment>,
    /// Highest LSN seen in the log, if any record was.
    pub last_lsn: Option<u64>,
    /// Bytes cut from the end of the last segment (a write torn by a crash).
    pub truncated_bytes: u64,
}

/// Reads every record of every segment in LSN order and passes it to `apply`.
///
/// A damaged frame at the end of the last segment is a write that never completed
/// (and was never acknowledged): the file is cut there. Damage anywhere else — in an
/// older segment, or followed by valid frames — is corruption of acknowledged data,
/// and replay stops with an error that names the file and offset.
pub fn replay(dir: &Path, mut apply: impl FnMut(Record) -> Result<()>) -> Result<Replayed> {
    let segments = list(dir)?;
    let mut last_lsn = None;
    let mut truncated_bytes = 0;
    let count = segments.len();
    for (i, segment) in segments.iter().enumerate() {
        let data = std::fs::read(&segment.path).map_err(|e| Error::io("reading a WAL segment", &segment.path, e))?;
        let mut offset = 0;
        loop {
            match record::decode(&data[offset..]) {
                Frame::Record(rec, len) => {
                    if last_lsn.is_some_and(|l| rec.lsn <= l) {
                        return Err(Error::WalDamaged {
                            path: segment.path.clone(),
                            offset: offset as u64,
                            reason: format!("LSN {} is not after {}", rec.lsn, last_lsn.unwrap_or(0)),
                        });
                    }
                    last_lsn = Some(rec.lsn);
                    apply(rec)?;
                    offset += len;
                }
                Frame::End => break,
                Frame::Damaged(reason) => {
                    let is_last = i + 1 == count;
                    if !is_last || has_valid_frame_after(&data, offset + 1) {
                        return Err(Error::WalDamaged { path: segment.path.clone(), offset: offset as u64, reason });
                    }
                    tracing::warn!(path = %segment.path.display(), offset, %reason, "cutting a torn write at the end of the WAL");
                    let file = OpenOptions::new()
                        .write(true)
                        .open(&segment.path)
                        .map_err(|e| Error::io("opening a WAL segment", &segment.path, e))?;
                    file.set_len(offset as u64)
                        .and_then(|()| file.sync_all())
                        .map_err(|e| Error::io("truncating a torn WAL write", &segment.path, e))?;
                    truncated_bytes = (data.len() - offset) as u64;
                    break;
                }
            }
        }
    }
    let mut segments = segments;
    for s in &mut segments {
        s.bytes = std::fs::metadata(&s.path).map(|m| m.len()).unwrap_or(s.bytes);
    }
    Ok(Replayed { segments, last_lsn, truncated_bytes })
}

fn has_valid_frame_after(data: &[u8], from: usize) -> bool {
    let magic = record::MAGIC.to_le_bytes();
    (from..data.len().saturating_sub(record::HEADER_LEN))
        .filter(|&i| data[i..i + 4] == magic)
        .any(|i| matches!(record::decode(&data[i..]), Frame::Record(..)))
}
