use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ServeArgs;
use crate::config::Config;
use crate::server;

pub async fn run(args: ServeArgs, config: Config) -> Result<ExitCode> {
    let listen = args.listen.unwrap_or_else(|| config.server.listen.clone());
    let running = server::start(&config, &listen).await?;
    println!("Rampart is listening on http://{}", running.addr);
    println!("  health:  curl http://{}/api/health", running.addr);
    println!("  tokens:  rampart token create --ingest   (send telemetry: POST /api/ingest/<Table>)");
    server::shutdown_signal().await;
    eprintln!("shutting down: finishing requests and flushing to Parquet…");
    running.shutdown().await?;
    Ok(ExitCode::SUCCESS)
}
