//! `simplejwt`: djangorestframework-simplejwt 5.3.1 as seed 002 describes it.
//! (Being written: this placeholder only fixes the interface.)

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use super::{DialectContext, DialectRequest, Language};
use crate::keys::{Key, KeyError};
use crate::respond::LocalResponse;
use crate::users::User;

#[derive(Clone, Debug)]
pub struct Settings {
    pub token_path: String,
    pub refresh_path: String,
    pub verify_path: String,
    pub blacklist_path: String,
    pub key: Arc<Key>,
    pub access_lifetime: Duration,
    pub refresh_lifetime: Duration,
    pub rotate_refresh_tokens: bool,
    pub blacklist_after_rotation: bool,
    pub language: Language,
    pub leeway_secs: u64,
    pub max_token_bytes: usize,
}

impl Settings {
    pub const DEFAULT_TOKEN_PATH: &'static str = "/token/";
    pub const DEFAULT_REFRESH_PATH: &'static str = "/token/refresh/";
    pub const DEFAULT_VERIFY_PATH: &'static str = "/token/verify/";
    pub const DEFAULT_BLACKLIST_PATH: &'static str = "/token/blacklist/";
    pub const DEFAULT_ACCESS_LIFETIME: Duration = Duration::from_secs(60);
    pub const DEFAULT_REFRESH_LIFETIME: Duration = Duration::from_secs(24 * 3600);

    pub fn routes(&self) -> Vec<(String, Action)> {
        vec![
            (self.token_path.clone(), Action::Obtain),
            (self.refresh_path.clone(), Action::Refresh),
            (self.verify_path.clone(), Action::Verify),
            (self.blacklist_path.clone(), Action::Blacklist),
        ]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Obtain,
    Refresh,
    Verify,
    Blacklist,
}

pub fn too_large(_language: Language) -> LocalResponse {
    LocalResponse::empty(413)
}

pub fn issue_access(
    _settings: &Settings,
    _user: &User,
    _client_ip: IpAddr,
    _now: u64,
) -> Result<String, KeyError> {
    Err(KeyError::Signing("simplejwt is not implemented yet".into()))
}

pub async fn answer(
    _settings: &Settings,
    _action: Action,
    _request: &DialectRequest<'_>,
    _ctx: &DialectContext<'_>,
) -> LocalResponse {
    LocalResponse::empty(501)
}
