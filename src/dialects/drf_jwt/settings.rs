//! `[dialects.drf_jwt]`: the table as written, its validation into [`Settings`], and the
//! dialect's [`Api`] face to the registry.

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use serde::Deserialize;

use super::{answer, issue, too_large, Action as DrfJwtAction, Settings};
use crate::dialects::{
    Action, Api, DialectContext, DialectRequest, Language, Registration, TableReader,
};
use crate::keys::{KeyError, KeyRing};
use crate::respond::LocalResponse;
use crate::users::User;
use crate::verifier::jwt::{ClaimProfile, UserClaim};

pub const REGISTRATION: Registration = Registration {
    name: "drf_jwt",
    configure,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    path: Option<String>,
    refresh_path: Option<String>,
    verify_path: Option<String>,
    key: String,
    verify_keys: Option<Vec<String>>,
    lifetime: Option<String>,
    refresh_window: Option<String>,
    allow_refresh: Option<bool>,
    language: Option<String>,
}

fn configure(table: &toml::Table, config: &mut dyn TableReader) -> Option<Arc<dyn Api>> {
    type S = Settings;
    let raw: Raw = config.raw(table)?;
    let endpoints = config.paths(&[
        ("path", raw.path.as_deref(), S::DEFAULT_AUTH_PATH),
        (
            "refresh_path",
            raw.refresh_path.as_deref(),
            S::DEFAULT_REFRESH_PATH,
        ),
        (
            "verify_path",
            raw.verify_path.as_deref(),
            S::DEFAULT_VERIFY_PATH,
        ),
    ]);
    let keys = config.keys(&raw.key, raw.verify_keys.as_deref());
    let lifetime = config.duration("lifetime", raw.lifetime.as_deref(), S::DEFAULT_LIFETIME);
    let refresh_window = config.duration(
        "refresh_window",
        raw.refresh_window.as_deref(),
        S::DEFAULT_REFRESH_WINDOW,
    );
    let language = config.language("language", raw.language.as_deref(), Language::En);
    let [auth, refresh, verify] = <[String; 3]>::try_from(endpoints?).ok()?;
    Some(Arc::new(Settings {
        auth_path: auth,
        refresh_path: refresh,
        verify_path: verify,
        keys: keys?,
        lifetime,
        refresh_window,
        allow_refresh: raw.allow_refresh.unwrap_or(true),
        language,
        leeway_secs: config.leeway_secs(),
        max_token_bytes: config.max_token_bytes(),
    }))
}

#[async_trait]
impl Api for Settings {
    fn endpoints(&self) -> Vec<(String, Action)> {
        self.routes()
            .into_iter()
            .map(|(path, action)| {
                let action = match action {
                    DrfJwtAction::Obtain => Action::Obtain,
                    DrfJwtAction::Refresh => Action::Refresh,
                    DrfJwtAction::Verify => Action::Verify,
                };
                (path, action)
            })
            .collect()
    }

    fn too_large(&self, _now: SystemTime) -> LocalResponse {
        too_large()
    }

    async fn answer(
        &self,
        action: Action,
        request: &DialectRequest<'_>,
        ctx: &DialectContext<'_>,
    ) -> LocalResponse {
        let action = match action {
            Action::Obtain => DrfJwtAction::Obtain,
            Action::Refresh => DrfJwtAction::Refresh,
            Action::Verify => DrfJwtAction::Verify,
            // drf-jwt has no blacklist endpoint, so none is ever routed here.
            Action::Blacklist => return LocalResponse::empty(404),
        };
        answer(self, action, request, ctx).await
    }

    /// `username` names the user (as `jwt_get_username_from_payload` does).
    fn acceptance(&self) -> (&KeyRing, ClaimProfile) {
        (
            &self.keys,
            ClaimProfile::new(REGISTRATION.name, UserClaim::Username)
                .with_lifetime_without_iat(self.lifetime),
        )
    }

    fn issue(&self, user: &User, now: u64) -> Result<String, KeyError> {
        issue(self, user, now)
    }

    fn longest_lifetime(&self) -> std::time::Duration {
        self.lifetime
    }
}
