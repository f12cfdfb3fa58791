//! API tests: the router is called with `oneshot`, no socket; the lake and the state
//! store are real, in a temporary directory.

use std::io::Write;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use rampart_store::Scope;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::{Access, ApiConfig, AppState, IngestLimits, app, policy};

struct Fixture {
    _dir: tempfile::TempDir,
    state: Arc<AppState>,
    ingest: String,
    read: String,
    admin: String,
}

async fn fixture(limits: IngestLimits) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = rampart_lake::Lake::open(dir.path(), rampart_lake::LakeConfig::default()).await.expect("lake");
    let store = rampart_store::Store::open_sqlite(&dir.path().join("state.db")).await.expect("store");
    let (_, ingest) = store.create_token("agent", &[Scope::Ingest], "test").await.expect("token");
    let (_, read) = store.create_token("reader", &[Scope::Read], "test").await.expect("token");
    let (_, admin) = store.create_token("admin", &[Scope::Admin], "test").await.expect("token");
    let state = AppState::new(lake, store, ApiConfig { ingest: limits, ..ApiConfig::default() });
    Fixture { _dir: dir, state, ingest, read, admin }
}

async fn call(f: &Fixture, method: Method, uri: &str, token: Option<&str>, body: Body, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = app(f.state.clone()).oneshot(req.body(body).expect("request")).await.expect("response");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value)
}

async fn post(f: &Fixture, table: &str, body: impl Into<Body>) -> (StatusCode, Value) {
    call(f, Method::POST, &format!("/api/ingest/{table}"), Some(&f.ingest), body.into(), &[]).await
}

async fn count(f: &Fixture, table: &str) -> i64 {
    let ctx = f.state.lake.session().expect("session");
    let out = ctx.sql(&format!(r#"SELECT count(*) FROM "{table}""#)).await.expect("plan").collect().await.expect("run");
    datafusion_count(&out)
}

fn datafusion_count(out: &[rampart_lake_batch::RecordBatch]) -> i64 {
    use rampart_lake_batch::AsArray;
    out[0].column(0).as_primitive::<rampart_lake_batch::Int64Type>().value(0)
}

mod rampart_lake_batch {
    pub use datafusion::arrow::array::{AsArray, RecordBatch};
    pub use datafusion::arrow::datatypes::Int64Type;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_public() {
    let f = fixture(IngestLimits::default()).await;
    let (status, body) = call(&f, Method::GET, "/api/health", None, Body::empty(), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_checks_its_access() {
    let f = fixture(IngestLimits::default()).await;
    let entries = policy().entries();
    assert!(entries.len() >= 5);
    for (method, path, access) in entries {
        let body = || Body::from(sample_body(&method, path));
        let (anon, _) = call(&f, method.clone(), &uri_for(&f, path).await, None, body(), &[]).await;
        let (bogus, _) = call(&f, method.clone(), &uri_for(&f, path).await, Some("rpt_0000"), body(), &[]).await;
        let (admin, _) = call(&f, method.clone(), &uri_for(&f, path).await, Some(&f.admin), body(), &[]).await;
        assert!(admin.is_success(), "{method} {path}: admin got {admin}");
        match access {
            Access::Public => assert!(anon.is_success(), "{method} {path} is public"),
            Access::Scope(scope) => {
                assert_eq!(anon, StatusCode::UNAUTHORIZED, "{method} {path} without a token");
                assert_eq!(bogus, StatusCode::UNAUTHORIZED, "{method} {path} with an unknown token");
                let (allowed, denied) = match scope {
                    Scope::Ingest => (&f.ingest, &f.read),
                    Scope::Read => (&f.read, &f.ingest),
                    Scope::Admin => (&f.admin, &f.read),
                };
                let (ok, _) = call(&f, method.clone(), &uri_for(&f, path).await, Some(allowed), body(), &[]).await;
                let (no, _) = call(&f, method.clone(), &uri_for(&f, path).await, Some(denied), body(), &[]).await;
                assert!(ok.is_success(), "{method} {path} with scope {scope:?}: {ok}");
                assert_eq!(no, StatusCode::FORBIDDEN, "{method} {path} without scope {scope:?}");
            }
        }
    }
    let (unrouted, _) = call(&f, Method::GET, "/api/nope", Some(&f.admin), Body::empty(), &[]).await;
    assert_eq!(unrouted, StatusCode::NOT_FOUND);
}

/// A valid request body for a route, so that an allowed call succeeds.
fn sample_body(method: &Method, path: &str) -> String {
    match (method.as_str(), path) {
        ("POST", "/api/hunting/query") => r#"{"query": "print x = 1"}"#.into(),
        ("POST", "/api/graph/security/runHuntingQuery") => r#"{"Query": "print x = 1"}"#.into(),
        ("POST" | "PUT", p) if p.starts_with("/api/hunting/queries") => r#"{"name": "q", "query": "print 1", "shared": true}"#.into(),
        ("POST", _) => "{}".into(),
        _ => String::new(),
    }
}

/// The route's path with its parameters filled; `{id}` is a fresh saved query of the
/// reader token, so that its owner (and an admin) may change or delete it.
async fn uri_for(f: &Fixture, path: &str) -> String {
    let mut uri = path.replace("{table}", "DeviceProcessEvents");
    if uri.contains("{id}") {
        let reader = f.state.store.list_tokens().await.expect("tokens").into_iter().find(|t| t.name == "reader").expect("reader");
        let draft = rampart_store::QueryDraft { name: "q".into(), description: String::new(), query: "print 1".into(), shared: true };
        let q = f.state.store.create_query(&draft, &format!("token:{}", reader.id)).await.expect("saved query");
        uri = uri.replace("{id}", &q.id);
    }
    uri
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_tokens_stop_working() {
    let f = fixture(IngestLimits::default()).await;
    let (info, secret) = f.state.store.create_token("short-lived", &[Scope::Read], "test").await.expect("token");
    f.state.store.revoke_token(&info.id).await.expect("revoke");
    let (status, body) = call(&f, Method::GET, "/metrics", Some(&secret), Body::empty(), &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["message"], "the token is unknown or revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_rows_are_stored_and_bad_rows_explained() {
    let f = fixture(IngestLimits::default()).await;
    let body = concat!(
        r#"{"Timestamp":"2024-05-01T10:00:00Z","DeviceName":"ws1","FileName":"cmd.exe","ProcessId":10}"#, "\n",
        r#"{"Timestamp":"2024-05-01T10:00:01Z","DeviceName":"ws1","ProcessId":"ten"}"#, "\n",
        r#"{"Timestamp":"2024-05-01T10:00:02Z","DeviceName":"ws2","FileName":"x.exe","Extra":1}"#, "\n",
    );
    let (status, out) = post(&f, "DeviceProcessEvents", body).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["accepted"], 2);
    assert_eq!(out["rejected"], 1);
    assert_eq!(out["errors"], json!([{"line": 2, "column": "ProcessId", "reason": "expected a long integer, got string \"ten\""}]));
    assert_eq!(count(&f, "DeviceProcessEvents").await, 2, "acknowledged rows are queryable at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_table_lists_the_tables() {
    let f = fixture(IngestLimits::default()).await;
    let (status, out) = post(&f, "DeviceProcessEvent", "{}").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(out["message"], "unknown table 'DeviceProcessEvent'");
    let tables = out["tables"].as_array().expect("tables listed");
    assert!(tables.iter().any(|t| t == "DeviceProcessEvents"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_rows_rejected_is_a_bad_request() {
    let f = fixture(IngestLimits::default()).await;
    let (status, out) = post(&f, "DeviceNetworkEvents", "{\"RemotePort\":\"http\"}\nnot json\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(out["message"], "all 2 rows were rejected");
    assert_eq!(out["errors"][0]["column"], "RemotePort");
    assert_eq!(out["errors"][1]["line"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_answer_413_with_the_reason() {
    let limits = IngestLimits { max_body_bytes: 1000, max_row_bytes: 100, max_rows: 3 };
    let f = fixture(limits).await;
    let (status, out) = post(&f, "DeviceEvents", "x".repeat(1001)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(out["message"].as_str().expect("msg").contains("over the 1000-byte limit"), "{out}");
    let (status, out) = post(&f, "DeviceEvents", format!("{{\"ActionType\":\"{}\"}}", "a".repeat(120))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(out["message"].as_str().expect("msg").contains("line 1 is 137 bytes, over the row limit of 100 bytes"), "{out}");
    let (status, out) = post(&f, "DeviceEvents", "{}\n{}\n{}\n{}\n").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(out["message"].as_str().expect("msg").contains("more than 3 rows"), "{out}");
    assert_eq!(count(&f, "DeviceEvents").await, 0, "nothing of a refused batch is stored");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_bodies_are_inflated_within_the_limit() {
    let f = fixture(IngestLimits { max_body_bytes: 10_000, ..IngestLimits::default() }).await;
    let uri = "/api/ingest/DeviceLogonEvents";
    let enc = [("content-encoding", "gzip")];
    let rows = "{\"ActionType\":\"LogonSuccess\"}\n".repeat(10);
    let (status, out) = call(&f, Method::POST, uri, Some(&f.ingest), Body::from(gzip(rows.as_bytes())), &enc).await;
    assert_eq!((status, out["accepted"].clone()), (StatusCode::OK, json!(10)));
    let (status, _) = call(&f, Method::POST, uri, Some(&f.ingest), Body::from("not gzip"), &enc).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let bomb = gzip(&vec![b' '; 50_000]);
    let (status, out) = call(&f, Method::POST, uri, Some(&f.ingest), Body::from(bomb), &enc).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_rows_and_rejections() {
    let f = fixture(IngestLimits::default()).await;
    post(&f, "DeviceFileEvents", "{\"FileName\":\"a\"}\n{\"FileSize\":\"big\"}\n").await;
    let (status, text) = call(&f, Method::GET, "/metrics", Some(&f.read), Body::empty(), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let text = text.as_str().expect("text");
    assert!(text.contains("rampart_ingest_rows_total{table=\"DeviceFileEvents\"} 1\n"), "{text}");
    assert!(text.contains("rampart_ingest_rejected_rows_total{table=\"DeviceFileEvents\"} 1\n"), "{text}");
    assert!(text.contains("# TYPE rampart_wal_bytes gauge"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hunting_runs_kql_and_answers_in_both_shapes() {
    let f = fixture(IngestLimits::default()).await;
    let now = chrono::Utc::now();
    let rows: String = (0..3)
        .map(|i| format!("{}\n", json!({"Timestamp": (now - chrono::Duration::minutes(i)).to_rfc3339(), "DeviceName": format!("ws{i}"), "FileName": "powershell.exe", "ProcessCommandLine": "powershell -enc AAAA"})))
        .collect();
    assert_eq!(post(&f, "DeviceProcessEvents", rows).await.0, StatusCode::OK);
    let q = |body: Value| call(&f, Method::POST, "/api/hunting/query", Some(&f.read), Body::from(body.to_string()), &[]);
    let (status, out) = q(json!({"query": "DeviceProcessEvents | where ProcessCommandLine has '-enc' | summarize n = count() by FileName | render columnchart"})).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["schema"], json!([{"name": "FileName", "type": "string"}, {"name": "n", "type": "long"}]));
    assert_eq!(out["results"], json!([{"FileName": "powershell.exe", "n": 3}]));
    assert_eq!(out["chart"]["visualization"], "columnchart");
    assert_eq!(out["stats"]["rows"], 1);
    assert_eq!(out["truncated"], false);

    let (status, out) = q(json!({"query": "DeviceProcessEvents | count", "timespan": "2020-01-01T00:00:00Z/P1D"})).await;
    assert_eq!((status, out["results"][0]["Count"].clone()), (StatusCode::OK, json!(0)), "the timespan limits the rows: {out}");
    let (status, out) = q(json!({"query": "DeviceProcessEvents\n| where FileNam == 'x'"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert_eq!(out["diagnostics"][0]["line"], 2, "{out}");
    let (status, out) = q(json!({"query": "print 1", "timespan": "forever"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(out["message"].as_str().unwrap_or("").contains("invalid timespan 'forever'"), "{out}");
    let (status, out) = q(json!({"query": "SELECT count(*) AS n FROM \"DeviceProcessEvents\"", "language": "sql"})).await;
    assert_eq!((status, out["results"][0]["n"].clone()), (StatusCode::OK, json!(3)), "{out}");
    let (status, out) = q(json!({"qery": "print 1"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown fields are refused: {out}");

    let graph = json!({"Query": "DeviceProcessEvents | project Timestamp, DeviceName | take 1", "Timespan": "P1D"});
    let (status, out) = call(&f, Method::POST, "/api/graph/security/runHuntingQuery", Some(&f.read), Body::from(graph.to_string()), &[]).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["schema"], json!([{"name": "Timestamp", "type": "DateTime"}, {"name": "DeviceName", "type": "String"}]));
    assert!(out["results"][0]["Timestamp"].as_str().is_some_and(|t| t.ends_with('Z')), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_queries_belong_to_their_token() {
    let f = fixture(IngestLimits::default()).await;
    let (_, other) = f.state.store.create_token("other reader", &[Scope::Read], "test").await.expect("token");
    let f = &f;
    let save = |token: String, body: Value| async move { call(f, Method::POST, "/api/hunting/queries", Some(&token), Body::from(body.to_string()), &[]).await };
    let (status, mine) = save(f.read.clone(), json!({"name": "encoded powershell", "query": "DeviceProcessEvents | take 1"})).await;
    assert_eq!(status, StatusCode::CREATED, "{mine}");
    let id = mine["id"].as_str().expect("id").to_string();
    let list = |token: String| async move { call(f, Method::GET, "/api/hunting/queries", Some(&token), Body::empty(), &[]).await.1 };
    assert_eq!(list(f.read.clone()).await.as_array().map(Vec::len), Some(1));
    assert_eq!(list(other.clone()).await, json!([]), "a private query is only its owner's");
    let (status, _) = call(f, Method::GET, &format!("/api/hunting/queries/{id}"), Some(&other), Body::empty(), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let shared = json!({"name": "encoded powershell", "query": "DeviceProcessEvents | take 2", "shared": true});
    let (status, out) = call(f, Method::PUT, &format!("/api/hunting/queries/{id}"), Some(&f.read), Body::from(shared.to_string()), &[]).await;
    assert_eq!((status, out["shared"].clone()), (StatusCode::OK, json!(true)), "{out}");
    assert_eq!(list(other.clone()).await.as_array().map(Vec::len), Some(1), "shared queries are visible to all readers");
    let (status, _) = call(f, Method::DELETE, &format!("/api/hunting/queries/{id}"), Some(&other), Body::empty(), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the owner or an admin deletes");
    let (status, out) = save(f.read.clone(), json!({"name": "", "query": "x"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    let (status, _) = call(f, Method::DELETE, &format!("/api/hunting/queries/{id}"), Some(&f.read), Body::empty(), &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}
