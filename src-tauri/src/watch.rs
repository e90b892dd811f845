//! Follows the open project: a settled burst of file changes re-runs the analysis, updates the
//! project panel (without touching a review in progress) and reports drift between the project
//! and its deployment files.

use std::path::PathBuf;
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use crate::commands::lock;
use crate::AppState;

/// Quiet time that ends a burst of changes.
const QUIET: Duration = Duration::from_millis(400);
/// Longest burst before the analysis runs anyway.
const LONGEST: Duration = Duration::from_secs(10);

/// Analyses `root` again and reports the project and its drift to the window.
pub fn reanalyse(app: &AppHandle, root: &std::path::Path, why: &str) {
    let state = app.state::<AppState>();
    if lock(&state.project).as_deref() != Some(root) {
        return; // another project was opened meanwhile
    }
    match slipway_api::scan(root) {
        Ok(profile) => {
            let drift = slipway_api::drift(&profile);
            for d in &drift {
                tracing::info!(path = %d.path, "drift: {}", d.message);
            }
            tracing::info!("{why}: analysed again, {} drift notice(s)", drift.len());
            *lock(&state.drift) = drift.clone();
            let _ = app.emit("slipway://rescanned", profile);
            let _ = app.emit("slipway://drift", drift);
        }
        Err(e) => tracing::warn!("{why}: the analysis failed: {e}"),
    }
}

/// Starts watching `root` (replacing any earlier watch) and reports drift at once.
pub fn follow(app: &AppHandle, root: PathBuf) {
    let state = app.state::<AppState>();
    *lock(&state.watch) = None;
    let handle = app.clone();
    let watched = root.clone();
    match slipway_api::watch::watch(&root, QUIET, LONGEST, move |burst| {
        let why = format!(
            "{} change(s) in the project ({}{})",
            burst.events,
            burst.sample.join(", "),
            if burst.events > burst.sample.len() { ", …" } else { "" }
        );
        reanalyse(&handle, &watched, &why);
    }) {
        Ok(w) => *lock(&state.watch) = Some(w),
        Err(e) => tracing::warn!(root = %root.display(), "cannot watch the project for changes: {e}"),
    }
    let handle = app.clone();
    std::thread::spawn(move || reanalyse(&handle, &root, "project opened"));
}
