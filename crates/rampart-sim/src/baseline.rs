//! Long-lived processes and sessions of each device (boot time, services, the user's
//! desktop), so that benign and attack process trees hang off the same parents.

use rand::Rng;

use crate::emit::endpoint::{Account, Proc};
use crate::images::{Img, Images};
use crate::org::{Device, DeviceRole, OsFamily, Org};
use crate::time::{DAY, HOUR, Micros};

/// The standing processes of one device.
#[derive(Debug, Clone)]
pub(crate) struct DeviceRuntime {
    pub boot: Micros,
    pub wininit_pid: i64,
    pub services_pid: i64,
    pub lsass_pid: i64,
    pub svchost_netsvcs_pid: i64,
    pub svchost_dnscache_pid: i64,
    pub svchost_schedule_pid: i64,
    pub wmiprvse_pid: i64,
    pub msmpeng_pid: i64,
    pub role_service_pid: i64,
    /// The primary user's desktop session: explorer pid, its start, logon id.
    pub explorer_pid: i64,
    pub explorer_created: Micros,
    pub user_logon_id: i64,
    pub userinit_pid: i64,
}

/// Standing processes of every device, by device index.
#[derive(Debug, Clone)]
pub(crate) struct Baseline {
    pub devices: Vec<DeviceRuntime>,
}

/// A Windows-looking pid (multiple of 4).
pub(crate) fn win_pid(rng: &mut impl Rng) -> i64 {
    rng.random_range(100..9000) * 4
}

impl Baseline {
    pub(crate) fn build(rng: &mut impl Rng, org: &Org, start: Micros) -> Baseline {
        let devices = org
            .devices
            .iter()
            .map(|d| {
                let boot = match d.role {
                    DeviceRole::Workstation => start - rng.random_range(2 * HOUR..5 * DAY),
                    _ => start - rng.random_range(3 * DAY..40 * DAY),
                };
                let unix = d.os != OsFamily::Windows;
                DeviceRuntime {
                    boot,
                    wininit_pid: if unix { 1 } else { win_pid(rng) },
                    services_pid: if unix { 1 } else { win_pid(rng) },
                    lsass_pid: if unix { rng.random_range(600..1200) } else { win_pid(rng) },
                    svchost_netsvcs_pid: if unix { rng.random_range(600..1200) } else { win_pid(rng) },
                    svchost_dnscache_pid: if unix { rng.random_range(600..1200) } else { win_pid(rng) },
                    svchost_schedule_pid: if unix { rng.random_range(600..1200) } else { win_pid(rng) },
                    wmiprvse_pid: win_pid(rng),
                    msmpeng_pid: win_pid(rng),
                    role_service_pid: if unix { rng.random_range(700..1500) } else { win_pid(rng) },
                    explorer_pid: if unix { rng.random_range(1500..4000) } else { win_pid(rng) },
                    explorer_created: boot + rng.random_range(60_000_000..600_000_000),
                    user_logon_id: rng.random_range(0x30000..0x9_0000_0000i64),
                    userinit_pid: win_pid(rng),
                }
            })
            .collect();
        Baseline { devices }
    }
}

/// Builds the standing processes of one device as [`Proc`]s.
pub(crate) struct Procs<'a> {
    pub img: &'a Images,
    pub org: &'a Org,
    pub dev: &'a Device,
    pub rt: &'a DeviceRuntime,
}

impl<'a> Procs<'a> {
    pub(crate) fn new(img: &'a Images, org: &'a Org, base: &'a Baseline, device: usize) -> Option<Procs<'a>> {
        Some(Procs { img, org, dev: org.devices.get(device)?, rt: base.devices.get(device)? })
    }

    fn sys(&self, k: Img, pid: i64, cmd: &str, parent: &'a str, parent_pid: i64, created: Micros) -> Proc<'a> {
        Proc {
            image: self.img.get(k),
            pid,
            cmd: cmd.to_string(),
            created,
            account: Account::SYSTEM,
            integrity: "System",
            elevation: "TokenElevationTypeDefault",
            logon_id: 999,
            session: 0,
            parent_name: parent,
            parent_pid,
            parent_created: self.rt.boot,
        }
    }

    pub(crate) fn services(&self) -> Proc<'a> {
        self.sys(Img::Services, self.rt.services_pid, r"C:\Windows\system32\services.exe", "wininit.exe", self.rt.wininit_pid, self.rt.boot + 2_000_000)
    }

    pub(crate) fn lsass(&self) -> Proc<'a> {
        self.sys(Img::Lsass, self.rt.lsass_pid, r"C:\Windows\system32\lsass.exe", "wininit.exe", self.rt.wininit_pid, self.rt.boot + 2_100_000)
    }

    fn svchost(&self, pid: i64, args: &str, account: Account<'a>) -> Proc<'a> {
        let mut p = self.sys(
            Img::Svchost,
            pid,
            &format!(r"C:\Windows\system32\svchost.exe {args}"),
            "services.exe",
            self.rt.services_pid,
            self.rt.boot + 5_000_000,
        );
        p.account = account;
        p
    }

    pub(crate) fn svchost_netsvcs(&self) -> Proc<'a> {
        self.svchost(self.rt.svchost_netsvcs_pid, "-k netsvcs -p -s Winmgmt", Account::SYSTEM)
    }

    pub(crate) fn svchost_schedule(&self) -> Proc<'a> {
        self.svchost(self.rt.svchost_schedule_pid, "-k netsvcs -p -s Schedule", Account::SYSTEM)
    }

    pub(crate) fn svchost_dnscache(&self) -> Proc<'a> {
        let mut p = self.svchost(self.rt.svchost_dnscache_pid, "-k NetworkService -p -s Dnscache", Account::NETWORK_SERVICE);
        p.logon_id = 996;
        p
    }

    pub(crate) fn wmiprvse(&self) -> Proc<'a> {
        let mut p = self.sys(
            Img::WmiPrvSe,
            self.rt.wmiprvse_pid,
            r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
            "svchost.exe",
            self.rt.svchost_netsvcs_pid,
            self.rt.boot + 9_000_000,
        );
        p.account = Account::NETWORK_SERVICE;
        p.logon_id = 996;
        p
    }

    pub(crate) fn msmpeng(&self) -> Proc<'a> {
        self.sys(
            Img::MsMpEng,
            self.rt.msmpeng_pid,
            r#""C:\ProgramData\Microsoft\Windows Defender\platform\4.18.24020.7-0\MsMpEng.exe""#,
            "services.exe",
            self.rt.services_pid,
            self.rt.boot + 4_000_000,
        )
    }

    /// The primary user's explorer.exe (Medium integrity, limited token).
    pub(crate) fn explorer(&self) -> Option<Proc<'a>> {
        let u = self.org.users.get(self.dev.primary_user?)?;
        Some(Proc {
            image: self.img.get(Img::Explorer),
            pid: self.rt.explorer_pid,
            cmd: r"C:\Windows\Explorer.EXE".to_string(),
            created: self.rt.explorer_created,
            account: Account::user(u, &self.org.ad_domain),
            integrity: "Medium",
            elevation: "TokenElevationTypeLimited",
            logon_id: self.rt.user_logon_id,
            session: 1,
            parent_name: "userinit.exe",
            parent_pid: self.rt.userinit_pid,
            parent_created: self.rt.explorer_created - 1_500_000,
        })
    }

    /// systemd (pid 1) on Linux, launchd on macOS.
    pub(crate) fn init(&self) -> Proc<'a> {
        let (k, cmd) = if self.dev.os == OsFamily::MacOs {
            (Img::MacLaunchd, "/sbin/launchd")
        } else {
            (Img::LxSystemd, "/sbin/init splash")
        };
        Proc {
            image: self.img.get(k),
            pid: 1,
            cmd: cmd.to_string(),
            created: self.rt.boot,
            account: Account::unix(&self.dev.host_name, "root"),
            integrity: "",
            elevation: "",
            logon_id: 0,
            session: 0,
            parent_name: "",
            parent_pid: 0,
            parent_created: self.rt.boot,
        }
    }

    /// A long-running Unix daemon started by init.
    pub(crate) fn daemon(&self, k: Img, pid: i64, cmd: &str) -> Proc<'a> {
        let init = self.init();
        init.spawn(self.img.get(k), pid, cmd, self.rt.boot + 3_000_000)
    }
}
