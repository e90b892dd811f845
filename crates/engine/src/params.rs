//! The parameters a task's words carry, beyond its intents: where to deploy, with which CI
//! system, through which registry, how to roll out, how far to scale, on which host.
//!
//! "set up CI/CD with GitLab, push to ECR and deploy to Fly.io with a canary, from 2 to 10
//! replicas at 70% CPU, on api.example.com, staging and production with approval" reads as
//! one [`TaskParams`]. A name Slipway does not know in a place where a target, CI system or
//! registry goes is refused with the names it does know.

use serde::{Deserialize, Serialize};

/// A CI system a pipeline is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum CiSystem {
    /// GitHub Actions, `.github/workflows/`.
    Github,
    /// GitLab CI/CD, `.gitlab-ci.yml`.
    Gitlab,
    /// A declarative `Jenkinsfile`.
    Jenkins,
    /// CircleCI, `.circleci/config.yml`.
    Circleci,
}

impl CiSystem {
    /// Every CI system, in the order they are offered.
    pub const ALL: [CiSystem; 4] = [
        CiSystem::Github,
        CiSystem::Gitlab,
        CiSystem::Jenkins,
        CiSystem::Circleci,
    ];

    /// The name people write.
    pub fn label(self) -> &'static str {
        match self {
            CiSystem::Github => "GitHub Actions",
            CiSystem::Gitlab => "GitLab CI",
            CiSystem::Jenkins => "Jenkins",
            CiSystem::Circleci => "CircleCI",
        }
    }

    /// The id used in `slipway.toml` and JSON.
    pub fn id(self) -> &'static str {
        match self {
            CiSystem::Github => "github",
            CiSystem::Gitlab => "gitlab",
            CiSystem::Jenkins => "jenkins",
            CiSystem::Circleci => "circleci",
        }
    }

    /// The system with this id or name.
    pub fn parse(s: &str) -> Option<CiSystem> {
        let s = s.trim().to_ascii_lowercase();
        CiSystem::ALL
            .into_iter()
            .find(|c| c.id() == s || c.label().to_ascii_lowercase() == s)
            .or(match s.as_str() {
                "github-actions" | "actions" | "gha" => Some(CiSystem::Github),
                "gitlab-ci" => Some(CiSystem::Gitlab),
                "circle" => Some(CiSystem::Circleci),
                _ => None,
            })
    }
}

/// Where images are pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Registry {
    /// GitHub Container Registry, `ghcr.io`.
    Ghcr,
    /// The GitLab project's container registry.
    Gitlab,
    /// Docker Hub.
    Dockerhub,
    /// Amazon ECR.
    Ecr,
    /// Google Artifact Registry.
    Gar,
    /// Azure Container Registry.
    Acr,
}

impl Registry {
    /// Every registry.
    pub const ALL: [Registry; 6] = [
        Registry::Ghcr,
        Registry::Gitlab,
        Registry::Dockerhub,
        Registry::Ecr,
        Registry::Gar,
        Registry::Acr,
    ];

    /// The name people write.
    pub fn label(self) -> &'static str {
        match self {
            Registry::Ghcr => "GitHub Container Registry",
            Registry::Gitlab => "GitLab container registry",
            Registry::Dockerhub => "Docker Hub",
            Registry::Ecr => "Amazon ECR",
            Registry::Gar => "Google Artifact Registry",
            Registry::Acr => "Azure Container Registry",
        }
    }

    /// The id used in `slipway.toml` and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Registry::Ghcr => "ghcr",
            Registry::Gitlab => "gitlab",
            Registry::Dockerhub => "dockerhub",
            Registry::Ecr => "ecr",
            Registry::Gar => "gar",
            Registry::Acr => "acr",
        }
    }

    /// The registry with this id.
    pub fn parse(s: &str) -> Option<Registry> {
        let s = s.trim().to_ascii_lowercase();
        Registry::ALL.into_iter().find(|r| r.id() == s).or(match s.as_str() {
            "docker-hub" | "docker hub" => Some(Registry::Dockerhub),
            "artifact-registry" => Some(Registry::Gar),
            _ => None,
        })
    }
}

/// Where a service is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// Railway.
    Railway,
    /// Fly.io.
    Fly,
    /// Render.
    Render,
    /// Heroku's container stack.
    Heroku,
    /// Vercel.
    Vercel,
    /// Netlify.
    Netlify,
    /// Kubernetes (a later family).
    Kubernetes,
    /// Google Cloud Run (a later family).
    CloudRun,
    /// Amazon ECS (a later family).
    Ecs,
    /// Azure Container Apps (a later family).
    AzureContainerApps,
    /// A server of the person's own (a virtual machine or bare metal), configured with Ansible.
    Vm,
}

impl Target {
    /// Every target, platforms first.
    pub const ALL: [Target; 11] = [
        Target::Railway,
        Target::Fly,
        Target::Render,
        Target::Heroku,
        Target::Vercel,
        Target::Netlify,
        Target::Kubernetes,
        Target::CloudRun,
        Target::Ecs,
        Target::AzureContainerApps,
        Target::Vm,
    ];

    /// The name people write.
    pub fn label(self) -> &'static str {
        match self {
            Target::Railway => "Railway",
            Target::Fly => "Fly.io",
            Target::Render => "Render",
            Target::Heroku => "Heroku",
            Target::Vercel => "Vercel",
            Target::Netlify => "Netlify",
            Target::Kubernetes => "Kubernetes",
            Target::CloudRun => "Cloud Run",
            Target::Ecs => "Amazon ECS",
            Target::AzureContainerApps => "Azure Container Apps",
            Target::Vm => "a server",
        }
    }

    /// The id used in `slipway.toml` and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Target::Railway => "railway",
            Target::Fly => "fly",
            Target::Render => "render",
            Target::Heroku => "heroku",
            Target::Vercel => "vercel",
            Target::Netlify => "netlify",
            Target::Kubernetes => "kubernetes",
            Target::CloudRun => "cloud-run",
            Target::Ecs => "ecs",
            Target::AzureContainerApps => "azure-container-apps",
            Target::Vm => "vm",
        }
    }

    /// True for the platforms this family deploys to; the others belong to the Kubernetes and
    /// cloud families.
    pub fn is_platform(self) -> bool {
        matches!(
            self,
            Target::Railway | Target::Fly | Target::Render | Target::Heroku | Target::Vercel | Target::Netlify
        )
    }

    /// The target with this id or name.
    pub fn parse(s: &str) -> Option<Target> {
        let s = s.trim().to_ascii_lowercase();
        Target::ALL
            .into_iter()
            .find(|t| t.id() == s || t.label().to_ascii_lowercase() == s)
            .or(match s.as_str() {
                "fly.io" | "flyio" => Some(Target::Fly),
                "k8s" => Some(Target::Kubernetes),
                "cloudrun" => Some(Target::CloudRun),
                "aca" => Some(Target::AzureContainerApps),
                "server" | "bare-metal" => Some(Target::Vm),
                _ => None,
            })
    }
}

/// How a new version replaces the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Replace instances a few at a time, each after the new one is healthy.
    Rolling,
    /// Start the whole new version beside the old, then switch traffic at once.
    BlueGreen,
    /// Send a small share of traffic to the new version first.
    Canary,
}

impl Strategy {
    /// The id used in `slipway.toml` and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Strategy::Rolling => "rolling",
            Strategy::BlueGreen => "blue-green",
            Strategy::Canary => "canary",
        }
    }

    /// The strategy with this id.
    pub fn parse(s: &str) -> Option<Strategy> {
        match s.trim().to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
            "rolling" => Some(Strategy::Rolling),
            "blue-green" | "bluegreen" => Some(Strategy::BlueGreen),
            "canary" => Some(Strategy::Canary),
            _ => None,
        }
    }
}

/// How the Kubernetes objects are packaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Packaging {
    /// Plain manifests in `k8s/`, applied with `kubectl apply`.
    Manifests,
    /// A Helm chart in `charts/<name>`.
    Helm,
    /// Kustomize: `base/` and `overlays/{staging,production}`.
    Kustomize,
}

impl Packaging {
    /// The id used in `slipway.toml` and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Packaging::Manifests => "manifests",
            Packaging::Helm => "helm",
            Packaging::Kustomize => "kustomize",
        }
    }

    /// The packaging with this id.
    pub fn parse(s: &str) -> Option<Packaging> {
        match s.trim().to_ascii_lowercase().as_str() {
            "manifests" | "plain" | "kubectl" | "yaml" => Some(Packaging::Manifests),
            "helm" | "chart" | "helm-chart" => Some(Packaging::Helm),
            "kustomize" => Some(Packaging::Kustomize),
            _ => None,
        }
    }
}

/// How outside traffic reaches a Kubernetes service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Route {
    /// An `Ingress` with an `ingressClassName`.
    Ingress,
    /// A Gateway API `HTTPRoute` on a `Gateway`.
    Gateway,
}

impl Route {
    /// The id used in `slipway.toml` and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Route::Ingress => "ingress",
            Route::Gateway => "gateway",
        }
    }

    /// The route with this id.
    pub fn parse(s: &str) -> Option<Route> {
        match s.trim().to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
            "ingress" => Some(Route::Ingress),
            "gateway" | "gateway-api" | "httproute" => Some(Route::Gateway),
            _ => None,
        }
    }
}

/// A setting with a fixed set of ids, as `slipway.toml` and JSON spell them.
pub trait Choice: Copy {
    /// The ids it accepts, in words: "ingress or gateway".
    const CHOICES: &'static str;
    /// The value with this id.
    fn parse_id(s: &str) -> Option<Self>;
    /// Its id.
    fn id_of(self) -> &'static str;
}

macro_rules! choice {
    ($t:ty, $words:literal) => {
        impl Choice for $t {
            const CHOICES: &'static str = $words;
            fn parse_id(s: &str) -> Option<Self> {
                <$t>::parse(s)
            }
            fn id_of(self) -> &'static str {
                self.id()
            }
        }
    };
}
choice!(Packaging, "manifests, helm or kustomize");
choice!(Route, "ingress or gateway");
choice!(Mesh, "none, istio or linkerd");
choice!(GitOps, "none, argocd or flux");
choice!(Rollouts, "argo or kubectl");
choice!(Backing, "external or in-cluster");
choice!(Charts, "per-service or umbrella");

/// How a monorepo's services are charted with Helm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Charts {
    /// A chart and a release per service: each service deploys and rolls back on its own.
    PerService,
    /// One chart for the project with each service's chart as a subchart: one release, one
    /// version of the whole.
    Umbrella,
}

impl Charts {
    /// The id used in `slipway.toml` and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Charts::PerService => "per-service",
            Charts::Umbrella => "umbrella",
        }
    }

    /// The choice with this id.
    pub fn parse(s: &str) -> Option<Charts> {
        match s.trim().to_ascii_lowercase().replace([' ', '_'], "-").as_str() {
            "per-service" | "separate" | "one-per-service" => Some(Charts::PerService),
            "umbrella" | "one" | "single" | "one-chart" => Some(Charts::Umbrella),
            _ => None,
        }
    }
}

/// Where a Kubernetes deployment's databases and caches run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Backing {
    /// Managed services outside the cluster; the runbook names them.
    External,
    /// StatefulSets in the cluster, for development clusters, applied by hand.
    InCluster,
}

impl Backing {
    /// The id used in `slipway.toml` and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Backing::External => "external",
            Backing::InCluster => "in-cluster",
        }
    }

    /// The choice with this id.
    pub fn parse(s: &str) -> Option<Backing> {
        match s.trim().to_ascii_lowercase().replace([' ', '_'], "-").as_str() {
            "external" | "managed" => Some(Backing::External),
            "in-cluster" | "cluster" | "statefulset" => Some(Backing::InCluster),
            _ => None,
        }
    }
}

/// What carries out a blue-green or canary on Kubernetes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Rollouts {
    /// Argo Rollouts' controller: `Rollout` objects, analysis and automatic aborts.
    Argo,
    /// Nothing in the cluster beyond Kubernetes: for blue-green, two Deployments and the
    /// pipeline switching the Service's selector once the new one is checked.
    Kubectl,
}

impl Rollouts {
    /// The id used in `slipway.toml` and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Rollouts::Argo => "argo",
            Rollouts::Kubectl => "kubectl",
        }
    }

    /// The controller with this id.
    pub fn parse(s: &str) -> Option<Rollouts> {
        match s.trim().to_ascii_lowercase().replace([' ', '_'], "-").as_str() {
            "argo" | "argo-rollouts" => Some(Rollouts::Argo),
            "kubectl" | "plain" | "none" => Some(Rollouts::Kubectl),
            _ => None,
        }
    }
}

/// The service mesh the pods join, which splits a canary's requests inside the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Mesh {
    /// No mesh: the ingress or the Gateway is the only router.
    None,
    /// Istio, sidecar mode: `VirtualService` weights and a `DestinationRule`.
    Istio,
    /// Linkerd: a Gateway API `HTTPRoute` attached to the Service.
    Linkerd,
}

impl Mesh {
    /// The id used in `slipway.toml` and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Mesh::None => "none",
            Mesh::Istio => "istio",
            Mesh::Linkerd => "linkerd",
        }
    }

    /// The mesh with this id.
    pub fn parse(s: &str) -> Option<Mesh> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "" => Some(Mesh::None),
            "istio" => Some(Mesh::Istio),
            "linkerd" => Some(Mesh::Linkerd),
            _ => None,
        }
    }
}

/// Who applies the Kubernetes files: the pipeline, or a GitOps controller that pulls them
/// from git.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum GitOps {
    /// The pipeline applies them (`kubectl apply`, `helm upgrade`).
    None,
    /// Argo CD `Application`s.
    ArgoCd,
    /// Flux's `GitRepository` with a `Kustomization` or a `HelmRelease`.
    Flux,
}

impl GitOps {
    /// The id used in `slipway.toml` and JSON.
    pub fn id(self) -> &'static str {
        match self {
            GitOps::None => "none",
            GitOps::ArgoCd => "argocd",
            GitOps::Flux => "flux",
        }
    }

    /// The controller with this id.
    pub fn parse(s: &str) -> Option<GitOps> {
        match s.trim().to_ascii_lowercase().replace([' ', '_'], "-").as_str() {
            "none" | "" => Some(GitOps::None),
            "argocd" | "argo-cd" => Some(GitOps::ArgoCd),
            "flux" | "fluxcd" => Some(GitOps::Flux),
            _ => None,
        }
    }
}

/// True when `s` is a DNS name a certificate and an Ingress accept: a DNS subdomain of at
/// least two labels, 63 characters at most each, whose last has a letter; a leading `*.` is a
/// wildcard.
pub fn is_dns_name(s: &str) -> bool {
    let name = s.strip_prefix("*.").unwrap_or(s);
    is_dns_subdomain(name)
        && name.split('.').count() >= 2
        && name.split('.').all(|l| l.len() <= 63)
        && name
            .rsplit('.')
            .next()
            .is_some_and(|t| t.chars().any(|c| c.is_ascii_alphabetic()))
}

/// True when `s` is a DNS subdomain as Kubernetes checks an object's name: labels of
/// lowercase letters, digits and inner hyphens, 253 characters in all.
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// True when `s` is a Kubernetes label value: at most 63 letters, digits, `-`, `_` or `.`,
/// beginning and ending with a letter or digit (or empty).
pub fn is_label_value(s: &str) -> bool {
    s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && (s.is_empty()
            || (s.starts_with(|c: char| c.is_ascii_alphanumeric()) && s.ends_with(|c: char| c.is_ascii_alphanumeric())))
}

/// True for a word shaped like a cloud region: AWS's `eu-west-1`, `us-gov-west-1`,
/// `ap-southeast-2`, or Google's `europe-west1`, `us-central1`, `northamerica-northeast2`.
pub fn looks_like_region(w: &str) -> bool {
    let parts: Vec<&str> = w.split('-').collect();
    if let [area, place] = parts.as_slice() {
        let direction = place.trim_end_matches(|c: char| c.is_ascii_digit());
        return (2..=13).contains(&area.len())
            && area.chars().all(|c| c.is_ascii_lowercase())
            && direction.len() < place.len()
            && [
                "central",
                "east",
                "west",
                "north",
                "south",
                "northeast",
                "southeast",
                "northwest",
                "southwest",
            ]
            .contains(&direction);
    }
    (3..=4).contains(&parts.len())
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// True for a word shaped like an Azure region: one word of lower-case letters (and a digit at
/// the end) that names a direction inside it, such as `westeurope`, `eastus2` or `japaneast`;
/// a bare direction is not one.
pub fn looks_like_azure_region(w: &str) -> bool {
    let letters = w.trim_end_matches(|c: char| c.is_ascii_digit());
    (6..=22).contains(&w.len())
        && !letters.is_empty()
        && letters.chars().all(|c| c.is_ascii_lowercase())
        && ["east", "west", "north", "south", "central"]
            .iter()
            .any(|d| letters.contains(d))
        && ![
            "east",
            "west",
            "north",
            "south",
            "central",
            "northeast",
            "northwest",
            "southeast",
            "southwest",
        ]
        .contains(&letters)
}

/// What a task's words set. Every field is `None` or empty when the words do not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskParams {
    /// Deploy targets named, in order.
    pub targets: Vec<Target>,
    /// The CI system named.
    pub ci: Option<CiSystem>,
    /// The registry named.
    pub registry: Option<Registry>,
    /// The rollout strategy named.
    pub strategy: Option<Strategy>,
    /// Fewest replicas.
    pub min_replicas: Option<u32>,
    /// Most replicas.
    pub max_replicas: Option<u32>,
    /// CPU utilisation to scale at, in percent.
    pub cpu_percent: Option<u32>,
    /// The public host name.
    pub host: Option<String>,
    /// Environments named, in order (`staging`, `production`).
    pub environments: Vec<String>,
    /// A manual approval before production.
    pub approval: bool,
    /// The branch deploys run from.
    pub branch: Option<String>,
    /// How the Kubernetes objects are packaged, when named.
    pub packaging: Option<Packaging>,
    /// Ingress or Gateway API, when named.
    pub route: Option<Route>,
    /// The ingress controller's class, when named.
    pub ingress_class: Option<String>,
    /// The service mesh, when named.
    pub mesh: Option<Mesh>,
    /// The GitOps controller, when named ("gitops" alone is Argo CD).
    pub gitops: Option<GitOps>,
    /// True when the task names the controller, not only "GitOps".
    pub gitops_named: bool,
    /// Argo Rollouts, or plain Kubernetes objects switched by the pipeline ("without Argo").
    pub rollouts: Option<Rollouts>,
    /// The databases and caches run in the cluster ("an in-cluster postgres for dev").
    pub in_cluster_backing: bool,
    /// One Helm chart for every service of a monorepo ("an umbrella chart", "one chart").
    pub umbrella_chart: bool,
    /// A cloud region named (`eu-west-1`).
    pub region: Option<String>,
    /// The infrastructure language named: `terraform`, `pulumi`, `cloudformation`, `ansible`.
    pub iac: Option<String>,
    /// The cloud a server is created on ("a VM on AWS", "an EC2 instance"): `aws`, `gcp` or
    /// `azure`. The cloud's infrastructure creates the machine and Ansible configures it.
    pub server_cloud: Option<String>,
    /// The cloud a Kubernetes cluster is created on ("Kubernetes on AWS", "EKS", "GKE", "AKS"):
    /// `aws`, `gcp` or `azure`. The cloud's infrastructure creates the cluster and the
    /// Kubernetes family writes what runs in it.
    pub cluster_cloud: Option<String>,
    /// The language a Pulumi program is asked in: `typescript` or `python`.
    pub pulumi_language: Option<String>,
    /// Days of backups asked for ("keep 30 days of backups").
    pub backup_days: Option<u32>,
    /// A second region for backups ("copy backups to us-west-2").
    pub backup_region: Option<String>,
    /// An autoscaler is asked for.
    pub autoscale: bool,
    /// High availability is asked for.
    pub ha: bool,
    /// A VerticalPodAutoscaler is asked for.
    pub vpa: bool,
    /// Secrets come from the External Secrets Operator instead of a Secret made by hand.
    pub external_secrets: bool,
}

/// CI systems people name that Slipway does not write pipelines for.
const OTHER_CI: &[(&str, &str)] = &[
    ("travis", "Travis CI"),
    ("bitbucket", "Bitbucket Pipelines"),
    ("azure pipelines", "Azure Pipelines"),
    ("azure devops", "Azure Pipelines"),
    ("drone", "Drone"),
    ("buildkite", "Buildkite"),
    ("teamcity", "TeamCity"),
    ("bamboo", "Bamboo"),
    ("woodpecker", "Woodpecker"),
    ("tekton", "Tekton"),
];

/// Words that name each target.
const TARGET_WORDS: &[(&str, Target)] = &[
    ("railway", Target::Railway),
    ("fly.io", Target::Fly),
    ("flyio", Target::Fly),
    ("fly", Target::Fly),
    ("render", Target::Render),
    ("heroku", Target::Heroku),
    ("vercel", Target::Vercel),
    ("netlify", Target::Netlify),
    ("kubernetes", Target::Kubernetes),
    ("k8s", Target::Kubernetes),
    ("eks", Target::Kubernetes),
    ("gke", Target::Kubernetes),
    ("aks", Target::Kubernetes),
    ("google kubernetes engine", Target::Kubernetes),
    ("azure kubernetes service", Target::Kubernetes),
    ("cloud run", Target::CloudRun),
    ("ecs", Target::Ecs),
    ("fargate", Target::Ecs),
    ("container apps", Target::AzureContainerApps),
    ("azure", Target::AzureContainerApps),
    ("aws", Target::Ecs),
    ("cloudfront", Target::Ecs),
    ("gcp", Target::CloudRun),
    ("vm", Target::Vm),
    ("virtual machine", Target::Vm),
    ("bare metal", Target::Vm),
    ("bare-metal", Target::Vm),
    ("vps", Target::Vm),
    ("ec2", Target::Vm),
    ("compute engine", Target::Vm),
    ("gce", Target::Vm),
    ("my server", Target::Vm),
    ("own server", Target::Vm),
    ("google cloud", Target::CloudRun),
];

/// Words after "deploy to" or "host on" that are not a place (articles, pronouns, CI words).
const NOT_A_PLACE: &[&str] = &[
    "it",
    "this",
    "the",
    "a",
    "an",
    "my",
    "our",
    "production",
    "prod",
    "staging",
    "main",
    "master",
    "every",
    "each",
    "github",
    "gitlab",
    "jenkins",
    "circleci",
    "ghcr",
    "ecr",
    "gar",
    "acr",
    "docker",
    "dockerhub",
    "cloud",
    "registry",
    "container",
    "containers",
    "kubernetes",
    "k8s",
];

/// Places people name that no family deploys to yet.
const OTHER_TARGETS: &[(&str, &str)] = &[
    ("digitalocean", "DigitalOcean App Platform"),
    ("digital ocean", "DigitalOcean App Platform"),
    ("app runner", "AWS App Runner"),
    ("apprunner", "AWS App Runner"),
    ("elastic beanstalk", "AWS Elastic Beanstalk"),
    ("beanstalk", "AWS Elastic Beanstalk"),
    ("app engine", "Google App Engine"),
    ("cloudflare", "Cloudflare"),
    ("koyeb", "Koyeb"),
    ("northflank", "Northflank"),
    ("dokku", "Dokku"),
    ("coolify", "Coolify"),
    ("openshift", "OpenShift"),
    ("nomad", "Nomad"),
    ("lambda", "AWS Lambda"),
];

fn known_targets() -> String {
    let names: Vec<&str> = Target::ALL.iter().map(|t| t.label()).collect();
    names.join(", ")
}

/// True when `word` occurs in `lower` as a whole word (or phrase).
/// A server on a cloud: "an EC2 instance", "a VM on Google Cloud", "an Azure VM". The cloud
/// creates the machine and Ansible configures it, so the cloud's container runtime, which a
/// cloud's name alone would mean, is not asked; a runtime named as well ("ECS", "Cloud Run")
/// stays asked.
fn server_on_a_cloud(lower: &str, p: &mut TaskParams) {
    let machines = [
        ("ec2", "aws"),
        ("compute engine", "gcp"),
        ("gce", "gcp"),
        ("azure vm", "azure"),
        ("azure virtual machine", "azure"),
    ];
    let clouds: [(Target, &str, &[&str]); 3] = [
        (Target::Ecs, "aws", &["ecs", "fargate", "cloudfront"]),
        (Target::CloudRun, "gcp", &["cloud run"]),
        (Target::AzureContainerApps, "azure", &["container apps"]),
    ];
    let named = machines
        .iter()
        .find(|(w, _)| has_word(lower, w).is_some())
        .map(|(_, provider)| *provider);
    let provider = named.or_else(|| {
        p.targets.contains(&Target::Vm).then_some(())?;
        clouds
            .iter()
            .find(|(t, _, _)| p.targets.contains(t))
            .map(|(_, provider, _)| *provider)
    });
    let Some(provider) = provider else { return };
    let Some((runtime, _, words)) = clouds.iter().find(|(_, c, _)| *c == provider) else {
        return;
    };
    if words.iter().any(|w| has_word(lower, w).is_some()) {
        return;
    }
    p.targets.retain(|t| t != runtime);
    p.server_cloud = Some(provider.to_string());
}

/// A Kubernetes cluster on a cloud: "EKS", "GKE Autopilot", "AKS", "Kubernetes on AWS". The
/// cloud creates the cluster and the Kubernetes family writes what runs in it, so the cloud's
/// container runtime, which the cloud's name alone would mean, is not asked; a runtime named as
/// well ("ECS", "Cloud Run") stays asked.
fn cluster_on_a_cloud(lower: &str, p: &mut TaskParams) {
    if !p.targets.contains(&Target::Kubernetes) || p.server_cloud.is_some() {
        return;
    }
    let clusters = [
        ("eks", "aws"),
        ("gke", "gcp"),
        ("google kubernetes engine", "gcp"),
        ("aks", "azure"),
        ("azure kubernetes service", "azure"),
    ];
    let clouds: [(Target, &str, &[&str]); 3] = [
        (Target::Ecs, "aws", &["ecs", "fargate", "cloudfront"]),
        (Target::CloudRun, "gcp", &["cloud run"]),
        (Target::AzureContainerApps, "azure", &["container apps"]),
    ];
    let named = clusters
        .iter()
        .find(|(w, _)| has_word(lower, w).is_some())
        .map(|(_, provider)| *provider);
    let provider = named.or_else(|| {
        clouds
            .iter()
            .find(|(t, _, _)| p.targets.contains(t))
            .map(|(_, provider, _)| *provider)
    });
    let Some(provider) = provider else { return };
    let Some((runtime, _, words)) = clouds.iter().find(|(_, c, _)| *c == provider) else {
        return;
    };
    if words.iter().any(|w| has_word(lower, w).is_some()) {
        return;
    }
    p.targets.retain(|t| t != runtime);
    p.cluster_cloud = Some(provider.to_string());
}

fn has_word(lower: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = lower[from..].find(word).map(|p| p + from) {
        let before = lower[..at].chars().next_back();
        let after = lower[at + word.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_'));
        // "fly.io." at the end of a sentence still counts; "render" inside "rendering" does not.
        if edge(before)
            && (edge(after)
                || after == Some('.') && !lower[at + word.len() + 1..].starts_with(|c: char| c.is_alphanumeric()))
        {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// Reads the parameters in `text`. A name Slipway does not know where a target or CI system
/// goes is an error naming the ones it knows.
pub fn read(text: &str) -> Result<TaskParams, String> {
    let lower = text.to_lowercase();
    let mut p = TaskParams::default();

    // CI systems.
    for (word, name) in OTHER_CI {
        if has_word(&lower, word).is_some() {
            return Err(format!(
                "Slipway writes pipelines for GitHub Actions, GitLab CI, Jenkins and CircleCI; {name} is not one of them yet"
            ));
        }
    }
    let ci_words: &[(&str, CiSystem)] = &[
        ("github actions", CiSystem::Github),
        ("github", CiSystem::Github),
        ("gitlab", CiSystem::Gitlab),
        ("jenkins", CiSystem::Jenkins),
        ("jenkinsfile", CiSystem::Jenkins),
        ("circleci", CiSystem::Circleci),
        ("circle ci", CiSystem::Circleci),
    ];
    let mut ci_at: Vec<(usize, CiSystem)> = ci_words
        .iter()
        .filter_map(|(w, c)| has_word(&lower, w).map(|at| (at, *c)))
        .collect();
    ci_at.sort_by_key(|(at, _)| *at);
    // "GitHub" as a registry ("push to ghcr") or a host does not pick the CI by itself when
    // another CI system is named too; the first named wins.
    p.ci = ci_at.first().map(|(_, c)| *c);

    // Registries.
    let registry_words: &[(&str, Registry)] = &[
        ("ghcr", Registry::Ghcr),
        ("github container registry", Registry::Ghcr),
        ("github packages", Registry::Ghcr),
        ("gitlab registry", Registry::Gitlab),
        ("gitlab container registry", Registry::Gitlab),
        ("docker hub", Registry::Dockerhub),
        ("dockerhub", Registry::Dockerhub),
        ("ecr", Registry::Ecr),
        ("artifact registry", Registry::Gar),
        ("gar", Registry::Gar),
        ("acr", Registry::Acr),
        ("azure container registry", Registry::Acr),
    ];
    let mut reg_at: Vec<(usize, Registry)> = registry_words
        .iter()
        .filter_map(|(w, r)| has_word(&lower, w).map(|at| (at, *r)))
        .collect();
    reg_at.sort_by_key(|(at, _)| *at);
    p.registry = reg_at.first().map(|(_, r)| *r);
    if p.registry == Some(Registry::Gitlab) && ci_at.len() == 1 && p.ci == Some(CiSystem::Gitlab) {
        // "the GitLab registry" names the registry, and GitLab CI with it.
    }

    // Targets, in the order named.
    let mut targets: Vec<(usize, Target)> = Vec::new();
    for (word, target) in TARGET_WORDS {
        if let Some(at) = has_word(&lower, word) {
            // "fly" alone is a target only after "to" or "on" ("deploy to fly").
            if *word == "fly" && !(lower[..at].ends_with("to ") || lower[..at].ends_with("on ")) {
                continue;
            }
            // "render" the verb ("render the templates") is not Render the platform.
            if *word == "render" && !(lower[..at].ends_with("to ") || lower[..at].ends_with("on ")) {
                continue;
            }
            if !targets.iter().any(|(_, t)| t == target) {
                targets.push((at, *target));
            }
        }
    }
    targets.sort_by_key(|(at, _)| *at);
    p.targets = targets.into_iter().map(|(_, t)| t).collect();
    server_on_a_cloud(&lower, &mut p);
    cluster_on_a_cloud(&lower, &mut p);
    for (word, name) in OTHER_TARGETS {
        if has_word(&lower, word).is_some() {
            return Err(format!(
                "Slipway does not deploy to {name} yet; it knows {}",
                known_targets()
            ));
        }
    }
    // "deploy to X" / "host on X" with an X nobody knows.
    for verb in [
        "deploy to ",
        "deploy it to ",
        "deploy this to ",
        "ship it to ",
        "host it on ",
        "deploy on ",
    ] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(verb).map(|i| i + from) {
            let rest = &lower[at + verb.len()..];
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '.' || *c == '-')
                .collect();
            let word = word.trim_end_matches('.').to_string();
            from = at + verb.len();
            if word.is_empty() || NOT_A_PLACE.contains(&word.as_str()) {
                continue;
            }
            let known = TARGET_WORDS.iter().any(|(w, _)| rest.starts_with(w));
            if !known && !word.contains('.') {
                return Err(format!(
                    "Slipway does not know the deploy target {word:?}; it knows {}",
                    known_targets()
                ));
            }
        }
    }

    // Strategy.
    p.strategy = if has_word(&lower, "canary").is_some() {
        Some(Strategy::Canary)
    } else if ["blue-green", "blue/green", "blue green", "bluegreen"]
        .iter()
        .any(|w| has_word(&lower, w).is_some())
    {
        Some(Strategy::BlueGreen)
    } else if has_word(&lower, "rolling").is_some() {
        Some(Strategy::Rolling)
    } else {
        None
    };

    // Numbers: "from 2 to 10 replicas", "2-10 replicas", "3 replicas", "at 70% cpu".
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let is_replicas = |s: &str| s.starts_with("replica") || s.starts_with("instance") || s.starts_with("pod");
        if is_replicas(w) && i > 0 {
            let prev = words[i - 1];
            if let Some((a, b)) = prev.split_once('-').or_else(|| prev.split_once('–')) {
                if let (Ok(a), Ok(b)) = (a.parse(), b.parse()) {
                    p.min_replicas = Some(a);
                    p.max_replicas = Some(b);
                    continue;
                }
            }
            if let Ok(n) = prev.parse::<u32>() {
                if i >= 3 && words[i - 2] == "to" {
                    if let Ok(a) = words[i - 3].parse::<u32>() {
                        p.min_replicas = Some(a);
                        p.max_replicas = Some(n);
                        continue;
                    }
                }
                if p.min_replicas.is_none() {
                    p.min_replicas = Some(n);
                    p.max_replicas = Some(n);
                }
            }
        }
        if let Some(n) = w.strip_suffix('%').and_then(|n| n.parse::<u32>().ok()) {
            let next = words.get(i + 1).copied().unwrap_or("");
            if next.starts_with("cpu") || words.get(i + 2).is_some_and(|w| w.starts_with("cpu")) {
                if n == 0 || n > 100 {
                    return Err(format!(
                        "the task asks to scale at {n}% CPU; the target is a share of the CPU request, from 1 to 100 (70 is usual)"
                    ));
                }
                p.cpu_percent = Some(n);
            }
        }
    }
    if let (Some(a), Some(b)) = (p.min_replicas, p.max_replicas) {
        if a > b {
            return Err(format!(
                "the task asks for at least {a} and at most {b} replicas; the smaller number goes first"
            ));
        }
    }

    // Host: "on api.example.com", "at shop.example.org", "domain example.com".
    for (i, w) in words.iter().enumerate() {
        let candidate = w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'));
        let prev = if i > 0 { words[i - 1] } else { "" };
        if ["on", "at", "domain", "host"].contains(&prev) && looks_like_host(candidate) {
            if !is_dns_name(candidate) {
                return Err(format!(
                    "{candidate:?} is not a DNS name a certificate can be issued for: use lowercase letters, digits, dots and inner hyphens, 63 characters at most between dots"
                ));
            }
            p.host = Some(candidate.to_string());
            break;
        }
        // "host api_v2.example.com": a name after "host" or "domain" that is not a DNS name.
        if ["on", "at", "domain", "host", "hostname"].contains(&prev) && candidate.contains("..") {
            let w = w.trim_matches(|c: char| c == '"' || c == '`' || c == '\'' || c == ',');
            return Err(format!(
                "{w:?} is not a DNS name a certificate can be issued for: use lowercase letters, digits, dots and inner hyphens, 63 characters at most between dots"
            ));
        }
    }

    // Kubernetes: packaging, routing, autoscaling, availability.
    if has_word(&lower, "helm").is_some() {
        p.packaging = Some(Packaging::Helm);
    } else if has_word(&lower, "kustomize").is_some() {
        p.packaging = Some(Packaging::Kustomize);
    } else if ["plain manifests", "manifests"]
        .iter()
        .any(|w| has_word(&lower, w).is_some())
    {
        p.packaging = Some(Packaging::Manifests);
    }
    if ["gateway api", "httproute", "gateway-api"]
        .iter()
        .any(|w| has_word(&lower, w).is_some())
    {
        p.route = Some(Route::Gateway);
    } else if has_word(&lower, "ingress").is_some() {
        p.route = Some(Route::Ingress);
    }
    if ["argo cd", "argocd", "argo-cd"]
        .iter()
        .any(|w| has_word(&lower, w).is_some())
    {
        p.gitops = Some(GitOps::ArgoCd);
        p.gitops_named = true;
    } else if ["flux", "fluxcd"].iter().any(|w| has_word(&lower, w).is_some()) {
        p.gitops = Some(GitOps::Flux);
        p.gitops_named = true;
    } else if has_word(&lower, "gitops").is_some() {
        p.gitops = Some(GitOps::ArgoCd);
    }
    if ["without argo", "no argo", "not argo", "without the argo"]
        .iter()
        .any(|w| lower.contains(w))
        || [
            "plain kubernetes blue",
            "plain blue-green",
            "plain blue green",
            "kubectl blue",
        ]
        .iter()
        .any(|w| lower.contains(w))
    {
        p.rollouts = Some(Rollouts::Kubectl);
    } else if lower.contains("argo rollouts") || lower.contains("argo-rollouts") {
        p.rollouts = Some(Rollouts::Argo);
    }
    let backing_word = ["database", "postgres", "mysql", "mongo", "redis", "cache", "backing"]
        .iter()
        .any(|w| lower.contains(w))
        || has_word(&lower, "db").is_some();
    p.in_cluster_backing = backing_word
        && [
            "in-cluster",
            "in cluster",
            "in the cluster",
            "inside the cluster",
            "statefulset",
        ]
        .iter()
        .any(|w| lower.contains(w));
    // Cloud: the region ("in eu-west-1"), the language, the backups.
    let on_azure = lower.contains("azure") || lower.contains("container apps");
    for (i, w) in words.iter().enumerate() {
        let r = w.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '-'));
        if looks_like_region(r) || (on_azure && looks_like_azure_region(r)) {
            let prev = if i > 0 { words[i - 1] } else { "" };
            if ["to", "into"].contains(&prev) && lower.contains("backup") && p.region.is_some() {
                p.backup_region = Some(r.to_string());
            } else if p.region.is_none() {
                p.region = Some(r.to_string());
            } else if lower.contains("backup") {
                p.backup_region = Some(r.to_string());
            }
        }
        if (*w == "days" || *w == "day") && i > 0 && lower.contains("backup") {
            if let Ok(n) = words[i - 1].parse::<u32>() {
                p.backup_days = Some(n);
            }
        }
    }
    for (word, iac) in [
        ("terraform", "terraform"),
        ("opentofu", "terraform"),
        ("pulumi", "pulumi"),
        ("cloudformation", "cloudformation"),
        ("ansible", "ansible"),
    ] {
        if has_word(&lower, word).is_some() {
            p.iac = Some(iac.to_string());
            break;
        }
    }
    if p.iac.as_deref() == Some("pulumi") {
        for (word, language) in [("typescript", "typescript"), ("python", "python")] {
            if has_word(&lower, word).is_some() {
                p.pulumi_language = Some(language.to_string());
                break;
            }
        }
    }
    p.umbrella_chart = [
        "umbrella chart",
        "umbrella helm chart",
        "one chart",
        "one helm chart",
        "a single chart",
        "a single helm chart",
        "single chart",
        "one chart for all",
    ]
    .iter()
    .any(|w| lower.contains(w));
    if p.umbrella_chart && p.packaging.is_none() {
        p.packaging = Some(Packaging::Helm);
    }
    if has_word(&lower, "istio").is_some() {
        p.mesh = Some(Mesh::Istio);
    } else if has_word(&lower, "linkerd").is_some() {
        p.mesh = Some(Mesh::Linkerd);
    }
    for class in ["traefik", "haproxy", "contour", "kong", "nginx", "alb", "gce", "cilium"] {
        if has_word(&lower, class).is_some() {
            p.ingress_class = Some(class.to_string());
            break;
        }
    }
    p.autoscale = ["autoscal", "auto-scal", "hpa", "horizontal pod autoscaler"]
        .iter()
        .any(|w| lower.contains(w))
        || matches!((p.min_replicas, p.max_replicas), (Some(a), Some(b)) if a < b);
    p.ha = ["high availability", "highly available", "high-availability"]
        .iter()
        .any(|w| lower.contains(w))
        || has_word(&lower, "ha").is_some();
    p.vpa = has_word(&lower, "vpa").is_some() || lower.contains("vertical pod autoscal");
    p.external_secrets = ["external secret", "external-secret", "externalsecret"]
        .iter()
        .any(|w| lower.contains(w));

    // Environments, approval, branch.
    for env in ["staging", "production"] {
        if has_word(&lower, env).is_some() {
            p.environments.push(env.to_string());
        }
    }
    if has_word(&lower, "prod").is_some() && !p.environments.iter().any(|e| e == "production") {
        p.environments.push("production".into());
    }
    p.approval = ["approval", "approve", "manual gate", "sign-off", "sign off"]
        .iter()
        .any(|w| has_word(&lower, w).is_some());
    for (i, w) in words.iter().enumerate() {
        if *w == "branch" && i > 0 {
            let name = words[i - 1].trim_matches(|c: char| c == '"' || c == '`' || c == '\'');
            if !["the", "a", "default", "deploy", "each", "every", "feature", "one"].contains(&name) {
                p.branch = Some(name.to_string());
            }
        }
    }
    if p.branch.is_none() {
        if let Some(at) = lower.find("only on ").or_else(|| lower.find("from ")) {
            let rest = &lower[at..];
            let word = rest
                .split_whitespace()
                .nth(if rest.starts_with("only") { 2 } else { 1 })
                .unwrap_or("");
            let word = word.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '/'));
            if ["main", "master", "develop", "release", "trunk"].contains(&word) {
                p.branch = Some(word.to_string());
            }
        }
    }
    Ok(p)
}

fn looks_like_host(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return false;
    }
    let tld = labels[labels.len() - 1];
    // Names of tools are not hosts ("next.js", "fly.io" as a target, "node.js").
    if ["js", "ts", "py", "rs", "go", "rb", "toml", "json", "yaml", "yml", "md"].contains(&tld) || s == "fly.io" {
        return false;
    }
    tld.chars().all(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    #[test]
    fn aws_and_google_region_shapes_are_told_from_other_words() {
        for w in [
            "eu-west-1",
            "us-gov-west-1",
            "ap-southeast-2",
            "europe-west1",
            "us-central1",
            "northamerica-northeast2",
            "europe-west99",
        ] {
            assert!(super::looks_like_region(w), "{w}");
        }
        for w in [
            "node-v18",
            "python-3",
            "utf-8",
            "eu-west",
            "europe-west",
            "us-central-x",
            "blue-green",
            "x-east1",
        ] {
            assert!(!super::looks_like_region(w), "{w}");
        }
    }
}
