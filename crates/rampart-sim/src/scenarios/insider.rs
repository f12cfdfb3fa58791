//! A departing salesperson downloads hundreds of files from SharePoint and OneDrive late at
//! night from home, then copies customer lists to a USB drive.

use rand::Rng;
use serde_json::json;

use super::{Builder, pick_index, windows_users};
use crate::benign::identity::{ENTRA_APPS, who};
use crate::emit::cloud::{CloudEvent, cloud_event};
use crate::emit::endpoint::{self, FileOp};
use crate::emit::identity::{self, SignIn};
use crate::ids::{Hashes, guid};
use crate::org::app;
use crate::org::net::HOME_ISPS;
use crate::time::{HOUR, MIN, Micros, SEC};

const UA_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";

pub(super) fn play(b: &mut Builder, t0: Micros) -> Option<(&'static str, &'static str)> {
    let org = b.org;
    let ui = pick_index(b.rng, &windows_users(org, &["Sales", "Marketing"]), &windows_users(org, &[]))?;
    let u = org.users.get(ui)?;
    let di = u.device?;
    let dev = org.devices.get(di)?;
    let geo = HOME_ISPS.iter().find(|(n, _, _)| *n == u.home_isp).map(|x| x.2).unwrap_or(org.site_geo(u.site));
    b.user(u);
    b.device(dev);
    b.ip(&u.home_ip);
    b.app("Microsoft SharePoint Online");
    b.app("Microsoft OneDrive for Business");

    b.stage("Late-night sign-in from an unmanaged personal computer", &["initial-access"], &["T1078"], &[], &[]);
    let (app_name, app_id, _, _) = ENTRA_APPS[2];
    let cid = guid(b.rng);
    identity::entra_sign_in(
        b.em,
        t0,
        &SignIn {
            application: app_name,
            application_id: app_id,
            resource: "Office 365 SharePoint Online",
            resource_id: "00000003-0000-0ff1-ce00-000000000000",
            error_code: 0,
            who: who(u, org),
            os_platform: "Windows 10",
            managed: false,
            user_agent: UA_CHROME,
            browser: "Chrome 122.0.0",
            client_app: "Browser",
            ip: &u.home_ip,
            geo,
            mfa: true,
            risk_level: 1,
            correlation_id: &cid,
            session_id: &cid,
            tenant_id: &org.tenant_id,
            ..Default::default()
        },
    );

    b.stage(
        "Mass download from SharePoint and OneDrive",
        &["collection", "exfiltration"],
        &["T1530", "T1213.002", "T1567"],
        &[],
        &["mass_download"],
    );
    let n = b.rng.random_range(260..420);
    let mut t = t0 + b.rng.random_range(2 * MIN..6 * MIN);
    let sites = ["Sales", "Sales", "Marketing", "Finance", "Operations"];
    let kinds = ["Customer List", "Pricing", "Pipeline", "Contract", "Proposal", "Rate Card", "Account Plan", "Forecast"];
    let mut sample = Vec::new();
    for i in 0..n {
        let onedrive = i % 7 == 0;
        let a = if onedrive { &org.cloud_apps[app::ONEDRIVE] } else { &org.cloud_apps[app::SHAREPOINT] };
        let site = sites[b.rng.random_range(0..sites.len())];
        let file = format!("{} - {} {:03}.xlsx", kinds[i % kinds.len()], ["Midwest", "Northeast", "Canada", "West", "South"][i % 5], i);
        let url = if onedrive {
            format!("https://meridianfreight-my.sharepoint.com/personal/{}/Documents/{file}", u.upn.replace(['.', '@'], "_"))
        } else {
            format!("https://meridianfreight.sharepoint.com/sites/{site}/Shared Documents/{file}")
        };
        cloud_event(
            b.em,
            t,
            a,
            &CloudEvent {
                action: "FileDownloaded",
                activity_type: "Download",
                account_object_id: &u.object_id,
                account_id: &u.upn,
                account_display: &u.display_name,
                device_type: "Desktop",
                os_platform: "Windows 10",
                ip: &u.home_ip,
                geo: Some(geo),
                isp: &u.home_isp,
                user_agent: UA_CHROME,
                object_name: &url,
                object_type: "File",
                object_id: &url,
                activity_objects: Some(json!([{"Type": "File", "Name": file, "Id": url}])),
                raw: Some(json!({"Operation": "FileDownloaded", "UserId": u.upn, "ClientIP": u.home_ip, "ObjectId": url, "SourceFileName": file, "Workload": if onedrive { "OneDrive" } else { "SharePoint" }, "IsManagedDevice": false})),
                ..Default::default()
            },
        );
        if sample.len() < 40 && i % 5 == 0 {
            sample.push(file);
        }
        t += b.rng.random_range(SEC / 2..9 * SEC);
    }

    // Next morning at the office: a USB stick and a copy of the customer lists.
    let t2 = t + b.rng.random_range(9 * HOUR..11 * HOUR);
    b.stage("Files copied to a USB drive on the corporate laptop", &["exfiltration"], &["T1052.001"], &[], &[]);
    let pr = b.procs(di)?;
    let explorer = pr.explorer()?;
    let system = pr.services();
    endpoint::device_event(b.em, dev, t2, "UsbDriveMounted", &system, |r| {
        r.j(
            "AdditionalFields",
            json!({"DriveLetter": "E:", "ProductName": "Ultra USB 3.0", "Manufacturer": "SanDisk", "SerialNumber": "4C530001230925116283", "Volume": "{5e8c1a32-2c4f-11ef-9b2a-8c04ba3f1d21}", "BusType": 7}),
        );
    });
    let mut tf = t2 + b.rng.random_range(30 * SEC..2 * MIN);
    let home = format!(r"C:\Users\{}\Downloads", u.account_name);
    for file in &sample {
        let h = Hashes::of(file);
        let dest = format!(r"E:\backup\{file}");
        endpoint::file(
            b.em,
            dev,
            tf,
            &explorer,
            FileOp { action: "FileCreated", path: &dest, sha1: &h.sha1, sha256: &h.sha256, md5: &h.md5, size: b.rng.random_range(30_000..900_000), ..Default::default() },
        );
        let _ = &home;
        tf += b.rng.random_range(200_000..2 * SEC);
    }
    Some((
        "Insider mass download before resignation",
        "A salesperson about to leave signs in late at night from an unmanaged home computer and downloads several hundred files from the Sales, Marketing and Finance SharePoint sites and OneDrive within an hour. The next morning a USB drive is mounted on the corporate laptop and customer lists are copied to it.",
    ))
}
