//! Generators: pure functions from a profile to file contents.

mod compose;
pub mod dockerfile;
mod ignore;
pub(crate) mod improve;
mod node;
mod stacks;

use serde::{Deserialize, Serialize};
use slipway_scan::{ProjectProfile, ServiceProfile};

pub use compose::{compose_dev, compose_file};
pub use ignore::dockerignore;
pub use improve::{improve_compose, improve_dockerfile};
pub use node::dockerfile;

/// A file the engine proposes, before it becomes a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    /// The whole file.
    pub content: String,
    /// Why the file exists, in a sentence.
    pub purpose: String,
    /// The todo step it belongs to (`dockerfile`, `pipeline`, `platform`, ...): the runner
    /// files each artifact under its step, whatever the file is called.
    #[serde(default)]
    pub step: String,
}

/// Why a generator could not produce its files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// The project has no service to work on.
    #[error("found no service to containerize in {0}: no package.json or other manifest Slipway knows")]
    NoService(String),
    /// The stack is detected but this generator does not cover it yet.
    #[error(
        "Slipway cannot containerize the {language} service {service:?} yet: Node.js, Bun, Deno, Python, Go, Rust, Java and Kotlin (Maven, Gradle), Clojure, .NET, Ruby, PHP, Elixir, Gleam, Crystal, Dart, Swift, Haskell, Erlang (rebar3), C and C++ (CMake, Meson) and static sites are covered so far"
    )]
    Unsupported {
        /// The service.
        service: String,
        /// Its language.
        language: String,
    },
    /// A Node.js service this generator does not package yet (a workspace member, a static
    /// site, a Bun service).
    #[error("Slipway cannot containerize {service:?} yet: {why}")]
    NotYet {
        /// The service.
        service: String,
        /// What makes it different, in words.
        why: String,
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

/// What "containerize" produced: the files, and the services it left out, each with why.
#[derive(Debug, Clone)]
pub struct Containerized {
    /// Dockerfiles and their companions for every covered service, and one compose file.
    pub artifacts: Vec<Artifact>,
    /// Services Slipway cannot package yet, with the reason in words.
    pub left_out: Vec<(String, GenerateError)>,
}

/// Dockerfile and .dockerignore for every service it covers, and one compose file for all of
/// them. Services it does not cover yet are left out with the reason; when none is covered,
/// the first reason is the error.
pub fn containerize(profile: &ProjectProfile) -> Result<Containerized, GenerateError> {
    if profile.services.is_empty() {
        return Err(GenerateError::NoService(profile.root.clone()));
    }
    let mut artifacts = Vec::new();
    let mut left_out = Vec::new();
    let mut covered = profile.clone();
    covered.services.clear();
    for service in &profile.services {
        match service_files(service) {
            Ok(files) => {
                artifacts.extend(files);
                covered.services.push(service.clone());
            }
            Err(e) => left_out.push((service.path.clone(), e)),
        }
    }
    if covered.services.is_empty() {
        return Err(left_out.remove(0).1);
    }
    artifacts.extend(compose_file(&covered));
    artifacts.extend(compose_dev(&covered));
    Ok(Containerized { artifacts, left_out })
}

/// The runtime image the generated Dockerfile of `service` would run on (its last stage's
/// base), for the research step to name what it chose.
pub fn base_image(service: &ServiceProfile) -> Option<String> {
    image(service).ok()?.image.runtime_base().map(str::to_string)
}

/// The image the generated Dockerfile of `service` builds on (its first stage's base), so that
/// a pipeline's toolchain is the Dockerfile's.
pub fn build_image(service: &ServiceProfile) -> Option<String> {
    image(service).ok()?.image.build_base().map(str::to_string)
}

/// A service's image as a value, with the files it needs beside the Dockerfile.
pub struct Planned {
    /// The Dockerfile.
    pub image: dockerfile::Dockerfile,
    /// True when it builds from a workspace root.
    pub member: bool,
    /// Files the image needs (an nginx.conf).
    pub extra: Vec<Artifact>,
}

/// The image of one service as a value, or why Slipway cannot describe it yet.
pub fn image(service: &ServiceProfile) -> Result<Planned, GenerateError> {
    let language = service.language.clone().unwrap_or_else(|| "unknown".into());
    let not_yet = |why: String| GenerateError::NotYet {
        service: service.name.clone(),
        why,
    };
    let mut extra = Vec::new();
    if service.kind != "static" && service.start_command.is_none() {
        return Err(not_yet(
            "its start command is unknown; set start_command in slipway.toml".into(),
        ));
    }
    if let Some(ws) = service.workspace.as_ref().filter(|w| w.tool != "go") {
        // Members build from the workspace root; a Go module in a go.work builds on its own.
        let content = match (language.as_str(), service.kind.as_str(), ws.tool.as_str()) {
            ("node", "static", _) => {
                extra.push(Artifact {
                    path: service_file(service, "nginx.conf"),
                    content: stacks::nginx_conf(service),
                    purpose: "serves the static files, with a health endpoint and long caching of hashed assets".into(),
                    step: "dockerfile".into(),
                });
                let (image, _, install) = node::node_build_parts(service);
                stacks::static_member(service, &image, &install)
            }
            ("node", _, _) => {
                let (image, _, _) = node::node_build_parts(service);
                stacks::node_member(service, &image)
            }
            ("rust", _, "cargo") => stacks::rust(service),
            // A Bun workspace whose root is the app: the members are its local packages.
            ("bun", _, _) if service.path == "." => stacks::bun(service),
            ("java" | "kotlin", _, "maven" | "gradle") => stacks::jvm_member(service),
            _ => {
                return Err(not_yet(format!(
                    "it is a member of a {} workspace at {}, and images built from that kind of workspace root are not covered so far",
                    ws.tool, ws.root
                )))
            }
        };
        let mut content = content;
        if let Some(folder) = service.data_path.as_deref().filter(|_| service.kind != "static") {
            content.data_folder(folder);
        }
        return Ok(Planned {
            image: content,
            member: true,
            extra,
        });
    }
    let content = match (language.as_str(), service.kind.as_str()) {
        ("node", "static") | ("static", "static") => {
            let framework = service.framework.as_deref().unwrap_or("static");
            if ["hugo", "jekyll", "flutter"].contains(&framework) {
                return Err(not_yet(format!(
                    "static sites built with {framework} are not covered so far"
                )));
            }
            extra.push(Artifact {
                path: service_file(service, "nginx.conf"),
                content: stacks::nginx_conf(service),
                purpose: "serves the static files, with a health endpoint and long caching of hashed assets".into(),
                step: "dockerfile".into(),
            });
            if language == "node" {
                let (image, manifests, install) = node::node_build_parts(service);
                stacks::static_site(service, Some((&image, &manifests, &install)))
            } else {
                stacks::static_site(service, None)
            }
        }
        ("node", _) => dockerfile(service),
        ("python", _) => stacks::python(service),
        ("go", _) => stacks::go(service),
        ("rust", _) => stacks::rust(service),
        ("java" | "kotlin", _) if matches!(service.package_manager.as_deref(), Some("maven" | "gradle")) => {
            stacks::jvm(service)
        }
        ("csharp" | "fsharp", _) => stacks::dotnet(service),
        ("ruby", _) => stacks::ruby(service),
        ("php", _) => stacks::php(service),
        ("bun", _) => stacks::bun(service),
        ("deno", _) => stacks::deno(service),
        ("elixir", _) => stacks::elixir(service),
        ("clojure", _) => stacks::clojure(service),
        ("gleam", _) => stacks::gleam(service),
        ("crystal", _) => stacks::crystal(service),
        ("dart", _) => stacks::dart(service),
        ("swift", _) => stacks::swift(service),
        ("haskell", _) => stacks::haskell(service),
        ("erlang", _) => stacks::erlang(service),
        ("c" | "cpp", _) => {
            // A find_package or dependency() library must be installed in the build stage, and
            // which Debian package provides it is not something Slipway can know.
            let tool = if service.package_manager.as_deref() == Some("meson") {
                "Meson"
            } else {
                "CMake"
            };
            if let Some(dep) = service.evidence.iter().find(|e| e.reason.starts_with("depends on")) {
                return Err(not_yet(format!(
                    "its {tool} build needs libraries ({}) whose packages must be installed in the image by hand",
                    dep.reason
                        .trim_start_matches("depends on ")
                        .split(':')
                        .next()
                        .unwrap_or("")
                )));
            }
            if tool == "Meson" {
                stacks::meson(service)
            } else {
                stacks::cmake(service)
            }
        }
        ("scala", _) => {
            return Err(not_yet(
                "sbt has no official image with a stable tag to build in; write the build stage by hand".into(),
            ))
        }
        _ => {
            return Err(GenerateError::Unsupported {
                service: service.name.clone(),
                language,
            })
        }
    };
    let mut content = content;
    if let Some(folder) = service.data_path.as_deref().filter(|_| service.kind != "static") {
        content.data_folder(folder);
    }
    Ok(Planned {
        image: content,
        member: false,
        extra,
    })
}

fn service_files(service: &ServiceProfile) -> Result<Vec<Artifact>, GenerateError> {
    let planned = image(service)?;
    // A workspace member builds from the workspace root with -f, and BuildKit reads
    // <Dockerfile>.dockerignore beside such a Dockerfile.
    let (ignore, from, context) = if planned.member {
        (
            "Dockerfile.dockerignore",
            " from the workspace root",
            "workspace build context",
        )
    } else {
        (".dockerignore", "", "build context")
    };
    let mut files = vec![
        Artifact {
            path: service_file(service, "Dockerfile"),
            content: planned.image.render(),
            purpose: format!("builds a small production image of {}{from}", service.name),
            step: "dockerfile".into(),
        },
        Artifact {
            path: service_file(service, ignore),
            content: dockerignore(service),
            purpose: format!("keeps dependencies, build output, git data and secrets out of the {context}"),
            step: "dockerignore".into(),
        },
    ];
    files.extend(planned.extra);
    Ok(files)
}

/// Adds the project's own .gitignore entries to a generated .dockerignore: what git does not
/// track (local output, caches, editor files) has no place in a build context either. Entries
/// already present and negations (which would re-include files) are left out.
pub fn merge_gitignore(dockerignore: &str, gitignore: &str) -> String {
    let have: Vec<&str> = dockerignore.lines().map(str::trim).collect();
    let extra: Vec<&str> = gitignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter(|l| {
            let bare = l.trim_start_matches('/').trim_end_matches('/');
            !have
                .iter()
                .any(|h| h.trim_start_matches("**/").trim_end_matches('/') == bare)
        })
        .collect();
    if extra.is_empty() {
        return dockerignore.to_string();
    }
    let mut out = dockerignore.to_string();
    out.push_str("\n# From the project's .gitignore\n");
    for e in extra {
        out.push_str(e);
        out.push('\n');
    }
    out
}

/// Merges the variable names of a generated `.env.example` into the user's own: their lines stay
/// as they are, and only names they lack are added at the end. `None` when nothing is missing.
pub fn merge_env_example(existing: &str, generated: &str) -> Option<String> {
    let name_of = |line: &str| {
        let t = line.trim();
        let t = t.strip_prefix("export ").unwrap_or(t);
        (!t.starts_with('#'))
            .then(|| t.split('=').next().unwrap_or("").trim().to_string())
            .filter(|n| !n.is_empty())
    };
    let have: Vec<String> = existing.lines().filter_map(name_of).collect();
    let missing: Vec<String> = generated
        .lines()
        .filter_map(name_of)
        .filter(|n| !have.contains(n))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut out = existing.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("\n# Added by Slipway: variables compose.yaml reads\n");
    for n in missing {
        out.push_str(&n);
        out.push_str("=\n");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{merge_env_example, merge_gitignore};

    #[test]
    fn gitignore_entries_join_the_dockerignore_once() {
        let docker = "# ours\nnode_modules\n.env\n";
        let merged = merge_gitignore(
            docker,
            "# comment\n/node_modules/\n.env\ncoverage/\n!keep.txt\n*.log\n\n",
        );
        assert!(merged.starts_with(docker));
        assert!(
            merged.ends_with("# From the project's .gitignore\ncoverage/\n*.log\n"),
            "{merged}"
        );
        assert_eq!(
            merge_gitignore(docker, "node_modules\n"),
            docker,
            "nothing new, nothing added"
        );
    }

    #[test]
    fn env_example_merge_keeps_the_users_lines_and_adds_only_missing_names() {
        let mine = "# mine\nDATABASE_URL=postgres://example\nexport REDIS_URL=\n";
        let merged = merge_env_example(mine, "POSTGRES_USER=\nDATABASE_URL=\n").expect("one name is missing");
        assert!(
            merged.starts_with(mine),
            "the user's lines come first, unchanged: {merged}"
        );
        assert!(merged.ends_with("POSTGRES_USER=\n"), "{merged}");
        assert_eq!(
            merged.matches("DATABASE_URL").count(),
            1,
            "a name the user has is not repeated"
        );
        assert_eq!(
            merge_env_example(mine, "REDIS_URL=\n"),
            None,
            "nothing missing, nothing to change"
        );
    }
}
