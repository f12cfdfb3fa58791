//! `arg_max`, `arg_min` and `take_any` over whole rows.
//!
//! The row is passed as one struct argument; the accumulator remembers, per group, which
//! input row is best (a batch index and a row index) and keeps only the batches that still
//! hold a best row, compacting them with `interleave` when they grow. So a summarize over
//! millions of rows keeps O(groups) rows in memory, and no per-row `ScalarValue` is built.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, new_null_array};
use datafusion::arrow::compute::interleave;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Max,
    Min,
    Any,
}

/// A key value in a form that compares across batches.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum Key {
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
}

fn key_at(arr: &ArrayRef, i: usize) -> Option<Key> {
    if arr.is_null(i) {
        return None;
    }
    Some(match arr.data_type() {
        DataType::Int64 => Key::Int(arr.as_primitive::<Int64Type>().value(i)),
        DataType::Int32 => Key::Int(i64::from(arr.as_primitive::<Int32Type>().value(i))),
        DataType::Timestamp(..) => Key::Int(arr.as_primitive::<TimestampMicrosecondType>().value(i)),
        DataType::Float64 => Key::Real(arr.as_primitive::<Float64Type>().value(i)),
        DataType::Boolean => Key::Bool(arr.as_boolean().value(i)),
        DataType::Utf8 => Key::Text(arr.as_string::<i32>().value(i).to_string()),
        DataType::Utf8View => Key::Text(arr.as_string_view().value(i).to_string()),
        DataType::LargeUtf8 => Key::Text(arr.as_string::<i64>().value(i).to_string()),
        _ => Key::Text(ScalarValue::try_from_array(arr, i).map(|v| v.to_string()).unwrap_or_default()),
    })
}

/// A key column with its type dispatch done once per batch: integer and timestamp keys
/// (the usual `arg_max(Timestamp, …)`) are read straight from their values buffer.
enum KeyCol<'a> {
    Int(&'a [i64], &'a dyn Array),
    Other(&'a ArrayRef),
}

impl<'a> KeyCol<'a> {
    fn new(arr: &'a ArrayRef) -> KeyCol<'a> {
        match arr.data_type() {
            DataType::Int64 => KeyCol::Int(arr.as_primitive::<Int64Type>().values(), arr.as_ref()),
            DataType::Timestamp(datafusion::arrow::datatypes::TimeUnit::Microsecond, _) => {
                KeyCol::Int(arr.as_primitive::<TimestampMicrosecondType>().values(), arr.as_ref())
            }
            _ => KeyCol::Other(arr),
        }
    }

    #[inline]
    fn get(&self, i: usize) -> Option<Key> {
        match self {
            KeyCol::Int(values, arr) => (!arr.is_null(i)).then(|| Key::Int(values[i])),
            KeyCol::Other(arr) => key_at(arr, i),
        }
    }
}

/// Per-group best rows over retained batches.
struct ArgGroups {
    mode: Mode,
    key_type: DataType,
    payload_type: DataType,
    /// Retained (key, payload) batches.
    batches: Vec<(ArrayRef, ArrayRef)>,
    retained_rows: usize,
    best_key: Vec<Option<Key>>,
    /// (batch, row) of each group's best row; `u32::MAX` batch when none yet.
    best_ref: Vec<(u32, u32)>,
}

const NONE: u32 = u32::MAX;

impl ArgGroups {
    fn new(mode: Mode, key_type: DataType, payload_type: DataType) -> ArgGroups {
        ArgGroups { mode, key_type, payload_type, batches: Vec::new(), retained_rows: 0, best_key: Vec::new(), best_ref: Vec::new() }
    }

    fn better(&self, new: &Option<Key>, old: &Option<Key>) -> bool {
        match (new, old) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(n), Some(o)) => match self.mode {
                Mode::Max => n > o,
                Mode::Min => n < o,
                Mode::Any => false,
            },
        }
    }

    fn add(&mut self, keys: &ArrayRef, payload: &ArrayRef, groups: &[usize], filter: Option<&BooleanArray>, total: usize) -> Result<()> {
        if self.best_ref.len() < total {
            self.best_ref.resize(total, (NONE, 0));
            self.best_key.resize(total, None);
        }
        let batch = u32::try_from(self.batches.len()).unwrap_or(NONE - 1);
        let key_col = KeyCol::new(keys);
        let mut used = false;
        for (row, &g) in groups.iter().enumerate() {
            if filter.is_some_and(|f| !f.is_valid(row) || !f.value(row)) {
                continue;
            }
            let take = if self.best_ref[g].0 == NONE {
                true
            } else if self.mode == Mode::Any {
                false
            } else {
                let k = key_col.get(row);
                self.better(&k, &self.best_key[g])
            };
            if take {
                if self.mode != Mode::Any {
                    self.best_key[g] = key_col.get(row);
                }
                self.best_ref[g] = (batch, u32::try_from(row).unwrap_or(0));
                used = true;
            }
        }
        if used {
            self.batches.push((Arc::clone(keys), Arc::clone(payload)));
            self.retained_rows += payload.len();
            if self.retained_rows > 4 * self.best_ref.len() + 65_536 {
                self.compact()?;
            }
        }
        Ok(())
    }

    /// Gathers the best rows of groups `0..n` (nulls for groups without one).
    fn gather(&self, n: usize) -> Result<(ArrayRef, ArrayRef)> {
        let null_keys = new_null_array(&self.key_type, 1);
        let null_payload = new_null_array(&self.payload_type, 1);
        let mut key_sources: Vec<&dyn Array> = self.batches.iter().map(|(k, _)| k.as_ref()).collect();
        let mut payload_sources: Vec<&dyn Array> = self.batches.iter().map(|(_, p)| p.as_ref()).collect();
        key_sources.push(null_keys.as_ref());
        payload_sources.push(null_payload.as_ref());
        let null_ix = self.batches.len();
        let indices: Vec<(usize, usize)> = self.best_ref[..n]
            .iter()
            .map(|&(b, r)| if b == NONE { (null_ix, 0) } else { (b as usize, r as usize) })
            .collect();
        Ok((interleave(&key_sources, &indices)?, interleave(&payload_sources, &indices)?))
    }

    fn compact(&mut self) -> Result<()> {
        let n = self.best_ref.len();
        let (keys, payload) = self.gather(n)?;
        self.batches = vec![(keys, payload)];
        self.retained_rows = n;
        for (g, r) in self.best_ref.iter_mut().enumerate() {
            if r.0 != NONE {
                *r = (0, u32::try_from(g).unwrap_or(0));
            }
        }
        Ok(())
    }

    fn emit(&mut self, emit_to: EmitTo) -> Result<(ArrayRef, ArrayRef)> {
        let n = match emit_to {
            EmitTo::All => self.best_ref.len(),
            EmitTo::First(n) => n.min(self.best_ref.len()),
        };
        let out = self.gather(n)?;
        match emit_to {
            EmitTo::All => {
                self.best_ref.clear();
                self.best_key.clear();
                self.batches.clear();
                self.retained_rows = 0;
            }
            EmitTo::First(_) => {
                self.best_ref.drain(..n);
                self.best_key.drain(..n);
            }
        }
        Ok(out)
    }
}

impl GroupsAccumulator for ArgGroups {
    fn update_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], opt_filter: Option<&BooleanArray>, total_num_groups: usize) -> Result<()> {
        let [keys, payload] = values else { return exec_err!("arg_max expects (key, row)") };
        self.add(keys, payload, group_indices, opt_filter, total_num_groups)
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        Ok(self.emit(emit_to)?.1)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let (k, p) = self.emit(emit_to)?;
        Ok(vec![k, p])
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.update_batch(values, group_indices, None, total_num_groups)
    }

    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        let [keys, payload] = values else { return exec_err!("arg_max expects (key, row)") };
        match opt_filter {
            None => Ok(vec![Arc::clone(keys), Arc::clone(payload)]),
            Some(f) => {
                let dropped = datafusion::arrow::compute::not(f)?;
                Ok(vec![
                    datafusion::arrow::compute::nullif(keys, &dropped)?,
                    datafusion::arrow::compute::nullif(payload, &dropped)?,
                ])
            }
        }
    }

    fn size(&self) -> usize {
        self.batches.iter().map(|(k, p)| k.get_array_memory_size() + p.get_array_memory_size()).sum::<usize>()
            + self.best_ref.capacity() * 8
            + self.best_key.capacity() * std::mem::size_of::<Option<Key>>()
    }
}

/// The ungrouped form: one group.
struct ArgSingle(ArgGroups);

impl std::fmt::Debug for ArgSingle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ArgSingle")
    }
}

impl Accumulator for ArgSingle {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let n = values.first().map_or(0, |v| v.len());
        self.0.update_batch(values, &vec![0; n], None, 1)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.0.best_ref.is_empty() {
            return ScalarValue::try_from(&self.0.payload_type);
        }
        let (_, p) = self.0.gather(1)?;
        ScalarValue::try_from_array(&p, 0)
    }

    fn size(&self) -> usize {
        self.0.size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        if self.0.best_ref.is_empty() {
            return Ok(vec![ScalarValue::try_from(&self.0.key_type)?, ScalarValue::try_from(&self.0.payload_type)?]);
        }
        let (k, p) = self.0.gather(1)?;
        Ok(vec![ScalarValue::try_from_array(&k, 0)?, ScalarValue::try_from_array(&p, 0)?])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.update_batch(states)
    }
}

/// `kql_arg_max(key, row)`, `kql_arg_min(key, row)`, `kql_take_any(key, row)`: the row
/// (a struct) of the group whose key is largest/smallest/first seen.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ArgUdaf {
    mode: Mode,
    name: &'static str,
    signature: Signature,
}

impl ArgUdaf {
    pub fn new(mode: Mode) -> ArgUdaf {
        let name = match mode {
            Mode::Max => "kql_arg_max",
            Mode::Min => "kql_arg_min",
            Mode::Any => "kql_take_any",
        };
        ArgUdaf { mode, name, signature: Signature::any(2, Volatility::Immutable) }
    }
}

impl AggregateUDFImpl for ArgUdaf {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [_, payload] => Ok(payload.clone()),
            _ => exec_err!("{} expects (key, row)", self.name),
        }
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let (k, p) = arg_types(&acc_args)?;
        Ok(Box::new(ArgSingle(ArgGroups::new(self.mode, k, p))))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let k = args.input_fields.first().map_or(DataType::Null, |f| f.data_type().clone());
        Ok(vec![
            Arc::new(Field::new(format!("{}_key", args.name), k, true)),
            Arc::new(Field::new(format!("{}_row", args.name), args.return_type().clone(), true)),
        ])
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        let (k, p) = arg_types(&args)?;
        Ok(Box::new(ArgGroups::new(self.mode, k, p)))
    }
}

fn arg_types(args: &AccumulatorArgs) -> Result<(DataType, DataType)> {
    match args.expr_fields {
        [k, p] => Ok((k.data_type().clone(), p.data_type().clone())),
        _ => exec_err!("arg_max expects (key, row)"),
    }
}
