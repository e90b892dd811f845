//! The reflection's checks for pipelines: they read a workflow's text, so they review a
//! person's own pipelines exactly as they review Slipway's. Rule ids are stable (`ci/...`).

use serde_yaml_ng::Value;

use crate::check::{Finding, Severity};

/// The first major version of each action that runs on Node 24. GitHub removed Node 20 from
/// its runners on 2026-09-16; older majors (and `actions/cache` before v4.2) no longer run.
const FIRST_NODE24: &[(&str, u32)] = &[
    ("actions/checkout", 5),
    ("actions/setup-node", 5),
    ("actions/setup-python", 6),
    ("actions/setup-go", 6),
    ("actions/setup-java", 5),
    ("actions/setup-dotnet", 5),
    ("actions/cache", 5),
    ("actions/upload-artifact", 6),
    ("actions/download-artifact", 7),
    ("actions/github-script", 8),
    ("docker/setup-buildx-action", 4),
    ("docker/setup-qemu-action", 4),
    ("docker/login-action", 4),
    ("docker/metadata-action", 6),
    ("docker/build-push-action", 7),
    ("aws-actions/configure-aws-credentials", 6),
    ("google-github-actions/auth", 3),
    ("azure/login", 3),
];

/// Event fields an outsider controls: expanded inside a script they become code.
const UNTRUSTED: &[&str] = &[
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.head_commit.message",
    "github.event.head_commit.author",
    "github.event.commits",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.workflow_run.head_branch",
    "github.head_ref",
];

fn finding(severity: Severity, rule: &str, path: &str, line: Option<u32>, message: impl Into<String>) -> Finding {
    Finding {
        severity,
        rule: rule.into(),
        path: path.into(),
        line,
        message: message.into(),
    }
}

/// The first line (1-based) of `text` holding `needle`, searching from line `from`.
fn line_of(text: &str, needle: &str, from: u32) -> Option<u32> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1) as usize)
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i as u32 + 1)
}

fn major(tag: &str) -> Option<u32> {
    tag.trim_start_matches('v').split('.').next()?.parse().ok()
}

/// The parsed document, or the finding that it is not YAML (the file is then never rewritten).
fn parse(path: &str, text: &str) -> Result<Value, Finding> {
    serde_yaml_ng::from_str::<Value>(text).map_err(|e| {
        let line = e.location().map(|l| l.line() as u32);
        finding(
            Severity::Error,
            "ci/invalid-yaml",
            path,
            line,
            format!("this is not valid YAML ({e}); Slipway reports it and leaves the file as it is"),
        )
    })
}

fn scripts(job: &Value) -> Vec<String> {
    job["steps"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|s| s["run"].as_str().map(String::from))
        .collect()
}

/// Reviews a GitHub Actions workflow.
pub fn check_github(path: &str, text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let doc = match parse(path, text) {
        Ok(d) => d,
        Err(f) => return vec![f],
    };
    if doc.get("permissions").is_none() {
        out.push(finding(
            Severity::Warning,
            "ci/permissions",
            path,
            None,
            "the workflow sets no top-level permissions, so every job gets the repository's default token scope; set `permissions: {}` (or `contents: read`) and grant more per job",
        ));
    }
    let triggers = serde_yaml_ng::to_string(
        doc.get("on")
            .or_else(|| doc.get(Value::Bool(true)))
            .unwrap_or(&Value::Null),
    )
    .unwrap_or_default();
    let target_trigger = triggers.contains("pull_request_target") || triggers.contains("workflow_run");
    let Some(jobs) = doc["jobs"].as_mapping() else {
        return out;
    };
    for (id, job) in jobs {
        let id = id.as_str().unwrap_or("?");
        let job_line = line_of(text, &format!("  {id}:"), 1).unwrap_or(1);
        if job.get("timeout-minutes").is_none() && job.get("uses").is_none() {
            out.push(finding(
                Severity::Info,
                "ci/timeout",
                path,
                Some(job_line),
                format!("job {id} has no timeout-minutes; a hung step then holds a runner for six hours"),
            ));
        }
        for step in job["steps"].as_sequence().into_iter().flatten() {
            if let Some(uses) = step["uses"].as_str() {
                let at = line_of(text, uses, job_line);
                if uses.starts_with("./") || uses.starts_with("docker://") {
                    continue;
                }
                let (name, reference) = uses.split_once('@').unwrap_or((uses, ""));
                let hashed = reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit());
                // A hash pin's version is in its comment.
                let version = if hashed {
                    at.and_then(|l| text.lines().nth(l as usize - 1))
                        .and_then(|l| l.split_once('#'))
                        .map(|(_, c)| c.trim().to_string())
                } else {
                    Some(reference.to_string())
                };
                let lower = name.to_ascii_lowercase();
                if let (Some((_, first)), Some(m)) = (
                    FIRST_NODE24.iter().find(|(a, _)| *a == lower),
                    version.as_deref().and_then(major),
                ) {
                    if m < *first {
                        out.push(finding(
                            Severity::Error,
                            "ci/action-retired",
                            path,
                            at,
                            format!("{name}@{} runs on a Node.js version GitHub's runners no longer have; use v{first} or later", version.unwrap_or_default()),
                        ));
                        continue;
                    }
                }
                if !hashed {
                    out.push(finding(
                        Severity::Warning,
                        "ci/action-unpinned",
                        path,
                        at,
                        format!("{uses} follows a tag that can move; pin the commit hash with the version in a comment (`{name}@<sha> # {reference}`)"),
                    ));
                }
                if target_trigger
                    && lower == "actions/checkout"
                    && serde_yaml_ng::to_string(&step["with"])
                        .unwrap_or_default()
                        .contains("github.event.pull_request.head")
                {
                    out.push(finding(
                        Severity::Error,
                        "ci/pull-request-target-checkout",
                        path,
                        at,
                        "this checks out a pull request's code in a workflow that runs with the repository's secrets (pull_request_target or workflow_run); anyone who opens a pull request can run code with them",
                    ));
                }
            }
        }
        for script in scripts(job) {
            let first = script.lines().next().unwrap_or("");
            let at = line_of(text, first.trim(), job_line);
            if let Some(field) = UNTRUSTED.iter().find(|f| script.contains(&format!("${{{{ {f}"))) {
                out.push(finding(
                    Severity::Error,
                    "ci/script-injection",
                    path,
                    at,
                    format!("the script expands {field}, which whoever opens the issue or pull request controls: it runs as shell code; pass it through env: and use \"$VAR\""),
                ));
            }
            if script.contains("${{ secrets.") {
                out.push(finding(
                    Severity::Warning,
                    "ci/secret-in-script",
                    path,
                    at,
                    "a secret is expanded into the script, where it lands in the process list and can leak into logs; pass it through the step's env: instead",
                ));
            }
        }
        let deploys = id.contains("deploy") || job.get("environment").is_some();
        if deploys {
            let cond = job["if"].as_str().unwrap_or("");
            if !cond.contains("refs/heads/") && !cond.contains("github.ref_name") && job.get("environment").is_none() {
                out.push(finding(
                    Severity::Warning,
                    "ci/deploy-ungated",
                    path,
                    Some(job_line),
                    format!("job {id} deploys from any branch or pull request; gate it on the deploy branch (`if: github.ref == 'refs/heads/main'`) and an environment"),
                ));
            }
            let cancel = job["concurrency"]["cancel-in-progress"].as_bool();
            let workflow_cancel = doc["concurrency"]["cancel-in-progress"].as_bool();
            if job.get("concurrency").is_none() && doc.get("concurrency").is_none() {
                out.push(finding(
                    Severity::Warning,
                    "ci/deploy-concurrency",
                    path,
                    Some(job_line),
                    format!("job {id} has no concurrency group, so two deploys can run at once; add `concurrency: {{ group: deploy-production, cancel-in-progress: false }}`"),
                ));
            } else if cancel == Some(true) || (cancel.is_none() && workflow_cancel == Some(true)) {
                out.push(finding(
                    Severity::Warning,
                    "ci/deploy-cancelled",
                    path,
                    Some(job_line),
                    format!("job {id} can be cancelled half way by a newer run (cancel-in-progress); a deploy must finish or roll back"),
                ));
            }
        }
        let mut images: Vec<String> = Vec::new();
        if let Some(s) = job["services"].as_mapping() {
            images.extend(
                s.values()
                    .filter_map(|v| v["image"].as_str().or(v.as_str()).map(String::from)),
            );
        }
        if let Some(c) = job["container"]["image"].as_str().or(job["container"].as_str()) {
            images.push(c.to_string());
        }
        for image in images {
            if !image.contains("${{") && (!image.contains(':') || image.ends_with(":latest")) {
                out.push(finding(
                    Severity::Warning,
                    "ci/image-untagged",
                    path,
                    line_of(text, &image, job_line),
                    format!("{image} is not pinned to a version; the job can change under you"),
                ));
            }
        }
    }
    out
}

/// Reviews a GitLab CI pipeline.
pub fn check_gitlab(path: &str, text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let doc = match parse(path, text) {
        Ok(d) => d,
        Err(f) => return vec![f],
    };
    let Some(map) = doc.as_mapping() else {
        return out;
    };
    for (id, job) in map {
        let id = id.as_str().unwrap_or("?");
        if !super::gitlab::is_job_key(id) {
            continue;
        }
        let job_line = line_of(text, &format!("{id}:"), 1);
        let image = job["image"].as_str().or(job["image"]["name"].as_str());
        if let Some(image) = image {
            if !image.starts_with('$') && (!image.contains(':') || image.ends_with(":latest")) {
                out.push(finding(
                    Severity::Warning,
                    "ci/image-untagged",
                    path,
                    line_of(text, image, job_line.unwrap_or(1)),
                    format!("job {id} runs on {image}, which is not pinned to a version"),
                ));
            }
        }
        let script = serde_yaml_ng::to_string(&job["script"]).unwrap_or_default();
        if script.contains("docker login") && (script.contains(" -p ") || script.contains(" --password ")) {
            out.push(finding(
                Severity::Error,
                "ci/secret-in-script",
                path,
                line_of(text, "docker login", job_line.unwrap_or(1)),
                "the registry password is on docker login's command line; pipe it in with --password-stdin",
            ));
        }
        let deploys = id.contains("deploy") || job.get("environment").is_some();
        if deploys {
            if job.get("resource_group").is_none() {
                out.push(finding(
                    Severity::Warning,
                    "ci/deploy-concurrency",
                    path,
                    job_line,
                    format!("job {id} has no resource_group, so two deploys can run at once"),
                ));
            }
            let gated = serde_yaml_ng::to_string(&job["rules"]).unwrap_or_default();
            let only = serde_yaml_ng::to_string(&job["only"]).unwrap_or_default();
            if !gated.contains("CI_COMMIT_BRANCH")
                && !gated.contains("CI_DEFAULT_BRANCH")
                && !only.contains("main")
                && !only.contains("master")
            {
                out.push(finding(
                    Severity::Warning,
                    "ci/deploy-ungated",
                    path,
                    job_line,
                    format!(
                        "job {id} deploys from any branch; add `rules: - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH`"
                    ),
                ));
            }
        }
    }
    out
}

fn unpinned(image: &str) -> bool {
    !image.contains('@')
        && (!image.contains(':')
            || image.ends_with(":latest")
            || image.ends_with(":current")
            || image.ends_with(":edge"))
}

/// Reviews a CircleCI configuration.
pub fn check_circleci(path: &str, text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let doc = match parse(path, text) {
        Ok(d) => d,
        Err(f) => return vec![f],
    };
    // Images of executors and of jobs.
    for section in ["executors", "jobs"] {
        for (name, e) in doc[section].as_mapping().into_iter().flatten() {
            let name = name.as_str().unwrap_or("?");
            for c in e["docker"].as_sequence().into_iter().flatten() {
                let image = c["image"].as_str().unwrap_or("");
                if !image.is_empty() && !image.contains("<<") && unpinned(image) {
                    out.push(finding(
                        Severity::Warning,
                        "ci/image-untagged",
                        path,
                        line_of(text, image, 1),
                        format!("{name} runs on {image}, which is not pinned to a version"),
                    ));
                }
            }
        }
    }
    // Orbs by exact version only: a range or volatile moves under the pipeline.
    for (name, orb) in doc["orbs"].as_mapping().into_iter().flatten() {
        let Some(orb) = orb.as_str() else { continue };
        let version = orb.rsplit_once('@').map(|(_, v)| v).unwrap_or("");
        if version.is_empty() || version == "volatile" || version.starts_with("dev:") || version.split('.').count() < 3
        {
            out.push(finding(
                Severity::Warning,
                "ci/orb-unpinned",
                path,
                line_of(text, orb, 1),
                format!(
                    "orb {} is {orb}, which can change under the pipeline; pin an exact version",
                    name.as_str().unwrap_or("?")
                ),
            ));
        }
    }
    for (id, job) in doc["jobs"].as_mapping().into_iter().flatten() {
        let id = id.as_str().unwrap_or("?");
        for step in job["steps"].as_sequence().into_iter().flatten() {
            let command = step["run"]["command"].as_str().or(step["run"].as_str()).unwrap_or("");
            let at = line_of(text, command.lines().next().unwrap_or(""), 1);
            for line in command.lines().filter(|l| l.contains("docker login")) {
                if line.contains(" -p ") || line.contains(" --password ") {
                    out.push(finding(
                        Severity::Error,
                        "ci/secret-in-script",
                        path,
                        line_of(text, line.trim(), 1),
                        "the registry password is on docker login's command line; pipe it in with --password-stdin",
                    ));
                }
            }
            // Pipeline values are pasted into the script before the shell reads it.
            for field in ["pipeline.git.branch", "pipeline.git.tag", "pipeline.trigger_parameters"] {
                if command.contains(&format!("<< {field}")) {
                    out.push(finding(
                        Severity::Error,
                        "ci/script-injection",
                        path,
                        at,
                        format!(
                            "job {id} pastes << {field} >> into its script, where a crafted branch or tag name becomes code; read it from an environment variable instead"
                        ),
                    ));
                }
            }
        }
    }
    // Deploys: on one branch, one at a time.
    for wf in doc["workflows"].as_mapping().into_iter().flatten().map(|(_, w)| w) {
        for entry in wf["jobs"].as_sequence().into_iter().flatten() {
            let (name, settings) = match entry {
                Value::String(s) => (s.clone(), Value::Null),
                Value::Mapping(m) => match m.iter().next() {
                    Some((k, v)) => (k.as_str().unwrap_or("?").to_string(), v.clone()),
                    None => continue,
                },
                _ => continue,
            };
            if !name.contains("deploy") || settings["type"].as_str() == Some("approval") {
                continue;
            }
            let line = line_of(text, &format!("- {name}"), line_of(text, "workflows:", 1).unwrap_or(1));
            if settings["serial-group"].as_str().is_none() {
                out.push(finding(
                    Severity::Warning,
                    "ci/deploy-concurrency",
                    path,
                    line,
                    format!("{name} has no serial-group, so two deploys can run at once"),
                ));
            }
            let filters = serde_yaml_ng::to_string(&settings["filters"]).unwrap_or_default();
            if !filters.contains("only") && !filters.contains("pipeline.git.branch") {
                out.push(finding(
                    Severity::Warning,
                    "ci/deploy-ungated",
                    path,
                    line,
                    format!("{name} deploys from any branch; add filters: branches: only: main"),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.rule.as_str()).collect()
    }

    #[test]
    fn a_careless_workflow_gets_every_finding() {
        let text = "name: CI\non:\n  pull_request_target:\njobs:\n  build:\n    runs-on: ubuntu-latest\n    services:\n      db:\n        image: postgres\n    steps:\n      - uses: actions/checkout@v3\n      - uses: actions/checkout@v6\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: echo \"${{ github.event.pull_request.title }}\"\n      - run: curl -H \"token ${{ secrets.API_TOKEN }}\" https://example.com\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./deploy.sh\n";
        let f = check_github(".github/workflows/ci.yml", text);
        let r = rules(&f);
        for want in [
            "ci/permissions",
            "ci/action-retired",
            "ci/action-unpinned",
            "ci/pull-request-target-checkout",
            "ci/script-injection",
            "ci/secret-in-script",
            "ci/deploy-ungated",
            "ci/deploy-concurrency",
            "ci/image-untagged",
            "ci/timeout",
        ] {
            assert!(r.contains(&want), "expected {want} in {r:?}");
        }
        let retired = f.iter().find(|f| f.rule == "ci/action-retired").unwrap();
        assert_eq!(retired.line, Some(11), "the finding points at the uses line");
        let injection = f.iter().find(|f| f.rule == "ci/script-injection").unwrap();
        assert_eq!(injection.line, Some(15));
    }

    #[test]
    fn a_hash_pin_is_judged_by_the_version_in_its_comment() {
        let text = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - uses: actions/cache@0c45773b623bea8c8e75f6c82b208c3cf94ea4f9 # v4.0.2\n      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n";
        let f = check_github("w.yml", text);
        assert_eq!(rules(&f), ["ci/action-retired"], "{f:?}");
        assert_eq!(f[0].line, Some(8));
    }

    #[test]
    fn invalid_yaml_is_reported_with_its_line() {
        let f = check_github("w.yml", "on: push\njobs:\n  a: [\n");
        assert_eq!(rules(&f), ["ci/invalid-yaml"]);
        assert!(f[0].line.is_some());
    }

    #[test]
    fn a_careless_circleci_configuration_gets_its_findings() {
        let text = "version: 2.1\norbs:\n  node: circleci/node@5\njobs:\n  build:\n    docker:\n      - image: cimg/node:current\n    steps:\n      - checkout\n      - run:\n          command: |\n            echo << pipeline.git.branch >>\n            docker login -u me -p $PASS\n  deploy:\n    docker:\n      - image: alpine\n    steps:\n      - run: ./deploy.sh\nworkflows:\n  main:\n    jobs:\n      - build\n      - deploy:\n          requires: [build]\n";
        let f = check_circleci(".circleci/config.yml", text);
        let r = rules(&f);
        for want in [
            "ci/image-untagged",
            "ci/orb-unpinned",
            "ci/script-injection",
            "ci/secret-in-script",
            "ci/deploy-concurrency",
            "ci/deploy-ungated",
        ] {
            assert!(r.contains(&want), "expected {want} in {r:?}");
        }
        let untagged: Vec<Option<u32>> = f
            .iter()
            .filter(|f| f.rule == "ci/image-untagged")
            .map(|f| f.line)
            .collect();
        assert_eq!(untagged, [Some(7), Some(16)]);
        let secret = f.iter().find(|f| f.rule == "ci/secret-in-script").unwrap();
        assert_eq!(secret.line, Some(13));
    }

    #[test]
    fn a_careless_gitlab_pipeline_gets_its_findings() {
        let text = "build:\n  image: docker:latest\n  script:\n    - docker login -u me -p $PASS registry.example.com\ndeploy:\n  image: alpine\n  environment: production\n  script:\n    - ./deploy.sh\n";
        let f = check_gitlab(".gitlab-ci.yml", text);
        let r = rules(&f);
        for want in [
            "ci/image-untagged",
            "ci/secret-in-script",
            "ci/deploy-concurrency",
            "ci/deploy-ungated",
        ] {
            assert!(r.contains(&want), "expected {want} in {r:?}");
        }
    }
}
