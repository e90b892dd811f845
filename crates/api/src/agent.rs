//! The LLM brain: a model works through the same run as the built-in engine, with tools that
//! can look at the project and propose files, and nothing else.
//!
//! The model never touches the disk, the shell, git or the keychain. Its proposals join the
//! change set like the built-in generators' files, so the reflection checks them and the person
//! reviews them as diffs. Every path it names is confined to the project (no `..`, no absolute
//! paths, no symlinks leading out, nothing in `.git`), and files that usually hold secrets are
//! never sent to it. A refused call goes back to the model as a tool error; it does not end the
//! run. The run ends when the model stops calling tools, or at the cap on turns or tokens.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use serde_json::{json, Value};
use slipway_engine::check::check_file;
use slipway_engine::generate::Artifact;
use slipway_engine::{Todo, TodoKind, TodoStatus};
use slipway_llm::{Cancel, Client, DocsService, LlmError, Message, ToolCall, ToolResult, ToolSpec, Usage};
use slipway_scan::{ProjectProfile, ProjectView, SKIP_DIRS};

/// The model's role and boundaries.
pub const SYSTEM_PROMPT: &str = include_str!("../../../prompts/system.md");
/// The first message of a run, before templating.
pub const TASK_PROMPT: &str = include_str!("../../../prompts/task.md");

/// Longest file handed to the model, in bytes.
const MAX_READ: usize = 100 * 1024;
/// Longest file the model may propose, in bytes.
const MAX_PROPOSAL: usize = 256 * 1024;
/// Most search hits returned.
const MAX_HITS: usize = 40;
/// Most folder entries listed.
const MAX_ENTRIES: usize = 200;
/// Most work steps the model may write (the whole list stays within 10).
pub const MAX_WORK_STEPS: usize = 4;

/// How the LLM brain is set up for a run.
#[derive(Debug, Clone)]
pub struct LlmSettings {
    /// Where the model is.
    pub client: Client,
    /// The documentation service, when configured.
    pub docs: Option<DocsService>,
    /// Most model turns per run.
    pub max_steps: u32,
    /// Most tokens (sent and received) per run.
    pub max_tokens: u64,
}

impl LlmSettings {
    /// Settings with the default caps: 24 turns and 400,000 tokens.
    pub fn new(client: Client, docs: Option<DocsService>) -> LlmSettings {
        LlmSettings {
            client,
            docs,
            max_steps: 24,
            max_tokens: 400_000,
        }
    }
}

/// Fills `{{name}}` placeholders. Unknown names and leftovers are errors, so a prompt cannot
/// silently ship with a hole in it.
pub fn render(template: &str, values: &[(&str, &str)]) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 1024);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| "an unclosed {{ in the prompt".to_string())?;
        let name = after[..end].trim();
        let value = values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| format!("the prompt asks for {{{{{name}}}}}, which the runner does not fill"))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What the runner knows when the model starts.
pub struct Briefing<'a> {
    /// The task text.
    pub task: &'a str,
    /// The analysis.
    pub profile: &'a ProjectProfile,
    /// The rules step's result in words.
    pub rules: &'a str,
    /// The context step's result in words.
    pub context: &'a str,
}

/// A compact analysis for the model: services and their facts, without evidence.
pub fn analysis_json(profile: &ProjectProfile) -> Value {
    let services: Vec<Value> = profile
        .services
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.remove("evidence");
                o.retain(|_, x| !(x.is_null() || x.as_array().is_some_and(Vec::is_empty)));
            }
            v
        })
        .collect();
    json!({
        "services": services,
        "not_services": profile.skipped,
        "infrastructure": profile.infrastructure,
        "warnings": profile.warnings,
    })
}

/// The first message, rendered.
pub fn first_message(b: &Briefing, settings: &LlmSettings) -> Result<String, String> {
    let analysis = serde_json::to_string_pretty(&analysis_json(b.profile)).unwrap_or_default();
    let docs = match &settings.docs {
        Some(d) => format!(
            "configured at {}: call `lookup_docs` for current documentation",
            d.base()
        ),
        None => "not configured; rely on the built-in knowledge above".to_string(),
    };
    let knowledge = slipway_engine::knowledge::brief();
    render(
        TASK_PROMPT,
        &[
            ("task", b.task),
            ("root", &b.profile.root),
            ("analysis", &analysis),
            ("rules", b.rules),
            ("context", b.context),
            ("checked_on", slipway_engine::knowledge::CHECKED_ON),
            ("knowledge", knowledge.trim_end()),
            ("docs", &docs),
            ("max_steps", &settings.max_steps.to_string()),
            ("max_tokens", &settings.max_tokens.to_string()),
        ],
    )
}

/// The tools, as the model sees them.
pub fn tool_specs(docs: bool) -> Vec<ToolSpec> {
    let spec = |name: &str, description: &str, parameters: Value| ToolSpec {
        name: name.into(),
        description: description.into(),
        parameters,
    };
    let path = |d: &str| json!({"type": "string", "description": d});
    let mut tools = vec![
        spec(
            "read_file",
            "Read a text file of the project. Paths are relative to the project root.",
            json!({"type": "object", "properties": {"path": path("File path relative to the project root")}, "required": ["path"]}),
        ),
        spec(
            "list_dir",
            "List a folder of the project (folders end with /). Dependency and build folders are left out.",
            json!({"type": "object", "properties": {"path": path("Folder relative to the project root; \".\" for the root")}}),
        ),
        spec(
            "search_text",
            "Search the project's text files for a phrase (case-insensitive). Returns file:line: text.",
            json!({"type": "object", "properties": {
                "query": {"type": "string", "description": "Text to find"},
                "path": path("Limit the search to this folder")}, "required": ["query"]}),
        ),
        spec(
            "project_analysis",
            "Slipway's analysis of the project: services, stacks, ports, commands, backing services, infrastructure.",
            json!({"type": "object", "properties": {}}),
        ),
        spec(
            "update_todos",
            "Replace your work steps (1 to 4) with their current status. Call it first, and whenever a step starts or ends.",
            json!({"type": "object", "properties": {"todos": {"type": "array", "minItems": 1, "maxItems": MAX_WORK_STEPS, "items": {
                "type": "object", "properties": {
                    "title": {"type": "string"},
                    "status": {"type": "string", "enum": ["pending", "in_progress", "done", "failed", "skipped"]},
                    "detail": {"type": "string"}},
                "required": ["title", "status"]}}}, "required": ["todos"]}),
        ),
        spec(
            "propose_change",
            "Propose the whole new content of one file. Nothing is written: the person reviews it as a diff.",
            json!({"type": "object", "properties": {
                "path": path("File path relative to the project root"),
                "content": {"type": "string", "description": "The complete file"},
                "purpose": {"type": "string", "description": "Why the file exists, in one sentence"}},
                "required": ["path", "content", "purpose"]}),
        ),
        spec(
            "generate",
            "Run one of Slipway's checked generators and propose every file it writes (each can then be refined with propose_change). \
             family \"containerize\": Dockerfile, .dockerignore and compose.yaml per service. family \"cicd\": the CI/CD pipeline, \
             platform files and docs/deploy.md from the deployment spec; `settings` are words such as \"with GitLab, deploy to Fly.io, canary, \
             staging and production with approval\". family \"kubernetes\": manifests, a Helm chart or Kustomize overlays with probes, \
             resources, autoscaling, a disruption budget, network policy, ingress with TLS and progressive rollouts, and docs/kubernetes.md; \
             `settings` are words such as \"autoscaling 2 to 10 on api.example.com, as a Helm chart\", \"a canary in the Istio mesh, Gateway API\" \
             or \"blue-green without Argo, with an in-cluster postgres for dev\"; a canary or blue-green of code that counts its requests \
             also checks the new pods' error rate in Prometheus. family \"cloud\": AWS in Terraform (VPC, ECS on Fargate behind HTTPS, \
             RDS and ElastiCache with backups, Secrets Manager entries, the pipeline's OIDC roles, locked state; a project of static sites gets \
             a private S3 bucket behind CloudFront instead, which the pipeline uploads to) and docs/aws.md with the cost, \
             or with \"Cloud Run\" in the settings Google Cloud in Terraform (Cloud Run, Cloud SQL and Memorystore on a private network \
             with backups, Secret Manager, workload identity for the pipeline) and docs/gcp.md, \
             or with \"Azure Container Apps\" in the settings Azure in Terraform (Container Apps, PostgreSQL Flexible Server on a private \
             network with backups, Key Vault, managed identities, federated identities for the pipeline) and docs/azure.md; \"with Pulumi\" \
             writes a Pulumi program instead (TypeScript for Google Cloud, Python for Azure), and \"with CloudFormation\" \
             writes AWS's containers as two CloudFormation templates (the account's roles, the environment's stack); \
             `settings` are words such as \"in eu-west-1 on api.example.com, keep 30 days of backups\", \"Cloud Run in europe-west1\" \
             or \"Azure Container Apps in westeurope with Pulumi\". \
             family \"server\": an Ansible playbook for a Debian or Ubuntu server of the person's own (a deploy user with key-only SSH, \
             a firewall, unattended upgrades, Docker, the services by digest with their databases, Caddy with automatic TLS) and docs/vm.md; \
             with a cloud named (\"on AWS\", \"on Google Cloud\", \"on Azure\") also the Terraform that creates the machine (its network and \
             firewall, a static address and DNS, an encrypted disk backed up daily) and docs/aws.md, docs/gcp.md or docs/azure.md; \
             `settings` such as \"on api.example.com\" or \"on AWS at api.example.com, keep 7 days of backups\". \
             family \"backup\": PostgreSQL or MySQL backups beside compose (a scheduled dump proven whole, retention, a restore that \
             rebuilds a copy and checks it answers) and docs/backup.md; `settings` such as \"keep 30 days of backups\". \
             Returns the files and what was understood.",
            json!({"type": "object", "properties": {
                "family": {"type": "string", "enum": ["containerize", "cicd", "kubernetes", "cloud", "server", "backup"]},
                "settings": {"type": "string", "description": "For cicd, kubernetes, cloud and backup: targets, CI system, registry, strategy, environments, host, packaging, mesh, rollouts, backing, region, backup days, in words"}},
                "required": ["family"]}),
        ),
        spec(
            "run_checks",
            "Check every file proposed so far (security, pinned versions, ports, layer order, secrets) and return the findings.",
            json!({"type": "object", "properties": {}}),
        ),
    ];
    if docs {
        tools.push(spec(
            "lookup_docs",
            "Look up current documentation for a library or tool on the configured documentation service.",
            json!({"type": "object", "properties": {
                "library": {"type": "string", "description": "Library or tool, such as next.js or docker"},
                "topic": {"type": "string", "description": "What to look up, such as standalone output"}},
                "required": ["library", "topic"]}),
        ));
    }
    tools
}

/// A tool call's failure, sent back to the model.
type ToolErr = String;

/// File names that usually hold secrets; never read or searched for the model.
fn holds_secrets(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let env_example = [".example", ".sample", ".template", ".dist"]
        .iter()
        .any(|s| name.ends_with(s));
    (name == ".env" || name.starts_with(".env.") && !env_example)
        || [".pem", ".key", ".p12", ".pfx", ".keystore", ".jks"]
            .iter()
            .any(|s| name.ends_with(s))
        || name.starts_with("id_rsa")
        || name.starts_with("id_ed25519")
        || name.starts_with("id_ecdsa")
        || [".npmrc", ".pypirc", ".netrc", ".git-credentials", ".dockercfg"].contains(&name.as_str())
}

/// Checks a path the model named: relative, no `..`, not in `.git`, not a secrets file.
fn clean_rel(raw: &str) -> Result<String, ToolErr> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("the path is empty".into());
    }
    let p = Path::new(raw);
    let mut parts = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!("refused {raw}: paths may not climb out of the project with .."))
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "refused {raw}: absolute paths are not allowed; use a path relative to the project root"
                ))
            }
        }
    }
    if parts.first().is_some_and(|f| f == ".git") || parts.iter().any(|p| p == ".git") {
        return Err(format!("refused {raw}: the .git folder is off limits"));
    }
    let rel = parts.join("/");
    if holds_secrets(&rel) {
        return Err(format!(
            "refused {raw}: files that usually hold secrets are never sent to the model; use .env.example for variable names"
        ));
    }
    Ok(if rel.is_empty() { ".".into() } else { rel })
}

/// Resolves an existing path through symlinks and checks it stays in the project.
fn existing_inside(root: &Path, rel: &str) -> Result<PathBuf, ToolErr> {
    let canon_root = root
        .canonicalize()
        .map_err(|e| format!("the project folder is unreadable: {e}"))?;
    let target = canon_root.join(rel);
    let real = target.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{rel} does not exist"),
        _ => format!("cannot open {rel}: {e}"),
    })?;
    if !real.starts_with(&canon_root) {
        return Err(format!("refused {rel}: it is a symlink that leads outside the project"));
    }
    if real
        .strip_prefix(&canon_root)
        .is_ok_and(|r| r.components().any(|c| c.as_os_str() == ".git"))
    {
        return Err(format!("refused {rel}: it leads into the .git folder"));
    }
    Ok(real)
}

#[derive(Deserialize)]
struct PathArg {
    #[serde(default)]
    path: Option<String>,
}
#[derive(Deserialize)]
struct SearchArgs {
    query: String,
    #[serde(default)]
    path: Option<String>,
}
#[derive(Deserialize)]
struct TodoArg {
    title: String,
    status: String,
    #[serde(default)]
    detail: Option<String>,
}
#[derive(Deserialize)]
struct TodosArgs {
    todos: Vec<TodoArg>,
}
#[derive(Deserialize)]
struct ProposeArgs {
    path: String,
    content: String,
    #[serde(default)]
    purpose: Option<String>,
}
#[derive(Deserialize)]
struct GenerateArgs {
    family: String,
    #[serde(default)]
    settings: Option<String>,
}
#[derive(Deserialize)]
struct DocsArgs {
    library: String,
    #[serde(default)]
    topic: Option<String>,
}

/// The model's side of the run: what it proposed and its work steps.
pub struct Desk<'a> {
    root: &'a Path,
    profile: &'a ProjectProfile,
    /// Files proposed so far, in the order first proposed.
    pub proposed: Vec<Artifact>,
    /// Work steps as the model last wrote them.
    pub todos: Vec<Todo>,
    /// The provider key, so a proposal that contains it is refused outright.
    key: String,
}

impl<'a> Desk<'a> {
    /// A desk for the project at `root` (absolute).
    pub fn new(root: &'a Path, profile: &'a ProjectProfile, key: &str) -> Desk<'a> {
        Desk {
            root,
            profile,
            proposed: Vec::new(),
            todos: Vec::new(),
            key: key.to_string(),
        }
    }

    fn args<T: serde::de::DeserializeOwned>(call: &ToolCall) -> Result<T, ToolErr> {
        let text = if call.arguments.trim().is_empty() {
            "{}"
        } else {
            call.arguments.as_str()
        };
        serde_json::from_str(text).map_err(|e| {
            format!(
                "the arguments of {} are not valid JSON for this tool ({e}); send one JSON object that matches the tool's schema",
                call.name
            )
        })
    }

    /// Carries out one call (except `lookup_docs`, which needs the network).
    pub fn call(&mut self, call: &ToolCall) -> Result<String, ToolErr> {
        match call.name.as_str() {
            "read_file" => {
                let a: PathArg = Self::args(call)?;
                let rel = clean_rel(a.path.as_deref().unwrap_or(""))?;
                let real = existing_inside(self.root, &rel)?;
                if real.is_dir() {
                    return Err(format!("{rel} is a folder; use list_dir"));
                }
                let bytes = std::fs::read(&real).map_err(|e| format!("cannot read {rel}: {e}"))?;
                if bytes.contains(&0) {
                    return Err(format!("{rel} is a binary file"));
                }
                let cut = bytes.len() > MAX_READ;
                let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_READ)]).into_owned();
                Ok(if cut {
                    format!("{text}\n…({rel} is {} bytes; only the first {MAX_READ} are shown)", bytes.len())
                } else {
                    text
                })
            }
            "list_dir" => {
                let a: PathArg = Self::args(call)?;
                let rel = clean_rel(a.path.as_deref().unwrap_or("."))?;
                let real = existing_inside(self.root, &rel)?;
                let rd = std::fs::read_dir(&real).map_err(|e| format!("cannot list {rel}: {e}"))?;
                let mut names: Vec<String> = rd
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().into_string().ok()?;
                        let dir = e.file_type().ok()?.is_dir();
                        if dir && SKIP_DIRS.contains(&name.as_str()) {
                            return None;
                        }
                        Some(if dir { format!("{name}/") } else { name })
                    })
                    .collect();
                names.sort();
                let total = names.len();
                names.truncate(MAX_ENTRIES);
                let mut out = names.join("\n");
                if total > MAX_ENTRIES {
                    out.push_str(&format!("\n…({total} entries; the first {MAX_ENTRIES} are shown)"));
                }
                Ok(if out.is_empty() { format!("{rel} is empty") } else { out })
            }
            "search_text" => {
                let a: SearchArgs = Self::args(call)?;
                let query = a.query.trim().to_lowercase();
                if query.is_empty() {
                    return Err("the query is empty".into());
                }
                let under = match a.path.as_deref() {
                    Some(p) if !p.trim().is_empty() && p.trim() != "." => Some(clean_rel(p)?),
                    _ => None,
                };
                let view = ProjectView::open(self.root)
                    .map_err(|e| e.to_string())?
                    .indexed(&mut Vec::new());
                let mut hits = Vec::new();
                for f in &view.index().files {
                    if under.as_ref().is_some_and(|u| !(f.starts_with(&format!("{u}/")) || f == u)) || holds_secrets(f) {
                        continue;
                    }
                    let Some(text) = view.read_source(f, MAX_READ as u64) else { continue };
                    for (i, line) in text.lines().enumerate() {
                        if line.to_lowercase().contains(&query) {
                            let line: String = line.trim().chars().take(200).collect();
                            hits.push(format!("{f}:{}: {line}", i + 1));
                            if hits.len() >= MAX_HITS {
                                break;
                            }
                        }
                    }
                    if hits.len() >= MAX_HITS {
                        hits.push(format!("…(stopped at {MAX_HITS} hits; narrow the search)"));
                        break;
                    }
                }
                Ok(if hits.is_empty() {
                    format!("no match for {:?}", a.query)
                } else {
                    hits.join("\n")
                })
            }
            "project_analysis" => Ok(serde_json::to_string_pretty(&analysis_json(self.profile)).unwrap_or_default()),
            "update_todos" => {
                let a: TodosArgs = Self::args(call)?;
                if a.todos.is_empty() || a.todos.len() > MAX_WORK_STEPS {
                    return Err(format!(
                        "send between 1 and {MAX_WORK_STEPS} work steps (got {}); the analysis, rules, research, context, reflection and commit steps are Slipway's",
                        a.todos.len()
                    ));
                }
                let mut todos = Vec::new();
                for (i, t) in a.todos.iter().enumerate() {
                    let title = t.title.trim();
                    if title.is_empty() || title.chars().count() > 120 {
                        return Err(format!("step {} needs a title of 1 to 120 characters", i + 1));
                    }
                    let status = match t.status.as_str() {
                        "pending" => TodoStatus::Pending,
                        "in_progress" => TodoStatus::InProgress,
                        "done" => TodoStatus::Done,
                        "failed" => TodoStatus::Failed,
                        "skipped" => TodoStatus::Skipped,
                        other => {
                            return Err(format!(
                                "step {}: unknown status {other:?}; use pending, in_progress, done, failed or skipped",
                                i + 1
                            ))
                        }
                    };
                    todos.push(Todo {
                        id: format!("work-{}", i + 1),
                        title: title.to_string(),
                        status,
                        detail: t.detail.clone().filter(|d| !d.trim().is_empty()),
                        kind: Some(TodoKind::Work),
                    });
                }
                self.todos = todos;
                Ok(format!("{} work steps recorded", self.todos.len()))
            }
            "propose_change" => {
                let a: ProposeArgs = Self::args(call)?;
                let rel = clean_rel(&a.path)?;
                if rel == "." {
                    return Err("name a file, not the project root".into());
                }
                slipway_engine::changeset::resolve_inside(self.root, &rel).map_err(|e| e.to_string())?;
                if a.content.len() > MAX_PROPOSAL {
                    return Err(format!("{rel} is too large to propose ({} bytes; at most {MAX_PROPOSAL})", a.content.len()));
                }
                if !self.key.is_empty() && a.content.contains(&self.key) {
                    return Err(format!("refused {rel}: it contains a credential"));
                }
                let existed = self.root.join(&rel).exists();
                let purpose = a.purpose.filter(|p| !p.trim().is_empty()).unwrap_or_else(|| "proposed by the model".into());
                let artifact = Artifact {
                    path: rel.clone(),
                    content: a.content,
                    purpose,
                    step: "work".into(),
                };
                let lines = artifact.content.lines().count();
                match self.proposed.iter_mut().find(|p| p.path == rel) {
                    Some(p) => *p = artifact,
                    None => self.proposed.push(artifact),
                }
                Ok(format!(
                    "proposed {rel} ({}, {lines} lines); the person will review it as a diff",
                    if existed { "a change to the existing file" } else { "a new file" }
                ))
            }
            "generate" => {
                let a: GenerateArgs = Self::args(call)?;
                let (artifacts, mut summary) = match a.family.as_str() {
                    "containerize" => {
                        let c = slipway_engine::generate::containerize(self.profile).map_err(|e| e.to_string())?;
                        let mut words = Vec::new();
                        for (path, why) in &c.left_out {
                            words.push(format!("left out {path}: {why}"));
                        }
                        (c.artifacts, words)
                    }
                    "cicd" => {
                        let params = slipway_engine::params::read(a.settings.as_deref().unwrap_or("")).map_err(|e| e.to_string())?;
                        let spec = slipway_engine::spec::build(self.profile, &params);
                        let images: Vec<(String, String)> = self
                            .profile
                            .services
                            .iter()
                            .filter_map(|s| slipway_engine::generate::build_image(s).map(|i| (s.name.clone(), i)))
                            .collect();
                        let mut files = Vec::new();
                        if let Ok(c) = slipway_engine::generate::containerize(self.profile) {
                            files.extend(c.artifacts.into_iter().filter(|a| a.step != "compose"));
                        }
                        let g = slipway_engine::pipeline::generate(&spec, &images)?;
                        files.extend(g.artifacts);
                        let mut words = understood(&spec);
                        words.extend(g.pipeline.notes.iter().cloned());
                        words.extend(to_create(&g.requirements));
                        (files, words)
                    }
                    "kubernetes" => {
                        // The words are about a cluster: "on AWS" is the cloud that creates it.
                        let settings = format!("Kubernetes {}", a.settings.as_deref().unwrap_or(""));
                        let mut params = slipway_engine::params::read(&settings).map_err(|e| e.to_string())?;
                        // The family is the target: the cluster's settings are read even when the
                        // words do not name Kubernetes.
                        if !params.targets.contains(&slipway_engine::params::Target::Kubernetes) {
                            params.targets.push(slipway_engine::params::Target::Kubernetes);
                        }
                        let spec = slipway_engine::spec::build(self.profile, &params);
                        let (images, warnings) = slipway_engine::kube::image_facts_in(self.profile, self.root);
                        let remote = slipway_engine::kube::remote_url(self.profile);
                        // A refused value (a host that is not a DNS name, min above max) comes
                        // back in words, before anything is proposed.
                        let g = slipway_engine::kube::generate(&spec, &images, remote.as_deref())?;
                        let mut files = Vec::new();
                        // The pods run the image the Dockerfile builds: it comes too, when the
                        // project has none.
                        if let Ok(c) = slipway_engine::generate::containerize(self.profile) {
                            files.extend(c.artifacts.into_iter().filter(|a| a.step != "compose"));
                        }
                        files.extend(g.artifacts);
                        let mut words = understood(&spec);
                        words.extend(g.topology.iter().map(|t| {
                            format!(
                                "runs: {} {} ({} replicas; {}){}",
                                t.workload,
                                t.name,
                                t.replicas,
                                t.rollout,
                                t.host.as_ref().map(|h| format!(" at https://{h}")).unwrap_or_default()
                            )
                        }));
                        words.extend(warnings.iter().map(|w| format!("{}: {}", w.path, w.message)));
                        words.extend(to_create(&g.requirements));
                        // A cluster a cloud creates: its Terraform, picture and cost too.
                        if let Some(provider) = spec.cloud.as_ref().filter(|c| c.cluster.is_some()).map(|c| c.provider.clone()) {
                            let c = slipway_engine::cloud::generate(&spec, &images, remote.as_deref())?;
                            files.extend(c.artifacts);
                            words.extend(c.picture.iter().map(|n| format!("runs: {} {}: {}", n.kind, n.name, n.detail)));
                            words.push(format!(
                                "costs about {:.2} USD a month (docs/{provider}.md has the lines)",
                                c.cost.total()
                            ));
                            words.extend(to_create(&c.requirements));
                        }
                        (files, words)
                    }
                    "cloud" => {
                        let mut params = slipway_engine::params::read(a.settings.as_deref().unwrap_or("")).map_err(|e| e.to_string())?;
                        use slipway_engine::params::Target;
                        // AWS unless the words name Google Cloud or Azure.
                        if !params
                            .targets
                            .iter()
                            .any(|t| matches!(t, Target::Ecs | Target::CloudRun | Target::AzureContainerApps))
                        {
                            params.targets.push(Target::Ecs);
                        }
                        let spec = slipway_engine::spec::build(self.profile, &params);
                        let (images, warnings) = slipway_engine::kube::image_facts_in(self.profile, self.root);
                        let remote = slipway_engine::kube::remote_url(self.profile);
                        // A refused value (a region AWS has not, a retention over 35 days) comes
                        // back in words, before anything is proposed.
                        let g = slipway_engine::cloud::generate(&spec, &images, remote.as_deref())?;
                        let mut files = Vec::new();
                        if let Ok(c) = slipway_engine::generate::containerize(self.profile) {
                            files.extend(c.artifacts.into_iter().filter(|a| a.step != "compose"));
                        }
                        files.extend(g.artifacts);
                        let mut words = understood(&spec);
                        words.extend(g.picture.iter().map(|n| format!("runs: {} {}: {}", n.kind, n.name, n.detail)));
                        let runbook = if params.targets.contains(&Target::CloudRun) {
                            "docs/gcp.md"
                        } else if params.targets.contains(&Target::AzureContainerApps) {
                            "docs/azure.md"
                        } else {
                            "docs/aws.md"
                        };
                        words.push(format!("costs about {:.2} USD a month ({runbook} has the lines)", g.cost.total()));
                        words.extend(g.findings.iter().map(|f| format!("{}: {}", f.path, f.message)));
                        words.extend(warnings.iter().map(|w| format!("{}: {}", w.path, w.message)));
                        words.extend(to_create(&g.requirements));
                        (files, words)
                    }
                    "backup" => {
                        let params = slipway_engine::params::read(a.settings.as_deref().unwrap_or("")).map_err(|e| e.to_string())?;
                        let spec = slipway_engine::backup::BackupSpec {
                            days: params.backup_days.unwrap_or(14),
                            ..Default::default()
                        };
                        let compose = slipway_engine::backup::project_compose(self.profile, self.root);
                        // No PostgreSQL or MySQL, or a retention out of range, comes back in words.
                        let g = slipway_engine::backup::generate(self.profile, &spec, compose.as_deref())?;
                        (g.artifacts, g.notes)
                    }
                    "server" => {
                        // The words are about a server: "on AWS" is the cloud that creates it.
                        let settings = format!("a VM {}", a.settings.as_deref().unwrap_or(""));
                        let mut params = slipway_engine::params::read(&settings).map_err(|e| e.to_string())?;
                        if !params.targets.contains(&slipway_engine::params::Target::Vm) {
                            params.targets.push(slipway_engine::params::Target::Vm);
                        }
                        let spec = slipway_engine::spec::build(self.profile, &params);
                        // No service, or a value no deployment takes, comes back in words.
                        let g = slipway_engine::vm::generate(&spec)?;
                        let mut files = Vec::new();
                        if let Ok(c) = slipway_engine::generate::containerize(self.profile) {
                            files.extend(c.artifacts.into_iter().filter(|a| a.step != "compose"));
                        }
                        files.extend(g.artifacts);
                        let mut words = understood(&spec);
                        words.extend(to_create(&g.requirements));
                        // A server a cloud creates: its Terraform, picture and cost too.
                        if let Some(provider) = spec.cloud.as_ref().filter(|c| c.server.is_some()).map(|c| c.provider.clone()) {
                            let c = slipway_engine::cloud::generate(&spec, &[], None)?;
                            files.extend(c.artifacts);
                            words.extend(c.picture.iter().map(|n| format!("runs: {} {}: {}", n.kind, n.name, n.detail)));
                            words.push(format!(
                                "costs about {:.2} USD a month (docs/{provider}.md has the lines)",
                                c.cost.total()
                            ));
                            words.extend(to_create(&c.requirements));
                        }
                        (files, words)
                    }
                    other => {
                        return Err(format!(
                            "there is no generator family {other:?}; use containerize, cicd, kubernetes, cloud, server or backup"
                        ))
                    }
                };
                let mut listed = Vec::new();
                for artifact in artifacts {
                    // A file that exists already is left for the model to merge with propose_change.
                    if self.root.join(&artifact.path).exists() {
                        listed.push(format!("{} exists already: not proposed; read it and propose a merge if it needs one", artifact.path));
                        continue;
                    }
                    listed.push(format!("proposed {} ({})", artifact.path, artifact.purpose));
                    match self.proposed.iter_mut().find(|p| p.path == artifact.path) {
                        Some(p) => *p = artifact,
                        None => self.proposed.push(artifact),
                    }
                }
                listed.append(&mut summary);
                Ok(listed.join("\n"))
            }
            "run_checks" => {
                if self.proposed.is_empty() {
                    return Ok("nothing proposed yet".into());
                }
                let mut findings: Vec<slipway_engine::Finding> = Vec::new();
                for a in &self.proposed {
                    findings.extend(check_file(&a.path, &a.content, &self.profile.services));
                }
                // Kubernetes objects together: selectors, ports, backends and routers across files.
                let manifests: Vec<(String, String)> = self
                    .proposed
                    .iter()
                    .filter(|a| {
                        (a.path.ends_with(".yaml") || a.path.ends_with(".yml"))
                            && slipway_engine::kube::checks::is_manifest(&a.content)
                    })
                    .map(|a| (a.path.clone(), a.content.clone()))
                    .collect();
                if !manifests.is_empty() {
                    findings.extend(slipway_engine::kube::checks::check_consistency(&manifests, &self.profile.services));
                }
                let mut lines = Vec::new();
                for f in &findings {
                    let at = f.line.map(|l| format!(":{l}")).unwrap_or_default();
                    lines.push(format!("{:?} {} {}{at}: {}", f.severity, f.rule, f.path, f.message));
                }
                Ok(if lines.is_empty() {
                    format!("no findings in {} proposed files", self.proposed.len())
                } else {
                    lines.join("\n")
                })
            }
            "lookup_docs" => Err("no documentation service is configured; rely on the built-in knowledge in the first message".into()),
            other => Err(format!(
                "there is no tool called {other:?}; the tools are read_file, list_dir, search_text, project_analysis, update_todos, generate, propose_change, run_checks and lookup_docs"
            )),
        }
    }
}

/// How the model's part ended.
pub struct Outcome {
    /// Files it proposed.
    pub proposed: Vec<Artifact>,
    /// Its work steps, settled.
    pub todos: Vec<Todo>,
    /// Its closing words.
    pub summary: String,
    /// Why it stopped early, when it did (a cap).
    pub stopped: Option<String>,
    /// Tokens used.
    pub usage: Usage,
}

/// Why the model's part failed.
pub enum Failure {
    /// The person cancelled; with what was used so far.
    Cancelled(Usage),
    /// The provider failed; with what was used so far.
    Provider(LlmError, Usage),
}

fn short(s: &str, n: usize) -> String {
    let one_line = s.replace('\n', " ");
    if one_line.chars().count() > n {
        one_line.chars().take(n).collect::<String>() + "…"
    } else {
        one_line
    }
}

/// Runs the model until it stops calling tools, a cap is reached, it fails or the person
/// cancels. `on_todos` gets the work steps every time the model updates them.
pub async fn work(
    settings: &LlmSettings,
    briefing: &Briefing<'_>,
    root: &Path,
    cancel: &Cancel,
    on_todos: &mut dyn FnMut(&[Todo]),
) -> Result<Outcome, Failure> {
    let key = settings.client.config().key.expose().to_string();
    let mut desk = Desk::new(root, briefing.profile, &key);
    let first =
        first_message(briefing, settings).map_err(|e| Failure::Provider(LlmError::Config(e), Usage::default()))?;
    let tools = tool_specs(settings.docs.is_some());
    let mut messages = vec![Message::User(first)];
    let mut usage = Usage::default();
    let mut stopped = None;
    let mut summary = String::new();
    let mut turns = 0;
    loop {
        if turns >= settings.max_steps {
            stopped = Some(format!("stopped after {turns} model turns, the cap for one run"));
            break;
        }
        turns += 1;
        let turn = match settings.client.turn(SYSTEM_PROMPT, &messages, &tools, cancel).await {
            Ok(t) => t,
            Err(LlmError::Cancelled) => return Err(Failure::Cancelled(usage)),
            Err(e) => return Err(Failure::Provider(e, usage)),
        };
        usage.add(turn.usage);
        if !turn.text.trim().is_empty() {
            tracing::info!(target: "slipway::model", "model: {}", turn.text.trim());
        }
        messages.push(Message::Assistant {
            text: turn.text.clone(),
            calls: turn.calls.clone(),
        });
        if turn.calls.is_empty() {
            summary = turn.text.trim().to_string();
            if turn.stop == slipway_llm::StopReason::MaxTokens {
                stopped = Some("the model's reply hit the per-turn output cap".into());
            }
            break;
        }
        let mut results = Vec::new();
        for call in &turn.calls {
            let docs = settings.docs.as_ref().filter(|_| call.name == "lookup_docs");
            let result = if let Some(docs) = docs {
                match serde_json::from_str::<DocsArgs>(&call.arguments) {
                    Ok(a) => match docs.lookup(&a.library, a.topic.as_deref().unwrap_or(""), cancel).await {
                        Ok(answer) => Ok(format!("{}:\n{}", answer.library, answer.text)),
                        Err(LlmError::Cancelled) => return Err(Failure::Cancelled(usage)),
                        Err(e) => Err(e.to_string()),
                    },
                    Err(e) => Err(format!(
                        "the arguments of lookup_docs are not valid JSON for this tool ({e})"
                    )),
                }
            } else {
                desk.call(call)
            };
            match &result {
                Ok(out) => {
                    tracing::info!(target: "slipway::model", "tool {}({}) -> {}", call.name, short(&call.arguments, 120), short(out, 160))
                }
                Err(e) => {
                    tracing::warn!(target: "slipway::model", "tool {}({}) refused: {e}", call.name, short(&call.arguments, 120))
                }
            }
            if call.name == "update_todos" && result.is_ok() {
                on_todos(&desk.todos);
            }
            results.push(match result {
                Ok(content) => ToolResult {
                    id: call.id.clone(),
                    content,
                    is_error: false,
                },
                Err(content) => ToolResult {
                    id: call.id.clone(),
                    content,
                    is_error: true,
                },
            });
        }
        messages.push(Message::ToolResults(results));
        if usage.total() >= settings.max_tokens {
            stopped = Some(format!(
                "stopped after {} tokens, the cap of {} for one run",
                usage.total(),
                settings.max_tokens
            ));
            break;
        }
    }
    Ok(Outcome {
        proposed: desk.proposed,
        todos: desk.todos,
        summary,
        stopped,
        usage,
    })
}

/// What the deployment spec decided, a line per field with where it came from, for the model.
fn understood(spec: &slipway_engine::spec::DeploySpec) -> Vec<String> {
    spec.fields
        .iter()
        .map(|f| format!("{}: {} ({}: {})", f.field, f.value, f.source, f.why))
        .collect()
}

/// The secrets and variables the person must create, a line each, for the model.
fn to_create(requirements: &[slipway_engine::pipeline::Requirement]) -> impl Iterator<Item = String> + '_ {
    requirements.iter().map(|r| {
        format!(
            "to create: {} ({}) in {}",
            r.name,
            if r.secret { "secret" } else { "variable" },
            r.place
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_or_refused() {
        assert_eq!(
            render("a {{x}} b {{ y }}", &[("x", "1"), ("y", "2")]).unwrap(),
            "a 1 b 2"
        );
        assert!(render("{{nope}}", &[]).unwrap_err().contains("nope"));
        assert!(render("{{open", &[]).is_err());
    }

    #[test]
    fn secret_files_and_escapes_are_refused() {
        for bad in [
            "../x",
            "/etc/passwd",
            ".git/config",
            "a/.git/HEAD",
            ".env",
            "deploy/.env.production",
            "certs/tls.key",
            ".npmrc",
            "",
        ] {
            assert!(clean_rel(bad).is_err(), "{bad:?} must be refused");
        }
        for good in [
            "Dockerfile",
            "./apps/api/Dockerfile",
            ".env.example",
            "k8s/deployment.yaml",
            ".",
        ] {
            assert!(clean_rel(good).is_ok(), "{good:?} is fine");
        }
    }
}
