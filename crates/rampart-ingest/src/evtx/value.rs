//! Value conversions shared by the channel mappers: times, numbers, paths, accounts,
//! hashes, IP classes and the device id.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A scalar JSON value as text (`null`, arrays and objects have none).
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether a field holds nothing: Windows writes `-` (and sometimes `%%1793`, "none")
/// where a value is absent.
pub(crate) fn is_blank(s: &str) -> bool {
    let s = s.trim();
    s.is_empty() || s == "-" || s == "%%1793"
}

/// Any time Windows logs write, as RFC 3339 UTC with microseconds and a `Z`.
/// Times without an offset (Sysmon's `UtcTime`, some shippers' `TimeCreated`) are UTC.
pub(crate) fn normalize_time(s: &str) -> Option<String> {
    let s = s.trim();
    let utc = match DateTime::parse_from_rfc3339(s) {
        Ok(t) => t.with_timezone(&Utc),
        Err(_) => ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())?
            .and_utc(),
    };
    Some(utc.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// An integer written as a JSON number, a decimal string or a `0x` hex string
/// (process and logon ids in the Security log are hex).
pub(crate) fn parse_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().and_then(|u| i64::try_from(u).ok())),
        Value::String(s) => {
            let s = s.trim();
            match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                Some(hex) => u64::from_str_radix(hex, 16)
                    .ok()
                    .and_then(|u| i64::try_from(u).ok()),
                None => s.parse().ok(),
            }
        }
        _ => None,
    }
}

pub(crate) fn parse_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The last component of a Windows path (`C:\Windows\cmd.exe` → `cmd.exe`).
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

/// `DOMAIN\name` → (`domain`, `name`), lowercase as Defender shows accounts; a bare
/// name has no domain.
pub(crate) fn split_account(user: &str) -> (Option<String>, String) {
    match user.split_once('\\') {
        Some((d, n)) => (Some(d.to_lowercase()), n.to_lowercase()),
        None => (None, user.to_lowercase()),
    }
}

/// SIDs of the built-in service accounts, which Sysmon names but does not give a SID for.
pub(crate) fn well_known_sid(domain: Option<&str>, name: &str) -> Option<&'static str> {
    if !matches!(
        domain,
        Some("nt authority") | Some("nt-autorität") | Some("autorite nt")
    ) {
        return None;
    }
    match name {
        "system" => Some("S-1-5-18"),
        "local service" => Some("S-1-5-19"),
        "network service" => Some("S-1-5-20"),
        _ => None,
    }
}

/// Sysmon's `Hashes` (`SHA1=…,MD5=…,SHA256=…,IMPHASH=…`) as lowercase hex per algorithm.
pub(crate) fn parse_hashes(s: &str) -> Vec<(&str, String)> {
    s.split(',')
        .filter_map(|part| part.split_once('='))
        .filter(|(_, h)| !h.trim().is_empty())
        .map(|(alg, h)| (alg.trim(), h.trim().to_ascii_lowercase()))
        .collect()
}

/// Defender's IP classes (`Public`, `Private`, `Loopback`, `Reserved`, `Teredo`,
/// `FourToSixMapping`, `Broadcast`) for `RemoteIPType`/`LocalIPType`.
pub(crate) fn ip_type(ip: &str) -> Option<&'static str> {
    let ip: IpAddr = ip.trim().parse().ok()?;
    Some(match ip {
        IpAddr::V4(v4) => {
            if v4.is_loopback() {
                "Loopback"
            } else if v4.is_broadcast() {
                "Broadcast"
            } else if v4.is_private() {
                "Private"
            } else if v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.octets()[0] >= 240
            {
                "Reserved"
            } else {
                "Public"
            }
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            if v6.is_loopback() {
                "Loopback"
            } else if v6.to_ipv4_mapped().is_some() {
                "FourToSixMapping"
            } else if seg[0] == 0x2001 && seg[1] == 0 {
                "Teredo"
            } else if seg[0] & 0xfe00 == 0xfc00 {
                "Private"
            } else if v6.is_unspecified() || v6.is_multicast() || seg[0] & 0xffc0 == 0xfe80 {
                "Reserved"
            } else {
                "Public"
            }
        }
    })
}

/// `::ffff:10.0.0.5` → `10.0.0.5`: the domain controller logs IPv4 clients mapped.
pub(crate) fn unmap_ip(ip: &str) -> &str {
    ip.strip_prefix("::ffff:").unwrap_or(ip)
}

/// A deterministic 40-hex-character device id from the lowercase computer name: the
/// first 160 bits of its SHA-256, as long as Defender's SHA-1-sized `DeviceId`s.
pub fn device_id(computer: &str) -> String {
    let digest = Sha256::digest(computer.to_lowercase().as_bytes());
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(40);
    for b in digest.iter().take(20) {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// A registry key as Defender shows it: hive abbreviations (`HKLM\`, `HKU\`, `HKCR\`)
/// and kernel paths (`\REGISTRY\MACHINE\`, `\REGISTRY\USER\`) spelled out. A user
/// hive is shown as `HKEY_CURRENT_USER\<SID>\…`; `HKCR` is the machine's classes key.
pub(crate) fn registry_key(key: &str) -> String {
    const PREFIXES: [(&str, &str); 9] = [
        ("HKLM", "HKEY_LOCAL_MACHINE"),
        ("\\REGISTRY\\MACHINE", "HKEY_LOCAL_MACHINE"),
        ("HKCR", "HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes"),
        ("HKCU", "HKEY_CURRENT_USER"),
        ("HKU", "HKEY_USERS"),
        ("\\REGISTRY\\USER", "HKEY_USERS"),
        ("HKEY_USERS", "HKEY_USERS"),
        ("HKCC", "HKEY_CURRENT_CONFIG"),
        ("HKEY_CLASSES_ROOT", "HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes"),
    ];
    let key = key.trim();
    for (short, long) in PREFIXES {
        let Some(head) = key.get(..short.len()) else {
            continue;
        };
        let rest = &key[short.len()..];
        if !head.eq_ignore_ascii_case(short) || !(rest.is_empty() || rest.starts_with('\\')) {
            continue;
        }
        if long == "HKEY_USERS" && rest.get(1..3).is_some_and(|s| s.eq_ignore_ascii_case("S-")) {
            return format!("HKEY_CURRENT_USER{rest}");
        }
        return format!("{long}{rest}");
    }
    key.to_string()
}

/// Splits `key\value` (Sysmon's `TargetObject` for value events) at the last `\`.
pub(crate) fn split_value(target: &str) -> (&str, &str) {
    target.rsplit_once('\\').unwrap_or((target, ""))
}

/// Sysmon's registry `Details` as Defender's (`RegistryValueType`, `RegistryValueData`):
/// `DWORD (0x00000001)` → (`Dword`, `1`), `QWORD (0x0-0x1)` → (`Qword`, `1`),
/// `Binary Data` → (`Binary`, no data), text → (`String`, text).
pub(crate) fn registry_details(details: &str) -> (&'static str, Option<String>) {
    let hex = |s: &str| {
        u64::from_str_radix(
            s.trim().trim_start_matches("0x").trim_start_matches("0X"),
            16,
        )
        .ok()
    };
    if let Some(v) = details
        .strip_prefix("DWORD (")
        .and_then(|s| s.strip_suffix(')'))
    {
        return (
            "Dword",
            hex(v)
                .map(|n| n.to_string())
                .or_else(|| Some(v.to_string())),
        );
    }
    if let Some(v) = details
        .strip_prefix("QWORD (")
        .and_then(|s| s.strip_suffix(')'))
    {
        let n = match v.split_once('-') {
            Some((hi, lo)) => hex(hi).zip(hex(lo)).map(|(h, l)| (h << 32) | l),
            None => hex(v),
        };
        return (
            "Qword",
            n.map(|n| n.to_string()).or_else(|| Some(v.to_string())),
        );
    }
    match details {
        "Binary Data" => ("Binary", None),
        "(Empty)" => ("String", None),
        text => ("String", Some(text.to_string())),
    }
}

/// The program a command line runs: the quoted part, or up to the first known
/// executable extension (paths often hold spaces and are not quoted), or the first word.
pub(crate) fn executable(cmd: &str) -> &str {
    let cmd = cmd.trim();
    if let Some(rest) = cmd.strip_prefix('"') {
        return rest.split('"').next().unwrap_or(rest);
    }
    let lower = cmd.to_ascii_lowercase();
    for ext in [
        ".exe", ".sys", ".dll", ".com", ".bat", ".cmd", ".ps1", ".scr",
    ] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(ext).map(|i| i + from) {
            let end = i + ext.len();
            if lower[end..].is_empty() || lower[end..].starts_with(' ') {
                return &cmd[..end];
            }
            from = end;
        }
    }
    cmd.split(' ').next().unwrap_or(cmd)
}
