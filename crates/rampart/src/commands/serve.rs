use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ServeArgs;
use crate::config::Config;
use crate::server;

pub async fn run(args: ServeArgs, config: Config) -> Result<ExitCode> {
    let listen = args.listen.unwrap_or_else(|| config.server.listen.clone());
    let running = server::start(&config, &listen).await?;
    let addr = running.addr;
    crate::commands::say(&format!(
        "Rampart is listening on http://{addr}\n  health:  curl http://{addr}/api/health\n  tokens:  rampart token create --ingest   (send telemetry: POST /api/ingest/<Table>)\n"
    ));
    server::shutdown_signal().await;
    eprintln!("shutting down: finishing requests and flushing to Parquet…");
    running.shutdown().await?;
    Ok(ExitCode::SUCCESS)
}
