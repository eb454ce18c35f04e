//! curl as the tests' HTTP/2 client (h2c with prior knowledge, h2 over TLS by ALPN):
//! the real thing users try first, with the protocol it spoke reported back.

use std::process::Command;
use std::time::Duration;

use crate::harness::output_within;

/// What curl received, and over which protocol (`"1.1"`, `"2"`).
#[derive(Debug)]
pub struct CurlResponse {
    pub version: String,
    pub status: u16,
    /// Lower-case names, in order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl CurlResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    /// The values of `header` as the echo upstream saw them.
    pub fn echoed(&self, header: &str) -> Vec<String> {
        self.json()["headers"][header]
            .as_array()
            .map(|values| {
                values
                    .iter()
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Marks the end of the body in curl's output, before the protocol version.
const VERSION_MARK: &str = "\n@@curl-http-version@@ ";

/// Runs curl with `args` (protocol flags, `-H`, `-X`, `--data`, ...) against `url`.
/// Panics with curl's own words when it gets no response at all.
pub fn curl(args: &[&str], url: &str) -> CurlResponse {
    try_curl(args, url).unwrap_or_else(|e| panic!("curl {args:?} {url}: {e}"))
}

/// As [`curl`], but a failed transfer (reset stream, closed connection) is an `Err` with
/// curl's message.
pub fn try_curl(args: &[&str], url: &str) -> Result<CurlResponse, String> {
    let mut command = Command::new("curl");
    command
        .args(["-sS", "--max-time", "15", "--path-as-is", "-D", "-"])
        .args(["-w", &format!("{VERSION_MARK}%{{http_version}}")])
        .args(args)
        .arg(url);
    let output = output_within(&mut command, Duration::from_secs(30))
        .map_err(|e| format!("cannot run curl (install it): {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!(
            "{}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let (response, version) = stdout
        .rsplit_once(VERSION_MARK)
        .ok_or_else(|| format!("no version mark in {stdout:?}"))?;
    // Interim responses (100 Continue) come first; the last head is the answer's.
    let mut rest = response;
    let (head, body) = loop {
        let (head, body) = rest
            .split_once("\r\n\r\n")
            .ok_or_else(|| format!("no header block in {response:?}"))?;
        if head.contains(" 100") && body.starts_with("HTTP/") {
            rest = body;
            continue;
        }
        break (head, body);
    };
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(CurlResponse {
        version: version.trim().to_owned(),
        status,
        headers,
        body: body.to_owned(),
    })
}

/// h2c with prior knowledge.
pub const H2C: &str = "--http2-prior-knowledge";
