//! The pipeline written for GitLab CI: `.gitlab-ci.yml`.
//!
//! Merge request pipelines or branch pipelines, never both; jobs interruptible except deploys;
//! images pinned by tag; caches keyed by the lockfile; the image built with BuildKit and a
//! registry cache, pushed only from the deploy branch, and handed to the deploy by digest;
//! deploys in a resource group per environment so two never overlap.

use super::{image_ref, slug, versions, Job, JobKind, Pipeline, Toolchain};
use crate::params::{CiSystem, Registry};
use crate::spec::DeploySpec;
use crate::write::yaml::{self, Yaml};

/// The pipeline's path.
pub const PATH: &str = ".gitlab-ci.yml";

/// True when a top-level key of a GitLab pipeline names a job: not a global keyword, not a
/// hidden template (`.name`).
pub fn is_job_key(key: &str) -> bool {
    const GLOBAL: &[&str] = &[
        "workflow",
        "default",
        "stages",
        "variables",
        "include",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
    ];
    !GLOBAL.contains(&key) && !key.starts_with('.')
}

/// The package manager's cache for `tc`: the variables that point it at `root` (as the job's
/// environment reads it) and the folder to keep, below `kept` (as the CI system's cache
/// names it).
pub(super) fn cache(tc: &Toolchain, root: &str, kept: &str) -> Option<(Vec<(String, String)>, String)> {
    let (vars, path): (Vec<(&str, &str)>, &str) = match (tc.language.as_str(), tc.package_manager.as_str()) {
        ("python", "uv") => (vec![("UV_CACHE_DIR", "uv")], "uv"),
        ("python", _) => (vec![("PIP_CACHE_DIR", "pip")], "pip"),
        ("node", "pnpm") => (vec![], "pnpm"),
        ("node", "yarn") => (vec![("YARN_CACHE_FOLDER", "yarn")], "yarn"),
        ("node", _) => (vec![("npm_config_cache", "npm")], "npm"),
        ("go", _) => (vec![("GOMODCACHE", "go-mod"), ("GOCACHE", "go-build")], ""),
        ("rust", _) => (vec![("CARGO_HOME", "cargo")], "cargo"),
        ("java" | "kotlin", "gradle") => (vec![("GRADLE_USER_HOME", "gradle")], "gradle"),
        ("java" | "kotlin", _) => (vec![("MAVEN_OPTS", "m2")], "m2"),
        ("ruby", _) => (vec![("BUNDLE_PATH", "bundle")], "bundle"),
        ("php", _) => (vec![("COMPOSER_CACHE_DIR", "composer")], "composer"),
        ("csharp" | "fsharp", _) => (vec![("NUGET_PACKAGES", "nuget")], "nuget"),
        _ => return None,
    };
    Some((
        vars.into_iter()
            .map(|(k, dir)| {
                let value = if k == "MAVEN_OPTS" {
                    format!("-Dmaven.repo.local={root}/{dir}")
                } else {
                    format!("{root}/{dir}")
                };
                (k.to_string(), value)
            })
            .collect(),
        if path.is_empty() {
            kept.to_string()
        } else {
            format!("{kept}/{path}")
        },
    ))
}

fn rules_for(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> Option<Yaml> {
    if !pipeline.routed {
        return None;
    }
    let svc = job.service_in(spec)?;
    let globs = super::change_globs(svc, "**/*", PATH);
    Some(Yaml::Seq(vec![Yaml::map().with(
        "changes",
        Yaml::map()
            .with("paths", Yaml::strs(&globs))
            .with("compare_to", format!("refs/heads/{}", pipeline.branch)),
    )]))
}

fn check_job(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> Yaml {
    let tc = job.toolchain.as_ref();
    let stage = if job.kind == JobKind::Lint { "lint" } else { "test" };
    let mut j = Yaml::map().with("stage", stage);
    if let Some(t) = tc {
        j = j.with("image", t.image.as_str());
    }
    j = j
        .with("needs", Yaml::Seq(vec![]))
        .with("timeout", format!("{} minutes", job.timeout_minutes));
    let mut vars = Yaml::map();
    let mut cache_path = None;
    if let Some((cv, path)) = tc.and_then(|t| cache(t, "$CI_PROJECT_DIR/.cache", ".cache")) {
        for (k, v) in cv {
            vars = vars.with(&k, v);
        }
        cache_path = Some(path);
    }
    for s in &job.sidecars {
        if let Some((var, url)) = &s.url {
            vars = vars.with(var, url.replace("{host}", &s.id));
        }
        for (k, v) in &s.env {
            vars = vars.with(k, v.as_str());
        }
    }
    if !vars.is_empty() {
        j = j.with("variables", vars);
    }
    if !job.sidecars.is_empty() {
        j = j.with(
            "services",
            Yaml::Seq(
                job.sidecars
                    .iter()
                    .map(|s| Yaml::map().with("name", s.image.as_str()).with("alias", s.id.as_str()))
                    .collect(),
            ),
        );
    }
    if let (Some(t), Some(path)) = (tc, cache_path) {
        let keys: Vec<String> = t.cache_keys.iter().take(2).cloned().collect();
        let mut c = Yaml::map();
        if keys.is_empty() {
            c = c.with(
                "key",
                format!("{}-{}", slug(job.service.as_deref().unwrap_or("app")), t.language),
            );
        } else {
            c = c.with("key", Yaml::map().with("files", Yaml::strs(&keys)));
        }
        j = j.with("cache", c.with("paths", Yaml::strs([path])));
    }
    j = j.with_opt("rules", rules_for(job, spec, pipeline));
    let mut script = Vec::new();
    if job.workdir != "." {
        script.push(format!("cd {} || exit 1", job.workdir));
    }
    if tc.is_some_and(|t| t.language == "python" && matches!(t.package_manager.as_str(), "pip" | "")) {
        // A virtual environment keeps the job's packages apart from the image's (and from the
        // machine's, on a shell runner).
        script.push("python3 -m venv .venv".into());
        script.push("export PATH=\"$PWD/.venv/bin:$PATH\"".into());
    }
    if tc.is_some_and(|t| t.language == "python" && t.package_manager == "uv") {
        script.push(format!("pip install --quiet {}", uv_pin()));
    }
    script.extend(job.commands.iter().cloned());
    j = j.with("script", Yaml::strs(&script));
    if job.kind == JobKind::Test {
        let svc = job.service_in(spec);
        if let Some(report) = svc
            .and_then(|s| s.coverage_report.as_ref())
            .filter(|r| r.ends_with(".xml"))
        {
            let path = if job.workdir == "." {
                report.clone()
            } else {
                format!("{}/{report}", job.workdir)
            };
            j = j.with(
                "artifacts",
                Yaml::map()
                    .with(
                        "reports",
                        Yaml::map().with(
                            "coverage_report",
                            Yaml::map().with("coverage_format", "cobertura").with("path", path),
                        ),
                    )
                    .with("expire_in", "1 week"),
            );
        }
    }
    j
}

pub(super) fn uv_pin() -> String {
    // The uv the Dockerfile copies from its image, as a package.
    let line = crate::knowledge::UV_IMAGE.rsplit(':').next().unwrap_or("0.9");
    format!("uv=={line}.*")
}

fn image_job(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> Yaml {
    let svc = job.service_in(spec).expect("an image job names its service");
    let image = image_ref(spec, svc, CiSystem::Gitlab);
    let (login, packages) = super::shell_registry_login(spec, CiSystem::Gitlab, "IMAGE_NAME");
    let mut script: Vec<String> = packages
        .map(|p| format!("apk add --no-cache {p}"))
        .into_iter()
        .collect();
    script.extend([
        "push=false".to_string(),
        format!("if [ \"${{CI_COMMIT_BRANCH:-}}\" = \"{}\" ]; then push=true; fi", pipeline.branch),
        // A version tag (v1.2.3) pushes the image tagged 1.2.3 as well.
        "set -- --tag \"$IMAGE_NAME:$CI_COMMIT_SHA\"".into(),
        "case \"${CI_COMMIT_TAG:-}\" in v[0-9]*) push=true; set -- \"$@\" --tag \"$IMAGE_NAME:${CI_COMMIT_TAG#v}\" ;; esac".into(),
        format!("if [ \"$push\" = true ]; then {login}; fi"),
    ]);
    script.extend(super::buildx_lines(svc, "\"$@\""));
    script.push("echo \"IMAGE=$IMAGE_NAME@$digest\" > image.env".into());
    Yaml::map()
        .with("stage", "build")
        .with("image", versions::image("docker"))
        .with("services", Yaml::strs([versions::image("docker_dind")]))
        .with(
            "needs",
            Yaml::Seq(
                job.needs
                    .iter()
                    .filter(|n| n.as_str() != "changes")
                    .map(|n| {
                        // A routed pipeline may leave a check job out; the build still runs.
                        let need = Yaml::map().with("job", n.as_str());
                        if pipeline.routed {
                            need.with("optional", true)
                        } else {
                            need
                        }
                    })
                    .collect(),
            ),
        )
        .with("timeout", format!("{} minutes", job.timeout_minutes))
        .with(
            "variables",
            Yaml::map()
                .with("DOCKER_TLS_CERTDIR", "/certs")
                .with("IMAGE_NAME", image.as_str()),
        )
        .with_opt("rules", rules_for(job, spec, pipeline))
        .with("script", Yaml::strs(&script))
        .with(
            "artifacts",
            Yaml::map()
                .with("reports", Yaml::map().with("dotenv", "image.env"))
                .with("expire_in", "1 week"),
        )
}

fn deploy_job(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> Yaml {
    let svc = job.service_in(spec).expect("a deploy job names its service");
    let target = job.target.expect("a deploy job has a target");
    let env_name = job.environment.clone().unwrap_or_else(|| "production".into());
    let pulls = super::deploys_image(target);
    let (runner, packages) = super::deploy_runner(target);
    let image = versions::image(runner);
    let mut script: Vec<String> = packages
        .map(|p| format!("apk add --no-cache {p}"))
        .into_iter()
        .collect();
    if pulls && spec.registry == Registry::Gitlab {
        script.push("echo \"$CI_REGISTRY_PASSWORD\" | docker login --username \"$CI_REGISTRY_USER\" --password-stdin \"$CI_REGISTRY\"".into());
    }
    if job.workdir != "." {
        script.push(format!("cd {} || exit 1", job.workdir));
    }
    script.extend(job.commands.iter().cloned());
    let url_var = job.vars.iter().find(|v| v.ends_with("_URL")).cloned();
    if let (Some(v), Some(path)) = (&url_var, &svc.health_path) {
        script.push(super::verify_script(target, v, path));
    }
    let mut environment = Yaml::map().with("name", env_name.as_str()).with(
        "deployment_tier",
        if env_name == "staging" { "staging" } else { "production" },
    );
    if let Some(v) = &url_var {
        environment = environment.with("url", format!("${v}"));
    }
    let mut rule = Yaml::map().with("if", format!("$CI_COMMIT_BRANCH == \"{}\"", pipeline.branch));
    if job.manual {
        rule = rule.with("when", "manual");
    }
    let mut rules = vec![];
    if pipeline.routed {
        if let Some(Yaml::Seq(r)) = rules_for(job, spec, pipeline) {
            if let Some(Yaml::Map(entries)) = r.into_iter().next() {
                for e in entries {
                    rule = rule.entry(e);
                }
            }
        }
    }
    rules.push(rule);
    let needs: Vec<Yaml> = job
        .needs
        .iter()
        .filter(|n| n.as_str() != "changes")
        .map(|n| {
            Yaml::map()
                .with("job", n.as_str())
                .with("artifacts", n.starts_with("image-"))
        })
        .collect();
    let mut j = Yaml::map().with("stage", "deploy").with("image", image);
    if pulls {
        j = j
            .with("services", Yaml::strs([versions::image("docker_dind")]))
            .with("variables", Yaml::map().with("DOCKER_TLS_CERTDIR", "/certs"));
    }
    j.with("needs", Yaml::Seq(needs))
        .with("timeout", format!("{} minutes", job.timeout_minutes))
        .with("interruptible", false)
        .with_note(
            "resource_group",
            format!("{}-{}", slug(&env_name), super::deploy_lock(spec, job)),
            format!(
                "One deploy of {} to this environment at a time; a started deploy is never cancelled.",
                super::deploy_lock_words(spec, job)
            ),
        )
        .with("environment", environment)
        .with("rules", Yaml::Seq(rules))
        .with("script", Yaml::strs(&script))
}

/// The pipeline as YAML text.
pub fn write(spec: &DeploySpec, pipeline: &Pipeline) -> String {
    let mut doc = Yaml::map()
        .with(
            "workflow",
            Yaml::map()
                .with(
                    "rules",
                    Yaml::Seq(vec![
                        Yaml::map().with("if", "$CI_PIPELINE_SOURCE == \"merge_request_event\""),
                        Yaml::map()
                            .with("if", "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS")
                            .with("when", "never"),
                        Yaml::map().with("if", "$CI_COMMIT_BRANCH"),
                        Yaml::map().with("if", "$CI_COMMIT_TAG =~ /^v[0-9]/"),
                    ]),
                )
                .with("auto_cancel", Yaml::map().with("on_new_commit", "interruptible")),
        )
        .with("default", Yaml::map().with("interruptible", true))
        .with("stages", Yaml::strs(["lint", "test", "build", "deploy"]));
    for job in &pipeline.jobs {
        let j = match job.kind {
            // GitLab routes by `rules: changes`; a required aggregate is not needed there.
            // The Terraform jobs are written for GitHub Actions only (a note says so).
            JobKind::Changes | JobKind::Gate | JobKind::Infra => continue,
            JobKind::Lint | JobKind::Test => check_job(job, spec, pipeline),
            JobKind::Image => image_job(job, spec, pipeline),
            JobKind::Deploy => deploy_job(job, spec, pipeline),
        };
        let j = match j {
            Yaml::Map(mut entries) => {
                // `needs: [changes]` has no meaning here.
                for e in entries.iter_mut() {
                    if e.key == "needs" {
                        if let Yaml::Seq(items) = &mut e.value {
                            items.retain(|i| i != &Yaml::str("changes"));
                        }
                    }
                }
                Yaml::Map(entries)
            }
            other => other,
        };
        doc = doc.with(&job.id, j);
    }
    let header = format!(
        "Written by Slipway: lint, test, build and push the image{}.",
        if spec.targets.is_empty() {
            String::new()
        } else {
            format!(
                ", and deploy to {} from {} only",
                spec.targets.iter().map(|t| t.label()).collect::<Vec<_>>().join(" and "),
                pipeline.branch
            )
        }
    );
    yaml::to_string(&doc, &header)
}
