//! rampart-detect: Sigma detection rules over Rampart's events.
//!
//! - [`Detector::load`] reads rules from folders in the SigmaHQ layout (or any
//!   folder of `.yml` files); every rule that does not load is in the
//!   [`LoadReport`] with its file and reason ([`check`] is `rampart rules check`).
//! - A [`Matcher`] evaluates a Windows event by Sigma's own field names, or a row of
//!   a Defender table through the field mapping in `data/defender.yml`. Rules are
//!   grouped by log source and an event meets only the groups for its source
//!   (`data/windows.yml`: channel and event id → service and category). See
//!   `docs/mappings/sigma.md`.
//! - [`scan`] is offline triage of EVTX and JSON files (`rampart scan`).
//!
//! Parsing and evaluation are the `rsigma` crates'; this crate owns the mapping of
//! log sources and field names onto our data.
//!
//! **Boundary:** no lake, no HTTP; reads only the rule and event files it is given.

mod base64offset;
pub mod bench;
mod detector;
mod error;
mod fields;
mod files;
mod logsource;
mod rules;
pub mod scan;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use detector::{Detection, Detector, Matcher};
pub use error::{Error, Result};
pub use logsource::RuleSource;
pub use rules::{LoadReport, Problem, Rule, rule_files};

/// Loads the rules under `paths` only to report: how many loaded, and each one that
/// did not, with its file and reason. For `rampart rules check DIR`.
pub fn check(paths: &[impl AsRef<Path>]) -> Result<LoadReport> {
    let files = rule_files(paths)?;
    Ok(rules::load_files(&files).1)
}
