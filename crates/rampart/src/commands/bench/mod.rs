//! `rampart bench …`: measurements that print a table (see docs/benchmarks.md).

mod crash;
mod hunt;
mod ingest;
mod server;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::BenchCommand;
use crate::config::Config;

pub async fn run(cmd: BenchCommand, _config: Config) -> Result<ExitCode> {
    match cmd {
        BenchCommand::Ingest(args) => ingest::run(args).await,
        BenchCommand::Crash(args) => crash::run(args).await,
        BenchCommand::Hunt(args) => hunt::run(args).await,
    }
}

/// Median of a non-empty list.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 }
}

fn table(header: &[&str]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY).set_header(header.to_vec());
    t
}
