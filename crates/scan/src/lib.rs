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

pub mod infra;
pub mod knowledge;
pub mod node;
mod profile;
mod semver;
mod view;

pub use profile::*;
pub use view::ProjectView;

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
pub fn scan(root: &Path) -> Result<ProjectProfile, ScanError> {
    let view = ProjectView::open(root)?;
    let mut warnings = Vec::new();
    let mut services = Vec::new();
    if let Some(service) = node::detect(&view, "", &mut warnings) {
        services.push(service);
    }
    let infrastructure = infra::inventory(&view);
    Ok(ProjectProfile {
        root: view.root_display(),
        services,
        infrastructure,
        git: None,
        warnings,
    })
}
