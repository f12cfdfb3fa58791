//! A strict, allocation-free parser for the timestamp forms sources send.
//!
//! Accepted: `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM`, optional
//! `:SS`, optional fraction (1–9 digits; digits past microseconds are truncated, so
//! Kusto's 7-digit ticks work), and an optional zone `Z`, `±HH:MM`, `±HHMM` or `±HH`.
//! No zone means UTC. Returns microseconds since the Unix epoch.

/// Parses `s`; the error is a short reason for the caller's message.
pub fn parse_timestamp_micros(s: &str) -> Result<i64, &'static str> {
    let b = s.trim().as_bytes();
    let mut p = Cursor { b, i: 0 };
    let year = p.digits(4).ok_or("expected a date like 2024-05-01")?;
    p.expect(b'-').ok_or("expected '-' after the year")?;
    let month = p.digits(2).ok_or("expected a two-digit month")?;
    p.expect(b'-').ok_or("expected '-' after the month")?;
    let day = p.digits(2).ok_or("expected a two-digit day")?;
    if !(1..=12).contains(&month) {
        return Err("month out of range");
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err("day out of range for the month");
    }
    let (mut hour, mut minute, mut second, mut micros) = (0, 0, 0, 0i64);
    if matches!(p.peek(), Some(b'T' | b't' | b' ')) {
        p.i += 1;
        hour = p.digits(2).ok_or("expected a two-digit hour")?;
        p.expect(b':').ok_or("expected ':' after the hour")?;
        minute = p.digits(2).ok_or("expected two-digit minutes")?;
        if p.peek() == Some(b':') {
            p.i += 1;
            second = p.digits(2).ok_or("expected two-digit seconds")?;
            if matches!(p.peek(), Some(b'.' | b',')) {
                p.i += 1;
                let start = p.i;
                let mut value = 0i64;
                while let Some(d) = p.peek().filter(u8::is_ascii_digit) {
                    if p.i - start < 6 {
                        value = value * 10 + i64::from(d - b'0');
                    }
                    p.i += 1;
                }
                let n = p.i - start;
                if n == 0 || n > 9 {
                    return Err("expected 1 to 9 fraction digits");
                }
                for _ in n..6 {
                    value *= 10;
                }
                micros = value;
            }
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err("time of day out of range");
        }
        // A leap second is folded into the last second of its minute.
        second = second.min(59);
    }
    let offset_secs = match p.peek() {
        None => 0,
        Some(b'Z' | b'z') => {
            p.i += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            p.i += 1;
            let h = p.digits(2).ok_or("expected a zone offset like +02:00")?;
            if p.peek() == Some(b':') {
                p.i += 1;
            }
            let m = if p.peek().is_some() { p.digits(2).ok_or("expected zone offset minutes")? } else { 0 };
            if h > 23 || m > 59 {
                return Err("zone offset out of range");
            }
            let secs = i64::from(h * 3600 + m * 60);
            if sign == b'-' { -secs } else { secs }
        }
        Some(_) => return Err("unexpected characters after the time"),
    };
    if p.i != b.len() {
        return Err("unexpected characters after the zone");
    }
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_secs;
    Ok(secs * 1_000_000 + micros)
}

/// Formats microseconds since the epoch as RFC 3339 UTC with microseconds.
pub fn format_timestamp_micros(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let frac = us.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}Z", sod / 3600, sod / 60 % 60, sod % 60)
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn expect(&mut self, c: u8) -> Option<()> {
        (self.peek() == Some(c)).then(|| self.i += 1)
    }
    fn digits(&mut self, n: usize) -> Option<u32> {
        let s = self.b.get(self.i..self.i + n)?;
        let mut v = 0u32;
        for &d in s {
            if !d.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(d - b'0');
        }
        self.i += n;
        Some(v)
    }
}

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}
