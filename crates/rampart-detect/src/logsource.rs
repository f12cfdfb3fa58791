//! Log sources: which rules apply to an event. A rule's Sigma `logsource` is
//! compared with the [`EventSource`] of an event, which the data files
//! (`data/windows.yml`, `data/defender.yml`) derive from a Windows channel and event
//! id, or from a Defender table and ActionType.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::fields::{FieldMap, FieldSource};

/// The log-source dimensions of one rule, as written (lowercase).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleSource {
    pub product: Option<String>,
    pub service: Option<String>,
    pub category: Option<String>,
}

/// What an event is, in Sigma's terms.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventSource {
    /// `None`: unknown (a Defender row may come from any OS), so rules of every
    /// product apply.
    pub product: Option<&'static str>,
    pub services: Vec<String>,
    pub categories: Vec<String>,
}

impl RuleSource {
    pub(crate) fn applies_to(&self, e: &EventSource) -> bool {
        let product = match (&self.product, e.product) {
            (Some(r), Some(p)) => r == p,
            _ => true,
        };
        let service = self.service.as_ref().is_none_or(|s| e.services.contains(s));
        let category = self.category.as_ref().is_none_or(|c| e.categories.contains(c));
        // A rule that names no dimension at all is not meant for every event.
        let named = self.product.is_some() || self.service.is_some() || self.category.is_some();
        named && product && service && category
    }
}

// ----- Windows events -------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowsFile {
    services: BTreeMap<String, Vec<String>>,
    categories: BTreeMap<String, Vec<CategoryEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryEntry {
    channel: String,
    event_ids: Vec<u32>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

/// `data/windows.yml`, indexed by lowercase channel.
#[derive(Debug)]
pub(crate) struct WindowsSources {
    services: HashMap<String, Vec<String>>,
    categories: HashMap<(String, u32), Vec<String>>,
    /// Field renames of a channel and event id (Security 4688: Image is NewProcessName).
    aliases: HashMap<(String, u32), FieldMap>,
}

const WINDOWS_YML: &str = include_str!("../data/windows.yml");

impl WindowsSources {
    pub(crate) fn builtin() -> Result<WindowsSources> {
        let bad = |reason: String| Error::Mapping { name: "windows.yml", reason };
        let file: WindowsFile = yaml_serde::from_str(WINDOWS_YML).map_err(|e| bad(e.to_string()))?;
        let mut services: HashMap<String, Vec<String>> = HashMap::new();
        for (service, channels) in file.services {
            for c in channels {
                services.entry(c.to_lowercase()).or_default().push(service.clone());
            }
        }
        let mut categories: HashMap<(String, u32), Vec<String>> = HashMap::new();
        let mut aliases: HashMap<(String, u32), FieldMap> = HashMap::new();
        for (category, entries) in file.categories {
            for entry in entries {
                let channel = entry.channel.to_lowercase();
                for id in entry.event_ids {
                    categories.entry((channel.clone(), id)).or_default().push(category.clone());
                    for (sigma, ours) in &entry.fields {
                        let source = FieldSource::parse(ours).map_err(bad)?;
                        aliases.entry((channel.clone(), id)).or_default().insert(sigma.clone(), vec![source]);
                    }
                }
            }
        }
        Ok(WindowsSources { services, categories, aliases })
    }

    /// `channel` must be lowercase.
    pub(crate) fn source(&self, channel: &str, event_id: u32) -> EventSource {
        let key = (channel.to_string(), event_id);
        EventSource {
            product: Some("windows"),
            services: self.services.get(channel).cloned().unwrap_or_default(),
            categories: self.categories.get(&key).cloned().unwrap_or_default(),
        }
    }

    pub(crate) fn has_service(&self, service: &str) -> bool {
        self.services.values().any(|s| s.iter().any(|x| x == service))
    }

    pub(crate) fn has_category(&self, category: &str) -> bool {
        self.categories.values().any(|c| c.iter().any(|x| x == category))
    }

    pub(crate) fn aliases(&self, channel: &str, event_id: u32) -> Option<&FieldMap> {
        self.aliases.get(&(channel.to_string(), event_id))
    }
}

// ----- Defender tables ------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefenderFile {
    field_sets: BTreeMap<String, BTreeMap<String, OneOrMany>>,
    tables: BTreeMap<String, Vec<TableEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableEntry {
    category: String,
    #[serde(default)]
    action_types: Vec<String>,
    #[serde(default)]
    include: Vec<String>,
    fields: BTreeMap<String, OneOrMany>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// One category a table's rows can be, with the fields rules see on it.
#[derive(Debug)]
pub(crate) struct TableCategory {
    pub category: String,
    /// Empty: every ActionType.
    pub action_types: Vec<String>,
    pub fields: FieldMap,
}

/// `data/defender.yml`: table name -> categories.
#[derive(Debug)]
pub(crate) struct DefenderMapping {
    pub tables: HashMap<String, Vec<TableCategory>>,
}

const DEFENDER_YML: &str = include_str!("../data/defender.yml");

impl DefenderMapping {
    pub(crate) fn builtin() -> Result<DefenderMapping> {
        let bad = |reason: String| Error::Mapping { name: "defender.yml", reason };
        let file: DefenderFile = yaml_serde::from_str(DEFENDER_YML).map_err(|e| bad(e.to_string()))?;
        let to_map = |fields: &BTreeMap<String, OneOrMany>, into: &mut FieldMap| -> Result<()> {
            for (sigma, v) in fields {
                let texts: Vec<&String> = match v {
                    OneOrMany::One(s) => vec![s],
                    OneOrMany::Many(list) => list.iter().collect(),
                };
                let sources = texts.into_iter().map(|t| FieldSource::parse(t)).collect::<Result<Vec<_>, _>>().map_err(bad)?;
                into.insert(sigma.clone(), sources);
            }
            Ok(())
        };
        let mut tables = HashMap::new();
        for (table, entries) in file.tables {
            let mut cats = Vec::new();
            for e in entries {
                let mut fields = FieldMap::new();
                for set in &e.include {
                    let s = file.field_sets.get(set).ok_or_else(|| bad(format!("{table}: unknown field set '{set}'")))?;
                    to_map(s, &mut fields)?;
                }
                // The entry's own fields win over an included set's.
                to_map(&e.fields, &mut fields)?;
                cats.push(TableCategory { category: e.category, action_types: e.action_types, fields });
            }
            tables.insert(table, cats);
        }
        Ok(DefenderMapping { tables })
    }

    pub(crate) fn has_category(&self, category: &str) -> bool {
        self.tables.values().flatten().any(|c| c.category == category)
    }

    /// The source of a row, and the categories (with their field maps) it is.
    pub(crate) fn categories<'a>(&'a self, table: &str, action_type: &str) -> Vec<&'a TableCategory> {
        self.tables
            .get(table)
            .map(|cats| {
                cats.iter()
                    .filter(|c| c.action_types.is_empty() || c.action_types.iter().any(|a| a == action_type))
                    .collect()
            })
            .unwrap_or_default()
    }
}
