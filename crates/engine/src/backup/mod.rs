//! Backups for a database that runs beside the app in compose (or on a VM): a scheduled
//! `pg_dump` that proves each dump readable before it counts, keeps the asked days, and a
//! restore that rebuilds a copy from the newest dump and checks it answers, never touching the
//! live database.
//!
//! The scripts are POSIX shell (a text format, so text templates); the compose override is a
//! typed value through the one YAML writer. PostgreSQL only so far: MySQL and MongoDB are
//! refused in words.

use slipway_scan::ProjectProfile;

use crate::generate::Artifact;
use crate::knowledge::service_image;
use crate::write::yaml::{self, Yaml};

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
}

impl Default for BackupSpec {
    fn default() -> Self {
        BackupSpec {
            days: 14,
            every_hours: 24,
        }
    }
}

/// The compose service name of the database, from an existing compose file (the service whose
/// image is postgres) or Slipway's own name for it.
pub fn database_service(compose: Option<&str>) -> String {
    let Some(text) = compose else {
        return "postgres".into();
    };
    let Ok(doc) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) else {
        return "postgres".into();
    };
    doc.get("services")
        .and_then(|s| s.as_mapping())
        .and_then(|m| {
            m.iter().find_map(|(k, v)| {
                let image = v.get("image").and_then(|i| i.as_str()).unwrap_or("");
                let name = image.rsplit('/').next().unwrap_or(image);
                (name.starts_with("postgres:") || name == "postgres")
                    .then(|| k.as_str().map(str::to_string))
                    .flatten()
            })
        })
        .unwrap_or_else(|| "postgres".into())
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
        return Err("the project uses no database to back up (PostgreSQL, MySQL or MongoDB)".into());
    }
    if !engines.contains(&"postgres") {
        return Err(format!(
            "backups are written for PostgreSQL so far; this project uses {}",
            engines.join(" and ")
        ));
    }
    if !(1..=3650).contains(&spec.days) {
        return Err(format!("backups must be kept 1 to 3650 days, not {}", spec.days));
    }
    let db = database_service(compose);
    let mut g = Generated::default();
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
    g.artifacts.push(Artifact {
        path: COMPOSE.into(),
        content: compose_override(spec, &db),
        purpose: format!(
            "a backup service beside {db}: a dump every {} hours, kept {} days",
            spec.every_hours, spec.days
        ),
        step: "backup".into(),
    });
    g.artifacts.push(Artifact {
        path: RUNBOOK.into(),
        content: runbook(spec, &db, &engines),
        purpose: "how the backups run, how to restore and practise it, what they promise".into(),
        step: "backup".into(),
    });
    g.notes.push(format!(
        "backups: a dump every {} hours (recovery point up to {} hours), kept {} days; a restore rebuilds a copy in minutes for a small database (docs/backup.md)",
        spec.every_hours, spec.every_hours, spec.days
    ));
    if engines.len() > 1 {
        g.notes.push(format!(
            "backups cover PostgreSQL only: {} is not backed up yet",
            engines
                .iter()
                .filter(|e| **e != "postgres")
                .copied()
                .collect::<Vec<_>>()
                .join(" and ")
        ));
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

fn compose_override(spec: &BackupSpec, db: &str) -> String {
    let image = service_image("postgres").map_or("postgres:18-alpine", |s| s.image);
    let seconds = spec.every_hours * 3600;
    // Late means a dump is missing for an interval and an hour: the container turns unhealthy.
    let late_minutes = (spec.every_hours + 1) * 60;
    let url = format!(
        "postgresql://${{POSTGRES_USER:-app}}:${{POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}}@{db}:5432/${{POSTGRES_DB:-app}}"
    );
    let service = Yaml::map()
        .with("image", image)
        .with_note(
            "depends_on",
            Yaml::map().with(db, Yaml::map().with("condition", "service_healthy")),
            "The same image as the database, so pg_dump matches the server's version.",
        )
        .with(
            "environment",
            Yaml::map()
                .with("DATABASE_URL", url)
                .with("RETENTION_DAYS", spec.days.to_string())
                .with("BACKUP_DIR", "/backups")
                .with("BACKUP_S3_URI", "${BACKUP_S3_URI:-}"),
        )
        .with(
            "volumes",
            Yaml::strs([format!("./{DIR}:/{DIR}:ro"), "backups:/backups".to_string()]),
        )
        .with_note(
            "entrypoint",
            Yaml::strs([
                "sh".to_string(),
                "-c".to_string(),
                format!("while :; do sh /{DIR}/backup.sh || echo 'backup FAILED' >&2; sleep {seconds}; done"),
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
                        format!("find /backups -name '*.dump' -mmin -{late_minutes} | grep -q ."),
                    ]),
                )
                .with("interval", "5m")
                .with("start_period", "10m"),
            "Unhealthy when the newest dump is late: docker compose ps shows it.",
        )
        .with("restart", "unless-stopped");
    let doc = Yaml::map()
        .with("services", Yaml::map().with("backup", service))
        .with_note(
            "volumes",
            Yaml::map().with("backups", Yaml::map()),
            "The dumps live on a volume, never in the project folder, so git never sees them.",
        );
    yaml::to_string(
        &doc,
        &format!(
            "Written by Slipway: PostgreSQL backups for compose.yaml ({db}). Start both with\n  docker compose -f compose.yaml -f {COMPOSE} up -d\nand practise a restore with docs/backup.md."
        ),
    )
}

fn runbook(spec: &BackupSpec, db: &str, engines: &[&str]) -> String {
    let mut out = format!(
        "# Backups\n\nWritten by Slipway. PostgreSQL (`{db}` in compose.yaml) is dumped every {h} hours by the `backup`\nservice of `{COMPOSE}`; dumps are kept {d} days on the `backups` volume (the newest three\nwhatever their age).\n\n",
        h = spec.every_hours,
        d = spec.days
    );
    out.push_str(&format!(
        "## Start\n\n```sh\ndocker compose -f compose.yaml -f {COMPOSE} up -d\ndocker compose -f compose.yaml -f {COMPOSE} ps backup   # healthy while dumps are on time\n```\n\nEach dump is checked with `pg_restore --list` before it counts and gets a `.sha256` beside it.\nA failed dump prints `backup FAILED` in `docker compose logs backup`, and the service turns\nunhealthy when no dump is newer than {} hours.\n\n",
        spec.every_hours + 1
    ));
    out.push_str("## Off this host\n\nA backup on the same disk as the database does not survive the disk. Set `BACKUP_S3_URI`\n(`s3://bucket/prefix`) in `.env` and give the host the `aws` command and a role or key that may\nonly write to that prefix; keep the bucket's own lifecycle rule at the same retention, with\nversioning and object lock if you can.\n\n");
    out.push_str(&format!(
        "## Restore\n\nA restore never touches the live database: it builds a copy beside it, checks it, and you\nswitch to it.\n\n```sh\n# the newest dump, into a new database app_restore on the same server\ndocker compose -f compose.yaml -f {COMPOSE} run --rm \\\n  -e RESTORE_URL='postgresql://app:...@{db}:5432/app_restore' backup sh /{DIR}/restore.sh\n# or a chosen dump\ndocker compose -f compose.yaml -f {COMPOSE} run --rm -e RESTORE_URL=... backup \\\n  sh /{DIR}/restore.sh /backups/20260101T020000Z.dump\n```\n\nThe script checks the dump against its checksum, restores it stopping at the first error, and\nchecks that every table in the dump is there and answers. Then point `DATABASE_URL` at the copy\n(or rename the databases while the app is stopped) and restart the app.\n\nPractise this once a month: a backup that was never restored is a hope, not a backup.\n\n"
    ));
    out.push_str(&format!(
        "## What this promises\n\n- Recovery point: up to {h} hours of writes can be lost (the time between two dumps). For\n  less, run the dumps more often or use a managed database with point-in-time recovery.\n- Recovery time: the restore's own time (seconds for a small database; it grows with the size,\n  about a minute per few GB) plus switching the app over.\n- A lost host loses the dumps with it unless they are copied off it (above).\n",
        h = spec.every_hours
    ));
    let others: Vec<&str> = engines.iter().filter(|e| **e != "postgres").copied().collect();
    if !others.is_empty() {
        out.push_str(&format!(
            "\nNot covered: {} is not backed up by this yet.\n",
            others.join(" and ")
        ));
    }
    out
}
