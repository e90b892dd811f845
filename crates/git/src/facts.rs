//! Read-only facts about a repository through gitoxide: the branch, the remotes, the last
//! commits and how many paths have uncommitted changes.
//!
//! Why not libgit2 here: libgit2 initialises OpenSSL and loads the system's CA bundle the
//! first time any repository is opened, which costs tens of milliseconds of CPU in every
//! process. A scan and a preview only read, so they never pay for it; libgit2 is kept for
//! what writes or talks to a remote (commits, branches, pushes).

use std::collections::BTreeSet;
use std::path::Path;

use gix::bstr::ByteSlice;
use slipway_scan::{GitCommitSummary, GitFacts, GitRemote};

use crate::{host_kind, redact_url};

/// How many commits of the history the facts carry.
const RECENT: usize = 10;

/// Facts about the repository holding `path`, or `None` when there is none (or it is bare).
pub fn facts(path: &Path) -> Option<GitFacts> {
    let repo = gix::discover(path).ok()?;
    repo.workdir()?;
    let branch = branch(&repo);
    let mut remotes = Vec::new();
    for name in repo.remote_names() {
        let Ok(remote) = repo.find_remote(name.as_bstr()) else {
            continue;
        };
        let url = remote
            .url(gix::remote::Direction::Fetch)
            .map(|u| u.to_bstring().to_str_lossy().into_owned())
            .unwrap_or_default();
        let url = redact_url(&url);
        remotes.push(GitRemote {
            name: name.to_str_lossy().into_owned(),
            host: host_kind(&url).to_string(),
            url,
        });
    }
    Some(GitFacts {
        branch,
        remotes,
        recent_commits: recent_commits(&repo),
        uncommitted_changes: uncommitted(&repo),
    })
}

/// The current branch's name when HEAD is on one (born or not yet), `None` when detached.
pub fn current_branch(path: &Path) -> Option<String> {
    let repo = gix::discover(path).ok()?;
    branch(&repo)
}

fn branch(repo: &gix::Repository) -> Option<String> {
    repo.head_name()
        .ok()
        .flatten()
        .map(|name| name.shorten().to_str_lossy().into_owned())
}

/// The last commits reachable from HEAD, newest first, as `git log` lists them.
fn recent_commits(repo: &gix::Repository) -> Vec<GitCommitSummary> {
    let Ok(head) = repo.head_id() else {
        return Vec::new();
    };
    let sorting = gix::revision::walk::Sorting::ByCommitTime(Default::default());
    let Ok(walk) = repo.rev_walk([head.detach()]).sorting(sorting).all() else {
        return Vec::new();
    };
    walk.take(RECENT)
        .filter_map(Result::ok)
        .filter_map(|info| {
            let commit = info.object().ok()?;
            let summary = commit
                .message()
                .map(|m| m.summary().to_str_lossy().into_owned())
                .unwrap_or_default();
            let author = commit
                .author()
                .map(|a| a.name.to_str_lossy().into_owned())
                .unwrap_or_default();
            let id = info.id.to_hex().to_string();
            Some(GitCommitSummary {
                id: id[..7].to_string(),
                summary,
                author,
            })
        })
        .collect()
}

/// Paths with staged or unstaged changes, untracked folders counted once, renames as the two
/// paths they touch: what `git status --porcelain --no-renames` lists.
fn uncommitted(repo: &gix::Repository) -> usize {
    let status = repo.status(gix::progress::Discard).map(|s| {
        s.untracked_files(gix::status::UntrackedFiles::Collapsed)
            .tree_index_track_renames(gix::status::tree_index::TrackRenames::Disabled)
            .index_worktree_rewrites(None)
    });
    let Ok(iter) = status.and_then(|s| s.into_iter(None)) else {
        return 0;
    };
    let paths: BTreeSet<Vec<u8>> = iter
        .filter_map(Result::ok)
        .map(|item| item.location().to_vec())
        .collect();
    paths.len()
}
