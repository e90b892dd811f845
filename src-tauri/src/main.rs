//! Slipway's desktop app: a thin Tauri shell over `slipway-api`.
//!
//! Usage: `slipway-app [PROJECT_FOLDER]`. The folder can also be opened from the window, by
//! the native dialog or by dropping it on the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod logs;
mod opening;
mod prefs;
mod watch;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use slipway_api::Run;
use tauri::{DragDropEvent, Emitter, Manager, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// What the window-state plugin keeps: size, place and maximised, not visibility.
const WINDOW_STATE: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

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
    let cwd = std::env::current_dir().unwrap_or_default();
    let initial = slipway_api::desktop::folder_from_args(std::env::args_os().skip(1), &cwd);
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
        // First, so a second launch hands its arguments over (on Linux through D-Bus) and exits
        // before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            opening::handed_over(app, argv, cwd)
        }))
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(WINDOW_STATE)
                .build(),
        )
        .plugin(tauri_plugin_store::Builder::new().build())
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
            match event {
                // The plugin saves on exit; a session that is killed instead keeps the last place too.
                WindowEvent::Resized(_) | WindowEvent::Moved(_) => save_window_state_soon(window.app_handle()),
                WindowEvent::DragDrop(drag) => {
                    let app = window.app_handle();
                    match drag {
                        DragDropEvent::Enter { .. } | DragDropEvent::Over { .. } => {
                            let _ = app.emit("slipway://dragging", true);
                        }
                        DragDropEvent::Leave => {
                            let _ = app.emit("slipway://dragging", false);
                        }
                        DragDropEvent::Drop { paths, .. } => {
                            let _ = app.emit("slipway://dragging", false);
                            opening::drop_on_window(app, paths);
                        }
                        _ => {}
                    }
                }
                _ => {}
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
            commands::project_overview,
        ])
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("Slipway could not start its window")
        .run(|_, _| {});
}

/// Saves the window's size and place at the first move or resize (at most every 300 ms while
/// it goes on) and 300 ms after the last, so a session that ends without closing the window
/// keeps its last place too.
fn save_window_state_soon(app: &tauri::AppHandle) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};
    static LATEST: AtomicU64 = AtomicU64::new(0);
    static LAST_SAVE: Mutex<Option<Instant>> = Mutex::new(None);
    let save = |app: &tauri::AppHandle| {
        *commands::lock(&LAST_SAVE) = Some(Instant::now());
        if let Err(e) = app.save_window_state(WINDOW_STATE) {
            tracing::warn!("cannot save the window's place: {e}");
        }
    };
    let mine = LATEST.fetch_add(1, Ordering::SeqCst) + 1;
    let recent = commands::lock(&LAST_SAVE).is_some_and(|t| t.elapsed() < Duration::from_millis(300));
    if !recent {
        save(app);
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        if LATEST.load(Ordering::SeqCst) == mine {
            // On the main thread, like the plugin's own handlers: reading the window from here
            // while one of them holds its cache would deadlock.
            let handle = app.clone();
            let _ = app.run_on_main_thread(move || save(&handle));
        }
    });
}
