//! Benign Windows activity: people launching apps and browsing, Windows maintaining
//! itself, logons, file work and server roles.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::{World, ephemeral, pick};
use crate::baseline::{Procs, win_pid};
use crate::emit::endpoint::{self, Account, Conn, FileOp, LogonOp, Proc, RegOp};
use crate::ids::Hashes;
use crate::images::Img;
use crate::org::net::{M365, WEB, WINDOWS_BACKGROUND, WebSite};
use crate::org::{Device, DeviceRole};
use crate::row::Emitter;
use crate::time::{MIN, Micros, SEC};

/// A Windows workstation that has a user, with its standing processes.
fn workstation<'a>(w: &World<'a>, rng: &mut ChaCha8Rng) -> Option<(usize, Procs<'a>, Proc<'a>)> {
    let &di = pick(rng, &w.idx.win_workstations)?;
    let pr = Procs::new(w.img, w.org, w.base, di)?;
    let ex = pr.explorer()?;
    Some((di, pr, ex))
}

fn user_dir(p: &Proc) -> String {
    format!(r"C:\Users\{}", p.account.name)
}

/// Outbound TCP 443 from a process, optionally preceded by a DNS lookup.
fn https(em: &mut Emitter, rng: &mut ChaCha8Rng, pr: &Procs, t: Micros, p: &Proc, site: &WebSite, dns: bool) {
    let d = pr.dev;
    if dns {
        let dc = &pr.org.devices[pr.org.infra.dc1];
        let resolver = pr.svchost_dnscache();
        endpoint::network(
            em,
            d,
            t,
            &resolver,
            Conn { action: "DnsConnectionInspected", remote_ip: &dc.ip, remote_port: 53, remote_url: "", local_ip: &d.ip, local_port: ephemeral(rng), protocol: "Udp" },
            Some(json!({"direction": "Out", "query": site.host, "qtype": 1, "qtype_name": "A", "rcode": 0, "rcode_name": "NOERROR", "answers": [site.ip]})),
        );
    }
    endpoint::network(
        em,
        d,
        t + rng.random_range(5_000..80_000),
        p,
        Conn { action: "ConnectionSuccess", remote_ip: site.ip, remote_port: 443, remote_url: site.host, local_ip: &d.ip, local_port: ephemeral(rng), protocol: "Tcp" },
        None,
    );
}

const DOCS: &[&str] = &[
    "Q3 Budget.xlsx", "Carrier Rates 2025.xlsx", "Board Update.pptx", "Shipping Manifest.docx", "Team Offsite.docx",
    "Vendor Contract - Northpeak.docx", "Forecast.xlsx", "Onboarding Checklist.docx", "Route Planning.xlsx", "Weekly Report.docx",
];

/// A user starts an application from the desktop.
pub(crate) fn app_launch(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let Some((_, pr, ex)) = workstation(w, rng) else { return };
    let d = pr.dev;
    let it = w.org.users.get(d.primary_user.unwrap_or(0)).map(|u| u.department == "IT").unwrap_or(false);
    let roll = rng.random_range(0..100);
    let home = user_dir(&ex);
    let onedrive = format!(r"{home}\OneDrive - Meridian Freight\Documents");
    let (k, cmd) = match roll {
        0..=21 => (Img::Chrome, r#""C:\Program Files\Google\Chrome\Application\chrome.exe""#.to_string()),
        22..=35 => (Img::MsEdge, r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --profile-directory=Default"#.to_string()),
        36..=49 => (Img::Outlook, r#""C:\Program Files\Microsoft Office\Root\Office16\OUTLOOK.EXE""#.to_string()),
        50..=59 => {
            let doc = pick(rng, DOCS).copied().unwrap_or("Report.docx");
            (Img::WinWord, format!(r#""C:\Program Files\Microsoft Office\Root\Office16\WINWORD.EXE" /n "{onedrive}\{doc}" /o """#))
        }
        60..=69 => {
            let doc = pick(rng, DOCS).copied().unwrap_or("Book1.xlsx");
            (Img::Excel, format!(r#""C:\Program Files\Microsoft Office\Root\Office16\EXCEL.EXE" "{onedrive}\{doc}""#))
        }
        70..=74 => (Img::PowerPnt, r#""C:\Program Files\Microsoft Office\Root\Office16\POWERPNT.EXE""#.to_string()),
        75..=84 => (Img::Teams, r#""C:\Program Files\WindowsApps\MSTeams_24033.811.2738.2546_x64__8wekyb3d8bbwe\ms-teams.exe""#.to_string()),
        85..=89 => (Img::Notepad, format!(r#""C:\Windows\system32\NOTEPAD.EXE" {home}\Desktop\notes.txt"#)),
        _ => {
            if it || rng.random_bool(0.3) {
                admin_console(em, rng, &pr, &ex, t, it);
                return;
            }
            (Img::Notepad, r"C:\Windows\system32\notepad.exe".to_string())
        }
    };
    let child = ex.spawn(w.img.get(k), win_pid(rng), cmd, t);
    endpoint::process_created(em, d, t, &child, &ex);
    let mut dt = t + rng.random_range(20_000..200_000);
    let dlls: &[Img] = match k {
        Img::Chrome => &[Img::ChromeElf, Img::Ntdll],
        Img::WinWord | Img::PowerPnt | Img::Outlook => &[Img::Mso],
        Img::Excel => &[Img::Mso],
        _ => &[],
    };
    for &dll in dlls {
        endpoint::image_load(em, d, dt, &child, w.img.get(dll));
        dt += rng.random_range(5_000..60_000);
    }
    // Now and then a workbook with macros: Excel loads the VBA runtime.
    if k == Img::Excel && rng.random_bool(0.04) {
        endpoint::image_load(em, d, dt, &child, w.img.get(Img::Vbe7));
    }
    let net_t = t + rng.random_range(SEC..4 * SEC);
    match k {
        Img::Chrome | Img::MsEdge => {
            if let Some(site) = pick(rng, WEB) {
                https(em, rng, &pr, net_t, &child, site, true);
            }
        }
        Img::Outlook => https(em, rng, &pr, net_t, &child, &M365[0], true),
        Img::Teams => https(em, rng, &pr, net_t, &child, &M365[2], true),
        Img::WinWord | Img::Excel | Img::PowerPnt => {
            let k = 5 + rng.random_range(0..2);
            https(em, rng, &pr, net_t, &child, &M365[k], false);
            https(em, rng, &pr, net_t + SEC, &child, &M365[4], false);
        }
        _ => {}
    }
}

/// IT staff (and the curious) run a console and a few commands.
fn admin_console(em: &mut Emitter, rng: &mut ChaCha8Rng, pr: &Procs, ex: &Proc, t: Micros, it: bool) {
    let d = pr.dev;
    if it && rng.random_bool(0.5) {
        let ps = ex.spawn(pr.img.get(Img::PowerShell), win_pid(rng), r#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe""#, t);
        endpoint::process_created(em, d, t, &ps, ex);
        let cmds: &[&str] = &[
            "Get-ADUser -Identity helpdesk.test -Properties LockedOut",
            "Get-Service -Name Spooler",
            "Test-NetConnection fs01 -Port 445",
            "Get-ChildItem \\\\fs01\\Departments",
            "Get-Process | Sort-Object CPU -Descending | Select-Object -First 10",
            "Unlock-ADAccount -Identity james.smith",
        ];
        let n = rng.random_range(1..4);
        for i in 0..n {
            if let Some(c) = pick(rng, cmds) {
                endpoint::powershell_command(em, d, t + (i + 1) * rng.random_range(3 * SEC..20 * SEC), &ps, c);
            }
        }
        return;
    }
    let cmd = ex.spawn(pr.img.get(Img::Cmd), win_pid(rng), r#""C:\Windows\system32\cmd.exe" "#, t);
    endpoint::process_created(em, d, t, &cmd, ex);
    let tools: &[(Img, &str)] = &[
        (Img::Ipconfig, "ipconfig  /all"),
        (Img::Ipconfig, "ipconfig /flushdns"),
        (Img::Gpupdate, "gpupdate  /force"),
        (Img::Whoami, "whoami"),
        (Img::Net, r"net  use H: \\fs01\home$"),
    ];
    let mut tt = t + rng.random_range(2 * SEC..30 * SEC);
    for _ in 0..rng.random_range(1..3) {
        if let Some((k, c)) = pick(rng, tools) {
            let p = cmd.spawn(pr.img.get(*k), win_pid(rng), *c, tt);
            endpoint::process_created(em, d, tt, &p, &cmd);
            tt += rng.random_range(3 * SEC..40 * SEC);
        }
    }
    // Rarely, an IT technician checks the domain controllers the way attackers also do.
    if it && rng.random_bool(0.05) {
        let p = cmd.spawn(pr.img.get(Img::Nltest), win_pid(rng), format!("nltest  /dclist:{}", pr.org.dns_domain), tt);
        endpoint::process_created(em, d, tt, &p, &cmd);
    }
}

/// A browser already running makes a few requests.
pub(crate) fn browse(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let Some((_, pr, ex)) = workstation(w, rng) else { return };
    let edge = rng.random_bool(0.4);
    let k = if edge { Img::MsEdge } else { Img::Chrome };
    let browser = Proc {
        pid: ((pr.rt.explorer_pid * 7) % 36_000) / 4 * 4 + 8,
        cmd: if edge {
            r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --profile-directory=Default"#.to_string()
        } else {
            r#""C:\Program Files\Google\Chrome\Application\chrome.exe""#.to_string()
        },
        created: pr.rt.explorer_created + 30 * SEC,
        ..ex.spawn(w.img.get(k), 0, "", 0)
    };
    let n = rng.random_range(1..5);
    let mut tt = t;
    for _ in 0..n {
        let site = if rng.random_bool(0.25) { pick(rng, M365) } else { pick(rng, WEB) };
        if let Some(site) = site {
            let dns = rng.random_bool(0.5);
            https(em, rng, &pr, tt, &browser, site, dns);
        }
        tt += rng.random_range(SEC / 2..20 * SEC);
    }
    if rng.random_bool(0.06) {
        let files = [
            ("Invoice_Northpeak_2025-02.pdf", "https://portal.northpeak-logistics.com/invoices/2025-02.pdf"),
            ("rate_sheet.xlsx", "https://www.maersk.com/downloads/rate_sheet.xlsx"),
            ("ZoomInstallerFull.msi", "https://zoom.us/client/latest/ZoomInstallerFull.msi"),
            ("meeting_notes.docx", "https://meridianfreight.sharepoint.com/sites/ops/meeting_notes.docx"),
        ];
        if let Some((name, url)) = pick(rng, &files) {
            let path = format!(r"{}\Downloads\{name}", user_dir(&ex));
            let h = Hashes::of(url);
            endpoint::file(
                em,
                pr.dev,
                tt,
                &browser,
                FileOp {
                    action: "FileCreated",
                    path: &path,
                    sha1: &h.sha1,
                    sha256: &h.sha256,
                    md5: &h.md5,
                    size: rng.random_range(40_000..4_000_000),
                    origin_url: url,
                    ..Default::default()
                },
            );
        }
    }
}

/// Windows maintaining itself: scheduled tasks, Defender, search, telemetry.
pub(crate) fn system(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let all = if rng.random_bool(0.75) { &w.idx.win_workstations } else { &w.idx.win_servers };
    let Some(&di) = pick(rng, all) else { return };
    let Some(pr) = Procs::new(w.img, w.org, w.base, di) else { return };
    let d = pr.dev;
    match rng.random_range(0..7) {
        0 => {
            let sched = pr.svchost_schedule();
            let p = sched.spawn(w.img.get(Img::Taskhostw), win_pid(rng), "taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly", t);
            endpoint::process_created(em, d, t, &p, &sched);
        }
        1 => {
            let sched = pr.svchost_schedule();
            let p = sched.spawn(
                w.img.get(Img::BackgroundTaskHost),
                win_pid(rng),
                r#""C:\Windows\system32\backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider"#,
                t,
            );
            endpoint::process_created(em, d, t, &p, &sched);
        }
        2 => {
            let mp = pr.msmpeng();
            let p = mp.spawn(w.img.get(Img::MpCmdRun), win_pid(rng), r#""C:\ProgramData\Microsoft\Windows Defender\platform\4.18.24020.7-0\MpCmdRun.exe" SignatureUpdate -ScheduleJob -RestrictPrivileges"#, t);
            endpoint::process_created(em, d, t, &p, &mp);
            if let Some(site) = WINDOWS_BACKGROUND.get(4) {
                https(em, rng, &pr, t + 2 * SEC, &p, site, false);
            }
        }
        3 => {
            let svc = pr.svchost_netsvcs();
            let p = svc.spawn(w.img.get(Img::SearchProtocolHost), win_pid(rng), r#""C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe1_ Global\UsGthrCtrlFltPipeMssGthrPipe1 1 -2147483646 "Software\Microsoft\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 6.0 Robot)" "C:\ProgramData\Microsoft\Search\Data\Temp\usgthrsvc" "DownLevelDaemon" "1""#, t);
            endpoint::process_created(em, d, t, &p, &svc);
        }
        4 => {
            let svc = pr.svchost_netsvcs();
            if let Some(site) = pick(rng, &WINDOWS_BACKGROUND[..3]) {
                let dns = rng.random_bool(0.5);
                https(em, rng, &pr, t, &svc, site, dns);
            }
        }
        5 => {
            let svc = pr.svchost_netsvcs();
            let key = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Orchestrator";
            let now = format!("{}", rng.random_range(1_700_000_000u64..1_800_000_000));
            endpoint::registry(
                em,
                d,
                t,
                &svc,
                RegOp { action: "RegistryValueSet", key, value_name: "ScanLastCompletedTime", value_type: "String", data: &now, previous_data: "" },
            );
        }
        _ => {
            if let Some(ex) = pr.explorer() {
                let key = format!(r"HKEY_CURRENT_USER\{}\Software\Microsoft\Windows\CurrentVersion\Explorer\RecentDocs\.xlsx", ex.account.sid);
                endpoint::registry(
                    em,
                    d,
                    t,
                    &ex,
                    RegOp { action: "RegistryValueSet", key: &key, value_name: "MRUListEx", value_type: "Binary", data: "03000000020000000100000000000000ffffffff", previous_data: "" },
                );
            }
        }
    }
}

/// Office saves, temp files, copies to the file server.
pub(crate) fn file_work(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let Some((_, pr, ex)) = workstation(w, rng) else { return };
    let d = pr.dev;
    let doc = pick(rng, DOCS).copied().unwrap_or("Report.docx");
    let excel = doc.ends_with(".xlsx");
    let app = ex.spawn(w.img.get(if excel { Img::Excel } else { Img::WinWord }), win_pid(rng), "", t - 10 * MIN);
    let path = format!(r"{}\OneDrive - Meridian Freight\Documents\{doc}", user_dir(&ex));
    let h = Hashes::of(&format!("{path}{t}"));
    endpoint::file(
        em,
        d,
        t,
        &app,
        FileOp { action: "FileModified", path: &path, sha1: &h.sha1, sha256: &h.sha256, md5: &h.md5, size: rng.random_range(20_000..900_000), ..Default::default() },
    );
    if rng.random_bool(0.3) {
        // The same file copied to a department share: the file server sees an SMB write.
        let fs = &w.org.devices[w.org.infra.file_server];
        if let Some(fpr) = Procs::new(w.img, w.org, w.base, w.org.infra.file_server) {
            let system = Proc { image: w.img.get(Img::System), pid: 4, cmd: String::new(), ..fpr.services() };
            let dept = w.org.users.get(d.primary_user.unwrap_or(0)).map(|u| u.department.as_str()).unwrap_or("Shared");
            let share_path = format!(r"D:\Shares\Departments\{dept}\{doc}");
            endpoint::file(
                em,
                fs,
                t + rng.random_range(SEC..5 * SEC),
                &system,
                FileOp {
                    action: "FileCreated",
                    path: &share_path,
                    sha1: &h.sha1,
                    sha256: &h.sha256,
                    md5: &h.md5,
                    size: 120_000,
                    smb: Some((&d.ip, ex.account.name, &w.org.ad_domain, "Departments")),
                    ..Default::default()
                },
            );
        }
    }
}

/// Sign-ins and unlocks at the desk, and the Kerberos logons they cause on servers.
pub(crate) fn logon(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let Some((_, pr, ex)) = workstation(w, rng) else { return };
    let d = pr.dev;
    let lsass = pr.lsass();
    let fail = rng.random_bool(0.06);
    endpoint::logon(
        em,
        d,
        t,
        &lsass,
        LogonOp {
            action: if fail { "LogonFailed" } else { "LogonSuccess" },
            logon_type: if rng.random_bool(0.6) { "Unlock" } else { "Interactive" },
            account: ex.account,
            protocol: "Negotiate",
            failure: if fail { "InvalidUserNameOrPassword" } else { "" },
            logon_id: if fail { 0 } else { rng.random_range(0x30000..0x9_0000_0000i64) },
            ..Default::default()
        },
    );
    if fail {
        return;
    }
    // Drive mapping: a network logon on the file server.
    let fs = &w.org.devices[w.org.infra.file_server];
    if let Some(fpr) = Procs::new(w.img, w.org, w.base, w.org.infra.file_server) {
        endpoint::logon(
            em,
            fs,
            t + rng.random_range(2 * SEC..10 * SEC),
            &fpr.lsass(),
            LogonOp {
                action: "LogonSuccess",
                logon_type: "Network",
                account: ex.account,
                protocol: "Kerberos",
                logon_id: rng.random_range(0x30000..0x9_0000_0000i64),
                remote_ip: &d.ip,
                remote_device: &d.host_name,
                remote_port: 0,
                ..Default::default()
            },
        );
    }
}

/// Server roles at work: domain controllers, file, SQL and remote desktop servers.
pub(crate) fn server(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let Some(&di) = pick(rng, &w.idx.win_servers) else { return };
    let Some(pr) = Procs::new(w.img, w.org, w.base, di) else { return };
    let d: &Device = pr.dev;
    let client = pick(rng, &w.idx.win_workstations).and_then(|&i| w.org.devices.get(i));
    let client_ip = client.map(|c| c.ip.as_str()).unwrap_or("10.10.1.20");
    match d.role {
        DeviceRole::DomainController => {
            let lsass = pr.lsass();
            for port in [88, 389] {
                endpoint::network(
                    em,
                    d,
                    t + rng.random_range(0..SEC),
                    &lsass,
                    Conn { action: "InboundConnectionAccepted", remote_ip: client_ip, remote_port: ephemeral(rng), remote_url: "", local_ip: &d.ip, local_port: port, protocol: "Tcp" },
                    None,
                );
            }
        }
        DeviceRole::FileServer => {
            let system = Proc { image: w.img.get(Img::System), pid: 4, cmd: String::new(), ..pr.services() };
            endpoint::network(
                em,
                d,
                t,
                &system,
                Conn { action: "InboundConnectionAccepted", remote_ip: client_ip, remote_port: ephemeral(rng), remote_url: "", local_ip: &d.ip, local_port: 445, protocol: "Tcp" },
                None,
            );
        }
        DeviceRole::DatabaseServer => {
            let svc = &w.org.service_accounts[1];
            let sql = Proc {
                account: Account::service(svc, &w.org.ad_domain),
                integrity: "High",
                ..pr.services().spawn(w.img.get(Img::Sqlservr), pr.rt.role_service_pid, r#""C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Binn\sqlservr.exe" -sMSSQLSERVER"#, pr.rt.boot + 20 * SEC)
            };
            let app_ip = &w.org.devices[w.org.infra.rds_server].ip;
            endpoint::network(
                em,
                d,
                t,
                &sql,
                Conn { action: "InboundConnectionAccepted", remote_ip: app_ip, remote_port: ephemeral(rng), remote_url: "", local_ip: &d.ip, local_port: 1433, protocol: "Tcp" },
                None,
            );
        }
        DeviceRole::RemoteDesktopServer => {
            // Internet-facing RDP attracts a trickle of scanners.
            let svc = pr.svchost_netsvcs();
            let scanner = format!("{}.{}.{}.{}", rng.random_range(11..223), rng.random_range(0..255), rng.random_range(0..255), rng.random_range(1..254));
            endpoint::network(
                em,
                d,
                t,
                &svc,
                Conn { action: "InboundConnectionAccepted", remote_ip: &scanner, remote_port: ephemeral(rng), remote_url: "", local_ip: &d.ip, local_port: 3389, protocol: "Tcp" },
                None,
            );
            if rng.random_bool(0.2) {
                let names = ["administrator", "admin", "user", "test", "scanner"];
                let name = pick(rng, &names).copied().unwrap_or("admin");
                endpoint::logon(
                    em,
                    d,
                    t + SEC,
                    &pr.lsass(),
                    LogonOp {
                        action: "LogonFailed",
                        logon_type: "Network",
                        account: Account { domain: &d.host_name, name, ..Default::default() },
                        protocol: "NTLM",
                        failure: "InvalidUserNameOrPassword",
                        remote_ip: &scanner,
                        remote_port: ephemeral(rng),
                        ..Default::default()
                    },
                );
            }
        }
        _ => {}
    }
    // An administrator at work on the server.
    if rng.random_bool(0.12) {
        let admins = w.org.admins();
        let Some(admin) = pick(rng, &admins).and_then(|&i| w.org.users.get(i)).and_then(|u| u.admin.as_ref()) else { return };
        let acct = Account::admin(admin, &w.org.ad_domain);
        let wsm = pr.svchost_netsvcs();
        let ps = Proc { account: acct, integrity: "High", elevation: "TokenElevationTypeDefault", session: 0, logon_id: rng.random_range(0x30000..0x9_0000_0000i64), ..wsm.spawn(w.img.get(Img::PowerShell), win_pid(rng), r#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoLogo"#, t) };
        endpoint::process_created(em, d, t, &ps, &wsm);
        let cmds = ["Get-Service", "Get-EventLog -LogName System -Newest 50", "Get-Volume", "Restart-Service -Name Spooler", "Get-SmbSession"];
        if let Some(c) = pick(rng, &cmds) {
            endpoint::powershell_command(em, d, t + 5 * SEC, &ps, c);
        }
    }
}
