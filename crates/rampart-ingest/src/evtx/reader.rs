//! [`read_file`]: streams the records of one EVTX file as mapped events.

use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use evtx::{EvtxChunkData, EvtxParser, IntoIterChunks, ParserSettings};

use super::error::{EvtxError, chain};
use super::{MappedEvent, WinEvent, map_event_owned};

/// Streams the records of one file; a record that cannot be parsed is an `Err` that
/// names file, record position and reason — it never stops the stream.
///
/// Records are read chunk by chunk (64 KiB, a few hundred records) in the order
/// Windows reads them, so memory stays bounded whatever the file's size. Only a file
/// that cannot be opened, or has no EVTX header, fails as a whole.
pub fn read_file(
    path: &Path,
) -> Result<impl Iterator<Item = Result<MappedEvent, EvtxError>> + use<>, EvtxError> {
    let open_err = |reason: String| EvtxError::Open {
        path: path.to_path_buf(),
        reason,
    };
    let file = File::open(path).map_err(|e| open_err(e.to_string()))?;
    let parser = EvtxParser::from_read_seek(file).map_err(|e| open_err(chain(&e)))?;
    // Compact JSON, attributes under `#attributes`: the layout `from_evtx_json` reads.
    let settings = Arc::new(
        ParserSettings::new()
            .indent(false)
            .separate_json_attributes(false),
    );
    Ok(Records {
        path: path.to_path_buf(),
        chunks: parser
            .with_configuration(ParserSettings::clone(&settings))
            .into_chunks(),
        settings,
        position: 0,
        pending: VecDeque::new(),
    })
}

struct Records {
    path: PathBuf,
    chunks: IntoIterChunks<File>,
    settings: Arc<ParserSettings>,
    /// Records (and record errors) yielded so far.
    position: u64,
    pending: VecDeque<Result<MappedEvent, EvtxError>>,
}

impl Iterator for Records {
    type Item = Result<MappedEvent, EvtxError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            match self.chunks.next()? {
                Ok(chunk) => self.read_chunk(chunk),
                Err(e) => {
                    return Some(Err(EvtxError::Chunk {
                        path: self.path.clone(),
                        chunk: chunk_of(&e),
                        reason: chain(&e),
                    }));
                }
            }
        }
    }
}

impl Records {
    fn read_chunk(&mut self, mut data: EvtxChunkData) {
        let number = data.number;
        let mut chunk = match data.parse(Arc::clone(&self.settings)) {
            Ok(c) => c,
            Err(e) => {
                let reason = chain(&e);
                self.pending.push_back(Err(EvtxError::Chunk {
                    path: self.path.clone(),
                    chunk: number,
                    reason,
                }));
                return;
            }
        };
        for record in chunk.iter() {
            self.position += 1;
            let record_id = record.as_ref().ok().map(|r| r.event_record_id);
            let mapped = record
                .and_then(|r| r.into_json_bytes())
                .map_err(|e| chain(&e))
                .and_then(|r| {
                    serde_json::from_slice(&r.data)
                        .map_err(|e| format!("rendered json is invalid: {e}"))
                })
                .and_then(|v| WinEvent::from_evtx_value(v).map_err(|e| e.to_string()))
                .map(map_event_owned)
                .map_err(|reason| EvtxError::Record {
                    path: self.path.clone(),
                    position: self.position,
                    chunk: number,
                    record_id,
                    reason,
                });
            self.pending.push_back(mapped);
        }
    }
}

/// The chunk an evtx error names, if any.
fn chunk_of(e: &evtx::err::EvtxError) -> Option<u64> {
    match e {
        evtx::err::EvtxError::FailedToParseChunk { chunk_id, .. } => Some(*chunk_id),
        _ => None,
    }
}
