//! Device* rows: processes, network, files, registry, logons, image loads, misc events.

use serde_json::Value;

use super::ip_type;
use crate::images::Image;
use crate::org::{AdminAccount, Device, ServiceAccount, User};
use crate::row::{Emitter, Row};
use crate::time::Micros;
use crate::truth::EventRef;

/// The account a process runs as.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Account<'a> {
    pub domain: &'a str,
    pub name: &'a str,
    pub sid: &'a str,
    pub upn: &'a str,
    pub object_id: &'a str,
}

impl<'a> Account<'a> {
    pub(crate) const SYSTEM: Account<'static> =
        Account { domain: "nt authority", name: "system", sid: "S-1-5-18", upn: "", object_id: "" };
    pub(crate) const NETWORK_SERVICE: Account<'static> =
        Account { domain: "nt authority", name: "network service", sid: "S-1-5-20", upn: "", object_id: "" };

    pub(crate) fn user(u: &'a User, domain: &'a str) -> Account<'a> {
        Account { domain, name: &u.account_name, sid: &u.sid, upn: &u.upn, object_id: &u.object_id }
    }

    pub(crate) fn admin(a: &'a AdminAccount, domain: &'a str) -> Account<'a> {
        Account { domain, name: &a.account_name, sid: &a.sid, upn: &a.upn, object_id: &a.object_id }
    }

    pub(crate) fn service(a: &'a ServiceAccount, domain: &'a str) -> Account<'a> {
        Account { domain, name: &a.account_name, sid: &a.sid, upn: &a.upn, object_id: "" }
    }

    /// A local Unix account (domain is the host name).
    pub(crate) fn unix(host: &'a str, name: &'a str) -> Account<'a> {
        Account { domain: host, name, sid: "", upn: "", object_id: "" }
    }
}

/// A running process: what Defender knows about it when it acts.
#[derive(Debug, Clone)]
pub(crate) struct Proc<'a> {
    pub image: &'a Image,
    pub pid: i64,
    pub cmd: String,
    pub created: Micros,
    pub account: Account<'a>,
    pub integrity: &'static str,
    pub elevation: &'static str,
    pub logon_id: i64,
    pub session: i64,
    /// The parent's file name, pid and start time.
    pub parent_name: &'a str,
    pub parent_pid: i64,
    pub parent_created: Micros,
}

impl<'a> Proc<'a> {
    /// A child of `self` running `image` with `cmd` as the same account.
    pub(crate) fn spawn(&self, image: &'a Image, pid: i64, cmd: impl Into<String>, created: Micros) -> Proc<'a> {
        Proc {
            image,
            pid,
            cmd: cmd.into(),
            created,
            account: self.account,
            integrity: self.integrity,
            elevation: self.elevation,
            logon_id: self.logon_id,
            session: self.session,
            parent_name: &self.image.name,
            parent_pid: self.pid,
            parent_created: self.created,
        }
    }

    /// Runs as SYSTEM at System integrity.
    pub(crate) fn into_system(mut self) -> Proc<'a> {
        self.account = Account::SYSTEM;
        self.integrity = "System";
        self.elevation = "TokenElevationTypeDefault";
        self.logon_id = 999;
        self.session = 0;
        self
    }
}

fn device_cols(r: &mut Row, d: &Device) {
    r.s("DeviceId", &d.device_id).s("DeviceName", &d.device_name);
}

#[derive(Clone, Copy)]
struct InitCols {
    logon_id: bool,
    integrity: bool,
    signer: bool,
}

const INIT_PROCESS: InitCols = InitCols { logon_id: true, integrity: true, signer: true };
const INIT_COMMON: InitCols = InitCols { logon_id: false, integrity: true, signer: false };
const INIT_DEVICE_EVENTS: InitCols = InitCols { logon_id: true, integrity: false, signer: false };

fn initiating(r: &mut Row, p: &Proc, cols: InitCols) {
    let i = p.image;
    r.s("InitiatingProcessFileName", &i.name)
        .s("InitiatingProcessFolderPath", &i.path)
        .s("InitiatingProcessSHA1", &i.hashes.sha1)
        .s("InitiatingProcessSHA256", &i.hashes.sha256)
        .s("InitiatingProcessMD5", &i.hashes.md5)
        .n("InitiatingProcessFileSize", i.size)
        .s("InitiatingProcessVersionInfoCompanyName", &i.company)
        .s("InitiatingProcessVersionInfoProductName", &i.product)
        .s("InitiatingProcessVersionInfoProductVersion", &i.version)
        .s("InitiatingProcessVersionInfoInternalFileName", &i.internal)
        .s("InitiatingProcessVersionInfoOriginalFileName", &i.original)
        .s("InitiatingProcessVersionInfoFileDescription", &i.description)
        .n("InitiatingProcessId", p.pid)
        .s("InitiatingProcessCommandLine", &p.cmd)
        .t("InitiatingProcessCreationTime", p.created)
        .n("InitiatingProcessParentId", p.parent_pid)
        .s("InitiatingProcessParentFileName", p.parent_name)
        .t("InitiatingProcessParentCreationTime", p.parent_created)
        .s("InitiatingProcessAccountDomain", p.account.domain)
        .s("InitiatingProcessAccountName", p.account.name)
        .s("InitiatingProcessAccountSid", p.account.sid)
        .s("InitiatingProcessAccountUpn", p.account.upn)
        .s("InitiatingProcessAccountObjectId", p.account.object_id)
        .n("InitiatingProcessSessionId", p.session)
        .b("IsInitiatingProcessRemoteSession", false);
    if cols.logon_id {
        r.n("InitiatingProcessLogonId", p.logon_id);
    }
    if cols.integrity {
        r.s("InitiatingProcessIntegrityLevel", p.integrity).s("InitiatingProcessTokenElevation", p.elevation);
    }
    if cols.signer {
        r.s("InitiatingProcessSignerType", i.signer);
        r.s("InitiatingProcessSignatureStatus", if i.signer == "None" { "Unsigned" } else { "Valid" });
    }
}

/// `DeviceProcessEvents` / ProcessCreated: `parent` started `child`.
pub(crate) fn process_created(em: &mut Emitter, d: &Device, ts: Micros, child: &Proc, parent: &Proc) -> EventRef {
    let mut r = Row::new();
    device_cols(&mut r, d);
    let i = child.image;
    r.s("ActionType", "ProcessCreated")
        .s("FileName", &i.name)
        .s("FolderPath", &i.path)
        .s("SHA1", &i.hashes.sha1)
        .s("SHA256", &i.hashes.sha256)
        .s("MD5", &i.hashes.md5)
        .n("FileSize", i.size)
        .s("ProcessVersionInfoCompanyName", &i.company)
        .s("ProcessVersionInfoProductName", &i.product)
        .s("ProcessVersionInfoProductVersion", &i.version)
        .s("ProcessVersionInfoInternalFileName", &i.internal)
        .s("ProcessVersionInfoOriginalFileName", &i.original)
        .s("ProcessVersionInfoFileDescription", &i.description)
        .n("ProcessId", child.pid)
        .s("ProcessCommandLine", &child.cmd)
        .s("ProcessIntegrityLevel", child.integrity)
        .s("ProcessTokenElevation", child.elevation)
        .t("ProcessCreationTime", child.created)
        .s("AccountDomain", child.account.domain)
        .s("AccountName", child.account.name)
        .s("AccountSid", child.account.sid)
        .s("AccountUpn", child.account.upn)
        .s("AccountObjectId", child.account.object_id)
        .n("LogonId", child.logon_id)
        .n("CreatedProcessSessionId", child.session)
        .b("IsProcessRemoteSession", false);
    initiating(&mut r, parent, INIT_PROCESS);
    em.emit("DeviceProcessEvents", ts, r)
}

/// A network event of a process.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Conn<'a> {
    pub action: &'a str,
    pub remote_ip: &'a str,
    pub remote_port: i64,
    pub remote_url: &'a str,
    pub local_ip: &'a str,
    pub local_port: i64,
    /// `Tcp` or `Udp`.
    pub protocol: &'a str,
}

/// `DeviceNetworkEvents`.
pub(crate) fn network(em: &mut Emitter, d: &Device, ts: Micros, p: &Proc, c: Conn, extra: Option<Value>) -> EventRef {
    let mut r = Row::new();
    device_cols(&mut r, d);
    r.s("ActionType", c.action)
        .s("RemoteIP", c.remote_ip)
        .n("RemotePort", c.remote_port)
        .s("RemoteUrl", c.remote_url)
        .s("LocalIP", c.local_ip)
        .n("LocalPort", c.local_port)
        .s("Protocol", c.protocol)
        .s("LocalIPType", ip_type(c.local_ip))
        .s("RemoteIPType", ip_type(c.remote_ip));
    if let Some(v) = extra {
        r.j("AdditionalFields", v);
    }
    initiating(&mut r, p, INIT_COMMON);
    em.emit("DeviceNetworkEvents", ts, r)
}

/// A file operation.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FileOp<'a> {
    pub action: &'a str,
    /// Full path including the file name.
    pub path: &'a str,
    pub sha1: &'a str,
    pub sha256: &'a str,
    pub md5: &'a str,
    pub size: i64,
    pub origin_url: &'a str,
    pub origin_referrer: &'a str,
    pub origin_ip: &'a str,
    /// Full previous path, for renames.
    pub previous_path: &'a str,
    /// Remote SMB client, for files written over a share: (ip, account name, domain, share).
    pub smb: Option<(&'a str, &'a str, &'a str, &'a str)>,
}

fn split_path(p: &str) -> (&str, &str) {
    match p.rfind(['\\', '/']) {
        Some(i) => (&p[..i], &p[i + 1..]),
        None => ("", p),
    }
}

/// `DeviceFileEvents`.
pub(crate) fn file(em: &mut Emitter, d: &Device, ts: Micros, p: &Proc, f: FileOp) -> EventRef {
    let mut r = Row::new();
    device_cols(&mut r, d);
    let (_, name) = split_path(f.path);
    r.s("ActionType", f.action)
        .s("FileName", name)
        .s("FolderPath", f.path)
        .s("SHA1", f.sha1)
        .s("SHA256", f.sha256)
        .s("MD5", f.md5)
        .s("FileOriginUrl", f.origin_url)
        .s("FileOriginReferrerUrl", f.origin_referrer)
        .s("FileOriginIP", f.origin_ip);
    if f.size > 0 {
        r.n("FileSize", f.size);
    }
    if !f.previous_path.is_empty() {
        let (pf, pn) = split_path(f.previous_path);
        r.s("PreviousFolderPath", pf).s("PreviousFileName", pn);
    }
    match f.smb {
        Some((ip, acct, domain, share)) => {
            r.s("RequestProtocol", "SMB")
                .s("RequestSourceIP", ip)
                .s("RequestAccountName", acct)
                .s("RequestAccountDomain", domain)
                .s("ShareName", share);
        }
        None => {
            r.s("RequestProtocol", "Local");
        }
    }
    initiating(&mut r, p, INIT_COMMON);
    em.emit("DeviceFileEvents", ts, r)
}

/// A registry operation.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RegOp<'a> {
    pub action: &'a str,
    pub key: &'a str,
    pub value_name: &'a str,
    /// `String`, `Dword`, `Binary`, `ExpandString`, …
    pub value_type: &'a str,
    pub data: &'a str,
    pub previous_data: &'a str,
}

/// `DeviceRegistryEvents`.
pub(crate) fn registry(em: &mut Emitter, d: &Device, ts: Micros, p: &Proc, g: RegOp) -> EventRef {
    let mut r = Row::new();
    device_cols(&mut r, d);
    r.s("ActionType", g.action)
        .s("RegistryKey", g.key)
        .s("RegistryValueType", g.value_type)
        .s("RegistryValueName", g.value_name)
        .s("RegistryValueData", g.data);
    if !g.previous_data.is_empty() {
        r.s("PreviousRegistryKey", g.key)
            .s("PreviousRegistryValueName", g.value_name)
            .s("PreviousRegistryValueData", g.previous_data);
    }
    initiating(&mut r, p, INIT_COMMON);
    em.emit("DeviceRegistryEvents", ts, r)
}

/// `DeviceImageLoadEvents`: `p` loaded `dll`.
pub(crate) fn image_load(em: &mut Emitter, d: &Device, ts: Micros, p: &Proc, dll: &Image) -> EventRef {
    let mut r = Row::new();
    device_cols(&mut r, d);
    r.s("ActionType", "ImageLoaded")
        .s("FileName", &dll.name)
        .s("FolderPath", &dll.path)
        .s("SHA1", &dll.hashes.sha1)
        .s("SHA256", &dll.hashes.sha256)
        .s("MD5", &dll.hashes.md5)
        .n("FileSize", dll.size);
    initiating(&mut r, p, INIT_COMMON);
    em.emit("DeviceImageLoadEvents", ts, r)
}

/// A logon on a device.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LogonOp<'a> {
    /// LogonSuccess, LogonFailed, LogonAttempted.
    pub action: &'a str,
    /// Interactive, RemoteInteractive, Network, Batch, Service, Unlock, CachedInteractive.
    pub logon_type: &'a str,
    pub account: Account<'a>,
    /// Kerberos, NTLM, Negotiate (empty for local or Unix logons).
    pub protocol: &'a str,
    pub failure: &'a str,
    pub is_local_admin: bool,
    pub logon_id: i64,
    pub remote_ip: &'a str,
    pub remote_device: &'a str,
    pub remote_port: i64,
}

/// `DeviceLogonEvents`; `p` is the process that handled the logon (lsass, sshd, …).
pub(crate) fn logon(em: &mut Emitter, d: &Device, ts: Micros, p: &Proc, l: LogonOp) -> EventRef {
    let mut r = Row::new();
    device_cols(&mut r, d);
    r.s("ActionType", l.action)
        .s("LogonType", l.logon_type)
        .s("AccountDomain", l.account.domain)
        .s("AccountName", l.account.name)
        .s("AccountSid", l.account.sid)
        .s("Protocol", l.protocol)
        .s("FailureReason", l.failure)
        .b("IsLocalAdmin", l.is_local_admin)
        .s("RemoteDeviceName", l.remote_device)
        .s("RemoteIP", l.remote_ip);
    if l.logon_id != 0 {
        r.n("LogonId", l.logon_id);
    }
    if !l.remote_ip.is_empty() {
        r.s("RemoteIPType", ip_type(l.remote_ip)).n("RemotePort", l.remote_port);
    }
    r.j(
        "AdditionalFields",
        serde_json::json!({"IsLocalLogon": l.remote_ip.is_empty() || l.remote_ip.starts_with("127.")}),
    );
    initiating(&mut r, p, INIT_COMMON);
    em.emit("DeviceLogonEvents", ts, r)
}

/// `DeviceEvents` with `action`; `fill` adds the action's own columns.
pub(crate) fn device_event(
    em: &mut Emitter,
    d: &Device,
    ts: Micros,
    action: &str,
    p: &Proc,
    fill: impl FnOnce(&mut Row),
) -> EventRef {
    let mut r = Row::new();
    device_cols(&mut r, d);
    r.s("ActionType", action);
    fill(&mut r);
    initiating(&mut r, p, INIT_DEVICE_EVENTS);
    em.emit("DeviceEvents", ts, r)
}

/// `DeviceEvents` / PowerShellCommand: one cmdlet invocation seen by script logging.
pub(crate) fn powershell_command(em: &mut Emitter, d: &Device, ts: Micros, p: &Proc, command: &str) -> EventRef {
    device_event(em, d, ts, "PowerShellCommand", p, |r| {
        r.s("AccountDomain", p.account.domain)
            .s("AccountName", p.account.name)
            .s("AccountSid", p.account.sid)
            .j("AdditionalFields", serde_json::json!({ "Command": command }));
    })
}
