//! Loading Sigma rules from files and folders (the SigmaHQ layout or a customer's
//! own), with a [`LoadReport`] that names every rule that did not load and why.

use std::path::{Path, PathBuf};

use rsigma_eval::{CompiledRule, compile_rule};
use rsigma_parser::{SigmaRule, Status, parse_sigma_yaml};

use crate::error::Result;
use crate::logsource::RuleSource;

/// A loaded detection rule: what an alert or a timeline line shows about it.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: Option<String>,
    pub title: String,
    /// Sigma level (`informational` … `critical`), if the rule sets one.
    pub level: Option<&'static str>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// The file it came from.
    pub path: PathBuf,
    pub source: RuleSource,
}

/// A rule file (or one document of it) that was not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// The rule's title, when the document could be read that far.
    pub title: Option<String>,
    pub reason: String,
}

/// What loading found.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Rule files read (`.yml`/`.yaml`).
    pub files: usize,
    /// Detection rules loaded.
    pub loaded: usize,
    /// Rules whose status is `deprecated` or `unsupported`: not loaded, not failures.
    pub skipped: Vec<Problem>,
    /// Everything that should have loaded and did not, with the reason.
    pub failed: Vec<Problem>,
}

impl LoadReport {
    /// Loaded share of the rules that were meant to load.
    pub fn load_rate(&self) -> f64 {
        let total = self.loaded + self.failed.len();
        if total == 0 { 1.0 } else { self.loaded as f64 / total as f64 }
    }

    /// Failure reasons, most common first, with a count (the first line of each
    /// reason, with rule-specific quoted text cut so that alike reasons group).
    pub fn top_reasons(&self) -> Vec<(String, usize)> {
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for p in &self.failed {
            let first = p.reason.lines().next().unwrap_or_default();
            let key = first.split(['\'', '"', '`']).next().unwrap_or(first).trim().to_string();
            *counts.entry(key).or_default() += 1;
        }
        let mut out: Vec<_> = counts.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// Every `.yml`/`.yaml` file under `paths` (a path may be a file), sorted, skipping
/// names that start with `.`.
pub fn rule_files(paths: &[impl AsRef<Path>]) -> Result<Vec<PathBuf>> {
    crate::files::files_under(paths, &["yml", "yaml"])
}

/// Parses and compiles every rule of the given files. Never fails on a bad rule:
/// it lands in the report instead.
pub(crate) fn load_files(files: &[PathBuf]) -> (Vec<(Rule, CompiledRule)>, LoadReport) {
    let mut report = LoadReport { files: files.len(), ..Default::default() };
    let mut rules = Vec::new();
    for path in files {
        match std::fs::read_to_string(path) {
            Ok(text) => load_text(path, &text, &mut rules, &mut report),
            Err(e) => report.failed.push(Problem { path: path.clone(), title: None, reason: format!("cannot read: {e}") }),
        }
    }
    report.loaded = rules.len();
    (rules, report)
}

/// The rules of one YAML text (one or more documents).
pub(crate) fn load_text(path: &Path, text: &str, rules: &mut Vec<(Rule, CompiledRule)>, report: &mut LoadReport) {
    let fail = |title: Option<String>, reason: String| Problem { path: path.to_path_buf(), title, reason };
    let collection = match parse_sigma_yaml(text) {
        Ok(c) => c,
        Err(e) => {
            report.failed.push(fail(None, format!("parse error: {e}")));
            return;
        }
    };
    for e in &collection.errors {
        report.failed.push(fail(None, format!("parse error: {e}")));
    }
    for c in &collection.correlations {
        report.failed.push(fail(Some(c.title.clone()), "correlation rules are not supported yet".into()));
    }
    for f in &collection.filters {
        report.failed.push(fail(Some(f.title.clone()), "filter rules are not supported yet".into()));
    }
    for rule in &collection.rules {
        if matches!(rule.status, Some(Status::Deprecated | Status::Unsupported)) {
            let status = rule.status.map(|s| format!("{s:?}").to_lowercase()).unwrap_or_default();
            report.skipped.push(fail(Some(rule.title.clone()), format!("status is {status}")));
            continue;
        }
        let mut rule = rule.clone();
        crate::base64offset::rewrite(&mut rule);
        match compile_rule(&rule) {
            Ok(compiled) => rules.push((meta(&rule, path), compiled)),
            Err(e) => report.failed.push(fail(Some(rule.title.clone()), format!("compile error: {e}"))),
        }
    }
}

fn meta(rule: &SigmaRule, path: &Path) -> Rule {
    let lower = |s: &Option<String>| s.as_ref().map(|s| s.trim().to_lowercase());
    Rule {
        id: rule.id.clone(),
        title: rule.title.clone(),
        level: rule.level.map(|l| l.as_str()),
        description: rule.description.clone(),
        tags: rule.tags.clone(),
        path: path.to_path_buf(),
        source: RuleSource {
            product: lower(&rule.logsource.product),
            service: lower(&rule.logsource.service),
            category: lower(&rule.logsource.category),
        },
    }
}
