//! API tokens: random secrets for machines, stored only as SHA-256 digests.
//!
//! A token is `rpt_` followed by 64 hex characters (256 random bits). High-entropy
//! secrets need no slow password hash; SHA-256 lets every request be checked cheaply.

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Error, Result, Store};

const PREFIX: &str = "rpt_";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Send telemetry to `/api/ingest/*`.
    Ingest,
    /// Read data: hunting queries, metrics.
    Read,
    /// Everything, including managing tokens.
    Admin,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Ingest => "ingest",
            Scope::Read => "read",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Some(match s {
            "ingest" => Scope::Ingest,
            "read" => Scope::Read,
            "admin" => Scope::Admin,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: i64,
    pub created_by: String,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl TokenInfo {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&Scope::Admin) || self.scopes.contains(&scope)
    }
}

fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_row(row: &AnyRow) -> Result<TokenInfo> {
    let scopes: String = row.try_get("scopes")?;
    Ok(TokenInfo {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        scopes: scopes.split(' ').filter_map(Scope::parse).collect(),
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// A `SELECT` of every token column with the given tail (kept literal so sqlx can
/// see the SQL is static).
macro_rules! select_tokens {
    ($tail:literal) => {
        concat!("SELECT id, name, scopes, created_at, created_by, last_used_at, revoked_at FROM api_tokens ", $tail)
    };
}

impl Store {
    /// Creates a token and returns its record and the secret, which is shown once.
    pub async fn create_token(&self, name: &str, scopes: &[Scope], created_by: &str) -> Result<(TokenInfo, String)> {
        if name.trim().is_empty() {
            return Err(Error::Invalid("a token needs a name".into()));
        }
        if scopes.is_empty() {
            return Err(Error::Invalid("a token needs at least one scope".into()));
        }
        let mut scopes = scopes.to_vec();
        scopes.sort();
        scopes.dedup();
        let secret = format!("{PREFIX}{}", random_hex(32));
        let info = TokenInfo {
            id: random_hex(6),
            name: name.trim().to_string(),
            scopes,
            created_at: chrono::Utc::now().timestamp_micros(),
            created_by: created_by.to_string(),
            last_used_at: None,
            revoked_at: None,
        };
        let scope_text = info.scopes.iter().map(|s| s.name()).collect::<Vec<_>>().join(" ");
        sqlx::query(
            "INSERT INTO api_tokens (id, name, secret_sha256, scopes, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&info.id)
        .bind(&info.name)
        .bind(digest(&secret))
        .bind(scope_text)
        .bind(info.created_at)
        .bind(&info.created_by)
        .execute(&self.pool)
        .await?;
        Ok((info, secret))
    }

    /// The live (not revoked) token with this secret, if any.
    pub async fn verify_token(&self, secret: &str) -> Result<Option<TokenInfo>> {
        if !secret.starts_with(PREFIX) {
            return Ok(None);
        }
        let row = sqlx::query(select_tokens!("WHERE secret_sha256 = $1 AND revoked_at IS NULL"))
            .bind(digest(secret))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Records that a token was used (callers rate-limit this).
    pub async fn touch_token(&self, id: &str, at_micros: i64) -> Result<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2").bind(at_micros).bind(id).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query(select_tokens!("ORDER BY created_at, id")).fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }

    /// Revokes a token by id; revoking twice is not an error.
    pub async fn revoke_token(&self, id: &str) -> Result<TokenInfo> {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(chrono::Utc::now().timestamp_micros())
            .bind(id)
            .execute(&self.pool)
            .await?;
        let row = sqlx::query(select_tokens!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::NotFound(format!("token {id}")))?;
        from_row(&row)
    }
}
