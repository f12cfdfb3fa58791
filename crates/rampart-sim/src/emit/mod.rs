//! Row shapes shared by benign activity and attack scenarios: one function per kind of
//! Defender event, so both produce identical columns.

pub(crate) mod cloud;
pub(crate) mod endpoint;
pub(crate) mod identity;
pub(crate) mod mail;

/// `Private`, `Loopback` or `Public`, as Defender classifies an address.
pub(crate) fn ip_type(ip: &str) -> &'static str {
    if ip.starts_with("127.") || ip == "::1" {
        return "Loopback";
    }
    if ip.starts_with("10.") || ip.starts_with("192.168.") || ip.starts_with("169.254.") {
        return "Private";
    }
    if let Some(second) = ip.strip_prefix("172.").and_then(|rest| rest.split('.').next()).and_then(|s| s.parse::<u8>().ok())
        && (16..32).contains(&second)
    {
        return "Private";
    }
    "Public"
}
