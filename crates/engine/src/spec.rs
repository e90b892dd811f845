//! The deployment spec: one plain value every generator family reads, so that a port, an
//! image, a health path or a secret name is decided once and is the same in every file.
//!
//! It is built from three sources, in this order of trust: what the person set in
//! `slipway.toml` (`[deploy]` and the per-service tables, already applied to the profile by the
//! scan), what the task says ([`TaskParams`]), and what the project shows (the git remote's
//! host, the pipeline and platform files that exist). Each field remembers where it came from,
//! which is what the app shows as "What Slipway understood".

use serde::{Deserialize, Serialize};
use slipway_scan::{ProjectProfile, ServiceProfile};

use crate::params::{
    is_dns_name, Backing, Charts, Choice, CiSystem, GitOps, Mesh, Packaging, Registry, Rollouts, Route, Strategy,
    Target, TaskParams,
};

/// Where a field's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SpecField {
    /// The field, as `slipway.toml`'s `[deploy]` table names it (`ci`, `targets`, ...).
    pub field: String,
    /// The value in words.
    pub value: String,
    /// `slipway.toml`, `task`, `project` or `default`.
    pub source: String,
    /// Why, in words: the line, the words of the task, the file.
    pub why: String,
}

/// A variable the deployed service reads, and whether its value is a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvSpec {
    /// The variable's name.
    pub name: String,
    /// True when the value is a credential (a password, a token, a URL with one in it).
    pub secret: bool,
    /// The backing service it points at, when it does (`postgres` for `DATABASE_URL`).
    pub backing: Option<String>,
}

/// What one service needs, for every family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    /// The service's name, as the platforms and the pipeline call it.
    pub name: String,
    /// Its folder, relative to the project root (`.` for the root).
    pub path: String,
    /// `web`, `static` or `worker`.
    pub kind: String,
    /// Its language id.
    pub language: Option<String>,
    /// Its framework id.
    pub framework: Option<String>,
    /// The image name without registry host or tag: `<repository>` or `<repository>/<name>`.
    pub image_name: String,
    /// The Dockerfile the pipeline builds, relative to the root.
    pub dockerfile: String,
    /// The build context, relative to the root.
    pub context: String,
    /// The port it listens on.
    pub port: Option<u16>,
    /// The health path the platform and the smoke test call.
    pub health_path: Option<String>,
    /// Where it keeps data that must survive a restart: it then owns a volume.
    pub data_path: Option<String>,
    /// Where it serves Prometheus metrics, when its code exports them.
    pub metrics: Option<MetricsSpec>,
    /// The readiness path, when the code defines one apart from health.
    pub readiness_path: Option<String>,
    /// Health or readiness paths whose handler reaches a dependency: never liveness probes.
    pub deep_health_paths: Vec<String>,
    /// The variables it reads.
    pub env: Vec<EnvSpec>,
    /// Databases, caches and brokers it needs.
    pub backing_services: Vec<String>,
    /// Runtime version the project asks for.
    pub runtime_version: Option<String>,
    /// Package manager id.
    pub package_manager: Option<String>,
    /// Lockfile, relative to the service folder.
    pub lockfile: Option<String>,
    /// Installs the production dependencies (what the Dockerfile runs).
    pub install: Option<String>,
    /// Installs what lint and test need.
    pub ci_install: Option<String>,
    /// Lint and format checks, in order.
    pub lint: Vec<String>,
    /// The test command.
    pub test: Option<String>,
    /// The coverage report the test command writes, relative to the service folder.
    pub coverage_report: Option<String>,
    /// Build command, for frontends a platform builds itself.
    pub build: Option<String>,
    /// The static output folder, for static sites.
    pub output: Option<String>,
    /// The migration command to run before the new version takes traffic.
    pub migrate: Option<String>,
    /// Folders whose changes concern this service (its own, and shared lockfiles).
    pub paths: Vec<String>,
}

/// Where a service serves its Prometheus metrics, and what they count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MetricsSpec {
    /// The HTTP path, on the service's own port.
    pub path: String,
    /// The library that exports them, as the scan names it; none when `slipway.toml` names the
    /// path of metrics the code exports by itself.
    pub library: Option<String>,
    /// The counter of HTTP requests the library exports, when it counts them by itself.
    pub requests: Option<RequestMetric>,
}

/// A counter of HTTP requests, and which of its series are server errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RequestMetric {
    /// The counter's name: `http_requests_total`.
    pub counter: String,
    /// The label matcher of the answers with a server error: `status=~"5.."`.
    pub errors: String,
}

/// The Prometheus that a rollout's checks ask, and how its Prometheus Operator finds the
/// scrape objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PrometheusSpec {
    /// Its address inside the cluster.
    pub url: String,
    /// The `release` label its PodMonitor selector asks for.
    pub release: String,
}

/// A deploy environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentSpec {
    /// `staging` or `production`, or the name set.
    pub name: String,
    /// True when a person approves before the deploy runs.
    pub approval: bool,
}

/// Replica and CPU numbers, for the families that scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Scaling {
    /// Fewest replicas.
    pub min_replicas: u32,
    /// Most replicas.
    pub max_replicas: u32,
    /// CPU utilisation to scale at, in percent.
    pub cpu_percent: u32,
}

/// CPU and memory for each container, as Kubernetes quantities (`250m`, `256Mi`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    /// CPU the scheduler reserves.
    pub cpu_request: String,
    /// Memory the scheduler reserves.
    pub memory_request: String,
    /// CPU the container may use at most.
    pub cpu_limit: String,
    /// Memory the container may use at most.
    pub memory_limit: String,
}

/// What the Kubernetes family reads beyond the shared fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KubeSpec {
    /// Plain manifests, a Helm chart or Kustomize overlays.
    pub packaging: Packaging,
    /// The namespace every object goes in.
    pub namespace: String,
    /// Replicas when nothing autoscales.
    pub replicas: u32,
    /// A HorizontalPodAutoscaler owns the replica count, between the scaling bounds.
    pub autoscale: bool,
    /// Spread over nodes and zones, never fewer than two replicas.
    pub ha: bool,
    /// A VerticalPodAutoscaler in recommendation mode.
    pub vpa: bool,
    /// Per container.
    pub resources: Resources,
    /// Ingress or Gateway API.
    pub route: Route,
    /// The ingress controller's class.
    pub ingress_class: String,
    /// The cert-manager ClusterIssuer that signs the host's certificate.
    pub tls_issuer: String,
    /// The ACME account's e-mail, when set.
    pub acme_email: Option<String>,
    /// The External Secrets `ClusterSecretStore` the Secrets are synced from; none when the
    /// person creates them by hand.
    pub secret_store: Option<String>,
    /// The service mesh the pods join; with a canary it splits requests inside the cluster.
    pub mesh: Mesh,
    /// Who applies the files: the pipeline, or Argo CD or Flux from git.
    pub gitops: GitOps,
    /// How the GitOps controller syncs.
    pub sync: SyncSpec,
    /// What carries out a blue-green or canary: Argo Rollouts, or the pipeline with kubectl.
    pub rollouts: Rollouts,
    /// Where the databases and caches run: managed outside, or StatefulSets for a dev cluster.
    pub backing: Backing,
    /// A chart per service, or one umbrella chart for a monorepo's services.
    pub charts: Charts,
    /// The Prometheus whose error rates a canary or blue-green checks, when a service exports
    /// request metrics; none when nothing reads them.
    pub prometheus: Option<PrometheusSpec>,
}

/// Where and how the services run on a cloud, for the infrastructure-as-code family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CloudSpec {
    /// `aws`, `gcp` or `azure`.
    pub provider: String,
    /// The language the infrastructure is written in: `terraform` or `pulumi`.
    pub iac: String,
    /// The language of a Pulumi program: `typescript` or `python`.
    pub language: String,
    /// The region everything is created in.
    pub region: String,
    /// CPU units of each task (1024 = one vCPU).
    pub task_cpu: u32,
    /// Memory of each task, MiB.
    pub task_memory: u32,
    /// The database's instance class.
    pub db_class: String,
    /// The database's storage, GiB (it grows by itself up to five times this).
    pub db_storage_gb: u32,
    /// Days of automated backups, which is also how far back point-in-time recovery reaches.
    pub backup_days: u32,
    /// A standby database and cache in a second zone that takes over by itself.
    pub multi_az: bool,
    /// The network's address range.
    pub vpc_cidr: String,
    /// How much data may be lost at most, in minutes: the recovery point objective.
    pub rpo_minutes: u32,
    /// How long a recovery may take at most, in minutes: the recovery time objective.
    pub rto_minutes: u32,
    /// A second region the database's backups are copied to, when asked.
    pub backup_region: Option<String>,
    /// Days the logs are kept.
    pub log_days: u32,
    /// The server the infrastructure creates when the services run on a virtual machine
    /// that Ansible configures ("a VM on AWS"); none when they run on the cloud's containers.
    pub server: Option<ServerSpec>,
    /// The Kubernetes cluster the infrastructure creates when the services run on the cloud's
    /// managed Kubernetes ("EKS", "GKE", "AKS"); none otherwise.
    pub cluster: Option<ClusterSpec>,
}

/// A managed Kubernetes cluster: EKS in Auto Mode, GKE Autopilot, or AKS with an autoscaled
/// node pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSpec {
    /// The Kubernetes minor version EKS runs (`1.35`); GKE and AKS follow a release channel.
    pub version: String,
    /// The nodes' size on AKS (`Standard_D2ds_v5`); EKS Auto Mode and Autopilot size their own.
    pub node_size: Option<String>,
    /// The most nodes AKS's autoscaler adds; it keeps one per zone at least.
    pub max_nodes: u32,
}

/// A virtual machine on a cloud: its size and its disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ServerSpec {
    /// The machine's size: `t3.small`, `e2-small`, `Standard_B2s`.
    pub size: String,
    /// The disk, GiB: the system, Docker's images and the databases' volumes.
    pub disk_gb: u32,
}

/// How a GitOps controller keeps the cluster as git says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncSpec {
    /// Every commit is applied without a person starting the sync.
    pub automated: bool,
    /// Objects removed from git are removed from the cluster.
    pub prune: bool,
    /// Changes made in the cluster by hand are reverted.
    pub self_heal: bool,
}

/// The whole deployment, as every family reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DeploySpec {
    /// The CI system the pipeline is written for.
    pub ci: CiSystem,
    /// The registry images are pushed to.
    pub registry: Registry,
    /// An image name set by the person, replacing the registry's default naming.
    pub image: Option<String>,
    /// Where the services are deployed; empty for build and push only.
    pub targets: Vec<Target>,
    /// Environments, in promotion order; the last is production.
    pub environments: Vec<EnvironmentSpec>,
    /// The branch deploys run from.
    pub branch: String,
    /// How a new version replaces the old.
    pub strategy: Strategy,
    /// Replicas and CPU.
    pub scaling: Scaling,
    /// The public host name, when one is set.
    pub host: Option<String>,
    /// The Kubernetes settings.
    pub kube: KubeSpec,
    /// The cloud the services run on and how its infrastructure is written, when a cloud is a
    /// target (AWS: ECS on Fargate, in Terraform).
    pub cloud: Option<CloudSpec>,
    /// The services, in the profile's order.
    pub services: Vec<ServiceSpec>,
    /// Where each project-level field came from.
    pub fields: Vec<SpecField>,
    /// What could not be honoured, in words (a strategy a platform does not offer, a value
    /// in `slipway.toml` that is not valid).
    pub notes: Vec<String>,
    /// Values that make no deployment (a host that is not a DNS name, fewer replicas at
    /// most than at least, a CPU target outside 1 to 100): the run refuses them, in these
    /// words, before anything is generated.
    pub errors: Vec<String>,
}

impl DeploySpec {
    /// The production environment's name (the last one).
    pub fn production(&self) -> &str {
        self.environments.last().map_or("production", |e| e.name.as_str())
    }

    /// True when the project has more than one service.
    pub fn is_monorepo(&self) -> bool {
        self.services.len() > 1
    }
}

/// True when a variable of this name holds a credential.
pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "PRIVATE",
        "CREDENTIAL",
        "API_KEY",
        "_KEY",
        "DSN",
        "AUTH",
    ]
    .iter()
    .any(|w| n.contains(w))
        || n.ends_with("_URL")
            && ["DATABASE", "REDIS", "MONGO", "AMQP", "RABBIT", "POSTGRES", "MYSQL"]
                .iter()
                .any(|w| n.contains(w))
        || n.ends_with("_URI") && ["MONGO", "DATABASE", "REDIS"].iter().any(|w| n.contains(w))
}

fn backing_of(name: &str, backing: &[String]) -> Option<String> {
    let n = name.to_ascii_uppercase();
    let pick = |id: &str| backing.iter().find(|b| b.as_str() == id).cloned();
    if n.contains("DATABASE") || n.contains("POSTGRES") || n.starts_with("PG") {
        pick("postgres").or_else(|| pick("mysql"))
    } else if n.contains("REDIS") {
        pick("redis")
    } else if n.contains("MONGO") {
        pick("mongodb")
    } else if n.contains("MYSQL") {
        pick("mysql")
    } else {
        None
    }
}

/// The migration command a framework's projects run, when the profile shows one.
fn migration(s: &ServiceProfile) -> Option<String> {
    let start = s.start_command.as_deref().unwrap_or("");
    if start.contains("prisma migrate deploy") {
        return Some("npx prisma migrate deploy".into());
    }
    let cites = |needle: &str| {
        s.evidence
            .iter()
            .any(|e| e.reason.contains(needle) || e.file.contains(needle))
    };
    match s.framework.as_deref() {
        Some("django") => Some("python manage.py migrate --noinput".into()),
        Some("rails") => Some("bin/rails db:migrate".into()),
        Some("laravel") => Some("php artisan migrate --force".into()),
        _ if cites("alembic") => Some("alembic upgrade head".into()),
        _ => None,
    }
}

fn service_spec(s: &ServiceProfile, profile: &ProjectProfile) -> ServiceSpec {
    let many = profile.services.len() > 1;
    let image_name = if many { s.name.clone() } else { String::new() };
    let in_dir = |name: &str| {
        if s.path == "." {
            name.to_string()
        } else {
            format!("{}/{name}", s.path)
        }
    };
    // Workspace members build from the workspace root with their own Dockerfile.
    let context = match &s.workspace {
        Some(ws) if ws.tool != "go" => ws.root.clone(),
        _ => s.path.clone(),
    };
    let mut env: Vec<EnvSpec> = s
        .env_vars
        .iter()
        .filter(|n| n.as_str() != "PORT")
        .map(|n| EnvSpec {
            name: n.clone(),
            secret: is_secret_name(n),
            backing: backing_of(n, &s.backing_services),
        })
        .collect();
    // A backing service the code reaches through a URL it reads: name the URL it expects.
    for b in &s.backing_services {
        let var = match b.as_str() {
            "postgres" | "mysql" => "DATABASE_URL",
            "redis" => "REDIS_URL",
            "mongodb" => "MONGODB_URI",
            _ => continue,
        };
        if !env.iter().any(|e| e.backing.as_deref() == Some(b.as_str())) && !env.iter().any(|e| e.name == var) {
            env.push(EnvSpec {
                name: var.into(),
                secret: true,
                backing: Some(b.clone()),
            });
        }
    }
    env.sort_by(|a, b| a.name.cmp(&b.name));
    let mut paths = vec![if s.path == "." { ".".to_string() } else { s.path.clone() }];
    if let Some(ws) = &s.workspace {
        if let Some(lock) = &ws.lockfile {
            paths.push(lock.clone());
        }
    }
    ServiceSpec {
        name: s.name.clone(),
        path: s.path.clone(),
        kind: s.kind.clone(),
        language: s.language.clone(),
        framework: s.framework.clone(),
        image_name,
        dockerfile: in_dir("Dockerfile"),
        context: if context.is_empty() { ".".into() } else { context },
        port: s.port,
        health_path: s.health_path.clone(),
        data_path: s.data_path.clone(),
        metrics: s.metrics_path.clone().map(|path| MetricsSpec {
            path,
            library: s.metrics_library.clone(),
            requests: s
                .metrics_library
                .as_deref()
                .and_then(crate::knowledge::request_metric)
                .map(|(counter, errors)| RequestMetric {
                    counter: counter.into(),
                    errors: errors.into(),
                }),
        }),
        readiness_path: s.readiness_path.clone().filter(|r| s.health_path.as_ref() != Some(r)),
        deep_health_paths: s.deep_health_paths.clone(),
        env,
        backing_services: s.backing_services.clone(),
        runtime_version: s.runtime_version.clone(),
        package_manager: s.package_manager.clone(),
        lockfile: s.lockfile.clone(),
        install: s.install_command.clone(),
        ci_install: s.ci_install_command.clone(),
        lint: s.lint_commands.clone(),
        test: s.test_command.clone(),
        coverage_report: s.coverage_report.clone(),
        build: s.build_command.clone(),
        output: if s.kind == "static" { s.artifact.clone() } else { None },
        migrate: migration(s),
        paths,
    }
}

/// Builds the spec for `profile` from `slipway.toml` (already in the profile), the task's
/// parameters, and the project.
pub fn build(profile: &ProjectProfile, params: &TaskParams) -> DeploySpec {
    let d = &profile.deploy;
    let mut fields = Vec::new();
    let mut notes = Vec::new();
    let from_toml = |field: &str| format!("line {} of slipway.toml", d.lines.get(field).copied().unwrap_or(1));
    let mut field = |f: &str, value: String, source: &str, why: String| {
        fields.push(SpecField {
            field: f.into(),
            value,
            source: source.into(),
            why,
        });
    };

    // CI system: slipway.toml, the task, an existing pipeline, the remote's host, GitHub.
    let toml_ci = d.ci.as_deref().and_then(|c| {
        let parsed = CiSystem::parse(c);
        if parsed.is_none() {
            notes.push(format!(
                "slipway.toml line {}: ci = {c:?} is not a CI system Slipway knows (github, gitlab, jenkins, circleci); ignored",
                d.lines.get("ci").copied().unwrap_or(1)
            ));
        }
        parsed
    });
    let existing_ci = profile.infrastructure.iter().find_map(|f| match f.kind.as_str() {
        "github-actions" => Some((CiSystem::Github, f.path.clone())),
        "gitlab-ci" => Some((CiSystem::Gitlab, f.path.clone())),
        "jenkins" => Some((CiSystem::Jenkins, f.path.clone())),
        "circleci" => Some((CiSystem::Circleci, f.path.clone())),
        _ => None,
    });
    let remote = profile
        .git
        .as_ref()
        .and_then(|g| g.remotes.iter().find(|r| r.name == "origin").or(g.remotes.first()));
    let ci = if let Some(c) = toml_ci {
        field("ci", c.label().into(), "slipway.toml", from_toml("ci"));
        c
    } else if let Some(c) = params.ci {
        field("ci", c.label().into(), "task", format!("the task names {}", c.label()));
        c
    } else if let Some((c, path)) = existing_ci {
        field("ci", c.label().into(), "project", format!("{path} exists"));
        c
    } else if let Some(r) = remote.filter(|r| r.host == "gitlab") {
        field(
            "ci",
            "GitLab CI".into(),
            "project",
            format!("the remote {} is on GitLab", r.name),
        );
        CiSystem::Gitlab
    } else {
        let why = match remote {
            Some(r) if r.host == "github" => format!("the remote {} is on GitHub", r.name),
            _ => "the remote is on neither GitHub nor GitLab; GitHub Actions is the default".into(),
        };
        field(
            "ci",
            "GitHub Actions".into(),
            if remote.is_some_and(|r| r.host == "github") {
                "project"
            } else {
                "default"
            },
            why,
        );
        CiSystem::Github
    };

    // Registry: the CI system's own unless set or asked.
    let toml_registry = d.registry.as_deref().and_then(|r| {
        let parsed = Registry::parse(r);
        if parsed.is_none() {
            notes.push(format!(
                "slipway.toml line {}: registry = {r:?} is not a registry Slipway knows (ghcr, gitlab, dockerhub, ecr, gar, acr); ignored",
                d.lines.get("registry").copied().unwrap_or(1)
            ));
        }
        parsed
    });
    // On AWS the images live beside the services, in the repositories the bootstrap stack makes.
    let named =
        |target: Target| params.targets.contains(&target) || d.targets.iter().any(|t| Target::parse(t) == Some(target));
    // So do the images a cloud's cluster runs.
    let cluster = |p: &str| params.cluster_cloud.as_deref() == Some(p);
    let on_aws = named(Target::Ecs) || cluster("aws");
    let on_gcp = (named(Target::CloudRun) || cluster("gcp")) && !on_aws;
    let on_azure = (named(Target::AzureContainerApps) || cluster("azure")) && !on_aws && !on_gcp;
    let default_registry = match ci {
        _ if on_aws => Registry::Ecr,
        _ if on_gcp => Registry::Gar,
        _ if on_azure => Registry::Acr,
        CiSystem::Gitlab => Registry::Gitlab,
        _ => Registry::Ghcr,
    };
    let registry = if let Some(r) = toml_registry {
        field("registry", r.label().into(), "slipway.toml", from_toml("registry"));
        r
    } else if let Some(r) = params.registry {
        field(
            "registry",
            r.label().into(),
            "task",
            format!("the task names {}", r.label()),
        );
        r
    } else {
        field(
            "registry",
            default_registry.label().into(),
            "default",
            match ci {
                _ if on_aws => "the services run on AWS: their images live in ECR beside them".to_string(),
                _ if on_gcp => {
                    "the services run on Google Cloud: their images live in Artifact Registry beside them".to_string()
                }
                CiSystem::Github | CiSystem::Gitlab => format!("the registry that comes with {}", ci.label()),
                other => format!(
                    "{} has no registry of its own; name another in the task or slipway.toml",
                    other.label()
                ),
            },
        );
        default_registry
    };
    let registry = match (registry, ci) {
        (Registry::Gitlab, c) if c != CiSystem::Gitlab => {
            notes.push(format!(
                "the GitLab container registry is reached from GitLab CI; {} pushes to the GitHub Container Registry instead",
                c.label()
            ));
            Registry::Ghcr
        }
        (r, _) => r,
    };
    if let Some(image) = &d.image {
        field("image", image.clone(), "slipway.toml", from_toml("image"));
    }

    // Targets.
    let mut targets: Vec<Target> = Vec::new();
    if !d.targets.is_empty() {
        for t in &d.targets {
            match Target::parse(t) {
                Some(t) => targets.push(t),
                None => notes.push(format!(
                    "slipway.toml line {}: {t:?} is not a deploy target Slipway knows ({}); ignored",
                    d.lines.get("targets").copied().unwrap_or(1),
                    Target::ALL.iter().map(|t| t.id()).collect::<Vec<_>>().join(", ")
                )),
            }
        }
        if !targets.is_empty() {
            field(
                "targets",
                targets.iter().map(|t| t.label()).collect::<Vec<_>>().join(", "),
                "slipway.toml",
                from_toml("targets"),
            );
        }
    }
    if targets.is_empty() && !params.targets.is_empty() {
        targets = params.targets.clone();
        field(
            "targets",
            targets.iter().map(|t| t.label()).collect::<Vec<_>>().join(", "),
            "task",
            "the task names them".into(),
        );
    }
    if targets.is_empty() {
        let found: Vec<(Target, String)> = profile
            .infrastructure
            .iter()
            .filter_map(|f| {
                Target::parse(&f.kind)
                    .filter(|t| t.is_platform())
                    .map(|t| (t, f.path.clone()))
            })
            .collect();
        for (t, _) in &found {
            if !targets.contains(t) {
                targets.push(*t);
            }
        }
        if !found.is_empty() {
            field(
                "targets",
                targets.iter().map(|t| t.label()).collect::<Vec<_>>().join(", "),
                "project",
                format!(
                    "{} exists",
                    found.iter().map(|(_, p)| p.as_str()).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
    let deployed = |t: &Target| {
        t.is_platform()
            || matches!(
                t,
                Target::Kubernetes | Target::Ecs | Target::CloudRun | Target::AzureContainerApps | Target::Vm
            )
    };
    let others: Vec<Target> = targets.iter().copied().filter(|t| !deployed(t)).collect();
    if !others.is_empty() {
        notes.push(format!(
            "{} {} deployed by later families; this pipeline builds and pushes the image for {}",
            others.iter().map(|t| t.label()).collect::<Vec<_>>().join(" and "),
            if others.len() == 1 { "is" } else { "are" },
            if others.len() == 1 { "it" } else { "them" }
        ));
        targets.retain(deployed);
    }

    // Environments and approval.
    let approval = d.approval.unwrap_or(params.approval);
    let names: Vec<String> = if !d.environments.is_empty() {
        field(
            "environments",
            d.environments.join(", "),
            "slipway.toml",
            from_toml("environments"),
        );
        d.environments.clone()
    } else if !params.environments.is_empty() {
        let mut e = params.environments.clone();
        // Staging comes first; production, when named, is last.
        e.sort_by_key(|n| n == "production");
        field("environments", e.join(", "), "task", "the task names them".into());
        e
    } else {
        field("environments", "production".into(), "default", "one environment".into());
        vec!["production".into()]
    };
    if d.approval.is_some() {
        field("approval", approval.to_string(), "slipway.toml", from_toml("approval"));
    } else if params.approval {
        field(
            "approval",
            "true".into(),
            "task",
            "the task asks for an approval".into(),
        );
    }
    let last = names.len().saturating_sub(1);
    let environments: Vec<EnvironmentSpec> = names
        .into_iter()
        .enumerate()
        .map(|(i, name)| EnvironmentSpec {
            // The approval guards production, the last environment.
            approval: approval && i == last,
            name,
        })
        .collect();

    // Branch: slipway.toml, the task, the repository's default branch, main.
    let branch = if let Some(b) = &d.branch {
        field("branch", b.clone(), "slipway.toml", from_toml("branch"));
        b.clone()
    } else if let Some(b) = &params.branch {
        field("branch", b.clone(), "task", format!("the task says {b}"));
        b.clone()
    } else {
        let current = profile.git.as_ref().and_then(|g| g.branch.clone());
        match current.filter(|b| b == "main" || b == "master") {
            Some(b) => {
                field(
                    "branch",
                    b.clone(),
                    "project",
                    format!("the repository's branch is {b}"),
                );
                b
            }
            None => {
                field("branch", "main".into(), "default", "deploys run from main".into());
                "main".into()
            }
        }
    };

    // Strategy.
    let toml_strategy = d.strategy.as_deref().and_then(|s| {
        let parsed = Strategy::parse(s);
        if parsed.is_none() {
            notes.push(format!(
                "slipway.toml line {}: strategy = {s:?} is not rolling, blue-green or canary; ignored",
                d.lines.get("strategy").copied().unwrap_or(1)
            ));
        }
        parsed
    });
    let strategy = if let Some(s) = toml_strategy {
        field("strategy", s.id().into(), "slipway.toml", from_toml("strategy"));
        s
    } else if let Some(s) = params.strategy {
        field(
            "strategy",
            s.id().into(),
            "task",
            format!("the task asks for {}", s.id()),
        );
        s
    } else {
        field(
            "strategy",
            "rolling".into(),
            "default",
            "zero-downtime rolling deploys".into(),
        );
        Strategy::Rolling
    };

    // Scaling: the seed's defaults, unless set.
    let min = d.min_replicas.or(params.min_replicas).unwrap_or(2);
    let max = d.max_replicas.or(params.max_replicas).unwrap_or(min.max(2) * 5);
    let cpu = d.cpu_percent.or(params.cpu_percent).unwrap_or(70);
    let scaling_source = if d.min_replicas.is_some() || d.max_replicas.is_some() || d.cpu_percent.is_some() {
        "slipway.toml"
    } else if params.min_replicas.is_some() || params.cpu_percent.is_some() {
        "task"
    } else {
        "default"
    };
    field(
        "scaling",
        format!("{min} to {} replicas at {cpu}% CPU", max.max(min)),
        scaling_source,
        match scaling_source {
            "slipway.toml" => from_toml(if d.min_replicas.is_some() {
                "min_replicas"
            } else {
                "cpu_percent"
            }),
            "task" => "the task gives the numbers".into(),
            _ => "two replicas survive one failing; scale out at 70% CPU".into(),
        },
    );
    let host = d.host.clone().or(params.host.clone());
    if let Some(h) = &host {
        let (source, why) = if d.host.is_some() {
            ("slipway.toml", from_toml("host"))
        } else {
            ("task", format!("the task names {h}"))
        };
        field("host", h.clone(), source, why);
    }

    // What makes no deployment is refused, naming where it was set.
    let mut errors = Vec::new();
    let line_of = |f: &str| d.lines.get(f).copied().unwrap_or(1);
    if let Some(h) = &host {
        if !is_dns_name(h) {
            let at = if d.host.is_some() {
                format!("slipway.toml line {}: ", line_of("host"))
            } else {
                String::new()
            };
            errors.push(format!(
                "{at}host {h:?} is not a DNS name a certificate can be issued for: use lowercase letters, digits, dots and inner hyphens, 63 characters at most between dots"
            ));
        }
    }
    if min == 0 {
        errors.push(format!(
            "slipway.toml line {}: min_replicas = 0 leaves nothing running; use 1 or more (2 survives one failing)",
            line_of("min_replicas")
        ));
    }
    if max < min {
        let at = if d.max_replicas.is_some() || d.min_replicas.is_some() {
            format!(
                "slipway.toml line {}: ",
                line_of(if d.max_replicas.is_some() {
                    "max_replicas"
                } else {
                    "min_replicas"
                })
            )
        } else {
            String::new()
        };
        errors.push(format!(
            "{at}max_replicas = {max} is below min_replicas = {min}; the most replicas must be at least the fewest"
        ));
    }
    if cpu == 0 || cpu > 100 {
        errors.push(format!(
            "slipway.toml line {}: cpu_percent = {cpu} is outside 1 to 100; the target is a share of the CPU request (70 is usual)",
            line_of("cpu_percent")
        ));
    }
    let mut kube = kube_spec(profile, params, &mut field, &mut errors);
    kube.prometheus = prometheus_spec(profile, strategy, &kube, &mut field, &mut errors);
    if kube.rollouts == Rollouts::Kubectl && strategy != Strategy::Rolling {
        let at = if d.kube.contains_key("rollouts") {
            format!("slipway.toml line {}: ", line_of("rollouts"))
        } else {
            String::new()
        };
        if strategy == Strategy::Canary {
            errors.push(format!(
                "{at}a canary without Argo Rollouts is not written: plain Kubernetes cannot send a tenth of the requests to new pods; use strategy = \"blue-green\", or rollouts = \"argo\""
            ));
        } else if kube.packaging != Packaging::Manifests {
            errors.push(format!(
                "{at}a blue-green without Argo Rollouts is written as plain manifests only; use packaging = \"manifests\", or rollouts = \"argo\" (Kustomize)"
            ));
        } else if kube.gitops != GitOps::None {
            errors.push(format!(
                "{at}a blue-green without Argo Rollouts is switched by the pipeline, and with gitops = {:?} the pipeline does not touch the cluster; use rollouts = \"argo\"",
                kube.gitops.id()
            ));
        }
    }

    let named_clouds: Vec<&str> = [
        (Target::Ecs, "aws"),
        (Target::CloudRun, "gcp"),
        (Target::AzureContainerApps, "azure"),
    ]
    .into_iter()
    .filter(|(t, _)| targets.contains(t))
    .map(|(_, p)| p)
    .chain(params.server_cloud.as_deref().filter(|_| targets.contains(&Target::Vm)))
    .chain(
        params
            .cluster_cloud
            .as_deref()
            .filter(|_| targets.contains(&Target::Kubernetes)),
    )
    .collect();
    if named_clouds.len() > 1 {
        errors.push(format!(
            "the task puts the app on {} at once: Slipway writes one cloud's infrastructure at a time; name one",
            named_clouds
                .iter()
                .map(|p| match *p {
                    "aws" => "AWS",
                    "gcp" => "Google Cloud",
                    _ => "Azure",
                })
                .collect::<Vec<_>>()
                .join(" and ")
        ));
    }
    let provider = named_clouds.first().copied();
    let cloud = provider.map(|p| cloud_spec(profile, params, p, &mut field, &mut errors));
    let services: Vec<ServiceSpec> = profile.services.iter().map(|s| service_spec(s, profile)).collect();
    // The cluster's settings say nothing about a deploy that reaches no cluster.
    if !targets.contains(&Target::Kubernetes) {
        fields.retain(|f| !KUBE_FIELDS.contains(&f.field.as_str()));
    }
    DeploySpec {
        ci,
        registry,
        image: d.image.clone(),
        targets,
        environments,
        branch,
        strategy,
        scaling: Scaling {
            min_replicas: min,
            max_replicas: max.max(min),
            cpu_percent: cpu,
        },
        host,
        kube,
        cloud,
        services,
        fields,
        notes,
        errors,
    }
}

/// The cloud's settings (`provider` is `aws` or `gcp`): each from `slipway.toml`, else the
/// task, else a default that says why; values the cloud does not take (a region that does not
/// exist, a backup retention outside what its database keeps, an instance size it has not, a
/// range that is no CIDR) are refused with their line.
fn cloud_spec(
    profile: &ProjectProfile,
    params: &TaskParams,
    provider: &str,
    field: &mut impl FnMut(&str, String, &str, String),
    errors: &mut Vec<String>,
) -> CloudSpec {
    use crate::knowledge::{
        cloud_run_memory, fargate_memory, AWS_REGIONS, AZURE_REGIONS, GCP_REGIONS, LOG_RETENTION_DAYS,
    };
    let gcp = provider == "gcp";
    let azure = provider == "azure";
    let (cloud_name, regions, examples): (&str, Vec<&str>, &str) = match provider {
        "gcp" => (
            "Google Cloud",
            GCP_REGIONS.iter().map(|(r, _)| *r).collect(),
            "us-central1, europe-west1, asia-northeast1",
        ),
        "azure" => (
            "Azure",
            AZURE_REGIONS.iter().map(|(r, _, _)| *r).collect(),
            "eastus, westeurope, japaneast",
        ),
        _ => (
            "AWS",
            AWS_REGIONS.iter().map(|(r, _)| *r).collect(),
            "us-east-1, eu-west-1, ap-southeast-2",
        ),
    };
    let d = &profile.deploy;
    let at = |f: &str| format!("line {} of slipway.toml", d.lines.get(f).copied().unwrap_or(1));
    let text = |f: &str| d.kube.get(f).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let number = |f: &str, errors: &mut Vec<String>| -> Option<u32> {
        let v = text(f)?;
        match v.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(format!("{}: {f} = {v:?} is not a whole number", at(f)));
                None
            }
        }
    };
    // A server on a cloud is created in Terraform; "with Ansible" names what configures it.
    let server = params.server_cloud.as_deref() == Some(provider);
    let task_iac = params.iac.clone().filter(|l| !(server && l == "ansible"));
    let iac = match (text("iac"), &task_iac) {
        (Some(v), _) => {
            field("iac", v.clone(), "slipway.toml", at("iac"));
            v
        }
        (None, Some(v)) => {
            field("iac", v.clone(), "task", format!("the task names {v}"));
            v.clone()
        }
        (None, None) => {
            field(
                "iac",
                "terraform".into(),
                "default",
                "Terraform: the infrastructure language most teams read".into(),
            );
            "terraform".into()
        }
    };
    // Google Cloud is also written as a Pulumi program in TypeScript, Azure in Python.
    let language = match (text("pulumi_language"), &params.pulumi_language) {
        (Some(v), _) => v,
        (None, Some(v)) => v.clone(),
        (None, None) if azure => "python".into(),
        (None, None) => "typescript".into(),
    };
    let languages = match provider {
        "gcp" => "Terraform or Pulumi (TypeScript)",
        "azure" => "Terraform or Pulumi (Python)",
        _ => "Terraform or CloudFormation",
    };
    if server && iac != "terraform" {
        errors.push(format!(
            "the built-in engine creates a server on {cloud_name} in Terraform so far, not {iac}; ask for Terraform, or leave the language out"
        ));
    }
    let written = iac == "terraform"
        || (iac == "cloudformation" && !gcp && !azure)
        || (iac == "pulumi" && ((gcp && language == "typescript") || (azure && language == "python")));
    let cluster = params.cluster_cloud.as_deref() == Some(provider);
    if !written && !server && !cluster {
        let at_line = if d.kube.contains_key("iac") {
            format!("{}: iac = {iac:?}: ", at("iac"))
        } else {
            String::new()
        };
        let what = if iac == "pulumi" {
            format!("Pulumi in {language}")
        } else {
            iac.clone()
        };
        errors.push(format!(
            "{at_line}the built-in engine writes {cloud_name} infrastructure in {languages} so far, not {what}; ask for Terraform, or set iac = \"terraform\""
        ));
    }
    if iac == "pulumi" {
        field(
            "pulumi_language",
            language.clone(),
            if d.kube.contains_key("pulumi_language") {
                "slipway.toml"
            } else if params.pulumi_language.is_some() {
                "task"
            } else {
                "default"
            },
            format!("the Pulumi program is written in {language}"),
        );
    }
    let region_ok = |r: &str| regions.contains(&r);
    let region = match (text("region"), &params.region) {
        (Some(r), _) => {
            if !region_ok(&r) {
                errors.push(format!(
                    "{}: region = {r:?} is not {} region (for example {examples})",
                    at("region"),
                    match provider {
                        "gcp" => "a Google Cloud",
                        "azure" => "an Azure",
                        _ => "an AWS",
                    }
                ));
            }
            field("region", r.clone(), "slipway.toml", at("region"));
            r
        }
        (None, Some(r)) => {
            if !region_ok(r) {
                errors.push(format!(
                    "the task names the region {r:?}, which {cloud_name} does not have (for example {examples})"
                ));
            }
            field("region", r.clone(), "task", format!("the task names {r}"));
            r.clone()
        }
        (None, None) => {
            let (first, why) = if gcp {
                (
                    "us-central1",
                    "Google Cloud's largest region; set region to the one nearest your users",
                )
            } else if azure {
                (
                    "eastus",
                    "Azure's first US region; set region to the one nearest your users",
                )
            } else {
                (
                    "us-east-1",
                    "AWS's first region; set region to the one nearest your users",
                )
            };
            field("region", first.into(), "default", why.into());
            first.into()
        }
    };
    if server {
        return server_spec(provider, region, iac, language, &text, &at, params, field, errors);
    }
    if cluster {
        if iac != "terraform" {
            errors.push(format!(
                "the built-in engine creates a Kubernetes cluster on {cloud_name} in Terraform so far, not {iac}; ask for Terraform, or leave the language out"
            ));
        }
        return cluster_spec(provider, region, iac, language, &text, &at, params, field, errors);
    }
    let task_cpu = number("task_cpu", errors).unwrap_or(if gcp { 1024 } else { 512 });
    let task_memory = number("task_memory", errors).unwrap_or(if gcp { 512 } else { task_cpu * 2 });
    if azure {
        if !crate::knowledge::container_apps_cpu(task_cpu) {
            errors.push(format!(
                "{}: task_cpu = {task_cpu} is not a Container Apps size (256 to 4096 in steps of 256: a quarter vCPU to four)",
                at("task_cpu")
            ));
        } else if task_memory != task_cpu * 2 {
            errors.push(format!(
                "{}: task_memory = {task_memory} does not go with task_cpu = {task_cpu} on Container Apps' Consumption profile; it takes {} MiB (2 GiB per vCPU)",
                at("task_memory"),
                task_cpu * 2
            ));
        }
    } else if gcp {
        match cloud_run_memory(task_cpu) {
            None => errors.push(format!(
                "{}: task_cpu = {task_cpu} is not a Cloud Run size (1024, 2048, 4096 or 8192: one to eight vCPUs)",
                at("task_cpu")
            )),
            Some((lo, hi)) if !(lo..=hi).contains(&task_memory) => errors.push(format!(
                "{}: task_memory = {task_memory} does not go with task_cpu = {task_cpu} on Cloud Run; it takes {lo} to {hi} MiB",
                at("task_memory")
            )),
            Some(_) => {}
        }
    } else {
        let sizes = fargate_memory(task_cpu);
        if !sizes.as_ref().is_some_and(|m| m.contains(&task_memory)) {
            let fits: Vec<String> = sizes.unwrap_or_default().iter().map(u32::to_string).collect();
            errors.push(if fits.is_empty() {
                format!(
                    "{}: task_cpu = {task_cpu} is not a Fargate size (256, 512, 1024, 2048, 4096, 8192, 16384)",
                    at("task_cpu")
                )
            } else {
                format!(
                    "{}: task_memory = {task_memory} does not go with task_cpu = {task_cpu} on Fargate; it takes {} MiB",
                    at("task_memory"),
                    fits.join(", ")
                )
            });
        }
    }
    let defaults = if azure {
        [
            (
                "task_cpu",
                task_cpu,
                "half a vCPU per replica, the smallest that runs most web apps well",
            ),
            (
                "task_memory",
                task_memory,
                "twice the vCPUs in GiB, as Container Apps sizes them",
            ),
        ]
    } else if gcp {
        [
            (
                "task_cpu",
                task_cpu,
                "one vCPU per instance, the smallest that serves many requests at once",
            ),
            ("task_memory", task_memory, "512 MiB per instance"),
        ]
    } else {
        [
            (
                "task_cpu",
                task_cpu,
                "half a vCPU per task, the smallest that runs most web apps well",
            ),
            ("task_memory", task_memory, "1 GiB per task"),
        ]
    };
    for (name, value, default_why) in defaults {
        if d.kube.contains_key(name) {
            field(name, value.to_string(), "slipway.toml", at(name));
        } else {
            field(name, value.to_string(), "default", default_why.into());
        }
    }
    let multi_az = text("multi_az").is_none_or(|v| v != "false");
    let db_class = text("db_class").unwrap_or_else(|| {
        match provider {
            "gcp" => "db-custom-1-3840",
            "azure" if multi_az => "GP_Standard_D2ds_v5",
            "azure" => "B_Standard_B2s",
            _ => "db.t4g.small",
        }
        .into()
    });
    if azure {
        let ok = ["B_Standard_", "GP_Standard_", "MO_Standard_"].iter().any(|p| {
            db_class
                .strip_prefix(p)
                .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        });
        if !ok {
            errors.push(format!(
                "{}: db_class = {db_class:?} is not a PostgreSQL Flexible Server size (for example B_Standard_B2s, GP_Standard_D2ds_v5, MO_Standard_E2ds_v5)",
                at("db_class")
            ));
        } else if multi_az && db_class.starts_with("B_") {
            errors.push(format!(
                "{}: db_class = {db_class:?} is a burstable size, which has no zone-redundant standby; choose a GP_ or MO_ size, or set multi_az = false",
                at("db_class")
            ));
        }
    } else if gcp && !is_cloud_sql_tier(&db_class) {
        errors.push(format!(
            "{}: db_class = {db_class:?} is not a Cloud SQL tier of the Enterprise edition (for example db-custom-1-3840, db-custom-2-7680, db-g1-small)",
            at("db_class")
        ));
    } else if !gcp && (!db_class.starts_with("db.") || db_class.split('.').count() != 3) {
        errors.push(format!(
            "{}: db_class = {db_class:?} is not an RDS instance class (for example db.t4g.small, db.m7g.large)",
            at("db_class")
        ));
    }
    let db_storage_gb = number("db_storage", errors).unwrap_or(match provider {
        "gcp" => 10,
        "azure" => 32,
        _ => 20,
    });
    if azure && !crate::knowledge::AZURE_PG_STORAGE_GB.contains(&db_storage_gb) {
        errors.push(format!(
            "{}: db_storage = {db_storage_gb} GiB is not a size Flexible Server takes ({})",
            at("db_storage"),
            crate::knowledge::AZURE_PG_STORAGE_GB
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let (least, most, what) = if azure {
        (32, 32768, "Flexible Server takes (32 to 32768)")
    } else if gcp {
        (10, 65536, "Cloud SQL takes for SSD storage (10 to 65536)")
    } else {
        (20, 65536, "RDS takes for gp3 storage (20 to 65536)")
    };
    if !(least..=most).contains(&db_storage_gb) {
        errors.push(format!(
            "{}: db_storage = {db_storage_gb} GiB is outside what {what}",
            at("db_storage")
        ));
    }
    let backup_days = match (number("backup_days", errors), params.backup_days) {
        (Some(n), _) => {
            field("backup_days", n.to_string(), "slipway.toml", at("backup_days"));
            n
        }
        (None, Some(n)) => {
            field(
                "backup_days",
                n.to_string(),
                "task",
                format!("the task asks to keep {n} days"),
            );
            n
        }
        (None, None) => {
            field(
                "backup_days",
                "14".into(),
                "default",
                "two weeks of automated backups; point-in-time recovery reaches as far".into(),
            );
            14
        }
    };
    let (least, most, keeper) = if azure {
        (7, 35, "PostgreSQL Flexible Server keeps backups for 7 to 35 days")
    } else if gcp {
        (1, 365, "Cloud SQL keeps 1 to 365 daily backups")
    } else {
        (1, 35, "RDS keeps automated backups for 1 to 35 days")
    };
    if !(least..=most).contains(&backup_days) {
        errors.push(format!(
            "backup_days = {backup_days}{}: {keeper} (0 would turn them off)",
            if d.kube.contains_key("backup_days") {
                format!(" ({})", at("backup_days"))
            } else {
                String::new()
            }
        ));
    }
    if d.kube.contains_key("multi_az") {
        field("multi_az", multi_az.to_string(), "slipway.toml", at("multi_az"));
    }
    let vpc_cidr = text("vpc_cidr").unwrap_or_else(|| "10.0.0.0/16".into());
    if !is_vpc_cidr(&vpc_cidr) {
        errors.push(format!(
            "{}: vpc_cidr = {vpc_cidr:?} is not an IPv4 range a VPC takes: four numbers 0 to 255 and a prefix from /16 to /24, such as 10.0.0.0/16",
            at("vpc_cidr")
        ));
    }
    let rpo_minutes = number("rpo_minutes", errors).unwrap_or(15);
    let rto_minutes = number("rto_minutes", errors).unwrap_or(60);
    let backup_region = text("backup_region").or_else(|| params.backup_region.clone());
    if let (true, Some(r)) = (azure, &backup_region) {
        // Azure keeps geo-redundant backups in the region it pairs with the server's.
        let pair = AZURE_REGIONS
            .iter()
            .find(|(id, _, _)| *id == region)
            .map(|(_, _, p)| *p);
        if pair != Some(r.as_str()) {
            let line = if d.kube.contains_key("backup_region") {
                format!(" ({})", at("backup_region"))
            } else {
                String::new()
            };
            errors.push(match pair {
                Some(p) => format!(
                    "backup_region = {r:?}{line}: Azure keeps a PostgreSQL server's geo-redundant backups in {p}, the region Azure pairs with {region}, and nowhere else"
                ),
                None => format!(
                    "backup_region = {r:?}{line}: Azure pairs no region with {region}, so a PostgreSQL server there has no geo-redundant backups; leave backup_region out"
                ),
            });
        }
        field(
            "backup_region",
            r.clone(),
            if d.kube.contains_key("backup_region") {
                "slipway.toml"
            } else {
                "task"
            },
            "the database's backups are kept there too, so a lost region loses no data".into(),
        );
    } else if let Some(r) = &backup_region {
        // Cloud SQL also keeps backups in a multi-region.
        let multi = gcp && ["us", "eu", "asia"].contains(&r.as_str());
        if !(region_ok(r) || multi) || *r == region {
            errors.push(format!(
                "backup_region = {r:?} must be another {cloud_name} region than {region} (for example {})",
                if gcp {
                    "us-east1, europe-west4, or the multi-region us, eu or asia"
                } else {
                    "us-west-2 or eu-central-1"
                }
            ));
        }
        field(
            "backup_region",
            r.clone(),
            if d.kube.contains_key("backup_region") {
                "slipway.toml"
            } else {
                "task"
            },
            "the database's backups are copied there, so a lost region loses no data".into(),
        );
    }
    let log_days = number("log_days", errors).unwrap_or(30);
    if azure && !(30..=730).contains(&log_days) {
        errors.push(format!(
            "{}: log_days = {log_days} is not a retention Log Analytics keeps (30 to 730 days)",
            at("log_days")
        ));
    } else if gcp && !(1..=3650).contains(&log_days) {
        errors.push(format!(
            "{}: log_days = {log_days} is not a retention Cloud Logging keeps (1 to 3650 days)",
            at("log_days")
        ));
    } else if !gcp && !LOG_RETENTION_DAYS.contains(&log_days) {
        errors.push(format!(
            "{}: log_days = {log_days} is not a retention CloudWatch Logs offers ({})",
            at("log_days"),
            LOG_RETENTION_DAYS
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    CloudSpec {
        provider: provider.into(),
        iac,
        language,
        region,
        task_cpu,
        task_memory,
        db_class,
        db_storage_gb,
        backup_days,
        multi_az,
        vpc_cidr,
        rpo_minutes,
        rto_minutes,
        backup_region,
        log_days,
        server: None,
        cluster: None,
    }
}

/// The settings of a server on `provider`: its size and disk, how long the disk's daily
/// snapshots are kept, its network's range. The container runtime's and managed databases'
/// settings do not apply (the databases run on the server, dumped by the backup job when
/// asked), so they are neither shown nor checked.
#[allow(clippy::too_many_arguments)]
fn server_spec(
    provider: &str,
    region: String,
    iac: String,
    language: String,
    text: &dyn Fn(&str) -> Option<String>,
    at: &dyn Fn(&str) -> String,
    params: &TaskParams,
    field: &mut impl FnMut(&str, String, &str, String),
    errors: &mut Vec<String>,
) -> CloudSpec {
    let (size, why, pattern_ok, examples, least_disk) = match provider {
        "gcp" => (
            "e2-small",
            "two shared vCPUs and 2 GB, the smallest that runs Docker, a database and the app",
            (|s: &str| {
                let mut parts = s.splitn(2, '-');
                parts
                    .next()
                    .is_some_and(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
                    && parts.next().is_some_and(|r| {
                        !r.is_empty()
                            && r.chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    })
            }) as fn(&str) -> bool,
            "e2-small, e2-medium, n2-standard-2",
            10,
        ),
        "azure" => (
            "Standard_B2s",
            "two burstable vCPUs and 4 GiB, the smallest that runs Docker, a database and the app",
            (|s: &str| {
                s.strip_prefix("Standard_")
                    .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            }) as fn(&str) -> bool,
            "Standard_B2s, Standard_B2ms, Standard_D2s_v5",
            30,
        ),
        _ => (
            "t3.small",
            "two burstable vCPUs and 2 GiB, the smallest that runs Docker, a database and the app",
            (|s: &str| {
                s.split_once('.').is_some_and(|(family, size)| {
                    !family.is_empty()
                        && family.starts_with(|c: char| c.is_ascii_lowercase())
                        && family
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        && !size.is_empty()
                        && size.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
            }) as fn(&str) -> bool,
            "t3.small, t3.medium, m7i.large",
            8,
        ),
    };
    let size = match text("server_size") {
        Some(v) => {
            if !pattern_ok(&v) {
                errors.push(format!(
                    "{}: server_size = {v:?} is not a machine size of this cloud (for example {examples})",
                    at("server_size")
                ));
            }
            field("server_size", v.clone(), "slipway.toml", at("server_size"));
            v
        }
        None => {
            field("server_size", size.into(), "default", why.into());
            size.into()
        }
    };
    let disk_gb = match text("disk_size") {
        Some(v) => {
            let n = v.parse::<u32>().unwrap_or(0);
            if !(least_disk..=16384).contains(&n) {
                errors.push(format!(
                    "{}: disk_size = {v:?} is not a disk size this cloud's Debian image takes ({least_disk} to 16384 GiB)",
                    at("disk_size")
                ));
            }
            field("disk_size", n.to_string(), "slipway.toml", at("disk_size"));
            n
        }
        None => {
            field(
                "disk_size",
                "30".into(),
                "default",
                "30 GiB: the system, Docker's images and a few GiB of data".into(),
            );
            30
        }
    };
    // The disk's snapshots: Azure Backup keeps daily points for 7 days at least.
    let least = if provider == "azure" { 7 } else { 1 };
    let backup_days = match (text("backup_days"), params.backup_days) {
        (Some(v), _) => {
            let n = v.parse::<u32>().unwrap_or(0);
            field("backup_days", n.to_string(), "slipway.toml", at("backup_days"));
            if !(least..=365).contains(&n) {
                errors.push(format!(
                    "{}: backup_days = {v:?}: the server's disk is snapshotted daily and the snapshots kept {least} to 365 days",
                    at("backup_days")
                ));
            }
            n
        }
        (None, Some(n)) => {
            field(
                "backup_days",
                n.to_string(),
                "task",
                format!("the task asks to keep {n} days"),
            );
            if !(least..=365).contains(&n) {
                errors.push(format!(
                    "the task asks to keep {n} days of backups: the server's disk is snapshotted daily and the snapshots kept {least} to 365 days"
                ));
            }
            n
        }
        (None, None) => {
            field(
                "backup_days",
                "14".into(),
                "default",
                "two weeks of the disk's daily snapshots".into(),
            );
            14
        }
    };
    let vpc_cidr = text("vpc_cidr").unwrap_or_else(|| "10.0.0.0/16".into());
    if !is_vpc_cidr(&vpc_cidr) {
        errors.push(format!(
            "{}: vpc_cidr = {vpc_cidr:?} is not an IPv4 range a network takes: four numbers 0 to 255 and a prefix from /16 to /24, such as 10.0.0.0/16",
            at("vpc_cidr")
        ));
    }
    if params.backup_region.is_some() || text("backup_region").is_some() {
        errors.push(
            "backup_region: a server's disk snapshots stay in its region so far; leave backup_region out, or copy them with the cloud's own tools (docs say how)"
                .into(),
        );
    }
    CloudSpec {
        provider: provider.into(),
        iac,
        language,
        region,
        task_cpu: 0,
        task_memory: 0,
        db_class: String::new(),
        db_storage_gb: 0,
        backup_days,
        multi_az: false,
        vpc_cidr,
        // What the person asks of a recovery; the runbook says whether daily snapshots meet it.
        rpo_minutes: text("rpo_minutes").and_then(|v| v.parse().ok()).unwrap_or(24 * 60),
        rto_minutes: text("rto_minutes").and_then(|v| v.parse().ok()).unwrap_or(60),
        backup_region: None,
        log_days: 30,
        server: Some(ServerSpec { size, disk_gb }),
        cluster: None,
    }
}

/// The settings of a managed Kubernetes cluster on `provider`: the version EKS runs, the size and
/// the most nodes of AKS's pool, the network's range and how long the control plane's logs are
/// kept. The container runtime's and managed databases' settings do not apply (the cluster runs
/// the containers; the manifests read the databases' addresses from a Secret), so they are
/// neither shown nor checked.
#[allow(clippy::too_many_arguments)]
fn cluster_spec(
    provider: &str,
    region: String,
    iac: String,
    language: String,
    text: &dyn Fn(&str) -> Option<String>,
    at: &dyn Fn(&str) -> String,
    params: &TaskParams,
    field: &mut impl FnMut(&str, String, &str, String),
    errors: &mut Vec<String>,
) -> CloudSpec {
    let version = match text("kubernetes_version") {
        Some(v) => {
            let minor = v.strip_prefix("1.").and_then(|m| m.parse::<u32>().ok());
            if provider != "aws" {
                errors.push(format!(
                    "{}: kubernetes_version = {v:?}: {} follows its release channel's version; leave kubernetes_version out",
                    at("kubernetes_version"),
                    if provider == "gcp" { "GKE Autopilot" } else { "AKS" }
                ));
            } else if !minor
                .is_some_and(|m| (crate::knowledge::EKS_VERSIONS.0..=crate::knowledge::EKS_VERSIONS.1).contains(&m))
            {
                errors.push(format!(
                    "{}: kubernetes_version = {v:?} is not a version EKS supports (1.{} to 1.{})",
                    at("kubernetes_version"),
                    crate::knowledge::EKS_VERSIONS.0,
                    crate::knowledge::EKS_VERSIONS.1
                ));
            }
            field(
                "kubernetes_version",
                v.clone(),
                "slipway.toml",
                at("kubernetes_version"),
            );
            v
        }
        None => {
            let v = crate::knowledge::EKS_DEFAULT_VERSION.to_string();
            if provider == "aws" {
                field(
                    "kubernetes_version",
                    v.clone(),
                    "default",
                    "a version in EKS's standard support for another year; upgrade one minor at a time".into(),
                );
            }
            v
        }
    };
    let azure = provider == "azure";
    let node_size = match text("node_size") {
        Some(v) if azure => {
            let ok = v
                .strip_prefix("Standard_")
                .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            if !ok {
                errors.push(format!(
                    "{}: node_size = {v:?} is not an Azure VM size (for example Standard_D2ds_v5, Standard_D4ds_v5)",
                    at("node_size")
                ));
            }
            field("node_size", v.clone(), "slipway.toml", at("node_size"));
            Some(v)
        }
        Some(v) => {
            errors.push(format!(
                "{}: node_size = {v:?}: {} picks each node's size from the pods' requests; leave node_size out",
                at("node_size"),
                if provider == "gcp" {
                    "GKE Autopilot"
                } else {
                    "EKS Auto Mode"
                }
            ));
            None
        }
        None if azure => {
            field(
                "node_size",
                "Standard_D2ds_v5".into(),
                "default",
                "two vCPUs and 8 GiB per node, the smallest general-purpose size AKS recommends for user pods".into(),
            );
            Some("Standard_D2ds_v5".into())
        }
        None => None,
    };
    let max_nodes = match text("max_nodes") {
        Some(v) => {
            let n = v.parse::<u32>().unwrap_or(0);
            if !azure {
                errors.push(format!(
                    "{}: max_nodes = {v:?}: {} adds and removes nodes by itself; leave max_nodes out",
                    at("max_nodes"),
                    if provider == "gcp" {
                        "GKE Autopilot"
                    } else {
                        "EKS Auto Mode"
                    }
                ));
            } else if !(3..=1000).contains(&n) {
                errors.push(format!(
                    "{}: max_nodes = {v:?}: AKS's pool keeps a node in each of three zones, so it takes 3 to 1000",
                    at("max_nodes")
                ));
            }
            field("max_nodes", n.to_string(), "slipway.toml", at("max_nodes"));
            n
        }
        None => {
            if azure {
                field(
                    "max_nodes",
                    "6".into(),
                    "default",
                    "the autoscaler grows the pool from three nodes (one per zone) to six".into(),
                );
            }
            6
        }
    };
    let vpc_cidr = text("vpc_cidr").unwrap_or_else(|| "10.0.0.0/16".into());
    if !is_vpc_cidr(&vpc_cidr) {
        errors.push(format!(
            "{}: vpc_cidr = {vpc_cidr:?} is not an IPv4 range a network takes: four numbers 0 to 255 and a prefix from /16 to /24, such as 10.0.0.0/16",
            at("vpc_cidr")
        ));
    } else if vpc_cidr
        .split_once('/')
        .and_then(|(_, p)| p.parse::<u32>().ok())
        .is_some_and(|p| p > 20)
    {
        errors.push(format!(
            "{}: vpc_cidr = {vpc_cidr:?}: a cluster's nodes and pods need a range of /20 or wider, such as 10.0.0.0/16",
            at("vpc_cidr")
        ));
    }
    let log_days = text("log_days").and_then(|v| v.parse().ok()).unwrap_or(30);
    let (least, most) = match provider {
        "azure" => (30, 730),
        "gcp" => (1, 3650),
        _ => (1, 3653),
    };
    if !(least..=most).contains(&log_days)
        || (provider == "aws" && !crate::knowledge::LOG_RETENTION_DAYS.contains(&log_days))
    {
        errors.push(format!(
            "{}: log_days = {log_days} is not a retention the cluster's logs can be kept for ({})",
            at("log_days"),
            match provider {
                "azure" => "30 to 730 days in Log Analytics",
                "gcp" => "1 to 3650 days in Cloud Logging",
                _ => "one of CloudWatch Logs' retentions, such as 30, 90 or 365 days",
            }
        ));
    }
    let _ = params;
    CloudSpec {
        provider: provider.into(),
        iac,
        language,
        region,
        task_cpu: 0,
        task_memory: 0,
        db_class: String::new(),
        db_storage_gb: 0,
        backup_days: 0,
        multi_az: true,
        vpc_cidr,
        rpo_minutes: 0,
        rto_minutes: 0,
        backup_region: None,
        log_days,
        server: None,
        cluster: Some(ClusterSpec {
            version,
            node_size,
            max_nodes,
        }),
    }
}

/// True for a Cloud SQL tier the Enterprise edition takes: the shared-core `db-f1-micro` and
/// `db-g1-small`, or `db-custom-<vCPUs>-<MiB>` with one or an even number of vCPUs (up to 96)
/// and 0.9 to 6.5 GiB of memory per vCPU in whole multiples of 256 MiB.
pub fn is_cloud_sql_tier(tier: &str) -> bool {
    if tier == "db-f1-micro" || tier == "db-g1-small" {
        return true;
    }
    let Some(rest) = tier.strip_prefix("db-custom-") else {
        return false;
    };
    let Some((cpus, mem)) = rest.split_once('-') else {
        return false;
    };
    let (Ok(cpus), Ok(mem)) = (cpus.parse::<u32>(), mem.parse::<u32>()) else {
        return false;
    };
    let cpus_ok = cpus == 1 || (cpus % 2 == 0 && (2..=96).contains(&cpus));
    let per_cpu = f64::from(mem) / f64::from(cpus.max(1)) / 1024.0;
    cpus_ok && mem % 256 == 0 && (0.9..=6.5).contains(&per_cpu)
}

/// True for an IPv4 range a VPC takes: `a.b.c.d/n`, each number 0 to 255, `n` from 16 to 24
/// (room for four subnets), and no host bits set.
pub fn is_vpc_cidr(s: &str) -> bool {
    let Some((addr, prefix)) = s.split_once('/') else {
        return false;
    };
    let Ok(prefix) = prefix.parse::<u32>() else {
        return false;
    };
    let octets: Vec<Option<u8>> = addr.split('.').map(|o| o.parse::<u8>().ok()).collect();
    if octets.len() != 4 || octets.iter().any(Option::is_none) || !(16..=24).contains(&prefix) {
        return false;
    }
    let value = octets.iter().fold(0u32, |v, o| (v << 8) | u32::from(o.unwrap_or(0)));
    value & !(u32::MAX << (32 - prefix)) == 0
}

/// The Prometheus a rollout's checks ask: `slipway.toml`'s `prometheus` (a URL, or `none`),
/// else the Prometheus Operator's own address when a canary or blue-green with Argo Rollouts
/// rolls out a service whose code counts its requests.
fn prometheus_spec(
    profile: &ProjectProfile,
    strategy: Strategy,
    kube: &KubeSpec,
    field: &mut impl FnMut(&str, String, &str, String),
    errors: &mut Vec<String>,
) -> Option<PrometheusSpec> {
    let d = &profile.deploy;
    let at = |f: &str| format!("line {} of slipway.toml", d.lines.get(f).copied().unwrap_or(1));
    let text = |f: &str| d.kube.get(f).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let release = match text("prometheus_release") {
        Some(r) => {
            if !crate::params::is_label_value(&r) {
                errors.push(format!(
                    "{}: prometheus_release = {r:?} is not a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
                    at("prometheus_release")
                ));
            }
            field(
                "prometheus_release",
                r.clone(),
                "slipway.toml",
                at("prometheus_release"),
            );
            r
        }
        None => crate::knowledge::PROMETHEUS_RELEASE.to_string(),
    };
    match text("prometheus") {
        Some(v) if v == "none" => {
            field(
                "prometheus",
                v,
                "slipway.toml",
                format!("{}: rollouts check the health path only", at("prometheus")),
            );
            None
        }
        Some(url) => {
            let host = url
                .strip_prefix("http://")
                .or_else(|| url.strip_prefix("https://"))
                .unwrap_or("");
            if host.is_empty() || host.starts_with([':', '/']) || url.contains(char::is_whitespace) {
                errors.push(format!(
                    "{}: prometheus = {url:?} is not an http:// or https:// address (or \"none\")",
                    at("prometheus")
                ));
            }
            field("prometheus", url.clone(), "slipway.toml", at("prometheus"));
            Some(PrometheusSpec { url, release })
        }
        None => {
            let progressive =
                matches!(strategy, Strategy::Canary | Strategy::BlueGreen) && kube.rollouts == Rollouts::Argo;
            let counted: Vec<&ServiceProfile> = profile
                .services
                .iter()
                .filter(|s| {
                    s.metrics_path.is_some()
                        && s.metrics_library
                            .as_deref()
                            .and_then(crate::knowledge::request_metric)
                            .is_some()
                })
                .collect();
            let first = counted.first().filter(|_| progressive)?;
            let url = crate::knowledge::PROMETHEUS_URL.to_string();
            field(
                "prometheus",
                url.clone(),
                "default",
                format!(
                    "{} counts its requests ({}), so each rollout also checks the new pods' error rate in the Prometheus Operator's Prometheus; set prometheus to its address, or \"none\"",
                    first.name,
                    first.metrics_library.clone().unwrap_or_default()
                ),
            );
            Some(PrometheusSpec { url, release })
        }
    }
}

/// The fields only a Kubernetes deploy reads.
const KUBE_FIELDS: &[&str] = &[
    "namespace",
    "replicas",
    "ha",
    "vpa",
    "cpu_request",
    "memory_request",
    "cpu_limit",
    "memory_limit",
    "packaging",
    "route",
    "ingress_class",
    "tls_issuer",
    "acme_email",
    "secret_store",
    "mesh",
    "gitops",
    "rollouts",
    "backing",
    "charts",
    "auto_sync",
    "prune",
    "self_heal",
    "prometheus",
    "prometheus_release",
];

/// A Kubernetes CPU quantity in millicores (`250m`, `0.5`, `2`).
pub fn millicores(q: &str) -> Option<u64> {
    if let Some(m) = q.strip_suffix('m') {
        return m.parse().ok().filter(|n| *n > 0);
    }
    let v: f64 = q.parse().ok()?;
    (v > 0.0 && v.is_finite()).then(|| (v * 1000.0).round() as u64)
}

/// A Kubernetes memory quantity in bytes (`256Mi`, `1Gi`, `512M`).
pub fn bytes(q: &str) -> Option<u64> {
    let units: [(&str, u64); 8] = [
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
    ];
    for (u, f) in units {
        if let Some(n) = q.strip_suffix(u) {
            return n.parse::<u64>().ok().filter(|n| *n > 0).map(|n| n * f);
        }
    }
    q.parse().ok().filter(|n| *n > 0)
}

/// A setting with fixed ids: `slipway.toml`'s value (`raw`) when it names one, else the task's
/// choice with its reason, else `fallback`; the choice is recorded with its source, and a value
/// that names none is refused with its line `at`.
fn pick<T: Choice>(
    name: &str,
    raw: Option<String>,
    task: Option<(T, String)>,
    fallback: T,
    at: &str,
    field: &mut impl FnMut(&str, String, &str, String),
    errors: &mut Vec<String>,
) -> T {
    match (raw, task) {
        (Some(r), _) => match T::parse_id(&r) {
            Some(k) => {
                field(name, k.id_of().into(), "slipway.toml", at.to_string());
                k
            }
            None => {
                errors.push(format!("{at}: {name} = {r:?} is not {}", T::CHOICES));
                fallback
            }
        },
        (None, Some((k, why))) => {
            field(name, k.id_of().into(), "task", why);
            k
        }
        (None, None) => fallback,
    }
}

fn kube_spec(
    profile: &ProjectProfile,
    params: &TaskParams,
    field: &mut impl FnMut(&str, String, &str, String),
    errors: &mut Vec<String>,
) -> KubeSpec {
    let d = &profile.deploy;
    let at = |f: &str| format!("line {} of slipway.toml", d.lines.get(f).copied().unwrap_or(1));
    let text = |f: &str| d.kube.get(f).filter(|v| !v.trim().is_empty()).cloned();

    let packaging = pick(
        "packaging",
        text("packaging"),
        params.packaging.map(|k| (k, format!("the task asks for {}", k.id()))),
        Packaging::Manifests,
        &at("packaging"),
        field,
        errors,
    );

    let slug = |s: &str| {
        let mut out: String = s
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        while out.contains("--") {
            out = out.replace("--", "-");
        }
        let out = out.trim_matches('-').chars().take(63).collect::<String>();
        out.trim_end_matches('-').to_string()
    };
    let namespace = match text("namespace") {
        Some(n) => {
            if n.len() > 63
                || n.is_empty()
                || !n
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                || n.starts_with('-')
                || n.ends_with('-')
            {
                errors.push(format!(
                    "{}: namespace = {n:?} is not a Kubernetes name: lowercase letters, digits and inner hyphens, 63 at most",
                    at("namespace")
                ));
            }
            field("namespace", n.clone(), "slipway.toml", at("namespace"));
            n
        }
        None => {
            let base = std::path::Path::new(&profile.root)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let n = match slug(&base) {
                s if s.is_empty() || s == "default" || s.starts_with("kube-") => "app".to_string(),
                s => s,
            };
            field(
                "namespace",
                n.clone(),
                "default",
                "the project's folder name; its own namespace, never default".into(),
            );
            n
        }
    };

    let ha = d.ha.unwrap_or(params.ha);
    if d.ha.is_some() {
        field("ha", ha.to_string(), "slipway.toml", at("ha"));
    } else if params.ha {
        field(
            "ha",
            "true".into(),
            "task",
            "the task asks for high availability".into(),
        );
    }
    let autoscale = d.autoscale.unwrap_or(params.autoscale);
    if d.autoscale.is_some() {
        field("autoscale", autoscale.to_string(), "slipway.toml", at("autoscale"));
    } else if params.autoscale {
        field(
            "autoscale",
            "true".into(),
            "task",
            "the task asks for autoscaling".into(),
        );
    }
    let replicas = match (d.replicas, params.min_replicas.filter(|_| !params.autoscale)) {
        (Some(n), _) => {
            field("replicas", n.to_string(), "slipway.toml", at("replicas"));
            if n == 0 {
                errors.push(format!(
                    "{}: replicas = 0 leaves nothing running; use 1 or more",
                    at("replicas")
                ));
            }
            n
        }
        (None, Some(n)) => {
            field("replicas", n.to_string(), "task", "the task gives the count".into());
            n
        }
        (None, None) => {
            field(
                "replicas",
                "3".into(),
                "default",
                "three replicas: one can drain while two serve".into(),
            );
            3
        }
    };
    if ha && replicas < 2 && !autoscale {
        errors.push(format!(
            "high availability needs at least two replicas, and replicas is {replicas}"
        ));
    }
    let vpa = d.vpa.unwrap_or(params.vpa);
    if vpa {
        let (source, why) = if d.vpa.is_some() {
            ("slipway.toml", at("vpa"))
        } else {
            ("task", "the task asks for a VerticalPodAutoscaler".to_string())
        };
        field("vpa", "true (recommendations only)".into(), source, why);
    }

    let mut quantity = |name: &str, default: &str, cpu: bool| -> String {
        match text(name) {
            Some(q) => {
                let ok = if cpu {
                    millicores(&q).is_some()
                } else {
                    bytes(&q).is_some()
                };
                if !ok {
                    errors.push(format!(
                        "{}: {name} = {q:?} is not a Kubernetes {} quantity (for example {default})",
                        at(name),
                        if cpu { "CPU" } else { "memory" }
                    ));
                }
                field(name, q.clone(), "slipway.toml", at(name));
                q
            }
            None => default.to_string(),
        }
    };
    let resources = Resources {
        cpu_request: quantity("cpu_request", "250m", true),
        memory_request: quantity("memory_request", "256Mi", false),
        cpu_limit: quantity("cpu_limit", "500m", true),
        memory_limit: quantity("memory_limit", "512Mi", false),
    };
    if let (Some(r), Some(l)) = (millicores(&resources.cpu_request), millicores(&resources.cpu_limit)) {
        if l < r {
            errors.push(format!(
                "cpu_limit {} is below cpu_request {}: a container cannot be held under what it reserves",
                resources.cpu_limit, resources.cpu_request
            ));
        }
    }
    if let (Some(r), Some(l)) = (bytes(&resources.memory_request), bytes(&resources.memory_limit)) {
        if l < r {
            errors.push(format!(
                "memory_limit {} is below memory_request {}: a container cannot be held under what it reserves",
                resources.memory_limit, resources.memory_request
            ));
        }
    }

    let existing_class = profile.ingress_class.clone();
    let route = pick(
        "route",
        text("route"),
        params.route.map(|k| (k, format!("the task names {}", k.id()))),
        Route::Ingress,
        &at("route"),
        field,
        errors,
    );
    let ingress_class = if let Some(c) = text("ingress_class") {
        field("ingress_class", c.clone(), "slipway.toml", at("ingress_class"));
        c
    } else if let Some(c) = &params.ingress_class {
        field("ingress_class", c.clone(), "task", format!("the task names {c}"));
        c.clone()
    } else if let Some(found) = existing_class.filter(|_| route == Route::Ingress) {
        let c = found.value;
        field(
            "ingress_class",
            c.clone(),
            "project",
            if c == "nginx" {
                format!(
                    "{} line {} routes through it; ingress-nginx was retired in March 2026, so plan the move to a maintained controller and set ingress_class then",
                    found.file, found.line
                )
            } else {
                format!(
                    "{} line {} routes through it, so the new Ingress joins the same controller",
                    found.file, found.line
                )
            },
        );
        c
    } else {
        field(
            "ingress_class",
            "traefik".into(),
            "default",
            "ingress-nginx was retired in March 2026; Traefik reads Ingress objects and is common. Set ingress_class to your controller's class".into(),
        );
        "traefik".into()
    };
    let tls_issuer = text("tls_issuer").unwrap_or_else(|| "letsencrypt-prod".into());
    field(
        "tls_issuer",
        tls_issuer.clone(),
        if d.kube.contains_key("tls_issuer") {
            "slipway.toml"
        } else {
            "default"
        },
        if d.kube.contains_key("tls_issuer") {
            at("tls_issuer")
        } else {
            "a cert-manager ClusterIssuer for Let's Encrypt over ACME HTTP-01".into()
        },
    );
    let acme_email = text("acme_email");
    if let Some(e) = &acme_email {
        if !e.contains('@') || e.contains(char::is_whitespace) {
            errors.push(format!(
                "{}: acme_email = {e:?} is not an e-mail address",
                at("acme_email")
            ));
        }
    }
    let secret_store = match text("secret_store") {
        Some(n) => {
            if !crate::params::is_dns_subdomain(&n) {
                errors.push(format!(
                    "{}: secret_store = {n:?} is not a Kubernetes name: lowercase letters, digits, inner hyphens and dots",
                    at("secret_store")
                ));
            }
            field("secret_store", n.clone(), "slipway.toml", at("secret_store"));
            Some(n)
        }
        None if params.external_secrets => {
            field(
                "secret_store",
                "cluster-secrets".into(),
                "task",
                "the task asks for External Secrets; set secret_store to the name of your ClusterSecretStore".into(),
            );
            Some("cluster-secrets".into())
        }
        None => None,
    };
    let mesh = pick(
        "mesh",
        text("mesh"),
        params.mesh.map(|k| (k, format!("the task names {}", k.id()))),
        Mesh::None,
        &at("mesh"),
        field,
        errors,
    );
    let gitops = pick(
        "gitops",
        text("gitops"),
        params.gitops.map(|k| {
            let why = if k == GitOps::ArgoCd && !params.gitops_named {
                "the task asks for GitOps; Argo CD unless gitops = \"flux\" says Flux".to_string()
            } else {
                format!("the task names {}", k.id())
            };
            (k, why)
        }),
        GitOps::None,
        &at("gitops"),
        field,
        errors,
    );
    let rollouts = pick(
        "rollouts",
        text("rollouts"),
        params.rollouts.map(|k| {
            let why = match k {
                Rollouts::Kubectl => "the task asks for it without Argo Rollouts",
                Rollouts::Argo => "the task names Argo Rollouts",
            };
            (k, why.to_string())
        }),
        Rollouts::Argo,
        &at("rollouts"),
        field,
        errors,
    );
    let backing = pick(
        "backing",
        text("backing"),
        params.in_cluster_backing.then(|| {
            (
                Backing::InCluster,
                "the task asks for its databases in the cluster".to_string(),
            )
        }),
        Backing::External,
        &at("backing"),
        field,
        errors,
    );
    let charts = pick(
        "charts",
        text("charts"),
        params.umbrella_chart.then(|| {
            (
                Charts::Umbrella,
                "the task asks for one chart for all the services".to_string(),
            )
        }),
        Charts::PerService,
        &at("charts"),
        field,
        errors,
    );
    let mut flag = |name: &str| -> bool {
        match text(name) {
            Some(v) => {
                field(name, v.clone(), "slipway.toml", at(name));
                v != "false"
            }
            None => true,
        }
    };
    let sync = SyncSpec {
        automated: flag("auto_sync"),
        prune: flag("prune"),
        self_heal: flag("self_heal"),
    };
    KubeSpec {
        packaging,
        namespace,
        replicas,
        autoscale,
        ha,
        vpa,
        resources,
        route,
        ingress_class,
        tls_issuer,
        acme_email,
        secret_store,
        mesh,
        gitops,
        sync,
        rollouts,
        backing,
        charts,
        prometheus: None,
    }
}
