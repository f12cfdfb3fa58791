//! Deterministic identifiers: GUIDs, SIDs, fake file hashes, report ids.
//!
//! Hashes are not cryptographic: they are stable hex strings derived from a label, so the
//! same binary has the same SHA1/SHA256/MD5 on every device and in every run.

use rand::Rng;

/// The splitmix64 finaliser: a bijection on u64, so distinct inputs stay distinct.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over the bytes of a label.
pub(crate) fn fnv64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// `nbytes` bytes of lowercase hex derived from a label.
pub(crate) fn hex_digest(label: &str, nbytes: usize) -> String {
    let mut out = String::with_capacity(nbytes * 2);
    let mut state = fnv64(label);
    while out.len() < nbytes * 2 {
        state = mix64(state);
        for b in state.to_be_bytes() {
            if out.len() >= nbytes * 2 {
                break;
            }
            push_hex(&mut out, b);
        }
    }
    out
}

fn push_hex(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(HEX[(b >> 4) as usize] as char);
    out.push(HEX[(b & 15) as usize] as char);
}

/// Fake SHA-1, SHA-256 and MD5 of a file identified by `label`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hashes {
    pub sha1: String,
    pub sha256: String,
    pub md5: String,
}

impl Hashes {
    pub(crate) fn of(label: &str) -> Hashes {
        Hashes {
            sha1: hex_digest(&format!("sha1:{label}"), 20),
            sha256: hex_digest(&format!("sha256:{label}"), 32),
            md5: hex_digest(&format!("md5:{label}"), 16),
        }
    }
}

/// A GUID in its 8-4-4-4-12 text form from two 64-bit halves.
pub(crate) fn guid_from(hi: u64, lo: u64) -> String {
    let b: Vec<u8> = hi.to_be_bytes().iter().chain(lo.to_be_bytes().iter()).copied().collect();
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        // Version 4 and RFC 4122 variant bits, so the text looks like a real GUID.
        let v = match i {
            6 => (byte & 0x0f) | 0x40,
            8 => (byte & 0x3f) | 0x80,
            _ => *byte,
        };
        push_hex(&mut s, v);
    }
    s
}

/// A random GUID.
pub(crate) fn guid(rng: &mut impl Rng) -> String {
    guid_from(rng.random(), rng.random())
}

/// A GUID derived from a label (stable across runs and seeds).
pub(crate) fn guid_of(label: &str) -> String {
    let h = fnv64(label);
    guid_from(mix64(h), mix64(h ^ 0x5555_5555_5555_5555))
}

/// Hands out report ids: longs for Device* tables, GUID-like strings elsewhere.
/// Both come from one counter, so every id is unique within a run.
#[derive(Debug)]
pub(crate) struct ReportIds {
    next: u64,
    salt: u64,
}

impl ReportIds {
    pub(crate) fn new(seed: u64) -> ReportIds {
        ReportIds { next: 1, salt: mix64(seed) }
    }

    pub(crate) fn next_raw(&mut self) -> u64 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// A string id; unique because its first half is a bijection of the counter.
    pub(crate) fn text(n: u64, salt: u64) -> String {
        guid_from(mix64(n ^ salt), mix64(n.wrapping_add(salt)))
    }

    pub(crate) fn salt(&self) -> u64 {
        self.salt
    }
}

/// Standard base64 (with padding) of bytes.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { T[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { T[n as usize & 63] as char } else { '=' });
    }
    out
}

/// What PowerShell's `-EncodedCommand` takes: base64 of the UTF-16LE text.
pub(crate) fn powershell_encoded(script: &str) -> String {
    let bytes: Vec<u8> = script.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    base64(&bytes)
}
