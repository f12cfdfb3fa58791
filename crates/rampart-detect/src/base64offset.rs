//! `|base64offset|contains` as Sigma defines it.
//!
//! rsigma 0.23 encodes the value at each of the three offsets but keeps the last
//! one or two characters, which also depend on the bytes that *follow* the value in
//! the real command line; so `Invoke-` only matched when it ended on a 3-byte
//! boundary. Before compiling, such items are rewritten into plain `|contains`
//! lists of the three correctly trimmed encodings (pySigma's algorithm).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsigma_parser::{Detection, DetectionItem, Modifier, SigmaRule, SigmaString, SigmaValue};

/// Rewrites every item of `rule` that uses base64offset and can be expressed as a
/// list of substrings (no `all`, no other transform than wide/utf16).
pub(crate) fn rewrite(rule: &mut SigmaRule) {
    for detection in rule.detection.named.values_mut() {
        rewrite_detection(detection);
    }
}

fn rewrite_detection(d: &mut Detection) {
    match d {
        Detection::AllOf(items) => items.iter_mut().for_each(rewrite_item),
        Detection::AnyOf(subs) => subs.iter_mut().for_each(rewrite_detection),
        _ => {}
    }
}

fn rewrite_item(item: &mut DetectionItem) {
    let m = &item.field.modifiers;
    let supported = |x: &Modifier| matches!(x, Modifier::Base64Offset | Modifier::Contains | Modifier::Wide | Modifier::Utf16be | Modifier::Utf16);
    if !m.contains(&Modifier::Base64Offset) || !m.iter().all(supported) {
        return;
    }
    let (wide, be, bom) = (m.contains(&Modifier::Wide), m.contains(&Modifier::Utf16be), m.contains(&Modifier::Utf16));
    let mut values = Vec::new();
    for v in &item.values {
        let SigmaValue::String(s) = v else { return };
        let text = s.as_plain().unwrap_or_else(|| s.original.clone());
        let bytes: Vec<u8> = if wide {
            text.encode_utf16().flat_map(u16::to_le_bytes).collect()
        } else if be {
            text.encode_utf16().flat_map(u16::to_be_bytes).collect()
        } else if bom {
            [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
        } else {
            text.as_bytes().to_vec()
        };
        values.extend(patterns(&bytes).into_iter().map(|p| SigmaValue::String(SigmaString::from_raw(&p))));
    }
    item.field.modifiers = vec![Modifier::Contains];
    item.values = values;
}

/// The three encodings of `value` at offsets 0, 1, 2, without the characters that
/// depend on neighbouring bytes.
pub(crate) fn patterns(value: &[u8]) -> Vec<String> {
    let mut out = Vec::with_capacity(3);
    for offset in 0..3 {
        let mut padded = vec![b' '; offset];
        padded.extend_from_slice(value);
        let encoded = STANDARD.encode(&padded);
        let start = [0, 2, 3][offset];
        let end = encoded.len() - [0, 3, 2][(value.len() + offset) % 3];
        if start < end {
            out.push(encoded[start..end].to_string());
        }
    }
    out
}
