//! `rampart hunt`: queries over the lake of a data directory.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::pretty::pretty_format_batches;

use crate::cli::{HuntArgs, OutputFormat};
use crate::config::Config;
use crate::server::open_lake;

pub async fn run(args: HuntArgs, config: Config) -> Result<ExitCode> {
    let query = match (&args.query, &args.file) {
        (Some(q), _) => q.clone(),
        (None, Some(f)) => std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?,
        (None, None) => bail!("give a query or --file"),
    };
    if !args.sql {
        bail!("KQL is not supported yet by this build; run SQL with --sql (quote names: SELECT count(*) FROM \"DeviceProcessEvents\")");
    }
    let lake = open_lake(&config).await?;
    let ctx = lake.session()?;
    let started = std::time::Instant::now();
    let batches = ctx.sql(&query).await?.limit(0, Some(args.limit))?.collect().await?;
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    print_batches(&batches, args.format)?;
    eprintln!("{rows} rows in {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    lake.close().await?;
    Ok(ExitCode::SUCCESS)
}

pub fn print_batches(batches: &[RecordBatch], format: OutputFormat) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        OutputFormat::Table => writeln!(out, "{}", pretty_format_batches(batches)?)?,
        OutputFormat::Csv => {
            let mut w = datafusion::arrow::csv::WriterBuilder::new().with_header(true).build(&mut out);
            for b in batches {
                w.write(b)?;
            }
        }
        OutputFormat::Json => {
            let mut w = datafusion::arrow::json::ArrayWriter::new(&mut out);
            w.write_batches(&batches.iter().collect::<Vec<_>>())?;
            w.finish()?;
            writeln!(out)?;
        }
        OutputFormat::Ndjson => {
            let mut w = datafusion::arrow::json::LineDelimitedWriter::new(&mut out);
            w.write_batches(&batches.iter().collect::<Vec<_>>())?;
            w.finish()?;
        }
    }
    Ok(())
}
