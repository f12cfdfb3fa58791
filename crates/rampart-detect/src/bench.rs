//! Throughput measurements for `rampart bench detect` and the `scan_bench` example:
//! detection alone on events already in memory (per core), and a whole scan.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rampart_ingest::evtx::read_file;
use serde_json::{Map, Value};

use crate::detector::Detector;
use crate::scan;

/// What [`run`] measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    pub rules: usize,
    pub files: usize,
    /// Events read from the EVTX files (records that could not be read are not counted).
    pub events: u64,
    /// One thread matching events already read: detection cost alone.
    pub detect_time: Duration,
    pub detections: u64,
    /// A whole scan (read, map, match) on `threads` threads.
    pub scan_time: Duration,
    pub scan_hits: usize,
    pub threads: usize,
}

impl BenchReport {
    pub fn detect_events_per_sec(&self) -> f64 {
        self.events as f64 / self.detect_time.as_secs_f64().max(1e-9)
    }

    pub fn scan_events_per_sec(&self) -> f64 {
        self.events as f64 / self.scan_time.as_secs_f64().max(1e-9)
    }
}

/// Measures `detector` over the `.evtx` files among `files`. Holds every event of
/// the files in memory for the detection-only pass, so give it a corpus, not a disk.
pub fn run(detector: &Detector, files: &[PathBuf], threads: usize) -> BenchReport {
    let files: Vec<PathBuf> =
        files.iter().filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("evtx"))).cloned().collect();
    let events: Vec<Map<String, Value>> = files
        .iter()
        .filter_map(|p| read_file(p).ok())
        .flat_map(|records| records.filter_map(Result::ok).map(|m| m.raw))
        .collect();

    let mut matcher = detector.matcher();
    let start = Instant::now();
    let detections: u64 = events.iter().map(|e| matcher.windows(e).len() as u64).sum();
    let detect_time = start.elapsed();

    let start = Instant::now();
    let report = scan::scan(detector, &files, threads, &|_, _| {});
    let scan_time = start.elapsed();

    BenchReport {
        rules: detector.rules().len(),
        files: files.len(),
        events: events.len() as u64,
        detect_time,
        detections,
        scan_time,
        scan_hits: report.hits.len(),
        threads,
    }
}
