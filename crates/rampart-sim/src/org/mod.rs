//! The simulated organisation: Meridian Freight, a logistics company with a head office in
//! Chicago, a branch in Toronto, a small server room and a Microsoft 365 tenant.

pub(crate) mod names;
pub(crate) mod net;

use rand::Rng;
use rand::seq::SliceRandom;
use serde::Serialize;

use crate::ids::{guid, hex_digest};
use crate::time::{DAY, Micros, fmt_ts};
use net::{CHICAGO, Geo, HOME_ISPS, TORONTO};

/// Operating system family of a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OsFamily {
    Windows,
    Linux,
    MacOs,
}

/// What a device is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceRole {
    Workstation,
    DomainController,
    FileServer,
    DatabaseServer,
    RemoteDesktopServer,
    WebServer,
    BuildServer,
}

/// An onboarded device.
#[derive(Debug, Clone, Serialize)]
pub struct Device {
    /// Defender device id (40 hex characters).
    pub device_id: String,
    /// Fully qualified, lower case, as in `DeviceName`.
    pub device_name: String,
    /// Short host name (NetBIOS name on Windows).
    pub host_name: String,
    pub os: OsFamily,
    /// `OSPlatform` value: Windows11, Windows10, WindowsServer2022, Linux, macOS, …
    pub os_platform: String,
    pub os_version: String,
    pub os_build: i64,
    pub os_distribution: String,
    pub os_version_info: String,
    pub role: DeviceRole,
    /// `DeviceType`: Workstation or Server.
    pub device_type: String,
    pub ip: String,
    pub mac: String,
    pub site: usize,
    /// Address the device reaches the internet from.
    pub public_ip: String,
    pub aad_device_id: String,
    /// Index into [`Org::users`] of the person who uses it.
    pub primary_user: Option<usize>,
    pub machine_group: String,
    pub internet_facing: bool,
    pub vendor: String,
    pub model: String,
    pub client_version: String,
}

/// A privileged second account of an IT administrator.
#[derive(Debug, Clone, Serialize)]
pub struct AdminAccount {
    pub account_name: String,
    pub upn: String,
    pub sid: String,
    pub object_id: String,
    pub display_name: String,
}

/// A person with a mailbox.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub upn: String,
    /// sAMAccountName.
    pub account_name: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    pub sid: String,
    pub object_id: String,
    pub department: String,
    pub job_title: String,
    pub mailbox: String,
    pub site: usize,
    pub city: String,
    pub country: String,
    pub manager: Option<usize>,
    pub phone: String,
    /// Admin account for IT staff.
    pub admin: Option<AdminAccount>,
    /// Residential IP used when working from home.
    pub home_ip: String,
    pub home_isp: String,
    /// Index into [`Org::devices`] of the user's own computer.
    pub device: Option<usize>,
    pub created: String,
}

/// A non-human domain account.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceAccount {
    pub account_name: String,
    pub upn: String,
    pub sid: String,
    pub object_id: String,
    pub description: String,
}

/// A sanctioned cloud app connected to Defender for Cloud Apps.
#[derive(Debug, Clone, Serialize)]
pub struct CloudApp {
    pub name: String,
    pub application_id: i64,
    pub instance_id: i64,
}

/// An office.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub name: String,
    pub city: String,
    pub country: String,
    /// First two octets of its private range, e.g. `10.10`.
    pub subnet: String,
    pub egress_ip: String,
    #[serde(skip)]
    pub(crate) geo: Geo,
}

/// Indices of the fixed servers.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Infra {
    pub dc1: usize,
    pub dc2: usize,
    pub file_server: usize,
    pub sql_server: usize,
    pub rds_server: usize,
    pub web1: usize,
    pub web2: usize,
    pub build_server: usize,
    pub db_server: usize,
}

/// The whole organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Org {
    pub name: String,
    /// Mail and UPN suffix.
    pub email_domain: String,
    /// NetBIOS domain name, as in `AccountDomain`.
    pub ad_domain: String,
    /// Active Directory DNS domain.
    pub dns_domain: String,
    pub tenant_id: String,
    pub domain_sid: String,
    pub sites: Vec<Site>,
    pub infra: Infra,
    pub devices: Vec<Device>,
    pub users: Vec<User>,
    pub service_accounts: Vec<ServiceAccount>,
    pub cloud_apps: Vec<CloudApp>,
}

/// Cloud apps by index into [`Org::cloud_apps`].
pub(crate) mod app {
    pub const EXCHANGE: usize = 0;
    pub const SHAREPOINT: usize = 1;
    pub const ONEDRIVE: usize = 2;
    pub const TEAMS: usize = 3;
    pub const OFFICE365: usize = 4;
    pub const SALESFORCE: usize = 6;
}

struct ServerSpec {
    host: &'static str,
    role: DeviceRole,
    os: OsFamily,
    platform: &'static str,
    version: &'static str,
    build: i64,
    distro: &'static str,
    version_info: &'static str,
    ip: &'static str,
    public_ip: Option<&'static str>,
}

const SERVERS: &[ServerSpec] = &[
    ServerSpec { host: "DC01", role: DeviceRole::DomainController, os: OsFamily::Windows, platform: "WindowsServer2022", version: "21H2", build: 20348, distro: "", version_info: "Windows Server 2022", ip: "10.1.0.10", public_ip: None },
    ServerSpec { host: "DC02", role: DeviceRole::DomainController, os: OsFamily::Windows, platform: "WindowsServer2022", version: "21H2", build: 20348, distro: "", version_info: "Windows Server 2022", ip: "10.1.0.11", public_ip: None },
    ServerSpec { host: "FS01", role: DeviceRole::FileServer, os: OsFamily::Windows, platform: "WindowsServer2019", version: "1809", build: 17763, distro: "", version_info: "Windows Server 2019", ip: "10.1.0.20", public_ip: None },
    ServerSpec { host: "SQL01", role: DeviceRole::DatabaseServer, os: OsFamily::Windows, platform: "WindowsServer2019", version: "1809", build: 17763, distro: "", version_info: "Windows Server 2019", ip: "10.1.0.30", public_ip: None },
    ServerSpec { host: "RDS01", role: DeviceRole::RemoteDesktopServer, os: OsFamily::Windows, platform: "WindowsServer2022", version: "21H2", build: 20348, distro: "", version_info: "Windows Server 2022", ip: "10.1.0.40", public_ip: Some("192.0.2.90") },
    ServerSpec { host: "web01", role: DeviceRole::WebServer, os: OsFamily::Linux, platform: "Linux", version: "22.04", build: 0, distro: "Ubuntu", version_info: "Ubuntu 22.04.4 LTS", ip: "10.2.0.10", public_ip: Some("192.0.2.80") },
    ServerSpec { host: "web02", role: DeviceRole::WebServer, os: OsFamily::Linux, platform: "Linux", version: "22.04", build: 0, distro: "Ubuntu", version_info: "Ubuntu 22.04.4 LTS", ip: "10.2.0.11", public_ip: Some("192.0.2.81") },
    ServerSpec { host: "build01", role: DeviceRole::BuildServer, os: OsFamily::Linux, platform: "Linux", version: "22.04", build: 0, distro: "Ubuntu", version_info: "Ubuntu 22.04.4 LTS", ip: "10.1.0.50", public_ip: None },
    ServerSpec { host: "db01", role: DeviceRole::DatabaseServer, os: OsFamily::Linux, platform: "Linux", version: "9.3", build: 0, distro: "RedHat", version_info: "Red Hat Enterprise Linux 9.3", ip: "10.1.0.60", public_ip: None },
];

impl Org {
    /// Builds the organisation; everything random comes from `rng`.
    pub(crate) fn build(rng: &mut impl Rng, n_devices: usize, n_users: usize, start: Micros) -> Org {
        let name = "Meridian Freight".to_string();
        let email_domain = "meridianfreight.com".to_string();
        let ad_domain = "MERIDIAN".to_string();
        let dns_domain = "corp.meridianfreight.com".to_string();
        let tenant_id = guid(rng);
        let domain_sid = format!(
            "S-1-5-21-{}-{}-{}",
            rng.random_range(1_000_000_000u64..4_000_000_000),
            rng.random_range(1_000_000_000u64..4_000_000_000),
            rng.random_range(1_000_000_000u64..4_000_000_000)
        );
        let sites = vec![
            Site { name: "Chicago HQ".into(), city: "Chicago".into(), country: "US".into(), subnet: "10.10".into(), egress_ip: "192.0.2.10".into(), geo: CHICAGO },
            Site { name: "Toronto Branch".into(), city: "Toronto".into(), country: "CA".into(), subnet: "10.20".into(), egress_ip: "192.0.2.74".into(), geo: TORONTO },
        ];
        let users = build_users(rng, n_users, &email_domain, &domain_sid, start);
        let mut org = Org {
            name,
            email_domain,
            ad_domain,
            dns_domain,
            tenant_id,
            domain_sid: domain_sid.clone(),
            sites,
            infra: Infra { dc1: 0, dc2: 1, file_server: 2, sql_server: 3, rds_server: 4, web1: 5, web2: 6, build_server: 7, db_server: 8 },
            devices: Vec::with_capacity(n_devices),
            users,
            service_accounts: ["svc-backup:Backup agent", "svc-sql:SQL Server service", "svc-scan:Vulnerability scanner"]
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let (n, d) = s.split_once(':').unwrap_or((s, ""));
                    ServiceAccount {
                        account_name: n.to_string(),
                        upn: format!("{n}@meridianfreight.com"),
                        sid: format!("{domain_sid}-{}", 1150 + i),
                        object_id: guid(rng),
                        description: d.to_string(),
                    }
                })
                .collect(),
            cloud_apps: [
                ("Microsoft Exchange Online", 20893),
                ("Microsoft SharePoint Online", 20892),
                ("Microsoft OneDrive for Business", 15600),
                ("Microsoft Teams", 28375),
                ("Office 365", 11161),
                ("Microsoft Azure", 12260),
                ("Salesforce", 11114),
            ]
            .iter()
            .map(|(n, id)| CloudApp { name: n.to_string(), application_id: *id, instance_id: 0 })
            .collect(),
        };
        org.build_devices(rng, n_devices);
        org
    }

    fn build_devices(&mut self, rng: &mut impl Rng, n_devices: usize) {
        for s in SERVERS {
            let fqdn = if s.os == OsFamily::Windows {
                format!("{}.{}", s.host.to_lowercase(), self.dns_domain)
            } else {
                format!("{}.{}", s.host, self.dns_domain)
            };
            let is_windows = s.os == OsFamily::Windows;
            self.devices.push(Device {
                device_id: hex_digest(&format!("device:{}:{}", fqdn, rng.random::<u64>()), 20),
                device_name: fqdn,
                host_name: s.host.to_string(),
                os: s.os,
                os_platform: s.platform.to_string(),
                os_version: s.version.to_string(),
                os_build: s.build,
                os_distribution: s.distro.to_string(),
                os_version_info: s.version_info.to_string(),
                role: s.role,
                device_type: "Server".into(),
                ip: s.ip.to_string(),
                mac: mac(rng, "00-15-5D"),
                site: 0,
                public_ip: s.public_ip.unwrap_or("192.0.2.10").to_string(),
                aad_device_id: if is_windows { guid(rng) } else { String::new() },
                primary_user: None,
                machine_group: if s.os == OsFamily::Linux { "Linux servers".into() } else { "Windows servers".into() },
                internet_facing: s.public_ip.is_some(),
                vendor: "Microsoft Corporation".into(),
                model: "Virtual Machine".into(),
                client_version: client_version(s.os),
            });
        }
        // Endpoints go to office workers first, IT and executives before everyone else.
        let mut order: Vec<usize> = (0..self.users.len()).collect();
        order.shuffle(rng);
        order.sort_by_key(|&i| names::office_priority(&self.users[i].department));
        let n_endpoints = n_devices.saturating_sub(SERVERS.len());
        let mut host_counter = [100u32, 100u32];
        for (k, &ui) in order.iter().take(n_endpoints).enumerate() {
            let engineer = self.users[ui].department == "Engineering";
            let roll: f64 = rng.random();
            // The first endpoints are Windows, so every scenario finds a Windows victim.
            let os = if k < 6 {
                OsFamily::Windows
            } else if engineer {
                if roll < 0.4 { OsFamily::MacOs } else if roll < 0.65 { OsFamily::Linux } else { OsFamily::Windows }
            } else if roll < 0.86 {
                OsFamily::Windows
            } else {
                OsFamily::MacOs
            };
            let site = self.users[ui].site;
            let prefix = if site == 0 { "CHI" } else { "TOR" };
            host_counter[site] += 1 + rng.random_range(0..3);
            let (host, platform, version, build, distro, info, vendor, model, mac_oui) = match os {
                OsFamily::Windows => {
                    let win11 = rng.random_bool(0.75);
                    (
                        format!("{prefix}-LT-{:04}", host_counter[site]),
                        if win11 { "Windows11" } else { "Windows10" },
                        if win11 { "23H2" } else { "22H2" },
                        if win11 { 22631 } else { 19045 },
                        "",
                        if win11 { "Windows 11 Enterprise" } else { "Windows 10 Enterprise" },
                        if rng.random_bool(0.6) { "Dell Inc." } else { "LENOVO" },
                        if rng.random_bool(0.5) { "Latitude 7440" } else { "ThinkPad T14 Gen 4" },
                        "8C-04-BA",
                    )
                }
                OsFamily::MacOs => (
                    format!("{}-MBP", self.users[ui].account_name.replace('.', "-")),
                    "macOS",
                    "14.4",
                    0,
                    "",
                    "macOS Sonoma",
                    "Apple Inc.",
                    "MacBookPro18,3",
                    "A4-83-E7",
                ),
                OsFamily::Linux => (
                    format!("{}-dev", self.users[ui].account_name.replace('.', "-")),
                    "Linux",
                    "22.04",
                    0,
                    "Ubuntu",
                    "Ubuntu 22.04.4 LTS",
                    "Dell Inc.",
                    "Precision 5570",
                    "8C-04-BA",
                ),
            };
            let subnet = &self.sites[site].subnet;
            let ip = format!("{subnet}.{}.{}", rng.random_range(1..8), rng.random_range(10..250));
            let fqdn = format!("{}.{}", host.to_lowercase(), self.dns_domain);
            let di = self.devices.len();
            self.devices.push(Device {
                device_id: hex_digest(&format!("device:{}:{}", fqdn, rng.random::<u64>()), 20),
                device_name: fqdn,
                host_name: host,
                os,
                os_platform: platform.to_string(),
                os_version: version.to_string(),
                os_build: build,
                os_distribution: distro.to_string(),
                os_version_info: info.to_string(),
                role: DeviceRole::Workstation,
                device_type: "Workstation".into(),
                ip,
                mac: mac(rng, mac_oui),
                site,
                public_ip: self.sites[site].egress_ip.clone(),
                aad_device_id: guid(rng),
                primary_user: Some(ui),
                machine_group: match os {
                    OsFamily::Windows => "Workstations".into(),
                    OsFamily::MacOs => "macOS".into(),
                    OsFamily::Linux => "Linux workstations".into(),
                },
                internet_facing: false,
                vendor: vendor.to_string(),
                model: model.to_string(),
                client_version: client_version(os),
            });
            self.users[ui].device = Some(di);
        }
    }

    /// Windows workstations, by device index.
    pub(crate) fn windows_workstations(&self) -> Vec<usize> {
        self.devices
            .iter()
            .enumerate()
            .filter(|(_, d)| d.os == OsFamily::Windows && d.role == DeviceRole::Workstation)
            .map(|(i, _)| i)
            .collect()
    }

    /// IT staff with admin accounts, by user index.
    pub(crate) fn admins(&self) -> Vec<usize> {
        self.users.iter().enumerate().filter(|(_, u)| u.admin.is_some()).map(|(i, _)| i).collect()
    }

    pub(crate) fn site_geo(&self, site: usize) -> Geo {
        self.sites.get(site).map(|s| s.geo).unwrap_or(CHICAGO)
    }
}

fn client_version(os: OsFamily) -> String {
    match os {
        OsFamily::Windows => "10.8760.22621.1016".into(),
        OsFamily::Linux => "101.24022.0004".into(),
        OsFamily::MacOs => "101.24032.0007".into(),
    }
}

fn mac(rng: &mut impl Rng, oui: &str) -> String {
    format!("{oui}-{:02X}-{:02X}-{:02X}", rng.random::<u8>(), rng.random::<u8>(), rng.random::<u8>())
}

fn build_users(rng: &mut impl Rng, n: usize, domain: &str, domain_sid: &str, start: Micros) -> Vec<User> {
    let mut users: Vec<User> = Vec::with_capacity(n);
    let mut taken = std::collections::BTreeSet::new();
    let total_weight: u32 = names::DEPARTMENTS.iter().map(|d| d.1).sum();
    for i in 0..n {
        let (department, title) = if let Some((d, t)) = names::FIXED_ROLES.get(i) {
            (d.to_string(), t.to_string())
        } else {
            let mut pick = rng.random_range(0..total_weight);
            let mut chosen = &names::DEPARTMENTS[0];
            for d in names::DEPARTMENTS {
                if pick < d.1 {
                    chosen = d;
                    break;
                }
                pick -= d.1;
            }
            let title = chosen.2[rng.random_range(0..chosen.2.len())];
            (chosen.0.to_string(), title.to_string())
        };
        let (given, surname, account) = {
            let g = names::GIVEN[rng.random_range(0..names::GIVEN.len())];
            let s = names::SURNAMES[rng.random_range(0..names::SURNAMES.len())];
            let base = format!("{}.{}", g.to_lowercase(), s.to_lowercase().replace('\'', ""));
            let mut acct = base.clone();
            let mut k = 2;
            while taken.contains(&acct) {
                acct = format!("{base}{k}");
                k += 1;
            }
            taken.insert(acct.clone());
            (g.to_string(), s.to_string(), acct)
        };
        let site = if rng.random_bool(0.7) { 0 } else { 1 };
        let (isp, octets, _) = HOME_ISPS
            .iter()
            .filter(|(_, _, g)| if site == 0 { g.country == "US" } else { g.country == "CA" })
            .nth(rng.random_range(0..if site == 0 { 3 } else { 2 }))
            .copied()
            .unwrap_or(HOME_ISPS[0]);
        let upn = format!("{account}@{domain}");
        let rid = 1105 + i;
        let admin = if department == "IT" {
            let short: String = format!("adm-{}{}", given.chars().next().unwrap_or('x'), surname).to_lowercase().replace('\'', "");
            Some(AdminAccount {
                upn: format!("{short}@{domain}"),
                account_name: short,
                sid: format!("{domain_sid}-{}", 5100 + i),
                object_id: guid(rng),
                display_name: format!("{given} {surname} (Admin)"),
            })
        } else {
            None
        };
        let created = start - rng.random_range(30..2500) * DAY;
        users.push(User {
            mailbox: upn.clone(),
            upn,
            account_name: account,
            display_name: format!("{given} {surname}"),
            given_name: given,
            surname,
            sid: format!("{domain_sid}-{rid}"),
            object_id: guid(rng),
            department,
            job_title: title,
            site,
            city: if site == 0 { "Chicago".into() } else { "Toronto".into() },
            country: if site == 0 { "US".into() } else { "CA".into() },
            manager: None,
            phone: format!("+1 {} 555 {:04}", if site == 0 { 312 } else { 416 }, rng.random_range(100..9999)),
            admin,
            home_ip: format!("{octets}.{}.{}", rng.random_range(0..255), rng.random_range(1..254)),
            home_isp: isp.to_string(),
            device: None,
            created: fmt_ts(created),
        });
    }
    // Managers: the first person of each department reports to the COO; everyone else to
    // the first person of their department.
    let mut heads: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (i, u) in users.iter_mut().enumerate() {
        match heads.get(&u.department) {
            Some(&h) => u.manager = Some(h),
            None => {
                heads.insert(u.department.clone(), i);
                if i != 0 {
                    u.manager = Some(if u.department == "Executive" { 0 } else { 2 });
                }
            }
        }
    }
    users
}
