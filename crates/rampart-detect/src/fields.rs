//! Sigma field names over our events: [`FieldSource`] (a column, or a template of
//! columns) and [`View`], the rsigma [`Event`] a rule sees.
//!
//! A view never copies the event: a plain field is borrowed, only a template builds
//! a string, and only when a rule asks for that field.

use std::borrow::Cow;
use std::collections::HashMap;

use rsigma_eval::event::{Event, EventValue};
use serde_json::{Map, Value};

/// Where the value of one Sigma field comes from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldSource {
    Column(String),
    /// Literal text and `{Column}` placeholders, e.g. `{AccountDomain}\{AccountName}`.
    Template(Vec<Part>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    Text(String),
    Column(String),
}

/// Sigma field name -> alternatives, the first that resolves wins.
pub(crate) type FieldMap = HashMap<String, Vec<FieldSource>>;

impl FieldSource {
    /// A column name, or a template when the text holds `{…}`.
    pub(crate) fn parse(text: &str) -> Result<FieldSource, String> {
        if !text.contains('{') {
            return Ok(FieldSource::Column(text.to_string()));
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("unclosed '{{' in template '{text}'"))?;
            let column = &rest[open + 1..open + close];
            if column.is_empty() {
                return Err(format!("empty placeholder in template '{text}'"));
            }
            parts.push(Part::Column(column.to_string()));
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(FieldSource::Template(parts))
    }

    /// The columns this source reads.
    #[cfg(test)]
    pub(crate) fn columns(&self) -> Vec<&str> {
        match self {
            FieldSource::Column(c) => vec![c.as_str()],
            FieldSource::Template(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    Part::Column(c) => Some(c.as_str()),
                    Part::Text(_) => None,
                })
                .collect(),
        }
    }

    fn resolve<'a>(&self, data: &'a Map<String, Value>) -> Option<EventValue<'a>> {
        match self {
            FieldSource::Column(c) => data.get(c).map(EventValue::from),
            FieldSource::Template(parts) => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        Part::Text(t) => out.push_str(t),
                        // An empty or missing column makes the template unusable, so
                        // the next alternative is tried ("DOMAIN\" is no user).
                        Part::Column(c) => match data.get(c)? {
                            Value::String(s) if !s.is_empty() => out.push_str(s),
                            Value::Number(n) => out.push_str(&n.to_string()),
                            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                            _ => return None,
                        },
                    }
                }
                Some(EventValue::Str(Cow::Owned(out)))
            }
        }
    }
}

/// One event as Sigma sees it: `data` under the names of `map`, and (when
/// `passthrough`) every other field of `data` under its own name.
pub(crate) struct View<'a> {
    pub data: &'a Map<String, Value>,
    pub map: Option<&'a FieldMap>,
    pub passthrough: bool,
}

impl Event for View<'_> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        if let Some(sources) = self.map.and_then(|m| m.get(path)) {
            // A source whose columns are empty counts as absent, like a missing field.
            return sources.iter().find_map(|s| match s.resolve(self.data) {
                Some(EventValue::Str(s)) if s.is_empty() => None,
                other => other,
            });
        }
        if self.passthrough {
            return self.data.get(path).map(EventValue::from);
        }
        None
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        let mut found = false;
        visit_strings(self.data.values(), &mut |s| found = found || pred(s), 0);
        found
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        let mut out = Vec::new();
        visit_strings(self.data.values(), &mut |s| out.push(Cow::Owned(s.to_string())), 0);
        out
    }

    fn visit_string_values(&self, visit: &mut dyn FnMut(&str)) {
        visit_strings(self.data.values(), visit, 0);
    }

    fn to_json(&self) -> Value {
        Value::Object(self.data.clone())
    }

    fn top_level_keys(&self) -> Option<Vec<Cow<'_, str>>> {
        // With a field map, names a rule can see are not the keys of `data`.
        if self.map.is_some() || !self.passthrough {
            return None;
        }
        Some(self.data.keys().map(|k| Cow::Borrowed(k.as_str())).collect())
    }
}

/// Depth bound for nested values (AdditionalFields and the like).
const MAX_DEPTH: usize = 16;

fn visit_strings<'v>(values: impl Iterator<Item = &'v Value>, visit: &mut dyn FnMut(&str), depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for v in values {
        match v {
            Value::String(s) => visit(s),
            Value::Array(a) => visit_strings(a.iter(), visit, depth + 1),
            Value::Object(o) => visit_strings(o.values(), visit, depth + 1),
            _ => {}
        }
    }
}
