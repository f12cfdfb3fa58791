//! RDP brute force on the internet-facing remote desktop server → Defender tampering →
//! PsExec to the file server and workstations → shadow copies deleted → files encrypted.

use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::json;

use super::Builder;
use crate::baseline::win_pid;
use crate::emit::endpoint::{self, Account, Conn, FileOp, LogonOp, Proc, RegOp};
use crate::emit::identity::{self, IdLogon, Who};
use crate::ids::Hashes;
use crate::images::{Image, Img};
use crate::time::{MIN, Micros, SEC};

const NOTE: &str = "README_RESTORE_FILES.txt";
const EXT: &str = ".lckd";

pub(super) fn play(b: &mut Builder, t0: Micros) -> Option<(&'static str, &'static str)> {
    let org = b.org;
    let rds_i = org.infra.rds_server;
    let rds = org.devices.get(rds_i)?;
    let fs = org.devices.get(org.infra.file_server)?;
    let dc = org.devices.get(org.infra.dc1)?;
    let svc = org.service_accounts.first()?;
    let acct = Account::service(svc, &org.ad_domain);
    let ip = b.attacker_ip("198.51.100");
    let mut victims: Vec<usize> = org.windows_workstations();
    victims.shuffle(b.rng);
    victims.truncate(3);
    let rpr = b.procs(rds_i)?;
    let locker = Image::unsigned(r"C:\ProgramData\syshelp\lck.exe", 1_284_096, &format!("locker:{t0}"));
    let psexec = Image::new(r"C:\ProgramData\syshelp\PsExec64.exe", "Sysinternals - www.sysinternals.com", "Sysinternals PsExec", "Execute processes remotely", "psexec.exe", "2.43", 833_472);
    let psexesvc = Image::new(r"C:\Windows\PSEXESVC.exe", "Sysinternals", "Sysinternals PsExec", "PsExec Service", "psexesvc.exe", "2.43", 197_024);

    b.device(rds);
    b.device(fs);
    b.device(dc);
    b.upn(&svc.upn);
    b.ip(&ip);
    b.file("lck.exe", &locker.hashes.sha1, &locker.hashes.sha256);
    b.file("PsExec64.exe", &psexec.hashes.sha1, &psexec.hashes.sha256);

    // 1. Brute force over RDP.
    b.stage("RDP brute force against the internet-facing remote desktop server", &["credential-access"], &["T1110.001", "T1133"], &[], &["brute_force"]);
    let lsass = rpr.lsass();
    let svchost = rpr.svchost_netsvcs();
    let names = ["administrator", "admin", "Administrator", "backup", "svc-backup", "scanner", "user1", "rdp", "test"];
    let mut t = t0;
    let attempts = b.rng.random_range(120..200);
    for i in 0..attempts {
        let name = names[i % names.len()];
        let port = b.rng.random_range(40_000..65_000);
        if i % 6 == 0 {
            endpoint::network(
                b.em,
                rds,
                t,
                &svchost,
                Conn { action: "InboundConnectionAccepted", remote_ip: &ip, remote_port: port, remote_url: "", local_ip: &rds.ip, local_port: 3389, protocol: "Tcp" },
                None,
            );
        }
        endpoint::logon(
            b.em,
            rds,
            t + 300_000,
            &lsass,
            LogonOp {
                action: "LogonFailed",
                logon_type: "Network",
                account: Account { domain: if name == "svc-backup" { &org.ad_domain } else { &rds.host_name }, name, ..Default::default() },
                protocol: "NTLM",
                failure: if name == "svc-backup" { "WrongPassword" } else { "InvalidUserNameOrPassword" },
                remote_ip: &ip,
                remote_device: "kali",
                remote_port: port,
                ..Default::default()
            },
        );
        t += b.rng.random_range(2 * SEC..9 * SEC);
    }

    // 2. The backup account's password is guessed.
    b.stage("Successful RDP logon with the backup service account", &["initial-access", "persistence"], &["T1078.002", "T1133", "T1021.001"], &[], &[]);
    let logon_id = b.rng.random_range(0x30000..0x9_0000_0000i64);
    endpoint::logon(
        b.em,
        rds,
        t,
        &lsass,
        LogonOp {
            action: "LogonSuccess",
            logon_type: "RemoteInteractive",
            account: acct,
            protocol: "Negotiate",
            is_local_admin: true,
            logon_id,
            remote_ip: &ip,
            remote_device: "kali",
            remote_port: b.rng.random_range(40_000..65_000),
            ..Default::default()
        },
    );
    let who = Who { name: &svc.account_name, domain: &org.ad_domain, upn: &svc.upn, sid: &svc.sid, object_id: &svc.object_id, display: &svc.account_name };
    identity::identity_logon(
        b.em,
        t + 200_000,
        &IdLogon {
            action: "LogonSuccess",
            application: "Active Directory",
            logon_type: "Remote desktop",
            protocol: "Ntlm",
            who,
            device_name: &rds.device_name,
            os_platform: "Windows",
            ip: &ip,
            dest_device: &dc.device_name,
            dest_ip: &dc.ip,
            dest_port: 445,
            ..Default::default()
        },
    );
    let session_explorer = Proc {
        image: b.img.get(Img::Explorer),
        pid: win_pid(b.rng),
        cmd: r"C:\Windows\Explorer.EXE".into(),
        created: t + 8 * SEC,
        account: acct,
        integrity: "High",
        elevation: "TokenElevationTypeFull",
        logon_id,
        session: 2,
        parent_name: "userinit.exe",
        parent_pid: win_pid(b.rng),
        parent_created: t + 7 * SEC,
    };

    // 3. Defender switched off, tools staged.
    let t2 = t + b.rng.random_range(4 * MIN..15 * MIN);
    b.stage(
        "Microsoft Defender disabled and an exclusion added",
        &["defense-evasion"],
        &["T1562.001"],
        &["14c71865-6cd3-44ae-adaa-1db923fae5f2", "a982fc9c-6333-4ffb-a51d-addb04e8b529"],
        &[],
    );
    let ps = session_explorer.spawn(b.img.get(Img::PowerShell), win_pid(b.rng), r#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe""#, t2);
    endpoint::process_created(b.em, rds, t2, &ps, &session_explorer);
    endpoint::powershell_command(b.em, rds, t2 + 20 * SEC, &ps, "Set-MpPreference -DisableRealtimeMonitoring $true -DisableBehaviorMonitoring $true");
    endpoint::powershell_command(b.em, rds, t2 + 35 * SEC, &ps, r"Add-MpPreference -ExclusionPath C:\ProgramData\syshelp");
    let mp = rpr.msmpeng();
    endpoint::registry(
        b.em,
        rds,
        t2 + 36 * SEC,
        &mp,
        RegOp { action: "RegistryValueSet", key: r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows Defender\Exclusions\Paths", value_name: r"C:\ProgramData\syshelp", value_type: "Dword", data: "0", previous_data: "" },
    );
    endpoint::device_event(b.em, rds, t2 + 37 * SEC, "AntivirusScanCancelled", &mp, |r| {
        r.j("AdditionalFields", json!({"ScanTypeIndex": 1}));
    });

    // 4. PsExec pushes the locker.
    let t3 = t2 + b.rng.random_range(5 * MIN..15 * MIN);
    b.stage(
        "Locker copied to the file server and workstations and started with PsExec",
        &["lateral-movement", "execution"],
        &["T1570", "T1569.002", "T1021.002"],
        &["fdfcbd78-48f1-4a4b-90ac-d82241e368c5", "7c0dcd3d-acf8-4f71-9570-f448b0034f94"],
        &[],
    );
    for (k, img) in [(0, &locker), (1, &psexec)] {
        endpoint::file(
            b.em,
            rds,
            t3 + k * SEC,
            &ps,
            FileOp { action: "FileCreated", path: &img.path, sha1: &img.hashes.sha1, sha256: &img.hashes.sha256, md5: &img.hashes.md5, size: img.size, ..Default::default() },
        );
    }
    let local_locker = locker.at(r"C:\Windows\lck.exe");
    let mut targets = vec![org.infra.file_server];
    targets.extend(victims.iter().copied());
    let mut t_target = t3 + 30 * SEC;
    let mut launched: Vec<(usize, Proc)> = Vec::new();
    for &ti in &targets {
        let Some(d) = org.devices.get(ti) else { continue };
        let Some(tpr) = b.procs(ti) else { continue };
        b.device(d);
        let cmdline = format!(r"C:\ProgramData\syshelp\PsExec64.exe \\{} -accepteula -d -s -c C:\ProgramData\syshelp\lck.exe -path all", d.host_name);
        let pe = ps.spawn(&psexec, win_pid(b.rng), cmdline, t_target);
        endpoint::process_created(b.em, rds, t_target, &pe, &ps);
        endpoint::network(
            b.em,
            rds,
            t_target + 300_000,
            &pe,
            Conn { action: "ConnectionSuccess", remote_ip: &d.ip, remote_port: 445, remote_url: "", local_ip: &rds.ip, local_port: b.rng.random_range(49152..65535), protocol: "Tcp" },
            None,
        );
        endpoint::logon(
            b.em,
            d,
            t_target + 500_000,
            &tpr.lsass(),
            LogonOp {
                action: "LogonSuccess",
                logon_type: "Network",
                account: acct,
                protocol: "NTLM",
                is_local_admin: true,
                logon_id: b.rng.random_range(0x30000..0x9_0000_0000i64),
                remote_ip: &rds.ip,
                remote_device: &rds.host_name,
                remote_port: b.rng.random_range(49152..65535),
                ..Default::default()
            },
        );
        let services = tpr.services();
        let svc_p = services.spawn(&psexesvc, win_pid(b.rng), r"C:\Windows\PSEXESVC.exe", t_target + SEC).into_system();
        endpoint::process_created(b.em, d, t_target + SEC, &svc_p, &services);
        endpoint::file(
            b.em,
            d,
            t_target + SEC + 400_000,
            &services.clone().into_system(),
            FileOp {
                action: "FileCreated",
                path: &local_locker.path,
                sha1: &locker.hashes.sha1,
                sha256: &locker.hashes.sha256,
                md5: &locker.hashes.md5,
                size: locker.size,
                smb: Some((&rds.ip, &svc.account_name, &org.ad_domain, "ADMIN$")),
                ..Default::default()
            },
        );
        let tl = t_target + 3 * SEC;
        let lk = svc_p.spawn(&local_locker, win_pid(b.rng), r"C:\Windows\lck.exe -path all", tl);
        endpoint::process_created(b.em, d, tl, &lk, &svc_p);
        launched.push((ti, lk));
        t_target += b.rng.random_range(20 * SEC..90 * SEC);
    }

    // 5. Recovery removed, 6. files encrypted: on every target.
    let t4 = t_target + MIN;
    b.stage(
        "Shadow copies, backup catalog and boot recovery deleted",
        &["impact"],
        &["T1490"],
        &["c947b146-0abc-4c87-9c64-b17e9d7274a2", "1444443e-6757-43e4-9ea4-c8fc705f79a2"],
        &[],
    );
    let mut lockers = Vec::new();
    for (k, (ti, lk)) in launched.into_iter().enumerate() {
        let Some(d) = org.devices.get(ti) else { continue };
        let mut tc = t4 + k as i64 * 40 * SEC;
        for (tool, line) in [
            (Img::Vssadmin, "vssadmin.exe delete shadows /all /quiet"),
            (Img::Wbadmin, "wbadmin delete catalog -quiet"),
            (Img::Bcdedit, "bcdedit.exe /set {default} recoveryenabled no"),
            (Img::Bcdedit, "bcdedit.exe /set {default} bootstatuspolicy ignoreallfailures"),
        ] {
            let cmd = lk.spawn(b.img.get(Img::Cmd), win_pid(b.rng), format!("cmd.exe /c {line}"), tc);
            endpoint::process_created(b.em, d, tc, &cmd, &lk);
            let p = cmd.spawn(b.img.get(tool), win_pid(b.rng), line, tc + 60_000);
            endpoint::process_created(b.em, d, tc + 60_000, &p, &cmd);
            tc += b.rng.random_range(SEC..4 * SEC);
        }
        lockers.push((ti, lk, tc));
    }
    b.stage("Files encrypted and ransom notes dropped", &["impact"], &["T1486"], &[], &[]);
    for (ti, lk, tc) in &lockers {
        let Some(d) = org.devices.get(*ti) else { continue };
        let server = *ti == org.infra.file_server;
        let owner = d.primary_user.and_then(|u| org.users.get(u)).map(|u| u.account_name.as_str()).unwrap_or("Public");
        let folders: Vec<String> = if server {
            ["Finance", "Operations", "Sales", "Human Resources", "Legal"].iter().map(|f| format!(r"D:\Shares\Departments\{f}")).collect()
        } else {
            ["Documents", "Desktop", "Downloads"].iter().map(|f| format!(r"C:\Users\{owner}\{f}")).collect()
        };
        let per_folder = if server { b.rng.random_range(18..30) } else { b.rng.random_range(6..12) };
        let mut te = *tc + 5 * SEC;
        for f in &folders {
            let note = format!(r"{f}\{NOTE}");
            let nh = Hashes::of(NOTE);
            endpoint::file(b.em, d, te, lk, FileOp { action: "FileCreated", path: &note, sha1: &nh.sha1, sha256: &nh.sha256, md5: &nh.md5, size: 1_942, ..Default::default() });
            for i in 0..per_folder {
                let base = ["Budget", "Contract", "Manifest", "Claims", "Payroll", "Rates", "Minutes", "Invoice"][i % 8];
                let ext = ["xlsx", "docx", "pdf", "pptx"][i % 4];
                let old = format!(r"{f}\{base}_{i:03}.{ext}");
                let new = format!("{old}{EXT}");
                let h = Hashes::of(&format!("{new}{te}"));
                endpoint::file(
                    b.em,
                    d,
                    te,
                    lk,
                    FileOp { action: "FileRenamed", path: &new, previous_path: &old, sha1: &h.sha1, sha256: &h.sha256, md5: &h.md5, size: b.rng.random_range(20_000..3_000_000), ..Default::default() },
                );
                te += b.rng.random_range(40_000..400_000);
            }
        }
    }
    Some((
        "Human-operated ransomware",
        "The internet-facing remote desktop server is brute-forced until the backup service account's password falls. From an RDP session the operator disables Microsoft Defender, adds an exclusion, stages PsExec and a locker, pushes the locker to the file server and three workstations as SYSTEM, deletes shadow copies, the backup catalog and boot recovery, and encrypts department shares and user folders, leaving ransom notes.",
    ))
}
