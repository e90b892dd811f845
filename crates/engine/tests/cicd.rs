//! One test per fixture project and CI system: the pipeline, its companions, the platform
//! files and the runbook must match the reviewed snapshots in tests/snapshots-cicd/, and what
//! they say must hold together: every action pinned by a full commit hash from the dated
//! table, read-only permissions unless a job says why, a timeout on every job, no `${{ }}`
//! inside a script, deploys only from the deploy branch, serialised and never cancelled, and
//! the port and health path the same in the pipeline, the platform file and the analysis.
//!
//! Each fixture deploys to one of the platforms in turn, so every platform meets every kind
//! of project. Run with `UPDATE_SNAPSHOTS=1` to rewrite the snapshots, then review the diff.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use serde_yaml_ng::Value;
use slipway_engine::params::{CiSystem, Target, TaskParams};
use slipway_engine::pipeline::{self, versions};
use slipway_engine::spec;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn snapshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots-cicd")
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

/// The platform a fixture deploys to in these tests: the server platforms in turn, and a
/// frontend host for static sites.
/// A fixture's turn in the rotation of targets, from its name, so that adding a fixture
/// moves no other fixture to another target.
pub fn turn(name: &str) -> usize {
    name.bytes()
        .fold(7usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize))
}

pub fn target_for(name: &str, static_only: bool) -> Target {
    let i = turn(name);
    if static_only {
        return [Target::Netlify, Target::Vercel][i % 2];
    }
    [Target::Railway, Target::Fly, Target::Render, Target::Heroku][i % 4]
}

fn walk_runs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Mapping(m) => {
            for (k, val) in m {
                if k.as_str() == Some("run") || k.as_str() == Some("script") || k.as_str() == Some("command") {
                    match val {
                        Value::String(s) => out.push(s.clone()),
                        Value::Sequence(items) => out.extend(items.iter().filter_map(|i| i.as_str().map(String::from))),
                        _ => {}
                    }
                }
                walk_runs(val, out);
            }
        }
        Value::Sequence(items) => items.iter().for_each(|i| walk_runs(i, out)),
        _ => {}
    }
}

fn github_rules(text: &str, spec: &spec::DeploySpec, problems: &mut Vec<String>) {
    let doc: Value = match serde_yaml_ng::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            problems.push(format!("the workflow is not YAML: {e}"));
            return;
        }
    };
    if doc["permissions"] != Value::Mapping(Default::default()) {
        problems.push("the workflow grants permissions at the top; it must grant none".into());
    }
    let mut runs = Vec::new();
    walk_runs(&doc, &mut runs);
    for r in &runs {
        if r.contains("${{") {
            problems.push(format!("a script expands an expression: {r}"));
        }
    }
    let Some(jobs) = doc["jobs"].as_mapping() else {
        problems.push("no jobs".into());
        return;
    };
    for (id, job) in jobs {
        let id = id.as_str().unwrap_or("?");
        if job["timeout-minutes"].as_u64().is_none() {
            problems.push(format!("job {id} has no timeout"));
        }
        if job["name"].as_str().is_none() {
            problems.push(format!("job {id} has no name"));
        }
        match job["permissions"].as_mapping() {
            None => problems.push(format!("job {id} does not say which permissions it needs")),
            Some(p) => {
                for (scope, access) in p {
                    if access.as_str() == Some("write")
                        && !text.contains(&format!("{}: write #", scope.as_str().unwrap_or("")))
                    {
                        problems.push(format!("job {id} grants {scope:?} write without saying why"));
                    }
                }
            }
        }
        for step in job["steps"].as_sequence().into_iter().flatten() {
            if let Some(uses) = step["uses"].as_str() {
                let (name, sha) = uses.split_once('@').unwrap_or((uses, ""));
                let pinned = sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit());
                if !pinned {
                    problems.push(format!("{uses} is not pinned by a full commit hash"));
                }
                if !versions::actions().iter().any(|a| a.name == name && a.sha == sha) {
                    problems.push(format!("{uses} is not the hash the dated table holds"));
                }
            }
            if step["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout@"))
                && step["with"]["persist-credentials"].as_bool() != Some(false)
            {
                problems.push(format!("job {id} checks out with credentials kept on disk"));
            }
        }
        if id.starts_with("deploy-") {
            let cond = job["if"].as_str().unwrap_or("");
            if !cond.contains(&format!("github.ref == 'refs/heads/{}'", spec.branch))
                || !cond.contains("github.event_name == 'push'")
            {
                problems.push(format!(
                    "deploy job {id} is not gated on pushes to {}: {cond}",
                    spec.branch
                ));
            }
            if job["concurrency"]["cancel-in-progress"].as_bool() != Some(false) {
                problems.push(format!("deploy job {id} can be cancelled half way"));
            }
            if job["environment"]["name"].as_str().is_none() {
                problems.push(format!("deploy job {id} runs outside an environment"));
            }
        }
    }
    if doc["concurrency"]["cancel-in-progress"].as_bool() != Some(false) {
        problems.push("the workflow-level concurrency could cancel a deploy".into());
    }
}

fn gitlab_rules(text: &str, spec: &spec::DeploySpec, problems: &mut Vec<String>) {
    let doc: Value = match serde_yaml_ng::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            problems.push(format!("the pipeline is not YAML: {e}"));
            return;
        }
    };
    let Some(map) = doc.as_mapping() else { return };
    for (id, job) in map {
        let id = id.as_str().unwrap_or("?");
        if ["workflow", "default", "stages", "variables"].contains(&id) {
            continue;
        }
        if job["timeout"].as_str().is_none() {
            problems.push(format!("job {id} has no timeout"));
        }
        if let Some(image) = job["image"].as_str() {
            if !image.contains(':') || image.ends_with(":latest") {
                problems.push(format!("job {id} runs on an unpinned image {image}"));
            }
        }
        if id.starts_with("deploy-") {
            if job["interruptible"].as_bool() != Some(false) {
                problems.push(format!("deploy job {id} can be cancelled half way"));
            }
            if job["resource_group"].as_str().is_none() {
                problems.push(format!("deploy job {id} can race another deploy"));
            }
            let rule = serde_yaml_ng::to_string(&job["rules"]).unwrap_or_default();
            if !rule.contains(&format!("$CI_COMMIT_BRANCH == \"{}\"", spec.branch)) {
                problems.push(format!("deploy job {id} is not gated on {}", spec.branch));
            }
        }
    }
    let mut runs = Vec::new();
    walk_runs(&doc, &mut runs);
    for r in &runs {
        for line in r.lines().filter(|l| l.contains("docker login") && l.contains(" -p ")) {
            problems.push(format!("a password on a command line: {line}"));
        }
    }
}

fn jenkins_rules(text: &str, spec: &spec::DeploySpec, pipeline: &pipeline::Pipeline, problems: &mut Vec<String>) {
    if !text.contains("disableConcurrentBuilds()") {
        problems.push("builds of a branch can overlap".into());
    }
    if text.contains("abortPrevious") {
        problems.push("a newer build could abort a deploy".into());
    }
    // Scripts are single-quoted: a secret never passes through Groovy interpolation.
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("sh \"") || t.starts_with("sh(\"") {
            problems.push(format!("a double-quoted sh interpolates in Groovy: {t}"));
        }
    }
    for job in pipeline.jobs.iter().filter(|j| j.kind == pipeline::JobKind::Deploy) {
        let at = text
            .find(&format!("stage('{}')", job.name))
            .unwrap_or_else(|| panic!("a stage for {}", job.id));
        let stage = &text[at..];
        if !stage.contains(&format!("branch '{}'", spec.branch)) {
            problems.push(format!("deploy stage {} is not gated on {}", job.name, spec.branch));
        }
        for s in &job.secrets {
            if !stage.contains(&format!("{s} = credentials('{s}')")) {
                problems.push(format!("deploy stage {} does not bind {s} as a credential", job.name));
            }
        }
    }
}

fn circleci_rules(text: &str, spec: &spec::DeploySpec, pipeline: &pipeline::Pipeline, problems: &mut Vec<String>) {
    let doc: Value = match serde_yaml_ng::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            problems.push(format!("the configuration is not YAML: {e}"));
            return;
        }
    };
    if doc["version"].as_f64() != Some(2.1) {
        problems.push("the configuration is not version 2.1".into());
    }
    if !doc["orbs"].is_null() {
        problems.push("the configuration uses orbs".into());
    }
    let executors = doc["executors"].as_mapping().cloned().unwrap_or_default();
    for (name, e) in &executors {
        for c in e["docker"].as_sequence().into_iter().flatten() {
            let image = c["image"].as_str().unwrap_or("");
            if !image.contains(':') || image.ends_with(":latest") || image.ends_with(":current") {
                problems.push(format!("executor {name:?} runs on an unpinned image {image}"));
            }
        }
    }
    let jobs = doc["jobs"].as_mapping().cloned().unwrap_or_default();
    for (id, job) in &jobs {
        let id = id.as_str().unwrap_or("?");
        let executor = job["executor"].as_str().unwrap_or("");
        if executors.get(executor).is_none() {
            problems.push(format!(
                "job {id} runs on an executor that is not declared: {executor:?}"
            ));
        }
        for step in job["steps"].as_sequence().into_iter().flatten() {
            if let Some(r) = step.get("run") {
                if r["no_output_timeout"].as_str().is_none() {
                    problems.push(format!("a step of {id} has no time limit"));
                }
            }
        }
    }
    let flow = &doc["workflows"]["ci-cd"]["jobs"];
    let entries: Vec<(String, Value)> = flow
        .as_sequence()
        .into_iter()
        .flatten()
        .map(|e| match e {
            Value::String(s) => (s.clone(), Value::Null),
            Value::Mapping(m) => {
                let (k, v) = m.iter().next().unwrap();
                (k.as_str().unwrap().to_string(), v.clone())
            }
            _ => (String::new(), Value::Null),
        })
        .collect();
    let names: Vec<String> = entries
        .iter()
        .map(|(k, v)| v["name"].as_str().map(String::from).unwrap_or_else(|| k.clone()))
        .collect();
    for (k, v) in &entries {
        if v["type"].as_str() != Some("approval") && jobs.get(k.as_str()).is_none() {
            problems.push(format!("the workflow runs {k}, which is not a job"));
        }
        for r in v["requires"].as_sequence().into_iter().flatten() {
            let r = r.as_str().unwrap_or("");
            if !names.iter().any(|n| n == r) {
                problems.push(format!("{k} requires {r}, which the workflow does not run"));
            }
        }
    }
    for job in pipeline.jobs.iter().filter(|j| j.kind == pipeline::JobKind::Deploy) {
        let Some((_, v)) = entries.iter().find(|(k, _)| *k == job.id) else {
            problems.push(format!("the workflow does not run {}", job.id));
            continue;
        };
        if v["filters"]["branches"]["only"].as_str() != Some(spec.branch.as_str()) {
            problems.push(format!("deploy {} is not gated on {}", job.id, spec.branch));
        }
        if v["serial-group"].as_str().is_none() {
            problems.push(format!("deploy {} can race another deploy", job.id));
        }
        let contexts: Vec<&str> = v["context"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str())
            .collect();
        if !contexts.iter().any(|c| c.starts_with("deploy-")) {
            problems.push(format!("deploy {} reads its secrets from no context", job.id));
        }
        let approved = v["requires"]
            .as_sequence()
            .is_some_and(|r| r.iter().any(|r| r.as_str() == Some(&format!("approve-{}", job.id))));
        if job.manual != approved {
            problems.push(format!(
                "deploy {}: approval asked {}, approval job {approved}",
                job.id, job.manual
            ));
        }
    }
    // The registry's credentials reach only runs on the deploy branch.
    for (k, v) in &entries {
        let has_registry = v["context"]
            .as_sequence()
            .is_some_and(|c| c.iter().any(|c| c.as_str() == Some("registry")));
        if has_registry && v["filters"]["branches"]["only"].as_str() != Some(spec.branch.as_str()) {
            problems.push(format!("{k} gets the registry's credentials off {}", spec.branch));
        }
    }
    let mut runs = Vec::new();
    walk_runs(&doc, &mut runs);
    for r in &runs {
        for line in r.lines().filter(|l| l.contains("docker login") && l.contains(" -p ")) {
            problems.push(format!("a password on a command line: {line}"));
        }
    }
}

fn check(name: &str, ci: CiSystem) -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join(name)).map_err(|e| e.to_string())?;
    if profile.services.is_empty() {
        return Ok(());
    }
    let static_only = profile.services.iter().all(|s| s.kind == "static");
    let target = target_for(name, static_only);
    let params = TaskParams {
        ci: Some(ci),
        targets: vec![target],
        ..Default::default()
    };
    let spec = spec::build(&profile, &params);
    let images: Vec<(String, String)> = profile
        .services
        .iter()
        .filter_map(|s| slipway_engine::generate::build_image(s).map(|i| (s.name.clone(), i)))
        .collect();
    let generated = pipeline::generate(&spec, &images).map_err(|e| e.to_string())?;
    let dir = snapshots().join(name).join(ci.id());
    let mut problems = Vec::new();
    for a in &generated.artifacts {
        if let Err(e) = compare(&dir.join(a.path.replace('/', "%")), &a.content) {
            problems.push(e);
        }
        // The reflection finds nothing to warn about in what Slipway writes.
        for f in slipway_engine::check::check_file(&a.path, &a.content, &profile.services) {
            if f.severity != slipway_engine::Severity::Info {
                problems.push(format!("the reflection warns about {}: {f:?}", a.path));
            }
        }
        if a.step.is_empty() {
            problems.push(format!("{} belongs to no todo step", a.path));
        }
    }
    // A snapshot of a file no longer written is stale.
    let written: Vec<String> = generated.artifacts.iter().map(|a| a.path.replace('/', "%")).collect();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !written.contains(&name) {
            if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
                std::fs::remove_file(entry.path()).map_err(|e| e.to_string())?;
            } else {
                problems.push(format!(
                    "{} is stale: that file is no longer written",
                    entry.path().display()
                ));
            }
        }
    }
    let main = generated
        .artifacts
        .iter()
        .find(|a| a.step == "pipeline" && !a.path.ends_with("dependabot.yml"))
        .expect("a pipeline file");
    match ci {
        CiSystem::Github => github_rules(&main.content, &spec, &mut problems),
        CiSystem::Gitlab => gitlab_rules(&main.content, &spec, &mut problems),
        CiSystem::Jenkins => jenkins_rules(&main.content, &spec, &generated.pipeline, &mut problems),
        CiSystem::Circleci => circleci_rules(&main.content, &spec, &generated.pipeline, &mut problems),
    }
    // One port and one health path everywhere.
    for svc in &spec.services {
        let prof = profile.services.iter().find(|p| p.name == svc.name).unwrap();
        assert_eq!(svc.port, prof.port);
        if let Some(h) = &svc.health_path {
            let deploys = generated
                .pipeline
                .jobs
                .iter()
                .any(|j| j.service.as_deref() == Some(svc.name.as_str()) && j.kind == pipeline::JobKind::Deploy);
            if deploys && !main.content.contains(h.as_str()) {
                problems.push(format!("{}: the pipeline never calls the health path {h}", svc.name));
            }
        }
        for a in generated.artifacts.iter().filter(|a| a.step == "platform") {
            if a.path.ends_with("fly.toml") && a.path == slipway_engine::pipeline::platform::file_in(svc, "fly.toml") {
                if let Some(port) = svc.port.filter(|_| svc.kind != "worker") {
                    if !a.content.contains(&format!("internal_port = {port}")) {
                        problems.push(format!("{}: fly.toml does not route to port {port}", a.path));
                    }
                }
                if let Some(h) = &svc.health_path {
                    if !a.content.contains(&format!("path = \"{h}\"")) {
                        problems.push(format!("{}: fly.toml checks another path than {h}", a.path));
                    }
                }
            }
            if a.path.ends_with("railway.json")
                && a.path == slipway_engine::pipeline::platform::file_in(svc, "railway.json")
            {
                let v: serde_json::Value = serde_json::from_str(&a.content).map_err(|e| e.to_string())?;
                if v["build"]["dockerfilePath"] != serde_json::Value::String(svc.dockerfile.clone()) {
                    problems.push(format!("{}: builds another Dockerfile than {}", a.path, svc.dockerfile));
                }
                if v["deploy"]["healthcheckPath"].as_str() != svc.health_path.as_deref() {
                    problems.push(format!("{}: checks another health path", a.path));
                }
            }
        }
    }
    // Secrets by name only: no requirement's value appears, and every secret the pipeline
    // reads is on the checklist.
    for job in &generated.pipeline.jobs {
        for s in &job.secrets {
            if !generated.requirements.iter().any(|r| &r.name == s && r.secret) {
                problems.push(format!("{s} is read by {} but not on the checklist", job.id));
            }
        }
    }
    let runbook = generated
        .artifacts
        .iter()
        .find(|a| a.path == "docs/deploy.md")
        .expect("a runbook");
    for r in &generated.requirements {
        if !runbook.content.contains(&format!("`{}`", r.name)) {
            problems.push(format!("the runbook does not list {}", r.name));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn parity_holds() -> Result<(), Failed> {
    let mut bad = Vec::new();
    for (fixture, approval) in [("mono-npm-workspaces", true), ("python-fastapi-railway", false)] {
        let profile = slipway_scan::scan(&fixtures().join(fixture)).map_err(|e| e.to_string())?;
        let mut parts: Vec<(CiSystem, Vec<String>)> = Vec::new();
        for ci in [
            CiSystem::Github,
            CiSystem::Gitlab,
            CiSystem::Jenkins,
            CiSystem::Circleci,
        ] {
            let params = TaskParams {
                ci: Some(ci),
                targets: vec![slipway_engine::params::Target::Railway],
                environments: vec!["staging".into(), "production".into()],
                approval,
                ..Default::default()
            };
            let spec = spec::build(&profile, &params);
            let generated = pipeline::generate(&spec, &[]).map_err(|e| e.to_string())?;
            let p = &generated.pipeline.parity;
            let has = |c: &str| p.iter().any(|x| x.capability == c);
            if has("approval before a deploy") != approval {
                bad.push(format!(
                    "{fixture} on {}: the approval row does not follow the spec",
                    ci.label()
                ));
            }
            if has("monorepo routing") != generated.pipeline.routed {
                bad.push(format!(
                    "{fixture} on {}: the routing row does not follow the pipeline",
                    ci.label()
                ));
            }
            let gap = |c: &str| p.iter().find(|x| x.capability == c).map(|x| x.gap);
            match ci {
                CiSystem::Github if p.iter().any(|x| x.gap) => {
                    bad.push(format!(
                        "{fixture}: GitHub Actions with GHCR is said to fall short: {p:?}"
                    ));
                }
                CiSystem::Jenkins if gap("environments") != Some(true) => {
                    bad.push(format!("{fixture}: Jenkins is said to have environments"));
                }
                CiSystem::Circleci if gap("time limits") != Some(true) => {
                    bad.push(format!("{fixture}: CircleCI is said to limit a job's time"));
                }
                _ => {}
            }
            let runbook = generated
                .artifacts
                .iter()
                .find(|a| a.path == "docs/deploy.md")
                .map(|a| a.content.clone())
                .unwrap_or_default();
            for x in p {
                if !runbook.contains(&format!("| {} | {} |", x.capability, x.how)) {
                    bad.push(format!(
                        "{fixture} on {}: the runbook leaves out {}",
                        ci.label(),
                        x.capability
                    ));
                }
            }
            parts.push((ci, p.iter().map(|x| x.capability.clone()).collect()));
        }
        for (ci, names) in &parts[1..] {
            if *names != parts[0].1 {
                bad.push(format!(
                    "{fixture}: {} reports {names:?}, GitHub Actions {:?}",
                    ci.label(),
                    parts[0].1
                ));
            }
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(bad.join("\n").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut trials = vec![Trial::test(
        "the dated table pins no action on a retired runtime",
        || {
            let mut bad = Vec::new();
            for a in versions::actions() {
                if !["node24", "composite", "docker"].contains(&a.runtime.as_str()) {
                    bad.push(format!("{} {} runs on {}", a.name, a.tag, a.runtime));
                }
                if a.sha.len() != 40 || !a.sha.chars().all(|c| c.is_ascii_hexdigit()) {
                    bad.push(format!("{} {}: {:?} is not a full commit hash", a.name, a.tag, a.sha));
                }
                if a.date.len() != 10 {
                    bad.push(format!("{} has no release date", a.name));
                }
            }
            if versions::actions().len() < 15 {
                bad.push("the table lost its actions".into());
            }
            if bad.is_empty() {
                Ok(())
            } else {
                Err(bad.join("\n").into())
            }
        },
    )];
    trials.push(Trial::test(
        "every CI system reports the same parts, and its shortfalls, in the runbook",
        parity_holds,
    ));
    for name in &names {
        for ci in [
            CiSystem::Github,
            CiSystem::Gitlab,
            CiSystem::Jenkins,
            CiSystem::Circleci,
        ] {
            let n = name.clone();
            trials.push(Trial::test(format!("{name}/{}", ci.id()), move || check(&n, ci)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
