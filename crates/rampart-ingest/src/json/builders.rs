//! Typed Arrow builders for one table's storage schema.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::ArrowError;
use rampart_schema::{ColumnType, Table};

use super::cell::Cell;

pub(super) enum ColumnBuilder {
    Str(StringBuilder),
    I64(Int64Builder),
    I32(Int32Builder),
    F64(Float64Builder),
    Bool(BooleanBuilder),
    Micros(TimestampMicrosecondBuilder),
}

impl ColumnBuilder {
    fn new(kind: ColumnType) -> Self {
        match kind {
            ColumnType::String | ColumnType::Guid | ColumnType::Dynamic => Self::Str(StringBuilder::new()),
            ColumnType::Long => Self::I64(Int64Builder::new()),
            ColumnType::Int => Self::I32(Int32Builder::new()),
            ColumnType::Real => Self::F64(Float64Builder::new()),
            ColumnType::Bool => Self::Bool(BooleanBuilder::new()),
            ColumnType::DateTime => Self::Micros(micros_builder()),
        }
    }

    /// Appends a cell produced by `convert` for this column's type.
    pub(super) fn append(&mut self, cell: &Cell) {
        match (self, cell) {
            (Self::Str(b), Cell::Str(s)) => b.append_value(s),
            (Self::I64(b), Cell::I64(v)) => b.append_value(*v),
            (Self::I32(b), Cell::I32(v)) => b.append_value(*v),
            (Self::F64(b), Cell::F64(v)) => b.append_value(*v),
            (Self::Bool(b), Cell::Bool(v)) => b.append_value(*v),
            (Self::Micros(b), Cell::Micros(v)) => b.append_value(*v),
            (b, other) => {
                debug_assert!(matches!(other, Cell::Null), "cell {other:?} does not fit its column");
                b.append_null();
            }
        }
    }

    fn append_null(&mut self) {
        match self {
            Self::Str(b) => b.append_null(),
            Self::I64(b) => b.append_null(),
            Self::I32(b) => b.append_null(),
            Self::F64(b) => b.append_null(),
            Self::Bool(b) => b.append_null(),
            Self::Micros(b) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Self::Str(b) => Arc::new(b.finish()),
            Self::I64(b) => Arc::new(b.finish()),
            Self::I32(b) => Arc::new(b.finish()),
            Self::F64(b) => Arc::new(b.finish()),
            Self::Bool(b) => Arc::new(b.finish()),
            Self::Micros(b) => Arc::new(b.finish()),
        }
    }
}

fn micros_builder() -> TimestampMicrosecondBuilder {
    TimestampMicrosecondBuilder::new().with_timezone(rampart_schema::UTC)
}

/// Builders for every column of a table's storage schema, including the system columns.
pub(super) struct BatchBuilder {
    table: &'static Table,
    pub(super) columns: Vec<ColumnBuilder>,
    ingestion_time: TimestampMicrosecondBuilder,
    raw: StringBuilder,
    rows: usize,
}

impl BatchBuilder {
    pub(super) fn new(table: &'static Table) -> Self {
        BatchBuilder {
            table,
            columns: table.columns.iter().map(|c| ColumnBuilder::new(c.kind)).collect(),
            ingestion_time: micros_builder(),
            raw: StringBuilder::new(),
            rows: 0,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.rows
    }

    /// Appends one validated row: `cells[i]` for column `i`, ingestion time, `$Raw` text.
    pub(super) fn append_row(&mut self, cells: &[Cell], ingestion_micros: i64, raw: Option<&str>) {
        for (builder, cell) in self.columns.iter_mut().zip(cells) {
            builder.append(cell);
        }
        for builder in self.columns.iter_mut().skip(cells.len()) {
            builder.append_null();
        }
        self.ingestion_time.append_value(ingestion_micros);
        self.raw.append_option(raw);
        self.rows += 1;
    }

    pub(super) fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let mut arrays: Vec<ArrayRef> = self.columns.iter_mut().map(ColumnBuilder::finish).collect();
        arrays.push(Arc::new(self.ingestion_time.finish()));
        arrays.push(Arc::new(self.raw.finish()));
        self.rows = 0;
        RecordBatch::try_new(self.table.storage_schema().clone(), arrays)
    }
}
