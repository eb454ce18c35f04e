//! Apache htpasswd files as a user source.
//!
//! Decisions taken here:
//! - Only bcrypt entries (`htpasswd -B`, `$2y$`, and `$2a$`/`$2b$` from other tools) are
//!   accepted. `$apr1$`, `{SHA}`, sha-crypt, DES crypt and plain-text entries are refused
//!   at load with the line number and the format seen: they are either unsalted, fast, or
//!   not hashes at all, and failing the whole file beats silently locking those users out.
//!   Other hash families we verify elsewhere (argon2, Django's pbkdf2, bcrypt_sha256 and
//!   scrypt) are refused here too: no Apache tool writes them, so finding one means the
//!   file is not what it claims.
//! - Errors never contain the hash or the rest of the line (a line without `:` may well be
//!   a pasted password); only the line number, the format name and, for duplicates, the
//!   user name.
//! - A user name appearing twice is an error naming both lines: Apache would silently use
//!   the first, and an operator editing the second would wonder why nothing changed.
//! - Lines are trimmed at both ends (CRLF files, stray indentation); blank lines and lines
//!   whose first non-blank character is `#` are skipped. The user name is everything before
//!   the first `:`, taken as is.

use super::hash::{HashFormatError, PasswordHash};

/// A refused htpasswd file, with the 1-based line that made it so. Displays as
/// `line 3: …`.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("line {line}: {kind}")]
pub struct HtpasswdError {
    pub line: usize,
    pub kind: HtpasswdErrorKind,
}

/// What was wrong with an htpasswd line.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum HtpasswdErrorKind {
    #[error("expected `user:hash` (no ':' found)")]
    MissingSeparator,
    #[error("empty user name")]
    EmptyUsername,
    #[error("empty password hash")]
    EmptyHash,
    #[error("{0} entries are not supported; only bcrypt (htpasswd -B)")]
    Unsupported(&'static str),
    #[error(transparent)]
    Hash(#[from] HashFormatError),
    #[error("duplicate user {username:?} (first on line {first_line})")]
    Duplicate { username: String, first_line: usize },
}

/// Parses an htpasswd file into `(user name, hash)` pairs in file order. Only bcrypt
/// entries are accepted; see the module doc for what is refused and why.
pub fn parse_htpasswd(text: &str) -> Result<Vec<(String, PasswordHash)>, HtpasswdError> {
    let mut entries: Vec<(String, PasswordHash)> = Vec::new();
    let mut lines_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let fail = |kind| HtpasswdError { line, kind };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (username, stored) = trimmed
            .split_once(':')
            .ok_or_else(|| fail(HtpasswdErrorKind::MissingSeparator))?;
        if username.is_empty() {
            return Err(fail(HtpasswdErrorKind::EmptyUsername));
        }
        let hash = parse_entry(stored).map_err(fail)?;
        if let Some(&first_line) = lines_of.get(username) {
            return Err(fail(HtpasswdErrorKind::Duplicate {
                username: username.to_owned(),
                first_line,
            }));
        }
        lines_of.insert(username, line);
        entries.push((username.to_owned(), hash));
    }
    Ok(entries)
}

fn parse_entry(stored: &str) -> Result<PasswordHash, HtpasswdErrorKind> {
    if stored.trim().is_empty() {
        return Err(HtpasswdErrorKind::EmptyHash);
    }
    match PasswordHash::parse(stored) {
        Ok(hash) if hash.scheme() == "bcrypt" => Ok(hash),
        Ok(hash) => Err(HtpasswdErrorKind::Unsupported(hash.scheme())),
        Err(HashFormatError::Unsupported(name)) => Err(HtpasswdErrorKind::Unsupported(name)),
        Err(HashFormatError::Unrecognised) => {
            Err(HtpasswdErrorKind::Unsupported(guess_legacy_format(stored)))
        }
        Err(other) => Err(HtpasswdErrorKind::Hash(other)),
    }
}

/// Names what an unrecognised htpasswd entry probably is. Plain text cannot be told apart
/// from a DES hash with certainty, hence the hedged names.
fn guess_legacy_format(stored: &str) -> &'static str {
    let crypt_alphabet = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '/';
    let stored = stored.trim();
    if stored.len() == 13 && stored.chars().all(crypt_alphabet) {
        "des crypt (or 13-character plain text)"
    } else if stored.len() == 20
        && stored.starts_with('_')
        && stored.chars().skip(1).all(crypt_alphabet)
    {
        "bsdi extended des crypt"
    } else {
        "plain text or unrecognised"
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    // htpasswd -nbB -C 4 alice 'correct horse'   (apache2-utils 2.4)
    const ALICE: &str = "alice:$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq";
    // htpasswd -nbB -C 5 bob 'pässwörd'
    const BOB: &str = "bob:$2y$05$7pZQTJHPgqn4zrwnlNEGpOKgi4GBTETPvJVPKn.gKYA1UcSpF.7Bm";
    // mkpasswd -m bcrypt -R 5 'correct horse'   (libxcrypt), user name added by hand
    const CAROL_2B: &str = "carol:$2b$05$T/0LHSNtVuLmLfihuAYMCOZwFel9l6Zw1zre7RWb8hZDMjBLokszi";
    // htpasswd -nbm md5user 'correct horse'
    const APR1: &str = "md5user:$apr1$q7WZrXW7$7Edpm8jLEMGyvNezVRC/l.";
    // htpasswd -nbs shauser 'correct horse'
    const SHA: &str = "shauser:{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=";
    // htpasswd -nbd cryptuser 'correct'
    const CRYPT: &str = "cryptuser:bnQENuMFTWdhk";
    // htpasswd -nbp plainuser 'correct horse'
    const PLAIN: &str = "plainuser:correct horse";
    // htpasswd -nb5 sha512user 'correct horse'
    const SHA512: &str = "sha512user:$6$KqksVDoXbsse9uhJ$GKrUgBOzaWC4M0CcuCNZPlSLo2aOJISPvSLLyp.hKYTdnJh2cqkfJRBYYdz/Z/RAa9b.xG0ang4bQRNMtoFtx/";
    // echo -n 'correct horse' | argon2 9d922cd720678b99 -id -k 1024 -t 1 -p 1 -e
    const ARGON2: &str = "dave:$argon2id$v=19$m=1024,t=1,p=1$OWQ5MjJjZDcyMDY3OGI5OQ$l0fAoGAs3pMEc/4OajYmng9Hqz4KZJS5wvwWmWd6QYg";

    #[test]
    fn parses_bcrypt_entries_skipping_blanks_and_comments() {
        let text = format!(
            "# made with htpasswd -B\n\n{ALICE}\r\n   \n  # indented comment\n{BOB}\n{CAROL_2B}"
        );
        let entries = parse_htpasswd(&text).unwrap();
        let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["alice", "bob", "carol"]);
        assert!(entries[0].1.verify(b"correct horse"));
        assert!(!entries[0].1.verify("pässwörd".as_bytes()));
        assert!(entries[1].1.verify("pässwörd".as_bytes()));
        assert!(entries[2].1.verify(b"correct horse"));
        assert!(entries.iter().all(|(_, hash)| hash.scheme() == "bcrypt"));
    }

    #[test]
    fn empty_file_is_empty() {
        assert!(parse_htpasswd("").unwrap().is_empty());
        assert!(parse_htpasswd("# nobody\n\n").unwrap().is_empty());
    }

    fn error(text: &str) -> HtpasswdError {
        parse_htpasswd(text).unwrap_err()
    }

    #[test]
    fn refuses_other_formats_naming_line_and_format() {
        let cases = [
            (APR1, "apr1"),
            (SHA, "{SHA}"),
            (CRYPT, "des crypt"),
            (PLAIN, "plain text"),
            (SHA512, "sha512-crypt"),
            (ARGON2, "argon2id"),
        ];
        for (entry, format) in cases {
            let text = format!("{ALICE}\n# comment\n{entry}\n{BOB}\n");
            let err = error(&text);
            assert_eq!(err.line, 3, "{entry}");
            assert!(matches!(err.kind, HtpasswdErrorKind::Unsupported(_)));
            let message = err.to_string();
            assert!(message.starts_with("line 3: "), "{message}");
            assert!(message.contains(format), "{message} should name {format}");
            let stored = entry.split_once(':').unwrap().1;
            assert!(!message.contains(stored), "{message} shows the hash");
            for part in stored.split('$').filter(|p| p.len() > 8) {
                assert!(!message.contains(part), "{message} shows {part}");
            }
        }
    }

    #[test]
    fn malformed_lines() {
        let err = error(&format!("{ALICE}\njust-a-password-pasted-here\n"));
        assert_eq!(err.line, 2);
        assert_eq!(err.kind, HtpasswdErrorKind::MissingSeparator);
        assert!(!err.to_string().contains("just-a-password"));

        let err = error(":$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq");
        assert_eq!(
            err,
            HtpasswdError {
                line: 1,
                kind: HtpasswdErrorKind::EmptyUsername
            }
        );

        let err = error("\n\nalice:\n");
        assert_eq!(
            err,
            HtpasswdError {
                line: 3,
                kind: HtpasswdErrorKind::EmptyHash
            }
        );
        assert_eq!(err.to_string(), "line 3: empty password hash");

        let err = error("alice:$2y$17$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq");
        assert_eq!(
            err.to_string(),
            "line 1: bcrypt cost 17 is out of bounds (4..=16)"
        );

        let err = error("alice:$2y$04$2nIagUtAOLZ0/Z7DYISSb.3Ajpu");
        assert!(matches!(
            err.kind,
            HtpasswdErrorKind::Hash(HashFormatError::Malformed { .. })
        ));
        assert!(err.to_string().starts_with("line 1: malformed bcrypt hash"));
        assert!(!err.to_string().contains("2nIagUtAOLZ0"));
    }

    #[test]
    fn duplicate_users_name_both_lines() {
        let err = error(&format!("{ALICE}\n{BOB}\n{ALICE}\n"));
        assert_eq!(err.line, 3);
        assert_eq!(
            err.to_string(),
            "line 3: duplicate user \"alice\" (first on line 1)"
        );
    }

    #[test]
    fn user_name_is_taken_up_to_the_first_colon() {
        let entries = parse_htpasswd(&format!("odd name{}", &ALICE["alice".len()..])).unwrap();
        assert_eq!(entries[0].0, "odd name");
    }
}
