//! Understanding a task typed in plain words.
//!
//! The built-in brain maps words to intents with a small keyword table. It recognises more
//! intents than it can carry out today, so that it can say plainly what it will not do instead
//! of quietly doing something else.

use serde::{Deserialize, Serialize};

/// Something the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Intent {
    /// Dockerfile, .dockerignore and compose file.
    Containerize,
    /// A CI/CD pipeline.
    CiCd,
    /// Kubernetes manifests or a Helm chart.
    Kubernetes,
    /// Terraform or other infrastructure as code.
    InfrastructureAsCode,
    /// Monitoring and alerting.
    Monitoring,
    /// A deployment configuration for a cloud or PaaS target.
    PlatformDeploy,
    /// Database backups with a tested restore (compose and VM hosts; the clouds' managed
    /// databases get theirs with the infrastructure).
    Backup,
}

impl Intent {
    /// The intent in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Intent::Containerize => "containerize the app (Dockerfile, .dockerignore, compose)",
            Intent::CiCd => "set up a CI/CD pipeline",
            Intent::Kubernetes => "deploy to Kubernetes",
            Intent::InfrastructureAsCode => "write infrastructure as code",
            Intent::Monitoring => "set up monitoring and alerting",
            Intent::PlatformDeploy => "configure a cloud or PaaS deployment",
            Intent::Backup => "back up the database with a tested restore",
        }
    }

    /// True when the built-in engine can carry out this intent today.
    pub fn supported(self) -> bool {
        matches!(
            self,
            Intent::Containerize
                | Intent::CiCd
                | Intent::PlatformDeploy
                | Intent::Kubernetes
                | Intent::InfrastructureAsCode
                | Intent::Backup
        )
    }
}

/// Words that signal each intent (lowercase; matched on word starts).
const SIGNALS: &[(Intent, &[&str])] = &[
    (
        Intent::Containerize,
        &[
            "containeri",
            "container",
            "docker",
            "dockerfile",
            "compose",
            "image",
            "dockeri",
        ],
    ),
    (
        Intent::CiCd,
        &[
            "ci/cd",
            "ci",
            "cd",
            "pipeline",
            "github actions",
            "gitlab",
            "jenkins",
            "circleci",
            "workflow",
        ],
    ),
    (
        Intent::Kubernetes,
        &[
            "kubernetes",
            "k8s",
            // The clouds' managed clusters.
            "eks",
            "gke",
            "aks",
            "helm",
            "kubectl",
            "autoscal",
            "hpa",
            "ingress",
            "canary",
            "blue-green",
        ],
    ),
    (
        Intent::InfrastructureAsCode,
        &["terraform", "pulumi", "cloudformation", "ansible", "opentofu", "iac"],
    ),
    (
        Intent::Monitoring,
        &[
            "monitoring",
            "prometheus",
            "grafana",
            "alerting",
            "alerts",
            "observability",
        ],
    ),
    (
        Intent::PlatformDeploy,
        &[
            "railway",
            "vercel",
            "netlify",
            "heroku",
            "fly.io",
            "render",
            "cloud run",
            "ecs",
            "app engine",
            "azure",
            // A server, the person's own or one a cloud creates.
            "vm",
            "vps",
            "virtual machine",
            "ec2",
            "compute engine",
        ],
    ),
    (Intent::Backup, &["backup", "back up", "disaster recovery", "restore"]),
];

/// A task the engine understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// The words as typed, trimmed.
    pub text: String,
    /// What was asked for, in the order first mentioned.
    pub intents: Vec<Intent>,
    /// The parameters the words carry: targets, CI system, registry, strategy, numbers.
    #[serde(default)]
    pub params: crate::params::TaskParams,
}

/// Why a task was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// Nothing was typed.
    #[error("the task is empty: say what to do, for example \"containerize this app\"")]
    Empty,
    /// The task names a deploy target, CI system or registry Slipway does not know.
    #[error("{0}")]
    Unknown(String),
    /// No deployment intent was recognised.
    #[error(
        "Slipway did not understand the task {0:?}: it knows deployment work such as \"containerize this app\"; \
         the built-in engine reads English"
    )]
    NotUnderstood(String),
}

impl Task {
    /// Intents the engine cannot carry out yet. A platform deploy is one only when it names
    /// platforms this family covers (or none): Cloud Run, ECS and the like come later.
    pub fn unsupported(&self) -> Vec<Intent> {
        use crate::params::Target;
        let clouds: Vec<Target> = self
            .params
            .targets
            .iter()
            .copied()
            .filter(|t| !t.is_platform() && *t != Target::Kubernetes)
            .collect();
        let clouds_only = !self.params.targets.is_empty() && !self.params.targets.iter().any(|t| t.is_platform());
        // AWS, Google Cloud and Azure Container Apps are written in Terraform, a server in Ansible.
        let written = |t: &Target| {
            matches!(
                t,
                Target::Ecs | Target::CloudRun | Target::AzureContainerApps | Target::Vm
            )
        };
        let other_clouds = clouds.iter().any(|t| !written(t));
        // Pulumi is written for Google Cloud (TypeScript) and Azure (Python), CloudFormation for
        // AWS, Ansible for a server.
        let only = |target: Target| !clouds.is_empty() && clouds.iter().all(|t| *t == target);
        // A server on a cloud is created in Terraform and configured with Ansible.
        let server_cloud = self.params.server_cloud.is_some() && only(Target::Vm);
        let other_language = self.params.iac.as_deref().is_some_and(|l| match l {
            "terraform" => only(Target::Vm) && !server_cloud,
            "pulumi" => !(only(Target::CloudRun) || only(Target::AzureContainerApps)),
            "cloudformation" => !only(Target::Ecs),
            "ansible" => !only(Target::Vm),
            _ => true,
        });
        self.intents
            .iter()
            .copied()
            .filter(|i| {
                !i.supported()
                    || (*i == Intent::PlatformDeploy
                        && clouds_only
                        && (other_clouds || (clouds.is_empty() && self.params.cluster_cloud.is_none())))
                    // A cloud deploy needs the infrastructure it runs on: with its language
                    // declined, nothing of it is half-done.
                    || (*i == Intent::PlatformDeploy
                        && clouds_only
                        && other_language
                        && self.intents.contains(&Intent::InfrastructureAsCode))
                    || (*i == Intent::InfrastructureAsCode && (other_clouds || other_language))
                    // Backups of a cluster's databases are the managed service's or Velero's.
                    || (*i == Intent::Backup
                        && self.intents.contains(&Intent::Kubernetes)
                        && !self.params.targets.iter().any(written))
            })
            .collect()
    }

    /// What the built-in engine leaves out of this task, each in words that fit after
    /// "cannot ... yet" and name the part asked for, so the person knows what was left.
    pub fn declined(&self) -> Vec<String> {
        use crate::params::Target;
        let others: Vec<&str> = self
            .params
            .targets
            .iter()
            .filter(|t| {
                !t.is_platform()
                    && !matches!(
                        t,
                        Target::Kubernetes | Target::Ecs | Target::CloudRun | Target::AzureContainerApps | Target::Vm
                    )
            })
            .map(|t| t.label())
            .collect();
        self.unsupported()
            .into_iter()
            .map(|i| match i {
                Intent::InfrastructureAsCode if !others.is_empty() => format!(
                    "write infrastructure as code for {} (it writes AWS, Google Cloud and Azure in Terraform, Google Cloud and Azure in Pulumi, and AWS in CloudFormation, so far)",
                    others.join(" or ")
                ),
                Intent::InfrastructureAsCode => {
                    let language = match self.params.iac.as_deref() {
                        Some("terraform") => "Terraform",
                        Some("pulumi") => "Pulumi",
                        Some("cloudformation") => "CloudFormation",
                        Some("ansible") => "Ansible",
                        Some("opentofu") => "OpenTofu",
                        _ => "that language",
                    };
                    let places: Vec<&str> = self
                        .params
                        .targets
                        .iter()
                        .filter(|t| !t.is_platform())
                        .map(|t| t.label())
                        .collect();
                    format!(
                        "write infrastructure as code in {language}{} (it writes AWS, Google Cloud and Azure in Terraform, Google Cloud and Azure in Pulumi, and AWS in CloudFormation, so far)",
                        if places.is_empty() { String::new() } else { format!(" for {}", places.join(" and ")) }
                    )
                }
                Intent::PlatformDeploy if !others.is_empty() => format!("deploy to {}", others.join(" or ")),
                other => other.describe().to_string(),
            })
            .collect()
    }

    /// True when the task asks for backups of a database beside the app (compose or a server,
    /// a cloud's too): a cloud's managed databases get theirs with the infrastructure.
    pub fn wants_backups(&self) -> bool {
        self.wants(Intent::Backup)
            && (!self.wants_cloud() || self.wants_server_on_cloud())
            && !self.unsupported().contains(&Intent::Backup)
    }

    /// True when the task puts the services on a server of the person's own, with Ansible.
    pub fn wants_vm(&self) -> bool {
        self.params.targets.contains(&crate::params::Target::Vm)
            && !self.unsupported().contains(&Intent::InfrastructureAsCode)
    }

    /// True when the task puts the services on a cloud the built-in engine writes: AWS, Google
    /// Cloud or Azure.
    pub fn wants_cloud(&self) -> bool {
        use crate::params::Target;
        (self
            .params
            .targets
            .iter()
            .any(|t| matches!(t, Target::Ecs | Target::CloudRun | Target::AzureContainerApps))
            || self.wants_server_on_cloud()
            || self.wants_cluster_on_cloud())
            && !self.unsupported().contains(&Intent::InfrastructureAsCode)
    }

    /// True when the task puts the services on a server that a cloud's infrastructure creates
    /// ("a VM on AWS"): the cloud step writes the machine, the server step configures it.
    pub fn wants_server_on_cloud(&self) -> bool {
        self.params.server_cloud.is_some()
            && self.params.targets.contains(&crate::params::Target::Vm)
            && !self.unsupported().contains(&Intent::InfrastructureAsCode)
    }

    /// True when the task puts the services on a Kubernetes cluster that a cloud's
    /// infrastructure creates ("EKS", "GKE", "Kubernetes on Azure"): the cloud step writes the
    /// cluster, the Kubernetes step what runs in it.
    pub fn wants_cluster_on_cloud(&self) -> bool {
        self.params.cluster_cloud.is_some()
            && self.params.targets.contains(&crate::params::Target::Kubernetes)
            && !self.unsupported().contains(&Intent::InfrastructureAsCode)
    }

    /// True when the task asks for `intent`.
    pub fn wants(&self, intent: Intent) -> bool {
        self.intents.contains(&intent)
    }
}

/// Reads the task text.
pub fn understand(text: &str) -> Result<Task, TaskError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TaskError::Empty);
    }
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '/' || c == '-' || c == '.'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut found: Vec<(usize, Intent)> = Vec::new();
    for (intent, signals) in SIGNALS {
        let first = signals
            .iter()
            .filter_map(|s| {
                if s.contains(' ') || s.contains('.') {
                    lower.find(s)
                } else if s.len() <= 3 {
                    // Short signals ("ci", "k8s") must be whole words.
                    words
                        .iter()
                        .position(|w| w.trim_end_matches('.') == *s)
                        .map(|p| word_offset(&lower, &words, p))
                } else {
                    words
                        .iter()
                        .position(|w| w.starts_with(s))
                        .map(|p| word_offset(&lower, &words, p))
                }
            })
            .min();
        if let Some(pos) = first {
            found.push((pos, *intent));
        }
    }
    // A place or system Slipway does not know is named as such, before anything else.
    let params = crate::params::read(text).map_err(TaskError::Unknown)?;
    if found.is_empty() {
        // "deploy to production from the release branch": a deploy pipeline, with no place named.
        if let Some(pos) = ["deploy", "ship", "release"]
            .iter()
            .filter_map(|w| words.iter().position(|x| x.starts_with(w)))
            .min()
        {
            found.push((word_offset(&lower, &words, pos), Intent::CiCd));
        }
    }
    if found.is_empty() {
        return Err(TaskError::NotUnderstood(text.to_string()));
    }
    found.sort_by_key(|(pos, _)| *pos);
    let mut intents: Vec<Intent> = found.into_iter().map(|(_, i)| i).collect();
    // A named CI system or registry is a pipeline request even without the word "CI".
    if (params.ci.is_some() || params.registry.is_some()) && !intents.contains(&Intent::CiCd) {
        intents.push(Intent::CiCd);
    }
    // "Canary", "blue-green", "autoscaling" and "ingress" mean Kubernetes only when no other
    // place is named: "a blue-green deploy to Cloud Run" asks for Cloud Run's way of doing it,
    // not a cluster beside it.
    let named_cluster = ["kubernetes", "k8s", "helm", "kubectl", "kustomiz"]
        .iter()
        .any(|s| words.iter().any(|w| w.starts_with(s)));
    if !named_cluster && !params.targets.is_empty() && !params.targets.contains(&crate::params::Target::Kubernetes) {
        intents.retain(|i| *i != Intent::Kubernetes);
        if intents.is_empty() {
            intents.push(Intent::PlatformDeploy);
        }
    }
    let mut params = params;
    // Ansible with no place named configures a server of the person's own.
    if params.iac.as_deref() == Some("ansible") && params.targets.is_empty() {
        params.targets.push(crate::params::Target::Vm);
    }
    // Infrastructure as code with no cloud named is for AWS; AWS named is its infrastructure.
    let clouds = [
        crate::params::Target::Ecs,
        crate::params::Target::CloudRun,
        crate::params::Target::AzureContainerApps,
        crate::params::Target::Vm,
    ];
    // Kubernetes with infrastructure as code and no cloud named is a cluster on AWS.
    if intents.contains(&Intent::InfrastructureAsCode)
        && !params.targets.iter().any(|t| clouds.contains(t))
        && params.cluster_cloud.is_none()
    {
        if params.targets.contains(&crate::params::Target::Kubernetes) && params.server_cloud.is_none() {
            params.cluster_cloud = Some("aws".into());
        } else {
            params.targets.push(crate::params::Target::Ecs);
        }
    }
    let written = [
        crate::params::Target::Ecs,
        crate::params::Target::CloudRun,
        crate::params::Target::AzureContainerApps,
        crate::params::Target::Vm,
    ];
    if (params.targets.iter().any(|t| written.contains(t)) || params.cluster_cloud.is_some())
        && !intents.contains(&Intent::InfrastructureAsCode)
    {
        intents.push(Intent::InfrastructureAsCode);
    }
    Ok(Task {
        text: text.to_string(),
        intents,
        params,
    })
}

fn word_offset(lower: &str, words: &[&str], index: usize) -> usize {
    // Position of the index-th word in the text: good enough to order intents.
    let mut from = 0;
    for (i, w) in words.iter().enumerate() {
        let at = lower[from..].find(w).map(|p| p + from).unwrap_or(from);
        if i == index {
            return at;
        }
        from = at + w.len();
    }
    from
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strategy_on_a_named_cloud_is_not_a_cluster() {
        for (text, kube) in [
            ("blue-green deploy to Cloud Run", false),
            ("a canary on Azure Container Apps with Terraform", false),
            ("autoscaling on ECS", false),
            ("canary on fly.io", false),
            ("a canary deploy with autoscaling", true),
            ("blue-green on Kubernetes behind an ingress", true),
            ("a Helm chart with a canary, and Terraform for ECS", true),
        ] {
            let t = understand(text).unwrap();
            assert_eq!(t.intents.contains(&Intent::Kubernetes), kube, "{text}: {:?}", t.intents);
            assert!(!t.intents.is_empty(), "{text}");
        }
    }

    #[test]
    fn task_sentences_map_to_intents() {
        let cases: &[(&str, &[Intent])] = &[
            ("containerize this app", &[Intent::Containerize]),
            ("Containerise the Next.js app", &[Intent::Containerize]),
            ("write a Dockerfile", &[Intent::Containerize]),
            ("dockerize it", &[Intent::Containerize]),
            (
                "containerize it and deploy to Kubernetes with a canary",
                &[Intent::Containerize, Intent::Kubernetes],
            ),
            ("set up CI/CD to Railway", &[Intent::CiCd, Intent::PlatformDeploy]),
            ("add terraform for the database", &[Intent::InfrastructureAsCode]),
        ];
        for (text, want) in cases {
            let task = understand(text).unwrap_or_else(|e| panic!("{text:?} should be understood: {e}"));
            assert_eq!(&task.intents, want, "intents for {text:?}");
        }
    }

    #[test]
    fn words_without_intent_are_refused_in_words() {
        assert_eq!(understand("   "), Err(TaskError::Empty));
        let err = understand("make me a sandwich").unwrap_err();
        assert!(
            err.to_string().contains("did not understand"),
            "message says what: {err}"
        );
        // "ci" must be a whole word: "social" is not a CI request.
        assert!(
            understand("social media").is_err(),
            "substrings of words are not signals"
        );
    }
}
