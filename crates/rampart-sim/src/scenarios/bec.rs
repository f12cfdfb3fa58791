//! Password spray against Entra ID → one weak password falls → mailbox takeover with a
//! forwarding inbox rule → payment-fraud email (business email compromise).

use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::json;

use super::Builder;
use crate::benign::identity::{ENTRA_APPS, UA_EDGE, who};
use crate::emit::cloud::{CloudEvent, cloud_event};
use crate::emit::identity::{self, IdLogon, SignIn};
use crate::emit::mail::{self, Mail};
use crate::ids::{guid, hex_digest};
use crate::org::app;
use crate::org::net::{AMSTERDAM, HOSTING};
use crate::time::{MIN, Micros, SEC};

const SPRAY_UA: &str = "python-requests/2.31.0";

pub(super) fn play(b: &mut Builder, t0: Micros) -> Option<(&'static str, &'static str)> {
    let org = b.org;
    let ip = b.attacker_ip("203.0.113");
    let (isp, geo) = HOSTING.first().copied().unwrap_or(("Hostkey B.V.", AMSTERDAM));
    // The victim: someone in finance who does not have an admin account.
    let finance: Vec<usize> = org.users.iter().enumerate().filter(|(_, u)| u.department == "Finance" && u.admin.is_none()).map(|(i, _)| i).collect();
    let vi = *finance.get(b.rng.random_range(0..finance.len().max(1)))?;
    let victim = org.users.get(vi)?;
    let cfo = org.users.get(1)?;
    let mut targets: Vec<usize> = (0..org.users.len()).filter(|&i| i != vi).collect();
    targets.shuffle(b.rng);
    let n_targets = b.rng.random_range(32..50).min(targets.len());
    targets.truncate(n_targets);
    let pos = b.rng.random_range(n_targets / 2..n_targets);
    targets.insert(pos, vi);
    let (app_name, app_id, res, res_id) = ENTRA_APPS[0];

    b.user(victim);
    b.mailbox(&victim.mailbox);
    b.ip(&ip);
    b.app("Microsoft Exchange Online");
    b.app("Office 365");

    // The victim is at work in Chicago shortly before (the baseline for impossible travel).
    let office_ip = org.sites[victim.site].egress_ip.clone();
    let cid = guid(b.rng);
    identity::entra_sign_in(
        b.em,
        t0 - 35 * MIN,
        &SignIn {
            application: app_name,
            application_id: app_id,
            resource: res,
            resource_id: res_id,
            error_code: 0,
            who: who(victim, org),
            os_platform: "Windows 10",
            managed: true,
            user_agent: UA_EDGE,
            browser: "Edge 122.0.0",
            client_app: "Browser",
            ip: &office_ip,
            geo: org.site_geo(victim.site),
            mfa: false,
            risk_level: 1,
            correlation_id: &cid,
            session_id: &cid,
            tenant_id: &org.tenant_id,
            ..Default::default()
        },
    );

    let mut times = Vec::with_capacity(targets.len());
    let mut t = t0;
    for _ in &targets {
        times.push(t);
        t += b.rng.random_range(10 * SEC..45 * SEC);
    }
    let success_at = targets.iter().position(|&i| i == vi).and_then(|k| times.get(k).copied()).unwrap_or(t0);
    for hit in [false, true] {
        if hit {
            b.stage("Valid sign-in from the spraying host", &["initial-access", "defense-evasion"], &["T1078.004"], &[], &["impossible_travel"]);
        } else {
            b.stage("Password spray against Entra ID", &["credential-access"], &["T1110.003"], &[], &["password_spray"]);
        }
        for (k, &ti) in targets.iter().enumerate() {
            if (ti == vi) != hit {
                continue;
            }
            let Some(u) = org.users.get(ti) else { continue };
            let at = times.get(k).copied().unwrap_or(t0);
            let cid = guid(b.rng);
            let code = if hit { 0 } else if b.rng.random_bool(0.05) { 50053 } else { 50126 };
            identity::entra_sign_in(
                b.em,
                at,
                &SignIn {
                    application: app_name,
                    application_id: app_id,
                    resource: res,
                    resource_id: res_id,
                    error_code: code,
                    who: who(u, org),
                    os_platform: "",
                    user_agent: SPRAY_UA,
                    client_app: "Mobile Apps and Desktop clients",
                    ip: &ip,
                    geo,
                    risk_level: if hit { 50 } else { 10 },
                    correlation_id: &cid,
                    session_id: &cid,
                    tenant_id: &org.tenant_id,
                    ..Default::default()
                },
            );
            identity::identity_logon(
                b.em,
                at + 150_000,
                &IdLogon {
                    action: if hit { "LogonSuccess" } else { "LogonFailed" },
                    application: "Office 365",
                    logon_type: "Interactive",
                    failure: if hit { "" } else if code == 50053 { "AccountLocked" } else { "InvalidUserNameOrPassword" },
                    who: who(u, org),
                    ip: &ip,
                    geo: Some(geo),
                    isp,
                    ..Default::default()
                },
            );
            b.upn(&u.upn);
        }
    }

    // The attacker reads the mailbox, then hides and forwards payment mail.
    let t2 = success_at.max(t) + b.rng.random_range(5 * MIN..25 * MIN);
    b.stage(
        "Mailbox access and forwarding inbox rule",
        &["collection", "persistence", "defense-evasion"],
        &["T1114.002", "T1114.003", "T1564.008"],
        &[],
        &["inbox_forwarding_rule"],
    );
    let exo = &org.cloud_apps[app::EXCHANGE];
    let base = CloudEvent {
        account_object_id: &victim.object_id,
        account_id: &victim.upn,
        account_display: &victim.display_name,
        device_type: "Desktop",
        os_platform: "Windows 10",
        ip: &ip,
        geo: Some(geo),
        isp,
        user_agent: UA_EDGE,
        ..Default::default()
    };
    let session = guid(b.rng);
    for i in 0..4 {
        cloud_event(
            b.em,
            t2 + i * b.rng.random_range(30 * SEC..3 * MIN),
            exo,
            &CloudEvent {
                action: "MailItemsAccessed",
                activity_type: "Read",
                object_name: &victim.mailbox,
                object_type: "Mailbox",
                object_id: &victim.object_id,
                raw: Some(json!({"Operation": "MailItemsAccessed", "UserId": victim.upn, "ClientIPAddress": ip, "MailAccessType": "Bind", "ClientInfoString": "Client=OWA;Action=ViaProxy", "SessionId": session})),
                ..base.clone()
            },
        );
    }
    let drop_box = format!("ap.remit.{}@gmail.com", hex_digest(&victim.upn, 2));
    b.mailbox(&drop_box);
    b.domain("gmail.com");
    let t3 = t2 + b.rng.random_range(8 * MIN..20 * MIN);
    let params = json!([
        {"Name": "Name", "Value": "."},
        {"Name": "SubjectOrBodyContainsWords", "Value": "invoice;payment;wire;remittance;bank"},
        {"Name": "ForwardTo", "Value": drop_box},
        {"Name": "MoveToFolder", "Value": "RSS Subscriptions"},
        {"Name": "MarkAsRead", "Value": "True"},
        {"Name": "StopProcessingRules", "Value": "True"}
    ]);
    cloud_event(
        b.em,
        t3,
        exo,
        &CloudEvent {
            action: "New-InboxRule",
            activity_type: "Create",
            object_name: ".",
            object_type: "Inbox rule",
            activity_objects: Some(params.clone()),
            raw: Some(json!({"Operation": "New-InboxRule", "UserId": victim.upn, "ClientIP": format!("{ip}:51234"), "Parameters": params, "ResultStatus": "True", "SessionId": session, "ObjectId": format!("{}\\.", victim.upn)})),
            ..base.clone()
        },
    );
    let params2 = json!([
        {"Name": "Identity", "Value": format!("{}\\.", victim.upn)},
        {"Name": "From", "Value": cfo.mailbox},
        {"Name": "DeleteMessage", "Value": "True"}
    ]);
    cloud_event(
        b.em,
        t3 + b.rng.random_range(MIN..5 * MIN),
        exo,
        &CloudEvent {
            action: "Set-InboxRule",
            activity_type: "Edit",
            object_name: ".",
            object_type: "Inbox rule",
            activity_objects: Some(params2.clone()),
            raw: Some(json!({"Operation": "Set-InboxRule", "UserId": victim.upn, "ClientIP": format!("{ip}:51234"), "Parameters": params2, "ResultStatus": "True", "SessionId": session})),
            ..base.clone()
        },
    );

    // Payment fraud from the real mailbox.
    let t4 = t3 + b.rng.random_range(30 * MIN..90 * MIN);
    b.stage("Payment-fraud email sent from the compromised mailbox", &["impact", "lateral-movement"], &["T1534", "T1657"], &[], &[]);
    let controller = org.users.iter().find(|u| u.job_title == "Controller").unwrap_or(cfo);
    for (to, to_oid, dir, loc) in [
        (controller.mailbox.as_str(), controller.object_id.as_str(), "Intra-org", "Inbox/folder"),
        ("billing@northpeak-logistics.com", "", "Outbound", "On-premises/external"),
    ] {
        let nmid = guid(b.rng);
        mail::deliver(
            b.em,
            t4,
            &Mail {
                internet_message_id: format!("<{}@{}>", hex_digest(&nmid, 10).to_uppercase(), org.email_domain),
                network_message_id: nmid,
                from: victim.mailbox.clone(),
                from_display: victim.display_name.clone(),
                mail_from: victim.mailbox.clone(),
                sender_object_id: victim.object_id.clone(),
                sender_ip: if dir == "Outbound" { "40.107.244.71".into() } else { String::new() },
                to: to.to_string(),
                to_object_id: to_oid.to_string(),
                subject: "Updated remittance details - Northpeak Logistics".into(),
                direction: dir,
                delivery_action: "Delivered",
                delivery_location: loc,
                auth: Some(mail::auth_pass()),
                language: "en",
                email_action: "No action",
                ..Default::default()
            },
        );
        b.mailbox(to);
    }
    cloud_event(
        b.em,
        t4 + 2 * SEC,
        exo,
        &CloudEvent {
            action: "Send",
            activity_type: "Send",
            object_name: "Updated remittance details - Northpeak Logistics",
            object_type: "Email",
            raw: Some(json!({"Operation": "Send", "UserId": victim.upn, "ClientIP": ip, "SessionId": session})),
            ..base.clone()
        },
    );
    b.upn(&controller.upn);
    Some((
        "Password spray to business email compromise",
        "A hosting-provider IP sprays one password across dozens of accounts. A finance user's weak password works, from Amsterdam half an hour after the same user signed in from Chicago. The attacker reads the mailbox, creates a hidden inbox rule that forwards payment mail to a Gmail drop box and deletes the CFO's messages, then sends updated remittance details to the controller and the supplier.",
    ))
}
