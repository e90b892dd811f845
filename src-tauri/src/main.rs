//! Slipway's desktop app: a thin Tauri shell over `slipway-api`.
//!
//! Usage: `slipway-app [PROJECT_FOLDER]`. The folder can also be opened from the window, by
//! the native dialog or by dropping it on the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod instance;
mod logs;
mod prefs;
mod watch;
mod window_place;

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
    /// The watch on the open project.
    watch: Mutex<Option<slipway_api::watch::Watch>>,
    /// Drift found at the last analysis.
    drift: Mutex<Vec<slipway_engine::drift::Drift>>,
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
    // One running instance: a second launch hands its folder to the first and exits.
    let listener = match instance::claim(initial.as_deref()) {
        instance::Claim::HandedOver => return,
        instance::Claim::First(listener) => listener,
    };
    let sink = Arc::new(logs::LogSink::default());
    let state = AppState {
        initial: Mutex::new(initial),
        project: Mutex::new(None),
        run: Mutex::new(None),
        cancel: Mutex::new(None),
        watch: Mutex::new(None),
        drift: Mutex::new(Vec::new()),
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
            if let Some(listener) = listener {
                instance::serve(app.handle().clone(), listener);
            }
            window_place::restore(app.handle());
            tracing::info!(log_dir = %log_dir.display(), version = env!("CARGO_PKG_VERSION"), "Slipway started");
            Ok(())
        })
        .on_window_event(|window, event| {
            if matches!(
                event,
                WindowEvent::Resized(_) | WindowEvent::Moved(_) | WindowEvent::CloseRequested { .. }
            ) {
                window_place::remember(window);
            }
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
                                match commands::open(folder, &app, &state).await {
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
            commands::set_deploy,
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
            commands::review_change,
            commands::edit_change,
            commands::refresh_change,
            commands::run_conflicts,
            commands::undo_apply,
            commands::push_run,
            commands::store_git_token,
            commands::recent_projects,
            commands::branch_choice,
            commands::drift_fix,
        ])
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("Slipway could not start its window")
        .run(|_, event| {
            if let tauri::RunEvent::Exit = event {
                // The next launch becomes the running instance at once.
                instance::release();
            }
        });
}
