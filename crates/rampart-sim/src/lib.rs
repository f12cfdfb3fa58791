//! rampart-sim: the simulated organisation behind `rampart demo`.
//!
//! [`Simulation`] builds Meridian Freight (devices, users with mailboxes, cloud apps) from
//! a seed and then produces Defender advanced-hunting rows, table by table, as simulated
//! time advances: continuous benign activity across the Device*, Email*, Identity* and
//! CloudAppEvents tables, inventory snapshots, and multi-stage attack scenarios placed at
//! seeded random times. Each scenario records its [`GroundTruth`]: stages with ATT&CK
//! tactics and techniques, the `(table, ReportId)` of every event, the entities involved,
//! and the SigmaHQ rules and Rampart detections that should fire.
//!
//! Rows follow the ingest conventions: keys are exact column names, datetimes are RFC 3339
//! UTC strings with microseconds, long/int columns are integers, JSON-carrying columns are
//! JSON values, and every row has `Timestamp` and a unique `ReportId`.
//!
//! **Invariants.** No wall clock, no global state, no hash-map iteration order: the same
//! config gives byte-identical output, however `advance` is called. No I/O.

mod baseline;
mod benign;
mod config;
mod emit;
mod error;
mod ids;
mod images;
mod org;
mod row;
mod scenarios;
mod time;
mod truth;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

pub use config::{MIN_DEVICES, MIN_USERS, SimConfig};
pub use error::{Error, Result};
pub use org::{AdminAccount, CloudApp, Device, DeviceRole, Infra, Org, OsFamily, ServiceAccount, Site, User};
pub use truth::{DeviceEntity, Entities, EventRef, FileEntity, GroundTruth, ReportId, Scenario, ScenarioKind, Stage};

use baseline::Baseline;
use benign::{Benign, DeviceIndex, World};
use images::Images;
use row::{Emitter, Pending};
use scenarios::Planned;
use time::{Micros, to_micros};

/// One row of one table.
#[derive(Debug, Clone, PartialEq)]
pub struct SimEvent {
    pub table: &'static str,
    pub row: Map<String, Value>,
}

/// A simulated organisation producing telemetry as time advances.
pub struct Simulation {
    cfg: SimConfig,
    org: Org,
    images: Images,
    baseline: Baseline,
    index: DeviceIndex,
    emitter: Emitter,
    benign: Benign,
    /// Attack events, sorted by (timestamp, sequence); `next_attack` is the first not yet emitted.
    attack: Vec<Pending>,
    next_attack: usize,
    planned: Vec<Planned>,
    planned_truth: GroundTruth,
    visible_truth: GroundTruth,
    cursor: Micros,
}

impl Simulation {
    /// Builds the organisation and plans the scenarios. Out-of-range config values are
    /// clamped (see [`SimConfig::normalized`]); use [`Simulation::try_new`] to reject them.
    pub fn new(cfg: SimConfig) -> Simulation {
        Simulation::build(cfg.normalized())
    }

    /// Like [`Simulation::new`], but an invalid config is an error.
    pub fn try_new(cfg: SimConfig) -> Result<Simulation> {
        cfg.validate()?;
        Ok(Simulation::build(cfg))
    }

    fn build(cfg: SimConfig) -> Simulation {
        let start = to_micros(cfg.start);
        let mut org_rng = ChaCha8Rng::seed_from_u64(ids::mix64(cfg.seed ^ 0x0126_0A11));
        let org = Org::build(&mut org_rng, cfg.devices, cfg.users, start);
        let images = Images::new();
        let baseline = Baseline::build(&mut org_rng, &org, start);
        let index = DeviceIndex::new(&org);
        let mut emitter = Emitter::new(cfg.seed);
        let mut plan_rng = ChaCha8Rng::seed_from_u64(ids::mix64(cfg.seed ^ 0x5CE4_A210));
        let window = cfg.attack_window.num_microseconds().unwrap_or(i64::MAX / 4).max(1);
        let mut planned = Vec::new();
        let mut attack = Vec::new();
        for (n, &kind) in cfg.scenarios.iter().enumerate() {
            let t0 = start + plan_rng.random_range(0..window);
            if let Some((p, events)) = scenarios::play(kind, n, t0, &org, &images, &baseline, &mut emitter, &mut plan_rng) {
                planned.push(p);
                attack.extend(events);
            }
        }
        attack.sort();
        // Nothing is ever emitted before the start.
        attack.retain(|p| p.ts >= start);
        planned.sort_by_key(|p| (p.start, p.truth.id.clone()));
        let planned_truth = GroundTruth { seed: cfg.seed, scenarios: planned.iter().map(|p| p.truth.clone()).collect() };
        let benign = Benign::new(
            cfg.seed,
            cfg.benign_rate,
            start,
            duration_micros(cfg.device_inventory_interval),
            duration_micros(cfg.identity_inventory_interval),
        );
        Simulation {
            visible_truth: GroundTruth { seed: cfg.seed, scenarios: Vec::new() },
            cfg,
            org,
            images,
            baseline,
            index,
            emitter,
            benign,
            attack,
            next_attack: 0,
            planned,
            planned_truth,
            cursor: start,
        }
    }

    /// The organisation: devices, users, service accounts, cloud apps.
    pub fn org(&self) -> &Org {
        &self.org
    }

    /// The configuration in effect (after clamping).
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// Simulated time up to which events have been returned.
    pub fn cursor(&self) -> DateTime<Utc> {
        time::from_micros(self.cursor)
    }

    /// All events (benign and attack) with `Timestamp` in [previous cursor, `to`), sorted by
    /// `Timestamp`. The output does not depend on how time is chunked across calls. A `to`
    /// at or before the cursor returns nothing.
    pub fn advance(&mut self, to: DateTime<Utc>) -> Vec<SimEvent> {
        let to = to_micros(to);
        if to <= self.cursor {
            return Vec::new();
        }
        let world = World { org: &self.org, img: &self.images, base: &self.baseline, idx: &self.index };
        self.benign.generate_until(&world, &mut self.emitter, to);
        let mut benign = self.benign.take_before(to).into_iter().peekable();
        let first_attack = self.next_attack;
        while self.attack.get(self.next_attack).is_some_and(|p| p.ts < to) {
            self.next_attack += 1;
        }
        let attack_new = self.next_attack > first_attack;
        let mut attacks = self.attack.get(first_attack..self.next_attack).unwrap_or(&[]).iter().peekable();
        let mut out = Vec::with_capacity(benign.len() + (self.next_attack - first_attack));
        // Merge two sorted streams; at equal timestamps benign rows come first.
        loop {
            let take_attack = match (benign.peek(), attacks.peek()) {
                (None, None) => break,
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (Some(b), Some(a)) => a.ts < b.ts,
            };
            if take_attack {
                if let Some(a) = attacks.next() {
                    out.push(SimEvent { table: a.table, row: a.row.clone() });
                }
            } else if let Some(b) = benign.next() {
                out.push(SimEvent { table: b.table, row: b.row });
            }
        }
        self.cursor = to;
        if attack_new || self.visible_truth.scenarios.len() != self.started_scenarios() {
            self.refresh_truth();
        }
        out
    }

    /// Advances in steps of `step` forever; take what you need (e.g. for `--generate`).
    pub fn batches(&mut self, step: Duration) -> Batches<'_> {
        let step = step.max(Duration::microseconds(1));
        Batches { sim: self, step }
    }

    /// Ground truth for the scenarios whose time has been reached: every scenario that has
    /// started, with the events emitted so far (`complete` tells whether it has finished).
    pub fn ground_truth(&self) -> &GroundTruth {
        &self.visible_truth
    }

    /// Ground truth of every planned scenario, including those still in the future.
    pub fn planned_ground_truth(&self) -> &GroundTruth {
        &self.planned_truth
    }

    fn started_scenarios(&self) -> usize {
        self.planned.iter().filter(|p| p.start < self.cursor).count()
    }

    fn refresh_truth(&mut self) {
        let cursor = self.cursor;
        self.visible_truth.scenarios = self
            .planned
            .iter()
            .filter(|p| p.start < cursor)
            .map(|p| {
                let mut s = p.truth.clone();
                s.complete = p.end < cursor;
                if !s.complete {
                    let mut stages = Vec::new();
                    for (stage, times) in s.stages.into_iter().zip(p.event_times.iter()) {
                        let keep = times.iter().filter(|&&t| t < cursor).count();
                        if keep == 0 {
                            continue;
                        }
                        let mut stage = stage;
                        // Events of a stage are in time order, so the emitted ones come first.
                        stage.events.truncate(keep);
                        if let Some(last) = stage.events.last() {
                            stage.end = last.timestamp.clone();
                        }
                        stages.push(stage);
                    }
                    s.stages = stages;
                }
                s
            })
            .collect();
    }
}

fn duration_micros(d: Duration) -> Micros {
    d.num_microseconds().unwrap_or(i64::MAX / 4)
}

/// Iterator of successive [`Simulation::advance`] results, `step` of simulated time each.
pub struct Batches<'a> {
    sim: &'a mut Simulation,
    step: Duration,
}

impl Iterator for Batches<'_> {
    type Item = Vec<SimEvent>;

    fn next(&mut self) -> Option<Vec<SimEvent>> {
        let to = self.sim.cursor().checked_add_signed(self.step)?;
        Some(self.sim.advance(to))
    }
}

#[cfg(test)]
mod tests;
