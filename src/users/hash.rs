//! Stored password hashes: parsing, verification, the timing dummy and `hash-password`.
//!
//! Decisions taken here:
//! - Three families are accepted, each parsed once (at config load) into its parts so a
//!   login only hashes and compares: argon2id/argon2i PHC strings (also in Django's
//!   `argon2$argon2id$…` spelling, the same string behind a prefix), bcrypt `$2a$`, `$2b$`
//!   and `$2y$`, and Django's `pbkdf2_sha256$…`. Everything else is refused by name where we
//!   can recognise it (`$apr1$`, `{SHA}`, md5/sha-crypt, yescrypt, argon2d, `$2x$`, the
//!   other Django hashers, Django's unusable `!` passwords), so an operator learns what to
//!   re-hash instead of seeing every login fail.
//! - Cost parameters are bounded at parse time (bcrypt cost 4..=16, pbkdf2 1..=10,000,000
//!   iterations, argon2 m ≤ 256 MiB, t ≤ 16, p ≤ 16): a hostile or mistyped config must not
//!   turn one login, or one unknown-user dummy check, into minutes of CPU.
//! - We derive the digest ourselves for every scheme and compare with `subtle`, so the
//!   comparison is constant time everywhere, not only where a library happens to do it.
//! - bcrypt hashes the password bytes plus a NUL terminator, cut to 72 bytes, as OpenBSD,
//!   libxcrypt and htpasswd do: bytes after the 72nd are ignored, so a long password hashed
//!   by any of those tools still verifies. A password containing a NUL byte never matches
//!   a bcrypt hash: C implementations stop at the NUL (so `abc\0x` would pass for `abc`),
//!   and bcrypt's cyclic key schedule makes NUL-separated repeats equal (`ab\0ab` is `ab`,
//!   `\0` is the empty password). passlib and pyca bcrypt < 4 refuse such passwords too;
//!   pyca bcrypt 4+ hashes them, and those rare hashes are locked out deliberately.
//!   The `$2a$`/`$2b$`/`$2y$` prefixes name the same algorithm for every password a correct
//!   implementation produced; `$2x$` (crypt_blowfish's bug-compatible mode) is refused.
//! - argon2d is refused: its password-dependent memory access leaks through side channels,
//!   so no password tool stores it by default and one in a config is a mistake. A PHC
//!   string without `v=` is version 0x10, as the reference implementation decodes it.
//! - Debug never shows the salt or digest, and no error echoes the stored string: errors
//!   name the scheme, the problem and, for bounds, the (non-secret) parameter value.
//! - The dummy for unknown users has the same scheme and cost but a random salt and a
//!   random digest rather than the hash of a random secret: verifying against it costs the
//!   same, no password matches it, and building it costs nothing at startup (a real cost-16
//!   bcrypt or 256 MiB argon2 hash would).

use std::fmt;

use argon2::password_hash::{PasswordHash as PhcString, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use rand::{Rng, RngCore};
use sha2::Sha256;
use subtle::ConstantTimeEq;

const BCRYPT_COST: (u32, u32) = (4, 16);
const PBKDF2_ITERATIONS: (u32, u32) = (1, 10_000_000);
/// In KiB, as in the PHC string; 262144 KiB = 256 MiB.
const ARGON2_M_COST: (u32, u32) = (8, 262_144);
const ARGON2_T_COST: (u32, u32) = (1, 16);
const ARGON2_P_COST: (u32, u32) = (1, 16);

/// bcrypt only ever reads this many key bytes (terminator included).
const BCRYPT_MAX_KEY: usize = 72;
const BCRYPT_SALT_LEN: usize = 16;
/// bcrypt's 24-byte output is stored without its last byte.
const BCRYPT_DIGEST_LEN: usize = 23;
const PBKDF2_DIGEST_LEN: usize = 32;

/// Why a stored hash was refused. Never carries the hash itself.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum HashFormatError {
    #[error("empty password hash")]
    Empty,
    #[error(
        "unrecognised password hash format (expected an argon2id or argon2i PHC string, \
         bcrypt $2a$/$2b$/$2y$, or django pbkdf2_sha256)"
    )]
    Unrecognised,
    #[error("unsupported password hash format: {0}")]
    Unsupported(&'static str),
    #[error("malformed {scheme} hash: {problem}")]
    Malformed {
        scheme: &'static str,
        problem: &'static str,
    },
    #[error("{scheme} {parameter} {value} is out of bounds ({min}..={max})")]
    OutOfBounds {
        scheme: &'static str,
        parameter: &'static str,
        value: u64,
        min: u64,
        max: u64,
    },
    /// Only from [`hash_password`]; the argon2 crate refuses nothing we give it, so this
    /// would mean the system random source failed or a library bug.
    #[error("password hashing failed")]
    HashingFailed,
}

/// A parsed stored password hash. `Debug` shows only the scheme.
#[derive(Clone)]
pub enum PasswordHash {
    Argon2(Argon2Hash),
    Bcrypt(BcryptHash),
    DjangoPbkdf2Sha256(Pbkdf2Hash),
}

/// The parts of an argon2 PHC string (opaque outside this module).
#[derive(Clone)]
pub struct Argon2Hash {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Vec<u8>,
    digest: Vec<u8>,
}

/// The parts of a `$2?$cc$…` bcrypt string (opaque outside this module).
#[derive(Clone)]
pub struct BcryptHash {
    cost: u32,
    salt: [u8; BCRYPT_SALT_LEN],
    digest: [u8; BCRYPT_DIGEST_LEN],
}

/// The parts of a Django `pbkdf2_sha256$…` string (opaque outside this module).
#[derive(Clone)]
pub struct Pbkdf2Hash {
    iterations: u32,
    /// Django uses the salt text's UTF-8 bytes as the salt, not a decoding of it.
    salt: String,
    digest: [u8; PBKDF2_DIGEST_LEN],
}

/// Everything that decides how long one verification takes; users whose hashes share it
/// cost the same to check, which is what the unknown-user dummy has to imitate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CostKey {
    Argon2 {
        scheme: &'static str,
        version: u32,
        m_cost: u32,
        t_cost: u32,
        p_cost: u32,
        output_len: usize,
    },
    Bcrypt {
        cost: u32,
    },
    Pbkdf2 {
        iterations: u32,
        // The salt shares HMAC blocks with the counter; a long one adds compression calls.
        salt_len: usize,
    },
}

impl PasswordHash {
    /// Parses a stored hash. Surrounding whitespace is ignored (no supported format
    /// contains any). Errors name the expected format or the parameter out of bounds and
    /// never echo the hash.
    pub fn parse(stored: &str) -> Result<Self, HashFormatError> {
        let stored = stored.trim();
        if stored.is_empty() {
            return Err(HashFormatError::Empty);
        }
        if let Some(name) = unsupported_format(stored) {
            return Err(HashFormatError::Unsupported(name));
        }
        if let Some(phc) = stored.strip_prefix("argon2") {
            // Django's Argon2PasswordHasher stores "argon2" + the PHC string.
            if phc.starts_with("$argon2") {
                return parse_argon2(phc).map(Self::Argon2);
            }
        }
        if stored.starts_with("$argon2") {
            return parse_argon2(stored).map(Self::Argon2);
        }
        if stored.starts_with("$2") {
            return parse_bcrypt(stored).map(Self::Bcrypt);
        }
        if let Some(rest) = stored.strip_prefix("pbkdf2_sha256$") {
            return parse_django_pbkdf2(rest).map(Self::DjangoPbkdf2Sha256);
        }
        Err(HashFormatError::Unrecognised)
    }

    /// Whether `password` matches. Blocking: runs the full hash. Any bytes are accepted
    /// (empty, non-UTF-8, any length) and never panic; see the module doc for bcrypt's
    /// 72-byte limit and NUL handling.
    pub fn verify(&self, password: &[u8]) -> bool {
        match self {
            Self::Argon2(h) => h.verify(password),
            Self::Bcrypt(h) => h.verify(password),
            Self::DjangoPbkdf2Sha256(h) => h.verify(password),
        }
    }

    /// A hash with the same scheme and cost parameters that no password matches, for
    /// equalising the time of unknown-user checks.
    pub fn dummy_like(&self) -> PasswordHash {
        let mut rng = rand::thread_rng();
        match self {
            Self::Argon2(h) => {
                let mut salt = vec![0u8; h.salt.len()];
                let mut digest = vec![0u8; h.digest.len()];
                rng.fill_bytes(&mut salt);
                rng.fill_bytes(&mut digest);
                Self::Argon2(Argon2Hash {
                    algorithm: h.algorithm,
                    version: h.version,
                    params: h.params.clone(),
                    salt,
                    digest,
                })
            }
            Self::Bcrypt(h) => {
                let mut salt = [0u8; BCRYPT_SALT_LEN];
                let mut digest = [0u8; BCRYPT_DIGEST_LEN];
                rng.fill_bytes(&mut salt);
                rng.fill_bytes(&mut digest);
                Self::Bcrypt(BcryptHash {
                    cost: h.cost,
                    salt,
                    digest,
                })
            }
            Self::DjangoPbkdf2Sha256(h) => {
                let salt = (&mut rng)
                    .sample_iter(rand::distributions::Alphanumeric)
                    .take(h.salt.len())
                    .map(char::from)
                    .collect();
                let mut digest = [0u8; PBKDF2_DIGEST_LEN];
                rng.fill_bytes(&mut digest);
                Self::DjangoPbkdf2Sha256(Pbkdf2Hash {
                    iterations: h.iterations,
                    salt,
                    digest,
                })
            }
        }
    }

    /// A dummy like [`hash_password`]'s output, for a store with no users to imitate.
    pub(crate) fn default_dummy() -> PasswordHash {
        // Built from parts rather than parsed so that it cannot fail.
        Self::Argon2(Argon2Hash {
            algorithm: Algorithm::Argon2id,
            version: Version::V0x13,
            params: Params::DEFAULT,
            salt: vec![0; 16],
            digest: vec![0; Params::DEFAULT_OUTPUT_LEN],
        })
        .dummy_like()
    }

    /// Short name for metrics and logs.
    pub fn scheme(&self) -> &'static str {
        match self {
            Self::Argon2(h) => argon2_scheme(h.algorithm),
            Self::Bcrypt(_) => "bcrypt",
            Self::DjangoPbkdf2Sha256(_) => "pbkdf2_sha256",
        }
    }

    pub(crate) fn cost_key(&self) -> CostKey {
        match self {
            Self::Argon2(h) => CostKey::Argon2 {
                scheme: argon2_scheme(h.algorithm),
                version: u32::from(h.version),
                m_cost: h.params.m_cost(),
                t_cost: h.params.t_cost(),
                p_cost: h.params.p_cost(),
                output_len: h.digest.len(),
            },
            Self::Bcrypt(h) => CostKey::Bcrypt { cost: h.cost },
            Self::DjangoPbkdf2Sha256(h) => CostKey::Pbkdf2 {
                iterations: h.iterations,
                salt_len: h.salt.len(),
            },
        }
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PasswordHash({}, <redacted>)", self.scheme())
    }
}

impl Argon2Hash {
    fn verify(&self, password: &[u8]) -> bool {
        let context = Argon2::new(self.algorithm, self.version, self.params.clone());
        let mut out = vec![0u8; self.digest.len()];
        // The only runtime failure left after parsing is a password over 4 GiB.
        match context.hash_password_into(password, &self.salt, &mut out) {
            Ok(()) => out.ct_eq(&self.digest).into(),
            Err(_) => false,
        }
    }
}

impl BcryptHash {
    fn verify(&self, password: &[u8]) -> bool {
        // Checked after hashing, so that a NUL costs the same time as a wrong password.
        let has_nul = password.contains(&0);
        // Same key as OpenBSD's bcrypt: the bytes and a terminator, at most 72 in all. This
        // also keeps `bcrypt::bcrypt`'s assertion (1..=72 bytes) true for any input.
        let key: Vec<u8> = password
            .iter()
            .copied()
            .chain(std::iter::once(0))
            .take(BCRYPT_MAX_KEY)
            .collect();
        let out = bcrypt::bcrypt(self.cost, self.salt, &key);
        let matches: bool = out[..BCRYPT_DIGEST_LEN].ct_eq(&self.digest).into();
        matches && !has_nul
    }
}

impl Pbkdf2Hash {
    fn verify(&self, password: &[u8]) -> bool {
        let mut out = [0u8; PBKDF2_DIGEST_LEN];
        pbkdf2::pbkdf2_hmac::<Sha256>(password, self.salt.as_bytes(), self.iterations, &mut out);
        out.ct_eq(&self.digest).into()
    }
}

/// argon2id PHC string with the argon2 crate's default (OWASP) parameters, m=19456 KiB,
/// t=2, p=1, and a random 16-byte salt; what `gatehouse hash-password` prints.
pub fn hash_password(password: &[u8]) -> Result<String, HashFormatError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password, &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| HashFormatError::HashingFailed)
}

fn argon2_scheme(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Argon2id => "argon2id",
        Algorithm::Argon2i => "argon2i",
        // Refused at parse time; named anyway so the match needs no panic.
        Algorithm::Argon2d => "argon2d",
    }
}

/// Formats we recognise but do not verify, by prefix. Checked before the supported ones so
/// that e.g. `$2x$` is named rather than reported as a malformed bcrypt hash.
fn unsupported_format(stored: &str) -> Option<&'static str> {
    const PREFIXES: &[(&str, &str)] = &[
        ("$apr1$", "apr1 (apache md5)"),
        ("{SHA}", "{SHA} (unsalted sha-1)"),
        ("{SSHA}", "{SSHA} (salted sha-1)"),
        ("$1$", "md5-crypt"),
        ("$md5", "sun md5-crypt"),
        ("$5$", "sha256-crypt"),
        ("$6$", "sha512-crypt"),
        ("$y$", "yescrypt"),
        ("$gy$", "gost-yescrypt"),
        ("$7$", "scrypt"),
        ("$2x$", "bcrypt $2x$ (crypt_blowfish bug-compatible mode)"),
        ("$2$", "bcrypt $2$ (original, pre-2a)"),
        ("$argon2d$", "argon2d"),
        ("argon2$argon2d$", "argon2d"),
        (
            "$pbkdf2",
            "passlib pbkdf2 (use django's pbkdf2_sha256$ format)",
        ),
        ("pbkdf2_sha1$", "django pbkdf2_sha1"),
        ("bcrypt_sha256$", "django bcrypt_sha256"),
        ("bcrypt$", "django bcrypt"),
        ("scrypt$", "django scrypt"),
        ("md5$", "django md5"),
        ("sha1$", "django sha1"),
        ("unsalted_md5$", "django unsalted_md5"),
        ("unsalted_sha1$", "django unsalted_sha1"),
        ("crypt$", "django crypt"),
        ("!", "django unusable password"),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| stored.starts_with(prefix))
        .map(|&(_, name)| name)
}

fn malformed(scheme: &'static str, problem: &'static str) -> HashFormatError {
    HashFormatError::Malformed { scheme, problem }
}

fn check_bounds(
    scheme: &'static str,
    parameter: &'static str,
    value: u32,
    (min, max): (u32, u32),
) -> Result<(), HashFormatError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(HashFormatError::OutOfBounds {
            scheme,
            parameter,
            value: value.into(),
            min: min.into(),
            max: max.into(),
        })
    }
}

fn parse_argon2(phc: &str) -> Result<Argon2Hash, HashFormatError> {
    const SCHEME: &str = "argon2";
    let parsed = PhcString::new(phc).map_err(|_| malformed(SCHEME, "not a valid PHC string"))?;
    let (algorithm, scheme) = match parsed.algorithm.as_str() {
        "argon2id" => (Algorithm::Argon2id, "argon2id"),
        "argon2i" => (Algorithm::Argon2i, "argon2i"),
        "argon2d" => return Err(HashFormatError::Unsupported("argon2d")),
        _ => return Err(HashFormatError::Unrecognised),
    };
    let version = match parsed.version {
        // The reference decoder reads a missing version as the original 0x10.
        None => Version::V0x10,
        Some(v) => {
            Version::try_from(v).map_err(|_| malformed(scheme, "unknown version (v=16 or v=19)"))?
        }
    };
    let decimal = |name: &str, missing: &'static str| {
        parsed
            .params
            .get_decimal(name)
            .ok_or_else(|| malformed(scheme, missing))
    };
    // Bounds first, so an absurd value is reported as such rather than as whatever the
    // argon2 crate would say about it.
    let m_cost = decimal("m", "missing or non-numeric m parameter")?;
    let t_cost = decimal("t", "missing or non-numeric t parameter")?;
    let p_cost = decimal("p", "missing or non-numeric p parameter")?;
    check_bounds(scheme, "memory cost (m, KiB)", m_cost, ARGON2_M_COST)?;
    check_bounds(scheme, "time cost (t)", t_cost, ARGON2_T_COST)?;
    check_bounds(scheme, "parallelism (p)", p_cost, ARGON2_P_COST)?;
    let params = Params::try_from(&parsed)
        .map_err(|_| malformed(scheme, "invalid parameters (argon2 needs m >= 8 * p)"))?;

    let salt = parsed
        .salt
        .ok_or_else(|| malformed(scheme, "missing salt"))?;
    let mut salt_buf = [0u8; 64];
    let salt = salt
        .decode_b64(&mut salt_buf)
        .map_err(|_| malformed(scheme, "salt is not valid base64"))?;
    if salt.len() < argon2::MIN_SALT_LEN {
        return Err(malformed(scheme, "salt shorter than 8 bytes"));
    }
    let digest = parsed
        .hash
        .ok_or_else(|| malformed(scheme, "missing hash"))?;
    Ok(Argon2Hash {
        algorithm,
        version,
        params,
        salt: salt.to_vec(),
        digest: digest.as_bytes().to_vec(),
    })
}

fn parse_bcrypt(stored: &str) -> Result<BcryptHash, HashFormatError> {
    const SCHEME: &str = "bcrypt";
    // `$2y$` + two-digit cost + `$` + 22 salt + 31 digest characters, all ASCII; checking
    // ASCII first makes every byte index below a char boundary.
    if !stored.is_ascii() || stored.len() != 60 {
        return Err(malformed(SCHEME, "expected 60 characters ($2y$cc$ + 53)"));
    }
    let prefix = stored.get(..4).unwrap_or_default();
    if !matches!(prefix, "$2a$" | "$2b$" | "$2y$") {
        return Err(HashFormatError::Unrecognised);
    }
    let cost_text = stored.get(4..6).unwrap_or_default();
    if !cost_text.bytes().all(|b| b.is_ascii_digit()) || stored.get(6..7) != Some("$") {
        return Err(malformed(SCHEME, "cost must be two digits followed by '$'"));
    }
    let cost: u32 = cost_text
        .parse()
        .map_err(|_| malformed(SCHEME, "cost must be two digits followed by '$'"))?;
    check_bounds(SCHEME, "cost", cost, BCRYPT_COST)?;
    // The crate's own alphabet, strict about padding and trailing bits, so a salt or digest
    // that does not round-trip is refused here rather than failing every login.
    let decode = |range: std::ops::Range<usize>| {
        stored
            .get(range)
            .and_then(|text| bcrypt::BASE_64.decode(text).ok())
    };
    let salt: [u8; BCRYPT_SALT_LEN] = decode(7..29)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| malformed(SCHEME, "salt is not 22 characters of bcrypt base64"))?;
    let digest: [u8; BCRYPT_DIGEST_LEN] = decode(29..60)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| malformed(SCHEME, "digest is not 31 characters of bcrypt base64"))?;
    Ok(BcryptHash { cost, salt, digest })
}

/// `rest` is what follows `pbkdf2_sha256$`: `<iterations>$<salt>$<base64 digest>`.
fn parse_django_pbkdf2(rest: &str) -> Result<Pbkdf2Hash, HashFormatError> {
    const SCHEME: &str = "pbkdf2_sha256";
    let mut parts = rest.split('$');
    let (Some(iterations), Some(salt), Some(digest), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(
            SCHEME,
            "expected pbkdf2_sha256$<iterations>$<salt>$<hash>",
        ));
    };
    if iterations.is_empty() || !iterations.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(SCHEME, "iterations is not a number"));
    }
    let iterations: u32 = match iterations.parse() {
        Ok(n) => n,
        // All digits, so only too large to fit: report it as over the bound.
        Err(_) => {
            return Err(HashFormatError::OutOfBounds {
                scheme: SCHEME,
                parameter: "iterations",
                value: u64::MAX,
                min: PBKDF2_ITERATIONS.0.into(),
                max: PBKDF2_ITERATIONS.1.into(),
            })
        }
    };
    check_bounds(SCHEME, "iterations", iterations, PBKDF2_ITERATIONS)?;
    if salt.is_empty() {
        // Django refuses to encode with an empty salt, so one here is not Django's.
        return Err(malformed(SCHEME, "empty salt"));
    }
    let digest: [u8; PBKDF2_DIGEST_LEN] = base64::engine::general_purpose::STANDARD
        .decode(digest)
        .map_err(|_| malformed(SCHEME, "hash is not standard padded base64"))?
        .try_into()
        .map_err(|_| malformed(SCHEME, "hash is not 32 bytes"))?;
    Ok(Pbkdf2Hash {
        iterations,
        salt: salt.to_owned(),
        digest,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    // Every vector below was made by the tool named in the comment above it, never by this
    // code. Tools: apache2-utils 2.4 htpasswd, libxcrypt's mkpasswd (Debian `whois`),
    // pyca bcrypt 5.0.0, argon2 CLI 0~20190702 (Debian `argon2`, the reference
    // implementation), argon2-cffi 25.1.0, Django 5.2.19 (`settings.configure()`).
    // tests/captures/hashes/make-vectors.sh reruns them (new salts each time).

    // htpasswd -nbB -C 4 alice 'correct horse'
    const BCRYPT_2Y: &str = "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq";
    // htpasswd -nbB -C 5 bob 'pässwörd'   (UTF-8 password)
    const BCRYPT_2Y_UTF8: &str = "$2y$05$7pZQTJHPgqn4zrwnlNEGpOKgi4GBTETPvJVPKn.gKYA1UcSpF.7Bm";
    // htpasswd -nbB -C 4 long "$(printf 'a%.0s' $(seq 1 80))"   (80 × 'a')
    const BCRYPT_2Y_LONG: &str = "$2y$04$wq5x4PzuqRjuVJV11r4UCOEnq0Jh67XOJvTMAyJugnyYI3t..U5ZO";
    // htpasswd -nbB -C 4 empty ''
    const BCRYPT_2Y_EMPTY: &str = "$2y$04$ZELC7CILnFDkEZcDODdlSefs08kIALu7vfzb2EnCouEEn5J.a.sAu";
    // mkpasswd -m bcrypt-a -R 5 'correct horse'   (libxcrypt, C)
    const BCRYPT_2A_XCRYPT: &str = "$2a$05$c0UHO/Lr4M6V8UUTDTtkGuO2zX9VIuKf3QnmTS6HnBPWHvp7k6rdm";
    // mkpasswd -m bcrypt -R 5 'correct horse'   (libxcrypt, C)
    const BCRYPT_2B_XCRYPT: &str = "$2b$05$T/0LHSNtVuLmLfihuAYMCOZwFel9l6Zw1zre7RWb8hZDMjBLokszi";
    // printf 'abc' | mkpasswd -m bcrypt -R 5 -s   (libxcrypt, C)
    const BCRYPT_2B_ABC_XCRYPT: &str =
        "$2b$05$lqyWc2sEY7S4CfpMP00L5upsP16DZ2vrSySro5GsjavviA9lABH/O";
    // python -c "import bcrypt; print(bcrypt.hashpw(b'correct horse',
    //     bcrypt.gensalt(rounds=4, prefix=b'2a')).decode())"
    const BCRYPT_2A_PY: &str = "$2a$04$l0w1ofq14SrznhDGFJGG0uQb9xO3COW17FwzG4Dx85PsPz67duGCG";
    // python -c "import bcrypt; print(bcrypt.hashpw(b'correct horse',
    //     bcrypt.gensalt(rounds=4, prefix=b'2b')).decode())"
    const BCRYPT_2B_PY: &str = "$2b$04$b692dpfGfjj4upYUSiskcu7FqSD/M5rdJj0QSxEK9gJY3LZAtJq7C";
    // python -c "import bcrypt; print(bcrypt.hashpw(b'\xff\xfe\x80bytes',
    //     bcrypt.gensalt(rounds=4, prefix=b'2b')).decode())"   (non-UTF-8 password)
    const BCRYPT_2B_BYTES_PY: &str = "$2b$04$ICyOc.eX1FjjurZWwCwmCuxfGucjFxm9lS4tvn5lE5Bq/fkYYn.S6";
    // python -c "import bcrypt; print(bcrypt.hashpw(b'\xff\xfe\x00\x80bytes',
    //     bcrypt.gensalt(rounds=4, prefix=b'2b')).decode())"   (embedded NUL; pyca bcrypt
    //     5 allows it, we refuse it)
    const BCRYPT_2B_NUL_PY: &str = "$2b$04$INia3TblrdLC9ir6i8F.E.JcmZ6Ubau84tDHd.BBnZ/ae9m3nTCrm";

    // echo -n 'correct horse' | argon2 9d922cd720678b99 -id -k 1024 -t 1 -p 1 -e
    const ARGON2ID_CLI: &str = "$argon2id$v=19$m=1024,t=1,p=1$OWQ5MjJjZDcyMDY3OGI5OQ$l0fAoGAs3pMEc/4OajYmng9Hqz4KZJS5wvwWmWd6QYg";
    // echo -n 'correct horse' | argon2 c5a2d637dd22459c -i -k 1024 -t 1 -p 1 -e
    const ARGON2I_CLI: &str = "$argon2i$v=19$m=1024,t=1,p=1$YzVhMmQ2MzdkZDIyNDU5Yw$oMklCKx2KU2jW4Bmto+1mdW7l5CCUzufAYdLMdXMZ+M";
    // echo -n 'correct horse' | argon2 e048100b47e50e9b -i -k 1024 -t 1 -p 1 -v 10 -e
    const ARGON2I_V10_CLI: &str = "$argon2i$v=16$m=1024,t=1,p=1$ZTA0ODEwMGI0N2U1MGU5Yg$N9yJooUjE0TUdRFAkVt/v9UtwCUxSOJRXpeBVRPJUpo";
    // ARGON2I_V10_CLI with "v=16$" removed by hand; argon2-cffi's
    // PasswordHasher().verify(h, 'correct horse') accepts it (no version = 0x10).
    const ARGON2I_NO_VERSION: &str = "$argon2i$m=1024,t=1,p=1$ZTA0ODEwMGI0N2U1MGU5Yg$N9yJooUjE0TUdRFAkVt/v9UtwCUxSOJRXpeBVRPJUpo";
    // echo -n 'correct horse' | argon2 9d1a4492e2adcf70 -id -k 1024 -t 1 -p 2 -l 16 -e
    const ARGON2ID_P2_L16_CLI: &str =
        "$argon2id$v=19$m=1024,t=1,p=2$OWQxYTQ0OTJlMmFkY2Y3MA$d//4f6hM5nwzu/uQYWpKaQ";
    // echo -n 'correct horse' | argon2 57a3f51eb18441b2 -d -k 1024 -t 1 -p 1 -e
    const ARGON2D_CLI: &str = "$argon2d$v=19$m=1024,t=1,p=1$NTdhM2Y1MWViMTg0NDFiMg$8n3AFXmwg20B4/Jz4Mr84AX1j4rO/Hy82y0MSSIoky4";
    // python -c "import argon2; print(argon2.PasswordHasher(time_cost=1, memory_cost=1024,
    //     parallelism=1).hash('correct horse'))"
    const ARGON2ID_CFFI: &str = "$argon2id$v=19$m=1024,t=1,p=1$UWf74CpN0DyaP+JFOXS+9g$74qKqCxy6zu0Qh/sj5on137hrIvHfKlC93ZcsHNpdBk";
    // python -c "import argon2; print(argon2.PasswordHasher(time_cost=1, memory_cost=1024,
    //     parallelism=1, type=argon2.Type.I).hash('correct horse'))"
    const ARGON2I_CFFI: &str = "$argon2i$v=19$m=1024,t=1,p=1$xpJLLxExKx4CFSXlxDayqQ$NeEEyZnU2rMrK9yN9MaFo2AzyK8kFVyZgqKdA2S56Xw";
    // python -c "import argon2; print(argon2.PasswordHasher(time_cost=1, memory_cost=1024,
    //     parallelism=1).hash(b'\xff\xfe\x80bytes'))"   (non-UTF-8 password)
    const ARGON2ID_BYTES_CFFI: &str = "$argon2id$v=19$m=1024,t=1,p=1$xhRBdVL40oh0YhnVdHOBlA$hE6nKEASbLpOyLdYGe5A9Zxw7l7yCvLb/tvCipCX+YM";
    // python -c "import argon2; print(argon2.PasswordHasher(time_cost=1, memory_cost=1024,
    //     parallelism=1).hash(''))"
    const ARGON2ID_EMPTY_CFFI: &str = "$argon2id$v=19$m=1024,t=1,p=1$9WnyTVW6/UhAzNke+CosRg$eEtxNp2X7OKnig1UNqNELkVqUu/1AdVJLt5+YLFiCw4";
    // Django: class SmallArgon2(Argon2PasswordHasher): time_cost = 1; memory_cost = 1024;
    //     parallelism = 1
    // SmallArgon2().encode('correct horse', SmallArgon2().salt())
    const ARGON2ID_DJANGO: &str = "argon2$argon2id$v=19$m=1024,t=1,p=1$azlkelJOdERRTnNKQ0lNWWlPWHFneQ$0nEraCucOcgASkNXIutk35zcvL8vaYNygfRy10Z8q94";

    // Django: PBKDF2PasswordHasher().encode('correct horse', PBKDF2PasswordHasher().salt(),
    //     iterations=1000)
    const DJANGO_PBKDF2: &str =
        "pbkdf2_sha256$1000$dUQNLt6htvtCaUV20Zf6R8$kezQeo79JTn4B6MQrcWJOqoPKonxpJ4ZpI2HRgv/ZFA=";
    // Django: PBKDF2PasswordHasher().encode('pässwörd', PBKDF2PasswordHasher().salt(),
    //     iterations=1000)
    const DJANGO_PBKDF2_UTF8: &str =
        "pbkdf2_sha256$1000$9PUlKPDtCrzGdDIMWBJycP$fb6bP296GoDpoaYXd9DRu7peCKbwxlspmG8Ui0pT89k=";
    // Django: PBKDF2PasswordHasher().encode('', PBKDF2PasswordHasher().salt(), iterations=1000)
    const DJANGO_PBKDF2_EMPTY: &str =
        "pbkdf2_sha256$1000$lzY8XMEqLoDjryQUkue1Ug$NWnScfKRdS961tp/93JUUfXPxVH14DzG4Go7VRyVxKI=";

    fn parse(stored: &str) -> PasswordHash {
        PasswordHash::parse(stored).unwrap()
    }

    fn assert_verifies(stored: &str, right: &[u8], scheme: &str) {
        let hash = parse(stored);
        assert_eq!(hash.scheme(), scheme);
        assert!(hash.verify(right), "right password refused for {scheme}");
        let mut wrong = right.to_vec();
        wrong.push(b'x');
        assert!(!hash.verify(&wrong), "wrong password accepted for {scheme}");
        assert!(!hash.verify(b"correct horsf"));
        assert!(!hash.verify(b""), "empty password accepted for {scheme}");
    }

    #[test]
    fn bcrypt_from_htpasswd_2y() {
        assert_verifies(BCRYPT_2Y, b"correct horse", "bcrypt");
        assert_verifies(BCRYPT_2Y_UTF8, "pässwörd".as_bytes(), "bcrypt");
        assert!(!parse(BCRYPT_2Y_UTF8).verify(b"passwoerd"));
    }

    #[test]
    fn bcrypt_from_libxcrypt_2a_2b() {
        assert_verifies(BCRYPT_2A_XCRYPT, b"correct horse", "bcrypt");
        assert_verifies(BCRYPT_2B_XCRYPT, b"correct horse", "bcrypt");
    }

    #[test]
    fn bcrypt_from_python_2a_2b() {
        assert_verifies(BCRYPT_2A_PY, b"correct horse", "bcrypt");
        assert_verifies(BCRYPT_2B_PY, b"correct horse", "bcrypt");
        assert_verifies(BCRYPT_2B_BYTES_PY, b"\xff\xfe\x80bytes", "bcrypt");
    }

    #[test]
    fn bcrypt_empty_password() {
        let hash = parse(BCRYPT_2Y_EMPTY);
        assert!(hash.verify(b""));
        assert!(!hash.verify(b" "));
    }

    #[test]
    fn bcrypt_ignores_bytes_after_72() {
        let hash = parse(BCRYPT_2Y_LONG);
        assert!(hash.verify(&[b'a'; 80]));
        // Only the first 72 bytes are key material, as in every bcrypt.
        assert!(hash.verify(&[b'a'; 72]));
        let mut tail_differs = vec![b'a'; 72];
        tail_differs.extend_from_slice(b"anything else");
        assert!(hash.verify(&tail_differs));
        assert!(!hash.verify(&[b'a'; 71]));
        let mut early_differs = [b'a'; 80];
        early_differs[71] = b'b';
        assert!(!hash.verify(&early_differs));
        // Huge input neither panics nor matters beyond 72 bytes.
        assert!(hash.verify(&vec![b'a'; 1 << 20]));
    }

    #[test]
    fn bcrypt_refuses_passwords_with_nul() {
        let abc = parse(BCRYPT_2B_ABC_XCRYPT);
        assert!(abc.verify(b"abc"));
        // C's crypt stops at a NUL; the key schedule repeats the key with NULs between.
        for spelling in [&b"abc\0"[..], b"abc\0def", b"abc\0abc", b"abc\0abc\0abc"] {
            assert!(!abc.verify(spelling), "{spelling:?}");
        }
        let empty = parse(BCRYPT_2Y_EMPTY);
        assert!(empty.verify(b""));
        assert!(!empty.verify(b"\0"));
        assert!(!empty.verify(b"\0\0\0"));
        // Even the exact bytes a NUL-tolerant tool hashed.
        let nul = parse(BCRYPT_2B_NUL_PY);
        assert!(!nul.verify(b"\xff\xfe\x00\x80bytes"));
        assert!(!nul.verify(b"\xff\xfe"));
        // NUL after the 72nd byte is past what bcrypt reads, but still refused.
        let mut long = vec![b'a'; 80];
        long[75] = 0;
        assert!(!parse(BCRYPT_2Y_LONG).verify(&long));
    }

    #[test]
    fn argon2_from_reference_cli() {
        assert_verifies(ARGON2ID_CLI, b"correct horse", "argon2id");
        assert_verifies(ARGON2I_CLI, b"correct horse", "argon2i");
        assert_verifies(ARGON2I_V10_CLI, b"correct horse", "argon2i");
        assert_verifies(ARGON2I_NO_VERSION, b"correct horse", "argon2i");
        assert_verifies(ARGON2ID_P2_L16_CLI, b"correct horse", "argon2id");
    }

    #[test]
    fn argon2_from_argon2_cffi() {
        assert_verifies(ARGON2ID_CFFI, b"correct horse", "argon2id");
        assert_verifies(ARGON2I_CFFI, b"correct horse", "argon2i");
        assert_verifies(ARGON2ID_BYTES_CFFI, b"\xff\xfe\x80bytes", "argon2id");
        let empty = parse(ARGON2ID_EMPTY_CFFI);
        assert!(empty.verify(b""));
        assert!(!empty.verify(b"\0"));
    }

    #[test]
    fn argon2_from_django() {
        assert_verifies(ARGON2ID_DJANGO, b"correct horse", "argon2id");
    }

    #[test]
    fn django_pbkdf2() {
        assert_verifies(DJANGO_PBKDF2, b"correct horse", "pbkdf2_sha256");
        assert_verifies(DJANGO_PBKDF2_UTF8, "pässwörd".as_bytes(), "pbkdf2_sha256");
        let empty = parse(DJANGO_PBKDF2_EMPTY);
        assert!(empty.verify(b""));
        assert!(!empty.verify(b" "));
        assert!(!parse(DJANGO_PBKDF2).verify(b"\xff\xfe\x80"));
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert!(parse(&format!("  {BCRYPT_2Y}\n")).verify(b"correct horse"));
    }

    fn parse_err(stored: &str) -> HashFormatError {
        PasswordHash::parse(stored).unwrap_err()
    }

    #[test]
    fn garbage_is_unrecognised() {
        assert_eq!(parse_err(""), HashFormatError::Empty);
        assert_eq!(parse_err("   "), HashFormatError::Empty);
        for garbage in [
            "correct horse",
            "$",
            "$$$",
            "5f4dcc3b5aa765d61d8327deb882cf99",
            "pbkdf2_sha512$1000$salt$aGFzaA==",
        ] {
            assert_eq!(
                parse_err(garbage),
                HashFormatError::Unrecognised,
                "{garbage}"
            );
        }
        // Recognisable families with broken bodies are reported as malformed.
        for broken in [
            "$argon2\u{e9}$",
            "$2y$04$short",
            "$2y$4$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdqx",
            "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5S!q",
            "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdé",
            "$argon2id$v=19$m=1024,t=1,p=1",
            "$argon2id$v=19$m=1024,t=1,p=1$OWQ5MjJjZDcyMDY3OGI5OQ",
            "$argon2id$v=19$t=1,p=1$OWQ5MjJjZDcyMDY3OGI5OQ$l0fAoGAs3pMEc/4OajYmng9Hqz4KZJS5wvwWmWd6QYg",
            "$argon2id$v=18$m=1024,t=1,p=1$OWQ5MjJjZDcyMDY3OGI5OQ$l0fAoGAs3pMEc/4OajYmng9Hqz4KZJS5wvwWmWd6QYg",
            "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$l0fAoGAs3pMEc/4OajYmng9Hqz4KZJS5wvwWmWd6QYg",
            "$argon2id$v=19$m=8,t=1,p=2$OWQ5MjJjZDcyMDY3OGI5OQ$l0fAoGAs3pMEc/4OajYmng9Hqz4KZJS5wvwWmWd6QYg",
            "pbkdf2_sha256$1000$salt",
            "pbkdf2_sha256$1000$salt$hash$extra",
            "pbkdf2_sha256$$salt$kezQeo79JTn4B6MQrcWJOqoPKonxpJ4ZpI2HRgv/ZFA=",
            "pbkdf2_sha256$-5$salt$kezQeo79JTn4B6MQrcWJOqoPKonxpJ4ZpI2HRgv/ZFA=",
            "pbkdf2_sha256$1000$$kezQeo79JTn4B6MQrcWJOqoPKonxpJ4ZpI2HRgv/ZFA=",
            "pbkdf2_sha256$1000$salt$kezQeo79JTn4B6MQrcWJOqoPKonxpJ4ZpI2HRgv/ZFA",
            "pbkdf2_sha256$1000$salt$aGFzaA==",
        ] {
            assert!(
                matches!(parse_err(broken), HashFormatError::Malformed { .. }),
                "{broken}: {:?}",
                parse_err(broken)
            );
        }
    }

    #[test]
    fn unsupported_formats_are_named() {
        let cases = [
            // htpasswd -nbm md5user 'correct horse'
            ("$apr1$q7WZrXW7$7Edpm8jLEMGyvNezVRC/l.", "apr1"),
            // htpasswd -nbs shauser 'correct horse'
            ("{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=", "{SHA}"),
            // openssl passwd -1 -salt saltsalt 'correct horse'
            ("$1$saltsalt$NuzA7WTAelpl95xgBGWN60", "md5-crypt"),
            // htpasswd -nb5 sha512user 'correct horse'
            ("$6$KqksVDoXbsse9uhJ$GKrUgBOzaWC4M0CcuCNZPlSLo2aOJISPvSLLyp.hKYTdnJh2cqkfJRBYYdz/Z/RAa9b.xG0ang4bQRNMtoFtx/", "sha512-crypt"),
            // htpasswd -nb2 sha256user 'correct horse'
            ("$5$Hm2YrjGZ2NtyfkNq$D9EMrupuqJYR8VDRQ//22FCP95/Xobu6tGAAK/muRP6", "sha256-crypt"),
            // mkpasswd -m yescrypt 'correct horse'
            ("$y$j9T$HBl0/KCgogK7tRJ/DMBJ81$ve8CdtxkyK2EF3mTmfM2CMa0w7sHb9v6ctTVSYQhyX6", "yescrypt"),
            (ARGON2D_CLI, "argon2d"),
            ("$2x$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq", "$2x$"),
            // Django make_password('correct horse', hasher='pbkdf2_sha1')
            ("pbkdf2_sha1$1000000$3xzB7m5JtuouqkKl1Gtyw8$GADzbzifUXcfs0P9cnmc+3Jmyt8=", "pbkdf2_sha1"),
            // Django make_password('correct horse', hasher='md5')
            ("md5$IV3vx9NTBAAcx7xjQEdMVC$9da92237dff2547118a42fdcc70763d8", "django md5"),
            // Django make_password('correct horse', hasher='scrypt')
            ("scrypt$16384$ybAOVhDRXbn2an7a161B9g$8$5$OOuUP1v7Q0eg1dJqMyy+S1RDcVmtli4D63mFJx9Wh85OFM5QXQSRENZZ+GrmRNYy0Xd5iV5E235nl4nZClzCww==", "scrypt"),
            // Django make_password(None)
            ("!2hm4duO3lC5uApif2wLoMEC8tFLyrv4xZGEBBGG3", "unusable"),
        ];
        for (stored, name) in cases {
            match parse_err(stored) {
                HashFormatError::Unsupported(seen) => {
                    assert!(seen.contains(name), "{seen} should mention {name}")
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        // A Django-prefixed argon2d is refused as argon2d too.
        let django_argon2d = format!("argon2{ARGON2D_CLI}");
        assert_eq!(
            parse_err(&django_argon2d),
            HashFormatError::Unsupported("argon2d")
        );
    }

    fn assert_out_of_bounds(stored: &str, expected_parameter: &str, expected_value: u64) {
        match parse_err(stored) {
            HashFormatError::OutOfBounds {
                parameter, value, ..
            } => {
                assert!(parameter.contains(expected_parameter), "{parameter}");
                assert_eq!(value, expected_value);
            }
            other => panic!("{stored}: {other:?}"),
        }
    }

    #[test]
    fn parameters_out_of_bounds_are_refused() {
        let bcrypt_body = "2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq";
        assert_out_of_bounds(&format!("$2y$03${bcrypt_body}"), "cost", 3);
        assert_out_of_bounds(&format!("$2y$17${bcrypt_body}"), "cost", 17);
        assert_out_of_bounds(&format!("$2b$31${bcrypt_body}"), "cost", 31);
        assert!(PasswordHash::parse(&format!("$2y$16${bcrypt_body}")).is_ok());

        let pbkdf2_tail = "dUQNLt6htvtCaUV20Zf6R8$kezQeo79JTn4B6MQrcWJOqoPKonxpJ4ZpI2HRgv/ZFA=";
        assert_out_of_bounds(&format!("pbkdf2_sha256$0${pbkdf2_tail}"), "iterations", 0);
        assert_out_of_bounds(
            &format!("pbkdf2_sha256$10000001${pbkdf2_tail}"),
            "iterations",
            10_000_001,
        );
        assert_out_of_bounds(
            &format!("pbkdf2_sha256$99999999999999999999${pbkdf2_tail}"),
            "iterations",
            u64::MAX,
        );
        assert!(PasswordHash::parse(&format!("pbkdf2_sha256$10000000${pbkdf2_tail}")).is_ok());

        let argon2_tail = "OWQ5MjJjZDcyMDY3OGI5OQ$l0fAoGAs3pMEc/4OajYmng9Hqz4KZJS5wvwWmWd6QYg";
        let argon2 = |params: &str| format!("$argon2id$v=19${params}${argon2_tail}");
        assert_out_of_bounds(&argon2("m=262145,t=1,p=1"), "memory", 262_145);
        assert_out_of_bounds(&argon2("m=4294967295,t=1,p=1"), "memory", 4_294_967_295);
        assert_out_of_bounds(&argon2("m=4,t=1,p=1"), "memory", 4);
        assert_out_of_bounds(&argon2("m=1024,t=17,p=1"), "time", 17);
        assert_out_of_bounds(&argon2("m=1024,t=0,p=1"), "time", 0);
        assert_out_of_bounds(&argon2("m=1024,t=1,p=17"), "parallelism", 17);
        assert_out_of_bounds(&argon2("m=1024,t=1,p=0"), "parallelism", 0);
        assert!(PasswordHash::parse(&argon2("m=262144,t=16,p=16")).is_ok());
    }

    /// The salt and digest of a stored string: what must never be shown.
    fn secret_parts(stored: &str) -> Vec<&str> {
        let parts: Vec<&str> = stored.split('$').collect();
        parts[parts.len().saturating_sub(2)..].to_vec()
    }

    #[test]
    fn errors_and_debug_never_show_the_hash() {
        assert_eq!(
            format!("{:?}", parse(BCRYPT_2Y)),
            "PasswordHash(bcrypt, <redacted>)"
        );
        assert_eq!(
            format!("{:?}", parse(ARGON2ID_CFFI)),
            "PasswordHash(argon2id, <redacted>)"
        );
        assert_eq!(
            format!("{:?}", parse(DJANGO_PBKDF2)),
            "PasswordHash(pbkdf2_sha256, <redacted>)"
        );
        assert_eq!(
            format!("{:?}", parse(ARGON2I_CLI).dummy_like()),
            "PasswordHash(argon2i, <redacted>)"
        );
        for stored in [
            "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sd!",
            "$apr1$q7WZrXW7$7Edpm8jLEMGyvNezVRC/l.",
            "{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=",
            "pbkdf2_sha256$1000$dUQNLt6htvtCaUV20Zf6R8$not-base64",
            "pbkdf2_sha256$1000$dUQNLt6htvtCaUV20Zf6R8$aGFzaA==",
            "$argon2id$v=19$m=999999,t=1,p=1$OWQ5MjJjZDcyMDY3OGI5OQ$l0fAoGAs3pMEc",
            "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$l0fAoGAs3pMEc/4OajYmng9Hqz4KZJS5wvwWmWd6QYg",
            "correct horse",
        ] {
            let err = parse_err(stored);
            let text = format!("{err} | {err:?}");
            for part in secret_parts(stored) {
                assert!(!text.contains(part), "{text} shows {part}");
            }
            assert!(err.to_string().starts_with(char::is_lowercase), "{err}");
        }
    }

    #[test]
    fn error_messages_name_the_problem() {
        assert_eq!(
            parse_err("$2y$17$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq").to_string(),
            "bcrypt cost 17 is out of bounds (4..=16)"
        );
        assert_eq!(
            parse_err("$apr1$q7WZrXW7$7Edpm8jLEMGyvNezVRC/l.").to_string(),
            "unsupported password hash format: apr1 (apache md5)"
        );
        assert_eq!(
            parse_err("pbkdf2_sha256$1000$salt$aGFzaA==").to_string(),
            "malformed pbkdf2_sha256 hash: hash is not 32 bytes"
        );
    }

    #[test]
    fn dummy_has_same_cost_and_matches_nothing() {
        for (stored, password) in [
            (ARGON2ID_CLI, &b"correct horse"[..]),
            (ARGON2I_V10_CLI, b"correct horse"),
            (ARGON2ID_P2_L16_CLI, b"correct horse"),
            (BCRYPT_2Y, b"correct horse"),
            (DJANGO_PBKDF2, b"correct horse"),
            (ARGON2ID_EMPTY_CFFI, b""),
        ] {
            let hash = parse(stored);
            let dummy = hash.dummy_like();
            assert_eq!(dummy.scheme(), hash.scheme());
            assert_eq!(dummy.cost_key(), hash.cost_key());
            assert!(!dummy.verify(password));
            assert!(!dummy.verify(b""));
            // Two dummies are independent.
            assert!(!format!("{:?}", dummy.dummy_like()).is_empty());
        }
    }

    #[test]
    fn hash_password_makes_default_argon2id() {
        let stored = hash_password(b"correct horse").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        let hash = parse(&stored);
        assert_eq!(hash.scheme(), "argon2id");
        assert!(hash.verify(b"correct horse"));
        assert!(!hash.verify(b"correct horsf"));
        // Fresh salt each time.
        assert_ne!(stored, hash_password(b"correct horse").unwrap());
        // Any bytes, including non-UTF-8 and empty.
        assert!(parse(&hash_password(b"\xff\x00").unwrap()).verify(b"\xff\x00"));
        assert!(parse(&hash_password(b"").unwrap()).verify(b""));
    }
}
