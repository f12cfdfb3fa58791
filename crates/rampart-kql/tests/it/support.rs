//! Test helpers: sessions with catalog tables, NDJSON rows to Arrow, result formatting.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, RecordBatch, StringBuilder,
    TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, DurationMicrosecondType, Float64Type, Int32Type, Int64Type, SchemaRef, TimestampMicrosecondType};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use rampart_kql::KustoType;
use rampart_kql::udf::convert::{format_datetime_micros, format_real, format_timespan, parse_datetime};
use serde_json::Value;

/// A session configured like the lake's, with the KQL UDFs registered.
pub fn session() -> SessionContext {
    let config = SessionConfig::new().set_bool("datafusion.sql_parser.enable_ident_normalization", false).with_target_partitions(2);
    let ctx = SessionContext::new_with_config(config);
    rampart_kql::register(&ctx);
    ctx
}

/// Registers an empty table for every Defender table of the catalog.
pub fn register_catalog(ctx: &SessionContext) {
    for t in rampart_schema::catalog().tables() {
        let schema = t.storage_schema().clone();
        let batch = RecordBatch::new_empty(schema.clone());
        if let Ok(table) = MemTable::try_new(schema, vec![vec![batch]]) {
            let _ = ctx.register_table(datafusion::common::TableReference::bare(t.name.clone()), Arc::new(table));
        }
    }
}

/// Builds a batch of `schema` from NDJSON objects (missing keys are null; objects and
/// arrays in text columns are stored as JSON text).
pub fn batch_from_json(schema: &SchemaRef, rows: &[Value], default_ingestion_us: i64) -> Result<RecordBatch, String> {
    let mut columns: Vec<ArrayRef> = Vec::new();
    for field in schema.fields() {
        let name = field.name();
        let values: Vec<Option<&Value>> = rows.iter().map(|r| r.get(name).filter(|v| !v.is_null())).collect();
        let array: ArrayRef = match field.data_type() {
            DataType::Utf8 => {
                let mut b = StringBuilder::new();
                for v in values {
                    match v {
                        None => b.append_null(),
                        Some(Value::String(s)) => b.append_value(s),
                        Some(other) => b.append_value(other.to_string()),
                    }
                }
                Arc::new(b.finish())
            }
            DataType::Int64 => {
                let mut b = Int64Builder::new();
                for v in values {
                    b.append_option(v.and_then(Value::as_i64));
                }
                Arc::new(b.finish())
            }
            DataType::Int32 => {
                let mut b = Int32Builder::new();
                for v in values {
                    b.append_option(v.and_then(Value::as_i64).and_then(|x| i32::try_from(x).ok()));
                }
                Arc::new(b.finish())
            }
            DataType::Float64 => {
                let mut b = Float64Builder::new();
                for v in values {
                    b.append_option(v.and_then(Value::as_f64));
                }
                Arc::new(b.finish())
            }
            DataType::Boolean => {
                let mut b = BooleanBuilder::new();
                for v in values {
                    b.append_option(v.and_then(Value::as_bool));
                }
                Arc::new(b.finish())
            }
            DataType::Timestamp(_, tz) => {
                let mut b = TimestampMicrosecondBuilder::new();
                for v in values {
                    let parsed = v.and_then(Value::as_str).and_then(parse_datetime);
                    match (parsed, name == rampart_schema::INGESTION_TIME) {
                        (Some(us), _) => b.append_value(us),
                        (None, true) => b.append_value(default_ingestion_us),
                        (None, false) => b.append_null(),
                    }
                }
                Arc::new(b.finish().with_timezone_opt(tz.clone()))
            }
            other => return Err(format!("unsupported column type {other} for {name}")),
        };
        columns.push(array);
    }
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| e.to_string())
}

/// Formats one value the way the golden files show it.
pub fn format_value(array: &ArrayRef, i: usize, ty: KustoType) -> String {
    if array.is_null(i) {
        return if ty.is_stringy() { "\"\"".into() } else { "null".into() };
    }
    match array.data_type() {
        DataType::Utf8 => {
            let s = array.as_string::<i32>().value(i);
            if s.is_empty() { "\"\"".into() } else { s.to_string() }
        }
        DataType::Utf8View => {
            let s = array.as_string_view().value(i);
            if s.is_empty() { "\"\"".into() } else { s.to_string() }
        }
        DataType::Boolean => array.as_boolean().value(i).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(i).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(i).to_string(),
        DataType::Float64 => format_real(array.as_primitive::<Float64Type>().value(i)),
        DataType::Timestamp(..) => format_datetime_micros(array.as_primitive::<TimestampMicrosecondType>().value(i)),
        DataType::Duration(_) => format_timespan(array.as_primitive::<DurationMicrosecondType>().value(i)),
        other => format!("<{other}>"),
    }
}

/// All rows of `batches` as lines `a | b | c`.
pub fn format_rows(batches: &[RecordBatch], columns: &[(String, KustoType)]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        for row in 0..b.num_rows() {
            let cells: Vec<String> = (0..b.num_columns())
                .map(|c| format_value(b.column(c), row, columns.get(c).map_or(KustoType::Dynamic, |x| x.1)))
                .collect();
            out.push(cells.join(" | "));
        }
    }
    out
}
