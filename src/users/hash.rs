//! Stored password hashes: parsing, verification, the timing dummy and `hash-password`.
//!
//! Decisions taken here:
//! - These formats are accepted, each parsed once (at config load) into its parts so a
//!   login only hashes and compares:
//!   - argon2id/argon2i PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`, as the
//!     reference CLI, argon2-cffi and PHP's `password_hash` write them), also in Django's
//!     `argon2$argon2id$…` spelling, the same string behind a prefix;
//!   - bcrypt `$2a$`, `$2b$` and `$2y$` (htpasswd, libxcrypt, pyca bcrypt, PHP);
//!   - Django's `pbkdf2_sha256$<iterations>$<salt>$<hash>` and
//!     `pbkdf2_sha1$<iterations>$<salt>$<hash>`: PBKDF2-HMAC with the salt text's UTF-8
//!     bytes as the salt, a 32- or 20-byte digest in padded standard base64;
//!   - Django's `bcrypt_sha256$<bcrypt string>`: bcrypt over the 64-character lowercase hex
//!     SHA-256 digest of the password, not over the password itself;
//!   - Django's `scrypt$<n>$<salt>$<r>$<p>$<hash>`: scrypt with the salt text's UTF-8
//!     bytes and a 64-byte digest in padded standard base64.
//!
//!   Everything else is refused by name where we can recognise it (`$apr1$`, `{SHA}`,
//!   md5/sha-crypt, yescrypt, argon2d, `$2x$`, Django's plain `bcrypt$`, md5, sha1,
//!   unsalted and crypt hashers, a bare 32-digit hex MD5, Django's unusable `!`
//!   passwords), so an operator learns what to re-hash instead of seeing every login fail.
//! - Cost parameters are bounded at parse time (bcrypt cost 4..=16, pbkdf2 1..=10,000,000
//!   iterations, argon2 m ≤ 256 MiB, t ≤ 16, p ≤ 16, scrypt n ≤ 2^20, r ≤ 32, p ≤ 16 and
//!   128·n·r ≤ 256 MiB): a hostile or mistyped config must not turn one login, or one
//!   unknown-user dummy check, into minutes of CPU or gigabytes of memory. Django's own
//!   defaults (pbkdf2 600,000 to 1,000,000 iterations, bcrypt cost 12, argon2 m=102400 t=2
//!   p=8, scrypt n=2^14 r=8 p=1) are well inside.
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
//! - Django's `bcrypt_sha256` is exempt from the NUL rule and from the 72-byte cut: what
//!   bcrypt hashes there is the hex digest, 64 ASCII bytes that never contain a NUL, so
//!   every byte of the password counts and a password containing NUL is just another
//!   password (Django hashes one as readily as any other string). Its inner bcrypt string
//!   must be `$2a$`, `$2b$` or `$2y$`, as for plain bcrypt.
//! - PBKDF2 (alone, and inside scrypt) keys HMAC with the password, and HMAC pads a key
//!   shorter than its 64-byte block with zeros: for pbkdf2_sha256, pbkdf2_sha1 and scrypt
//!   a password and the same password followed by NULs (64 bytes at most in all) are one
//!   key, and Django's own check_password accepts both. We match Django rather than refuse
//!   NULs there: the equivalence helps only someone who already knows the password, and
//!   refusing would lock out the rare Django user whose password holds a NUL.
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
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

const BCRYPT_COST: (u32, u32) = (4, 16);
const PBKDF2_ITERATIONS: (u32, u32) = (1, 10_000_000);
/// In KiB, as in the PHC string; 262144 KiB = 256 MiB.
const ARGON2_M_COST: (u32, u32) = (8, 262_144);
const ARGON2_T_COST: (u32, u32) = (1, 16);
const ARGON2_P_COST: (u32, u32) = (1, 16);
/// scrypt's n must also be a power of two; 2^20 is 64 × Django's default 2^14.
const SCRYPT_N: (u32, u32) = (2, 1 << 20);
const SCRYPT_R: (u32, u32) = (1, 32);
const SCRYPT_P: (u32, u32) = (1, 16);
/// scrypt's large buffer is 128·n·r bytes; the same 256 MiB ceiling as argon2's m. (Its
/// p blocks are worked through one after another, each reusing that buffer.)
const SCRYPT_MEMORY: (u64, u64) = (256, 256 << 20);

/// bcrypt only ever reads this many key bytes (terminator included).
const BCRYPT_MAX_KEY: usize = 72;
const BCRYPT_SALT_LEN: usize = 16;
/// bcrypt's 24-byte output is stored without its last byte.
const BCRYPT_DIGEST_LEN: usize = 23;
/// What Django's ScryptPasswordHasher always derives (`dklen=64`).
const SCRYPT_DIGEST_LEN: usize = 64;

/// Why a stored hash was refused. Never carries the hash itself.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum HashFormatError {
    #[error("empty password hash")]
    Empty,
    #[error(
        "unrecognised password hash format (expected an argon2id or argon2i PHC string, \
         bcrypt $2a$/$2b$/$2y$, or django pbkdf2_sha256, pbkdf2_sha1, bcrypt_sha256, argon2 \
         or scrypt)"
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
    /// Django's `bcrypt_sha256$`: the bcrypt string after the prefix, verified against the
    /// hex SHA-256 of the password.
    DjangoBcryptSha256(BcryptHash),
    /// Django's `pbkdf2_sha256$` and `pbkdf2_sha1$`.
    DjangoPbkdf2(Pbkdf2Hash),
    DjangoScrypt(ScryptHash),
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

/// The parts of a Django `pbkdf2_sha256$…` or `pbkdf2_sha1$…` string (opaque outside this
/// module).
#[derive(Clone)]
pub struct Pbkdf2Hash {
    prf: Pbkdf2Prf,
    iterations: u32,
    /// Django uses the salt text's UTF-8 bytes as the salt, not a decoding of it.
    salt: String,
    /// `prf.digest_len()` bytes, checked at parse time.
    digest: Vec<u8>,
}

/// The HMAC hash under PBKDF2, named as Django names its hashers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Pbkdf2Prf {
    Sha256,
    Sha1,
}

/// The parts of a Django `scrypt$…` string (opaque outside this module).
#[derive(Clone)]
pub struct ScryptHash {
    /// n (as log2 n), r and p, checked against the bounds at parse time.
    params: scrypt::Params,
    /// As for pbkdf2: the salt text's UTF-8 bytes.
    salt: String,
    digest: [u8; SCRYPT_DIGEST_LEN],
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
        /// Django's bcrypt_sha256 hashes the password first: a different scheme for the
        /// dummy to imitate, though the SHA-256 is noise beside the bcrypt.
        sha256_prehash: bool,
        cost: u32,
    },
    Pbkdf2 {
        prf: Pbkdf2Prf,
        iterations: u32,
        // The salt shares HMAC blocks with the counter; a long one adds compression calls.
        salt_len: usize,
    },
    Scrypt {
        log_n: u8,
        r: u32,
        p: u32,
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
            return parse_bcrypt("bcrypt", stored).map(Self::Bcrypt);
        }
        if let Some(rest) = stored.strip_prefix("pbkdf2_sha256$") {
            return parse_django_pbkdf2(Pbkdf2Prf::Sha256, rest).map(Self::DjangoPbkdf2);
        }
        if let Some(rest) = stored.strip_prefix("pbkdf2_sha1$") {
            return parse_django_pbkdf2(Pbkdf2Prf::Sha1, rest).map(Self::DjangoPbkdf2);
        }
        if let Some(rest) = stored.strip_prefix("bcrypt_sha256$") {
            return parse_django_bcrypt_sha256(rest).map(Self::DjangoBcryptSha256);
        }
        if let Some(rest) = stored.strip_prefix("scrypt$") {
            return parse_django_scrypt(rest).map(Self::DjangoScrypt);
        }
        Err(HashFormatError::Unrecognised)
    }

    /// Whether `password` matches. Blocking: runs the full hash. Any bytes are accepted
    /// (empty, non-UTF-8, any length) and never panic; see the module doc for bcrypt's
    /// 72-byte limit and NUL handling. Django's hashers hash the UTF-8 bytes of a text
    /// password, so a non-UTF-8 password never matches one of theirs.
    pub fn verify(&self, password: &[u8]) -> bool {
        match self {
            Self::Argon2(h) => h.verify(password),
            Self::Bcrypt(h) => h.verify(password),
            Self::DjangoBcryptSha256(h) => h.verify_sha256_prehashed(password),
            Self::DjangoPbkdf2(h) => h.verify(password),
            Self::DjangoScrypt(h) => h.verify(password),
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
            Self::Bcrypt(h) => Self::Bcrypt(h.dummy_like(&mut rng)),
            Self::DjangoBcryptSha256(h) => Self::DjangoBcryptSha256(h.dummy_like(&mut rng)),
            Self::DjangoPbkdf2(h) => {
                let mut digest = vec![0u8; h.digest.len()];
                rng.fill_bytes(&mut digest);
                Self::DjangoPbkdf2(Pbkdf2Hash {
                    prf: h.prf,
                    iterations: h.iterations,
                    salt: random_salt_text(&mut rng, h.salt.len()),
                    digest,
                })
            }
            Self::DjangoScrypt(h) => {
                let mut digest = [0u8; SCRYPT_DIGEST_LEN];
                rng.fill_bytes(&mut digest);
                Self::DjangoScrypt(ScryptHash {
                    params: h.params,
                    salt: random_salt_text(&mut rng, h.salt.len()),
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
            Self::DjangoBcryptSha256(_) => "bcrypt_sha256",
            Self::DjangoPbkdf2(h) => h.prf.scheme(),
            Self::DjangoScrypt(_) => "scrypt",
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
            Self::Bcrypt(h) => CostKey::Bcrypt {
                sha256_prehash: false,
                cost: h.cost,
            },
            Self::DjangoBcryptSha256(h) => CostKey::Bcrypt {
                sha256_prehash: true,
                cost: h.cost,
            },
            Self::DjangoPbkdf2(h) => CostKey::Pbkdf2 {
                prf: h.prf,
                iterations: h.iterations,
                salt_len: h.salt.len(),
            },
            Self::DjangoScrypt(h) => CostKey::Scrypt {
                log_n: h.params.log_n(),
                r: h.params.r(),
                p: h.params.p(),
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
        let matches = self.matches_key(password);
        matches && !has_nul
    }

    /// Django's BCryptSHA256PasswordHasher: bcrypt over
    /// `binascii.hexlify(hashlib.sha256(password).digest())`, the 64-byte lowercase hex
    /// digest. With its terminator that is 65 bytes: nothing is cut at 72, and no NUL
    /// reaches bcrypt whatever the password holds.
    fn verify_sha256_prehashed(&self, password: &[u8]) -> bool {
        let hex = lower_hex(&Sha256::digest(password).into());
        self.matches_key(&hex)
    }

    fn matches_key(&self, key: &[u8]) -> bool {
        // Same key as OpenBSD's bcrypt: the bytes and a terminator, at most 72 in all. This
        // also keeps `bcrypt::bcrypt`'s assertion (1..=72 bytes) true for any input.
        let key: Vec<u8> = key
            .iter()
            .copied()
            .chain(std::iter::once(0))
            .take(BCRYPT_MAX_KEY)
            .collect();
        let out = bcrypt::bcrypt(self.cost, self.salt, &key);
        out[..BCRYPT_DIGEST_LEN].ct_eq(&self.digest).into()
    }

    fn dummy_like(&self, rng: &mut impl RngCore) -> BcryptHash {
        let mut salt = [0u8; BCRYPT_SALT_LEN];
        let mut digest = [0u8; BCRYPT_DIGEST_LEN];
        rng.fill_bytes(&mut salt);
        rng.fill_bytes(&mut digest);
        BcryptHash {
            cost: self.cost,
            salt,
            digest,
        }
    }
}

impl Pbkdf2Prf {
    fn scheme(self) -> &'static str {
        match self {
            Self::Sha256 => "pbkdf2_sha256",
            Self::Sha1 => "pbkdf2_sha1",
        }
    }

    fn digest_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha1 => 20,
        }
    }
}

impl Pbkdf2Hash {
    fn verify(&self, password: &[u8]) -> bool {
        // Django's pbkdf2() passes dklen=None: one digest's worth, which `digest` holds.
        let mut out = vec![0u8; self.digest.len()];
        let salt = self.salt.as_bytes();
        match self.prf {
            Pbkdf2Prf::Sha256 => {
                pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, self.iterations, &mut out)
            }
            Pbkdf2Prf::Sha1 => {
                pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, self.iterations, &mut out)
            }
        }
        out.ct_eq(&self.digest).into()
    }
}

impl ScryptHash {
    fn verify(&self, password: &[u8]) -> bool {
        let mut out = [0u8; SCRYPT_DIGEST_LEN];
        // The only error is an output length outside 1..=2^37, and ours is 64.
        match scrypt::scrypt(password, self.salt.as_bytes(), &self.params, &mut out) {
            Ok(()) => out.ct_eq(&self.digest).into(),
            Err(_) => false,
        }
    }
}

/// `bytes` as lowercase hex, as Python's `binascii.hexlify` and `hexdigest()` write it.
fn lower_hex(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = hex_digit(byte >> 4);
        pair[1] = hex_digit(byte & 0x0f);
    }
    out
}

/// One nibble as a lowercase hex digit, without a branch or a table lookup: the nibbles
/// come from the password's digest, so they should not steer memory access or jumps.
fn hex_digit(nibble: u8) -> u8 {
    // 9 - nibble wraps past 127 exactly when nibble > 9; the mask then adds the gap
    // between b'9' + 1 and b'a'.
    let above_nine = 0u8.wrapping_sub(9u8.wrapping_sub(nibble) >> 7);
    nibble + b'0' + (above_nine & (b'a' - b'9' - 1))
}

/// A salt text of `len` ASCII letters and digits, like the ones Django generates, for a
/// dummy of a scheme that uses the salt text's bytes.
fn random_salt_text(rng: &mut impl Rng, len: usize) -> String {
    rng.sample_iter(rand::distributions::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
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
    // Django reads any 32 characters without a `$` as its unsalted_md5 hasher's bare hex
    // digest; we name only hex ones, which is also what every other bare md5 looks like.
    if stored.len() == 32 && stored.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some("unsalted md5 (django unsalted_md5, or a bare md5 digest)");
    }
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
        ("bcrypt$", "django bcrypt"),
        // Django's unsalted forms, spelled with an empty salt, before the salted ones.
        ("md5$$", "django unsalted_md5"),
        ("sha1$$", "django unsalted_sha1"),
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
    check_bounds_u64(scheme, parameter, value.into(), (min.into(), max.into()))
}

fn check_bounds_u64(
    scheme: &'static str,
    parameter: &'static str,
    value: u64,
    (min, max): (u64, u64),
) -> Result<(), HashFormatError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(HashFormatError::OutOfBounds {
            scheme,
            parameter,
            value,
            min,
            max,
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

fn parse_bcrypt(scheme: &'static str, stored: &str) -> Result<BcryptHash, HashFormatError> {
    // `$2y$` + two-digit cost + `$` + 22 salt + 31 digest characters, all ASCII; checking
    // ASCII first makes every byte index below a char boundary.
    if !stored.is_ascii() || stored.len() != 60 {
        return Err(malformed(scheme, "expected 60 characters ($2y$cc$ + 53)"));
    }
    let prefix = stored.get(..4).unwrap_or_default();
    if !matches!(prefix, "$2a$" | "$2b$" | "$2y$") {
        return Err(HashFormatError::Unrecognised);
    }
    let cost_text = stored.get(4..6).unwrap_or_default();
    if !cost_text.bytes().all(|b| b.is_ascii_digit()) || stored.get(6..7) != Some("$") {
        return Err(malformed(scheme, "cost must be two digits followed by '$'"));
    }
    let cost: u32 = cost_text
        .parse()
        .map_err(|_| malformed(scheme, "cost must be two digits followed by '$'"))?;
    check_bounds(scheme, "cost", cost, BCRYPT_COST)?;
    // The crate's own alphabet, strict about padding and trailing bits, so a salt or digest
    // that does not round-trip is refused here rather than failing every login.
    let decode = |range: std::ops::Range<usize>| {
        stored
            .get(range)
            .and_then(|text| bcrypt::BASE_64.decode(text).ok())
    };
    let salt: [u8; BCRYPT_SALT_LEN] = decode(7..29)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| malformed(scheme, "salt is not 22 characters of bcrypt base64"))?;
    let digest: [u8; BCRYPT_DIGEST_LEN] = decode(29..60)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| malformed(scheme, "digest is not 31 characters of bcrypt base64"))?;
    Ok(BcryptHash { cost, salt, digest })
}

/// `rest` is what follows `bcrypt_sha256$`: a whole bcrypt string. Django writes
/// `"bcrypt_sha256$" + bcrypt.hashpw(hex_digest, salt)`, and pyca bcrypt keeps the salt's
/// `$2a$`/`$2b$`/`$2y$` prefix (`gensalt()` makes `$2b$`).
fn parse_django_bcrypt_sha256(rest: &str) -> Result<BcryptHash, HashFormatError> {
    const SCHEME: &str = "bcrypt_sha256";
    if !(rest.starts_with("$2a$") || rest.starts_with("$2b$") || rest.starts_with("$2y$")) {
        return Err(malformed(
            SCHEME,
            "expected bcrypt_sha256$ and a $2a$, $2b$ or $2y$ bcrypt string",
        ));
    }
    parse_bcrypt(SCHEME, rest)
}

/// `rest` is what follows `pbkdf2_sha256$` or `pbkdf2_sha1$`:
/// `<iterations>$<salt>$<base64 digest>`.
fn parse_django_pbkdf2(prf: Pbkdf2Prf, rest: &str) -> Result<Pbkdf2Hash, HashFormatError> {
    let scheme = prf.scheme();
    let (layout, wrong_len) = match prf {
        Pbkdf2Prf::Sha256 => (
            "expected pbkdf2_sha256$<iterations>$<salt>$<hash>",
            "hash is not 32 bytes",
        ),
        Pbkdf2Prf::Sha1 => (
            "expected pbkdf2_sha1$<iterations>$<salt>$<hash>",
            "hash is not 20 bytes",
        ),
    };
    let mut parts = rest.split('$');
    let (Some(iterations), Some(salt), Some(digest), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(scheme, layout));
    };
    let iterations = parse_count(
        scheme,
        "iterations",
        iterations,
        "iterations is not a number",
        PBKDF2_ITERATIONS,
    )?;
    if salt.is_empty() {
        // Django refuses to encode with an empty salt, so one here is not Django's.
        return Err(malformed(scheme, "empty salt"));
    }
    let digest = base64::engine::general_purpose::STANDARD
        .decode(digest)
        .map_err(|_| malformed(scheme, "hash is not standard padded base64"))?;
    if digest.len() != prf.digest_len() {
        return Err(malformed(scheme, wrong_len));
    }
    Ok(Pbkdf2Hash {
        prf,
        iterations,
        salt: salt.to_owned(),
        digest,
    })
}

/// `rest` is what follows `scrypt$`: `<n>$<salt>$<r>$<p>$<base64 digest>`, the order
/// Django's ScryptPasswordHasher writes (`"%s$%d$%s$%d$%d$%s"`).
fn parse_django_scrypt(rest: &str) -> Result<ScryptHash, HashFormatError> {
    const SCHEME: &str = "scrypt";
    let mut parts = rest.split('$');
    let (Some(n), Some(salt), Some(r), Some(p), Some(digest), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(malformed(
            SCHEME,
            "expected scrypt$<n>$<salt>$<r>$<p>$<hash>",
        ));
    };
    let n = parse_count(SCHEME, "n", n, "n is not a number", SCRYPT_N)?;
    if !n.is_power_of_two() {
        return Err(malformed(SCHEME, "n is not a power of two"));
    }
    let r = parse_count(SCHEME, "r", r, "r is not a number", SCRYPT_R)?;
    let p = parse_count(SCHEME, "p", p, "p is not a number", SCRYPT_P)?;
    check_bounds_u64(
        SCHEME,
        "memory (128 * n * r bytes)",
        128 * u64::from(n) * u64::from(r),
        SCRYPT_MEMORY,
    )?;
    // n is a power of two no larger than 2^20, so this is exact and fits.
    let log_n = u8::try_from(n.trailing_zeros()).unwrap_or(u8::MAX);
    let params = scrypt::Params::new(log_n, r, p, SCRYPT_DIGEST_LEN)
        .map_err(|_| malformed(SCHEME, "invalid parameters (scrypt needs n < 2^(16 * r))"))?;
    if salt.is_empty() {
        // As for pbkdf2: Django refuses to encode with an empty salt.
        return Err(malformed(SCHEME, "empty salt"));
    }
    let digest: [u8; SCRYPT_DIGEST_LEN] = base64::engine::general_purpose::STANDARD
        .decode(digest)
        .map_err(|_| malformed(SCHEME, "hash is not standard padded base64"))?
        .try_into()
        .map_err(|_| malformed(SCHEME, "hash is not 64 bytes"))?;
    Ok(ScryptHash {
        params,
        salt: salt.to_owned(),
        digest,
    })
}

/// A decimal parameter of a `$`-separated Django string: ASCII digits only, then bounded.
/// An out-of-bounds value is reported as written, or as `u64::MAX` past 64 bits.
fn parse_count(
    scheme: &'static str,
    parameter: &'static str,
    text: &str,
    not_a_number: &'static str,
    bounds: (u32, u32),
) -> Result<u32, HashFormatError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(scheme, not_a_number));
    }
    let value = text.parse().unwrap_or(u64::MAX);
    check_bounds_u64(scheme, parameter, value, (bounds.0.into(), bounds.1.into()))?;
    u32::try_from(value).map_err(|_| malformed(scheme, not_a_number))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
