//! Lake tests on a temporary data directory: durability, replay, exactness of hot
//! and cold rows, compaction, retention and crash leftovers.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray, new_null_array};
use datafusion::arrow::datatypes::Int64Type;
use rampart_schema::{Table, catalog};

use super::*;

const DAY: i64 = 86_400_000_000;
const T0: i64 = 1_700_000_000_000_000; // 2023-11-14T22:13:20Z

fn dpe() -> &'static Table {
    catalog().table("DeviceProcessEvents").expect("table")
}

/// A DeviceProcessEvents batch with the given (event time µs, ReportId) rows.
fn batch(rows: &[(i64, i64)]) -> RecordBatch {
    let t = dpe();
    let schema = t.storage_schema().clone();
    let n = rows.len();
    let columns = schema
        .fields()
        .iter()
        .map(|f| -> Arc<dyn Array> {
            match f.name().as_str() {
                "Timestamp" => Arc::new(TimestampMicrosecondArray::from_iter_values(rows.iter().map(|r| r.0)).with_timezone("UTC")),
                "$IngestionTime" => Arc::new(TimestampMicrosecondArray::from_iter_values(rows.iter().map(|_| T0)).with_timezone("UTC")),
                "ReportId" => Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.1))),
                "FileName" => Arc::new(StringArray::from_iter_values(rows.iter().map(|r| format!("p{}.exe", r.1)))),
                _ => new_null_array(f.data_type(), n),
            }
        })
        .collect();
    RecordBatch::try_new(schema, columns).expect("batch")
}

fn rows(from: i64, count: i64, time: i64) -> Vec<(i64, i64)> {
    (from..from + count).map(|id| (time + id, id)).collect()
}

fn small_cfg() -> LakeConfig {
    LakeConfig { flush_interval: Duration::from_secs(3600), file_grace: Duration::ZERO, ..LakeConfig::default() }
}

async fn open(dir: &Path) -> Lake {
    Lake::open(dir, small_cfg()).await.expect("lake opens")
}

/// (rows, distinct ReportIds) as a query sees them.
async fn counts(lake: &Lake) -> (i64, i64) {
    let ctx = lake.session().expect("session");
    let df = ctx
        .sql(r#"SELECT count(*) AS n, count(DISTINCT "ReportId") AS d FROM "DeviceProcessEvents""#)
        .await
        .expect("plan");
    let out = df.collect().await.expect("run");
    let b = &out[0];
    (b.column(0).as_primitive::<Int64Type>().value(0), b.column(1).as_primitive::<Int64Type>().value(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appended_rows_are_queryable_hot_then_cold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = open(dir.path()).await;
    lake.append(dpe(), batch(&rows(0, 100, T0))).await.expect("append");
    assert_eq!(counts(&lake).await, (100, 100));
    assert_eq!(lake.flush_all().await.expect("flush"), 100);
    assert_eq!(lake.files("DeviceProcessEvents").expect("files").len(), 1);
    assert_eq!(counts(&lake).await, (100, 100));
    lake.append(dpe(), batch(&rows(100, 50, T0))).await.expect("append");
    assert_eq!(counts(&lake).await, (150, 150), "hot and cold together, once each");
    lake.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wal_replay_restores_unflushed_rows_and_skips_flushed_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let lake = open(dir.path()).await;
        lake.append(dpe(), batch(&rows(0, 10, T0))).await.expect("append");
        lake.flush_all().await.expect("flush");
        lake.append(dpe(), batch(&rows(10, 5, T0))).await.expect("append");
        // Dropped without close: the second batch lives only in the WAL.
    }
    let lake = open(dir.path()).await;
    assert_eq!(lake.stats().replayed_rows.load(Ordering::Relaxed), 5, "only the unflushed record replays");
    assert_eq!(counts(&lake).await, (15, 15));
    lake.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_split_into_one_file_per_day_sorted_by_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = open(dir.path()).await;
    let mixed = vec![(T0 + 2 * DAY, 1), (T0, 2), (T0 + DAY, 3), (T0 + 5, 4)];
    lake.append(dpe(), batch(&mixed)).await.expect("append");
    lake.flush_all().await.expect("flush");
    let mut files = lake.files("DeviceProcessEvents").expect("files");
    files.sort_by(|a, b| a.day.cmp(&b.day));
    let days: Vec<(&str, u64)> = files.iter().map(|f| (f.day.as_str(), f.rows)).collect();
    assert_eq!(days, [("2023-11-14", 2), ("2023-11-15", 1), ("2023-11-16", 1)]);
    assert_eq!((files[0].min_time, files[0].max_time), (T0, T0 + 5));
    let ctx = lake.session().expect("session");
    let sql = format!(
        r#"SELECT count(*) FROM "DeviceProcessEvents" WHERE "Timestamp" >= to_timestamp_micros({}) AND "Timestamp" < to_timestamp_micros({})"#,
        T0 + DAY,
        T0 + 2 * DAY
    );
    let out = ctx.sql(&sql).await.expect("plan").collect().await.expect("run");
    assert_eq!(out[0].column(0).as_primitive::<Int64Type>().value(0), 1);
    lake.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn torn_tail_is_cut_and_acknowledged_rows_survive() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let lake = open(dir.path()).await;
        lake.append(dpe(), batch(&rows(0, 20, T0))).await.expect("append");
    }
    let segment = last_segment(dir.path());
    let mut data = std::fs::read(&segment).expect("read");
    let whole = data.len();
    // A second record whose write stopped half way.
    let mut torn = wal::record::encode("DeviceProcessEvents", T0, &batch(&rows(20, 5, T0))).expect("encode");
    wal::record::set_lsn(&mut torn, 99);
    data.extend_from_slice(&torn[..torn.len() / 2]);
    std::fs::write(&segment, &data).expect("write");
    let lake = open(dir.path()).await;
    assert_eq!(counts(&lake).await, (20, 20));
    assert_eq!(std::fs::metadata(&segment).expect("meta").len() as usize, whole, "torn bytes cut");
    lake.append(dpe(), batch(&rows(20, 5, T0))).await.expect("append after repair");
    assert_eq!(counts(&lake).await, (25, 25));
    lake.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damage_before_valid_records_is_reported_not_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let lake = open(dir.path()).await;
        lake.append(dpe(), batch(&rows(0, 3, T0))).await.expect("append");
        lake.append(dpe(), batch(&rows(3, 3, T0))).await.expect("append");
    }
    let segment = last_segment(dir.path());
    let mut data = std::fs::read(&segment).expect("read");
    data[40] ^= 0xff; // inside the first record's body
    std::fs::write(&segment, &data).expect("write");
    let err = Lake::open(dir.path(), small_cfg()).await.err().expect("must refuse");
    let msg = err.to_string();
    assert!(msg.contains("is damaged at byte 0") && msg.contains("checksum mismatch"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_process_is_refused_by_the_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = open(dir.path()).await;
    let err = Lake::open(dir.path(), small_cfg()).await.err().expect("locked");
    assert!(matches!(err, Error::Locked(_)), "{err}");
    lake.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compaction_merges_small_files_without_changing_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = open(dir.path()).await;
    for i in 0..10 {
        lake.append(dpe(), batch(&rows(i * 10, 10, T0))).await.expect("append");
        lake.flush_all().await.expect("flush");
    }
    assert_eq!(lake.files("DeviceProcessEvents").expect("files").len(), 10);
    let (merged, expired) = lake.maintain(T0).await.expect("maintain");
    assert_eq!((merged, expired), (10, 0));
    let files = lake.files("DeviceProcessEvents").expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].rows, 100);
    assert_eq!(counts(&lake).await, (100, 100));
    lake.close().await.expect("close");
    let parquet_files = walk(&dir.path().join("lake")).into_iter().filter(|p| p.ends_with(".parquet")).count();
    assert_eq!(parquet_files, 1, "replaced files are deleted after the grace period");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_drops_files_old_by_event_and_ingest_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = open(dir.path()).await;
    lake.append(dpe(), batch(&rows(0, 5, T0 - 40 * DAY))).await.expect("old");
    lake.append(dpe(), batch(&rows(5, 5, T0 + 20 * DAY))).await.expect("new");
    lake.flush_all().await.expect("flush");
    // Rows were ingested at T0: old events are kept until 30 days after ingestion.
    assert_eq!(lake.maintain(T0 + DAY).await.expect("maintain").1, 0);
    assert_eq!(lake.maintain(T0 + 31 * DAY).await.expect("maintain").1, 1);
    assert_eq!(counts(&lake).await, (5, 5));
    lake.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_no_manifest_names_are_removed_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let lake = open(dir.path()).await;
        lake.append(dpe(), batch(&rows(0, 5, T0))).await.expect("append");
        lake.close().await.expect("close");
    }
    let stray = dir.path().join("lake/tables/DeviceProcessEvents/day=2023-11-14/f-0-stray.parquet");
    std::fs::write(&stray, b"half a file").expect("write");
    let lake = open(dir.path()).await;
    assert!(!stray.exists());
    assert_eq!(counts(&lake).await, (5, 5));
    lake.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_flushes_and_queries_see_each_row_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = open(dir.path()).await;
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let lake = lake.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    let first = (w * 25 + i) * 40;
                    lake.append(dpe(), batch(&rows(first, 40, T0))).await.expect("append");
                }
            })
        })
        .collect();
    let flusher = {
        let lake = lake.clone();
        tokio::spawn(async move {
            for _ in 0..10 {
                lake.flush_all().await.expect("flush");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    for _ in 0..20 {
        let (n, d) = counts(&lake).await;
        assert_eq!(n, d, "a row seen twice while flushing");
    }
    for w in writers {
        w.await.expect("writer");
    }
    flusher.await.expect("flusher");
    assert_eq!(counts(&lake).await, (4000, 4000));
    lake.close().await.expect("close");
    let lake = open(dir.path()).await;
    assert_eq!(counts(&lake).await, (4000, 4000));
    lake.close().await.expect("close");
}

fn last_segment(dir: &Path) -> PathBuf {
    let mut segs: Vec<PathBuf> = std::fs::read_dir(dir.join("wal"))
        .expect("wal dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| std::fs::metadata(p).map(|m| m.len() > 0).unwrap_or(false))
        .collect();
    segs.sort();
    segs.pop().expect("a non-empty segment")
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

#[test]
fn time_bounds_come_from_conjunctive_timestamp_filters() {
    // `ident` keeps case (`col` would lowercase "Timestamp").
    use datafusion::prelude::{ident as col, lit};
    use datafusion::scalar::ScalarValue;
    let ts = |v: i64| lit(ScalarValue::TimestampMicrosecond(Some(v), Some("UTC".into())));
    let f = col("Timestamp").gt_eq(ts(10)).and(col("Timestamp").lt(ts(20))).and(col("FileName").eq(lit("x")));
    assert_eq!(provider::time_bounds(&[f]), (Some(10), Some(20)));
    let swapped = ts(30).gt(col("Timestamp"));
    assert_eq!(provider::time_bounds(&[swapped]), (None, Some(30)));
    let or = col("Timestamp").gt(ts(1)).or(col("Timestamp").lt(ts(0)));
    assert_eq!(provider::time_bounds(&[or]), (None, None), "disjunctions give no bound");
}
