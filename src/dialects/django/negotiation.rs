//! Content negotiation as DRF does it, on headers parsed as Django parses them: Django's
//! `parse_header` (Latin-1 values, `;` parameters, quotes, RFC 2231 `name*=`), DRF's media
//! type matching (for `Content-Type` against its parsers and `Accept` against its
//! renderers), and whether an `Accept` header can be satisfied (else 406).

use http::header::ACCEPT;

/// A header value as WSGI hands it to Django: Latin-1.
pub(super) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Python's `bytes.strip()`.
pub(super) fn strip_ascii(bytes: &[u8]) -> &[u8] {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end.max(start)]
}

/// Django's `_parse_header_params(b';' + line)`: `;`-separated pieces, quotes respected.
fn header_pieces(line: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut rest = line;
    let mut first = true;
    loop {
        if !first {
            if rest.first() != Some(&b';') {
                break;
            }
            rest = &rest[1..];
        }
        first = false;
        // The first `;` not inside quotes (an even number of `"` before it, or at 0).
        let mut quotes = 0usize;
        let mut end = rest.len();
        for (i, &b) in rest.iter().enumerate() {
            if b == b';' && (i == 0 || quotes % 2 == 0) {
                end = i;
                break;
            }
            if b == b'"' {
                quotes += 1;
            }
        }
        pieces.push(strip_ascii(&rest[..end]));
        rest = &rest[end..];
    }
    pieces
}

/// Header parameters: lower-cased names, raw values.
pub(super) type HeaderParams = Vec<(String, Vec<u8>)>;

/// Django's `parse_header`: the lower-cased main value and the parameters (names
/// lower-cased, values unquoted). `None` where Django raises (non-ASCII names).
pub(super) fn parse_header(line: &[u8]) -> Option<(String, HeaderParams)> {
    let pieces = header_pieces(line);
    let (first, params) = pieces.split_first()?;
    if !first.is_ascii() {
        return None;
    }
    let key = latin1(first).to_ascii_lowercase();
    let mut out = Vec::new();
    for piece in params {
        let Some(i) = piece.iter().position(|&b| b == b'=') else {
            continue;
        };
        let name = strip_ascii(&piece[..i]);
        if !name.is_ascii() {
            return None;
        }
        let mut name = latin1(name).to_ascii_lowercase();
        let mut has_encoding = false;
        if name.ends_with('*') {
            name.pop();
            has_encoding = piece.iter().filter(|&&b| b == b'\'').count() == 2;
        }
        let mut value = strip_ascii(&piece[i + 1..]).to_vec();
        if value.len() >= 2 && value.first() == Some(&b'"') && value.last() == Some(&b'"') {
            value = value[1..value.len() - 1].to_vec();
            value = replace_bytes(&value, b"\\\\", b"\\");
            value = replace_bytes(&value, b"\\\"", b"\"");
        }
        if has_encoding {
            let parts: Vec<&[u8]> = value.split(|&b| b == b'\'').collect();
            let [_, _, encoded] = parts.as_slice() else {
                return None;
            };
            value = unquote(&String::from_utf8_lossy(encoded)).into_bytes();
        }
        out.push((name, value));
    }
    Some((key, out))
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// DRF's `_MediaType(lhs).match(_MediaType(rhs))` for an `lhs` without parameters.
pub(super) fn media_type_matches(lhs: &str, rhs: &[u8]) -> bool {
    let Some((full, _)) = parse_header(rhs) else {
        return false;
    };
    let (main, sub) = full.split_once('/').unwrap_or((&full, ""));
    let (lhs_main, lhs_sub) = lhs.split_once('/').unwrap_or((lhs, ""));
    (lhs_sub == "*" || sub == "*" || sub == lhs_sub)
        && (lhs_main == "*" || main == "*" || main == lhs_main)
}

/// DRF's `select_renderer` succeeds (JSONRenderer or BrowsableAPIRenderer would do).
pub(super) fn accept_satisfiable(headers: &http::HeaderMap) -> bool {
    let values: Vec<&[u8]> = headers
        .get_all(ACCEPT)
        .iter()
        .map(|v| v.as_bytes())
        .collect();
    if values.is_empty() {
        return true;
    }
    // WSGI joins repeated headers with commas.
    let joined = values.join(&b","[..]);
    joined.split(|&b| b == b',').any(|token| {
        let token = strip_ascii(token);
        media_type_matches("application/json", token) || media_type_matches("text/html", token)
    })
}

/// `urllib.parse.unquote`: `%XX` decoded within ASCII runs, each run decoded as UTF-8 with
/// replacement; other characters kept.
pub(super) fn unquote(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut run: Vec<u8> = Vec::new();
    let flush = |run: &mut Vec<u8>, out: &mut String| {
        if !run.is_empty() {
            out.push_str(&String::from_utf8_lossy(&percent_decode(run)));
            run.clear();
        }
    };
    for c in s.chars() {
        if c.is_ascii() {
            run.push(c as u8);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|&b| hex(b)),
                bytes.get(i + 2).and_then(|&b| hex(b)),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
