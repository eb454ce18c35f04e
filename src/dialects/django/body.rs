//! `request.data` for a POST: DRF's three parsers picked by `Content-Type` (415 for
//! others): JSON (`pyjson`), form bodies decoded as Django's `QueryDict` does, and
//! multipart as Django's `MultiPartParser` does for ordinary forms; Django's field limit.

use std::borrow::Cow;

use http::header::CONTENT_TYPE;

use super::negotiation::{
    latin1, media_type_matches, parse_header, strip_ascii, unquote, HeaderParams,
};
use super::pyjson::{parse_json, JsonFailure, PyStr, PyValue};
use super::render::{bad_request_page, detail, server_error};
use super::texts::Texts;
use crate::dialects::DialectRequest;
use crate::respond::LocalResponse;

/// `request.data` for a POST, or the response DRF gives when it cannot be parsed.
pub(super) fn request_data(
    request: &DialectRequest<'_>,
    texts: Texts,
) -> Result<PyValue, LocalResponse> {
    // DRF: no content (CONTENT_LENGTH 0) is an empty dict, whatever the content type.
    if request.body.is_empty() {
        return Ok(PyValue::Dict(Vec::new()));
    }
    // A missing Content-Type reads as an empty one, as under gunicorn, which leaves
    // CONTENT_TYPE out of the WSGI environ (Django's runserver, wsgiref, fills in
    // `text/plain`; `tests/captures/gunicorn.json`).
    let content_type: &[u8] = request
        .headers
        .get(CONTENT_TYPE)
        .map_or(b"", |value| value.as_bytes());
    if media_type_matches("application/json", content_type) {
        parse_json(request.body).map_err(|failure| match failure {
            JsonFailure::Message(message) => detail(400, &format!("JSON parse error - {message}")),
            JsonFailure::Recursion => server_error(),
        })
    } else if media_type_matches("application/x-www-form-urlencoded", content_type) {
        match parse_form(request.body) {
            Some(pairs) => Ok(PyValue::Dict(pairs)),
            None => Err(bad_request_page()),
        }
    } else if media_type_matches("multipart/form-data", content_type) {
        match parse_multipart(content_type, request.body) {
            Ok(pairs) => Ok(PyValue::Dict(pairs)),
            Err(MultipartFailure::Message(message)) => Err(detail(
                400,
                &format!("Multipart form parse error - {message}"),
            )),
            Err(MultipartFailure::TooManyFields) => Err(bad_request_page()),
        }
    } else {
        Err(detail(
            415,
            &texts.unsupported_media_type(&latin1(content_type)),
        ))
    }
}

/// Django's DATA_UPLOAD_MAX_NUMBER_FIELDS.
const MAX_FIELDS: usize = 1000;

/// Django's `QueryDict(body)`; `None` for more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields.
fn parse_form(body: &[u8]) -> Option<Vec<(PyStr, PyValue)>> {
    let text = match std::str::from_utf8(body) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(latin1(body)),
    };
    if !text.is_empty() && 1 + text.matches('&').count() > MAX_FIELDS {
        return None;
    }
    let mut pairs = Vec::new();
    for item in text.split('&') {
        if item.is_empty() {
            continue;
        }
        let (name, value) = item.split_once('=').unwrap_or((item, ""));
        let name = unquote(&name.replace('+', " "));
        let value = unquote(&value.replace('+', " "));
        pairs.push((PyStr::plain(name), PyValue::Str(PyStr::plain(value))));
    }
    Some(pairs)
}

enum MultipartFailure {
    Message(String),
    TooManyFields,
}

fn find_bytes(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn split_crlf(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut from = 0;
    while let Some(at) = find_bytes(bytes, b"\r\n", from) {
        lines.push(&bytes[from..at]);
        from = at + 2;
    }
    lines.push(&bytes[from..]);
    lines
}

/// Django's `cgi.valid_boundary`: `^[ -~]{0,200}[!-~]$`.
fn valid_boundary(boundary: &[u8]) -> bool {
    match boundary.split_last() {
        Some((last, rest)) => {
            rest.len() <= 200
                && rest.iter().all(|b| (b' '..=b'~').contains(b))
                && (b'!'..=b'~').contains(last)
        }
        None => false,
    }
}

/// Django's MultiPartParser for ordinary forms: fields first, then uploads (as DRF's
/// `request.data` merges them).
fn parse_multipart(
    content_type: &[u8],
    body: &[u8],
) -> Result<Vec<(PyStr, PyValue)>, MultipartFailure> {
    let shown = latin1(content_type);
    if !content_type.starts_with(b"multipart/") {
        return Err(MultipartFailure::Message(format!(
            "Invalid Content-Type: {shown}"
        )));
    }
    if !content_type.is_ascii() {
        return Err(MultipartFailure::Message(format!(
            "Invalid non-ASCII Content-Type in multipart: {shown}"
        )));
    }
    let params = parse_header(content_type)
        .map(|(_, p)| p)
        .unwrap_or_default();
    let boundary = params
        .iter()
        .rev()
        .find(|(name, _)| name == "boundary")
        .map(|(_, value)| value.clone());
    let boundary = match boundary {
        Some(b) if valid_boundary(&b) => b,
        Some(b) => {
            return Err(MultipartFailure::Message(format!(
                "Invalid boundary in multipart: {}",
                String::from_utf8_lossy(&b)
            )))
        }
        None => {
            return Err(MultipartFailure::Message(
                "Invalid boundary in multipart: None".into(),
            ))
        }
    };
    let mut separator = b"--".to_vec();
    separator.extend_from_slice(&boundary);

    let mut positions = Vec::new();
    let mut from = 0;
    while let Some(at) = find_bytes(body, &separator, from) {
        positions.push(at);
        from = at + separator.len();
    }
    let mut fields = Vec::new();
    let mut files = Vec::new();
    for (n, &at) in positions.iter().enumerate() {
        let start = at + separator.len();
        let mut end = positions.get(n + 1).copied().unwrap_or(body.len());
        if positions.get(n + 1).is_some() {
            if end > start && body[end - 1] == b'\n' {
                end -= 1;
            }
            if end > start && body[end - 1] == b'\r' {
                end -= 1;
            }
        }
        let part = &body[start..end.max(start)];
        // The header block must end within the first 1024 bytes.
        let head = &part[..part.len().min(1024)];
        let Some(header_end) = find_bytes(head, b"\r\n\r\n", 0) else {
            continue;
        };
        let data = &part[header_end + 4..];
        let mut disposition: Option<HeaderParams> = None;
        for line in split_crlf(&part[..header_end]) {
            let Some((main, params)) = parse_header(line) else {
                continue;
            };
            let Some((name, _)) = main.split_once(':') else {
                continue;
            };
            if name == "content-disposition" {
                disposition = Some(params);
            }
        }
        let Some(params) = disposition else {
            continue;
        };
        let get = |key: &str| {
            params
                .iter()
                .rev()
                .find(|(name, _)| name == key)
                .map(|(_, v)| v.as_slice())
        };
        let Some(name) = get("name") else {
            continue;
        };
        let name = String::from_utf8_lossy(strip_ascii(name)).into_owned();
        match get("filename") {
            Some(file_name) if !file_name.is_empty() => {
                let file_name = String::from_utf8_lossy(file_name);
                let base = file_name
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .rsplit('\\')
                    .next()
                    .unwrap_or("");
                if !matches!(base, "" | "." | "..") {
                    files.push((PyStr::plain(name), PyValue::File));
                }
            }
            _ => {
                if fields.len() >= MAX_FIELDS {
                    return Err(MultipartFailure::TooManyFields);
                }
                let value = String::from_utf8_lossy(data).into_owned();
                fields.push((PyStr::plain(name), PyValue::Str(PyStr::plain(value))));
            }
        }
    }
    fields.extend(files);
    Ok(fields)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
