//! TLS on the listener and to the upstream, with certificates minted per test (rcgen)
//! and rustls on the other end.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

use crate::harness::{basic, demo_config, run_cli, Gatehouse};

/// A CA and a server certificate for `localhost` / 127.0.0.1, written as PEM files.
pub struct Pki {
    pub ca_pem: String,
    cert_pem: String,
    key_pem: String,
}

pub fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // Names of their own: with rcgen's one default name for both, BoringSSL (grpcio)
    // takes the server's certificate for a self-signed one.
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "gatehouse test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    Pki {
        ca_pem: ca.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// Writes `ca.pem`, `cert.pem` and `key.pem` into `dir`.
pub fn write_pki(pki: &Pki, dir: &Path) {
    std::fs::write(dir.join("ca.pem"), &pki.ca_pem).unwrap();
    std::fs::write(dir.join("cert.pem"), &pki.cert_pem).unwrap();
    std::fs::write(dir.join("key.pem"), &pki.key_pem).unwrap();
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(ca_pem: &str) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    let der = pem_der(ca_pem);
    roots
        .add(rustls::pki_types::CertificateDer::from(der))
        .unwrap();
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// The DER inside a one-block PEM.
fn pem_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

#[test]
fn tls_listener_serves_https_and_forwards_proto() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    write_pki(&pki, dir.path());
    let config = demo_config().replace(
        "address = \"127.0.0.1:9778\"\n",
        &format!(
            "address = \"127.0.0.1:9778\"\ntls = {{ cert_file = \"{}\", key_file = \"{}\" }}\n",
            dir.path().join("cert.pem").display(),
            dir.path().join("key.pem").display()
        ),
    );
    let gh = Gatehouse::start(&config);
    let auth = basic("admin", "masterkey");
    let (_, text) = tls_exchange(
        &gh,
        &pki.ca_pem,
        &format!("GET /secure HTTP/1.1\r\nHost: localhost\r\nAuthorization: {auth}\r\nConnection: close\r\n\r\n"),
    );
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"x-forwarded-proto\":[\"https\"]"), "{text}");
    assert!(text.contains("\"x-auth-user\":[\"admin\"]"), "{text}");
}

/// One request over a fresh TLS connection: the DER of the certificate the listener
/// presented, and the whole response.
fn tls_exchange(gh: &Gatehouse, ca_pem: &str, request: &str) -> (Vec<u8>, String) {
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let connection = rustls::ClientConnection::new(client_config(ca_pem), name).unwrap();
    let socket = TcpStream::connect(gh.addr()).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut tls = rustls::StreamOwned::new(connection, socket);
    tls.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = tls.read_to_end(&mut raw);
    let served = tls.conn.peer_certificates().unwrap()[0].to_vec();
    (served, String::from_utf8_lossy(&raw).into_owned())
}

fn served_certificate(gh: &Gatehouse, ca_pem: &str) -> (Vec<u8>, String) {
    tls_exchange(
        gh,
        ca_pem,
        "GET /public/tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
}

#[test]
fn a_renewed_listener_certificate_is_served_after_reload_and_a_broken_one_is_not() {
    const RELOADED: &str = "gatehouse_config_reloads_total{result=\"ok\"}";
    const FAILED: &str = "gatehouse_config_reloads_total{result=\"failed\"}";
    let first = pki();
    let dir = tempfile::tempdir().unwrap();
    write_pki(&first, dir.path());
    let config = demo_config().replace(
        "address = \"127.0.0.1:9778\"\n",
        &format!(
            "address = \"127.0.0.1:9778\"\ntls = {{ cert_file = \"{}\", key_file = \"{}\" }}\n",
            dir.path().join("cert.pem").display(),
            dir.path().join("key.pem").display()
        ),
    );
    let gh = Gatehouse::start(&config);
    let (served, text) = served_certificate(&gh, &first.ca_pem);
    assert_eq!(served, pem_der(&first.cert_pem));
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");

    // Renewed: another CA even, as after a re-issue. Files replaced, then SIGHUP.
    let renewed = pki();
    write_pki(&renewed, dir.path());
    gh.signal("HUP");
    gh.wait_for_metric(RELOADED, 1.0);
    let (served, text) = served_certificate(&gh, &renewed.ca_pem);
    assert_eq!(
        served,
        pem_der(&renewed.cert_pem),
        "the old certificate is still served"
    );
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");

    // A key that does not match the certificate (a half-finished rotation): the reload
    // fails as a whole and the renewed certificate keeps being served.
    std::fs::write(dir.path().join("key.pem"), first.key_pem.as_bytes()).unwrap();
    gh.signal("HUP");
    gh.wait_for_metric(FAILED, 1.0);
    assert!(gh.log().contains("[listen] tls:"), "{}", gh.log());
    let (served, text) = served_certificate(&gh, &renewed.ca_pem);
    assert_eq!(served, pem_der(&renewed.cert_pem));
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(!gh.log().contains("PRIVATE KEY"), "key material in the log");
}

#[test]
fn unreadable_or_broken_certificates_are_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("garbage.pem"), "not a certificate").unwrap();
    for (cert, expected) in [
        ("missing.pem", "[listen] tls.cert_file: cannot read"),
        ("garbage.pem", "[listen] tls:"),
    ] {
        let config = demo_config().replace(
            "address = \"127.0.0.1:9778\"\n",
            &format!(
                "address = \"127.0.0.1:9778\"\ntls = {{ cert_file = \"{}\", key_file = \"{}\" }}\n",
                dir.path().join(cert).display(),
                dir.path().join("garbage.pem").display()
            ),
        );
        let path = dir.path().join("tls.toml");
        std::fs::write(&path, config).unwrap();
        let (code, _, stderr) = run_cli(&["check", "--config", &path.display().to_string()], None);
        assert_eq!(code, 64, "{cert}: {stderr}");
        assert!(stderr.contains(expected), "{cert}: {stderr}");
    }
}

/// A TLS upstream answering one request with `body`.
fn tls_upstream(pki: &Pki, requests: usize) -> (u16, std::thread::JoinHandle<()>) {
    let certs = vec![rustls::pki_types::CertificateDer::from(pem_der(
        &pki.cert_pem,
    ))];
    let key = rustls::pki_types::PrivateKeyDer::try_from(pem_der(&pki.key_pem)).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let Ok(connection) = rustls::ServerConnection::new(config.clone()) else {
                continue;
            };
            let mut tls = rustls::StreamOwned::new(connection, stream);
            let mut buf = [0u8; 4096];
            if tls.read(&mut buf).unwrap_or(0) > 0 {
                let _ = tls.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nover tls!",
                );
                let _ = tls.flush();
            }
        }
    });
    (port, handle)
}

#[test]
fn tls_upstream_is_verified_against_a_custom_ca() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    write_pki(&pki, dir.path());
    let (port, upstream) = tls_upstream(&pki, 2);
    let upstream_config = |ca: bool| {
        let ca_line = if ca {
            format!("ca_file = \"{}\"\n", dir.path().join("ca.pem").display())
        } else {
            String::new()
        };
        demo_config().replace(
            "address = \"builtin:echo\"\n",
            &format!("address = \"localhost:{port}\"\ntls = true\nsni = \"localhost\"\n{ca_line}"),
        )
    };
    let auth = basic("admin", "masterkey");
    let gh = Gatehouse::start(&upstream_config(true));
    let r = gh.get("/a", &[("authorization", &auth)]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "over tls!");
    drop(gh);
    // Without the CA the upstream's certificate is not trusted: 502, not a silent pass.
    let gh = Gatehouse::start(&upstream_config(false));
    let r = gh.get("/a", &[("authorization", &auth)]);
    assert_eq!(r.status, 502, "{}", r.text());
    drop(gh);
    upstream.join().unwrap();
}
