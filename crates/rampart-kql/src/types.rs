//! Kusto scalar types and how each is represented in Arrow.

use std::fmt;

use datafusion::arrow::datatypes::{DataType, TimeUnit};
use rampart_schema::ColumnType;

/// The timezone of every timestamp.
pub const UTC: &str = "UTC";

/// A Kusto scalar type.
///
/// Representation inside plans: `string`/`guid` → Utf8 (a null is the empty string),
/// `datetime` → Timestamp(µs, UTC), `timespan` → Int64 microseconds (cast to
/// Duration(µs) in the final result), `long` → Int64, `int` → Int32, `real` → Float64,
/// `bool` → Boolean, `dynamic` → Utf8 holding compact JSON text (SQL NULL is `null`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KustoType {
    Bool,
    Int,
    Long,
    Real,
    String,
    Guid,
    DateTime,
    Timespan,
    Dynamic,
}

impl KustoType {
    /// The Kusto name (`string`, `long`, …).
    pub fn name(self) -> &'static str {
        match self {
            KustoType::Bool => "bool",
            KustoType::Int => "int",
            KustoType::Long => "long",
            KustoType::Real => "real",
            KustoType::String => "string",
            KustoType::Guid => "guid",
            KustoType::DateTime => "datetime",
            KustoType::Timespan => "timespan",
            KustoType::Dynamic => "dynamic",
        }
    }

    /// The .NET type name Kusto clients see (`getschema`'s DataType, Graph's hunting schema).
    pub fn dotnet_name(self) -> &'static str {
        match self {
            KustoType::Bool => "Boolean",
            KustoType::Int => "Int32",
            KustoType::Long => "Int64",
            KustoType::Real => "Double",
            KustoType::String => "String",
            KustoType::Guid => "Guid",
            KustoType::DateTime => "DateTime",
            KustoType::Timespan => "TimeSpan",
            KustoType::Dynamic => "Object",
        }
    }

    /// Parses a type name as written in KQL (`datatable(a:long)`, `to typeof(string)`).
    pub fn from_name(name: &str) -> Option<KustoType> {
        Some(match name {
            "bool" | "boolean" => KustoType::Bool,
            "int" | "int32" => KustoType::Int,
            "long" | "int64" => KustoType::Long,
            "real" | "double" | "decimal" | "float" => KustoType::Real,
            "string" => KustoType::String,
            "guid" | "uniqueid" | "uuid" => KustoType::Guid,
            "datetime" | "date" => KustoType::DateTime,
            "timespan" | "time" => KustoType::Timespan,
            "dynamic" => KustoType::Dynamic,
            _ => return None,
        })
    }

    /// The Arrow type values of this type have inside a plan.
    pub fn arrow(self) -> DataType {
        match self {
            KustoType::Bool => DataType::Boolean,
            KustoType::Int => DataType::Int32,
            KustoType::Long | KustoType::Timespan => DataType::Int64,
            KustoType::Real => DataType::Float64,
            KustoType::String | KustoType::Guid | KustoType::Dynamic => DataType::Utf8,
            KustoType::DateTime => timestamp(),
        }
    }

    /// The Arrow type of this type in a query result.
    pub fn output_arrow(self) -> DataType {
        match self {
            KustoType::Timespan => DataType::Duration(TimeUnit::Microsecond),
            other => other.arrow(),
        }
    }

    /// The Kusto type of an Arrow column of a table that is not in the Defender catalog.
    pub fn from_arrow(dt: &DataType) -> KustoType {
        match dt {
            DataType::Boolean => KustoType::Bool,
            DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => KustoType::Int,
            DataType::Int64 | DataType::UInt32 | DataType::UInt64 => KustoType::Long,
            DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) | DataType::Decimal256(..) => {
                KustoType::Real
            }
            DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => KustoType::DateTime,
            DataType::Duration(_) | DataType::Interval(_) => KustoType::Timespan,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => KustoType::String,
            _ => KustoType::Dynamic,
        }
    }

    pub fn from_column_type(t: ColumnType) -> KustoType {
        match t {
            ColumnType::String => KustoType::String,
            ColumnType::Guid => KustoType::Guid,
            ColumnType::DateTime => KustoType::DateTime,
            ColumnType::Long => KustoType::Long,
            ColumnType::Int => KustoType::Int,
            ColumnType::Bool => KustoType::Bool,
            ColumnType::Real => KustoType::Real,
            ColumnType::Dynamic => KustoType::Dynamic,
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, KustoType::Int | KustoType::Long | KustoType::Real)
    }

    /// Strings and guids: text that is never null in Kusto.
    pub fn is_stringy(self) -> bool {
        matches!(self, KustoType::String | KustoType::Guid)
    }
}

impl fmt::Display for KustoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Timestamp(µs, UTC).
pub fn timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into()))
}
