//! The backup family on the fixtures: a PostgreSQL project gets the scripts, the compose
//! override that reaches its database under the compose name it has, and the runbook; projects
//! without a database, or with MySQL only, are refused in words. The scripts are run for real
//! against a PostgreSQL server in `crates/cli/tests/backup.rs`.

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
fn projects_without_postgres_and_bad_retention_are_refused_in_words() {
    let spec = BackupSpec::default();
    let why = generate(&fixture("node-express"), &spec, None).unwrap_err();
    assert!(why.contains("no database to back up"), "{why}");
    let why = generate(&fixture("node-nodemon-start"), &spec, None).unwrap_err();
    assert!(why.contains("PostgreSQL so far") && why.contains("mysql"), "{why}");
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
