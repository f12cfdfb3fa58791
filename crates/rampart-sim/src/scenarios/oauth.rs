//! Consent phishing: a "shared document" email leads a user to grant an unverified
//! multi-tenant app Mail.Read and Files.ReadWrite.All; the app then harvests mail and files.

use rand::Rng;
use serde_json::json;

use super::{Builder, pick_index, windows_users};
use crate::baseline::win_pid;
use crate::benign::identity::{UA_EDGE, who};
use crate::benign::inventory::oauth_app_info;
use crate::emit::cloud::{CloudEvent, cloud_event};
use crate::emit::endpoint::{self, Conn};
use crate::emit::identity::{self, SignIn};
use crate::emit::mail::{self, Click, Mail, MailUrl};
use crate::ids::{guid, guid_of, hex_digest};
use crate::images::Img;
use crate::org::app;
use crate::org::net::{M365, SINGAPORE};
use crate::time::{DAY, MIN, Micros, SEC};

const APP_NAME: &str = "DocuSafe Viewer";
const LURE_DOMAIN: &str = "docusafe-share.com";
const SCOPES: &str = "Mail.Read Files.ReadWrite.All offline_access User.Read";

pub(super) fn play(b: &mut Builder, t0: Micros) -> Option<(&'static str, &'static str)> {
    let org = b.org;
    let ui = pick_index(b.rng, &windows_users(org, &["Legal", "Human Resources", "Marketing", "Sales", "Customer Support"]), &windows_users(org, &[]))?;
    let u = org.users.get(ui)?;
    let di = u.device?;
    let dev = org.devices.get(di)?;
    let app_id = guid_of(&format!("app:{APP_NAME}"));
    let lure_ip = b.attacker_ip("198.51.100");
    let harvest_ip = b.attacker_ip("203.0.113");
    let lure_url = format!("https://{LURE_DOMAIN}/view/{}", hex_digest(&format!("{t0}"), 5));
    let consent_url = format!(
        "https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id={app_id}&response_type=code&redirect_uri=https%3A%2F%2Fdocusafe-viewer.app%2Fauth&scope=Mail.Read%20Files.ReadWrite.All%20offline_access%20User.Read&state={}",
        hex_digest(&app_id, 6)
    );
    b.user(u);
    b.device(dev);
    b.mailbox(&u.mailbox);
    b.ip(&lure_ip);
    b.ip(&harvest_ip);
    b.url(&lure_url);
    b.url(&consent_url);
    b.domain(LURE_DOMAIN);
    b.domain("docusafe-viewer.app");
    b.domain("login.microsoftonline.com");
    b.app("Office 365");
    b.app("Microsoft Exchange Online");
    b.app("Microsoft OneDrive for Business");

    b.stage("Consent-phishing email delivered", &["initial-access"], &["T1566.002"], &[], &[]);
    let nmid = guid(b.rng);
    let m = Mail {
        internet_message_id: format!("<{}@{LURE_DOMAIN}>", hex_digest(&nmid, 10)),
        network_message_id: nmid.clone(),
        from: format!("notifications@{LURE_DOMAIN}"),
        from_display: "DocuSafe".into(),
        mail_from: format!("notifications@{LURE_DOMAIN}"),
        sender_ip: lure_ip.clone(),
        to: u.mailbox.clone(),
        to_object_id: u.object_id.clone(),
        subject: "Contract review: \"Q1 Carrier Agreement\" was shared with you".into(),
        direction: "Inbound",
        delivery_action: "Delivered",
        delivery_location: "Inbox/folder",
        auth: Some(mail::auth_pass()),
        urls: vec![
            MailUrl { url: lure_url.clone(), domain: LURE_DOMAIN.into(), location: "Body" },
            MailUrl { url: consent_url.clone(), domain: "login.microsoftonline.com".into(), location: "Body" },
        ],
        language: "en",
        email_action: "No action",
        cluster_id: b.rng.random_range(1_000_000..9_000_000),
        ..Default::default()
    };
    mail::deliver(b.em, t0, &m);

    let t1 = t0 + b.rng.random_range(10 * MIN..50 * MIN);
    b.stage("User clicks through a Safe Links warning", &["execution"], &["T1204.001"], &[], &["malicious_url_click"]);
    let office_ip = org.sites[u.site].egress_ip.clone();
    mail::click(
        b.em,
        t1,
        &Click { url: &lure_url, action: "ClickBlocked", upn: &u.upn, network_message_id: &nmid, threat_types: "Phish", ip: &office_ip, clicked_through: true },
    );
    let pr = b.procs(di)?;
    let explorer = pr.explorer()?;
    let edge = explorer.spawn(
        b.img.get(Img::MsEdge),
        win_pid(b.rng),
        format!(r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --single-argument {lure_url}"#),
        t1 + SEC,
    );
    endpoint::process_created(b.em, dev, t1 + SEC, &edge, &explorer);
    endpoint::network(
        b.em,
        dev,
        t1 + 3 * SEC,
        &edge,
        Conn { action: "ConnectionSuccess", remote_ip: &lure_ip, remote_port: 443, remote_url: LURE_DOMAIN, local_ip: &dev.ip, local_port: b.rng.random_range(49152..65535), protocol: "Tcp" },
        None,
    );

    let t2 = t1 + b.rng.random_range(30 * SEC..3 * MIN);
    b.stage(
        "Consent granted to an unverified app with mail and file scopes",
        &["credential-access", "persistence"],
        &["T1528", "T1098.003"],
        &[],
        &["risky_oauth_consent"],
    );
    let login = &M365[1];
    endpoint::network(
        b.em,
        dev,
        t2 - 5 * SEC,
        &edge,
        Conn { action: "ConnectionSuccess", remote_ip: login.ip, remote_port: 443, remote_url: login.host, local_ip: &dev.ip, local_port: b.rng.random_range(49152..65535), protocol: "Tcp" },
        None,
    );
    let cid = guid(b.rng);
    identity::entra_sign_in(
        b.em,
        t2 - 2 * SEC,
        &SignIn {
            application: APP_NAME,
            application_id: &app_id,
            resource: "Microsoft Graph",
            resource_id: "00000003-0000-0000-c000-000000000000",
            error_code: 0,
            who: who(u, org),
            device_name: &dev.device_name,
            entra_device_id: &dev.aad_device_id,
            os_platform: "Windows 10",
            managed: true,
            user_agent: UA_EDGE,
            browser: "Edge 122.0.0",
            client_app: "Browser",
            ip: &office_ip,
            geo: org.site_geo(u.site),
            mfa: false,
            risk_level: 1,
            correlation_id: &cid,
            session_id: &cid,
            tenant_id: &org.tenant_id,
        },
    );
    let o365 = &org.cloud_apps[app::OFFICE365];
    let sp_id = guid_of(&format!("sp:{APP_NAME}:{}", org.tenant_id));
    let base = CloudEvent {
        account_object_id: &u.object_id,
        account_id: &u.upn,
        account_display: &u.display_name,
        device_type: "Desktop",
        os_platform: "Windows 10",
        ip: &office_ip,
        geo: Some(org.site_geo(u.site)),
        isp: "Meridian Freight",
        user_agent: UA_EDGE,
        ..Default::default()
    };
    let targets = json!([
        {"Type": 2, "ID": format!("ServicePrincipal_{sp_id}")},
        {"Type": 2, "ID": sp_id},
        {"Type": 2, "ID": "ServicePrincipal"},
        {"Type": 1, "ID": APP_NAME},
        {"Type": 2, "ID": app_id},
        {"Type": 4, "ID": app_id}
    ]);
    cloud_event(
        b.em,
        t2,
        o365,
        &CloudEvent {
            action: "Consent to application.",
            activity_type: "Edit",
            object_name: APP_NAME,
            object_type: "Application",
            object_id: &app_id,
            activity_objects: Some(json!([{"Type": "Application", "Name": APP_NAME, "Id": app_id}])),
            raw: Some(json!({
                "Operation": "Consent to application.",
                "UserId": u.upn,
                "Workload": "AzureActiveDirectory",
                "ResultStatus": "Success",
                "Target": targets,
                "ModifiedProperties": [
                    {"Name": "ConsentContext.IsAdminConsent", "NewValue": "False", "OldValue": ""},
                    {"Name": "ConsentContext.IsAppOnly", "NewValue": "False", "OldValue": ""},
                    {"Name": "ConsentContext.OnBehalfOfAll", "NewValue": "False", "OldValue": ""},
                    {"Name": "ConsentContext.Tags", "NewValue": "WindowsAzureActiveDirectoryIntegratedApp", "OldValue": ""},
                    {"Name": "ConsentAction.Permissions", "NewValue": format!("[] => [[Id: {}, ClientId: {sp_id}, PrincipalId: {}, ResourceId: 00000003-0000-0000-c000-000000000000, ConsentType: Principal, Scope: {SCOPES}, CreatedDateTime: , LastModifiedDateTime ]]; ", hex_digest(&app_id, 16), u.object_id), "OldValue": ""}
                ]
            })),
            ..base.clone()
        },
    );
    cloud_event(
        b.em,
        t2 + SEC,
        o365,
        &CloudEvent {
            action: "Add delegated permission grant.",
            activity_type: "Add",
            object_name: APP_NAME,
            object_type: "Application",
            object_id: &app_id,
            raw: Some(json!({"Operation": "Add delegated permission grant.", "UserId": u.upn, "Target": targets, "ModifiedProperties": [{"Name": "DelegatedPermissionGrant.Scope", "NewValue": SCOPES, "OldValue": ""}]})),
            ..base.clone()
        },
    );
    oauth_app_info(b.em, org, t2 + 30 * MIN, APP_NAME, None, "High", &["Mail.Read", "Files.ReadWrite.All", "offline_access", "User.Read"], true, 1, t0 - 6 * DAY);

    let t3 = t2 + b.rng.random_range(20 * MIN..2 * 60 * MIN);
    b.stage("Mail and files harvested through Microsoft Graph by the app", &["collection"], &["T1114.002", "T1530"], &[], &[]);
    let exo = &org.cloud_apps[app::EXCHANGE];
    let od = &org.cloud_apps[app::ONEDRIVE];
    let harvest = CloudEvent {
        ip: &harvest_ip,
        geo: Some(SINGAPORE),
        isp: "DigitalOcean, LLC",
        user_agent: "python-requests/2.31.0",
        device_type: "",
        os_platform: "",
        oauth_app_id: &app_id,
        ..base.clone()
    };
    let mut t = t3;
    for i in 0..60 {
        if i % 3 == 2 {
            let file = format!("Contract_{:03}.pdf", i);
            let url = format!("https://meridianfreight-my.sharepoint.com/personal/{}/Documents/{file}", u.upn.replace(['.', '@'], "_"));
            cloud_event(
                b.em,
                t,
                od,
                &CloudEvent {
                    action: "FileDownloaded",
                    activity_type: "Download",
                    object_name: &url,
                    object_type: "File",
                    object_id: &url,
                    raw: Some(json!({"Operation": "FileDownloaded", "UserId": u.upn, "ClientIP": harvest_ip, "AppAccessContext": {"ClientAppId": app_id, "ClientAppName": APP_NAME}})),
                    ..harvest.clone()
                },
            );
        } else {
            cloud_event(
                b.em,
                t,
                exo,
                &CloudEvent {
                    action: "MailItemsAccessed",
                    activity_type: "Read",
                    object_name: &u.mailbox,
                    object_type: "Mailbox",
                    object_id: &u.object_id,
                    raw: Some(json!({"Operation": "MailItemsAccessed", "UserId": u.upn, "ClientIPAddress": harvest_ip, "MailAccessType": "Bind", "AppId": app_id, "ClientAppId": app_id})),
                    ..harvest.clone()
                },
            );
        }
        t += b.rng.random_range(20 * SEC..3 * MIN);
    }
    Some((
        "OAuth consent phishing",
        "A fake document-sharing email links to a look-alike viewer and to the real Microsoft consent page of an unverified multi-tenant app. The user clicks through a Safe Links warning and grants the app Mail.Read and Files.ReadWrite.All; the app then reads the mailbox and downloads OneDrive files through Microsoft Graph from a cloud hosting IP.",
    ))
}
