//! Configuration: defaults, then `rampart.toml`, then `RAMPART_*` environment
//! variables, then command-line flags. `rampart.example.toml` documents every key
//! with its default; a test keeps that file and [`Config::default`] in step.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// The documented default configuration file.
pub const EXAMPLE: &str = include_str!("../rampart.example.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub data_dir: PathBuf,
    pub server: Server,
    pub ingest: Ingest,
    pub lake: Lake,
    pub hunting: Hunting,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    pub listen: String,
    pub state_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ingest {
    pub max_body_bytes: usize,
    pub max_row_bytes: usize,
    pub max_rows: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Hunting {
    #[serde(with = "duration")]
    pub default_lookback: Duration,
    pub max_rows: usize,
    #[serde(with = "duration")]
    pub timeout: Duration,
    pub memory_bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Lake {
    pub flush_rows: usize,
    pub flush_bytes: usize,
    #[serde(with = "duration")]
    pub flush_interval: Duration,
    pub max_hot_bytes: usize,
    pub wal_segment_bytes: u64,
    pub row_group_rows: usize,
    pub zstd_level: i32,
    pub compact_min_files: usize,
    #[serde(with = "duration")]
    pub maintenance_interval: Duration,
    #[serde(with = "duration")]
    pub retention: Duration,
    #[serde(with = "duration_map")]
    pub retention_per_table: BTreeMap<String, Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./rampart-data"),
            server: Server::default(),
            ingest: Ingest::default(),
            lake: Lake::default(),
            hunting: Hunting::default(),
        }
    }
}

impl Default for Server {
    fn default() -> Self {
        Server { listen: "127.0.0.1:8080".into(), state_url: String::new() }
    }
}

impl Default for Ingest {
    fn default() -> Self {
        let d = rampart_api::IngestLimits::default();
        Ingest { max_body_bytes: d.max_body_bytes, max_row_bytes: d.max_row_bytes, max_rows: d.max_rows }
    }
}

impl Default for Hunting {
    fn default() -> Self {
        let d = rampart_hunt::Limits::default();
        Hunting {
            default_lookback: d.default_lookback.to_std().unwrap_or(Duration::from_secs(30 * 86_400)),
            max_rows: d.max_rows,
            timeout: d.timeout,
            memory_bytes: d.memory_bytes,
        }
    }
}

impl Default for Lake {
    fn default() -> Self {
        let d = rampart_lake::LakeConfig::default();
        Lake {
            flush_rows: d.flush_rows,
            flush_bytes: d.flush_bytes,
            flush_interval: d.flush_interval,
            max_hot_bytes: d.max_hot_bytes,
            wal_segment_bytes: d.wal_segment_bytes,
            row_group_rows: d.row_group_rows,
            zstd_level: d.zstd_level,
            compact_min_files: d.compact_min_files,
            maintenance_interval: d.maintenance_interval,
            retention: d.retention,
            retention_per_table: d.retention_per_table,
        }
    }
}

impl Config {
    /// Loads the configuration: `path` (or `./rampart.toml` if present), then the
    /// environment `env` (name → value), applied over the defaults.
    pub fn load(path: Option<&Path>, env: &BTreeMap<String, String>) -> Result<Config> {
        let default_path = Path::new("rampart.toml");
        let file = match path {
            Some(p) => Some(p),
            None if default_path.exists() => Some(default_path),
            None => None,
        };
        let mut value = toml::Value::try_from(Config::default()).context("serialising defaults")?;
        if let Some(p) = file {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            let from_file: toml::Value = toml::from_str(&text).with_context(|| format!("parsing {}", p.display()))?;
            merge(&mut value, from_file);
        }
        apply_env(&mut value, env)?;
        let config: Config = value.try_into().with_context(|| match file {
            Some(p) => format!("invalid configuration in {} or RAMPART_* variables", p.display()),
            None => "invalid configuration in RAMPART_* variables".to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<()> {
        if !(1..=22).contains(&self.lake.zstd_level) {
            bail!("lake.zstd_level must be between 1 and 22, not {}", self.lake.zstd_level);
        }
        if self.ingest.max_row_bytes > self.ingest.max_body_bytes {
            bail!("ingest.max_row_bytes ({}) cannot exceed ingest.max_body_bytes ({})", self.ingest.max_row_bytes, self.ingest.max_body_bytes);
        }
        for (name, v) in [
            ("lake.flush_rows", self.lake.flush_rows),
            ("ingest.max_rows", self.ingest.max_rows),
            ("lake.row_group_rows", self.lake.row_group_rows),
            ("hunting.max_rows", self.hunting.max_rows),
        ] {
            if v == 0 {
                bail!("{name} must be greater than 0");
            }
        }
        for table in self.lake.retention_per_table.keys() {
            if rampart_schema::catalog().table(table).is_none() {
                bail!("lake.retention_per_table names unknown table '{table}'");
            }
        }
        Ok(())
    }

    pub fn lake_config(&self) -> rampart_lake::LakeConfig {
        let l = &self.lake;
        rampart_lake::LakeConfig {
            flush_rows: l.flush_rows,
            flush_bytes: l.flush_bytes,
            flush_interval: l.flush_interval,
            max_hot_bytes: l.max_hot_bytes,
            wal_segment_bytes: l.wal_segment_bytes,
            row_group_rows: l.row_group_rows,
            zstd_level: l.zstd_level,
            compact_min_files: l.compact_min_files,
            maintenance_interval: l.maintenance_interval,
            retention: l.retention,
            retention_per_table: l.retention_per_table.clone(),
            ..rampart_lake::LakeConfig::default()
        }
    }

    pub fn api_config(&self) -> rampart_api::ApiConfig {
        let i = &self.ingest;
        rampart_api::ApiConfig {
            ingest: rampart_api::IngestLimits { max_body_bytes: i.max_body_bytes, max_row_bytes: i.max_row_bytes, max_rows: i.max_rows },
            hunting: self.hunt_limits(),
        }
    }

    pub fn hunt_limits(&self) -> rampart_hunt::Limits {
        let h = &self.hunting;
        rampart_hunt::Limits {
            default_lookback: chrono::Duration::from_std(h.default_lookback).unwrap_or(chrono::Duration::days(30)),
            max_rows: h.max_rows,
            timeout: h.timeout,
            memory_bytes: h.memory_bytes,
        }
    }

    pub fn to_toml(&self) -> Result<String> {
        Ok(toml::to_string_pretty(self)?)
    }
}

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_table() && v.is_table() => merge(existing, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// Applies `RAMPART_<SECTION>_<KEY>` (or `RAMPART_<KEY>` at top level) to every
/// scalar key, parsed as the type its default has.
fn apply_env(value: &mut toml::Value, env: &BTreeMap<String, String>) -> Result<()> {
    let Some(root) = value.as_table_mut() else { return Ok(()) };
    let mut known = Vec::new();
    for (key, v) in root.iter_mut() {
        match v {
            toml::Value::Table(section) => {
                for (k, leaf) in section.iter_mut().filter(|(_, l)| !l.is_table()) {
                    let name = format!("RAMPART_{}_{}", key.to_uppercase(), k.to_uppercase());
                    set_from_env(leaf, &name, env)?;
                    known.push(name);
                }
            }
            leaf => {
                let name = format!("RAMPART_{}", key.to_uppercase());
                set_from_env(leaf, &name, env)?;
                known.push(name);
            }
        }
    }
    // Variables that are not settings; anything else unknown is most likely a typo.
    const OTHERS: [&str; 3] = ["RAMPART_CONFIG", "RAMPART_LOG", "RAMPART_TOKEN"];
    for name in env.keys().filter(|n| n.starts_with("RAMPART_") && !OTHERS.contains(&n.as_str())) {
        if !known.contains(name) {
            bail!("unknown configuration variable {name}; see `rampart config --default` for the keys");
        }
    }
    Ok(())
}

fn set_from_env(leaf: &mut toml::Value, name: &str, env: &BTreeMap<String, String>) -> Result<()> {
    let Some(text) = env.get(name) else { return Ok(()) };
    *leaf = match leaf {
        toml::Value::Integer(_) => toml::Value::Integer(text.trim().parse().with_context(|| format!("{name}: expected an integer, got '{text}'"))?),
        toml::Value::Float(_) => toml::Value::Float(text.trim().parse().with_context(|| format!("{name}: expected a number, got '{text}'"))?),
        toml::Value::Boolean(_) => toml::Value::Boolean(text.trim().parse().with_context(|| format!("{name}: expected true or false, got '{text}'"))?),
        _ => toml::Value::String(text.clone()),
    };
    Ok(())
}

/// Durations as humantime text ("60s", "30d").
mod duration {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_duration(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map_err(|e| serde::de::Error::custom(format!("'{text}' is not a duration like 90s or 30d: {e}")))
    }
}

mod duration_map {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(m: &BTreeMap<String, Duration>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(m.iter().map(|(k, v)| (k, super::format_duration(*v))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Duration>, D::Error> {
        BTreeMap::<String, String>::deserialize(d)?
            .into_iter()
            .map(|(k, v)| {
                humantime::parse_duration(&v)
                    .map(|d| (k.clone(), d))
                    .map_err(|e| serde::de::Error::custom(format!("retention of {k}: '{v}' is not a duration: {e}")))
            })
            .collect()
    }
}

/// Formats a duration in the largest whole unit ("30d", "60s").
fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => format!("{}ms", d.as_millis()),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn example_file_documents_exactly_the_defaults() {
        let parsed: Config = toml::from_str(EXAMPLE).expect("example parses");
        assert_eq!(parsed, Config::default());
        // Every key of the defaults appears in the example file.
        let defaults = toml::Value::try_from(Config::default()).expect("serialise");
        for (section, v) in defaults.as_table().expect("table") {
            match v.as_table() {
                Some(t) => {
                    assert!(EXAMPLE.contains(&format!("[{section}]")), "section {section} undocumented");
                    for key in t.keys() {
                        assert!(EXAMPLE.contains(&format!("\n{key} = ")) || EXAMPLE.contains(&format!("[{section}.{key}]")), "{section}.{key} undocumented");
                    }
                }
                None => assert!(EXAMPLE.contains(&format!("\n{section} = ")), "{section} undocumented"),
            }
        }
    }

    #[test]
    fn file_then_env_override_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.toml");
        std::fs::write(&path, "data_dir = \"/srv/r\"\n[lake]\nflush_rows = 10\n[lake.retention_per_table]\nDeviceNetworkEvents = \"7d\"\n").expect("write");
        let c = Config::load(Some(&path), &env(&[("RAMPART_LAKE_FLUSH_INTERVAL", "5s"), ("RAMPART_SERVER_LISTEN", "0.0.0.0:9")])).expect("load");
        assert_eq!(c.data_dir, PathBuf::from("/srv/r"));
        assert_eq!(c.lake.flush_rows, 10);
        assert_eq!(c.lake.flush_interval, Duration::from_secs(5));
        assert_eq!(c.server.listen, "0.0.0.0:9");
        assert_eq!(c.lake.retention_per_table["DeviceNetworkEvents"], Duration::from_secs(7 * 86_400));
        assert_eq!(c.lake.retention, Duration::from_secs(30 * 86_400));
    }

    #[test]
    fn bad_values_are_named() {
        let cases = [
            (env(&[("RAMPART_LAKE_FLUSH_ROWS", "many")]), "RAMPART_LAKE_FLUSH_ROWS: expected an integer"),
            (env(&[("RAMPART_LAKE_RETENTION", "forever")]), "invalid configuration"),
            (env(&[("RAMPART_LAKE_FLUSHROWS", "1")]), "unknown configuration variable RAMPART_LAKE_FLUSHROWS"),
            (env(&[("RAMPART_LAKE_ZSTD_LEVEL", "40")]), "lake.zstd_level must be between 1 and 22"),
        ];
        for (vars, expected) in cases {
            let err = format!("{:#}", Config::load(None, &vars).expect_err("must fail"));
            assert!(err.contains(expected), "{err} should contain {expected}");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.toml");
        std::fs::write(&path, "[lake]\nflush_row = 1\n").expect("write");
        let err = format!("{:#}", Config::load(Some(&path), &BTreeMap::new()).expect_err("unknown key"));
        assert!(err.contains("unknown field `flush_row`"), "{err}");
    }
}
