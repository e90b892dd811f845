//! The walking skeleton through the `slipway` command: a real Next.js project in a real git
//! repository, "containerize this app", preview, apply, commit, and push to a bare remote;
//! then the generated files through independent linters.

mod common;

use std::process::Command;

use common::*;
use serde_json::Value;

const TASK: &str = "containerize this app";

/// The whole workflow: apply, commit and push.
fn ship(p: &Project) -> std::process::Output {
    slipway(&[
        "run",
        p.path(),
        "--task",
        TASK,
        "--apply",
        "--commit",
        "--push",
        "--json",
    ])
}

fn ids(report: &Value) -> Vec<String> {
    report["todos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn preview_writes_nothing_and_shows_the_plan_and_diffs() {
    let p = Project::repo("node-nextjs-standalone");
    let before = snapshot(&p.work);
    let out = slipway(&["run", p.path(), "--task", TASK, "--json"]);
    assert!(out.status.success(), "preview succeeds: {}", stderr(&out));
    let r = json(&out);

    let todos = r["todos"].as_array().unwrap();
    assert!(
        (5..=10).contains(&todos.len()),
        "the workflow has 5 to 10 steps, got {}",
        todos.len()
    );
    let ids = ids(&r);
    assert_eq!(
        ids[ids.len() - 2],
        "reflect",
        "the next-to-last step reviews the output"
    );
    assert_eq!(ids[ids.len() - 1], "ship", "the last step commits and pushes");
    assert_eq!(ids[0], "analyse", "analysis comes first");
    for t in &todos[..todos.len() - 1] {
        assert_eq!(t["status"], "done", "step {} finished: {t}", t["id"]);
    }
    assert_eq!(
        todos.last().unwrap()["status"],
        "skipped",
        "without --apply, shipping is skipped with a reason"
    );

    let changes = r["changes"].as_array().unwrap();
    let paths: Vec<&str> = changes.iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        ["Dockerfile", ".dockerignore", "compose.yaml", "compose.dev.yaml"]
    );
    for c in changes {
        assert_eq!(c["action"], "create");
        assert!(
            c["diff"].as_str().unwrap().starts_with("--- /dev/null\n+++ b/"),
            "a unified diff: {}",
            c["diff"]
        );
    }
    let blocking: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .collect();
    assert!(
        blocking.is_empty(),
        "our own output passes our own checks: {blocking:?}"
    );
    assert!(
        r["commit"].is_null() && r["push"].is_null(),
        "nothing committed or pushed in a preview"
    );
    assert_eq!(
        snapshot(&p.work),
        before,
        "a preview writes nothing at all into the project"
    );
    assert_eq!(
        git(&p.work, &["status", "--porcelain"]),
        "",
        "the work tree stays clean"
    );
}

#[test]
fn apply_commit_and_push_land_in_the_repository_and_the_remote() {
    let p = Project::repo("node-nextjs-standalone");
    let head_before = git(&p.work, &["rev-parse", "HEAD"]);
    // The user's own unrelated work must stay theirs: staged, uncommitted.
    std::fs::write(
        p.work.join("app/page.tsx"),
        "export default function Home() { return null; }\n",
    )
    .unwrap();
    git(&p.work, &["add", "app/page.tsx"]);

    let out = ship(&p);
    assert!(out.status.success(), "the full run succeeds: {}", stderr(&out));
    let r = json(&out);

    // The files on disk are the ones the diffs showed.
    let dockerfile = p.read("Dockerfile");
    assert!(dockerfile.matches("\nFROM ").count() >= 2, "multi-stage:\n{dockerfile}");
    assert!(
        dockerfile.contains("FROM node:20-alpine AS deps"),
        "pinned to .nvmrc's Node major:\n{dockerfile}"
    );
    let manifests = dockerfile
        .find("COPY package.json package-lock.json ./")
        .expect("manifests copied alone");
    let source = dockerfile.find("COPY . .").expect("source copied");
    assert!(
        manifests < source,
        "the dependency layer is cached apart from the source"
    );
    assert!(
        dockerfile.contains("--mount=type=cache,target=/root/.npm"),
        "BuildKit cache for npm"
    );
    assert!(
        dockerfile.contains("\nUSER 10001:10001\n"),
        "runs as an unprivileged user above 10000"
    );
    assert!(
        dockerfile.contains("\nEXPOSE 4000\n"),
        "exposes the port from the start script"
    );
    assert!(
        dockerfile.contains("/app/.next/standalone ./"),
        "ships only the standalone server"
    );
    assert!(
        dockerfile.trim_end().ends_with("CMD [\"node\", \"server.js\"]"),
        "exec-form start:\n{dockerfile}"
    );
    assert!(
        p.read(".dockerignore").lines().any(|l| l == "node_modules"),
        "dependencies stay out of the context"
    );
    assert!(
        p.read(".dockerignore").lines().any(|l| l == ".env"),
        "secrets stay out of the context"
    );
    assert!(
        p.read("compose.yaml").contains("\"4000:4000\""),
        "compose publishes the app's port"
    );
    for c in r["changes"].as_array().unwrap() {
        let path = c["path"].as_str().unwrap();
        let added: String = c["diff"]
            .as_str()
            .unwrap()
            .lines()
            .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
            .map(|l| format!("{}\n", &l[1..]))
            .collect();
        assert_eq!(added, p.read(path), "{path} on disk is exactly what its diff showed");
    }

    // The commit: one, on main, naming the task, holding exactly the three files.
    let commit = &r["commit"];
    let head = git(&p.work, &["rev-parse", "HEAD"]);
    assert_eq!(commit["id"], head.as_str(), "the reported commit is HEAD");
    assert_eq!(commit["branch"], "main");
    assert_eq!(
        git(&p.work, &["rev-parse", "HEAD~1"]),
        head_before,
        "exactly one new commit"
    );
    assert!(
        git(&p.work, &["log", "-1", "--format=%B"]).contains(TASK),
        "the message names the task"
    );
    let mut files: Vec<String> = git(&p.work, &["show", "--name-only", "--format=", "HEAD"])
        .lines()
        .map(String::from)
        .collect();
    files.sort();
    assert_eq!(
        files,
        [".dockerignore", "Dockerfile", "compose.dev.yaml", "compose.yaml"],
        "the commit holds only Slipway's files"
    );
    assert_eq!(
        git(&p.work, &["status", "--porcelain"]),
        "M  app/page.tsx",
        "the user's staged change is still staged and was not committed"
    );

    // The push landed in the bare remote.
    assert_eq!(r["push"]["outcome"], "pushed", "{}", r["push"]);
    assert_eq!(r["push"]["remote"], "origin");
    let bare = p.bare.as_ref().unwrap();
    assert_eq!(git(bare, &["rev-parse", "main"]), head, "the remote has the commit");
    assert_eq!(r["todos"].as_array().unwrap().last().unwrap()["status"], "done");
}

/// Lints what `containerize` writes for one fixture; `Err` carries every complaint.
fn lint_fixture(name: &str) -> Result<Option<String>, String> {
    let p = Project::plain(name);
    let out = slipway(&["run", p.path(), "--task", TASK, "--apply", "--json"]);
    if !out.status.success() {
        let why = stderr(&out);
        // A stack Slipway does not package yet is refused in words, and nothing is written.
        if why.contains("cannot containerize") && !p.work.join("Dockerfile").exists() {
            return Ok(Some(why.trim().to_string()));
        }
        return Err(format!("{name}: the run failed: {why}"));
    }
    let report = json(&out);
    let mut problems = Vec::new();
    // Slipway's own reflection finds no error in what it wrote.
    for f in report["findings"].as_array().unwrap() {
        if f["severity"] == "error" {
            problems.push(format!("{name}: the reflection finds an error in its own output: {f}"));
        }
    }
    let paths: Vec<String> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_string())
        .collect();
    for dockerfile in paths.iter().filter(|p| p.ends_with("Dockerfile")) {
        let lint = Command::new(tool("hadolint"))
            .args(["--format", "json", dockerfile])
            .current_dir(&p.work)
            .output()
            .unwrap();
        let found: Value = serde_json::from_slice(&lint.stdout).unwrap_or(Value::Null);
        if found != Value::Array(vec![]) || !lint.status.success() {
            problems.push(format!("{name}/{dockerfile}: hadolint reports {found:#}"));
        }
        // BuildKit's own parser, through its Python binding.
        let parse = Command::new(tool("python"))
            .args([
                "-c",
                "import dockerfile,sys; print(len(dockerfile.parse_file(sys.argv[1])))",
                dockerfile,
            ])
            .current_dir(&p.work)
            .output()
            .unwrap();
        if !parse.status.success() {
            problems.push(format!(
                "{name}/{dockerfile}: BuildKit's parser refuses it: {}",
                String::from_utf8_lossy(&parse.stderr)
            ));
        }
    }
    let mut layers = vec![vec!["compose.yaml"]];
    if p.work.join("compose.dev.yaml").exists() {
        layers.push(vec!["compose.yaml", "compose.dev.yaml"]);
    }
    for files in layers {
        let mut args: Vec<&str> = files.iter().flat_map(|f| ["-f", *f]).collect();
        args.extend(["config", "-q"]);
        let compose = Command::new(tool("docker-compose"))
            .args(&args)
            .env("POSTGRES_PASSWORD", "only-for-this-test")
            .env("MYSQL_PASSWORD", "only-for-this-test")
            .env("MYSQL_ROOT_PASSWORD", "only-for-this-test")
            .current_dir(&p.work)
            .output()
            .unwrap();
        if !compose.status.success() {
            problems.push(format!(
                "{name}: docker-compose refuses {}: {}",
                files.join(" with "),
                String::from_utf8_lossy(&compose.stderr)
            ));
        }
    }
    let schema = Command::new(tool("check-jsonschema"))
        .args(["--builtin-schema", "vendor.compose-spec", "compose.yaml"])
        .current_dir(&p.work)
        .output()
        .unwrap();
    if !schema.status.success() {
        problems.push(format!(
            "{name}: compose.yaml breaks the compose-spec schema: {}",
            String::from_utf8_lossy(&schema.stdout)
        ));
    }
    if problems.is_empty() {
        Ok(None)
    } else {
        Err(problems.join("\n"))
    }
}

/// Every fixture: either its files pass hadolint (nothing at all reported, not even info),
/// BuildKit's parser, `docker-compose config` and the compose-spec schema, or the stack is
/// refused in words.
#[test]
fn generated_files_pass_hadolint_buildkit_and_compose() {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("tests/fixtures"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let results: Vec<(String, Result<Option<String>, String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = names
            .chunks(names.len().div_ceil(2))
            .map(|part| s.spawn(move || part.iter().map(|n| (n.clone(), lint_fixture(n))).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut failures = Vec::new();
    let mut covered = Vec::new();
    let mut refused = Vec::new();
    for (name, r) in results {
        match r {
            Ok(None) => covered.push(name),
            Ok(Some(why)) => refused.push(format!("{name}: {why}")),
            Err(e) => failures.push(e),
        }
    }
    eprintln!(
        "containerized and lint-clean: {} fixtures: {}",
        covered.len(),
        covered.join(", ")
    );
    eprintln!("refused in words: {}\n  {}", refused.len(), refused.join("\n  "));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let with_dev = covered
        .iter()
        .filter(|n| {
            let snap = repo_root()
                .join("crates/engine/tests/snapshots")
                .join(n)
                .join("compose.dev.yaml");
            snap.exists()
        })
        .count();
    eprintln!("with a development override: {with_dev}");
    assert!(
        with_dev >= 15,
        "frameworks that reload get compose.dev.yaml: {with_dev}"
    );
    for must in [
        "node-nextjs-standalone",
        "python-fastapi-uv",
        "go-gin",
        "rust-axum",
        "java-spring-maven",
        "dotnet-aspnetcore",
        "node-vite-react",
        "static-site",
    ] {
        assert!(covered.iter().any(|c| c == must), "{must} is containerized");
    }
}

#[test]
fn backing_services_come_up_with_health_checks_and_no_secret_in_files() {
    let p = Project::plain("node-nextjs-pnpm-postgres");
    let out = slipway(&["run", p.path(), "--task", TASK, "--apply", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let compose = p.read("compose.yaml");
    for want in [
        "image: postgres:18-alpine",
        "image: redis:8-alpine",
        "condition: service_healthy",
        "postgres-data:",
    ] {
        assert!(compose.contains(want), "compose has {want}:\n{compose}");
    }
    assert!(
        compose.contains("${POSTGRES_PASSWORD:?"),
        "the password comes from .env, and compose says so when it is missing"
    );
    let example = p.read(".env.example");
    assert!(
        example.starts_with("DATABASE_URL=\nREDIS_URL=\n"),
        "the user's own example lines stay first:\n{example}"
    );
    assert!(
        example.contains("\nPOSTGRES_PASSWORD=\n"),
        "the missing names are added without values:\n{example}"
    );
    let dockerfile = p.read("Dockerfile");
    assert!(
        dockerfile.contains("FROM node:22-alpine"),
        "engines >=20.9 <23 resolves to Node 22:\n{dockerfile}"
    );
    assert!(
        dockerfile.contains("pnpm install --frozen-lockfile --prod"),
        "the runtime gets production dependencies only"
    );
    let r = json(&out);
    let rules: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"nextjs/standalone"),
        "the size advice is reported: {rules:?}"
    );
    assert!(
        rules.contains(&"nextjs/prisma-client"),
        "the Prisma runtime gap is reported, not hidden: {rules:?}"
    );
}

#[test]
fn an_existing_dockerfile_is_improved_in_place_and_reviewed() {
    let p = Project::repo("node-nextjs-standalone");
    let mine = "# Ours: keep this note.\nFROM node\nCOPY . .\nRUN npm install\nCMD npm start\n";
    std::fs::write(p.work.join("Dockerfile"), mine).unwrap();
    let out = slipway(&["run", p.path(), "--task", TASK, "--apply", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let now = p.read("Dockerfile");
    for kept in ["# Ours: keep this note.\n", "COPY . .\nRUN npm install\n"] {
        assert!(now.contains(kept), "the user's lines survive ({kept:?}):\n{now}");
    }
    assert!(
        now.contains("# Slipway: pinned node to 20"),
        "each fix says why:\n{now}"
    );
    assert!(now.contains("\nFROM node:20\n"), "{now}");
    assert!(now.contains("CMD [\"npm\", \"start\"]"), "{now}");
    assert!(now.contains("USER 1000:1000"), "{now}");
    let r = json(&out);
    let change = r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "Dockerfile")
        .expect("a change is proposed for the user's Dockerfile");
    assert_eq!(change["action"], "modify");
    let diff = change["diff"].as_str().unwrap();
    assert!(
        diff.contains("-FROM node\n") && diff.contains("+FROM node:20\n"),
        "{diff}"
    );
    let step = r["todos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "dockerfile")
        .unwrap();
    assert!(
        step["detail"]
            .as_str()
            .unwrap()
            .contains("improved the existing Dockerfile in place"),
        "{step}"
    );
    let on_it: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "Dockerfile")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        on_it.contains(&"docker/layer-order"),
        "what could not be fixed safely is still found by the reflection: {on_it:?}"
    );
    for fixed in ["docker/non-root", "docker/pinned-tag", "docker/exec-form"] {
        assert!(!on_it.contains(&fixed), "{fixed} is fixed: {on_it:?}");
    }
}

#[test]
fn push_without_a_remote_and_a_rejected_push_are_reported_in_words() {
    // No remote at all.
    let p = Project::repo("node-nextjs-standalone");
    git(&p.work, &["remote", "remove", "origin"]);
    let out = ship(&p);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a push that did not happen is a failure of the work"
    );
    assert_eq!(json(&out)["push"]["outcome"], "no_remote");
    assert!(stderr(&out).contains("no remote"), "says why: {}", stderr(&out));

    // The remote moved on: not a fast-forward, never forced.
    let p = Project::repo("node-nextjs-standalone");
    let bare = p.bare.clone().unwrap();
    let other = p.tmp.path().join("other");
    git(
        p.tmp.path(),
        &["clone", "-q", bare.to_str().unwrap(), other.to_str().unwrap()],
    );
    std::fs::write(other.join("NOTES.md"), "someone else's work\n").unwrap();
    git(&other, &["add", "NOTES.md"]);
    git(&other, &["commit", "-q", "-m", "Someone else's commit"]);
    git(&other, &["push", "-q", "origin", "main"]);
    let remote_head = git(&bare, &["rev-parse", "main"]);

    let out = ship(&p);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a rejected push fails the run: {}",
        stderr(&out)
    );
    let r = json(&out);
    assert_eq!(r["push"]["outcome"], "rejected", "{}", r["push"]);
    assert!(
        r["push"]["message"].as_str().unwrap().contains("never forces"),
        "{}",
        r["push"]["message"]
    );
    assert_eq!(
        git(&bare, &["rev-parse", "main"]),
        remote_head,
        "the remote's history is untouched"
    );
    assert!(!r["commit"].is_null(), "the local commit is kept");
}

#[test]
fn scan_json_has_the_documented_shape() {
    let p = Project::repo("node-nextjs-standalone");
    let out = slipway(&["scan", p.path(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = json(&out);
    assert_eq!(s["root"], p.work.canonicalize().unwrap().to_str().unwrap());
    let svc = &s["services"][0];
    for key in [
        "name",
        "path",
        "language",
        "framework",
        "packageManager",
        "runtimeVersion",
        "port",
        "installCommand",
        "buildCommand",
        "startCommand",
        "backingServices",
        "evidence",
    ] {
        assert!(svc.get(key).is_some(), "service has {key}: {svc}");
    }
    assert_eq!(svc["path"], ".");
    assert_eq!(svc["language"], "node");
    assert_eq!(svc["framework"], "nextjs");
    assert_eq!(svc["packageManager"], "npm");
    assert_eq!(svc["runtimeVersion"], "20");
    assert_eq!(svc["port"], 4000);
    assert_eq!(svc["installCommand"], "npm ci");
    assert_eq!(svc["buildCommand"], "npm run build");
    assert_eq!(svc["startCommand"], "node server.js");
    assert_eq!(svc["backingServices"], Value::Array(vec![]));
    let standalone = svc["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "next.config.mjs")
        .expect("evidence for the standalone output");
    assert_eq!(standalone["line"], 4, "evidence points at the line");
    assert_eq!(s["infrastructure"], Value::Array(vec![]));
    assert_eq!(s["git"]["branch"], "main");
    assert_eq!(s["git"]["remotes"][0]["name"], "origin");
    assert_eq!(s["git"]["recentCommits"][0]["summary"], "Initial import");

    let out = slipway(&["scan", p.path()]);
    assert!(
        stdout(&out).contains("acme-storefront"),
        "the plain output is readable too"
    );
}

#[test]
fn a_plain_node_service_ships_its_source_and_production_dependencies_only() {
    let p = Project::plain("node-express");
    let out = slipway(&["run", p.path(), "--task", TASK, "--apply", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dockerfile = p.read("Dockerfile");
    assert!(
        dockerfile.contains("npm ci --omit=dev"),
        "production dependencies only:\n{dockerfile}"
    );
    assert!(
        !dockerfile.contains(" AS build"),
        "no build script, no build stage:\n{dockerfile}"
    );
    let source = dockerfile
        .find("COPY --chown=10001:10001 . .")
        .expect("the source is copied");
    let modules = dockerfile
        .find("COPY --from=prod-deps")
        .expect("production node_modules are copied");
    assert!(
        source < modules,
        "node_modules comes last, so nothing from the source replaces it:\n{dockerfile}"
    );
    assert!(
        dockerfile.contains("FROM node:22-alpine"),
        ".nvmrc's major:\n{dockerfile}"
    );
    assert!(
        dockerfile.trim_end().ends_with("CMD [\"node\", \"server.js\"]"),
        "node runs the app, not npm:\n{dockerfile}"
    );
}

#[test]
fn the_dockerignore_takes_in_the_projects_gitignore() {
    let p = Project::plain("node-express");
    std::fs::write(
        p.work.join(".gitignore"),
        "# local\nnode_modules/\nreports/\n*.local\n!keep.local\n",
    )
    .unwrap();
    let out = slipway(&["run", p.path(), "--task", TASK, "--apply", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ignore = p.read(".dockerignore");
    assert!(
        ignore.contains("# From the project's .gitignore\nreports/\n*.local\n"),
        "{ignore}"
    );
    assert_eq!(
        ignore.matches("node_modules").count(),
        1,
        "an entry it has already is not repeated"
    );
    assert!(!ignore.contains("!keep.local"), "negations would pull files back in");
}

#[test]
fn an_existing_compose_file_is_improved_in_place() {
    let p = Project::plain("node-nextjs-pnpm-postgres");
    let mine = "# our stack\nservices:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: ${PGPASS:?}\n  mailhog:\n    image: mailhog/mailhog:v1.0.1\n";
    std::fs::write(p.work.join("compose.yaml"), mine).unwrap();
    let out = slipway(&["run", p.path(), "--task", TASK, "--apply", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let now = p.read("compose.yaml");
    assert!(
        now.contains("# Slipway: pinned postgres to postgres:18-alpine"),
        "{now}"
    );
    assert!(now.contains("    image: postgres:18-alpine\n"), "{now}");
    for kept in [
        "# our stack\n",
        "POSTGRES_PASSWORD: ${PGPASS:?}\n",
        "image: mailhog/mailhog:v1.0.1\n",
    ] {
        assert!(now.contains(kept), "the user's line {kept:?} survives:\n{now}");
    }
    let r = json(&out);
    let step = r["todos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "compose")
        .unwrap();
    assert!(
        step["detail"]
            .as_str()
            .unwrap()
            .contains("improved the existing compose.yaml in place"),
        "{step}"
    );
}
