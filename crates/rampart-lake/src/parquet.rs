//! Writing hot rows as Parquet (one file per UTC day, rows in event-time order) and
//! reading files back for compaction.

use bytes::Bytes;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, new_null_array};
use datafusion::arrow::compute::{concat_batches, sort_to_indices, take_record_batch};
use datafusion::arrow::datatypes::{Int64Type, SchemaRef, TimestampMicrosecondType};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use rampart_schema::Table;

use crate::manifest::FileEntry;
use crate::{Error, Result};

const DAY_MICROS: i64 = 86_400_000_000;

pub fn writer_properties(row_group_rows: usize, zstd_level: i32) -> Result<WriterProperties> {
    let level = ZstdLevel::try_new(zstd_level).map_err(|e| Error::Internal(format!("zstd level: {e}")))?;
    Ok(WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_max_row_group_row_count(Some(row_group_rows))
        .set_created_by(format!("rampart {}", env!("CARGO_PKG_VERSION")))
        .build())
}

/// The partitioning time of every row: `Timestamp`, or the ingestion time where the
/// table has no `Timestamp` or the row's is null.
fn event_times(table: &Table, batch: &RecordBatch) -> Vec<i64> {
    let ingested = batch.column(table.ingestion_time_index()).as_primitive::<TimestampMicrosecondType>();
    match table.timestamp_index() {
        Some(i) => {
            let ts = batch.column(i).as_primitive::<TimestampMicrosecondType>();
            (0..batch.num_rows()).map(|r| if ts.is_valid(r) { ts.value(r) } else { ingested.value(r) }).collect()
        }
        None => ingested.values().to_vec(),
    }
}

/// UTC day of a time in µs, as `YYYY-MM-DD`.
pub fn day_of(micros: i64) -> String {
    let days = micros.div_euclid(DAY_MICROS);
    chrono::DateTime::from_timestamp(days * 86_400, 0)
        .map_or_else(|| format!("day{days}"), |d| d.format("%Y-%m-%d").to_string())
}

/// Sorts the rows of `batches` by event time and encodes one Parquet file per day.
/// Returns entries without `path` (the caller names the files) and the file bytes.
pub fn encode_days(table: &Table, batches: &[RecordBatch], props: &WriterProperties) -> Result<Vec<(FileEntry, Bytes)>> {
    let schema = table.storage_schema().clone();
    let all = concat_batches(&schema, batches)?;
    if all.num_rows() == 0 {
        return Ok(Vec::new());
    }
    let times = datafusion::arrow::array::PrimitiveArray::<Int64Type>::from(event_times(table, &all));
    let order = sort_to_indices(&times, None, None)?;
    let sorted = take_record_batch(&all, &order)?;
    let times: Vec<i64> = order.values().iter().map(|&i| times.value(i as usize)).collect();
    let ingested = sorted.column(table.ingestion_time_index()).as_primitive::<TimestampMicrosecondType>().clone();

    let mut out = Vec::new();
    let mut start = 0;
    while start < times.len() {
        let day = times[start].div_euclid(DAY_MICROS);
        let end = start + times[start..].partition_point(|t| t.div_euclid(DAY_MICROS) == day);
        let slice = sorted.slice(start, end - start);
        let bytes = write_file(&schema, std::slice::from_ref(&slice), props)?;
        let ingested_at = ingested.values()[start..end].iter().copied().max().unwrap_or(0);
        out.push((
            FileEntry {
                path: String::new(),
                day: day_of(times[start]),
                rows: (end - start) as u64,
                bytes: bytes.len() as u64,
                min_time: times[start],
                max_time: times[end - 1],
                ingested_at,
            },
            bytes,
        ));
        start = end;
    }
    Ok(out)
}

/// Encodes batches, in the order given, as one Parquet file.
pub fn write_file(schema: &SchemaRef, batches: &[RecordBatch], props: &WriterProperties) -> Result<Bytes> {
    let mut buf = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut buf, schema.clone(), Some(props.clone()))?;
    for b in batches {
        writer.write(b)?;
    }
    writer.close()?;
    Ok(Bytes::from(buf))
}

/// Reads a whole Parquet file, conformed to `schema`.
pub fn read_file(bytes: Bytes, schema: &SchemaRef) -> Result<Vec<RecordBatch>> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)?.with_batch_size(8192).build()?;
    reader.map(|b| conform(&b?, schema)).collect()
}

/// Lines a batch written under an older schema up with `schema`, by column name:
/// columns added since are filled with nulls, columns since removed are dropped.
pub fn conform(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    if batch.schema().fields() == schema.fields() {
        return Ok(RecordBatch::try_new(schema.clone(), batch.columns().to_vec())?);
    }
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|f| match batch.column_by_name(f.name()) {
            Some(c) if c.data_type() == f.data_type() => Ok(c.clone()),
            Some(c) => datafusion::arrow::compute::cast(c, f.data_type()).map_err(Error::from),
            None => Ok(new_null_array(f.data_type(), batch.num_rows())),
        })
        .collect::<Result<_>>()?;
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}
