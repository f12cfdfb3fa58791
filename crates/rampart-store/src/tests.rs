//! Store tests run on SQLite always and on PostgreSQL when `RAMPART_TEST_POSTGRES_URL`
//! names a server (`.ci/run` starts one); each PostgreSQL run uses a fresh database.

use crate::{Error, QueryDraft, Scope, Store};

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

async fn saved_queries(store: &Store) {
    let draft = |name: &str, shared| QueryDraft { name: name.into(), description: String::new(), query: "DeviceEvents | take 5".into(), shared };
    let mine = store.create_query(&draft("mine", false), "ann").await.expect("create");
    let team = store.create_query(&draft("team", true), "bob").await.expect("create");
    let names = |v: Vec<crate::SavedQuery>| v.into_iter().map(|q| q.name).collect::<Vec<_>>();
    assert_eq!(names(store.list_queries("ann").await.expect("list")), ["mine", "team"]);
    assert_eq!(names(store.list_queries("bob").await.expect("list")), ["team"], "private queries stay private");
    assert!(matches!(store.get_query(&mine.id, "bob").await, Err(Error::NotFound(_))));
    assert!(matches!(store.update_query(&mine.id, &draft("x", true), "bob", false).await, Err(Error::NotFound(_))));
    assert!(matches!(store.update_query(&team.id, &draft("x", true), "ann", false).await, Err(Error::Forbidden(_))));
    let renamed = store.update_query(&team.id, &draft("team v2", true), "bob", false).await.expect("owner updates");
    assert_eq!((renamed.name.as_str(), renamed.owner.as_str(), renamed.created_at), ("team v2", "bob", team.created_at));
    assert_eq!(store.get_query(&team.id, "ann").await.expect("shared").name, "team v2");
    store.delete_query(&mine.id, "root", true).await.expect("an admin deletes");
    assert!(matches!(store.delete_query(&mine.id, "ann", false).await, Err(Error::NotFound(_))));
    assert!(matches!(store.create_query(&draft(" ", false), "ann").await, Err(Error::Invalid(_))));
}

#[tokio::test]
async fn saved_queries_on_sqlite() {
    let (_dir, store) = sqlite().await;
    saved_queries(&store).await;
}

#[tokio::test]
async fn saved_queries_on_postgres() {
    if let Some(store) = postgres().await {
        saved_queries(&store).await;
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
