//! Scans the EVTX corpus with the SigmaHQ Windows rules and prints throughput.
//!
//! `cargo run --example scan_bench [EVTX_DIR] [SIGMA_DIR]` (defaults: the shared corpora).

use std::path::PathBuf;

use rampart_detect::{Detector, bench, scan};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let evtx = args.next().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/work/shared/corpora/evtx"));
    let sigma = args.next().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/work/shared/corpora/sigma"));
    let rule_dirs: Vec<PathBuf> = ["rules/windows", "rules-emerging-threats", "rules-threat-hunting/windows"]
        .iter()
        .map(|d| sigma.join(d))
        .filter(|d| d.is_dir())
        .collect();

    let start = std::time::Instant::now();
    let (detector, report) = Detector::load(&rule_dirs)?;
    let load = start.elapsed();
    let files = scan::input_files(&[&evtx])?;
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let b = bench::run(&detector, &files, threads);

    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("| measure ({profile}) | value |");
    println!("|---|---|");
    println!("| rules loaded / failed | {} / {} (load {:.2?}) |", report.loaded, report.failed.len(), load);
    println!("| rules reachable by a mapped log source | {} |", detector.routable_rules());
    println!("| files / events | {} / {} |", b.files, b.events);
    println!("| detection only, 1 thread | {:.0} events/s ({} detections, {:.2?}) |", b.detect_events_per_sec(), b.detections, b.detect_time);
    println!("| scan end to end, {} threads | {:.0} events/s ({} hits, {:.2?}) |", b.threads, b.scan_events_per_sec(), b.scan_hits, b.scan_time);
    Ok(())
}
