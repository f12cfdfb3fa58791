//! One JSON value, read without building a DOM for scalars, and its conversion to a
//! column's type. The conversion rules are documented in `docs/ingest.md`.

use std::borrow::Cow;
use std::fmt;

use rampart_schema::ColumnType;
use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::time::parse_timestamp_micros;

/// A JSON value as it arrived. Strings borrow from the input when they hold no escapes.
#[derive(Debug)]
pub enum Scalar<'de> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'de, str>),
    /// An object or array.
    Complex(Value),
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::I64(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::U64(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::F64(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Scalar::Complex)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Scalar::Complex)
    }
}

impl<'a> Scalar<'a> {
    /// Borrows a `serde_json::Value` as a scalar (the path for rows built in memory).
    pub fn from_value(v: &'a Value) -> Scalar<'a> {
        match v {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Scalar::I64(i)
                } else if let Some(u) = n.as_u64() {
                    Scalar::U64(u)
                } else {
                    Scalar::F64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => Scalar::Str(Cow::Borrowed(s)),
            other => Scalar::Complex(other.clone()),
        }
    }

    /// Converts to the JSON value kept in `$Raw` for fields that are not columns.
    pub fn into_value(self) -> Value {
        match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::I64(i) => i.into(),
            Scalar::U64(u) => u.into(),
            Scalar::F64(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Scalar::Str(s) => Value::String(s.into_owned()),
            Scalar::Complex(v) => v,
        }
    }

    fn describe(&self) -> String {
        match self {
            Scalar::Null => "null".into(),
            Scalar::Bool(b) => format!("boolean {b}"),
            Scalar::I64(i) => format!("number {i}"),
            Scalar::U64(u) => format!("number {u}"),
            Scalar::F64(f) => format!("number {f}"),
            Scalar::Str(s) => format!("string {}", quote_short(s)),
            Scalar::Complex(Value::Array(_)) => "an array".into(),
            Scalar::Complex(_) => "an object".into(),
        }
    }
}

/// A value converted to a column's storage type.
#[derive(Debug, PartialEq)]
pub enum Cell<'a> {
    Null,
    Str(Cow<'a, str>),
    I64(i64),
    I32(i32),
    F64(f64),
    Bool(bool),
    /// Microseconds since the Unix epoch, UTC.
    Micros(i64),
}

/// Converts `v` for a column of type `kind`; the error is the reason shown to the sender.
pub fn convert<'a>(kind: ColumnType, v: Scalar<'a>) -> Result<Cell<'a>, String> {
    let blank = matches!(&v, Scalar::Str(s) if s.trim().is_empty());
    let text_like = matches!(kind, ColumnType::String | ColumnType::Guid | ColumnType::Dynamic);
    // Exporters write a missing number, boolean or date as "": that is a null, not an error.
    if matches!(v, Scalar::Null) || (blank && !text_like) {
        return Ok(Cell::Null);
    }
    match kind {
        ColumnType::String | ColumnType::Guid => Ok(Cell::Str(match v {
            Scalar::Str(s) => s,
            Scalar::Bool(b) => Cow::Owned(b.to_string()),
            Scalar::I64(i) => Cow::Owned(i.to_string()),
            Scalar::U64(u) => Cow::Owned(u.to_string()),
            Scalar::F64(f) => Cow::Owned(f.to_string()),
            Scalar::Complex(c) => Cow::Owned(c.to_string()),
            Scalar::Null => return Ok(Cell::Null),
        })),
        ColumnType::Dynamic => Ok(Cell::Str(match v {
            // Text that is itself JSON is stored as that JSON, as Kusto does.
            Scalar::Str(s) => match serde_json::from_str::<Value>(&s) {
                Ok(parsed) => Cow::Owned(parsed.to_string()),
                Err(_) => Cow::Owned(Value::String(s.into_owned()).to_string()),
            },
            other => Cow::Owned(other.into_value().to_string()),
        })),
        ColumnType::Long => to_i64(&v).map(Cell::I64).map_err(|e| format!("expected a long integer, got {}{e}", v.describe())),
        ColumnType::Int => to_i64(&v)
            .and_then(|i| i32::try_from(i).map_err(|_| " (out of range for int)"))
            .map(Cell::I32)
            .map_err(|e| format!("expected an int, got {}{e}", v.describe())),
        ColumnType::Real => match &v {
            Scalar::F64(f) => Some(Cell::F64(*f)),
            Scalar::I64(i) => Some(Cell::F64(*i as f64)),
            Scalar::U64(u) => Some(Cell::F64(*u as f64)),
            Scalar::Str(s) => s.trim().parse::<f64>().map(Cell::F64).ok(),
            _ => None,
        }
        .ok_or_else(|| format!("expected a real number, got {}", v.describe())),
        ColumnType::Bool => match &v {
            Scalar::Bool(b) => Some(Cell::Bool(*b)),
            Scalar::I64(0) | Scalar::U64(0) => Some(Cell::Bool(false)),
            Scalar::I64(1) | Scalar::U64(1) => Some(Cell::Bool(true)),
            Scalar::Str(s) => match s.trim() {
                t if t.eq_ignore_ascii_case("true") || t == "1" => Some(Cell::Bool(true)),
                t if t.eq_ignore_ascii_case("false") || t == "0" => Some(Cell::Bool(false)),
                _ => None,
            },
            _ => None,
        }
        .ok_or_else(|| format!("expected a boolean, got {}", v.describe())),
        ColumnType::DateTime => match &v {
            Scalar::Str(s) => parse_timestamp_micros(s)
                .map(Cell::Micros)
                .map_err(|why| format!("unparsable datetime {}: {why}", quote_short(s))),
            _ => Err(format!("expected a datetime string (ISO 8601), got {}", v.describe())),
        },
    }
}

fn to_i64(v: &Scalar) -> Result<i64, &'static str> {
    match v {
        Scalar::I64(i) => Ok(*i),
        Scalar::U64(u) => i64::try_from(*u).map_err(|_| " (out of range for long)"),
        Scalar::F64(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(*f as i64),
        Scalar::Str(s) => s.trim().parse::<i64>().map_err(|_| ""),
        _ => Err(""),
    }
}

/// Quotes a value for an error message, cut to a readable length.
fn quote_short(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        format!("{s:?}")
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut:?}…")
    }
}
