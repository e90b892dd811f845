//! The ways a folder reaches the app besides the window's own buttons: the command line, a
//! second launch (handed over by the single-instance plugin), and a drop on the window.

use std::path::{Path, PathBuf};

use slipway_api::desktop::{dropped, folder_from_args};

use tauri::{AppHandle, Emitter, Manager};

use crate::AppState;

/// Opens `folder` as the project and tells the window, or tells it why it could not.
pub fn open_and_announce(app: &AppHandle, folder: PathBuf) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        match crate::commands::open(folder, &app, &state).await {
            Ok(profile) => {
                let _ = app.emit("slipway://project", profile);
            }
            Err(e) => {
                let _ = app.emit("slipway://project-error", e);
            }
        }
    });
}

/// A later launch's arguments, handed over by the single-instance plugin: the window comes
/// forward and opens the folder it names.
pub fn handed_over(app: &AppHandle, argv: Vec<String>, cwd: String) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
    if let Some(folder) = folder_from_args(argv.iter().skip(1), Path::new(&cwd)) {
        tracing::info!(folder = %folder.display(), "a second launch handed over a folder");
        open_and_announce(app, folder);
    }
}

/// A drop on the window: the folder opens, or the window says why not.
pub fn drop_on_window(app: &AppHandle, paths: &[PathBuf]) {
    match dropped(paths) {
        Ok(folder) => open_and_announce(app, folder),
        Err(message) => {
            tracing::info!(count = paths.len(), "a drop that is not one folder: {message}");
            let _ = app.emit(
                "slipway://project-error",
                crate::commands::CommandError::new("bad_drop", message),
            );
        }
    }
}
