use std::process::ExitCode;

use anyhow::{Result, bail};
use rampart_store::Scope;

use crate::cli::TokenCommand;
use crate::config::Config;
use crate::server::open_store;

pub async fn run(cmd: TokenCommand, config: Config) -> Result<ExitCode> {
    let store = open_store(&config).await?;
    match cmd {
        TokenCommand::Create { name, ingest, read, admin } => {
            let scopes: Vec<Scope> =
                [(ingest, Scope::Ingest), (read, Scope::Read), (admin, Scope::Admin)].into_iter().filter(|(on, _)| *on).map(|(_, s)| s).collect();
            if scopes.is_empty() {
                bail!("say what the token may do: --ingest, --read and/or --admin");
            }
            let (info, secret) = store.create_token(&name, &scopes, "cli").await?;
            eprintln!("Created token {} ({}) with scopes: {}. The secret is shown only now:", info.id, info.name, scope_list(&info.scopes));
            println!("{secret}");
        }
        TokenCommand::List => {
            let mut table = comfy_table::Table::new();
            table.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY).set_header(["id", "name", "scopes", "created", "last used", "status"]);
            for t in store.list_tokens().await? {
                table.add_row([
                    t.id.clone(),
                    t.name.clone(),
                    scope_list(&t.scopes),
                    time(Some(t.created_at)),
                    time(t.last_used_at),
                    if t.revoked_at.is_some() { "revoked".into() } else { "active".into() },
                ]);
            }
            println!("{table}");
        }
        TokenCommand::Revoke { id } => {
            let t = store.revoke_token(&id).await?;
            println!("revoked token {} ({})", t.id, t.name);
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

fn scope_list(scopes: &[Scope]) -> String {
    scopes.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
}

fn time(micros: Option<i64>) -> String {
    micros
        .and_then(chrono::DateTime::from_timestamp_micros)
        .map_or_else(|| "—".into(), |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
}
