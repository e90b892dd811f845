//! The inventory of deployment and CI files a project already has.

use crate::{FoundValue, InfraFile, ProjectView};

/// Folders whose YAML files are probably Kubernetes manifests.
const K8S_DIRS: &[&str] = &[
    "k8s",
    "kube",
    "kubernetes",
    "manifests",
    "deploy",
    "deployment",
    "deployments",
    "overlays",
    "base",
    "charts",
];

fn kind_of(rel: &str, name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let at_root = rel == name;
    let kind = match lower.as_str() {
        "dockerfile" | "containerfile" => "dockerfile",
        ".dockerignore" => "dockerignore",
        "compose.yaml" | "compose.yml" | "docker-compose.yml" | "docker-compose.yaml" => "compose",
        ".gitlab-ci.yml" => "gitlab-ci",
        "jenkinsfile" => "jenkins",
        "bitbucket-pipelines.yml" => "bitbucket-pipelines",
        "azure-pipelines.yml" => "azure-pipelines",
        ".travis.yml" => "travis",
        "cloudbuild.yaml" | "cloudbuild.yml" => "cloud-build",
        "procfile" => "procfile",
        "fly.toml" => "fly",
        "railway.json" | "railway.toml" => "railway",
        "vercel.json" => "vercel",
        "netlify.toml" => "netlify",
        "render.yaml" => "render",
        "heroku.yml" => "heroku",
        "app.json" if at_root => "heroku",
        "nixpacks.toml" => "nixpacks",
        "apprunner.yaml" => "app-runner",
        "serverless.yml" | "serverless.yaml" => "serverless",
        "chart.yaml" => "helm",
        "kustomization.yaml" | "kustomization.yml" => "kustomize",
        "skaffold.yaml" => "skaffold",
        "pulumi.yaml" | "pulumi.yml" => "pulumi",
        "ansible.cfg" => "ansible",
        "terragrunt.hcl" => "terraform",
        "samconfig.toml" => "cloudformation",
        _ if lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") => "dockerfile",
        _ if (lower.starts_with("docker-compose.") || lower.starts_with("compose."))
            && (lower.ends_with(".yml") || lower.ends_with(".yaml")) =>
        {
            "compose"
        }
        _ if lower.ends_with(".tf") || lower.ends_with(".tf.json") => "terraform",
        _ if rel.starts_with(".github/workflows/") && (lower.ends_with(".yml") || lower.ends_with(".yaml")) => {
            "github-actions"
        }
        _ if rel == ".circleci/config.yml" => "circleci",
        _ if rel.starts_with(".do/") && lower.ends_with(".yaml") => "digitalocean",
        _ if (lower.starts_with("playbook") || lower == "site.yml") && lower.ends_with(".yml") => "ansible",
        _ => return None,
    };
    Some(kind)
}

/// Kinds told apart by content: Kubernetes manifests, CloudFormation templates, Ansible roles.
fn kind_by_content(view: &ProjectView, rel: &str, name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
    let json = lower.ends_with(".json");
    if !yaml && !json {
        return None;
    }
    let components: Vec<&str> = rel.split('/').collect();
    let dirs = &components[..components.len() - 1];
    if dirs.contains(&"roles") && dirs.contains(&"tasks") {
        return Some("ansible");
    }
    // Helm templates belong to their chart, already listed through Chart.yaml.
    if dirs.contains(&"templates") && dirs.len() >= 2 {
        return None;
    }
    let k8s_dir = dirs.iter().any(|d| K8S_DIRS.contains(d));
    let cfn_name = lower.contains("template") || lower.contains("cloudformation") || lower.contains("stack");
    if !k8s_dir && !cfn_name {
        return None;
    }
    let text = view.read_source(rel, 16 * 1024)?;
    if text.contains("AWSTemplateFormatVersion") || text.contains("Type: AWS::") || text.contains("\"Type\": \"AWS::") {
        return Some("cloudformation");
    }
    if yaml && text.contains("apiVersion:") && text.contains("kind:") {
        return Some("kubernetes");
    }
    None
}

/// Lists the infrastructure files in the project, sorted by path.
pub fn inventory(view: &ProjectView) -> Vec<InfraFile> {
    let mut found = Vec::new();
    for rel in &view.index().files {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        if rel.split('/').any(|c| c == "node_modules") {
            continue;
        }
        if let Some(kind) = kind_of(rel, name).or_else(|| kind_by_content(view, rel, name)) {
            found.push(InfraFile {
                kind: kind.into(),
                path: rel.clone(),
            });
        }
    }
    found
}

/// The first ingress class the project's own manifests name: `spec.ingressClassName`, or the
/// older `kubernetes.io/ingress.class` annotation. Template expressions (Helm's `{{ }}`) say
/// nothing about the cluster and are passed over.
pub fn ingress_class(view: &ProjectView, inventory: &[InfraFile]) -> Option<FoundValue> {
    for f in inventory.iter().filter(|f| f.kind == "kubernetes") {
        let Some(text) = view.read_source(&f.path, 256 * 1024) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start().trim_start_matches("- ");
            let value = t
                .strip_prefix("ingressClassName:")
                .or_else(|| t.strip_prefix("kubernetes.io/ingress.class:"))
                .or_else(|| t.strip_prefix("\"kubernetes.io/ingress.class\":"));
            let Some(v) = value else { continue };
            let v = v
                .split(" #")
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .trim();
            let plain = !v.is_empty()
                && v.len() <= 253
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/'));
            if plain {
                return Some(FoundValue {
                    value: v.to_string(),
                    file: f.path.clone(),
                    line: i as u32 + 1,
                });
            }
        }
    }
    None
}
