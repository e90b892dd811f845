//! Slipway's desktop app: a thin Tauri shell over `slipway-api`.
//!
//! Usage: `slipway-app [PROJECT_FOLDER]`. The folder can also be opened from the window, by
//! the native dialog or by dropping it on the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod logs;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use slipway_api::Run;
use tauri::{DragDropEvent, Emitter, Manager, WindowEvent};

/// What the app remembers between commands.
pub struct AppState {
    /// The folder given on the command line, until the UI asks for it.
    initial: Mutex<Option<PathBuf>>,
    /// The open project.
    project: Mutex<Option<PathBuf>>,
    /// The current task's run, between preview, apply and commit.
    run: Mutex<Option<Run>>,
    /// Stops the task being prepared, while one is.
    cancel: Mutex<Option<slipway_api::llm::Cancel>>,
    /// Log lines for the UI.
    logs: Arc<logs::LogSink>,
}

fn main() {
    let initial = std::env::args_os()
        .skip(1)
        .map(PathBuf::from)
        .find(|a| !a.to_string_lossy().starts_with('-'));
    let sink = Arc::new(logs::LogSink::default());
    let state = AppState {
        initial: Mutex::new(initial),
        project: Mutex::new(None),
        run: Mutex::new(None),
        cancel: Mutex::new(None),
        logs: sink.clone(),
    };

    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .setup(move |app| {
            let log_dir = app.path().app_log_dir()?;
            if let Some(guard) = logs::init(&log_dir, sink.clone()) {
                app.manage(guard);
            }
            sink.attach(app.handle().clone());
            tracing::info!(log_dir = %log_dir.display(), version = env!("CARGO_PKG_VERSION"), "Slipway started");
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::DragDrop(drag) = event {
                let app = window.app_handle().clone();
                match drag {
                    DragDropEvent::Enter { .. } | DragDropEvent::Over { .. } => {
                        let _ = app.emit("slipway://dragging", true);
                    }
                    DragDropEvent::Leave => {
                        let _ = app.emit("slipway://dragging", false);
                    }
                    DragDropEvent::Drop { paths, .. } => {
                        let _ = app.emit("slipway://dragging", false);
                        let folder = paths.iter().find(|p| p.is_dir()).or(paths.first()).cloned();
                        if let Some(folder) = folder {
                            tauri::async_runtime::spawn(async move {
                                let state = app.state::<AppState>();
                                match commands::open(folder, &state).await {
                                    Ok(profile) => {
                                        let _ = app.emit("slipway://project", profile);
                                    }
                                    Err(e) => {
                                        let _ = app.emit("slipway://project-error", e);
                                    }
                                }
                            });
                        }
                    }
                    _ => {}
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::initial_project,
            commands::correct_service,
            commands::pick_folder,
            commands::open_project,
            commands::start_run,
            commands::apply_run,
            commands::commit_and_push,
            commands::recent_logs,
            commands::cancel_run,
            commands::brain_status,
            commands::save_brain,
            commands::store_key,
            commands::forget_key,
            commands::provider_defaults,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("Slipway could not start its window");
}
