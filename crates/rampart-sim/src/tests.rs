#![allow(clippy::unwrap_used)]

//! Unit tests of the crate's internals (no I/O).

use crate::ids::{base64, guid_from, hex_digest, powershell_encoded};
use crate::images::Images;
use crate::time::{DAY, HOUR, diurnal, fmt_ts};

#[test]
fn timestamps_are_rfc3339_micros() {
    assert_eq!(fmt_ts(0), "1970-01-01T00:00:00.000000Z");
    assert_eq!(fmt_ts(1_709_251_200_123_456), "2024-03-01T00:00:00.123456Z");
    assert_eq!(fmt_ts(951_782_400_000_000), "2000-02-29T00:00:00.000000Z");
}

#[test]
fn diurnal_mean_is_one() {
    let week = 7 * DAY;
    let step = HOUR / 4;
    let n = week / step;
    let sum: f64 = (0..n).map(|i| diurnal(1_709_251_200_000_000 + i * step)).sum();
    let mean = sum / n as f64;
    assert!((mean - 1.0).abs() < 0.01, "mean {mean}");
}

#[test]
fn encodings() {
    assert_eq!(base64(b"Man"), "TWFu");
    assert_eq!(base64(b"Ma"), "TWE=");
    assert_eq!(powershell_encoded("a"), "YQA=");
    assert_eq!(hex_digest("x", 20).len(), 40);
    let g = guid_from(1, 2);
    assert_eq!(g.len(), 36);
    assert_eq!(&g[14..15], "4");
}

#[test]
fn every_image_is_defined() {
    let imgs = Images::new();
    for i in imgs.all() {
        assert_ne!(i.path, "/unknown");
    }
}
