//! Generators: pure functions from a profile to file contents.

mod compose;
mod docker;

use serde::{Deserialize, Serialize};
use slipway_scan::{ProjectProfile, ServiceProfile};

pub use compose::compose_file;
pub use docker::{dockerfile, dockerignore};

/// A file the engine proposes, before it becomes a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    /// The whole file.
    pub content: String,
    /// Why the file exists, in a sentence.
    pub purpose: String,
}

/// Why a generator could not produce its files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// The project has no service to work on.
    #[error("found no service to containerize in {0}: no package.json or other manifest Slipway knows")]
    NoService(String),
    /// The stack is detected but this generator does not cover it yet.
    #[error(
        "Slipway cannot containerize the {language} service {service:?} yet: only Node.js services are covered so far"
    )]
    Unsupported {
        /// The service.
        service: String,
        /// Its language.
        language: String,
    },
}

/// Joins a service folder and a file name.
pub fn service_file(service: &ServiceProfile, name: &str) -> String {
    if service.path == "." || service.path.is_empty() {
        name.to_string()
    } else {
        format!("{}/{name}", service.path)
    }
}

/// Dockerfile and .dockerignore for every service, and one compose file for all of them.
pub fn containerize(profile: &ProjectProfile) -> Result<Vec<Artifact>, GenerateError> {
    if profile.services.is_empty() {
        return Err(GenerateError::NoService(profile.root.clone()));
    }
    let mut artifacts = Vec::new();
    for service in &profile.services {
        let language = service.language.clone().unwrap_or_else(|| "unknown".into());
        if language != "node" {
            return Err(GenerateError::Unsupported {
                service: service.name.clone(),
                language,
            });
        }
        artifacts.push(Artifact {
            path: service_file(service, "Dockerfile"),
            content: dockerfile(service),
            purpose: format!("builds a small production image of {}", service.name),
        });
        artifacts.push(Artifact {
            path: service_file(service, ".dockerignore"),
            content: dockerignore(service),
            purpose: "keeps dependencies, build output, git data and secrets out of the build context".into(),
        });
    }
    artifacts.extend(compose_file(profile));
    Ok(artifacts)
}
