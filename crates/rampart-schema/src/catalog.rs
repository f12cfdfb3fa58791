use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use serde::Deserialize;

use crate::{Error, INGESTION_TIME, RAW};

const SCHEMA_JSON: &str = include_str!("../data/hunting-schema.json");

/// The timezone all timestamps are stored in.
pub const UTC: &str = "UTC";

/// The Kusto type of a column, as written in the schema file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    String,
    /// A GUID, stored as its text form.
    Guid,
    DateTime,
    Long,
    Int,
    Bool,
    Real,
    /// A JSON value, stored as compact JSON text. The one rule: a JSON string that
    /// itself parses as JSON is stored as that JSON (as Kusto does when text is
    /// ingested into a dynamic column); any other value is stored as its own JSON.
    Dynamic,
}

impl ColumnType {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "string" => Self::String,
            "guid" => Self::Guid,
            "datetime" => Self::DateTime,
            "long" => Self::Long,
            "int" => Self::Int,
            "bool" | "boolean" => Self::Bool,
            "real" | "double" => Self::Real,
            "dynamic" => Self::Dynamic,
            _ => return None,
        })
    }

    /// The Kusto name of the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Guid => "guid",
            Self::DateTime => "datetime",
            Self::Long => "long",
            Self::Int => "int",
            Self::Bool => "bool",
            Self::Real => "real",
            Self::Dynamic => "dynamic",
        }
    }

    /// The Arrow type a column of this type is stored as.
    pub fn arrow(self) -> DataType {
        match self {
            Self::String | Self::Guid | Self::Dynamic => DataType::Utf8,
            Self::DateTime => timestamp_type(),
            Self::Long => DataType::Int64,
            Self::Int => DataType::Int32,
            Self::Bool => DataType::Boolean,
            Self::Real => DataType::Float64,
        }
    }
}

/// The Arrow type of every timestamp Rampart stores.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into()))
}

/// The product area a table belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    Endpoint,
    Email,
    Identity,
    CloudApps,
    Alerts,
    Tvm,
}

impl Workload {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "endpoint" => Self::Endpoint,
            "email" => Self::Email,
            "identity" => Self::Identity,
            "cloud_apps" => Self::CloudApps,
            "alerts" => Self::Alerts,
            "tvm" => Self::Tvm,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnType,
    pub description: String,
}

#[derive(Debug, serde::Serialize)]
pub struct Table {
    pub name: String,
    pub workload: Workload,
    pub description: String,
    pub columns: Vec<Column>,
    /// Whether Defender accepts the table in continuous (NRT) custom detections.
    pub nrt_custom_detection: bool,
    #[serde(skip)]
    by_name: HashMap<String, usize>,
    #[serde(skip)]
    schema: SchemaRef,
    #[serde(skip)]
    storage_schema: SchemaRef,
}

impl Table {
    /// Index and definition of a column (exact, case-sensitive name as in Kusto).
    pub fn column(&self, name: &str) -> Option<(usize, &Column)> {
        self.by_name.get(name).map(|&i| (i, &self.columns[i]))
    }

    /// Index of `Timestamp`, the event time that partitions the lake, if the table has
    /// one of type datetime (OAuthAppInfo documents its `Timestamp` as a string).
    pub fn timestamp_index(&self) -> Option<usize> {
        self.by_name.get("Timestamp").copied().filter(|&i| self.columns[i].kind == ColumnType::DateTime)
    }

    /// The Arrow schema of Defender's columns only, as analysts see the table.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The stored schema: Defender's columns followed by the system columns
    /// [`INGESTION_TIME`] and [`RAW`].
    pub fn storage_schema(&self) -> &SchemaRef {
        &self.storage_schema
    }

    /// Index of the [`INGESTION_TIME`] column in the storage schema.
    pub fn ingestion_time_index(&self) -> usize {
        self.columns.len()
    }

    /// Index of the [`RAW`] column in the storage schema.
    pub fn raw_index(&self) -> usize {
        self.columns.len() + 1
    }
}

/// All tables of the hunting schema, in the order of the schema file.
#[derive(Debug)]
pub struct Catalog {
    tables: Vec<Table>,
    by_name: HashMap<String, usize>,
}

/// The catalog built from the embedded schema file.
///
/// The file is part of the source tree and a unit test loads it, so a malformed
/// file fails the build's tests rather than a running server.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        #[allow(clippy::expect_used)]
        Catalog::from_json(SCHEMA_JSON).expect("embedded hunting schema is valid (tested)")
    })
}

impl Catalog {
    /// Builds a catalog from the JSON layout of `hunting-schema.json`.
    pub fn from_json(json: &str) -> Result<Catalog, Error> {
        let raw: RawSchema = serde_json::from_str(json).map_err(|e| Error::Malformed(e.to_string()))?;
        let mut tables = Vec::with_capacity(raw.tables.len());
        let mut by_name = HashMap::new();
        for t in raw.tables {
            let table = build_table(t)?;
            if by_name.insert(table.name.clone(), tables.len()).is_some() {
                return Err(Error::Malformed(format!("table {} is defined twice", table.name)));
            }
            tables.push(table);
        }
        Ok(Catalog { tables, by_name })
    }

    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// Looks a table up by its exact name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.by_name.get(name).map(|&i| &self.tables[i])
    }

    /// Like [`Catalog::table`], with an error that lists what exists.
    pub fn require(&self, name: &str) -> Result<&Table, Error> {
        self.table(name).ok_or_else(|| Error::UnknownTable { name: name.to_string() })
    }

    /// Table names, in schema order.
    pub fn table_names(&self) -> impl Iterator<Item = &str> {
        self.tables.iter().map(|t| t.name.as_str())
    }
}

#[derive(Deserialize)]
struct RawSchema {
    tables: Vec<RawTable>,
}

#[derive(Deserialize)]
struct RawTable {
    name: String,
    workload: String,
    #[serde(default)]
    description: String,
    columns: Vec<RawColumn>,
    #[serde(default)]
    nrt_custom_detection: bool,
}

#[derive(Deserialize)]
struct RawColumn {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    description: String,
}

fn build_table(t: RawTable) -> Result<Table, Error> {
    let workload = Workload::parse(&t.workload)
        .ok_or_else(|| Error::Malformed(format!("table {}: unknown workload '{}'", t.name, t.workload)))?;
    let mut columns = Vec::with_capacity(t.columns.len());
    let mut by_name = HashMap::new();
    for c in t.columns {
        let kind = ColumnType::parse(&c.kind).ok_or_else(|| {
            Error::Malformed(format!("table {}: column {} has unknown type '{}'", t.name, c.name, c.kind))
        })?;
        if c.name.starts_with('$') {
            return Err(Error::Malformed(format!("table {}: column {} uses the reserved '$' prefix", t.name, c.name)));
        }
        if by_name.insert(c.name.clone(), columns.len()).is_some() {
            return Err(Error::Malformed(format!("table {}: column {} is defined twice", t.name, c.name)));
        }
        columns.push(Column { name: c.name, kind, description: c.description });
    }
    let fields: Vec<Field> = columns.iter().map(|c| Field::new(&c.name, c.kind.arrow(), true)).collect();
    let schema = Arc::new(Schema::new(fields.clone()));
    let mut storage = fields;
    storage.push(Field::new(INGESTION_TIME, timestamp_type(), false));
    storage.push(Field::new(RAW, DataType::Utf8, true));
    Ok(Table {
        name: t.name,
        workload,
        description: t.description,
        columns,
        nrt_custom_detection: t.nrt_custom_detection,
        by_name,
        schema,
        storage_schema: Arc::new(Schema::new(storage)),
    })
}
