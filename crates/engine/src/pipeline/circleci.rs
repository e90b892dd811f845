//! The pipeline written for CircleCI: `.circleci/config.yml`, config version 2.1.
//!
//! No orbs: every step is written out, so nothing floats and nothing needs CircleCI's orb
//! registry to read. Jobs run in the same toolchain images as on GitLab and Jenkins, declared
//! once as executors; backing services are secondary containers on `localhost`, waited for
//! before the tests. Caches are keyed by the lockfiles' checksums. The image is built with
//! BuildKit and a registry cache on a remote Docker engine, pushed only from the deploy branch,
//! and handed to the deploy by digest through the workspace. Credentials live in contexts (one
//! for the registry, one per environment), attached only to the jobs that run on the deploy
//! branch, so the contexts can be restricted to it. Deploys run in a serial group per
//! environment and service, after an approval job where the spec asks for one. In a monorepo a
//! changes job records which services a change touches, and the jobs of the others end at once
//! with success (`circleci-agent step halt`), so every job can still be a required check.

use std::collections::BTreeMap;

use super::{image_ref, slug, versions, Job, JobKind, Pipeline, Sidecar, Toolchain};
use crate::params::CiSystem;
use crate::spec::DeploySpec;
use crate::write::yaml::{self, Yaml};

/// The pipeline's path.
pub const PATH: &str = ".circleci/config.yml";

/// Where jobs hand files to later jobs.
const WORKSPACE: &str = "/tmp/workspace";

/// Where the package managers keep their caches.
const CACHE: &str = "/tmp/cache";

/// The context that holds the registry's credentials.
pub const REGISTRY_CONTEXT: &str = "registry";

/// The context that holds the secrets and settings of deploys to `environment`.
pub fn deploy_context(environment: &str) -> String {
    format!("deploy-{}", slug(environment))
}

/// The executor a check job runs in: its toolchain image, then its backing services.
fn check_executor(job: &Job) -> (String, Yaml) {
    let (mut name, image) = match &job.toolchain {
        Some(t) => (format!("{}-{}", t.language, slug(&t.version)), t.image.clone()),
        None => ("base".to_string(), versions::image("scm").to_string()),
    };
    let mut docker = vec![Yaml::map().with("image", image)];
    for s in &job.sidecars {
        name.push_str(&format!("-{}", s.id));
        let mut c = Yaml::map().with("image", s.image.as_str());
        if !s.env.is_empty() {
            let mut env = Yaml::map();
            for (k, v) in &s.env {
                env = env.with(k, v.as_str());
            }
            c = c.with("environment", env);
        }
        docker.push(c);
    }
    (name, Yaml::map().with("docker", Yaml::Seq(docker)))
}

fn plain_executor(image: &str) -> Yaml {
    Yaml::map().with("docker", Yaml::Seq(vec![Yaml::map().with("image", image)]))
}

/// The steps that end a routed job at once, with success, when the change does not touch its
/// service.
fn skip_unless_touched(job: &Job, pipeline: &Pipeline) -> Vec<Yaml> {
    let Some(svc) = job.service.as_ref().filter(|_| pipeline.routed) else {
        return vec![];
    };
    let s = slug(svc);
    vec![
        attach(),
        run(
            &format!("Skip unless this change touches {svc}"),
            &format!(
                "if [ ! -e {WORKSPACE}/changes/{s} ]; then\n  echo \"This change does not touch {svc}: nothing to do.\"\n  circleci-agent step halt\nfi"
            ),
            1,
        ),
    ]
}

fn attach() -> Yaml {
    Yaml::map().with("attach_workspace", Yaml::map().with("at", WORKSPACE))
}

fn run(name: &str, command: &str, minutes: u32) -> Yaml {
    Yaml::map().with(
        "run",
        Yaml::map()
            .with("name", name)
            .with("command", command)
            .with("no_output_timeout", format!("{minutes}m")),
    )
}

/// A regular expression (ERE) for the paths a change-glob names.
fn glob_regex(glob: &str) -> String {
    if glob == "**" {
        return "^".into();
    }
    let (stem, folder) = match glob.strip_suffix("/**") {
        Some(stem) => (stem, true),
        None => (glob, false),
    };
    let mut r = String::from("^");
    for c in stem.chars() {
        match c {
            '*' => r.push_str("[^/]*"),
            '.' | '+' | '(' | ')' | '[' | ']' | '{' | '}' | '^' | '$' | '|' | '?' | '\\' => {
                r.push('\\');
                r.push(c);
            }
            c => r.push(c),
        }
    }
    r.push_str(if folder { "/" } else { "$" });
    r
}

fn changes_job(spec: &DeploySpec, pipeline: &Pipeline) -> Yaml {
    let branch = &pipeline.branch;
    let mut script = vec![
        "# What the change touches: against the deploy branch's merge base, or on the deploy".to_string(),
        "# branch itself, against the commit before.".into(),
        format!("base=$(git merge-base \"origin/{branch}\" HEAD 2>/dev/null || true)"),
        "if [ -z \"$base\" ] || [ \"$base\" = \"$(git rev-parse HEAD)\" ]; then".into(),
        "  base=$(git rev-parse -q --verify HEAD~1 || true)".into(),
        "fi".into(),
        "if [ -n \"$base\" ]; then git diff --name-only \"$base\" HEAD > changed.txt; else git ls-files > changed.txt; fi".into(),
        format!("mkdir -p {WORKSPACE}/changes"),
    ];
    for svc in &spec.services {
        let regex = super::change_globs(svc, "**", PATH)
            .iter()
            .map(|g| glob_regex(g))
            .collect::<Vec<_>>()
            .join("|");
        script.push(format!(
            "if grep -qE '{}' changed.txt; then touch {WORKSPACE}/changes/{}; echo \"touches {}\"; fi",
            regex.replace('\'', ""),
            slug(&svc.name),
            svc.name
        ));
    }
    Yaml::map().with("executor", "scm").with(
        "steps",
        Yaml::Seq(vec![
            Yaml::str("checkout"),
            run("Find the services this change touches", &script.join("\n"), 5),
            Yaml::map().with(
                "persist_to_workspace",
                Yaml::map()
                    .with("root", WORKSPACE)
                    .with("paths", Yaml::strs(["changes"])),
            ),
        ]),
    )
}

/// The lines every step of a check job starts with: its folder, and Python's virtual
/// environment.
fn prelude(job: &Job, first: bool) -> Vec<String> {
    let mut p = Vec::new();
    if job.workdir != "." {
        p.push(format!("cd {} || exit 1", job.workdir));
    }
    if let Some(t) = &job.toolchain {
        if t.language == "python" && matches!(t.package_manager.as_str(), "pip" | "" | "uv") {
            // A virtual environment keeps the job's packages apart from the image's.
            if first {
                p.push("python3 -m venv .venv".into());
            }
            p.push("export PATH=\"$PWD/.venv/bin:$PATH\"".into());
            if first && t.package_manager == "uv" {
                p.push(format!("pip install --quiet {}", super::gitlab::uv_pin()));
            }
        }
    }
    p
}

fn wait_for(sidecars: &[Sidecar]) -> String {
    let mut s = String::from(
        "# The services share the job's network: wait until each one accepts connections.\nup() {\n  if command -v nc >/dev/null 2>&1; then nc -z localhost \"$1\"; else bash -c \"exec 3<>/dev/tcp/localhost/$1\" 2>/dev/null; fi\n}\n",
    );
    for side in sidecars {
        s.push_str(&format!(
            "i=0\nuntil up {port}; do\n  i=$((i + 1))\n  if [ \"$i\" -ge 60 ]; then echo \"{id} did not open port {port} within a minute\" >&2; exit 1; fi\n  sleep 1\ndone\n",
            port = side.port,
            id = side.id
        ));
    }
    s.trim_end().to_string()
}

fn cache_key(job: &Job, tc: &Toolchain) -> (String, String) {
    let prefix = format!(
        "v1-{}-{}-{}-",
        slug(job.service.as_deref().unwrap_or("app")),
        tc.language,
        slug(&tc.version)
    );
    let sums: Vec<String> = tc
        .cache_keys
        .iter()
        .filter(|k| !k.contains('*'))
        .take(3)
        .map(|k| format!("{{{{ checksum \"{k}\" }}}}"))
        .collect();
    (format!("{prefix}{}", sums.join("-")), prefix)
}

fn check_job(job: &Job, spec: &DeploySpec, pipeline: &Pipeline, executor: &str) -> Yaml {
    let tc = job.toolchain.as_ref();
    let mut env = Yaml::map();
    let mut cache = None;
    if let Some(t) = tc {
        if let Some((vars, path)) = super::gitlab::cache(t, CACHE, CACHE) {
            for (k, v) in vars {
                env = env.with(&k, v);
            }
            cache = Some((cache_key(job, t), path));
        }
    }
    for s in &job.sidecars {
        if let Some((var, url)) = &s.url {
            env = env.with(var, url.replace("{host}", "localhost"));
        }
    }
    let mut steps = skip_unless_touched(job, pipeline);
    steps.push(Yaml::str("checkout"));
    if let Some(((key, prefix), _)) = &cache {
        steps.push(Yaml::map().with(
            "restore_cache",
            Yaml::map().with("keys", Yaml::strs([key.as_str(), prefix.as_str()])),
        ));
    }
    if !job.sidecars.is_empty() {
        steps.push(run("Wait for the services", &wait_for(&job.sidecars), 2));
    }
    let install = job.service_in(spec).and_then(|s| s.ci_install.clone());
    let mut first = true;
    for c in &job.commands {
        let is_install = Some(c) == install.as_ref();
        let name = if is_install {
            "Install dependencies".to_string()
        } else if job.kind == JobKind::Test {
            format!("Test: {c}")
        } else {
            format!("Check: {c}")
        };
        let mut lines = prelude(job, first);
        first = false;
        lines.push(c.clone());
        steps.push(run(&name, &lines.join("\n"), job.timeout_minutes));
        if is_install {
            if let Some(((key, _), path)) = &cache {
                steps.push(
                    Yaml::map().with(
                        "save_cache",
                        Yaml::map()
                            .with("key", key.as_str())
                            .with("paths", Yaml::strs([path.as_str()])),
                    ),
                );
            }
        }
    }
    if job.kind == JobKind::Test {
        if let Some(report) = job.service_in(spec).and_then(|s| s.coverage_report.clone()) {
            let path = if job.workdir == "." {
                report
            } else {
                format!("{}/{report}", job.workdir)
            };
            steps.push(Yaml::map().with("store_artifacts", Yaml::map().with("path", path)));
        }
    }
    Yaml::map()
        .with("executor", executor)
        .with_opt("environment", (!env.is_empty()).then_some(env))
        .with("steps", Yaml::Seq(steps))
}

fn image_job(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> Yaml {
    let svc = job.service_in(spec).expect("an image job names its service");
    let image = image_ref(spec, svc, CiSystem::Circleci);
    let (login, packages) = super::shell_registry_login(spec, CiSystem::Circleci, "IMAGE_NAME");
    let s = slug(&svc.name);
    let mut script: Vec<String> = packages
        .map(|p| format!("apk add --no-cache {p}"))
        .into_iter()
        .collect();
    script.extend([
        // The workflow says whether this run pushes: only its deploy-branch invocation does.
        "push=<< parameters.push >>".to_string(),
    ]);
    if image.contains("${REGISTRY_IMAGE}") {
        // The image's name lives in the registry context, which only deploy-branch runs get;
        // elsewhere the image is built under a local name and never pushed.
        script.push(format!(
            "if [ -z \"${{REGISTRY_IMAGE:-}}\" ]; then\n  if [ \"$push\" = true ]; then echo \"Set REGISTRY_IMAGE in the {REGISTRY_CONTEXT} context\" >&2; exit 1; fi\n  REGISTRY_IMAGE=local/{s}\nfi"
        ));
    }
    script.extend([
        format!("IMAGE_NAME=\"{image}\""),
        format!("if [ \"$push\" = true ]; then {login}; fi"),
    ]);
    script.extend(super::buildx_lines(svc, "--tag \"$IMAGE_NAME:$CIRCLE_SHA1\""));
    script.extend([
        format!("mkdir -p {WORKSPACE}"),
        format!("echo \"$IMAGE_NAME@$digest\" > {WORKSPACE}/image-{s}.ref"),
    ]);
    let mut steps = skip_unless_touched(job, pipeline);
    steps.extend([
        Yaml::str("checkout"),
        Yaml::str("setup_remote_docker"),
        run(&job.name, &script.join("\n"), job.timeout_minutes),
        Yaml::map().with(
            "persist_to_workspace",
            Yaml::map()
                .with("root", WORKSPACE)
                .with("paths", Yaml::strs([format!("image-{s}.ref")])),
        ),
    ]);
    Yaml::map()
        .with("executor", "docker")
        .with(
            "parameters",
            Yaml::map().with(
                "push",
                Yaml::map()
                    .with("type", "boolean")
                    .with("default", false)
                    .with("description", "Push the image and the layer cache to the registry"),
            ),
        )
        .with("steps", Yaml::Seq(steps))
}

fn deploy_job(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> Yaml {
    let svc = job.service_in(spec).expect("a deploy job names its service");
    let target = job.target.expect("a deploy job has a target");
    let (executor, packages) = super::deploy_runner(target);
    let mut script: Vec<String> = packages
        .map(|p| format!("apk add --no-cache {p}"))
        .into_iter()
        .collect();
    if super::deploys_image(target) {
        let image = image_ref(spec, svc, CiSystem::Circleci);
        let (login, packages) = super::shell_registry_login(spec, CiSystem::Circleci, "IMAGE_NAME");
        script.extend(packages.map(|p| format!("apk add --no-cache {p}")));
        if login.contains("IMAGE_NAME") {
            script.push(format!("IMAGE_NAME=\"{image}\""));
        }
        // The deploy pulls the tested image, so it signs in to the registry first.
        script.push(login);
    }
    if super::carries_image(target) {
        script.push(format!("IMAGE=$(cat {WORKSPACE}/image-{}.ref)", slug(&svc.name)));
        script.push("export IMAGE".into());
    }
    if job.workdir != "." {
        script.push(format!("cd {} || exit 1", job.workdir));
    }
    script.extend(job.commands.iter().cloned());
    let mut steps = skip_unless_touched(job, pipeline);
    if steps.is_empty() && super::carries_image(target) {
        steps.push(attach());
    }
    steps.push(Yaml::str("checkout"));
    if super::deploys_image(target) {
        steps.push(Yaml::str("setup_remote_docker"));
    }
    steps.push(run(
        &format!("Deploy to {}", target.label()),
        &script.join("\n"),
        job.timeout_minutes,
    ));
    if let (Some(v), Some(path)) = (job.vars.iter().find(|v| v.ends_with("_URL")), &svc.health_path) {
        let mut verify = Vec::new();
        if job.workdir != "." {
            verify.push(format!("cd {} || exit 1", job.workdir));
        }
        verify.push(super::verify_script(target, v, path));
        steps.push(run("Check that the deployed app answers", &verify.join("\n"), 5));
    }
    Yaml::map().with("executor", executor).with("steps", Yaml::Seq(steps))
}

/// The workflow's entry for `job`.
fn invocation(job: &Job, pipeline: &Pipeline, extra: Yaml) -> Yaml {
    let mut e = extra;
    let requires: Vec<String> = job
        .needs
        .iter()
        .filter(|n| pipeline.routed || n.as_str() != "changes")
        .cloned()
        .collect();
    if !requires.is_empty() {
        e = e.with("requires", Yaml::strs(&requires));
    }
    if e.is_empty() {
        Yaml::str(job.id.as_str())
    } else {
        Yaml::map().with(&job.id, e)
    }
}

fn only(branch: &str) -> Yaml {
    Yaml::map().with("branches", Yaml::map().with("only", branch))
}

/// The configuration as YAML text.
pub fn write(spec: &DeploySpec, pipeline: &Pipeline) -> String {
    let mut executors: BTreeMap<String, Yaml> = BTreeMap::new();
    let mut jobs = Yaml::map();
    let mut workflow = Vec::new();
    let branch = pipeline.branch.as_str();
    for job in &pipeline.jobs {
        match job.kind {
            JobKind::Changes => {
                executors.insert("scm".into(), plain_executor(versions::image("scm")));
                jobs = jobs.with(&job.id, changes_job(spec, pipeline));
                workflow.push(Yaml::str(job.id.as_str()));
            }
            // Each job of an untouched service ends with success, so each can be required.
            JobKind::Gate => continue,
            // The Terraform jobs are written for GitHub Actions only (a note says so).
            JobKind::Infra => continue,
            JobKind::Lint | JobKind::Test => {
                let (name, executor) = check_executor(job);
                executors.insert(name.clone(), executor);
                jobs = jobs.with(&job.id, check_job(job, spec, pipeline, &name));
                workflow.push(invocation(job, pipeline, Yaml::map()));
            }
            JobKind::Image => {
                executors.insert("docker".into(), plain_executor(versions::image("docker")));
                jobs = jobs.with(&job.id, image_job(job, spec, pipeline));
                // Off the deploy branch the image is built without the registry's credentials,
                // so the registry context can be restricted to the deploy branch.
                workflow.push(invocation(
                    job,
                    pipeline,
                    Yaml::map().with("name", format!("{}-build", job.id)).with(
                        "filters",
                        Yaml::map().with("branches", Yaml::map().with("ignore", branch)),
                    ),
                ));
                workflow.push(invocation(
                    job,
                    pipeline,
                    Yaml::map()
                        .with("push", true)
                        .with("context", Yaml::strs([REGISTRY_CONTEXT]))
                        .with("filters", only(branch)),
                ));
            }
            JobKind::Deploy => {
                let (executor, _) = super::deploy_runner(job.target.expect("a deploy job has a target"));
                executors.insert(executor.into(), plain_executor(versions::image(executor)));
                jobs = jobs.with(&job.id, deploy_job(job, spec, pipeline));
                let env_name = job.environment.clone().unwrap_or_else(|| "production".into());
                let mut requires_job = job.clone();
                if job.manual {
                    let approve = format!("approve-{}", job.id);
                    let mut gate = job.clone();
                    gate.id = approve.clone();
                    workflow.push(invocation(
                        &gate,
                        pipeline,
                        Yaml::map().with("type", "approval").with("filters", only(branch)),
                    ));
                    requires_job.needs = vec![approve];
                }
                let mut contexts = vec![deploy_context(&env_name)];
                if super::deploys_image(job.target.expect("a deploy job has a target")) {
                    contexts.insert(0, REGISTRY_CONTEXT.to_string());
                }
                workflow.push(invocation(
                    &requires_job,
                    pipeline,
                    Yaml::map()
                        .with("context", Yaml::strs(&contexts))
                        .with_note(
                            "serial-group",
                            format!(
                                "<< pipeline.project.slug >>/deploy-{}-{}",
                                slug(&env_name),
                                super::deploy_lock(spec, job)
                            ),
                            format!(
                                "One deploy of {} to this environment at a time, in order; a started deploy is never cancelled.",
                                super::deploy_lock_words(spec, job)
                            ),
                        )
                        .with("filters", only(branch)),
                ));
            }
        }
    }
    let mut ex = Yaml::map();
    for (name, e) in executors {
        ex = ex.with(&name, e);
    }
    let doc = Yaml::map()
        .with("version", Yaml::Decimal("2.1".into()))
        .with("executors", ex)
        .with("jobs", jobs)
        .with(
            "workflows",
            Yaml::map().with("ci-cd", Yaml::map().with("jobs", Yaml::Seq(workflow))),
        );
    let header = format!(
        "Written by Slipway: lint, test, build and push the image{}.\nCredentials come from contexts: {REGISTRY_CONTEXT:?} for the registry{}; restrict them to the {branch} branch.",
        if spec.targets.is_empty() {
            String::new()
        } else {
            format!(
                ", and deploy to {} from {branch} only",
                spec.targets.iter().map(|t| t.label()).collect::<Vec<_>>().join(" and ")
            )
        },
        {
            let mut envs: Vec<String> = pipeline
                .jobs
                .iter()
                .filter(|j| j.kind == JobKind::Deploy)
                .filter_map(|j| j.environment.as_deref().map(deploy_context))
                .collect();
            envs.dedup();
            envs.iter().map(|e| format!(", {e:?} for deploys")).collect::<String>()
        }
    );
    yaml::to_string(&doc, &header)
}
