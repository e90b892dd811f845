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

/// One block of changed lines with its context, accepted or rejected on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Hunk {
    /// `@@ -old,len +new,len @@`.
    pub header: String,
    /// The lines, each starting with `+`, `-` or a space.
    pub lines: Vec<String>,
    /// True when applying takes this hunk.
    pub accepted: bool,
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
    /// The diff's hunks, each accepted or rejected.
    pub hunks: Vec<Hunk>,
    /// True when the person edited the proposal.
    pub edited: bool,
    /// The bytes on disk at preview time (`None`: no file).
    #[serde(skip)]
    pub before: Option<Vec<u8>>,
    /// What applying writes: the disk's text with the accepted hunks.
    #[serde(skip)]
    pub after: String,
    /// The whole proposal, as generated or edited (what the editor starts from).
    pub proposed: String,
}

impl Change {
    fn new(path: &str, purpose: &str, before: Option<Vec<u8>>, proposed: String) -> Change {
        let mut c = Change {
            path: path.to_string(),
            action: ChangeAction::Unchanged,
            diff: String::new(),
            purpose: purpose.to_string(),
            hunks: Vec::new(),
            edited: false,
            before,
            after: String::new(),
            proposed,
        };
        c.rediff();
        c
    }

    /// The disk's text at preview time.
    fn old_text(&self) -> String {
        self.before
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }

    /// Recomputes the action, diff and hunks (all accepted) from `before` and `proposed`.
    fn rediff(&mut self) {
        let old = self.old_text();
        self.action = match &self.before {
            None => ChangeAction::Create,
            Some(b) if b == self.proposed.as_bytes() => ChangeAction::Unchanged,
            Some(_) => ChangeAction::Modify,
        };
        if self.action == ChangeAction::Unchanged {
            self.diff.clear();
            self.hunks.clear();
        } else {
            self.diff = unified(&self.path, &old, &self.proposed, self.before.is_some());
            let diff = TextDiff::from_lines(&old, &self.proposed);
            self.hunks = diff
                .unified_diff()
                .context_radius(3)
                .iter_hunks()
                .map(|h| Hunk {
                    header: h.header().to_string(),
                    lines: h
                        .iter_changes()
                        .map(|c| {
                            let sign = match c.tag() {
                                similar::ChangeTag::Delete => '-',
                                similar::ChangeTag::Insert => '+',
                                similar::ChangeTag::Equal => ' ',
                            };
                            format!("{sign}{}", c.value().trim_end_matches(['\n', '\r']))
                        })
                        .collect(),
                    accepted: true,
                })
                .collect();
        }
        self.recombine();
    }

    /// Rebuilds `after` from the disk's text and the accepted hunks.
    fn recombine(&mut self) {
        if self.hunks.iter().all(|h| h.accepted) {
            self.after = self.proposed.clone();
            return;
        }
        let old = self.old_text();
        let diff = TextDiff::from_lines(&old, &self.proposed);
        let (olds, news) = (diff.old_slices(), diff.new_slices());
        let mut out = String::with_capacity(old.len().max(self.proposed.len()));
        let mut cursor = 0;
        for (g, group) in diff.grouped_ops(3).iter().enumerate() {
            let take = self.hunks.get(g).is_some_and(|h| h.accepted);
            for op in group.iter().filter(|op| op.tag() != similar::DiffTag::Equal) {
                let (o, n) = (op.old_range(), op.new_range());
                out.extend(olds[cursor..o.start].iter().copied());
                let part = if take { &news[n] } else { &olds[o.clone()] };
                out.extend(part.iter().copied());
                cursor = o.end;
            }
        }
        out.extend(olds[cursor..].iter().copied());
        self.after = out;
    }

    /// True when applying writes this file: it differs and at least one hunk is accepted.
    pub fn writes(&self) -> bool {
        self.action != ChangeAction::Unchanged && self.hunks.iter().any(|h| h.accepted)
    }
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
    /// For undo: each written file's bytes before (`None`: it did not exist) and after.
    #[serde(skip)]
    pub backups: Vec<(String, Option<Vec<u8>>, Vec<u8>)>,
}

/// Why a review decision could not be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// No proposed file has this path.
    #[error("no proposed file is called {0}")]
    NoSuchFile(String),
    /// The file has no hunk with this number.
    #[error("{path} has {count} hunks; there is no hunk {index}")]
    NoSuchHunk {
        /// The file.
        path: String,
        /// The asked-for hunk (0-based).
        index: usize,
        /// How many there are.
        count: usize,
    },
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
            changes.push(Change::new(&a.path, &a.purpose, before, a.content.clone()));
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
            .filter(|c| c.writes())
            .map(|c| c.path.clone())
            .collect()
    }

    fn change_mut(&mut self, path: &str) -> Result<&mut Change, ReviewError> {
        self.changes
            .iter_mut()
            .find(|c| c.path == path)
            .ok_or_else(|| ReviewError::NoSuchFile(path.to_string()))
    }

    /// Accepts or rejects one hunk of a file (`Some(index)`), or all of them (`None`).
    pub fn accept(&mut self, path: &str, hunk: Option<usize>, accept: bool) -> Result<(), ReviewError> {
        let c = self.change_mut(path)?;
        match hunk {
            None => c.hunks.iter_mut().for_each(|h| h.accepted = accept),
            Some(i) => {
                let count = c.hunks.len();
                let h = c.hunks.get_mut(i).ok_or(ReviewError::NoSuchHunk {
                    path: path.to_string(),
                    index: i,
                    count,
                })?;
                h.accepted = accept;
            }
        }
        c.recombine();
        Ok(())
    }

    /// Replaces a file's proposal with the person's edit; every hunk of the new diff is accepted.
    pub fn edit(&mut self, path: &str, content: String) -> Result<(), ReviewError> {
        let c = self.change_mut(path)?;
        c.proposed = content;
        c.edited = true;
        c.rediff();
        Ok(())
    }

    /// Takes the file's current bytes on disk as the new starting point of its diff (after the
    /// person changed it since the preview), keeping the proposal.
    pub fn refresh(&mut self, path: &str) -> Result<(), ApplyError> {
        let root = self.root.clone();
        let c = self.change_mut(path).map_err(|e| ApplyError::Io {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        let target = resolve_inside(&root, path)?;
        c.before = read_existing(&target, path)?;
        c.rediff();
        Ok(())
    }

    /// What changed on disk since the preview, per conflicting file, as unified diffs from the
    /// preview's bytes to the disk's.
    pub fn conflicts(&self) -> Vec<(String, String)> {
        self.changes
            .iter()
            .filter(|c| c.writes())
            .filter_map(|c| {
                let target = resolve_inside(&self.root, &c.path).ok()?;
                let now = read_existing(&target, &c.path).ok()?;
                if now == c.before {
                    return None;
                }
                let text = |b: &Option<Vec<u8>>| {
                    b.as_ref()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default()
                };
                let diff = TextDiff::from_lines(&text(&c.before), &text(&now))
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("{} at the preview", c.path),
                        &format!("{} on disk now", c.path),
                    )
                    .to_string();
                Some((c.path.clone(), diff))
            })
            .collect()
    }

    /// Puts back exactly the bytes an apply replaced (and removes the files it created), or
    /// nothing when any of those files changed since the apply.
    pub fn undo(&self, report: &ApplyReport) -> Result<Vec<String>, ApplyError> {
        let mut targets = Vec::new();
        let mut conflicts = Vec::new();
        for (path, before, written) in &report.backups {
            let target = resolve_inside(&self.root, path)?;
            if read_existing(&target, path)?.as_deref() != Some(written.as_slice()) {
                conflicts.push(path.clone());
            }
            targets.push((path, before, target));
        }
        if !conflicts.is_empty() {
            return Err(ApplyError::Conflict { paths: conflicts });
        }
        let mut restored = Vec::new();
        for (path, before, target) in targets {
            let r = match before {
                Some(bytes) => write_atomic(&target, bytes),
                None => fs::remove_file(&target),
            };
            r.map_err(|e| ApplyError::Io {
                path: path.clone(),
                message: e.to_string(),
            })?;
            restored.push(path.clone());
        }
        Ok(restored)
    }

    /// Writes every accepted change, or nothing when any file changed since the preview.
    pub fn apply(&self) -> Result<ApplyReport, ApplyError> {
        let mut targets = Vec::new();
        let mut conflicts = Vec::new();
        for c in self.changes.iter().filter(|c| c.writes()) {
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
        let mut backups = Vec::new();
        for (c, target) in targets {
            write_atomic(&target, c.after.as_bytes()).map_err(|e| ApplyError::Io {
                path: c.path.clone(),
                message: e.to_string(),
            })?;
            written.push(c.path.clone());
            backups.push((c.path.clone(), c.before.clone(), c.after.as_bytes().to_vec()));
        }
        Ok(ApplyReport { written, backups })
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
            step: String::new(),
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
    fn rejected_hunks_keep_the_disk_lines_and_undo_restores_exact_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let old: String = (1..=30).map(|i| format!("line {i}\r\n")).collect();
        fs::write(dir.path().join("f.txt"), &old).unwrap();
        let new = old
            .replace("line 2\r\n", "LINE TWO\r\n")
            .replace("line 28\r\n", "LINE 28\r\n");
        let mut set = ChangeSet::preview(dir.path(), &[artifact("f.txt", &new), artifact("n.txt", "new\n")]).unwrap();
        assert_eq!(set.changes[0].hunks.len(), 2, "two far-apart edits are two hunks");
        assert!(set.changes[0].hunks[0].lines.contains(&"+LINE TWO".to_string()));
        set.accept("f.txt", Some(1), false).unwrap();
        set.accept("n.txt", None, false).unwrap();
        assert_eq!(
            set.pending_paths(),
            ["f.txt"],
            "a file with no accepted hunk is not written"
        );
        let report = set.apply().unwrap();
        let on_disk = fs::read_to_string(dir.path().join("f.txt")).unwrap();
        assert_eq!(
            on_disk,
            old.replace("line 2\r\n", "LINE TWO\r\n"),
            "only the accepted hunk landed"
        );
        assert!(!dir.path().join("n.txt").exists());
        assert!(matches!(
            set.accept("f.txt", Some(9), true),
            Err(ReviewError::NoSuchHunk { count: 2, .. })
        ));

        set.undo(&report).unwrap();
        assert_eq!(
            fs::read(dir.path().join("f.txt")).unwrap(),
            old.as_bytes(),
            "undo restores the exact bytes"
        );

        // An edit before applying replaces the proposal; a created file is removed by undo.
        set.accept("n.txt", None, true).unwrap();
        set.edit("n.txt", "edited\n".into()).unwrap();
        assert!(set.changes[1].edited);
        let report = set.apply().unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("n.txt")).unwrap(), "edited\n");
        fs::write(dir.path().join("n.txt"), "touched after apply\n").unwrap();
        assert!(
            matches!(set.undo(&report), Err(ApplyError::Conflict { .. })),
            "undo never clobbers a later edit"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("n.txt")).unwrap(),
            "touched after apply\n"
        );
    }

    #[test]
    fn a_conflict_shows_what_changed_on_disk_and_refresh_rebases_the_proposal() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.txt"), "one\ntwo\n").unwrap();
        let mut set = ChangeSet::preview(dir.path(), &[artifact("a.txt", "one\ntwo\nthree\n")]).unwrap();
        fs::write(dir.path().join("a.txt"), "ONE\ntwo\n").unwrap();
        let conflicts = set.conflicts();
        assert_eq!(conflicts.len(), 1);
        assert!(
            conflicts[0].1.contains("-one") && conflicts[0].1.contains("+ONE"),
            "{}",
            conflicts[0].1
        );
        set.refresh("a.txt").unwrap();
        assert!(set.conflicts().is_empty());
        assert!(
            set.changes[0].diff.contains("-ONE"),
            "the proposal now shows it would undo the person's edit"
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
