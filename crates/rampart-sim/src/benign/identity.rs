//! Benign identity activity: Entra ID sign-ins and Active Directory authentication and
//! queries seen by the domain controllers.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::{World, ephemeral, pick};
use crate::emit::identity::{self, IdDirectory, IdLogon, IdQuery, SignIn, Who};
use crate::ids::guid;
use crate::org::net::HOME_ISPS;
use crate::org::{Device, OsFamily, Org, User};
use crate::row::Emitter;
use crate::time::{Micros, SEC};

pub(crate) fn who<'a>(u: &'a User, org: &'a Org) -> Who<'a> {
    Who { name: &u.account_name, domain: &org.ad_domain, upn: &u.upn, sid: &u.sid, object_id: &u.object_id, display: &u.display_name }
}

/// (application, application id, resource, resource id)
pub(crate) const ENTRA_APPS: &[(&str, &str, &str, &str)] = &[
    ("Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c", "Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"),
    ("Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams Services", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"),
    ("OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca", "Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000"),
    ("Microsoft Outlook", "5d661950-3475-41cd-a2c3-d671a3162bc1", "Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"),
    ("Salesforce", "3b1c7c6b-8f44-4d6b-9d8a-0b1c5f1e2a77", "Salesforce", "3b1c7c6b-8f44-4d6b-9d8a-0b1c5f1e2a77"),
];

pub(crate) const UA_EDGE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0";
pub(crate) const UA_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15";
pub(crate) const UA_IOS: &str = "Outlook-iOS/723.4027091.prod.iphone (4.2410.0)";

/// Where and on what a user signs in from right now.
pub(crate) struct Origin<'a> {
    pub ip: String,
    pub isp: &'a str,
    pub geo: crate::org::net::Geo,
    pub device: Option<&'a Device>,
    pub os: &'static str,
    pub ua: &'static str,
    pub browser: &'static str,
}

pub(crate) fn origin<'a>(org: &'a Org, u: &'a User, rng: &mut ChaCha8Rng) -> Origin<'a> {
    let device = u.device.and_then(|i| org.devices.get(i));
    let roll = rng.random_range(0..100);
    let (ip, isp, geo) = if roll < 70 {
        (org.sites[u.site].egress_ip.clone(), "Meridian Freight", org.site_geo(u.site))
    } else {
        let isp = HOME_ISPS.iter().find(|(n, _, _)| *n == u.home_isp).map(|x| x.2).unwrap_or(org.site_geo(u.site));
        (u.home_ip.clone(), u.home_isp.as_str(), isp)
    };
    let mobile = device.is_none() && rng.random_bool(0.6) || rng.random_bool(0.1);
    let (os, ua, browser, device) = if mobile {
        ("iOS", UA_IOS, "Outlook Mobile", None)
    } else {
        match device.map(|d| d.os) {
            Some(OsFamily::MacOs) => ("macOS", UA_MAC, "Safari 17.3", device),
            Some(OsFamily::Linux) => ("Linux", UA_EDGE, "Edge 122.0.0", device),
            _ => ("Windows 10", UA_EDGE, "Edge 122.0.0", device),
        }
    };
    Origin { ip, isp, geo, device, os, ua, browser }
}

/// An interactive Entra ID sign-in, as EntraIdSignInEvents and IdentityLogonEvents record it.
pub(crate) fn sign_in(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let org = w.org;
    let Some(u) = pick(rng, &org.users) else { return };
    let o = origin(org, u, rng);
    let Some(&(app, app_id, res, res_id)) = pick(rng, ENTRA_APPS) else { return };
    let typo = rng.random_bool(0.03);
    let mut tt = t;
    for attempt in 0..(if typo { 2 } else { 1 }) {
        let failed = typo && attempt == 0;
        let cid = guid(rng);
        let sid = guid(rng);
        identity::entra_sign_in(
            em,
            tt,
            &SignIn {
                application: app,
                application_id: app_id,
                resource: res,
                resource_id: res_id,
                error_code: if failed { 50126 } else { 0 },
                who: who(u, org),
                device_name: o.device.map(|d| d.device_name.as_str()).unwrap_or(""),
                entra_device_id: o.device.map(|d| d.aad_device_id.as_str()).unwrap_or(""),
                os_platform: o.os,
                managed: o.device.is_some(),
                user_agent: o.ua,
                browser: o.browser,
                client_app: if o.os == "iOS" { "Mobile Apps and Desktop clients" } else { "Browser" },
                ip: &o.ip,
                geo: o.geo,
                mfa: !failed && o.device.is_none(),
                risk_level: 1,
                correlation_id: &cid,
                session_id: &sid,
                tenant_id: &org.tenant_id,
            },
        );
        identity::identity_logon(
            em,
            tt + 200_000,
            &IdLogon {
                action: if failed { "LogonFailed" } else { "LogonSuccess" },
                application: "Office 365",
                logon_type: "Interactive",
                failure: if failed { "InvalidUserNameOrPassword" } else { "" },
                who: who(u, org),
                device_name: o.device.map(|d| d.device_name.as_str()).unwrap_or(""),
                os_platform: o.os,
                ip: &o.ip,
                geo: Some(o.geo),
                isp: o.isp,
                ..Default::default()
            },
        );
        tt += rng.random_range(8 * SEC..40 * SEC);
    }
}

/// Kerberos and NTLM authentication, LDAP/DNS/SAMR queries, the odd directory change.
pub(crate) fn active_directory(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let org = w.org;
    let Some(&di) = pick(rng, &w.idx.win_workstations) else { return };
    let Some(d) = org.devices.get(di) else { return };
    let Some(u) = d.primary_user.and_then(|i| org.users.get(i)) else { return };
    let dc = &org.devices[if rng.random_bool(0.5) { org.infra.dc1 } else { org.infra.dc2 }];
    match rng.random_range(0..10) {
        0..=4 => {
            let target = &org.devices[[org.infra.file_server, org.infra.sql_server, org.infra.dc1][rng.random_range(0..3)]];
            let ntlm = rng.random_bool(0.15);
            identity::identity_logon(
                em,
                t,
                &IdLogon {
                    action: "LogonSuccess",
                    application: "Active Directory",
                    logon_type: if ntlm { "Credentials validation" } else { "Resource access" },
                    protocol: if ntlm { "Ntlm" } else { "Kerberos" },
                    who: who(u, org),
                    device_name: &d.device_name,
                    os_platform: "Windows",
                    ip: &d.ip,
                    port: ephemeral(rng),
                    dest_device: &dc.device_name,
                    dest_ip: &dc.ip,
                    dest_port: if ntlm { 445 } else { 88 },
                    ..Default::default()
                },
            );
            let _ = target;
        }
        5..=8 => {
            let (action, qtype, target, query, proto, port) = match rng.random_range(0..3) {
                0 => ("DNS query", "A", "fs01.corp.meridianfreight.com", "fs01.corp.meridianfreight.com", "Dns", 53),
                1 => ("LDAP query", "Group", "", "(&(objectClass=group)(member=*))", "Ldap", 389),
                _ => ("DNS query", "SRV", "_ldap._tcp.dc._msdcs.corp.meridianfreight.com", "_ldap._tcp.dc._msdcs.corp.meridianfreight.com", "Dns", 53),
            };
            identity::identity_query(
                em,
                t,
                &IdQuery {
                    action,
                    query_type: qtype,
                    query_target: target,
                    query,
                    protocol: proto,
                    who: who(u, org),
                    device_name: &d.device_name,
                    ip: &d.ip,
                    dest_device: &dc.device_name,
                    dest_ip: &dc.ip,
                    dest_port: port,
                    ..Default::default()
                },
            );
        }
        _ => {
            identity::identity_directory(
                em,
                t,
                &IdDirectory {
                    action: "Account Password changed",
                    application: "Active Directory",
                    target_upn: &u.upn,
                    target_display: &u.display_name,
                    protocol: "Kerberos",
                    who: who(u, org),
                    device_name: &d.device_name,
                    ip: &d.ip,
                    dest_device: &dc.device_name,
                    dest_ip: &dc.ip,
                    additional: Some(json!({"TARGET_OBJECT.USER": u.account_name})),
                    ..Default::default()
                },
            );
        }
    }
}
