//! A managed Kubernetes cluster on a cloud ("EKS", "GKE", "AKS", "Kubernetes on AWS"): the
//! cluster that the manifests of [`crate::kube`] run in, created in Terraform.
//!
//! Each cloud gets the same shape. The bootstrap stack is the cloud's own (state with locking,
//! the image registry, the pipeline's identities trusting GitHub's OIDC subjects), with the
//! identities a cluster needs; the environment's stack holds a network of its own with private
//! nodes, the cluster with its Secrets encrypted by a key of the project's, its control plane's
//! logs, automatic upgrades in a maintenance window, protection against an apply that would
//! delete it, and the deploy identity's access to the app's namespace. The pipeline plans it on
//! pull requests and applies it from the deploy branch, then signs in to the cluster with the
//! same short-lived credentials to roll out the tested image; no kubeconfig is ever stored.
//!
//! - AWS: EKS in Auto Mode (AWS runs the nodes, their load balancers and disks), access entries
//!   instead of the aws-auth ConfigMap, the API reachable from `var.api_cidrs`.
//! - Google Cloud: GKE Autopilot on a private network, its API reached through the DNS endpoint
//!   that checks IAM on every call (no address to allow), Binary Authorization, Gateway API.
//! - Azure: AKS with Entra ID and Azure RBAC only (no local accounts), workload identity, Azure
//!   CNI overlay with Cilium network policies, a zone-redundant autoscaled pool.

use hcl::{Block, Expression};

use super::cost::{self, Estimate};
use super::tf::{data, file, obj, res, st, strs, validation, variable, versions};
use super::{CloudNode, Generated};
use crate::generate::Artifact;
use crate::pipeline::Requirement;
use crate::spec::{CloudSpec, ClusterSpec, DeploySpec};
use crate::write::hcl::{expr, HclFile};

const HEADER: &str = "Written by Slipway from the project's deployment spec. Plan before applying:\nterraform plan shows every resource this creates (docs/{doc}.md says in what order).";

fn header(doc: &str) -> String {
    HEADER.replace("{doc}", doc)
}

/// The cloud's name, the cluster's, and the folder and document its files go in.
pub fn names(provider: &str) -> (&'static str, &'static str, &'static str) {
    match provider {
        "gcp" => ("Google Cloud", "GKE Autopilot", "gcp"),
        "azure" => ("Azure", "AKS", "azure"),
        _ => ("AWS", "EKS Auto Mode", "aws"),
    }
}

/// The cluster's name in `environment`: the project's and the environment's, as `local.name`.
pub fn cluster_name(spec: &DeploySpec, environment: &str) -> String {
    format!("{}-{environment}", super::aws::project(spec))
}

/// The namespace the app runs in, in `environment`.
pub fn namespace(spec: &DeploySpec, environment: &str) -> String {
    use crate::params::Packaging;
    match spec.kube.packaging {
        Packaging::Kustomize | Packaging::Helm => crate::kube::kustomize::namespace_for(spec, environment),
        Packaging::Manifests => spec.kube.namespace.clone(),
    }
}

/// The cluster's Terraform for `spec`, or why it cannot be written.
pub fn generate(spec: &DeploySpec, cloud: &CloudSpec, remote: Option<&str>) -> Result<Generated, String> {
    let Some(cluster) = &cloud.cluster else {
        return Err("the deployment spec has no cluster".into());
    };
    let project = super::aws::project(spec);
    let repo = super::repository_of(remote);
    let (_, _, doc) = names(&cloud.provider);
    let production = spec.production().to_string();
    let mut g = Generated::default();
    match cloud.provider.as_str() {
        "gcp" => {
            g.artifacts
                .push(super::gcp::bootstrap(spec, cloud, &project, repo.as_deref()));
            g.artifacts.push(versions_file(
                doc,
                ("google", "hashicorp/google", crate::knowledge::GOOGLE_PROVIDER),
            ));
            g.artifacts.push(super::gcp::backend(cloud, &project, &production));
            g.artifacts.extend(gcp_stack(spec, cloud, &project));
        }
        "azure" => {
            g.artifacts
                .push(super::azure::bootstrap(spec, cloud, &project, repo.as_deref()));
            g.artifacts.push(versions_file(
                doc,
                ("azurerm", "hashicorp/azurerm", crate::knowledge::AZURERM_WRITTEN),
            ));
            g.artifacts.push(super::azure::backend(cloud, &project, &production));
            g.artifacts.extend(azure_stack(spec, cloud, cluster, &project));
        }
        _ => {
            g.artifacts
                .push(super::aws::bootstrap(spec, cloud, &project, repo.as_deref(), remote));
            g.artifacts
                .extend(super::aws::versions_and_backend(cloud, &project, &production));
            g.artifacts.extend(aws_stack(spec, cloud, cluster, &project));
        }
    }
    g.cost = estimate(spec, cloud, cluster);
    g.picture = picture(spec, cloud, cluster);
    g.requirements = requirements(spec, cloud, repo.as_deref());
    g.artifacts.push(Artifact {
        path: format!("docs/{doc}.md"),
        content: runbook(spec, cloud, cluster, &project, repo.as_deref(), &g.cost),
        purpose: "the order to apply in, who may reach the cluster, the first objects to create, upgrades, the cost"
            .into(),
        step: "cloud".into(),
    });
    Ok(g)
}

fn versions_file(doc: &str, provider: (&str, &str, &str)) -> Artifact {
    let mut f = HclFile::new(header(doc));
    f.block(versions(&[provider]));
    file(
        format!("infra/{doc}/versions.tf"),
        &f,
        "the Terraform and provider versions it was written for",
    )
}

/// variables.tf's start: its header, the project and the environment, the network's range.
fn variables_head(doc: &str, project: &str, spec: &DeploySpec, cloud: &CloudSpec) -> HclFile {
    let (cloud_name, _, _) = names(&cloud.provider);
    let mut f = HclFile::new(format!(
        "{}\n\nEvery value that differs between environments or projects is a variable with its type, a\ndescription and the checks {cloud_name} would otherwise make only halfway through an apply.",
        header(doc)
    ));
    for b in super::tf::project_and_environment(project, spec) {
        f.block(b);
    }
    f.block(
        variable(
            "vpc_cidr",
            "string",
            "The network's address range; the nodes' subnet (and on Google Cloud the pods' and services' ranges) are cut from it.",
            Some(st(&cloud.vpc_cidr)),
        )
        .add_block(validation(
            "can(cidrnetmask(var.vpc_cidr)) && tonumber(split(\"/\", var.vpc_cidr)[1]) >= 16 && tonumber(split(\"/\", var.vpc_cidr)[1]) <= 20",
            "vpc_cidr must be an IPv4 range from /16 to /20, such as 10.0.0.0/16: a cluster's nodes and pods need the room.",
        ))
        .build(),
    );
    f
}

/// The ranges the cluster's API answers (EKS, AKS): every call is still signed in.
fn api_cidrs_variable() -> Block {
    variable(
        "api_cidrs",
        "list(string)",
        "The IPv4 ranges the cluster's API answers: your office, your VPN, the pipeline's runners. GitHub's hosted runners have no fixed addresses: use runners with static addresses, or 0.0.0.0/0 knowing that every call must still sign in (docs say more).",
        None,
    )
    .add_block(validation(
        "length(var.api_cidrs) > 0 && alltrue([for c in var.api_cidrs : can(cidrnetmask(c))])",
        "api_cidrs must list IPv4 ranges, such as 203.0.113.0/24.",
    ))
    .build()
}

/// The namespaces the app runs in, by environment, for the deploy identity's access.
fn namespaces_local(spec: &DeploySpec) -> Expression {
    obj(spec
        .environments
        .iter()
        .map(|e| (e.name.clone(), st(namespace(spec, &e.name)))))
}

fn output(f: &mut HclFile, name: &str, description: &str, value: &str) {
    f.block(
        Block::builder("output")
            .add_label(name)
            .add_attribute(("description", description))
            .add_attribute(("value", expr(value)))
            .build(),
    );
}

// ---------------------------------------------------------------------------------------------
// AWS: EKS in Auto Mode in its own VPC.

fn aws_stack(spec: &DeploySpec, cloud: &CloudSpec, cluster: &ClusterSpec, project: &str) -> Vec<Artifact> {
    let dir = "infra/aws";
    let mut out = Vec::new();
    let mut f = HclFile::new(header("aws"));
    f.block(super::aws::provider(None, expr("local.tags")));
    f.block(super::tf::environment_locals("tags", true, "terraform"));
    f.block(
        data("aws_availability_zones", "available")
            .add_attribute(("state", "available"))
            .build(),
    );
    f.block(data("aws_caller_identity", "current").build());
    f.block(data("aws_region", "current").build());
    out.push(file(
        format!("{dir}/providers.tf"),
        &f,
        "the AWS provider, the tags on every resource, and the names",
    ));

    let mut f = variables_head("aws", project, spec, cloud);
    f.block(super::aws::region_variable(cloud));
    f.block(
        variable(
            "kubernetes_version",
            "string",
            "The Kubernetes minor version the cluster runs; upgrade one minor at a time (docs/aws.md).",
            Some(st(&cluster.version)),
        )
        .add_block(validation(
            "can(regex(\"^1\\\\.[0-9]{2}$\", var.kubernetes_version))",
            "kubernetes_version must be a minor version such as 1.35.",
        ))
        .build(),
    );
    f.block(api_cidrs_variable());
    f.block(
        variable(
            "admin_role_arns",
            "list(string)",
            "The IAM roles of the people who administer the cluster (they create the namespace and the app's Secrets): cluster-admin.",
            None,
        )
        .add_block(validation(
            "alltrue([for a in var.admin_role_arns : can(regex(\"^arn:aws:iam::[0-9]{12}:role/.+$\", a))])",
            "admin_role_arns must be IAM role ARNs (arn:aws:iam::123456789012:role/name).",
        ))
        .build(),
    );
    f.block(super::aws::log_days_variable(
        cloud,
        "Days the control plane's and the network's logs are kept.",
    ));
    out.push(file(
        format!("{dir}/variables.tf"),
        &f,
        "every setting, typed, described and checked",
    ));

    let mut network = super::aws::network(cloud);
    // Auto Mode finds the subnets for load balancers by their role tags: internet-facing ones in
    // the public subnets, internal ones in the private.
    let mut f = HclFile::new(String::new());
    for (kind, role) in [("public", "elb"), ("private", "internal-elb")] {
        f.block(
            res("aws_ec2_tag", &format!("{kind}_{}", role.replace('-', "_")))
                .add_attribute(("count", 2))
                .add_attribute(("resource_id", expr(&format!("aws_subnet.{kind}[count.index].id"))))
                .add_attribute(("key", format!("kubernetes.io/role/{role}")))
                .add_attribute(("value", "1"))
                .build(),
        );
    }
    network.content = format!(
        "{}\n# The subnets' roles for the load balancers EKS Auto Mode creates for Services and Ingresses.\n{}",
        network.content.trim_end(),
        f.render().trim_start_matches('\n')
    );
    network.purpose =
        "the VPC: two zones, public subnets for load balancers, private ones for the nodes, one NAT gateway, flow logs"
            .into();
    out.push(network);
    out.push(super::aws::kms_file());

    let mut f = HclFile::new(format!(
        "{}\n\nThe cluster: EKS in Auto Mode, so AWS runs the nodes (patched and replaced every 21 days at\nmost), their load balancers and their disks. Its Secrets are encrypted with the project's key,\nits control plane logs every call, and only access entries let anyone in.",
        header("aws")
    ));
    let trust = |id: &str, service: &str, tag: bool| {
        let mut actions = vec!["sts:AssumeRole"];
        if tag {
            actions.push("sts:TagSession");
        }
        data("aws_iam_policy_document", id)
            .add_block(
                Block::builder("statement")
                    .add_attribute(("actions", strs(actions)))
                    .add_block(
                        Block::builder("principals")
                            .add_attribute(("type", "Service"))
                            .add_attribute(("identifiers", strs([service])))
                            .build(),
                    )
                    .build(),
            )
            .build()
    };
    f.block(trust("cluster_trust", "eks.amazonaws.com", true));
    f.commented(
        "The control plane's role: Auto Mode manages nodes, load balancers, disks and the network with it.",
        res("aws_iam_role", "cluster")
            .add_attribute(("name", expr("\"${local.name}-eks-cluster\"")))
            .add_attribute((
                "assume_role_policy",
                expr("data.aws_iam_policy_document.cluster_trust.json"),
            ))
            .build(),
    );
    let managed = |names: &[&str]| {
        expr(&format!(
            "toset([{}])",
            names
                .iter()
                .map(|n| format!("\"arn:aws:iam::aws:policy/{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    f.block(
        res("aws_iam_role_policy_attachment", "cluster")
            .add_attribute((
                "for_each",
                managed(&[
                    "AmazonEKSBlockStoragePolicy",
                    "AmazonEKSClusterPolicy",
                    "AmazonEKSComputePolicy",
                    "AmazonEKSLoadBalancingPolicy",
                    "AmazonEKSNetworkingPolicy",
                ]),
            ))
            .add_attribute(("role", expr("aws_iam_role.cluster.name")))
            .add_attribute(("policy_arn", expr("each.value")))
            .build(),
    );
    f.block(trust("node_trust", "ec2.amazonaws.com", false));
    f.commented(
        "The nodes' role: they join the cluster and pull images, and may do nothing else.",
        res("aws_iam_role", "node")
            .add_attribute(("name", expr("\"${local.name}-eks-node\"")))
            .add_attribute((
                "assume_role_policy",
                expr("data.aws_iam_policy_document.node_trust.json"),
            ))
            .build(),
    );
    f.block(
        res("aws_iam_role_policy_attachment", "node")
            .add_attribute((
                "for_each",
                managed(&["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodeMinimalPolicy"]),
            ))
            .add_attribute(("role", expr("aws_iam_role.node.name")))
            .add_attribute(("policy_arn", expr("each.value")))
            .build(),
    );
    f.commented(
        "The control plane's logs, made before the cluster so EKS does not make one that is kept forever.",
        res("aws_cloudwatch_log_group", "cluster")
            .add_attribute(("name", expr("\"/aws/eks/${local.name}/cluster\"")))
            .add_attribute(("retention_in_days", expr("var.log_days")))
            .add_attribute(("kms_key_id", expr("aws_kms_key.main.arn")))
            .build(),
    );
    f.commented(
        "prevent_destroy: deleting the cluster deletes everything running in it; remove the line on purpose first.",
        res("aws_eks_cluster", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("version", expr("var.kubernetes_version")))
            .add_attribute(("role_arn", expr("aws_iam_role.cluster.arn")))
            .add_attribute(("bootstrap_self_managed_addons", false))
            .add_attribute((
                "enabled_cluster_log_types",
                strs(["api", "audit", "authenticator", "controllerManager", "scheduler"]),
            ))
            .add_block(
                Block::builder("access_config")
                    .add_attribute(("authentication_mode", "API"))
                    .add_attribute(("bootstrap_cluster_creator_admin_permissions", false))
                    .build(),
            )
            .add_block(
                Block::builder("compute_config")
                    .add_attribute(("enabled", true))
                    .add_attribute(("node_pools", strs(["general-purpose", "system"])))
                    .add_attribute(("node_role_arn", expr("aws_iam_role.node.arn")))
                    .build(),
            )
            .add_block(
                Block::builder("kubernetes_network_config")
                    .add_block(
                        Block::builder("elastic_load_balancing")
                            .add_attribute(("enabled", true))
                            .build(),
                    )
                    .build(),
            )
            .add_block(
                Block::builder("storage_config")
                    .add_block(Block::builder("block_storage").add_attribute(("enabled", true)).build())
                    .build(),
            )
            .add_block(
                Block::builder("vpc_config")
                    .add_attribute(("subnet_ids", expr("aws_subnet.private[*].id")))
                    .add_attribute(("endpoint_private_access", true))
                    .add_attribute(("endpoint_public_access", true))
                    .add_attribute(("public_access_cidrs", expr("var.api_cidrs")))
                    .build(),
            )
            .add_block(
                Block::builder("encryption_config")
                    .add_attribute(("resources", strs(["secrets"])))
                    .add_block(
                        Block::builder("provider")
                            .add_attribute(("key_arn", expr("aws_kms_key.main.arn")))
                            .build(),
                    )
                    .build(),
            )
            .add_block(
                Block::builder("upgrade_policy")
                    .add_attribute(("support_type", "STANDARD"))
                    .build(),
            )
            .add_block(
                Block::builder("zonal_shift_config")
                    .add_attribute(("enabled", true))
                    .build(),
            )
            .add_block(
                Block::builder("lifecycle")
                    .add_attribute(("prevent_destroy", true))
                    .build(),
            )
            .add_attribute((
                "depends_on",
                expr("[aws_iam_role_policy_attachment.cluster, aws_cloudwatch_log_group.cluster]"),
            ))
            .build(),
    );
    out.push(file(
        format!("{dir}/cluster.tf"),
        &f,
        "the EKS cluster in Auto Mode: its roles, Secrets encrypted, control-plane logs",
    ));

    let mut f = HclFile::new(format!(
        "{}\n\nWho may use the cluster's API: access entries, never the aws-auth ConfigMap. The people in\nvar.admin_role_arns administer it; the pipeline's deploy role may change the app's namespace\nonly (it reads and writes Deployments, Services, Secrets and the like there, and nothing else).",
        header("aws")
    ));
    f.block(
        Block::builder("locals")
            .add_attribute(("namespaces", namespaces_local(spec)))
            .build(),
    );
    f.commented(
        "The deploy role the bootstrap stack made.",
        data("aws_iam_role", "deploy")
            .add_attribute(("name", format!("{project}-ci-deploy")))
            .build(),
    );
    for (id, principal, policy, scope) in [
        ("admins", "each.value", "AmazonEKSClusterAdminPolicy", None),
        (
            "deploy",
            "data.aws_iam_role.deploy.arn",
            "AmazonEKSEditPolicy",
            Some("[local.namespaces[var.environment]]"),
        ),
    ] {
        let each = id == "admins";
        let mut entry = res("aws_eks_access_entry", id);
        let mut assoc = res("aws_eks_access_policy_association", id);
        if each {
            entry = entry.add_attribute(("for_each", expr("toset(var.admin_role_arns)")));
            assoc = assoc.add_attribute(("for_each", expr("toset(var.admin_role_arns)")));
        }
        f.block(
            entry
                .add_attribute(("cluster_name", expr("aws_eks_cluster.main.name")))
                .add_attribute(("principal_arn", expr(principal)))
                .add_attribute(("type", "STANDARD"))
                .build(),
        );
        let mut access = Block::builder("access_scope");
        access = match scope {
            Some(ns) => access
                .add_attribute(("type", "namespace"))
                .add_attribute(("namespaces", expr(ns))),
            None => access.add_attribute(("type", "cluster")),
        };
        f.block(
            assoc
                .add_attribute(("cluster_name", expr("aws_eks_cluster.main.name")))
                .add_attribute(("principal_arn", expr(principal)))
                .add_attribute(("policy_arn", format!("arn:aws:eks::aws:cluster-access-policy/{policy}")))
                .add_block(access.build())
                .add_attribute(("depends_on", expr(&format!("[aws_eks_access_entry.{id}]"))))
                .build(),
        );
    }
    out.push(file(
        format!("{dir}/access.tf"),
        &f,
        "who may use the cluster: the administrators, and the pipeline in the app's namespace only",
    ));

    let mut f = HclFile::new(header("aws"));
    output(
        &mut f,
        "cluster",
        "The cluster's name: aws eks update-kubeconfig --name <this>.",
        "aws_eks_cluster.main.name",
    );
    output(
        &mut f,
        "endpoint",
        "The cluster's API.",
        "aws_eks_cluster.main.endpoint",
    );
    output(
        &mut f,
        "kubeconfig_command",
        "The command that points kubectl at the cluster, for an administrator.",
        "\"aws eks update-kubeconfig --name ${aws_eks_cluster.main.name} --region ${var.region}\"",
    );
    out.push(file(
        format!("{dir}/outputs.tf"),
        &f,
        "the cluster's name and API, and how to reach it",
    ));
    out
}

// ---------------------------------------------------------------------------------------------
// Google Cloud: GKE Autopilot on a private network.

fn gcp_stack(spec: &DeploySpec, cloud: &CloudSpec, project: &str) -> Vec<Artifact> {
    let dir = "infra/gcp";
    let blk = super::gcp::blk;
    let mut out = Vec::new();

    let mut f = HclFile::new(header("gcp"));
    f.block(super::gcp::google_provider(expr("local.labels")));
    f.block(super::tf::environment_locals("labels", false, "terraform"));
    out.push(file(
        format!("{dir}/providers.tf"),
        &f,
        "the Google provider, the labels on every resource, and the names",
    ));

    let mut f = variables_head("gcp", project, spec, cloud);
    f.block(super::gcp::project_id_variable());
    f.block(super::gcp::region_variable(
        cloud,
        "The region the cluster is in (its control plane and nodes span the region's zones).",
        "",
    ));
    out.push(file(
        format!("{dir}/variables.tf"),
        &f,
        "every setting, typed, described and checked",
    ));

    let mut f = HclFile::new(format!(
        "{}\n\nThe cluster's network: the nodes' subnet with the pods' and Services' ranges beside it, and a\nNAT gateway, since the nodes have no public address.",
        header("gcp")
    ));
    f.block(super::gcp::own_network());
    f.commented(
        "Nodes in the first sixteenth, Services in the second, pods in the upper half; flow logs sampled at half.",
        res("google_compute_subnetwork", "cluster")
            .add_attribute(("name", expr("\"${local.name}-cluster\"")))
            .add_attribute(("network", expr("google_compute_network.main.id")))
            .add_attribute(("region", expr("var.region")))
            .add_attribute(("ip_cidr_range", expr("cidrsubnet(var.vpc_cidr, 4, 0)")))
            .add_attribute(("private_ip_google_access", true))
            .add_block(
                blk("secondary_ip_range")
                    .add_attribute(("range_name", "services"))
                    .add_attribute(("ip_cidr_range", expr("cidrsubnet(var.vpc_cidr, 4, 1)")))
                    .build(),
            )
            .add_block(
                blk("secondary_ip_range")
                    .add_attribute(("range_name", "pods"))
                    .add_attribute(("ip_cidr_range", expr("cidrsubnet(var.vpc_cidr, 1, 1)")))
                    .build(),
            )
            .add_block(super::gcp::flow_logs())
            .build(),
    );
    f.block(
        res("google_compute_router", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("network", expr("google_compute_network.main.id")))
            .add_attribute(("region", expr("var.region")))
            .build(),
    );
    f.commented(
        "The nodes' way out (images from other registries, the APIs the app calls); its errors are logged.",
        res("google_compute_router_nat", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("router", expr("google_compute_router.main.name")))
            .add_attribute(("region", expr("var.region")))
            .add_attribute(("nat_ip_allocate_option", "AUTO_ONLY"))
            .add_attribute(("source_subnetwork_ip_ranges_to_nat", "ALL_SUBNETWORKS_ALL_IP_RANGES"))
            .add_block(
                blk("log_config")
                    .add_attribute(("enable", true))
                    .add_attribute(("filter", "ERRORS_ONLY"))
                    .build(),
            )
            .build(),
    );
    out.push(file(
        format!("{dir}/network.tf"),
        &f,
        "the network, the nodes' subnet with the pods' and Services' ranges, and a NAT gateway",
    ));

    let mut f = HclFile::new(format!(
        "{}\n\nThe cluster: GKE Autopilot, so Google runs and sizes the nodes from the pods' requests and\nupgrades them on the REGULAR channel in the weekend window. Nodes have no public address; the\nAPI is reached only through its DNS endpoint, which checks IAM on every call. Secrets are\nencrypted with the project's own key.",
        header("gcp")
    ));
    f.block(
        data("google_project", "current")
            .add_attribute(("project_id", expr("var.project_id")))
            .build(),
    );
    f.commented(
        "The nodes' identity, made by the bootstrap stack: logs, metrics and image pulls only.",
        data("google_service_account", "nodes")
            .add_attribute((
                "account_id",
                expr("\"${substr(var.project, 0, 14)}-${substr(var.environment, 0, 8)}-nodes\""),
            ))
            .build(),
    );
    f.block(
        res("google_kms_key_ring", "cluster")
            .add_attribute(("name", expr("\"${local.name}-gke\"")))
            .add_attribute(("location", expr("var.region")))
            .build(),
    );
    f.commented(
        "The key the cluster encrypts its Secrets with; it rotates every 90 days and is never destroyed by an apply.",
        res("google_kms_crypto_key", "secrets")
            .add_attribute(("name", "secrets"))
            .add_attribute(("key_ring", expr("google_kms_key_ring.cluster.id")))
            .add_attribute(("rotation_period", "7776000s"))
            .add_block(blk("lifecycle").add_attribute(("prevent_destroy", true)).build())
            .build(),
    );
    f.block(
        res("google_kms_crypto_key_iam_member", "gke")
            .add_attribute(("crypto_key_id", expr("google_kms_crypto_key.secrets.id")))
            .add_attribute(("role", "roles/cloudkms.cryptoKeyEncrypterDecrypter"))
            .add_attribute((
                "member",
                expr("\"serviceAccount:service-${data.google_project.current.number}@container-engine-robot.iam.gserviceaccount.com\""),
            ))
            .build(),
    );
    f.commented(
        "deletion_protection: terraform destroy and a replacing change stop here; turn it off on purpose first.",
        res("google_container_cluster", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("location", expr("var.region")))
            .add_attribute(("enable_autopilot", true))
            .add_attribute(("deletion_protection", true))
            .add_attribute(("network", expr("google_compute_network.main.id")))
            .add_attribute(("subnetwork", expr("google_compute_subnetwork.cluster.id")))
            .add_attribute(("resource_labels", expr("local.labels")))
            .add_block(blk("release_channel").add_attribute(("channel", "REGULAR")).build())
            .add_block(
                blk("ip_allocation_policy")
                    .add_attribute(("cluster_secondary_range_name", "pods"))
                    .add_attribute(("services_secondary_range_name", "services"))
                    .build(),
            )
            .add_block(
                blk("master_auth")
                    .add_block(
                        blk("client_certificate_config")
                            .add_attribute(("issue_client_certificate", false))
                            .build(),
                    )
                    .build(),
            )
            .add_block(
                blk("private_cluster_config")
                    .add_attribute(("enable_private_nodes", true))
                    .build(),
            )
            .add_block(
                blk("control_plane_endpoints_config")
                    .add_block(
                        blk("dns_endpoint_config")
                            .add_attribute(("allow_external_traffic", true))
                            .build(),
                    )
                    .add_block(blk("ip_endpoints_config").add_attribute(("enabled", false)).build())
                    .build(),
            )
            .add_block(
                blk("database_encryption")
                    .add_attribute(("state", "ENCRYPTED"))
                    .add_attribute(("key_name", expr("google_kms_crypto_key.secrets.id")))
                    .build(),
            )
            .add_block(
                blk("cluster_autoscaling")
                    .add_block(
                        blk("auto_provisioning_defaults")
                            .add_attribute(("service_account", expr("data.google_service_account.nodes.email")))
                            .add_attribute(("oauth_scopes", strs(["https://www.googleapis.com/auth/cloud-platform"])))
                            .build(),
                    )
                    .build(),
            )
            .add_block(
                blk("binary_authorization")
                    .add_attribute(("evaluation_mode", "PROJECT_SINGLETON_POLICY_ENFORCE"))
                    .build(),
            )
            .add_block(
                blk("gateway_api_config")
                    .add_attribute(("channel", "CHANNEL_STANDARD"))
                    .build(),
            )
            .add_block(
                blk("maintenance_policy")
                    .add_block(
                        blk("recurring_window")
                            .add_attribute(("start_time", "2026-01-03T03:00:00Z"))
                            .add_attribute(("end_time", "2026-01-03T11:00:00Z"))
                            .add_attribute(("recurrence", "FREQ=WEEKLY;BYDAY=SA,SU"))
                            .build(),
                    )
                    .build(),
            )
            .add_attribute(("depends_on", expr("[google_kms_crypto_key_iam_member.gke]")))
            .build(),
    );
    out.push(file(
        format!("{dir}/cluster.tf"),
        &f,
        "the GKE Autopilot cluster: private nodes, the DNS endpoint, Secrets encrypted with the project's key",
    ));

    let mut f = HclFile::new(header("gcp"));
    output(
        &mut f,
        "cluster",
        "The cluster's name.",
        "google_container_cluster.main.name",
    );
    output(
        &mut f,
        "dns_endpoint",
        "The cluster's API, reached by name with IAM credentials.",
        "google_container_cluster.main.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint",
    );
    output(
        &mut f,
        "kubeconfig_command",
        "The command that points kubectl at the cluster, for an administrator.",
        "\"gcloud container clusters get-credentials ${google_container_cluster.main.name} --location ${var.region} --dns-endpoint\"",
    );
    out.push(file(
        format!("{dir}/outputs.tf"),
        &f,
        "the cluster's name and API, and how to reach it",
    ));
    out
}

// ---------------------------------------------------------------------------------------------
// Azure: AKS in its own virtual network.

fn azure_stack(spec: &DeploySpec, cloud: &CloudSpec, cluster: &ClusterSpec, project: &str) -> Vec<Artifact> {
    let dir = "infra/azure";
    let blk = super::azure::blk;
    let mut out = Vec::new();

    let mut f = HclFile::new(header("azure"));
    f.block(super::azure::azure_provider());
    f.block(super::tf::environment_locals("tags", false, "terraform"));
    f.commented(
        "The environment's resource group and the cluster's identities, made by the bootstrap stack.",
        data("azurerm_resource_group", "env")
            .add_attribute(("name", expr("local.name")))
            .build(),
    );
    for which in ["cluster", "kubelet"] {
        f.block(
            data("azurerm_user_assigned_identity", which)
                .add_attribute(("name", expr(&format!("\"${{local.name}}-{which}\""))))
                .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
                .build(),
        );
    }
    f.block(data("azurerm_client_config", "current").build());
    out.push(file(
        format!("{dir}/providers.tf"),
        &f,
        "the AzureRM provider, the tags on every resource, the names and the bootstrap's identities",
    ));

    let mut f = variables_head("azure", project, spec, cloud);
    f.block(super::azure::subscription_variable());
    f.block(super::azure::location_variable(
        cloud,
        "The region the cluster is in; its nodes span three zones.",
        "",
    ));
    f.block(
        variable(
            "node_size",
            "string",
            "The nodes' VM size.",
            Some(st(cluster.node_size.as_deref().unwrap_or("Standard_D2ds_v5"))),
        )
        .add_block(validation(
            "can(regex(\"^Standard_[A-Za-z0-9_]+$\", var.node_size))",
            "node_size must be an Azure VM size, such as Standard_D2ds_v5.",
        ))
        .build(),
    );
    f.block(
        variable(
            "max_nodes",
            "number",
            "The most nodes the autoscaler adds; it keeps one per zone at least.",
            Some(Expression::from(cluster.max_nodes)),
        )
        .add_block(validation(
            "var.max_nodes >= 3 && var.max_nodes <= 1000 && floor(var.max_nodes) == var.max_nodes",
            "max_nodes must be a whole number from 3 (one node in each zone) to 1000.",
        ))
        .build(),
    );
    f.block(api_cidrs_variable());
    f.block(
        variable(
            "admin_group_ids",
            "list(string)",
            "The object ids of the Entra ID groups whose members administer the cluster (they create the namespace and the app's Secrets).",
            None,
        )
        .add_block(validation(
            "alltrue([for g in var.admin_group_ids : can(regex(\"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$\", g))])",
            "admin_group_ids must be object ids (GUIDs).",
        ))
        .build(),
    );
    f.block(
        variable(
            "log_days",
            "number",
            "Days the cluster's logs are kept in Log Analytics.",
            Some(Expression::from(cloud.log_days)),
        )
        .add_block(validation(
            "var.log_days >= 30 && var.log_days <= 730",
            "log_days must be from 30 to 730.",
        ))
        .build(),
    );
    out.push(file(
        format!("{dir}/variables.tf"),
        &f,
        "every setting, typed, described and checked",
    ));

    let mut f = HclFile::new(format!(
        "{}\n\nThe cluster's network: the nodes' subnet, with no default way out (the cluster's load balancer\nis the way out) and a security group that lets in HTTP and HTTPS for the app's load balancer.\nPods take addresses from the overlay, outside this range.",
        header("azure")
    ));
    f.block(
        res("azurerm_virtual_network", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("location", expr("var.location")))
            .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
            .add_attribute(("address_space", expr("[var.vpc_cidr]")))
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    f.block(
        res("azurerm_subnet", "nodes")
            .add_attribute(("name", "nodes"))
            .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
            .add_attribute(("virtual_network_name", expr("azurerm_virtual_network.main.name")))
            .add_attribute(("address_prefixes", expr("[cidrsubnet(var.vpc_cidr, 2, 0)]")))
            .add_attribute(("default_outbound_access_enabled", false))
            .build(),
    );
    let mut nsg = res("azurerm_network_security_group", "nodes")
        .add_attribute(("name", expr("\"${local.name}-nodes\"")))
        .add_attribute(("location", expr("var.location")))
        .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")));
    nsg = nsg.add_block(
        blk("security_rule")
            .add_attribute(("name", "web"))
            .add_attribute((
                "description",
                "HTTP and HTTPS to the app's load balancer, from anywhere",
            ))
            .add_attribute(("priority", 100))
            .add_attribute(("direction", "Inbound"))
            .add_attribute(("access", "Allow"))
            .add_attribute(("protocol", "Tcp"))
            .add_attribute(("source_port_range", "*"))
            .add_attribute(("destination_port_ranges", strs(["80", "443"])))
            .add_attribute(("source_address_prefix", "Internet"))
            .add_attribute(("destination_address_prefix", "VirtualNetwork"))
            .build(),
    );
    f.block(nsg.add_attribute(("tags", expr("local.tags"))).build());
    f.block(
        res("azurerm_subnet_network_security_group_association", "nodes")
            .add_attribute(("subnet_id", expr("azurerm_subnet.nodes.id")))
            .add_attribute((
                "network_security_group_id",
                expr("azurerm_network_security_group.nodes.id"),
            ))
            .build(),
    );
    out.push(file(
        format!("{dir}/network.tf"),
        &f,
        "the virtual network, the nodes' subnet and its security group",
    ));

    let mut f = HclFile::new(format!(
        "{}\n\nThe cluster: AKS with Entra ID sign-in and Azure RBAC only (no local accounts, so no\nkubeconfig that outlives a person's access), workload identity for the pods, Cilium network\npolicies, a pool spread over three zones that the autoscaler grows, the stable upgrade channel\nin the weekend window, and its logs in Log Analytics.",
        header("azure")
    ));
    f.block(
        res("azurerm_log_analytics_workspace", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("location", expr("var.location")))
            .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
            .add_attribute(("sku", "PerGB2018"))
            .add_attribute(("retention_in_days", expr("var.log_days")))
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    f.commented(
        "prevent_destroy: deleting the cluster deletes everything running in it; remove the line on purpose first.\nhost_encryption_enabled needs the subscription's EncryptionAtHost feature (docs/azure.md).",
        res("azurerm_kubernetes_cluster", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("location", expr("var.location")))
            .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
            .add_attribute(("dns_prefix", expr("local.name")))
            .add_attribute(("sku_tier", "Standard"))
            .add_attribute(("automatic_upgrade_channel", "stable"))
            .add_attribute(("node_os_upgrade_channel", "NodeImage"))
            .add_attribute(("oidc_issuer_enabled", true))
            .add_attribute(("workload_identity_enabled", true))
            .add_attribute(("local_account_disabled", true))
            .add_attribute(("role_based_access_control_enabled", true))
            .add_attribute(("azure_policy_enabled", true))
            .add_block(
                blk("azure_active_directory_role_based_access_control")
                    .add_attribute(("azure_rbac_enabled", true))
                    .add_attribute(("tenant_id", expr("data.azurerm_client_config.current.tenant_id")))
                    .add_attribute(("admin_group_object_ids", expr("var.admin_group_ids")))
                    .build(),
            )
            .add_block(
                blk("api_server_access_profile")
                    .add_attribute(("authorized_ip_ranges", expr("var.api_cidrs")))
                    .build(),
            )
            .add_block(
                blk("identity")
                    .add_attribute(("type", "UserAssigned"))
                    .add_attribute(("identity_ids", expr("[data.azurerm_user_assigned_identity.cluster.id]")))
                    .build(),
            )
            .add_block(
                blk("kubelet_identity")
                    .add_attribute(("client_id", expr("data.azurerm_user_assigned_identity.kubelet.client_id")))
                    .add_attribute(("object_id", expr("data.azurerm_user_assigned_identity.kubelet.principal_id")))
                    .add_attribute((
                        "user_assigned_identity_id",
                        expr("data.azurerm_user_assigned_identity.kubelet.id"),
                    ))
                    .build(),
            )
            .add_block(
                blk("default_node_pool")
                    .add_attribute(("name", "system"))
                    .add_attribute(("vm_size", expr("var.node_size")))
                    .add_attribute(("zones", strs(["1", "2", "3"])))
                    .add_attribute(("auto_scaling_enabled", true))
                    .add_attribute(("min_count", 3))
                    .add_attribute(("max_count", expr("var.max_nodes")))
                    .add_attribute(("max_pods", 50))
                    .add_attribute(("vnet_subnet_id", expr("azurerm_subnet.nodes.id")))
                    .add_attribute(("host_encryption_enabled", true))
                    .add_attribute(("temporary_name_for_rotation", "rotation"))
                    .add_block(blk("upgrade_settings").add_attribute(("max_surge", "33%")).build())
                    .build(),
            )
            .add_block(
                blk("network_profile")
                    .add_attribute(("network_plugin", "azure"))
                    .add_attribute(("network_plugin_mode", "overlay"))
                    .add_attribute(("network_data_plane", "cilium"))
                    .add_attribute(("network_policy", "cilium"))
                    .add_attribute(("load_balancer_sku", "standard"))
                    .add_attribute(("outbound_type", "loadBalancer"))
                    .add_attribute(("pod_cidr", "192.168.0.0/16"))
                    .add_attribute(("service_cidr", "172.16.0.0/16"))
                    .add_attribute(("dns_service_ip", "172.16.0.10"))
                    .build(),
            )
            .add_block(
                blk("oms_agent")
                    .add_attribute(("log_analytics_workspace_id", expr("azurerm_log_analytics_workspace.main.id")))
                    .add_attribute(("msi_auth_for_monitoring_enabled", true))
                    .build(),
            )
            .add_block(
                blk("key_vault_secrets_provider")
                    .add_attribute(("secret_rotation_enabled", true))
                    .build(),
            )
            .add_block(
                blk("maintenance_window_auto_upgrade")
                    .add_attribute(("frequency", "Weekly"))
                    .add_attribute(("interval", 1))
                    .add_attribute(("duration", 8))
                    .add_attribute(("day_of_week", "Saturday"))
                    .add_attribute(("start_time", "03:00"))
                    .add_attribute(("utc_offset", "+00:00"))
                    .build(),
            )
            .add_attribute(("tags", expr("local.tags")))
            .add_block(blk("lifecycle").add_attribute(("prevent_destroy", true)).build())
            .build(),
    );
    out.push(file(
        format!("{dir}/cluster.tf"),
        &f,
        "the AKS cluster: Entra ID and Azure RBAC only, workload identity, three zones, logs",
    ));

    let mut f = HclFile::new(header("azure"));
    output(
        &mut f,
        "cluster",
        "The cluster's name.",
        "azurerm_kubernetes_cluster.main.name",
    );
    output(
        &mut f,
        "oidc_issuer_url",
        "The issuer the pods' workload identities are federated with.",
        "azurerm_kubernetes_cluster.main.oidc_issuer_url",
    );
    output(
        &mut f,
        "kubeconfig_command",
        "The command that points kubectl at the cluster, for an administrator (kubelogin signs you in).",
        "\"az aks get-credentials --resource-group ${data.azurerm_resource_group.env.name} --name ${azurerm_kubernetes_cluster.main.name}\"",
    );
    out.push(file(
        format!("{dir}/outputs.tf"),
        &f,
        "the cluster's name and issuer, and how to reach it",
    ));
    out
}

// ---------------------------------------------------------------------------------------------
// What the window shows, what the person creates, and the runbook.

fn estimate(spec: &DeploySpec, cloud: &CloudSpec, cluster: &ClusterSpec) -> Estimate {
    // Autopilot bills the pods' requests, 250m and 512 MiB at least each.
    let r = &spec.kube.resources;
    let cpu = quantity(&r.cpu_request, "m", 1000.0).max(0.25);
    let memory = quantity(&r.memory_request, "Mi", 1024.0).max(0.5);
    let pods = f64::from(spec.kube.replicas.max(1)) * spec.services.len().max(1) as f64;
    cost::clusters::estimate(cloud, cluster, (cpu * pods, memory * pods))
}

/// A Kubernetes quantity in whole units: "250m" is 0.25 CPU, "512Mi" half a GiB.
fn quantity(q: &str, small: &str, per: f64) -> f64 {
    let q = q.trim();
    if let Some(n) = q.strip_suffix(small) {
        return n.parse::<f64>().unwrap_or(0.0) / per;
    }
    let n = q.trim_end_matches("Gi");
    n.parse::<f64>().unwrap_or(0.0)
}

fn picture(spec: &DeploySpec, cloud: &CloudSpec, cluster: &ClusterSpec) -> Vec<CloudNode> {
    let (_, kind, _) = names(&cloud.provider);
    let production = spec.production();
    let mut p = Vec::new();
    if let Some(host) = &spec.host {
        p.push(CloudNode {
            kind: "DNS".into(),
            name: host.clone(),
            detail: "points at the load balancer of the cluster's ingress".into(),
        });
    }
    p.push(CloudNode {
        kind: "Load balancer".into(),
        name: match cloud.provider.as_str() {
            "gcp" => "Google Cloud load balancer".into(),
            "azure" => "Azure Standard Load Balancer".into(),
            _ => "AWS load balancer".into(),
        },
        detail: "made by the cluster for the ingress or a LoadBalancer Service".into(),
    });
    p.push(CloudNode {
        kind: kind.into(),
        name: cluster_name(spec, production),
        detail: match cloud.provider.as_str() {
            "gcp" => format!(
                "{}, private nodes sized from the pods' requests, API by its DNS endpoint",
                cloud.region
            ),
            "azure" => format!(
                "{}, {} nodes in three zones, 3 to {}, Entra ID sign-in only",
                cloud.region,
                cluster.node_size.as_deref().unwrap_or("Standard_D2ds_v5"),
                cluster.max_nodes
            ),
            _ => format!(
                "{}, Kubernetes {}, nodes run by AWS in private subnets",
                cloud.region, cluster.version
            ),
        },
    });
    for svc in &spec.services {
        p.push(CloudNode {
            kind: "Deployment".into(),
            name: format!("{}/{}", namespace(spec, production), crate::kube::name_of(&svc.name)),
            detail: "from the manifests in k8s/, rolled out by the pipeline".into(),
        });
    }
    p
}

fn requirements(spec: &DeploySpec, cloud: &CloudSpec, repo: Option<&str>) -> Vec<Requirement> {
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let var = |name: &str, why: String| Requirement {
        name: name.into(),
        secret: false,
        place: "GitHub Actions variable".into(),
        why,
    };
    let deploy_subject = super::aws::oidc_subject(repo, Some(spec.production()));
    let plan_subject = super::aws::oidc_subject(repo, None);
    let push_subject = super::aws::push_subject(repo, &spec.branch);
    match cloud.provider.as_str() {
        "gcp" => vec![
            var("GCP_PROJECT", "the project everything is created in".into()),
            var(
                "GAR_LOCATION",
                "the image repository's region (the bootstrap's repository output)".into(),
            ),
            var(
                "GAR_REPOSITORY",
                "the image repository's name (the bootstrap's repository output)".into(),
            ),
            var(
                "GCP_WIF_PROVIDER",
                "the bootstrap stack's workload_identity_provider".into(),
            ),
            var(
                "GCP_PLAN_SERVICE_ACCOUNT",
                format!("the bootstrap stack's plan_service_account; the plan job presents {plan_subject}"),
            ),
            var(
                "GCP_PUSH_SERVICE_ACCOUNT",
                format!("the bootstrap stack's push_service_account; the image jobs present {push_subject}"),
            ),
            var(
                "GCP_DEPLOY_SERVICE_ACCOUNT",
                format!("the bootstrap stack's deploy_service_account; the deploy jobs present {deploy_subject}"),
            ),
        ],
        "azure" => vec![
            var("AZURE_TENANT_ID", "the bootstrap stack's tenant_id".into()),
            var(
                "AZURE_SUBSCRIPTION_ID",
                "the subscription everything is created in".into(),
            ),
            var("ACR_NAME", "the bootstrap stack's registry, without .azurecr.io".into()),
            var(
                "AZURE_PLAN_CLIENT_ID",
                format!("the bootstrap stack's plan_client_id; the plan job presents {plan_subject}"),
            ),
            var(
                "AZURE_CLIENT_ID",
                format!("the bootstrap stack's push_client_id; the image jobs present {push_subject}"),
            ),
            var(
                "AZURE_DEPLOY_CLIENT_ID",
                format!("the bootstrap stack's deploy_client_id; the deploy jobs present {deploy_subject}"),
            ),
        ],
        _ => vec![
            var("AWS_REGION", "the region infra/aws creates everything in".into()),
            var(
                "AWS_ACCOUNT_ID",
                "the account that holds the ECR repositories and the cluster".into(),
            ),
            var(
                "AWS_PLAN_ROLE_ARN",
                format!("the bootstrap stack's plan_role_arn; the plan job presents {plan_subject}"),
            ),
            var(
                "AWS_ROLE_ARN",
                format!("the bootstrap stack's push_role_arn; the image jobs present {push_subject}"),
            ),
            var(
                "AWS_DEPLOY_ROLE_ARN",
                format!("the bootstrap stack's deploy_role_arn; the deploy jobs present {deploy_subject}"),
            ),
        ],
    }
}

fn runbook(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    cluster: &ClusterSpec,
    project: &str,
    repo: Option<&str>,
    estimate: &Estimate,
) -> String {
    let (cloud_name, kind, doc) = names(&cloud.provider);
    let production = spec.production();
    let ns = namespace(spec, production);
    let name = cluster_name(spec, production);
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let mut s = format!(
        "# {kind} on {cloud_name}\n\nWritten by Slipway. `infra/{doc}/` creates the Kubernetes cluster that the manifests in `k8s/` run in; the pipeline plans it on pull requests, applies it from `{branch}`, then rolls out the tested image with short-lived credentials (OIDC). No kubeconfig, key or password is stored anywhere.\n\n",
        branch = spec.branch
    );
    s.push_str("## What it creates\n\n");
    match cloud.provider.as_str() {
        "gcp" => s.push_str(&format!(
            "- `bootstrap/`: the APIs, the state bucket (versioned, locked by GCS), the Artifact Registry repository, the workload identity pool that trusts only `{repo}`, the plan, push and deploy service accounts, and the nodes' service account per environment (logs, metrics, image pulls).\n- `network.tf`: a network of its own; the nodes' subnet with the pods' and Services' ranges; Cloud NAT, since the nodes have no public address; flow logs.\n- `cluster.tf`: the Autopilot cluster `{name}` in {region} on the REGULAR release channel, upgraded in the weekend window; private nodes; its API reached only through the DNS endpoint (IAM checks every call, so there is no address list to keep); Secrets encrypted with a key of the project's (rotated every 90 days); Binary Authorization; the Gateway API; deletion protection.\n\n",
            region = cloud.region
        )),
        "azure" => s.push_str(&format!(
            "- `bootstrap/`: the resource groups, the state's storage account, the container registry, the pipeline's identities federated with `{repo}`'s subjects, and per environment the cluster's control-plane and kubelet identities (the kubelet's may pull from the registry and nothing else). The deploy identity may use the cluster's API as *Azure Kubernetes Service RBAC Writer*: it changes Deployments, Services and Secrets, never roles or bindings.\n- `network.tf`: a virtual network with the nodes' subnet, no default way out, and a security group that lets in HTTP and HTTPS for the app's load balancer.\n- `cluster.tf`: AKS `{name}` in {region} with Entra ID and Azure RBAC only (local accounts off), workload identity, Azure CNI overlay with Cilium network policies, {size} nodes in three zones (3 to {max}), host encryption, the stable upgrade channel in the Saturday window, logs in Log Analytics for `var.log_days` days.\n\n",
            region = cloud.region,
            size = cluster.node_size.as_deref().unwrap_or("Standard_D2ds_v5"),
            max = cluster.max_nodes
        )),
        _ => s.push_str(&format!(
            "- `bootstrap/`: the state bucket (versioned, KMS-encrypted, locked with `use_lockfile`), the ECR repositories, GitHub's OIDC provider and the plan, push and deploy roles that trust only `{repo}`'s subjects.\n- `network.tf`: a VPC over two zones, public subnets for the load balancers, private ones for the nodes, one NAT gateway, flow logs; the subnets' role tags tell EKS where load balancers go.\n- `cluster.tf`: EKS `{name}` in {region} on Kubernetes {version} in Auto Mode (AWS runs, patches and replaces the nodes, and makes the load balancers and disks); Secrets encrypted with the project's KMS key; every control-plane log kept `var.log_days` days; standard support only (no extended-support charges); `prevent_destroy`.\n- `access.tf`: access entries, never the aws-auth ConfigMap: `var.admin_role_arns` administer the cluster; the deploy role may change the `{ns}` namespace only.\n\n",
            region = cloud.region,
            version = cluster.version
        )),
    }
    s.push_str("## The order\n\n");
    s.push_str(&format!(
        "1. A person with the {owner} applies `infra/{doc}/bootstrap` once: `terraform -chdir=infra/{doc}/bootstrap init && terraform -chdir=infra/{doc}/bootstrap apply`. Its outputs are the GitHub Actions variables listed below.\n",
        owner = match cloud.provider.as_str() {
            "gcp" => "project's Owner role",
            "azure" => "subscription's Owner role",
            _ => "account's administrator rights",
        }
    ));
    s.push_str(&match cloud.provider.as_str() {
        "gcp" => format!("2. The pipeline passes `project_id` from `GCP_PROJECT`; for a plan of your own, put it in `infra/{doc}/terraform.tfvars`.\n"),
        "azure" => format!("2. Commit `infra/{doc}/terraform.tfvars` with `api_cidrs` and `admin_group_ids` (neither is a secret): the pipeline's plan and apply read it, and pass `subscription_id` from `AZURE_SUBSCRIPTION_ID`.\n"),
        _ => format!("2. Commit `infra/{doc}/terraform.tfvars` with `api_cidrs` and `admin_role_arns` (neither is a secret): the pipeline's plan and apply read it.\n"),
    });
    s.push_str(&format!(
        "3. Open a pull request: the plan job writes `terraform plan` into its summary. Merge it, and the deploy job applies it in the `{production}` environment, then rolls out the image.\n"
    ));
    s.push_str(&format!(
        "4. Once the cluster exists, an administrator creates what the pipeline may not: the namespace and the app's Secrets (`docs/kubernetes.md` lists them):\n\n   ```sh\n   {}\n   kubectl apply -f k8s/namespace.yaml\n   ```\n\n   The deploy job changes objects in `{ns}` only; the namespace and anything cluster-wide (a cert-manager ClusterIssuer) stay an administrator's.\n\n",
        match cloud.provider.as_str() {
            "gcp" => format!("gcloud container clusters get-credentials {name} --location {} --dns-endpoint", cloud.region),
            "azure" => format!("az aks get-credentials --resource-group {name} --name {name} && kubelogin convert-kubeconfig -l azurecli"),
            _ => format!("aws eks update-kubeconfig --name {name} --region {}", cloud.region),
        }
    ));
    if spec.host.is_some() {
        s.push_str("   The Ingress needs what `docs/kubernetes.md` lists under what the cluster needs (the ingress controller of its class and cert-manager): an administrator installs them once, before the first rollout.\n\n");
    }
    s.push_str("## GitHub Actions variables\n\n");
    for r in requirements(spec, cloud, Some(repo)) {
        s.push_str(&format!("- `{}`: {}\n", r.name, r.why));
    }
    s.push_str("\n## Who may reach the cluster\n\n");
    match cloud.provider.as_str() {
        "gcp" => s.push_str("The API has no IP endpoint: `kubectl` reaches it by name through the DNS endpoint, which refuses any call without the caller's Google credentials and an IAM role on the cluster. GKE's IAM roles are the project's, not a namespace's: the deploy service account (`roles/container.admin`, to apply the stack) may change objects in every namespace. Bind narrower Kubernetes RBAC and drop the role to `roles/container.clusterViewer` if other teams share the cluster.\n\n"),
        "azure" => s.push_str("The API answers the ranges in `api_cidrs` only, and every call signs in with Entra ID (local accounts are off). GitHub's hosted runners have no fixed addresses: run the deploy on runners with static addresses in `api_cidrs`, or accept `0.0.0.0/0` knowing that sign-in still guards every call. The members of `admin_group_ids` administer the cluster.\n\n"),
        _ => s.push_str("The API answers the ranges in `api_cidrs` from the internet (and the VPC privately); every call is signed with IAM credentials and admitted by an access entry. GitHub's hosted runners have no fixed addresses: run the deploy on runners with static addresses in `api_cidrs`, or accept `0.0.0.0/0` knowing that IAM still guards every call. The deploy role applies the whole stack (PowerUserAccess), so it could also change access entries: protect the `production` environment with required reviewers.\n\n"),
    }
    s.push_str("## Upgrades\n\n");
    match cloud.provider.as_str() {
        "gcp" => s.push_str("Autopilot upgrades the control plane and the nodes on the REGULAR channel within the weekend window; PodDisruptionBudgets in `k8s/` keep the app serving while nodes drain.\n\n"),
        "azure" => s.push_str("The stable channel upgrades Kubernetes and the node images within the Saturday window, a third of the nodes at a time; PodDisruptionBudgets in `k8s/` keep the app serving while nodes drain.\n\n"),
        _ => s.push_str(&format!("Raise `kubernetes_version` one minor at a time ({} now) after reading the release's removed APIs; Auto Mode then replaces the nodes, respecting PodDisruptionBudgets. Standard support lasts 14 months per minor; the cluster is never moved to extended support silently.\n\n", cluster.version)),
    }
    s.push_str("## Backups\n\nThe cluster holds no data of its own beyond its objects, which `k8s/` and git rebuild; the app's databases are outside it (their addresses are in the Secret). A volume a StatefulSet keeps is a cloud disk: snapshot it with the cloud's backup service, or Velero.\n\n");
    s.push_str(&format!(
        "## Cost\n\n{}",
        estimate.markdown(
            "List prices of {date} in the cloud's first region; an idle app's floor, not a forecast: the nodes (or Autopilot's pods) grow with the replicas, and traffic adds load balancer and NAT charges."
        )
    ));
    let _ = project;
    s
}

/// The shell lines a GitHub Actions job runs to plan the cluster's stack into its summary.
pub fn plan_commands(spec: &DeploySpec) -> Vec<String> {
    let cloud = spec.cloud.as_ref().expect("a cloud");
    let production = spec.production();
    let mut c = setup(spec, cloud, production);
    c.extend(super::tf::plan_to_summary(production));
    c
}

/// The shell lines that apply the cluster's stack in `environment` from the deploy branch.
pub fn apply_commands(spec: &DeploySpec, environment: &str) -> Vec<String> {
    let cloud = spec.cloud.as_ref().expect("a cloud");
    let mut c = setup(spec, cloud, environment);
    c.extend(super::tf::plan_to_summary(environment));
    c.push("tf apply -input=false -lock-timeout=10m plan.bin".into());
    c
}

fn setup(spec: &DeploySpec, cloud: &CloudSpec, environment: &str) -> Vec<String> {
    let project = super::aws::project(spec);
    let (_, _, doc) = names(&cloud.provider);
    let backend = match cloud.provider.as_str() {
        "gcp" => format!("prefix={project}/{environment}"),
        "azure" => format!("key={project}/{environment}.tfstate"),
        _ => format!("key={project}/{environment}/terraform.tfstate"),
    };
    let mut c = super::tf::setup(&format!("infra/{doc}"), &backend);
    // The project or subscription reaches Terraform from the variable the sign-in step reads too.
    match cloud.provider.as_str() {
        "gcp" => c.insert(0, r#"export TF_VAR_project_id="$GCP_PROJECT""#.into()),
        "azure" => c.insert(0, r#"export TF_VAR_subscription_id="$ARM_SUBSCRIPTION_ID""#.into()),
        _ => {}
    }
    c.push(format!(
        "printf 'environment = \"%s\"\\n' {environment} > infra/{doc}/ci.auto.tfvars"
    ));
    c
}

/// The shell lines of a Kubernetes deploy job that write `$bin/kubeconfig` for the cluster in
/// `environment` from the job's short-lived cloud credentials (the sign-in step before it).
pub fn kubeconfig_commands(spec: &DeploySpec, environment: &str) -> Vec<String> {
    let Some(cloud) = spec.cloud.as_ref() else {
        return Vec::new();
    };
    let name = cluster_name(spec, environment);
    match cloud.provider.as_str() {
        // The DNS endpoint has a publicly trusted certificate: the token is all it needs.
        "gcp" => vec![
            format!(
                "endpoint=$(curl -fsS -H \"Authorization: Bearer $GKE_TOKEN\" \"https://container.googleapis.com/v1/projects/$GCP_PROJECT/locations/{}/clusters/{name}\" | jq -er '.controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint')",
                cloud.region
            ),
            "printf 'apiVersion: v1\\nkind: Config\\nclusters:\\n- name: gke\\n  cluster:\\n    server: https://%s\\ncontexts:\\n- name: gke\\n  context:\\n    cluster: gke\\n    user: deploy\\ncurrent-context: gke\\nusers:\\n- name: deploy\\n  user:\\n    token: %s\\n' \"$endpoint\" \"$GKE_TOKEN\" > \"$bin/kubeconfig\"".into(),
        ],
        // The cluster's address and certificate from AKS; the user an Entra ID token for AKS's
        // server application, which the signed-in identity gets without kubelogin.
        "azure" => vec![
            format!("az aks get-credentials --resource-group {name} --name {name} --file \"$bin/aks\" --only-show-errors"),
            "server=$(\"$bin/kubectl\" --kubeconfig \"$bin/aks\" config view --raw -o jsonpath='{.clusters[0].cluster.server}')".into(),
            "ca=$(\"$bin/kubectl\" --kubeconfig \"$bin/aks\" config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')".into(),
            "token=$(az account get-access-token --resource 6dae42f8-4368-4678-94ff-3960e28e3630 --query accessToken -o tsv)".into(),
            "printf 'apiVersion: v1\\nkind: Config\\nclusters:\\n- name: aks\\n  cluster:\\n    server: %s\\n    certificate-authority-data: %s\\ncontexts:\\n- name: aks\\n  context:\\n    cluster: aks\\n    user: deploy\\ncurrent-context: aks\\nusers:\\n- name: deploy\\n  user:\\n    token: %s\\n' \"$server\" \"$ca\" \"$token\" > \"$bin/kubeconfig\"".into(),
        ],
        _ => vec![format!(
            "aws eks update-kubeconfig --name {name} --region \"$AWS_REGION\" --kubeconfig \"$bin/kubeconfig\""
        )],
    }
}

/// The variables a Kubernetes deploy job on the cloud's cluster reads.
pub fn deploy_vars(provider: &str) -> Vec<String> {
    match provider {
        "gcp" => vec![
            "GCP_DEPLOY_SERVICE_ACCOUNT".into(),
            "GCP_WIF_PROVIDER".into(),
            "GCP_PROJECT".into(),
        ],
        "azure" => vec![
            "AZURE_DEPLOY_CLIENT_ID".into(),
            "AZURE_TENANT_ID".into(),
            "AZURE_SUBSCRIPTION_ID".into(),
        ],
        _ => vec!["AWS_DEPLOY_ROLE_ARN".into(), "AWS_REGION".into()],
    }
}
