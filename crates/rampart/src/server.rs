//! Starting and stopping the server: lake, state store and HTTP API.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use rampart_api::AppState;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;

pub struct Running {
    pub addr: SocketAddr,
    pub state: Arc<AppState>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

pub async fn open_store(config: &Config) -> Result<rampart_store::Store> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| format!("creating {}", config.data_dir.display()))?;
    let store = if config.server.state_url.is_empty() {
        rampart_store::Store::open_sqlite(&config.data_dir.join("state.db")).await?
    } else {
        rampart_store::Store::open(&config.server.state_url).await?
    };
    Ok(store)
}

pub async fn open_lake(config: &Config) -> Result<rampart_lake::Lake> {
    rampart_lake::Lake::open(&config.data_dir, config.lake_config()).await.map_err(|e| match e {
        rampart_lake::Error::Locked(dir) => anyhow::anyhow!(
            "the data directory {} is in use by a running Rampart server; stop it or use another --data-dir",
            dir.display()
        ),
        other => other.into(),
    })
}

/// Opens everything and starts serving on `listen`.
pub async fn start(config: &Config, listen: &str) -> Result<Running> {
    let store = open_store(config).await?;
    let lake = open_lake(config).await?;
    let state = AppState::new(lake, store, config.api_config());
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = rampart_api::app(state.clone());
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    tracing::info!(%addr, data_dir = %config.data_dir.display(), "serving");
    Ok(Running { addr, state, stop, task })
}

impl Running {
    /// Stops accepting requests, lets running ones finish, then flushes the lake.
    pub async fn shutdown(self) -> Result<()> {
        let _ = self.stop.send(());
        self.task.await.context("server task")?.context("server")?;
        self.state.lake.close().await?;
        self.state.store.close().await;
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
