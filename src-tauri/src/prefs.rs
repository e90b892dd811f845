//! What the app remembers between launches: recent projects, each project's branch choice,
//! and the window's size and place. One JSON file in the app's config folder; no secrets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How many recent projects are kept.
const RECENT: usize = 10;

/// The window's last size and position, in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowPlace {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub maximized: bool,
}

/// Remembered between launches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Prefs {
    /// Project folders, most recent first.
    pub recent: Vec<String>,
    /// Per project folder: commit on a new `slipway/<task>` branch (true) or the current one.
    pub new_branch: BTreeMap<String, bool>,
    /// The main window's place.
    pub window: Option<WindowPlace>,
}

impl Prefs {
    pub fn path(config_dir: &Path) -> PathBuf {
        config_dir.join("prefs.json")
    }

    /// Reads the file; a missing or broken file gives empty prefs (a broken one is logged).
    pub fn load(path: &Path) -> Prefs {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), "the preferences file is not valid ({e}); starting afresh");
                Prefs::default()
            }),
            Err(_) => Prefs::default(),
        }
    }

    /// Writes the file atomically.
    pub fn save(&self, path: &Path) {
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = path.with_extension("json.tmp");
            std::fs::write(&tmp, serde_json::to_string_pretty(self).unwrap_or_default())?;
            std::fs::rename(tmp, path)
        };
        if let Err(e) = write() {
            tracing::warn!(path = %path.display(), "cannot save preferences: {e}");
        }
    }

    /// Puts `root` first in the recent list.
    pub fn opened(&mut self, root: &str) {
        self.recent.retain(|r| r != root);
        self.recent.insert(0, root.to_string());
        self.recent.truncate(RECENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_projects_are_unique_newest_first_and_capped() {
        let mut p = Prefs::default();
        for i in 0..15 {
            p.opened(&format!("/p/{i}"));
        }
        p.opened("/p/3");
        assert_eq!(p.recent.len(), RECENT);
        assert_eq!(p.recent[0], "/p/3");
        assert_eq!(p.recent.iter().filter(|r| *r == "/p/3").count(), 1);
        let dir = tempfile::tempdir().unwrap();
        let path = Prefs::path(dir.path());
        p.new_branch.insert("/p/3".into(), true);
        p.save(&path);
        assert_eq!(Prefs::load(&path), p);
        std::fs::write(&path, "{broken").unwrap();
        assert_eq!(Prefs::load(&path), Prefs::default());
    }
}
