//! Header parsing, against Django's own `parse_header` on the same bytes.

use std::time::Duration;

use super::*;

#[test]
fn header_parameters_like_django() {
    // Expected values: Django 3.2's multipartparser.parse_header on the same bytes.
    let (main, params) = parse_header(b"Multipart/Form-Data; boundary=\"a;b\"; X=1; flag").unwrap();
    assert_eq!(main, "multipart/form-data");
    assert_eq!(
        params,
        vec![
            ("boundary".to_owned(), b"a;b".to_vec()),
            ("x".to_owned(), b"1".to_vec())
        ]
    );
    // Quotes are counted naively (an escaped quote counts), as Django does.
    let (_, params) = parse_header(b"m/f; boundary=\"a;b\\\"c\"; X=1; flag").unwrap();
    assert_eq!(
        params,
        vec![("boundary".to_owned(), b"\"a;b\\\"c\"; X=1; flag".to_vec())]
    );
    let (_, params) = parse_header(b"form-data; name*=UTF-8''%D0%B6").unwrap();
    assert_eq!(params, vec![("name".to_owned(), "ж".as_bytes().to_vec())]);
    assert!(parse_header("t\u{e9}xt/plain".as_bytes()).is_none());
    // Many separators inside an open quote: one linear pass.
    let mut hostile = b"application/json; a=\"".to_vec();
    hostile.extend(std::iter::repeat_n(b';', 200_000));
    let started = std::time::Instant::now();
    assert!(media_type_matches("application/json", &hostile));
    assert!(started.elapsed() < Duration::from_secs(2));
}
