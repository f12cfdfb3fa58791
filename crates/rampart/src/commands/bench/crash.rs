//! `rampart bench crash`: acknowledged rows must survive `kill -9`, exactly once.
//!
//! Each round starts `rampart serve` on the same data directory (which replays the
//! WAL), sends batches of rows with unique ReportIds from two connections, and kills
//! the server with SIGKILL at a random moment — during appends, flushes to Parquet,
//! WAL truncation or compaction, which small thresholds make frequent. At the end the
//! lake is opened once more and every ReportId is counted.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::server::{ServerProcess, Workspace};
use super::table;
use crate::cli::BenchCrashArgs;

/// Lake settings that make every background step happen many times per round.
fn stress_env() -> Vec<(&'static str, String)> {
    vec![
        ("RAMPART_LAKE_FLUSH_ROWS", "3000".into()),
        ("RAMPART_LAKE_FLUSH_INTERVAL", "1s".into()),
        ("RAMPART_LAKE_WAL_SEGMENT_BYTES", "262144".into()),
        ("RAMPART_LAKE_COMPACT_MIN_FILES", "3".into()),
        ("RAMPART_LAKE_MAINTENANCE_INTERVAL", "1s".into()),
    ]
}

#[derive(Default)]
struct Ledger {
    /// (first ReportId, rows) of every acknowledged batch.
    acked: Vec<(i64, i64)>,
    /// Batches whose answer never came (the server died): they may or may not be stored.
    unknown: Vec<(i64, i64)>,
}

struct Round {
    startup: Duration,
    acked_rows: i64,
    ran_for: Duration,
}

pub async fn run(args: BenchCrashArgs) -> Result<ExitCode> {
    let ws = Workspace::new("crash").await?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let next_id = Arc::new(AtomicI64::new(1));
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut rounds = Vec::new();
    for round in 1..=args.rounds {
        let server = ServerProcess::spawn(&ws.dir, &stress_env())?;
        let before: i64 = lock(&ledger).acked.iter().map(|a| a.1).sum();
        let url = format!("http://{}/api/ingest/DeviceProcessEvents", server.addr);
        let senders: Vec<_> = (0..2)
            .map(|s| {
                let (url, token, next_id, ledger) = (url.clone(), ws.token.clone(), next_id.clone(), ledger.clone());
                let seed = args.seed.wrapping_mul(1000).wrapping_add((round * 10 + s) as u64);
                tokio::spawn(send_until_refused(url, token, next_id, ledger, seed))
            })
            .collect();
        let ran_for = Duration::from_millis(rng.random_range(200..2500));
        tokio::time::sleep(ran_for).await;
        let startup = server.startup;
        server.kill9()?;
        for s in senders {
            s.await?;
        }
        let after: i64 = lock(&ledger).acked.iter().map(|a| a.1).sum();
        eprintln!("round {round}: {} rows acknowledged, killed after {} ms", after - before, ran_for.as_millis());
        rounds.push(Round { startup, acked_rows: after - before, ran_for });
    }
    // One last start replays whatever the final kill left in the WAL.
    let reopen = std::time::Instant::now();
    let lake = rampart_lake::Lake::open(&ws.dir, rampart_lake::LakeConfig::default()).await?;
    let reopen = reopen.elapsed();
    let counts = report_ids(&lake).await?;
    lake.close().await?;

    let ledger = lock(&ledger);
    let (mut lost, mut acked_rows) = (0i64, 0i64);
    for &(first, n) in &ledger.acked {
        acked_rows += n;
        lost += (first..first + n).filter(|id| !counts.contains_key(id)).count() as i64;
    }
    let duplicated = counts.values().filter(|&&c| c > 1).count();
    let unknown_rows: i64 = ledger.unknown.iter().map(|u| u.1).sum();
    let unknown_stored: i64 =
        ledger.unknown.iter().map(|&(first, n)| (first..first + n).filter(|id| counts.contains_key(id)).count() as i64).sum();

    let mut t = table(&["round", "ran for (ms)", "rows acknowledged", "restart incl. WAL replay (ms)"]);
    for (i, r) in rounds.iter().enumerate() {
        t.add_row(vec![(i + 1).to_string(), r.ran_for.as_millis().to_string(), r.acked_rows.to_string(), r.startup.as_millis().to_string()]);
    }
    println!("rampart bench crash: {} kill -9 rounds, seed {}", args.rounds, args.seed);
    println!("{t}");
    println!(
        "acknowledged rows: {acked_rows}; missing after restart: {lost}; ReportIds stored more than once: {duplicated}; \
         unacknowledged rows (answer lost in the kill): {unknown_rows}, of which stored: {unknown_stored}; final reopen {} ms",
        reopen.as_millis()
    );
    if lost == 0 && duplicated == 0 {
        println!("PASS: every acknowledged row is queryable exactly once");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("FAIL");
        Ok(ExitCode::FAILURE)
    }
}

/// Sends batches of 1–3000 rows until the server stops answering.
async fn send_until_refused(url: String, token: String, next_id: Arc<AtomicI64>, ledger: Arc<Mutex<Ledger>>, seed: u64) {
    let client = reqwest::Client::new();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    loop {
        let n: i64 = rng.random_range(1..=3000);
        let first = next_id.fetch_add(n, Ordering::SeqCst);
        let body: String = (first..first + n)
            .map(|id| {
                format!(
                    "{{\"Timestamp\":\"{}\",\"ReportId\":{id},\"DeviceName\":\"crash-bench\",\"ActionType\":\"ProcessCreated\",\"FileName\":\"bench.exe\",\"ProcessCommandLine\":\"bench.exe --row {id}\"}}\n",
                    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
                )
            })
            .collect();
        let sent = client.post(&url).bearer_auth(&token).body(body).send().await;
        let accepted = match sent {
            Ok(r) if r.status().is_success() => r.json::<serde_json::Value>().await.ok().and_then(|v| v["accepted"].as_i64()),
            _ => None,
        };
        match accepted {
            Some(a) if a == n => lock(&ledger).acked.push((first, n)),
            _ => {
                lock(&ledger).unknown.push((first, n));
                return;
            }
        }
    }
}

async fn report_ids(lake: &rampart_lake::Lake) -> Result<HashMap<i64, u32>> {
    let ctx = lake.session()?;
    let batches = ctx.sql(r#"SELECT "ReportId" FROM "DeviceProcessEvents""#).await?.collect().await?;
    let mut counts = HashMap::new();
    for b in &batches {
        for id in b.column(0).as_primitive::<Int64Type>().iter().flatten() {
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
