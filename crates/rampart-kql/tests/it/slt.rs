//! Golden tests: `tests/slt/*.slt`. Each file sets up fresh tables and runs cases:
//!
//! ```text
//! now 2024-01-10T00:00:00Z            fixed clock for ago()/now() (this is the default)
//!
//! table DeviceProcessEvents           a catalog table (storage schema), NDJSON rows follow
//! {"DeviceName":"pc1", …}
//!
//! table Custom (a:string, b:long)     an ad-hoc table
//! {"a":"x","b":1}
//!
//! query [rowsort]                     a query; after `----` either `name:type | …` and rows
//! …                                   (`a | b`, null strings shown as ""), or `error: …`
//! ----
//!
//! explain                             the optimized logical plan
//! ```
//!
//! `UPDATE_EXPECT=1 cargo test -p rampart-kql` rewrites the expected blocks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::datasource::MemTable;
use rampart_kql::{CompileOptions, KustoType, compile};

use crate::support::{batch_from_json, format_rows, session};

enum Chunk {
    Raw(Vec<String>),
    Case { head: String, query: Vec<String>, expected: Vec<String> },
}

fn parse_file(text: &str) -> Vec<Chunk> {
    let lines: Vec<&str> = text.lines().collect();
    let mut chunks = Vec::new();
    let mut raw = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("query") || line.starts_with("explain") {
            if !raw.is_empty() {
                chunks.push(Chunk::Raw(std::mem::take(&mut raw)));
            }
            let head = line.to_string();
            i += 1;
            let mut query = Vec::new();
            while i < lines.len() && lines[i] != "----" {
                query.push(lines[i].to_string());
                i += 1;
            }
            i += 1;
            let mut expected = Vec::new();
            while i < lines.len() && !lines[i].is_empty() {
                expected.push(lines[i].to_string());
                i += 1;
            }
            // The blank line that ends the case.
            i += 1;
            chunks.push(Chunk::Case { head, query, expected });
            continue;
        }
        raw.push(line.to_string());
        i += 1;
    }
    if !raw.is_empty() {
        chunks.push(Chunk::Raw(raw));
    }
    chunks
}

/// Tables declared in raw chunks: (name, optional column list, NDJSON rows).
fn tables(chunks: &[Chunk]) -> Vec<(String, Option<String>, Vec<String>)> {
    let mut out = Vec::new();
    for c in chunks {
        let Chunk::Raw(lines) = c else { continue };
        let mut i = 0;
        while i < lines.len() {
            if let Some(rest) = lines[i].strip_prefix("table ") {
                let (name, cols) = match rest.split_once('(') {
                    Some((n, c)) => (n.trim().to_string(), Some(c.trim_end_matches(')').to_string())),
                    None => (rest.trim().to_string(), None),
                };
                i += 1;
                let mut rows = Vec::new();
                while i < lines.len() && !lines[i].trim().is_empty() {
                    if !lines[i].starts_with('#') {
                        rows.push(lines[i].clone());
                    }
                    i += 1;
                }
                out.push((name, cols, rows));
            } else {
                i += 1;
            }
        }
    }
    out
}

fn clock(chunks: &[Chunk]) -> chrono::DateTime<chrono::Utc> {
    for c in chunks {
        if let Chunk::Raw(lines) = c {
            for l in lines {
                if let Some(t) = l.strip_prefix("now ")
                    && let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t.trim()) {
                        return dt.with_timezone(&chrono::Utc);
                    }
            }
        }
    }
    default_clock()
}

pub fn default_clock() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2024-01-10T00:00:00Z").map(|d| d.with_timezone(&chrono::Utc)).unwrap_or_default()
}

async fn run_case(ctx: &datafusion::prelude::SessionContext, opts: &CompileOptions, head: &str, query: &str) -> Vec<String> {
    let compiled = match compile(query, ctx, opts).await {
        Ok(c) => c,
        Err(diags) => return diags.iter().map(|d| format!("error: {d}")).collect(),
    };
    if head.starts_with("explain") {
        return match ctx.state().optimize(&compiled.plan) {
            Ok(p) => p.display_indent().to_string().lines().map(|l| l.trim_end().to_string()).collect(),
            Err(e) => vec![format!("error: optimize: {e}")],
        };
    }
    let batches = match ctx.execute_logical_plan(compiled.plan).await {
        Ok(df) => match df.collect().await {
            Ok(b) => b,
            Err(e) => return vec![format!("error: execution: {e}")],
        },
        Err(e) => return vec![format!("error: planning: {e}")],
    };
    let header = compiled.columns.iter().map(|(n, t)| format!("{n}:{}", t.name())).collect::<Vec<_>>().join(" | ");
    let mut rows = format_rows(&batches, &compiled.columns);
    if head.contains("rowsort") {
        rows.sort();
    }
    let mut out = vec![header];
    out.extend(rows);
    if let Some(r) = compiled.render {
        out.push(format!("render: {}", r.visualization));
    }
    out
}

async fn run_file(path: &Path, update: bool) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut chunks = parse_file(&text);
    let ctx = session();
    let now = clock(&chunks);
    let opts = CompileOptions::at(now);
    let mut failures = Vec::new();
    for (name, cols, rows) in tables(&chunks) {
        let schema = match &cols {
            None => match rampart_schema::catalog().table(&name) {
                Some(t) => t.storage_schema().clone(),
                None => {
                    failures.push(format!("{}: unknown catalog table {name}", path.display()));
                    continue;
                }
            },
            Some(spec) => {
                let fields: Vec<Field> = spec
                    .split(',')
                    .filter_map(|c| c.split_once(':'))
                    .map(|(n, t)| {
                        let ty = KustoType::from_name(t.trim()).unwrap_or(KustoType::String);
                        let meta = std::collections::HashMap::from([(rampart_kql::KQL_TYPE_METADATA.to_string(), ty.name().to_string())]);
                        Field::new(n.trim(), ty.arrow(), true).with_metadata(meta)
                    })
                    .collect();
                Arc::new(Schema::new(fields))
            }
        };
        let values: Vec<serde_json::Value> = rows.iter().filter_map(|r| serde_json::from_str(r).ok()).collect();
        if values.len() != rows.len() {
            failures.push(format!("{}: table {name} has a row that is not valid JSON", path.display()));
        }
        let batch = match batch_from_json(&schema, &values, now.timestamp_micros()) {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("{}: table {name}: {e}", path.display()));
                continue;
            }
        };
        match MemTable::try_new(schema, vec![vec![batch]]) {
            Ok(t) => {
                if let Err(e) = ctx.register_table(datafusion::common::TableReference::bare(name.clone()), Arc::new(t)) {
                    failures.push(format!("{}: table {name}: {e}", path.display()));
                }
            }
            Err(e) => failures.push(format!("{}: table {name}: {e}", path.display())),
        }
    }
    for chunk in chunks.iter_mut() {
        let Chunk::Case { head, query, expected } = chunk else { continue };
        let q = query.join("\n");
        let actual = run_case(&ctx, &opts, head, &q).await;
        if actual != *expected {
            if update {
                *expected = actual;
            } else {
                failures.push(format!(
                    "{}\n--- query:\n{q}\n--- expected:\n{}\n--- actual:\n{}\n",
                    path.display(),
                    expected.join("\n"),
                    actual.join("\n")
                ));
            }
        }
    }
    if update {
        let mut out = String::new();
        for c in &chunks {
            match c {
                Chunk::Raw(lines) => {
                    for l in lines {
                        out.push_str(l);
                        out.push('\n');
                    }
                }
                Chunk::Case { head, query, expected } => {
                    out.push_str(head);
                    out.push('\n');
                    for l in query {
                        out.push_str(l);
                        out.push('\n');
                    }
                    out.push_str("----\n");
                    for l in expected {
                        out.push_str(l);
                        out.push('\n');
                    }
                    out.push('\n');
                }
            }
        }
        let out = out.trim_end().to_string() + "\n";
        if out != text {
            let _ = std::fs::write(path, out);
        }
    }
    failures
}

fn slt_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "slt")).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn golden_files() {
    let update = std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1");
    let filter = std::env::var("SLT").ok();
    let mut failures = Vec::new();
    let files = slt_files();
    assert!(!files.is_empty(), "no .slt files found");
    for f in files {
        if let Some(name) = &filter
            && !f.to_string_lossy().contains(name.as_str()) {
                continue;
            }
        failures.extend(run_file(&f, update).await);
    }
    assert!(failures.is_empty(), "{} golden case(s) failed:\n\n{}", failures.len(), failures.join("\n"));
}
