//! Built-in, dated knowledge of base images and their current tags. Update the date with the
//! data; the research step reports it so a user knows how fresh it is.

/// When the tables below were last checked.
pub const CHECKED_ON: &str = "2026-11-26";

/// A backing service as compose runs it.
#[derive(Debug, Clone, Copy)]
pub struct ServiceImage {
    /// Backing service id from the profile.
    pub id: &'static str,
    /// Official image with a pinned major tag.
    pub image: &'static str,
    /// Port inside the container.
    pub port: u16,
    /// Where the image keeps its data.
    pub data_path: &'static str,
    /// Health check command (exec form arguments after `CMD`/`CMD-SHELL`).
    pub healthcheck: &'static [&'static str],
}

/// Official images for backing services, sorted by id.
pub const SERVICE_IMAGES: &[ServiceImage] = &[
    ServiceImage {
        id: "mongodb",
        image: "mongo:8.0",
        port: 27017,
        data_path: "/data/db",
        healthcheck: &["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"],
    },
    ServiceImage {
        id: "mysql",
        image: "mysql:8.4",
        port: 3306,
        data_path: "/var/lib/mysql",
        healthcheck: &["CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "--silent"],
    },
    ServiceImage {
        id: "postgres",
        image: "postgres:18-alpine",
        port: 5432,
        // PostgreSQL 18 images keep data in a versioned folder below this mount point.
        data_path: "/var/lib/postgresql",
        healthcheck: &[
            "CMD-SHELL",
            "pg_isready -U \"$${POSTGRES_USER}\" -d \"$${POSTGRES_DB}\"",
        ],
    },
    ServiceImage {
        id: "redis",
        image: "redis:8-alpine",
        port: 6379,
        data_path: "/data",
        healthcheck: &["CMD", "redis-cli", "ping"],
    },
];

/// The compose image for a backing service id.
pub fn service_image(id: &str) -> Option<&'static ServiceImage> {
    SERVICE_IMAGES.iter().find(|s| s.id == id)
}

/// The Node.js base image for a major version: Alpine keeps the runtime image small, and the
/// official images already have an unprivileged `node` user.
pub fn node_image(major: &str) -> String {
    format!("node:{major}-alpine")
}

/// The Bun image used to install dependencies for projects locked with bun.
pub const BUN_IMAGE: &str = "oven/bun:1-alpine";

/// uv's image, to copy the `uv` binary from (pinned minor line).
pub const UV_IMAGE: &str = "ghcr.io/astral-sh/uv:0.9";
/// Pinned Python packaging tools, installed in the build stage only.
pub const POETRY: &str = "poetry==2.2.1";
/// See [`POETRY`].
pub const PDM: &str = "pdm==2.26.1";
/// See [`POETRY`].
pub const PIPENV: &str = "pipenv==2025.0.4";
/// Distroless base for static binaries (Go with CGO off), with a nonroot user (uid 65532).
pub const DISTROLESS_STATIC: &str = "gcr.io/distroless/static-debian12:nonroot";
/// Distroless base with glibc and libgcc (Rust), with a nonroot user (uid 65532).
pub const DISTROLESS_CC: &str = "gcr.io/distroless/cc-debian12:nonroot";
/// nginx that runs as an unprivileged user and listens on 8080.
pub const NGINX_UNPRIVILEGED: &str = "nginxinc/nginx-unprivileged:1.29-alpine";
/// Maven's line in the official `maven` images (`maven:<line>-eclipse-temurin-<java>`).
pub const MAVEN_LINE: &str = "3.9";
/// Gradle's line in the official `gradle` images (`gradle:<line>-jdk<java>`).
pub const GRADLE_LINE: &str = "9";
/// Composer's image, for installing PHP packages in a build stage.
pub const COMPOSER_IMAGE: &str = "composer:2";
/// FrankenPHP's image line; the PHP version is appended (`-php8.4`).
pub const FRANKENPHP_IMAGE: &str = "dunglas/frankenphp:1";
/// Deno's image version when a project pins only the major line.
pub const DENO_VERSION: &str = "2.5.6";
/// Debian slim for runtimes that bring their own (Elixir releases).
pub const DEBIAN_SLIM: &str = "debian:bookworm-slim";
/// Erlang's official image, to run Gleam's Erlang shipment.
pub const ERLANG_IMAGE: &str = "erlang:28-alpine";
/// GCC's official image (Debian bookworm), to build C and C++ with CMake.
pub const GCC_IMAGE: &str = "gcc:14";

/// GitHub Actions Slipway's pipelines use, at their current major versions.
pub const ACTIONS: &[(&str, &str)] = &[
    ("actions/checkout", "v5"),
    ("actions/setup-node", "v5"),
    ("actions/setup-python", "v6"),
    ("actions/setup-go", "v6"),
    ("docker/setup-buildx-action", "v3"),
    ("docker/login-action", "v3"),
    ("docker/metadata-action", "v5"),
    ("docker/build-push-action", "v6"),
];

/// Kubernetes API versions for the objects a deployment needs (none of them beta).
pub const KUBERNETES_APIS: &[(&str, &str)] = &[
    ("Deployment", "apps/v1"),
    ("Service", "v1"),
    ("HorizontalPodAutoscaler", "autoscaling/v2"),
    ("Ingress", "networking.k8s.io/v1"),
    ("PodDisruptionBudget", "policy/v1"),
    ("HTTPRoute", "gateway.networking.k8s.io/v1"),
];

/// The counter of HTTP requests each metrics library exports by itself, and the label matcher
/// that picks the answers with a server error: (library id from the scan, counter, matcher).
/// Libraries that count no requests on their own (`prom-client`, `client_golang`,
/// `prometheus-client`) are not here: their apps name their own metrics. Checked on 2026-12-06
/// against each library's README and source.
pub const REQUEST_METRICS: &[(&str, &str, &str)] = &[
    // Status codes grouped by default (should_group_status_codes): "2xx", "5xx".
    (
        "prometheus-fastapi-instrumentator",
        "http_requests_total",
        r#"status="5xx""#,
    ),
    (
        "starlette-exporter",
        "starlette_requests_total",
        r#"status_code=~"5..""#,
    ),
    (
        "prometheus-flask-exporter",
        "flask_http_request_total",
        r#"status=~"5..""#,
    ),
    (
        "django-prometheus",
        "django_http_responses_total_by_status_total",
        r#"status=~"5..""#,
    ),
    (
        "express-prom-bundle",
        "http_request_duration_seconds_count",
        r#"status_code=~"5..""#,
    ),
    (
        "fastify-metrics",
        "http_request_duration_seconds_count",
        r#"status_code=~"5..""#,
    ),
    ("micrometer", "http_server_requests_seconds_count", r#"status=~"5..""#),
    ("prometheus-net", "http_requests_received_total", r#"code=~"5..""#),
    ("axum-prometheus", "axum_http_requests_total", r#"status=~"5..""#),
];

/// The request counter and server-error matcher of a metrics library, when it has one.
pub fn request_metric(library: &str) -> Option<(&'static str, &'static str)> {
    REQUEST_METRICS
        .iter()
        .find(|(l, ..)| *l == library)
        .map(|(_, counter, errors)| (*counter, *errors))
}

/// The Prometheus a Prometheus Operator runs, as its `prometheus-operated` Service reaches it
/// (kube-prometheus-stack installs it in `monitoring` by custom).
pub const PROMETHEUS_URL: &str = "http://prometheus-operated.monitoring.svc:9090";

/// The `release` label kube-prometheus-stack's Prometheus selects PodMonitors by, at its
/// customary release name.
pub const PROMETHEUS_RELEASE: &str = "kube-prometheus-stack";

/// AWS's regions (id, where), checked on 2026-12-06 against AWS's list of regions in general
/// availability. A region outside it is refused: a typo would otherwise fail only at apply.
pub const AWS_REGIONS: &[(&str, &str)] = &[
    ("us-east-1", "N. Virginia"),
    ("us-east-2", "Ohio"),
    ("us-west-1", "N. California"),
    ("us-west-2", "Oregon"),
    ("af-south-1", "Cape Town"),
    ("ap-east-1", "Hong Kong"),
    ("ap-east-2", "Taipei"),
    ("ap-south-1", "Mumbai"),
    ("ap-south-2", "Hyderabad"),
    ("ap-southeast-1", "Singapore"),
    ("ap-southeast-2", "Sydney"),
    ("ap-southeast-3", "Jakarta"),
    ("ap-southeast-4", "Melbourne"),
    ("ap-southeast-5", "Malaysia"),
    ("ap-southeast-6", "New Zealand"),
    ("ap-southeast-7", "Thailand"),
    ("ap-northeast-1", "Tokyo"),
    ("ap-northeast-2", "Seoul"),
    ("ap-northeast-3", "Osaka"),
    ("ca-central-1", "Canada Central"),
    ("ca-west-1", "Calgary"),
    ("eu-central-1", "Frankfurt"),
    ("eu-central-2", "Zurich"),
    ("eu-west-1", "Ireland"),
    ("eu-west-2", "London"),
    ("eu-west-3", "Paris"),
    ("eu-south-1", "Milan"),
    ("eu-south-2", "Spain"),
    ("eu-north-1", "Stockholm"),
    ("il-central-1", "Tel Aviv"),
    ("me-south-1", "Bahrain"),
    ("me-central-1", "UAE"),
    ("mx-central-1", "Mexico"),
    ("sa-east-1", "Sao Paulo"),
];

/// Google Cloud's regions (id, where), checked on 2026-12-06 against Google's list of Cloud Run
/// regions. A region outside it is refused: a typo would otherwise fail only at apply.
pub const GCP_REGIONS: &[(&str, &str)] = &[
    ("africa-south1", "Johannesburg"),
    ("asia-east1", "Taiwan"),
    ("asia-east2", "Hong Kong"),
    ("asia-northeast1", "Tokyo"),
    ("asia-northeast2", "Osaka"),
    ("asia-northeast3", "Seoul"),
    ("asia-south1", "Mumbai"),
    ("asia-south2", "Delhi"),
    ("asia-southeast1", "Singapore"),
    ("asia-southeast2", "Jakarta"),
    ("australia-southeast1", "Sydney"),
    ("australia-southeast2", "Melbourne"),
    ("europe-central2", "Warsaw"),
    ("europe-north1", "Finland"),
    ("europe-north2", "Stockholm"),
    ("europe-southwest1", "Madrid"),
    ("europe-west1", "Belgium"),
    ("europe-west2", "London"),
    ("europe-west3", "Frankfurt"),
    ("europe-west4", "Netherlands"),
    ("europe-west6", "Zurich"),
    ("europe-west8", "Milan"),
    ("europe-west9", "Paris"),
    ("europe-west10", "Berlin"),
    ("europe-west12", "Turin"),
    ("me-central1", "Doha"),
    ("me-central2", "Dammam"),
    ("me-west1", "Tel Aviv"),
    ("northamerica-northeast1", "Montreal"),
    ("northamerica-northeast2", "Toronto"),
    ("northamerica-south1", "Queretaro"),
    ("southamerica-east1", "Sao Paulo"),
    ("southamerica-west1", "Santiago"),
    ("us-central1", "Iowa"),
    ("us-east1", "South Carolina"),
    ("us-east4", "N. Virginia"),
    ("us-east5", "Columbus"),
    ("us-south1", "Dallas"),
    ("us-west1", "Oregon"),
    ("us-west2", "Los Angeles"),
    ("us-west3", "Salt Lake City"),
    ("us-west4", "Las Vegas"),
];

/// The memory (MiB) Cloud Run gives an instance of `cpu` units (1024 = one vCPU): from 512 MiB
/// up to 4 GiB per vCPU (one vCPU takes at most 4 GiB, two 8, four 16, eight 32); none for a CPU
/// count Cloud Run has not.
pub fn cloud_run_memory(cpu: u32) -> Option<(u32, u32)> {
    match cpu {
        1024 => Some((512, 4096)),
        2048 => Some((512, 8192)),
        4096 => Some((2048, 16384)),
        8192 => Some((4096, 32768)),
        _ => None,
    }
}

/// Azure's regions with Container Apps and PostgreSQL Flexible Server (id, where, the region
/// Azure pairs it with for geo-redundant backups), checked on 2026-12-07 against Microsoft's
/// list of region pairs. A region outside it is refused: a typo would otherwise fail at apply.
pub const AZURE_REGIONS: &[(&str, &str, &str)] = &[
    ("australiaeast", "New South Wales", "australiasoutheast"),
    ("australiasoutheast", "Victoria", "australiaeast"),
    ("brazilsouth", "Sao Paulo", "southcentralus"),
    ("canadacentral", "Toronto", "canadaeast"),
    ("canadaeast", "Quebec", "canadacentral"),
    ("centralindia", "Pune", "southindia"),
    ("centralus", "Iowa", "eastus2"),
    ("eastasia", "Hong Kong", "southeastasia"),
    ("eastus", "Virginia", "westus"),
    ("eastus2", "Virginia", "centralus"),
    ("francecentral", "Paris", "francesouth"),
    ("germanywestcentral", "Frankfurt", "germanynorth"),
    ("japaneast", "Tokyo", "japanwest"),
    ("japanwest", "Osaka", "japaneast"),
    ("koreacentral", "Seoul", "koreasouth"),
    ("northcentralus", "Illinois", "southcentralus"),
    ("northeurope", "Ireland", "westeurope"),
    ("norwayeast", "Oslo", "norwaywest"),
    ("southafricanorth", "Johannesburg", "southafricawest"),
    ("southcentralus", "Texas", "northcentralus"),
    ("southeastasia", "Singapore", "eastasia"),
    ("southindia", "Chennai", "centralindia"),
    ("swedencentral", "Gavle", "swedensouth"),
    ("switzerlandnorth", "Zurich", "switzerlandwest"),
    ("uaenorth", "Dubai", "uaecentral"),
    ("uksouth", "London", "ukwest"),
    ("ukwest", "Cardiff", "uksouth"),
    ("westcentralus", "Wyoming", "westus2"),
    ("westeurope", "Netherlands", "northeurope"),
    ("westus", "California", "eastus"),
    ("westus2", "Washington", "westcentralus"),
    ("westus3", "Arizona", "eastus"),
];

/// The PostgreSQL major Flexible Server runs for new servers, checked on 2026-12-07.
pub const AZURE_POSTGRES_VERSION: &str = "17";

/// The PostgreSQL Flexible Server storage sizes, GiB (Premium SSD).
pub const AZURE_PG_STORAGE_GB: &[u32] = &[32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];

/// True for a Container Apps size: a quarter vCPU to four, in quarters (`cpu` in 1024ths).
pub fn container_apps_cpu(cpu: u32) -> bool {
    cpu.is_multiple_of(256) && (256..=4096).contains(&cpu)
}

/// The memory (MiB) Fargate takes for a task of `cpu` units, none for a CPU size it has not.
pub fn fargate_memory(cpu: u32) -> Option<Vec<u32>> {
    let (from, to, step) = match cpu {
        256 => return Some(vec![512, 1024, 2048]),
        512 => (1024, 4096, 1024),
        1024 => (2048, 8192, 1024),
        2048 => (4096, 16384, 1024),
        4096 => (8192, 30720, 1024),
        8192 => (16384, 61440, 4096),
        16384 => (32768, 122880, 8192),
        _ => return None,
    };
    Some((from..=to).step_by(step).collect())
}

/// The retentions CloudWatch Logs offers, in days.
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/// Terraform and its providers, checked on 2026-12-06: Terraform 1.11 brought the S3
/// backend's own lock file and write-only arguments; the AWS provider's major line is 6.
pub const TERRAFORM_VERSION: &str = "1.14.1";
/// The Terraform versions the generated code declares it runs on.
pub const TERRAFORM_REQUIRED: &str = ">= 1.11";
/// The AWS provider's major line.
pub const AWS_PROVIDER: &str = "~> 6.0";
/// The Kubernetes minor versions in EKS's standard support (1.x to 1.y), and the one a new
/// cluster gets: the newest but one, which has add-ons and a year of support ahead.
pub const EKS_VERSIONS: (u32, u32) = (35, 37);
/// The version a new EKS cluster gets.
pub const EKS_DEFAULT_VERSION: &str = "1.36";
/// The Google provider's major line (google and google-beta).
pub const GOOGLE_PROVIDER: &str = "~> 7.0";
/// The AzureRM provider's major line.
pub const AZURERM_PROVIDER: &str = "~> 4.0";
/// The AzureRM releases the written Azure stacks need: 4.66 renamed the federated credential's
/// parent to `user_assigned_identity_id` (hashicorp/terraform-provider-azurerm#31921).
pub const AZURERM_WRITTEN: &str = "~> 4.66";
/// Pulumi, checked on 2026-12-06: the CLI and its Node.js SDK are released together, and the
/// Google provider's line is 9. TypeScript stays on 5.x, the range @pulumi/pulumi supports.
pub const PULUMI_VERSION: &str = "3.276.0";
/// The Google provider for Pulumi's Node.js SDK.
pub const PULUMI_GCP_VERSION: &str = "9.37.0";
/// Pulumi's Python SDK (PyPI lags npm by a few releases).
pub const PULUMI_PYTHON_VERSION: &str = "3.272.0";
/// The Azure provider for Pulumi (the one bridged from AzureRM, so its arguments are AzureRM's).
pub const PULUMI_AZURE_VERSION: &str = "6.40.1";
/// The random provider for Pulumi, for the database's administrator password.
pub const PULUMI_RANDOM_VERSION: &str = "4.21.4";
/// The TypeScript compiler a Pulumi program is checked with.
pub const TYPESCRIPT_VERSION: &str = "5.9.3";
/// Node.js's types for that compiler.
pub const NODE_TYPES_VERSION: &str = "22.20.7";
/// ansible-core, checked on 2026-12-06: 2.19 is the newest line that runs on Debian 12's
/// Python 3.11 (2.20 needs 3.12); the pipeline installs it to run the playbook.
pub const ANSIBLE_CORE_VERSION: &str = "2.19.14";
/// The random provider's line.
pub const RANDOM_PROVIDER: &str = "~> 3.7";

/// The built-in knowledge as a short brief, for the research step and the LLM's first message.
pub fn brief() -> String {
    let mut out = String::new();
    out.push_str("Base images (pin the major line, or the exact version the project declares):\n");
    out.push_str(&format!(
        "- Node.js: {} for build and runtime; Bun: {BUN_IMAGE}; Deno: denoland/deno:{DENO_VERSION}\n",
        node_image("<major>")
    ));
    out.push_str(&format!(
        "- Python: python:<version>-slim with a virtual environment; uv from {UV_IMAGE}; {POETRY}, {PDM}, {PIPENV}\n"
    ));
    out.push_str(&format!(
        "- Go: build on golang:<version>, run on {DISTROLESS_STATIC}; Rust: run on {DISTROLESS_CC}\n"
    ));
    out.push_str(&format!(
        "- Java: maven:{MAVEN_LINE}-eclipse-temurin-<java> or gradle:{GRADLE_LINE}-jdk<java> to build, eclipse-temurin:<java>-jre to run\n"
    ));
    out.push_str(&format!(
        "- PHP: {FRANKENPHP_IMAGE}-php<version> with {COMPOSER_IMAGE}; static sites: {NGINX_UNPRIVILEGED}\n"
    ));
    out.push_str(&format!(
        "- Elixir releases on {DEBIAN_SLIM}; Gleam on {ERLANG_IMAGE}; C and C++ built on {GCC_IMAGE}\n"
    ));
    let services: Vec<String> = SERVICE_IMAGES.iter().map(|s| format!("{} {}", s.id, s.image)).collect();
    out.push_str(&format!("- Backing services in compose: {}\n", services.join(", ")));
    out.push_str("Container practice: multi-stage builds, dependency manifests copied before the source, BuildKit cache mounts, a numeric non-root user, exec-form CMD, a HEALTHCHECK where the image has a client for it, a .dockerignore that keeps secrets and build output out of the context.\n");
    let actions: Vec<String> = ACTIONS.iter().map(|(a, v)| format!("{a}@{v}")).collect();
    out.push_str(&format!("GitHub Actions: {}\n", actions.join(", ")));
    let apis: Vec<String> = KUBERNETES_APIS.iter().map(|(k, v)| format!("{k} {v}")).collect();
    out.push_str(&format!("Kubernetes APIs: {}\n", apis.join(", ")));
    out
}
