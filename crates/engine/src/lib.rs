//! The engine of Slipway: everything between a [`ProjectProfile`](slipway_scan::ProjectProfile)
//! and files on disk.
//!
//! ```text
//! task text --task::understand--> Task --plan::plan--> Plan (todos)
//! ProjectProfile --spec::build--> DeploySpec --generate, pipeline, kube--> Artifacts
//! ProjectProfile --generate--> Artifacts --check--> Findings
//! Artifacts --changeset::ChangeSet::preview--> ChangeSet (diffs) --apply--> files on disk
//! ```
//!
//! Design decisions:
//! - Generators are pure functions of the profile: no IO, so every generated file can be
//!   snapshot-tested and previewed, and both the built-in brain and an LLM go through the
//!   same review.
//! - Nothing reaches the disk except through [`changeset::ChangeSet::apply`], which refuses
//!   paths outside the project and files that changed since the preview.
//! - Checks work on file text, not on our own generator's structures, so they review a user's
//!   existing files exactly as they review ours.
#![deny(missing_docs)]

pub mod backup;
pub mod changeset;
pub mod check;
pub mod cloud;
pub mod drift;
pub mod generate;
pub mod knowledge;
pub mod kube;
pub mod params;
pub mod pipeline;
pub mod plan;
pub mod spec;
pub mod suggest;
pub mod task;
pub mod vm;
pub mod write;

pub use changeset::{ApplyError, Change, ChangeAction, ChangeSet, Hunk, ReviewError};
pub use check::{Finding, Severity};
pub use generate::Artifact;
pub use plan::{Plan, Todo, TodoKind, TodoStatus};
pub use task::{Intent, Task, TaskError};
