//! Inventory snapshots: DeviceInfo and DeviceNetworkInfo for every device, IdentityInfo for
//! every account and OAuthAppInfo for the tenant's apps, reported at start and periodically.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::World;
use crate::ids::guid_of;
use crate::org::{Device, DeviceRole, OsFamily, Org};
use crate::row::{Emitter, Row};
use crate::time::{DAY, MIN, Micros};

fn logged_on(org: &Org, d: &Device) -> Value {
    match d.primary_user.and_then(|i| org.users.get(i)) {
        Some(u) if d.os == OsFamily::Windows => json!([{"UserName": u.account_name, "DomainName": org.ad_domain, "Sid": u.sid}]),
        Some(u) => json!([{"UserName": u.account_name, "DomainName": d.host_name}]),
        None => json!([]),
    }
}

pub(crate) fn device_info(org: &Org, d: &Device, em: &mut Emitter, t: Micros) {
    let mut r = Row::new();
    let windows = d.os == OsFamily::Windows;
    r.s("DeviceId", &d.device_id)
        .s("DeviceName", &d.device_name)
        .s("ClientVersion", &d.client_version)
        .s("PublicIP", &d.public_ip)
        .s("OSArchitecture", "64-bit")
        .s("OSPlatform", &d.os_platform)
        .s("OSVersion", &d.os_version)
        .s("OSDistribution", &d.os_distribution)
        .s("OSVersionInfo", &d.os_version_info)
        .b("IsAzureADJoined", windows)
        .s("JoinType", if windows { "Hybrid Azure AD Join" } else { "" })
        .s("AadDeviceId", &d.aad_device_id)
        .j("LoggedOnUsers", logged_on(org, d))
        .s("MachineGroup", &d.machine_group)
        .s("OnboardingStatus", "Onboarded")
        .s("DeviceCategory", "Endpoint")
        .s("DeviceType", &d.device_type)
        .s("Model", &d.model)
        .s("Vendor", &d.vendor)
        .b("IsInternetFacing", d.internet_facing)
        .s("SensorHealthState", "Active")
        .s("ExposureLevel", if d.internet_facing { "High" } else if d.role == DeviceRole::Workstation { "Medium" } else { "Low" })
        .s("AssetValue", if d.role == DeviceRole::DomainController { "High" } else { "Normal" })
        .s("ConnectivityType", "Streamlined")
        .j("AdditionalFields", json!({}));
    if d.os_build > 0 {
        r.n("OSBuild", d.os_build);
    }
    em.emit("DeviceInfo", t, r);
}

pub(crate) fn device_network_info(org: &Org, d: &Device, em: &mut Emitter, t: Micros) {
    let mut r = Row::new();
    let wifi = d.role == DeviceRole::Workstation && d.os != OsFamily::Linux;
    let gateway = match d.ip.rsplit_once('.') {
        Some((net, _)) => match net.rsplit_once('.') {
            Some((n16, _)) if d.role == DeviceRole::Workstation => format!("{n16}.0.1"),
            _ => format!("{net}.1"),
        },
        None => String::new(),
    };
    let dns = [&org.devices[org.infra.dc1].ip, &org.devices[org.infra.dc2].ip];
    r.s("DeviceId", &d.device_id)
        .s("DeviceName", &d.device_name)
        .s("NetworkAdapterName", if wifi { "Wi-Fi" } else { "Ethernet" })
        .s("MacAddress", &d.mac)
        .s("NetworkAdapterType", if wifi { "Wireless80211" } else { "Ethernet" })
        .s("NetworkAdapterStatus", "Up")
        .s("NetworkAdapterVendor", if d.vendor == "Microsoft Corporation" { "Microsoft" } else { "Intel Corporation" })
        .j(
            "ConnectedNetworks",
            json!([{"Name": org.dns_domain, "Description": org.dns_domain, "IsConnectedToInternet": true, "Category": "Domain"}]),
        )
        .j("DnsAddresses", json!(dns))
        .s("IPv4Dhcp", if d.role == DeviceRole::Workstation { dns[0].as_str() } else { "" })
        .j("DefaultGateways", json!([gateway]))
        .j(
            "IPAddresses",
            json!([{"IPAddress": d.ip, "SubnetPrefix": if d.role == DeviceRole::Workstation { 16 } else { 24 }, "AddressType": "Private"}]),
        );
    em.emit("DeviceNetworkInfo", t, r);
}

pub(crate) fn devices(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    for d in &w.org.devices {
        let at = t + rng.random_range(0..5 * MIN);
        device_info(w.org, d, em, at);
        device_network_info(w.org, d, em, at + rng.random_range(0..1_000_000));
    }
}

fn dn(org: &Org, cn: &str, ou: &str) -> String {
    let dc: Vec<String> = org.dns_domain.split('.').map(|p| format!("DC={p}")).collect();
    format!("CN={cn},OU={ou},{}", dc.join(","))
}

pub(crate) fn identities(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let org = w.org;
    for u in &org.users {
        let at = t + rng.random_range(0..10 * MIN);
        let sensitive = u.department == "Executive" || u.admin.is_some();
        let mut r = Row::new();
        r.s("AccountObjectId", &u.object_id)
            .s("AccountUpn", &u.upn)
            .s("OnPremSid", &u.sid)
            .s("AccountDisplayName", &u.display_name)
            .s("AccountName", &u.account_name)
            .s("AccountDomain", &org.dns_domain)
            .s("Type", "User")
            .s("DistinguishedName", dn(org, &u.display_name, &u.department))
            .s("GivenName", &u.given_name)
            .s("Surname", &u.surname)
            .s("Department", &u.department)
            .s("JobTitle", &u.job_title)
            .s("EmailAddress", &u.mailbox)
            .s("SipProxyAddress", &u.mailbox)
            .s("City", &u.city)
            .s("Country", &u.country)
            .b("IsAccountEnabled", true)
            .s("Manager", u.manager.and_then(|m| org.users.get(m)).map(|m| m.display_name.as_str()).unwrap_or(""))
            .s("Phone", &u.phone)
            .s("CreatedDateTime", &u.created)
            .s("SourceProvider", "Hybrid")
            .s("ChangeSource", "System-UserPersistence")
            .j("Tags", if sensitive { json!(["Sensitive"]) } else { json!([]) })
            .j("AssignedRoles", json!([]))
            .s("TenantId", &org.tenant_id);
        em.emit("IdentityInfo", at, r);
        if let Some(a) = &u.admin {
            let mut r = Row::new();
            r.s("AccountObjectId", &a.object_id)
                .s("AccountUpn", &a.upn)
                .s("OnPremSid", &a.sid)
                .s("AccountDisplayName", &a.display_name)
                .s("AccountName", &a.account_name)
                .s("AccountDomain", &org.dns_domain)
                .s("Type", "User")
                .s("DistinguishedName", dn(org, &a.display_name, "Admins"))
                .s("Department", "IT")
                .s("JobTitle", &u.job_title)
                .b("IsAccountEnabled", true)
                .s("SourceProvider", "Hybrid")
                .s("ChangeSource", "System-UserPersistence")
                .j("Tags", json!(["Sensitive", "Domain Admins"]))
                .j("AssignedRoles", json!(["Global Administrator"]))
                .s("TenantId", &org.tenant_id);
            em.emit("IdentityInfo", at + 1000, r);
        }
    }
    for s in &org.service_accounts {
        let mut r = Row::new();
        r.s("AccountObjectId", &s.object_id)
            .s("AccountUpn", &s.upn)
            .s("OnPremSid", &s.sid)
            .s("AccountDisplayName", &s.account_name)
            .s("AccountName", &s.account_name)
            .s("AccountDomain", &org.dns_domain)
            .s("Type", "ServiceAccount")
            .s("DistinguishedName", dn(org, &s.account_name, "Service Accounts"))
            .b("IsAccountEnabled", true)
            .s("SourceProvider", "ActiveDirectory")
            .j("Tags", json!([]))
            .s("TenantId", &org.tenant_id);
        em.emit("IdentityInfo", t + rng.random_range(0..10 * MIN), r);
    }
    for (name, publisher, level, perms) in [
        ("Zoom for Outlook", "Zoom Video Communications, Inc.", "Low", &["User.Read", "Calendars.ReadWrite"][..]),
        ("Adobe Acrobat Sign", "Adobe Inc.", "Medium", &["User.Read", "Files.Read"][..]),
        ("Salesforce", "Salesforce.com, inc.", "Low", &["User.Read", "openid", "profile"][..]),
    ] {
        oauth_app_info(em, org, t + rng.random_range(0..10 * MIN), name, Some(publisher), level, perms, false, 40, t - 400 * DAY);
    }
}

/// One `OAuthAppInfo` row.
#[allow(clippy::too_many_arguments)]
pub(crate) fn oauth_app_info(
    em: &mut Emitter,
    org: &Org,
    t: Micros,
    name: &str,
    publisher: Option<&str>,
    level: &str,
    perms: &[&str],
    external_unverified: bool,
    consented: i64,
    added: Micros,
) -> crate::truth::EventRef {
    let app_id = guid_of(&format!("app:{name}"));
    let permissions: Vec<Value> = perms
        .iter()
        .map(|p| {
            json!({"PermissionName": p, "TargetAppId": "00000003-0000-0000-c000-000000000000", "TargetAppDisplayName": "Microsoft Graph",
                   "PermissionType": "Delegated", "PrivilegeLevel": if p.contains("All") || p.starts_with("Mail.") { "High" } else { "Low" }, "UsageStatus": "InUse"})
        })
        .collect();
    let mut r = Row::new();
    r.s("OAuthAppId", &app_id)
        .s("ServicePrincipalId", guid_of(&format!("sp:{name}:{}", org.tenant_id)))
        .s("AppName", name)
        .t("AddedOnTime", added)
        .t("LastModifiedTime", added)
        .s("AppStatus", "Enabled")
        .j(
            "VerifiedPublisher",
            match publisher {
                Some(p) => json!({"DisplayName": p, "VerifiedPublisherId": crate::ids::hex_digest(p, 4), "AddedDateTime": "2021-06-01T00:00:00Z"}),
                None => json!({}),
            },
        )
        .s("PrivilegeLevel", level)
        .j("Permissions", json!(permissions))
        .n("ConsentedUsersCount", consented)
        .b("IsAdminConsented", !external_unverified && consented > 30)
        .s("AppOrigin", "External")
        .t("LastUsedTime", t)
        .s("AppOwnerTenantId", guid_of(&format!("tenant:{name}")));
    em.emit("OAuthAppInfo", t, r)
}
