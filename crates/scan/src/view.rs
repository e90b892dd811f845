use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::{ScanError, ScanWarning};

/// Files larger than this are not read by detectors: manifests and configs are small, and a
/// huge file is far more likely to be data or a build artefact than something to learn from.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A read-only view of a project folder. Detectors read the project only through this.
#[derive(Debug, Clone)]
pub struct ProjectView {
    root: PathBuf,
}

impl ProjectView {
    /// Opens `root`, checking that it is a readable folder.
    pub fn open(root: &Path) -> Result<Self, ScanError> {
        let shown = root.display().to_string();
        let meta = fs::metadata(root).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ScanError::Missing(shown.clone()),
            _ => ScanError::Unreadable {
                path: shown.clone(),
                message: e.to_string(),
            },
        })?;
        if !meta.is_dir() {
            return Err(ScanError::NotAFolder(shown));
        }
        fs::read_dir(root).map_err(|e| ScanError::Unreadable {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Ok(Self { root })
    }

    /// The project root, absolute.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The project root for display and serialisation.
    pub fn root_display(&self) -> String {
        self.root.display().to_string()
    }

    fn abs(&self, rel: &str) -> PathBuf {
        if rel.is_empty() || rel == "." {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }

    /// True when `rel` is a regular file.
    pub fn is_file(&self, rel: &str) -> bool {
        self.abs(rel).is_file()
    }

    /// True when `rel` is a folder.
    pub fn is_dir(&self, rel: &str) -> bool {
        self.abs(rel).is_dir()
    }

    /// Reads a UTF-8 text file. `Ok(None)` when it does not exist; a warning (and `Ok(None)`)
    /// when it is too large, not UTF-8 or unreadable.
    pub fn read_text(&self, rel: &str, warnings: &mut Vec<ScanWarning>) -> Option<String> {
        let path = self.abs(rel);
        let meta = match fs::metadata(&path) {
            Ok(m) if m.is_file() => m,
            _ => return None,
        };
        if meta.len() > MAX_FILE_BYTES {
            warnings.push(ScanWarning {
                path: rel.to_string(),
                message: format!(
                    "skipped: {} bytes is over the {} byte limit for files Slipway reads",
                    meta.len(),
                    MAX_FILE_BYTES
                ),
            });
            return None;
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        let read = fs::File::open(&path).and_then(|f| f.take(MAX_FILE_BYTES).read_to_end(&mut bytes));
        if let Err(e) = read {
            warnings.push(ScanWarning {
                path: rel.to_string(),
                message: format!("cannot read: {e}"),
            });
            return None;
        }
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                warnings.push(ScanWarning {
                    path: rel.to_string(),
                    message: "skipped: not UTF-8 text".to_string(),
                });
                None
            }
        }
    }

    /// Names of the entries of folder `rel`, sorted; empty when it cannot be read.
    pub fn list(&self, rel: &str) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.abs(rel))
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

/// Joins a service folder and a file name into a root-relative path.
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// 1-based line number of the first line containing `needle`.
pub(crate) fn line_of(text: &str, needle: &str) -> Option<u32> {
    text.lines().position(|l| l.contains(needle)).map(|i| i as u32 + 1)
}
