//! The pipeline written for Jenkins: a declarative `Jenkinsfile`.
//!
//! Groovy is a text format here, so this is the one pipeline writer that writes text; every
//! shell script goes into a single-quoted Groovy string (no Groovy interpolation, so a
//! credential never passes through Groovy), and credentials are bound with `credentials()` or
//! `withCredentials` by id only. Builds of one branch queue (`disableConcurrentBuilds`), never
//! abort each other, so a deploy is never cut off; deploys run only on the deploy branch, after
//! an `input` approval where the spec asks for one.

use std::fmt::Write as _;

use super::{image_ref, slug, Job, JobKind, Pipeline};
use crate::params::CiSystem;
use crate::spec::DeploySpec;

/// The pipeline's path.
pub const PATH: &str = "Jenkinsfile";

/// A shell script as a Groovy single-quoted triple string: no interpolation; backslashes and
/// quotes escaped.
fn groovy_script(lines: &[String]) -> String {
    let body = lines.join("\n").replace('\\', "\\\\").replace("'''", "\\'\\'\\'");
    format!("'''\n{body}\n'''")
}

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn when_changed(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> Vec<String> {
    if !pipeline.routed {
        return vec![];
    }
    let Some(svc) = job.service_in(spec) else {
        return vec![];
    };
    let globs: Vec<String> = super::change_globs(svc, "**", PATH)
        .iter()
        .map(|g| format!("changeset {}", q(g)))
        .collect();
    vec![format!("anyOf {{ {} }}", globs.join("; "))]
}

fn check_stage(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> String {
    let mut f = String::new();
    let tc = job.toolchain.as_ref();
    let image = tc
        .map(|t| t.image.clone())
        .unwrap_or_else(|| "debian:bookworm-slim".into());
    let _ = writeln!(f, "stage({}) {{", q(&job.name));
    let _ = writeln!(f, "  agent {{");
    let _ = writeln!(f, "    docker {{");
    let _ = writeln!(f, "      image {}", q(&image));
    // The workspace of the whole pipeline, and a writable home for the tools' caches.
    let _ = writeln!(f, "      reuseNode true");
    let _ = writeln!(f, "      args '-e HOME=/tmp/home'");
    let _ = writeln!(f, "    }}");
    let _ = writeln!(f, "  }}");
    let when = when_changed(job, spec, pipeline);
    if !when.is_empty() {
        let _ = writeln!(f, "  when {{ {} }}", when.join("; "));
    }
    let _ = writeln!(
        f,
        "  options {{ timeout(time: {}, unit: 'MINUTES') }}",
        job.timeout_minutes
    );
    let mut script: Vec<String> = Vec::new();
    if tc.is_some_and(|t| t.language == "python" && matches!(t.package_manager.as_str(), "pip" | "" | "uv")) {
        script.push("python3 -m venv .venv".into());
        script.push(". .venv/bin/activate".into());
        if tc.is_some_and(|t| t.package_manager == "uv") {
            script.push("pip install --quiet uv".into());
        }
    }
    script.extend(job.commands.iter().cloned());
    let _ = writeln!(f, "  steps {{");
    if job.sidecars.is_empty() {
        let inner = format!("sh {}", groovy_script(&script));
        if job.workdir == "." {
            let _ = writeln!(f, "{}", indent(&inner, 4));
        } else {
            let _ = writeln!(f, "    dir({}) {{", q(&job.workdir));
            let _ = writeln!(f, "{}", indent(&inner, 6));
            let _ = writeln!(f, "    }}");
        }
    } else {
        // Declarative pipelines have no service containers: the scripted docker steps start
        // each backing service, wait until it answers, and link it to the job's container.
        let mut s = String::new();
        let mut links = Vec::new();
        let mut env = Vec::new();
        for (i, side) in job.sidecars.iter().enumerate() {
            let vars: Vec<String> = side.env.iter().map(|(k, v)| format!("-e {k}={v}")).collect();
            let _ = writeln!(
                s,
                "{}docker.image({}).withRun({}) {{ c{i} ->",
                "  ".repeat(i),
                q(&side.image),
                q(&vars.join(" "))
            );
            let _ = writeln!(
                s,
                "{}  docker.image({}).inside(\"--link ${{c{i}.id}}:{}\") {{ sh {} }}",
                "  ".repeat(i),
                q(&side.image),
                side.id,
                q(&format!(
                    "until {}; do sleep 1; done",
                    side.health
                        .replace("127.0.0.1", &side.id)
                        .replace("-U app", &format!("-h {} -U app", side.id))
                ))
            );
            links.push(format!("--link ${{c{i}.id}}:{}", side.id));
            if let Some((var, url)) = &side.url {
                env.push(format!("{var}={}", url.replace("{host}", &side.id)));
            }
        }
        let depth = job.sidecars.len();
        let _ = writeln!(
            s,
            "{}docker.image({}).inside(\"-e HOME=/tmp/home {}\") {{",
            "  ".repeat(depth),
            q(&image),
            links.join(" ")
        );
        let _ = writeln!(
            s,
            "{}  withEnv([{}]) {{",
            "  ".repeat(depth),
            env.iter().map(|e| q(e)).collect::<Vec<_>>().join(", ")
        );
        let sh = format!("sh {}", groovy_script(&script));
        let body = if job.workdir == "." {
            sh
        } else {
            format!("dir({}) {{\n{}\n}}", q(&job.workdir), indent(&sh, 2))
        };
        let _ = writeln!(s, "{}", indent(&body, 2 * depth + 4));
        let _ = writeln!(s, "{}  }}", "  ".repeat(depth));
        let _ = writeln!(s, "{}}}", "  ".repeat(depth));
        for i in (0..depth).rev() {
            let _ = writeln!(s, "{}}}", "  ".repeat(i));
        }
        let _ = writeln!(f, "    script {{");
        let _ = writeln!(f, "{}", indent(s.trim_end(), 6));
        let _ = writeln!(f, "    }}");
    }
    let _ = writeln!(f, "  }}");
    let _ = writeln!(f, "}}");
    f
}

fn image_stage(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> String {
    let svc = job.service_in(spec).expect("an image job names its service");
    let image = image_ref(spec, svc, CiSystem::Jenkins);
    let mut f = String::new();
    let _ = writeln!(f, "stage({}) {{", q(&job.name));
    let when = when_changed(job, spec, pipeline);
    if !when.is_empty() {
        let _ = writeln!(f, "  when {{ {} }}", when.join("; "));
    }
    let _ = writeln!(
        f,
        "  options {{ timeout(time: {}, unit: 'MINUTES') }}",
        job.timeout_minutes
    );
    let mut script = vec![
        format!("IMAGE_NAME=\"{image}\""),
        "push=false".to_string(),
        format!("if [ \"${{BRANCH_NAME:-}}\" = \"{}\" ]; then push=true; fi", pipeline.branch),
        format!("if [ \"$push\" = true ]; then echo \"$REGISTRY_PASSWORD\" | docker login --username \"$REGISTRY_USER\" --password-stdin \"${{IMAGE_NAME%%/*}}\"; fi"),
    ];
    script.extend(super::buildx_lines(svc, "--tag \"$IMAGE_NAME:$GIT_COMMIT\""));
    script.push(format!("echo \"$IMAGE_NAME@$digest\" > image-{}.ref", slug(&svc.name)));
    let _ = writeln!(f, "  steps {{");
    let _ = writeln!(
        f,
        "    withCredentials([usernamePassword(credentialsId: 'registry', usernameVariable: 'REGISTRY_USER', passwordVariable: 'REGISTRY_PASSWORD')]) {{"
    );
    let _ = writeln!(f, "{}", indent(&format!("sh {}", groovy_script(&script)), 6));
    let _ = writeln!(f, "    }}");
    let _ = writeln!(f, "  }}");
    let _ = writeln!(f, "}}");
    f
}

fn deploy_stage(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> String {
    let svc = job.service_in(spec).expect("a deploy job names its service");
    let env_name = job.environment.clone().unwrap_or_else(|| "production".into());
    let mut f = String::new();
    let _ = writeln!(f, "stage({}) {{", q(&job.name));
    let mut when = vec![format!("branch {}", q(&pipeline.branch))];
    when.extend(when_changed(job, spec, pipeline));
    let _ = writeln!(f, "  when {{ beforeInput true; allOf {{ {} }} }}", when.join("; "));
    if job.manual {
        let _ = writeln!(
            f,
            "  input {{ message {} }}",
            q(&format!("Deploy {} to {env_name}?", svc.name))
        );
    }
    let _ = writeln!(
        f,
        "  options {{ timeout(time: {}, unit: 'MINUTES') }}",
        job.timeout_minutes
    );
    // Secrets bound by credential id; non-secret settings come from the Jenkins environment.
    let env: Vec<String> = job
        .secrets
        .iter()
        .map(|s| format!("{s} = credentials({})", q(s)))
        .collect();
    if !env.is_empty() {
        let _ = writeln!(f, "  environment {{");
        for e in env {
            let _ = writeln!(f, "    {e}");
        }
        let _ = writeln!(f, "  }}");
    }
    let target = job.target.expect("a deploy job has a target");
    let mut script = Vec::new();
    if super::carries_image(target) {
        script.push(format!("IMAGE=$(cat image-{}.ref)", slug(&svc.name)));
        script.push("export IMAGE".into());
    }
    if job.workdir != "." {
        script.push(format!("cd {}", job.workdir));
    }
    script.extend(job.commands.iter().cloned());
    if let (Some(v), Some(path)) = (job.vars.iter().find(|v| v.ends_with("_URL")), &svc.health_path) {
        script.push(super::verify_script(target, v, path));
    }
    let _ = writeln!(f, "  steps {{");
    let _ = writeln!(f, "{}", indent(&format!("sh {}", groovy_script(&script)), 4));
    let _ = writeln!(f, "  }}");
    let _ = writeln!(f, "}}");
    f
}

/// The Jenkinsfile.
pub fn write(spec: &DeploySpec, pipeline: &Pipeline) -> String {
    let mut f = String::new();
    let _ = writeln!(
        f,
        "// Written by Slipway: lint, test, build and push the image{}.",
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
    let _ = writeln!(
        f,
        "// Needs the Pipeline, Docker Pipeline and Credentials Binding plugins, and an agent with Docker."
    );
    let _ = writeln!(f, "// Credentials by id: {}.", {
        // The registry's, when an image is pushed; then each deploy's secrets.
        let mut ids: Vec<String> = Vec::new();
        if pipeline.jobs.iter().any(|j| j.kind == super::JobKind::Image) {
            ids.push("'registry' (user name and password or token)".into());
        }
        ids.extend(
            pipeline
                .jobs
                .iter()
                .flat_map(|j| j.secrets.iter().cloned())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|s| format!("'{s}' (secret text)")),
        );
        if ids.is_empty() {
            "none".to_string()
        } else {
            ids.join(", ")
        }
    });
    let _ = writeln!(f, "pipeline {{");
    let _ = writeln!(f, "  agent any");
    let _ = writeln!(f, "  options {{");
    let _ = writeln!(
        f,
        "    // Builds of a branch queue instead of overlapping; none is aborted, so a deploy always finishes."
    );
    let _ = writeln!(f, "    disableConcurrentBuilds()");
    let _ = writeln!(f, "    timeout(time: 90, unit: 'MINUTES')");
    let _ = writeln!(f, "    buildDiscarder(logRotator(numToKeepStr: '30'))");
    let _ = writeln!(f, "  }}");
    let _ = writeln!(f, "  stages {{");
    let checks: Vec<&Job> = pipeline
        .jobs
        .iter()
        .filter(|j| matches!(j.kind, JobKind::Lint | JobKind::Test))
        .collect();
    if !checks.is_empty() {
        let _ = writeln!(f, "    stage('Checks') {{");
        let _ = writeln!(f, "      parallel {{");
        for j in &checks {
            let _ = writeln!(f, "{}", indent(check_stage(j, spec, pipeline).trim_end(), 8));
        }
        let _ = writeln!(f, "      }}");
        let _ = writeln!(f, "    }}");
    }
    for j in pipeline.jobs.iter().filter(|j| j.kind == JobKind::Image) {
        let _ = writeln!(f, "{}", indent(image_stage(j, spec, pipeline).trim_end(), 4));
    }
    for j in pipeline.jobs.iter().filter(|j| j.kind == JobKind::Deploy) {
        let _ = writeln!(f, "{}", indent(deploy_stage(j, spec, pipeline).trim_end(), 4));
    }
    let _ = writeln!(f, "  }}");
    let _ = writeln!(f, "}}");
    f
}
