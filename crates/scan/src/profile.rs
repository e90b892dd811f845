use serde::{Deserialize, Serialize};

/// Everything Slipway learned about a project folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectProfile {
    /// The project folder as given, absolute.
    pub root: String,
    /// Every service found, each with its own path.
    pub services: Vec<ServiceProfile>,
    /// Deployment and CI files that already exist.
    pub infrastructure: Vec<InfraFile>,
    /// Repository facts, or `None` when the folder is not in a git repository.
    pub git: Option<GitFacts>,
    /// Packages that were looked at and are not deployable services (libraries, workspace
    /// roots), with the reason; `slipway.toml` can turn one into a service.
    #[serde(default)]
    pub skipped: Vec<Skipped>,
    /// Problems met along the way; the scan went on past each of them.
    #[serde(default)]
    pub warnings: Vec<ScanWarning>,
    /// The `[deploy]` table of `slipway.toml`, as written (values of the wrong type are left
    /// out with a warning naming the line).
    #[serde(default, skip_serializing_if = "DeploySettings::is_empty")]
    pub deploy: DeploySettings,
    /// The ingress class the project's own Kubernetes manifests route through, so generated
    /// Ingresses join the controller the cluster already runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_class: Option<FoundValue>,
}

/// A value read from one of the project's files, with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct FoundValue {
    /// The value as written, without quotes.
    pub value: String,
    /// File relative to the project root.
    pub file: String,
    /// 1-based line.
    pub line: u32,
}

/// What the person set in the `[deploy]` table of `slipway.toml`. The deployment spec reads
/// it first: it wins over what the task says and what the project shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DeploySettings {
    /// `ci`: github, gitlab, jenkins or circleci.
    pub ci: Option<String>,
    /// `registry`: ghcr, gitlab, dockerhub, ecr, gar or acr.
    pub registry: Option<String>,
    /// `image`: the image name to push, without a tag (`ghcr.io/acme/api`).
    pub image: Option<String>,
    /// `targets`: where to deploy (railway, fly, render, heroku, vercel, netlify).
    pub targets: Vec<String>,
    /// `branch`: the branch deploys run from.
    pub branch: Option<String>,
    /// `strategy`: rolling, blue-green or canary.
    pub strategy: Option<String>,
    /// `environments`: staging, production.
    pub environments: Vec<String>,
    /// `approval`: a manual approval before production.
    pub approval: Option<bool>,
    /// `min_replicas`.
    pub min_replicas: Option<u32>,
    /// `max_replicas`.
    pub max_replicas: Option<u32>,
    /// `cpu_percent`: the CPU utilisation to scale at.
    pub cpu_percent: Option<u32>,
    /// `host`: the public host name.
    pub host: Option<String>,
    /// `replicas`: the replica count when nothing autoscales.
    pub replicas: Option<u32>,
    /// `autoscale`: a HorizontalPodAutoscaler between min and max replicas.
    pub autoscale: Option<bool>,
    /// `ha`: spread over nodes and zones, never fewer than two replicas.
    pub ha: Option<bool>,
    /// `vpa`: a VerticalPodAutoscaler in recommendation mode.
    pub vpa: Option<bool>,
    /// The Kubernetes text settings, by field: `namespace`, `packaging`, `route`,
    /// `ingress_class`, `tls_issuer`, `acme_email`, `cpu_request`, `memory_request`,
    /// `cpu_limit`, `memory_limit`.
    pub kube: std::collections::BTreeMap<String, String>,
    /// The line of each field set, for citing it.
    pub lines: std::collections::BTreeMap<String, u32>,
}

impl DeploySettings {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// A package folder that is not a service, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Skipped {
    /// The folder, relative to the project root.
    pub path: String,
    /// Why it is not treated as a service.
    pub reason: String,
}

/// The monorepo a service belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceFacts {
    /// The workspace root folder, relative to the project root (`"."` for the root).
    pub root: String,
    /// What ties it together: `npm`, `yarn`, `pnpm`, `bun`, `turborepo`, `nx`, `go`, `cargo`,
    /// `maven`, `gradle`, `sbt`, `dotnet`.
    pub tool: String,
    /// The shared lockfile, relative to the project root.
    pub lockfile: Option<String>,
}

/// One deployable service inside the project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceProfile {
    /// A short name, from the manifest or the folder.
    pub name: String,
    /// The service's folder relative to the project root, `"."` for the root itself.
    pub path: String,
    /// How it runs: `web` (a server on a port), `static` (files a web server serves) or
    /// `worker` (a process that listens on no port).
    pub kind: String,
    /// Lowercase language id: `node`, `python`, `go`, ...
    pub language: Option<String>,
    /// Lowercase framework id: `nextjs`, `fastapi`, ...
    pub framework: Option<String>,
    /// Package manager id: `npm`, `yarn`, `pnpm`, `bun`, ...
    pub package_manager: Option<String>,
    /// The lockfile that pins the dependencies, relative to the service folder.
    pub lockfile: Option<String>,
    /// The runtime version the project asks for, as written (`20`, `20.11.1`), or resolved from
    /// a range to the newest long-term-support release inside it.
    pub runtime_version: Option<String>,
    /// The port the service listens on in production.
    pub port: Option<u16>,
    /// Command that installs dependencies reproducibly.
    pub install_command: Option<String>,
    /// Command that builds the production output.
    pub build_command: Option<String>,
    /// Command that starts the service in production.
    pub start_command: Option<String>,
    /// Databases, caches and brokers the service needs: `postgres`, `redis`, ...
    pub backing_services: Vec<String>,
    /// Names of the environment variables the service reads (never their values).
    #[serde(default)]
    pub env_vars: Vec<String>,
    /// The HTTP path of a health endpoint the code defines, such as `/healthz`.
    #[serde(default)]
    pub health_path: Option<String>,
    /// The HTTP path of a readiness endpoint ("can take traffic now"), such as `/ready`, when
    /// the code defines one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_path: Option<String>,
    /// The folder inside the container where the service keeps data that must survive a
    /// restart (set in `slipway.toml` as `data_path`): on Kubernetes it runs as a StatefulSet
    /// with its own volume there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_path: Option<String>,
    /// The HTTP path where the service serves its Prometheus metrics, such as `/metrics`, when
    /// its code uses a metrics library (or `slipway.toml` sets `metrics_path`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_path: Option<String>,
    /// The metrics library the code uses (`prometheus-fastapi-instrumentator`, `prom-client`,
    /// `micrometer`, ...): it decides the names of the request metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_library: Option<String>,
    /// Health or readiness paths whose handler reaches a database, cache or another service:
    /// never a liveness probe, or a dependency's hiccup restarts every pod.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deep_health_paths: Vec<String>,
    /// What the build produces for the runtime: a folder of static files (`dist`), a binary
    /// or a jar, relative to the service folder.
    #[serde(default)]
    pub artifact: Option<String>,
    /// Command that installs the dependencies a pipeline's lint and test steps need (the
    /// development tools included), run in the service folder.
    #[serde(default)]
    pub ci_install_command: Option<String>,
    /// The linters and format checks the project configures, each a command run in the
    /// service folder, in the order a pipeline runs them.
    #[serde(default)]
    pub lint_commands: Vec<String>,
    /// The project's own test command, with coverage where the stack's usual tool is there.
    #[serde(default)]
    pub test_command: Option<String>,
    /// The coverage report the test command writes, relative to the service folder.
    #[serde(default)]
    pub coverage_report: Option<String>,
    /// The monorepo this service is part of, when it is part of one.
    #[serde(default)]
    pub workspace: Option<WorkspaceFacts>,
    /// Fields set by the user in `slipway.toml` rather than detected.
    #[serde(default)]
    pub corrected: Vec<String>,
    /// Why each of the above was concluded.
    pub evidence: Vec<Evidence>,
    /// Facts specific to Next.js, present when the framework is Next.js.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nextjs: Option<NextjsFacts>,
}

impl ServiceProfile {
    /// A service with only its name and path known.
    pub fn new(name: impl Into<String>, path: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            path: path.into(),
            kind: "web".into(),
            language: None,
            framework: None,
            package_manager: None,
            lockfile: None,
            runtime_version: None,
            port: None,
            install_command: None,
            build_command: None,
            start_command: None,
            backing_services: Vec::new(),
            env_vars: Vec::new(),
            health_path: None,
            readiness_path: None,
            data_path: None,
            metrics_path: None,
            metrics_library: None,
            deep_health_paths: Vec::new(),
            artifact: None,
            ci_install_command: None,
            lint_commands: Vec::new(),
            test_command: None,
            coverage_report: None,
            workspace: None,
            corrected: Vec::new(),
            evidence: Vec::new(),
            nextjs: None,
        }
    }

    /// Records why a conclusion was reached.
    pub fn cite(&mut self, file: impl Into<String>, line: Option<u32>, reason: impl Into<String>) {
        self.evidence.push(Evidence {
            file: file.into(),
            line,
            reason: reason.into(),
        });
    }
}

/// Next.js specifics that change how the app is packaged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct NextjsFacts {
    /// `output: "standalone"` is set in the Next.js config.
    pub standalone: bool,
    /// The Next.js config file, when there is one.
    pub config_file: Option<String>,
    /// The project has a `public/` folder to ship.
    pub has_public_dir: bool,
}

/// One reason behind a conclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Evidence {
    /// File relative to the project root.
    pub file: String,
    /// 1-based line, when the reason sits on one line.
    pub line: Option<u32>,
    /// What was concluded from it, in words.
    pub reason: String,
}

/// An existing infrastructure file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct InfraFile {
    /// Kind id: `dockerfile`, `compose`, `github-actions`, ...
    pub kind: String,
    /// Path relative to the project root.
    pub path: String,
}

/// A problem the scan met and stepped over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ScanWarning {
    /// The file or folder concerned, relative to the project root.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// Facts about the git repository that holds the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct GitFacts {
    /// The current branch, `None` on a detached HEAD.
    pub branch: Option<String>,
    /// Configured remotes; credentials in URLs are redacted.
    pub remotes: Vec<GitRemote>,
    /// The last commits on HEAD, newest first (at most 10).
    pub recent_commits: Vec<GitCommitSummary>,
    /// Number of paths with uncommitted changes (untracked included).
    #[ts(type = "number")]
    pub uncommitted_changes: usize,
}

/// A configured git remote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct GitRemote {
    /// Remote name, such as `origin`.
    pub name: String,
    /// Fetch URL with any password removed.
    pub url: String,
    /// `github`, `gitlab`, `bitbucket`, `azure`, `codeberg`, `local` or `other`.
    pub host: String,
}

/// One commit in the recent history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct GitCommitSummary {
    /// Abbreviated commit id.
    pub id: String,
    /// First line of the message.
    pub summary: String,
    /// Author name.
    pub author: String,
}
