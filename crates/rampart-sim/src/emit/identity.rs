//! Identity rows: IdentityLogonEvents, IdentityQueryEvents, IdentityDirectoryEvents and
//! EntraIdSignInEvents.

use serde_json::{Value, json};

use crate::org::net::Geo;
use crate::row::{Emitter, Row};
use crate::time::Micros;
use crate::truth::EventRef;

/// Who acted, as identity tables name them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Who<'a> {
    pub name: &'a str,
    pub domain: &'a str,
    pub upn: &'a str,
    pub sid: &'a str,
    pub object_id: &'a str,
    pub display: &'a str,
}

fn who_cols(r: &mut Row, w: &Who) {
    r.s("AccountName", w.name)
        .s("AccountDomain", w.domain)
        .s("AccountUpn", w.upn)
        .s("AccountSid", w.sid)
        .s("AccountObjectId", w.object_id)
        .s("AccountDisplayName", w.display);
}

/// One `IdentityLogonEvents` row.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdLogon<'a> {
    pub action: &'a str,
    /// Active Directory, Office 365, Microsoft Entra ID.
    pub application: &'a str,
    pub logon_type: &'a str,
    pub protocol: &'a str,
    pub failure: &'a str,
    pub who: Who<'a>,
    pub device_name: &'a str,
    pub os_platform: &'a str,
    pub ip: &'a str,
    pub port: i64,
    pub dest_device: &'a str,
    pub dest_ip: &'a str,
    pub dest_port: i64,
    pub geo: Option<Geo>,
    pub isp: &'a str,
}

pub(crate) fn identity_logon(em: &mut Emitter, ts: Micros, l: &IdLogon) -> EventRef {
    let mut r = Row::new();
    r.s("ActionType", l.action)
        .s("Application", l.application)
        .s("LogonType", l.logon_type)
        .s("Protocol", l.protocol)
        .s("FailureReason", l.failure)
        .s("DeviceName", l.device_name)
        .s("OSPlatform", l.os_platform)
        .s("IPAddress", l.ip)
        .s("DestinationDeviceName", l.dest_device)
        .s("DestinationIPAddress", l.dest_ip)
        .s("Isp", l.isp);
    who_cols(&mut r, &l.who);
    if l.port != 0 {
        r.n("Port", l.port);
    }
    if l.dest_port != 0 {
        r.n("DestinationPort", l.dest_port);
    }
    if let Some(g) = l.geo {
        r.s("Location", format!("{}, {}", g.city, g.country));
    }
    r.j("AdditionalFields", json!({"Count": 1, "Pivot": l.dest_device}));
    em.emit("IdentityLogonEvents", ts, r)
}

/// One `IdentityQueryEvents` row (LDAP, SAMR, DNS queries seen at a domain controller).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdQuery<'a> {
    /// LDAP query, SAMR query, DNS query.
    pub action: &'a str,
    pub query_type: &'a str,
    pub query_target: &'a str,
    pub query: &'a str,
    pub protocol: &'a str,
    pub who: Who<'a>,
    pub device_name: &'a str,
    pub ip: &'a str,
    pub dest_device: &'a str,
    pub dest_ip: &'a str,
    pub dest_port: i64,
    pub target_upn: &'a str,
}

pub(crate) fn identity_query(em: &mut Emitter, ts: Micros, q: &IdQuery) -> EventRef {
    let mut r = Row::new();
    r.s("ActionType", q.action)
        .s("Application", "Active Directory")
        .s("QueryType", q.query_type)
        .s("QueryTarget", q.query_target)
        .s("Query", q.query)
        .s("Protocol", q.protocol)
        .s("DeviceName", q.device_name)
        .s("IPAddress", q.ip)
        .s("DestinationDeviceName", q.dest_device)
        .s("DestinationIPAddress", q.dest_ip)
        .s("TargetAccountUpn", q.target_upn);
    who_cols(&mut r, &q.who);
    if q.dest_port != 0 {
        r.n("DestinationPort", q.dest_port);
    }
    em.emit("IdentityQueryEvents", ts, r)
}

/// One `IdentityDirectoryEvents` row.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdDirectory<'a> {
    pub action: &'a str,
    pub application: &'a str,
    pub target_upn: &'a str,
    pub target_display: &'a str,
    pub target_device: &'a str,
    pub protocol: &'a str,
    pub who: Who<'a>,
    pub device_name: &'a str,
    pub ip: &'a str,
    pub dest_device: &'a str,
    pub dest_ip: &'a str,
    pub additional: Option<Value>,
}

pub(crate) fn identity_directory(em: &mut Emitter, ts: Micros, e: &IdDirectory) -> EventRef {
    let mut r = Row::new();
    r.s("ActionType", e.action)
        .s("Application", e.application)
        .s("TargetAccountUpn", e.target_upn)
        .s("TargetAccountDisplayName", e.target_display)
        .s("TargetDeviceName", e.target_device)
        .s("Protocol", e.protocol)
        .s("DeviceName", e.device_name)
        .s("IPAddress", e.ip)
        .s("DestinationDeviceName", e.dest_device)
        .s("DestinationIPAddress", e.dest_ip);
    who_cols(&mut r, &e.who);
    if let Some(v) = &e.additional {
        r.j("AdditionalFields", v.clone());
    }
    em.emit("IdentityDirectoryEvents", ts, r)
}

/// One Entra ID interactive sign-in.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SignIn<'a> {
    pub application: &'a str,
    pub application_id: &'a str,
    pub resource: &'a str,
    pub resource_id: &'a str,
    /// 0 for success; 50126 bad password, 50053 locked, 50074 MFA required, 50140 KMSI.
    pub error_code: i64,
    pub who: Who<'a>,
    pub device_name: &'a str,
    pub entra_device_id: &'a str,
    pub os_platform: &'a str,
    pub managed: bool,
    pub user_agent: &'a str,
    pub browser: &'a str,
    pub client_app: &'a str,
    pub ip: &'a str,
    pub geo: Geo,
    pub mfa: bool,
    pub risk_level: i64,
    pub correlation_id: &'a str,
    pub session_id: &'a str,
    pub tenant_id: &'a str,
}

pub(crate) fn entra_sign_in(em: &mut Emitter, ts: Micros, s: &SignIn) -> EventRef {
    let mut r = Row::new();
    r.s("Application", s.application)
        .s("ApplicationId", s.application_id)
        .s("LogonType", "[\"interactiveUser\"]")
        .n("ErrorCode", s.error_code)
        .s("CorrelationId", s.correlation_id)
        .s("SessionId", s.session_id)
        .s("AccountDisplayName", s.who.display)
        .s("AccountObjectId", s.who.object_id)
        .s("AccountUpn", s.who.upn)
        .n("IsExternalUser", 0)
        .b("IsGuestUser", false)
        .s("ResourceDisplayName", s.resource)
        .s("ResourceId", s.resource_id)
        .s("ResourceTenantId", s.tenant_id)
        .s("DeviceName", s.device_name)
        .s("EntraIdDeviceId", s.entra_device_id)
        .s("OSPlatform", s.os_platform)
        .n("IsManaged", i64::from(s.managed))
        .n("IsCompliant", i64::from(s.managed))
        .s("AuthenticationRequirement", if s.mfa { "multiFactorAuthentication" } else { "singleFactorAuthentication" })
        .n("TokenIssuerType", 0)
        .n("RiskLevelAggregated", s.risk_level)
        .n("RiskState", if s.risk_level >= 50 { 4 } else { 0 })
        .s("UserAgent", s.user_agent)
        .s("ClientAppUsed", s.client_app)
        .s("Browser", s.browser)
        .n("ConditionalAccessStatus", if s.error_code == 0 { 0 } else { 2 })
        .s("IPAddress", s.ip)
        .s("Country", s.geo.country)
        .s("State", s.geo.state)
        .s("City", s.geo.city)
        .s("Latitude", format!("{:.4}", s.geo.lat))
        .s("Longitude", format!("{:.4}", s.geo.lon))
        .s("RequestId", s.correlation_id)
        .s("EndpointCall", "Login:login");
    if s.managed {
        r.s("DeviceTrustType", "Hybrid Azure AD joined");
    }
    r.j("ConditionalAccessPolicies", json!([]));
    em.emit("EntraIdSignInEvents", ts, r)
}
