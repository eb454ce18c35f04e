//! `[dialects.simplejwt]`: the table as written, its validation into [`Settings`], and
//! the dialect's [`Api`] face to the registry.

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use serde::Deserialize;

use super::{answer, issue_access, too_large, Settings};
use crate::dialects::{
    Action, Api, DialectContext, DialectRequest, Language, Registration, TableReader,
};
use crate::keys::{KeyError, KeyRing};
use crate::respond::LocalResponse;
use crate::users::User;
use crate::verifier::jwt::{ClaimProfile, UserClaim};

pub const REGISTRATION: Registration = Registration {
    name: "simplejwt",
    configure,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    path: Option<String>,
    refresh_path: Option<String>,
    verify_path: Option<String>,
    blacklist_path: Option<String>,
    key: String,
    verify_keys: Option<Vec<String>>,
    access_lifetime: Option<String>,
    refresh_lifetime: Option<String>,
    rotate_refresh_tokens: Option<bool>,
    blacklist_after_rotation: Option<bool>,
    language: Option<String>,
}

fn configure(table: &toml::Table, config: &mut dyn TableReader) -> Option<Arc<dyn Api>> {
    type S = Settings;
    let raw: Raw = config.raw(table)?;
    let endpoints = config.paths(&[
        ("path", raw.path.as_deref(), S::DEFAULT_TOKEN_PATH),
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
        (
            "blacklist_path",
            raw.blacklist_path.as_deref(),
            S::DEFAULT_BLACKLIST_PATH,
        ),
    ]);
    let keys = config.keys(&raw.key, raw.verify_keys.as_deref());
    let access_lifetime = config.duration(
        "access_lifetime",
        raw.access_lifetime.as_deref(),
        S::DEFAULT_ACCESS_LIFETIME,
    );
    let refresh_lifetime = config.duration(
        "refresh_lifetime",
        raw.refresh_lifetime.as_deref(),
        S::DEFAULT_REFRESH_LIFETIME,
    );
    let language = config.language("language", raw.language.as_deref(), Language::Ru);
    let [token, refresh, verify, blacklist] = <[String; 4]>::try_from(endpoints?).ok()?;
    Some(Arc::new(Settings {
        token_path: token,
        refresh_path: refresh,
        verify_path: verify,
        blacklist_path: blacklist,
        keys: keys?,
        access_lifetime,
        refresh_lifetime,
        rotate_refresh_tokens: raw.rotate_refresh_tokens.unwrap_or(false),
        blacklist_after_rotation: raw.blacklist_after_rotation.unwrap_or(false),
        language,
        leeway_secs: config.leeway_secs(),
        max_token_bytes: config.max_token_bytes(),
    }))
}

#[async_trait]
impl Api for Settings {
    fn endpoints(&self) -> Vec<(String, Action)> {
        self.routes()
    }

    fn too_large(&self, _now: SystemTime) -> LocalResponse {
        too_large(self.language)
    }

    async fn answer(
        &self,
        action: Action,
        request: &DialectRequest<'_>,
        ctx: &DialectContext<'_>,
    ) -> LocalResponse {
        answer(self, action, request, ctx).await
    }

    /// Access tokens only (`token_type` is `access`): a refresh token never opens
    /// proxied traffic. `user_id` is an integer.
    fn acceptance(&self) -> (&KeyRing, ClaimProfile) {
        (
            &self.keys,
            ClaimProfile::new(REGISTRATION.name, UserClaim::UserId).with_token_type("access"),
        )
    }

    /// The access token a login from the local host would get.
    fn issue(&self, user: &User, now: u64) -> Result<String, KeyError> {
        issue_access(self, user, std::net::Ipv4Addr::LOCALHOST.into(), now)
    }

    fn longest_lifetime(&self) -> std::time::Duration {
        self.access_lifetime.max(self.refresh_lifetime)
    }
}
