//! Static sites on Azure: Azure Static Web Apps, which serves the built files from Azure's
//! global edge with HTTPS and a managed certificate.
//!
//! A project whose every service is a static site gets no registry, network or container:
//! `infra/azure/` holds the bootstrap (state, the pipeline's plan and deploy identities; no
//! registry, nothing is an image) and, per site, a Static Web App on the Standard plan with
//! preview environments off, its host's DNS record in the existing zone and the custom domain
//! validated by it. Each site's `staticwebapp.config.json` (beside its sources) adds the
//! security headers, caches the hashed assets for a year, and sends the browser's routes to
//! `index.html` (a single-page app) or answers a missing page with `404.html`.
//!
//! The pipeline builds each site before anything changes, applies the stack, then fetches the
//! app's deployment token with its own short-lived Azure credentials (the token never sits in a
//! secret store), uploads the files with the Static Web Apps CLI and calls the site.

use super::cost::Estimate;
use super::site::{from_source, hashed_dirs, output_dir, rid, sites, slug, WEB_FILES};
use super::tf::{data, file, res, st, validation, variable, versions};
use super::{CloudNode, Generated};
use crate::generate::Artifact;
use crate::kube::{hosts, name_of};
use crate::pipeline::Requirement;
use crate::spec::{CloudSpec, DeploySpec, ServiceSpec};
use crate::write::hcl::{expr, HclFile};

const DIR: &str = "infra/azure";
const HEADER: &str = "Written by Slipway from the project's deployment spec. Plan before applying:\nterraform plan shows every resource this creates (docs/azure.md says in what order).";

/// The regions Static Web Apps keeps its apps' settings in (the files are served from every
/// edge location whatever the region).
const REGIONS: &[&str] = &["centralus", "eastasia", "eastus2", "westeurope", "westus2"];

/// The Static Web Apps region nearest the spec's region.
fn region_of(cloud: &CloudSpec) -> &'static str {
    let r = cloud.region.as_str();
    if let Some(same) = REGIONS.iter().find(|x| **x == r) {
        return same;
    }
    if [
        "europe",
        "uk",
        "france",
        "germany",
        "norway",
        "sweden",
        "switzerland",
        "poland",
        "italy",
        "spain",
    ]
    .iter()
    .any(|w| r.contains(w))
    {
        "westeurope"
    } else if ["asia", "japan", "korea", "india", "australia", "singapore"]
        .iter()
        .any(|w| r.contains(w))
    {
        "eastasia"
    } else if r.starts_with("west") {
        "westus2"
    } else {
        "eastus2"
    }
}

/// The Standard plan's price per app and month, with 100 GB of bandwidth included.
pub const STANDARD_MONTH: f64 = 9.0;

/// The Azure stacks for a project of static sites.
pub fn generate(spec: &DeploySpec, cloud: &CloudSpec, remote: Option<&str>) -> Result<Generated, String> {
    let project = super::azure::project(spec);
    let repo = super::repository_of(remote);
    let production = spec.production().to_string();
    let mut g = Generated::default();
    g.artifacts
        .push(super::azure::bootstrap(spec, cloud, &project, repo.as_deref()));
    let mut f = HclFile::new(HEADER);
    f.block(versions(&[(
        "azurerm",
        "hashicorp/azurerm",
        crate::knowledge::AZURERM_WRITTEN,
    )]));
    g.artifacts.push(file(
        format!("{DIR}/versions.tf"),
        &f,
        "the Terraform and AzureRM versions it was written for",
    ));
    g.artifacts.push(super::azure::backend(cloud, &project, &production));
    g.artifacts.push(providers());
    g.artifacts.push(variables(spec, cloud, &project));
    g.artifacts.push(site_file(spec));
    g.artifacts.push(outputs(spec));
    for svc in sites(spec) {
        g.artifacts.push(config(svc));
    }
    g.cost = estimate(spec);
    g.picture = picture(spec);
    g.requirements = requirements(spec, repo.as_deref());
    g.artifacts.push(Artifact {
        path: "docs/azure.md".into(),
        content: runbook(spec, cloud, &project, repo.as_deref(), &g.cost),
        purpose: "the order to apply in, the pipeline's identities, the custom domain, the cost".into(),
        step: "cloud".into(),
    });
    Ok(g)
}

fn providers() -> Artifact {
    let mut f = HclFile::new(HEADER);
    f.block(super::azure::azure_provider());
    f.block(super::tf::environment_locals("tags", false, "terraform"));
    f.commented(
        "The environment's resource group, made by the bootstrap stack.",
        data("azurerm_resource_group", "env")
            .add_attribute(("name", expr("local.name")))
            .build(),
    );
    file(
        format!("{DIR}/providers.tf"),
        &f,
        "the AzureRM provider, the tags on every resource, the names and the environment's group",
    )
}

fn variables(spec: &DeploySpec, cloud: &CloudSpec, project: &str) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nEvery value that differs between environments or projects is a variable with its type, a\ndescription and the checks Azure would otherwise make only halfway through an apply."
    ));
    for b in super::tf::project_and_environment(project, spec) {
        f.block(b);
    }
    f.block(super::azure::subscription_variable());
    f.block(
        variable(
            "site_region",
            "string",
            "The region Static Web Apps keeps the sites' settings in; the files are served from every edge location.",
            Some(st(region_of(cloud))),
        )
        .add_block(validation(
            &format!(
                "contains([{}], var.site_region)",
                REGIONS
                    .iter()
                    .map(|r| format!("\"{r}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &format!(
                "site_region must be a region Static Web Apps runs in: {}.",
                REGIONS.join(", ")
            ),
        ))
        .build(),
    );
    if !my_hosts(spec).is_empty() {
        f.block(
            variable(
                "dns_zone_group",
                "string",
                "The resource group of the Azure DNS zone the hosts are in (the zone exists already).",
                None,
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

/// The sites' hosts, each with its site.
fn my_hosts(spec: &DeploySpec) -> Vec<(&ServiceSpec, String)> {
    let all = hosts(spec);
    sites(spec)
        .into_iter()
        .filter_map(|s| {
            all.iter()
                .find(|(n, _)| *n == name_of(&s.name))
                .map(|(_, h)| (s, h.clone()))
        })
        .collect()
}

/// `(zone, record name)` of a host: `api` in `example.com`, or `@` for the zone's apex.
fn zone_and_name(host: &str) -> (String, String) {
    let zone = super::aws::zone_of(host);
    let name = host
        .strip_suffix(&format!(".{zone}"))
        .map(str::to_string)
        .unwrap_or_else(|| "@".into());
    (zone, name)
}

fn site_file(spec: &DeploySpec) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nEach site: a Static Web App on the Standard plan (custom domains with managed certificates, an\nSLA), with preview environments off so a pull request never publishes a copy. Its files come\nfrom the pipeline's upload; its headers and routes from staticwebapp.config.json beside its sources."
    ));
    let mut zones: Vec<String> = my_hosts(spec).iter().map(|(_, h)| zone_and_name(h).0).collect();
    zones.sort();
    zones.dedup();
    for z in &zones {
        f.commented(
            format!("The DNS zone {z}, which exists already."),
            data("azurerm_dns_zone", &zone_id(z))
                .add_attribute(("name", z.as_str()))
                .add_attribute(("resource_group_name", expr("var.dns_zone_group")))
                .build(),
        );
    }
    for svc in sites(spec) {
        let r = rid(spec, svc);
        f.commented(
            format!("{}'s files, served from Azure's edge.", svc.name),
            res("azurerm_static_web_app", &r)
                .add_attribute(("name", expr(&format!("\"${{local.name}}-{}\"", slug(spec, svc)))))
                .add_attribute(("resource_group_name", expr("data.azurerm_resource_group.env.name")))
                .add_attribute(("location", expr("var.site_region")))
                .add_attribute(("sku_tier", "Standard"))
                .add_attribute(("sku_size", "Standard"))
                .add_attribute(("preview_environments_enabled", false))
                .add_attribute(("public_network_access_enabled", true))
                .add_attribute(("tags", expr("local.tags")))
                .build(),
        );
        let Some((_, host)) = my_hosts(spec).into_iter().find(|(s, _)| s.name == svc.name) else {
            continue;
        };
        let (zone, name) = zone_and_name(&host);
        let z = zone_id(&zone);
        if name == "@" {
            // The apex takes no CNAME: a TXT token proves the domain, an alias record serves it.
            f.commented(
                format!(
                    "{host} is the zone's apex: a TXT token proves it is yours, an alias record points it at the app."
                ),
                res("azurerm_static_web_app_custom_domain", &r)
                    .add_attribute(("static_web_app_id", expr(&format!("azurerm_static_web_app.{r}.id"))))
                    .add_attribute(("domain_name", host.as_str()))
                    .add_attribute(("validation_type", "dns-txt-token"))
                    .build(),
            );
            f.block(
                res("azurerm_dns_txt_record", &format!("{r}_validation"))
                    .add_attribute(("name", "@"))
                    .add_attribute(("zone_name", expr(&format!("data.azurerm_dns_zone.{z}.name"))))
                    .add_attribute(("resource_group_name", expr("var.dns_zone_group")))
                    .add_attribute(("ttl", 300))
                    .add_block(
                        hcl::Block::builder("record")
                            .add_attribute((
                                "value",
                                expr(&format!("azurerm_static_web_app_custom_domain.{r}.validation_token")),
                            ))
                            .build(),
                    )
                    .build(),
            );
            f.block(
                res("azurerm_dns_a_record", &r)
                    .add_attribute(("name", "@"))
                    .add_attribute(("zone_name", expr(&format!("data.azurerm_dns_zone.{z}.name"))))
                    .add_attribute(("resource_group_name", expr("var.dns_zone_group")))
                    .add_attribute(("ttl", 300))
                    .add_attribute(("target_resource_id", expr(&format!("azurerm_static_web_app.{r}.id"))))
                    .build(),
            );
        } else {
            f.commented(
                format!("{host} points at the app; the record itself proves the domain is yours."),
                res("azurerm_dns_cname_record", &r)
                    .add_attribute(("name", name.as_str()))
                    .add_attribute(("zone_name", expr(&format!("data.azurerm_dns_zone.{z}.name"))))
                    .add_attribute(("resource_group_name", expr("var.dns_zone_group")))
                    .add_attribute(("ttl", 300))
                    .add_attribute(("record", expr(&format!("azurerm_static_web_app.{r}.default_host_name"))))
                    .build(),
            );
            f.block(
                res("azurerm_static_web_app_custom_domain", &r)
                    .add_attribute(("static_web_app_id", expr(&format!("azurerm_static_web_app.{r}.id"))))
                    .add_attribute(("domain_name", host.as_str()))
                    .add_attribute(("validation_type", "cname-delegation"))
                    .add_attribute(("depends_on", expr(&format!("[azurerm_dns_cname_record.{r}]"))))
                    .build(),
            );
        }
    }
    file(
        format!("{DIR}/site.tf"),
        &f,
        "each site's Static Web App, and its host's record and custom domain",
    )
}

fn zone_id(zone: &str) -> String {
    name_of(zone).replace(['-', '.'], "_")
}

fn outputs(spec: &DeploySpec) -> Artifact {
    let mut f = HclFile::new(HEADER);
    for svc in sites(spec) {
        let r = rid(spec, svc);
        let url = match my_hosts(spec).into_iter().find(|(s, _)| s.name == svc.name) {
            Some((_, h)) => format!("\"https://{h}\""),
            None => format!("\"https://${{azurerm_static_web_app.{r}.default_host_name}}\""),
        };
        for (name, description, value) in [
            (
                format!("{r}_name"),
                format!(
                    "{}'s Static Web App: the deploy fetches its upload token by this name.",
                    svc.name
                ),
                format!("azurerm_static_web_app.{r}.name"),
            ),
            (format!("{r}_url"), format!("{}'s address.", svc.name), url),
        ] {
            f.block(
                hcl::Block::builder("output")
                    .add_label(name)
                    .add_attribute(("description", description))
                    .add_attribute(("value", expr(&value)))
                    .build(),
            );
        }
    }
    file(format!("{DIR}/outputs.tf"), &f, "each site's app and address")
}

/// `staticwebapp.config.json` beside the site's sources: the security headers on every answer,
/// the hashed assets cached for a year, and the browser's routes (a single-page app) or a 404
/// page (a site of pages).
fn config(svc: &ServiceSpec) -> Artifact {
    let single = crate::pipeline::platform::single_page(svc);
    let mut routes: Vec<serde_json::Value> = hashed_dirs(svc)
        .iter()
        .map(|d| {
            serde_json::json!({
                "route": format!("/{d}/*"),
                "headers": { "Cache-Control": "public, max-age=31536000, immutable" }
            })
        })
        .collect();
    routes.push(serde_json::json!({
        "route": "/*",
        "headers": { "Cache-Control": "public, max-age=0, must-revalidate" }
    }));
    let mut value = serde_json::json!({
        "$schema": "https://json.schemastore.org/staticwebapp.config.json",
        "routes": routes,
        "globalHeaders": {
            "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "strict-origin-when-cross-origin"
        }
    });
    if single {
        let exclude: Vec<String> = hashed_dirs(svc)
            .iter()
            .map(|d| format!("/{d}/*"))
            .chain([
                "/*.{css,js,mjs,map,svg,png,jpg,jpeg,gif,webp,avif,ico,woff,woff2,txt,xml,json,webmanifest}"
                    .to_string(),
            ])
            .collect();
        value["navigationFallback"] = serde_json::json!({ "rewrite": "/index.html", "exclude": exclude });
    } else {
        value["responseOverrides"] = serde_json::json!({ "404": { "rewrite": "/404.html" } });
    }
    let mut content = serde_json::to_string_pretty(&value).expect("JSON values serialise");
    content.push('\n');
    let path = if svc.path == "." || svc.path.is_empty() {
        "staticwebapp.config.json".to_string()
    } else {
        format!("{}/staticwebapp.config.json", svc.path)
    };
    Artifact {
        path,
        content,
        purpose: format!(
            "{}'s headers and routes on Azure Static Web Apps: security headers, hashed assets cached a year, {}",
            svc.name,
            if single {
                "the browser's routes to index.html"
            } else {
                "a missing page answered by 404.html"
            }
        ),
        step: "cloud".into(),
    }
}

fn estimate(spec: &DeploySpec) -> Estimate {
    let mut e = Estimate::default();
    let n = sites(spec).len() as f64;
    e.add(
        "Static Web Apps (Standard)",
        format!("{n} app(s), 100 GB of bandwidth a month each included"),
        n * STANDARD_MONTH,
    );
    e
}

fn picture(spec: &DeploySpec) -> Vec<CloudNode> {
    let mut out = Vec::new();
    for (_, h) in my_hosts(spec) {
        out.push(CloudNode {
            kind: "DNS".into(),
            name: h.clone(),
            detail: if zone_and_name(&h).1 == "@" {
                "Azure DNS alias record, TXT validation, managed certificate".into()
            } else {
                "Azure DNS CNAME, managed certificate".into()
            },
        });
    }
    for svc in sites(spec) {
        out.push(CloudNode {
            kind: "Static Web App".into(),
            name: name_of(&svc.name),
            detail: format!(
                "Standard plan, served from Azure's edge over HTTPS, security headers, {}",
                if crate::pipeline::platform::single_page(svc) {
                    "index.html for the browser's routes"
                } else {
                    "404.html for a missing page"
                }
            ),
        });
    }
    out
}

fn requirements(spec: &DeploySpec, repo: Option<&str>) -> Vec<Requirement> {
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let var = |name: &str, why: String| Requirement {
        name: name.into(),
        secret: false,
        place: "GitHub Actions variable".into(),
        why,
    };
    vec![
        var("AZURE_TENANT_ID", "the bootstrap stack's tenant_id".into()),
        var(
            "AZURE_SUBSCRIPTION_ID",
            "the subscription everything is created in".into(),
        ),
        var(
            "AZURE_PLAN_CLIENT_ID",
            format!(
                "the bootstrap stack's plan_client_id; the plan job presents {}",
                super::aws::oidc_subject(repo, None)
            ),
        ),
        var(
            "AZURE_DEPLOY_CLIENT_ID",
            format!(
                "the bootstrap stack's deploy_client_id; the deploy jobs present {}",
                super::aws::oidc_subject(repo, Some(spec.production()))
            ),
        ),
    ]
}

fn runbook(spec: &DeploySpec, cloud: &CloudSpec, project: &str, repo: Option<&str>, estimate: &Estimate) -> String {
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let production = spec.production();
    let mut s = format!(
        "# {project} on Azure Static Web Apps\n\nWritten by Slipway from the project's deployment spec: Terraform in `{DIR}/`. Each site's built files are served from Azure's edge over HTTPS with a managed certificate; nothing here holds a secret.\n\n## What runs\n\n"
    );
    for n in picture(spec) {
        s.push_str(&format!("- **{}** {}: {}\n", n.kind, n.name, n.detail));
    }
    s.push_str(&format!(
        "\n## The order\n\n1. A person with the subscription's Owner role applies `{DIR}/bootstrap` once: the resource groups, the state's storage account and the pipeline's plan and deploy identities, federated with `{repo}`'s subjects only. Its outputs are the GitHub Actions variables below.\n2. Open a pull request: the plan job writes `terraform plan` into its summary. Merge it: the deploy job builds each site first (a failed build changes nothing), applies the plan in `{production}`, fetches each app's upload token with its own short-lived credentials (never stored), uploads the files with the Static Web Apps CLI {} and calls the site.\n",
        crate::pipeline::versions::tools().swa
    ));
    if !my_hosts(spec).is_empty() {
        s.push_str("3. The hosts' records go into your existing Azure DNS zone (`dns_zone_group` names its resource group, in `terraform.tfvars`); Azure validates the domain by them and issues the certificate, which can take up to an hour after the first apply.\n");
    }
    s.push_str("\n## GitHub Actions variables\n\n");
    for r in requirements(spec, Some(repo)) {
        s.push_str(&format!("- `{}`: {}\n", r.name, r.why));
    }
    s.push_str(&format!(
        "\n## Rolling back\n\nEvery deploy replaces the site's files at once: to go back, run the workflow again on the commit before (`gh workflow run` or re-run its job). The region `{}` only keeps the apps' settings; the files are on every edge location.\n\n## Cost\n\n{}",
        region_of(cloud),
        estimate.markdown("List prices of {date}; beyond 100 GB a month an app's bandwidth costs 0.20 USD per GB.")
    ));
    s
}

/// The shell lines of the plan job on pull requests.
pub fn plan_commands(spec: &DeploySpec) -> Vec<String> {
    let cloud = spec.cloud.as_ref().expect("a cloud");
    let production = spec.production();
    let mut c = super::azure::setup(spec, cloud, production);
    c.push(format!(
        "printf 'environment = \"%s\"\\n' {production} > {DIR}/ci.auto.tfvars"
    ));
    c.extend(super::tf::plan_to_summary(production));
    c
}

/// The shell lines of the deploy to `environment`: each site built, the stack applied from the
/// plan its summary shows, then each site's files uploaded with the app's token (fetched with
/// the job's own credentials, masked in the log) and the site called.
pub fn apply_commands(spec: &DeploySpec, environment: &str) -> Vec<String> {
    let cloud = spec.cloud.as_ref().expect("a cloud");
    let mut c = super::azure::setup(spec, cloud, environment);
    c.push(format!(
        "printf 'environment = \"%s\"\\n' {environment} > {DIR}/ci.auto.tfvars"
    ));
    c.extend(super::site::build_lines(spec));
    c.extend(super::tf::plan_to_summary(environment));
    c.push("tf apply -input=false -lock-timeout=10m plan.bin".into());
    let group = format!("{}-{environment}", super::azure::project(spec));
    for svc in sites(spec) {
        let r = rid(spec, svc);
        let config_dir = if svc.path.is_empty() {
            ".".to_string()
        } else {
            svc.path.clone()
        };
        let dir = output_dir(svc);
        // The upload is a copy of what a browser may ask for: a site served from its sources
        // never publishes the repository's other files (infra/, .github/, docs/).
        c.push(r#"site=$(mktemp -d)"#.into());
        if from_source(svc) {
            let names: Vec<String> = WEB_FILES.iter().map(|e| format!("-name '*.{e}'")).collect();
            c.push(format!(
                r#"(cd {dir} && find . -type f \( {} \) -not -path '*/.*' -not -path './node_modules/*' -not -path './infra/*' -not -path './docs/*' -not -path './k8s/*' -not -path './charts/*' -not -path './ansible/*' -not -path './backup/*' -exec cp --parents {{}} "$site" \;)"#,
                names.join(" -o ")
            ));
        } else {
            c.push(format!(r#"cp -R {dir}/. "$site""#));
        }
        if !crate::pipeline::platform::single_page(svc) {
            c.push(
                r#"[ -f "$site/404.html" ] || printf '<!doctype html>\n<meta charset="utf-8">\n<title>Not found</title>\n<h1>Not found</h1>\n' > "$site/404.html""#
                    .into(),
            );
        }
        c.extend([
            format!(
                r#"SWA_CLI_DEPLOYMENT_TOKEN=$(az staticwebapp secrets list --name "$(tf output -raw {r}_name)" --resource-group {group} --query properties.apiKey -o tsv)"#
            ),
            r#"echo "::add-mask::$SWA_CLI_DEPLOYMENT_TOKEN""#.into(),
            "export SWA_CLI_DEPLOYMENT_TOKEN".into(),
            format!(
                "npx --yes @azure/static-web-apps-cli@{} deploy \"$site\" --env production --swa-config-location {config_dir}",
                crate::pipeline::versions::tools().swa
            ),
            "unset SWA_CLI_DEPLOYMENT_TOKEN".into(),
            format!(
                r#"curl --fail --silent --show-error --retry 5 --retry-all-errors --retry-delay 10 --output /dev/null "$(tf output -raw {r}_url)/""#
            ),
        ]);
    }
    c
}

/// True when the spec's sites go to Azure Static Web Apps: every service a static site, on
/// Azure in Terraform.
pub fn on_static_web_apps(spec: &DeploySpec) -> bool {
    !spec.services.is_empty()
        && spec.services.iter().all(|s| s.kind == "static")
        && spec
            .cloud
            .as_ref()
            .is_some_and(|c| c.provider == "azure" && c.iac == "terraform" && c.cluster.is_none() && c.server.is_none())
}
