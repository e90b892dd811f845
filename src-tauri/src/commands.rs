//! The app's commands: one line of work each over `slipway-api`, run off the UI thread.

use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;
use slipway_api::keychain;
use slipway_api::llm::{Cancel, ProviderKind, Secret};
use slipway_api::{ApiError, BrainSettings, BrainStatus, Run, RunObserver, RunReport};
use slipway_engine::Todo;
use slipway_scan::ProjectProfile;
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_dialog::DialogExt;

use crate::logs::LogLine;
use crate::AppState;

/// The one error shape the UI gets: a stable code and a sentence.
#[derive(Debug, Clone, Serialize)]
pub struct CommandError {
    code: &'static str,
    message: String,
}

impl CommandError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        CommandError {
            code,
            message: message.into(),
        }
    }
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

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Opens a project: analyses it, makes it the current one, and remembers it as recent.
pub async fn open(path: PathBuf, app: &AppHandle, state: &AppState) -> Reply<ProjectProfile> {
    tracing::info!(path = %path.display(), "opening project");
    let profile = blocking(move || slipway_api::scan(&path)).await??;
    *lock(&state.project) = Some(PathBuf::from(&profile.root));
    *lock(&state.run) = None;
    crate::prefs::opened(app, &profile.root);
    crate::watch::follow(app, PathBuf::from(&profile.root));
    Ok(profile)
}

fn take_run(state: &AppState) -> Reply<Run> {
    lock(&state.run).take().ok_or_else(|| CommandError {
        code: "no_run",
        message: "run a task first".into(),
    })
}

#[tauri::command]
pub async fn initial_project(app: AppHandle, state: State<'_, AppState>) -> Reply<Option<ProjectProfile>> {
    let initial = lock(&state.initial).take();
    match initial {
        Some(path) => open(path, &app, &state).await.map(Some),
        None => Ok(None),
    }
}

#[tauri::command]
pub async fn pick_folder(app: AppHandle, state: State<'_, AppState>) -> Reply<Option<ProjectProfile>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    // The chooser starts beside the last project (or at home), where the next one likely is,
    // rather than in a list of recent files.
    let start = crate::prefs::recent(&app)
        .first()
        .and_then(|r| std::path::Path::new(r).parent().map(std::path::Path::to_path_buf))
        .or_else(|| app.path().home_dir().ok());
    let mut dialog = app.dialog().file().set_title("Open a project folder");
    if let Some(dir) = start {
        dialog = dialog.set_directory(dir);
    }
    dialog.pick_folder(move |p| {
        let _ = tx.send(p);
    });
    let picked = rx
        .await
        .map_err(|_| internal("the folder dialog closed unexpectedly"))?;
    match picked.and_then(|p| p.into_path().ok()) {
        Some(path) => open(path, &app, &state).await.map(Some),
        None => Ok(None),
    }
}

#[tauri::command]
pub async fn open_project(path: String, app: AppHandle, state: State<'_, AppState>) -> Reply<ProjectProfile> {
    open(PathBuf::from(path), &app, &state).await
}

/// Starts a task and returns at once; the todo list follows as `slipway://todos` events and
/// the result as `slipway://run-done` (a [`RunReport`]) or `slipway://run-failed` (a
/// [`CommandError`]). Returning at once keeps the window responsive, and Cancel reachable, while
/// a model works.
#[tauri::command]
pub async fn start_run(task: String, app: AppHandle, state: State<'_, AppState>) -> Reply<()> {
    let root = lock(&state.project).clone().ok_or_else(|| CommandError {
        code: "no_project",
        message: "open a project folder first".into(),
    })?;
    let settings = BrainSettings::load(&settings_path(&app)?);
    let brain = blocking(move || -> Result<_, ApiError> {
        let (key, docs_key) = match settings.kind()? {
            Some(kind) => (
                keychain::load(&keychain::provider_account(kind))?,
                match settings.docs_url {
                    Some(_) => keychain::load(keychain::DOCS_ACCOUNT)?,
                    None => None,
                },
            ),
            None => (None, None),
        };
        settings.brain(key, docs_key)
    })
    .await??;
    let cancel = Cancel::new();
    {
        let mut current = lock(&state.cancel);
        if current.is_some() {
            return Err(CommandError {
                code: "busy",
                message: "a task is already running; cancel it or wait for it to finish".into(),
            });
        }
        *current = Some(cancel.clone());
    }
    *lock(&state.run) = None;
    tauri::async_runtime::spawn(async move {
        let observer = UiTodos(app.clone());
        let result = blocking(move || Run::prepare_with(&root, &task, &brain, &observer, &cancel)).await;
        let state = app.state::<AppState>();
        *lock(&state.cancel) = None;
        match result {
            Ok(Ok(run)) => {
                let report = run.report();
                *lock(&state.run) = Some(run);
                let _ = app.emit("slipway://run-done", report);
            }
            Ok(Err(e)) => {
                let _ = app.emit("slipway://run-failed", CommandError::from(e));
            }
            Err(e) => {
                let _ = app.emit("slipway://run-failed", e);
            }
        }
    });
    Ok(())
}

/// Stops the running task at its next wait (a model reply, a retry's backoff). Nothing is
/// written by a cancelled run.
#[tauri::command]
pub fn cancel_run(state: State<'_, AppState>) -> bool {
    match lock(&state.cancel).as_ref() {
        Some(c) => {
            tracing::info!("cancelling the running task");
            c.cancel();
            true
        }
        None => false,
    }
}

fn settings_path(app: &AppHandle) -> Reply<PathBuf> {
    app.path()
        .app_config_dir()
        .map(|d| d.join("settings.json"))
        .map_err(|e| internal(format!("no config folder: {e}")))
}

fn status(settings: BrainSettings) -> BrainStatus {
    let mut keychain_error = None;
    let mut masked = |account: &str| match keychain::load(account) {
        Ok(k) => k.map(|k| k.masked()),
        Err(e) => {
            keychain_error = Some(e.to_string());
            None
        }
    };
    let key = settings
        .kind()
        .ok()
        .flatten()
        .and_then(|k| masked(&keychain::provider_account(k)));
    let docs_key = masked(keychain::DOCS_ACCOUNT);
    BrainStatus {
        settings,
        key,
        docs_key,
        keychain_error,
    }
}

/// The brain settings, with stored keys masked.
#[tauri::command]
pub async fn brain_status(app: AppHandle) -> Reply<BrainStatus> {
    let path = settings_path(&app)?;
    blocking(move || status(BrainSettings::load(&path))).await
}

/// Saves the brain settings (never a key) and returns them with stored keys masked.
#[tauri::command]
pub async fn save_brain(settings: BrainSettings, app: AppHandle) -> Reply<BrainStatus> {
    settings.kind()?;
    let path = settings_path(&app)?;
    settings
        .save(&path)
        .map_err(|e| internal(format!("cannot save {}: {e}", path.display())))?;
    tracing::info!(provider = %settings.provider, "brain settings saved");
    blocking(move || status(settings)).await
}

fn account(which: &str, settings: &BrainSettings) -> Reply<String> {
    match which {
        "docs" => Ok(keychain::DOCS_ACCOUNT.to_string()),
        "provider" => match settings.kind()? {
            Some(kind) => Ok(keychain::provider_account(kind)),
            None => Err(CommandError {
                code: "llm_settings",
                message: "choose a provider before storing its key".into(),
            }),
        },
        other => Err(internal(format!("unknown key {other:?}"))),
    }
}

/// Stores a key in the OS keychain. The key is typed once; afterwards only a mask is shown.
#[tauri::command]
pub async fn store_key(which: String, key: String, app: AppHandle) -> Reply<BrainStatus> {
    let settings = BrainSettings::load(&settings_path(&app)?);
    let account = account(&which, &settings)?;
    let secret = Secret::new(key);
    blocking(move || -> Result<BrainStatus, ApiError> {
        keychain::store(&account, &secret)?;
        Ok(status(settings))
    })
    .await?
    .map_err(Into::into)
}

/// Removes a key from the OS keychain.
#[tauri::command]
pub async fn forget_key(which: String, app: AppHandle) -> Reply<BrainStatus> {
    let settings = BrainSettings::load(&settings_path(&app)?);
    let account = account(&which, &settings)?;
    blocking(move || -> Result<BrainStatus, ApiError> {
        keychain::delete(&account)?;
        Ok(status(settings))
    })
    .await?
    .map_err(Into::into)
}

/// The providers the settings panel offers, with their default endpoint and model.
#[tauri::command]
pub fn provider_defaults() -> Vec<(String, String, String)> {
    [ProviderKind::OpenAi, ProviderKind::Anthropic]
        .iter()
        .map(|k| {
            (
                k.id().to_string(),
                k.default_base_url().to_string(),
                k.default_model().to_string(),
            )
        })
        .collect()
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

/// Commits the applied files (on a new `slipway/<task>` branch when `new_branch`, else on the
/// current one; the choice is remembered for the project) and pushes.
#[tauri::command]
pub async fn commit_and_push(new_branch: Option<bool>, app: AppHandle, state: State<'_, AppState>) -> Reply<RunReport> {
    if let (Some(choice), Some(root)) = (new_branch, lock(&state.project).clone()) {
        crate::prefs::set_branch_choice(&app, &root.display().to_string(), choice);
    }
    step_run(&state, move |run| {
        let observer = UiTodos(app);
        run.commit_with(&observer, new_branch)?;
        run.push(&observer)?;
        Ok(())
    })
    .await
}

/// Pushes the committed run again (after a token was added).
#[tauri::command]
pub async fn push_run(app: AppHandle, state: State<'_, AppState>) -> Reply<RunReport> {
    step_run(&state, move |run| run.push(&UiTodos(app)).map(|_| ())).await
}

/// Stores an HTTPS token for a git host in the OS keychain.
#[tauri::command]
pub async fn store_git_token(host: String, username: Option<String>, token: String) -> Reply<()> {
    let secret = Secret::new(token);
    blocking(move || keychain::store_git_token(&host, username.as_deref(), &secret))
        .await?
        .map_err(|e| ApiError::from(e).into())
}

/// The project at a glance: a line per service, and the tasks that fit it.
#[tauri::command]
pub fn project_overview(profile: ProjectProfile) -> slipway_engine::suggest::Overview {
    slipway_engine::suggest::overview(&profile)
}

/// Recent project folders, newest first, that still exist.
#[tauri::command]
pub fn recent_projects(app: AppHandle) -> Reply<Vec<String>> {
    Ok(crate::prefs::recent(&app))
}

/// The open project's remembered branch choice (null: none yet).
#[tauri::command]
pub fn branch_choice(app: AppHandle, state: State<'_, AppState>) -> Reply<Option<bool>> {
    let Some(root) = lock(&state.project).clone() else {
        return Ok(None);
    };
    Ok(crate::prefs::branch_choice(&app, &root.display().to_string()))
}

/// Accepts or rejects one hunk of a proposed file, or the whole file when `hunk` is null.
#[tauri::command]
pub async fn review_change(
    path: String,
    hunk: Option<usize>,
    accept: bool,
    state: State<'_, AppState>,
) -> Reply<RunReport> {
    step_run(&state, move |run| run.review(&path, hunk, accept)).await
}

/// Replaces a proposed file with the person's edit before applying.
#[tauri::command]
pub async fn edit_change(path: String, content: String, state: State<'_, AppState>) -> Reply<RunReport> {
    step_run(&state, move |run| run.edit(&path, content)).await
}

/// After a conflict, diffs a file against its current content on disk.
#[tauri::command]
pub async fn refresh_change(path: String, state: State<'_, AppState>) -> Reply<RunReport> {
    step_run(&state, move |run| run.refresh(&path)).await
}

/// A file that changed on disk since the preview, with what changed.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    path: String,
    diff: String,
}

/// The files that changed on disk since the preview.
#[tauri::command]
pub fn run_conflicts(state: State<'_, AppState>) -> Vec<Conflict> {
    lock(&state.run)
        .as_ref()
        .map(|r| {
            r.conflicts()
                .into_iter()
                .map(|(path, diff)| Conflict { path, diff })
                .collect()
        })
        .unwrap_or_default()
}

/// Restores exactly what the last apply replaced (before a commit).
#[tauri::command]
pub async fn undo_apply(app: AppHandle, state: State<'_, AppState>) -> Reply<RunReport> {
    step_run(&state, move |run| run.undo(&UiTodos(app)).map(|_| ())).await
}

/// Prepares the fix of one drift notice as a run to review (replacing the current one).
#[tauri::command]
pub async fn drift_fix(id: String, app: AppHandle, state: State<'_, AppState>) -> Reply<RunReport> {
    let root = lock(&state.project).clone().ok_or_else(|| CommandError {
        code: "no_project",
        message: "open a project folder first".into(),
    })?;
    let drift = lock(&state.drift)
        .iter()
        .find(|d| d.id == id)
        .cloned()
        .ok_or_else(|| CommandError {
            code: "no_drift",
            message: "that notice is gone: the project changed again; see the current notices".into(),
        })?;
    let run = blocking(move || -> Result<Run, ApiError> {
        let profile = slipway_api::scan(&root)?;
        Run::from_drift(profile, &drift, &UiTodos(app))
    })
    .await??;
    let report = run.report();
    *lock(&state.run) = Some(run);
    Ok(report)
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

/// Saves one field of the deployment spec in slipway.toml's [deploy] table.
#[tauri::command]
pub async fn set_deploy(
    field: String,
    value: Option<serde_json::Value>,
    state: State<'_, AppState>,
) -> Reply<ProjectProfile> {
    let root = lock(&state.project).clone().ok_or_else(|| CommandError {
        code: "no_project",
        message: "open a project folder first".into(),
    })?;
    let profile = blocking(move || slipway_api::set_deploy(&root, &field, value.as_ref())).await??;
    *lock(&state.run) = None;
    Ok(profile)
}

#[tauri::command]
pub fn recent_logs(state: State<'_, AppState>) -> Vec<LogLine> {
    state.logs.recent()
}
