use super::*;

fn norm(raw: &str) -> Result<String, PathError> {
    normalize_path(raw).map(Cow::into_owned)
}

fn assert_norm(raw: &str, expected: &str) {
    assert_eq!(norm(raw), Ok(expected.to_owned()), "normalising {raw:?}");
}

fn assert_refused(raw: &str, expected: PathError) {
    assert_eq!(norm(raw), Err(expected), "normalising {raw:?}");
}

// === normalize_path: refusals ===

#[test]
fn refuses_relative_and_asterisk() {
    assert_refused("*", PathError::Asterisk);
    assert_refused("a/b", PathError::NotAbsolute);
    assert_refused("*/a", PathError::NotAbsolute);
    assert_refused("http://host/a", PathError::NotAbsolute);
    assert_refused(".", PathError::NotAbsolute);
}

#[test]
fn empty_path_is_root() {
    assert!(matches!(normalize_path(""), Ok(Cow::Owned(p)) if p == "/"));
}

#[test]
fn refuses_encoded_slash_backslash_nul() {
    assert_refused("/a%2fb", PathError::EncodedSlash);
    assert_refused("/a%2Fb", PathError::EncodedSlash);
    assert_refused("/%2F", PathError::EncodedSlash);
    assert_refused("/a%5cb", PathError::EncodedBackslash);
    assert_refused("/a%5Cb", PathError::EncodedBackslash);
    assert_refused("/a%00", PathError::EncodedNul);
}

#[test]
fn refuses_encoded_control_characters() {
    for value in (0x01..=0x1F_u8).chain([0x7F]) {
        for raw in [format!("/a%{value:02X}"), format!("/a%{value:02x}")] {
            assert_refused(&raw, PathError::EncodedControl);
        }
    }
}

#[test]
fn refuses_raw_control_characters() {
    for byte in (0x00..=0x1F_u8).chain([0x7F]) {
        let raw = format!("/a{}b", char::from(byte));
        assert_refused(&raw, PathError::ControlCharacter);
    }
}

#[test]
fn refuses_raw_backslash() {
    assert_refused("/a\\b", PathError::Backslash);
    assert_refused("/public\\..\\admin", PathError::Backslash);
    assert_refused("\\", PathError::NotAbsolute);
}

#[test]
fn refuses_invalid_percent_encoding() {
    for raw in [
        "/%", "/a%", "/%2", "/a%2", "/%zz", "/%2z", "/%z2", "/%%41", "/%-1", "/%é1",
    ] {
        assert_refused(raw, PathError::InvalidPercentEncoding);
    }
}

#[test]
fn refuses_raw_non_ascii() {
    assert_refused("/caf\u{e9}", PathError::NonAscii);
    assert_refused("/\u{1F600}", PathError::NonAscii);
    assert_refused("/a/\u{2215}", PathError::NonAscii);
}

#[test]
fn refuses_invalid_utf8_in_encodings() {
    for raw in [
        "/%C0%AF",       // overlong '/'
        "/%C0%AE%C0%AE", // overlong '..'
        "/%E0%80%AF",    // 3-byte overlong '/'
        "/%F0%80%80%AF", // 4-byte overlong '/'
        "/%E9",          // Latin-1 'é'
        "/%C3",          // truncated at the end
        "/%C3a",         // truncated by a raw byte
        "/%C3%41",       // truncated by a decoded byte
        "/%C3/%A9",      // split by a segment boundary
        "/%A9",          // continuation with no lead
        "/%ED%A0%80",    // surrogate
        "/%F4%90%80%80", // above U+10FFFF
        "/%F5%80%80%80", // invalid lead
        "/%FF",          // invalid lead
    ] {
        assert_refused(raw, PathError::EncodedInvalidUtf8);
    }
}

#[test]
fn accepts_valid_utf8_in_encodings() {
    assert_norm("/caf%C3%A9", "/caf%C3%A9");
    assert_norm("/caf%c3%a9", "/caf%C3%A9");
    assert_norm("/%E2%82%AC", "/%E2%82%AC");
    assert_norm("/%F0%9F%98%80", "/%F0%9F%98%80");
    assert_norm("/%F4%8F%BF%BF", "/%F4%8F%BF%BF");
}

#[test]
fn refuses_semicolon_raw_and_encoded() {
    assert_refused("/a;b", PathError::Semicolon);
    assert_refused("/a;", PathError::Semicolon);
    assert_refused("/public/..;/admin", PathError::Semicolon);
    assert_refused("/admin;jsessionid=1", PathError::Semicolon);
    assert_refused("/a%3Bb", PathError::EncodedSemicolon);
    assert_refused("/public/..%3b/admin", PathError::EncodedSemicolon);
}

#[test]
fn refuses_fragment_and_query() {
    assert_refused("/a#b", PathError::Fragment);
    assert_refused("/#", PathError::Fragment);
    assert_refused("/a?b", PathError::Query);
}

#[test]
fn refuses_climbing_above_root() {
    for raw in [
        "/..",
        "/../",
        "/../a",
        "/a/../..",
        "/a/../../b",
        "/a/./../../b",
        "/%2e%2e/",
        "/%2E%2e",
        "/.%2E/a",
        "//..",
        "/a/b/../../..",
    ] {
        assert_refused(raw, PathError::AboveRoot);
    }
}

#[test]
fn character_refusals_take_precedence_over_climbing() {
    assert_refused("/../a%2Fb", PathError::EncodedSlash);
    assert_refused("/../%zz", PathError::InvalidPercentEncoding);
    assert_refused("/..;", PathError::Semicolon);
}

#[test]
fn error_messages_are_readable() {
    assert_eq!(
        PathError::EncodedSlash.to_string(),
        "encoded slash (%2F) in path"
    );
    assert_eq!(
        PathError::AboveRoot.to_string(),
        "'..' in path climbs above the root"
    );
}

// === normalize_path: rewriting ===

#[test]
fn decodes_unreserved_characters() {
    assert_norm("/%41%5A%61%7A%30%39", "/AZaz09");
    assert_norm("/%2D%2E%5F%7E", "/-._~");
    assert_norm("/%2d%2e%5f%7e", "/-._~");
    assert_norm("/a%2Eb", "/a.b");
    assert_norm("/%61dmin/x", "/admin/x");
}

#[test]
fn keeps_other_encodings_with_uppercase_hex() {
    assert_norm("/a%3ab", "/a%3Ab");
    assert_norm("/a%3Ab", "/a%3Ab");
    assert_norm("/%20", "/%20");
    assert_norm("/%3f%23%25", "/%3F%23%25");
    assert_norm("/%2a%3c", "/%2A%3C");
    // %25 is not decoded, so a double-encoded dot stays three bytes.
    assert_norm("/%252e%252e/admin", "/%252e%252e/admin");
}

#[test]
fn resolves_dot_segments() {
    assert_norm("/a/./b", "/a/b");
    assert_norm("/a/b/../c", "/a/c");
    assert_norm("/a/b/c/../../d", "/a/d");
    assert_norm("/./a", "/a");
    assert_norm("/.", "/");
    assert_norm("/./", "/");
    assert_norm("/a/..", "/");
    assert_norm("/a/../", "/");
    assert_norm("/a/b/..", "/a/");
    assert_norm("/a/.", "/a/");
    assert_norm("/a/b/./", "/a/b/");
}

#[test]
fn resolves_encoded_dot_segments() {
    assert_norm("/a/%2e/b", "/a/b");
    assert_norm("/a/%2E/b", "/a/b");
    assert_norm("/a/b/%2e%2e/c", "/a/c");
    assert_norm("/a/b/%2E%2e/c", "/a/c");
    assert_norm("/a/b/%2e%2E/c", "/a/c");
    assert_norm("/a/b/.%2E/c", "/a/c");
    assert_norm("/a/b/%2e./c", "/a/c");
    assert_norm("/a/b/%2E%2E", "/a/");
}

#[test]
fn keeps_names_that_only_look_like_dots() {
    for raw in [
        "/...",
        "/.a",
        "/a.",
        "/..a",
        "/a..",
        "/.../b",
        "/a/.hidden/",
    ] {
        assert!(
            matches!(normalize_path(raw), Ok(Cow::Borrowed(p)) if p == raw),
            "{raw:?}"
        );
    }
    assert_norm("/%2e%2e%2e", "/...");
    assert_norm("/%2e%2ea", "/..a");
}

#[test]
fn collapses_repeated_slashes() {
    assert_norm("//", "/");
    assert_norm("///", "/");
    assert_norm("//a//b", "/a/b");
    assert_norm("/a///b/", "/a/b/");
    assert_norm("/a//", "/a/");
    assert_norm("//evil.example/x", "/evil.example/x");
    // Empty segments go before `..` is applied.
    assert_norm("/a//../b", "/b");
    assert_norm("/a/b//..//c", "/a/c");
}

#[test]
fn keeps_trailing_slash() {
    assert_norm("/a/", "/a/");
    assert_norm("/a/b/", "/a/b/");
    assert_norm("/a/b", "/a/b");
    assert_norm("/a/./b/", "/a/b/");
    assert_norm("/a/b/%2e", "/a/b/");
    assert_norm("/a/b/%2e%2e/", "/a/");
}

#[test]
fn normal_paths_are_borrowed() {
    for raw in [
        "/",
        "/a",
        "/a/",
        "/a/b/c",
        "/a/b/c/",
        "/a.b",
        "/%3A",
        "/%C3%A9",
        "/%25",
        "/a-b_c~d",
        "/Admin",
        "/a:b@c!$&'()*+,=",
    ] {
        assert!(
            matches!(normalize_path(raw), Ok(Cow::Borrowed(p)) if p == raw),
            "{raw:?} should be borrowed unchanged"
        );
    }
}

#[test]
fn rewritten_paths_are_owned() {
    for raw in ["/a//b", "/a/./b", "/%41", "/%3a", "/a/../b", "//"] {
        assert!(
            matches!(normalize_path(raw), Ok(Cow::Owned(_))),
            "{raw:?} should be owned"
        );
    }
}

#[test]
fn normalising_is_idempotent() {
    for raw in [
        "",
        "/",
        "//",
        "/a/b/../c/",
        "/a/%2e%2E/b",
        "/%61%62%3a%3A",
        "/a//b///c",
        "/a/b/..",
        "/a/.",
        "/x/%C3%a9/./y",
        "/%7e/%7E/~",
        "/.../..a/a../",
        "/a/%2e%2e%2e/b",
    ] {
        let Ok(once) = normalize_path(raw) else {
            panic!("{raw:?} should normalise");
        };
        assert!(
            matches!(normalize_path(&once), Ok(Cow::Borrowed(p)) if p == once),
            "{raw:?} -> {once:?} is not a fixpoint"
        );
    }
}

#[test]
fn matching_is_case_sensitive() {
    let table = RouteTable::new(vec![rule("/admin/", None, admin())], Access::Public);
    assert_eq!(table.access_for(&Method::GET, "/admin/x"), &admin());
    assert_eq!(table.access_for(&Method::GET, "/Admin/x"), &Access::Public);
    assert_eq!(table.access_for(&Method::GET, "/ADMIN"), &Access::Public);
}

/// Random strings from small alphabets heavy on the characters that
/// matter, checked against the invariants of the normal form. The second
/// alphabet has no `;` or `\`, so that more inputs get past the refusals
/// and exercise dot segments and `..` above the root.
#[test]
fn random_paths_keep_the_invariants() {
    let alphabets: [&[u8]; 2] = [b"/.%2efaA;\\5cE0/.", b"/./.%2eEa/"];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for alphabet in alphabets {
        let mut accepted = 0;
        let mut rewritten = 0;
        let mut above_root = 0;
        for _ in 0..20_000 {
            let len = (next() % 14) as usize;
            let mut raw = String::with_capacity(len + 1);
            // Most inputs start with '/', so that the rest of the rules
            // get exercised rather than NotAbsolute.
            if next() % 8 != 0 {
                raw.push('/');
            }
            for _ in 0..len {
                let index = (next() % alphabet.len() as u64) as usize;
                raw.push(char::from(alphabet[index]));
            }
            let out = match normalize_path(&raw) {
                Ok(out) => out,
                Err(PathError::AboveRoot) => {
                    above_root += 1;
                    continue;
                }
                Err(_) => continue,
            };
            accepted += 1;
            if matches!(out, Cow::Borrowed(_)) {
                assert_eq!(out, raw, "borrowed output must equal the input");
            } else {
                rewritten += 1;
            }
            assert!(out.starts_with('/'), "{raw:?} -> {out:?}");
            for bad in ["//", "/./", "/../"] {
                assert!(!out.contains(bad), "{raw:?} -> {out:?} contains {bad:?}");
            }
            assert!(
                !out.ends_with("/.") && !out.ends_with("/.."),
                "{raw:?} -> {out:?}"
            );
            assert!(
                matches!(normalize_path(&out), Ok(Cow::Borrowed(p)) if p == out),
                "{raw:?} -> {out:?} is not a fixpoint"
            );
        }
        // Guard against an alphabet or a generator that tests nothing.
        assert!(accepted > 2_000, "only {accepted} accepted");
        assert!(rewritten > 500, "only {rewritten} rewritten");
        assert!(above_root > 10, "only {above_root} above the root");
    }
}

// === RouteTable ===

fn rule(prefix: &str, methods: Option<&[Method]>, access: Access) -> RouteRule {
    RouteRule {
        prefix: prefix.to_owned(),
        methods: methods.map(|m| m.to_vec().into_boxed_slice()),
        access,
    }
}

fn admin() -> Access {
    Access::AnyRole(vec!["admin".to_owned()].into_boxed_slice())
}

fn role(name: &str) -> Access {
    Access::AnyRole(vec![name.to_owned()].into_boxed_slice())
}

/// The demo configuration's shape.
fn demo_table() -> RouteTable {
    RouteTable::new(
        vec![
            rule("/public/", None, Access::Public),
            rule("/admin/", None, admin()),
        ],
        Access::Authenticated,
    )
}

/// Normalises, then looks up, as the proxy does.
fn decide(table: &RouteTable, method: &Method, raw: &str) -> Result<Access, PathError> {
    let path = normalize_path(raw)?;
    Ok(table.access_for(method, &path).clone())
}

#[test]
fn rule_prefixes_are_normal() {
    for prefix in ["/", "/public/", "/admin/", "/api/v1"] {
        assert!(matches!(normalize_path(prefix), Ok(Cow::Borrowed(_))));
    }
}

#[test]
fn longest_prefix_wins() {
    let table = RouteTable::new(
        vec![
            rule("/api/", None, Access::Authenticated),
            rule("/api/v1/admin/", None, admin()),
            rule("/api/v1/", None, Access::Public),
        ],
        Access::Authenticated,
    );
    let get = Method::GET;
    assert_eq!(table.access_for(&get, "/api/v1/admin/x"), &admin());
    assert_eq!(table.access_for(&get, "/api/v1/admin"), &admin());
    assert_eq!(table.access_for(&get, "/api/v1/x"), &Access::Public);
    assert_eq!(table.access_for(&get, "/api/v2/x"), &Access::Authenticated);
    assert_eq!(
        table.access_for(&get, "/api/v1admin"),
        &Access::Authenticated
    );
    let order: Vec<&str> = table.rules().iter().map(|r| r.prefix.as_str()).collect();
    assert_eq!(order, ["/api/v1/admin/", "/api/v1/", "/api/"]);
}

#[test]
fn methods_filter_rules() {
    let table = RouteTable::new(
        vec![
            rule("/docs/", Some(&[Method::GET, Method::HEAD]), Access::Public),
            rule("/docs/edit/", Some(&[Method::POST]), role("editor")),
        ],
        Access::Authenticated,
    );
    assert_eq!(table.access_for(&Method::GET, "/docs/a"), &Access::Public);
    assert_eq!(table.access_for(&Method::HEAD, "/docs/a"), &Access::Public);
    assert_eq!(
        table.access_for(&Method::POST, "/docs/a"),
        &Access::Authenticated
    );
    // The longer rule does not apply to GET, so the shorter one does.
    assert_eq!(
        table.access_for(&Method::GET, "/docs/edit/a"),
        &Access::Public
    );
    assert_eq!(
        table.access_for(&Method::POST, "/docs/edit/a"),
        &role("editor")
    );
    assert_eq!(
        table.access_for(&Method::DELETE, "/docs/edit/a"),
        &Access::Authenticated
    );
}

#[test]
fn get_does_not_imply_head() {
    let table = RouteTable::new(
        vec![rule("/p/", Some(&[Method::GET]), Access::Public)],
        Access::Authenticated,
    );
    assert_eq!(
        table.access_for(&Method::HEAD, "/p/x"),
        &Access::Authenticated
    );
}

#[test]
fn method_specific_rule_wins_a_tie() {
    let table = RouteTable::new(
        vec![
            rule("/x/", None, Access::Authenticated),
            rule("/x", Some(&[Method::GET]), Access::Public),
        ],
        Access::Authenticated,
    );
    assert_eq!(table.access_for(&Method::GET, "/x/a"), &Access::Public);
    assert_eq!(
        table.access_for(&Method::PUT, "/x/a"),
        &Access::Authenticated
    );
}

#[test]
fn equal_rules_keep_configuration_order() {
    let table = RouteTable::new(
        vec![
            rule("/x/", None, role("first")),
            rule("/x", None, role("second")),
        ],
        Access::Public,
    );
    assert_eq!(table.access_for(&Method::GET, "/x/a"), &role("first"));
}

#[test]
fn prefixes_match_on_segment_boundaries() {
    for prefix in ["/admin", "/admin/"] {
        let table = RouteTable::new(vec![rule(prefix, None, admin())], Access::Public);
        for path in ["/admin", "/admin/", "/admin/x", "/admin/x/y"] {
            assert_eq!(
                table.access_for(&Method::GET, path),
                &admin(),
                "{prefix} {path}"
            );
        }
        for path in ["/administrator", "/admin-x", "/admin.html", "/", "/x/admin"] {
            assert_eq!(
                table.access_for(&Method::GET, path),
                &Access::Public,
                "{prefix} {path}"
            );
        }
    }
}

#[test]
fn default_applies_when_nothing_matches() {
    let table = RouteTable::new(Vec::new(), role("anyone"));
    assert_eq!(table.access_for(&Method::GET, "/x"), &role("anyone"));
    assert_eq!(table.default_access(), &role("anyone"));
    assert!(table.rules().is_empty());
}

#[test]
fn root_rule_matches_everything() {
    let table = RouteTable::new(
        vec![
            rule("/", None, Access::Public),
            rule("/private/", None, Access::Authenticated),
        ],
        admin(),
    );
    for path in ["/", "/x", "/x/y/", "/privateer"] {
        assert_eq!(
            table.access_for(&Method::GET, path),
            &Access::Public,
            "{path}"
        );
    }
    assert_eq!(
        table.access_for(&Method::GET, "/private"),
        &Access::Authenticated
    );
}

#[test]
fn tricky_paths_against_public_and_admin_routes() {
    let table = demo_table();
    let get = Method::GET;
    for raw in [
        "/public/../admin/x",
        "/public/%2e%2e/admin",
        "/public/%2E%2e/admin/",
        "/public/.%2e/admin/x",
        "/public/./../admin",
        "/public//../admin",
        "//admin",
        "/admin",
        "/%61dmin/x",
        "/public/x/../../admin",
    ] {
        assert_eq!(decide(&table, &get, raw), Ok(admin()), "{raw:?}");
    }
    assert_eq!(norm("/public/../admin/x"), Ok("/admin/x".to_owned()));
    assert_refused("/public/..%2fadmin", PathError::EncodedSlash);
    assert_refused("/public/..%2Fadmin", PathError::EncodedSlash);
    assert_refused("/public/..%5cadmin", PathError::EncodedBackslash);
    assert_refused("/public/..\\admin", PathError::Backslash);
    assert_refused("/public/..;/admin", PathError::Semicolon);
    assert_refused("/public/%2e%2e%3b/admin", PathError::EncodedSemicolon);
    assert_refused("/public/%C0%AE%C0%AE/admin", PathError::EncodedInvalidUtf8);
    assert_refused("/public/../../admin", PathError::AboveRoot);
    // Paths that stay public.
    for raw in ["/public/", "/public", "/public/a/../b", "/public/%2E/x"] {
        assert_eq!(decide(&table, &get, raw), Ok(Access::Public), "{raw:?}");
    }
    // Near misses fall to the default, not to either route.
    for raw in ["/publicity", "/administrator", "/Admin/x", "/PUBLIC/x"] {
        assert_eq!(
            decide(&table, &get, raw),
            Ok(Access::Authenticated),
            "{raw:?}"
        );
    }
}

#[test]
fn is_public() {
    assert!(Access::Public.is_public());
    assert!(!Access::Authenticated.is_public());
    assert!(!admin().is_public());
}
