//! Change sets: proposed files as diffs against the disk, applied safely.
//!
//! A [`ChangeSet`] remembers the exact bytes each file had when it was previewed. Applying
//! refuses any file that changed since (the user's edit wins), refuses any path that would land
//! outside the project (`..`, absolute paths, symlinks that lead out), checks every file before
//! writing any, and writes each file beside its target before renaming it into place, so a file
//! is never left half-written.

use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use similar::TextDiff;

use crate::generate::Artifact;

/// What applying a change does to its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ChangeAction {
    /// The file does not exist yet.
    Create,
    /// The file exists and its content changes.
    Modify,
    /// The file already has exactly this content.
    Unchanged,
}

/// One proposed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Change {
    /// Path relative to the project root.
    pub path: String,
    /// What applying does.
    pub action: ChangeAction,
    /// Unified diff from the disk to the proposal.
    pub diff: String,
    /// Why the file exists.
    pub purpose: String,
    /// The bytes on disk at preview time (`None`: no file).
    #[serde(skip)]
    pub before: Option<Vec<u8>>,
    /// The proposed content.
    #[serde(skip)]
    pub after: String,
}

/// Proposed changes to one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSet {
    /// The project root, absolute.
    pub root: PathBuf,
    /// One entry per proposed file.
    pub changes: Vec<Change>,
}

/// Why a change set could not be previewed or applied. Nothing was written when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// A path would land outside the project folder.
    #[error("refused {path}: {reason}; Slipway writes only inside the project folder")]
    OutsideProject {
        /// The offending path.
        path: String,
        /// Why it leaves the project.
        reason: String,
    },
    /// Files changed on disk since the preview.
    #[error("{} changed on disk since the preview; nothing was written. Run the task again to see a fresh diff", paths.join(", "))]
    Conflict {
        /// The files that changed.
        paths: Vec<String>,
    },
    /// The disk refused.
    #[error("cannot write {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        message: String,
    },
}

/// What an apply wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReport {
    /// Files written, relative to the root.
    pub written: Vec<String>,
}

/// Checks that `rel` names a place inside `root` and returns the absolute target.
pub fn resolve_inside(root: &Path, rel: &str) -> Result<PathBuf, ApplyError> {
    let refuse = |reason: &str| ApplyError::OutsideProject {
        path: rel.to_string(),
        reason: reason.to_string(),
    };
    if rel.is_empty() {
        return Err(refuse("the path is empty"));
    }
    let p = Path::new(rel);
    for c in p.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => return Err(refuse("the path climbs out with ..")),
            Component::RootDir | Component::Prefix(_) => return Err(refuse("the path is absolute")),
        }
    }
    let root = fs::canonicalize(root).map_err(|e| ApplyError::Io {
        path: root.display().to_string(),
        message: e.to_string(),
    })?;
    let target = root.join(p);
    // The nearest existing ancestor, resolved through symlinks, must still be inside the root.
    let mut probe = target.as_path();
    loop {
        match fs::symlink_metadata(probe) {
            Ok(meta) => {
                if probe == target && meta.file_type().is_symlink() {
                    return Err(refuse("the file is a symlink"));
                }
                let real = fs::canonicalize(probe).map_err(|e| ApplyError::Io {
                    path: rel.to_string(),
                    message: e.to_string(),
                })?;
                if !real.starts_with(&root) {
                    return Err(refuse("a symlink on the way leads outside the project"));
                }
                break;
            }
            Err(_) => match probe.parent() {
                Some(parent) => probe = parent,
                None => break,
            },
        }
    }
    Ok(target)
}

fn unified(path: &str, before: &str, after: &str, existed: bool) -> String {
    let diff = TextDiff::from_lines(before, after);
    let old = if existed {
        format!("a/{path}")
    } else {
        "/dev/null".to_string()
    };
    diff.unified_diff()
        .context_radius(3)
        .header(&old, &format!("b/{path}"))
        .to_string()
}

impl ChangeSet {
    /// Compares each artifact with the disk.
    pub fn preview(root: &Path, artifacts: &[Artifact]) -> Result<ChangeSet, ApplyError> {
        let mut changes = Vec::new();
        for a in artifacts {
            let target = resolve_inside(root, &a.path)?;
            let before = read_existing(&target, &a.path)?;
            let old_text = before.as_ref().map(|b| String::from_utf8_lossy(b).into_owned());
            let action = match &before {
                None => ChangeAction::Create,
                Some(b) if b == a.content.as_bytes() => ChangeAction::Unchanged,
                Some(_) => ChangeAction::Modify,
            };
            let diff = if action == ChangeAction::Unchanged {
                String::new()
            } else {
                unified(&a.path, old_text.as_deref().unwrap_or(""), &a.content, before.is_some())
            };
            changes.push(Change {
                path: a.path.clone(),
                action,
                diff,
                purpose: a.purpose.clone(),
                before,
                after: a.content.clone(),
            });
        }
        Ok(ChangeSet {
            root: fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            changes,
        })
    }

    /// Paths that applying would write.
    pub fn pending_paths(&self) -> Vec<String> {
        self.changes
            .iter()
            .filter(|c| c.action != ChangeAction::Unchanged)
            .map(|c| c.path.clone())
            .collect()
    }

    /// Writes every change, or nothing when any file changed since the preview.
    pub fn apply(&self) -> Result<ApplyReport, ApplyError> {
        let mut targets = Vec::new();
        let mut conflicts = Vec::new();
        for c in self.changes.iter().filter(|c| c.action != ChangeAction::Unchanged) {
            let target = resolve_inside(&self.root, &c.path)?;
            let now = read_existing(&target, &c.path)?;
            if now != c.before {
                conflicts.push(c.path.clone());
            }
            targets.push((c, target));
        }
        if !conflicts.is_empty() {
            return Err(ApplyError::Conflict { paths: conflicts });
        }
        let mut written = Vec::new();
        for (c, target) in targets {
            write_atomic(&target, c.after.as_bytes()).map_err(|e| ApplyError::Io {
                path: c.path.clone(),
                message: e.to_string(),
            })?;
            written.push(c.path.clone());
        }
        Ok(ApplyReport { written })
    }
}

/// The bytes of `target`, or `None` when there is no such file.
fn read_existing(target: &Path, rel: &str) -> Result<Option<Vec<u8>>, ApplyError> {
    match fs::read(target) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ApplyError::Io {
            path: rel.to_string(),
            message: e.to_string(),
        }),
    }
}

/// Writes `bytes` beside `target`, then renames over it, keeping an existing file's mode.
fn write_atomic(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = target
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent folder"))?;
    fs::create_dir_all(dir)?;
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.slipway-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(meta) = fs::metadata(target) {
            fs::set_permissions(&tmp, meta.permissions())?;
        }
        fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(path: &str, content: &str) -> Artifact {
        Artifact {
            path: path.into(),
            content: content.into(),
            purpose: "test".into(),
        }
    }

    #[test]
    fn preview_writes_nothing_and_apply_writes_everything() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("keep.txt"), "old\n").unwrap();
        let set = ChangeSet::preview(
            dir.path(),
            &[artifact("a/new.txt", "hello\n"), artifact("keep.txt", "new\n")],
        )
        .unwrap();
        assert!(!dir.path().join("a").exists(), "preview must not create anything");
        assert_eq!(set.changes[0].action, ChangeAction::Create);
        assert!(set.changes[0].diff.contains("+hello"), "{}", set.changes[0].diff);
        assert_eq!(set.changes[1].action, ChangeAction::Modify);
        assert!(set.changes[1].diff.contains("-old") && set.changes[1].diff.contains("+new"));
        set.apply().unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("a/new.txt")).unwrap(), "hello\n");
        assert_eq!(fs::read_to_string(dir.path().join("keep.txt")).unwrap(), "new\n");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary files are left behind");
    }

    #[test]
    fn a_file_edited_after_the_preview_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let set = ChangeSet::preview(
            dir.path(),
            &[artifact("Dockerfile", "FROM x\n"), artifact("b.txt", "b\n")],
        )
        .unwrap();
        fs::write(dir.path().join("Dockerfile"), "mine\n").unwrap();
        let err = set.apply().unwrap_err();
        assert!(
            matches!(&err, ApplyError::Conflict { paths } if paths == &["Dockerfile".to_string()]),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
            "mine\n",
            "the user's edit survives"
        );
        assert!(
            !dir.path().join("b.txt").exists(),
            "nothing is written when any file conflicts"
        );
    }

    #[test]
    fn paths_outside_the_project_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        for bad in ["../escape", "/etc/passwd", "link/file", ""] {
            let err = ChangeSet::preview(dir.path(), &[artifact(bad, "x")]).unwrap_err();
            assert!(
                matches!(err, ApplyError::OutsideProject { .. }),
                "{bad:?} must be refused, got {err}"
            );
        }
        assert_eq!(
            fs::read_dir(outside.path()).unwrap().count(),
            0,
            "nothing landed outside"
        );
    }
}
