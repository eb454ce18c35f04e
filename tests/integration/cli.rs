use crate::harness::{demo_config, run_cli, Gatehouse};

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn check_accepts_the_demo_config_and_summarises_it() {
    let (code, stdout, stderr) = run_cli(&["check", "--config", "config/gatehouse.toml"], None);
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("config/gatehouse.toml: ok"), "{stdout}");
    assert!(stdout.contains("listen   127.0.0.1:9778"), "{stdout}");
    assert!(stdout.contains("upstream builtin:echo"), "{stdout}");
    // Inline demo secrets are allowed, with a warning naming the key.
    assert!(stderr.contains("[[keys]] #1 secret is inline"), "{stderr}");
}

#[test]
fn every_shipped_config_passes_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // The same set .ci/run checks: config/*.toml, config/examples/*.toml and
    // examples/*/*.toml (the files beside each example).
    let tomls = |dir: std::path::PathBuf| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut files = tomls(root.join("config"));
    files.extend(tomls(root.join("config/examples")));
    for example in std::fs::read_dir(root.join("examples")).unwrap().flatten() {
        files.extend(tomls(example.path()));
    }
    assert!(files.len() >= 2, "{files:?}");
    for file in files {
        let (code, stdout, stderr) = crate::harness::run_cli_env(
            &["check", "--config", &file.display().to_string()],
            &crate::harness::EXAMPLE_ENV,
        );
        assert_eq!(code, 0, "{}: {stdout}{stderr}", file.display());
    }
}

#[test]
fn check_reports_every_error_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config()
        .replace("address = \"builtin:echo\"", "address = \"nowhere\"")
        .replace("cache_ttl = \"5m\"", "cache_ttl = \"five minutes\"")
        .replace("id = 3\n", "id = 2\n");
    let path = write(dir.path(), "broken.toml", &config);
    let (code, _stdout, stderr) = run_cli(&["check", "--config", &path], None);
    assert_eq!(code, 64, "{stderr}");
    let line_of = |needle: &str| config.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let expected = [
        format!(
            "{path}:{}: [upstream] address: expected host:port",
            line_of("address = \"nowhere\"")
        ),
        format!(
            "{path}:{}: [auth] cache_ttl: expected a duration",
            line_of("cache_ttl = ")
        ),
        format!(
            "{path}:{}: [[users]] #3 id: user id 2 is used twice",
            line_of("username = \"test\"") + 2
        ),
    ];
    for e in &expected {
        assert!(stderr.contains(e.as_str()), "missing {e:?} in:\n{stderr}");
    }
}

#[test]
fn check_reports_unknown_keys_and_syntax_errors_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "typo.toml",
        &demo_config().replace("forward_credentials = false", "forward_credentails = false"),
    );
    let (code, _, stderr) = run_cli(&["check", "--config", &path], None);
    assert_eq!(code, 64);
    let line = demo_config()
        .lines()
        .position(|l| l.contains("forward_credentials = false"))
        .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!(
            "{path}:{line}: [auth] forward_credentails: unknown field"
        )),
        "{stderr}"
    );

    let path = write(dir.path(), "syntax.toml", "[listen]\naddress = \n");
    let (code, _, stderr) = run_cli(&["check", "--config", &path], None);
    assert_eq!(code, 64);
    assert!(stderr.contains(&format!("{path}:2:")), "{stderr}");

    let (code, _, stderr) = run_cli(&["check", "--config", "/nonexistent/gatehouse.toml"], None);
    assert_eq!(code, 64);
    assert!(stderr.contains("cannot read the configuration"), "{stderr}");
}

#[test]
fn secrets_from_env_and_file_and_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hs.key"),
        "a-file-secret-that-is-long-enough-0123456789\n",
    )
    .unwrap();
    let config = demo_config().replace(
        "secret = \"demo-only-secret-change-me-0123456789abcdef\"",
        "secret_file = \"hs.key\"",
    );
    let path = write(dir.path(), "file.toml", &config);
    let (code, _, stderr) = run_cli(&["check", "--config", &path], None);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("[[keys]] #1 secret is inline"), "{stderr}");

    let config = demo_config().replace(
        "secret = \"demo-only-secret-change-me-0123456789abcdef\"",
        "secret_env = \"GATEHOUSE_TEST_UNSET_VARIABLE\"",
    );
    let path = write(dir.path(), "env.toml", &config);
    let (code, _, stderr) = run_cli(&["check", "--config", &path], None);
    assert_eq!(code, 64);
    assert!(stderr.contains("[[keys]] #1 secret_env: environment variable `GATEHOUSE_TEST_UNSET_VARIABLE` is not set"), "{stderr}");

    let config = demo_config().replace("demo-only-secret-change-me-0123456789abcdef", "short");
    let path = write(dir.path(), "short.toml", &config);
    let (code, _, stderr) = run_cli(&["check", "--config", &path], None);
    assert_eq!(code, 64);
    assert!(
        stderr.contains("[[keys]] #1 secret: HMAC secret is 5 bytes; at least 32 are required"),
        "{stderr}"
    );
    // The secret itself never appears in an error.
    assert!(!stderr.contains("short\""), "{stderr}");
}

#[test]
fn hash_password_makes_a_hash_that_logs_in() {
    let (code, stdout, stderr) = run_cli(&["hash-password"], Some("s3cret pass\n"));
    assert_eq!(code, 0, "{stderr}");
    let hash = stdout.trim();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let config = format!(
        "{}\n[[users]]\nusername = \"newbie\"\npassword_hash = \"{hash}\"\nid = 77\n",
        demo_config()
    );
    let gh = Gatehouse::start(&config);
    let r = gh.get(
        "/x",
        &[(
            "authorization",
            &crate::harness::basic("newbie", "s3cret pass"),
        )],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-user-id"), ["77"]);

    let (code, _, stderr) = run_cli(&["hash-password"], Some(""));
    assert_eq!(code, 1);
    assert!(stderr.contains("empty"), "{stderr}");
}

#[test]
fn token_prints_a_token_the_proxy_accepts_and_refuses_bad_users() {
    let (code, stdout, stderr) = run_cli(
        &[
            "token",
            "--config",
            "config/gatehouse.toml",
            "--user",
            "admin",
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    let token = stdout.trim().to_owned();
    assert_eq!(token.split('.').count(), 3);

    let gh = Gatehouse::start(&demo_config());
    let r = gh.get(
        "/admin/panel",
        &[("authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.echoed("x-auth-user"), ["admin"]);
    assert_eq!(r.echoed("x-auth-method"), ["bearer"]);
    assert_eq!(r.echoed("x-auth-token-id").len(), 1);

    let (code, _, stderr) = run_cli(
        &[
            "token",
            "--config",
            "config/gatehouse.toml",
            "--user",
            "nobody",
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("no user named \"nobody\""), "{stderr}");
    let (code, _, stderr) = run_cli(
        &[
            "token",
            "--config",
            "config/gatehouse.toml",
            "--user",
            "disabled",
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("inactive"), "{stderr}");
}

#[test]
fn help_exists_for_every_subcommand() {
    for sub in [
        &["--help"][..],
        &["check", "--help"],
        &["hash-password", "--help"],
        &["token", "--help"],
        &["run", "--help"],
    ] {
        let (code, stdout, _) = run_cli(sub, None);
        assert_eq!(code, 0, "{sub:?}");
        assert!(stdout.contains("Usage"), "{sub:?}: {stdout}");
    }
}

#[test]
fn a_busy_port_fails_fast_with_a_clear_message() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let config = Gatehouse::localise(
        &demo_config(),
        port,
        crate::harness::free_port(),
        dir.path(),
    );
    let path = write(dir.path(), "busy.toml", &config);
    let started = std::time::Instant::now();
    let (code, _, stderr) = run_cli(&["--config", &path], None);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "127.0.0.1:{port} ([listen] address) cannot be bound"
        )),
        "{stderr}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn files_that_never_end_or_block_are_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.toml");
    let config = format!(
        "users_file = \"/dev/urandom\"\n{}",
        demo_config().replace(
            "secret = \"demo-only-secret-change-me-0123456789abcdef\"",
            "secret_file = \"/dev/zero\"",
        )
    );
    assert_ne!(config, demo_config());
    std::fs::write(&path, config).unwrap();
    let started = std::time::Instant::now();
    let (code, _, stderr) = run_cli(&["check", "--config", &path.display().to_string()], None);
    assert_eq!(code, 64, "{stderr}");
    assert!(
        stderr.contains("[[keys]] #1 secret_file: cannot read `/dev/zero`: not a regular file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("users_file: cannot read `/dev/urandom`: not a regular file"),
        "{stderr}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn daemon_mode_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::harness::demo_config_in(dir.path());
    let (code, _, stderr) = run_cli(&["--config", path.to_str().unwrap(), "--daemon"], None);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("--daemon is not supported"), "{stderr}");
}
