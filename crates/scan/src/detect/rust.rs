//! Rust crates and Cargo workspaces: Axum, Actix Web, Rocket, warp, Poem.

use super::{Cx, Dep, Detected, Found, Trust, Workspace};
use crate::view::{join, line_of};
use crate::Evidence;

const EXTS: &[&str] = &[".rs"];

pub(crate) fn detect(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "Cargo.toml");
    let Some((text, doc)) = cx.toml(&path) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if let Some(ws) = doc.get("workspace") {
        let members: Vec<String> = ws
            .get("members")
            .and_then(|m| m.as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        found.push(Found::Workspace(Workspace {
            dir: dir.to_string(),
            tool: "cargo".into(),
            members: members.clone(),
            lockfile: cx.is_file(&join(dir, "Cargo.lock")).then(|| join(dir, "Cargo.lock")),
            package_manager: Some("cargo".into()),
            install_command: Some(
                if cx.is_file(&join(dir, "Cargo.lock")) {
                    "cargo fetch --locked"
                } else {
                    "cargo fetch"
                }
                .into(),
            ),
            runtime_version: None,
            evidence: Evidence {
                file: path.clone(),
                line: line_of(&text, "[workspace]"),
                reason: format!("Cargo workspace members {}", members.join(", ")),
            },
        }));
    }
    let Some(package) = doc.get("package") else {
        return found;
    };
    let name = package
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("app")
        .to_string();
    let mut svc = cx.service(dir, Some(&name), "rust");
    svc.cite(&path, line_of(&text, "[package]"), format!("Cargo package {name}"));
    svc.package_manager = Some("cargo".into());
    let locked = cx.is_file(&join(dir, "Cargo.lock"));
    if locked {
        svc.lockfile = Some("Cargo.lock".into());
    }
    svc.install_command = Some(if locked { "cargo fetch --locked" } else { "cargo fetch" }.into());

    // Toolchain.
    let toolchain = join(dir, "rust-toolchain.toml");
    let legacy = join(dir, "rust-toolchain");
    let mut pinned = false;
    if cx.is_file(&toolchain) {
        if let Some((t, d)) = cx.toml(&toolchain) {
            if let Some(ch) = d
                .get("toolchain")
                .and_then(|t| t.get("channel"))
                .and_then(|c| c.as_str())
            {
                svc.cite(
                    &toolchain,
                    line_of(&t, "channel"),
                    format!("rust-toolchain.toml pins {ch}"),
                );
                svc.runtime_version = Some(ch.to_string());
                pinned = true;
            }
        }
    } else if let Some(t) = cx.text(&legacy) {
        if let Some(ch) = t.lines().map(str::trim).find(|l| !l.is_empty()) {
            svc.cite(&legacy, Some(1), format!("rust-toolchain pins {ch}"));
            svc.runtime_version = Some(ch.to_string());
            pinned = true;
        }
    }
    if !pinned {
        if let Some(v) = package.get("rust-version").and_then(|v| v.as_str()) {
            svc.cite(
                &path,
                line_of(&text, "rust-version"),
                format!("rust-version {v} is the minimum"),
            );
            svc.runtime_version = Some(v.to_string());
        } else {
            cx.runtime_from_range(&mut svc, "rust", None);
        }
    }

    // Binaries.
    let mut bins: Vec<String> = doc
        .get("bin")
        .and_then(|b| b.as_array_of_tables())
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|t| t.get("name").and_then(|n| n.as_str()).map(str::to_string))
        .collect();
    if cx.is_file(&join(dir, "src/main.rs")) && !bins.contains(&name) {
        bins.insert(0, name.clone());
    }
    if bins.is_empty() {
        found.push(Found::Library {
            path: super::shown(dir),
            reason: format!("the crate {name} has no binary target: a library"),
        });
        return found;
    }
    let bin = bins[0].clone();
    svc.build_command = Some(
        if locked {
            "cargo build --release --locked"
        } else {
            "cargo build --release"
        }
        .into(),
    );
    svc.artifact = Some(format!("target/release/{bin}"));
    svc.start_command = Some(format!("./target/release/{bin}"));

    let mut d = Detected::new(svc, "rust", EXTS);
    d.package = Some(name.clone());
    for section in ["dependencies", "target"] {
        if let Some(t) = doc.get(section).and_then(|t| t.as_table_like()) {
            for (k, _) in t.iter() {
                d.deps.push(Dep {
                    name: k.to_string(),
                    file: path.clone(),
                    line: line_of(&text, &format!("{k} =")),
                });
            }
        }
    }
    if d.framework_from_deps().is_none() {
        d.svc.kind = "worker".into();
    }
    if d.svc.framework.as_deref() == Some("rocket") {
        let rocket = join(dir, "Rocket.toml");
        if let Some((t, r)) = cx.is_file(&rocket).then(|| cx.toml(&rocket)).flatten() {
            let port = ["release", "global", "default"]
                .iter()
                .find_map(|p| r.get(p).and_then(|s| s.get("port")).and_then(|v| v.as_integer()));
            if let Some(port) = port.and_then(|p| u16::try_from(p).ok()) {
                d.port(
                    port,
                    Trust::Config,
                    &rocket,
                    line_of(&t, "port"),
                    format!("Rocket.toml sets port {port}"),
                );
            }
        }
    }
    found.push(Found::Service(Box::new(d)));
    found
}

/// A workspace member is built from the workspace root, where Cargo.lock and target/ live.
pub(crate) fn adapt_member(ws: &Workspace, d: &mut Detected) {
    let name = d.package.clone().unwrap_or_else(|| d.svc.name.clone());
    let locked = if ws.lockfile.is_some() { " --locked" } else { "" };
    d.svc.build_command = Some(format!("cargo build --release{locked} -p {name}"));
    if let Some(bin) = d
        .svc
        .artifact
        .as_ref()
        .and_then(|a| a.rsplit('/').next())
        .map(str::to_string)
    {
        d.svc.artifact = Some(format!("target/release/{bin}"));
        d.svc.start_command = Some(format!("./target/release/{bin}"));
    }
    d.svc.lockfile = None;
}
