//! The on-disk frame of one write-ahead-log record.
//!
//! ```text
//! magic u32 "RWL1" | body_len u32 | crc32 u32 (of body) | body
//! body = lsn u64 | ingest_micros i64 | table_len u16 | table name | Arrow IPC stream
//! ```
//! All integers are little-endian. A frame is valid only if its magic, length and
//! checksum agree, so a write torn by a crash is recognised and never replayed.

use std::io::Cursor;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::ipc::reader::StreamReader;
use datafusion::arrow::ipc::writer::StreamWriter;

pub const MAGIC: u32 = u32::from_le_bytes(*b"RWL1");
pub const HEADER_LEN: usize = 12;
/// Records larger than this are refused on write and treated as damage on read.
pub const MAX_BODY_LEN: usize = 1 << 30;

/// A decoded record.
#[derive(Debug)]
pub struct Record {
    pub lsn: u64,
    pub ingest_micros: i64,
    pub table: String,
    pub batch: RecordBatch,
}

/// Encodes the body of a record; the LSN is patched in by the writer thread with
/// [`set_lsn`] once it is known, so encoding can happen on the caller's thread.
pub fn encode(table: &str, ingest_micros: i64, batch: &RecordBatch) -> Result<Vec<u8>, String> {
    let name = table.as_bytes();
    let name_len = u16::try_from(name.len()).map_err(|_| "table name too long".to_string())?;
    let mut frame = Vec::with_capacity(HEADER_LEN + 18 + name.len() + batch.get_array_memory_size());
    frame.extend_from_slice(&[0u8; HEADER_LEN]);
    frame.extend_from_slice(&0u64.to_le_bytes());
    frame.extend_from_slice(&ingest_micros.to_le_bytes());
    frame.extend_from_slice(&name_len.to_le_bytes());
    frame.extend_from_slice(name);
    {
        let mut writer = StreamWriter::try_new(&mut frame, &batch.schema()).map_err(|e| e.to_string())?;
        writer.write(batch).map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
    }
    let body_len = frame.len() - HEADER_LEN;
    if body_len > MAX_BODY_LEN {
        return Err(format!("record of {body_len} bytes exceeds the {MAX_BODY_LEN}-byte limit"));
    }
    frame[0..4].copy_from_slice(&MAGIC.to_le_bytes());
    frame[4..8].copy_from_slice(&(body_len as u32).to_le_bytes());
    Ok(frame)
}

/// Writes the LSN into an encoded frame and seals it with its checksum.
pub fn set_lsn(frame: &mut [u8], lsn: u64) {
    frame[HEADER_LEN..HEADER_LEN + 8].copy_from_slice(&lsn.to_le_bytes());
    let crc = crc32fast::hash(&frame[HEADER_LEN..]);
    frame[8..12].copy_from_slice(&crc.to_le_bytes());
}

/// What reading a frame at some offset found.
#[derive(Debug)]
pub enum Frame {
    Record(Record, usize),
    /// End of data: nothing (or only zero padding) follows.
    End,
    /// A frame that is incomplete or fails its checksum.
    Damaged(String),
}

/// Reads the frame starting at the front of `buf`; on success also returns its length.
pub fn decode(buf: &[u8]) -> Frame {
    // A crash can leave the file extended with zeros past the last complete write.
    if buf.iter().take(HEADER_LEN).all(|&b| b == 0) {
        return Frame::End;
    }
    if buf.len() < HEADER_LEN {
        return Frame::Damaged(format!("truncated header ({} bytes)", buf.len()));
    }
    let word = |i: usize| u32::from_le_bytes([buf[i], buf[i + 1], buf[i + 2], buf[i + 3]]);
    if word(0) != MAGIC {
        return Frame::Damaged("bad magic".into());
    }
    let body_len = word(4) as usize;
    if !(18..=MAX_BODY_LEN).contains(&body_len) {
        return Frame::Damaged(format!("implausible record length {body_len}"));
    }
    let Some(body) = buf.get(HEADER_LEN..HEADER_LEN + body_len) else {
        return Frame::Damaged(format!("truncated record: {} of {body_len} bytes", buf.len() - HEADER_LEN));
    };
    if crc32fast::hash(body) != word(8) {
        return Frame::Damaged("checksum mismatch".into());
    }
    match decode_body(body) {
        Ok(record) => Frame::Record(record, HEADER_LEN + body_len),
        Err(e) => Frame::Damaged(e),
    }
}

fn decode_body(body: &[u8]) -> Result<Record, String> {
    let lsn = u64::from_le_bytes(body[0..8].try_into().map_err(|_| "short body")?);
    let ingest_micros = i64::from_le_bytes(body[8..16].try_into().map_err(|_| "short body")?);
    let name_len = u16::from_le_bytes([body[16], body[17]]) as usize;
    let name = body.get(18..18 + name_len).ok_or("truncated table name")?;
    let table = std::str::from_utf8(name).map_err(|_| "table name is not UTF-8")?.to_string();
    let mut reader = StreamReader::try_new(Cursor::new(&body[18 + name_len..]), None).map_err(|e| e.to_string())?;
    let batch = reader.next().ok_or("record holds no batch")?.map_err(|e| e.to_string())?;
    Ok(Record { lsn, ingest_micros, table, batch })
}
