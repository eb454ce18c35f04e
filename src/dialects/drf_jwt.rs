//! `drf_jwt`: djangorestframework-jwt 1.9.0 as seed 003 describes it.
//! (Being written: this placeholder only fixes the interface.)

use std::sync::Arc;
use std::time::Duration;

use super::{DialectContext, DialectRequest, Language};
use crate::keys::{Key, KeyError};
use crate::respond::LocalResponse;
use crate::users::User;

#[derive(Clone, Debug)]
pub struct Settings {
    pub auth_path: String,
    pub refresh_path: String,
    pub verify_path: String,
    pub key: Arc<Key>,
    /// JWT_EXPIRATION_DELTA.
    pub lifetime: Duration,
    /// JWT_REFRESH_EXPIRATION_DELTA, counted from `orig_iat`.
    pub refresh_window: Duration,
    /// JWT_ALLOW_REFRESH.
    pub allow_refresh: bool,
    pub language: Language,
    pub leeway_secs: u64,
    pub max_token_bytes: usize,
}

impl Settings {
    pub const DEFAULT_AUTH_PATH: &'static str = "/api-token-auth/";
    pub const DEFAULT_REFRESH_PATH: &'static str = "/api-token-refresh/";
    pub const DEFAULT_VERIFY_PATH: &'static str = "/api-token-verify/";
    pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
    pub const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);

    pub fn routes(&self) -> Vec<(String, Action)> {
        vec![
            (self.auth_path.clone(), Action::Obtain),
            (self.refresh_path.clone(), Action::Refresh),
            (self.verify_path.clone(), Action::Verify),
        ]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Obtain,
    Refresh,
    Verify,
}

pub fn too_large() -> LocalResponse {
    LocalResponse::empty(413)
}

pub fn issue(_settings: &Settings, _user: &User, _now: u64) -> Result<String, KeyError> {
    Err(KeyError::Signing("drf_jwt is not implemented yet".into()))
}

pub async fn answer(
    _settings: &Settings,
    _action: Action,
    _request: &DialectRequest<'_>,
    _ctx: &DialectContext<'_>,
) -> LocalResponse {
    LocalResponse::empty(501)
}
