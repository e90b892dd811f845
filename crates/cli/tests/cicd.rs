//! Pipelines through the `slipway` command, checked by independent tools: every fixture gets a
//! GitHub Actions workflow and a GitLab pipeline (each deploying to a platform in turn), and
//! actionlint, zizmor, checkov, check-jsonschema, gitlab-ci-local and shellcheck find nothing
//! in them; the seed's first example is asserted field by field; and the lint and test jobs
//! are run for real on this machine, where a lint error makes the lint job fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::*;
use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

fn gitlab_ci_local() -> PathBuf {
    let local = repo_root().join(".tools/npm/node_modules/.bin/gitlab-ci-local");
    if local.exists() {
        local
    } else {
        tool("gitlab-ci-local")
    }
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("tests/fixtures"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// The task for fixture `name`: the CI system named, and a platform in turn, the turn taken
/// from the name so that adding a fixture moves no other to another platform.
fn task(name: &str, ci: &str, frontend: bool) -> String {
    let turn = name
        .bytes()
        .fold(7usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    let target = if frontend {
        ["Netlify", "Vercel"][turn % 2]
    } else if turn % 5 == 4 {
        // Every fifth project deploys to a cluster, in turn as manifests, as a Helm chart, with
        // an Argo Rollouts canary, through GitOps, and with a blue-green the pipeline switches:
        // the manifests and the kubectl, helm, Rollout-watching, digest-pinning or
        // slot-switching deploy job go through the same checkers.
        [
            "Kubernetes",
            "Kubernetes with a Helm chart",
            "Kubernetes with a canary",
            "Kubernetes as Kustomize overlays synced by Argo CD",
            "Kubernetes as a Helm chart synced by Flux",
            "Kubernetes with blue-green, without Argo",
            "Kubernetes with a Helm chart and a canary",
        ][(turn / 5) % 7]
    } else {
        ["Railway", "Fly.io", "Render", "Heroku"][turn % 4]
    };
    // A monorepo's chart is one umbrella chart: every service's deploy upgrades the one release.
    let target = if name == "mono-go-work" {
        "Kubernetes with one Helm chart for all the services".to_string()
    } else if name.starts_with("mono-") {
        target.replace("a Helm chart", "one Helm chart for all the services")
    } else {
        target.to_string()
    };
    format!("set up CI/CD with {ci} and deploy it to {target}")
}

struct Written {
    name: String,
    ci: &'static str,
    project: Project,
    files: Vec<String>,
}

fn write_pipeline(name: &str, ci: &'static str) -> Result<Option<Written>, String> {
    let frontend = {
        let profile = slipway(&["scan", fixture(name).to_str().unwrap(), "--json"]);
        let v = json(&profile);
        let services = v["services"].as_array().cloned().unwrap_or_default();
        !services.is_empty() && services.iter().all(|s| s["kind"] == "static")
    };
    let p = Project::repo(name);
    let t = task(name, ci, frontend);
    let out = slipway(&["run", p.path(), "--task", &t, "--apply", "--json"]);
    if !out.status.success() {
        let why = stderr(&out);
        if why.contains("found no service") || why.contains("cannot containerize") || why.contains("Slipway cannot") {
            return Ok(None);
        }
        return Err(format!("{name} ({ci}): the run failed: {why}"));
    }
    let report = json(&out);
    let files: Vec<String> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_string())
        .collect();
    // The reflection finds no error in what Slipway wrote (the project's own files may have
    // some: mono-polyglot's own workflow uses a retired checkout, and is told so).
    for f in report["findings"].as_array().unwrap() {
        if f["severity"] == "error" && files.iter().any(|p| f["path"] == p.as_str()) {
            return Err(format!(
                "{name} ({ci}): the reflection finds an error in its own output: {f}"
            ));
        }
    }
    Ok(Some(Written {
        name: name.to_string(),
        ci,
        project: p,
        files,
    }))
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn run_tool(tool: &Path, args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", tool.display()))
}

/// The shell scripts of a pipeline file: GitHub's `run:` strings, GitLab's `script:` lists,
/// CircleCI's `run: command:` strings.
fn scripts_of(doc: &Yaml, out: &mut Vec<String>, ci: &str) {
    match doc {
        Yaml::Mapping(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    (Some("run"), Yaml::String(s)) if ci == "github" => out.push(s.clone()),
                    // CircleCI fills in `<< parameters.x >>` before the shell sees the script.
                    (Some("command"), Yaml::String(s)) if ci == "circleci" => {
                        out.push(s.replace("<< parameters.push >>", "true"))
                    }
                    (Some("script"), Yaml::Sequence(items)) if ci == "gitlab" => {
                        out.push(items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join("\n"))
                    }
                    _ => scripts_of(v, out, ci),
                }
            }
        }
        Yaml::Sequence(items) => items.iter().for_each(|i| scripts_of(i, out, ci)),
        _ => {}
    }
}

/// Every fixture through each CI system; every independent checker finds nothing.
#[test]
fn generated_pipelines_pass_every_independent_checker() {
    let names = fixture_names();
    let jobs: Vec<(String, &'static str)> = names
        .iter()
        .flat_map(|n| ["GitHub Actions", "GitLab", "Jenkins", "CircleCI"].map(|ci| (n.clone(), ci)))
        .collect();
    let results: Vec<Result<Option<Written>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .chunks(jobs.len().div_ceil(2))
            .map(|part| s.spawn(move || part.iter().map(|(n, ci)| write_pipeline(n, ci)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut failures: Vec<String> = Vec::new();
    let mut written = Vec::new();
    let mut refused = 0;
    for r in results {
        match r {
            Ok(Some(w)) => written.push(w),
            Ok(None) => refused += 1,
            Err(e) => failures.push(e),
        }
    }
    let github: Vec<&Written> = written.iter().filter(|w| w.ci == "GitHub Actions").collect();
    let gitlab: Vec<&Written> = written.iter().filter(|w| w.ci == "GitLab").collect();
    let jenkins = written.iter().filter(|w| w.ci == "Jenkins").count();
    let circleci = written.iter().filter(|w| w.ci == "CircleCI").count();
    eprintln!(
        "pipelines written: {} GitHub Actions, {} GitLab CI, {jenkins} Jenkins, {circleci} CircleCI; refused in words: {refused}",
        github.len(),
        gitlab.len()
    );
    assert!(
        github.len() >= 85 && gitlab.len() >= 85 && jenkins >= 85 && circleci >= 85,
        "nearly every fixture gets a pipeline"
    );

    // One tree holding every generated pipeline, for the checkers that take many files.
    let all = tempfile::tempdir().unwrap();
    let mut workflows = Vec::new();
    let mut dependabots = Vec::new();
    let mut gitlab_files = Vec::new();
    let mut flys = Vec::new();
    let mut jenkinsfiles = Vec::new();
    let mut circleci_files = Vec::new();
    let mut renovates = Vec::new();
    for w in &written {
        let dest = all.path().join(&w.name);
        for f in &w.files {
            let to = dest.join(f);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(w.project.work.join(f), &to).unwrap();
            let rel = format!("{}/{f}", w.name);
            if f.starts_with(".github/workflows/") {
                workflows.push(rel);
            } else if f == ".github/dependabot.yml" {
                dependabots.push(rel);
            } else if f == ".gitlab-ci.yml" {
                gitlab_files.push(rel);
            } else if f.ends_with("fly.toml") {
                flys.push(rel);
            } else if f == "Jenkinsfile" {
                jenkinsfiles.push(rel);
            } else if f == ".circleci/config.yml" {
                circleci_files.push(rel);
            } else if f == "renovate.json" {
                renovates.push(rel);
            }
        }
    }

    // actionlint: no error and no warning.
    let out = run_tool(&tool("actionlint"), &strs(&workflows), all.path());
    if !out.status.success() || !out.stdout.is_empty() {
        failures.push(format!("actionlint reports:\n{}", String::from_utf8_lossy(&out.stdout)));
    }
    // zizmor, offline, default persona: no finding.
    let mut args = vec!["--offline", "--no-progress", "--format", "json-v1"];
    args.extend(strs(&workflows));
    let out = run_tool(&tool("zizmor"), &args, all.path());
    let found: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    if found != Value::Array(vec![]) {
        failures.push(format!("zizmor reports: {found:#}"));
    }
    // The JSON schemas of each format.
    for (schema, files) in [
        ("vendor.github-workflows", &workflows),
        ("vendor.dependabot", &dependabots),
        ("vendor.gitlab-ci", &gitlab_files),
        ("vendor.circle-ci", &circleci_files),
        ("vendor.renovate", &renovates),
    ] {
        let mut args = vec!["--builtin-schema", schema];
        args.extend(strs(files));
        let out = run_tool(&tool("check-jsonschema"), &args, all.path());
        if !out.status.success() {
            failures.push(format!("{schema}: {}", String::from_utf8_lossy(&out.stdout)));
        }
    }
    if !flys.is_empty() {
        let schema = repo_root().join("tests/schemas/fly.json");
        let mut args = vec!["--schemafile", schema.to_str().unwrap()];
        args.extend(strs(&flys));
        let out = run_tool(&tool("check-jsonschema"), &args, all.path());
        if !out.status.success() {
            failures.push(format!("fly.toml schema: {}", String::from_utf8_lossy(&out.stdout)));
        }
    }
    eprintln!(
        "checked {} workflows, {} dependabot files, {} GitLab pipelines, {} CircleCI configurations, {} fly.toml",
        workflows.len(),
        dependabots.len(),
        gitlab_files.len(),
        circleci_files.len(),
        flys.len()
    );
    assert!(!flys.is_empty(), "some fixtures deploy to Fly.io");
    assert!(
        renovates.len() >= 3 * 85,
        "GitLab, Jenkins and CircleCI projects get renovate.json"
    );

    // Every Jenkinsfile parses as Groovy (Debian's groovy, one JVM for all of them).
    let mut args = vec![
        "-e",
        "def bad = args.findAll { f -> try { new GroovyShell().parse(new File(f)); false } catch (e) { System.err.println(f + ': ' + e.message); true } }; System.exit(bad ? 1 : 0)",
    ];
    args.extend(strs(&jenkinsfiles));
    let out = run_tool(Path::new("groovy"), &args, all.path());
    if !out.status.success() {
        failures.push(format!(
            "groovy cannot parse:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    eprintln!("groovy parsed {} Jenkinsfiles", jenkinsfiles.len());

    // checkov's CI checks: none fails, and every file was really checked (checkov skips some
    // workflows silently).
    let out = run_tool(
        &tool("checkov"),
        &[
            "-d",
            ".",
            "--framework",
            "github_actions",
            "gitlab_ci",
            "circleci_pipelines",
            "--skip-download",
            "--compact",
            "-o",
            "json",
        ],
        all.path(),
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let reports = match report {
        Value::Array(a) => a,
        Value::Object(_) => vec![report],
        _ => vec![],
    };
    let mut passed_files = std::collections::BTreeSet::new();
    let mut passed = 0;
    for r in &reports {
        for f in r["results"]["failed_checks"].as_array().into_iter().flatten() {
            failures.push(format!(
                "checkov {} fails {}: {}",
                f["check_id"], f["file_path"], f["check_name"]
            ));
        }
        for f in r["results"]["passed_checks"].as_array().into_iter().flatten() {
            passed += 1;
            passed_files.insert(
                f["file_path"]
                    .as_str()
                    .unwrap_or("")
                    .trim_start_matches('/')
                    .to_string(),
            );
        }
    }
    eprintln!(
        "checkov: {passed} checks passed in {} files, none failed",
        passed_files.len()
    );
    for f in workflows.iter().chain(&gitlab_files).chain(&circleci_files) {
        if !passed_files.contains(f.as_str()) {
            failures.push(format!("checkov ran no check on {f}"));
        }
    }

    // shellcheck on every script block: bash for GitHub's runners, POSIX sh for the images
    // GitLab's and CircleCI's jobs run in (some are Alpine's).
    let scripts = tempfile::tempdir().unwrap();
    let mut n = 0;
    for (files, ci) in [
        (&workflows, "github"),
        (&gitlab_files, "gitlab"),
        (&circleci_files, "circleci"),
    ] {
        for f in files {
            let doc: Yaml = serde_yaml_ng::from_str(&std::fs::read_to_string(all.path().join(f)).unwrap()).unwrap();
            let mut blocks = Vec::new();
            scripts_of(&doc, &mut blocks, ci);
            for b in blocks {
                n += 1;
                let path = scripts.path().join(format!("{n}.sh"));
                let shell = if ci == "github" { "bash" } else { "sh" };
                std::fs::write(&path, format!("#!/bin/{shell}\n# {f}\n{b}\n")).unwrap();
            }
        }
    }
    let listed: Vec<String> = (1..=n).map(|i| format!("{i}.sh")).collect();
    let mut args = vec!["--severity=style"];
    args.extend(strs(&listed));
    let out = run_tool(Path::new("shellcheck"), &args, scripts.path());
    if !out.status.success() {
        failures.push(format!("shellcheck:\n{}", String::from_utf8_lossy(&out.stdout)));
    }
    eprintln!("shellcheck: {n} script blocks");

    // gitlab-ci-local --list-all (jobs a rule leaves out included): the pipeline's stages, needs and rules hold together.
    let glci = gitlab_ci_local();
    let listing: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = gitlab
            .chunks(gitlab.len().div_ceil(2).max(1))
            .map(|part| {
                let glci = glci.clone();
                s.spawn(move || {
                    part.iter()
                        .filter_map(|w| {
                            let out = run_tool(&glci, &["--list-all"], &w.project.work);
                            let text = String::from_utf8_lossy(&out.stdout).to_string()
                                + &String::from_utf8_lossy(&out.stderr);
                            // The listing names each job with its stage.
                            let listed = text.lines().any(|l| {
                                [" lint ", " test ", " build ", " deploy "]
                                    .iter()
                                    .any(|s| l.contains(s))
                            });
                            (!out.status.success() || !listed)
                                .then(|| format!("gitlab-ci-local --list fails for {}: {text}", w.name))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    failures.extend(listing);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seed's first example, asserted field by field: FastAPI with PostgreSQL, to Railway,
/// through GitHub Actions.
#[test]
fn the_seeds_first_example_gets_the_pipeline_a_devops_engineer_would_merge() {
    let p = Project::repo("python-fastapi-railway");
    let started = Instant::now();
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "set up CI/CD for this FastAPI project and deploy it to Railway",
        "--apply",
        "--json",
    ]);
    let took = started.elapsed();
    eprintln!("slipway run for the seed's first example: {} ms", took.as_millis());
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    // What Slipway understood.
    let spec = &r["spec"];
    assert_eq!(spec["ci"], "github");
    assert_eq!(spec["registry"], "ghcr");
    assert_eq!(spec["targets"], serde_json::json!(["railway"]));
    assert_eq!(spec["branch"], "main");
    assert_eq!(spec["services"][0]["port"], 8000);
    assert_eq!(spec["services"][0]["healthPath"], "/health");
    let field = |f: &str| {
        spec["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["field"] == f)
            .cloned()
            .unwrap_or_else(|| panic!("spec field {f}"))
    };
    assert_eq!(field("targets")["source"], "task");
    assert_eq!(field("ci")["value"], "GitHub Actions");

    let wf: Yaml = serde_yaml_ng::from_str(&p.read(".github/workflows/ci-cd.yml")).unwrap();
    let jobs = &wf["jobs"];
    let runs = |job: &str| -> Vec<String> {
        jobs[job]["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|s| s["run"].as_str().map(String::from))
            .collect()
    };
    // Lint: ruff and black --check.
    let lint = runs("lint-orders");
    assert!(lint.iter().any(|r| r == "ruff check ."), "{lint:?}");
    assert!(lint.iter().any(|r| r == "black --check ."), "{lint:?}");
    // Test: pytest with coverage against a PostgreSQL service container.
    let test = runs("test-orders");
    assert!(test.iter().any(|r| r.starts_with("pytest --cov")), "{test:?}");
    let pg = &jobs["test-orders"]["services"]["postgres"];
    assert!(pg["image"].as_str().unwrap().starts_with("postgres:"), "{pg:?}");
    assert!(
        pg["options"].as_str().unwrap().contains("pg_isready"),
        "health-checked: {pg:?}"
    );
    assert!(jobs["test-orders"]["env"]["DATABASE_URL"]
        .as_str()
        .unwrap()
        .starts_with("postgresql://"));
    // Caching for pip.
    let setup = jobs["lint-orders"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/setup-python@"))
        })
        .expect("setup-python");
    assert_eq!(setup["with"]["cache"], "pip");
    // Docker build, pushed only from main.
    let build = jobs["image-orders"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("docker/build-push-action@"))
        })
        .expect("the image build");
    assert!(build["with"]["push"].as_str().unwrap().contains("refs/heads/main"));
    assert_eq!(build["with"]["cache-from"], "type=gha,scope=orders");
    // Deploy to Railway only on main, with RAILWAY_TOKEN from secrets, never racing.
    let deploy = &jobs["deploy-orders-railway"];
    assert!(deploy["if"].as_str().unwrap().contains("refs/heads/main"));
    assert_eq!(deploy["concurrency"]["cancel-in-progress"], false);
    assert_eq!(deploy["environment"]["name"], "production");
    let step = deploy["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Deploy to Railway")
        .unwrap();
    assert_eq!(step["env"]["RAILWAY_TOKEN"], "${{ secrets.RAILWAY_TOKEN }}");
    assert!(step["run"].as_str().unwrap().contains("up --ci --service orders"));
    let needs = deploy["needs"].as_sequence().unwrap();
    assert_eq!(needs.len(), 1, "deploys what the image job built, after lint and test");
    // railway.json: the Dockerfile builder and the health check.
    let railway: Value = serde_json::from_str(&p.read("railway.json")).unwrap();
    assert_eq!(railway["build"]["builder"], "DOCKERFILE");
    assert_eq!(railway["deploy"]["healthcheckPath"], "/health");
    // The checklist: DATABASE_URL set in Railway, RAILWAY_TOKEN in GitHub.
    let reqs = r["requirements"].as_array().unwrap();
    let db = reqs
        .iter()
        .find(|x| x["name"] == "DATABASE_URL")
        .expect("DATABASE_URL listed");
    assert!(db["place"].as_str().unwrap().starts_with("Railway"), "{db}");
    assert_eq!(db["secret"], true);
    let token = reqs
        .iter()
        .find(|x| x["name"] == "RAILWAY_TOKEN")
        .expect("RAILWAY_TOKEN listed");
    assert!(token["place"].as_str().unwrap().contains("GitHub"), "{token}");
    let runbook = p.read("docs/deploy.md");
    assert!(
        runbook.contains("`DATABASE_URL`") && runbook.contains("Rolling back"),
        "{runbook}"
    );
    // No secret value anywhere: the files name the secrets only.
    for f in r["changes"].as_array().unwrap() {
        let text = p.read(f["path"].as_str().unwrap());
        assert!(
            !text.contains("RAILWAY_TOKEN=") && !text.contains("password="),
            "{}",
            f["path"]
        );
    }
    // Each todo step says what it produced.
    let todos = r["todos"].as_array().unwrap();
    let ids: Vec<&str> = todos.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "analyse",
            "rules",
            "research",
            "context",
            "dockerfile",
            "pipeline",
            "platform",
            "runbook",
            "reflect",
            "ship"
        ]
    );
    for id in ["dockerfile", "pipeline", "platform", "runbook"] {
        let t = todos.iter().find(|t| t["id"] == id).unwrap();
        assert_eq!(t["status"], "done", "{t}");
    }
}

/// Runs the `run:` steps of a workflow's job in order in a shell, in the job's working folder,
/// with the job's environment; the `uses:` setup steps are replaced by the tools on this
/// machine (a virtual environment for Python).
fn run_github_job(dir: &Path, job: &Yaml, venv: Option<&Path>) -> Result<(), String> {
    let workdir = job["defaults"]["run"]["working-directory"].as_str().unwrap_or(".");
    let mut path = std::env::var("PATH").unwrap_or_default();
    if let Some(v) = venv {
        path = format!("{}:{path}", v.join("bin").display());
    }
    for step in job["steps"].as_sequence().unwrap() {
        let Some(run) = step["run"].as_str() else { continue };
        let mut cmd = Command::new("bash");
        cmd.args(["-e", "-c", run])
            .current_dir(dir.join(workdir))
            .env("PATH", &path)
            .env("CI", "true");
        if let Some(env) = job["env"].as_mapping() {
            for (k, v) in env {
                cmd.env(k.as_str().unwrap(), v.as_str().unwrap_or(""));
            }
        }
        let out = cmd.output().unwrap();
        if !out.status.success() {
            return Err(format!(
                "`{run}` failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    Ok(())
}

fn python_venv(tmp: &Path) -> PathBuf {
    let venv = tmp.join("venv");
    let out = Command::new("python3")
        .args(["-m", "venv", venv.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python3 -m venv: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    venv
}

fn pipeline_for(name: &str, ci: &str) -> Project {
    let p = Project::repo(name);
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        &format!("set up CI/CD with {ci} and deploy it to Railway"),
        "--apply",
        "--commit",
        "--json",
    ]);
    assert!(out.status.success(), "{name}: {}", stderr(&out));
    p
}

fn lint_and_test_jobs(p: &Project) -> Vec<(String, Yaml)> {
    let wf: Yaml = serde_yaml_ng::from_str(&p.read(".github/workflows/ci-cd.yml")).unwrap();
    wf["jobs"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(k, _)| {
            let k = k.as_str().unwrap();
            k.starts_with("lint-") || k.starts_with("test-")
        })
        .map(|(k, v)| (k.as_str().unwrap().to_string(), v.clone()))
        .collect()
}

/// The pipeline's own lint and test commands pass on the projects they were written for: the
/// GitHub workflow's steps in a shell, the GitLab jobs under gitlab-ci-local's shell executor.
#[test]
fn lint_and_test_jobs_pass_when_run_for_real() {
    for (name, python) in [
        ("python-fastapi-railway", true),
        ("python-flask-tested", true),
        ("node-http-tested", false),
        ("go-http-tested", false),
    ] {
        let started = Instant::now();
        let p = pipeline_for(name, "GitHub Actions");
        let jobs = lint_and_test_jobs(&p);
        assert!(jobs.len() >= 2, "{name} has lint and test jobs: {jobs:?}");
        let venv = python.then(|| python_venv(p.tmp.path()));
        for (id, job) in &jobs {
            if let Err(e) = run_github_job(&p.work, job, venv.as_deref()) {
                panic!("{name}: the GitHub job {id} fails on the project it was written for: {e}");
            }
        }
        eprintln!(
            "{name}: GitHub lint and test steps pass ({} s)",
            started.elapsed().as_secs()
        );
    }
    // GitLab: the jobs as gitlab-ci-local runs them, on this machine's shell. Jobs with service
    // containers need Docker, which this machine does not run; these three have none.
    for name in ["python-flask-tested", "node-http-tested", "go-http-tested"] {
        let started = Instant::now();
        let p = pipeline_for(name, "GitLab");
        let jobs: Vec<String> = {
            let doc: Yaml = serde_yaml_ng::from_str(&p.read(".gitlab-ci.yml")).unwrap();
            doc.as_mapping()
                .unwrap()
                .keys()
                .filter_map(|k| k.as_str())
                .filter(|k| k.starts_with("lint-") || k.starts_with("test-"))
                .map(String::from)
                .collect()
        };
        assert!(jobs.len() >= 2, "{name}: {jobs:?}");
        // On a shell executor the jobs share one folder, where a real runner gives each its
        // own clone: one at a time.
        let mut args = vec!["--force-shell-executor", "--no-color", "--concurrency", "1"];
        args.extend(jobs.iter().map(String::as_str));
        let out = run_tool(&gitlab_ci_local(), &args, &p.work);
        assert!(
            out.status.success(),
            "{name}: gitlab-ci-local {jobs:?} fails:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!(
            "{name}: GitLab jobs {jobs:?} pass under gitlab-ci-local ({} s)",
            started.elapsed().as_secs()
        );
    }
    // A deliberate lint error makes the lint job fail, and only the lint job.
    let p = pipeline_for("python-flask-tested", "GitHub Actions");
    let app = p.work.join("app.py");
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(&app, format!("import os\n{text}")).unwrap();
    let venv = python_venv(p.tmp.path());
    let jobs = lint_and_test_jobs(&p);
    let (_, lint) = jobs.iter().find(|(id, _)| id.starts_with("lint-")).unwrap();
    let err = run_github_job(&p.work, lint, Some(&venv)).expect_err("an unused import fails ruff");
    assert!(
        err.contains("F401") || err.contains("unused"),
        "ruff names the problem: {err}"
    );
    let (_, test) = jobs.iter().find(|(id, _)| id.starts_with("test-")).unwrap();
    run_github_job(&p.work, test, Some(&venv)).expect("the tests still pass");
}

/// A project that has its own GitLab pipeline and fly.toml: both are extended, their lines
/// kept, and what results passes the same checkers.
#[test]
fn an_existing_gitlab_pipeline_and_fly_toml_are_extended_not_replaced() {
    let p = Project::repo("python-flask-tested");
    let their_pipeline = "# Our own tests.\nstages: [test]\n\nmy-tests:\n  stage: test\n  image: python:3.13\n  script:\n    - pip install -r requirements.txt -r requirements-dev.txt\n    - pytest\n";
    let their_fly = "app = \"flask-demo\"\nprimary_region = \"ams\"\n\n[http_service]\n  internal_port = 5000\n";
    std::fs::write(p.work.join(".gitlab-ci.yml"), their_pipeline).unwrap();
    std::fs::write(p.work.join("fly.toml"), their_fly).unwrap();
    git(&p.work, &["add", "-A"]);
    git(&p.work, &["commit", "-qm", "our pipeline and fly.toml"]);
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "set up CI/CD with GitLab and deploy it to Fly.io",
        "--apply",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pipeline = p.read(".gitlab-ci.yml");
    let job = &their_pipeline[their_pipeline.find("my-tests:").unwrap()..];
    assert!(pipeline.contains(job), "their job stays byte for byte:\n{pipeline}");
    assert!(pipeline.starts_with("# Our own tests.\n"));
    let doc: Yaml = serde_yaml_ng::from_str(&pipeline).unwrap();
    assert!(doc["test-project"].is_null(), "their tests stand in for Slipway's");
    let needs = serde_yaml_ng::to_string(&doc["image-project"]["needs"]).unwrap();
    assert!(needs.contains("my-tests"), "the image waits for their tests: {needs}");
    assert!(!doc["deploy-project-fly"].is_null(), "the deploy is added");
    let fly = p.read("fly.toml");
    assert!(
        fly.starts_with("app = \"flask-demo\"\nprimary_region = \"ams\"\n"),
        "{fly}"
    );
    assert!(
        fly.contains("[[http_service.checks]]") && fly.contains("# Slipway: added"),
        "{fly}"
    );

    let out = run_tool(
        &tool("check-jsonschema"),
        &["--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"],
        &p.work,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let schema = repo_root().join("tests/schemas/fly.json");
    let out = run_tool(
        &tool("check-jsonschema"),
        &["--schemafile", schema.to_str().unwrap(), "fly.toml"],
        &p.work,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let out = run_tool(&gitlab_ci_local(), &["--list-all"], &p.work);
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "gitlab-ci-local --list-all: {listed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for j in ["my-tests", "lint-project", "image-project", "deploy-project-fly"] {
        assert!(listed.contains(j), "{j} is in the pipeline: {listed}");
    }
    // The deploy pushes to the app fly.toml names, theirs.
    let deploy = serde_yaml_ng::to_string(&doc["deploy-project-fly"]["script"]).unwrap();
    assert!(deploy.contains("registry.fly.io/${app}"), "{deploy}");
}
