//! `make_set`, `make_list` and `make_bag`: collect JSON values into a dynamic array or bag.
//! Inputs are dynamic (JSON text); the binder converts other types first.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use serde_json::{Map, Value};

use crate::udf::common::{IntArg, Strs};
use crate::udf::json::{array_elements, compact};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Set,
    List,
    Bag,
}

/// Kusto's default and maximum size of a collected array.
const MAX_ITEMS: usize = 1_048_576;

#[derive(Debug)]
struct Collect {
    kind: Kind,
    max: usize,
    items: Vec<String>,
    seen: HashSet<String>,
    bag: Map<String, Value>,
}

impl Collect {
    fn new(kind: Kind) -> Collect {
        Collect { kind, max: MAX_ITEMS, items: Vec::new(), seen: HashSet::new(), bag: Map::new() }
    }

    fn push(&mut self, item: &str) {
        if self.items.len() >= self.max {
            return;
        }
        match self.kind {
            Kind::Set => {
                if self.seen.insert(item.to_string()) {
                    self.items.push(item.to_string());
                }
            }
            Kind::List => self.items.push(item.to_string()),
            Kind::Bag => {}
        }
    }

    fn add_value(&mut self, json: &str) {
        match self.kind {
            Kind::Set => match array_elements(json) {
                Some(elements) => {
                    for e in elements {
                        self.push(&compact(e));
                    }
                }
                None => self.push(&compact(json)),
            },
            Kind::List => self.push(&compact(json)),
            Kind::Bag => {
                if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(json) {
                    for (k, v) in m {
                        if self.bag.len() >= self.max {
                            break;
                        }
                        self.bag.entry(k).or_insert(v);
                    }
                }
            }
        }
    }

    fn result(&self) -> String {
        match self.kind {
            Kind::Bag => Value::Object(self.bag.clone()).to_string(),
            _ => format!("[{}]", self.items.join(",")),
        }
    }
}

impl Accumulator for Collect {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(input) = values.first() else { return Ok(()) };
        if let Some(limit) = values.get(1)
            && let Ok(l) = IntArg::new(&datafusion::logical_expr::ColumnarValue::Array(Arc::clone(limit)))
                && let Some(m) = (0..limit.len()).find_map(|i| l.get(i)) {
                    self.max = usize::try_from(m.max(0)).unwrap_or(MAX_ITEMS).min(MAX_ITEMS);
                }
        let strs = Strs::new(input)?;
        for i in 0..strs.len() {
            if let Some(v) = strs.get(i) {
                self.add_value(v);
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Utf8(Some(self.result())))
    }

    fn size(&self) -> usize {
        std::mem::size_of::<Self>() + self.items.iter().map(|s| s.len() + 24).sum::<usize>() * 2
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Utf8(Some(self.result())), ScalarValue::Int64(Some(self.max as i64))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(input) = states.first() else { return Ok(()) };
        if let Some(limit) = states.get(1)
            && let Ok(l) = IntArg::new(&datafusion::logical_expr::ColumnarValue::Array(Arc::clone(limit)))
                && let Some(m) = (0..limit.len()).find_map(|i| l.get(i)) {
                    self.max = usize::try_from(m.max(0)).unwrap_or(MAX_ITEMS);
                }
        let strs = Strs::new(input)?;
        for i in 0..strs.len() {
            let Some(v) = strs.get(i) else { continue };
            match self.kind {
                Kind::Bag => self.add_value(v),
                _ => {
                    for e in array_elements(v).unwrap_or_default() {
                        self.push(e);
                    }
                }
            }
        }
        Ok(())
    }
}

/// `kql_make_set(json [, max])`, `kql_make_list(json [, max])`, `kql_make_bag(json [, max])`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CollectUdaf {
    kind: Kind,
    name: &'static str,
    signature: Signature,
}

impl CollectUdaf {
    pub fn new(kind: Kind) -> CollectUdaf {
        let name = match kind {
            Kind::Set => "kql_make_set",
            Kind::List => "kql_make_list",
            Kind::Bag => "kql_make_bag",
        };
        CollectUdaf { kind, name, signature: Signature::variadic_any(Volatility::Immutable) }
    }
}

impl AggregateUDFImpl for CollectUdaf {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(Collect::new(self.kind)))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new(format!("{}_items", args.name), DataType::Utf8, true)),
            Arc::new(Field::new(format!("{}_max", args.name), DataType::Int64, true)),
        ])
    }
}
