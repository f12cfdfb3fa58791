//! A speed check of typical hunting queries on generated Parquet data. Off by default; run
//! `KQL_BENCH=1 [KQL_BENCH_ROWS=2000000] [KQL_BENCH_DIR=/tmp/kql-bench] cargo test --release
//! --workspace --test it bench -- --nocapture`. It prints a table of medians and writes
//! the Parquet files (and `queries.sql`, the same queries in SQL) so other engines can run
//! them on the same data. There are no timing assertions.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::common::TableReference;
use datafusion::datasource::file_format::options::ParquetReadOptions;
use rampart_kql::{CompileOptions, compile};

use crate::support::session;

/// (name, KQL, SQL for an engine with Kusto-like semantics spelled out).
pub const QUERIES: &[(&str, &str, &str)] = &[
    (
        "has",
        r#"DeviceProcessEvents | where ProcessCommandLine has "mimikatz" | count"#,
        r#"SELECT count(*) FROM DeviceProcessEvents WHERE regexp_matches(ProcessCommandLine, '(?i)(^|[^a-z0-9])mimikatz([^a-z0-9]|$)')"#,
    ),
    (
        "contains_top",
        r#"DeviceProcessEvents | where ProcessCommandLine contains "powershell" | summarize c = count() by DeviceName | top 10 by c"#,
        r#"SELECT DeviceName, count(*) c FROM DeviceProcessEvents WHERE ProcessCommandLine ILIKE '%powershell%' GROUP BY DeviceName ORDER BY c DESC LIMIT 10"#,
    ),
    (
        "bin_1h",
        r#"DeviceProcessEvents | where Timestamp > ago(7d) | summarize c = count() by bin(Timestamp, 1h)"#,
        r#"SELECT time_bucket(INTERVAL 1 HOUR, Timestamp) t, count(*) c FROM DeviceProcessEvents WHERE Timestamp > TIMESTAMPTZ '2024-01-03 00:00:00+00' GROUP BY t"#,
    ),
    (
        "join_proc_net",
        r#"DeviceProcessEvents | where FileName =~ "powershell.exe" | join kind=inner (DeviceNetworkEvents | where RemotePort == 443) on DeviceId, $left.ProcessId == $right.InitiatingProcessId | summarize dcount(RemoteIP) by DeviceName"#,
        r#"SELECT p.DeviceName, count(DISTINCT n.RemoteIP) FROM DeviceProcessEvents p JOIN DeviceNetworkEvents n ON p.DeviceId = n.DeviceId AND p.ProcessId = n.InitiatingProcessId WHERE lower(p.FileName) = 'powershell.exe' AND n.RemotePort = 443 GROUP BY p.DeviceName"#,
    ),
    (
        "dcount",
        r#"DeviceNetworkEvents | summarize dcount(RemoteIP) by DeviceName"#,
        r#"SELECT DeviceName, count(DISTINCT RemoteIP) FROM DeviceNetworkEvents GROUP BY DeviceName"#,
    ),
    (
        "top",
        r#"DeviceProcessEvents | top 100 by Timestamp desc | project Timestamp, DeviceName, ProcessCommandLine"#,
        r#"SELECT Timestamp, DeviceName, ProcessCommandLine FROM DeviceProcessEvents ORDER BY Timestamp DESC LIMIT 100"#,
    ),
    (
        "mv_expand",
        r#"DeviceProcessEvents | where isnotempty(AdditionalFields) | mv-expand tag = parse_json(AdditionalFields).Tags | summarize c = count() by tostring(tag)"#,
        r#"SELECT t, count(*) FROM (SELECT unnest(from_json(json_extract(AdditionalFields, '$.Tags'), '["VARCHAR"]')) t FROM DeviceProcessEvents WHERE AdditionalFields IS NOT NULL AND AdditionalFields <> '') GROUP BY t"#,
    ),
    (
        "arg_max",
        r#"DeviceProcessEvents | summarize arg_max(Timestamp, *) by DeviceId | project DeviceId, Timestamp, FileName"#,
        r#"SELECT DeviceId, max(Timestamp), arg_max(FileName, Timestamp) FROM DeviceProcessEvents GROUP BY DeviceId"#,
    ),
    (
        "dynamic_eq",
        r#"DeviceProcessEvents | where tostring(parse_json(AdditionalFields).Mode) == "admin" | count"#,
        r#"SELECT count(*) FROM DeviceProcessEvents WHERE json_extract_string(AdditionalFields, '$.Mode') = 'admin'"#,
    ),
];

/// A small deterministic generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

const EXES: &[&str] = &["cmd.exe", "powershell.exe", "svchost.exe", "chrome.exe", "explorer.exe", "rundll32.exe", "PowerShell.EXE", "winword.exe"];
const WORDS: &[&str] = &["-nop", "-enc", "/c", "whoami", "net", "user", "invoke-mimikatz", "mimikatz.exe", "https://example.com/a", "C:\\Windows\\Temp\\x.ps1", "-WindowStyle", "hidden", "dir", "powershell"];

fn process_batch(rows: usize, seed: u64, start_us: i64) -> Result<RecordBatch, String> {
    let table = rampart_schema::catalog().require("DeviceProcessEvents").map_err(|e| e.to_string())?;
    let schema = table.storage_schema().clone();
    let mut g = Lcg(seed);
    let mut ts = Vec::with_capacity(rows);
    let mut device = Vec::with_capacity(rows);
    let mut name = Vec::with_capacity(rows);
    let mut file = Vec::with_capacity(rows);
    let mut cmd = Vec::with_capacity(rows);
    let mut pid = Vec::with_capacity(rows);
    let mut extra: Vec<Option<String>> = Vec::with_capacity(rows);
    for i in 0..rows {
        ts.push(start_us + (i as i64) * 300_000 + (g.next() % 1000) as i64);
        let d = g.next() % 500;
        device.push(format!("dev{d:04}"));
        name.push(format!("host-{d:04}.corp.local"));
        let exe = g.pick(EXES);
        file.push(exe.to_string());
        let n = 2 + g.next() % 6;
        let mut c = exe.to_string();
        for _ in 0..n {
            c.push(' ');
            c.push_str(g.pick(WORDS));
        }
        cmd.push(c);
        pid.push((g.next() % 20_000) as i64);
        extra.push(if g.next().is_multiple_of(3) {
            None
        } else {
            Some(format!(r#"{{"Mode":"{}","Tags":["{}","{}"],"Depth":{}}}"#, g.pick(&["admin", "user", "system"]), g.pick(&["a", "b", "c"]), g.pick(&["x", "y"]), g.next() % 9))
        });
    }
    let mut columns: Vec<ArrayRef> = Vec::new();
    for f in schema.fields() {
        let col: ArrayRef = match f.name().as_str() {
            "Timestamp" => Arc::new(TimestampMicrosecondArray::from(ts.clone()).with_timezone("UTC")),
            "$IngestionTime" => Arc::new(TimestampMicrosecondArray::from(ts.clone()).with_timezone("UTC")),
            "DeviceId" => Arc::new(StringArray::from(device.clone())),
            "DeviceName" => Arc::new(StringArray::from(name.clone())),
            "FileName" => Arc::new(StringArray::from(file.clone())),
            "ProcessCommandLine" => Arc::new(StringArray::from(cmd.clone())),
            "ProcessId" => Arc::new(Int64Array::from(pid.clone())),
            "AdditionalFields" => Arc::new(StringArray::from(extra.clone())),
            _ => datafusion::arrow::array::new_null_array(f.data_type(), rows),
        };
        columns.push(col);
    }
    RecordBatch::try_new(schema, columns).map_err(|e| e.to_string())
}

fn network_batch(rows: usize, seed: u64, start_us: i64) -> Result<RecordBatch, String> {
    let table = rampart_schema::catalog().require("DeviceNetworkEvents").map_err(|e| e.to_string())?;
    let schema = table.storage_schema().clone();
    let mut g = Lcg(seed);
    let mut columns: Vec<ArrayRef> = Vec::new();
    let ts: Vec<i64> = (0..rows).map(|i| start_us + (i as i64) * 300_000).collect();
    let device: Vec<String> = (0..rows).map(|_| format!("dev{:04}", g.next() % 500)).collect();
    let name: Vec<String> = device.iter().map(|d| format!("host-{}.corp.local", &d[3..])).collect();
    let ip: Vec<String> = (0..rows).map(|_| format!("10.{}.{}.{}", g.next() % 4, g.next() % 50, g.next() % 250)).collect();
    let port: Vec<i32> = (0..rows).map(|_| [443, 80, 53, 445, 8080][(g.next() % 5) as usize]).collect();
    let ipid: Vec<i64> = (0..rows).map(|_| (g.next() % 20_000) as i64).collect();
    for f in schema.fields() {
        let col: ArrayRef = match f.name().as_str() {
            "Timestamp" | "$IngestionTime" => Arc::new(TimestampMicrosecondArray::from(ts.clone()).with_timezone("UTC")),
            "DeviceId" => Arc::new(StringArray::from(device.clone())),
            "DeviceName" => Arc::new(StringArray::from(name.clone())),
            "RemoteIP" => Arc::new(StringArray::from(ip.clone())),
            "RemotePort" => Arc::new(Int32Array::from(port.clone())),
            "InitiatingProcessId" => Arc::new(Int64Array::from(ipid.clone())),
            _ => datafusion::arrow::array::new_null_array(f.data_type(), rows),
        };
        columns.push(col);
    }
    RecordBatch::try_new(schema, columns).map_err(|e| e.to_string())
}

async fn write_parquet(batches: Vec<RecordBatch>, path: &Path) -> Result<(), String> {
    let ctx = session();
    let df = ctx.read_batches(batches).map_err(|e| e.to_string())?;
    df.write_parquet(&path.to_string_lossy(), datafusion::dataframe::DataFrameWriteOptions::new().with_single_file_output(true), None)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench() {
    if std::env::var("KQL_BENCH").is_err() {
        return;
    }
    let rows: usize = std::env::var("KQL_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000_000);
    let dir = PathBuf::from(std::env::var("KQL_BENCH_DIR").unwrap_or_else(|_| "/tmp/kql-bench".into()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    // Ten days of data ending at the clock.
    let now = crate::slt::default_clock().timestamp_micros();
    let start = now - (rows as i64) * 300_000;
    let proc_path = dir.join("DeviceProcessEvents.parquet");
    let net_path = dir.join("DeviceNetworkEvents.parquet");
    if !proc_path.exists() {
        let chunk = 250_000;
        let batches: Vec<RecordBatch> = (0..rows.div_ceil(chunk))
            .map(|i| process_batch(chunk.min(rows - i * chunk), 7 + i as u64, start + (i * chunk) as i64 * 300_000).expect("batch"))
            .collect();
        write_parquet(batches, &proc_path).await.expect("write");
        let batches: Vec<RecordBatch> = (0..rows.div_ceil(chunk))
            .map(|i| network_batch(chunk.min(rows - i * chunk), 99 + i as u64, start + (i * chunk) as i64 * 300_000).expect("batch"))
            .collect();
        write_parquet(batches, &net_path).await.expect("write");
    }
    let sql: String = QUERIES.iter().map(|(n, _, s)| format!("-- {n}\n{s};\n")).collect();
    let _ = std::fs::write(dir.join("queries.sql"), sql);
    let ctx = session();
    for (name, path) in [("DeviceProcessEvents", &proc_path), ("DeviceNetworkEvents", &net_path)] {
        let schema = rampart_schema::catalog().require(name).expect("table").storage_schema().clone();
        let opts = ParquetReadOptions::default().schema(&schema);
        ctx.register_parquet(TableReference::bare(name), &path.to_string_lossy(), opts).await.expect("register");
    }
    let opts = CompileOptions::at(crate::slt::default_clock());
    println!("| query | median ms | rows |");
    println!("|---|---:|---:|");
    for (name, kql, _) in QUERIES {
        let mut times = Vec::new();
        let mut n_rows = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let c = compile(kql, &ctx, &opts).await.expect("compiles");
            let batches = ctx.execute_logical_plan(c.plan).await.expect("plan").collect().await.expect("runs");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            n_rows = batches.iter().map(|b| b.num_rows()).sum();
        }
        times.sort_by(f64::total_cmp);
        println!("| {name} | {:.1} | {n_rows} |", times[2]);
    }
}
