//! How DRF and Django write an answer: DRF's headers on every view answer, its
//! `{"detail"}`, field-error and `non_field_errors` bodies, compact JSON strings as
//! `json.dumps` writes them, and Django's stock HTML error pages.

use std::fmt::Write as _;

use bytes::Bytes;
use http::header::{HeaderValue, ALLOW, CONTENT_TYPE, RETRY_AFTER, VARY};

use crate::respond::LocalResponse;

/// The headers DRF puts on every answer of these views.
pub(crate) fn drf(status: u16, body: String) -> LocalResponse {
    LocalResponse::json_bytes(status, Bytes::from(body))
        .with_header(VARY, HeaderValue::from_static("Accept"))
        .with_header(ALLOW, HeaderValue::from_static("POST, OPTIONS"))
}

pub(crate) fn detail(status: u16, message: &str) -> LocalResponse {
    let mut body = String::from("{\"detail\":");
    push_json_string(&mut body, message);
    body.push('}');
    drf(status, body)
}

pub(crate) fn non_field_error(message: &str) -> LocalResponse {
    field_errors(&[("non_field_errors", vec![message.to_owned()])])
}

pub(super) fn field_errors(errors: &[(&str, Vec<String>)]) -> LocalResponse {
    let mut body = String::from("{");
    for (i, (field, messages)) in errors.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        push_json_string(&mut body, field);
        body.push_str(":[");
        for (j, message) in messages.iter().enumerate() {
            if j > 0 {
                body.push(',');
            }
            push_json_string(&mut body, message);
        }
        body.push(']');
    }
    body.push('}');
    drf(400, body)
}

/// A 200 whose body is an object of string members in the given order (`{"token":…}`,
/// `{"refresh":…,"access":…}`).
pub(crate) fn strings_body(pairs: &[(&str, &str)]) -> LocalResponse {
    let mut body = String::from("{");
    for (i, (name, token)) in pairs.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        push_json_string(&mut body, name);
        body.push(':');
        push_json_string(&mut body, token);
    }
    body.push('}');
    drf(200, body)
}

/// Django 3.2's stock error pages (`DEBUG = False`): `Content-Type: text/html`, no charset.
/// Django 4.2 names one ([`django42`]). Both as captured under gunicorn
/// (`tests/captures/gunicorn.json`).
fn django_page(status: u16, title: &str) -> LocalResponse {
    let body = format!(
        "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>{title}</title>\n</head>\n<body>\n  <h1>{title}</h1><p></p>\n</body>\n</html>\n"
    );
    LocalResponse {
        status,
        headers: vec![(CONTENT_TYPE, HeaderValue::from_static("text/html"))],
        body: Bytes::from(body),
    }
}

pub(crate) fn server_error() -> LocalResponse {
    django_page(500, "Server Error (500)")
}

pub(crate) fn bad_request_page() -> LocalResponse {
    django_page(400, "Bad Request (400)")
}

/// Python's `json.dumps(s, ensure_ascii=False)` plus DRF's U+2028/U+2029 escapes.
pub(crate) fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// DRF's `Throttled` answer: 429 with the dialect's detail text and `Retry-After`.
pub(crate) fn throttled(message: &str, retry_after_secs: u64) -> LocalResponse {
    detail(429, message).with_header(RETRY_AFTER, retry_after_secs.into())
}

/// A body over `[dialects] max_body_bytes`: Django's own refusal of too much request data
/// (`RequestDataTooBig`, over DATA_UPLOAD_MAX_MEMORY_SIZE), its `Bad Request (400)` page,
/// as the real stack answers a multipart body whose fields pass 2.5 MB. JSON and form
/// bodies of any size reach the libraries there (DRF reads them as a stream, past Django's
/// check), so the limit is gatehouse's own; it refuses in Django's shape. Django 3.2's
/// page; [`django42`] gives 4.2's.
pub(crate) fn too_large() -> LocalResponse {
    bad_request_page()
}

/// Django 4.2 serves its HTML pages (the 500, the 400 of a bad form) as
/// `text/html; charset=utf-8`; the pages above are Django 3.2's `text/html`.
pub(crate) fn django42(mut response: LocalResponse) -> LocalResponse {
    for (name, value) in &mut response.headers {
        if *name == CONTENT_TYPE && value.as_bytes() == b"text/html" {
            *value = HeaderValue::from_static("text/html; charset=utf-8");
        }
    }
    response
}

#[cfg(test)]
mod tests;
