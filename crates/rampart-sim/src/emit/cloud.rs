//! `CloudAppEvents` rows (Microsoft 365 audit and other connected apps).

use serde_json::{Value, json};

use crate::org::CloudApp;
use crate::org::net::Geo;
use crate::row::{Emitter, Row};
use crate::time::Micros;
use crate::truth::EventRef;

/// One cloud app activity.
#[derive(Debug, Clone, Default)]
pub(crate) struct CloudEvent<'a> {
    pub action: &'a str,
    pub activity_type: &'a str,
    pub account_object_id: &'a str,
    pub account_id: &'a str,
    pub account_display: &'a str,
    pub is_admin: bool,
    pub device_type: &'a str,
    pub os_platform: &'a str,
    pub ip: &'a str,
    pub geo: Option<Geo>,
    pub isp: &'a str,
    pub user_agent: &'a str,
    pub object_name: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub activity_objects: Option<Value>,
    pub raw: Option<Value>,
    /// Regular, Admin, Application.
    pub account_type: &'a str,
    pub oauth_app_id: &'a str,
    pub impersonated: bool,
    pub anonymous_proxy: bool,
}

pub(crate) fn cloud_event(em: &mut Emitter, ts: Micros, app: &CloudApp, e: &CloudEvent) -> EventRef {
    let mut r = Row::new();
    r.s("ActionType", e.action)
        .s("Application", &app.name)
        .n("ApplicationId", app.application_id)
        .n("AppInstanceId", app.instance_id)
        .s("AccountObjectId", e.account_object_id)
        .s("AccountId", e.account_id)
        .s("AccountDisplayName", e.account_display)
        .b("IsAdminOperation", e.is_admin)
        .s("DeviceType", e.device_type)
        .s("OSPlatform", e.os_platform)
        .s("IPAddress", e.ip)
        .b("IsAnonymousProxy", e.anonymous_proxy)
        .s("Isp", e.isp)
        .s("UserAgent", e.user_agent)
        .s("ActivityType", e.activity_type)
        .s("ObjectName", e.object_name)
        .s("ObjectType", e.object_type)
        .s("ObjectId", e.object_id)
        .s("AccountType", if e.account_type.is_empty() { "Regular" } else { e.account_type })
        .b("IsExternalUser", false)
        .b("IsImpersonated", e.impersonated)
        .s("OAuthAppId", e.oauth_app_id)
        .s("AuditSource", "Defender for Cloud Apps access control");
    if let Some(g) = e.geo {
        r.s("CountryCode", g.country).s("City", g.city);
    }
    r.j("ActivityObjects", e.activity_objects.clone().unwrap_or_else(|| json!([])));
    r.j("RawEventData", e.raw.clone().unwrap_or_else(|| json!({})));
    r.j("UserAgentTags", json!([]));
    em.emit("CloudAppEvents", ts, r)
}
