//! The pipeline written for GitHub Actions: `.github/workflows/ci-cd.yml`.
//!
//! Read-only permissions for the workflow and more only per job, with the reason beside each
//! grant; every action pinned by commit hash from the dated table; no `${{ }}` inside a script
//! (values reach scripts through `env:`); checkouts that keep no credentials; a concurrency
//! group that queues runs instead of cancelling them, and one per deploy environment, so a
//! deploy is never cancelled half way and two never race.

use super::{image_ref, slug, versions, Job, JobKind, Pipeline, Toolchain};
use crate::params::{CiSystem, Registry};
use crate::spec::DeploySpec;
use crate::write::yaml::{self, Yaml};

/// The workflow's path.
pub const PATH: &str = ".github/workflows/ci-cd.yml";

fn step(name: &str) -> Yaml {
    Yaml::map().with("name", name)
}

fn checkout() -> Yaml {
    let (pin, tag) = versions::pin("actions/checkout");
    Yaml::map()
        .with("name", "Check out the code")
        .with_comment("uses", pin, tag)
        .with("with", Yaml::map().with("persist-credentials", false))
}

fn with_uses(step: Yaml, name: &str) -> Yaml {
    let (pin, tag) = versions::pin(name);
    step.with_comment("uses", pin, tag)
}

fn lines(items: &[String]) -> String {
    let mut s = items.join("\n");
    if items.len() > 1 {
        s.push('\n');
    }
    s
}

/// The steps that set up a job's toolchain and its dependency cache.
fn setup(tc: &Toolchain, workdir: &str) -> Vec<Yaml> {
    let in_dir = |f: &str| {
        if workdir == "." {
            f.to_string()
        } else {
            format!("{workdir}/{f}")
        }
    };
    let keys = lines(&tc.cache_keys);
    let mut steps = Vec::new();
    match tc.language.as_str() {
        "python" => {
            let mut py = Yaml::map().with("python-version", tc.version.as_str());
            match tc.package_manager.as_str() {
                "pip" | "" => {
                    py = py.with("cache", "pip").with("cache-dependency-path", keys.as_str());
                }
                "poetry" | "pipenv" => {
                    py = py
                        .with("cache", tc.package_manager.as_str())
                        .with("cache-dependency-path", keys.as_str());
                }
                _ => {}
            }
            steps.push(with_uses(step("Set up Python"), "actions/setup-python").with("with", py));
            match tc.package_manager.as_str() {
                "uv" => steps.push(
                    with_uses(step("Set up uv"), "astral-sh/setup-uv").with(
                        "with",
                        Yaml::map()
                            .with("enable-cache", true)
                            .with("cache-dependency-glob", keys.as_str()),
                    ),
                ),
                "poetry" => {
                    steps.push(step("Install Poetry").with("run", format!("pipx install {}", crate::knowledge::POETRY)))
                }
                "pipenv" => {
                    steps.push(step("Install Pipenv").with("run", format!("pipx install {}", crate::knowledge::PIPENV)))
                }
                "pdm" => steps.push(step("Install PDM").with("run", format!("pipx install {}", crate::knowledge::PDM))),
                _ => {}
            }
        }
        "node" => {
            let major = tc.version.split('.').next().unwrap_or(&tc.version).to_string();
            let mut node = Yaml::map().with("node-version", major);
            match tc.package_manager.as_str() {
                "npm" | "yarn" => {
                    node = node
                        .with("cache", tc.package_manager.as_str())
                        .with("cache-dependency-path", keys.as_str());
                }
                _ => node = node.with("package-manager-cache", false),
            }
            steps.push(with_uses(step("Set up Node.js"), "actions/setup-node").with("with", node));
            if tc.package_manager == "pnpm" {
                // Node ships Corepack, which fetches the pnpm the project's packageManager names.
                steps.push(
                    step("Enable pnpm")
                        .with("env", Yaml::map().with("COREPACK_ENABLE_DOWNLOAD_PROMPT", "0"))
                        .with(
                            "run",
                            "corepack enable pnpm\necho \"PNPM_STORE=$(pnpm store path)\" >> \"$GITHUB_ENV\"\n",
                        ),
                );
                steps.push(
                    with_uses(step("Cache the pnpm store"), "actions/cache").with(
                        "with",
                        Yaml::map()
                            .with("path", "${{ env.PNPM_STORE }}")
                            .with(
                                "key",
                                format!(
                                    "pnpm-${{{{ runner.os }}}}-${{{{ hashFiles('{}') }}}}",
                                    tc.cache_keys.join("', '")
                                ),
                            )
                            .with("restore-keys", "pnpm-${{ runner.os }}-"),
                    ),
                );
            }
        }
        "go" => steps.push(
            with_uses(step("Set up Go"), "actions/setup-go").with(
                "with",
                Yaml::map()
                    .with("go-version-file", in_dir("go.mod"))
                    .with("cache-dependency-path", in_dir("go.sum")),
            ),
        ),
        "rust" => {
            steps.push(step("Set up Rust").with(
                "run",
                format!(
                    "rustup toolchain install {} --profile minimal --component clippy,rustfmt\nrustup default {}\n",
                    tc.version, tc.version
                ),
            ));
            steps.push(
                with_uses(step("Cache Cargo"), "Swatinem/rust-cache")
                    .with("with", Yaml::map().with("workspaces", workdir)),
            );
        }
        "java" | "kotlin" => steps.push(
            with_uses(step("Set up Java"), "actions/setup-java").with(
                "with",
                Yaml::map()
                    .with("distribution", "temurin")
                    .with("java-version", tc.version.as_str())
                    .with(
                        "cache",
                        if tc.package_manager == "gradle" {
                            "gradle"
                        } else {
                            "maven"
                        },
                    )
                    .with("cache-dependency-path", keys.as_str()),
            ),
        ),
        "csharp" | "fsharp" => steps.push(
            with_uses(step("Set up .NET"), "actions/setup-dotnet")
                .with("with", Yaml::map().with("dotnet-version", format!("{}.x", tc.version))),
        ),
        "ruby" => steps.push(
            with_uses(step("Set up Ruby"), "ruby/setup-ruby").with(
                "with",
                Yaml::map()
                    .with("ruby-version", tc.version.as_str())
                    .with("bundler-cache", true)
                    .with("working-directory", workdir),
            ),
        ),
        _ => {}
    }
    steps
}

/// True when the job runs inside the toolchain's image (no setup action for the language).
fn in_container(tc: &Toolchain) -> bool {
    !matches!(
        tc.language.as_str(),
        "python" | "node" | "go" | "rust" | "java" | "kotlin" | "ruby" | "csharp" | "fsharp"
    )
}

fn step_name(command: &str) -> String {
    // The tool and what it does, without the runner prefix (`uv run`, `bundle exec`).
    let words: Vec<&str> = command.split_whitespace().collect();
    let skip = match words.as_slice() {
        [a, b, ..]
            if matches!(
                (*a, *b),
                ("uv" | "poetry" | "pipenv" | "pdm", "run") | ("bundle", "exec") | ("npx", "--no-install")
            ) =>
        {
            2
        }
        _ => 0,
    };
    let s = words[skip.min(words.len())..]
        .iter()
        .take(3)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if s.chars().count() > 40 {
        s.chars().take(40).collect::<String>() + "…"
    } else {
        s
    }
}

fn read_only() -> Yaml {
    Yaml::map().with_comment("contents", "read", "to check out the code")
}

fn deploy_branch_if(branch: &str) -> String {
    format!("github.event_name == 'push' && github.ref == 'refs/heads/{branch}'")
}

fn routed_if(job: &Job) -> Option<String> {
    job.service
        .as_ref()
        .map(|s| format!("needs.changes.outputs.{} == 'true'", slug(s)))
}

fn spec_install(job: &Job, spec: &DeploySpec) -> Option<String> {
    job.service_in(spec).and_then(|s| s.ci_install.clone())
}

fn check_job(job: &Job, pipeline: &Pipeline, pipeline_spec: &DeploySpec) -> Yaml {
    let tc = job.toolchain.as_ref();
    let mut j = Yaml::map()
        .with("name", job.name.as_str())
        .with("runs-on", "ubuntu-24.04")
        .with("timeout-minutes", job.timeout_minutes)
        .with("permissions", read_only());
    if !job.needs.is_empty() {
        j = j.with("needs", Yaml::strs(&job.needs));
    }
    if pipeline.routed {
        j = j.with_opt("if", routed_if(job));
    }
    let container = tc.filter(|t| in_container(t));
    if let Some(t) = container {
        j = j.with("container", Yaml::map().with("image", t.image.as_str()));
    }
    if !job.sidecars.is_empty() {
        let mut services = Yaml::map();
        for s in &job.sidecars {
            let mut svc = Yaml::map().with("image", s.image.as_str());
            if !s.env.is_empty() {
                let mut env = Yaml::map();
                for (k, v) in &s.env {
                    env = env.with(k, v.as_str());
                }
                svc = svc.with("env", env);
            }
            if container.is_none() {
                svc = svc.with("ports", Yaml::strs([format!("{}:{}", s.port, s.port)]));
            }
            svc = svc.with(
                "options",
                format!(
                    "--health-cmd \"{}\" --health-interval 2s --health-timeout 5s --health-retries 30",
                    s.health.replace('"', "\\\"")
                ),
            );
            services = services.with(&s.id, svc);
        }
        j = j.with("services", services);
        let mut env = Yaml::map();
        for s in &job.sidecars {
            if let Some((var, url)) = &s.url {
                let host = if container.is_some() {
                    s.id.as_str()
                } else {
                    "localhost"
                };
                env = env.with(var, url.replace("{host}", host));
            }
        }
        if !env.is_empty() {
            j = j.with("env", env);
        }
    }
    if job.workdir != "." {
        j = j.with(
            "defaults",
            Yaml::map().with("run", Yaml::map().with("working-directory", job.workdir.as_str())),
        );
    }
    let mut steps = vec![checkout()];
    if let Some(t) = tc.filter(|t| !in_container(t)) {
        steps.extend(setup(t, &job.workdir));
    }
    let install = spec_install(job, pipeline_spec);
    for c in &job.commands {
        let name = if Some(c) == install.as_ref() {
            "Install dependencies".to_string()
        } else if job.kind == JobKind::Test {
            format!("Test: {}", step_name(c))
        } else {
            format!("Check: {}", step_name(c))
        };
        steps.push(step(&name).with("run", c.as_str()));
    }
    j.with("steps", Yaml::Seq(steps))
}

/// The image job of the CI/CD workflow (`release` false: pushes from the deploy branch, with
/// the layer cache) or of the release workflow (`release` true: a version tag's image, built
/// without any cache, so nothing a branch wrote into a cache reaches a release).
fn image_job(job: &Job, spec: &DeploySpec, pipeline: &Pipeline, release: bool) -> Yaml {
    let svc = job.service_in(spec).expect("an image job names its service");
    let image = image_ref(spec, svc, CiSystem::Github);
    let push = if release {
        "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')".to_string()
    } else {
        deploy_branch_if(&pipeline.branch)
    };
    let push_expr = format!("${{{{ {push} }}}}");
    let mut perms = read_only();
    let mut steps = vec![
        checkout(),
        with_uses(step("Set up Buildx"), "docker/setup-buildx-action"),
    ];
    match spec.registry {
        Registry::Ghcr => {
            perms = perms.with_comment("packages", "write", "to push the image to ghcr.io");
            steps.push(
                with_uses(
                    step("Sign in to ghcr.io").with("if", push.as_str()),
                    "docker/login-action",
                )
                .with(
                    "with",
                    Yaml::map()
                        .with("registry", "ghcr.io")
                        .with("username", "${{ github.actor }}")
                        .with("password", "${{ secrets.GITHUB_TOKEN }}"),
                ),
            );
        }
        Registry::Dockerhub => steps.push(
            with_uses(
                step("Sign in to Docker Hub").with("if", push.as_str()),
                "docker/login-action",
            )
            .with(
                "with",
                Yaml::map()
                    .with("username", "${{ vars.DOCKERHUB_USERNAME }}")
                    .with("password", "${{ secrets.DOCKERHUB_TOKEN }}"),
            ),
        ),
        Registry::Ecr => {
            perms = perms.with_comment("id-token", "write", "to sign in to AWS through OIDC, without keys");
            steps.push(
                with_uses(
                    step("Sign in to AWS").with("if", push.as_str()),
                    "aws-actions/configure-aws-credentials",
                )
                .with(
                    "with",
                    Yaml::map()
                        .with("role-to-assume", "${{ vars.AWS_ROLE_ARN }}")
                        .with("aws-region", "${{ vars.AWS_REGION }}"),
                ),
            );
            steps.push(with_uses(
                step("Sign in to ECR").with("if", push.as_str()),
                "aws-actions/amazon-ecr-login",
            ));
        }
        Registry::Gar => {
            perms = perms.with_comment(
                "id-token",
                "write",
                "to sign in to Google Cloud through OIDC, without keys",
            );
            steps.push(
                with_uses(
                    step("Sign in to Google Cloud")
                        .with("id", "auth")
                        .with("if", push.as_str()),
                    "google-github-actions/auth",
                )
                .with(
                    "with",
                    Yaml::map()
                        .with("workload_identity_provider", "${{ vars.GCP_WIF_PROVIDER }}")
                        .with("service_account", "${{ vars.GCP_PUSH_SERVICE_ACCOUNT }}")
                        .with("token_format", "access_token"),
                ),
            );
            steps.push(
                with_uses(
                    step("Sign in to Artifact Registry").with("if", push.as_str()),
                    "docker/login-action",
                )
                .with(
                    "with",
                    Yaml::map()
                        .with("registry", "${{ vars.GAR_LOCATION }}-docker.pkg.dev")
                        .with("username", "oauth2accesstoken")
                        .with("password", "${{ steps.auth.outputs.access_token }}"),
                ),
            );
        }
        Registry::Acr => {
            perms = perms.with_comment("id-token", "write", "to sign in to Azure through OIDC, without keys");
            steps.push(
                with_uses(step("Sign in to Azure").with("if", push.as_str()), "Azure/login").with(
                    "with",
                    Yaml::map()
                        .with("client-id", "${{ vars.AZURE_CLIENT_ID }}")
                        .with("tenant-id", "${{ vars.AZURE_TENANT_ID }}")
                        .with("subscription-id", "${{ vars.AZURE_SUBSCRIPTION_ID }}"),
                ),
            );
            steps.push(
                step("Sign in to the registry")
                    .with("if", push.as_str())
                    .with("env", Yaml::map().with("ACR_NAME", "${{ vars.ACR_NAME }}"))
                    .with("run", "az acr login --name \"$ACR_NAME\""),
            );
        }
        Registry::Gitlab => {}
    }
    let scope = slug(&svc.name);
    // Registries want lower-case names, and repository owners often are not.
    steps.push(
        step("Name the image in lower case")
            .with("id", "name")
            .with("env", Yaml::map().with("IMAGE", image.as_str()))
            .with("run", "echo \"image=${IMAGE,,}\" >> \"$GITHUB_OUTPUT\""),
    );
    steps.push(
        with_uses(step("Tag the image").with("id", "meta"), "docker/metadata-action").with(
            "with",
            Yaml::map().with("images", "${{ steps.name.outputs.image }}").with(
                "tags",
                if release {
                    "type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=sha,format=long\n"
                } else if spec.registry == Registry::Ecr {
                    // ECR repositories keep tags immutable: a branch tag would refuse its second push.
                    "type=sha,format=long\n"
                } else {
                    "type=sha,format=long\ntype=ref,event=branch\ntype=ref,event=pr\n"
                },
            ),
        ),
    );
    let mut build = Yaml::map()
        .with("context", svc.context.as_str())
        .with("file", svc.dockerfile.as_str())
        .with("push", push_expr.as_str())
        .with("tags", "${{ steps.meta.outputs.tags }}")
        .with("labels", "${{ steps.meta.outputs.labels }}");
    if !release {
        build = build
            .with("cache-from", format!("type=gha,scope={scope}"))
            .with("cache-to", format!("type=gha,mode=max,scope={scope}"));
    }
    steps.push(with_uses(step("Build and push").with("id", "build"), "docker/build-push-action").with("with", build));
    let mut j = Yaml::map()
        .with("name", job.name.as_str())
        .with("runs-on", "ubuntu-24.04")
        .with("timeout-minutes", job.timeout_minutes)
        .with("permissions", perms);
    if release {
        return j.with("steps", Yaml::Seq(steps));
    }
    if !job.needs.is_empty() {
        j = j.with("needs", Yaml::strs(&job.needs));
    }
    if pipeline.routed {
        j = j.with_opt("if", routed_if(job));
    }
    j.with(
        "outputs",
        Yaml::map()
            .with("image", "${{ steps.name.outputs.image }}")
            .with("digest", "${{ steps.build.outputs.digest }}"),
    )
    .with("steps", Yaml::Seq(steps))
}

fn deploy_job(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> Yaml {
    let svc = job.service_in(spec).expect("a deploy job names its service");
    let env_name = job.environment.clone().unwrap_or_else(|| "production".into());
    let url_var = job.vars.iter().find(|v| v.ends_with("_URL")).cloned();
    let mut environment = Yaml::map().with("name", env_name.as_str());
    if let Some(v) = &url_var {
        environment = environment.with("url", format!("${{{{ vars.{v} }}}}"));
    }
    let mut cond = deploy_branch_if(&pipeline.branch);
    if pipeline.routed {
        if let Some(r) = routed_if(job) {
            cond = format!("{cond} && {r}");
        }
    }
    let image_job = job.needs.iter().find(|n| n.starts_with("image-")).cloned();
    let mut env = Yaml::map();
    if let Some(ij) = image_job
        .as_ref()
        .filter(|_| super::carries_image(job.target.expect("a deploy job has a target")))
    {
        env = env.with(
            "IMAGE",
            format!("${{{{ needs.{ij}.outputs.image }}}}@${{{{ needs.{ij}.outputs.digest }}}}"),
        );
    }
    for s in &job.secrets {
        env = env.with(s, format!("${{{{ secrets.{s} }}}}"));
    }
    for v in job.vars.iter().filter(|v| !v.ends_with("_URL")) {
        env = env.with(v, format!("${{{{ vars.{v} }}}}"));
    }
    let mut steps = vec![checkout()];
    if super::serves_files(job.target.expect("a deploy job has a target")) {
        if let Some(tc) = super::toolchain(svc, None) {
            steps.extend(setup(&tc, &job.workdir));
        }
    }
    let pulls = super::deploys_image(job.target.expect("a deploy job has a target"));
    let mut perms = read_only();
    // The cloud's cluster: the job signs in with the deploy identity, whose OIDC subject is the
    // environment's, and writes the kubeconfig from those short-lived credentials.
    if let (Some(provider), Some(crate::params::Target::Kubernetes)) = (super::cloud_cluster(spec), job.target) {
        let (cloud_name, sign_in) = match provider {
            "gcp" => (
                "Google Cloud",
                with_uses(
                    step("Sign in to Google Cloud").with("id", "auth"),
                    "google-github-actions/auth",
                )
                .with(
                    "with",
                    Yaml::map()
                        .with("workload_identity_provider", "${{ vars.GCP_WIF_PROVIDER }}")
                        .with("service_account", "${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}")
                        .with("token_format", "access_token"),
                ),
            ),
            "azure" => (
                "Azure",
                with_uses(step("Sign in to Azure"), "Azure/login").with(
                    "with",
                    Yaml::map()
                        .with("client-id", "${{ vars.AZURE_DEPLOY_CLIENT_ID }}")
                        .with("tenant-id", "${{ vars.AZURE_TENANT_ID }}")
                        .with("subscription-id", "${{ vars.AZURE_SUBSCRIPTION_ID }}"),
                ),
            ),
            _ => (
                "AWS",
                with_uses(step("Sign in to AWS"), "aws-actions/configure-aws-credentials").with(
                    "with",
                    Yaml::map()
                        .with("role-to-assume", "${{ vars.AWS_DEPLOY_ROLE_ARN }}")
                        .with("aws-region", "${{ vars.AWS_REGION }}"),
                ),
            ),
        };
        perms = perms.with_comment(
            "id-token",
            "write",
            format!("to sign in to {cloud_name} through OIDC, without keys"),
        );
        if provider == "gcp" {
            env = env.with("GKE_TOKEN", "${{ steps.auth.outputs.access_token }}");
        }
        steps.push(sign_in);
    }
    let script = {
        let mut s = String::from("set -eu\n");
        if pulls && spec.registry == Registry::Ghcr {
            perms = perms.with_comment("packages", "read", "to pull the tested image from ghcr.io");
            env = env
                .with("GHCR_TOKEN", "${{ secrets.GITHUB_TOKEN }}")
                .with("GHCR_USER", "${{ github.actor }}");
            s.push_str("echo \"$GHCR_TOKEN\" | docker login ghcr.io --username \"$GHCR_USER\" --password-stdin\n");
        }
        for c in &job.commands {
            s.push_str(c);
            s.push('\n');
        }
        s
    };
    steps.push(
        step(&format!(
            "Deploy to {}",
            job.target.map(|t| t.label()).unwrap_or("the target")
        ))
        .with("env", env.clone())
        .with("run", script),
    );
    if let (Some(v), Some(path)) = (&url_var, &svc.health_path) {
        let target = job.target.expect("a deploy job has a target");
        // The rollback, where there is one, reads the same secrets as the deploy.
        let mut verify_env = Yaml::map().with("APP_URL", format!("${{{{ vars.{v} }}}}"));
        if super::cli_rollback(target).is_some() {
            if let Yaml::Map(entries) = &env {
                for e in entries
                    .iter()
                    .filter(|e| e.key != "IMAGE" && !e.key.starts_with("GHCR_"))
                {
                    verify_env = verify_env.entry(e.clone());
                }
            }
        }
        steps.push(
            step("Check that the deployed app answers")
                .with("env", verify_env)
                .with("run", super::verify_script(target, "APP_URL", path)),
        );
    }
    let mut j = Yaml::map()
        .with("name", job.name.as_str())
        .with("runs-on", "ubuntu-24.04")
        .with("timeout-minutes", job.timeout_minutes)
        .with_opt("needs", (!job.needs.is_empty()).then(|| Yaml::strs(&job.needs)))
        .with("if", cond)
        .with("environment", environment)
        .with(
            "concurrency",
            Yaml::map()
                .with(
                    "group",
                    format!("deploy-{}-{}", slug(&env_name), super::deploy_lock(spec, job)),
                )
                .with("cancel-in-progress", false),
        )
        .with("permissions", perms);
    if job.workdir != "." {
        j = j.with(
            "defaults",
            Yaml::map().with("run", Yaml::map().with("working-directory", job.workdir.as_str())),
        );
    }
    j.with("steps", Yaml::Seq(steps))
}

/// A Terraform job: the plan on pull requests (the plan role or service account, no
/// environment, the images as repositories) or the apply in an environment (the deploy one,
/// the tested images by digest). Credentials come through OIDC; the role or service account
/// admits exactly the subject this job presents, which is the environment's when the job has
/// one.
fn infra_job(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> Yaml {
    use crate::cloud::aws;
    if job.target == Some(crate::params::Target::Vm) {
        return server_job(job, spec, pipeline);
    }
    let gcp = job.target == Some(crate::params::Target::CloudRun);
    let azure = job.target == Some(crate::params::Target::AzureContainerApps);
    let (short, dir) = if azure {
        ("azure", crate::cloud::azure::DIR)
    } else if gcp {
        ("gcp", crate::cloud::gcp::DIR)
    } else {
        ("aws", crate::cloud::aws::DIR)
    };
    let planning = job.environment.is_none();
    let cfn = !gcp && !azure && spec.cloud.as_ref().is_some_and(|c| c.iac == "cloudformation");
    let mut env = Yaml::map();
    if cfn && !planning {
        env = env.with("AWS_CLOUDFORMATION_ROLE_ARN", "${{ vars.AWS_CLOUDFORMATION_ROLE_ARN }}");
    }
    if gcp {
        env = env.with("GCP_PROJECT", "${{ vars.GCP_PROJECT }}");
    }
    let identity = job
        .vars
        .iter()
        .find(|v| v.ends_with("_ROLE_ARN") || v.ends_with("_SERVICE_ACCOUNT") || v.ends_with("_CLIENT_ID"))
        .cloned()
        .unwrap_or_default();
    if azure {
        // The azurerm provider and backend exchange GitHub's OIDC token themselves.
        env = env
            .with("ARM_USE_OIDC", "true")
            .with("ARM_CLIENT_ID", format!("${{{{ vars.{identity} }}}}"))
            .with("ARM_TENANT_ID", "${{ vars.AZURE_TENANT_ID }}")
            .with("ARM_SUBSCRIPTION_ID", "${{ vars.AZURE_SUBSCRIPTION_ID }}");
    }
    // A CloudFormation change set keeps each image parameter's running value: the plan reads none.
    for (_, svc) in crate::cloud::imaged(spec).into_iter().filter(|_| !(cfn && planning)) {
        let value = if planning {
            image_ref(spec, svc, CiSystem::Github)
        } else {
            let ij = format!("image-{}", slug(&svc.name));
            format!("${{{{ needs.{ij}.outputs.image }}}}@${{{{ needs.{ij}.outputs.digest }}}}")
        };
        env = env.with(&aws::image_var(svc), value);
    }
    let sign_in = if azure {
        with_uses(step("Sign in to Azure"), "Azure/login").with(
            "with",
            Yaml::map()
                .with("client-id", format!("${{{{ vars.{identity} }}}}"))
                .with("tenant-id", "${{ vars.AZURE_TENANT_ID }}")
                .with("subscription-id", "${{ vars.AZURE_SUBSCRIPTION_ID }}"),
        )
    } else if gcp {
        with_uses(step("Sign in to Google Cloud"), "google-github-actions/auth").with(
            "with",
            Yaml::map()
                .with("workload_identity_provider", "${{ vars.GCP_WIF_PROVIDER }}")
                .with("service_account", format!("${{{{ vars.{identity} }}}}")),
        )
    } else {
        with_uses(step("Sign in to AWS"), "aws-actions/configure-aws-credentials").with(
            "with",
            Yaml::map()
                .with("role-to-assume", format!("${{{{ vars.{identity} }}}}"))
                .with("aws-region", "${{ vars.AWS_REGION }}"),
        )
    };
    let mut site_setup: Vec<Yaml> = Vec::new();
    if !planning && !gcp {
        // The deploy builds the sites it uploads, with their own toolchains and the variables
        // they read at build time (never secrets: they end up in the public files).
        for svc in crate::cloud::site::built(spec) {
            if let Some(tc) = super::toolchain(svc, None) {
                site_setup.extend(setup(&tc, &svc.path));
            }
            for e in svc.env.iter().filter(|e| !e.secret) {
                env = env.with(&e.name, format!("${{{{ vars.{} }}}}", e.name));
            }
        }
    }
    let has_env = env != Yaml::map();
    let pulumi = spec.cloud.as_ref().is_some_and(|c| c.iac == "pulumi");
    let mut steps = vec![checkout()];
    if pulumi && azure {
        // The program runs on Python, in a version Pulumi's Python SDK supports.
        steps.push(
            with_uses(step("Set up Python"), "actions/setup-python")
                .with("with", Yaml::map().with("python-version", "3.12")),
        );
    } else if pulumi {
        // The program runs on Node.js, in the version @pulumi/pulumi supports.
        steps.push(
            with_uses(step("Set up Node.js"), "actions/setup-node")
                .with("with", Yaml::map().with("node-version", "22")),
        );
    }
    steps.extend(site_setup);
    steps.extend([
        sign_in,
        step(&if planning {
            format!("Plan {dir}")
        } else if spec.cloud.as_ref().is_some_and(|c| c.cluster.is_some()) {
            format!("Apply {dir}")
        } else if crate::cloud::site::in_buckets(spec) && !gcp {
            format!("Apply {dir} and upload the sites")
        } else if crate::cloud::site::any_in_bucket(spec) && !gcp && !azure {
            format!("Apply {dir}, wait for the services and upload the sites")
        } else {
            format!("Apply {dir} and wait for the services")
        })
        .with_opt("env", has_env.then_some(env))
        .with("run", format!("set -eu\n{}\n", job.commands.join("\n"))),
    ]);
    let perms = read_only().with_comment(
        "id-token",
        "write",
        if azure {
            "to sign in to Azure through OIDC, without secrets"
        } else if gcp {
            "to sign in to Google Cloud through OIDC, without keys"
        } else {
            "to sign in to AWS through OIDC, without keys"
        },
    );
    let mut j = Yaml::map()
        .with("name", job.name.as_str())
        .with("runs-on", "ubuntu-24.04")
        .with("timeout-minutes", job.timeout_minutes)
        .with_opt("needs", (!job.needs.is_empty()).then(|| Yaml::strs(&job.needs)));
    if planning {
        j = j.with("if", "github.event_name == 'pull_request'");
    } else {
        let env_name = job.environment.clone().unwrap_or_default();
        // Skipped image jobs (a service whose files did not change) do not stop the apply: the
        // stack keeps that service's running digest.
        let cond = if pipeline.routed {
            format!(
                "${{{{ !failure() && !cancelled() && {} }}}}",
                deploy_branch_if(&pipeline.branch)
            )
        } else {
            deploy_branch_if(&pipeline.branch)
        };
        j = j
            .with("if", cond)
            .with("environment", Yaml::map().with("name", env_name.as_str()))
            .with(
                "concurrency",
                // One apply at a time per state; the lock would refuse a second anyway.
                Yaml::map()
                    .with(
                        "group",
                        format!(
                            "{}-{short}-{}",
                            if pulumi {
                                "pulumi"
                            } else if cfn {
                                "cloudformation"
                            } else {
                                "terraform"
                            },
                            slug(&env_name)
                        ),
                    )
                    .with("cancel-in-progress", false),
            );
    }
    j.with("permissions", perms).with("steps", Yaml::Seq(steps))
}

/// The deploy to a server: the playbook run over SSH with the deploy key, the tested images by
/// digest and the app's secrets from GitHub's store; one run at a time, never cancelled.
fn server_job(job: &Job, spec: &DeploySpec, pipeline: &Pipeline) -> Yaml {
    let mut env = Yaml::map();
    for (var, svc) in crate::vm::image_vars(spec) {
        let ij = format!("image-{}", slug(&svc.name));
        env = env.with(
            &var,
            format!("${{{{ needs.{ij}.outputs.image }}}}@${{{{ needs.{ij}.outputs.digest }}}}"),
        );
    }
    for s in &job.secrets {
        env = env.with(s, format!("${{{{ secrets.{s} }}}}"));
    }
    for v in &job.vars {
        env = env.with(v, format!("${{{{ vars.{v} }}}}"));
    }
    // The server pulls private images with the job's own token, which expires with the job.
    let ghcr = spec.registry == Registry::Ghcr;
    if ghcr {
        env = env
            .with("REGISTRY_USERNAME", "${{ github.actor }}")
            .with("REGISTRY_TOKEN", "${{ secrets.GITHUB_TOKEN }}");
    }
    let env_name = job.environment.clone().unwrap_or_default();
    let cond = if pipeline.routed {
        format!(
            "${{{{ !failure() && !cancelled() && {} }}}}",
            deploy_branch_if(&pipeline.branch)
        )
    } else {
        deploy_branch_if(&pipeline.branch)
    };
    Yaml::map()
        .with("name", job.name.as_str())
        .with("runs-on", "ubuntu-24.04")
        .with("timeout-minutes", job.timeout_minutes)
        .with_opt("needs", (!job.needs.is_empty()).then(|| Yaml::strs(&job.needs)))
        .with("if", cond)
        .with("environment", Yaml::map().with("name", env_name.as_str()))
        .with(
            "concurrency",
            Yaml::map()
                .with("group", format!("server-{}", slug(&env_name)))
                .with("cancel-in-progress", false),
        )
        .with(
            "permissions",
            if ghcr {
                read_only().with_comment(
                    "packages",
                    "read",
                    "so the server can pull the images with the job's token",
                )
            } else {
                read_only()
            },
        )
        .with(
            "steps",
            Yaml::Seq(vec![
                checkout(),
                step("Run the playbook on the server")
                    .with("env", env)
                    .with("run", format!("set -eu\n{}\n", job.commands.join("\n"))),
            ]),
        )
}

fn changes_job(spec: &DeploySpec) -> Yaml {
    let mut filters = String::new();
    let mut outputs = Yaml::map();
    for s in &spec.services {
        let id = slug(&s.name);
        filters.push_str(&format!("{id}:\n"));
        for glob in super::change_globs(s, "**", PATH) {
            filters.push_str(&format!("  - '{glob}'\n"));
        }
        outputs = outputs.with(&id, format!("${{{{ steps.filter.outputs.{id} }}}}"));
    }
    Yaml::map()
        .with("name", "Find the services this change touches")
        .with("runs-on", "ubuntu-24.04")
        .with("timeout-minutes", 5)
        .with(
            "permissions",
            read_only().with_comment("pull-requests", "read", "to list a pull request's changed files"),
        )
        .with("outputs", outputs)
        .with(
            "steps",
            Yaml::Seq(vec![
                checkout(),
                with_uses(step("Compare the paths").with("id", "filter"), "dorny/paths-filter")
                    .with("with", Yaml::map().with("filters", filters)),
            ]),
        )
}

fn gate_job(job: &Job) -> Yaml {
    Yaml::map()
        .with_note(
            "name",
            job.name.as_str(),
            "The one check to require in branch protection: it passes when every job that ran passed.",
        )
        .with("runs-on", "ubuntu-24.04")
        .with("timeout-minutes", job.timeout_minutes)
        .with("needs", Yaml::strs(&job.needs))
        .with("if", "always()")
        .with("permissions", Yaml::map())
        .with(
            "steps",
            Yaml::Seq(vec![step("Fail when a job failed or was cancelled")
                .with("env", Yaml::map().with("RESULTS", "${{ join(needs.*.result, ' ') }}"))
                .with(
                    "run",
                    "echo \"results: $RESULTS\"\ncase \" $RESULTS \" in\n  *\" failure \"*|*\" cancelled \"*) exit 1 ;;\nesac\n",
                )]),
        )
}

/// The workflow as YAML text.
pub fn write(spec: &DeploySpec, pipeline: &Pipeline) -> String {
    let branch = pipeline.branch.as_str();
    let mut jobs = Yaml::map();
    for job in &pipeline.jobs {
        let j = match job.kind {
            JobKind::Changes => changes_job(spec),
            JobKind::Lint | JobKind::Test => check_job(job, pipeline, spec),
            JobKind::Image => image_job(job, spec, pipeline, false),
            JobKind::Deploy => deploy_job(job, spec, pipeline),
            JobKind::Gate => gate_job(job),
            JobKind::Infra => infra_job(job, spec, pipeline),
        };
        jobs = jobs.with(&job.id, j);
    }
    let doc = Yaml::map()
        .with("name", "CI/CD")
        .with(
            "on",
            Yaml::map()
                .with("push", Yaml::map().with("branches", Yaml::strs([branch])))
                .with("pull_request", Yaml::map().with("branches", Yaml::strs([branch]))),
        )
        .with_note(
            "permissions",
            Yaml::map(),
            "Nothing by default; each job asks for what it needs, with the reason beside it.",
        )
        .with_note(
            "concurrency",
            Yaml::map()
                .with("group", "${{ github.workflow }}-${{ github.ref }}")
                .with("cancel-in-progress", false),
            "Runs of one branch queue instead of overlapping; a superseded queued run is dropped before it starts.",
        )
        .with("jobs", jobs);
    let header = format!(
        "Written by Slipway: lint, test, build and push the image{}.\nActions are pinned by commit hash (the version is in the comment); .github/dependabot.yml keeps them fresh.",
        if spec.targets.is_empty() {
            String::new()
        } else {
            format!(
                ", and deploy to {} from {branch} only",
                spec.targets.iter().map(|t| t.label()).collect::<Vec<_>>().join(" and ")
            )
        }
    );
    yaml::to_string(&doc, &header)
}

/// `.github/dependabot.yml`: weekly updates of the pinned actions, the Dockerfile's base images
/// and the project's own package ecosystems, each after a week's cooldown.
pub fn dependabot(spec: &DeploySpec) -> String {
    let mut updates = Vec::new();
    let entry = |eco: &str, dir: &str| {
        Yaml::map()
            .with("package-ecosystem", eco)
            .with("directory", dir)
            .with("schedule", Yaml::map().with("interval", "weekly"))
            .with("cooldown", Yaml::map().with("default-days", 7))
    };
    updates.push(entry("github-actions", "/"));
    for s in &spec.services {
        let dir = if s.path == "." {
            "/".to_string()
        } else {
            format!("/{}", s.path)
        };
        updates.push(entry("docker", &dir));
        let eco = match (s.language.as_deref(), s.package_manager.as_deref()) {
            (Some("python"), Some("uv")) => Some("uv"),
            (Some("python"), _) => Some("pip"),
            (Some("node"), _) => Some("npm"),
            (Some("bun"), _) => Some("bun"),
            (Some("go"), _) => Some("gomod"),
            (Some("rust"), _) => Some("cargo"),
            (Some("java" | "kotlin"), Some("gradle")) => Some("gradle"),
            (Some("java" | "kotlin"), _) => Some("maven"),
            (Some("ruby"), _) => Some("bundler"),
            (Some("php"), _) => Some("composer"),
            (Some("elixir"), _) => Some("mix"),
            (Some("csharp" | "fsharp"), _) => Some("nuget"),
            _ => None,
        };
        if let Some(eco) = eco {
            // Workspace members share their root's manifest.
            let dir = match (&s.language.as_deref(), s.path.as_str()) {
                (_, _) if spec.services.iter().any(|o| o.context != o.path && o.name == s.name) => {
                    if s.context == "." {
                        "/".to_string()
                    } else {
                        format!("/{}", s.context)
                    }
                }
                _ => dir,
            };
            let e = entry(eco, &dir);
            if !updates.contains(&e) {
                updates.push(e);
            }
        }
    }
    let doc = Yaml::map().with("version", 2u16).with("updates", Yaml::Seq(updates));
    yaml::to_string(
        &doc,
        "Written by Slipway: keeps the pinned actions, base images and dependencies current.",
    )
}

/// The release workflow: a version tag (v1.2.3) builds each service's image and pushes it
/// tagged 1.2.3 and 1.2 besides the commit. It deploys nothing (deploys run from the deploy
/// branch) and uses no cache, so a release never carries what a branch wrote into one.
pub fn release(spec: &DeploySpec, pipeline: &Pipeline) -> Option<String> {
    let mut jobs = Yaml::map();
    for job in pipeline.jobs.iter().filter(|j| j.kind == JobKind::Image) {
        jobs = jobs.with(&job.id, image_job(job, spec, pipeline, true));
    }
    if jobs.is_empty() {
        return None;
    }
    let doc = Yaml::map()
        .with("name", "Release")
        .with(
            "on",
            Yaml::map().with("push", Yaml::map().with("tags", Yaml::strs(["v*"]))),
        )
        .with_note(
            "permissions",
            Yaml::map(),
            "Nothing by default; each job asks for what it needs, with the reason beside it.",
        )
        .with(
            "concurrency",
            Yaml::map()
                .with("group", "${{ github.workflow }}-${{ github.ref }}")
                .with("cancel-in-progress", false),
        )
        .with("jobs", jobs);
    Some(yaml::to_string(
        &doc,
        "Written by Slipway: a version tag (v1.2.3) pushes the images tagged 1.2.3 and 1.2, built without caches.",
    ))
}

/// The rollback workflows: dispatched by hand, one per service deployed to a platform whose CLI
/// returns to the previous release by itself (Heroku, Vercel), in the same concurrency group
/// as that service's deploys so a rollback never races one. Other platforms roll back from
/// their dashboard or by deploying an earlier digest; the runbook says how.
pub fn rollbacks(spec: &DeploySpec, pipeline: &Pipeline) -> Vec<(String, String)> {
    let production = spec.production().to_string();
    let mut out = Vec::new();
    for svc in &spec.services {
        let mut jobs = Yaml::map();
        for job in pipeline
            .jobs
            .iter()
            .filter(|j| j.kind == JobKind::Deploy && j.service.as_deref() == Some(svc.name.as_str()))
            .filter(|j| j.environment.as_deref() == Some(production.as_str()))
        {
            let target = job.target.expect("a deploy job has a target");
            let Some((command, secret, var)) = super::cli_rollback(target) else {
                continue;
            };
            let mut env = Yaml::map().with(secret, format!("${{{{ secrets.{secret} }}}}"));
            if let Some(v) = var {
                env = env.with(v, format!("${{{{ vars.{v} }}}}"));
            }
            if target == crate::params::Target::Vercel {
                env = env
                    .with("VERCEL_ORG_ID", "${{ vars.VERCEL_ORG_ID }}")
                    .with("VERCEL_PROJECT_ID", "${{ vars.VERCEL_PROJECT_ID }}");
            }
            jobs = jobs.with(
                &format!("rollback-{}-{}", slug(&svc.name), target.id()),
                Yaml::map()
                    .with(
                        "name",
                        format!("Roll {} on {} back to the previous release", svc.name, target.label()),
                    )
                    .with("runs-on", "ubuntu-24.04")
                    .with("timeout-minutes", 10)
                    .with("environment", Yaml::map().with("name", production.as_str()))
                    .with(
                        "concurrency",
                        Yaml::map()
                            .with("group", format!("deploy-{}-{}", slug(&production), slug(&svc.name)))
                            .with("cancel-in-progress", false),
                    )
                    .with("permissions", Yaml::map())
                    .with(
                        "steps",
                        Yaml::Seq(vec![step(&format!("Roll back on {}", target.label()))
                            .with("env", env)
                            .with("run", command)]),
                    ),
            );
        }
        if jobs.is_empty() {
            continue;
        }
        let path = if spec.is_monorepo() {
            format!(".github/workflows/rollback-{}.yml", slug(&svc.name))
        } else {
            ".github/workflows/rollback.yml".to_string()
        };
        let doc = Yaml::map()
            .with("name", format!("Roll back {}", svc.name))
            .with("on", Yaml::map().with("workflow_dispatch", Yaml::map()))
            .with("permissions", Yaml::map())
            .with("jobs", jobs);
        out.push((
            path,
            yaml::to_string(
                &doc,
                &format!(
                    "Written by Slipway: run it by hand (Actions, Roll back {}, Run workflow) to return {production} to the previous release.",
                    svc.name
                ),
            ),
        ));
    }
    out
}
