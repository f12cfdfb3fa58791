//! Simulation settings.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::error::{Error, Result};
use crate::truth::ScenarioKind;

/// Fewest devices the organisation needs: its fixed servers plus a few endpoints.
pub const MIN_DEVICES: usize = 16;
/// Fewest users: enough victims and spray targets for every scenario.
pub const MIN_USERS: usize = 40;

/// How to build and run a simulated organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// Everything random derives from this.
    pub seed: u64,
    /// Onboarded devices (servers and endpoints).
    pub devices: usize,
    /// Users with mailboxes.
    pub users: usize,
    /// Simulated time of the first event.
    pub start: DateTime<Utc>,
    /// Attacks are placed at seeded random times within [start, start + attack_window).
    pub attack_window: Duration,
    /// Mean benign events per simulated second for the whole organisation (over a week;
    /// working hours are busier than nights and weekends).
    pub benign_rate: f64,
    /// Which scenarios to play, each once.
    pub scenarios: Vec<ScenarioKind>,
    /// How often inventory tables (DeviceInfo, DeviceNetworkInfo) are reported again.
    pub device_inventory_interval: Duration,
    /// How often identity inventory (IdentityInfo, OAuthAppInfo) is reported again.
    pub identity_inventory_interval: Duration,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            seed: 1,
            devices: 60,
            users: 200,
            start: Utc.with_ymd_and_hms(2025, 3, 3, 6, 0, 0).single().unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
            attack_window: Duration::hours(24),
            benign_rate: 20.0,
            scenarios: ScenarioKind::ALL.to_vec(),
            device_inventory_interval: Duration::hours(1),
            identity_inventory_interval: Duration::hours(24),
        }
    }
}

impl SimConfig {
    /// Checks every field; [`crate::Simulation::try_new`] uses this.
    pub fn validate(&self) -> Result<()> {
        if self.devices < MIN_DEVICES {
            return Err(invalid("devices", format!("must be at least {MIN_DEVICES}, got {}", self.devices)));
        }
        if self.devices > 100_000 {
            return Err(invalid("devices", format!("must be at most 100000, got {}", self.devices)));
        }
        if self.users < MIN_USERS {
            return Err(invalid("users", format!("must be at least {MIN_USERS}, got {}", self.users)));
        }
        if self.users > 1_000_000 {
            return Err(invalid("users", format!("must be at most 1000000, got {}", self.users)));
        }
        if !self.benign_rate.is_finite() || self.benign_rate < 0.0 || self.benign_rate > 1_000_000.0 {
            return Err(invalid("benign_rate", format!("must be within 0..=1000000, got {}", self.benign_rate)));
        }
        if self.attack_window < Duration::minutes(1) {
            return Err(invalid("attack_window", "must be at least one minute".to_string()));
        }
        if self.attack_window > Duration::days(3650) {
            return Err(invalid("attack_window", "must be at most ten years".to_string()));
        }
        for (field, d) in [
            ("device_inventory_interval", self.device_inventory_interval),
            ("identity_inventory_interval", self.identity_inventory_interval),
        ] {
            if d < Duration::minutes(1) {
                return Err(invalid(field, "must be at least one minute".to_string()));
            }
        }
        Ok(())
    }

    /// The nearest valid config: sizes and rates clamped into range.
    pub fn normalized(&self) -> SimConfig {
        let mut c = self.clone();
        c.devices = c.devices.clamp(MIN_DEVICES, 100_000);
        c.users = c.users.clamp(MIN_USERS, 1_000_000);
        if !c.benign_rate.is_finite() || c.benign_rate < 0.0 {
            c.benign_rate = 0.0;
        }
        c.benign_rate = c.benign_rate.min(1_000_000.0);
        c.attack_window = c.attack_window.clamp(Duration::minutes(1), Duration::days(3650));
        c.device_inventory_interval = c.device_inventory_interval.max(Duration::minutes(1));
        c.identity_inventory_interval = c.identity_inventory_interval.max(Duration::minutes(1));
        c
    }
}

fn invalid(field: &'static str, reason: String) -> Error {
    Error::InvalidConfig { field, reason }
}
