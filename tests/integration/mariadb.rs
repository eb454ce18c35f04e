//! The MariaDB server of the MySQL path's tests ([`MariaDbServer`]), proven on its own:
//! stop, kill and restart keep the data on the same port, and dropping it leaves no
//! process and no file behind. (Django writing into it is proven by the tests of
//! `user_database` that log its users in.)

use std::net::SocketAddr;
use std::time::Instant;

use crate::mariadb_server::MariaDbServer;
use crate::postgres_server::{accepts, exists};

#[test]
fn mariadb_stop_kill_and_restart_keep_the_data_and_dropping_it_leaves_nothing() {
    let started = Instant::now();
    let mut db = MariaDbServer::start();
    eprintln!("MariaDB started in {:?}", started.elapsed());
    let (port, url) = (db.port, db.url());
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    db.sql("CREATE TABLE kept (n INT); INSERT INTO kept VALUES (1)");

    // SIGKILL, no shutdown: the committed row survives InnoDB's crash recovery.
    let pid = db.pid().expect("running");
    db.kill();
    assert!(!exists(pid), "mariadbd {pid} still there after kill");
    assert!(!accepts(addr), "mariadb still accepts after kill");
    assert!(db.try_sql("SELECT 1").is_err());
    let restarted = Instant::now();
    db.restart();
    eprintln!(
        "MariaDB restarted after a kill in {:?}",
        restarted.elapsed()
    );
    assert_eq!((db.port, db.url()), (port, url.clone()));
    assert_eq!(db.sql("SELECT n FROM kept"), "1");

    // A clean stop, then the same data back; restarting a running server stops it first.
    db.sql("INSERT INTO kept VALUES (2)");
    db.stop();
    assert_eq!(db.pid(), None);
    assert!(!accepts(addr), "mariadb still accepts after stop");
    db.restart();
    let before = db.pid();
    db.restart();
    assert_ne!(db.pid(), before);
    assert_eq!((db.port, db.url()), (port, url));
    assert_eq!(db.sql("SELECT n FROM kept ORDER BY n"), "1\n2");

    // Dropped: the process is gone (reaped, not a zombie), and so is every file.
    let pid = db.pid().expect("running");
    let dir = db.dir().to_owned();
    drop(db);
    assert!(!exists(pid), "mariadbd {pid} outlived its server");
    assert!(!accepts(addr), "mariadb still accepts after drop");
    assert!(!dir.exists(), "{} is still there", dir.display());
}
