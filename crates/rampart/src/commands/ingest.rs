//! `rampart ingest PATH…`: NDJSON and EVTX files into the data directory's lake.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use rampart_ingest::json::{ReportIds, RoutedDecoder, RowError};
use rampart_lake::Lake;
use rampart_schema::{Table, catalog};

use crate::cli::IngestArgs;
use crate::config::Config;
use crate::server::open_lake;

/// Rows decoded before they are appended (one WAL record per table).
const CHUNK_ROWS: usize = 20_000;

#[derive(Default)]
struct FileReport {
    read: u64,
    stored: u64,
    rejected: Vec<RowError>,
}

pub async fn run(args: IngestArgs, config: Config) -> Result<ExitCode> {
    let default = match &args.table {
        Some(name) => Some(catalog().table(name).ok_or_else(|| anyhow!("unknown table '{name}'; `rampart schema` lists them"))?),
        None => None,
    };
    let files = collect_files(&args.paths)?;
    if files.is_empty() {
        anyhow::bail!("no .evtx, .json, .ndjson or .jsonl files under the given paths");
    }
    let total_bytes: u64 = files.iter().map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0)).sum();
    let lake = open_lake(&config).await?;
    let bar = ProgressBar::new(total_bytes).with_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} [{bar:30}] {bytes}/{total_bytes} {msg}")
            .map_err(|e| anyhow!(e))?
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let max_row = config.ingest.max_row_bytes;
    let worker = {
        let (lake, bar, files) = (lake.clone(), bar.clone(), files.clone());
        tokio::task::spawn_blocking(move || ingest_all(&files, default, &lake, &bar, max_row))
    };
    let (reports, per_table, elapsed) = worker.await.context("ingest task")??;
    bar.finish_and_clear();
    lake.close().await?;
    Ok(summarise(&files, &reports, &per_table, elapsed, args.show_errors))
}

type Outcome = (Vec<FileReport>, BTreeMap<String, u64>, Duration);

fn ingest_all(files: &[PathBuf], default: Option<&'static Table>, lake: &Lake, bar: &ProgressBar, max_row: usize) -> Result<Outcome> {
    let ids = ReportIds::from_clock();
    let started = Instant::now();
    let mut per_table = BTreeMap::new();
    let mut reports = Vec::new();
    let mut total_rows = 0u64;
    for path in files {
        let mut report = FileReport::default();
        let file_default = default.or_else(|| table_named_by(path));
        let mut decoder = RoutedDecoder::new(file_default, chrono::Utc::now().timestamp_micros(), &ids);
        let mut flush = |decoder: &mut RoutedDecoder, report: &mut FileReport| -> Result<()> {
            for (table, batch) in decoder.finish()? {
                let n = batch.num_rows() as u64;
                lake.append_blocking(table, batch)?;
                report.stored += n;
                *per_table.entry(table.name.clone()).or_insert(0) += n;
            }
            Ok(())
        };
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if is_evtx(path) {
            let records = rampart_ingest::evtx::read_file(path).with_context(|| format!("opening {}", path.display()))?;
            for (i, record) in records.enumerate() {
                let line = i as u64 + 1;
                report.read += 1;
                let result = record.map_err(|e| RowError { line, column: None, reason: e.to_string() }).and_then(|event| {
                    let table = catalog().table(event.table).ok_or_else(|| RowError { line, column: None, reason: format!("mapped to unknown table {}", event.table) })?;
                    decoder.push_mapped(line, table, &event.row, Some(&event.raw))
                });
                if let Err(e) = result {
                    report.rejected.push(e);
                }
                if decoder.len() >= CHUNK_ROWS {
                    flush(&mut decoder, &mut report)?;
                }
            }
            bar.inc(size);
        } else if let Some(rows) = json_document(path)? {
            for (line, row) in rows {
                report.read += 1;
                if let Err(e) = decoder.push_value(line, row) {
                    report.rejected.push(e);
                }
                if decoder.len() >= CHUNK_ROWS {
                    flush(&mut decoder, &mut report)?;
                }
            }
            bar.inc(size);
        } else {
            let mut reader = open_text(path)?;
            let mut buf = Vec::new();
            let mut line = 0u64;
            loop {
                buf.clear();
                let n = reader.read_until(b'\n', &mut buf).with_context(|| format!("reading {}", path.display()))?;
                if n == 0 {
                    break;
                }
                line += 1;
                bar.inc(n as u64);
                let text = buf.strip_suffix(b"\n").unwrap_or(&buf);
                let text = text.strip_suffix(b"\r").unwrap_or(text);
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                report.read += 1;
                if text.len() > max_row {
                    report.rejected.push(RowError { line, column: None, reason: format!("line is {} bytes, over the row limit of {max_row} bytes (ingest.max_row_bytes)", text.len()) });
                    continue;
                }
                if let Err(e) = decoder.push_json(line, text) {
                    report.rejected.push(e);
                }
                if decoder.len() >= CHUNK_ROWS {
                    flush(&mut decoder, &mut report)?;
                }
            }
        }
        flush(&mut decoder, &mut report)?;
        total_rows += report.read;
        bar.set_message(format!("{:.0} events/s", total_rows as f64 / started.elapsed().as_secs_f64().max(1e-3)));
        reports.push(report);
    }
    Ok((reports, per_table, started.elapsed()))
}

fn summarise(files: &[PathBuf], reports: &[FileReport], per_table: &BTreeMap<String, u64>, elapsed: Duration, show: usize) -> ExitCode {
    let read: u64 = reports.iter().map(|r| r.read).sum();
    let stored: u64 = reports.iter().map(|r| r.stored).sum();
    let rejected: usize = reports.iter().map(|r| r.rejected.len()).sum();
    println!(
        "{} files: {read} records read = {stored} stored + {rejected} rejected, in {:.1} s ({:.0} records/s)",
        files.len(),
        elapsed.as_secs_f64(),
        read as f64 / elapsed.as_secs_f64().max(1e-3)
    );
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY).set_header(["table", "rows stored"]);
    for (name, n) in per_table {
        table.add_row([name.clone(), n.to_string()]);
    }
    println!("{table}");
    if rejected > 0 {
        println!("rejected rows (first {show} of {rejected}):");
        let all = files.iter().zip(reports).flat_map(|(f, r)| r.rejected.iter().map(move |e| (f, e)));
        for (file, e) in all.take(show) {
            println!("  {}: {e}", file.display());
        }
    }
    if read != stored + rejected as u64 {
        eprintln!("error: {read} records read but {stored} stored and {rejected} rejected — please report this bug");
        return ExitCode::FAILURE;
    }
    if rejected > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS }
}

/// `DeviceProcessEvents.ndjson` (or `.json.gz`, …) holds rows of that table.
fn table_named_by(path: &Path) -> Option<&'static Table> {
    let name = path.file_name()?.to_str()?;
    catalog().table(name.split('.').next()?)
}

fn is_evtx(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("evtx"))
}

fn is_ingestible(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".evtx", ".json", ".ndjson", ".jsonl"].iter().any(|ext| name.ends_with(ext))
}

/// Files named on the command line, and ingestible files under named directories.
/// Walking skips names starting with `.` or `_` (hidden files, and side files such as
/// the demo's `_ground-truth.json`), as Spark and Hadoop do; a file named explicitly
/// is always read.
fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).with_context(|| format!("{}", p.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_ingestible(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Largest `.json` file read whole as a stream of JSON values rather than line by line.
const MAX_DOCUMENT_BYTES: u64 = 256 << 20;

/// The rows of a `.json` file read as a stream of JSON values — one object, an array
/// of objects, or objects one after another however they are laid out (pretty-printed
/// exports) — with the line each starts on. `None` when the file does not parse that
/// way (or is too large): it is then read line by line as NDJSON, so that one bad
/// line costs only itself.
fn json_document(path: &Path) -> Result<Option<Vec<(u64, serde_json::Value)>>> {
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !is_json || std::fs::metadata(path).map(|m| m.len()).unwrap_or(u64::MAX) > MAX_DOCUMENT_BYTES {
        return Ok(None);
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(&bytes).into_iter::<serde_json::Value>();
    let (mut line, mut counted) = (1u64, 0usize);
    loop {
        let before = stream.byte_offset();
        let Some(next) = stream.next() else { break };
        let Ok(value) = next else { return Ok(None) };
        // The value starts at the first non-blank byte after the previous one.
        let start = before + bytes[before..].iter().take_while(|b| b.is_ascii_whitespace()).count();
        line += bytes[counted..start].iter().filter(|&&b| b == b'\n').count() as u64;
        counted = start;
        match value {
            serde_json::Value::Array(items) => rows.extend(items.into_iter().map(|v| (line, v))),
            other => rows.push((line, other)),
        }
    }
    Ok(Some(rows))
}

fn open_text(path: &Path) -> Result<Box<dyn BufRead>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let reader: Box<dyn Read> = if gz { Box::new(flate2::read::GzDecoder::new(file)) } else { Box::new(file) };
    Ok(Box::new(BufReader::with_capacity(1 << 20, reader)))
}
