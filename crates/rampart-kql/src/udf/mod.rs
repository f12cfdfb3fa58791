//! Scalar UDFs that give compiled plans Kusto semantics where DataFusion's built-ins differ:
//! term-based `has`, case-insensitive matching without per-row allocation, dynamic (JSON text)
//! access and conversion, Kusto's datetime binning and formatting, IP helpers.
//!
//! Every UDF is a plain function over Arrow arrays wrapped in [`KqlUdf`]; all are named
//! `kql_*` and listed in [`all`]. A null string argument is read as the empty string.

pub mod common;
pub mod convert;
pub mod datetime;
pub mod dynamic;
pub mod ip;
pub mod json;
pub mod strings;
pub mod text;

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

/// The body of a UDF: arguments and the number of rows to produce.
pub type UdfFn = fn(&[ColumnarValue], usize) -> Result<ColumnarValue>;

/// A scalar UDF defined by a name, a fixed return type and a function.
pub struct KqlUdf {
    name: &'static str,
    signature: Signature,
    ret: DataType,
    func: UdfFn,
}

impl KqlUdf {
    pub fn new(name: &'static str, ret: DataType, func: UdfFn) -> KqlUdf {
        KqlUdf { name, signature: Signature::variadic_any(Volatility::Immutable), ret, func }
    }
}

impl fmt::Debug for KqlUdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KqlUdf").field("name", &self.name).finish()
    }
}

impl PartialEq for KqlUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for KqlUdf {}

impl Hash for KqlUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for KqlUdf {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.ret.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        (self.func)(&args.args, args.number_rows)
    }
}

fn definitions() -> Vec<KqlUdf> {
    let mut v = Vec::new();
    strings::register(&mut v);
    dynamic::register(&mut v);
    convert::register(&mut v);
    datetime::register(&mut v);
    text::register(&mut v);
    ip::register(&mut v);
    v
}

/// Every scalar UDF, by name.
fn registry() -> &'static HashMap<&'static str, Arc<ScalarUDF>> {
    static REGISTRY: OnceLock<HashMap<&'static str, Arc<ScalarUDF>>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        definitions().into_iter().map(|d| (d.name, Arc::new(ScalarUDF::new_from_impl(d)))).collect()
    })
}

/// All scalar UDFs, for registration in a session.
pub fn all() -> Vec<Arc<ScalarUDF>> {
    registry().values().cloned().collect()
}

/// The UDF called `name`. Names are compile-time constants of this crate, so a miss is a
/// bug; it is reported as an internal error by the caller.
pub fn get(name: &str) -> Option<Arc<ScalarUDF>> {
    registry().get(name).cloned()
}
