//! `kql_series(bin, value, start, end, step, default)`: the array `make-series` produces for
//! one group: one element per bin from `start` (inclusive) to `end` (exclusive), the group's
//! value where it has one and `default` elsewhere. Times are microseconds; values JSON text.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use serde_json::Value;

use crate::udf::common::Strs;

/// Most bins one series may have (Kusto's limit, 2^20).
pub const MAX_BINS: i64 = 1 << 20;

#[derive(Debug, Default)]
struct Series {
    start: Option<i64>,
    end: Option<i64>,
    step: Option<i64>,
    default: Option<String>,
    points: BTreeMap<i64, String>,
}

fn i64_at(a: &ArrayRef, i: usize) -> Option<i64> {
    if a.is_null(i) {
        return None;
    }
    match a.data_type() {
        DataType::Int64 => Some(a.as_primitive::<Int64Type>().value(i)),
        DataType::Timestamp(..) => Some(a.as_primitive::<datafusion::arrow::datatypes::TimestampMicrosecondType>().value(i)),
        _ => None,
    }
}

impl Series {
    fn result(&self) -> String {
        let (Some(start), Some(end), Some(step)) = (self.start, self.end, self.step) else { return "[]".into() };
        if step <= 0 || end <= start {
            return "[]".into();
        }
        let n = ((end - start + step - 1) / step).min(MAX_BINS);
        let default = self.default.clone().unwrap_or_else(|| "0".into());
        let items: Vec<String> = (0..n).map(|k| self.points.get(&(start + k * step)).cloned().unwrap_or_else(|| default.clone())).collect();
        format!("[{}]", items.join(","))
    }
}

impl Accumulator for Series {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [bins, vals, start, end, step, default] = values else { return exec_err!("kql_series expects 6 arguments") };
        let vals = Strs::new(vals)?;
        let defaults = Strs::new(default)?;
        for i in 0..bins.len() {
            self.start = self.start.or(i64_at(start, i));
            self.end = self.end.or(i64_at(end, i));
            self.step = self.step.or(i64_at(step, i));
            if self.default.is_none() {
                self.default = defaults.get(i).map(str::to_string);
            }
            if let (Some(b), Some(v)) = (i64_at(bins, i), vals.get(i)) {
                self.points.insert(b, v.to_string());
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Utf8(Some(self.result())))
    }

    fn size(&self) -> usize {
        std::mem::size_of::<Self>() + self.points.values().map(|v| v.len() + 32).sum::<usize>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let points: Vec<Value> = self.points.iter().map(|(k, v)| Value::Array(vec![Value::from(*k), Value::String(v.clone())])).collect();
        let state = serde_json::json!({"s": self.start, "e": self.end, "t": self.step, "d": self.default, "p": points});
        Ok(vec![ScalarValue::Utf8(Some(state.to_string()))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(s) = states.first() else { return Ok(()) };
        let s = Strs::new(s)?;
        for i in 0..s.len() {
            let Some(text) = s.get(i) else { continue };
            let Ok(v) = serde_json::from_str::<Value>(text) else { continue };
            self.start = self.start.or(v["s"].as_i64());
            self.end = self.end.or(v["e"].as_i64());
            self.step = self.step.or(v["t"].as_i64());
            if self.default.is_none() {
                self.default = v["d"].as_str().map(str::to_string);
            }
            for p in v["p"].as_array().into_iter().flatten() {
                if let (Some(k), Some(val)) = (p[0].as_i64(), p[1].as_str()) {
                    self.points.insert(k, val.to_string());
                }
            }
        }
        Ok(())
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SeriesUdaf {
    signature: Signature,
}

impl Default for SeriesUdaf {
    fn default() -> Self {
        SeriesUdaf { signature: Signature::any(6, Volatility::Immutable) }
    }
}

impl AggregateUDFImpl for SeriesUdaf {
    fn name(&self) -> &str {
        "kql_series"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(Series::default()))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}_state", args.name), DataType::Utf8, true))])
    }
}
