//! A dialect's keys while one is being rotated out: the key that signs, and older keys
//! that still verify the tokens they signed until the operator retires them.
//!
//! Rotation never logs anyone out: after a reload with a new signing key and the old one
//! listed in `verify_keys`, tokens of both verify; dropping the old key from the list (or
//! marking it `retired`) and reloading refuses its tokens at once, because every reload
//! starts with an empty verifier cache.

use std::sync::Arc;

use super::{Key, KeyError};

/// The signing key first, then the verify-only keys in configuration order.
#[derive(Clone, Debug)]
pub struct KeyRing {
    keys: Vec<Arc<Key>>,
}

impl KeyRing {
    pub fn new(signing: Arc<Key>, verify_only: Vec<Arc<Key>>) -> Self {
        let mut keys = Vec::with_capacity(1 + verify_only.len());
        keys.push(signing);
        keys.extend(verify_only);
        Self { keys }
    }

    pub fn single(signing: Arc<Key>) -> Self {
        Self::new(signing, Vec::new())
    }

    pub fn signing(&self) -> &Arc<Key> {
        &self.keys[0]
    }

    /// Every key that verifies, the signing key first.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Key>> {
        self.keys.iter()
    }

    /// The keys that may have signed a token whose header names `kid`: that key alone
    /// when the ring has it, every key otherwise. A `kid` is only ever a lookup among
    /// configured keys; tokens issued before a rotation carry none.
    pub fn candidates<'a>(&'a self, kid: Option<&str>) -> &'a [Arc<Key>] {
        match kid.and_then(|kid| self.keys.iter().position(|k| k.id() == kid)) {
            Some(i) => &self.keys[i..=i],
            None => &self.keys,
        }
    }

    /// True while older keys still verify: tokens then name their key in `kid`.
    pub fn is_rotating(&self) -> bool {
        self.keys.len() > 1
    }

    /// The header to sign under: `layout` (a dialect's documented header JSON object)
    /// as it is, or, while rotating, with the signing key's `kid` appended as its last
    /// member, where PyJWT and JJWT put extra header fields.
    pub fn header(&self, layout: String) -> String {
        if !self.is_rotating() {
            return layout;
        }
        let Some(body) = layout.strip_suffix('}') else {
            return layout;
        };
        let kid = serde_json::Value::from(self.signing().id()).to_string();
        let separator = if body.trim_end().ends_with('{') {
            ""
        } else {
            ","
        };
        format!("{body}{separator}\"kid\":{kid}}}")
    }

    /// Signs `claims` with the signing key under [`KeyRing::header`]`(layout)`.
    pub fn sign_with_layout<T: serde::Serialize>(
        &self,
        layout: String,
        claims: &T,
    ) -> Result<String, KeyError> {
        self.signing()
            .sign_with_header_json(&self.header(layout), claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyMaterial;
    use jsonwebtoken::Algorithm;

    fn key(id: &str) -> Arc<Key> {
        Arc::new(Key::new(id, Algorithm::HS256, KeyMaterial::Hmac(Some(&[9u8; 32]))).unwrap())
    }

    #[test]
    fn a_single_key_keeps_the_documented_header() {
        let ring = KeyRing::single(key("a"));
        assert!(!ring.is_rotating());
        assert_eq!(
            ring.header(r#"{"alg":"HS256"}"#.into()),
            r#"{"alg":"HS256"}"#
        );
        assert_eq!(ring.candidates(Some("zzz")).len(), 1);
    }

    #[test]
    fn while_rotating_tokens_name_the_signing_key() {
        let ring = KeyRing::new(key("new \"2027\""), vec![key("old")]);
        assert_eq!(
            ring.header(r#"{"typ":"JWT","alg":"HS256"}"#.into()),
            r#"{"typ":"JWT","alg":"HS256","kid":"new \"2027\""}"#
        );
        assert_eq!(ring.header("{}".into()), r#"{"kid":"new \"2027\""}"#);
        let ids = |keys: &[Arc<Key>]| keys.iter().map(|k| k.id().to_owned()).collect::<Vec<_>>();
        assert_eq!(ids(ring.candidates(Some("old"))), ["old"]);
        assert_eq!(ids(ring.candidates(None)), ["new \"2027\"", "old"]);
        assert_eq!(
            ids(ring.candidates(Some("unknown"))),
            ["new \"2027\"", "old"]
        );
    }
}
