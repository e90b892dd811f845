//! The project at a glance: one line per service for the folded project panel, and the tasks
//! that fit the project, offered in an empty project window so a person sees what to type.
//! Each suggested task is one the built-in engine carries out for that project (a test runs
//! every one on every fixture).

use serde::{Deserialize, Serialize};
use slipway_scan::{framework_label, runtime_label, ProjectProfile, ServiceProfile};

/// What the window shows of a project before any task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    /// Per service folder (as in the profile), its one-line summary.
    pub lines: Vec<(String, String)>,
    /// Up to three tasks that fit the project, the most useful first.
    pub tasks: Vec<String>,
}

/// The overview of `profile`.
pub fn overview(profile: &ProjectProfile) -> Overview {
    Overview {
        lines: profile.services.iter().map(|s| (s.path.clone(), line(s))).collect(),
        tasks: tasks(profile),
    }
}

/// A folded service in one line: framework, runtime and version, port, what it needs.
pub fn line(s: &ServiceProfile) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(f) = s.framework.as_deref().filter(|f| *f != "static") {
        parts.push(framework_label(f).to_string());
    }
    if let Some(l) = s.language.as_deref() {
        parts.push(match s.runtime_version.as_deref() {
            Some(v) => format!("{} {v}", runtime_label(l)),
            None => runtime_label(l).to_string(),
        });
    }
    match (s.port, s.kind.as_str()) {
        (Some(p), _) => parts.push(format!("port {p}")),
        (None, "static") => parts.push("static files".into()),
        (None, "worker") => parts.push("no port".into()),
        (None, _) => parts.push("port unknown".into()),
    }
    if !s.backing_services.is_empty() {
        parts.push(format!("needs {}", s.backing_services.join(", ")));
    }
    parts.join(" · ")
}

/// At most this many suggestions.
const MAX: usize = 3;

fn stack(s: &ServiceProfile) -> Option<&str> {
    s.framework
        .as_deref()
        .map(framework_label)
        .or(s.language.as_deref().map(runtime_label))
}

/// Up to three tasks, the most useful first: containerize when there is no Dockerfile, a
/// pipeline on the project's own Git host when there is none, then a deploy to a platform.
pub fn tasks(profile: &ProjectProfile) -> Vec<String> {
    // Only services the engine can package: every task here starts from an image.
    let Ok(packaged) = crate::generate::containerize(profile) else {
        return Vec::new();
    };
    let left_out: Vec<&str> = packaged.left_out.iter().map(|(path, _)| path.as_str()).collect();
    let covered: Vec<&ServiceProfile> = profile
        .services
        .iter()
        .filter(|s| !left_out.contains(&s.path.as_str()))
        .collect();
    let deployable: Vec<&ServiceProfile> = covered.iter().copied().filter(|s| s.kind != "worker").collect();
    let Some(first) = deployable.first().or(covered.first()).copied() else {
        return Vec::new();
    };
    let has = |kinds: &[&str]| profile.infrastructure.iter().any(|i| kinds.contains(&i.kind.as_str()));
    let what = match (covered.len(), stack(first)) {
        (1, Some(stack)) if first.kind == "static" => format!("this {stack} site"),
        (1, Some(stack)) => format!("this {stack} app"),
        (1, None) => "this app".to_string(),
        (n, _) => format!("these {n} services"),
    };
    let ci = match profile
        .git
        .as_ref()
        .and_then(|g| g.remotes.first())
        .map(|r| r.host.as_str())
    {
        Some(h) if h.contains("gitlab") => "GitLab CI",
        _ => "GitHub Actions",
    };
    let mut out = Vec::new();
    if !has(&["dockerfile"]) {
        out.push(format!("containerize {what}"));
    }
    if !has(&["github-actions", "gitlab-ci", "jenkins", "circleci"]) {
        out.push(format!("set up CI/CD with {ci} for {what}"));
    }
    let platform = if first.kind == "static" { "Vercel" } else { "Render" };
    let platform_file = if first.kind == "static" { "vercel" } else { "render" };
    if deployable.len() == 1 && !has(&[platform_file]) {
        out.push(format!("deploy {what} to {platform} with a CI/CD pipeline"));
    }
    if out.is_empty() {
        // Everything is there already: the runs bring it up to date, extending what exists.
        out.push(format!("containerize {what}"));
        out.push(format!("set up CI/CD with {ci} for {what}"));
    }
    out.truncate(MAX);
    out
}
