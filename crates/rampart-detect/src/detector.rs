//! [`Detector`]: loaded rules grouped by log source, and [`Matcher`], which routes
//! each event to the groups for its source only.
//!
//! Rules that share a Sigma `logsource` (product, service, category) form one
//! group, evaluated by one rsigma `Engine` (whose candidate index skips rules none of
//! whose fields the event has). Which groups apply to a Windows channel and event id,
//! or to a table and ActionType, is worked out once and cached per [`Matcher`], so
//! routing costs two hash lookups per event and each event meets only its source's
//! rules.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rsigma_eval::{CompiledRule, Engine, EvaluationResult};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::fields::{FieldMap, View};
use crate::logsource::{DefenderMapping, EventSource, RuleSource, WindowsSources};
use crate::rules::{LoadReport, Rule, load_files, load_text, rule_files};

/// The custom attribute that carries a compiled rule's index in [`Detector::rules`].
const RULE_INDEX: &str = "rampart.rule";

/// Rules ready to match events.
pub struct Detector {
    rules: Vec<Rule>,
    groups: Vec<Group>,
    windows: WindowsSources,
    defender: DefenderMapping,
}

struct Group {
    source: RuleSource,
    engine: Engine,
}

/// One rule that matched one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// Index into [`Detector::rules`].
    pub rule: usize,
    /// The fields (Sigma names) whose values made it match.
    pub fields: Vec<(String, Value)>,
}

impl Detector {
    /// Loads every rule file under `paths`. Rules that do not load are in the report;
    /// only unreadable paths, or no rule at all, are errors.
    pub fn load(paths: &[impl AsRef<Path>]) -> Result<(Detector, LoadReport)> {
        let files = rule_files(paths)?;
        let (rules, report) = load_files(&files);
        if rules.is_empty() {
            return Err(Error::NoRules);
        }
        Ok((Detector::build(rules)?, report))
    }

    /// Rules from YAML text (one or more documents), e.g. a rule stored in a database.
    pub fn from_yaml(text: &str) -> Result<(Detector, LoadReport)> {
        let (mut rules, mut report) = (Vec::new(), LoadReport { files: 1, ..Default::default() });
        load_text(&PathBuf::from("<inline>"), text, &mut rules, &mut report);
        report.loaded = rules.len();
        Ok((Detector::build(rules)?, report))
    }

    fn build(loaded: Vec<(Rule, CompiledRule)>) -> Result<Detector> {
        let mut by_source: BTreeMap<RuleSource, Vec<CompiledRule>> = BTreeMap::new();
        let mut rules = Vec::with_capacity(loaded.len());
        for (index, (rule, mut compiled)) in loaded.into_iter().enumerate() {
            let mut attrs = (*compiled.custom_attributes).clone();
            attrs.insert(RULE_INDEX.into(), Value::from(index));
            compiled.custom_attributes = Arc::new(attrs);
            by_source.entry(rule.source.clone()).or_default().push(compiled);
            rules.push(rule);
        }
        let groups = by_source
            .into_iter()
            .map(|(source, compiled)| {
                let mut engine = Engine::new();
                engine.extend_compiled_rules(compiled);
                Group { source, engine }
            })
            .collect();
        Ok(Detector { rules, groups, windows: WindowsSources::builtin()?, defender: DefenderMapping::builtin()? })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// A matcher with its own route cache; make one per thread.
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher { detector: self, windows: HashMap::new(), tables: HashMap::new() }
    }

    /// How many loaded rules some Windows channel/event id or Defender table of the
    /// mapping data can reach (the others wait for a log source we do not map).
    pub fn routable_rules(&self) -> usize {
        self.groups
            .iter()
            .filter(|g| self.group_reachable(&g.source))
            .map(|g| g.engine.rule_count())
            .sum()
    }

    fn group_reachable(&self, s: &RuleSource) -> bool {
        let windows = s.product.as_deref().is_none_or(|p| p == "windows")
            && s.service.as_ref().is_none_or(|sv| self.windows.has_service(sv))
            && s.category.as_ref().is_none_or(|c| self.windows.has_category(c));
        let table = s.category.as_ref().is_some_and(|c| self.defender.has_category(c));
        windows || table
    }

    fn groups_for(&self, source: &EventSource) -> Vec<usize> {
        (0..self.groups.len()).filter(|&i| self.groups[i].source.applies_to(source)).collect()
    }

    fn collect(&self, group: usize, event: &View<'_>, out: &mut Vec<Detection>) {
        for r in self.groups[group].engine.evaluate(event) {
            if let Some(d) = detection(r) {
                out.push(d);
            }
        }
    }
}

fn detection(r: EvaluationResult) -> Option<Detection> {
    let rule = r.header.custom_attributes.get(RULE_INDEX)?.as_u64()?;
    let fields = r
        .as_detection()
        .map(|d| d.matched_fields.iter().map(|f| (f.field.clone(), f.value.clone())).collect())
        .unwrap_or_default();
    Some(Detection { rule: usize::try_from(rule).ok()?, fields })
}

struct WindowsRoute {
    groups: Vec<usize>,
    aliases: Option<FieldMap>,
}

struct TableRoute {
    /// Per category of the row: its groups and the field map they see.
    categories: Vec<(Vec<usize>, FieldMap)>,
}

/// Matches events against a [`Detector`]; caches routes, so keep one per thread.
pub struct Matcher<'d> {
    detector: &'d Detector,
    /// Exact channel text -> event id -> route.
    windows: HashMap<String, HashMap<u32, WindowsRoute>>,
    /// Table -> ActionType -> route.
    tables: HashMap<String, HashMap<String, TableRoute>>,
}

impl Matcher<'_> {
    /// A Windows event as flat fields with Sigma's names (`EventID`, `Channel`,
    /// `Image`, …: what `rampart_ingest::evtx::WinEvent::raw` gives and `$Raw` holds).
    pub fn windows(&mut self, raw: &Map<String, Value>) -> Vec<Detection> {
        // Defender's EventData names hold spaces ("Source Name"); Sigma rules write
        // them without ("SourceName"). Only such events pay for the copy.
        let despaced;
        let raw = if raw.keys().any(|k| k.contains(' ')) {
            despaced = without_spaces(raw);
            &despaced
        } else {
            raw
        };
        let channel = raw.get("Channel").and_then(Value::as_str).unwrap_or_default();
        let Some(event_id) = raw.get("EventID").and_then(event_id) else {
            return Vec::new();
        };
        let d = self.detector;
        let route = self
            .windows
            .entry(channel.to_string())
            .or_default()
            .entry(event_id)
            .or_insert_with(|| {
                let lower = channel.to_lowercase();
                WindowsRoute {
                    groups: d.groups_for(&d.windows.source(&lower, event_id)),
                    aliases: d.windows.aliases(&lower, event_id).cloned(),
                }
            });
        let view = View { data: raw, map: route.aliases.as_ref(), passthrough: true };
        let mut out = Vec::new();
        for &g in &route.groups {
            d.collect(g, &view, &mut out);
        }
        out
    }

    /// A row of a Defender table (column names as keys). When the row came from a
    /// Windows event and its original fields are at hand (`$Raw`), those are matched
    /// instead: Sigma rules are written for them.
    pub fn row(&mut self, table: &str, row: &Map<String, Value>, raw: Option<&Map<String, Value>>) -> Vec<Detection> {
        if let Some(raw) = raw.filter(|r| r.contains_key("Channel") && r.contains_key("EventID")) {
            return self.windows(raw);
        }
        let action = row.get("ActionType").and_then(Value::as_str).unwrap_or_default();
        let d = self.detector;
        let route = self
            .tables
            .entry(table.to_string())
            .or_default()
            .entry(action.to_string())
            .or_insert_with(|| TableRoute {
                categories: d
                    .defender
                    .categories(table, action)
                    .into_iter()
                    .map(|c| {
                        // Only rules written for this category: a product-only rule
                        // would otherwise run once per category of the row.
                        let groups = (0..d.groups.len())
                            .filter(|&i| d.groups[i].source.category.as_deref() == Some(c.category.as_str()) && d.groups[i].source.service.is_none())
                            .collect();
                        (groups, c.fields.clone())
                    })
                    .collect(),
            });
        let mut out = Vec::new();
        for (groups, fields) in &route.categories {
            let view = View { data: row, map: Some(fields), passthrough: false };
            for &g in groups {
                d.collect(g, &view, &mut out);
            }
        }
        out
    }
}

/// `raw` plus, for each name with spaces, the same value under the name without.
fn without_spaces(raw: &Map<String, Value>) -> Map<String, Value> {
    let mut out = raw.clone();
    for (k, v) in raw.iter().filter(|(k, _)| k.contains(' ')) {
        let key = k.replace(' ', "");
        if !out.contains_key(&key) {
            out.insert(key, v.clone());
        }
    }
    out
}

fn event_id(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
