use std::process::ExitCode;

use anyhow::{Result, anyhow};
use rampart_schema::catalog;

use crate::cli::SchemaArgs;

pub fn run(args: SchemaArgs) -> Result<ExitCode> {
    let mut out = comfy_table::Table::new();
    out.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    out.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    match args.table {
        None if args.json => println!("{}", serde_json::to_string_pretty(catalog().tables())?),
        None => {
            out.set_header(["table", "area", "columns", "description"]);
            for t in catalog().tables() {
                out.add_row([t.name.clone(), format!("{:?}", t.workload), t.columns.len().to_string(), t.description.clone()]);
            }
            println!("{out}");
            println!("`rampart schema <TABLE>` shows a table's columns.");
        }
        Some(name) => {
            let table = catalog().table(&name).ok_or_else(|| {
                let close: Vec<&str> = catalog().table_names().filter(|t| t.eq_ignore_ascii_case(&name) || t.contains(name.as_str())).collect();
                if close.is_empty() {
                    anyhow!("unknown table '{name}'; `rampart schema` lists them")
                } else {
                    anyhow!("unknown table '{name}'; did you mean {}?", close.join(", "))
                }
            })?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(table)?);
            } else {
                println!("{} — {}", table.name, table.description);
                out.set_header(["#", "column", "type", "description"]);
                for (i, c) in table.columns.iter().enumerate() {
                    out.add_row([(i + 1).to_string(), c.name.clone(), c.kind.name().to_string(), c.description.clone()]);
                }
                println!("{out}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
