//! Tests only: the captures of both Django reference projects running under gunicorn
//! (`tests/captures/gunicorn.json`, made by `tests/captures/harness/run_gunicorn.py` and
//! `gen_gunicorn_fixture.py`; which library, versions, server and command are in its
//! `servers`), read for the dialects' unit tests: requests rebuilt, answers compared.

use serde_json::{Map, Value};

use crate::respond::LocalResponse;

const FIXTURE: &str = include_str!("../../../tests/captures/gunicorn.json");

/// The answer headers gatehouse reproduces (the rest are the server's and Django's
/// security middleware's): compared by name and value, in order.
const COMPARED: [&str; 4] = ["content-type", "www-authenticate", "vary", "allow"];

/// One captured exchange.
pub(crate) struct Captured {
    pub(crate) server: String,
    pub(crate) name: String,
    request: Value,
    response: Value,
}

/// Every case captured on `server` (`simplejwt-ru`, `simplejwt-en`, `drfjwt-en`, `drfjwt-ru`).
pub(crate) fn cases(server: &str) -> Vec<Captured> {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("tests/captures/gunicorn.json");
    assert!(
        fixture["servers"].get(server).is_some(),
        "no server {server} in the fixture"
    );
    let cases: Vec<Captured> = fixture["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|case| case["server"] == server)
        .map(|case| Captured {
            server: server.to_owned(),
            name: case["name"].as_str().expect("name").to_owned(),
            request: case["request"].clone(),
            response: case["response"].clone(),
        })
        .collect();
    assert!(!cases.is_empty(), "no cases for {server}");
    cases
}

/// The case of that name captured on `server`.
pub(crate) fn case(server: &str, name: &str) -> Captured {
    cases(server)
        .into_iter()
        .find(|case| case.name == name)
        .unwrap_or_else(|| panic!("no case {name:?} for {server}"))
}

impl Captured {
    pub(crate) fn label(&self) -> String {
        format!("{} {:?}", self.server, self.name)
    }

    pub(crate) fn method(&self) -> &str {
        self.request["method"].as_str().expect("method")
    }

    pub(crate) fn path(&self) -> &str {
        self.request["path"].as_str().expect("path")
    }

    /// The request headers as sent (after `Host`; the framing header is not listed).
    pub(crate) fn headers(&self) -> Vec<(String, String)> {
        self.request["headers"]
            .as_array()
            .expect("headers")
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().expect("name").to_owned(),
                    pair[1].as_str().expect("value").to_owned(),
                )
            })
            .collect()
    }

    /// The body as sent; for a token case, `{field: token}` with the payload's markers
    /// filled in for `now` and signed by `sign`.
    pub(crate) fn body(&self, now: u64, sign: impl Fn(&Value) -> String) -> Vec<u8> {
        let body = &self.request["body"];
        if let Some(text) = body.get("text") {
            return text.as_str().expect("text").as_bytes().to_vec();
        }
        if let Some(recipe) = body.get("token") {
            let mut payload = Map::new();
            for pair in recipe["payload"].as_array().expect("payload") {
                let name = pair[0].as_str().expect("claim").to_owned();
                payload.insert(name, fill(&pair[1], now));
            }
            let field = recipe["field"].as_str().expect("field");
            let mut object = Map::new();
            object.insert(field.to_owned(), sign(&Value::Object(payload)).into());
            return Value::Object(object).to_string().into_bytes();
        }
        let part = |name: &str| body[name].as_str().expect(name).as_bytes();
        let size = usize::try_from(body["size"].as_u64().expect("size")).expect("size");
        let (prefix, fill, suffix) = (part("prefix"), part("fill"), part("suffix"));
        let mut out = prefix.to_vec();
        while out.len() + suffix.len() < size {
            out.extend_from_slice(fill);
        }
        out.extend_from_slice(suffix);
        assert_eq!(out.len(), size, "{}", self.label());
        out
    }

    pub(crate) fn status(&self) -> u16 {
        u16::try_from(self.response["status"].as_u64().expect("status")).expect("status")
    }

    /// `Content-Type`, `WWW-Authenticate`, `Vary` and `Allow` as captured.
    pub(crate) fn compared_headers(&self) -> Vec<(String, String)> {
        self.response["headers"]
            .as_array()
            .expect("headers")
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().expect("name").to_ascii_lowercase(),
                    pair[1].as_str().expect("value").to_owned(),
                )
            })
            .filter(|(name, _)| COMPARED.contains(&name.as_str()))
            .collect()
    }

    /// The body as captured, unless it carried tokens.
    pub(crate) fn body_text(&self) -> Option<&str> {
        self.response.get("body").map(|b| b.as_str().expect("body"))
    }

    /// The access token's `exp - iat` as issued (token cases only).
    pub(crate) fn exp_minus_iat(&self) -> Option<i64> {
        self.response
            .get("exp_minus_iat")
            .map(|v| v.as_i64().expect("exp_minus_iat"))
    }

    /// Asserts that gatehouse answered what the library did: status, the compared headers,
    /// and the body (tokens: header JSON and payload with the times relative to `now`, the
    /// second the request was answered in).
    pub(crate) fn assert_answered(&self, r: &LocalResponse, now: u64) {
        let label = self.label();
        let body = String::from_utf8_lossy(&r.body).into_owned();
        assert_eq!(r.status, self.status(), "{label}: {body}");
        let headers: Vec<(String, String)> = r
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().expect("ASCII").to_owned()))
            .collect();
        assert_eq!(headers, self.compared_headers(), "{label}");
        if let Some(wanted) = self.body_text() {
            assert_eq!(body, wanted, "{label}");
            return;
        }
        let got: Map<String, Value> = serde_json::from_str(&body).expect("JSON");
        let tokens = self.response["tokens"].as_array().expect("tokens");
        let names: Vec<&str> = got.keys().map(String::as_str).collect();
        let wanted: Vec<&str> = tokens
            .iter()
            .map(|t| t[0].as_str().expect("name"))
            .collect();
        assert_eq!(names, wanted, "{label}");
        for token in tokens {
            let name = token[0].as_str().expect("name");
            let issued = got[name].as_str().expect("token");
            let part = |i: usize| {
                let segment = issued.split('.').nth(i).expect("segment");
                let bytes = base64::Engine::decode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    segment,
                )
                .expect("base64url");
                String::from_utf8(bytes).expect("UTF-8")
            };
            assert_eq!(
                part(0),
                token[1].as_str().expect("header"),
                "{label}: {name}"
            );
            assert_eq!(
                mask(&part(1), now),
                token[2].as_str().expect("payload"),
                "{label}: {name}"
            );
        }
    }
}

/// A payload value with its marker (`<now>`, `<now-2>`, `<now+3600>`, `<hex32>`) filled in.
fn fill(value: &Value, now: u64) -> Value {
    let Some(marker) = value.as_str() else {
        return value.clone();
    };
    let now = i64::try_from(now).expect("now");
    if marker == "<hex32>" {
        return format!("{:032x}", rand::random::<u128>()).into();
    }
    match marker
        .strip_prefix("<now")
        .and_then(|m| m.strip_suffix('>'))
    {
        Some("") => now.into(),
        Some(offset) => (now + offset.parse::<i64>().expect("offset")).into(),
        None => value.clone(),
    }
}

/// The generator's masking for an exact `now`: times as `<now>` / `<now±N>`, `jti` as
/// `<hex32>`.
fn mask(payload: &str, now: u64) -> String {
    let mut claims: Map<String, Value> = serde_json::from_str(payload).expect("payload");
    let now = i64::try_from(now).expect("now");
    for (name, value) in claims.iter_mut() {
        match (name.as_str(), value.as_i64(), value.as_str()) {
            ("exp" | "iat" | "orig_iat", Some(t), _) => {
                *value = match t - now {
                    0 => "<now>".to_owned(),
                    d => format!("<now{d:+}>"),
                }
                .into();
            }
            ("jti", _, Some(jti))
                if jti.len() == 32
                    && jti
                        .bytes()
                        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)) =>
            {
                *value = "<hex32>".into();
            }
            _ => {}
        }
    }
    Value::Object(claims).to_string()
}
