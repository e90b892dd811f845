//! Clouds as code: the infrastructure a deployment spec needs on a cloud, written as
//! infrastructure as code that an infrastructure engineer applies after reading the plan.
//!
//! So far: AWS in Terraform ([`aws`]): ECR, ECS on Fargate behind an HTTPS load balancer,
//! RDS and ElastiCache for the backing services, Secrets Manager for their credentials, EFS for
//! a service that keeps data, a VPC with private subnets, logs, least-privilege roles, the
//! pipeline's OIDC roles, remote state with locking and the stack that creates its bucket.
//! Google Cloud in Terraform ([`gcp`]): Artifact Registry, Cloud Run, Cloud SQL and
//! Memorystore on a private network, Secret Manager, a service account per service, an HTTPS
//! load balancer for named hosts, workload identity for the pipeline, state in Cloud Storage.
//! Azure in Terraform ([`azure`]): Container Registry, Container Apps on a private network,
//! PostgreSQL Flexible Server, Key Vault, a managed identity per service and per pipeline job
//! trusting GitHub's OIDC subjects, state in Blob Storage. [`pulumi`] writes the same stacks as
//! Pulumi programs: Google Cloud's in TypeScript, Azure's in Python; [`cfn`] writes AWS's as
//! CloudFormation templates; [`server`] writes the machine a server deploy runs on (EC2, Compute
//! Engine, Azure VM) for the playbook of [`crate::vm`] to set up; [`cluster`] the managed
//! Kubernetes cluster (EKS Auto Mode, GKE Autopilot, AKS) the manifests of [`crate::kube`] run in.
//! Every resource is a plain resource (no registry module, so the checkers see inside it), built
//! as an `hcl-rs` value and written by [`crate::write::hcl`]. [`checks`] reviews Terraform,
//! the person's as well as ours; [`cost`] prices what a plan creates from a dated table.

pub mod aws;
pub mod azure;
pub mod cfn;
pub mod checks;
pub mod cluster;
pub mod cost;
pub mod gcp;
pub mod improve;
pub mod pulumi;
pub mod server;
pub mod site;
pub mod swa;
mod tf;

use serde::{Deserialize, Serialize};

use crate::generate::Artifact;
use crate::pipeline::Requirement;
use crate::spec::DeploySpec;

/// One box of the picture of what runs on the cloud, in the order traffic reaches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CloudNode {
    /// What it is: `DNS`, `Load balancer`, `ECS service`, `PostgreSQL (RDS)`.
    pub kind: String,
    /// Its name or address.
    pub name: String,
    /// One line on how it is set up.
    pub detail: String,
}

/// What the window shows of a cloud plan: the picture and the monthly cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CloudView {
    /// DNS, load balancer, each service, each data store, in the order traffic reaches them.
    pub picture: Vec<CloudNode>,
    /// The monthly estimate of what the plan creates.
    pub cost: cost::Estimate,
}

/// What the cloud family produced.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// The files.
    pub artifacts: Vec<Artifact>,
    /// The secrets, variables and identities to create, for the window's checklist.
    pub requirements: Vec<Requirement>,
    /// The picture: DNS, load balancer, each service, each data store.
    pub picture: Vec<CloudNode>,
    /// The monthly estimate, line by line.
    pub cost: cost::Estimate,
    /// What was left out and why (a worker Cloud Run cannot run), for the run's findings.
    pub findings: Vec<crate::Finding>,
}

/// The cloud files for `spec`, or why they cannot be written (the spec's own refusals).
pub fn generate(
    spec: &DeploySpec,
    images: &[crate::kube::ImageFacts],
    remote: Option<&str>,
) -> Result<Generated, String> {
    if !spec.errors.is_empty() {
        return Err(spec.errors.join("; "));
    }
    let Some(cloud) = &spec.cloud else {
        return Err("no cloud target in the deployment spec".into());
    };
    // A server the playbook configures: the machine, whatever runs on it.
    if cloud.server.is_some() {
        return server::generate(spec, cloud);
    }
    // A Kubernetes cluster the manifests run in.
    if cloud.cluster.is_some() {
        return cluster::generate(spec, cloud, remote);
    }
    // A stack of containers for files a CDN serves would cost a network and a NAT gateway for
    // nothing: AWS puts them in a bucket behind CloudFront ([`site`]), Azure on Static Web Apps
    // ([`swa`]); Google Cloud refuses until Cloud Storage with Cloud CDN is written.
    if spec.services.iter().all(|s| s.kind == "static") {
        match cloud.provider.as_str() {
            "gcp" => return Err("Slipway cannot put a static site on Google Cloud yet: it runs containers on Cloud Run, and Cloud Storage with Cloud CDN for static files is not written; S3 with CloudFront (\"on AWS\"), Azure Static Web Apps (\"on Azure\"), Netlify or Vercel serve them today".into()),
            "azure" if cloud.iac == "terraform" => return swa::generate(spec, cloud, remote),
            "azure" => return Err("Slipway writes a static site on Azure in Terraform only: Azure Static Web Apps as a Pulumi program is not written yet".into()),
            _ if cloud.iac == "pulumi" => return Err("Slipway writes a static site on AWS in Terraform only: S3 with CloudFront as a Pulumi program is not written yet".into()),
            _ if cloud.iac == "cloudformation" => return Err("Slipway writes a static site on AWS in Terraform only: S3 with CloudFront as a CloudFormation template is not written yet".into()),
            _ => {}
        }
    }
    let mut g = match cloud.provider.as_str() {
        "aws" if cloud.iac == "cloudformation" => cfn::generate(spec, cloud, images, remote),
        "aws" => Ok(aws::generate(spec, cloud, images, remote)),
        "gcp" => {
            let mut g = gcp::generate(spec, cloud, images, remote)?;
            if cloud.iac == "pulumi" {
                let project = gcp::project(spec);
                let backend = format!("gs://{}/{project}", gcp::state_bucket(&project, cloud));
                pulumi::programs(&mut g, &project, &backend, gcp::BOOTSTRAP, false)?;
            }
            Ok(g)
        }
        "azure" => {
            let mut g = azure::generate(spec, cloud, images, remote)?;
            if cloud.iac == "pulumi" {
                let project = azure::project(spec);
                let backend = format!(
                    "azblob://tfstate/{project}?storage_account={}",
                    azure::state_account(&project, cloud)
                );
                pulumi::programs(&mut g, &project, &backend, azure::BOOTSTRAP, true)?;
            }
            Ok(g)
        }
        other => Err(format!(
            "the built-in engine does not write infrastructure for {other} yet"
        )),
    }?;
    if let Some(f) = strategy_left_out(spec, &cloud.provider) {
        g.findings.push(f);
    }
    Ok(g)
}

/// A blue-green or canary asked for a cloud runtime that does not do it yet says what the runtime
/// does instead: the switch between versions the generated code gives, and that the traffic
/// split is not written.
fn strategy_left_out(spec: &DeploySpec, provider: &str) -> Option<crate::Finding> {
    use crate::params::Strategy;
    let asked = match spec.strategy {
        Strategy::Rolling => return None,
        Strategy::BlueGreen => "blue-green",
        Strategy::Canary => "canary",
    };
    let (runtime, does, split) = match provider {
        // Cloud Run's tagged revisions carry both in Terraform: the deploy job moves the requests.
        "gcp" if spec.cloud.as_ref().is_some_and(|c| c.iac == "terraform") => return None,
        "gcp" => (
            "Cloud Run",
            "moves every request to a new revision once its startup probe passes, and keeps the old one serving until then",
            "tagged revisions with a traffic split",
        ),
        // Container Apps' revisions carry both: the deploy job moves the requests.
        "azure" => return None,
        _ if site::in_buckets(spec) => (
            "CloudFront",
            "serves the new files once they are uploaded and its cache is cleared, and keeps the old hashed assets so pages loaded before keep working",
            "CloudFront's continuous deployment (a staging distribution)",
        ),
        _ => (
            "ECS",
            "replaces tasks a few at a time once the new ones pass the load balancer's health check, and rolls back by its circuit breaker",
            "CodeDeploy's traffic shifting",
        ),
    };
    Some(crate::Finding {
        severity: crate::Severity::Warning,
        rule: "cloud/strategy".into(),
        path: "slipway.toml".into(),
        line: None,
        message: format!(
            "the task asks for a {asked} deploy; {runtime} {does}. A {asked} with {split} is not written yet, so this deploys that way"
        ),
    })
}

/// The services whose image the environment's stack takes, with their key in `var.images`.
pub fn imaged(spec: &DeploySpec) -> Vec<(String, &crate::spec::ServiceSpec)> {
    // A cluster's stack takes no images: the manifests carry them.
    if spec.cloud.as_ref().is_some_and(|c| c.cluster.is_some()) {
        return Vec::new();
    }
    match spec.cloud.as_ref().map(|c| c.provider.as_str()) {
        Some("gcp") => gcp::imaged(spec),
        Some("azure") => azure::imaged(spec),
        _ => aws::imaged(spec),
    }
}

/// `owner/repo` of a GitHub or GitLab remote, for the pipeline's OIDC subject.
pub fn repository_of(remote: Option<&str>) -> Option<String> {
    let r = remote?.trim().trim_end_matches('/').trim_end_matches(".git");
    let path = if let Some(rest) = r.strip_prefix("git@") {
        rest.split_once(':')?.1.to_string()
    } else {
        let after = r.split_once("://")?.1;
        after.split_once('/')?.1.to_string()
    };
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    (parts.len() == 2).then(|| format!("{}/{}", parts[0], parts[1]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_repository_is_read_off_ssh_and_https_remotes() {
        for (remote, want) in [
            ("git@github.com:acme/shop.git", Some("acme/shop")),
            ("https://github.com/acme/shop", Some("acme/shop")),
            ("https://token@github.com/acme/shop.git/", Some("acme/shop")),
            ("ssh://git@github.com/acme/shop.git", Some("acme/shop")),
            ("https://gitlab.com/group/sub/project.git", None),
            ("/srv/git/shop.git", None),
        ] {
            assert_eq!(super::repository_of(Some(remote)).as_deref(), want, "{remote}");
        }
    }
}
