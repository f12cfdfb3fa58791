//! Where Parquet files and manifests live: an `object_store`, with durability
//! added for the local filesystem (which `object_store` writes without fsync).

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use datafusion::execution::object_store::ObjectStoreUrl;
use futures::TryStreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutPayload};

use crate::{Error, Result};

/// The URL DataFusion resolves lake paths against.
pub const LAKE_URL: &str = "rampart-lake://lake";

#[derive(Debug, Clone)]
pub struct Storage {
    pub store: Arc<dyn ObjectStore>,
    pub url: ObjectStoreUrl,
    /// Set when the store is a local directory, so writes can be fsync'd.
    local_root: Option<PathBuf>,
}

impl Storage {
    /// A lake in a local directory (created if missing).
    pub fn local(root: impl Into<PathBuf>) -> Result<Storage> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(|e| Error::io("creating the lake directory", &root, e))?;
        let root = root.canonicalize().map_err(|e| Error::io("resolving the lake directory", &root, e))?;
        let store = LocalFileSystem::new_with_prefix(&root).map_err(|e| Error::Store(e.to_string()))?;
        Ok(Storage { store: Arc::new(store), url: lake_url()?, local_root: Some(root) })
    }

    /// Writes an object atomically and durably: after this returns, a crash keeps it.
    pub async fn put_durable(&self, path: &Path, bytes: Bytes) -> Result<()> {
        self.store.put(path, PutPayload::from(bytes)).await.map_err(|e| store_err("writing", path, e))?;
        if let Some(root) = &self.local_root {
            let file = root.join(path.as_ref());
            let root = root.clone();
            tokio::task::spawn_blocking(move || sync_path_and_parents(&root, &file))
                .await
                .map_err(|e| Error::Internal(format!("sync task failed: {e}")))??;
        }
        Ok(())
    }

    /// Reads an object; `None` if it does not exist.
    pub async fn get(&self, path: &Path) -> Result<Option<Bytes>> {
        match self.store.get(path).await {
            Ok(r) => Ok(Some(r.bytes().await.map_err(|e| store_err("reading", path, e))?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(store_err("reading", path, e)),
        }
    }

    pub async fn delete(&self, path: &Path) -> Result<()> {
        match self.store.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(store_err("deleting", path, e)),
        }
    }

    pub async fn list(&self, prefix: &Path) -> Result<Vec<ObjectMeta>> {
        self.store.list(Some(prefix)).try_collect().await.map_err(|e| store_err("listing", prefix, e))
    }
}

fn lake_url() -> Result<ObjectStoreUrl> {
    ObjectStoreUrl::parse(LAKE_URL).map_err(|e| Error::Internal(e.to_string()))
}

fn store_err(what: &str, path: &Path, e: object_store::Error) -> Error {
    Error::Store(format!("{what} {path}: {e}"))
}

/// Syncs a file and every directory from it up to the root, since a put may have
/// created new directories whose entries must survive a crash too.
fn sync_path_and_parents(root: &std::path::Path, file: &std::path::Path) -> Result<()> {
    let sync = |p: &std::path::Path| {
        std::fs::File::open(p).and_then(|f| f.sync_all()).map_err(|e| Error::io("syncing", p, e))
    };
    sync(file)?;
    let mut dir = file.parent();
    while let Some(d) = dir {
        sync(d)?;
        if d == root {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}
