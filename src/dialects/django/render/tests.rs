//! JSON strings as DRF writes them.

use super::*;

#[test]
fn json_bodies_escape_like_drf() {
    let mut out = String::new();
    push_json_string(&mut out, "a\"\\\n\u{1}\u{7f}ж\u{2028}\u{2029}/");
    assert_eq!(out, "\"a\\\"\\\\\\n\\u0001\u{7f}ж\\u2028\\u2029/\"");
}
