//! Backups that run for real: a private PostgreSQL server (the Debian package) with data, the
//! generated `backup/backup.sh` writes a dump, `backup/restore.sh` rebuilds it into a fresh
//! database whose rows match the original, old dumps are pruned while the newest are kept, and
//! a damaged or truncated backup fails the restore loudly without creating anything. The
//! scripts pass shellcheck and the compose override passes `docker-compose config`. The figures
//! (rows, dump size, backup and restore time) are printed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use common::*;

/// A PostgreSQL server of our own, on a Unix socket in a temporary folder, stopped on drop.
struct Server {
    _tmp: tempfile::TempDir,
    bin: PathBuf,
    data: PathBuf,
    socket: PathBuf,
    as_postgres: bool,
}

fn newest_bin() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("the postgresql package is installed (scripts/ensure.sh installs it)")
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop().expect("a PostgreSQL server in /usr/lib/postgresql/*/bin")
}

impl Server {
    fn start() -> Server {
        let tmp = tempfile::tempdir().unwrap();
        let bin = newest_bin();
        let data = tmp.path().join("data");
        let socket = tmp.path().join("socket");
        std::fs::create_dir_all(&socket).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        // initdb refuses root: as root, the server runs as the package's postgres user.
        let as_postgres = String::from_utf8_lossy(&Command::new("id").arg("-u").output().unwrap().stdout).trim() == "0";
        if as_postgres {
            let status = Command::new("chmod").args(["755"]).arg(tmp.path()).status().unwrap();
            assert!(status.success());
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&socket)
                .arg(&data)
                .status()
                .unwrap();
            assert!(status.success());
        }
        let s = Server {
            _tmp: tmp,
            bin,
            data,
            socket,
            as_postgres,
        };
        let out = s.pg(
            "initdb",
            &[
                "--auth=trust",
                "--username=postgres",
                "--no-sync",
                "-D",
                s.data.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let opts = format!("-k {} -c listen_addresses='' -c fsync=off", s.socket.display());
        let out = s.pg(
            "pg_ctl",
            &[
                "-D",
                s.data.to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                "/dev/null",
                "-w",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        s
    }

    fn pg(&self, program: &str, args: &[&str]) -> Output {
        let path = self.bin.join(program);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        c.args(args).current_dir("/").output().unwrap()
    }

    fn url(&self, db: &str) -> String {
        format!("postgresql://postgres@/{db}?host={}", self.socket.display())
    }

    /// One value from `sql` on `db`.
    fn query(&self, db: &str, sql: &str) -> String {
        let out = Command::new("psql")
            .args(["-v", "ON_ERROR_STOP=1", "-tAc", sql])
            .arg(format!("--dbname={}", self.url(db)))
            .output()
            .unwrap();
        assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn exists(&self, db: &str) -> bool {
        self.query(
            "postgres",
            &format!("select count(*) from pg_database where datname = '{db}'"),
        ) == "1"
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.pg(
            "pg_ctl",
            &["-D", self.data.to_str().unwrap(), "-m", "immediate", "stop"],
        );
    }
}

fn script(p: &Project, name: &str, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new("sh");
    c.arg(p.work.join("backup").join(name)).args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn dumps(dir: &Path) -> Vec<String> {
    let mut d: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".dump"))
        .collect();
    d.sort();
    d
}

#[test]
fn a_backup_restores_for_real_and_a_damaged_one_fails_loudly() {
    // The files, as a person gets them.
    let p = Project::repo("python-fastapi-k8s");
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "containerize this app with database backups kept 7 days",
        "--apply",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in [
        "backup/backup.sh",
        "backup/restore.sh",
        "compose.backup.yaml",
        "docs/backup.md",
    ] {
        assert!(p.work.join(f).exists(), "{f} is written");
    }
    let shellcheck = Command::new("shellcheck")
        .args([
            "--shell=sh",
            "--severity=style",
            "backup/backup.sh",
            "backup/restore.sh",
        ])
        .current_dir(&p.work)
        .output()
        .unwrap();
    assert!(
        shellcheck.status.success(),
        "shellcheck: {}",
        String::from_utf8_lossy(&shellcheck.stdout)
    );
    let compose = Command::new(tool("docker-compose"))
        .args(["-f", "compose.yaml", "-f", "compose.backup.yaml", "config"])
        .env("POSTGRES_PASSWORD", "only-for-this-test")
        .current_dir(&p.work)
        .output()
        .unwrap();
    assert!(
        compose.status.success(),
        "docker-compose: {}",
        String::from_utf8_lossy(&compose.stderr)
    );
    let merged = String::from_utf8_lossy(&compose.stdout);
    assert!(
        merged.contains("RETENTION_DAYS: \"7\""),
        "the asked retention: {merged}"
    );
    assert!(
        merged.contains("@postgres:5432/"),
        "the backup reaches compose's database"
    );

    // A server with data.
    let server = Server::start();
    server.query("postgres", "create database app");
    server.query(
        "app",
        "create table customers (id serial primary key, name text not null); \
         create table orders (id serial primary key, customer integer not null references customers, total numeric(10,2), at timestamptz default now()); \
         insert into customers (name) select 'customer ' || g from generate_series(1, 20000) g; \
         insert into orders (customer, total) select 1 + g % 20000, g * 0.37 from generate_series(1, 200000) g",
    );
    let fingerprint = "select (select count(*) from customers) || '/' || (select count(*) from orders) || '/' || (select sum(total) from orders)";
    let original = server.query("app", fingerprint);

    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path().to_str().unwrap();
    let env = [
        ("DATABASE_URL", server.url("app")),
        ("BACKUP_DIR", dir.to_string()),
        ("RETENTION_DAYS", "7".to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // The backup.
    let started = Instant::now();
    let out = script(&p, "backup.sh", &env, &[]);
    let backup_time = started.elapsed();
    assert!(out.status.success(), "backup: {}", String::from_utf8_lossy(&out.stderr));
    let made = dumps(backups.path());
    assert_eq!(made.len(), 1, "{made:?}");
    let dump = backups.path().join(&made[0]);
    assert!(
        backups.path().join(format!("{}.sha256", made[0])).exists(),
        "a checksum beside it"
    );
    let size = std::fs::metadata(&dump).unwrap().len();

    // The restore: a new database, the same rows.
    let restore_url = server.url("app_restore");
    let started = Instant::now();
    let out = script(
        &p,
        "restore.sh",
        &[("RESTORE_URL", &restore_url), ("BACKUP_DIR", dir)],
        &[],
    );
    let restore_time = started.elapsed();
    assert!(
        out.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 tables answer"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        server.query("app_restore", fingerprint),
        original,
        "the copy holds the same rows"
    );
    assert_eq!(
        server.query("app", fingerprint),
        original,
        "the live database is untouched"
    );
    // Restoring over an existing database is refused: the copy always starts empty.
    let out = script(
        &p,
        "restore.sh",
        &[("RESTORE_URL", &restore_url), ("BACKUP_DIR", dir)],
        &[],
    );
    assert!(
        !out.status.success(),
        "a restore never writes into an existing database"
    );

    // Retention: dumps older than the asked days go, but never the newest three.
    for (i, age) in ["2020-01-01", "2020-01-02", "2020-01-03"].iter().enumerate() {
        let old = backups.path().join(format!("2020010{}T020000Z.dump", i + 1));
        std::fs::copy(&dump, &old).unwrap();
        std::fs::write(
            backups.path().join(format!("2020010{}T020000Z.dump.sha256", i + 1)),
            "x",
        )
        .unwrap();
        let status = Command::new("touch").args(["-d", age]).arg(&old).status().unwrap();
        assert!(status.success());
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = script(&p, "backup.sh", &env, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kept = dumps(backups.path());
    assert_eq!(kept.len(), 3, "the newest three stay, the old ones go: {kept:?}");
    assert!(
        kept.contains(&"20200103T020000Z.dump".to_string()) && !kept.contains(&"20200101T020000Z.dump".to_string())
    );
    assert!(
        !backups.path().join("20200101T020000Z.dump.sha256").exists(),
        "with their checksums"
    );

    // A damaged backup: the checksum catches it before anything is created.
    let newest = backups.path().join(kept.last().unwrap());
    let mut bytes = std::fs::read(&newest).unwrap();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0xff;
    }
    std::fs::write(&newest, &bytes).unwrap();
    let out = script(
        &p,
        "restore.sh",
        &[("RESTORE_URL", &server.url("app_damaged")), ("BACKUP_DIR", dir)],
        &[],
    );
    assert!(!out.status.success(), "a damaged backup fails the restore");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("restore FAILED") && said.contains("damaged"),
        "loudly: {said}"
    );
    assert!(!server.exists("app_damaged"), "and creates nothing");

    // A dump cut short when it was written (its checksum made after): pg_restore stops.
    let truncated = backups.path().join("20991231T000000Z.dump");
    std::fs::write(&truncated, &std::fs::read(&dump).unwrap()[..(size as usize) / 3]).unwrap();
    let sum = Command::new("sha256sum")
        .arg("20991231T000000Z.dump")
        .current_dir(backups.path())
        .output()
        .unwrap();
    std::fs::write(backups.path().join("20991231T000000Z.dump.sha256"), &sum.stdout).unwrap();
    let out = script(
        &p,
        "restore.sh",
        &[("RESTORE_URL", &server.url("app_truncated")), ("BACKUP_DIR", dir)],
        &[],
    );
    assert!(!out.status.success(), "a truncated backup fails the restore");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("restore FAILED"), "loudly: {said}");

    // A database that does not answer fails the backup and leaves no partial dump.
    let before = dumps(backups.path());
    let out = script(
        &p,
        "backup.sh",
        &[("DATABASE_URL", &server.url("no_such_database")), ("BACKUP_DIR", dir)],
        &[],
    );
    assert!(!out.status.success(), "a failed dump fails the backup");
    assert_eq!(dumps(backups.path()), before);
    assert!(
        !std::fs::read_dir(backups.path())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(".partial")),
        "no partial dump is left"
    );

    eprintln!(
        "backup and restore: {original} (customers/orders/sum), dump {size} bytes in {:.2} s, restored in {:.2} s; damaged and truncated backups refused",
        backup_time.as_secs_f64(),
        restore_time.as_secs_f64()
    );
}

/// A MariaDB server of our own (the Debian package: MySQL's protocol and its `mysqldump`), on
/// 127.0.0.1 at a free port with its files in a temporary folder, stopped on drop.
struct Maria {
    _tmp: tempfile::TempDir,
    socket: PathBuf,
    port: u16,
    child: std::process::Child,
}

impl Maria {
    fn start() -> Maria {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        // The socket and the pid file go in a folder the server's user owns.
        let run = tmp.path().join("run");
        let socket = run.join("mysqld.sock");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&run).unwrap();
        let root = String::from_utf8_lossy(&Command::new("id").arg("-u").output().unwrap().stdout).trim() == "0";
        let mut user = Vec::new();
        if root {
            // mariadbd refuses to run as root: as root, it runs as the package's mysql user.
            let status = Command::new("chmod").args(["755"]).arg(tmp.path()).status().unwrap();
            assert!(status.success());
            let status = Command::new("chown")
                .args(["-R", "mysql:mysql"])
                .arg(&data)
                .arg(&run)
                .status()
                .unwrap();
            assert!(status.success());
            user.push("--user=mysql".to_string());
        }
        let out = Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
            .args(&user)
            .output()
            .expect("mariadb-install-db: the mariadb-server package is installed (scripts/ensure.sh installs it)");
        assert!(
            out.status.success(),
            "mariadb-install-db: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("/usr/sbin/mariadbd")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--port={port}"))
            .arg(format!("--pid-file={}", run.join("mysqld.pid").display()))
            .args([
                "--bind-address=127.0.0.1",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=64M",
            ])
            .args(&user)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let m = Maria {
            _tmp: tmp,
            socket,
            port,
            child,
        };
        for _ in 0..300 {
            let ping = Command::new("mariadb-admin")
                .arg("--no-defaults")
                .arg(format!("--socket={}", m.socket.display()))
                .args(["-u", "root", "ping"])
                .output()
                .unwrap();
            if ping.status.success() {
                return m;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("mariadbd did not answer in 30 s");
    }

    /// The result of `sql` as root over the socket.
    fn query(&self, sql: &str) -> String {
        let out = Command::new("mariadb")
            .arg("--no-defaults")
            .arg(format!("--socket={}", self.socket.display()))
            .args(["-u", "root", "-N", "-B", "-e", sql])
            .output()
            .unwrap();
        assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Maria {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn gz_dumps(dir: &Path) -> Vec<String> {
    let mut d: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".sql.gz"))
        .collect();
    d.sort();
    d
}

#[test]
fn a_mysql_backup_restores_for_real_and_a_damaged_one_fails_loudly() {
    let p = Project::repo("node-nodemon-start");
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "containerize this app with database backups kept 7 days",
        "--apply",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in [
        "backup/mysql-backup.sh",
        "backup/mysql-restore.sh",
        "compose.backup.yaml",
        "docs/backup.md",
    ] {
        assert!(p.work.join(f).exists(), "{f} is written");
    }
    let shellcheck = Command::new("shellcheck")
        .args([
            "--shell=sh",
            "--severity=style",
            "backup/mysql-backup.sh",
            "backup/mysql-restore.sh",
        ])
        .current_dir(&p.work)
        .output()
        .unwrap();
    assert!(
        shellcheck.status.success(),
        "shellcheck: {}",
        String::from_utf8_lossy(&shellcheck.stdout)
    );
    let compose = Command::new(tool("docker-compose"))
        .args(["-f", "compose.yaml", "-f", "compose.backup.yaml", "config"])
        .env("MYSQL_PASSWORD", "only-for-this-test")
        .env("MYSQL_ROOT_PASSWORD", "only-for-this-test")
        .current_dir(&p.work)
        .output()
        .unwrap();
    assert!(
        compose.status.success(),
        "docker-compose: {}",
        String::from_utf8_lossy(&compose.stderr)
    );
    let merged = String::from_utf8_lossy(&compose.stdout);
    assert!(
        merged.contains("RETENTION_DAYS: \"7\""),
        "the asked retention: {merged}"
    );
    assert!(
        merged.contains("MYSQL_HOST: mysql"),
        "the backup reaches compose's database: {merged}"
    );

    // A server with data, an app user whose password needs quoting, and an admin for restores.
    let server = Maria::start();
    let password = r#"p@ss "quoted" \ and # more"#;
    let sql_password = password.replace('\\', "\\\\").replace('\'', "\\'");
    server.query(&format!(
        "create database app; \
         create user 'app'@'127.0.0.1' identified by '{sql_password}'; grant all on app.* to 'app'@'127.0.0.1'; \
         create user 'admin'@'127.0.0.1' identified by 'admin-pw'; grant all on *.* to 'admin'@'127.0.0.1'; \
         create table app.customers (id int auto_increment primary key, name varchar(100) not null) engine=InnoDB; \
         create table app.orders (id int auto_increment primary key, customer int not null, total decimal(10,2), \
           foreign key (customer) references app.customers (id)) engine=InnoDB; \
         use app; insert into app.customers (name) select concat('customer ', seq) from seq_1_to_20000; \
         insert into app.orders (customer, total) select 1 + seq % 20000, seq * 0.37 from seq_1_to_200000"
    ));
    let fingerprint = |db: &str| {
        server.query(&format!(
            "select concat((select count(*) from {db}.customers), '/', (select count(*) from {db}.orders), '/', (select sum(total) from {db}.orders))"
        ))
    };
    let original = fingerprint("app");

    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path().to_str().unwrap().to_string();
    let port = server.port.to_string();
    let as_app = [
        ("MYSQL_HOST", "127.0.0.1"),
        ("MYSQL_PORT", port.as_str()),
        ("MYSQL_USER", "app"),
        ("MYSQL_PASSWORD", password),
        ("MYSQL_DATABASE", "app"),
        ("BACKUP_DIR", dir.as_str()),
        ("RETENTION_DAYS", "7"),
    ];

    // The backup.
    let started = Instant::now();
    let out = script(&p, "mysql-backup.sh", &as_app, &[]);
    let backup_time = started.elapsed();
    assert!(out.status.success(), "backup: {}", String::from_utf8_lossy(&out.stderr));
    let made = gz_dumps(backups.path());
    assert_eq!(made.len(), 1, "{made:?}");
    let dump = backups.path().join(&made[0]);
    assert!(
        backups.path().join(format!("{}.sha256", made[0])).exists(),
        "a checksum beside it"
    );
    let size = std::fs::metadata(&dump).unwrap().len();
    let leftovers: Vec<String> = std::fs::read_dir(backups.path())
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "no partial files: {leftovers:?}");

    // A wrong password: the backup fails and leaves nothing behind.
    let mut wrong = as_app;
    wrong[3] = ("MYSQL_PASSWORD", "not-it");
    let out = script(&p, "mysql-backup.sh", &wrong, &[]);
    assert!(!out.status.success(), "a backup that cannot log in fails");
    assert_eq!(gz_dumps(backups.path()), made, "and adds no dump");

    // The restore: a new database, the same rows, the live one untouched.
    let as_admin = [
        ("MYSQL_HOST", "127.0.0.1"),
        ("MYSQL_PORT", port.as_str()),
        ("MYSQL_USER", "admin"),
        ("MYSQL_PASSWORD", "admin-pw"),
        ("RESTORE_DATABASE", "app_restore"),
        ("BACKUP_DIR", dir.as_str()),
    ];
    let started = Instant::now();
    let out = script(&p, "mysql-restore.sh", &as_admin, &[]);
    let restore_time = started.elapsed();
    assert!(
        out.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 tables answer"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(fingerprint("app_restore"), original, "the copy holds the same rows");
    assert_eq!(fingerprint("app"), original, "the live database is untouched");
    let out = script(&p, "mysql-restore.sh", &as_admin, &[]);
    assert!(
        !out.status.success(),
        "a restore never writes into an existing database"
    );

    // Retention: dumps older than the asked days go, but never the newest three.
    for (i, age) in ["2020-01-01", "2020-01-02", "2020-01-03"].iter().enumerate() {
        let old = backups.path().join(format!("2020010{}T020000Z.sql.gz", i + 1));
        std::fs::copy(&dump, &old).unwrap();
        std::fs::write(
            backups.path().join(format!("2020010{}T020000Z.sql.gz.sha256", i + 1)),
            "x",
        )
        .unwrap();
        let status = Command::new("touch").args(["-d", age]).arg(&old).status().unwrap();
        assert!(status.success());
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = script(&p, "mysql-backup.sh", &as_app, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kept = gz_dumps(backups.path());
    assert_eq!(kept.len(), 3, "the newest three stay, the old ones go: {kept:?}");
    assert!(!kept.contains(&"20200101T020000Z.sql.gz".to_string()));
    assert!(
        !backups.path().join("20200101T020000Z.sql.gz.sha256").exists(),
        "with their checksums"
    );

    // A damaged backup: the checksum catches it before anything is created.
    let newest = backups.path().join(kept.last().unwrap());
    let mut bytes = std::fs::read(&newest).unwrap();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0xff;
    }
    std::fs::write(&newest, &bytes).unwrap();
    let mut damaged = as_admin;
    damaged[4] = ("RESTORE_DATABASE", "app_damaged");
    let out = script(&p, "mysql-restore.sh", &damaged, &[]);
    assert!(!out.status.success(), "a damaged backup fails the restore");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not match its checksum"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A dump cut short whose checksum was made to match: the missing last line catches it.
    let full = Command::new("gzip").arg("-dc").arg(&dump).output().unwrap().stdout;
    let cut = tempfile::tempdir().unwrap();
    let short = cut.path().join("20260101T000000Z.sql");
    std::fs::write(&short, &full[..full.len() * 2 / 3]).unwrap();
    assert!(Command::new("gzip").arg(&short).status().unwrap().success());
    let sum = Command::new("sha256sum")
        .arg("20260101T000000Z.sql.gz")
        .current_dir(cut.path())
        .output()
        .unwrap()
        .stdout;
    std::fs::write(cut.path().join("20260101T000000Z.sql.gz.sha256"), sum).unwrap();
    let cut_dir = cut.path().to_str().unwrap().to_string();
    damaged[5] = ("BACKUP_DIR", cut_dir.as_str());
    let out = script(&p, "mysql-restore.sh", &damaged, &[]);
    assert!(!out.status.success(), "a truncated backup fails the restore");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is incomplete"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        server.query("select count(*) from information_schema.schemata where schema_name = 'app_damaged'"),
        "0",
        "nothing is created from a bad backup"
    );

    eprintln!(
        "mysql backup: 220000 rows, dump {size} bytes (gzip) in {:.2} s; restore in {:.2} s; damaged and truncated backups refused",
        backup_time.as_secs_f64(),
        restore_time.as_secs_f64()
    );
}
