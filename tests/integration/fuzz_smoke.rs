//! A short, seeded run of every fuzz target's body (see `tests/fuzz/`), so CI exercises
//! them on each change. Not coverage-guided: inputs are random mixes of fragments that
//! matter to the parsers. Each target runs its whole plan of inputs, within a time budget
//! that fails the test when exceeded; longer, coverage-guided runs are done by hand with
//! cargo-fuzz (`tests/fuzz/README.md`).

#[path = "../fuzz/bodies.rs"]
mod bodies;

use std::time::{Duration, Instant};

const FRAGMENTS: &[&str] = &[
    "/",
    "//",
    ".",
    "..",
    "%2e",
    "%2E",
    "%2f",
    "%5c",
    "%00",
    "%",
    ";",
    "\\",
    "?",
    "#",
    "admin",
    "public",
    "~",
    "%c0%af",
    "é",
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "null",
    "1e999",
    "-1",
    "true",
    "\"username\"",
    "\"password\"",
    "\"email\"",
    "\"token\"",
    "\"refresh\"",
    "alice",
    "correct horse",
    "=",
    "&",
    "%20",
    "+",
    "eyJ",
    "eyJhbGciOiJub25lIn0",
    ".",
    "authorization: ",
    "Bearer ",
    "Basic ",
    "YWxpY2U6Y29ycmVjdCBob3JzZQ==",
    "user-name: ",
    "password: ",
    "\n",
    "x-auth-token: ",
    "cookie: gh_token=",
    "[listen]\naddress = \"127.0.0.1:1\"\n",
    "[[users]]\n",
    "username = \"a\"\n",
    "password_hash = \"$2y$04$x\"\n",
    "[auth]\n",
    "cache_ttl = \"",
    "[dialects.kerong]\nkey = \"k\"\n",
];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn input(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..(self.next() % 24) {
            match self.next() % 4 {
                0 => out.push((self.next() % 256) as u8),
                _ => out.extend_from_slice(
                    FRAGMENTS[(self.next() as usize) % FRAGMENTS.len()].as_bytes(),
                ),
            }
        }
        out
    }
}

/// Time for one target's whole plan: hundreds of times what a debug build needs on a
/// 2-core machine (under 0.1 s per target). Running out fails rather than passing on
/// part of the plan, since a run cut short checked less than it claims.
const BUDGET: Duration = Duration::from_secs(60);

/// Feeds `body` the `planned` inputs of `name`'s seeded stream, every one of them.
fn run(name: &str, body: fn(&[u8]), planned: usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ name.len() as u64);
    let started = Instant::now();
    for done in 0..planned {
        assert!(
            started.elapsed() < BUDGET,
            "{name}: only {done} of {planned} inputs ran in {BUDGET:?}"
        );
        body(&rng.input());
    }
    eprintln!("{name}: {planned} inputs in {:?}", started.elapsed());
}

#[test]
fn fuzz_smoke_credentials() {
    run("credentials", bodies::credentials, 20_000);
}

#[test]
fn fuzz_smoke_paths() {
    run("paths", bodies::paths, 50_000);
}

#[test]
fn fuzz_smoke_tokens() {
    run("tokens", bodies::tokens, 20_000);
}

#[test]
fn fuzz_smoke_config() {
    run("config", bodies::config, 5_000);
}

#[test]
fn fuzz_smoke_dialects() {
    run("dialects", bodies::dialects, 3_000);
}
