//! Drift: the project moved on and its deployment files did not. Each finding comes with the
//! fixed file, so the person reviews a patch instead of a warning.
//!
//! Checks (pure functions of the profile and file texts, so they are tested without a disk):
//! - a Dockerfile pins the runtime (`FROM node:20-alpine`) to another version than the project
//!   asks for (`.nvmrc` says 22);
//! - the app needs a database or cache (a new PostgreSQL dependency) that compose lacks;
//! - the app listens on another port than the Dockerfile exposes.

use serde::{Deserialize, Serialize};
use slipway_scan::{ProjectProfile, ServiceProfile};

use crate::generate::{compose_file, service_file};
use crate::knowledge::service_image;

/// One way the deployment files lag behind the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Drift {
    /// Stable id: `<check>:<path>[:<detail>]`.
    pub id: String,
    /// The file that lags.
    pub path: String,
    /// What moved, in words, with where the new fact comes from.
    pub message: String,
    /// The file's content with the fix.
    #[serde(skip)]
    pub fixed: String,
}

/// The runtime's official image, and how many version components its tags pin, for the
/// runtimes whose tags drift is checked on.
fn runtime_image(svc: &ServiceProfile) -> Option<(&'static str, usize)> {
    let image = crate::generate::improve::runtime_image(svc)?;
    let parts = match image {
        "node" | "oven/bun" => 1,
        "python" | "golang" | "ruby" => 2,
        _ => return None,
    };
    Some((image, parts))
}

/// The first `n` dot-separated parts of `v`.
fn components(v: &str, n: usize) -> String {
    v.split('.').take(n).collect::<Vec<_>>().join(".")
}

/// Where the runtime version comes from, for the message.
fn version_source(svc: &ServiceProfile) -> String {
    svc.evidence
        .iter()
        .find(|e| e.reason.contains("asks for") || e.reason.to_lowercase().contains("version"))
        .map(|e| e.file.clone())
        .unwrap_or_else(|| "the project".into())
}

fn dockerfile_runtime(path: &str, text: &str, svc: &ServiceProfile) -> Option<Drift> {
    let (image, parts) = runtime_image(svc)?;
    let want = components(svc.runtime_version.as_deref()?, parts);
    let mut changed = Vec::new();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let mut fixed = None;
        if trimmed.len() > 5 && trimmed[..5].eq_ignore_ascii_case("FROM ") {
            let words: Vec<&str> = trimmed.split_whitespace().collect();
            if let Some(at) = words.iter().skip(1).position(|w| !w.starts_with("--")).map(|p| p + 1) {
                if let Some((name, tag)) = words[at].split_once(':') {
                    let plain = name.trim_start_matches("docker.io/").trim_start_matches("library/");
                    let digits: String = tag.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
                    let have = components(digits.trim_end_matches('.'), parts);
                    if plain == image && !have.is_empty() && !words[at].contains('@') && have != want {
                        // The version part is replaced and the variant kept: 20.11-alpine -> 22-alpine.
                        let version_len = digits.trim_end_matches('.').len();
                        let new_tag = format!("{want}{}", &tag[version_len..]);
                        let change = format!("{name}:{tag} → {name}:{new_tag}");
                        if !changed.contains(&change) {
                            changed.push(change);
                        }
                        fixed = Some(line.replacen(&format!("{name}:{tag}"), &format!("{name}:{new_tag}"), 1));
                    }
                }
            }
        }
        out.push_str(fixed.as_deref().unwrap_or(line));
    }
    if changed.is_empty() {
        return None;
    }
    Some(Drift {
        id: format!("runtime:{path}"),
        path: path.to_string(),
        message: format!(
            "{path} builds on {} but {} asks for {} {want}",
            changed.join(", ").split(" → ").next().unwrap_or_default(),
            version_source(svc),
            svc.language.as_deref().unwrap_or("the runtime"),
        ) + &format!(" (fix: {})", changed.join(", ")),
        fixed: out,
    })
}

fn dockerfile_port(path: &str, text: &str, svc: &ServiceProfile) -> Option<Drift> {
    let port = svc.port?;
    // Only a port known from the code, a script or configuration outranks what the Dockerfile
    // says; a framework's default or the Dockerfile itself does not.
    let evidence = svc.evidence.iter().find(|e| {
        let file = e.file.rsplit('/').next().unwrap_or(&e.file).to_ascii_lowercase();
        e.reason.contains(&format!("port {port}")) && !file.starts_with("dockerfile") && !e.reason.contains("default")
    })?;
    let mut exposed = None;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.len() > 7 && t[..7].eq_ignore_ascii_case("EXPOSE ") {
            let words: Vec<&str> = t.split_whitespace().collect();
            if words.len() == 2 {
                if let Ok(p) = words[1].trim_end_matches("/tcp").parse::<u16>() {
                    if p != port && exposed.is_none() {
                        exposed = Some(p);
                        out.push_str(&line.replacen(words[1], &port.to_string(), 1));
                        continue;
                    }
                }
            }
        }
        out.push_str(line);
    }
    let old = exposed?;
    Some(Drift {
        id: format!("port:{path}"),
        path: path.to_string(),
        message: format!(
            "the app listens on port {port} ({}{}) but {path} exposes {old}",
            evidence.file,
            evidence.line.map(|l| format!(":{l}")).unwrap_or_default()
        ),
        fixed: out,
    })
}

/// The lines of `id`'s service block in a generated compose file.
fn generated_block(profile: &ProjectProfile, id: &str) -> Option<String> {
    let generated = compose_file(profile)
        .into_iter()
        .find(|a| a.path == "compose.yaml")?
        .content;
    let mut lines = generated.lines().skip_while(|l| *l != format!("  {id}:"));
    let first = lines.next()?;
    let mut block = vec![first.to_string()];
    block.extend(lines.take_while(|l| l.starts_with("    ")).map(str::to_string));
    Some(block.join("\n") + "\n")
}

fn compose_services(profile: &ProjectProfile, path: &str, text: &str) -> Vec<Drift> {
    let mut needed: Vec<&str> = profile
        .services
        .iter()
        .flat_map(|s| s.backing_services.iter().map(String::as_str))
        .filter(|id| service_image(id).is_some())
        .collect();
    needed.sort_unstable();
    needed.dedup();
    let mut out = Vec::new();
    for id in needed {
        let img = service_image(id).expect("filtered above");
        let repo = img.image.split(':').next().unwrap_or(img.image);
        let present = text.lines().any(|l| {
            let t = l.trim();
            t == format!("{id}:")
                || t.starts_with("image:") && t.contains(&format!("{repo}:"))
                || t.starts_with("image:") && t.trim_end().ends_with(repo)
        });
        if present {
            continue;
        }
        let Some(block) = generated_block(profile, id) else {
            continue;
        };
        let Some(services_at) = text.lines().position(|l| l.trim_end() == "services:") else {
            continue;
        };
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let insert_at = services_at + 1;
        let mut new_lines: Vec<String> = block.lines().map(str::to_string).collect();
        new_lines.insert(0, format!("  # Slipway: {id} added because the app now depends on it"));
        for (i, l) in new_lines.into_iter().enumerate() {
            lines.insert(insert_at + i, l);
        }
        let volume = format!("  {id}-data:");
        if !lines.iter().any(|l| l.trim_end() == volume) {
            match lines.iter().position(|l| l.trim_end() == "volumes:") {
                Some(at) => lines.insert(at + 1, volume),
                None => {
                    lines.push("volumes:".into());
                    lines.push(volume);
                }
            }
        }
        let who: Vec<String> = profile
            .services
            .iter()
            .filter(|s| s.backing_services.iter().any(|b| b == id))
            .map(|s| s.name.clone())
            .collect();
        out.push(Drift {
            id: format!("compose:{path}:{id}"),
            path: path.to_string(),
            message: format!(
                "{} now needs {id}, which {path} does not run (fix: add an {} service with a health check and a volume; point the app at it with its URL in .env)",
                who.join(", "),
                img.image
            ),
            fixed: lines.join("\n") + "\n",
        });
    }
    out
}

/// Every drift between the profile and the deployment files `read` returns (by path relative
/// to the root; `None` when the file does not exist).
pub fn find(profile: &ProjectProfile, read: &dyn Fn(&str) -> Option<String>) -> Vec<Drift> {
    let mut out = Vec::new();
    for svc in &profile.services {
        let path = service_file(svc, "Dockerfile");
        if let Some(text) = read(&path) {
            out.extend(dockerfile_runtime(&path, &text, svc));
            // Port drift is checked on the file as the runtime fix leaves it.
            let base = out
                .iter()
                .find(|d| d.path == path)
                .map(|d| d.fixed.clone())
                .unwrap_or(text);
            if let Some(d) = dockerfile_port(&path, &base, svc) {
                out.push(d);
            }
        }
    }
    for name in [
        "compose.yaml",
        "compose.yml",
        "docker-compose.yaml",
        "docker-compose.yml",
    ] {
        if let Some(text) = read(name) {
            out.extend(compose_services(profile, name, &text));
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn profile(files: &[(&str, &str)]) -> ProjectProfile {
        let view =
            slipway_scan::ProjectView::in_memory(files.iter().map(|(p, c)| (p.to_string(), c.as_bytes().to_vec())));
        slipway_scan::scan_view(&view, Vec::new())
    }

    fn drifts(files: &[(&str, &str)]) -> Vec<Drift> {
        let p = profile(files);
        let map: BTreeMap<String, String> = files.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        find(&p, &|path| map.get(path).cloned())
    }

    const PKG: &str =
        r#"{"name": "api", "scripts": {"start": "node server.js"}, "dependencies": {"express": "5.1.0"}}"#;
    const SERVER: &str = "const app = require('express')();\napp.listen(Number(process.env.PORT || 3000));\n";
    const DOCKERFILE: &str =
        "FROM node:20-alpine AS build\nWORKDIR /app\nFROM node:20-alpine\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n";

    #[test]
    fn a_moved_runtime_version_is_patched_in_every_stage() {
        let d = drifts(&[
            ("package.json", PKG),
            ("server.js", SERVER),
            (".nvmrc", "22\n"),
            ("Dockerfile", DOCKERFILE),
        ]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id, "runtime:Dockerfile");
        assert_eq!(
            d[0].message,
            "Dockerfile builds on node:20-alpine but .nvmrc asks for node 22 (fix: node:20-alpine → node:22-alpine)"
        );
        assert_eq!(d[0].fixed, DOCKERFILE.replace("node:20-alpine", "node:22-alpine"));
        assert!(
            drifts(&[
                ("package.json", PKG),
                ("server.js", SERVER),
                (".nvmrc", "20\n"),
                ("Dockerfile", DOCKERFILE)
            ])
            .is_empty(),
            "in step: no drift"
        );
    }

    #[test]
    fn a_changed_port_and_a_new_database_are_patched() {
        let server = SERVER.replace("3000", "4000");
        let pkg = PKG.replace(r#""express": "5.1.0""#, r#""express": "5.1.0", "pg": "8.16.0""#);
        let compose = "services:\n  api:\n    build: .\n    ports:\n      - \"3000:3000\"\n";
        let d = drifts(&[
            ("package.json", &pkg),
            ("server.js", &server),
            (".nvmrc", "20\n"),
            ("Dockerfile", DOCKERFILE),
            ("compose.yaml", compose),
        ]);
        let ids: Vec<&str> = d.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(ids, ["port:Dockerfile", "compose:compose.yaml:postgres"], "{d:?}");
        assert!(
            d[0].message.contains("listens on port 4000 (server.js:2)"),
            "{}",
            d[0].message
        );
        assert!(d[0].fixed.contains("EXPOSE 4000\n") && !d[0].fixed.contains("EXPOSE 3000"));
        let fixed = &d[1].fixed;
        assert!(
            fixed.contains("\n  postgres:\n    image: postgres:18-alpine\n"),
            "{fixed}"
        );
        assert!(fixed.contains("volumes:\n  postgres-data:"), "{fixed}");
        assert!(fixed.contains("  api:\n    build: ."), "the person's services stay");
        let parsed: serde_yaml_ng::Value = serde_yaml_ng::from_str(fixed).expect("still YAML");
        assert!(parsed["services"]["postgres"]["healthcheck"].is_mapping());
    }
}
