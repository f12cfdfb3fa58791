//! Attack scenarios: each is a function that plays one multi-stage intrusion against the
//! organisation through a [`Builder`], which records every event into ground truth.
//!
//! Scenarios are generated whole when the simulation is built (they are small) and then
//! released by `advance` as simulated time reaches them.

mod bec;
mod cryptominer;
mod insider;
mod oauth;
mod phishing;
mod ransomware;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::baseline::{Baseline, Procs};
use crate::images::Images;
use crate::org::{Device, Org, User};
use crate::row::{Emitter, Pending};
use crate::time::{Micros, fmt_ts};
use crate::truth::{DeviceEntity, Entities, EventRef, FileEntity, Scenario, ScenarioKind, Stage};

/// A stage being recorded.
struct Draft {
    name: &'static str,
    tactics: &'static [&'static str],
    techniques: &'static [&'static str],
    sigma: &'static [&'static str],
    rampart: &'static [&'static str],
    mark: usize,
}

/// Records one scenario: its events (through the shared emitter) and its ground truth.
pub(crate) struct Builder<'a> {
    pub org: &'a Org,
    pub img: &'a Images,
    pub base: &'a Baseline,
    pub em: &'a mut Emitter,
    pub rng: &'a mut ChaCha8Rng,
    kind: ScenarioKind,
    draft: Option<Draft>,
    stages: Vec<(Stage, Vec<Micros>)>,
    entities: Entities,
}

/// A scenario as planned: truth plus the timestamp of every event of every stage.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub truth: Scenario,
    pub start: Micros,
    pub end: Micros,
    /// Per stage, per event: its timestamp (parallel to `truth.stages[i].events`).
    pub event_times: Vec<Vec<Micros>>,
}

impl<'a> Builder<'a> {
    /// Opens a new stage; events emitted from now on belong to it.
    pub(crate) fn stage(
        &mut self,
        name: &'static str,
        tactics: &'static [&'static str],
        techniques: &'static [&'static str],
        sigma: &'static [&'static str],
        rampart: &'static [&'static str],
    ) {
        self.close();
        self.draft = Some(Draft { name, tactics, techniques, sigma, rampart, mark: self.em.mark() });
    }

    fn close(&mut self) {
        if let Some(d) = self.draft.take() {
            let refs: Vec<(Micros, EventRef)> = self.em.refs_since(d.mark);
            let (s, e) = self.em.span_since(d.mark).unwrap_or((0, 0));
            let times = refs.iter().map(|(t, _)| *t).collect();
            let stage = Stage {
                name: d.name.to_string(),
                tactics: d.tactics.iter().map(|s| s.to_string()).collect(),
                techniques: d.techniques.iter().map(|s| s.to_string()).collect(),
                start: fmt_ts(s),
                end: fmt_ts(e),
                events: refs.into_iter().map(|(_, r)| r).collect(),
                expected_sigma: d.sigma.iter().map(|s| s.to_string()).collect(),
                expected_rampart: d.rampart.iter().map(|s| s.to_string()).collect(),
            };
            self.stages.push((stage, times));
        }
    }

    /// Standing processes of a device.
    pub(crate) fn procs(&self, device: usize) -> Option<Procs<'a>> {
        Procs::new(self.img, self.org, self.base, device)
    }

    pub(crate) fn device(&mut self, d: &Device) {
        self.entities.devices.insert(DeviceEntity { device_id: d.device_id.clone(), device_name: d.device_name.clone() });
        self.entities.ips.insert(d.ip.clone());
    }

    pub(crate) fn user(&mut self, u: &User) {
        self.entities.users.insert(u.upn.clone());
    }

    pub(crate) fn upn(&mut self, upn: &str) {
        self.entities.users.insert(upn.to_string());
    }

    pub(crate) fn mailbox(&mut self, m: &str) {
        self.entities.mailboxes.insert(m.to_string());
    }

    pub(crate) fn ip(&mut self, ip: &str) {
        self.entities.ips.insert(ip.to_string());
    }

    pub(crate) fn url(&mut self, url: &str) {
        self.entities.urls.insert(url.to_string());
    }

    pub(crate) fn domain(&mut self, d: &str) {
        self.entities.domains.insert(d.to_string());
    }

    pub(crate) fn file(&mut self, name: &str, sha1: &str, sha256: &str) {
        self.entities.files.insert(FileEntity { file_name: name.to_string(), sha1: sha1.to_string(), sha256: sha256.to_string() });
    }

    pub(crate) fn app(&mut self, name: &str) {
        self.entities.cloud_apps.insert(name.to_string());
    }

    /// An address in an attacker's rented range (a documentation prefix).
    pub(crate) fn attacker_ip(&mut self, prefix: &str) -> String {
        format!("{prefix}.{}", self.rng.random_range(10..140))
    }
}

/// Users whose own computer is a Windows workstation, optionally in some departments.
pub(crate) fn windows_users(org: &Org, departments: &[&str]) -> Vec<usize> {
    org.users
        .iter()
        .enumerate()
        .filter(|(_, u)| {
            u.admin.is_none()
                && (departments.is_empty() || departments.contains(&u.department.as_str()))
                && u.device.and_then(|d| org.devices.get(d)).map(|d| d.os == crate::org::OsFamily::Windows).unwrap_or(false)
        })
        .map(|(i, _)| i)
        .collect()
}

/// Picks from `preferred`, falling back to `fallback` when it is empty.
pub(crate) fn pick_index(rng: &mut ChaCha8Rng, preferred: &[usize], fallback: &[usize]) -> Option<usize> {
    let from = if preferred.is_empty() { fallback } else { preferred };
    if from.is_empty() { None } else { from.get(rng.random_range(0..from.len())).copied() }
}

/// Plays `kind` starting at `t0`; returns its ground truth and its events.
#[allow(clippy::too_many_arguments)]
pub(crate) fn play(
    kind: ScenarioKind,
    number: usize,
    t0: Micros,
    org: &Org,
    img: &Images,
    base: &Baseline,
    em: &mut Emitter,
    rng: &mut ChaCha8Rng,
) -> Option<(Planned, Vec<Pending>)> {
    let mut b = Builder { org, img, base, em, rng, kind, draft: None, stages: Vec::new(), entities: Entities::default() };
    let (name, description) = match kind {
        ScenarioKind::PhishingToExfiltration => phishing::play(&mut b, t0)?,
        ScenarioKind::PasswordSprayBec => bec::play(&mut b, t0)?,
        ScenarioKind::Ransomware => ransomware::play(&mut b, t0)?,
        ScenarioKind::InsiderMassDownload => insider::play(&mut b, t0)?,
        ScenarioKind::OAuthConsentPhishing => oauth::play(&mut b, t0)?,
        ScenarioKind::LinuxCryptominer => cryptominer::play(&mut b, t0)?,
    };
    b.close();
    let events: Vec<Pending> = b.em.out.drain(..).collect();
    let start = b.stages.iter().flat_map(|(_, t)| t.first().copied()).min().unwrap_or(t0);
    let end = b.stages.iter().flat_map(|(_, t)| t.iter().copied()).max().unwrap_or(t0);
    let (stages, event_times): (Vec<Stage>, Vec<Vec<Micros>>) = b.stages.into_iter().unzip();
    let truth = Scenario {
        id: format!("SCN-{:02}-{}", number + 1, b.kind.slug()),
        kind: b.kind,
        name: name.to_string(),
        description: description.to_string(),
        start: fmt_ts(start),
        end: fmt_ts(end),
        complete: true,
        stages,
        entities: b.entities,
    };
    Some((Planned { truth, start, end, event_times }, events))
}
