//! One client per provider: sends a turn, streams the reply, retries what a wait can fix.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;

use crate::openai::short;
use crate::sse::Parser;
use crate::{anthropic, openai, Cancel, LlmError, Message, ProviderConfig, ProviderKind, ToolSpec, Turn};

/// A failure inside a stream.
pub(crate) enum StreamError {
    /// A retry may succeed.
    Transient(String),
    /// The reply cannot be read.
    Fatal(String),
}

/// What one attempt came to.
enum Attempt {
    Cancelled,
    Fatal(LlmError),
    Retry { message: String, after: Option<Duration> },
}

/// A client for one provider.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    cfg: ProviderConfig,
    url: String,
}

enum Assembler {
    OpenAi(openai::Assembler),
    Anthropic(anthropic::Assembler),
}

/// Checks that `base` is an http(s) URL, and that a key would not travel in clear text to a
/// machine elsewhere.
pub(crate) fn check_url(base: &str, has_key: bool, what: &str) -> Result<reqwest::Url, LlmError> {
    let url = reqwest::Url::parse(base.trim())
        .map_err(|e| LlmError::Config(format!("the {what} base URL {base:?} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            if has_key && !is_local(&url) {
                return Err(LlmError::Config(format!(
                    "refusing to send the API key over plain http to {}; use an https URL (plain http is allowed for this machine and private networks only)",
                    url.host_str().unwrap_or("?")
                )));
            }
        }
        other => {
            return Err(LlmError::Config(format!(
                "the {what} base URL {base:?} uses {other}:, Slipway speaks http and https only"
            )))
        }
    }
    Ok(url)
}

/// True when `url` names this machine or a private network (`localhost`, loopback and private
/// addresses), where plain http and keyless servers are fine.
pub(crate) fn is_local(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_private(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// [`is_local`] for a URL given as text; text that is not a URL is not local.
pub fn is_local_url(url: &str) -> bool {
    reqwest::Url::parse(url.trim()).is_ok_and(|u| is_local(&u))
}

/// How long `Retry-After` (seconds or an HTTP date) or `retry-after-ms` asks to wait.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
    {
        return Some(Duration::from_secs_f64(ms.max(0.0) / 1000.0));
    }
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return Some(Duration::from_secs_f64(secs.max(0.0)));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or_default())
}

/// The `message` of a provider's JSON error body, or the body itself, shortened.
pub(crate) fn error_message(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    v["error"]["message"]
        .as_str()
        .or(v["message"].as_str())
        .or(v["error"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| {
            let t = short(body.trim());
            if t.is_empty() {
                "no details".into()
            } else {
                t
            }
        })
}

impl Client {
    /// A client for `cfg`, after checking the settings.
    pub fn new(cfg: ProviderConfig) -> Result<Client, LlmError> {
        if cfg.model.trim().is_empty() {
            return Err(LlmError::Config("no model is set: name the model to use".into()));
        }
        let base = check_url(&cfg.base_url, !cfg.key.is_empty(), cfg.kind.id())?;
        let base = base.as_str().trim_end_matches('/').to_string();
        let url = match cfg.kind {
            ProviderKind::OpenAi => format!("{base}/chat/completions"),
            ProviderKind::Anthropic if base.ends_with("/v1") => format!("{base}/messages"),
            ProviderKind::Anthropic => format!("{base}/v1/messages"),
        };
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.limits.connect_timeout)
            .user_agent(concat!("slipway/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LlmError::Config(format!("cannot set up HTTP: {e}")))?;
        Ok(Client { http, cfg, url })
    }

    /// The endpoint turns are posted to.
    pub fn endpoint(&self) -> &str {
        &self.url
    }

    /// The settings.
    pub fn config(&self) -> &ProviderConfig {
        &self.cfg
    }

    fn provider(&self) -> String {
        match self.cfg.kind {
            ProviderKind::OpenAi => "the OpenAI-compatible provider".into(),
            ProviderKind::Anthropic => "Anthropic".into(),
        }
    }

    /// Sends the conversation and returns the model's next turn.
    pub async fn turn(
        &self,
        system: &str,
        messages: &[Message],
        tools: &[ToolSpec],
        cancel: &Cancel,
    ) -> Result<Turn, LlmError> {
        let body = match self.cfg.kind {
            ProviderKind::OpenAi => openai::body(
                &self.cfg.model,
                system,
                messages,
                tools,
                self.cfg.limits.max_output_tokens,
            ),
            ProviderKind::Anthropic => anthropic::body(
                &self.cfg.model,
                system,
                messages,
                tools,
                self.cfg.limits.max_output_tokens,
            ),
        };
        let body = serde_json::to_vec(&body).map_err(|e| LlmError::Config(e.to_string()))?;
        let attempts = self.cfg.limits.attempts.max(1);
        let mut backoff = self.cfg.limits.backoff;
        let mut last = String::new();
        let mut failed_requests = 0;
        for attempt in 1..=attempts {
            if cancel.is_cancelled() {
                return Err(LlmError::Cancelled);
            }
            match self.once(&body, cancel).await {
                Ok(mut turn) => {
                    turn.usage.requests += failed_requests;
                    return Ok(turn);
                }
                Err(Attempt::Cancelled) => return Err(LlmError::Cancelled),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry { message, after }) => {
                    failed_requests += 1;
                    last = message;
                    if attempt == attempts {
                        break;
                    }
                    let delay = after.unwrap_or(backoff).min(self.cfg.limits.max_wait);
                    tracing::warn!(
                        "{}: {last}; retrying in {:.1} s (attempt {} of {attempts})",
                        self.provider(),
                        delay.as_secs_f64(),
                        attempt + 1
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = cancel.cancelled() => return Err(LlmError::Cancelled),
                    }
                    backoff = backoff.saturating_mul(2);
                }
            }
        }
        Err(LlmError::GaveUp {
            provider: self.provider(),
            url: self.url.clone(),
            attempts,
            last,
        })
    }

    async fn once(&self, body: &[u8], cancel: &Cancel) -> Result<Turn, Attempt> {
        let idle = self.cfg.limits.idle_timeout;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        let key = self.cfg.key.expose();
        let bad_key = || {
            Attempt::Fatal(LlmError::Config(
                "the API key contains characters a header cannot carry".into(),
            ))
        };
        match self.cfg.kind {
            ProviderKind::OpenAi if !key.is_empty() => {
                let mut v = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| bad_key())?;
                v.set_sensitive(true);
                headers.insert(AUTHORIZATION, v);
            }
            ProviderKind::Anthropic => {
                headers.insert("anthropic-version", HeaderValue::from_static(anthropic::VERSION));
                if !key.is_empty() {
                    let mut v = HeaderValue::from_str(key).map_err(|_| bad_key())?;
                    v.set_sensitive(true);
                    headers.insert("x-api-key", v);
                }
            }
            _ => {}
        }
        let send = self.http.post(&self.url).headers(headers).body(body.to_vec()).send();
        let resp = tokio::select! {
            r = tokio::time::timeout(idle, send) => r,
            _ = cancel.cancelled() => return Err(Attempt::Cancelled),
        };
        let mut resp = match resp {
            Err(_) => {
                return Err(Attempt::Retry {
                    message: format!("no reply within {} s", idle.as_secs_f64()),
                    after: None,
                })
            }
            Ok(Err(e)) => {
                let what = if e.is_connect() {
                    "could not connect"
                } else {
                    "the request failed"
                };
                return Err(Attempt::Retry {
                    message: format!("{what}: {}", describe(&e)),
                    after: None,
                });
            }
            Ok(Ok(r)) => r,
        };
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let after = retry_after(resp.headers());
            let text = tokio::select! {
                t = tokio::time::timeout(idle, resp.text()) => t.ok().and_then(Result::ok).unwrap_or_default(),
                _ = cancel.cancelled() => return Err(Attempt::Cancelled),
            };
            let message = error_message(&text);
            return Err(match status {
                429 | 500..=599 => Attempt::Retry {
                    message: format!("HTTP {status}: {message}"),
                    after,
                },
                401 | 403 => Attempt::Fatal(LlmError::Unauthorized {
                    provider: self.provider(),
                    status,
                    message,
                }),
                _ => Attempt::Fatal(LlmError::Refused {
                    provider: self.provider(),
                    status,
                    message,
                }),
            });
        }
        let mut parser = Parser::default();
        let mut asm = match self.cfg.kind {
            ProviderKind::OpenAi => Assembler::OpenAi(openai::Assembler::default()),
            ProviderKind::Anthropic => Assembler::Anthropic(anthropic::Assembler::default()),
        };
        loop {
            let chunk = tokio::select! {
                c = tokio::time::timeout(idle, resp.chunk()) => c,
                _ = cancel.cancelled() => return Err(Attempt::Cancelled),
            };
            let bytes = match chunk {
                Err(_) => {
                    return Err(Attempt::Retry {
                        message: format!(
                            "the provider went silent for {} s in the middle of a reply",
                            idle.as_secs_f64()
                        ),
                        after: None,
                    })
                }
                Ok(Err(e)) => {
                    return Err(Attempt::Retry {
                        message: format!("the reply stream was cut: {}", describe(&e)),
                        after: None,
                    })
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(b))) => b,
            };
            for event in parser.push(&bytes) {
                let r = match &mut asm {
                    Assembler::OpenAi(a) => a.event(&event),
                    Assembler::Anthropic(a) => a.event(&event),
                };
                match r {
                    Ok(()) => {}
                    Err(StreamError::Transient(message)) => return Err(Attempt::Retry { message, after: None }),
                    Err(StreamError::Fatal(message)) => {
                        return Err(Attempt::Fatal(LlmError::Protocol {
                            provider: self.provider(),
                            message,
                        }))
                    }
                }
            }
            let complete = match &asm {
                Assembler::OpenAi(a) => a.complete(),
                Assembler::Anthropic(a) => a.complete(),
            };
            if complete {
                break;
            }
        }
        let turn = match asm {
            Assembler::OpenAi(a) => a.finish(),
            Assembler::Anthropic(a) => a.finish(),
        };
        turn.ok_or(Attempt::Retry {
            message: "the reply stream ended before the reply was complete".into(),
            after: None,
        })
    }
}

/// A reqwest error in words, with its causes.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(c) = source {
        s.push_str(": ");
        s.push_str(&c.to_string());
        source = c.source();
    }
    s
}
