//! The reflection's checks for Terraform, over the person's files as well as ours: public
//! buckets and databases, security groups open to the internet, unencrypted storage, databases
//! without backups or deletion protection, wildcard IAM actions, state without locking, secrets
//! in variables' defaults, providers without a version, and load balancer health checks on a
//! path or port the code does not serve. AWS, Google Cloud and Azure resources alike.
//!
//! A value Terraform computes (a variable, a reference) is not judged: only what the file
//! states. Each finding names the line of the attribute, or of the block when it is missing.

use hcl::{Block, Body, Expression};
use slipway_scan::ServiceProfile;

use crate::{Finding, Severity};

fn finding(severity: Severity, rule: &str, path: &str, line: Option<u32>, message: impl Into<String>) -> Finding {
    Finding {
        severity,
        rule: rule.into(),
        path: path.into(),
        line,
        message: message.into(),
    }
}

/// Where blocks and attributes are in the text, by the text's own lines.
struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            lines: text.lines().collect(),
        }
    }

    /// The line of the top-level block `kind "a" "b"`.
    fn block(&self, kind: &str, labels: &[String]) -> Option<usize> {
        let mut head = kind.to_string();
        for l in labels {
            head.push_str(&format!(" \"{l}\""));
        }
        self.lines
            .iter()
            .position(|l| l.trim_start().starts_with(&head) && !l.starts_with(' '))
    }

    /// The line of `attr =` (or of the nested block `attr {`) inside the top-level block
    /// starting at `start`.
    fn attr(&self, start: usize, attr: &str) -> Option<usize> {
        for (i, l) in self.lines.iter().enumerate().skip(start + 1) {
            if !l.starts_with(' ') && !l.trim().is_empty() && !l.starts_with('#') {
                return None;
            }
            let t = l.trim_start();
            if let Some(rest) = t.strip_prefix(attr) {
                let rest = rest.trim_start();
                // An attribute (`name =`) or a nested block (`name {`).
                if (rest.starts_with('=') && !rest.starts_with("==")) || rest == "{" {
                    return Some(i);
                }
            }
        }
        None
    }
}

fn attr<'b>(b: &'b Block, name: &str) -> Option<&'b Expression> {
    b.body.attributes().find(|a| a.key.as_str() == name).map(|a| &a.expr)
}

fn is_true(e: Option<&Expression>) -> Option<bool> {
    match e {
        Some(Expression::Bool(b)) => Some(*b),
        Some(_) => None,
        None => Some(false),
    }
}

fn number(e: Option<&Expression>) -> Option<i64> {
    match e {
        Some(Expression::Number(n)) => n.as_i64(),
        _ => None,
    }
}

fn string(e: Option<&Expression>) -> Option<&str> {
    match e {
        Some(Expression::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

fn strings(e: Option<&Expression>) -> Vec<String> {
    match e {
        Some(Expression::Array(items)) => items
            .iter()
            .filter_map(|i| match i {
                Expression::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        Some(Expression::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn child<'b>(b: &'b Block, name: &str) -> Option<&'b Block> {
    b.body.blocks().find(|c| c.identifier.as_str() == name)
}

fn labels(b: &Block) -> Vec<String> {
    b.labels.iter().map(|l| l.as_str().to_string()).collect()
}

/// Reviews one Terraform file.
pub fn check_terraform(path: &str, text: &str, services: &[ServiceProfile]) -> Vec<Finding> {
    let body: Body = match text.parse() {
        Ok(b) => b,
        Err(e) => {
            return vec![finding(
                Severity::Error,
                "terraform/syntax",
                path,
                None,
                format!("does not parse as HCL: {e}"),
            )]
        }
    };
    let lines = Lines::new(text);
    let mut out = Vec::new();
    for b in body.blocks() {
        let l = labels(b);
        let start = lines.block(b.identifier.as_str(), &l);
        let line_of = |name: &str| start.and_then(|s| lines.attr(s, name)).or(start).map(|i| i as u32 + 1);
        let what = l.join(".");
        match (b.identifier.as_str(), l.first().map(String::as_str)) {
            ("resource", Some(kind)) => resource(path, kind, &what, b, &line_of, services, &mut out),
            ("data", Some("aws_iam_policy_document")) => {
                for s in b.body.blocks().filter(|s| s.identifier.as_str() == "statement") {
                    let deny = string(attr(s, "effect")) == Some("Deny");
                    let actions = strings(attr(s, "actions"));
                    if !deny && actions.iter().any(|a| a == "*" || a == "iam:*") {
                        out.push(finding(
                            Severity::Error,
                            "terraform/wildcard-iam",
                            path,
                            line_of("actions"),
                            format!(
                                "{what} allows {}: name the actions the role needs",
                                actions
                                    .iter()
                                    .find(|a| *a == "*" || *a == "iam:*")
                                    .cloned()
                                    .unwrap_or_default()
                            ),
                        ));
                    }
                }
            }
            ("terraform", _) => {
                for inner in b.body.blocks() {
                    match inner.identifier.as_str() {
                        "backend" if inner.labels.first().map(|l| l.as_str()) == Some("s3") => {
                            if attr(inner, "dynamodb_table").is_some() {
                                out.push(finding(
                                    Severity::Warning,
                                    "terraform/state-lock",
                                    path,
                                    None,
                                    "the S3 backend's DynamoDB lock table is deprecated: set use_lockfile = true (Terraform 1.11+) and drop dynamodb_table",
                                ));
                            } else if is_true(attr(inner, "use_lockfile")) == Some(false) {
                                out.push(finding(
                                    Severity::Warning,
                                    "terraform/state-lock",
                                    path,
                                    None,
                                    "the S3 backend has no lock: two applies at once can corrupt the state; set use_lockfile = true",
                                ));
                            }
                            if is_true(attr(inner, "encrypt")) == Some(false) {
                                out.push(finding(
                                    Severity::Warning,
                                    "terraform/unencrypted",
                                    path,
                                    None,
                                    "the state is stored without encrypt = true; it holds every resource's attributes",
                                ));
                            }
                        }
                        "required_providers" => {
                            for a in inner.body.attributes() {
                                let pinned = match &a.expr {
                                    Expression::Object(o) => o.iter().any(|(k, _)| k.to_string() == "version"),
                                    _ => true,
                                };
                                if !pinned {
                                    out.push(finding(
                                        Severity::Warning,
                                        "terraform/unpinned-provider",
                                        path,
                                        None,
                                        format!(
                                            "the provider {} has no version: an init picks whatever is newest, majors included; pin it with ~>",
                                            a.key.as_str()
                                        ),
                                    ));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            ("variable", Some(name)) => {
                let sensitive = is_true(attr(b, "sensitive")) == Some(true);
                let secretish = ["password", "secret", "token", "api_key", "private_key"]
                    .iter()
                    .any(|w| name.to_ascii_lowercase().contains(w));
                let default = string(attr(b, "default")).filter(|d| !d.is_empty());
                if (sensitive || secretish) && default.is_some() {
                    out.push(finding(
                        Severity::Error,
                        "terraform/secret-default",
                        path,
                        line_of("default"),
                        format!(
                            "variable {name} holds a secret in its default, in git: drop the default and pass it from a secret store"
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn resource(
    path: &str,
    kind: &str,
    what: &str,
    b: &Block,
    line_of: &dyn Fn(&str) -> Option<u32>,
    services: &[ServiceProfile],
    out: &mut Vec<Finding>,
) {
    let mut push = |severity, rule: &str, at: &str, message: String| {
        out.push(finding(severity, rule, path, line_of(at), message));
    };
    match kind {
        "aws_db_instance" | "aws_rds_cluster" => {
            if is_true(attr(b, "publicly_accessible")) == Some(true) {
                push(
                    Severity::Error,
                    "terraform/public-database",
                    "publicly_accessible",
                    format!("{what} answers on the internet: set publicly_accessible = false and reach it from the private subnets"),
                );
            }
            if is_true(attr(b, "storage_encrypted")) == Some(false) {
                push(
                    Severity::Error,
                    "terraform/unencrypted",
                    "storage_encrypted",
                    format!("{what} stores its data unencrypted: set storage_encrypted = true (it cannot be turned on later without a copy)"),
                );
            }
            match (attr(b, "backup_retention_period"), number(attr(b, "backup_retention_period"))) {
                (None, _) => push(
                    Severity::Warning,
                    "terraform/no-backups",
                    "backup_retention_period",
                    format!("{what} leaves its backup retention to AWS's default of one day: set backup_retention_period (7 or more)"),
                ),
                (_, Some(0)) => push(
                    Severity::Error,
                    "terraform/no-backups",
                    "backup_retention_period",
                    format!("{what} keeps no automated backups and has no point-in-time recovery: set backup_retention_period to 7 or more"),
                ),
                _ => {}
            }
            if is_true(attr(b, "deletion_protection")) == Some(false) {
                push(
                    Severity::Warning,
                    "terraform/deletion-protection",
                    "deletion_protection",
                    format!("{what} can be destroyed by one apply: set deletion_protection = true"),
                );
            }
            let deletes_backups = matches!(attr(b, "delete_automated_backups"), None | Some(Expression::Bool(true)));
            if kind == "aws_db_instance" && deletes_backups {
                push(
                    Severity::Warning,
                    "terraform/no-backups",
                    "delete_automated_backups",
                    format!("{what} deletes its automated backups with the instance (the provider's default): set delete_automated_backups = false"),
                );
            }
            if is_true(attr(b, "skip_final_snapshot")) == Some(true) {
                push(
                    Severity::Warning,
                    "terraform/no-backups",
                    "skip_final_snapshot",
                    format!("{what} is deleted without a final snapshot: set skip_final_snapshot = false and a final_snapshot_identifier"),
                );
            }
        }
        "aws_ebs_volume" | "aws_efs_file_system" if is_true(attr(b, "encrypted")) == Some(false) => {
            push(
                Severity::Error,
                "terraform/unencrypted",
                "encrypted",
                format!("{what} stores its data unencrypted: set encrypted = true"),
            );
        }
        "aws_elasticache_replication_group" if is_true(attr(b, "at_rest_encryption_enabled")) == Some(false) => {
            push(
                Severity::Error,
                "terraform/unencrypted",
                "at_rest_encryption_enabled",
                format!("{what} stores its data unencrypted: set at_rest_encryption_enabled = true"),
            );
        }
        "aws_s3_bucket_acl" => {
            if let Some(acl) = string(attr(b, "acl")).filter(|a| a.starts_with("public-")) {
                push(
                    Severity::Error,
                    "terraform/public-bucket",
                    "acl",
                    format!(
                        "{what} makes the bucket {acl}: anyone can read it; serve public files through a CDN instead"
                    ),
                );
            }
        }
        "aws_s3_bucket" => {
            if let Some(acl) = string(attr(b, "acl")).filter(|a| a.starts_with("public-")) {
                push(
                    Severity::Error,
                    "terraform/public-bucket",
                    "acl",
                    format!(
                        "{what} makes the bucket {acl}: anyone can read it; serve public files through a CDN instead"
                    ),
                );
            }
        }
        "aws_s3_bucket_public_access_block" => {
            for a in [
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            ] {
                if is_true(attr(b, a)) == Some(false) {
                    push(
                        Severity::Error,
                        "terraform/public-bucket",
                        a,
                        format!("{what} lets the bucket be made public ({a} is off): set all four to true"),
                    );
                    break;
                }
            }
        }
        "aws_security_group"
        | "aws_security_group_rule"
        | "aws_vpc_security_group_ingress_rule"
        | "aws_vpc_security_group_egress_rule"
            if string(attr(b, "description")).is_some_and(|d| !ec2_text(d)) =>
        {
            push(
                Severity::Error,
                "terraform/refused-description",
                "description",
                format!("{what}'s description has characters EC2 refuses (it takes letters, digits, spaces and ._-:/()#,@[]+=&;{{}}!$* only): the apply would stop there"),
            );
        }
        _ => {}
    }
    match kind {
        "aws_security_group" => {
            for rule in b.body.blocks().filter(|r| r.identifier.as_str() == "ingress") {
                open_ingress(
                    what,
                    strings(attr(rule, "cidr_blocks"))
                        .iter()
                        .chain(strings(attr(rule, "ipv6_cidr_blocks")).iter()),
                    number(attr(rule, "from_port")),
                    number(attr(rule, "to_port")),
                    &mut push,
                );
            }
        }
        "aws_security_group_rule" if string(attr(b, "type")) == Some("ingress") => {
            open_ingress(
                what,
                strings(attr(b, "cidr_blocks"))
                    .iter()
                    .chain(strings(attr(b, "ipv6_cidr_blocks")).iter()),
                number(attr(b, "from_port")),
                number(attr(b, "to_port")),
                &mut push,
            );
        }
        "aws_vpc_security_group_ingress_rule" => {
            open_ingress(
                what,
                strings(attr(b, "cidr_ipv4"))
                    .iter()
                    .chain(strings(attr(b, "cidr_ipv6")).iter()),
                number(attr(b, "from_port")),
                number(attr(b, "to_port")),
                &mut push,
            );
        }
        "google_sql_database_instance" => {
            let settings = child(b, "settings");
            if let Some(ip) = settings.and_then(|s| child(s, "ip_configuration")) {
                let open = ip
                    .body
                    .blocks()
                    .filter(|n| n.identifier.as_str() == "authorized_networks")
                    .any(|n| matches!(string(attr(n, "value")), Some("0.0.0.0/0") | Some("::/0")));
                if is_true(attr(ip, "ipv4_enabled")) != Some(false) && open {
                    push(
                        Severity::Error,
                        "terraform/public-database",
                        "settings",
                        format!("{what} lets the whole internet connect (an authorized network of 0.0.0.0/0): turn ipv4_enabled off and reach it on its private address"),
                    );
                }
            }
            let backup = settings.and_then(|s| child(s, "backup_configuration"));
            if backup.is_none_or(|c| is_true(attr(c, "enabled")) == Some(false)) {
                push(
                    Severity::Error,
                    "terraform/no-backups",
                    "settings",
                    format!("{what} takes no automated backups and has no point-in-time recovery: add backup_configuration {{ enabled = true }}"),
                );
            } else if settings.and_then(|s| is_true(attr(s, "retain_backups_on_delete"))) != Some(true) {
                push(
                    Severity::Warning,
                    "terraform/no-backups",
                    "settings",
                    format!("{what} deletes its backups with the instance (the provider's default): set retain_backups_on_delete = true in settings"),
                );
            }
            if is_true(attr(b, "deletion_protection")) == Some(false)
                || settings.and_then(|s| is_true(attr(s, "deletion_protection_enabled"))) == Some(false)
            {
                push(
                    Severity::Warning,
                    "terraform/deletion-protection",
                    "deletion_protection",
                    format!("{what} can be destroyed by one apply: set deletion_protection = true, and deletion_protection_enabled = true in settings"),
                );
            }
        }
        "google_storage_bucket_iam_member"
        | "google_storage_bucket_iam_binding"
        | "google_storage_bucket_access_control"
        | "google_storage_default_object_access_control" => {
            let members: Vec<String> = strings(attr(b, "member"))
                .into_iter()
                .chain(strings(attr(b, "members")))
                .chain(strings(attr(b, "entity")))
                .collect();
            if let Some(m) = members
                .iter()
                .find(|m| matches!(m.as_str(), "allUsers" | "allAuthenticatedUsers"))
            {
                push(
                    Severity::Error,
                    "terraform/public-bucket",
                    if attr(b, "members").is_some() { "members" } else { "member" },
                    format!("{what} gives {m} access to the bucket: anyone can read it; serve public files through a CDN instead"),
                );
            }
        }
        "google_compute_firewall" => {
            let ingress = string(attr(b, "direction")).is_none_or(|d| d == "INGRESS");
            let ranges = strings(attr(b, "source_ranges"));
            if ingress && ranges.iter().any(|r| r == "0.0.0.0/0" || r == "::/0") {
                for allow in b.body.blocks().filter(|a| a.identifier.as_str() == "allow") {
                    let ports = strings(attr(allow, "ports"));
                    let web_only = !ports.is_empty() && ports.iter().all(|p| p == "80" || p == "443");
                    if !web_only {
                        push(
                            Severity::Error,
                            "terraform/open-ingress",
                            "source_ranges",
                            format!(
                                "{what} lets the whole internet in on {}: only a load balancer's 80 and 443 should be open; admit the callers' ranges or tags instead",
                                if ports.is_empty() { "every port".to_string() } else { format!("port {}", ports.join(", ")) }
                            ),
                        );
                        break;
                    }
                }
            }
        }
        "google_project_iam_member" | "google_project_iam_binding" => {
            if let Some(role) = string(attr(b, "role")).filter(|r| matches!(*r, "roles/owner" | "roles/editor")) {
                push(
                    Severity::Error,
                    "terraform/wildcard-iam",
                    "role",
                    format!("{what} grants {role}, which may change nearly everything in the project: grant the predefined roles the job needs"),
                );
            }
        }
        "google_cloud_run_v2_service" => {
            let containers = child(b, "template")
                .map(|t| {
                    t.body
                        .blocks()
                        .filter(|c| c.identifier.as_str() == "containers")
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            for c in containers {
                for probe in ["startup_probe", "liveness_probe"] {
                    let path = child(c, probe)
                        .and_then(|p| child(p, "http_get"))
                        .and_then(|h| string(attr(h, "path")));
                    if let Some(p) = path {
                        let known = services
                            .iter()
                            .any(|s| s.health_path.is_some() || s.readiness_path.is_some());
                        let served = services
                            .iter()
                            .any(|s| s.health_path.as_deref() == Some(p) || s.readiness_path.as_deref() == Some(p));
                        if known && !served && p != "/" {
                            push(
                                Severity::Warning,
                                "terraform/health-path",
                                "template",
                                format!("{what}'s {probe} calls {p}, which the code does not serve: no revision would ever start"),
                            );
                        }
                    }
                }
                if let Some(port) = child(c, "ports").and_then(|p| number(attr(p, "container_port"))) {
                    let ports: Vec<i64> = services.iter().filter_map(|s| s.port.map(i64::from)).collect();
                    if !ports.is_empty() && !ports.contains(&port) {
                        push(
                            Severity::Warning,
                            "terraform/port",
                            "template",
                            format!(
                                "{what} sends requests to port {port}, and the services listen on {}",
                                ports.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                            ),
                        );
                    }
                }
            }
        }
        "azurerm_postgresql_flexible_server" | "azurerm_mysql_flexible_server" => {
            let private = attr(b, "delegated_subnet_id").is_some();
            let public = attr(b, "public_network_access_enabled");
            if matches!(public, Some(Expression::Bool(true))) || (public.is_none() && !private) {
                push(
                    Severity::Error,
                    "terraform/public-database",
                    "public_network_access_enabled",
                    format!("{what} accepts connections from the internet (the provider's default without a delegated subnet): give it delegated_subnet_id and set public_network_access_enabled = false"),
                );
            }
            if let Some(days) = number(attr(b, "backup_retention_days")).filter(|d| *d < 7) {
                push(
                    Severity::Error,
                    "terraform/no-backups",
                    "backup_retention_days",
                    format!(
                        "{what} keeps backups {days} days, below Azure's minimum of 7: the apply fails; set 7 to 35"
                    ),
                );
            }
            if !prevents_destroy(b) {
                push(
                    Severity::Warning,
                    "terraform/deletion-protection",
                    "name",
                    format!("{what} can be destroyed by one apply, and its backups with it: add lifecycle {{ prevent_destroy = true }} and an azurerm_management_lock"),
                );
            }
        }
        "azurerm_storage_account" => {
            let nested = attr(b, "allow_nested_items_to_be_public");
            if nested.is_none() || is_true(nested) == Some(true) {
                push(
                    Severity::Error,
                    "terraform/public-bucket",
                    "allow_nested_items_to_be_public",
                    format!("{what} lets its containers be made public (the provider's default): set allow_nested_items_to_be_public = false and serve public files through a CDN"),
                );
            }
            if let Some(v) = string(attr(b, "min_tls_version")).filter(|v| *v != "TLS1_2" && *v != "TLS1_3") {
                push(
                    Severity::Warning,
                    "terraform/unencrypted",
                    "min_tls_version",
                    format!("{what} accepts {v}, which is broken: set min_tls_version = \"TLS1_2\""),
                );
            }
            if matches!(attr(b, "https_traffic_only_enabled"), Some(Expression::Bool(false))) {
                push(
                    Severity::Error,
                    "terraform/unencrypted",
                    "https_traffic_only_enabled",
                    format!("{what} accepts plain HTTP: set https_traffic_only_enabled = true"),
                );
            }
        }
        "aws_cloudfront_distribution" => {
            for behaviour in b.body.blocks().filter(|c| {
                c.identifier.as_str() == "default_cache_behavior" || c.identifier.as_str() == "ordered_cache_behavior"
            }) {
                if string(attr(behaviour, "viewer_protocol_policy")) == Some("allow-all") {
                    push(
                        Severity::Warning,
                        "terraform/unencrypted",
                        "viewer_protocol_policy",
                        format!("{what} serves plain HTTP: set viewer_protocol_policy = \"redirect-to-https\""),
                    );
                }
            }
            if let Some(v) = child(b, "viewer_certificate")
                .and_then(|c| string(attr(c, "minimum_protocol_version")))
                .filter(|v| !v.starts_with("TLSv1.2") && !v.starts_with("TLSv1.3"))
            {
                push(
                    Severity::Warning,
                    "terraform/unencrypted",
                    "minimum_protocol_version",
                    format!("{what} accepts {v}, which is broken: set minimum_protocol_version = \"TLSv1.2_2021\""),
                );
            }
        }
        "azurerm_storage_container" => {
            if let Some(t) = string(attr(b, "container_access_type")).filter(|t| *t != "private") {
                push(
                    Severity::Error,
                    "terraform/public-bucket",
                    "container_access_type",
                    format!("{what} is readable by anyone (container_access_type = \"{t}\"): set it to \"private\""),
                );
            }
        }
        "azurerm_container_registry" => {
            if is_true(attr(b, "admin_enabled")) == Some(true) {
                push(
                    Severity::Error,
                    "terraform/wildcard-iam",
                    "admin_enabled",
                    format!("{what} has its admin account on: one shared password that can push and delete every image; set admin_enabled = false and grant AcrPush and AcrPull to identities"),
                );
            }
            if is_true(attr(b, "anonymous_pull_enabled")) == Some(true) {
                push(
                    Severity::Error,
                    "terraform/public-bucket",
                    "anonymous_pull_enabled",
                    format!("{what} lets anyone pull its images: set anonymous_pull_enabled = false"),
                );
            }
        }
        "azurerm_network_security_rule" => azure_rule(what, b, &mut push),
        "azurerm_network_security_group" => {
            for r in b.body.blocks().filter(|r| r.identifier.as_str() == "security_rule") {
                azure_rule(what, r, &mut push);
            }
        }
        "azurerm_role_assignment" => {
            let role = string(attr(b, "role_definition_name")).unwrap_or_default();
            let scope = attr(b, "scope").map(ToString::to_string).unwrap_or_default();
            let whole_subscription = scope.contains("subscription")
                && !scope.contains("resource_group")
                && !scope.contains("resourceGroups");
            if role == "Owner" || (role == "User Access Administrator" && attr(b, "condition").is_none()) {
                push(
                    Severity::Error,
                    "terraform/wildcard-iam",
                    "role_definition_name",
                    format!("{what} grants {role}, which can hand any role to anyone: grant the built-in roles the job needs, or Role Based Access Control Administrator with a condition"),
                );
            } else if role == "Contributor" && whole_subscription {
                push(
                    Severity::Error,
                    "terraform/wildcard-iam",
                    "role_definition_name",
                    format!("{what} grants Contributor on the whole subscription: scope it to the resource group the job changes"),
                );
            }
        }
        "azurerm_container_app" => {
            let containers = child(b, "template")
                .map(|t| {
                    t.body
                        .blocks()
                        .filter(|c| c.identifier.as_str() == "container")
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            for c in containers {
                for probe in ["startup_probe", "liveness_probe", "readiness_probe"] {
                    if let Some(p) = child(c, probe).and_then(|p| string(attr(p, "path"))) {
                        if !serves(services, p) {
                            push(
                                Severity::Warning,
                                "terraform/health-path",
                                "template",
                                format!("{what}'s {probe} calls {p}, which the code does not serve: no revision would ever become ready"),
                            );
                        }
                    }
                }
            }
            if let Some(ingress) = child(b, "ingress") {
                if is_true(attr(ingress, "allow_insecure_connections")) == Some(true) {
                    push(
                        Severity::Warning,
                        "terraform/unencrypted",
                        "ingress",
                        format!("{what} answers plain HTTP: set allow_insecure_connections = false so every request is redirected to HTTPS"),
                    );
                }
                if let Some(port) = number(attr(ingress, "target_port")) {
                    let ports: Vec<i64> = services.iter().filter_map(|s| s.port.map(i64::from)).collect();
                    if !ports.is_empty() && !ports.contains(&port) {
                        push(
                            Severity::Warning,
                            "terraform/port",
                            "ingress",
                            format!(
                                "{what} sends requests to port {port}, and the services listen on {}",
                                ports.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                            ),
                        );
                    }
                }
            }
        }
        "aws_lb_target_group" => {
            if let Some(hc) = b.body.blocks().find(|h| h.identifier.as_str() == "health_check") {
                if let Some(p) = string(attr(hc, "path")) {
                    let served = services
                        .iter()
                        .any(|s| s.health_path.as_deref() == Some(p) || s.readiness_path.as_deref() == Some(p));
                    let known = services
                        .iter()
                        .any(|s| s.health_path.is_some() || s.readiness_path.is_some());
                    if known && !served && p != "/" {
                        push(
                            Severity::Warning,
                            "terraform/health-path",
                            "health_check",
                            format!(
                                "{what} checks {p}, which the code does not serve: every target would be unhealthy"
                            ),
                        );
                    }
                }
            }
            if let Some(port) = number(attr(b, "port")) {
                let ports: Vec<i64> = services.iter().filter_map(|s| s.port.map(i64::from)).collect();
                if !ports.is_empty() && !ports.contains(&port) {
                    push(
                        Severity::Warning,
                        "terraform/port",
                        "port",
                        format!(
                            "{what} sends requests to port {port}, and the services listen on {}",
                            ports.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                        ),
                    );
                }
            }
        }
        _ => {}
    }
}

/// Whether a probe's path is one the code serves, when the scan knows any.
/// True when EC2 takes `text` as a security group's or rule's description.
pub(crate) fn ec2_text(text: &str) -> bool {
    text.len() <= 255
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c))
}

fn serves(services: &[ServiceProfile], p: &str) -> bool {
    let known = services
        .iter()
        .any(|s| s.health_path.is_some() || s.readiness_path.is_some());
    p == "/"
        || !known
        || services
            .iter()
            .any(|s| s.health_path.as_deref() == Some(p) || s.readiness_path.as_deref() == Some(p))
}

fn prevents_destroy(b: &Block) -> bool {
    child(b, "lifecycle").and_then(|l| is_true(attr(l, "prevent_destroy"))) == Some(true)
}

/// An Azure security rule that lets the internet in on anything but 80 and 443.
fn azure_rule(what: &str, r: &Block, push: &mut dyn FnMut(Severity, &str, &str, String)) {
    let inbound = string(attr(r, "direction")).is_some_and(|d| d.eq_ignore_ascii_case("Inbound"));
    let allow = string(attr(r, "access")).is_some_and(|a| a.eq_ignore_ascii_case("Allow"));
    let sources: Vec<String> = strings(attr(r, "source_address_prefix"))
        .into_iter()
        .chain(strings(attr(r, "source_address_prefixes")))
        .collect();
    let open = sources
        .iter()
        .any(|s| matches!(s.as_str(), "*" | "0.0.0.0/0" | "::/0" | "Internet" | "Any"));
    let ports: Vec<String> = strings(attr(r, "destination_port_range"))
        .into_iter()
        .chain(strings(attr(r, "destination_port_ranges")))
        .collect();
    let web_only = !ports.is_empty() && ports.iter().all(|p| p == "80" || p == "443");
    if inbound && allow && open && !web_only {
        push(
            Severity::Error,
            "terraform/open-ingress",
            "security_rule",
            format!(
                "{what} lets the whole internet in on {}: only 80 and 443 should be open to everyone; admit the callers' ranges instead",
                if ports.is_empty() || ports.iter().any(|p| p == "*") { "every port".to_string() } else { format!("port {}", ports.join(", ")) }
            ),
        );
    }
}

fn open_ingress<'a>(
    what: &str,
    cidrs: impl Iterator<Item = &'a String>,
    from: Option<i64>,
    to: Option<i64>,
    push: &mut dyn FnMut(Severity, &str, &str, String),
) {
    let open = cidrs.into_iter().any(|c| c == "0.0.0.0/0" || c == "::/0");
    let web_only = matches!((from, to), (Some(f), Some(t)) if f == t && (f == 80 || f == 443));
    if open && !web_only {
        push(
            Severity::Error,
            "terraform/open-ingress",
            "from_port",
            format!(
                "{what} lets the whole internet in on {}: only a load balancer's 80 and 443 should be open; admit the callers' security group instead",
                match (from, to) {
                    (Some(f), Some(t)) if f == t => format!("port {f}"),
                    (Some(f), Some(t)) => format!("ports {f} to {t}"),
                    _ => "every port".into(),
                }
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(f: &[Finding]) -> Vec<(&str, Option<u32>)> {
        f.iter().map(|f| (f.rule.as_str(), f.line)).collect()
    }

    #[test]
    fn a_database_open_to_the_internet_without_backups_is_named_line_by_line() {
        let text = "resource \"aws_db_instance\" \"db\" {\n  engine              = \"postgres\"\n  publicly_accessible = true\n  storage_encrypted   = false\n  backup_retention_period = 0\n  skip_final_snapshot = true\n}\n";
        let f = check_terraform("main.tf", text, &[]);
        let r = rules(&f);
        for want in [
            ("terraform/public-database", Some(3)),
            ("terraform/unencrypted", Some(4)),
            ("terraform/no-backups", Some(5)),
            ("terraform/deletion-protection", Some(1)),
            ("terraform/no-backups", Some(6)),
        ] {
            assert!(r.contains(&want), "{want:?} in {r:?}");
        }
        // A value Terraform computes is not judged.
        let ours = "resource \"aws_db_instance\" \"db\" {\n  publicly_accessible      = false\n  storage_encrypted        = true\n  backup_retention_period  = var.backup_days\n  deletion_protection      = true\n  delete_automated_backups = false\n}\n";
        assert!(check_terraform("db.tf", ours, &[]).is_empty());
    }

    #[test]
    fn open_ports_wildcards_unlocked_state_and_secret_defaults() {
        let text = "terraform {\n  backend \"s3\" {\n    bucket         = \"b\"\n    dynamodb_table = \"locks\"\n  }\n  required_providers {\n    aws = { source = \"hashicorp/aws\" }\n  }\n}\n\nresource \"aws_security_group\" \"ssh\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n\nresource \"aws_vpc_security_group_ingress_rule\" \"https\" {\n  cidr_ipv4 = \"0.0.0.0/0\"\n  from_port = 443\n  to_port   = 443\n}\n\ndata \"aws_iam_policy_document\" \"admin\" {\n  statement {\n    actions   = [\"*\"]\n    resources = [\"*\"]\n  }\n  statement {\n    effect  = \"Deny\"\n    actions = [\"s3:*\"]\n  }\n}\n\nvariable \"db_password\" {\n  type    = string\n  default = \"hunter2\"\n}\n";
        let f = check_terraform("main.tf", text, &[]);
        let r: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            r,
            [
                "terraform/state-lock",
                "terraform/unencrypted",
                "terraform/unpinned-provider",
                "terraform/open-ingress",
                "terraform/wildcard-iam",
                "terraform/secret-default"
            ],
            "{f:#?}"
        );
        assert_eq!(f[3].line, Some(13), "the open rule's from_port");
        assert_eq!(f[5].line, Some(39));
    }

    #[test]
    fn a_security_group_description_ec2_refuses_is_named() {
        let text = "resource \"aws_security_group\" \"tasks\" {\n  name        = \"tasks\"\n  description = \"The services' tasks\"\n}\n\nresource \"aws_vpc_security_group_egress_rule\" \"out\" {\n  description = \"To api's tasks\"\n  cidr_ipv4   = \"10.0.0.0/16\"\n}\n";
        let f = check_terraform("sg.tf", text, &[]);
        assert_eq!(
            rules(&f),
            [
                ("terraform/refused-description", Some(3)),
                ("terraform/refused-description", Some(7))
            ],
            "{f:#?}"
        );
        let fixed = text
            .replace("services' tasks", "tasks of the services")
            .replace("api's tasks", "the tasks of api");
        assert!(
            check_terraform("sg.tf", &fixed, &[]).is_empty(),
            "{:#?}",
            check_terraform("sg.tf", &fixed, &[])
        );
    }

    #[test]
    fn a_cloudfront_distribution_with_plain_http_or_old_tls_is_named() {
        let text = "resource \"aws_cloudfront_distribution\" \"site\" {\n  enabled = true\n  default_cache_behavior {\n    viewer_protocol_policy = \"allow-all\"\n  }\n  ordered_cache_behavior {\n    viewer_protocol_policy = \"https-only\"\n  }\n  viewer_certificate {\n    minimum_protocol_version = \"TLSv1\"\n  }\n}\n";
        let f = check_terraform("site.tf", text, &[]);
        assert_eq!(
            rules(&f),
            [("terraform/unencrypted", Some(4)), ("terraform/unencrypted", Some(10))],
            "{f:#?}"
        );
        let fixed = text
            .replace("allow-all", "redirect-to-https")
            .replace("\"TLSv1\"", "\"TLSv1.2_2021\"");
        assert!(check_terraform("site.tf", &fixed, &[]).is_empty());
    }

    #[test]
    fn google_cloud_public_databases_buckets_open_firewalls_and_basic_roles_are_named() {
        let text = "resource \"google_sql_database_instance\" \"db\" {\n  deletion_protection = false\n\n  settings {\n    ip_configuration {\n      ipv4_enabled = true\n\n      authorized_networks {\n        value = \"0.0.0.0/0\"\n      }\n    }\n  }\n}\n\nresource \"google_storage_bucket_iam_member\" \"public\" {\n  bucket = \"b\"\n  role   = \"roles/storage.objectViewer\"\n  member = \"allUsers\"\n}\n\nresource \"google_compute_firewall\" \"ssh\" {\n  source_ranges = [\"0.0.0.0/0\"]\n\n  allow {\n    protocol = \"tcp\"\n    ports    = [\"22\"]\n  }\n}\n\nresource \"google_compute_firewall\" \"web\" {\n  source_ranges = [\"0.0.0.0/0\"]\n\n  allow {\n    protocol = \"tcp\"\n    ports    = [\"443\"]\n  }\n}\n\nresource \"google_project_iam_member\" \"ci\" {\n  role   = \"roles/editor\"\n  member = \"serviceAccount:ci@p.iam.gserviceaccount.com\"\n}\n";
        let f = check_terraform("main.tf", text, &[]);
        assert_eq!(
            rules(&f),
            [
                ("terraform/public-database", Some(4)),
                ("terraform/no-backups", Some(4)),
                ("terraform/deletion-protection", Some(2)),
                ("terraform/public-bucket", Some(18)),
                ("terraform/open-ingress", Some(22)),
                ("terraform/wildcard-iam", Some(40)),
            ],
            "{f:#?}"
        );
        // Ours: private, backed up, kept, protected.
        let ours = "resource \"google_sql_database_instance\" \"db\" {\n  deletion_protection = true\n\n  settings {\n    deletion_protection_enabled = true\n    retain_backups_on_delete    = true\n\n    ip_configuration {\n      ipv4_enabled = false\n    }\n\n    backup_configuration {\n      enabled = true\n    }\n  }\n}\n";
        assert!(check_terraform("db.tf", ours, &[]).is_empty());
    }

    #[test]
    fn a_cloud_run_probe_on_a_path_the_code_does_not_serve_is_named() {
        let mut svc = ServiceProfile::new("api", ".");
        svc.health_path = Some("/healthz".into());
        svc.port = Some(8000);
        let text = "resource \"google_cloud_run_v2_service\" \"api\" {\n  template {\n    containers {\n      ports {\n        container_port = 8080\n      }\n\n      startup_probe {\n        http_get {\n          path = \"/health\"\n        }\n      }\n    }\n  }\n}\n";
        let f = check_terraform("run.tf", text, &[svc]);
        assert_eq!(
            f.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
            ["terraform/health-path", "terraform/port"]
        );
    }

    #[test]
    fn a_health_check_on_a_path_the_code_does_not_serve_is_named() {
        let mut svc = ServiceProfile::new("api", ".");
        svc.health_path = Some("/healthz".into());
        svc.port = Some(8000);
        let text = "resource \"aws_lb_target_group\" \"api\" {\n  port = 8080\n  health_check {\n    path = \"/health\"\n  }\n}\n";
        let f = check_terraform("lb.tf", text, &[svc]);
        assert_eq!(
            f.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
            ["terraform/health-path", "terraform/port"]
        );
        let f = check_terraform("broken.tf", "resource \"x\" {\n", &[]);
        assert_eq!(f[0].rule, "terraform/syntax");
    }

    #[test]
    fn azure_public_databases_storage_registries_open_rules_and_owner_roles_are_named() {
        let text = r#"resource "azurerm_postgresql_flexible_server" "db" {
  name                  = "db"
  backup_retention_days = 3
}

resource "azurerm_storage_account" "files" {
  name            = "files"
  min_tls_version = "TLS1_0"
}

resource "azurerm_storage_container" "media" {
  name                  = "media"
  container_access_type = "blob"
}

resource "azurerm_container_registry" "acr" {
  name          = "acr"
  admin_enabled = true
}

resource "azurerm_network_security_group" "nsg" {
  name = "nsg"

  security_rule {
    name                   = "ssh"
    direction              = "Inbound"
    access                 = "Allow"
    source_address_prefix  = "*"
    destination_port_range = "22"
  }

  security_rule {
    name                   = "https"
    direction              = "Inbound"
    access                 = "Allow"
    source_address_prefix  = "Internet"
    destination_port_range = "443"
  }
}

resource "azurerm_role_assignment" "ci" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Contributor"
}

resource "azurerm_role_assignment" "env" {
  scope                = azurerm_resource_group.prod.id
  role_definition_name = "Contributor"
}
"#;
        let f = check_terraform("main.tf", text, &[]);
        assert_eq!(
            rules(&f),
            [
                ("terraform/public-database", Some(1)),
                ("terraform/no-backups", Some(3)),
                ("terraform/deletion-protection", Some(2)),
                ("terraform/public-bucket", Some(6)),
                ("terraform/unencrypted", Some(8)),
                ("terraform/public-bucket", Some(13)),
                ("terraform/wildcard-iam", Some(18)),
                ("terraform/open-ingress", Some(24)),
                ("terraform/wildcard-iam", Some(43)),
            ],
            "{f:#?}"
        );
        // Ours: on a delegated subnet, kept, closed.
        let ours = r#"resource "azurerm_postgresql_flexible_server" "db" {
  name                          = "db"
  backup_retention_days         = 7
  delegated_subnet_id           = azurerm_subnet.db.id
  public_network_access_enabled = false

  lifecycle {
    prevent_destroy = true
  }
}

resource "azurerm_storage_account" "state" {
  name                            = "state"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
}
"#;
        assert!(
            check_terraform("db.tf", ours, &[]).is_empty(),
            "{:#?}",
            check_terraform("db.tf", ours, &[])
        );
    }

    #[test]
    fn a_container_app_probing_a_path_the_code_does_not_serve_is_named() {
        let mut svc = ServiceProfile::new("api", ".");
        svc.health_path = Some("/healthz".into());
        svc.port = Some(8000);
        let text = "resource \"azurerm_container_app\" \"api\" {\n  ingress {\n    target_port = 8080\n  }\n\n  template {\n    container {\n      liveness_probe {\n        path = \"/health\"\n      }\n    }\n  }\n}\n";
        let f = check_terraform("apps.tf", text, &[svc.clone()]);
        assert_eq!(
            f.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
            ["terraform/health-path", "terraform/port"]
        );
        let fixed = text.replace("8080", "8000").replace("/health\"", "/healthz\"");
        assert!(check_terraform("apps.tf", &fixed, &[svc]).is_empty());
    }
}
