//! Language-model providers for Slipway's optional LLM brain.
//!
//! Two wire protocols cover the field: OpenAI-compatible chat completions with tool calls
//! (OpenAI, OpenRouter, Groq, vLLM, LM Studio, llama.cpp's server, Ollama) and Anthropic's
//! Messages API with tool use. Both are streamed (server-sent events) and assembled into one
//! neutral [`Turn`]: the model's text, its tool calls, why it stopped, and the tokens it used.
//!
//! Design decisions:
//! - The key is a [`Secret`]: it goes into the auth header and nowhere else. Its `Debug` is
//!   redacted, it is never logged, and it is never part of a request body.
//! - Failures a wait can fix (429, 5xx, 529, a cut stream, a stall, a refused connection) are
//!   retried with exponential backoff, honouring `Retry-After`, up to [`Limits::attempts`];
//!   the last failure is reported in words. Others (401, 400…) are reported at once.
//! - Every wait (connect, each chunk, each backoff) races a [`Cancel`], so a person's click
//!   stops a run within milliseconds, and an idle timeout bounds how long a silent server can
//!   hold it.
//! - Nothing here knows about Slipway's tools or files: the agent loop lives in `slipway-api`.
#![deny(missing_docs)]

mod anthropic;
mod client;
pub mod docs;
mod openai;
mod sse;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use client::{is_local_url, Client};
pub use docs::DocsService;

/// Which wire protocol a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// OpenAI-compatible chat completions (`POST {base}/chat/completions`, bearer key).
    OpenAi,
    /// Anthropic Messages (`POST {base}/v1/messages`, `x-api-key`).
    Anthropic,
}

impl ProviderKind {
    /// The provider's name as settings and the command line spell it.
    pub fn id(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Anthropic => "anthropic",
        }
    }
    /// Parses `openai` or `anthropic`.
    pub fn parse(s: &str) -> Option<ProviderKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "openai" | "openai-compatible" => Some(ProviderKind::OpenAi),
            "anthropic" => Some(ProviderKind::Anthropic),
            _ => None,
        }
    }
    /// The public endpoint used when no base URL is set.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "https://api.openai.com/v1",
            ProviderKind::Anthropic => "https://api.anthropic.com",
        }
    }
    /// The model used when none is set.
    pub fn default_model(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "gpt-4.1",
            ProviderKind::Anthropic => "claude-sonnet-4-5",
        }
    }
}

/// A key or token. Shown as `***` by `Debug`; read it only to build the auth header.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a key, trimming whitespace a paste may have added.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into().trim().to_string())
    }
    /// The key itself, for the auth header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// True when no key was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The key masked for display: its last four characters at most, for keys long enough
    /// that four characters give nothing away.
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        if n >= 16 {
            let tail: String = self.0.chars().skip(n - 4).collect();
            format!("••••{tail}")
        } else {
            "••••".to_string()
        }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How patient a client is.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Requests per turn, the first included.
    pub attempts: u32,
    /// First backoff; doubled after each failure.
    pub backoff: Duration,
    /// Longest single wait, whatever `Retry-After` asks for.
    pub max_wait: Duration,
    /// Longest silence from the server (to the headers, and between chunks).
    pub idle_timeout: Duration,
    /// Time to open the connection.
    pub connect_timeout: Duration,
    /// Tokens the model may write per turn.
    pub max_output_tokens: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            attempts: 5,
            backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(90),
            connect_timeout: Duration::from_secs(15),
            max_output_tokens: 8192,
        }
    }
}

/// Where and how to reach a model.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// The wire protocol.
    pub kind: ProviderKind,
    /// The endpoint, without the protocol's path (`https://api.openai.com/v1`,
    /// `http://127.0.0.1:11434/v1`, `https://api.anthropic.com`).
    pub base_url: String,
    /// The model's name.
    pub model: String,
    /// The key (may be empty for local servers that need none).
    pub key: Secret,
    /// Patience.
    pub limits: Limits,
}

/// A tool the model may call.
#[derive(Debug, Clone, Serialize)]
pub struct ToolSpec {
    /// Its name.
    pub name: String,
    /// What it does, for the model.
    pub description: String,
    /// Its arguments as a JSON Schema object.
    pub parameters: serde_json::Value,
}

/// A tool call the model made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id for the call; the result must carry it back.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments as the model wrote them: JSON text, possibly malformed.
    pub arguments: String,
}

/// The result of one tool call, sent back to the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolResult {
    /// The call's id.
    pub id: String,
    /// What the tool returned, or the error in words.
    pub content: String,
    /// True when the tool refused or failed.
    pub is_error: bool,
}

/// One message of the conversation, in neutral form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    /// The person's (or the runner's) words.
    User(String),
    /// What the model said and the tools it called.
    Assistant {
        /// Its text.
        text: String,
        /// Its tool calls.
        calls: Vec<ToolCall>,
    },
    /// Results of the previous turn's tool calls.
    ToolResults(Vec<ToolResult>),
}

/// Why a turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// The model finished.
    End,
    /// The model wants tool results.
    ToolUse,
    /// The per-turn output cap was reached.
    MaxTokens,
    /// Anything else the provider said.
    Other,
}

/// Tokens used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Tokens sent (prompt).
    pub input_tokens: u64,
    /// Tokens received (completion).
    pub output_tokens: u64,
    /// Requests that got a reply, retries included.
    pub requests: u32,
}

impl Usage {
    /// Adds another count.
    pub fn add(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.requests += other.requests;
    }
    /// Input and output together.
    pub fn total(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }
}

/// One reply of the model, assembled from its stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Its text.
    pub text: String,
    /// Its tool calls, in order.
    pub calls: Vec<ToolCall>,
    /// Why it stopped.
    pub stop: StopReason,
    /// Tokens this turn used.
    pub usage: Usage,
}

/// Why a turn failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// The person cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The settings cannot work.
    #[error("{0}")]
    Config(String),
    /// The provider refused the key.
    #[error(
        "{provider} refused the API key (HTTP {status}): {message}. Check the key in Settings, or SLIPWAY_API_KEY"
    )]
    Unauthorized {
        /// Provider name.
        provider: String,
        /// HTTP status.
        status: u16,
        /// What it said.
        message: String,
    },
    /// The provider refused the request for a reason a retry will not change.
    #[error("{provider} refused the request (HTTP {status}): {message}")]
    Refused {
        /// Provider name.
        provider: String,
        /// HTTP status.
        status: u16,
        /// What it said.
        message: String,
    },
    /// Transient failures continued through every attempt.
    #[error("{provider} at {url} failed {attempts} times in a row; last: {last}. Try again later or check the provider's status")]
    GaveUp {
        /// Provider name.
        provider: String,
        /// The endpoint.
        url: String,
        /// Requests made.
        attempts: u32,
        /// The last failure in words.
        last: String,
    },
    /// The stream did not follow the protocol.
    #[error("{provider} sent a reply Slipway could not read: {message}")]
    Protocol {
        /// Provider name.
        provider: String,
        /// What was wrong.
        message: String,
    },
}

/// A cancellation flag shared between a run and whoever may stop it.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<CancelInner>);

#[derive(Debug, Default)]
struct CancelInner {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Cancel {
    /// A new, uncancelled flag.
    pub fn new() -> Cancel {
        Cancel::default()
    }
    /// Stops everything waiting on this flag.
    pub fn cancel(&self) {
        self.0.flag.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }
    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.flag.load(Ordering::SeqCst)
    }
    /// Resolves when cancelled.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}
