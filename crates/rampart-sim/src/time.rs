//! Simulated time: microseconds since the Unix epoch, formatting, and the daily rhythm.
//!
//! The simulator never reads the wall clock; every instant comes from the config's start
//! and the cursor that [`crate::Simulation::advance`] moves.

use chrono::{DateTime, Utc};

/// Microseconds since 1970-01-01T00:00:00Z.
pub(crate) type Micros = i64;

pub(crate) const SEC: Micros = 1_000_000;
pub(crate) const MIN: Micros = 60 * SEC;
pub(crate) const HOUR: Micros = 60 * MIN;
pub(crate) const DAY: Micros = 24 * HOUR;

/// Hours the organisation's local time is behind UTC (US Central, standard time).
pub(crate) const ORG_UTC_OFFSET_HOURS: i64 = -6;

pub(crate) fn to_micros(t: DateTime<Utc>) -> Micros {
    t.timestamp_micros()
}

pub(crate) fn from_micros(us: Micros) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(us).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Days since the epoch to a proleptic Gregorian (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// RFC 3339 UTC with microseconds and `Z`, e.g. `2025-03-04T09:15:02.123456Z`.
pub(crate) fn fmt_ts(us: Micros) -> String {
    let days = us.div_euclid(DAY);
    let rem = us.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = rem / SEC;
    let frac = rem % SEC;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Local hour of day (0..24, fractional) and weekday (0 = Monday) at the organisation.
pub(crate) fn local_hour_weekday(us: Micros) -> (f64, i64) {
    let local = us + ORG_UTC_OFFSET_HOURS * HOUR;
    let day = local.div_euclid(DAY);
    let hour = local.rem_euclid(DAY) as f64 / HOUR as f64;
    // 1970-01-01 was a Thursday (weekday 3).
    (hour, (day + 3).rem_euclid(7))
}

/// Relative activity level at an instant; its mean over a week is 1.
///
/// Working hours (08:00–18:00 local, Monday–Friday) are busy, nights and weekends keep
/// a floor of machine-driven activity.
pub(crate) fn diurnal(us: Micros) -> f64 {
    let (h, wd) = local_hour_weekday(us);
    let weekend = wd >= 5;
    let base = if (8.0..18.0).contains(&h) {
        // A soft lunch dip.
        if (12.0..13.0).contains(&h) { 1.5 } else { 1.9 }
    } else if (7.0..8.0).contains(&h) || (18.0..20.0).contains(&h) {
        0.9
    } else {
        0.35
    };
    let level = if weekend { 0.35 + (base - 0.35) * 0.15 } else { base };
    level / DIURNAL_MEAN
}

/// Mean of the un-normalised curve over a week: per weekday 9 h busy, 1 h lunch, 3 h
/// shoulder and 11 h night; weekend hours keep 15 % of the weekday excess over the floor.
const DIURNAL_MEAN: f64 = {
    let weekday = 9.0 * 1.9 + 1.5 + 3.0 * 0.9 + 11.0 * 0.35;
    let weekend = 9.0 * (0.35 + 1.55 * 0.15) + (0.35 + 1.15 * 0.15) + 3.0 * (0.35 + 0.55 * 0.15) + 11.0 * 0.35;
    (5.0 * weekday + 2.0 * weekend) / (7.0 * 24.0)
};
