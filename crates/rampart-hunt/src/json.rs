//! Query results as JSON rows, typed the way Kusto clients expect: numbers as numbers,
//! `datetime` as RFC 3339 text, `timespan` as `[d.]hh:mm:ss[.fffffff]`, `dynamic` as the
//! JSON value itself (not a string holding JSON).

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type, TimeUnit, TimestampMicrosecondType, DurationMicrosecondType, UInt64Type};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use rampart_kql::KustoType;
use serde_json::{Map, Number, Value};

use crate::Column;

/// Every row of `batches` as a JSON object keyed by column name.
pub fn rows(columns: &[Column], batches: &[RecordBatch]) -> Vec<Map<String, Value>> {
    let mut out = Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    for batch in batches {
        let cols: Vec<Vec<Value>> = columns.iter().zip(batch.columns()).map(|(c, a)| values(c.kind, a)).collect();
        for row in 0..batch.num_rows() {
            out.push(columns.iter().zip(&cols).map(|(c, v)| (c.name.clone(), v[row].clone())).collect());
        }
    }
    out
}

fn values(kind: KustoType, array: &ArrayRef) -> Vec<Value> {
    let n = array.len();
    let nulls = |f: &dyn Fn(usize) -> Value| (0..n).map(|i| if array.is_null(i) { Value::Null } else { f(i) }).collect();
    match (kind, array.data_type()) {
        (KustoType::Dynamic, DataType::Utf8) => {
            let a = array.as_string::<i32>();
            nulls(&|i| serde_json::from_str(a.value(i)).unwrap_or_else(|_| Value::String(a.value(i).to_string())))
        }
        (_, DataType::Boolean) => {
            let a = array.as_boolean();
            nulls(&|i| Value::Bool(a.value(i)))
        }
        (_, DataType::Int64) => {
            let a = array.as_primitive::<Int64Type>();
            nulls(&|i| Value::from(a.value(i)))
        }
        (_, DataType::UInt64) => {
            let a = array.as_primitive::<UInt64Type>();
            nulls(&|i| Value::from(a.value(i)))
        }
        (_, DataType::Int32) => {
            let a = array.as_primitive::<Int32Type>();
            nulls(&|i| Value::from(a.value(i)))
        }
        (_, DataType::Float64) => {
            let a = array.as_primitive::<Float64Type>();
            // JSON has no NaN or infinity; Kusto clients write them as strings.
            nulls(&|i| Number::from_f64(a.value(i)).map(Value::Number).unwrap_or_else(|| Value::String(a.value(i).to_string())))
        }
        (_, DataType::Timestamp(TimeUnit::Microsecond, _)) => {
            let a = array.as_primitive::<TimestampMicrosecondType>();
            nulls(&|i| Value::String(datetime(a.value(i))))
        }
        (_, DataType::Duration(TimeUnit::Microsecond)) => {
            let a = array.as_primitive::<DurationMicrosecondType>();
            nulls(&|i| Value::String(timespan(a.value(i))))
        }
        (_, DataType::Utf8) => {
            let a = array.as_string::<i32>();
            nulls(&|i| Value::String(a.value(i).to_string()))
        }
        _ => match ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default()) {
            Ok(f) => nulls(&|i| Value::String(f.value(i).to_string())),
            Err(_) => vec![Value::Null; n],
        },
    }
}

/// RFC 3339 in UTC with as many fractional digits as needed (`2024-05-01T10:00:00.5Z`).
pub fn datetime(micros: i64) -> String {
    match chrono::DateTime::from_timestamp_micros(micros) {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        None => micros.to_string(),
    }
}

/// Kusto's timespan text: `[-][d.]hh:mm:ss[.fffffff]`.
pub fn timespan(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let m = micros.unsigned_abs();
    let (days, rem) = (m / 86_400_000_000, m % 86_400_000_000);
    let (h, rem) = (rem / 3_600_000_000, rem % 3_600_000_000);
    let (min, rem) = (rem / 60_000_000, rem % 60_000_000);
    let (s, frac) = (rem / 1_000_000, rem % 1_000_000);
    let days = if days > 0 { format!("{days}.") } else { String::new() };
    let frac = if frac > 0 { format!(".{:07}", frac * 10) } else { String::new() };
    format!("{sign}{days}{h:02}:{min:02}:{s:02}{frac}")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{BooleanArray, DurationMicrosecondArray, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray};
    use datafusion::arrow::datatypes::{Field, Schema};
    use serde_json::json;

    use super::*;

    #[test]
    fn values_keep_their_kusto_types() {
        let columns = ["s", "n", "r", "b", "t", "d", "span"].map(String::from);
        let kinds = [KustoType::String, KustoType::Long, KustoType::Real, KustoType::Bool, KustoType::DateTime, KustoType::Dynamic, KustoType::Timespan];
        let cols: Vec<Column> = columns.iter().zip(kinds).map(|(n, k)| Column { name: n.clone(), kind: k }).collect();
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec![Some("a"), None])),
            Arc::new(Int64Array::from(vec![Some(1), None])),
            Arc::new(Float64Array::from(vec![Some(0.5), Some(f64::NAN)])),
            Arc::new(BooleanArray::from(vec![Some(true), None])),
            Arc::new(TimestampMicrosecondArray::from(vec![Some(1_714_557_600_500_000), None]).with_timezone("UTC")),
            Arc::new(StringArray::from(vec![Some(r#"{"k":[1,2]}"#), Some("null")])),
            Arc::new(DurationMicrosecondArray::from(vec![Some(93_784_000_000 + 500_000), Some(-60_000_000)])),
        ];
        let fields: Vec<Field> = cols.iter().zip(&arrays).map(|(c, a)| Field::new(&c.name, a.data_type().clone(), true)).collect();
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).expect("batch");
        let out = rows(&cols, &[batch]);
        assert_eq!(
            Value::Object(out[0].clone()),
            json!({"s": "a", "n": 1, "r": 0.5, "b": true, "t": "2024-05-01T10:00:00.500Z", "d": {"k": [1, 2]}, "span": "1.02:03:04.5000000"})
        );
        assert_eq!(Value::Object(out[1].clone()), json!({"s": null, "n": null, "r": "NaN", "b": null, "t": null, "d": null, "span": "-00:01:00"}));
    }
}
