//! System, PowerShell, Windows Defender, Task Scheduler and WMI events onto
//! `DeviceEvents`, and the rule for every event without a mapping.

use serde_json::Value;

use super::row::{RowBuilder, Who};
use super::{MappedEvent, WinEvent, is_channel};

pub(crate) fn map(e: &WinEvent) -> Option<MappedEvent> {
    let id = e.event_id;
    if is_channel(e, "System") {
        return match id {
            7045 => Some(service_installed(e)),
            104 => Some(log_cleared(e)),
            _ => None,
        };
    }
    if is_channel(e, "Microsoft-Windows-PowerShell/Operational")
        || is_channel(e, "PowerShellCore/Operational")
    {
        return match id {
            4103 => Some(powershell_command(e)),
            4104 => Some(script_block(e)),
            _ => None,
        };
    }
    if is_channel(e, "Microsoft-Windows-Windows Defender/Operational") {
        return match id {
            1116 => Some(antivirus(e, "AntivirusDetection")),
            1117 => Some(antivirus(e, "AntivirusMalwareActionTaken")),
            _ => None,
        };
    }
    if is_channel(e, "Microsoft-Windows-TaskScheduler/Operational") {
        let action = match id {
            106 => "ScheduledTaskCreated",
            140 => "ScheduledTaskUpdated",
            141 => "ScheduledTaskDeleted",
            _ => return None,
        };
        let mut b = RowBuilder::new(e, "DeviceEvents", action);
        b.take_user(
            Who::Account,
            if id == 106 { "UserContext" } else { "UserName" },
        );
        return Some(b.finish());
    }
    if is_channel(e, "Microsoft-Windows-WMI-Activity/Operational") && id == 5861 {
        // A permanent event consumer bound to a filter (the WMI persistence technique).
        return Some(RowBuilder::new(e, "DeviceEvents", "WmiBindEventFilterToConsumer").finish());
    }
    None
}

/// An event without a mapping: `DeviceEvents`, ActionType `WinEvent:<channel>:<id>`
/// (the provider when there is no channel), every field in AdditionalFields.
pub(crate) fn unmapped(e: &WinEvent) -> MappedEvent {
    let source = if e.channel.is_empty() {
        &e.provider
    } else {
        &e.channel
    };
    // Shippers sometimes lowercase the classic logs' names; one spelling per log keeps
    // the ActionType stable.
    let source = ["Security", "System", "Application"]
        .into_iter()
        .find(|c| source.eq_ignore_ascii_case(c))
        .unwrap_or(source);
    RowBuilder::new(
        e,
        "DeviceEvents",
        &format!("WinEvent:{source}:{}", e.event_id),
    )
    .finish()
}

/// 7045 (Service Control Manager) → `ServiceInstalled`.
fn service_installed(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceEvents", "ServiceInstalled");
    service_fields(&mut b, "ImagePath", "AccountName", "StartType");
    b.finish()
}

/// A new service's binary into `FileName`/`FolderPath` (the full command line stays in
/// AdditionalFields), and its account and start type under Defender's names
/// (`ServiceAccount`, `ServiceStartType`).
pub(crate) fn service_fields(b: &mut RowBuilder<'_>, path: &str, account: &str, start: &str) {
    if let Some(cmd) = b.get(path) {
        let exe = super::value::executable(&cmd);
        b.set(
            "FileName",
            Value::String(super::value::file_name(exe).to_string()),
        );
        b.set("FolderPath", Value::String(exe.to_string()));
    }
    for (key, field) in [("ServiceAccount", account), ("ServiceStartType", start)] {
        if let Some(v) = b.event().data.get(field).filter(|v| !v.is_null()).cloned() {
            b.extra(key, v);
            b.mark(&[field]);
        }
    }
}

/// System 104 (an event log was cleared) → `EventLogCleared`; the Security log's own
/// 1102 is `SecurityLogCleared`.
fn log_cleared(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceEvents", "EventLogCleared");
    let user = b.get("SubjectUserName");
    let domain = b.get("SubjectDomainName");
    if let Some(u) = user {
        b.set("AccountName", Value::String(u.to_lowercase()));
    }
    if let Some(d) = domain {
        b.set("AccountDomain", Value::String(d.to_lowercase()));
    }
    b.mark(&["SubjectUserName", "SubjectDomainName"]);
    b.finish()
}

/// `Key = Value` lines of PowerShell's `ContextInfo`.
fn context_value(context: &str, key: &str) -> Option<String> {
    context.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key)
            .then(|| v.trim().to_string())
            .filter(|v| !v.is_empty())
    })
}

/// 4103 (module logging) → `PowerShellCommand`, the command in `Command` as Defender
/// has it; the host's command line and user from `ContextInfo`.
fn powershell_command(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceEvents", "PowerShellCommand");
    if let Some(context) = b.get("ContextInfo") {
        if let Some(cmd) = context_value(&context, "Command Name") {
            b.extra("Command", Value::String(cmd));
        }
        if let Some(host) = context_value(&context, "Host Application") {
            b.set("InitiatingProcessCommandLine", Value::String(host));
        }
        if let Some(user) = context_value(&context, "User") {
            let (domain, name) = super::value::split_account(&user);
            if let Some(d) = domain {
                b.set("InitiatingProcessAccountDomain", Value::String(d));
            }
            b.set("InitiatingProcessAccountName", Value::String(name));
        }
    }
    b.finish()
}

/// 4104 (script block logging) → `PowerShellScriptBlock`; `ScriptBlockText` stays in
/// AdditionalFields, the script's path (when it ran from a file) in `FolderPath`.
fn script_block(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceEvents", "PowerShellScriptBlock");
    b.take_path("", "Path");
    b.finish()
}

/// Windows Defender 1116 (detected) and 1117 (action taken).
fn antivirus(e: &WinEvent, action: &str) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceEvents", action);
    // `Path` is `file:_C:\x.exe`, several joined by `;` when one threat has many.
    if let Some(path) = b.get("Path") {
        let first = path.split(';').next().unwrap_or_default();
        let file = first.split_once(":_").map_or(first, |(_, p)| p);
        if !file.is_empty() {
            b.set(
                "FileName",
                Value::String(super::value::file_name(file).to_string()),
            );
            b.set("FolderPath", Value::String(file.to_string()));
        }
    }
    if let Some(name) = b.get("Threat Name") {
        b.extra("ThreatName", Value::String(name));
        b.mark(&["Threat Name"]);
    }
    if b.get("Process Name")
        .is_some_and(|p| !p.eq_ignore_ascii_case("Unknown"))
    {
        b.take_path("InitiatingProcess", "Process Name");
    }
    b.take_user(Who::Account, "Detection User");
    b.finish()
}
