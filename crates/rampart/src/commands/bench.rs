use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::BenchCommand;
use crate::config::Config;

pub async fn run(_cmd: BenchCommand, _config: Config) -> Result<ExitCode> {
    bail!("benchmarks are being wired")
}
