//! The app's commands: one line of work each over `slipway-api`, run off the UI thread.

use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;
use slipway_api::{ApiError, Run, RunObserver, RunReport};
use slipway_engine::Todo;
use slipway_scan::ProjectProfile;
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_dialog::DialogExt;

use crate::logs::LogLine;
use crate::AppState;

/// The one error shape the UI gets: a stable code and a sentence.
#[derive(Debug, Clone, Serialize)]
pub struct CommandError {
    code: &'static str,
    message: String,
}

impl From<ApiError> for CommandError {
    fn from(e: ApiError) -> Self {
        CommandError {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

fn internal(message: impl Into<String>) -> CommandError {
    CommandError {
        code: "internal",
        message: message.into(),
    }
}

type Reply<T> = Result<T, CommandError>;

/// Sends todo updates to the window as they happen.
struct UiTodos(AppHandle);

impl RunObserver for UiTodos {
    fn todos(&self, todos: &[Todo]) {
        let _ = self.0.emit("slipway://todos", todos);
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Reply<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| internal(format!("background work failed: {e}")))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Opens a project: analyses it and makes it the current one.
pub async fn open(path: PathBuf, state: &AppState) -> Reply<ProjectProfile> {
    tracing::info!(path = %path.display(), "opening project");
    let profile = blocking(move || slipway_api::scan(&path)).await??;
    *lock(&state.project) = Some(PathBuf::from(&profile.root));
    *lock(&state.run) = None;
    Ok(profile)
}

fn take_run(state: &AppState) -> Reply<Run> {
    lock(&state.run).take().ok_or_else(|| CommandError {
        code: "no_run",
        message: "run a task first".into(),
    })
}

#[tauri::command]
pub async fn initial_project(state: State<'_, AppState>) -> Reply<Option<ProjectProfile>> {
    let initial = lock(&state.initial).take();
    match initial {
        Some(path) => open(path, &state).await.map(Some),
        None => Ok(None),
    }
}

#[tauri::command]
pub async fn pick_folder(app: AppHandle, state: State<'_, AppState>) -> Reply<Option<ProjectProfile>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Open a project folder")
        .pick_folder(move |p| {
            let _ = tx.send(p);
        });
    let picked = rx
        .await
        .map_err(|_| internal("the folder dialog closed unexpectedly"))?;
    match picked.and_then(|p| p.into_path().ok()) {
        Some(path) => open(path, &state).await.map(Some),
        None => Ok(None),
    }
}

#[tauri::command]
pub async fn open_project(path: String, state: State<'_, AppState>) -> Reply<ProjectProfile> {
    open(PathBuf::from(path), &state).await
}

#[tauri::command]
pub async fn start_run(task: String, app: AppHandle, state: State<'_, AppState>) -> Reply<RunReport> {
    let root = lock(&state.project).clone().ok_or_else(|| CommandError {
        code: "no_project",
        message: "open a project folder first".into(),
    })?;
    let observer = UiTodos(app);
    let run = blocking(move || Run::prepare(&root, &task, &observer)).await??;
    let report = run.report();
    *lock(&state.run) = Some(run);
    Ok(report)
}

/// Takes the current run out of the state, does `step` off the UI thread, and puts it back,
/// whether the step worked or not (a failed commit leaves the applied run in place).
async fn step_run(
    state: &AppState,
    step: impl FnOnce(&mut Run) -> Result<(), ApiError> + Send + 'static,
) -> Reply<RunReport> {
    let mut run = take_run(state)?;
    let (run, result) = blocking(move || {
        let r = step(&mut run);
        (run, r)
    })
    .await?;
    let report = run.report();
    *lock(&state.run) = Some(run);
    result?;
    Ok(report)
}

#[tauri::command]
pub async fn apply_run(app: AppHandle, state: State<'_, AppState>) -> Reply<RunReport> {
    step_run(&state, move |run| run.apply(&UiTodos(app)).map(|_| ())).await
}

#[tauri::command]
pub async fn commit_and_push(app: AppHandle, state: State<'_, AppState>) -> Reply<RunReport> {
    step_run(&state, move |run| {
        let observer = UiTodos(app);
        run.commit(&observer)?;
        run.push(&observer)?;
        Ok(())
    })
    .await
}

/// Saves one correction of the analysis in the project's slipway.toml and returns the project
/// analysed again. A `null` value removes the correction. The current run, prepared from the
/// old analysis, is dropped.
#[tauri::command]
pub async fn correct_service(
    service: String,
    field: String,
    value: Option<serde_json::Value>,
    state: State<'_, AppState>,
) -> Reply<ProjectProfile> {
    let root = lock(&state.project).clone().ok_or_else(|| CommandError {
        code: "no_project",
        message: "open a project folder first".into(),
    })?;
    let profile = blocking(move || slipway_api::correct(&root, &service, &field, value.as_ref())).await??;
    *lock(&state.run) = None;
    Ok(profile)
}

#[tauri::command]
pub fn recent_logs(state: State<'_, AppState>) -> Vec<LogLine> {
    state.logs.recent()
}
