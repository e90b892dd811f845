//! Pulumi in TypeScript, from the same infrastructure the Terraform family writes.
//!
//! The cloud generators decide every resource once, as `hcl-rs` blocks; this module writes a
//! stack's blocks again as a Pulumi program, so the two languages cannot disagree on a port, a
//! probe, a secret name or a backup setting. Each resource becomes `new <module>.<Class>(...)`
//! with its arguments in Pulumi's names (camelCase; a block that repeats becomes a list under
//! the plural name Pulumi gives it), each reference the variable of the resource it names,
//! each Terraform variable a typed value of the stack's config with the same default, each
//! output an export. `for_each` becomes a loop, `depends_on` and `prevent_destroy` the
//! resource options `dependsOn` and `protect`. The translation covers what the generators
//! write and refuses anything else by name, so a new construct is a failing test, never a
//! silently wrong program.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hcl::expr::{BinaryOperator, TraversalOperator, UnaryOperator};
use hcl::template::{Element, Template};
use hcl::{Block, Body, Expression};

use crate::generate::Artifact;

/// A resource type as Pulumi's Node.js SDK names it: the module and the class (or, for a data
/// source, the function).
fn class_of(tf: &str) -> Option<(&'static str, &'static str)> {
    Some(match tf {
        "google_project_service" => ("projects", "Service"),
        "google_project_iam_member" => ("projects", "IAMMember"),
        "google_storage_bucket" => ("storage", "Bucket"),
        "google_storage_bucket_iam_member" => ("storage", "BucketIAMMember"),
        "google_artifact_registry_repository" => ("artifactregistry", "Repository"),
        "google_artifact_registry_repository_iam_member" => ("artifactregistry", "RepositoryIamMember"),
        "google_iam_workload_identity_pool" => ("iam", "WorkloadIdentityPool"),
        "google_iam_workload_identity_pool_provider" => ("iam", "WorkloadIdentityPoolProvider"),
        "google_service_account" => ("serviceaccount", "Account"),
        "google_service_account_iam_member" => ("serviceaccount", "IAMMember"),
        "google_compute_network" => ("compute", "Network"),
        "google_compute_subnetwork" => ("compute", "Subnetwork"),
        "google_compute_firewall" => ("compute", "Firewall"),
        "google_compute_global_address" => ("compute", "GlobalAddress"),
        "google_service_networking_connection" => ("servicenetworking", "Connection"),
        "google_secret_manager_secret" => ("secretmanager", "Secret"),
        "google_secret_manager_secret_iam_member" => ("secretmanager", "SecretIamMember"),
        "google_cloud_run_v2_service" => ("cloudrunv2", "Service"),
        "google_cloud_run_v2_service_iam_member" => ("cloudrunv2", "ServiceIamMember"),
        "google_compute_managed_ssl_certificate" => ("compute", "ManagedSslCertificate"),
        "google_compute_ssl_policy" => ("compute", "SSLPolicy"),
        "google_compute_region_network_endpoint_group" => ("compute", "RegionNetworkEndpointGroup"),
        "google_compute_backend_service" => ("compute", "BackendService"),
        "google_compute_url_map" => ("compute", "URLMap"),
        "google_compute_target_https_proxy" => ("compute", "TargetHttpsProxy"),
        "google_compute_target_http_proxy" => ("compute", "TargetHttpProxy"),
        "google_compute_global_forwarding_rule" => ("compute", "GlobalForwardingRule"),
        "google_sql_database_instance" => ("sql", "DatabaseInstance"),
        "google_sql_database" => ("sql", "Database"),
        "google_redis_instance" => ("redis", "Instance"),
        "google_kms_key_ring" => ("kms", "KeyRing"),
        "google_kms_crypto_key" => ("kms", "CryptoKey"),
        "google_kms_crypto_key_iam_member" => ("kms", "CryptoKeyIAMMember"),
        "azurerm_resource_group" => ("core", "ResourceGroup"),
        "azurerm_storage_account" => ("storage", "Account"),
        "azurerm_storage_container" => ("storage", "Container"),
        "azurerm_container_registry" => ("containerservice", "Registry"),
        "azurerm_user_assigned_identity" => ("authorization", "UserAssignedIdentity"),
        "azurerm_federated_identity_credential" => ("armmsi", "FederatedIdentityCredential"),
        "azurerm_role_assignment" => ("authorization", "Assignment"),
        "azurerm_key_vault" => ("keyvault", "KeyVault"),
        "azurerm_key_vault_key" => ("keyvault", "Key"),
        "azurerm_log_analytics_workspace" => ("operationalinsights", "AnalyticsWorkspace"),
        "azurerm_virtual_network" => ("network", "VirtualNetwork"),
        "azurerm_subnet" => ("network", "Subnet"),
        "azurerm_network_security_group" => ("network", "NetworkSecurityGroup"),
        "azurerm_subnet_network_security_group_association" => ("network", "SubnetNetworkSecurityGroupAssociation"),
        "azurerm_private_dns_zone" => ("privatedns", "Zone"),
        "azurerm_private_dns_zone_virtual_network_link" => ("privatedns", "ZoneVirtualNetworkLink"),
        "azurerm_container_app_environment" => ("containerapp", "Environment"),
        "azurerm_container_app" => ("containerapp", "App"),
        "azurerm_postgresql_flexible_server" => ("postgresql", "FlexibleServer"),
        "azurerm_postgresql_flexible_server_database" => ("postgresql", "FlexibleServerDatabase"),
        "azurerm_postgresql_flexible_server_configuration" => ("postgresql", "FlexibleServerConfiguration"),
        "azurerm_management_lock" => ("management", "Lock"),
        _ => return None,
    })
}

/// Data sources: the function that reads one, with its result's Output form.
fn data_of(tf: &str) -> Option<(&'static str, &'static str)> {
    Some(match tf {
        "google_service_account" => ("serviceaccount", "getAccountOutput"),
        "azurerm_client_config" => ("core", "getClientConfigOutput"),
        "azurerm_resource_group" => ("core", "getResourceGroupOutput"),
        "azurerm_user_assigned_identity" => ("core", "getUserAssignedIdentityOutput"),
        _ => return None,
    })
}

/// Blocks that may repeat, with the plural name Pulumi gives the list; every other block is
/// one object under its own name. Azure's container probes are lists, Cloud Run's one object.
fn list_name(provider: &str, block: &str) -> Option<&'static str> {
    if provider == "azurerm" {
        return Some(match block {
            "container" => "containers",
            "env" => "envs",
            "secret" => "secrets",
            "registry" => "registries",
            "http_scale_rule" => "httpScaleRules",
            "traffic_weight" => "trafficWeights",
            "workload_profile" => "workloadProfiles",
            "startup_probe" => "startupProbes",
            "readiness_probe" => "readinessProbes",
            "liveness_probe" => "livenessProbes",
            "delegation" => "delegations",
            "security_rule" => "securityRules",
            _ => return None,
        });
    }
    Some(match block {
        "containers" => "containers",
        "env" => "envs",
        "traffic" => "traffics",
        "database_flags" => "databaseFlags",
        "cleanup_policies" => "cleanupPolicies",
        "host_rule" => "hostRules",
        "path_matcher" => "pathMatchers",
        "authorized_networks" => "authorizedNetworks",
        "lifecycle_rule" => "lifecycleRules",
        "allow" => "allows",
        "deny" => "denies",
        "network_interfaces" => "networkInterfaces",
        "backend" => "backends",
        _ => return None,
    })
}

/// A resource's `lifecycle { ignore_changes = [...] }` as Pulumi property paths
/// (`ingress[0].traffic_weight` is `ingress.trafficWeights`): the engine compares inputs by
/// these names in every language.
fn ignored_changes(b: &Block, provider: &str) -> Vec<String> {
    b.body
        .blocks()
        .filter(|l| l.identifier.as_str() == "lifecycle")
        .filter_map(|l| match attr_of(l, "ignore_changes") {
            Some(Expression::Array(items)) => Some(items.clone()),
            _ => None,
        })
        .flatten()
        .map(|item| {
            hcl::format::to_string(&item)
                .unwrap_or_default()
                .split('.')
                .map(|seg| {
                    let seg = seg.trim().trim_end_matches("[0]");
                    list_name(provider, seg).map_or_else(|| camel(seg), str::to_string)
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect()
}

/// `CamelCase` or `camelCase` as `snake_case`.
pub fn snake(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if i > 0 && (prev_lower || (next_lower && chars[i - 1].is_ascii_uppercase())) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(*c);
        }
    }
    out
}

/// `snake_case` as Pulumi's `camelCase`.
pub fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        if c == '_' || c == '-' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// What the program knows while translating: each Terraform name's TypeScript variable.
#[derive(Default)]
struct Names {
    /// `google_x.name` -> (variable, is a list made by a loop).
    resources: BTreeMap<String, (String, bool)>,
    /// `data.google_x.name` -> variable.
    data: BTreeMap<String, String>,
    /// `var.x` / `local.x` -> variable.
    values: BTreeMap<String, String>,
    /// The loop variable `each.value` stands for, inside a `for_each` resource.
    each: Option<String>,
    /// The iterator of a `dynamic` block and the TypeScript names of its key and value.
    iterator: Option<(String, String, String)>,
    /// Every top-level name taken so far (outputs' names are taken first: they are exports).
    taken: std::collections::BTreeSet<String>,
    /// The Terraform provider the resources are of: `google` or `azurerm`.
    provider: &'static str,
    /// Python (snake_case names) rather than TypeScript.
    python: bool,
    /// The Terraform type of the resource being written.
    kind: String,
}

impl Names {
    fn resource_var(&self, kind: &str, name: &str) -> String {
        let class = class_of(kind).map(|(_, c)| c).unwrap_or("Resource");
        if self.python {
            format!("{name}_{}", snake(class))
        } else {
            format!("{}{class}", camel(name))
        }
    }

    /// `base`, or `base` with `suffix` (then a number) when the name is taken.
    fn unique(&mut self, base: &str, suffix: &str) -> String {
        const RESERVED: &[&str] = &[
            "config", "provider", "opts", "pulumi", "gcp", "azure", "random", "str", "int", "float", "bool", "type",
            "id", "min", "max", "list", "dict", "input", "format", "filter", "map", "hash", "next", "object", "all",
            "any", "len", "range", "set", "tuple", "vars", "zip", "sum", "round", "open", "iter", "help", "text",
            "whole", "number", "flag",
        ];
        let mut name = base.to_string();
        let mut n = 1;
        while self.taken.contains(&name) || RESERVED.contains(&name.as_str()) {
            name = if n == 1 {
                format!("{base}{suffix}")
            } else {
                format!("{base}{suffix}{n}")
            };
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

fn refuse(what: impl std::fmt::Display) -> String {
    format!("the Pulumi writer does not translate {what}")
}

/// A TypeScript string literal.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Whether the expression reads a resource or data source (an Output in Pulumi).
fn reads_resource(e: &Expression, names: &Names) -> bool {
    match e {
        Expression::Traversal(t) => match &t.expr {
            Expression::Variable(v) => {
                let root = v.as_str();
                root == "data" || names.resources.keys().any(|k| k.starts_with(&format!("{root}.")))
            }
            other => reads_resource(other, names),
        },
        Expression::TemplateExpr(t) => Template::from_expr(t)
            .map(|t| {
                t.elements().iter().any(|el| match el {
                    Element::Interpolation(i) => reads_resource(&i.expr, names),
                    _ => false,
                })
            })
            .unwrap_or(false),
        Expression::Array(a) => a.iter().any(|x| reads_resource(x, names)),
        Expression::Object(o) => o.values().any(|x| reads_resource(x, names)),
        Expression::FuncCall(f) => f.args.iter().any(|x| reads_resource(x, names)),
        Expression::Parenthesis(p) => reads_resource(p, names),
        Expression::Conditional(c) => {
            reads_resource(&c.cond_expr, names)
                || reads_resource(&c.true_expr, names)
                || reads_resource(&c.false_expr, names)
        }
        _ => false,
    }
}

/// An HCL expression as TypeScript.
fn ts(e: &Expression, names: &Names) -> Result<String, String> {
    Ok(match e {
        Expression::Null => "undefined".into(),
        Expression::Bool(b) => b.to_string(),
        Expression::Number(n) => n.to_string(),
        Expression::String(s) => quote(s),
        Expression::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| ts(i, names))
                .collect::<Result<Vec<_>, _>>()?
                .join(", ")
        ),
        Expression::Object(o) => {
            if o.is_empty() {
                return Ok("{}".into());
            }
            let mut parts = Vec::new();
            for (k, v) in o {
                let key = k.to_string();
                let key = key.trim_matches('"');
                let key = if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !key.starts_with(|c: char| c.is_ascii_digit())
                {
                    key.to_string()
                } else {
                    quote(key)
                };
                parts.push(format!("{key}: {}", ts(v, names)?));
            }
            format!("{{ {} }}", parts.join(", "))
        }
        Expression::TemplateExpr(t) => {
            let template = Template::from_expr(t).map_err(|e| e.to_string())?;
            let mut out = String::new();
            for el in template.elements() {
                match el {
                    Element::Literal(l) => {
                        out.push_str(&l.replace('\\', "\\\\").replace('`', "\\`").replace("${", "\\${"))
                    }
                    Element::Interpolation(i) => {
                        let _ = write!(out, "${{{}}}", ts(&i.expr, names)?);
                    }
                    Element::Directive(_) => return Err(refuse("template directives")),
                }
            }
            if reads_resource(e, names) {
                format!("pulumi.interpolate`{out}`")
            } else {
                format!("`{out}`")
            }
        }
        Expression::Variable(v) => match names.values.get(v.as_str()) {
            Some(n) => n.clone(),
            None => return Err(refuse(format!("the bare name {}", v.as_str()))),
        },
        Expression::Traversal(t) => traversal(t, names)?,
        Expression::FuncCall(f) => {
            let args = f.args.iter().map(|a| ts(a, names)).collect::<Result<Vec<_>, _>>()?;
            match (f.name.name.as_str(), args.as_slice()) {
                ("min", [a, b]) => format!("Math.min({a}, {b})"),
                ("max", [a, b]) => format!("Math.max({a}, {b})"),
                ("toset", [a]) => a.clone(),
                ("lookup", [m, k, d]) => format!("({m}[{k}] ?? {d})"),
                (other, _) => return Err(refuse(format!("the function {other}()"))),
            }
        }
        Expression::Parenthesis(p) => format!("({})", ts(p, names)?),
        Expression::Conditional(c) => format!(
            "({} ? {} : {})",
            ts(&c.cond_expr, names)?,
            ts(&c.true_expr, names)?,
            ts(&c.false_expr, names)?
        ),
        Expression::Operation(op) => match op.as_ref() {
            hcl::expr::Operation::Unary(u) => format!(
                "{}{}",
                match u.operator {
                    UnaryOperator::Neg => "-",
                    UnaryOperator::Not => "!",
                },
                ts(&u.expr, names)?
            ),
            hcl::expr::Operation::Binary(b) => {
                let op = match b.operator {
                    BinaryOperator::Eq => "===",
                    BinaryOperator::NotEq => "!==",
                    other => other.as_str(),
                };
                format!("{} {op} {}", ts(&b.lhs_expr, names)?, ts(&b.rhs_expr, names)?)
            }
        },
        Expression::ForExpr(_) => return Err(refuse("for expressions")),
        other => return Err(refuse(format!("{other:?}"))),
    })
}

fn traversal(t: &hcl::expr::Traversal, names: &Names) -> Result<String, String> {
    let Expression::Variable(root) = &t.expr else {
        return Err(refuse("a traversal of an expression"));
    };
    let mut ops = t.operators.iter();
    let attr = |op: Option<&TraversalOperator>| -> Result<String, String> {
        match op {
            Some(TraversalOperator::GetAttr(a)) => Ok(a.as_str().to_string()),
            other => Err(refuse(format!("{other:?} after {}", root.as_str()))),
        }
    };
    let mut out = match root.as_str() {
        "var" | "local" => {
            let name = attr(ops.next())?;
            names
                .values
                .get(&format!("{}.{name}", root.as_str()))
                .cloned()
                .ok_or_else(|| refuse(format!("{}.{name}, which no block declares", root.as_str())))?
        }
        "each" => {
            let what = attr(ops.next())?;
            names
                .each
                .clone()
                .filter(|_| what == "value" || what == "key")
                .ok_or_else(|| refuse(format!("each.{what} outside a for_each")))?
        }
        "data" => {
            let kind = attr(ops.next())?;
            let name = attr(ops.next())?;
            names
                .data
                .get(&format!("{kind}.{name}"))
                .cloned()
                .ok_or_else(|| refuse(format!("data.{kind}.{name}, which no block declares")))?
        }
        "ephemeral" => {
            let kind = attr(ops.next())?;
            let name = attr(ops.next())?;
            names
                .resources
                .get(&format!("ephemeral.{kind}.{name}"))
                .map(|(v, _)| v.clone())
                .ok_or_else(|| refuse(format!("ephemeral.{kind}.{name}, which no block declares")))?
        }
        r if names.iterator.as_ref().is_some_and(|(i, _, _)| i == r) => {
            let (_, key, value) = names.iterator.clone().unwrap_or_default();
            match attr(ops.next())?.as_str() {
                "key" => key,
                "value" => value,
                other => return Err(refuse(format!("{r}.{other}"))),
            }
        }
        kind => {
            let name = attr(ops.next())?;
            let (var, list) = names
                .resources
                .get(&format!("{kind}.{name}"))
                .cloned()
                .ok_or_else(|| refuse(format!("{kind}.{name}, which no block declares")))?;
            if list {
                return Err(refuse(format!(
                    "an attribute of {kind}.{name}, which is made by a loop"
                )));
            }
            var
        }
    };
    // A block Terraform lists and Pulumi keeps as one object loses its `[0]`.
    let mut last: Option<String> = None;
    for op in ops {
        match op {
            TraversalOperator::GetAttr(a) => {
                let a = a.as_str();
                let _ = write!(out, ".{}", if names.python { a.to_string() } else { camel(a) });
                last = Some(a.to_string());
            }
            TraversalOperator::Index(Expression::Number(n))
                if n.as_u64() == Some(0) && last.as_deref().is_some_and(|l| list_name(names.provider, l).is_none()) =>
            {
                last = None;
            }
            TraversalOperator::Index(i) => {
                let _ = write!(out, "[{}]", if names.python { py(i, names)? } else { ts(i, names)? });
                last = None;
            }
            other => return Err(refuse(format!("{other:?}"))),
        }
    }
    Ok(out)
}

/// A block's body as a TypeScript object literal, at `indent` spaces.
fn object(body: &Body, names: &mut Names, indent: usize) -> Result<String, String> {
    let pad = " ".repeat(indent + 2);
    let mut fields: Vec<(String, String)> = Vec::new();
    for a in body.attributes() {
        let key = a.key.as_str();
        if matches!(key, "depends_on" | "for_each" | "count" | "provider") {
            continue;
        }
        fields.push((camel(key), ts(&a.expr, names)?));
    }
    // Nested blocks: one object each, or a list when the block may repeat.
    let mut lists: Vec<(String, Vec<String>)> = Vec::new();
    for b in body.blocks() {
        let name = b.identifier.as_str();
        if name == "lifecycle" {
            continue;
        }
        if name == "dynamic" {
            let target = b.labels.first().map(|l| l.as_str().to_string()).unwrap_or_default();
            let plural =
                list_name(names.provider, &target).ok_or_else(|| refuse(format!("a dynamic {target} block")))?;
            let source = b
                .body
                .attributes()
                .find(|a| a.key.as_str() == "for_each")
                .ok_or_else(|| refuse("a dynamic block without for_each"))?;
            let source = ts(&source.expr, names)?;
            let content = b
                .body
                .blocks()
                .find(|c| c.identifier.as_str() == "content")
                .ok_or_else(|| refuse("a dynamic block without content"))?;
            names.iterator = Some((target.clone(), "key".into(), "value".into()));
            let item = object(&content.body, names, indent + 2)?;
            names.iterator = None;
            let entry = format!("...Object.entries({source}).map(([key, value]) => ({item}))");
            match lists.iter_mut().find(|(n, _)| n == plural) {
                Some((_, items)) => items.push(entry),
                None => lists.push((plural.to_string(), vec![entry])),
            }
            continue;
        }
        let value = object(&b.body, names, indent + 2)?;
        match list_name(names.provider, name) {
            Some(plural) => match lists.iter_mut().find(|(n, _)| n == plural) {
                Some((_, items)) => items.push(value),
                None => lists.push((plural.to_string(), vec![value])),
            },
            None => fields.push((camel(name), value)),
        }
    }
    for (name, items) in lists {
        fields.push((name, format!("[{}]", items.join(", "))));
    }
    if fields.is_empty() {
        return Ok("{}".into());
    }
    let mut out = String::from("{\n");
    for (k, v) in fields {
        let _ = writeln!(out, "{pad}{k}: {v},");
    }
    out.push_str(&" ".repeat(indent));
    out.push('}');
    Ok(out)
}

fn attr_of<'b>(b: &'b Block, name: &str) -> Option<&'b Expression> {
    b.body.attributes().find(|a| a.key.as_str() == name).map(|a| &a.expr)
}

/// The comment lines above each top-level block of a written Terraform file, in order.
fn comments(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut header_done = false;
    for line in text.lines() {
        if let Some(c) = line.strip_prefix('#') {
            pending.push(c.trim_start().to_string());
        } else if line.trim().is_empty() {
            if !header_done {
                // The file's header is not a block's comment.
                pending.clear();
                header_done = true;
            }
        } else if !line.starts_with(' ') && !line.starts_with('}') && line.ends_with('{') {
            header_done = true;
            out.push(std::mem::take(&mut pending));
        }
    }
    out
}

/// The TypeScript for a variable's config value.
fn config_value(name: &str, b: &Block, names: &Names) -> Result<String, String> {
    let kind = attr_of(b, "type")
        .map(|t| hcl::format::to_string(t).unwrap_or_default())
        .unwrap_or_else(|| "string".into());
    let default = attr_of(b, "default").map(|d| ts(d, names)).transpose()?;
    let key = quote(name);
    Ok(match (kind.as_str(), default) {
        ("string", Some(d)) => format!("config.get({key}) ?? {d}"),
        ("string", None) => format!("config.require({key})"),
        ("number", Some(d)) => format!("config.getNumber({key}) ?? {d}"),
        ("number", None) => format!("config.requireNumber({key})"),
        ("bool", Some(d)) => format!("config.getBoolean({key}) ?? {d}"),
        ("bool", None) => format!("config.requireBoolean({key})"),
        ("map(string)", Some(d)) => format!("config.getObject<Record<string, string>>({key}) ?? {d}"),
        ("map(string)", None) => format!("config.requireObject<Record<string, string>>({key})"),
        ("map(map(string))", Some(d)) => {
            format!("config.getObject<Record<string, Record<string, string>>>({key}) ?? {d}")
        }
        (other, _) => return Err(refuse(format!("a variable of type {other}"))),
    })
}

/// One stack's Terraform files (`*.tf` of one folder) as a Pulumi TypeScript program:
/// `index.ts`, with the stack's files beside it written by the caller.
pub fn typescript(files: &[&Artifact], header: &str) -> Result<String, String> {
    let mut names = Names::default();
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "// {line}");
    }
    out.push_str("import * as pulumi from \"@pulumi/pulumi\";\nimport * as gcp from \"@pulumi/gcp\";\n\nconst config = new pulumi.Config();\n");
    // Variables first (the config), then locals and the provider, then everything else in
    // the files' order: what a block refers to is declared above it.
    let mut parsed: Vec<(Body, Vec<Vec<String>>)> = Vec::new();
    for f in files {
        let body: Body = f.content.parse().map_err(|e| format!("{}: {e}", f.path))?;
        parsed.push((body, comments(&f.content)));
    }
    let none: Vec<String> = Vec::new();
    let blocks: Vec<(&Block, &Vec<String>)> = parsed
        .iter()
        .flat_map(|(body, notes)| {
            body.blocks()
                .enumerate()
                .map(|(i, b)| (b, notes.get(i).unwrap_or(&none)))
                .collect::<Vec<_>>()
        })
        .collect();
    let note = |out: &mut String, lines: &[String]| {
        for l in lines {
            if l.is_empty() {
                out.push_str("//\n");
            } else {
                let _ = writeln!(out, "// {l}");
            }
        }
    };
    for (b, _) in &blocks {
        if b.identifier.as_str() == "output" {
            if let Some(l) = b.labels.first() {
                names.taken.insert(l.as_str().to_string());
            }
        }
    }
    names.provider = "google";
    for (b, lines) in &blocks {
        if b.identifier.as_str() != "variable" {
            continue;
        }
        let name = b.labels.first().map(|l| l.as_str()).unwrap_or_default();
        let var = names.unique(&camel(name), "Config");
        out.push('\n');
        note(&mut out, lines);
        if let Some(d) = attr_of(b, "description").and_then(|d| match d {
            Expression::String(s) => Some(s.clone()),
            _ => None,
        }) {
            let _ = writeln!(out, "/** {} */", d.replace("*/", "* /"));
        }
        let _ = writeln!(out, "const {var} = {};", config_value(name, b, &names)?);
        names.values.insert(format!("var.{name}"), var);
    }
    for (b, lines) in &blocks {
        if b.identifier.as_str() == "locals" {
            out.push('\n');
            note(&mut out, lines);
            for a in b.body.attributes() {
                let var = names.unique(&camel(a.key.as_str()), "Local");
                let _ = writeln!(out, "const {var} = {};", ts(&a.expr, &names)?);
                names.values.insert(format!("local.{}", a.key.as_str()), var);
            }
        }
    }
    for (b, lines) in &blocks {
        if b.identifier.as_str() == "provider" {
            out.push('\n');
            note(&mut out, lines);
            let _ = writeln!(
                out,
                "const provider = new gcp.Provider(\"google\", {});\nconst opts = {{ provider }};",
                object(&b.body, &mut names, 0)?
            );
        }
    }
    for (b, lines) in &blocks {
        let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
        match (b.identifier.as_str(), labels.as_slice()) {
            ("resource", [kind, name]) => {
                let (module, class) = class_of(kind).ok_or_else(|| refuse(format!("the resource type {kind}")))?;
                let var = names.unique(&names.resource_var(kind, name), "");
                let logical = name.replace('_', "-");
                let mut options = vec!["...opts".to_string()];
                if let Some(deps) = attr_of(b, "depends_on") {
                    let Expression::Array(items) = deps else {
                        return Err(refuse("depends_on that is not a list"));
                    };
                    let mut vars = Vec::new();
                    for i in items {
                        let text = hcl::format::to_string(i).unwrap_or_default();
                        let (var, list) = names
                            .resources
                            .get(&text)
                            .cloned()
                            .ok_or_else(|| refuse(format!("depends_on {text}")))?;
                        vars.push(if list { format!("...{var}") } else { var });
                    }
                    options.push(format!("dependsOn: [{}]", vars.join(", ")));
                }
                let protect = b
                    .body
                    .blocks()
                    .filter(|l| l.identifier.as_str() == "lifecycle")
                    .any(|l| matches!(attr_of(l, "prevent_destroy"), Some(Expression::Bool(true))));
                if protect {
                    options.push("protect: true".into());
                }
                let ignored = ignored_changes(b, names.provider);
                if !ignored.is_empty() {
                    options.push(format!(
                        "ignoreChanges: [{}]",
                        ignored.iter().map(|p| quote(p)).collect::<Vec<_>>().join(", ")
                    ));
                }
                out.push('\n');
                note(&mut out, lines);
                if let Some(each) = attr_of(b, "for_each") {
                    let items = ts(each, &names)?;
                    names.each = Some("item".into());
                    let args = object(&b.body, &mut names, 2)?;
                    names.each = None;
                    let _ = writeln!(
                        out,
                        "const {var} = {items}.map(\n  (item) =>\n    new gcp.{module}.{class}(`{logical}-${{item.replace(/[^a-z0-9]+/gi, \"-\")}}`, {}, {{ {} }}),\n);",
                        args.replace('\n', "\n    "),
                        options.join(", ")
                    );
                    names.resources.insert(format!("{kind}.{name}"), (var, true));
                } else {
                    let args = object(&b.body, &mut names, 0)?;
                    let _ = writeln!(
                        out,
                        "const {var} = new gcp.{module}.{class}({}, {args}, {{ {} }});",
                        quote(&logical),
                        options.join(", ")
                    );
                    names.resources.insert(format!("{kind}.{name}"), (var, false));
                }
            }
            ("data", [kind, name]) => {
                let (module, function) = data_of(kind).ok_or_else(|| refuse(format!("the data source {kind}")))?;
                let var = names.unique(&format!("{}Data", names.resource_var(kind, name)), "");
                out.push('\n');
                note(&mut out, lines);
                let _ = writeln!(
                    out,
                    "const {var} = gcp.{module}.{function}({}, opts);",
                    object(&b.body, &mut names, 0)?
                );
                names.data.insert(format!("{kind}.{name}"), var);
            }
            ("output", [name]) => {
                let value = attr_of(b, "value").ok_or_else(|| refuse(format!("output {name} without a value")))?;
                let mut value = ts(value, &names)?;
                if matches!(attr_of(b, "sensitive"), Some(Expression::Bool(true))) {
                    value = format!("pulumi.secret({value})");
                }
                if let Some(Expression::String(d)) = attr_of(b, "description") {
                    let _ = writeln!(out, "\n/** {} */", d.replace("*/", "* /"));
                } else {
                    out.push('\n');
                }
                let _ = writeln!(out, "export const {name} = {value};");
            }
            ("resource" | "data" | "output", _) => {
                return Err(refuse(format!("a {} block labelled {labels:?}", b.identifier)))
            }
            ("variable" | "locals" | "provider" | "terraform", _) => {}
            (other, _) => return Err(refuse(format!("a top-level {other} block"))),
        }
    }
    Ok(out)
}

/// An HCL expression as Python.
fn py(e: &Expression, names: &Names) -> Result<String, String> {
    Ok(match e {
        Expression::Null => "None".into(),
        Expression::Bool(b) => if *b { "True" } else { "False" }.into(),
        Expression::Number(n) => n.to_string(),
        Expression::String(s) => quote(s),
        Expression::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| py(i, names))
                .collect::<Result<Vec<_>, _>>()?
                .join(", ")
        ),
        Expression::Object(o) => {
            let mut parts = Vec::new();
            for (k, v) in o {
                let key = k.to_string();
                parts.push(format!("{}: {}", quote(key.trim_matches('"')), py(v, names)?));
            }
            format!("{{{}}}", parts.join(", "))
        }
        Expression::TemplateExpr(t) => {
            let template = Template::from_expr(t).map_err(|e| e.to_string())?;
            if reads_resource(e, names) {
                let mut parts = Vec::new();
                for el in template.elements() {
                    match el {
                        Element::Literal(l) => parts.push(quote(l)),
                        Element::Interpolation(i) => parts.push(py(&i.expr, names)?),
                        Element::Directive(_) => return Err(refuse("template directives")),
                    }
                }
                format!("pulumi.Output.concat({})", parts.join(", "))
            } else {
                let mut out = String::new();
                for el in template.elements() {
                    match el {
                        Element::Literal(l) => {
                            let q = quote(l);
                            out.push_str(&q[1..q.len() - 1].replace('{', "{{").replace('}', "}}"));
                        }
                        Element::Interpolation(i) => {
                            let _ = write!(out, "{{{}}}", py(&i.expr, names)?);
                        }
                        Element::Directive(_) => return Err(refuse("template directives")),
                    }
                }
                format!("f\"{out}\"")
            }
        }
        Expression::Variable(v) => match names.values.get(v.as_str()) {
            Some(n) => n.clone(),
            None => return Err(refuse(format!("the bare name {}", v.as_str()))),
        },
        Expression::Traversal(t) => traversal(t, names)?,
        Expression::FuncCall(f) => {
            let args = f.args.iter().map(|a| py(a, names)).collect::<Result<Vec<_>, _>>()?;
            match (f.name.name.as_str(), args.as_slice()) {
                ("min", [a, b]) => format!("min({a}, {b})"),
                ("max", [a, b]) => format!("max({a}, {b})"),
                ("tostring", [a]) => format!("str({a})"),
                ("lookup", [m, k, d]) => format!("{m}.get({k}, {d})"),
                (other, _) => return Err(refuse(format!("the function {other}()"))),
            }
        }
        Expression::Parenthesis(p) => format!("({})", py(p, names)?),
        Expression::Conditional(c) => format!(
            "({} if {} else {})",
            py(&c.true_expr, names)?,
            py(&c.cond_expr, names)?,
            py(&c.false_expr, names)?
        ),
        Expression::Operation(op) => match op.as_ref() {
            hcl::expr::Operation::Unary(u) => format!(
                "{}{}",
                match u.operator {
                    UnaryOperator::Neg => "-",
                    UnaryOperator::Not => "not ",
                },
                py(&u.expr, names)?
            ),
            hcl::expr::Operation::Binary(b) => {
                let op = match b.operator {
                    BinaryOperator::And => "and",
                    BinaryOperator::Or => "or",
                    other => other.as_str(),
                };
                format!("{} {op} {}", py(&b.lhs_expr, names)?, py(&b.rhs_expr, names)?)
            }
        },
        Expression::ForExpr(_) => return Err(refuse("for expressions")),
        other => return Err(refuse(format!("{other:?}"))),
    })
}

/// An argument's name in Pulumi's Python SDK: Terraform's, but a write-only argument (which
/// Pulumi has not; its state is encrypted instead) under its plain name, and the few Pulumi
/// renames: a list it names in the plural, a one-item list it takes as the item.
fn py_key(kind: &str, key: &str) -> (String, bool) {
    match (kind, key) {
        ("azurerm_virtual_network", "address_space") => ("address_spaces".into(), false),
        ("azurerm_federated_identity_credential", "audience") => ("audience".into(), true),
        _ => (key.strip_suffix("_wo").unwrap_or(key).to_string(), false),
    }
}

/// A block's body as Python (key, value) pairs: the arguments of a resource, or the entries of
/// a dictionary for a nested block.
fn py_fields(body: &Body, names: &mut Names, indent: usize) -> Result<Vec<(String, String)>, String> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for a in body.attributes() {
        let key = a.key.as_str();
        if matches!(key, "depends_on" | "for_each" | "count" | "provider") {
            continue;
        }
        let (name, single) = py_key(if indent == 4 { names.kind.as_str() } else { "" }, key);
        let value = match (&a.expr, single) {
            (Expression::Array(items), true) if items.len() == 1 => py(&items[0], names)?,
            (_, true) => return Err(refuse(format!("{key} with other than one item"))),
            (e, false) => py(e, names)?,
        };
        fields.push((name, value));
    }
    let mut lists: Vec<(String, Vec<String>)> = Vec::new();
    let add = |lists: &mut Vec<(String, Vec<String>)>, plural: &str, item: String| {
        let key = snake(plural);
        match lists.iter_mut().find(|(n, _)| *n == key) {
            Some((_, items)) => items.push(item),
            None => lists.push((key, vec![item])),
        }
    };
    for b in body.blocks() {
        let name = b.identifier.as_str();
        if name == "lifecycle" {
            continue;
        }
        if name == "dynamic" {
            let target = b.labels.first().map(|l| l.as_str().to_string()).unwrap_or_default();
            let plural =
                list_name(names.provider, &target).ok_or_else(|| refuse(format!("a dynamic {target} block")))?;
            let source = b
                .body
                .attributes()
                .find(|a| a.key.as_str() == "for_each")
                .ok_or_else(|| refuse("a dynamic block without for_each"))?;
            let source = py(&source.expr, names)?;
            let content = b
                .body
                .blocks()
                .find(|c| c.identifier.as_str() == "content")
                .ok_or_else(|| refuse("a dynamic block without content"))?;
            names.iterator = Some((target.clone(), "key".into(), "value".into()));
            let item = py_dict(&content.body, names, indent)?;
            names.iterator = None;
            add(
                &mut lists,
                plural,
                format!("*[{item} for key, value in {source}.items()]"),
            );
            continue;
        }
        let value = py_dict(&b.body, names, indent)?;
        match list_name(names.provider, name) {
            Some(plural) => add(&mut lists, plural, value),
            None => fields.push((name.to_string(), value)),
        }
    }
    for (name, items) in lists {
        fields.push((name, format!("[{}]", items.join(", "))));
    }
    Ok(fields)
}

/// A nested block as a Python dictionary, at `indent` spaces.
fn py_dict(body: &Body, names: &mut Names, indent: usize) -> Result<String, String> {
    let fields = py_fields(body, names, indent + 4)?;
    if fields.is_empty() {
        return Ok("{}".into());
    }
    let pad = " ".repeat(indent + 4);
    let mut out = String::from("{\n");
    for (k, v) in fields {
        let _ = writeln!(out, "{pad}{}: {v},", quote(&k));
    }
    out.push_str(&" ".repeat(indent));
    out.push('}');
    Ok(out)
}

/// A call's arguments after its first line: keyword arguments one a line, then `extra` ones,
/// and the closing parenthesis.
fn py_call(first: Option<String>, fields: Vec<(String, String)>, extra: &[String]) -> String {
    let mut out = String::from("(\n");
    if let Some(f) = first {
        let _ = writeln!(out, "    {f},");
    }
    for (k, v) in fields {
        let _ = writeln!(out, "    {k}={v},");
    }
    for e in extra {
        let _ = writeln!(out, "    {e},");
    }
    out.push(')');
    out
}

/// The Python for a variable's config value.
fn py_config_value(name: &str, b: &Block, names: &Names) -> Result<String, String> {
    let kind = attr_of(b, "type")
        .map(|t| hcl::format::to_string(t).unwrap_or_default())
        .unwrap_or_else(|| "string".into());
    let default = attr_of(b, "default");
    let key = quote(name);
    Ok(match (kind.as_str(), default) {
        ("string", Some(d)) => format!("config.get({key}, {})", py(d, names)?),
        ("string", None) => format!("config.require({key})"),
        ("number", Some(Expression::Number(n))) if n.is_f64() => format!("config.get_float({key}, {n})"),
        ("number", Some(d)) => format!("config.get_int({key}, {})", py(d, names)?),
        ("number", None) => format!("config.require_int({key})"),
        ("bool", Some(d)) => format!("config.get_bool({key}, {})", py(d, names)?),
        ("bool", None) => format!("config.require_bool({key})"),
        ("map(string)" | "map(map(string))", Some(d)) => format!("config.get_object({key}, {})", py(d, names)?),
        ("map(string)" | "map(map(string))", None) => format!("config.require_object({key})"),
        (other, _) => return Err(refuse(format!("a variable of type {other}"))),
    })
}

/// One stack's Terraform files as a Pulumi program in Python (`__main__.py`), for the AzureRM
/// resources, whose Pulumi provider takes AzureRM's own argument names.
pub fn python(files: &[&Artifact], header: &str) -> Result<String, String> {
    let mut names = Names {
        provider: "azurerm",
        python: true,
        ..Names::default()
    };
    let mut parsed: Vec<(Body, Vec<Vec<String>>)> = Vec::new();
    for f in files {
        let body: Body = f.content.parse().map_err(|e| format!("{}: {e}", f.path))?;
        parsed.push((body, comments(&f.content)));
    }
    let none: Vec<String> = Vec::new();
    let blocks: Vec<(&Block, &Vec<String>)> = parsed
        .iter()
        .flat_map(|(body, notes)| {
            body.blocks()
                .enumerate()
                .map(|(i, b)| (b, notes.get(i).unwrap_or(&none)))
                .collect::<Vec<_>>()
        })
        .collect();
    let random = blocks.iter().any(|(b, _)| b.identifier.as_str() == "ephemeral");
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    out.push_str("\nimport pulumi\nimport pulumi_azure as azure\n");
    if random {
        out.push_str("import pulumi_random as random\n");
    }
    out.push_str("\nconfig = pulumi.Config()\n");
    let note = |out: &mut String, lines: &[String]| {
        for l in lines {
            if l.is_empty() {
                out.push_str("#\n");
            } else {
                let _ = writeln!(out, "# {l}");
            }
        }
    };
    for (b, _) in &blocks {
        if b.identifier.as_str() == "output" {
            if let Some(l) = b.labels.first() {
                names.taken.insert(l.as_str().to_string());
            }
        }
    }
    for (b, lines) in &blocks {
        if b.identifier.as_str() != "variable" {
            continue;
        }
        let name = b.labels.first().map(|l| l.as_str()).unwrap_or_default();
        let var = names.unique(name, "_config");
        out.push('\n');
        note(&mut out, lines);
        if let Some(Expression::String(d)) = attr_of(b, "description") {
            let _ = writeln!(out, "# {d}");
        }
        let _ = writeln!(out, "{var} = {}", py_config_value(name, b, &names)?);
        names.values.insert(format!("var.{name}"), var);
    }
    for (b, lines) in &blocks {
        if b.identifier.as_str() == "locals" {
            out.push('\n');
            note(&mut out, lines);
            for a in b.body.attributes() {
                let var = names.unique(a.key.as_str(), "_local");
                let _ = writeln!(out, "{var} = {}", py(&a.expr, &names)?);
                names.values.insert(format!("local.{}", a.key.as_str()), var);
            }
        }
    }
    for (b, lines) in &blocks {
        if b.identifier.as_str() == "provider" {
            out.push('\n');
            note(&mut out, lines);
            let label = b.labels.first().map(|l| l.as_str()).unwrap_or("azurerm");
            names.kind = "provider".into();
            let fields = py_fields(&b.body, &mut names, 4)?;
            let _ = writeln!(
                out,
                "provider = azure.Provider{}\nopts = pulumi.ResourceOptions(provider=provider)",
                py_call(Some(quote(label)), fields, &[])
            );
        }
    }
    for (b, lines) in &blocks {
        let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
        match (b.identifier.as_str(), labels.as_slice()) {
            ("ephemeral", ["random_password", name]) => {
                // Pulumi has no write-only arguments: the password is a secret in the state,
                // which the stack's secrets provider encrypts.
                let var = names.unique(&format!("{name}_password"), "");
                out.push('\n');
                note(&mut out, lines);
                out.push_str("# Pulumi keeps no write-only values: this is a secret in the state, encrypted by the stack's key.\n");
                names.kind = "random_password".into();
                let fields = py_fields(&b.body, &mut names, 4)?;
                let _ = writeln!(
                    out,
                    "{var} = random.RandomPassword{}",
                    py_call(Some(quote(&name.replace('_', "-"))), fields, &[])
                );
                names
                    .resources
                    .insert(format!("ephemeral.random_password.{name}"), (var, false));
            }
            ("resource", [kind, name]) => {
                let (module, class) = class_of(kind).ok_or_else(|| refuse(format!("the resource type {kind}")))?;
                if attr_of(b, "for_each").is_some() {
                    return Err(refuse(format!("for_each in Python ({kind}.{name})")));
                }
                let var = names.unique(&names.resource_var(kind, name), "");
                let mut options = Vec::new();
                if let Some(deps) = attr_of(b, "depends_on") {
                    let Expression::Array(items) = deps else {
                        return Err(refuse("depends_on that is not a list"));
                    };
                    let mut vars = Vec::new();
                    for i in items {
                        let text = hcl::format::to_string(i).unwrap_or_default();
                        let (var, _) = names
                            .resources
                            .get(&text)
                            .cloned()
                            .ok_or_else(|| refuse(format!("depends_on {text}")))?;
                        vars.push(var);
                    }
                    options.push(format!("depends_on=[{}]", vars.join(", ")));
                }
                let protect = b
                    .body
                    .blocks()
                    .filter(|l| l.identifier.as_str() == "lifecycle")
                    .any(|l| matches!(attr_of(l, "prevent_destroy"), Some(Expression::Bool(true))));
                if protect {
                    options.push("protect=True".into());
                }
                let ignored = ignored_changes(b, names.provider);
                if !ignored.is_empty() {
                    options.push(format!(
                        "ignore_changes=[{}]",
                        ignored.iter().map(|p| quote(p)).collect::<Vec<_>>().join(", ")
                    ));
                }
                names.kind = kind.to_string();
                let opts = if options.is_empty() {
                    "opts=opts".to_string()
                } else {
                    format!(
                        "opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions({}))",
                        options.join(", ")
                    )
                };
                out.push('\n');
                note(&mut out, lines);
                let fields = py_fields(&b.body, &mut names, 4)?;
                let _ = writeln!(
                    out,
                    "{var} = azure.{module}.{class}{}",
                    py_call(Some(quote(&name.replace('_', "-"))), fields, &[opts])
                );
                names.resources.insert(format!("{kind}.{name}"), (var, false));
            }
            ("data", [kind, name]) => {
                let (module, function) = data_of(kind).ok_or_else(|| refuse(format!("the data source {kind}")))?;
                let var = names.unique(&format!("{}_data", names.resource_var(kind, name)), "");
                names.kind = format!("data.{kind}");
                out.push('\n');
                note(&mut out, lines);
                let fields = py_fields(&b.body, &mut names, 4)?;
                let _ = writeln!(
                    out,
                    "{var} = azure.{module}.{}{}",
                    snake(function),
                    py_call(
                        None,
                        fields,
                        &["opts=pulumi.InvokeOutputOptions(provider=provider)".into()]
                    )
                );
                names.data.insert(format!("{kind}.{name}"), var);
            }
            ("output", [name]) => {
                let value = attr_of(b, "value").ok_or_else(|| refuse(format!("output {name} without a value")))?;
                let mut value = py(value, &names)?;
                if matches!(attr_of(b, "sensitive"), Some(Expression::Bool(true))) {
                    value = format!("pulumi.Output.secret({value})");
                }
                out.push('\n');
                if let Some(Expression::String(d)) = attr_of(b, "description") {
                    let _ = writeln!(out, "# {d}");
                }
                let _ = writeln!(out, "pulumi.export({}, {value})", quote(name));
            }
            ("resource" | "data" | "output" | "ephemeral", _) => {
                return Err(refuse(format!("a {} block labelled {labels:?}", b.identifier)))
            }
            ("variable" | "locals" | "provider" | "terraform", _) => {}
            (other, _) => return Err(refuse(format!("a top-level {other} block"))),
        }
    }
    Ok(out)
}

/// Every Terraform stack in `g` (the `*.tf` files of one folder) replaced by the same stack as
/// a Pulumi program in that folder. TypeScript: `index.ts`, `package.json` with exact versions,
/// and a strict `tsconfig.json`; Python (`python`): `__main__.py` and `requirements.txt` with
/// exact versions. Both get `Pulumi.yaml` (with `backend`, the state's URL, for the
/// environment's stack). `name` is the project's; `bootstrap` the folder whose state stays local.
pub fn programs(
    g: &mut super::Generated,
    name: &str,
    backend: &str,
    bootstrap: &str,
    python_program: bool,
) -> Result<(), String> {
    use crate::knowledge::{
        NODE_TYPES_VERSION, PULUMI_AZURE_VERSION, PULUMI_GCP_VERSION, PULUMI_PYTHON_VERSION, PULUMI_RANDOM_VERSION,
        PULUMI_VERSION, TYPESCRIPT_VERSION,
    };
    let mut folders: Vec<String> = Vec::new();
    for a in g.artifacts.iter().filter(|a| a.path.ends_with(".tf")) {
        let dir = a.path.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
        if !folders.contains(&dir) {
            folders.push(dir);
        }
    }
    let mut made = Vec::new();
    for dir in &folders {
        let files: Vec<&Artifact> = g
            .artifacts
            .iter()
            .filter(|a| a.path.ends_with(".tf") && a.path.rsplit_once('/').map(|(d, _)| d) == Some(dir.as_str()))
            .collect();
        let first = files.first().map(|f| f.content.as_str()).unwrap_or("");
        let header: String = first
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| l.trim_start_matches('#').trim_start())
            .collect::<Vec<_>>()
            .join("\n")
            .replace("terraform plan shows", "pulumi preview shows");
        let own = dir == bootstrap;
        let program = if own {
            format!("{name}-bootstrap")
        } else {
            name.to_string()
        };
        let description = if own {
            "The project's shared part, run once by its owner"
        } else {
            "One environment of the app, one stack per environment"
        };
        let purpose = files
            .iter()
            .map(|f| f.purpose.as_str())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        let backend_line = if own {
            String::new()
        } else {
            format!("backend:\n  url: {backend}\n")
        };
        let mut out: Vec<(String, String, String)> = Vec::new();
        if python_program {
            let main = python(&files, &header)?;
            let mut requirements = format!("pulumi=={PULUMI_PYTHON_VERSION}\npulumi-azure=={PULUMI_AZURE_VERSION}\n");
            if main.contains("import pulumi_random") {
                requirements.push_str(&format!("pulumi-random=={PULUMI_RANDOM_VERSION}\n"));
            }
            out.push(("__main__.py".into(), main, purpose));
            out.push((
                "Pulumi.yaml".into(),
                format!(
                    "# Written by Slipway. The Pulumi program of {dir}: __main__.py.\nname: {program}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\ndescription: {description}\n{backend_line}"
                ),
                "the Pulumi project: its runtime and where its state lives".into(),
            ));
            out.push((
                "requirements.txt".into(),
                requirements,
                "the Pulumi packages, at exact versions".into(),
            ));
        } else {
            let index = typescript(&files, &header)?;
            let package = serde_json::json!({
                "name": format!("{program}-infra"),
                "private": true,
                "main": "index.ts",
                "dependencies": {
                    "@pulumi/gcp": PULUMI_GCP_VERSION,
                    "@pulumi/pulumi": PULUMI_VERSION,
                },
                "devDependencies": {
                    "@types/node": NODE_TYPES_VERSION,
                    "typescript": TYPESCRIPT_VERSION,
                },
            });
            let tsconfig = serde_json::json!({
                "compilerOptions": {
                    "strict": true,
                    "target": "es2022",
                    "module": "commonjs",
                    "moduleResolution": "node",
                    "esModuleInterop": true,
                    "skipLibCheck": true,
                    "noEmit": true,
                },
                "files": ["index.ts"],
            });
            let json = |v: &serde_json::Value| format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default());
            out.push(("index.ts".into(), index, purpose));
            out.push((
                "Pulumi.yaml".into(),
                format!(
                    "# Written by Slipway. The Pulumi program of {dir}: index.ts.\nname: {program}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\ndescription: {description}\n{backend_line}"
                ),
                "the Pulumi project: its runtime and where its state lives".into(),
            ));
            out.push((
                "package.json".into(),
                json(&package),
                "the Pulumi packages, at exact versions".into(),
            ));
            out.push((
                "tsconfig.json".into(),
                json(&tsconfig),
                "TypeScript's strict checks for the program".into(),
            ));
        }
        for (file, content, purpose) in out {
            made.push(Artifact {
                path: format!("{dir}/{file}"),
                content,
                purpose,
                step: "cloud".into(),
            });
        }
    }
    // The Terraform model was reviewed as Terraform; the program is the same resources.
    let mut findings = Vec::new();
    for a in g.artifacts.iter().filter(|a| a.path.ends_with(".tf")) {
        findings.extend(super::checks::check_terraform(&a.path, &a.content, &[]));
    }
    g.findings.extend(findings);
    let tf_at = g.artifacts.iter().position(|a| a.path.ends_with(".tf")).unwrap_or(0);
    g.artifacts.retain(|a| !a.path.ends_with(".tf"));
    for (i, a) in made.into_iter().enumerate() {
        g.artifacts.insert((tf_at + i).min(g.artifacts.len()), a);
    }
    Ok(())
}

/// The lines every Pulumi job starts with: the pinned CLI, checked against Pulumi's published
/// checksums, on the PATH, with self-managed state locked while a job holds it.
pub fn cli_setup() -> Vec<String> {
    let v = crate::knowledge::PULUMI_VERSION;
    let tarball = format!("pulumi-v{v}-linux-x64.tar.gz");
    let base = "https://get.pulumi.com/releases/sdk";
    vec![
        "export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_SELF_MANAGED_STATE_LOCKING=1".into(),
        "bin=$(mktemp -d)".into(),
        r#"trap 'rm -rf "$bin"' EXIT"#.into(),
        format!(r#"curl -fsSLo "$bin/{tarball}" {base}/{tarball}"#),
        format!(r#"curl -fsSLo "$bin/SHA256SUMS" {base}/pulumi-{v}-checksums.txt"#),
        format!(r#"(cd "$bin" && grep ' {tarball}$' SHA256SUMS | sha256sum -c -)"#),
        format!(r#"tar -xzf "$bin/{tarball}" -C "$bin""#),
        r#"export PATH="$bin/pulumi:$PATH""#.into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(path: &str, content: &str) -> Artifact {
        Artifact {
            path: path.into(),
            content: content.into(),
            purpose: String::new(),
            step: "cloud".into(),
        }
    }

    #[test]
    fn resources_references_loops_and_options_are_translated() {
        let tf = artifact(
            "infra/gcp/main.tf",
            "# Header.\n\nvariable \"region\" {\n  type    = string\n  default = \"europe-west1\"\n}\n\nlocals {\n  name = \"shop-${var.region}\"\n}\n\nprovider \"google\" {\n  region = var.region\n}\n\n# The APIs.\nresource \"google_project_service\" \"apis\" {\n  for_each = toset([\"run.googleapis.com\"])\n  service  = each.value\n}\n\nresource \"google_storage_bucket\" \"state\" {\n  name     = local.name\n  location = var.region\n\n  versioning {\n    enabled = true\n  }\n\n  lifecycle_rule {\n    action {\n      type = \"Delete\"\n    }\n  }\n\n  lifecycle {\n    prevent_destroy = true\n  }\n\n  depends_on = [google_project_service.apis]\n}\n\noutput \"bucket\" {\n  value = \"gs://${google_storage_bucket.state.name}\"\n}\n",
        );
        let ts = typescript(&[&tf], "Written by Slipway.").unwrap();
        for want in [
            "const region = config.get(\"region\") ?? \"europe-west1\";",
            "const name = `shop-${region}`;",
            "const provider = new gcp.Provider(\"google\", {\n  region: region,\n});",
            "// The APIs.\nconst apisService = [\"run.googleapis.com\"].map(",
            "new gcp.projects.Service(`apis-${item.replace(",
            "service: item,",
            "const stateBucket = new gcp.storage.Bucket(\"state\", {",
            "versioning: {\n    enabled: true,\n  },",
            "lifecycleRules: [{\n    action: {\n      type: \"Delete\",\n    },\n  }],",
            "{ ...opts, dependsOn: [...apisService], protect: true }",
            "export const bucket = pulumi.interpolate`gs://${stateBucket.name}`;",
        ] {
            assert!(ts.contains(want), "{want}\n---\n{ts}");
        }
    }

    #[test]
    fn what_it_cannot_translate_is_refused_by_name() {
        let tf = artifact(
            "x.tf",
            "resource \"google_dns_record_set\" \"a\" {\n  name = \"a\"\n}\n",
        );
        assert!(typescript(&[&tf], "").unwrap_err().contains("google_dns_record_set"));
        let tf = artifact("x.tf", "locals {\n  a = [for x in var.l : x]\n}\n");
        assert!(typescript(&[&tf], "").unwrap_err().contains("for expressions"));
    }
}
