//! Keys and tokens in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows). Nothing secret is ever written to a file Slipway owns.
//!
//! Without a keychain (no session bus, no daemon) these calls fail with the platform's reason in
//! words; there is deliberately no fallback to a plain file.

use slipway_llm::{ProviderKind, Secret};

/// The service name entries are stored under.
pub const SERVICE: &str = "dev.slipway.app";
/// The account of the documentation service's key.
pub const DOCS_ACCOUNT: &str = "docs";
/// The environment variable that may supply the provider key for headless use.
pub const KEY_ENV: &str = "SLIPWAY_API_KEY";

/// Why the keychain could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No keychain is reachable.
    #[error("the OS keychain is not available ({0}); on Linux, Slipway needs a Secret Service such as GNOME Keyring running in your session")]
    Unavailable(String),
    /// The keychain refused.
    #[error("the OS keychain refused: {0}")]
    Failed(String),
}

fn map(e: keyring::Error) -> KeychainError {
    match e {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            KeychainError::Unavailable(e.to_string())
        }
        other => KeychainError::Failed(other.to_string()),
    }
}

/// The keychain account of a provider's key.
pub fn provider_account(kind: ProviderKind) -> String {
    format!("llm:{}", kind.id())
}

fn entry(account: &str) -> Result<keyring::Entry, KeychainError> {
    keyring::Entry::new(SERVICE, account).map_err(map)
}

/// Stores `secret` for `account`, replacing what was there.
pub fn store(account: &str, secret: &Secret) -> Result<(), KeychainError> {
    if secret.is_empty() {
        return Err(KeychainError::Failed("the key is empty".into()));
    }
    entry(account)?.set_password(secret.expose()).map_err(map)?;
    tracing::info!(account, "key stored in the OS keychain");
    Ok(())
}

/// The secret stored for `account`, if any.
pub fn load(account: &str) -> Result<Option<Secret>, KeychainError> {
    match entry(account)?.get_password() {
        Ok(p) => Ok(Some(Secret::new(p))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(map(e)),
    }
}

/// Removes the secret for `account`; true when there was one.
pub fn delete(account: &str) -> Result<bool, KeychainError> {
    match entry(account)?.delete_credential() {
        Ok(()) => {
            tracing::info!(account, "key removed from the OS keychain");
            Ok(true)
        }
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(map(e)),
    }
}

/// The provider key for headless use: `SLIPWAY_API_KEY` when set, else the keychain's entry.
/// `Ok(None)` when neither has one.
pub fn provider_key(kind: ProviderKind) -> Result<Option<Secret>, KeychainError> {
    if let Ok(k) = std::env::var(KEY_ENV) {
        if !k.trim().is_empty() {
            return Ok(Some(Secret::new(k)));
        }
    }
    load(&provider_account(kind))
}

/// The keychain account of a git host's token.
pub fn git_account(host: &str) -> String {
    format!("git:{host}")
}

/// The user name sent with a token when the person gives none: what each host expects.
pub fn default_git_user(host: &str) -> &'static str {
    if host.contains("github") {
        "x-access-token"
    } else if host.contains("gitlab") {
        "oauth2"
    } else if host.contains("bitbucket") {
        "x-token-auth"
    } else {
        "git"
    }
}

/// Stores an HTTPS token (and the user name to send with it) for a git host.
pub fn store_git_token(host: &str, username: Option<&str>, token: &Secret) -> Result<(), KeychainError> {
    if token.is_empty() {
        return Err(KeychainError::Failed("the token is empty".into()));
    }
    let user = username
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or(default_git_user(host));
    store(&git_account(host), &Secret::new(format!("{user}\n{}", token.expose())))
}

/// The token stored for a git host, if any.
pub fn git_token(host: &str) -> Result<Option<slipway_git::HttpsToken>, KeychainError> {
    Ok(load(&git_account(host))?.map(|s| match s.expose().split_once('\n') {
        Some((user, token)) => slipway_git::HttpsToken {
            username: user.to_string(),
            token: token.to_string(),
        },
        None => slipway_git::HttpsToken {
            username: default_git_user(host).to_string(),
            token: s.expose().to_string(),
        },
    }))
}
