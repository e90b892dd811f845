//! Which brain runs tasks, as the person set it. Kept as JSON in the app's config folder; keys
//! are never part of it (they live in the OS keychain, see [`crate::keychain`]).

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use slipway_llm::{Client, DocsService, Limits, ProviderConfig, ProviderKind, Secret};

use crate::{ApiError, Brain, LlmSettings};

/// The brain settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BrainSettings {
    /// `builtin`, `openai` or `anthropic`.
    pub provider: String,
    /// The provider's endpoint; its public one when unset.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The model; a current default when unset.
    #[serde(default)]
    pub model: Option<String>,
    /// A Context7-compatible documentation service; none when unset.
    #[serde(default)]
    pub docs_url: Option<String>,
}

impl Default for BrainSettings {
    fn default() -> Self {
        BrainSettings {
            provider: "builtin".into(),
            base_url: None,
            model: None,
            docs_url: None,
        }
    }
}

/// The settings and whether keys are stored, for the settings panel. Keys are shown masked.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BrainStatus {
    /// The settings.
    pub settings: BrainSettings,
    /// The stored provider key, masked, when there is one.
    pub key: Option<String>,
    /// The stored documentation key, masked, when there is one.
    pub docs_key: Option<String>,
    /// Why the keychain could not be read, when it could not.
    pub keychain_error: Option<String>,
}

fn clean(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl BrainSettings {
    /// Reads the settings file; a missing or unreadable file gives the built-in engine (and a
    /// warning for an unreadable one).
    pub fn load(path: &Path) -> BrainSettings {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), "the settings file is not valid ({e}); using the built-in engine");
                BrainSettings::default()
            }),
            Err(_) => BrainSettings::default(),
        }
    }

    /// Writes the settings file atomically.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(self).unwrap_or_default() + "\n")?;
        std::fs::rename(tmp, path)
    }

    /// The provider, or `None` for the built-in engine.
    pub fn kind(&self) -> Result<Option<ProviderKind>, ApiError> {
        match self.provider.trim() {
            "" | "builtin" | "built-in" => Ok(None),
            other => ProviderKind::parse(other).map(Some).ok_or_else(|| {
                ApiError::Llm(slipway_llm::LlmError::Config(format!(
                    "unknown provider {other:?}: use builtin, openai (any OpenAI-compatible server) or anthropic"
                )))
            }),
        }
    }

    /// The brain these settings describe, with keys from wherever the front end keeps them.
    pub fn brain(&self, key: Option<Secret>, docs_key: Option<Secret>) -> Result<Brain, ApiError> {
        let Some(kind) = self.kind()? else {
            return Ok(Brain::Builtin);
        };
        let base_url = clean(&self.base_url).unwrap_or(kind.default_base_url()).to_string();
        let key = key.unwrap_or_default();
        if key.is_empty() && !slipway_llm::is_local_url(&base_url) {
            return Err(ApiError::Llm(slipway_llm::LlmError::Config(format!(
                "no API key for {} at {base_url}: add it in Settings (it is kept in the OS keychain) or set {}",
                kind.id(),
                crate::keychain::KEY_ENV
            ))));
        }
        let client = Client::new(ProviderConfig {
            kind,
            base_url,
            model: clean(&self.model).unwrap_or(kind.default_model()).to_string(),
            key,
            limits: Limits::default(),
        })?;
        let docs = match clean(&self.docs_url) {
            Some(url) => Some(DocsService::new(
                url,
                docs_key.unwrap_or_default(),
                Duration::from_secs(30),
            )?),
            None => None,
        };
        Ok(Brain::Llm(Box::new(LlmSettings::new(client, docs))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_required_for_remote_providers_only() {
        let s = |provider: &str, base: Option<&str>| BrainSettings {
            provider: provider.into(),
            base_url: base.map(str::to_string),
            ..BrainSettings::default()
        };
        assert!(matches!(s("builtin", None).brain(None, None), Ok(Brain::Builtin)));
        let err = s("openai", None).brain(None, None).unwrap_err().to_string();
        assert!(
            err.contains("no API key for openai at https://api.openai.com/v1"),
            "{err}"
        );
        assert!(
            s("openai", Some("http://127.0.0.1:11434/v1")).brain(None, None).is_ok(),
            "Ollama needs no key"
        );
        assert!(s("openai", Some("http://localhost:1234/v1")).brain(None, None).is_ok());
        assert!(s("anthropic", None)
            .brain(Some(Secret::new("sk-ant-xxxxxxxxxxxxxxxx")), None)
            .is_ok());
        let err = s("gemini", None).brain(None, None).unwrap_err().to_string();
        assert!(err.contains("unknown provider \"gemini\""), "{err}");
    }
}
