//! Helpers shared by the UDFs: uniform access to string arguments whatever their Arrow
//! string flavour, and to arguments that may be scalars or arrays.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Array, LargeStringArray, StringArray, StringBuilder, StringViewArray,
};
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::ColumnarValue;

/// A string column of any Arrow string type.
#[derive(Clone, Copy)]
pub enum Strs<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strs<'a> {
    pub fn new(array: &'a ArrayRef) -> Result<Strs<'a>> {
        Ok(match array.data_type() {
            DataType::Utf8 => Strs::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Strs::Large(array.as_string::<i64>()),
            DataType::Utf8View => Strs::View(array.as_string_view()),
            other => return exec_err!("expected a string argument, got {other}"),
        })
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strs::Utf8(a) => (!a.is_null(i)).then(|| a.value(i)),
            Strs::Large(a) => (!a.is_null(i)).then(|| a.value(i)),
            Strs::View(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }

    /// The value, with null read as the empty string (Kusto strings are never null).
    #[inline]
    pub fn get_or_empty(&self, i: usize) -> &'a str {
        self.get(i).unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> usize {
        match self {
            Strs::Utf8(a) => a.len(),
            Strs::Large(a) => a.len(),
            Strs::View(a) => a.len(),
        }
    }
}

/// One argument of a UDF call: a constant or a column.
pub enum Arg<'a> {
    Scalar(&'a ScalarValue),
    Array(&'a ArrayRef),
}

impl<'a> Arg<'a> {
    pub fn new(v: &'a ColumnarValue) -> Arg<'a> {
        match v {
            ColumnarValue::Scalar(s) => Arg::Scalar(s),
            ColumnarValue::Array(a) => Arg::Array(a),
        }
    }

    /// The constant string, if this argument is a string constant (None for null).
    pub fn scalar_str(&self) -> Option<Option<&'a str>> {
        match self {
            Arg::Scalar(s) => match s {
                ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => Some(v.as_deref()),
                ScalarValue::Null => Some(None),
                _ => None,
            },
            Arg::Array(_) => None,
        }
    }

    pub fn scalar_i64(&self) -> Option<Option<i64>> {
        match self {
            Arg::Scalar(s) => match s {
                ScalarValue::Int64(v) => Some(*v),
                ScalarValue::Int32(v) => Some(v.map(i64::from)),
                ScalarValue::Null => Some(None),
                _ => None,
            },
            Arg::Array(_) => None,
        }
    }
}

/// A string argument read row by row, constant or not.
pub enum StrArg<'a> {
    Const(Option<&'a str>),
    Col(Strs<'a>),
}

impl<'a> StrArg<'a> {
    pub fn new(v: &'a ColumnarValue) -> Result<StrArg<'a>> {
        match v {
            ColumnarValue::Scalar(s) => match s {
                ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => Ok(StrArg::Const(v.as_deref())),
                ScalarValue::Null => Ok(StrArg::Const(None)),
                other => exec_err!("expected a string argument, got {}", other.data_type()),
            },
            ColumnarValue::Array(a) => Ok(StrArg::Col(Strs::new(a)?)),
        }
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            StrArg::Const(v) => *v,
            StrArg::Col(s) => s.get(i),
        }
    }

    #[inline]
    pub fn get_or_empty(&self, i: usize) -> &'a str {
        self.get(i).unwrap_or("")
    }

    pub fn is_const(&self) -> bool {
        matches!(self, StrArg::Const(_))
    }
}

/// An integer argument read row by row.
pub enum IntArg<'a> {
    Const(Option<i64>),
    Col(&'a ArrayRef),
}

impl<'a> IntArg<'a> {
    pub fn new(v: &'a ColumnarValue) -> Result<IntArg<'a>> {
        match v {
            ColumnarValue::Scalar(s) => match s {
                ScalarValue::Int64(v) => Ok(IntArg::Const(*v)),
                ScalarValue::Int32(v) => Ok(IntArg::Const(v.map(i64::from))),
                ScalarValue::Float64(v) => Ok(IntArg::Const(v.map(|f| f as i64))),
                ScalarValue::Null => Ok(IntArg::Const(None)),
                other => exec_err!("expected an integer argument, got {}", other.data_type()),
            },
            ColumnarValue::Array(a) => match a.data_type() {
                DataType::Int64 | DataType::Int32 | DataType::Float64 => Ok(IntArg::Col(a)),
                other => exec_err!("expected an integer argument, got {other}"),
            },
        }
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<i64> {
        match self {
            IntArg::Const(v) => *v,
            IntArg::Col(a) => {
                if a.is_null(i) {
                    return None;
                }
                match a.data_type() {
                    DataType::Int64 => Some(a.as_primitive::<datafusion::arrow::datatypes::Int64Type>().value(i)),
                    DataType::Int32 => Some(i64::from(a.as_primitive::<datafusion::arrow::datatypes::Int32Type>().value(i))),
                    _ => Some(a.as_primitive::<datafusion::arrow::datatypes::Float64Type>().value(i) as i64),
                }
            }
        }
    }
}

/// Builds a string column by mapping each row.
pub fn map_strings(n: usize, mut f: impl FnMut(usize, &mut String) -> bool) -> ColumnarValue {
    let mut b = StringBuilder::with_capacity(n, n * 8);
    let mut buf = String::new();
    for i in 0..n {
        buf.clear();
        if f(i, &mut buf) {
            b.append_value(&buf);
        } else {
            b.append_null();
        }
    }
    ColumnarValue::Array(Arc::new(b.finish()))
}

/// Builds a boolean column (never null) by mapping each row.
pub fn map_bools(n: usize, f: impl FnMut(usize) -> bool) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(BooleanArray::new(BooleanBuffer::collect_bool(n, f), None)))
}

/// Builds a boolean column with nulls.
pub fn map_opt_bools(n: usize, mut f: impl FnMut(usize) -> Option<bool>) -> ColumnarValue {
    let arr: BooleanArray = (0..n).map(&mut f).collect();
    ColumnarValue::Array(Arc::new(arr))
}

/// Builds an Int64 column with nulls.
pub fn map_i64(n: usize, f: impl FnMut(usize) -> Option<i64>) -> ColumnarValue {
    let arr: Int64Array = (0..n).map(f).collect();
    ColumnarValue::Array(Arc::new(arr))
}

/// Checks the argument count of a UDF call.
pub fn arity(name: &str, args: &[ColumnarValue], min: usize, max: usize) -> Result<()> {
    if args.len() < min || args.len() > max {
        return exec_err!("{name} expects {min}..={max} arguments, got {}", args.len());
    }
    Ok(())
}
