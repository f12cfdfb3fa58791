//! The time range a hunting query sees: Defender's `Timespan` parameter.
//!
//! Accepted forms: an ISO 8601 duration back from now (`P30D`, `PT12H`, `P1DT6H`, `P2W`),
//! a Kusto-style duration (`30d`, `12h`, `90m`, `45s`), or an ISO 8601 interval
//! `start/end` or `start/duration` with RFC 3339 instants.

use chrono::{DateTime, Duration, Utc};

use crate::{Error, Result};

/// A time range, resolved against a clock with [`Timespan::bounds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timespan {
    /// The last `Duration` up to now.
    Last(Duration),
    /// `[start, end)`.
    Between(DateTime<Utc>, DateTime<Utc>),
}

impl Timespan {
    pub fn parse(text: &str) -> Result<Timespan> {
        let bad = |reason: &str| Error::Timespan { text: text.to_string(), reason: reason.to_string() };
        let t = text.trim();
        if let Some((start, end)) = t.split_once('/') {
            let start = instant(start).ok_or_else(|| bad("the start is not an RFC 3339 time such as 2024-05-01T00:00:00Z"))?;
            let end = match instant(end) {
                Some(end) => end,
                None => start + duration(end).ok_or_else(|| bad("the end is neither an RFC 3339 time nor a duration"))?,
            };
            if end <= start {
                return Err(bad("the end is not after the start"));
            }
            return Ok(Timespan::Between(start, end));
        }
        let d = duration(t).ok_or_else(|| bad("expected a duration such as P30D, PT12H or 7d, or an interval start/end"))?;
        if d <= Duration::zero() {
            return Err(bad("the duration must be positive"));
        }
        Ok(Timespan::Last(d))
    }

    /// `[start, end)` for a query run at `now`.
    pub fn bounds(self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        match self {
            Timespan::Last(d) => (now - d, now + Duration::seconds(1)),
            Timespan::Between(s, e) => (s, e),
        }
    }
}

fn instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.with_timezone(&Utc))
}

/// `P…`/`PT…` ISO 8601 durations (weeks, days, hours, minutes, seconds) or `<n><unit>`.
fn duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('P').or_else(|| s.strip_prefix('p')) {
        return iso_duration(rest);
    }
    let unit_at = s.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (n, unit) = s.split_at(unit_at);
    let n: f64 = n.parse().ok()?;
    let secs = match unit {
        "d" => 86_400.0,
        "h" => 3_600.0,
        "m" => 60.0,
        "s" => 1.0,
        "ms" => 0.001,
        _ => return None,
    };
    Some(Duration::microseconds((n * secs * 1e6) as i64))
}

fn iso_duration(rest: &str) -> Option<Duration> {
    let (date, time) = match rest.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total = Duration::zero();
    let mut any = false;
    for (part, units) in [(date, &[('W', 604_800.0), ('D', 86_400.0)][..]), (time.unwrap_or(""), &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)][..])] {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                num.push(c);
                continue;
            }
            let (_, secs) = units.iter().find(|(u, _)| *u == c.to_ascii_uppercase())?;
            let n: f64 = num.parse().ok()?;
            total += Duration::microseconds((n * secs * 1e6) as i64);
            num.clear();
            any = true;
        }
        if !num.is_empty() {
            return None;
        }
    }
    if time == Some("") {
        return None;
    }
    any.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        instant(s).expect("time")
    }

    #[test]
    fn durations_in_both_notations() {
        for (text, secs) in [("P30D", 30 * 86_400), ("PT12H", 43_200), ("P1DT6H", 108_000), ("P2W", 1_209_600), ("PT90M", 5_400), ("7d", 604_800), ("90m", 5_400), ("1.5h", 5_400)] {
            assert_eq!(Timespan::parse(text).expect(text), Timespan::Last(Duration::seconds(secs)), "{text}");
        }
    }

    #[test]
    fn intervals_with_an_end_or_a_duration() {
        let a = Timespan::parse("2024-05-01T00:00:00Z/2024-05-02T00:00:00Z").expect("interval");
        let b = Timespan::parse("2024-05-01T00:00:00Z/P1D").expect("interval");
        assert_eq!(a, b);
        assert_eq!(a.bounds(Utc::now()), (at("2024-05-01T00:00:00Z"), at("2024-05-02T00:00:00Z")));
    }

    #[test]
    fn errors_say_what_was_expected() {
        for text in ["", "P", "PT", "30", "30x", "-1d", "P1Y", "2024-05-02T00:00:00Z/2024-05-01T00:00:00Z", "yesterday/P1D"] {
            let e = Timespan::parse(text).expect_err(text).to_string();
            assert!(e.starts_with(&format!("invalid timespan '{text}'")), "{e}");
        }
    }
}
