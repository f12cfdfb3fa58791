//! `rampart demo`: the server with a simulated organisation under attack, or
//! `--generate`: the same telemetry written as NDJSON per table.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use rampart_ingest::json::{ReportIds, TableDecoder};
use rampart_lake::Lake;
use rampart_schema::catalog;
use rampart_sim::{SimConfig, SimEvent, Simulation};
use rampart_store::Scope;

use crate::cli::DemoArgs;
use crate::config::Config;
use crate::server;

/// Marks a directory as the demo's own, so it may be wiped and recreated.
const MARKER: &str = ".rampart-demo";
const DEFAULT_DIR: &str = "./rampart-demo";

pub async fn run(args: DemoArgs, mut config: Config, data_dir_given: bool) -> Result<ExitCode> {
    if args.generate {
        return generate(&args);
    }
    if !data_dir_given {
        config.data_dir = PathBuf::from(DEFAULT_DIR);
    }
    prepare_dir(&config.data_dir)?;
    let listen = args.listen.clone().unwrap_or_else(|| config.server.listen.clone());
    let running = server::start(&config, &listen).await?;
    let store = &running.state.store;
    let (_, admin) = store.create_token("demo-admin", &[Scope::Admin], "demo").await?;
    let (_, ingest_token) = store.create_token("demo-ingest", &[Scope::Ingest], "demo").await?;

    let now = now_micros();
    let history = chrono::Duration::hours(i64::from(args.history_hours));
    let cfg = SimConfig {
        seed: args.seed,
        start: now - history,
        // Most attacks fall in the history, a few in the next hours, live.
        attack_window: history + chrono::Duration::hours(3),
        benign_rate: args.rate,
        ..SimConfig::default()
    };
    let mut sim = Simulation::try_new(cfg).map_err(|e| anyhow!("demo settings: {e}"))?;
    let truth_path = config.data_dir.join("demo").join("_ground-truth.json");
    write_json(&truth_path, sim.planned_ground_truth())?;
    std::fs::write(config.data_dir.join("demo").join("organisation.json"), serde_json::to_vec_pretty(sim.org())?)?;

    let lake = running.state.lake.clone();
    let ids = ReportIds::from_clock();
    eprintln!("Generating {} h of history for {} devices and {} users…", args.history_hours, sim.org().devices.len(), sim.org().users.len());
    let bar = ProgressBar::new(history.num_seconds().max(1) as u64).with_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {percent}% of the history, {msg}").map_err(|e| anyhow!(e))?.progress_chars("=> "),
    );
    let mut events = 0usize;
    let step = chrono::Duration::minutes(10);
    while sim.cursor() < now {
        let to = (sim.cursor() + step).min(now);
        let batch = sim.advance(to);
        events += batch.len();
        ingest(&lake, &ids, batch).await?;
        bar.set_position((to - (now - history)).num_seconds().max(0) as u64);
        bar.set_message(format!("{events} events"));
    }
    bar.finish_and_clear();

    print_banner(&running.addr, &config.data_dir, &admin, &ingest_token, events, &truth_path);
    let live = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let batch = sim.advance(now_micros());
            if let Err(e) = ingest(&lake, &ids, batch).await {
                tracing::error!(error = %e, "live demo telemetry failed");
            }
        }
    });
    server::shutdown_signal().await;
    live.abort();
    eprintln!("shutting down: finishing requests and flushing to Parquet…");
    running.shutdown().await?;
    Ok(ExitCode::SUCCESS)
}

/// The current time at the simulator's precision (µs), so that "up to now" can be reached.
fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// Appends simulated rows through the same validation as every other source.
pub(crate) async fn ingest(lake: &Lake, ids: &ReportIds, events: Vec<SimEvent>) -> Result<()> {
    let now = Utc::now().timestamp_micros();
    let mut decoders: BTreeMap<&str, TableDecoder> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        let table = catalog().table(e.table).ok_or_else(|| anyhow!("simulator produced unknown table {}", e.table))?;
        let decoder = decoders.entry(e.table).or_insert_with(|| TableDecoder::new(table, now, ids));
        decoder.push_map(i as u64 + 1, &e.row, None).map_err(|err| anyhow!("simulated {} row rejected: {err}", e.table))?;
    }
    for decoder in decoders.values_mut() {
        let table = decoder.table();
        lake.append(table, decoder.finish()?).await?;
    }
    Ok(())
}

/// Recreates the demo's data directory; refuses to touch a directory that is not the demo's.
fn prepare_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)?.next().is_none();
        if !empty && !dir.join(MARKER).exists() {
            bail!("{} holds data that is not a previous demo; give the demo its own --data-dir", dir.display());
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing the previous demo in {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir.join("demo"))?;
    std::fs::write(dir.join(MARKER), "This directory belongs to `rampart demo`, which recreates it on every start.\n")?;
    Ok(())
}

fn print_banner(addr: &std::net::SocketAddr, dir: &Path, admin: &str, ingest: &str, events: usize, truth: &Path) {
    let (dir, truth) = (dir.display(), truth.display());
    super::say(&format!("
Rampart demo is running: a simulated organisation (Meridian Freight) with {events} events of history.

  API        http://{addr}/api   (the web portal is not built yet)
  Sign in    use this admin token as 'Authorization: Bearer <token>':
             {admin}
  Ingest     token for your own telemetry: {ingest}
  Data       {dir}   (ground truth of the attacks: {truth})

Try:
  curl -H 'Authorization: Bearer {admin}' http://{addr}/metrics | grep rampart_ingest_rows_total
  curl -H 'Authorization: Bearer {admin}' http://{addr}/api/hunting/query \\
       -d '{{\"query\": \"DeviceProcessEvents | summarize count() by FileName | top 5 by count_\"}}'
  RAMPART_TOKEN={admin} rampart hunt --server http://{addr} 'DeviceLogonEvents | take 5'

Live telemetry continues every second. Press Ctrl-C to stop.
"));
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, serde_json::to_vec_pretty(value)?).with_context(|| format!("writing {}", path.display()))
}

/// `--generate`: the demo's telemetry as `<Table>.ndjson` files plus `_ground-truth.json`.
fn generate(args: &DemoArgs) -> Result<ExitCode> {
    let out = args.out.as_ref().ok_or_else(|| anyhow!("--generate needs --out DIR"))?;
    if args.rate <= 0.0 {
        bail!("--rate must be positive");
    }
    let end: DateTime<Utc> = match &args.end {
        Some(t) => DateTime::parse_from_rfc3339(t).with_context(|| format!("--end '{t}' is not RFC 3339"))?.with_timezone(&Utc),
        None => Utc::now(),
    };
    // The simulated span that holds about `events` events at the configured rate.
    let span = chrono::Duration::seconds(((args.events as f64 / args.rate).ceil() as i64).max(60));
    let cfg = SimConfig { seed: args.seed, start: end - span, attack_window: span, benign_rate: args.rate, ..SimConfig::default() };
    let mut sim = Simulation::try_new(cfg).map_err(|e| anyhow!("demo settings: {e}"))?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut files: BTreeMap<&'static str, BufWriter<std::fs::File>> = BTreeMap::new();
    let bar = ProgressBar::new(args.events).with_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} events, {per_sec} ({eta} left)").map_err(|e| anyhow!(e))?.progress_chars("=> "),
    );
    let mut written = 0u64;
    // Whole batches are written, so the ground truth (up to the simulation's cursor)
    // names only events that are in the files.
    for batch in sim.batches(chrono::Duration::minutes(5)) {
        if written >= args.events {
            break;
        }
        for e in batch {
            let file = match files.entry(e.table) {
                std::collections::btree_map::Entry::Occupied(f) => f.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    let path = out.join(format!("{}.ndjson", e.table));
                    v.insert(BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?))
                }
            };
            serde_json::to_writer(&mut *file, &e.row)?;
            file.write_all(b"\n")?;
            written += 1;
            if written.is_multiple_of(10_000) {
                bar.set_position(written);
            }
        }
    }
    for (_, mut f) in files {
        f.flush()?;
    }
    bar.finish_and_clear();
    write_json(&out.join("_ground-truth.json"), sim.ground_truth())?;
    println!("wrote {written} events to {} (one <Table>.ndjson per table) and _ground-truth.json", out.display());
    println!("load them with: rampart ingest {}", out.display());
    Ok(ExitCode::SUCCESS)
}
