//! Benign Linux and macOS activity: cron, SSH administration, web serving, builds,
//! and people using their Macs.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{World, ephemeral, pick};
use crate::baseline::Procs;
use crate::emit::endpoint::{self, Account, Conn, LogonOp};
use crate::images::Img;
use crate::org::net::{M365, WEB};
use crate::org::{DeviceRole, OsFamily};
use crate::row::Emitter;
use crate::time::{Micros, SEC};

fn upid(rng: &mut ChaCha8Rng) -> i64 {
    rng.random_range(2_000..420_000)
}

pub(crate) fn linux(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let Some(&di) = pick(rng, &w.idx.linux) else { return };
    let Some(pr) = Procs::new(w.img, w.org, w.base, di) else { return };
    let d = pr.dev;
    let roll = rng.random_range(0..100);
    if d.role == DeviceRole::WebServer && roll < 55 {
        let nginx = pr.daemon(Img::LxNginx, pr.rt.role_service_pid, "nginx: worker process");
        let client = format!("{}.{}.{}.{}", rng.random_range(11..223), rng.random_range(0..255), rng.random_range(0..255), rng.random_range(1..254));
        endpoint::network(
            em,
            d,
            t,
            &nginx,
            Conn { action: "InboundConnectionAccepted", remote_ip: &client, remote_port: ephemeral(rng), remote_url: "", local_ip: &d.ip, local_port: 443, protocol: "Tcp" },
            None,
        );
        return;
    }
    if roll < 75 {
        // A cron job.
        let cron = pr.daemon(Img::LxCron, pr.rt.svchost_schedule_pid, "/usr/sbin/cron -f -P");
        let jobs: &[(&str, Img, &str)] = &[
            ("/bin/sh -c \"test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.hourly )\"", Img::LxSh, "run-parts --report /etc/cron.hourly"),
            ("/bin/sh -c \"/usr/bin/certbot -q renew\"", Img::LxPython, "/usr/bin/python3 /usr/bin/certbot -q renew"),
            ("/bin/sh -c \"/usr/sbin/logrotate /etc/logrotate.conf\"", Img::LxSh, "/usr/sbin/logrotate /etc/logrotate.conf"),
            ("/bin/sh -c \"/usr/lib/sysstat/debian-sa1 1 1\"", Img::LxSh, "/usr/lib/sysstat/sa1 1 1"),
        ];
        let Some((shcmd, k, cmd)) = pick(rng, jobs) else { return };
        let sh = cron.spawn(w.img.get(Img::LxSh), upid(rng), *shcmd, t);
        endpoint::process_created(em, d, t, &sh, &cron);
        let job = sh.spawn(w.img.get(*k), upid(rng), *cmd, t + 20_000);
        endpoint::process_created(em, d, t + 20_000, &job, &sh);
        return;
    }
    if d.role == DeviceRole::BuildServer || (d.role == DeviceRole::Workstation && roll < 88) {
        let owner = d.primary_user.and_then(|u| w.org.users.get(u)).map(|u| u.account_name.as_str()).unwrap_or("builder");
        let init = pr.init();
        let shell = endpoint::Proc { account: Account::unix(&d.host_name, owner), ..init.spawn(w.img.get(Img::LxBash), upid(rng), "-bash", t - 3_600 * SEC) };
        let (k, cmd) = if rng.random_bool(0.5) { (Img::LxGit, "git fetch --all --prune") } else { (Img::LxPython, "python3 -m pytest -q") };
        let p = shell.spawn(w.img.get(k), upid(rng), cmd, t);
        endpoint::process_created(em, d, t, &p, &shell);
        if k == Img::LxGit
            && let Some(gh) = WEB.get(3)
        {
                endpoint::network(
                    em,
                    d,
                    t + SEC,
                    &p,
                    Conn { action: "ConnectionSuccess", remote_ip: gh.ip, remote_port: 443, remote_url: gh.host, local_ip: &d.ip, local_port: ephemeral(rng), protocol: "Tcp" },
                None,
            );
        }
        return;
    }
    // An administrator logs in over SSH and checks a service.
    let admins = w.org.admins();
    let Some(admin) = pick(rng, &admins).and_then(|&i| w.org.users.get(i)) else { return };
    let from = admin.device.and_then(|i| w.org.devices.get(i)).map(|x| x.ip.as_str()).unwrap_or("10.10.1.15");
    let sshd = pr.daemon(Img::LxSshd, pr.rt.lsass_pid, "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups");
    endpoint::logon(
        em,
        d,
        t,
        &sshd,
        LogonOp {
            action: "LogonSuccess",
            logon_type: "Network",
            account: Account::unix(&d.host_name, &admin.account_name),
            protocol: "",
            is_local_admin: true,
            remote_ip: from,
            remote_port: ephemeral(rng),
            ..Default::default()
        },
    );
    let session = sshd.spawn(w.img.get(Img::LxSshd), upid(rng), format!("sshd: {} [priv]", admin.account_name), t);
    let bash = endpoint::Proc { account: Account::unix(&d.host_name, &admin.account_name), ..session.spawn(w.img.get(Img::LxBash), upid(rng), "-bash", t + SEC) };
    endpoint::process_created(em, d, t + SEC, &bash, &session);
    let cmds = ["sudo systemctl status nginx", "sudo apt-get update", "df -h", "sudo journalctl -u ssh --since today"];
    if let Some(c) = pick(rng, &cmds) {
        let k = if c.starts_with("sudo") { Img::LxSudo } else { Img::LxBash };
        let p = bash.spawn(w.img.get(k), upid(rng), *c, t + 8 * SEC);
        endpoint::process_created(em, d, t + 8 * SEC, &p, &bash);
    }
}

pub(crate) fn mac(w: &World, rng: &mut ChaCha8Rng, em: &mut Emitter, t: Micros) {
    let Some(&di) = pick(rng, &w.idx.mac) else { return };
    let Some(pr) = Procs::new(w.img, w.org, w.base, di) else { return };
    let d = pr.dev;
    if d.os != OsFamily::MacOs {
        return;
    }
    let launchd = pr.init();
    let owner = d.primary_user.and_then(|u| w.org.users.get(u)).map(|u| u.account_name.as_str()).unwrap_or("user");
    let acct = Account::unix(&d.host_name, owner);
    let (k, cmd, site) = match rng.random_range(0..6) {
        0 => (Img::MacSafari, "/Applications/Safari.app/Contents/MacOS/Safari", pick(rng, WEB)),
        1 => (Img::MacChrome, "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", pick(rng, WEB)),
        2 => (Img::MacOutlook, "/Applications/Microsoft Outlook.app/Contents/MacOS/Microsoft Outlook", M365.first()),
        3 => (Img::MacTeams, "/Applications/Microsoft Teams.app/Contents/MacOS/MSTeams", M365.get(2)),
        4 => (Img::MacMdworker, "/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Versions/A/Support/mdworker_shared -s mdworker -c MDSImporterWorker -m com.apple.mdworker.shared", None),
        _ => (Img::MacSoftwareUpdate, "/System/Library/PrivateFrameworks/SoftwareUpdate.framework/Resources/softwareupdated", None),
    };
    let mut p = launchd.spawn(w.img.get(k), upid(rng), cmd, t);
    if !matches!(k, Img::MacMdworker | Img::MacSoftwareUpdate) {
        p.account = acct;
    }
    endpoint::process_created(em, d, t, &p, &launchd);
    if let Some(site) = site {
        endpoint::network(
            em,
            d,
            t + rng.random_range(SEC..3 * SEC),
            &p,
            Conn { action: "ConnectionSuccess", remote_ip: site.ip, remote_port: 443, remote_url: site.host, local_ip: &d.ip, local_port: ephemeral(rng), protocol: "Tcp" },
            None,
        );
    }
}
