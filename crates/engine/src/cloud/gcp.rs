//! Google Cloud in Terraform: what the deployment spec needs, as plain resources.
//!
//! Two stacks, as on AWS. `infra/gcp/bootstrap/` holds what the project shares between
//! environments and must exist first: the APIs, the bucket the other stack keeps its state in
//! (the GCS backend locks by itself), the Artifact Registry repository, GitHub's workload
//! identity pool and the pipeline's three service accounts (plan, push, deploy), each usable
//! by exactly the subject its job presents. `infra/gcp/` is one environment: a Cloud Run
//! service per web service with its own service account, startup and liveness probes on the
//! health paths, scaling bounds and concurrency, secrets from Secret Manager; Cloud SQL and
//! Memorystore on private addresses reached through Direct VPC egress when the code uses them;
//! and an external HTTPS load balancer with a Google-managed certificate when the spec names a
//! host.
//!
//! Databases are safe by default where the registry module is not (its backups are off by
//! default): private, TLS only, deletion protection on in Terraform and in Cloud SQL, daily
//! backups kept for the spec's days, point-in-time recovery, backups kept when the instance is
//! deleted, stored in a second location when the spec names one. No password goes into the
//! state: the app's database user is made by a person (docs/gcp.md) and its URL kept in Secret
//! Manager.

use hcl::{Block, BlockBuilder, Expression};

use super::cost::{self, Estimate};
use super::tf::{data, file, obj, plan_to_summary, res, st, strs, validation, variable, versions};
use super::{CloudNode, Generated};
use crate::generate::Artifact;
use crate::kube::{name_of, ImageFacts};
use crate::pipeline::Requirement;
use crate::spec::{CloudSpec, DeploySpec, ServiceSpec};
use crate::write::hcl::{expr, HclFile};
use crate::{Finding, Severity};

/// The folder of the environment's stack.
pub const DIR: &str = "infra/gcp";
/// The folder of the project's shared stack.
pub const BOOTSTRAP: &str = "infra/gcp/bootstrap";

const HEADER: &str = "Written by Slipway from the project's deployment spec. Plan before applying:\nterraform plan shows every resource this creates (docs/gcp.md says in what order).";

/// The APIs the stacks call, enabled once by the bootstrap stack.
const APIS: &[&str] = &[
    "artifactregistry.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "compute.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "redis.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "sts.googleapis.com",
];

/// What the deploy service account may do in the project: create and change exactly the kinds
/// of resources the environment's stack holds.
/// It makes no service accounts and may act as none but the services' own, which the bootstrap
/// stack makes and grants it one by one.
const DEPLOY_ROLES: &[&str] = &[
    "roles/cloudsql.admin",
    "roles/compute.loadBalancerAdmin",
    "roles/compute.networkAdmin",
    "roles/compute.securityAdmin",
    "roles/redis.admin",
    "roles/run.admin",
    "roles/secretmanager.admin",
    "roles/servicenetworking.networksAdmin",
];

/// What the plan service account may do: read everything, IAM policies included; change
/// nothing. The basic Viewer role is read-only and covers every kind the stack holds, which the
/// per-product viewer roles miss (the private services connection, for one).
const PLAN_ROLES: &[&str] = &["roles/iam.securityReviewer", "roles/viewer"];

/// The APIs a GKE cluster's stacks call.
const CLUSTER_APIS: &[&str] = &[
    "artifactregistry.googleapis.com",
    "binaryauthorization.googleapis.com",
    "cloudkms.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "sts.googleapis.com",
];

/// What the deploy service account needs to apply a cluster's stack: the cluster (and, through
/// it, the objects in it: GKE's IAM roles are the project's, not a namespace's), its network and
/// firewall, and the key that encrypts its Secrets.
const CLUSTER_DEPLOY_ROLES: &[&str] = &[
    "roles/cloudkms.admin",
    "roles/compute.networkAdmin",
    "roles/compute.securityAdmin",
    "roles/container.admin",
];

/// What a GKE cluster's nodes may do: write logs and metrics, read the metrics the autoscaler
/// needs, and nothing else (pulling images is granted on the repository alone).
pub(super) const NODE_ROLES: &[&str] = &[
    "roles/autoscaling.metricsWriter",
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
];

/// The account id of a GKE cluster's nodes in `environment`.
pub(super) fn node_account(project: &str, environment: &str) -> String {
    format!(
        "{}-{}-nodes",
        project.chars().take(14).collect::<String>().trim_end_matches('-'),
        environment.chars().take(8).collect::<String>().trim_end_matches('-')
    )
}

pub(super) fn blk(name: &str) -> BlockBuilder {
    Block::builder(name)
}

/// A Cloud SQL engine the backing services need.
struct Engine {
    id: &'static str,
    label: &'static str,
    version: &'static str,
    port: u16,
    /// Database flags: what checkers and incident reviews want logged, and safe defaults.
    flags: &'static [(&'static str, &'static str)],
}

fn engine_of(backing: &str) -> Option<Engine> {
    match backing {
        "postgres" => Some(Engine {
            id: "postgres",
            label: "PostgreSQL",
            version: "POSTGRES_18",
            port: 5432,
            flags: &[
                ("log_checkpoints", "on"),
                ("log_connections", "on"),
                ("log_disconnections", "on"),
                ("log_lock_waits", "on"),
                ("log_temp_files", "0"),
                ("log_min_duration_statement", "-1"),
                ("log_min_messages", "error"),
                ("log_min_error_statement", "error"),
                ("log_statement", "ddl"),
                ("log_hostname", "on"),
                ("cloudsql.enable_pgaudit", "on"),
            ],
        }),
        "mysql" | "mariadb" => Some(Engine {
            id: "mysql",
            label: "MySQL",
            version: "MYSQL_8_4",
            port: 3306,
            flags: &[("local_infile", "off"), ("skip_show_database", "on")],
        }),
        _ => None,
    }
}

/// The Terraform name of a service's resources.
fn rid(svc: &ServiceSpec) -> String {
    name_of(&svc.name).replace('-', "_")
}

/// Services that answer HTTP: what Cloud Run runs.
fn web(spec: &DeploySpec) -> Vec<&ServiceSpec> {
    spec.services
        .iter()
        .filter(|s| s.kind != "worker" && s.kind != "static" && s.port.is_some())
        .collect()
}

/// The hosts the load balancer answers for, by service: those of the services Cloud Run runs
/// (a static site's host is left for a CDN).
fn exposed(spec: &DeploySpec) -> Vec<(String, String)> {
    let run: Vec<String> = web(spec).iter().map(|s| name_of(&s.name)).collect();
    crate::kube::hosts(spec)
        .into_iter()
        .filter(|(name, _)| run.contains(name))
        .collect()
}

/// The Artifact Registry repository the images go to, and the project's name on resources.
pub fn project(spec: &DeploySpec) -> String {
    name_of(&spec.kube.namespace)
}

/// The variable carrying `svc`'s image into the Terraform jobs, and its key in `var.images`.
pub fn imaged(spec: &DeploySpec) -> Vec<(String, &ServiceSpec)> {
    web(spec).into_iter().map(|s| (name_of(&s.name), s)).collect()
}

/// The Google Cloud stacks for `spec`, or why they cannot be written.
pub fn generate(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    _images: &[ImageFacts],
    remote: Option<&str>,
) -> Result<Generated, String> {
    if let Some(svc) = spec
        .services
        .iter()
        .find(|s| s.data_path.is_some() && s.kind != "static")
    {
        return Err(format!(
            "Slipway cannot put {} on Cloud Run: it keeps data in {}, and a Cloud Run instance's disk is memory that goes when the instance does; keep the data in Cloud SQL or a bucket, or put it on AWS (EFS) or Kubernetes",
            svc.name,
            svc.data_path.as_deref().unwrap_or("a folder")
        ));
    }
    if web(spec).is_empty() {
        return Err(
            "Slipway cannot put this project on Cloud Run: none of its services answers HTTP on a port, and Cloud Run runs services that do"
                .into(),
        );
    }
    let mut g = Generated::default();
    let project = project(spec);
    let repo = super::repository_of(remote);
    let engines: Vec<Engine> = {
        let mut ids: Vec<&str> = Vec::new();
        for svc in web(spec) {
            for b in &svc.backing_services {
                if let Some(e) = engine_of(b) {
                    if !ids.contains(&e.id) {
                        ids.push(e.id);
                    }
                }
            }
        }
        ids.into_iter().filter_map(engine_of).collect()
    };
    let redis = web(spec)
        .iter()
        .any(|s| s.backing_services.iter().any(|b| b == "redis"));
    for svc in spec.services.iter().filter(|s| s.kind == "static") {
        g.findings.push(Finding {
            severity: Severity::Warning,
            rule: "cloud/not-placed".into(),
            path: svc.path.clone(),
            line: None,
            message: format!(
                "{} is a static site: it is left out of {DIR}, since Cloud Storage with Cloud CDN is not written yet; Netlify or Vercel serve it today",
                svc.name
            ),
        });
    }
    for svc in spec
        .services
        .iter()
        .filter(|s| s.kind == "worker" || (s.kind != "static" && s.port.is_none()))
    {
        g.findings.push(Finding {
            severity: Severity::Warning,
            rule: "cloud/not-placed".into(),
            path: svc.path.clone(),
            line: None,
            message: format!(
                "{} answers no HTTP port, and Cloud Run services must: it is left out of {DIR}; run it as a Cloud Run job or on Kubernetes",
                svc.name
            ),
        });
    }
    g.artifacts.push(bootstrap(spec, cloud, &project, repo.as_deref()));
    g.artifacts.extend(stack(spec, cloud, &project, &engines, redis));
    g.cost = estimate(spec, cloud, &engines, redis);
    g.picture = picture(spec, cloud, &engines, redis);
    g.requirements = requirements(spec, cloud, repo.as_deref());
    g.artifacts.push(Artifact {
        path: "docs/gcp.md".into(),
        content: runbook(spec, cloud, &project, repo.as_deref(), &engines, redis, &g.cost),
        purpose:
            "the order to apply in, the secrets to fill, the pipeline's identities, backups and restores, the cost"
                .into(),
        step: "cloud".into(),
    });
    Ok(g)
}

/// A network of the stack's own, its subnets made by hand.
pub(super) fn own_network() -> Block {
    res("google_compute_network", "main")
        .add_attribute(("name", expr("local.name")))
        .add_attribute(("auto_create_subnetworks", false))
        .build()
}

/// A subnet's flow logs, every connection's metadata sampled at half.
pub(super) fn flow_logs() -> Block {
    blk("log_config")
        .add_attribute(("aggregation_interval", "INTERVAL_10_MIN"))
        .add_attribute(("flow_sampling", 0.5))
        .add_attribute(("metadata", "INCLUDE_ALL_METADATA"))
        .build()
}

pub(super) fn google_provider(labels: Expression) -> Block {
    blk("provider")
        .add_label("google")
        .add_attribute(("project", expr("var.project_id")))
        .add_attribute(("region", expr("var.region")))
        .add_attribute(("default_labels", labels))
        .build()
}

pub(super) fn project_id_variable() -> Block {
    variable(
        "project_id",
        "string",
        "The Google Cloud project everything is created in (its id, not its name or number).",
        None,
    )
    .add_block(validation(
        "can(regex(\"^[a-z][a-z0-9-]{4,28}[a-z0-9]$\", var.project_id))",
        "project_id must be a project id: 6 to 30 lowercase letters, digits and hyphens, starting with a letter.",
    ))
    .build()
}

/// The `region` variable, checked against Google Cloud's regions; `with` says what the message
/// asks of the region (" with Cloud Run"), or nothing.
pub(super) fn region_variable(cloud: &CloudSpec, what: &str, with: &str) -> Block {
    let regions: Vec<String> = crate::knowledge::GCP_REGIONS
        .iter()
        .map(|(r, _)| format!("\"{r}\""))
        .collect();
    variable("region", "string", what, Some(st(&cloud.region)))
        .add_block(validation(
            &format!("contains([{}], var.region)", regions.join(", ")),
            &format!("region must be a Google Cloud region{with}, such as us-central1 or europe-west1."),
        ))
        .build()
}

/// The tool the `managed-by` label names.
pub(super) fn managed_by(cloud: &CloudSpec) -> &'static str {
    if cloud.iac == "pulumi" {
        "pulumi"
    } else {
        "terraform"
    }
}

/// The bucket the environment stacks keep their state in.
pub fn state_bucket(project: &str, cloud: &CloudSpec) -> String {
    if cloud.iac == "pulumi" {
        format!("{project}-pulumi-state")
    } else {
        format!("{project}-terraform-state")
    }
}

/// The member a workload identity pool admits for one GitHub subject.
fn principal(subject: &str) -> String {
    format!("\"principal://iam.googleapis.com/${{google_iam_workload_identity_pool.github.name}}/subject/{subject}\"")
}

/// The bucket the environment stacks keep their state in (`var.state_bucket`).
pub(super) fn add_state_bucket(f: &mut HclFile) {
    f.commented(
        "The bucket the environment stacks keep their state in, with the lock beside it. Versioned, never\npublic, and never destroyed by an apply; old versions go after the ten newest.",
        res("google_storage_bucket", "state")
            .add_attribute(("name", expr("var.state_bucket")))
            .add_attribute(("location", expr("var.region")))
            .add_attribute(("uniform_bucket_level_access", true))
            .add_attribute(("public_access_prevention", "enforced"))
            .add_attribute(("force_destroy", false))
            .add_block(blk("versioning").add_attribute(("enabled", true)).build())
            .add_block(
                blk("lifecycle_rule")
                    .add_block(blk("condition").add_attribute(("num_newer_versions", 10)).build())
                    .add_block(blk("action").add_attribute(("type", "Delete")).build())
                    .build(),
            )
            .add_block(blk("lifecycle").add_attribute(("prevent_destroy", true)).build())
            .build(),
    );
}

/// The project's shared stack: APIs, state bucket, image repository, identities.
pub(super) fn bootstrap(spec: &DeploySpec, cloud: &CloudSpec, project: &str, repo: Option<&str>) -> Artifact {
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let cluster = cloud.cluster.is_some();
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe project's shared stack, applied once by a person who owns the project, before the\nenvironment's stack: the APIs, the state bucket, the image repository, and the pipeline's identities.\nIts own state stays local (terraform.tfstate here); docs/gcp.md says how to move it into the bucket."
    ));
    f.block(versions(&[(
        "google",
        "hashicorp/google",
        crate::knowledge::GOOGLE_PROVIDER,
    )]));
    f.block(google_provider(obj([
        ("project", st(project)),
        ("managed-by", st(managed_by(cloud))),
    ])));
    f.block(project_id_variable());
    f.block(region_variable(
        cloud,
        if cluster {
            "The region the state bucket, the image repository and the cluster are in."
        } else {
            "The region the state bucket and the image repository are in."
        },
        if cluster { "" } else { " with Cloud Run" },
    ));
    f.block(
        variable(
            "state_bucket",
            "string",
            "The state bucket's name; bucket names are global, so change it here and in ../backend.tf if it is taken.",
            Some(st(state_bucket(project, cloud))),
        )
        .build(),
    );
    let mut apis = if cluster { CLUSTER_APIS.to_vec() } else { APIS.to_vec() };
    if cloud.iac == "pulumi" {
        apis.push("cloudkms.googleapis.com");
        apis.sort_unstable();
    }
    f.commented(
        "The APIs both stacks call; left enabled when this stack is destroyed, since other things may use them.",
        res("google_project_service", "apis")
            .add_attribute((
                "for_each",
                expr(&format!(
                    "toset([{}])",
                    apis.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ")
                )),
            ))
            .add_attribute(("service", expr("each.value")))
            .add_attribute(("disable_on_destroy", false))
            .build(),
    );
    add_state_bucket(&mut f);
    if cloud.iac == "pulumi" {
        f.commented(
            "The key Pulumi encrypts the stacks' secrets with (their state holds Redis's AUTH string, for one).",
            res("google_kms_key_ring", "pulumi")
                .add_attribute(("name", format!("{project}-pulumi")))
                .add_attribute(("location", expr("var.region")))
                .add_attribute(("depends_on", expr("[google_project_service.apis]")))
                .build(),
        );
        f.block(
            res("google_kms_crypto_key", "state")
                .add_attribute(("name", "state"))
                .add_attribute(("key_ring", expr("google_kms_key_ring.pulumi.id")))
                .add_attribute(("rotation_period", "7776000s"))
                .add_block(blk("lifecycle").add_attribute(("prevent_destroy", true)).build())
                .build(),
        );
    }
    f.commented(
        "The image repository: tags never move (an image is its commit), and only the newest images are kept.",
        res("google_artifact_registry_repository", "images")
            .add_attribute(("repository_id", project))
            .add_attribute(("location", expr("var.region")))
            .add_attribute(("format", "DOCKER"))
            .add_attribute(("description", format!("{project}'s images, pushed by the pipeline")))
            .add_block(blk("docker_config").add_attribute(("immutable_tags", true)).build())
            .add_attribute(("cleanup_policy_dry_run", false))
            .add_block(
                blk("cleanup_policies")
                    .add_attribute(("id", "keep-newest"))
                    .add_attribute(("action", "KEEP"))
                    .add_block(blk("most_recent_versions").add_attribute(("keep_count", 30)).build())
                    .build(),
            )
            .add_block(
                blk("cleanup_policies")
                    .add_attribute(("id", "delete-old-untagged"))
                    .add_attribute(("action", "DELETE"))
                    .add_block(
                        blk("condition")
                            .add_attribute(("tag_state", "UNTAGGED"))
                            .add_attribute(("older_than", "1209600s"))
                            .build(),
                    )
                    .build(),
            )
            .add_attribute(("depends_on", expr("[google_project_service.apis]")))
            .build(),
    );
    f.commented(
        "GitHub's OIDC tokens are exchanged here for short-lived Google credentials; no key exists to leak.",
        res("google_iam_workload_identity_pool", "github")
            .add_attribute(("workload_identity_pool_id", "github"))
            .add_attribute(("display_name", "GitHub Actions"))
            .add_attribute(("depends_on", expr("[google_project_service.apis]")))
            .build(),
    );
    // The subjects are written out, as GitHub presents them, so the reviewer reads exactly who
    // gets in (the repository from the git remote; OWNER/REPOSITORY when there is none).
    let mut admitted = vec![
        super::aws::oidc_subject(repo, None),
        super::aws::push_subject(repo, &spec.branch),
    ];
    admitted.extend(
        spec.environments
            .iter()
            .map(|e| super::aws::oidc_subject(repo, Some(&e.name))),
    );
    let condition = format!(
        "assertion.repository == '{repo}' && ({})",
        admitted
            .iter()
            .map(|s| format!("assertion.sub == '{s}'"))
            .collect::<Vec<_>>()
            .join(" || ")
    );
    f.commented(
        "Only this repository's plan, push and deploy jobs get in; each service account below then admits\nexactly its own subject.",
        res("google_iam_workload_identity_pool_provider", "github")
            .add_attribute(("workload_identity_pool_id", expr("google_iam_workload_identity_pool.github.workload_identity_pool_id")))
            .add_attribute(("workload_identity_pool_provider_id", "github"))
            .add_attribute(("display_name", "GitHub Actions OIDC"))
            .add_attribute((
                "attribute_mapping",
                obj([
                    ("google.subject", st("assertion.sub")),
                    ("attribute.repository", st("assertion.repository")),
                    ("attribute.environment", st("assertion.environment")),
                ]),
            ))
            .add_attribute(("attribute_condition", condition))
            .add_block(
                blk("oidc")
                    .add_attribute(("issuer_uri", "https://token.actions.githubusercontent.com"))
                    .build(),
            )
            .build(),
    );
    let subjects = [
        (
            "plan",
            "Plans on pull requests: reads everything, changes nothing.",
            vec![super::aws::oidc_subject(repo, None)],
        ),
        (
            "push",
            "Pushes images from the deploy branch, to the image repository only.",
            vec![super::aws::push_subject(repo, &spec.branch)],
        ),
        (
            "deploy",
            "Applies the environment stacks from the deploy environments.",
            spec.environments
                .iter()
                .map(|e| super::aws::oidc_subject(repo, Some(&e.name)))
                .collect(),
        ),
    ];
    for (name, why, subs) in &subjects {
        f.commented(
            *why,
            res("google_service_account", name)
                .add_attribute(("account_id", format!("ci-{name}")))
                .add_attribute(("display_name", format!("GitHub Actions: {name}")))
                .add_attribute(("depends_on", expr("[google_project_service.apis]")))
                .build(),
        );
        for (i, s) in subs.iter().enumerate() {
            let label = if subs.len() == 1 {
                name.to_string()
            } else {
                format!("{name}_{i}")
            };
            f.block(
                res("google_service_account_iam_member", &format!("{label}_github"))
                    .add_attribute((
                        "service_account_id",
                        expr(&format!("google_service_account.{name}.name")),
                    ))
                    .add_attribute(("role", "roles/iam.workloadIdentityUser"))
                    .add_attribute(("member", expr(&principal(s))))
                    .build(),
            );
        }
    }
    let deploy_roles = if cluster { CLUSTER_DEPLOY_ROLES } else { DEPLOY_ROLES };
    for (name, roles) in [("plan", PLAN_ROLES), ("deploy", deploy_roles)] {
        f.block(
            res("google_project_iam_member", name)
                .add_attribute((
                    "for_each",
                    expr(&format!(
                        "toset([{}])",
                        roles.iter().map(|r| format!("\"{r}\"")).collect::<Vec<_>>().join(", ")
                    )),
                ))
                .add_attribute(("project", expr("var.project_id")))
                .add_attribute(("role", expr("each.value")))
                .add_attribute(("member", expr(&format!("google_service_account.{name}.member"))))
                .build(),
        );
        if cloud.iac == "pulumi" {
            f.block(
                res("google_kms_crypto_key_iam_member", &format!("{name}_state"))
                    .add_attribute(("crypto_key_id", expr("google_kms_crypto_key.state.id")))
                    .add_attribute(("role", "roles/cloudkms.cryptoKeyEncrypterDecrypter"))
                    .add_attribute(("member", expr(&format!("google_service_account.{name}.member"))))
                    .build(),
            );
        }
        f.commented(
            if name == "plan" {
                "Planning takes the state's lock, so it writes the lock object."
            } else {
                "Applying reads and writes the state."
            },
            res("google_storage_bucket_iam_member", &format!("{name}_state"))
                .add_attribute(("bucket", expr("google_storage_bucket.state.name")))
                .add_attribute(("role", "roles/storage.objectUser"))
                .add_attribute(("member", expr(&format!("google_service_account.{name}.member"))))
                .build(),
        );
    }
    if cluster {
        node_accounts(&mut f, spec, project);
    }
    for env in spec.environments.iter().filter(|_| !cluster) {
        for svc in web(spec) {
            let r = format!("{}_{}", name_of(&env.name).replace('-', "_"), rid(svc));
            f.commented(
                format!(
                    "{}'s identity on Cloud Run in {}: the environment's stack gives it its own secrets.",
                    svc.name, env.name
                ),
                res("google_service_account", &r)
                    .add_attribute(("account_id", runtime_account(spec, &env.name, svc)))
                    .add_attribute((
                        "display_name",
                        format!("{project}-{}: {} on Cloud Run", env.name, svc.name),
                    ))
                    .add_attribute(("depends_on", expr("[google_project_service.apis]")))
                    .build(),
            );
            f.commented(
                "The deploy job may run the service as it, and as no other account.",
                res("google_service_account_iam_member", &format!("{r}_deploy"))
                    .add_attribute(("service_account_id", expr(&format!("google_service_account.{r}.name"))))
                    .add_attribute(("role", "roles/iam.serviceAccountUser"))
                    .add_attribute(("member", expr("google_service_account.deploy.member")))
                    .build(),
            );
        }
    }
    f.block(
        res("google_artifact_registry_repository_iam_member", "push")
            .add_attribute(("repository", expr("google_artifact_registry_repository.images.name")))
            .add_attribute(("location", expr("google_artifact_registry_repository.images.location")))
            .add_attribute(("role", "roles/artifactregistry.writer"))
            .add_attribute(("member", expr("google_service_account.push.member")))
            .build(),
    );
    for (name, value, description) in [
        ("state_bucket", "google_storage_bucket.state.name", "The state bucket (../backend.tf names it)."),
        (
            "repository",
            "\"${google_artifact_registry_repository.images.location}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}\"",
            "Where the images go: GAR_LOCATION, GCP_PROJECT and GAR_REPOSITORY in GitHub.",
        ),
        (
            "workload_identity_provider",
            "google_iam_workload_identity_pool_provider.github.name",
            "GCP_WIF_PROVIDER in GitHub.",
        ),
        ("plan_service_account", "google_service_account.plan.email", "GCP_PLAN_SERVICE_ACCOUNT in GitHub."),
        ("push_service_account", "google_service_account.push.email", "GCP_PUSH_SERVICE_ACCOUNT in GitHub."),
        ("deploy_service_account", "google_service_account.deploy.email", "GCP_DEPLOY_SERVICE_ACCOUNT in GitHub."),
    ] {
        f.block(
            blk("output")
                .add_label(name)
                .add_attribute(("description", description))
                .add_attribute(("value", expr(value)))
                .build(),
        );
    }
    file(
        format!("{BOOTSTRAP}/main.tf"),
        &f,
        "the project's shared stack: APIs, the state bucket, the image repository, the pipeline's identities",
    )
}

/// A GKE cluster's node identity per environment, made by the project's owner so the deploy
/// account never needs to grant project roles: it writes logs and metrics and pulls from the
/// image repository; the deploy account may only attach it to the cluster's nodes.
fn node_accounts(f: &mut HclFile, spec: &DeploySpec, project: &str) {
    for env in &spec.environments {
        let e = format!("{}_nodes", name_of(&env.name).replace('-', "_"));
        f.commented(
            format!(
                "The identity of the cluster's nodes in {}: logs, metrics and image pulls, nothing else.",
                env.name
            ),
            res("google_service_account", &e)
                .add_attribute(("account_id", node_account(project, &env.name)))
                .add_attribute(("display_name", format!("{project}-{}: GKE nodes", env.name)))
                .add_attribute(("depends_on", expr("[google_project_service.apis]")))
                .build(),
        );
        f.block(
            res("google_project_iam_member", &e)
                .add_attribute((
                    "for_each",
                    expr(&format!(
                        "toset([{}])",
                        NODE_ROLES
                            .iter()
                            .map(|r| format!("\"{r}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ))
                .add_attribute(("project", expr("var.project_id")))
                .add_attribute(("role", expr("each.value")))
                .add_attribute(("member", expr(&format!("google_service_account.{e}.member"))))
                .build(),
        );
        f.block(
            res("google_artifact_registry_repository_iam_member", &format!("{e}_pull"))
                .add_attribute(("repository", expr("google_artifact_registry_repository.images.name")))
                .add_attribute(("location", expr("google_artifact_registry_repository.images.location")))
                .add_attribute(("role", "roles/artifactregistry.reader"))
                .add_attribute(("member", expr(&format!("google_service_account.{e}.member"))))
                .build(),
        );
        f.commented(
            "The deploy account may give the nodes this identity, and no other.",
            res("google_service_account_iam_member", &format!("{e}_deploy"))
                .add_attribute(("service_account_id", expr(&format!("google_service_account.{e}.name"))))
                .add_attribute(("role", "roles/iam.serviceAccountUser"))
                .add_attribute(("member", expr("google_service_account.deploy.member")))
                .build(),
        );
    }
}

/// The environment's stack.
fn stack(spec: &DeploySpec, cloud: &CloudSpec, project: &str, engines: &[Engine], redis: bool) -> Vec<Artifact> {
    let mut out = Vec::new();
    let production = spec.production().to_string();
    let private = !engines.is_empty() || redis;

    let mut f = HclFile::new(HEADER);
    f.block(versions(&[(
        "google",
        "hashicorp/google",
        crate::knowledge::GOOGLE_PROVIDER,
    )]));
    out.push(file(
        format!("{DIR}/versions.tf"),
        &f,
        "the Terraform and Google provider versions it was written for",
    ));
    out.push(backend(cloud, project, &production));
    let mut f = HclFile::new(HEADER);
    f.block(google_provider(expr("local.labels")));
    f.block(super::tf::environment_locals("labels", false, managed_by(cloud)));
    out.push(file(
        format!("{DIR}/providers.tf"),
        &f,
        "the Google provider, the labels on every resource, and the names",
    ));
    out.push(variables(spec, cloud, project, engines, redis));
    if private {
        out.push(network());
    }
    out.push(services(spec, engines, redis));
    if !exposed(spec).is_empty() {
        out.push(load_balancer(spec));
    }
    if !engines.is_empty() {
        out.push(databases(cloud, engines));
    }
    if redis {
        out.push(cache());
    }
    out.push(outputs(spec, engines, redis));
    out
}

/// backend.tf of the environment's stack: the state in the bootstrap's bucket, one prefix per
/// environment.
pub(super) fn backend(cloud: &CloudSpec, project: &str, production: &str) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe state lives in the bucket the bootstrap stack creates, one prefix per environment (the\npipeline passes -backend-config=\"prefix={project}/<environment>\"); GCS locks it by itself."
    ));
    f.block(
        blk("terraform")
            .add_block(
                blk("backend")
                    .add_label("gcs")
                    .add_attribute(("bucket", state_bucket(project, cloud)))
                    .add_attribute(("prefix", format!("{project}/{production}")))
                    .build(),
            )
            .build(),
    );
    file(
        format!("{DIR}/backend.tf"),
        &f,
        "remote state in Cloud Storage, locked by the backend, one prefix per environment",
    )
}

fn variables(spec: &DeploySpec, cloud: &CloudSpec, project: &str, engines: &[Engine], redis: bool) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nEvery value that differs between environments or projects is a variable with its type, a\ndescription and the checks Google Cloud would otherwise make only halfway through an apply."
    ));
    f.block(project_id_variable());
    for b in super::tf::project_and_environment(project, spec) {
        f.block(b);
    }
    f.block(region_variable(
        cloud,
        "The region everything is created in.",
        " with Cloud Run",
    ));
    f.block(
        variable(
            "images",
            "map(string)",
            "The image each service runs, by service, pinned by digest (repository@sha256:...): the pipeline sets it to what it tested.",
            None,
        )
        .add_block(validation(
            "alltrue([for image in values(var.images) : can(regex(\"@sha256:[a-f0-9]{64}$\", image))])",
            "Each image must be pinned by digest (repository@sha256:...), so Cloud Run runs exactly what was tested.",
        ))
        .build(),
    );
    f.block(
        variable(
            "settings",
            "map(map(string))",
            "Settings that are not secret, by service: { api = { LOG_LEVEL = \"info\" } }. Secrets go in Secret Manager (docs/gcp.md).",
            Some(obj::<&str>([])),
        )
        .build(),
    );
    let cpu = cloud.task_cpu / 1024;
    f.block(
        variable("cpu", "string", "vCPUs per instance.", Some(st(cpu.to_string())))
            .add_block(validation(
                "contains([\"1\", \"2\", \"4\", \"8\"], var.cpu)",
                "cpu must be 1, 2, 4 or 8.",
            ))
            .build(),
    );
    f.block(
        variable(
            "memory",
            "string",
            "Memory per instance, in Cloud Run's units (512Mi, 1Gi, ...); up to 4 GiB per vCPU.",
            Some(st(format!("{}Mi", cloud.task_memory))),
        )
        .add_block(validation(
            "can(regex(\"^[0-9]+(Mi|Gi)$\", var.memory))",
            "memory must be a size such as 512Mi or 2Gi.",
        ))
        .build(),
    );
    f.block(
        variable(
            "min_instances",
            "number",
            "Fewest instances per service, kept warm: no request waits for a cold start.",
            Some(Expression::from(spec.scaling.min_replicas.max(1))),
        )
        .add_block(validation("var.min_instances >= 0", "min_instances must be 0 or more."))
        .build(),
    );
    f.block(
        variable(
            "max_instances",
            "number",
            "Most instances per service; it also caps what a flood of requests can cost, and the database's connections.",
            Some(Expression::from(spec.scaling.max_replicas.max(spec.scaling.min_replicas.max(1)))),
        )
        .add_block(validation(
            "var.max_instances >= var.min_instances && var.max_instances >= 1",
            "max_instances must be at least 1 and at least min_instances.",
        ))
        .build(),
    );
    f.block(
        variable(
            "concurrency",
            "number",
            "Requests one instance serves at once before Cloud Run starts another.",
            Some(Expression::from(80)),
        )
        .add_block(validation(
            "var.concurrency >= 1 && var.concurrency <= 1000",
            "concurrency must be from 1 to 1000.",
        ))
        .build(),
    );
    if engines.is_empty() && !redis {
        return file(
            format!("{DIR}/variables.tf"),
            &f,
            "every setting, typed, described and checked",
        );
    }
    f.block(
        variable(
            "subnet_cidr",
            "string",
            "The subnet the services reach the database and cache through (Direct VPC egress).",
            Some(st(&cloud.vpc_cidr)),
        )
        .add_block(validation(
            "can(cidrhost(var.subnet_cidr, 0)) && tonumber(split(\"/\", var.subnet_cidr)[1]) >= 16 && tonumber(split(\"/\", var.subnet_cidr)[1]) <= 24",
            "subnet_cidr must be an IPv4 range from /16 to /24, such as 10.0.0.0/16.",
        ))
        .build(),
    );
    f.block(
        variable(
            "high_availability",
            "bool",
            "A standby database (and cache replica) in a second zone that takes over by itself.",
            Some(Expression::Bool(cloud.multi_az)),
        )
        .build(),
    );
    if !engines.is_empty() {
        f.block(
            variable(
                "db_tier",
                "string",
                "The database's machine (Enterprise edition).",
                Some(st(&cloud.db_class)),
            )
            .add_block(validation(
                "can(regex(\"^db-(f1-micro|g1-small|custom-[0-9]+-[0-9]+)$\", var.db_tier))",
                "db_tier must be a Cloud SQL tier, such as db-custom-1-3840 or db-g1-small.",
            ))
            .build(),
        );
        f.block(
            variable(
                "db_storage_gb",
                "number",
                "The database's SSD storage, GiB; it grows by itself up to five times this.",
                Some(Expression::from(cloud.db_storage_gb)),
            )
            .add_block(validation(
                "var.db_storage_gb >= 10 && var.db_storage_gb <= 65536",
                "db_storage_gb must be from 10 to 65536.",
            ))
            .build(),
        );
        f.block(
            variable(
                "backup_days",
                "number",
                "Daily backups kept; point-in-time recovery reaches back as far, seven days at most.",
                Some(Expression::from(cloud.backup_days)),
            )
            .add_block(validation(
                "var.backup_days >= 1 && var.backup_days <= 365",
                "backup_days must be from 1 to 365: Cloud SQL keeps that many daily backups at most, and 0 turns them off.",
            ))
            .build(),
        );
        if let Some(r) = &cloud.backup_region {
            f.block(
                variable(
                    "backup_location",
                    "string",
                    "Where the database's backups are stored: another region or a multi-region (us, eu, asia), so a lost region loses no backups.",
                    Some(st(r)),
                )
                .add_block(validation(
                    "var.backup_location != var.region",
                    "backup_location must be another place than region.",
                ))
                .build(),
            );
        }
    }
    file(
        format!("{DIR}/variables.tf"),
        &f,
        "every setting, typed, described and checked",
    )
}

fn network() -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe private network the database and cache live on. The services reach it through Direct VPC\negress (no connector to pay for); their other traffic goes straight out. Nothing here has a\npublic address."
    ));
    f.block(
        res("google_compute_network", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("auto_create_subnetworks", false))
            .add_attribute(("routing_mode", "REGIONAL"))
            .build(),
    );
    f.commented(
        "Flow logs, sampled, so a connection can be traced after an incident.",
        res("google_compute_subnetwork", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("network", expr("google_compute_network.main.id")))
            .add_attribute(("region", expr("var.region")))
            .add_attribute(("ip_cidr_range", expr("var.subnet_cidr")))
            .add_attribute(("private_ip_google_access", true))
            .add_block(
                blk("log_config")
                    .add_attribute(("aggregation_interval", "INTERVAL_5_SEC"))
                    .add_attribute(("flow_sampling", 0.5))
                    .add_attribute(("metadata", "INCLUDE_ALL_METADATA"))
                    .build(),
            )
            .build(),
    );
    f.commented(
        "Nothing on the network takes connections from outside it; denied attempts are logged.",
        res("google_compute_firewall", "deny_ingress")
            .add_attribute(("name", expr("\"${local.name}-deny-ingress\"")))
            .add_attribute(("network", expr("google_compute_network.main.id")))
            .add_attribute(("direction", "INGRESS"))
            .add_attribute(("priority", 65534))
            .add_attribute(("source_ranges", strs(["0.0.0.0/0"])))
            .add_block(blk("deny").add_attribute(("protocol", "all")).build())
            .add_block(
                blk("log_config")
                    .add_attribute(("metadata", "INCLUDE_ALL_METADATA"))
                    .build(),
            )
            .build(),
    );
    f.commented(
        "The range Google's managed services (Cloud SQL, Memorystore) take their private addresses from.",
        res("google_compute_global_address", "services")
            .add_attribute(("name", expr("\"${local.name}-services\"")))
            .add_attribute(("purpose", "VPC_PEERING"))
            .add_attribute(("address_type", "INTERNAL"))
            .add_attribute(("prefix_length", 20))
            .add_attribute(("network", expr("google_compute_network.main.id")))
            .build(),
    );
    f.block(
        res("google_service_networking_connection", "services")
            .add_attribute(("network", expr("google_compute_network.main.id")))
            .add_attribute(("service", "servicenetworking.googleapis.com"))
            .add_attribute((
                "reserved_peering_ranges",
                expr("[google_compute_global_address.services.name]"),
            ))
            .build(),
    );
    file(
        format!("{DIR}/network.tf"),
        &f,
        "the private network and the range the database and cache take their addresses from",
    )
}

/// The id of a service's service account in `environment`: `<environment>-<service>-run`, cut
/// to Google's 30 characters with room for the longest environment name.
fn runtime_account(spec: &DeploySpec, environment: &str, svc: &ServiceSpec) -> String {
    let longest = spec.environments.iter().map(|e| e.name.len()).max().unwrap_or(10);
    let room = 30usize.saturating_sub(longest + 5).max(1);
    let short: String = name_of(&svc.name).chars().take(room).collect();
    format!("{environment}-{}-run", short.trim_end_matches('-'))
}

/// The Secret Manager id of a service's secret.
fn secret_res(svc: &ServiceSpec, name: &str) -> String {
    format!("{}_{}", rid(svc), name.to_ascii_lowercase())
}

fn services(spec: &DeploySpec, engines: &[Engine], redis: bool) -> Artifact {
    let private = !engines.is_empty() || redis;
    let exposed = exposed(spec);
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe services on Cloud Run, each with its own service account that may read its own secrets and\nnothing else. A new revision takes requests only after its startup probe passes; one that never\ndoes leaves the running revision serving, and the apply fails."
    ));
    for svc in web(spec) {
        let id = name_of(&svc.name);
        let r = rid(svc);
        let account = runtime_account(spec, "ENV", svc).replacen("ENV", "${var.environment}", 1);
        f.commented(
            format!(
                "{}'s identity, made by the bootstrap stack: it reads its own secrets, nothing else.",
                svc.name
            ),
            data("google_service_account", &r)
                .add_attribute(("account_id", expr(&format!("\"{account}\""))))
                .build(),
        );
        for e in svc.env.iter().filter(|e| e.secret) {
            let s = secret_res(svc, &e.name);
            f.commented(
                format!(
                    "{}'s {}: Terraform makes it empty; a person puts the value in (docs/gcp.md).",
                    svc.name, e.name
                ),
                res("google_secret_manager_secret", &s)
                    .add_attribute(("secret_id", expr(&format!("\"${{local.name}}-{id}-{}\"", e.name))))
                    .add_block(blk("replication").add_block(blk("auto").build()).build())
                    .build(),
            );
            f.block(
                res("google_secret_manager_secret_iam_member", &s)
                    .add_attribute(("secret_id", expr(&format!("google_secret_manager_secret.{s}.id"))))
                    .add_attribute(("role", "roles/secretmanager.secretAccessor"))
                    .add_attribute(("member", expr(&format!("data.google_service_account.{r}.member"))))
                    .build(),
            );
        }
        let port = svc.port.unwrap_or(8080);
        let mut container = blk("containers")
            .add_attribute(("image", expr(&format!("var.images[\"{id}\"]"))))
            .add_block(blk("ports").add_attribute(("container_port", port)).build())
            .add_block(
                blk("resources")
                    .add_attribute((
                        "limits",
                        obj([("cpu", expr("var.cpu")), ("memory", expr("var.memory"))]),
                    ))
                    .add_attribute(("cpu_idle", true))
                    .add_attribute(("startup_cpu_boost", true))
                    .build(),
            );
        let start_path = svc.readiness_path.as_ref().or(svc.health_path.as_ref());
        // Cloud Run gives a startup probe four minutes at most.
        let budget = crate::kube::startup_budget(svc).min(240);
        let mut startup = blk("startup_probe")
            .add_attribute(("period_seconds", 5))
            .add_attribute(("timeout_seconds", 3))
            .add_attribute(("failure_threshold", budget / 5));
        startup = match start_path {
            Some(p) => startup.add_block(blk("http_get").add_attribute(("path", p.as_str())).build()),
            None => startup.add_block(blk("tcp_socket").add_attribute(("port", port)).build()),
        };
        container = container.add_block(startup.build());
        if let Some(p) = &svc.health_path {
            container = container.add_block(
                blk("liveness_probe")
                    .add_attribute(("period_seconds", 15))
                    .add_attribute(("timeout_seconds", 3))
                    .add_attribute(("failure_threshold", 3))
                    .add_block(blk("http_get").add_attribute(("path", p.as_str())).build())
                    .build(),
            );
        }
        for e in svc.env.iter().filter(|e| e.secret) {
            container = container.add_block(
                blk("env")
                    .add_attribute(("name", e.name.as_str()))
                    .add_block(
                        blk("value_source")
                            .add_block(
                                blk("secret_key_ref")
                                    .add_attribute((
                                        "secret",
                                        expr(&format!(
                                            "google_secret_manager_secret.{}.secret_id",
                                            secret_res(svc, &e.name)
                                        )),
                                    ))
                                    .add_attribute(("version", "latest"))
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            );
        }
        container = container.add_block(
            blk("dynamic")
                .add_label("env")
                .add_attribute(("for_each", expr(&format!("lookup(var.settings, \"{id}\", {{}})"))))
                .add_block(
                    blk("content")
                        .add_attribute(("name", expr("env.key")))
                        .add_attribute(("value", expr("env.value")))
                        .build(),
                )
                .build(),
        );
        let mut template = blk("template")
            .add_attribute((
                "service_account",
                expr(&format!("data.google_service_account.{r}.email")),
            ))
            .add_attribute(("execution_environment", "EXECUTION_ENVIRONMENT_GEN2"))
            .add_attribute(("max_instance_request_concurrency", expr("var.concurrency")))
            .add_attribute(("timeout", "300s"))
            .add_block(
                blk("scaling")
                    .add_attribute(("min_instance_count", expr("var.min_instances")))
                    .add_attribute(("max_instance_count", expr("var.max_instances")))
                    .build(),
            );
        if private {
            template = template.add_block(
                blk("vpc_access")
                    .add_attribute(("egress", "PRIVATE_RANGES_ONLY"))
                    .add_block(
                        blk("network_interfaces")
                            .add_attribute(("network", expr("google_compute_network.main.id")))
                            .add_attribute(("subnetwork", expr("google_compute_subnetwork.main.id")))
                            .build(),
                    )
                    .build(),
            );
        }
        template = template.add_block(container.build());
        let behind_lb = exposed.iter().any(|(n, _)| *n == id);
        let secrets: Vec<String> = svc
            .env
            .iter()
            .filter(|e| e.secret)
            .map(|e| format!("google_secret_manager_secret_iam_member.{}", secret_res(svc, &e.name)))
            .collect();
        let mut service = res("google_cloud_run_v2_service", &r)
            .add_attribute(("name", expr(&format!("\"${{local.name}}-{id}\""))))
            .add_attribute(("location", expr("var.region")))
            .add_attribute((
                "ingress",
                if behind_lb {
                    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
                } else {
                    "INGRESS_TRAFFIC_ALL"
                },
            ))
            .add_attribute(("deletion_protection", true))
            .add_block(template.build())
            .add_block(
                blk("traffic")
                    .add_attribute(("type", "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"))
                    .add_attribute(("percent", 100))
                    .build(),
            );
        if !secrets.is_empty() {
            service = service.add_attribute(("depends_on", expr(&format!("[{}]", secrets.join(", ")))));
        }
        if revisions(spec) {
            // The deploy job moves the requests between revisions (blue-green or canary): an
            // apply never takes them back.
            service = service.add_block(
                blk("lifecycle")
                    .add_attribute(("ignore_changes", expr("[traffic]")))
                    .build(),
            );
        }
        f.commented(
            if behind_lb {
                format!(
                    "{}: reached only through the load balancer, which ends TLS for its host.",
                    svc.name
                )
            } else {
                format!(
                    "{}: answers on its run.app address, with Google's certificate.",
                    svc.name
                )
            },
            service.build(),
        );
        f.commented(
            format!(
                "{} serves the public: anyone may call it (the app does its own sign-in).",
                svc.name
            ),
            res("google_cloud_run_v2_service_iam_member", &format!("{r}_public"))
                .add_attribute(("name", expr(&format!("google_cloud_run_v2_service.{r}.name"))))
                .add_attribute(("location", expr(&format!("google_cloud_run_v2_service.{r}.location"))))
                .add_attribute(("role", "roles/run.invoker"))
                .add_attribute(("member", "allUsers"))
                .build(),
        );
    }
    file(
        format!("{DIR}/services.tf"),
        &f,
        "each service on Cloud Run with its identity, secrets, probes and scaling",
    )
}

fn load_balancer(spec: &DeploySpec) -> Artifact {
    let exposed = exposed(spec);
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe external HTTPS load balancer in front of the services: a Google-managed certificate for the\nhosts (it is issued once their DNS points at the address below), TLS 1.2 or newer, HTTP sent to\nHTTPS, every request logged."
    ));
    f.block(
        res("google_compute_global_address", "lb")
            .add_attribute(("name", expr("\"${local.name}-lb\"")))
            .build(),
    );
    f.block(
        res("google_compute_managed_ssl_certificate", "main")
            .add_attribute(("name", expr("\"${local.name}-cert\"")))
            .add_block(
                blk("managed")
                    .add_attribute(("domains", strs(exposed.iter().map(|(_, h)| h.as_str()))))
                    .build(),
            )
            .add_block(blk("lifecycle").add_attribute(("create_before_destroy", true)).build())
            .build(),
    );
    f.block(
        res("google_compute_ssl_policy", "modern")
            .add_attribute(("name", expr("\"${local.name}-tls\"")))
            .add_attribute(("profile", "MODERN"))
            .add_attribute(("min_tls_version", "TLS_1_2"))
            .build(),
    );
    let mut url_map = res("google_compute_url_map", "https").add_attribute(("name", expr("local.name")));
    let first = exposed.first().map(|(n, _)| n.replace('-', "_")).unwrap_or_default();
    url_map = url_map.add_attribute((
        "default_service",
        expr(&format!("google_compute_backend_service.{first}.id")),
    ));
    for (name, host) in &exposed {
        let r = name.replace('-', "_");
        f.block(
            res("google_compute_region_network_endpoint_group", &r)
                .add_attribute(("name", expr(&format!("\"${{local.name}}-{name}\""))))
                .add_attribute(("network_endpoint_type", "SERVERLESS"))
                .add_attribute(("region", expr("var.region")))
                .add_block(
                    blk("cloud_run")
                        .add_attribute(("service", expr(&format!("google_cloud_run_v2_service.{r}.name"))))
                        .build(),
                )
                .build(),
        );
        f.block(
            res("google_compute_backend_service", &r)
                .add_attribute(("name", expr(&format!("\"${{local.name}}-{name}\""))))
                .add_attribute(("load_balancing_scheme", "EXTERNAL_MANAGED"))
                .add_attribute(("protocol", "HTTPS"))
                .add_block(
                    blk("backend")
                        .add_attribute((
                            "group",
                            expr(&format!("google_compute_region_network_endpoint_group.{r}.id")),
                        ))
                        .build(),
                )
                .add_block(
                    blk("log_config")
                        .add_attribute(("enable", true))
                        .add_attribute(("sample_rate", 1.0))
                        .build(),
                )
                .build(),
        );
        url_map = url_map
            .add_block(
                blk("host_rule")
                    .add_attribute(("hosts", strs([host.as_str()])))
                    .add_attribute(("path_matcher", name.as_str()))
                    .build(),
            )
            .add_block(
                blk("path_matcher")
                    .add_attribute(("name", name.as_str()))
                    .add_attribute((
                        "default_service",
                        expr(&format!("google_compute_backend_service.{r}.id")),
                    ))
                    .build(),
            );
    }
    f.block(url_map.build());
    f.block(
        res("google_compute_target_https_proxy", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("url_map", expr("google_compute_url_map.https.id")))
            .add_attribute((
                "ssl_certificates",
                expr("[google_compute_managed_ssl_certificate.main.id]"),
            ))
            .add_attribute(("ssl_policy", expr("google_compute_ssl_policy.modern.id")))
            .build(),
    );
    f.block(
        res("google_compute_global_forwarding_rule", "https")
            .add_attribute(("name", expr("\"${local.name}-https\"")))
            .add_attribute(("load_balancing_scheme", "EXTERNAL_MANAGED"))
            .add_attribute(("ip_address", expr("google_compute_global_address.lb.id")))
            .add_attribute(("port_range", "443"))
            .add_attribute(("target", expr("google_compute_target_https_proxy.main.id")))
            .build(),
    );
    f.commented(
        "Port 80 answers with a redirect to HTTPS and nothing else.",
        res("google_compute_url_map", "redirect")
            .add_attribute(("name", expr("\"${local.name}-redirect\"")))
            .add_block(
                blk("default_url_redirect")
                    .add_attribute(("https_redirect", true))
                    .add_attribute(("redirect_response_code", "MOVED_PERMANENTLY_DEFAULT"))
                    .add_attribute(("strip_query", false))
                    .build(),
            )
            .build(),
    );
    f.block(
        res("google_compute_target_http_proxy", "redirect")
            .add_attribute(("name", expr("\"${local.name}-redirect\"")))
            .add_attribute(("url_map", expr("google_compute_url_map.redirect.id")))
            .build(),
    );
    f.block(
        res("google_compute_global_forwarding_rule", "http")
            .add_attribute(("name", expr("\"${local.name}-http\"")))
            .add_attribute(("load_balancing_scheme", "EXTERNAL_MANAGED"))
            .add_attribute(("ip_address", expr("google_compute_global_address.lb.id")))
            .add_attribute(("port_range", "80"))
            .add_attribute(("target", expr("google_compute_target_http_proxy.redirect.id")))
            .build(),
    );
    file(
        format!("{DIR}/load_balancer.tf"),
        &f,
        "the HTTPS load balancer, its certificate and the redirect from HTTP",
    )
}

fn databases(cloud: &CloudSpec, engines: &[Engine]) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe databases: private addresses only, TLS only, deletion protection in Terraform and in Cloud\nSQL. Daily backups, var.backup_days of them kept and kept on when the instance is deleted, with\npoint-in-time recovery over the last seven days at most. No password is set here, so none is in\nthe state: docs/gcp.md makes the app's user."
    ));
    for e in engines {
        let mut backup = blk("backup_configuration")
            .add_attribute(("enabled", true))
            .add_attribute(("start_time", "03:00"));
        backup = if e.id == "postgres" {
            backup.add_attribute(("point_in_time_recovery_enabled", true))
        } else {
            backup.add_attribute(("binary_log_enabled", true))
        };
        backup = backup.add_attribute(("transaction_log_retention_days", expr("min(var.backup_days, 7)")));
        if cloud.backup_region.is_some() {
            backup = backup.add_attribute(("location", expr("var.backup_location")));
        }
        backup = backup.add_block(
            blk("backup_retention_settings")
                .add_attribute(("retained_backups", expr("var.backup_days")))
                .add_attribute(("retention_unit", "COUNT"))
                .build(),
        );
        let mut settings = blk("settings")
            .add_attribute(("tier", expr("var.db_tier")))
            .add_attribute(("edition", "ENTERPRISE"))
            .add_attribute((
                "availability_type",
                expr("var.high_availability ? \"REGIONAL\" : \"ZONAL\""),
            ))
            .add_attribute(("disk_type", "PD_SSD"))
            .add_attribute(("disk_size", expr("var.db_storage_gb")))
            .add_attribute(("disk_autoresize", true))
            .add_attribute(("disk_autoresize_limit", expr("var.db_storage_gb * 5")))
            .add_attribute(("deletion_protection_enabled", true))
            .add_attribute(("retain_backups_on_delete", true))
            .add_attribute(("user_labels", expr("local.labels")))
            .add_block(
                blk("ip_configuration")
                    .add_attribute(("ipv4_enabled", false))
                    .add_attribute(("private_network", expr("google_compute_network.main.id")))
                    .add_attribute(("ssl_mode", "ENCRYPTED_ONLY"))
                    .build(),
            )
            .add_block(backup.build())
            .add_block(
                blk("maintenance_window")
                    .add_attribute(("day", 7))
                    .add_attribute(("hour", 4))
                    .add_attribute(("update_track", "stable"))
                    .build(),
            )
            .add_block(
                blk("insights_config")
                    .add_attribute(("query_insights_enabled", true))
                    .add_attribute(("record_application_tags", true))
                    .add_attribute(("record_client_address", false))
                    .build(),
            );
        for (name, value) in e.flags {
            settings = settings.add_block(
                blk("database_flags")
                    .add_attribute(("name", *name))
                    .add_attribute(("value", *value))
                    .build(),
            );
        }
        f.commented(
            format!(
                "{}: one instance per environment; the app's database is `app`.",
                e.label
            ),
            res("google_sql_database_instance", e.id)
                .add_attribute(("name", expr(&format!("\"${{local.name}}-{}\"", e.id))))
                .add_attribute(("database_version", e.version))
                .add_attribute(("region", expr("var.region")))
                .add_attribute(("deletion_protection", true))
                .add_block(settings.build())
                .add_attribute(("depends_on", expr("[google_service_networking_connection.services]")))
                .build(),
        );
        f.block(
            res("google_sql_database", e.id)
                .add_attribute(("name", "app"))
                .add_attribute(("instance", expr(&format!("google_sql_database_instance.{}.name", e.id))))
                .build(),
        );
    }
    file(
        format!("{DIR}/database.tf"),
        &f,
        "the Cloud SQL databases: private, TLS only, backed up, protected from deletion",
    )
}

fn cache() -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nRedis on Memorystore: a private address on the network, AUTH and TLS on (the app connects with\nrediss:// on port 6378 and the AUTH string from the redis_auth output, kept in its REDIS_URL secret)."
    ));
    f.block(
        res("google_redis_instance", "redis")
            .add_attribute(("name", expr("\"${local.name}-redis\"")))
            .add_attribute(("tier", expr("var.high_availability ? \"STANDARD_HA\" : \"BASIC\"")))
            .add_attribute(("memory_size_gb", 1))
            .add_attribute(("region", expr("var.region")))
            .add_attribute(("redis_version", "REDIS_7_2"))
            .add_attribute(("authorized_network", expr("google_compute_network.main.id")))
            .add_attribute(("connect_mode", "PRIVATE_SERVICE_ACCESS"))
            .add_attribute(("auth_enabled", true))
            .add_attribute(("transit_encryption_mode", "SERVER_AUTHENTICATION"))
            .add_attribute(("labels", expr("local.labels")))
            .add_attribute(("depends_on", expr("[google_service_networking_connection.services]")))
            .build(),
    );
    file(
        format!("{DIR}/cache.tf"),
        &f,
        "Redis on Memorystore, private, with AUTH and TLS",
    )
}

fn outputs(spec: &DeploySpec, engines: &[Engine], redis: bool) -> Artifact {
    let mut f = HclFile::new(HEADER);
    let mut outs: Vec<(String, String, String, bool)> = Vec::new();
    let exposed = exposed(spec);
    if let Some((_, h)) = exposed.first() {
        outs.push((
            "url".into(),
            format!("\"https://{h}\""),
            "Where the app answers.".into(),
            false,
        ));
        outs.push((
            "load_balancer_ip".into(),
            "google_compute_global_address.lb.address".into(),
            "The address the hosts' DNS A records point at; the certificate is issued once they do.".into(),
            false,
        ));
    } else if let Some(svc) = web(spec).first() {
        outs.push((
            "url".into(),
            format!("google_cloud_run_v2_service.{}.uri", rid(svc)),
            "Where the app answers.".into(),
            false,
        ));
    }
    outs.push((
        "region".into(),
        "var.region".into(),
        "The region the services run in.".into(),
        false,
    ));
    for svc in web(spec) {
        let r = rid(svc);
        outs.push((
            format!("{r}_service"),
            format!("google_cloud_run_v2_service.{r}.name"),
            format!("{}'s Cloud Run service.", svc.name),
            false,
        ));
        outs.push((
            format!("{r}_url"),
            format!("google_cloud_run_v2_service.{r}.uri"),
            format!("{}'s own address on Cloud Run.", svc.name),
            false,
        ));
    }
    outs.push((
        "images".into(),
        "var.images".into(),
        "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone.".into(),
        false,
    ));
    for e in engines {
        outs.push((
            format!("{}_instance", e.id),
            format!("google_sql_database_instance.{}.connection_name", e.id),
            format!(
                "{}'s connection name, for gcloud sql and the restore in docs/gcp.md.",
                e.label
            ),
            false,
        ));
        outs.push((
            format!("{}_address", e.id),
            format!("google_sql_database_instance.{}.private_ip_address", e.id),
            format!(
                "{}'s private address, for the app's connection URL (port {}).",
                e.label, e.port
            ),
            false,
        ));
    }
    if redis {
        outs.push((
            "redis_address".into(),
            "\"${google_redis_instance.redis.host}:${google_redis_instance.redis.port}\"".into(),
            "Redis's private address (rediss://, TLS).".into(),
            false,
        ));
        outs.push((
            "redis_auth".into(),
            "google_redis_instance.redis.auth_string".into(),
            "Redis's AUTH string, for the app's REDIS_URL secret (kept secret in the outputs).".into(),
            true,
        ));
    }
    for (name, value, description, sensitive) in outs {
        let mut b = blk("output")
            .add_label(&name)
            .add_attribute(("description", description))
            .add_attribute(("value", expr(&value)));
        if sensitive {
            b = b.add_attribute(("sensitive", true));
        }
        f.block(b.build());
    }
    file(
        format!("{DIR}/outputs.tf"),
        &f,
        "what the pipeline and the runbook read after an apply",
    )
}

fn estimate(spec: &DeploySpec, cloud: &CloudSpec, engines: &[Engine], redis: bool) -> Estimate {
    use cost::gcp::*;
    let mut e = Estimate::default();
    let min = spec.scaling.min_replicas.max(1);
    let cpus = f64::from(cloud.task_cpu) / 1024.0;
    let gib = f64::from(cloud.task_memory) / 1024.0;
    for svc in web(spec) {
        e.add(
            format!("Cloud Run {}", name_of(&svc.name)),
            format!("{min} idle minimum instance(s) of {cpus} vCPU and {gib} GiB; serving time beyond the free tier counted as 0"),
            f64::from(min) * (cpus * RUN_IDLE_VCPU_SECOND + gib * RUN_IDLE_GIB_SECOND) * SECONDS,
        );
    }
    let ha = if cloud.multi_az { 2.0 } else { 1.0 };
    for engine in engines {
        match sql_hour(&cloud.db_class) {
            Some(h) => e.add(
                format!("Cloud SQL {} {}", engine.label, cloud.db_class),
                if cloud.multi_az {
                    "730 hours, with a standby"
                } else {
                    "730 hours"
                },
                h * cost::HOURS * ha,
            ),
            None => e.unpriced.push(format!("the Cloud SQL tier {}", cloud.db_class)),
        }
        e.add(
            format!("Cloud SQL {} storage", engine.label),
            format!(
                "{} GB SSD{}",
                cloud.db_storage_gb,
                if cloud.multi_az { ", twice with the standby" } else { "" }
            ),
            f64::from(cloud.db_storage_gb) * SQL_SSD_GB_MONTH * ha,
        );
        e.add(
            format!("Cloud SQL {} backups", engine.label),
            "5 GB beyond the instance's size",
            5.0 * SQL_BACKUP_GB_MONTH,
        );
    }
    if redis {
        let rate = if cloud.multi_az {
            REDIS_STANDARD_GB_HOUR
        } else {
            REDIS_BASIC_GB_HOUR
        };
        e.add(
            "Memorystore for Redis",
            if cloud.multi_az {
                "1 GB, Standard tier, 730 hours"
            } else {
                "1 GB, Basic tier, 730 hours"
            },
            rate * cost::HOURS,
        );
    }
    if !exposed(spec).is_empty() {
        e.add(
            "HTTPS load balancer",
            "its forwarding rules, 730 hours",
            LB_RULES_HOUR * cost::HOURS,
        );
        e.add("Load balancer data", "10 GB processed", 10.0 * LB_GB);
    }
    e.add(
        "Artifact Registry",
        "2 GB of images, the first half free",
        1.5 * REGISTRY_GB_MONTH,
    );
    let secrets = web(spec)
        .iter()
        .map(|s| s.env.iter().filter(|e| e.secret).count())
        .sum::<usize>();
    if secrets > 0 {
        e.add(
            "Secret Manager",
            format!("{secrets} secret version(s)"),
            secrets as f64 * SECRET_VERSION_MONTH,
        );
    }
    e.add("Cloud Logging", "within the free 50 GiB a month", 0.0);
    e
}

fn picture(spec: &DeploySpec, cloud: &CloudSpec, engines: &[Engine], redis: bool) -> Vec<CloudNode> {
    let mut out = Vec::new();
    let exposed = exposed(spec);
    for (_, h) in &exposed {
        out.push(CloudNode {
            kind: "DNS".into(),
            name: h.clone(),
            detail: "A record to the load balancer's address, Google-managed certificate".into(),
        });
    }
    if !exposed.is_empty() {
        out.push(CloudNode {
            kind: "Load balancer".into(),
            name: "HTTPS 443".into(),
            detail: "TLS 1.2+, HTTP redirected, requests logged".into(),
        });
    }
    for svc in web(spec) {
        out.push(CloudNode {
            kind: "Cloud Run service".into(),
            name: name_of(&svc.name),
            detail: format!(
                "{} to {} instances ({} vCPU, {} MiB), 80 requests each{}",
                spec.scaling.min_replicas.max(1),
                spec.scaling.max_replicas.max(spec.scaling.min_replicas.max(1)),
                cloud.task_cpu / 1024,
                cloud.task_memory,
                if exposed.iter().any(|(n, _)| *n == name_of(&svc.name)) {
                    ""
                } else {
                    ", on its run.app address"
                }
            ),
        });
    }
    for e in engines {
        out.push(CloudNode {
            kind: format!("{} (Cloud SQL)", e.label),
            name: cloud.db_class.clone(),
            detail: format!(
                "{}{} daily backups, point-in-time recovery{}",
                if cloud.multi_az {
                    "standby in a second zone, "
                } else {
                    ""
                },
                cloud.backup_days,
                cloud
                    .backup_region
                    .as_ref()
                    .map(|r| format!(", stored in {r}"))
                    .unwrap_or_default()
            ),
        });
    }
    if redis {
        out.push(CloudNode {
            kind: "Redis (Memorystore)".into(),
            name: "1 GB".into(),
            detail: "private, AUTH and TLS".into(),
        });
    }
    out
}

fn requirements(spec: &DeploySpec, cloud: &CloudSpec, repo: Option<&str>) -> Vec<Requirement> {
    let mut out = Vec::new();
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let project = project(spec);
    for svc in web(spec) {
        for e in svc.env.iter().filter(|e| e.secret) {
            out.push(Requirement {
                name: e.name.clone(),
                secret: true,
                place: format!(
                    "Google Secret Manager {project}-<environment>-{}-{} ({})",
                    name_of(&svc.name),
                    e.name,
                    cloud.region
                ),
                why: format!(
                    "{} reads it; Terraform makes the secret empty, a person adds its value (docs/gcp.md)",
                    svc.name
                ),
            });
        }
    }
    for (name, why) in [
        (
            "GCP_PLAN_SERVICE_ACCOUNT",
            format!(
                "the bootstrap stack's plan_service_account; the plan job presents the subject {}",
                super::aws::oidc_subject(repo, None)
            ),
        ),
        (
            "GCP_PUSH_SERVICE_ACCOUNT",
            format!(
                "the bootstrap stack's push_service_account; the image jobs push with it and present {}",
                super::aws::push_subject(repo, &spec.branch)
            ),
        ),
        (
            "GCP_DEPLOY_SERVICE_ACCOUNT",
            format!(
                "the bootstrap stack's deploy_service_account; a deploy job presents {}",
                spec.environments
                    .iter()
                    .map(|e| super::aws::oidc_subject(repo, Some(&e.name)))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ),
        (
            "GCP_WIF_PROVIDER",
            "the bootstrap stack's workload_identity_provider: GitHub's tokens are exchanged there".into(),
        ),
        ("GCP_PROJECT", "the Google Cloud project's id".into()),
    ] {
        out.push(Requirement {
            name: name.into(),
            secret: false,
            place: "GitHub Actions variable".into(),
            why,
        });
    }
    out
}

fn runbook(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    project: &str,
    repo: Option<&str>,
    engines: &[Engine],
    redis: bool,
    estimate: &Estimate,
) -> String {
    use super::aws::{oidc_subject, push_subject};
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let production = spec.production();
    let region = &cloud.region;
    let pulumi = cloud.iac == "pulumi";
    let bucket = state_bucket(project, cloud);
    let output = if pulumi {
        "pulumi stack output"
    } else {
        "terraform output"
    };
    let by_hand = if pulumi {
        format!("cd {DIR} && npm install\npulumi login gs://{bucket}/{project}\npulumi stack select --create {production} --secrets-provider \"gcpkms://projects/PROJECT_ID/locations/{region}/keyRings/{project}-pulumi/cryptoKeys/state\"\npulumi config set project_id PROJECT_ID\npulumi config set --path 'images.SERVICE' 'REPOSITORY@sha256:...'\npulumi preview --diff\npulumi up\n")
    } else {
        format!("terraform -chdir={DIR} init -backend-config=\"prefix={project}/{production}\"\nterraform -chdir={DIR} plan -var project_id=PROJECT_ID -var 'images={{...}}' -out plan.bin\nterraform -chdir={DIR} apply plan.bin\n")
    };
    let mut out = format!(
        "# {project} on Google Cloud\n\nWritten by Slipway from the project's deployment spec: {} in `{DIR}/`, for the region\n{region}. Nothing here holds a secret or a service account key.\n\n",
        if pulumi { "a Pulumi program in TypeScript" } else { "Terraform" }
    );
    out.push_str("## What runs\n\n");
    for n in picture(spec, cloud, engines, redis) {
        out.push_str(&format!("- **{}** {}: {}\n", n.kind, n.name, n.detail));
    }
    out.push_str("\n## Before the first apply\n\n");
    out.push_str(
        &(if pulumi {
            format!("1. A person who owns the project runs the shared program once, with its state kept on their disk:\n\n   ```sh\n   cd {BOOTSTRAP} && npm install\n   pulumi login --local\n   pulumi stack init bootstrap\n   pulumi config set project_id PROJECT_ID\n   pulumi up\n   ```\n\n   It enables the APIs, creates the state bucket `{bucket}` (bucket names are global: if it is\n   taken, change `state_bucket` there and the backend URL in `{DIR}/Pulumi.yaml`), the key that\n   encrypts the stacks' secrets, the image repository `{project}`, GitHub's workload identity pool and\n   three service accounts. Keep its state (`~/.pulumi`) safe, or move it into the bucket with\n   `pulumi stack export` and `pulumi stack import`.\n")
        } else {
            format!("1. A person who owns the project applies the shared stack once:\n\n   ```sh\n   terraform -chdir={BOOTSTRAP} init\n   terraform -chdir={BOOTSTRAP} apply -var project_id=PROJECT_ID\n   ```\n\n   It enables the APIs, creates the state bucket `{bucket}` (bucket names are global:\n   if it is taken, change `state_bucket` there and `bucket` in `{DIR}/backend.tf`), the image\n   repository `{project}`, GitHub's workload identity pool and three service accounts. Its state stays\n   in `{BOOTSTRAP}/terraform.tfstate`: keep it safe, or move it into the bucket with a `backend \"gcs\"`\n   block and `terraform init -migrate-state`.\n")
        }),
    );
    out.push_str(&format!(
        "2. In GitHub, set the repository variables `GCP_PROJECT` to the project's id, `GAR_LOCATION` to `{region}`,\n   `GAR_REPOSITORY` to `{project}`, and `GCP_WIF_PROVIDER`, `GCP_PLAN_SERVICE_ACCOUNT`,\n   `GCP_PUSH_SERVICE_ACCOUNT` and `GCP_DEPLOY_SERVICE_ACCOUNT` to the bootstrap stack's outputs. Each\n   service account admits exactly one kind of job: `{}` (plans on pull requests), `{}`\n   (pushes images) and {} (deploys). A job in an environment presents the environment's subject, not\n   the branch's, which is why the deploy account names the environments.\n",
        oidc_subject(repo, None),
        push_subject(repo, &spec.branch),
        spec.environments
            .iter()
            .map(|e| format!("`{}`", oidc_subject(repo, Some(&e.name))))
            .collect::<Vec<_>>()
            .join(" and ")
    ));
    let exposed = exposed(spec);
    if !exposed.is_empty() {
        out.push_str(&format!(
            "3. After the first apply, point {} at the address in `{output} load_balancer_ip` (A records).\n   Google issues the certificate once they do, which takes up to an hour.\n",
            exposed.iter().map(|(_, h)| format!("`{h}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    let secrets: Vec<(String, String)> = web(spec)
        .iter()
        .flat_map(|svc| {
            svc.env
                .iter()
                .filter(|e| e.secret)
                .map(|e| (name_of(&svc.name), e.name.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    if !secrets.is_empty() {
        out.push_str("\n## Secrets\n\nTerraform makes each secret empty; add its value once per environment, outside git and outside the\nstate, before the first deploy (a revision whose secret has no value does not start):\n\n```sh\n");
        for (svc, name) in &secrets {
            out.push_str(&format!(
                "printf '%s' \"$VALUE\" | gcloud secrets versions add {project}-{production}-{svc}-{name} --data-file=-\n"
            ));
        }
        out.push_str("```\n");
    }
    if let Some(e) = engines.first() {
        out.push_str(&format!(
            "\nThe app's database user is made by hand, so its password is in no file and no state:\n\n```sh\ngcloud sql users create app --instance={project}-{production}-{id} --password=\"$(openssl rand -base64 24)\"\n```\n\nIts URL then goes in the app's secret: `{scheme}://app:PASSWORD@ADDRESS:{port}/app{tls}`, with the address\nfrom `{output} {id}_address`.\n",
            id = e.id,
            port = e.port,
            scheme = if e.id == "postgres" { "postgresql" } else { "mysql" },
            tls = if e.id == "postgres" { "?sslmode=require" } else { "" },
        ));
    }
    let pipeline = if spec.ci == crate::params::CiSystem::Github {
        format!(
            "The pipeline Slipway writes for GitHub Actions (`.github/workflows/ci-cd.yml`) does this: a pull\nrequest's `Plan the Google Cloud infrastructure` job writes the plan of {production} into its summary,\nwith the images that run now; after the merge, `Deploy to Google Cloud` applies the stack with the\ndigests the image jobs pushed (its summary shows the plan it applied) and fails when a service's\nnewest revision is not the one serving. State locks are waited for ten minutes, never broken. Tags\nnever move (the repository is immutable): images are tagged with their commit only.\n\n"
        )
    } else {
        format!(
            "The pipeline builds and pushes the images; on {} it does not apply this stack yet.\n\n",
            spec.ci.label()
        )
    };
    out.push_str(&format!(
        "\n## Apply, watch, roll back\n\n{pipeline}By hand, apply the environment's stack with the images by digest, reading the plan first:\n\n```sh\n{by_hand}```\n\nA new revision takes requests only once its startup probe passes; one that never does leaves the\nprevious revision serving. To roll back, apply again with the previous digests (`{output}\nimages` lists what runs), or move the traffic at once with\n`gcloud run services update-traffic SERVICE --region {region} --to-revisions REVISION=100` and apply the\nold digests after.\n"
    ));
    if revisions(spec) {
        out.push_str(&if spec.strategy == crate::params::Strategy::Canary {
            format!(
                "\nEach deploy is a canary: before the apply every request is pinned to the serving revision, so\nthe new one starts with none; once its startup probe passes it is tagged `canary` (and its readiness\npath called on the tag's run.app address when the service answers there), then gets a tenth of the\nrequests, then half, each for {} minutes, and all of them while it stays ready. When it stops being\nready every request goes back to the old revision and the job fails. The old revision stays with no\nrequests: rolling back is one `gcloud run services update-traffic ... --to-revisions OLD=100`.\n",
                CANARY_PAUSE / 60
            )
        } else {
            "\nEach deploy is a blue-green: before the apply every request is pinned to the serving revision, so\nthe new one starts with none; once its startup probe passes it is tagged `green` (and its readiness\npath called on the tag's run.app address when the service answers there), then takes every request\nat once. The old revision stays with no requests: rolling back is one\n`gcloud run services update-traffic ... --to-revisions OLD=100`.\n".to_string()
        });
    }
    out.push_str("\n## Backups and recovery\n\n");
    if engines.is_empty() && !redis {
        out.push_str("Nothing here keeps data: the services are stateless, and a lost region is a new apply.\n");
    }
    let pitr_days = cloud.backup_days.min(7);
    for e in engines {
        out.push_str(&format!(
            "- **{label}**: a daily backup, the last {days} kept, and kept when the instance is deleted;\n  transaction logs for {pitr_days} day(s), so point-in-time recovery reaches any second of them (RPO\n  about a minute). Deletion protection is on in Terraform and in Cloud SQL.{copy}\n",
            label = e.label,
            days = cloud.backup_days,
            copy = cloud
                .backup_region
                .as_ref()
                .map(|r| format!(" The backups are stored in {r}."))
                .unwrap_or_default()
        ));
    }
    if redis {
        out.push_str("- **Redis** is a cache and has no backups here: the app must work while it refills.\n");
    }
    if let Some(e) = engines.first() {
        out.push_str(&format!(
            "\nRestore to a point in time into a new instance (a clone), check it answers, then point the app at it:\n\n```sh\ngcloud sql instances clone {project}-{production}-{id} {project}-{production}-{id}-restore \\\n  --point-in-time 2026-01-01T12:00:00Z\ngcloud sql instances describe {project}-{production}-{id}-restore --format='value(state)'   # RUNNABLE\n```\n\nThen check the copy answers (`{check}` from inside the network), update the `DATABASE_URL` secret and\ndeploy a new revision. Practise this once a quarter.\n",
            id = e.id,
            check = if e.id == "postgres" {
                "psql \"$DATABASE_URL\" -c 'select 1'"
            } else {
                "mysql -e 'select 1'"
            }
        ));
        let rpo_met = cloud.rpo_minutes >= 1;
        let rto_need = if cloud.multi_az { 2 } else { 30 };
        out.push_str(&format!(
            "\nObjectives: recovery point {rpo} minutes, recovery time {rto} minutes. Point-in-time recovery loses at\nmost about a minute, which {rpo_word} the recovery point; {az}, which {rto_word} the recovery time.\n{region_loss}\n",
            rpo = cloud.rpo_minutes,
            rto = cloud.rto_minutes,
            rpo_word = if rpo_met { "meets" } else { "does not meet" },
            az = if cloud.multi_az {
                "a lost zone fails over to the standby in about a minute"
            } else {
                "with no standby, a lost zone means a restore, about 30 minutes plus the data size"
            },
            rto_word = if cloud.rto_minutes >= rto_need { "meets" } else { "does not meet" },
            region_loss = if cloud.backup_region.is_some() {
                "A lost region needs the stack applied in another region and a restore from the backups stored\nelsewhere: hours, not minutes."
            } else {
                "A lost region takes the backups with it: set backup_region to store them elsewhere."
            }
        ));
    }
    out.push_str("\n## Cost\n\n");
    out.push_str(&estimate.markdown(
        "On-demand list prices in us-central1, checked on {date}; other regions differ. Traffic-dependent\nusage (requests and serving time beyond Cloud Run's free tier, load balancer data, logs) is counted\nat the small amounts shown, so this is the floor of an idle service. Committed-use discounts cost less.",
    ));
    out
}

/// The environment variable that carries `svc`'s image into the pipeline's Terraform jobs.
pub fn image_var(svc: &ServiceSpec) -> String {
    super::aws::image_var(svc)
}

fn terraform_setup(spec: &DeploySpec, environment: &str) -> Vec<String> {
    let mut c = super::tf::setup(DIR, &format!("prefix={}/{environment}", project(spec)));
    // The project's id reaches Terraform from the repository variable the auth step reads too.
    c.insert(0, r#"export TF_VAR_project_id="$GCP_PROJECT""#.into());
    c
}

/// The lines every Pulumi job starts with: the pinned CLI, checked against Pulumi's published
/// checksums, the program's packages, the state in the bucket (locked while a job holds it),
/// the environment's stack with its secrets encrypted by the bootstrap's key, and its config.
fn pulumi_setup(spec: &DeploySpec, cloud: &CloudSpec, environment: &str) -> Vec<String> {
    let project = project(spec);
    let bucket = state_bucket(&project, cloud);
    let mut c = super::pulumi::cli_setup();
    c.extend([
        format!("cd {DIR}"),
        "npm install --no-audit --no-fund".into(),
        format!(r#"pulumi login "gs://{bucket}/{project}""#),
        format!(
            r#"pulumi stack select --create {environment} --secrets-provider "gcpkms://projects/$GCP_PROJECT/locations/{}/keyRings/{project}-pulumi/cryptoKeys/state""#,
            cloud.region
        ),
        r#"pulumi config set project_id "$GCP_PROJECT""#.into(),
        format!("pulumi config set environment {environment}"),
    ]);
    c
}

/// The lines that write the preview of `environment` into the job's summary.
fn preview_to_summary(environment: &str) -> Vec<String> {
    vec![
        "pulumi preview --diff --non-interactive --color never > preview.txt 2>&1 || { cat preview.txt; exit 1; }"
            .into(),
        format!(
            r####"{{ echo "### Pulumi preview: {environment}"; echo; echo '```'; tail -c 900000 preview.txt; echo '```'; }} >> "$GITHUB_STEP_SUMMARY""####
        ),
    ]
}

/// The language's own words for the steps both share: set up, read an output as JSON and raw.
struct Tool {
    pulumi: bool,
}

impl Tool {
    fn of(spec: &DeploySpec) -> Tool {
        Tool {
            pulumi: spec.cloud.as_ref().is_some_and(|c| c.iac == "pulumi"),
        }
    }

    fn output_json(&self, name: &str) -> String {
        if self.pulumi {
            format!("pulumi stack output {name} --json 2>/dev/null")
        } else {
            format!("tf output -json {name} 2>/dev/null")
        }
    }

    fn output_raw(&self, name: &str) -> String {
        if self.pulumi {
            format!("pulumi stack output {name}")
        } else {
            format!("tf output -raw {name}")
        }
    }

    fn setup(&self, spec: &DeploySpec, environment: &str) -> Vec<String> {
        match (&spec.cloud, self.pulumi) {
            (Some(cloud), true) => pulumi_setup(spec, cloud, environment),
            _ => terraform_setup(spec, environment),
        }
    }

    /// The images (`$images`, a JSON object by service) handed to the stack, then the plan
    /// written into the job's summary.
    fn plan(&self, environment: &str, images: &str) -> Vec<String> {
        let mut c = Vec::new();
        if self.pulumi {
            c.push(format!(
                r#"while read -r key value; do pulumi config set --path "images.$key" "$value"; done < <(jq -r 'to_entries[] | "\(.key) \(.value)"' <<< "{images}")"#
            ));
            c.extend(preview_to_summary(environment));
        } else {
            c.push(format!(
                r#"jq -n --argjson images "{images}" --arg environment {environment} '{{environment: $environment, images: $images}}' > {DIR}/ci.auto.tfvars.json"#
            ));
            c.extend(plan_to_summary(environment));
        }
        c
    }
}

/// True when the deploy job moves the requests between revisions itself: a blue-green or a
/// canary, in Terraform (the Pulumi program lets Cloud Run send them to the newest revision).
fn revisions(spec: &DeploySpec) -> bool {
    spec.strategy != crate::params::Strategy::Rolling && spec.cloud.as_ref().is_some_and(|c| c.iac == "terraform")
}

/// Seconds a canary stays at each step before it is checked and moved on.
pub const CANARY_PAUSE: u32 = 300;

/// The shell function that moves a service's requests from its old revision to the new one.
/// The new revision is first tagged and, when the service answers on its run.app address, its
/// readiness path called there with no user's request on it; blue-green then switches all at
/// once; a canary gives it a tenth, then half, each for [`CANARY_PAUSE`] seconds, and sends every
/// request back to the old one when the new one stops being ready. The old revision stays,
/// with no requests, so a rollback is one `update-traffic`.
fn shift_traffic(strategy: crate::params::Strategy) -> String {
    let canary = strategy == crate::params::Strategy::Canary;
    let tag = if canary { "canary" } else { "green" };
    let shift = if canary {
        format!(
            r#"
  for weight in 10 50; do
    gcloud run services update-traffic "$service" --region "$region" --to-revisions "$new=$weight,$old=$((100 - weight))" --quiet
    sleep {CANARY_PAUSE}
    ready=$(gcloud run revisions describe "$new" --region "$region" --format=json | jq -r '.status.conditions[] | select(.type == "Ready") | .status')
    if [ "$ready" != True ]; then
      gcloud run services update-traffic "$service" --region "$region" --to-revisions "$old=100" --quiet
      echo "::error::$service's canary $new stopped being ready at $weight%; every request is back on $old (docs/gcp.md)"
      exit 1
    fi
  done"#
        )
    } else {
        String::new()
    };
    format!(
        r#"shift_traffic() {{
  local service=$1 region=$2 old=$3 new=$4 path=$5 public=$6 url
  if [ -z "$old" ] || [ "$old" = "$new" ]; then return 0; fi
  gcloud run services update-traffic "$service" --region "$region" --update-tags "{tag}=$new" --quiet
  if [ "$public" = yes ]; then
    url=$(gcloud run services describe "$service" --region "$region" --format='value(status.url)')
    if ! curl -fsS --retry 6 --retry-delay 5 --retry-all-errors -o /dev/null "https://{tag}---${{url#https://}}$path"; then
      echo "::error::$service's new revision $new does not answer $path on its {tag} tag; every request stays on $old (docs/gcp.md)"
      exit 1
    fi
  fi{shift}
  gcloud run services update-traffic "$service" --region "$region" --to-revisions "$new=100" --remove-tags {tag} --quiet
  echo "$service: every request on $new; $old kept with none, for a rollback"
}}"#
    )
}

/// The shell lines of the plan job on pull requests: production planned with the images it runs
/// now, so the summary shows the infrastructure's change alone; before the first deploy an
/// all-zero digest stands in.
pub fn plan_commands(spec: &DeploySpec) -> Vec<String> {
    let tool = Tool::of(spec);
    let production = spec.production();
    let mut c = tool.setup(spec, production);
    c.push(format!("images=$({}) || images='{{}}'", tool.output_json("images")));
    let args: Vec<String> = imaged(spec)
        .iter()
        .map(|(key, svc)| format!(r#"--arg {key} "${{{},,}}@sha256:$zero""#, image_var(svc)))
        .collect();
    c.push(format!(
        r#"if [ "$images" = "{{}}" ]; then zero=$(printf '%064d' 0); images=$(jq -cn {} '$ARGS.named'); fi"#,
        args.join(" ")
    ));
    c.extend(tool.plan(production, "$images"));
    c
}

/// The shell lines of the deploy to `environment`: the stack applied with the tested images by
/// digest, after the plan the summary shows; then each service's newest revision must be the
/// one serving (Cloud Run keeps the old one when the new one never starts).
pub fn apply_commands(spec: &DeploySpec, environment: &str) -> Vec<String> {
    let tool = Tool::of(spec);
    let mut c = tool.setup(spec, environment);
    let args: Vec<String> = imaged(spec)
        .iter()
        .map(|(key, svc)| format!(r#"--arg {key} "${}""#, image_var(svc)))
        .collect();
    // A service whose image job did not run (its files did not change) keeps what it runs.
    c.push(format!("current=$({}) || current='{{}}'", tool.output_json("images")));
    c.push(format!(
        r#"images=$(jq -cn --argjson current "$current" {} '$current + ($ARGS.named | with_entries(select(.value != "@")))')"#,
        args.join(" ")
    ));
    if revisions(spec) {
        // Every request pinned to the serving revision first, so the apply's new revision
        // starts with none; the first deploy has nothing to pin.
        c.push(shift_traffic(spec.strategy));
        c.push(format!(
            "region=$({} 2>/dev/null) || region=''",
            tool.output_raw("region")
        ));
        for svc in web(spec) {
            let r = rid(svc);
            c.push(format!(
                "service=$({} 2>/dev/null) || service=''",
                tool.output_raw(&format!("{r}_service"))
            ));
            c.push(format!(
                r#"old_{r}=''; if [ -n "$service" ]; then old_{r}=$(gcloud run services describe "$service" --region "$region" --format='value(status.latestReadyRevisionName)' 2>/dev/null) || old_{r}=''; fi"#
            ));
            c.push(format!(
                r#"if [ -n "$old_{r}" ]; then gcloud run services update-traffic "$service" --region "$region" --to-revisions "$old_{r}=100" --quiet; fi"#
            ));
        }
    }
    c.extend(tool.plan(environment, "$images"));
    c.push(if tool.pulumi {
        "pulumi up --yes --non-interactive --skip-preview --color never".into()
    } else {
        "tf apply -input=false -lock-timeout=10m plan.bin".into()
    });
    c.push(format!("region=$({})", tool.output_raw("region")));
    let exposed = exposed(spec);
    for svc in web(spec) {
        let r = rid(svc);
        c.push(format!("service=$({})", tool.output_raw(&format!("{r}_service"))));
        c.push(r#"ready=$(gcloud run services describe "$service" --region "$region" --format='value(status.latestReadyRevisionName)')"#.into());
        c.push(r#"created=$(gcloud run services describe "$service" --region "$region" --format='value(status.latestCreatedRevisionName)')"#.into());
        c.push(format!(
            r#"if [ -z "$ready" ] || [ "$ready" != "$created" ]; then echo "::error::Cloud Run kept {name} on $ready: its new revision $created never passed its startup probe (docs/gcp.md)"; exit 1; fi"#,
            name = svc.name
        ));
        if revisions(spec) {
            let path = svc
                .readiness_path
                .as_deref()
                .or(svc.health_path.as_deref())
                .unwrap_or("/");
            // Behind the load balancer the run.app address refuses every request: the startup
            // probe above is the check before the move.
            let public = if exposed.iter().any(|(n, _)| *n == crate::kube::name_of(&svc.name)) {
                "no"
            } else {
                "yes"
            };
            c.push(format!(
                r#"shift_traffic "$service" "$region" "$old_{r}" "$created" {path} {public}"#
            ));
        }
    }
    c
}
