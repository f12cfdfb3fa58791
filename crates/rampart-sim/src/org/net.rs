//! The internet as the organisation sees it: popular sites, ISPs and geolocation.
//!
//! Attacker infrastructure uses the documentation ranges 198.51.100.0/24 and
//! 203.0.113.0/24, and the organisation's own egress uses 192.0.2.0/24, so no real
//! third party is named as an attacker.

/// A well-known destination that benign traffic reaches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WebSite {
    pub host: &'static str,
    pub ip: &'static str,
}

pub(crate) const WEB: &[WebSite] = &[
    WebSite { host: "www.google.com", ip: "142.250.190.36" },
    WebSite { host: "www.bing.com", ip: "204.79.197.200" },
    WebSite { host: "www.linkedin.com", ip: "13.107.42.14" },
    WebSite { host: "github.com", ip: "140.82.112.3" },
    WebSite { host: "www.youtube.com", ip: "142.250.191.46" },
    WebSite { host: "www.amazon.com", ip: "54.239.28.85" },
    WebSite { host: "en.wikipedia.org", ip: "208.80.154.224" },
    WebSite { host: "www.fedex.com", ip: "23.45.104.22" },
    WebSite { host: "www.ups.com", ip: "23.45.96.19" },
    WebSite { host: "www.maersk.com", ip: "104.18.22.201" },
    WebSite { host: "www.weather.gov", ip: "23.53.112.94" },
    WebSite { host: "stackoverflow.com", ip: "151.101.1.69" },
    WebSite { host: "docs.microsoft.com", ip: "13.107.246.40" },
    WebSite { host: "www.reuters.com", ip: "151.101.130.132" },
    WebSite { host: "www.zoom.us", ip: "170.114.52.2" },
];

/// Microsoft 365 endpoints that Office, Teams and OneDrive talk to.
pub(crate) const M365: &[WebSite] = &[
    WebSite { host: "outlook.office365.com", ip: "52.96.165.18" },
    WebSite { host: "login.microsoftonline.com", ip: "40.126.28.18" },
    WebSite { host: "teams.microsoft.com", ip: "52.113.194.132" },
    WebSite { host: "meridianfreight.sharepoint.com", ip: "13.107.136.9" },
    WebSite { host: "meridianfreight-my.sharepoint.com", ip: "13.107.138.9" },
    WebSite { host: "officeclient.microsoft.com", ip: "52.109.8.19" },
    WebSite { host: "nexus.officeapps.live.com", ip: "52.109.12.23" },
];

/// Background endpoints Windows itself talks to.
pub(crate) const WINDOWS_BACKGROUND: &[WebSite] = &[
    WebSite { host: "settings-win.data.microsoft.com", ip: "20.42.73.29" },
    WebSite { host: "v10.events.data.microsoft.com", ip: "20.189.173.11" },
    WebSite { host: "ctldl.windowsupdate.com", ip: "93.184.221.240" },
    WebSite { host: "winatp-gw-cus.microsoft.com", ip: "20.44.10.122" },
    WebSite { host: "wdcp.microsoft.com", ip: "20.49.150.241" },
];

/// Where a public IP geolocates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Geo {
    pub city: &'static str,
    pub state: &'static str,
    pub country: &'static str,
    pub lat: f64,
    pub lon: f64,
}

pub(crate) const CHICAGO: Geo = Geo { city: "Chicago", state: "Illinois", country: "US", lat: 41.8781, lon: -87.6298 };
pub(crate) const TORONTO: Geo = Geo { city: "Toronto", state: "Ontario", country: "CA", lat: 43.6532, lon: -79.3832 };
pub(crate) const AMSTERDAM: Geo = Geo { city: "Amsterdam", state: "North Holland", country: "NL", lat: 52.3676, lon: 4.9041 };
pub(crate) const LAGOS: Geo = Geo { city: "Lagos", state: "Lagos", country: "NG", lat: 6.5244, lon: 3.3792 };
pub(crate) const BUCHAREST: Geo = Geo { city: "Bucharest", state: "Bucharest", country: "RO", lat: 44.4268, lon: 26.1025 };
pub(crate) const SINGAPORE: Geo = Geo { city: "Singapore", state: "Singapore", country: "SG", lat: 1.3521, lon: 103.8198 };
pub(crate) const FRANKFURT: Geo = Geo { city: "Frankfurt am Main", state: "Hesse", country: "DE", lat: 50.1109, lon: 8.6821 };
pub(crate) const SAO_PAULO: Geo = Geo { city: "Sao Paulo", state: "Sao Paulo", country: "BR", lat: -23.5505, lon: -46.6333 };

/// Residential ISPs for people working from home: (ISP, first two octets, geo).
pub(crate) const HOME_ISPS: &[(&str, &str, Geo)] = &[
    ("Comcast Cable", "73.44", CHICAGO),
    ("Comcast Cable", "98.227", CHICAGO),
    ("AT&T Internet", "99.16", CHICAGO),
    ("Rogers Communications", "99.228", TORONTO),
    ("Bell Canada", "142.114", TORONTO),
];

/// Hosting providers attackers rent from: (ISP, geo). IPs come from documentation ranges.
pub(crate) const HOSTING: &[(&str, Geo)] = &[
    ("Hostkey B.V.", AMSTERDAM),
    ("M247 Europe SRL", BUCHAREST),
    ("DigitalOcean, LLC", SINGAPORE),
    ("Hetzner Online GmbH", FRANKFURT),
    ("MainOne Cable Company", LAGOS),
    ("Latitude.sh LTDA", SAO_PAULO),
];

impl Default for Geo {
    fn default() -> Geo {
        CHICAGO
    }
}
