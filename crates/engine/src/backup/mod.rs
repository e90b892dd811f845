//! Backups for a database that runs beside the app in compose (or on a VM): a scheduled
//! `pg_dump` or `mysqldump` that proves each dump complete and readable before it counts, keeps
//! the asked days, and a restore that rebuilds a copy from the newest dump and checks it
//! answers, never touching the live database.
//!
//! The scripts are POSIX shell (a text format, so text templates); the compose override is a
//! typed value through the one YAML writer. PostgreSQL and MySQL (or MariaDB); MongoDB is
//! refused in words.

use slipway_scan::ProjectProfile;

use crate::generate::Artifact;
use crate::knowledge::service_image;
use crate::write::yaml::{self, Yaml};

/// Why nothing is backed up for a project without a database.
pub const NO_DATABASE: &str = "the project uses no database to back up (PostgreSQL, MySQL or MongoDB)";

/// The folder the scripts go in.
pub const DIR: &str = "backup";
/// The compose file that adds the backup service.
pub const COMPOSE: &str = "compose.backup.yaml";
/// The runbook.
pub const RUNBOOK: &str = "docs/backup.md";

/// What the backup family wrote, and what it says of the objectives.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// The files.
    pub artifacts: Vec<Artifact>,
    /// Sentences for the run's summary: the recovery objectives the setup meets.
    pub notes: Vec<String>,
}

/// The settings the backups take from the task and the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSpec {
    /// Days a dump is kept (the newest three are kept whatever their age).
    pub days: u32,
    /// Hours between two dumps.
    pub every_hours: u32,
    /// The databases run on a server the Ansible playbook configures, whose compose project runs
    /// the backup services too: no compose override, and a runbook for the server.
    pub server: bool,
}

impl Default for BackupSpec {
    fn default() -> Self {
        BackupSpec {
            days: 14,
            every_hours: 24,
            server: false,
        }
    }
}

/// The compose service that backs up one database: `engine` is `postgres` or `mysql`, `image`
/// the database's own (so the dump tool matches the server), `db` its compose service, `env`
/// the connection (or an `env_file` holding it). The scripts are mounted from `./backup`, and
/// the dumps go to the `backups` volume.
pub fn service(spec: &BackupSpec, engine: &str, image: &str, db: &str, env: Yaml, env_file: Option<&str>) -> Yaml {
    let seconds = spec.every_hours * 3600;
    // Late means a dump is missing for an interval and an hour: the container turns unhealthy.
    let late_minutes = (spec.every_hours + 1) * 60;
    let (script, dir, pattern) = if engine == "mysql" {
        ("mysql-backup.sh", "/backups/mysql", "*.sql.gz")
    } else {
        ("backup.sh", "/backups", "*.dump")
    };
    let env = env
        .with("RETENTION_DAYS", spec.days.to_string())
        .with("BACKUP_DIR", dir)
        .with("BACKUP_S3_URI", "${BACKUP_S3_URI:-}");
    Yaml::map()
        .with("image", image)
        .with_note(
            "depends_on",
            Yaml::map().with(db, Yaml::map().with("condition", "service_healthy")),
            "The same image as the database, so the dump tool matches the server's version.",
        )
        .with_opt("env_file", env_file.map(|f| Yaml::strs([f])))
        .with("environment", env)
        .with(
            "volumes",
            Yaml::strs([format!("./{DIR}:/{DIR}:ro"), "backups:/backups".to_string()]),
        )
        .with_note(
            "entrypoint",
            Yaml::strs([
                "sh".to_string(),
                "-c".to_string(),
                format!("while :; do sh /{DIR}/{script} || echo 'backup FAILED' >&2; sleep {seconds}; done"),
            ]),
            format!(
                "A dump every {} hours; a failed one is logged and tried again next time.",
                spec.every_hours
            ),
        )
        .with_note(
            "healthcheck",
            Yaml::map()
                .with(
                    "test",
                    Yaml::strs([
                        "CMD-SHELL".to_string(),
                        format!("find {dir} -name '{pattern}' -mmin -{late_minutes} | grep -q ."),
                    ]),
                )
                .with("interval", "5m")
                .with("start_period", "10m")
                .with("start_interval", "10s"),
            "Unhealthy when the newest dump is late: docker compose ps shows it. Checked every 10 s while it\nstarts, so `docker compose up --wait` returns once the first dump is made.",
        )
        .with("restart", "unless-stopped")
}

/// The name of the MySQL backup service: `backup`, or `backup-mysql` beside PostgreSQL's.
pub fn mysql_service(beside_postgres: bool) -> &'static str {
    if beside_postgres {
        "backup-mysql"
    } else {
        "backup"
    }
}

/// The compose service name of the PostgreSQL database, from an existing compose file (the
/// service whose image is postgres) or Slipway's own name for it.
pub fn database_service(compose: Option<&str>) -> String {
    service_of(compose, &["postgres"], "postgres")
}

/// The compose service whose image is one of `images`, or `default`.
fn service_of(compose: Option<&str>, images: &[&str], default: &str) -> String {
    let Some(text) = compose else {
        return default.into();
    };
    let Ok(doc) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) else {
        return default.into();
    };
    doc.get("services")
        .and_then(|s| s.as_mapping())
        .and_then(|m| {
            m.iter().find_map(|(k, v)| {
                let image = v.get("image").and_then(|i| i.as_str()).unwrap_or("");
                let name = image.rsplit('/').next().unwrap_or(image);
                let name = name.split([':', '@']).next().unwrap_or(name);
                images.contains(&name).then(|| k.as_str().map(str::to_string)).flatten()
            })
        })
        .unwrap_or_else(|| default.into())
}

/// The project's own compose file at its root, as the scan classified it, read from `root`.
pub fn project_compose(profile: &ProjectProfile, root: &std::path::Path) -> Option<String> {
    profile
        .infrastructure
        .iter()
        .filter(|f| f.kind == "compose" && !f.path.contains('/'))
        .find_map(|f| std::fs::read_to_string(root.join(&f.path)).ok())
}

/// The backups for `profile`'s database. `compose` is the project's compose file, when it has
/// one, so the backup reaches the database under the name it has there.
pub fn generate(profile: &ProjectProfile, spec: &BackupSpec, compose: Option<&str>) -> Result<Generated, String> {
    let engines: Vec<&str> = {
        let mut e: Vec<&str> = profile
            .services
            .iter()
            .flat_map(|s| s.backing_services.iter().map(String::as_str))
            .filter(|b| matches!(*b, "postgres" | "mysql" | "mongodb"))
            .collect();
        e.sort();
        e.dedup();
        e
    };
    if engines.is_empty() {
        return Err(NO_DATABASE.into());
    }
    if !engines.contains(&"postgres") && !engines.contains(&"mysql") {
        return Err(format!(
            "backups are written for PostgreSQL and MySQL so far; this project uses {}",
            engines.join(" and ")
        ));
    }
    if !(1..=3650).contains(&spec.days) {
        return Err(format!("backups must be kept 1 to 3650 days, not {}", spec.days));
    }
    let postgres = engines.contains(&"postgres").then(|| database_service(compose));
    let mysql = engines
        .contains(&"mysql")
        .then(|| service_of(compose, &["mysql", "mariadb"], "mysql"));
    let mut g = Generated::default();
    if postgres.is_some() {
        g.artifacts.push(Artifact {
            path: format!("{DIR}/backup.sh"),
            content: backup_script(),
            purpose: "one PostgreSQL dump, proven readable before it counts, old ones pruned".into(),
            step: "backup".into(),
        });
        g.artifacts.push(Artifact {
            path: format!("{DIR}/restore.sh"),
            content: restore_script(),
            purpose: "rebuilds a copy of the database from the newest dump and checks it answers".into(),
            step: "backup".into(),
        });
    }
    if mysql.is_some() {
        g.artifacts.push(Artifact {
            path: format!("{DIR}/mysql-backup.sh"),
            content: mysql_backup_script(),
            purpose: "one MySQL dump, proven complete before it counts, compressed, old ones pruned".into(),
            step: "backup".into(),
        });
        g.artifacts.push(Artifact {
            path: format!("{DIR}/mysql-restore.sh"),
            content: mysql_restore_script(),
            purpose: "rebuilds a copy of the MySQL database from the newest dump and checks it answers".into(),
            step: "backup".into(),
        });
    }
    let names: Vec<&str> = postgres.iter().chain(mysql.iter()).map(String::as_str).collect();
    if !spec.server {
        g.artifacts.push(Artifact {
            path: COMPOSE.into(),
            content: compose_override(spec, postgres.as_deref(), mysql.as_deref()),
            purpose: format!(
                "a backup service beside {}: a dump every {} hours, kept {} days",
                names.join(" and "),
                spec.every_hours,
                spec.days
            ),
            step: "backup".into(),
        });
    }
    g.artifacts.push(Artifact {
        path: RUNBOOK.into(),
        content: runbook(spec, postgres.as_deref(), mysql.as_deref(), &engines),
        purpose: "how the backups run, how to restore and practise it, what they promise".into(),
        step: "backup".into(),
    });
    g.notes.push(format!(
        "backups: a dump every {} hours (recovery point up to {} hours), kept {} days; a restore rebuilds a copy in minutes for a small database (docs/backup.md)",
        spec.every_hours, spec.every_hours, spec.days
    ));
    if engines.contains(&"mongodb") {
        g.notes
            .push("backups cover PostgreSQL and MySQL: MongoDB is not backed up yet".into());
    }
    Ok(g)
}

fn backup_script() -> String {
    r#"#!/bin/sh
# Written by Slipway: one PostgreSQL backup.
#
# Dumps DATABASE_URL in pg_dump's custom format into BACKUP_DIR, proves the dump readable with
# pg_restore --list before it counts, writes its SHA-256 beside it, copies both to
# BACKUP_S3_URI when that is set (with the aws command), and removes dumps older than
# RETENTION_DAYS, always keeping the newest three. A failure exits non-zero and leaves no
# partial dump behind.
set -eu

: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
dir=${BACKUP_DIR:-/backups}
days=${RETENTION_DAYS:-14}
mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
tmp="$dir/.partial-$stamp"
trap 'rm -f "$tmp"' EXIT

pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$tmp"
# A dump pg_restore cannot read is no backup: fail today, not on the day of the restore.
pg_restore --list "$tmp" >/dev/null
mv "$tmp" "$dir/$stamp.dump"
(cd "$dir" && sha256sum "$stamp.dump" > "$stamp.dump.sha256")

if [ -n "${BACKUP_S3_URI:-}" ]; then
  aws s3 cp --only-show-errors "$dir/$stamp.dump" "${BACKUP_S3_URI%/}/$stamp.dump"
  aws s3 cp --only-show-errors "$dir/$stamp.dump.sha256" "${BACKUP_S3_URI%/}/$stamp.dump.sha256"
fi

find "$dir" -maxdepth 1 -name '*.dump' -type f | sort -r | tail -n +4 | while read -r old; do
  if [ -n "$(find "$old" -mtime +"$days")" ]; then
    rm -f "$old" "$old.sha256"
  fi
done

echo "backup: $stamp.dump, $(wc -c < "$dir/$stamp.dump") bytes"
"#
    .to_string()
}

fn restore_script() -> String {
    r#"#!/bin/sh
# Written by Slipway: rebuilds a copy of the database from a backup and checks it answers.
#
# Takes the newest dump in BACKUP_DIR (or the file named as the first argument), checks it
# against its SHA-256, creates the database RESTORE_URL names (it must not exist yet: the live
# database is never touched), restores into it stopping at the first error, and checks that
# every table the dump holds is there and answers. Any failure exits non-zero, loudly.
set -eu

: "${RESTORE_URL:?set RESTORE_URL to a server and a new database name for the copy}"
dir=${BACKUP_DIR:-/backups}
dump=${1:-$(find "$dir" -maxdepth 1 -name '*.dump' -type f | sort | tail -n 1)}
fail() { echo "restore FAILED: $*" >&2; exit 1; }
if [ -z "$dump" ] || [ ! -f "$dump" ]; then fail "no backup in $dir"; fi
if [ ! -f "$dump.sha256" ]; then fail "$dump has no checksum beside it"; fi
(cd "$(dirname "$dump")" && sha256sum --status -c "$(basename "$dump").sha256") \
  || fail "$dump does not match its checksum: the backup is damaged"
contents=$(pg_restore --list "$dump") || fail "pg_restore cannot read $dump"
expected=$(printf '%s\n' "$contents" | grep -c ' TABLE DATA ' || true)

base=${RESTORE_URL%%\?*}
query=${RESTORE_URL#"$base"}
db=${base##*/}
admin="${base%/*}/postgres$query"
start=$(date +%s)
psql --dbname="$admin" -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE \"$db\"" \
  || fail "could not create the database $db for the copy"
pg_restore --exit-on-error --no-owner --no-privileges --dbname="$RESTORE_URL" "$dump" \
  || fail "pg_restore stopped on $dump; the copy $db is incomplete, drop it"
tables=$(psql --dbname="$RESTORE_URL" -v ON_ERROR_STOP=1 -tAc \
  "select count(*) from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'") \
  || fail "the copy $db does not answer"
[ "$tables" -ge "$expected" ] || fail "the copy has $tables tables, the dump $expected"
echo "restore: $(basename "$dump") into $db in $(($(date +%s) - start)) s; $tables tables answer"
"#
    .to_string()
}

fn mysql_backup_script() -> String {
    r#"#!/bin/sh
# Written by Slipway: one MySQL (or MariaDB) backup.
#
# Dumps MYSQL_DATABASE from MYSQL_HOST with mysqldump in one consistent transaction (InnoDB),
# with its triggers and routines, into BACKUP_DIR. The dump counts only once its last line says
# it completed; it is then compressed, proven readable with gzip -t, and gets its SHA-256 beside
# it. It is copied to BACKUP_S3_URI when that is set (with the aws command), and dumps older
# than RETENTION_DAYS are removed, always keeping the newest three. The password goes to the
# client in a private option file, never on the command line. A failure exits non-zero and
# leaves no partial dump behind.
set -eu

: "${MYSQL_DATABASE:?set MYSQL_DATABASE to the database to back up}"
: "${MYSQL_USER:?set MYSQL_USER to a user that may read it}"
: "${MYSQL_PASSWORD:?set MYSQL_PASSWORD}"
dir=${BACKUP_DIR:-/backups/mysql}
days=${RETENTION_DAYS:-14}
mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
tmp="$dir/.partial-$stamp"
cnf=$(mktemp)
trap 'rm -f "$tmp" "$tmp.sql" "$cnf"' EXIT
chmod 600 "$cnf"
password=$(printf '%s' "$MYSQL_PASSWORD" | sed 's/[\\"]/\\&/g')
printf '[client]\nhost=%s\nport=%s\nuser=%s\npassword="%s"\n' \
  "${MYSQL_HOST:-127.0.0.1}" "${MYSQL_PORT:-3306}" "$MYSQL_USER" "$password" > "$cnf"

mysqldump --defaults-extra-file="$cnf" --single-transaction --quick --triggers --routines \
  --no-tablespaces --hex-blob --default-character-set=utf8mb4 \
  --result-file="$tmp.sql" "$MYSQL_DATABASE"
# mysqldump ends a whole dump with this line: without it the dump stopped halfway.
tail -n 1 "$tmp.sql" | grep -q '^-- Dump completed' || { echo "backup FAILED: the dump is incomplete" >&2; exit 1; }
gzip -c "$tmp.sql" > "$tmp"
gzip -t "$tmp"
mv "$tmp" "$dir/$stamp.sql.gz"
(cd "$dir" && sha256sum "$stamp.sql.gz" > "$stamp.sql.gz.sha256")

if [ -n "${BACKUP_S3_URI:-}" ]; then
  aws s3 cp --only-show-errors "$dir/$stamp.sql.gz" "${BACKUP_S3_URI%/}/$stamp.sql.gz"
  aws s3 cp --only-show-errors "$dir/$stamp.sql.gz.sha256" "${BACKUP_S3_URI%/}/$stamp.sql.gz.sha256"
fi

find "$dir" -maxdepth 1 -name '*.sql.gz' -type f | sort -r | tail -n +4 | while read -r old; do
  if [ -n "$(find "$old" -mtime +"$days")" ]; then
    rm -f "$old" "$old.sha256"
  fi
done

echo "backup: $stamp.sql.gz, $(wc -c < "$dir/$stamp.sql.gz") bytes"
"#
    .to_string()
}

fn mysql_restore_script() -> String {
    r#"#!/bin/sh
# Written by Slipway: rebuilds a copy of the MySQL database from a backup and checks it answers.
#
# Takes the newest dump in BACKUP_DIR (or the file named as the first argument), checks it
# against its SHA-256 and that it is whole, creates the database RESTORE_DATABASE (it must not
# exist yet: the live database is never touched), loads the dump into it stopping at the first
# error, and checks that every table the dump holds is there and answers. MYSQL_USER needs the
# right to create databases (root, in compose). Any failure exits non-zero, loudly.
set -eu

: "${RESTORE_DATABASE:?set RESTORE_DATABASE to a new database name for the copy}"
: "${MYSQL_USER:?set MYSQL_USER to a user that may create databases}"
: "${MYSQL_PASSWORD:?set MYSQL_PASSWORD}"
dir=${BACKUP_DIR:-/backups/mysql}
dump=${1:-$(find "$dir" -maxdepth 1 -name '*.sql.gz' -type f | sort | tail -n 1)}
fail() { echo "restore FAILED: $*" >&2; exit 1; }
if [ -z "$dump" ] || [ ! -f "$dump" ]; then fail "no backup in $dir"; fi
if [ ! -f "$dump.sha256" ]; then fail "$dump has no checksum beside it"; fi
(cd "$(dirname "$dump")" && sha256sum --status -c "$(basename "$dump").sha256") \
  || fail "$dump does not match its checksum: the backup is damaged"
gzip -t "$dump" || fail "$dump is not a whole gzip file"
gzip -dc "$dump" | tail -n 1 | grep -q '^-- Dump completed' || fail "$dump is incomplete"
expected=$(gzip -dc "$dump" | grep -c '^CREATE TABLE' || true)

db=$RESTORE_DATABASE
case $db in *[!A-Za-z0-9_]*) fail "RESTORE_DATABASE may hold letters, digits and _ only" ;; esac
cnf=$(mktemp)
trap 'rm -f "$cnf"' EXIT
chmod 600 "$cnf"
password=$(printf '%s' "$MYSQL_PASSWORD" | sed 's/[\\"]/\\&/g')
printf '[client]\nhost=%s\nport=%s\nuser=%s\npassword="%s"\n' \
  "${MYSQL_HOST:-127.0.0.1}" "${MYSQL_PORT:-3306}" "$MYSQL_USER" "$password" > "$cnf"
start=$(date +%s)
mysql --defaults-extra-file="$cnf" -e "CREATE DATABASE \`$db\`" \
  || fail "could not create the database $db for the copy (it must not exist yet)"
gzip -dc "$dump" | mysql --defaults-extra-file="$cnf" --default-character-set=utf8mb4 "$db" \
  || fail "mysql stopped on $dump; the copy $db is incomplete, drop it"
tables=$(mysql --defaults-extra-file="$cnf" -N -B -e \
  "select count(*) from information_schema.tables where table_schema = '$db' and table_type = 'BASE TABLE'") \
  || fail "the copy $db does not answer"
[ "$tables" -ge "$expected" ] || fail "the copy has $tables tables, the dump $expected"
echo "restore: $(basename "$dump") into $db in $(($(date +%s) - start)) s; $tables tables answer"
"#
    .to_string()
}

fn compose_override(spec: &BackupSpec, postgres: Option<&str>, mysql: Option<&str>) -> String {
    let mut services = Yaml::map();
    if let Some(db) = postgres {
        let image = service_image("postgres").map_or("postgres:18-alpine", |s| s.image);
        let url = format!(
            "postgresql://${{POSTGRES_USER:-app}}:${{POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}}@{db}:5432/${{POSTGRES_DB:-app}}"
        );
        let env = Yaml::map().with("DATABASE_URL", url);
        services = services.with("backup", service(spec, "postgres", image, db, env, None));
    }
    if let Some(db) = mysql {
        let image = service_image("mysql").map_or("mysql:8.4", |s| s.image);
        let env = Yaml::map()
            .with("MYSQL_HOST", db)
            .with("MYSQL_DATABASE", "${MYSQL_DATABASE:-app}")
            .with("MYSQL_USER", "${MYSQL_USER:-app}")
            .with("MYSQL_PASSWORD", "${MYSQL_PASSWORD:?set MYSQL_PASSWORD in .env}");
        services = services.with(
            mysql_service(postgres.is_some()),
            service(spec, "mysql", image, db, env, None),
        );
    }
    let doc = Yaml::map().with("services", services).with_note(
        "volumes",
        Yaml::map().with("backups", Yaml::map()),
        "The dumps live on a volume, never in the project folder, so git never sees them.",
    );
    let what: Vec<String> = postgres
        .map(|d| format!("PostgreSQL ({d})"))
        .into_iter()
        .chain(mysql.map(|d| format!("MySQL ({d})")))
        .collect();
    yaml::to_string(
        &doc,
        &format!(
            "Written by Slipway: {} backups for compose.yaml. Start them with\n  docker compose -f compose.yaml -f {COMPOSE} up -d\nand practise a restore with docs/backup.md.",
            what.join(" and ")
        ),
    )
}

fn runbook(spec: &BackupSpec, postgres: Option<&str>, mysql: Option<&str>, engines: &[&str]) -> String {
    let mysql_service = mysql_service(postgres.is_some());
    // Where the commands run: beside the local compose file, or on the server in the app's folder.
    let (dc, file, env_file) = if spec.server {
        (
            "sudo docker compose".to_string(),
            "the server's compose.yaml (ansible/roles/app)",
            "a `.env` file in the app's folder on the server",
        )
    } else {
        (
            format!("docker compose -f compose.yaml -f {COMPOSE}"),
            "compose.yaml",
            "`.env`",
        )
    };
    let mut what = Vec::new();
    if let Some(db) = postgres {
        what.push(format!(
            "PostgreSQL (`{db}` in {file}) is dumped by the `backup` service"
        ));
    }
    if let Some(db) = mysql {
        what.push(format!("MySQL (`{db}` in {file}) by the `{mysql_service}` service"));
    }
    let mut out = format!(
        "# Backups\n\nWritten by Slipway. {}{}, every {h} hours; dumps are kept {d} days on the\n`backups` volume (the newest three whatever their age).\n\n",
        what.join(", and "),
        if spec.server { String::new() } else { format!(" of `{COMPOSE}`") },
        h = spec.every_hours,
        d = spec.days
    );
    let checks: Vec<&str> = postgres
        .map(|_| "a PostgreSQL dump is checked with `pg_restore --list` before it counts")
        .into_iter()
        .chain(mysql.map(|_| "a MySQL dump counts only when its last line says mysqldump completed, and is then\ncompressed and checked with `gzip -t`"))
        .collect();
    out.push_str(&if spec.server {
        format!("## Start\n\nThe playbook copies `{DIR}/` to the server and starts the backup services with the app\n(`ansible-playbook site.yml`). On the server, in the app's folder (`app_dir`):\n\n```sh\n{dc} ps   # the backup services are healthy while dumps are on time\n```\n\n")
    } else {
        format!("## Start\n\n```sh\n{dc} up -d\n{dc} ps   # the backup services are healthy while dumps are on time\n```\n\n")
    });
    out.push_str(&format!(
        "Each dump gets a `.sha256` beside it; {}. A failed dump prints `backup FAILED` in the\nservice's logs, and the service turns unhealthy when no dump is newer than {} hours.\n\n",
        checks.join("; "),
        spec.every_hours + 1
    ));
    out.push_str(&format!("## Off this host\n\nA backup on the same disk as the database does not survive the disk. Set `BACKUP_S3_URI`\n(`s3://bucket/prefix`) in {env_file} and give the host the `aws` command and a role or key that may\nonly write to that prefix; keep the bucket's own lifecycle rule at the same retention, with\nversioning and object lock if you can.\n\n"));
    out.push_str("## Restore\n\nA restore never touches the live database: it builds a copy beside it, checks it, and you\nswitch to it.\n\n");
    if let Some(db) = postgres {
        out.push_str(&format!(
            "PostgreSQL:\n\n```sh\n# the newest dump, into a new database app_restore on the same server\n{dc} run --rm \\\n  -e RESTORE_URL='postgresql://app:...@{db}:5432/app_restore' backup sh /{DIR}/restore.sh\n# or a chosen dump\n{dc} run --rm -e RESTORE_URL=... backup \\\n  sh /{DIR}/restore.sh /backups/20260101T020000Z.dump\n```\n\n"
        ));
    }
    if mysql.is_some() {
        out.push_str(&format!(
            "MySQL (creating the copy takes the root user):\n\n```sh\n# the newest dump, into a new database app_restore on the same server\n{dc} run --rm -e RESTORE_DATABASE=app_restore \\\n  -e MYSQL_USER=root -e MYSQL_PASSWORD=\"$MYSQL_ROOT_PASSWORD\" {mysql_service} sh /{DIR}/mysql-restore.sh\n# or a chosen dump\n{dc} run --rm -e RESTORE_DATABASE=app_restore \\\n  -e MYSQL_USER=root -e MYSQL_PASSWORD=\"$MYSQL_ROOT_PASSWORD\" {mysql_service} \\\n  sh /{DIR}/mysql-restore.sh /backups/mysql/20260101T020000Z.sql.gz\n```\n\n"
        ));
    }
    out.push_str("Each script checks the dump against its checksum, restores it stopping at the first error, and\nchecks that every table in the dump is there and answers. Then point the app's database URL at\nthe copy (or rename the databases while the app is stopped) and restart the app.\n\nPractise this once a month: a backup that was never restored is a hope, not a backup.\n\n");
    out.push_str(&format!(
        "## What this promises\n\n- Recovery point: up to {h} hours of writes can be lost (the time between two dumps). For\n  less, run the dumps more often or use a managed database with point-in-time recovery.\n- Recovery time: the restore's own time (seconds for a small database; it grows with the size,\n  about a minute per few GB) plus switching the app over.\n- A lost host loses the dumps with it unless they are copied off it (above).\n",
        h = spec.every_hours
    ));
    let others: Vec<&str> = engines
        .iter()
        .filter(|e| !matches!(**e, "postgres" | "mysql"))
        .copied()
        .collect();
    if !others.is_empty() {
        out.push_str(&format!(
            "\nNot covered: {} is not backed up by this yet.\n",
            others.join(" and ")
        ));
    }
    out
}
