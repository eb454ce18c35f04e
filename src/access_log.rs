//! One access-log line per request on stdout: JSON by default (what log shippers in a
//! Kubernetes pod expect), plain text, or off (`[log] access`).
//!
//! What a line holds: time, request id, method, path (normalised, never the query, which
//! may carry tokens), protocol (`http1`, `h2`; last in the text format), status, latency, credential kind, username, dialect endpoint,
//! outcome (the refusal reason when refused) and the upstream's status. It never holds a
//! credential, a token, a password or a header value other than the request id.

use std::io::Write as _;
use std::time::SystemTime;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessLogFormat {
    Json,
    Text,
    Off,
}

/// One request's facts.
#[derive(Serialize)]
pub struct Entry<'a> {
    pub time: String,
    pub request_id: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    /// `http1` or `h2` (`metrics::Protocol`).
    pub protocol: &'a str,
    pub status: u16,
    pub latency_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dialect: Option<&'a str>,
    pub outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<u16>,
}

/// RFC 3339 UTC with milliseconds.
pub fn timestamp(time: SystemTime) -> String {
    crate::iso8601::iso8601_millis(time)
}

impl Entry<'_> {
    pub fn render(&self, format: AccessLogFormat) -> Option<String> {
        match format {
            AccessLogFormat::Off => None,
            AccessLogFormat::Json => serde_json::to_string(self).ok(),
            AccessLogFormat::Text => Some(format!(
                "{} {} {} {} {} {:.3}ms {} {} {} {}",
                self.time,
                self.request_id,
                self.method,
                self.path,
                self.status,
                self.latency_ms,
                self.outcome,
                self.credential.unwrap_or("-"),
                self.user.unwrap_or("-"),
                self.protocol,
            )),
        }
    }

    /// Writes the line to stdout; a closed stdout is not the request's problem.
    pub fn write(&self, format: AccessLogFormat) {
        if let Some(mut line) = self.render(format) {
            line.push('\n');
            let _ = std::io::stdout().lock().write_all(line.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_carry_the_facts_and_skip_absent_ones() {
        let entry = Entry {
            time: "2026-01-01T00:00:00.000Z".into(),
            request_id: "abc",
            method: "GET",
            path: "/a",
            protocol: "h2",
            status: 200,
            latency_ms: 1.5,
            credential: Some("basic"),
            user: Some("admin"),
            dialect: None,
            outcome: "forwarded",
            upstream_status: Some(200),
        };
        let line = entry.render(AccessLogFormat::Json).unwrap();
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(json["user"], "admin");
        assert_eq!(json["upstream_status"], 200);
        assert_eq!(json["protocol"], "h2");
        assert!(json.get("dialect").is_none());
        assert!(entry.render(AccessLogFormat::Off).is_none());
        assert!(entry
            .render(AccessLogFormat::Text)
            .unwrap()
            .contains("GET /a 200"));
    }
}
