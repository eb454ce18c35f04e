//! Secret values from the configuration: inline, from an environment variable, or from a
//! file (a Kubernetes Secret mounted as a volume).
//!
//! A [`Secret`] never prints its bytes: `Debug` shows where it came from and its length.
//! Inline secrets are accepted, because demos and tests need them, but validation warns
//! about each one so that a production config keeps them out of the file.

use std::fmt;
use std::path::Path;

/// Secret bytes, redacted in every `Debug` output.
#[derive(Clone)]
pub struct Secret {
    bytes: Vec<u8>,
    origin: SecretOrigin,
}

/// Where a secret was read from (kept for messages; the value itself never is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretOrigin {
    Inline,
    Env(String),
    File(String),
}

impl Secret {
    pub fn new(bytes: Vec<u8>, origin: SecretOrigin) -> Self {
        Self { bytes, origin }
    }

    pub fn expose(&self) -> &[u8] {
        &self.bytes
    }

    pub fn origin(&self) -> &SecretOrigin {
        &self.origin
    }

    pub fn is_inline(&self) -> bool {
        self.origin == SecretOrigin::Inline
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Secret({:?}, {} bytes, <redacted>)",
            self.origin,
            self.bytes.len()
        )
    }
}

/// The three ways a secret can be written: `name`, `name_env`, `name_file`.
pub struct SecretSpec<'a> {
    pub inline: Option<&'a str>,
    pub env: Option<&'a str>,
    pub file: Option<&'a str>,
}

/// Why a secret could not be resolved. Messages name the variable or file, never a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("give only one of `{0}`, `{0}_env` and `{0}_file`")]
    Ambiguous(String),
    #[error("environment variable `{0}` is not set")]
    EnvMissing(String),
    #[error("environment variable `{0}` is empty")]
    EnvEmpty(String),
    #[error("cannot read `{path}`: {reason}")]
    FileUnreadable { path: String, reason: String },
    #[error("`{0}` is empty")]
    FileEmpty(String),
}

impl SecretSpec<'_> {
    pub fn is_given(&self) -> bool {
        self.inline.is_some() || self.env.is_some() || self.file.is_some()
    }

    /// Resolves the secret. `base` is the directory of the config file: relative file
    /// paths are read from there, so a config and its key files can move together.
    /// A trailing newline in a file is dropped (editors and `kubectl create secret` add one).
    pub fn resolve(
        &self,
        name: &str,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Secret>, SecretError> {
        let given = [
            self.inline.is_some(),
            self.env.is_some(),
            self.file.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(SecretError::Ambiguous(name.to_owned()));
        }
        if let Some(value) = self.inline {
            return Ok(Some(Secret::new(
                value.as_bytes().to_vec(),
                SecretOrigin::Inline,
            )));
        }
        if let Some(var) = self.env {
            let value = env(var).ok_or_else(|| SecretError::EnvMissing(var.to_owned()))?;
            if value.is_empty() {
                return Err(SecretError::EnvEmpty(var.to_owned()));
            }
            return Ok(Some(Secret::new(
                value.into_bytes(),
                SecretOrigin::Env(var.to_owned()),
            )));
        }
        if let Some(file) = self.file {
            let mut bytes = read_relative(base, file)?;
            while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                bytes.pop();
            }
            if bytes.is_empty() {
                return Err(SecretError::FileEmpty(file.to_owned()));
            }
            return Ok(Some(Secret::new(
                bytes,
                SecretOrigin::File(file.to_owned()),
            )));
        }
        Ok(None)
    }
}

/// Reads `file` relative to `base` (absolute paths are used as they are).
pub fn read_relative(base: &Path, file: &str) -> Result<Vec<u8>, SecretError> {
    let path = base.join(file);
    read_bounded(&path).map_err(|e| SecretError::FileUnreadable {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// The most a file named by the configuration (or the configuration itself) may hold.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a regular file of at most [`MAX_FILE_BYTES`]. Devices and FIFOs are refused
/// before they are opened: `/dev/zero` would never end and a FIFO would block a reload.
pub fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    check_regular(path)?;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024)),
        ));
    }
    Ok(bytes)
}

/// [`read_bounded`] as UTF-8 text.
pub fn read_bounded_text(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_bounded(path)?).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// Refuses anything but a regular file (symbolic links are followed, as Kubernetes
/// mounts Secrets and ConfigMaps through them).
pub fn check_regular(path: &Path) -> std::io::Result<()> {
    if std::fs::metadata(path)?.is_file() {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn only_bounded_regular_files_are_read() {
        let dir = std::env::temp_dir();
        for special in ["/dev/zero", "/dev/null", "/proc/self"] {
            let error = read_bounded(Path::new(special)).unwrap_err();
            assert_eq!(error.to_string(), "not a regular file", "{special}");
        }
        let file = dir.join(format!("gatehouse-bounded-{}", std::process::id()));
        std::fs::write(&file, b"secret").unwrap();
        assert_eq!(read_bounded(&file).unwrap(), b"secret");
        std::fs::remove_file(&file).unwrap();
    }

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new(b"hunter2-very-secret".to_vec(), SecretOrigin::Inline);
        let shown = format!("{secret:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("19 bytes"));
    }

    #[test]
    fn resolves_each_source_and_refuses_ambiguity() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("k"), "from-file\n").unwrap();
        let env = |name: &str| (name == "K").then(|| "from-env".to_owned());
        let spec = |inline, env, file| SecretSpec { inline, env, file };

        let s = spec(Some("inline"), None, None).resolve("secret", dir.path(), &env);
        assert_eq!(s.unwrap().unwrap().expose(), b"inline");
        let s = spec(None, Some("K"), None).resolve("secret", dir.path(), &env);
        assert_eq!(s.unwrap().unwrap().expose(), b"from-env");
        let s = spec(None, None, Some("k")).resolve("secret", dir.path(), &env);
        assert_eq!(s.unwrap().unwrap().expose(), b"from-file");

        let s = spec(Some("a"), Some("K"), None).resolve("secret", dir.path(), &env);
        assert_eq!(s.unwrap_err(), SecretError::Ambiguous("secret".into()));
        let s = spec(None, Some("NOPE"), None).resolve("secret", dir.path(), &no_env);
        assert_eq!(s.unwrap_err(), SecretError::EnvMissing("NOPE".into()));
        let s = spec(None, None, Some("missing")).resolve("secret", dir.path(), &env);
        assert!(matches!(s.unwrap_err(), SecretError::FileUnreadable { .. }));
        let s = spec(None, None, None).resolve("secret", dir.path(), &env);
        assert!(s.unwrap().is_none());
    }
}
