//! Schema migrations, embedded in the binary and applied in order at open.
//!
//! sqlx's migrator needs its macros or files at run time; ours is a table of applied
//! versions and portable SQL files, which is all both backends need.

use sqlx::Row;

use crate::{Error, Result, Store};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_api_tokens.sql")),
    (2, include_str!("../migrations/0002_saved_queries.sql")),
];

pub async fn run(store: &Store) -> Result<()> {
    sqlx::query("CREATE TABLE IF NOT EXISTS rampart_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
        .execute(&store.pool)
        .await?;
    let applied: Vec<i64> = sqlx::query("SELECT version FROM rampart_migrations")
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<std::result::Result<_, _>>()?;
    for &(version, sql) in MIGRATIONS {
        if applied.contains(&version) {
            continue;
        }
        let mut tx = store.pool.begin().await?;
        for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty() && !is_comment_only(s)) {
            sqlx::query(statement)
                .execute(&mut *tx)
                .await
                .map_err(|e| Error::Migration { version, reason: e.to_string() })?;
        }
        sqlx::query("INSERT INTO rampart_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(version)
            .bind(chrono::Utc::now().timestamp_micros())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version, "applied state store migration");
    }
    Ok(())
}

fn is_comment_only(s: &str) -> bool {
    s.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with("--"))
}
