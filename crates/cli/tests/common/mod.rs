//! Helpers shared by the command-line tests: real fixture projects in temporary git
//! repositories, the real `slipway` binary, and the independent linters.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

/// Runs the real `slipway` binary.
pub fn slipway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slipway"))
        .args(args)
        .env_remove("SLIPWAY_LOG")
        .output()
        .expect("the slipway binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}); stdout: {} stderr: {}", stdout(o), stderr(o)))
}

/// Runs git with a fixed identity and date, so fixtures are reproducible.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Fixture Author")
        .env("GIT_AUTHOR_EMAIL", "fixture@slipway.invalid")
        .env("GIT_COMMITTER_NAME", "Fixture Author")
        .env("GIT_COMMITTER_EMAIL", "fixture@slipway.invalid")
        .env("GIT_AUTHOR_DATE", "2026-01-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T12:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A fixture copied into `<tmp>/project`, optionally as a git repository with one commit and a
/// bare remote `<tmp>/origin.git` that already has that commit.
pub struct Project {
    pub tmp: tempfile::TempDir,
    pub work: PathBuf,
    pub bare: Option<PathBuf>,
}

impl Project {
    pub fn plain(name: &str) -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("project");
        copy_dir(&fixture(name), &work);
        Project { tmp, work, bare: None }
    }

    pub fn repo(name: &str) -> Project {
        let mut p = Project::plain(name);
        git(&p.work, &["init", "-q", "-b", "main"]);
        git(&p.work, &["config", "user.name", "Fixture Author"]);
        git(&p.work, &["config", "user.email", "fixture@slipway.invalid"]);
        git(&p.work, &["add", "-A"]);
        git(&p.work, &["commit", "-q", "-m", "Initial import"]);
        let bare = p.tmp.path().join("origin.git");
        git(
            p.tmp.path(),
            &["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()],
        );
        git(&p.work, &["remote", "add", "origin", bare.to_str().unwrap()]);
        git(&p.work, &["push", "-q", "-u", "origin", "main"]);
        p.bare = Some(bare);
        p
    }

    pub fn path(&self) -> &str {
        self.work.to_str().unwrap()
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.work.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
}

/// Every file under `dir` (outside .git) with its bytes: to prove nothing was written.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_name() == ".git" {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.insert(
                    e.path().strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(e.path()).unwrap(),
                );
            }
        }
    }
    out
}

/// A linter from the project's tool folder (installed by scripts/test) or from PATH.
pub fn tool(name: &str) -> PathBuf {
    for dir in [
        ".tools/venv/bin",
        ".tools/kube/bin",
        ".tools/prometheus/bin",
        ".tools/aws/bin",
        ".tools/cfn/bin",
    ] {
        let local = repo_root().join(dir).join(name);
        if local.exists() {
            return local;
        }
    }
    let found = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(name)).find(|p| p.exists()));
    found.unwrap_or_else(|| {
        panic!("{name} is not installed: run scripts/test, which installs the pinned linters into .tools/venv")
    })
}
