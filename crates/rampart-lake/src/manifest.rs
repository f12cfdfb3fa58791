//! A table's manifest: the list of its Parquet files and the last LSN they hold.
//!
//! The manifest is the commit point of a flush, compaction or retention pass: it is
//! written atomically (a put replaces the whole object), and a file that no manifest
//! names does not exist as far as queries and replay are concerned.

use object_store::path::Path;
use serde::{Deserialize, Serialize};

use crate::storage::Storage;
use crate::{Error, Result};

/// One Parquet file of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Object path relative to the lake root.
    pub path: String,
    /// The UTC day (`YYYY-MM-DD`) every row of the file falls on.
    pub day: String,
    pub rows: u64,
    pub bytes: u64,
    /// Smallest and largest event time (`Timestamp`, else ingestion time), µs.
    pub min_time: i64,
    pub max_time: i64,
    /// Latest ingestion time of a row in the file, µs (retention keeps a file at least
    /// this long after it was ingested, so imported old logs are not dropped at once).
    pub ingested_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Increases with every write.
    pub version: u64,
    /// Every WAL record of this table with an LSN up to here is in `files`.
    pub flushed_lsn: u64,
    pub files: Vec<FileEntry>,
}

pub fn table_dir(table: &str) -> Path {
    Path::from(format!("tables/{table}"))
}

fn manifest_path(table: &str) -> Path {
    Path::from(format!("tables/{table}/_manifest.json"))
}

impl Manifest {
    pub async fn load(storage: &Storage, table: &str) -> Result<Manifest> {
        let path = manifest_path(table);
        match storage.get(&path).await? {
            None => Ok(Manifest::default()),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::Corrupt(format!("manifest {path} is unreadable: {e}"))),
        }
    }

    /// Writes `self` as the table's new manifest (durably) and returns it.
    pub async fn store(mut self, storage: &Storage, table: &str) -> Result<Manifest> {
        self.version += 1;
        let json = serde_json::to_vec_pretty(&self).map_err(|e| Error::Internal(e.to_string()))?;
        storage.put_durable(&manifest_path(table), json.into()).await?;
        Ok(self)
    }
}
