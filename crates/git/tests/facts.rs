//! The repository facts Slipway reads (through gitoxide) against what the `git` command itself
//! says about the same real repositories: branch, remotes, the last ten commits, and the number
//! of paths `git status --porcelain --no-renames` lists.

use std::path::Path;
use std::process::Command;

use slipway_git::{current_branch, facts};

fn git(dir: &Path, args: &[&str]) -> String {
    git_at(dir, args, "2026-01-01T12:00:00Z")
}

fn git_at(dir: &Path, args: &[&str], date: &str) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn repo(branch: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", branch]);
    dir
}

/// What `git status --porcelain --no-renames` counts: one line a path, untracked folders once.
fn git_status_count(dir: &Path) -> usize {
    git(
        dir,
        &["status", "--porcelain", "--no-renames", "--untracked-files=normal"],
    )
    .lines()
    .filter(|l| !l.is_empty())
    .count()
}

/// The last ten commits as `git log` lists them: (id, subject, author).
fn git_log(dir: &Path) -> Vec<(String, String, String)> {
    let out = git(dir, &["log", "-10", "--format=%H%x09%s%x09%an"]);
    out.lines()
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let id = parts.next().unwrap()[..7].to_string();
            (id, parts.next().unwrap().to_string(), parts.next().unwrap().to_string())
        })
        .collect()
}

fn log_of(dir: &Path) -> Vec<(String, String, String)> {
    facts(dir)
        .expect("a repository")
        .recent_commits
        .into_iter()
        .map(|c| (c.id, c.summary, c.author))
        .collect()
}

#[test]
fn a_new_repository_has_its_unborn_branch_and_counts_untracked_folders_once() {
    let r = repo("trunk");
    write(r.path(), "README.md", "hello\n");
    write(r.path(), "src/a.rs", "fn a() {}\n");
    write(r.path(), "src/b.rs", "fn b() {}\n");
    write(r.path(), "staged.txt", "x\n");
    git(r.path(), &["add", "staged.txt"]);
    let f = facts(r.path()).expect("a repository");
    assert_eq!(f.branch.as_deref(), Some("trunk"), "the unborn branch is named");
    assert_eq!(current_branch(r.path()).as_deref(), Some("trunk"));
    assert!(f.recent_commits.is_empty(), "no commits yet");
    assert_eq!(f.uncommitted_changes, git_status_count(r.path()));
    assert_eq!(f.uncommitted_changes, 3, "README.md, src/ (once) and staged.txt");
}

#[test]
fn history_matches_git_log_newest_first_with_merges_and_long_messages() {
    let r = repo("main");
    for i in 0..8 {
        write(r.path(), "f.txt", &format!("{i}\n"));
        git(r.path(), &["add", "."]);
        let date = format!("2026-01-{:02}T10:00:00Z", i + 1);
        let msg = format!("change {i}\n\nwith a body that is not the summary");
        git_at(r.path(), &["commit", "-q", "-m", &msg], &date);
    }
    git(r.path(), &["checkout", "-q", "-b", "feature"]);
    write(r.path(), "g.txt", "feature\n");
    git(r.path(), &["add", "."]);
    git_at(
        r.path(),
        &["commit", "-q", "-m", "feat: a title that\nruns over two lines"],
        "2026-02-01T10:00:00Z",
    );
    git(r.path(), &["checkout", "-q", "main"]);
    write(r.path(), "h.txt", "main\n");
    git(r.path(), &["add", "."]);
    git_at(
        r.path(),
        &["commit", "-q", "-m", "fix: on main"],
        "2026-02-02T10:00:00Z",
    );
    git_at(
        r.path(),
        &["merge", "-q", "--no-ff", "feature", "-m", "Merge feature"],
        "2026-02-03T10:00:00Z",
    );
    let ours = log_of(r.path());
    assert_eq!(ours.len(), 10, "ten commits");
    assert_eq!(
        ours,
        git_log(r.path()),
        "the same commits, order, subjects and authors as git log"
    );
    assert_eq!(ours[0].1, "Merge feature");
    // Packed objects read the same as loose ones.
    git(r.path(), &["gc", "-q", "--aggressive"]);
    assert_eq!(log_of(r.path()), git_log(r.path()), "after git gc packs the objects");
}

#[test]
fn changes_are_counted_per_path_like_git_status() {
    let r = repo("main");
    write(r.path(), ".gitignore", "target/\n*.log\n");
    write(r.path(), "keep.txt", "1\n");
    write(r.path(), "edit.txt", "1\n");
    write(r.path(), "gone.txt", "1\n");
    write(r.path(), "old-name.txt", "1\n");
    write(r.path(), "both.txt", "1\n");
    git(r.path(), &["add", "."]);
    git(r.path(), &["commit", "-q", "-m", "init"]);
    assert_eq!(facts(r.path()).unwrap().uncommitted_changes, 0, "a clean tree");

    write(r.path(), "edit.txt", "2\n");
    std::fs::remove_file(r.path().join("gone.txt")).unwrap();
    git(r.path(), &["mv", "old-name.txt", "new-name.txt"]);
    write(r.path(), "both.txt", "2\n");
    git(r.path(), &["add", "both.txt"]);
    write(r.path(), "both.txt", "3\n");
    write(r.path(), "target/debug/out.bin", "ignored\n");
    write(r.path(), "run.log", "ignored\n");
    write(r.path(), "notes/today.md", "new\n");
    let f = facts(r.path()).unwrap();
    assert_eq!(
        f.uncommitted_changes,
        git_status_count(r.path()),
        "the same count as git status"
    );
    // edit, gone, old-name, new-name, both (staged and changed again: once), notes/.
    assert_eq!(f.uncommitted_changes, 6);
}

#[test]
fn remotes_are_read_with_rewrites_applied_and_passwords_removed() {
    let r = repo("main");
    write(r.path(), "a.txt", "a\n");
    git(r.path(), &["add", "."]);
    git(r.path(), &["commit", "-q", "-m", "init"]);
    git(
        r.path(),
        &["remote", "add", "origin", "https://bob:s3cret@github.com/acme/web.git"],
    );
    git(r.path(), &["remote", "add", "mirror", "git@gitlab.com:acme/web.git"]);
    git(r.path(), &["config", "url.https://codeberg.org/.insteadOf", "cb:"]);
    git(r.path(), &["remote", "add", "cb", "cb:acme/web.git"]);
    let f = facts(r.path()).unwrap();
    let remotes: Vec<(&str, &str, &str)> = f
        .remotes
        .iter()
        .map(|r| (r.name.as_str(), r.url.as_str(), r.host.as_str()))
        .collect();
    assert!(
        remotes.contains(&("origin", "https://bob:***@github.com/acme/web.git", "github")),
        "{remotes:?}"
    );
    assert!(
        remotes.contains(&("mirror", "git@gitlab.com:acme/web.git", "gitlab")),
        "{remotes:?}"
    );
    let expanded = git(r.path(), &["remote", "get-url", "cb"]);
    assert_eq!(
        expanded, "https://codeberg.org/acme/web.git",
        "git itself expands insteadOf"
    );
    assert!(
        remotes.contains(&("cb", expanded.as_str(), "codeberg")),
        "insteadOf applies as git applies it: {remotes:?}"
    );
    assert!(
        !format!("{f:?}").contains("s3cret"),
        "no password anywhere in the facts"
    );
}

#[test]
fn detached_heads_subfolders_worktrees_and_bare_repositories() {
    let r = repo("main");
    write(r.path(), "app/src/main.rs", "fn main() {}\n");
    git(r.path(), &["add", "."]);
    git(r.path(), &["commit", "-q", "-m", "first"]);
    write(r.path(), "app/src/main.rs", "fn main() { }\n");
    git(r.path(), &["commit", "-qam", "second"]);

    let sub = facts(&r.path().join("app/src")).expect("found from a subfolder");
    assert_eq!(sub.recent_commits.len(), 2);

    let linked = r.path().join("wt");
    git(
        r.path(),
        &["worktree", "add", "-q", "-b", "side", linked.to_str().unwrap()],
    );
    let wt = facts(&linked).expect("a linked worktree is a repository");
    assert_eq!(wt.branch.as_deref(), Some("side"));
    assert_eq!(wt.uncommitted_changes, git_status_count(&linked));

    git(r.path(), &["checkout", "-q", "--detach", "HEAD~1"]);
    let detached = facts(r.path()).unwrap();
    assert_eq!(detached.branch, None, "a detached HEAD is on no branch");
    assert_eq!(current_branch(r.path()), None);
    assert_eq!(detached.recent_commits[0].summary, "first");

    let bare = tempfile::tempdir().unwrap();
    git(bare.path(), &["init", "-q", "--bare"]);
    assert!(
        facts(bare.path()).is_none(),
        "a bare repository has no work tree to deploy"
    );
    let plain = tempfile::tempdir().unwrap();
    assert!(facts(plain.path()).is_none(), "not a repository");
}
