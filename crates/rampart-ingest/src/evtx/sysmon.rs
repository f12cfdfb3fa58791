//! Sysmon (`Microsoft-Windows-Sysmon/Operational`) onto the Device* tables.

use serde_json::{Value, json};

use super::row::{RowBuilder, Who};
use super::value::{registry_details, registry_key, split_value};
use super::{MappedEvent, WinEvent, is_channel};

const CHANNEL: &str = "Microsoft-Windows-Sysmon/Operational";

pub(crate) fn map(e: &WinEvent) -> Option<MappedEvent> {
    if !is_channel(e, CHANNEL) && !e.provider.eq_ignore_ascii_case("Microsoft-Windows-Sysmon") {
        return None;
    }
    Some(match e.event_id {
        1 => process_create(e),
        3 => network_connect(e),
        7 => image_load(e),
        11 => file(e, "FileCreated"),
        23 | 26 => file(e, "FileDeleted"),
        12..=14 => registry(e),
        8 => remote_thread(e),
        10 => process_access(e),
        22 => dns_query(e),
        id => device_event(e, id),
    })
}

/// `Image`, `ProcessId`, `User` (and `ProcessGuid`) of the process that acted.
fn actor(b: &mut RowBuilder<'_>) {
    b.take_path("InitiatingProcess", "Image");
    b.take("InitiatingProcessId", "ProcessId");
    b.take_user(Who::Initiating, "User");
}

/// Event 1 → `DeviceProcessEvents` `ProcessCreated`.
fn process_create(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceProcessEvents", "ProcessCreated");
    b.take_path("", "Image");
    b.take("ProcessCommandLine", "CommandLine");
    b.take("ProcessId", "ProcessId");
    b.take("ProcessIntegrityLevel", "IntegrityLevel");
    b.take_time("ProcessCreationTime", "UtcTime");
    b.take("ProcessVersionInfoCompanyName", "Company");
    b.take("ProcessVersionInfoProductName", "Product");
    b.take("ProcessVersionInfoProductVersion", "FileVersion");
    b.take("ProcessVersionInfoFileDescription", "Description");
    b.take("ProcessVersionInfoOriginalFileName", "OriginalFileName");
    b.take_hashes("", "Hashes");
    b.take_user(Who::Account, "User");
    b.take("LogonId", "LogonId");
    b.take("CreatedProcessSessionId", "TerminalSessionId");
    b.take_path("InitiatingProcess", "ParentImage");
    b.take("InitiatingProcessCommandLine", "ParentCommandLine");
    b.take("InitiatingProcessId", "ParentProcessId");
    b.take_user(Who::Initiating, "ParentUser");
    b.finish()
}

/// Event 3 → `DeviceNetworkEvents`. Sysmon's Source is this device whichever side
/// opened the connection (an SMB server's inbound session is logged with
/// `SourcePort` 445); `Initiated` only gives the direction.
fn network_connect(e: &WinEvent) -> MappedEvent {
    let outbound = e
        .data
        .get("Initiated")
        .and_then(super::value::parse_bool)
        .unwrap_or(true);
    let action = if outbound {
        "ConnectionSuccess"
    } else {
        "InboundConnectionAccepted"
    };
    let mut b = RowBuilder::new(e, "DeviceNetworkEvents", action);
    b.mark(&["Initiated"]);
    b.take_ip("LocalIP", Some("LocalIPType"), "SourceIp");
    b.take("LocalPort", "SourcePort");
    b.take_ip("RemoteIP", Some("RemoteIPType"), "DestinationIp");
    b.take("RemotePort", "DestinationPort");
    b.take("RemoteUrl", "DestinationHostname");
    if let Some(p) = b.get("Protocol") {
        b.set("Protocol", Value::String(protocol_name(&p)));
        b.mark(&["Protocol"]);
    }
    actor(&mut b);
    b.finish()
}

/// `tcp` → `Tcp`, as Defender writes protocols.
fn protocol_name(p: &str) -> String {
    let lower = p.to_ascii_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Event 7 → `DeviceImageLoadEvents` `ImageLoaded`. The table has no AdditionalFields:
/// the loaded file's version info and signature stay in `raw`.
fn image_load(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceImageLoadEvents", "ImageLoaded");
    b.take_path("", "ImageLoaded");
    b.take_hashes("", "Hashes");
    actor(&mut b);
    b.finish()
}

/// Events 11, 23, 26 → `DeviceFileEvents`.
fn file(e: &WinEvent, action: &str) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceFileEvents", action);
    b.take_path("", "TargetFilename");
    b.take_hashes("", "Hashes");
    actor(&mut b);
    b.finish()
}

/// Events 12–14 → `DeviceRegistryEvents`, keys as Defender spells them.
fn registry(e: &WinEvent) -> MappedEvent {
    let kind = e
        .data
        .get("EventType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let action = match (e.event_id, kind) {
        (12, "DeleteKey") => "RegistryKeyDeleted",
        (12, "DeleteValue") => "RegistryValueDeleted",
        (12, _) => "RegistryKeyCreated",
        (13, _) => "RegistryValueSet",
        _ => "RegistryKeyRenamed",
    };
    let mut b = RowBuilder::new(e, "DeviceRegistryEvents", action);
    b.mark(&["EventType"]);
    let target = b.get("TargetObject").unwrap_or_default();
    match action {
        "RegistryValueSet" | "RegistryValueDeleted" => {
            let (key, value) = split_value(&target);
            b.set("RegistryKey", Value::String(registry_key(key)));
            b.set("RegistryValueName", Value::String(value.to_string()));
        }
        "RegistryKeyRenamed" => {
            b.set("PreviousRegistryKey", Value::String(registry_key(&target)));
            if let Some(new) = b.get("NewName") {
                b.set("RegistryKey", Value::String(registry_key(&new)));
                b.mark(&["NewName"]);
            }
        }
        _ => {
            b.set("RegistryKey", Value::String(registry_key(&target)));
        }
    }
    b.mark(&["TargetObject"]);
    if let Some(details) = b.get("Details") {
        let (kind, data) = registry_details(&details);
        b.set("RegistryValueType", Value::String(kind.to_string()));
        if let Some(d) = data {
            b.set("RegistryValueData", Value::String(d));
        }
        b.mark(&["Details"]);
    }
    actor(&mut b);
    b.finish()
}

/// `SourceImage`/`SourceProcessId`/`SourceUser` act on `TargetImage`/`TargetProcessId`.
fn source_and_target(b: &mut RowBuilder<'_>) {
    b.take_path("InitiatingProcess", "SourceImage");
    b.take("InitiatingProcessId", "SourceProcessId");
    b.take_user(Who::Initiating, "SourceUser");
    b.take_path("", "TargetImage");
    b.take("ProcessId", "TargetProcessId");
    b.take_user(Who::Account, "TargetUser");
}

/// Event 8 → `DeviceEvents` `CreateRemoteThreadApiCall`.
fn remote_thread(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceEvents", "CreateRemoteThreadApiCall");
    source_and_target(&mut b);
    b.finish()
}

/// Event 10 → `DeviceEvents` `OpenProcessApiCall`; `GrantedAccess` is also given as
/// Defender's `DesiredAccess` (a number) in AdditionalFields.
fn process_access(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceEvents", "OpenProcessApiCall");
    source_and_target(&mut b);
    if let Some(access) = b.get_i64("GrantedAccess") {
        b.extra("DesiredAccess", json!(access));
    }
    b.finish()
}

/// Event 22 → `DeviceEvents` `DnsQueryResponse`, the query in `DnsQueryString`.
fn dns_query(e: &WinEvent) -> MappedEvent {
    let mut b = RowBuilder::new(e, "DeviceEvents", "DnsQueryResponse");
    if let Some(q) = b.get("QueryName") {
        b.extra("DnsQueryString", Value::String(q));
        b.mark(&["QueryName"]);
    }
    actor(&mut b);
    b.finish()
}

/// The other Sysmon events → `DeviceEvents`, with the acting process and, where the
/// event names one, the file it concerns.
fn device_event(e: &WinEvent, id: u32) -> MappedEvent {
    let action = match id {
        2 => "FileCreationTimeChanged",
        4 => "SysmonServiceStateChanged",
        5 => "ProcessTerminated",
        6 => "DriverLoad",
        9 => "RawAccessRead",
        15 => "FileStreamCreated",
        16 => "SysmonConfigurationChanged",
        17 | 18 => "NamedPipeEvent",
        19 => "WmiEventFilterRegistered",
        20 => "WmiEventConsumerRegistered",
        21 => "WmiBindEventFilterToConsumer",
        24 => "ClipboardChanged",
        25 => "ProcessTampering",
        27 => "FileBlockExecutable",
        28 => "FileBlockShredding",
        29 => "FileExecutableDetected",
        255 => "SysmonError",
        _ => return super::other::unmapped(e),
    };
    let mut b = RowBuilder::new(e, "DeviceEvents", action);
    match id {
        6 => b.take_path("", "ImageLoaded"),
        2 | 15 | 27 | 28 | 29 => b.take_path("", "TargetFilename"),
        _ => {}
    }
    b.take_hashes("", if id == 15 { "Hash" } else { "Hashes" });
    if matches!(id, 17 | 18) {
        // Defender names the pipe by its full device path and says which end it is.
        if let Some(pipe) = b.get("PipeName") {
            let full = if pipe.starts_with("\\Device\\") {
                pipe
            } else {
                format!("\\Device\\NamedPipe{pipe}")
            };
            b.extra("PipeName", Value::String(full));
            b.mark(&["PipeName"]);
        }
        let (op, end) = if id == 17 {
            ("File created", "Server")
        } else {
            ("File opened", "Client")
        };
        b.extra("FileOperation", Value::String(op.into()));
        b.extra("NamedPipeEnd", Value::String(end.into()));
    }
    if matches!(id, 19..=21) {
        // WMI events carry a user but no process.
        b.take_user(Who::Account, "User");
    }
    actor(&mut b);
    b.finish()
}
