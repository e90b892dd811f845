//! The server family on every fixture project: an Ansible playbook and its roles. Every YAML
//! file reads back as YAML, the reflection has nothing to say of any file, every secret and
//! image comes from a variable, and for five projects of different kinds every file matches
//! its reviewed snapshot in tests/snapshots-vm/. `UPDATE_SNAPSHOTS=1` rewrites them.

use std::path::{Path, PathBuf};

use slipway_engine::params::{Target, TaskParams};
use slipway_engine::{spec, vm};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Projects whose files are kept as snapshots: a service with PostgreSQL and Redis, a Node
/// app, a monorepo of several services, a JVM service with MySQL, and a worker.
const SNAPSHOTS: &[&str] = &[
    "python-fastapi-k8s",
    "node-express",
    "mono-polyglot",
    "php-symfony",
    "c-cmake-worker",
];

#[test]
fn every_fixture_gets_a_playbook_the_reflection_has_nothing_to_say_about() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut problems = Vec::new();
    let mut written = 0;
    for name in &names {
        let profile = slipway_scan::scan(&fixtures().join(name)).unwrap();
        if profile.services.is_empty() {
            continue;
        }
        let params = TaskParams {
            targets: vec![Target::Vm],
            host: Some(format!("{}.example.com", slipway_engine::kube::name_of(name))),
            ..Default::default()
        };
        let s = spec::build(&profile, &params);
        let g = match vm::generate(&s) {
            Ok(g) => g,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        written += 1;
        for a in &g.artifacts {
            if a.path.ends_with(".yml") {
                if let Err(e) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&a.content) {
                    problems.push(format!("{name}/{}: not YAML: {e}", a.path));
                }
            }
            for f in slipway_engine::check::check_file(&a.path, &a.content, &profile.services) {
                problems.push(format!(
                    "{name}/{}: the reflection says {} {}",
                    a.path, f.rule, f.message
                ));
            }
        }
        let compose = g
            .artifacts
            .iter()
            .find(|a| a.path.ends_with("compose.yaml.j2"))
            .map(|a| a.content.as_str())
            .unwrap_or("");
        // The app's images come from the variable the pipeline sets by digest; the databases'
        // carry a version.
        for image in compose.lines().filter_map(|l| l.trim_start().strip_prefix("image:")) {
            let image = image.trim().trim_matches('"');
            let pinned =
                image.starts_with("{{ app_images[") || image.split_once(':').is_some_and(|(_, tag)| tag != "latest");
            if !pinned {
                problems.push(format!("{name}: the image {image} is not pinned"));
            }
        }
        if SNAPSHOTS.contains(&name.as_str()) {
            for a in &g.artifacts {
                let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/snapshots-vm")
                    .join(name)
                    .join(&a.path);
                match std::fs::read_to_string(&path) {
                    Ok(old) if old == a.content => {}
                    _ if update => {
                        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                        std::fs::write(&path, &a.content).unwrap();
                    }
                    Ok(old) => problems.push(format!(
                        "{} changed (UPDATE_SNAPSHOTS=1 rewrites it once the change is right):\n{}",
                        path.display(),
                        similar::TextDiff::from_lines(old.as_str(), a.content.as_str()).unified_diff()
                    )),
                    Err(_) => problems.push(format!(
                        "no snapshot {} yet: run with UPDATE_SNAPSHOTS=1",
                        path.display()
                    )),
                }
            }
        }
    }
    assert!(written >= 80, "only {written} projects got a playbook");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_secret_that_is_not_set_stops_the_playbook_before_it_changes_anything() {
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).unwrap();
    let params = TaskParams {
        targets: vec![Target::Vm],
        ..Default::default()
    };
    let g = vm::generate(&spec::build(&profile, &params)).unwrap();
    let tasks = &g
        .artifacts
        .iter()
        .find(|a| a.path == "ansible/roles/app/tasks/main.yml")
        .unwrap()
        .content;
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(tasks).unwrap();
    let names: Vec<&str> = doc
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    // The checks come first: nothing is written to the server before both hold.
    assert_eq!(
        &names[..2],
        [
            "Refuse to start without the app's secrets",
            "Refuse images that are not pinned by digest"
        ]
    );
    assert_eq!(doc[0]["loop"][0].as_str(), Some("POSTGRES_PASSWORD"));
    // Without a host, Caddy answers plain HTTP on port 80 and says so.
    let caddy = &g
        .artifacts
        .iter()
        .find(|a| a.path.ends_with("Caddyfile.j2"))
        .unwrap()
        .content;
    assert!(
        caddy.contains(":80 {") && caddy.contains("No host is named yet"),
        "{caddy}"
    );
}
