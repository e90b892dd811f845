//! The backup family on the fixtures: a PostgreSQL project gets the scripts, the compose
//! override that reaches its database under the compose name it has, and the runbook; a MySQL
//! project gets its own scripts and service; projects without a database, or with MongoDB only,
//! are refused in words. The scripts are run for real against a PostgreSQL and a MariaDB server
//! in `crates/cli/tests/backup.rs`.

use std::path::PathBuf;

use slipway_engine::backup::{database_service, generate, BackupSpec};

fn fixture(name: &str) -> slipway_scan::ProjectProfile {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name);
    slipway_scan::scan(&root).unwrap()
}

#[test]
fn a_postgres_project_gets_scripts_an_override_and_a_runbook() {
    let spec = BackupSpec {
        days: 30,
        every_hours: 6,
    };
    let g = generate(&fixture("python-fastapi-k8s"), &spec, None).unwrap();
    let paths: Vec<&str> = g.artifacts.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "backup/backup.sh",
            "backup/restore.sh",
            "compose.backup.yaml",
            "docs/backup.md"
        ]
    );
    let compose = &g.artifacts[2].content;
    assert!(compose.contains("RETENTION_DAYS: \"30\""), "{compose}");
    assert!(compose.contains("sleep 21600"), "every six hours: {compose}");
    assert!(
        compose.contains("-mmin -420"),
        "late after an interval and an hour: {compose}"
    );
    assert!(compose.contains("@postgres:5432/"), "{compose}");
    assert!(
        compose.contains("backups:/backups"),
        "dumps on a volume, never in the project folder"
    );
    let runbook = &g.artifacts[3].content;
    assert!(
        runbook.contains("up to 6 hours of writes"),
        "the recovery point: {runbook}"
    );
    assert!(g.notes[0].contains("recovery point up to 6 hours"));
    // An existing compose file names the database its own way.
    let theirs = "services:\n  web:\n    image: example/web\n  db:\n    image: docker.io/library/postgres:16\n";
    assert_eq!(database_service(Some(theirs)), "db");
    let g = generate(&fixture("python-fastapi-k8s"), &spec, Some(theirs)).unwrap();
    assert!(
        g.artifacts[2].content.contains("@db:5432/")
            && g.artifacts[2]
                .content
                .contains("db:\n        condition: service_healthy")
    );
}

#[test]
fn a_mysql_project_gets_its_own_scripts_and_a_service_that_reaches_its_database() {
    let spec = BackupSpec {
        days: 7,
        every_hours: 12,
    };
    let g = generate(&fixture("node-nodemon-start"), &spec, None).unwrap();
    let paths: Vec<&str> = g.artifacts.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "backup/mysql-backup.sh",
            "backup/mysql-restore.sh",
            "compose.backup.yaml",
            "docs/backup.md"
        ]
    );
    let compose: serde_yaml_ng::Value = serde_yaml_ng::from_str(&g.artifacts[2].content).unwrap();
    let backup = &compose["services"]["backup"];
    assert_eq!(backup["image"].as_str(), Some("mysql:8.4"), "the server's own image");
    assert_eq!(backup["environment"]["MYSQL_HOST"].as_str(), Some("mysql"));
    assert_eq!(backup["environment"]["RETENTION_DAYS"].as_str(), Some("7"));
    assert!(backup["entrypoint"][2]
        .as_str()
        .unwrap()
        .contains("mysql-backup.sh || echo 'backup FAILED'"));
    assert!(backup["entrypoint"][2].as_str().unwrap().contains("sleep 43200"));
    assert!(backup["healthcheck"]["test"][1]
        .as_str()
        .unwrap()
        .contains("'*.sql.gz' -mmin -780"));
    let runbook = &g.artifacts[3].content;
    assert!(runbook.contains("RESTORE_DATABASE=app_restore"), "{runbook}");
    assert!(runbook.contains("mysql-restore.sh"), "{runbook}");
    // A compose file with MariaDB under its own name, beside PostgreSQL: two services.
    let theirs = "services:\n  pg:\n    image: postgres:17\n  maria:\n    image: mariadb:11\n";
    let mut both = fixture("node-nodemon-start");
    both.services[0].backing_services.push("postgres".into());
    let g = generate(&both, &spec, Some(theirs)).unwrap();
    let compose: serde_yaml_ng::Value = serde_yaml_ng::from_str(&g.artifacts[4].content).unwrap();
    assert_eq!(
        compose["services"]["backup"]["depends_on"]["pg"]["condition"].as_str(),
        Some("service_healthy")
    );
    assert_eq!(
        compose["services"]["backup-mysql"]["environment"]["MYSQL_HOST"].as_str(),
        Some("maria")
    );
}

#[test]
fn projects_without_postgres_and_bad_retention_are_refused_in_words() {
    let spec = BackupSpec::default();
    let why = generate(&fixture("node-express"), &spec, None).unwrap_err();
    assert!(why.contains("no database to back up"), "{why}");
    let why = generate(&fixture("python-starlette-pdm"), &spec, None).unwrap_err();
    assert!(
        why.contains("PostgreSQL and MySQL so far") && why.contains("mongodb"),
        "{why}"
    );
    let why = generate(
        &fixture("python-fastapi-k8s"),
        &BackupSpec {
            days: 0,
            every_hours: 24,
        },
        None,
    )
    .unwrap_err();
    assert!(why.contains("1 to 3650 days, not 0"), "{why}");
}
