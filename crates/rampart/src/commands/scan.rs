//! `rampart scan`: offline triage of EVTX and JSON files with Sigma rules, no server
//! (what responders use Hayabusa or Chainsaw for); and `rampart rules check`.
//! The work is `rampart_detect`'s; this file reads flags and prints.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rampart_detect::scan::{Hit, input_files, scan};
use rampart_detect::{Detector, Rule, check};
use serde_json::{Value, json};

use crate::cli::{RulesCheckArgs, ScanArgs, ScanFormat};

const NO_RULES: &str = "no rules given: pass --rules DIR with Sigma rules, for example the rules/windows \
    folder of a SigmaHQ checkout (https://github.com/SigmaHQ/sigma); Rampart does not ship SigmaHQ's rules";

/// Levels from least to most severe; a rule without a level sorts first.
const LEVELS: [&str; 5] = ["informational", "low", "medium", "high", "critical"];

fn rank(level: Option<&str>) -> usize {
    level.and_then(|l| LEVELS.iter().position(|x| *x == l)).map_or(0, |i| i + 1)
}

pub fn run(args: ScanArgs) -> Result<ExitCode> {
    if args.rules.is_empty() {
        bail!(NO_RULES);
    }
    let min_rank = match &args.min_level {
        Some(l) if rank(Some(l)) == 0 => bail!("unknown level '{l}'; one of {}", LEVELS.join(", ")),
        Some(l) => rank(Some(l)),
        None => 0,
    };
    let (detector, report) = Detector::load(&args.rules).context("loading rules")?;
    if !report.failed.is_empty() {
        eprintln!(
            "{} rules did not load (`rampart rules check {}` lists them)",
            report.failed.len(),
            args.rules.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ")
        );
    }
    let files = input_files(&args.paths)?;
    if files.is_empty() {
        bail!("no .evtx, .json, .jsonl or .ndjson files under the given paths");
    }
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));

    let total: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    let bar = if args.quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(total) };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let start = Instant::now();
    let result = scan(&detector, &files, threads, &|path: &Path, _events| {
        bar.inc(std::fs::metadata(path).map_or(0, |m| m.len()));
    });
    bar.finish_and_clear();
    let elapsed = start.elapsed();

    let rules = detector.rules();
    let hits: Vec<&Hit> = result.hits.iter().filter(|h| rank(rules[h.rule].level) >= min_rank).collect();
    let mut out = std::io::stdout().lock();
    match args.format {
        ScanFormat::Table => print_table(&mut out, rules, &hits)?,
        ScanFormat::Csv => print_csv(&mut out, rules, &hits)?,
        ScanFormat::Json => print_json(&mut out, rules, &hits)?,
    }
    out.flush()?;
    eprintln!(
        "{} files, {} events, {} detections by {} rules ({} loaded) in {:.1?} ({:.0} events/s){}",
        result.files,
        result.events,
        hits.len(),
        hits.iter().map(|h| h.rule).collect::<std::collections::BTreeSet<_>>().len(),
        rules.len(),
        elapsed,
        result.events as f64 / elapsed.as_secs_f64().max(1e-9),
        if result.error_count > 0 { format!("; {} unreadable records or files", result.error_count) } else { String::new() },
    );
    for e in result.errors.iter().take(5) {
        eprintln!("  {e}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `rampart rules check DIR…`: every rule that does not load, with its reason.
pub fn check_rules(args: RulesCheckArgs) -> Result<ExitCode> {
    let report = check(&args.paths)?;
    for p in &report.failed {
        let title = p.title.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
        println!("{}{title}: {}", p.path.display(), p.reason);
    }
    println!(
        "{} files: {} rules loaded, {} failed, {} skipped (deprecated or unsupported status)",
        report.files,
        report.loaded,
        report.failed.len(),
        report.skipped.len()
    );
    Ok(if report.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The values that made the rule match, `Field=value`, in rule order.
fn details(h: &Hit) -> String {
    let mut seen = std::collections::BTreeSet::new();
    h.fields
        .iter()
        .filter(|(f, _)| seen.insert(f.as_str()))
        // Whitespace runs (multi-line values) become one space: one detection, one line.
        .map(|(f, v)| match v {
            Value::String(s) => format!("{f}={}", s.split_whitespace().collect::<Vec<_>>().join(" ")),
            other => format!("{f}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ¦ ")
}

fn print_table(out: &mut impl Write, rules: &[Rule], hits: &[&Hit]) -> Result<()> {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    t.set_header(["time", "level", "rule", "computer", "user", "details"]);
    for h in hits {
        let r = &rules[h.rule];
        let mut d = details(h);
        if d.chars().count() > 160 {
            d = d.chars().take(157).collect::<String>() + "…";
        }
        t.add_row([h.timestamp.clone(), r.level.unwrap_or("-").to_string(), r.title.clone(), h.computer.clone(), h.user.clone(), d]);
    }
    writeln!(out, "{t}")?;
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

fn print_csv(out: &mut impl Write, rules: &[Rule], hits: &[&Hit]) -> Result<()> {
    writeln!(out, "timestamp,level,rule_title,rule_id,computer,user,details,file,event_record_id")?;
    for h in hits {
        let r = &rules[h.rule];
        let row = [
            h.timestamp.clone(),
            r.level.unwrap_or_default().to_string(),
            r.title.clone(),
            r.id.clone().unwrap_or_default(),
            h.computer.clone(),
            h.user.clone(),
            details(h),
            h.file.display().to_string(),
            h.event_record_id.map(|n| n.to_string()).unwrap_or_default(),
        ];
        writeln!(out, "{}", row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","))?;
    }
    Ok(())
}

/// One JSON object per line. The field names are a stable interface (comparisons
/// with Hayabusa and Chainsaw read them): rule_id, rule_title, level, file,
/// event_record_id, timestamp, plus computer, user and fields.
fn print_json(out: &mut impl Write, rules: &[Rule], hits: &[&Hit]) -> Result<()> {
    for h in hits {
        let r = &rules[h.rule];
        let fields: serde_json::Map<String, Value> = h.fields.iter().cloned().collect();
        let line = json!({
            "rule_id": r.id,
            "rule_title": r.title,
            "level": r.level,
            "file": h.file.display().to_string(),
            "event_record_id": h.event_record_id,
            "timestamp": h.timestamp,
            "computer": h.computer,
            "user": h.user,
            "fields": fields,
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}

