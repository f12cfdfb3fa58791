//! Benign background activity: a Poisson stream of small, realistic activities (a user
//! opening Outlook, a cron job, a Kerberos ticket, a newsletter arriving), generated one
//! simulated second at a time so the output does not depend on how `advance` is called.

mod cloud;
mod email;
pub(crate) mod identity;
pub(crate) mod inventory;
mod unix;
mod windows;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::baseline::Baseline;
use crate::images::Images;
use crate::org::Org;
use crate::row::{Emitter, Pending};
use crate::time::{Micros, SEC, diurnal};

/// Read-only world every activity sees.
pub(crate) struct World<'a> {
    pub org: &'a Org,
    pub img: &'a Images,
    pub base: &'a Baseline,
    pub idx: &'a DeviceIndex,
}

/// Devices grouped by kind, so activities pick in O(1).
#[derive(Debug, Clone)]
pub(crate) struct DeviceIndex {
    pub win_workstations: Vec<usize>,
    pub win_servers: Vec<usize>,
    pub linux: Vec<usize>,
    pub mac: Vec<usize>,
}

impl DeviceIndex {
    pub(crate) fn new(org: &Org) -> DeviceIndex {
        use crate::org::{DeviceRole, OsFamily};
        let sel = |f: &dyn Fn(&crate::org::Device) -> bool| -> Vec<usize> {
            org.devices.iter().enumerate().filter(|(_, d)| f(d)).map(|(i, _)| i).collect()
        };
        DeviceIndex {
            win_workstations: sel(&|d| d.os == OsFamily::Windows && d.role == DeviceRole::Workstation),
            win_servers: sel(&|d| d.os == OsFamily::Windows && d.role != DeviceRole::Workstation),
            linux: sel(&|d| d.os == OsFamily::Linux),
            mac: sel(&|d| d.os == OsFamily::MacOs),
        }
    }
}

type Activity = fn(&World, &mut ChaCha8Rng, &mut Emitter, Micros);

/// (activity, weight in working hours, weight at night)
const ACTIVITIES: &[(Activity, u32, u32)] = &[
    (windows::app_launch, 14, 3),
    (windows::browse, 16, 4),
    (windows::system, 12, 14),
    (windows::file_work, 8, 1),
    (windows::logon, 4, 1),
    (windows::server, 8, 10),
    (unix::linux, 8, 10),
    (unix::mac, 5, 1),
    (email::mail, 9, 4),
    (identity::sign_in, 5, 1),
    (identity::active_directory, 7, 5),
    (cloud::activity, 8, 2),
];

/// The benign generator's state.
pub(crate) struct Benign {
    rng: ChaCha8Rng,
    rate: f64,
    next_slot: Micros,
    /// Events still owed by earlier slots (negative when an activity overshot).
    debt: f64,
    heap: BinaryHeap<Reverse<Pending>>,
    next_device_inventory: Micros,
    next_identity_inventory: Micros,
    device_inventory_every: Micros,
    identity_inventory_every: Micros,
    day_weights: (Vec<u32>, Vec<u32>),
}

impl Benign {
    pub(crate) fn new(seed: u64, rate: f64, start: Micros, device_every: Micros, identity_every: Micros) -> Benign {
        let mut acc = 0;
        let day: Vec<u32> = ACTIVITIES
            .iter()
            .map(|a| {
                acc += a.1;
                acc
            })
            .collect();
        let mut acc = 0;
        let night: Vec<u32> = ACTIVITIES
            .iter()
            .map(|a| {
                acc += a.2;
                acc
            })
            .collect();
        Benign {
            rng: ChaCha8Rng::seed_from_u64(crate::ids::mix64(seed ^ 0xB5E1_6A7E)),
            rate,
            next_slot: start,
            debt: 0.0,
            heap: BinaryHeap::new(),
            next_device_inventory: start,
            next_identity_inventory: start,
            device_inventory_every: device_every.max(SEC),
            identity_inventory_every: identity_every.max(SEC),
            day_weights: (day, night),
        }
    }

    /// Generates every slot that starts before `to`.
    pub(crate) fn generate_until(&mut self, w: &World, em: &mut Emitter, to: Micros) {
        while self.next_slot < to {
            let t = self.next_slot;
            if t >= self.next_device_inventory {
                inventory::devices(w, &mut self.rng, em, t);
                self.next_device_inventory += self.device_inventory_every;
            }
            if t >= self.next_identity_inventory {
                inventory::identities(w, &mut self.rng, em, t);
                self.next_identity_inventory += self.identity_inventory_every;
            }
            let level = diurnal(t);
            self.debt += poisson(&mut self.rng, self.rate * level);
            let night = level < 0.6;
            let cum = if night { &self.day_weights.1 } else { &self.day_weights.0 };
            let total = cum.last().copied().unwrap_or(1);
            while self.debt > 0.0 {
                let before = em.out.len();
                let pick = self.rng.random_range(0..total);
                let idx = cum.partition_point(|&c| c <= pick);
                let at = t + self.rng.random_range(0..SEC);
                if let Some(a) = ACTIVITIES.get(idx) {
                    (a.0)(w, &mut self.rng, em, at);
                }
                let made = em.out.len() - before;
                // An activity that found nothing to do still costs one, so the loop ends.
                self.debt -= made.max(1) as f64;
            }
            for p in em.out.drain(..) {
                self.heap.push(Reverse(p));
            }
            self.next_slot += SEC;
        }
    }

    /// Removes and returns the generated events with timestamp before `to`, in order.
    pub(crate) fn take_before(&mut self, to: Micros) -> Vec<Pending> {
        let mut out = Vec::new();
        while let Some(Reverse(top)) = self.heap.peek() {
            if top.ts >= to {
                break;
            }
            if let Some(Reverse(p)) = self.heap.pop() {
                out.push(p);
            }
        }
        out
    }
}

/// A Poisson draw: Knuth's method for small means, a normal approximation above.
fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return 0.0;
    }
    if lambda < 30.0 {
        let l = (-lambda).exp();
        let mut k = 0.0;
        let mut p = 1.0;
        loop {
            p *= rng.random::<f64>();
            if p <= l {
                return k;
            }
            k += 1.0;
        }
    }
    // Box–Muller.
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (lambda + lambda.sqrt() * z).round().max(0.0)
}

/// Picks one element, or None from an empty slice.
pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() { None } else { items.get(rng.random_range(0..items.len())) }
}

/// An ephemeral client port.
pub(crate) fn ephemeral(rng: &mut ChaCha8Rng) -> i64 {
    rng.random_range(49152..65535)
}
