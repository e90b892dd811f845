//! CI/CD pipelines from one model.
//!
//! [`plan`] turns the [`DeploySpec`] into a [`Pipeline`]: per service a lint job, a test job
//! with its backing services as health-checked containers, an image job, and per target a
//! deploy job gated on the deploy branch, serialised, in its environment, followed by a check
//! that the deployed app answers on its health path. The writers ([`github`], [`gitlab`])
//! render that one value for their CI system, and say in the pipeline's notes what their
//! system lacks, so switching CI is a regeneration, not a rewrite.

pub mod checks;
pub mod circleci;
pub mod extend;
pub mod github;
pub mod gitlab;
pub mod improve;
pub mod jenkins;
pub mod parity;
pub mod platform;
pub mod versions;

use serde::{Deserialize, Serialize};

use crate::knowledge;
use crate::params::{CiSystem, Registry, Strategy, Target};
use crate::spec::{DeploySpec, ServiceSpec};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum JobKind {
    /// Work out which services a change touches (monorepos).
    Changes,
    /// Linters and format checks.
    Lint,
    /// The test suite.
    Test,
    /// Build the image and push it.
    Image,
    /// Deploy to a target.
    Deploy,
    /// The one check a branch protection rule can require.
    Gate,
    /// Infrastructure as code: a plan on pull requests (no environment), or an apply that
    /// deploys the tested images to an environment.
    Infra,
}

/// A container a test job talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Sidecar {
    /// `postgres`, `redis`, ...
    pub id: String,
    /// The image, pinned by tag.
    pub image: String,
    /// Its environment (test-only credentials).
    pub env: Vec<(String, String)>,
    /// The port it listens on.
    pub port: u16,
    /// The command that says it is ready.
    pub health: String,
    /// The variable the app reads to reach it, and its value with `{host}` for the host.
    pub url: Option<(String, String)>,
}

/// The language toolchain a job sets up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Toolchain {
    /// Language id.
    pub language: String,
    /// Version, from the same place the Dockerfile takes it.
    pub version: String,
    /// Package manager id.
    pub package_manager: String,
    /// The image the job runs in on CI systems that run jobs in containers.
    pub image: String,
    /// Dependency files that key the cache, relative to the root.
    pub cache_keys: Vec<String>,
}

/// One job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// Id, unique in the pipeline (`lint-api`, `deploy-api-railway`).
    pub id: String,
    /// Name shown in the CI system.
    pub name: String,
    /// What it does.
    pub kind: JobKind,
    /// The service, by name; none for pipeline-wide jobs.
    pub service: Option<String>,
    /// Jobs that must pass first.
    pub needs: Vec<String>,
    /// The toolchain, for lint and test jobs.
    pub toolchain: Option<Toolchain>,
    /// Containers it talks to.
    pub sidecars: Vec<Sidecar>,
    /// Shell commands, run in `workdir`, in order.
    pub commands: Vec<String>,
    /// The folder the commands run in, relative to the root.
    pub workdir: String,
    /// The deploy target, for deploy jobs.
    pub target: Option<Target>,
    /// The environment a deploy job runs in.
    pub environment: Option<String>,
    /// True when a person approves the job before it runs.
    pub manual: bool,
    /// Minutes before the CI system stops it.
    pub timeout_minutes: u32,
    /// Secrets the job reads from the CI system's store, by name.
    pub secrets: Vec<String>,
    /// Non-secret settings the job reads from the CI system's variables, by name.
    pub vars: Vec<String>,
}

/// The pipeline, before it is written for one CI system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    /// The branch deploys run from.
    pub branch: String,
    /// The jobs, in the order they run.
    pub jobs: Vec<Job>,
    /// True when a changes job routes each service's jobs by its paths.
    pub routed: bool,
    /// What the chosen CI system or target cannot do that the spec asks, in words.
    pub notes: Vec<String>,
    /// How the chosen CI system does each part, and where it does less than the others.
    pub parity: Vec<parity::Parity>,
}

impl Job {
    /// A job with nothing set beyond what every job has; the rest comes by struct update.
    fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        kind: JobKind,
        needs: Vec<String>,
        timeout_minutes: u32,
    ) -> Job {
        Job {
            id: id.into(),
            name: name.into(),
            kind,
            service: None,
            needs,
            toolchain: None,
            sidecars: vec![],
            commands: vec![],
            workdir: ".".into(),
            target: None,
            environment: None,
            manual: false,
            timeout_minutes,
            secrets: vec![],
            vars: vec![],
        }
    }
}

impl Job {
    /// The service this job works on, in `spec`.
    pub fn service_in<'a>(&self, spec: &'a DeploySpec) -> Option<&'a ServiceSpec> {
        spec.services.iter().find(|s| Some(&s.name) == self.service.as_ref())
    }
}

impl Pipeline {
    /// The job with `id`.
    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }
}

/// A secret or variable the person must create, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    /// The name.
    pub name: String,
    /// True for a secret (never written anywhere by Slipway).
    pub secret: bool,
    /// Where to create it: "GitHub Actions secrets", "Railway service variables", ...
    pub place: String,
    /// Why it is needed.
    pub why: String,
}

/// What one deploy at a time is counted over in an environment: the service, or the Helm
/// release it shares with the others in an umbrella chart (two upgrades of one release at once
/// fail).
pub fn deploy_lock(spec: &DeploySpec, job: &Job) -> String {
    let service = job.service.as_deref().unwrap_or("app");
    if job.target == Some(Target::Kubernetes) && spec.kube.gitops == crate::params::GitOps::None {
        if let Some(u) = crate::kube::helm::umbrella(spec) {
            return slug(&u);
        }
    }
    slug(service)
}

/// What [`deploy_lock`] counts over, in words: "this service", or the shared release.
pub fn deploy_lock_words(spec: &DeploySpec, job: &Job) -> String {
    match job.service.as_deref() {
        Some(s) if deploy_lock(spec, job) != slug(s) => {
            format!("the {} release (every service)", deploy_lock(spec, job))
        }
        _ => "this service".into(),
    }
}

/// The identifier a service's jobs carry: its name, lower case, with `-` for anything else.
pub fn slug(name: &str) -> String {
    let s: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "app".into()
    } else {
        s
    }
}

/// The test-only sidecar for a backing service, with the URL the app reads.
pub fn sidecar(id: &str) -> Option<Sidecar> {
    let image = knowledge::service_image(id)?;
    type Pair = (&'static str, &'static str);
    let (env, health, url): (Vec<Pair>, String, Option<Pair>) = match id {
        "postgres" => (
            vec![
                ("POSTGRES_USER", "app"),
                ("POSTGRES_PASSWORD", "app"),
                ("POSTGRES_DB", "app_test"),
            ],
            "pg_isready -U app -d app_test".into(),
            Some(("DATABASE_URL", "postgresql://app:app@{host}:5432/app_test")),
        ),
        "mysql" => (
            vec![
                ("MYSQL_DATABASE", "app_test"),
                ("MYSQL_USER", "app"),
                ("MYSQL_PASSWORD", "app"),
                ("MYSQL_ROOT_PASSWORD", "root"),
            ],
            "mysqladmin ping -h 127.0.0.1 --silent".into(),
            Some(("DATABASE_URL", "mysql://app:app@{host}:3306/app_test")),
        ),
        "redis" => (
            vec![],
            "redis-cli ping".into(),
            Some(("REDIS_URL", "redis://{host}:6379")),
        ),
        "mongodb" => (
            vec![],
            "mongosh --quiet --eval 'db.adminCommand(\"ping\").ok'".into(),
            Some(("MONGODB_URI", "mongodb://{host}:27017/app_test")),
        ),
        _ => return None,
    };
    Some(Sidecar {
        id: id.into(),
        image: image.image.into(),
        env: env.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
        port: image.port,
        health,
        url: url.map(|(k, v)| (k.into(), v.into())),
    })
}

/// The toolchain of a service: language, version and the image the Dockerfile builds on.
pub fn toolchain(spec: &ServiceSpec, build_image: Option<&str>) -> Option<Toolchain> {
    let language = spec.language.clone()?;
    let pm = spec.package_manager.clone().unwrap_or_default();
    let version_of = |image: &str| {
        image
            .split(':')
            .nth(1)
            .map(|tag| tag.split('-').next().unwrap_or(tag).to_string())
    };
    let default_version = match language.as_str() {
        "python" => "3.13",
        "node" => "24",
        "go" => "1.25",
        "rust" => "1.91",
        "java" | "kotlin" => "21",
        "ruby" => "3.4",
        "php" => "8.4",
        "elixir" => "1.18",
        "csharp" | "fsharp" => "8.0",
        "deno" => knowledge::DENO_VERSION,
        "bun" => "1",
        _ => return None,
    };
    let version = spec
        .runtime_version
        .clone()
        .or_else(|| build_image.and_then(version_of))
        .unwrap_or_else(|| default_version.to_string());
    let image = match language.as_str() {
        "python" => format!("python:{version}-slim"),
        "node" => knowledge::node_image(version.split('.').next().unwrap_or(&version)),
        "go" => format!("golang:{version}"),
        "rust" => format!("rust:{version}"),
        "java" | "kotlin" if pm == "gradle" => format!("gradle:{}-jdk{version}", knowledge::GRADLE_LINE),
        "java" | "kotlin" => format!("maven:{}-eclipse-temurin-{version}", knowledge::MAVEN_LINE),
        "ruby" => format!("ruby:{version}"),
        "php" => knowledge::COMPOSER_IMAGE.to_string(),
        "elixir" => format!("elixir:{version}"),
        "csharp" | "fsharp" => format!("mcr.microsoft.com/dotnet/sdk:{version}"),
        "deno" => format!("denoland/deno:{version}"),
        "bun" => knowledge::BUN_IMAGE.to_string(),
        _ => build_image?.to_string(),
    };
    let in_dir = |f: &str| {
        if spec.path == "." {
            f.to_string()
        } else {
            format!("{}/{f}", spec.path)
        }
    };
    let mut cache_keys: Vec<String> = spec.lockfile.iter().map(|l| in_dir(l)).collect();
    if language == "python" && pm == "pip" {
        for f in ["requirements-dev.txt", "dev-requirements.txt", "requirements-test.txt"] {
            if spec.ci_install.as_deref().is_some_and(|c| c.contains(f)) {
                cache_keys.push(in_dir(f));
            }
        }
    }
    if cache_keys.is_empty() {
        let manifest = match language.as_str() {
            "python" => "pyproject.toml",
            "node" | "bun" => "package.json",
            "go" => "go.mod",
            "rust" => "Cargo.toml",
            "java" | "kotlin" if pm == "gradle" => "build.gradle*",
            "java" | "kotlin" => "pom.xml",
            "ruby" => "Gemfile",
            "php" => "composer.json",
            "elixir" => "mix.exs",
            _ => "",
        };
        if !manifest.is_empty() {
            cache_keys.push(in_dir(manifest));
        }
    }
    Some(Toolchain {
        language,
        version,
        package_manager: pm,
        image,
        cache_keys,
    })
}

/// The commands that deploy `service` to `target`, reading `$IMAGE` (the pushed image by
/// digest) and the target's secrets from the environment; with the secrets and variables they
/// read.
fn deploy_commands(
    spec: &DeploySpec,
    target: Target,
    svc: &ServiceSpec,
    environment: &str,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let v = versions::tools();
    let name = slug(&svc.name);
    match target {
        Target::Kubernetes if spec.kube.gitops != crate::params::GitOps::None => (
            crate::kube::gitops::pin_commands(spec, svc, environment),
            vec!["GITOPS_TOKEN".into()],
            vec![],
        ),
        Target::Kubernetes => match cloud_cluster(spec) {
            // The cloud's cluster: the deploy identity signs in by OIDC, no kubeconfig is stored.
            Some(provider) => (
                kubectl_deploy(spec, svc, environment),
                vec![],
                crate::cloud::cluster::deploy_vars(provider),
            ),
            None => (
                kubectl_deploy(spec, svc, environment),
                vec!["KUBE_CONFIG".into()],
                vec![],
            ),
        },
        Target::Railway => (
            vec![format!(
                "npx --yes @railway/cli@{} up --ci --service {name} --environment {environment}",
                v.railway
            )],
            vec!["RAILWAY_TOKEN".into()],
            vec![],
        ),
        Target::Fly => (
            vec![
                format!("curl -fsSL https://fly.io/install.sh | sh -s {}", v.flyctl),
                "export PATH=\"$HOME/.fly/bin:$PATH\"".into(),
                // The tested image, by digest, copied into Fly's registry that the machines pull from.
                "docker pull \"$IMAGE\"".into(),
                "flyctl auth docker".into(),
                // The app is the one fly.toml names, whether Slipway wrote the file or the person.
                format!(
                    "app=$(sed -nE 's/^app *= *\"([^\"]+)\".*/\\1/p' {} | head -n 1)",
                    platform::file_in(svc, "fly.toml")
                ),
                "release=\"registry.fly.io/${app}:${IMAGE##*sha256:}\"".into(),
                "docker tag \"$IMAGE\" \"$release\"".into(),
                "docker push \"$release\"".into(),
                format!(
                    "flyctl deploy --config {} --image \"$release\" --wait-timeout 5m",
                    platform::file_in(svc, "fly.toml")
                ),
            ],
            vec!["FLY_API_TOKEN".into()],
            vec![],
        ),
        Target::Render => (
            vec![
                // The deploy hook URL is itself the credential: it stays in the secret store.
                // Render takes a plain GET or POST on it, with no headers or body.
                "curl --fail --silent --show-error \"${RENDER_DEPLOY_HOOK_URL}\"".into(),
            ],
            vec!["RENDER_DEPLOY_HOOK_URL".into()],
            vec![],
        ),
        Target::Heroku => (
            vec![
                "echo \"${HEROKU_API_KEY}\" | docker login --username=_ --password-stdin registry.heroku.com".into(),
                "docker pull \"$IMAGE\"".into(),
                "docker tag \"$IMAGE\" \"registry.heroku.com/${HEROKU_APP}/web\"".into(),
                "docker push \"registry.heroku.com/${HEROKU_APP}/web\"".into(),
                format!(
                    "npx --yes heroku@{} container:release web --app \"$HEROKU_APP\"",
                    v.heroku
                ),
            ],
            vec!["HEROKU_API_KEY".into()],
            vec!["HEROKU_APP".into()],
        ),
        Target::Vercel => (
            vec![
                format!("npx --yes vercel@{} pull --yes --environment=production", v.vercel),
                format!("npx --yes vercel@{} build --prod", v.vercel),
                format!("npx --yes vercel@{} deploy --prebuilt --prod", v.vercel),
            ],
            vec!["VERCEL_TOKEN".into()],
            vec!["VERCEL_ORG_ID".into(), "VERCEL_PROJECT_ID".into()],
        ),
        Target::Netlify => (
            {
                // Netlify publishes files: the pipeline builds them first, as the Dockerfile does.
                let mut c: Vec<String> = Vec::new();
                c.extend(svc.ci_install.clone().or_else(|| svc.install.clone()));
                c.extend(svc.build.clone());
                c.push(format!(
                    "npx --yes netlify-cli@{} deploy --prod --no-build --dir {}",
                    v.netlify,
                    svc.output.clone().unwrap_or_else(|| "dist".into())
                ));
                c
            },
            vec!["NETLIFY_AUTH_TOKEN".into()],
            vec!["NETLIFY_SITE_ID".into()],
        ),
        _ => (vec![], vec![], vec![]),
    }
}

/// The shell lines of a Kubernetes deploy to `environment`: a pinned kubectl checked against
/// its published checksum, the cluster's kubeconfig from the `KUBE_CONFIG` secret (base64,
/// written with owner-only permissions and never printed), the tested image pinned by digest
/// in a copy of the Deployment, `kubectl apply` (of the environment's overlay, with
/// Kustomize), then `kubectl rollout status` with a timeout, and `rollout undo` and a failed
/// job when the new pods never become ready.
pub fn kubectl_deploy(spec: &DeploySpec, svc: &ServiceSpec, environment: &str) -> Vec<String> {
    let commands = kubectl_commands(spec, svc, environment);
    if cloud_cluster(spec).is_some() {
        on_cloud_cluster(spec, environment, commands)
    } else {
        commands
    }
}

fn kubectl_commands(spec: &DeploySpec, svc: &ServiceSpec, environment: &str) -> Vec<String> {
    use crate::kube::kustomize;
    let v = versions::tools();
    let name = crate::kube::name_of(&svc.name);
    let kustomized = spec.kube.packaging == crate::params::Packaging::Kustomize;
    let charted = spec.kube.packaging == crate::params::Packaging::Helm;
    let ns = if kustomized || charted {
        kustomize::namespace_for(spec, environment)
    } else {
        spec.kube.namespace.clone()
    };
    let root = if kustomized { "k8s/base" } else { "k8s" };
    let dir = if spec.is_monorepo() {
        format!("{root}/{name}")
    } else {
        root.to_string()
    };
    let url = format!("https://dl.k8s.io/release/v{}/bin/linux/amd64/kubectl", v.kubectl);
    let mut c = vec![
        "umask 077".to_string(),
        "bin=$(mktemp -d)".into(),
        // The kubeconfig never outlives the job, even on a long-lived agent.
        r#"trap 'rm -rf "$bin"' EXIT"#.into(),
        format!(r#"curl -fsSLo "$bin/kubectl" {url}"#),
        format!(r#"curl -fsSLo "$bin/kubectl.sha256" {url}.sha256"#),
        r#"echo "$(cat "$bin/kubectl.sha256")  $bin/kubectl" | sha256sum -c -"#.into(),
        r#"chmod +x "$bin/kubectl""#.into(),
        r#"printf '%s' "$KUBE_CONFIG" | base64 -d > "$bin/kubeconfig""#.into(),
        r#"kube() { "$bin/kubectl" --kubeconfig "$bin/kubeconfig" "$@"; }"#.into(),
    ];
    if charted {
        use crate::kube::helm;
        let chart = helm::installed_chart(spec, &name);
        let release = helm::release(spec, &name);
        let key = helm::values_key(spec, &name);
        let tarball = format!("helm-v{}-linux-amd64.tar.gz", v.helm);
        c.extend([
            format!(r#"curl -fsSLo "$bin/{tarball}" https://get.helm.sh/{tarball}"#),
            format!(r#"curl -fsSLo "$bin/{tarball}.sha256sum" https://get.helm.sh/{tarball}.sha256sum"#),
            r#"(cd "$bin" && sha256sum -c ./*.sha256sum)"#.into(),
            format!(r#"tar -xzf "$bin/{tarball}" -C "$bin" linux-amd64/helm"#),
            // The namespaces (with their Pod Security labels) and the cluster issuer are not
            // the chart's: a release cannot own the namespace it installs into.
            r#"kube apply -f k8s/"#.into(),
            // The chart takes the repository and the digest apart; a reference without a
            // digest would deploy a tag nobody tested.
            r#"case "$IMAGE" in *@sha256:*) ;; *) echo "IMAGE=$IMAGE is not pinned by digest" >&2; exit 1 ;; esac"#
                .into(),
        ]);
        let umbrella = helm::umbrella(spec);
        if umbrella.is_some() {
            // One release holds every service: on its first install the services whose
            // pipelines have not run yet have no image, so they stay off until theirs does.
            let others: Vec<String> = spec
                .services
                .iter()
                .map(|o| crate::kube::name_of(&o.name))
                .filter(|o| *o != name)
                .map(|o| format!("--set {o}.enabled=false"))
                .collect();
            // Only a release that is not there yet turns the others off: any other failure to
            // read it stops the job, so a passing network error never uninstalls a service.
            c.push(format!(
                "set --\nif ! status=$(\"$bin/linux-amd64/helm\" --kubeconfig \"$bin/kubeconfig\" status {release} --namespace {ns} 2>&1); then\n  case \"$status\" in\n    *\"not found\"*) set -- {} ;;\n    *) echo \"$status\" >&2; exit 1 ;;\n  esac\nfi",
                others.join(" ")
            ));
        }
        let mut helm = format!(
            "\"$bin/linux-amd64/helm\" --kubeconfig \"$bin/kubeconfig\" upgrade --install {release} {chart} \\\n  --namespace {ns}"
        );
        if let Some(values) = helm::values_for(spec, &name, environment) {
            helm.push_str(&format!(" --values {values}"));
        }
        if umbrella.is_some() {
            // The other services keep the images their own pipelines set.
            helm.push_str(&format!(
                " \\\n  --reset-then-reuse-values --set {key}enabled=true \"$@\""
            ));
        }
        // The tested image by digest; --rollback-on-failure waits for every object to be ready
        // and returns to the previous release when one is not. With a Rollout, helm waits for
        // the objects it knows (the legacy wait leaves custom resources alone) and the job then
        // waits for the Rollout itself.
        let progressive = crate::kube::rollout::strategy_for(spec, svc);
        helm.push_str(&format!(
            " \\\n  --set-string \"{key}image.repository=${{IMAGE%@*}}\" --set-string \"{key}image.digest=${{IMAGE#*@}}\" \\\n  --wait={} --rollback-on-failure --timeout 10m",
            if progressive.is_some() { "legacy" } else { "watcher" }
        ));
        c.push(helm);
        if let Some(strategy) = progressive {
            c.extend(rollout_wait(&ns, &name, strategy, &format!(
                "\"$bin/linux-amd64/helm\" --kubeconfig \"$bin/kubeconfig\" rollback {release} --namespace {ns} --wait=legacy"
            )));
        }
        if svc.port.is_some() {
            // The chart's test hook asks the new pods for the health path through their
            // Service; a release that does not answer goes back to the one before it.
            c.push(format!(
                "\"$bin/linux-amd64/helm\" --kubeconfig \"$bin/kubeconfig\" test {release} --namespace {ns} --timeout 2m \\\n  || {{ \"$bin/linux-amd64/helm\" --kubeconfig \"$bin/kubeconfig\" rollback {release} --namespace {ns} --wait=watcher; exit 1; }}"
            ));
        }
        return c;
    }
    if crate::kube::rollout::plain_blue_green(spec, svc) {
        c.extend(slot_switch(spec, svc, &ns, &dir));
        return c;
    }
    c.extend([
        // A copy of the manifests, with the placeholder tag replaced by the tested image's
        // digest: the checkout stays as it is, and the cluster runs exactly what was tested.
        r#"cp -R k8s "$bin/k8s""#.into(),
        format!(
            r#"sed -i "s|image: .*:set-by-pipeline|image: $IMAGE|" "$bin/{dir}/{}""#,
            crate::kube::workload_of(svc).1
        ),
    ]);
    if kustomized {
        c.push(format!(
            r#"kube apply -k "$bin/{}""#,
            kustomize::overlay_for(spec, environment)
        ));
    } else {
        c.push(r#"kube apply -f "$bin/k8s/namespace.yaml""#.into());
        if spec.is_monorepo() {
            c.push(format!(
                r#"for f in "$bin"/k8s/*.yaml; do kube apply -f "$f"; done && kube apply -f "$bin/{dir}/""#
            ));
        } else {
            c.push(r#"kube apply -f "$bin/k8s/""#.into());
        }
    }
    if let Some(strategy) = crate::kube::rollout::strategy_for(spec, svc) {
        c.extend(rollout_wait(&ns, &name, strategy, ""));
        return c;
    }
    c.push(format!(
        "if ! kube -n {ns} rollout status {kind}/{name} --timeout=10m; then\n  echo \"The new {name} pods did not become ready: rolling back to the previous {before}\" >&2\n  kube -n {ns} rollout undo {kind}/{name}\n  exit 1\nfi",
        kind = crate::kube::workload_of(svc).0.to_ascii_lowercase(),
        before = if svc.data_path.is_some() { "revision" } else { "ReplicaSet" }
    ));
    c
}

/// The cloud (`aws`, `gcp`, `azure`) whose cluster the infrastructure creates, when the pipeline
/// deploys to it with the cloud's short-lived credentials: on GitHub Actions, whose OIDC subjects
/// the cluster's identities trust, and without GitOps (then the controller in the cluster
/// applies what git holds, and the pipeline never reaches the cluster).
pub fn cloud_cluster(spec: &DeploySpec) -> Option<&str> {
    spec.cloud
        .as_ref()
        .filter(|c| {
            c.cluster.is_some() && spec.ci == CiSystem::Github && spec.kube.gitops == crate::params::GitOps::None
        })
        .map(|c| c.provider.as_str())
}

/// A deploy to the cloud's cluster: the kubeconfig from the job's cloud credentials instead of
/// the `KUBE_CONFIG` secret, and the namespace and cluster-wide objects left to an
/// administrator (the deploy identity may change the app's namespace only).
fn on_cloud_cluster(spec: &DeploySpec, environment: &str, commands: Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for c in commands {
        if c.contains("$KUBE_CONFIG") {
            out.extend(crate::cloud::cluster::kubeconfig_commands(spec, environment));
        } else if c == r#"kube apply -f "$bin/k8s/namespace.yaml""# || c == "kube apply -f k8s/" {
            continue;
        } else if c == r#"cp -R k8s "$bin/k8s""# {
            out.push(c);
            out.push(r#"rm -f "$bin/k8s/namespace.yaml" "$bin/k8s/cluster-issuer.yaml""#.into());
            if spec.kube.packaging == crate::params::Packaging::Kustomize {
                out.push(format!(
                    r#"sed -i '/^ *- namespace.yaml$/d' "$bin/{}/kustomization.yaml""#,
                    crate::kube::kustomize::overlay_for(spec, environment)
                ));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The wait for an Argo Rollout: Argo takes the new template through its steps and checks, and
/// aborts to the stable version by itself when a check fails; the job waits for the Rollout to
/// have seen this Deployment generation and to be Healthy, aborts it when time runs out, and
/// runs `undo` (a chart's rollback, so the release matches what runs) after either failure.
fn rollout_wait(ns: &str, name: &str, strategy: crate::params::Strategy, undo: &str) -> Vec<String> {
    let undo = if undo.is_empty() {
        String::new()
    } else {
        format!("{undo}; ")
    };
    vec![
        format!(r#"gen=$(kube -n {ns} get deployment {name} -o jsonpath='{{.metadata.generation}}')"#),
        r#"deadline=$(( $(date +%s) + 1800 ))"#.into(),
        format!(
            "while :; do\n  state=$(kube -n {ns} get rollout {name} -o jsonpath='{{.status.workloadObservedGeneration}}/{{.status.phase}}')\n  case \"$state\" in\n    \"$gen/Healthy\") break ;;\n    \"$gen/Degraded\") echo \"The new {name} version failed the {strategy} checks: Argo Rollouts went back to the stable version\" >&2; {undo}exit 1 ;;\n  esac\n  if [ \"$(date +%s)\" -gt \"$deadline\" ]; then\n    echo \"The {name} {strategy} did not finish in 30 minutes: aborting it, back to the stable version\" >&2\n    kube -n {ns} patch rollout {name} --subresource=status --type=merge -p '{{\"status\":{{\"abort\":true}}}}'\n    {undo}exit 1\n  fi\n  sleep 15\ndone",
            strategy = strategy.id()
        ),
    ]
}

/// The blue-green without Argo Rollouts: the tested image goes to the slot that does not
/// serve, which is scaled to the serving slot's count, waited for, and asked for the health
/// path through the preview Service; only then does the Service (and the autoscaler) switch
/// to it, and the old slot is scaled to 0 once proxies have caught up. A failure at any point
/// before the switch leaves the serving slot untouched. The serving slot's file is never
/// applied, and the Services' selectors are written as the cluster has them before each
/// apply, so an apply moves no traffic.
fn slot_switch(spec: &DeploySpec, svc: &ServiceSpec, ns: &str, dir: &str) -> Vec<String> {
    let name = crate::kube::name_of(&svc.name);
    let [first, second] = crate::kube::rollout::SLOTS;
    let count = if spec.kube.autoscale {
        if spec.kube.ha {
            spec.scaling.min_replicas.max(2)
        } else {
            spec.scaling.min_replicas
        }
    } else {
        spec.kube.replicas
    };
    let path = svc.health_path.clone().unwrap_or_else(|| "/".into());
    let mut c: Vec<String> = vec![
        r#"cp -R k8s "$bin/k8s""#.into(),
        format!(r#"live=$(kube -n {ns} get service {name} -o jsonpath='{{.spec.selector.slot}}' 2>/dev/null || true)"#),
        // The first deploy starts the first slot; after that, the slot that does not serve.
        format!(
            r#"case "$live" in {first}) idle={second} ;; {second}) idle={first} ;; *) live="" idle={first} ;; esac"#
        ),
        r#"serving=${live:-$idle}"#.into(),
        format!(r#"echo "{name}: $serving serves; the new version goes to $idle""#),
        format!(r#"sed -i "s|image: .*:set-by-pipeline|image: $IMAGE|" "$bin/{dir}/deployment-$idle.yaml""#),
        format!(
            r#"if [ "$idle" = {first} ]; then rm "$bin/{dir}/deployment-{second}.yaml"; else rm "$bin/{dir}/deployment-{first}.yaml"; fi"#
        ),
        format!(r#"sed -i "s|^\( *\)slot: [a-z]*$|\1slot: $serving|" "$bin/{dir}/service.yaml""#),
        format!(r#"sed -i "s|^\( *\)slot: [a-z]*$|\1slot: $idle|" "$bin/{dir}/service-preview.yaml""#),
    ];
    let mut retarget = vec![];
    if spec.kube.autoscale {
        retarget.push("hpa");
    }
    if spec.kube.vpa {
        retarget.push("vpa");
    }
    for kind in &retarget {
        c.push(format!(
            r#"sed -i "s|name: {name}-{first}$|name: {name}-$serving|" "$bin/{dir}/{kind}.yaml""#
        ));
    }
    c.push(r#"kube apply -f "$bin/k8s/namespace.yaml""#.into());
    if spec.is_monorepo() {
        c.push(format!(
            r#"for f in "$bin"/k8s/*.yaml; do kube apply -f "$f"; done && kube apply -f "$bin/{dir}/""#
        ));
    } else {
        c.push(r#"kube apply -f "$bin/k8s/""#.into());
    }
    c.extend([
        format!("count={count}"),
        format!(
            r#"if [ -n "$live" ]; then count=$(kube -n {ns} get deployment {name}-"$live" -o jsonpath='{{.spec.replicas}}'); fi"#
        ),
        format!(r#"kube -n {ns} scale deployment/{name}-"$idle" --replicas="$count""#),
        format!(
            "if ! kube -n {ns} rollout status deployment/{name}-\"$idle\" --timeout=10m; then\n  echo \"The new {name} pods in $idle did not become ready; $serving still serves every request\" >&2\n  if [ -n \"$live\" ]; then kube -n {ns} scale deployment/{name}-\"$idle\" --replicas=0; fi\n  exit 1\nfi"
        ),
        // The check: the health path through the preview Service, from inside the namespace.
        format!("kube -n {ns} delete job {name}-smoke --ignore-not-found --wait=true"),
        format!(r#"kube -n {ns} apply -f "$bin/{dir}/checks/smoke-job.yaml""#),
        format!(
            "if ! kube -n {ns} wait --for=condition=complete job/{name}-smoke --timeout=3m; then\n  echo \"The new {name} version in $idle does not answer on {path} through {name}-preview; $serving still serves every request\" >&2\n  kube -n {ns} logs job/{name}-smoke || true\n  if [ -n \"$live\" ]; then kube -n {ns} scale deployment/{name}-\"$idle\" --replicas=0; fi\n  exit 1\nfi"
        ),
        format!(
            r#"kube -n {ns} patch service {name} --type merge -p "{{\"spec\":{{\"selector\":{{\"slot\":\"$idle\"}}}}}}""#
        ),
    ]);
    for kind in &retarget {
        let field = if *kind == "hpa" { "scaleTargetRef" } else { "targetRef" };
        c.push(format!(
            r#"kube -n {ns} patch {kind} {name} --type merge -p "{{\"spec\":{{\"{field}\":{{\"name\":\"{name}-$idle\"}}}}}}""#
        ));
    }
    c.push(format!(
        "if [ -n \"$live\" ]; then\n  kube -n {ns} patch service {name}-preview --type merge -p \"{{\\\"spec\\\":{{\\\"selector\\\":{{\\\"slot\\\":\\\"$live\\\"}}}}}}\"\n  # Endpoints and node proxies catch up with the switch before the old pods go.\n  sleep 30\n  kube -n {ns} scale deployment/{name}-\"$live\" --replicas=0\nfi"
    ));
    c.push(format!(r#"echo "{name}: $idle serves the new version""#));
    c
}

/// True when the deploy job needs the tested image's reference (by digest): the platforms that
/// run the pushed image, and clusters.
pub fn carries_image(target: Target) -> bool {
    deploys_image(target) || target == Target::Kubernetes
}

/// The shell lines that build `svc`'s image with BuildKit on a CI system without GitHub's
/// cache service: a registry layer cache (`$IMAGE_NAME:buildcache`) read always and written
/// back only when `$push` is true, the image pushed when `$push` is, and its digest left in
/// `$digest`. `tags` are the `--tag` arguments, as shell words.
pub fn buildx_lines(svc: &ServiceSpec, tags: &str) -> Vec<String> {
    vec![
        // The layer cache is written back only by pushes from the deploy branch.
        "cache_to=\"\"".into(),
        "if [ \"$push\" = true ]; then cache_to=\"--cache-to=type=registry,ref=$IMAGE_NAME:buildcache,mode=max\"; fi".into(),
        "docker buildx create --use --driver docker-container".into(),
        format!(
            "docker buildx build --file {} {tags} --cache-from \"type=registry,ref=$IMAGE_NAME:buildcache\" ${{cache_to:+\"$cache_to\"}} --output \"type=image,push=$push\" --metadata-file build.json {}",
            svc.dockerfile, svc.context
        ),
        "digest=$(sed -n 's/.*\"containerimage.digest\": *\"\\([^\"]*\\)\".*/\\1/p' build.json)".into(),
    ]
}

/// What a deploy job runs in on CI systems that run jobs in containers: the key of its image
/// in the versions table, and the Alpine packages the deploy commands need on top.
pub fn deploy_runner(target: Target) -> (&'static str, Option<&'static str>) {
    if deploys_image(target) {
        // Pull, tag and push the tested image; the platforms' CLIs come through npx.
        ("docker", Some("curl nodejs npm"))
    } else if target == Target::Render || target == Target::Kubernetes {
        ("curl", None)
    } else {
        ("node", Some("curl"))
    }
}

/// The command that returns `target` to its previous release, where the platform's CLI can do
/// that by itself, with the secret and the variable it reads.
pub fn cli_rollback(target: Target) -> Option<(String, &'static str, Option<&'static str>)> {
    let v = versions::tools();
    match target {
        Target::Heroku => Some((
            format!("npx --yes heroku@{} rollback --app \"$HEROKU_APP\"", v.heroku),
            "HEROKU_API_KEY",
            Some("HEROKU_APP"),
        )),
        Target::Vercel => Some((
            format!("npx --yes vercel@{} rollback --yes", v.vercel),
            "VERCEL_TOKEN",
            None,
        )),
        _ => None,
    }
}

/// The shell script that runs after a deploy: it calls the health path at `url` (a shell
/// expression for the app's address) until the app answers, and when it never does, rolls
/// back where the platform's CLI can and fails the job either way.
pub fn verify_script(target: Target, url: &str, path: &str) -> String {
    let mut s = format!(
        "if ! curl --fail --silent --show-error --retry 10 --retry-delay 6 --retry-all-errors --max-time 10 \"${{{url}%/}}{path}\"; then\n"
    );
    match cli_rollback(target) {
        Some((command, _, _)) => {
            s.push_str(&format!(
                "  echo \"The deployed app does not answer on {path}: rolling {} back to the previous release\" >&2\n  {command}\n",
                target.label()
            ));
        }
        None => {
            s.push_str(&format!(
                "  echo \"The deployed app does not answer on {path}; {} has no one-command rollback: docs/deploy.md says how to return to the previous release\" >&2\n",
                target.label()
            ));
        }
    }
    s.push_str("  exit 1\nfi");
    s
}

/// The globs of the files whose change concerns `svc`: its folder (`everything` is the CI
/// system's glob for any file below a folder, `**` or `**/*`), shared lockfiles at the root,
/// and the pipeline file itself.
pub fn change_globs(svc: &ServiceSpec, everything: &str, pipeline_file: &str) -> Vec<String> {
    svc.paths
        .iter()
        .map(|p| {
            if p == "." {
                everything.to_string()
            } else if p.contains('.') && !p.contains('/') {
                p.clone()
            } else {
                format!("{}/{everything}", p.trim_end_matches('/'))
            }
        })
        .chain([pipeline_file.to_string()])
        .collect()
}

/// True when the target runs the image the pipeline pushed, by digest; the others build the
/// same commit with the same Dockerfile themselves.
pub fn deploys_image(target: Target) -> bool {
    matches!(target, Target::Fly | Target::Heroku)
}

/// True when the target builds or serves the frontend itself, without the image.
pub fn serves_files(target: Target) -> bool {
    matches!(target, Target::Vercel | Target::Netlify)
}

/// Which targets fit a service: frontends go to Vercel and Netlify, servers to the others.
pub fn fits(target: Target, svc: &ServiceSpec) -> bool {
    match target {
        // ECS is deployed by applying its infrastructure (infra/aws, docs/aws.md); the
        // pipeline builds and pushes the image for it.
        Target::Ecs | Target::CloudRun | Target::AzureContainerApps | Target::Vm => false,
        Target::Netlify => svc.kind == "static",
        Target::Vercel => svc.kind == "static" || svc.language.as_deref() == Some("node"),
        _ => svc.kind != "static" || target != Target::Heroku,
    }
}

/// The variable holding the deployed service's public address.
pub fn url_var(svc: &ServiceSpec, many: bool) -> String {
    if many {
        format!("{}_URL", slug(&svc.name).to_ascii_uppercase().replace('-', "_"))
    } else {
        "APP_URL".into()
    }
}

/// Builds the pipeline for `spec`. `build_images` gives each service's Dockerfile build image
/// (by service name), so the toolchain matches the image.
pub fn plan(spec: &DeploySpec, build_images: &[(String, String)]) -> Pipeline {
    let mut jobs = Vec::new();
    let mut notes = spec.notes.clone();
    let many = spec.is_monorepo();
    let routed = many;
    if routed {
        jobs.push(Job::new(
            "changes",
            "Find the services this change touches",
            JobKind::Changes,
            vec![],
            5,
        ));
    }
    let production = spec.production().to_string();
    for svc in &spec.services {
        let s = slug(&svc.name);
        let image = build_images
            .iter()
            .find(|(n, _)| *n == svc.name)
            .map(|(_, i)| i.as_str());
        let tc = toolchain(svc, image);
        let base_needs: Vec<String> = if routed { vec!["changes".into()] } else { vec![] };
        let mut checks = Vec::new();
        let install: Vec<String> = svc.ci_install.iter().cloned().collect();
        if !svc.lint.is_empty() {
            let mut commands = install.clone();
            commands.extend(svc.lint.iter().cloned());
            jobs.push(Job {
                service: Some(svc.name.clone()),
                toolchain: tc.clone(),
                commands,
                workdir: svc.path.clone(),
                ..Job::new(
                    format!("lint-{s}"),
                    format!("Lint {}", svc.name),
                    JobKind::Lint,
                    base_needs.clone(),
                    10,
                )
            });
            checks.push(format!("lint-{s}"));
        }
        if let Some(test) = &svc.test {
            let mut commands = install.clone();
            commands.push(test.clone());
            jobs.push(Job {
                service: Some(svc.name.clone()),
                toolchain: tc.clone(),
                sidecars: svc.backing_services.iter().filter_map(|b| sidecar(b)).collect(),
                commands,
                workdir: svc.path.clone(),
                ..Job::new(
                    format!("test-{s}"),
                    format!("Test {}", svc.name),
                    JobKind::Test,
                    base_needs.clone(),
                    15,
                )
            });
            checks.push(format!("test-{s}"));
        } else {
            notes.push(format!(
                "{}: no test suite found, so nothing but the linters and the image build gate its deploy",
                svc.name
            ));
        }
        let targets: Vec<Target> = spec.targets.iter().copied().filter(|t| fits(*t, svc)).collect();
        // Sites in buckets ship their built files, not an image.
        let needs_image = (targets.is_empty() && !crate::cloud::site::in_bucket(spec, svc))
            || targets.iter().any(|t| !serves_files(*t));
        let mut deploy_needs = base_needs.clone();
        deploy_needs.extend(checks.iter().cloned());
        if needs_image {
            // The image waits for the same checks a deploy would.
            jobs.push(Job {
                service: Some(svc.name.clone()),
                ..Job::new(
                    format!("image-{s}"),
                    format!("Build and push the {} image", svc.name),
                    JobKind::Image,
                    deploy_needs.clone(),
                    30,
                )
            });
            deploy_needs = base_needs.clone();
            deploy_needs.push(format!("image-{s}"));
        }
        let progressive = crate::kube::rollout::strategy_for(spec, svc);
        for target in targets {
            let mut previous: Vec<String> = deploy_needs.clone();
            // With GitOps and plain manifests the cluster syncs one folder: only production's
            // pin exists, so a deploy before it would pin production early.
            let gitops_plain = target == Target::Kubernetes
                && spec.kube.gitops != crate::params::GitOps::None
                && spec.kube.packaging == crate::params::Packaging::Manifests;
            if gitops_plain && spec.environments.len() > 1 {
                notes.push(format!(
                    "{}: plain manifests hold one environment, so GitOps pins only {}; Kustomize or a chart gives each environment its own pin",
                    svc.name,
                    spec.production()
                ));
            }
            for env in spec
                .environments
                .iter()
                .filter(|e| !gitops_plain || e.name == spec.production())
            {
                let (commands, secrets, vars) = deploy_commands(spec, target, svc, &env.name);
                let id = if spec.environments.len() > 1 {
                    format!("deploy-{s}-{}-{}", target.id(), slug(&env.name))
                } else {
                    format!("deploy-{s}-{}", target.id())
                };
                let mut vars = vars;
                // A cluster's rollout waits on the readiness probe itself; the platforms get a
                // smoke test of the public address.
                if svc.health_path.is_some() && svc.kind != "worker" && target != Target::Kubernetes {
                    vars.push(url_var(svc, many));
                }
                jobs.push(Job {
                    service: Some(svc.name.clone()),
                    commands,
                    workdir: if serves_files(target) {
                        svc.path.clone()
                    } else {
                        ".".into()
                    },
                    target: Some(target),
                    environment: Some(env.name.clone()),
                    manual: env.approval,
                    secrets,
                    vars,
                    ..Job::new(
                        id.clone(),
                        format!("Deploy {} to {} ({})", svc.name, target.label(), env.name),
                        JobKind::Deploy,
                        previous.clone(),
                        // A progressive rollout holds its steps for ten minutes and more.
                        if target == Target::Kubernetes && progressive.is_some() {
                            40
                        } else {
                            20
                        },
                    )
                });
                previous = vec![id];
            }
            let switched = crate::kube::rollout::plain_blue_green(spec, svc);
            if spec.strategy != Strategy::Rolling
                && !(target == Target::Kubernetes && (progressive.is_some() || switched))
            {
                notes.push(strategy_note(target, spec.strategy, svc));
            }
            let pull_login = matches!(
                (spec.registry, spec.ci),
                (Registry::Ghcr, CiSystem::Github) | (Registry::Gitlab, CiSystem::Gitlab)
            );
            if deploys_image(target) && !pull_login {
                notes.push(format!(
                    "the {} deploy pulls the tested image from {}; the pipeline signs in for pulls only to ghcr.io from GitHub and to the GitLab registry from GitLab so far, so make the image readable to the deploy job",
                    target.label(),
                    spec.registry.label()
                ));
            }
            if target == Target::Render {
                notes.push(
                    "Render's deploy hook answers before the deploy finishes, so the check after it may reach the previous version; Render moves traffic only once the new version passes its health check".into(),
                );
            }
            if !deploys_image(target) && !serves_files(target) {
                notes.push(format!(
                    "{} builds the image itself from the commit that passed the pipeline, with the same Dockerfile; its CLI cannot deploy a registry digest",
                    target.label()
                ));
            }
        }
    }
    if routed {
        let checks: Vec<String> = jobs
            .iter()
            .filter(|j| matches!(j.kind, JobKind::Lint | JobKind::Test | JobKind::Image))
            .map(|j| j.id.clone())
            .collect();
        jobs.push(Job::new("checks", "All checks", JobKind::Gate, checks, 5));
    }
    // A cloud's stack is planned on pull requests and applied per environment.
    // A cluster's stack signs in as the cloud's container runtime would.
    let cluster = spec.cloud.as_ref().filter(|c| c.cluster.is_some());
    let cloud = [Target::Ecs, Target::CloudRun, Target::AzureContainerApps]
        .into_iter()
        .find(|t| spec.targets.contains(t) && spec.cloud.is_some())
        .or_else(|| {
            cluster.map(|c| match c.provider.as_str() {
                "gcp" => Target::CloudRun,
                "azure" => Target::AzureContainerApps,
                _ => Target::Ecs,
            })
        });
    if let Some(target) = cloud {
        let gcp = target == Target::CloudRun;
        let azure = target == Target::AzureContainerApps;
        let cfn = !gcp && !azure && spec.cloud.as_ref().is_some_and(|c| c.iac == "cloudformation");
        let (short, label, dir) = match target {
            Target::CloudRun => ("gcp", "Google Cloud", crate::cloud::gcp::DIR),
            Target::AzureContainerApps => ("azure", "Azure", crate::cloud::azure::DIR),
            _ => ("aws", "AWS", crate::cloud::aws::DIR),
        };
        if spec.ci == CiSystem::Github {
            let azure_vars = |client: &str| -> Vec<String> {
                vec![client.into(), "AZURE_TENANT_ID".into(), "AZURE_SUBSCRIPTION_ID".into()]
            };
            let (plan_vars, deploy_vars): (Vec<String>, Vec<String>) = if azure {
                (azure_vars("AZURE_PLAN_CLIENT_ID"), azure_vars("AZURE_DEPLOY_CLIENT_ID"))
            } else if gcp {
                (
                    vec![
                        "GCP_PLAN_SERVICE_ACCOUNT".into(),
                        "GCP_WIF_PROVIDER".into(),
                        "GCP_PROJECT".into(),
                    ],
                    vec![
                        "GCP_DEPLOY_SERVICE_ACCOUNT".into(),
                        "GCP_WIF_PROVIDER".into(),
                        "GCP_PROJECT".into(),
                    ],
                )
            } else {
                let mut deploy = vec!["AWS_DEPLOY_ROLE_ARN".into(), "AWS_REGION".into()];
                if cfn {
                    deploy.push("AWS_CLOUDFORMATION_ROLE_ARN".into());
                }
                (vec!["AWS_PLAN_ROLE_ARN".into(), "AWS_REGION".into()], deploy)
            };
            jobs.push(Job {
                commands: if cluster.is_some() {
                    crate::cloud::cluster::plan_commands(spec)
                } else if crate::cloud::swa::on_static_web_apps(spec) {
                    crate::cloud::swa::plan_commands(spec)
                } else if azure {
                    crate::cloud::azure::plan_commands(spec)
                } else if gcp {
                    crate::cloud::gcp::plan_commands(spec)
                } else if cfn {
                    crate::cloud::cfn::plan_commands(spec)
                } else {
                    crate::cloud::aws::plan_commands(spec)
                },
                target: Some(target),
                vars: plan_vars,
                ..Job::new(
                    format!("plan-{short}"),
                    format!("Plan the {label} infrastructure"),
                    JobKind::Infra,
                    vec![],
                    20,
                )
            });
            // The stack holds every service: one apply per environment, after all the images
            // (or, for sites in buckets, which have none, after their checks).
            let sites = crate::cloud::site::in_buckets(spec);
            let in_bucket = |j: &Job| {
                spec.services
                    .iter()
                    .any(|s| j.service.as_deref() == Some(s.name.as_str()) && crate::cloud::site::in_bucket(spec, s))
            };
            let mut previous: Vec<String> = jobs
                .iter()
                .filter(|j| {
                    j.kind == JobKind::Image || (matches!(j.kind, JobKind::Lint | JobKind::Test) && in_bucket(j))
                })
                .map(|j| j.id.clone())
                .collect();
            for env in &spec.environments {
                let id = if spec.environments.len() > 1 {
                    format!("deploy-{short}-{}", slug(&env.name))
                } else {
                    format!("deploy-{short}")
                };
                jobs.push(Job {
                    commands: if cluster.is_some() {
                        crate::cloud::cluster::apply_commands(spec, &env.name)
                    } else if crate::cloud::swa::on_static_web_apps(spec) {
                        crate::cloud::swa::apply_commands(spec, &env.name)
                    } else if azure {
                        crate::cloud::azure::apply_commands(spec, &env.name)
                    } else if gcp {
                        crate::cloud::gcp::apply_commands(spec, &env.name)
                    } else if cfn {
                        crate::cloud::cfn::apply_commands(spec, &env.name)
                    } else {
                        crate::cloud::aws::apply_commands(spec, &env.name)
                    },
                    target: Some(target),
                    environment: Some(env.name.clone()),
                    manual: env.approval,
                    vars: deploy_vars.clone(),
                    ..Job::new(
                        id.clone(),
                        if cluster.is_some() {
                            format!("Apply the {label} cluster ({})", env.name)
                        } else {
                            format!("Deploy to {label} ({})", env.name)
                        },
                        JobKind::Infra,
                        previous.clone(),
                        45,
                    )
                });
                // The rollouts into the cluster wait for its stack.
                if cluster.is_some() {
                    for j in jobs.iter_mut().filter(|j| {
                        j.kind == JobKind::Deploy
                            && j.target == Some(Target::Kubernetes)
                            && j.environment.as_deref() == Some(env.name.as_str())
                    }) {
                        j.needs.push(id.clone());
                    }
                }
                previous = vec![id];
            }
            if let Some(c) = cluster {
                notes.push(format!(
                    "{}: a pull request gets the plan of {dir} in its job summary; the {} branch applies it in each environment through the OIDC identities of {dir}/bootstrap, then rolls out each image into the {} with the same short-lived credentials (no kubeconfig is stored)",
                    crate::cloud::cluster::names(&c.provider).1,
                    spec.branch,
                    crate::cloud::cluster::names(&c.provider).1
                ));
            } else if cfn {
                notes.push(format!(
                    "{}: a pull request gets a change set of {} in its job summary; the {} branch deploys it with the tested digests in each environment, through the OIDC roles of {} and CloudFormation's own role, and fails when ECS runs another task definition than the stack's",
                    target.label(),
                    crate::cloud::cfn::STACK,
                    spec.branch,
                    crate::cloud::cfn::BOOTSTRAP
                ));
            } else {
                notes.push(format!(
                "{}: a pull request gets the plan of {dir} in its job summary; the {} branch applies it with the tested digests in each environment, through the OIDC identities of {dir}/bootstrap, and fails when {}",
                target.label(),
                spec.branch,
                if sites && azure {
                    "a site does not answer after its files are uploaded"
                } else if gcp || azure {
                    "a new revision never starts"
                } else if sites {
                    "a site does not answer after its files are uploaded and CloudFront's cache is cleared"
                } else {
                    "ECS rolls a service back"
                }
            ));
            }
        } else {
            notes.push(format!(
                "{}: the pipeline builds and pushes the images; the plan and apply jobs are written for GitHub Actions so far (the identities trust GitHub's OIDC tokens), so on {} apply {dir} with their digests by hand (docs/{short}.md)",
                target.label(),
                spec.ci.label()
            ));
        }
    }
    if spec.targets.contains(&Target::Vm) {
        if spec.ci == CiSystem::Github {
            let production = spec.production().to_string();
            let needs: Vec<String> = jobs
                .iter()
                .filter(|j| j.kind == JobKind::Image)
                .map(|j| j.id.clone())
                .collect();
            let mut secrets = vec!["SSH_PRIVATE_KEY".to_string()];
            secrets.extend(crate::vm::deploy_secrets(spec));
            jobs.push(Job {
                commands: crate::vm::deploy_commands(spec),
                target: Some(Target::Vm),
                environment: Some(production.clone()),
                manual: spec.environments.last().is_some_and(|e| e.approval),
                secrets,
                vars: vec!["SSH_KNOWN_HOSTS".into(), "DEPLOY_SSH_PUBLIC_KEY".into()],
                ..Job::new(
                    "deploy-vm",
                    format!("Deploy to the server ({production})"),
                    JobKind::Infra,
                    needs,
                    30,
                )
            });
            notes.push(format!(
                "a server: after the images, the {} branch runs ansible/site.yml on it with the tested digests, over SSH with the deploy key, and calls each host over HTTPS{}",
                spec.branch,
                if spec.environments.len() > 1 {
                    format!("; the playbook's inventory is {production}'s server, so the other environments are deployed by hand")
                } else {
                    String::new()
                }
            ));
        } else {
            notes.push(format!(
                "a server: the pipeline builds and pushes the images; on {} run ansible/site.yml with their digests by hand (docs/vm.md)",
                spec.ci.label()
            ));
        }
    }
    if spec.targets.is_empty() {
        notes.push(format!(
            "no deploy target named: the pipeline tests, builds and pushes the image; name one (Railway, Fly.io, Render, Heroku, Vercel, Netlify) to deploy it to {production}"
        ));
    }
    notes.dedup();
    let mut pipeline = Pipeline {
        branch: spec.branch.clone(),
        jobs,
        routed,
        notes,
        parity: vec![],
    };
    pipeline.parity = parity::report(spec, &pipeline);
    pipeline
}

fn strategy_note(target: Target, strategy: Strategy, svc: &ServiceSpec) -> String {
    match (target, strategy) {
        (Target::Kubernetes, s) if svc.data_path.is_some() => format!(
            "{} needs two versions side by side, and {} keeps its data on one volume: its one pod is replaced in place, and requests wait while it restarts",
            s.id(),
            svc.name
        ),
        (Target::Fly, s) => format!(
            "Fly.io runs the {} strategy itself (fly.toml [deploy] strategy)",
            s.id()
        ),
        (Target::Kubernetes, s) => format!(
            "{} moves requests between versions, and this service answers on no port: it rolls, and the deploy waits for readiness",
            s.id()
        ),
        (t, s) => format!(
            "{} offers only its own zero-downtime rolling deploys, not {}: the deploy waits for the health check before traffic moves",
            t.label(),
            s.id()
        ),
    }
}

/// The image reference without tag for `svc`, written for `ci`.
pub fn image_ref(spec: &DeploySpec, svc: &ServiceSpec, ci: CiSystem) -> String {
    let suffix = if svc.image_name.is_empty() {
        String::new()
    } else {
        format!("/{}", slug(&svc.image_name))
    };
    if let Some(image) = &spec.image {
        return format!("{image}{suffix}");
    }
    if matches!(ci, CiSystem::Jenkins | CiSystem::Circleci) {
        // These know no repository name of their own: the person names the image once.
        return format!("${{REGISTRY_IMAGE}}{suffix}");
    }
    match (spec.registry, ci) {
        (Registry::Ghcr, CiSystem::Github) => format!("ghcr.io/${{{{ github.repository }}}}{suffix}"),
        (Registry::Dockerhub, CiSystem::Github) => {
            format!("docker.io/${{{{ vars.DOCKERHUB_NAMESPACE }}}}/${{{{ github.event.repository.name }}}}{suffix}")
        }
        (Registry::Ecr, CiSystem::Github) => {
            format!("${{{{ vars.AWS_ACCOUNT_ID }}}}.dkr.ecr.${{{{ vars.AWS_REGION }}}}.amazonaws.com/${{{{ github.event.repository.name }}}}{suffix}")
        }
        (Registry::Gar, CiSystem::Github) => format!(
            "${{{{ vars.GAR_LOCATION }}}}-docker.pkg.dev/${{{{ vars.GCP_PROJECT }}}}/${{{{ vars.GAR_REPOSITORY }}}}/${{{{ github.event.repository.name }}}}{suffix}"
        ),
        (Registry::Acr, CiSystem::Github) => {
            format!("${{{{ vars.ACR_NAME }}}}.azurecr.io/${{{{ github.event.repository.name }}}}{suffix}")
        }
        (Registry::Ghcr, _) => format!("ghcr.io/$GHCR_NAMESPACE{suffix}"),
        (Registry::Dockerhub, _) => format!("docker.io/$DOCKERHUB_NAMESPACE/$CI_PROJECT_NAME{suffix}"),
        (Registry::Ecr, _) => format!("$AWS_ACCOUNT_ID.dkr.ecr.$AWS_REGION.amazonaws.com/$CI_PROJECT_NAME{suffix}"),
        (Registry::Gar, _) => format!("$GAR_LOCATION-docker.pkg.dev/$GCP_PROJECT/$GAR_REPOSITORY/$CI_PROJECT_NAME{suffix}"),
        (Registry::Acr, _) => format!("$ACR_NAME.azurecr.io/$CI_PROJECT_NAME{suffix}"),
        (Registry::Gitlab, _) => format!("$CI_REGISTRY_IMAGE{suffix}"),
    }
}

/// The shell command that signs in to push `image` (a shell expression for the image name)
/// on a CI system other than GitHub Actions and Jenkins, and the Alpine packages it needs.
pub fn shell_registry_login(spec: &DeploySpec, ci: CiSystem, image: &str) -> (String, Option<&'static str>) {
    match spec.registry {
        Registry::Gitlab if ci == CiSystem::Gitlab => (
            "echo \"$CI_REGISTRY_PASSWORD\" | docker login --username \"$CI_REGISTRY_USER\" --password-stdin \"$CI_REGISTRY\"".into(),
            None,
        ),
        Registry::Dockerhub => (
            "echo \"$DOCKERHUB_TOKEN\" | docker login --username \"$DOCKERHUB_USERNAME\" --password-stdin docker.io".into(),
            None,
        ),
        Registry::Ghcr => (
            "echo \"$GHCR_TOKEN\" | docker login --username \"${GHCR_NAMESPACE%%/*}\" --password-stdin ghcr.io".into(),
            None,
        ),
        // ECR passwords last twelve hours: the AWS CLI asks for one on each run.
        Registry::Ecr => (
            format!("aws ecr get-login-password --region \"$AWS_REGION\" | docker login --username AWS --password-stdin \"${{{image}%%/*}}\""),
            Some("aws-cli"),
        ),
        Registry::Gar | Registry::Acr | Registry::Gitlab => (
            format!("echo \"$REGISTRY_PASSWORD\" | docker login --username \"$REGISTRY_USER\" --password-stdin \"${{{image}%%/*}}\""),
            None,
        ),
    }
}

/// Every secret and variable the person must create for `pipeline`, where and why.
pub fn requirements(spec: &DeploySpec, pipeline: &Pipeline) -> Vec<Requirement> {
    let store = match spec.ci {
        CiSystem::Github => "GitHub repository settings, Secrets and variables, Actions",
        CiSystem::Gitlab => "GitLab project settings, CI/CD, Variables (masked and protected)",
        CiSystem::Jenkins => "Jenkins credentials",
        CiSystem::Circleci => "CircleCI context \"registry\" (Organization settings, Contexts)",
    };
    let job_store = |env: &str, kind: &str| match spec.ci {
        CiSystem::Github => format!("GitHub environment {env:?}, {kind}"),
        CiSystem::Circleci => format!(
            "CircleCI context {:?} (Organization settings, Contexts)",
            circleci::deploy_context(env)
        ),
        _ => store.to_string(),
    };
    let mut out: Vec<Requirement> = Vec::new();
    let mut add = |r: Requirement| {
        if !out.iter().any(|o| o.name == r.name && o.place == r.place) {
            out.push(r);
        }
    };
    for job in &pipeline.jobs {
        if job.kind == JobKind::Infra {
            // The Terraform jobs' roles and region are repository variables: the cloud family
            // lists them with the subject each role trusts.
            for v in &job.vars {
                add(Requirement {
                    name: v.clone(),
                    secret: false,
                    place: store.into(),
                    why: match v.as_str() {
                        "AWS_REGION" => "the region infra/aws creates everything in".into(),
                        "GCP_PROJECT" => "the Google Cloud project infra/gcp creates everything in".into(),
                        "GCP_WIF_PROVIDER" => "an output of infra/gcp/bootstrap: the workload identity provider GitHub's tokens are exchanged at".into(),
                        "AZURE_TENANT_ID" => "an output of infra/azure/bootstrap: the Microsoft Entra tenant".into(),
                        "AZURE_SUBSCRIPTION_ID" => "the Azure subscription infra/azure creates everything in".into(),
                        v if v.starts_with("AZURE_") => "an output of infra/azure/bootstrap: the client id of the managed identity the Terraform job signs in as through OIDC".into(),
                        "SSH_KNOWN_HOSTS" => "the server's host key line (ssh-keyscan HOST, checked against the server's own); the deploy never trusts a key on first sight".into(),
                        "DEPLOY_SSH_PUBLIC_KEY" => "the public half of SSH_PRIVATE_KEY: the playbook lets it log in as the deploy user".into(),
                        v if v.starts_with("GCP_") => "an output of infra/gcp/bootstrap: the service account the Terraform job acts as through OIDC".into(),
                        _ => "an output of infra/aws/bootstrap: the role the Terraform job assumes through OIDC".into(),
                    },
                });
            }
            // The server's deploy: its key, and the app's secrets the playbook writes there.
            for s in &job.secrets {
                add(Requirement {
                    name: s.clone(),
                    secret: true,
                    place: store.into(),
                    why: if s == "SSH_PRIVATE_KEY" {
                        "the deploy user's private key (ssh-keygen -t ed25519); the job removes it when it ends".into()
                    } else {
                        "the playbook writes it into the service's environment file on the server, readable by root only".into()
                    },
                });
            }
            continue;
        }
        let env = job.environment.clone().unwrap_or_default();
        let target = job.target.map(|t| t.label()).unwrap_or("");
        for s in &job.secrets {
            add(Requirement {
                name: s.clone(),
                secret: true,
                place: job_store(&env, "Secrets"),
                why: if s == "GITOPS_TOKEN" {
                    format!(
                        "a token that may push to {} of this repository only (GitHub: a fine-grained token with Contents read and write; GitLab: a project access token with write_repository); the deploy commits the tested image's digest with it",
                        spec.branch
                    )
                } else if s == "KUBE_CONFIG" {
                    format!(
                        "a kubeconfig, base64-encoded, for a service account that may deploy to the {} namespace only",
                        spec.kube.namespace
                    )
                } else {
                    format!(
                        "lets the pipeline deploy to {target}; create it in {target} with access to this project only"
                    )
                },
            });
        }
        for v in &job.vars {
            add(Requirement {
                name: v.clone(),
                secret: false,
                place: job_store(&env, "Variables"),
                why: if v.ends_with("_URL") {
                    "the public address the smoke test calls after the deploy".into()
                } else {
                    format!("names the {target} app to deploy")
                },
            });
        }
    }
    // The registry's sign-in, for a pipeline that pushes an image (sites in buckets push none).
    if pipeline.jobs.iter().any(|j| j.kind == JobKind::Image) {
        if matches!(spec.ci, CiSystem::Jenkins | CiSystem::Circleci) && spec.image.is_none() {
            add(Requirement {
                name: "REGISTRY_IMAGE".into(),
                secret: false,
                place: store.into(),
                why: format!("the image to push, without a tag (for example {}/acme/app); or set image in slipway.toml's [deploy] table", match spec.registry {
                    Registry::Dockerhub => "docker.io",
                    Registry::Ecr => "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
                    Registry::Gar => "europe-docker.pkg.dev/project/repo",
                    Registry::Acr => "acme.azurecr.io",
                    _ => "ghcr.io",
                }),
            });
        }
        if spec.ci == CiSystem::Jenkins {
            add(Requirement {
                name: "registry".into(),
                secret: true,
                place: store.into(),
                why: "a user name and password (or token) credential that may push to the registry".into(),
            });
        }
        match (spec.registry, spec.ci) {
            (_, CiSystem::Jenkins) => {}
            (Registry::Dockerhub, _) => {
                add(Requirement {
                    name: "DOCKERHUB_USERNAME".into(),
                    secret: false,
                    place: store.into(),
                    why: "the Docker Hub account that pushes".into(),
                });
                add(Requirement {
                    name: "DOCKERHUB_NAMESPACE".into(),
                    secret: false,
                    place: store.into(),
                    why: "the Docker Hub namespace the image goes to".into(),
                });
                add(Requirement {
                    name: "DOCKERHUB_TOKEN".into(),
                    secret: true,
                    place: store.into(),
                    why: "a Docker Hub access token with write access to the repository (not the password)".into(),
                });
            }
            (Registry::Ecr, CiSystem::Github) => {
                for (n, why) in [
                    ("AWS_ACCOUNT_ID", "the account that holds the ECR repository"),
                    ("AWS_REGION", "the ECR repository's region"),
                    (
                        "AWS_ROLE_ARN",
                        "the IAM role the workflow assumes through OIDC; its trust policy pins this repository",
                    ),
                ] {
                    add(Requirement {
                        name: n.into(),
                        secret: false,
                        place: store.into(),
                        why: why.into(),
                    });
                }
            }
            (Registry::Gar, CiSystem::Github) => {
                for (n, why) in [
                    ("GAR_LOCATION", "the Artifact Registry region"),
                    ("GCP_PROJECT", "the Google Cloud project"),
                    ("GAR_REPOSITORY", "the Artifact Registry repository"),
                    (
                        "GCP_WIF_PROVIDER",
                        "the workload identity provider the workflow signs in through (OIDC)",
                    ),
                    ("GCP_PUSH_SERVICE_ACCOUNT", "the service account allowed to push"),
                ] {
                    add(Requirement {
                        name: n.into(),
                        secret: false,
                        place: store.into(),
                        why: why.into(),
                    });
                }
            }
            (Registry::Acr, CiSystem::Github) => {
                for (n, why) in [
                    ("ACR_NAME", "the registry's name"),
                    (
                        "AZURE_CLIENT_ID",
                        "the managed identity or app the workflow signs in as (OIDC)",
                    ),
                    ("AZURE_TENANT_ID", "the Microsoft Entra tenant"),
                    ("AZURE_SUBSCRIPTION_ID", "the subscription that holds the registry"),
                ] {
                    add(Requirement {
                        name: n.into(),
                        secret: false,
                        place: store.into(),
                        why: why.into(),
                    });
                }
            }
            (Registry::Ecr, _) => {
                for (n, secret, why) in [
                    ("AWS_ACCOUNT_ID", false, "the account that holds the ECR repository"),
                    ("AWS_REGION", false, "the ECR repository's region"),
                    (
                        "AWS_ACCESS_KEY_ID",
                        true,
                        "an IAM user's key that may push to this one ECR repository (ecr:GetAuthorizationToken and the push actions)",
                    ),
                    ("AWS_SECRET_ACCESS_KEY", true, "the secret half of that key"),
                ] {
                    add(Requirement {
                        name: n.into(),
                        secret,
                        place: store.into(),
                        why: why.into(),
                    });
                }
            }
            (Registry::Gar | Registry::Acr, c) | (Registry::Gitlab, c) if c != CiSystem::Gitlab && c != CiSystem::Github => {
                add(Requirement {
                    name: "REGISTRY_USER".into(),
                    secret: false,
                    place: store.into(),
                    why: match spec.registry {
                        Registry::Gar => "_json_key, to sign in to Artifact Registry with a service account key",
                        Registry::Acr => "the registry token's name (or a service principal's id) that may push",
                        _ => "a GitLab deploy token's user name that may push to the registry",
                    }
                    .into(),
                });
                add(Requirement {
                    name: "REGISTRY_PASSWORD".into(),
                    secret: true,
                    place: store.into(),
                    why: match spec.registry {
                        Registry::Gar => "the JSON key of a service account with Artifact Registry Writer on this repository",
                        Registry::Acr => "that token's password",
                        _ => "that deploy token (write_registry scope)",
                    }
                    .into(),
                });
            }
            (Registry::Ghcr, c) if c != CiSystem::Github => {
                add(Requirement {
                    name: "GHCR_NAMESPACE".into(),
                    secret: false,
                    place: store.into(),
                    why: "the GitHub owner and repository the image goes to (owner/repo, lower case)".into(),
                });
                add(Requirement {
                    name: "GHCR_TOKEN".into(),
                    secret: true,
                    place: store.into(),
                    why: "a GitHub token with write:packages, to push to ghcr.io from outside GitHub".into(),
                });
            }
            _ => {}
        }
    }
    // A site in a bucket reads its variables when the deploy job builds it: they are the
    // production environment's variables, and end up in the public files.
    if crate::cloud::site::any_in_bucket(spec) && spec.ci == CiSystem::Github {
        for svc in spec.services.iter().filter(|s| crate::cloud::site::in_bucket(spec, s)) {
            for e in svc.env.iter().filter(|e| !e.secret) {
                add(Requirement {
                    name: e.name.clone(),
                    secret: false,
                    place: job_store(spec.production(), "Variables"),
                    why: format!(
                        "{} reads it when the deploy job builds it; the value ends up in the public files, so never a secret",
                        svc.name
                    ),
                });
            }
        }
    }
    // What the deployed app itself reads, set on the platform, never in the pipeline.
    for target in &spec.targets {
        // A server's are the playbook's: it reads them where it runs and builds the databases'
        // URLs itself (its own checklist names them).
        if serves_files(*target) || *target == Target::Vm {
            continue;
        }
        for svc in spec
            .services
            .iter()
            .filter(|s| !(spec.ci == CiSystem::Github && crate::cloud::site::in_bucket(spec, s)))
        {
            for e in &svc.env {
                add(Requirement {
                    name: e.name.clone(),
                    secret: e.secret,
                    place: platform::variables_place(*target, svc),
                    why: match &e.backing {
                        Some(b) => format!(
                            "{} reads it to reach {b}; point it at the {b} the platform provides",
                            svc.name
                        ),
                        None => format!("{} reads it", svc.name),
                    },
                });
            }
        }
    }
    out
}

/// What the CI/CD family produced.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The pipeline, its companions, the platform files and the runbook.
    pub artifacts: Vec<crate::generate::Artifact>,
    /// The pipeline as a value, for the app's picture of it.
    pub pipeline: Pipeline,
    /// The secrets and variables to create.
    pub requirements: Vec<Requirement>,
}

/// The pipeline for `spec.ci`, the platform files and the runbook. `build_images` gives each
/// service's Dockerfile build image by name. A CI system without a writer yet is an error in
/// words.
pub fn generate(spec: &DeploySpec, build_images: &[(String, String)]) -> Result<Generated, String> {
    use crate::generate::Artifact;
    let pipeline = plan(spec, build_images);
    let mut artifacts = Vec::new();
    match spec.ci {
        CiSystem::Github => {
            artifacts.push(Artifact {
                path: github::PATH.into(),
                content: github::write(spec, &pipeline),
                purpose: "lints, tests against real service containers, builds and pushes the image, and deploys from the deploy branch only".into(),
                step: "pipeline".into(),
            });
            if let Some(content) = github::release(spec, &pipeline) {
                artifacts.push(Artifact {
                    path: ".github/workflows/release.yml".into(),
                    content,
                    purpose: "pushes versioned images when a v1.2.3 tag is pushed, built without caches".into(),
                    step: "pipeline".into(),
                });
            }
            for (path, content) in github::rollbacks(spec, &pipeline) {
                artifacts.push(Artifact {
                    path,
                    content,
                    purpose: "rolls production back to the previous release, run by hand".into(),
                    step: "pipeline".into(),
                });
            }
            artifacts.push(Artifact {
                path: ".github/dependabot.yml".into(),
                content: github::dependabot(spec),
                purpose: "keeps the pinned actions, base images and dependencies current, a week after each release".into(),
                step: "pipeline".into(),
            });
        }
        CiSystem::Gitlab => artifacts.push(Artifact {
            path: gitlab::PATH.into(),
            content: gitlab::write(spec, &pipeline),
            purpose: "lints, tests against real service containers, builds and pushes the image, and deploys from the deploy branch only".into(),
            step: "pipeline".into(),
        }),
        CiSystem::Jenkins => artifacts.push(Artifact {
            path: jenkins::PATH.into(),
            content: jenkins::write(spec, &pipeline),
            purpose: "a declarative Jenkins pipeline: lint, tests against real service containers, the image, and deploys from the deploy branch only".into(),
            step: "pipeline".into(),
        }),
        CiSystem::Circleci => artifacts.push(Artifact {
            path: circleci::PATH.into(),
            content: circleci::write(spec, &pipeline),
            purpose: "a CircleCI workflow: lint, tests against real service containers, the image, and deploys from the deploy branch only".into(),
            step: "pipeline".into(),
        }),
    }
    if spec.ci != CiSystem::Github {
        // Dependabot is GitHub's; Renovate reads GitLab, Jenkins and CircleCI projects alike,
        // and keeps the pinned images and dependencies current the same way.
        artifacts.push(Artifact {
            path: "renovate.json".into(),
            content: renovate(),
            purpose: "lets Renovate keep the pinned images, tools and dependencies current, a week after each release"
                .into(),
            step: "pipeline".into(),
        });
    }
    artifacts.extend(platform::files(spec));
    let requirements = requirements(spec, &pipeline);
    artifacts.push(crate::generate::Artifact {
        path: "docs/deploy.md".into(),
        content: runbook(spec, &pipeline, &requirements),
        purpose: "the runbook: the first deploy, the secrets to create, and how to roll back".into(),
        step: "runbook".into(),
    });
    Ok(Generated {
        artifacts,
        pipeline,
        requirements,
    })
}

/// Renovate's configuration: its recommended presets, each update a week after its release
/// (as the Dependabot file does on GitHub), images pinned by digest left to it.
fn renovate() -> String {
    let value = serde_json::json!({
        "$schema": "https://docs.renovatebot.com/renovate-schema.json",
        "extends": ["config:recommended"],
        "minimumReleaseAge": "7 days",
        "labels": ["dependencies"],
    });
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialise");
    text.push('\n');
    text
}

/// How to undo a bad deploy on `target`.
fn rollback(spec: &DeploySpec, target: Target, svc: &ServiceSpec) -> String {
    let app = slug(&svc.name);
    match target {
        Target::Railway => "In Railway, open the service's Deployments, pick the last good one and choose Rollback. A deploy whose health check fails never takes traffic, so the previous one keeps serving.".into(),
        Target::Fly => format!(
            "List the releases with `flyctl releases --app {app} --image`, then deploy the last good image again: `flyctl deploy --app {app} --image <image>`. A deploy whose health checks fail stops before it replaces the healthy machines."
        ),
        Target::Render => "In Render, open the service's Events, pick the last good deploy and choose Rollback. A deploy whose health check fails never takes traffic.".into(),
        Target::Heroku => "run the Roll back workflow (GitHub Actions) or `heroku rollback --app \"$HEROKU_APP\"`: both return to the previous release.".into(),
        Target::Vercel => "run the Roll back workflow (GitHub Actions) or `vercel rollback`: both return production to the previous deployment; `vercel promote <url>` picks another.".into(),
        Target::Netlify => "In Netlify, open Deploys, pick the last good deploy and choose Publish deploy.".into(),
        Target::Kubernetes if spec.kube.gitops != crate::params::GitOps::None => "revert the deploy's commit (`git revert <commit>`, the one named \"Deploy <service> to <environment>\") and push: the GitOps controller syncs the previous digest. A rollout whose pods never become ready stays on the old pods.".into(),
        Target::Kubernetes => "the deploy undoes a rollout whose pods never become ready (`kubectl rollout undo`); by hand, `kubectl -n <namespace> rollout undo deployment/<name>` returns to the previous ReplicaSet, `rollout history` lists them.".into(),
        _ => "Deploy the previous image digest again.".into(),
    }
}

/// `docs/deploy.md`: the first deploy, the secrets to create, and how to roll back.
pub fn runbook(spec: &DeploySpec, pipeline: &Pipeline, requirements: &[Requirement]) -> String {
    use std::fmt::Write as _;
    let mut f = String::new();
    let ci = spec.ci.label();
    let _ = writeln!(f, "# Deploying\n");
    let _ = writeln!(
        f,
        "Written by Slipway. The pipeline ({ci}) lints and tests every change; on `{}` it also builds the image, pushes it to the {} and deploys{}.\n",
        pipeline.branch,
        spec.registry.label(),
        if spec.targets.is_empty() {
            String::new()
        } else {
            format!(
                " to {}",
                spec.targets.iter().map(|t| t.label()).collect::<Vec<_>>().join(" and ")
            )
        }
    );
    let _ = writeln!(f, "## Before the first deploy\n");
    let _ = writeln!(
        f,
        "Create each of these. Slipway never writes a secret's value into a file; the pipeline reads them by name.\n"
    );
    let _ = writeln!(f, "| Name | Kind | Where | Why |\n| --- | --- | --- | --- |");
    for r in requirements {
        let _ = writeln!(
            f,
            "| `{}` | {} | {} | {} |",
            r.name,
            if r.secret { "secret" } else { "variable" },
            r.place,
            r.why
        );
    }
    if requirements.is_empty() {
        let _ = writeln!(f, "| (none) | | | |");
    }
    for t in &spec.targets {
        let _ = writeln!(f, "\n### {}\n", t.label());
        let first = match t {
            Target::Railway => "Create a project and one service per app in Railway, then a project token (Project settings, Tokens) scoped to the environment; that token is `RAILWAY_TOKEN`.",
            Target::Fly => "Create the app once with `flyctl apps create <name>`, then a deploy token limited to it: `flyctl tokens create deploy --app <name> --expiry 720h`; that token is `FLY_API_TOKEN`.",
            Target::Render => "Apply `render.yaml` once (New, Blueprint), then copy each service's deploy hook (Settings, Deploy Hook) into `RENDER_DEPLOY_HOOK_URL`.",
            Target::Heroku => "Create the app with `heroku create <name> --stack container`; `HEROKU_API_KEY` is a token from `heroku authorizations:create`.",
            Target::Vercel => "Link the project once with `vercel link`; `.vercel/project.json` holds the org and project ids.",
            Target::Netlify => "Create the site once with `netlify sites:create`; its id is `NETLIFY_SITE_ID`.",
            Target::Kubernetes if spec.kube.gitops != crate::params::GitOps::None => "The cluster pulls from git: apply the files in gitops/ once (docs/kubernetes.md says how), then create `GITOPS_TOKEN`, a token that may push to the deploy branch; the deploy commits the tested image's digest with it, and the controller rolls it out. The pipeline holds no cluster credential.",
            Target::Kubernetes => "Create a ServiceAccount that may manage this app's namespace only (a Role with the kinds in k8s/ and a RoleBinding), then a kubeconfig for it; `base64 -w0 kubeconfig` is `KUBE_CONFIG`. docs/kubernetes.md lists what the cluster needs and the Secrets to create before the first deploy.",
            _ => "",
        };
        let _ = writeln!(f, "{first}");
    }
    let _ = writeln!(f, "\n## How a deploy runs\n");
    for env in &spec.environments {
        let _ = writeln!(
            f,
            "- `{}`: {}after the image is pushed; one deploy at a time, never cancelled half way; afterwards the pipeline calls the health path and, when the app does not answer, rolls back where the platform's command line can (Heroku, Vercel) and fails.",
            env.name,
            if env.approval { "waits for a person's approval, then runs " } else { "runs " }
        );
    }
    if spec.environments.iter().any(|e| e.approval) && spec.ci == CiSystem::Github {
        let _ = writeln!(
            f,
            "\nThe approval is a required reviewer on the GitHub environment (Settings, Environments, {}); on a private repository that needs GitHub Team or Enterprise.",
            spec.production()
        );
    }
    let _ = writeln!(f, "\n## Rolling back\n");
    for t in &spec.targets {
        for svc in spec.services.iter().filter(|s| fits(*t, s)) {
            let _ = writeln!(f, "- {} on {}: {}", svc.name, t.label(), rollback(spec, *t, svc));
        }
    }
    if spec.targets.is_empty() {
        let _ = writeln!(
            f,
            "- No deploy target yet: every image is tagged with its commit, so any earlier one can be deployed again."
        );
    }
    let _ = writeln!(f, "\n## How {ci} runs each part\n");
    let _ = writeln!(
        f,
        "The same pipeline can be written for GitHub Actions, GitLab CI, Jenkins or CircleCI; here is how this one does each part, and where it does less than the others.\n"
    );
    let _ = writeln!(f, "| Part | How | Falls short |\n| --- | --- | --- |");
    for p in &pipeline.parity {
        let _ = writeln!(
            f,
            "| {} | {} | {} |",
            p.capability,
            p.how,
            if p.gap { "yes" } else { "" }
        );
    }
    if !pipeline.notes.is_empty() {
        let _ = writeln!(f, "\n## Notes\n");
        for n in &pipeline.notes {
            let _ = writeln!(f, "- {n}");
        }
    }
    f
}
