//! Hunting over a real lake in a temporary directory, with a fixed clock.

use chrono::{DateTime, Utc};
use rampart_ingest::json::{Limits as RowLimits, ReportIds, decode_ndjson};
use rampart_lake::{Lake, LakeConfig};
use rampart_schema::catalog;
use serde_json::json;

use super::*;

const NOW: &str = "2024-05-10T12:00:00Z";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW).expect("now").with_timezone(&Utc)
}

/// A lake holding logons on `pc1`…: one per day for the last 40 days, plus `n_recent` in the last hour.
async fn lake(dir: &std::path::Path, n_recent: usize) -> Lake {
    let lake = Lake::open(dir, LakeConfig::default()).await.expect("lake");
    let mut lines = String::new();
    for day in 0..40 {
        let t = now() - chrono::Duration::days(day) - chrono::Duration::minutes(90);
        lines += &format!("{}\n", json!({"Timestamp": t.to_rfc3339(), "DeviceName": format!("pc{}", day % 3), "ActionType": "LogonSuccess", "AccountName": "ann"}));
    }
    for i in 0..n_recent {
        let t = now() - chrono::Duration::minutes(30);
        lines += &format!("{}\n", json!({"Timestamp": t.to_rfc3339(), "DeviceName": "pc9", "ActionType": "LogonFailed", "AccountName": format!("u{i}"), "AdditionalFields": {"n": i}}));
    }
    let table = catalog().table("DeviceLogonEvents").expect("table");
    let decoded = decode_ndjson(table, lines.as_bytes(), RowLimits { max_row_bytes: 1 << 20, max_rows: 10_000 }, now().timestamp_micros(), &ReportIds::starting_at(1)).expect("decode");
    assert!(decoded.rejected.is_empty(), "{:?}", decoded.rejected);
    lake.append(table, decoded.batch).await.expect("append");
    lake
}

fn req(query: &str) -> Request {
    Request { now: Some(now()), ..Request::kql(query) }
}

fn count(out: &Outcome) -> i64 {
    out.rows()[0]["n"].as_i64().expect("a count")
}

#[tokio::test]
async fn the_default_lookback_is_30_days_and_a_timespan_narrows_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hunter = Hunter::new(lake(dir.path(), 0).await, Limits::default());
    let all = hunter.run(&req("DeviceLogonEvents | count | project n = Count")).await.expect("run");
    assert_eq!(count(&all), 30, "days 0..=29 are within 30 days of now");
    let day = hunter.run(&Request { timespan: Some(Timespan::parse("P1D").expect("P1D")), ..req("DeviceLogonEvents | summarize n = count()") }).await.expect("run");
    assert_eq!(count(&day), 1);
    let between = Timespan::parse("2024-04-01T00:00:00Z/2024-04-03T00:00:00Z").expect("interval");
    let old = hunter.run(&Request { timespan: Some(between), ..req("DeviceLogonEvents | summarize n = count()") }).await.expect("run");
    assert_eq!(count(&old), 2);
    assert_eq!(old.range.0.to_rfc3339(), "2024-04-01T00:00:00+00:00");
}

#[tokio::test]
async fn sql_sees_the_same_range_and_may_not_change_anything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hunter = Hunter::new(lake(dir.path(), 0).await, Limits::default());
    let sql = Request { language: Language::Sql, ..req(r#"SELECT count(*) AS n FROM "DeviceLogonEvents""#) };
    assert_eq!(count(&hunter.run(&sql).await.expect("run")), 30);
    for stmt in [r#"DROP TABLE "DeviceLogonEvents""#, "CREATE TABLE x (a INT)", "SET datafusion.execution.batch_size = 1"] {
        let e = hunter.run(&Request { language: Language::Sql, ..req(stmt) }).await.expect_err(stmt);
        assert!(matches!(e, Error::Sql(_)), "{stmt}: {e}");
    }
    assert_eq!(count(&hunter.run(&sql).await.expect("run")), 30, "the table is still there");
}

#[tokio::test]
async fn rows_beyond_the_cap_are_cut_and_said_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hunter = Hunter::new(lake(dir.path(), 250).await, Limits { max_rows: 100, ..Limits::default() });
    let out = hunter.run(&req("DeviceLogonEvents | where ActionType == 'LogonFailed' | project AccountName, AdditionalFields, af = parse_json(AdditionalFields)")).await.expect("run");
    assert!(out.truncated);
    assert_eq!((out.stats.rows, out.batches.iter().map(|b| b.num_rows()).sum::<usize>()), (100, 100));
    let first = &out.rows()[0];
    assert!(first["AdditionalFields"].is_string(), "AdditionalFields is a string column here: {first:?}");
    assert!(first["af"]["n"].is_i64(), "dynamic values come back as JSON: {first:?}");
    let exact = hunter.run(&req("DeviceLogonEvents | where ActionType == 'LogonFailed' | take 100")).await.expect("run");
    assert!(!exact.truncated, "exactly the cap is not truncated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_name_the_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Only the time limit is tight here, so that the query can fail in no other way.
    let hunter = Hunter::new(lake(dir.path(), 0).await, Limits { timeout: std::time::Duration::from_millis(1), ..Limits::default() });
    let e = hunter.run(&req("DeviceLogonEvents | where")).await.expect_err("syntax");
    assert!(matches!(&e, Error::Query(d) if !d.is_empty() && d[0].line == 1), "{e}");
    assert_eq!(e.code(), rampart_schema::ErrorCode::BadRequest);
    let slow = hunter.run(&req("range x from 1 to 100000000 step 1 | summarize dcount(x)")).await.expect_err("timeout");
    assert!(matches!(slow, Error::Timeout(_)), "{slow}");
    let hunter = Hunter::new(lake(tempfile::tempdir().expect("tempdir").path(), 0).await, Limits { memory_bytes: 16 << 10, ..Limits::default() });
    let big = hunter.run(&req("range x from 1 to 200000 step 1 | summarize by x | count")).await.expect_err("memory");
    assert!(matches!(big, Error::Memory(_)), "{big}");
    assert_eq!(big.code(), rampart_schema::ErrorCode::TooLarge);
}

#[tokio::test]
async fn render_and_stats_come_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = lake(dir.path(), 3).await;
    lake.flush_all().await.expect("flush");
    let hunter = Hunter::new(lake, Limits::default());
    let out = hunter.run(&req("DeviceLogonEvents | summarize n = count() by DeviceName | render columnchart")).await.expect("run");
    assert_eq!(out.render.as_ref().map(|r| r.visualization.as_str()), Some("columnchart"));
    assert!(out.stats.bytes_scanned > 0, "Parquet was read: {:?}", out.stats);
    assert_eq!(out.columns.iter().map(|c| (c.name.as_str(), c.kind.name())).collect::<Vec<_>>(), [("DeviceName", "string"), ("n", "long")]);
}
