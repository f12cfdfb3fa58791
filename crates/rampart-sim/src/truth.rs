//! Ground truth: what each attack scenario did, when, to whom, and what should detect it.
//!
//! Serialised as JSON next to generated data (see `docs/demo.md`). Events are pointed at
//! by `(table, ReportId)`; the timestamp is carried too so a reader can find them fast.

use std::collections::BTreeSet;

use serde::Serialize;

/// A report id as the table types it: a long in Device* tables, a string elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum ReportId {
    Long(i64),
    Text(String),
}

/// One event of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRef {
    pub table: String,
    pub report_id: ReportId,
    /// The event's `Timestamp`, as in the row.
    pub timestamp: String,
}

/// The kinds of attack scenario the simulator can play.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioKind {
    /// Phishing → macro → PowerShell → credential dumping → lateral movement → exfiltration.
    PhishingToExfiltration,
    /// Password spray → account takeover → inbox forwarding rule → payment fraud mail.
    PasswordSprayBec,
    /// RDP brute force → defence evasion → PsExec spread → recovery inhibition → encryption.
    Ransomware,
    /// A departing employee mass-downloads from SharePoint and copies to USB.
    InsiderMassDownload,
    /// Consent phishing: a user grants a malicious OAuth app access to mail and files.
    OAuthConsentPhishing,
    /// SSH brute force on a Linux web server → cron persistence → cryptominer.
    LinuxCryptominer,
}

impl ScenarioKind {
    /// Every kind, in a fixed order.
    pub const ALL: [ScenarioKind; 6] = [
        ScenarioKind::PhishingToExfiltration,
        ScenarioKind::PasswordSprayBec,
        ScenarioKind::Ransomware,
        ScenarioKind::InsiderMassDownload,
        ScenarioKind::OAuthConsentPhishing,
        ScenarioKind::LinuxCryptominer,
    ];

    /// Short stable name, used in scenario ids.
    pub fn slug(self) -> &'static str {
        match self {
            ScenarioKind::PhishingToExfiltration => "phishing_to_exfiltration",
            ScenarioKind::PasswordSprayBec => "password_spray_bec",
            ScenarioKind::Ransomware => "ransomware",
            ScenarioKind::InsiderMassDownload => "insider_mass_download",
            ScenarioKind::OAuthConsentPhishing => "oauth_consent_phishing",
            ScenarioKind::LinuxCryptominer => "linux_cryptominer",
        }
    }
}

/// A device named in ground truth.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DeviceEntity {
    pub device_id: String,
    pub device_name: String,
}

/// A file named in ground truth.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FileEntity {
    pub file_name: String,
    pub sha1: String,
    pub sha256: String,
}

/// Everything a scenario touched. Sets are sorted, so output is deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Entities {
    pub devices: BTreeSet<DeviceEntity>,
    /// User principal names.
    pub users: BTreeSet<String>,
    pub mailboxes: BTreeSet<String>,
    pub ips: BTreeSet<String>,
    pub urls: BTreeSet<String>,
    pub domains: BTreeSet<String>,
    pub files: BTreeSet<FileEntity>,
    pub cloud_apps: BTreeSet<String>,
}

/// One stage of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub name: String,
    /// ATT&CK tactic short names, e.g. `initial-access`.
    pub tactics: Vec<String>,
    /// ATT&CK technique ids, e.g. `T1566.001`.
    pub techniques: Vec<String>,
    pub start: String,
    pub end: String,
    pub events: Vec<EventRef>,
    /// SigmaHQ rule ids that should fire on at least one event of this stage.
    pub expected_sigma: Vec<String>,
    /// Rampart's own detections that should fire on this stage.
    pub expected_rampart: Vec<String>,
}

/// One attack scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub id: String,
    pub kind: ScenarioKind,
    pub name: String,
    pub description: String,
    pub start: String,
    pub end: String,
    /// Whether every stage's events have been emitted (false while the attack is under way).
    pub complete: bool,
    pub stages: Vec<Stage>,
    pub entities: Entities,
}

/// All scenarios of a simulation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroundTruth {
    pub seed: u64,
    pub scenarios: Vec<Scenario>,
}
