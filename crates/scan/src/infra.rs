//! The inventory of deployment and CI files a project already has.

use crate::{InfraFile, ProjectView};

/// Folders never worth walking into for infrastructure files.
const SKIP_DIRS: &[&str] = &[
    ".git",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".venv",
    "build",
    "dist",
    "node_modules",
    "target",
    "vendor",
    "venv",
];

/// How deep the inventory walks below the root.
const MAX_DEPTH: usize = 4;

fn kind_of(rel: &str, name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let kind = match lower.as_str() {
        "dockerfile" | "containerfile" => "dockerfile",
        ".dockerignore" => "dockerignore",
        "compose.yaml" | "compose.yml" | "docker-compose.yml" | "docker-compose.yaml" => "compose",
        ".gitlab-ci.yml" => "gitlab-ci",
        "jenkinsfile" => "jenkins",
        "procfile" => "procfile",
        "fly.toml" => "fly",
        "railway.json" | "railway.toml" => "railway",
        "vercel.json" => "vercel",
        "netlify.toml" => "netlify",
        "render.yaml" => "render",
        "heroku.yml" | "app.json" if rel == name => "heroku",
        "chart.yaml" => "helm",
        "kustomization.yaml" | "kustomization.yml" => "kustomize",
        "pulumi.yaml" => "pulumi",
        "skaffold.yaml" => "skaffold",
        _ if lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") => "dockerfile",
        _ if lower.ends_with(".tf") => "terraform",
        _ if (rel.starts_with(".github/workflows/")) && (lower.ends_with(".yml") || lower.ends_with(".yaml")) => {
            "github-actions"
        }
        _ if rel == ".circleci/config.yml" => "circleci",
        _ => return None,
    };
    Some(kind)
}

/// Lists the infrastructure files under the project root, sorted by path.
pub fn inventory(view: &ProjectView) -> Vec<InfraFile> {
    let mut found = Vec::new();
    let mut stack = vec![(String::new(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        for name in view.list(&dir) {
            let rel = if dir.is_empty() {
                name.clone()
            } else {
                format!("{dir}/{name}")
            };
            if view.is_dir(&rel) {
                let hidden_ok = matches!(name.as_str(), ".github" | ".circleci" | "workflows");
                if depth < MAX_DEPTH && !SKIP_DIRS.contains(&name.as_str()) && (!name.starts_with('.') || hidden_ok) {
                    stack.push((rel, depth + 1));
                }
            } else if let Some(kind) = kind_of(&rel, &name) {
                found.push(InfraFile {
                    kind: kind.into(),
                    path: rel,
                });
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}
