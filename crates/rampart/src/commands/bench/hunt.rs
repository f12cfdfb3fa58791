//! `rampart bench hunt`: hunting queries on simulated telemetry in Parquet, timed in
//! Rampart (KQL) and in DuckDB (the same question in SQL over the same files).

use std::io::Write;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use rampart_hunt::{Hunter, Limits, Request, Timespan};
use rampart_ingest::json::ReportIds;
use rampart_lake::{Lake, LakeConfig};
use rampart_sim::{SimConfig, Simulation};

use super::server::Workspace;
use super::{median, table};
use crate::cli::BenchHuntArgs;
use crate::commands::demo;

const DUCKDB_SCRIPT: &str = include_str!("hunt_duckdb.py");
const TABLES: [&str; 3] = ["DeviceProcessEvents", "DeviceNetworkEvents", "DeviceLogonEvents"];


/// (name, KQL, the same question in SQL). Kusto strings are never null, so the SQL side
/// reads nulls as "" where the KQL compares or groups strings.
const QUERIES: &[(&str, &str, &str)] = &[
    (
        "filter + group + top",
        r#"DeviceProcessEvents | where FileName =~ "powershell.exe" | summarize n = count() by DeviceName | top 10 by n"#,
        r#"SELECT DeviceName, count(*) AS n FROM DeviceProcessEvents WHERE lower(FileName) = 'powershell.exe' GROUP BY 1 ORDER BY n DESC LIMIT 10"#,
    ),
    (
        "substring search",
        r#"DeviceProcessEvents | where ProcessCommandLine contains "-enc" or ProcessCommandLine contains "http" | count"#,
        r#"SELECT count(*) FROM DeviceProcessEvents WHERE ProcessCommandLine ILIKE '%-enc%' OR ProcessCommandLine ILIKE '%http%'"#,
    ),
    (
        "term search (has)",
        r#"DeviceProcessEvents | where ProcessCommandLine has "powershell" | summarize n = count() by FileName"#,
        r#"SELECT coalesce(FileName, ''), count(*) FROM DeviceProcessEvents WHERE regexp_matches(ProcessCommandLine, '(?i)(^|[^[:alnum:]])powershell($|[^[:alnum:]])') GROUP BY 1"#,
    ),
    (
        "recent activity by 5 minutes",
        r#"DeviceProcessEvents | where Timestamp > ago(2h) | summarize n = count() by bin(Timestamp, 5m)"#,
        r#"SELECT time_bucket(INTERVAL 5 MINUTE, Timestamp), count(*) FROM DeviceProcessEvents WHERE Timestamp > now() - INTERVAL 2 HOUR GROUP BY 1"#,
    ),
    (
        "top by time",
        r#"DeviceNetworkEvents | top 100 by Timestamp desc"#,
        r#"SELECT * FROM DeviceNetworkEvents ORDER BY Timestamp DESC LIMIT 100"#,
    ),
    (
        "hourly histogram",
        r#"DeviceNetworkEvents | summarize n = count() by bin(Timestamp, 1h), ActionType"#,
        r#"SELECT date_trunc('hour', Timestamp) AS h, coalesce(ActionType, '') AS a, count(*) FROM DeviceNetworkEvents GROUP BY 1, 2"#,
    ),
    (
        "distinct count",
        r#"DeviceNetworkEvents | where RemotePort in (80, 443) | summarize ips = dcount(RemoteIP) by DeviceName"#,
        r#"SELECT DeviceName, count(DISTINCT RemoteIP) FROM DeviceNetworkEvents WHERE RemotePort IN (80, 443) GROUP BY 1"#,
    ),
    (
        "arg_max per device",
        r#"DeviceProcessEvents | summarize arg_max(Timestamp, FileName, ProcessCommandLine) by DeviceName"#,
        r#"SELECT DeviceName, max(Timestamp), arg_max(FileName, Timestamp), arg_max(ProcessCommandLine, Timestamp) FROM DeviceProcessEvents GROUP BY 1"#,
    ),
    (
        "mv-expand of AdditionalFields",
        r#"DeviceNetworkEvents | where AdditionalFields has "answers" | mv-expand answer = parse_json(AdditionalFields).answers | summarize n = count() by tostring(answer) | top 10 by n"#,
        r#"SELECT a, count(*) AS n FROM (SELECT unnest(CAST(json_extract(AdditionalFields, '$.answers') AS VARCHAR[])) AS a FROM DeviceNetworkEvents WHERE regexp_matches(AdditionalFields, '(?i)(^|[^[:alnum:]])answers($|[^[:alnum:]])')) GROUP BY 1 ORDER BY n DESC LIMIT 10"#,
    ),
    (
        "process → network join",
        r#"DeviceProcessEvents | where FileName in~ ("powershell.exe", "cmd.exe", "rundll32.exe", "chrome.exe", "msedge.exe") | project DeviceId, InitiatingProcessId = ProcessId, FileName | join kind=inner (DeviceNetworkEvents | project DeviceId, InitiatingProcessId, RemoteIP) on DeviceId, InitiatingProcessId | summarize ips = dcount(RemoteIP) by FileName"#,
        r#"SELECT p.FileName, count(DISTINCT n.RemoteIP) FROM DeviceProcessEvents p JOIN DeviceNetworkEvents n ON coalesce(p.DeviceId, '') = coalesce(n.DeviceId, '') AND p.ProcessId = n.InitiatingProcessId WHERE lower(p.FileName) IN ('powershell.exe', 'cmd.exe', 'rundll32.exe', 'chrome.exe', 'msedge.exe') GROUP BY 1"#,
    ),
    (
        "join logons to processes",
        r#"DeviceLogonEvents | where ActionType == "LogonSuccess" | summarize by DeviceName, AccountName | join kind=inner (DeviceProcessEvents | summarize procs = count() by DeviceName, AccountName) on DeviceName, AccountName"#,
        r#"SELECT * FROM (SELECT DISTINCT coalesce(DeviceName, '') AS d, coalesce(AccountName, '') AS a FROM DeviceLogonEvents WHERE ActionType = 'LogonSuccess') l JOIN (SELECT coalesce(DeviceName, '') AS d, coalesce(AccountName, '') AS a, count(*) AS procs FROM DeviceProcessEvents GROUP BY 1, 2) r USING (d, a)"#,
    ),
];

pub async fn run(args: BenchHuntArgs) -> Result<ExitCode> {
    if args.runs == 0 || args.events == 0 {
        bail!("--events and --runs must be at least 1");
    }
    let work = Workspace::new("hunt").await?;
    let lake = Lake::open(&work.dir, LakeConfig::default()).await?;
    let started = Instant::now();
    let events = generate(&lake, args.events, args.seed).await?;
    lake.flush_all().await?;
    let (files, bytes) = TABLES.iter().try_fold((0, 0), |(n, b), t| -> Result<(usize, u64)> {
        let f = lake.files(t)?;
        Ok((n + f.len(), b + f.iter().map(|e| e.bytes).sum::<u64>()))
    })?;
    eprintln!("{events} events generated and written in {:.0} s; the benchmark tables hold {files} Parquet files, {:.0} MiB", started.elapsed().as_secs_f64(), bytes as f64 / 1048576.0);

    let hunter = Hunter::new(lake.clone(), Limits::default());
    let everything = Timespan::Last(chrono::Duration::days(3650));
    let mut ours = Vec::new();
    for (name, kql, _) in QUERIES {
        let req = Request { timespan: Some(everything), ..Request::kql(*kql) };
        let warm = hunter.run(&req).await.map_err(|e| anyhow!("{name}: {e}"))?;
        let mut ms = Vec::new();
        for _ in 0..args.runs {
            let t = Instant::now();
            hunter.run(&req).await.map_err(|e| anyhow!("{name}: {e}"))?;
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        eprintln!("rampart  {name}: {:.1} ms", median(&mut ms.clone()));
        ours.push((median(&mut ms), warm.stats.rows));
    }
    let duck = duckdb(&args.python, &work.dir, args.runs);
    lake.close().await?;

    let mut t = table(&["query", "Rampart ms", "DuckDB ms", "DuckDB / Rampart", "rows (R / D)"]);
    for (i, (name, _, _)) in QUERIES.iter().enumerate() {
        let (ms, rows) = ours[i];
        let (d_ms, d_rows) = match &duck {
            Ok(d) => (format!("{:.1}", d[i].0), format!("{rows} / {}", d[i].1)),
            Err(_) => ("—".into(), format!("{rows} / —")),
        };
        let ratio = duck.as_ref().map(|d| format!("{:.2}", d[i].0 / ms)).unwrap_or_else(|_| "—".into());
        t.add_row([name.to_string(), format!("{ms:.1}"), d_ms, ratio, d_rows]);
    }
    println!("{t}");
    println!("{events} events; medians of {} runs after one warm-up; {} cores", args.runs, std::thread::available_parallelism().map_or(1, |n| n.get()));
    if let Err(e) = duck {
        println!("DuckDB was not run: {e:#}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Three days of simulated telemetry up to now, at the rate that gives about `events` rows.
async fn generate(lake: &Lake, events: usize, seed: u64) -> Result<usize> {
    let now = chrono::Utc::now();
    let span = chrono::Duration::days(3);
    // Nights and weekends are quieter than the mean rate: aim a little high.
    let rate = events as f64 * 1.35 / span.num_seconds() as f64;
    let cfg = SimConfig { seed, start: now - span, attack_window: span, benign_rate: rate, ..SimConfig::default() };
    let mut sim = Simulation::try_new(cfg).map_err(|e| anyhow!("simulation: {e}"))?;
    let ids = ReportIds::from_clock();
    let bar = indicatif::ProgressBar::new(events as u64);
    let mut total = 0;
    while total < events && sim.cursor() < now {
        let batch = sim.advance(sim.cursor() + chrono::Duration::minutes(10));
        total += batch.len();
        demo::ingest(lake, &ids, batch).await?;
        bar.set_position(total as u64);
    }
    bar.finish_and_clear();
    Ok(total)
}

/// (median ms, rows) per query from DuckDB, or why it could not run.
fn duckdb(python: &str, dir: &std::path::Path, runs: usize) -> Result<Vec<(f64, usize)>> {
    let script = dir.join("hunt_duckdb.py");
    std::fs::write(&script, DUCKDB_SCRIPT)?;
    let job = serde_json::json!({
        "lake": dir, "tables": TABLES, "runs": runs,
        "queries": QUERIES.iter().map(|(n, _, sql)| [n, sql]).collect::<Vec<_>>(),
    });
    let mut child = Command::new(python).arg(&script).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()
        .with_context(|| format!("starting {python} (install DuckDB with: pip install duckdb)"))?;
    child.stdin.take().ok_or_else(|| anyhow!("no stdin"))?.write_all(job.to_string().as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("{python} failed (pip install duckdb?): {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""));
    }
    let mut results = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let mut ms: Vec<f64> = v["ms"].as_array().into_iter().flatten().filter_map(|x| x.as_f64()).collect();
        eprintln!("duckdb   {}: {:.1} ms", v["name"].as_str().unwrap_or(""), median(&mut ms.clone()));
        results.push((median(&mut ms), v["rows"].as_u64().unwrap_or(0) as usize));
    }
    anyhow::ensure!(results.len() == QUERIES.len(), "DuckDB answered {} of {} queries", results.len(), QUERIES.len());
    Ok(results)
}
