//! `rampart hunt`: KQL (or SQL) over the data directory or a running server, and
//! `--check DIR` for KQL compatibility.

mod check;
mod output;

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use rampart_hunt::{Hunter, Language, Request, Timespan};
use serde_json::{Map, Value, json};

use crate::cli::HuntArgs;
use crate::config::Config;
use crate::server::open_lake;

/// A query's answer, from the local lake or from a server's API.
pub struct Answer {
    /// (name, Kusto type) of each column.
    pub schema: Vec<(String, String)>,
    pub rows: Vec<Map<String, Value>>,
    pub truncated: bool,
    pub stats: Value,
    /// The time range searched, as the server states it.
    pub range: (String, String),
}

pub async fn run(args: HuntArgs, config: Config) -> Result<ExitCode> {
    if let Some(dir) = &args.check {
        return check::run(dir, args.run, args.all, config).await;
    }
    let query = match (&args.query, &args.file) {
        (Some(q), _) => q.clone(),
        (None, Some(f)) => std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?,
        (None, None) => bail!("give a query, --file or --check"),
    };
    let language = if args.sql { Language::Sql } else { Language::Kql };
    let answer = match &args.server {
        Some(url) => remote(url, args.token.as_deref(), &query, language, args.timespan.as_deref()).await?,
        None => {
            let timespan = args.timespan.as_deref().map(Timespan::parse).transpose()?;
            let mut limits = config.hunt_limits();
            limits.max_rows = args.limit.unwrap_or(limits.max_rows);
            let lake = open_lake(&config).await?;
            let outcome = Hunter::new(lake.clone(), limits).run(&Request { query: query.clone(), language, timespan, now: None }).await;
            lake.close().await?;
            let out = outcome.map_err(|e| explain(&query, e))?;
            Answer {
                schema: out.columns.iter().map(|c| (c.name.clone(), c.kind.name().to_string())).collect(),
                rows: out.rows(),
                truncated: out.truncated,
                stats: serde_json::to_value(out.stats)?,
                range: (rampart_hunt::json::datetime(out.range.0.timestamp_micros()), rampart_hunt::json::datetime(out.range.1.timestamp_micros())),
            }
        }
    };
    output::print(&answer, args.format)?;
    let stat = |k: &str| answer.stats[k].as_u64().unwrap_or(0);
    eprintln!(
        "{} rows{} in {} ms, {} scanned; time range {} to {}{}",
        answer.rows.len(),
        if answer.truncated { " (truncated: raise --limit or hunting.max_rows)" } else { "" },
        stat("elapsed_ms"),
        output::bytes(stat("bytes_scanned")),
        answer.range.0,
        answer.range.1,
        if args.timespan.is_none() { " (widen it with --timespan, e.g. 365d)" } else { "" },
    );
    Ok(ExitCode::SUCCESS)
}

/// A query error with the offending line and a caret under each position.
fn explain(query: &str, e: rampart_hunt::Error) -> anyhow::Error {
    if e.diagnostics().is_empty() {
        return anyhow!(e);
    }
    let mut text = String::from("the query has errors:");
    for d in e.diagnostics() {
        let line = query.lines().nth(d.line.saturating_sub(1) as usize).unwrap_or("");
        text += &format!("\n  {}:{}: {}\n    {line}\n    {}^", d.line, d.column, d.message, " ".repeat(d.column.saturating_sub(1) as usize));
    }
    anyhow!(text)
}

async fn remote(server: &str, token: Option<&str>, query: &str, language: Language, timespan: Option<&str>) -> Result<Answer> {
    let token = token.ok_or_else(|| anyhow!("--server needs a token: pass --token or set RAMPART_TOKEN (rampart token create --read)"))?;
    let url = format!("{}/api/hunting/query", server.trim_end_matches('/'));
    let body = json!({ "query": query, "language": language, "timespan": timespan });
    let response = reqwest::Client::new().post(&url).bearer_auth(token).json(&body).send().await.with_context(|| format!("calling {url}"))?;
    let status = response.status();
    let value: Value = response.json().await.with_context(|| format!("reading the answer of {url}"))?;
    if !status.is_success() {
        let mut message = value["message"].as_str().unwrap_or("no message").to_string();
        for d in value["diagnostics"].as_array().into_iter().flatten() {
            message += &format!("\n  {}:{}: {}", d["line"], d["column"], d["message"].as_str().unwrap_or(""));
        }
        bail!("the server answered {status}: {message}");
    }
    let schema = value["schema"].as_array().into_iter().flatten().map(|c| (c["name"].as_str().unwrap_or("").to_string(), c["type"].as_str().unwrap_or("").to_string())).collect();
    let rows = value["results"].as_array().into_iter().flatten().filter_map(|r| r.as_object().cloned()).collect();
    let at = |k: &str| value["timespan"][k].as_str().unwrap_or("?").to_string();
    Ok(Answer { schema, rows, truncated: value["truncated"].as_bool().unwrap_or(false), stats: value["stats"].clone(), range: (at("start"), at("end")) })
}
