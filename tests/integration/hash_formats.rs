//! Users whose hashes were made by the real tools (the commands are beside each hash)
//! log in through the proxy, from `[[users]]`, a TOML users file and an htpasswd file.

use crate::harness::{basic, demo_config, Gatehouse};

/// (username, hash, the command that made it). Every password is "correct horse".
const USERS: &[(&str, &str, &str)] = &[
    ("argon2id-cli", "$argon2id$v=19$m=1024,t=1,p=1$OWQ5MjJjZDcyMDY3OGI5OQ$l0fAoGAs3pMEc/4OajYmng9Hqz4KZJS5wvwWmWd6QYg",
     "echo -n 'correct horse' | argon2 9d922cd720678b99 -id -k 1024 -t 1 -p 1 -e"),
    ("argon2i-cli", "$argon2i$v=19$m=1024,t=1,p=1$YzVhMmQ2MzdkZDIyNDU5Yw$oMklCKx2KU2jW4Bmto+1mdW7l5CCUzufAYdLMdXMZ+M",
     "echo -n 'correct horse' | argon2 c5a2d637dd22459c -i -k 1024 -t 1 -p 1 -e"),
    ("argon2id-cffi", "$argon2id$v=19$m=1024,t=1,p=1$UWf74CpN0DyaP+JFOXS+9g$74qKqCxy6zu0Qh/sj5on137hrIvHfKlC93ZcsHNpdBk",
     "argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash('correct horse')"),
    ("bcrypt-2y", "$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq",
     "htpasswd -nbB -C 4 alice 'correct horse'"),
    ("bcrypt-2a", "$2a$05$c0UHO/Lr4M6V8UUTDTtkGuO2zX9VIuKf3QnmTS6HnBPWHvp7k6rdm",
     "mkpasswd -m bcrypt-a -R 5 'correct horse'"),
    ("bcrypt-2b", "$2b$05$T/0LHSNtVuLmLfihuAYMCOZwFel9l6Zw1zre7RWb8hZDMjBLokszi",
     "mkpasswd -m bcrypt -R 5 'correct horse'"),
    ("django", "pbkdf2_sha256$1000$dUQNLt6htvtCaUV20Zf6R8$kezQeo79JTn4B6MQrcWJOqoPKonxpJ4ZpI2HRgv/ZFA=",
     "PBKDF2PasswordHasher().encode('correct horse', salt, iterations=1000)  (Django 5.2)"),
    ("django-pbkdf2-sha1", "pbkdf2_sha1$1000$aSDPIYM11BJVE3I1gqYGYL$b97f+AiIPTYTjFrziK8YozjCtYc=",
     "PBKDF2SHA1PasswordHasher().encode('correct horse', salt, iterations=1000)  (Django 4.2.30)"),
    ("django-bcrypt-sha256", "bcrypt_sha256$$2b$04$GPMemzCSudU.Ia2xePZR5.TCpOZ9q1nvW611K3ny2PVeZBsD0xQda",
     "make_password('correct horse', hasher=BCryptSHA256PasswordHasher with rounds = 4)  (Django 4.2.30, pyca bcrypt 5.0.0)"),
    ("django-scrypt", "scrypt$1024$mQQ3rMTpFulIxQAmWCHKZv$8$1$nrE9PGTfK6VsYosPeBlSlvl+mah/7Smr6VqR8MRUTVxFJCbSgMRhmko7poc+Zh9fFgU0ZUc+8f6dM35iUuhKqw==",
     "ScryptPasswordHasher().encode('correct horse', salt, n=1024, r=8, p=1)  (Django 4.2.30)"),
    ("django-argon2", "argon2$argon2id$v=19$m=1024,t=1,p=1$N3RPM1JlTGpMbnFiOWFWV2xPczJWaQ$yXRQ1BOBCt7/JpAEwRwxMX0Nz3bcg2BPW3/jF2knL9A",
     "make_password('correct horse', hasher=Argon2PasswordHasher with t=1, m=1024, p=1)  (Django 4.2.30, argon2-cffi 25.1.0)"),
    ("php-argon2id", "$argon2id$v=19$m=1024,t=1,p=1$V01qeXdJUUp0VW1mbEZGcg$yIe0evdFi8KHZKE004uRCS9qdlB7/E6ZQcl3UUT2eqo",
     "password_hash('correct horse', PASSWORD_ARGON2ID, ['memory_cost' => 1024, 'time_cost' => 1, 'threads' => 1])  (PHP 8.2.36)"),
    ("php-bcrypt", "$2y$04$MCbtOhgaHjgEm0yO0m1PF.y1pAfq5Fz6dHyMiN6n0dfGAflLzlIJ.",
     "password_hash('correct horse', PASSWORD_BCRYPT, ['cost' => 4])  (PHP 8.2.36)"),
];

#[test]
fn every_format_logs_in_and_refuses_a_wrong_password() {
    let dir = tempfile::tempdir().unwrap();
    // htpasswd -nbB -C 4 alice 'correct horse'
    let htpasswd = dir.path().join("users.htpasswd");
    std::fs::write(&htpasswd, "# made by htpasswd -nbB -C 4\nalice:$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq\n").unwrap();
    let toml_users = dir.path().join("more-users.toml");
    std::fs::write(
        &toml_users,
        "[[users]]\nusername = \"from-file\"\npassword_hash = \"$2y$04$2nIagUtAOLZ0/Z7DYISSb.3AjpuquUEZYrZH0EKRs3LvQ.nGw5Sdq\"\nid = 300\nroles = [\"filed\"]\n",
    )
    .unwrap();
    let mut config = format!(
        "users_file = [\"{}\", \"{}\"]\n{}",
        htpasswd.display(),
        toml_users.display(),
        demo_config()
    );
    for (i, (name, hash, _made_by)) in USERS.iter().enumerate() {
        config.push_str(&format!(
            "\n[[users]]\nusername = \"{name}\"\npassword_hash = \"{hash}\"\nid = {}\n",
            100 + i
        ));
    }
    let gh = Gatehouse::start(&config);
    let names = USERS
        .iter()
        .map(|(name, _, _)| *name)
        .chain(["alice", "from-file"]);
    for name in names {
        let r = gh.get("/a", &[("authorization", &basic(name, "correct horse"))]);
        assert_eq!(r.status, 200, "{name}: {}", r.text());
        assert_eq!(r.echoed("x-auth-user"), [name]);
        let r = gh.get("/a", &[("authorization", &basic(name, "wrong horse"))]);
        assert_eq!(r.status, 401, "{name} accepted a wrong password");
    }
    let r = gh.get(
        "/a",
        &[("authorization", &basic("from-file", "correct horse"))],
    );
    assert_eq!(r.echoed("x-auth-roles"), ["filed"]);
    // htpasswd users have no id: no id header is invented.
    let r = gh.get("/a", &[("authorization", &basic("alice", "correct horse"))]);
    assert!(r.echoed("x-auth-user-id").is_empty());
}

#[test]
fn demo_users_log_in_with_the_seed_documents_passwords() {
    let gh = Gatehouse::start(&demo_config());
    for (user, password) in [
        ("admin", "masterkey"),
        ("TestUser", "password"),
        ("test", "test"),
        ("user_test", "password_test"),
    ] {
        let r = gh.get("/a", &[("authorization", &basic(user, password))]);
        assert_eq!(r.status, 200, "{user}: {}", r.text());
    }
}
