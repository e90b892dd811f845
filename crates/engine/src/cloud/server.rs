//! A server on a cloud ("a VM on AWS", "an EC2 instance", "an Azure VM"): the machine that the
//! Ansible playbook of [`crate::vm`] configures, created in Terraform.
//!
//! Each cloud gets the same shape: locked remote state (the bootstrap's bucket or storage
//! account), a network of its own, a firewall that lets in HTTP and HTTPS from anywhere and
//! SSH from the addresses the person names only, a static address and the DNS records of the
//! hosts Caddy answers for, a Debian 13 machine whose only login is the person's key, an
//! encrypted disk snapshotted every day and kept for the spec's days, and protection against an
//! apply or a click that would delete the machine. Nothing here holds a secret: the key is a
//! public key, the services' secrets reach the server through the playbook.

use hcl::{Block, Expression};

use super::cost::{self, Estimate};
use super::tf::{data, file, obj, res, st, strs, validation, variable, versions};
use super::{CloudNode, Generated};
use crate::generate::Artifact;
use crate::pipeline::Requirement;
use crate::spec::{CloudSpec, DeploySpec, ServerSpec};
use crate::write::hcl::{expr, HclFile};

const HEADER: &str = "Written by Slipway from the project's deployment spec. Plan before applying:\nterraform plan shows every resource this creates (docs/{doc}.md says in what order).";

/// The user the first Ansible run logs in as, before the playbook's `deploy` user exists.
pub fn first_user(provider: &str) -> &'static str {
    match provider {
        // Azure refuses "admin" as an administrator's name.
        "azure" => "azureuser",
        _ => "admin",
    }
}

/// The cloud's name, the machine's, and the folder and document its files go in.
fn names(provider: &str) -> (&'static str, &'static str, &'static str) {
    match provider {
        "gcp" => ("Google Cloud", "Compute Engine VM", "gcp"),
        "azure" => ("Azure", "Azure VM", "azure"),
        _ => ("AWS", "EC2 instance", "aws"),
    }
}

fn header(doc: &str) -> String {
    HEADER.replace("{doc}", doc)
}

/// The server's Terraform for `spec`, or why it cannot be written.
pub fn generate(spec: &DeploySpec, cloud: &CloudSpec) -> Result<Generated, String> {
    let Some(server) = &cloud.server else {
        return Err("the deployment spec has no server".into());
    };
    let project = super::aws::project(spec);
    let hosts: Vec<String> = crate::kube::hosts(spec).into_iter().map(|(_, h)| h).collect();
    let (_, _, doc) = names(&cloud.provider);
    let dir = format!("infra/{doc}");
    let production = spec.production().to_string();
    let mut g = Generated::default();
    match cloud.provider.as_str() {
        "gcp" => {
            g.artifacts.push(gcp_bootstrap(cloud, &project, &hosts));
            g.artifacts.push(versions_file(
                &dir,
                doc,
                ("google", "hashicorp/google", crate::knowledge::GOOGLE_PROVIDER),
            ));
            g.artifacts.push(super::gcp::backend(cloud, &project, &production));
            g.artifacts.extend(gcp_stack(spec, cloud, &project, &hosts));
        }
        "azure" => {
            g.artifacts.push(azure_bootstrap(cloud, &project));
            g.artifacts.push(versions_file(
                &dir,
                doc,
                ("azurerm", "hashicorp/azurerm", crate::knowledge::AZURERM_WRITTEN),
            ));
            g.artifacts.push(super::azure::backend(cloud, &project, &production));
            g.artifacts.extend(azure_stack(spec, cloud, &project, &hosts));
        }
        _ => {
            g.artifacts.push(aws_bootstrap(cloud, &project));
            g.artifacts
                .extend(super::aws::versions_and_backend(cloud, &project, &production));
            g.artifacts.extend(aws_stack(spec, cloud, &project, &hosts));
        }
    }
    g.cost = estimate(cloud, server);
    g.picture = picture(spec, cloud, server, &hosts);
    g.requirements = requirements(&cloud.provider, !hosts.is_empty());
    g.artifacts.push(Artifact {
        path: format!("docs/{doc}.md"),
        content: runbook(spec, cloud, server, &project, &hosts, &g.cost),
        purpose: "the order to apply in, the first login, the snapshots and how to restore one, the cost".into(),
        step: "cloud".into(),
    });
    Ok(g)
}

fn versions_file(dir: &str, doc: &str, provider: (&str, &str, &str)) -> Artifact {
    let mut f = HclFile::new(header(doc));
    f.block(versions(&[provider]));
    file(
        format!("{dir}/versions.tf"),
        &f,
        "the Terraform and provider versions it was written for",
    )
}

// ---------------------------------------------------------------------------------------------
// The variables every cloud's server takes.

fn server_variables(
    f: &mut HclFile,
    server: &ServerSpec,
    cloud: &CloudSpec,
    least_disk: u32,
    size_check: (&str, &str),
) {
    f.block(
        variable("server_size", "string", "The machine's size.", Some(st(&server.size)))
            .add_block(validation(size_check.0, size_check.1))
            .build(),
    );
    f.block(
        variable(
            "disk_size",
            "number",
            "The disk, GiB: the system, Docker's images and the databases' volumes. It can grow later, never shrink.",
            Some(Expression::from(server.disk_gb)),
        )
        .add_block(validation(
            &format!(
                "var.disk_size >= {least_disk} && var.disk_size <= 16384 && floor(var.disk_size) == var.disk_size"
            ),
            &format!("disk_size must be a whole number of GiB from {least_disk} (the Debian image's size) to 16384."),
        ))
        .build(),
    );
    let least_days = if cloud.provider == "azure" { 7 } else { 1 };
    f.block(
        variable(
            "snapshot_days",
            "number",
            "Days each daily snapshot of the disk is kept.",
            Some(Expression::from(cloud.backup_days)),
        )
        .add_block(validation(
            &format!("var.snapshot_days >= {least_days} && var.snapshot_days <= 365 && floor(var.snapshot_days) == var.snapshot_days"),
            &format!("snapshot_days must be a whole number of days from {least_days} to 365."),
        ))
        .build(),
    );
    f.block(
        variable(
            "vpc_cidr",
            "string",
            "The network's address range; the server's subnet is its first sixteenth.",
            Some(st(&cloud.vpc_cidr)),
        )
        .add_block(validation(
            "can(cidrnetmask(var.vpc_cidr)) && tonumber(split(\"/\", var.vpc_cidr)[1]) >= 16 && tonumber(split(\"/\", var.vpc_cidr)[1]) <= 24",
            "vpc_cidr must be an IPv4 range from /16 to /24, such as 10.0.0.0/16.",
        ))
        .build(),
    );
    f.block(
        variable(
            "ssh_public_key",
            "string",
            "The public key the first login (and the playbook's first run) uses; its private half stays with you.",
            None,
        )
        .add_block(validation(
            "can(regex(\"^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/=]+\", var.ssh_public_key))",
            "ssh_public_key must be an OpenSSH public key (the one line of ~/.ssh/id_ed25519.pub), never a private key.",
        ))
        .build(),
    );
    f.block(
        variable(
            "admin_cidrs",
            "list(string)",
            "The IPv4 ranges SSH is let in from: your office, your VPN, the pipeline's runners (203.0.113.7/32).",
            None,
        )
        .add_block(validation(
            "length(var.admin_cidrs) > 0 && alltrue([for c in var.admin_cidrs : can(cidrnetmask(c)) && tonumber(split(\"/\", c)[1]) >= 8])",
            "admin_cidrs must list IPv4 ranges of /8 or narrower: SSH is never open to the whole internet.",
        ))
        .build(),
    );
}

/// The zone the server and its disk are in: the region's `suffix` zone unless set.
fn zone_variable(cloud: &CloudSpec, suffix: &str) -> Block {
    let (example, region) = if cloud.provider == "gcp" {
        ("us-central1-b", "${var.region}-")
    } else {
        ("us-east-1a", "${var.region}")
    };
    variable(
        "zone",
        "string",
        "The zone the server and its disk are in, within the region.",
        Some(st(format!("{}{suffix}", cloud.region))),
    )
    .add_block(validation(
        &format!("startswith(var.zone, \"{region}\") && length(var.zone) > length(\"{region}\")"),
        &format!("zone must be a zone of the region, such as {example}."),
    ))
    .build()
}

/// variables.tf's start: its header, then the project and the environment.
fn variables_head(doc: &str, whose: &str, project: &str, spec: &DeploySpec) -> HclFile {
    let (cloud_name, _, _) = names(doc);
    let mut f = HclFile::new(format!(
        "{}\n\nEvery value that differs between environments or {whose} is a variable with its type, a\ndescription and the checks {cloud_name} would otherwise make only halfway through an apply.",
        header(doc)
    ));
    for b in super::tf::project_and_environment(project, spec) {
        f.block(b);
    }
    f
}

fn size_check(provider: &str) -> (&'static str, &'static str) {
    match provider {
        "gcp" => (
            "can(regex(\"^[a-z0-9]+-[a-z0-9-]+$\", var.server_size))",
            "server_size must be a Compute Engine machine type, such as e2-small or n2-standard-2.",
        ),
        "azure" => (
            "can(regex(\"^Standard_[A-Za-z0-9_]+$\", var.server_size))",
            "server_size must be an Azure VM size, such as Standard_B2s or Standard_D2s_v5.",
        ),
        _ => (
            "can(regex(\"^[a-z][a-z0-9-]*\\\\.[a-z0-9]+$\", var.server_size))",
            "server_size must be an EC2 instance type, such as t3.small or m7i.large.",
        ),
    }
}

fn outputs_file(dir: &str, doc: &str, address: &str, extra: Vec<(&str, &str, String)>) -> Artifact {
    let mut f = HclFile::new(header(doc));
    f.block(
        Block::builder("output")
            .add_label("public_ip")
            .add_attribute((
                "description",
                "The server's static address: point the hosts' DNS here if Terraform does not.",
            ))
            .add_attribute(("value", expr(address)))
            .build(),
    );
    f.block(
        Block::builder("output")
            .add_label("first_login")
            .add_attribute((
                "description",
                "The first login, before the playbook has made the deploy user.",
            ))
            .add_attribute(("value", expr(&format!("\"ssh {}@${{{address}}}\"", first_user(doc)))))
            .build(),
    );
    for (name, description, value) in extra {
        f.block(
            Block::builder("output")
                .add_label(name)
                .add_attribute(("description", description))
                .add_attribute(("value", expr(&value)))
                .build(),
        );
    }
    file(
        format!("{dir}/outputs.tf"),
        &f,
        "the address, the first login, and how to check the host key",
    )
}

// ---------------------------------------------------------------------------------------------
// AWS: an EC2 instance in its own VPC.

fn aws_bootstrap(cloud: &CloudSpec, project: &str) -> Artifact {
    let mut f = HclFile::new(format!(
        "{}\n\nThe account's shared part, applied once by a person with administrator rights, before the\nserver's stack: the state bucket. Its own state stays local (terraform.tfstate here).",
        header("aws")
    ));
    f.block(versions(&[("aws", "hashicorp/aws", crate::knowledge::AWS_PROVIDER)]));
    f.block(super::aws::provider(
        None,
        obj([("Project", st(project)), ("ManagedBy", st("terraform"))]),
    ));
    f.block(
        variable(
            "region",
            "string",
            "The region the state bucket is in.",
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
    f.block(data("aws_caller_identity", "current").build());
    super::aws::state_store(
        &mut f,
        project,
        "The key of the state; the account's IAM policies decide who may use it.",
        "Terraform state",
    );
    file(
        "infra/aws/bootstrap/main.tf".into(),
        &f,
        "the account's shared part: the state bucket, versioned, encrypted and locked",
    )
}

/// A KMS key only this account may use, rotated yearly.
fn aws_key(f: &mut HclFile, id: &str, note: &str, description: &str) {
    f.block(super::aws::account_key_policy(id));
    f.commented(
        note,
        res("aws_kms_key", id)
            .add_attribute(("description", expr(&format!("\"${{local.name}}: {description}\""))))
            .add_attribute(("enable_key_rotation", true))
            .add_attribute(("deletion_window_in_days", 30))
            .add_attribute(("policy", expr(&format!("data.aws_iam_policy_document.{id}.json"))))
            .build(),
    );
}

fn assume_role(service: &str) -> Expression {
    expr(&format!(
        "jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = {{ Service = \"{service}\" }} }}] }})"
    ))
}

fn sg_rule(kind: &str, id: &str, description: &str, port: u16, cidr: &str, for_each: Option<&str>) -> Block {
    let mut b = res(&format!("aws_vpc_security_group_{kind}_rule"), id);
    if let Some(each) = for_each {
        b = b.add_attribute(("for_each", expr(each)));
    }
    b.add_attribute(("security_group_id", expr("aws_security_group.server.id")))
        .add_attribute(("description", description))
        .add_attribute(("ip_protocol", "tcp"))
        .add_attribute(("from_port", port))
        .add_attribute(("to_port", port))
        .add_attribute(("cidr_ipv4", expr(cidr)))
        .build()
}

fn aws_stack(spec: &DeploySpec, cloud: &CloudSpec, project: &str, hosts: &[String]) -> Vec<Artifact> {
    let dir = "infra/aws";
    let mut out = Vec::new();
    let server = cloud.server.as_ref().expect("a server");

    let mut f = HclFile::new(header("aws"));
    f.block(super::aws::provider(None, expr("local.tags")));
    f.block(super::tf::environment_locals("tags", true, "terraform"));
    f.block(data("aws_caller_identity", "current").build());
    out.push(file(
        format!("{dir}/providers.tf"),
        &f,
        "the AWS provider, the tags on every resource, and the names",
    ));

    let mut f = variables_head("aws", "accounts", project, spec);
    f.block(super::aws::region_variable(cloud));
    f.block(zone_variable(cloud, "a"));
    server_variables(&mut f, server, cloud, 8, size_check("aws"));
    out.push(file(
        format!("{dir}/variables.tf"),
        &f,
        "every setting, typed, described and checked",
    ));

    // The network: one public subnet; the server is the only thing in it.
    let mut f = HclFile::new(header("aws"));
    f.block(
        res("aws_vpc", "main")
            .add_attribute(("cidr_block", expr("var.vpc_cidr")))
            .add_attribute(("enable_dns_support", true))
            .add_attribute(("enable_dns_hostnames", true))
            .add_attribute(("tags", obj([("Name", expr("local.name"))])))
            .build(),
    );
    f.commented(
        "The VPC's default security group, emptied: nothing uses it, so nothing can be let in through it.",
        res("aws_default_security_group", "main")
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .build(),
    );
    f.block(
        res("aws_internet_gateway", "main")
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .add_attribute(("tags", obj([("Name", expr("local.name"))])))
            .build(),
    );
    f.commented(
        "The server's subnet. Instances get no public address by themselves: the server's is the\nElastic IP below, which outlives a replaced instance.",
        res("aws_subnet", "server")
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .add_attribute(("cidr_block", expr("cidrsubnet(var.vpc_cidr, 4, 0)")))
            .add_attribute(("availability_zone", expr("var.zone")))
            .add_attribute(("map_public_ip_on_launch", false))
            .add_attribute(("tags", obj([("Name", expr("\"${local.name}-server\""))])))
            .build(),
    );
    f.block(
        res("aws_route_table", "server")
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .add_block(
                Block::builder("route")
                    .add_attribute(("cidr_block", "0.0.0.0/0"))
                    .add_attribute(("gateway_id", expr("aws_internet_gateway.main.id")))
                    .build(),
            )
            .add_attribute(("tags", obj([("Name", expr("local.name"))])))
            .build(),
    );
    f.block(
        res("aws_route_table_association", "server")
            .add_attribute(("subnet_id", expr("aws_subnet.server.id")))
            .add_attribute(("route_table_id", expr("aws_route_table.server.id")))
            .build(),
    );
    f.commented(
        "The server's firewall, in front of the one the playbook sets up on the machine.",
        res("aws_security_group", "server")
            .add_attribute(("name", expr("\"${local.name}-server\"")))
            .add_attribute((
                "description",
                "The server: HTTP and HTTPS from anywhere, SSH from the admin ranges only",
            ))
            .add_attribute(("vpc_id", expr("aws_vpc.main.id")))
            .build(),
    );
    f.block(sg_rule(
        "ingress",
        "http",
        "HTTP, which Caddy redirects to HTTPS and answers certificate checks on",
        80,
        "\"0.0.0.0/0\"",
        None,
    ));
    f.block(sg_rule(
        "ingress",
        "https",
        "HTTPS to Caddy",
        443,
        "\"0.0.0.0/0\"",
        None,
    ));
    f.block(sg_rule(
        "ingress",
        "ssh",
        "SSH from an admin range",
        22,
        "each.value",
        Some("toset(var.admin_cidrs)"),
    ));
    f.commented(
        "Out: HTTP and HTTPS only, for the package mirrors, the image registry and the certificate authority.\nThe VPC resolver and the time service are reached without the security group.",
        sg_rule("egress", "http", "Package mirrors over HTTP (apt checks their signatures)", 80, "\"0.0.0.0/0\"", None),
    );
    f.block(sg_rule(
        "egress",
        "https",
        "Registries, package mirrors and the certificate authority",
        443,
        "\"0.0.0.0/0\"",
        None,
    ));
    out.push(file(
        format!("{dir}/network.tf"),
        &f,
        "the VPC, the server's subnet and its security group",
    ));

    // The server.
    let mut f = HclFile::new(header("aws"));
    f.commented(
        "Debian 13, from Debian's own account; a newer image does not replace a running server (see ignore_changes).",
        data("aws_ami", "debian")
            .add_attribute(("most_recent", true))
            .add_attribute(("owners", strs(["136693071363"])))
            .add_block(
                Block::builder("filter")
                    .add_attribute(("name", "name"))
                    .add_attribute(("values", strs(["debian-13-amd64-*"])))
                    .build(),
            )
            .add_block(
                Block::builder("filter")
                    .add_attribute(("name", "architecture"))
                    .add_attribute(("values", strs(["x86_64"])))
                    .build(),
            )
            .build(),
    );
    aws_key(
        &mut f,
        "disk",
        "The key of the server's disk and its snapshots.",
        "server disk and snapshots",
    );
    f.block(
        res("aws_key_pair", "admin")
            .add_attribute(("key_name", expr("local.name")))
            .add_attribute(("public_key", expr("var.ssh_public_key")))
            .build(),
    );
    f.commented(
        "The server's role: Session Manager only, a way in when SSH is locked out, with no SSH port needed.",
        res("aws_iam_role", "server")
            .add_attribute(("name", expr("\"${local.name}-server\"")))
            .add_attribute(("assume_role_policy", assume_role("ec2.amazonaws.com")))
            .build(),
    );
    f.block(
        res("aws_iam_role_policy_attachment", "server_ssm")
            .add_attribute(("role", expr("aws_iam_role.server.name")))
            .add_attribute(("policy_arn", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"))
            .build(),
    );
    f.block(
        res("aws_iam_instance_profile", "server")
            .add_attribute(("name", expr("\"${local.name}-server\"")))
            .add_attribute(("role", expr("aws_iam_role.server.name")))
            .build(),
    );
    f.commented(
        "The server. Its metadata answers tokens only (IMDSv2), its disk is encrypted with the key above and\nsnapshotted daily (snapshots.tf), and neither Terraform nor the console may delete it: to retire it,\nturn both protections off on purpose first.",
        res("aws_instance", "server")
            .add_attribute(("ami", expr("data.aws_ami.debian.id")))
            .add_attribute(("instance_type", expr("var.server_size")))
            .add_attribute(("subnet_id", expr("aws_subnet.server.id")))
            .add_attribute(("vpc_security_group_ids", expr("[aws_security_group.server.id]")))
            .add_attribute(("key_name", expr("aws_key_pair.admin.key_name")))
            .add_attribute(("iam_instance_profile", expr("aws_iam_instance_profile.server.name")))
            .add_attribute(("ebs_optimized", true))
            .add_attribute(("monitoring", true))
            .add_attribute(("disable_api_termination", true))
            .add_block(
                Block::builder("metadata_options")
                    .add_attribute(("http_endpoint", "enabled"))
                    .add_attribute(("http_tokens", "required"))
                    .add_attribute(("http_put_response_hop_limit", 1))
                    .build(),
            )
            .add_block(
                Block::builder("root_block_device")
                    .add_attribute(("volume_type", "gp3"))
                    .add_attribute(("volume_size", expr("var.disk_size")))
                    .add_attribute(("encrypted", true))
                    .add_attribute(("kms_key_id", expr("aws_kms_key.disk.arn")))
                    .add_attribute(("tags", obj([("Name", expr("local.name")), ("Snapshots", expr("local.name"))])))
                    .build(),
            )
            .add_attribute(("tags", obj([("Name", expr("local.name"))])))
            .add_block(
                Block::builder("lifecycle")
                    .add_attribute(("prevent_destroy", true))
                    .add_attribute(("ignore_changes", expr("[ami]")))
                    .build(),
            )
            .build(),
    );
    f.commented(
        "The server's address; it stays when the instance is replaced, and DNS points at it.",
        res("aws_eip", "server")
            .add_attribute(("domain", "vpc"))
            .add_attribute(("instance", expr("aws_instance.server.id")))
            .add_attribute(("tags", obj([("Name", expr("local.name"))])))
            .build(),
    );
    out.push(file(
        format!("{dir}/server.tf"),
        &f,
        "the server: Debian 13, an encrypted disk, IMDSv2, a static address",
    ));

    // Snapshots.
    let mut f = HclFile::new(header("aws"));
    f.block(
        res("aws_iam_role", "snapshots")
            .add_attribute(("name", expr("\"${local.name}-snapshots\"")))
            .add_attribute(("assume_role_policy", assume_role("dlm.amazonaws.com")))
            .build(),
    );
    f.block(
        res("aws_iam_role_policy_attachment", "snapshots")
            .add_attribute(("role", expr("aws_iam_role.snapshots.name")))
            .add_attribute((
                "policy_arn",
                "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole",
            ))
            .build(),
    );
    f.commented(
        "A snapshot of the disk every day at 03:00 UTC, each kept var.snapshot_days days; encrypted with the\ndisk's key. docs/aws.md says how to put one back.",
        res("aws_dlm_lifecycle_policy", "server")
            .add_attribute(("description", expr("\"${local.name}: daily snapshots of the server's disk\"")))
            .add_attribute(("execution_role_arn", expr("aws_iam_role.snapshots.arn")))
            .add_attribute(("state", "ENABLED"))
            .add_block(
                Block::builder("policy_details")
                    .add_attribute(("resource_types", strs(["VOLUME"])))
                    .add_attribute(("target_tags", obj([("Snapshots", expr("local.name"))])))
                    .add_block(
                        Block::builder("schedule")
                            .add_attribute(("name", "daily"))
                            .add_attribute(("copy_tags", true))
                            .add_block(
                                Block::builder("create_rule")
                                    .add_attribute(("interval", 24))
                                    .add_attribute(("interval_unit", "HOURS"))
                                    .add_attribute(("times", strs(["03:00"])))
                                    .build(),
                            )
                            .add_block(
                                Block::builder("retain_rule")
                                    .add_attribute(("interval", expr("var.snapshot_days")))
                                    .add_attribute(("interval_unit", "DAYS"))
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    out.push(file(
        format!("{dir}/snapshots.tf"),
        &f,
        "the disk's daily snapshots and how long they are kept",
    ));

    if !hosts.is_empty() {
        let mut f = HclFile::new(header("aws"));
        for z in &zones(hosts) {
            f.commented(
                format!("The hosted zone of {z}, which exists already."),
                data("aws_route53_zone", &zone_id(z))
                    .add_attribute(("name", z.as_str()))
                    .add_attribute(("private_zone", false))
                    .build(),
            );
        }
        for h in hosts {
            f.block(
                res("aws_route53_record", &zone_id(h))
                    .add_attribute((
                        "zone_id",
                        expr(&format!(
                            "data.aws_route53_zone.{}.zone_id",
                            zone_id(&super::aws::zone_of(h))
                        )),
                    ))
                    .add_attribute(("name", h.as_str()))
                    .add_attribute(("type", "A"))
                    .add_attribute(("ttl", 300))
                    .add_attribute(("records", expr("[aws_eip.server.public_ip]")))
                    .build(),
            );
        }
        out.push(file(
            format!("{dir}/dns.tf"),
            &f,
            "the hosts' DNS records, pointing at the server",
        ));
    }
    out.push(outputs_file(
        dir,
        "aws",
        "aws_eip.server.public_ip",
        vec![
            (
                "instance_id",
                "The instance, for restoring a snapshot onto it (docs/aws.md).",
                "aws_instance.server.id".into(),
            ),
            (
            "host_keys",
            "Compare these with what the first SSH login shows before you answer yes.",
            "\"aws ec2 get-console-output --latest --output text --instance-id ${aws_instance.server.id} | grep -A8 'BEGIN SSH HOST KEY FINGERPRINTS'\"".into(),
            ),
        ],
    ));
    out
}

/// The DNS zones the hosts are in, each once.
fn zones(hosts: &[String]) -> Vec<String> {
    let mut zones: Vec<String> = hosts.iter().map(|h| super::aws::zone_of(h)).collect();
    zones.sort();
    zones.dedup();
    zones
}

fn zone_id(name: &str) -> String {
    crate::kube::name_of(name).replace(['-', '.'], "_")
}

// ---------------------------------------------------------------------------------------------
// Google Cloud: a Compute Engine VM in its own network.

fn gcp_bootstrap(cloud: &CloudSpec, project: &str, hosts: &[String]) -> Artifact {
    let mut f = HclFile::new(format!(
        "{}\n\nThe project's shared part, applied once by a person who owns the project, before the server's\nstack: the APIs and the state bucket. Its own state stays local (terraform.tfstate here).",
        header("gcp")
    ));
    f.block(versions(&[(
        "google",
        "hashicorp/google",
        crate::knowledge::GOOGLE_PROVIDER,
    )]));
    f.block(super::gcp::google_provider(obj([
        ("project", st(project)),
        ("managed-by", st("terraform")),
    ])));
    f.block(super::gcp::project_id_variable());
    f.block(super::gcp::region_variable(
        cloud,
        "The region the state bucket and the server are in.",
        "",
    ));
    f.block(
        variable(
            "state_bucket",
            "string",
            "The state bucket's name; bucket names are global, so change it here and in ../backend.tf if it is taken.",
            Some(st(super::gcp::state_bucket(project, cloud))),
        )
        .build(),
    );
    let mut apis = vec!["compute.googleapis.com", "iam.googleapis.com", "storage.googleapis.com"];
    if !hosts.is_empty() {
        apis.push("dns.googleapis.com");
    }
    f.commented(
        "The APIs the server's stack calls; left enabled when this stack is destroyed, since other things may use them.",
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
    super::gcp::add_state_bucket(&mut f);
    file(
        "infra/gcp/bootstrap/main.tf".into(),
        &f,
        "the project's shared part: the APIs and the state bucket",
    )
}

fn gcp_stack(spec: &DeploySpec, cloud: &CloudSpec, project: &str, hosts: &[String]) -> Vec<Artifact> {
    let dir = "infra/gcp";
    let blk = super::gcp::blk;
    let server = cloud.server.as_ref().expect("a server");
    let mut out = Vec::new();

    let mut f = HclFile::new(header("gcp"));
    f.block(super::gcp::google_provider(expr("local.labels")));
    f.block(super::tf::environment_locals("labels", false, "terraform"));
    out.push(file(
        format!("{dir}/providers.tf"),
        &f,
        "the Google provider, the labels on every resource, and the names",
    ));

    let mut f = variables_head("gcp", "projects", project, spec);
    f.block(super::gcp::project_id_variable());
    f.block(super::gcp::region_variable(cloud, "The region the server is in.", ""));
    f.block(zone_variable(cloud, "-b"));
    server_variables(&mut f, server, cloud, 10, size_check("gcp"));
    if !hosts.is_empty() {
        f.block(
            variable(
                "dns_zone",
                "string",
                "The name of the Cloud DNS managed zone the hosts are in (not its DNS name).",
                Some(st(
                    crate::kube::name_of(&super::aws::zone_of(&hosts[0])).replace('.', "-")
                )),
            )
            .build(),
        );
    }
    out.push(file(
        format!("{dir}/variables.tf"),
        &f,
        "every setting, typed, described and checked",
    ));

    let mut f = HclFile::new(header("gcp"));
    f.block(super::gcp::own_network());
    f.commented(
        "The server's subnet, with flow logs sampled at half.",
        res("google_compute_subnetwork", "server")
            .add_attribute(("name", expr("\"${local.name}-server\"")))
            .add_attribute(("network", expr("google_compute_network.main.id")))
            .add_attribute(("region", expr("var.region")))
            .add_attribute(("ip_cidr_range", expr("cidrsubnet(var.vpc_cidr, 4, 0)")))
            .add_attribute(("private_ip_google_access", true))
            .add_block(super::gcp::flow_logs())
            .build(),
    );
    let rule = |id: &str, description: &str, direction: &str, ports: &[&str], ranges: &str, priority: u32| {
        let mut b = res("google_compute_firewall", id)
            .add_attribute(("name", expr(&format!("\"${{local.name}}-{}\"", id.replace('_', "-")))))
            .add_attribute(("description", description))
            .add_attribute(("network", expr("google_compute_network.main.id")))
            .add_attribute(("direction", direction))
            .add_attribute(("priority", priority));
        b = if ports.is_empty() {
            b.add_block(blk("deny").add_attribute(("protocol", "all")).build())
        } else {
            b.add_block(
                blk("allow")
                    .add_attribute(("protocol", "tcp"))
                    .add_attribute(("ports", strs(ports.iter().copied())))
                    .build(),
            )
        };
        b = if direction == "INGRESS" {
            b.add_attribute(("source_ranges", expr(ranges)))
                .add_attribute(("target_tags", strs(["server"])))
        } else {
            b.add_attribute(("destination_ranges", expr(ranges)))
        };
        b.add_block(
            blk("log_config")
                .add_attribute(("metadata", "EXCLUDE_ALL_METADATA"))
                .build(),
        )
        .build()
    };
    f.commented(
        "The server's firewall, in front of the one the playbook sets up on the machine.",
        rule(
            "web",
            "HTTP and HTTPS to Caddy, from anywhere",
            "INGRESS",
            &["80", "443"],
            "[\"0.0.0.0/0\"]",
            1000,
        ),
    );
    f.block(rule(
        "ssh",
        "SSH from the admin ranges only",
        "INGRESS",
        &["22"],
        "var.admin_cidrs",
        1000,
    ));
    f.commented(
        "Out: HTTP and HTTPS only, for the package mirrors, the image registry and the certificate authority.\nThe metadata server (DNS, time, credentials) is reached without the firewall.",
        rule("egress_web", "HTTP and HTTPS out", "EGRESS", &["80", "443"], "[\"0.0.0.0/0\"]", 1000),
    );
    f.block(rule(
        "egress_deny",
        "Nothing else out",
        "EGRESS",
        &[],
        "[\"0.0.0.0/0\"]",
        65000,
    ));
    out.push(file(
        format!("{dir}/network.tf"),
        &f,
        "the network, the server's subnet and its firewall rules",
    ));

    let mut f = HclFile::new(header("gcp"));
    f.commented(
        "The server's own identity: it writes logs and metrics, and may do nothing else.",
        res("google_service_account", "server")
            .add_attribute((
                "account_id",
                expr("\"${substr(var.project, 0, 14)}-${substr(var.environment, 0, 10)}-vm\""),
            ))
            .add_attribute(("display_name", expr("\"${local.name} server\"")))
            .build(),
    );
    f.block(
        res("google_project_iam_member", "server")
            .add_attribute((
                "for_each",
                expr("toset([\"roles/logging.logWriter\", \"roles/monitoring.metricWriter\"])"),
            ))
            .add_attribute(("project", expr("var.project_id")))
            .add_attribute(("role", expr("each.value")))
            .add_attribute((
                "member",
                expr("\"serviceAccount:${google_service_account.server.email}\""),
            ))
            .build(),
    );
    f.commented(
        "The server's address; it stays when the VM is replaced, and DNS points at it.",
        res("google_compute_address", "server")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("region", expr("var.region")))
            .add_attribute(("address_type", "EXTERNAL"))
            .build(),
    );
    f.commented(
        "A snapshot of the disk every day at 03:00 UTC, each kept var.snapshot_days days, and kept even when\nthe disk is deleted. docs/gcp.md says how to put one back.",
        res("google_compute_resource_policy", "snapshots")
            .add_attribute(("name", expr("\"${local.name}-daily\"")))
            .add_attribute(("region", expr("var.region")))
            .add_block(
                blk("snapshot_schedule_policy")
                    .add_block(
                        blk("schedule")
                            .add_block(
                                blk("daily_schedule")
                                    .add_attribute(("days_in_cycle", 1))
                                    .add_attribute(("start_time", "03:00"))
                                    .build(),
                            )
                            .build(),
                    )
                    .add_block(
                        blk("retention_policy")
                            .add_attribute(("max_retention_days", expr("var.snapshot_days")))
                            .add_attribute(("on_source_disk_delete", "KEEP_AUTO_SNAPSHOTS"))
                            .build(),
                    )
                    .add_block(
                        blk("snapshot_properties")
                            .add_attribute(("labels", expr("local.labels")))
                            .add_attribute(("storage_locations", expr("[var.region]")))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    f.commented(
        "The server's disk: Debian 13, snapshotted daily; a newer image does not replace it.",
        res("google_compute_disk", "system")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("zone", expr("var.zone")))
            .add_attribute(("type", "pd-balanced"))
            .add_attribute(("size", expr("var.disk_size")))
            .add_attribute(("image", "debian-cloud/debian-13"))
            .add_attribute((
                "resource_policies",
                expr("[google_compute_resource_policy.snapshots.id]"),
            ))
            .add_attribute(("labels", expr("local.labels")))
            .add_block(
                blk("lifecycle")
                    .add_attribute(("prevent_destroy", true))
                    .add_attribute(("ignore_changes", expr("[image]")))
                    .build(),
            )
            .build(),
    );
    f.commented(
        "The server. Shielded (secure boot, vTPM, integrity checks), no serial console, the project's SSH keys\nrefused: the only login is var.ssh_public_key. Deletion protection is on: to retire it, turn it\noff on purpose first.",
        res("google_compute_instance", "server")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("zone", expr("var.zone")))
            .add_attribute(("machine_type", expr("var.server_size")))
            .add_attribute(("tags", strs(["server"])))
            .add_attribute(("deletion_protection", true))
            .add_attribute(("can_ip_forward", false))
            .add_block(
                blk("boot_disk")
                    .add_attribute(("source", expr("google_compute_disk.system.id")))
                    .add_attribute(("auto_delete", false))
                    .build(),
            )
            .add_block(
                blk("network_interface")
                    .add_attribute(("subnetwork", expr("google_compute_subnetwork.server.id")))
                    .add_block(
                        blk("access_config")
                            .add_attribute(("nat_ip", expr("google_compute_address.server.address")))
                            .build(),
                    )
                    .build(),
            )
            .add_attribute((
                "metadata",
                obj([
                    ("block-project-ssh-keys", st("true")),
                    ("serial-port-enable", st("false")),
                    ("enable-oslogin", st("false")),
                    ("ssh-keys", expr(&format!("\"{}:${{var.ssh_public_key}}\"", first_user("gcp")))),
                ]),
            ))
            .add_block(
                blk("shielded_instance_config")
                    .add_attribute(("enable_secure_boot", true))
                    .add_attribute(("enable_vtpm", true))
                    .add_attribute(("enable_integrity_monitoring", true))
                    .build(),
            )
            .add_block(
                blk("service_account")
                    .add_attribute(("email", expr("google_service_account.server.email")))
                    .add_attribute(("scopes", strs(["cloud-platform"])))
                    .build(),
            )
            .add_attribute(("labels", expr("local.labels")))
            .build(),
    );
    out.push(file(
        format!("{dir}/server.tf"),
        &f,
        "the server: Debian 13, shielded, its disk snapshotted daily, a static address",
    ));

    if !hosts.is_empty() {
        let mut f = HclFile::new(header("gcp"));
        f.commented(
            "The managed zone the hosts are in, which exists already.",
            data("google_dns_managed_zone", "hosts")
                .add_attribute(("name", expr("var.dns_zone")))
                .build(),
        );
        for h in hosts {
            f.block(
                res("google_dns_record_set", &zone_id(h))
                    .add_attribute(("managed_zone", expr("data.google_dns_managed_zone.hosts.name")))
                    .add_attribute(("name", format!("{h}.")))
                    .add_attribute(("type", "A"))
                    .add_attribute(("ttl", 300))
                    .add_attribute(("rrdatas", expr("[google_compute_address.server.address]")))
                    .build(),
            );
        }
        out.push(file(
            format!("{dir}/dns.tf"),
            &f,
            "the hosts' DNS records, pointing at the server",
        ));
    }
    out.push(outputs_file(
        dir,
        "gcp",
        "google_compute_address.server.address",
        vec![(
            "host_keys",
            "Compare these with what the first SSH login shows before you answer yes.",
            "\"gcloud compute instances get-guest-attributes ${google_compute_instance.server.name} --zone ${var.zone} --query-path=hostkeys/\"".into(),
        )],
    ));
    out
}

// ---------------------------------------------------------------------------------------------
// Azure: an Azure VM in its own virtual network, backed up by Azure Backup.

fn azure_bootstrap(cloud: &CloudSpec, project: &str) -> Artifact {
    let blk = super::azure::blk;
    let mut f = HclFile::new(format!(
        "{}\n\nThe subscription's shared part, applied once by a person who owns the subscription, before the\nserver's stack: the resource group and storage account of the state. Its own state stays local\n(terraform.tfstate here).",
        header("azure")
    ));
    f.block(versions(&[(
        "azurerm",
        "hashicorp/azurerm",
        crate::knowledge::AZURERM_WRITTEN,
    )]));
    f.block(super::azure::azure_provider());
    f.block(super::azure::subscription_variable());
    f.block(super::azure::location_variable(
        cloud,
        "The region the state and the server are in.",
        "",
    ));
    f.block(
        variable(
            "state_account",
            "string",
            "The state's storage account; names are global, so change it here and in ../backend.tf if it is taken.",
            Some(st(super::azure::state_account(project, cloud))),
        )
        .add_block(validation(
            "can(regex(\"^[a-z0-9]{3,24}$\", var.state_account))",
            "state_account must be 3 to 24 lowercase letters and digits.",
        ))
        .build(),
    );
    f.block(
        blk("locals")
            .add_attribute(("tags", obj([("project", st(project)), ("managed-by", st("terraform"))])))
            .build(),
    );
    f.block(
        res("azurerm_resource_group", "shared")
            .add_attribute(("name", super::azure::shared_group(project)))
            .add_attribute(("location", expr("var.location")))
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    super::azure::add_state_account(&mut f, "azurerm_resource_group.shared.name");
    file(
        "infra/azure/bootstrap/main.tf".into(),
        &f,
        "the subscription's shared part: the state's storage account",
    )
}

fn azure_stack(spec: &DeploySpec, cloud: &CloudSpec, project: &str, hosts: &[String]) -> Vec<Artifact> {
    let dir = "infra/azure";
    let blk = super::azure::blk;
    let server = cloud.server.as_ref().expect("a server");
    let mut out = Vec::new();
    let place = |b: hcl::BlockBuilder| {
        b.add_attribute(("resource_group_name", expr("azurerm_resource_group.server.name")))
            .add_attribute(("location", expr("azurerm_resource_group.server.location")))
    };

    let mut f = HclFile::new(header("azure"));
    f.block(super::azure::azure_provider());
    f.block(super::tf::environment_locals("tags", false, "terraform"));
    f.commented(
        "The server's resource group; Azure refuses to delete it while it holds anything.",
        res("azurerm_resource_group", "server")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("location", expr("var.location")))
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    out.push(file(
        format!("{dir}/providers.tf"),
        &f,
        "the AzureRM provider, the tags on every resource, and the names",
    ));

    let mut f = variables_head("azure", "subscriptions", project, spec);
    f.block(super::azure::subscription_variable());
    f.block(super::azure::location_variable(
        cloud,
        "The region the server is in.",
        "",
    ));
    server_variables(&mut f, server, cloud, 30, size_check("azure"));
    if !hosts.is_empty() {
        f.block(
            variable(
                "dns_resource_group",
                "string",
                "The resource group of the DNS zone the hosts are in.",
                None,
            )
            .build(),
        );
    }
    out.push(file(
        format!("{dir}/variables.tf"),
        &f,
        "every setting, typed, described and checked",
    ));

    let mut f = HclFile::new(header("azure"));
    f.block(
        place(res("azurerm_virtual_network", "main"))
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("address_space", expr("[var.vpc_cidr]")))
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    f.block(
        res("azurerm_subnet", "server")
            .add_attribute(("name", "server"))
            .add_attribute(("resource_group_name", expr("azurerm_resource_group.server.name")))
            .add_attribute(("virtual_network_name", expr("azurerm_virtual_network.main.name")))
            .add_attribute(("address_prefixes", expr("[cidrsubnet(var.vpc_cidr, 4, 0)]")))
            .add_attribute(("default_outbound_access_enabled", false))
            .build(),
    );
    let nsg_rule =
        |name: &str, priority: u32, direction: &str, access: &str, port: &str, source: (&str, &str), dest: &str| {
            let mut b = blk("security_rule")
                .add_attribute(("name", name))
                .add_attribute(("priority", priority))
                .add_attribute(("direction", direction))
                .add_attribute(("access", access))
                .add_attribute(("protocol", if port == "*" { "*" } else { "Tcp" }))
                .add_attribute(("source_port_range", "*"));
            b = if port.contains(',') {
                b.add_attribute(("destination_port_ranges", strs(port.split(','))))
            } else {
                b.add_attribute(("destination_port_range", port))
            };
            b = match source {
                ("prefixes", v) => b.add_attribute(("source_address_prefixes", expr(v))),
                (_, v) => b.add_attribute(("source_address_prefix", v)),
            };
            b.add_attribute(("destination_address_prefix", dest)).build()
        };
    f.commented(
        "The server's firewall, in front of the one the playbook sets up on the machine: in, HTTP and HTTPS\nfrom anywhere and SSH from the admin ranges; out, HTTP and HTTPS for the package mirrors, the image\nregistry and the certificate authority, and nothing else.",
        place(res("azurerm_network_security_group", "server"))
            .add_attribute(("name", expr("\"${local.name}-server\"")))
            .add_block(nsg_rule("web", 100, "Inbound", "Allow", "80,443", ("prefix", "Internet"), "*"))
            .add_block(nsg_rule("ssh", 110, "Inbound", "Allow", "22", ("prefixes", "var.admin_cidrs"), "*"))
            .add_block(nsg_rule("web-out", 100, "Outbound", "Allow", "80,443", ("prefix", "*"), "Internet"))
            .add_block(nsg_rule("dns-out", 110, "Outbound", "Allow", "53", ("prefix", "*"), "AzureCloud"))
            .add_block(nsg_rule("nothing-else-out", 4000, "Outbound", "Deny", "*", ("prefix", "*"), "*"))
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    f.block(
        res("azurerm_subnet_network_security_group_association", "server")
            .add_attribute(("subnet_id", expr("azurerm_subnet.server.id")))
            .add_attribute((
                "network_security_group_id",
                expr("azurerm_network_security_group.server.id"),
            ))
            .build(),
    );
    f.commented(
        "The server's address; it stays when the VM is replaced, and DNS points at it.",
        place(res("azurerm_public_ip", "server"))
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("allocation_method", "Static"))
            .add_attribute(("sku", "Standard"))
            .add_attribute(("tags", expr("local.tags")))
            .add_block(blk("lifecycle").add_attribute(("prevent_destroy", true)).build())
            .build(),
    );
    f.block(
        place(res("azurerm_network_interface", "server"))
            .add_attribute(("name", expr("local.name")))
            .add_block(
                blk("ip_configuration")
                    .add_attribute(("name", "server"))
                    .add_attribute(("subnet_id", expr("azurerm_subnet.server.id")))
                    .add_attribute(("private_ip_address_allocation", "Dynamic"))
                    .add_attribute(("public_ip_address_id", expr("azurerm_public_ip.server.id")))
                    .build(),
            )
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    out.push(file(
        format!("{dir}/network.tf"),
        &f,
        "the virtual network, the server's subnet, its firewall and address",
    ));

    let mut f = HclFile::new(header("azure"));
    f.commented(
        format!(
            "The server: Debian 13 with trusted launch (secure boot, vTPM), a key-only login as {}, boot\ndiagnostics in managed storage (where its host keys are printed). Terraform refuses to delete it.",
            first_user("azure")
        ),
        place(res("azurerm_linux_virtual_machine", "server"))
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("size", expr("var.server_size")))
            .add_attribute(("admin_username", first_user("azure")))
            .add_attribute(("disable_password_authentication", true))
            .add_attribute(("network_interface_ids", expr("[azurerm_network_interface.server.id]")))
            .add_attribute(("secure_boot_enabled", true))
            .add_attribute(("vtpm_enabled", true))
            .add_block(
                blk("admin_ssh_key")
                    .add_attribute(("username", first_user("azure")))
                    .add_attribute(("public_key", expr("var.ssh_public_key")))
                    .build(),
            )
            .add_block(
                blk("os_disk")
                    .add_attribute(("caching", "ReadWrite"))
                    .add_attribute(("storage_account_type", "StandardSSD_LRS"))
                    .add_attribute(("disk_size_gb", expr("var.disk_size")))
                    .build(),
            )
            .add_block(
                blk("source_image_reference")
                    .add_attribute(("publisher", "Debian"))
                    .add_attribute(("offer", "debian-13"))
                    .add_attribute(("sku", "13-gen2"))
                    .add_attribute(("version", "latest"))
                    .build(),
            )
            .add_block(blk("boot_diagnostics").build())
            .add_attribute(("tags", expr("local.tags")))
            .add_block(blk("lifecycle").add_attribute(("prevent_destroy", true)).build())
            .build(),
    );
    out.push(file(
        format!("{dir}/server.tf"),
        &f,
        "the server: Debian 13, trusted launch, a key-only login, a static address",
    ));

    let mut f = HclFile::new(header("azure"));
    f.commented(
        "The vault the server's backups are kept in; deleted backups stay 14 days more (soft delete).",
        place(res("azurerm_recovery_services_vault", "server"))
            .add_attribute(("name", expr("\"${local.name}-backups\"")))
            .add_attribute(("sku", "Standard"))
            .add_attribute(("soft_delete_enabled", true))
            .add_attribute(("storage_mode_type", "LocallyRedundant"))
            .add_block(blk("identity").add_attribute(("type", "SystemAssigned")).build())
            .add_attribute(("tags", expr("local.tags")))
            .add_block(blk("lifecycle").add_attribute(("prevent_destroy", true)).build())
            .build(),
    );
    f.commented(
        "A backup of the whole server every day at 03:00 UTC, each kept var.snapshot_days days. docs/azure.md\nsays how to put one back.",
        res("azurerm_backup_policy_vm", "daily")
            .add_attribute(("name", "daily"))
            .add_attribute(("resource_group_name", expr("azurerm_resource_group.server.name")))
            .add_attribute(("recovery_vault_name", expr("azurerm_recovery_services_vault.server.name")))
            .add_attribute(("timezone", "UTC"))
            .add_block(
                blk("backup")
                    .add_attribute(("frequency", "Daily"))
                    .add_attribute(("time", "03:00"))
                    .build(),
            )
            .add_block(
                blk("retention_daily")
                    .add_attribute(("count", expr("var.snapshot_days")))
                    .build(),
            )
            .build(),
    );
    f.block(
        res("azurerm_backup_protected_vm", "server")
            .add_attribute(("resource_group_name", expr("azurerm_resource_group.server.name")))
            .add_attribute((
                "recovery_vault_name",
                expr("azurerm_recovery_services_vault.server.name"),
            ))
            .add_attribute(("source_vm_id", expr("azurerm_linux_virtual_machine.server.id")))
            .add_attribute(("backup_policy_id", expr("azurerm_backup_policy_vm.daily.id")))
            .build(),
    );
    out.push(file(
        format!("{dir}/backups.tf"),
        &f,
        "the server's daily backups in a Recovery Services vault",
    ));

    if !hosts.is_empty() {
        let mut f = HclFile::new(header("azure"));
        for z in &zones(hosts) {
            f.commented(
                format!("The DNS zone of {z}, which exists already."),
                data("azurerm_dns_zone", &zone_id(z))
                    .add_attribute(("name", z.as_str()))
                    .add_attribute(("resource_group_name", expr("var.dns_resource_group")))
                    .build(),
            );
        }
        for h in hosts {
            let z = super::aws::zone_of(h);
            let name = h.strip_suffix(&format!(".{z}")).unwrap_or("@");
            f.block(
                res("azurerm_dns_a_record", &zone_id(h))
                    .add_attribute(("name", name))
                    .add_attribute((
                        "zone_name",
                        expr(&format!("data.azurerm_dns_zone.{}.name", zone_id(&z))),
                    ))
                    .add_attribute(("resource_group_name", expr("var.dns_resource_group")))
                    .add_attribute(("ttl", 300))
                    .add_attribute(("target_resource_id", expr("azurerm_public_ip.server.id")))
                    .build(),
            );
        }
        out.push(file(
            format!("{dir}/dns.tf"),
            &f,
            "the hosts' DNS records, pointing at the server",
        ));
    }
    out.push(outputs_file(
        dir,
        "azure",
        "azurerm_public_ip.server.ip_address",
        vec![(
            "host_keys",
            "Compare these with what the first SSH login shows before you answer yes.",
            "\"az vm boot-diagnostics get-boot-log --ids ${azurerm_linux_virtual_machine.server.id} | grep -A8 'BEGIN SSH HOST KEY FINGERPRINTS'\"".into(),
        )],
    ));
    out
}

// ---------------------------------------------------------------------------------------------
// What the window shows, what it costs, what to provide, and the runbook.

fn estimate(cloud: &CloudSpec, server: &ServerSpec) -> Estimate {
    use cost::HOURS;
    let mut e = Estimate::default();
    let disk = f64::from(server.disk_gb);
    let (machine, machine_hour, disk_line, disk_month, snapshots, ip_hour, keys) = match cloud.provider.as_str() {
        "gcp" => (
            "Compute Engine VM",
            cost::servers::gce_hour(&server.size),
            "Balanced persistent disk",
            cost::servers::GCE_BALANCED_GB_MONTH,
            ("Disk snapshots", cost::servers::GCE_SNAPSHOT_GB_MONTH),
            cost::servers::GCE_IPV4_HOUR,
            0.0,
        ),
        "azure" => (
            "Azure VM (Linux)",
            cost::servers::azure_vm_hour(&server.size),
            "Standard SSD managed disk",
            cost::servers::AZURE_STANDARD_SSD_GB_MONTH,
            ("Azure Backup", cost::servers::AZURE_BACKUP_GB_MONTH),
            cost::aws::IPV4_HOUR,
            0.0,
        ),
        _ => (
            "EC2 instance",
            cost::servers::ec2_hour(&server.size),
            "EBS gp3 volume",
            cost::servers::EBS_GP3_GB_MONTH,
            ("EBS snapshots", cost::servers::EBS_SNAPSHOT_GB_MONTH),
            cost::aws::IPV4_HOUR,
            2.0 * cost::aws::KMS_KEY_MONTH,
        ),
    };
    match machine_hour {
        Some(h) => e.add(format!("{machine} ({})", server.size), "running all month", h * HOURS),
        None => e.unpriced.push(format!("the machine size {}", server.size)),
    }
    e.add(disk_line, format!("{} GiB", server.disk_gb), disk * disk_month);
    if cloud.provider == "azure" {
        e.add(
            "Azure Backup protected instance",
            "one VM of 50 GB or less",
            cost::servers::AZURE_BACKUP_INSTANCE_MONTH,
        );
    }
    e.add(
        snapshots.0,
        format!(
            "{} daily copies; a full copy of the disk plus small daily changes, counted as one disk",
            cloud.backup_days
        ),
        disk * snapshots.1,
    );
    e.add("Static public IPv4 address", "1, in use", ip_hour * HOURS);
    if keys > 0.0 {
        e.add("KMS keys", "2 (the disk's, the state's)", keys);
    }
    e
}

fn picture(spec: &DeploySpec, cloud: &CloudSpec, server: &ServerSpec, hosts: &[String]) -> Vec<CloudNode> {
    let (cloud_name, machine, _) = names(&cloud.provider);
    let node = |kind: &str, name: String, detail: String| CloudNode {
        kind: kind.into(),
        name,
        detail,
    };
    let mut out = Vec::new();
    if !hosts.is_empty() {
        out.push(node(
            "DNS",
            hosts.join(", "),
            format!("A records in the {cloud_name} zone, pointing at the static address"),
        ));
    }
    out.push(node(
        "Static address",
        "public_ip".into(),
        "kept when the server is replaced".into(),
    ));
    out.push(node(
        "Firewall",
        "server".into(),
        "in: HTTP, HTTPS from anywhere, SSH from admin_cidrs; out: HTTP, HTTPS".into(),
    ));
    let services: Vec<String> = spec
        .services
        .iter()
        .filter(|s| s.kind != "static")
        .map(|s| s.name.clone())
        .collect();
    out.push(node(
        machine,
        server.size.clone(),
        format!(
            "Debian 13, {} GiB encrypted disk; Caddy with automatic TLS in front of {} (Ansible)",
            server.disk_gb,
            services.join(", ")
        ),
    ));
    let mut backing: Vec<&str> = spec
        .services
        .iter()
        .flat_map(|s| s.backing_services.iter().map(String::as_str))
        .collect();
    backing.sort_unstable();
    backing.dedup();
    if !backing.is_empty() {
        out.push(node(
            "Databases on the server",
            backing.join(", "),
            "Docker volumes on the server's disk".into(),
        ));
    }
    out.push(node(
        if cloud.provider == "azure" {
            "Azure Backup"
        } else {
            "Disk snapshots"
        },
        "daily at 03:00 UTC".into(),
        format!("each kept {} days", cloud.backup_days),
    ));
    out
}

fn requirements(provider: &str, dns: bool) -> Vec<Requirement> {
    let place = "terraform.tfvars beside the server's stack, or TF_VAR_<name> where you run Terraform";
    let mut out = vec![
        Requirement {
            name: "ssh_public_key".into(),
            secret: false,
            place: place.into(),
            why: format!(
                "the key of the first login as {}, which the playbook's first run uses; its private half stays with you",
                first_user(provider)
            ),
        },
        Requirement {
            name: "admin_cidrs".into(),
            secret: false,
            place: place.into(),
            why: "the address ranges SSH is let in from (yours, the pipeline's runners); nothing else may reach port 22".into(),
        },
    ];
    match provider {
        "gcp" => out.push(Requirement {
            name: "project_id".into(),
            secret: false,
            place: place.into(),
            why: "the Google Cloud project the server is created in".into(),
        }),
        "azure" => {
            out.push(Requirement {
                name: "subscription_id".into(),
                secret: false,
                place: place.into(),
                why: "the Azure subscription the server is created in".into(),
            });
            if dns {
                out.push(Requirement {
                    name: "dns_resource_group".into(),
                    secret: false,
                    place: place.into(),
                    why: "the resource group of the hosts' DNS zone".into(),
                });
            }
        }
        _ => {}
    }
    out
}

fn runbook(
    spec: &DeploySpec,
    cloud: &CloudSpec,
    server: &ServerSpec,
    project: &str,
    hosts: &[String],
    cost: &Estimate,
) -> String {
    let (cloud_name, machine, doc) = names(&cloud.provider);
    let user = first_user(&cloud.provider);
    let environment = spec.production();
    let mut out = format!(
        "# {project} on {cloud_name}: the server\n\nWritten by Slipway: Terraform in `infra/{doc}/` creates the server, and the Ansible playbook in\n`ansible/` (docs/vm.md) sets it up and deploys the app on it. Nothing here holds a secret.\n\n## What it creates\n\n- {article} {machine} ({size}, Debian 13) whose only login is your key, as `{user}` until the playbook makes\n  the `deploy` user; {protect}\n- a {disk} GiB encrypted disk, {backups}\n- a network of its own, and a firewall in front of the machine's own: HTTP and HTTPS in from\n  anywhere, SSH in from `admin_cidrs` only; out, HTTP and HTTPS only\n- a static address{dns}\n- remote state with locking (the bootstrap stack's {state})\n\n",
        size = server.size,
        article = if machine.starts_with(['A', 'E']) { "an" } else { "a" },
        protect = match cloud.provider.as_str() {
            "azure" => "Terraform refuses to delete it (`prevent_destroy`)",
            "gcp" => "deletion protection is on, and Terraform refuses to delete its disk",
            _ => "termination protection is on, and Terraform refuses to delete it",
        },
        disk = server.disk_gb,
        backups = if cloud.provider == "azure" {
            format!("backed up whole by Azure Backup every day at 03:00 UTC, each kept {} days", cloud.backup_days)
        } else {
            format!("snapshotted every day at 03:00 UTC, each snapshot kept {} days", cloud.backup_days)
        },
        dns = if hosts.is_empty() {
            String::new()
        } else {
            format!(", and A records for {} pointing at it", hosts.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", "))
        },
        state = match cloud.provider.as_str() {
            "gcp" => "Cloud Storage bucket",
            "azure" => "storage account",
            _ => "S3 bucket, locked by its lock file",
        },
    );
    let (login, first) = match cloud.provider.as_str() {
        "gcp" => (
            "`gcloud auth application-default login`",
            Some(("project_id", "\"my-project\"")),
        ),
        "azure" => (
            "`az login`",
            Some(("subscription_id", "\"00000000-0000-0000-0000-000000000000\"")),
        ),
        _ => ("`aws sso login`, or any way that gives administrator credentials", None),
    };
    // terraform.tfvars as `terraform fmt` lays it out: the `=` of the lines aligned.
    let mut pairs: Vec<(&str, &str)> = first.into_iter().collect();
    pairs.push(("ssh_public_key", "\"ssh-ed25519 AAAA... you@laptop\""));
    pairs.push(("admin_cidrs", "[\"203.0.113.7/32\"]"));
    if cloud.provider == "azure" && !hosts.is_empty() {
        pairs.push(("dns_resource_group", "\"dns\""));
    }
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let tfvars: String = pairs.iter().map(|(k, v)| format!("   {k:width$} = {v}\n")).collect();
    out.push_str(&format!(
        "## The first apply\n\n1. Sign in: {login}.\n2. Create the state once: `cd infra/{doc}/bootstrap && terraform init && terraform apply`.\n3. Say who you are in `infra/{doc}/terraform.tfvars` (it holds no secret):\n\n   ```hcl\n{tfvars}   ```\n\n4. Create the server, reading the plan first:\n\n   ```sh\n   cd infra/{doc}\n   terraform init -backend-config=\"{backend}\"\n   terraform plan -out=plan.bin\n   terraform apply plan.bin\n   ```\n\n5. Check the host key before the first login: `terraform output -raw host_keys | sh` prints the\n   fingerprints the server wrote at its first boot; compare them with what `ssh` shows.\n6. Set the server up and deploy with the playbook (docs/vm.md), the first time as `{user}`:\n   `cd ansible && ansible-playbook site.yml -u {user}`.{inventory}\n\n",
        backend = match cloud.provider.as_str() {
            "gcp" => format!("prefix={project}/{environment}"),
            "azure" => format!("key={project}/{environment}.tfstate"),
            _ => format!("key={project}/{environment}/terraform.tfstate"),
        },
        inventory = if hosts.is_empty() {
            " The task names no host: put the address (`terraform output -raw public_ip`) in\n   `ansible/inventory.yml` in place of `app.example.com`, and Caddy serves plain HTTP until a host is set."
                .to_string()
        } else {
            String::new()
        },
    ));
    out.push_str(
        "## The pipeline's deploys\n\nThe pipeline deploys by running the playbook over SSH, so its runner's address must be in\n`admin_cidrs`. GitHub's hosted runners have no fixed addresses: use a self-hosted runner or a larger\nrunner with static addresses, and add its range; never open SSH to everyone. Terraform itself is\napplied by a person, as above, since the server changes rarely.\n\n",
    );
    let restore = match cloud.provider.as_str() {
        "gcp" => format!(
            "Pick a snapshot (`gcloud compute snapshots list --filter=\"sourceDisk~{project}\"`), then\nstop the VM, turn its disk into one made from the snapshot, and start it:\n\n```sh\ngcloud compute instances stop NAME --zone ZONE\ngcloud compute disks create NAME-restored --source-snapshot SNAPSHOT --zone ZONE --type pd-balanced\ngcloud compute instances detach-disk NAME --disk NAME --zone ZONE\ngcloud compute instances attach-disk NAME --disk NAME-restored --boot --zone ZONE\ngcloud compute instances start NAME --zone ZONE\n```\n\nThen tell Terraform the disk changed (`terraform import` the new disk in place of\n`google_compute_disk.system`, or rename it back) before the next apply.\n"
        ),
        "azure" => "In the portal: the vault `<name>-backups`, Backup items, the VM, Restore VM, and choose\n\"Replace existing\" with the restore point you want; or with the CLI,\n`az backup restore restore-disks` and swap the OS disk (`az vm update --os-disk`). The address,\nthe network and DNS stay as they are.\n".to_string(),
        _ => "Pick a snapshot (`aws ec2 describe-snapshots --owner-ids self --filters Name=tag:Snapshots,Values=<name>`),\nthen put it back in place of the running disk in one step; the instance restarts on it and keeps its\naddress:\n\n```sh\naws ec2 create-replace-root-volume-task --instance-id \"$(terraform output -raw instance_id)\" --snapshot-id snap-...\n```\n".to_string(),
    };
    let rpo_met = cloud.rpo_minutes >= 24 * 60;
    let rto_met = cloud.rto_minutes >= 60;
    out.push_str(&format!(
        "## Backups and restores\n\n{}\n\n{restore}\nThe databases on the server are in these copies too, as files of a running database: it\nrecovers them like after a power cut. For copies a database vouches for, ask for backups as well\n(\"with backups\"): the playbook then dumps each database on a schedule (docs/backup.md).\n\nRecovery objectives: a copy a day loses at most a day of data (24 hours), so it {} the recovery\npoint objective of {} minutes{}; a restore takes about half an hour, which {} the recovery time\nobjective of {} minutes.\n\n",
        if cloud.provider == "azure" {
            format!("Azure Backup copies the whole server every day at 03:00 UTC and keeps each copy {} days.", cloud.backup_days)
        } else {
            format!("The disk is snapshotted every day at 03:00 UTC; each snapshot is kept {} days.", cloud.backup_days)
        },
        if rpo_met { "meets" } else { "does not meet" },
        cloud.rpo_minutes,
        if rpo_met { "" } else { "; the database dumps above, run more often, come closer" },
        if rto_met { "meets" } else { "does not meet" },
        cloud.rto_minutes,
    ));
    out.push_str(&format!(
        "## Cost\n\n{}",
        cost.markdown(&format!(
            "List prices of {{date}} in {}; other regions differ. Traffic out of the cloud is billed on top.",
            match cloud.provider.as_str() {
                "gcp" => "us-central1",
                "azure" => "East US",
                _ => "us-east-1",
            }
        ))
    ));
    out
}
