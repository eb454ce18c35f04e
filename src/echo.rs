//! The built-in echo upstream (`[upstream] address = "builtin:echo"`): answers every
//! request with a JSON description of what it received, so the demo and the tests can
//! see exactly what gatehouse forwarded.
//!
//! Shape (DESIGN): `{"method", "path", "query", "headers": {"lower-case-name": [values in
//! order]}}`; `query` is `null` when there is none. It listens on a Unix socket in a
//! private (0700) directory of its own, so nothing but this process can reach it and no
//! TCP port is taken. The request body is drained (so keepalive works) but not echoed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use pingora::apps::http_app::ServeHttp;
use pingora::protocols::http::ServerSession;

pub struct Echo;

/// The echo's description of a request.
pub fn describe(
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &http::HeaderMap,
) -> serde_json::Value {
    let mut map: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        map.entry(name.as_str())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    serde_json::json!({"method": method, "path": path, "query": query, "headers": map})
}

#[async_trait]
impl ServeHttp for Echo {
    async fn response(&self, session: &mut ServerSession) -> http::Response<Vec<u8>> {
        // Bounded drain: the echo does not need the body, only the connection's health.
        let mut drained = 0usize;
        while let Ok(Some(chunk)) = session.read_request_body().await {
            drained += chunk.len();
            if drained > 64 * 1024 * 1024 {
                session.set_keepalive(None);
                break;
            }
        }
        let request = session.req_header();
        let body = describe(
            request.method.as_str(),
            request.uri.path(),
            request.uri.query(),
            &request.headers,
        )
        .to_string();
        http::Response::builder()
            .status(200)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::CONTENT_LENGTH, body.len())
            .body(body.into_bytes())
            .unwrap_or_else(|_| http::Response::new(Vec::new()))
    }
}

/// Creates a private directory for the echo socket and returns the socket's path.
/// Directories left behind by processes that no longer exist are removed first.
pub fn prepare_socket_dir() -> std::io::Result<PathBuf> {
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    remove_stale(&base);
    let dir = base.join(format!(
        "gatehouse-echo-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir(&dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(dir.join("echo.sock"))
}

fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix("gatehouse-echo-"))
        else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_repeated_headers_in_order() {
        let mut headers = http::HeaderMap::new();
        headers.append("x-a", "1".parse().unwrap());
        headers.append("x-a", "2".parse().unwrap());
        headers.append("Host", "h".parse().unwrap());
        let v = describe("GET", "/p", Some("q=1"), &headers);
        assert_eq!(
            v,
            serde_json::json!({"method": "GET", "path": "/p", "query": "q=1", "headers": {"host": ["h"], "x-a": ["1", "2"]}})
        );
        assert_eq!(
            describe("GET", "/", None, &http::HeaderMap::new())["query"],
            serde_json::Value::Null
        );
    }
}
