//! AWS in CloudFormation: the same infrastructure as [`super::aws`], as two templates.
//!
//! `infra/aws/bootstrap.yaml` is the account's shared stack, deployed once by a person with
//! administrator rights: the image repositories, GitHub's OIDC provider, the pipeline's roles
//! (plan, push, deploy), and the role CloudFormation itself acts with, so the deploy role holds
//! no power of its own beyond asking CloudFormation to run the template. `infra/aws/stack.yaml`
//! is one environment (the stack `<project>-<environment>`): the VPC, the HTTPS load balancer,
//! ECS on Fargate, RDS, ElastiCache, EFS, Secrets Manager, one KMS key, logs and autoscaling.
//!
//! Every decision that is not CloudFormation's own comes from the deployment spec and the AWS
//! family's helpers (the engines, the web services, the sizes, the cost and the picture), so the
//! two languages cannot disagree on a port, a health path, a secret name or a backup setting.
//! CloudFormation keeps its own state, so there is no state bucket and no lock to take: a stack
//! runs one update at a time. Templates are typed values written by the one YAML writer, with
//! the long form of the intrinsic functions (`Ref`, `Fn::Sub`, `Fn::GetAtt`).

use super::aws::{self, Engine};
use super::Generated;
use crate::generate::Artifact;
use crate::kube::{name_of, ImageFacts};
use crate::spec::{CloudSpec, DeploySpec, ServiceSpec};
use crate::write::yaml::{self, Yaml};

/// The environment's template.
pub const STACK: &str = "infra/aws/stack.yaml";
/// The account's shared template.
pub const BOOTSTRAP: &str = "infra/aws/bootstrap.yaml";

const HEADER: &str = "Written by Slipway from the project's deployment spec. Review the change set before it runs:\naws cloudformation deploy shows nothing, so the pipeline's plan job writes the change set into\nthe pull request's summary (docs/aws.md says in what order to deploy).";

fn r(name: &str) -> Yaml {
    Yaml::map().with("Ref", name)
}

fn sub(s: impl Into<String>) -> Yaml {
    Yaml::map().with("Fn::Sub", s.into())
}

fn att(resource: &str, attribute: &str) -> Yaml {
    Yaml::map().with("Fn::GetAtt", Yaml::strs([resource, attribute]))
}

fn iff(condition: &str, then: impl Into<Yaml>, otherwise: impl Into<Yaml>) -> Yaml {
    Yaml::map().with(
        "Fn::If",
        Yaml::Seq(vec![Yaml::str(condition), then.into(), otherwise.into()]),
    )
}

fn res(kind: &str, properties: Yaml) -> Yaml {
    Yaml::map().with("Type", kind).with("Properties", properties)
}

/// A resource kept when it leaves the template or is replaced: data outlives a mistake.
fn kept(kind: &str, policy: &str, properties: Yaml) -> Yaml {
    Yaml::map()
        .with("Type", kind)
        .with("DeletionPolicy", policy)
        .with("UpdateReplacePolicy", policy)
        .with("Properties", properties)
}

/// `resource` with `Metadata` (cfn-lint's settings for it), after its type.
fn with_metadata(resource: Yaml, metadata: Yaml) -> Yaml {
    let Yaml::Map(mut entries) = resource else {
        return resource;
    };
    entries.insert(
        1,
        yaml::Entry {
            key: "Metadata".into(),
            value: metadata,
            comment: None,
            note: None,
            when: None,
        },
    );
    Yaml::Map(entries)
}

fn depends(resource: Yaml, on: &[String]) -> Yaml {
    let Yaml::Map(mut entries) = resource else {
        return resource;
    };
    entries.insert(
        1,
        yaml::Entry {
            key: "DependsOn".into(),
            value: Yaml::strs(on),
            comment: None,
            note: None,
            when: None,
        },
    );
    Yaml::Map(entries)
}

fn name(suffix: &str) -> Yaml {
    if suffix.is_empty() {
        sub("${Project}-${Environment}")
    } else {
        sub(format!("${{Project}}-${{Environment}}-{suffix}"))
    }
}

fn tags(suffix: &str) -> Yaml {
    Yaml::Seq(vec![Yaml::map().with("Key", "Name").with("Value", name(suffix))])
}

/// A logical id from a service's name: `api-gateway` becomes `ApiGateway`.
fn camel(s: &str) -> String {
    name_of(s)
        .split('-')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The parameter that carries `svc`'s image.
pub fn image_parameter(svc: &ServiceSpec) -> String {
    format!("Image{}", camel(&svc.name))
}

fn secret_id(svc: &ServiceSpec, env: &str) -> String {
    let mut id = camel(&svc.name);
    for part in env.split('_') {
        let mut c = part.chars();
        if let Some(f) = c.next() {
            id.push(f.to_ascii_uppercase());
            id.push_str(&c.as_str().to_ascii_lowercase());
        }
    }
    format!("{id}Secret")
}

fn statement(sid: &str, actions: &[&str], resources: Yaml) -> Yaml {
    Yaml::map()
        .with("Sid", sid)
        .with("Effect", "Allow")
        .with("Action", Yaml::strs(actions))
        .with("Resource", resources)
}

fn policy(statements: Vec<Yaml>) -> Yaml {
    Yaml::map()
        .with("Version", "2012-10-17")
        .with("Statement", Yaml::Seq(statements))
}

fn trust(service: &str, same_account: bool) -> Yaml {
    let mut s = Yaml::map()
        .with("Effect", "Allow")
        .with("Principal", Yaml::map().with("Service", service))
        .with("Action", "sts:AssumeRole");
    if same_account {
        s = s.with(
            "Condition",
            Yaml::map().with(
                "StringEquals",
                Yaml::map().with("aws:SourceAccount", r("AWS::AccountId")),
            ),
        );
    }
    policy(vec![s])
}

fn tls_only(resources: Yaml) -> Yaml {
    Yaml::map()
        .with("Sid", "TlsOnly")
        .with("Effect", "Deny")
        .with("Principal", "*")
        .with("Action", "s3:*")
        .with("Resource", resources)
        .with(
            "Condition",
            Yaml::map().with("Bool", Yaml::map().with("aws:SecureTransport", "false")),
        )
}

fn parameter(kind: &str, description: &str, default: Option<Yaml>) -> Yaml {
    Yaml::map()
        .with("Type", kind)
        .with("Description", description)
        .with_opt("Default", default)
}

fn artifact(path: &str, doc: &Yaml, purpose: &str) -> Artifact {
    Artifact {
        path: path.into(),
        content: yaml::to_string(doc, HEADER),
        purpose: purpose.into(),
        step: "cloud".into(),
    }
}

/// The ingress rule of `group` from `from` on `port`, as its own resource (rules between two
/// groups that name each other would be a cycle inside the groups).
fn ingress(group: &str, from: &str, port: u16, why: &str) -> Yaml {
    res(
        "AWS::EC2::SecurityGroupIngress",
        Yaml::map()
            .with("GroupId", r(group))
            .with("Description", why)
            .with("IpProtocol", "tcp")
            .with("FromPort", port)
            .with("ToPort", port)
            .with("SourceSecurityGroupId", r(from)),
    )
}

fn egress(group: &str, to: &str, port: u16, why: &str) -> Yaml {
    res(
        "AWS::EC2::SecurityGroupEgress",
        Yaml::map()
            .with("GroupId", r(group))
            .with("Description", why)
            .with("IpProtocol", "tcp")
            .with("FromPort", port)
            .with("ToPort", port)
            .with("DestinationSecurityGroupId", r(to)),
    )
}

/// A security group whose only way out is the rules added to it: CloudFormation gives a new group
/// an allow-all egress rule unless the template lists one, so it lists one that matches nothing.
fn group(description: &str, suffix: &str, egress: Vec<Yaml>) -> Yaml {
    let egress = if egress.is_empty() {
        vec![Yaml::map()
            .with("Description", "No traffic: the rules of their own are the only way out")
            .with("IpProtocol", "icmp")
            .with("FromPort", 252u16)
            .with("ToPort", 86u16)
            .with("CidrIp", "255.255.255.255/32")]
    } else {
        egress
    };
    res(
        "AWS::EC2::SecurityGroup",
        Yaml::map()
            .with("GroupDescription", description)
            .with("VpcId", r("Vpc"))
            .with("SecurityGroupEgress", Yaml::Seq(egress))
            .with("Tags", tags(suffix)),
    )
}

/// The AWS stacks for `spec` in CloudFormation, or why they cannot be written.
pub fn generate(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    images: &[ImageFacts],
    remote: Option<&str>,
) -> Result<Generated, String> {
    if aws::tasks(spec).is_empty() {
        return Err("Slipway writes static sites on AWS (S3 behind CloudFront) in Terraform only: ask for Terraform, or leave the site to Netlify or Vercel".into());
    }
    let project = aws::project(spec);
    let repo = super::repository_of(remote);
    let engines = aws::engines(spec);
    let redis = aws::tasks(spec)
        .iter()
        .any(|s| s.backing_services.iter().any(|b| b == "redis"));
    let keeps_data = aws::tasks(spec).iter().any(|s| s.data_path.is_some());
    let mut g = Generated::default();
    g.artifacts.push(bootstrap(spec, &project, repo.as_deref(), remote));
    g.artifacts
        .push(stack(spec, cloud, &project, images, &engines, redis, keeps_data));
    g.cost = aws::estimate(spec, cloud, &engines, redis, keeps_data);
    // CloudFormation keeps the state itself: the bootstrap's key is the images'.
    for line in g.cost.lines.iter_mut().filter(|l| l.item == "KMS keys") {
        line.basis = "2 (the environment's, the images')".into();
    }
    g.picture = aws::picture(spec, cloud, &engines, redis);
    g.requirements = aws::requirements(spec, cloud, &project, repo.as_deref(), true);
    g.artifacts.push(Artifact {
        path: "docs/aws.md".into(),
        content: aws::runbook(
            spec,
            cloud,
            &project,
            repo.as_deref(),
            &engines,
            redis,
            keeps_data,
            &g.cost,
            true,
        ),
        purpose:
            "the order to deploy in, the secrets to fill, the pipeline's identities, backups and restores, the cost"
                .into(),
        step: "cloud".into(),
    });
    for svc in spec.services.iter().filter(|s| s.kind == "static") {
        g.findings.push(crate::Finding {
            severity: crate::Severity::Warning,
            rule: "cloud/not-placed".into(),
            path: svc.path.clone(),
            line: None,
            message: format!(
                "{} is a static site: it is left out of {STACK}, since S3 with CloudFront is written in Terraform only so far; ask for Terraform, or Netlify or Vercel serve it",
                svc.name
            ),
        });
    }
    // `aws cloudformation deploy` and `create-change-set` send a template inline up to 51,200 bytes;
    // past that they need a bucket to upload it to, which the bootstrap stack does not make.
    if let Some(t) = g
        .artifacts
        .iter()
        .find(|a| a.path == STACK)
        .filter(|a| a.content.len() > 51_200)
    {
        g.findings.push(crate::Finding {
            severity: crate::Severity::Error,
            rule: "cloud/template-size".into(),
            path: STACK.into(),
            line: None,
            message: format!(
                "the template is {} bytes, over the 51,200 CloudFormation takes inline: the pipeline's deploy would be refused; split the services into stacks of their own, or ask for Terraform",
                t.content.len()
            ),
        });
    }
    if let Some(region) = &cloud.backup_region {
        g.findings.push(crate::Finding {
            severity: crate::Severity::Info,
            rule: "cloud/backup-copy".into(),
            path: STACK.into(),
            line: None,
            message: format!(
                "CloudFormation has no resource for copying RDS backups to another region: docs/aws.md gives the one command that starts the copy to {region} after the first deploy"
            ),
        });
    }
    Ok(g)
}

fn bootstrap(spec: &DeploySpec, project: &str, repo: Option<&str>, remote: Option<&str>) -> Artifact {
    let tasks = aws::tasks(spec);
    let parameters = Yaml::map()
        .with(
            "GitHubRepository",
            parameter(
                "String",
                "owner/repository on GitHub: the only repository whose workflows may take the pipeline's roles.",
                Some(Yaml::str(repo.unwrap_or("OWNER/REPOSITORY"))),
            )
            .with("AllowedPattern", "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"),
        )
        .with(
            "CreateGitHubOidcProvider",
            parameter(
                "String",
                "false when the account already has GitHub's OIDC provider (an account holds one per URL).",
                Some(Yaml::str("true")),
            )
            .with("AllowedValues", Yaml::strs(["true", "false"])),
        );
    let conditions = Yaml::map().with(
        "CreateOidc",
        Yaml::map().with(
            "Fn::Equals",
            Yaml::Seq(vec![r("CreateGitHubOidcProvider"), Yaml::str("true")]),
        ),
    );
    let mut resources = Yaml::map();
    resources = resources.with_note(
        "Key",
        kept(
            "AWS::KMS::Key",
            "Retain",
            Yaml::map()
                .with("Description", format!("{project}: image repositories"))
                .with("EnableKeyRotation", true)
                .with("PendingWindowInDays", 30u32)
                .with(
                    "KeyPolicy",
                    policy(vec![Yaml::map()
                        .with("Sid", "Account")
                        .with("Effect", "Allow")
                        .with(
                            "Principal",
                            Yaml::map().with("AWS", sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")),
                        )
                        .with("Action", "kms:*")
                        .with("Resource", "*")]),
                ),
        ),
        "The key of the images; the account's IAM policies decide who may use it. Kept if the stack goes:\nthe images need it.",
    );
    let mut repo_arns = Vec::new();
    for svc in &tasks {
        let id = format!("{}Repository", camel(&svc.name));
        repo_arns.push(att(&id, "Arn"));
        resources = resources.with_note(
            &id,
            kept(
                "AWS::ECR::Repository",
                "Retain",
                Yaml::map()
                    .with("RepositoryName", aws::repository(spec, svc, remote))
                    .with("ImageTagMutability", "IMMUTABLE")
                    .with("ImageScanningConfiguration", Yaml::map().with("ScanOnPush", true))
                    .with(
                        "EncryptionConfiguration",
                        Yaml::map()
                            .with("EncryptionType", "KMS")
                            .with("KmsKey", att("Key", "Arn")),
                    )
                    .with(
                        "LifecyclePolicy",
                        Yaml::map().with(
                            "LifecyclePolicyText",
                            r#"{"rules":[{"rulePriority":1,"description":"Keep the last 50 images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":50},"action":{"type":"expire"}}]}"#,
                        ),
                    ),
            ),
            format!(
                "{}'s images; the pipeline pushes each build here and deploys it by digest. Tags never move.",
                svc.name
            ),
        );
    }
    resources = resources.with_note(
        "GitHubOidc",
        Yaml::map()
            .with("Type", "AWS::IAM::OIDCProvider")
            .with("Condition", "CreateOidc")
            .with(
                "Properties",
                Yaml::map()
                    .with("Url", "https://token.actions.githubusercontent.com")
                    .with("ClientIdList", Yaml::strs(["sts.amazonaws.com"])),
            ),
        "GitHub's OIDC provider: workflows get short-lived credentials; no access key exists anywhere.",
    );
    let provider = iff(
        "CreateOidc",
        r("GitHubOidc"),
        sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"),
    );
    let github_trust = |subjects: Vec<String>| {
        policy(vec![Yaml::map()
            .with("Effect", "Allow")
            .with("Principal", Yaml::map().with("Federated", provider.clone()))
            .with("Action", "sts:AssumeRoleWithWebIdentity")
            .with(
                "Condition",
                Yaml::map().with(
                    "StringEquals",
                    Yaml::map()
                        .with("token.actions.githubusercontent.com:aud", "sts.amazonaws.com")
                        .with(
                            "token.actions.githubusercontent.com:sub",
                            Yaml::Seq(subjects.into_iter().map(sub).collect()),
                        ),
                ),
            )])
    };
    let stacks =
        format!("arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{project}-*/*");
    let change_sets = |write: bool| {
        let mut actions = vec![
            "cloudformation:CreateChangeSet",
            "cloudformation:DeleteChangeSet",
            "cloudformation:DescribeChangeSet",
            "cloudformation:DescribeStackEvents",
            "cloudformation:DescribeStacks",
        ];
        if write {
            actions.push("cloudformation:ExecuteChangeSet");
        }
        vec![
            statement("ChangeSets", &actions, Yaml::Seq(vec![sub(stacks.clone())])),
            statement(
                "Templates",
                &["cloudformation:GetTemplateSummary", "cloudformation:ValidateTemplate"],
                Yaml::str("*"),
            ),
            statement(
                "PassTheStackRole",
                &["iam:PassRole"],
                Yaml::Seq(vec![att("CloudFormationRole", "Arn")]),
            )
            .with(
                "Condition",
                Yaml::map().with(
                    "StringEquals",
                    Yaml::map().with("iam:PassedToService", "cloudformation.amazonaws.com"),
                ),
            ),
        ]
    };
    let production = spec.production();
    resources = resources.with_note(
        "PlanRole",
        res(
            "AWS::IAM::Role",
            Yaml::map()
                .with("RoleName", format!("{project}-ci-plan"))
                .with("MaxSessionDuration", 3600u32)
                .with(
                    "AssumeRolePolicyDocument",
                    github_trust(vec!["repo:${GitHubRepository}:pull_request".into()]),
                )
                .with(
                    "ManagedPolicyArns",
                    Yaml::Seq(vec![sub("arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess")]),
                )
                .with(
                    "Policies",
                    Yaml::Seq(vec![Yaml::map()
                        .with("PolicyName", "change-sets")
                        .with("PolicyDocument", policy(change_sets(false)))]),
                ),
        ),
        format!(
            "The pipeline's plan role: on pull requests it makes a change set of {production} to show, never runs it."
        ),
    );
    resources = resources.with_note(
        "PushRole",
        res(
            "AWS::IAM::Role",
            Yaml::map()
                .with("RoleName", format!("{project}-ci-push"))
                .with("MaxSessionDuration", 3600u32)
                .with(
                    "AssumeRolePolicyDocument",
                    github_trust(vec![format!("repo:${{GitHubRepository}}:ref:refs/heads/{}", spec.branch)]),
                )
                .with(
                    "Policies",
                    Yaml::Seq(vec![Yaml::map().with("PolicyName", "push-images").with(
                        "PolicyDocument",
                        policy(vec![
                            statement("Login", &["ecr:GetAuthorizationToken"], Yaml::str("*")),
                            statement(
                                "Push",
                                &[
                                    "ecr:BatchCheckLayerAvailability",
                                    "ecr:BatchGetImage",
                                    "ecr:CompleteLayerUpload",
                                    "ecr:InitiateLayerUpload",
                                    "ecr:PutImage",
                                    "ecr:UploadLayerPart",
                                ],
                                Yaml::Seq(repo_arns.clone()),
                            ),
                            statement("Encrypt", &["kms:Decrypt", "kms:GenerateDataKey"], Yaml::Seq(vec![att("Key", "Arn")])),
                        ]),
                    )]),
                ),
        ),
        format!("The pipeline's push role: pushes the images the deploy branch builds, to these repositories and\nnowhere else; it deploys nothing, so a build not yet deployed holds no power over {production}."),
    );
    resources = resources.with_note(
        "DeployRole",
        res(
            "AWS::IAM::Role",
            Yaml::map()
                .with("RoleName", format!("{project}-ci-deploy"))
                .with("MaxSessionDuration", 3600u32)
                .with(
                    "AssumeRolePolicyDocument",
                    github_trust(
                        spec.environments
                            .iter()
                            .map(|e| format!("repo:${{GitHubRepository}}:environment:{}", e.name))
                            .collect(),
                    ),
                )
                .with("ManagedPolicyArns", Yaml::Seq(vec![sub("arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess")]))
                .with(
                    "Policies",
                    Yaml::Seq(vec![Yaml::map()
                        .with("PolicyName", "deploy-stacks")
                        .with("PolicyDocument", policy(change_sets(true)))]),
                ),
        ),
        "The pipeline's deploy role, from the deploy environments: it reads the account and runs change sets\nof the project's stacks, which CloudFormation carries out with its own role below.",
    );
    resources = resources.with_note(
        "CloudFormationRole",
        res(
            "AWS::IAM::Role",
            Yaml::map()
                .with("RoleName", format!("{project}-cloudformation"))
                .with("AssumeRolePolicyDocument", trust("cloudformation.amazonaws.com", true))
                .with("ManagedPolicyArns", Yaml::Seq(vec![sub("arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess")]))
                .with(
                    "Policies",
                    Yaml::Seq(vec![Yaml::map().with("PolicyName", "project-roles").with(
                        "PolicyDocument",
                        policy(vec![
                            statement(
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
                                    "iam:ListRolePolicies",
                                    "iam:PassRole",
                                    "iam:PutRolePolicy",
                                    "iam:TagRole",
                                    "iam:UntagRole",
                                    "iam:UpdateAssumeRolePolicy",
                                ],
                                Yaml::Seq(vec![sub(format!(
                                    "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{project}-*"
                                ))]),
                            ),
                            statement(
                                "ServiceLinkedRoles",
                                &["iam:CreateServiceLinkedRole"],
                                Yaml::Seq(vec![sub(
                                    "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/*",
                                )]),
                            ),
                        ]),
                    )]),
                ),
        ),
        "The role CloudFormation deploys the environment's stack with: PowerUserAccess for networks, load\nbalancers and databases, and IAM only for the roles named after the project, so a template can\nnever grant anything more. Only the deploy role may hand it to CloudFormation.",
    );
    let mut outputs = Yaml::map();
    for (key, value, description) in [
        (
            "PlanRoleArn",
            att("PlanRole", "Arn"),
            "AWS_PLAN_ROLE_ARN, a GitHub Actions variable.",
        ),
        (
            "PushRoleArn",
            att("PushRole", "Arn"),
            "AWS_ROLE_ARN, a GitHub Actions variable: the image jobs push with it.",
        ),
        (
            "DeployRoleArn",
            att("DeployRole", "Arn"),
            "AWS_DEPLOY_ROLE_ARN, a GitHub Actions variable.",
        ),
        (
            "CloudFormationRoleArn",
            att("CloudFormationRole", "Arn"),
            "AWS_CLOUDFORMATION_ROLE_ARN, a GitHub Actions variable: the deploy passes it to CloudFormation.",
        ),
    ] {
        outputs = outputs.with(key, Yaml::map().with("Description", description).with("Value", value));
    }
    for svc in &tasks {
        let id = camel(&svc.name);
        outputs = outputs.with(
            &format!("{id}RepositoryUri"),
            Yaml::map()
                .with("Description", format!("{}'s image repository.", svc.name))
                .with("Value", att(&format!("{id}Repository"), "RepositoryUri")),
        );
    }
    let doc = Yaml::map()
        .with("AWSTemplateFormatVersion", "2010-09-09")
        .with(
            "Description",
            format!("{project}: the account's shared part, deployed once by an administrator: image repositories and the pipeline's OIDC roles"),
        )
        .with("Parameters", parameters)
        .with("Conditions", conditions)
        .with("Resources", resources)
        .with("Outputs", outputs);
    artifact(
        BOOTSTRAP,
        &doc,
        "the account's shared part: the image repositories and the pipeline's OIDC roles, in CloudFormation",
    )
}

#[allow(clippy::too_many_arguments)]
fn stack(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    project: &str,
    images: &[ImageFacts],
    engines: &[Engine],
    redis: bool,
    keeps_data: bool,
) -> Artifact {
    let tasks = aws::tasks(spec);
    let web = aws::web(spec);
    let exposed = aws::exposed(spec);
    let prefix: u32 = cloud
        .vpc_cidr
        .rsplit_once('/')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(16);
    let min = spec.scaling.min_replicas.max(2);
    // Services with one writer (data on EFS) run one task: the autoscaling settings are for the rest.
    let scaled = tasks.iter().any(|s| s.data_path.is_none());
    let scaled_web = web.iter().any(|s| s.data_path.is_none());

    // Parameters: what differs between environments and accounts, typed and checked before
    // CloudFormation changes anything.
    let names: Vec<&str> = spec.environments.iter().map(|e| e.name.as_str()).collect();
    let mut p = Yaml::map()
        .with(
            "Project",
            parameter(
                "String",
                "The app's name; every resource is named after it and the environment.",
                Some(Yaml::str(project)),
            )
            .with("AllowedPattern", "^[a-z][a-z0-9-]{1,20}$")
            .with(
                "ConstraintDescription",
                "2 to 21 lowercase letters, digits and hyphens, starting with a letter",
            ),
        )
        .with(
            "Environment",
            parameter(
                "String",
                "The environment this stack is; the pipeline sets it.",
                Some(Yaml::str(spec.production())),
            )
            .with("AllowedValues", Yaml::strs(&names)),
        );
    for svc in &tasks {
        p = p.with(
            &image_parameter(svc),
            parameter(
                "String",
                &format!(
                    "{}'s image, pinned by digest (repository@sha256:...): the pipeline sets it to what it tested.",
                    svc.name
                ),
                None,
            )
            .with("AllowedPattern", "^.+@sha256:[a-f0-9]{64}$")
            .with(
                "ConstraintDescription",
                "an image pinned by digest, repository@sha256:<64 hex digits>",
            ),
        );
    }
    if exposed.is_empty() && !web.is_empty() {
        p = p.with(
            "CertificateArn",
            parameter(
                "String",
                "The ACM certificate of the load balancer's HTTPS listener (the spec names no host to make one for).",
                None,
            )
            .with(
                "AllowedPattern",
                "^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$",
            ),
        );
    }
    if !exposed.is_empty() {
        p = p.with(
            "HostedZoneId",
            parameter(
                "AWS::Route53::HostedZone::Id",
                &format!(
                    "The public Route 53 hosted zone of {}: the certificate is validated there and the hosts point at the load balancer.",
                    aws::zone_of(spec.host.as_deref().unwrap_or_default())
                ),
                None,
            ),
        );
    }
    p = p.with(
        "VpcCidr",
        parameter(
            "String",
            &format!("The network's address range, a /{prefix}; four subnets are cut from it."),
            Some(Yaml::str(&cloud.vpc_cidr)),
        )
        .with("AllowedPattern", format!(r"^(\d{{1,3}}\.){{3}}\d{{1,3}}/{prefix}$"))
        .with(
            "ConstraintDescription",
            format!("an IPv4 range of size /{prefix}, such as 10.0.0.0/{prefix}"),
        ),
    );
    let fargate_cpu = ["256", "512", "1024", "2048", "4096", "8192", "16384"];
    p = p
        .with(
            "TaskCpu",
            parameter(
                "String",
                "CPU units per task (1024 is one vCPU).",
                Some(Yaml::str(cloud.task_cpu.to_string())),
            )
            .with("AllowedValues", Yaml::strs(fargate_cpu)),
        )
        .with(
            "TaskMemory",
            parameter(
                "Number",
                "Memory per task, MiB; Fargate takes only certain sizes for each CPU size.",
                Some(Yaml::from(cloud.task_memory)),
            )
            .with("MinValue", 512u32)
            .with("MaxValue", 122880u32),
        );
    if scaled {
        p = p
            .with(
                "MinTasks",
                parameter(
                    "Number",
                    "Fewest tasks per service; two keep serving while one is replaced or its zone fails.",
                    Some(Yaml::from(min)),
                )
                .with("MinValue", 1u32),
            )
            .with(
                "MaxTasks",
                parameter(
                    "Number",
                    "Most tasks per service the autoscaler starts.",
                    Some(Yaml::from(spec.scaling.max_replicas.max(min))),
                )
                .with("MinValue", 1u32),
            )
            .with(
                "CpuTarget",
                parameter(
                    "Number",
                    "Average CPU use, in percent, the autoscaler holds the tasks at.",
                    Some(Yaml::from(spec.scaling.cpu_percent)),
                )
                .with("MinValue", 1u32)
                .with("MaxValue", 100u32),
            );
    }
    if scaled_web {
        p = p.with(
            "RequestsPerTask",
            parameter(
                "Number",
                "Requests a minute each task takes on average before the autoscaler adds one.",
                Some(Yaml::from(1000u32)),
            )
            .with("MinValue", 1u32),
        );
    }
    p = p.with(
        "LogDays",
        parameter("Number", "Days the logs are kept.", Some(Yaml::from(cloud.log_days))).with(
            "AllowedValues",
            Yaml::Seq(
                crate::knowledge::LOG_RETENTION_DAYS
                    .iter()
                    .map(|d| Yaml::from(*d))
                    .collect(),
            ),
        ),
    );
    if !engines.is_empty() {
        p = p
            .with(
                "DbClass",
                parameter(
                    "String",
                    "The database's instance class.",
                    Some(Yaml::str(&cloud.db_class)),
                )
                .with("AllowedPattern", r"^db\.[a-z0-9]+\.[a-z0-9]+$")
                .with("ConstraintDescription", "an RDS instance class, such as db.t4g.small"),
            )
            .with(
                "DbStorageGb",
                parameter(
                    "Number",
                    "The database's storage, GiB.",
                    Some(Yaml::from(cloud.db_storage_gb)),
                )
                .with("MinValue", 20u32)
                .with("MaxValue", 65536u32),
            )
            .with(
                "DbMaxStorageGb",
                parameter(
                    "Number",
                    "The storage the database may grow to by itself, GiB.",
                    Some(Yaml::from(cloud.db_storage_gb * 5)),
                )
                .with("MinValue", 21u32)
                .with("MaxValue", 65536u32),
            )
            .with(
                "BackupDays",
                parameter(
                    "Number",
                    "Days of automated backups; point-in-time recovery reaches back as far.",
                    Some(Yaml::from(cloud.backup_days)),
                )
                .with("MinValue", 1u32)
                .with("MaxValue", 35u32)
                .with(
                    "ConstraintDescription",
                    "from 1 to 35: RDS keeps automated backups that long at most, and 0 turns them off",
                ),
            );
    }
    if !engines.is_empty() || redis {
        p = p.with(
            "MultiAz",
            parameter(
                "String",
                "A standby database (and cache replica) in a second zone that takes over by itself.",
                Some(Yaml::str(cloud.multi_az.to_string())),
            )
            .with("AllowedValues", Yaml::strs(["true", "false"])),
        );
    }
    let mut conditions = Yaml::map();
    if redis {
        conditions = conditions.with(
            "MultiAzOn",
            Yaml::map().with("Fn::Equals", Yaml::Seq(vec![r("MultiAz"), Yaml::str("true")])),
        );
    }

    let mut rs = Yaml::map();
    // The key.
    rs = rs.with_note(
        "Key",
        res(
            "AWS::KMS::Key",
            Yaml::map()
                .with("Description", name("logs, secrets, databases"))
                .with("EnableKeyRotation", true)
                .with("PendingWindowInDays", 30u32)
                .with(
                    "KeyPolicy",
                    policy(vec![
                        Yaml::map()
                            .with("Sid", "Account")
                            .with("Effect", "Allow")
                            .with(
                                "Principal",
                                Yaml::map().with("AWS", sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")),
                            )
                            .with("Action", "kms:*")
                            .with("Resource", "*"),
                        Yaml::map()
                            .with("Sid", "Logs")
                            .with("Effect", "Allow")
                            .with(
                                "Principal",
                                Yaml::map().with("Service", sub("logs.${AWS::Region}.amazonaws.com")),
                            )
                            .with(
                                "Action",
                                Yaml::strs([
                                    "kms:Decrypt*",
                                    "kms:Describe*",
                                    "kms:Encrypt*",
                                    "kms:GenerateDataKey*",
                                    "kms:ReEncrypt*",
                                ]),
                            )
                            .with("Resource", "*")
                            .with(
                                "Condition",
                                Yaml::map().with(
                                    "ArnLike",
                                    Yaml::map().with(
                                        "kms:EncryptionContext:aws:logs:arn",
                                        sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"),
                                    ),
                                ),
                            ),
                    ]),
                ),
        ),
        "One key encrypts the logs, the secrets, the database and the file system; it rotates yearly.",
    );
    rs = rs.with(
        "KeyAlias",
        res(
            "AWS::KMS::Alias",
            Yaml::map()
                .with("AliasName", sub("alias/${Project}-${Environment}"))
                .with("TargetKeyId", r("Key")),
        ),
    );

    // The network.
    rs = rs.with_note(
        "Vpc",
        res(
            "AWS::EC2::VPC",
            Yaml::map()
                .with("CidrBlock", r("VpcCidr"))
                .with("EnableDnsSupport", true)
                .with("EnableDnsHostnames", true)
                .with("Tags", tags("vpc")),
        ),
        "The network: two zones, each with a public subnet (the load balancer and the NAT gateway) and a\nprivate one (tasks, databases, caches). One NAT gateway keeps the cost down; its zone failing\ncuts the tasks' way out (not the way in) until it is back.",
    );
    rs = rs
        .with(
            "InternetGateway",
            res("AWS::EC2::InternetGateway", Yaml::map().with("Tags", tags("igw"))),
        )
        .with(
            "GatewayAttachment",
            res(
                "AWS::EC2::VPCGatewayAttachment",
                Yaml::map()
                    .with("VpcId", r("Vpc"))
                    .with("InternetGatewayId", r("InternetGateway")),
            ),
        );
    let host_bits = 32u32.saturating_sub(prefix + 4).to_string();
    for (kind, offset) in [("Public", 0usize), ("Private", 2)] {
        for i in 0..2usize {
            rs = rs.with(
                &format!("{kind}Subnet{i}"),
                res(
                    "AWS::EC2::Subnet",
                    Yaml::map()
                        .with("VpcId", r("Vpc"))
                        .with(
                            "CidrBlock",
                            Yaml::map().with(
                                "Fn::Select",
                                Yaml::Seq(vec![
                                    Yaml::str((i + offset).to_string()),
                                    Yaml::map().with(
                                        "Fn::Cidr",
                                        Yaml::Seq(vec![r("VpcCidr"), Yaml::str("4"), Yaml::str(&host_bits)]),
                                    ),
                                ]),
                            ),
                        )
                        .with(
                            "AvailabilityZone",
                            Yaml::map().with(
                                "Fn::Select",
                                Yaml::Seq(vec![Yaml::str(i.to_string()), Yaml::map().with("Fn::GetAZs", "")]),
                            ),
                        )
                        .with("MapPublicIpOnLaunch", false)
                        .with(
                            "Tags",
                            Yaml::Seq(vec![
                                Yaml::map()
                                    .with("Key", "Name")
                                    .with("Value", name(&format!("{}-{i}", kind.to_ascii_lowercase()))),
                                Yaml::map().with("Key", "Tier").with("Value", kind.to_ascii_lowercase()),
                            ]),
                        ),
                ),
            );
        }
    }
    rs = rs
        .with(
            "NatAddress",
            depends(
                res(
                    "AWS::EC2::EIP",
                    Yaml::map().with("Domain", "vpc").with("Tags", tags("nat")),
                ),
                &["GatewayAttachment".into()],
            ),
        )
        .with(
            "NatGateway",
            res(
                "AWS::EC2::NatGateway",
                Yaml::map()
                    .with("AllocationId", att("NatAddress", "AllocationId"))
                    .with("SubnetId", r("PublicSubnet0"))
                    .with("Tags", tags("nat")),
            ),
        );
    for (kind, key, target) in [
        ("Public", "GatewayId", "InternetGateway"),
        ("Private", "NatGatewayId", "NatGateway"),
    ] {
        let table = format!("{kind}RouteTable");
        rs = rs.with(
            &table,
            res(
                "AWS::EC2::RouteTable",
                Yaml::map()
                    .with("VpcId", r("Vpc"))
                    .with("Tags", tags(&kind.to_ascii_lowercase())),
            ),
        );
        let route = res(
            "AWS::EC2::Route",
            Yaml::map()
                .with("RouteTableId", r(&table))
                .with("DestinationCidrBlock", "0.0.0.0/0")
                .with(key, r(target)),
        );
        rs = rs.with(
            &format!("{kind}Route"),
            if kind == "Public" {
                depends(route, &["GatewayAttachment".into()])
            } else {
                route
            },
        );
        for i in 0..2 {
            rs = rs.with(
                &format!("{kind}Subnet{i}Routes"),
                res(
                    "AWS::EC2::SubnetRouteTableAssociation",
                    Yaml::map()
                        .with("SubnetId", r(&format!("{kind}Subnet{i}")))
                        .with("RouteTableId", r(&table)),
                ),
            );
        }
    }
    rs = rs
        .with_note(
            "FlowLog",
            res(
                "AWS::EC2::FlowLog",
                Yaml::map()
                    .with("ResourceId", r("Vpc"))
                    .with("ResourceType", "VPC")
                    .with("TrafficType", "ALL")
                    .with("LogDestinationType", "cloud-watch-logs")
                    .with("LogGroupName", r("FlowLogGroup"))
                    .with("DeliverLogsPermissionArn", att("FlowLogRole", "Arn")),
            ),
            "Every connection's metadata, kept with the logs: what reached what, when, and whether it was refused.",
        )
        .with(
            "FlowLogGroup",
            res(
                "AWS::Logs::LogGroup",
                Yaml::map()
                    .with("LogGroupName", sub("/vpc/${Project}-${Environment}"))
                    .with("RetentionInDays", r("LogDays"))
                    .with("KmsKeyId", att("Key", "Arn")),
            ),
        )
        .with(
            "FlowLogRole",
            res(
                "AWS::IAM::Role",
                Yaml::map()
                    .with("RoleName", name("flow-logs"))
                    .with("AssumeRolePolicyDocument", trust("vpc-flow-logs.amazonaws.com", true))
                    .with(
                        "Policies",
                        Yaml::Seq(vec![Yaml::map().with("PolicyName", "write-flow-logs").with(
                            "PolicyDocument",
                            policy(vec![statement(
                                "WriteFlowLogs",
                                &["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                                Yaml::Seq(vec![sub("${FlowLogGroup.Arn}:*")]),
                            )]),
                        )]),
                    ),
            ),
        );

    // The way in.
    if !web.is_empty() {
        rs = rs.with_note(
            "AlbSecurityGroup",
            res(
                "AWS::EC2::SecurityGroup",
                Yaml::map()
                    .with("GroupDescription", "The load balancer: HTTPS and the redirect from HTTP, from anywhere")
                    .with("VpcId", r("Vpc"))
                    .with(
                        "SecurityGroupIngress",
                        Yaml::Seq(
                            [(443u16, "HTTPS from anywhere"), (80, "HTTP from anywhere, redirected to HTTPS")]
                                .into_iter()
                                .map(|(port, why)| {
                                    Yaml::map()
                                        .with("Description", why)
                                        .with("IpProtocol", "tcp")
                                        .with("FromPort", port)
                                        .with("ToPort", port)
                                        .with("CidrIp", "0.0.0.0/0")
                                })
                                .collect(),
                        ),
                    )
                    .with(
                        "SecurityGroupEgress",
                        Yaml::Seq(vec![Yaml::map()
                            .with("Description", "No traffic: the rules of their own are the only way out")
                            .with("IpProtocol", "icmp")
                            .with("FromPort", 252u16)
                            .with("ToPort", 86u16)
                            .with("CidrIp", "255.255.255.255/32")]),
                    )
                    .with("Tags", tags("alb")),
            ),
            "The way in: HTTPS on 443 with a certificate from ACM, HTTP on 80 only to redirect to it, and a\ntarget group per service that sends requests only to tasks that answer their readiness path.",
        );
        for svc in &web {
            let port = svc.port.unwrap_or(8080);
            rs = rs.with(
                &format!("AlbTo{}", camel(&svc.name)),
                egress(
                    "AlbSecurityGroup",
                    "TasksSecurityGroup",
                    port,
                    &format!("To the tasks of {}", svc.name),
                ),
            );
        }
        rs = rs
            .with_note(
                "AlbLogs",
                kept(
                    "AWS::S3::Bucket",
                    "Retain",
                    Yaml::map()
                        .with(
                            "BucketEncryption",
                            Yaml::map().with(
                                "ServerSideEncryptionConfiguration",
                                Yaml::Seq(vec![Yaml::map().with(
                                    "ServerSideEncryptionByDefault",
                                    Yaml::map().with("SSEAlgorithm", "AES256"),
                                )]),
                            ),
                        )
                        .with(
                            "PublicAccessBlockConfiguration",
                            Yaml::map()
                                .with("BlockPublicAcls", true)
                                .with("BlockPublicPolicy", true)
                                .with("IgnorePublicAcls", true)
                                .with("RestrictPublicBuckets", true),
                        )
                        .with(
                            "OwnershipControls",
                            Yaml::map().with(
                                "Rules",
                                Yaml::Seq(vec![Yaml::map().with("ObjectOwnership", "BucketOwnerEnforced")]),
                            ),
                        )
                        .with("VersioningConfiguration", Yaml::map().with("Status", "Enabled"))
                        .with(
                            "LifecycleConfiguration",
                            Yaml::map().with(
                                "Rules",
                                Yaml::Seq(vec![Yaml::map()
                                    .with("Id", "expire")
                                    .with("Status", "Enabled")
                                    .with("ExpirationInDays", 90u32)
                                    .with("NoncurrentVersionExpiration", Yaml::map().with("NoncurrentDays", 7u32))
                                    .with(
                                        "AbortIncompleteMultipartUpload",
                                        Yaml::map().with("DaysAfterInitiation", 7u32),
                                    )]),
                            ),
                        ),
                ),
                "Access logs for every request, kept 90 days; ALB writes them with S3-managed keys only.",
            )
            .with(
                "AlbLogsPolicy",
                res(
                    "AWS::S3::BucketPolicy",
                    Yaml::map().with("Bucket", r("AlbLogs")).with(
                        "PolicyDocument",
                        policy(vec![
                            Yaml::map()
                                .with("Sid", "LogDelivery")
                                .with("Effect", "Allow")
                                .with(
                                    "Principal",
                                    Yaml::map().with("Service", "logdelivery.elasticloadbalancing.amazonaws.com"),
                                )
                                .with("Action", "s3:PutObject")
                                .with("Resource", sub("${AlbLogs.Arn}/AWSLogs/${AWS::AccountId}/*")),
                            tls_only(Yaml::Seq(vec![att("AlbLogs", "Arn"), sub("${AlbLogs.Arn}/*")])),
                        ]),
                    ),
                ),
            );
        let attribute = |k: &str, v: Yaml| Yaml::map().with("Key", k).with("Value", v);
        rs = rs.with_note(
            "LoadBalancer",
            depends(
                res(
                    "AWS::ElasticLoadBalancingV2::LoadBalancer",
                    Yaml::map()
                        .with("Type", "application")
                        .with("Scheme", "internet-facing")
                        .with("SecurityGroups", Yaml::Seq(vec![r("AlbSecurityGroup")]))
                        .with("Subnets", Yaml::Seq(vec![r("PublicSubnet0"), r("PublicSubnet1")]))
                        .with(
                            "LoadBalancerAttributes",
                            Yaml::Seq(vec![
                                attribute("routing.http.drop_invalid_header_fields.enabled", Yaml::str("true")),
                                attribute("routing.http.desync_mitigation_mode", Yaml::str("defensive")),
                                attribute("deletion_protection.enabled", Yaml::str("true")),
                                attribute("access_logs.s3.enabled", Yaml::str("true")),
                                attribute("access_logs.s3.bucket", r("AlbLogs")),
                            ]),
                        ),
                ),
                &["AlbLogsPolicy".into()],
            ),
            "Deletion protection: removing the load balancer takes a person turning it off first.",
        );
        let certificate = if exposed.is_empty() {
            r("CertificateArn")
        } else {
            let hosts: Vec<&str> = exposed.iter().map(|(_, h)| h.as_str()).collect();
            let mut cert = Yaml::map()
                .with("DomainName", hosts[0])
                .with("ValidationMethod", "DNS")
                .with(
                    "DomainValidationOptions",
                    Yaml::Seq(
                        hosts
                            .iter()
                            .map(|h| {
                                Yaml::map()
                                    .with("DomainName", *h)
                                    .with("HostedZoneId", r("HostedZoneId"))
                            })
                            .collect(),
                    ),
                );
            if hosts.len() > 1 {
                cert = cert.with("SubjectAlternativeNames", Yaml::strs(&hosts[1..]));
            }
            rs = rs.with_note(
                "Certificate",
                res("AWS::CertificateManager::Certificate", cert),
                "The hosts' certificate, validated by DNS records CloudFormation writes in the zone; ACM renews it.",
            );
            r("Certificate")
        };
        let default_action = if web.len() == 1 {
            Yaml::map()
                .with("Type", "forward")
                .with("TargetGroupArn", r(&format!("{}TargetGroup", camel(&web[0].name))))
        } else {
            Yaml::map().with("Type", "fixed-response").with(
                "FixedResponseConfig",
                Yaml::map()
                    .with("ContentType", "text/plain")
                    .with("MessageBody", "Not found")
                    .with("StatusCode", "404"),
            )
        };
        rs = rs
            .with_note(
                "HttpsListener",
                res(
                    "AWS::ElasticLoadBalancingV2::Listener",
                    Yaml::map()
                        .with("LoadBalancerArn", r("LoadBalancer"))
                        .with("Port", 443u16)
                        .with("Protocol", "HTTPS")
                        .with("SslPolicy", "ELBSecurityPolicy-TLS13-1-2-2021-06")
                        .with(
                            "Certificates",
                            Yaml::Seq(vec![Yaml::map().with("CertificateArn", certificate)]),
                        )
                        .with("DefaultActions", Yaml::Seq(vec![default_action])),
                ),
                "TLS 1.2 and 1.3 only.",
            )
            .with(
                "HttpListener",
                res(
                    "AWS::ElasticLoadBalancingV2::Listener",
                    Yaml::map()
                        .with("LoadBalancerArn", r("LoadBalancer"))
                        .with("Port", 80u16)
                        .with("Protocol", "HTTP")
                        .with(
                            "DefaultActions",
                            Yaml::Seq(vec![Yaml::map().with("Type", "redirect").with(
                                "RedirectConfig",
                                Yaml::map()
                                    .with("Port", "443")
                                    .with("Protocol", "HTTPS")
                                    .with("StatusCode", "HTTP_301"),
                            )]),
                        ),
                ),
            );
        for (i, svc) in web.iter().enumerate() {
            let id = camel(&svc.name);
            let path = svc
                .readiness_path
                .clone()
                .or_else(|| svc.health_path.clone())
                .unwrap_or_else(|| "/".into());
            rs = rs.with_note(
                &format!("{id}TargetGroup"),
                res(
                    "AWS::ElasticLoadBalancingV2::TargetGroup",
                    Yaml::map()
                        .with("Port", svc.port.unwrap_or(8080))
                        .with("Protocol", "HTTP")
                        .with("TargetType", "ip")
                        .with("VpcId", r("Vpc"))
                        .with("HealthCheckPath", path.as_str())
                        .with("Matcher", Yaml::map().with("HttpCode", "200-399"))
                        .with("HealthCheckIntervalSeconds", 15u32)
                        .with("HealthCheckTimeoutSeconds", 5u32)
                        .with("HealthyThresholdCount", 2u32)
                        .with("UnhealthyThresholdCount", 3u32)
                        .with(
                            "TargetGroupAttributes",
                            Yaml::Seq(vec![attribute("deregistration_delay.timeout_seconds", Yaml::str("30"))]),
                        ),
                ),
                format!(
                    "{}: a task takes requests once {path} answers, and has 30 s to finish them when it leaves.",
                    svc.name
                ),
            );
            if web.len() > 1 {
                if let Some((_, host)) = exposed.iter().find(|(n, _)| *n == name_of(&svc.name)) {
                    rs = rs.with(
                        &format!("{id}ListenerRule"),
                        res(
                            "AWS::ElasticLoadBalancingV2::ListenerRule",
                            Yaml::map()
                                .with("ListenerArn", r("HttpsListener"))
                                .with("Priority", 100 + i as u32)
                                .with(
                                    "Actions",
                                    Yaml::Seq(vec![Yaml::map()
                                        .with("Type", "forward")
                                        .with("TargetGroupArn", r(&format!("{id}TargetGroup")))]),
                                )
                                .with(
                                    "Conditions",
                                    Yaml::Seq(vec![Yaml::map().with("Field", "host-header").with(
                                        "HostHeaderConfig",
                                        Yaml::map().with("Values", Yaml::strs([host.as_str()])),
                                    )]),
                                ),
                        ),
                    );
                }
            }
        }
        for (i, (_, host)) in exposed.iter().enumerate() {
            rs = rs.with(
                &format!("HostRecord{i}"),
                res(
                    "AWS::Route53::RecordSet",
                    Yaml::map()
                        .with("HostedZoneId", r("HostedZoneId"))
                        .with("Name", host.as_str())
                        .with("Type", "A")
                        .with(
                            "AliasTarget",
                            Yaml::map()
                                .with("DNSName", att("LoadBalancer", "DNSName"))
                                .with("HostedZoneId", att("LoadBalancer", "CanonicalHostedZoneID"))
                                .with("EvaluateTargetHealth", true),
                        ),
                ),
            );
        }
    }

    // The services.
    rs = rs.with_note(
        "Cluster",
        res(
            "AWS::ECS::Cluster",
            Yaml::map().with("ClusterName", name("")).with(
                "ClusterSettings",
                Yaml::Seq(vec![Yaml::map()
                    .with("Name", "containerInsights")
                    .with("Value", "enhanced")]),
            ),
        ),
        "Container Insights: CPU, memory and task counts per service, with the tasks' own metrics.",
    );
    rs = rs.with_note(
        "TasksSecurityGroup",
        group(
            "The tasks of the services: requests from the load balancer only",
            "tasks",
            vec![Yaml::map()
                .with(
                    "Description",
                    "HTTPS out: image pulls, Secrets Manager, AWS APIs, calls of the app",
                )
                .with("IpProtocol", "tcp")
                .with("FromPort", 443u16)
                .with("ToPort", 443u16)
                .with("CidrIp", "0.0.0.0/0")],
        ),
        "The services' tasks: in from the load balancer on their ports, out to HTTPS and the data stores.",
    );
    for svc in &web {
        rs = rs.with(
            &format!("{}FromAlb", camel(&svc.name)),
            ingress(
                "TasksSecurityGroup",
                "AlbSecurityGroup",
                svc.port.unwrap_or(8080),
                &format!("{} from the load balancer", svc.name),
            ),
        );
    }
    let mut stores: Vec<(String, String, u16, String)> = engines
        .iter()
        .map(|e| {
            (
                camel(e.id),
                e.label.to_string(),
                e.port,
                "From the tasks of the services".to_string(),
            )
        })
        .collect();
    if redis {
        stores.push((
            "Redis".into(),
            "Redis".into(),
            6379,
            "From the tasks of the services".into(),
        ));
    }
    if keeps_data {
        stores.push((
            "Files".into(),
            "the file system".into(),
            2049,
            "NFS from the tasks of the services".into(),
        ));
    }
    for (id, label, port, why) in &stores {
        rs = rs
            .with(
                &format!("TasksTo{id}"),
                egress(
                    "TasksSecurityGroup",
                    &format!("{id}SecurityGroup"),
                    *port,
                    &format!("To {label}"),
                ),
            )
            .with(
                &format!("{id}SecurityGroup"),
                group(
                    &format!("{label}: from the tasks of the services only"),
                    &id.to_ascii_lowercase(),
                    vec![],
                ),
            )
            .with(
                &format!("{id}FromTasks"),
                ingress(&format!("{id}SecurityGroup"), "TasksSecurityGroup", *port, why),
            );
    }

    let secrets: Vec<(&ServiceSpec, &str)> = tasks
        .iter()
        .flat_map(|svc| {
            svc.env
                .iter()
                .filter(|e| e.secret)
                .map(move |e| (*svc, e.name.as_str()))
        })
        .collect();
    let mut execution = vec![statement(
        "Decrypt",
        &["kms:Decrypt"],
        Yaml::Seq(vec![att("Key", "Arn")]),
    )];
    if !secrets.is_empty() {
        execution.push(statement(
            "ReadSecrets",
            &["secretsmanager:GetSecretValue"],
            Yaml::Seq(secrets.iter().map(|(svc, e)| r(&secret_id(svc, e))).collect()),
        ));
    }
    rs = rs.with_note(
        "ExecutionRole",
        res(
            "AWS::IAM::Role",
            Yaml::map()
                .with("RoleName", name("execution"))
                .with("AssumeRolePolicyDocument", trust("ecs-tasks.amazonaws.com", true))
                .with(
                    "ManagedPolicyArns",
                    Yaml::Seq(vec![sub(
                        "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                    )]),
                )
                .with(
                    "Policies",
                    Yaml::Seq(vec![Yaml::map()
                        .with("PolicyName", "read-secrets")
                        .with("PolicyDocument", policy(execution))]),
                ),
        ),
        "What ECS does for a task (pull, log, read exactly the services' own secrets), apart from what the\napp itself may do (the task role: nothing yet).",
    );
    let mut task_role = Yaml::map()
        .with("RoleName", name("task"))
        .with("AssumeRolePolicyDocument", trust("ecs-tasks.amazonaws.com", true));
    if keeps_data {
        task_role = task_role.with(
            "Policies",
            Yaml::Seq(vec![Yaml::map().with("PolicyName", "mount-files").with(
                "PolicyDocument",
                policy(vec![statement(
                    "MountFiles",
                    &["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                    Yaml::Seq(vec![att("Files", "Arn")]),
                )]),
            )]),
        );
    }
    rs = rs.with("TaskRole", res("AWS::IAM::Role", task_role));

    for svc in &tasks {
        let id = name_of(&svc.name);
        let c = camel(&svc.name);
        let user = images
            .iter()
            .find(|i| i.service == svc.name)
            .and_then(|i| i.user)
            .unwrap_or((10001, 10001));
        for e in svc.env.iter().filter(|e| e.secret) {
            rs = rs.with_note(
                &secret_id(svc, &e.name),
                kept(
                    "AWS::SecretsManager::Secret",
                    "Retain",
                    Yaml::map()
                        .with("Name", sub(format!("${{Project}}-${{Environment}}/{id}/{}", e.name)))
                        .with(
                            "Description",
                            format!(
                                "{}'s {}: its value is put in by a person (docs/aws.md), never by CloudFormation",
                                svc.name, e.name
                            ),
                        )
                        .with("KmsKeyId", r("Key"))
                        .with(
                            "GenerateSecretString",
                            Yaml::map().with("PasswordLength", 32u32).with("ExcludePunctuation", true),
                        ),
                ),
                "A random placeholder until a person puts the value in; the template never holds it, and the\nentry stays when the stack goes.",
            );
        }
        rs = rs.with(
            &format!("{c}Logs"),
            res(
                "AWS::Logs::LogGroup",
                Yaml::map()
                    .with("LogGroupName", sub(format!("/ecs/${{Project}}-${{Environment}}/{id}")))
                    .with("RetentionInDays", r("LogDays"))
                    .with("KmsKeyId", att("Key", "Arn")),
            ),
        );
        let port = svc.port.filter(|_| svc.kind != "worker");
        let writable = crate::kube::writable_paths(svc);
        let mut mounts: Vec<Yaml> = writable
            .iter()
            .map(|(v, path)| {
                Yaml::map()
                    .with("SourceVolume", *v)
                    .with("ContainerPath", path.as_str())
                    .with("ReadOnly", false)
            })
            .collect();
        if let Some(data) = &svc.data_path {
            mounts.push(
                Yaml::map()
                    .with("SourceVolume", "data")
                    .with("ContainerPath", data.as_str())
                    .with("ReadOnly", false),
            );
        }
        let mut container = Yaml::map()
            .with("Name", "app")
            .with("Image", r(&image_parameter(svc)))
            .with("Essential", true)
            .with("User", format!("{}:{}", user.0, user.1))
            .with("ReadonlyRootFilesystem", true)
            .with(
                "LinuxParameters",
                Yaml::map()
                    .with("Capabilities", Yaml::map().with("Drop", Yaml::strs(["ALL"])))
                    .with("InitProcessEnabled", true),
            );
        if let Some(p) = port {
            container = container
                .with(
                    "PortMappings",
                    Yaml::Seq(vec![Yaml::map().with("ContainerPort", p).with("Protocol", "tcp")]),
                )
                .with(
                    "Environment",
                    Yaml::Seq(vec![Yaml::map().with("Name", "PORT").with("Value", p.to_string())]),
                );
        }
        let secret_refs: Vec<Yaml> = svc
            .env
            .iter()
            .filter(|e| e.secret)
            .map(|e| {
                Yaml::map()
                    .with("Name", e.name.as_str())
                    .with("ValueFrom", r(&secret_id(svc, &e.name)))
            })
            .collect();
        if !secret_refs.is_empty() {
            container = container.with("Secrets", Yaml::Seq(secret_refs));
        }
        container = container
            .with("MountPoints", Yaml::Seq(mounts))
            .with("StopTimeout", 30u32)
            .with(
                "LogConfiguration",
                Yaml::map().with("LogDriver", "awslogs").with(
                    "Options",
                    Yaml::map()
                        .with("awslogs-group", r(&format!("{c}Logs")))
                        .with("awslogs-region", r("AWS::Region"))
                        .with("awslogs-stream-prefix", "app"),
                ),
            );
        let mut volumes: Vec<Yaml> = writable.iter().map(|(v, _)| Yaml::map().with("Name", *v)).collect();
        if svc.data_path.is_some() {
            volumes.push(
                Yaml::map().with("Name", "data").with(
                    "EFSVolumeConfiguration",
                    Yaml::map()
                        .with("FilesystemId", r("Files"))
                        .with("TransitEncryption", "ENABLED")
                        .with(
                            "AuthorizationConfig",
                            Yaml::map()
                                .with("AccessPointId", r(&format!("{c}AccessPoint")))
                                .with("IAM", "ENABLED"),
                        ),
                ),
            );
        }
        rs = rs.with_note(
            &format!("{c}TaskDefinition"),
            res(
                "AWS::ECS::TaskDefinition",
                Yaml::map()
                    .with("Family", name(&id))
                    .with("RequiresCompatibilities", Yaml::strs(["FARGATE"]))
                    .with("NetworkMode", "awsvpc")
                    .with("Cpu", r("TaskCpu"))
                    .with("Memory", r("TaskMemory"))
                    .with("ExecutionRoleArn", att("ExecutionRole", "Arn"))
                    .with("TaskRoleArn", att("TaskRole", "Arn"))
                    .with(
                        "RuntimePlatform",
                        Yaml::map().with("OperatingSystemFamily", "LINUX").with("CpuArchitecture", "X86_64"),
                    )
                    .with("ContainerDefinitions", Yaml::Seq(vec![container]))
                    .with("Volumes", Yaml::Seq(volumes)),
            ),
            format!(
                "{}: the tested image by digest, its own numeric user, a read-only root with writable volumes where\nthe stack writes, no capabilities, secrets from Secrets Manager.",
                svc.name
            ),
        );
        let one_writer = svc.data_path.is_some();
        let mut service = Yaml::map()
            .with("ServiceName", id.as_str())
            .with("Cluster", r("Cluster"))
            .with("TaskDefinition", r(&format!("{c}TaskDefinition")))
            .with("LaunchType", "FARGATE")
            .with("PlatformVersion", "LATEST");
        if one_writer {
            service = service.with("DesiredCount", 1u32);
        }
        service = service
            .with(
                "DeploymentConfiguration",
                Yaml::map()
                    .with("MinimumHealthyPercent", if one_writer { 0u32 } else { 100 })
                    .with("MaximumPercent", if one_writer { 100u32 } else { 200 })
                    .with(
                        "DeploymentCircuitBreaker",
                        Yaml::map().with("Enable", true).with("Rollback", true),
                    ),
            )
            .with("PropagateTags", "SERVICE")
            .with("EnableECSManagedTags", true)
            .with(
                "NetworkConfiguration",
                Yaml::map().with(
                    "AwsvpcConfiguration",
                    Yaml::map()
                        .with("Subnets", Yaml::Seq(vec![r("PrivateSubnet0"), r("PrivateSubnet1")]))
                        .with("SecurityGroups", Yaml::Seq(vec![r("TasksSecurityGroup")]))
                        .with("AssignPublicIp", "DISABLED"),
                ),
            );
        let mut deps = vec!["ExecutionRole".to_string(), "PrivateRoute".to_string()];
        if let Some(p) = port {
            service = service
                .with("HealthCheckGracePeriodSeconds", crate::kube::startup_budget(svc))
                .with(
                    "LoadBalancers",
                    Yaml::Seq(vec![Yaml::map()
                        .with("TargetGroupArn", r(&format!("{c}TargetGroup")))
                        .with("ContainerName", "app")
                        .with("ContainerPort", p)]),
                );
            deps.push("HttpsListener".into());
            if web.len() > 1 && exposed.iter().any(|(n, _)| *n == id) {
                deps.push(format!("{c}ListenerRule"));
            }
        }
        rs = rs.with_note(
            &format!("{c}Service"),
            depends(res("AWS::ECS::Service", service), &deps),
            if one_writer {
                format!(
                    "{}: one task, since its data on the file system has one writer; a deploy stops it before the next\nstarts, so requests wait while it restarts.",
                    svc.name
                )
            } else {
                format!(
                    "{}: the autoscaler owns the task count (no DesiredCount here, so an update never resets it); a\ndeploy that does not become healthy rolls back by itself, and CloudFormation's update fails with it.",
                    svc.name
                )
            },
        );
        if !one_writer {
            rs = rs.with(
                &format!("{c}Scaling"),
                res(
                    "AWS::ApplicationAutoScaling::ScalableTarget",
                    Yaml::map()
                        .with("ServiceNamespace", "ecs")
                        .with("ScalableDimension", "ecs:service:DesiredCount")
                        .with("ResourceId", sub(format!("service/${{Cluster}}/${{{c}Service.Name}}")))
                        .with("MinCapacity", r("MinTasks"))
                        .with("MaxCapacity", r("MaxTasks")),
                ),
            );
            rs = rs.with_note(
                &format!("{c}CpuScaling"),
                tracking(
                    &format!("{id}-cpu"),
                    &c,
                    "CpuTarget",
                    Yaml::map().with("PredefinedMetricType", "ECSServiceAverageCPUUtilization"),
                ),
                "Out fast when the CPU runs hot, in slowly (5 minutes) so a dip does not drop tasks it needs again.",
            );
            if port.is_some() {
                rs = rs.with_note(
                    &format!("{c}RequestScaling"),
                    tracking(
                        &format!("{id}-requests"),
                        &c,
                        "RequestsPerTask",
                        Yaml::map()
                            .with("PredefinedMetricType", "ALBRequestCountPerTarget")
                            .with(
                                "ResourceLabel",
                                sub(format!(
                                    "${{LoadBalancer.LoadBalancerFullName}}/${{{c}TargetGroup.TargetGroupFullName}}"
                                )),
                            ),
                    ),
                    "And out when requests pile up on each task, before the CPU shows it (an app waiting on its\ndatabase is busy at low CPU).",
                );
            }
        }
        if svc.data_path.is_some() {
            rs = rs.with(
                &format!("{c}AccessPoint"),
                res(
                    "AWS::EFS::AccessPoint",
                    Yaml::map()
                        .with("FileSystemId", r("Files"))
                        .with(
                            "PosixUser",
                            Yaml::map()
                                .with("Uid", user.0.to_string())
                                .with("Gid", user.1.to_string()),
                        )
                        .with(
                            "RootDirectory",
                            Yaml::map().with("Path", format!("/{id}")).with(
                                "CreationInfo",
                                Yaml::map()
                                    .with("OwnerUid", user.0.to_string())
                                    .with("OwnerGid", user.1.to_string())
                                    .with("Permissions", "0750"),
                            ),
                        ),
                ),
            );
        }
    }

    // The data stores.
    if !engines.is_empty() {
        rs = rs
            .with(
                "DbSubnets",
                res(
                    "AWS::RDS::DBSubnetGroup",
                    Yaml::map()
                        .with("DBSubnetGroupName", name(""))
                        .with("DBSubnetGroupDescription", "The private subnets")
                        .with("SubnetIds", Yaml::Seq(vec![r("PrivateSubnet0"), r("PrivateSubnet1")])),
                ),
            )
            .with(
                "DbMonitoringRole",
                res(
                    "AWS::IAM::Role",
                    Yaml::map()
                        .with("RoleName", name("rds-monitoring"))
                        .with("AssumeRolePolicyDocument", trust("monitoring.rds.amazonaws.com", false))
                        .with(
                            "ManagedPolicyArns",
                            Yaml::Seq(vec![sub(
                                "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
                            )]),
                        ),
                ),
            );
    }
    for e in engines {
        let c = camel(e.id);
        rs = rs.with(
            &format!("{c}Parameters"),
            res(
                "AWS::RDS::DBParameterGroup",
                Yaml::map()
                    .with("Description", format!("{}: TLS only", e.label))
                    .with("Family", e.family)
                    .with("Parameters", Yaml::map().with(e.ssl.0, e.ssl.1)),
            ),
        );
        rs = rs.with_note(
            &c,
            with_metadata(
                kept(
                "AWS::RDS::DBInstance",
                "Snapshot",
                Yaml::map()
                    .with("DBInstanceIdentifier", name(e.id))
                    .with("Engine", e.engine)
                    .with("EngineVersion", e.version)
                    .with("EngineLifecycleSupport", "open-source-rds-extended-support-disabled")
                    .with("DBInstanceClass", r("DbClass"))
                    .with("AllocatedStorage", r("DbStorageGb"))
                    .with("MaxAllocatedStorage", r("DbMaxStorageGb"))
                    .with("StorageType", "gp3")
                    .with("StorageEncrypted", true)
                    .with("KmsKeyId", r("Key"))
                    .with("DBName", "app")
                    .with("MasterUsername", "app")
                    .with("ManageMasterUserPassword", true)
                    .with("MasterUserSecret", Yaml::map().with("KmsKeyId", r("Key")))
                    .with("EnableIAMDatabaseAuthentication", true)
                    .with("Port", e.port.to_string())
                    .with("DBSubnetGroupName", r("DbSubnets"))
                    .with("VPCSecurityGroups", Yaml::Seq(vec![r(&format!("{c}SecurityGroup"))]))
                    .with("DBParameterGroupName", r(&format!("{c}Parameters")))
                    .with("PubliclyAccessible", false)
                    .with("MultiAZ", r("MultiAz"))
                    .with("BackupRetentionPeriod", r("BackupDays"))
                    .with("PreferredBackupWindow", "03:00-04:00")
                    .with("PreferredMaintenanceWindow", "sun:04:30-sun:05:30")
                    .with("DeleteAutomatedBackups", false)
                    .with("CopyTagsToSnapshot", true)
                    .with("DeletionProtection", true)
                    .with("AutoMinorVersionUpgrade", true)
                    .with("CACertificateIdentifier", "rds-ca-rsa2048-g1")
                    .with("EnablePerformanceInsights", true)
                    .with("PerformanceInsightsKMSKeyId", r("Key"))
                    .with("PerformanceInsightsRetentionPeriod", 7u32)
                    .with("MonitoringInterval", 60u32)
                    .with("MonitoringRoleArn", att("DbMonitoringRole", "Arn"))
                    .with("EnableCloudwatchLogsExports", Yaml::strs(e.logs.iter().copied())),
                ),
                Yaml::map().with_note(
                    "cfn-lint",
                    Yaml::map().with("config", Yaml::map().with("ignore_checks", Yaml::strs(["E3691", "W3691"]))),
                    "The major version alone, as RDS takes it: it picks the current minor and upgrades it in the\nmaintenance window, which a minor pinned here would fight. cfn-lint's list holds full versions only.",
                ),
            ),
            format!(
                "{}: private, encrypted, TLS only, the master password made and rotated by RDS in Secrets Manager\n(never in the template). Backups every day, kept BackupDays days, which is also how far back\npoint-in-time recovery reaches; removing it from the template or replacing it takes a final\nsnapshot first (DeletionPolicy), deletion protection makes a person turn it off, and deleting\nthe instance keeps its automated backups.",
                e.label
            ),
        );
    }
    if redis {
        rs = rs
            .with(
                "CacheSubnets",
                res(
                    "AWS::ElastiCache::SubnetGroup",
                    Yaml::map()
                        .with("CacheSubnetGroupName", name(""))
                        .with("Description", "The private subnets")
                        .with("SubnetIds", Yaml::Seq(vec![r("PrivateSubnet0"), r("PrivateSubnet1")])),
                ),
            )
            .with_note(
                "Redis",
                kept(
                    "AWS::ElastiCache::ReplicationGroup",
                    "Snapshot",
                    Yaml::map()
                        .with("ReplicationGroupId", name("redis"))
                        .with("ReplicationGroupDescription", name("the app's cache"))
                        .with("Engine", "redis")
                        .with("EngineVersion", "7.1")
                        .with("CacheNodeType", "cache.t4g.micro")
                        .with("NumCacheClusters", iff("MultiAzOn", Yaml::from(2u32), Yaml::from(1u32)))
                        .with("AutomaticFailoverEnabled", r("MultiAz"))
                        .with("MultiAZEnabled", r("MultiAz"))
                        .with("Port", 6379u16)
                        .with("CacheSubnetGroupName", r("CacheSubnets"))
                        .with("SecurityGroupIds", Yaml::Seq(vec![r("RedisSecurityGroup")]))
                        .with("AtRestEncryptionEnabled", true)
                        .with("KmsKeyId", r("Key"))
                        .with("TransitEncryptionEnabled", true)
                        .with("SnapshotRetentionLimit", 7u32)
                        .with("SnapshotWindow", "02:00-03:00")
                        .with("AutoMinorVersionUpgrade", true),
                ),
                "Redis (Valkey-compatible ElastiCache): private, encrypted at rest and in transit (the app connects\nwith rediss://), a replica in the second zone when MultiAz is on, a daily snapshot kept a week.",
            );
    }
    if keeps_data {
        rs = rs.with_note(
            "Files",
            kept(
                "AWS::EFS::FileSystem",
                "Retain",
                Yaml::map()
                    .with("Encrypted", true)
                    .with("KmsKeyId", r("Key"))
                    .with("BackupPolicy", Yaml::map().with("Status", "ENABLED"))
                    .with("FileSystemTags", tags("data")),
            ),
            "The file system the services that keep data write to: encrypted, reached only from the tasks,\nbacked up daily by AWS Backup (kept 35 days), one directory per service owned by its user.",
        );
        for i in 0..2 {
            rs = rs.with(
                &format!("FilesMount{i}"),
                res(
                    "AWS::EFS::MountTarget",
                    Yaml::map()
                        .with("FileSystemId", r("Files"))
                        .with("SubnetId", r(&format!("PrivateSubnet{i}")))
                        .with("SecurityGroups", Yaml::Seq(vec![r("FilesSecurityGroup")])),
                ),
            );
        }
    }

    // Outputs: what the pipeline and the runbook read after a deploy.
    let mut outs = Yaml::map();
    let mut out = |key: &str, value: Yaml, description: String| {
        outs = std::mem::replace(&mut outs, Yaml::map())
            .with(key, Yaml::map().with("Description", description).with("Value", value));
    };
    if !web.is_empty() {
        out(
            "Url",
            match exposed.first() {
                Some((_, h)) => Yaml::str(format!("https://{h}")),
                None => sub("https://${LoadBalancer.DNSName}"),
            },
            "Where the app answers.".into(),
        );
        out(
            "LoadBalancer",
            att("LoadBalancer", "DNSName"),
            "The load balancer's own name.".into(),
        );
    }
    out("Cluster", r("Cluster"), "The ECS cluster.".into());
    for svc in &tasks {
        let c = camel(&svc.name);
        out(
            &format!("{c}Service"),
            att(&format!("{c}Service"), "Name"),
            format!("{}'s ECS service.", svc.name),
        );
        out(
            &format!("{c}Logs"),
            r(&format!("{c}Logs")),
            format!("{}'s log group.", svc.name),
        );
        out(
            &format!("{c}TaskDefinition"),
            r(&format!("{c}TaskDefinition")),
            format!(
                "The task definition {} should run: the deploy compares it with what ECS runs after the rollout.",
                svc.name
            ),
        );
    }
    for e in engines {
        let c = camel(e.id);
        out(
            &format!("{c}Endpoint"),
            att(&c, "Endpoint.Address"),
            format!("{}'s address, for the app's connection URL.", e.label),
        );
        out(
            &format!("{c}MasterSecret"),
            att(&c, "MasterUserSecret.SecretArn"),
            format!("The Secrets Manager entry RDS keeps {}'s master password in.", e.label),
        );
    }
    if redis {
        out(
            "RedisEndpoint",
            att("Redis", "PrimaryEndPoint.Address"),
            "Redis's address (rediss://, TLS).".into(),
        );
    }

    let mut doc = Yaml::map()
        .with("AWSTemplateFormatVersion", "2010-09-09")
        .with(
            "Description",
            format!("{project}: one environment on ECS Fargate behind an HTTPS load balancer, in a private network"),
        )
        .with("Parameters", p);
    if !conditions.is_empty() {
        doc = doc.with("Conditions", conditions);
    }
    doc = doc.with("Resources", rs).with("Outputs", outs);
    artifact(
        STACK,
        &doc,
        "the environment: network, load balancer, ECS services, databases, secrets, logs and autoscaling, in CloudFormation",
    )
}

/// A target-tracking policy of service `c`'s scaling target, holding `metric` at the parameter
/// `target`: out within 30 s, in after 5 minutes.
fn tracking(policy: &str, c: &str, target: &str, metric: Yaml) -> Yaml {
    res(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        Yaml::map()
            .with("PolicyName", name(policy))
            .with("PolicyType", "TargetTrackingScaling")
            .with("ScalingTargetId", r(&format!("{c}Scaling")))
            .with(
                "TargetTrackingScalingPolicyConfiguration",
                Yaml::map()
                    .with("TargetValue", r(target))
                    .with("ScaleInCooldown", 300u32)
                    .with("ScaleOutCooldown", 30u32)
                    .with("PredefinedMetricSpecification", metric),
            ),
    )
}

/// The stack of `environment`.
pub fn stack_name(spec: &DeploySpec, environment: &str) -> String {
    format!("{}-{environment}", aws::project(spec))
}

fn outputs_function(stack: &str) -> String {
    format!(
        r#"out() {{ aws cloudformation describe-stacks --stack-name {stack} --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text; }}"#
    )
}

/// The shell lines of the plan job on pull requests: a change set of the production stack with
/// the images it runs now (each image parameter keeps its previous value), written into the
/// summary as a table and deleted; before the first deploy, the resources the template creates.
pub fn plan_commands(spec: &DeploySpec) -> Vec<String> {
    let production = spec.production();
    let stack = stack_name(spec, production);
    let keep: Vec<String> = aws::tasks(spec)
        .iter()
        .map(|s| format!("ParameterKey={},UsePreviousValue=true", image_parameter(s)))
        .collect();
    vec![
        format!("stack={stack}"),
        r#"name="plan-$GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT""#.into(),
        format!(
            r####"if ! aws cloudformation describe-stacks --stack-name "$stack" >/dev/null 2>&1; then {{ echo "### CloudFormation: $stack does not exist yet"; echo; echo "The first deploy creates these resources:"; echo; aws cloudformation get-template-summary --template-body file://{STACK} --query 'ResourceTypes' --output text | tr '\t' '\n' | sort | uniq -c | sed 's/^ */- /'; }} >> "$GITHUB_STEP_SUMMARY"; exit 0; fi"####
        ),
        format!(
            r#"aws cloudformation create-change-set --stack-name "$stack" --change-set-name "$name" --template-body file://{STACK} --capabilities CAPABILITY_NAMED_IAM --parameters ParameterKey=Environment,ParameterValue={production} {}"#,
            keep.join(" ")
        ),
        // A template with no change ends FAILED ("didn't contain changes"): shown, not an error.
        r#"aws cloudformation wait change-set-create-complete --stack-name "$stack" --change-set-name "$name" || true"#.into(),
        r#"aws cloudformation describe-change-set --stack-name "$stack" --change-set-name "$name" --output json > change-set.json"#.into(),
        format!(
            r####"{{ echo "### CloudFormation change set: {production}"; echo; jq -r '"Status: \(.Status) \(.StatusReason // "")", "", "| Action | Resource | Type | Replaced |", "|---|---|---|---|", (.Changes[]?.ResourceChange | "| \(.Action) | \(.LogicalResourceId) | \(.ResourceType) | \(.Replacement // "") |")' change-set.json; }} >> "$GITHUB_STEP_SUMMARY""####
        ),
        r#"aws cloudformation delete-change-set --stack-name "$stack" --change-set-name "$name""#.into(),
    ]
}

/// The shell lines of the deploy to `environment`: the stack deployed through CloudFormation's
/// own role with the tested images by digest (a service whose image job did not run keeps the
/// digest it runs: its parameter is left out, so CloudFormation keeps its value); then each
/// service waited for, and a failed job when ECS runs another task definition than the stack's.
pub fn apply_commands(spec: &DeploySpec, environment: &str) -> Vec<String> {
    let stack = stack_name(spec, environment);
    let project = aws::project(spec);
    let mut c = vec![
        format!("stack={stack}"),
        format!("overrides=(Environment={environment})"),
    ];
    for svc in aws::tasks(spec) {
        let var = aws::image_var(svc);
        c.push(format!(
            r#"[ "${var}" = "@" ] || overrides+=("{}=${var}")"#,
            image_parameter(svc)
        ));
    }
    c.push(format!(
        r#"aws cloudformation deploy --stack-name "$stack" --template-file {STACK} --role-arn "$AWS_CLOUDFORMATION_ROLE_ARN" --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --tags Project={project} Environment={environment} ManagedBy=cloudformation --parameter-overrides "${{overrides[@]}}""#
    ));
    c.push(outputs_function("\"$stack\""));
    c.push(r#"cluster=$(out Cluster)"#.into());
    for svc in aws::tasks(spec) {
        let k = camel(&svc.name);
        c.push(format!(r#"service=$(out {k}Service)"#));
        c.push(r#"aws ecs wait services-stable --cluster "$cluster" --services "$service""#.into());
        c.push(format!(
            r#"running=$(aws ecs describe-services --cluster "$cluster" --services "$service" --query 'services[0].taskDefinition' --output text); [ "$running" = "$(out {k}TaskDefinition)" ] || {{ echo "::error::ECS runs {name} on $running, not the stack's task definition: its new tasks never became healthy (docs/aws.md)"; exit 1; }}"#,
            name = svc.name
        ));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_are_alphanumeric_and_stable() {
        assert_eq!(camel("api-gateway"), "ApiGateway");
        assert_eq!(camel("web_app"), "WebApp");
        assert_eq!(camel("postgres"), "Postgres");
        assert!(camel("My Service 2").chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
