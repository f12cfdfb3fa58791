//! Authentication and authorisation of every route, in one place.
//!
//! Each route is declared once, with the access it needs, in `crate::routes`; the
//! router and the [`Policy`] are both built from that list, so a route cannot exist
//! without a policy. The [`authorize`] middleware runs before every handler: it finds
//! the route's entry (anything else is refused — deny by default), checks the bearer
//! token and its scopes, and stores the caller in the request for handlers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use rampart_schema::ErrorCode;
use rampart_store::{Scope, TokenInfo};

use crate::{ApiError, AppState};

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No credential: only liveness, which reveals nothing.
    Public,
    /// A token with this scope (an admin token has every scope).
    Scope(Scope),
}

/// Who may call each route: (method, path pattern) → access.
#[derive(Debug, Default)]
pub struct Policy(HashMap<(Method, &'static str), Access>);

impl Policy {
    pub(crate) fn insert(&mut self, method: Method, path: &'static str, access: Access) {
        self.0.insert((method, path), access);
    }

    pub fn required(&self, method: &Method, path: &str) -> Option<Access> {
        self.0.iter().find(|((m, p), _)| m == method && *p == path).map(|(_, &a)| a)
    }

    /// Every route with its access, sorted by path (for docs and tests).
    pub fn entries(&self) -> Vec<(Method, &'static str, Access)> {
        let mut v: Vec<_> = self.0.iter().map(|((m, p), a)| (m.clone(), *p, *a)).collect();
        v.sort_by(|a, b| (a.1, a.0.as_str()).cmp(&(b.1, b.0.as_str())));
        v
    }
}

/// The authenticated caller, available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: TokenInfo,
}

pub async fn authorize(
    State((state, policy)): State<(Arc<AppState>, Arc<Policy>)>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(path) = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()) else {
        return Err(ApiError::new(ErrorCode::NotFound, "no such route"));
    };
    let access = policy.required(request.method(), &path).ok_or_else(|| {
        tracing::error!(method = %request.method(), %path, "route has no access policy; refusing");
        ApiError::new(ErrorCode::Forbidden, "this route has no access policy")
    })?;
    let Access::Scope(scope) = access else {
        return Ok(next.run(request).await);
    };
    let secret = bearer(&request).ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "sign in: send 'Authorization: Bearer <token>'"))?;
    let token = state.tokens.verify(&state.store, secret).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::Unauthenticated, "the token is unknown or revoked")
    })?;
    if !token.allows(scope) {
        return Err(ApiError::new(ErrorCode::Forbidden, format!("this token lacks the '{}' scope", scope.name())));
    }
    request.extensions_mut().insert(Caller { token });
    Ok(next.run(request).await)
}

fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (kind, token) = value.split_once(' ')?;
    kind.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Verified tokens, remembered briefly so a busy ingest stream does not query the
/// store per request. A revoked token stops working within [`TokenCache::TTL`].
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (TokenInfo, Instant)>>,
    touched: Mutex<HashMap<String, Instant>>,
}

impl TokenCache {
    pub const TTL: Duration = Duration::from_secs(10);
    const TOUCH_EVERY: Duration = Duration::from_secs(60);

    async fn verify(&self, store: &rampart_store::Store, secret: &str) -> Result<Option<TokenInfo>, ApiError> {
        let cached = lock(&self.entries).get(secret).filter(|(_, at)| at.elapsed() < Self::TTL).map(|(t, _)| t.clone());
        let token = match cached {
            Some(t) => Some(t),
            None => {
                let found = store.verify_token(secret).await?;
                let mut entries = lock(&self.entries);
                entries.retain(|_, (_, at)| at.elapsed() < Self::TTL);
                if let Some(t) = &found {
                    entries.insert(secret.to_string(), (t.clone(), Instant::now()));
                }
                found
            }
        };
        if let Some(t) = &token {
            let due = {
                let mut touched = lock(&self.touched);
                let due = touched.get(&t.id).is_none_or(|at| at.elapsed() >= Self::TOUCH_EVERY);
                if due {
                    touched.insert(t.id.clone(), Instant::now());
                }
                due
            };
            if due {
                store.touch_token(&t.id, chrono::Utc::now().timestamp_micros()).await?;
            }
        }
        Ok(token)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
