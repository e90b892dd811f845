//! Azure in Terraform: what the deployment spec needs, as plain AzureRM resources.
//!
//! Two stacks, as on the other clouds. `infra/azure/bootstrap/` holds what the project shares
//! and must exist first: the resource groups, the storage account the other stack keeps its
//! state in (the azurerm backend locks it with a blob lease), the container registry, the
//! pipeline's three managed identities (plan, push, deploy), each trusting exactly the GitHub
//! subject its job presents, and each service's own identity per environment, which may pull
//! images and nothing else. `infra/azure/` is one environment: a Container Apps environment on
//! its own subnet with its logs in Log Analytics, a container app per web service with startup,
//! readiness and liveness probes on the health paths, HTTP scaling bounds, secrets read from Key
//! Vault by the app's identity; PostgreSQL Flexible Server on a delegated subnet with a private
//! DNS zone when the code uses it.
//!
//! The database is safe by default: no public access, TLS required, backups kept for the
//! spec's days (7 to 35, Azure's range), geo-redundant when asked, a delete lock and
//! `prevent_destroy`. Its administrator password is write-only: Terraform makes one that is
//! never stored in the state, and a person resets it when they need it (docs/azure.md).

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
pub const DIR: &str = "infra/azure";
/// The folder of the project's shared stack.
pub const BOOTSTRAP: &str = "infra/azure/bootstrap";

const HEADER: &str = "Written by Slipway from the project's deployment spec. Plan before applying:\nterraform plan shows every resource this creates (docs/azure.md says in what order).";

/// Key Vault Secrets User: reads secret values, nothing else. The only role the deploy
/// identity may hand out, and only inside the environment's resource group.
const SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";

/// GitHub's token audience for Azure.
const AUDIENCE: &str = "api://AzureADTokenExchange";

pub(super) fn blk(name: &str) -> BlockBuilder {
    Block::builder(name)
}

/// The Terraform name of a service's resources.
fn rid(svc: &ServiceSpec) -> String {
    name_of(&svc.name).replace('-', "_")
}

/// A subnet of the network, carved by the variable `<name>_subnet_cidr`, handed to `service`,
/// reaching the Azure services `endpoints` names over Azure's own network.
fn delegated_subnet(name: &str, delegation: &str, service: &str, endpoints: &[&str]) -> hcl::Block {
    let mut b = res("azurerm_subnet", name)
        .add_attribute(("name", name))
        .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
        .add_attribute(("virtual_network_name", expr("azurerm_virtual_network.main.name")))
        .add_attribute(("address_prefixes", expr(&format!("[var.{name}_subnet_cidr]"))));
    if !endpoints.is_empty() {
        b = b.add_attribute(("service_endpoints", strs(endpoints.iter().copied())));
    }
    b.add_block(
        blk("delegation")
            .add_attribute(("name", delegation))
            .add_block(
                blk("service_delegation")
                    .add_attribute(("name", service))
                    .add_attribute((
                        "actions",
                        strs(["Microsoft.Network/virtualNetworks/subnets/join/action"]),
                    ))
                    .build(),
            )
            .build(),
    )
    .build()
}

/// The network's security group on subnet `name`.
fn nsg_association(name: &str) -> hcl::Block {
    res("azurerm_subnet_network_security_group_association", name)
        .add_attribute(("subnet_id", expr(&format!("azurerm_subnet.{name}.id"))))
        .add_attribute((
            "network_security_group_id",
            expr("azurerm_network_security_group.main.id"),
        ))
        .build()
}

/// True when a new version waits beside the old one until the pipeline moves requests to it
/// (blue-green or canary): the apps keep several revisions, and the deploy job owns the traffic.
fn revisions(spec: &DeploySpec) -> bool {
    spec.strategy != crate::params::Strategy::Rolling
}

/// Services that answer HTTP: what Container Apps runs here.
fn web(spec: &DeploySpec) -> Vec<&ServiceSpec> {
    spec.services
        .iter()
        .filter(|s| s.kind != "worker" && s.kind != "static" && s.port.is_some())
        .collect()
}

/// The hosts by service, of the services Container Apps runs.
fn exposed(spec: &DeploySpec) -> Vec<(String, String)> {
    let run: Vec<String> = web(spec).iter().map(|s| name_of(&s.name)).collect();
    crate::kube::hosts(spec)
        .into_iter()
        .filter(|(name, _)| run.contains(name))
        .collect()
}

/// The project's name on resources.
pub fn project(spec: &DeploySpec) -> String {
    super::gcp::project(spec)
}

/// The services whose image the environment's stack takes, with their key in `var.images`.
pub fn imaged(spec: &DeploySpec) -> Vec<(String, &ServiceSpec)> {
    web(spec).into_iter().map(|s| (name_of(&s.name), s)).collect()
}

/// The project's name in lower-case letters and digits only, at most `n` of them, for the
/// resources whose names allow nothing else.
fn compact(project: &str, n: usize) -> String {
    project.chars().filter(|c| c.is_ascii_alphanumeric()).take(n).collect()
}

/// The storage account the environment stacks keep their state in (names are global).
pub fn state_account(project: &str, cloud: &CloudSpec) -> String {
    if cloud.iac == "pulumi" {
        format!("{}pulumi", compact(project, 18))
    } else {
        format!("{}tfstate", compact(project, 17))
    }
}

/// The container registry's name (names are global).
pub fn registry_name(project: &str) -> String {
    format!("{}images", compact(project, 44))
}

/// The shared resource group.
pub(super) fn shared_group(project: &str) -> String {
    format!("{project}-shared")
}

/// The Key Vault of an environment: 3 to 24 characters, so both parts are cut when the whole
/// name is longer.
fn vault_name(project: &str, environment: &str) -> String {
    let whole = format!("{project}-{}-kv", name_of(environment));
    if whole.len() <= 24 {
        return whole;
    }
    let p: String = project.chars().take(11).collect();
    let e: String = name_of(environment).chars().take(8).collect();
    format!("{}-{}-kv", p.trim_end_matches('-'), e.trim_end_matches('-'))
}

/// The managed identity a service runs as in an environment.
fn runtime_identity(project: &str, environment: &str, svc: &ServiceSpec) -> String {
    format!("{project}-{environment}-{}", name_of(&svc.name))
}

/// The Key Vault name of a service's secret: letters, digits and hyphens only.
fn secret_name(svc: &ServiceSpec, name: &str) -> String {
    format!("{}-{}", name_of(&svc.name), name.to_ascii_lowercase().replace('_', "-"))
}

/// The Azure stacks for `spec`, or why they cannot be written.
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
            "Slipway cannot put {} on Container Apps yet: it keeps data in {}, and a container app's disk goes with its replica; keep the data in PostgreSQL or Blob Storage, or put it on AWS (EFS) or Kubernetes",
            svc.name,
            svc.data_path.as_deref().unwrap_or("a folder")
        ));
    }
    if web(spec).is_empty() {
        return Err(
            "Slipway cannot put this project on Container Apps: none of its services answers HTTP on a port".into(),
        );
    }
    let mut g = Generated::default();
    let project = project(spec);
    let repo = super::repository_of(remote);
    let postgres = web(spec)
        .iter()
        .any(|s| s.backing_services.iter().any(|b| b == "postgres"));
    for svc in spec.services.iter().filter(|s| s.kind == "static") {
        g.findings.push(not_placed(
            svc,
            format!(
                "{} is a static site: it is left out of {DIR}, since Static Web Apps beside Container Apps is not written yet (a project of static sites alone goes there); Netlify or Vercel serve it today",
                svc.name
            ),
        ));
    }
    for svc in spec
        .services
        .iter()
        .filter(|s| s.kind == "worker" || (s.kind != "static" && s.port.is_none()))
    {
        g.findings.push(not_placed(
            svc,
            format!(
                "{} answers no HTTP port: it is left out of {DIR}, which runs web services; run it as a Container Apps job or on Kubernetes",
                svc.name
            ),
        ));
    }
    for svc in web(spec) {
        for b in &svc.backing_services {
            if matches!(b.as_str(), "mysql" | "mariadb" | "redis" | "mongodb") {
                g.findings.push(not_placed(
                    svc,
                    format!(
                        "{} uses {b}, which {DIR} does not create yet (it writes PostgreSQL Flexible Server): create it and put its URL in the service's Key Vault secret",
                        svc.name
                    ),
                ));
            }
        }
    }
    g.artifacts.push(bootstrap(spec, cloud, &project, repo.as_deref()));
    g.artifacts.extend(stack(spec, cloud, &project, postgres));
    g.cost = estimate(spec, cloud, postgres);
    g.picture = picture(spec, cloud, postgres);
    g.requirements = requirements(spec, cloud, repo.as_deref());
    g.artifacts.push(Artifact {
        path: "docs/azure.md".into(),
        content: runbook(spec, cloud, &project, repo.as_deref(), postgres, &g.cost),
        purpose:
            "the order to apply in, the secrets to fill, the pipeline's identities, backups and restores, the cost"
                .into(),
        step: "cloud".into(),
    });
    Ok(g)
}

fn not_placed(svc: &ServiceSpec, message: String) -> Finding {
    Finding {
        severity: Severity::Warning,
        rule: "cloud/not-placed".into(),
        path: svc.path.clone(),
        line: None,
        message,
    }
}

pub(super) fn azure_provider() -> Block {
    blk("provider")
        .add_label("azurerm")
        .add_attribute(("subscription_id", expr("var.subscription_id")))
        .add_attribute(("storage_use_azuread", true))
        .add_block(
            blk("features")
                .add_block(
                    blk("key_vault")
                        .add_attribute(("purge_soft_delete_on_destroy", false))
                        .build(),
                )
                .add_block(
                    blk("resource_group")
                        .add_attribute(("prevent_deletion_if_contains_resources", true))
                        .build(),
                )
                .build(),
        )
        .build()
}

pub(super) fn subscription_variable() -> Block {
    variable(
        "subscription_id",
        "string",
        "The Azure subscription everything is created in (its id).",
        None,
    )
    .add_block(validation(
        "can(regex(\"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$\", var.subscription_id))",
        "subscription_id must be a subscription's id: a GUID such as 00000000-0000-0000-0000-000000000000.",
    ))
    .build()
}

/// The `location` variable, checked against Azure's regions; `with` says what the message asks
/// of the region (" with Container Apps"), or nothing.
pub(super) fn location_variable(cloud: &CloudSpec, what: &str, with: &str) -> Block {
    let regions: Vec<String> = crate::knowledge::AZURE_REGIONS
        .iter()
        .map(|(r, _, _)| format!("\"{r}\""))
        .collect();
    variable("location", "string", what, Some(st(&cloud.region)))
        .add_block(validation(
            &format!("contains([{}], var.location)", regions.join(", ")),
            &format!("location must be an Azure region{with}, such as westeurope or eastus2."),
        ))
        .build()
}

/// The tool the `managed-by` tag names.
pub(super) fn managed_by(cloud: &CloudSpec) -> &'static str {
    if cloud.iac == "pulumi" {
        "pulumi"
    } else {
        "terraform"
    }
}

/// The role assignment condition that lets the deploy identity grant Key Vault Secrets User
/// and no other role.
fn secrets_user_only() -> String {
    format!(
        "((!(ActionMatches{{'Microsoft.Authorization/roleAssignments/write'}})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{SECRETS_USER}}})) AND ((!(ActionMatches{{'Microsoft.Authorization/roleAssignments/delete'}})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{SECRETS_USER}}}))"
    )
}

/// The storage account and container the environment stacks keep their state in
/// (`var.state_account`), in the resource group `group` names.
pub(super) fn add_state_account(f: &mut HclFile, group: &str) {
    f.commented(
        "The environment stacks' state, locked by a blob lease while a run holds it. Reached with Entra ID\nonly (no account keys), TLS 1.2, never public, versioned, deleted blobs kept 30 days, and never\ndestroyed by an apply.",
        res("azurerm_storage_account", "state")
            .add_attribute(("name", expr("var.state_account")))
            .add_attribute(("resource_group_name", expr(group)))
            .add_attribute(("location", expr("var.location")))
            .add_attribute(("account_tier", "Standard"))
            .add_attribute(("account_replication_type", "GRS"))
            .add_attribute(("min_tls_version", "TLS1_2"))
            .add_attribute(("https_traffic_only_enabled", true))
            .add_attribute(("allow_nested_items_to_be_public", false))
            .add_attribute(("shared_access_key_enabled", false))
            .add_attribute(("default_to_oauth_authentication", true))
            .add_attribute(("infrastructure_encryption_enabled", true))
            .add_attribute(("cross_tenant_replication_enabled", false))
            .add_attribute(("local_user_enabled", false))
            .add_block(
                blk("blob_properties")
                    .add_attribute(("versioning_enabled", true))
                    .add_block(blk("delete_retention_policy").add_attribute(("days", 30)).build())
                    .add_block(
                        blk("container_delete_retention_policy")
                            .add_attribute(("days", 30))
                            .build(),
                    )
                    .build(),
            )
            .add_block(
                blk("sas_policy")
                    .add_attribute(("expiration_period", "0.01:00:00"))
                    .add_attribute(("expiration_action", "Block"))
                    .build(),
            )
            .add_attribute(("tags", expr("local.tags")))
            .add_block(blk("lifecycle").add_attribute(("prevent_destroy", true)).build())
            .build(),
    );
    f.block(
        res("azurerm_storage_container", "state")
            .add_attribute(("name", "tfstate"))
            .add_attribute(("storage_account_id", expr("azurerm_storage_account.state.id")))
            .add_attribute(("container_access_type", "private"))
            .build(),
    );
}

/// The project's shared stack: resource groups, state, registry, identities.
pub(super) fn bootstrap(spec: &DeploySpec, cloud: &CloudSpec, project: &str, repo: Option<&str>) -> Artifact {
    use super::aws::{oidc_subject, push_subject};
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let cluster = cloud.cluster.is_some();
    // Static sites ship files: no registry, no push identity.
    let sites = !cluster && !spec.services.is_empty() && spec.services.iter().all(|s| s.kind == "static");
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe project's shared stack, applied once by a person who owns the subscription, before the\nenvironment's stack: the resource groups, the state's storage account, the container registry, and\nthe identities of the pipeline and of each service. Its own state stays local (terraform.tfstate\nhere); docs/azure.md says how to move it into the storage account."
    ));
    f.block(versions(&[(
        "azurerm",
        "hashicorp/azurerm",
        crate::knowledge::AZURERM_WRITTEN,
    )]));
    f.block(azure_provider());
    f.block(subscription_variable());
    f.block(location_variable(
        cloud,
        "The region the resource groups, the state and the registry are in.",
        if cluster { "" } else { " with Container Apps" },
    ));
    f.block(
        variable(
            "state_account",
            "string",
            "The state's storage account; names are global, so change it here and in ../backend.tf if it is taken.",
            Some(st(state_account(project, cloud))),
        )
        .add_block(validation(
            "can(regex(\"^[a-z0-9]{3,24}$\", var.state_account))",
            "state_account must be 3 to 24 lowercase letters and digits.",
        ))
        .build(),
    );
    if !sites {
        f.block(
            variable(
                "registry",
                "string",
                "The container registry's name; names are global, so change it here and in ../variables.tf if it is taken.",
                Some(st(registry_name(project))),
            )
            .add_block(validation(
                "can(regex(\"^[a-zA-Z0-9]{5,50}$\", var.registry))",
                "registry must be 5 to 50 letters and digits.",
            ))
            .build(),
        );
    }
    f.block(
        blk("locals")
            .add_attribute((
                "tags",
                obj([("project", st(project)), ("managed-by", st(managed_by(cloud)))]),
            ))
            .build(),
    );
    f.commented(
        "Who applies this stack: they may fill the environments' secrets (docs/azure.md).",
        data("azurerm_client_config", "current").build(),
    );
    f.block(
        res("azurerm_resource_group", "shared")
            .add_attribute(("name", shared_group(project)))
            .add_attribute(("location", expr("var.location")))
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    for env in &spec.environments {
        let e = name_of(&env.name).replace('-', "_");
        f.commented(
            format!(
                "{}'s resources; the deploy identity may change what is in it and nothing outside.",
                env.name
            ),
            res("azurerm_resource_group", &e)
                .add_attribute(("name", format!("{project}-{}", env.name)))
                .add_attribute(("location", expr("var.location")))
                .add_attribute(("tags", expr("local.tags")))
                .build(),
        );
    }
    add_state_account(&mut f, "azurerm_resource_group.shared.name");
    if !sites {
        f.commented(
            "The image registry: no admin user, no anonymous pulls; the pipeline pushes through its identity\nand each service pulls through its own.",
            res("azurerm_container_registry", "images")
                .add_attribute(("name", expr("var.registry")))
                .add_attribute(("resource_group_name", expr("azurerm_resource_group.shared.name")))
                .add_attribute(("location", expr("var.location")))
                .add_attribute(("sku", "Standard"))
                .add_attribute(("admin_enabled", false))
                .add_attribute(("anonymous_pull_enabled", false))
                .add_attribute(("tags", expr("local.tags")))
                .build(),
        );
    }
    let subjects = [
        (
            "plan",
            "Plans on pull requests: reads everything, changes nothing but the state's lock.",
            vec![("pull-request".to_string(), oidc_subject(repo, None))],
        ),
        (
            "push",
            "Pushes images from the deploy branch, to the registry only.",
            vec![("push".to_string(), push_subject(repo, &spec.branch))],
        ),
        (
            "deploy",
            "Applies the environment stacks from the deploy environments.",
            spec.environments
                .iter()
                .map(|e| (name_of(&e.name), oidc_subject(repo, Some(&e.name))))
                .collect(),
        ),
    ];
    for (name, why, subs) in subjects.iter().filter(|(n, _, _)| !(sites && *n == "push")) {
        f.commented(
            *why,
            res("azurerm_user_assigned_identity", &format!("ci_{name}"))
                .add_attribute(("name", format!("{project}-ci-{name}")))
                .add_attribute(("resource_group_name", expr("azurerm_resource_group.shared.name")))
                .add_attribute(("location", expr("var.location")))
                .add_attribute(("tags", expr("local.tags")))
                .build(),
        );
        for (label, subject) in subs {
            f.commented(
                "GitHub's OIDC token for exactly this subject signs in as the identity; Azure compares it case by case.",
                res(
                    "azurerm_federated_identity_credential",
                    &format!("ci_{name}_{}", label.replace('-', "_")),
                )
                .add_attribute(("name", format!("github-{label}")))
                .add_attribute((
                    "user_assigned_identity_id",
                    expr(&format!("azurerm_user_assigned_identity.ci_{name}.id")),
                ))
                .add_attribute(("issuer", "https://token.actions.githubusercontent.com"))
                .add_attribute(("audience", strs([AUDIENCE])))
                .add_attribute(("subject", subject.as_str()))
                .build(),
            );
        }
    }
    let mut grants: Vec<(String, &str, String, &str, Option<String>)> = vec![
        (
            "push_images".into(),
            "AcrPush",
            "azurerm_container_registry.images.id".into(),
            "ci_push",
            None,
        ),
        (
            "plan_read".into(),
            "Reader",
            "\"/subscriptions/${var.subscription_id}\"".into(),
            "ci_plan",
            None,
        ),
        (
            "plan_state".into(),
            "Storage Blob Data Contributor",
            "azurerm_storage_container.state.id".into(),
            "ci_plan",
            None,
        ),
        (
            "deploy_state".into(),
            "Storage Blob Data Contributor",
            "azurerm_storage_container.state.id".into(),
            "ci_deploy",
            None,
        ),
        (
            "deploy_read".into(),
            "Reader",
            "azurerm_resource_group.shared.id".into(),
            "ci_deploy",
            None,
        ),
    ];
    for env in &spec.environments {
        let e = name_of(&env.name).replace('-', "_");
        grants.push((
            format!("deploy_{e}"),
            "Contributor",
            format!("azurerm_resource_group.{e}.id"),
            "ci_deploy",
            None,
        ));
        if cluster {
            continue;
        }
        grants.push((
            format!("deploy_{e}_secrets_access"),
            "Role Based Access Control Administrator",
            format!("azurerm_resource_group.{e}.id"),
            "ci_deploy",
            Some(secrets_user_only()),
        ));
    }
    for (label, role, scope, who, condition) in grants.into_iter().filter(|g| !(sites && g.3 == "ci_push")) {
        let mut b = res("azurerm_role_assignment", &label)
            .add_attribute(("scope", expr(&scope)))
            .add_attribute(("role_definition_name", role))
            .add_attribute((
                "principal_id",
                expr(&format!("azurerm_user_assigned_identity.{who}.principal_id")),
            ))
            .add_attribute(("principal_type", "ServicePrincipal"));
        if let Some(c) = condition {
            b = b
                .add_attribute(("condition", c))
                .add_attribute(("condition_version", "2.0"));
        }
        let why = match role {
            "Role Based Access Control Administrator" => {
                Some("The deploy may let a service read its environment's secrets, and grant no other role.")
            }
            "Contributor" => Some("The deploy changes what is in the environment's resource group and nothing else."),
            "Storage Blob Data Contributor" if who == "ci_plan" => {
                Some("Planning takes the state's lease, so it writes the lock.")
            }
            _ => None,
        };
        if let Some(w) = why {
            f.commented(w, b.build());
        } else {
            f.block(b.build());
        }
    }
    if cloud.iac == "pulumi" {
        f.commented(
            "The key Pulumi encrypts the stacks' secrets with (the database's administrator password, for one).",
            res("azurerm_key_vault", "pulumi")
                .add_attribute(("name", pulumi_vault(project)))
                .add_attribute(("resource_group_name", expr("azurerm_resource_group.shared.name")))
                .add_attribute(("location", expr("var.location")))
                .add_attribute(("tenant_id", expr("data.azurerm_client_config.current.tenant_id")))
                .add_attribute(("sku_name", "standard"))
                .add_attribute(("rbac_authorization_enabled", true))
                .add_attribute(("purge_protection_enabled", true))
                .add_attribute(("soft_delete_retention_days", 90))
                .add_attribute(("tags", expr("local.tags")))
                .build(),
        );
        f.commented(
            "Who applies this stack creates the key.",
            res("azurerm_role_assignment", "pulumi_key_officer")
                .add_attribute(("scope", expr("azurerm_key_vault.pulumi.id")))
                .add_attribute(("role_definition_name", "Key Vault Crypto Officer"))
                .add_attribute(("principal_id", expr("data.azurerm_client_config.current.object_id")))
                .build(),
        );
        f.block(
            res("azurerm_key_vault_key", "state")
                .add_attribute(("name", "state"))
                .add_attribute(("key_vault_id", expr("azurerm_key_vault.pulumi.id")))
                .add_attribute(("key_type", "RSA-HSM"))
                .add_attribute(("key_size", 3072))
                .add_attribute(("key_opts", strs(["wrapKey", "unwrapKey", "encrypt", "decrypt"])))
                .add_attribute(("depends_on", expr("[azurerm_role_assignment.pulumi_key_officer]")))
                .add_block(blk("lifecycle").add_attribute(("prevent_destroy", true)).build())
                .build(),
        );
        for who in ["ci_plan", "ci_deploy"] {
            f.block(
                res("azurerm_role_assignment", &format!("{who}_state_key"))
                    .add_attribute(("scope", expr("azurerm_key_vault.pulumi.id")))
                    .add_attribute(("role_definition_name", "Key Vault Crypto User"))
                    .add_attribute((
                        "principal_id",
                        expr(&format!("azurerm_user_assigned_identity.{who}.principal_id")),
                    ))
                    .add_attribute(("principal_type", "ServicePrincipal"))
                    .build(),
            );
        }
    }
    for env in &spec.environments {
        let e = name_of(&env.name).replace('-', "_");
        if !cluster {
            f.commented(
                format!(
                    "Who applies this stack fills {}'s secrets in its Key Vault (docs/azure.md).",
                    env.name
                ),
                res("azurerm_role_assignment", &format!("{e}_secrets_officer"))
                    .add_attribute(("scope", expr(&format!("azurerm_resource_group.{e}.id"))))
                    .add_attribute(("role_definition_name", "Key Vault Secrets Officer"))
                    .add_attribute(("principal_id", expr("data.azurerm_client_config.current.object_id")))
                    .build(),
            );
        }
        if cluster {
            cluster_identities(&mut f, project, &env.name, &e);
        }
        for svc in web(spec).into_iter().filter(|_| !cluster) {
            let r = format!("{e}_{}", rid(svc));
            f.commented(
                format!(
                    "{}'s identity in {}: it pulls images, and the environment's stack lets it read its secrets.",
                    svc.name, env.name
                ),
                res("azurerm_user_assigned_identity", &r)
                    .add_attribute(("name", runtime_identity(project, &env.name, svc)))
                    .add_attribute(("resource_group_name", expr(&format!("azurerm_resource_group.{e}.name"))))
                    .add_attribute(("location", expr("var.location")))
                    .add_attribute(("tags", expr("local.tags")))
                    .build(),
            );
            f.block(
                res("azurerm_role_assignment", &format!("{r}_pull"))
                    .add_attribute(("scope", expr("azurerm_container_registry.images.id")))
                    .add_attribute(("role_definition_name", "AcrPull"))
                    .add_attribute((
                        "principal_id",
                        expr(&format!("azurerm_user_assigned_identity.{r}.principal_id")),
                    ))
                    .add_attribute(("principal_type", "ServicePrincipal"))
                    .build(),
            );
        }
    }
    for (name, value, description) in [
        (
            "state_account",
            "azurerm_storage_account.state.name",
            "The state's storage account (../backend.tf names it).",
        ),
        (
            "registry",
            "azurerm_container_registry.images.login_server",
            "Where the images go; its name is ACR_NAME in GitHub.",
        ),
        (
            "tenant_id",
            "data.azurerm_client_config.current.tenant_id",
            "AZURE_TENANT_ID in GitHub.",
        ),
        (
            "plan_client_id",
            "azurerm_user_assigned_identity.ci_plan.client_id",
            "AZURE_PLAN_CLIENT_ID in GitHub.",
        ),
        (
            "push_client_id",
            "azurerm_user_assigned_identity.ci_push.client_id",
            "AZURE_CLIENT_ID in GitHub (the image jobs push with it).",
        ),
        (
            "deploy_client_id",
            "azurerm_user_assigned_identity.ci_deploy.client_id",
            "AZURE_DEPLOY_CLIENT_ID in GitHub.",
        ),
    ]
    .into_iter()
    .filter(|(n, _, _)| !(sites && (*n == "registry" || *n == "push_client_id")))
    {
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
        "the project's shared stack: resource groups, the state's storage, the registry, the identities",
    )
}

/// The name of an AKS cluster's identity in `environment`: `cluster` (the control plane) or
/// `kubelet` (the nodes, which pull the images).
pub(super) fn cluster_identity(project: &str, environment: &str, which: &str) -> String {
    format!("{project}-{environment}-{which}")
}

/// An AKS cluster's identities in an environment, made by the subscription's owner so the
/// deploy identity never grants a role outside its own rules: the control plane's, which may
/// hand the kubelet identity to the nodes, and the kubelet's, which pulls from the registry.
/// The deploy identity may then use the cluster's API as a writer (never an administrator).
fn cluster_identities(f: &mut HclFile, project: &str, environment: &str, e: &str) {
    for (which, why) in [
        (
            "cluster",
            "The cluster's control plane: it may give the nodes their identity.",
        ),
        (
            "kubelet",
            "The cluster's nodes: they pull images from the registry, and may do nothing else.",
        ),
    ] {
        f.commented(
            format!("{why} ({environment})"),
            res("azurerm_user_assigned_identity", &format!("{e}_{which}"))
                .add_attribute(("name", cluster_identity(project, environment, which)))
                .add_attribute(("resource_group_name", expr(&format!("azurerm_resource_group.{e}.name"))))
                .add_attribute(("location", expr("var.location")))
                .add_attribute(("tags", expr("local.tags")))
                .build(),
        );
    }
    let grant = |label: &str, scope: String, role: &str, principal: String| {
        res("azurerm_role_assignment", label)
            .add_attribute(("scope", expr(&scope)))
            .add_attribute(("role_definition_name", role))
            .add_attribute(("principal_id", expr(&principal)))
            .add_attribute(("principal_type", "ServicePrincipal"))
            .build()
    };
    f.block(grant(
        &format!("{e}_kubelet_operator"),
        format!("azurerm_user_assigned_identity.{e}_kubelet.id"),
        "Managed Identity Operator",
        format!("azurerm_user_assigned_identity.{e}_cluster.principal_id"),
    ));
    f.block(grant(
        &format!("{e}_kubelet_pull"),
        "azurerm_container_registry.images.id".into(),
        "AcrPull",
        format!("azurerm_user_assigned_identity.{e}_kubelet.principal_id"),
    ));
    f.commented(
        "The deploy job signs in to the cluster's API as a writer of its objects: it may not read or change\nroles and bindings, and the cluster has no local accounts to fall back on.",
        grant(
            &format!("{e}_deploy_cluster_user"),
            format!("azurerm_resource_group.{e}.id"),
            "Azure Kubernetes Service Cluster User Role",
            "azurerm_user_assigned_identity.ci_deploy.principal_id".into(),
        ),
    );
    f.block(grant(
        &format!("{e}_deploy_kubernetes"),
        format!("azurerm_resource_group.{e}.id"),
        "Azure Kubernetes Service RBAC Writer",
        "azurerm_user_assigned_identity.ci_deploy.principal_id".into(),
    ));
}

/// The environment's stack.
fn stack(spec: &DeploySpec, cloud: &CloudSpec, project: &str, postgres: bool) -> Vec<Artifact> {
    let mut out = Vec::new();
    let production = spec.production().to_string();
    let mut f = HclFile::new(HEADER);
    let mut required = vec![("azurerm", "hashicorp/azurerm", crate::knowledge::AZURERM_WRITTEN)];
    if postgres {
        required.push(("random", "hashicorp/random", crate::knowledge::RANDOM_PROVIDER));
    }
    f.block(versions(&required));
    out.push(file(
        format!("{DIR}/versions.tf"),
        &f,
        "the Terraform and AzureRM versions it was written for",
    ));
    out.push(backend(cloud, project, &production));
    let mut f = HclFile::new(HEADER);
    f.block(azure_provider());
    f.block(super::tf::environment_locals("tags", false, managed_by(cloud)));
    f.commented(
        "The environment's resource group, made by the bootstrap stack.",
        data("azurerm_resource_group", "env")
            .add_attribute(("name", expr("local.name")))
            .build(),
    );
    f.block(data("azurerm_client_config", "current").build());
    out.push(file(
        format!("{DIR}/providers.tf"),
        &f,
        "the AzureRM provider, the tags on every resource, and the names",
    ));
    out.push(variables(spec, cloud, project, postgres));
    out.push(network(postgres));
    out.push(apps(spec, cloud));
    if postgres {
        out.push(database(cloud));
    }
    out.push(outputs(spec, postgres));
    out
}

/// backend.tf of the environment's stack: the state in the bootstrap's storage account, one
/// blob per environment.
pub(super) fn backend(cloud: &CloudSpec, project: &str, production: &str) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe state lives in the storage account the bootstrap stack creates, one blob per environment (the\npipeline passes -backend-config=\"key={project}/<environment>.tfstate\"); a blob lease locks it.\nThe backend signs in with Entra ID: the account has no keys to leak."
    ));
    f.block(
        blk("terraform")
            .add_block(
                blk("backend")
                    .add_label("azurerm")
                    .add_attribute(("resource_group_name", shared_group(project)))
                    .add_attribute(("storage_account_name", state_account(project, cloud)))
                    .add_attribute(("container_name", "tfstate"))
                    .add_attribute(("key", format!("{project}/{production}.tfstate")))
                    .add_attribute(("use_azuread_auth", true))
                    .build(),
            )
            .build(),
    );
    file(
        format!("{DIR}/backend.tf"),
        &f,
        "remote state in Blob Storage, locked by a lease, one blob per environment",
    )
}

fn variables(spec: &DeploySpec, cloud: &CloudSpec, project: &str, postgres: bool) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nEvery value that differs between environments or projects is a variable with its type, a\ndescription and the checks Azure would otherwise make only halfway through an apply."
    ));
    f.block(subscription_variable());
    for b in super::tf::project_and_environment(project, spec) {
        f.block(b);
    }
    f.block(location_variable(
        cloud,
        "The region everything is created in.",
        " with Container Apps",
    ));
    f.block(
        variable(
            "registry_server",
            "string",
            "The registry the bootstrap stack made (its registry output); each service pulls from it with its own identity.",
            Some(st(format!("{}.azurecr.io", registry_name(project)))),
        )
        .build(),
    );
    f.block(
        variable(
            "key_vaults",
            "map(string)",
            "Each environment's Key Vault name (3 to 24 characters, global).",
            Some(obj(spec
                .environments
                .iter()
                .map(|e| (e.name.clone(), st(vault_name(project, &e.name)))))),
        )
        .add_block(validation(
            "alltrue([for v in values(var.key_vaults) : can(regex(\"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$\", v))])",
            "Each Key Vault name must be 3 to 24 letters, digits and hyphens, starting with a letter.",
        ))
        .build(),
    );
    f.block(
        variable(
            "images",
            "map(string)",
            "The image each service runs, by service, pinned by digest (registry/name@sha256:...): the pipeline sets it to what it tested.",
            None,
        )
        .add_block(validation(
            "alltrue([for image in values(var.images) : can(regex(\"@sha256:[a-f0-9]{64}$\", image))])",
            "Each image must be pinned by digest (registry/name@sha256:...), so Container Apps runs exactly what was tested.",
        ))
        .build(),
    );
    f.block(
        variable(
            "settings",
            "map(map(string))",
            "Settings that are not secret, by service: { api = { LOG_LEVEL = \"info\" } }. Secrets go in Key Vault (docs/azure.md).",
            Some(obj::<&str>([])),
        )
        .build(),
    );
    let cpu = f64::from(cloud.task_cpu) / 1024.0;
    f.block(
        variable(
            "cpu",
            "number",
            "vCPUs per replica, a quarter to four in quarters.",
            Some(Expression::from(cpu)),
        )
        .add_block(validation(
            "var.cpu >= 0.25 && var.cpu <= 4 && floor(var.cpu * 4) == var.cpu * 4",
            "cpu must be 0.25 to 4 in steps of 0.25.",
        ))
        .build(),
    );
    f.block(
        variable(
            "memory",
            "string",
            "Memory per replica: twice the vCPUs in GiB on the Consumption profile.",
            Some(st(format!("{}Gi", gib(cloud.task_memory)))),
        )
        .add_block(validation(
            "can(regex(\"^[0-9.]+Gi$\", var.memory))",
            "memory must be a size such as 0.5Gi or 1Gi.",
        ))
        .build(),
    );
    f.block(
        variable(
            "min_replicas",
            "number",
            "Fewest replicas per service, kept warm: no request waits for a cold start.",
            Some(Expression::from(spec.scaling.min_replicas.max(1))),
        )
        .add_block(validation("var.min_replicas >= 0", "min_replicas must be 0 or more."))
        .build(),
    );
    f.block(
        variable(
            "max_replicas",
            "number",
            "Most replicas per service; it also caps what a flood of requests can cost.",
            Some(Expression::from(
                spec.scaling.max_replicas.max(spec.scaling.min_replicas.max(1)),
            )),
        )
        .add_block(validation(
            "var.max_replicas >= var.min_replicas && var.max_replicas >= 1 && var.max_replicas <= 1000",
            "max_replicas must be 1 to 1000 and at least min_replicas.",
        ))
        .build(),
    );
    f.block(
        variable(
            "concurrency",
            "number",
            "Requests one replica serves at once before Container Apps starts another.",
            Some(Expression::from(50)),
        )
        .add_block(validation("var.concurrency >= 1", "concurrency must be 1 or more."))
        .build(),
    );
    f.block(
        variable(
            "log_days",
            "number",
            "Days Log Analytics keeps the logs.",
            Some(Expression::from(cloud.log_days)),
        )
        .add_block(validation(
            "var.log_days >= 30 && var.log_days <= 730",
            "log_days must be from 30 to 730.",
        ))
        .build(),
    );
    let (net, apps, db) = subnets(&cloud.vpc_cidr);
    for (name, default, what) in [
        ("vnet_cidr", net, "The virtual network's range."),
        (
            "apps_subnet_cidr",
            apps,
            "The Container Apps environment's subnet (a /27 at least).",
        ),
        ("db_subnet_cidr", db, "The database's subnet, delegated to PostgreSQL."),
    ] {
        f.block(
            variable(name, "string", what, Some(st(default)))
                .add_block(validation(
                    &format!("can(cidrhost(var.{name}, 0))"),
                    &format!("{name} must be an IPv4 range such as 10.0.0.0/24."),
                ))
                .build(),
        );
    }
    if postgres {
        f.block(
            variable(
                "db_sku",
                "string",
                "The database server's size (B_ burstable, GP_ general purpose, MO_ memory optimised).",
                Some(st(&cloud.db_class)),
            )
            .add_block(validation(
                "can(regex(\"^(B|GP|MO)_Standard_[A-Za-z0-9_]+$\", var.db_sku))",
                "db_sku must be a Flexible Server size such as GP_Standard_D2ds_v5.",
            ))
            .build(),
        );
        f.block(
            variable(
                "db_storage_mb",
                "number",
                "The database's storage, MiB; it grows by itself.",
                Some(Expression::from(cloud.db_storage_gb * 1024)),
            )
            .add_block(validation(
                &format!(
                    "contains([{}], var.db_storage_mb)",
                    crate::knowledge::AZURE_PG_STORAGE_GB
                        .iter()
                        .map(|g| (g * 1024).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "db_storage_mb must be a Flexible Server size: 32768, 65536, 131072 ... 33554432.",
            ))
            .build(),
        );
        f.block(
            variable(
                "backup_days",
                "number",
                "Days of backups; point-in-time recovery reaches back as far.",
                Some(Expression::from(cloud.backup_days)),
            )
            .add_block(validation(
                "var.backup_days >= 7 && var.backup_days <= 35",
                "backup_days must be from 7 to 35: Flexible Server keeps backups for no fewer and no more days.",
            ))
            .build(),
        );
        f.block(
            variable(
                "geo_backups",
                "bool",
                "Backups also kept in the region Azure pairs with this one, so a lost region loses no data.",
                Some(Expression::Bool(cloud.backup_region.is_some())),
            )
            .build(),
        );
        f.block(
            variable(
                "db_password_version",
                "number",
                "Raise it by one to give the database's administrator a new password (it is never stored).",
                Some(Expression::from(1)),
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

/// MiB as GiB for Container Apps' memory, without a needless fraction.
fn gib(mib: u32) -> String {
    let g = f64::from(mib) / 1024.0;
    if g.fract() == 0.0 {
        format!("{g:.0}")
    } else {
        format!("{g}")
    }
}

/// The network, the apps' subnet and the database's, carved from the spec's range: the first
/// /24 (or the whole range when it is smaller) for the apps, the next for the database.
fn subnets(cidr: &str) -> (String, String, String) {
    let (ip, prefix) = cidr.split_once('/').unwrap_or(("10.0.0.0", "16"));
    let prefix: u32 = prefix.parse().unwrap_or(16);
    let octets: Vec<u32> = ip.split('.').filter_map(|o| o.parse().ok()).collect();
    let base = octets.iter().fold(0u32, |a, o| (a << 8) | o) & (u32::MAX << (32 - prefix.clamp(1, 32)));
    let show = |n: u32| format!("{}.{}.{}.{}", n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255);
    let size = if prefix <= 23 { 24 } else { prefix + 1 };
    let step = 1u32 << (32 - size);
    (
        format!("{}/{prefix}", show(base)),
        format!("{}/{size}", show(base)),
        format!("{}/{size}", show(base + step)),
    )
}

fn network(postgres: bool) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe private network: the Container Apps environment on its own subnet, the database on another\ndelegated to it, neither reachable from outside but through the apps' ingress. The logs go to\nLog Analytics."
    ));
    f.commented(
        "Every container's output and the environment's system logs, kept var.log_days.",
        res("azurerm_log_analytics_workspace", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
            .add_attribute(("location", expr("var.location")))
            .add_attribute(("sku", "PerGB2018"))
            .add_attribute(("retention_in_days", expr("var.log_days")))
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    f.block(
        res("azurerm_virtual_network", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
            .add_attribute(("location", expr("var.location")))
            .add_attribute(("address_space", expr("[var.vnet_cidr]")))
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    f.block(delegated_subnet(
        "apps",
        "container-apps",
        "Microsoft.App/environments",
        &[],
    ));
    f.commented(
        "Azure's default rules only: traffic within the network, nothing in from the internet but what\nthe apps' ingress admits.",
        res("azurerm_network_security_group", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
            .add_attribute(("location", expr("var.location")))
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    f.block(nsg_association("apps"));
    if postgres {
        f.block(delegated_subnet(
            "db",
            "postgres",
            "Microsoft.DBforPostgreSQL/flexibleServers",
            &["Microsoft.Storage"],
        ));
        f.block(nsg_association("db"));
        f.commented(
            "The database's name resolves to its private address inside the network only.",
            res("azurerm_private_dns_zone", "db")
                .add_attribute(("name", expr("\"${local.name}.private.postgres.database.azure.com\"")))
                .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
                .add_attribute(("tags", expr("local.tags")))
                .build(),
        );
        f.block(
            res("azurerm_private_dns_zone_virtual_network_link", "db")
                .add_attribute(("name", expr("local.name")))
                .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
                .add_attribute(("private_dns_zone_name", expr("azurerm_private_dns_zone.db.name")))
                .add_attribute(("virtual_network_id", expr("azurerm_virtual_network.main.id")))
                .add_attribute(("registration_enabled", false))
                .add_attribute(("tags", expr("local.tags")))
                .build(),
        );
    }
    file(
        format!("{DIR}/network.tf"),
        &f,
        "the private network, its subnets and the logs' workspace",
    )
}

fn apps(spec: &DeploySpec, cloud: &CloudSpec) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nThe services on Container Apps, each running as its own identity that pulls its image and reads\nits own secrets from Key Vault. A new revision takes requests only once its startup and readiness\nprobes pass; until then the running one keeps serving."
    ));
    f.commented(
        "The environment's secrets, by Entra ID roles only; deleted secrets are kept 90 days and cannot be\npurged before, so a mistake or an attacker cannot destroy them.",
        res("azurerm_key_vault", "main")
            .add_attribute(("name", expr("var.key_vaults[var.environment]")))
            .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
            .add_attribute(("location", expr("var.location")))
            .add_attribute(("tenant_id", expr("data.azurerm_client_config.current.tenant_id")))
            .add_attribute(("sku_name", "standard"))
            .add_attribute(("rbac_authorization_enabled", true))
            .add_attribute(("purge_protection_enabled", true))
            .add_attribute(("soft_delete_retention_days", 90))
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    f.block(
        res("azurerm_container_app_environment", "main")
            .add_attribute(("name", expr("local.name")))
            .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
            .add_attribute(("location", expr("var.location")))
            .add_attribute((
                "log_analytics_workspace_id",
                expr("azurerm_log_analytics_workspace.main.id"),
            ))
            .add_attribute(("infrastructure_subnet_id", expr("azurerm_subnet.apps.id")))
            .add_attribute(("zone_redundancy_enabled", cloud.multi_az))
            .add_block(
                blk("workload_profile")
                    .add_attribute(("name", "Consumption"))
                    .add_attribute(("workload_profile_type", "Consumption"))
                    .build(),
            )
            .add_attribute(("tags", expr("local.tags")))
            .build(),
    );
    for svc in web(spec) {
        let id = name_of(&svc.name);
        let r = rid(svc);
        f.commented(
            format!("{}'s identity, made by the bootstrap stack.", svc.name),
            data("azurerm_user_assigned_identity", &r)
                .add_attribute(("name", expr(&format!("\"${{local.name}}-{id}\""))))
                .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
                .build(),
        );
        let secrets: Vec<&crate::spec::EnvSpec> = svc.env.iter().filter(|e| e.secret).collect();
        if !secrets.is_empty() {
            f.commented(
                format!("{} reads the environment's secrets, and may change none.", svc.name),
                res("azurerm_role_assignment", &format!("{r}_secrets"))
                    .add_attribute(("scope", expr("azurerm_key_vault.main.id")))
                    .add_attribute(("role_definition_name", "Key Vault Secrets User"))
                    .add_attribute((
                        "principal_id",
                        expr(&format!("data.azurerm_user_assigned_identity.{r}.principal_id")),
                    ))
                    .add_attribute(("principal_type", "ServicePrincipal"))
                    .build(),
            );
        }
        let port = svc.port.unwrap_or(8080);
        let mut container = blk("container")
            .add_attribute(("name", id.as_str()))
            .add_attribute(("image", expr(&format!("var.images[\"{id}\"]"))))
            .add_attribute(("cpu", expr("var.cpu")))
            .add_attribute(("memory", expr("var.memory")));
        for e in &secrets {
            container = container.add_block(
                blk("env")
                    .add_attribute(("name", e.name.as_str()))
                    .add_attribute(("secret_name", secret_name(svc, &e.name)))
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
        let start_path = svc.readiness_path.as_ref().or(svc.health_path.as_ref());
        let budget = crate::kube::startup_budget(svc).min(240);
        let probe = |kind: &str, path: Option<&String>, interval: u32, failures: u32| {
            let mut p = blk(kind)
                .add_attribute(("transport", if path.is_some() { "HTTP" } else { "TCP" }))
                .add_attribute(("port", port));
            if let Some(path) = path {
                p = p.add_attribute(("path", path.as_str()));
            }
            p.add_attribute(("interval_seconds", interval))
                .add_attribute(("timeout", 3))
                .add_attribute(("failure_count_threshold", failures))
                .build()
        };
        container = container.add_block(probe(
            "startup_probe",
            start_path,
            5,
            u32::try_from(budget / 5).unwrap_or(1).clamp(1, 240),
        ));
        container = container.add_block(probe("readiness_probe", start_path, 10, 3));
        if let Some(p) = &svc.health_path {
            container = container.add_block(probe("liveness_probe", Some(p), 15, 3));
        }
        let template = blk("template")
            .add_attribute(("min_replicas", expr("var.min_replicas")))
            .add_attribute(("max_replicas", expr("var.max_replicas")))
            .add_block(
                blk("http_scale_rule")
                    .add_attribute(("name", "requests"))
                    .add_attribute(("concurrent_requests", expr("tostring(var.concurrency)")))
                    .build(),
            )
            .add_block(container.build());
        let mut app = res("azurerm_container_app", &r)
            .add_attribute(("name", expr(&format!("\"${{local.name}}-{id}\""))))
            .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
            .add_attribute((
                "container_app_environment_id",
                expr("azurerm_container_app_environment.main.id"),
            ))
            .add_attribute(("revision_mode", if revisions(spec) { "Multiple" } else { "Single" }))
            .add_attribute(("workload_profile_name", "Consumption"))
            .add_block(
                blk("identity")
                    .add_attribute(("type", "UserAssigned"))
                    .add_attribute((
                        "identity_ids",
                        expr(&format!("[data.azurerm_user_assigned_identity.{r}.id]")),
                    ))
                    .build(),
            )
            .add_block(
                blk("registry")
                    .add_attribute(("server", expr("var.registry_server")))
                    .add_attribute(("identity", expr(&format!("data.azurerm_user_assigned_identity.{r}.id"))))
                    .build(),
            );
        for e in &secrets {
            app = app.add_block(
                blk("secret")
                    .add_attribute(("name", secret_name(svc, &e.name)))
                    .add_attribute((
                        "key_vault_secret_id",
                        expr(&format!(
                            "\"${{azurerm_key_vault.main.vault_uri}}secrets/{}\"",
                            secret_name(svc, &e.name)
                        )),
                    ))
                    .add_attribute(("identity", expr(&format!("data.azurerm_user_assigned_identity.{r}.id"))))
                    .build(),
            );
        }
        app = app
            .add_block(
                blk("ingress")
                    .add_attribute(("external_enabled", true))
                    .add_attribute(("target_port", port))
                    .add_attribute(("transport", "auto"))
                    .add_attribute(("allow_insecure_connections", false))
                    .add_block(
                        blk("traffic_weight")
                            .add_attribute(("latest_revision", true))
                            .add_attribute(("percentage", 100))
                            .build(),
                    )
                    .build(),
            )
            .add_block(template.build())
            .add_attribute(("tags", expr("local.tags")));
        if revisions(spec) {
            // After the first apply the deploy job moves requests between revisions; an apply
            // must not send them all back to the latest one.
            app = app.add_block(
                blk("lifecycle")
                    .add_attribute(("ignore_changes", expr("[ingress[0].traffic_weight]")))
                    .build(),
            );
        }
        if !secrets.is_empty() {
            app = app.add_attribute(("depends_on", expr(&format!("[azurerm_role_assignment.{r}_secrets]"))));
        }
        f.commented(
            format!(
                "{}: HTTPS only on its own address{}; {}",
                svc.name,
                if exposed(spec).iter().any(|(n, _)| *n == id) {
                    " and its host (docs/azure.md binds the certificate)"
                } else {
                    ""
                },
                match spec.strategy {
                    crate::params::Strategy::Rolling => "the latest revision takes all requests once it is ready.",
                    crate::params::Strategy::BlueGreen =>
                        "a new revision starts beside the serving one with no requests, and the deploy job\nswitches them over once it answers on its own label (blue-green).",
                    crate::params::Strategy::Canary =>
                        "a new revision starts beside the serving one, and the deploy job gives it a tenth,\nthen half, then all of the requests while it stays healthy (canary).",
                }
            ),
            app.build(),
        );
    }
    file(
        format!("{DIR}/apps.tf"),
        &f,
        "each service on Container Apps with its identity, secrets, probes and scaling",
    )
}

fn database(cloud: &CloudSpec) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nPostgreSQL Flexible Server: on its delegated subnet with no public access, TLS required, backups\nfor var.backup_days days with point-in-time recovery over all of them, a standby in another zone\nwhen the spec asks for one, a delete lock. The administrator's password is write-only: it is made\nhere, given to Azure and stored nowhere, not even in the state; docs/azure.md says how a person\nsets their own and makes the app's user."
    ));
    f.block(
        Block::builder("ephemeral")
            .add_label("random_password")
            .add_label("db_admin")
            .add_attribute(("length", 32))
            .add_attribute(("special", false))
            .build(),
    );
    let mut server = res("azurerm_postgresql_flexible_server", "main")
        .add_attribute(("name", expr("local.name")))
        .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
        .add_attribute(("location", expr("var.location")))
        .add_attribute(("version", crate::knowledge::AZURE_POSTGRES_VERSION))
        .add_attribute(("sku_name", expr("var.db_sku")))
        .add_attribute(("storage_mb", expr("var.db_storage_mb")))
        .add_attribute(("auto_grow_enabled", true))
        .add_attribute(("backup_retention_days", expr("var.backup_days")))
        .add_attribute(("geo_redundant_backup_enabled", expr("var.geo_backups")))
        .add_attribute(("delegated_subnet_id", expr("azurerm_subnet.db.id")))
        .add_attribute(("private_dns_zone_id", expr("azurerm_private_dns_zone.db.id")))
        .add_attribute(("public_network_access_enabled", false))
        .add_attribute(("administrator_login", "pgadmin"))
        .add_attribute((
            "administrator_password_wo",
            expr("ephemeral.random_password.db_admin.result"),
        ))
        .add_attribute(("administrator_password_wo_version", expr("var.db_password_version")))
        .add_attribute(("zone", "1"));
    if cloud.multi_az {
        server = server.add_block(
            blk("high_availability")
                .add_attribute(("mode", "ZoneRedundant"))
                .add_attribute(("standby_availability_zone", "2"))
                .build(),
        );
    }
    f.commented(
        "The app's database server. Its zone and its standby's are fixed, so an apply never moves them.",
        server
            .add_block(
                blk("authentication")
                    .add_attribute(("password_auth_enabled", true))
                    .add_attribute(("active_directory_auth_enabled", true))
                    .add_attribute(("tenant_id", expr("data.azurerm_client_config.current.tenant_id")))
                    .build(),
            )
            .add_block(
                blk("maintenance_window")
                    .add_attribute(("day_of_week", 0))
                    .add_attribute(("start_hour", 4))
                    .add_attribute(("start_minute", 0))
                    .build(),
            )
            .add_attribute(("tags", expr("local.tags")))
            .add_attribute(("depends_on", expr("[azurerm_private_dns_zone_virtual_network_link.db]")))
            .add_block(blk("lifecycle").add_attribute(("prevent_destroy", true)).build())
            .build(),
    );
    f.block(
        res("azurerm_postgresql_flexible_server_database", "app")
            .add_attribute(("name", "app"))
            .add_attribute(("server_id", expr("azurerm_postgresql_flexible_server.main.id")))
            .add_attribute(("charset", "UTF8"))
            .add_attribute(("collation", "en_US.utf8"))
            .build(),
    );
    for (label, name, value) in [
        ("tls", "require_secure_transport", "on"),
        ("log_checkpoints", "log_checkpoints", "on"),
        ("log_connections", "log_connections", "on"),
        ("log_disconnections", "log_disconnections", "on"),
        ("connection_throttling", "connection_throttle.enable", "on"),
    ] {
        f.block(
            res("azurerm_postgresql_flexible_server_configuration", label)
                .add_attribute(("name", name))
                .add_attribute(("server_id", expr("azurerm_postgresql_flexible_server.main.id")))
                .add_attribute(("value", value))
                .build(),
        );
    }
    f.commented(
        "Nobody deletes the server, the pipeline included, until a person removes this lock.",
        res("azurerm_management_lock", "db")
            .add_attribute(("name", "keep-the-database"))
            .add_attribute(("scope", expr("azurerm_postgresql_flexible_server.main.id")))
            .add_attribute(("lock_level", "CanNotDelete"))
            .add_attribute((
                "notes",
                "The app's data: remove this lock on purpose, never by an apply.",
            ))
            .build(),
    );
    file(
        format!("{DIR}/database.tf"),
        &f,
        "PostgreSQL Flexible Server: private, TLS only, backed up, locked against deletion",
    )
}

fn outputs(spec: &DeploySpec, postgres: bool) -> Artifact {
    let mut f = HclFile::new(HEADER);
    let mut outs: Vec<(String, String, String)> = Vec::new();
    if let Some(svc) = web(spec).first() {
        outs.push((
            "url".into(),
            format!("\"https://${{azurerm_container_app.{}.ingress[0].fqdn}}\"", rid(svc)),
            "Where the app answers.".into(),
        ));
    }
    outs.push((
        "resource_group".into(),
        "data.azurerm_resource_group.env.name".into(),
        "The environment's resource group.".into(),
    ));
    for svc in web(spec) {
        let r = rid(svc);
        outs.push((
            format!("{r}_app"),
            format!("azurerm_container_app.{r}.name"),
            format!("{}'s container app.", svc.name),
        ));
        outs.push((
            format!("{r}_fqdn"),
            format!("azurerm_container_app.{r}.ingress[0].fqdn"),
            format!("{}'s own address; a host's CNAME points here.", svc.name),
        ));
    }
    outs.push((
        "key_vault".into(),
        "azurerm_key_vault.main.name".into(),
        "The Key Vault the services' secrets go in.".into(),
    ));
    outs.push((
        "images".into(),
        "var.images".into(),
        "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone.".into(),
    ));
    if postgres {
        outs.push((
            "postgres_server".into(),
            "azurerm_postgresql_flexible_server.main.name".into(),
            "The database server's name, for az postgres and the restore in docs/azure.md.".into(),
        ));
        outs.push((
            "postgres_host".into(),
            "azurerm_postgresql_flexible_server.main.fqdn".into(),
            "The database's private host name, for the app's connection URL (port 5432).".into(),
        ));
    }
    for (name, value, description) in outs {
        f.block(
            blk("output")
                .add_label(&name)
                .add_attribute(("description", description))
                .add_attribute(("value", expr(&value)))
                .build(),
        );
    }
    file(
        format!("{DIR}/outputs.tf"),
        &f,
        "what the pipeline and the runbook read after an apply",
    )
}

fn estimate(spec: &DeploySpec, cloud: &CloudSpec, postgres: bool) -> Estimate {
    use cost::azure::*;
    let mut e = Estimate::default();
    let min = spec.scaling.min_replicas.max(1);
    let cpus = f64::from(cloud.task_cpu) / 1024.0;
    let gib = f64::from(cloud.task_memory) / 1024.0;
    for svc in web(spec) {
        e.add(
            format!("Container Apps {}", name_of(&svc.name)),
            format!("{min} idle replica(s) of {cpus} vCPU and {gib} GiB; active time and requests beyond the free grant counted as 0"),
            f64::from(min) * (cpus * APPS_IDLE_VCPU_SECOND + gib * APPS_GIB_SECOND) * cost::gcp::SECONDS,
        );
    }
    if postgres {
        let ha = if cloud.multi_az { 2.0 } else { 1.0 };
        match pg_hour(&cloud.db_class) {
            Some(h) => e.add(
                format!("PostgreSQL Flexible Server {}", cloud.db_class),
                if cloud.multi_az {
                    "730 hours, with a zone-redundant standby"
                } else {
                    "730 hours"
                },
                h * cost::HOURS * ha,
            ),
            None => e.unpriced.push(format!("the Flexible Server size {}", cloud.db_class)),
        }
        e.add(
            "PostgreSQL storage",
            format!(
                "{} GiB{}",
                cloud.db_storage_gb,
                if cloud.multi_az { ", twice with the standby" } else { "" }
            ),
            f64::from(cloud.db_storage_gb) * PG_STORAGE_GB_MONTH * ha,
        );
        if cloud.backup_region.is_some() {
            e.add(
                "PostgreSQL geo-redundant backups",
                format!("{} GiB in the paired region", cloud.db_storage_gb),
                f64::from(cloud.db_storage_gb) * PG_GEO_BACKUP_GB_MONTH,
            );
        }
    }
    e.add("Container Registry", "Standard tier", ACR_STANDARD_DAY * 30.4);
    e.add("Key Vault", "a few thousand secret reads", 0.03);
    e.add("Log Analytics", "1 GB of logs", LOGS_GB);
    e
}

fn picture(spec: &DeploySpec, cloud: &CloudSpec, postgres: bool) -> Vec<CloudNode> {
    let mut out = Vec::new();
    for (_, h) in exposed(spec) {
        out.push(CloudNode {
            kind: "DNS".into(),
            name: h,
            detail: "CNAME to the app's address, managed certificate bound after".into(),
        });
    }
    out.push(CloudNode {
        kind: "Ingress".into(),
        name: "HTTPS 443".into(),
        detail: "Container Apps' own, HTTP refused, on the environment's subnet".into(),
    });
    for svc in web(spec) {
        out.push(CloudNode {
            kind: "Container app".into(),
            name: name_of(&svc.name),
            detail: format!(
                "{} to {} replicas ({} vCPU, {} GiB), 50 requests each{}",
                spec.scaling.min_replicas.max(1),
                spec.scaling.max_replicas.max(spec.scaling.min_replicas.max(1)),
                f64::from(cloud.task_cpu) / 1024.0,
                gib(cloud.task_memory),
                match spec.strategy {
                    crate::params::Strategy::Rolling => "",
                    crate::params::Strategy::BlueGreen => "; blue-green between revisions",
                    crate::params::Strategy::Canary => "; canary between revisions: 10%, 50%, all",
                }
            ),
        });
    }
    if postgres {
        out.push(CloudNode {
            kind: "PostgreSQL (Flexible Server)".into(),
            name: cloud.db_class.clone(),
            detail: format!(
                "{}{} days of backups, point-in-time recovery{}",
                if cloud.multi_az {
                    "standby in another zone, "
                } else {
                    ""
                },
                cloud.backup_days,
                if cloud.backup_region.is_some() {
                    ", geo-redundant"
                } else {
                    ""
                }
            ),
        });
    }
    out
}

fn requirements(spec: &DeploySpec, cloud: &CloudSpec, repo: Option<&str>) -> Vec<Requirement> {
    use super::aws::{oidc_subject, push_subject};
    let mut out = Vec::new();
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let project = project(spec);
    for svc in web(spec) {
        for e in svc.env.iter().filter(|e| e.secret) {
            out.push(Requirement {
                name: e.name.clone(),
                secret: true,
                place: format!(
                    "Azure Key Vault {} secret {} ({})",
                    vault_name(&project, spec.production()),
                    secret_name(svc, &e.name),
                    cloud.region
                ),
                why: format!(
                    "{} reads it through its identity; a person adds its value (docs/azure.md)",
                    svc.name
                ),
            });
        }
    }
    for (name, why) in [
        (
            "AZURE_PLAN_CLIENT_ID",
            format!(
                "the bootstrap stack's plan_client_id; the plan job presents the subject {}",
                oidc_subject(repo, None)
            ),
        ),
        (
            "AZURE_CLIENT_ID",
            format!(
                "the bootstrap stack's push_client_id; the image jobs push with it and present {}",
                push_subject(repo, &spec.branch)
            ),
        ),
        (
            "AZURE_DEPLOY_CLIENT_ID",
            format!(
                "the bootstrap stack's deploy_client_id; a deploy job presents {}",
                spec.environments
                    .iter()
                    .map(|e| oidc_subject(repo, Some(&e.name)))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ),
        ("AZURE_TENANT_ID", "the bootstrap stack's tenant_id".into()),
        (
            "AZURE_SUBSCRIPTION_ID",
            "the subscription everything is created in".into(),
        ),
        ("ACR_NAME", format!("the registry's name, {}", registry_name(&project))),
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
    postgres: bool,
    estimate: &Estimate,
) -> String {
    use super::aws::{oidc_subject, push_subject};
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let production = spec.production();
    let region = &cloud.region;
    let pulumi = cloud.iac == "pulumi";
    let account = state_account(project, cloud);
    let output = if pulumi {
        "pulumi stack output"
    } else {
        "terraform output"
    };
    let vault = vault_name(project, production);
    let mut out = format!(
        "# {project} on Azure\n\nWritten by Slipway from the project's deployment spec: {} in `{DIR}/`, for the region\n{region}. Nothing here holds a secret, a password or a client secret.\n\n",
        if pulumi { "a Pulumi program in Python" } else { "Terraform" }
    );
    out.push_str("## What runs\n\n");
    for n in picture(spec, cloud, postgres) {
        out.push_str(&format!("- **{}** {}: {}\n", n.kind, n.name, n.detail));
    }
    out.push_str("\n## Before the first apply\n\n");
    out.push_str(&if pulumi {
        format!("1. A person who owns the subscription runs the shared program once, with its state on their disk:\n\n   ```sh\n   cd {BOOTSTRAP} && python3 -m venv venv && venv/bin/pip install -r requirements.txt\n   pulumi login --local\n   pulumi stack init bootstrap\n   pulumi config set subscription_id SUBSCRIPTION_ID\n   pulumi up\n   ```\n\n   It creates the resource groups, the state's storage account `{account}` (names are global: if it\n   is taken, change `state_account` there and the backend URL in `{DIR}/Pulumi.yaml`), the key that\n   encrypts the stacks' secrets, the registry, and the managed identities.\n")
    } else {
        format!("1. A person who owns the subscription applies the shared stack once:\n\n   ```sh\n   az login\n   terraform -chdir={BOOTSTRAP} init\n   terraform -chdir={BOOTSTRAP} apply -var subscription_id=SUBSCRIPTION_ID\n   ```\n\n   It creates the resource groups, the state's storage account `{account}` (names are global: if it\n   is taken, change `state_account` there and `storage_account_name` in `{DIR}/backend.tf`), the\n   registry `{}`, and the managed identities of the pipeline and of each service. Its state stays in\n   `{BOOTSTRAP}/terraform.tfstate`: keep it safe, or move it into the account with a `backend \"azurerm\"`\n   block and `terraform init -migrate-state`.\n", registry_name(project))
    });
    out.push_str(&format!(
        "2. In GitHub, set the repository variables `AZURE_SUBSCRIPTION_ID`, `AZURE_TENANT_ID`, `ACR_NAME`\n   (`{}`), and `AZURE_PLAN_CLIENT_ID`, `AZURE_CLIENT_ID` (push) and `AZURE_DEPLOY_CLIENT_ID` to the\n   bootstrap stack's outputs. Each identity trusts exactly one kind of job: `{}` (plans on pull\n   requests), `{}` (pushes images) and {} (deploys). Azure compares subjects case by case, and a job in\n   an environment presents the environment's subject, not the branch's.\n",
        registry_name(project),
        oidc_subject(repo, None),
        push_subject(repo, &spec.branch),
        spec.environments
            .iter()
            .map(|e| format!("`{}`", oidc_subject(repo, Some(&e.name))))
            .collect::<Vec<_>>()
            .join(" and ")
    ));
    let secrets: Vec<(&ServiceSpec, String)> = web(spec)
        .iter()
        .flat_map(|svc| svc.env.iter().filter(|e| e.secret).map(move |e| (*svc, e.name.clone())))
        .collect();
    if !secrets.is_empty() {
        out.push_str("3. Put each secret's value in the environment's Key Vault before its first deploy (a revision\n   whose secret is missing does not start). The bootstrap made you Key Vault Secrets Officer there:\n\n   ```sh\n");
        for (svc, name) in &secrets {
            out.push_str(&format!(
                "   az keyvault secret set --vault-name {vault} --name {} --file /dev/stdin <<< \"$VALUE\"   # {name}\n",
                secret_name(svc, name)
            ));
        }
        out.push_str("   ```\n");
    }
    if postgres {
        out.push_str(&format!(
            "\nThe database's administrator password was made at apply time and stored nowhere. To make the app's\nuser, set a password of your own for the administrator, connect from inside the network (a container\napp console or a VM on it), and create the user:\n\n```sh\naz postgres flexible-server update -g {project}-{production} -n {project}-{production} --admin-password \"$(openssl rand -base64 24)\"\npsql \"host=$({output} -raw postgres_host) user=pgadmin dbname=app sslmode=require\" \\\n  -c \"create role app login password '...'; grant all on database app to app;\"\n```\n\nThen the app's `DATABASE_URL` secret is `postgresql://app:PASSWORD@HOST:5432/app?sslmode=require`.\n"
        ));
    }
    let exposed = exposed(spec);
    if !exposed.is_empty() {
        out.push_str(&format!(
            "\n## The host\n\nPoint {} at the app's address (`{output} <service>_fqdn`, a CNAME), add the TXT record `asuid.<host>`\nwith the environment's verification id, then bind a free managed certificate:\n\n```sh\naz containerapp hostname add -g {project}-{production} -n APP --hostname HOST\naz containerapp hostname bind -g {project}-{production} -n APP --hostname HOST --environment {project}-{production} --validation-method CNAME\n```\n",
            exposed.iter().map(|(_, h)| format!("`{h}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    let pipeline = if spec.ci == crate::params::CiSystem::Github {
        format!(
            "The pipeline Slipway writes for GitHub Actions (`.github/workflows/ci-cd.yml`) does this: a pull\nrequest's `Plan the Azure infrastructure` job writes the plan of {production} into its summary, with\nthe images that run now; after the merge, `Deploy to Azure` applies the stack with the digests the\nimage jobs pushed and fails when a service's latest revision is not running and healthy. State\nleases are waited for ten minutes, never broken.\n\n"
        )
    } else {
        format!(
            "The pipeline builds and pushes the images; on {} it does not apply this stack yet.\n\n",
            spec.ci.label()
        )
    };
    let switch = match spec.strategy {
        crate::params::Strategy::Rolling => format!(
            "A new revision takes requests only once its probes pass; one that never does leaves the previous\nrevision serving. To roll back, apply again with the previous digests (`{output} images` lists what\nruns), or at once with `az containerapp revision list` and\n`az containerapp ingress traffic set -g {project}-{production} -n APP --revision-weight PREVIOUS=100`\n(with the app's revision mode set to multiple), then apply the old digests.\n"
        ),
        strategy => format!(
            "The apps keep several revisions (revision mode multiple), and after the first apply the deploy job,\nnot the stack, decides which revision gets the requests. Before each apply it pins every request to\nthe revision serving now, so the new one starts beside it with none. {}\nThe old revision is then deactivated. To roll back at once:\n\n```sh\naz containerapp revision list -g {project}-{production} -n APP -o table\naz containerapp revision activate -g {project}-{production} -n APP --revision PREVIOUS\naz containerapp ingress traffic set -g {project}-{production} -n APP --revision-weight PREVIOUS=100\n```\n\nthen apply the old digests (`{output} images` lists what runs) so the stack agrees.\n",
            if strategy == crate::params::Strategy::Canary {
                format!(
                    "Once it is healthy the job labels it `canary`, calls its readiness\npath on the label's own address, then gives it a tenth of the requests, then half, {} minutes each,\nthen all; when it turns unhealthy or a replica restarts, every request goes back to the old revision\nand the job fails (canary).",
                    CANARY_PAUSE / 60
                )
            } else {
                "Once it is healthy the job labels it `green` and calls its\nreadiness path on the label's own address (`https://APP---green.<environment domain>`); only when that\nanswers does every request move to it at once (blue-green).".to_string()
            }
        ),
    };
    out.push_str(&format!("\n## Apply, watch, roll back\n\n{pipeline}{switch}"));
    out.push_str("\n## Backups and recovery\n\n");
    if postgres {
        out.push_str(&format!(
            "- **PostgreSQL**: Azure backs the server up by itself and keeps {} days; point-in-time recovery\n  reaches any second of them (RPO about five minutes). A delete lock and `prevent_destroy` keep it from\n  being deleted.{}\n\nRestore to a point in time into a new server, check it answers, then point the app at it:\n\n```sh\naz postgres flexible-server restore -g {project}-{production} --name {project}-{production}-restore \\\n  --source-server {project}-{production} --restore-time 2026-01-01T12:00:00Z\npsql \"host={project}-{production}-restore.{project}-{production}.private.postgres.database.azure.com user=pgadmin dbname=app sslmode=require\" -c 'select 1'\n```\n\nThen update the `DATABASE_URL` secret and restart the revision. Practise this once a quarter.\n",
            cloud.backup_days,
            if cloud.backup_region.is_some() {
                " Backups are also kept in the region Azure pairs with this one (geo-redundant)."
            } else {
                ""
            }
        ));
        let rto_need = if cloud.multi_az { 2 } else { 60 };
        out.push_str(&format!(
            "\nObjectives: recovery point {rpo} minutes, recovery time {rto} minutes. Point-in-time recovery loses at\nmost about five minutes, which {rpo_word} the recovery point; {az}, which {rto_word} the recovery time.\n",
            rpo = cloud.rpo_minutes,
            rto = cloud.rto_minutes,
            rpo_word = if cloud.rpo_minutes >= 5 { "meets" } else { "does not meet" },
            az = if cloud.multi_az {
                "a lost zone fails over to the standby in a minute or two"
            } else {
                "with no standby, a lost zone means a restore, about an hour plus the data size"
            },
            rto_word = if cloud.rto_minutes >= rto_need { "meets" } else { "does not meet" },
        ));
    } else {
        out.push_str("Nothing here keeps data: the services are stateless, and a lost region is a new apply.\n");
    }
    out.push_str("\n## Cost\n\n");
    out.push_str(&estimate.markdown(
        "Pay-as-you-go list prices in East US, checked on {date}; other regions differ. Container Apps' active\ntime and requests beyond the monthly free grant, and logs beyond a gigabyte, are counted at the\nsmall amounts shown, so this is the floor of an idle service.",
    ));
    out
}

/// The lines every job starts with. Terraform: the pinned binary and the backend's key for
/// `environment`. Pulumi: the pinned CLI, the program's packages in a virtual environment, the
/// state in the storage account (locked while a job holds it), the environment's stack with its
/// secrets encrypted by the bootstrap's key. Both sign in with GitHub's OIDC token (ARM_*).
pub(super) fn setup(spec: &DeploySpec, cloud: &CloudSpec, environment: &str) -> Vec<String> {
    let project = project(spec);
    if cloud.iac != "pulumi" {
        let mut c = super::tf::setup(DIR, &format!("key={project}/{environment}.tfstate"));
        c.insert(0, r#"export TF_VAR_subscription_id="$ARM_SUBSCRIPTION_ID""#.into());
        return c;
    }
    let mut c = super::pulumi::cli_setup();
    c.extend([
        format!("cd {DIR}"),
        "python3 -m venv venv".into(),
        "venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt".into(),
        format!("export AZURE_STORAGE_ACCOUNT={}", state_account(&project, cloud)),
        format!("pulumi login \"azblob://tfstate/{project}\""),
        format!(
            "pulumi stack select --create {environment} --secrets-provider \"azurekeyvault://{}.vault.azure.net/keys/state\"",
            pulumi_vault(&project)
        ),
        r#"pulumi config set subscription_id "$ARM_SUBSCRIPTION_ID""#.into(),
        format!("pulumi config set environment {environment}"),
    ]);
    c
}

/// The Key Vault that holds the key Pulumi encrypts the stacks' secrets with.
fn pulumi_vault(project: &str) -> String {
    format!("{}-pulumi", compact(project, 17))
}

/// The images (`$images`, a JSON object by service) handed to the stack, then the plan or
/// preview written into the job's summary.
fn plan(cloud: &CloudSpec, environment: &str) -> Vec<String> {
    if cloud.iac == "pulumi" {
        vec![
            r#"while read -r key value; do pulumi config set --path "images.$key" "$value"; done < <(jq -r 'to_entries[] | "\(.key) \(.value)"' <<< "$images")"#.into(),
            "pulumi preview --diff --non-interactive --color never > preview.txt 2>&1 || { cat preview.txt; exit 1; }".into(),
            format!(
                r####"{{ echo "### Pulumi preview: {environment}"; echo; echo '```'; tail -c 900000 preview.txt; echo '```'; }} >> "$GITHUB_STEP_SUMMARY""####
            ),
        ]
    } else {
        let mut c = vec![format!(
            r#"jq -n --argjson images "$images" --arg environment {environment} '{{environment: $environment, images: $images}}' > {DIR}/ci.auto.tfvars.json"#
        )];
        c.extend(plan_to_summary(environment));
        c
    }
}

fn output(cloud: &CloudSpec, name: &str, json: bool) -> String {
    match (cloud.iac == "pulumi", json) {
        (true, true) => format!("pulumi stack output {name} --json 2>/dev/null"),
        (true, false) => format!("pulumi stack output {name}"),
        (false, true) => format!("tf output -json {name} 2>/dev/null"),
        (false, false) => format!("tf output -raw {name}"),
    }
}

/// The shell lines of the plan job on pull requests: production planned with the images it runs
/// now; before the first deploy an all-zero digest stands in.
pub fn plan_commands(spec: &DeploySpec) -> Vec<String> {
    let Some(cloud) = &spec.cloud else { return Vec::new() };
    let production = spec.production();
    let mut c = setup(spec, cloud, production);
    c.push(format!("images=$({}) || images='{{}}'", output(cloud, "images", true)));
    let args: Vec<String> = imaged(spec)
        .iter()
        .map(|(key, svc)| format!(r#"--arg {key} "${{{},,}}@sha256:$zero""#, image_var(svc)))
        .collect();
    c.push(format!(
        r#"if [ "$images" = "{{}}" ]; then zero=$(printf '%064d' 0); images=$(jq -cn {} '$ARGS.named'); fi"#,
        args.join(" ")
    ));
    c.extend(plan(cloud, production));
    c
}

/// The shell lines of the deploy to `environment`: the stack applied with the tested images by
/// digest, after the plan the summary shows; then each app's latest revision must be the one
/// running and healthy (Container Apps keeps the old one serving when the new one never starts).
pub fn apply_commands(spec: &DeploySpec, environment: &str) -> Vec<String> {
    let Some(cloud) = &spec.cloud else { return Vec::new() };
    let mut c = setup(spec, cloud, environment);
    let args: Vec<String> = imaged(spec)
        .iter()
        .map(|(key, svc)| format!(r#"--arg {key} "${}""#, image_var(svc)))
        .collect();
    c.push(format!(
        "current=$({}) || current='{{}}'",
        output(cloud, "images", true)
    ));
    c.push(format!(
        r#"images=$(jq -cn --argjson current "$current" {} '$current + ($ARGS.named | with_entries(select(.value != "@")))')"#,
        args.join(" ")
    ));
    c.extend(plan(cloud, environment));
    let project = project(spec);
    if revisions(spec) {
        // Pin the requests to the revision serving now, so the one the apply makes waits
        // beside it with none (the stack ignores traffic after the first apply).
        for svc in web(spec) {
            c.push(format!(
                r#"old_{r}=$(az containerapp show -g {project}-{environment} -n {project}-{environment}-{id} --query properties.latestReadyRevisionName -o tsv 2>/dev/null || true)"#,
                r = rid(svc),
                id = name_of(&svc.name),
            ));
            c.push(format!(
                r#"if [ -n "$old_{r}" ]; then az containerapp ingress traffic set -g {project}-{environment} -n {project}-{environment}-{id} --revision-weight "$old_{r}=100" -o none; fi"#,
                r = rid(svc),
                id = name_of(&svc.name),
            ));
        }
    }
    c.push(if cloud.iac == "pulumi" {
        "pulumi up --yes --non-interactive --skip-preview --color never".into()
    } else {
        "tf apply -input=false -lock-timeout=10m plan.bin".into()
    });
    if revisions(spec) {
        c.push(shift_traffic(spec.strategy));
    }
    c.push(format!("group=$({})", output(cloud, "resource_group", false)));
    for svc in web(spec) {
        let r = rid(svc);
        c.push(format!("app=$({})", output(cloud, &format!("{r}_app"), false)));
        c.push(
            r#"latest=$(az containerapp show -g "$group" -n "$app" --query properties.latestRevisionName -o tsv)"#
                .into(),
        );
        c.push(
            r#"ready=$(az containerapp show -g "$group" -n "$app" --query properties.latestReadyRevisionName -o tsv)"#
                .into(),
        );
        c.push(format!(
            r#"if [ -z "$ready" ] || [ "$ready" != "$latest" ]; then echo "::error::Container Apps kept {name} on $ready: its new revision $latest never passed its probes (docs/azure.md)"; exit 1; fi"#,
            name = svc.name
        ));
        if revisions(spec) {
            let path = svc
                .readiness_path
                .as_deref()
                .or(svc.health_path.as_deref())
                .unwrap_or("/");
            c.push(format!(r#"shift_traffic "$group" "$app" "$old_{r}" "$latest" {path}"#));
        }
    }
    c
}

/// How long each share of a canary runs before the next, in seconds.
pub const CANARY_PAUSE: u32 = 300;

/// The shell function that moves an app's requests from its old revision to the new one.
/// Both first call the new revision's readiness path on its own label address, with no request
/// of a user on it yet; blue-green then switches all at once; a canary gives it a tenth, then
/// half, each for [`CANARY_PAUSE`] seconds, and goes back to the old one when the new one turns
/// unhealthy or restarts. The old revision is deactivated
/// once the new one has everything, so a rollback is `activate` and `traffic set`.
fn shift_traffic(strategy: crate::params::Strategy) -> String {
    let canary = strategy == crate::params::Strategy::Canary;
    let label = if canary { "canary" } else { "green" };
    let shift = if canary {
        format!(
            r#"
  for weight in 10 50; do
    az containerapp ingress traffic set -g "$group" -n "$app" --revision-weight "$old=$((100 - weight))" "$new=$weight" -o none
    sleep {CANARY_PAUSE}
    health=$(az containerapp revision show -g "$group" -n "$app" --revision "$new" --query properties.healthState -o tsv)
    restarts=$(az containerapp replica list -g "$group" -n "$app" --revision "$new" --query "sum([].properties.containers[].restartCount)" -o tsv)
    if [ "$health" != Healthy ] || [ "${{restarts:-0}}" -gt 0 ]; then
      az containerapp ingress traffic set -g "$group" -n "$app" --revision-weight "$old=100" -o none
      echo "::error::$app's canary $new turned $health with $restarts restarts at $weight%; every request is back on $old (docs/azure.md)"
      exit 1
    fi
  done"#
        )
    } else {
        String::new()
    };
    format!(
        r#"shift_traffic() {{
  local group=$1 app=$2 old=$3 new=$4 path=$5 fqdn
  if [ -z "$old" ] || [ "$old" = "$new" ]; then return 0; fi
  az containerapp revision label add -g "$group" -n "$app" --label {label} --revision "$new" --no-prompt -o none
  fqdn=$(az containerapp show -g "$group" -n "$app" --query properties.configuration.ingress.fqdn -o tsv)
  if ! curl -fsS --retry 6 --retry-delay 5 --retry-all-errors -o /dev/null "https://$app---{label}.${{fqdn#*.}}$path"; then
    echo "::error::$app's new revision $new does not answer $path on its {label} label; every request stays on $old (docs/azure.md)"
    exit 1
  fi{shift}
  az containerapp ingress traffic set -g "$group" -n "$app" --revision-weight "$new=100" -o none
  az containerapp revision deactivate -g "$group" -n "$app" --revision "$old" -o none
  echo "$app: every request on $new; $old deactivated"
}}"#
    )
}

/// The environment variable that carries `svc`'s image into the pipeline's Terraform jobs.
pub fn image_var(svc: &ServiceSpec) -> String {
    super::aws::image_var(svc)
}

#[cfg(test)]
mod tests {
    #[test]
    fn subnets_are_carved_from_the_range() {
        assert_eq!(
            super::subnets("10.0.0.0/16"),
            ("10.0.0.0/16".into(), "10.0.0.0/24".into(), "10.0.1.0/24".into())
        );
        assert_eq!(
            super::subnets("172.16.8.0/22"),
            ("172.16.8.0/22".into(), "172.16.8.0/24".into(), "172.16.9.0/24".into())
        );
        assert_eq!(
            super::subnets("192.168.4.0/24"),
            (
                "192.168.4.0/24".into(),
                "192.168.4.0/25".into(),
                "192.168.4.128/25".into()
            )
        );
    }

    #[test]
    fn names_fit_azure_limits() {
        let v = super::vault_name("a-very-long-project-name", "production-eu");
        assert!(v.len() <= 24 && v.ends_with("-kv"), "{v}");
        assert!(!v.contains("--"), "{v}");
        // A name that fits is kept whole.
        assert_eq!(super::vault_name("shop", "production"), "shop-production-kv");
        let cloud = crate::spec::CloudSpec {
            provider: "azure".into(),
            iac: "terraform".into(),
            region: "westeurope".into(),
            task_cpu: 512,
            task_memory: 1024,
            db_class: "GP_Standard_D2ds_v5".into(),
            db_storage_gb: 32,
            backup_days: 14,
            multi_az: true,
            vpc_cidr: "10.0.0.0/16".into(),
            rpo_minutes: 15,
            rto_minutes: 60,
            backup_region: None,
            log_days: 30,
            language: "python".into(),
            server: None,
            cluster: None,
        };
        let a = super::state_account("a-very-long-project-name-x", &cloud);
        assert!(a.len() <= 24 && a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
    }
}
