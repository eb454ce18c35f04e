use super::*;
use crate::users::PasswordHash;

fn user() -> Arc<User> {
    Arc::new(User {
        username: "admin".into(),
        id: Some(1),
        email: Some("admin@example.com".into()),
        roles: vec!["admin".into(), "ops".into()],
        active: true,
        password: PasswordHash::parse(&crate::users::hash_password(b"x").unwrap()).unwrap(),
    })
}

#[test]
fn pairs_carry_store_values() {
    let headers = IdentityHeaders::default();
    let identity = Identity::new(Arc::new(Principal::new(user())), AuthMethod::Basic);
    let pairs: Vec<(String, String)> = headers
        .pairs(&identity)
        .map(|(n, v)| {
            (
                String::from_utf8(n.to_vec()).unwrap(),
                v.to_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("x-auth-user".into(), "admin".into()),
            ("x-auth-user-id".into(), "1".into()),
            ("x-auth-email".into(), "admin@example.com".into()),
            ("x-auth-roles".into(), "admin,ops".into()),
            ("x-auth-method".into(), "basic".into()),
        ]
    );
}

#[test]
fn identities_of_one_user_share_the_rendered_values() {
    let store = UserStore::new(vec![(*user()).clone()]);
    let principals = Principals::new(&store);
    let stored = store.by_username("admin").unwrap();
    assert!(Arc::ptr_eq(&principals.of(stored), &principals.of(stored)));
    // A user from elsewhere is never given the stored user's values.
    let stranger = user();
    assert!(!Arc::ptr_eq(
        &principals.of(&stranger),
        &principals.of(stored)
    ));
    assert!(Arc::ptr_eq(&principals.of(&stranger).user, &stranger));
}

#[test]
fn lookalikes_fold_case_and_underscores() {
    let headers = IdentityHeaders::default();
    for name in [
        "x-auth-user",
        "X-AUTH-USER",
        "x_auth_user",
        "X_Auth-User_Id",
        "x-auth-token_id",
    ] {
        assert!(headers.is_lookalike(name), "{name}");
    }
    for name in ["x-auth-users", "x-auth", "authorization", "x-forwarded-for"] {
        assert!(!headers.is_lookalike(name), "{name}");
    }
}

#[test]
fn hostile_token_ids_are_not_forwarded() {
    let headers = IdentityHeaders::default();
    let identity = Identity::of_token(
        Arc::new(Principal::new(user())),
        AuthMethod::Bearer,
        Some("a\r\nX-Auth-User: mallory"),
        None,
        u64::MAX,
    );
    assert!(headers
        .pairs(&identity)
        .all(|(n, _)| n != "x-auth-token-id"));
    assert_eq!(
        headers.pairs(&identity).count(),
        5,
        "every other header is still set"
    );
    assert!(identity.has_any_role(&["ops".to_string()]));
    assert!(!identity.has_any_role(&["root".to_string()]));
}
