//! Git for Slipway: facts read through gitoxide, commits and pushes through libgit2.
//!
//! Design decisions:
//! - Reading never initialises libgit2 (see [`facts`]): it loads OpenSSL and the CA bundle on
//!   first use, which a scan or a preview must not pay for.
//! - A Slipway commit holds exactly the files Slipway applied: it is built from HEAD's tree plus
//!   those files, so whatever else the user has staged or changed stays out of it and stays
//!   staged.
//! - Push results a person must act on are values of [`PushOutcome`], not errors: the UI and the
//!   CLI show each in words. A push is never forced.
//! - Remote URLs are shown with any password removed, so facts can be logged and serialised.
//! - git2 types are not `Send`: every function opens the repository itself and returns owned data.
#![deny(missing_docs)]

mod facts;

pub use facts::{current_branch, facts};

use std::cell::Cell;
use std::path::{Path, PathBuf};

use git2::{Cred, CredentialType, ErrorClass, ErrorCode, PushOptions, RemoteCallbacks, Repository};
use serde::{Deserialize, Serialize};

/// How many times a push may ask for credentials before giving up: libgit2 asks again after
/// every refusal, and would loop forever on a wrong password.
pub const MAX_CREDENTIAL_ATTEMPTS: u32 = 3;

/// Why a commit could not be made.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The folder is not inside a git repository.
    #[error("{0} is not a git repository, so Slipway cannot commit there; run `git init` in it first")]
    NotARepository(String),
    /// HEAD is detached: there is no branch to commit on.
    #[error("HEAD is detached in {0}: check out a branch before committing")]
    DetachedHead(String),
    /// No committer identity is configured.
    #[error(
        "git has no user.name and user.email for {0}: set them with `git config user.name` and `git config user.email`"
    )]
    NoIdentity(String),
    /// A path to commit is outside the repository's work tree.
    #[error("{0} is outside the repository's work tree")]
    OutsideWorkTree(String),
    /// libgit2 failed.
    #[error("git failed in {path}: {message}")]
    Git {
        /// The repository.
        path: String,
        /// What libgit2 said.
        message: String,
    },
}

/// A commit Slipway made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CommitInfo {
    /// Full commit id.
    pub id: String,
    /// The whole message.
    pub message: String,
    /// The branch it was made on.
    pub branch: String,
}

/// How a push ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PushOutcome {
    /// The remote accepted the branch.
    Pushed {
        /// Remote name.
        remote: String,
        /// Branch pushed.
        branch: String,
    },
    /// The repository has no remote to push to.
    NoRemote {
        /// Branch that stays local.
        branch: String,
    },
    /// The remote needs credentials Slipway does not have, or refused the ones it tried.
    NeedsCredentials {
        /// Remote name.
        remote: String,
        /// Branch.
        branch: String,
        /// What the remote or libgit2 said.
        message: String,
    },
    /// The remote refused the update (for example not a fast-forward). Never forced.
    Rejected {
        /// Remote name.
        remote: String,
        /// Branch.
        branch: String,
        /// The remote's reason.
        message: String,
    },
    /// The remote could not be reached.
    Unreachable {
        /// Remote name.
        remote: String,
        /// Branch.
        branch: String,
        /// What the network said.
        message: String,
    },
}

impl PushOutcome {
    /// The outcome in one sentence.
    pub fn describe(&self) -> String {
        match self {
            PushOutcome::Pushed { remote, branch } => format!("pushed {branch} to {remote}"),
            PushOutcome::NoRemote { branch } => {
                format!("not pushed: the repository has no remote; {branch} stays local (add one with `git remote add origin URL`)")
            }
            PushOutcome::NeedsCredentials { remote, message, .. } => {
                format!("not pushed: {remote} needs credentials ({message})")
            }
            PushOutcome::Rejected { remote, branch, message } => format!(
                "not pushed: {remote} rejected {branch} ({message}); pull and merge the remote changes, then push again. Slipway never forces a push"
            ),
            PushOutcome::Unreachable { remote, message, .. } => format!("not pushed: cannot reach {remote} ({message})"),
        }
    }

    /// True when the branch reached the remote.
    pub fn is_pushed(&self) -> bool {
        matches!(self, PushOutcome::Pushed { .. })
    }
}

fn git_err(path: &Path, e: git2::Error) -> GitError {
    GitError::Git {
        path: path.display().to_string(),
        message: e.message().to_string(),
    }
}

fn open(path: &Path) -> Result<Repository, GitError> {
    Repository::discover(path).map_err(|e| match e.code() {
        ErrorCode::NotFound => GitError::NotARepository(path.display().to_string()),
        _ => git_err(path, e),
    })
}

/// True when `path` is inside a git work tree.
pub fn is_repository(path: &Path) -> bool {
    Repository::discover(path)
        .map(|r| r.workdir().is_some())
        .unwrap_or(false)
}

/// Removes a password from a URL such as `https://user:token@host/repo`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.split_once('@') {
            if !host.contains('/') || userinfo.contains('/') {
                return url.to_string();
            }
            let user = userinfo.split(':').next().unwrap_or("");
            let shown = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_string()
            };
            return format!("{scheme}://{shown}@{host}");
        }
    }
    url.to_string()
}

pub(crate) fn host_kind(url: &str) -> &'static str {
    let lower = url.to_ascii_lowercase();
    if lower.contains("github.com") {
        "github"
    } else if lower.contains("gitlab") {
        "gitlab"
    } else if lower.contains("bitbucket") {
        "bitbucket"
    } else if lower.contains("dev.azure.com") || lower.contains("visualstudio.com") {
        "azure"
    } else if lower.contains("codeberg.org") {
        "codeberg"
    } else if lower.starts_with('/') || lower.starts_with("file://") || lower.starts_with('.') {
        "local"
    } else {
        "other"
    }
}

fn unborn_branch(repo: &Repository) -> Option<String> {
    let head = repo.find_reference("HEAD").ok()?;
    let target = head.symbolic_target().ok()??;
    target.strip_prefix("refs/heads/").map(str::to_string)
}

/// Moves HEAD to a new branch `name` at the current commit (the working tree and index stay as
/// they are, since both branches point at the same commit). When `name` exists already at
/// another commit, `name-2`, `name-3`… is used. Returns the branch's name.
pub fn start_branch(root: &Path, name: &str) -> Result<String, GitError> {
    let repo = open(root)?;
    let err = |e| git_err(root, e);
    let head = match repo.head() {
        Ok(h) => Some(h.peel_to_commit().map_err(err)?),
        Err(e) if e.code() == ErrorCode::UnbornBranch => None,
        Err(e) => return Err(err(e)),
    };
    let mut chosen = name.to_string();
    for n in 2.. {
        match repo.find_branch(&chosen, git2::BranchType::Local) {
            Ok(b) => {
                let same = b
                    .get()
                    .target()
                    .zip(head.as_ref().map(|c| c.id()))
                    .is_some_and(|(a, c)| a == c);
                if same {
                    break;
                }
                chosen = format!("{name}-{n}");
            }
            Err(_) => {
                if let Some(c) = &head {
                    repo.branch(&chosen, c, false).map_err(err)?;
                }
                break;
            }
        }
    }
    repo.set_head(&format!("refs/heads/{chosen}")).map_err(err)?;
    tracing::info!(branch = %chosen, "switched to a new branch for the commit");
    Ok(chosen)
}

/// Commits exactly `paths` (relative to `root`) on the current branch.
pub fn commit_files(root: &Path, paths: &[String], message: &str) -> Result<CommitInfo, GitError> {
    let repo = open(root)?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| GitError::NotARepository(root.display().to_string()))?
        .to_path_buf();
    let workdir = workdir.canonicalize().unwrap_or(workdir);
    let root_abs = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let err = |e| git_err(root, e);

    let (branch, parent) = match repo.head() {
        Ok(h) if h.is_branch() => {
            let name = h.shorthand().unwrap_or("HEAD").to_string();
            (name, Some(h.peel_to_commit().map_err(err)?))
        }
        Ok(_) => return Err(GitError::DetachedHead(root.display().to_string())),
        Err(e) if e.code() == ErrorCode::UnbornBranch => (unborn_branch(&repo).unwrap_or_else(|| "main".into()), None),
        Err(e) => return Err(err(e)),
    };
    let signature = repo.signature().map_err(|e| match e.class() {
        ErrorClass::Config | ErrorClass::Invalid => GitError::NoIdentity(root.display().to_string()),
        _ => err(e),
    })?;

    // A private index from HEAD's tree, so the commit holds exactly our files.
    let mut index = git2::Index::new().map_err(err)?;
    if let Some(p) = &parent {
        index.read_tree(&p.tree().map_err(err)?).map_err(err)?;
    }
    let mut repo_paths: Vec<PathBuf> = Vec::new();
    for rel in paths {
        let abs = root_abs.join(rel);
        let in_repo = abs
            .strip_prefix(&workdir)
            .map_err(|_| GitError::OutsideWorkTree(rel.clone()))?
            .to_path_buf();
        let bytes = std::fs::read(&abs).map_err(|e| GitError::Git {
            path: rel.clone(),
            message: e.to_string(),
        })?;
        let oid = repo.blob(&bytes).map_err(err)?;
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: bytes.len() as u32,
            id: oid,
            flags: 0,
            flags_extended: 0,
            path: in_repo.to_string_lossy().replace('\\', "/").into_bytes(),
        };
        index.add(&entry).map_err(err)?;
        repo_paths.push(in_repo);
    }
    let tree_id = index.write_tree_to(&repo).map_err(err)?;
    let tree = repo.find_tree(tree_id).map_err(err)?;
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    let id = repo
        .commit(Some("HEAD"), &signature, &signature, message, &tree, &parents)
        .map_err(err)?;

    // Bring the real index in line for our files only, so they do not show as changed.
    if let Ok(mut real) = repo.index() {
        for p in &repo_paths {
            let _ = real.add_path(p);
        }
        let _ = real.write();
    }
    tracing::info!(commit = %id, %branch, files = paths.len(), "committed");
    Ok(CommitInfo {
        id: id.to_string(),
        message: message.to_string(),
        branch,
    })
}

/// The remote a branch pushes to: its upstream, else `origin`, else the only remote.
fn push_remote(repo: &Repository, branch: &str) -> Option<String> {
    let config = repo.config().ok()?;
    if let Ok(name) = config.get_string(&format!("branch.{branch}.remote")) {
        return Some(name);
    }
    let remotes = repo.remotes().ok()?;
    let names: Vec<&str> = remotes.iter().filter_map(|n| n.ok().flatten()).collect();
    if names.contains(&"origin") {
        Some("origin".into())
    } else if names.len() == 1 {
        Some(names[0].to_string())
    } else {
        None
    }
}

/// A token for HTTPS pushes and the user name sent with it. `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpsToken {
    /// The user name (hosts that take tokens accept most names: `x-access-token`, `oauth2`).
    pub username: String,
    /// The token or password.
    pub token: String,
}

impl std::fmt::Debug for HttpsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HttpsToken({}, ***)", self.username)
    }
}

/// The host of a remote URL (with its port when one is given), the key tokens are kept under:
/// `github.com`, `127.0.0.1:8418`. `None` for local paths and SSH remotes.
pub fn remote_host(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split('/').next()?;
    let host = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The remote the current branch pushes to, and its URL.
pub fn push_target(root: &Path) -> Option<(String, String)> {
    let repo = open(root).ok()?;
    let branch = current_branch(root)?;
    let name = push_remote(&repo, &branch)?;
    let remote = repo.find_remote(&name).ok()?;
    let url = remote.url().ok()?.to_string();
    Some((name, url))
}

/// Pushes the current branch to its remote. Never forces.
pub fn push(root: &Path) -> Result<PushOutcome, GitError> {
    push_with(root, None)
}

/// Pushes the current branch to its remote, offering `token` first when the remote asks for a
/// user name and password, then git's credential helper; SSH remotes use the SSH agent. At most
/// [`MAX_CREDENTIAL_ATTEMPTS`] credentials are tried. Never forces.
pub fn push_with(root: &Path, token: Option<&HttpsToken>) -> Result<PushOutcome, GitError> {
    let repo = open(root)?;
    let head = repo.head().map_err(|e| git_err(root, e))?;
    if !head.is_branch() {
        return Err(GitError::DetachedHead(root.display().to_string()));
    }
    let branch = head.shorthand().unwrap_or("HEAD").to_string();
    let Some(remote_name) = push_remote(&repo, &branch) else {
        return Ok(PushOutcome::NoRemote { branch });
    };
    let mut remote = repo.find_remote(&remote_name).map_err(|e| git_err(root, e))?;
    let config = repo.config().map_err(|e| git_err(root, e))?;

    let attempts = Cell::new(0u32);
    let rejection: std::cell::RefCell<Option<String>> = Default::default();
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(|url, username, allowed| {
        let n = attempts.get() + 1;
        attempts.set(n);
        if n > MAX_CREDENTIAL_ATTEMPTS {
            return Err(git2::Error::from_str("credentials refused too many times"));
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            if let Some(user) = username {
                return Cred::ssh_key_from_agent(user);
            }
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            if let Some(t) = token {
                // The stored token first, then (if refused) git's own credential helper.
                if n == 1 {
                    return Cred::userpass_plaintext(&t.username, &t.token);
                }
            }
            return Cred::credential_helper(&config, url, username);
        }
        if allowed.contains(CredentialType::DEFAULT) {
            return Cred::default();
        }
        Err(git2::Error::from_str("no usable credential type"))
    });
    callbacks.push_update_reference(|_refname, status| {
        if let Some(msg) = status {
            *rejection.borrow_mut() = Some(msg.to_string());
        }
        Ok(())
    });
    let mut opts = PushOptions::new();
    opts.remote_callbacks(callbacks);
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    let result = remote.push(&[refspec.as_str()], Some(&mut opts));
    drop(opts);
    let outcome = match result {
        Ok(()) => match rejection.borrow().clone() {
            Some(message) => PushOutcome::Rejected {
                remote: remote_name.clone(),
                branch: branch.clone(),
                message,
            },
            None => PushOutcome::Pushed {
                remote: remote_name.clone(),
                branch: branch.clone(),
            },
        },
        Err(e) => {
            let token_refused = token.is_some() && attempts.get() >= 2;
            classify_push_error(e, attempts.get(), token_refused, remote_name.clone(), branch.clone())
        }
    };
    if outcome.is_pushed() {
        // Remember the upstream, as `git push -u` would, when none is set.
        if let Ok(mut cfg) = repo.config() {
            let key = format!("branch.{branch}.remote");
            if cfg.get_string(&key).is_err() {
                let _ = cfg.set_str(&key, &remote_name);
                let _ = cfg.set_str(&format!("branch.{branch}.merge"), &format!("refs/heads/{branch}"));
            }
        }
    }
    tracing::info!(outcome = %outcome.describe(), "push finished");
    Ok(outcome)
}

fn classify_push_error(
    e: git2::Error,
    attempts: u32,
    token_refused: bool,
    remote: String,
    branch: String,
) -> PushOutcome {
    let message = e.message().to_string();
    let lower = message.to_ascii_lowercase();
    if e.code() == ErrorCode::NotFastForward || lower.contains("non-fast-forward") || lower.contains("fast forward") {
        return PushOutcome::Rejected {
            remote,
            branch,
            message: "not a fast-forward: the remote has commits this branch lacks".into(),
        };
    }
    if e.code() == ErrorCode::Auth
        || e.class() == ErrorClass::Http && lower.contains("auth")
        || attempts > 0
            && [
                "credential",
                "401",
                "403",
                "username",
                "password",
                "authenticat",
                "acquire",
            ]
            .iter()
            .any(|w| lower.contains(w))
    {
        let message = if token_refused {
            format!(
                "the server refused the stored token after {attempts} attempts; enter a token with permission to push"
            )
        } else if attempts > MAX_CREDENTIAL_ATTEMPTS || lower.contains("too many times") {
            format!("the server refused the credentials {MAX_CREDENTIAL_ATTEMPTS} times; check the token and its permission to push")
        } else if attempts == 0 || lower.contains("no usable credential") || lower.contains("failed to acquire") {
            "no credentials are stored for it; add a token".to_string()
        } else {
            message
        };
        return PushOutcome::NeedsCredentials {
            remote,
            branch,
            message,
        };
    }
    if matches!(
        e.class(),
        ErrorClass::Net | ErrorClass::Ssl | ErrorClass::Os | ErrorClass::Http
    ) {
        return PushOutcome::Unreachable {
            remote,
            branch,
            message,
        };
    }
    PushOutcome::Rejected {
        remote,
        branch,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn tokens_are_kept_per_host() {
        use super::remote_host;
        assert_eq!(
            remote_host("https://github.com/acme/web.git").as_deref(),
            Some("github.com")
        );
        assert_eq!(
            remote_host("http://bob@127.0.0.1:8418/r.git").as_deref(),
            Some("127.0.0.1:8418")
        );
        assert_eq!(remote_host("git@github.com:acme/web.git"), None);
        assert_eq!(remote_host("/srv/git/web.git"), None);
        let t = super::HttpsToken {
            username: "x".into(),
            token: "s3cret".into(),
        };
        assert!(!format!("{t:?}").contains("s3cret"));
    }

    #[test]
    fn passwords_never_survive_in_urls() {
        assert_eq!(
            redact_url("https://bob:s3cret@example.com/r.git"),
            "https://bob:***@example.com/r.git"
        );
        assert_eq!(redact_url("https://example.com/r.git"), "https://example.com/r.git");
        assert_eq!(redact_url("git@github.com:o/r.git"), "git@github.com:o/r.git");
    }
}

#[cfg(test)]
mod host_tests {
    use super::host_kind;

    #[test]
    fn remotes_are_told_apart_by_host() {
        let cases = [
            ("git@github.com:acme/web.git", "github"),
            ("https://gitlab.example.com/acme/web.git", "gitlab"),
            ("https://bitbucket.org/acme/web.git", "bitbucket"),
            ("https://dev.azure.com/acme/web/_git/web", "azure"),
            ("https://codeberg.org/acme/web.git", "codeberg"),
            ("/srv/git/web.git", "local"),
            ("https://git.example.com/web.git", "other"),
        ];
        for (url, kind) in cases {
            assert_eq!(host_kind(url), kind, "{url}");
        }
    }
}
