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

/// The text of the Erlang term list after `{key,` in rebar.config: `{deps, [...]}` -> `[...]`.
fn term_list<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    let start = Regex::new(&format!(r"\{{\s*{key}\s*,\s*\["))
        .expect("valid regex")
        .find(text)?
        .end()
        - 1;
    let mut depth = 0usize;
    for (i, ch) in text[start..].char_indices() {
        match ch {
            '[' | '{' => depth += 1,
            ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[start..=start + i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// An Erlang project built with rebar3: a release (relx) or an escript is something to run;
/// anything else is an OTP library.
pub(crate) fn erlang(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = join(dir, "rebar.config");
    let Some(text) = cx.text(&path) else { return Vec::new() };
    // Comments start with % and run to the end of the line.
    let text: String = text
        .lines()
        .map(|l| l.split('%').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let release = Regex::new(r#"\{\s*release\s*,\s*\{\s*'?(\w+)'?\s*,\s*"([^"]+)""#)
        .expect("valid regex")
        .captures(&text)
        .map(|c| c[1].to_string());
    let escript = Regex::new(r"\{\s*escript_main_app\s*,\s*'?(\w+)'?")
        .expect("valid regex")
        .captures(&text)
        .map(|c| c[1].to_string());
    let app_src = cx
        .view
        .index()
        .names_in(&join(dir, "src"))
        .iter()
        .find_map(|n| n.strip_suffix(".app.src").map(str::to_string));
    let name = release.clone().or(escript.clone()).or(app_src);
    let mut d = Detected::new(cx.service(dir, name.as_deref(), "erlang"), "erlang", &[".erl", ".hrl"]);
    d.svc
        .cite(&path, None, "rebar.config: an Erlang project built with rebar3");
    d.svc.package_manager = Some("rebar3".into());
    if cx.is_file(&join(dir, "rebar.lock")) {
        d.svc.lockfile = Some("rebar.lock".into());
    }
    if let Some(deps) = term_list(&text, "deps") {
        // Top-level entries: `cowboy` or `{cowboy, "2.12.0"}`.
        let inner = &deps[1..deps.len() - 1];
        let mut depth = 0usize;
        let mut item = String::new();
        let mut names = Vec::new();
        for ch in inner.chars().chain(std::iter::once(',')) {
            match ch {
                '{' | '[' => depth += 1,
                '}' | ']' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    let n: String = item
                        .trim()
                        .trim_start_matches('{')
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !n.is_empty() {
                        names.push(n);
                    }
                    item.clear();
                    continue;
                }
                _ => {}
            }
            if depth <= 1 {
                item.push(ch);
            }
        }
        let raw = cx.text(&path).unwrap_or_default();
        for n in names {
            d.deps.push(Dep {
                line: line_of(&raw, &n),
                name: n,
                file: path.clone(),
            });
        }
    }
    let raw = cx.text(&path).unwrap_or_default();
    if let Some((file, line, v)) = cx.tool_version(dir, &["erlang"]) {
        let major = v.split('.').next().unwrap_or(&v).to_string();
        d.svc.cite(&file, line, format!("asks for Erlang/OTP {v}"));
        d.svc.runtime_version = Some(major);
    } else {
        let min = Regex::new(r#"\{\s*minimum_otp_vsn\s*,\s*"(\d+)"#)
            .expect("valid regex")
            .captures(&text)
            .map(|c| format!(">={}", &c[1]));
        let line = line_of(&raw, "minimum_otp_vsn");
        cx.runtime_from_range(&mut d.svc, "erlang", min.as_deref().map(|r| (r, path.as_str(), line)));
    }
    d.svc.install_command = Some("rebar3 get-deps".into());
    let prod = Regex::new(r"\{\s*prod\s*,").expect("valid regex").is_match(&text);
    let profile = if prod { "prod" } else { "default" };
    match (release, escript) {
        (Some(rel), _) => {
            d.svc.cite(
                &path,
                line_of(&raw, "release"),
                format!("relx builds the release {rel}"),
            );
            d.svc.build_command = Some(if prod {
                "rebar3 as prod release".into()
            } else {
                "rebar3 release".into()
            });
            d.svc.artifact = Some(format!("_build/{profile}/rel/{rel}"));
            d.svc.start_command = Some(format!("_build/{profile}/rel/{rel}/bin/{rel} foreground"));
        }
        (None, Some(app)) => {
            d.svc.cite(
                &path,
                line_of(&raw, "escript_main_app"),
                format!("builds the escript {app}"),
            );
            d.svc.build_command = Some("rebar3 escriptize".into());
            d.svc.artifact = Some(format!("_build/default/bin/{app}"));
            d.svc.start_command = Some(format!("_build/default/bin/{app}"));
        }
        (None, None) => {
            return vec![Found::Library {
                path: super::shown(dir),
                reason: "rebar.config builds neither a release (relx) nor an escript: an OTP library".into(),
            }]
        }
    }
    if d.framework_from_deps().is_none() {
        d.svc.kind = "worker".into();
    }
    vec![Found::Service(Box::new(d))]
}
