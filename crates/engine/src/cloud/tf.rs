//! The pieces every Terraform generator builds its files from: blocks, values, typed and
//! validated variables, the pinned `terraform` block, and the artifact a file becomes.

use hcl::expr::ObjectKey;
use hcl::{Block, BlockBuilder, Expression};

use crate::generate::Artifact;
use crate::write::hcl::{expr, HclFile};

pub fn res(kind: &str, name: &str) -> BlockBuilder {
    Block::builder("resource").add_label(kind).add_label(name)
}

pub fn data(kind: &str, name: &str) -> BlockBuilder {
    Block::builder("data").add_label(kind).add_label(name)
}

pub fn st(v: impl Into<String>) -> Expression {
    Expression::String(v.into())
}

pub fn obj<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Expression)>) -> Expression {
    Expression::Object(pairs.into_iter().map(|(k, v)| (ObjectKey::from(k.into()), v)).collect())
}

pub fn strs<'a>(items: impl IntoIterator<Item = &'a str>) -> Expression {
    Expression::Array(items.into_iter().map(st).collect())
}

pub fn variable(name: &str, kind: &str, description: &str, default: Option<Expression>) -> BlockBuilder {
    let mut b = Block::builder("variable")
        .add_label(name)
        .add_attribute(("type", expr(kind)))
        .add_attribute(("description", description));
    if let Some(d) = default {
        b = b.add_attribute(("default", d));
    }
    b
}

pub fn validation(condition: &str, message: &str) -> Block {
    Block::builder("validation")
        .add_attribute(("condition", expr(condition)))
        .add_attribute(("error_message", message))
        .build()
}

/// The `project` and `environment` variables every environment stack starts with: the app's
/// name, checked to fit every resource name built from it, and the environments the spec has.
pub fn project_and_environment(project: &str, spec: &crate::spec::DeploySpec) -> [Block; 2] {
    let names: Vec<&str> = spec.environments.iter().map(|e| e.name.as_str()).collect();
    [
        variable(
            "project",
            "string",
            "The app's name; every resource is named after it and the environment.",
            Some(st(project)),
        )
        .add_block(validation(
            "can(regex(\"^[a-z][a-z0-9-]{1,20}$\", var.project))",
            "project must be 2 to 21 lowercase letters, digits and hyphens, starting with a letter.",
        ))
        .build(),
        variable(
            "environment",
            "string",
            "The environment this state holds; the pipeline sets it.",
            Some(st(spec.production())),
        )
        .add_block(validation(
            &format!(
                "contains([{}], var.environment)",
                names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
            ),
            &format!("environment must be one of {}.", names.join(", ")),
        ))
        .build(),
    ]
}

/// The `locals` every environment stack starts with: `name` (project-environment) and `key`,
/// the tags or labels on every resource, capitalised as AWS writes tags when `aws`.
pub fn environment_locals(key: &str, aws: bool, managed_by: &str) -> Block {
    let names = if aws {
        ["Project", "Environment", "ManagedBy"]
    } else {
        ["project", "environment", "managed-by"]
    };
    Block::builder("locals")
        .add_attribute(("name", expr("\"${var.project}-${var.environment}\"")))
        .add_attribute((
            key,
            obj([
                (names[0], expr("var.project")),
                (names[1], expr("var.environment")),
                (names[2], st(managed_by)),
            ]),
        ))
        .build()
}

pub fn file(path: String, f: &HclFile, purpose: impl Into<String>) -> Artifact {
    Artifact {
        path,
        content: f.render(),
        purpose: purpose.into(),
        step: "cloud".into(),
    }
}

pub fn versions(required: &[(&str, &str, &str)]) -> Block {
    let mut providers = Block::builder("required_providers");
    for (name, source, version) in required {
        providers = providers.add_attribute((*name, obj([("source", st(*source)), ("version", st(*version))])));
    }
    Block::builder("terraform")
        .add_attribute(("required_version", crate::knowledge::TERRAFORM_REQUIRED))
        .add_block(providers.build())
        .build()
}

/// The lines every Terraform job starts with: the pinned Terraform, checked against HashiCorp's
/// published checksums, in a folder that goes with the job, `tf` for the stack's folder, and
/// its state chosen with `backend` (`key=...` for S3, `prefix=...` for GCS).
pub fn setup(dir: &str, backend: &str) -> Vec<String> {
    let v = crate::knowledge::TERRAFORM_VERSION;
    let base = format!("https://releases.hashicorp.com/terraform/{v}");
    let zip = format!("terraform_{v}_linux_amd64.zip");
    vec![
        "bin=$(mktemp -d)".into(),
        r#"trap 'rm -rf "$bin"' EXIT"#.into(),
        format!(r#"curl -fsSLo "$bin/{zip}" {base}/{zip}"#),
        format!(r#"curl -fsSLo "$bin/SHA256SUMS" {base}/terraform_{v}_SHA256SUMS"#),
        format!(r#"(cd "$bin" && grep ' {zip}$' SHA256SUMS | sha256sum -c -)"#),
        format!(r#"unzip -q -d "$bin" "$bin/{zip}" terraform"#),
        format!(r#"tf() {{ "$bin/terraform" -chdir={dir} "$@"; }}"#),
        format!(r#"tf init -input=false -backend-config="{backend}""#),
    ]
}

/// The lines that write the plan of `environment` into the job's summary, where the person
/// reads it before merging or approving.
pub fn plan_to_summary(environment: &str) -> Vec<String> {
    vec![
        // A state another run holds is waited for, never broken.
        "tf plan -input=false -lock-timeout=10m -no-color -out=plan.bin".into(),
        format!(
            r####"{{ echo "### Terraform plan: {environment}"; echo; echo '```'; tf show -no-color plan.bin | tail -c 900000; echo '```'; }} >> "$GITHUB_STEP_SUMMARY""####
        ),
    ]
}
