//! Domain events of the Security log: Kerberos and NTLM authentication (as a domain
//! controller logs it) onto `IdentityLogonEvents`, account and group management onto
//! `IdentityDirectoryEvents` — or, when the account or group is the machine's own
//! (local SAM), onto `DeviceEvents` as Defender for Endpoint records it.

use serde_json::Value;

use super::row::{RowBuilder, Who};
use super::security::ntstatus_reason;
use super::value::unmap_ip;
use super::{MappedEvent, WinEvent, is_channel};

pub(crate) fn map(e: &WinEvent) -> Option<MappedEvent> {
    if !is_channel(e, "Security") {
        return None;
    }
    Some(match e.event_id {
        4768 | 4769 | 4771 => kerberos(e),
        4776 => ntlm(e),
        4720 | 4722..=4726 | 4740 | 4767 | 4781 => account_change(e),
        4728 | 4729 | 4732 | 4733 | 4756 | 4757 => group_change(e),
        _ => return None,
    })
}

/// The columns every domain-controller event shares: MDI's application and the DC as
/// the device that handled the request.
fn on_dc<'e>(e: &'e WinEvent, table: &'static str, action: &str) -> RowBuilder<'e> {
    let mut b = RowBuilder::new(e, table, action);
    b.set("Application", Value::String("Active Directory".into()));
    if !e.computer.is_empty() {
        b.set(
            "DestinationDeviceName",
            Value::String(e.computer.to_lowercase()),
        );
    }
    b
}

/// The client's address: `::ffff:` unmapped, `-` and loopback-without-port skipped.
fn client_address(b: &mut RowBuilder<'_>) {
    if let Some(ip) = b.get("IpAddress") {
        b.set("IPAddress", Value::String(unmap_ip(&ip).to_string()));
    }
    if b.get_i64("IpPort").is_some_and(|p| p > 0) {
        b.take("Port", "IpPort");
    }
    b.mark(&["IpAddress", "IpPort"]);
}

/// 4768 (TGT), 4769 (service ticket), 4771 (pre-authentication failed).
fn kerberos(e: &WinEvent) -> MappedEvent {
    let ok =
        e.event_id != 4771 && e.data.get("Status").and_then(super::value::parse_i64) == Some(0);
    let mut b = on_dc(
        e,
        "IdentityLogonEvents",
        if ok { "LogonSuccess" } else { "LogonFailed" },
    );
    b.set("Protocol", Value::String("Kerberos".into()));
    let logon_type = if e.event_id == 4769 {
        "Resource access"
    } else {
        "Credentials validation"
    };
    b.set("LogonType", Value::String(logon_type.into()));
    let user = b.get("TargetUserName");
    b.take_account(
        Who::Account,
        "TargetSid",
        "TargetUserName",
        "TargetDomainName",
    );
    // 4769 names the client `user@REALM`.
    if let Some((name, _)) = user.as_deref().and_then(|u| u.split_once('@')) {
        b.set("AccountName", Value::String(name.to_lowercase()));
    }
    if let Some(service) = b.get("ServiceName").filter(|s| s.ends_with('$')) {
        b.set(
            "TargetDeviceName",
            Value::String(service.trim_end_matches('$').to_lowercase()),
        );
    }
    client_address(&mut b);
    if !ok && let Some(code) = b.get_i64("Status").or_else(|| b.get_i64("FailureCode")) {
        b.set("FailureReason", Value::String(kerberos_reason(code)));
    }
    b.finish()
}

/// RFC 4120 error codes the KDC logs, by name.
fn kerberos_reason(code: i64) -> String {
    match code {
        0x6 => "UnknownUser",
        0x7 => "UnknownServer",
        0xC => "PolicyRestriction",
        0xE => "UnsupportedEncryptionType",
        0x12 => "AccountRevoked",
        0x17 => "PasswordExpired",
        0x18 => "WrongPassword",
        0x1F => "IntegrityCheckFailed",
        0x20 => "TicketExpired",
        0x25 => "ClockSkew",
        other => return format!("0x{other:X}"),
    }
    .to_string()
}

/// 4776 (NTLM credential validation); `Workstation` is the client device.
fn ntlm(e: &WinEvent) -> MappedEvent {
    let status = e.data.get("Status").and_then(super::value::parse_i64);
    let ok = status == Some(0);
    let mut b = on_dc(
        e,
        "IdentityLogonEvents",
        if ok { "LogonSuccess" } else { "LogonFailed" },
    );
    b.set("Protocol", Value::String("Ntlm".into()));
    b.set("LogonType", Value::String("Credentials validation".into()));
    if let Some(user) = b.get("TargetUserName") {
        b.set("AccountName", Value::String(user.to_lowercase()));
        b.mark(&["TargetUserName"]);
    }
    if let Some(ws) = b.get("Workstation") {
        b.set(
            "DeviceName",
            Value::String(ws.trim_start_matches('\\').to_lowercase()),
        );
        b.mark(&["Workstation"]);
    }
    if !ok && let Some(reason) = ntstatus_reason(status, None) {
        b.set("FailureReason", Value::String(reason));
    }
    b.finish()
}

/// Whether a domain name in an event is the machine's own: `Builtin` or its host name.
fn is_local(e: &WinEvent, domain: Option<&str>) -> bool {
    let host = e.computer.split('.').next().unwrap_or_default();
    domain.is_some_and(|d| {
        d.eq_ignore_ascii_case("Builtin") || (!host.is_empty() && d.eq_ignore_ascii_case(host))
    })
}

/// 4720, 4722–4726, 4740, 4767, 4781: user accounts created, changed or deleted.
fn account_change(e: &WinEvent) -> MappedEvent {
    let domain = e.data.get("TargetDomainName").and_then(Value::as_str);
    if is_local(e, domain) {
        let action = match e.event_id {
            4720 => "UserAccountCreated",
            4726 => "UserAccountDeleted",
            _ => "UserAccountModified",
        };
        let mut b = RowBuilder::new(e, "DeviceEvents", action);
        b.take_account(
            Who::Account,
            "TargetSid",
            "TargetUserName",
            "TargetDomainName",
        );
        b.take_account(
            Who::Initiating,
            "SubjectUserSid",
            "SubjectUserName",
            "SubjectDomainName",
        );
        b.take("InitiatingProcessLogonId", "SubjectLogonId");
        return b.finish();
    }
    let (action, change) = match e.event_id {
        4720 => ("User Account Created", None),
        4722 => (
            "Account Disabled changed",
            Some(("Account Disabled", "true", "false")),
        ),
        4725 => (
            "Account Disabled changed",
            Some(("Account Disabled", "false", "true")),
        ),
        4723 | 4724 => ("Account Password changed", None),
        4726 => (
            "Account Deleted changed",
            Some(("Account Deleted", "false", "true")),
        ),
        4740 => (
            "Account Locked changed",
            Some(("Account Locked", "false", "true")),
        ),
        4767 => (
            "Account Locked changed",
            Some(("Account Locked", "true", "false")),
        ),
        _ => ("SAM Account Name changed", None),
    };
    let mut b = on_dc(e, "IdentityDirectoryEvents", action);
    if e.event_id == 4781 {
        let old = b.get("OldTargetUserName");
        let new = b.get("NewTargetUserName");
        if let Some(n) = &new {
            b.set("AccountName", Value::String(n.to_lowercase()));
        }
        b.extra(
            "FROM SAM Account Name",
            old.map_or(Value::Null, Value::String),
        );
        b.extra(
            "TO SAM Account Name",
            new.map_or(Value::Null, Value::String),
        );
        b.mark(&["OldTargetUserName", "NewTargetUserName"]);
    }
    if let Some(name) = b.get("TargetUserName") {
        b.extra("TARGET_OBJECT.USER", Value::String(name));
    }
    b.take_account(
        Who::Account,
        "TargetSid",
        "TargetUserName",
        "TargetDomainName",
    );
    if let Some(upn) = b.get("UserPrincipalName") {
        b.set("AccountUpn", Value::String(upn.to_lowercase()));
        b.set("TargetAccountUpn", Value::String(upn.to_lowercase()));
        b.mark(&["UserPrincipalName"]);
    }
    b.take("TargetAccountDisplayName", "DisplayName");
    if let Some((what, from, to)) = change {
        b.extra(&format!("FROM {what}"), Value::String(from.into()));
        b.extra(&format!("TO {what}"), Value::String(to.into()));
    }
    actor(&mut b);
    b.finish()
}

/// Who made a directory change, as MDI's `ACTOR.ACCOUNT`.
fn actor(b: &mut RowBuilder<'_>) {
    if let Some(name) = b.get("SubjectUserName") {
        b.extra("ACTOR.ACCOUNT", Value::String(name));
        b.mark(&["SubjectUserName"]);
    }
}

/// 4728/4729 (global), 4732/4733 (local), 4756/4757 (universal) group members added
/// and removed. The account columns name the member; the group is in AdditionalFields.
fn group_change(e: &WinEvent) -> MappedEvent {
    let added = matches!(e.event_id, 4728 | 4732 | 4756);
    let domain = e.data.get("TargetDomainName").and_then(Value::as_str);
    let member = e
        .data
        .get("MemberName")
        .and_then(Value::as_str)
        .and_then(common_name);
    if is_local(e, domain) {
        let action = if added {
            "UserAccountAddedToLocalGroup"
        } else {
            "UserAccountRemovedFromLocalGroup"
        };
        let mut b = RowBuilder::new(e, "DeviceEvents", action);
        b.take("AccountSid", "MemberSid");
        if let Some(m) = member {
            b.set("AccountName", Value::String(m.to_lowercase()));
        }
        for (key, field) in [
            ("GroupName", "TargetUserName"),
            ("GroupDomainName", "TargetDomainName"),
            ("GroupSid", "TargetSid"),
        ] {
            if let Some(v) = b.get(field) {
                b.extra(key, Value::String(v));
                b.mark(&[field]);
            }
        }
        b.take_account(
            Who::Initiating,
            "SubjectUserSid",
            "SubjectUserName",
            "SubjectDomainName",
        );
        b.take("InitiatingProcessLogonId", "SubjectLogonId");
        return b.finish();
    }
    let mut b = on_dc(e, "IdentityDirectoryEvents", "Group Membership changed");
    b.take("AccountSid", "MemberSid");
    if let Some(m) = member {
        b.set("AccountName", Value::String(m.to_lowercase()));
        b.extra("TARGET_OBJECT.USER", Value::String(m));
    }
    if let Some(group) = b.get("TargetUserName") {
        b.extra(
            if added { "TO.GROUP" } else { "FROM.GROUP" },
            Value::String(group),
        );
        b.mark(&["TargetUserName"]);
    }
    actor(&mut b);
    b.finish()
}

/// The first `CN=` value of a distinguished name (`CN=Doe\, John,OU=…` → `Doe, John`).
pub(crate) fn common_name(dn: &str) -> Option<String> {
    let rest = dn
        .trim()
        .strip_prefix("CN=")
        .or_else(|| dn.trim().strip_prefix("cn="))?;
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            ',' => break,
            _ => out.push(c),
        }
    }
    (!out.is_empty()).then_some(out)
}
