//! Benign mail flow: partner mail, newsletters, spam, colleagues, replies to customers.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::{World, pick};
use crate::emit::mail::{self, Attachment, Click, Mail, MailUrl};
use crate::ids::{Hashes, guid};
use crate::row::Emitter;
use crate::time::{MIN, Micros, SEC};

/// (sender, display name, sending server IP, subjects)
const PARTNERS: &[(&str, &str, &str, &[&str])] = &[
    ("billing@northpeak-logistics.com", "Northpeak Billing", "40.107.220.51", &["Invoice INV-20931", "Statement for February", "Updated payment terms"]),
    ("ops@bluewater-shipping.com", "Bluewater Operations", "40.107.94.120", &["Vessel schedule update", "Booking confirmation BW-7781", "Port congestion notice"]),
    ("sales@acme-supply.com", "Acme Supply", "209.85.220.41", &["Quote for pallet wrap", "Re: order 44120", "New catalogue"]),
    ("noreply@linkedin.com", "LinkedIn", "108.174.3.17", &["You appeared in 9 searches this week", "New jobs for you"]),
    ("news@freightwaves-news.com", "FreightWaves Daily", "149.72.150.8", &["Daily freight market update", "Spot rates climb"]),
    ("accounts@harborline-customs.com", "Harborline Customs", "40.107.8.66", &["Customs clearance docs", "Entry summary 3461"]),
];

const SPAMMERS: &[(&str, &str)] = &[
    ("promo@cheap-pallets-deals.biz", "Your exclusive pallet discount"),
    ("winner@lottery-intl-claims.info", "Congratulations! Claim your prize"),
    ("seo@rank-first-now.co", "Get your site on page one"),
];

const INTERNAL_SUBJECTS: &[&str] = &[
    "Team sync notes", "Re: route planning", "Lunch on Friday?", "Updated org chart", "Re: Q3 budget", "Shift schedule",
    "Customer escalation", "Fwd: carrier rates", "Quick question", "Board deck draft",
];

fn message_ids(rng: &mut ChaCha8Rng, domain: &str) -> (String, String) {
    let nmid = guid(rng);
    let imid = format!("<{}@{}>", crate::ids::hex_digest(&nmid, 12).to_uppercase(), domain);
    (nmid, imid)
}

pub(crate) fn mail(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let org = w.org;
    let Some(to) = pick(rng, &org.users) else { return };
    let roll = rng.random_range(0..1000);
    let mut m = Mail { to: to.mailbox.clone(), to_object_id: to.object_id.clone(), language: "en", bcl: 0, email_action: "No action", ..Default::default() };
    if roll < 560 {
        let Some((from, display, ip, subjects)) = pick(rng, PARTNERS) else { return };
        let (nmid, imid) = message_ids(rng, from.split('@').nth(1).unwrap_or("example.com"));
        m.network_message_id = nmid;
        m.internet_message_id = imid;
        m.from = from.to_string();
        m.mail_from = from.to_string();
        m.from_display = display.to_string();
        m.sender_ip = ip.to_string();
        m.subject = pick(rng, subjects).copied().unwrap_or("Hello").to_string();
        m.direction = "Inbound";
        m.delivery_action = "Delivered";
        m.delivery_location = "Inbox/folder";
        m.auth = Some(mail::auth_pass());
        m.bcl = if from.starts_with("news") || from.starts_with("noreply") { rng.random_range(3..7) } else { 0 };
        m.cluster_id = crate::ids::fnv64(&m.subject) as i64 & 0xFFFF_FFFF;
        let domain = from.split('@').nth(1).unwrap_or("example.com");
        if rng.random_bool(0.5) {
            let url = format!("https://www.{domain}/{}", ["account", "portal/login", "news/today", "track?id=77812"][rng.random_range(0..4)]);
            m.urls.push(MailUrl { url, domain: format!("www.{domain}"), location: "Body" });
        }
        if rng.random_bool(0.25) {
            let (name, ty) = [("Invoice.pdf", "pdf"), ("Schedule.xlsx", "xlsx"), ("Manifest.docx", "docx")][rng.random_range(0..3)];
            let h = Hashes::of(&format!("{}{}", m.network_message_id, name));
            m.attachments.push(Attachment { file_name: name.to_string(), file_type: ty.to_string(), sha256: h.sha256, size: rng.random_range(30_000..2_000_000), ..Default::default() });
        }
    } else if roll < 640 {
        let Some((from, subject)) = pick(rng, SPAMMERS) else { return };
        let (nmid, imid) = message_ids(rng, from.split('@').nth(1).unwrap_or("example.com"));
        m.network_message_id = nmid;
        m.internet_message_id = imid;
        m.from = from.to_string();
        m.mail_from = from.to_string();
        m.sender_ip = format!("185.{}.{}.{}", rng.random_range(0..255), rng.random_range(0..255), rng.random_range(1..254));
        m.subject = subject.to_string();
        m.direction = "Inbound";
        m.delivery_action = "Junked";
        m.delivery_location = "Junk folder";
        m.threat_types = "Spam".into();
        m.detection_methods = Some(json!({"Spam": ["Mixed analysis detection"]}));
        m.confidence = Some(json!({"Phish": null, "Spam": "High"}));
        m.bcl = 7;
        m.email_action = "Move message to junk mail folder";
        m.email_action_policy = "Antispam";
        m.auth = Some(json!({"SPF": "softfail", "DKIM": "none", "DMARC": "none", "CompAuth": "fail"}));
        let host = from.split('@').nth(1).unwrap_or("example.com");
        m.urls.push(MailUrl { url: format!("http://{host}/claim"), domain: host.to_string(), location: "Body" });
    } else if roll < 648 {
        // Phishing and malware that the filters stop.
        let (nmid, imid) = message_ids(rng, "secure-docs-share.net");
        m.network_message_id = nmid;
        m.internet_message_id = imid;
        m.from = "no-reply@secure-docs-share.net".into();
        m.mail_from = m.from.clone();
        m.from_display = "SharePoint".into();
        m.sender_ip = format!("203.0.113.{}", rng.random_range(150..200));
        m.subject = "You have received a shared document".into();
        m.direction = "Inbound";
        m.delivery_action = "Blocked";
        m.delivery_location = "Quarantine";
        let malware = rng.random_bool(0.3);
        m.threat_types = if malware { "Malware".into() } else { "Phish".into() };
        m.detection_methods = Some(if malware { json!({"Malware": ["Antimalware protection"]}) } else { json!({"Phish": ["URL detonation reputation"]}) });
        m.confidence = Some(json!({"Phish": "High", "Spam": null}));
        m.email_action = "Send to quarantine";
        m.email_action_policy = if malware { "Antimalware" } else { "Antiphish" };
        m.auth = Some(json!({"SPF": "fail", "DKIM": "none", "DMARC": "fail", "CompAuth": "fail"}));
        if malware {
            let h = Hashes::of(&m.network_message_id);
            m.attachments.push(Attachment { file_name: "Document_Scan.iso".into(), file_type: "iso".into(), sha256: h.sha256, size: 1_245_184, threat_types: "Malware".into(), threat_names: "Trojan:Win32/Qakbot.RPX!MTB".into() });
        } else {
            m.urls.push(MailUrl { url: "https://secure-docs-share.net/s/Xk29aQ".into(), domain: "secure-docs-share.net".into(), location: "Body" });
        }
    } else {
        let Some(from) = pick(rng, &org.users) else { return };
        let (nmid, imid) = message_ids(rng, &org.email_domain);
        m.network_message_id = nmid;
        m.internet_message_id = imid;
        m.from = from.mailbox.clone();
        m.mail_from = from.mailbox.clone();
        m.from_display = from.display_name.clone();
        m.sender_object_id = from.object_id.clone();
        m.subject = pick(rng, INTERNAL_SUBJECTS).copied().unwrap_or("Hi").to_string();
        m.auth = Some(mail::auth_pass());
        if roll < 880 {
            m.direction = "Intra-org";
            m.delivery_action = "Delivered";
            m.delivery_location = "Inbox/folder";
        } else {
            // A reply to a partner leaves the organisation.
            let Some((partner, display, _, _)) = pick(rng, PARTNERS) else { return };
            m.direction = "Outbound";
            m.delivery_action = "Delivered";
            m.delivery_location = "On-premises/external";
            m.to = partner.to_string();
            m.to_object_id = String::new();
            m.subject = format!("RE: {}", display);
            m.sender_ip = "40.107.244.71".into();
        }
    }
    let refs = mail::deliver(em, t, &m);
    drop(refs);
    // Some recipients click a link in delivered mail later on.
    if m.delivery_action == "Delivered" && m.direction == "Inbound" && !m.urls.is_empty() && rng.random_bool(0.12) {
        let ip = if rng.random_bool(0.75) { org.sites[to.site].egress_ip.clone() } else { to.home_ip.clone() };
        mail::click(
            em,
            t + rng.random_range(MIN..90 * MIN),
            &Click {
                url: &m.urls[0].url,
                action: "ClickAllowed",
                upn: &to.upn,
                network_message_id: &m.network_message_id,
                threat_types: "",
                ip: &ip,
                clicked_through: false,
            },
        );
    }
    // Now and then a spam message is moved by zero-hour auto purge after delivery.
    if m.delivery_action == "Junked" && rng.random_bool(0.05) {
        mail::post_delivery(em, t + rng.random_range(10 * SEC..30 * MIN), &m, "Spam ZAP", "Moved to junk folder", "Spam ZAP", "Spam", "Junk folder");
    }
}
