//! The workflow runner.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use slipway_engine::changeset::ApplyReport;
use slipway_engine::check::{check_file, Finding, Severity};
use slipway_engine::generate::{containerize, merge_env_example, Artifact};
use slipway_engine::pipeline::{Pipeline, Requirement};
use slipway_engine::plan::framework_name;
use slipway_engine::spec::DeploySpec;
use slipway_engine::{
    knowledge, task, Change, ChangeAction, ChangeSet, Intent, Plan, Task, Todo, TodoKind, TodoStatus,
};
use slipway_git::{CommitInfo, PushOutcome};
use slipway_scan::{ProjectProfile, ProjectView};

use crate::agent::LlmSettings;
use crate::{ApiError, ProjectRules};
use slipway_engine::TaskError;
use slipway_llm::{Cancel, LlmError, Usage};

/// Receives the todo list every time it changes.
pub trait RunObserver: Send + Sync {
    /// The whole list, after a change.
    fn todos(&self, todos: &[Todo]);
}

impl RunObserver for () {
    fn todos(&self, _: &[Todo]) {}
}

/// What the command line asks a run to go on to.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Write the changes.
    pub apply: bool,
    /// Commit them.
    pub commit: bool,
    /// Push the commit.
    pub push: bool,
}

/// One task on one project, from the todo list to the push.
#[derive(Debug, Clone)]
pub struct Run {
    /// The project root, absolute.
    pub root: PathBuf,
    /// The task as understood.
    pub task: Task,
    /// The live todo list.
    pub plan: Plan,
    /// The analysis.
    pub profile: ProjectProfile,
    /// The project's rules.
    pub rules: ProjectRules,
    /// What the checks said.
    pub findings: Vec<Finding>,
    /// Proposed changes.
    pub changes: ChangeSet,
    /// Parts of the task the engine declined, in words.
    pub declined: Vec<String>,
    /// What apply wrote, once applied.
    pub applied: Option<ApplyReport>,
    /// The commit, once made.
    pub commit: Option<CommitInfo>,
    /// The push, once tried.
    pub push: Option<PushOutcome>,
    /// The host of the remote pushed to (tokens are stored per host).
    pub push_host: Option<String>,
    /// Which brain did the work, in words.
    pub brain: String,
    /// Tokens the model used (LLM runs).
    pub usage: Option<Usage>,
    /// The model's closing words (LLM runs).
    pub summary: Option<String>,
    /// What Slipway understood about the deployment, for pipeline and platform tasks.
    pub spec: Option<DeploySpec>,
    /// The pipeline as a value, for the picture of it.
    pub pipeline: Option<Pipeline>,
    /// What will run in the cluster, for Kubernetes tasks: entry, Service, Deployment, bounds.
    pub topology: Vec<slipway_engine::kube::Topology>,
    /// What will run on the cloud and what it costs, for cloud tasks.
    pub cloud: Option<slipway_engine::cloud::CloudView>,
    /// The secrets and variables the person must create.
    pub requirements: Vec<Requirement>,
}

/// Who carries out the work step.
#[derive(Debug, Clone)]
pub enum Brain {
    /// The deterministic generators: offline, no key.
    Builtin,
    /// A language model through a provider, with Slipway's tools.
    Llm(Box<LlmSettings>),
}

impl Brain {
    /// The brain in words: `built-in engine` or `openai gpt-4.1 at https://…`.
    pub fn describe(&self) -> String {
        match self {
            Brain::Builtin => "built-in engine".into(),
            Brain::Llm(s) => {
                let c = s.client.config();
                format!("{} {} at {}", c.kind.id(), c.model, s.client.endpoint())
            }
        }
    }
}

/// The result of a run, as `slipway run --json` prints it and the UI shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// The task text.
    pub task: String,
    /// The todo list.
    pub todos: Vec<Todo>,
    /// Proposed changes with their diffs.
    pub changes: Vec<Change>,
    /// What the reflection found.
    pub findings: Vec<Finding>,
    /// The commit, when one was made.
    pub commit: Option<CommitInfo>,
    /// The push, when one was tried.
    pub push: Option<PushReport>,
    /// Rule files read.
    pub rules_read: Vec<String>,
    /// Parts of the task the engine declined, in words.
    pub declined: Vec<String>,
    /// The analysis.
    pub profile: ProjectProfile,
    /// Which brain did the work, in words.
    pub brain: String,
    /// Tokens the model used (LLM runs).
    pub usage: Option<Usage>,
    /// The model's closing words (LLM runs).
    pub summary: Option<String>,
    /// The branch a new-branch commit would go on.
    pub new_branch: String,
    /// The rule file that keeps work off `main`, when there is one.
    pub branch_rule: Option<String>,
    /// The branch HEAD is on now.
    pub current_branch: Option<String>,
    /// What Slipway understood about the deployment, for pipeline and platform tasks.
    pub spec: Option<DeploySpec>,
    /// The pipeline as a value: jobs, needs, gates and environments.
    pub pipeline: Option<Pipeline>,
    /// What will run in the cluster, for Kubernetes tasks.
    #[serde(default)]
    pub topology: Vec<slipway_engine::kube::Topology>,
    /// What will run on the cloud and what it costs a month, for cloud tasks.
    #[serde(default)]
    pub cloud: Option<slipway_engine::cloud::CloudView>,
    /// The secrets and variables to create, where, and why: the checklist.
    pub requirements: Vec<Requirement>,
}

/// A push outcome, flattened for scripts: `{"outcome", "remote", "branch", "message"}`.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct PushReport {
    /// `pushed`, `no_remote`, `needs_credentials`, `rejected` or `unreachable`.
    pub outcome: String,
    /// The remote, when there is one.
    pub remote: Option<String>,
    /// The branch.
    pub branch: String,
    /// The outcome in words.
    pub message: String,
    /// The remote's host, where a token for it would be stored (HTTPS remotes).
    pub host: Option<String>,
}

impl From<&PushOutcome> for PushReport {
    fn from(p: &PushOutcome) -> Self {
        let (outcome, remote, branch) = match p {
            PushOutcome::Pushed { remote, branch } => ("pushed", Some(remote), branch),
            PushOutcome::NoRemote { branch } => ("no_remote", None, branch),
            PushOutcome::NeedsCredentials { remote, branch, .. } => ("needs_credentials", Some(remote), branch),
            PushOutcome::Rejected { remote, branch, .. } => ("rejected", Some(remote), branch),
            PushOutcome::Unreachable { remote, branch, .. } => ("unreachable", Some(remote), branch),
        };
        PushReport {
            outcome: outcome.into(),
            remote: remote.cloned(),
            branch: branch.clone(),
            message: p.describe(),
            host: None,
        }
    }
}

struct Steps<'a> {
    plan: Plan,
    observer: &'a dyn RunObserver,
}

impl Steps<'_> {
    fn set(&mut self, id: &str, status: TodoStatus, detail: Option<String>) {
        if let Some(d) = &detail {
            tracing::info!(step = id, status = ?status, "{d}");
        }
        self.plan.mark(id, status, detail);
        self.observer.todos(&self.plan.todos);
    }
    fn start(&mut self, id: &str) {
        self.set(id, TodoStatus::InProgress, None);
    }
}

fn describe_service(profile: &ProjectProfile) -> String {
    profile
        .services
        .iter()
        .map(|s| {
            let mut parts = vec![format!("{} ({})", s.name, s.path)];
            if let Some(fw) = &s.framework {
                parts.push(framework_name(fw).to_string());
            }
            if let (Some(l), Some(v)) = (&s.language, &s.runtime_version) {
                parts.push(format!("{} {v}", if l == "node" { "Node.js" } else { l }));
            }
            if let Some(pm) = &s.package_manager {
                parts.push(pm.clone());
            }
            if let Some(p) = s.port {
                parts.push(format!("port {p}"));
            }
            if !s.backing_services.is_empty() {
                parts.push(format!("needs {}", s.backing_services.join(", ")));
            }
            parts.join(", ")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The model's work: the agent loop, with its todos shown live. Returns the proposals, the
/// tokens used and the model's closing words.
fn model_work(
    steps: &mut Steps,
    settings: &LlmSettings,
    briefing: &crate::agent::Briefing,
    root: &Path,
    cancel: &Cancel,
) -> Result<(Vec<Artifact>, Usage, String), ApiError> {
    steps.start("work");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ApiError::Llm(LlmError::Config(format!("cannot start the network runtime: {e}"))))?;
    let result = {
        let mut on_todos = |work: &[Todo]| {
            steps.plan.set_work(work);
            steps.observer.todos(&steps.plan.todos);
        };
        runtime.block_on(crate::agent::work(settings, briefing, root, cancel, &mut on_todos))
    };
    match result {
        Ok(outcome) => {
            // A model that never wrote its steps keeps the placeholder step.
            if !outcome.todos.is_empty() {
                steps.plan.set_work(&outcome.todos);
            }
            let ids: Vec<(String, TodoStatus)> = steps
                .plan
                .of_kind(&TodoKind::Work)
                .map(|t| (t.id.clone(), t.status))
                .collect();
            let files: Vec<String> = outcome.proposed.iter().map(|a| a.path.clone()).collect();
            let proposed = if files.is_empty() {
                "proposed no files".to_string()
            } else {
                format!("proposed {}", files.join(", "))
            };
            for (id, status) in ids {
                match (status, &outcome.stopped) {
                    (TodoStatus::Pending | TodoStatus::InProgress, Some(why)) => {
                        steps.set(&id, TodoStatus::Failed, Some(format!("{why}; {proposed}")))
                    }
                    (TodoStatus::InProgress, None) if id == "work" => {
                        steps.set(&id, TodoStatus::Done, Some(proposed.clone()))
                    }
                    (TodoStatus::InProgress, None) => steps.set(&id, TodoStatus::Done, None),
                    (TodoStatus::Pending, None) => steps.set(
                        &id,
                        TodoStatus::Skipped,
                        Some("the model finished without starting this step".into()),
                    ),
                    _ => steps.observer.todos(&steps.plan.todos),
                }
            }
            if let Some(why) = &outcome.stopped {
                tracing::warn!("the model was stopped: {why}");
            }
            tracing::info!(
                input = outcome.usage.input_tokens,
                output = outcome.usage.output_tokens,
                requests = outcome.usage.requests,
                "model usage"
            );
            Ok((outcome.proposed, outcome.usage, outcome.summary))
        }
        Err(failure) => {
            let (status, detail, err) = match failure {
                crate::agent::Failure::Cancelled(_) => {
                    (TodoStatus::Skipped, "cancelled".to_string(), ApiError::Cancelled)
                }
                crate::agent::Failure::Provider(e, _) => (TodoStatus::Failed, e.to_string(), ApiError::Llm(e)),
            };
            for id in steps
                .plan
                .of_kind(&TodoKind::Work)
                .map(|t| (t.id.clone(), t.status))
                .filter(|(_, s)| matches!(s, TodoStatus::Pending | TodoStatus::InProgress))
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
            {
                steps.set(&id, status, Some(detail.clone()));
            }
            for id in ["reflect", "ship"] {
                steps.set(id, TodoStatus::Skipped, Some(format!("not reached: {detail}")));
            }
            Err(err)
        }
    }
}

/// What the work step produced: proposals, existing files kept for the reflection to review,
/// and findings about parts left out.
type Work = (Vec<Artifact>, Vec<String>, Vec<Finding>);

/// What the built-in families produced beyond files: the pipeline, the cluster's picture and
/// the Secrets to create in the cluster.
type Produced = (
    Option<slipway_engine::pipeline::Generated>,
    Vec<slipway_engine::kube::Topology>,
    Vec<Requirement>,
    Vec<(String, String)>,
    Option<slipway_engine::cloud::CloudView>,
);

/// The built-in engine's work: the generators, matched to the plan's steps.
fn builtin_work(
    steps: &mut Steps,
    root: &Path,
    profile: &ProjectProfile,
    spec: Option<&DeploySpec>,
    supported: &[Intent],
    backup: Option<&slipway_engine::backup::BackupSpec>,
) -> Result<(Work, Produced), ApiError> {
    let root = root.to_path_buf();
    let mut left_out = Vec::new();
    let wants_image = supported.contains(&Intent::Containerize) || spec.is_some();
    let mut artifacts = if wants_image {
        match containerize(profile) {
            Ok(c) => {
                for (path, why) in &c.left_out {
                    tracing::warn!("{path}: {why}");
                    left_out.push(slipway_engine::Finding {
                        severity: slipway_engine::Severity::Warning,
                        rule: "containerize/not-covered".into(),
                        path: path.clone(),
                        line: None,
                        message: format!("left out: {why}"),
                    });
                }
                let mut artifacts = c.artifacts;
                for a in artifacts.iter_mut().filter(|a| a.path.ends_with(".dockerignore")) {
                    // A member's Dockerfile.dockerignore applies at the workspace root.
                    let dir = match a.path.rsplit_once('/') {
                        Some((d, name)) if name != "Dockerfile.dockerignore" => d,
                        _ => "",
                    };
                    for gi in [format!("{dir}/.gitignore"), ".gitignore".to_string()] {
                        let gi = gi.trim_start_matches('/').to_string();
                        if let Ok(text) = std::fs::read_to_string(root.join(&gi)) {
                            a.content = slipway_engine::generate::merge_gitignore(&a.content, &text);
                            break;
                        }
                    }
                }
                artifacts
            }
            Err(e) => {
                if let Some(t) = steps
                    .plan
                    .todos
                    .iter()
                    .find(|t| matches!(t.kind, Some(TodoKind::Generate(_))))
                {
                    let id = t.id.clone();
                    steps.set(&id, TodoStatus::Failed, Some(e.to_string()));
                }
                return Err(e.into());
            }
        }
    } else {
        Vec::new()
    };
    let mut generated = None;
    let mut topology = Vec::new();
    let mut cluster_secrets = Vec::new();
    let mut rendered = Vec::new();
    let mut cloud = None;
    if let Some(b) = backup {
        // The backup reaches the database under its compose name: this run's compose file, or
        // the project's own.
        let compose = artifacts
            .iter()
            .find(|a| a.path == "compose.yaml")
            .map(|a| a.content.clone())
            .or_else(|| slipway_engine::backup::project_compose(profile, &root));
        match slipway_engine::backup::generate(profile, b, compose.as_deref()) {
            Ok(g) => {
                for n in &g.notes {
                    tracing::info!("{n}");
                }
                artifacts.extend(g.artifacts);
            }
            // A server on a cloud is backed up whole by the cloud: without a database, that is
            // all there is to back up.
            Err(why)
                if why == slipway_engine::backup::NO_DATABASE
                    && spec.and_then(|s| s.cloud.as_ref()).is_some_and(|c| c.server.is_some()) =>
            {
                let doc = spec
                    .and_then(|s| s.cloud.as_ref())
                    .map(|c| c.provider.clone())
                    .unwrap_or_default();
                left_out.push(slipway_engine::Finding {
                    severity: slipway_engine::Severity::Info,
                    rule: "backup/disk-only".into(),
                    path: format!("docs/{doc}.md"),
                    line: None,
                    message: format!("{why}: the server's daily disk backups (docs/{doc}.md) are its backups"),
                });
            }
            Err(why) => {
                steps.set("backup", TodoStatus::Failed, Some(why.clone()));
                return Err(ApiError::Spec(why));
            }
        }
    }
    if let Some(spec) = spec {
        let build_images: Vec<(String, String)> = profile
            .services
            .iter()
            .filter_map(|s| slipway_engine::generate::build_image(s).map(|i| (s.name.clone(), i)))
            .collect();
        if steps.plan.todos.iter().any(|t| t.id == "kubernetes") {
            let (images, warnings) = slipway_engine::kube::image_facts_in(profile, &root);
            left_out.extend(warnings);
            let remote = slipway_engine::kube::remote_url(profile);
            match slipway_engine::kube::generate(spec, &images, remote.as_deref()) {
                Ok(g) => {
                    artifacts.extend(g.artifacts);
                    // The person's other manifests get their retired API versions moved on,
                    // in place, beside the new files.
                    let workloads = kube_workloads(profile, &root, spec);
                    improve_others(
                        profile,
                        &root,
                        &mut artifacts,
                        "kubernetes",
                        "kubernetes",
                        |text| slipway_engine::kube::improve::improve_with(text, &workloads),
                        "with its retired API versions moved on and what its workloads lack added",
                    );
                    topology = g.topology;
                    cluster_secrets = g.requirements;
                    rendered = g.rendered;
                }
                Err(why) => {
                    steps.set("kubernetes", TodoStatus::Failed, Some(why.clone()));
                    return Err(ApiError::Spec(why));
                }
            }
        }
        if steps.plan.todos.iter().any(|t| t.id == "vm") {
            match slipway_engine::vm::generate_with_backups(spec, backup) {
                Ok(g) => {
                    artifacts.extend(g.artifacts);
                    cluster_secrets.extend(g.requirements);
                }
                Err(why) => {
                    steps.set("vm", TodoStatus::Failed, Some(why.clone()));
                    return Err(ApiError::Spec(why));
                }
            }
        }
        if steps.plan.todos.iter().any(|t| t.id == "cloud") {
            let (images, warnings) = slipway_engine::kube::image_facts_in(profile, &root);
            left_out.extend(warnings);
            let remote = slipway_engine::kube::remote_url(profile);
            match slipway_engine::cloud::generate(spec, &images, remote.as_deref()) {
                Ok(g) => {
                    artifacts.extend(g.artifacts);
                    // The person's own Terraform gets what it lacks, in place.
                    improve_others(
                        profile,
                        &root,
                        &mut artifacts,
                        "terraform",
                        "cloud",
                        slipway_engine::cloud::improve::improve_terraform,
                        "with the state lock, provider pins, tags and database backups it lacked added",
                    );
                    cluster_secrets.extend(g.requirements);
                    left_out.extend(g.findings);
                    cloud = Some(slipway_engine::cloud::CloudView {
                        picture: g.picture,
                        cost: g.cost,
                    });
                }
                Err(why) => {
                    steps.set("cloud", TodoStatus::Failed, Some(why.clone()));
                    return Err(ApiError::Spec(why));
                }
            }
        }
        let wants_pipeline = steps.plan.todos.iter().any(|t| t.id == "pipeline");
        if wants_pipeline {
            match slipway_engine::pipeline::generate(spec, &build_images) {
                Ok(g) => {
                    artifacts.extend(g.artifacts.iter().cloned());
                    // The project's own workflows are improved in place, beside the new pipeline.
                    improve_others(
                        profile,
                        &root,
                        &mut artifacts,
                        "github-actions",
                        "pipeline",
                        slipway_engine::pipeline::improve::improve_workflow,
                        "with its retired or floating pins and token permissions fixed",
                    );
                    generated = Some(g);
                }
                Err(why) => {
                    steps.set("pipeline", TodoStatus::Failed, Some(why.clone()));
                    return Err(ApiError::Unsupported { asked: why });
                }
            }
        }
    }
    let mut proposed: Vec<Artifact> = Vec::new();
    let mut kept: Vec<String> = Vec::new();
    let generate_steps: Vec<(String, String)> = steps
        .plan
        .todos
        .iter()
        .filter_map(|t| match &t.kind {
            Some(TodoKind::Generate(p)) => Some((t.id.clone(), p.clone())),
            _ => None,
        })
        .collect();
    for (id, file) in &generate_steps {
        steps.start(id);
        // Each artifact names its step; merged steps are filed under the step they joined.
        let _ = file;
        let mine: Vec<&Artifact> = artifacts
            .iter()
            .filter(|a| steps.plan.step_for(&a.step).as_deref() == Some(id.as_str()))
            .collect();
        let mut done = Vec::new();
        let mut skipped = Vec::new();
        let mut improved_in_place: Vec<String> = Vec::new();
        for a in mine {
            let on_disk = root.join(&a.path);
            match std::fs::read(&on_disk) {
                Ok(existing) if a.path.ends_with(".env.example") => {
                    // The user's example file is extended, never replaced.
                    let text = String::from_utf8_lossy(&existing);
                    if let Some(content) = merge_env_example(&text, &a.content) {
                        done.push(a.path.clone());
                        proposed.push(Artifact { content, ..a.clone() });
                    }
                }
                Ok(existing) if existing != a.content.as_bytes() => {
                    // The user's own Dockerfile is improved in place where it is wrong,
                    // keeping every other line; other files of theirs are kept as they
                    // are. Either way the reflection reviews the result.
                    let text = String::from_utf8_lossy(&existing);
                    let service = profile
                        .services
                        .iter()
                        .find(|s| slipway_engine::generate::service_file(s, "Dockerfile") == a.path);
                    let improved = if a.path == "compose.yaml" {
                        slipway_engine::generate::improve_compose(&text)
                    } else if a.path.starts_with(".github/workflows/") {
                        slipway_engine::pipeline::improve::improve_workflow(&text)
                    } else if a.path == slipway_engine::pipeline::gitlab::PATH {
                        slipway_engine::pipeline::extend::extend_gitlab(&text, &a.content)
                    } else if a.step == "platform" {
                        slipway_engine::pipeline::platform::extend(&a.path, &text, &a.content)
                    } else if a.step == "cloud" && a.path.ends_with(".tf") {
                        slipway_engine::cloud::improve::improve_terraform(&text)
                    } else if a.step == "kubernetes" && slipway_engine::kube::checks::is_manifest(&text) {
                        match spec {
                            Some(spec) => slipway_engine::kube::improve::improve_with(
                                &text,
                                &kube_workloads(profile, &root, spec),
                            ),
                            None => slipway_engine::kube::improve::improve_manifest(&text),
                        }
                    } else {
                        service
                            .filter(|_| a.path.ends_with("Dockerfile"))
                            .and_then(|s| slipway_engine::generate::improve_dockerfile(&text, s))
                    };
                    match improved {
                        Some((content, reasons)) => {
                            tracing::info!(path = %a.path, "improving the existing file in place: {}", reasons.join("; "));
                            improved_in_place.push(format!("{} in place: {}", a.path, reasons.join("; ")));
                            proposed.push(Artifact {
                                content,
                                purpose: format!(
                                    "your {} with what was wrong in it fixed, each change explained",
                                    a.path
                                ),
                                ..a.clone()
                            });
                        }
                        None => {
                            skipped.push(a.path.clone());
                            kept.push(a.path.clone());
                        }
                    }
                }
                _ => {
                    done.push(a.path.clone());
                    proposed.push(a.clone());
                }
            }
        }
        let mut parts = Vec::new();
        if !done.is_empty() {
            parts.push(format!("proposed {}", done.join(", ")));
        }
        for p in &improved_in_place {
            parts.push(format!("improved the existing {p}"));
        }
        let (status, detail) = if parts.is_empty() {
            if skipped.is_empty() {
                (TodoStatus::Skipped, "nothing to write for this project".to_string())
            } else {
                (
                    TodoStatus::Skipped,
                    format!(
                        "{} already exists and is kept as it is; the reflection reviews it{}",
                        skipped.join(", "),
                        not_merged(&skipped)
                    ),
                )
            }
        } else {
            if !skipped.is_empty() {
                parts.push(format!("kept the existing {}", skipped.join(", ")));
            }
            (TodoStatus::Done, parts.join("; "))
        };
        steps.set(id, status, Some(detail));
    }
    if spec.is_some() {
        // The project's other pipelines are reviewed too: they run beside the new one.
        for f in profile
            .infrastructure
            .iter()
            .filter(|f| matches!(f.kind.as_str(), "github-actions" | "gitlab-ci"))
        {
            if !proposed.iter().any(|a| a.path == f.path) && !kept.contains(&f.path) {
                kept.push(f.path.clone());
            }
        }
    }
    Ok((
        (proposed, kept, left_out),
        (generated, topology, cluster_secrets, rendered, cloud),
    ))
}

/// What the person's Kubernetes workloads are given where they lack it, with the budgets their
/// manifests already have.
fn kube_workloads<'a>(
    profile: &ProjectProfile,
    root: &Path,
    spec: &'a DeploySpec,
) -> slipway_engine::kube::improve::Workloads<'a> {
    let texts: Vec<String> = profile
        .infrastructure
        .iter()
        .filter(|f| f.kind == "kubernetes")
        .filter_map(|f| std::fs::read_to_string(root.join(&f.path)).ok())
        .collect();
    slipway_engine::kube::improve::Workloads {
        spec,
        budgets: slipway_engine::kube::improve::Workloads::budgets_in(texts.iter().map(String::as_str)),
    }
}

/// The person's files of an infrastructure `kind` that no artifact replaces, improved in place
/// by `improve` where it finds something wrong; each becomes an artifact of `step`, which the
/// generate step proposes as an improvement of the existing file.
fn improve_others(
    profile: &ProjectProfile,
    root: &Path,
    artifacts: &mut Vec<Artifact>,
    kind: &str,
    step: &str,
    improve: impl Fn(&str) -> Option<(String, Vec<String>)>,
    what: &str,
) {
    for f in profile.infrastructure.iter().filter(|f| f.kind == kind) {
        if artifacts.iter().any(|a| a.path == f.path) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(&f.path)) else {
            continue;
        };
        if let Some((content, _)) = improve(&text) {
            artifacts.push(Artifact {
                path: f.path.clone(),
                content,
                purpose: format!("your {} {what}", f.path),
                step: step.into(),
            });
        }
    }
}

/// Why a file of the person's was kept rather than extended, for the files Slipway does not
/// merge into yet; empty for the others (kept because nothing in them needed changing).
fn not_merged(kept: &[String]) -> String {
    let names: Vec<&str> = kept
        .iter()
        .map(String::as_str)
        .filter(|p| {
            let file = p.rsplit('/').next().unwrap_or(p);
            *p == ".circleci/config.yml" || file == "Jenkinsfile" || file == "render.yaml" || file == "heroku.yml"
        })
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(
            ". Slipway extends GitHub workflows, GitLab pipelines and TOML and JSON platform files; it does not merge into {} yet, so nothing was added to {}",
            names.join(" or "),
            if names.len() == 1 { "it" } else { "them" }
        )
    }
}

impl Run {
    /// A run that proposes the fix of one drift, ready for review like any task's result.
    pub fn from_drift(
        profile: ProjectProfile,
        drift: &slipway_engine::drift::Drift,
        observer: &dyn RunObserver,
    ) -> Result<Run, ApiError> {
        let root = PathBuf::from(&profile.root);
        let task = Task {
            text: format!("bring {} in step with the project", drift.path),
            intents: Vec::new(),
            params: Default::default(),
        };
        let mut plan = Plan::for_model();
        let rules = ProjectRules::for_profile(&root, &profile);
        plan.mark("analyse", TodoStatus::Done, Some(format!("drift: {}", drift.message)));
        plan.mark("rules", TodoStatus::Done, Some(rules.describe()));
        plan.mark(
            "research",
            TodoStatus::Done,
            Some(format!("built-in knowledge checked on {}", knowledge::CHECKED_ON)),
        );
        plan.mark(
            "context",
            TodoStatus::Done,
            Some(format!("{} exists and is patched in place", drift.path)),
        );
        if let Some(t) = plan.get_mut("work") {
            t.title = format!("Update {}", drift.path);
            t.status = TodoStatus::Done;
            t.detail = Some(format!("proposed the fix for {}", drift.path));
        }
        let artifact = Artifact {
            path: drift.path.clone(),
            content: drift.fixed.clone(),
            purpose: format!("fixes drift: {}", drift.message),
            step: "work".into(),
        };
        let changes = ChangeSet::preview(&root, std::slice::from_ref(&artifact))?;
        let findings: Vec<Finding> = changes
            .changes
            .iter()
            .flat_map(|c| check_file(&c.path, &c.after, &profile.services))
            .collect();
        let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
        plan.mark(
            "reflect",
            if errors > 0 {
                TodoStatus::Failed
            } else {
                TodoStatus::Done
            },
            Some(format!(
                "checked the patched {}: {errors} errors, {} findings",
                drift.path,
                findings.len()
            )),
        );
        plan.mark(
            "ship",
            TodoStatus::Pending,
            Some(format!("waiting for review of {}", drift.path)),
        );
        observer.todos(&plan.todos);
        tracing::info!(path = %drift.path, "proposed a drift fix: {}", drift.message);
        Ok(Run {
            root,
            task,
            plan,
            profile,
            rules,
            findings,
            changes,
            declined: Vec::new(),
            applied: None,
            commit: None,
            push: None,
            push_host: None,
            brain: "built-in engine".into(),
            usage: None,
            summary: None,
            spec: None,
            pipeline: None,
            topology: Vec::new(),
            cloud: None,
            requirements: Vec::new(),
        })
    }

    /// Understands the task, writes the todo list, and works through it up to the review with
    /// the built-in engine: everything is prepared and checked, nothing is written.
    pub fn prepare(root: &Path, task_text: &str, observer: &dyn RunObserver) -> Result<Run, ApiError> {
        Run::prepare_with(root, task_text, &Brain::Builtin, observer, &Cancel::new())
    }

    /// [`Run::prepare`] with either brain. The LLM works inside the same run: the same analysis,
    /// rules, research and context first, the same reflection and review after, and `cancel`
    /// stops it at the next wait.
    pub fn prepare_with(
        root: &Path,
        task_text: &str,
        brain: &Brain,
        observer: &dyn RunObserver,
        cancel: &Cancel,
    ) -> Result<Run, ApiError> {
        let task = match (task::understand(task_text), brain) {
            (Ok(t), _) => t,
            // A model reads free-form tasks the keyword table does not know.
            (Err(TaskError::NotUnderstood(text)), Brain::Llm(_)) => Task {
                text,
                intents: Vec::new(),
                params: Default::default(),
            },
            (Err(e), _) => return Err(e.into()),
        };
        let view = ProjectView::open(root)?;
        let left_out = task.unsupported();
        let supported: Vec<Intent> = task.intents.iter().copied().filter(|i| !left_out.contains(i)).collect();
        let declined: Vec<String> = match brain {
            Brain::Builtin => task.declined(),
            Brain::Llm(_) => Vec::new(),
        };
        if supported.is_empty() && matches!(brain, Brain::Builtin) {
            return Err(ApiError::Unsupported {
                asked: declined.join(" and "),
            });
        }
        let root = view.root().to_path_buf();

        // 1. The todo list comes first.
        let mut steps = Steps {
            plan: match brain {
                Brain::Builtin => Plan::for_task(&task),
                Brain::Llm(_) => Plan::for_model(),
            },
            observer,
        };
        steps.observer.todos(&steps.plan.todos);
        tracing::info!(task = %task.text, root = %root.display(), brain = %brain.describe(), "task understood");
        for d in &declined {
            tracing::warn!("the built-in engine cannot yet {d}; that part of the task is left out");
        }

        // 2. Analyse.
        steps.start("analyse");
        let profile = match crate::scan(&root) {
            Ok(p) => p,
            Err(e) => {
                steps.set("analyse", TodoStatus::Failed, Some(e.to_string()));
                return Err(e);
            }
        };
        for w in &profile.warnings {
            tracing::warn!(path = %w.path, "{}", w.message);
        }
        if profile.services.is_empty() {
            let e = ApiError::Generate(slipway_engine::generate::GenerateError::NoService(profile.root.clone()));
            steps.set("analyse", TodoStatus::Failed, Some(e.to_string()));
            return Err(e);
        }
        steps.set(
            "analyse",
            TodoStatus::Done,
            Some(format!("found {}", describe_service(&profile))),
        );

        // 3. The project's rules.
        steps.start("rules");
        let rules = ProjectRules::for_profile(&root, &profile);
        let rules_detail = rules.describe();
        steps.set("rules", TodoStatus::Done, Some(rules_detail.clone()));

        // 4. Research, from built-in knowledge (and the documentation service, for the model).
        steps.start("research");
        let images: Vec<String> = profile
            .services
            .iter()
            .filter_map(slipway_engine::generate::base_image)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let docs = match brain {
            Brain::Llm(s) if s.docs.is_some() => format!(
                "documentation service at {} available to the model",
                s.docs.as_ref().map(|d| d.base()).unwrap_or_default()
            ),
            _ => "no documentation service configured".to_string(),
        };
        steps.set(
            "research",
            TodoStatus::Done,
            Some(format!(
                "built-in knowledge checked on {}: base {}; multi-stage builds with BuildKit cache mounts, non-root users; {docs}",
                knowledge::CHECKED_ON,
                if images.is_empty() { "images per stack".to_string() } else { images.join(", ") },
            )),
        );

        // 5. Context: history and what exists already.
        steps.start("context");
        let mut context = match &profile.git {
            Some(g) if !g.recent_commits.is_empty() => {
                for c in &g.recent_commits {
                    tracing::info!(commit = %c.id, "{}", c.summary);
                }
                format!(
                    "{} recent commits on {}, latest {} \"{}\"",
                    g.recent_commits.len(),
                    g.branch.as_deref().unwrap_or("a detached HEAD"),
                    g.recent_commits[0].id,
                    g.recent_commits[0].summary
                )
            }
            Some(_) => "a git repository with no commits yet".to_string(),
            None => "not a git repository".to_string(),
        };
        if profile.infrastructure.is_empty() {
            context.push_str("; no deployment files yet");
        } else {
            let list: Vec<String> = profile
                .infrastructure
                .iter()
                .map(|f| format!("{} ({})", f.path, f.kind))
                .collect();
            context.push_str(&format!("; existing: {}", list.join(", ")));
        }
        steps.set("context", TodoStatus::Done, Some(context.clone()));

        // 6. The work itself.
        let mut usage = None;
        let mut model_summary = None;
        let spec = steps
            .plan
            .todos
            .iter()
            .any(|t| t.id == "pipeline" || t.id == "kubernetes" || t.id == "cloud" || t.id == "vm")
            .then(|| slipway_engine::spec::build(&profile, &task.params));
        if let Some(spec) = spec.as_ref().filter(|s| !s.errors.is_empty()) {
            // Values that make no deployment are refused before anything is generated.
            let why = spec.errors.join("; ");
            for t in steps
                .plan
                .todos
                .iter()
                .filter(|t| matches!(t.kind, Some(TodoKind::Generate(_))))
                .map(|t| t.id.clone())
                .collect::<Vec<_>>()
            {
                steps.set(&t, TodoStatus::Skipped, Some(format!("not started: {why}")));
            }
            return Err(ApiError::Spec(why));
        }
        if let Some(spec) = &spec {
            for f in &spec.fields {
                tracing::info!(field = %f.field, source = %f.source, "{}: {} ({})", f.field, f.value, f.why);
            }
            for n in &spec.notes {
                tracing::warn!("{n}");
            }
        }
        let mut generated = None;
        let mut topology = Vec::new();
        let mut cluster_secrets = Vec::new();
        let mut rendered = Vec::new();
        let mut cloud = None;
        let (proposed, kept, left_out) = match brain {
            Brain::Builtin => {
                let backup =
                    steps
                        .plan
                        .todos
                        .iter()
                        .any(|t| t.id == "backup")
                        .then(|| slipway_engine::backup::BackupSpec {
                            days: task.params.backup_days.unwrap_or(14),
                            // On a server the playbook runs the backups beside the databases.
                            server: steps.plan.todos.iter().any(|t| t.id == "vm"),
                            ..Default::default()
                        });
                let (work, (g, t, c, r, v)) =
                    builtin_work(&mut steps, &root, &profile, spec.as_ref(), &supported, backup.as_ref())?;
                generated = g;
                topology = t;
                cluster_secrets = c;
                rendered = r;
                cloud = v;
                work
            }
            Brain::Llm(settings) => {
                let briefing = crate::agent::Briefing {
                    task: &task.text,
                    profile: &profile,
                    rules: &rules_detail,
                    context: &context,
                };
                let outcome = model_work(&mut steps, settings, &briefing, &root, cancel);
                let (proposed, used, words) = outcome?;
                usage = Some(used);
                model_summary = Some(words);
                (proposed, Vec::new(), Vec::new())
            }
        };
        let changes = ChangeSet::preview(&root, &proposed)?;

        // 7. Reflection: review what was produced and what was kept.
        steps.start("reflect");
        let mut findings = left_out;
        for c in &changes.changes {
            findings.extend(check_file(&c.path, &c.after, &profile.services));
        }
        for path in &kept {
            if let Ok(text) = std::fs::read_to_string(root.join(path)) {
                findings.extend(check_file(path, &text, &profile.services));
            }
        }
        // A chart's templates are checked as the objects they render with the default values.
        for (path, text) in &rendered {
            findings.extend(check_file(path, text, &profile.services));
        }
        // Kubernetes objects are checked together too: selectors, ports and backends across files.
        let manifests: Vec<(String, String)> = changes
            .changes
            .iter()
            .filter(|c| !rendered.iter().any(|(p, _)| *p == c.path))
            .map(|c| (c.path.clone(), c.after.clone()))
            .chain(rendered.iter().cloned())
            .chain(
                kept.iter()
                    .filter_map(|p| std::fs::read_to_string(root.join(p)).ok().map(|t| (p.clone(), t))),
            )
            .filter(|(p, t)| {
                (p.ends_with(".yaml") || p.ends_with(".yml")) && slipway_engine::kube::checks::is_manifest(t)
            })
            .collect();
        if !manifests.is_empty() {
            findings.extend(slipway_engine::kube::checks::check_consistency(
                &manifests,
                &profile.services,
            ));
        }
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        let (errors, warnings, notes) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
        for f in &findings {
            tracing::info!(rule = %f.rule, path = %f.path, "{:?}: {}", f.severity, f.message);
        }
        let kube_checked = "probes and their paths, resources, non-root read-only pods, host namespaces, pinned images, retired API versions, selectors against pod labels, Service and Ingress ports, budgets and autoscalers";
        let has = |id: &str| steps.plan.todos.iter().any(|t| t.id == id);
        let cloud_checked = "public buckets and databases, open ports, encryption, backups and deletion protection, IAM wildcards, state locking, health paths and ports against the code";
        let summary = if has("cloud") {
            format!("checked {cloud_checked}: errors {errors}, warnings {warnings}, notes {notes}")
        } else if has("kubernetes") && has("pipeline") {
            format!(
                "checked token permissions, pinned actions, script injection, secrets by name, deploy gates and concurrency; {kube_checked}: errors {errors}, warnings {warnings}, notes {notes}"
            )
        } else if has("kubernetes") {
            format!("checked {kube_checked}: errors {errors}, warnings {warnings}, notes {notes}")
        } else if spec.is_some() {
            format!(
                "checked token permissions, pinned actions, script injection, secrets by name, deploy gates and concurrency, non-root images and pinned tags: errors {errors}, warnings {warnings}, notes {notes}"
            )
        } else {
            format!(
                "checked non-root user, pinned tags, secrets, layer order, ports and image size: errors {errors}, warnings {warnings}, notes {notes}"
            )
        };
        steps.set(
            "reflect",
            if errors > 0 {
                TodoStatus::Failed
            } else {
                TodoStatus::Done
            },
            Some(summary),
        );

        let pending = changes.pending_paths();
        let ship_detail = if pending.is_empty() {
            "nothing to commit: every file is already up to date".to_string()
        } else {
            format!("waiting for review of {}", pending.join(", "))
        };
        steps.set("ship", TodoStatus::Pending, Some(ship_detail));

        Ok(Run {
            root,
            task,
            plan: steps.plan,
            profile,
            rules,
            findings,
            changes,
            declined,
            applied: None,
            commit: None,
            push: None,
            push_host: None,
            brain: brain.describe(),
            usage,
            summary: model_summary,
            // The cluster's and the cloud's word on a name (which subject a role trusts) is
            // the more exact one.
            requirements: generated
                .as_ref()
                .map(|g| g.requirements.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|r| !cluster_secrets.iter().any(|c| c.name == r.name))
                .chain(cluster_secrets.clone())
                .collect(),
            pipeline: generated.map(|g| g.pipeline),
            topology,
            cloud,
            spec,
        })
    }

    fn mark(&mut self, observer: &dyn RunObserver, id: &str, status: TodoStatus, detail: String) {
        tracing::info!(step = id, status = ?status, "{detail}");
        self.plan.mark(id, status, Some(detail));
        observer.todos(&self.plan.todos);
    }

    /// Writes the reviewed changes, or nothing when any file changed since the preview.
    pub fn apply(&mut self, observer: &dyn RunObserver) -> Result<&ApplyReport, ApiError> {
        if self.applied.is_some() {
            return Err(ApiError::Order("these changes are already applied".into()));
        }
        match self.changes.apply() {
            Ok(report) => {
                let detail = format!("applied {}; ready to commit", report.written.join(", "));
                self.mark(observer, "ship", TodoStatus::InProgress, detail);
                Ok(self.applied.insert(report))
            }
            Err(e) => {
                self.mark(observer, "ship", TodoStatus::Failed, e.to_string());
                Err(e.into())
            }
        }
    }

    /// Accepts or rejects one hunk of a proposed file (`Some(index)`), or the whole file.
    pub fn review(&mut self, path: &str, hunk: Option<usize>, accept: bool) -> Result<(), ApiError> {
        self.before_apply("review")?;
        self.changes.accept(path, hunk, accept)?;
        tracing::info!(%path, hunk = ?hunk, accept, "review decision");
        Ok(())
    }

    /// Replaces a proposed file with the person's edit, and checks it again.
    pub fn edit(&mut self, path: &str, content: String) -> Result<(), ApiError> {
        self.before_apply("edit")?;
        self.changes.edit(path, content)?;
        self.recheck();
        tracing::info!(%path, "proposal edited");
        Ok(())
    }

    /// After a conflict: diffs a file against its current bytes on disk instead of the
    /// preview's, so the person reviews the proposal against their own edit.
    pub fn refresh(&mut self, path: &str) -> Result<(), ApiError> {
        self.before_apply("refresh")?;
        self.changes.refresh(path)?;
        tracing::info!(%path, "preview refreshed against the file on disk");
        Ok(())
    }

    /// Files that changed on disk since the preview, each with a diff of what changed.
    pub fn conflicts(&self) -> Vec<(String, String)> {
        self.changes.conflicts()
    }

    /// Restores exactly what the last apply replaced, before it is committed.
    pub fn undo(&mut self, observer: &dyn RunObserver) -> Result<Vec<String>, ApiError> {
        let Some(report) = &self.applied else {
            return Err(ApiError::Order("nothing to undo: the changes are not applied".into()));
        };
        if self.commit.is_some() {
            return Err(ApiError::Order(
                "the changes are already committed; undo them with git revert".into(),
            ));
        }
        let restored = self.changes.undo(report)?;
        self.applied = None;
        let detail = format!("undid the apply: restored {}", restored.join(", "));
        self.mark(observer, "ship", TodoStatus::Pending, detail);
        Ok(restored)
    }

    fn before_apply(&self, what: &str) -> Result<(), ApiError> {
        if self.applied.is_some() {
            return Err(ApiError::Order(format!(
                "the changes are already applied; undo the apply to {what} them again"
            )));
        }
        Ok(())
    }

    /// Runs the reflection's checks again over what would be written.
    fn recheck(&mut self) {
        let kept: Vec<Finding> = self
            .findings
            .iter()
            .filter(|f| !self.changes.changes.iter().any(|c| c.path == f.path))
            .cloned()
            .collect();
        let mut findings = kept;
        for c in self.changes.changes.iter().filter(|c| c.writes()) {
            findings.extend(check_file(&c.path, &c.after, &self.profile.services));
        }
        self.findings = findings;
    }

    /// Commits exactly the applied files: on a new branch when the project's rules keep work off
    /// `main` (and HEAD is on `main` or `master`), else on the current branch.
    pub fn commit(&mut self, observer: &dyn RunObserver) -> Result<&CommitInfo, ApiError> {
        self.commit_with(observer, None)
    }

    /// The branch a new-branch commit goes on: `slipway/<the task in a few words>`.
    pub fn new_branch_name(&self) -> String {
        self.rules
            .branch_for(&self.task.text)
            .unwrap_or_else(|| ProjectRules::branch_name(&self.task.text))
    }

    /// [`Run::commit`] with the person's choice: `Some(true)` a new `slipway/<task>` branch,
    /// `Some(false)` the current branch, `None` what the project's rules say.
    pub fn commit_with(
        &mut self,
        observer: &dyn RunObserver,
        new_branch: Option<bool>,
    ) -> Result<&CommitInfo, ApiError> {
        let Some(applied) = &self.applied else {
            return Err(ApiError::Order("apply the changes before committing them".into()));
        };
        if self.commit.is_some() {
            return Err(ApiError::Order("these changes are already committed".into()));
        }
        if applied.written.is_empty() {
            return Err(ApiError::Order("nothing to commit: no file was written".into()));
        }
        let message = self.rules.commit_message(&self.task.text, &applied.written);
        let on_main = slipway_git::current_branch(&self.root).is_some_and(|b| b == "main" || b == "master");
        let wanted = new_branch.unwrap_or(on_main && self.rules.branch_rule.is_some());
        if wanted {
            let branch = slipway_git::start_branch(&self.root, &self.new_branch_name())?;
            match new_branch {
                Some(true) => tracing::info!(%branch, "committing on a new branch, as chosen"),
                _ => tracing::info!(%branch, "the project's rules keep work off the main branch"),
            }
        }
        let written = applied.written.clone();
        match slipway_git::commit_files(&self.root, &written, &message) {
            Ok(info) => {
                let detail = format!("committed {} on {}", &info.id[..7], info.branch);
                self.mark(observer, "ship", TodoStatus::InProgress, detail);
                Ok(self.commit.insert(info))
            }
            Err(e) => {
                self.mark(observer, "ship", TodoStatus::Failed, e.to_string());
                Err(e.into())
            }
        }
    }

    /// Pushes the branch. Outcomes a person acts on (no remote, rejected, credentials) are
    /// values, not errors.
    pub fn push(&mut self, observer: &dyn RunObserver) -> Result<&PushOutcome, ApiError> {
        let Some(commit) = &self.commit else {
            return Err(ApiError::Order("commit before pushing".into()));
        };
        let committed = format!("committed {} on {}", &commit.id[..7], commit.branch);
        // A token stored for the remote's host is offered first; without a keychain the push
        // still tries the SSH agent and git's credential helper.
        let host = slipway_git::push_target(&self.root).and_then(|(_, url)| slipway_git::remote_host(&url));
        let token = match &host {
            Some(h) => crate::keychain::git_token(h).unwrap_or_else(|e| {
                tracing::warn!("{e}");
                None
            }),
            None => None,
        };
        let outcome = slipway_git::push_with(&self.root, token.as_ref())?;
        self.push_host = host;
        let status = if outcome.is_pushed() {
            TodoStatus::Done
        } else {
            TodoStatus::Failed
        };
        let detail = format!("{committed}; {}", outcome.describe());
        self.mark(observer, "ship", status, detail);
        Ok(self.push.insert(outcome))
    }

    /// Marks the shipping step as left for later, with the reason.
    pub fn leave_unshipped(&mut self, observer: &dyn RunObserver, reason: &str) {
        let status = if self.commit.is_some() {
            TodoStatus::Done
        } else {
            TodoStatus::Skipped
        };
        let detail = match &self.commit {
            Some(c) => format!("committed {} on {}; {reason}", &c.id[..7], c.branch),
            None => reason.to_string(),
        };
        self.mark(observer, "ship", status, detail);
    }

    /// The run as a report.
    pub fn report(&self) -> RunReport {
        RunReport {
            task: self.task.text.clone(),
            todos: self.plan.todos.clone(),
            changes: self
                .changes
                .changes
                .iter()
                .filter(|c| c.action != ChangeAction::Unchanged)
                .cloned()
                .collect(),
            findings: self.findings.clone(),
            commit: self.commit.clone(),
            push: self.push.as_ref().map(|p| PushReport {
                host: self.push_host.clone(),
                ..PushReport::from(p)
            }),
            rules_read: self.rules.read.clone(),
            declined: self.declined.clone(),
            profile: self.profile.clone(),
            brain: self.brain.clone(),
            usage: self.usage,
            summary: self.summary.clone(),
            new_branch: self.new_branch_name(),
            branch_rule: self.rules.branch_rule.clone(),
            current_branch: slipway_git::current_branch(&self.root),
            spec: self.spec.clone(),
            pipeline: self.pipeline.clone(),
            topology: self.topology.clone(),
            cloud: self.cloud.clone(),
            requirements: self.requirements.clone(),
        }
    }

    /// The whole workflow in one go with the built-in engine, as far as `options` allow.
    pub fn execute(
        root: &Path,
        task_text: &str,
        options: RunOptions,
        observer: &dyn RunObserver,
    ) -> Result<Run, ApiError> {
        Run::execute_with(root, task_text, &Brain::Builtin, options, observer, &Cancel::new())
    }

    /// The whole workflow in one go with either brain, as far as `options` allow.
    pub fn execute_with(
        root: &Path,
        task_text: &str,
        brain: &Brain,
        options: RunOptions,
        observer: &dyn RunObserver,
        cancel: &Cancel,
    ) -> Result<Run, ApiError> {
        if options.commit && !slipway_git::is_repository(root) && root.is_dir() {
            return Err(ApiError::Git(slipway_git::GitError::NotARepository(
                root.display().to_string(),
            )));
        }
        let mut run = Run::prepare_with(root, task_text, brain, observer, cancel)?;
        if !options.apply {
            run.leave_unshipped(
                observer,
                "preview only: nothing was written (run again with --apply to write the files)",
            );
            return Ok(run);
        }
        run.apply(observer)?;
        if !options.commit {
            run.leave_unshipped(observer, "applied; not committed (add --commit to commit)");
            return Ok(run);
        }
        if run.applied.as_ref().is_some_and(|a| a.written.is_empty()) {
            run.leave_unshipped(observer, "nothing to commit: every file is already up to date");
            return Ok(run);
        }
        run.commit(observer)?;
        if !options.push {
            run.leave_unshipped(observer, "not pushed (add --push to push)");
            return Ok(run);
        }
        run.push(observer)?;
        Ok(run)
    }
}
