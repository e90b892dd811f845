//! Project analysis for Slipway.
//!
//! The scan turns a project folder into a [`ProjectProfile`]: every service found, with the
//! facts a deployment needs (language, framework, package manager, runtime version, port,
//! commands, backing services) and, for every conclusion, the [`Evidence`] that led to it, so a
//! person can see why and correct it.
//!
//! Design decisions:
//! - Detectors read the project only through [`ProjectView`], a read-only view with a size cap
//!   per file; nothing here writes, and nothing here touches git (the git facts are filled in by
//!   `slipway-git`, which keeps this crate free of libgit2).
//! - Bad input never stops a scan: a manifest that does not parse becomes a [`ScanWarning`]
//!   naming the file, and the rest of the analysis goes on.
//! - Knowledge that changes over time (current LTS releases, framework default ports) lives in
//!   [`knowledge`] as sorted data tables with the date they were last checked.
#![deny(missing_docs)]

pub mod config;
mod detect;
pub mod infra;
pub mod knowledge;
mod profile;
mod semver;
mod view;

pub use detect::{framework_label, runtime_label};
pub use profile::*;
pub use view::{FileIndex, ProjectView, MAX_FILE_BYTES, SKIP_DIRS};

use std::path::Path;

/// Why a scan could not start at all. Problems inside the project are warnings, not errors.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The folder does not exist.
    #[error("project folder {0} does not exist")]
    Missing(String),
    /// The path exists but is not a folder.
    #[error("{0} is a file, not a project folder")]
    NotAFolder(String),
    /// The folder exists but cannot be read.
    #[error("cannot read project folder {path}: {message}")]
    Unreadable {
        /// The folder.
        path: String,
        /// What the operating system said.
        message: String,
    },
}

/// Analyses the project at `root` and returns its profile (without git facts).
///
/// The folder is walked once (honouring .gitignore), every service in it is detected, the
/// corrections in `slipway.toml` are applied, and the infrastructure files are listed.
pub fn scan(root: &Path) -> Result<ProjectProfile, ScanError> {
    let mut warnings = Vec::new();
    let view = ProjectView::open(root)?.indexed(&mut warnings);
    Ok(scan_view(&view, warnings))
}

/// Analyses an already opened (and indexed) view; used for in-memory projects and fuzzing.
pub fn scan_view(view: &ProjectView, mut warnings: Vec<ScanWarning>) -> ProjectProfile {
    let (mut services, mut skipped) = detect::services(view, &mut warnings);
    let deploy = config::apply(view, &mut services, &mut skipped, &mut warnings);
    let infrastructure = infra::inventory(view);
    let ingress_class = infra::ingress_class(view, &infrastructure);
    ProjectProfile {
        root: view.root_display(),
        services,
        infrastructure,
        git: None,
        skipped,
        warnings,
        deploy,
        ingress_class,
    }
}
