//! Path normalisation and the route table.
//!
//! gatehouse authorises a request by its path and then forwards it. If the
//! upstream could read the same bytes as a different path (by decoding `%2F`,
//! resolving `..`, or stripping `;jsessionid=...`), a public prefix could open
//! a protected one. So [`normalize_path`] turns a path into one canonical form,
//! [`RouteTable`] decides on that form, and the proxy sends exactly that form
//! upstream. A path that has more than one plausible reading is refused with a
//! [`PathError`] (the proxy answers 400). It is never guessed at.
//!
//! # What [`normalize_path`] refuses
//! - A path that does not start with `/` ([`PathError::NotAbsolute`]), and the
//!   asterisk-form target `*` ([`PathError::Asterisk`]). The empty path becomes
//!   `/`.
//! - Percent-encoded `/` (`%2F`), `\` (`%5C`) and NUL (`%00`), in either case.
//!   Upstreams disagree on whether an encoded slash separates segments.
//! - Any other percent-encoded control character (`%01`-`%1F`, `%7F`).
//! - A raw `\`. Some servers treat it as `/`.
//! - Any raw control character (0x00-0x1F, 0x7F).
//! - Invalid percent-encoding: a `%` that is not followed by two hex digits
//!   (`%`, `%2`, `%zz`).
//! - Raw non-ASCII bytes. A valid request target is ASCII, and each upstream
//!   would re-encode such bytes in its own way.
//! - Percent-encoded bytes above 0x7F that do not decode to valid UTF-8, such
//!   as overlong forms (`%C0%AF` is an old spelling of `/`), surrogates, stray
//!   continuation bytes and Latin-1 (`%E9`). A lenient decoder could turn these
//!   into `/` or `.`. *This goes beyond the original brief.*
//! - `;` anywhere in the path, and `%3B` too. Tomcat and Spring strip `;...`
//!   path parameters, so `/public/..;/admin` would reach `/admin` upstream
//!   while gatehouse sees a segment named `..;`. The encoded form is refused
//!   because a decode-then-strip upstream reads it the same way (Spring's
//!   `StrictHttpFirewall` refuses both). *Refusing `%3B` goes beyond the brief.*
//! - `#`. A fragment is never sent, so its presence means a confused client or
//!   a smuggling attempt.
//! - `?`. The caller splits off the query, so a `?` here is a caller bug or a
//!   route prefix that could never match. *This goes beyond the brief.*
//! - A `..` that would climb above the root ([`PathError::AboveRoot`]). It is
//!   refused rather than clamped, because upstreams clamp differently.
//!
//! Character and encoding refusals are checked over the whole path before dot
//! segments are resolved. So for a path with both problems the error is
//! always the character one, whatever the order in the path.
//!
//! # What it decodes and rewrites
//! - Percent-encoded unreserved characters (`A-Z a-z 0-9 - . _ ~`) are
//!   decoded to literals (RFC 3986 §6.2.2.2). Every other percent-encoding is
//!   kept, with its hex digits in uppercase (`%3a` becomes `%3A`). `%25` stays
//!   `%25`: nothing is decoded twice.
//! - `.` and `..` segments are resolved **after** unreserved decoding, so
//!   `%2e%2e`, `%2E%2e` and `.%2E` are all `..`.
//! - Repeated slashes collapse (`//` becomes `/`). Empty segments are dropped
//!   before dot segments are resolved, as nginx's `merge_slashes` does, so
//!   `/a//../b` is `/b`.
//! - A trailing slash is kept if the input had one, and also if the last
//!   segment was `.` or `..` (`/a/b/..` becomes `/a/`, `/a/.` becomes `/a/`).
//! - An already normal path comes back as [`Cow::Borrowed`] without
//!   allocating. `Borrowed` always means the output equals the input, so a
//!   caller rewrites the upstream path exactly when it gets [`Cow::Owned`].
//! - Normalising is idempotent: the output of [`normalize_path`] normalises to
//!   itself, borrowed.
//!
//! # Route matching
//! - Matching is case-sensitive and byte-exact on the normalised path.
//! - A prefix matches on segment boundaries. `/admin` and `/admin/` both match
//!   `/admin`, `/admin/` and `/admin/x`, but not `/administrator`. A role
//!   route `/admin/` must also guard `/admin`, which many backends serve the
//!   same way. The prefix `/` matches every path.
//! - The longest matching prefix wins. A rule applies only if its method list
//!   is absent or contains the request method exactly: `HEAD` is not implied
//!   by `GET`. If no rule applies, the default access applies.
//! - Ties between rules with the same prefix (with or without a trailing
//!   slash) go first to a rule that lists methods, then to the earlier rule in
//!   configuration order.

use std::borrow::Cow;
use std::cmp::Reverse;

use http::Method;

/// Why a path was refused. Every variant becomes a 400 whose body is the
/// `Display` text, so that text is written for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("path must start with '/'")]
    NotAbsolute,
    #[error("asterisk-form request target (\"*\") cannot be routed")]
    Asterisk,
    #[error("encoded slash (%2F) in path")]
    EncodedSlash,
    #[error("encoded backslash (%5C) in path")]
    EncodedBackslash,
    #[error("encoded NUL (%00) in path")]
    EncodedNul,
    #[error("encoded control character in path")]
    EncodedControl,
    #[error("encoded semicolon (%3B) in path")]
    EncodedSemicolon,
    #[error("percent-encoded bytes in path are not valid UTF-8")]
    EncodedInvalidUtf8,
    #[error("invalid percent-encoding in path ('%' must be followed by two hex digits)")]
    InvalidPercentEncoding,
    #[error("backslash in path")]
    Backslash,
    #[error("control character in path")]
    ControlCharacter,
    #[error("non-ASCII byte in path (percent-encode it)")]
    NonAscii,
    #[error("semicolon (path parameter) in path")]
    Semicolon,
    #[error("'#' in path")]
    Fragment,
    #[error("'?' in path (the query must be split off first)")]
    Query,
    #[error("'..' in path climbs above the root")]
    AboveRoot,
}

/// Normalises the path component of a request target (no query: the caller
/// splits at the first `?`). See the module documentation for the rules.
///
/// Returns [`Cow::Borrowed`] exactly when `raw` is already normal.
pub fn normalize_path(raw: &str) -> Result<Cow<'_, str>, PathError> {
    let path = match raw {
        // Owned, not a borrowed "/": Borrowed must mean "unchanged", because
        // callers use it to decide whether the upstream path needs rewriting.
        "" => return Ok(Cow::Owned("/".to_owned())),
        "*" => return Err(PathError::Asterisk),
        _ => raw.strip_prefix('/').ok_or(PathError::NotAbsolute)?,
    };
    // Two passes so that a normal path, the common case, is only read once
    // and never copied.
    if needs_rewrite(path)? {
        rebuild(path).map(Cow::Owned)
    } else {
        Ok(Cow::Borrowed(raw))
    }
}

/// Validates every segment of `path` (the part after the leading `/`) and
/// reports whether the normal form differs from it.
fn needs_rewrite(path: &str) -> Result<bool, PathError> {
    let mut rewrite = false;
    let mut segments = path.split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        // A final empty segment is the trailing slash, which is kept.
        rewrite |= (segment.is_empty() && !last) || segment == "." || segment == "..";
        let mut utf8 = Utf8Check::default();
        for piece in Pieces::new(segment) {
            let piece = piece?;
            rewrite |= piece.is_rewritten();
            utf8.push(piece.value())?;
        }
        utf8.finish()?;
    }
    Ok(rewrite)
}

/// Builds the normal form of `path` (the part after the leading `/`), which
/// [`needs_rewrite`] has already validated.
fn rebuild(path: &str) -> Result<String, PathError> {
    // Decoding never makes a segment longer. The two extra bytes are the
    // leading slash, which `path` lacks, and a possible trailing slash.
    let mut out = String::with_capacity(path.len() + 2);
    let mut directory = false;
    for segment in path.split('/') {
        directory = true;
        if segment.is_empty() {
            continue;
        }
        let start = out.len();
        out.push('/');
        for piece in Pieces::new(segment) {
            piece?.push_to(&mut out);
        }
        // Compare after decoding so that `%2e%2e` counts as `..`.
        match &out[start + 1..] {
            "." => out.truncate(start),
            ".." => {
                out.truncate(start);
                let parent = out.rfind('/').ok_or(PathError::AboveRoot)?;
                out.truncate(parent);
            }
            _ => directory = false,
        }
    }
    if out.is_empty() || directory {
        out.push('/');
    }
    Ok(out)
}

/// One unit of a path segment once validated: a single byte or one `%XX`.
#[derive(Debug, Clone, Copy)]
enum Piece {
    /// A byte written as itself. It is either raw in the input or a decoded
    /// unreserved character.
    Literal { byte: u8, decoded: bool },
    /// A percent-encoding that stays encoded.
    Encoded { value: u8, lowercase: bool },
}

impl Piece {
    fn is_rewritten(self) -> bool {
        matches!(
            self,
            Piece::Literal { decoded: true, .. }
                | Piece::Encoded {
                    lowercase: true,
                    ..
                }
        )
    }

    fn value(self) -> u8 {
        match self {
            Piece::Literal { byte, .. } => byte,
            Piece::Encoded { value, .. } => value,
        }
    }

    fn push_to(self, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        match self {
            // Only ASCII is ever a literal: raw non-ASCII is refused, and
            // unreserved characters are ASCII.
            Piece::Literal { byte, .. } => out.push(char::from(byte)),
            Piece::Encoded { value, .. } => {
                out.push('%');
                out.push(char::from(HEX[usize::from(value >> 4)]));
                out.push(char::from(HEX[usize::from(value & 0x0F)]));
            }
        }
    }
}

/// Reads the pieces of one segment. Splitting on `/` happens first, so a
/// segment holds no raw `/`.
struct Pieces<'a> {
    rest: &'a [u8],
}

impl<'a> Pieces<'a> {
    fn new(segment: &'a str) -> Self {
        Self {
            rest: segment.as_bytes(),
        }
    }
}

impl Iterator for Pieces<'_> {
    type Item = Result<Piece, PathError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (&byte, rest) = self.rest.split_first()?;
        if byte != b'%' {
            self.rest = rest;
            return Some(raw_byte(byte).map(|byte| Piece::Literal {
                byte,
                decoded: false,
            }));
        }
        let [hi, lo, tail @ ..] = rest else {
            self.rest = &[];
            return Some(Err(PathError::InvalidPercentEncoding));
        };
        self.rest = tail;
        let (Some(high), Some(low)) = (hex_value(*hi), hex_value(*lo)) else {
            return Some(Err(PathError::InvalidPercentEncoding));
        };
        let lowercase = hi.is_ascii_lowercase() || lo.is_ascii_lowercase();
        Some(encoded_byte(high << 4 | low, lowercase))
    }
}

fn raw_byte(byte: u8) -> Result<u8, PathError> {
    match byte {
        b'\\' => Err(PathError::Backslash),
        b';' => Err(PathError::Semicolon),
        b'#' => Err(PathError::Fragment),
        b'?' => Err(PathError::Query),
        0x80.. => Err(PathError::NonAscii),
        _ if byte.is_ascii_control() => Err(PathError::ControlCharacter),
        _ => Ok(byte),
    }
}

fn encoded_byte(value: u8, lowercase: bool) -> Result<Piece, PathError> {
    match value {
        0 => Err(PathError::EncodedNul),
        b'/' => Err(PathError::EncodedSlash),
        b'\\' => Err(PathError::EncodedBackslash),
        b';' => Err(PathError::EncodedSemicolon),
        _ if value.is_ascii_control() => Err(PathError::EncodedControl),
        _ if is_unreserved(value) => Ok(Piece::Literal {
            byte: value,
            decoded: true,
        }),
        _ => Ok(Piece::Encoded { value, lowercase }),
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Checks that the decoded bytes of one segment are well-formed UTF-8, one
/// byte at a time, so the check needs no buffer for the whole segment. Bytes
/// above 0x7F can only come from percent-encodings, because raw ones are
/// refused.
#[derive(Default)]
struct Utf8Check {
    sequence: [u8; 4],
    have: usize,
    need: usize,
}

impl Utf8Check {
    fn push(&mut self, byte: u8) -> Result<(), PathError> {
        if self.need == 0 {
            self.need = match byte {
                0x00..=0x7F => return Ok(()),
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF4 => 4,
                // Continuation bytes with no lead, C0/C1 (always overlong),
                // and F5-FF (beyond U+10FFFF).
                _ => return Err(PathError::EncodedInvalidUtf8),
            };
            self.have = 0;
        } else if byte & 0xC0 != 0x80 {
            return Err(PathError::EncodedInvalidUtf8);
        }
        self.sequence[self.have] = byte;
        self.have += 1;
        if self.have == self.need {
            // The lead byte sets the length, but only a full decode can refuse
            // 3- and 4-byte overlong forms, surrogates and code points above
            // U+10FFFF.
            std::str::from_utf8(&self.sequence[..self.need])
                .map_err(|_| PathError::EncodedInvalidUtf8)?;
            self.need = 0;
        }
        Ok(())
    }

    fn finish(&self) -> Result<(), PathError> {
        if self.need == 0 {
            Ok(())
        } else {
            Err(PathError::EncodedInvalidUtf8)
        }
    }
}

/// Who may make a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Forwarded without credentials or identity headers.
    Public,
    /// Any verified identity.
    Authenticated,
    /// A verified identity holding at least one of these roles.
    AnyRole(Box<[String]>),
}

impl Access {
    pub fn is_public(&self) -> bool {
        matches!(self, Access::Public)
    }
}

/// One `[[routes]]` entry.
#[derive(Debug, Clone)]
pub struct RouteRule {
    /// Already normalised: [`normalize_path`] returns it unchanged.
    pub prefix: String,
    /// `None` means every method.
    pub methods: Option<Box<[Method]>>,
    pub access: Access,
}

impl RouteRule {
    fn applies_to(&self, method: &Method, path: &str) -> bool {
        self.methods
            .as_deref()
            .is_none_or(|methods| methods.contains(method))
            && prefix_matches(&self.prefix, path)
    }
}

/// The prefix without its trailing slash. A trailing slash makes no
/// difference to what a prefix matches.
fn match_key(prefix: &str) -> &str {
    prefix.trim_end_matches('/')
}

/// Compares on segment boundaries, so that `/admin` never covers
/// `/administrator`.
fn prefix_matches(prefix: &str, path: &str) -> bool {
    path.strip_prefix(match_key(prefix))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The route rules in match order, plus the access for unmatched paths.
#[derive(Debug, Clone)]
pub struct RouteTable {
    /// Sorted so that the first applicable rule is the longest match.
    rules: Box<[RouteRule]>,
    default: Access,
}

impl RouteTable {
    pub fn new(mut rules: Vec<RouteRule>, default: Access) -> Self {
        // The sort is stable, so configuration order settles the remaining
        // ties. Sorting once here keeps `access_for` to a single scan.
        rules.sort_by_key(|rule| {
            (
                Reverse(match_key(&rule.prefix).len()),
                rule.methods.is_none(),
            )
        });
        Self {
            rules: rules.into_boxed_slice(),
            default,
        }
    }

    /// The access for `path`, which must already be normalised: the longest
    /// matching prefix among rules whose method list is absent or contains
    /// `method`, otherwise the default.
    pub fn access_for(&self, method: &Method, path: &str) -> &Access {
        self.rules
            .iter()
            .find(|rule| rule.applies_to(method, path))
            .map_or(&self.default, |rule| &rule.access)
    }

    /// The rules in match order (longest prefix first), not configuration
    /// order.
    pub fn rules(&self) -> &[RouteRule] {
        &self.rules
    }

    /// The access for paths that no rule matches.
    pub fn default_access(&self) -> &Access {
        &self.default
    }
}

#[cfg(test)]
mod tests;
