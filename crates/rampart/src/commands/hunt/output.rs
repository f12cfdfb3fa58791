//! Printing an answer as a table, CSV, JSON or NDJSON.

use std::io::Write;

use anyhow::Result;
use serde_json::Value;

use super::Answer;
use crate::cli::OutputFormat;

pub fn print(answer: &Answer, format: OutputFormat) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let names: Vec<&str> = answer.schema.iter().map(|(n, _)| n.as_str()).collect();
    match format {
        OutputFormat::Table => {
            let mut table = comfy_table::Table::new();
            table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
            table.set_header(answer.schema.iter().map(|(n, t)| format!("{n}\n{t}")));
            for row in &answer.rows {
                table.add_row(names.iter().map(|n| cell(row.get(*n))));
            }
            writeln!(out, "{table}")?;
        }
        OutputFormat::Csv => {
            writeln!(out, "{}", names.iter().map(|n| csv_field(n)).collect::<Vec<_>>().join(","))?;
            for row in &answer.rows {
                writeln!(out, "{}", names.iter().map(|n| csv_field(&cell(row.get(*n)))).collect::<Vec<_>>().join(","))?;
            }
        }
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &answer.rows)?;
            writeln!(out)?;
        }
        OutputFormat::Ndjson => {
            for row in &answer.rows {
                serde_json::to_writer(&mut out, row)?;
                writeln!(out)?;
            }
        }
    }
    Ok(())
}

/// A value as text: strings as they are, null as nothing, the rest as compact JSON.
fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// RFC 4180: quote fields holding a comma, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell(Some(&serde_json::json!({"a": [1]}))), r#"{"a":[1]}"#);
        assert_eq!(cell(Some(&Value::Null)), "");
    }
}
