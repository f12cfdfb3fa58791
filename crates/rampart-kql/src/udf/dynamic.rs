//! Dynamic values (JSON text): property/index access, conversions to and from other types,
//! packing, arrays and sets.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Builder, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::ColumnarValue;
use serde_json::Value;

use super::KqlUdf;
use super::common::{IntArg, StrArg, arity, map_i64, map_strings};
use super::convert;
use super::json::{self, PathElem, array_elements, get_path, quote_into, to_kusto_string};

/// A path argument: constant or per row.
enum PathArg<'a> {
    Key(Option<&'a str>),
    Index(Option<i64>),
    Col(&'a ArrayRef),
}

fn path_args(args: &[ColumnarValue]) -> Result<Vec<PathArg<'_>>> {
    args.iter()
        .map(|a| match a {
            ColumnarValue::Scalar(ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v)) => {
                Ok(PathArg::Key(v.as_deref()))
            }
            ColumnarValue::Scalar(ScalarValue::Int64(v)) => Ok(PathArg::Index(*v)),
            ColumnarValue::Scalar(ScalarValue::Int32(v)) => Ok(PathArg::Index(v.map(i64::from))),
            ColumnarValue::Scalar(ScalarValue::Null) => Ok(PathArg::Key(None)),
            ColumnarValue::Array(a) => Ok(PathArg::Col(a)),
            ColumnarValue::Scalar(other) => exec_err!("invalid dynamic path element of type {}", other.data_type()),
        })
        .collect()
}

fn path_at(args: &[PathArg<'_>], i: usize, out: &mut Vec<PathElem>) -> bool {
    out.clear();
    for a in args {
        let e = match a {
            PathArg::Key(Some(k)) => PathElem::Key((*k).to_string()),
            PathArg::Index(Some(ix)) => PathElem::Index(*ix),
            PathArg::Key(None) | PathArg::Index(None) => return false,
            PathArg::Col(arr) => {
                if arr.is_null(i) {
                    return false;
                }
                match arr.data_type() {
                    DataType::Int64 => PathElem::Index(arr.as_primitive::<Int64Type>().value(i)),
                    DataType::Int32 => PathElem::Index(i64::from(arr.as_primitive::<Int32Type>().value(i))),
                    DataType::Utf8 => PathElem::Key(arr.as_string::<i32>().value(i).to_string()),
                    _ => return false,
                }
            }
        };
        out.push(e);
    }
    true
}

fn all_const(args: &[PathArg<'_>]) -> bool {
    !args.iter().any(|a| matches!(a, PathArg::Col(_)))
}

/// `kql_dyn_get(json, step…)`: the value at the path, as JSON text.
fn dyn_get(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    access(args, rows, false)
}

/// `kql_dyn_get_str(json, step…)`: `tostring()` of the value at the path.
fn dyn_get_str(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    access(args, rows, true)
}

fn access(args: &[ColumnarValue], rows: usize, as_string: bool) -> Result<ColumnarValue> {
    arity("kql_dyn_get", args, 1, 64)?;
    let input = StrArg::new(&args[0])?;
    let steps = path_args(&args[1..])?;
    let mut path = Vec::new();
    let fixed = all_const(&steps) && path_at(&steps, 0, &mut path);
    let broken = all_const(&steps) && !fixed;
    Ok(map_strings(rows, |i, out| {
        let found = if broken {
            None
        } else {
            if !fixed && !path_at(&steps, i, &mut path) {
                return as_string;
            }
            input.get(i).and_then(|j| get_path(j, &path))
        };
        match found {
            Some(raw) if as_string => out.push_str(&to_kusto_string(raw)),
            Some(raw) => out.push_str(&json::compact(raw)),
            None => return as_string,
        }
        true
    }))
}

/// `tostring()` of a dynamic value; never null.
fn dyn_to_str(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("kql_dyn_to_str", args, 1, 1)?;
    let input = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        if let Some(j) = input.get(i) {
            out.push_str(&to_kusto_string(j));
        }
        true
    }))
}

/// `parse_json(s)`: JSON text stays (compacted); other text becomes a JSON string; empty is null.
fn parse_json(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("kql_parse_json", args, 1, 1)?;
    let input = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        let s = input.get_or_empty(i);
        if s.trim().is_empty() {
            return false;
        }
        match serde_json::from_str::<Value>(s) {
            Ok(Value::Null) => return false,
            Ok(v) => out.push_str(&v.to_string()),
            Err(_) => quote_into(s, out),
        }
        true
    }))
}

/// `kql_to_dynamic(x)`: any non-dynamic value as JSON text (strings quoted, datetimes as
/// ISO 8601 strings).
fn to_dynamic(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("kql_to_dynamic", args, 1, 1)?;
    let arr = args[0].to_array(rows)?;
    Ok(map_strings(rows, |i, out| json_of(&arr, i, out)))
}

/// Appends the JSON text of `arr[i]`; false when it is null.
pub fn json_of(arr: &ArrayRef, i: usize, out: &mut String) -> bool {
    if arr.is_null(i) {
        return false;
    }
    match arr.data_type() {
        DataType::Utf8 => quote_into(arr.as_string::<i32>().value(i), out),
        DataType::LargeUtf8 => quote_into(arr.as_string::<i64>().value(i), out),
        DataType::Utf8View => quote_into(arr.as_string_view().value(i), out),
        DataType::Boolean => out.push_str(if arr.as_boolean().value(i) { "true" } else { "false" }),
        DataType::Int64 => out.push_str(&arr.as_primitive::<Int64Type>().value(i).to_string()),
        DataType::Int32 => out.push_str(&arr.as_primitive::<Int32Type>().value(i).to_string()),
        DataType::Float64 => {
            let v = arr.as_primitive::<Float64Type>().value(i);
            match serde_json::Number::from_f64(v) {
                Some(n) => out.push_str(&n.to_string()),
                None => quote_into(&convert::format_real(v), out),
            }
        }
        DataType::Timestamp(..) => {
            let v = arr.as_primitive::<TimestampMicrosecondType>().value(i);
            quote_into(&convert::format_datetime_micros(v), out);
        }
        _ => match ScalarValue::try_from_array(arr, i) {
            Ok(v) => quote_into(&v.to_string(), out),
            Err(_) => return false,
        },
    }
    true
}

/// `kql_timespan_to_dynamic(micros)`.
fn timespan_to_dynamic(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let v = IntArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| match v.get(i) {
        Some(us) => {
            quote_into(&convert::format_timespan(us), out);
            true
        }
        None => false,
    }))
}

fn array_length(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    Ok(map_i64(rows, |i| input.get(i).and_then(json::array_len).map(|n| n as i64)))
}

fn parse_value(s: &str) -> Option<Value> {
    serde_json::from_str(s).ok()
}

fn bag_keys(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| match input.get(i).and_then(parse_value) {
        Some(Value::Object(m)) => {
            out.push_str(&Value::Array(m.keys().map(|k| Value::String(k.clone())).collect()).to_string());
            true
        }
        _ => false,
    }))
}

/// `kql_pack(key, json, key, json, …)`.
fn pack(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    if !args.len().is_multiple_of(2) {
        return exec_err!("pack() needs key/value pairs");
    }
    let parts: Vec<StrArg<'_>> = args.iter().map(StrArg::new).collect::<Result<_>>()?;
    Ok(map_strings(rows, |i, out| {
        out.push('{');
        for (n, pair) in parts.chunks(2).enumerate() {
            if n > 0 {
                out.push(',');
            }
            quote_into(pair[0].get_or_empty(i), out);
            out.push(':');
            out.push_str(pair[1].get(i).unwrap_or("null"));
        }
        out.push('}');
        true
    }))
}

/// `kql_pack_array(json, …)`.
fn pack_array(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let parts: Vec<StrArg<'_>> = args.iter().map(StrArg::new).collect::<Result<_>>()?;
    Ok(map_strings(rows, |i, out| {
        out.push('[');
        for (n, p) in parts.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str(p.get(i).unwrap_or("null"));
        }
        out.push(']');
        true
    }))
}

fn arrays_of(parts: &[StrArg<'_>], i: usize) -> Vec<Vec<Value>> {
    parts
        .iter()
        .map(|p| match p.get(i).and_then(parse_value) {
            Some(Value::Array(a)) => a,
            Some(Value::Null) | None => Vec::new(),
            Some(v) => vec![v],
        })
        .collect()
}

#[derive(Clone, Copy)]
enum SetOp {
    Concat,
    Union,
    Difference,
    Intersect,
}

fn set_op(op: SetOp, args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let parts: Vec<StrArg<'_>> = args.iter().map(StrArg::new).collect::<Result<_>>()?;
    Ok(map_strings(rows, |i, out| {
        let arrays = arrays_of(&parts, i);
        let key = |v: &Value| v.to_string();
        let result: Vec<Value> = match op {
            SetOp::Concat => arrays.into_iter().flatten().collect(),
            SetOp::Union => {
                let mut seen = HashSet::new();
                arrays.into_iter().flatten().filter(|v| seen.insert(key(v))).collect()
            }
            SetOp::Difference => {
                let mut it = arrays.into_iter();
                let first = it.next().unwrap_or_default();
                let others: HashSet<String> = it.flatten().map(|v| key(&v)).collect();
                let mut seen = HashSet::new();
                first.into_iter().filter(|v| !others.contains(&key(v)) && seen.insert(key(v))).collect()
            }
            SetOp::Intersect => {
                let mut it = arrays.into_iter();
                let first = it.next().unwrap_or_default();
                let rest: Vec<HashSet<String>> = it.map(|a| a.iter().map(key).collect()).collect();
                let mut seen = HashSet::new();
                first.into_iter().filter(|v| rest.iter().all(|s| s.contains(&key(v))) && seen.insert(key(v))).collect()
            }
        };
        out.push_str(&Value::Array(result).to_string());
        true
    }))
}

/// `strcat_array(arr, delimiter)`.
fn strcat_array(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("strcat_array", args, 2, 2)?;
    let arr = StrArg::new(&args[0])?;
    let delim = StrArg::new(&args[1])?;
    Ok(map_strings(rows, |i, out| {
        if let Some(items) = arr.get(i).and_then(array_elements) {
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(delim.get_or_empty(i));
                }
                out.push_str(&to_kusto_string(item));
            }
        }
        true
    }))
}

/// `kql_in_dyn(text, array)`: whether `tostring()` of an element equals `text`.
fn in_dyn(args: &[ColumnarValue], rows: usize, ci: bool) -> Result<ColumnarValue> {
    arity("kql_in_dyn", args, 2, 2)?;
    let needle = StrArg::new(&args[0])?;
    let arr = StrArg::new(&args[1])?;
    let set_of = |j: Option<&str>| -> HashSet<String> {
        let items = j.and_then(array_elements).unwrap_or_default();
        items.iter().map(|e| {
            let s = to_kusto_string(e).into_owned();
            if ci { s.to_lowercase() } else { s }
        }).collect()
    };
    let constant = if let StrArg::Const(j) = arr { Some(set_of(j)) } else { None };
    let values: Vec<Option<bool>> = (0..rows)
        .map(|i| {
            let n = needle.get_or_empty(i);
            let n = if ci { n.to_lowercase() } else { n.to_string() };
            Some(match &constant {
                Some(set) => set.contains(&n),
                None => set_of(arr.get(i)).contains(&n),
            })
        })
        .collect();
    Ok(ColumnarValue::Array(Arc::new(values.into_iter().collect::<datafusion::arrow::array::BooleanArray>())))
}

/// `gettype()` of a dynamic value.
fn gettype(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        let t = match input.get(i).map(str::trim).and_then(|s| s.as_bytes().first().copied()) {
            None => "null",
            Some(b'{') => "dictionary",
            Some(b'[') => "array",
            Some(b'"') => "string",
            Some(b't' | b'f') => "bool",
            Some(b'n') => "null",
            Some(_) => {
                let s = input.get_or_empty(i);
                if s.contains(['.', 'e', 'E']) { "real" } else { "long" }
            }
        };
        out.push_str(t);
        true
    }))
}

/// `kql_mv_elements(json, limit)`: the values `mv-expand` produces for one row: array
/// elements, or one single-property bag per property of a bag, or the value itself.
fn mv_elements(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let limit = if args.len() > 1 { IntArg::new(&args[1])? } else { IntArg::Const(None) };
    let mut b = ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new("item", DataType::Utf8, true)));
    for i in 0..rows {
        let max = limit.get(i).map_or(usize::MAX, |l| l.max(0) as usize);
        match input.get(i) {
            // A null value expands to one row holding null.
            None => {
                b.values().append_null();
                b.append(true);
            }
            Some(j) => {
                // Arrays (the usual case) append their elements without building a Vec.
                if let Some(items) = array_elements(j) {
                    for e in items.into_iter().take(max) {
                        b.values().append_value(json::compact(e));
                    }
                } else {
                    for e in mv_items(j).into_iter().take(max) {
                        b.values().append_value(e);
                    }
                }
                b.append(true);
            }
        }
    }
    Ok(ColumnarValue::Array(Arc::new(b.finish())))
}

/// `kql_mv_indices(json, limit)`: 0..n for the elements `kql_mv_elements` produces.
fn mv_indices(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    let limit = if args.len() > 1 { IntArg::new(&args[1])? } else { IntArg::Const(None) };
    let mut b = ListBuilder::new(Int64Builder::new()).with_field(Arc::new(Field::new("item", DataType::Int64, true)));
    for i in 0..rows {
        let max = limit.get(i).map_or(usize::MAX, |l| l.max(0) as usize);
        let n = input.get(i).map_or(1, |j| mv_items(j).len()).min(max);
        for k in 0..n {
            b.values().append_value(k as i64);
        }
        b.append(true);
    }
    Ok(ColumnarValue::Array(Arc::new(b.finish())))
}

fn mv_items(j: &str) -> Vec<String> {
    if let Some(items) = array_elements(j) {
        return items.into_iter().map(|e| json::compact(e).into_owned()).collect();
    }
    match parse_value(j) {
        Some(Value::Object(m)) => m
            .into_iter()
            .map(|(k, v)| {
                let mut one = serde_json::Map::new();
                one.insert(k, v);
                Value::Object(one).to_string()
            })
            .collect(),
        Some(Value::Null) => Vec::new(),
        Some(v) => vec![v.to_string()],
        None => vec![json::quote(j)],
    }
}

/// `bag_merge(bag, …)`: the first bag wins on duplicate keys.
fn bag_merge(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let parts: Vec<StrArg<'_>> = args.iter().map(StrArg::new).collect::<Result<_>>()?;
    Ok(map_strings(rows, |i, out| {
        let mut merged = serde_json::Map::new();
        for p in &parts {
            if let Some(Value::Object(m)) = p.get(i).and_then(parse_value) {
                for (k, v) in m {
                    merged.entry(k).or_insert(v);
                }
            }
        }
        out.push_str(&Value::Object(merged).to_string());
        true
    }))
}

/// `bag_remove_keys(bag, keys)`.
fn bag_remove_keys(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let bag = StrArg::new(&args[0])?;
    let keys = StrArg::new(&args[1])?;
    Ok(map_strings(rows, |i, out| match bag.get(i).and_then(parse_value) {
        Some(Value::Object(mut m)) => {
            for k in keys.get(i).map(super::strings::json_string_list).unwrap_or_default() {
                m.remove(&k);
            }
            out.push_str(&Value::Object(m).to_string());
            true
        }
        _ => false,
    }))
}

/// `array_index_of(arr, json)`: position of the first equal element, or -1.
fn array_index_of(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let arr = StrArg::new(&args[0])?;
    let needle = StrArg::new(&args[1])?;
    Ok(map_i64(rows, |i| {
        let items = arr.get(i).and_then(array_elements)?;
        let n = needle.get(i).and_then(parse_value).unwrap_or(Value::Null);
        Some(items.iter().position(|e| parse_value(e).is_some_and(|v| v == n)).map_or(-1, |p| p as i64))
    }))
}

/// `array_slice(arr, start, end)` (inclusive end, negatives count from the end).
fn array_slice(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let arr = StrArg::new(&args[0])?;
    let start = IntArg::new(&args[1])?;
    let end = IntArg::new(&args[2])?;
    Ok(map_strings(rows, |i, out| {
        let Some(items) = arr.get(i).and_then(array_elements) else { return false };
        let len = items.len() as i64;
        let norm = |v: i64| if v < 0 { v + len } else { v };
        let s = norm(start.get(i).unwrap_or(0)).max(0);
        let e = norm(end.get(i).unwrap_or(len - 1)).min(len - 1);
        out.push('[');
        if s <= e {
            for (n, item) in items[s as usize..=e as usize].iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&json::compact(item));
            }
        }
        out.push(']');
        true
    }))
}

fn array_sort(args: &[ColumnarValue], rows: usize, desc: bool) -> Result<ColumnarValue> {
    let arr = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| {
        let Some(Value::Array(mut items)) = arr.get(i).and_then(parse_value) else { return false };
        items.sort_by(|a, b| {
            let o = match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                _ => a.to_string().cmp(&b.to_string()),
            };
            if desc { o.reverse() } else { o }
        });
        out.push_str(&Value::Array(items).to_string());
        true
    }))
}

/// `bag_has_key(bag, key)` and `set_has_element(arr, json)`.
fn has_element(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let arr = StrArg::new(&args[0])?;
    let needle = StrArg::new(&args[1])?;
    let values: datafusion::arrow::array::BooleanArray = (0..rows)
        .map(|i| {
            let n = needle.get(i).and_then(parse_value).unwrap_or(Value::Null);
            Some(arr.get(i).and_then(array_elements).is_some_and(|items| items.iter().any(|e| parse_value(e).is_some_and(|v| v == n))))
        })
        .collect();
    Ok(ColumnarValue::Array(Arc::new(values)))
}

/// `mv-expand kind=array`: a bag becomes an array of `[key, value]` pairs.
fn bag_to_pairs(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let input = StrArg::new(&args[0])?;
    Ok(map_strings(rows, |i, out| match input.get(i) {
        None => false,
        Some(j) => {
            match parse_value(j) {
                Some(Value::Object(m)) => {
                    let pairs = m.into_iter().map(|(k, v)| Value::Array(vec![Value::String(k), v])).collect();
                    out.push_str(&Value::Array(pairs).to_string());
                }
                _ => out.push_str(j),
            }
            true
        }
    }))
}

pub fn register(v: &mut Vec<KqlUdf>) {
    let s = DataType::Utf8;
    v.push(KqlUdf::new("kql_bag_to_pairs", s.clone(), bag_to_pairs));
    v.push(KqlUdf::new("kql_dyn_get", s.clone(), dyn_get));
    v.push(KqlUdf::new("kql_dyn_get_str", s.clone(), dyn_get_str));
    v.push(KqlUdf::new("kql_dyn_to_str", s.clone(), dyn_to_str));
    v.push(KqlUdf::new("kql_parse_json", s.clone(), parse_json));
    v.push(KqlUdf::new("kql_to_dynamic", s.clone(), to_dynamic));
    v.push(KqlUdf::new("kql_timespan_to_dynamic", s.clone(), timespan_to_dynamic));
    v.push(KqlUdf::new("kql_array_length", DataType::Int64, array_length));
    v.push(KqlUdf::new("kql_bag_keys", s.clone(), bag_keys));
    v.push(KqlUdf::new("kql_pack", s.clone(), pack));
    v.push(KqlUdf::new("kql_pack_array", s.clone(), pack_array));
    v.push(KqlUdf::new("kql_array_concat", s.clone(), |a, n| set_op(SetOp::Concat, a, n)));
    v.push(KqlUdf::new("kql_set_union", s.clone(), |a, n| set_op(SetOp::Union, a, n)));
    v.push(KqlUdf::new("kql_set_difference", s.clone(), |a, n| set_op(SetOp::Difference, a, n)));
    v.push(KqlUdf::new("kql_set_intersect", s.clone(), |a, n| set_op(SetOp::Intersect, a, n)));
    v.push(KqlUdf::new("kql_strcat_array", s.clone(), strcat_array));
    v.push(KqlUdf::new("kql_in_dyn", DataType::Boolean, |a, n| in_dyn(a, n, false)));
    v.push(KqlUdf::new("kql_in_dyn_ci", DataType::Boolean, |a, n| in_dyn(a, n, true)));
    v.push(KqlUdf::new("kql_gettype", s.clone(), gettype));
    v.push(KqlUdf::new("kql_bag_merge", s.clone(), bag_merge));
    v.push(KqlUdf::new("kql_bag_remove_keys", s.clone(), bag_remove_keys));
    v.push(KqlUdf::new("kql_array_index_of", DataType::Int64, array_index_of));
    v.push(KqlUdf::new("kql_array_slice", s.clone(), array_slice));
    v.push(KqlUdf::new("kql_array_sort_asc", s.clone(), |a, n| array_sort(a, n, false)));
    v.push(KqlUdf::new("kql_array_sort_desc", s.clone(), |a, n| array_sort(a, n, true)));
    v.push(KqlUdf::new("kql_set_has_element", DataType::Boolean, has_element));
    let list = |t: DataType| DataType::List(Arc::new(Field::new("item", t, true)));
    v.push(KqlUdf::new("kql_mv_elements", list(DataType::Utf8), mv_elements));
    v.push(KqlUdf::new("kql_mv_indices", list(DataType::Int64), mv_indices));
}
