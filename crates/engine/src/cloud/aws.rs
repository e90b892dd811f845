//! AWS in Terraform: what the deployment spec needs, as plain resources.
//!
//! Two stacks. `infra/aws/bootstrap/` holds what the account shares between environments and
//! must exist before anything else: the bucket the other stack keeps its state in, the image
//! repositories, GitHub's OIDC provider and the pipeline's two roles (one that plans on pull
//! requests, one that applies from the deploy environment), each trusting exactly the subject
//! the workflow presents. `infra/aws/` is one environment (its state key and `environment`
//! variable name it): a VPC over two zones with private subnets for everything but the load
//! balancer, ECS on Fargate behind an HTTPS load balancer (the certificate from ACM, validated
//! in the person's Route 53 zone), RDS and ElastiCache for the backing services the code uses,
//! Secrets Manager entries (empty: the person fills them) for the secrets it reads, EFS for a
//! service that keeps data, one KMS key, logs with a retention, and autoscaling.
//!
//! Databases are safe by default where the registry modules are not: encrypted, private,
//! deletion protection on, automated backups kept for the spec's days (which is also the
//! point-in-time window), not deleted with the instance, a final snapshot, and a copy to a
//! second region when the spec names one.

use hcl::{Block, BlockBuilder, Expression};

use super::cost::{self, Estimate};
use super::tf::{data, file, obj, plan_to_summary, res, st, strs, validation, variable, versions};
use super::{CloudNode, Generated};
use crate::generate::Artifact;
use crate::kube::{hosts, name_of, ImageFacts};
use crate::pipeline::Requirement;
use crate::spec::{CloudSpec, DeploySpec, ServiceSpec};
use crate::write::hcl::{expr, HclFile};

/// The folder of the environment's stack.
pub const DIR: &str = "infra/aws";
/// The folder of the account's shared stack.
pub const BOOTSTRAP: &str = "infra/aws/bootstrap";

pub(super) const HEADER: &str = "Written by Slipway from the project's deployment spec. Plan before applying:\nterraform plan shows every resource this creates (docs/aws.md says in what order).";

fn tags(name: &str) -> Expression {
    obj([("Name", expr(&format!("\"${{local.name}}-{name}\"")))])
}

/// An IAM policy document statement.
pub(super) fn statement(sid: &str, actions: &[&str], resources: Expression) -> Block {
    Block::builder("statement")
        .add_attribute(("sid", sid))
        .add_attribute(("actions", strs(actions.iter().copied())))
        .add_attribute(("resources", resources))
        .build()
}

/// The database engine a service's backing services need, with its port and family.
pub(super) struct Engine {
    pub(super) id: &'static str,
    pub(super) label: &'static str,
    pub(super) engine: &'static str,
    pub(super) version: &'static str,
    pub(super) family: &'static str,
    pub(super) port: u16,
    pub(super) logs: &'static [&'static str],
    pub(super) ssl: (&'static str, &'static str),
}

/// The database engines the services' backing services need, each once.
pub(super) fn engines(spec: &DeploySpec) -> Vec<Engine> {
    let mut ids: Vec<&str> = Vec::new();
    for svc in tasks(spec) {
        for b in &svc.backing_services {
            if let Some(e) = engine_of(b) {
                if !ids.contains(&e.id) {
                    ids.push(e.id);
                }
            }
        }
    }
    ids.into_iter().filter_map(engine_of).collect()
}

fn engine_of(backing: &str) -> Option<Engine> {
    match backing {
        "postgres" => Some(Engine {
            id: "postgres",
            label: "PostgreSQL",
            engine: "postgres",
            version: "17",
            family: "postgres17",
            port: 5432,
            logs: &["postgresql", "upgrade"],
            ssl: ("rds.force_ssl", "1"),
        }),
        "mysql" | "mariadb" => Some(Engine {
            id: "mysql",
            label: "MySQL",
            engine: "mysql",
            version: "8.4",
            family: "mysql8.4",
            port: 3306,
            logs: &["error", "slowquery"],
            ssl: ("require_secure_transport", "1"),
        }),
        _ => None,
    }
}

/// The project's name as AWS resources carry it.
pub fn project(spec: &DeploySpec) -> String {
    name_of(&spec.kube.namespace)
}

/// The image repository a service's images go to: the git repository's name, and the
/// service's below it in a monorepo (the pipeline pushes to the same name).
pub fn repository(spec: &DeploySpec, svc: &ServiceSpec, remote: Option<&str>) -> String {
    let base = super::repository_of(remote)
        .and_then(|r| r.rsplit('/').next().map(str::to_lowercase))
        .unwrap_or_else(|| project(spec));
    if svc.image_name.is_empty() {
        base
    } else {
        format!("{base}/{}", name_of(&svc.image_name))
    }
}

/// The subject GitHub presents for a job: in an environment, `environment:<name>`; on a pull
/// request, `pull_request`. AWS's trust policy must name it exactly.
pub fn oidc_subject(repo: &str, environment: Option<&str>) -> String {
    match environment {
        Some(e) => format!("repo:{repo}:environment:{e}"),
        None => format!("repo:{repo}:pull_request"),
    }
}

/// The subject a job on a push to `branch` presents, outside any environment.
pub fn push_subject(repo: &str, branch: &str) -> String {
    format!("repo:{repo}:ref:refs/heads/{branch}")
}

/// Services that answer on a port behind the load balancer.
pub(super) fn web(spec: &DeploySpec) -> Vec<&ServiceSpec> {
    spec.services
        .iter()
        .filter(|s| s.kind != "worker" && s.kind != "static" && s.port.is_some())
        .collect()
}

/// The hosts the load balancer answers for, by service: those of the services behind it (a
/// static site's host is left for its CDN, never sent to another service).
pub(super) fn exposed(spec: &DeploySpec) -> Vec<(String, String)> {
    let behind: Vec<String> = web(spec).iter().map(|s| name_of(&s.name)).collect();
    hosts(spec)
        .into_iter()
        .filter(|(name, _)| behind.contains(name))
        .collect()
}

/// Services that run as ECS tasks (static sites are left out: they belong in a bucket behind
/// a CDN, which this family does not write yet).
pub(super) fn tasks(spec: &DeploySpec) -> Vec<&ServiceSpec> {
    spec.services.iter().filter(|s| s.kind != "static").collect()
}

/// The AWS stacks for `spec`.
pub fn generate(spec: &DeploySpec, cloud: &CloudSpec, images: &[ImageFacts], remote: Option<&str>) -> Generated {
    if tasks(spec).is_empty() {
        return super::site::generate(spec, cloud, remote);
    }
    let mut g = Generated::default();
    let project = project(spec);
    let repo = super::repository_of(remote);
    let engines = engines(spec);
    let redis = tasks(spec)
        .iter()
        .any(|s| s.backing_services.iter().any(|b| b == "redis"));
    let keeps_data = tasks(spec).iter().any(|s| s.data_path.is_some());

    g.artifacts
        .push(bootstrap(spec, cloud, &project, repo.as_deref(), remote));
    g.artifacts.extend(stack(
        spec, cloud, &project, images, remote, &engines, redis, keeps_data,
    ));
    g.cost = estimate(spec, cloud, &engines, redis, keeps_data);
    g.picture = picture(spec, cloud, &engines, redis);
    // The static sites beside the services, in their buckets behind CloudFront.
    if super::site::any_in_bucket(spec) {
        g.cost.lines.extend(super::site::estimate(spec).lines);
    }
    g.picture.extend(super::site::picture(spec));
    g.requirements = requirements(spec, cloud, &project, repo.as_deref(), false);
    g.artifacts.push(Artifact {
        path: "docs/aws.md".into(),
        content: runbook(
            spec,
            cloud,
            &project,
            repo.as_deref(),
            &engines,
            redis,
            keeps_data,
            &g.cost,
            false,
        ),
        purpose:
            "the order to apply in, the secrets to fill, the pipeline's identities, backups and restores, the cost"
                .into(),
        step: "cloud".into(),
    });
    g
}

/// The account's shared stack: state bucket, image repositories, OIDC provider, CI roles.
pub(super) fn bootstrap(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    project: &str,
    repo: Option<&str>,
    remote: Option<&str>,
) -> Artifact {
    // A static site ships files, not images: no repositories, no push role, and a deploy role
    // that may touch the site's buckets and distributions only.
    let sites = tasks(spec).is_empty();
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe account's shared stack, applied once by a person with administrator rights, before the\nenvironment's stack: the state bucket{}and the pipeline's identities.\nIts own state stays local (terraform.tfstate here); docs/aws.md says how to move it into the bucket.",
        if sites { " " } else { ", the image repositories, " }
    ));
    f.block(versions(&[("aws", "hashicorp/aws", crate::knowledge::AWS_PROVIDER)]));
    f.block(provider(
        None,
        obj([("Project", st(project)), ("ManagedBy", st("terraform"))]),
    ));
    f.block(
        variable(
            "region",
            "string",
            "The region the state bucket and the repositories are in.",
            Some(st(&cloud.region)),
        )
        .build(),
    );
    f.block(
        variable(
            "state_bucket",
            "string",
            "The state bucket's name; bucket names are global, so change it here and in ../backend.tf if it is taken.",
            Some(st(format!("{project}-terraform-state"))),
        )
        .build(),
    );
    f.block(
        variable(
            "github_repository",
            "string",
            "owner/repository on GitHub: the only repository whose workflows may take the pipeline's roles.",
            Some(st(repo.unwrap_or("OWNER/REPOSITORY"))),
        )
        .add_block(validation(
            "can(regex(\"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$\", var.github_repository))",
            "github_repository must be owner/repository.",
        ))
        .build(),
    );
    f.block(
        variable(
            "create_github_oidc_provider",
            "bool",
            "False when the account already has GitHub's OIDC provider (an account holds one per URL).",
            Some(Expression::Bool(true)),
        )
        .build(),
    );

    state_store(
        &mut f,
        project,
        if sites {
            "The key of the state; the account's IAM policies decide who may use it."
        } else {
            "The key of the state and the images; the account's IAM policies decide who may use it."
        },
        if sites {
            "Terraform state"
        } else {
            "Terraform state and image repositories"
        },
    );

    // Image repositories: tags never move, images are scanned, old ones expire.
    for svc in tasks(spec) {
        let id = name_of(&svc.name);
        let name = repository(spec, svc, remote);
        f.commented(
            format!(
                "{}'s images; the pipeline pushes each build here and deploys it by digest.",
                svc.name
            ),
            res("aws_ecr_repository", &id)
                .add_attribute(("name", name.as_str()))
                .add_attribute(("image_tag_mutability", "IMMUTABLE"))
                .add_block(
                    Block::builder("image_scanning_configuration")
                        .add_attribute(("scan_on_push", true))
                        .build(),
                )
                .add_block(
                    Block::builder("encryption_configuration")
                        .add_attribute(("encryption_type", "KMS"))
                        .add_attribute(("kms_key", expr("aws_kms_key.state.arn")))
                        .build(),
                )
                .build(),
        );
        f.block(
            res("aws_ecr_lifecycle_policy", &id)
                .add_attribute(("repository", expr(&format!("aws_ecr_repository.{id}.name"))))
                .add_attribute((
                    "policy",
                    expr(
                        "jsonencode({ rules = [{ rulePriority = 1, description = \"Keep the last 50 images\", selection = { tagStatus = \"any\", countType = \"imageCountMoreThan\", countNumber = 50 }, action = { type = \"expire\" } }] })",
                    ),
                ))
                .build(),
        );
    }

    // The pipeline's identities.
    f.commented(
        "GitHub's OIDC provider: workflows get short-lived credentials; no access key exists anywhere.",
        res("aws_iam_openid_connect_provider", "github")
            .add_attribute(("count", expr("var.create_github_oidc_provider ? 1 : 0")))
            .add_attribute(("url", "https://token.actions.githubusercontent.com"))
            .add_attribute(("client_id_list", strs(["sts.amazonaws.com"])))
            .build(),
    );
    f.block(
        data("aws_iam_openid_connect_provider", "github")
            .add_attribute(("url", "https://token.actions.githubusercontent.com"))
            .add_attribute(("depends_on", expr("[aws_iam_openid_connect_provider.github]")))
            .build(),
    );
    let production = spec.production().to_string();
    let deploy_subjects: Vec<String> = spec
        .environments
        .iter()
        .map(|e| format!("repo:${{var.github_repository}}:environment:{}", e.name))
        .collect();
    for (role, subjects, why) in [
        (
            "plan",
            vec!["repo:${var.github_repository}:pull_request".to_string()],
            "plans on pull requests: reads the account and the state, changes nothing",
        ),
        (
            "push",
            vec![format!(
                "repo:${{var.github_repository}}:ref:refs/heads/{}",
                spec.branch
            )],
            "pushes the images the deploy branch builds, to these repositories and nowhere else",
        ),
        (
            "deploy",
            deploy_subjects,
            if sites {
                "applies the environment's stack and uploads the sites from the deploy environments"
            } else {
                "applies the environment's stack from the deploy environments"
            },
        ),
    ] {
        if sites && role == "push" {
            continue;
        }
        let subjects_expr = Expression::Array(subjects.iter().map(|s| expr(&format!("\"{s}\""))).collect());
        f.block(
            data("aws_iam_policy_document", &format!("{role}_trust"))
                .add_block(
                    Block::builder("statement")
                        .add_attribute(("actions", strs(["sts:AssumeRoleWithWebIdentity"])))
                        .add_block(
                            Block::builder("principals")
                                .add_attribute(("type", "Federated"))
                                .add_attribute((
                                    "identifiers",
                                    expr("[data.aws_iam_openid_connect_provider.github.arn]"),
                                ))
                                .build(),
                        )
                        .add_block(
                            Block::builder("condition")
                                .add_attribute(("test", "StringEquals"))
                                .add_attribute(("variable", "token.actions.githubusercontent.com:aud"))
                                .add_attribute(("values", strs(["sts.amazonaws.com"])))
                                .build(),
                        )
                        .add_block(
                            Block::builder("condition")
                                .add_attribute(("test", "StringEquals"))
                                .add_attribute(("variable", "token.actions.githubusercontent.com:sub"))
                                .add_attribute(("values", subjects_expr))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        );
        f.commented(
            format!("The pipeline's {role} role: {why}."),
            res("aws_iam_role", &format!("ci_{role}"))
                .add_attribute(("name", format!("{project}-ci-{role}")))
                .add_attribute((
                    "assume_role_policy",
                    expr(&format!("data.aws_iam_policy_document.{role}_trust.json")),
                ))
                .add_attribute(("max_session_duration", 3600))
                .build(),
        );
    }
    f.block(
        res("aws_iam_role_policy_attachment", "ci_plan_read")
            .add_attribute(("role", expr("aws_iam_role.ci_plan.name")))
            .add_attribute(("policy_arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"))
            .build(),
    );
    f.commented(
        "Both roles read the state; only the deploy role writes it, and the plan role takes the lock\nfile (a plan locks the state while it reads).",
        data("aws_iam_policy_document", "ci_state")
            .add_block(statement("ListState", &["s3:ListBucket"], expr("[aws_s3_bucket.state.arn]")))
            .add_block(statement(
                "ReadWriteState",
                &["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                expr("[\"${aws_s3_bucket.state.arn}/*\"]"),
            ))
            .add_block(statement(
                "StateKey",
                &["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                expr("[aws_kms_key.state.arn]"),
            ))
            .build(),
    );
    for role in ["plan", "deploy"] {
        f.block(
            res("aws_iam_role_policy", &format!("ci_{role}_state"))
                .add_attribute(("name", "terraform-state"))
                .add_attribute(("role", expr(&format!("aws_iam_role.ci_{role}.id"))))
                .add_attribute(("policy", expr("data.aws_iam_policy_document.ci_state.json")))
                .build(),
        );
    }
    if sites {
        super::site::deploy_policy(&mut f, project);
    } else {
        let repos: Vec<String> = tasks(spec)
            .iter()
            .map(|s| format!("aws_ecr_repository.{}.arn", name_of(&s.name)))
            .collect();
        f.commented(
            format!(
                "What the push role may do: sign in and push to these repositories; it reads no state and applies\nnothing, so a build that is not yet deployed holds no power over {production}."
            ),
            data("aws_iam_policy_document", "ci_push")
                .add_block(statement("Login", &["ecr:GetAuthorizationToken"], strs(["*"])))
                .add_block(statement(
                    "Push",
                    &[
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:CompleteLayerUpload",
                        "ecr:InitiateLayerUpload",
                        "ecr:PutImage",
                        "ecr:UploadLayerPart",
                    ],
                    expr(&format!("[{}]", repos.join(", "))),
                ))
                .build(),
        );
        f.block(
            res("aws_iam_role_policy", "ci_push_images")
                .add_attribute(("name", "push-images"))
                .add_attribute(("role", expr("aws_iam_role.ci_push.id")))
                .add_attribute(("policy", expr("data.aws_iam_policy_document.ci_push.json")))
                .build(),
        );
        f.commented(
            "Applying the environment's stack creates networks, load balancers, databases and roles: the\ndeploy role gets PowerUserAccess for those, and IAM only for the roles and instance profiles\nnamed after the project, so it can never grant itself more.",
            res("aws_iam_role_policy_attachment", "ci_deploy_power")
                .add_attribute(("role", expr("aws_iam_role.ci_deploy.name")))
                .add_attribute(("policy_arn", "arn:aws:iam::aws:policy/PowerUserAccess"))
                .build(),
        );
        f.block(
            data("aws_iam_policy_document", "ci_iam")
                .add_block(statement(
                    "ProjectRoles",
                    &[
                        "iam:AttachRolePolicy",
                        "iam:CreateRole",
                        "iam:DeleteRole",
                        "iam:DeleteRolePolicy",
                        "iam:DetachRolePolicy",
                        "iam:GetRole",
                        "iam:GetRolePolicy",
                        "iam:ListAttachedRolePolicies",
                        "iam:ListInstanceProfilesForRole",
                        "iam:ListRolePolicies",
                        "iam:PassRole",
                        "iam:PutRolePolicy",
                        "iam:TagRole",
                        "iam:UntagRole",
                        "iam:UpdateAssumeRolePolicy",
                    ],
                    expr(&format!(
                        "[\"arn:aws:iam::${{data.aws_caller_identity.current.account_id}}:role/{project}-*\"]"
                    )),
                ))
                .add_block(statement(
                    "ServiceLinkedRoles",
                    &["iam:CreateServiceLinkedRole"],
                    expr("[\"arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/*\"]"),
                ))
                .build(),
        );
        f.block(data("aws_caller_identity", "current").build());
        f.block(
            res("aws_iam_role_policy", "ci_deploy_iam")
                .add_attribute(("name", "project-roles"))
                .add_attribute(("role", expr("aws_iam_role.ci_deploy.id")))
                .add_attribute(("policy", expr("data.aws_iam_policy_document.ci_iam.json")))
                .build(),
        );
    }
    for (name, value, description) in [
        (
            "state_bucket",
            "aws_s3_bucket.state.id",
            "The state bucket: ../backend.tf names it.",
        ),
        (
            "plan_role_arn",
            "aws_iam_role.ci_plan.arn",
            "AWS_PLAN_ROLE_ARN, a GitHub Actions variable.",
        ),
        (
            "push_role_arn",
            "aws_iam_role.ci_push.arn",
            "AWS_ROLE_ARN, a GitHub Actions variable: the image jobs push with it.",
        ),
        (
            "deploy_role_arn",
            "aws_iam_role.ci_deploy.arn",
            "AWS_DEPLOY_ROLE_ARN, a GitHub Actions variable.",
        ),
    ] {
        if sites && name == "push_role_arn" {
            continue;
        }
        f.block(
            Block::builder("output")
                .add_label(name)
                .add_attribute(("description", description))
                .add_attribute(("value", expr(value)))
                .build(),
        );
    }
    if !sites {
        f.block(
            Block::builder("output")
                .add_label("repositories")
                .add_attribute(("description", "The image repositories, by service."))
                .add_attribute((
                    "value",
                    obj(tasks(spec).iter().map(|s| {
                        let id = name_of(&s.name);
                        let url = expr(&format!("aws_ecr_repository.{id}.repository_url"));
                        (id, url)
                    })),
                ))
                .build(),
        );
    }
    file(
        format!("{BOOTSTRAP}/main.tf"),
        &f,
        if sites {
            "the account's shared part: the state bucket and the pipeline's OIDC roles"
        } else {
            "the account's shared part: the state bucket, the image repositories, and the pipeline's OIDC roles"
        },
    )
}

/// The state bucket the environment stacks keep their state in, and the KMS key that encrypts
/// it (`key_note` its comment, `key_holds` what its description says it encrypts).
pub(super) fn state_store(f: &mut HclFile, project: &str, key_note: &str, key_holds: &str) {
    // State: versioned, encrypted, private, reachable over TLS only, never destroyed by Terraform.
    f.commented(
        "The bucket the environment stacks keep their state in; Terraform 1.11's lock file in the same\nbucket is the lock (no DynamoDB table, which is deprecated for this).",
        res("aws_s3_bucket", "state")
            .add_attribute(("bucket", expr("var.state_bucket")))
            .add_block(
                Block::builder("lifecycle")
                    .add_attribute(("prevent_destroy", true))
                    .build(),
            )
            .build(),
    );
    f.block(
        res("aws_s3_bucket_versioning", "state")
            .add_attribute(("bucket", expr("aws_s3_bucket.state.id")))
            .add_block(
                Block::builder("versioning_configuration")
                    .add_attribute(("status", "Enabled"))
                    .build(),
            )
            .build(),
    );
    f.block(account_key_policy("state_key"));
    f.commented(
        key_note,
        res("aws_kms_key", "state")
            .add_attribute(("description", format!("{project}: {key_holds}")))
            .add_attribute(("enable_key_rotation", true))
            .add_attribute(("deletion_window_in_days", 30))
            .add_attribute(("policy", expr("data.aws_iam_policy_document.state_key.json")))
            .build(),
    );
    f.block(
        res("aws_s3_bucket_server_side_encryption_configuration", "state")
            .add_attribute(("bucket", expr("aws_s3_bucket.state.id")))
            .add_block(
                Block::builder("rule")
                    .add_block(
                        Block::builder("apply_server_side_encryption_by_default")
                            .add_attribute(("sse_algorithm", "aws:kms"))
                            .add_attribute(("kms_master_key_id", expr("aws_kms_key.state.arn")))
                            .build(),
                    )
                    .add_attribute(("bucket_key_enabled", true))
                    .build(),
            )
            .build(),
    );
    f.block(public_access_block("state", "aws_s3_bucket.state.id"));
    f.block(
        data("aws_iam_policy_document", "state_tls")
            .add_block(
                Block::builder("statement")
                    .add_attribute(("sid", "TlsOnly"))
                    .add_attribute(("effect", "Deny"))
                    .add_attribute(("actions", strs(["s3:*"])))
                    .add_attribute((
                        "resources",
                        expr("[aws_s3_bucket.state.arn, \"${aws_s3_bucket.state.arn}/*\"]"),
                    ))
                    .add_block(
                        Block::builder("principals")
                            .add_attribute(("type", "*"))
                            .add_attribute(("identifiers", strs(["*"])))
                            .build(),
                    )
                    .add_block(
                        Block::builder("condition")
                            .add_attribute(("test", "Bool"))
                            .add_attribute(("variable", "aws:SecureTransport"))
                            .add_attribute(("values", strs(["false"])))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    f.block(
        res("aws_s3_bucket_policy", "state")
            .add_attribute(("bucket", expr("aws_s3_bucket.state.id")))
            .add_attribute(("policy", expr("data.aws_iam_policy_document.state_tls.json")))
            .build(),
    );
    f.block(
        res("aws_s3_bucket_lifecycle_configuration", "state")
            .add_attribute(("bucket", expr("aws_s3_bucket.state.id")))
            .add_block(
                Block::builder("rule")
                    .add_attribute(("id", "old-state-versions"))
                    .add_attribute(("status", "Enabled"))
                    .add_block(Block::builder("filter").build())
                    .add_block(
                        Block::builder("noncurrent_version_expiration")
                            .add_attribute(("noncurrent_days", 90))
                            .build(),
                    )
                    .add_block(
                        Block::builder("abort_incomplete_multipart_upload")
                            .add_attribute(("days_after_initiation", 7))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
}

/// An AWS provider that tags everything it creates with `tags`: the default one, in
/// `var.region`, or with `alias` the one named so, in its own region.
pub(super) fn provider(alias: Option<(&str, Expression)>, tags: Expression) -> Block {
    let mut b = Block::builder("provider").add_label("aws");
    b = match alias {
        Some((name, region)) => b.add_attribute(("alias", name)).add_attribute(("region", region)),
        None => b.add_attribute(("region", expr("var.region"))),
    };
    b.add_block(Block::builder("default_tags").add_attribute(("tags", tags)).build())
        .build()
}

/// The policy of a KMS key only this account may use (its IAM policies decide who).
pub(super) fn account_key_policy(id: &str) -> Block {
    data("aws_iam_policy_document", id)
        .add_block(
            Block::builder("statement")
                .add_attribute(("sid", "Account"))
                .add_attribute(("actions", strs(["kms:*"])))
                .add_attribute(("resources", strs(["*"])))
                .add_block(
                    Block::builder("principals")
                        .add_attribute(("type", "AWS"))
                        .add_attribute((
                            "identifiers",
                            expr("[\"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root\"]"),
                        ))
                        .build(),
                )
                .build(),
        )
        .build()
}

pub(super) fn public_access_block(name: &str, bucket: &str) -> Block {
    res("aws_s3_bucket_public_access_block", name)
        .add_attribute(("bucket", expr(bucket)))
        .add_attribute(("block_public_acls", true))
        .add_attribute(("block_public_policy", true))
        .add_attribute(("ignore_public_acls", true))
        .add_attribute(("restrict_public_buckets", true))
        .build()
}

/// versions.tf and backend.tf of the environment's stack: the pinned provider, and the state in
/// the bootstrap's bucket, one key per environment, locked by its lock file.
pub(super) fn versions_and_backend(cloud: &CloudSpec, project: &str, production: &str) -> Vec<Artifact> {
    let mut out = Vec::new();
    let mut f = HclFile::new(HEADER);
    f.block(versions(&[("aws", "hashicorp/aws", crate::knowledge::AWS_PROVIDER)]));
    out.push(file(
        format!("{DIR}/versions.tf"),
        &f,
        "the Terraform and AWS provider versions it was written for",
    ));
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe state lives in the bucket the bootstrap stack creates, one key per environment: the\npipeline passes -backend-config=\"key={project}/<environment>/terraform.tfstate\" for each."
    ));
    f.block(
        Block::builder("terraform")
            .add_block(
                Block::builder("backend")
                    .add_label("s3")
                    .add_attribute(("bucket", format!("{project}-terraform-state")))
                    .add_attribute(("key", format!("{project}/{production}/terraform.tfstate")))
                    .add_attribute(("region", cloud.region.as_str()))
                    .add_attribute(("encrypt", true))
                    .add_attribute(("use_lockfile", true))
                    .build(),
            )
            .build(),
    );
    out.push(file(
        format!("{DIR}/backend.tf"),
        &f,
        "remote state in S3, locked by its lock file, one key per environment",
    ));

    out
}

#[allow(clippy::too_many_arguments)]
fn stack(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    project: &str,
    images: &[ImageFacts],
    remote: Option<&str>,
    engines: &[Engine],
    redis: bool,
    keeps_data: bool,
) -> Vec<Artifact> {
    let mut out = Vec::new();
    let production = spec.production().to_string();
    let web = web(spec);
    let exposed = exposed(spec);

    out.extend(versions_and_backend(cloud, project, &production));

    // providers.tf with the locals every file reads.
    let mut f = HclFile::new(HEADER);
    f.block(provider(None, expr("local.tags")));
    if super::site::any_in_bucket(spec) && spec.host.is_some() {
        f.commented(
            "CloudFront takes certificates from ACM in us-east-1 only, whatever the stack's region.",
            provider(Some(("us_east_1", st("us-east-1"))), expr("local.tags")),
        );
    }
    if let Some(r) = &cloud.backup_region {
        f.commented(
            format!("The second region the database's backups are copied to ({r})."),
            provider(Some(("backup", expr("var.backup_region"))), expr("local.tags")),
        );
    }
    f.block(super::tf::environment_locals("tags", true, "terraform"));
    f.block(
        data("aws_availability_zones", "available")
            .add_attribute(("state", "available"))
            .build(),
    );
    f.block(data("aws_caller_identity", "current").build());
    f.block(data("aws_region", "current").build());
    out.push(file(
        format!("{DIR}/providers.tf"),
        &f,
        "the AWS provider, the tags on every resource, and the names",
    ));

    out.push(variables(spec, cloud, project, engines));

    // network.tf
    out.push(network(cloud));

    out.push(kms_file());

    if !web.is_empty() {
        out.push(load_balancer(spec, &web, &exposed));
    }
    out.push(services(spec, cloud, project, images, remote, engines, redis));
    if !engines.is_empty() {
        out.push(databases(cloud, engines));
    }
    if redis {
        out.push(cache(cloud));
    }
    if keeps_data {
        out.push(storage(spec));
    }
    // The static sites beside the services: their buckets behind CloudFront.
    if super::site::any_in_bucket(spec) {
        out.push(super::site::site_file(spec, true));
        out.extend(super::site::index_function_file(spec));
    }
    out.push(outputs(spec, engines, redis));
    out
}

/// kms.tf: one key for logs, secrets, databases and file systems, which CloudWatch Logs may use
/// for the account's log groups.
pub(super) fn kms_file() -> Artifact {
    let mut f = HclFile::new(HEADER);
    f.block(
        data("aws_iam_policy_document", "key")
            .add_block(
                Block::builder("statement")
                    .add_attribute(("sid", "Account"))
                    .add_attribute(("actions", strs(["kms:*"])))
                    .add_attribute(("resources", strs(["*"])))
                    .add_block(
                        Block::builder("principals")
                            .add_attribute(("type", "AWS"))
                            .add_attribute(("identifiers", expr("[\"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root\"]")))
                            .build(),
                    )
                    .build(),
            )
            .add_block(
                Block::builder("statement")
                    .add_attribute(("sid", "Logs"))
                    .add_attribute((
                        "actions",
                        strs(["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]),
                    ))
                    .add_attribute(("resources", strs(["*"])))
                    .add_block(
                        Block::builder("principals")
                            .add_attribute(("type", "Service"))
                            .add_attribute(("identifiers", expr("[\"logs.${data.aws_region.current.region}.amazonaws.com\"]")))
                            .build(),
                    )
                    .add_block(
                        Block::builder("condition")
                            .add_attribute(("test", "ArnLike"))
                            .add_attribute(("variable", "kms:EncryptionContext:aws:logs:arn"))
                            .add_attribute((
                                "values",
                                expr("[\"arn:aws:logs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:log-group:*\"]"),
                            ))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    f.commented(
        "One key encrypts the logs, the secrets, the database and the file system; it rotates yearly.",
        res("aws_kms_key", "main")
            .add_attribute(("description", expr("\"${local.name}: logs, secrets, databases\"")))
            .add_attribute(("enable_key_rotation", true))
            .add_attribute(("deletion_window_in_days", 30))
            .add_attribute(("policy", expr("data.aws_iam_policy_document.key.json")))
            .build(),
    );
    f.block(
        res("aws_kms_alias", "main")
            .add_attribute(("name", expr("\"alias/${local.name}\"")))
            .add_attribute(("target_key_id", expr("aws_kms_key.main.key_id")))
            .build(),
    );
    file(
        format!("{DIR}/kms.tf"),
        &f,
        "the encryption key for logs, secrets, databases and files",
    )
}

/// The `log_days` variable, checked against the retentions CloudWatch Logs offers.
pub(super) fn log_days_variable(cloud: &CloudSpec, description: &str) -> Block {
    variable(
        "log_days",
        "number",
        description,
        Some(Expression::from(cloud.log_days)),
    )
    .add_block(validation(
        &format!(
            "contains([{}], var.log_days)",
            crate::knowledge::LOG_RETENTION_DAYS
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "log_days must be a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, 365, ...).",
    ))
    .build()
}

/// The `region` variable, checked against the regions AWS has.
pub(super) fn region_variable(cloud: &CloudSpec) -> Block {
    let regions: Vec<String> = crate::knowledge::AWS_REGIONS
        .iter()
        .map(|(r, _)| format!("\"{r}\""))
        .collect();
    variable(
        "region",
        "string",
        "The region everything is created in.",
        Some(st(&cloud.region)),
    )
    .add_block(validation(
        &format!("contains([{}], var.region)", regions.join(", ")),
        "region must be an AWS region, such as us-east-1 or eu-west-1.",
    ))
    .build()
}

fn variables(spec: &DeploySpec, cloud: &CloudSpec, project: &str, engines: &[Engine]) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nEvery value that differs between environments or accounts is a variable with its type, a\ndescription and the checks AWS would otherwise make only halfway through an apply."
    ));
    for b in super::tf::project_and_environment(project, spec) {
        f.block(b);
    }
    f.block(region_variable(cloud));
    if super::site::any_in_bucket(spec) {
        for v in super::site::variables_of_sites() {
            f.block(v);
        }
    }
    if let Some(r) = &cloud.backup_region {
        f.block(
            variable(
                "backup_region",
                "string",
                "A second region the database's backups are copied to.",
                Some(st(r)),
            )
            .add_block(validation(
                "var.backup_region != var.region",
                "backup_region must be another region than region.",
            ))
            .build(),
        );
    }
    f.block(
        variable(
            "images",
            "map(string)",
            "The image each service runs, by service, pinned by digest (repository@sha256:...): the pipeline sets it to what it tested.",
            None,
        )
        .add_block(validation(
            "alltrue([for image in values(var.images) : can(regex(\"@sha256:[a-f0-9]{64}$\", image))])",
            "Each image must be pinned by digest (repository@sha256:...), so the cluster runs exactly what was tested.",
        ))
        .build(),
    );
    f.block(
        variable(
            "settings",
            "map(map(string))",
            "Settings that are not secret, by service: { api = { LOG_LEVEL = \"info\" } }. Secrets go in Secrets Manager (docs/aws.md).",
            Some(obj::<&str>([])),
        )
        .build(),
    );
    if spec.host.is_some() {
        f.block(
            variable(
                "zone_name",
                "string",
                "The Route 53 hosted zone the hosts are in; the certificate is validated there.",
                Some(st(zone_of(spec.host.as_deref().unwrap_or("example.com")))),
            )
            .build(),
        );
    }
    f.block(
        variable("vpc_cidr", "string", "The network's address range; four subnets are cut from it.", Some(st(&cloud.vpc_cidr)))
            .add_block(validation(
                "can(cidrhost(var.vpc_cidr, 0)) && tonumber(split(\"/\", var.vpc_cidr)[1]) >= 16 && tonumber(split(\"/\", var.vpc_cidr)[1]) <= 24",
                "vpc_cidr must be an IPv4 range from /16 to /24, such as 10.0.0.0/16.",
            ))
            .build(),
    );
    f.block(
        variable(
            "task_cpu",
            "number",
            "CPU units per task (1024 is one vCPU).",
            Some(Expression::from(cloud.task_cpu)),
        )
        .add_block(validation(
            "contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)",
            "task_cpu must be a Fargate size: 256, 512, 1024, 2048, 4096, 8192 or 16384.",
        ))
        .build(),
    );
    f.block(
        variable(
            "task_memory",
            "number",
            "Memory per task, MiB; Fargate takes only certain sizes for each CPU size.",
            Some(Expression::from(cloud.task_memory)),
        )
        .add_block(validation(
            "var.task_memory >= 512 && var.task_memory <= 122880",
            "task_memory must be between 512 and 122880 MiB, in a size Fargate takes for task_cpu.",
        ))
        .build(),
    );
    let min = spec.scaling.min_replicas.max(2);
    f.block(
        variable(
            "min_tasks",
            "number",
            "Fewest tasks per service; two keep serving while one is replaced or its zone fails.",
            Some(Expression::from(min)),
        )
        .add_block(validation("var.min_tasks >= 1", "min_tasks must be at least 1."))
        .build(),
    );
    f.block(
        variable(
            "max_tasks",
            "number",
            "Most tasks per service the autoscaler starts.",
            Some(Expression::from(spec.scaling.max_replicas.max(min))),
        )
        .add_block(validation(
            "var.max_tasks >= var.min_tasks",
            "max_tasks must be at least min_tasks.",
        ))
        .build(),
    );
    f.block(
        variable(
            "cpu_target",
            "number",
            "Average CPU use, in percent, the autoscaler holds the tasks at.",
            Some(Expression::from(spec.scaling.cpu_percent)),
        )
        .add_block(validation(
            "var.cpu_target >= 1 && var.cpu_target <= 100",
            "cpu_target must be from 1 to 100.",
        ))
        .build(),
    );
    if web(spec).iter().any(|s| s.data_path.is_none()) {
        f.block(
            variable(
                "requests_per_task",
                "number",
                "Requests a minute each task takes on average before the autoscaler adds one.",
                Some(Expression::from(1000)),
            )
            .add_block(validation(
                "var.requests_per_task >= 1",
                "requests_per_task must be at least 1.",
            ))
            .build(),
        );
    }
    f.block(log_days_variable(cloud, "Days the logs are kept."));
    if !engines.is_empty() {
        f.block(
            variable(
                "db_class",
                "string",
                "The database's instance class.",
                Some(st(&cloud.db_class)),
            )
            .add_block(validation(
                "can(regex(\"^db\\\\.[a-z0-9]+\\\\.[a-z0-9]+$\", var.db_class))",
                "db_class must be an RDS instance class, such as db.t4g.small.",
            ))
            .build(),
        );
        f.block(
            variable(
                "db_storage_gb",
                "number",
                "The database's storage, GiB; it grows by itself up to five times this.",
                Some(Expression::from(cloud.db_storage_gb)),
            )
            .add_block(validation(
                "var.db_storage_gb >= 20 && var.db_storage_gb <= 65536",
                "db_storage_gb must be from 20 to 65536.",
            ))
            .build(),
        );
        f.block(
            variable(
                "backup_days",
                "number",
                "Days of automated backups; point-in-time recovery reaches back as far.",
                Some(Expression::from(cloud.backup_days)),
            )
            .add_block(validation(
                "var.backup_days >= 1 && var.backup_days <= 35",
                "backup_days must be from 1 to 35: RDS keeps automated backups that long at most, and 0 turns them off.",
            ))
            .build(),
        );
    }
    if !engines.is_empty() || cloud.multi_az {
        f.block(
            variable(
                "multi_az",
                "bool",
                "A standby database (and cache) in a second zone that takes over by itself.",
                Some(Expression::Bool(cloud.multi_az)),
            )
            .build(),
        );
    }
    file(
        format!("{DIR}/variables.tf"),
        &f,
        "every setting, typed, described and checked",
    )
}

/// The zone a host's certificate is validated in: the host without its first label, unless
/// that leaves a top-level domain alone.
pub(super) fn zone_of(host: &str) -> String {
    let host = host.trim_start_matches("*.");
    match host.split_once('.') {
        Some((_, rest)) if rest.contains('.') => rest.to_string(),
        _ => host.to_string(),
    }
}

pub(super) fn network(cloud: &CloudSpec) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe network: two zones, each with a public subnet (the load balancer and the NAT gateway)\nand a private one (tasks, databases, caches). One NAT gateway keeps the cost down; its zone\nfailing cuts the tasks' way out (not the way in) until it is back."
    ));
    let _ = cloud;
    f.block(
        res("aws_vpc", "main")
            .add_attribute(("cidr_block", expr("var.vpc_cidr")))
            .add_attribute(("enable_dns_support", true))
            .add_attribute(("enable_dns_hostnames", true))
            .add_attribute(("tags", tags("vpc")))
            .build(),
    );
    f.commented(
        "No rules: nothing may use the default security group.",
        res("aws_default_security_group", "default")
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .build(),
    );
    f.block(
        res("aws_internet_gateway", "main")
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .add_attribute(("tags", tags("igw")))
            .build(),
    );
    for (kind, offset, public) in [("public", 0, true), ("private", 2, false)] {
        f.block(
            res("aws_subnet", kind)
                .add_attribute(("count", 2))
                .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
                .add_attribute((
                    "cidr_block",
                    expr(&format!("cidrsubnet(var.vpc_cidr, 4, count.index + {offset})")),
                ))
                .add_attribute((
                    "availability_zone",
                    expr("data.aws_availability_zones.available.names[count.index]"),
                ))
                .add_attribute(("map_public_ip_on_launch", false))
                .add_attribute((
                    "tags",
                    obj([
                        ("Name", expr(&format!("\"${{local.name}}-{kind}-${{count.index}}\""))),
                        ("Tier", st(if public { "public" } else { "private" })),
                    ]),
                ))
                .build(),
        );
    }
    f.block(
        res("aws_eip", "nat")
            .add_attribute(("domain", "vpc"))
            .add_attribute(("tags", tags("nat")))
            .build(),
    );
    f.block(
        res("aws_nat_gateway", "main")
            .add_attribute(("allocation_id", expr("aws_eip.nat.id")))
            .add_attribute(("subnet_id", expr("aws_subnet.public[0].id")))
            .add_attribute(("tags", tags("nat")))
            .add_attribute(("depends_on", expr("[aws_internet_gateway.main]")))
            .build(),
    );
    for (kind, target) in [
        ("public", "gateway_id = aws_internet_gateway.main.id"),
        ("private", "nat_gateway_id = aws_nat_gateway.main.id"),
    ] {
        let (key, value) = target.split_once(" = ").unwrap_or_default();
        f.block(
            res("aws_route_table", kind)
                .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
                .add_block(
                    Block::builder("route")
                        .add_attribute(("cidr_block", "0.0.0.0/0"))
                        .add_attribute((key, expr(value)))
                        .build(),
                )
                .add_attribute(("tags", tags(kind)))
                .build(),
        );
        f.block(
            res("aws_route_table_association", kind)
                .add_attribute(("count", 2))
                .add_attribute(("subnet_id", expr(&format!("aws_subnet.{kind}[count.index].id"))))
                .add_attribute(("route_table_id", expr(&format!("aws_route_table.{kind}.id"))))
                .build(),
        );
    }
    f.commented(
        "Every connection's metadata, kept with the logs: what reached what, when, and whether it was refused.",
        res("aws_flow_log", "main")
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .add_attribute(("traffic_type", "ALL"))
            .add_attribute(("log_destination", expr("aws_cloudwatch_log_group.flow.arn")))
            .add_attribute(("iam_role_arn", expr("aws_iam_role.flow.arn")))
            .build(),
    );
    f.block(
        res("aws_cloudwatch_log_group", "flow")
            .add_attribute(("name", expr("\"/vpc/${local.name}\"")))
            .add_attribute(("retention_in_days", expr("var.log_days")))
            .add_attribute(("kms_key_id", expr("aws_kms_key.main.arn")))
            .build(),
    );
    f.block(
        data("aws_iam_policy_document", "flow_trust")
            .add_block(
                Block::builder("statement")
                    .add_attribute(("actions", strs(["sts:AssumeRole"])))
                    .add_block(
                        Block::builder("principals")
                            .add_attribute(("type", "Service"))
                            .add_attribute(("identifiers", strs(["vpc-flow-logs.amazonaws.com"])))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    f.block(
        res("aws_iam_role", "flow")
            .add_attribute(("name", expr("\"${local.name}-flow-logs\"")))
            .add_attribute((
                "assume_role_policy",
                expr("data.aws_iam_policy_document.flow_trust.json"),
            ))
            .build(),
    );
    f.block(
        data("aws_iam_policy_document", "flow")
            .add_block(statement(
                "WriteFlowLogs",
                &["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                expr("[\"${aws_cloudwatch_log_group.flow.arn}:*\"]"),
            ))
            .build(),
    );
    f.block(
        res("aws_iam_role_policy", "flow")
            .add_attribute(("name", "write-flow-logs"))
            .add_attribute(("role", expr("aws_iam_role.flow.id")))
            .add_attribute(("policy", expr("data.aws_iam_policy_document.flow.json")))
            .build(),
    );
    file(
        format!("{DIR}/network.tf"),
        &f,
        "the VPC: two zones, public and private subnets, one NAT gateway, flow logs",
    )
}

/// The hosts' certificate from ACM, validated by DNS records in the Route 53 zone
/// (`var.zone_name`), with the zone's data source; `us_east_1` asks for it in us-east-1 through
/// that provider alias, where CloudFront reads certificates. Nothing when there is no host.
/// `id` names the certificate and its validation (`main` and `validation`, or `<id>` and
/// `<id>_validation`); `zone` declares the zone's data source (false when another file has).
pub(super) fn certificate(f: &mut HclFile, hostnames: &[String], us_east_1: Option<&str>, id: &str, zone: bool) {
    let Some(first) = hostnames.first() else {
        return;
    };
    if zone {
        f.block(
            data("aws_route53_zone", "main")
                .add_attribute(("name", expr("var.zone_name")))
                .add_attribute(("private_zone", false))
                .build(),
        );
    }
    let records = if id == "main" {
        "validation".to_string()
    } else {
        format!("{id}_validation")
    };
    let in_us_east_1 = |b: BlockBuilder| match us_east_1 {
        Some(_) => b.add_attribute(("provider", expr("aws.us_east_1"))),
        None => b,
    };
    let mut cert = in_us_east_1(res("aws_acm_certificate", id))
        .add_attribute(("domain_name", first.as_str()))
        .add_attribute(("validation_method", "DNS"));
    if hostnames.len() > 1 {
        cert = cert.add_attribute((
            "subject_alternative_names",
            strs(hostnames[1..].iter().map(String::as_str)),
        ));
    }
    let cert = cert
        .add_block(
            Block::builder("lifecycle")
                .add_attribute(("create_before_destroy", true))
                .build(),
        )
        .build();
    match us_east_1 {
        Some(note) => f.commented(note, cert),
        None => f.block(cert),
    };
    f.block(
        res("aws_route53_record", &records)
            .add_attribute((
                "for_each",
                expr(&format!(
                    "{{ for o in aws_acm_certificate.{id}.domain_validation_options : o.domain_name => o }}"
                )),
            ))
            .add_attribute(("zone_id", expr("data.aws_route53_zone.main.zone_id")))
            .add_attribute(("name", expr("each.value.resource_record_name")))
            .add_attribute(("type", expr("each.value.resource_record_type")))
            .add_attribute(("records", expr("[each.value.resource_record_value]")))
            .add_attribute(("ttl", 300))
            .add_attribute(("allow_overwrite", true))
            .build(),
    );
    f.block(
        in_us_east_1(res("aws_acm_certificate_validation", id))
            .add_attribute(("certificate_arn", expr(&format!("aws_acm_certificate.{id}.arn"))))
            .add_attribute((
                "validation_record_fqdns",
                expr(&format!("[for r in aws_route53_record.{records} : r.fqdn]")),
            ))
            .build(),
    );
}

fn load_balancer(spec: &DeploySpec, web: &[&ServiceSpec], exposed: &[(String, String)]) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe way in: HTTPS on 443 with a certificate from ACM (validated in the Route 53 zone), HTTP on\n80 only to redirect to it, and a target group per service that sends requests only to tasks\nthat answer their readiness path."
    ));
    f.block(
        res("aws_security_group", "alb")
            .add_attribute(("name", expr("\"${local.name}-alb\"")))
            .add_attribute((
                "description",
                "The load balancer: HTTPS and the redirect from HTTP, from anywhere",
            ))
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .add_attribute(("tags", tags("alb")))
            .build(),
    );
    for (name, port, why) in [
        ("https", 443, "HTTPS from anywhere"),
        ("http", 80, "HTTP from anywhere, redirected to HTTPS"),
    ] {
        f.block(
            res("aws_vpc_security_group_ingress_rule", &format!("alb_{name}"))
                .add_attribute(("security_group_id", expr("aws_security_group.alb.id")))
                .add_attribute(("description", why))
                .add_attribute(("cidr_ipv4", "0.0.0.0/0"))
                .add_attribute(("ip_protocol", "tcp"))
                .add_attribute(("from_port", port))
                .add_attribute(("to_port", port))
                .build(),
        );
    }
    for svc in web {
        let id = name_of(&svc.name);
        f.block(
            res(
                "aws_vpc_security_group_egress_rule",
                &format!("alb_to_{}", id.replace('-', "_")),
            )
            .add_attribute(("security_group_id", expr("aws_security_group.alb.id")))
            .add_attribute(("description", format!("To the tasks of {}", svc.name)))
            .add_attribute(("referenced_security_group_id", expr("aws_security_group.tasks.id")))
            .add_attribute(("ip_protocol", "tcp"))
            .add_attribute(("from_port", svc.port.unwrap_or(8080)))
            .add_attribute(("to_port", svc.port.unwrap_or(8080)))
            .build(),
        );
    }
    f.commented(
        "Access logs for every request, kept 90 days; ALB writes them with S3-managed keys only.",
        res("aws_s3_bucket", "alb_logs")
            .add_attribute(("bucket_prefix", expr("\"${local.name}-alb-logs-\"")))
            .add_attribute(("force_destroy", false))
            .build(),
    );
    f.block(public_access_block("alb_logs", "aws_s3_bucket.alb_logs.id"));
    f.block(
        res("aws_s3_bucket_versioning", "alb_logs")
            .add_attribute(("bucket", expr("aws_s3_bucket.alb_logs.id")))
            .add_block(
                Block::builder("versioning_configuration")
                    .add_attribute(("status", "Enabled"))
                    .build(),
            )
            .build(),
    );
    f.block(
        res("aws_s3_bucket_server_side_encryption_configuration", "alb_logs")
            .add_attribute(("bucket", expr("aws_s3_bucket.alb_logs.id")))
            .add_block(
                Block::builder("rule")
                    .add_block(
                        Block::builder("apply_server_side_encryption_by_default")
                            .add_attribute(("sse_algorithm", "AES256"))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    f.block(
        res("aws_s3_bucket_lifecycle_configuration", "alb_logs")
            .add_attribute(("bucket", expr("aws_s3_bucket.alb_logs.id")))
            .add_block(
                Block::builder("rule")
                    .add_attribute(("id", "expire"))
                    .add_attribute(("status", "Enabled"))
                    .add_block(Block::builder("filter").build())
                    .add_block(Block::builder("expiration").add_attribute(("days", 90)).build())
                    .add_block(
                        Block::builder("noncurrent_version_expiration")
                            .add_attribute(("noncurrent_days", 7))
                            .build(),
                    )
                    .add_block(
                        Block::builder("abort_incomplete_multipart_upload")
                            .add_attribute(("days_after_initiation", 7))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    f.block(
        data("aws_iam_policy_document", "alb_logs")
            .add_block(
                Block::builder("statement")
                    .add_attribute(("sid", "LogDelivery"))
                    .add_attribute(("actions", strs(["s3:PutObject"])))
                    .add_attribute(("resources", expr("[\"${aws_s3_bucket.alb_logs.arn}/AWSLogs/${data.aws_caller_identity.current.account_id}/*\"]")))
                    .add_block(
                        Block::builder("principals")
                            .add_attribute(("type", "Service"))
                            .add_attribute(("identifiers", strs(["logdelivery.elasticloadbalancing.amazonaws.com"])))
                            .build(),
                    )
                    .build(),
            )
            .add_block(
                Block::builder("statement")
                    .add_attribute(("sid", "TlsOnly"))
                    .add_attribute(("effect", "Deny"))
                    .add_attribute(("actions", strs(["s3:*"])))
                    .add_attribute(("resources", expr("[aws_s3_bucket.alb_logs.arn, \"${aws_s3_bucket.alb_logs.arn}/*\"]")))
                    .add_block(
                        Block::builder("principals")
                            .add_attribute(("type", "*"))
                            .add_attribute(("identifiers", strs(["*"])))
                            .build(),
                    )
                    .add_block(
                        Block::builder("condition")
                            .add_attribute(("test", "Bool"))
                            .add_attribute(("variable", "aws:SecureTransport"))
                            .add_attribute(("values", strs(["false"])))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    f.block(
        res("aws_s3_bucket_policy", "alb_logs")
            .add_attribute(("bucket", expr("aws_s3_bucket.alb_logs.id")))
            .add_attribute(("policy", expr("data.aws_iam_policy_document.alb_logs.json")))
            .build(),
    );
    f.commented(
        "Deletion protection: removing the load balancer takes a person turning this off first.",
        res("aws_lb", "main")
            .add_attribute(("name", expr("substr(\"${local.name}\", 0, 32)")))
            .add_attribute(("load_balancer_type", "application"))
            .add_attribute(("internal", false))
            .add_attribute(("security_groups", expr("[aws_security_group.alb.id]")))
            .add_attribute(("subnets", expr("aws_subnet.public[*].id")))
            .add_attribute(("drop_invalid_header_fields", true))
            .add_attribute(("desync_mitigation_mode", "defensive"))
            .add_attribute(("enable_deletion_protection", true))
            .add_block(
                Block::builder("access_logs")
                    .add_attribute(("bucket", expr("aws_s3_bucket.alb_logs.id")))
                    .add_attribute(("enabled", true))
                    .build(),
            )
            .add_attribute(("depends_on", expr("[aws_s3_bucket_policy.alb_logs]")))
            .build(),
    );
    // The certificate: every exposed host, validated by DNS in the zone.
    let hostnames: Vec<String> = exposed.iter().map(|(_, h)| h.clone()).collect();
    certificate(&mut f, &hostnames, None, "main", true);
    let default_action = |b: BlockBuilder| -> BlockBuilder {
        if web.len() == 1 {
            b.add_block(
                Block::builder("default_action")
                    .add_attribute(("type", "forward"))
                    .add_attribute((
                        "target_group_arn",
                        expr(&format!("aws_lb_target_group.{}.arn", tg_id(web[0]))),
                    ))
                    .build(),
            )
        } else {
            b.add_block(
                Block::builder("default_action")
                    .add_attribute(("type", "fixed-response"))
                    .add_block(
                        Block::builder("fixed_response")
                            .add_attribute(("content_type", "text/plain"))
                            .add_attribute(("message_body", "Not found"))
                            .add_attribute(("status_code", "404"))
                            .build(),
                    )
                    .build(),
            )
        }
    };
    let https = res("aws_lb_listener", "https")
        .add_attribute(("load_balancer_arn", expr("aws_lb.main.arn")))
        .add_attribute(("port", 443))
        .add_attribute(("protocol", "HTTPS"))
        .add_attribute(("ssl_policy", "ELBSecurityPolicy-TLS13-1-2-2021-06"));
    let https = if hostnames.is_empty() {
        https.add_attribute(("certificate_arn", expr("var.certificate_arn")))
    } else {
        https.add_attribute((
            "certificate_arn",
            expr("aws_acm_certificate_validation.main.certificate_arn"),
        ))
    };
    f.commented("TLS 1.2 and 1.3 only.", default_action(https).build());
    f.block(
        res("aws_lb_listener", "http")
            .add_attribute(("load_balancer_arn", expr("aws_lb.main.arn")))
            .add_attribute(("port", 80))
            .add_attribute(("protocol", "HTTP"))
            .add_block(
                Block::builder("default_action")
                    .add_attribute(("type", "redirect"))
                    .add_block(
                        Block::builder("redirect")
                            .add_attribute(("port", "443"))
                            .add_attribute(("protocol", "HTTPS"))
                            .add_attribute(("status_code", "HTTP_301"))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    for (i, svc) in web.iter().enumerate() {
        let id = name_of(&svc.name);
        let path = svc
            .readiness_path
            .clone()
            .or_else(|| svc.health_path.clone())
            .unwrap_or_else(|| "/".into());
        f.commented(
            format!(
                "{}: a task takes requests once {path} answers, and has 30 s to finish them when it leaves.",
                svc.name
            ),
            res("aws_lb_target_group", &tg_id(svc))
                .add_attribute(("name", expr(&format!("substr(\"${{local.name}}-{id}\", 0, 32)"))))
                .add_attribute(("port", svc.port.unwrap_or(8080)))
                .add_attribute(("protocol", "HTTP"))
                .add_attribute(("target_type", "ip"))
                .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
                .add_attribute(("deregistration_delay", 30))
                .add_block(
                    Block::builder("health_check")
                        .add_attribute(("path", path.as_str()))
                        .add_attribute(("matcher", "200-399"))
                        .add_attribute(("interval", 15))
                        .add_attribute(("timeout", 5))
                        .add_attribute(("healthy_threshold", 2))
                        .add_attribute(("unhealthy_threshold", 3))
                        .build(),
                )
                .build(),
        );
        if web.len() > 1 {
            if let Some((_, host)) = exposed.iter().find(|(n, _)| *n == id) {
                f.block(
                    res("aws_lb_listener_rule", &tg_id(svc))
                        .add_attribute(("listener_arn", expr("aws_lb_listener.https.arn")))
                        .add_attribute(("priority", 100 + i as u32))
                        .add_block(
                            Block::builder("action")
                                .add_attribute(("type", "forward"))
                                .add_attribute((
                                    "target_group_arn",
                                    expr(&format!("aws_lb_target_group.{}.arn", tg_id(svc))),
                                ))
                                .build(),
                        )
                        .add_block(
                            Block::builder("condition")
                                .add_block(
                                    Block::builder("host_header")
                                        .add_attribute(("values", strs([host.as_str()])))
                                        .build(),
                                )
                                .build(),
                        )
                        .build(),
                );
            }
        }
    }
    for (_, host) in exposed {
        let id = host.replace(['.', '*'], "_");
        f.block(
            res("aws_route53_record", &format!("host_{id}"))
                .add_attribute(("zone_id", expr("data.aws_route53_zone.main.zone_id")))
                .add_attribute(("name", host.as_str()))
                .add_attribute(("type", "A"))
                .add_block(
                    Block::builder("alias")
                        .add_attribute(("name", expr("aws_lb.main.dns_name")))
                        .add_attribute(("zone_id", expr("aws_lb.main.zone_id")))
                        .add_attribute(("evaluate_target_health", true))
                        .build(),
                )
                .build(),
        );
    }
    let _ = spec;
    file(
        format!("{DIR}/load-balancer.tf"),
        &f,
        "HTTPS in, with its certificate and DNS records, and a target group per service",
    )
}

fn tg_id(svc: &ServiceSpec) -> String {
    name_of(&svc.name).replace('-', "_")
}

/// A target-tracking policy of service `r`'s scaling target, holding `metric` at `target`: out
/// within 30 s, in after 5 minutes. `policy` ends its name (`api-cpu`).
fn tracking(r: &str, policy: &str, target: &str, metric: BlockBuilder) -> Block {
    let suffix = policy.rsplit('-').next().unwrap_or(policy);
    res("aws_appautoscaling_policy", &format!("{r}_{suffix}"))
        .add_attribute(("name", expr(&format!("\"${{local.name}}-{policy}\""))))
        .add_attribute(("policy_type", "TargetTrackingScaling"))
        .add_attribute((
            "service_namespace",
            expr(&format!("aws_appautoscaling_target.{r}.service_namespace")),
        ))
        .add_attribute((
            "resource_id",
            expr(&format!("aws_appautoscaling_target.{r}.resource_id")),
        ))
        .add_attribute((
            "scalable_dimension",
            expr(&format!("aws_appautoscaling_target.{r}.scalable_dimension")),
        ))
        .add_block(
            Block::builder("target_tracking_scaling_policy_configuration")
                .add_attribute(("target_value", expr(target)))
                .add_attribute(("scale_in_cooldown", 300))
                .add_attribute(("scale_out_cooldown", 30))
                .add_block(metric.build())
                .build(),
        )
        .build()
}

pub(super) fn rid(svc: &ServiceSpec) -> String {
    name_of(&svc.name).replace('-', "_")
}

#[allow(clippy::too_many_arguments)]
fn services(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    project: &str,
    images: &[ImageFacts],
    remote: Option<&str>,
    engines: &[Engine],
    redis: bool,
) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe services, on Fargate in the private subnets: each task runs as the image's own numeric\nuser with a read-only root file system, no Linux capabilities, its secrets read from Secrets\nManager at start, and its logs kept. A deploy that does not become healthy rolls back by itself\n(the circuit breaker), and no task stops before its replacement takes requests."
    ));
    let _ = (project, remote, cloud);
    f.commented(
        "Container Insights: CPU, memory and task counts per service, with the tasks' own metrics.",
        res("aws_ecs_cluster", "main")
            .add_attribute(("name", expr("local.name")))
            .add_block(
                Block::builder("setting")
                    .add_attribute(("name", "containerInsights"))
                    .add_attribute(("value", "enhanced"))
                    .build(),
            )
            .build(),
    );
    f.block(
        res("aws_security_group", "tasks")
            .add_attribute(("name", expr("\"${local.name}-tasks\"")))
            .add_attribute((
                "description",
                "The tasks of the services: requests from the load balancer only",
            ))
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .add_attribute(("tags", tags("tasks")))
            .build(),
    );
    for svc in web(spec) {
        let port = svc.port.unwrap_or(8080);
        f.block(
            res(
                "aws_vpc_security_group_ingress_rule",
                &format!("tasks_from_alb_{}", rid(svc)),
            )
            .add_attribute(("security_group_id", expr("aws_security_group.tasks.id")))
            .add_attribute(("description", format!("{} from the load balancer", svc.name)))
            .add_attribute(("referenced_security_group_id", expr("aws_security_group.alb.id")))
            .add_attribute(("ip_protocol", "tcp"))
            .add_attribute(("from_port", port))
            .add_attribute(("to_port", port))
            .build(),
        );
    }
    f.commented(
        "Out: HTTPS (image pulls, Secrets Manager, AWS APIs, the app's own calls) and the data stores.",
        res("aws_vpc_security_group_egress_rule", "tasks_https")
            .add_attribute(("security_group_id", expr("aws_security_group.tasks.id")))
            .add_attribute(("description", "HTTPS out"))
            .add_attribute(("cidr_ipv4", "0.0.0.0/0"))
            .add_attribute(("ip_protocol", "tcp"))
            .add_attribute(("from_port", 443))
            .add_attribute(("to_port", 443))
            .build(),
    );
    for e in engines {
        f.block(
            res("aws_vpc_security_group_egress_rule", &format!("tasks_to_{}", e.id))
                .add_attribute(("security_group_id", expr("aws_security_group.tasks.id")))
                .add_attribute(("description", format!("To {}", e.label)))
                .add_attribute((
                    "referenced_security_group_id",
                    expr(&format!("aws_security_group.{}.id", e.id)),
                ))
                .add_attribute(("ip_protocol", "tcp"))
                .add_attribute(("from_port", e.port))
                .add_attribute(("to_port", e.port))
                .build(),
        );
    }
    if redis {
        f.block(
            res("aws_vpc_security_group_egress_rule", "tasks_to_redis")
                .add_attribute(("security_group_id", expr("aws_security_group.tasks.id")))
                .add_attribute(("description", "To Redis"))
                .add_attribute(("referenced_security_group_id", expr("aws_security_group.redis.id")))
                .add_attribute(("ip_protocol", "tcp"))
                .add_attribute(("from_port", 6379))
                .add_attribute(("to_port", 6379))
                .build(),
        );
    }
    if tasks(spec).iter().any(|s| s.data_path.is_some()) {
        f.block(
            res("aws_vpc_security_group_egress_rule", "tasks_to_files")
                .add_attribute(("security_group_id", expr("aws_security_group.tasks.id")))
                .add_attribute(("description", "To the file system"))
                .add_attribute(("referenced_security_group_id", expr("aws_security_group.files.id")))
                .add_attribute(("ip_protocol", "tcp"))
                .add_attribute(("from_port", 2049))
                .add_attribute(("to_port", 2049))
                .build(),
        );
    }
    // The roles every task shares: the execution role (what ECS does for the task: pull, log,
    // read its secrets) apart from the task role (what the app itself may do: nothing yet).
    f.block(
        data("aws_iam_policy_document", "tasks_trust")
            .add_block(
                Block::builder("statement")
                    .add_attribute(("actions", strs(["sts:AssumeRole"])))
                    .add_block(
                        Block::builder("principals")
                            .add_attribute(("type", "Service"))
                            .add_attribute(("identifiers", strs(["ecs-tasks.amazonaws.com"])))
                            .build(),
                    )
                    .add_block(
                        Block::builder("condition")
                            .add_attribute(("test", "StringEquals"))
                            .add_attribute(("variable", "aws:SourceAccount"))
                            .add_attribute(("values", expr("[data.aws_caller_identity.current.account_id]")))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    for role in ["execution", "task"] {
        f.block(
            res("aws_iam_role", role)
                .add_attribute(("name", expr(&format!("\"${{local.name}}-{role}\""))))
                .add_attribute((
                    "assume_role_policy",
                    expr("data.aws_iam_policy_document.tasks_trust.json"),
                ))
                .build(),
        );
    }
    f.block(
        res("aws_iam_role_policy_attachment", "execution")
            .add_attribute(("role", expr("aws_iam_role.execution.name")))
            .add_attribute((
                "policy_arn",
                "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            ))
            .build(),
    );
    let secret_refs: Vec<String> = tasks(spec)
        .iter()
        .flat_map(|svc| {
            svc.env
                .iter()
                .filter(|e| e.secret)
                .map(|e| {
                    format!(
                        "aws_secretsmanager_secret.{}_{}.arn",
                        rid(svc),
                        e.name.to_ascii_lowercase()
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut exec = data("aws_iam_policy_document", "execution").add_block(statement(
        "Decrypt",
        &["kms:Decrypt"],
        expr("[aws_kms_key.main.arn]"),
    ));
    if !secret_refs.is_empty() {
        exec = exec.add_block(statement(
            "ReadSecrets",
            &["secretsmanager:GetSecretValue"],
            expr(&format!("[{}]", secret_refs.join(", "))),
        ));
    }
    f.commented(
        "The execution role reads exactly the services' own secrets.",
        exec.build(),
    );
    f.block(
        res("aws_iam_role_policy", "execution")
            .add_attribute(("name", "read-secrets"))
            .add_attribute(("role", expr("aws_iam_role.execution.id")))
            .add_attribute(("policy", expr("data.aws_iam_policy_document.execution.json")))
            .build(),
    );
    let uses_files = tasks(spec).iter().any(|s| s.data_path.is_some());
    if uses_files {
        f.block(
            data("aws_iam_policy_document", "task_files")
                .add_block(statement(
                    "MountFiles",
                    &["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                    expr("[aws_efs_file_system.data.arn]"),
                ))
                .build(),
        );
        f.block(
            res("aws_iam_role_policy", "task_files")
                .add_attribute(("name", "mount-files"))
                .add_attribute(("role", expr("aws_iam_role.task.id")))
                .add_attribute(("policy", expr("data.aws_iam_policy_document.task_files.json")))
                .build(),
        );
    }

    let mut containers = Vec::new();
    for svc in tasks(spec) {
        let id = name_of(&svc.name);
        let r = rid(svc);
        let user = images
            .iter()
            .find(|i| i.service == svc.name)
            .and_then(|i| i.user)
            .unwrap_or((10001, 10001));
        // Secrets: one Secrets Manager entry per secret the code reads, made empty here.
        for e in svc.env.iter().filter(|e| e.secret) {
            f.block(
                res(
                    "aws_secretsmanager_secret",
                    &format!("{r}_{}", e.name.to_ascii_lowercase()),
                )
                .add_attribute(("name", expr(&format!("\"${{local.name}}/{id}/{}\"", e.name))))
                .add_attribute((
                    "description",
                    format!(
                        "{}'s {}: its value is put in by a person (docs/aws.md), never by Terraform",
                        svc.name, e.name
                    ),
                ))
                .add_attribute(("kms_key_id", expr("aws_kms_key.main.arn")))
                .add_attribute(("recovery_window_in_days", 30))
                .build(),
            );
        }
        f.block(
            res("aws_cloudwatch_log_group", &r)
                .add_attribute(("name", expr(&format!("\"/ecs/${{local.name}}/{id}\""))))
                .add_attribute(("retention_in_days", expr("var.log_days")))
                .add_attribute(("kms_key_id", expr("aws_kms_key.main.arn")))
                .build(),
        );
        let writable = crate::kube::writable_paths(svc);
        let mut mounts: Vec<String> = writable
            .iter()
            .map(|(name, path)| {
                format!("{{ sourceVolume = \"{name}\", containerPath = \"{path}\", readOnly = false }}")
            })
            .collect();
        if let Some(data) = &svc.data_path {
            mounts.push(format!(
                "{{ sourceVolume = \"data\", containerPath = \"{data}\", readOnly = false }}"
            ));
        }
        let secrets: Vec<String> = svc
            .env
            .iter()
            .filter(|e| e.secret)
            .map(|e| {
                format!(
                    "{{ name = \"{}\", valueFrom = aws_secretsmanager_secret.{r}_{}.arn }}",
                    e.name,
                    e.name.to_ascii_lowercase()
                )
            })
            .collect();
        let port = svc.port.filter(|_| svc.kind != "worker");
        let mut env = vec![
            "{ name = \"PORT\", value = \"PORT_VALUE\" }".replace("PORT_VALUE", &port.unwrap_or(8080).to_string())
        ];
        env.retain(|_| port.is_some());
        let container = format!(
            "[{{ name = \"app\", image = var.images[\"{id}\"], essential = true, user = \"{uid}:{gid}\", readonlyRootFilesystem = true, linuxParameters = {{ capabilities = {{ drop = [\"ALL\"] }}, initProcessEnabled = true }}, {ports}environment = concat([{env}], [for k, v in lookup(var.settings, \"{id}\", {{}}) : {{ name = k, value = v }}]), secrets = [{secrets}], mountPoints = [{mounts}], stopTimeout = 30, logConfiguration = {{ logDriver = \"awslogs\", options = {{ awslogs-group = aws_cloudwatch_log_group.{r}.name, awslogs-region = var.region, awslogs-stream-prefix = \"app\" }} }} }}]",
            uid = user.0,
            gid = user.1,
            ports = port
                .map(|p| format!("portMappings = [{{ containerPort = {p}, protocol = \"tcp\" }}], "))
                .unwrap_or_default(),
            env = env.join(", "),
            secrets = secrets.join(", "),
            mounts = mounts.join(", "),
        );
        containers.push((r.clone(), container));
        let mut task = res("aws_ecs_task_definition", &r)
            .add_attribute(("family", expr(&format!("\"${{local.name}}-{id}\""))))
            .add_attribute(("requires_compatibilities", strs(["FARGATE"])))
            .add_attribute(("network_mode", "awsvpc"))
            .add_attribute(("cpu", expr("var.task_cpu")))
            .add_attribute(("memory", expr("var.task_memory")))
            .add_attribute(("execution_role_arn", expr("aws_iam_role.execution.arn")))
            .add_attribute(("task_role_arn", expr("aws_iam_role.task.arn")))
            .add_attribute((
                "container_definitions",
                expr(&format!("jsonencode(local.containers.{r})")),
            ))
            .add_block(
                Block::builder("runtime_platform")
                    .add_attribute(("operating_system_family", "LINUX"))
                    .add_attribute(("cpu_architecture", "X86_64"))
                    .build(),
            );
        for (name, _) in &writable {
            task = task.add_block(Block::builder("volume").add_attribute(("name", *name)).build());
        }
        if svc.data_path.is_some() {
            task = task.add_block(
                Block::builder("volume")
                    .add_attribute(("name", "data"))
                    .add_block(
                        Block::builder("efs_volume_configuration")
                            .add_attribute(("file_system_id", expr("aws_efs_file_system.data.id")))
                            .add_attribute(("transit_encryption", "ENABLED"))
                            .add_block(
                                Block::builder("authorization_config")
                                    .add_attribute(("access_point_id", expr(&format!("aws_efs_access_point.{r}.id"))))
                                    .add_attribute(("iam", "ENABLED"))
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            );
        }
        f.block(task.build());

        let one_writer = svc.data_path.is_some();
        let mut service = res("aws_ecs_service", &r)
            .add_attribute(("name", id.as_str()))
            .add_attribute(("cluster", expr("aws_ecs_cluster.main.id")))
            .add_attribute(("task_definition", expr(&format!("aws_ecs_task_definition.{r}.arn"))))
            .add_attribute(("launch_type", "FARGATE"))
            .add_attribute(("platform_version", "LATEST"))
            .add_attribute((
                "desired_count",
                if one_writer { expr("1") } else { expr("var.min_tasks") },
            ))
            .add_attribute(("deployment_minimum_healthy_percent", if one_writer { 0 } else { 100 }))
            .add_attribute(("deployment_maximum_percent", if one_writer { 100 } else { 200 }))
            .add_attribute(("propagate_tags", "SERVICE"))
            .add_attribute(("enable_ecs_managed_tags", true))
            .add_block(
                Block::builder("network_configuration")
                    .add_attribute(("subnets", expr("aws_subnet.private[*].id")))
                    .add_attribute(("security_groups", expr("[aws_security_group.tasks.id]")))
                    .add_attribute(("assign_public_ip", false))
                    .build(),
            )
            .add_block(
                Block::builder("deployment_circuit_breaker")
                    .add_attribute(("enable", true))
                    .add_attribute(("rollback", true))
                    .build(),
            );
        if port.is_some() && svc.kind != "worker" {
            service = service
                .add_attribute(("health_check_grace_period_seconds", crate::kube::startup_budget(svc)))
                .add_block(
                    Block::builder("load_balancer")
                        .add_attribute((
                            "target_group_arn",
                            expr(&format!("aws_lb_target_group.{}.arn", tg_id(svc))),
                        ))
                        .add_attribute(("container_name", "app"))
                        .add_attribute(("container_port", port.unwrap_or(8080)))
                        .build(),
                );
        }
        if !one_writer {
            service = service.add_block(
                Block::builder("lifecycle")
                    .add_attribute(("ignore_changes", expr("[desired_count]")))
                    .build(),
            );
        }
        let mut deps = vec!["aws_iam_role_policy.execution".to_string()];
        if port.is_some() {
            deps.push("aws_lb_listener.https".into());
        }
        service = service.add_attribute(("depends_on", expr(&format!("[{}]", deps.join(", ")))));
        f.commented(
            if one_writer {
                format!(
                    "{}: one task, since its data on the file system has one writer; a deploy stops it before the next\nstarts, so requests wait while it restarts.",
                    svc.name
                )
            } else {
                format!(
                    "{}: the autoscaler owns the task count; a failed deploy rolls back to the last healthy one.",
                    svc.name
                )
            },
            service.build(),
        );
        if !one_writer {
            f.block(
                res("aws_appautoscaling_target", &r)
                    .add_attribute(("service_namespace", "ecs"))
                    .add_attribute((
                        "resource_id",
                        expr(&format!(
                            "\"service/${{aws_ecs_cluster.main.name}}/${{aws_ecs_service.{r}.name}}\""
                        )),
                    ))
                    .add_attribute(("scalable_dimension", "ecs:service:DesiredCount"))
                    .add_attribute(("min_capacity", expr("var.min_tasks")))
                    .add_attribute(("max_capacity", expr("var.max_tasks")))
                    .build(),
            );
            f.commented(
                "Out fast when the CPU runs hot, in slowly (5 minutes) so a dip does not drop tasks it needs again.",
                tracking(
                    &r,
                    &format!("{id}-cpu"),
                    "var.cpu_target",
                    Block::builder("predefined_metric_specification")
                        .add_attribute(("predefined_metric_type", "ECSServiceAverageCPUUtilization")),
                ),
            );
            if port.is_some() {
                f.commented(
                    "And out when requests pile up on each task, before the CPU shows it (an app waiting on its\ndatabase is busy at low CPU).",
                    tracking(
                        &r,
                        &format!("{id}-requests"),
                        "var.requests_per_task",
                        Block::builder("predefined_metric_specification")
                            .add_attribute(("predefined_metric_type", "ALBRequestCountPerTarget"))
                            .add_attribute((
                                "resource_label",
                                expr(&format!(
                                    "\"${{aws_lb.main.arn_suffix}}/${{aws_lb_target_group.{}.arn_suffix}}\"",
                                    tg_id(svc)
                                )),
                            )),
                    ),
                );
            }
        }
        if svc.data_path.is_some() {
            let (uid, gid) = user;
            f.block(
                res("aws_efs_access_point", &r)
                    .add_attribute(("file_system_id", expr("aws_efs_file_system.data.id")))
                    .add_block(
                        Block::builder("posix_user")
                            .add_attribute(("uid", uid))
                            .add_attribute(("gid", gid))
                            .build(),
                    )
                    .add_block(
                        Block::builder("root_directory")
                            .add_attribute(("path", format!("/{id}")))
                            .add_block(
                                Block::builder("creation_info")
                                    .add_attribute(("owner_uid", uid))
                                    .add_attribute(("owner_gid", gid))
                                    .add_attribute(("permissions", "0750"))
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            );
        }
    }
    let mut locals = Block::builder("locals");
    let mut entries = Vec::new();
    for (r, c) in &containers {
        entries.push(format!("{r} = {c}"));
    }
    locals = locals.add_attribute(("containers", expr(&format!("{{ {} }}", entries.join(", ")))));
    f.commented(
        "Each service's container: the tested image by digest, its own numeric user, a read-only root with\nwritable volumes where the stack writes, no capabilities, secrets from Secrets Manager.",
        locals.build(),
    );
    file(
        format!("{DIR}/services.tf"),
        &f,
        "the ECS cluster, each service's task, secrets, logs, roles and autoscaling",
    )
}

fn databases(cloud: &CloudSpec, engines: &[Engine]) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe databases: private, encrypted, TLS only, the master password made and rotated by RDS in\nSecrets Manager (never in the state). Backups every day, kept var.backup_days days, which is\nalso how far back point-in-time recovery reaches; deleting the instance keeps them and takes a\nfinal snapshot, and deletion protection makes a person turn it off first."
    ));
    f.block(
        res("aws_db_subnet_group", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("subnet_ids", expr("aws_subnet.private[*].id")))
            .build(),
    );
    f.block(
        data("aws_iam_policy_document", "monitoring_trust")
            .add_block(
                Block::builder("statement")
                    .add_attribute(("actions", strs(["sts:AssumeRole"])))
                    .add_block(
                        Block::builder("principals")
                            .add_attribute(("type", "Service"))
                            .add_attribute(("identifiers", strs(["monitoring.rds.amazonaws.com"])))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    f.block(
        res("aws_iam_role", "rds_monitoring")
            .add_attribute(("name", expr("\"${local.name}-rds-monitoring\"")))
            .add_attribute((
                "assume_role_policy",
                expr("data.aws_iam_policy_document.monitoring_trust.json"),
            ))
            .build(),
    );
    f.block(
        res("aws_iam_role_policy_attachment", "rds_monitoring")
            .add_attribute(("role", expr("aws_iam_role.rds_monitoring.name")))
            .add_attribute((
                "policy_arn",
                "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
            ))
            .build(),
    );
    for e in engines {
        f.block(
            res("aws_security_group", e.id)
                .add_attribute(("name", expr(&format!("\"${{local.name}}-{}\"", e.id))))
                .add_attribute((
                    "description",
                    format!("{}: from the tasks of the services only", e.label),
                ))
                .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
                .add_attribute(("tags", tags(e.id)))
                .build(),
        );
        f.block(
            res("aws_vpc_security_group_ingress_rule", &format!("{}_from_tasks", e.id))
                .add_attribute(("security_group_id", expr(&format!("aws_security_group.{}.id", e.id))))
                .add_attribute(("description", "From the tasks of the services"))
                .add_attribute(("referenced_security_group_id", expr("aws_security_group.tasks.id")))
                .add_attribute(("ip_protocol", "tcp"))
                .add_attribute(("from_port", e.port))
                .add_attribute(("to_port", e.port))
                .build(),
        );
        f.block(
            res("aws_db_parameter_group", e.id)
                .add_attribute(("name", expr(&format!("\"${{local.name}}-{}\"", e.id))))
                .add_attribute(("family", e.family))
                .add_block(
                    Block::builder("parameter")
                        .add_attribute(("name", e.ssl.0))
                        .add_attribute(("value", e.ssl.1))
                        .build(),
                )
                .build(),
        );
        f.commented(
            format!(
                "{}: the app's connection URL goes in its DATABASE_URL secret (docs/aws.md).",
                e.label
            ),
            res("aws_db_instance", e.id)
                .add_attribute(("identifier", expr(&format!("\"${{local.name}}-{}\"", e.id))))
                .add_attribute(("engine", e.engine))
                .add_attribute(("engine_version", e.version))
                .add_attribute(("engine_lifecycle_support", "open-source-rds-extended-support-disabled"))
                .add_attribute(("instance_class", expr("var.db_class")))
                .add_attribute(("allocated_storage", expr("var.db_storage_gb")))
                .add_attribute(("max_allocated_storage", expr("var.db_storage_gb * 5")))
                .add_attribute(("storage_type", "gp3"))
                .add_attribute(("storage_encrypted", true))
                .add_attribute(("kms_key_id", expr("aws_kms_key.main.arn")))
                .add_attribute(("db_name", "app"))
                .add_attribute(("username", "app"))
                .add_attribute(("manage_master_user_password", true))
                .add_attribute(("master_user_secret_kms_key_id", expr("aws_kms_key.main.arn")))
                .add_attribute(("iam_database_authentication_enabled", true))
                .add_attribute(("port", e.port))
                .add_attribute(("db_subnet_group_name", expr("aws_db_subnet_group.main.name")))
                .add_attribute((
                    "vpc_security_group_ids",
                    expr(&format!("[aws_security_group.{}.id]", e.id)),
                ))
                .add_attribute((
                    "parameter_group_name",
                    expr(&format!("aws_db_parameter_group.{}.name", e.id)),
                ))
                .add_attribute(("publicly_accessible", false))
                .add_attribute(("multi_az", expr("var.multi_az")))
                .add_attribute(("backup_retention_period", expr("var.backup_days")))
                .add_attribute(("backup_window", "03:00-04:00"))
                .add_attribute(("maintenance_window", "sun:04:30-sun:05:30"))
                .add_attribute(("delete_automated_backups", false))
                .add_attribute(("copy_tags_to_snapshot", true))
                .add_attribute(("skip_final_snapshot", false))
                .add_attribute((
                    "final_snapshot_identifier",
                    expr(&format!("\"${{local.name}}-{}-final\"", e.id)),
                ))
                .add_attribute(("deletion_protection", true))
                .add_attribute(("auto_minor_version_upgrade", true))
                .add_attribute(("ca_cert_identifier", "rds-ca-rsa2048-g1"))
                .add_attribute(("performance_insights_enabled", true))
                .add_attribute(("performance_insights_kms_key_id", expr("aws_kms_key.main.arn")))
                .add_attribute(("monitoring_interval", 60))
                .add_attribute(("monitoring_role_arn", expr("aws_iam_role.rds_monitoring.arn")))
                .add_attribute(("enabled_cloudwatch_logs_exports", strs(e.logs.iter().copied())))
                .build(),
        );
        if cloud.backup_region.is_some() {
            f.block(
                Block::builder("resource")
                    .add_label("aws_kms_key")
                    .add_label(format!("{}_backup", e.id))
                    .add_attribute(("provider", expr("aws.backup")))
                    .add_attribute((
                        "description",
                        expr(&format!("\"${{local.name}}: {} backup copies\"", e.label)),
                    ))
                    .add_attribute(("enable_key_rotation", true))
                    .add_attribute(("deletion_window_in_days", 30))
                    .build(),
            );
            f.commented(
                format!(
                    "{}'s automated backups copied to var.backup_region, kept as long: a lost region loses no more than\nthe copy's lag (minutes).",
                    e.label
                ),
                res("aws_db_instance_automated_backups_replication", e.id)
                    .add_attribute(("provider", expr("aws.backup")))
                    .add_attribute(("source_db_instance_arn", expr(&format!("aws_db_instance.{}.arn", e.id))))
                    .add_attribute(("kms_key_id", expr(&format!("aws_kms_key.{}_backup.arn", e.id))))
                    .add_attribute(("retention_period", expr("var.backup_days")))
                    .build(),
            );
        }
    }
    file(
        format!("{DIR}/databases.tf"),
        &f,
        "the databases: private, encrypted, backed up with point-in-time recovery, deletion protection on",
    )
}

fn cache(cloud: &CloudSpec) -> Artifact {
    let _ = cloud;
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nRedis (Valkey-compatible ElastiCache): private, encrypted at rest and in transit (the app connects\nwith rediss://), a replica in the second zone when multi_az is on, a daily snapshot kept a week."
    ));
    f.block(
        res("aws_elasticache_subnet_group", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("subnet_ids", expr("aws_subnet.private[*].id")))
            .build(),
    );
    f.block(
        res("aws_security_group", "redis")
            .add_attribute(("name", expr("\"${local.name}-redis\"")))
            .add_attribute(("description", "Redis: from the tasks of the services only"))
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .add_attribute(("tags", tags("redis")))
            .build(),
    );
    f.block(
        res("aws_vpc_security_group_ingress_rule", "redis_from_tasks")
            .add_attribute(("security_group_id", expr("aws_security_group.redis.id")))
            .add_attribute(("description", "From the tasks of the services"))
            .add_attribute(("referenced_security_group_id", expr("aws_security_group.tasks.id")))
            .add_attribute(("ip_protocol", "tcp"))
            .add_attribute(("from_port", 6379))
            .add_attribute(("to_port", 6379))
            .build(),
    );
    f.block(
        res("aws_elasticache_replication_group", "redis")
            .add_attribute(("replication_group_id", expr("\"${local.name}-redis\"")))
            .add_attribute(("description", expr("\"${local.name}: the app's cache\"")))
            .add_attribute(("engine", "redis"))
            .add_attribute(("engine_version", "7.1"))
            .add_attribute(("node_type", "cache.t4g.micro"))
            .add_attribute(("num_cache_clusters", expr("var.multi_az ? 2 : 1")))
            .add_attribute(("automatic_failover_enabled", expr("var.multi_az")))
            .add_attribute(("multi_az_enabled", expr("var.multi_az")))
            .add_attribute(("port", 6379))
            .add_attribute(("subnet_group_name", expr("aws_elasticache_subnet_group.main.name")))
            .add_attribute(("security_group_ids", expr("[aws_security_group.redis.id]")))
            .add_attribute(("at_rest_encryption_enabled", true))
            .add_attribute(("kms_key_id", expr("aws_kms_key.main.arn")))
            .add_attribute(("transit_encryption_enabled", true))
            .add_attribute(("snapshot_retention_limit", 7))
            .add_attribute(("snapshot_window", "02:00-03:00"))
            .add_attribute(("auto_minor_version_upgrade", true))
            .build(),
    );
    file(
        format!("{DIR}/cache.tf"),
        &f,
        "the cache: private, encrypted at rest and in transit, snapshotted daily",
    )
}

fn storage(spec: &DeploySpec) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe file system the services that keep data write to: encrypted, reached only from the tasks,\nbacked up daily by AWS Backup (EFS's automatic backups, kept 35 days), one directory per service\nowned by its user."
    ));
    let _ = spec;
    f.block(
        res("aws_efs_file_system", "data")
            .add_attribute(("encrypted", true))
            .add_attribute(("kms_key_id", expr("aws_kms_key.main.arn")))
            .add_attribute(("tags", tags("data")))
            .build(),
    );
    f.block(
        res("aws_efs_backup_policy", "data")
            .add_attribute(("file_system_id", expr("aws_efs_file_system.data.id")))
            .add_block(
                Block::builder("backup_policy")
                    .add_attribute(("status", "ENABLED"))
                    .build(),
            )
            .build(),
    );
    f.block(
        res("aws_security_group", "files")
            .add_attribute(("name", expr("\"${local.name}-files\"")))
            .add_attribute((
                "description",
                "The file system: NFS from the tasks of the services only",
            ))
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .add_attribute(("tags", tags("files")))
            .build(),
    );
    f.block(
        res("aws_vpc_security_group_ingress_rule", "files_from_tasks")
            .add_attribute(("security_group_id", expr("aws_security_group.files.id")))
            .add_attribute(("description", "NFS from the tasks of the services"))
            .add_attribute(("referenced_security_group_id", expr("aws_security_group.tasks.id")))
            .add_attribute(("ip_protocol", "tcp"))
            .add_attribute(("from_port", 2049))
            .add_attribute(("to_port", 2049))
            .build(),
    );
    f.block(
        res("aws_efs_mount_target", "data")
            .add_attribute(("count", 2))
            .add_attribute(("file_system_id", expr("aws_efs_file_system.data.id")))
            .add_attribute(("subnet_id", expr("aws_subnet.private[count.index].id")))
            .add_attribute(("security_groups", expr("[aws_security_group.files.id]")))
            .build(),
    );
    file(
        format!("{DIR}/files.tf"),
        &f,
        "the file system for the data the services keep, backed up daily",
    )
}

fn outputs(spec: &DeploySpec, engines: &[Engine], redis: bool) -> Artifact {
    let mut f = HclFile::new(HEADER);
    let mut outs: Vec<(String, String, String)> = Vec::new();
    if !web(spec).is_empty() {
        let url = match exposed(spec).first() {
            Some((_, h)) => format!("\"https://{h}\""),
            None => "\"https://${aws_lb.main.dns_name}\"".into(),
        };
        outs.push(("url".into(), url, "Where the app answers.".into()));
        outs.push((
            "load_balancer".into(),
            "aws_lb.main.dns_name".into(),
            "The load balancer's own name.".into(),
        ));
    }
    outs.push((
        "cluster".into(),
        "aws_ecs_cluster.main.name".into(),
        "The ECS cluster.".into(),
    ));
    for svc in tasks(spec) {
        let r = rid(svc);
        outs.push((
            format!("{r}_service"),
            format!("aws_ecs_service.{r}.name"),
            format!("{}'s ECS service.", svc.name),
        ));
        outs.push((
            format!("{r}_logs"),
            format!("aws_cloudwatch_log_group.{r}.name"),
            format!("{}'s log group.", svc.name),
        ));
        outs.push((
            format!("{r}_task_definition"),
            format!("aws_ecs_task_definition.{r}.arn"),
            format!(
                "The task definition {} should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable.",
                svc.name
            ),
        ));
    }
    outs.push((
        "images".into(),
        "var.images".into(),
        "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone.".into(),
    ));
    for e in engines {
        outs.push((
            format!("{}_endpoint", e.id),
            format!("aws_db_instance.{}.address", e.id),
            format!("{}'s address, for the app's connection URL.", e.label),
        ));
        outs.push((
            format!("{}_master_secret", e.id),
            format!("aws_db_instance.{}.master_user_secret[0].secret_arn", e.id),
            format!("The Secrets Manager entry RDS keeps {}'s master password in.", e.label),
        ));
    }
    if redis {
        outs.push((
            "redis_endpoint".into(),
            "aws_elasticache_replication_group.redis.primary_endpoint_address".into(),
            "Redis's address (rediss://, TLS).".into(),
        ));
    }
    for (name, value, description) in outs {
        f.block(
            Block::builder("output")
                .add_label(&name)
                .add_attribute(("description", description))
                .add_attribute(("value", expr(&value)))
                .build(),
        );
    }
    for b in super::site::output_blocks(spec) {
        f.block(b);
    }
    file(
        format!("{DIR}/outputs.tf"),
        &f,
        "what the pipeline and the runbook read after an apply",
    )
}

pub(super) fn estimate(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    engines: &[Engine],
    redis: bool,
    keeps_data: bool,
) -> Estimate {
    use cost::aws::*;
    use cost::HOURS;
    let mut e = Estimate::default();
    let tasks_n = tasks(spec).len() as f64;
    let min = f64::from(spec.scaling.min_replicas.max(2));
    let vcpu = f64::from(cloud.task_cpu) / 1024.0;
    let gb = f64::from(cloud.task_memory) / 1024.0;
    e.add(
        "ECS Fargate tasks",
        format!(
            "{} service(s) x {min} task(s) x ({vcpu} vCPU, {gb} GB), the autoscaler's floor",
            tasks_n
        ),
        tasks_n * min * (vcpu * FARGATE_VCPU_HOUR + gb * FARGATE_GB_HOUR) * HOURS,
    );
    if !web(spec).is_empty() {
        e.add(
            "Application Load Balancer",
            "1, with one capacity unit",
            (ALB_HOUR + LCU_HOUR) * HOURS,
        );
    }
    e.add(
        "NAT gateway",
        "1, with 10 GB through it",
        NAT_HOUR * HOURS + 10.0 * NAT_GB,
    );
    e.add(
        "Public IPv4 addresses",
        if web(spec).is_empty() {
            "1 (the NAT gateway)"
        } else {
            "3 (the load balancer's two, the NAT gateway's)"
        },
        if web(spec).is_empty() { 1.0 } else { 3.0 } * IPV4_HOUR * HOURS,
    );
    let copies = if cloud.multi_az { 2.0 } else { 1.0 };
    for eng in engines {
        match rds_hour(&cloud.db_class) {
            Some(h) => e.add(
                format!("RDS {} ({})", eng.label, cloud.db_class),
                if cloud.multi_az {
                    "with a standby in a second zone"
                } else {
                    "one zone"
                },
                h * copies * HOURS,
            ),
            None => e
                .unpriced
                .push(format!("the {} instance class {}", eng.label, cloud.db_class)),
        }
        e.add(
            format!("RDS {} storage", eng.label),
            format!(
                "{} GB gp3{}; backups up to the database's size are free",
                cloud.db_storage_gb,
                if cloud.multi_az { " x 2" } else { "" }
            ),
            f64::from(cloud.db_storage_gb) * copies * RDS_GP3_GB_MONTH,
        );
    }
    if redis {
        e.add(
            "ElastiCache Redis (cache.t4g.micro)",
            if cloud.multi_az {
                "a primary and a replica"
            } else {
                "one node"
            },
            CACHE_T4G_MICRO_HOUR * copies * HOURS,
        );
    }
    if keeps_data {
        e.add("EFS storage", "1 GB", EFS_GB_MONTH);
    }
    let secrets: usize = tasks(spec)
        .iter()
        .map(|s| s.env.iter().filter(|e| e.secret).count())
        .sum();
    if secrets > 0 {
        e.add(
            "Secrets Manager",
            format!("{secrets} secret(s)"),
            secrets as f64 * SECRET_MONTH,
        );
    }
    e.add("KMS keys", "2 (the environment's, the state's)", 2.0 * KMS_KEY_MONTH);
    e.add(
        "ECR storage",
        format!("{tasks_n} repository(ies), 1 GB each"),
        tasks_n * ECR_GB_MONTH,
    );
    e.add("CloudWatch Logs", "5 GB a month ingested", 5.0 * LOGS_GB);
    e
}

pub(super) fn picture(spec: &DeploySpec, cloud: &CloudSpec, engines: &[Engine], redis: bool) -> Vec<CloudNode> {
    let mut out = Vec::new();
    for (_, h) in exposed(spec) {
        out.push(CloudNode {
            kind: "DNS".into(),
            name: h,
            detail: "Route 53 alias, ACM certificate".into(),
        });
    }
    if !web(spec).is_empty() {
        out.push(CloudNode {
            kind: "Load balancer".into(),
            name: "HTTPS 443".into(),
            detail: "TLS 1.2+, HTTP redirected, access logs".into(),
        });
    }
    for svc in tasks(spec) {
        let detail = if svc.data_path.is_some() {
            format!(
                "1 task ({} CPU, {} MiB), its data on EFS",
                cloud.task_cpu, cloud.task_memory
            )
        } else {
            format!(
                "{} to {} tasks ({} CPU, {} MiB) at {}% CPU{}",
                spec.scaling.min_replicas.max(2),
                spec.scaling.max_replicas.max(spec.scaling.min_replicas.max(2)),
                cloud.task_cpu,
                cloud.task_memory,
                spec.scaling.cpu_percent,
                if svc.port.is_some() && svc.kind != "worker" {
                    " or 1000 requests a minute each"
                } else {
                    ""
                }
            )
        };
        out.push(CloudNode {
            kind: "ECS service".into(),
            name: name_of(&svc.name),
            detail,
        });
    }
    for e in engines {
        out.push(CloudNode {
            kind: format!("{} (RDS)", e.label),
            name: cloud.db_class.clone(),
            detail: format!(
                "{}backups {} days with point-in-time recovery{}",
                if cloud.multi_az {
                    "standby in a second zone, "
                } else {
                    ""
                },
                cloud.backup_days,
                cloud
                    .backup_region
                    .as_ref()
                    .map(|r| format!(", copied to {r}"))
                    .unwrap_or_default()
            ),
        });
    }
    if redis {
        out.push(CloudNode {
            kind: "Redis (ElastiCache)".into(),
            name: "cache.t4g.micro".into(),
            detail: "encrypted, TLS, daily snapshot".into(),
        });
    }
    out
}

pub(super) fn requirements(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    project: &str,
    repo: Option<&str>,
    cfn: bool,
) -> Vec<Requirement> {
    let mut out = Vec::new();
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let (maker, plan, push, deploy) = if cfn {
        (
            "CloudFormation makes the entry with a random placeholder",
            "PlanRoleArn",
            "PushRoleArn",
            "DeployRoleArn",
        )
    } else {
        (
            "Terraform makes the entry empty",
            "plan_role_arn",
            "push_role_arn",
            "deploy_role_arn",
        )
    };
    for svc in tasks(spec) {
        for e in svc.env.iter().filter(|e| e.secret) {
            out.push(Requirement {
                name: e.name.clone(),
                secret: true,
                place: format!(
                    "AWS Secrets Manager {project}-<environment>/{}/{} in {}",
                    name_of(&svc.name),
                    e.name,
                    cloud.region
                ),
                why: format!(
                    "{} reads it; {maker}, a person puts the value in (docs/aws.md)",
                    svc.name
                ),
            });
        }
    }
    out.push(Requirement {
        name: "AWS_PLAN_ROLE_ARN".into(),
        secret: false,
        place: "GitHub Actions variable".into(),
        why: format!(
            "the bootstrap stack's {plan}; the plan job presents the subject {}",
            oidc_subject(repo, None)
        ),
    });
    if !tasks(spec).is_empty() {
        out.push(Requirement {
            name: "AWS_ROLE_ARN".into(),
            secret: false,
            place: "GitHub Actions variable".into(),
            why: format!(
                "the bootstrap stack's {push}; the image jobs push with it and present {}",
                push_subject(repo, &spec.branch)
            ),
        });
    }
    out.push(Requirement {
        name: "AWS_DEPLOY_ROLE_ARN".into(),
        secret: false,
        place: "GitHub Actions variable".into(),
        why: format!(
            "the bootstrap stack's {deploy}; a deploy job presents {}",
            spec.environments
                .iter()
                .map(|e| oidc_subject(repo, Some(&e.name)))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    });
    if cfn {
        out.push(Requirement {
            name: "AWS_CLOUDFORMATION_ROLE_ARN".into(),
            secret: false,
            place: "GitHub Actions variable".into(),
            why: "the bootstrap stack's CloudFormationRoleArn; the deploy job hands it to CloudFormation, which deploys with it".into(),
        });
    }
    out
}

/// docs/aws.md: the order to apply in, the secrets, the pipeline, backups and restores, the cost;
/// `cfn` for the CloudFormation templates, else Terraform.
#[allow(clippy::too_many_arguments)]
pub(super) fn runbook(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    project: &str,
    repo: Option<&str>,
    engines: &[Engine],
    redis: bool,
    keeps_data: bool,
    estimate: &Estimate,
    cfn: bool,
) -> String {
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let production = spec.production();
    let mut out = format!(
        "# {project} on AWS\n\nWritten by Slipway from the project's deployment spec: {what}, for the region\n{region}. Nothing here holds a secret or an access key.\n\n",
        what = if cfn {
            format!("CloudFormation templates `{}` and `{}`", super::cfn::BOOTSTRAP, super::cfn::STACK)
        } else {
            format!("Terraform in `{DIR}/`")
        },
        region = cloud.region
    );
    out.push_str("## What runs\n\n");
    for n in picture(spec, cloud, engines, redis)
        .into_iter()
        .chain(super::site::picture(spec))
    {
        out.push_str(&format!("- **{}** {}: {}\n", n.kind, n.name, n.detail));
    }
    if super::site::any_in_bucket(spec) {
        out.push_str(&format!(
            "\nThe static sites are files in private buckets behind CloudFront (`{DIR}/site.tf`), not tasks: the\ndeploy job builds them before the apply and uploads them once the services are stable, hashed\nassets first (cached a year, never deleted by a deploy), then the rest (revalidated on every\nrequest), and clears CloudFront's cache. A bad upload is rolled back by reverting the commit; the\nbuckets keep replaced files `old_versions_days` (30) as old versions.\n"
        ));
    }
    out.push_str("\n## Before the first apply\n\n");
    // The subjects each role trusts, said the same way for either language.
    let plan = oidc_subject(repo, None);
    let push = push_subject(repo, &spec.branch);
    let deploy = spec
        .environments
        .iter()
        .map(|e| format!("`{}`", oidc_subject(repo, Some(&e.name))))
        .collect::<Vec<_>>()
        .join(" and ");
    if cfn {
        out.push_str(&format!(
            "1. A person with administrator rights deploys the account's shared stack once:\n\n   ```sh\n   aws cloudformation deploy --region {region} --stack-name {project}-bootstrap \\\n     --template-file {bootstrap} --capabilities CAPABILITY_NAMED_IAM \\\n     --parameter-overrides GitHubRepository={repo}\n   ```\n\n   It creates the image repositories, GitHub's OIDC provider (pass `CreateGitHubOidcProvider=false` if the\n   account has one), the pipeline's three roles and the role CloudFormation deploys the environment\n   with. CloudFormation keeps the stacks' state itself: there is no state bucket and no lock to take,\n   and one stack runs one update at a time.\n",
            region = cloud.region,
            bootstrap = super::cfn::BOOTSTRAP,
        ));
        out.push_str(&format!(
            "2. In GitHub, set the repository variables `AWS_PLAN_ROLE_ARN`, `AWS_ROLE_ARN`, `AWS_DEPLOY_ROLE_ARN` and\n   `AWS_CLOUDFORMATION_ROLE_ARN` to the bootstrap stack's outputs, `AWS_ACCOUNT_ID` to the account's id\n   and `AWS_REGION` to `{}`. The roles trust exactly these subjects: `{plan}` (plans on pull\n   requests), `{push}` (pushes images) and {deploy} (deploys). A job in an environment presents the\n   environment's subject, not the branch's, which is why the deploy role names the environments.\n",
            cloud.region,
        ));
        if spec.host.is_some() {
            out.push_str(&format!(
                "3. The hosts need a public Route 53 hosted zone (`{}` by default); pass its id as the stack's\n   `HostedZoneId` parameter on the first deploy (`aws route53 list-hosted-zones-by-name`). The\n   certificate is validated there by DNS.\n",
                zone_of(spec.host.as_deref().unwrap_or_default())
            ));
        }
        out.push_str("\nCloudFormation has no resource for the VPC's default security group: empty it once by hand\n(`aws ec2 revoke-security-group-ingress` and `-egress` on the group `aws ec2 describe-security-groups\n--filters Name=group-name,Values=default` names) so nothing can use it.\n");
    } else {
        out.push_str(&format!(
        "1. A person with administrator rights applies the account's shared stack once:\n\n   ```sh\n   terraform -chdir={BOOTSTRAP} init\n   terraform -chdir={BOOTSTRAP} apply\n   ```\n\n   It creates the state bucket `{project}-terraform-state` (bucket names are global: if it is taken, change\n   `state_bucket` there and `bucket` in `{DIR}/backend.tf`), the image repositories, GitHub's OIDC\n   provider (set `create_github_oidc_provider = false` if the account has one) and three roles. Its\n   state stays in `{BOOTSTRAP}/terraform.tfstate`: keep it safe, or move it into the bucket with a\n   `backend \"s3\"` block and `terraform init -migrate-state`.\n"
    ));
        out.push_str(&format!(
        "2. In GitHub, set the repository variables `AWS_PLAN_ROLE_ARN`, `AWS_ROLE_ARN` and `AWS_DEPLOY_ROLE_ARN`\n   to the bootstrap stack's outputs, `AWS_ACCOUNT_ID` to the account's id and `AWS_REGION` to `{}`.\n   The roles trust exactly these subjects: `{plan}` (plans on pull requests), `{push}` (pushes\n   images) and {deploy} (deploys). A job in an environment presents the environment's subject, not the\n   branch's, which is why the deploy role names the environments.\n",
        cloud.region,
    ));
        if spec.host.is_some() {
            out.push_str(&format!(
            "3. The hosts need a public Route 53 hosted zone, `{}` by default (`zone_name`); the certificate is\n   validated there by DNS.\n",
            zone_of(spec.host.as_deref().unwrap_or_default())
        ));
        }
    }
    let secrets: Vec<(String, String)> = tasks(spec)
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
        out.push_str(if cfn {
            "\n## Secrets\n\nCloudFormation makes each secret's entry with a random placeholder; put the value in once per\nenvironment, outside git and outside the template (the entries stay when the stack goes):\n\n```sh\n"
        } else {
            "\n## Secrets\n\nTerraform makes each secret's entry empty; put the value in once per environment, outside git and\noutside the state:\n\n```sh\n"
        });
        for (svc, name) in &secrets {
            out.push_str(&format!(
                "aws secretsmanager put-secret-value --secret-id {project}-{production}/{svc}/{name} --secret-string '...'\n"
            ));
        }
        out.push_str("```\n");
        if !engines.is_empty() {
            out.push_str("\nRDS keeps the database's master password in its own Secrets Manager entry (output\n`<engine>_master_secret`) and rotates it; build the app's `DATABASE_URL` from the endpoint output, the\nuser `app`, the database `app` and that password, or give the app a user of its own.\n");
        }
    }
    let pipeline = if cfn && spec.ci == crate::params::CiSystem::Github {
        format!(
            "The pipeline Slipway writes for GitHub Actions (`.github/workflows/ci-cd.yml`) does this: a pull\nrequest's `Plan the AWS infrastructure` job makes a change set of {production} with the images that\nrun now, writes it into its summary as a table (what is added, modified, replaced) and deletes it;\nafter the merge, `Deploy to AWS` deploys the stack through CloudFormation's own role with the\ndigests the image jobs pushed, waits for each service, and fails when ECS runs another task\ndefinition than the stack's. Image tags never move (the repositories are immutable): re-run the\ndeploy job, not an image job, for a commit already pushed.\n\n"
        )
    } else if spec.ci == crate::params::CiSystem::Github {
        format!(
            "The pipeline Slipway writes for GitHub Actions (`.github/workflows/ci-cd.yml`) does this: a pull\nrequest's `Plan the AWS infrastructure` job writes the plan of {production} into its summary, with\nthe images that run now; after the merge, `Deploy to AWS` applies the stack with the digests the\nimage jobs pushed (its summary shows the plan it applied), waits for each service, and fails when\nECS rolled one back. State locks are waited for ten minutes, never broken. Image tags never move\n(the repositories are immutable): images are tagged with their commit only, so re-running an image\njob for a commit already pushed fails; re-run the deploy job instead.\n\n"
        )
    } else {
        format!(
            "The pipeline builds and pushes the images; on {} it does not apply this stack yet.\n\n",
            spec.ci.label()
        )
    };
    if cfn {
        let images: Vec<String> = imaged(spec)
            .iter()
            .map(|(_, svc)| format!("{}=<repository>@sha256:<digest>", super::cfn::image_parameter(svc)))
            .collect();
        out.push_str(&format!(
            "\n## Deploy, watch, roll back\n\n{pipeline}By hand, make a change set, read it, then run it:\n\n```sh\naws cloudformation deploy --stack-name {project}-{production} --template-file {stack} \\\n  --role-arn <CloudFormationRoleArn> --capabilities CAPABILITY_NAMED_IAM --no-execute-changeset \\\n  --parameter-overrides Environment={production} {images}\naws cloudformation describe-change-set --stack-name {project}-{production} --change-set-name <the name it printed>\naws cloudformation execute-change-set --stack-name {project}-{production} --change-set-name <the name it printed>\n```\n\nA deploy whose tasks do not become healthy is rolled back by ECS itself (the deployment circuit\nbreaker), and the stack's update fails and rolls back with it; no task stops before its\nreplacement passes the load balancer's health check. To roll back by hand, deploy again with the\nprevious digests (`aws cloudformation describe-stacks` lists the parameters the stack runs).\n",
            stack = super::cfn::STACK,
            images = images.join(" ")
        ));
    } else {
        out.push_str(&format!(
        "\n## Apply, watch, roll back\n\n{pipeline}By hand, apply the environment's stack with the images by digest, reading the plan first:\n\n```sh\nterraform -chdir={DIR} init -backend-config=\"key={project}/{production}/terraform.tfstate\"\nterraform -chdir={DIR} plan -var 'images={{...}}' -out plan.bin\nterraform -chdir={DIR} apply plan.bin\n```\n\nA deploy whose tasks do not become healthy is rolled back by ECS itself (the deployment circuit\nbreaker) to the last healthy task definition; no task stops before its replacement passes the load\nbalancer's health check. To roll back by hand, apply again with the previous digests\n(`terraform output images` lists what runs).\n"
    ));
    }
    if keeps_data {
        out.push_str("\nA service that keeps data runs one task on EFS (its data has one writer): a deploy stops the old task\nbefore the new one starts, so its requests wait for a minute.\n");
    }
    out.push_str("\n## Backups and recovery\n\n");
    if engines.is_empty() && !redis && !keeps_data {
        out.push_str(
            "Nothing here keeps data: the services are stateless, and a lost zone or region is a new apply.\n",
        );
    }
    for e in engines {
        out.push_str(&format!(
            "- **{label}**: automated daily backups kept {days} days, with transaction logs every five minutes, so\n  point-in-time recovery reaches any second of the last {days} days (RPO about 5 minutes). Deleting the\n  instance keeps the backups and takes a final snapshot; deletion protection is on.{copy}\n",
            label = e.label,
            days = cloud.backup_days,
            copy = cloud
                .backup_region
                .as_ref()
                .map(|r| format!(" The backups are copied to {r}."))
                .unwrap_or_default()
        ));
    }
    if redis {
        out.push_str(
            "- **Redis** is a cache: a daily snapshot is kept 7 days, and the app must work while it refills.\n",
        );
    }
    if keeps_data {
        out.push_str("- **EFS**: AWS Backup's automatic daily backup of the file system, kept 35 days.\n");
    }
    if let Some(e) = engines.first() {
        out.push_str(&format!(
            "\nRestore to a point in time into a new instance, check it answers, then point the app at it:\n\n```sh\naws rds restore-db-instance-to-point-in-time --region {region} \\\n  --source-db-instance-identifier {project}-{production}-{id} \\\n  --target-db-instance-identifier {project}-{production}-{id}-restore \\\n  --restore-time 2026-01-01T12:00:00Z \\\n  --db-subnet-group-name {project}-{production} --no-publicly-accessible\naws rds wait db-instance-available --region {region} --db-instance-identifier {project}-{production}-{id}-restore\n```\n\nThen check the copy answers (`{check}` from a task in the VPC), update the `DATABASE_URL` secret and\nforce a new deployment (`aws ecs update-service --force-new-deployment`). Practise this once a quarter.\n",
            region = cloud.region,
            id = e.id,
            check = if e.id == "postgres" {
                "psql \"$DATABASE_URL\" -c 'select 1'"
            } else {
                "mysql -e 'select 1'"
            }
        ));
        let rpo_met = cloud.rpo_minutes >= 5;
        let rto_need = if cloud.multi_az { 2 } else { 30 };
        out.push_str(&format!(
            "\nObjectives: recovery point {rpo} minutes, recovery time {rto} minutes. Point-in-time recovery loses at\nmost about 5 minutes, which {rpo_word} the recovery point; {az}, which {rto_word} the recovery time.\n{region_loss}\n",
            rpo = cloud.rpo_minutes,
            rto = cloud.rto_minutes,
            rpo_word = if rpo_met { "meets" } else { "does not meet" },
            az = if cloud.multi_az {
                "a lost zone fails over to the standby in one to two minutes"
            } else {
                "with no standby, a lost zone means a restore, about 30 minutes plus the data size"
            },
            rto_word = if cloud.rto_minutes >= rto_need { "meets" } else { "does not meet" },
            region_loss = if let (true, Some(r)) = (cfn, cloud.backup_region.as_ref()) {
                format!("CloudFormation has no resource for the copy to {r}: start it once after the first deploy with\n`aws rds start-db-instance-automated-backups-replication --region {r} --source-db-instance-arn <the instance's ARN>\n--backup-retention-period {days} --kms-key-id <a key in {r}>`. A lost region then needs the stack deployed in\n{r} and a restore from the copied backups: hours, not minutes.", days = cloud.backup_days)
            } else if cloud.backup_region.is_some() {
                "A lost region needs the stack applied in the backup region and a restore from the copied backups:\nhours, not minutes.".to_string()
            } else {
                "A lost region loses the backups with it: set backup_region to copy them elsewhere.".to_string()
            }
        ));
    }
    out.push_str("\n## Cost\n\n");
    out.push_str(&estimate.markdown(
        "On-demand list prices in us-east-1, checked on {date}; other regions differ. Traffic-dependent\nusage (requests, bytes through the NAT gateway, logs) is counted at the small amounts shown, so this\nis the floor of an idle service. Savings Plans and Graviton tasks cost less.",
    ));
    out
}

/// The environment variable that carries `svc`'s image into the pipeline's Terraform jobs.
pub fn image_var(svc: &ServiceSpec) -> String {
    format!("IMAGE_{}", name_of(&svc.name).to_ascii_uppercase().replace('-', "_"))
}

/// The services whose image the environment's stack takes, with their key in `var.images`.
pub fn imaged(spec: &DeploySpec) -> Vec<(String, &ServiceSpec)> {
    tasks(spec).into_iter().map(|s| (name_of(&s.name), s)).collect()
}

pub(super) fn terraform_setup(spec: &DeploySpec, environment: &str) -> Vec<String> {
    super::tf::setup(DIR, &format!("key={}/{environment}/terraform.tfstate", project(spec)))
}

/// The shell lines of the plan job on pull requests: the production stack planned with the
/// images it runs now (each `IMAGE_*` variable holds the repository), so the summary shows the
/// infrastructure's change alone; before the first deploy an all-zero digest stands in.
pub fn plan_commands(spec: &DeploySpec) -> Vec<String> {
    if tasks(spec).is_empty() {
        return super::site::plan_commands(spec);
    }
    let production = spec.production();
    let mut c = terraform_setup(spec, production);
    c.push("images=$(tf output -json images 2>/dev/null) || images='{}'".into());
    let args: Vec<String> = imaged(spec)
        .iter()
        .map(|(key, svc)| format!(r#"--arg {key} "${{{},,}}@sha256:$zero""#, image_var(svc)))
        .collect();
    if !args.is_empty() {
        c.push(format!(
            r#"if [ "$images" = "{{}}" ]; then zero=$(printf '%064d' 0); images=$(jq -cn {} '$ARGS.named'); fi"#,
            args.join(" ")
        ));
    }
    c.push(format!(
        r#"jq -n --argjson images "$images" --arg environment {production} '{{environment: $environment, images: $images}}' > {DIR}/ci.auto.tfvars.json"#
    ));
    c.extend(plan_to_summary(production));
    c
}

/// The shell lines of the deploy to `environment`: the stack applied with the tested images by
/// digest (`IMAGE_*`), from the plan the summary shows; then each service waited for, and a
/// failed job when ECS rolled it back (its circuit breaker ends stable on the old task
/// definition, so stable alone proves nothing).
pub fn apply_commands(spec: &DeploySpec, environment: &str) -> Vec<String> {
    if tasks(spec).is_empty() {
        return super::site::apply_commands(spec, environment);
    }
    let mut c = terraform_setup(spec, environment);
    let args: Vec<String> = imaged(spec)
        .iter()
        .map(|(key, svc)| format!(r#"--arg {key} "${}""#, image_var(svc)))
        .collect();
    // A service whose image job did not run (its files did not change) keeps the digest it runs.
    c.push("current=$(tf output -json images 2>/dev/null) || current='{}'".into());
    c.push(format!(
        r#"jq -n --argjson current "$current" {} '{{environment: "{environment}", images: ($current + ($ARGS.named | with_entries(select(.value != "@"))))}}' > {DIR}/ci.auto.tfvars.json"#,
        args.join(" ")
    ));
    c.extend(super::site::build_lines(spec));
    c.extend(plan_to_summary(environment));
    c.push("tf apply -input=false -lock-timeout=10m plan.bin".into());
    if !tasks(spec).is_empty() {
        c.push(r#"cluster=$(tf output -raw cluster)"#.into());
    }
    for svc in tasks(spec) {
        let r = rid(svc);
        c.push(format!(r#"service=$(tf output -raw {r}_service)"#));
        c.push(r#"aws ecs wait services-stable --cluster "$cluster" --services "$service""#.into());
        c.push(format!(
            r#"running=$(aws ecs describe-services --cluster "$cluster" --services "$service" --query 'services[0].taskDefinition' --output text); [ "$running" = "$(tf output -raw {r}_task_definition)" ] || {{ echo "::error::ECS rolled {name} back to $running: its new tasks never became healthy (docs/aws.md)"; exit 1; }}"#,
            name = svc.name
        ));
    }
    c.extend(super::site::upload_lines(spec));
    c
}
