//! The real PostgreSQL cluster ([`PostgresServer`]) that the SQL user source tests
//! (`[user_database]`) run against, proven on its own: stop, kill and restart keep the
//! data on the same port, and dropping it leaves no process behind.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::postgres_server::{accepts, exists, PostgresServer};

#[test]
fn postgres_stop_kill_and_restart_keep_the_data_and_the_port() {
    let mut pg = PostgresServer::start();
    let (port, url) = (pg.port, pg.url());
    pg.psql("CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)");

    // A clean stop: nothing listens, psql fails; a restart brings the same data back.
    pg.stop();
    assert_eq!(pg.pid(), None);
    assert!(!accepts(pg.addr()), "postgres still accepts after stop");
    assert!(pg.try_psql("SELECT 1").is_err());
    pg.restart();
    assert_eq!((pg.port, pg.url()), (port, url.clone()));
    assert_eq!(pg.psql("SELECT n FROM kept"), "1");

    // SIGKILL to every process, no shutdown: the committed row survives crash recovery.
    pg.psql("INSERT INTO kept VALUES (2)");
    let pids = pg.pids();
    pg.kill();
    let left: Vec<u32> = pids.iter().copied().filter(|&pid| exists(pid)).collect();
    assert!(
        left.is_empty(),
        "still there after kill (zombies count): {left:?} of {pids:?}"
    );
    assert!(!accepts(pg.addr()), "postgres still accepts after kill");
    pg.restart();
    assert_eq!(pg.psql("SELECT n FROM kept ORDER BY n"), "1\n2");
    let rows = pg.query("SELECT n, n = 2 AS last FROM kept ORDER BY n");
    assert_eq!(rows.len(), 2);
    assert_eq!((&rows[1]["n"], &rows[1]["last"]), (&json!(2), &json!(true)));
    assert!(
        pg.log().contains("not properly shut down"),
        "no crash recovery:\n{}",
        pg.log()
    );

    // Restarting a running server stops it cleanly first.
    let before = pg.pid();
    pg.restart();
    assert_ne!(pg.pid(), before);
    assert_eq!((pg.port, pg.url()), (port, url));
    assert_eq!(pg.psql("SELECT count(*) FROM kept"), "2");
}

#[test]
fn dropping_postgres_leaves_no_process_behind() {
    let pg = PostgresServer::start();
    // A client in the middle of a query: its backend has to go too.
    let mut client = pg
        .psql_command(PostgresServer::DATABASE)
        .args(["-c", "SELECT pg_sleep(60)"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("psql");
    let deadline = Instant::now() + Duration::from_secs(10);
    let backend = loop {
        let pid = pg.psql("SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'");
        if let Ok(pid) = pid.parse::<u32>() {
            break pid;
        }
        assert!(
            Instant::now() < deadline,
            "the client's query never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let pids = pg.pids();
    assert!(pids.contains(&backend), "{backend} not in {pids:?}");
    // The postmaster, its background processes and the backend.
    assert!(pids.len() >= 5, "{pids:?}");
    let (addr, data) = (pg.addr(), pg.data_dir());

    drop(pg);
    let left: Vec<u32> = pids.iter().copied().filter(|&pid| exists(pid)).collect();
    assert!(
        left.is_empty(),
        "still there after drop (zombies count): {left:?} of {pids:?}"
    );
    assert!(!accepts(addr), "something still accepts on {addr}");
    assert!(!data.exists(), "{} outlived the drop", data.display());
    // The client saw its connection go, and failed.
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = client.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = client.kill();
            panic!("psql still waits 10 s after the server was dropped");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
}
