//! What the app remembers between launches: recent projects and each project's branch choice.
//! Kept by Tauri's store plugin in `prefs.json` in the app's config folder (the file earlier
//! versions wrote by hand, so nothing is forgotten on upgrade); no secrets. The window's size
//! and place are the window-state plugin's.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_store::{Store, StoreExt};

const RECENT_KEY: &str = "recent";
const BRANCH_KEY: &str = "newBranch";

fn store(app: &AppHandle) -> Option<Arc<Store<Wry>>> {
    let dir = app.path().app_config_dir().ok()?;
    match app.store(dir.join("prefs.json")) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!("cannot read the preferences: {e}");
            None
        }
    }
}

fn save(store: &Store<Wry>) {
    if let Err(e) = store.save() {
        tracing::warn!("cannot save the preferences: {e}");
    }
}

fn strings(v: Option<Value>) -> Vec<String> {
    serde_json::from_value(v.unwrap_or(Value::Null)).unwrap_or_default()
}

fn choices(v: Option<Value>) -> BTreeMap<String, bool> {
    serde_json::from_value(v.unwrap_or(Value::Null)).unwrap_or_default()
}

/// Recent project folders, newest first (those that still exist).
pub fn recent(app: &AppHandle) -> Vec<String> {
    let Some(s) = store(app) else { return Vec::new() };
    strings(s.get(RECENT_KEY))
        .into_iter()
        .filter(|p| Path::new(p).is_dir())
        .collect()
}

/// Puts `root` first in the recent list.
pub fn opened(app: &AppHandle, root: &str) {
    let Some(s) = store(app) else { return };
    s.set(
        RECENT_KEY,
        slipway_api::desktop::with_opened(strings(s.get(RECENT_KEY)), root),
    );
    save(&s);
}

/// The project's remembered branch choice: a new `slipway/<task>` branch (true) or the current.
pub fn branch_choice(app: &AppHandle, root: &str) -> Option<bool> {
    choices(store(app)?.get(BRANCH_KEY)).get(root).copied()
}

pub fn set_branch_choice(app: &AppHandle, root: &str, new_branch: bool) {
    let Some(s) = store(app) else { return };
    let mut all = choices(s.get(BRANCH_KEY));
    all.insert(root.to_string(), new_branch);
    s.set(BRANCH_KEY, serde_json::to_value(all).unwrap_or(Value::Null));
    // The window's place, kept here before the window-state plugin, is the plugin's now.
    s.delete("window");
    save(&s);
}
