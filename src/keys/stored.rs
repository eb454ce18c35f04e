//! Keys gatehouse generated itself (nomic without a configured key), kept in the embedded
//! store's directory (`<[state] path>/keys/<id>.pem`, mode 0600) so that a restart, a
//! reload or `gatehouse token` keeps using the same key and its tokens stay valid.
//!
//! The file is created once: written to a temporary name, flushed to disk, then linked to
//! its final name, which fails if another process got there first (that process's key is
//! then used). A file that exists but is not a usable key is an error naming it: a new
//! key would silently invalidate every token signed with the old one.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonwebtoken::Algorithm;

use super::{generate_rsa_pem, Key, KeyMaterial};

/// The RSA key `id` kept in `dir`, generated (with `bits`) the first time.
pub fn rsa_key(
    dir: &Path,
    id: &str,
    algorithm: Algorithm,
    bits: usize,
) -> Result<Arc<Key>, String> {
    let path = key_path(dir, id);
    match read_key_file(&path) {
        Ok(pem) => return load(&path, id, algorithm, &pem),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    }
    let pem = generate_rsa_pem(bits).map_err(|e| format!("cannot generate an RSA key: {e}"))?;
    match create_once(&path, pem.as_bytes()) {
        Ok(()) => {
            log::info!(
                "generated an RSA-{bits} key {id:?}, kept in `{}`",
                path.display()
            );
            load(&path, id, algorithm, pem.as_bytes())
        }
        // Another process created it meanwhile: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let pem = read_key_file(&path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            load(&path, id, algorithm, &pem)
        }
        Err(e) => Err(format!("cannot write `{}`: {e}", path.display())),
    }
}

/// The key file, refused past 64 KiB (an RSA-4096 PEM is about 3 KiB).
fn read_key_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    const LIMIT: u64 = 64 * 1024;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(LIMIT + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > LIMIT {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "larger than 64 KiB",
        ));
    }
    Ok(bytes)
}

pub fn key_path(dir: &Path, id: &str) -> PathBuf {
    dir.join("keys").join(format!("{id}.pem"))
}

fn load(path: &Path, id: &str, algorithm: Algorithm, pem: &[u8]) -> Result<Arc<Key>, String> {
    let pem = zeroize::Zeroizing::new(pem.to_vec());
    Key::new(
        id,
        algorithm,
        KeyMaterial::Pem {
            private: Some(&pem),
            public: None,
        },
    )
    .map(Arc::new)
    .map_err(|e| format!("`{}` is not a usable key: {e}", path.display()))
}

fn create_once(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("key"),
        std::process::id()
    ));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::hard_link(&temporary, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    let _ = std::fs::remove_file(&temporary);
    written
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_key_is_generated_once_and_read_back_after() {
        let dir = tempfile::tempdir().unwrap();
        let first = rsa_key(dir.path(), "k", Algorithm::RS256, 1024).unwrap();
        let again = rsa_key(dir.path(), "k", Algorithm::RS256, 1024).unwrap();
        assert_eq!(
            first.public_jwk(),
            again.public_jwk(),
            "the same key both times"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(key_path(dir.path(), "k"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_damaged_key_file_is_an_error_naming_it_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = key_path(dir.path(), "k");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"not a key").unwrap();
        let error = rsa_key(dir.path(), "k", Algorithm::RS256, 1024).unwrap_err();
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"not a key",
            "left as it was"
        );
    }
}
