//! The Security log's endpoint events (logons, process creation, scheduled tasks,
//! services, registry auditing, log clearing) onto the Device* tables. Domain
//! authentication and directory changes are in `identity`.

use serde_json::Value;

use super::row::{RowBuilder, Who};
use super::value::registry_key;
use super::{MappedEvent, WinEvent, is_channel};

pub(crate) fn map(e: &WinEvent) -> Option<MappedEvent> {
    if !is_channel(e, "Security") {
        return None;
    }
    Some(match e.event_id {
        4624 => logon(e, "LogonSuccess"),
        4625 => logon(e, "LogonFailed"),
        4648 => explicit_logon(e),
        4688 => process_create(e),
        4697 => service_installed(e),
        4698 => scheduled_task(e, "ScheduledTaskCreated"),
        4699 => scheduled_task(e, "ScheduledTaskDeleted"),
        4700 => scheduled_task(e, "ScheduledTaskEnabled"),
        4701 => scheduled_task(e, "ScheduledTaskDisabled"),
        4702 => scheduled_task(e, "ScheduledTaskUpdated"),
        4657 => registry_value(e),
        1102 => log_cleared(e),
        _ => return None,
    })
}

/// Defender's name for a Windows logon type number.
pub(crate) fn logon_type_name(n: i64) -> Option<&'static str> {
    Some(match n {
        2 => "Interactive",
        3 => "Network",
        4 => "Batch",
        5 => "Service",
        7 => "Unlock",
        8 => "NetworkCleartext",
        9 => "NewCredentials",
        10 => "RemoteInteractive",
        11 => "CachedInteractive",
        12 => "CachedRemoteInteractive",
        13 => "CachedUnlock",
        _ => return None,
    })
}

/// A failed logon's reason from its NTSTATUS `Status`/`SubStatus` (the sub-status is
/// the precise one when the status is the generic "logon failure").
pub(crate) fn ntstatus_reason(status: Option<i64>, sub_status: Option<i64>) -> Option<String> {
    let code = match (status, sub_status) {
        (Some(s), Some(sub)) if sub != 0 && matches!(s, 0xC000_006D | 0xC000_006E) => sub,
        (Some(s), _) => s,
        (None, sub) => sub?,
    };
    Some(
        match code {
            0 => return None,
            0xC000_0064 => "UnknownUser",
            0xC000_006A => "WrongPassword",
            0xC000_006D => "InvalidUserNameOrPassword",
            0xC000_006E => "AccountRestriction",
            0xC000_006F => "InvalidLogonHours",
            0xC000_0070 => "InvalidWorkstation",
            0xC000_0071 => "PasswordExpired",
            0xC000_0072 => "AccountDisabled",
            0xC000_0193 => "AccountExpired",
            0xC000_0224 => "PasswordMustChange",
            0xC000_0234 => "AccountLocked",
            0xC000_015B => "LogonTypeNotGranted",
            0xC000_0133 => "ClockSkew",
            0xC000_005E => "NoLogonServers",
            0xC000_0413 => "AuthenticationFirewallFailed",
            other => return Some(format!("0x{other:08X}")),
        }
        .to_string(),
    )
}

/// The process that asked for the logon (`ProcessName`, `ProcessId`).
fn calling_process(b: &mut RowBuilder<'_>) {
    b.take_path("InitiatingProcess", "ProcessName");
    b.take("InitiatingProcessId", "ProcessId");
}

/// 4624/4625 → `DeviceLogonEvents`: the account is the target of the logon; the
/// subject is the account of the process that asked for it.
fn logon(e: &WinEvent, action: &str) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceLogonEvents", action);
    b.take_account(
        Who::Account,
        "TargetUserSid",
        "TargetUserName",
        "TargetDomainName",
    );
    b.take_account(
        Who::Initiating,
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
    );
    if let Some(n) = b.get_i64("LogonType") {
        let name = logon_type_name(n).map_or_else(|| n.to_string(), str::to_string);
        b.set("LogonType", Value::String(name));
        b.mark(&["LogonType"]);
    }
    b.take("Protocol", "AuthenticationPackageName");
    b.take("LogonId", "TargetLogonId");
    b.take("RemoteDeviceName", "WorkstationName");
    b.take_ip("RemoteIP", Some("RemoteIPType"), "IpAddress");
    if b.get_i64("IpPort").is_some_and(|p| p > 0) {
        b.take("RemotePort", "IpPort");
    }
    // An elevated token is what a local administrator gets at logon.
    match b.get("ElevatedToken").as_deref() {
        Some("%%1842") => b.set("IsLocalAdmin", Value::Bool(true)),
        Some("%%1843") => b.set("IsLocalAdmin", Value::Bool(false)),
        _ => false,
    };
    if action == "LogonFailed"
        && let Some(reason) = ntstatus_reason(b.get_i64("Status"), b.get_i64("SubStatus"))
    {
        b.set("FailureReason", Value::String(reason));
    }
    calling_process(&mut b);
    b.finish()
}

/// 4648 (logon with explicit credentials) → `DeviceLogonEvents` `LogonAttempted`: the
/// account is the one whose credentials were used, toward `TargetServerName`.
fn explicit_logon(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceLogonEvents", "LogonAttempted");
    b.take_account(
        Who::Account,
        "TargetUserSid",
        "TargetUserName",
        "TargetDomainName",
    );
    b.take_account(
        Who::Initiating,
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
    );
    b.take("RemoteDeviceName", "TargetServerName");
    b.take_ip("RemoteIP", Some("RemoteIPType"), "IpAddress");
    if b.get_i64("IpPort").is_some_and(|p| p > 0) {
        b.take("RemotePort", "IpPort");
    }
    calling_process(&mut b);
    b.finish()
}

/// 4688 → `DeviceProcessEvents` `ProcessCreated`. The new process runs as the target
/// account when the event names one (Windows 10+), else as the subject.
fn process_create(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceProcessEvents", "ProcessCreated");
    b.take_path("", "NewProcessName");
    b.take("ProcessId", "NewProcessId");
    b.take("ProcessCommandLine", "CommandLine");
    b.set("ProcessCreationTime", Value::String(e.time.clone()));
    let has_target = b.get("TargetUserSid").is_some_and(|s| s != "S-1-0-0");
    if has_target {
        b.take_account(
            Who::Account,
            "TargetUserSid",
            "TargetUserName",
            "TargetDomainName",
        );
        b.take("LogonId", "TargetLogonId");
    } else {
        // Before Windows 10 the target is absent; after, `S-1-0-0` (nobody) means the
        // process runs as its creator.
        b.mark(&[
            "TargetUserSid",
            "TargetUserName",
            "TargetDomainName",
            "TargetLogonId",
        ]);
        b.take_account(
            Who::Account,
            "SubjectUserSid",
            "SubjectUserName",
            "SubjectDomainName",
        );
        b.take("LogonId", "SubjectLogonId");
    }
    b.take_account(
        Who::Initiating,
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
    );
    b.take("InitiatingProcessLogonId", "SubjectLogonId");
    b.take_path("InitiatingProcess", "ParentProcessName");
    b.take("InitiatingProcessId", "ProcessId");
    if let Some(level) = b.get("MandatoryLabel").and_then(|l| integrity_level(&l)) {
        b.set("ProcessIntegrityLevel", Value::String(level.into()));
        b.mark(&["MandatoryLabel"]);
    }
    if let Some(t) = b
        .get("TokenElevationType")
        .and_then(|t| token_elevation(&t))
    {
        b.set("ProcessTokenElevation", Value::String(t.into()));
        b.mark(&["TokenElevationType"]);
    }
    b.finish()
}

/// A mandatory-label SID as Defender's integrity level.
fn integrity_level(sid: &str) -> Option<&'static str> {
    Some(match sid.to_ascii_uppercase().as_str() {
        "S-1-16-0" => "Untrusted",
        "S-1-16-4096" => "Low",
        "S-1-16-8192" | "S-1-16-8448" => "Medium",
        "S-1-16-12288" => "High",
        "S-1-16-16384" | "S-1-16-20480" | "S-1-16-28672" => "System",
        _ => return None,
    })
}

/// 4688's `%%1936`–`%%1938` as Defender's token elevation types.
fn token_elevation(t: &str) -> Option<&'static str> {
    Some(match t {
        "%%1936" => "TokenElevationTypeDefault",
        "%%1937" => "TokenElevationTypeFull",
        "%%1938" => "TokenElevationTypeLimited",
        _ => return None,
    })
}

/// 4698–4702 → `DeviceEvents` `ScheduledTask*`; `TaskName` and `TaskContent` stay
/// under their own names in AdditionalFields, as Defender has them.
fn scheduled_task(e: &WinEvent, action: &str) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceEvents", action);
    b.take_account(
        Who::Account,
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
    );
    b.take("LogonId", "SubjectLogonId");
    b.take("InitiatingProcessId", "ClientProcessId");
    b.take("InitiatingProcessParentId", "ParentProcessId");
    b.finish()
}

/// 4697 (Security) → `DeviceEvents` `ServiceInstalled`, like System 7045.
fn service_installed(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceEvents", "ServiceInstalled");
    b.take_account(
        Who::Account,
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
    );
    b.take("LogonId", "SubjectLogonId");
    super::other::service_fields(
        &mut b,
        "ServiceFileName",
        "ServiceAccount",
        "ServiceStartType",
    );
    b.finish()
}

/// 4657 (registry value modified, object-access auditing) → `DeviceRegistryEvents`.
fn registry_value(e: &WinEvent) -> MappedEvent {
    let deleted = matches!(
        e.data.get("OperationType").and_then(Value::as_str),
        Some("%%1906")
    );
    let mut b = RowBuilder::new(
        e,
        "DeviceRegistryEvents",
        if deleted {
            "RegistryValueDeleted"
        } else {
            "RegistryValueSet"
        },
    );
    if let Some(key) = b.get("ObjectName") {
        b.set("RegistryKey", Value::String(registry_key(&key)));
        b.mark(&["ObjectName"]);
    }
    b.take("RegistryValueName", "ObjectValueName");
    b.take("RegistryValueData", "NewValue");
    b.take("PreviousRegistryValueData", "OldValue");
    if let Some(t) = b
        .get("NewValueType")
        .or_else(|| b.get("OldValueType"))
        .and_then(|t| registry_type(&t))
    {
        b.set("RegistryValueType", Value::String(t.into()));
    }
    b.take_account(
        Who::Initiating,
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
    );
    b.take_path("InitiatingProcess", "ProcessName");
    b.take("InitiatingProcessId", "ProcessId");
    b.finish()
}

/// The Security log's `%%18xx` registry types as Defender's names.
fn registry_type(t: &str) -> Option<&'static str> {
    Some(match t {
        "%%1872" => "None",
        "%%1873" => "String",
        "%%1874" => "ExpandString",
        "%%1875" => "Binary",
        "%%1876" => "Dword",
        "%%1877" => "DwordBigEndian",
        "%%1878" => "Link",
        "%%1879" => "MultiString",
        "%%1880" => "ResourceList",
        "%%1881" => "FullResourceDescriptor",
        "%%1882" => "ResourceRequirementsList",
        "%%1883" => "Qword",
        _ => return None,
    })
}

/// 1102 → `DeviceEvents` `SecurityLogCleared`, by the subject account.
fn log_cleared(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceEvents", "SecurityLogCleared");
    b.take_account(
        Who::Account,
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
    );
    b.take("LogonId", "SubjectLogonId");
    b.finish()
}
