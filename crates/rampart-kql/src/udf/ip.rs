//! IPv4 helpers: `ipv4_is_private`, `ipv4_is_in_range`, `ipv4_is_in_any_range`,
//! `ipv4_is_match`, `parse_ipv4`.

use std::net::Ipv4Addr;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::ColumnarValue;

use super::KqlUdf;
use super::common::{IntArg, StrArg, arity, map_i64, map_opt_bools};

/// An address with its prefix length (`10.0.0.0/8`; 32 when absent).
pub fn parse_cidr(s: &str) -> Option<(u32, u32)> {
    let s = s.trim();
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a, b.trim().parse::<u32>().ok().filter(|b| *b <= 32)?),
        None => (s, 32),
    };
    let ip: Ipv4Addr = addr.trim().parse().ok()?;
    Some((u32::from(ip), bits))
}

fn mask(bits: u32) -> u32 {
    if bits == 0 { 0 } else { u32::MAX << (32 - bits) }
}

fn in_range(ip: &str, range: &str) -> Option<bool> {
    let (a, abits) = parse_cidr(ip)?;
    let (r, rbits) = parse_cidr(range)?;
    let m = mask(rbits.min(abits));
    Some(a & m == r & m)
}

pub fn is_private(ip: &str) -> Option<bool> {
    let (a, _) = parse_cidr(ip)?;
    let ranges = [(0x0A00_0000u32, 8), (0xAC10_0000, 12), (0xC0A8_0000, 16)];
    Some(ranges.iter().any(|&(r, b)| a & mask(b) == r))
}

fn ipv4_is_private(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let ip = StrArg::new(&args[0])?;
    Ok(map_opt_bools(rows, |i| is_private(ip.get_or_empty(i))))
}

fn ipv4_is_in_range(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("ipv4_is_in_range", args, 2, 2)?;
    let ip = StrArg::new(&args[0])?;
    let range = StrArg::new(&args[1])?;
    Ok(map_opt_bools(rows, |i| in_range(ip.get_or_empty(i), range.get_or_empty(i))))
}

/// `kql_ipv4_is_in_any_range(ip, json_array_of_ranges)`.
fn ipv4_is_in_any_range(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("ipv4_is_in_any_range", args, 2, 2)?;
    let ip = StrArg::new(&args[0])?;
    let ranges = StrArg::new(&args[1])?;
    Ok(map_opt_bools(rows, |i| {
        let ip = ip.get_or_empty(i);
        parse_cidr(ip)?;
        let list = ranges.get(i).map(super::strings::json_string_list).unwrap_or_default();
        Some(list.iter().any(|r| in_range(ip, r) == Some(true)))
    }))
}

fn ipv4_is_match(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    arity("ipv4_is_match", args, 2, 3)?;
    let a = StrArg::new(&args[0])?;
    let b = StrArg::new(&args[1])?;
    let prefix = if args.len() > 2 { IntArg::new(&args[2])? } else { IntArg::Const(Some(32)) };
    Ok(map_opt_bools(rows, |i| {
        let (x, xb) = parse_cidr(a.get_or_empty(i))?;
        let (y, yb) = parse_cidr(b.get_or_empty(i))?;
        let p = u32::try_from(prefix.get(i).unwrap_or(32).clamp(0, 32)).unwrap_or(32);
        let m = mask(p.min(xb).min(yb));
        Some(x & m == y & m)
    }))
}

fn parse_ipv4(args: &[ColumnarValue], rows: usize) -> Result<ColumnarValue> {
    let ip = StrArg::new(&args[0])?;
    Ok(map_i64(rows, |i| parse_cidr(ip.get_or_empty(i)).map(|(a, b)| i64::from(a & mask(b)))))
}

pub fn register(v: &mut Vec<KqlUdf>) {
    v.push(KqlUdf::new("kql_ipv4_is_private", DataType::Boolean, ipv4_is_private));
    v.push(KqlUdf::new("kql_ipv4_is_in_range", DataType::Boolean, ipv4_is_in_range));
    v.push(KqlUdf::new("kql_ipv4_is_in_any_range", DataType::Boolean, ipv4_is_in_any_range));
    v.push(KqlUdf::new("kql_ipv4_is_match", DataType::Boolean, ipv4_is_match));
    v.push(KqlUdf::new("kql_parse_ipv4", DataType::Int64, parse_ipv4));
}

#[cfg(test)]
mod tests {
    use super::{in_range, is_private};

    #[test]
    fn ranges() {
        assert_eq!(is_private("10.1.2.3"), Some(true));
        assert_eq!(is_private("172.31.0.1"), Some(true));
        assert_eq!(is_private("172.32.0.1"), Some(false));
        assert_eq!(is_private("not an ip"), None);
        assert_eq!(in_range("192.168.1.7", "192.168.1.0/24"), Some(true));
        assert_eq!(in_range("192.168.2.7", "192.168.1.0/24"), Some(false));
    }
}
