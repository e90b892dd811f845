//! The BEAM: Elixir with Mix (Phoenix, Plug) and Gleam (Wisp, Mist).

use regex_lite::Regex;

use super::{Cx, Dep, Detected, Found, Workspace};
use crate::view::{join, line_of};
use crate::Evidence;

pub(crate) fn elixir(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "mix.exs");
    let Some(text) = cx.text(&path) else { return Vec::new() };
    if let Some(line) = line_of(&text, "apps_path:") {
        return vec![Found::Workspace(Workspace {
            dir: dir.to_string(),
            tool: "mix".into(),
            members: vec!["apps/*".into()],
            lockfile: cx.is_file(&join(dir, "mix.lock")).then(|| join(dir, "mix.lock")),
            package_manager: Some("mix".into()),
            install_command: Some("mix deps.get --only prod".into()),
            runtime_version: None,
            evidence: Evidence {
                file: path,
                line: Some(line),
                reason: "an Elixir umbrella project".into(),
            },
        })];
    }
    let app = Regex::new(r"app:\s*:(\w+)")
        .expect("valid regex")
        .captures(&text)
        .map(|c| c[1].to_string());
    let mut d = Detected::new(cx.service(dir, app.as_deref(), "elixir"), "elixir", &[".ex", ".exs"]);
    let app = app.unwrap_or_else(|| d.svc.name.clone());
    d.svc.cite(
        &path,
        line_of(&text, "app:"),
        format!("mix.exs: the Elixir application {app}"),
    );
    d.svc.package_manager = Some("mix".into());
    if cx.is_file(&join(dir, "mix.lock")) {
        d.svc.lockfile = Some("mix.lock".into());
    }
    let dep = Regex::new(r"\{\s*:(\w+)\s*,").expect("valid regex");
    let in_deps = text.find("defp deps").unwrap_or(0);
    for (i, line) in text.lines().enumerate() {
        let offset = text.lines().take(i).map(|l| l.len() + 1).sum::<usize>();
        if offset < in_deps {
            continue;
        }
        for c in dep.captures_iter(line) {
            d.deps.push(Dep {
                name: c[1].to_string(),
                file: path.clone(),
                line: Some(i as u32 + 1),
            });
        }
    }
    let range = Regex::new(r#"elixir:\s*"([^"]+)""#)
        .expect("valid regex")
        .captures(&text)
        .map(|c| c[1].to_string());
    if let Some((file, line, v)) = cx.tool_version(dir, &["elixir"]) {
        let v = v.split('-').next().unwrap_or(&v).to_string();
        d.svc.cite(&file, line, format!("asks for Elixir {v}"));
        d.svc.runtime_version = Some(v);
    } else {
        let line = line_of(&text, "elixir:");
        cx.runtime_from_range(&mut d.svc, "elixir", range.as_deref().map(|r| (r, path.as_str(), line)));
    }
    d.svc.install_command = Some("mix deps.get --only prod".into());
    let framework = d.framework_from_deps();
    let assets = if cx.view.is_dir(&join(dir, "assets")) && framework == Some("phoenix") {
        " && mix assets.deploy"
    } else {
        ""
    };
    d.svc.build_command = Some(format!("MIX_ENV=prod mix compile{assets} && MIX_ENV=prod mix release"));
    d.svc.artifact = Some(format!("_build/prod/rel/{app}"));
    d.svc.start_command = Some(format!("_build/prod/rel/{app}/bin/{app} start"));
    if framework.is_none() {
        if !text.contains("mod:") {
            return vec![Found::Library {
                path: super::shown(dir),
                reason: "a Mix project with no application module: a library".into(),
            }];
        }
        d.svc.kind = "worker".into();
    }
    vec![Found::Service(Box::new(d))]
}

pub(crate) fn gleam(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "gleam.toml");
    let Some((text, doc)) = cx.toml(&path) else {
        return Vec::new();
    };
    let name = doc.get("name").and_then(|n| n.as_str()).map(str::to_string);
    let mut d = Detected::new(cx.service(dir, name.as_deref(), "gleam"), "gleam", &[".gleam"]);
    d.svc.cite(&path, line_of(&text, "name"), "gleam.toml: a Gleam project");
    d.svc.package_manager = Some("gleam".into());
    if cx.is_file(&join(dir, "manifest.toml")) {
        d.svc.lockfile = Some("manifest.toml".into());
    }
    if let Some(t) = doc.get("dependencies").and_then(|t| t.as_table_like()) {
        for (k, _) in t.iter() {
            d.deps.push(Dep {
                name: k.to_string(),
                file: path.clone(),
                line: line_of(&text, &format!("{k} =")),
            });
        }
    }
    let range = doc.get("gleam").and_then(|v| v.as_str()).map(str::to_string);
    let line = line_of(&text, "gleam =");
    cx.runtime_from_range(&mut d.svc, "gleam", range.as_deref().map(|r| (r, path.as_str(), line)));
    d.svc.install_command = Some("gleam deps download".into());
    d.svc.build_command = Some("gleam export erlang-shipment".into());
    d.svc.artifact = Some("build/erlang-shipment".into());
    d.svc.start_command = Some("build/erlang-shipment/entrypoint.sh run".into());
    if d.framework_from_deps().is_none() {
        d.svc.kind = "worker".into();
    }
    vec![Found::Service(Box::new(d))]
}
