use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::{ScanError, ScanWarning};

/// Files larger than this are not read by detectors: manifests and configs are small, and a
/// huge file is far more likely to be data or a build artefact than something to learn from.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Folders the walk never enters, whatever .gitignore says: dependencies, build output, caches
/// and tool state. A project's own code never lives in them.
pub const SKIP_DIRS: &[&str] = &[
    ".angular",
    ".build",
    ".cache",
    ".dart_tool",
    ".git",
    ".gradle",
    ".hg",
    ".idea",
    ".mypy_cache",
    ".next",
    ".nuxt",
    ".output",
    ".parcel-cache",
    ".pytest_cache",
    ".ruff_cache",
    ".serverless",
    ".stack-work",
    ".svelte-kit",
    ".svn",
    ".terraform",
    ".tox",
    ".turbo",
    ".venv",
    ".vercel",
    ".zig-cache",
    "__pycache__",
    "_build",
    "bower_components",
    "coverage",
    "dist-newstyle",
    "elm-stuff",
    "node_modules",
    "target",
    "vendor",
    "venv",
    "zig-cache",
    "zig-out",
];

/// The files of a project, found once by the walk and then looked up by every detector.
#[derive(Debug, Default)]
pub struct FileIndex {
    /// Root-relative paths with `/` separators, sorted.
    pub files: Vec<String>,
    dirs: HashSet<String>,
    names: std::collections::HashMap<String, Vec<String>>,
}

impl FileIndex {
    fn from_paths(mut files: Vec<String>) -> Self {
        files.sort_unstable();
        files.dedup();
        let mut dirs = HashSet::new();
        dirs.insert(String::new());
        for f in &files {
            let mut p = f.as_str();
            while let Some(i) = p.rfind('/') {
                p = &p[..i];
                if !dirs.insert(p.to_string()) {
                    break;
                }
            }
        }
        let mut names: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
        for f in &files {
            let (dir, name) = f.rsplit_once('/').unwrap_or(("", f.as_str()));
            names.entry(dir.to_string()).or_default().push(name.to_string());
        }
        Self { files, dirs, names }
    }

    /// True when the walk found this file.
    pub fn has(&self, rel: &str) -> bool {
        self.files.binary_search_by(|f| f.as_str().cmp(rel)).is_ok()
    }

    /// True when the walk found a file somewhere below this folder.
    pub fn has_dir(&self, rel: &str) -> bool {
        self.dirs.contains(rel.trim_end_matches('/'))
    }

    /// Names of the files directly in folder `dir` (`""` for the root), sorted.
    pub fn names_in(&self, dir: &str) -> &[String] {
        let dir = if dir == "." { "" } else { dir };
        self.names.get(dir).map_or(&[], Vec::as_slice)
    }

    /// The files below folder `dir` (all of them for the root), in path order.
    pub fn under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        let prefix = if dir.is_empty() || dir == "." {
            String::new()
        } else {
            format!("{dir}/")
        };
        let start = self.files.partition_point(|f| f.as_str() < prefix.as_str());
        self.files[start..].iter().take_while(move |f| f.starts_with(&prefix))
    }
}

#[derive(Debug, Clone)]
enum Backend {
    Disk(PathBuf),
    Memory(Arc<BTreeMap<String, Vec<u8>>>),
}

/// Why a folder cannot be read, in words that say what to do about it.
fn unreadable_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            "permission denied. Your user needs read and execute permission on it (chmod u+rx), or open a copy you own"
                .into()
        }
        _ => e.to_string(),
    }
}

/// A read-only view of a project folder. Detectors read the project only through this.
///
/// A view is either a folder on disk, or files held in memory (for fuzzing and for tests of
/// single manifests); detectors cannot tell the difference.
#[derive(Debug, Clone)]
pub struct ProjectView {
    backend: Backend,
    index: Arc<FileIndex>,
}

impl ProjectView {
    /// Opens `root`, checking that it is a readable folder. The folder is not walked yet: see
    /// [`ProjectView::indexed`].
    pub fn open(root: &Path) -> Result<Self, ScanError> {
        let shown = root.display().to_string();
        let meta = fs::metadata(root).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ScanError::Missing(shown.clone()),
            _ => ScanError::Unreadable {
                path: shown.clone(),
                message: unreadable_words(&e),
            },
        })?;
        if !meta.is_dir() {
            return Err(ScanError::NotAFolder(shown));
        }
        fs::read_dir(root).map_err(|e| ScanError::Unreadable {
            path: shown.clone(),
            message: unreadable_words(&e),
        })?;
        let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Ok(Self {
            backend: Backend::Disk(root),
            index: Arc::default(),
        })
    }

    /// A view of files held in memory: `(root-relative path, bytes)`.
    pub fn in_memory<P: Into<String>>(files: impl IntoIterator<Item = (P, Vec<u8>)>) -> Self {
        let map: BTreeMap<String, Vec<u8>> = files.into_iter().map(|(p, b)| (p.into(), b)).collect();
        let index = FileIndex::from_paths(map.keys().cloned().collect());
        Self {
            backend: Backend::Memory(Arc::new(map)),
            index: Arc::new(index),
        }
    }

    /// Walks the folder once (in parallel, honouring .gitignore and skipping [`SKIP_DIRS`]) so
    /// that detectors look files up instead of touching the disk.
    pub fn indexed(self, warnings: &mut Vec<ScanWarning>) -> Self {
        match &self.backend {
            Backend::Memory(_) => self,
            Backend::Disk(root) => {
                let index = walk(root, warnings);
                Self {
                    index: Arc::new(index),
                    ..self
                }
            }
        }
    }

    /// The file index built by [`ProjectView::indexed`].
    pub fn index(&self) -> &FileIndex {
        &self.index
    }

    /// The project root, absolute (`/` for an in-memory view).
    pub fn root(&self) -> &Path {
        match &self.backend {
            Backend::Disk(root) => root,
            Backend::Memory(_) => Path::new("/"),
        }
    }

    /// The project root for display and serialisation.
    pub fn root_display(&self) -> String {
        self.root().display().to_string()
    }

    /// The name of the project folder, for naming a service at the root.
    pub fn root_name(&self) -> String {
        self.root()
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("app")
            .to_string()
    }

    /// True when `rel` is a file the walk found.
    pub fn is_file(&self, rel: &str) -> bool {
        self.index.has(rel)
    }

    /// True when `rel` is a folder holding files the walk found.
    pub fn is_dir(&self, rel: &str) -> bool {
        self.index.has_dir(rel)
    }

    /// Reads a UTF-8 text file. `None` when it does not exist; a warning (and `None`) when it
    /// is too large, not UTF-8 or unreadable.
    pub fn read_text(&self, rel: &str, warnings: &mut Vec<ScanWarning>) -> Option<String> {
        self.read_capped(rel, MAX_FILE_BYTES, true, warnings)
    }

    /// Reads source code for hints: at most `cap` bytes, silently skipping what is not text.
    pub fn read_source(&self, rel: &str, cap: u64) -> Option<String> {
        self.read_capped(rel, cap, false, &mut Vec::new())
    }

    fn read_capped(&self, rel: &str, cap: u64, strict: bool, warnings: &mut Vec<ScanWarning>) -> Option<String> {
        if !self.index.has(rel) {
            return None;
        }
        let warn = |warnings: &mut Vec<ScanWarning>, message: String| {
            if strict {
                warnings.push(ScanWarning {
                    path: rel.to_string(),
                    message,
                });
            }
        };
        let bytes = match &self.backend {
            Backend::Memory(map) => {
                let b = map.get(rel)?;
                if b.len() as u64 > cap {
                    warn(warnings, too_big(b.len() as u64, cap));
                    return None;
                }
                b.clone()
            }
            Backend::Disk(root) => {
                let path = root.join(rel);
                let len = match fs::metadata(&path) {
                    Ok(m) if m.is_file() => m.len(),
                    Ok(_) => return None,
                    Err(e) => {
                        warn(warnings, format!("cannot read: {e}"));
                        return None;
                    }
                };
                if len > cap && strict {
                    warn(warnings, too_big(len, cap));
                    return None;
                }
                let mut bytes = Vec::with_capacity(len.min(cap) as usize);
                if let Err(e) = fs::File::open(&path).and_then(|f| f.take(cap).read_to_end(&mut bytes)) {
                    warn(warnings, format!("cannot read: {e}"));
                    return None;
                }
                bytes
            }
        };
        if bytes.contains(&0) {
            warn(warnings, "skipped: a binary file, not text".to_string());
            return None;
        }
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) if !strict => {
                // A source file cut at the cap may end inside a character: keep what is whole.
                let valid = e.utf8_error().valid_up_to();
                let mut bytes = e.into_bytes();
                bytes.truncate(valid);
                String::from_utf8(bytes).ok()
            }
            Err(_) => {
                warn(warnings, "skipped: not UTF-8 text".to_string());
                None
            }
        }
    }
}

fn too_big(len: u64, cap: u64) -> String {
    format!("skipped: {len} bytes is over the {cap} byte limit for files Slipway reads")
}

/// One parallel walk of `root`: every file that .gitignore (and .ignore, and .git/info/exclude)
/// lets through, outside [`SKIP_DIRS`]. Symbolic links are not followed, so a link loop cannot
/// trap the walk; unreadable folders and names that are not UTF-8 become warnings.
fn walk(root: &Path, warnings: &mut Vec<ScanWarning>) -> FileIndex {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .threads(threads)
        .filter_entry(|e| {
            let dir = e.file_type().is_some_and(|t| t.is_dir());
            !(dir && e.depth() > 0 && e.file_name().to_str().is_some_and(|n| SKIP_DIRS.contains(&n)))
        })
        .build_parallel();
    let found: Mutex<Vec<Vec<String>>> = Mutex::new(Vec::new());
    let problems: Mutex<Vec<ScanWarning>> = Mutex::new(Vec::new());
    struct Collector<'a> {
        root: &'a Path,
        files: Vec<String>,
        problems: Vec<ScanWarning>,
        found: &'a Mutex<Vec<Vec<String>>>,
        shared_problems: &'a Mutex<Vec<ScanWarning>>,
    }
    impl Drop for Collector<'_> {
        fn drop(&mut self) {
            if let Ok(mut f) = self.found.lock() {
                f.push(std::mem::take(&mut self.files));
            }
            if let Ok(mut p) = self.shared_problems.lock() {
                p.append(&mut self.problems);
            }
        }
    }
    impl ignore::ParallelVisitor for Collector<'_> {
        fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
            match entry {
                Ok(e) => {
                    if !e.file_type().is_some_and(|t| t.is_file()) {
                        return ignore::WalkState::Continue;
                    }
                    let rel = e.path().strip_prefix(self.root).unwrap_or(e.path());
                    match rel.to_str() {
                        Some(r) => self.files.push(r.replace('\\', "/")),
                        None => self.problems.push(ScanWarning {
                            path: rel.to_string_lossy().into_owned(),
                            message: "skipped: the file name is not valid UTF-8".into(),
                        }),
                    }
                }
                Err(err) => self.problems.push(walk_warning(self.root, &err)),
            }
            ignore::WalkState::Continue
        }
    }
    struct Builder<'a> {
        root: &'a Path,
        found: &'a Mutex<Vec<Vec<String>>>,
        problems: &'a Mutex<Vec<ScanWarning>>,
    }
    impl<'s> ignore::ParallelVisitorBuilder<'s> for Builder<'s> {
        fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
            Box::new(Collector {
                root: self.root,
                files: Vec::new(),
                problems: Vec::new(),
                found: self.found,
                shared_problems: self.problems,
            })
        }
    }
    walker.visit(&mut Builder {
        root,
        found: &found,
        problems: &problems,
    });
    let files: Vec<String> = found.into_inner().unwrap_or_default().into_iter().flatten().collect();
    let mut problems = problems.into_inner().unwrap_or_default();
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    warnings.extend(problems);
    FileIndex::from_paths(files)
}

fn walk_warning(root: &Path, err: &ignore::Error) -> ScanWarning {
    fn path_of(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => path_of(err),
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    let path = path_of(err)
        .map(|p| p.strip_prefix(root).unwrap_or(p).to_string_lossy().into_owned())
        .unwrap_or_default();
    ScanWarning {
        path,
        message: format!("skipped: {}", strip_path(&err.to_string())),
    }
}

/// ignore's messages start with the absolute path; the warning carries the path already.
fn strip_path(message: &str) -> String {
    match message.split_once(": ") {
        Some((head, tail)) if head.starts_with('/') => tail.to_string(),
        _ => message.to_string(),
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

/// 1-based line number of a byte offset.
pub(crate) fn line_at(text: &str, offset: usize) -> u32 {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u32
        + 1
}
