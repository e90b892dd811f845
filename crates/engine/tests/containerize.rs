//! One test per fixture project: what "containerize" writes for it must match the reviewed
//! snapshots in tests/snapshots/<fixture>/ (or its refusal, in words, in <fixture>.refused),
//! and the files must agree with each other and with the profile: the port the Dockerfile
//! exposes is the one compose publishes and the analysis found, and the image starts what
//! the analysis says starts the service.
//!
//! Run with `UPDATE_SNAPSHOTS=1` to rewrite the snapshots, then review the diff.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use slipway_engine::generate::containerize;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn snapshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

fn compare(path: &Path, actual: &str) -> Result<(), String> {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => Ok(()),
        _ if update => {
            std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
            std::fs::write(path, actual).map_err(|e| e.to_string())
        }
        Ok(expected) => Err(format!(
            "{} changed (UPDATE_SNAPSHOTS=1 rewrites it once the change is right):\n{}",
            path.display(),
            similar::TextDiff::from_lines(expected.as_str(), actual)
                .unified_diff()
                .header("snapshot", "now")
        )),
        Err(_) => Err(format!(
            "no snapshot {} yet: run with UPDATE_SNAPSHOTS=1, then review it",
            path.display()
        )),
    }
}

fn check(name: &str) -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join(name)).map_err(|e| e.to_string())?;
    let dir = snapshots().join(name);
    let refused = snapshots().join(format!("{name}.refused"));
    let (artifacts, left_out) = match containerize(&profile) {
        Ok(c) => (c.artifacts, c.left_out),
        Err(e) => return compare(&refused, &format!("{e}\n")).map_err(Into::into),
    };
    let mut problems = Vec::new();
    let left_out_file = dir.join("left-out");
    let listed: String = left_out.iter().map(|(path, why)| format!("{path}: {why}\n")).collect();
    if listed.is_empty() {
        if left_out_file.exists() {
            problems.push(format!(
                "{} is stale: every service is containerized now",
                left_out_file.display()
            ));
        }
    } else if let Err(e) = compare(&left_out_file, &listed) {
        problems.push(e);
    }
    if refused.exists() {
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::remove_file(&refused).map_err(|e| e.to_string())?;
        } else {
            problems.push(format!(
                "{} is stale: the stack is containerized now",
                refused.display()
            ));
        }
    }
    for a in &artifacts {
        if let Err(e) = compare(&dir.join(a.path.replace('/', "%")), &a.content) {
            problems.push(e);
        }
    }
    let compose = artifacts
        .iter()
        .find(|a| a.path == "compose.yaml")
        .map(|a| a.content.as_str())
        .unwrap_or("");
    for svc in profile
        .services
        .iter()
        .filter(|s| !left_out.iter().any(|(p, _)| *p == s.path))
    {
        let prefix = if svc.path == "." {
            String::new()
        } else {
            format!("{}/", svc.path)
        };
        let Some(dockerfile) = artifacts.iter().find(|a| a.path == format!("{prefix}Dockerfile")) else {
            problems.push(format!("{}: no Dockerfile", svc.path));
            continue;
        };
        let text = &dockerfile.content;
        if svc.kind != "worker" {
            let port = svc.port.unwrap_or_default();
            if !text.contains(&format!("EXPOSE {port}\n")) {
                problems.push(format!(
                    "{}: the Dockerfile does not expose the profile's port {port}",
                    svc.path
                ));
            }
            if !compose.contains(&format!("\"{port}:{port}\"")) {
                problems.push(format!("{}: compose does not publish port {port}", svc.path));
            }
        } else if text.contains("EXPOSE") {
            problems.push(format!("{}: a worker exposes a port", svc.path));
        }
        // The image starts what the analysis says starts the service.
        if svc.kind != "static" {
            let last = text
                .lines()
                .rev()
                .find(|l| l.starts_with("CMD") || l.starts_with("ENTRYPOINT"))
                .unwrap_or("");
            let start = svc.start_command.as_deref().unwrap_or("");
            let program = start.split_whitespace().next().unwrap_or("");
            let program = program.rsplit('/').next().unwrap_or(program);
            let starts = match program {
                // The jar runs under a fixed name, copied there by the build stage.
                "java" => last.contains("\"java\", \"-jar\""),
                _ => last.contains(program),
            };
            if !starts {
                problems.push(format!(
                    "{}: the image starts {last:?}, the profile says {start:?}",
                    svc.path
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures exists")
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let trials = names
        .into_iter()
        .map(|name| Trial::test(format!("containerize::{name}"), move || check(&name)))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
