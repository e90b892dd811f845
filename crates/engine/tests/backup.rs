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
        ..Default::default()
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
        ..Default::default()
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
            ..Default::default()
        },
        None,
    )
    .unwrap_err();
    assert!(why.contains("1 to 3650 days, not 0"), "{why}");
}

/// On a server the playbook configures, the backups run in the server's compose project: no
/// local override, the runbook's commands are the server's, and the playbook copies the scripts
/// and runs a backup service per database beside it, reading the database's own secrets.
#[test]
fn on_a_server_the_playbook_runs_the_backups_beside_the_databases() {
    use slipway_engine::params::{Target, TaskParams};
    let spec = BackupSpec {
        days: 7,
        server: true,
        ..Default::default()
    };
    let profile = fixture("python-fastapi-k8s");
    let g = generate(&profile, &spec, None).unwrap();
    let paths: Vec<&str> = g.artifacts.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(paths, ["backup/backup.sh", "backup/restore.sh", "docs/backup.md"]);
    let runbook = &g.artifacts[2].content;
    assert!(runbook.contains("sudo docker compose run --rm"), "{runbook}");
    assert!(!runbook.contains("compose.backup.yaml"), "{runbook}");

    let params = TaskParams {
        targets: vec![Target::Vm],
        host: Some("api.example.com".into()),
        ..Default::default()
    };
    let deploy = slipway_engine::spec::build(&profile, &params);
    let vm = slipway_engine::vm::generate_with_backups(&deploy, Some(&spec)).unwrap();
    let file = |p: &str| {
        vm.artifacts
            .iter()
            .find(|a| a.path == p)
            .unwrap_or_else(|| panic!("{p} is written"))
            .content
            .clone()
    };
    let compose: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&file("ansible/roles/app/templates/compose.yaml.j2")).unwrap();
    let backup = &compose["services"]["backup"];
    assert_eq!(
        backup["image"], compose["services"]["postgres"]["image"],
        "the database's own image"
    );
    assert_eq!(backup["env_file"][0].as_str(), Some("backup.env"));
    assert_eq!(backup["environment"]["RETENTION_DAYS"].as_str(), Some("7"));
    assert!(compose["volumes"]["backups"].is_mapping(), "the dumps on a volume");
    assert!(
        file("ansible/roles/app/templates/backup.env.j2")
            .contains("DATABASE_URL=postgresql://app:{{ app_postgres_password | urlencode }}@postgres:5432/app"),
        "the password from the playbook's variable, never written"
    );
    let tasks: serde_yaml_ng::Value = serde_yaml_ng::from_str(&file("ansible/roles/app/tasks/main.yml")).unwrap();
    let names: Vec<&str> = tasks
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    let copy = names
        .iter()
        .position(|n| *n == "Copy the backup scripts")
        .expect("the scripts are copied");
    let up = names
        .iter()
        .position(|n| n.starts_with("Pull the images and start"))
        .unwrap();
    assert!(copy < up, "before the services start: {names:?}");
    assert!(
        file("docs/vm.md").contains("the databases dumped on a schedule beside them (docs/backup.md)"),
        "the server's runbook says they run"
    );
    // Without backups asked, the server's compose has no backup service.
    let plain = slipway_engine::vm::generate(&deploy).unwrap();
    assert!(!plain
        .artifacts
        .iter()
        .any(|a| a.content.contains("Copy the backup scripts") || a.path.ends_with("backup.env.j2")));
}
