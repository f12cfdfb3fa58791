//! Store tests run on SQLite always and on PostgreSQL when `RAMPART_TEST_POSTGRES_URL`
//! names a server (`.ci/run` starts one); each PostgreSQL run uses a fresh database.

use crate::{Scope, Store};

async fn sqlite() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_sqlite(&dir.path().join("state.db")).await.expect("open sqlite");
    (dir, store)
}

/// A store on a new PostgreSQL database, or `None` (with a printed reason) when no server is configured.
async fn postgres() -> Option<Store> {
    let Ok(admin_url) = std::env::var("RAMPART_TEST_POSTGRES_URL") else {
        eprintln!("skipping PostgreSQL: RAMPART_TEST_POSTGRES_URL is not set");
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = format!("rampart_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::AnyPool::connect(&admin_url).await.expect("connect to the PostgreSQL test server");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.expect("create database");
    let (base, _) = admin_url.rsplit_once('/').expect("URL has a database part");
    Some(Store::open(&format!("{base}/{name}")).await.expect("open postgres"))
}

async fn token_lifecycle(store: &Store) {
    let (info, secret) = store.create_token("edr-collector", &[Scope::Ingest, Scope::Ingest], "test").await.expect("create");
    assert!(secret.starts_with("rpt_") && secret.len() == 68, "{secret}");
    assert_eq!(info.scopes, [Scope::Ingest]);
    let found = store.verify_token(&secret).await.expect("verify").expect("token is live");
    assert_eq!(found.id, info.id);
    assert!(found.allows(Scope::Ingest) && !found.allows(Scope::Read));
    assert!(store.verify_token("rpt_nope").await.expect("verify").is_none());
    assert!(store.verify_token(&secret[..secret.len() - 1]).await.expect("verify").is_none());
    store.touch_token(&info.id, 42).await.expect("touch");
    let (admin, _) = store.create_token("ops", &[Scope::Admin], "test").await.expect("create admin");
    assert!(admin.allows(Scope::Read) && admin.allows(Scope::Ingest));
    let list = store.list_tokens().await.expect("list");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].last_used_at, Some(42));
    let revoked = store.revoke_token(&info.id).await.expect("revoke");
    assert!(revoked.revoked_at.is_some());
    assert!(store.verify_token(&secret).await.expect("verify").is_none(), "revoked tokens stop working");
    assert!(store.revoke_token("missing").await.is_err());
    assert!(store.create_token(" ", &[Scope::Read], "test").await.is_err());
    assert!(store.create_token("x", &[], "test").await.is_err());
}

#[tokio::test]
async fn tokens_on_sqlite() {
    let (_dir, store) = sqlite().await;
    token_lifecycle(&store).await;
}

#[tokio::test]
async fn tokens_on_postgres() {
    if let Some(store) = postgres().await {
        token_lifecycle(&store).await;
    }
}

#[tokio::test]
async fn migrations_apply_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.db");
    let first = Store::open_sqlite(&path).await.expect("open");
    first.create_token("a", &[Scope::Read], "t").await.expect("create");
    first.close().await;
    let again = Store::open_sqlite(&path).await.expect("reopen");
    assert_eq!(again.list_tokens().await.expect("list").len(), 1);
}

#[test]
fn urls_are_redacted_in_messages() {
    assert_eq!(crate::redact("postgres://rampart:s3cret@db:5432/x"), "postgres://rampart:***@db:5432/x");
    assert_eq!(crate::redact("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
}
