//! Email rows: EmailEvents with its EmailAttachmentInfo and EmailUrlInfo rows,
//! UrlClickEvents and EmailPostDeliveryEvents.

use serde_json::{Value, json};

use crate::row::{Emitter, Row};
use crate::time::Micros;
use crate::truth::EventRef;

/// An attachment of a message.
#[derive(Debug, Clone, Default)]
pub(crate) struct Attachment {
    pub file_name: String,
    pub file_type: String,
    pub sha256: String,
    pub size: i64,
    pub threat_types: String,
    pub threat_names: String,
}

/// A URL in a message: (url, domain, location: Body, Subject, Attachment, QRCode).
#[derive(Debug, Clone, Default)]
pub(crate) struct MailUrl {
    pub url: String,
    pub domain: String,
    pub location: &'static str,
}

/// One message to one recipient, as the filtering stack saw it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Mail {
    pub network_message_id: String,
    pub internet_message_id: String,
    pub from: String,
    pub from_display: String,
    pub mail_from: String,
    pub sender_object_id: String,
    pub sender_ip: String,
    pub to: String,
    pub to_object_id: String,
    pub subject: String,
    /// Inbound, Outbound, Intra-org.
    pub direction: &'static str,
    /// Delivered, Junked, Blocked, Replaced.
    pub delivery_action: &'static str,
    /// Inbox/folder, Junk folder, Quarantine, On-premises/external, Dropped, Failed.
    pub delivery_location: &'static str,
    pub threat_types: String,
    pub threat_names: String,
    pub detection_methods: Option<Value>,
    pub confidence: Option<Value>,
    pub bcl: i64,
    pub email_action: &'static str,
    pub email_action_policy: &'static str,
    pub auth: Option<Value>,
    pub attachments: Vec<Attachment>,
    pub urls: Vec<MailUrl>,
    pub language: &'static str,
    pub cluster_id: i64,
    pub connectors: &'static str,
}

fn domain_of(addr: &str) -> &str {
    addr.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

/// `EmailEvents` plus one `EmailAttachmentInfo` per attachment and one `EmailUrlInfo` per URL.
pub(crate) fn deliver(em: &mut Emitter, ts: Micros, m: &Mail) -> Vec<EventRef> {
    let mut refs = Vec::with_capacity(1 + m.attachments.len() + m.urls.len());
    let mut r = Row::new();
    r.s("NetworkMessageId", &m.network_message_id)
        .s("InternetMessageId", &m.internet_message_id)
        .s("SenderMailFromAddress", &m.mail_from)
        .s("SenderFromAddress", &m.from)
        .s("SenderDisplayName", &m.from_display)
        .s("SenderObjectId", &m.sender_object_id)
        .s("SenderMailFromDomain", domain_of(&m.mail_from))
        .s("SenderFromDomain", domain_of(&m.from))
        .s("SenderIPv4", &m.sender_ip)
        .s("RecipientEmailAddress", &m.to)
        .s("RecipientObjectId", &m.to_object_id)
        .s("Subject", &m.subject)
        .n("EmailClusterId", m.cluster_id)
        .s("EmailDirection", m.direction)
        .s("DeliveryAction", m.delivery_action)
        .s("DeliveryLocation", m.delivery_location)
        .s("ThreatTypes", &m.threat_types)
        .s("ThreatNames", &m.threat_names)
        .n("BulkComplaintLevel", m.bcl)
        .s("EmailAction", m.email_action)
        .s("EmailActionPolicy", m.email_action_policy)
        .n("AttachmentCount", m.attachments.len() as i64)
        .n("UrlCount", m.urls.len() as i64)
        .s("EmailLanguage", m.language)
        .s("Connectors", m.connectors)
        .s("LatestDeliveryLocation", m.delivery_location)
        .s("LatestDeliveryAction", m.delivery_action);
    if let Some(v) = &m.detection_methods {
        r.j("DetectionMethods", v.clone());
    }
    r.j("ConfidenceLevel", m.confidence.clone().unwrap_or_else(|| json!({"Phish": null, "Spam": "Normal"})));
    if let Some(v) = &m.auth {
        r.j("AuthenticationDetails", v.clone());
    }
    refs.push(em.emit("EmailEvents", ts, r));
    for a in &m.attachments {
        let mut r = Row::new();
        r.s("NetworkMessageId", &m.network_message_id)
            .s("SenderFromAddress", &m.from)
            .s("SenderDisplayName", &m.from_display)
            .s("SenderObjectId", &m.sender_object_id)
            .s("RecipientEmailAddress", &m.to)
            .s("RecipientObjectId", &m.to_object_id)
            .s("FileName", &a.file_name)
            .s("FileType", &a.file_type)
            .s("SHA256", &a.sha256)
            .n("FileSize", a.size)
            .s("ThreatTypes", &a.threat_types)
            .s("ThreatNames", &a.threat_names);
        if !a.threat_types.is_empty() {
            r.j("DetectionMethods", json!({ a.threat_types.clone(): ["File detonation"] }));
        }
        refs.push(em.emit("EmailAttachmentInfo", ts, r));
    }
    for u in &m.urls {
        let mut r = Row::new();
        r.s("NetworkMessageId", &m.network_message_id).s("Url", &u.url).s("UrlDomain", &u.domain).s("UrlLocation", u.location);
        refs.push(em.emit("EmailUrlInfo", ts, r));
    }
    refs
}

/// A Safe Links click.
#[derive(Debug, Clone, Default)]
pub(crate) struct Click<'a> {
    pub url: &'a str,
    /// ClickAllowed, ClickBlocked, ClickBlockedByTenantPolicy, UrlScanInProgress.
    pub action: &'a str,
    pub upn: &'a str,
    pub network_message_id: &'a str,
    pub threat_types: &'a str,
    pub ip: &'a str,
    pub clicked_through: bool,
}

/// `UrlClickEvents`.
pub(crate) fn click(em: &mut Emitter, ts: Micros, c: &Click) -> EventRef {
    let mut r = Row::new();
    r.s("Url", c.url)
        .s("ActionType", c.action)
        .s("AccountUpn", c.upn)
        .s("Workload", "Email")
        .s("NetworkMessageId", c.network_message_id)
        .s("ThreatTypes", c.threat_types)
        .s("IPAddress", c.ip)
        .b("IsClickedThrough", c.clicked_through)
        .j("UrlChain", json!([c.url]));
    if !c.threat_types.is_empty() {
        r.j("DetectionMethods", json!({ c.threat_types: ["URL detonation reputation"] }));
    }
    em.emit("UrlClickEvents", ts, r)
}

/// `EmailPostDeliveryEvents`: ZAP or an admin remediation of one delivered message.
#[allow(clippy::too_many_arguments)]
pub(crate) fn post_delivery(
    em: &mut Emitter,
    ts: Micros,
    m: &Mail,
    action_type: &str,
    action: &str,
    trigger: &str,
    threat: &str,
    location: &str,
) -> EventRef {
    let mut r = Row::new();
    r.s("NetworkMessageId", &m.network_message_id)
        .s("InternetMessageId", &m.internet_message_id)
        .s("Action", action)
        .s("ActionType", action_type)
        .s("ActionTrigger", trigger)
        .s("ActionResult", "Success")
        .s("RecipientEmailAddress", &m.to)
        .s("DeliveryLocation", location)
        .s("ThreatTypes", threat);
    if !threat.is_empty() {
        r.j("DetectionMethods", json!({ threat: ["File detonation reputation"] }));
    }
    em.emit("EmailPostDeliveryEvents", ts, r)
}

/// Authentication results of a message from a domain that publishes SPF/DKIM/DMARC.
pub(crate) fn auth_pass() -> Value {
    json!({"SPF": "pass", "DKIM": "pass", "DMARC": "pass", "CompAuth": "pass"})
}
