use super::*;

// Every vector below was made by the tool named in the comment above it, never by this
// code. Tools: apache2-utils 2.4 htpasswd, libxcrypt's mkpasswd (Debian `whois`),
// pyca bcrypt 5.0.0, argon2 CLI 0~20190702 (Debian `argon2`, the reference
// implementation), argon2-cffi 25.1.0, Django 5.2.19 (`settings.configure()`), Django
// 4.2.30 with argon2-cffi 25.1.0 (settings.configure() with PASSWORD_HASHERS listing the
// hasher used), PHP 8.2.36 (Debian php8.2-cli, libargon2).
// tests/captures/hashes/make-vectors.sh reruns them (new salts each time).

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
const BCRYPT_2B_ABC_XCRYPT: &str = "$2b$05$lqyWc2sEY7S4CfpMP00L5upsP16DZ2vrSySro5GsjavviA9lABH/O";
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
const ARGON2I_NO_VERSION: &str =
    "$argon2i$m=1024,t=1,p=1$ZTA0ODEwMGI0N2U1MGU5Yg$N9yJooUjE0TUdRFAkVt/v9UtwCUxSOJRXpeBVRPJUpo";
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

// Django 4.2.30: make_password('correct horse', hasher='argon2')   (m=102400, t=2, p=8)
const DJANGO42_ARGON2_DEFAULT: &str = "argon2$argon2id$v=19$m=102400,t=2,p=8$ZEh5YVZ4TENOWlZrQUNHbDlsRVo3Mw$1B6RHW8/ZtAKPcmU2ZF+N5moiSWNXNqxEtDyaWnvNTM";
// Django 4.2.30: class SmallArgon2(Argon2PasswordHasher): time_cost = 1;
//     memory_cost = 1024; parallelism = 1
// make_password('correct horse', hasher=SmallArgon2())
const DJANGO42_ARGON2: &str = "argon2$argon2id$v=19$m=1024,t=1,p=1$N3RPM1JlTGpMbnFiOWFWV2xPczJWaQ$yXRQ1BOBCt7/JpAEwRwxMX0Nz3bcg2BPW3/jF2knL9A";

// PHP 8.2.36: php -r "echo password_hash('correct horse', PASSWORD_ARGON2ID);"
//     (PHP's defaults: m=65536, t=4, p=1)
const PHP_ARGON2ID_DEFAULT: &str = "$argon2id$v=19$m=65536,t=4,p=1$cy53eXdBNU5UYjZrMHQvVw$I45SAu1fIYpxOKIwzwfxN1V7EjXpLUBb6pyL6Zbualo";
// php -r "echo password_hash('correct horse', PASSWORD_ARGON2ID,
//     ['memory_cost' => 1024, 'time_cost' => 1, 'threads' => 1]);"
const PHP_ARGON2ID: &str = "$argon2id$v=19$m=1024,t=1,p=1$V01qeXdJUUp0VW1mbEZGcg$yIe0evdFi8KHZKE004uRCS9qdlB7/E6ZQcl3UUT2eqo";
// php -r "echo password_hash('correct horse', PASSWORD_ARGON2I);"
const PHP_ARGON2I_DEFAULT: &str = "$argon2i$v=19$m=65536,t=4,p=1$ZHN1Ri81c2J6VDNOR1o2bQ$TOtj9b+thE6W17caAk0510wlgny+FkqqO6lMVXmJP6Q";
// php -r "echo password_hash('correct horse', PASSWORD_BCRYPT);"   (PHP's default cost 10)
const PHP_BCRYPT_DEFAULT: &str = "$2y$10$DnHskMdhw.u0G0MGw54t2Ofbrtfg/jHKyTkKf2R9CQfll8NEajUxq";
// php -r "echo password_hash('correct horse', PASSWORD_DEFAULT);"
const PHP_DEFAULT: &str = "$2y$10$tbjxKDQj1rHouOI96OVe.ek4WdcaQnlOcfzoA42Xk30WmH7tVDvD6";
// php -r "echo password_hash('correct horse', PASSWORD_BCRYPT, ['cost' => 4]);"
const PHP_BCRYPT: &str = "$2y$04$MCbtOhgaHjgEm0yO0m1PF.y1pAfq5Fz6dHyMiN6n0dfGAflLzlIJ.";

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

/// For vectors at a tool's default cost: the right password and one wrong one, since each
/// check costs what a real login does (and more in this unoptimised test build).
fn assert_verifies_at_default_cost(stored: &str, right: &[u8], scheme: &str) {
    let hash = parse(stored);
    assert_eq!(hash.scheme(), scheme);
    assert!(hash.verify(right), "right password refused for {scheme}");
    assert!(
        !hash.verify(b"correct horsf"),
        "wrong password accepted for {scheme}"
    );
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
fn argon2_from_django_4_2() {
    assert_verifies(DJANGO42_ARGON2, b"correct horse", "argon2id");
    // Django's own default parameters, not a test-sized copy.
    assert_verifies_at_default_cost(DJANGO42_ARGON2_DEFAULT, b"correct horse", "argon2id");
}

#[test]
fn php_password_hash() {
    assert_verifies(PHP_ARGON2ID, b"correct horse", "argon2id");
    assert_verifies(PHP_BCRYPT, b"correct horse", "bcrypt");
    // PHP's defaults: argon2 m=65536 t=4 p=1, bcrypt $2y$10$.
    assert_verifies_at_default_cost(PHP_ARGON2ID_DEFAULT, b"correct horse", "argon2id");
    assert_verifies_at_default_cost(PHP_ARGON2I_DEFAULT, b"correct horse", "argon2i");
    assert_verifies_at_default_cost(PHP_BCRYPT_DEFAULT, b"correct horse", "bcrypt");
    assert_verifies_at_default_cost(PHP_DEFAULT, b"correct horse", "bcrypt");
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
        (DJANGO42_ARGON2, b"correct horse"),
        (PHP_ARGON2ID, b"correct horse"),
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
