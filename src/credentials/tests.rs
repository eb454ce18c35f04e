use super::*;

const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";

fn rules() -> CredentialRules {
    CredentialRules {
        bearer: true,
        basic: true,
        header_pair: true,
        username_header: HeaderName::from_static("user-name"),
        password_header: HeaderName::from_static("password"),
        token_header: Some(HeaderName::from_static("x-auth-token")),
        cookie: Some("gh_token".into()),
        max_token_bytes: 8192,
    }
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    map
}

#[test]
fn finds_each_kind() {
    let r = rules();
    let h = headers(&[("authorization", &format!("bearer {JWT}"))]);
    assert_eq!(
        r.extract(&h).unwrap(),
        Some(Presented::Token {
            kind: CredentialKind::Bearer,
            token: JWT
        })
    );
    let h = headers(&[("authorization", "Basic YWRtaW46bWFzdGVya2V5")]);
    assert_eq!(
        r.extract(&h).unwrap(),
        Some(Presented::Basic {
            encoded: "YWRtaW46bWFzdGVya2V5"
        })
    );
    let h = headers(&[("User-Name", "test"), ("Password", "test")]);
    assert_eq!(
        r.extract(&h).unwrap(),
        Some(Presented::HeaderPair {
            username: b"test",
            password: b"test"
        })
    );
    let h = headers(&[("x-auth-token", JWT)]);
    assert_eq!(
        r.extract(&h).unwrap().unwrap().kind(),
        CredentialKind::TokenHeader
    );
    let h = headers(&[("cookie", &format!("a=b; gh_token={JWT}; c=d"))]);
    assert_eq!(
        r.extract(&h).unwrap(),
        Some(Presented::Token {
            kind: CredentialKind::Cookie,
            token: JWT
        })
    );
    assert_eq!(r.extract(&HeaderMap::new()).unwrap(), None);
}

#[test]
fn refuses_what_it_cannot_read() {
    let r = rules();
    let cases: &[(&[(&str, &str)], CredentialError)] = &[
        (
            &[("authorization", "Digest x")],
            CredentialError::UnsupportedScheme("Bearer or Basic"),
        ),
        (
            &[("authorization", "Bearer")],
            CredentialError::Empty("Bearer"),
        ),
        (&[("authorization", "Bearer a.b")], CredentialError::NotAJwt),
        (
            &[("authorization", "Bearer a.b.c.d")],
            CredentialError::NotAJwt,
        ),
        (
            &[("authorization", "Bearer a..c")],
            CredentialError::NotAJwt,
        ),
        (
            &[("authorization", "Basic x"), ("authorization", "Basic y")],
            CredentialError::Repeated("Authorization".into()),
        ),
        (
            &[("user-name", "a")],
            CredentialError::HalfPair {
                present: "User-Name".into(),
                missing: "Password".into(),
            },
        ),
        (
            &[("password", "a")],
            CredentialError::HalfPair {
                present: "Password".into(),
                missing: "User-Name".into(),
            },
        ),
    ];
    for (pairs, expected) in cases {
        assert_eq!(
            r.extract(&headers(pairs)).unwrap_err(),
            *expected,
            "{pairs:?}"
        );
    }
    let mut r = rules();
    r.basic = false;
    assert_eq!(
        r.extract(&headers(&[("authorization", "Basic YTpi")]))
            .unwrap_err(),
        CredentialError::Disabled("Basic")
    );
    r.max_token_bytes = 10;
    assert_eq!(
        r.extract(&headers(&[("authorization", &format!("Bearer {JWT}"))]))
            .unwrap_err(),
        CredentialError::TokenTooLong(10)
    );
}

#[test]
fn basic_decoding() {
    assert_eq!(
        decode_basic("YWRtaW46bWFzdGVya2V5").unwrap(),
        ("admin".into(), b"masterkey".to_vec())
    );
    // Colons belong to the password.
    assert_eq!(
        decode_basic("YTpiOmM=").unwrap(),
        ("a".into(), b"b:c".to_vec())
    );
    assert_eq!(
        decode_basic("!!!").unwrap_err(),
        CredentialError::MalformedBasic
    );
    assert_eq!(
        decode_basic("bm9jb2xvbg==").unwrap_err(),
        CredentialError::MalformedBasic
    );
}

#[test]
fn debug_is_redacted() {
    let p = Presented::HeaderPair {
        username: b"admin",
        password: b"masterkey",
    };
    assert!(!format!("{p:?}").contains("masterkey"));
}

#[test]
fn jwt_shape_check_matches_its_definition() {
    // The definition, written plainly: three non-empty base64url segments.
    fn reference(token: &str) -> bool {
        let parts: Vec<&str> = token.split('.').collect();
        parts.len() == 3
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
    }
    // Mostly base64url bytes with some dots and a few others, in 1 to 4 segments.
    let alphabet = b"abcXYZ019-_abcXYZ019-_.=+/ %\x80";
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |below: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % below
    };
    let mut shaped = 0;
    for _ in 0..20_000 {
        let segments: Vec<String> = (0..1 + next(4))
            .map(|_| {
                (0..next(5))
                    .map(|_| alphabet[next(alphabet.len() as u64) as usize] as char)
                    .collect()
            })
            .collect();
        let token = segments.join(".");
        assert_eq!(looks_like_jwt(&token), reference(&token), "{token:?}");
        shaped += usize::from(reference(&token));
    }
    assert!(
        shaped > 100,
        "the inputs must include JWT-shaped ones ({shaped})"
    );
    for token in [
        "a.b.c",
        "eyJ.eyJ.sig_-",
        "",
        ".",
        "..",
        "a.b.",
        ".b.c",
        "a..c",
        "a.b.c.d",
        "a.b.c.",
    ] {
        assert_eq!(looks_like_jwt(token), reference(token), "{token:?}");
    }
}

#[test]
fn password_parts_decode_basic_once_and_borrow_the_header_pair() {
    // "alice:pa:ss" — everything after the first colon is the password.
    let basic = Presented::Basic {
        encoded: "YWxpY2U6cGE6c3M=",
    };
    let parts = basic.password_parts().unwrap().unwrap();
    assert_eq!(&*parts.username, b"alice");
    assert_eq!(&*parts.password, b"pa:ss");
    let pair = Presented::HeaderPair {
        username: b"bob",
        password: b"secret",
    };
    let parts = pair.password_parts().unwrap().unwrap();
    assert!(matches!(parts.username, Cow::Borrowed(b"bob")));
    assert!(matches!(parts.password, Cow::Borrowed(b"secret")));
    assert!(!format!("{parts:?}").contains("secret"));
    let malformed = Presented::Basic {
        encoded: "bm9jb2xvbg==",
    }; // "nocolon"
    assert_eq!(
        malformed.password_parts(),
        Some(Err(CredentialError::MalformedBasic))
    );
    let token = Presented::Token {
        kind: CredentialKind::Bearer,
        token: "a.b.c",
    };
    assert_eq!(token.password_parts(), None);
}
