//! Corpus measurement: for each source in `/work/shared/corpora/kql` (or `$KQL_CORPORA`),
//! over the queries whose `target` is `defender-xdr`: how many parse, how many compile
//! against empty Defender tables, and how many run on them; top failure reasons.
//! Files holding several blank-line-separated queries are split (script mode); a file
//! counts as passing when all of its queries pass. Queries that use `externaldata` (they
//! download data) are counted apart.
//!
//! Run with `cargo test --workspace --test it corpus -- --nocapture`.

use std::collections::BTreeMap;
use std::path::Path;

use rampart_kql::{CompileOptions, compile, parse, split_script};

use crate::support::{register_catalog, session};

const SOURCES: &[(&str, &str)] = &[
    ("microsoft-365-defender-hunting-queries", "MS"),
    ("falconfriday", "FF"),
    ("reprise99-sentinel-queries", "R99"),
];

#[derive(Default)]
struct Counts {
    total: usize,
    parsed: usize,
    bound: usize,
    ran: usize,
    external: usize,
}

/// A failure message with names replaced, so that similar failures group together.
fn reason(message: &str) -> String {
    let mut out = String::new();
    let mut in_tick = false;
    for c in message.chars() {
        if c == '`' {
            in_tick = !in_tick;
            out.push(c);
            if in_tick {
                out.push('…');
            }
            continue;
        }
        if !in_tick {
            out.push(c);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_compatibility() {
    let root = std::env::var("KQL_CORPORA").unwrap_or_else(|_| "/work/shared/corpora/kql".into());
    if !Path::new(&root).is_dir() {
        println!("skipped: the KQL corpora are not present at {root}");
        return;
    }
    let ctx = session();
    register_catalog(&ctx);
    let opts = CompileOptions::at(crate::slt::default_clock());
    let mut reasons: BTreeMap<(String, &str), Vec<String>> = BTreeMap::new();
    let mut table = Vec::new();
    let mut all = Counts::default();
    for (source, short) in SOURCES {
        let tsv = std::fs::read_to_string(format!("{root}/{source}/query_tables.tsv")).unwrap_or_default();
        let mut c = Counts::default();
        for line in tsv.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.get(1) != Some(&"defender-xdr") {
                continue;
            }
            let file = cols[0];
            let Ok(text) = std::fs::read_to_string(format!("{root}/{source}/{file}")) else { continue };
            c.total += 1;
            let blocks = split_script(&text);
            let mut parse_ok = !blocks.is_empty();
            let mut bind_ok = parse_ok;
            let mut run_ok = parse_ok;
            let mut external = false;
            for r in &blocks {
                let q = &text[r.clone()];
                let p = parse(q);
                if let Some(d) = p.diagnostics.first() {
                    parse_ok = false;
                    bind_ok = false;
                    run_ok = false;
                    reasons.entry((reason(&d.message), "parse")).or_default().push(format!("{short} {file}:{}", d.line));
                    break;
                }
                match compile(q, &ctx, &opts).await {
                    Ok(compiled) => {
                        let ran = match ctx.execute_logical_plan(compiled.plan).await {
                            Ok(df) => df.collect().await.map(|_| ()).map_err(|e| e.to_string()),
                            Err(e) => Err(e.to_string()),
                        };
                        if let Err(e) = ran {
                            run_ok = false;
                            if std::env::var("KQL_CORPUS_VERBOSE").is_ok() {
                                println!("RUN {short} {file}: {e}");
                            }
                            let first = e.lines().next().unwrap_or_default().chars().take(160).collect::<String>();
                            reasons.entry((first, "run")).or_default().push(format!("{short} {file}"));
                        }
                    }
                    Err(diags) => {
                        bind_ok = false;
                        run_ok = false;
                        let d = &diags[0];
                        if std::env::var("KQL_CORPUS_VERBOSE").is_ok() {
                            let (l, c) = rampart_kql::diagnostic::line_column(&text, r.start + d.span.start);
                            println!("BIND {short} {file}:{l}:{c}: {}", d.message);
                        }
                        if d.message.starts_with("externaldata") {
                            external = true;
                        }
                        reasons.entry((reason(&d.message), "bind")).or_default().push(format!("{short} {file}:{}", d.line));
                        break;
                    }
                }
            }
            c.parsed += usize::from(parse_ok);
            c.bound += usize::from(bind_ok);
            c.ran += usize::from(run_ok);
            c.external += usize::from(external);
        }
        all.total += c.total;
        all.parsed += c.parsed;
        all.bound += c.bound;
        all.ran += c.ran;
        all.external += c.external;
        table.push((short.to_string(), c));
    }
    table.push(("all".into(), all));
    let pct = |a: usize, b: usize| if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 };
    println!("| source | defender-xdr queries | parse | compile | run (empty tables) | externaldata |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, c) in &table {
        println!(
            "| {name} | {} | {} ({:.1}%) | {} ({:.1}%) | {} ({:.1}%) | {} |",
            c.total,
            c.parsed,
            pct(c.parsed, c.total),
            c.bound,
            pct(c.bound, c.total),
            c.ran,
            pct(c.ran, c.total),
            c.external
        );
    }
    let mut grouped: Vec<_> = reasons.into_iter().collect();
    grouped.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    println!("\n| failures | stage | reason | example |");
    println!("|---:|---|---|---|");
    for ((r, stage), v) in grouped.iter().take(40) {
        println!("| {} | {stage} | {} | {} |", v.len(), r.replace('|', "\\|"), v[0]);
    }
    let (_, all) = &table[table.len() - 1];
    // Regression guard, a little under the measured numbers (see docs/kql.md).
    assert!(pct(all.parsed, all.total) >= 95.0, "parse rate fell below 95%");
    assert!(pct(all.bound, all.total) >= 92.0, "compile rate fell below 92%");
}
