//! A documentation service over HTTP, in the shape of Context7's API: `GET /api/v1/search?query=`
//! finds a library, `GET /api/v1/{id}?type=txt&topic=&tokens=` returns its current docs as text.
//! Used only when the person configures it; the key (optional) lives in the keychain.

use std::time::Duration;

use serde_json::Value;

use crate::client::{check_url, describe, error_message};
use crate::{Cancel, LlmError, Secret};

/// A configured documentation service.
#[derive(Debug, Clone)]
pub struct DocsService {
    http: reqwest::Client,
    base: String,
    key: Secret,
    timeout: Duration,
}

/// Docs found for a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsAnswer {
    /// The library's id at the service.
    pub library: String,
    /// The text.
    pub text: String,
}

/// The public Context7 endpoint.
pub const DEFAULT_DOCS_URL: &str = "https://context7.com";

/// Longest answer handed on, in characters.
const MAX_DOC_CHARS: usize = 24_000;

impl DocsService {
    /// A client for the service at `base`.
    pub fn new(base: &str, key: Secret, timeout: Duration) -> Result<DocsService, LlmError> {
        let url = check_url(base, !key.is_empty(), "documentation service")?;
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .user_agent(concat!("slipway/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LlmError::Config(format!("cannot set up HTTP: {e}")))?;
        Ok(DocsService {
            http,
            base: url.as_str().trim_end_matches('/').to_string(),
            key,
            timeout,
        })
    }

    /// The service's address.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn get(&self, path: &str, query: &[(&str, &str)], cancel: &Cancel) -> Result<String, LlmError> {
        let mut req = self.http.get(format!("{}{path}", self.base)).query(query);
        if !self.key.is_empty() {
            req = req.bearer_auth(self.key.expose());
        }
        let fail = |last: String| LlmError::GaveUp {
            provider: "the documentation service".into(),
            url: self.base.clone(),
            attempts: 1,
            last,
        };
        let resp = tokio::select! {
            r = tokio::time::timeout(self.timeout, req.send()) => r,
            _ = cancel.cancelled() => return Err(LlmError::Cancelled),
        }
        .map_err(|_| fail(format!("no reply within {} s", self.timeout.as_secs())))?
        .map_err(|e| fail(describe(&e)))?;
        let status = resp.status().as_u16();
        let text = tokio::select! {
            t = tokio::time::timeout(self.timeout, resp.text()) => t,
            _ = cancel.cancelled() => return Err(LlmError::Cancelled),
        }
        .map_err(|_| fail(format!("the reply stalled for {} s", self.timeout.as_secs())))?
        .map_err(|e| fail(describe(&e)))?;
        match status {
            200..=299 => Ok(text),
            401 | 403 => Err(LlmError::Unauthorized {
                provider: "the documentation service".into(),
                status,
                message: error_message(&text),
            }),
            _ => Err(fail(format!("HTTP {status}: {}", error_message(&text)))),
        }
    }

    /// Finds `library` and returns its docs on `topic`, shortened to a size a model can use.
    pub async fn lookup(&self, library: &str, topic: &str, cancel: &Cancel) -> Result<DocsAnswer, LlmError> {
        let found = self.get("/api/v1/search", &[("query", library)], cancel).await?;
        let v: Value = serde_json::from_str(&found).map_err(|e| LlmError::Protocol {
            provider: "the documentation service".into(),
            message: format!("the search reply was not JSON: {e}"),
        })?;
        let Some(id) = v["results"]
            .as_array()
            .and_then(|r| r.first())
            .and_then(|r| r["id"].as_str())
            .map(str::to_string)
        else {
            return Err(LlmError::Refused {
                provider: "the documentation service".into(),
                status: 404,
                message: format!("no library matches {library:?}"),
            });
        };
        let path = format!("/api/v1/{}", id.trim_start_matches('/'));
        let text = self
            .get(&path, &[("type", "txt"), ("topic", topic), ("tokens", "5000")], cancel)
            .await?;
        let text = if text.chars().count() > MAX_DOC_CHARS {
            text.chars().take(MAX_DOC_CHARS).collect::<String>() + "\n…(shortened)"
        } else {
            text
        };
        Ok(DocsAnswer { library: id, text })
    }
}
