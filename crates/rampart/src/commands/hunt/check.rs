//! `rampart hunt --check DIR [--run]`: how much of a folder of KQL queries Rampart runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use rampart_hunt::{Hunter, Request};
use rampart_kql::{CompileOptions, compile, parse, split_script};

use crate::config::Config;
use crate::server::open_lake;

#[derive(Default)]
struct Counts {
    files: usize,
    parsed: usize,
    bound: usize,
    ran: usize,
    /// Queries that read URLs with `externaldata`: they parse but are counted apart.
    external: usize,
    /// Files left out because a `query_tables.tsv` gives them another target.
    skipped: usize,
}

/// The manifest the public KQL corpora carry: `file<TAB>target<TAB>…`. When a folder has
/// one, only queries whose target is Defender XDR are checked.
const MANIFEST: &str = "query_tables.tsv";
const DEFENDER: &str = "defender-xdr";

/// Where a query stopped: the stage and its first message.
enum Stop {
    Parse(String),
    Bind(String),
    Run(String),
}

pub async fn run(dir: &Path, execute: bool, all: bool, config: Config) -> Result<ExitCode> {
    let mut files = Vec::new();
    walk(dir, &mut files).with_context(|| format!("listing {}", dir.display()))?;
    files.sort();
    anyhow::ensure!(!files.is_empty(), "no .kql files under {}", dir.display());
    let mut counts = Counts::default();
    if !all && let Some(targets) = manifest(dir)? {
        let before = files.len();
        files.retain(|f| f.strip_prefix(dir).ok().and_then(|p| targets.get(&p.to_string_lossy().replace('\\', "/"))).is_none_or(|t| t == DEFENDER));
        counts.skipped = before - files.len();
    }
    let lake = open_lake(&config).await?;
    let ctx = lake.session()?;
    rampart_kql::register(&ctx);
    let hunter = Hunter::new(lake.clone(), config.hunt_limits());
    let bar = indicatif::ProgressBar::new(files.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} queries {msg}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut reasons: BTreeMap<(&'static str, String), Vec<String>> = BTreeMap::new();
    for file in &files {
        bar.inc(1);
        bar.set_message(file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        counts.files += 1;
        let name = file.strip_prefix(dir).unwrap_or(file).display().to_string();
        match check_file(&text, &ctx, &hunter, execute).await {
            None => {
                counts.parsed += 1;
                counts.bound += 1;
                counts.ran += usize::from(execute);
            }
            Some(stop) => {
                let (stage, message) = match stop {
                    Stop::Parse(m) => ("parse", m),
                    Stop::Bind(m) if m.starts_with("externaldata") => {
                        counts.parsed += 1;
                        counts.external += 1;
                        ("bind", m)
                    }
                    Stop::Bind(m) => {
                        counts.parsed += 1;
                        ("bind", m)
                    }
                    Stop::Run(m) => {
                        counts.parsed += 1;
                        counts.bound += 1;
                        ("run", m)
                    }
                };
                reasons.entry((stage, generalise(&message))).or_default().push(name);
            }
        }
    }
    bar.finish_and_clear();
    lake.close().await?;
    print_report(&counts, execute, reasons);
    Ok(ExitCode::SUCCESS)
}

/// The first stage at which one of the file's queries fails, or `None` if all pass.
async fn check_file(text: &str, ctx: &datafusion::prelude::SessionContext, hunter: &Hunter, execute: bool) -> Option<Stop> {
    let blocks = split_script(text);
    if blocks.is_empty() {
        return Some(Stop::Parse("the file holds no query".into()));
    }
    for r in blocks {
        let q = &text[r];
        if let Some(d) = parse(q).diagnostics.first() {
            return Some(Stop::Parse(d.message.clone()));
        }
        if let Err(d) = compile(q, ctx, &CompileOptions::default()).await {
            return Some(Stop::Bind(d.first().map(|d| d.message.clone()).unwrap_or_default()));
        }
        if execute && let Err(e) = hunter.run(&Request::kql(q)).await {
            return Some(Stop::Run(e.to_string().lines().next().unwrap_or_default().chars().take(160).collect()));
        }
    }
    None
}

/// file → target from the folder's `query_tables.tsv`, if it has one.
fn manifest(dir: &Path) -> Result<Option<BTreeMap<String, String>>> {
    let path = dir.join(MANIFEST);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let (Some(f), Some(t)) = (header.iter().position(|h| *h == "file"), header.iter().position(|h| *h == "target")) else {
        anyhow::bail!("{} has no `file` and `target` columns", path.display());
    };
    Ok(Some(lines.filter_map(|l| {
        let cols: Vec<&str> = l.split('\t').collect();
        Some((cols.get(f)?.to_string(), cols.get(t)?.to_string()))
    }).collect()))
}

fn print_report(c: &Counts, execute: bool, reasons: BTreeMap<(&'static str, String), Vec<String>>) {
    let pct = |n: usize| format!("{n} ({:.1}%)", 100.0 * n as f64 / c.files.max(1) as f64);
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    table.set_header(["queries", "parsed", "bound", "ran", "externaldata (apart)"]);
    table.add_row([c.files.to_string(), pct(c.parsed), pct(c.bound), if execute { pct(c.ran) } else { "(use --run)".into() }, c.external.to_string()]);
    println!("{table}");
    let local = c.files - c.external;
    if execute && local > 0 {
        println!("without the {} externaldata queries: {} of {local} ran ({:.1}%)", c.external, c.ran, 100.0 * c.ran as f64 / local as f64);
    }
    if c.skipped > 0 {
        println!("{} files skipped: {MANIFEST} gives them a target other than {DEFENDER} (check them with --all)", c.skipped);
    }
    if reasons.is_empty() {
        return;
    }
    let mut grouped: Vec<_> = reasons.into_iter().collect();
    grouped.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    println!("\nMost common reasons (stage, count, reason, e.g. file):");
    for ((stage, reason), files) in grouped.iter().take(15) {
        println!("  {stage:5} {:4}  {reason}  (e.g. {})", files.len(), files[0]);
    }
    if grouped.len() > 15 {
        println!("  … and {} more reasons", grouped.len() - 15);
    }
}

/// A message with the quoted names blanked, so that failures of one kind group together.
fn generalise(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = None;
    for c in message.chars() {
        match quoted {
            Some(q) if c == q => {
                quoted = None;
                out.push('…');
                out.push(c);
            }
            Some(_) => {}
            None if c == '`' || c == '\'' => {
                quoted = Some(c);
                out.push(c);
            }
            None => out.push(c),
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("kql")) {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_blanked_for_grouping() {
        assert_eq!(super::generalise("unknown column `FileNam`; did you mean 'FileName'?"), "unknown column `…`; did you mean '…'?");
    }
}
