//! `rampart bench ingest`: sustained NDJSON over HTTP into a separate server process.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes as Body;
use rampart_sim::{SimConfig, Simulation};

use super::server::{ServerProcess, Workspace, cpu_seconds, memory};
use super::{median, table};
use crate::cli::BenchIngestArgs;

/// Distinct DeviceProcessEvents rows taken from the simulator; requests cycle through them.
const DISTINCT_ROWS: usize = 50_000;

struct RunResult {
    events: u64,
    bytes: u64,
    seconds: f64,
    peak_rss: u64,
    server_cpu: f64,
    client_cpu: f64,
}

pub async fn run(args: BenchIngestArgs) -> Result<ExitCode> {
    if args.batch == 0 || args.connections == 0 || args.runs == 0 {
        bail!("--batch, --connections and --runs must be at least 1");
    }
    eprintln!("preparing {DISTINCT_ROWS} DeviceProcessEvents rows from the simulator…");
    let bodies = Arc::new(bodies(args.batch)?);
    let row_bytes = bodies.iter().map(|b| b.len()).sum::<usize>() as f64 / (bodies.len() * args.batch) as f64;
    eprintln!("{} request bodies of {} rows, {row_bytes:.0} bytes per row on average", bodies.len(), args.batch);

    let mut results = Vec::new();
    for run in 1..=args.runs {
        let r = one_run(&args, bodies.clone()).await.with_context(|| format!("run {run}"))?;
        eprintln!("run {run}: {:.0} events/s", r.events as f64 / r.seconds);
        results.push(r);
    }

    let mut t = table(&["run", "events", "seconds", "events/s", "MB/s", "server peak RSS", "server CPU (cores)", "client CPU (cores)"]);
    for (i, r) in results.iter().enumerate() {
        t.add_row(vec![
            (i + 1).to_string(),
            r.events.to_string(),
            format!("{:.2}", r.seconds),
            format!("{:.0}", r.events as f64 / r.seconds),
            format!("{:.1}", r.bytes as f64 / r.seconds / 1e6),
            format!("{} MiB", r.peak_rss >> 20),
            format!("{:.2}", r.server_cpu / r.seconds),
            format!("{:.2}", r.client_cpu / r.seconds),
        ]);
    }
    let mut rates: Vec<f64> = results.iter().map(|r| r.events as f64 / r.seconds).collect();
    let peak = results.iter().map(|r| r.peak_rss).max().unwrap_or(0);
    println!(
        "rampart bench ingest: DeviceProcessEvents NDJSON over HTTP, {} rows/request, {} connections, WAL fsync on",
        args.batch, args.connections
    );
    println!("{t}");
    println!("median {:.0} events/s; peak server RSS {} MiB; {} cores on this machine", median(&mut rates), peak >> 20, num_cpus());
    Ok(ExitCode::SUCCESS)
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// NDJSON request bodies of `batch` rows each, from simulated DeviceProcessEvents.
fn bodies(batch: usize) -> Result<Vec<Body>> {
    let cfg = SimConfig { seed: 11, benign_rate: 400.0, scenarios: Vec::new(), ..SimConfig::default() };
    let mut sim = Simulation::try_new(cfg).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut rows = Vec::with_capacity(DISTINCT_ROWS);
    for events in sim.batches(chrono::Duration::minutes(1)) {
        for e in events.into_iter().filter(|e| e.table == "DeviceProcessEvents") {
            let mut line = serde_json::to_vec(&e.row)?;
            line.push(b'\n');
            rows.push(line);
        }
        if rows.len() >= DISTINCT_ROWS {
            break;
        }
    }
    let mut out = Vec::new();
    for chunk in rows.chunks(batch).filter(|c| c.len() == batch) {
        out.push(Body::from(chunk.concat()));
    }
    if out.is_empty() {
        bail!("--batch {batch} is larger than the {} prepared rows", rows.len());
    }
    Ok(out)
}

async fn one_run(args: &BenchIngestArgs, bodies: Arc<Vec<Body>>) -> Result<RunResult> {
    let ws = Workspace::new("ingest").await?;
    let server = ServerProcess::spawn(&ws.dir, &[])?;
    let pid = server.pid();
    let url = format!("http://{}/api/ingest/DeviceProcessEvents", server.addr);
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.connections).build()?;
    let requests = args.events.div_ceil(args.batch);
    let next = Arc::new(AtomicUsize::new(0));
    let (sent_events, sent_bytes) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));

    let peak = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (peak.clone(), sampling.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                if let Some((rss, hwm)) = memory(pid) {
                    peak.fetch_max(rss.max(hwm), Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let (server_cpu0, client_cpu0) = (cpu_seconds(&pid.to_string()).unwrap_or(0.0), cpu_seconds("self").unwrap_or(0.0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let (client, url, token, bodies, next) = (client.clone(), url.clone(), ws.token.clone(), bodies.clone(), next.clone());
        let (sent_events, sent_bytes, batch) = (sent_events.clone(), sent_bytes.clone(), args.batch);
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return Ok::<(), anyhow::Error>(());
                }
                let body = bodies[i % bodies.len()].clone();
                let len = body.len() as u64;
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/x-ndjson")
                    .body(body)
                    .send()
                    .await?;
                if !response.status().is_success() {
                    bail!("server answered {}: {}", response.status(), response.text().await.unwrap_or_default());
                }
                sent_events.fetch_add(batch as u64, Ordering::Relaxed);
                sent_bytes.fetch_add(len, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let server_cpu = cpu_seconds(&pid.to_string()).unwrap_or(0.0) - server_cpu0;
    let client_cpu = cpu_seconds("self").unwrap_or(0.0) - client_cpu0;
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    server.kill9()?;
    Ok(RunResult {
        events: sent_events.load(Ordering::Relaxed),
        bytes: sent_bytes.load(Ordering::Relaxed),
        seconds,
        peak_rss: peak.load(Ordering::Relaxed),
        server_cpu,
        client_cpu,
    })
}
