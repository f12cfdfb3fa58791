//! Generation speed: `cargo run --release -p rampart-sim --example sim_bench -- [EVENTS] [RATE]`.
//! Prints events per second of wall time and rows per table.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::Duration;
use rampart_sim::{SimConfig, Simulation};

fn main() {
    let mut args = std::env::args().skip(1);
    let target: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000_000);
    let rate: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20.0);
    let mut sim = Simulation::new(SimConfig { benign_rate: rate, ..SimConfig::default() });
    let started = Instant::now();
    let mut per: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut total = 0usize;
    let mut bytes = 0usize;
    for batch in sim.batches(Duration::minutes(10)) {
        for e in &batch {
            *per.entry(e.table).or_default() += 1;
            // Serialise as the NDJSON writer would, so the figure includes that cost.
            bytes += serde_json::to_string(&e.row).map(|s| s.len()).unwrap_or(0);
        }
        total += batch.len();
        if total >= target {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{total} events ({:.1} MB NDJSON) in {secs:.2} s: {:.0} events/s; simulated up to {}",
        bytes as f64 / 1e6,
        total as f64 / secs,
        sim.cursor()
    );
    for (t, n) in per {
        println!("  {t:<28} {n:>10}");
    }
}
