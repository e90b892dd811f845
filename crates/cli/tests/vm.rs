//! A server with Ansible through the `slipway` command, checked by independent tools: every
//! fixture put on a server; ansible-lint's production profile (the strictest) passes every
//! playbook and role with ansible-core's syntax check; the compose file the playbook writes,
//! rendered with stand-in values, passes `docker-compose config`, its Caddyfile `caddy
//! validate` and its firewall `nft -c` (both from Debian 12); the reflection has nothing
//! to say of its own files; no secret is written anywhere but the server's root-only files.
//! The seed's FastAPI and PostgreSQL service is then checked field by field.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn run(tool: &Path, args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(tool)
        .args(args)
        .current_dir(dir)
        .env("ANSIBLE_LOCAL_TEMP", dir.join(".ansible-tmp"))
        .env("HOME", dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", tool.display()))
}

fn ansible(name: &str) -> std::path::PathBuf {
    let p = repo_root().join(".tools/ansible/bin").join(name);
    assert!(
        p.exists(),
        "{name} is not installed: run scripts/test, which installs it into .tools/ansible"
    );
    p
}

/// A checker from Debian's packages, extracted into .tools/server by scripts/test.
fn server(path: &str) -> std::path::PathBuf {
    let p = repo_root().join(".tools/server/root").join(path);
    assert!(
        p.exists(),
        "{path} is not there: run scripts/test, which extracts caddy and nft into .tools/server"
    );
    p
}

/// Renders a Jinja template with stand-in values (ansible's own Jinja, from its venv).
fn render(template: &Path, images: &[String]) -> String {
    let script = "import sys, json, jinja2\nimages = json.loads(sys.argv[2])\nenv = jinja2.Environment(undefined=jinja2.StrictUndefined)\nenv.filters['urlencode'] = lambda s: s\nprint(env.from_string(open(sys.argv[1]).read()).render(app_images=images, app_postgres_password='x', app_mysql_password='x', app_mongodb_password='x', ansible_managed='managed'))\n";
    let images: serde_json::Map<String, serde_json::Value> = images
        .iter()
        .map(|i| (i.clone(), format!("ghcr.io/acme/{i}@sha256:{}", "0".repeat(64)).into()))
        .collect();
    let out = Command::new(ansible("python"))
        .args([
            "-c",
            script,
            &template.to_string_lossy(),
            &serde_json::Value::Object(images).to_string(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}: {}", template.display(), stderr(&out));
    stdout(&out)
}

#[test]
fn every_fixture_on_a_server_passes_ansible_lint_production_and_compose() {
    let all = tempfile::tempdir().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("tests/fixtures"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut playbooks = Vec::new();
    let mut workflows: Vec<String> = Vec::new();
    let mut composes = 0;
    let mut caddyfiles = 0;
    let mut backed_up = 0;
    let mut firewalls: Vec<String> = Vec::new();
    for name in &names {
        let p = Project::repo(name);
        let host = format!("{}.example.com", name.replace('_', "-"));
        // With the databases' backups on the server where the project has one they cover.
        let mut out = slipway(&[
            "run",
            p.path(),
            "--task",
            &format!("deploy it to a VM with Ansible on {host}, with database backups kept 7 days"),
            "--apply",
            "--json",
        ]);
        let why = stderr(&out);
        if why.contains("no database to back up") || why.contains("backups are written for") {
            out = slipway(&[
                "run",
                p.path(),
                "--task",
                &format!("deploy it to a VM with Ansible on {host}"),
                "--apply",
                "--json",
            ]);
        } else if out.status.success() {
            backed_up += 1;
            if p.work.join("compose.backup.yaml").exists() {
                failures.push(format!("{name}: a local compose override for a server's backups"));
            }
            let tasks = p.read("ansible/roles/app/tasks/main.yml");
            if !tasks.contains("src: \"{{ playbook_dir }}/../backup/\"") || !p.work.join("backup").is_dir() {
                failures.push(format!("{name}: the server does not get the backup scripts"));
            }
        }
        if !out.status.success() {
            let why = stderr(&out);
            if why.contains("found no service") || why.contains("cannot containerize") {
                continue;
            }
            failures.push(format!("{name}: the run failed: {why}"));
            continue;
        }
        let report = json(&out);
        for f in report["findings"].as_array().unwrap() {
            let path = f["path"].as_str().unwrap_or("");
            if (path.starts_with("ansible/") || path == "docs/vm.md") && f["severity"] != "info" {
                failures.push(format!("{name}: the reflection says of its own {path}: {f}"));
            }
        }
        let dir = all.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        assert!(Command::new("cp")
            .args(["-R", &p.work.join("ansible").to_string_lossy(), &dir.to_string_lossy()])
            .status()
            .unwrap()
            .success());
        playbooks.push(format!("{name}/ansible/site.yml"));
        for c in report["changes"].as_array().unwrap() {
            let w = c["path"].as_str().unwrap();
            if w.starts_with(".github/workflows/") {
                let to = dir.join(w);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::copy(p.work.join(w), &to).unwrap();
                workflows.push(format!("{name}/{w}"));
                if w.ends_with("ci-cd.yml") && !p.read(w).contains("  deploy-vm:") {
                    failures.push(format!("{name}: the pipeline does not deploy to the server"));
                }
            }
        }
        // The compose file the server gets, with stand-in values, is one compose accepts.
        let images: Vec<String> = report["spec"]["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| slug_of(s["name"].as_str().unwrap()))
            .collect();
        let compose = render(&p.work.join("ansible/roles/app/templates/compose.yaml.j2"), &images);
        let work = dir.join("rendered");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(work.join("compose.yaml"), &compose).unwrap();
        for f in std::fs::read_dir(p.work.join("ansible/roles/app/templates"))
            .unwrap()
            .flatten()
        {
            let n = f.file_name().into_string().unwrap();
            if let Some(env) = n.strip_suffix(".j2").filter(|n| n.ends_with(".env")) {
                std::fs::write(work.join(env), "").unwrap();
            }
        }
        let out = Command::new(tool("docker-compose"))
            .args(["-f", "compose.yaml", "config", "-q"])
            .current_dir(&work)
            .output()
            .unwrap();
        composes += 1;
        if !out.status.success() {
            failures.push(format!(
                "{name}: docker-compose config: {}{}\n{compose}",
                stdout(&out),
                stderr(&out)
            ));
        }
        // No secret in a file: every password comes from a variable, every key stays out.
        // The proxy's and the firewall's files, rendered, are what Caddy and nft accept.
        let caddyfile = work.join("Caddyfile");
        std::fs::write(
            &caddyfile,
            render(&p.work.join("ansible/roles/proxy/templates/Caddyfile.j2"), &images),
        )
        .unwrap();
        let out = Command::new(server("usr/bin/caddy"))
            .args(["validate", "--adapter", "caddyfile", "--config"])
            .arg(&caddyfile)
            .env("HOME", &work)
            .env("XDG_DATA_HOME", &work)
            .env("XDG_CONFIG_HOME", &work)
            .output()
            .unwrap();
        if !out.status.success() {
            failures.push(format!("{name}: caddy validate: {}", stderr(&out)));
        }
        caddyfiles += 1;
        let nft = render(&p.work.join("ansible/roles/base/templates/nftables.conf.j2"), &images);
        if !firewalls.contains(&nft) {
            let conf = work.join("nftables.conf");
            std::fs::write(&conf, &nft).unwrap();
            let libs = server("usr/lib/x86_64-linux-gnu");
            let out = Command::new(server("usr/sbin/nft"))
                .args(["-c", "-f"])
                .arg(&conf)
                .env("LD_LIBRARY_PATH", libs)
                .output()
                .unwrap();
            if !out.status.success() {
                failures.push(format!("{name}: nft -c: {}", stderr(&out)));
            }
            firewalls.push(nft);
        }
        for (path, text) in walk(&p.work.join("ansible")) {
            if text.contains("PRIVATE KEY-----") {
                failures.push(format!("{name}: {path} holds a private key"));
            }
            for line in text.lines() {
                let Some((key, value)) = line.split_once(':').or_else(|| line.split_once('=')) else {
                    continue;
                };
                let value = value.trim();
                // MySQL's image takes a flag by that name, not a password.
                let flag = key.trim() == "MYSQL_RANDOM_ROOT_PASSWORD" && value == "yes";
                if key.to_ascii_lowercase().contains("password") && !value.is_empty() && !value.contains("{{") && !flag
                {
                    failures.push(format!("{name}: {path} writes a password: {line}"));
                }
            }
        }
    }
    assert!(
        playbooks.len() >= 80,
        "only {} fixtures were put on a server",
        playbooks.len()
    );
    // ansible-lint, the production profile, over every playbook and its roles at once.
    let mut args = vec!["--offline", "--nocolor", "--profile", "production", "-f", "pep8"];
    args.extend(playbooks.iter().map(String::as_str));
    let started = std::time::Instant::now();
    let out = run(&ansible("ansible-lint"), &args, all.path());
    let summary = stderr(&out)
        .lines()
        .filter(|l| l.contains("Passed") || l.contains("Failed"))
        .collect::<Vec<_>>()
        .join(" ");
    eprintln!(
        "ansible-lint production: {} playbooks in {:.0} s, exit {:?}: {summary}",
        playbooks.len(),
        started.elapsed().as_secs_f64(),
        out.status.code()
    );
    if !out.status.success() {
        failures.push(format!("ansible-lint reports:\n{}{}", stdout(&out), stderr(&out)));
    }
    eprintln!(
        "docker-compose config: {composes} rendered compose files ({backed_up} with their databases' backups); caddy validate: {caddyfiles} Caddyfiles; nft -c: {} firewall(s)",
        firewalls.len()
    );
    assert!(backed_up >= 10, "only {backed_up} servers run backups");
    // The pipelines that deploy them: actionlint (with shellcheck) and zizmor find nothing.
    let wf: Vec<&str> = workflows.iter().map(String::as_str).collect();
    let out = Command::new(tool("actionlint"))
        .args(&wf)
        .current_dir(all.path())
        .output()
        .unwrap();
    eprintln!("actionlint: {} workflows, exit {:?}", wf.len(), out.status.code());
    if !out.status.success() {
        failures.push(format!("actionlint reports:\n{}", stdout(&out)));
    }
    let mut z = vec!["--offline", "--no-progress", "--format", "json-v1"];
    z.extend(wf.iter().copied());
    let out = Command::new(tool("zizmor"))
        .args(&z)
        .current_dir(all.path())
        .output()
        .unwrap();
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    eprintln!("zizmor: {} workflows, findings {found}", wf.len());
    if found != serde_json::Value::Array(vec![]) {
        failures.push(format!("zizmor reports: {found:#}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn slug_of(name: &str) -> String {
    let s: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.trim_matches('-').to_string()
}

fn walk(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if let Ok(t) = std::fs::read_to_string(&p) {
            out.push((p.to_string_lossy().into_owned(), t));
        }
    }
    out
}

/// The acceptance case on a server: the FastAPI service with PostgreSQL, with Ansible. The
/// port the Dockerfile exposes is the one compose publishes on localhost and Caddy proxies the
/// host to; the playbook waits on the readiness path; the image is the tested digest; the
/// database's password and the app's URL come from the environment, written only into files
/// root reads; the server lets in SSH, HTTP and HTTPS only, and no one logs in by password.
#[test]
fn a_fastapi_postgres_service_on_a_server_agrees_across_dockerfile_playbook_and_proxy() {
    let p = Project::repo("python-fastapi-k8s");
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "deploy it to a VM with Ansible on api.example.com",
        "--apply",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    let dockerfile = p.read("Dockerfile");
    let compose = p.read("ansible/roles/app/templates/compose.yaml.j2");
    let tasks = p.read("ansible/roles/app/tasks/main.yml");
    let caddy = p.read("ansible/roles/proxy/templates/Caddyfile.j2");
    let env = p.read("ansible/roles/app/templates/catalog.env.j2");
    let vars = p.read("ansible/group_vars/all.yml");
    let base = p.read("ansible/roles/base/tasks/main.yml");
    let nft = p.read("ansible/roles/base/templates/nftables.conf.j2");
    assert!(dockerfile.contains("EXPOSE 8000"));
    assert!(compose.contains("- 127.0.0.1:8000:8000"), "{compose}");
    assert!(
        caddy.contains("api.example.com {") && caddy.contains("reverse_proxy 127.0.0.1:8000 {"),
        "{caddy}"
    );
    assert!(caddy.contains("lb_try_duration 30s"), "requests wait through a restart");
    assert!(tasks.contains("url: http://127.0.0.1:8000/ready"), "{tasks}");
    assert!(compose.contains("image: \"{{ app_images['catalog'] }}\""));
    assert!(vars.contains("catalog: \"{{ lookup('ansible.builtin.env', 'IMAGE_CATALOG') }}\""));
    assert!(tasks.contains("@sha256:[a-f0-9]{64}$"), "only digests are taken");
    // Secrets: from the environment that runs the playbook, into root-only files.
    assert!(env.contains("DATABASE_URL=postgresql://app:{{ app_postgres_password | urlencode }}@postgres:5432/app"));
    assert!(!compose.contains("PASSWORD"), "no password in the compose file");
    assert!(tasks.contains("- POSTGRES_PASSWORD"), "refused when it is not set");
    assert!(tasks.contains("dest: \"{{ app_dir }}/catalog.env\"") && tasks.contains("mode: \"0600\""));
    let needs = report["requirements"].as_array().unwrap();
    assert!(needs
        .iter()
        .any(|r| r["name"] == "POSTGRES_PASSWORD" && r["secret"] == true));
    // The server: key-only logins, a firewall, upgrades.
    assert!(base.contains("PasswordAuthentication no"));
    assert!(base.contains("validate: /usr/sbin/sshd -t -f %s"));
    assert!(nft.contains("policy drop;") && nft.contains("tcp dport { 22, 80, 443 } accept"));
    assert!(base.contains("Unattended-Upgrade"));
    // The pipeline: after the image, the playbook with the tested digest, the secrets by name
    // from GitHub's store, the host's key pinned, and the app called from outside.
    let wf = p.read(".github/workflows/ci-cd.yml");
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&wf).unwrap();
    let job = &doc["jobs"]["deploy-vm"];
    assert_eq!(job["needs"][0].as_str(), Some("image-catalog"));
    assert_eq!(job["environment"]["name"].as_str(), Some("production"));
    let step = &job["steps"][1];
    assert_eq!(
        step["env"]["IMAGE_CATALOG"].as_str(),
        Some("${{ needs.image-catalog.outputs.image }}@${{ needs.image-catalog.outputs.digest }}")
    );
    assert_eq!(
        step["env"]["POSTGRES_PASSWORD"].as_str(),
        Some("${{ secrets.POSTGRES_PASSWORD }}")
    );
    let script = step["run"].as_str().unwrap();
    assert!(script.contains("ansible-playbook site.yml"));
    assert!(
        script.contains("\"$SSH_KNOWN_HOSTS\" > ~/.ssh/known_hosts"),
        "host keys are pinned, not scanned"
    );
    assert!(script.contains("https://api.example.com/health"));
    assert!(!wf.contains("StrictHostKeyChecking=no"));
    // What the run says it did.
    let step = report["todos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "vm")
        .expect("a server step");
    assert_eq!(step["status"], "done");
}
