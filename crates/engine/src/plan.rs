//! The todo list: written first, kept live while the work goes on.
//!
//! Its shape follows the deployment engineer's workflow: understand, read the project's rules,
//! research, learn the context, do the work in small steps, reflect on the result, then commit
//! and push. The reflection is always the next-to-last step and shipping always the last.

use crate::task::{Intent, Task};
use serde::{Deserialize, Serialize};

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum TodoStatus {
    /// Not started.
    Pending,
    /// Being worked on now.
    InProgress,
    /// Finished.
    Done,
    /// Tried and failed; the detail says why.
    Failed,
    /// Deliberately not done; the detail says why.
    Skipped,
}

/// What a step does, so the runner knows how to carry it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "artifact")]
pub enum TodoKind {
    /// Analyse the task and the project.
    Analyse,
    /// Read the project's agent rules and conventions.
    Rules,
    /// Look up current practice and versions.
    Research,
    /// Read recent commits and the existing deployment setup.
    Context,
    /// Generate one artifact (its path).
    Generate(String),
    /// A step the LLM wrote for itself.
    Work,
    /// Parts of the task the built-in engine cannot do, said plainly.
    Declined,
    /// Check what was produced.
    Reflect,
    /// Commit and push.
    Ship,
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Todo {
    /// Stable id within the plan, such as `dockerfile`.
    pub id: String,
    /// The step in words.
    pub title: String,
    /// Where it stands.
    pub status: TodoStatus,
    /// What happened, once something has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// What the step does.
    #[serde(skip)]
    pub kind: Option<TodoKind>,
}

/// The todo list of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Plan {
    /// Steps in order.
    pub todos: Vec<Todo>,
    /// Artifact steps filed under another step (merged), or left out (empty target).
    #[serde(skip)]
    pub routes: Vec<(String, String)>,
}

fn todo(id: &str, title: impl Into<String>, kind: TodoKind) -> Todo {
    Todo {
        id: id.to_string(),
        title: title.into(),
        status: TodoStatus::Pending,
        detail: None,
        kind: Some(kind),
    }
}

/// The steps every plan starts with: understand, the project's rules, research, context.
fn frame() -> Vec<Todo> {
    vec![
        todo("analyse", "Analyse the task and the project", TodoKind::Analyse),
        todo("rules", "Read the project's rules and conventions", TodoKind::Rules),
        todo(
            "research",
            "Look up current practice and versions for the stack",
            TodoKind::Research,
        ),
        todo(
            "context",
            "Review recent commits and the existing deployment setup",
            TodoKind::Context,
        ),
    ]
}

impl Plan {
    /// Writes the todo list for `task`. Always 5 to 10 steps. It comes before the analysis,
    /// so the steps name the work, and their details name what was found.
    pub fn for_task(task: &Task) -> Plan {
        let mut todos = frame();
        let mut work: Vec<Todo> = Vec::new();
        let mut routes: Vec<(String, String)> = Vec::new();
        // A cloud's infrastructure ships through the pipeline: plans on pull requests, applies
        // with the tested images.
        let platform_named = task.params.targets.iter().any(|t| t.is_platform());
        // So does a server's: the pipeline builds and pushes the images the playbook runs.
        let pipeline = task.wants(Intent::CiCd)
            || task.wants_cloud()
            || task.wants_vm()
            || (task.wants(Intent::PlatformDeploy)
                && Intent::PlatformDeploy.supported()
                && platform_named
                && !task.unsupported().contains(&Intent::PlatformDeploy));
        if task.wants(Intent::Containerize) {
            work.push(todo(
                "dockerfile",
                "Write a multi-stage Dockerfile (cached dependency layer, non-root user)",
                TodoKind::Generate("Dockerfile".into()),
            ));
            work.push(todo(
                "dockerignore",
                "Write a .dockerignore that keeps the build context small and secret-free",
                TodoKind::Generate(".dockerignore".into()),
            ));
            work.push(todo(
                "compose",
                "Write compose.yaml for the app and the services it needs",
                TodoKind::Generate("compose.yaml".into()),
            ));
        } else if pipeline || task.wants(Intent::Kubernetes) || task.wants_cloud() {
            // The pipeline and the cluster run an image: its Dockerfile is written or improved too.
            work.push(todo(
                "dockerfile",
                if pipeline {
                    "Write or improve the Dockerfile and .dockerignore the pipeline builds"
                } else if task.wants_cloud() && !task.wants(Intent::Kubernetes) {
                    "Write or improve the Dockerfile and .dockerignore of the image the cloud runs"
                } else {
                    "Write or improve the Dockerfile and .dockerignore of the image the cluster runs"
                },
                TodoKind::Generate("Dockerfile".into()),
            ));
            routes.push(("dockerignore".into(), "dockerfile".into()));
            routes.push(("compose".into(), String::new()));
        }
        if pipeline {
            work.push(todo(
                "pipeline",
                "Write the CI/CD pipeline: lint, tests against service containers, image build and push, deploy from the deploy branch only",
                TodoKind::Generate("pipeline".into()),
            ));
            let platforms: Vec<&str> = task
                .params
                .targets
                .iter()
                .filter(|t| t.is_platform())
                .map(|t| t.label())
                .collect();
            if !platforms.is_empty() {
                work.push(todo(
                    "platform",
                    format!(
                        "Write the {} configuration with its health check and release steps",
                        platforms.join(" and ")
                    ),
                    TodoKind::Generate("platform".into()),
                ));
            } else {
                routes.push(("platform".into(), "pipeline".into()));
            }
            work.push(todo(
                "runbook",
                "List the secrets and variables to create, and write the runbook docs/deploy.md",
                TodoKind::Generate("docs/deploy.md".into()),
            ));
        }
        if task.wants(Intent::Kubernetes) {
            use crate::params::{Packaging, Strategy};
            let packaging = match (task.params.packaging, task.params.strategy) {
                (Some(Packaging::Helm), Some(Strategy::Canary)) => {
                    " as a Helm chart with an Argo Rollouts canary (a tenth, checked, then half, then all)"
                }
                (Some(Packaging::Helm), Some(Strategy::BlueGreen)) => {
                    " as a Helm chart with Argo Rollouts blue-green (a preview, checked, then switched)"
                }
                (Some(Packaging::Kustomize), Some(Strategy::Canary)) => {
                    " as Kustomize overlays with an Argo Rollouts canary (a tenth, checked, then half, then all)"
                }
                (Some(Packaging::Kustomize), Some(Strategy::BlueGreen)) => {
                    " as Kustomize overlays with Argo Rollouts blue-green (a preview, checked, then switched)"
                }
                (_, Some(Strategy::Canary)) => match task.params.mesh {
                    Some(crate::params::Mesh::Istio) => {
                        " with an Argo Rollouts canary that Istio splits by request (a tenth, checked, then half, then all)"
                    }
                    Some(crate::params::Mesh::Linkerd) => {
                        " with an Argo Rollouts canary that Linkerd splits by request (a tenth, checked, then half, then all)"
                    }
                    _ => " with an Argo Rollouts canary (a tenth, checked, then half, then all)",
                },
                (_, Some(Strategy::BlueGreen)) if task.params.rollouts == Some(crate::params::Rollouts::Kubectl) => {
                    " with a blue-green for clusters without Argo (two Deployments; the pipeline checks the idle one, then switches the Service)"
                }
                (_, Some(Strategy::BlueGreen)) => " with Argo Rollouts blue-green (a preview, checked, then switched)",
                (Some(Packaging::Helm), _) if task.params.umbrella_chart => {
                    " as one Helm chart with a subchart per service, values, a schema and a test hook"
                }
                (Some(Packaging::Helm), _) => " as a Helm chart with values, a schema and a test hook",
                (Some(Packaging::Kustomize), _) => " as a Kustomize base with staging and production overlays",
                _ => "",
            };
            work.push(todo(
                "kubernetes",
                format!(
                    "Write the Kubernetes manifests{packaging}: Deployment with startup, readiness and liveness probes, resources and a locked-down pod; Service; {}{}PodDisruptionBudget, NetworkPolicy; {}the runbook docs/kubernetes.md",
                    if task.params.host.is_some() { "Ingress with cert-manager TLS; " } else { "" },
                    if task.params.autoscale { "HorizontalPodAutoscaler; " } else { "" },
                    match task.params.gitops {
                        Some(crate::params::GitOps::ArgoCd) => "Argo CD Applications that sync them from git; ",
                        Some(crate::params::GitOps::Flux) => "Flux syncs that apply them from git; ",
                        _ => "",
                    },
                ),
                TodoKind::Generate("k8s/".into()),
            ));
            if !pipeline {
                routes.push(("dockerignore".into(), "dockerfile".into()));
                routes.push(("compose".into(), String::new()));
            }
        }
        if task.wants_cloud() {
            work.push(if task.wants_cluster_on_cloud() {
                let (cloud, cluster, doc) = match task.params.cluster_cloud.as_deref() {
                    Some("gcp") => ("Google Cloud", "GKE Autopilot with private nodes and its API behind IAM", "gcp"),
                    Some("azure") => ("Azure", "AKS with Entra ID sign-in only, three zones and an autoscaled pool", "azure"),
                    _ => ("AWS", "EKS in Auto Mode with private nodes and access entries", "aws"),
                };
                todo(
                    "cloud",
                    format!(
                        "Write the {cloud} cluster in Terraform: {cluster}, Secrets encrypted with the project's key, control-plane logs, the image registry, the pipeline's OIDC access to the app's namespace, locked remote state, the cost and docs/{doc}.md"
                    ),
                    TodoKind::Generate(format!("infra/{doc}/")),
                )
            } else if task.wants_server_on_cloud() {
                let (cloud, machine, doc) = match task.params.server_cloud.as_deref() {
                    Some("gcp") => ("Google Cloud", "a Compute Engine VM", "gcp"),
                    Some("azure") => ("Azure", "an Azure VM", "azure"),
                    _ => ("AWS", "an EC2 instance", "aws"),
                };
                todo(
                    "cloud",
                    format!(
                        "Write the {cloud} server in Terraform: {machine} with an encrypted disk and daily snapshots, a static address{}, a firewall that lets in HTTP, HTTPS and SSH from your addresses only, locked remote state, the cost and docs/{doc}.md",
                        if task.params.host.is_some() { " and its DNS records" } else { "" }
                    ),
                    TodoKind::Generate(format!("infra/{doc}/")),
                )
            } else if task.params.targets.contains(&crate::params::Target::CloudRun) {
                todo(
                    "cloud",
                    format!(
                        "Write the Google Cloud infrastructure {}: Cloud Run with probes and scaling, the Cloud SQL and Memorystore it needs on a private network with backups, secrets by name, a service account per service, the pipeline's workload identity, locked remote state, the cost and docs/gcp.md",
                        if task.params.iac.as_deref() == Some("pulumi") {
                            "as a Pulumi program in TypeScript"
                        } else {
                            "in Terraform"
                        }
                    ),
                    TodoKind::Generate("infra/gcp/".into()),
                )
            } else if task.params.targets.contains(&crate::params::Target::AzureContainerApps) {
                todo(
                    "cloud",
                    format!(
                        "Write the Azure infrastructure {}: Container Apps with probes and HTTP scaling (a static site: Azure Static Web Apps), the PostgreSQL Flexible Server it needs on a private network with backups, Key Vault secrets by name, a managed identity per service, the pipeline's federated identities, locked remote state, the cost and docs/azure.md",
                        if task.params.iac.as_deref() == Some("pulumi") {
                            match task.params.pulumi_language.as_deref() {
                                Some("typescript") => "as a Pulumi program in TypeScript",
                                _ => "as a Pulumi program in Python",
                            }
                        } else {
                            "in Terraform"
                        }
                    ),
                    TodoKind::Generate("infra/azure/".into()),
                )
            } else if ["cloudfront", "static site", "s3 bucket"]
                .iter()
                .any(|w| task.text.to_lowercase().contains(w))
            {
                todo(
                    "cloud",
                    "Write the AWS infrastructure in Terraform: the site's private S3 bucket behind CloudFront with HTTPS, its certificate and DNS, security headers, the pipeline's OIDC roles, locked remote state, the upload that keeps old assets, the cost and docs/aws.md",
                    TodoKind::Generate("infra/aws/".into()),
                )
            } else if task.params.iac.as_deref() == Some("cloudformation") {
                todo(
                    "cloud",
                    "Write the AWS infrastructure as CloudFormation templates: network, ECS on Fargate behind HTTPS, the databases it needs with backups and a snapshot before deletion, secrets by name, least-privilege roles, the pipeline's OIDC roles and CloudFormation's own, the cost and docs/aws.md",
                    TodoKind::Generate("infra/aws/".into()),
                )
            } else {
                todo(
                    "cloud",
                    "Write the AWS infrastructure in Terraform: network, ECS on Fargate behind HTTPS (a static site: S3 behind CloudFront), the databases it needs with backups, secrets by name, least-privilege roles, the pipeline's OIDC roles, locked remote state, the cost and docs/aws.md",
                    TodoKind::Generate("infra/aws/".into()),
                )
            });
        }
        if task.wants_vm() {
            work.push(todo(
                "vm",
                "Write the Ansible playbook for the server: a non-root deploy user with key-only SSH, a firewall, unattended upgrades, Docker, the services by digest with their databases on volumes, Caddy with automatic TLS, and docs/vm.md",
                TodoKind::Generate("ansible/".into()),
            ));
        }
        if task.wants_backups() {
            work.push(todo(
                "backup",
                "Write the database backups: a scheduled pg_dump or mysqldump proven whole, retention, a restore that rebuilds a copy and checks it answers, and docs/backup.md",
                TodoKind::Generate("backup/".into()),
            ));
        }
        let words = task.declined();
        let declined_todo = (!words.is_empty()).then(|| {
            let mut t = todo(
                "declined",
                format!("Not done by the built-in engine: {}", words.join("; ")),
                TodoKind::Declined,
            );
            t.status = TodoStatus::Skipped;
            t.detail = Some(format!(
                "the built-in engine cannot yet {}; nothing is generated for it (an LLM provider in Settings can attempt it, through the same review)",
                words.join(" or ")
            ));
            t
        });
        // At most 10 steps: the frame (4), the work, the declined note, reflect and ship.
        // Neighbouring steps merge, the later one's files filed under the earlier one.
        let room = 10 - 4 - 2 - usize::from(declined_todo.is_some());
        for (from, into, title) in [
            ("runbook", "pipeline", "Write the CI/CD pipeline, the runbook docs/deploy.md and the list of secrets to create"),
            ("dockerignore", "dockerfile", "Write a multi-stage Dockerfile and a .dockerignore (cached dependency layer, non-root user, no secrets in the context)"),
            ("compose", "dockerfile", "Write the Dockerfile, .dockerignore and compose.yaml for the app and the services it needs"),
        ] {
            if work.len() <= room {
                break;
            }
            if work.iter().any(|t| t.id == from) && work.iter().any(|t| t.id == into) {
                work.retain(|t| t.id != from);
                if let Some(t) = work.iter_mut().find(|t| t.id == into) {
                    t.title = title.to_string();
                }
                for r in routes.iter_mut().filter(|r| r.1 == from) {
                    r.1 = into.to_string();
                }
                routes.push((from.to_string(), into.to_string()));
            }
        }
        todos.extend(work);
        todos.extend(declined_todo);
        todos.push(todo(
            "reflect",
            if task.wants_cloud() && !task.wants(Intent::Kubernetes) {
                "Reflect: check public buckets and databases, open ports, encryption, backups and deletion protection, IAM wildcards, state locking"
            } else if task.wants_vm() {
                "Reflect: check logins and the firewall, secrets kept out of files, images pinned by digest, requests held through restarts"
            } else if task.wants(Intent::Kubernetes) {
                "Reflect: check probes, resources, non-root pods, selectors and ports, drains and zero-downtime rollouts"
            } else if pipeline {
                "Reflect: check security (permissions, pinned versions, secrets by name), deploy gates and zero-downtime"
            } else {
                "Reflect: check security (non-root, secrets), pinned tags and image size"
            },
            TodoKind::Reflect,
        ));
        todos.push(todo("ship", "Commit and push", TodoKind::Ship));
        debug_assert!((5..=10).contains(&todos.len()));
        Plan { todos, routes }
    }

    /// The step an artifact of `step` is filed under: the step itself, the step it was merged
    /// into, or none when this plan leaves that step's files out (compose for a pipeline).
    pub fn step_for(&self, step: &str) -> Option<String> {
        if let Some((_, into)) = self.routes.iter().find(|(from, _)| from == step) {
            return (!into.is_empty()).then(|| into.clone());
        }
        self.todos.iter().any(|t| t.id == step).then(|| step.to_string())
    }

    /// Writes the todo list for a task the LLM carries out: the same frame, with one work step
    /// that the model replaces with its own (see [`Plan::set_work`]).
    pub fn for_model() -> Plan {
        let mut todos = frame();
        todos.extend([
            todo(
                "work",
                "Carry out the task (the model writes its steps here)",
                TodoKind::Work,
            ),
            todo(
                "reflect",
                "Reflect: check security (non-root, secrets), pinned tags and image size",
                TodoKind::Reflect,
            ),
            todo("ship", "Commit and push", TodoKind::Ship),
        ]);
        Plan {
            todos,
            routes: Vec::new(),
        }
    }

    /// Replaces the work steps with `work` (at most 4, so the list stays within 10), keeping the
    /// frame: the reflection next-to-last and shipping last.
    pub fn set_work(&mut self, work: &[Todo]) {
        let at = self
            .todos
            .iter()
            .position(|t| t.kind == Some(TodoKind::Work) || t.kind == Some(TodoKind::Reflect))
            .unwrap_or(self.todos.len());
        self.todos.retain(|t| t.kind != Some(TodoKind::Work));
        let at = at.min(self.todos.len());
        for (i, t) in work.iter().take(4).enumerate() {
            let mut t = t.clone();
            t.kind = Some(TodoKind::Work);
            self.todos.insert(at + i, t);
        }
    }

    /// The steps with `kind`.
    pub fn of_kind<'a>(&'a self, kind: &'a TodoKind) -> impl Iterator<Item = &'a Todo> + 'a {
        self.todos.iter().filter(move |t| t.kind.as_ref() == Some(kind))
    }

    /// The step with `id`.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Todo> {
        self.todos.iter_mut().find(|t| t.id == id)
    }

    /// Sets a step's status and detail.
    pub fn mark(&mut self, id: &str, status: TodoStatus, detail: Option<String>) {
        if let Some(t) = self.get_mut(id) {
            t.status = status;
            if detail.is_some() {
                t.detail = detail;
            }
        }
    }
}

/// The framework's name as people write it.
pub fn framework_name(id: &str) -> &str {
    match id {
        "nextjs" => "Next.js",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::understand;

    #[test]
    fn containerize_plan_has_the_workflow_shape() {
        let plan = Plan::for_task(&understand("containerize this app").unwrap());
        let n = plan.todos.len();
        assert!((5..=10).contains(&n), "the workflow asks for 5 to 10 steps, got {n}");
        assert_eq!(
            plan.todos[n - 2].kind,
            Some(TodoKind::Reflect),
            "next-to-last is the reflection"
        );
        assert_eq!(plan.todos[n - 1].kind, Some(TodoKind::Ship), "last is commit and push");
        assert!(
            plan.todos.iter().all(|t| t.status == TodoStatus::Pending),
            "a new plan has nothing done"
        );
        let generated: Vec<_> = plan
            .todos
            .iter()
            .filter_map(|t| match &t.kind {
                Some(TodoKind::Generate(p)) => Some(p.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(generated, ["Dockerfile", ".dockerignore", "compose.yaml"]);
    }
}
