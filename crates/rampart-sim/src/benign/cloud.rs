//! Benign cloud app activity: files in SharePoint and OneDrive, mailbox access, Teams,
//! Salesforce, and administrators at work.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::identity::origin;
use super::{World, pick};
use crate::emit::cloud::{CloudEvent, cloud_event};
use crate::ids::guid;
use crate::org::app;
use crate::row::Emitter;
use crate::time::{Micros, SEC};

const FILES: &[&str] = &[
    "Carrier Rates 2025.xlsx", "Q3 Budget.xlsx", "Driver Handbook.pdf", "Customer List - Midwest.xlsx", "Warehouse SOP.docx",
    "Board Update.pptx", "Org Chart.pdf", "Holiday Schedule.docx", "Claims Log.xlsx", "Fuel Surcharge Table.xlsx",
];

pub(crate) fn activity(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let org = w.org;
    let Some(u) = pick(rng, &org.users) else { return };
    let o = origin(org, u, rng);
    let roll = rng.random_range(0..1000);
    let base = CloudEvent {
        account_object_id: &u.object_id,
        account_id: &u.upn,
        account_display: &u.display_name,
        device_type: if o.os == "iOS" { "Mobile" } else { "Desktop" },
        os_platform: o.os,
        ip: &o.ip,
        geo: Some(o.geo),
        isp: o.isp,
        user_agent: o.ua,
        ..Default::default()
    };
    if roll < 560 {
        let sharepoint = rng.random_bool(0.55);
        let a = if sharepoint { &org.cloud_apps[app::SHAREPOINT] } else { &org.cloud_apps[app::ONEDRIVE] };
        let (action, activity) = match rng.random_range(0..10) {
            0..=4 => ("FileAccessed", "Read"),
            5..=6 => ("FileModified", "Edit"),
            7..=8 => ("FileDownloaded", "Download"),
            _ => ("FileUploaded", "Upload"),
        };
        let n = if action == "FileDownloaded" && rng.random_bool(0.1) { rng.random_range(2..12) } else { 1 };
        for i in 0..n {
            let file = pick(rng, FILES).copied().unwrap_or("Document.docx");
            let url = if sharepoint {
                format!("https://meridianfreight.sharepoint.com/sites/{}/Shared Documents/{file}", u.department.replace(' ', ""))
            } else {
                format!("https://meridianfreight-my.sharepoint.com/personal/{}/Documents/{file}", u.upn.replace(['.', '@'], "_"))
            };
            cloud_event(
                em,
                t + i * rng.random_range(SEC..20 * SEC),
                a,
                &CloudEvent {
                    action,
                    activity_type: activity,
                    object_name: &url,
                    object_type: "File",
                    object_id: &url,
                    activity_objects: Some(json!([{"Type": "File", "Name": file, "Id": url}])),
                    raw: Some(json!({"Operation": action, "UserId": u.upn, "ClientIP": o.ip, "ObjectId": url, "SourceFileName": file, "Workload": if sharepoint { "SharePoint" } else { "OneDrive" }})),
                    ..base.clone()
                },
            );
        }
    } else if roll < 800 {
        let a = &org.cloud_apps[app::EXCHANGE];
        cloud_event(
            em,
            t,
            a,
            &CloudEvent {
                action: "MailItemsAccessed",
                activity_type: "Read",
                object_name: &u.mailbox,
                object_type: "Mailbox",
                object_id: &u.object_id,
                raw: Some(json!({"Operation": "MailItemsAccessed", "UserId": u.upn, "ClientIPAddress": o.ip, "MailAccessType": "Sync", "ClientInfoString": "Client=OutlookService;Outlook/16.0"})),
                ..base.clone()
            },
        );
    } else if roll < 930 {
        let a = &org.cloud_apps[app::TEAMS];
        let action = if rng.random_bool(0.6) { "TeamsSessionStarted" } else { "MessagesListed" };
        cloud_event(em, t, a, &CloudEvent { action, activity_type: "Run", raw: Some(json!({"Operation": action, "UserId": u.upn})), ..base.clone() });
    } else if roll < 975 {
        let a = &org.cloud_apps[app::SALESFORCE];
        let action = if rng.random_bool(0.7) { "Login" } else { "Report exported" };
        cloud_event(em, t, a, &CloudEvent { action, activity_type: if action == "Login" { "Login" } else { "Export" }, raw: Some(json!({"EVENT_TYPE": action, "USER_NAME": u.upn})), ..base.clone() });
    } else if roll < 992 {
        // Someone files newsletters away with an inbox rule (no forwarding).
        let a = &org.cloud_apps[app::EXCHANGE];
        let name = ["Newsletters", "LinkedIn", "Move FreightWaves"][rng.random_range(0..3)];
        let params = json!([
            {"Name": "Name", "Value": name},
            {"Name": "From", "Value": "news@freightwaves-news.com"},
            {"Name": "MoveToFolder", "Value": "Newsletters"},
            {"Name": "StopProcessingRules", "Value": "False"}
        ]);
        cloud_event(
            em,
            t,
            a,
            &CloudEvent {
                action: "New-InboxRule",
                activity_type: "Create",
                object_name: name,
                object_type: "Inbox rule",
                activity_objects: Some(params.clone()),
                raw: Some(json!({"Operation": "New-InboxRule", "UserId": u.upn, "ClientIP": o.ip, "Parameters": params, "ResultStatus": "True", "SessionId": guid(rng)})),
                ..base.clone()
            },
        );
    } else {
        // An administrator changes a user or a group.
        let admins = org.admins();
        let Some(admin) = pick(rng, &admins).and_then(|&i| org.users.get(i)) else { return };
        let Some(acct) = admin.admin.as_ref() else { return };
        let Some(target) = pick(rng, &org.users) else { return };
        let (a, action) = match rng.random_range(0..3) {
            0 => (&org.cloud_apps[app::OFFICE365], "Update user."),
            1 => (&org.cloud_apps[app::OFFICE365], "Add member to group."),
            _ => (&org.cloud_apps[app::EXCHANGE], "Set-Mailbox"),
        };
        let ip = org.sites[admin.site].egress_ip.clone();
        cloud_event(
            em,
            t,
            a,
            &CloudEvent {
                action,
                activity_type: "Edit",
                account_object_id: &acct.object_id,
                account_id: &acct.upn,
                account_display: &acct.display_name,
                is_admin: true,
                account_type: "Admin",
                ip: &ip,
                geo: Some(org.site_geo(admin.site)),
                isp: "Meridian Freight",
                object_name: &target.upn,
                object_type: "User",
                object_id: &target.object_id,
                raw: Some(json!({"Operation": action, "UserId": acct.upn, "ObjectId": target.upn})),
                ..base.clone()
            },
        );
    }
}
