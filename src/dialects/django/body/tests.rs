//! Form decoding details, as Django's `QueryDict` gives them.

use super::*;
use crate::dialects::django::pyjson::lookup;

#[test]
fn form_decoding_details() {
    let pairs = parse_form("a=%D0%B6+%zz&b=%D0ж%B6&=v&c".as_bytes()).unwrap();
    let get = |k: &str| match lookup(&pairs, k) {
        Some(PyValue::Str(s)) => s.text.clone(),
        other => panic!("{k}: {other:?}"),
    };
    assert_eq!(get("a"), "ж %zz");
    assert_eq!(get("b"), "\u{fffd}ж\u{fffd}");
    assert_eq!(get(""), "v");
    assert_eq!(get("c"), "");
    let latin = parse_form(b"a=\xe9").unwrap();
    assert_eq!(
        lookup(&latin, "a"),
        Some(&PyValue::Str(PyStr::plain("é".into())))
    );
}
