//! The use cases of Slipway, the one layer the desktop app, the `slipway` command and the
//! tests all call.
//!
//! A task runs as the deployment engineer's workflow: the todo list first, then analysis,
//! the project's rules, research, context, the work itself, a reflection that checks it, and
//! finally commit and push. [`Run`] holds one task's state between those stages so the desktop
//! can pause for review before applying, and the command line can do it all in one go.
//!
//! Progress reaches front ends two ways: todo updates through a [`RunObserver`], and log lines
//! through `tracing`, which each front end routes where it wants (stderr, a file, the UI).
#![deny(missing_docs)]

pub mod agent;
pub mod desktop;
pub mod keychain;
mod rules;
mod run;
pub mod settings;
pub mod watch;

pub use agent::LlmSettings;
pub use rules::{CommitStyle, ProjectRules};
pub use run::{Brain, PushReport, Run, RunObserver, RunOptions, RunReport};
pub use settings::{BrainSettings, BrainStatus};
pub use slipway_llm as llm;

use std::path::Path;

use slipway_engine::generate::GenerateError;
use slipway_engine::{ApplyError, TaskError};
use slipway_git::GitError;
use slipway_scan::{ProjectProfile, ScanError};

/// Why a use case failed. [`ApiError::is_bad_input`] separates the user's input from failures
/// of the work itself (the command line exits 2 for the first, 1 for the second).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The project folder is missing or unreadable.
    #[error(transparent)]
    Scan(#[from] ScanError),
    /// The task text was not understood.
    #[error(transparent)]
    Task(#[from] TaskError),
    /// The task was understood but nothing in it can be done yet.
    #[error("the built-in engine cannot yet {asked}; today it can containerize the app, set up CI/CD to a platform, deploy to Kubernetes and write AWS in Terraform")]
    Unsupported {
        /// What was asked for, in words.
        asked: String,
    },
    /// The files could not be generated.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    /// The change set could not be applied; nothing was written.
    #[error(transparent)]
    Apply(#[from] ApplyError),
    /// Git refused.
    #[error(transparent)]
    Git(#[from] GitError),
    /// A review decision named a file or hunk that is not there.
    #[error(transparent)]
    Review(#[from] slipway_engine::ReviewError),
    /// A step was asked for out of order.
    #[error("{0}")]
    Order(String),
    /// The model's provider failed or is misconfigured.
    #[error(transparent)]
    Llm(#[from] slipway_llm::LlmError),
    /// The person cancelled the run; nothing was written.
    #[error("cancelled; nothing was written")]
    Cancelled,
    /// The OS keychain could not be used.
    #[error(transparent)]
    Keychain(#[from] keychain::KeychainError),
    /// A correction could not be saved to slipway.toml; the file is unchanged.
    #[error(transparent)]
    Correction(#[from] slipway_scan::config::ConfigError),
    /// The deployment spec holds values that make no deployment; nothing was generated.
    #[error("{0}; nothing was generated")]
    Spec(String),
}

impl ApiError {
    /// True when the cause is the user's input rather than the work.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            ApiError::Scan(_)
                | ApiError::Task(_)
                | ApiError::Generate(GenerateError::NoService(_))
                | ApiError::Git(GitError::NotARepository(_))
                | ApiError::Llm(slipway_llm::LlmError::Config(_))
                | ApiError::Correction(
                    slipway_scan::config::ConfigError::UnknownField { .. }
                        | slipway_scan::config::ConfigError::BadValue { .. }
                        | slipway_scan::config::ConfigError::Unreadable { .. }
                )
        )
    }

    /// A stable code the UI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Scan(_) => "bad_folder",
            ApiError::Task(_) => "bad_task",
            ApiError::Unsupported { .. } => "unsupported",
            ApiError::Generate(GenerateError::NoService(_)) => "no_service",
            ApiError::Generate(_) => "unsupported",
            ApiError::Apply(ApplyError::Conflict { .. }) => "conflict",
            ApiError::Apply(_) => "apply_failed",
            ApiError::Git(GitError::NotARepository(_)) => "not_a_repository",
            ApiError::Git(_) => "git_failed",
            ApiError::Order(_) => "out_of_order",
            ApiError::Review(_) => "bad_review",
            ApiError::Llm(slipway_llm::LlmError::Unauthorized { .. }) => "llm_unauthorized",
            ApiError::Llm(slipway_llm::LlmError::Config(_)) => "llm_settings",
            ApiError::Llm(_) => "llm_failed",
            ApiError::Cancelled => "cancelled",
            ApiError::Keychain(_) => "keychain",
            ApiError::Correction(slipway_scan::config::ConfigError::Io { .. }) => "write_failed",
            ApiError::Correction(_) => "bad_correction",
            ApiError::Spec(_) => "bad_spec",
        }
    }
}

/// Analyses a project folder, git facts included.
pub fn scan(root: &Path) -> Result<ProjectProfile, ApiError> {
    let mut profile = slipway_scan::scan(root)?;
    profile.git = slipway_git::facts(Path::new(&profile.root));
    Ok(profile)
}

/// The ways the project's deployment files lag behind the project, each with its fix.
pub fn drift(profile: &ProjectProfile) -> Vec<slipway_engine::drift::Drift> {
    let root = Path::new(&profile.root);
    slipway_engine::drift::find(profile, &|rel| {
        let target = slipway_engine::changeset::resolve_inside(root, rel).ok()?;
        let bytes = std::fs::read(target).ok()?;
        (bytes.len() <= 1024 * 1024)
            .then(|| String::from_utf8(bytes).ok())
            .flatten()
    })
}

/// Saves one correction of the analysis in the project's `slipway.toml` (a `None` value removes
/// it, going back to what Slipway detects) and returns the profile analysed again with it.
///
/// `service` is the service folder relative to the project root (`"."` for the root); `field`
/// is one of [`slipway_scan::config::FIELDS`].
pub fn correct(
    root: &Path,
    service: &str,
    field: &str,
    value: Option<&serde_json::Value>,
) -> Result<ProjectProfile, ApiError> {
    let view = slipway_scan::ProjectView::open(root)?;
    let root = view.root().to_path_buf();
    if service.contains("..") || Path::new(service).is_absolute() {
        return Err(ApiError::Correction(slipway_scan::config::ConfigError::BadValue {
            field: "service".into(),
            value: service.into(),
            why: "the service must be a folder inside the project".into(),
        }));
    }
    slipway_scan::config::set_correction(&root, service, field, value)?;
    tracing::info!(service, field, "correction saved in slipway.toml");
    scan(&root)
}

/// Saves one field of the deployment spec (`ci`, `targets`, `branch`, ...) in the `[deploy]`
/// table of `slipway.toml`, keeping the rest of the file as written, and re-reads the project.
/// A value the spec cannot use (an unknown CI system or target) is refused in words.
pub fn set_deploy(root: &Path, field: &str, value: Option<&serde_json::Value>) -> Result<ProjectProfile, ApiError> {
    use slipway_engine::params::{CiSystem, Registry, Strategy, Target};
    let view = slipway_scan::ProjectView::open(root)?;
    let root = view.root().to_path_buf();
    let bad = |why: String| {
        ApiError::Correction(slipway_scan::config::ConfigError::BadValue {
            field: field.into(),
            value: value.map_or("empty".into(), |v| v.to_string()),
            why,
        })
    };
    let texts: Vec<String> = match value {
        Some(serde_json::Value::String(s)) => s
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect(),
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    };
    for t in &texts {
        let known = match field {
            "ci" => CiSystem::parse(t)
                .is_some()
                .then_some(())
                .ok_or("github, gitlab, jenkins or circleci"),
            "registry" => Registry::parse(t)
                .is_some()
                .then_some(())
                .ok_or("ghcr, gitlab, dockerhub, ecr, gar or acr"),
            "targets" => Target::parse(t).is_some().then_some(()).ok_or(
                "railway, fly, render, heroku, vercel, netlify, kubernetes, cloud-run, ecs or azure-container-apps",
            ),
            "strategy" => Strategy::parse(t)
                .is_some()
                .then_some(())
                .ok_or("rolling, blue-green or canary"),
            _ => Ok(()),
        };
        if let Err(names) = known {
            return Err(bad(format!("{t:?} is not one Slipway knows; use {names}")));
        }
    }
    // Store ids, the way the spec reads them back.
    let normalised = match field {
        "ci" => texts
            .first()
            .and_then(|t| CiSystem::parse(t))
            .map(|c| serde_json::Value::from(c.id())),
        "registry" => texts
            .first()
            .and_then(|t| Registry::parse(t))
            .map(|r| serde_json::Value::from(r.id())),
        "strategy" => texts
            .first()
            .and_then(|t| Strategy::parse(t))
            .map(|s| serde_json::Value::from(s.id())),
        "targets" if !texts.is_empty() => Some(serde_json::Value::from(
            texts
                .iter()
                .filter_map(|t| Target::parse(t))
                .map(|t| t.id())
                .collect::<Vec<_>>(),
        )),
        _ => None,
    };
    let value = normalised.as_ref().or(value);
    slipway_scan::config::set_deploy(&root, field, value)?;
    tracing::info!(field, "deployment setting saved in slipway.toml");
    scan(&root)
}
