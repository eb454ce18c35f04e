//! Python 3.11's `json` module against the parser: every message and position, as
//! Python gives them on the same bytes.

use super::*;

// Python 3.11 + DRF 3.14 JSONParser on each body (tests/captures/drfjwt_oracle/jsoncases.py):
// the error text after "JSON parse error - ", or the type of what was parsed.
const JSON_ORACLE: &[(&[u8], Result<&str, &str>)] = &[
    (b" ", Err("Expecting value: line 1 column 2 (char 1)")),
    (b"\n", Err("Expecting value: line 2 column 1 (char 1)")),
    (
        b"{",
        Err("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ),
    (b"}", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"[", Err("Expecting value: line 1 column 2 (char 1)")),
    (b"]", Err("Expecting value: line 1 column 1 (char 0)")),
    (
        b"[1",
        Err("Expecting ',' delimiter: line 1 column 3 (char 2)"),
    ),
    (b"[1,", Err("Expecting value: line 1 column 4 (char 3)")),
    (b"[1,]", Err("Expecting value: line 1 column 4 (char 3)")),
    (b"[,]", Err("Expecting value: line 1 column 2 (char 1)")),
    (
        b"[1 2]",
        Err("Expecting ',' delimiter: line 1 column 4 (char 3)"),
    ),
    (
        b"[1,2",
        Err("Expecting ',' delimiter: line 1 column 5 (char 4)"),
    ),
    (b"[ ]", Ok("list")),
    (b"[\n]x", Err("Extra data: line 2 column 2 (char 3)")),
    (
        b"{\"a\"",
        Err("Expecting ':' delimiter: line 1 column 5 (char 4)"),
    ),
    (b"{\"a\":", Err("Expecting value: line 1 column 6 (char 5)")),
    (
        b"{\"a\":1",
        Err("Expecting ',' delimiter: line 1 column 7 (char 6)"),
    ),
    (
        b"{\"a\":1,",
        Err("Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"),
    ),
    (
        b"{\"a\":1,}",
        Err("Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"),
    ),
    (
        b"{\"a\" 1}",
        Err("Expecting ':' delimiter: line 1 column 6 (char 5)"),
    ),
    (
        b"{1:2}",
        Err("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ),
    (b"{ }", Ok("dict")),
    (b"{\"a\":1}}", Err("Extra data: line 1 column 8 (char 7)")),
    (b"{\"a\":1} ", Ok("dict")),
    (
        b"\"abc",
        Err("Unterminated string starting at: line 1 column 1 (char 0)"),
    ),
    (
        b"\"abc\\",
        Err("Unterminated string starting at: line 1 column 1 (char 0)"),
    ),
    (
        b"\"\\u12\"",
        Err("Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
    ),
    (
        b"\"\\u12",
        Err("Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
    ),
    (
        b"\"\\u123\"",
        Err("Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
    ),
    (b"\"\\u1234\"x", Err("Extra data: line 1 column 9 (char 8)")),
    (
        b"\"\\uZZZZ\"",
        Err("Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
    ),
    (b"\"\\ud800\"", Ok("str")),
    (b"\"\\ud800\\udc00\"", Ok("str")),
    (b"\"\\ud800\\u0041\"", Ok("str")),
    (
        b"\"\\ud800\\uZZ00\"",
        Err("Invalid \\uXXXX escape: line 1 column 9 (char 8)"),
    ),
    (
        b"\"\\ud800\\",
        Err("Unterminated string starting at: line 1 column 1 (char 0)"),
    ),
    (
        b"\"\\ud800\\u",
        Err("Invalid \\uXXXX escape: line 1 column 9 (char 8)"),
    ),
    (
        b"\"\\ud800\\udc0",
        Err("Invalid \\uXXXX escape: line 1 column 9 (char 8)"),
    ),
    (
        b"\"\\ud800\\udc00",
        Err("Invalid \\uXXXX escape: line 1 column 9 (char 8)"),
    ),
    (
        b"\"\\x\"",
        Err("Invalid \\escape: line 1 column 2 (char 1)"),
    ),
    (
        b"\"a\x09b\"",
        Err("Invalid control character at: line 1 column 3 (char 2)"),
    ),
    (b"\"a\x7fb\"", Ok("str")),
    (b"nul", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"null", Ok("NoneType")),
    (b"nulll", Err("Extra data: line 1 column 5 (char 4)")),
    (b"tru", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"true", Ok("bool")),
    (b"True", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"fals", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"false", Ok("bool")),
    (
        b"NaN",
        Err("Out of range float values are not JSON compliant: 'NaN'"),
    ),
    (
        b"Infinity",
        Err("Out of range float values are not JSON compliant: 'Infinity'"),
    ),
    (
        b"-Infinity",
        Err("Out of range float values are not JSON compliant: '-Infinity'"),
    ),
    (b"-Inf", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"-", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"-a", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"--1", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"01", Err("Extra data: line 1 column 2 (char 1)")),
    (b"1.", Err("Extra data: line 1 column 2 (char 1)")),
    (b"1.e5", Err("Extra data: line 1 column 2 (char 1)")),
    (b"1e", Err("Extra data: line 1 column 2 (char 1)")),
    (b"1e+", Err("Extra data: line 1 column 2 (char 1)")),
    (b"1e+5", Ok("float")),
    (b"1E-5x", Err("Extra data: line 1 column 5 (char 4)")),
    (b".5", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"-0", Ok("int")),
    (b"-0.0", Ok("float")),
    (b"1.5e999", Ok("float")),
    (b"0x10", Err("Extra data: line 1 column 2 (char 1)")),
    (b"+1", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"1 2", Err("Extra data: line 1 column 3 (char 2)")),
    (
        b"\"\xd0\xb6\xd0\xb6\"x",
        Err("Extra data: line 1 column 5 (char 4)"),
    ),
    (
        b"\xd0\xb6",
        Err("Expecting value: line 1 column 1 (char 0)"),
    ),
    (
        b"\xef\xbb\xbf{}",
        Err("Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"),
    ),
    (
        b"\xef\xbb\xbf",
        Err("Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"),
    ),
    (
        b"{\"a\":\"\xff\"}",
        Err("'utf-8' codec can't decode byte 0xff in position 6: invalid start byte"),
    ),
    (
        b"{\"a\":\"\xc3\"}",
        Err("'utf-8' codec can't decode byte 0xc3 in position 6: invalid continuation byte"),
    ),
    (
        b"{\"a\":\"\xc3",
        Err("Unterminated string starting at: line 1 column 6 (char 5)"),
    ),
    (b"{\"a\":\"b\"}\xc3", Ok("dict")),
    (b"{\"a\":\"b\"}\xe2\x82", Ok("dict")),
    (
        b"{\"a\":\"b\"}\xe2(",
        Err("'utf-8' codec can't decode byte 0xe2 in position 9: invalid continuation byte"),
    ),
    (b"{\"a\":\"b\"}\xed\xa0", Ok("dict")),
    (
        b"{\"a\":\"b\"}\xed\xa0\x80",
        Err("'utf-8' codec can't decode byte 0xed in position 9: invalid continuation byte"),
    ),
    (
        b"\xe0\x80",
        Err("'utf-8' codec can't decode byte 0xe0 in position 0: invalid continuation byte"),
    ),
    (
        b"\xe0\xa0",
        Err("Expecting value: line 1 column 1 (char 0)"),
    ),
    (b"{\"a\":\"b\"}\xf0\x90\x80", Ok("dict")),
    (
        b"{\"a\":\"b\"}\xf0\x80",
        Err("'utf-8' codec can't decode byte 0xf0 in position 9: invalid continuation byte"),
    ),
    (
        b"{\"a\":\"b\"}\xf4\x90",
        Err("'utf-8' codec can't decode byte 0xf4 in position 9: invalid continuation byte"),
    ),
    (
        b"{\"a\":\"b\"}\xf0\x90(",
        Err("'utf-8' codec can't decode bytes in position 9-10: invalid continuation byte"),
    ),
    (
        b"{\"a\":\"b\"}\xf0\x90\x80(",
        Err("'utf-8' codec can't decode bytes in position 9-11: invalid continuation byte"),
    ),
    (
        b"\xc0\xaf",
        Err("'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte"),
    ),
    (
        b"\x80",
        Err("'utf-8' codec can't decode byte 0x80 in position 0: invalid start byte"),
    ),
    (
        b"\xf5",
        Err("'utf-8' codec can't decode byte 0xf5 in position 0: invalid start byte"),
    ),
    (
        b"\xe2\x82(",
        Err("'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"),
    ),
    (
        b"{\"a\":\n\n  }",
        Err("Expecting value: line 3 column 3 (char 9)"),
    ),
    (
        b"\n\n{\"a\" x}",
        Err("Expecting ':' delimiter: line 3 column 6 (char 7)"),
    ),
    (
        b"{\"a\":\"\xd0\xb6\xd0\xb6\",,}",
        Err("Expecting property name enclosed in double quotes: line 1 column 11 (char 10)"),
    ),
    (b"[1]\x0d\n\x09 ", Ok("list")),
    (
        b"\x09\x0d\n [1] x",
        Err("Extra data: line 2 column 6 (char 8)"),
    ),
    (b"\x0b[1]", Err("Expecting value: line 1 column 1 (char 0)")),
    (b"[1]\x0c", Err("Extra data: line 1 column 4 (char 3)")),
    (
        b"\xc2\xa0[1]",
        Err("Expecting value: line 1 column 1 (char 0)"),
    ),
    (b"{\"a\":[1,{\"b\":null}],\"c\":true}", Ok("dict")),
    (b"\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"", Ok("str")),
    (b"123", Ok("int")),
    (b"-12.5e-3", Ok("float")),
    (b"[-]", Err("Expecting value: line 1 column 2 (char 1)")),
    (
        b"[-1.]",
        Err("Expecting ',' delimiter: line 1 column 4 (char 3)"),
    ),
    (
        b"[1.5.]",
        Err("Expecting ',' delimiter: line 1 column 5 (char 4)"),
    ),
];

#[test]
fn json_integers_keep_their_digits() {
    assert_eq!(parse_json(b"-0").ok(), Some(PyValue::Int("0".into())));
    assert_eq!(
        parse_json(b"123456789012345678901234567890").ok(),
        Some(PyValue::Int("123456789012345678901234567890".into()))
    );
}

#[test]
fn json_errors_match_python() {
    for (body, expected) in JSON_ORACLE {
        let got = match parse_json(body) {
            Ok(value) => Ok(value.type_name()),
            Err(JsonFailure::Message(m)) => Err(m),
            Err(JsonFailure::Recursion) => Err("recursion".into()),
        };
        match (expected, &got) {
            (Ok(t), Ok(g)) => assert_eq!(t, g, "{:?}", String::from_utf8_lossy(body)),
            (Err(e), Err(g)) => assert_eq!(e, g, "{:?}", String::from_utf8_lossy(body)),
            _ => panic!(
                "{:?}: expected {expected:?}, got {got:?}",
                String::from_utf8_lossy(body)
            ),
        }
    }
}

#[test]
fn json_strings_decode_like_python() {
    let s = |body: &[u8]| match parse_json(body).ok() {
        Some(PyValue::Str(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(s(br#""\ud800\udc00""#), PyStr::plain("\u{10000}".into()));
    assert_eq!(
        s(br#""\/\b\f\n\r\t\"\\""#),
        PyStr::plain("/\u{8}\u{c}\n\r\t\"\\".into())
    );
    let lone = s(br#""\ud800\u0041""#);
    assert_eq!(
        (lone.text.as_str(), lone.surrogate),
        ("\u{fffd}A", Some(0xD800))
    );
    assert_eq!(
        s("\"жж\u{7f}\"".as_bytes()),
        PyStr::plain("жж\u{7f}".into())
    );
}

#[test]
fn json_duplicate_keys_last_wins() {
    let Ok(PyValue::Dict(pairs)) = parse_json(br#"{"a":1,"a":"x"}"#) else {
        panic!()
    };
    assert_eq!(
        lookup(&pairs, "a"),
        Some(&PyValue::Str(PyStr::plain("x".into())))
    );
}
