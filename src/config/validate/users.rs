//! `[[users]]` and `users_file`: every user parsed, hashed passwords checked, and
//! usernames, emails and ids unique across the inline list and the files.

use std::collections::HashSet;

use super::Validator;
use crate::config::error::{KeyPath, Problems};
use crate::config::schema::{RawConfig, RawUser, RawUsersFile};
use crate::config::secret::SecretSpec;
use crate::users::{parse_htpasswd, PasswordHash, User};

impl Validator<'_, '_> {
    pub(super) fn users(&mut self, raw: &RawConfig, root: &KeyPath) -> Vec<User> {
        let mut users = Vec::new();
        let mut seen = UserKeys::default();
        for (i, user) in raw.users.iter().enumerate() {
            if let Some(u) = self.user(user, &root.key("users").index(i), &mut seen) {
                users.push(u);
            }
        }
        let files = raw
            .users_file
            .as_ref()
            .map(|f| f.to_vec())
            .unwrap_or_default();
        for (i, file) in files.iter().enumerate() {
            let at = if matches!(
                raw.users_file,
                Some(crate::config::schema::OneOrMany::Many(_))
            ) {
                root.key("users_file").index(i)
            } else {
                root.key("users_file")
            };
            let full = self.base.join(file);
            let text = match crate::config::secret::read_bounded_text(&full) {
                Ok(text) => text,
                Err(e) => {
                    self.problems
                        .at(&at, format!("cannot read `{}`: {e}", full.display()));
                    continue;
                }
            };
            if file.ends_with(".toml") {
                let display = full.display().to_string();
                let mut inner = Problems::new(&display, &text);
                let parsed: Result<RawUsersFile, _> = toml::from_str(&text);
                match parsed {
                    Ok(parsed) => {
                        let base = full.parent().unwrap_or(self.base).to_path_buf();
                        let mut nested_warnings = Vec::new();
                        let mut nested = Validator {
                            problems: &mut inner,
                            base: &base,
                            env: self.env,
                            warnings: &mut nested_warnings,
                            retired_keys: HashSet::new(),
                        };
                        for (j, user) in parsed.users.iter().enumerate() {
                            if let Some(u) =
                                nested.user(user, &KeyPath::root().key("users").index(j), &mut seen)
                            {
                                users.push(u);
                            }
                        }
                        self.warnings.extend(nested_warnings);
                    }
                    Err(e) => inner.at_span(e.span(), e.message().trim_end().to_owned()),
                }
                self.problems.extend(inner);
            } else {
                match parse_htpasswd(&text) {
                    Ok(entries) => {
                        for (username, password) in entries {
                            if !seen.usernames.insert(username.clone()) {
                                self.problems
                                    .at(&at, format!("user {username:?} is defined twice"));
                                continue;
                            }
                            users.push(User {
                                username,
                                id: None,
                                email: None,
                                roles: Vec::new(),
                                active: true,
                                password,
                            });
                        }
                    }
                    Err(e) => self.problems.at(&at, format!("`{}` {e}", full.display())),
                }
            }
        }
        users
    }

    fn user(&mut self, raw: &RawUser, at: &KeyPath, seen: &mut UserKeys) -> Option<User> {
        let mut ok = true;
        if raw.username.is_empty()
            || raw.username.contains(':')
            || raw.username.chars().any(char::is_control)
        {
            self.problems.at(
                &at.key("username"),
                "must be non-empty, without `:` or control characters",
            );
            ok = false;
        } else if !seen.usernames.insert(raw.username.clone()) {
            self.problems.at(
                &at.key("username"),
                format!("user {:?} is defined twice", raw.username),
            );
            ok = false;
        }
        if let Some(id) = raw.id {
            if !seen.ids.insert(id) {
                self.problems
                    .at(&at.key("id"), format!("user id {id} is used twice"));
                ok = false;
            }
        }
        if let Some(email) = &raw.email {
            if !email.contains('@') || email.chars().any(|c| c.is_control() || c == ',') {
                self.problems
                    .at(&at.key("email"), "is not an email address");
                ok = false;
            } else if !seen.emails.insert(email.clone()) {
                self.problems
                    .at(&at.key("email"), format!("email {email:?} is used twice"));
                ok = false;
            }
        }
        for (i, role) in raw.roles.iter().enumerate() {
            if role.is_empty()
                || role.contains(',')
                || role.chars().any(|c| c.is_control() || c.is_whitespace())
            {
                self.problems.at(
                    &at.key("roles").index(i),
                    "roles are non-empty, without commas, spaces or control characters",
                );
                ok = false;
            }
        }
        let spec = SecretSpec {
            inline: raw.password_hash.as_deref(),
            env: raw.password_hash_env.as_deref(),
            file: raw.password_hash_file.as_deref(),
        };
        // Password hashes are meant to be stored; inline ones get no warning.
        let hash = match spec.resolve("password_hash", self.base, self.env) {
            Ok(Some(secret)) => {
                let text = String::from_utf8_lossy(secret.expose()).into_owned();
                match PasswordHash::parse(text.trim()) {
                    Ok(hash) => Some(hash),
                    Err(e) => {
                        self.problems.at(&at.key("password_hash"), e.to_string());
                        None
                    }
                }
            }
            Ok(None) => {
                self.problems.at(
                    &at.key("username"),
                    "user has no `password_hash` (or `password_hash_env` / `password_hash_file`)",
                );
                None
            }
            Err(e) => {
                self.problems.at(&at.key("password_hash"), e.to_string());
                None
            }
        };
        let password = hash?;
        ok.then(|| User {
            username: raw.username.clone(),
            id: raw.id,
            email: raw.email.clone(),
            roles: raw.roles.clone(),
            active: raw.active.unwrap_or(true),
            password,
        })
    }
}

#[derive(Default)]
struct UserKeys {
    usernames: HashSet<String>,
    emails: HashSet<String>,
    ids: HashSet<i64>,
}
