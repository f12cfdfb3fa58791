//! Saved hunting queries: private to their owner unless shared.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Error, Result, Store};

/// The longest query text kept (Defender's own limit is lower).
const MAX_QUERY_BYTES: usize = 256 << 10;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SavedQuery {
    pub id: String,
    pub name: String,
    pub description: String,
    pub query: String,
    pub shared: bool,
    pub owner: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a caller may set on a saved query.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryDraft {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub query: String,
    #[serde(default)]
    pub shared: bool,
}

impl QueryDraft {
    fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::Invalid("a saved query needs a name".into()));
        }
        if self.query.trim().is_empty() {
            return Err(Error::Invalid("a saved query needs query text".into()));
        }
        if self.query.len() > MAX_QUERY_BYTES {
            return Err(Error::Invalid(format!("the query text is longer than {} KiB", MAX_QUERY_BYTES >> 10)));
        }
        Ok(())
    }
}

fn from_row(row: &AnyRow) -> Result<SavedQuery> {
    Ok(SavedQuery {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        query: row.try_get("query")?,
        shared: row.try_get::<i64, _>("shared")? != 0,
        owner: row.try_get("owner")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

macro_rules! select_queries {
    ($tail:literal) => {
        concat!("SELECT id, name, description, query, shared, owner, created_at, updated_at FROM saved_queries ", $tail)
    };
}

impl Store {
    pub async fn create_query(&self, draft: &QueryDraft, owner: &str) -> Result<SavedQuery> {
        draft.validate()?;
        let now = chrono::Utc::now().timestamp_micros();
        let q = SavedQuery {
            id: uuid::Uuid::new_v4().to_string(),
            name: draft.name.trim().to_string(),
            description: draft.description.clone(),
            query: draft.query.clone(),
            shared: draft.shared,
            owner: owner.to_string(),
            created_at: now,
            updated_at: now,
        };
        sqlx::query("INSERT INTO saved_queries (id, name, description, query, shared, owner, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&q.id)
            .bind(&q.name)
            .bind(&q.description)
            .bind(&q.query)
            .bind(i64::from(q.shared))
            .bind(&q.owner)
            .bind(q.created_at)
            .bind(q.updated_at)
            .execute(&self.pool)
            .await?;
        Ok(q)
    }

    /// The queries `viewer` may see: their own and the shared ones, by name.
    pub async fn list_queries(&self, viewer: &str) -> Result<Vec<SavedQuery>> {
        let rows = sqlx::query(select_queries!("WHERE owner = $1 OR shared <> 0 ORDER BY name, id")).bind(viewer).fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }

    /// One query, if `viewer` may see it.
    pub async fn get_query(&self, id: &str, viewer: &str) -> Result<SavedQuery> {
        let row = sqlx::query(select_queries!("WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?;
        match row.as_ref().map(from_row).transpose()? {
            Some(q) if q.shared || q.owner == viewer => Ok(q),
            _ => Err(Error::NotFound(format!("saved query '{id}'"))),
        }
    }

    /// Replaces a query's fields. Only its owner may change it, unless `admin`.
    pub async fn update_query(&self, id: &str, draft: &QueryDraft, caller: &str, admin: bool) -> Result<SavedQuery> {
        draft.validate()?;
        let current = self.editable(id, caller, admin).await?;
        let updated = SavedQuery {
            name: draft.name.trim().to_string(),
            description: draft.description.clone(),
            query: draft.query.clone(),
            shared: draft.shared,
            updated_at: chrono::Utc::now().timestamp_micros(),
            ..current
        };
        sqlx::query("UPDATE saved_queries SET name = $1, description = $2, query = $3, shared = $4, updated_at = $5 WHERE id = $6")
            .bind(&updated.name)
            .bind(&updated.description)
            .bind(&updated.query)
            .bind(i64::from(updated.shared))
            .bind(updated.updated_at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(updated)
    }

    pub async fn delete_query(&self, id: &str, caller: &str, admin: bool) -> Result<()> {
        self.editable(id, caller, admin).await?;
        sqlx::query("DELETE FROM saved_queries WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn editable(&self, id: &str, caller: &str, admin: bool) -> Result<SavedQuery> {
        let row = sqlx::query(select_queries!("WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?;
        let not_found = || Error::NotFound(format!("saved query '{id}'"));
        let q = row.as_ref().map(from_row).transpose()?.ok_or_else(not_found)?;
        if q.owner == caller || admin {
            Ok(q)
        } else if q.shared {
            Err(Error::Forbidden(format!("saved query '{id}' belongs to someone else; only its owner or an admin may change it")))
        } else {
            Err(not_found()) // a private query of someone else is not revealed
        }
    }
}
